"""Finding, checking and composing the transition maps between charts.

The machinery behind :meth:`symgrad.Manifold.transition`,
:meth:`symgrad.Manifold.transition_map` and :meth:`symgrad.Transition.then`:
components given by coordinate, the Jacobian determinant's check, inverses
solved with sympy (the branch picked with the charts' domains) or checked when
given, round trips verified symbolically or at random points of the domain,
images checked against the target's domain (box and restrictions), the
restrictions a target chart needs where the inverse reaches only part of it,
compositions, and the paths of transitions along which they are made.

Maps are column matrices of expressions; charts, transitions and manifolds
come in as arguments, so this module imports nothing from
:mod:`symgrad.core.manifold`.

Examples
--------
>>> from symgrad.core import _transitions
>>> import sympy as sp
>>> import symgrad as sg
>>> M = sg.Manifold("half-line")
>>> x, y = sp.symbols("x y", positive=True)
>>> X, Y = M.chart(x, name="X"), M.chart(y, name="Y")
>>> _transitions.solve_inverse(sp.Matrix([x**2]), X, Y, "transition 'X' -> 'Y'")
(Matrix([[sqrt(y)]]), 'symbolic', ())
>>> _transitions.maps_into(sp.Matrix([x - 1]), X, Y)
False
"""

from collections import deque

import numpy as np
import sympy as sp

from ..budgets import budget_stage
from ..errors import DimensionError, InverseError, NoPathError, SingularTransitionError, TransitionError
from . import _domain, _restrictions
from .simplify import simplify_matrix

__all__ = [
    "check_new",
    "in_chart_order",
    "check_nonsingular",
    "inverse_of",
    "verify",
    "solve_inverse",
    "maps_into",
    "check_image",
    "check_restrictable",
    "compose",
    "find_path",
    "compose_along",
]


def check_new(transitions, source, target):
    """Raise :class:`TransitionError` unless a transition ``source -> target`` may be added.

    ``transitions`` maps the pairs of charts that already have one to it.
    """
    if source is target:
        raise TransitionError(f"a transition needs two different charts, got {source.name!r} twice")
    if (source, target) in transitions:
        raise TransitionError(
            f"the transition {source.name!r} -> {target.name!r} exists already; "
            "a manifold's transitions are never replaced"
        )


def in_chart_order(values, chart, what):
    """The entries of ``values``, one per coordinate of ``chart``, in the chart's order.

    Parameters
    ----------
    values : dict or sequence
        Keyed by ``chart``'s coordinates, or a sequence in their order.
    chart : Chart
    what : str
        Names ``values`` in messages.

    Returns
    -------
    list
        The entries as given, not converted.

    Raises
    ------
    DimensionError
        If a coordinate is missing, a key is no coordinate of ``chart``, or the
        sequence has the wrong length.
    """
    if isinstance(values, dict):
        missing = [c for c in chart.coords if c not in values]
        extra = [k for k in values if k not in chart.coords]
        if missing or extra:
            raise DimensionError(
                f"{what} must give each coordinate of chart {chart.name!r} "
                f"({', '.join(map(str, chart.coords))}) exactly once"
                + (f"; missing {', '.join(map(str, missing))}" if missing else "")
                + (f"; not coordinates of it: {', '.join(map(str, extra))}" if extra else "")
            )
        return [values[c] for c in chart.coords]
    items = list(values)
    if len(items) != chart.dim:
        raise DimensionError(
            f"{what} needs {chart.dim} expressions, one per coordinate of chart {chart.name!r}; got {len(items)}"
        )
    return items


def check_nonsingular(fwd, source, what):
    """Raise :class:`SingularTransitionError` if the Jacobian determinant of ``fwd`` vanishes.

    ``fwd`` is a column matrix in ``source``'s coordinates; the determinant is
    decided on the chart's domain (symbolically, else at random points).
    """
    det = fwd.jacobian(source.coords).det(method="berkowitz")
    is_zero, _ = _domain.decide_zero(det, source.manifold.parameter_intervals(source, det))
    if is_zero:
        raise SingularTransitionError(
            f"{what} has a singular Jacobian (determinant {sp.simplify(det)}); the map is not invertible"
        )


def inverse_of(fwd, inverse, source, target, what):
    """The verified inverse of ``fwd``: ``inverse`` checked, or solved for when it is None.

    Parameters
    ----------
    fwd : sympy.ImmutableMatrix, shape (dim, 1)
        ``target``'s coordinates in ``source``'s.
    inverse : sympy.ImmutableMatrix, shape (dim, 1), or None
        ``source``'s coordinates in ``target``'s, as the user gave them.
    source, target : Chart
    what : str
        Names the transition in messages.

    Returns
    -------
    (sympy.ImmutableMatrix, str, tuple)
        The inverse, how the round trip was verified (``"symbolic"`` or
        ``"numeric"``), and the restrictions ``target`` needs so that the
        inverse lands in ``source``'s domain (empty when none is needed).

    Raises
    ------
    InverseError
        If the given inverse is wrong, or none is found.
    TransitionError
        If the map or its inverse leaves the other chart's domain, or the
        given inverse reaches ``source``'s domain from no point of ``target``.
    BudgetError
        If solving or checking runs past the time budget.
    """
    remedy = (
        "pass the inverse explicitly (inverse={...}), or give a larger budget "
        "(symgrad.budget(seconds=...) or --timeout on the command line)"
    )
    stage = f"{'checking' if inverse is not None else 'solving for'} the inverse of {what}"
    return budget_stage(stage, lambda: _inverse_of(fwd, inverse, source, target, what), remedy=remedy)


def _inverse_of(fwd, inverse, source, target, what):
    if inverse is not None:
        restricted = _restrictions.image_restrictions(inverse, target, source)
        how = verify(fwd, inverse, source, target, restricted or ())
        if how is None:
            raise InverseError(
                f"the inverse passed for {what} does not invert the map: "
                f"the round trip does not give back the coordinates"
            )
        if restricted is None:
            raise TransitionError(
                f"the inverse passed for {what} sends no point of chart {target.name!r} into the domain of "
                f"chart {source.name!r}; check the inverse and the charts' domains"
            )
    else:
        inverse, how, restricted = solve_inverse(fwd, source, target, what)
    check_image(fwd, source, target, what, to_extra=restricted)
    check_image(inverse, target, source, f"the inverse of {what}", from_extra=restricted)
    return inverse, how, restricted


def verify(fwd, inv, source, target, restricted=()):
    """Check both round trips; returns ``"symbolic"``, ``"numeric"`` or None (failed).

    Numeric checks use points of each chart's domain, restrictions included
    (``restricted``: more restrictions of ``target``).
    """
    how = "symbolic"
    trips = [
        (fwd.xreplace(dict(zip(source.coords, inv))) - sp.Matrix(target.coords), target, restricted),
        (inv.xreplace(dict(zip(target.coords, fwd))) - sp.Matrix(source.coords), source, ()),
    ]
    for diff, chart, extra in trips:
        intervals = source.manifold.parameter_intervals(chart, *diff)
        for e in diff:
            ok, h = _domain.decide_zero(e, intervals, restrictions=chart.restrictions + tuple(extra))
            if not ok:
                return None
            if h == "numeric":
                how = "numeric"
    return how


def solve_inverse(fwd, source, target, what):
    """Solve ``fwd`` for ``source``'s coordinates, keeping the branch valid on the domains.

    Returns
    -------
    (sympy.ImmutableMatrix, str, tuple)
        The inverse, simplified at level ``"fast"``, how it was verified, and
        the restrictions ``target`` needs for it to land in ``source``'s
        domain; of the candidates that pass, the one needing fewest.

    Raises
    ------
    InverseError
        If sympy cannot solve the map, or no candidate maps (part of)
        ``target`` into ``source`` and passes both round trips; the message
        says how to pass the inverse.
    """
    dummies = [sp.Dummy(y.name, **y.assumptions0) for y in target.coords]
    eqs = [d - f for d, f in zip(dummies, fwd)]
    hint = (
        "pass the inverse explicitly: M.transition(..., inverse={"
        + ", ".join(f"{x}: ..." for x in source.coords)
        + "})"
    )
    try:
        solutions = sp.solve(eqs, list(source.coords), dict=True)
    except (NotImplementedError, ValueError) as err:
        raise InverseError(f"sympy could not solve {what} for its inverse ({err}); {hint}") from None
    back = dict(zip(dummies, target.coords))
    found = []
    for sol in solutions:
        if set(sol) != set(source.coords):
            continue
        inv = sp.ImmutableMatrix([sol[x].xreplace(back) for x in source.coords])
        if inv.free_symbols & set(source.coords) - set(target.coords):
            continue
        inv = simplify_matrix(inv, "fast")
        restricted = _restrictions.image_restrictions(inv, target, source)
        if restricted is None:
            continue
        how = verify(fwd, inv, source, target, restricted)
        if how is not None:
            found.append((len(restricted), len(found), (inv, how, restricted)))
    if found:
        return min(found)[2]
    raise InverseError(
        f"no inverse of {what} valid on the whole domain of chart {source.name!r} was found "
        f"(sympy gave {len(solutions)} candidate(s)); restrict the charts' domains or {hint}"
    )


def maps_into(mapping, from_chart, to_chart, from_extra=(), to_extra=()):
    """Whether ``mapping`` sends random points of ``from_chart`` into ``to_chart``'s domain.

    Both domains include their charts' restrictions, and the further
    restrictions ``from_extra`` and ``to_extra``.
    """
    to_restrictions = to_chart.restrictions + tuple(to_extra)
    subs = dict(zip(to_chart.coords, mapping))
    margins = [(m.xreplace(subs), strict) for m, strict in map(_domain.margin, to_restrictions)]
    symbols = mapping.free_symbols.union(*(m.free_symbols for m, _ in margins))
    values, far = _domain.sample_near_and_far(
        symbols,
        from_chart.manifold.parameter_intervals(from_chart, *mapping),
        restrictions=from_chart.restrictions + tuple(from_extra),
    )
    if not values:
        inside = all(to_chart.domain[c].contains(v) for c, v in zip(to_chart.coords, mapping))
        return inside and all(_domain.decide_positive(m, {}) for m, _ in margins)
    for m, strict in margins:
        with np.errstate(invalid="ignore"):
            v = _domain.evaluate(m, values) if m.free_symbols else np.full(len(far), float(m))
            near_ok = (v > 0) if strict else (v >= 0)
            if not np.all(near_ok[~far]) or np.any(v[far] < 0):
                return False
    vals = _domain.evaluate(mapping, values)[:, :, 0]
    for k, c in enumerate(to_chart.coords):
        iv = to_chart.domain[c]
        col = vals[:, k]
        finite = np.isfinite(col)
        if not np.all(finite[~far]):
            return False
        lo, hi = float(iv.start), float(iv.end)
        col = col[finite]
        if np.any(col < lo) or np.any(col > hi):
            return False
    return True


def check_image(mapping, from_chart, to_chart, what, from_extra=(), to_extra=()):
    """Raise :class:`TransitionError` unless ``mapping`` sends ``from_chart`` into ``to_chart``.

    Where ``mapping`` is not defined on all of ``from_chart`` (a logarithm of
    a quantity that changes sign there), the message says where and suggests
    ``restrictions=``.
    """
    if maps_into(mapping, from_chart, to_chart, from_extra, to_extra):
        return
    undefined = _restrictions.undefined_where(mapping, from_chart, from_extra)
    if undefined:
        where = " or ".join(str(sp.Not(r)) for r in undefined)
        raise TransitionError(
            f"{what} is not defined on all of chart {from_chart.name!r}: the map leaves its domain where "
            f"{where}; narrow the chart's domain, e.g. "
            f"M.chart(..., restrictions=[{', '.join(map(str, undefined))}])"
        )
    raise TransitionError(
        f"{what} sends points of chart {from_chart.name!r} outside the domain of chart "
        f"{to_chart.name!r}; give both charts domains that the map carries onto each other"
    )


def check_restrictable(transitions, target, restricted, what):
    """Raise :class:`TransitionError` if chart ``target`` may not get the restrictions ``restricted``.

    A chart is restricted by one transition at most, before any other joins
    it: a transition that joins it already was checked against its old
    domain.  ``transitions`` maps the pairs of charts that have one to it.
    """
    joined = [t for (_, b), t in transitions.items() if b is target]
    if not joined:
        return
    restricting = target.manifold._restricted.get(target, (None, ()))[0]
    others = []
    for t in [restricting] if restricting is not None else joined:
        was = f" (which restricted it to {', '.join(map(str, t.restricted))})" if t.restricted else ""
        others.append(f"transition {_arrow(t)}{was}")
    raise TransitionError(
        f"{what} reaches only the part of chart {target.name!r} where {', '.join(map(str, restricted))}, "
        f"but chart {target.name!r} is joined already by {' and '.join(others)}, whose image differs; "
        "charts of one manifold must cover the same points: give the charts domains (restrictions=...) "
        "that each transition carries onto the other"
    )


def _arrow(t):
    return f"{t.source.name!r} -> {t.target.name!r}"


def compose(first, second):
    """The components of ``first`` followed by ``second``.

    Parameters
    ----------
    first, second : Transition

    Returns
    -------
    (sympy.ImmutableMatrix, sympy.ImmutableMatrix)
        The forward map (``second.target``'s coordinates in ``first.source``'s)
        and its inverse, both simplified at level ``"fast"``.

    Raises
    ------
    TransitionError
        If ``second`` does not start at ``first``'s target chart.
    """
    if second.source is not first.target:
        if second.source.manifold is not first.target.manifold:
            remedy = (
                f"chart {second.source.name!r} belongs to manifold {second.source.manifold.name!r}, "
                f"not to {first.target.manifold.name!r}; transitions compose only within one manifold"
            )
        else:
            remedy = (
                f"compose with a transition from chart {first.target.name!r}, or join charts "
                f"{first.source.name!r} and {second.target.name!r} with M.transition_map(...), "
                "which composes along the manifold's transitions"
            )
        raise TransitionError(
            f"cannot compose the transition {_arrow(first)} with the transition {_arrow(second)}: "
            f"the second must start at chart {first.target.name!r}, where the first ends, "
            f"but starts at chart {second.source.name!r}; {remedy}"
        )
    fwd = second.forward.xreplace(dict(zip(first.target.coords, first.forward)))
    inv = first.inverse.xreplace(dict(zip(first.target.coords, second.inverse)))
    return simplify_matrix(fwd, "fast"), simplify_matrix(inv, "fast")


def find_path(transitions, source, target, manifold):
    """The shortest chain of charts from ``source`` to ``target`` (both included).

    Parameters
    ----------
    transitions : iterable of (Chart, Chart)
        The pairs of charts a transition joins, in its direction.
    source, target : Chart
    manifold : Manifold
        Named in the message.

    Raises
    ------
    NoPathError
        If no chain of transitions joins the two charts.
    """
    prev = {source: None}
    queue = deque([source])
    while queue:
        c = queue.popleft()
        if c is target:
            break
        for a, b in transitions:
            if a is c and b not in prev:
                prev[b] = c
                queue.append(b)
    if target not in prev:
        raise NoPathError(
            f"no chain of transitions joins chart {source.name!r} to chart {target.name!r} "
            f"on {manifold.name!r}; add one with M.transition(...)"
        )
    path = [target]
    while path[-1] is not source:
        path.append(prev[path[-1]])
    return path[::-1]


def compose_along(transitions, source, target, manifold):
    """The transition ``source -> target`` composed along the shortest chain of ``transitions``.

    ``transitions`` maps pairs of charts to the transitions between them; the
    arguments are those of :func:`find_path`.
    """
    path = find_path(transitions, source, target, manifold)
    t = transitions[(path[0], path[1])]
    for a, b in zip(path[1:], path[2:]):
        t = t.then(transitions[(a, b)])
    return t
