"""Simplification levels: named, swappable simplification of expressions and matrices.

Simplification is a named, swappable parameter.  Five levels are built in:

``"none"``
    leave expressions as they come out of the tensor rules;
``"fast"`` (the default)
    rational canonical form (:func:`sympy.cancel`), the numerator's common
    factors pulled out (:func:`sympy.factor_terms`), a short numerator
    factored into sums when that is shorter (``p*(1 - p)*(m - p*q)``), a
    polynomial denominator factored (:func:`sympy.factor`) and a rational
    constant of the denominator spread over the numerator's terms when that
    is shorter: cheap, predictable and canonical, so that two runs print the
    same expression;
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

The structure-aware linear solves that use these levels live in
:mod:`symgrad.core.linalg`.

Examples
--------
>>> import sympy as sp
>>> from symgrad.simplify import simplify_expr
>>> x = sp.Symbol("x", positive=True)
>>> simplify_expr((x**2 - 1) / (x - 1), "fast")
x + 1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sympy as sp
from sympy.core.mul import _keep_coeff

from ..budgets import stage
from ..errors import SimplifyError

__all__ = [
    "LEVELS",
    "simplify_expr",
    "simplify_matrix",
    "negate",
]


def _none(expr):
    return expr


#: Numerators of at most this many terms are factored over the rationals by "fast" when that is shorter.
FACTOR_TERMS = 12


def _sum_factors(expr):
    """How many sums ``expr`` is a product of, with multiplicity: 2 for ``x*(x - 1)**2``."""
    n = 0
    for f in sp.Mul.make_args(expr):
        base, e = f.as_base_exp()
        if base.is_Add:
            n += int(e) if e.is_Integer and e > 0 else 1
    return n


def _ops(expr):
    """The operation count of ``expr`` without its constant factor."""
    return sp.count_ops(expr.as_coeff_Mul()[1])


def _readable_signs(product):
    """Move the signs of a factored product's sums so that none prints with a leading minus.

    ``(-m + p*q)*(p - 1)`` is ``(m - p*q)*(1 - p)`` and ``-(x - 4)*y`` is
    ``(4 - x)*y``: each sum that prints as ``-a + b`` is negated, and an overall
    minus is then given to a sum that prints as well negated (a sum of odd power).
    """
    coeff, factors = product.as_coeff_mul()
    odd = [i for i, f in enumerate(factors) if f.is_Add]  # only sums to the first power change sign
    factors = list(factors)
    for i in odd:
        if str(factors[i]).startswith("-"):
            factors[i], coeff = -factors[i], -coeff
    if coeff < 0:
        for i in odd:
            if not str(-factors[i]).startswith("-"):
                factors[i], coeff = -factors[i], -coeff
                break
    return _keep_coeff(coeff, sp.Mul(*factors))


def _format(num, den, compact=False):
    """Present a reduced fraction in the level's canonical form.

    The numerator's common factors are pulled out, a polynomial denominator
    factored, and, with ``compact``, a long numerator put in Horner form.
    Without ``compact``, a numerator of at most :data:`FACTOR_TERMS` terms
    that factors into sums over the rationals is factored when that is
    shorter (``p*q - p`` is ``p*(q - 1)`` in any case, ``p - p**2 + p*q - p**2*q``
    becomes ``p*(1 - p)*(q + 1)``), with signs that read well; otherwise, of
    the two placements of a rational constant (in the denominator, or spread
    over the numerator's terms) the shorter is kept.
    """
    if den.is_Add:
        den = sp.factor(den)
    if compact and num.is_Add and len(num.args) > 8:
        try:
            num = sp.horner(num)
        except sp.PolynomialError:
            pass
    top = sp.factor_terms(num)
    split = False
    if not compact and num.is_Add and len(num.args) <= FACTOR_TERMS:
        factored = sp.factor(num)  # p**2 - p*q is p*(p - q): kept when it splits the sum and is shorter
        if _sum_factors(factored) > 1 and _ops(factored) < _ops(top):  # the same verdict for num and -num
            top, split = _readable_signs(factored), True
    out = top / den
    c, rest = den.as_coeff_Mul()
    if c != 1 and num.is_Add and not compact and not split:
        spread = sp.expand(num / c) / rest
        if sp.count_ops(spread) < sp.count_ops(out):
            out = spread
    return _merge_exponentials(out)


def _is_product_of_exponentials(e):
    return e.is_Mul and sum(isinstance(f, sp.exp) for f in e.args) > 1


def _merge_exponentials(expr):
    """Write each product of exponentials as one: ``exp(a)*exp(-b)`` is ``exp(a - b)``."""
    if not expr.has(sp.exp):
        return expr

    def merge(m):
        exps = [f.args[0] for f in m.args if isinstance(f, sp.exp)]
        return sp.Mul(*[f for f in m.args if not isinstance(f, sp.exp)], sp.exp(sp.Add(*exps)))

    return expr.replace(_is_product_of_exponentials, merge)


def _trivial_sums(expr):
    """Evaluate the sums whose terms do not depend on their index: ``Sum(c, (i, 1, N))`` is ``c*N``."""
    if not expr.has(sp.Sum):
        return expr
    return expr.replace(
        lambda e: isinstance(e, sp.Sum) and not (e.function.free_symbols & set(e.variables)),
        lambda e: e.doit(),
    )


#: The most terms a polynomial may expand to before "fast" and "compact" stop cancelling.
MAX_EXPANDED_TERMS = 500


def expanded_terms(expr, cap=MAX_EXPANDED_TERMS + 1):
    """An upper estimate (at most ``cap``) of the number of terms ``expr`` expands to.

    Integer powers of sums count as multinomials, ``(x + 1)**1000`` as 1001
    terms; function calls and other atoms count as one (cancel leaves their
    arguments alone).
    """
    if expr.is_Add:
        return min(cap, sum(expanded_terms(a, cap) for a in expr.args))
    if expr.is_Mul:
        n = 1
        for a in expr.args:
            n = min(cap, n * expanded_terms(a, cap))
        return n
    if expr.is_Pow and expr.exp.is_Integer:
        n, k = expanded_terms(expr.base, cap), abs(int(expr.exp))
        count = 1  # comb(n + k - 1, k), stopped at the cap
        for i in range(1, min(k, n - 1) + 1):
            count = count * (k + i) // i
            if count >= cap:
                return cap
        return count
    return 1


def _cancel(expr):
    """``sympy.cancel``, unless it would expand ``expr`` past :data:`MAX_EXPANDED_TERMS` terms."""
    if expanded_terms(expr) > MAX_EXPANDED_TERMS:
        return sp.factor_terms(sp.together(expr))
    return sp.cancel(expr)


def _fast(expr):
    if expr.is_Atom:
        return expr
    return _format(*sp.fraction(_cancel(_trivial_sums(expr))))


def _compact(expr):
    if expr.is_Atom:
        return expr
    return _format(*sp.fraction(_cancel(_trivial_sums(expr))), compact=True)


def _factor(expr):
    if expr.is_Atom:
        return expr
    return sp.factor(sp.cancel(expr))


def _full(expr):
    if expr.is_Atom:
        return expr
    return sp.factor_terms(sp.simplify(expr))


#: A simplification level: a name of :data:`LEVELS` or a function ``expr -> expr``.
Level = str | Callable[[sp.Expr], sp.Expr]

_BUDGET_REMEDY = (
    "ask for a lighter level (simplify='none' or 'fast'), or give a larger budget "
    "(symgrad.budget(seconds=...) or --timeout on the command line)"
)

#: The named simplification levels.
LEVELS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "none": _none,
    "fast": _fast,
    "compact": _compact,
    "factor": _factor,
    "full": _full,
}


def resolve(level: Level) -> Callable[[sp.Expr], sp.Expr]:
    """Return the simplification function named by ``level`` (or ``level`` itself if callable)."""
    if callable(level):
        return level
    try:
        return LEVELS[level]
    except (KeyError, TypeError):
        raise SimplifyError(
            f"unknown simplification level {level!r}; use one of {sorted(LEVELS)} or a callable expr -> expr"
        ) from None


@stage("simplification", remedy=_BUDGET_REMEDY)
def simplify_expr(expr: sp.Expr | complex, level: Level = "fast") -> sp.Expr:
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
    >>> simplify_expr(e, "fastest")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.SimplifyError: unknown simplification level 'fastest'; use one of [...] or a callable expr -> expr
    """
    return resolve(level)(sp.sympify(expr))


def negate(expr: sp.Expr | complex, level: Level = "fast") -> sp.Expr:
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


@stage("simplification", remedy=_BUDGET_REMEDY)
def simplify_matrix(matrix: sp.MatrixBase, level: Level = "fast") -> sp.ImmutableMatrix:
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


def finish_fractions(pairs: Iterable[tuple[sp.Expr, sp.Expr]], f: Callable[[sp.Expr], sp.Expr]) -> list[sp.Expr]:
    """Simplify solved fractions ``(num, den)`` with the level function ``f``.

    A built-in level whose first step (cancel) the solve has done formats them directly.
    """
    if f is _fast or f is _compact:
        return [_format(p, q, compact=f is _compact) for p, q in pairs]
    return [f(p / q) for p, q in pairs]
