r"""Exponential families: natural parameters, the log-partition, mean parameters and Bregman KL.

An exponential family has the density (a pmf when discrete)

.. math::  p(x \mid \theta) = h(x) \exp\big(\theta^T T(x) - A(\theta)\big)

with sufficient statistics :math:`T`, natural parameters :math:`\theta`, base
measure :math:`h` and log-partition :math:`A(\theta) = \log \int h(x) e^{\theta^T T(x)} dx`.
Everything information-geometric follows from :math:`A` without a second
integral: the Fisher metric in natural parameters is :math:`\nabla^2 A`, the
mean parameters are :math:`\eta = \nabla A(\theta) = E[T]`, and the KL
divergence is the Bregman divergence of :math:`A`,
:math:`KL(p_{\theta} \| p_{\theta'}) = A(\theta') - A(\theta) - \nabla A(\theta)^T (\theta' - \theta)`.

:class:`ExponentialFamily` derives :math:`A` (by integration or summation under
the time budget) or takes it; its natural parameters may be any expressions of a
chart's coordinates, so :func:`~symgrad.fisher_metric` and
:func:`~symgrad.kl_divergence` work on it as on the named families.
:meth:`ExponentialFamily.natural_chart` and :meth:`ExponentialFamily.mean_chart`
add the natural and the mean parameters as charts of a manifold.  The named
families give their exponential form with ``family.exponential_family()``
(:func:`~symgrad.exponential_form`).

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> lam = sp.Symbol("lambda", positive=True)
>>> C = sg.Manifold("Poisson rates").chart(lam)
>>> ef = sg.Poisson(rate=lam).exponential_family()
>>> ef.natural, ef.log_partition()
((log(lambda),), lambda)
>>> N = ef.natural_chart(C)            # theta = log(lambda), a chart of the same manifold
>>> sg.fisher_metric(ef, C).components(N)
Matrix([[exp(theta)]])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from ..budgets import stage
from ..core import _domain
from ..core._coerce import as_expr
from ..core.chart import Chart
from ..core.simplify import simplify_expr, simplify_matrix
from ..core.tensors import Scalar
from ..errors import ArgumentTypeError, FamilyError, IntegrationError
from ._integration import Clock, integrate, time_limited
from .families import Family

__all__ = ["ExponentialFamily", "hessian_of_log_partition", "bregman_divergence"]

_REMEDY = "pass log_partition= (an expression in the natural parameters, or a function of them)"


def _symbols(name: str, k: int, signs: Sequence[bool | None]) -> tuple[sp.Symbol, ...]:
    """``name`` or ``name_1..name_k``, positive / negative / real by ``signs``."""
    names = [name] if k == 1 else [f"{name}_{i + 1}" for i in range(k)]
    kinds = {True: {"positive": True}, False: {"negative": True}, None: {"real": True}}
    return tuple(sp.Symbol(n, **kinds[s]) for n, s in zip(names, signs))


def _sign(expr: sp.Expr, intervals: dict) -> bool | None:
    """True if ``expr`` is positive, False if negative, None if undecided, on ``intervals``."""
    if _domain.decide_positive(expr, intervals) is True:
        return True
    if _domain.decide_positive(-expr, intervals) is True:
        return False
    return None


def _intervals(*exprs: sp.Expr) -> dict:
    return {s: _domain.interval_of(s) or _domain.REALS for e in exprs for s in sp.sympify(e).free_symbols}


class ExponentialFamily(Family):
    r"""An exponential family :math:`p(x) = h(x) \exp(\theta^T T(x) - A(\theta))`.

    Parameters
    ----------
    x : sympy.Symbol or sequence of Symbols
        The data variable(s) of ``statistics`` and ``base_measure``.
    statistics : sequence of sympy expressions, length k
        The sufficient statistics :math:`T_1(x), \dots, T_k(x)`.
    natural : sequence of sympy expressions, length k
        The natural parameters :math:`\theta_i`: symbols, or expressions of a
        chart's coordinates (e.g. ``[sp.log(lam)]``).  Their signs, decided by
        the symbols' assumptions, pick the branch of the integral (declare
        ``theta2`` ``negative=True`` for the normal family).
    base_measure : sympy expression
        :math:`h(x)` (default 1).
    support : sympy.Interval or sympy.Range, optional
        Where :math:`h > 0`; a :class:`sympy.Range` makes the family discrete.
        Default: the real line (:math:`\mathbb{R}^d` for ``d`` variables).
    log_partition : sympy expression or callable, optional
        :math:`A`, as an expression in ``natural`` (which must then be symbols)
        or a function from the list of natural parameters to an expression.
        Otherwise :math:`A = \log \int h\, e^{\theta^T T}` is derived.
    timeout : float or None
        Seconds allowed for the integral (sum) of the log-partition.

    Attributes
    ----------
    variables : tuple of Symbol
    statistics, natural : tuple of sympy.Expr
    base_measure : sympy.Expr
    theta : tuple of Symbol
        The symbols :math:`A` is written in: ``natural`` itself when it is a tuple
        of distinct symbols, otherwise fresh dummies.

    Raises
    ------
    FamilyError
        Mismatched lengths, or a statistic that uses no data variable.
    IntegrationError
        If no closed form of :math:`A` comes within ``timeout``; pass ``log_partition=``.

    Examples
    --------
    The normal family from its statistics :math:`(x, x^2)`, the log-partition integrated:

    >>> import sympy as sp
    >>> import symgrad as sg
    >>> from symgrad.information.exponential import ExponentialFamily
    >>> x, t1 = sp.Symbol("x", real=True), sp.Symbol("theta1", real=True)
    >>> t2 = sp.Symbol("theta2", negative=True)
    >>> ef = ExponentialFamily(x, [x, x**2], [t1, t2])
    >>> ef.log_partition()
    -theta1**2/(4*theta2) - log(-theta2)/2 + log(pi)/2
    >>> ef.mean_parameters().T
    Matrix([[-theta1/(2*theta2), (theta1**2 - 2*theta2)/(4*theta2**2)]])
    >>> ef.fisher_matrix()
    Matrix([
    [     -1/(2*theta2),                theta1/(2*theta2**2)],
    [theta1/(2*theta2**2), (-theta1**2 + theta2)/(2*theta2**3)]])
    """

    def __init__(
        self,
        x: sp.Symbol | Sequence[sp.Symbol],
        statistics: Sequence[sp.Expr],
        natural: Sequence[sp.Expr],
        base_measure: sp.Expr | float = 1,
        support: sp.Set | None = None,
        *,
        log_partition: sp.Expr | Callable[[list[sp.Expr]], sp.Expr] | None = None,
        timeout: float | None = 10.0,
    ) -> None:
        variables = (x,) if isinstance(x, sp.Basic) else tuple(x)
        if not variables or not all(isinstance(v, sp.Symbol) for v in variables):
            raise FamilyError(f"the data variable of an ExponentialFamily is a sympy Symbol (or several), got {x!r}")
        self.variables = variables
        self.statistics = tuple(as_expr(t, "ExponentialFamily statistic") for t in statistics)
        self.natural = tuple(as_expr(t, "ExponentialFamily natural parameter") for t in natural)
        if not self.statistics or len(self.statistics) != len(self.natural):
            raise FamilyError(
                f"an ExponentialFamily needs one natural parameter per statistic; got {len(self.statistics)} "
                f"statistics and {len(self.natural)} natural parameters"
            )
        for t in self.statistics:
            if not t.free_symbols & set(variables):
                raise FamilyError(
                    f"the statistic {t} of an ExponentialFamily does not use the data variable "
                    f"{', '.join(map(str, variables))}; write the statistics in it"
                )
        self.base_measure = as_expr(base_measure, "ExponentialFamily base measure")
        if support is None:
            support = _domain.REALS if len(variables) == 1 else sp.Reals ** len(variables)
        if not isinstance(support, sp.Set):
            raise ArgumentTypeError(
                f"the support of an ExponentialFamily is a sympy Interval or Range, got {support!r}"
            )
        self._support = support
        self.discrete = isinstance(support, sp.Range)
        given = all(isinstance(t, sp.Symbol) for t in self.natural) and len(set(self.natural)) == len(self.natural)
        self.theta = self.natural if given else tuple(sp.Dummy(f"theta{i + 1}", real=True) for i in range(self.k))
        if log_partition is None:
            A = _derive_log_partition(self, timeout)
        elif callable(log_partition) and not isinstance(log_partition, sp.Basic):
            A = as_expr(log_partition(list(self.theta)), "the log-partition")
        else:
            if not given:
                raise FamilyError(
                    "an ExponentialFamily's log_partition is an expression in its natural parameters only when "
                    "they are symbols; pass a function of them instead, log_partition=lambda theta: ..."
                )
            A = as_expr(log_partition, "the log-partition")
        if A.free_symbols & set(variables):
            raise FamilyError(f"the log-partition {A} uses the data variable; it is a function of theta only")
        self._A = A

    # -- the Family protocol --------------------------------------------------------------------

    @property
    def k(self) -> int:
        """The number of natural parameters."""
        return len(self.natural)

    @property
    def parameters(self) -> tuple[sp.Expr, ...]:
        """The natural parameters."""
        return self.natural

    def _key(self):
        return (self.variables, self.statistics, self.natural, self.base_measure, self._support)

    def __repr__(self) -> str:
        x = self.variables[0] if len(self.variables) == 1 else list(self.variables)
        return (
            f"ExponentialFamily({x}, statistics={list(self.statistics)}, natural={list(self.natural)}, "
            f"base_measure={self.base_measure}, support={self._support})"
        )

    @property
    def support(self) -> sp.Set:
        """The support given (where the base measure is positive)."""
        return self._support

    def _rename(self, expr, x):
        items = (x,) if isinstance(x, sp.Basic) and not isinstance(x, sp.MatrixBase) else tuple(x)
        if len(items) != len(self.variables):
            raise FamilyError(f"the data of {self!r} are {len(self.variables)} symbols, got {x!r}")
        return expr.xreplace(dict(zip(self.variables, items)))

    def log_pdf(self, x: sp.Expr | Sequence[sp.Expr]) -> sp.Expr:
        r""":math:`\log h(x) + \theta^T T(x) - A(\theta)` at the data ``x``."""
        body = sp.log(self.base_measure) + sum(t * s for t, s in zip(self.natural, self.statistics))
        return self._rename(body, x) - self.log_partition()

    def _draw(self, p, size, rng):
        raise FamilyError(
            f"sampling {self!r} is not implemented; sample the named family it came from "
            "(e.g. sg.Poisson(...).sample(...))"
        )

    # -- the log-partition and what follows from it -------------------------------------------

    def _at(self, expr, at):
        at = self.natural if at is None else tuple(as_expr(a, "a natural parameter") for a in at)
        if len(at) != self.k:
            raise FamilyError(f"{self!r} has {self.k} natural parameters, got {len(at)} values")
        return expr.xreplace(dict(zip(self.theta, at)))

    def log_partition(self, at: Sequence[sp.Expr] | None = None) -> sp.Expr:
        r"""The log-partition :math:`A`, at the natural parameters (or at ``at``)."""
        return self._at(self._A, at)

    def mean_parameters(self, at: Sequence[sp.Expr] | None = None) -> sp.ImmutableMatrix:
        r"""The mean parameters :math:`\eta = \nabla A(\theta) = E[T(x)]`, a column of ``k``."""
        grad = sp.Matrix([sp.diff(self._A, t) for t in self.theta])
        return simplify_matrix(grad.xreplace(dict(zip(self.theta, self._values(at)))), "fast")

    def _values(self, at):
        return self.natural if at is None else tuple(as_expr(a, "a natural parameter") for a in at)

    def fisher_matrix(self) -> sp.ImmutableMatrix:
        r"""The Fisher matrix in the natural parameters: :math:`\nabla^2 A(\theta)`, no integral."""
        return hessian_of_log_partition(self)

    def closed_form_kl(self, other: Family) -> sp.Expr | None:
        r"""The KL divergence as the Bregman divergence of :math:`A`, for the same statistics; else None.

        :math:`KL(p_\theta \| p_{\theta'}) = A(\theta') - A(\theta) - \nabla A(\theta)^T (\theta' - \theta)`.
        """
        if not self.same_model(other):
            return None
        return bregman_divergence(self, other.natural, self.natural)

    def same_model(self, other: object) -> bool:
        """Whether ``other`` has the same statistics, base measure, support and log-partition."""
        if not isinstance(other, ExponentialFamily) or other.k != self.k:
            return False
        if len(other.variables) != len(self.variables) or other.support != self.support:
            return False
        rename = dict(zip(other.variables, self.variables))
        same = [
            sp.cancel(a.xreplace(rename) - b) == 0
            for a, b in zip(other.statistics + (other.base_measure,), self.statistics + (self.base_measure,))
        ]
        return all(same) and sp.cancel(other.log_partition(self.theta) - self._A) == 0

    # -- charts and potentials ---------------------------------------------------------------------

    def _check_chart(self, chart, what):
        if not isinstance(chart, Chart):
            raise ArgumentTypeError(f"{what} takes the Chart whose coordinates the natural parameters use")
        for e in self.natural:
            chart.manifold.check_expression(e, chart, f"natural parameter {e} of {self!r}")

    def natural_chart(self, chart: Chart, coords: Sequence[sp.Symbol] | None = None, name: str = "natural") -> Chart:
        r"""The natural parameters as a chart of ``chart``'s manifold (``chart`` itself if they are its coordinates).

        Adds the chart and the transition ``chart -> natural``,
        :math:`\theta = \theta(x)`, its inverse solved and verified.

        Parameters
        ----------
        chart : Chart
            The chart whose coordinates the natural parameters are written in.
        coords : sequence of Symbol, optional
            The new coordinates (default ``theta`` or ``theta_1, ...``, positive or
            negative where the natural parameters are).
        name : str

        Returns
        -------
        Chart
        """
        self._check_chart(chart, "natural_chart")
        if tuple(self.natural) == tuple(chart.coords):
            return chart
        return _new_chart(chart, self.natural, coords, "theta", name, None)

    def mean_chart(
        self,
        chart: Chart,
        coords: Sequence[sp.Symbol] | None = None,
        name: str = "mean",
        inverse: Sequence[sp.Expr] | dict | None = None,
    ) -> Chart:
        r"""The mean parameters :math:`\eta = \nabla A` as a chart of ``chart``'s manifold.

        Adds the chart and the transition ``chart -> mean``, :math:`\eta = \nabla A(\theta(x))`;
        its inverse is solved and verified by :meth:`~symgrad.Manifold.transition`,
        or given as ``inverse`` (``chart``'s coordinates in the mean coordinates).
        With ``chart`` the natural chart this is the Legendre map :math:`\theta \mapsto \eta`.

        Parameters
        ----------
        chart : Chart
            The chart whose coordinates the natural parameters are written in.
        coords : sequence of Symbol, optional
            The mean coordinates (default ``eta`` or ``eta_1, ...``, positive where
            the means are).
        name : str
        inverse : dict or sequence, optional

        Returns
        -------
        Chart

        Raises
        ------
        InverseError
            If sympy finds no inverse; pass ``inverse=``.
        """
        self._check_chart(chart, "mean_chart")
        forward = list(self.mean_parameters())
        if coords is None:  # E[T_i] lies inside the range of T_i on the support
            hulls = [_hull(t, self.variables, self.support, self.discrete) for t in self.statistics]
            coords = _symbols("eta", self.k, [(h is not None and h.inf >= 0) or None for h in hulls])
            domain = {c: h for c, h in zip(coords, hulls) if h is not None and h != _domain.interval_of(c)}
            restrictions = []
            if self.k > 1:  # the sum of the statistics bounds the sum of the means (the simplex)
                total = _hull(sp.Add(*self.statistics), self.variables, self.support, self.discrete)
                if total is not None and total.sup.is_finite and total.sup < sum(h.sup for h in hulls if h):
                    restrictions.append(sp.Add(*coords) < total.sup)
            return _new_chart(chart, forward, coords, "eta", name, inverse, domain, restrictions)
        return _new_chart(chart, forward, coords, "eta", name, inverse)

    def potential(self, chart: Chart) -> Scalar:
        r"""The log-partition :math:`A` as a Scalar on ``chart``'s manifold (given in ``chart``)."""
        self._check_chart(chart, "potential")
        return Scalar(chart.manifold, chart, simplify_expr(self.log_partition(), "fast"))

    def dual_potential(self, chart: Chart) -> Scalar:
        r"""The convex conjugate :math:`A^*(\eta) = \theta^T \eta - A(\theta)` as a Scalar given in ``chart``.

        In the mean chart it is :math:`A^*(\eta)`, the negative entropy up to the
        base measure; its Hessian there is the Fisher metric in mean parameters.
        """
        self._check_chart(chart, "dual_potential")
        eta = self.mean_parameters()
        value = sum(t * e for t, e in zip(self.natural, eta)) - self.log_partition()
        return Scalar(chart.manifold, chart, simplify_expr(value, "fast"))


def _hull(stat, variables, support, discrete):
    """The open interval between the least and the largest value of ``stat`` on ``support``, or None."""
    if len(variables) != 1:
        return None
    (x,) = variables
    if discrete and support.inf.is_Integer and support.sup.is_Integer and support.size < 1000:
        values = [stat.xreplace({x: v}) for v in support]
        if all(v.is_number and v.is_real for v in values):
            return sp.Interval.open(min(values), max(values))
        return None
    if discrete:
        ends = (support.inf, support.sup)
        return sp.Interval.open(*ends) if stat == x and all(e.is_number for e in ends) else None
    try:
        r = time_limited(lambda: sp.calculus.util.function_range(stat, x, support), 2.0)
    except (TimeoutError, NotImplementedError, ValueError, TypeError):
        return None
    return sp.Interval.open(r.inf, r.sup) if isinstance(r, sp.Interval) else None


def _new_chart(chart, forward, coords, default, name, inverse, domain=None, restrictions=()):
    intervals = chart.manifold.parameter_intervals(chart, *forward)
    if coords is None:
        coords = _symbols(default, len(forward), [_sign(e, intervals) for e in forward])
    coords = tuple(coords)
    if len(coords) != len(forward):
        raise FamilyError(f"the {name} chart needs {len(forward)} coordinates, got {len(coords)}")
    new = chart.manifold.chart(*coords, name=name, domain=domain or None, restrictions=restrictions)
    chart.manifold.transition(chart, new, dict(zip(coords, forward)), inverse=inverse)
    return new


@stage("the Hessian of the log-partition")
def hessian_of_log_partition(family: ExponentialFamily, at: Sequence[sp.Expr] | None = None) -> sp.ImmutableMatrix:
    r""":math:`\nabla^2 A(\theta)`, the Fisher matrix of ``family`` in its natural parameters, at ``at``."""
    H = sp.hessian(family._A, family.theta)
    return simplify_matrix(H.xreplace(dict(zip(family.theta, family._values(at)))), "fast")


@stage("the Bregman divergence")
def bregman_divergence(family: ExponentialFamily, theta: Sequence[sp.Expr], theta0: Sequence[sp.Expr]) -> sp.Expr:
    r"""The Bregman divergence of the log-partition at ``theta`` from ``theta0``.

    :math:`A(\theta) - A(\theta_0) - \nabla A(\theta_0)^T(\theta - \theta_0)`,
    equal to :math:`KL(p_{\theta_0} \| p_{\theta})`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> from symgrad.information.exponential import bregman_divergence
    >>> a, b = sp.symbols("a b", positive=True)
    >>> ef = sg.Poisson(rate=a).exponential_family()
    >>> sp.expand_log(bregman_divergence(ef, [sp.log(b)], [sp.log(a)]), force=True)
    a*log(a) - a*log(b) - a + b
    """
    theta = tuple(as_expr(t, "a natural parameter") for t in theta)
    theta0 = tuple(as_expr(t, "a natural parameter") for t in theta0)
    grad = family.mean_parameters(theta0)
    value = (
        family.log_partition(theta)
        - family.log_partition(theta0)
        - sum(g * (t - t0) for g, t, t0 in zip(grad, theta, theta0))
    )
    return simplify_expr(value, "fast")


# -- deriving the log-partition -------------------------------------------------------------------


@stage("the log-partition", remedy=_REMEDY)
def _derive_log_partition(family: ExponentialFamily, timeout: float | None) -> sp.Expr:
    r""":math:`A(\theta) = \log \int h(x) e^{\theta^T T(x)} dx` (a sum when discrete), in ``family.theta``."""
    if len(family.variables) != 1:
        raise IntegrationError(
            f"the log-partition of {family!r} is a {len(family.variables)}-dimensional integral; {_REMEDY}"
        )
    clock = Clock(timeout)
    # natural parameters of known sign become positive symbols: sympy integrates without conditions
    to_u, back = {}, {}
    signs = [_sign(e, _intervals(e)) for e in family.natural]
    for t, s in zip(family.theta, signs):
        if s is None:
            continue
        u = sp.Dummy(f"u_{t}", positive=True)
        to_u[t], back[u] = (u, t) if s else (-u, -t)
    (x,) = family.variables
    support = family.support
    what = f"the log-partition of {family!r}"
    if family.discrete:
        k = sp.Dummy("k", integer=True)
        h = family.base_measure.xreplace({x: k})
        exponent = sp.Add(*[t * s.xreplace({x: k}) for t, s in zip(family.theta, family.statistics)])
        Z = _sum(h, sp.expand(exponent.xreplace(to_u)), k, support.inf, support.sup, clock, what)
    else:
        lo, hi = support.inf, support.sup
        positive = _domain.decide_positive(lo, {}) is True or lo == 0
        y = sp.Dummy("x", positive=True) if positive else sp.Dummy("x", real=True)
        exponent = sp.Add(*[t * s.xreplace({x: y}) for t, s in zip(family.theta, family.statistics)])
        factors = [_power(a, y) for a in sp.Add.make_args(sp.expand(exponent.xreplace(to_u)))]
        integrand = family.base_measure.xreplace({x: y}) * sp.Mul(*factors)
        try:
            Z = integrate(integrand, y, lo, hi, clock, what)
        except IntegrationError as err:
            raise IntegrationError(f"{str(err).split('; give')[0]}; {_REMEDY}") from None
        Z = sp.cancel(sp.expand(Z.rewrite(sp.erf)))  # erf(a) + erfc(a) = 1
    A = sp.expand_log(sp.log(sp.factor(Z)), force=True).xreplace(back)  # logs of positive symbols
    A = sp.expand(A).replace(  # log(gamma(k)) as loggamma(k), the form of the named families
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma), lambda e: sp.loggamma(e.args[0].args[0])
    )
    if A.has(sp.Integral, sp.Sum, sp.nan, sp.zoo) or A.has(sp.I):
        raise IntegrationError(f"{what}: no real closed form found (got {A}); {_REMEDY}")
    return A


def _power(a, y):
    r""":math:`e^{a}`, as the power :math:`g^c` when :math:`a = c \log g` (sympy integrates powers better)."""
    c, rest = a.as_independent(y, as_Add=False)
    if isinstance(rest, sp.log):
        return rest.args[0] ** c
    return sp.exp(a)


def _sum(h, exponent, k, lo, hi, clock, what):
    r""":math:`\sum_k h(k) e^{\text{exponent}(k)}`; terms :math:`e^{c k}` become powers :math:`z^k` first."""
    if lo.is_Integer and hi.is_Integer and hi - lo < 1000:
        return sp.Add(*[(h * sp.exp(exponent)).xreplace({k: sp.Integer(i)}) for i in range(int(lo), int(hi) + 1)])
    poly = sp.Poly(exponent, k) if exponent.is_polynomial(k) else None
    if poly is None or poly.degree() > 1:
        raise IntegrationError(f"{what}: the sum has no closed form symgrad can find; {_REMEDY}")
    c = poly.coeff_monomial(k)
    z = sp.Dummy("z", positive=True)
    term = h * z**k * sp.exp(poly.coeff_monomial(1))
    try:
        value = time_limited(lambda: sp.summation(term, (k, lo, hi)), clock.left())
    except TimeoutError:
        raise IntegrationError(f"{what}: sympy found no closed form within {clock.timeout} s; {_REMEDY}") from None
    if isinstance(value, sp.Piecewise):  # the branch where the series converges
        value = next((e for e, _ in value.args if not e.has(sp.Sum)), value)
    if value.has(sp.Sum):
        raise IntegrationError(f"{what}: sympy has no closed form for the sum of {term}; {_REMEDY}")
    return value.xreplace({z: sp.exp(c)})
