r"""Intrinsic plasticity of a sigmoid neuron (Fig 4A/B).

Triesch's (2007) rule is the stochastic Euclidean gradient of the per-sample
cost; the natural-gradient rule uses the Fisher metric of the output family.
The figure draws, as the paper does, the flow fields of the *expected* update
(each rule averaged over the input distribution, :func:`symgrad.expected_flow`)
in the plane of gain :math:`a` and bias :math:`b`, with their common fixed
point, and a few single-sample trajectories on top.
"""

import functools

import sympy as sp

import symgrad as sg

#: The values of the figure (see :func:`notes`): input x ~ N(m, s), target mean output mu, rate eta.
VALUES = {"m": 0.5, "s": 1.0, "mu": 0.2, "eta": 0.01}

#: Gauss-Hermite nodes of the expected rules: relative error below 1e-3 on the figure's domain
#: (the steeper the sigmoid, the larger the gain a, the more nodes the rule needs).
NODES = 64


def triesch_rule(ip, eta):
    r"""Triesch's rule: :math:`\Delta b = \eta(1 - (2 + 1/\mu) y + y^2/\mu)`, :math:`\Delta a = \eta/a + x \Delta b`."""
    db = eta * (1 - (2 + 1 / ip.mu) * ip.y + ip.y**2 / ip.mu)
    return sp.Matrix([eta / ip.a + ip.x * db, db])


def rules(ip, eta):
    """The per-sample rules of the figure: Euclidean (Triesch's) and natural gradient (Fisher)."""
    return {
        "Euclidean (Triesch)": sg.GradientFlow(ip.sample_cost, ip.euclidean, rate=eta),
        "natural gradient (Fisher)": sg.GradientFlow(ip.sample_cost, ip.fisher, rate=eta),
    }


@functools.cache
def _expected_rules():
    ip = sg.catalog.intrinsic_plasticity()
    eta = sp.Symbol("eta", positive=True)
    inputs = sg.Normal(mean=ip.m, std=ip.s)
    return ip, {
        k: sg.expected_flow(r, inputs, ip.x, method="quadrature", nodes=NODES) for k, r in rules(ip, eta).items()
    }


def expected_rules():
    """The model and each rule of :func:`rules` averaged over x ~ N(m, s) by Gauss-Hermite quadrature (built once)."""
    return _expected_rules()


@functools.cache
def _numeric_means():
    ip, means = expected_rules()
    return {k: _numeric(ip, f, sp.Symbol("eta", positive=True)) for k, f in means.items()}


def derive():
    """Closed forms of the intrinsic-plasticity example, Gaussian and logistic input."""
    eta = sp.Symbol("eta", positive=True)
    ip = sg.catalog.intrinsic_plasticity("gaussian")
    logistic = sg.catalog.intrinsic_plasticity("logistic")
    euclid = sg.GradientFlow(ip.sample_cost, ip.euclidean, rate=eta)
    natural = sg.GradientFlow(ip.sample_cost, ip.fisher, rate=eta)
    F = ip.fisher.components()
    return {
        "per-sample cost": ip.sample_cost.components(),
        "Euclidean per-sample rule (a, b)": euclid.components(),
        "Triesch rule (a, b)": triesch_rule(ip, eta),
        "Fisher metric, Gaussian input": F,
        "Fisher metric, logistic input": logistic.fisher.components(),
        "natural-gradient per-sample rule, Gaussian input": natural.components(),
        # the compact form: a known matrix, the inverse Fisher metric, times Triesch's update
        "natural-gradient rule = F^-1 (Triesch rule)": sp.MatMul(
            F.inv().applyfunc(sp.factor), triesch_rule(ip, eta), evaluate=False
        ),
    }


def _fixed_point(num, guess):
    """The zero of a numeric flow near ``guess`` (scipy's hybrid root finder)."""
    import numpy as np
    from scipy.optimize import root

    sol = root(lambda p: num(np.asarray(p)), guess, tol=1e-12)
    return np.asarray(sol.x), bool(sol.success)


def _numeric(ip, flow, eta):
    from symgrad.plotting import relevant_params

    values = {ip.m: VALUES["m"], ip.s: VALUES["s"], ip.mu: VALUES["mu"], eta: 1.0}
    return flow.numeric(ip.chart, params=relevant_params(flow, values))


def _per_sample_check(ip, eta):
    """The expected rules against adaptive quadrature (scipy.integrate.quad) at a few points."""
    import numpy as np
    from scipy.integrate import quad

    m, s = VALUES["m"], VALUES["s"]
    pdf = lambda x: np.exp(-((x - m) ** 2) / (2 * s * s)) / np.sqrt(2 * np.pi * s * s)  # noqa: E731
    worst = 0.0
    for rule, avg in zip(rules(ip, eta).values(), _numeric_means().values()):
        per = _numeric(ip, rule, eta)
        for point in ([0.5, -2.0], [2.0, -1.0], [4.0, 1.0]):
            p = np.array(point)

            def integrand(x, i, p=p, per=per):
                return per(p, x=x)[i] * pdf(x)

            ref = np.array([quad(integrand, m - 12 * s, m + 12 * s, args=(i,))[0] for i in range(2)])
            worst = max(worst, float(np.max(np.abs(avg(p) - ref) / (1e-12 + np.abs(ref)))))
    return worst


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    import numpy as np

    eta = sp.Symbol("eta", positive=True)
    ip, _ = expected_rules()
    dc = sg.differential(ip.sample_cost).components()
    diff = results["Euclidean per-sample rule (a, b)"] - results["Triesch rule (a, b)"]
    natural = ip.fisher.components() * results["natural-gradient per-sample rule, Gaussian input"] + eta * dc
    compact = results["natural-gradient rule = F^-1 (Triesch rule)"].doit()
    nat = results["natural-gradient per-sample rule, Gaussian input"]
    points = {k: _fixed_point(num, [1.0, -1.0]) for k, num in _numeric_means().items()}
    (p_e, ok_e), (p_f, ok_f) = points.values()
    # at the fixed point the output's mean is the target mu (E[db] = 0 and E[y^2] = ... give E[y] = mu)
    y = sg.expected_flow(
        sg.Vector(ip.manifold, ip.chart, [ip.y, 0]), sg.Normal(mean=ip.m, std=ip.s), ip.x, method="quadrature", nodes=24
    )
    mean_y = float(y.numeric(ip.chart, params={ip.m: VALUES["m"], ip.s: VALUES["s"]})(p_e)[0])
    return {
        "Triesch's rule is the stochastic Euclidean gradient": all(sp.simplify(e) == 0 for e in diff),
        "the natural-gradient rule solves F v = -eta dc": all(sp.cancel(e) == 0 for e in natural),
        "the natural-gradient rule is F^-1 times Triesch's rule": all(sp.simplify(e) == 0 for e in compact - nat),
        f"the expected rules (Gauss-Hermite, {NODES} nodes) agree with adaptive quadrature to 2e-3": (
            _per_sample_check(ip, eta) < 2e-3
        ),
        "the expected Euclidean and natural-gradient flows have the same fixed point": ok_e
        and ok_f
        and bool(np.allclose(p_e, p_f, atol=1e-8)),
        f"at the fixed point the mean output is the target mu = {VALUES['mu']}": abs(mean_y - VALUES["mu"]) < 0.02,
    }


def figure(results, steps=1500, seed=1):
    """Flow fields of the expected rules in the (a, b) plane, their fixed point, stochastic trajectories on top."""
    import numpy as np
    from matplotlib.figure import Figure

    from symgrad.plotting import relevant_params

    ip, _ = expected_rules()
    eta = sp.Symbol("eta", positive=True)
    values = {ip.m: VALUES["m"], ip.s: VALUES["s"], ip.mu: VALUES["mu"], eta: 1.0}
    rng = np.random.default_rng(seed)
    xs = rng.normal(VALUES["m"], VALUES["s"], size=steps)
    starts = np.array([[0.5, -2.5], [3.5, 0.5], [1.0, 1.5]])
    ranges = {ip.a: (0.2, 4.0), ip.b: (-3.5, 2.0)}
    fig = Figure(figsize=(8, 3.8), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    grid = np.stack(np.meshgrid(np.linspace(*ranges[ip.a], 40), np.linspace(*ranges[ip.b], 40)), axis=-1)
    for ax, (label, rule), mean in zip(axes, rules(ip, eta).items(), _numeric_means().values()):
        field = mean(grid)
        ax.streamplot(grid[..., 0], grid[..., 1], field[..., 0], field[..., 1], color="C0", density=1.0, linewidth=0.8)
        point, _ = _fixed_point(mean, [1.0, -1.0])
        single = rule.numeric(ip.chart, params=relevant_params(rule, {**values, eta: VALUES["eta"]}))
        state = starts.copy()
        paths = [state.copy()]
        for x in xs:  # one input sample per step: the stochastic rule
            state = state + single(state, x=x)
            state[:, 0] = np.maximum(state[:, 0], 1e-3)  # keep the gain positive
            paths.append(state.copy())
        for path in np.stack(paths, axis=1):
            ax.plot(path[:, 0], path[:, 1], color="C3", linewidth=0.8, alpha=0.8)
            ax.plot(path[:1, 0], path[:1, 1], "o", color="C3", markersize=3)
        ax.plot(*point, "*", color="k", markersize=12, zorder=5)
        ax.set(xlabel="gain $a$", ylabel="bias $b$", title=label)
    return fig


def notes(results):
    """The values the figure assumes, and how the expected flow is computed."""
    v = VALUES
    return f"""### Values assumed

The paper's figure follows Triesch (2007, Fig 1A), whose parameter values are not restated in
the paper; the values here are ours: input $x \\sim N({v["m"]}, {v["s"]}^2)$, target mean output
$\\mu = {v["mu"]}$, single-sample rate $\\eta = {v["eta"]}$ for the red trajectories
({1500} samples each), $\\eta = 1$ for the flow fields (the rate only scales them).

### The expected flow

The blue flow lines are those of the expected update $E_x[v(a, b, x)]$, computed by
`sg.expected_flow(rule, sg.Normal(mean=m, std=s), x)` with {NODES}-node Gauss-Hermite quadrature
(the expectation of the sigmoid's moments has no closed form) and checked against adaptive
quadrature (`scipy.integrate.quad`): the relative error is below $10^{{-3}}$ on the figure's domain,
largest at large gain, where the sigmoid of $a x + b$ is steepest. Both flows vanish at the
same point (black star), where the mean output is $\\mu$: the metric changes the paths, not
the fixed point.
"""


if __name__ == "__main__":
    from symgrad.paper import main

    main("intrinsic_plasticity", "Intrinsic plasticity of a sigmoid neuron (Fig 4A/B)", derive)
