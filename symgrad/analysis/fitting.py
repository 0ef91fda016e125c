r"""Metrics from dynamics: a metric that makes a field a gradient flow, and metrics fitted to data.

A cost alone does not fix a learning rule; conversely, observed dynamics and a
candidate cost leave the metric to be found.  :func:`gradient_metric`
constructs one metric (of many) for which a given descent field is the
gradient flow of a given cost; :func:`fit_metric` estimates a metric of a
chosen class from observed states and velocities by constrained least squares,
and its residual compares candidate metrics.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from ..core import _domain
from ..core.chart import Chart
from ..core.gradient import differential
from ..core.simplify import simplify_matrix
from ..core.tensors import Metric, Scalar, Vector, check_same_manifold
from ..errors import (
    ArgumentTypeError,
    DimensionError,
    DomainError,
    FitError,
    ManifoldMismatchError,
    NotDescentError,
    UnboundParameterError,
)
from ..numeric import _params

__all__ = ["gradient_metric", "fit_metric"]


class UnboundFitParameterError(UnboundParameterError, FitError):
    """A fit needs the value of a parameter of the cost or of a candidate metric that ``params`` does not give."""


_ERRORS = {UnboundParameterError: UnboundFitParameterError}


# -- a metric that makes a field a gradient flow ----------------------------------------------


def gradient_metric(vector: Vector, cost: Scalar, chart: Chart | None = None) -> Metric:
    r"""A metric G for which a field is the gradient flow of a cost: :math:`v = -G^{-1} dC`.

    Requires :math:`dC(v) < 0` on the domain.  With :math:`w = dC` and the
    Euclidean projector :math:`P = I - v v^T / (v^T v)` of the chart,

    .. math:: G = -\frac{w w^T}{w^T v} + P,

    so :math:`G v = -w` and :math:`u^T G u = -(w^T u)^2 / (w^T v) + |P u|^2 > 0`
    for :math:`u \ne 0`.  It is one member of a large family (any metric
    with :math:`G v = -w` will do).  Undefined where :math:`v = 0`.

    Parameters
    ----------
    vector : Vector
    cost : Scalar
        On the field's manifold.
    chart : Chart, optional
        The chart to build G in (default: the field's chart).

    Returns
    -------
    Metric
        Checked symmetric positive definite by its constructor.

    Raises
    ------
    NotDescentError
        :math:`dC(v) < 0` fails at some point of the domain.
    TypeError, ManifoldMismatchError

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y = sp.symbols("x y", real=True)
    >>> P = sg.Manifold("plane").chart(x, y)
    >>> v = sg.Vector(P.manifold, P, [-x, -y])
    >>> cost = sg.Scalar(P.manifold, P, x**2 + y**2)
    >>> G = sg.gradient_metric(v, cost)
    >>> G.components()[0, 0]
    (2*x**2 + y**2)/(x**2 + y**2)
    >>> (sg.GradientFlow(cost, G).components() - v.components()).applyfunc(sp.simplify).T
    Matrix([[0, 0]])
    """
    if not isinstance(vector, Vector):
        raise ArgumentTypeError(f"the field must be a Vector, got {type(vector).__name__}")
    if not isinstance(cost, Scalar):
        raise ArgumentTypeError(f"the cost must be a Scalar, got {type(cost).__name__}")
    check_same_manifold(("the field", vector), ("the cost", cost))
    chart = chart or vector.chart
    v = sp.Matrix(vector.components(chart))
    w = sp.Matrix(differential(cost, chart, simplify="none").components())
    rate = sp.cancel((w.T * v)[0, 0])
    intervals = chart.manifold.parameter_intervals(chart, rate, *v)
    verdict = _domain.decide_positive(-rate, intervals)
    if verdict is False:
        raise NotDescentError(
            f"the cost does not decrease along the field: dC(v) = {rate} is not negative on the domain"
        )
    if verdict is None:
        values, _ = _domain.sample_near_and_far(rate.free_symbols, intervals)
        r = _domain.evaluate(rate, values) if values else np.array([float(rate)])
        bad = np.isfinite(r) & (r >= 0)
        if bad.any():
            k = int(np.argmax(bad))
            at = ", ".join(f"{s}={values[s][k]:.4g}" for s in sorted(values, key=sp.default_sort_key))
            raise NotDescentError(
                f"the cost does not decrease along the field: dC(v) = {r[k]:.4g} >= 0 at {at}; "
                "a gradient flow needs dC(v) < 0 wherever v != 0"
            )
    vv = sp.cancel((v.T * v)[0, 0])
    n = chart.dim
    G = -(w * w.T) / rate + sp.eye(n) - (v * v.T) / vv
    G = simplify_matrix(G, "fast")
    return Metric(vector.manifold, chart, G)


# -- fitting a metric to data ---------------------------------------------------------------------


def _numeric_array(values, name, dim):
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise DimensionError(f"{name} must be an array of numbers of shape (N, {dim})") from None
    if arr.ndim != 2 or arr.shape[1] != dim or arr.shape[0] == 0:
        raise DimensionError(f"{name} must have shape (N, {dim}) with N >= 1, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise DomainError(f"{name} contains values that are not finite numbers")
    return arr


def _at_states(matrix, chart, states, bound, what):
    """A sympy matrix at the rows of ``states``, its parameters at their ``bound`` values: shape (N, rows, cols)."""
    _params.require(_params.symbols(matrix, exclude=chart.coords), bound, what=what, errors=_ERRORS)
    values = {c: states[:, i] for i, c in enumerate(chart.coords)}
    for s in matrix.free_symbols - set(chart.coords):
        values[s] = np.full(len(states), bound[s])
    if not values:
        values = {sp.Dummy(): np.zeros(len(states))}
    out = _domain.evaluate(sp.Matrix(matrix), values)
    if not np.all(np.isfinite(out)):
        raise DomainError(f"{what} is not finite at some of the given states")
    return out


def _nnls(A, b, what):
    from scipy.optimize import nnls

    scale = np.abs(A).max(axis=0)
    scale[scale == 0] = 1.0
    x, _ = nnls(A / scale, b)
    return x / scale


def _mixture(weights, comps, dim):
    """The metric ``sum_k c_k G_k`` of the fitted non-negative weights; FitError if every weight is 0."""
    if not np.any(weights > 0):
        raise FitError(
            "no positive combination of the candidate metrics fits the data (every weight is 0); "
            "is the data a descent flow of this cost?"
        )
    G = sp.zeros(dim, dim)
    for ck, Gk in zip(weights, comps):
        if ck > 0:
            G += sp.Float(ck) * sp.Matrix(Gk)
    return G


def _rank_check(A, p, what):
    if np.linalg.matrix_rank(A) < p:
        raise FitError(
            f"the data do not determine a {what} metric: the velocities span too few directions "
            f"({np.linalg.matrix_rank(A)} independent equations for {p} unknowns); give more, "
            "or more varied, data"
        )


def _pairs(dim):
    """The entries ``(i, j)``, ``i <= j``, of a symmetric matrix: the unknowns of a constant metric."""
    return [(i, j) for i in range(dim) for j in range(i, dim)]


def _constant_design(V, W, dim):
    """The least-squares system ``A p = b`` of a constant metric: ``A`` of shape (N * dim, pairs)."""
    pairs = _pairs(dim)
    N = len(V)
    A = np.zeros((N * dim, len(pairs)))
    for k, (i, j) in enumerate(pairs):
        # G[i, j] = G[j, i] = p_k contributes p_k v_j to row i and p_k v_i to row j
        A[np.arange(N) * dim + i, k] += V[:, j]
        if i != j:
            A[np.arange(N) * dim + j, k] += V[:, i]
    return A, -W.reshape(-1)


def _symmetric(p, dim):
    G = np.zeros((dim, dim))
    for k, (i, j) in enumerate(_pairs(dim)):
        G[i, j] = G[j, i] = p[k]
    return G


def _fit_constant(V, W, dim):
    A, b = _constant_design(V, W, dim)
    _rank_check(A, A.shape[1], "constant")
    p, *_ = np.linalg.lstsq(A, b, rcond=None)
    return _spd(_symmetric(p, dim), lambda G: (V @ G + W).reshape(-1))


def _spd(G, residual):
    """``G`` if positive definite; else the SPD matrix of least ``residual(G)``, refined from G's projection."""
    dim = len(G)
    lam, Q = np.linalg.eigh(G)
    if lam.min() > 1e-10 * max(1.0, abs(lam).max()):
        return G
    from scipy.optimize import least_squares

    # project to SPD, then refine over a Cholesky factor L (G = L L^T, diagonal exp-parametrised)
    lam = np.maximum(lam, 1e-6 * max(1.0, abs(lam).max()))
    L0 = np.linalg.cholesky(Q @ np.diag(lam) @ Q.T)
    tril = np.tril_indices(dim)
    diag = tril[0] == tril[1]

    def unpack(q):
        L = np.zeros((dim, dim))
        vals = np.where(diag, np.exp(q), q)
        L[tril] = vals
        return L

    q0 = L0[tril].copy()
    q0[diag] = np.log(q0[diag])
    res = least_squares(lambda q: residual(unpack(q) @ unpack(q).T), q0)
    L = unpack(res.x)
    return L @ L.T


def fit_metric(
    cost: Scalar,
    states: ArrayLike,
    velocities: ArrayLike,
    family="constant",
    params: Mapping | None = None,
) -> tuple[Metric, float]:
    r"""Estimate a metric from observed velocities, assuming :math:`v_n = -G(x_n)^{-1} dC(x_n)`.

    The condition :math:`G(x_n) v_n = -dC(x_n)` is linear in the metric's
    parameters, which are found by least squares with positive definiteness
    built in:

    - ``"constant"``: a constant symmetric G, by linear least squares; when
      that is not positive definite, projected to the SPD cone and refined
      over a Cholesky factor :math:`G = L L^T` (``scipy.optimize.least_squares``);
    - ``"diagonal"``: :math:`G = \mathrm{diag}(g)`, :math:`g \ge 0` by ``scipy.optimize.nnls``;
    - ``"log-diagonal"``: :math:`G = \mathrm{diag}(g_i / x_i^2)`, diagonal in
      log coordinates (coordinates must not take the value 0), by nnls;
    - a list of Metrics :math:`G_k`: the mixture :math:`G = \sum_k c_k G_k`,
      :math:`c_k \ge 0` by nnls.

    The data fix the scale of G (no rate is fitted: fold it into G).

    Parameters
    ----------
    cost : Scalar
        The states and velocities are in the cost's chart.
    states, velocities : array_like or dask.array.Array, shape (N, dim)
        Dask arrays are reduced chunk by chunk (see Notes), never loaded whole.
    family : {"constant", "diagonal", "log-diagonal"} or list of Metric
    params : dict, optional
        Values of parameters of the cost (or of the candidate metrics), by
        symbol or name.

    Returns
    -------
    metric : Metric
        In the cost's chart, with Float coefficients.
    residual : float
        :math:`\sqrt{\frac1N \sum_n |G(x_n) v_n + dC(x_n)|^2}`.

    Raises
    ------
    DimensionError
        The arrays do not have shape (N, dim).
    DomainError
        A state lies outside the chart's domain.
    FitError
        The data do not determine the metric, or fit no positive-definite member of the family.
    ManifoldMismatchError
        A candidate metric lives on another manifold.
    UnknownParameterError
        A key of ``params`` is no parameter of the cost or of a candidate metric.
    UnboundParameterError
        The cost or a candidate metric uses a parameter ``params`` gives no value
        (also a :class:`~symgrad.FitError`).

    Notes
    -----
    With Dask arrays (chunked along the rows) the least-squares problem
    :math:`A p = b` is solved from its normal equations: each chunk adds its
    :math:`A^T A` and :math:`A^T b`, summed over the chunks on Dask's
    scheduler (a ``dask.distributed`` client, if one is active); a second
    pass sums the squared residuals.  Memory stays at a few chunks, and the
    results equal those of numpy arrays to rounding.  Forming :math:`A^T A`
    squares the condition number, so data whose velocities span a direction
    less than about :math:`10^{-6}` times the largest are refused as not
    determining the metric.

    Examples
    --------
    >>> import numpy as np
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y = sp.symbols("x y", real=True)
    >>> P = sg.Manifold("plane").chart(x, y)
    >>> cost = sg.Scalar(P.manifold, P, x**2 / 2 + y**2 / 2)
    >>> X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0]])
    >>> V = -X / np.array([2.0, 0.5])          # G = diag(2, 0.5): v = -G^{-1} (x, y)
    >>> G, res = sg.fit_metric(cost, X, V, family="diagonal")
    >>> np.round(np.array(G.components(), dtype=float), 6).tolist(), res < 1e-10
    ([[2.0, 0.0], [0.0, 0.5]], True)
    """
    if not isinstance(cost, Scalar):
        raise ArgumentTypeError(f"the cost must be a Scalar, got {type(cost).__name__}")
    if _is_dask(states) or _is_dask(velocities):
        return _fit_chunked(cost, states, velocities, family, params)
    chart = cost.chart
    dim = chart.dim
    X = _numeric_array(states, "states", dim)
    V = _numeric_array(velocities, "velocities", dim)
    if X.shape != V.shape:
        raise DimensionError(f"states and velocities must have one shape, got {X.shape} and {V.shape}")
    for point in X:
        chart.check_point(point)
    M = chart.manifold
    family, candidates = _family(family, M)
    bound = _bound(cost, candidates, params)
    w = differential(cost, simplify="none").components()
    W = _at_states(w, chart, X, bound, "the differential of the cost")[:, :, 0]
    if family != "mixture":
        if family == "constant":
            Gnum = _fit_constant(V, W, dim)
            G = sp.Matrix(dim, dim, lambda i, j: sp.Float(Gnum[i, j]))
            G = (G + G.T) / 2
        elif family in ("diagonal", "log-diagonal"):
            if family == "log-diagonal":
                for c in chart.coords:
                    if chart.domain[c].contains(0) is not sp.false:
                        raise FitError(
                            f"a log-diagonal metric needs coordinates that never vanish; "
                            f"{c} ranges over {chart.domain[c]}"
                        )
                basis = [1 / c**2 for c in chart.coords]
                A = V / X**2
            else:
                basis = [sp.Integer(1)] * dim
                A = V
            g = np.empty(dim)
            for i in range(dim):
                col = A[:, i : i + 1]
                _rank_check(col, 1, family)
                g[i] = _nnls(col, -W[:, i], family)[0]
            if np.any(g <= 0):
                i = int(np.argmin(g))
                raise FitError(
                    f"no positive-definite {family} metric fits the data: the best entry for "
                    f"{chart.coords[i]} is {g[i]:.4g}; is the data a descent flow of this cost?"
                )
            G = sp.diag(*[sp.Float(gi) * b for gi, b in zip(g, basis)])
    else:
        comps = [m.components(chart) for m in candidates]
        cols = [
            np.einsum("nij,nj->ni", _at_states(Gk, chart, X, bound, f"candidate metric {k}"), V).reshape(-1)
            for k, Gk in enumerate(comps)
        ]
        A = np.stack(cols, axis=1)
        G = _mixture(_nnls(A, -W.reshape(-1), "mixture"), comps, dim)
    metric = Metric(M, chart, G)
    Gx = _at_states(metric.components(), chart, X, bound, "the fitted metric")
    resid = np.einsum("nij,nj->ni", Gx, V) + W
    return metric, float(np.sqrt(np.mean(np.sum(resid**2, axis=1))))


def _family(family, M) -> tuple[str, list]:
    """The kind of fit (a family's name, or ``"mixture"``) and the candidate metrics, checked."""
    if isinstance(family, str):
        if family not in ("constant", "diagonal", "log-diagonal"):
            raise FitError(
                f"unknown metric family {family!r}; use 'constant', 'diagonal', 'log-diagonal' "
                "or a list of candidate Metrics"
            )
        return family, []
    try:
        candidates = list(family)
    except TypeError:
        raise FitError("family must be a name or a list of candidate Metrics") from None
    if not candidates:
        raise FitError("the list of candidate metrics is empty")
    for k, m in enumerate(candidates):
        if not isinstance(m, Metric):
            raise ArgumentTypeError(f"candidate {k} of the mixture is a {type(m).__name__}, not a Metric")
        if m.manifold is not M:
            raise ManifoldMismatchError(f"candidate metric {k} lives on {m.manifold.name!r}, the cost on {M.name!r}")
    return "mixture", candidates


def _bound(cost, candidates, params):
    """The values of the parameters of the cost and of the candidate metrics (floats, by Symbol)."""
    chart, M = cost.chart, cost.manifold
    known = _params.symbols(
        cost.components(),
        *(m.components(chart) for m in candidates),
        exclude=chart.coords,
    )
    return _params.bind(
        params,
        known,
        of=f"the cost or the candidate metrics in chart {chart.name!r}",
        coordinates=M.coordinates,
        convert="float",
    )


# -- fitting a metric to data in chunks (Dask arrays) ---------------------------------------------


def _is_dask(value):
    return hasattr(value, "__dask_graph__") and hasattr(value, "chunks")


def _dask_rows(value, name, dim, da):
    """``value`` as a float Dask array of shape (N, dim), chunked along the rows only."""
    arr = da.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise DimensionError(f"{name} must be an array of numbers of shape (N, {dim}), got dtype {arr.dtype}")
    if any(math.isnan(n) for n in arr.shape):
        arr = arr.compute_chunk_sizes()
    if arr.ndim != 2 or arr.shape[1] != dim or arr.shape[0] == 0:
        raise DimensionError(f"{name} must have shape (N, {dim}) with N >= 1, got shape {arr.shape}")
    return arr.astype(float).rechunk({1: -1})


def _check_block(chart, X, V):
    """Raise as the numpy path does for a block: values not finite, states outside the domain (vectorised)."""
    for name, arr in (("states", X), ("velocities", V)):
        if not np.all(np.isfinite(arr)):
            raise DomainError(f"{name} contains values that are not finite numbers")
    ok = np.ones(len(X), dtype=bool)
    for i, c in enumerate(chart.coords):
        iv, col = chart.domain[c], X[:, i]
        ok &= (col > float(iv.start)) if iv.left_open else (col >= float(iv.start))
        ok &= (col < float(iv.end)) if iv.right_open else (col <= float(iv.end))
    if chart.restrictions and ok.any():
        symbols = set().union(*(r.free_symbols for r in chart.restrictions))
        if symbols <= set(chart.coords):
            ok &= _domain.satisfied(chart.restrictions, {c: X[:, i] for i, c in enumerate(chart.coords)}, len(X))
        else:  # restrictions with parameters: the point-by-point check names the missing values
            for point in X:
                chart.check_point(point)
    if not ok.all():
        chart.check_point(X[int(np.argmin(ok))])


def _design(kind, chart, X, V, W, bound, comps):
    """A block's least-squares system ``(A, b)``, a column per unknown (per coordinate, for a diagonal family)."""
    if kind == "constant":
        return _constant_design(V, W, chart.dim)
    if kind in ("diagonal", "log-diagonal"):
        return (V / X**2 if kind == "log-diagonal" else V), -W
    cols = [
        np.einsum("nij,nj->ni", _at_states(Gk, chart, X, bound, f"candidate metric {k}"), V).reshape(-1)
        for k, Gk in enumerate(comps)
    ]
    return np.stack(cols, axis=1), -W.reshape(-1)


def _block_normal(X, V, kind, chart, bound, w, comps):
    """The normal equations of one block: ``A^T A`` and ``A^T b`` (column by column for a diagonal family)."""
    _check_block(chart, X, V)
    W = _at_states(w, chart, X, bound, "the differential of the cost")[:, :, 0]
    A, b = _design(kind, chart, X, V, W, bound, comps)
    if kind in ("diagonal", "log-diagonal"):
        return np.sum(A * A, axis=0), np.sum(A * b, axis=0)
    return A.T @ A, A.T @ b


def _block_residual(X, V, chart, bound, w, G):
    W = _at_states(w, chart, X, bound, "the differential of the cost")[:, :, 0]
    Gx = _at_states(G, chart, X, bound, "the fitted metric")
    return float(np.sum((np.einsum("nij,nj->ni", Gx, V) + W) ** 2))


def _sum(parts):
    return tuple(sum(p[k] for p in parts) for k in range(len(parts[0])))


def _square_root_system(AtA, Atb, what):
    """``(R, c)`` with ``|R p - c|^2 = |A p - b|^2 - const``, from the normal equations; refuses a deficient rank."""
    lam, Q = np.linalg.eigh(AtA)
    p = len(lam)
    keep = lam > max(lam.max(), 0.0) * p * 1e3 * np.finfo(float).eps
    if lam.max() <= 0 or keep.sum() < p:
        raise FitError(
            f"the data do not determine a {what} metric: the velocities span too few directions "
            f"({int(keep.sum()) if lam.max() > 0 else 0} independent equations for {p} unknowns); give more, "
            "or more varied, data"
        )
    root = np.sqrt(lam)
    return root[:, None] * Q.T, (Q.T @ Atb) / root


def _fit_chunked(cost, states, velocities, family, params):
    """:func:`fit_metric` on Dask arrays: the normal equations summed over the chunks, then a residual pass."""
    import dask
    import dask.array as da

    chart, M, dim = cost.chart, cost.manifold, cost.chart.dim
    X = _dask_rows(states, "states", dim, da)
    V = _dask_rows(velocities, "velocities", dim, da)
    if X.shape != V.shape:
        raise DimensionError(f"states and velocities must have one shape, got {X.shape} and {V.shape}")
    V = V.rechunk(X.chunks)
    kind, candidates = _family(family, M)
    if kind == "log-diagonal":
        for c in chart.coords:
            if chart.domain[c].contains(0) is not sp.false:
                raise FitError(
                    f"a log-diagonal metric needs coordinates that never vanish; {c} ranges over {chart.domain[c]}"
                )
    bound = _bound(cost, candidates, params)
    w = differential(cost, simplify="none").components()
    comps = [m.components(chart) for m in candidates]
    _params.require(
        _params.symbols(w, exclude=chart.coords), bound, what="the differential of the cost", errors=_ERRORS
    )
    blocks = list(zip(X.to_delayed().ravel(), V.to_delayed().ravel()))
    normal = dask.delayed(_block_normal, pure=True)
    ((AtA, Atb),) = dask.compute(dask.delayed(_sum)([normal(x, v, kind, chart, bound, w, comps) for x, v in blocks]))
    if kind == "constant":
        R, c = _square_root_system(AtA, Atb, "constant")
        p = np.linalg.solve(AtA, Atb)
        Gnum = _spd(_symmetric(p, dim), lambda G: R @ np.array([G[i, j] for i, j in _pairs(dim)]) - c)
        G = sp.Matrix(dim, dim, lambda i, j: sp.Float(Gnum[i, j]))
        G = (G + G.T) / 2
    elif kind == "mixture":
        R, c = _square_root_system(AtA, Atb, "mixture")
        G = _mixture(_nnls(R, c, "mixture"), comps, dim)
    else:
        if np.any(AtA <= 0):
            raise FitError(
                f"the data do not determine a {kind} metric: the velocities span too few directions "
                f"(0 independent equations for 1 unknown); give more, or more varied, data"
            )
        g = np.maximum(Atb / AtA, 0.0)
        if np.any(g <= 0):
            i = int(np.argmin(g))
            raise FitError(
                f"no positive-definite {kind} metric fits the data: the best entry for "
                f"{chart.coords[i]} is {g[i]:.4g}; is the data a descent flow of this cost?"
            )
        basis = [1 / c**2 for c in chart.coords] if kind == "log-diagonal" else [sp.Integer(1)] * dim
        G = sp.diag(*[sp.Float(gi) * b for gi, b in zip(g, basis)])
    metric = Metric(M, chart, G)
    residual = dask.delayed(_block_residual, pure=True)
    parts = [residual(x, v, chart, bound, w, metric.components()) for x, v in blocks]
    (total,) = dask.compute(dask.delayed(sum)(parts))
    return metric, float(np.sqrt(total / X.shape[0]))
