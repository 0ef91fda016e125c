r"""Checks of chart independence.

The Riemannian gradient :math:`G^{-1} dC` is a vector: computed in chart A and
pushed to chart B it equals the one computed in B from ``G.components(B)``
and ``dC.components(B)``.  The naive gradient, the vector of partial
derivatives, is the Riemannian gradient of a *different* metric in each chart
(the Euclidean metric of that chart), so it fails this test unless the chart
change is an isometry.  :func:`check_invariance` runs both comparisons at
random points of the charts' domains.

Examples
--------
>>> import symgrad as sg
>>> g = sg.catalog.gaussian_kl()
>>> report = sg.check_invariance(g.cost, g.fisher)
>>> report.passed
True
>>> [row.chart_pair for row in report.rows][:2]
[('std', 'variance'), ('std', 'precision')]
>>> sg.check_invariance(g.cost, sg.euclidean(g.std)).naive_differs
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..budgets import stage
from ..core import _domain
from ..core.chart import Chart
from ..core.gradient import GradientFlow, differential, riemannian_gradient
from ..core.metrics import euclidean
from ..core.tensors import Metric, Scalar, check_same_manifold
from ..errors import AnalysisError, ArgumentTypeError, NumericValueError
from ..numeric import _params

__all__ = [
    "check_invariance",
    "check_descent",
    "InvarianceReport",
    "InvarianceRow",
]


@dataclass(frozen=True)
class InvarianceRow:
    """One comparison: the gradient computed in ``chart_pair[0]`` against ``chart_pair[1]``.

    Attributes
    ----------
    chart_pair : tuple of str
        The names of the two charts.
    deviation : float
        The largest relative difference :math:`|a - b| / (1 + |b|)` of the
        Riemannian gradients computed in the two charts, both written in the
        second, at random points of its domain (where both are finite; if they
        are finite at no point, :func:`check_invariance` raises
        :class:`~symgrad.NumericValueError`).
    naive_deviation : float
        The same for the naive gradients (Euclidean in each chart).

    Examples
    --------
    >>> import symgrad as sg
    >>> o = sg.catalog.one_dimensional()
    >>> (row,) = sg.check_invariance(o.cost, sg.euclidean(o.X)).rows
    >>> row.chart_pair, row.deviation < 1e-8 < row.naive_deviation
    (('x', 'sqrt'), True)
    """

    chart_pair: tuple[str, str]
    deviation: float
    naive_deviation: float


@dataclass(frozen=True)
class InvarianceReport:
    """The result of :func:`check_invariance`; ``str(report)`` is a Markdown table.

    Attributes
    ----------
    rows : tuple of InvarianceRow
        One per pair of charts, in the order of the charts.
    tolerance : float
        The largest relative deviation accepted as equal.

    Examples
    --------
    >>> import symgrad as sg
    >>> w = sg.catalog.wicked_map()
    >>> report = sg.check_invariance(w.cost, w.true_metric)
    >>> report.passed, report.naive_differs, len(report.rows)
    (True, True, 1)
    >>> print(str(report).splitlines()[-1])
    Riemannian gradient: chart independent (tolerance 1e-08)
    """

    rows: tuple[InvarianceRow, ...] = ()
    tolerance: float = 1e-8

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))

    @property
    def passed(self) -> bool:
        """Whether the Riemannian gradient agreed in every pair of charts (``deviation <= tolerance``)."""
        return all(r.deviation <= self.tolerance for r in self.rows)

    @property
    def naive_differs(self) -> bool:
        """Whether the naive gradient disagreed in some pair of charts (``naive_deviation > tolerance``)."""
        return any(r.naive_deviation > self.tolerance for r in self.rows)

    def __str__(self) -> str:
        lines = ["charts | Riemannian gradient | naive gradient", "--- | --- | ---"]
        for r in self.rows:
            lines.append(f"{r.chart_pair[0]} -> {r.chart_pair[1]} | {r.deviation:.2e} | {r.naive_deviation:.2e}")
        verdict = "chart independent" if self.passed else "NOT chart independent"
        lines.append(f"Riemannian gradient: {verdict} (tolerance {self.tolerance:g})")
        return "\n".join(lines)


def _sample(exprs, chart, params):
    """Random points of ``chart``'s domain for the symbols of ``exprs``: ``{symbol: array}``, ``params`` fixed."""
    symbols = set().union(*(e.free_symbols for e in exprs))
    values = _domain.sample(symbols, dict(chart.domain), n=_domain.N_POINTS, restrictions=chart.restrictions)
    for s, v in (params or {}).items():
        if s in values:
            values[s] = np.full(_domain.N_POINTS, float(v))
    return values


def _not_finite(what, chart, values, value):
    """The error for ``what`` that is finite at none of the sample points ``values`` (its ``value`` at the first)."""
    at = ", ".join(f"{s}={float(v[0]):.6g}" for s, v in sorted(values.items(), key=lambda kv: str(kv[0])))
    return NumericValueError(
        f"{what} is not finite at any of the {_domain.N_POINTS} random points of chart {chart.name!r} "
        f"(at {at} it is {value}): it overflows or is singular in floating point there, so nothing can be "
        "decided; rescale the cost or the metric, or fix the parameter values (params=...)"
    )


def _deviation(a, b, chart, params, what):
    """Largest relative difference of two component matrices at random points of ``chart``.

    Raises NumericValueError if no point gives finite values of both.
    """
    values = _sample(list(a) + list(b), chart, params)
    va = _domain.evaluate(a, values)
    vb = _domain.evaluate(b, values)
    ok = np.all(np.isfinite(va), axis=(1, 2)) & np.all(np.isfinite(vb), axis=(1, 2))
    if not ok.any():
        bad = va if not np.all(np.isfinite(va[0])) else vb
        raise _not_finite(what, chart, values, bad[0].ravel().tolist())
    diff = np.abs(va[ok] - vb[ok]) / (1.0 + np.abs(vb[ok]))
    return float(diff.max())


@stage("the invariance check")
def check_invariance(
    cost: Scalar,
    metric: Metric,
    charts: Sequence[Chart] | None = None,
    params: Mapping[sp.Symbol | str, float] | None = None,
    tolerance: float = 1e-8,
) -> InvarianceReport:
    """Compare the Riemannian and the naive gradient across every pair of charts.

    Parameters
    ----------
    cost : Scalar
    metric : Metric
    charts : sequence of Chart, optional
        At least two charts of the manifold.  Default: every chart of the manifold.
    params : dict, optional
        Fixed values of parameters, ``{symbol or name: number}``; others are
        drawn at random from their assumptions.
    tolerance : float
        Largest relative deviation accepted as equal.

    Returns
    -------
    InvarianceReport
        One :class:`InvarianceRow` per pair of charts.

    Raises
    ------
    ManifoldMismatchError
        If the cost and the metric live on different manifolds, or a chart on another.
    AnalysisError
        If fewer than two charts are given (or the manifold has only one): there is
        nothing to compare.
    NumericValueError
        If a gradient is finite at none of the random points (it overflows in
        floating point, e.g. a cost scaled by 1e300): nothing can be decided.

    Examples
    --------
    >>> import symgrad as sg
    >>> o = sg.catalog.one_dimensional()      # C = (x - 1)^2, charts x and sqrt(x)
    >>> report = sg.check_invariance(o.cost, sg.euclidean(o.X))
    >>> report.passed, report.naive_differs
    (True, True)
    >>> [row.chart_pair for row in report.rows]
    [('x', 'sqrt')]
    """
    if isinstance(cost, GradientFlow):
        raise ArgumentTypeError(
            "check_invariance takes a cost and a metric, got a GradientFlow; pass its cost and metric: "
            "check_invariance(flow.cost, flow.metric, charts)"
        )
    if not isinstance(cost, Scalar):
        raise ArgumentTypeError(f"check_invariance takes a Scalar cost, got {type(cost).__name__}")
    if not isinstance(metric, Metric):
        raise ArgumentTypeError(f"check_invariance takes a Metric, got {type(metric).__name__}")
    check_same_manifold(("the cost", cost), ("the metric", metric))
    if charts is not None:
        items = list(charts) if isinstance(charts, (list, tuple)) else [charts]
        if not all(isinstance(c, Chart) for c in items):
            raise ArgumentTypeError(f"check_invariance takes a list of Charts as charts, got {charts!r}")
        charts = items
    charts = list(cost.manifold.charts if charts is None else charts)
    for chart in charts:
        cost.manifold._own(chart)
    if len(set(charts)) < 2:
        raise AnalysisError(
            f"check_invariance compares a gradient across charts, and got {len(set(charts))} chart(s) of "
            f"manifold {cost.manifold.name!r}; add a chart (a reparametrization) with Manifold.chart "
            "and a transition to it"
        )
    grads = {c: riemannian_gradient(cost, metric, chart=c) for c in charts}
    naive = {c: riemannian_gradient(cost, euclidean(c), chart=c) for c in charts}
    coordinates = cost.manifold.coordinates
    known = _params.symbols(*(f.components(c) for f in (cost, metric) for c in charts), exclude=coordinates)
    bound = _params.bind(params, known, of="the cost or the metric", coordinates=coordinates, convert="float")
    rows = []
    for i, a in enumerate(charts):
        for b in charts[i + 1 :]:
            pair = f"computed in charts {a.name!r} and {b.name!r}"  # Riemannian, then naive
            rows.append(
                InvarianceRow(
                    (a.name, b.name),
                    _deviation(grads[a].components(b), grads[b].components(b), b, bound, f"the gradient {pair}"),
                    _deviation(naive[a].components(b), naive[b].components(b), b, bound, f"the naive one {pair}"),
                )
            )
    return InvarianceReport(rows, tolerance)


@stage("the descent check")
def check_descent(
    flow: GradientFlow, chart: Chart | None = None, params: Mapping[sp.Symbol | str, float] | None = None
) -> bool:
    r"""Whether a gradient flow decreases its cost: :math:`dC(v) < 0` wherever :math:`dC \ne 0`.

    Evaluated at random points of ``chart``'s domain (default: the flow's chart).

    Parameters
    ----------
    flow : GradientFlow
    chart : Chart, optional
    params : dict, optional
        Fixed values of parameters, ``{symbol or name: number}``; others are
        drawn from their assumptions.

    Returns
    -------
    bool

    Raises
    ------
    NumericValueError
        If :math:`dC(v)` is finite at none of the random points: nothing can be decided.

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian_kl()
    >>> sg.check_descent(sg.GradientFlow(g.cost, g.fisher), g.variance)
    True
    """
    chart = chart or flow.chart
    rate = (differential(flow.cost).components(chart).T * flow.components(chart))[0, 0]
    known = _params.symbols(
        rate,
        flow.components(chart),
        flow.cost.components(chart),
        flow.metric.components(chart),
        flow.rate,
        exclude=chart.coords,
    )
    bound = _params.bind(
        params,
        known,
        of=f"the flow, its metric or its cost in chart {chart.name!r}",
        coordinates=flow.manifold.coordinates,
        convert="float",
    )
    values = _sample([rate], chart, bound)
    r = np.asarray(_domain.evaluate(rate, values), dtype=float)
    finite = r[np.isfinite(r)]
    if not finite.size:
        raise _not_finite(f"the rate of change dC(v) of the cost along {flow!r}", chart, values, r.flat[0])
    return bool(np.all(finite <= 1e-12 * (1 + np.abs(finite).max())))
