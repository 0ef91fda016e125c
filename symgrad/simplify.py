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
from sympy.polys.matrices import DomainMatrix

from .errors import SimplifyError

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
    """``-expr`` for an expression already simplified at ``level``.

    ``"fast"`` negates the numerator (expanded, common factors pulled out)
    over the unchanged denominator; ``"none"`` and ``"compact"`` give
    ``-expr``; ``"factor"``, ``"full"`` and callables simplify ``-expr``.

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
    >>> from symgrad.simplify import negate
    >>> x, y = sp.symbols("x y", positive=True)
    >>> negate((x - y) / (x + y), "fast"), negate((x - y) / (x + y), "compact")
    ((-x + y)/(x + y), -(x - y)/(x + y))
    """
    f = resolve(level)
    if f is _fast:
        num, den = sp.fraction(expr)
        return sp.factor_terms(sp.expand(-num)) / den
    if f is _compact or f is _none:
        return -expr
    return f(-expr)


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


def blocks(matrix):
    """The index sets of the diagonal blocks of a square matrix's sparsity pattern.

    Two indices share a block when a chain of non-zero off-diagonal entries joins
    them.  Blocks are returned sorted, each as a sorted list.
    """
    n = matrix.rows
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (i, j), value in matrix.todok().items():
        if i != j and value != 0:
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    groups = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


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

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import solve_fractions
    >>> x, y = sp.symbols("x y", positive=True)
    >>> solve_fractions(sp.Matrix([[x, 1], [1, y]]), sp.Matrix([1, 0]))
    [(y, x*y - 1), (-1, x*y - 1)]
    """
    A, b = sp.Matrix(A), sp.Matrix(b)
    dA = DomainMatrix.from_Matrix(A)
    db = DomainMatrix.from_Matrix(b)
    dA, db = dA.unify(db)
    if dA.domain.is_EX:
        # sympy's slow expression domain: name the non-rational parts first
        gens = _Generators()
        solved = solve_fractions(A.applyfunc(gens.replace), b.applyfunc(gens.replace))
        return [(gens.restore(p), gens.restore(q)) for p, q in solved]
    D = None
    if dA.domain.is_FractionField:
        dA, db, D = _clear_denominators(dA, db)
    K = dA.domain
    num, den = dA.solve_den(db)
    if D is not None:
        den = den * D
    out = []
    for e in num.to_list_flat():
        if K.is_PolynomialRing:
            p, q = e.cancel(den)
            out.append((p.as_expr(), q.as_expr()))
        else:
            out.append(sp.fraction(sp.cancel(K.to_sympy(e) / K.to_sympy(den))))
    return out


class _Generators:
    """Replace the non-rational parts of expressions by symbols, and back.

    Functions (``exp(x)``, ``log(x)``), irrational constants and powers with
    fractional exponents (``x**(3/2)`` becomes ``g**3`` with ``g = x**(1/2)``)
    become dummy symbols, so that a linear system over sympy's slow expression
    domain turns into one over a rational function field.  Treating related
    generators as independent is sound here: substituting them back is a ring
    homomorphism, and the system's determinant does not vanish under it.
    """

    def __init__(self):
        self._dummies = {}

    def _generator(self, expr):
        if expr not in self._dummies:
            self._dummies[expr] = sp.Dummy(f"g{len(self._dummies)}")
        return self._dummies[expr]

    def replace(self, expr):
        if expr.is_Symbol or expr.is_Rational:
            return expr
        if expr.is_Add or expr.is_Mul:
            return expr.func(*[self.replace(a) for a in expr.args])
        if expr.is_Pow and expr.exp.is_Rational:
            base = self.replace(expr.base)
            if expr.exp.is_Integer:
                return base**expr.exp
            p, q = expr.exp.p, expr.exp.q
            return self._generator(expr.base ** sp.Rational(1, q)) ** p
        return self._generator(expr)

    def restore(self, expr):
        return expr.xreplace({d: e for e, d in self._dummies.items()})


def _clear_denominators(dA, db):
    """Bring ``A x = b`` over a rational function field to the polynomial ring.

    ``b`` is multiplied by the lcm ``D`` of its denominators (so ``x = x' / D``)
    and each row of ``A`` by the lcm of that row's denominators: the same
    solutions, over a ring where fraction-free elimination needs no gcds.

    Returns
    -------
    (DomainMatrix, DomainMatrix, PolyElement)
        The scaled ``A`` and ``b`` over the ring, and ``D``.
    """
    ring = dA.domain.get_ring()
    D = ring.one
    for (e,) in db.to_list():
        D = D.lcm(e.denom)
    rows = []
    for ra, (rb,) in zip(dA.to_list(), db.to_list()):
        lcm = ring.one
        for e in ra:
            lcm = lcm.lcm(e.denom)
        rows.append([e.numer * lcm.exquo(e.denom) for e in ra] + [rb.numer * D.exquo(rb.denom) * lcm])
    n = dA.shape[1]
    return (
        DomainMatrix([r[:n] for r in rows], dA.shape, ring),
        DomainMatrix([r[n:] for r in rows], db.shape, ring),
        D,
    )


def solve_linear(A, b):
    """Solve ``A x = b`` fraction-free (see :func:`solve_fractions`).

    Parameters
    ----------
    A : sympy.Matrix, shape (n, n)
        Invertible.
    b : sympy.Matrix, shape (n, 1)

    Returns
    -------
    sympy.Matrix, shape (n, 1)
        The reduced fractions ``numerator / denominator``, not simplified further.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import solve_linear
    >>> x, y = sp.symbols("x y", positive=True)
    >>> solve_linear(sp.Matrix([[x, 1], [1, y]]), sp.Matrix([1, 0])).T
    Matrix([[y/(x*y - 1), -1/(x*y - 1)]])
    """
    return sp.Matrix([p / q for p, q in solve_fractions(A, b)])


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

    Examples
    --------
    Blocks of the sparsity pattern are solved apart, here a 2x2 block and a 1x1 block:

    >>> import sympy as sp
    >>> from symgrad.simplify import solve_metric
    >>> x = sp.Symbol("x", positive=True)
    >>> G = sp.Matrix([[2, 1, 0], [1, 2, 0], [0, 0, x]]) / x
    >>> solve_metric(G, sp.Matrix([1, 0, 1])).T
    Matrix([[2*x/3, -x/3, 1]])
    """
    f = resolve(level)
    if factor is not None:
        J, G0 = factor
        z = solve_linear(J.T, w)
        u = solve_metric(G0, z, "none")
        return sp.ImmutableMatrix(_finish(solve_fractions(J, u), f))
    out = [None] * G.rows
    for idx in blocks(G):
        if len(idx) == 1:
            i = idx[0]
            out[i] = f(w[i] / G[i, i])
            continue
        x = _finish(solve_fractions(G.extract(idx, idx), w.extract(idx, [0])), f)
        for k, i in enumerate(idx):
            out[i] = x[k]
    return sp.ImmutableMatrix(out)


def matmul(A, B):
    """The product of two sympy matrices, skipping structural zeros.

    Parameters
    ----------
    A : sympy.Matrix, shape (n, k)
    B : sympy.Matrix, shape (k, m)
        The shapes are not checked.

    Returns
    -------
    sympy.ImmutableMatrix, shape (n, m)
        Entries are unsimplified sums.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import matmul
    >>> x = sp.Symbol("x", positive=True)
    >>> matmul(sp.Matrix([[1, 1]]), sp.Matrix([x / (x + 1), 1 / (x + 1)]))
    Matrix([[x/(x + 1) + 1/(x + 1)]])
    """
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

    Only the upper triangle is computed; the lower one is its mirror image
    (so a ``G`` that is not symmetric gives a wrong result, not an error).

    Parameters
    ----------
    K : sympy.Matrix, shape (n, m)
    G : sympy.Matrix, shape (n, n)
        Symmetric.
    level : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    sympy.ImmutableMatrix, shape (m, m)

    Raises
    ------
    SimplifyError
        If ``level`` is neither a known name nor callable.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.simplify import congruence
    >>> k = sp.Symbol("k", real=True)
    >>> congruence(sp.Matrix([[1, k], [0, 1]]), sp.eye(2))     # a shear
    Matrix([
    [1,        k],
    [k, k**2 + 1]])
    """
    f = resolve(level)
    P = matmul(matmul(K.T, G), K)
    n = P.rows
    upper = {(i, j): f(P[i, j]) for i in range(n) for j in range(i, n)}
    return sp.ImmutableMatrix(n, n, lambda i, j: upper[(min(i, j), max(i, j))])
