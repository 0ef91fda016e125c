"""Simplification levels and the structure-aware linear solves that use them.

The documented home of the names below; they are defined in
:mod:`symgrad.core.simplify` (the levels) and :mod:`symgrad.core.linalg` (the
fraction-free solves).

Examples
--------
>>> import sympy as sp
>>> from symgrad.simplify import simplify_expr, solve_metric
>>> x = sp.Symbol("x", positive=True)
>>> simplify_expr((x**2 - 1) / (x - 1), "fast")
x + 1
>>> G = sp.Matrix([[x**-2, 0], [0, 2 * x**-2]])
>>> solve_metric(G, sp.Matrix([1, 1]), "fast").T
Matrix([[x**2, x**2/2]])
"""

from .core.linalg import congruence, matmul, solve_fractions, solve_linear, solve_metric
from .core.simplify import LEVELS, negate, simplify_expr, simplify_matrix

__all__ = [
    "LEVELS",
    "simplify_expr",
    "simplify_matrix",
    "solve_metric",
    "solve_linear",
    "solve_fractions",
    "matmul",
    "congruence",
    "negate",
]
