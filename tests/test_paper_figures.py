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


def test_fig2_routes_in_closed_form():
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


def test_fig2_routes_drawn_in_both_charts():
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
    fig = wicked_map.figure(wicked_map.derive())
    terrain, the_map = fig.axes[:2]
    for ax, chart in ((terrain, "terrain"), (the_map, "map")):
        lines = {line.get_color(): line for line in ax.get_lines() if len(line.get_xdata()) == len(red)}
        assert np.allclose(lines["tab:red"].get_xydata(), paths["red", chart])
        assert np.allclose(lines["tab:blue"].get_xydata(), paths["blue", chart])
        (square,) = [line for line in ax.get_lines() if line.get_color() == "C2"]
        corners = square.get_xydata()[:4]
        if chart == "terrain":
            assert np.allclose(corners, wicked_map.SQUARE)
        else:  # the square is sheared: (u, v) = (x + y, y)
            sq = np.array(wicked_map.SQUARE)
            assert np.allclose(corners, np.column_stack([sq[:, 0] + sq[:, 1], sq[:, 1]]))
    assert the_map.get_xlabel() == "$u$" and terrain.get_xlabel() == "$x$"


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
