"""Restrictions of a chart's domain: inequalities that narrow its box of intervals.

A chart's domain is a box, one interval per coordinate, narrowed by
*restrictions*: sympy relationals such as ``p1 + p2 < 1`` in the chart's
coordinates (and parameters).  They are declared with
``Manifold.chart(..., restrictions=[...])`` (:func:`check`) or added to a
transition's target chart when the inverse of the transition lands in the
source's domain only on part of the target (:func:`image_restrictions`).
:func:`undefined_where` finds where a map is not defined, for the messages that
suggest ``restrictions=``.  Numeric tests of restrictions (``g < h`` holds where
``h - g > 0``) are :func:`symgrad.core._domain.margin` and
:func:`symgrad.core._domain.satisfied`.

Examples
--------
>>> import sympy as sp
>>> from symgrad.core import _restrictions
>>> r, c, p = sp.symbols("r c p", positive=True)
>>> _restrictions.relation(r - c * sp.sqrt(p))
r > c*sqrt(p)
>>> _restrictions.relation(1 - p - r)
p + r < 1
"""

import numpy as np
import sympy as sp

from ..errors import ChartError, DomainError
from . import _domain

__all__ = ["RELATIONS", "check", "relation", "landing_conditions", "image_restrictions", "undefined_where"]

#: The relationals a restriction may be.
RELATIONS = (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)


def check(restrictions, chart_name, coords, intervals, manifold):
    """The validated restrictions of a new chart, as a tuple.

    Raises :class:`ChartError` naming the restriction that is not a relational
    ``<``, ``<=``, ``>``, ``>=``, uses another chart's coordinates or no
    coordinate of this chart, or holds at no random point of the box.
    """
    if isinstance(restrictions, sp.Basic) or not hasattr(restrictions, "__iter__"):
        raise ChartError(
            f"restrictions of chart {chart_name!r} must be a list of sympy relationals, got {restrictions!r}"
        )
    out = []
    for r in restrictions:
        if not isinstance(r, RELATIONS):
            kind = "always true" if r is sp.true else "always false" if r is sp.false else type(r).__name__
            raise ChartError(
                f"restriction {r!r} of chart {chart_name!r} is not an inequality ({kind}); give sympy "
                "relationals such as p1 + p2 < 1 (<, <=, >, >=) in the chart's coordinates"
            )
        symbols = r.free_symbols
        foreign = (symbols & manifold.coordinates) - set(coords)
        if foreign:
            raise ChartError(
                f"restriction {r} of chart {chart_name!r} uses {', '.join(sorted(map(str, foreign)))}, "
                f"coordinate(s) of another chart; write it in {', '.join(map(str, coords))}"
            )
        if not symbols & set(coords):
            raise ChartError(
                f"restriction {r} of chart {chart_name!r} uses none of its coordinates "
                f"{', '.join(map(str, coords))}; a restriction narrows the chart's domain"
            )
        m, _ = _domain.margin(r)
        if _domain.ask(m, "real") is False:
            raise ChartError(f"restriction {r} of chart {chart_name!r} compares numbers that are not real")
        out.append(r)
    for r in out:
        values = _domain.sample(_domain.margin(r)[0].free_symbols, intervals, n=4 * _domain.N_POINTS)
        if not _domain.satisfied([r], values, 4 * _domain.N_POINTS).any():
            box = ", ".join(f"{c} in {intervals[c]}" for c in coords)
            raise ChartError(
                f"restriction {r} of chart {chart_name!r} holds at no random point of its box ({box}): "
                "the domain would be empty; correct the restriction or the intervals"
            )
    if out:
        try:
            _domain.sample(coords, intervals, restrictions=tuple(out))
        except DomainError:
            raise ChartError(
                f"the restrictions {', '.join(map(str, out))} of chart {chart_name!r} hold together at no "
                "random point of its box: the domain would be empty"
            ) from None
    return tuple(out)


def relation(expr, strict=True):
    """The condition ``expr > 0`` (``>= 0`` unless strict), written readably.

    The terms of a sum with a negative sign go to the other side: ``1 - p1 - p2``
    gives ``p1 + p2 < 1``, ``r - c*sqrt(p)`` gives ``r > c*sqrt(p)``.
    """
    expr = sp.expand(expr) if isinstance(expr, sp.Add) else expr
    pos, neg = [], []
    for t in sp.Add.make_args(expr):
        (neg if t.could_extract_minus_sign() else pos).append(t)
    lhs, rhs = sp.Add(*pos), -sp.Add(*neg)
    if not neg:
        return sp.Gt(expr, 0) if strict else sp.Ge(expr, 0)
    if not pos:
        return sp.Lt(rhs, 0) if strict else sp.Le(rhs, 0)
    if lhs.is_number:
        return sp.Lt(rhs, lhs) if strict else sp.Le(rhs, lhs)
    return sp.Gt(lhs, rhs) if strict else sp.Ge(lhs, rhs)


def _essential(expr, intervals, subs):
    """``expr``, up to factors known positive on the box (a factor known negative flips the sign)."""
    try:
        num, den = sp.fraction(sp.factor_terms(sp.cancel(sp.together(expr))))
    except _domain.SYMPY_ERRORS:
        return expr
    sign, kept = 1, []
    for f in sp.Mul.make_args(num) + sp.Mul.make_args(den):
        if f.is_number and f.is_real and f.is_nonzero:
            sign *= 1 if f > 0 else -1
        elif _domain.decide_positive(f, intervals, subs):
            continue
        elif _domain.decide_positive(-f, intervals, subs):
            sign = -sign
        else:
            kept.append(f)
    if not kept:
        return sp.Integer(sign)
    if len(kept) == 1:
        return sp.expand(sign * kept[0]) if isinstance(kept[0], sp.Add) else sign * kept[0]
    return sign * sp.Mul(*kept)


def landing_conditions(inverse, source):
    """``[(expr, strict)]``: where each expression is positive, ``inverse`` lands in ``source``'s domain.

    ``inverse`` holds ``source``'s coordinates as expressions in another
    chart's; the conditions are the finite ends of each coordinate's interval
    and the restrictions of ``source``.
    """
    conds = []
    for x, g in zip(source.coords, inverse):
        iv = source.domain[x]
        if iv.start.is_finite:
            conds.append((g - iv.start, bool(iv.left_open)))
        if iv.end.is_finite:
            conds.append((iv.end - g, bool(iv.right_open)))
    subs = dict(zip(source.coords, inverse))
    for r in source.restrictions:
        m, strict = _domain.margin(r)
        conds.append((m.xreplace(subs), strict))
    return conds


def image_restrictions(inverse, target, source):
    """The restrictions ``target`` needs so that ``inverse`` lands in ``source``'s domain.

    Each landing condition (:func:`landing_conditions`) implied by the box of
    ``target`` (:func:`symgrad.core._domain.decide_positive`), or holding at
    every random point of its restricted domain, is dropped; the others are
    simplified (:func:`relation`).

    Returns
    -------
    tuple of sympy relationals, or None
        None if a condition holds at no random point of ``target``'s domain
        (``inverse`` is no branch onto ``source``).
    """
    intervals = target.manifold.parameter_intervals(target, *inverse)
    subs = _domain.sign_substitutions(intervals)
    out = []
    for expr, strict in landing_conditions(inverse, source):
        if _domain.decide_positive(expr, intervals, subs):
            continue
        if not expr.free_symbols:
            return None
        values, far = _domain.sample_near_and_far(
            expr.free_symbols | set(target.coords), intervals, restrictions=target.restrictions
        )
        with np.errstate(invalid="ignore"):
            v = _domain.evaluate(expr, values)
            holds = (v > 0) if strict else (v >= 0)
        if holds.all():
            continue
        if not holds[~far].any():
            return None
        r = relation(_essential(expr, intervals, subs), strict)
        if r not in out:
            out.append(r)
    return tuple(out)


def _definedness(expr):
    """``[(expr, strict)]``: conditions under which ``expr`` is real (logarithms, fractional powers)."""
    conds = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.log):
            conds.append((node.args[0], True))
        elif isinstance(node, sp.Pow) and not node.exp.is_integer:
            conds.append((node.base, not (node.exp.is_positive and node.exp.is_rational)))
    return conds


def undefined_where(mapping, chart, extra=()):
    """The conditions, as relationals, where ``mapping`` (in ``chart``'s coordinates) is real on only part of it.

    Only those that fail at some random point of ``chart``'s domain (with the
    further restrictions ``extra``) are given, simplified (:func:`relation`);
    an empty tuple when none is found.
    """
    intervals = chart.manifold.parameter_intervals(chart, *mapping)
    subs = _domain.sign_substitutions(intervals)
    out = []
    for expr, strict in [c for e in mapping for c in _definedness(e)]:
        if not expr.free_symbols or _domain.decide_positive(expr, intervals, subs):
            continue
        values = _domain.sample(
            expr.free_symbols | set(chart.coords), intervals, restrictions=chart.restrictions + tuple(extra)
        )
        with np.errstate(invalid="ignore"):
            v = _domain.evaluate(expr, values)
        if np.all((v > 0) if strict else (v >= 0)):
            continue
        r = relation(_essential(expr, intervals, subs), strict)
        if r not in out:
            out.append(r)
    return tuple(out)
