r"""Fisher information metrics, KL divergences and expectations of probability families.

The families themselves live in :mod:`symgrad.families`.  :func:`fisher_metric`
returns the Fisher information metric of a family in a chart:

* a named family: its closed form in its own parameters, pulled back through
  the parameter map, :math:`J^T F J` with :math:`J = d\theta/dx`;
* a :class:`~symgrad.TransformedDensity` :math:`y = g(x)`: structure first.  A
  map free of the chart's coordinates leaves the Fisher information of the base
  unchanged; a map :math:`\phi(\alpha x + \beta)` with :math:`\phi` free of the
  coordinates turns a location-scale base into a location-scale family with
  location :math:`\alpha m + \beta` and scale :math:`|\alpha| s`;
* anything else (a :class:`~symgrad.Density`): :math:`E[-\partial_i\partial_j \log p]`
  by symbolic integration over the support, under a time limit
  (:func:`symgrad._integration.time_limited`).  When no closed form comes within
  it, :class:`~symgrad.IntegrationError` says so; ``method="expectation"``
  returns the entries unevaluated, as a :class:`FisherExpectation` that a
  numeric layer evaluates by quadrature.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> mu = sp.Symbol("mu", real=True)
>>> sigma, s = sp.symbols("sigma s", positive=True)
>>> M = sg.Manifold("normal family")
>>> A, B = M.chart(mu, sigma), M.chart(mu, s)
>>> sg.fisher_metric(sg.Normal(mean=mu, std=sigma), A).components()
Matrix([
[sigma**(-2),           0],
[          0, 2/sigma**2]])
>>> sg.fisher_metric(sg.Normal(mean=mu, variance=s), B).components()
Matrix([
[1/s,          0],
[  0, 1/(2*s**2)]])
"""

import numpy as np
import sympy as sp

from .errors import (
    ArgumentTypeError,
    FamilyError,
    FamilyMismatchError,
    IntegrationError,
    NotAFamilyError,
)
from ._domain import decide_zero
from ._integration import Clock, affine_factor, integrate, time_limited
from .densities import Density, TransformedDensity
from .discrete import Bernoulli, Binomial, Categorical, Poisson
from .families import Exponential, Family, Gamma, Normal
from .multivariate import MultivariateNormal
from .manifold import Chart, as_expr
from .simplify import congruence, simplify_expr, simplify_matrix
from .tensors import Metric

__all__ = ["fisher_metric", "kl_divergence", "expectation", "FisherExpectation"]

METHODS = ("auto", "closed", "integrate", "expectation")
_REALS = sp.Interval(-sp.oo, sp.oo)


def _family(value, what):
    if not isinstance(value, Family):
        raise NotAFamilyError(f"{what} takes a probability family (e.g. sg.Normal(...)), got {value!r}")
    return value


# -- expectations --------------------------------------------------------------------------------


def _bounds(family):
    s = family.support
    if family.discrete:
        return s.inf, s.sup
    return s.start, s.end


def _expect(family, h, x, clock, what, moments=None):
    """:math:`E[h(x)]` under ``family`` (its pdf in ``x``), in closed form or IntegrationError."""
    h = sp.sympify(h)
    if x not in h.free_symbols:
        return h
    pdf = family.pdf(x)
    lo, hi = _bounds(family)
    if family.discrete:
        return _sum(h * pdf, x, lo, hi, clock, what)
    if h.is_polynomial(x):
        moments = {} if moments is None else moments
        total = sp.Integer(0)
        for (k,), c in sp.Poly(h, x).terms():
            if k not in moments:
                moments[k] = sp.Integer(1) if k == 0 else integrate(x**k * pdf, x, lo, hi, clock, what)
            total += c * moments[k]
        return total
    return integrate(h * pdf, x, lo, hi, clock, what)


def _sum(term, k, lo, hi, clock, what):
    if lo.is_Integer and hi.is_Integer and hi - lo < 1000:
        return sp.Add(*[term.xreplace({k: sp.Integer(i)}) for i in range(int(lo), int(hi) + 1)])
    try:
        value = time_limited(lambda: sp.summation(term, (k, lo, hi)), clock.left())
    except TimeoutError:
        raise IntegrationError(
            f"{what}: sympy found no closed form for the sum of {term} within {clock.timeout} s"
        ) from None
    if value.has(sp.Sum) or value.has(sp.nan, sp.zoo):
        raise IntegrationError(f"{what}: sympy has no closed form for the sum of {term}")
    return value


def expectation(family, expr, x, *, timeout=10.0):
    r"""The expectation :math:`E[f(x)]` of an expression under a family, in closed form.

    Polynomials in ``x`` are taken moment by moment; other expressions are
    integrated (summed, for discrete families) over the support, under a
    time limit.

    Parameters
    ----------
    family : Family
        A one-dimensional family.
    expr : sympy.Expr
        :math:`f`, an expression in ``x`` and parameters.
    x : sympy.Symbol
        The data variable of ``expr``.
    timeout : float or None
        Seconds allowed for symbolic integration.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    IntegrationError
        If sympy finds no closed form within ``timeout``.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x = sp.Symbol("x", real=True)
    >>> m, s = sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    >>> sp.expand(sg.expectation(sg.Normal(mean=m, std=s), x**2, x))
    m**2 + s**2
    """
    family = _family(family, "expectation")
    if isinstance(family, MultivariateNormal):
        raise FamilyError("expectation takes a one-dimensional family")
    if isinstance(family, TransformedDensity):
        family = family.as_density()
        expr = expr.xreplace({x: family.variable})
        x = family.variable
    value = _expect(
        family,
        as_expr(expr, "the expression of expectation"),
        x,
        Clock(timeout),
        f"E[{expr}] under {family!r}",
    )
    return simplify_expr(value, "fast")


# -- Fisher information --------------------------------------------------------------------------


def _data_symbol(family):
    if isinstance(family, Density):
        return family.variable
    if family.discrete:
        return sp.Dummy("k", integer=True, nonnegative=True)
    return sp.Dummy("x", real=True)


def _integrated_fisher(family, theta, clock):
    r"""Fisher matrix w.r.t. the symbols ``theta``: :math:`E[-\partial_i\partial_j \log p]`."""
    if isinstance(family, MultivariateNormal):
        raise FamilyError("symbolic integration of the Fisher information is for one-dimensional families")
    x = _data_symbol(family)
    lo, hi = _bounds(family)
    moving = (sp.sympify(lo).free_symbols | sp.sympify(hi).free_symbols) & set(theta)
    if moving:
        raise FamilyError(
            f"the support ({lo}, {hi}) of {family!r} depends on {', '.join(sorted(map(str, moving)))}; "
            "the family is not regular and has no Fisher information metric"
        )
    logp = sp.expand_log(family.log_pdf(x), force=True)
    scores = [sp.diff(logp, t) for t in theta]
    n = len(theta)
    moments = {}
    what = f"the Fisher information of {family!r}"
    G = sp.zeros(n, n)
    for i in range(n):
        for j in range(i, n):
            try:
                v = _expect(family, -sp.diff(scores[i], theta[j]), x, clock, what, moments)
            except IntegrationError:
                if clock.left() is not None and clock.left() <= 0:
                    raise
                v = _expect(family, scores[i] * scores[j], x, clock, what, moments)
            G[i, j] = G[j, i] = v
    return simplify_matrix(G, "fast")


def _standard_constants(base, clock):
    r"""``(c_m, c_s, c_ms)`` of a location-scale family built on ``base`` as its standard law."""
    x = _data_symbol(base)
    psi = sp.diff(sp.expand_log(base.log_pdf(x), force=True), x)
    what = f"the location-scale constants of {base!r}"
    c_m = _expect(base, psi**2, x, clock, what)
    c_s = _expect(base, sp.expand((1 + x * psi) ** 2), x, clock, what)
    c_ms = _expect(base, sp.expand(psi * (1 + x * psi)), x, clock, what)
    return [simplify_expr(c, "fast") for c in (c_m, c_s, c_ms)]


def _free(exprs):
    return set().union(*[sp.sympify(e).free_symbols for e in exprs]) if exprs else set()


def _transformed_fisher(td, theta, method, clock):
    x, g, base = td.variable, td.map, td.base
    ts = set(theta)
    if not (g.free_symbols & ts):
        # a map free of the coordinates is a fixed invertible map of the data
        return _fisher_matrix(base, theta, method, clock)
    fac = affine_factor(g, x, ts)
    if fac is not None:
        alpha, beta = fac[0], fac[1]
        if hasattr(base, "_location_scale"):
            loc, var, c_m, c_s = base._location_scale()
            m, w = alpha * loc + beta, alpha**2 * var
            J = sp.Matrix([m, w]).jacobian(theta)
            return congruence(J, sp.diag(c_m / w, c_s / (4 * w**2)), "fast")
        if not (_free(base.parameters) & ts) and base.support == _REALS:
            c_m, c_s, c_ms = _standard_constants(base, clock)
            J = sp.Matrix([beta, alpha]).jacobian(theta)
            return congruence(J, sp.Matrix([[c_m, c_ms], [c_ms, c_s]]) / alpha**2, "fast")
    if method == "closed":
        raise IntegrationError(
            f"{td!r} has no closed-form Fisher information by structure; use method='auto' to integrate"
        )
    return _integrated_fisher(td.as_density(), list(theta), clock)


def _fisher_matrix(family, theta, method, clock):
    """The Fisher information matrix of ``family`` with respect to the symbols ``theta``."""
    theta = list(theta)
    if method == "integrate":
        if isinstance(family, TransformedDensity):
            family = family.as_density()
        return _integrated_fisher(family, theta, clock)
    if isinstance(family, TransformedDensity):
        return _transformed_fisher(family, theta, method, clock)
    if isinstance(family, Density):
        if method == "closed":
            raise IntegrationError(f"{family!r} has no closed-form Fisher information; use method='auto'")
        return _integrated_fisher(family, theta, clock)
    if type(family).fisher_matrix is Family.fisher_matrix:  # a user's family without a closed form
        if method == "closed":
            raise IntegrationError(f"{family!r} has no closed-form Fisher matrix; use method='auto'")
        return _integrated_fisher(family, theta, clock)
    J = sp.Matrix(family.parameters).jacobian(theta)
    return congruence(J, family.fisher_matrix(), "fast")


def _expressions(family):
    """The expressions a family's Fisher metric depends on (the data variable hidden)."""
    if isinstance(family, Density):
        d = sp.Dummy()
        return [family.expr.xreplace({family.variable: d}), family.support.start, family.support.end]
    if isinstance(family, TransformedDensity):
        return _expressions(family.base) + [family.map.xreplace({family.variable: sp.Dummy()})]
    return list(family.parameters) + ([family.n] if isinstance(family, Binomial) else [])


def _metric(chart, G):
    """The checked Metric of the matrix ``G`` on ``chart``."""
    return Metric(chart.manifold, chart, G)


def fisher_metric(family, chart, *, method="auto", timeout=10.0, unevaluated=False):
    r"""The Fisher information metric of a family, in ``chart``.

    :math:`G_{ij} = E[\partial_i \log p \, \partial_j \log p] = E[-\partial_i\partial_j \log p]`.
    For a named family :math:`G = J^T F(\theta(x)) J` with :math:`F` its
    closed-form Fisher matrix in its own parameters :math:`\theta` and
    :math:`J = d\theta/dx`.  A :class:`~symgrad.TransformedDensity` uses its
    structure (see :mod:`symgrad.information`); a :class:`~symgrad.Density` is
    integrated symbolically under a time limit.

    Parameters
    ----------
    family : Family
        Its parameters are expressions in ``chart``'s coordinates (and free
        parameters that are no chart's coordinates).
    chart : Chart
    method : {"auto", "closed", "integrate", "expectation"}
        ``"auto"``: closed forms and structure, else integration;
        ``"closed"``: closed forms and structure only (IntegrationError
        otherwise); ``"integrate"``: symbolic integration (summation for
        discrete families) even where a closed form exists;
        ``"expectation"``: no integration, return a :class:`FisherExpectation`.
    timeout : float or None
        Seconds allowed for all symbolic integrations together.
    unevaluated : bool
        The same as ``method="expectation"``.

    Returns
    -------
    Metric or FisherExpectation
        A Metric given in ``chart``, checked positive definite; with
        ``method="expectation"`` a :class:`FisherExpectation`.

    Raises
    ------
    ChartMismatchError
        If the family uses the coordinates of another chart.
    IntegrationError
        If an integral has no closed form that sympy finds within ``timeout``.
    NotPositiveDefiniteError
        If the parameters do not identify the coordinates (a singular metric).

    Examples
    --------
    The output of a sigmoid neuron with Gaussian input, in its gain and bias:

    >>> import sympy as sp
    >>> import symgrad as sg
    >>> a, b, x = sp.symbols("a b x", real=True)
    >>> mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
    >>> A = sg.Manifold("neuron").chart(a, b)
    >>> y = sg.TransformedDensity(sg.Normal(mean=mu, std=sigma), x, 1 / (1 + sp.exp(-(a*x + b))))
    >>> sg.fisher_metric(y, A).components()
    Matrix([
    [(mu**2 + 2*sigma**2)/(a**2*sigma**2), mu/(a**2*sigma**2)],
    [                  mu/(a**2*sigma**2),  1/(a**2*sigma**2)]])
    """
    if not isinstance(chart, Chart):
        raise ArgumentTypeError(f"fisher_metric takes a Chart, got {type(chart).__name__}")
    family = _family(family, "fisher_metric")
    if unevaluated:
        method = "expectation"
    if method not in METHODS:
        raise FamilyError(f"fisher_metric: unknown method {method!r}; use one of {', '.join(METHODS)}")
    for e in _expressions(family):
        chart.manifold.check_expression(sp.sympify(e), chart, f"parameter {e} of {family!r}")
    if method == "expectation":
        return FisherExpectation(family, chart)
    G = _fisher_matrix(family, chart.coords, method, Clock(timeout))
    return _metric(chart, G)


class FisherExpectation:
    r"""The Fisher metric of a family as unevaluated expectations, for a numeric layer.

    :math:`G_{ij}(\theta) = \int s_i(x) s_j(x) p(x) \, dx` (a sum for discrete
    families) with :math:`s = \nabla_\theta \log p`.  Returned by
    :func:`fisher_metric` with ``method="expectation"``; it is not a
    :class:`~symgrad.Metric` (whose checks need closed forms) but evaluates at
    points by quadrature.

    Attributes
    ----------
    family : Family
    chart : Chart
    variable : sympy.Symbol
        The integration variable.
    support : sympy.Interval or sympy.Range
    integrands : sympy.ImmutableMatrix, shape (dim, dim)
        :math:`s_i s_j p`, in ``variable``, the chart's coordinates and parameters.
    integrals : sympy.ImmutableMatrix, shape (dim, dim)
        The same as unevaluated :class:`sympy.Integral` (or :class:`sympy.Sum`).

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, th = sp.Symbol("x", real=True), sp.Symbol("theta", positive=True)
    >>> C = sg.Manifold("line").chart(th)
    >>> mix = sg.Density((sp.exp(-(x - th)**2 / 2) + sp.exp(-(x + th)**2 / 2)) / (2 * sp.sqrt(2 * sp.pi)), x)
    >>> F = sg.fisher_metric(mix, C, method="expectation")
    >>> F.integrals[0, 0].func
    <class 'sympy.integrals.integrals.Integral'>
    >>> F.evaluate([1.0]).round(4)
    array([[0.7339]])
    """

    def __init__(self, family, chart):
        if isinstance(family, MultivariateNormal):
            raise FamilyError(
                "method='expectation' is for one-dimensional families; MultivariateNormal has a closed form"
            )
        self.family = family
        self.chart = chart
        fam = family.as_density() if isinstance(family, TransformedDensity) else family
        self._density = fam
        self.variable = _data_symbol(fam)
        self.discrete = fam.discrete
        self.support = fam.support
        x = self.variable
        logp = sp.expand_log(fam.log_pdf(x), force=True)
        scores = [sp.diff(logp, c) for c in chart.coords]
        pdf = fam.pdf(x)
        n = chart.dim
        self.integrands = sp.ImmutableMatrix(n, n, lambda i, j: scores[i] * scores[j] * pdf)
        # for quadrature: the density as exp(log p), which neither overflows nor underflows early
        self._numeric = [(i, j, scores[i] * scores[j] * sp.exp(logp)) for i in range(n) for j in range(i, n)]

    def __repr__(self):
        return f"FisherExpectation({self.family!r}, chart {self.chart.name!r})"

    @property
    def integrals(self):
        """The entries as unevaluated ``Integral`` (``Sum``) objects."""
        lo, hi = _bounds(self._density)
        kind = sp.Sum if self.discrete else sp.Integral
        return self.integrands.applyfunc(lambda e: kind(e, (self.variable, lo, hi)))

    def evaluate(self, point, params=None):
        """The metric at a point, by numeric quadrature (summation when discrete).

        Parameters
        ----------
        point : sequence of float, length dim, or dict {coordinate: float}
        params : dict {Symbol: float}, optional
            Values of the symbols that are no coordinates.

        Returns
        -------
        numpy.ndarray, shape (dim, dim)
        """
        from scipy import integrate as scint

        chart = self.chart
        if isinstance(point, dict):
            point = [point[c] for c in chart.coords]
        point = [float(v) for v in point]
        chart.check_point(point)
        values = {
            **dict(zip(chart.coords, point)),
            **{sp.sympify(k): float(v) for k, v in (params or {}).items()},
        }
        n = chart.dim
        entries = [e for _, _, e in self._numeric]
        lo, hi = _bounds(self._density)
        subs = {s: sp.Float(v) for s, v in values.items()}
        lo, hi = (sp.sympify(b).xreplace(subs) for b in (lo, hi))
        free = (_free(entries) | lo.free_symbols | hi.free_symbols) - {self.variable}
        missing = free - set(values)
        if missing:
            raise FamilyError(
                f"evaluate needs values for {', '.join(sorted(map(str, missing)))}; pass params="
            )
        f = sp.lambdify([self.variable], [e.xreplace(subs) for e in entries], modules=["scipy", "numpy"])

        def vec(t):
            t = np.asarray(t, dtype=float)
            with np.errstate(all="ignore"):
                v = np.stack([np.broadcast_to(np.real(np.asarray(u, dtype=complex)), t.shape) for u in f(t)])
            return np.where(np.isfinite(v), v, 0.0)

        if self.discrete:
            total, k, stop = np.zeros(len(entries)), int(lo), float(hi)
            while k <= min(stop, 10**7):
                chunk = vec(np.arange(k, int(min(stop, k + 999)) + 1)).sum(axis=1)
                total += chunk
                k += 1000
                if np.all(np.abs(chunk) <= 1e-15 * (1 + np.abs(total))):
                    break
        else:
            total, _ = scint.quad_vec(vec, float(lo), float(hi), epsrel=1e-9, epsabs=1e-12)
        G = np.zeros((n, n))
        for (i, j, _), v in zip(self._numeric, total):
            G[i, j] = G[j, i] = v
        return G


# -- KL divergences ------------------------------------------------------------------------------


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
            f"the KL divergence between {p!r} and {q!r} needs the same number of trials n; "
            f"got {p.n} and {q.n}"
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


def kl_divergence(p, q, *, timeout=10.0):
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
    p, q = _family(p, "kl_divergence"), _family(q, "kl_divergence")
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
    if p.support.is_subset(q.support) is False:
        raise FamilyMismatchError(
            f"KL({p!r} || {q!r}) is infinite: the support {p.support} of the first is not inside "
            f"the support {q.support} of the second"
        )
    if isinstance(p, TransformedDensity):
        p = p.as_density()
    x = _data_symbol(p)
    h = sp.expand(sp.expand_log(p.log_pdf(x) - q.log_pdf(x), force=True))
    value = _expect(p, h, x, Clock(timeout), f"KL({p!r} || {q!r})")
    return simplify_expr(value, "fast")
