"""Structure-aware, fraction-free linear algebra.

The Riemannian gradient needs ``G^{-1} w``.  :func:`solve_metric` never forms
``G.inv()``: it splits ``G`` into the blocks of its sparsity pattern, divides
on 1x1 blocks and solves the others fraction-free over a polynomial ring
(:meth:`DomainMatrix.solve_den <sympy.polys.matrices.DomainMatrix.solve_den>`),
non-rational subexpressions named as generators first, and returns reduced
fractions, simplified at a named level of :mod:`symgrad.simplify`.
:func:`congruence` computes ``K^T G K`` exactly symmetric; :func:`matmul`
multiplies skipping structural zeros.

Examples
--------
>>> import sympy as sp
>>> from symgrad.simplify import solve_metric
>>> x = sp.Symbol("x", positive=True)
>>> G = sp.Matrix([[x**-2, 0], [0, 2 * x**-2]])
>>> solve_metric(G, sp.Matrix([1, 1]), "fast").T
Matrix([[x**2, x**2/2]])
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.exceptions import DMNonInvertibleMatrixError

from ..budgets import stage
from ..errors import DimensionError, MetricError, NotSymmetricError
from ._domain import decide_zero
from .simplify import Level, finish_fractions, resolve

__all__ = ["solve_metric", "solve_linear", "solve_fractions", "matmul", "congruence"]


def blocks(matrix: sp.MatrixBase) -> list[list[int]]:
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


def check_system(
    A: sp.MatrixBase, b: sp.MatrixBase, what: str = "A x = b", names: tuple[str, str] = ("A", "b")
) -> None:
    """Raise DimensionError unless ``A`` is square and ``b`` a column of its size."""
    n = A.rows
    a, v = names
    if A.cols != n:
        raise DimensionError(f"{what} needs a square matrix {a}; got {a} of shape {A.shape}")
    if b.shape != (n, 1):
        raise DimensionError(
            f"{what} with {a} of shape {A.shape} needs {v} of shape ({n}, 1); got {v} of shape {b.shape}"
        )


def describe(A: sp.MatrixBase) -> str:
    """A matrix in words: its entries when short, else its shape."""
    text = str(A.tolist())
    return text if len(text) <= 200 else f"of shape {A.shape}"


def solve_unchecked(A: sp.MatrixBase, b: sp.MatrixBase) -> list[tuple[sp.Expr, sp.Expr]]:
    """:func:`symgrad.simplify.solve_fractions` without the checks; raises on a singular ``A``."""
    dA = DomainMatrix.from_Matrix(A)
    db = DomainMatrix.from_Matrix(b)
    dA, db = dA.unify(db)
    if dA.domain.is_EX:
        # sympy's slow expression domain: name the non-rational parts first
        gens = _Generators()
        solved = solve_unchecked(A.applyfunc(gens.replace), b.applyfunc(gens.replace))
        out = [(gens.restore(p), gens.restore(q)) for p, q in solved]
        if any(q == 0 for _, q in out):
            # related generators (exp(2 x) and exp(x)) made the system look regular
            raise MetricError("singular")
        return out
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
    domain turns into one over a rational function field (``exp(2 x)`` becomes
    ``g**2`` with ``g = exp(x)``, so common factors in ``exp(x)`` cancel).  Treating related
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
        if isinstance(expr, sp.exp):
            # exp(2 a - b) as exp(a)**2 exp(b)**-1: common factors in exp(a) and exp(b) cancel
            out = sp.Integer(1)
            for term in sp.Add.make_args(expr.exp):
                c, tail = term.as_coeff_Mul(rational=True)
                out *= self._generator(sp.exp(tail / c.q)) ** c.p if c != 0 else 1
            return out
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


def check_symmetric(G: sp.MatrixBase) -> None:
    """Raise NotSymmetricError unless ``G`` is symmetric.

    Mirrored entries are compared as expressions (cheap); only a pair that
    differs is tested for a zero difference.
    """
    dok = G.todok()
    for (i, j), e in dok.items():
        mirror = dok.get((j, i), sp.S.Zero)
        if i == j or (i > j and mirror != 0) or e == mirror:
            continue  # a pair of non-zero entries is compared once, from the upper one
        if decide_zero(e - mirror, {})[0] is False:
            raise NotSymmetricError(
                f"congruence K^T G K needs a symmetric G; entry ({i}, {j}) of G is {e} but entry ({j}, {i}) is {mirror}"
            )


def solve_fractions(A: sp.MatrixBase, b: sp.MatrixBase) -> list[tuple[sp.Expr, sp.Expr]]:
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
    >>> solve_fractions(sp.Matrix([[x, x], [y, y]]), sp.Matrix([1, 0]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.MetricError: the matrix [[x, x], [y, y]] is singular (its determinant is 0), so A x = b ...
    """
    A, b = sp.Matrix(A), sp.Matrix(b)
    check_system(A, b)
    try:
        return solve_unchecked(A, b)
    except (MetricError, DMNonInvertibleMatrixError, ZeroDivisionError):
        raise MetricError(
            f"the matrix {describe(A)} is singular (its determinant is 0), so A x = b has no unique solution"
        ) from None


def solve_linear(A: sp.MatrixBase, b: sp.MatrixBase) -> sp.ImmutableMatrix:
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


@stage("the gradient solve G^-1 w")
def solve_metric(
    G: sp.MatrixBase,
    w: sp.MatrixBase,
    level: Level = "fast",
    factor: Sequence[sp.MatrixBase] | None = None,
) -> sp.ImmutableMatrix:
    """Return ``G^{-1} w`` for a symmetric matrix ``G``, simplified at ``level``.

    Parameters
    ----------
    G : sympy.Matrix, shape (n, n)
        Symmetric and invertible.
    w : sympy.Matrix, shape (n, 1)
    level : str or callable
        A simplification level (see :data:`LEVELS`).
    factor : tuple (J, G0), optional
        A factorisation ``G = J^T G0 J`` (a pullback); with a square ``J``,
        ``G^{-1} w = J^{-1} G0^{-1} J^{-T} w`` is solved in three steps (a
        ``J`` of a map into a larger space has no inverse: ``G`` is solved).

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
    >>> solve_metric(sp.diag(x, 0), sp.Matrix([1, 1]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.MetricError: the matrix is singular: its diagonal entry (1, 1) is 0 and ... must be positive definite
    """
    f = resolve(level)
    G = G if isinstance(G, sp.MatrixBase) else sp.Matrix(G)
    w = w if isinstance(w, sp.MatrixBase) else sp.Matrix(w)
    check_system(G, w, "G^{-1} w", ("G", "w"))
    if factor is not None and factor[0].is_square:
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
        return sp.ImmutableMatrix(finish_fractions(solve_fractions(J, u), f))
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
        x = finish_fractions(pairs, f)
        for k, i in enumerate(idx):
            out[i] = x[k]
    return sp.ImmutableMatrix(out)


def matmul(A: sp.MatrixBase, B: sp.MatrixBase) -> sp.ImmutableMatrix:
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
    >>> matmul(sp.ones(2, 3), sp.ones(2, 2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.DimensionError: cannot multiply a matrix of shape (2, 3) by one of shape (2, 2): ...
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


def congruence(K: sp.MatrixBase, G: sp.MatrixBase, level: Level = "fast") -> sp.ImmutableMatrix:
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
    >>> congruence(sp.eye(2), sp.Matrix([[1, k], [0, 1]]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.NotSymmetricError: congruence K^T G K needs a symmetric G; entry (0, 1) of G is k but ...
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
