r"""The kernel of a mean by adaptive quadrature: :math:`\int v(\theta, x)\, p(x)\, dx` at arrays of points.

A flow made by :func:`~symgrad.expected_flow` for an input whose expectation
has neither a closed form nor a fixed quadrature rule (an unbounded support
other than a normal one) keeps the per-sample rule :math:`v(\theta, x)` and the
input's density :math:`p(x)` in closed form; :class:`~symgrad.NumericFlow`
evaluates the mean with :func:`scipy.integrate.quad_vec`, all points at once
(the integrand is the array of every point's components, so one adaptive
subdivision of the input's range serves the whole batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import sympy as sp

from . import _kernels

__all__ = ["MeanKernel", "TAIL"]

#: The density below which a tail point whose rule is not finite counts as no mass.
TAIL = 1e-30


class MeanKernel:
    """``E_x[v(X, x)]`` at arrays of points: the ``dim`` components of ``v``, then the density of ``x``.

    Parameters
    ----------
    exprs : sequence of sympy.Expr
        The per-sample components, then the density :math:`p(x)`.
    coords : sequence of sympy.Symbol
    free : sequence of sympy.Symbol
        The parameters passed at each call (not ``x``).
    x : sympy.Symbol
        The sample variable.
    lo, hi : float
        The input's support (``-inf``/``inf`` allowed).
    """

    __slots__ = ("params", "size", "_inner", "_x_at", "_lo", "_hi")

    def __init__(self, exprs: Sequence[sp.Expr], coords, free: Iterable[sp.Symbol], x: sp.Symbol, lo, hi):
        self._inner = _kernels.Kernel(exprs, coords, [*free, x])
        self.params = tuple(p for p in self._inner.params if p != x)
        self._x_at = self._inner.params.index(x) if x in self._inner.params else None
        self.size = len(exprs) - 1
        self._lo, self._hi = float(lo), float(hi)

    def __call__(self, X: np.ndarray, values: Sequence = (), check: Callable | None = None) -> np.ndarray:
        """The means at the points ``X`` (shape (..., dim)): shape ``(...) + (dim,)``."""
        X = np.asarray(X, dtype=float)
        if check is not None:
            check(X)
        values = list(values)

        def integrand(t):
            given = values[:]
            if self._x_at is not None:
                given.insert(self._x_at, t)
            with np.errstate(all="ignore"):
                out = self._inner(X, given)
                density = out[..., self.size :]
                weighted = out[..., : self.size] * density
            # far out in a tail the formulas may overflow (exp(3 w x) at x = 300, or the density's own
            # exp(-x)/(1 + exp(-x))**2 at x = -800) where the density is negligible or not a number: that
            # stretch of the tail is dropped; a non-finite value where the density is a number above TAIL
            # stays, and the numeric flow reports it
            negligible = ~np.isfinite(density) | (np.abs(density) < TAIL)
            return np.where(~np.isfinite(weighted) & negligible, 0.0, weighted)

        return _kernels.quadrature(integrand, self._lo, self._hi)
