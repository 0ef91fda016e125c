r"""The binomial release synapse (Fig 4C/D): quantal amplitude :math:`q`, release probability :math:`P`.

Euclidean, Fisher and metabolic gradient flows of the KL cost from a narrow
Gaussian at :math:`\phi` to the Gaussian approximation
:math:`N(m, v)`, :math:`m = NPq`, :math:`v = NP(1-P)q^2`, of the response.

The map :math:`(q, P) \mapsto (m, v)` is a chart transition of the synapse's
manifold (from :math:`q > 0, 0 < P < 1` onto :math:`m, v > 0`), so the flows
can be read in the response's mean and variance; there the Fisher flow is
:math:`\dot m = \eta(\phi - m)`, :math:`\dot v = \eta(\epsilon^2 + (m - \phi)^2 - v)`.
The cost's only stationary point is :math:`m = \phi, v = \epsilon^2`; as the
target narrows (:math:`\epsilon \to 0`) it tends to :math:`(q, P) = (\phi/N, 1)`,
on the edge of the domain.
"""

import functools

import numpy as np
import sympy as sp

import symgrad as sg

#: Parameter values of the figure: 10 release sites, target response 1.5, a narrow target.
FIGURE_VALUES = {"N": 10, "phi": 1.5, "epsilon": 0.02, "eta": 1.0}

#: Initial points (q, P) of the figure's trajectories.
STARTS = ((1.2, 0.2), (0.3, 0.9), (0.8, 0.5))

#: A trajectory is taken to have converged once its speed |(dq/dt, dP/dt)| falls below this.
SPEED_TOL = 1e-6

#: The longest time a trajectory is integrated for.
T_MAX = 1e4

_METRICS = ("Euclidean", "Fisher", "metabolic")


@functools.lru_cache(maxsize=1)
def _model():
    """The synapse, its metrics, and the chart (m, v) of the response's mean and variance."""
    syn = sg.catalog.binomial_synapse()
    eta = sp.Symbol("eta", positive=True)
    m, v = sp.symbols("m v", positive=True)
    N, P, q = syn.N, syn.P, syn.q
    mv = syn.manifold.chart(m, v, name="(m, v)")
    to_mv = {m: N * P * q, v: N * P * (1 - P) * q**2}
    from_mv = {q: v / m + m / N, P: m**2 / (m**2 + N * v)}
    syn.manifold.transition(syn.chart, mv, to_mv, inverse=from_mv)
    metrics = {
        "Euclidean": syn.euclidean,
        "Fisher": syn.fisher,
        # symgrad's choice, not the paper's (see notes())
        "metabolic": sg.metabolic(syn.chart, {P: 1 / (1 - P) ** 2}),
    }
    flows = {name: sg.GradientFlow(syn.cost, G, rate=eta) for name, G in metrics.items()}
    return syn, eta, metrics, flows, mv, to_mv, from_mv


def _metabolic_length(G, P, a, b):
    r"""The length :math:`\int_a^b \sqrt{G_{PP}}\, dP` of the path P: a -> b at fixed q (with P = 1 - u, u > 0)."""
    u = sp.Symbol("u", positive=True)
    density = sp.sqrt(G[1, 1].subs(P, 1 - u))  # = 1/u
    return sp.integrate(density, (u, 1 - b, 1 - a))


def derive():
    """Closed forms of the binomial synapse example.

    Returns
    -------
    dict
        The cost, the metrics, the three flows in the chart (q, P), the Fisher
        flow in the chart (m, v) (by the chart transition and by the chain
        rule), the stationary point of the cost and its limit as
        :math:`\\epsilon \\to 0`, and metabolic lengths of paths in P.
    """
    syn, eta, metrics, flows, mv, to_mv, from_mv = _model()
    m, v = mv.coords
    fisher_qp = flows["Fisher"].components()
    # the chain rule: (m', v') = J (q', P'), J = d(m, v)/d(q, P), then expressed in (m, v)
    response = sp.Matrix([to_mv[m], to_mv[v]])
    J = response.jacobian(syn.chart.coords)
    chain = (J * fisher_qp).subs(from_mv, simultaneous=True).applyfunc(sp.cancel)
    # stationary points: dC = 0 in (m, v), a chart where the solve is elementary;
    # dC in (q, P) is J^T dC(m, v) with J invertible, so the zeros are the same points
    dC_mv = sg.differential(syn.cost).components(mv)
    (sol,) = sp.solve(list(dC_mv), [m, v], dict=True)
    star_mv = sp.Matrix([sol[m], sol[v]])
    star_qp = sp.Matrix([from_mv[c].subs({m: sol[m], v: sol[v]}) for c in syn.chart.coords]).applyfunc(sp.cancel)
    limit = star_qp.applyfunc(lambda e: sp.limit(e, syn.epsilon, 0, "+"))
    G = metrics["metabolic"].components()
    P = syn.P
    half = sp.Rational(1, 2)
    return {
        "cost": syn.cost.components(),
        "Fisher metric of the response": syn.fisher.components(),
        "Euclidean flow": flows["Euclidean"].components(),
        "Fisher flow": fisher_qp,
        "metabolic flow": flows["metabolic"].components(),
        "metabolic metric": G,
        "response mean and variance (m, v)": response,
        "differential of the cost in (m, v)": dC_mv,
        "Fisher flow in (m, v)": flows["Fisher"].components(mv),
        "Fisher flow in (m, v), by the chain rule": chain,
        "stationary point in (m, v)": star_mv,
        "stationary point in (q, P)": star_qp,
        "stationary point as epsilon -> 0": limit,
        "metabolic length of P: 1/2 -> 3/5": _metabolic_length(G, P, half, sp.Rational(3, 5)),
        "metabolic length of P: 9/10 -> 1": _metabolic_length(G, P, sp.Rational(9, 10), 1),
        "metabolic length of P: 9/10 -> 99/100": _metabolic_length(G, P, sp.Rational(9, 10), sp.Rational(99, 100)),
    }


def _params():
    syn, eta, *_ = _model()
    f = FIGURE_VALUES
    return {syn.N: f["N"], syn.phi: f["phi"], syn.epsilon: f["epsilon"], eta: f["eta"]}


def optimum(epsilon=None):
    r"""The stationary point :math:`(q^*, P^*)` at the figure's N, phi and the given epsilon (default: the figure's).

    Parameters
    ----------
    epsilon : float, optional
        0 gives the limit :math:`(\phi/N, 1)`.

    Returns
    -------
    numpy.ndarray, shape (2,)
    """
    f = FIGURE_VALUES
    eps = f["epsilon"] if epsilon is None else epsilon
    return np.array([eps**2 / f["phi"] + f["phi"] / f["N"], f["phi"] ** 2 / (f["phi"] ** 2 + f["N"] * eps**2)])


@functools.lru_cache(maxsize=1)
def trajectories():
    """The figure's trajectories under each metric, integrated until they converge or reach the edge.

    Each starts at a point of :data:`STARTS` and stops when its speed falls
    below :data:`SPEED_TOL` (status 2), when it leaves the domain, e.g. at
    P = 1 (status 1), or at :data:`T_MAX` (status 0).

    Returns
    -------
    dict
        ``{metric name: [(path, status, t_stop), ...]}``, a path of shape (time, 2) in (q, P).
    """
    syn, _, _, flows, *_ = _model()
    out = {}
    for name in _METRICS:
        num = flows[name].numeric(syn.chart, params=_params())

        def slow(t, y, num=num):
            return np.linalg.norm(num(y)) - SPEED_TOL

        slow.terminal = True
        slow.direction = -1
        runs = []
        for x0 in STARTS:
            sol = num.integrate(np.array(x0), (0.0, T_MAX), method="LSODA", events=[slow], rtol=1e-7, atol=1e-10)
            runs.append((sol.y, int(sol.status), float(sol.t_stop)))
        out[name] = runs
    return out


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    syn, eta, metrics, flows, mv, *_ = _model()
    m, v = mv.coords
    phi, eps, N = syn.phi, syn.epsilon, syn.N
    fisher_flow = results["Fisher flow"]
    dC = sg.differential(syn.cost).components()
    expected_mv = sp.Matrix([eta * (phi - m), eta * (eps**2 + (m - phi) ** 2 - v)])
    star = results["stationary point in (q, P)"]
    at_star = dC.subs({syn.q: star[0], syn.P: star[1]}, simultaneous=True)
    G = results["metabolic metric"]
    opt = optimum()
    ends = [(run, np.linalg.norm(run[0][-1] - opt)) for runs in trajectories().values() for run in runs]

    def zero(matrix):
        return all(sp.cancel(e) == 0 for e in matrix)

    return {
        "Euclidean, Fisher and metabolic flows descend the cost": all(sg.check_descent(f) for f in flows.values()),
        "the Fisher flow solves F v = -eta dC": zero(syn.fisher.components() * fisher_flow + eta * dC),
        "the Fisher and Euclidean flows differ": not zero(results["Euclidean flow"] - fisher_flow),
        "in (m, v) the Fisher flow is m' = eta (phi - m), v' = eta (eps^2 + (m - phi)^2 - v)": zero(
            results["Fisher flow in (m, v)"] - expected_mv
        ),
        "the chain rule J (q', P') gives the same (m, v) flow as the chart transition": zero(
            results["Fisher flow in (m, v), by the chain rule"] - results["Fisher flow in (m, v)"]
        ),
        "the cost has exactly one stationary point, (m, v) = (phi, eps^2)": zero(
            results["stationary point in (m, v)"] - sp.Matrix([phi, eps**2])
        ),
        "dC vanishes at (q*, P*) = (eps^2/phi + phi/N, phi^2/(phi^2 + N eps^2))": zero(at_star)
        and zero(star - sp.Matrix([eps**2 / phi + phi / N, phi**2 / (phi**2 + N * eps**2)])),
        "for eps > 0 the stationary point is interior: 1 - P* > 0": bool(sp.cancel(1 - star[1]).is_positive),
        "as eps -> 0 the stationary point tends to (phi/N, 1), on the edge P = 1": zero(
            results["stationary point as epsilon -> 0"] - sp.Matrix([phi / N, 1])
        ),
        "the metabolic metric is diag(1, 1/(1 - P)^2)": zero(G - sp.diag(1, 1 / (1 - syn.P) ** 2)),
        "metabolic length: P 0.9 -> 1.0 is infinite, 0.5 -> 0.6 is log(5/4)": results[
            "metabolic length of P: 9/10 -> 1"
        ]
        == sp.oo
        and sp.simplify(results["metabolic length of P: 1/2 -> 3/5"] - sp.log(sp.Rational(5, 4))) == 0,
        "metabolic length: P 0.9 -> 0.99 (log 10) exceeds 0.5 -> 0.6 (log 5/4)": bool(
            results["metabolic length of P: 9/10 -> 99/100"] > results["metabolic length of P: 1/2 -> 3/5"]
        ),
        "every trajectory converges (speed < 1e-6) to the optimum within 1e-3, none reaches P = 1": all(
            status == 2 and d < 1e-3 and path[:, 1].max() < 1 for (path, status, _), d in ends
        ),
    }


def _edge_marks(ax):
    """Mark the optimum at the figure's epsilon (dot) and its epsilon -> 0 limit (star) on ax."""
    opt, lim = optimum(), optimum(0.0)
    eps = FIGURE_VALUES["epsilon"]
    ax.axhline(1.0, color="0.3", linewidth=0.8, linestyle="--")
    ax.plot(*lim, marker="*", color="crimson", markersize=13, linestyle="none", clip_on=False, label=r"$\epsilon\to 0$")
    ax.plot(
        *opt, marker="o", color="gold", markeredgecolor="k", markersize=6, linestyle="none", label=rf"$\epsilon={eps}$"
    )


def figure(results):
    """The three flows in (q, P) with trajectories run to convergence, and the trajectories in (m, v)."""
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow, relevant_params

    syn, _, _, flows, *_ = _model()
    params = _params()
    fig = Figure(figsize=(15.5, 4.2), layout="constrained")
    axes = fig.subplots(1, 4)
    ranges = {syn.q: (0.02, 1.5), syn.P: (0.02, 1.0)}
    paths = trajectories()
    for k, name in enumerate(_METRICS):
        ax = axes[k]
        flow = flows[name]
        plot_flow(ax, flow, syn.chart, ranges, params=relevant_params(flow, params), n=21, color=f"C{k}")
        for path, _, _ in paths[name]:
            ax.plot(path[:, 0], path[:, 1], color="k", linewidth=1.4)
            ax.plot(path[:1, 0], path[:1, 1], "o", color="k", markersize=3)
        stops = ", ".join(f"{t:.3g}" for _, _, t in paths[name])
        ax.set_title(f"{name} (stops at t = {stops})", fontsize=10)
        _edge_marks(ax)
        ax.set_ylim(0.0, 1.03)
    axes[0].legend(loc="upper right", fontsize=8, title="optimum", title_fontsize=8)
    ax = axes[3]
    f = FIGURE_VALUES
    for k, name in enumerate(_METRICS):
        for j, (path, _, _) in enumerate(paths[name]):
            q, P = path[:, 0], path[:, 1]
            m, v = f["N"] * P * q, f["N"] * P * (1 - P) * q**2
            ax.plot(m, v, color=f"C{k}", linewidth=1.2, label=name if j == 0 else None)
            ax.plot(m[:1], v[:1], "o", color="k", markersize=3)
    ax.plot(f["phi"], f["epsilon"] ** 2, marker="o", color="gold", markeredgecolor="k", markersize=6)
    ax.set_yscale("log")
    ax.set(
        xlabel=r"response mean $m = NPq$",
        ylabel=r"response variance $v = NP(1-P)q^2$",
        title=r"the trajectories in $(m, v)$; Fisher: $m - \phi \propto e^{-\eta t}$",
    )
    ax.title.set_fontsize(10)
    ax.legend(fontsize=8)
    fig.suptitle(
        rf"$N = {f['N']}$, $\phi = {f['phi']}$, $\epsilon = {f['epsilon']}$: "
        r"optimum $(q^*, P^*)$ (dot) and its limit $(\phi/N, 1)$ as $\epsilon \to 0$ (star)",
        fontsize=11,
    )
    return fig


def notes(results):
    """The values assumed, the stationary point, the trajectories' ends and the metabolic metric, in Markdown."""
    f = FIGURE_VALUES
    lines = [
        "### Values we assumed",
        "",
        "The paper's target is an arbitrarily narrow Gaussian at $\\phi$ (after Costa et al. 2017). "
        "The numbers below are our choices, not values taken from the paper or from Costa et al.:",
        "",
        f"- $N = {f['N']}$ release sites and target mean $\\phi = {f['phi']}$;",
        f"- target width $\\epsilon = {f['epsilon']}$, small, standing in for the limit $\\epsilon \\to 0$;",
        f"- rate $\\eta = {f['eta']}$ and the initial points $(q, P)$ = " + ", ".join(f"`{s}`" for s in STARTS) + ".",
        "",
        "### The stationary point and the narrow-target limit",
        "",
        "In the chart $(m, v)$ of the response's mean and variance, $dC = 0$ has the single solution "
        "$m = \\phi$, $v = \\epsilon^2$; mapped back, "
        "$q^* = \\epsilon^2/\\phi + \\phi/N$, $P^* = \\phi^2/(\\phi^2 + N\\epsilon^2)$, inside the domain "
        "for every $\\epsilon > 0$. As $\\epsilon \\to 0$ it tends to $(\\phi/N, 1)$, on the edge $P = 1$: "
        "the paper's narrow target has no interior optimum. A wide target (e.g. $\\epsilon = 0.2$) "
        "moves the optimum visibly into the interior.",
        "",
        "| $\\epsilon$ | $q^*$ | $P^*$ |",
        "|---|---|---|",
    ]
    for eps in (0.2, 0.05, f["epsilon"], 0.0):
        q, P = optimum(eps)
        label = "0 (limit)" if eps == 0 else f"{eps}"
        lines.append(f"| {label} | {q:.5f} | {P:.5f} |")
    lines += [
        "",
        "### Trajectories",
        "",
        f"Integrated (LSODA) until the speed $|(\\dot q, \\dot P)|$ falls below {SPEED_TOL:g}, "
        f"until the trajectory leaves the domain (reaches $P = 1$), or until $t = {T_MAX:g}$. "
        "Every trajectory stopped because its speed became tiny, next to the optimum; none reached the edge.",
        "",
        "| metric | start $(q, P)$ | stopped at $t$ | why | end $(q, P)$ | distance to optimum |",
        "|---|---|---|---|---|---|",
    ]
    why = {0: "time limit", 1: "reached the edge", 2: "speed tiny", -1: "solver failed"}
    opt = optimum()
    for name, runs in trajectories().items():
        for x0, (path, status, t_stop) in zip(STARTS, runs):
            end = path[-1]
            lines.append(
                f"| {name} | `{x0}` | {t_stop:.3g} | {why[status]} | "
                f"({end[0]:.5f}, {end[1]:.5f}) | {np.linalg.norm(end - opt):.1e} |"
            )
    lines += [
        "",
        "### The Fisher flow in the response's mean and variance",
        "",
        "The map $(q, P) \\mapsto (m, v) = (NPq,\\, NP(1-P)q^2)$ is a chart transition, with inverse "
        "$q = v/m + m/N$, $P = m^2/(m^2 + Nv)$. Pushing the Fisher flow through it gives "
        "$\\dot m = \\eta(\\phi - m)$, $\\dot v = \\eta(\\epsilon^2 + (m - \\phi)^2 - v)$, "
        "and the chain rule $J\\,(\\dot q, \\dot P)$ agrees exactly: the mean relaxes to $\\phi$ "
        "at rate $\\eta$ whatever the variance.",
        "",
        "### The metabolic metric is our choice",
        "",
        "The paper gives no formula for the metabolic metric; it states only that changing $P$ from 0.9 "
        "to 1.0 costs more than changing it from 0.5 to 0.6. symgrad takes "
        "$G = \\mathrm{diag}(1, 1/(1-P)^2)$: the simplest diagonal metric that leaves $q$ Euclidean and "
        "makes a step in $P$ dearer the closer $P$ is to 1; it is Euclidean in the coordinate "
        "$-\\log(1-P)$. At fixed $q$, the length of the path $P: a \\to b$ is $\\log((1-a)/(1-b))$:",
        "",
        "| path of $P$ | metabolic length |",
        "|---|---|",
        f"| 0.5 -> 0.6 | $\\log(5/4) \\approx {float(results['metabolic length of P: 1/2 -> 3/5']):.4f}$ |",
        f"| 0.9 -> 0.99 | $\\log 10 \\approx {float(results['metabolic length of P: 9/10 -> 99/100']):.4f}$ |",
        "| 0.9 -> 1.0 | $\\infty$ |",
        "",
        "The length to $P = 1$ diverges: under this metric the edge $P = 1$ is infinitely far away.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    from symgrad.paper import main

    main("binomial_synapse", "The binomial release synapse (Fig 4C/D)", derive)
