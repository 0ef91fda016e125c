r"""Definite integrals in the JAX backend: a fixed double-exponential rule written in ``jax.numpy``.

A flow may hold definite integrals over one variable between numeric limits:
a mean over an input by adaptive quadrature (:func:`~symgrad.expected_flow`
with ``method="adaptive"``), a metric by ``fisher_metric(...,
method="numeric")``.  Both backends integrate over the variable ``t`` of the same
double-exponential change of variables (Takahasi and Mori,
:func:`symgrad.numeric._kernels.de_map`) that fits the range; the scipy
backend adaptively, with :func:`scipy.integrate.quad_vec`
(:func:`symgrad.numeric._kernels.quadrature`), and here, so that the field
jits and vmaps, by a fixed rule, the trapezoidal rule of step :data:`STEP`:

- :math:`[a, b]`: tanh-sinh, :math:`x = \frac{a+b}{2} + \frac{b-a}{2}\tanh(\frac{\pi}{2}\sinh t)`;
- :math:`[a, \infty)` and :math:`(-\infty, b]`: exp-sinh, :math:`x = a + e^{\frac{\pi}{2}\sinh t}`;
- :math:`(-\infty, \infty)`: sinh-sinh, :math:`x = \sinh(\frac{\pi}{2}\sinh t)`.

That is :func:`rule`: 1025 nodes on the infinite line, 1281 on a half-line and 1537
on a finite range (fewer where a node would round to a finite
end, so that a density singular at an end, :math:`x^{k-1}` with
:math:`k < 1`, is never evaluated there), the same for every point.  The
integrand is the one the scipy backend integrates, the tail weighting
included (:func:`~symgrad.numeric._kernels.tail_weighting`: far in a tail, where the density is below
:data:`~symgrad.numeric._kernels.TAIL`, a point whose value is not finite
counts as no mass).

Accuracy.  The rule converges double-exponentially for integrands analytic
inside the range (singular at most at its ends) that decay at infinite ends.
On the infinite line the nodes are about ``0.012`` apart near 0, ``0.02`` at
:math:`|x| = 1`, ``0.27`` at 10, ``0.63`` at 20 and ``4.4`` at 100.  A normal
density whose standard deviation is about twice the spacing where it lies or
more (0.5 at :math:`|x| = 10`, 1 at 20) is integrated to about 1e-15 relative;
so are, as checked against :func:`scipy.integrate.quad_vec` at tight
tolerances and against closed forms, gamma densities (shape 0.1 to 30,
singular at 0 below 1), beta, logistic, Student and Cauchy densities, weighted
by smooth functions.  An integrand singular at a finite end other than 0 loses
the nodes that round to that end: about 1e-8 relative for
:math:`1/\sqrt{1 - x^2}` on :math:`[-1, 1]`.  A narrower density is not
resolved: each integral is also computed with every other node (step
``2 * STEP``) and, where the two values differ by more than :data:`CHECK`
times the integral of :math:`|f|` (the double-exponential error then being
about the square of that or less), its value is NaN, so that the member fails
rather than follow a wrong flow.  A density much narrower than the spacing can
fall between the nodes unseen, which only the adaptive quadrature of
``backend='scipy'`` detects.  Integrands that are not smooth in the variable
(``Abs``, ``Piecewise``, ``sign``, ``Heaviside``, ``Min``, ``Max``, ``floor``,
...: a fixed rule converges slowly across a kink or a jump) and integrals the
scipy backend does not compute either (limits that depend on coordinates or
parameters, several variables, an integral inside an integrand) are refused
with an :class:`~symgrad.errors.ArgumentTypeError` naming ``backend='scipy'``.

Examples
--------
>>> import numpy as np
>>> from symgrad.numeric._jax_quadrature import rule
>>> x, w, _ = rule(0.0, np.inf)
>>> float(np.sum(w * np.exp(-x)))  # the integral of e^-x over (0, oo)
1.0
>>> x, w, _ = rule(0.0, 1.0)
>>> round(float(np.sum(w * np.log(x) / np.sqrt(x))), 12)  # -4, singular at 0
-4.0
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import ArgumentTypeError
from . import _codegen, _kernels

__all__ = ["CHECK", "STEP", "field", "rule"]

#: The step of the trapezoidal rule in the variable ``t`` of the double-exponential change of variables.
STEP = 1 / 128

#: An integral whose values with step ``STEP`` and ``2 * STEP`` differ by more than this times the integral of
#: the integrand's absolute value is not resolved by the rule: its value is NaN.
CHECK = 1e-4

#: Functions whose values are not smooth in their arguments: refused in an integrand, where they hold its variable.
_NOT_SMOOTH = (
    sp.Abs,
    sp.Piecewise,
    sp.sign,
    sp.Heaviside,
    sp.Min,
    sp.Max,
    sp.floor,
    sp.ceiling,
    sp.frac,
    sp.Mod,
    sp.re,
    sp.im,
)

_REMEDY = "integrate it with backend='scipy', whose adaptive quadrature computes it"


def rule(lo: float, hi: float, step: float = STEP):
    """The nodes ``x`` and weights ``w`` of the rule over ``[lo, hi]`` (infinite ends allowed), and ``half``.

    ``sum(w * f(x))`` approximates the integral of ``f``; ``half`` holds the
    weights of the rule of step ``2 * step`` on the same nodes (0 on every other one).
    ``t`` runs over :func:`~symgrad.numeric._kernels.de_span`, mapped by
    :func:`~symgrad.numeric._kernels.de_map`.
    """
    if not lo < hi:
        raise ArgumentTypeError(f"a quadrature's range must have lo < hi, got ({lo}, {hi})")
    t_lo, t_hi = _kernels.de_span(lo, hi)
    k = np.arange(round(t_lo / step), round(t_hi / step) + 1)
    x, w = _kernels.de_map(k * step, lo, hi)
    w = step * w
    keep = np.isfinite(x) & np.isfinite(w) & (w > 0) & (x > lo) & (x < hi)
    half = np.where(k % 2 == 0, 2 * w, 0.0)
    return x[keep], w[keep], half[keep]


def _check(integral, caller):
    """Refuse an integral the rule does not compute, naming why and the remedy."""
    limits = integral.limits
    text = sp.sstr(integral)
    text = text if len(text) <= 80 else text[:77] + "..."
    if not _kernels._definite(integral):
        raise ArgumentTypeError(
            f"{caller}: the flow holds {text}, which is not an integral over one variable between numeric "
            f"limits; {_REMEDY}"
        )
    var, lo, hi = limits[0]
    if integral.function.has(sp.Integral):
        raise ArgumentTypeError(f"{caller}: the flow holds {text}, an integral inside an integral; {_REMEDY}")
    if not (sp.sympify(lo).is_extended_real and sp.sympify(hi).is_extended_real) or not float(lo) < float(hi):
        raise ArgumentTypeError(f"{caller}: the flow holds {text}, whose limits are not lo < hi; {_REMEDY}")
    for node in sp.preorder_traversal(integral.function):
        if isinstance(node, _NOT_SMOOTH) and node.has(var):
            raise ArgumentTypeError(
                f"{caller}: the flow holds {text}, whose integrand is not smooth in {var} "
                f"({type(node).__name__}), which the JAX backend's fixed quadrature rule does not resolve; {_REMEDY}"
            )


class _Printer(_codegen.JaxSpecialPrinter):
    """The printer of :func:`~symgrad.to_jax`, which also prints the tail weighting of integrands by name."""

    def _print_tail_weighted(self, expr):
        return f"tail_weighted({', '.join(self._print(a) for a in expr.args)})"


def _lambdify(args, exprs, jnp, caller):
    """``exprs`` as one jax function of ``args``, printed as :func:`~symgrad.to_jax` prints them."""
    exprs = [_kernels._numeric_form(e) for e in exprs]
    _kernels.check_computable(exprs, caller, "jax")
    printer = _Printer({"fully_qualified_modules": True})
    modules = [{"tail_weighted": _kernels.tail_weighting(jnp)}, "jax"]
    return sp.lambdify(list(args), exprs, modules=modules, printer=printer, dummify=True)


def field(exprs, coords, params, jnp, caller):
    """``exprs`` (with definite integrals) as a jax function ``f(y, values)``: their values stacked, shape (len,).

    ``y`` holds the coordinates ``coords`` and ``values`` the values of
    ``params``.  Each integral is computed by :func:`rule`, its integrand at
    all the nodes at once; the integrals over one variable and range share their nodes.
    """
    exprs = [sp.sympify(e) for e in exprs]
    for integral in sorted({i for e in exprs for i in e.atoms(sp.Integral)}, key=sp.default_sort_key):
        _check(integral, caller)
    exprs, holders, groups = _kernels.split_integrals(exprs, coords, params)
    outer = _lambdify([*coords, *params, *holders], exprs, jnp, caller)
    inners = []
    for slots, var, lo, hi, integrands in groups:
        x, w, half = rule(lo, hi)
        inner = _lambdify([*coords, *params, var], integrands, jnp, caller)
        inners.append((slots, inner, jnp.asarray(x), jnp.asarray(w), jnp.asarray(half)))

    def evaluate(y, values):
        args = [y[i] for i in range(len(coords))] + list(values)
        found = [None] * len(holders)
        for slots, inner, x, w, half in inners:
            for k, f in zip(slots, inner(*args, x)):
                f = jnp.broadcast_to(jnp.asarray(f, dtype=float), x.shape)
                value, coarse, size = w @ f, half @ f, w @ jnp.abs(f)
                found[k] = jnp.where(jnp.abs(value - coarse) <= CHECK * size, value, jnp.nan)
        out = outer(*args, *found)
        return jnp.stack([jnp.asarray(v, dtype=float) for v in out])

    return evaluate
