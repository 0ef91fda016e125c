"""Lambdified kernels: lists of expressions as numpy code, evaluated block by block.

A :class:`Kernel` is one ``lambdify`` with common-subexpression elimination of a
list of expressions in a chart's coordinates and some free parameters.  It
evaluates them on whole arrays of points; large arrays run in blocks of
:data:`CHUNK` points, whose temporaries stay in the processor's cache.  The
kernels of :class:`~symgrad.NumericFlow` (flow, metric, cost) are made here.
"""

import math

import numpy as np
import sympy as sp

#: The modules ``lambdify`` prints for: scipy's special functions first, then numpy.
_MODULES = ["scipy", "numpy"]

#: Points per block in evaluations of large arrays (see :class:`Kernel`).
CHUNK = 16384


class Kernel:
    """One list of expressions, lambdified once: ``f(*coords, *params)`` -> list of entries.

    Large arrays of points are evaluated in blocks of :data:`CHUNK` points, so that the
    temporaries of the generated code stay in the processor's cache (as numexpr does):
    at 10^6 points this is about twice as fast as one numpy expression on whole arrays.
    """

    __slots__ = ("params", "size", "_f")

    def __init__(self, exprs, coords, free):
        used = set().union(*(e.free_symbols for e in exprs))
        self.params = tuple(p for p in free if p in used)
        self.size = len(exprs)
        self._f = sp.lambdify(list(coords) + list(self.params), list(exprs), modules=_MODULES, cse=True)

    def _fill(self, out, X, values):
        for i, r in enumerate(self._f(*(X[..., k] for k in range(X.shape[-1])), *values)):
            out[..., i] = r  # broadcasts constant entries

    def __call__(self, X, values, check=None):
        """The entries at the points ``X`` (shape (..., dim)), stacked on a last axis.

        ``values`` are the parameters' values (floats, or arrays that broadcast with the
        points); ``check(block)``, if given, is called on each block of points first.
        Returns an array of shape ``(...) + (size,)``.
        """
        lead = np.broadcast_shapes(X.shape[:-1], *(np.shape(v) for v in values))
        count = math.prod(lead)
        if count <= CHUNK:
            if check is not None:
                check(X)
            out = np.empty(lead + (self.size,))
            self._fill(out, X, values)
            return out
        dim = X.shape[-1]
        X = np.broadcast_to(X, lead + (dim,)).reshape(count, dim)
        values = [v if np.ndim(v) == 0 else np.broadcast_to(v, lead).reshape(count) for v in values]
        out = np.empty((count, self.size))
        for start in range(0, count, CHUNK):
            block = slice(start, start + CHUNK)
            if check is not None:
                check(X[block])
            self._fill(out[block], X[block], [v if np.ndim(v) == 0 else v[block] for v in values])
        return out.reshape(lead + (self.size,))
