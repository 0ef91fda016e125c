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

from dataclasses import dataclass, field

import numpy as np

from . import _domain
from .errors import ManifoldMismatchError
from .gradient import differential, riemannian_gradient
from .metrics import euclidean

__all__ = ["check_invariance", "check_descent", "InvarianceReport", "InvarianceRow"]


@dataclass(frozen=True)
class InvarianceRow:
    """One comparison: the gradient computed in ``chart_pair[0]`` against ``chart_pair[1]``.

    ``deviation`` is the largest relative difference of the two at the sample
    points of the second chart; ``naive_deviation`` the same for the naive
    gradients (Euclidean in each chart).
    """

    chart_pair: tuple
    deviation: float
    naive_deviation: float


@dataclass(frozen=True)
class InvarianceReport:
    """The result of :func:`check_invariance`."""

    rows: list = field(default_factory=list)
    tolerance: float = 1e-8

    @property
    def passed(self):
        """Whether the Riemannian gradient agreed in every pair of charts."""
        return all(r.deviation <= self.tolerance for r in self.rows)

    @property
    def naive_differs(self):
        """Whether the naive gradient disagreed in at least one pair of charts."""
        return any(r.naive_deviation > self.tolerance for r in self.rows)

    def __str__(self):
        lines = ["charts | Riemannian gradient | naive gradient", "--- | --- | ---"]
        for r in self.rows:
            lines.append(
                f"{r.chart_pair[0]} -> {r.chart_pair[1]} | {r.deviation:.2e} | {r.naive_deviation:.2e}"
            )
        verdict = "chart independent" if self.passed else "NOT chart independent"
        lines.append(f"Riemannian gradient: {verdict} (tolerance {self.tolerance:g})")
        return "\n".join(lines)


def _deviation(a, b, chart, params):
    """Largest relative difference of two component matrices at random points of ``chart``."""
    exprs = list(a) + list(b)
    symbols = set().union(*(e.free_symbols for e in exprs))
    intervals = dict(chart.domain)
    values = _domain.sample(symbols, intervals, n=_domain.N_POINTS)
    for s, v in (params or {}).items():
        if s in values:
            values[s] = np.full(_domain.N_POINTS, float(v))
    va = _domain.evaluate(a, values)
    vb = _domain.evaluate(b, values)
    ok = np.all(np.isfinite(va), axis=(1, 2)) & np.all(np.isfinite(vb), axis=(1, 2))
    if not ok.any():
        return float("nan")
    diff = np.abs(va[ok] - vb[ok]) / (1.0 + np.abs(vb[ok]))
    return float(diff.max())


def check_invariance(cost, metric, charts=None, params=None, tolerance=1e-8):
    """Compare the Riemannian and the naive gradient across every pair of charts.

    Parameters
    ----------
    cost : Scalar
    metric : Metric
    charts : sequence of Chart, optional
        Default: every chart of the manifold.
    params : dict, optional
        Fixed values of parameters; others are drawn at random from their
        assumptions.
    tolerance : float
        Largest relative deviation accepted as equal.

    Returns
    -------
    InvarianceReport
    """
    if cost.manifold is not metric.manifold:
        raise ManifoldMismatchError("the cost and the metric live on different manifolds")
    charts = list(charts or cost.manifold.charts)
    rows = []
    for i, a in enumerate(charts):
        grad_a = riemannian_gradient(cost, metric, chart=a)
        naive_a = riemannian_gradient(cost, euclidean(a), chart=a)
        for b in charts[i + 1 :]:
            grad_b = riemannian_gradient(cost, metric, chart=b)
            naive_b = riemannian_gradient(cost, euclidean(b), chart=b)
            rows.append(
                InvarianceRow(
                    (a.name, b.name),
                    _deviation(grad_a.components(b), grad_b.components(b), b, params),
                    _deviation(naive_a.components(b), naive_b.components(b), b, params),
                )
            )
    return InvarianceReport(rows, tolerance)


def check_descent(flow, chart=None, params=None):
    r"""Whether a gradient flow decreases its cost: :math:`dC(v) < 0` wherever :math:`dC \ne 0`.

    Evaluated at random points of ``chart``'s domain (default: the flow's chart).

    Parameters
    ----------
    flow : GradientFlow
    chart : Chart, optional
    params : dict, optional
        Fixed values of parameters; others are drawn from their assumptions.

    Returns
    -------
    bool

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian_kl()
    >>> sg.check_descent(sg.GradientFlow(g.cost, g.fisher), g.variance)
    True
    """
    chart = chart or flow.chart
    rate = (differential(flow.cost).components(chart).T * flow.components(chart))[0, 0]
    symbols = rate.free_symbols
    values = _domain.sample(symbols, dict(chart.domain))
    for s, v in (params or {}).items():
        if s in values:
            values[s] = np.full(_domain.N_POINTS, float(v))
    r = _domain.evaluate(rate, values)
    r = r[np.isfinite(r)]
    return bool(r.size) and bool(np.all(r <= 1e-12 * (1 + np.abs(r).max())))
