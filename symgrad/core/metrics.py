r"""Constructors of metric tensors.

Each returns a :class:`~symgrad.Metric` given in one chart.  A metric is what
turns a cost into a learning rule: the flow :math:`-\eta G^{-1} dC` depends on
it, and the Euclidean metric of one chart is not the Euclidean metric of
another.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> x, y = sp.symbols("x y", positive=True)
>>> A = sg.Manifold("quadrant").chart(x, y)
>>> sg.euclidean(A).components()
Matrix([
[1, 0],
[0, 1]])
>>> sg.log_metric(A).components()
Matrix([
[x**(-2),       0],
[      0, y**(-2)]])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from ..errors import ArgumentTypeError, DimensionError, MetricError
from . import _domain
from ._coerce import as_expr, as_matrix
from .chart import Chart, as_chart
from .tensors import Metric
from .transitions import Map

__all__ = ["euclidean", "diagonal", "constant", "log_metric", "pullback", "metabolic"]


def euclidean(chart: Chart, *, check: bool = True) -> Metric:
    r"""The Euclidean metric of a chart: :math:`G = I`.

    The "vector of partial derivatives" is the gradient for this metric, and
    for this chart only.

    Parameters
    ----------
    chart : Chart
    check : bool
        Set False to skip the positive-definiteness check (see :class:`~symgrad.Metric`).

    Returns
    -------
    Metric

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian()
    >>> sg.euclidean(g.variance).components(g.std)   # not the Euclidean metric of std
    Matrix([
    [1,          0],
    [0, 4*sigma**2]])
    """
    chart = as_chart(chart, "euclidean")
    return Metric(chart.manifold, chart, sp.eye(chart.dim), check=check)


def diagonal(chart: Chart, entries: Sequence[sp.Expr], *, check: bool = True) -> Metric:
    r"""A diagonal metric :math:`G = \mathrm{diag}(g_1, \dots, g_n)`, e.g. per-parameter learning rates.

    Parameters
    ----------
    chart : Chart
    entries : sequence of sympy expressions, length dim
        Positive on the chart's domain.
    check : bool
        Set False to skip the positive-definiteness check (see :class:`~symgrad.Metric`).

    Returns
    -------
    Metric

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> w1, w2 = sp.symbols("w1 w2", real=True)
    >>> a, b = sp.symbols("a b", positive=True)
    >>> A = sg.Manifold("weights").chart(w1, w2)
    >>> sg.diagonal(A, [1 / a, 1 / b]).checked
    'symbolic'
    """
    chart = as_chart(chart, "diagonal")
    entries = [as_expr(e, f"diagonal metric entry {k}") for k, e in enumerate(entries)]
    if len(entries) != chart.dim:
        raise DimensionError(f"diagonal metric on chart {chart.name!r} needs {chart.dim} entries, got {len(entries)}")
    return Metric(chart.manifold, chart, sp.diag(*entries), check=check)


def constant(chart: Chart, matrix: sp.MatrixBase | Sequence[Sequence[sp.Expr]], *, check: bool = True) -> Metric:
    r"""A metric whose components are constant in ``chart`` (they may use parameters).

    Parameters
    ----------
    chart : Chart
    matrix : sympy.Matrix, shape (dim, dim)
        Symmetric positive definite; no entry may use a coordinate.
    check : bool
        Set False to skip the positive-definiteness check (see :class:`~symgrad.Metric`).

    Returns
    -------
    Metric

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> w1, w2 = sp.symbols("w1 w2", real=True)
    >>> A = sg.Manifold("weights").chart(w1, w2)
    >>> sg.constant(A, sp.Matrix([[2, 1], [1, 2]])).checked
    'symbolic'
    """
    chart = as_chart(chart, "constant")
    m = as_matrix(matrix, f"constant metric on chart {chart.name!r}")
    used = m.free_symbols & chart.manifold.coordinates
    if used:
        raise MetricError(
            f"a constant metric on chart {chart.name!r} cannot depend on the coordinates "
            f"{', '.join(sorted(map(str, used)))}; use sg.Metric for position-dependent metrics"
        )
    return Metric(chart.manifold, chart, m, check=check)


def _within_positive(interval):
    """Whether ``interval`` lies in :math:`(0, \\infty)`; a constant lower end is compared by value.

    Sympy's comparison of a constant such as ``1/log(erf(pi**2))`` with 0 may
    answer differently from run to run, or raise ``TypeError``.
    """
    lo = interval.start
    if lo.is_Number or lo.free_symbols:
        try:
            return interval.is_subset(sp.Interval.open(0, sp.oo)) is True
        except TypeError:
            return False
    return _domain.decide_constant_positive(lo) is True


def log_metric(chart: Chart, *, check: bool = True) -> Metric:
    r"""The logarithmic (Weber-law) metric :math:`G = \mathrm{diag}(1/x_1^2, \dots, 1/x_n^2)`.

    Equal relative changes cost equally: it is the Euclidean metric of the
    chart :math:`(\log x_1, \dots, \log x_n)`.  Every coordinate must be
    positive on the chart's domain.

    Parameters
    ----------
    chart : Chart
    check : bool
        Set False to skip the positive-definiteness check (see :class:`~symgrad.Metric`).

    Returns
    -------
    Metric

    Raises
    ------
    MetricError
        If a coordinate's domain is not inside :math:`(0, \infty)`.

    Examples
    --------
    >>> import symgrad as sg
    >>> o = sg.catalog.one_dimensional()
    >>> sg.log_metric(o.X).components(), sg.log_metric(o.X).components(o.Xt)
    (Matrix([[x**(-2)]]), Matrix([[4/xt**2]]))
    >>> sg.log_metric(sg.catalog.gaussian().std)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.MetricError: the log metric needs positive coordinates, but on chart 'std' mu can be zero ...
    """
    chart = as_chart(chart, "log_metric")
    bad = [c for c in chart.coords if not _within_positive(chart.domain[c])]
    if bad:
        raise MetricError(
            f"the log metric needs positive coordinates, but on chart {chart.name!r} "
            f"{', '.join(map(str, bad))} can be zero or negative; declare them positive=True"
        )
    return Metric(chart.manifold, chart, sp.diag(*[1 / c**2 for c in chart.coords]), check=check)


def pullback(metric: Metric, map: Map, *, check: bool = True) -> Metric:
    r"""The pullback of ``metric`` through a map: :math:`G = J^T G_0(F(x)) J`.

    Parameters
    ----------
    metric : Metric
        The metric on the target manifold.
    map : Map
        A smooth map from a chart of the parameter manifold into a chart of
        ``metric``'s manifold (``sg.Map(source, target, {target_coord: expr})``).
        Its Jacobian must have full column rank for the result to be a metric.
    check : bool
        Set False to skip the positive-definiteness check.  The check decides
        small blocks symbolically and otherwise, where :math:`G_0` is clearly
        positive definite, by the rank of :math:`J` at random points of the
        domain (its singular values, far better conditioned than the
        eigenvalues of :math:`J^T G_0 J`).

    Returns
    -------
    Metric
        Given in ``map.source``, built from its factors ``J`` and ``G0``
        (:meth:`Metric.pullback_factors <symgrad.Metric.pullback_factors>`),
        which the gradient uses to solve ``J^{-1} G0^{-1} J^{-T}`` instead of
        inverting the product.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x = sp.Symbol("x", positive=True)
    >>> u = sp.Symbol("u", real=True)
    >>> A = sg.Manifold("half-line").chart(x)
    >>> U = sg.Manifold("line").chart(u)
    >>> sg.pullback(sg.euclidean(U), sg.Map(A, U, {u: sp.log(x)})).components()
    Matrix([[x**(-2)]])
    """
    if not isinstance(metric, Metric):
        raise ArgumentTypeError(f"pullback takes a Metric, got {type(metric).__name__}")
    if not isinstance(map, Map):
        raise ArgumentTypeError(f"pullback takes a Map, got {type(map).__name__}")
    target = map.target
    metric.manifold._own(target, "the map's target chart")
    G0 = map.pull(metric.components(target))
    return Metric(map.source.manifold, map.source, pullback_factors=(map.jacobian, G0), check=check)


def metabolic(
    chart: Chart, cost_of_change: Mapping[sp.Symbol, sp.Expr] | Sequence[sp.Expr], *, check: bool = True
) -> Metric:
    r"""A metric from the metabolic cost of changing each coordinate: :math:`G = \mathrm{diag}(c_i(x))`.

    A small change :math:`dx` costs :math:`\sum_i c_i(x)\, dx_i^2`; steepest descent
    under this metric moves least where change is expensive.  With
    :math:`c_P = 1/(1 - P)^2` for a release probability, moving :math:`P`
    from 0.9 to 1.0 costs more than moving it from 0.5 to 0.6.

    Parameters
    ----------
    chart : Chart
    cost_of_change : dict or sequence
        The positive cost densities :math:`c_i`, keyed by coordinate (missing
        coordinates cost 1) or in chart order.
    check : bool
        Set False to skip the positive-definiteness check (see :class:`~symgrad.Metric`).

    Returns
    -------
    Metric

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> q, P = sp.symbols("q P", positive=True)
    >>> S = sg.Manifold("synapse").chart(q, P, domain={P: sp.Interval.open(0, 1)})
    >>> G = sg.metabolic(S, {P: 1 / (1 - P)**2})
    >>> G.components()
    Matrix([
    [1,            0],
    [0, (1 - P)**(-2)]])
    >>> cost = lambda a, b: sp.integrate(sp.sqrt(G.components()[1, 1]), (P, a, b))
    >>> bool(cost(sp.Rational(9, 10), 1 - sp.Rational(1, 100)) > cost(sp.Rational(1, 2), sp.Rational(6, 10)))
    True
    """
    chart = as_chart(chart, "metabolic")
    if isinstance(cost_of_change, Mapping):
        unknown = [c for c in cost_of_change if c not in chart.coords]
        if unknown:
            raise MetricError(
                f"metabolic cost given for {', '.join(map(str, unknown))}, which are not "
                f"coordinates of chart {chart.name!r}"
            )
        entries = [cost_of_change.get(c, 1) for c in chart.coords]
    else:
        entries = list(cost_of_change)
    return diagonal(chart, entries, check=check)
