"""Whether a symmetric matrix of expressions is positive definite on a chart's domain.

Each block of the sparsity pattern is decided symbolically where it is small
(its leading minors, with the domain encoded in positive dummies) and otherwise
at random points of the domain, near and far: a clearly negative eigenvalue at a
point disproves it, an eigenvalue within round-off of 0 proves nothing at its
point, and a block singular at every point sampled is refused.
"""

import numpy as np
import sympy as sp

from ..budgets import stage, time_limited
from ..errors import NotPositiveDefiniteError
from . import _domain
from .linalg import blocks

#: The relative round-off, per dimension, below which a numeric eigenvalue counts as 0.
ROUND_OFF = 1e-10


def _constant_matrix(block):
    """A matrix without free symbols as floats, NaN where an entry is not a trusted real number."""
    out = np.full(block.shape, np.nan)
    for (i, j), e in np.ndenumerate(np.array(block.tolist(), dtype=object)):
        value = _domain.constant_value(e)
        if value is not None and value[1] == 0:
            out[i, j] = float(value[0])
    return out


#: Seconds the leading minors of one block may take to be decided symbolically before sampling decides.
SYMBOLIC_SECONDS = 5.0


def _symbolic_minors(block, intervals, subs):
    """The leading minors of ``block`` and whether each is positive on the domain (True, False, None)."""
    minors = [block[:k, :k].det(method="berkowitz") for k in range(1, block.rows + 1)]
    return minors, [_domain.decide_positive(d, intervals, subs) for d in minors]


@stage("the positive-definiteness check of the metric")
def check_positive_definite(m, chart, intervals):
    """Return how ``m`` was shown positive definite (``"symbolic"`` or ``"numeric (...)"``).

    Parameters
    ----------
    m : sympy.Matrix, shape (dim, dim)
        Symmetric, in the coordinates of ``chart`` and parameters.
    chart : Chart
        Named in the messages.
    intervals : dict {Symbol: sympy.Interval}
        The domain of every symbol of ``m``.

    Raises
    ------
    NotPositiveDefiniteError
        If a leading minor is not positive, or an eigenvalue is clearly negative
        (or 0 everywhere) at the points sampled.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x = sp.Symbol("x", positive=True)
    >>> A = sg.Manifold("half-line").chart(x)
    >>> check_positive_definite(sp.Matrix([[1 / x]]), A, dict(A.domain))
    'symbolic'
    """
    subs = _domain.sign_substitutions(intervals)
    numeric = []
    for idx in blocks(m):
        block = m.extract(idx, idx)
        size = len(idx)
        minors, verdicts = [], [None]
        if size <= 3:
            try:  # symbolic minors of, say, sigmoid metrics can take minutes: then decide numerically
                minors, verdicts = time_limited(lambda b=block: _symbolic_minors(b, intervals, subs), SYMBOLIC_SECONDS)
            except TimeoutError:
                pass
        if False in verdicts:
            k = verdicts.index(False)
            raise NotPositiveDefiniteError(
                f"metric on chart {chart.name!r} is not positive definite: the leading "
                f"minor of size {k + 1} of the block {idx} is {_domain.factored(minors[k])}, "
                "which is not positive on the domain"
            )
        if None in verdicts:
            numeric.append((idx, block))
    if not numeric:
        return "symbolic"
    for idx, block in numeric:
        values, far = _domain.sample_near_and_far(block.free_symbols, intervals)
        if not values:
            mats = _constant_matrix(block)[None]
            points = None
            if not np.all(np.isfinite(mats)):
                raise NotPositiveDefiniteError(
                    f"metric on chart {chart.name!r}: the constant block {idx} has entries that are "
                    "not real numbers or cannot be evaluated reliably, so it is not shown positive definite"
                )
        else:
            mats = _domain.evaluate(block, values)
            # a matrix that overflows far out in the domain proves nothing
            keep = np.all(np.isfinite(mats), axis=(1, 2)) | ~far
            mats = mats[keep]
            points = {s: v[keep] for s, v in values.items()}
        bad = ~np.all(np.isfinite(mats), axis=(1, 2))
        eig = np.full(len(mats), -np.inf)
        scale = np.zeros(len(mats))
        eigs = np.linalg.eigvalsh(mats[~bad])
        eig[~bad] = eigs.min(axis=1)
        scale[~bad] = np.abs(eigs).max(axis=1)
        # round-off in the entries and in eigvalsh is relative to the largest eigenvalue:
        # a smallest eigenvalue within it of 0 proves nothing at that point, a clearly
        # negative one (or none clearly positive anywhere: a singular metric) does
        tol = ROUND_OFF * len(idx) * scale
        negative = eig < -tol
        if np.any(negative) or not np.any(eig > tol):
            k = int(np.argmin(np.where(negative, eig, np.inf))) if np.any(negative) else int(np.argmin(eig))
            at = (
                ", ".join(f"{s}={points[s][k]:.4g}" for s in sorted(points, key=sp.default_sort_key))
                if points
                else "every point"
            )
            why = (
                f"has smallest eigenvalue {eig[k]:.4g} at {at}"
                if np.any(negative)
                else "is singular: its smallest eigenvalue is 0, up to round-off, at every point sampled"
            )
            raise NotPositiveDefiniteError(
                f"metric on chart {chart.name!r} is not positive definite on its domain: block {idx} {why}"
            )
    return f"numeric ({2 * _domain.N_POINTS} random points)"
