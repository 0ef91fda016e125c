r"""Whether a vector field is a gradient flow, and of which cost.

A field :math:`v` is the gradient flow :math:`v = -G^{-1} dC` of some cost for
the metric :math:`G` exactly when the 1-form :math:`G v` is closed (on a
domain that is a product of intervals); :func:`is_gradient_flow` decides it,
integrates the cost when it is one, and reports the obstruction when it is not.

Examples
--------
>>> import symgrad as sg
>>> o = sg.catalog.one_dimensional()
>>> flow = sg.GradientFlow(o.cost, sg.euclidean(o.X), rate=o.eta)
>>> sg.is_gradient_flow(flow, sg.euclidean(o.X)).is_gradient
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..core import _domain
from ..core.chart import Chart
from ..core.simplify import simplify_matrix
from ..core.tensors import Metric, Scalar, Vector, check_same_manifold
from ..errors import ArgumentTypeError

__all__ = ["is_gradient_flow", "GradientFieldResult"]


@dataclass(frozen=True)
class GradientFieldResult:
    r"""The verdict of :func:`is_gradient_flow`: whether :math:`v = -G^{-1} dC` for some cost C.

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
    cost: Scalar | None = None
    obstruction: dict[tuple[int, int], sp.Expr] = field(default_factory=dict)
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
    line = _domain.REALS
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
        vals = _domain.evaluate(speed2, {**params, **radii}) if speed2.free_symbols else np.array([float(speed2)] * 3)
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


def is_gradient_flow(vector: Vector, metric: Metric, chart: Chart | None = None) -> GradientFieldResult:
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
            True,
            None,
            {},
            False,
            "the form G v is closed, so the field is a gradient flow, but sympy could not "
            "integrate it to a closed-form cost",
        )
    C = sp.cancel(C) if C.is_rational_function() else C
    for i, x in enumerate(coords):
        ok, _ = _domain.decide_zero(sp.diff(C, x) - beta[i], intervals)
        if ok is not True:
            return GradientFieldResult(
                True,
                None,
                {},
                False,
                "the form G v is closed, so the field is a gradient flow, but the integrated "
                f"cost failed verification (dC != -G v in component {i})",
            )
    cost = Scalar(vector.manifold, chart, C)
    return GradientFieldResult(
        True,
        cost,
        {},
        False,
        "the form G v is closed on the chart's domain; the cost is its integral, up to a constant",
    )
