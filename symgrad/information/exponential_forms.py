"""The named families in exponential form: :func:`exponential_form`, the one dispatch.

``family.exponential_family()`` of every named family calls it; a family that
is no exponential family (the logistic) raises :class:`~symgrad.FamilyError`.
"""

from __future__ import annotations

import functools

import sympy as sp

from ..errors import FamilyError
from .discrete import Bernoulli, Binomial, Categorical, Poisson
from .exponential import ExponentialFamily
from .families import Exponential, Family, Gamma, Normal, as_family
from .multivariate import MultivariateNormal

__all__ = ["exponential_form"]


@functools.singledispatch
def exponential_form(family: Family) -> ExponentialFamily:
    r"""The named family ``family`` written as an :class:`ExponentialFamily`.

    Its natural parameters are expressions in ``family``'s parameters; the log-partition is
    the known closed form (the tests derive it again by integration).  Registered for
    :class:`~symgrad.Normal`, :class:`~symgrad.Exponential`, :class:`~symgrad.Gamma`,
    :class:`~symgrad.Poisson`, :class:`~symgrad.Bernoulli`, :class:`~symgrad.Binomial`,
    :class:`~symgrad.Categorical` and :class:`~symgrad.MultivariateNormal`.

    Raises
    ------
    FamilyError
        For a family that is not an exponential family (or not one registered here).

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> p = sp.Symbol("p", positive=True)
    >>> C = sg.Manifold("coin").chart(p, domain={p: sp.Interval.open(0, 1)})
    >>> ef = sg.Bernoulli(p).exponential_family()
    >>> ef.natural, ef.mean_parameters()
    ((log(p/(1 - p)),), Matrix([[p]]))
    >>> sg.fisher_metric(ef, C).components()
    Matrix([[-1/(p*(p - 1))]])
    """
    family = as_family(family, "exponential_form")
    raise FamilyError(
        f"{family!r} has no registered exponential form; build it with "
        "ExponentialFamily(x, statistics=[...], natural=[...], base_measure=..., support=...)"
    )


@exponential_form.register
def _(family: ExponentialFamily) -> ExponentialFamily:
    return family


_X = sp.Symbol("x", real=True)
_XPOS = sp.Symbol("x", positive=True)
_K = sp.Symbol("k", integer=True, nonnegative=True)


@exponential_form.register
def _(family: Normal) -> ExponentialFamily:
    m, v = family.mean, family.variance
    return ExponentialFamily(
        _X,
        [_X, _X**2],
        [m / v, -1 / (2 * v)],
        1 / sp.sqrt(2 * sp.pi),
        log_partition=lambda t: -(t[0] ** 2) / (4 * t[1]) - sp.log(-2 * t[1]) / 2,
    )


@exponential_form.register
def _(family: Exponential) -> ExponentialFamily:
    return ExponentialFamily(
        _XPOS, [_XPOS], [-family.rate], 1, sp.Interval.open(0, sp.oo), log_partition=lambda t: -sp.log(-t[0])
    )


@exponential_form.register
def _(family: Gamma) -> ExponentialFamily:
    return ExponentialFamily(
        _XPOS,
        [sp.log(_XPOS), _XPOS],
        [family.shape, -family.rate],
        1 / _XPOS,
        sp.Interval.open(0, sp.oo),
        log_partition=lambda t: sp.loggamma(t[0]) - t[0] * sp.log(-t[1]),
    )


@exponential_form.register
def _(family: Poisson) -> ExponentialFamily:
    return ExponentialFamily(
        _K, [_K], [sp.log(family.rate)], 1 / sp.factorial(_K), sp.Range(0, sp.oo), log_partition=lambda t: sp.exp(t[0])
    )


def _logit(p):
    return sp.log(p / (1 - p))


@exponential_form.register
def _(family: Bernoulli) -> ExponentialFamily:
    return ExponentialFamily(
        _K, [_K], [_logit(family.p)], 1, sp.Range(0, 2), log_partition=lambda t: sp.log(1 + sp.exp(t[0]))
    )


@exponential_form.register
def _(family: Binomial) -> ExponentialFamily:
    n = family.n
    return ExponentialFamily(
        _K,
        [_K],
        [_logit(family.p)],
        sp.binomial(n, _K),
        sp.Range(0, n + 1),
        log_partition=lambda t: n * sp.log(1 + sp.exp(t[0])),
    )


@exponential_form.register
def _(family: Categorical) -> ExponentialFamily:
    l0, *rest = family.logits
    K = len(family.logits)
    return ExponentialFamily(
        _K,
        [sp.Piecewise((1, sp.Eq(_K, j)), (0, True)) for j in range(1, K)],
        [v - l0 for v in rest],
        1,
        sp.Range(0, K),
        log_partition=lambda t: sp.log(1 + sum(sp.exp(v) for v in t)),
    )


@exponential_form.register
def _(family: MultivariateNormal) -> ExponentialFamily:
    d = family.dim
    xs = sp.symbols(f"x1:{d + 1}", real=True)
    pairs = [(i, j) for i in range(d) for j in range(i, d)]
    Lam = family.precision_matrix()
    lin = Lam * family.mean
    natural = [sp.cancel(v) for v in lin] + [-Lam[i, i] / 2 if i == j else -Lam[i, j] for i, j in pairs]

    def A(t):
        P = sp.zeros(d, d)
        for (i, j), v in zip(pairs, t[d:]):
            P[i, j] = P[j, i] = -2 * v if i == j else -v
        b = sp.Matrix(t[:d])
        return (b.T * P.inv(method="LU") * b)[0, 0] / 2 - sp.log(P.det(method="berkowitz")) / 2

    return ExponentialFamily(
        xs,
        list(xs) + [xs[i] * xs[j] for i, j in pairs],
        natural,
        (2 * sp.pi) ** sp.Rational(-d, 2),
        log_partition=A,
    )
