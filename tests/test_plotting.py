"""Figures: the expected panels, axes and data (not pixels)."""

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.plotting import compare_metrics, flow_grid, plot_flow, save_figure


@pytest.fixture(scope="module")
def g():
    return sg.catalog.gaussian_kl()


def _axes():
    from matplotlib.figure import Figure

    return Figure().subplots()


def test_plot_flow_draws_the_flow_of_the_display_chart(g):
    ax = _axes()
    flow = sg.GradientFlow(g.cost, g.fisher)  # computed in (mu, sigma), drawn in (mu, s)
    out = plot_flow(ax, flow, g.variance, {g.mu: (1, 7), g.s: (0.5, 9)}, trajectories=[[1.0, 1.0]], n=9)
    U, V = out["field"]
    X, Y = out["grid"]
    # the field on the grid is the flow's components in chart (mu, s): eta (4 - mu), (mu^2 - 8 mu - s + 20)
    assert np.allclose(U, 4 - X) and np.allclose(V, X**2 - 8 * X - Y + 20)
    assert ax.get_xlabel() == r"$\mu$" and ax.get_ylabel() == "$s$"
    assert ax.get_xlim() == (1.0, 7.0) and ax.get_ylim() == (0.5, 9.0)
    (path,) = out["trajectories"]
    assert np.allclose(path[0], [1.0, 1.0]) and np.linalg.norm(path[-1] - [4.0, 4.0]) < np.linalg.norm(
        path[0] - [4.0, 4.0]
    )
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
    assert np.allclose(lines[0].get_xdata(), path[:, 0])


def test_flow_grid_has_one_panel_per_flow_and_chart(g):
    flows = {"naive": sg.GradientFlow(g.cost, sg.euclidean(g.std)), "Fisher": sg.GradientFlow(g.cost, g.fisher)}
    ranges = {g.std: {g.mu: (0, 6), g.sigma: (0.5, 4)}, g.precision: {g.mu: (0, 6), g.tau: (0.1, 2)}}
    fig = flow_grid(flows, [g.std, g.precision], ranges, n=8)
    assert [ax.get_title() for ax in fig.axes] == [
        "naive in std",
        "naive in precision",
        "Fisher in std",
        "Fisher in precision",
    ]
    assert [ax.get_ylabel() for ax in fig.axes] == [r"$\sigma$", r"$\tau$"] * 2
    assert all(ax.collections for ax in fig.axes)  # streamlines and contours were drawn


def test_compare_metrics_and_saving(tmp_path):
    w = sg.catalog.wicked_map(shear=1)
    fig = compare_metrics(
        w.cost, {"terrain": w.true_metric, "map": w.map_metric}, w.map, {w.u: (-2, 2), w.v: (-2, 2)}, n=8
    )
    assert [ax.get_title() for ax in fig.axes] == ["terrain", "map"]
    paths = save_figure(fig, tmp_path / "sub" / "wicked")
    assert [p.name for p in paths] == ["wicked.png", "wicked.pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and paths[1].read_bytes()[:5] == b"%PDF-"


def test_ranges_may_touch_the_domain_boundary(g):
    ax = _axes()
    out = plot_flow(ax, sg.GradientFlow(g.cost, g.fisher), g.std, {g.mu: (0, 6), g.sigma: (0, 4)}, n=7)
    U, V = out["field"]
    assert np.all(np.isnan(U[0])) and np.all(np.isfinite(U[1:]))  # sigma = 0 is masked, not an error


def test_plot_errors(g):
    ax = _axes()
    flow = sg.GradientFlow(g.cost, g.fisher)
    with pytest.raises(sg.SymgradError, match="no plot range for coordinate sigma"):
        plot_flow(ax, flow, g.std, {g.mu: (0, 1)})
    with pytest.raises(sg.SymgradError, match="lo < hi"):
        plot_flow(ax, flow, g.std, {g.mu: (1, 0), g.sigma: (1, 2)})
    ex = sg.catalog.one_dimensional()
    with pytest.raises(sg.DimensionError, match="2-D charts"):
        plot_flow(ax, sg.GradientFlow(ex.cost, sg.euclidean(ex.X)), ex.X, {ex.x: (0, 1)})
    with pytest.raises(TypeError):
        plot_flow(ax, g.cost, g.std, {g.mu: (0, 1), g.sigma: (1, 2)})


def test_shared_parameter_values_are_passed_to_the_flows_that_use_them():
    p = sg.catalog.synaptic_plasticity(2)
    params = {p.x[0]: 1.0, p.x[1]: 0.5, p.ystar: 1.0, p.rates[0]: 1.0, p.rates[1]: 0.2}
    fig = compare_metrics(
        p.cost,
        {"rates": p.per_synapse, "one rate": sg.euclidean(p.chart)},
        p.chart,
        {p.w[0]: (-1, 2), p.w[1]: (-1, 2)},
        params=params,
        n=6,
    )
    assert len(fig.axes) == 2
    with pytest.raises(sg.UnknownParameterError, match="compare_metrics: kappa is not a parameter of any flow"):
        # the cross-talk kappa belongs to a metric that is not in this figure
        compare_metrics(
            p.cost,
            {"rates": p.per_synapse, "one rate": sg.euclidean(p.chart)},
            p.chart,
            {p.w[0]: (-1, 2), p.w[1]: (-1, 2)},
            params={**params, p.kappa: 0.5},
            n=6,
        )
    eta = sp.Symbol("eta", positive=True)
    with pytest.raises(sg.UnboundParameterError, match=r"parameter\(s\) eta, .*: pass params=\{eta: \.\.\.\}"):
        # a parameter left without a value is named, with the remedy a plotting call can use
        compare_metrics(p.cost, {"rates": p.per_synapse}, p.chart, {p.w[0]: (-1, 2), p.w[1]: (-1, 2)}, rate=eta, n=6)


def test_figures_can_be_drawn_into_a_figure_pyplot_manages(g):
    import matplotlib.pyplot as plt

    w = sg.catalog.wicked_map(shear=1)
    managed = plt.figure()
    try:
        fig = compare_metrics(
            w.cost,
            {"terrain": w.true_metric, "map": w.map_metric},
            w.map,
            {w.u: (-2, 2), w.v: (-2, 2)},
            n=6,
            figure=managed,
        )
        assert fig is managed and plt.gcf() is managed and len(fig.axes) == 2
        assert tuple(fig.get_size_inches()) == pytest.approx((7.2, 3.6))
        with pytest.raises(sg.SymgradError, match="already has axes"):
            flow_grid(
                {"f": sg.GradientFlow(g.cost, g.fisher)},
                [g.std],
                {g.std: {g.mu: (0, 6), g.sigma: (0.5, 4)}},
                figure=managed,
            )
    finally:
        plt.close(managed)
    with pytest.raises(TypeError, match="matplotlib Figure"):
        compare_metrics(w.cost, {"terrain": w.true_metric}, w.map, {w.u: (-2, 2), w.v: (-2, 2)}, figure="fig")


def test_parameters_of_the_display_chart_are_passed():
    # the shear k appears in the map chart only, not in the terrain chart the flow is computed in
    k = sp.Symbol("k", real=True)
    w = sg.catalog.wicked_map(shear=k)
    flow = sg.GradientFlow(w.cost, w.true_metric)
    assert k not in set().union(*(e.free_symbols for e in flow.components()))
    out = plot_flow(_axes(), flow, w.map, {w.u: (-2, 2), w.v: (-2, 2)}, params={k: 1.0}, n=5)
    U, V = out["field"]
    X, Y = out["grid"]
    # steepest descent of (x^2 + y^2)/2 seen on the map (u, v) = (x + y, y): -(u, v)
    assert np.allclose(U, -X) and np.allclose(V, -Y)


def test_parameters_may_be_given_by_name_and_stems_keep_their_dots(g, tmp_path):
    eta = sp.Symbol("eta", positive=True)
    flow = sg.GradientFlow(g.cost, g.fisher, rate=eta)
    out = plot_flow(_axes(), flow, g.std, {g.mu: (1, 7), g.sigma: (0.5, 4)}, params={"eta": 2.0}, n=5)
    with pytest.raises(sg.UnknownParameterError, match="'other' is not a parameter of the flow"):
        plot_flow(_axes(), flow, g.std, {g.mu: (1, 7), g.sigma: (0.5, 4)}, params={"eta": 2.0, "other": 1}, n=5)
    U, _ = out["field"]
    X, _ = out["grid"]
    assert np.allclose(U, 2.0 * (4 - X))
    paths = save_figure(_axes().figure, tmp_path / "run.v2", formats=("png",))
    assert [p.name for p in paths] == ["run.v2.png"]


# -- drawing options ----------------------------------------------------------------------------------


def _contour_sets(ax):
    from matplotlib.contour import ContourSet

    return [c for c in ax.collections if isinstance(c, ContourSet)]


def _minimum(ax):
    return [line for line in ax.get_lines() if line.get_label() == "minimum"]


def _streamlines(ax):
    from matplotlib.collections import LineCollection

    return [c for c in ax.collections if isinstance(c, LineCollection) and c not in _contour_sets(ax)]


def test_contour_levels_labels_and_colour_are_the_ones_asked_for(g):
    flow = sg.GradientFlow(g.cost, g.fisher)
    ranges = {g.mu: (1, 7), g.sigma: (0.5, 4)}
    ax = _axes()
    out = plot_flow(ax, flow, g.std, ranges, n=6, levels=[0.5, 0.1, 1.0], contour_labels=True, contour_color="k")
    assert sorted(out) == ["field", "grid", "trajectories"]  # what it returns is unchanged
    (cs,) = _contour_sets(ax)
    assert list(cs.levels) == [0.1, 0.5, 1.0]
    assert np.allclose(cs.get_edgecolor()[0], [0, 0, 0, 1])
    assert len(ax.texts) >= 3  # one label per level at least
    ax = _axes()
    plot_flow(ax, flow, g.std, ranges, n=6, levels=5)
    (cs,) = _contour_sets(ax)
    assert len(cs.levels) == 5 and np.all(np.diff(cs.levels) > 0) and len(ax.texts) == 0  # no labels unless asked
    ax = _axes()
    plot_flow(ax, flow, g.std, ranges, n=6, contours=False)
    assert not _contour_sets(ax)


def test_contours_are_evaluated_on_their_own_finer_grid(g):
    flow = sg.GradientFlow(g.cost, g.fisher)
    ranges = {g.mu: (1, 7), g.sigma: (0.5, 4)}
    vertices = []
    for contour_n in (10, 120):
        ax = _axes()
        out = plot_flow(ax, flow, g.std, ranges, n=6, levels=[0.3], contour_n=contour_n)
        assert out["grid"][0].shape == (6, 6)  # the streamline grid does not change
        (cs,) = _contour_sets(ax)
        vertices.append(sum(len(p.vertices) for p in cs.get_paths()))
    assert vertices[1] > 5 * vertices[0]


def test_minimum_marker_streamline_width_density_and_switch(g):
    flow = sg.GradientFlow(g.cost, g.fisher)
    ranges = {g.mu: (1, 7), g.sigma: (0.5, 4)}
    ax = _axes()
    plot_flow(ax, flow, g.std, ranges, n=10, minimum=(4, 2), linewidth=2.5, contours=False)
    (star,) = _minimum(ax)
    assert star.get_xydata().tolist() == [[4.0, 2.0]]
    assert star.get_marker() == "*" and star.get_linestyle() == "None"
    (stream,) = _streamlines(ax)
    assert np.allclose(stream.get_linewidth(), 2.5)
    ax = _axes()
    plot_flow(ax, flow, g.std, ranges, n=6, minimum=[[4, 2], [5, 3]], contours=False)
    assert [line.get_xydata().tolist() for line in _minimum(ax)] == [[[4.0, 2.0], [5.0, 3.0]]]
    ax = _axes()
    plot_flow(ax, flow, g.std, ranges, n=6, contours=False)
    assert not _minimum(ax)
    segments = []
    for d in (0.5, 2.0):
        ax = _axes()
        plot_flow(ax, flow, g.std, ranges, n=10, density=d, contours=False)
        segments.append(len(_streamlines(ax)[0].get_segments()))
    assert segments[1] > 2 * segments[0]
    ax = _axes()
    plot_flow(ax, flow, g.std, ranges, n=6, contours=False, streamlines=False)
    assert not ax.collections and not ax.patches  # no streamlines, no arrows
    with pytest.raises(sg.DimensionError, match="minimum must be a point"):
        plot_flow(_axes(), flow, g.std, ranges, n=6, minimum=[1.0, 2.0, 3.0])
    with pytest.raises(sg.SymgradError, match="levels must be a positive integer"):
        plot_flow(_axes(), flow, g.std, ranges, n=6, levels=0)
    with pytest.raises(sg.SymgradError, match="contour_n must be an integer >= 2"):
        plot_flow(_axes(), flow, g.std, ranges, n=6, contour_n=1)


def test_trajectory_times_and_colour(g):
    ax = _axes()
    times = 30 * np.linspace(0, 1, 50) ** 2
    out = plot_flow(
        ax,
        sg.GradientFlow(g.cost, g.fisher),
        g.std,
        {g.mu: (1, 7), g.sigma: (0.5, 4)},
        n=6,
        trajectories=[[1.0, 1.0]],
        t_span=(0, 30),
        t_eval=times,
        trajectory_color="r",
        contours=False,
    )
    (path,) = out["trajectories"]
    assert path.shape == (50, 2) and np.allclose(path[-1], [4.0, 2.0], atol=1e-6)
    line = next(line for line in ax.get_lines() if len(line.get_xdata()) == 50)
    assert line.get_color() == "r"


def test_flow_grid_and_compare_metrics_pass_the_options_on(g):
    flows = {"naive": sg.GradientFlow(g.cost, sg.euclidean(g.std)), "Fisher": sg.GradientFlow(g.cost, g.fisher)}
    ranges = {g.std: {g.mu: (1, 7), g.sigma: (0.5, 4)}, g.variance: {g.mu: (1, 7), g.s: (0.5, 16)}}
    fig = flow_grid(
        flows,
        [g.std, g.variance],
        ranges,
        n=6,
        minimum={g.std: (4, 2), g.variance: (4, 4)},
        levels=[0.2, 1.0],
        contour_labels=True,
        color="C3",
        linewidth=1.7,
    )
    for ax, point in zip(fig.axes, [(4, 2), (4, 4)] * 2):
        assert [line.get_xydata().tolist() for line in _minimum(ax)] == [[list(map(float, point))]]
        (cs,) = _contour_sets(ax)
        assert list(cs.levels) == [0.2, 1.0] and ax.texts
        (stream,) = _streamlines(ax)
        assert np.allclose(stream.get_linewidth(), 1.7)
        assert np.allclose(stream.get_color()[0], [0.839, 0.153, 0.157, 1], atol=1e-3)  # C3
    w = sg.catalog.wicked_map()
    fig = compare_metrics(
        w.cost,
        {"terrain": w.true_metric, "map": w.map_metric},
        w.map,
        {w.u: (-2, 2), w.v: (-2, 2)},
        n=6,
        minimum=(0, 0),
        levels=3,
        streamlines=False,
    )
    for ax in fig.axes:
        assert [line.get_xydata().tolist() for line in _minimum(ax)] == [[[0.0, 0.0]]]
        (cs,) = _contour_sets(ax)
        assert len(cs.levels) == 3 and len(ax.collections) == 1  # contours only, no streamlines
    with pytest.raises(TypeError, match="unexpected keyword argument.*colour"):
        compare_metrics(w.cost, {"terrain": w.true_metric}, w.map, {w.u: (-2, 2), w.v: (-2, 2)}, colour="r")
