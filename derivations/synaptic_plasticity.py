r"""Per-synapse learning rates, cross-talk, and weight-dependent rates on spike trains.

Two models, both built by us to illustrate the paper's point that the metric,
not the cost, decides the learning rule.  Neither is the model of a cited
paper.

**A toy linear neuron.**  The cost :math:`C = (y^* - w \cdot x)^2/2`
(:func:`symgrad.catalog.synaptic_plasticity`) under three metrics: one
learning rate (Euclidean), per-synapse rates :math:`G = \mathrm{diag}(1/\eta_i)`,
and heterosynaptic cross-talk :math:`G^{-1} = I + \kappa \mathbf 1 \mathbf 1^T`.

**A spike-train neuron, built by us in the spirit of weight-dependent rates**
:math:`\eta_{ij}(w_{ij})`.  In time bins :math:`t = 1..T` the presynaptic
spike trains :math:`x_{jt} \in \{0, 1\}` drive a Bernoulli neuron that spikes
with probability :math:`\rho_t = \sigma(u_t)`, :math:`u_t = \sum_j w_j x_{jt} - \theta`,
:math:`\sigma(u) = 1/(1 + e^{-u})`.  The cost is the negative log-likelihood
of a target output spike train :math:`y_t \in \{0, 1\}`,

.. math:: C(w) = -\sum_t \big[y_t \log\rho_t + (1 - y_t)\log(1 - \rho_t)\big]
               = \sum_t \big[\log(1 + e^{u_t}) - y_t u_t\big],

and the metric :math:`G = \mathrm{diag}(1/\eta_j(w_j))` gives the rule
:math:`\dot w_j = \eta_j(w_j) \sum_t (y_t - \rho_t)\, x_{jt}`: the error between the
target and the predicted spike times the presynaptic spike, at a rate set by
the weight.  With constant rates :math:`\eta_j(w_j) = \eta_j` weights can change
sign; with multiplicative rates :math:`\eta_j(w_j) = \eta_j w_j` the rate vanishes
at :math:`w_j = 0` and excitatory weights stay positive.
"""

import numpy as np
import sympy as sp

import symgrad as sg

#: Parameter values of the toy's figure.
FIGURE_VALUES = {"x1": 1.0, "x2": 0.5, "ystar": 1.0, "eta1": 1.0, "eta2": 0.2, "kappa": 0.5}

#: Time bins of the symbolic spike-train model (the closed forms are written out bin by bin).
SPIKE_BINS = 3

#: The spike-train simulation of the figure (our choices): input spike probability per bin,
#: number of bins, threshold, the teacher's weights that generate the target train, the
#: initial weights, the constant rate, the multiplicative rate (equal effective rates at
#: the initial weights), the integration time and the seed.
SIMULATION = {
    "p_in": 0.2,
    "bins": 400,
    "theta": 2.0,
    "teacher": (3.0, 1.0, -2.0),
    "w0": (0.5, 0.5, 0.5),
    "eta_constant": 0.005,
    "eta_multiplicative": 0.01,
    "t_end": 40.0,
    "seed": 1,
}


def _spike_model(n, bins):
    """The spike-train neuron with ``n`` synapses and ``bins`` time bins, symbolic spike trains."""
    w = sp.symbols(f"w1:{n + 1}", positive=True)
    x = [[sp.Symbol(f"x{j + 1}_{t + 1}", real=True) for t in range(bins)] for j in range(n)]
    y = [sp.Symbol(f"y_{t + 1}", real=True) for t in range(bins)]
    theta = sp.Symbol("theta", positive=True)
    rates = sp.symbols(f"eta1:{n + 1}", positive=True)
    M = sg.Manifold(f"{n} excitatory weights")
    chart = M.chart(w, name="weights")
    u = [sum(w[j] * x[j][t] for j in range(n)) - theta for t in range(bins)]
    cost = sg.Scalar(M, chart, sum(sp.log(1 + sp.exp(ut)) - yt * ut for ut, yt in zip(u, y)))
    constant = sg.diagonal(chart, [1 / r for r in rates])
    multiplicative = sg.diagonal(chart, [1 / (r * wj) for r, wj in zip(rates, w)])
    return w, x, y, theta, rates, u, chart, cost, constant, multiplicative


def _sigmoid(u):
    return sp.exp(u) / (1 + sp.exp(u))


def derive(n=2):
    """Closed forms of the toy with ``n`` synapses, and of the spike-train neuron with ``n`` synapses."""
    p = sg.catalog.synaptic_plasticity(n)
    out = {
        "cost": p.cost.components(),
        "per-synapse learning rates": sg.GradientFlow(p.cost, p.per_synapse, simplify="factor").components(),
        "cross-talk metric": p.crosstalk.components(),
        "cross-talk rule": sg.GradientFlow(p.cost, p.crosstalk, simplify="factor").components(),
        "Euclidean (one learning rate)": sg.GradientFlow(p.cost, sg.euclidean(p.chart), simplify="factor").components(),
    }
    w, x, y, theta, rates, u, chart, cost, constant, multiplicative = _spike_model(n, SPIKE_BINS)
    # one bin: the rule of the whole train is the sum of these over the bins
    w1, x1, y1, _, _, _, _, cost1, constant1, multiplicative1 = _spike_model(n, 1)
    out.update(
        {
            f"spike train: cost, {SPIKE_BINS} bins": cost.components(),
            "spike train: metric of constant rates": constant.components(),
            "spike train: metric of multiplicative rates": multiplicative.components(),
            f"spike train: constant-rate rule, {SPIKE_BINS} bins": sg.GradientFlow(
                cost, constant, simplify="none"
            ).components(),
            f"spike train: multiplicative-rate rule, {SPIKE_BINS} bins": sg.GradientFlow(
                cost, multiplicative, simplify="none"
            ).components(),
            "spike train: constant-rate rule, one bin": sg.GradientFlow(cost1, constant1, simplify="none").components(),
            "spike train: multiplicative-rate rule, one bin": sg.GradientFlow(
                cost1, multiplicative1, simplify="none"
            ).components(),
        }
    )
    return out


def _same(a, b):
    """Exact equality of two matrices of expressions (expand, then cancel)."""
    d = sp.Matrix(a) - sp.Matrix(b)
    return all(sp.expand(e) == 0 or sp.cancel(e) == 0 for e in d)


_SIMULATED = {}


def simulate(values=None):
    """Integrate the constant- and multiplicative-rate rules on random spike trains.

    Parameters
    ----------
    values : dict, optional
        Overrides of :data:`SIMULATION`.

    Returns
    -------
    dict
        ``"t"``: array, shape (k,); ``"constant"`` and ``"multiplicative"``:
        weight trajectories, shape (k, n); ``"x"``: input trains, shape (bins, n);
        ``"y"``: the target train, shape (bins,).  Read-only arrays, computed
        once per set of values.
    """
    from scipy.integrate import solve_ivp

    v = {**SIMULATION, **(values or {})}
    key = repr(sorted(v.items()))
    if key in _SIMULATED:
        return _SIMULATED[key]
    n = len(v["w0"])
    rng = np.random.default_rng(v["seed"])
    X = (rng.random((v["bins"], n)) < v["p_in"]).astype(float)
    rho_teacher = 1.0 / (1.0 + np.exp(-(X @ np.asarray(v["teacher"]) - v["theta"])))
    Y = (rng.random(v["bins"]) < rho_teacher).astype(float)
    # the closed forms of one bin, summed over the bins
    w, x, y, theta, rates, _, _, cost, constant, multiplicative = _spike_model(n, 1)
    args = [list(w), [xj[0] for xj in x], y[0], theta, list(rates)]
    rules = {}
    for name, metric, eta in (
        ("constant", constant, v["eta_constant"]),
        ("multiplicative", multiplicative, v["eta_multiplicative"]),
    ):
        f = sp.lambdify(args, list(sg.GradientFlow(cost, metric, simplify="none").components()))
        rules[name] = (f, eta)
    t = np.linspace(0.0, v["t_end"], 400)
    out = {"t": t, "x": X, "y": Y}
    for name, (f, eta) in rules.items():

        def rhs(_, W, f=f, eta=eta):
            return [np.sum(c) for c in f(list(W), list(X.T), Y, v["theta"], [eta] * n)]

        sol = solve_ivp(rhs, (0.0, v["t_end"]), v["w0"], t_eval=t, rtol=1e-8, atol=1e-10)
        out[name] = sol.y.T
    for arr in out.values():
        arr.setflags(write=False)
    _SIMULATED[key] = out
    return out


def checks(results):
    """The checks the statements rest on, as ``{statement: passed}``."""
    p = sg.catalog.synaptic_plasticity(2)
    metrics = (p.per_synapse, p.crosstalk, sg.euclidean(p.chart))
    n = len(results["per-synapse learning rates"])
    w, x, y, theta, rates, u, _, cost, _, _ = _spike_model(n, SPIKE_BINS)
    const = results[f"spike train: constant-rate rule, {SPIKE_BINS} bins"]
    mult = results[f"spike train: multiplicative-rate rule, {SPIKE_BINS} bins"]
    # independent closed forms: eta_j sum_t (y_t - rho_t) x_jt, and the metric equation G wdot = -dC
    expected = sp.Matrix(
        [rates[j] * sum((y[t] - _sigmoid(u[t])) * x[j][t] for t in range(SPIKE_BINS)) for j in range(n)]
    )
    dC = sp.Matrix([sp.diff(cost.components(), wj) for wj in w])
    G_mult = sp.diag(*[1 / (r * wj) for r, wj in zip(rates, w)])
    # the cost is the Bernoulli negative log-likelihood: equal derivatives in u, equal values at u = 0
    uu, yy = sp.Symbol("u", real=True), sp.Symbol("y", real=True)
    rho = 1 / (1 + sp.exp(-uu))
    nll = -(yy * sp.log(rho) + (1 - yy) * sp.log(1 - rho))
    ours = sp.log(1 + sp.exp(uu)) - yy * uu
    same_nll = sp.cancel(sp.diff(nll - ours, uu)) == 0 and sp.simplify((nll - ours).subs(uu, 0)) == 0
    # the train's rule is the sum over bins of the one-bin rule
    one = results["spike train: multiplicative-rate rule, one bin"]
    w1, x1, y1 = _spike_model(n, 1)[:3]
    summed = sp.zeros(n, 1)
    for t in range(SPIKE_BINS):
        summed += one.xreplace({**{x1[j][0]: x[j][t] for j in range(n)}, y1[0]: y[t]})
    sim = simulate()
    return {
        "toy: every rule descends the cost": all(sg.check_descent(sg.GradientFlow(p.cost, m)) for m in metrics),
        "spike train: the cost is the negative log-likelihood of the target train under the Bernoulli neuron": same_nll,
        "spike train: constant rates give dw_j/dt = eta_j sum_t (y_t - rho_t) x_jt exactly": _same(const, expected),
        "spike train: the multiplicative rule solves diag(1/(eta_j w_j)) wdot = -dC exactly (that metric's flow)": (
            _same(G_mult * mult, -dC)
        ),
        "spike train: multiplicative rates give dw_j/dt = eta_j w_j sum_t (y_t - rho_t) x_jt exactly": _same(
            mult, sp.Matrix([w[j] * expected[j] for j in range(n)])
        ),
        "spike train: the multiplicative rule vanishes at w_j = 0; d log w_j/dt is the bounded constant-rate rule": (
            all(sp.expand(mult[j].subs(w[j], 0)) == 0 for j in range(n))
            and _same(sp.Matrix([mult[j] / w[j] for j in range(n)]), expected)
        ),
        "spike train: the rule of the whole train is the sum of the one-bin rules": _same(mult, summed),
        "spike train: diag(1/(eta_j w_j)) is the Euclidean metric of z_j = 2 sqrt(w_j/eta_j)": all(
            sp.cancel(sp.diff(2 * sp.sqrt(w[j] / rates[j]), w[j]) ** 2 - 1 / (rates[j] * w[j])) == 0 for j in range(n)
        ),
        "spike train simulation: a weight crosses zero under constant rates": bool((sim["constant"] < 0).any()),
        "spike train simulation: every weight stays positive under multiplicative rates": bool(
            (sim["multiplicative"] > 0).all()
        ),
    }


def notes(results):
    """What each model is, and which values are ours."""
    v = SIMULATION
    return "\n".join(
        [
            "### Two models, both ours",
            "",
            "The linear neuron with per-synapse rates and cross-talk is a toy: the simplest cost on "
            "which a diagonal metric (one rate per synapse) and a non-diagonal one (plasticity that "
            "follows the neighbours' activity) give visibly different rules.",
            "",
            "The spike-train neuron is built by us in the spirit of weight-dependent learning rates "
            "$\\eta_{ij}(w_{ij})$; it is not the model of a cited paper. It is a discrete-time "
            "Bernoulli neuron with logistic firing probability $\\rho_t = \\sigma(\\sum_j w_j x_{jt} - "
            "\\theta)$, learning to reproduce a target spike train by gradient flow on its negative "
            "log-likelihood.",
            "",
            "### The rules",
            "",
            "| metric | rule $\\dot w_j$ | weights |",
            "|---|---|---|",
            "| $\\mathrm{diag}(1/\\eta_j)$ | $\\eta_j \\sum_t (y_t - \\rho_t) x_{jt}$ | may change sign |",
            "| $\\mathrm{diag}(1/(\\eta_j w_j))$ | $\\eta_j w_j \\sum_t (y_t - \\rho_t) x_{jt}$ | stay positive |",
            "",
            "The multiplicative rule is the Euclidean flow in the chart $z_j = 2\\sqrt{w_j / \\eta_j}$. "
            "Rates $\\eta_j w_j^2$ would give the log (Weber) metric of Claim 6.",
            "",
            "### The simulation (our values)",
            "",
            f"- {len(v['w0'])} inputs, each spiking with probability {v['p_in']} per bin, {v['bins']} bins, "
            f"threshold $\\theta = {v['theta']}$, seed {v['seed']}.",
            f"- The target train is drawn from the same neuron with teacher weights {v['teacher']}; the "
            "negative teacher weight (an inhibitory influence) cannot be represented by a positive weight.",
            f"- Initial weights {v['w0']}; rates $\\eta = {v['eta_constant']}$ (constant) and "
            f"$\\eta = {v['eta_multiplicative']}$ (multiplicative), equal effective rates at the start; "
            f"integrated to $t = {v['t_end']}$.",
        ]
    )


def figure(results):
    """The toy's three rules, and the spike-train weights under constant and multiplicative rates."""
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow, relevant_params

    fig = Figure(figsize=(12.0, 8.0), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    p = sg.catalog.synaptic_plasticity(2)
    v = FIGURE_VALUES
    params = {
        p.x[0]: v["x1"],
        p.x[1]: v["x2"],
        p.ystar: v["ystar"],
        p.rates[0]: v["eta1"],
        p.rates[1]: v["eta2"],
        p.kappa: v["kappa"],
    }
    metrics = {
        "toy: one learning rate": sg.euclidean(p.chart),
        "toy: per-synapse rates": p.per_synapse,
        "toy: cross-talk": p.crosstalk,
    }
    for k, (ax, (label, metric)) in enumerate(zip(top.subplots(1, 3), metrics.items())):
        flow = sg.GradientFlow(p.cost, metric)
        plot_flow(
            ax,
            flow,
            p.chart,
            {p.w[0]: (-1.5, 2.5), p.w[1]: (-1.5, 2.5)},
            params=relevant_params(flow, params, p.chart),
            trajectories=[[-1.0, 2.0], [2.0, -1.0]],
            t_span=(0, 10),
            n=21,
            color=f"C{k}",
        )
        ax.set_title(label)
    sim = simulate()
    ax1, ax2, ax3 = bottom.subplots(1, 3)
    X, Y = sim["x"], sim["y"]
    shown = slice(0, 100)
    for j in range(X.shape[1]):
        spikes = np.flatnonzero(X[shown, j])
        ax1.vlines(spikes, j + 0.6, j + 1.4, color=f"C{j}")
    ax1.vlines(np.flatnonzero(Y[shown]), X.shape[1] + 0.8, X.shape[1] + 1.6, color="k")
    ax1.set_yticks(list(range(1, X.shape[1] + 1)) + [X.shape[1] + 1.2])
    ax1.set_yticklabels([f"$x_{j + 1}$" for j in range(X.shape[1])] + ["target $y$"])
    ax1.set(xlabel="time bin", title="spike trains (first 100 bins)")
    for ax, name, title in (
        (ax2, "constant", r"constant rates $\eta_j$"),
        (ax3, "multiplicative", r"multiplicative rates $\eta_j w_j$"),
    ):
        for j in range(X.shape[1]):
            ax.plot(sim["t"], sim[name][:, j], color=f"C{j}", label=f"$w_{j + 1}$")
        ax.axhline(0.0, color="0.5", linewidth=0.8, linestyle="--")
        ax.set(xlabel="learning time $t$", ylabel="weight", title=title)
        ax.legend(fontsize=9)
    lo = min(sim["constant"].min(), sim["multiplicative"].min()) - 0.2
    hi = max(sim["constant"].max(), sim["multiplicative"].max()) + 0.2
    ax2.set_ylim(lo, hi)
    ax3.set_ylim(lo, hi)
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main(
        "synaptic_plasticity",
        "Synaptic plasticity: per-synapse rates, cross-talk, weight-dependent rates on spike trains",
        derive,
    )
