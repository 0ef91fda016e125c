r"""The choice of metric (Fig 1): one cost, three steepest directions.

At a point, the steepest descent direction is the point of the metric's unit
ball :math:`\{v: v^T G v = r^2\}` where the cost decreases most:
:math:`v^* \propto -G^{-1} dC`.  Three metrics give three directions for one
cost.
"""

import sympy as sp

import symgrad as sg


def model():
    """The manifold's chart, the cost and the three metrics of the figure."""
    x, y = sp.symbols("x y", real=True)
    chart = sg.Manifold("plane").chart(x, y)
    cost = sg.Scalar(chart.manifold, chart, (x - 1) ** 2 + 2 * (y - 1) ** 2 + x * y / 2)
    metrics = {
        "Euclidean": sg.euclidean(chart),
        "per-coordinate rates": sg.diagonal(chart, [1, 6]),
        "correlated": sg.constant(chart, sp.Matrix([[2, -1.5], [-1.5, 2]]).applyfunc(sp.nsimplify)),
    }
    return chart, cost, metrics


def derive():
    """The steepest-descent flows of the three metrics."""
    chart, cost, metrics = model()
    out = {"cost": cost.components()}
    for label, metric in metrics.items():
        out[f"metric: {label}"] = metric.components()
        out[f"steepest descent: {label}"] = sg.GradientFlow(cost, metric).components()
    return out


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    chart, cost, metrics = model()
    flows = [results[f"steepest descent: {k}"] for k in metrics]
    return {
        "every steepest direction descends": all(sg.check_descent(sg.GradientFlow(cost, m)) for m in metrics.values()),
        "the three metrics give three different flows": all(
            any(sp.cancel(e) != 0 for e in a - b) for i, a in enumerate(flows) for b in flows[i + 1 :]
        ),
    }


def figure(results, point=(-0.6, 2.0), radius=0.5):
    """Cost contours, each metric's unit ball at ``point`` and its steepest descent direction."""
    import numpy as np
    from matplotlib.figure import Figure

    chart, cost, metrics = model()
    x, y = chart.coords
    f = sp.lambdify([x, y], cost.components())
    X, Y = np.meshgrid(np.linspace(-2, 2.5, 200), np.linspace(-0.5, 3.5, 200))
    fig = Figure(figsize=(5, 4.4), layout="constrained")
    ax = fig.subplots()
    ax.contour(X, Y, f(X, Y), levels=15, colors="0.65", linewidths=0.7)
    p = np.array(point, dtype=float)
    dC = np.array(sg.differential(cost).components().subs({x: p[0], y: p[1]}), dtype=float).ravel()
    theta = np.linspace(0, 2 * np.pi, 200)
    for k, (label, metric) in enumerate(metrics.items()):
        G = np.array(metric.components().subs({x: p[0], y: p[1]}), dtype=float)
        L = np.linalg.cholesky(np.linalg.inv(G))  # unit ball of G: v = r L u, |u| = 1
        ring = p[:, None] + radius * L @ np.vstack([np.cos(theta), np.sin(theta)])
        v = -np.linalg.solve(G, dC)
        v *= radius / np.sqrt(v @ G @ v)
        ax.plot(ring[0], ring[1], color=f"C{k}", linewidth=1)
        ax.annotate("", p + v, p, arrowprops=dict(arrowstyle="->", color=f"C{k}", linewidth=1.8))
        ax.plot([], [], color=f"C{k}", label=label)
    ax.plot(*p, "ko", markersize=3)
    ax.set(xlabel="$x$", ylabel="$y$", title="steepest descent depends on the metric", aspect="equal")
    ax.legend(loc="lower right", fontsize=8)
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("metric_choice", "The choice of metric (Fig 1)", derive)
