"""Fraction-free linear algebra behind :mod:`symgrad.simplify`.

The sparsity blocks of a matrix, the checks of a linear system, and the solve of
``A x = b`` over a polynomial ring or rational function field (non-rational
subexpressions named as generators first), which returns reduced fractions
without ever forming an inverse.
"""

import sympy as sp
from sympy.polys.matrices import DomainMatrix

from ._domain import decide_zero
from .errors import DimensionError, MetricError, NotSymmetricError


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


def check_system(A, b, what="A x = b", names=("A", "b")):
    """Raise DimensionError unless ``A`` is square and ``b`` a column of its size."""
    n = A.rows
    a, v = names
    if A.cols != n:
        raise DimensionError(f"{what} needs a square matrix {a}; got {a} of shape {A.shape}")
    if b.shape != (n, 1):
        raise DimensionError(
            f"{what} with {a} of shape {A.shape} needs {v} of shape ({n}, 1); got {v} of shape {b.shape}"
        )


def describe(A):
    """A matrix in words: its entries when short, else its shape."""
    text = str(A.tolist())
    return text if len(text) <= 200 else f"of shape {A.shape}"


def solve_unchecked(A, b):
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


def check_symmetric(G):
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
                f"congruence K^T G K needs a symmetric G; entry ({i}, {j}) of G is {e} "
                f"but entry ({j}, {i}) is {mirror}"
            )
