r"""The choice of metric (Fig 1): one cost, many flows to its minimum.

A cost alone does not fix a gradient flow: a cost and a metric do,
:math:`\dot x = -G^{-1} dC`.  Panel A draws one flow field, that of the
Euclidean metric.  Panel B starts one point under a family of constant metrics
:math:`G_\theta = R_\theta \,\mathrm{diag}(1, 1/\epsilon)\, R_\theta^T` whose
principal axis :math:`R_\theta e_1` turns by :math:`\theta`: every one of them
descends the same cost to the same minimum, each along its own path.  At a
point, the steepest descent direction is the point of the metric's unit ball
:math:`\{v: v^T G v = r^2\}` where the cost decreases most, :math:`v^* \propto -G^{-1} dC`;
the three metrics of ``derive()`` give three directions for one cost.
"""

import functools

import sympy as sp

import symgrad as sg

#: Panel B: the initial point, the number of angles, the small rate and the time span (our choices).
START = (-1.5, 3.0)
ANGLES = 12
EPSILON = sp.Rational(1, 10)
T_END = 80.0
#: The plotted window.
RANGES = ((-2.0, 2.5), (-0.5, 3.5))


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


def family(chart, epsilon=EPSILON):
    r"""The constant metrics :math:`G_\theta = R_\theta \mathrm{diag}(1, 1/\epsilon) R_\theta^T`, and theta."""
    theta = sp.Symbol("theta", real=True)
    R = sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])
    G = (R * sp.diag(1, 1 / sp.sympify(epsilon)) * R.T).applyfunc(sp.trigsimp)
    return sg.constant(chart, G), theta


def derive():
    """The steepest-descent flows of the three metrics and of the rotating family, and the minimum."""
    chart, cost, metrics = model()
    out = {"cost": cost.components()}
    for label, metric in metrics.items():
        out[f"metric: {label}"] = metric.components()
        out[f"steepest descent: {label}"] = sg.GradientFlow(cost, metric).components()
    dC = sg.differential(cost).components()
    (minimum,) = sp.solve(list(dC), list(chart.coords), dict=True)
    out["minimum"] = sp.Matrix([minimum[c] for c in chart.coords])
    G, _ = family(chart)
    out["metric family G(theta)"] = G.components()
    out["steepest descent: metric family G(theta)"] = (
        sg.GradientFlow(cost, G).components().applyfunc(lambda e: sp.factor(sp.trigsimp(e)))
    )
    return out


@functools.lru_cache(maxsize=1)
def _family_paths():
    """Panel B's trajectories: angles, shape (ANGLES,); times, shape (time,); paths, shape (ANGLES, time, 2)."""
    import numpy as np

    chart, cost, _ = model()
    G, theta = family(chart)
    num = sg.GradientFlow(cost, G).numeric()
    angles = np.linspace(0.0, np.pi, ANGLES, endpoint=False)
    # dense early, where the paths separate; sparse late, where they have all arrived
    times = T_END * np.linspace(0.0, 1.0, 600) ** 2
    sol = num.integrate(np.tile(START, (ANGLES, 1)), (0.0, T_END), t_eval=times, params={theta: angles})
    return angles, times, sol.y


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    import numpy as np

    chart, cost, metrics = model()
    flows = [results[f"steepest descent: {k}"] for k in metrics]
    G, _ = family(chart)
    minimum = np.array(results["minimum"], dtype=float).ravel()
    _, _, paths = _family_paths()
    gaps = [np.max(np.linalg.norm(a - b, axis=-1)) for i, a in enumerate(paths) for b in paths[i + 1 :]]
    return {
        "every steepest direction descends": all(sg.check_descent(sg.GradientFlow(cost, m)) for m in metrics.values()),
        "the three metrics give three different flows": all(
            any(sp.cancel(e) != 0 for e in a - b) for i, a in enumerate(flows) for b in flows[i + 1 :]
        ),
        "the minimum is the one zero of dC": sp.simplify(
            sg.differential(cost).components().subs(dict(zip(chart.coords, results["minimum"])))
        )
        == sp.zeros(2, 1),
        "every metric of the rotating family descends": sg.check_descent(
            sg.GradientFlow(cost, G), params={"theta": 0.7}
        ),
        f"all {ANGLES} trajectories of panel B end at the minimum (within 1e-3)": bool(
            np.all(np.linalg.norm(paths[:, -1] - minimum, axis=-1) < 1e-3)
        ),
        f"the {ANGLES} trajectories of panel B are pairwise different paths (apart by > 0.05 somewhere)": bool(
            min(gaps) > 0.05
        ),
    }


def figure(results):
    """A: one cost and one metric give one flow field.  B: one cost, one path to the minimum per metric."""
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow

    chart, cost, metrics = model()
    x, y = chart.coords
    ranges = {x: RANGES[0], y: RANGES[1]}
    minimum = np.array(results["minimum"], dtype=float).ravel()
    fig = Figure(figsize=(9.6, 4.4), layout="constrained")
    a, b = fig.subplots(1, 2)
    plot_flow(
        a,
        sg.GradientFlow(cost, metrics["Euclidean"]),
        chart,
        ranges,
        n=25,
        levels=12,
        contour_color="0.35",
        color="C0",
        minimum=minimum,
        trajectories=[START],
        t_span=(0.0, 10.0),
    )
    a.set_title("A: one cost and one metric give one flow field", fontsize=10)
    # panel B: contours only, then one trajectory per metric of the family
    plot_flow(
        b,
        sg.GradientFlow(cost, metrics["Euclidean"]),
        chart,
        ranges,
        n=4,
        levels=12,
        contour_color="0.35",
        streamlines=False,
    )
    angles, _, paths = _family_paths()
    colours = colormaps["viridis"](np.linspace(0.0, 0.9, len(angles)))
    for path, colour in zip(paths, colours):
        b.plot(path[:, 0], path[:, 1], color=colour, linewidth=1.5)
    b.plot(*START, "ko", markersize=4, zorder=6)
    b.plot(*minimum, linestyle="none", marker="*", markersize=11, color="gold", markeredgecolor="k", zorder=6)
    b.set_title(f"B: one cost, {len(angles)} metrics, {len(angles)} paths to the minimum", fontsize=10)
    for ax in (a, b):
        ax.set_aspect("equal")
    return fig


def notes(results):
    """The values we chose for the figure (the paper draws Fig 1 schematically)."""
    m = results["minimum"]
    return f"""
### Values chosen here

The paper draws Fig 1 as a sketch and gives no cost or metrics; the values below are ours.

- Cost: $C(x, y) = {sp.latex(results["cost"])}$, minimum at $(x, y) = ({sp.latex(m[0])}, {sp.latex(m[1])})$.
- Panel A: the Euclidean metric, $\\dot x = -dC$.
- Panel B: the constant metrics $G_\\theta = R_\\theta \\, \\mathrm{{diag}}(1, 1/\\epsilon) \\, R_\\theta^T$ with
  $\\epsilon = {sp.latex(EPSILON)}$ and {ANGLES} angles $\\theta = k\\pi/{ANGLES}$, from the start
  $({START[0]}, {START[1]})$, integrated to $t = {T_END:g}$.  The flow moves fast along $R_\\theta e_1$ and
  slowly (rate $\\epsilon$) across it, so each path first runs along its own direction.

### Checks

Every path of panel B ends within $10^{{-3}}$ of the minimum, and any two paths are more than $0.05$
apart somewhere: infinitely many flow lines (one per metric) join the same start to the same minimum.
"""


if __name__ == "__main__":
    from symgrad.paper import main

    main("metric_choice", "The choice of metric (Fig 1)", derive)
