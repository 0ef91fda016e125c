r"""Probability families: parameters as sympy expressions of a chart's coordinates.

A family is an immutable value.  Its parameters are sympy expressions, of any
chart's coordinates and of free parameters, e.g.
``Normal(mean=N*P*q, variance=N*P*(1-P)*q**2)``.  Every family has

* ``parameters``: the tuple of parameter expressions;
* ``log_pdf(x)`` and ``pdf(x)``: sympy expressions in a data variable ``x``
  (a probability mass function for discrete families);
* ``support``: a :class:`sympy.Interval` (a :class:`sympy.Range` when discrete);
* ``sample(values, size, rng)``: numpy samples at numeric parameter values;
* ``fisher_matrix()``: the Fisher information in the family's own parameters.

The named families have closed forms: :class:`Normal`, :class:`Logistic`,
:class:`Exponential` and :class:`Gamma` here, :class:`~symgrad.MultivariateNormal`
in :mod:`symgrad.information.multivariate`, :class:`~symgrad.Bernoulli`,
:class:`~symgrad.Binomial`, :class:`~symgrad.Poisson` and
:class:`~symgrad.Categorical` in :mod:`symgrad.information.discrete`.
:class:`~symgrad.Density` is any density written as a sympy expression, and
:class:`~symgrad.TransformedDensity` the density of :math:`y = g(x; \theta)` for
an invertible map ``g`` of the data (:mod:`symgrad.information.densities`).  The
algorithms on families live in :mod:`symgrad.information.fisher`
(:func:`~symgrad.fisher_metric`) and :mod:`symgrad.information.kl`
(:func:`~symgrad.kl_divergence`).

Parameters are checked with sympy's assumptions: a value that is certainly out
of range (a negative variance, a probability above one, a non-integer number of
trials) raises :class:`~symgrad.ParameterError`; a value whose range sympy
cannot decide is accepted.

Symbolic integration (in the checks of densities and in Fisher metrics without
a closed form) runs under a time limit; see :mod:`symgrad.information._integration`.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> q, P = sp.symbols("q P", positive=True)
>>> release = sg.Binomial(5, P)
>>> release.gaussian_approximation()
Normal(mean=5*P, variance=5*P*(1 - P))
>>> sg.Exponential(rate=q).fisher_matrix()
Matrix([[q**(-2)]])
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..core import _domain
from ..core._coerce import as_expr
from ..core._immutable import Immutable
from ..errors import (
    ArgumentTypeError,
    DimensionError,
    ExpressionError,
    FamilyError,
    NotAFamilyError,
    ParameterError,
    UnboundParameterError,
)
from ..numeric import _params

__all__ = ["Family", "Normal", "Logistic", "Exponential", "Gamma"]

_POSITIVE = sp.Interval.open(0, sp.oo)


# -- shared helpers --------------------------------------------------------------------------


def _param(value, family, name):
    return as_expr(value, f"the {name} of {family}")


def _reject(family, name, expr, why, remedy):
    raise ParameterError(f"the {name} of {family} must be {why}, got {expr}; {remedy}")


def _check_positive(family, name, expr):
    if _domain.decide_positive(expr, {}) is False:
        _reject(family, name, expr, "positive", "declare its symbols positive=True or fix the sign")


def _check_probability(family, name, expr):
    if _domain.decide_positive(-expr, {}) is True or _domain.decide_positive(expr - 1, {}) is True:
        _reject(family, name, expr, "a probability in [0, 1]", "give a chart domain such as Interval.open(0, 1)")


def _check_data_symbol(x, what):
    if not isinstance(x, sp.Symbol):
        raise ExpressionError(f"{what} must be a sympy Symbol (the data variable), got {x!r}")
    return x


class UnboundFamilyParameterError(UnboundParameterError, FamilyError):
    """Sampling or evaluating a family needs the value of a parameter that was not given."""


def _family_symbols(family):
    """The symbols of ``family``'s parameters: the keys its numeric values may have."""
    return _params.symbols(*(sp.sympify(p) for p in family.parameters))


def _bound_values(values, family):
    """``values`` ({Symbol or name: number}) checked against ``family``'s symbols: {Symbol: sympy number}."""
    return _params.bind(values, _family_symbols(family), of=str(family), arg="values")


def _numeric_values(exprs, values, family):
    """Expressions in ``family``'s parameters at ``values`` ({Symbol or name: number}), as floats."""
    exprs = [sp.sympify(e) for e in exprs]
    needed = _params.symbols(exprs)
    bound = _params.bind(values, _family_symbols(family) | needed, of=str(family), arg="values")
    _params.require(needed, bound, what=f"sampling {family}", arg="values", errors=_ERRORS)
    out = [complex(e.xreplace(bound).evalf()) for e in exprs]
    if any(abs(c.imag) > 1e-12 * (1 + abs(c.real)) for c in out):
        raise ParameterError(f"the parameters of {family} are not real at {dict(values)}")
    return [c.real for c in out]


_ERRORS = {UnboundParameterError: UnboundFamilyParameterError}


def _rng(rng):
    return np.random.default_rng() if rng is None else rng


class Family(Immutable):
    """Base class of probability families (an immutable value).

    Subclasses define ``_names`` (the parameter names, in order), ``log_pdf``,
    ``pdf``, ``support``, ``_draw`` and, where there are ones, the closed forms
    ``fisher_matrix`` and ``closed_form_kl``.  ``discrete`` is True for
    families of integers.  A subclass's ``__init__`` sets the parameter
    attributes; when it returns, the family is immutable (setting or deleting
    an attribute raises :class:`AttributeError`), subclasses included.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> lam = sp.Symbol("lambda", positive=True)
    >>> fam = sg.Poisson(rate=lam)
    >>> isinstance(fam, sg.Family), fam.discrete, fam.parameters
    (True, True, (lambda,))
    """

    discrete = False
    _names = ()

    @property
    def parameters(self) -> tuple[sp.Expr, ...]:
        """The parameter expressions, in the order of the family's arguments."""
        return tuple(getattr(self, n) for n in self._names)

    def _key(self):
        return self.parameters

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={getattr(self, n)}" for n in self._names)
        return f"{type(self).__name__}({args})"

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """The density (a pmf for discrete families) at the data variable ``x``."""
        return sp.exp(self.log_pdf(x))

    def sample(self, values, size, rng=None):
        """Draw samples at numeric parameter values.

        Parameters
        ----------
        values : dict
            ``{Symbol or name: number}`` for every symbol of the parameters.
        size : int or tuple of int
            The shape of the samples (numpy's convention).
        rng : numpy.random.Generator, optional
            The source of randomness; by default a fresh, unseeded one, so that two
            calls draw different samples.  Pass ``np.random.default_rng(seed)`` for
            samples that are the same in every run.  (symgrad's own checks never draw
            samples here; their random points have a fixed seed.)

        Returns
        -------
        numpy.ndarray, shape (size,) or size (``(..., dim)`` for a multivariate family)

        Raises
        ------
        UnknownParameterError
            A key of ``values`` is no symbol of the family's parameters.
        UnboundParameterError
            A symbol of the parameters has no value (also a :class:`~symgrad.FamilyError`).
        ParameterValueError
            A value is not a finite real number in the range its symbol allows.

        Examples
        --------
        >>> import numpy as np
        >>> import sympy as sp
        >>> import symgrad as sg
        >>> mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
        >>> sg.Normal(mean=mu, std=sigma).sample({mu: 1.0, "sigma": 2.0}, 3, np.random.default_rng(0)).shape
        (3,)
        """
        return self._draw(_numeric_values(self.parameters, values, self), sample_size(size), _rng(rng))

    def fisher_matrix(self) -> sp.MatrixBase:
        """The Fisher information matrix in the family's own ``parameters``."""
        raise FamilyError(f"{type(self).__name__} has no closed-form Fisher matrix")

    def closed_form_kl(self, other: Family) -> sp.Expr | None:
        """:math:`KL(self \\| other)` in closed form for ``other`` of the same family, or None.

        :func:`symgrad.kl_divergence` uses it before integrating; the base class has
        none.  A subclass returns a sympy expression of both families' parameters.
        """
        return None

    def exponential_family(self):
        """The family as an :class:`~symgrad.information.exponential.ExponentialFamily` (FamilyError if none)."""
        from .exponential_forms import exponential_form  # the one dispatch, in a module above this one

        return exponential_form(self)


# -- location-scale families -------------------------------------------------------------------


class Normal(Family):
    r"""The normal family :math:`N(m, \sigma^2)`, parametrised by its mean and one scale parameter.

    Give exactly one of ``std`` (:math:`\sigma`), ``variance`` (:math:`\sigma^2`)
    or ``precision`` (:math:`1/\sigma^2`).  Each may be any expression of a
    chart's coordinates, e.g. ``Normal(mean=N*P*q, variance=N*P*(1-P)*q**2)``.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> mu, tau = sp.Symbol("mu", real=True), sp.Symbol("tau", positive=True)
    >>> sg.Normal(mean=mu, precision=tau)
    Normal(mean=mu, precision=tau)
    >>> sg.Normal(mean=mu, precision=tau).fisher_matrix()
    Matrix([
    [tau,            0],
    [  0, 1/(2*tau**2)]])
    """

    _closed_forms = {
        "std": lambda sd: sp.diag(1 / sd**2, 2 / sd**2),
        "variance": lambda v: sp.diag(1 / v, 1 / (2 * v**2)),
        "precision": lambda p: sp.diag(p, 1 / (2 * p**2)),
    }
    #: Fisher constants of the standard normal as a location-scale family.
    _standard = (sp.Integer(1), sp.Integer(2))

    def __init__(
        self,
        mean: sp.Expr | float,
        std: sp.Expr | float | None = None,
        variance: sp.Expr | float | None = None,
        precision: sp.Expr | float | None = None,
    ) -> None:
        given = {k: v for k, v in (("std", std), ("variance", variance), ("precision", precision)) if v is not None}
        if len(given) != 1:
            raise FamilyError(
                f"Normal takes exactly one of std=, variance= or precision=, got {sorted(given) or 'none'}"
            )
        ((self.scale_name, scale),) = given.items()
        self.mean = as_expr(mean, "Normal mean")
        self.scale = as_expr(scale, f"Normal {self.scale_name}")
        if _domain.decide_positive(self.scale, {}) is False:
            raise ParameterError(
                f"the {self.scale_name} of a Normal must be positive, got {self.scale}; "
                "declare its symbols positive=True or fix the sign"
            )

    def __repr__(self) -> str:
        return f"Normal(mean={self.mean}, {self.scale_name}={self.scale})"

    @property
    def parameters(self) -> tuple[sp.Expr, ...]:
        """The parameter expressions, ``(mean, scale)``."""
        return (self.mean, self.scale)

    def _key(self):
        return (self.scale_name,) + self.parameters

    @property
    def variance(self) -> sp.Expr:
        """The variance as an expression."""
        s = self.scale
        return {"std": lambda: s**2, "variance": lambda: s, "precision": lambda: 1 / s}[self.scale_name]()

    @property
    def std(self) -> sp.Expr:
        """The standard deviation as an expression."""
        # only the chosen entry is built: sympy's facts about an unused one can be contradictory
        s = self.scale
        return {"std": lambda: s, "variance": lambda: sp.sqrt(s), "precision": lambda: 1 / sp.sqrt(s)}[
            self.scale_name
        ]()

    @property
    def support(self) -> sp.Set:
        """The real line."""
        return _domain.REALS

    def log_pdf(self, x: sp.Expr) -> sp.Expr:
        """:math:`-(x - m)^2 / (2\\sigma^2) - \\log\\sigma - \\log(2\\pi)/2`."""
        s = self.scale
        log_scale = {
            "std": lambda: -sp.log(s),
            "variance": lambda: -sp.log(s) / 2,
            "precision": lambda: sp.log(s) / 2,
        }[self.scale_name]()
        return -((x - self.mean) ** 2) / (2 * self.variance) + log_scale - sp.log(2 * sp.pi) / 2

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """The density :math:`e^{-(x-m)^2/(2\\sigma^2)} / \\sqrt{2\\pi\\sigma^2}`."""
        return sp.exp(-((x - self.mean) ** 2) / (2 * self.variance)) / sp.sqrt(2 * sp.pi * self.variance)

    def _draw(self, p, size, rng):
        m, s = p
        sd = {"std": s, "variance": math.sqrt(s), "precision": 1 / math.sqrt(s)}[self.scale_name]
        if not sd > 0:
            raise ParameterError(f"the {self.scale_name} of {self} must be positive, got {s}")
        return rng.normal(m, sd, size)

    def _location_scale(self):
        """``(location, scale**2, c_loc, c_scale)`` of this location-scale family."""
        return (self.mean, self.variance) + self._standard

    def fisher_matrix(self) -> sp.MatrixBase:
        """The Fisher information matrix in the family's own parameters ``(mean, scale)``."""
        return self._closed_forms[self.scale_name](self.scale)


class Logistic(Family):
    r"""The logistic family, location ``loc`` and scale ``scale`` :math:`s > 0`.

    :math:`p(x) = e^{-(x-m)/s} / (s (1 + e^{-(x-m)/s})^2)`, a symmetric
    location-scale family with Fisher matrix
    :math:`\mathrm{diag}(1/(3 s^2), (\pi^2 + 3)/(9 s^2))`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> m, s = sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    >>> sg.Logistic(loc=m, scale=s).fisher_matrix()
    Matrix([
    [1/(3*s**2),                   0],
    [         0, (3 + pi**2)/(9*s**2)]])
    """

    _names = ("loc", "scale")
    _standard = (sp.Rational(1, 3), (sp.pi**2 + 3) / 9)

    def __init__(self, loc: sp.Expr | float, scale: sp.Expr | float) -> None:
        self.loc = _param(loc, "Logistic", "loc")
        self.scale = _param(scale, "Logistic", "scale")
        _check_positive(self, "scale", self.scale)

    @property
    def support(self) -> sp.Set:
        """The real line."""
        return _domain.REALS

    def log_pdf(self, x: sp.Expr) -> sp.Expr:
        """The log-density."""
        z = (x - self.loc) / self.scale
        return -z - sp.log(self.scale) - 2 * sp.log(1 + sp.exp(-z))

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """The density."""
        z = (x - self.loc) / self.scale
        return sp.exp(-z) / (self.scale * (1 + sp.exp(-z)) ** 2)

    def _draw(self, p, size, rng):
        return rng.logistic(p[0], p[1], size)

    def _location_scale(self):
        """``(location, scale**2, c_loc, c_scale)`` of this location-scale family."""
        return (self.loc, self.scale**2) + self._standard

    def fisher_matrix(self) -> sp.MatrixBase:
        """:math:`\\mathrm{diag}(1/(3 s^2), (\\pi^2 + 3)/(9 s^2))` in ``(loc, scale)``."""
        s = self.scale
        return sp.diag(1 / (3 * s**2), (sp.pi**2 + 3) / (9 * s**2))


# -- other continuous families ----------------------------------------------------------------


class Exponential(Family):
    r"""The exponential family with rate :math:`\lambda > 0`: :math:`p(x) = \lambda e^{-\lambda x}`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> lam, x = sp.Symbol("lambda", positive=True), sp.Symbol("x", positive=True)
    >>> sg.Exponential(rate=lam).log_pdf(x)
    -lambda*x + log(lambda)
    """

    _names = ("rate",)

    def __init__(self, rate: sp.Expr | float) -> None:
        self.rate = _param(rate, "Exponential", "rate")
        _check_positive(self, "rate", self.rate)

    @property
    def support(self) -> sp.Set:
        """:math:`(0, \\infty)`."""
        return _POSITIVE

    def log_pdf(self, x: sp.Expr) -> sp.Expr:
        """:math:`\\log\\lambda - \\lambda x`."""
        return sp.log(self.rate) - self.rate * x

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """:math:`\\lambda e^{-\\lambda x}`."""
        return self.rate * sp.exp(-self.rate * x)

    def _draw(self, p, size, rng):
        return rng.exponential(1 / p[0], size)

    def fisher_matrix(self) -> sp.MatrixBase:
        """:math:`1/\\lambda^2`."""
        return sp.Matrix([[1 / self.rate**2]])


class Gamma(Family):
    r"""The gamma family with shape :math:`k > 0` and rate :math:`\beta > 0`.

    :math:`p(x) = \beta^k x^{k-1} e^{-\beta x} / \Gamma(k)`; Fisher matrix
    :math:`\begin{pmatrix}\psi'(k) & -1/\beta \\ -1/\beta & k/\beta^2\end{pmatrix}`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> k, b = sp.symbols("k beta", positive=True)
    >>> sg.Gamma(shape=k, rate=b).fisher_matrix()
    Matrix([
    [polygamma(1, k),   -1/beta],
    [        -1/beta, k/beta**2]])
    """

    _names = ("shape", "rate")

    def __init__(self, shape: sp.Expr | float, rate: sp.Expr | float) -> None:
        self.shape = _param(shape, "Gamma", "shape")
        self.rate = _param(rate, "Gamma", "rate")
        _check_positive(self, "shape", self.shape)
        _check_positive(self, "rate", self.rate)

    @property
    def support(self) -> sp.Set:
        """:math:`(0, \\infty)`."""
        return _POSITIVE

    def log_pdf(self, x: sp.Expr) -> sp.Expr:
        """The log-density."""
        k, b = self.shape, self.rate
        return k * sp.log(b) + (k - 1) * sp.log(x) - b * x - sp.loggamma(k)

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """The density."""
        k, b = self.shape, self.rate
        return b**k * x ** (k - 1) * sp.exp(-b * x) / sp.gamma(k)

    def _draw(self, p, size, rng):
        return rng.gamma(p[0], 1 / p[1], size)

    def fisher_matrix(self) -> sp.MatrixBase:
        """The Fisher matrix in ``(shape, rate)``."""
        k, b = self.shape, self.rate
        return sp.Matrix([[sp.polygamma(1, k), -1 / b], [-1 / b, k / b**2]])


def as_family(value: object, what: str) -> Family:
    """Return ``value`` if it is a :class:`Family`, else raise :class:`NotAFamilyError` naming ``what``."""
    if not isinstance(value, Family):
        raise NotAFamilyError(f"{what} takes a probability family (e.g. sg.Normal(...)), got {value!r}")
    return value


def sample_size(size):
    """The shape of a sample, ``size`` (an int or a tuple of ints, none negative), checked.

    Examples
    --------
    >>> sample_size(3), sample_size((2, 3))
    (3, (2, 3))
    """
    items = size if isinstance(size, tuple) else (size,)
    if not all(isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)) for k in items):
        raise ArgumentTypeError(f"the size of a sample is an int or a tuple of ints, got {size!r}")
    if any(k < 0 for k in items):
        raise DimensionError(f"the size of a sample cannot be negative, got {size!r}")
    return tuple(int(k) for k in items) if isinstance(size, tuple) else int(size)
