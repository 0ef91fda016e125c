r"""Sums and positive multiples of metrics: :math:`c_1 G_1 + \dots + c_n G_n` with every :math:`c_i > 0`.

A positive combination of metrics on one manifold is a metric: damping a
singular Fisher metric, :math:`F + \lambda I`, or mixing two geometries.  The
result is a :class:`~symgrad.Metric` given in the first metric's chart; the
other metrics' components are converted to it with the tensor rule
:math:`G_y = K^T G_x(x(y)) K`, and the result is checked like any metric.
The operators ``+`` and ``*`` of :class:`~symgrad.Metric` and Python's
``sum`` call :func:`metric_sum`.

A positive multiple :math:`c\,J^T G_0 J` of a pullback is the pullback
:math:`J^T (c\,G_0) J` and keeps its factors; a sum of several metrics has
none.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> g = sg.catalog.gaussian()
>>> lam = sp.Symbol("lambda", positive=True)
>>> F = sg.fisher_metric(sg.Normal(mean=g.mu, std=g.sigma), g.std)
>>> (F + lam * sg.euclidean(g.std)).components()
Matrix([
[(lambda*sigma**2 + 1)/sigma**2,                              0],
[                             0, (lambda*sigma**2 + 2)/sigma**2]])
>>> sum([F, F]) == 2 * F
True
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..errors import ArgumentTypeError, MetricError
from . import _domain
from ._coerce import as_expr, check_defined
from .simplify import simplify_matrix
from .tensors import Metric, check_same_manifold

__all__ = ["metric_sum", "add", "multiply"]


def _weight(c, metric, k):
    """The weight ``c`` of the ``k``-th metric as a sympy expression, refused unless positive."""
    what = f"the weight {c!r} of metric {k} of the sum"
    c = check_defined(as_expr(c, what), what)
    used = c.free_symbols & metric.manifold.coordinates
    if used:
        raise MetricError(
            f"{what} depends on the coordinates {', '.join(sorted(map(str, used)))}; a weight is a "
            "positive number or parameter (for a position-dependent factor, build sg.Metric(...) "
            "from the product's matrix)"
        )
    intervals = metric.manifold.parameter_intervals(metric.chart, c)
    if _domain.decide_positive(c, intervals) is not True:
        raise MetricError(
            f"{what} is not shown positive: a metric may be multiplied only by a positive number "
            "or a parameter declared positive (sp.Symbol(..., positive=True)); c * F with c <= 0 "
            "is not a metric"
        )
    return c


def metric_sum(metrics: Sequence[Metric], weights: Sequence[sp.Expr] | None = None, *, check: bool = True) -> Metric:
    r"""The positive combination :math:`\sum_i c_i G_i` of metrics on one manifold.

    Parameters
    ----------
    metrics : sequence of Metric
        At least one, all on one manifold; the result is given in the first
        one's chart, to which the others' components are converted.
    weights : sequence of sympy expressions, optional
        The :math:`c_i`, one per metric (default: all 1): positive numbers or
        expressions of parameters that are positive on their domain.
    check : bool
        Set False to skip the positive-definiteness check of the result.

    Returns
    -------
    Metric
        In the first metric's chart; with pullback factors :math:`(J, c\,G_0)`
        for a multiple of one pullback, without for a sum.

    Raises
    ------
    MetricError
        If a weight is not shown positive, or depends on the coordinates.
    ManifoldMismatchError
        If the metrics live on different manifolds.
    ArgumentTypeError
        If ``metrics`` is empty, holds something else than metrics, or the
        numbers of metrics and weights differ.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian()
    >>> F = sg.fisher_metric(sg.Normal(mean=g.mu, std=g.sigma), g.std)
    >>> sg.metric_sum([F, sg.euclidean(g.variance)], [2, 1]).components()
    Matrix([
    [(sigma**2 + 2)/sigma**2,                         0],
    [                      0, 4*(sigma**4 + 1)/sigma**2]])
    >>> sg.metric_sum([F], [-1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.MetricError: the weight -1 of metric 0 of the sum is not shown positive: ...
    """
    metrics = list(metrics) if isinstance(metrics, Sequence) else metrics
    if not isinstance(metrics, list) or not metrics:
        raise ArgumentTypeError(f"metric_sum takes a non-empty sequence of Metrics, got {metrics!r}")
    for k, m in enumerate(metrics):
        if not isinstance(m, Metric):
            raise ArgumentTypeError(f"metric_sum: item {k} is a {type(m).__name__}, not a Metric")
    weights = [1] * len(metrics) if weights is None else list(weights)
    if len(weights) != len(metrics):
        raise ArgumentTypeError(f"metric_sum: {len(metrics)} metrics but {len(weights)} weights")
    check_same_manifold(*((f"metric {k} of the sum", m) for k, m in enumerate(metrics)))
    weights = [_weight(c, m, k) for k, (m, c) in enumerate(zip(metrics, weights))]
    first = metrics[0]
    chart = first.chart
    if len(metrics) == 1 and first.pullback_factors() is not None:
        J, G0 = first.pullback_factors()
        return Metric(first.manifold, chart, pullback_factors=(J, weights[0] * G0), check=check)
    total = sp.zeros(chart.dim, chart.dim)
    for c, m in zip(weights, metrics):
        total += c * m.components(chart)
    return Metric(first.manifold, chart, simplify_matrix(total, "fast"), check=check)


def add(metric: Metric, other: object) -> Metric:
    """``metric + other``: the sum of two metrics; ``metric + 0`` is ``metric`` (for ``sum``).

    Returns NotImplemented for anything else, so that Python raises its ``TypeError``.
    """
    if isinstance(other, (int, sp.Integer)) and other == 0:
        return metric
    if not isinstance(other, Metric):
        return NotImplemented
    return metric_sum([metric, other])


def multiply(metric: Metric, c: object) -> Metric:
    """``c * metric`` for a positive number or parameter ``c``; NotImplemented for a non-number."""
    if isinstance(c, (Metric, str)) or not isinstance(c, (int, float, sp.Expr)):
        return NotImplemented
    return metric_sum([metric], [c])
