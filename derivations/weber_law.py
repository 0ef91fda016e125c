r"""Claim 6: Weber's law as the rates of a log metric.

For a positive parameter :math:`x` the log metric :math:`G(x) = 1/x^2` is the
Euclidean metric of the chart :math:`y = \log x`.  Its gradient flow is

.. math:: \dot x = -\eta\, x^2 \frac{dC}{dx}, \qquad
          \frac{d \log x}{dt} = -\eta\, x \frac{dC}{dx} = -\eta \frac{dC}{d \log x},

a Euclidean flow with the position-dependent rate :math:`\eta x^2`.  A step of
fixed length :math:`\epsilon` in this metric (a "just-noticeable" change) is
:math:`\Delta x = \epsilon x` to first order, and exactly the interval
:math:`[x e^{-\epsilon}, x e^{\epsilon}]`: proportional to :math:`x`, so equal
*relative* changes cost equally (Weber's law), while the Euclidean metric
makes equal *absolute* changes cost equally.

The examples are the paper's one-dimensional cost :math:`C(x) = (x - 1)^2`
with :math:`x > 0`, an arbitrary cost :math:`C(x)`, and the standard
deviation :math:`\sigma` of the paper's Gaussian KL example.  Putting the log
metric on these parameters is our choice of illustration.
"""

import numpy as np
import sympy as sp

import symgrad as sg

#: The metric length of the just-noticeable step drawn in the figure.
EPSILON = 0.25
#: The starting points of the trajectories in the figure (rate eta = 1).
STARTS = (0.1, 0.3, 2.0, 3.0)


def _model():
    """The one-dimensional example with a third chart, y = log x, added to its manifold."""
    o = sg.catalog.one_dimensional()
    y = sp.Symbol("y", real=True)
    log_chart = o.manifold.chart(y, name="log")
    o.manifold.transition(o.X, log_chart, {y: sp.log(o.x)}, inverse={o.x: sp.exp(y)})
    o.y, o.log = y, log_chart
    o.eps = sp.Symbol("epsilon", positive=True)
    o.C = sp.Function("C")
    return o


def derive():
    """The log metric, its flow in both charts, the general rule, the just-noticeable step, and the Gaussian's sigma."""
    o = _model()
    x, eta, eps, C = o.x, o.eta, o.eps, o.C
    weber = sg.log_metric(o.X)
    flow = sg.GradientFlow(o.cost, weber, rate=eta)
    euclid_log = sg.GradientFlow(o.cost, sg.euclidean(o.log), rate=eta)
    general = sg.GradientFlow(sg.Scalar(o.manifold, o.X, C(x)), weber, rate=eta).components(o.X)[0]
    # the metric length of the interval [x, x e^eps], and the step of length eps in each metric
    length = sp.integrate(
        sp.sqrt(weber.components(o.X)[0, 0]).subs(x, sp.Symbol("z", positive=True)),
        (sp.Symbol("z", positive=True), x, x * sp.exp(eps)),
    )
    g = sg.catalog.gaussian_kl()
    g_weber = sg.diagonal(g.std, [1, 1 / g.sigma**2])
    return {
        "cost C(x)": o.cost.components(),
        "log metric G(x)": weber.components(o.X),
        "log metric in the chart y = log x": weber.components(o.log),
        "log-metric flow dx/dt": flow.components(o.X)[0],
        "Euclidean flow in y = log x, dy/dt": euclid_log.components(o.log)[0],
        "Euclidean flow in y = log x, pushed back to x": euclid_log.components(o.X)[0],
        "relative rate d log x/dt under the log metric": sp.cancel(flow.components(o.X)[0] / x),
        "Euclidean flow dx/dt (for contrast)": sg.GradientFlow(o.cost, sg.euclidean(o.X), rate=eta).components()[0],
        "log-metric flow for an arbitrary cost C(x)": general,
        "metric length of [x, x exp(epsilon)]": sp.simplify(length),
        "just-noticeable step, log metric (first order)": eps / sp.sqrt(weber.components(o.X)[0, 0]),
        "just-noticeable step, Euclidean metric": eps,
        "Gaussian: diag(1, 1/sigma^2) in the chart (mu, log sigma)": g_weber.components(g.log_std),
        "Gaussian: its flow d(mu, sigma)/dt": sg.GradientFlow(g.cost, g_weber, rate=eta).components(g.std),
    }


def _zero(e):
    return sp.cancel(sp.expand(e)) == 0


def checks(results):
    """The statements this derivation supports, as ``{statement: passed}``."""
    o = _model()
    x, y, eta, eps, C = o.x, o.y, o.eta, o.eps, o.C
    flow = results["log-metric flow dx/dt"]
    dC = sp.diff(o.cost.components(), x)
    # independently: dy/dt = -eta d/dy C(e^y), pushed back with dx/dt = x dy/dt
    pushed = (sp.exp(y) * -eta * sp.diff(o.cost.components().subs(x, sp.exp(y)), y)).subs(y, sp.log(x))
    general = results["log-metric flow for an arbitrary cost C(x)"]
    # the general rule through the library's log chart: the Euclidean flow of C(e^y), pushed back by hand
    cost_y = sg.Scalar(o.manifold, o.log, C(sp.exp(y)))
    dy = sg.GradientFlow(cost_y, sg.euclidean(o.log), rate=eta).components(o.log)[0]
    general_pushed = (sp.exp(y) * dy).subs(y, sp.log(x)).doit()
    # the normalised steepest-descent step of metric length eps: -eps G^{-1} dC / |G^{-1} dC|_G
    G = results["log metric G(x)"][0, 0]
    v = -dC / G
    step = -eps * v / sp.sqrt(G * v**2)
    g = sg.catalog.gaussian_kl()
    gflow = results["Gaussian: its flow d(mu, sigma)/dt"]
    gcost = g.cost.components()
    gauss_pushed = sg.GradientFlow(g.cost, sg.euclidean(g.log_std), rate=eta).components(g.std)
    return {
        "the log metric is the Euclidean metric of the chart y = log x (G = 1 there)": results[
            "log metric in the chart y = log x"
        ]
        == sp.Matrix([[1]]),
        "log-metric flow: dx/dt = -eta x^2 dC/dx exactly, = -2 eta x^2 (x - 1) for C = (x - 1)^2": _zero(
            flow + eta * x**2 * dC
        )
        and _zero(flow + 2 * eta * x**2 * (x - 1)),
        "for an arbitrary cost C(x): dx/dt = -eta x^2 C'(x), in x and via the log chart": _zero(
            general + eta * x**2 * sp.Derivative(C(x), x)
        )
        and _zero(general_pushed - general),
        "the Euclidean flow in log x, pushed back to x, equals the log-metric flow (library and by hand)": _zero(
            results["Euclidean flow in y = log x, pushed back to x"] - flow
        )
        and _zero(pushed - flow),
        "d log x/dt = -eta x dC/dx = -eta dC/d(log x)": _zero(
            results["relative rate d log x/dt under the log metric"] + eta * x * dC
        )
        and _zero(
            results["relative rate d log x/dt under the log metric"]
            - results["Euclidean flow in y = log x, dy/dt"].subs(y, sp.log(x))
        ),
        "the just-noticeable step of the log metric is proportional to x (epsilon x); Euclidean: constant": _zero(
            results["just-noticeable step, log metric (first order)"] - eps * x
        )
        and results["just-noticeable step, Euclidean metric"].free_symbols == {eps},
        "exactly: [x, x e^epsilon] has metric length epsilon at every x (equal ratios, equal lengths)": _zero(
            results["metric length of [x, x exp(epsilon)]"] - eps
        ),
        "a steepest-descent step of metric length epsilon is |dx| = epsilon x, whatever the cost": _zero(
            step**2 - eps**2 * x**2
        ),
        "Gaussian: diag(1, 1/sigma^2) is Euclidean in (mu, log sigma); dsigma/dt = -eta sigma^2 dC/dsigma": (
            results["Gaussian: diag(1, 1/sigma^2) in the chart (mu, log sigma)"] == sp.eye(2)
            and _zero(gflow[1] + eta * g.sigma**2 * sp.diff(gcost, g.sigma))
            and _zero(gflow[0] + eta * sp.diff(gcost, g.mu))
            and all(_zero(a - b) for a, b in zip(gflow, gauss_pushed))
        ),
    }


def notes(results):
    """What is checked, and the values the figure assumes."""
    return "\n".join(
        [
            "### The rule",
            "",
            "With $G(x) = 1/x^2$ the gradient flow is $\\dot x = -\\eta x^2\\, dC/dx$: a Euclidean rule "
            "whose learning rate $\\eta x^2$ grows with the parameter, or, equivalently, the Euclidean "
            "rule for $\\log x$, $d\\log x/dt = -\\eta\\, dC/d\\log x$. The flow keeps $x$ positive: "
            "its rate vanishes at $x = 0$.",
            "",
            "### Weber's law",
            "",
            "Read the metric as the cost of a change: a step $\\Delta x$ at $x$ has length "
            "$|\\Delta x|/x$. The smallest step of a given length $\\epsilon$ (a just-noticeable "
            "difference) is therefore $\\epsilon x$, proportional to $x$: Weber's law. Exactly, "
            "$x \\to x e^{\\epsilon}$ has length $\\epsilon$ at every $x$. The Euclidean metric gives "
            "the constant step $\\epsilon$ instead.",
            "",
            "| | log metric $1/x^2$ | Euclidean metric |",
            "|---|---|---|",
            "| flow of $C = (x-1)^2$ | $-2\\eta x^2 (x - 1)$ | $-2\\eta (x - 1)$ |",
            "| step of length $\\epsilon$ at $x$ | $\\epsilon x$ | $\\epsilon$ |",
            "| equal cost for equal | ratios $x'/x$ | differences $x' - x$ |",
            "",
            f"The figure uses $\\eta = 1$, $\\epsilon = {EPSILON}$ and starting points "
            f"$x_0 \\in \\{{{', '.join(map(str, STARTS))}\\}}$, our choices.",
        ]
    )


def figure(results):
    """Just-noticeable steps against x, and trajectories under the log and the Euclidean metric."""
    from matplotlib.figure import Figure

    o = _model()
    x = o.x
    fig = Figure(figsize=(11.0, 4.4), layout="constrained")
    ax, bx = fig.subplots(1, 2)
    xs = np.linspace(0.05, 4.0, 200)
    jnd = sp.lambdify(x, results["just-noticeable step, log metric (first order)"].subs(o.eps, EPSILON), "numpy")
    ax.plot(xs, jnd(xs), color="C1", label=r"log metric: $\Delta x = \epsilon x$")
    ax.plot(xs, np.full_like(xs, EPSILON), color="C0", label=r"Euclidean: $\Delta x = \epsilon$")
    # ladders of steps of metric length epsilon from x = 0.1
    ladder_log = 0.1 * np.exp(EPSILON * np.arange(0, 40))
    ladder_log = ladder_log[ladder_log <= 4.0]
    ladder_euc = np.arange(0.1, 4.0, EPSILON)
    ax.plot(ladder_log, np.full_like(ladder_log, -0.12), "|", color="C1", markersize=10)
    ax.plot(ladder_euc, np.full_like(ladder_euc, -0.25), "|", color="C0", markersize=10)
    ax.set(
        xlabel="$x$",
        ylabel=r"step of metric length $\epsilon$",
        ylim=(-0.35, 1.1),
        title=f"just-noticeable steps ($\\epsilon = {EPSILON}$); ticks: successive steps from $x = 0.1$",
    )
    ax.legend(loc="upper left", fontsize=9)
    params = {o.eta: 1}
    t = np.linspace(0, 3, 300)
    for metric, color, label in (
        (sg.log_metric(o.X), "C1", r"log metric: $\dot x = -2x^2(x-1)$"),
        (sg.euclidean(o.X), "C0", r"Euclidean: $\dot x = -2(x-1)$"),
    ):
        num = sg.GradientFlow(o.cost, metric, rate=o.eta).numeric(o.X, params=params)
        sol = num.integrate(np.array(STARTS)[:, None], (0, 3), t_eval=t)
        for k, path in enumerate(sol.y):
            bx.plot(t, path[:, 0], color=color, label=label if k == 0 else None)
    bx.set_yscale("log")
    bx.set(xlabel="$t$", ylabel="$x(t)$", title=r"trajectories of $C = (x - 1)^2$, $\eta = 1$")
    bx.legend(fontsize=9)
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("weber_law", "Claim 6: Weber's law as the rates of a log metric", derive)
