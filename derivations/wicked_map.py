r"""The wicked map (Fig 2): a mountaineer climbs a summit with a map that distorts the terrain.

The terrain has coordinates :math:`(x, y)` in which distances are Euclidean;
climbing the height :math:`h` is descending the cost :math:`C = -h`.  The
terrain's steepest ascent (red) runs straight to the summit.  The "steepest
ascent" read off a map, the vector of partial derivatives in the map's
coordinates :math:`(u, v)` (the Euclidean metric of the map, blue), is another
flow: it reaches the summit too, along a bent route.

Two maps are derived.  The catalog's linear shear :math:`(u, v) = (x + k y, y)`
(:func:`symgrad.catalog.wicked_map`, round summit at the origin) has every flow
and route in closed form, but it draws a square of the terrain as a
parallelogram.  The figure uses the map built here, as in the paper's sketch,
which draws the square :math:`[0, 1]^2` as a triangle: :math:`(u, v) = (x, x y)`
on the half plane :math:`x > 0` (inverse :math:`y = v/u`) sends it to
:math:`0 \le v \le u \le 1`, its edge :math:`x = 0`, where the map degenerates,
to the corner :math:`(0, 0)`.  The height there has its summit at the square's
centre.
"""

import functools
from types import SimpleNamespace

import sympy as sp

import symgrad as sg

#: The linear shear's starting point in the terrain (our choice).
START = (sp.Rational(-3, 2), sp.Rational(-1, 2))
T_END = 40.0
#: The triangle map's summit and starting point in the terrain (our choices).
SUMMIT = (sp.Rational(1, 2), sp.Rational(1, 2))
TRIANGLE_START = (sp.Rational(3, 20), sp.Rational(9, 10))
#: The square of the terrain, its corners in order, and the corners of its image on the triangle map.
SQUARE = ((0, 0), (1, 0), (1, 1), (0, 1))
TRIANGLE = ((0, 0), (1, 0), (1, 1))
#: The plotted window, the same in both charts (x, u > 0).
WINDOW = ((-0.08, 1.12), (-0.08, 1.12))


def _closed_route(A, z0, t):
    r"""The solution :math:`z(t) = e^{-A t} z_0` of :math:`\dot z = -A z` for a symmetric 2 x 2 ``A``.

    Sylvester's formula with the two eigenvalues of ``A`` (distinct unless ``A`` is a multiple of I).
    """
    (l1, l2) = sp.Matrix(A).eigenvals(multiple=True)
    one = sp.eye(2)
    expm = sp.exp(-l1 * t) * (A - l2 * one) / (l1 - l2) + sp.exp(-l2 * t) * (A - l1 * one) / (l2 - l1)
    return expm * z0


@functools.lru_cache(maxsize=1)
def triangle_map():
    r"""The map of the figure: :math:`(u, v) = (x, x y)` on the terrain's half plane :math:`x > 0`.

    It sends the square :math:`[0, 1]^2` to the triangle :math:`0 \le v \le u \le 1`
    (its edge :math:`x = 0`, where the Jacobian determinant :math:`x` vanishes, to
    the corner :math:`(0, 0)`); its inverse is :math:`(x, y) = (u, v/u)`, and it maps
    the half plane :math:`x > 0` onto the half plane :math:`u > 0`.  The height
    :math:`h = -((x - a)^2 + (y - b)^2)/2` has its summit at ``SUMMIT`` = (a, b).

    Returns
    -------
    types.SimpleNamespace
        ``manifold``, symbols ``x, y, u, v``, charts ``terrain, map``, the
        ``transition`` from the terrain to the map, ``cost`` (:math:`C = -h`),
        and the metrics ``true_metric`` (Euclidean in the terrain) and
        ``map_metric`` (Euclidean in the map).
    """
    x, u = sp.symbols("x u", positive=True)
    y, v = sp.symbols("y v", real=True)
    M = sg.Manifold("terrain")
    terrain = M.chart(x, y, name="terrain")
    mapped = M.chart(u, v, name="map")
    transition = M.transition(terrain, mapped, {u: x, v: x * y}, inverse={x: u, y: v / u})
    a, b = SUMMIT
    return SimpleNamespace(
        manifold=M,
        x=x,
        y=y,
        u=u,
        v=v,
        terrain=terrain,
        map=mapped,
        transition=transition,
        cost=sg.Scalar(M, terrain, ((x - a) ** 2 + (y - b) ** 2) / 2),
        true_metric=sg.euclidean(terrain),
        map_metric=sg.euclidean(mapped),
    )


def _derive_triangle():
    """The triangle map's closed forms (keys starting "triangle map")."""
    w = triangle_map()
    true = sg.GradientFlow(w.cost, w.true_metric)
    naive = sg.GradientFlow(w.cost, w.map_metric)
    t = sp.Symbol("t", nonnegative=True)
    (x0, y0), (a, b) = TRIANGLE_START, SUMMIT
    red = sp.Matrix([a, b]) + sp.exp(-t) * sp.Matrix([x0 - a, y0 - b])
    return {
        "triangle map (u, v) in the terrain": sp.Matrix(w.transition.forward),
        "triangle map's inverse (x, y) on the map": sp.Matrix(w.transition.inverse),
        "triangle map's Jacobian determinant": sp.Matrix(w.transition.forward).jacobian([w.x, w.y]).det(),
        "triangle map: height on the terrain": -w.cost.components(w.terrain),
        "triangle map: cost on the map": w.cost.components(w.map),
        "triangle map: terrain metric on the map": w.true_metric.components(w.map),
        "triangle map: steepest descent, terrain": true.components(w.terrain),
        "triangle map: steepest descent, on the map": true.components(w.map),
        "triangle map: naive map gradient flow, on the map": naive.components(w.map),
        "triangle map: naive map gradient flow, terrain": naive.components(w.terrain),
        "triangle map: red route (terrain steepest ascent), terrain": red,
        "triangle map: red route (terrain steepest ascent), on the map": sp.Matrix([red[0], red[0] * red[1]]),
    }


def derive(shear=1):
    """Closed forms of both maps: the catalog's shear (routes from ``START``) and the triangle map of the figure."""
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
        **_derive_triangle(),
    }


def _times():
    import numpy as np

    return T_END * np.linspace(0.0, 1.0, 400) ** 2


@functools.lru_cache(maxsize=1)
def _routes():
    """The shear's routes integrated numerically in both charts: ``{(route, chart name): path, shape (time, 2)}``."""
    w = sg.catalog.wicked_map()
    x0, y0 = map(float, START)
    return _integrated_routes(w, {w.terrain: [x0, y0], w.map: [x0 + float(w.k) * y0, y0]})


def _integrated_routes(w, starts):
    """The red (true metric) and blue (map metric) routes of ``w`` integrated in both charts from ``starts``."""
    times = _times()
    out = {}
    for route, metric in (("red", w.true_metric), ("blue", w.map_metric)):
        flow = sg.GradientFlow(w.cost, metric)
        for chart in (w.terrain, w.map):
            sol = flow.numeric(chart).integrate(starts[chart], (0.0, T_END), t_eval=times)
            out[route, chart.name] = sol.y
    return times, out


def _to_map(points):
    """Terrain points, shape (..., 2), on the triangle map: (u, v) = (x, x y)."""
    import numpy as np

    points = np.asarray(points, dtype=float)
    return np.stack([points[..., 0], points[..., 0] * points[..., 1]], axis=-1)


@functools.lru_cache(maxsize=1)
def _triangle_routes():
    """The triangle map's routes integrated numerically in both charts, as :func:`_routes`."""
    w = triangle_map()
    start = [float(c) for c in TRIANGLE_START]
    return _integrated_routes(w, {w.terrain: start, w.map: _to_map(start).tolist()})


def _square_boundary(n=21):
    """The square's boundary, ``n`` points an edge, corner to corner: shape (4 (n - 1) + 1, 2)."""
    import numpy as np

    corners = np.array(SQUARE + SQUARE[:1], dtype=float)
    s = np.linspace(0.0, 1.0, n)[:-1, None]
    edges = [a + s * (b - a) for a, b in zip(corners[:-1], corners[1:])]
    return np.concatenate(edges + [corners[:1]])


def _checks_shear(results):
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


def _checks_triangle(results):
    import numpy as np

    w = triangle_map()
    x, y, u, v = w.x, w.y, w.u, w.v
    t = sp.Symbol("t", nonnegative=True)
    a, b = SUMMIT
    forward = results["triangle map (u, v) in the terrain"]
    inverse = results["triangle map's inverse (x, y) on the map"]

    def at(point):
        return forward.subs({x: point[0], y: point[1]}, simultaneous=True)

    corners = [at(c) for c in SQUARE]
    corners_right = corners == [sp.Matrix(c) for c in TRIANGLE + TRIANGLE[:1]]
    s = sp.Symbol("s", real=True)  # a point's position along an edge, 0 <= s <= 1
    edges = {
        "y = 0": (at((s, 0)), v),  # to v = 0
        "x = 1": (at((1, s)), u - 1),  # to u = 1
        "y = 1": (at((s, 1)), v - u),  # to v = u
    }
    edges_right = all(side.subs({u: e[0], v: e[1]}, simultaneous=True) == 0 for e, side in edges.values())
    collapses = at((0, s)) == sp.zeros(2, 1) and results["triangle map's Jacobian determinant"] == x
    round_trip = all(
        sp.cancel(e) == 0 for e in inverse.subs({u: forward[0], v: forward[1]}, simultaneous=True) - sp.Matrix([x, y])
    )
    # the blue flow, by hand: minus the partial derivatives of C = ((u - a)^2 + (v/u - b)^2)/2
    by_hand = sp.Matrix([-(u - a) + (v / u - b) * v / u**2, -(v / u - b) / u])
    naive = results["triangle map: naive map gradient flow, on the map"]
    blue_closed = all(sp.cancel(e) == 0 for e in naive - by_hand)
    cost_right = sp.cancel(results["triangle map: cost on the map"] - ((u - a) ** 2 + (v / u - b) ** 2) / 2) == 0
    red = results["triangle map: red route (terrain steepest ascent), terrain"]
    steepest = results["triangle map: steepest descent, terrain"]
    red_solves = all(
        sp.cancel(e) == 0 for e in sp.diff(red, t) - steepest.subs({x: red[0], y: red[1]}, simultaneous=True)
    )
    red_starts = red.subs(t, 0) == sp.Matrix(TRIANGLE_START)
    report = sg.check_invariance(w.cost, w.true_metric)
    times, paths = _triangle_routes()
    summit = np.array([float(a), float(b)])
    summit_map = _to_map(summit)
    ends = [
        np.linalg.norm(path[-1] - (summit if chart == "terrain" else summit_map)) for (_, chart), path in paths.items()
    ]
    red_closed = sp.lambdify(t, red, "numpy")(times)[:, 0, :].T
    same_path = max(np.max(np.abs(_to_map(paths[r, "terrain"]) - paths[r, "map"])) for r in ("red", "blue"))
    inside = all(np.all((p > 0) & (p < 1)) for (_, chart), p in paths.items() if chart == "terrain")
    gap = np.max(np.linalg.norm(paths["red", "terrain"] - paths["blue", "terrain"], axis=-1))
    return {
        "the triangle map (u, v) = (x, x y) sends the square's corners (0, 0), (1, 0), (1, 1), (0, 1) "
        "to the triangle's (0, 0), (1, 0), (1, 1), (0, 0) (exact)": corners_right,
        "the triangle map sends the square's edges y = 0, x = 1, y = 1 "
        "to the triangle's sides v = 0, u = 1, v = u (exact)": edges_right,
        "the triangle map's Jacobian determinant is x: the square's edge x = 0, outside the chart x > 0, "
        "collapses to the corner (0, 0) (exact)": collapses,
        "the triangle map's inverse is (x, y) = (u, v/u) (round trip, cancel)": round_trip,
        "on the triangle map, the cost is ((u - a)^2 + (v/u - b)^2)/2 (cancel)": cost_right,
        "the blue route on the triangle map is the gradient flow of the map's Euclidean metric, "
        "d(u, v)/dt = (-(u - a) + (v/u - b) v/u^2, -(v/u - b)/u) (cancel)": blue_closed,
        "steepest descent of the terrain does not depend on the chart, with the triangle map too": report.passed,
        "the triangle map's naive gradient is not the terrain's": report.naive_differs,
        "on the triangle map, the red route is the terrain's steepest ascent, a straight line (closed form, cancel)": (
            red_solves and red_starts
        ),
        "on the triangle map, the red route integrated numerically is the closed form (within 1e-6)": bool(
            np.max(np.abs(paths["red", "terrain"] - red_closed)) < 1e-6
        ),
        "on the triangle map, each route is the same path integrated on the map or on the terrain (within 1e-6)": bool(
            same_path < 1e-6
        ),
        "on the triangle map, both routes reach the summit, in both charts (within 1e-3)": max(ends) < 1e-3,
        "on the triangle map, both routes stay inside the square, so on the map inside the triangle": bool(inside),
        "on the triangle map, the two routes differ (by more than 0.1 somewhere)": bool(gap > 0.1),
    }


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``: the shear's, then the triangle map's."""
    return {**_checks_shear(results), **_checks_triangle(results)}


def figure(results):
    """The terrain and the triangle map, each with the height's contours, both routes, the square and its image."""
    import numpy as np
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow

    w = triangle_map()
    _, paths = _triangle_routes()
    fig = Figure(figsize=(9.6, 4.8), layout="constrained")
    a, b = fig.subplots(1, 2)
    summit = np.array([float(c) for c in SUMMIT])
    square = _square_boundary()
    shapes = {"terrain": square, "map": _to_map(square)}
    summits = {"terrain": summit, "map": _to_map(summit)}
    radii = np.arange(0.1, 1.01, 0.1)
    grid = np.linspace(0.1, 1.0, 10)
    for ax, chart in ((a, w.terrain), (b, w.map)):
        plot_flow(
            ax,
            sg.GradientFlow(w.cost, w.true_metric),
            chart,
            dict(zip(chart.coords, WINDOW)),
            streamlines=False,
            levels=radii**2 / 2,  # heights -0.005, -0.02, ..., -0.5: circles of radii 0.1, ..., 1 on the terrain
            contour_n=200,
            contour_color="0.45",
            minimum=summits[chart.name],
        )
        (star,) = [line for line in ax.get_lines() if line.get_label() == "minimum"]
        star.set_label("summit (the cost's minimum)")
        # the other chart's coordinate grid, faint
        xs = np.linspace(1e-3, WINDOW[0][1], 200)
        for c in grid:
            ax.axvline(c, color="0.85", linewidth=0.5, zorder=0)  # x = c is u = c
            if chart is w.terrain:  # the map's lines v = c: y = c/x
                ax.plot(xs, c / xs, color="0.85", linewidth=0.5, zorder=0)
            else:  # the terrain's lines y = c: v = c u
                ax.plot(xs, c * xs, color="0.85", linewidth=0.5, zorder=0)
        shape = shapes[chart.name]
        ax.fill(shape[:, 0], shape[:, 1], color="C2", alpha=0.2, linewidth=0)
        ax.plot(shape[:, 0], shape[:, 1], color="C2", linewidth=1.2)
        red, blue = paths["red", chart.name], paths["blue", chart.name]
        ax.plot(red[:, 0], red[:, 1], color="tab:red", linewidth=2, label="steepest ascent of the terrain")
        ax.plot(blue[:, 0], blue[:, 1], color="tab:blue", linewidth=2, label="steepest ascent read off the map")
        ax.plot(*red[0], "ko", markersize=5, zorder=6)
        ax.set_xlim(*WINDOW[0])
        ax.set_ylim(*WINDOW[1])
        ax.set_aspect("equal")
    a.set_title("A: the terrain (true distances)", fontsize=10)
    b.set_title(r"B: the wicked map, $(u, v) = (x, x y)$", fontsize=10)
    for ax, chart in ((a, "terrain"), (b, "map")):
        ax.annotate("summit", summits[chart], summits[chart] + (0.04, -0.08), fontsize=8)
        ax.annotate("start", paths["red", chart][0], paths["red", chart][0] + (0.04, 0.03), fontsize=8)
    a.text(0.12, 0.06, "square", ha="center", va="center", fontsize=8, color="C2")
    b.text(0.78, 0.12, "the same square:\na triangle", ha="center", va="center", fontsize=8, color="C2")
    b.annotate(
        "the square's edge x = 0\n(outside the chart x > 0)",
        (0.0, 0.0),
        (0.02, 0.62),
        fontsize=7,
        color="C2",
        arrowprops={"arrowstyle": "->", "color": "C2", "linewidth": 0.8},
    )
    a.legend(loc="lower right", fontsize=7, framealpha=0.9)
    return fig


def notes(results):
    """What the figure assumes and where it departs from the paper's sketch."""
    x0, y0 = START
    (tx, ty), (a, b) = TRIANGLE_START, SUMMIT
    return f"""
### Values chosen here

The paper draws Fig 2 as a sketch, a square of the terrain drawn as a triangle on the map; the
maps, heights and starting points below are ours.

- The map of the figure: $(u, v) = (x, x y)$ on the half plane $x > 0$, inverse $(x, y) = (u, v/u)$.
  It sends the square $[0, 1]^2$ to the triangle $0 \\le v \\le u \\le 1$, as in the paper's sketch:
  its edges $y = 0$, $x = 1$, $y = 1$ become the sides $v = 0$, $u = 1$, $v = u$, and its edge
  $x = 0$, where the Jacobian determinant $x$ vanishes, becomes the corner $(0, 0)$ (the edge lies
  outside the chart, the map is invertible on $x > 0$).
- Height of the terrain for it: $h(x, y) = {sp.latex(results["triangle map: height on the terrain"])}$,
  summit at $({sp.latex(a)}, {sp.latex(b)})$, the square's centre; the cost is $C = -h$, so ascending
  $h$ is descending $C$.  On the map, $C = {sp.latex(results["triangle map: cost on the map"])}$.
- Start: $(x, y) = ({sp.latex(tx)}, {sp.latex(ty)})$, near the degenerate corner, where the map
  distorts most; routes integrated to $t = {T_END:g}$.
- The catalog's wicked map, $(u, v) = (x + k y, y)$ with $k = 1$ and the round summit
  $h = {sp.latex(results["height on the terrain"])}$ at the origin, start
  $(x, y) = ({sp.latex(x0)}, {sp.latex(y0)})$: a linear shear, which draws a square as a parallelogram,
  not a triangle.  It is derived and checked (its routes have closed forms) but not drawn.

### The two routes

| map | route | metric | closed form |
|---|---|---|---|
| triangle | red | Euclidean in $(x, y)$ | $(x, y)(t) = (a, b) + e^{{-t}} (x_0 - a, y_0 - b)$, straight |
| triangle | blue | Euclidean in $(u, v)$ | $\\dot u = a - u + (v/u - b) v/u^2$, $\\dot v = (b - v/u)/u$ |
| shear | red | Euclidean in $(x, y)$ | $(x, y)(t) = e^{{-t}} (x_0, y_0)$, straight |
| shear | blue | Euclidean in $(u, v)$ | $(u, v)(t) = e^{{-A t}} (u_0, v_0)$, $A = \\partial^2 C / \\partial(u, v)^2$ |

The triangle map's blue route has no closed form here: it is integrated numerically, its flow checked
in closed form.

For the shear, the map's Hessian is
$A = {sp.latex(sp.hessian(results["cost on the map"], sp.symbols("u v", real=True)))}$; its eigenvalues
differ, so the blue route bends.  On the triangle map the terrain's metric is
$G = {sp.latex(results["triangle map: terrain metric on the map"])}$, far from the identity near
$u = 0$, so the blue route there first runs almost along $v$ (on the terrain: almost along $y$).
"""


if __name__ == "__main__":
    from symgrad.paper import main

    main("wicked_map", "The wicked map (Fig 2)", derive)
