"""Coercion of user values to sympy expressions and matrices.

Strings are refused everywhere outside the model-file parser: symgrad never
parses text it was not built to parse.
"""

from __future__ import annotations

import sympy as sp

from ..errors import ExpressionError


def as_expr(value: object, what: str) -> sp.Expr:
    """Convert a Python number or sympy object to a sympy expression.

    Strings are refused: symgrad never parses text outside its model-file parser.
    """
    if isinstance(value, str):
        raise ExpressionError(
            f"{what} is the string {value!r}; symgrad does not parse strings here, "
            "pass a sympy expression built from sympy Symbols"
        )
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise ExpressionError(f"{what} is {value!r}, which is not a sympy expression") from None
    if not isinstance(expr, sp.Expr):
        raise ExpressionError(f"{what} is {value!r}, which is not a scalar sympy expression")
    return expr


def as_matrix(value: object, what: str) -> sp.MutableDenseMatrix:
    """Convert a sympy Matrix or nested sequences of expressions to a sympy Matrix.

    Every entry goes through :func:`as_expr`, so strings are refused here too.
    """
    if isinstance(value, sp.MatrixBase):
        bad = [e for e in set(value) if not isinstance(e, sp.Expr)]
        if bad:
            raise ExpressionError(f"{what} has the entry {bad[0]!r}, which is not a scalar sympy expression")
        return sp.Matrix(value)
    else:
        try:
            rows = [list(row) if not isinstance(row, (str, sp.Basic)) else [row] for row in value]
        except TypeError:
            raise ExpressionError(
                f"{what} must be a matrix (a sympy Matrix or a list of rows), got {value!r}"
            ) from None
    return sp.Matrix(
        [[as_expr(v, f"{what} entry ({i}, {j})") for j, v in enumerate(row)] for i, row in enumerate(rows)]
    )
