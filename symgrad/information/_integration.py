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

#: Default time limit (seconds) of one symbolic integration in family checks.
CHECK_TIMEOUT = 3.0


class Clock:
    """A time budget shared by the integrations of one derivation."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + float(timeout)

    def left(self) -> float | None:
        """Seconds left (None for no limit)."""
        return None if self.deadline is None else self.deadline - time.monotonic()


def integrate(expr: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr, clock: Clock, what: str) -> sp.Expr:
    """``int_lo^hi expr d var`` in closed form, or :class:`IntegrationError`.

    The integral runs under the time left on ``clock``; an answer that still
    holds an unevaluated integral, or is not finite, counts as no answer.
    """
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


_REMEDY = (
    "give a larger timeout=, or, for a Fisher metric, method='expectation' to get the "
    "integrals unevaluated for numeric quadrature"
)


def _short(expr: sp.Basic, n: int = 120) -> str:
    text = str(expr)
    return text if len(text) <= n else text[: n - 3] + "..."
