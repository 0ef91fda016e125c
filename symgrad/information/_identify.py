r"""Closed forms of parameter-free integrals, identified by integer relations.

When sympy finds no closed form for a constant :math:`c = \int_a^b f(u)\,du`
(``f`` free of parameters), :func:`identify_integral` evaluates it by
tanh-sinh quadrature (mpmath) to high precision and searches an integer
relation :math:`n_0 c + n_1 b_1 + \dots + n_k b_k = 0` (PSLQ) against a basis
of known constants :math:`b_i` (:data:`BASIS`): :math:`1, \pi, \pi^2, \log 2,
\gamma, \gamma^2, \zeta(3)`, Catalan's constant, :math:`\sqrt{\pi}`, ...

A relation is searched with the first :data:`FOUND_DIGITS` digits only and
accepted only when it holds to :data:`VERIFIED_DIGITS` digits, far more than
were used to find it: a chance relation among the numbers (the coefficients
PSLQ can fit to :math:`d` digits are about :math:`10^{d/k}`) does not survive
the extra digits.  A constant so found is *identified*, not proven; each one
is recorded as an :class:`Identification` (the integral, the closed form, the
relation, the digits), which the derivation keeps with its result.

Examples
--------
>>> import sympy as sp
>>> from symgrad.information._identify import identify_integral
>>> u = sp.Symbol("u", real=True)
>>> found = identify_integral(u**2 * sp.exp(-u - sp.exp(-u)), u, -sp.oo, sp.oo)
>>> found.value
EulerGamma**2 + pi**2/6
>>> found.found_digits, found.verified_digits
(40, 80)
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy as sp

__all__ = ["BASIS", "FOUND_DIGITS", "VERIFIED_DIGITS", "Identification", "identify_integral", "identify_number"]

#: Digits with which an integer relation is searched.
FOUND_DIGITS = 40

#: Digits to which a relation must hold to be accepted (the constant is computed to more).
VERIFIED_DIGITS = 80

#: The largest coefficient of a relation that is searched.
MAX_COEFF = 10**6

_G, _PI, _L2 = sp.EulerGamma, sp.pi, sp.log(2)

#: The bases searched in turn, smallest first (a small basis needs fewer digits).
BASIS: tuple[tuple[sp.Expr, ...], ...] = (
    (sp.Integer(1), _PI, _PI**2),
    (sp.Integer(1), _PI, _PI**2, _G, _G**2, _L2, _L2**2, sp.sqrt(_PI), 1 / _PI),
    (
        sp.Integer(1),
        _PI,
        _PI**2,
        _PI**3,
        _PI**4,
        _G,
        _G**2,
        _G * _PI**2,
        _G * _L2,
        _L2,
        _L2**2,
        _PI * _L2,
        sp.zeta(3),
        sp.Catalan,
        sp.sqrt(_PI),
        sp.sqrt(2),
        sp.sqrt(3),
        1 / _PI,
        1 / _PI**2,
    ),
)


@dataclass(frozen=True)
class Identification:
    r"""A constant whose closed form was identified numerically, not proven.

    Attributes
    ----------
    integral : sympy.Integral
        The parameter-free integral (unevaluated).
    value : sympy.Expr
        The closed form found for it.
    relation : tuple of int
        :math:`(n_0, n_1, \dots)` with :math:`n_0 c + \sum n_i b_i = 0`.
    basis : tuple of sympy.Expr
        The constants :math:`b_i` of the relation.
    found_digits, verified_digits : int
        The digits the relation was found with, and the digits it holds to.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.information._identify import identify_number
    >>> import mpmath
    >>> with mpmath.workdps(100):
    ...     found = identify_number(mpmath.pi ** 2 / 6 + 1)
    >>> found.value, found.relation
    (1 + pi**2/6, (6, -6, 0, -1))
    """

    integral: sp.Expr | None
    value: sp.Expr
    relation: tuple[int, ...]
    basis: tuple[sp.Expr, ...]
    found_digits: int
    verified_digits: int

    def __str__(self) -> str:
        what = "the constant" if self.integral is None else str(self.integral)
        return (
            f"{what} = {self.value} (identified by an integer relation found with "
            f"{self.found_digits} digits and verified to {self.verified_digits}, not proven)"
        )


def identify_number(
    value: mpmath.mpf,
    *,
    found_digits: int = FOUND_DIGITS,
    verified_digits: int = VERIFIED_DIGITS,
    integral: sp.Expr | None = None,
) -> Identification | None:
    r"""A closed form of ``value`` in the constants of :data:`BASIS`, or None.

    Parameters
    ----------
    value : mpmath.mpf
        The constant, correct to more than ``verified_digits`` digits.
    found_digits : int
        The digits the relation is searched with.
    verified_digits : int
        The digits the relation must hold to.
    integral : sympy.Expr, optional
        What ``value`` is, for the record.

    Returns
    -------
    Identification or None
        None when no relation holds to ``verified_digits`` digits.

    Examples
    --------
    >>> import mpmath
    >>> from symgrad.information._identify import identify_number
    >>> with mpmath.workdps(100):
    ...     print(identify_number(mpmath.euler ** 2 - 3 * mpmath.zeta(3) / 7).value)
    -3*zeta(3)/7 + EulerGamma**2
    >>> with mpmath.workdps(100):
    ...     identify_number(mpmath.mpf(2) ** mpmath.mpf("0.123456789")) is None
    True
    """
    value = mpmath.mpf(value)
    if value == 0:
        return Identification(integral, sp.Integer(0), (1,), (), found_digits, verified_digits)
    for basis in BASIS:
        with mpmath.workdps(verified_digits + 20):
            exact = [value] + [mpmath.mpf(sp.N(b, verified_digits + 20)) for b in basis]
            scale = max(abs(e) for e in exact)
        with mpmath.workdps(found_digits):
            coarse = [+e for e in exact]  # rounded to found_digits digits
            try:
                rel = mpmath.pslq(
                    coarse, tol=mpmath.mpf(10) ** (5 - found_digits) * scale, maxcoeff=MAX_COEFF, maxsteps=4000
                )
            except (ValueError, ZeroDivisionError):
                rel = None
        if not rel or rel[0] == 0:
            continue
        with mpmath.workdps(verified_digits + 20):
            residual = abs(mpmath.fsum(n * e for n, e in zip(rel, exact)))
            if residual > mpmath.mpf(10) ** (-verified_digits) * scale * max(abs(n) for n in rel):
                continue
        closed = -sp.Add(*[sp.Integer(n) * b for n, b in zip(rel[1:], basis)]) / rel[0]
        used = tuple(rel)
        return Identification(integral, sp.expand(closed), used, basis, found_digits, verified_digits)
    return None


def _cut(fn, end, sign, dps):
    """A finite end beyond which ``fn`` is below 10^-(dps + 20), or the infinite ``end``."""
    tiny = mpmath.mpf(10) ** (-dps - 20)
    small = 0
    for k in range(0, 14):
        t = sign * mpmath.mpf(2) ** k
        try:
            v = abs(fn(t))
        except (OverflowError, ZeroDivisionError, ValueError):
            v = mpmath.inf
        small = small + 1 if v < tiny else 0
        if small == 2:
            return t
    return end


def numeric_integral(expr: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr, dps: int) -> mpmath.mpf | None:
    """``int_lo^hi expr d var`` by tanh-sinh quadrature to about ``dps`` digits (None: not converged).

    Infinite ends where the integrand decays fast are cut where it is below
    :math:`10^{-(dps + 20)}` (an astronomically large argument would be slow
    to evaluate).
    """
    fn = sp.lambdify(var, expr, "mpmath", cse=True)
    with mpmath.workdps(dps + 10):
        a = -mpmath.inf if lo == -sp.oo else mpmath.mpf(sp.N(lo, dps + 10))
        b = mpmath.inf if hi == sp.oo else mpmath.mpf(sp.N(hi, dps + 10))
        if a == -mpmath.inf:
            a = _cut(fn, a, -1, dps)
        if b == mpmath.inf:
            b = _cut(fn, b, 1, dps)
        points = [a, 0, b] if a < 0 < b else [a, b]
        try:
            value, err = mpmath.quad(fn, points, error=True, maxdegree=10)
        except (OverflowError, ZeroDivisionError, ValueError, TypeError):
            return None
        if not mpmath.isfinite(value) or err > mpmath.mpf(10) ** (-dps) * max(1, abs(value)):
            return None
        if mpmath.im(value) != 0:
            return None
        return mpmath.mpf(mpmath.re(value))


def identify_integral(
    expr: sp.Expr,
    var: sp.Symbol,
    lo: sp.Expr,
    hi: sp.Expr,
    *,
    found_digits: int = FOUND_DIGITS,
    verified_digits: int = VERIFIED_DIGITS,
) -> Identification | None:
    r"""A closed form of the parameter-free integral :math:`\int_{lo}^{hi} expr \, d var`, or None.

    The integral is evaluated to ``verified_digits + 10`` digits by tanh-sinh
    quadrature, then :func:`identify_number` searches a relation with
    ``found_digits`` digits and checks it to ``verified_digits``.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.information._identify import identify_integral
    >>> u = sp.Symbol("u", real=True)
    >>> f = sp.exp(-u) / (1 + sp.exp(-u)) ** 2
    >>> identify_integral(u**2 * f, u, -sp.oo, sp.oo).value
    pi**2/3
    """
    value = numeric_integral(expr, var, lo, hi, verified_digits + 10)
    if value is None:
        return None
    with mpmath.workdps(verified_digits + 10):
        if abs(value) < mpmath.mpf(10) ** (-found_digits):
            size = numeric_integral(abs(expr), var, lo, hi, 15)
            if size is not None and abs(value) <= mpmath.mpf(10) ** (-verified_digits) * size:
                value = mpmath.mpf(0)  # zero to the digits verified: the terms cancel
        return identify_number(
            value,
            found_digits=found_digits,
            verified_digits=verified_digits,
            integral=sp.Integral(expr, (var, lo, hi)),
        )
