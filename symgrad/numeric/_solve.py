r"""Flows solved numerically: :math:`G(x)\, v = -\eta\, dC(x)` at every point of an array.

A :class:`~symgrad.GradientFlow` made with ``solve="numeric"`` (or by
``solve="auto"`` when the closed form of :math:`G^{-1} dC` takes too long)
keeps the metric :math:`G` and the differential :math:`dC` in closed form and
solves the linear system numerically where it is evaluated.  Here is the
kernel of such a flow, :class:`SolveKernel`: the upper triangle of ``G`` and
the right-hand side ``-eta dC`` lambdified once, together, with common
subexpressions shared (a pulled-back metric :math:`J^T J` and the
differential :math:`J^T r` share ``J``), then one batched solve per block of
points (:func:`solve`).  It has the interface of
:class:`~symgrad.numeric._kernels.Kernel`, so :class:`~symgrad.NumericFlow`,
its integration, its discrete steps and the plots use it unchanged.

Where ``G`` is singular the solution is NaN; :func:`check_singular` turns that
into a :class:`~symgrad.SingularMetricError` that names the point.

Examples
--------
>>> import numpy as np
>>> import sympy as sp
>>> from symgrad.numeric._solve import SolveKernel, system_entries
>>> x, y = sp.symbols("x y", real=True)
>>> k = SolveKernel(system_entries(sp.Matrix([[2, 0], [0, 1 + x**2]]), sp.Matrix([-4, -2 * x])), (x, y))
>>> k(np.array([[1.0, 0.0], [0.0, 5.0]]))
array([[-2., -1.],
       [-2., -0.]])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import sympy as sp

from ..errors import SingularMetricError
from . import _kernels, _validate

__all__ = ["SolveKernel", "check_singular", "flow_entries", "solve", "system_entries"]

#: Up to this dimension the symmetric positive-definite systems are solved by a batched
#: Cholesky factorisation and vectorised substitution; beyond it by ``numpy.linalg.solve``,
#: LAPACK's LU per point, which measured as fast or faster from 3 x 3 up (numpy 2.4).
CHOLESKY_MAX_DIM = 2

#: A system whose condition number exceeds this counts as singular (its solution is NaN).
MAX_CONDITION = 1 / np.finfo(float).eps


def system_entries(G: sp.MatrixBase, b: sp.MatrixBase) -> list[sp.Expr]:
    """The upper triangle of ``G`` (row by row) followed by ``b``: what a :class:`SolveKernel` lambdifies."""
    n = G.rows
    return [G[i, j] for i in range(n) for j in range(i, n)] + list(b)


def flow_entries(flow, chart) -> list[sp.Expr]:
    """:func:`system_entries` of a flow solved numerically, in ``chart``: its metric and ``-eta dC``."""
    return system_entries(*flow.system(chart))


def _substitute(L, b):
    """``x`` with ``L L^T x = b`` for stacks of lower-triangular ``L`` (n, d, d) and ``b`` (n, d)."""
    d = b.shape[-1]
    y = np.empty_like(b)
    for i in range(d):
        y[:, i] = (b[:, i] - np.einsum("nj,nj->n", L[:, i, :i], y[:, :i])) / L[:, i, i]
    x = np.empty_like(b)
    for i in reversed(range(d)):
        x[:, i] = (y[:, i] - np.einsum("nj,nj->n", L[:, i + 1 :, i], x[:, i + 1 :])) / L[:, i, i]
    return x


def _general(A, b):
    """Solutions of systems that are not all positive definite: NaN where ``A`` is (numerically) singular."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        pass
    out = np.full(b.shape, np.nan)
    good = np.linalg.cond(A) < MAX_CONDITION
    try:
        out[good] = np.linalg.solve(A[good], b[good][..., None])[..., 0]
    except np.linalg.LinAlgError:  # pragma: no cover - a condition number below the bound, yet a zero pivot
        for k in np.flatnonzero(good):
            try:
                out[k] = np.linalg.solve(A[k], b[k])
            except np.linalg.LinAlgError:
                pass
    return out


def solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``v`` with ``A v = b`` for stacks ``A`` (n, d, d) and ``b`` (n, d); NaN where ``A`` is singular or not finite.

    Symmetric positive-definite systems (every metric on its domain) of up to
    :data:`CHOLESKY_MAX_DIM` coordinates are solved by a batched Cholesky
    factorisation and two vectorised triangular solves, larger ones by
    ``numpy.linalg.solve``.  When some system of the batch is not positive
    definite, or singular, the batch falls back to ``numpy.linalg.solve``
    (LU with partial pivoting) and, if that finds a singular system, solves
    the systems one by one, leaving NaN where the condition number exceeds
    :data:`MAX_CONDITION`.

    Examples
    --------
    >>> import numpy as np
    >>> from symgrad.numeric._solve import solve
    >>> A = np.array([[[2.0, 0.0], [0.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]]])
    >>> solve(A, np.array([[2.0, 2.0], [1.0, 1.0]]))
    array([[1. , 0.5],
           [nan, nan]])
    """
    if b.ndim != 2:  # points on a grid, shape (..., d): solved as one stack, given back in that shape
        lead, d = b.shape[:-1], b.shape[-1]
        return solve(A.reshape((-1, d, d)), b.reshape((-1, d))).reshape(lead + (d,))
    out = np.full(b.shape, np.nan)
    ok = np.isfinite(A).all(axis=(-1, -2)) & np.isfinite(b).all(axis=-1)
    every = bool(ok.all())
    A, b = (A, b) if every else (A[ok], b[ok])
    if not len(b):
        return out
    v = None
    if b.shape[-1] <= CHOLESKY_MAX_DIM:
        try:
            v = _substitute(np.linalg.cholesky(A), b)
        except np.linalg.LinAlgError:
            pass
    if v is None:
        v = _general(A, b)
    if every:
        return v
    out[ok] = v
    return out


def _divide(diag, b):
    """``b / diag``: the solutions of diagonal systems; NaN where a diagonal entry is zero or not finite."""
    with np.errstate(all="ignore"):
        v = b / diag
    singular = (diag == 0).any(axis=-1) | ~np.isfinite(v).all(axis=-1)
    v[singular] = np.nan
    return v


class SolveKernel:
    r"""The kernel of a flow solved numerically: ``G v = b`` at arrays of points, ``v`` stacked on a last axis.

    Parameters
    ----------
    entries : sequence of sympy.Expr
        :func:`system_entries` of ``G`` (``dim x dim``, symmetric) and ``b`` (``dim``).
    coords : sequence of sympy.Symbol
        The ``dim`` symbols whose values are the last axis of the points.
    free : sequence of sympy.Symbol
        Parameters whose values are passed at each call (as for
        :class:`~symgrad.numeric._kernels.Kernel`).

    Attributes
    ----------
    params : tuple of sympy.Symbol
    size : int
        ``dim``: the number of values per point (the number of coordinates).
    """

    __slots__ = ("params", "size", "_inner", "_rows", "_cols", "_diagonal")

    def __init__(self, entries: Sequence[sp.Expr], coords: Sequence[sp.Symbol], free: Iterable = ()):
        self.size = d = len(coords)
        rows, cols = np.triu_indices(d)
        upper, rhs = list(entries[: len(rows)]), list(entries[len(rows) :])
        # only the entries that are not structurally zero are computed (a diagonal metric: d of d (d + 1) / 2)
        kept = [k for k, e in enumerate(upper) if e != 0]
        self._rows, self._cols = rows[kept], cols[kept]
        self._inner = _kernels.Kernel([upper[k] for k in kept] + rhs, coords, free)
        self.params = self._inner.params
        # a diagonal G with no zero on its diagonal is solved by a division
        self._diagonal = len(kept) == d and bool((self._rows == self._cols).all())

    def system(self, X: np.ndarray, values: Sequence = (), check: Callable | None = None):
        """``(G, b)`` at the points ``X`` (shape (..., dim)): shapes ``(...) + (dim, dim)`` and ``(...) + (dim,)``."""
        return self._system(self._inner(X, values, check))

    def _system(self, flat):
        d, m = self.size, len(self._rows)
        G = np.zeros(flat.shape[:-1] + (d, d))
        G[..., self._rows, self._cols] = flat[..., :m]
        G[..., self._cols, self._rows] = flat[..., :m]
        return G, flat[..., m:]

    def __call__(self, X: np.ndarray, values: Sequence = (), check: Callable | None = None) -> np.ndarray:
        """The solutions ``v`` at the points ``X``, shape ``(...) + (dim,)``; NaN where ``G`` is singular.

        As :meth:`Kernel.__call__ <symgrad.numeric._kernels.Kernel.__call__>`: arrays
        of more than :data:`~symgrad.numeric._kernels.CHUNK` points go block by block,
        each block solved as soon as its entries are computed.
        """
        return self._inner(X, values, check, finish=self._solve)

    def _solve(self, flat):
        if self._diagonal:
            return _divide(flat[..., : self.size], flat[..., self.size :])
        return solve(*self._system(flat))


def check_singular(num, kernel, out: np.ndarray, X: np.ndarray, values: Sequence) -> None:
    """Raise SingularMetricError if ``out`` is not finite at a point where the system is: ``G`` is singular there.

    ``num`` is the :class:`~symgrad.NumericFlow`, ``kernel`` its flow's kernel
    (nothing is checked unless it is a :class:`SolveKernel`), ``out`` its
    values at the points ``X`` and the parameter values ``values``.
    """
    if not isinstance(kernel, SolveKernel) or np.isfinite(out).all():
        return
    bad = ~np.all(np.isfinite(out), axis=-1)
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    point = np.broadcast_to(X, bad.shape + (num.dim,))[index]
    here = [np.broadcast_to(v, bad.shape)[index] for v in values]
    with np.errstate(all="ignore"):
        G, b = kernel.system(point[None], [np.asarray(v).reshape(1) for v in here])
    if not (np.isfinite(G).all() and np.isfinite(b).all()):
        return  # the metric or the differential itself is not finite: the caller's check says so
    where = f" at index {index} of X" if index else ""
    raise SingularMetricError(
        f"the metric is singular at {_validate.at(num, point, list(zip(kernel.params, here)))}{where}, a point of "
        f"the domain of chart {num.chart.name!r}: the flow solves G v = -eta dC numerically there "
        f"(condition number {np.linalg.cond(G[0]):.3g}), and G v = -eta dC has no unique solution"
    )
