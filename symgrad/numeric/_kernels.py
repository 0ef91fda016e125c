"""Lambdified kernels: sympy expressions as numpy code, evaluated block by block.

Every sympy expression symgrad evaluates numerically is turned into numpy code
here, by :func:`lambdify`, the package's one call of :func:`sympy.lambdify`:
one list of modules (:data:`MODULES`, scipy's special functions first, then
numpy) and common-subexpression elimination.  A :class:`Kernel` is a list of
expressions lambdified once in a chart's coordinates and some free parameters;
it evaluates them on whole arrays of points, large arrays in blocks of
:data:`CHUNK` points whose temporaries stay in the processor's cache.  A
definite integral over one variable between numeric limits (the entries of a
numeric Fisher metric) is computed by :func:`quadrature` for all the points of
a block at once.
:func:`evaluate` evaluates expressions at arrays of values of their symbols.

:func:`check_computable` refuses, with a symgrad error that names the
offending subexpression, what no generated code computes (an unevaluated
integral, an undefined function, ...); the exporters call it too.

This module depends on nothing in symgrad but its errors.

Examples
--------
>>> import numpy as np
>>> import sympy as sp
>>> from symgrad.numeric._kernels import Kernel
>>> x, y, a = sp.symbols("x y a", real=True)
>>> k = Kernel([a * x + y, sp.Integer(1)], (x, y), (a,))
>>> k.params
(a,)
>>> k(np.array([[1.0, 2.0], [3.0, 4.0]]), [10.0])
array([[12.,  1.],
       [34.,  1.]])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from ..errors import UnsupportedExpressionError

#: The modules ``lambdify`` prints for: scipy's special functions first, then numpy.
MODULES = ("scipy", "numpy")

#: Points per block in evaluations of large arrays (see :class:`Kernel`).
CHUNK = 16384


def lambdify(args: Sequence[sp.Symbol], exprs, *, cse: bool = True) -> Callable:
    """``exprs`` (an expression or a list of them) as a numpy function of ``args``.

    The one call of :func:`sympy.lambdify` in symgrad: scipy and numpy
    functions, common subexpressions computed once (``cse=True``), and the
    arguments renamed to dummies, so that a symbol named like a name of the
    generated code (``e``, which prints Euler's number, ``float``, ``numpy``)
    cannot stand for it.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.numeric._kernels import lambdify
    >>> x = sp.Symbol("x", positive=True)
    >>> f = lambdify([x], [sp.gamma(x), sp.log(x) ** 2])
    >>> [float(v) for v in f(3.0)]
    [2.0, 1.206948960812582]
    """
    if isinstance(exprs, (list, tuple)):
        exprs = [_numeric_form(e) for e in exprs]
        check_computable(exprs, "numeric evaluation")
    else:
        exprs = _numeric_form(exprs)
        check_computable([exprs], "numeric evaluation")
    modules = [{"tail_weighted": tail_weighting(np), "lambertw": _real_lambertw}, *MODULES]
    return sp.lambdify(list(args), exprs, modules=modules, cse=cse, dummify=True)


def _real_lambertw(x, k=0):
    """Lambert W by scipy's ``lambertw``, real: NaN where the branch ``k`` of W is not real at ``x``."""
    from scipy.special import lambertw

    with np.errstate(all="ignore"):
        w = lambertw(x, k)
    return np.where(w.imag == 0, w.real, np.nan)


#: The density below which a tail point whose integrand is not finite counts as no mass (:class:`tail_weighted`).
TAIL = 1e-30


class tail_weighted(sp.Function):  # noqa: N801 (a sympy function, printed by name)
    """``tail_weighted(value, density)``: ``value``, but 0 where it is not finite and ``density`` is negligible.

    The integrand of a quadrature over an input: far in a tail the formulas may
    overflow (``exp(3 w x)`` at ``x = 300``) or a density's score be 0/0 where
    the density rounds to 0.  Where ``density`` is below :data:`TAIL` or is no
    number itself, such a point counts as no mass; a non-finite ``value`` where
    the density is not negligible stays, and the numeric flow reports it.
    """


def tail_weighting(xp):
    """The numeric rule of :class:`tail_weighted` for the array module ``xp`` (numpy, or ``jax.numpy``).

    Examples
    --------
    >>> import numpy as np
    >>> from symgrad.numeric._kernels import tail_weighting
    >>> tail_weighting(np)([np.inf, np.inf, 2.0], [1e-40, 0.5, 1e-40]).tolist()  # no mass, kept, finite
    [0.0, inf, 2.0]
    """

    def weighted(value, density):
        value, density = xp.asarray(value, dtype=float), xp.asarray(density, dtype=float)
        negligible = ~xp.isfinite(density) | (xp.abs(density) < TAIL)
        return xp.where(~xp.isfinite(value) & negligible, 0.0, value)

    return weighted


_INT64_MAX = 2**63 - 1


def _numeric_form(expr):
    """``expr`` in a form numpy can evaluate.

    Integers beyond int64 become floats (numpy has no loops for Python ints that
    large) and complex infinity becomes NaN (no printer writes it).
    """
    expr = sp.sympify(expr)
    swap = {i: sp.Float(i) for i in expr.atoms(sp.Integer) if abs(i) > _INT64_MAX}
    if expr.has(sp.zoo):
        swap[sp.zoo] = sp.nan
    return expr.xreplace(swap) if swap else expr


#: What each target is called in messages: ``"numpy"`` is the lambdify kernel, the others the exporters.
TARGETS = {"numpy": "numpy", "python": "the numpy module", "jax": "JAX", "c": "C99"}

_UNEVALUATED = (
    (sp.Integral, "an unevaluated integral"),
    (sp.Sum, "an unevaluated sum"),
    (sp.Product, "an unevaluated product"),
    (sp.Derivative, "an unevaluated derivative"),
    (sp.Limit, "an unevaluated limit"),
    (sp.Subs, "an unevaluated substitution"),
)
_NON_FINITE = (sp.nan, sp.zoo, sp.oo, -sp.oo)

#: The special functions generated code computes, by target: the sympy function, and the
#: name of the target's function.  ``"numpy"`` (the kernel) and ``"python"`` call
#: ``scipy.special``, ``"jax"`` ``jax.scipy.special``, ``"c"`` C99's ``math.h``
#: (``polygamma(0, x)`` prints as ``digamma``; ``beta`` in C as a ratio of ``tgamma``).
#: Bessel functions in C are refused: C99 has none (POSIX's ``j0``, ``jn``, ``y0``, ``yn``
#: are not portable C and have no ``I`` or ``K``); jax's ``bessel_jn`` loses digits at
#: large arguments, so jax computes only ``I_0`` and ``I_1``.
SPECIAL = {
    "python": {
        sp.polygamma: "polygamma", sp.digamma: "digamma", sp.trigamma: "polygamma", sp.loggamma: "gammaln",
        sp.gamma: "gamma", sp.beta: "beta", sp.erf: "erf", sp.erfc: "erfc",
        sp.besselj: "jv", sp.bessely: "yv", sp.besseli: "iv", sp.besselk: "kv",
    },
    "jax": {
        sp.polygamma: "polygamma", sp.digamma: "digamma", sp.trigamma: "polygamma", sp.loggamma: "gammaln",
        sp.gamma: "gamma", sp.beta: "beta", sp.erf: "erf", sp.erfc: "erfc", sp.besseli: "i0, i1",
    },
    "c": {sp.loggamma: "lgamma", sp.gamma: "tgamma", sp.beta: "tgamma", sp.erf: "erf", sp.erfc: "erfc"},
}  # fmt: skip
SPECIAL["numpy"] = SPECIAL["python"]
_SPECIAL_KINDS = tuple(SPECIAL["python"])
_ELSEWHERE = "to_python (scipy.special) and the numeric flow (.numeric()) compute it"


def _why_not_special(node, target):
    """Why the special function ``node`` cannot be computed by ``target``; None if it can."""
    if isinstance(node, sp.polygamma):
        n = node.args[0]
        if n.is_number and not (n.is_Integer and n >= 0):
            return "a polygamma function of an order that is no non-negative integer, which no target computes"
        if target == "jax" and not n.is_Integer:
            return f"a polygamma function of a symbolic order, which jax computes for integers only; {_ELSEWHERE}"
    if target == "jax" and isinstance(node, sp.besseli) and node.args[0] not in (0, 1):
        return f"a modified Bessel function of an order other than 0 and 1, which jax does not provide; {_ELSEWHERE}"
    if type(node) in SPECIAL[target]:
        return None
    name = type(node).__name__
    if target == "c" and name.startswith("bessel"):
        return f"C99's math.h has no Bessel functions (POSIX's jn and yn are not C99); {_ELSEWHERE}"
    if target == "c":
        return f"C99's math.h has no {name}; {_ELSEWHERE}, and to_jax (jax.scipy.special)"
    accurately = " accurately" if name == "besselj" else ""
    return f"jax.scipy.special does not compute {name}{accurately}; {_ELSEWHERE}"


def _why_not_computable(node, exported, target="numpy"):
    """Why ``node`` (one subexpression) cannot be computed, and what to do; None if it can."""
    if isinstance(node, _SPECIAL_KINDS):
        return _why_not_special(node, target)
    if isinstance(node, sp.Integral) and not exported and _definite(node):
        return None  # the kernel computes it by quadrature at each point
    for kind, what in _UNEVALUATED:
        if isinstance(node, kind):
            return f"{what}, which generated code does not compute; evaluate it (.doit()) or give a closed form"
    if isinstance(node, AppliedUndef):
        return (
            f"an undefined function (sp.Function({node.func.__name__!r})), which has no numeric value; "
            "replace it by an expression (.subs) or make it a parameter (a Symbol)"
        )
    if isinstance(node, sp.DiracDelta):
        return (
            "a Dirac delta, a distribution with no numeric value (the derivative of Heaviside, sign or Abs); "
            "use a smooth cost, e.g. sqrt(x**2 + eps) for Abs(x)"
        )
    if isinstance(node, sp.AccumBounds):
        return "an interval of values (AccumBounds, e.g. a limit of an oscillating term), not a number; give a value"
    if not exported and isinstance(node, sp.Function) and not _numpy_prints(node):
        return (
            f"numpy and scipy have no function {node.func.__name__}; rewrite it in functions they have, "
            "or compute the integral it came from numerically (expected_flow(..., method='adaptive'), "
            "fisher_metric(..., method='numeric'))"
        )
    if exported and node in _NON_FINITE:
        return (
            "not a finite number (nan, an infinity or zoo, complex infinity: a division by zero), so the "
            "exported flow would be undefined; check the values passed as params"
        )
    return None


_PRINTS: dict[type, bool] = {tail_weighted: True}


def _numpy_prints(node) -> bool:
    """Whether the lambdify kernel's printer writes the function of ``node`` (decided once per function)."""
    known = _PRINTS.get(node.func)
    if known is None:
        import scipy.special
        from sympy.printing.codeprinter import PrintMethodNotImplementedError
        from sympy.printing.numpy import SciPyPrinter

        # a function printed by its own name is found in lambdify's namespace of scipy and numpy, if there
        name = node.func.__name__
        try:
            SciPyPrinter().doprint(node)
            known = True
        except PrintMethodNotImplementedError as err:
            if not str(err).splitlines()[0].endswith(f": {name}"):
                return True  # a function in its arguments is not printed: that one is refused
            known = hasattr(scipy.special, name) or hasattr(np, name)
        _PRINTS[node.func] = known
    return known


def check_computable(exprs: Iterable, caller: str, target: str = "numpy") -> None:
    """Refuse expressions that hold what the ``target`` cannot compute.

    The one check of what numeric code can hold, shared by :func:`lambdify` and
    the exporters: unevaluated integrals (but a definite integral over one
    variable between numeric limits, which :class:`Kernel` computes by
    quadrature), sums, products, derivatives, limits and substitutions,
    undefined functions (``sp.Function("f")(x)``), ``DiracDelta`` and
    ``AccumBounds`` are refused for every target; ``nan``,
    ``zoo`` and the infinities for the exported targets only (the kernel
    evaluates them to NaN and inf, as its callers expect).  ``Piecewise`` is
    computed by every target, as NaN where no condition holds.  Of the special
    functions in :data:`SPECIAL` (polygamma, loggamma, gamma, beta, erf, erfc
    and the Bessel functions J, Y, I, K) each target computes those listed
    for it; a polygamma of an order that is no non-negative integer is refused.

    Parameters
    ----------
    exprs : iterable of sympy.Expr
    caller : str
        Names the function in the message.
    target : {"numpy", "python", "jax", "c"}
        ``"numpy"`` for the lambdify kernel, the others for the exporters.

    Raises
    ------
    UnsupportedExpressionError
        Naming the first offending subexpression and what to do instead.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> from symgrad.numeric._kernels import check_computable
    >>> x = sp.Symbol("x", real=True)
    >>> check_computable([sp.Piecewise((x, x > 0), (0, True))], "example")
    >>> try:
    ...     check_computable([sp.Integral(x, x)], "example")
    ... except sg.UnsupportedExpressionError as err:
    ...     print(err)
    example: numpy cannot compute Integral(x, x): an unevaluated integral, which generated code
    does not compute; evaluate it (.doit()) or give a closed form
    >>> try:
    ...     check_computable([sp.polygamma(1, x)], "to_c", "c")
    ... except sg.UnsupportedExpressionError as err:
    ...     print(err)
    to_c: C99 cannot compute polygamma(1, x): C99's math.h has no polygamma; to_python (scipy.special)
    and the numeric flow (.numeric()) compute it, and to_jax (jax.scipy.special)
    """
    exported = target != "numpy"
    for expr in exprs:
        expr = sp.sympify(expr)
        undefined = sorted(expr.atoms(AppliedUndef), key=sp.default_sort_key)  # named before what holds them
        for node in undefined + list(sp.preorder_traversal(expr)):
            why = _why_not_computable(node, exported, target)
            if why is not None:
                text = sp.sstr(node)
                text = text if len(text) <= 80 else text[:77] + "..."
                raise UnsupportedExpressionError(f"{caller}: {TARGETS[target]} cannot compute {text}: {why}")


class Kernel:
    """One list of expressions, lambdified once: evaluated at arrays of points, stacked on a last axis.

    Parameters
    ----------
    exprs : sequence of sympy.Expr
    coords : sequence of sympy.Symbol
        The symbols whose values are the last axis of the points.
    free : sequence of sympy.Symbol
        Parameters whose values are passed at each call; only those the
        expressions use are arguments (:attr:`params`).
    cse : bool, default True

    Attributes
    ----------
    params : tuple of sympy.Symbol
        The parameters the expressions use, in the order of ``free``.
    size : int
        The number of expressions.

    Notes
    -----
    Large arrays of points are evaluated in blocks of :data:`CHUNK` points, so
    that the temporaries of the generated code stay in the processor's cache
    (as numexpr does): at 10^6 points this is about twice as fast as one numpy
    expression on whole arrays.  Arithmetic is real: an entry with an imaginary
    part is NaN.
    """

    __slots__ = ("params", "size", "_f", "_integrals")

    def __init__(
        self, exprs: Sequence[sp.Expr], coords: Sequence[sp.Symbol], free: Iterable[sp.Symbol] = (), *, cse=True
    ):
        exprs = [sp.sympify(e) for e in exprs]
        used = set().union(*(e.free_symbols for e in exprs))
        self.params = tuple(p for p in free if p in used)
        self.size = len(exprs)
        # definite integrals over one variable with numeric limits: computed by quadrature at each call
        exprs, holders, groups = split_integrals(exprs, coords, self.params)
        self._integrals = _Integrals(len(holders), groups, coords, self.params) if holders else None
        self._f = lambdify(list(coords) + list(self.params) + holders, exprs, cse=cse)

    def _fill(self, out, X, values):
        if self._integrals is not None:
            values = [*values, *self._integrals(X, values)]
        for i, r in enumerate(self._f(*(X[..., k] for k in range(X.shape[-1])), *values)):
            if np.iscomplexobj(r):  # real arithmetic: a complex value is no real number
                r = np.where(np.imag(r) == 0, np.real(r), np.nan)
            out[..., i] = r  # broadcasts constant entries

    def __call__(
        self,
        X: np.ndarray,
        values: Sequence = (),
        check: Callable | None = None,
        finish: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> np.ndarray:
        """The entries at the points ``X`` (shape (..., dim)), stacked on a last axis.

        ``values`` are the parameters' values (floats, or arrays that broadcast with the
        points); ``check(block)``, if given, is called on each block of points first, and
        ``finish(entries)``, if given, turns each block's entries (shape ``(...) +
        (size,)``) into the values returned (shape ``(...) + (width,)``), while they are
        in the cache.  Returns an array of shape ``(...) + (size,)`` (or ``(width,)``).
        """
        X = np.asarray(X, dtype=float)
        lead = np.broadcast_shapes(X.shape[:-1], *(np.shape(v) for v in values))
        count = math.prod(lead)
        if count <= CHUNK:
            if check is not None:
                check(X)
            out = np.empty(lead + (self.size,))
            self._fill(out, X, values)
            return out if finish is None else finish(out)
        dim = X.shape[-1]
        X = np.broadcast_to(X, lead + (dim,)).reshape(count, dim)
        values = [v if np.ndim(v) == 0 else np.broadcast_to(v, lead).reshape(count) for v in values]
        out = entries = None
        for start in range(0, count, CHUNK):
            block = slice(start, start + CHUNK)
            if check is not None:
                check(X[block])
            if finish is None:
                out = np.empty((count, self.size)) if out is None else out
                self._fill(out[block], X[block], [v if np.ndim(v) == 0 else v[block] for v in values])
                continue
            entries = np.empty((len(X[block]), self.size))
            self._fill(entries, X[block], [v if np.ndim(v) == 0 else v[block] for v in values])
            done = finish(entries)
            out = np.empty((count, done.shape[-1])) if out is None else out
            out[block] = done
        return out.reshape(lead + (out.shape[-1],))


#: The relative and absolute tolerances of the quadratures of :func:`quadrature`.
QUAD_EPSREL, QUAD_EPSABS = 1e-9, 1e-12

#: The change of variables of :func:`de_map` runs ``t`` to ``T_INFINITE`` towards an infinite end (``|x|`` up to
#: about 1e18) and to ``T_FINITE`` towards a finite one (to within about 1e-138 of it).
T_INFINITE, T_FINITE = 4.0, 6.0


def de_span(lo: float, hi: float) -> tuple[float, float]:
    """The range of ``t`` that :func:`de_map` maps onto ``(lo, hi)`` (``lo < hi``): ``(-t_lo, t_hi)``."""
    finite_lo, finite_hi = math.isfinite(lo), math.isfinite(hi)
    if finite_lo != finite_hi:  # exp-sinh: its finite end is at t -> -oo
        return -T_FINITE, T_INFINITE
    return (-T_FINITE, T_FINITE) if finite_lo else (-T_INFINITE, T_INFINITE)


def de_map(t, lo: float, hi: float):
    r"""The double-exponential change of variables (Takahasi and Mori) onto ``(lo, hi)``: ``x(t)`` and ``dx/dt``.

    With :math:`u = \frac{\pi}{2}\sinh t`: tanh-sinh
    :math:`x = \frac{a+b}{2} + \frac{b-a}{2}\tanh u` on :math:`[a, b]`; exp-sinh
    :math:`x = a + e^u` on :math:`[a, \infty)` (and :math:`x = b - e^u` on
    :math:`(-\infty, b]`); sinh-sinh :math:`x = \sinh u` on the line.  An
    integrand analytic inside the range, singular at most at its finite ends
    (:math:`x^{k-1}`, :math:`k < 1`) and decaying at its infinite ones, becomes
    one that decays double-exponentially in ``t``, which both quadratures of
    symgrad integrate: :func:`quadrature` adaptively, the JAX backend by a fixed
    rule.  The distance to a finite end is computed without cancellation; a
    ``t`` whose ``x`` rounds onto an end has ``dx/dt`` 0 or is dropped by the caller.

    Examples
    --------
    >>> import numpy as np
    >>> from symgrad.numeric._kernels import de_map
    >>> x, dx = de_map(np.array([-1.0, 0.0, 1.0]), 0.0, 1.0)
    >>> x.round(4), bool(np.all(dx > 0))
    (array([0.0243, 0.5   , 0.9757]), True)
    """
    t = np.asarray(t, dtype=float)
    u, du = math.pi / 2 * np.sinh(t), math.pi / 2 * np.cosh(t)
    with np.errstate(over="ignore"):
        if math.isfinite(lo) and math.isfinite(hi):
            r = (hi - lo) / 2
            gap = 2 * r / (np.exp(2 * np.abs(u)) + 1)  # the distance to the nearer end, without cancellation
            return np.where(u < 0, lo + gap, hi - gap), r * du / np.cosh(u) ** 2
        if math.isfinite(lo) or math.isfinite(hi):
            e = np.exp(u)
            return (lo + e if math.isfinite(lo) else hi - e), du * e
        return np.sinh(u), du * np.cosh(u)


def quadrature(integrand: Callable[[float], np.ndarray], lo: float, hi: float) -> np.ndarray:
    """``integral of integrand(t) dt`` over ``[lo, hi]`` (infinite ends allowed), for arrays of values at once.

    :func:`scipy.integrate.quad_vec`, one adaptive subdivision for the whole
    array ``integrand(x)`` returns (every point of a batch), over the variable
    ``t`` of the double-exponential change of variables (:func:`de_map`): an
    integrand singular at a finite end (a gamma density of shape below 1) or
    slowly decaying (a Cauchy density) is as accurate as a smooth one, and the
    ends themselves are never evaluated.

    Examples
    --------
    >>> import numpy as np
    >>> from symgrad.numeric._kernels import quadrature
    >>> k = np.array([0.1, 0.5])  # the integral of x^(k-1) e^-x over (0, oo) is Gamma(k)
    >>> from scipy.special import gamma
    >>> bool(np.allclose(quadrature(lambda x: x ** (k - 1) * np.exp(-x), 0, np.inf), gamma(k), rtol=1e-12))
    True
    """
    from scipy.integrate import quad_vec

    lo, hi = float(lo), float(hi)
    if not lo < hi:  # an empty or reversed range
        return -quadrature(integrand, hi, lo) if hi < lo else np.zeros_like(np.asarray(integrand(lo), dtype=float))

    def transformed(t):
        x, dx = de_map(t, lo, hi)
        with np.errstate(all="ignore"):
            value = np.asarray(integrand(x), dtype=float)
            inside = lo < x < hi and 0 < dx < math.inf
            return value * dx if inside else np.zeros_like(value)

    value, _ = quad_vec(transformed, *de_span(lo, hi), epsabs=QUAD_EPSABS, epsrel=QUAD_EPSREL)
    return np.asarray(value)


def _definite(integral: sp.Integral) -> bool:
    """Whether ``integral`` is over one variable between numeric limits (infinities allowed)."""
    limits = integral.limits
    return len(limits) == 1 and len(limits[0]) == 3 and all(sp.sympify(b).is_number for b in limits[0][1:])


def split_integrals(exprs, coords, params):
    """``exprs`` with their definite integrals taken out: ``(exprs, holders, groups)``.

    Each definite integral over one variable between numeric limits
    (:func:`_definite`) is replaced by a placeholder symbol of ``holders``;
    ``groups`` holds one ``(slots, variable, lo, hi, integrands)`` per variable
    and range (``lo``, ``hi`` floats), the integrals of ``slots`` (indices into
    ``holders``) sharing their nodes.  A variable that is also a coordinate or a
    parameter (bound inside its integral) is renamed to a Dummy of its own.
    The one split of both backends: :class:`Kernel` and the JAX backend's rule.
    """
    integrals = sorted({i for e in exprs for i in e.atoms(sp.Integral) if _definite(i)}, key=sp.default_sort_key)
    holders = [sp.Dummy(f"integral{k}") for k in range(len(integrals))]
    if integrals:
        exprs = [e.xreplace(dict(zip(integrals, holders))) for e in exprs]
    by_range = {}
    for k, integral in enumerate(integrals):
        var, lo, hi = integral.limits[0]
        by_range.setdefault((var, float(lo), float(hi)), []).append((k, integral.function))
    groups = []
    for (var, lo, hi), members in by_range.items():
        if var in coords or var in params:
            bound, var = var, sp.Dummy(var.name)
            members = [(k, f.xreplace({bound: var})) for k, f in members]
        groups.append(([k for k, _ in members], var, lo, hi, [f for _, f in members]))
    return exprs, holders, groups


class _Integrals:
    """The values of definite integrals at arrays of points, one quadrature per group of :func:`split_integrals`."""

    def __init__(self, count, groups, coords, params):
        self.count = count
        self._groups = []
        for slots, var, lo, hi, integrands in groups:
            inner = Kernel(integrands, coords, [*params, var])
            # where each argument of the inner kernel comes from: a parameter's value, or the variable (None)
            source = [None if p == var else params.index(p) for p in inner.params]
            self._groups.append((slots, inner, source, lo, hi))

    def __call__(self, X, values):
        out = [None] * self.count
        for slots, inner, source, lo, hi in self._groups:

            def integrand(t, inner=inner, source=source):
                with np.errstate(all="ignore"):
                    return inner(X, [t if i is None else np.asarray(values[i], dtype=float) for i in source])

            result = quadrature(integrand, lo, hi)
            for j, k in enumerate(slots):
                out[k] = result[..., j]
        return out


def evaluate(exprs: Sequence[sp.Expr], values: Mapping[sp.Symbol, np.ndarray], n: int) -> np.ndarray:
    """The expressions at ``n`` points given by arrays of their symbols' values: shape (n, len(exprs)).

    ``values`` maps each symbol of the expressions to an array of shape (n,)
    (or a number).  Entries that are not finite real numbers (the square root
    of a negative number) come back as NaN, without warnings.

    Examples
    --------
    >>> import numpy as np
    >>> import sympy as sp
    >>> from symgrad.numeric._kernels import evaluate
    >>> x = sp.Symbol("x", real=True)
    >>> evaluate([sp.sqrt(x), sp.Integer(2)], {x: np.array([4.0, -1.0])}, 2)
    array([[ 2.,  2.],
           [nan,  2.]])
    """
    symbols = tuple(sorted(values, key=sp.default_sort_key))
    X = np.empty((n, len(symbols)))
    for k, s in enumerate(symbols):
        X[:, k] = values[s]
    with np.errstate(all="ignore"):
        out = _kernel(tuple(exprs), symbols)(X)
    return np.where(np.isfinite(out), out, np.nan)


@functools.lru_cache(maxsize=256)
def _kernel(exprs: tuple[sp.Expr, ...], symbols: tuple[sp.Symbol, ...]) -> Kernel:
    """The :class:`Kernel` of ``exprs`` in ``symbols``, compiled once (checks evaluate the same ones often)."""
    return Kernel(list(exprs), symbols)
