"""Coercion of user values to sympy expressions and matrices.

Strings are refused everywhere outside the model-file parser: symgrad never
parses text it was not built to parse.
"""

from __future__ import annotations

import sympy as sp

from ..errors import ExpressionError, UndefinedExpressionError

#: Atoms that no finite real expression holds.
_UNDEFINED = (sp.nan, sp.zoo, sp.oo, -sp.oo, sp.I)


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


def check_defined(expr: sp.Expr, what: str) -> sp.Expr:
    """Return ``expr`` unless it holds ``nan``, ``zoo``, ``oo`` or ``I`` (but as a limit of an integral); then raise.

    A cost, a component or a rate with one of them is no real function of the
    coordinates: left alone, it would give a flow of zeros or NaNs in silence.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> check_defined(x**2, "the cost")
    x**2
    >>> check_defined(x + sp.I, "the cost")
    Traceback (most recent call last):
        ...
    symgrad.errors.UndefinedExpressionError: the cost is x + I, which holds I; it must be a finite real expression
    """
    # the infinite limits of a definite integral (a Fisher metric computed by quadrature) are no values of it
    body = expr.replace(lambda e: isinstance(e, sp.Integral), lambda e: e.function) if expr.has(sp.Integral) else expr
    bad = [a for a in _UNDEFINED if body.has(a)]
    if bad:
        raise UndefinedExpressionError(
            f"{what} is {expr}, which holds {', '.join(map(str, bad))}; it must be a finite real expression"
        )
    return expr
