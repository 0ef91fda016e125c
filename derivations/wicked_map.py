r"""The wicked map (Fig 2): a mountaineer climbs a round summit with a sheared map.

The terrain has coordinates :math:`(x, y)` in which distances are Euclidean and
a round summit of height :math:`h = -(x^2 + y^2)/2`; climbing the height is
descending the cost :math:`C = -h`.  The mountaineer's map has sheared
coordinates :math:`(u, v) = (x + k y, y)`: a square of the terrain is drawn as
a slanted parallelogram on the map.  The terrain's steepest ascent (red) runs
straight to the summit.  The "steepest ascent" read off the map, the vector of
partial derivatives in :math:`(u, v)` (the Euclidean metric of the map, blue),
is another flow: it reaches the summit too, along a bent route.
"""

import functools

import sympy as sp

import symgrad as sg

#: The mountaineer's starting point in the terrain, and the plotted windows (our choices).
START = (sp.Rational(-3, 2), sp.Rational(-1, 2))
TERRAIN_RANGE = (-2.0, 2.0)
MAP_RANGES = ((-2.5, 2.5), (-2.0, 2.0))
#: The square of the terrain drawn in both panels (corners in the terrain).
SQUARE = ((0.5, -1.5), (1.5, -1.5), (1.5, -0.5), (0.5, -0.5))
T_END = 40.0


def _closed_route(A, z0, t):
    r"""The solution :math:`z(t) = e^{-A t} z_0` of :math:`\dot z = -A z` for a symmetric 2 x 2 ``A``.

    Sylvester's formula with the two eigenvalues of ``A`` (distinct unless ``A`` is a multiple of I).
    """
    (l1, l2) = sp.Matrix(A).eigenvals(multiple=True)
    one = sp.eye(2)
    expm = sp.exp(-l1 * t) * (A - l2 * one) / (l1 - l2) + sp.exp(-l2 * t) * (A - l1 * one) / (l2 - l1)
    return expm * z0


def derive(shear=1):
    """Closed forms of the wicked-map example; the routes start at ``START`` (terrain)."""
    w = sg.catalog.wicked_map(shear)
    true = sg.GradientFlow(w.cost, w.true_metric)
    naive = sg.GradientFlow(w.cost, w.map_metric)
    t = sp.Symbol("t", nonnegative=True)
    x0, y0 = START
    start_map = sp.Matrix([x0 + w.k * y0, y0])
    # the naive flow on the map is linear, d(u, v)/dt = -A (u, v), A the Hessian of C in (u, v)
    A = sp.hessian(w.cost.components(w.map), w.map.coords)
    return {
        "cost on the map": w.cost.components(w.map),
        "terrain metric on the map": w.true_metric.components(w.map),
        "steepest descent, terrain": true.components(w.terrain),
        "steepest descent, on the map": true.components(w.map),
        "naive map gradient flow, on the map": naive.components(w.map),
        "naive map gradient flow, terrain": naive.components(w.terrain),
        "height on the terrain": -w.cost.components(w.terrain),
        "red route (terrain steepest ascent), terrain": sp.exp(-t) * sp.Matrix([x0, y0]),
        "blue route (naive ascent on the map), on the map": _closed_route(A, start_map, t),
    }


@functools.lru_cache(maxsize=1)
def _routes():
    """Both routes integrated numerically in both charts: ``{(route, chart name): path, shape (time, 2)}``."""
    import numpy as np

    w = sg.catalog.wicked_map()
    x0, y0 = map(float, START)
    starts = {w.terrain: [x0, y0], w.map: [x0 + float(w.k) * y0, y0]}
    times = T_END * np.linspace(0.0, 1.0, 400) ** 2
    out = {}
    for route, metric in (("red", w.true_metric), ("blue", w.map_metric)):
        flow = sg.GradientFlow(w.cost, metric)
        for chart in (w.terrain, w.map):
            sol = flow.numeric(chart).integrate(starts[chart], (0.0, T_END), t_eval=times)
            out[route, chart.name] = sol.y
    return times, out


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    import numpy as np

    w = sg.catalog.wicked_map()
    report = sg.check_invariance(w.cost, w.true_metric)
    t = sp.Symbol("t", nonnegative=True)
    blue = results["blue route (naive ascent on the map), on the map"]
    red = results["red route (terrain steepest ascent), terrain"]
    u, v = w.map.coords
    naive = results["naive map gradient flow, on the map"]
    steepest = results["steepest descent, terrain"]
    # a route solves its flow: d/dt route - flow(route) vanishes identically, and it starts at START
    blue_solves = all(
        sp.simplify(e) == 0 for e in sp.diff(blue, t) - naive.subs({u: blue[0], v: blue[1]}, simultaneous=True)
    )
    red_solves = all(
        sp.simplify(e) == 0
        for e in sp.diff(red, t) - steepest.subs(dict(zip(w.terrain.coords, red)), simultaneous=True)
    )
    x0, y0 = START
    starts_right = sp.simplify(blue.subs(t, 0) - sp.Matrix([x0 + w.k * y0, y0])) == sp.zeros(2, 1)
    times, paths = _routes()
    closed = sp.lambdify(t, blue, "numpy")(times)[:, 0, :].T
    ends = [np.linalg.norm(p[-1]) for p in paths.values()]
    # the map's route, seen in the terrain: (x, y) = (u - k v, v)
    k = float(w.k)
    blue_on_terrain = paths["blue", "terrain"]
    blue_from_map = np.column_stack(
        [paths["blue", "map"][:, 0] - k * paths["blue", "map"][:, 1], paths["blue", "map"][:, 1]]
    )
    return {
        "steepest descent of the terrain does not depend on the chart": report.passed,
        "the map's naive gradient is not the terrain's": report.naive_differs,
        "both flows descend": all(sg.check_descent(sg.GradientFlow(w.cost, m)) for m in (w.true_metric, w.map_metric)),
        "the red route is the terrain's steepest ascent, a straight line to the summit (closed form)": red_solves,
        "the blue route solves the map's naive flow d(u, v)/dt = -(dC/du, dC/dv) from the start (closed form)": (
            blue_solves and starts_right
        ),
        "the blue route integrated numerically is the closed form (within 1e-6)": bool(
            np.max(np.abs(paths["blue", "map"] - closed)) < 1e-6
        ),
        "the blue route is the same path integrated on the map or on the terrain (within 1e-6)": bool(
            np.max(np.abs(blue_on_terrain - blue_from_map)) < 1e-6
        ),
        "both routes reach the summit, in both charts (within 1e-3)": max(ends) < 1e-3,
        "the two routes differ (by more than 0.2 somewhere)": bool(
            np.max(np.linalg.norm(paths["red", "terrain"] - blue_on_terrain, axis=-1)) > 0.2
        ),
    }


def figure(results):
    """The terrain and the map, each with the height's contours, both routes and a square of the terrain."""
    import numpy as np
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow

    w = sg.catalog.wicked_map()
    k = float(w.k)
    _, paths = _routes()
    fig = Figure(figsize=(9.6, 4.6), layout="constrained")
    a, b = fig.subplots(1, 2)
    terrain_ranges = {w.x: TERRAIN_RANGE, w.y: TERRAIN_RANGE}
    map_ranges = {w.u: MAP_RANGES[0], w.v: MAP_RANGES[1]}
    square = np.array(SQUARE + SQUARE[:1])
    to_map = np.column_stack([square[:, 0] + k * square[:, 1], square[:, 1]])
    lines = np.linspace(-4, 4, 17)
    for ax, chart, ranges, shape in ((a, w.terrain, terrain_ranges, square), (b, w.map, map_ranges, to_map)):
        plot_flow(
            ax,
            sg.GradientFlow(w.cost, w.true_metric),
            chart,
            ranges,
            streamlines=False,
            levels=np.linspace(0.4, 4.0, 10),  # heights -0.4, -0.8, ..., -4
            contour_color="0.45",
            minimum=[0.0, 0.0],
        )
        (star,) = [line for line in ax.get_lines() if line.get_label() == "minimum"]
        star.set_label("summit (the cost's minimum)")
        # the other chart's coordinate grid, faint: the map's grid is slanted on the terrain
        for c in lines:
            if chart is w.terrain:  # lines u = c and v = c of the map
                ax.plot(c - k * lines, lines, color="0.85", linewidth=0.5, zorder=0)
                ax.axhline(c, color="0.85", linewidth=0.5, zorder=0)
            else:  # lines x = c and y = c of the terrain
                ax.plot(c + k * lines, lines, color="0.85", linewidth=0.5, zorder=0)
                ax.axhline(c, color="0.85", linewidth=0.5, zorder=0)
        ax.fill(shape[:, 0], shape[:, 1], color="C2", alpha=0.25, linewidth=0)
        ax.plot(shape[:, 0], shape[:, 1], color="C2", linewidth=1.2)
        red, blue = paths["red", chart.name], paths["blue", chart.name]
        ax.plot(red[:, 0], red[:, 1], color="tab:red", linewidth=2, label="steepest ascent of the terrain")
        ax.plot(blue[:, 0], blue[:, 1], color="tab:blue", linewidth=2, label="steepest ascent read off the map")
        ax.plot(*red[0], "ko", markersize=5, zorder=6)
        ax.set_aspect("equal")
    a.set_title("A: the terrain (true distances)", fontsize=10)
    b.set_title(f"B: the wicked map, $(u, v) = ({sp.latex(w.x + w.k * w.y)}, y)$", fontsize=10)
    a.annotate("summit", (0, 0), (0.25, 0.35), fontsize=8)
    a.annotate("start", paths["red", "terrain"][0], (-1.95, -0.3), fontsize=8)
    a.text(*np.mean(square[:-1], axis=0), "square", ha="center", va="center", fontsize=7, color="C2")
    b.text(*np.mean(to_map[:-1], axis=0), "the same\nsquare", ha="center", va="center", fontsize=7, color="C2")
    a.legend(loc="upper left", fontsize=7, framealpha=0.9)
    return fig


def notes(results):
    """What the figure assumes and where it departs from the paper's sketch."""
    x0, y0 = START
    return f"""
### Values chosen here

The paper draws Fig 2 as a sketch; the terrain, shear and starting point below are ours.

- Height of the terrain: $h(x, y) = {sp.latex(results["height on the terrain"])}$, summit at the origin;
  the cost is $C = -h$, so ascending $h$ is descending $C$.
- Map: $(u, v) = (x + k y, y)$ with $k = 1$; a square of the terrain becomes a parallelogram on the map
  (a linear shear keeps straight lines and parallels).
- Start: $(x, y) = ({sp.latex(x0)}, {sp.latex(y0)})$; routes integrated to $t = {T_END:g}$.

### The two routes

| route | metric | closed form |
|---|---|---|
| red | Euclidean in the terrain $(x, y)$ | $(x, y)(t) = e^{{-t}} (x_0, y_0)$, a straight line |
| blue | Euclidean in the map $(u, v)$ | $(u, v)(t) = e^{{-A t}} (u_0, v_0)$, $A = \\partial^2 C / \\partial(u, v)^2$ |

The map's Hessian is $A = {sp.latex(sp.hessian(results["cost on the map"], sp.symbols("u v", real=True)))}$;
its eigenvalues differ, so the blue route bends.
"""


if __name__ == "__main__":
    from symgrad.paper import main

    main("wicked_map", "The wicked map (Fig 2)", derive)
