"""Domains of symbols: intervals, random points, and decisions about signs.

Private helpers shared by charts, transitions and tensors.  A symbol's domain
is an interval of the real line: the one its sympy assumptions imply
(``positive=True`` gives ``(0, oo)``), narrowed by an explicit interval where a
chart gives one.  Checks first try to decide a question symbolically, with the
domain encoded in the assumptions of substitute symbols, and fall back to
evaluation at random points of the domain.

Sympy's assumption queries are not deterministic: the order in which they try
related facts is shuffled by an unseeded generator, so a query about a constant
such as ``1/log(erf(pi**2))`` may answer True, None or False, or raise a
``TypeError``, from run to run.  Expressions without free symbols are therefore
decided numerically (:func:`constant_value`), and the ``TypeError`` of any other
query is read as "undecided" (:func:`ask`).
"""

import math
import random

import numpy as np
import sympy as sp

from ..errors import DomainError
from ..numeric import _kernels
from ..numeric._params import interval_of

#: How many random points a numeric check uses.
N_POINTS = 16
#: The fixed seed of numeric checks, so that two runs give the same verdict.
SEED = 20200401

#: The whole real line, the domain of a coordinate or support without bounds.
REALS = sp.Interval(-sp.oo, sp.oo)


def _interior_sample(interval, rng, spread=1.5):
    """One float drawn from the interior of ``interval``.

    Points of a bounded interval keep away from its ends; on an unbounded side
    the distance from the finite end (or from 0) is ``exp(U(-spread, spread))``.
    """
    lo, hi = interval.start, interval.end
    if lo.is_finite and hi.is_finite:
        lo, hi = float(lo), float(hi)
        margin = 0.05 if spread <= 1.5 else 1e-3
        return lo + (hi - lo) * rng.uniform(margin, 1 - margin)
    if lo.is_finite:
        return float(lo) + math.exp(rng.uniform(-spread, spread))
    if hi.is_finite:
        return float(hi) - math.exp(rng.uniform(-spread, spread))
    if spread <= 1.5:
        return rng.uniform(-3.0, 3.0)
    return rng.choice((-1.0, 1.0)) * math.exp(rng.uniform(-spread, spread))


#: The spread of the wide samples, which look for failures far out in the domain.
WIDE = 6.0


#: How many rounds of box samples :func:`sample` draws at most to find points satisfying restrictions.
ROUNDS = 40


def margin(restriction):
    """``(expr, strict)``: the restriction holds exactly where ``expr > 0`` (``>= 0`` unless strict).

    ``g < h`` and ``h > g`` give ``h - g``.

    Examples
    --------
    >>> import sympy as sp
    >>> p1, p2 = sp.symbols("p1 p2", positive=True)
    >>> margin(p1 + p2 < 1)
    (-p1 - p2 + 1, True)
    """
    if isinstance(restriction, (sp.StrictLessThan, sp.LessThan)):
        return restriction.rhs - restriction.lhs, isinstance(restriction, sp.StrictLessThan)
    return restriction.lhs - restriction.rhs, isinstance(restriction, sp.StrictGreaterThan)


def satisfied(restrictions, values, n):
    """A boolean mask of shape (n,): which of the ``n`` points ``values`` satisfy every restriction.

    ``values`` maps the restrictions' symbols to arrays of shape (n,); a
    restriction that is not a finite real number at a point fails there.
    """
    ok = np.ones(n, dtype=bool)
    for r in restrictions:
        m, strict = margin(r)
        with np.errstate(invalid="ignore"):
            v = evaluate(m, values) if m.free_symbols else np.full(n, float(m))
            ok &= (v > 0) if strict else (v >= 0)
    return ok


def _box(symbols, intervals, n, seed, spread):
    rng = random.Random(seed)
    out = {}
    for s in sorted(symbols, key=sp.default_sort_key):
        iv = intervals.get(s) or interval_of(s) or REALS
        out[s] = np.array([_interior_sample(iv, rng, spread) for _ in range(n)])
    return out


def sample(symbols, intervals, n=N_POINTS, seed=SEED, spread=1.5, restrictions=()):
    """Random values for ``symbols``: a dict symbol -> float array of shape (n,).

    ``intervals`` maps some symbols to their interval; the others are drawn
    from the interval their assumptions imply (the real line when none).  With
    ``spread=WIDE`` points reach ``e^6`` (about 400) from the interval's finite
    end and come within ``1e-3`` of the ends of bounded intervals.

    ``restrictions`` (sympy relationals, e.g. ``p1 + p2 < 1``) narrow the box:
    rounds of box samples (seeds ``seed``, ``seed + 1``, ...; symbols in sorted
    order) are drawn and the points that satisfy every restriction kept, until
    ``n`` are found or :data:`ROUNDS` rounds are spent; with fewer, the ones
    found are repeated.  Symbols that only the restrictions use are drawn too,
    and left out of the result.

    Raises
    ------
    DomainError
        If no drawn point satisfies the restrictions.
    """
    if not restrictions or not symbols:
        return _box(symbols, intervals, n, seed, spread)
    every = set(symbols).union(*(margin(r)[0].free_symbols for r in restrictions))
    kept, count = [], 0
    for k in range(ROUNDS):
        box = _box(every, intervals, 4 * n, seed + 7919 * k, spread)
        ok = satisfied(restrictions, box, 4 * n)
        kept.append({s: box[s][ok] for s in symbols})
        count += int(ok.sum())
        if count >= n:
            break
    if not count:
        raise DomainError(
            "no random point of the intervals "
            + ", ".join(f"{s} in {intervals.get(s) or interval_of(s) or REALS}" for s in sorted(every, key=str))
            + " satisfies the restriction(s) "
            + ", ".join(map(str, restrictions))
        )
    return {s: np.resize(np.concatenate([part[s] for part in kept]), n) for s in symbols}


def sample_near_and_far(symbols, intervals, n=N_POINTS, restrictions=()):
    """``n`` ordinary sample points followed by ``n`` wide ones, and a mask of the wide ones.

    Checks that must hold on the whole domain use both: a failure at an
    ordinary point is a failure; at a wide point only a finite value counts
    (overflow far out proves nothing).  ``restrictions`` as for :func:`sample`.
    """
    near = sample(symbols, intervals, n, restrictions=restrictions)
    far = sample(symbols, intervals, n, seed=SEED + 1, spread=WIDE, restrictions=restrictions)
    values = {s: np.concatenate([near[s], far[s]]) for s in near}
    return values, np.arange(2 * n) >= n


def evaluate(expr, values):
    """Evaluate a sympy expression or matrix at sampled values.

    Returns an array of shape ``(n,)`` for an expression and ``(n, rows, cols)``
    for a matrix, n being the number of points.  Real arithmetic is used
    (scipy's special functions included), so entries that are not finite real
    numbers (the square root of a negative number, say) come back as NaN.
    """
    n = len(next(iter(values.values()))) if values else 1
    is_matrix = isinstance(expr, sp.MatrixBase)
    entries = list(expr) if is_matrix else [expr]
    arr = _kernels.evaluate(entries, values, n)
    return arr.reshape((n,) + tuple(expr.shape)) if is_matrix else arr[:, 0]


def positive_substitution(symbol, interval):
    """An expression of a positive dummy that ranges over ``interval``.

    Returns None when the symbol's own assumptions already describe the
    interval (or the interval is the real line), so that no substitution is
    needed for sympy's sign reasoning.
    """
    if interval is None or interval == interval_of(symbol):
        return None
    lo, hi = interval.start, interval.end
    t = sp.Dummy(symbol.name + "_t", positive=True)
    if lo.is_finite and hi.is_finite:
        return lo + (hi - lo) * t / (1 + t)
    if lo.is_finite:
        return lo + t
    if hi.is_finite:
        return hi - t
    return None


#: The precisions (decimal digits) at which constants are evaluated, in turn.
DIGITS = (30, 60, 120)
#: How closely two evaluations of a constant at successive precisions must agree.
AGREEMENT = sp.Float("1e-20")

#: What evaluating or querying a sympy expression may raise besides a symgrad error.
SYMPY_ERRORS = (ArithmeticError, ValueError, TypeError, AttributeError, RecursionError)


def ask(expr, fact):
    """Sympy's assumption ``expr.is_<fact>``, with a ``TypeError`` read as None (undecided).

    Sympy's queries try related facts in a random order, and some orders compare
    a number it cannot show real and raise ``TypeError``; that proves nothing.

    Examples
    --------
    >>> import sympy as sp
    >>> ask(sp.Integer(3), "positive")
    True
    """
    try:
        return getattr(expr, "is_" + fact)
    except (TypeError, RecursionError):
        return None


def factored(expr):
    """``expr`` factored, for a message, or as it is when sympy cannot factor it."""
    try:
        return sp.factor(expr)
    except SYMPY_ERRORS:
        return expr


def _parts(expr, digits):
    """``(re, im)`` of the constant ``expr`` at ``digits`` digits, as finite sympy numbers, or None."""
    try:
        v = expr.evalf(digits, maxn=4 * digits)
        if not v.is_number:
            return None
        re, im = v.as_real_imag()
    except SYMPY_ERRORS:
        return None
    if all(isinstance(p, (sp.Float, sp.Rational)) and p.is_finite for p in (re, im)):
        return re, im
    return None


def _agree(a, b):
    """Whether two evaluations of one part of a constant agree: equal, or close with the same sign."""
    if a == b:
        return True
    if not (a.is_nonzero and b.is_nonzero) or (a > 0) != (b > 0):
        return False
    return bool(abs(a - b) <= AGREEMENT * max(abs(a), abs(b)))


def constant_value(expr):
    """The value of an expression without free symbols, ``(re, im)``, or None when it cannot be trusted.

    The expression is evaluated at each precision of :data:`DIGITS` in turn; the
    first two successive evaluations that agree (each part exactly, or to
    :data:`AGREEMENT` relative to its size with the same sign) give the value.
    A value that sympy evaluates to 0 only approximately (``log(6) - log(2) -
    log(3)``) never agrees with itself and gives None, as does one that cannot
    be evaluated.  Deterministic: no assumption query is made.

    Parameters
    ----------
    expr : sympy.Expr
        Without free symbols.

    Returns
    -------
    tuple of two sympy numbers (Float or Rational), or None

    Examples
    --------
    >>> import sympy as sp
    >>> re, im = constant_value(1 / sp.log(sp.erf(sp.pi**2)))
    >>> bool(re < -1e43), im
    (True, 0)
    >>> constant_value(sp.log(6) - sp.log(2) - sp.log(3)) is None
    True
    """
    expr = sp.sympify(expr)
    if isinstance(expr, sp.Rational):
        return expr, sp.Integer(0)
    previous = None
    for digits in DIGITS:
        current = _parts(expr, digits)
        if current is not None and previous is not None and all(map(_agree, previous, current)):
            return current
        previous = current
    return None


def decide_constant_positive(expr):
    """Whether the constant ``expr`` is positive: True, False (negative, zero or not real) or None.

    Examples
    --------
    >>> import sympy as sp
    >>> decide_constant_positive(sp.log(sp.E, sp.erf(sp.pi * sp.pi)))
    False
    """
    value = constant_value(expr)
    if value is None:
        return None
    re, im = value
    return bool(im == 0 and re > 0)


def decide_real(expr):
    """Whether ``expr`` is real: True, False or None (undecided), never raising sympy's ``TypeError``.

    A constant is evaluated (:func:`constant_value`); for any other expression
    sympy's assumption ``is_real`` is asked.

    Examples
    --------
    >>> import sympy as sp
    >>> decide_real(1 / sp.log(sp.erf(sp.pi**2))), decide_real(sp.sqrt(-1 - sp.pi))
    (True, False)
    """
    expr = sp.sympify(expr)
    if expr.free_symbols:
        return ask(expr, "real")
    value = constant_value(expr)
    return None if value is None else bool(value[1] == 0)


def decide_zero(expr, intervals, *, seed=SEED, restrictions=()):
    """Decide whether ``expr`` vanishes on the domain.

    Returns ``(verdict, how)`` where ``verdict`` is True, False or None and
    ``how`` is ``"symbolic"`` or ``"numeric"``.  A numeric verdict is taken at
    points that satisfy ``restrictions`` (see :func:`sample`).
    """
    expr = sp.sympify(expr)
    if expr == 0:
        return True, "symbolic"
    try:
        c = sp.cancel(sp.expand_log(expr, force=False))
        if c == 0:
            return True, "symbolic"
        if sp.count_ops(c) < 400 and sp.simplify(c) == 0:
            return True, "symbolic"
    except SYMPY_ERRORS:
        pass
    value = None if expr.free_symbols else constant_value(expr)
    if value is not None:  # otherwise a constant near 0 is judged in floats, as below
        return all(p == 0 for p in value), "numeric"
    values = sample(sorted(expr.free_symbols, key=sp.default_sort_key), intervals, seed=seed, restrictions=restrictions)
    vals = evaluate(expr, values)
    if np.all(np.isfinite(vals)) and np.all(np.abs(vals) <= 1e-8):
        return True, "numeric"
    if np.any(np.isfinite(vals) & (np.abs(vals) > 1e-6)):
        return False, "numeric"
    return None, "numeric"


def sign_substitutions(intervals):
    """Substitutions that encode the given intervals in positive dummies."""
    subs = {}
    for s, iv in intervals.items():
        r = positive_substitution(s, iv)
        if r is not None:
            subs[s] = r
    return subs


def decide_positive(expr, intervals, subs=None):
    """Decide whether ``expr`` is positive on the domain.

    Returns True, False or None (undecided).  An expression with free symbols is
    decided symbolically, by sympy's assumptions (a ``TypeError`` of theirs is
    read as None); one without is evaluated at fixed precisions
    (:func:`decide_constant_positive`), so that its verdict is the same in every run.
    """
    if subs is None:
        subs = sign_substitutions(intervals)
    e = sp.sympify(expr).xreplace(subs)
    if not e.free_symbols:
        return decide_constant_positive(e)
    verdict = ask(e, "positive")
    if verdict is None:
        try:
            c = sp.factor_terms(sp.cancel(e))
            verdict = ask(c, "positive")
            if verdict is None and sp.count_ops(c) < 200:
                verdict = ask(sp.factor(c), "positive")
        except SYMPY_ERRORS:
            return None
    return verdict
