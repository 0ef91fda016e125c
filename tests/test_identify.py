"""Fisher metrics of densities given by expressions: structure first, then identified constants."""

import mpmath
import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.information._expect import fisher_information
from symgrad.information._identify import identify_integral, identify_number
from symgrad.information._integration import Clock
from symgrad.information.densities import standardize

x, mu, b = sp.symbols("x mu b", real=True)
a, s = sp.symbols("a s", positive=True)
LOC_SCALE = sg.Manifold("location-scale").chart(mu, s)
Z = (x - mu) / s
LOGISTIC = sp.exp(-x) / (1 + sp.exp(-x)) ** 2


def _fisher(family, chart, **kw):
    clock = Clock(20, **kw)
    return sp.Matrix(fisher_information(family, chart.coords, "auto", clock)), clock


def _numeric(family, chart, point):
    return sg.fisher_metric(family, chart, method="expectation").evaluate(point)


def test_logistic_input_of_a_sigmoid_neuron_from_the_generic_density():
    chart = sg.Manifold("neuron").chart(a, b)
    y = sg.TransformedDensity(sg.Density(LOGISTIC, x), x, 1 / (1 + sp.exp(-(a * x + b))))
    G, clock = _fisher(y, chart)
    assert sp.simplify(G - sp.diag((sp.pi**2 + 3) / (9 * a**2), 1 / (3 * a**2))) == sp.zeros(2, 2)
    # the named Logistic family's metric, at location 0 and scale 1
    named = sg.catalog.intrinsic_plasticity("logistic")
    m, sc = sorted(named.fisher.components().free_symbols - {a, b}, key=str)
    ref = named.fisher.components().xreplace({m: 0, sc: 1})
    assert sp.simplify(G - ref.xreplace(dict(zip(named.fisher.chart.coords, (a, b))))) == sp.zeros(2, 2)
    # provenance: the scale constant was identified, not proven
    assert [sp.simplify(i.value - (sp.pi**2 + 3) / 9) for i in clock.identified] == [0]
    found = clock.identified[0]
    assert found.verified_digits >= 2 * found.found_digits
    assert "not proven" in str(found)


@pytest.mark.parametrize(
    "name, pdf, expected",
    [
        ("Laplace", sp.exp(-sp.Abs(x - mu) / s) / (2 * s), sp.diag(1, 1) / s**2),
        ("Cauchy", s / (sp.pi * (s**2 + (x - mu) ** 2)), sp.diag(sp.Rational(1, 2), sp.Rational(1, 2)) / s**2),
        (
            "Gumbel",
            sp.exp(-Z - sp.exp(-Z)) / s,
            sp.Matrix([[1, sp.EulerGamma - 1], [sp.EulerGamma - 1, (1 - sp.EulerGamma) ** 2 + sp.pi**2 / 6]]) / s**2,
        ),
    ],
)
def test_location_scale_densities_match_closed_forms_and_quadrature(name, pdf, expected):
    family = sg.Density(pdf, x, check=False)
    G, _ = _fisher(family, LOC_SCALE)
    assert sp.simplify(G - expected) == sp.zeros(2, 2), name
    point = (0.3, 1.7)
    numeric = _numeric(family, LOC_SCALE, point)
    exact = np.array(G.xreplace({mu: point[0], s: point[1]}).evalf(), dtype=float)
    # tolerances far below a factor-2 error, also on the off-diagonal of the Gumbel metric
    np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-9)


def test_standardize_finds_location_and_scale():
    m, sc, f = standardize(sg.Density(sp.exp(-Z - sp.exp(-Z)) / s, x, check=False), [mu, s])
    assert (m, sc) == (mu, s)
    assert f.expr.free_symbols == {f.variable}
    assert standardize(sg.Density(LOGISTIC, x), [mu, s]) is None  # no coordinate in it


def test_pslq_rejects_a_random_constant():
    rng = np.random.default_rng(7)
    with mpmath.workdps(100):
        value = mpmath.mpf(int(rng.integers(1, 10**18))) / 10**18 + mpmath.mpf(int(rng.integers(1, 10**18))) / 10**36
        value += mpmath.sqrt(mpmath.mpf(5)) / 10**40  # all 100 digits random-looking
        assert identify_number(value) is None
        # a true relation is found and recorded
        found = identify_number(2 * mpmath.catalan - mpmath.pi**2 / 8)
    assert found is not None and sp.simplify(found.value - (2 * sp.Catalan - sp.pi**2 / 8)) == 0
    assert found.relation[0] != 0 and found.found_digits < found.verified_digits


def test_identified_integral_records_what_it_identified():
    u = sp.Symbol("u", real=True)
    found = identify_integral(u**2 * LOGISTIC.xreplace({x: u}), u, -sp.oo, sp.oo)
    assert found.value == sp.pi**2 / 3
    assert found.integral == sp.Integral(u**2 * LOGISTIC.xreplace({x: u}), (u, -sp.oo, sp.oo))


def test_opt_out_of_identification():
    chart = sg.Manifold("neuron").chart(a, b)
    y = sg.TransformedDensity(sg.Density(LOGISTIC, x), x, 1 / (1 + sp.exp(-(a * x + b))))
    clock = Clock(2, identify=False)
    with pytest.raises(sg.IntegrationError, match="identif"):
        fisher_information(y, chart.coords, "auto", clock)
    assert clock.identified == []
    with pytest.raises(sg.IntegrationError):
        sg.Density(sp.exp(-Z) / (s * (1 + sp.exp(-Z)) ** 2), x, check=False).fisher_matrix(timeout=2, identify=False)


def test_fisher_metric_records_identified_constants_and_can_refuse_them():
    import warnings

    import symgrad as sg

    u = sp.Symbol("u", real=True)
    mu = sp.Symbol("mu", real=True)
    s = sp.Symbol("s", positive=True)
    A = sg.Manifold("gumbel family").chart(mu, s)
    z = (u - mu) / s
    gumbel = sg.Density(sp.exp(-z - sp.exp(-z)) / s, u, support=(-sp.oo, sp.oo))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F = sg.fisher_metric(gumbel, A)
    assert F.provenance and all("not proven" in str(p) for p in F.provenance)
    assert any(issubclass(w.category, sg.SymgradWarning) and "identified" in str(w.message) for w in caught)
    g = sp.EulerGamma
    expected = sp.Matrix([[1, g - 1], [g - 1, (1 - g) ** 2 + sp.pi**2 / 6]]) / s**2
    assert (F.components() - expected).applyfunc(sp.simplify) == sp.zeros(2, 2)
    with pytest.raises(sg.IntegrationError):
        sg.fisher_metric(gumbel, A, identify=False)
    # a proven closed form has no provenance
    assert sg.fisher_metric(sg.Normal(mean=mu, std=s), A).provenance == ()


# -- periodic and scale densities: a location or a scale moved out of the integrals ----------------

kappa, lam, k = sp.symbols("kappa lam k", positive=True)
VON_MISES = sp.exp(kappa * sp.cos(x - mu)) / (2 * sp.pi * sp.besseli(0, kappa))
WEIBULL = (k / lam) * (x / lam) ** (k - 1) * sp.exp(-((x / lam) ** k))


def _quadrature_fisher(pdf, coords, values, lo, hi):
    """E[score_i score_j] by mpmath quadrature at ``values``, independent of symgrad."""
    logp = sp.expand_log(sp.log(pdf), force=True)
    scores = [sp.lambdify(x, sp.diff(logp, c).xreplace(values), "mpmath") for c in coords]
    density = sp.lambdify(x, pdf.xreplace(values), "mpmath")
    n = len(coords)
    G = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            integrand = lambda t, i=i, j=j: scores[i](t) * scores[j](t) * density(t)  # noqa: E731
            G[i, j] = float(mpmath.quad(integrand, [lo, 1, hi]))
    return G


def test_von_mises_metric_by_shift_invariance_over_one_period():
    chart = sg.Manifold("von Mises").chart(mu, kappa)
    F = sg.fisher_metric(sg.Density(VON_MISES, x, support=(-sp.pi, sp.pi)), chart)  # within its 10 s limit
    G = F.components()
    assert G.free_symbols == {kappa} and F.provenance == ()  # the location is gone; nothing identified
    A = sp.besseli(1, kappa) / sp.besseli(0, kappa)
    expected = sp.diag(kappa * A, 1 - A / kappa - A**2)
    for value in (0.05, 0.7, 2.5, 11.0):
        diff = (G - expected).xreplace({kappa: sp.Float(value, 30)}).evalf(30)
        assert max(abs(float(d)) for d in diff) < 1e-12
    for point in ((0.3, 0.7), (-1.0, 2.5)):
        values = {mu: point[0], kappa: point[1]}
        numeric = _quadrature_fisher(VON_MISES, (mu, kappa), values, -mpmath.pi, mpmath.pi)
        exact = np.array(G.xreplace(values).evalf(), dtype=float)
        np.testing.assert_allclose(exact, numeric, rtol=1e-9, atol=1e-12)


def test_bessel_table_over_one_period_matches_quadrature():
    from symgrad.information._integration import _bessel_period

    u, c = sp.Symbol("u", real=True), sp.Symbol("c", positive=True)
    expr = sp.exp(c * sp.cos(u)) * (sp.cos(u) ** 3 * sp.sin(u) ** 2 - 2 * sp.cos(2 * u) + sp.sin(u))
    value = _bessel_period(expr, u, -sp.pi, sp.pi)
    assert value is not None and value.has(sp.besseli)
    for cv in (0.7, 3.0):
        f = sp.lambdify(u, expr.xreplace({c: cv}), "mpmath")
        assert abs(float(value.xreplace({c: cv})) - float(mpmath.quad(f, [-mpmath.pi, mpmath.pi]))) < 1e-12
    # not one period, or not exp(c cos u) times a trigonometric polynomial: no answer
    assert _bessel_period(expr, u, 0, sp.pi) is None
    assert _bessel_period(sp.exp(c * sp.cos(u) ** 2), u, -sp.pi, sp.pi) is None


def test_a_non_periodic_density_is_not_shifted_over_its_support():
    from symgrad.information._integration import reduced_fisher

    pdf = sp.exp(-((x - mu) ** 2) / 2)  # on (-pi, pi): not periodic, so not shift-invariant
    assert reduced_fisher(pdf, x, sp.Interval(-sp.pi, sp.pi), [mu], Clock(5)) is None


@pytest.mark.parametrize("coords", [(lam, k), (k, lam), (lam,)])
def test_weibull_metric_by_its_scale_and_a_power_substitution(coords):
    chart = sg.Manifold("Weibull").chart(*coords)
    F = sg.fisher_metric(sg.Density(WEIBULL, x, support=(0, sp.oo)), chart)  # within its 10 s limit
    g = sp.EulerGamma
    full = sp.Matrix([[k**2 / lam**2, -(1 - g) / lam], [-(1 - g) / lam, ((1 - g) ** 2 + sp.pi**2 / 6) / k**2]])
    order = [(lam, k).index(c) for c in coords]
    expected = full.extract(order, order)
    assert sp.simplify(F.components() - expected) == sp.zeros(len(coords), len(coords))
    assert F.provenance == ()  # Gamma-function moments: proven, not identified
    values = {lam: 1.7, k: 2.3}
    numeric = _quadrature_fisher(WEIBULL, coords, values, 0, mpmath.inf)
    exact = np.array(F.components().xreplace(values).evalf(), dtype=float)
    np.testing.assert_allclose(exact, numeric, rtol=1e-9, atol=1e-12)


def test_gamma_density_by_its_scale():
    pdf = x ** (k - 1) * sp.exp(-x / lam) / (sp.gamma(k) * lam**k)
    G = sp.Matrix(fisher_information(sg.Density(pdf, x, support=(0, sp.oo), check=False), [lam, k], "auto", Clock(10)))
    assert sp.simplify(G - sp.Matrix([[k / lam**2, 1 / lam], [1 / lam, sp.polygamma(1, k)]])) == sp.zeros(2, 2)
