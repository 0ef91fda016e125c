"""Domains of symbols: intervals, random points, and decisions about signs.

Private helpers shared by charts, transitions and tensors.  A symbol's domain
is an interval of the real line: the one its sympy assumptions imply
(``positive=True`` gives ``(0, oo)``), narrowed by an explicit interval where a
chart gives one.  Checks first try to decide a question symbolically, with the
domain encoded in the assumptions of substitute symbols, and fall back to
evaluation at random points of the domain.
"""

import math
import random

import numpy as np
import sympy as sp

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


def sample(symbols, intervals, n=N_POINTS, seed=SEED, spread=1.5):
    """Random values for ``symbols``: a dict symbol -> float array of shape (n,).

    ``intervals`` maps some symbols to their interval; the others are drawn
    from the interval their assumptions imply (the real line when none).  With
    ``spread=WIDE`` points reach ``e^6`` (about 400) from the interval's finite
    end and come within ``1e-3`` of the ends of bounded intervals.
    """
    rng = random.Random(seed)
    out = {}
    for s in sorted(symbols, key=sp.default_sort_key):
        iv = intervals.get(s) or interval_of(s) or REALS
        out[s] = np.array([_interior_sample(iv, rng, spread) for _ in range(n)])
    return out


def sample_near_and_far(symbols, intervals, n=N_POINTS):
    """``n`` ordinary sample points followed by ``n`` wide ones, and a mask of the wide ones.

    Checks that must hold on the whole domain use both: a failure at an
    ordinary point is a failure; at a wide point only a finite value counts
    (overflow far out proves nothing).
    """
    near = sample(symbols, intervals, n)
    far = sample(symbols, intervals, n, seed=SEED + 1, spread=WIDE)
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


def decide_zero(expr, intervals, *, seed=SEED):
    """Decide whether ``expr`` vanishes on the domain.

    Returns ``(verdict, how)`` where ``verdict`` is True, False or None and
    ``how`` is ``"symbolic"`` or ``"numeric"``.
    """
    expr = sp.sympify(expr)
    if expr == 0:
        return True, "symbolic"
    c = sp.cancel(sp.expand_log(expr, force=False))
    if c == 0:
        return True, "symbolic"
    if sp.count_ops(c) < 400:
        s = sp.simplify(c)
        if s == 0:
            return True, "symbolic"
    values = sample(expr.free_symbols, intervals, seed=seed)
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
    """Decide symbolically whether ``expr`` is positive on the domain.

    Returns True, False or None (undecided); never evaluates numerically.
    """
    if subs is None:
        subs = sign_substitutions(intervals)
    e = sp.sympify(expr).xreplace(subs)
    verdict = e.is_positive
    if verdict is None:
        c = sp.factor_terms(sp.cancel(e))
        verdict = c.is_positive
        if verdict is None and sp.count_ops(c) < 200:
            verdict = sp.factor(c).is_positive
    return verdict
