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
from ..core import _domain
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
    for u, (alpha, beta) in _affine_parts(g, x, with_subexpression=True):
        phi = g.xreplace({u: U})
        if x in phi.free_symbols or phi.free_symbols & theta:
            continue
        return alpha, beta, phi, U
    return None


# -- Fisher matrices of densities with a location or scale moved out of the integrals ----------


def reduced_fisher(pdf: sp.Expr, x: sp.Symbol, support: sp.Interval, theta, clock: Clock) -> sp.MatrixBase | None:
    r"""The Fisher matrix in ``theta`` of ``pdf``, a location or a scale moved out of its integrals.

    Two structures, each checked before use:

    * a periodic density over one full period, :math:`p(x + L) = p(x)` with
      :math:`L = hi - lo` free of ``theta``, and a location :math:`m` (from a
      subexpression :math:`x - m` of ``pdf``): :math:`x = m + u` leaves the
      integrals over one period in :math:`u`, shift-invariant;
    * a density on :math:`(0, \infty)` and a scale :math:`s > 0`:
      :math:`x = s u`.

    What remains, :math:`f(u)`, may still depend on ``theta``; the scores are
    taken in :math:`u`, a power :math:`u^c` of ``f`` (``c > 0``) is substituted
    (:math:`v = u^c`), and each integral is split into coefficients times
    integrals free of the parameters where it can be (:func:`_split_integral`;
    :math:`\int e^{c\cos u} \cos(nu)\,du = 2\pi I_n(c)` over a period).

    Returns
    -------
    sympy.Matrix or None
        None when neither structure applies or an integral has no closed form
        (the caller integrates directly).
    """
    from ..core.simplify import simplify_matrix

    found = _reduce(pdf, x, support, list(theta))
    if found is None:
        return None
    m, s, f, u, lo, hi = found
    logf = sp.expand_log(sp.log(f), force=True)
    psi = sp.diff(logf, u)
    scores = [sp.diff(logf, t) - (psi * (sp.diff(m, t) + u * sp.diff(s, t)) + sp.diff(s, t)) / s for t in theta]
    weight, v = f, u
    if (lo, hi) == (0, sp.oo):
        weight, scores, v = _power_substitution(f, scores, u, theta)
    n = len(theta)
    G = sp.zeros(n, n)
    try:
        for i in range(n):
            for j in range(i, n):
                G[i, j] = G[j, i] = _split_integral(scores[i] * scores[j] * weight, v, lo, hi, clock)
    except IntegrationError:
        if clock.left() is not None and clock.left() <= 0:
            raise
        return None
    return simplify_matrix(G.applyfunc(_gamma_tidy), "fast")


def _gamma_tidy(entry):
    """Gamma functions and polygammas of shifted arguments combined (time-limited)."""
    if not entry.has(sp.gamma, sp.polygamma):
        return entry
    try:
        return time_limited(lambda: sp.gammasimp(sp.expand_func(entry)), 1.0)
    except TimeoutError:
        return entry


def _affine_parts(expr, x, with_subexpression=False):
    """``(alpha, beta)`` of the subexpressions ``alpha x + beta`` of ``expr`` (``alpha`` nonzero, free of ``x``).

    With ``with_subexpression``: ``(subexpression, (alpha, beta))``.
    """
    for sub in sp.preorder_traversal(expr):
        if not isinstance(sub, sp.Expr) or x not in sub.free_symbols:
            continue
        alpha = sp.cancel(sp.diff(sub, x))
        if alpha == 0 or x in alpha.free_symbols:
            continue
        beta = sp.expand(sub - alpha * x)
        if x not in beta.free_symbols:
            yield (sub, (alpha, beta)) if with_subexpression else (alpha, beta)


def _periodic(pdf, x, period):
    """Whether ``pdf(x + period) == pdf(x)`` (checked symbolically, time-limited)."""
    try:
        return time_limited(lambda: sp.simplify(pdf.xreplace({x: x + period}) - pdf) == 0, 2.0)
    except TimeoutError:
        return False


def _reduce(pdf, x, support, theta):
    """``(m, s, f, u, lo, hi)``: ``pdf(x) = f((x - m)/s)/s`` with the integrals over ``(lo, hi)`` in ``u``."""
    ts = set(theta)
    lo, hi = support.start, support.end
    u = sp.Dummy("u", positive=(lo, hi) == (0, sp.oo), real=True)
    candidates = []
    if lo.is_finite and hi.is_finite and not (support.free_symbols & ts):
        for alpha, beta in _affine_parts(pdf, x):
            m = sp.cancel(-beta / alpha)
            if m.free_symbols & ts and m not in [c[0] for c in candidates]:
                candidates.append((m, sp.Integer(1)))
        if candidates and not _periodic(pdf, x, hi - lo):
            candidates = []
    elif (lo, hi) == (0, sp.oo):
        scales = [sp.cancel(1 / alpha) for alpha, beta in _affine_parts(pdf, x) if beta == 0]
        scales += [t for t in sorted(ts & pdf.free_symbols, key=sp.default_sort_key) if t.is_positive]
        candidates = [(sp.Integer(0), sc) for sc in dict.fromkeys(scales)]
    for m, sc in candidates:
        moved = (m.free_symbols | sc.free_symbols) & ts
        if not moved or _domain.ask(sc, "positive") is not True:
            continue
        f = _free_of(sc * pdf.xreplace({x: m + sc * u}), moved)
        if f is not None:
            return m, sc, f, u, lo, hi
    return None


def _free_of(expr, symbols):
    """``expr`` rewritten free of ``symbols`` by cheap steps, or None."""
    steps = (
        lambda e: e,
        lambda e: sp.powsimp(sp.expand_power_base(e, force=True), force=True),
        sp.cancel,
        lambda e: sp.cancel(sp.powsimp(e.replace(lambda n: n.func is sp.exp, lambda n: sp.exp(sp.expand(n.args[0]))))),
    )
    for step in steps:
        try:
            expr = time_limited(lambda e=expr, step=step: step(e), 1.0)
        except (TimeoutError, sp.PolynomialError):
            return None
        if not expr.free_symbols & symbols:
            return expr
    return None


def _power_substitution(f, scores, u, theta):
    """``v = u**c`` for a power ``u**c`` of ``f`` with ``c > 0`` depending on ``theta``, on ``(0, oo)``."""
    ts = set(theta)
    powers = [p.exp for p in f.atoms(sp.Pow) if p.base == u and p.exp.free_symbols & ts]
    for c in powers:
        if _domain.ask(c, "positive") is not True:
            continue
        v = sp.Dummy("v", positive=True)
        back = {u: v ** (1 / c)}

        def tidy(e, v=v, back=back):
            e = sp.expand_log(sp.powsimp(e.xreplace(back), force=True), force=True)
            return e.replace(lambda n: n.is_Pow and n.base == v, lambda n: v ** sp.cancel(sp.expand(n.exp)))

        weight = tidy(f * v ** (1 / c - 1) / c)
        if u not in weight.free_symbols:
            return weight, [tidy(sc) for sc in scores], v
    return f, scores, u


def _split_integral(expr, v, lo, hi, clock):
    """``int_lo^hi expr dv``, term by term: coefficients free of ``v`` times integrals in ``v`` alone."""
    parts = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, rest = term.as_independent(v, as_Add=False)
        parts[rest] = parts.get(rest, 0) + coeff
    total = sp.Integer(0)
    for rest, coeff in parts.items():
        value = _bessel_period(rest, v, lo, hi)
        if value is None:
            value = _gamma_moment(rest, v, lo, hi)
        if value is None:
            value = integrate(rest, v, lo, hi, clock, "a reduced Fisher integral")
        total += coeff * value
    return total


def _gamma_moment(expr, v, lo, hi):
    r"""``int_0^oo v**a log(v)**m exp(-b v) dv`` as :math:`\partial_a^m \Gamma(a + 1) b^{-a - 1}`, or None.

    For ``a > -1``, ``b > 0`` free of ``v`` and an integer ``m >= 0``.
    """
    if (lo, hi) != (0, sp.oo):
        return None
    a, m, b = sp.Integer(0), 0, None
    for factor in sp.Mul.make_args(expr):
        base, e = factor.as_base_exp()
        if base == v and v not in e.free_symbols:
            a += e
        elif base.func is sp.log and base.args[0] == v and e.is_Integer and e > 0:
            m += int(e)
        elif factor.func is sp.exp and b is None:
            b, rest = factor.args[0].as_independent(v, as_Add=False)
            if rest != v:
                return None
            b = -b
        else:
            return None
    if b is None or _domain.ask(b, "positive") is not True or _domain.ask(a + 1, "positive") is not True:
        return None
    s = sp.Dummy("s", positive=True)
    value = sp.diff(sp.gamma(s + 1) * b ** (-s - 1), s, m).xreplace({s: a})
    return sp.expand(sp.expand_func(value)) if a.is_number else value


def _bessel_period(expr, u, lo, hi):
    r"""``int exp(c cos u) P(cos u, sin u) du`` over one period, by :math:`2\pi I_n(c)`, or None.

    ``P`` a polynomial; written in :math:`z = e^{iu}`, each :math:`z^n` gives
    :math:`2\pi I_{|n|}(c)` (reduced to :math:`I_0, I_1` by the recurrence).
    """
    if sp.simplify(hi - lo - 2 * sp.pi) != 0:
        return None
    exps = [e for e in sp.Mul.make_args(expr) if e.func is sp.exp and u in e.free_symbols]
    if len(exps) != 1:
        return None
    c, cos_u = exps[0].args[0].as_independent(u, as_Add=False)
    if cos_u != sp.cos(u):
        return None
    z = sp.Dummy("z")
    poly = sp.expand(
        sp.expand_trig(expr / exps[0]).xreplace({sp.cos(u): (z + 1 / z) / 2, sp.sin(u): (z - 1 / z) / (2 * sp.I)})
    )
    if u in poly.free_symbols:
        return None
    try:
        terms = sp.Poly(sp.expand(poly * z ** sp.Integer(64)), z).terms()
    except sp.PolynomialError:
        return None
    bessel = [sp.besseli(0, c), sp.besseli(1, c)]
    total = sp.Integer(0)
    for (k,), a in terms:
        n = abs(k - 64)
        while len(bessel) <= n:
            j = len(bessel) - 1
            bessel.append(sp.expand(bessel[j - 1] - 2 * j / c * bessel[j]))
        total += a * 2 * sp.pi * bessel[n]
    return sp.expand(total)  # the imaginary coefficients of z**n and z**-n cancel


_REMEDY_CONSTANT = "give a larger timeout=, or let the constant be identified numerically (identify=True)"

_REMEDY = (
    "give a larger timeout=, or, for a Fisher metric, method='expectation' to get the "
    "integrals unevaluated for numeric quadrature"
)


def _short(expr: sp.Basic, n: int = 120) -> str:
    text = str(expr)
    return text if len(text) <= n else text[: n - 3] + "..."
