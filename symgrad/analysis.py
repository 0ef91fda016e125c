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
import sympy as sp

from . import _domain
from .errors import AnalysisError, ArgumentTypeError
from .gradient import differential, riemannian_gradient
from .metrics import euclidean
from .simplify import simplify_matrix
from .tensors import Metric, Scalar, Vector, check_same_manifold

__all__ = [
    "check_invariance",
    "check_descent",
    "InvarianceReport",
    "InvarianceRow",
    "is_gradient_flow",
    "GradientFieldResult",
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
        second, at random points of its domain (nan when no point gave finite
        values).
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

    chart_pair: tuple
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

    rows: tuple = ()
    tolerance: float = 1e-8

    def __post_init__(self):
        object.__setattr__(self, "rows", tuple(self.rows))

    @property
    def passed(self):
        """Whether the Riemannian gradient agreed in every pair of charts (``deviation <= tolerance``)."""
        return all(r.deviation <= self.tolerance for r in self.rows)

    @property
    def naive_differs(self):
        """Whether the naive gradient disagreed in some pair of charts (``naive_deviation > tolerance``)."""
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
        At least two charts of the manifold.  Default: every chart of the manifold.
    params : dict, optional
        Fixed values of parameters; others are drawn at random from their
        assumptions.
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
    check_same_manifold(("the cost", cost), ("the metric", metric))
    charts = list(cost.manifold.charts if charts is None else charts)
    for chart in charts:
        cost.manifold._own(chart)
    if len(set(charts)) < 2:
        raise AnalysisError(
            f"check_invariance compares a gradient across charts, and got {len(set(charts))} chart(s) of "
            f"manifold {cost.manifold.name!r}; add a chart (a reparametrization) with Manifold.chart "
            "and a transition to it"
        )
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


# -- is this field a gradient flow? --------------------------------------------------------------


@dataclass(frozen=True)
class GradientFieldResult:
    r"""The verdict of :func:`is_gradient_flow`: is :math:`v = -G^{-1} dC` for some cost C?

    Attributes
    ----------
    is_gradient : bool
        Whether the 1-form :math:`G v` was shown to be closed (hence exact on
        the chart's domain, a product of intervals).
    cost : Scalar or None
        A cost C with :math:`dC = -G v` (unique up to an additive constant),
        verified by differentiation; None when the field is not a gradient
        flow or sympy could not integrate (``reason`` says which).
    obstruction : dict
        ``{(i, j): expr}`` for ``i < j``: the components of :math:`d(Gv)` that
        are not zero (or not shown to be zero); empty when the form is closed.
    never_gradient : bool
        True when the field is a gradient flow for *no* metric (it has a
        periodic orbit); see :func:`is_gradient_flow` for the cases detected.
    reason : str
        One sentence that explains the verdict.

    Examples
    --------
    >>> import symgrad as sg
    >>> o = sg.catalog.one_dimensional()
    >>> flow = sg.GradientFlow(o.cost, sg.euclidean(o.X), rate=o.eta)   # naive flow in x
    >>> res = sg.is_gradient_flow(flow, sg.euclidean(o.Xt))    # steepest descent in sqrt(x)?
    >>> res.is_gradient, res.cost.components(), res.obstruction
    (True, eta*xt**2/2 - eta*log(xt), {})
    >>> res.reason
    "the form G v is closed on the chart's domain; the cost is its integral, up to a constant"
    """

    is_gradient: bool
    cost: object = None
    obstruction: dict = field(default_factory=dict)
    never_gradient: bool = False
    reason: str = ""


def _check_field_and_metric(vector, metric):
    if not isinstance(vector, Vector):
        raise ArgumentTypeError(f"the field must be a Vector (a GradientFlow is one), got {type(vector).__name__}")
    if not isinstance(metric, Metric):
        raise ArgumentTypeError(f"the metric must be a Metric, got {type(metric).__name__}")
    check_same_manifold(("the field", vector), ("the metric", metric))


def _periodic_rotation(v, chart):
    """A reason string if ``v`` (components in a 2-D chart) has circular periodic orbits, else None.

    Detected: the chart is 2-D with both coordinates ranging over the whole
    line, ``v . x == 0`` (so orbits stay on circles about the origin) and the
    speed on some circle ``x = r (cos t, sin t)`` is positive at every angle
    (shown symbolically, or constant in the angle and positive), so that
    circle is a periodic orbit.
    """
    if chart.dim != 2:
        return None
    x, y = chart.coords
    line = sp.Interval(-sp.oo, sp.oo)
    if chart.domain[x] != line or chart.domain[y] != line:
        return None
    intervals = chart.manifold.parameter_intervals(chart, *v)
    tangent, _ = _domain.decide_zero(v[0] * x + v[1] * y, intervals)
    if tangent is not True:
        return None
    r = sp.Dummy("r", positive=True)
    t = sp.Dummy("t", real=True)
    c, s = sp.Dummy("c", real=True), sp.Dummy("s", real=True)
    on_circle = sp.cancel((v[0] ** 2 + v[1] ** 2).subs({x: r * c, y: r * s}, simultaneous=True))
    num, den = sp.fraction(on_circle)
    if num.is_polynomial(c, s) and den.is_polynomial(c, s):
        # reduce modulo c^2 + s^2 = 1: what is left is free of (c, s) when the speed is constant on circles
        unit = [s**2 + c**2 - 1]
        num, den = (sp.reduced(sp.expand(e), unit, s, c)[1] if e.has(c, s) else e for e in (num, den))
        on_circle = sp.cancel(num / den)
    speed2 = on_circle.subs({c: sp.cos(t), s: sp.sin(t)}, simultaneous=True)
    if t not in speed2.free_symbols:
        radii = {r: np.array([0.5, 1.0, 2.0])}
        params = _domain.sample(speed2.free_symbols - {r}, intervals, n=3)
        vals = _domain.evaluate(speed2, {**params, **radii}) if speed2.free_symbols else np.array(
            [float(speed2)] * 3
        )
        if np.any(np.isfinite(vals) & (vals > 1e-12)):
            return (
                "the field is tangent to the circles about the origin (v . x = 0) with a speed "
                "that is constant on each circle and not zero, so those circles are periodic "
                "orbits; a gradient flow strictly decreases its cost along every non-stationary "
                "orbit, so this field is a gradient flow for no metric"
            )
        return None
    if _domain.decide_positive(speed2, {**intervals, t: line}) is True:
        return (
            "the field is tangent to the circles about the origin (v . x = 0) and never vanishes "
            "on them, so those circles are periodic orbits; a gradient flow strictly decreases "
            "its cost along every non-stationary orbit, so this field is a gradient flow for no metric"
        )
    return None


def _potential(beta, coords):
    """A function C with ``dC == beta`` for a closed form ``beta``, by integration along coordinate lines.

    Returns None when sympy leaves an integral unevaluated.
    """
    C = sp.Integer(0)
    for i, x in enumerate(coords):
        rest = sp.cancel(sp.together(beta[i] - sp.diff(C, x)))
        if rest == 0:
            continue
        term = sp.integrate(rest, x)
        if term.has(sp.Integral):
            return None
        C = C + term
    return C


def is_gradient_flow(vector, metric, chart=None):
    r"""Decide whether a vector field is the gradient flow :math:`v = -G^{-1} dC` of some cost.

    It is exactly when the 1-form :math:`\alpha = G v` is exact; on a chart's
    domain (a product of intervals) that is when it is closed,
    :math:`(d\alpha)_{ij} = \partial_i \alpha_j - \partial_j \alpha_i = 0`.  The
    components of :math:`d\alpha` are simplified and tested for zero
    symbolically (falling back to random points of the domain).  When the form
    is closed, the cost :math:`C = -\int \alpha` is found by integrating along
    coordinate lines and verified by differentiation.

    Parameters
    ----------
    vector : Vector
        The field, e.g. a :class:`GradientFlow` (then the cost found is
        :math:`\eta C` up to a constant).
    metric : Metric
        On the field's manifold.
    chart : Chart, optional
        The chart to compute in (default: the metric's chart).

    Returns
    -------
    GradientFieldResult

    Raises
    ------
    TypeError, ManifoldMismatchError

    Notes
    -----
    Independently of ``metric``, the result's ``never_gradient`` flags fields
    that are a gradient flow for *no* metric because they have a periodic
    orbit (a cost would have to decrease strictly around it).  Only one case
    is detected: a 2-D chart on the whole plane, a field tangent to the
    circles about the origin (:math:`v \cdot x = 0`) whose speed on some
    circle is constant in the angle and positive, or provably positive.
    Other periodic orbits, limit cycles or circles about other centres are
    not detected; ``never_gradient=False`` proves nothing.  One-dimensional
    fields are always gradient flows (every 1-form on an interval is exact).

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y = sp.symbols("x y", real=True)
    >>> P = sg.Manifold("plane").chart(x, y)
    >>> E = sg.euclidean(P)
    >>> r = sg.is_gradient_flow(sg.Vector(P.manifold, P, [-x, -2 * y]), E)
    >>> r.is_gradient, r.cost.components()
    (True, x**2/2 + y**2)
    >>> rot = sg.is_gradient_flow(sg.Vector(P.manifold, P, [-y, x]), E)
    >>> rot.is_gradient, rot.obstruction, rot.never_gradient
    (False, {(0, 1): 2}, True)
    """
    _check_field_and_metric(vector, metric)
    chart = chart or metric.chart
    v = vector.components(chart)
    G = metric.components(chart)
    alpha = simplify_matrix(G * v, "fast")
    coords = chart.coords
    intervals = chart.manifold.parameter_intervals(chart, *alpha)
    never = _periodic_rotation(list(v), chart)
    obstruction, undecided = {}, False
    for i in range(chart.dim):
        for j in range(i + 1, chart.dim):
            d = sp.cancel(sp.diff(alpha[j], coords[i]) - sp.diff(alpha[i], coords[j]))
            zero, _ = _domain.decide_zero(d, intervals)
            if zero is not True:
                obstruction[(i, j)] = d
                undecided = undecided or zero is None
    if obstruction:
        if undecided:
            reason = "the form G v could not be shown closed: some components of d(G v) are undecided"
        else:
            reason = "the form G v is not closed: d(G v) has non-zero components"
        if never:
            reason += "; moreover " + never
        return GradientFieldResult(False, None, obstruction, bool(never), reason)
    beta = [-a for a in alpha]
    C = _potential(beta, coords)
    if C is None:
        return GradientFieldResult(
            True, None, {}, False,
            "the form G v is closed, so the field is a gradient flow, but sympy could not "
            "integrate it to a closed-form cost",
        )
    C = sp.cancel(C) if C.is_rational_function() else C
    for i, x in enumerate(coords):
        ok, _ = _domain.decide_zero(sp.diff(C, x) - beta[i], intervals)
        if ok is not True:
            return GradientFieldResult(
                True, None, {}, False,
                "the form G v is closed, so the field is a gradient flow, but the integrated "
                f"cost failed verification (dC != -G v in component {i})",
            )
    cost = Scalar(vector.manifold, chart, C)
    return GradientFieldResult(
        True, cost, {}, False,
        "the form G v is closed on the chart's domain; the cost is its integral, up to a constant",
    )
