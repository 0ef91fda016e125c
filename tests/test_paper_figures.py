"""The paper's Figs 1, 2 and 3: what the figures draw, and the facts their checks state."""

import numpy as np
import pytest
import sympy as sp

from symgrad.paper import gaussian_kl, metric_choice, wicked_map


def same(a, b):
    a, b = sp.Matrix(a), sp.Matrix(b)
    return a.shape == b.shape and all(sp.simplify(e) == 0 for e in a - b)


@pytest.fixture(scope="module", params=[metric_choice, wicked_map, gaussian_kl], ids=lambda m: m.__name__)
def run(request):
    module = request.param
    results = module.derive()
    return module, results, module.checks(results), module.figure(results)


def test_every_check_of_the_figures_passes(run):
    _, _, checks, fig = run
    assert checks and all(checks.values()), [k for k, v in checks.items() if not v]
    assert len(fig.axes) >= 2


def test_notes_say_which_values_are_ours(run):
    module, results, _, _ = run
    text = module.notes(results)
    assert "### Values chosen here" in text and "ours" in text


# -- Fig 1 ----------------------------------------------------------------------------------------------


def test_fig1_minimum_and_the_rotating_family():
    r = metric_choice.derive()
    x, y = sp.symbols("x y", real=True)
    theta = sp.Symbol("theta", real=True)
    assert r["minimum"] == sp.Matrix([sp.Rational(24, 31), sp.Rational(28, 31)])
    # G(theta) is R diag(1, 10) R^T: its inverse maps dC to the flow
    R = sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])
    assert same(r["metric family G(theta)"], R * sp.diag(1, 10) * R.T)
    dC = sp.Matrix([2 * (x - 1) + y / 2, 4 * (y - 1) + x / 2])
    assert same(r["steepest descent: metric family G(theta)"], -(R * sp.diag(1, sp.Rational(1, 10)) * R.T) * dC)
    # theta = 0 is the diagonal metric diag(1, 10)
    assert same(r["steepest descent: metric family G(theta)"].subs(theta, 0), -sp.diag(1, sp.Rational(1, 10)) * dC)


def test_fig1_panel_b_paths_end_at_the_minimum_and_differ():
    angles, times, paths = metric_choice._family_paths()
    assert paths.shape == (metric_choice.ANGLES, len(times), 2)
    assert np.allclose(paths[:, 0], metric_choice.START)
    assert np.allclose(paths[:, -1], [24 / 31, 28 / 31], atol=1e-4)
    # the paths leave the start in different directions: the first step's directions differ pairwise
    steps = paths[:, 5] - paths[:, 0]
    heading = np.arctan2(steps[:, 1], steps[:, 0])
    assert np.min(np.abs(np.diff(np.sort(heading)))) > 1e-3
    fig = metric_choice.figure(metric_choice.derive())
    b = fig.axes[1]
    drawn = [line for line in b.get_lines() if len(line.get_xdata()) == len(times)]
    assert len(drawn) == metric_choice.ANGLES
    assert np.allclose(drawn[3].get_xydata(), paths[3])


# -- Fig 2 ----------------------------------------------------------------------------------------------


def test_fig2_wicked_map_routes_in_closed_form():
    r = wicked_map.derive()
    t = sp.Symbol("t", nonnegative=True)
    x, y = sp.symbols("x y", real=True)
    assert sp.simplify(r["height on the terrain"] + (x**2 + y**2) / 2) == 0
    red = r["red route (terrain steepest ascent), terrain"]
    assert same(red, sp.exp(-t) * sp.Matrix([sp.Rational(-3, 2), sp.Rational(-1, 2)]))
    blue = r["blue route (naive ascent on the map), on the map"]
    # d(u, v)/dt = -A (u, v) with A = [[1, -1], [-1, 2]] (k = 1), from (u, v) = (-2, -1/2)
    A = sp.Matrix([[1, -1], [-1, 2]])
    assert same(sp.diff(blue, t), -A * blue)
    assert same(blue.subs(t, 0), sp.Matrix([-2, sp.Rational(-1, 2)]))
    f = sp.lambdify(t, blue)
    assert np.allclose(np.ravel(f(60.0)), 0, atol=1e-9)  # it reaches the summit
    # it is not the red route seen on the map, (x + y, y) e^{-t}
    assert not same(blue, sp.Matrix([red[0] + red[1], red[1]]))


def test_fig2_wicked_map_shear_routes_reach_the_summit_one_straight_one_bent():
    _, paths = wicked_map._routes()
    for (route, chart), path in paths.items():
        assert np.linalg.norm(path[-1]) < 1e-3, (route, chart)
    # the red route is straight: every point is a multiple of the start
    red = paths["red", "terrain"]
    assert np.allclose(red[:, 0] * red[0, 1] - red[:, 1] * red[0, 0], 0, atol=1e-9)
    # the blue route is not: it leaves the straight line by more than 0.2
    blue = paths["blue", "terrain"]
    distance = np.abs(blue[:, 0] * red[0, 1] - blue[:, 1] * red[0, 0]) / np.linalg.norm(red[0])
    assert distance.max() > 0.2


def test_fig2_wicked_map_triangle_map_sends_the_square_to_a_triangle():
    r = wicked_map.derive()
    x, u = sp.symbols("x u", positive=True)
    y, v = sp.symbols("y v", real=True)
    half = sp.Rational(1, 2)
    forward = r["triangle map (u, v) in the terrain"]
    assert same(forward, [x, x * y])
    assert same(r["triangle map's inverse (x, y) on the map"], [u, v / u])
    assert sp.simplify(r["triangle map's Jacobian determinant"] - x) == 0
    images = [forward.subs({x: cx, y: cy}) for cx, cy in [(0, 0), (1, 0), (1, 1), (0, 1)]]
    assert images == [sp.Matrix([0, 0]), sp.Matrix([1, 0]), sp.Matrix([1, 1]), sp.Matrix([0, 0])]
    assert wicked_map.SQUARE == ((0, 0), (1, 0), (1, 1), (0, 1)) and wicked_map.TRIANGLE == ((0, 0), (1, 0), (1, 1))
    # the summit is the square's centre; the cost C = -h, seen on the map
    assert sp.simplify(r["triangle map: height on the terrain"] + ((x - half) ** 2 + (y - half) ** 2) / 2) == 0
    cost = ((u - half) ** 2 + (v / u - half) ** 2) / 2
    assert sp.cancel(r["triangle map: cost on the map"] - cost) == 0
    # blue: minus the partial derivatives on the map; red: minus those of the terrain, seen on the map
    naive = r["triangle map: naive map gradient flow, on the map"]
    assert same(naive, [-sp.diff(cost, u), -sp.diff(cost, v)])
    assert same(r["triangle map: steepest descent, terrain"], [half - x, half - y])
    G = sp.Matrix([[1 + v**2 / u**4, -v / u**3], [-v / u**3, 1 / u**2]])  # J^-T J^-1, J = d(u, v)/d(x, y)
    assert same(r["triangle map: terrain metric on the map"], G)
    assert same(r["triangle map: steepest descent, on the map"], -G.inv() * sp.Matrix([cost.diff(u), cost.diff(v)]))
    assert not same(naive, r["triangle map: steepest descent, on the map"])
    # the red route is the straight line from the start to the summit, on the map (x, x y)
    t = sp.Symbol("t", nonnegative=True)
    red = r["triangle map: red route (terrain steepest ascent), terrain"]
    assert same(red, [half - sp.Rational(7, 20) * sp.exp(-t), half + sp.Rational(2, 5) * sp.exp(-t)])
    assert same(r["triangle map: red route (terrain steepest ascent), on the map"], [red[0], red[0] * red[1]])


def test_fig2_wicked_map_the_catalog_shear_draws_the_square_as_a_parallelogram():
    # why the figure draws the triangle map: the shear (x + y, y) keeps the square's four corners apart
    x, y = sp.symbols("x y", real=True)
    shear = sp.Matrix([x + y, y])
    images = [shear.subs({x: cx, y: cy}) for cx, cy in wicked_map.SQUARE]
    assert images[3] == sp.Matrix([1, 1]) and images[2] == sp.Matrix([2, 1])


def test_fig2_wicked_map_draws_the_triangle_map_routes_in_both_charts():
    _, paths = wicked_map._triangle_routes()
    summit = {"terrain": np.array([0.5, 0.5]), "map": np.array([0.5, 0.25])}
    start = {"terrain": np.array([0.15, 0.9]), "map": np.array([0.15, 0.135])}
    for (route, chart), path in paths.items():
        assert np.allclose(path[0], start[chart]), (route, chart)
        assert np.linalg.norm(path[-1] - summit[chart]) < 1e-3, (route, chart)
    # each route is one path: the terrain's, mapped by (x, x y), is the map's
    for route in ("red", "blue"):
        terrain, on_map = paths[route, "terrain"], paths[route, "map"]
        assert np.allclose(np.column_stack([terrain[:, 0], terrain[:, 0] * terrain[:, 1]]), on_map, atol=1e-6)
    # the red route is straight in the terrain, the blue one leaves that line by more than 0.1
    red, blue = paths["red", "terrain"], paths["blue", "terrain"]
    heading = summit["terrain"] - start["terrain"]

    def off_line(p):
        return np.abs((p[:, 0] - 0.15) * heading[1] - (p[:, 1] - 0.9) * heading[0]) / np.linalg.norm(heading)

    assert off_line(red).max() < 1e-6 and off_line(blue).max() > 0.1
    fig = wicked_map.figure(wicked_map.derive())
    terrain, the_map = fig.axes[:2]
    squares = {}
    for ax, chart in ((terrain, "terrain"), (the_map, "map")):
        lines = {line.get_color(): line for line in ax.get_lines() if len(line.get_xdata()) == len(red)}
        assert np.allclose(lines["tab:red"].get_xydata(), paths["red", chart])
        assert np.allclose(lines["tab:blue"].get_xydata(), paths["blue", chart])
        (star,) = [line for line in ax.get_lines() if line.get_marker() == "*"]
        assert np.allclose(star.get_xydata(), [summit[chart]])
        (square,) = [line for line in ax.get_lines() if line.get_color() == "C2"]
        squares[chart] = square.get_xydata()
    # the terrain panel draws the unit square's boundary, through its corners, closed
    sq = squares["terrain"]
    assert np.allclose(sq[0], sq[-1]) and np.all((sq >= 0) & (sq <= 1))
    assert all(np.min(np.linalg.norm(sq - c, axis=1)) < 1e-12 for c in wicked_map.SQUARE)
    assert len(sq) > 2 * len(wicked_map.SQUARE)  # points along the edges too: their images are drawn
    assert np.all(np.isclose(sq[:, 0], 0) | np.isclose(sq[:, 0], 1) | np.isclose(sq[:, 1], 0) | np.isclose(sq[:, 1], 1))
    # the map panel draws its image: the triangle 0 <= v <= u <= 1 and its three corners
    tri = squares["map"]
    assert np.allclose(tri, np.column_stack([sq[:, 0], sq[:, 0] * sq[:, 1]]))
    assert np.all((tri[:, 1] >= 0) & (tri[:, 1] <= tri[:, 0] + 1e-12) & (tri[:, 0] <= 1))
    assert all(np.min(np.linalg.norm(tri - c, axis=1)) < 1e-12 for c in wicked_map.TRIANGLE)
    assert the_map.get_xlabel() == "$u$" and terrain.get_xlabel() == "$x$"
    assert "(x, x y)" in the_map.get_title()


def test_fig2_wicked_map_notes_say_which_map_is_drawn():
    text = wicked_map.notes(wicked_map.derive())
    assert "$(u, v) = (x, x y)$" in text and "triangle" in text
    assert "parallelogram" in text and "not drawn" in text


# -- Fig 3 ----------------------------------------------------------------------------------------------


def test_fig3_wasserstein_flow_is_the_naive_flow_of_mean_and_std():
    r = gaussian_kl.derive()
    assert r["Wasserstein metric in (mu, sigma)"] == sp.eye(2)
    assert r["Wasserstein flow minus naive flow in (mu, sigma)"] == sp.zeros(2, 1)
    assert same(r["Wasserstein flow in (mu, sigma)"], r["naive flow in (mu, sigma)"])


def test_fig3_trajectories_reach_the_minimum_in_every_plane():
    paths = gaussian_kl._trajectories()
    minimum = {"(mu, sigma)": (4, 2), "(mu, s)": (4, 4), "(mu, tau)": (4, 0.25)}
    assert len(paths) == 6
    for (row, plane), p in paths.items():
        assert p.shape[0] == len(gaussian_kl.STARTS)
        assert np.all(np.abs(p[:, -1] - minimum[plane]) < 1e-2), (row, plane, p[:, -1])
        # in (mu, sigma) too: mu = 4, sigma = 2
        assert np.all(np.abs(gaussian_kl._to_std(plane, p[:, -1]) - (4, 2)) < 1e-2)


def test_fig3_panels_titles_colours_and_smooth_contours():
    from matplotlib.contour import ContourSet

    fig = gaussian_kl.figure(gaussian_kl.derive())
    titles = [ax.get_title() for ax in fig.axes]
    planes = [r"$\mu$-$\sigma$ plane", r"$\mu$-$\sigma^2$ plane", r"$\mu$-$1/\sigma^2$ plane"]
    assert titles == [f"naive gradient, {p}" for p in planes] + [f"natural (Fisher) gradient, {p}" for p in planes]
    assert not any(name in " ".join(titles) for name in ("std", "variance", "precision"))
    for ax in fig.axes:
        (cs,) = [c for c in ax.collections if isinstance(c, ContourSet)]
        assert np.allclose(cs.get_edgecolor()[:, :3], 0)  # black contours
        assert list(cs.levels) == list(gaussian_kl.LEVELS)
        # smooth: drawn from the fine contour grid (hundreds of vertices), not the 25 x 25 streamline grid
        assert sum(len(p.vertices) for p in cs.get_paths()) > 1000
        stream = [c for c in ax.collections if not isinstance(c, ContourSet)]
        r, g_, b, _ = stream[0].get_color()[0]
        assert b > r and b > g_  # blue flows
        stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
        assert len(stars) == 1
    assert [ax.get_ylabel() for ax in fig.axes[:3]] == [r"$\sigma$", r"$s = \sigma^2$", r"$\tau = 1/\sigma^2$"]
