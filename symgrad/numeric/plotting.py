r"""Flow fields, cost contours and trajectories, in any chart.

A gradient flow is one vector field with components in every chart; these
functions draw it in the chart you choose to look at, which need not be the
one it was computed in (the paper's Fig 3 shows each flow in the
:math:`(\mu, \sigma)` and the :math:`(\mu, \sigma^2)` planes).  They build
:class:`matplotlib.figure.Figure` objects directly (no pyplot, no global
state); matplotlib is imported only when a function here is called.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> from symgrad.plotting import flow_grid
>>> g = sg.catalog.gaussian_kl()
>>> flows = {"naive (mu, sigma)": sg.GradientFlow(g.cost, sg.euclidean(g.std)),
...          "Fisher": sg.GradientFlow(g.cost, g.fisher)}
>>> fig = flow_grid(flows, [g.std, g.variance],
...                 {g.std: {g.mu: (0, 6), g.sigma: (0.5, 4)},
...                  g.variance: {g.mu: (0, 6), g.s: (0.25, 16)}}, n=12,
...                 minimum={g.std: (4, 2), g.variance: (4, 4)}, levels=8, contour_color="k",
...                 color="C0", density=0.8)
>>> [ax.get_title() for ax in fig.axes]
['naive (mu, sigma) in std', 'naive (mu, sigma) in variance', 'Fisher in std', 'Fisher in variance']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from ..core.chart import Chart
from ..core.gradient import GradientFlow
from ..core.tensors import Scalar, Vector
from ..errors import ArgumentTypeError, DimensionError, SymgradError
from . import _params
from ._files import save_figure

__all__ = ["plot_flow", "flow_grid", "compare_metrics", "save_figure", "relevant_params"]


def _figure(nrows, ncols, figure=None, size=3.6):
    """A grid of axes on ``figure`` (resized), or on a new standalone Figure."""
    from matplotlib.figure import Figure

    if figure is None:
        figure = Figure(layout="constrained")
    elif not isinstance(figure, Figure):
        raise ArgumentTypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    elif figure.axes:
        raise SymgradError("figure already has axes; pass an empty Figure, e.g. plt.figure()")
    else:
        figure.set_layout_engine("constrained")
    figure.set_size_inches(size * ncols, size * nrows)
    axes = figure.subplots(nrows, ncols, squeeze=False)
    return figure, axes


def _grid(chart, ranges, n):
    """A regular n x n grid of the chart's 2-D domain, strictly inside ``ranges``."""
    if chart.dim != 2:
        raise DimensionError(f"flow fields are drawn in 2-D charts; chart {chart.name!r} has {chart.dim} coordinates")
    axes = []
    for c in chart.coords:
        if c not in ranges:
            raise SymgradError(
                f"no plot range for coordinate {c} of chart {chart.name!r}; pass ranges={{{c}: (lo, hi)}}"
            )
        lo, hi = map(float, ranges[c])
        if not lo < hi:
            raise SymgradError(f"the plot range of {c} must have lo < hi, got ({lo}, {hi})")
        axes.append(np.linspace(lo, hi, n))
    X, Y = np.meshgrid(*axes)
    return X, Y


def _inside(chart, X, Y):
    mask = np.ones(X.shape, dtype=bool)
    for c, V in zip(chart.coords, (X, Y)):
        iv = chart.domain[c]
        lo, hi = float(iv.start), float(iv.end)
        mask &= (V > lo) & (V < hi)
    return mask


def _parameters(flow, chart):
    """The parameters of ``flow``, its cost, its metric and the restrictions of ``chart`` (default: the flow's)."""
    chart = chart or flow.chart
    if not isinstance(flow, GradientFlow):  # a plain vector field: its components only
        return _params.symbols(flow.components(chart), *chart.restrictions, exclude=chart.coords)
    field = flow.components(chart) if flow.solve == "symbolic" else ()  # solved numerically: no closed form
    objects = (field, flow.cost.components(chart), flow.metric.components(chart), flow.rate)
    objects += chart.restrictions
    return _params.symbols(*objects, exclude=chart.coords)


def _check_shared(params, panels, caller):
    """Refuse a key of ``params`` that is a parameter of no panel's flow: ``panels`` holds ``(flow, chart)``."""
    flows = [(flow, chart) for flow, chart in panels if isinstance(flow, Vector)]
    known = set().union(*(_parameters(flow, chart) for flow, chart in flows))
    coordinates = set().union(*(flow.manifold.coordinates for flow, _ in flows))
    _params.bind(params, known, of="any flow of the figure", coordinates=coordinates, caller=caller)


#: The options of :func:`plot_flow` that :func:`flow_grid` and :func:`compare_metrics` pass on.
_STYLE = (
    "density",
    "linewidth",
    "levels",
    "contour_labels",
    "contour_n",
    "contour_color",
    "contours",
    "streamlines",
    "trajectory_color",
    "t_eval",
)


def _check_style(style, caller):
    """Refuse a keyword that is not one of the drawing options passed on to :func:`plot_flow`."""
    unknown = sorted(set(style) - set(_STYLE))
    if unknown:
        raise ArgumentTypeError(
            f"{caller}() got unexpected keyword argument(s) {', '.join(unknown)}; "
            f"the drawing options it passes to plot_flow are {', '.join(_STYLE)}"
        )


def relevant_params(flow: Vector, params: Mapping | None, chart: Chart | None = None) -> dict:
    """The entries of ``params`` that are parameters of ``flow``, its cost or its metric.

    ``chart`` is the chart the flow is evaluated in (default: the flow's): a
    transition map may bring parameters of its own (a shear ``k``).

    Figures share one dict of values among flows that use different parameters;
    :meth:`GradientFlow.numeric` refuses values for symbols a flow does not use.
    :func:`flow_grid` and :func:`compare_metrics` hand each flow the entries this
    function keeps, after refusing a key that no flow of the figure uses.

    Parameters
    ----------
    flow : GradientFlow or Vector
    params : mapping or None
        ``{Symbol or name: value}``, as :meth:`GradientFlow.numeric` takes them.
    chart : Chart, optional

    Returns
    -------
    dict
        The entries of ``params`` whose key (or name) occurs in the flow's components,
        its cost's or its metric's, in ``chart``.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> from symgrad.plotting import relevant_params
    >>> w = sg.catalog.wicked_map()
    >>> relevant_params(sg.GradientFlow(w.cost, w.true_metric), {sp.Symbol("eta"): 1.0})
    {}
    >>> eta = sp.Symbol("eta", positive=True)
    >>> relevant_params(sg.GradientFlow(w.cost, w.true_metric, rate=eta), {eta: 0.5, "k": 1})
    {eta: 0.5}
    >>> relevant_params(sg.GradientFlow(w.cost, w.true_metric, rate=eta), {"eta": 0.5})
    {'eta': 0.5}
    """
    used = _parameters(flow, chart)
    names = {s.name for s in used}
    return {k: v for k, v in (params or {}).items() if k in used or (isinstance(k, str) and k in names)}


def plot_flow(
    ax,
    flow: Vector,
    chart: Chart,
    ranges: Mapping,
    *,
    params: Mapping | None = None,
    trajectories: ArrayLike | None = None,
    t_span: tuple[float, float] = (0.0, 10.0),
    n: int = 25,
    t_eval: ArrayLike | None = None,
    contours: bool = True,
    color: str = "C0",
    streamlines: bool = True,
    density: float | tuple[float, float] = 1.0,
    linewidth: float = 0.8,
    levels: int | ArrayLike = 14,
    contour_labels: bool = False,
    contour_n: int = 120,
    contour_color: str = "0.6",
    trajectory_color: str = "k",
    minimum: ArrayLike | None = None,
) -> dict:
    r"""Draw one gradient flow in one 2-D chart: streamlines, cost contours, trajectories.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    flow : GradientFlow or Vector
        A plain vector field is drawn without contours (it has no cost).
    chart : Chart
        The chart to display the flow in (any chart of the flow's manifold).
    ranges : dict
        ``{coordinate: (lo, hi)}`` for both coordinates of ``chart``.
    params : dict, optional
        Values of the flow's parameters (e.g. ``{eta: 1}``), by Symbol or name.
    trajectories : array_like, shape (k, 2), optional
        Initial points, in ``chart``'s coordinates, of trajectories to draw.
    t_span : tuple of float
        Integration interval of the trajectories.
    n : int
        Grid points per axis for the streamlines.
    t_eval : array_like, optional
        The times, within ``t_span``, at which the trajectories are sampled and drawn;
        default: 200 evenly spaced times.  Long spans of fast-converging flows draw
        better with times crowded at the start (``t1 * np.linspace(0, 1, 400) ** 2``).
    contours : bool
        Draw the cost's contour lines.
    color : str
        The matplotlib colour of the streamlines.
    streamlines : bool
        Draw the streamlines (False: contours, trajectories and marks only).
    density : float or (float, float)
        The streamlines' density, as matplotlib's ``streamplot`` takes it (1: a
        30 x 30 grid of streamline cells; 2 draws about twice as many lines per axis).
    linewidth : float
        The width, in points, of the streamlines.
    levels : int or array_like
        The cost values of the contour lines: an int ``k`` draws ``k`` levels at
        quantiles (2 % to 95 %) of the cost on the contour grid, since costs are
        rarely close to linear; a sequence draws exactly those values (sorted).
    contour_labels : bool
        Write each contour line's cost value on it (:meth:`~matplotlib.axes.Axes.clabel`).
    contour_n : int
        Grid points per axis on which the cost is evaluated for the contours.  It is
        independent of ``n``: contours need a finer grid than streamlines to be smooth.
    contour_color : str
        The matplotlib colour of the contour lines.
    trajectory_color : str
        The matplotlib colour of the trajectories and their initial points.
    minimum : array_like, shape (2,) or (k, 2), optional
        A point (or points), in ``chart``'s coordinates, marked with a star: the
        cost's minimum, say.

    Returns
    -------
    dict
        ``"field"``: the (U, V) components on the grid (nan outside the
        domain), ``"grid"``: (X, Y), each of shape (n, n),
        ``"trajectories"``: the list of integrated paths (arrays of shape (time, 2)).
        What else was drawn is on ``ax``: the contours as a
        :class:`~matplotlib.contour.ContourSet` in ``ax.collections`` (its ``levels``
        are the levels drawn), the streamlines as a ``LineCollection``, the ``minimum``
        as a ``Line2D`` labelled ``"minimum"`` in ``ax.get_lines()``.

    Raises
    ------
    DimensionError
        If ``chart`` is not 2-D, or ``minimum`` is not a point or points of it.
    SymgradError
        If ``ranges`` lacks a coordinate or has ``lo >= hi``, or ``n``, ``contour_n`` or
        an int ``levels`` is not a positive integer (``n`` and ``contour_n`` at least 2).
    UnknownParameterError
        If a key of ``params`` is no parameter of the flow, its cost or its metric in ``chart``.
    UnboundParameterError
        If the flow has parameters that ``params`` does not give.

    Examples
    --------
    >>> import symgrad as sg
    >>> from matplotlib.figure import Figure
    >>> from symgrad.plotting import plot_flow
    >>> g = sg.catalog.gaussian_kl()
    >>> ax = Figure().subplots()
    >>> out = plot_flow(ax, sg.GradientFlow(g.cost, g.fisher), g.variance,
    ...                 {g.mu: (0, 6), g.s: (0.25, 16)}, n=6, trajectories=[[1.0, 2.0]])
    >>> out["grid"][0].shape, len(out["trajectories"]), out["trajectories"][0].shape
    ((6, 6), 1, (200, 2))
    >>> print(ax.get_xlabel(), ax.get_ylabel())
    $\mu$ $s$

    Contour values of your choice, labelled, and the minimum :math:`(\mu, s) = (4, 4)` marked:

    >>> ax = Figure().subplots()
    >>> out = plot_flow(ax, sg.GradientFlow(g.cost, g.fisher), g.variance,
    ...                 {g.mu: (0, 6), g.s: (0.25, 16)}, n=6, levels=[0.1, 0.5, 1.0],
    ...                 contour_labels=True, minimum=[4.0, 4.0], density=0.5, linewidth=1.5)
    >>> from matplotlib.contour import ContourSet
    >>> [c.levels.tolist() for c in ax.collections if isinstance(c, ContourSet)]
    [[0.1, 0.5, 1.0]]
    >>> [line.get_xydata().tolist() for line in ax.get_lines() if line.get_label() == "minimum"]
    [[[4.0, 4.0]]]
    """
    if not isinstance(flow, Vector):
        raise ArgumentTypeError(f"plot_flow draws a GradientFlow or a Vector, got {type(flow).__name__}")
    contours = contours and isinstance(flow, GradientFlow)  # a plain vector field has no cost to draw
    for name, value, least in (("n", n, 2), ("contour_n", contour_n, 2)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < least:
            raise SymgradError(f"{name} must be an integer >= {least} (grid points per axis), got {value!r}")
    X, Y = _grid(chart, ranges, n)
    marks = None
    if minimum is not None:
        marks = np.atleast_2d(np.asarray(minimum, dtype=float))
        if marks.ndim != 2 or marks.shape[1] != 2:
            raise DimensionError(
                f"minimum must be a point (x, y) or points of shape (k, 2) in chart {chart.name!r}, "
                f"got shape {np.shape(minimum)}"
            )
    # grid points on or beyond the domain's boundary are evaluated unchecked and masked out
    num = flow.numeric(chart, params=params, check=False)
    _params.require(num.free_params, {}, what="plot_flow")
    # points outside the box or the chart's restrictions (p1 + p2 < 1) are masked alike
    inside = _inside(chart, X, Y) & num.contains(np.stack([X, Y], axis=-1))
    with np.errstate(all="ignore"):
        field = num(np.stack([X, Y], axis=-1))
    U = np.where(inside, field[..., 0], np.nan)
    V = np.where(inside, field[..., 1], np.nan)
    if contours:
        _contours(ax, num, chart, ranges, contour_n, levels, contour_color, contour_labels)
    speed = np.hypot(U, V)
    finite = np.isfinite(speed)
    if streamlines and finite.any():
        ax.streamplot(
            X,
            Y,
            np.nan_to_num(U),
            np.nan_to_num(V),
            color=color,
            density=density,
            linewidth=linewidth,
            arrowsize=0.8,
        )
    paths = []
    if trajectories is not None:
        x0 = np.atleast_2d(np.asarray(trajectories, dtype=float))
        times = np.linspace(*t_span, 200) if t_eval is None else np.asarray(t_eval, dtype=float)
        sol = num.integrate(x0, t_span, t_eval=times)
        for path in sol.y:
            ax.plot(path[:, 0], path[:, 1], color=trajectory_color, linewidth=1.4)
            ax.plot(path[:1, 0], path[:1, 1], "o", color=trajectory_color, markersize=3)
            paths.append(path)
    if marks is not None:
        ax.plot(
            marks[:, 0],
            marks[:, 1],
            linestyle="none",
            marker="*",
            markersize=11,
            color="gold",
            markeredgecolor="k",
            zorder=5,
            label="minimum",
        )
    ax.set_xlim(*map(float, ranges[chart.coords[0]]))
    ax.set_ylim(*map(float, ranges[chart.coords[1]]))
    ax.set_xlabel(f"${sp.latex(chart.coords[0])}$")
    ax.set_ylabel(f"${sp.latex(chart.coords[1])}$")
    return {"field": (U, V), "grid": (X, Y), "trajectories": paths}


def _contours(ax, num, chart, ranges, contour_n, levels, color, labels):
    """Draw the cost's contours from a ``contour_n`` x ``contour_n`` grid."""
    X, Y = _grid(chart, ranges, contour_n)
    P = np.stack([X, Y], axis=-1)
    inside = _inside(chart, X, Y) & num.contains(P)
    with np.errstate(all="ignore"):
        C = np.where(inside, num.cost(P), np.nan)
    finite = C[np.isfinite(C)]
    if np.ndim(levels) == 0:
        if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 1:
            raise SymgradError(f"levels must be a positive integer or a sequence of cost values, got {levels!r}")
        if not finite.size:
            return
        # levels at quantiles of the cost on the grid: costs are often far from linear
        values = np.unique(np.quantile(finite, np.linspace(0.02, 0.95, int(levels))))
    else:
        values = np.unique(np.asarray(levels, dtype=float).ravel())
    if not values.size or not finite.size or finite.min() == finite.max():
        return  # nothing to draw, or a constant cost: no contour lines
    cs = ax.contour(X, Y, C, levels=values, colors=color, linewidths=0.7)
    if labels:
        ax.clabel(cs, fontsize=7, fmt="%.3g", inline=True)


def flow_grid(
    flows: Mapping[str, GradientFlow],
    charts: Sequence[Chart],
    ranges: Mapping,
    *,
    params: Mapping | None = None,
    trajectories: Mapping | None = None,
    t_span: tuple[float, float] = (0.0, 10.0),
    n: int = 25,
    figure=None,
    minimum: Mapping | None = None,
    color: str | None = None,
    **style,
):
    """A grid of panels: one row per flow, one column per display chart.

    Parameters
    ----------
    flows : dict
        ``{label: GradientFlow}``, all on one manifold.
    charts : sequence of Chart
        The 2-D charts to display each flow in.
    ranges : dict
        ``{chart: {coordinate: (lo, hi)}}``.
    params : dict, optional
        Parameter values shared by all flows; each flow gets those it uses
        (:func:`relevant_params`), and a key that no flow uses is refused.
    trajectories : dict, optional
        ``{chart: initial points in that chart}``; drawn in every panel of that chart.
    t_span : tuple of float
        Integration interval of the trajectories.
    n : int
        Grid points per axis for the streamlines in each panel.
    figure : matplotlib.figure.Figure, optional
        An empty figure to draw into, e.g. ``plt.figure()`` to have pyplot show it; it is
        resized to fit the panels.  Default: a new standalone Figure, which pyplot does not
        track (nothing accumulates in a long session).
    minimum : dict, optional
        ``{chart: point or points in that chart}``, marked in every panel of that chart
        (see :func:`plot_flow`).
    color : str, optional
        The colour of every panel's streamlines; default: one colour per flow (``C0``, ``C1``, ...).
    **style
        ``density``, ``linewidth``, ``levels``, ``contour_labels``, ``contour_n``,
        ``contour_color``, ``contours``, ``streamlines``, ``trajectory_color``, ``t_eval``: passed to :func:`plot_flow`
        for every panel.

    Returns
    -------
    matplotlib.figure.Figure
        Panel titles read ``"<label> in <chart name>"``.

    Raises
    ------
    SymgradError
        If ``figure`` already has axes, or as :func:`plot_flow`.

    Examples
    --------
    >>> import symgrad as sg
    >>> from symgrad.plotting import flow_grid
    >>> w = sg.catalog.wicked_map()
    >>> flows = {"naive": sg.GradientFlow(w.cost, w.map_metric),
    ...          "steepest": sg.GradientFlow(w.cost, w.true_metric)}
    >>> square = (-2, 2)
    >>> fig = flow_grid(flows, [w.terrain, w.map], {w.terrain: {w.x: square, w.y: square},
    ...                                             w.map: {w.u: square, w.v: square}}, n=6)
    >>> [ax.get_title() for ax in fig.axes]
    ['naive in terrain', 'naive in map', 'steepest in terrain', 'steepest in map']
    >>> fig.axes[0].get_gridspec().get_geometry()
    (2, 2)
    """
    _check_style(style, "flow_grid")
    _check_shared(params, [(flow, chart) for flow in flows.values() for chart in charts], "flow_grid")
    fig, axes = _figure(len(flows), len(charts), figure)
    for i, (label, flow) in enumerate(flows.items()):
        for j, chart in enumerate(charts):
            ax = axes[i][j]
            plot_flow(
                ax,
                flow,
                chart,
                ranges[chart],
                params=relevant_params(flow, params, chart) if isinstance(flow, Vector) else params,
                trajectories=(trajectories or {}).get(chart),
                t_span=t_span,
                n=n,
                color=color or f"C{i}",
                minimum=(minimum or {}).get(chart),
                **style,
            )
            ax.set_title(f"{label} in {chart.name}")
    return fig


def compare_metrics(
    cost: Scalar,
    metrics: Mapping,
    chart: Chart,
    ranges: Mapping,
    *,
    rate=1,
    params: Mapping | None = None,
    trajectories: ArrayLike | None = None,
    t_span: tuple[float, float] = (0.0, 10.0),
    n: int = 25,
    figure=None,
    minimum: ArrayLike | None = None,
    color: str | None = None,
    **style,
):
    """Side-by-side panels: the gradient flows of one cost under several metrics.

    Parameters
    ----------
    cost : Scalar
    metrics : dict
        ``{label: Metric}``.
    chart : Chart
        The 2-D chart to display every flow in.
    ranges : dict
        ``{coordinate: (lo, hi)}``.
    rate, trajectories, t_span, n, minimum
        As in :func:`plot_flow`.
    params : dict, optional
        Parameter values shared by all flows, as in :func:`flow_grid`.
    figure : matplotlib.figure.Figure, optional
        An empty figure to draw into (see :func:`flow_grid`).
    color : str, optional
        The colour of every panel's streamlines; default: one colour per metric.
    **style
        ``density``, ``linewidth``, ``levels``, ``contour_labels``, ``contour_n``,
        ``contour_color``, ``contours``, ``streamlines``, ``trajectory_color``, ``t_eval``: passed to :func:`plot_flow`.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per metric, titled with its label.

    Examples
    --------
    >>> import symgrad as sg
    >>> from symgrad.plotting import compare_metrics
    >>> w = sg.catalog.wicked_map()
    >>> fig = compare_metrics(w.cost, {"terrain": w.true_metric, "map": w.map_metric}, w.map,
    ...                       {w.u: (-2, 2), w.v: (-2, 2)}, n=10)
    >>> [ax.get_title() for ax in fig.axes]
    ['terrain', 'map']
    """
    if not isinstance(cost, Scalar):
        raise ArgumentTypeError(f"compare_metrics takes a Scalar cost, got {type(cost).__name__}")
    flows = {label: GradientFlow(cost, metric, rate=rate) for label, metric in metrics.items()}
    _check_style(style, "compare_metrics")
    _check_shared(params, [(flow, chart) for flow in flows.values()], "compare_metrics")
    fig, axes = _figure(1, len(metrics), figure)
    for k, (label, flow) in enumerate(flows.items()):
        ax = axes[0][k]
        plot_flow(
            ax,
            flow,
            chart,
            ranges,
            params=relevant_params(flow, params, chart),
            trajectories=trajectories,
            t_span=t_span,
            n=n,
            color=color or f"C{k}",
            minimum=minimum,
            **style,
        )
        ax.set_title(label)
    return fig
