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
...                  g.variance: {g.mu: (0, 6), g.s: (0.25, 16)}}, n=12)
>>> [ax.get_title() for ax in fig.axes]
['naive (mu, sigma) in std', 'naive (mu, sigma) in variance', 'Fisher in std', 'Fisher in variance']
"""

from __future__ import annotations

import os
import pathlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import BinaryIO

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from ..core.chart import Chart
from ..core.gradient import GradientFlow
from ..core.tensors import Scalar
from ..errors import ArgumentTypeError, DimensionError, SymgradError
from . import _params

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
    field = flow.components(chart) if flow.solve == "symbolic" else ()  # solved numerically: no closed form
    objects = (field, flow.cost.components(chart), flow.metric.components(chart), flow.rate)
    objects += chart.restrictions
    return _params.symbols(*objects, exclude=chart.coords)


def _check_shared(params, panels, caller):
    """Refuse a key of ``params`` that is a parameter of no panel's flow: ``panels`` holds ``(flow, chart)``."""
    flows = [(flow, chart) for flow, chart in panels if isinstance(flow, GradientFlow)]
    known = set().union(*(_parameters(flow, chart) for flow, chart in flows))
    coordinates = set().union(*(flow.manifold.coordinates for flow, _ in flows))
    _params.bind(params, known, of="any flow of the figure", coordinates=coordinates, caller=caller)


def relevant_params(flow: GradientFlow, params: Mapping | None, chart: Chart | None = None) -> dict:
    """The entries of ``params`` that are parameters of ``flow``, its cost or its metric.

    ``chart`` is the chart the flow is evaluated in (default: the flow's): a
    transition map may bring parameters of its own (a shear ``k``).

    Figures share one dict of values among flows that use different parameters;
    :meth:`GradientFlow.numeric` refuses values for symbols a flow does not use.
    :func:`flow_grid` and :func:`compare_metrics` hand each flow the entries this
    function keeps, after refusing a key that no flow of the figure uses.

    Parameters
    ----------
    flow : GradientFlow
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
    flow: GradientFlow,
    chart: Chart,
    ranges: Mapping,
    *,
    params: Mapping | None = None,
    trajectories: ArrayLike | None = None,
    t_span: tuple[float, float] = (0.0, 10.0),
    n: int = 25,
    contours: bool = True,
    color: str = "C0",
) -> dict:
    """Draw one gradient flow in one 2-D chart: streamlines, cost contours, trajectories.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    flow : GradientFlow
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
        Grid points per axis for the streamlines and contours.
    contours : bool
        Draw the cost's contour lines.
    color : str
        The matplotlib colour of the streamlines.

    Returns
    -------
    dict
        ``"field"``: the (U, V) components on the grid (nan outside the
        domain), ``"grid"``: (X, Y), each of shape (n, n),
        ``"trajectories"``: the list of integrated paths (arrays of shape (time, 2)).

    Raises
    ------
    DimensionError
        If ``chart`` is not 2-D.
    SymgradError
        If ``ranges`` lacks a coordinate or has ``lo >= hi``.
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
    $\\mu$ $s$
    """
    if not isinstance(flow, GradientFlow):
        raise ArgumentTypeError(f"plot_flow draws a GradientFlow, got {type(flow).__name__}")
    X, Y = _grid(chart, ranges, n)
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
        with np.errstate(all="ignore"):
            C = np.where(inside, num.cost(np.stack([X, Y], axis=-1)), np.nan)
        finite = C[np.isfinite(C)]
        if finite.size:
            # levels at quantiles of the cost on the grid: costs are often far from linear
            levels = np.unique(np.quantile(finite, np.linspace(0.02, 0.95, 14)))
            if levels.size > 1:
                ax.contour(X, Y, C, levels=levels, colors="0.6", linewidths=0.7)
    speed = np.hypot(U, V)
    finite = np.isfinite(speed)
    if finite.any():
        ax.streamplot(X, Y, np.nan_to_num(U), np.nan_to_num(V), color=color, density=1.0, linewidth=0.8, arrowsize=0.8)
    paths = []
    if trajectories is not None:
        x0 = np.atleast_2d(np.asarray(trajectories, dtype=float))
        sol = num.integrate(x0, t_span, t_eval=np.linspace(*t_span, 200))
        for path in sol.y:
            ax.plot(path[:, 0], path[:, 1], color="k", linewidth=1.4)
            ax.plot(path[:1, 0], path[:1, 1], "o", color="k", markersize=3)
            paths.append(path)
    ax.set_xlim(*map(float, ranges[chart.coords[0]]))
    ax.set_ylim(*map(float, ranges[chart.coords[1]]))
    ax.set_xlabel(f"${sp.latex(chart.coords[0])}$")
    ax.set_ylabel(f"${sp.latex(chart.coords[1])}$")
    return {"field": (U, V), "grid": (X, Y), "trajectories": paths}


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
        Grid points per axis in each panel.
    figure : matplotlib.figure.Figure, optional
        An empty figure to draw into, e.g. ``plt.figure()`` to have pyplot show it; it is
        resized to fit the panels.  Default: a new standalone Figure, which pyplot does not
        track (nothing accumulates in a long session).

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
                params=relevant_params(flow, params, chart) if isinstance(flow, GradientFlow) else params,
                trajectories=(trajectories or {}).get(chart),
                t_span=t_span,
                n=n,
                color=f"C{i}",
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
    rate, trajectories, t_span, n
        As in :func:`plot_flow`.
    params : dict, optional
        Parameter values shared by all flows, as in :func:`flow_grid`.
    figure : matplotlib.figure.Figure, optional
        An empty figure to draw into (see :func:`flow_grid`).

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
            color=f"C{k}",
        )
        ax.set_title(label)
    return fig


def save_figure(fig, stem, formats: Sequence[str] = ("png", "pdf")) -> list:
    """Save ``fig`` as ``stem.png`` and ``stem.pdf`` (or the given formats) at 150 dpi.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    stem : str or os.PathLike
        The path without suffix; missing parent folders are made.  Each format's
        suffix is appended (``"fig.v2"`` gives ``fig.v2.png``).
    formats : sequence of str
        File suffixes that matplotlib can write.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Examples
    --------
    >>> import os, tempfile
    >>> from matplotlib.figure import Figure
    >>> from symgrad.plotting import save_figure
    >>> paths = save_figure(Figure(figsize=(1, 1)), os.path.join(tempfile.mkdtemp(), "out", "fig"))
    >>> [p.name for p in paths], all(p.is_file() for p in paths)
    (['fig.png', 'fig.pdf'], True)
    """
    stem = pathlib.Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = stem.parent / f"{stem.name}.{fmt}"
        atomic_write(path, lambda f, fmt=fmt: fig.savefig(f, format=fmt, dpi=150))
        paths.append(path)
    return paths


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], object]) -> pathlib.Path:
    """Write ``path`` whole or not at all, through a temporary file in its folder.

    ``write(file)`` fills the temporary file (opened in binary mode), which then
    replaces ``path`` (:func:`os.replace`).  An error or an interruption (``KeyboardInterrupt``) while writing leaves an
    existing ``path`` as it was and removes the temporary file.
    """
    path = pathlib.Path(path)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
