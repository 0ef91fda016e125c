"""Simplification levels and structure-aware linear solves.

Simplification is a named, swappable parameter.  Five levels are built in:

``"none"``
    leave expressions as they come out of the tensor rules;
``"fast"`` (the default)
    rational canonical form (:func:`sympy.cancel`), the numerator's common
    factors pulled out (:func:`sympy.factor_terms`), a polynomial
    denominator factored (:func:`sympy.factor`) and a rational constant of
    the denominator spread over the numerator's terms when that is shorter:
    cheap, predictable and canonical, so that two runs print the same
    expression;
``"compact"``
    like ``"fast"``, but a constant stays in the denominator and numerators
    of more than 8 terms are put in multivariate Horner form
    (:func:`sympy.horner`): the shortest output for large rational results;
``"factor"``
    rational canonical form, then numerator and denominator factored over the
    rationals (:func:`sympy.factor`): the most readable form of small results;
``"full"``
    :func:`sympy.simplify`, then :func:`sympy.factor_terms`: slowest,
    sometimes shortest, not guaranteed canonical.

Any callable ``f(expr) -> expr`` may be passed instead of a name.

The Riemannian gradient needs ``G^{-1} w``.  :func:`solve_metric` never forms
``G.inv()``: it splits ``G`` into the blocks of its sparsity pattern, divides
on 1x1 blocks and solves the others fraction-free over a polynomial ring
(:meth:`DomainMatrix.solve_den <sympy.polys.matrices.DomainMatrix.solve_den>`).

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

import sympy as sp
from sympy.core.mul import _keep_coeff
from sympy.polys.matrices.exceptions import DMNonInvertibleMatrixError

from ._fraction_free import blocks, check_symmetric, check_system, describe, solve_unchecked
from .errors import DimensionError, MetricError, SimplifyError

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


def _none(expr):
    return expr


def _format(num, den, compact=False):
    """Present a reduced fraction: common factors of the numerator pulled out, a
    polynomial denominator factored, and, with
    ``compact``, a long numerator in Horner form.  Of the two placements of a
    rational constant (in the denominator, or spread over the numerator's
    terms) the shorter is kept."""
    if den.is_Add:
        den = sp.factor(den)
    if compact and num.is_Add and len(num.args) > 8:
        try:
            num = sp.horner(num)
        except sp.PolynomialError:
            pass
    out = sp.factor_terms(num) / den
    c, rest = den.as_coeff_Mul()
    if c != 1 and num.is_Add and not compact:
        spread = sp.expand(num / c) / rest
        if sp.count_ops(spread) < sp.count_ops(out):
            out = spread
    return out


def _fast(expr):
    if expr.is_Atom:
        return expr
    return _format(*sp.fraction(sp.cancel(expr)))


def _compact(expr):
    if expr.is_Atom:
        return expr
    return _format(*sp.fraction(sp.cancel(expr)), compact=True)


def _factor(expr):
    if expr.is_Atom:
        return expr
    return sp.factor(sp.cancel(expr))


def _full(expr):
    if expr.is_Atom:
        return expr
    return sp.factor_terms(sp.simplify(expr))


#: The named simplification levels.
LEVELS = {"none": _none, "fast": _fast, "compact": _compact, "factor": _factor, "full": _full}


def resolve(level):
    """Return the simplification function named by ``level`` (or ``level`` itself if callable)."""
    if callable(level):
        return level
    try:
        return LEVELS[level]
    except (KeyError, TypeError):
        raise SimplifyError(
            f"unknown simplification level {level!r}; use one of {sorted(LEVELS)} "
            "or a callable expr -> expr"
        ) from None


def simplify_expr(expr, level="fast"):
    """Simplify one expression at the named level.

    Parameters
    ----------
    expr : sympy.Expr or number
        Passed through :func:`sympy.sympify` first.
    level : {"none", "fast", "compact", "factor", "full"} or callable
        A level of :data:`LEVELS` (see the module's description), or any
        function ``expr -> expr``.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    SimplifyError
        If ``level`` is neither a known name nor callable.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import simplify_expr
    >>> x = sp.Symbol("x", positive=True)
    >>> e = (x**2 - 1) / (x - 1) + 1 / (2 * x + 2)
    >>> for level in ["none", "fast", "factor"]:
    ...     print(level, simplify_expr(e, level))
    none 1/(2*x + 2) + (x**2 - 1)/(x - 1)
    fast (x**2 + 2*x + 3/2)/(x + 1)
    factor (2*x**2 + 4*x + 3)/(2*(x + 1))
    >>> trig = sp.sin(x)**2 + sp.cos(x)**2
    >>> simplify_expr(trig, "fast"), simplify_expr(trig, "full")
    (sin(x)**2 + cos(x)**2, 1)
    >>> simplify_expr(e, "fastest")
    Traceback (most recent call last):
        ...
    symgrad.errors.SimplifyError: unknown simplification level 'fastest'; use one of ['compact', 'factor', 'fast', 'full', 'none'] or a callable expr -> expr
    """
    return resolve(level)(sp.sympify(expr))


def negate(expr, level="fast"):
    """``-expr`` for an expression already simplified at ``level``, without simplifying again.

    For an expression that ``level`` leaves unchanged the result is exactly
    ``simplify_expr(-expr, level)``, found cheaply: ``"fast"`` and
    ``"compact"`` take the expression apart into numerator and denominator
    (:func:`sympy.fraction`), move a rational constant spread over the
    numerator's terms back to the denominator, and present the negated
    numerator over the denominator as the level does, without a new
    :func:`sympy.cancel`; ``"factor"`` changes the sign of the constant in
    front of the factors; ``"none"`` gives ``-expr``.  ``"full"`` and
    callables have no such shortcut and simplify ``-expr``.

    Parameters
    ----------
    expr : sympy.Expr
        Simplified at ``level``.
    level : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    sympy.Expr

    Raises
    ------
    SimplifyError
        If ``level`` is neither a known name nor callable.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import negate, simplify_expr
    >>> x, y = sp.symbols("x y", positive=True)
    >>> negate((x - y) / (x + y), "fast"), negate((x - y) / (x + y), "compact")
    ((-x + y)/(x + y), (-x + y)/(x + y))
    >>> e = simplify_expr((2 * x - y) / 3, "fast")
    >>> e, negate(e, "fast"), simplify_expr(-e, "fast")
    ((2*x - y)/3, (-2*x + y)/3, (-2*x + y)/3)
    >>> negate(simplify_expr((x - y) / (x + y), "factor"), "factor")
    -(x - y)/(x + y)
    """
    f = resolve(level)
    expr = sp.sympify(expr)
    if f is _none:
        return -expr
    if (f is _fast or f is _compact) and not expr.has(sp.I):
        # (over the Gaussian rationals cancel keeps complex coefficients unexpanded)
        if expr.is_Atom:
            return -expr
        num, den = _fraction_parts(expr)
        if den.is_Number:
            # as after cancel: a sum over a constant is a sum of fractions
            return _format(*sp.fraction(-num / den), compact=f is _compact)
        return _format(-num, den, compact=f is _compact)
    if f is _factor:
        c, rest = expr.as_coeff_Mul()
        return _keep_coeff(-c, rest)
    return f(-expr)


def _fraction_parts(expr):
    """The numerator and denominator that :func:`_format` was given for ``expr``.

    The numerator comes back expanded, over integer coefficients (a rational
    constant spread over its terms returns to the denominator); the
    denominator stays as presented (factored), which :func:`_format` keeps.
    """
    num, den = sp.fraction(expr)
    num = sp.expand_mul(num)
    lcm = 1
    for term in sp.Add.make_args(num):
        c = term.as_coeff_Mul()[0]
        if c.is_Rational and c.q != 1:
            lcm = sp.ilcm(lcm, c.q)
    if lcm != 1:
        num = sp.expand_mul(lcm * num)
        c, rest = den.as_coeff_Mul()
        den = _keep_coeff(c * lcm, rest)
    return num, den


def simplify_matrix(matrix, level="fast"):
    """Simplify every entry of a matrix.

    Parameters
    ----------
    matrix : sympy.Matrix
        Of any shape.
    level : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    sympy.ImmutableMatrix
        Of the same shape.

    Raises
    ------
    SimplifyError
        If ``level`` is neither a known name nor callable.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import simplify_matrix
    >>> x = sp.Symbol("x", positive=True)
    >>> simplify_matrix(sp.Matrix([[(x**2 - 1) / (x - 1), x / x**3]]))
    Matrix([[x + 1, x**(-2)]])
    """
    f = resolve(level)
    return sp.ImmutableMatrix(matrix.rows, matrix.cols, [f(e) for e in matrix])


def solve_fractions(A, b):
    """Solve ``A x = b`` fraction-free; returns each ``x_i`` as a reduced pair ``(num, den)``.

    The system is converted to a :class:`~sympy.polys.matrices.DomainMatrix` over
    the smallest polynomial ring or rational function field that holds its
    entries (non-polynomial subexpressions such as ``exp(x)`` become
    generators), solved without fractions, and each entry reduced against the
    common denominator inside that domain, so no expression is re-parsed.

    Parameters
    ----------
    A : sympy.Matrix, shape (n, n)
        Invertible.
    b : sympy.Matrix, shape (n, 1)

    Returns
    -------
    list of (sympy.Expr, sympy.Expr)
        ``(numerator, denominator)`` of each ``x_i``, without common factors.

    Raises
    ------
    DimensionError
        If ``A`` is not square or ``b`` is not a column of matching length.
    MetricError
        If ``A`` is singular (its determinant is identically 0).

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import solve_fractions
    >>> x, y = sp.symbols("x y", positive=True)
    >>> solve_fractions(sp.Matrix([[x, 1], [1, y]]), sp.Matrix([1, 0]))
    [(y, x*y - 1), (-1, x*y - 1)]
    >>> solve_fractions(sp.Matrix([[x, x], [y, y]]), sp.Matrix([1, 0]))
    Traceback (most recent call last):
        ...
    symgrad.errors.MetricError: the matrix [[x, x], [y, y]] is singular (its determinant is 0), so A x = b has no unique solution
    """
    A, b = sp.Matrix(A), sp.Matrix(b)
    check_system(A, b)
    try:
        return solve_unchecked(A, b)
    except (MetricError, DMNonInvertibleMatrixError, ZeroDivisionError):
        raise MetricError(
            f"the matrix {describe(A)} is singular (its determinant is 0), so A x = b has no unique solution"
        ) from None


def solve_linear(A, b):
    """Solve ``A x = b`` fraction-free; the arguments and errors of :func:`solve_fractions`.

    Returns
    -------
    sympy.ImmutableMatrix, shape (n, 1)
        The reduced fractions ``numerator / denominator``, not simplified further.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import solve_linear
    >>> x, y = sp.symbols("x y", positive=True)
    >>> solve_linear(sp.Matrix([[x, 1], [1, y]]), sp.Matrix([1, 0])).T
    Matrix([[y/(x*y - 1), -1/(x*y - 1)]])
    """
    pairs = solve_fractions(A, b)
    return sp.ImmutableMatrix(len(pairs), 1, [p / q for p, q in pairs])


def _finish(pairs, f):
    """Simplify solved fractions at level ``f``, formatting directly when ``f``
    is a built-in level whose first step (cancel) the solve has done."""
    if f is _fast or f is _compact:
        return [_format(p, q, compact=f is _compact) for p, q in pairs]
    return [f(p / q) for p, q in pairs]


def solve_metric(G, w, level="fast", factor=None):
    """Return ``G^{-1} w`` for a symmetric matrix ``G``, simplified at ``level``.

    Parameters
    ----------
    G : sympy.Matrix, shape (n, n)
        Symmetric and invertible.
    w : sympy.Matrix, shape (n, 1)
    level : str or callable
        A simplification level (see :data:`LEVELS`).
    factor : tuple (J, G0), optional
        A factorisation ``G = J^T G0 J`` (a pullback); then
        ``G^{-1} w = J^{-1} G0^{-1} J^{-T} w`` is solved in three steps.

    Returns
    -------
    sympy.ImmutableMatrix, shape (n, 1)

    Raises
    ------
    SimplifyError
        If ``level`` is neither a known name nor callable.
    DimensionError
        If ``G`` is not square or ``w`` is not a column of matching length.
    MetricError
        If ``G`` (or a factor ``J`` or ``G0``) is singular: a 1x1 block that
        is 0, or a larger block with determinant 0.

    Examples
    --------
    Blocks of the sparsity pattern are solved apart, here a 2x2 block and a 1x1 block:

    >>> import sympy as sp
    >>> from symgrad.simplify import solve_metric
    >>> x = sp.Symbol("x", positive=True)
    >>> G = sp.Matrix([[2, 1, 0], [1, 2, 0], [0, 0, x]]) / x
    >>> solve_metric(G, sp.Matrix([1, 0, 1])).T
    Matrix([[2*x/3, -x/3, 1]])
    >>> solve_metric(sp.diag(x, 0), sp.Matrix([1, 1]))
    Traceback (most recent call last):
        ...
    symgrad.errors.MetricError: the matrix is singular: its diagonal entry (1, 1) is 0 and no off-diagonal entry couples coordinate 1 to another, so G^{-1} w does not exist; a metric must be positive definite
    """
    f = resolve(level)
    G = G if isinstance(G, sp.MatrixBase) else sp.Matrix(G)
    w = w if isinstance(w, sp.MatrixBase) else sp.Matrix(w)
    check_system(G, w, "G^{-1} w", ("G", "w"))
    if factor is not None:
        J, G0 = factor
        try:
            z = solve_linear(J.T, w)
        except MetricError:
            raise MetricError(
                f"the matrix is singular: its factor J = {describe(J)} in G = J^T G0 J has "
                "determinant 0, so G^{-1} w does not exist; a metric must be positive definite"
            ) from None
        try:
            u = solve_metric(G0, z, "none")
        except MetricError as err:
            raise MetricError(f"{err} (in the factor G0 of G = J^T G0 J)") from None
        return sp.ImmutableMatrix(_finish(solve_fractions(J, u), f))
    out = [None] * G.rows
    for idx in blocks(G):
        if len(idx) == 1:
            i = idx[0]
            d = G[i, i]
            if d == 0 or d.is_zero:
                raise MetricError(
                    f"the matrix is singular: its diagonal entry ({i}, {i}) is 0 and no off-diagonal "
                    f"entry couples coordinate {i} to another, so G^{{-1}} w does not exist; "
                    "a metric must be positive definite"
                )
            out[i] = f(w[i] / d)
            continue
        try:
            pairs = solve_fractions(G.extract(idx, idx), w.extract(idx, [0]))
        except MetricError:
            raise MetricError(
                f"the matrix is singular: the block of coordinates {idx} has determinant 0, so "
                "G^{-1} w does not exist; a metric must be positive definite"
            ) from None
        x = _finish(pairs, f)
        for k, i in enumerate(idx):
            out[i] = x[k]
    return sp.ImmutableMatrix(out)


def matmul(A, B):
    """The product of two sympy matrices, skipping structural zeros.

    Parameters
    ----------
    A : sympy.Matrix, shape (n, k)
    B : sympy.Matrix, shape (k, m)

    Returns
    -------
    sympy.ImmutableMatrix, shape (n, m)
        Entries are unsimplified sums.

    Raises
    ------
    DimensionError
        If the number of columns of ``A`` is not the number of rows of ``B``.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import matmul
    >>> x = sp.Symbol("x", positive=True)
    >>> matmul(sp.Matrix([[1, 1]]), sp.Matrix([x / (x + 1), 1 / (x + 1)]))
    Matrix([[x/(x + 1) + 1/(x + 1)]])
    >>> matmul(sp.ones(2, 3), sp.ones(2, 2))
    Traceback (most recent call last):
        ...
    symgrad.errors.DimensionError: cannot multiply a matrix of shape (2, 3) by one of shape (2, 2): the first has 3 columns, the second 2 rows
    """
    if A.cols != B.rows:
        raise DimensionError(
            f"cannot multiply a matrix of shape {A.shape} by one of shape {B.shape}: "
            f"the first has {A.cols} columns, the second {B.rows} rows"
        )
    rows_b = {}
    for (k, j), v in B.todok().items():
        rows_b.setdefault(k, []).append((j, v))
    terms = {}
    for (i, k), u in A.todok().items():
        for j, v in rows_b.get(k, ()):
            terms.setdefault((i, j), []).append(u * v)
    return sp.ImmutableMatrix(A.rows, B.cols, lambda i, j: sp.Add(*terms.get((i, j), ())))


def congruence(K, G, level="fast"):
    """``K^T G K`` for a symmetric ``G``, simplified at ``level``, exactly symmetric.

    Only the upper triangle is computed; the lower one is its mirror image.

    Parameters
    ----------
    K : sympy.Matrix, shape (n, m)
    G : sympy.Matrix, shape (n, n)
        Symmetric: mirrored entries are equal expressions, or their
        difference is zero.
    level : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    sympy.ImmutableMatrix, shape (m, m)

    Raises
    ------
    SimplifyError
        If ``level`` is neither a known name nor callable.
    DimensionError
        If ``G`` is not square or ``K`` does not have as many rows as ``G``.
    NotSymmetricError
        If ``G`` is not symmetric.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import congruence
    >>> k = sp.Symbol("k", real=True)
    >>> congruence(sp.Matrix([[1, k], [0, 1]]), sp.eye(2))     # a shear
    Matrix([
    [1,        k],
    [k, k**2 + 1]])
    >>> congruence(sp.eye(2), sp.Matrix([[1, k], [0, 1]]))
    Traceback (most recent call last):
        ...
    symgrad.errors.NotSymmetricError: congruence K^T G K needs a symmetric G; entry (0, 1) of G is k but entry (1, 0) is 0
    """
    f = resolve(level)
    if G.rows != G.cols:
        raise DimensionError(f"congruence K^T G K needs a square G; got G of shape {G.shape}")
    if K.rows != G.rows:
        raise DimensionError(
            f"congruence K^T G K needs K with as many rows as G; got K of shape {K.shape} and G of shape {G.shape}"
        )
    check_symmetric(G)
    P = matmul(matmul(K.T, G), K)
    n = P.rows
    upper = {(i, j): f(P[i, j]) for i in range(n) for j in range(i, n)}
    return sp.ImmutableMatrix(n, n, lambda i, j: upper[(min(i, j), max(i, j))])
