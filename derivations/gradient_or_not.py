r"""Beyond steepest descent: whether a given vector field is a gradient flow.

A field :math:`v` is the gradient flow :math:`v = -G^{-1} dC` of some cost for
a metric :math:`G` exactly when the 1-form :math:`G v` is closed.  On the
paper's Gaussian KL example the Fisher flow passes this test for the Fisher
metric (and the cost it recovers is :math:`\eta\, KL` up to a constant); the
naive flow of the chart :math:`(\mu, s = \sigma^2)` fails it for the Fisher
metric but passes it for the Euclidean metric of :math:`(\mu, s)`.  A rotation
of the plane is a gradient flow for no metric (its circles are periodic
orbits); a spiral sink is not a gradient flow of the Euclidean metric but is
the gradient flow of :math:`|x|^2` for a metric built by
:func:`symgrad.gradient_metric`.
"""

import numpy as np
import sympy as sp

import symgrad as sg

_eta = sp.Symbol("eta", positive=True)


def _plane():
    x, y = sp.symbols("x y", real=True)
    P = sg.Manifold("plane").chart(x, y)
    return x, y, P


def _fields():
    """The Gaussian KL flows, the rotation and the spiral sink, with the metrics they are tested against."""
    g = sg.catalog.gaussian_kl()
    fisher_flow = sg.GradientFlow(g.cost, g.fisher, rate=_eta)
    naive_s = sg.GradientFlow(g.cost, sg.euclidean(g.variance), rate=_eta)
    x, y, P = _plane()
    rotation = sg.Vector(P.manifold, P, [-y, x])
    spiral = sg.Vector(P.manifold, P, [-x - y, x - y])
    bowl = sg.Scalar(P.manifold, P, x**2 + y**2)
    return g, fisher_flow, naive_s, (x, y, P), rotation, spiral, bowl


def derive():
    """Verdicts and closed forms: recovered costs, obstructions, the constructed metric."""
    g, fisher_flow, naive_s, (x, y, P), rotation, spiral, bowl = _fields()
    E = sg.euclidean(P)
    fisher_fisher = sg.is_gradient_flow(fisher_flow, g.fisher)
    naive_fisher = sg.is_gradient_flow(naive_s, g.fisher, chart=g.variance)
    naive_euclid = sg.is_gradient_flow(naive_s, sg.euclidean(g.variance))
    rot = sg.is_gradient_flow(rotation, E)
    spi = sg.is_gradient_flow(spiral, E)
    G = sg.gradient_metric(spiral, bowl)
    spi_G = sg.is_gradient_flow(spiral, G)
    return {
        "KL cost in (mu, sigma)": g.cost.components(),
        "Fisher flow in (mu, sigma)": fisher_flow.components(g.std),
        "cost recovered from the Fisher flow, Fisher metric": fisher_fisher.cost.components(),
        "naive flow in (mu, s)": naive_s.components(g.variance),
        "obstruction d(G v) of the naive (mu, s) flow, Fisher metric": naive_fisher.obstruction[(0, 1)],
        "cost recovered from the naive (mu, s) flow, Euclidean metric of (mu, s)": naive_euclid.cost.components(),
        "rotation field": rotation.components(),
        "obstruction of the rotation, Euclidean metric": rot.obstruction[(0, 1)],
        "spiral sink": spiral.components(),
        "obstruction of the spiral sink, Euclidean metric": spi.obstruction[(0, 1)],
        "metric making the spiral sink the gradient flow of |x|^2": G.components(),
        "cost recovered from the spiral sink, constructed metric": spi_G.cost.components(),
    }


def _is_constant(expr, symbols):
    return all(sp.simplify(sp.diff(expr, s)) == 0 for s in symbols)


def checks(results):
    """The statements this derivation supports, as ``{statement: passed}``."""
    g, fisher_flow, naive_s, (x, y, P), rotation, spiral, bowl = _fields()
    E = sg.euclidean(P)
    ff = sg.is_gradient_flow(fisher_flow, g.fisher)
    nf = sg.is_gradient_flow(naive_s, g.fisher, chart=g.variance)
    ne = sg.is_gradient_flow(naive_s, sg.euclidean(g.variance))
    rot = sg.is_gradient_flow(rotation, E)
    spi = sg.is_gradient_flow(spiral, E)
    G = sg.Metric(P.manifold, P, results["metric making the spiral sink the gradient flow of |x|^2"])
    spi_G = sg.is_gradient_flow(spiral, G)
    kl_std = g.cost.components(g.std)
    kl_var = g.cost.components(g.variance)
    back = sg.GradientFlow(bowl, G).components(P) - spiral.components(P)
    return {
        "the Fisher flow is a gradient flow for the Fisher metric": ff.is_gradient,
        "the cost it recovers is eta * KL up to a constant": _is_constant(
            results["cost recovered from the Fisher flow, Fisher metric"] - _eta * kl_std, (g.mu, g.sigma)
        ),
        "the naive (mu, s) flow is not a gradient flow for the Fisher metric": (not nf.is_gradient)
        and bool(nf.obstruction),
        "the naive (mu, s) flow is a gradient flow for the Euclidean metric of (mu, s)": ne.is_gradient
        and _is_constant(ne.cost.components() - _eta * kl_var, (g.mu, g.s)),
        "a rotation is a gradient flow for no metric": (not rot.is_gradient) and rot.never_gradient,
        "the spiral sink is not a Euclidean gradient flow": not spi.is_gradient,
        "the constructed metric makes the spiral sink the gradient flow of |x|^2": all(
            sp.simplify(e) == 0 for e in back
        )
        and spi_G.is_gradient
        and _is_constant(spi_G.cost.components() - (x**2 + y**2), (x, y)),
    }


def _ellipse(ax, center, Gm, scale, **kw):
    """Draw the unit ball {u : u^T G u = scale^2} of a 2x2 SPD matrix about ``center``."""
    lam, Q = np.linalg.eigh(Gm)
    th = np.linspace(0, 2 * np.pi, 80)
    pts = Q @ (np.vstack([np.cos(th), np.sin(th)]) * (scale / np.sqrt(lam))[:, None])
    ax.plot(center[0] + pts[0], center[1] + pts[1], **kw)


def figure(results):
    """The spiral sink with the constructed metric's unit balls; the obstruction of the naive (mu, s) flow."""
    from matplotlib.figure import Figure

    x, y = sp.symbols("x y", real=True)
    fig = Figure(figsize=(10.5, 4.4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    v = sp.lambdify([x, y], list(results["spiral sink"]), "numpy")
    Gf = sp.lambdify([x, y], results["metric making the spiral sink the gradient flow of |x|^2"], "numpy")
    X, Y = np.meshgrid(np.linspace(-2, 2, 25), np.linspace(-2, 2, 25))
    U, V = v(X, Y)
    ax1.streamplot(X, Y, U, V, color="0.6", density=1.0, linewidth=0.7)
    th = np.linspace(0, 2 * np.pi, 200)
    for r in (0.5, 1.0, 1.5):
        ax1.plot(r * np.cos(th), r * np.sin(th), color="C1", lw=0.6, ls="--")
    for px in (-1.2, 0.0, 1.2):
        for py in (-1.2, 0.0, 1.2):
            if px == 0 and py == 0:
                continue
            _ellipse(ax1, (px, py), np.array(Gf(px, py), dtype=float), 0.3, color="C0", lw=1.2)
    ax1.set(
        xlim=(-2, 2),
        ylim=(-2, 2),
        aspect="equal",
        xlabel="$x$",
        ylabel="$y$",
        title="spiral sink: gradient flow of $|x|^2$\nfor the constructed metric (unit balls)",
    )

    mu, s = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True)
    d = sp.lambdify([mu, s], results["obstruction d(G v) of the naive (mu, s) flow, Fisher metric"].subs(_eta, 1))
    M, S = np.meshgrid(np.linspace(0.5, 7.5, 120), np.linspace(1.0, 20.0, 120))
    D = d(M, S)
    lim = np.percentile(np.abs(D), 95)
    im = ax2.pcolormesh(M, S, D, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto")
    ax2.contour(M, S, D, levels=[0.0], colors="k", linewidths=0.8)
    fig.colorbar(im, ax=ax2, label=r"$d(G\,v)_{\mu s}$")
    ax2.set(
        xlabel=r"$\mu$",
        ylabel=r"$s = \sigma^2$",
        title="naive $(\\mu, s)$ flow, Fisher metric:\nobstruction $d(Gv) \\neq 0$ (not a gradient flow)",
    )
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("gradient_or_not", "Beyond steepest descent: is it a gradient flow?", derive)
