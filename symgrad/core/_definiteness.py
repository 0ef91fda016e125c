"""Whether a symmetric matrix of expressions is positive definite on a chart's domain.

Each block of the sparsity pattern is decided symbolically where it is small
(its leading minors, with the domain encoded in positive dummies, and each
``exp`` of a real argument read as a positive number) and otherwise at random
points of the domain, near and far: a clearly negative eigenvalue at a point
disproves it, an eigenvalue within round-off of 0 proves nothing at its point,
and a block singular at every point sampled is refused.

"Within round-off" is relative to the matrix's scale.  A pullback
:math:`J^T G_0 J` (``factors=(J, G0)``) is decided at the points where
:math:`G_0` is clearly positive definite by the rank of :math:`G_0^{1/2} J`,
from its singular values: positive definite exactly when it has full column
rank, and far better conditioned than the eigenvalues of the product, whose
smallest one is the square of a small singular value and drowns in round-off.
"""

import mpmath
import numpy as np
import sympy as sp

from ..budgets import stage, time_limited
from ..errors import NotPositiveDefiniteError
from . import _domain
from .linalg import blocks

#: The relative round-off, per dimension, below which a numeric eigenvalue counts as 0.
ROUND_OFF = 1e-10
#: The relative round-off, per dimension, below which a singular value of a pullback's factor counts as 0.
RANK_ROUND_OFF = 1e-12

#: Seconds the leading minors of one block may take to be decided symbolically before sampling decides.
SYMBOLIC_SECONDS = 5.0

#: What to do about a refused metric, the end of every refusal.
REMEDIES = (
    "if it is a metric only on part of the domain, restrict the chart's domain "
    "(M.chart(..., domain={x: sp.Interval.open(a, b)}) or positive=True); to regularise it, "
    "add damping (F + lam * sg.euclidean(chart) with lam > 0); if you know it is a metric, "
    "pass check=False"
)


def _constant_matrix(block):
    """A matrix without free symbols as floats, NaN where an entry is not a trusted real number."""
    out = np.full(block.shape, np.nan)
    for (i, j), e in np.ndenumerate(np.array(block.tolist(), dtype=object)):
        value = _domain.constant_value(e)
        if value is not None and value[1] == 0:
            out[i, j] = float(value[0])
    return out


def _det(m):
    """The determinant of a matrix of size 1, 2 or 3 by its formula: no simplification, no pivoting.

    Sympy's ``det`` simplifies as it goes, which takes minutes on entries such as sigmoids.
    """
    if m.rows == 1:
        return m[0, 0]
    if m.rows == 2:
        return m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
    return sum(m[0, j] * (-1) ** j * _det(m.minor_submatrix(0, j)) for j in range(m.cols))


def _positive_exponentials(expr):
    """``expr`` with each ``exp(c*u)`` of a real ``u`` written ``t_u**c``, ``t_u`` a positive dummy.

    Reading the exponentials as independent positive numbers relaxes the
    question: positivity of the result proves positivity of ``expr`` (not the
    converse).  ``exp(-u)`` and ``exp(2*u)`` share the dummy of ``exp(u)``, so
    that a sigmoid ``1/(1 + exp(-u))`` and ``1 - 1/(1 + exp(-u))`` become
    ``t/(1 + t)`` and ``1/(1 + t)``.
    """
    dummies = {}

    def power(arg):
        c, r = sp.factor_terms(arg).as_coeff_Mul()
        if r.could_extract_minus_sign():
            c, r = -c, -r
        if r not in dummies:
            dummies[r] = sp.Dummy("t", positive=True)
        return dummies[r] ** c

    atoms = [e for e in expr.atoms(sp.exp) if _domain.ask(e.args[0], "real")]
    return expr.xreplace({e: power(e.args[0]) for e in atoms}) if atoms else None


def _decide_positive(expr, intervals, subs):
    """Whether ``expr`` is positive on the domain: True, False or None; the exponential relaxation last."""
    verdict = _domain.decide_positive(expr, intervals, subs)
    if verdict is not None:
        return verdict
    relaxed = _positive_exponentials(sp.sympify(expr).xreplace(subs))
    if relaxed is None:
        return None
    try:
        c = sp.cancel(relaxed)
        if _domain.ask(c, "positive") or (sp.count_ops(c) < 400 and _domain.ask(sp.factor(c), "positive")):
            return True
    except _domain.SYMPY_ERRORS:
        pass
    return None


def _symbolic_minors(block, intervals, subs):
    """The leading minors of ``block`` and whether each is positive on the domain (True, False, None)."""
    minors = [_det(block[:k, :k]) for k in range(1, block.rows + 1)]
    verdicts = []
    for d in minors:
        verdicts.append(_decide_positive(d, intervals, subs))
        if verdicts[-1] is not True:  # the later minors do not matter
            break
    return minors, verdicts


def _eigen_margins(mats):
    """Per point, the smallest eigenvalue and the round-off within which it counts as 0.

    Where a matrix is not finite the smallest eigenvalue is ``-inf``.
    """
    finite = np.all(np.isfinite(mats), axis=(1, 2))
    low = np.full(len(mats), -np.inf)
    tol = np.zeros(len(mats))
    if np.any(finite):
        eigs = np.linalg.eigvalsh(mats[finite])
        low[finite] = eigs[:, 0]
        tol[finite] = ROUND_OFF * mats.shape[1] * np.abs(eigs).max(axis=1)
    return low, tol


def _gram_margins(J, G0, low, tol):
    """``(low, tol)`` decided anew by the singular values of ``G0^(1/2) J`` where ``G0`` is clearly definite.

    ``J`` has shape (n, k, dim) and ``G0`` (n, k, k), at n points; the smallest
    eigenvalue of ``J^T G0 J`` is the square of the smallest singular value.
    """
    finite = np.all(np.isfinite(J), axis=(1, 2)) & np.all(np.isfinite(G0), axis=(1, 2))
    idx = np.flatnonzero(finite)
    if not len(idx):
        return low, tol
    d, Q = np.linalg.eigh(G0[idx])
    definite = d[:, 0] > ROUND_OFF * d.shape[1] * np.abs(d).max(axis=1)
    idx, d, Q = idx[definite], d[definite], Q[definite]
    if not len(idx):
        return low, tol
    B = np.sqrt(d)[:, :, None] * np.swapaxes(Q, 1, 2) @ J[idx]
    sv = np.linalg.svd(B, compute_uv=False)
    smallest = sv[:, -1] if B.shape[1] >= B.shape[2] else np.zeros(len(idx))  # fewer rows than columns: singular
    low, tol = low.copy(), tol.copy()
    low[idx] = smallest**2
    tol[idx] = (RANK_ROUND_OFF * max(B.shape[1:]) * sv[:, 0]) ** 2
    return low, tol


#: Decimal digits of the evaluation that decides a block singular in floats at every point sampled.
PRECISE_DIGITS = 50
#: At how many of the sampled points (the largest smallest eigenvalues first) it does.
PRECISE_POINTS = 4


def _precisely_positive(block, points, low):
    """Whether ``block`` is clearly positive definite at some sampled point, evaluated to :data:`PRECISE_DIGITS`.

    A matrix positive definite but ill-conditioned at every point (a Gram
    matrix of nearly dependent columns) has its smallest eigenvalue lost in the
    round-off of floats; at 50 digits it is not.
    """
    order = np.argsort(-np.nan_to_num(low, nan=-np.inf))[:PRECISE_POINTS]
    symbols = list(points)
    with mpmath.workdps(PRECISE_DIGITS):
        for k in order:
            at = {s: sp.Float(float(points[s][k]), PRECISE_DIGITS) for s in symbols}
            try:
                m = block.xreplace(at).evalf(PRECISE_DIGITS)
                if m.free_symbols or not all(e.is_real for e in m):
                    continue
                eigs = mpmath.eigsy(mpmath.matrix(m.tolist()), eigvals_only=True)
            except (*_domain.SYMPY_ERRORS, ZeroDivisionError):
                continue
            scale = max(abs(e) for e in eigs)
            if min(eigs) > mpmath.mpf(10) ** (12 - PRECISE_DIGITS) * scale:
                return True
    return False


def _refuse(chart, what):
    raise NotPositiveDefiniteError(f"metric on chart {chart.name!r} is not positive definite{what}; {REMEDIES}")


@stage("the positive-definiteness check of the metric")
def check_positive_definite(m, chart, intervals, factors=None):
    """Return how ``m`` was shown positive definite (``"symbolic"`` or ``"numeric (...)"``).

    Parameters
    ----------
    m : sympy.Matrix, shape (dim, dim)
        Symmetric, in the coordinates of ``chart`` and parameters.
    chart : Chart
        Named in the messages.
    intervals : dict {Symbol: sympy.Interval}
        The domain of every symbol of ``m`` (and of ``factors``).
    factors : tuple (J, G0) of sympy matrices, optional
        With ``m = J^T G0 J``, ``J`` of shape (k, dim): sampled points where
        ``G0`` is clearly positive definite are decided by the rank of ``J``.

    Raises
    ------
    NotPositiveDefiniteError
        If a leading minor is not positive, or an eigenvalue is clearly negative
        (or 0 everywhere) at the points sampled; the message names the remedies.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x = sp.Symbol("x", positive=True)
    >>> A = sg.Manifold("half-line").chart(x)
    >>> check_positive_definite(sp.Matrix([[1 / x]]), A, dict(A.domain))
    'symbolic'
    >>> s = 1 / (1 + sp.exp(-x))
    >>> check_positive_definite(sp.Matrix([[s * (1 - s)]]), A, dict(A.domain))
    'symbolic'
    """
    subs = _domain.sign_substitutions(intervals)
    numeric = []
    for idx in blocks(m):
        block = m.extract(idx, idx)
        minors, verdicts = [], [None]
        if len(idx) <= 3:
            try:  # symbolic minors of large entries may take long: then decide numerically
                minors, verdicts = time_limited(lambda b=block: _symbolic_minors(b, intervals, subs), SYMBOLIC_SECONDS)
            except TimeoutError:
                pass
        elif not block.free_symbols and all(isinstance(e, sp.Rational) for e in block):
            verdicts = [bool(block.is_positive_definite)]  # exact, in rationals
            minors = [sp.Symbol("not_positive")]
        if False in verdicts:
            k = verdicts.index(False)
            which = f"the leading minor of size {k + 1} of the block {idx} is {_domain.factored(minors[k])}"
            if len(idx) > 3:
                which = f"the constant block {idx} has a leading minor that is not positive"
            _refuse(chart, f": {which}, which is not positive on the domain")
        if None in verdicts:
            numeric.append((idx, block))
    if not numeric:
        return "symbolic"
    ranked = False
    for idx, block in numeric:
        low, tol, points, by_rank = _margins(block, idx, factors, intervals, chart)
        ranked = ranked or by_rank
        negative = low < -tol
        if not np.any(negative) and not np.any(low > tol) and points and _precisely_positive(block, points, low):
            continue
        if np.any(negative) or not np.any(low > tol):
            k = int(np.argmin(np.where(negative, low, np.inf))) if np.any(negative) else int(np.argmin(low))
            at = (
                ", ".join(f"{s}={points[s][k]:.4g}" for s in sorted(points, key=sp.default_sort_key))
                if points
                else "every point"
            )
            why = (
                f"has smallest eigenvalue {low[k]:.4g} at {at}"
                if np.any(negative)
                else "is singular: its smallest eigenvalue is 0, up to round-off, at every point sampled"
            )
            _refuse(chart, f" on its domain: block {idx} {why}")
    how = ", decided by the rank of its pullback factor" if ranked else ""
    return f"numeric ({2 * _domain.N_POINTS} random points{how})"


def _margins(block, idx, factors, intervals, chart):
    """Per sampled point, the smallest eigenvalue of ``block`` and its round-off.

    Returns ``(low, tol, points, by_rank)``: arrays of shape (n,), the points
    (a dict symbol -> array of shape (n,), or None for a constant block) and
    whether the rank of the pullback factor decided some point.
    """
    pieces = [block]
    if factors is not None:
        pieces += [factors[0].extract(list(range(factors[0].rows)), idx), factors[1]]
    symbols = set().union(*(p.free_symbols for p in pieces))
    values, far = _domain.sample_near_and_far(symbols, intervals, restrictions=chart.restrictions)
    if not values:
        mats = _constant_matrix(block)[None]
        if not np.all(np.isfinite(mats)):
            raise NotPositiveDefiniteError(
                f"metric on chart {chart.name!r}: the constant block {idx} has entries that are "
                "not real numbers or cannot be evaluated reliably, so it is not shown positive definite"
            )
        return (*_eigen_margins(mats), None, False)
    mats = _domain.evaluate(block, values)
    # a matrix that overflows far out in the domain proves nothing
    keep = np.all(np.isfinite(mats), axis=(1, 2)) | ~far
    points = {s: v[keep] for s, v in values.items()}
    low, tol = _eigen_margins(mats[keep])
    if factors is None:
        return low, tol, points, False
    J, G0 = (_domain.evaluate(p, points) for p in pieces[1:])
    new_low, new_tol = _gram_margins(J, G0, low, tol)
    return new_low, new_tol, points, bool(np.any(new_tol != tol))
