r"""Kullback-Leibler divergences between probability families.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> lam = sp.Symbol("lambda", positive=True)
>>> sg.kl_divergence(sg.Poisson(rate=1), sg.Poisson(rate=lam))
lambda + log(1/lambda) - 1
"""

import sympy as sp

from ..budgets import stage
from ..core._coerce import as_expr
from ..core._domain import decide_zero
from ..core.simplify import simplify_expr
from ..errors import FamilyMismatchError
from ._expect import data_symbol, expect
from ._integration import Clock
from .densities import TransformedDensity
from .discrete import Bernoulli, Binomial, Categorical, Poisson
from .families import Exponential, Family, Gamma, Normal, as_family
from .multivariate import MultivariateNormal

__all__ = ["kl_divergence"]


def _log_det(mvn):
    m, d = mvn.matrix, mvn.dim
    if mvn.matrix_name == "cholesky":
        return 2 * sum(sp.log(m[i, i]) for i in range(d))
    sign = 1 if mvn.matrix_name == "covariance" else -1
    return sign * sp.log(m.det(method="berkowitz"))


def _kl_normal(p, q):
    if p.scale_name == q.scale_name == "std":
        log_ratio = sp.log(q.scale / p.scale)
    else:
        log_ratio = sp.log(q.variance / p.variance) / 2
    return log_ratio + (p.variance + (q.mean - p.mean) ** 2) / (2 * q.variance) - sp.Rational(1, 2)


def _kl_mvn(p, q):
    if p.dim != q.dim:
        raise FamilyMismatchError(f"KL divergence between normals of dimensions {p.dim} and {q.dim}")
    Qinv = q.precision_matrix()
    dm = q.mean - p.mean
    trace = sp.cancel((Qinv * p.covariance_matrix()).trace())
    quad = sp.cancel((dm.T * Qinv * dm)[0, 0])
    return (trace + quad - p.dim + _log_det(q) - _log_det(p)) / 2


def _kl_bernoulli(p, q):
    return p.p * sp.log(p.p / q.p) + (1 - p.p) * sp.log((1 - p.p) / (1 - q.p))


def _kl_binomial(p, q):
    if sp.simplify(p.n - q.n) != 0:
        raise FamilyMismatchError(
            f"the KL divergence between {p!r} and {q!r} needs the same number of trials n; got {p.n} and {q.n}"
        )
    return p.n * _kl_bernoulli(p, q)


def _kl_categorical(p, q):
    if len(p.logits) != len(q.logits):
        raise FamilyMismatchError(
            f"the KL divergence between categoricals needs the same number of categories; "
            f"got {len(p.logits)} and {len(q.logits)}"
        )
    pi = p.probabilities
    cross = sum(w * (a - b) for w, a, b in zip(pi, p.logits, q.logits))
    return cross - p._log_normaliser() + q._log_normaliser()


_KL = {
    Normal: _kl_normal,
    MultivariateNormal: _kl_mvn,
    Exponential: lambda p, q: sp.log(p.rate / q.rate) + q.rate / p.rate - 1,
    Gamma: lambda p, q: (
        (p.shape - q.shape) * sp.polygamma(0, p.shape)
        - sp.loggamma(p.shape)
        + sp.loggamma(q.shape)
        + q.shape * (sp.log(p.rate) - sp.log(q.rate))
        + p.shape * (q.rate - p.rate) / p.rate
    ),
    Bernoulli: _kl_bernoulli,
    Binomial: _kl_binomial,
    Poisson: lambda p, q: p.rate * sp.log(p.rate / q.rate) + q.rate - p.rate,
    Categorical: _kl_categorical,
}


def _same_map(p, q):
    """True if ``p`` and ``q`` are transformed densities of one map of their variables."""
    if not (isinstance(p, TransformedDensity) and isinstance(q, TransformedDensity)):
        return False
    verdict, how = decide_zero(p.map.xreplace({p.variable: q.variable}) - q.map, {})
    return verdict is True and how == "symbolic"


@stage("the KL divergence")
def kl_divergence(p: Family, q: Family, *, timeout: float | None = 10.0) -> sp.Expr:
    r"""The Kullback-Leibler divergence :math:`KL(p \| q) = E_p[\log p - \log q]`.

    Closed forms for two families of the same named kind (:class:`Normal` in any
    parametrisations, :class:`MultivariateNormal`, :class:`Exponential`,
    :class:`Gamma`, :class:`Bernoulli`, :class:`Binomial` with the same ``n``,
    :class:`Poisson`, :class:`Categorical`) or a family's own
    :meth:`~symgrad.Family.closed_form_kl`; for two transformed densities of one
    map, the KL divergence of their bases (KL does not change under an invertible
    map of the data); otherwise symbolic integration of
    :math:`p (\log p - \log q)` over the support of ``p``, under a time limit.

    Parameters
    ----------
    p, q : Family
    timeout : float or None
        Seconds allowed for symbolic integration.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    FamilyMismatchError
        If the families cannot be compared (a discrete and a continuous one,
        different dimensions, binomials with different ``n``, the support of
        ``p`` outside that of ``q``).
    IntegrationError
        If no closed form is found within ``timeout``.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
    >>> sg.kl_divergence(sg.Normal(mean=4, std=2), sg.Normal(mean=mu, std=sigma))
    log(sigma/2) - 1/2 + ((mu - 4)**2 + 4)/(2*sigma**2)
    """
    p, q = as_family(p, "kl_divergence"), as_family(q, "kl_divergence")
    if type(p) is type(q) and type(p) in _KL:
        return _KL[type(p)](p, q)
    if type(p) is type(q):
        closed = p.closed_form_kl(q)
        if closed is not None:
            return as_expr(closed, f"the closed-form KL divergence of {type(p).__name__}")
    if _same_map(p, q):  # KL is invariant under one invertible map of both variables
        return kl_divergence(p.base, q.base, timeout=timeout)
    if p.discrete != q.discrete or isinstance(p, MultivariateNormal) or isinstance(q, MultivariateNormal):
        raise FamilyMismatchError(
            f"no KL divergence between {p!r} and {q!r}: they are not distributions of the same "
            "kind of data (discrete or continuous, of one dimension)"
        )
    try:
        outside = p.support.is_subset(q.support) is False
    except TypeError:  # sympy could not compare the ends; the integral decides
        outside = False
    if outside:
        raise FamilyMismatchError(
            f"KL({p!r} || {q!r}) is infinite: the support {p.support} of the first is not inside "
            f"the support {q.support} of the second"
        )
    if isinstance(p, TransformedDensity):
        p = p.as_density()
    x = data_symbol(p)
    h = sp.expand(sp.expand_log(p.log_pdf(x) - q.log_pdf(x), force=True))
    value = expect(p, h, x, Clock(timeout), f"KL({p!r} || {q!r})")
    return simplify_expr(value, "fast")
