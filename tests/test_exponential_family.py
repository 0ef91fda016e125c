"""Exponential families: the log-partition, Fisher metric as its Hessian, mean charts, Bregman KL."""

import pytest
import sympy as sp

import symgrad as sg
from symgrad.core._hessian import hessian_metric
from symgrad.information.exponential import ExponentialFamily, bregman_divergence
from symgrad.information.exponential_forms import exponential_form

mu, m2 = sp.symbols("mu m2", real=True)
sigma, s2, lam, lam2, k, k2, b, b2 = sp.symbols("sigma s2 lambda lambda2 kappa kappa2 beta beta2", positive=True)
p, q = sp.symbols("p q", positive=True)
l1, l2, r1, r2 = sp.symbols("l1 l2 r1 r2", real=True)
N = sp.Symbol("N", integer=True, positive=True)
UNIT = sp.Interval.open(0, 1)


_ODDS = sp.symbols("a c", positive=True)


def _zero(expr):
    """Exactly zero, with p, q in (0, 1) written 1/(1 + a), a > 0, so that every logarithm expands."""
    e = sp.sympify(expr).subs({p: 1 / (1 + _ODDS[0]), q: 1 / (1 + _ODDS[1])})
    e = e.replace(lambda z: isinstance(z, sp.log), lambda z: sp.log(sp.factor(sp.cancel(z.args[0]))))
    return sp.cancel(sp.expand(sp.expand_log(sp.factor_terms(e), force=True))) == 0


def _zero_matrix(m):
    return all(_zero(e) for e in m)


# (family, the same family at other parameters, chart coordinates, chart domain)
CASES = {
    "normal": (sg.Normal(mean=mu, std=sigma), sg.Normal(mean=m2, std=s2), (mu, sigma), {}),
    "normal-variance": (sg.Normal(mean=mu, variance=sigma), sg.Normal(mean=m2, variance=s2), (mu, sigma), {}),
    "exponential": (sg.Exponential(rate=lam), sg.Exponential(rate=lam2), (lam,), {}),
    "gamma": (sg.Gamma(shape=k, rate=b), sg.Gamma(shape=k2, rate=b2), (k, b), {}),
    "poisson": (sg.Poisson(rate=lam), sg.Poisson(rate=lam2), (lam,), {}),
    "bernoulli": (sg.Bernoulli(p), sg.Bernoulli(q), (p,), {p: UNIT}),
    "binomial": (sg.Binomial(N, p), sg.Binomial(N, q), (p,), {p: UNIT}),
    "categorical": (sg.Categorical([0, l1, l2]), sg.Categorical([0, r1, r2]), (l1, l2), {}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_fisher_metric_is_the_hessian_of_the_log_partition(name):
    fam, _, coords, domain = CASES[name]
    C = sg.Manifold(name).chart(*coords, domain=domain)
    ef = fam.exponential_family()
    assert isinstance(ef, ExponentialFamily) and isinstance(ef, sg.Family)
    assert _zero_matrix(sg.fisher_metric(ef, C).components() - sg.fisher_metric(fam, C).components())


@pytest.mark.parametrize("name", list(CASES))
def test_kl_divergence_is_the_bregman_divergence(name):
    fam, other, _, _ = CASES[name]
    ef, ef2 = fam.exponential_family(), other.exponential_family()
    assert ef.same_model(ef2)
    assert _zero(sg.kl_divergence(ef, ef2) - sg.kl_divergence(fam, other))


def test_multivariate_normal():
    a, c = sp.symbols("a c", positive=True)
    fam = sg.MultivariateNormal(mean=[l1, l2], covariance=sp.diag(a, c))
    C = sg.Manifold("mvn").chart(l1, l2, a, c)
    ef = fam.exponential_family()
    assert _zero_matrix(sg.fisher_metric(ef, C).components() - sg.fisher_metric(fam, C).components())
    other = sg.MultivariateNormal(mean=[r1, r2], covariance=sp.diag(c, a))
    assert _zero(sg.kl_divergence(ef, other.exponential_family()) - sg.kl_divergence(fam, other))
    assert _zero_matrix(ef.mean_parameters()[:2, 0] - sp.Matrix([l1, l2]))


def test_log_partition_derived_by_integration_and_summation():
    x, t1 = sp.Symbol("x", real=True), sp.Symbol("theta1", real=True)
    t2 = sp.Symbol("theta2", negative=True)
    y = sp.Symbol("y", positive=True)
    n = sp.Symbol("n", integer=True, nonnegative=True)
    derived = [
        (
            ExponentialFamily(x, [x, x**2], [mu / sigma**2, -1 / (2 * sigma**2)], 1 / sp.sqrt(2 * sp.pi)),
            CASES["normal"],
        ),
        (ExponentialFamily(y, [y], [-lam], 1, sp.Interval.open(0, sp.oo)), CASES["exponential"]),
        (ExponentialFamily(y, [sp.log(y), y], [k, -b], 1 / y, sp.Interval.open(0, sp.oo)), CASES["gamma"]),
        (ExponentialFamily(n, [n], [sp.log(lam)], 1 / sp.factorial(n), sp.Range(0, sp.oo)), CASES["poisson"]),
        (ExponentialFamily(n, [n], [sp.log(p / (1 - p))], 1, sp.Range(0, 2)), CASES["bernoulli"]),
        (ExponentialFamily(n, [n], [sp.log(p / (1 - p))], sp.binomial(N, n), sp.Range(0, N + 1)), CASES["binomial"]),
    ]
    for ef, (fam, _, _, _) in derived:
        named = fam.exponential_family()
        assert _zero(ef.log_partition() - named.log_partition()), ef
        assert _zero_matrix(ef.fisher_matrix() - named.fisher_matrix()), ef
    ef = ExponentialFamily(x, [x, x**2], [t1, t2])
    assert ef.theta == (t1, t2)
    assert _zero(ef.log_partition() - (-(t1**2) / (4 * t2) - sp.log(-t2) / 2 + sp.log(sp.pi) / 2))
    cat = ExponentialFamily(n, [sp.Piecewise((1, sp.Eq(n, j)), (0, True)) for j in (1, 2)], [l1, l2], 1, sp.Range(0, 3))
    assert _zero(cat.log_partition() - sp.log(1 + sp.exp(l1) + sp.exp(l2)))


def test_log_pdf_matches_the_named_family():
    x = sp.Symbol("x", real=True)
    n = sp.Symbol("n", integer=True, nonnegative=True)
    assert _zero(
        sg.Normal(mean=mu, std=sigma).exponential_family().log_pdf(x) - sg.Normal(mean=mu, std=sigma).log_pdf(x)
    )
    pois = sg.Poisson(rate=lam)
    ratio = sp.exp(pois.exponential_family().log_pdf(n) - pois.log_pdf(n))
    assert sp.gammasimp(ratio.rewrite(sp.gamma)) == 1


def test_natural_and_mean_charts_in_one_line():
    M = sg.Manifold("normal family")
    A = M.chart(mu, sigma)
    fam = sg.Normal(mean=mu, std=sigma)
    ef = fam.exponential_family()
    Nat, Mean = ef.natural_chart(A), ef.mean_chart(A)
    eta1, eta2 = Mean.coords
    F = sg.fisher_metric(fam, A)
    # the mean parameters are E[x], E[x^2]; the transition back is solved and verified
    assert M.transition_map(A, Mean).push(sp.Matrix([mu, sigma])) == sp.Matrix([eta1, sp.sqrt(eta2 - eta1**2)])
    # Fisher metric: Hess A in natural coordinates, Hess A* in mean coordinates
    assert _zero_matrix(hessian_metric(ef.potential(A), Nat).components() - F.components(Nat))
    assert _zero_matrix(hessian_metric(ef.dual_potential(A), Mean).components() - F.components(Mean))
    # a family whose natural parameters are the chart's coordinates is its own natural chart
    t = sp.Symbol("t", real=True)
    T = sg.Manifold("logits").chart(t)
    assert sg.Categorical([0, t]).exponential_family().natural_chart(T) is T


def test_bernoulli_legendre_charts():
    t = sp.Symbol("t", real=True)
    T = sg.Manifold("coin").chart(t)
    ef = sg.Categorical([0, t]).exponential_family()
    E = ef.mean_chart(T)
    (eta,) = E.coords
    back = T.manifold.transition_map(T, E).push(sp.Matrix([t]))[0]
    assert sp.cancel(sp.exp(back) - eta / (1 - eta)) == 0
    F = sg.fisher_metric(ef, T)
    assert _zero(F.components(E)[0, 0] - 1 / (eta * (1 - eta)))


def test_bregman_divergence_and_errors():
    ef = sg.Poisson(rate=lam).exponential_family()
    d = bregman_divergence(ef, [sp.log(lam2)], [sp.log(lam)])
    assert _zero(d - sg.kl_divergence(sg.Poisson(rate=lam), sg.Poisson(rate=lam2)))
    assert exponential_form(ef) is ef
    with pytest.raises(sg.FamilyError, match="no registered exponential form"):
        sg.Logistic(loc=mu, scale=sigma).exponential_family()
    x = sp.Symbol("x", real=True)
    with pytest.raises(sg.FamilyError, match="one natural parameter per statistic"):
        ExponentialFamily(x, [x, x**2], [mu])
    with pytest.raises(sg.FamilyError, match="does not use the data variable"):
        ExponentialFamily(x, [mu], [sigma])
    with pytest.raises(sg.IntegrationError, match="log_partition="):
        ExponentialFamily(x, [sp.exp(x) * sp.sin(x)], [mu], timeout=2)
    with pytest.raises(sg.FamilyError, match="sample the named family"):
        ef.sample({lam: 1.0}, 3)
    ok = ExponentialFamily(
        x, [x, x**2], [mu, -sigma], log_partition=lambda t: -(t[0] ** 2) / (4 * t[1]) - sp.log(-2 * t[1]) / 2
    )
    assert not ok.same_model(ef)
