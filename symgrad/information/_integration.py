"""Symbolic integration under a time limit, and the affine factoring of data maps.

Symbolic integration can run for a long time or forever, so it runs under a
time limit (:func:`time_limited`): with ``signal.setitimer`` on the main thread
where the platform has it (the integration is interrupted, nothing keeps
running), otherwise in a daemon worker thread that is abandoned when time is up
(it finishes its work in the background; its result is discarded).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import sympy as sp

from ..budgets import time_limited
from ..errors import (
    IntegrationError,
)
from ._identify import Identification, identify_integral, numeric_integral

#: Default time limit (seconds) of one symbolic integration in family checks.
CHECK_TIMEOUT = 3.0


#: Time limit (seconds) of sympy on one parameter-free integral before it is identified numerically.
CONSTANT_TIMEOUT = 1.0


class Clock:
    """A time budget shared by the integrations of one derivation, and what they identified.

    Parameters
    ----------
    timeout : float or None
        Seconds for all integrations together (None: no limit).
    identify : bool
        Whether a parameter-free integral without a closed form from sympy may
        be identified numerically (:func:`symgrad.information._identify.identify_integral`).

    Attributes
    ----------
    identified : list of Identification
        The constants identified, not proven, in this derivation (empty when
        every closed form came from sympy).

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.information._integration import Clock, integrate
    >>> u = sp.Symbol("u", real=True)
    >>> clock = Clock(10)
    >>> integrate(u**2 * sp.exp(-u - sp.exp(-u)), u, -sp.oo, sp.oo, clock, "a constant")
    EulerGamma**2 + pi**2/6
    >>> len(clock.identified)
    1
    """

    def __init__(self, timeout: float | None, *, identify: bool = True) -> None:
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + float(timeout)
        self.identify = bool(identify)
        self.identified: list[Identification] = []

    def left(self) -> float | None:
        """Seconds left (None for no limit)."""
        return None if self.deadline is None else self.deadline - time.monotonic()


def integrate(expr: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr, clock: Clock, what: str) -> sp.Expr:
    """``int_lo^hi expr d var`` in closed form, or :class:`IntegrationError`.

    The integral runs under the time left on ``clock``; an answer that still
    holds an unevaluated integral, or is not finite, counts as no answer.  A
    parameter-free integral (a constant) goes to :func:`integrate_constant`.
    """
    if _is_constant(expr, var, lo, hi):
        return integrate_constant(expr, var, lo, hi, clock, what)
    try:
        value = time_limited(lambda: sp.integrate(expr, (var, lo, hi), conds="none"), clock.left())
    except TimeoutError:
        raise IntegrationError(
            f"{what}: sympy found no closed form for the integral of {_short(expr)} over "
            f"({lo}, {hi}) within the time limit of {clock.timeout} s; {_REMEDY}"
        ) from None
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError) as err:
        raise IntegrationError(f"{what}: sympy cannot integrate {_short(expr)} ({err}); {_REMEDY}") from None
    if value.has(sp.Integral) or value.has(sp.nan, sp.zoo) or value.has(sp.oo, -sp.oo):
        raise IntegrationError(
            f"{what}: sympy has no closed form for the integral of {_short(expr)} over ({lo}, {hi}); {_REMEDY}"
        )
    return value


def _is_constant(expr, var, lo, hi):
    """Whether the integral is an exact constant: no parameters, no floats (those have no closed form to find)."""
    ends = sp.sympify(lo), sp.sympify(hi)
    return (
        expr.free_symbols <= {var}
        and not (ends[0].free_symbols | ends[1].free_symbols)
        and not any(e.has(sp.Float) for e in (expr, *ends))
    )


def integrate_constant(expr: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr, clock: Clock, what: str) -> sp.Expr:
    """The parameter-free integral ``int_lo^hi expr d var``: sympy's closed form, else an identified one.

    sympy has :data:`CONSTANT_TIMEOUT` seconds (all the time left when
    ``clock.identify`` is False); its answer must be real and agree with
    quadrature to 12 digits (sympy has given wrong branches of such
    integrals).  Otherwise, when ``clock.identify``, the constant is
    identified by an integer relation
    (:func:`~symgrad.information._identify.identify_integral`) and recorded in
    ``clock.identified``; else :class:`IntegrationError`.
    """
    if _odd(expr, var, lo, hi):
        return sp.Integer(0)
    left = clock.left()
    limit = left if not clock.identify or left is None else min(left, CONSTANT_TIMEOUT)
    value = None
    try:
        value = time_limited(lambda: sp.integrate(expr, (var, lo, hi), conds="none"), limit)
    except TimeoutError:
        if not clock.identify:
            raise IntegrationError(
                f"{what}: sympy found no closed form for the integral of {_short(expr)} over "
                f"({lo}, {hi}) within the time limit of {clock.timeout} s; {_REMEDY_CONSTANT}"
            ) from None
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
        value = None
    if value is not None and _closed(value) and _agrees(value, expr, var, lo, hi):
        return value
    if not clock.identify:
        raise IntegrationError(
            f"{what}: sympy has no closed form for the integral of {_short(expr)} over ({lo}, {hi}); {_REMEDY_CONSTANT}"
        )
    try:
        found = time_limited(lambda: identify_integral(expr, var, lo, hi), clock.left())
    except TimeoutError:
        found = None
    if found is None:
        raise IntegrationError(
            f"{what}: the constant integral of {_short(expr)} over ({lo}, {hi}) has no closed form from "
            f"sympy, and no integer relation with the known constants identifies it; {_REMEDY}"
        )
    clock.identified.append(found)
    return found.value


def _odd(expr, var, lo, hi):
    """Whether ``expr`` is odd in ``var`` on a symmetric interval (its integral is then 0)."""
    if sp.sympify(lo) != -sp.sympify(hi):
        return False
    try:
        return time_limited(lambda: sp.cancel(sp.expand(expr + expr.xreplace({var: -var}))) == 0, 0.5)
    except TimeoutError:
        return False


def _closed(value):
    return not (value.has(sp.Integral) or value.has(sp.nan, sp.zoo) or value.has(sp.oo, -sp.oo))


def _agrees(value, expr, var, lo, hi):
    """Whether the closed form ``value`` is real and matches quadrature of the integral to 12 digits."""
    try:
        exact = complex(sp.N(value, 20))
    except (TypeError, ValueError):
        return False
    numeric = numeric_integral(expr, var, lo, hi, 15)
    if numeric is None:  # quadrature gives no verdict: keep sympy's answer if it is real
        return abs(exact.imag) <= 1e-12 * (1 + abs(exact.real))
    return abs(exact.imag) <= 1e-12 * (1 + abs(exact.real)) and abs(exact.real - float(numeric)) <= 1e-10 * (
        1 + abs(exact.real)
    )


def affine_factor(
    g: sp.Expr, x: sp.Symbol, theta: Iterable[sp.Symbol]
) -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Dummy] | None:
    r"""Write ``g`` as :math:`\phi(\alpha x + \beta)` with :math:`\phi` free of ``theta`` and ``x``.

    Searches the subexpressions of ``g``, largest first, for one that is affine
    in ``x`` (:math:`\alpha \ne 0` and :math:`\beta` free of ``x``) and whose
    replacement by a dummy ``U`` leaves an expression free of ``x`` and of the
    symbols ``theta``.

    Returns
    -------
    tuple (alpha, beta, phi, U) or None

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.information._integration import affine_factor
    >>> x, a, b = sp.symbols("x a b", real=True)
    >>> alpha, beta, phi, U = affine_factor(1 / (1 + sp.exp(-(a*x + b))), x, {a, b})
    >>> alpha, beta, phi.xreplace({U: sp.Symbol("u")})
    (-a, -b, 1/(exp(u) + 1))
    """
    U = sp.Dummy("u", real=True)
    theta = set(theta)
    for u in sp.preorder_traversal(g):
        if not isinstance(u, sp.Expr) or x not in u.free_symbols:
            continue
        alpha = sp.cancel(sp.diff(u, x))
        if alpha == 0 or x in alpha.free_symbols:
            continue
        beta = sp.expand(u - alpha * x)
        if x in beta.free_symbols:
            continue
        phi = g.xreplace({u: U})
        if x in phi.free_symbols or phi.free_symbols & theta:
            continue
        return alpha, beta, phi, U
    return None


_REMEDY_CONSTANT = "give a larger timeout=, or let the constant be identified numerically (identify=True)"

_REMEDY = (
    "give a larger timeout=, or, for a Fisher metric, method='expectation' to get the "
    "integrals unevaluated for numeric quadrature"
)


def _short(expr: sp.Basic, n: int = 120) -> str:
    text = str(expr)
    return text if len(text) <= n else text[: n - 3] + "..."
