r"""Expectations under a family, and the one dispatch of the Fisher information.

:func:`expect` takes :math:`E[h(x)]` in closed form (moment by moment for
polynomials, else by symbolic integration or summation under a time budget);
:func:`fisher_information` is the generic function that computes a family's
Fisher matrix, with one registered rule per kind of family.  Nothing here
imports a family module above :mod:`symgrad.information.families`: the rules of
densities are registered by :mod:`symgrad.information.densities` itself.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import sympy as sp

from ..core.linalg import congruence
from ..core.simplify import simplify_expr, simplify_matrix
from ..errors import FamilyError, IntegrationError
from ._integration import Clock, integrate, time_limited
from .families import Family
from .multivariate import MultivariateNormal


def bounds(family: Family) -> tuple[sp.Expr, sp.Expr]:
    """The lower and upper ends of ``family``'s support (integers for discrete families)."""
    s = family.support
    if family.discrete:
        return s.inf, s.sup
    return s.start, s.end


def expect(
    family: Family,
    h: sp.Expr,
    x: sp.Symbol,
    clock: Clock,
    what: str,
    moments: dict[int, sp.Expr] | None = None,
) -> sp.Expr:
    """:math:`E[h(x)]` under ``family`` (its pdf in ``x``), in closed form or IntegrationError."""
    h = sp.sympify(h)
    if x not in h.free_symbols:
        return h
    pdf = family.pdf(x)
    lo, hi = bounds(family)
    if family.discrete:
        return sum_terms(h * pdf, x, lo, hi, clock, what)
    if h.is_polynomial(x):
        moments = {} if moments is None else moments
        total = sp.Integer(0)
        for (k,), c in sp.Poly(h, x).terms():
            if k not in moments:
                moments[k] = sp.Integer(1) if k == 0 else integrate(x**k * pdf, x, lo, hi, clock, what)
            total += c * moments[k]
        return total
    return integrate(h * pdf, x, lo, hi, clock, what)


def sum_terms(term: sp.Expr, k: sp.Symbol, lo: sp.Expr, hi: sp.Expr, clock: Clock, what: str) -> sp.Expr:
    """``sum_{k=lo}^{hi} term`` in closed form (term by term when short), or IntegrationError."""
    if lo.is_Integer and hi.is_Integer and hi - lo < 1000:
        return sp.Add(*[term.xreplace({k: sp.Integer(i)}) for i in range(int(lo), int(hi) + 1)])
    try:
        value = time_limited(lambda: sp.summation(term, (k, lo, hi)), clock.left())
    except TimeoutError:
        raise IntegrationError(
            f"{what}: sympy found no closed form for the sum of {term} within {clock.timeout} s"
        ) from None
    if value.has(sp.Sum) or value.has(sp.nan, sp.zoo):
        raise IntegrationError(f"{what}: sympy has no closed form for the sum of {term}")
    return value


@functools.singledispatch
def data_symbol(family: Family) -> sp.Symbol:
    """The symbol of the data variable over which ``family``'s pdf is integrated (or summed)."""
    if family.discrete:
        return sp.Dummy("k", integer=True, nonnegative=True)
    return sp.Dummy("x", real=True)


def integrated_fisher(family: Family, theta: Sequence[sp.Symbol], clock: Clock) -> sp.ImmutableMatrix:
    r"""Fisher matrix w.r.t. the symbols ``theta``: :math:`E[-\partial_i\partial_j \log p]`."""
    if isinstance(family, MultivariateNormal):
        raise FamilyError("symbolic integration of the Fisher information is for one-dimensional families")
    x = data_symbol(family)
    lo, hi = bounds(family)
    moving = (sp.sympify(lo).free_symbols | sp.sympify(hi).free_symbols) & set(theta)
    if moving:
        raise FamilyError(
            f"the support ({lo}, {hi}) of {family!r} depends on {', '.join(sorted(map(str, moving)))}; "
            "the family is not regular and has no Fisher information metric"
        )
    logp = sp.expand_log(family.log_pdf(x), force=True)
    scores = [sp.diff(logp, t) for t in theta]
    n = len(theta)
    moments = {}
    what = f"the Fisher information of {family!r}"
    G = sp.zeros(n, n)
    for i in range(n):
        for j in range(i, n):
            try:
                v = expect(family, -sp.diff(scores[i], theta[j]), x, clock, what, moments)
            except IntegrationError:
                if clock.left() is not None and clock.left() <= 0:
                    raise
                v = expect(family, scores[i] * scores[j], x, clock, what, moments)
            G[i, j] = G[j, i] = v
    return simplify_matrix(G, "fast")


def standard_constants(base: Family, clock: Clock) -> list[sp.Expr]:
    r"""``(c_m, c_s, c_ms)`` of a location-scale family built on ``base`` as its standard law."""
    x = data_symbol(base)
    psi = sp.diff(sp.expand_log(base.log_pdf(x), force=True), x)
    what = f"the location-scale constants of {base!r}"
    c_m = expect(base, psi**2, x, clock, what)
    c_s = expect(base, sp.expand((1 + x * psi) ** 2), x, clock, what)
    c_ms = expect(base, sp.expand(psi * (1 + x * psi)), x, clock, what)
    return [simplify_expr(c, "fast") for c in (c_m, c_s, c_ms)]


@functools.singledispatch
def fisher_information(family: Family, theta: Iterable[sp.Symbol], method: str, clock: Clock) -> sp.MatrixBase:
    """The Fisher information matrix of ``family`` with respect to the symbols ``theta``.

    The one place that dispatches on the kind of family: a named family's closed form
    pulled back through its parameter map (or integrated, with ``method="integrate"``
    or when it has none); :mod:`symgrad.information.densities` registers the rules of
    densities given by expressions and of transformed densities.
    """
    theta = list(theta)
    if method == "integrate":
        return integrated_fisher(family, theta, clock)
    if type(family).fisher_matrix is Family.fisher_matrix:  # a user's family without a closed form
        if method == "closed":
            raise IntegrationError(f"{family!r} has no closed-form Fisher matrix; use method='auto'")
        return integrated_fisher(family, theta, clock)
    J = sp.Matrix(family.parameters).jacobian(theta)
    return congruence(J, family.fisher_matrix(), "fast")
