"""The expected flow: the mean of a per-sample rule over its input, in closed form or by quadrature."""

import math

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad

import symgrad as sg

w, b, x = sp.symbols("w b x", real=True)
m = sp.Symbol("m", real=True)
s = sp.Symbol("s", positive=True)


def _line():
    A = sg.Manifold("weight").chart(w)
    return A


def _plane():
    return sg.Manifold("neuron").chart(w, b)


def _sigmoid(z):
    return 1 / (1 + sp.exp(-z))


def test_a_polynomial_rule_has_its_mean_in_closed_form_as_a_gradient_flow():
    A = _line()
    eta = sp.Symbol("eta", positive=True)
    rule = sg.GradientFlow(sg.Scalar(A.manifold, A, (w * x - 1) ** 2 / 2), sg.euclidean(A), rate=eta)
    mean = sg.expected_flow(rule, sg.Normal(mean=m, std=s), x)
    assert isinstance(mean, sg.GradientFlow) and mean.metric is rule.metric and mean.rate == eta
    assert sp.expand(mean.cost.components() - ((m**2 + s**2) * w**2 / 2 - m * w + sp.Rational(1, 2))) == 0
    assert sp.cancel(mean.components()[0] - eta * (m - (m**2 + s**2) * w)) == 0
    # the argument order of sg.expectation works too
    again = sg.expected_flow(sg.Normal(mean=m, std=s), rule, x)
    assert again.components() == mean.components()


def test_gauss_hermite_is_exact_for_polynomials_of_low_degree():
    A = _line()
    rule = sg.GradientFlow(sg.Scalar(A.manifold, A, (w - x) ** 4 / 4 + w * x**3), sg.euclidean(A))
    family = sg.Normal(mean=m, std=s)
    exact = sg.expected_flow(rule, family, x, method="closed")
    approx = sg.expected_flow(rule, family, x, method="quadrature", nodes=4)  # exact up to degree 7
    rng = np.random.default_rng(0)
    for _ in range(5):
        values = {w: rng.normal(), m: rng.normal(), s: rng.uniform(0.2, 2)}
        a = float(exact.components()[0].evalf(subs=values))
        c = float(approx.components()[0].evalf(subs=values))
        assert c == pytest.approx(a, rel=1e-10, abs=1e-10)


def _by_quad(per, point, pdf, lo, hi):
    def integrand(t, i):
        return per(np.asarray(point), x=t)[i] * pdf(t)

    return np.array([quad(integrand, lo, hi, args=(i,), epsabs=1e-12, epsrel=1e-10, limit=200)[0] for i in range(2)])


@pytest.mark.parametrize("metric", ["euclidean", "damped"])
def test_a_sigmoid_rule_agrees_with_adaptive_quadrature(metric):
    P = _plane()
    y = _sigmoid(w * x + b)
    cost = sg.Scalar(P.manifold, P, (y - sp.Rational(3, 10)) ** 2 / 2 + w**2 / 20)
    G = sg.euclidean(P) if metric == "euclidean" else sg.Metric(P.manifold, P, sp.Matrix([[2, 1], [1, 3]]))
    rule = sg.GradientFlow(cost, G)
    mean = sg.expected_flow(rule, sg.Normal(mean=m, std=s), x, method="quadrature", nodes=48)
    assert isinstance(mean, sg.GradientFlow)
    values = {m: 0.5, s: 1.2}
    num = mean.numeric(P, params=values)
    per = rule.numeric(P)
    pdf = lambda t: math.exp(-((t - 0.5) ** 2) / (2 * 1.44)) / math.sqrt(2 * math.pi * 1.44)  # noqa: E731
    for point in ([0.3, -0.5], [1.5, 1.0], [-1.0, 0.2]):
        np.testing.assert_allclose(num(np.array(point)), _by_quad(per, point, pdf, -12, 13), rtol=1e-7, atol=1e-10)
    # the expected cost is the mean of the per-sample cost
    c = float(num.cost(np.array([1.5, 1.0])))
    ref = quad(lambda t: float(cost.components().subs({w: 1.5, b: 1.0, x: t})) * pdf(t), -12, 13)[0]
    assert c == pytest.approx(ref, rel=1e-7)


def test_a_vector_field_and_a_metric_that_depends_on_the_sample_give_the_mean_field():
    P = _plane()
    y = _sigmoid(w * x + b)
    field = sg.Vector(P.manifold, P, [x * (sp.Rational(1, 5) - y), sp.Rational(1, 5) - y])
    mean = sg.expected_flow(field, sg.Normal(mean=0, std=1), x, method="quadrature")
    assert type(mean) is sg.Vector and not (mean.components().free_symbols & {x})
    per = field.numeric(P)
    pdf = lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    np.testing.assert_allclose(mean.numeric()([0.7, -1.2]), _by_quad(per, [0.7, -1.2], pdf, -12, 12), rtol=1e-8)
    # a metric that depends on x: the mean is taken of the flow's components
    G = sg.Metric(P.manifold, P, sp.diag(1 + x**2, 1))
    flow = sg.GradientFlow(sg.Scalar(P.manifold, P, (w - 1) ** 2 / 2 + b**2 / 2), G)
    averaged = sg.expected_flow(flow, sg.Normal(mean=0, std=1), x)
    assert type(averaged) is sg.Vector
    # E[1/(1 + x^2)] for x ~ N(0, 1) is sqrt(pi/2) e^(1/2) erfc(1/sqrt 2)
    factor = math.sqrt(math.pi / 2) * math.exp(0.5) * math.erfc(1 / math.sqrt(2))
    np.testing.assert_allclose(averaged.numeric()([3.0, 2.0]), [-2 * factor, -2.0], rtol=1e-9)


def test_bounded_and_transformed_inputs_use_their_quadrature_rules():
    A = _line()
    rule = sg.GradientFlow(sg.Scalar(A.manifold, A, sp.log(1 + sp.exp(w * x))), sg.euclidean(A))
    beta = sg.Density(6 * x * (1 - x), x, support=(0, 1))
    mean = sg.expected_flow(rule, beta, x, method="quadrature", nodes=20)
    per = rule.numeric(A)

    def integrand(t):
        return per(np.array([2.0]), x=t)[0] * 6 * t * (1 - t)

    assert mean.numeric()(np.array([2.0]))[0] == pytest.approx(quad(integrand, 0, 1)[0], rel=1e-10)
    z = sp.Symbol("z", real=True)
    lognormal = sg.TransformedDensity(sg.Normal(mean=0, std=sp.Rational(1, 2)), z, sp.exp(z))
    averaged = sg.expected_flow(rule, lognormal, x, method="quadrature", nodes=40)
    pdf = lambda t: math.exp(-(math.log(t) ** 2) / 0.5) / (t * math.sqrt(2 * math.pi * 0.25))  # noqa: E731

    def weighted(t):
        return per(np.array([-1.0]), x=t)[0] * pdf(t)

    assert averaged.numeric()(np.array([-1.0]))[0] == pytest.approx(quad(weighted, 0, 60)[0], rel=1e-8)


def test_a_discrete_input_is_summed_exactly():
    A = _line()
    p = sp.Rational(1, 3)
    rule = sg.GradientFlow(sg.Scalar(A.manifold, A, (w - 2 * x) ** 2 / 2), sg.euclidean(A))
    mean = sg.expected_flow(rule, sg.Bernoulli(p), x)
    assert mean.components()[0] == sp.Rational(2, 3) - w


def test_the_expected_flow_exports_and_plots_like_any_flow(tmp_path):
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow

    P = _plane()
    y = _sigmoid(w * x + b)
    rule = sg.GradientFlow(
        sg.Scalar(P.manifold, P, (y - sp.Rational(1, 5)) ** 2 / 2 + (w**2 + b**2) / 50), sg.euclidean(P)
    )
    mean = sg.expected_flow(rule, sg.Normal(mean=0, std=1), x, method="quadrature", nodes=12)
    source = sg.to_python(mean, P)
    namespace = {}
    exec(compile(source, "expected.py", "exec"), namespace)  # the generated module, not user input
    points = np.array([[0.5, -0.3], [2.0, 1.0]])
    np.testing.assert_allclose(namespace["flow"](points), mean.numeric()(points), rtol=1e-12)
    ax = Figure().subplots()
    out = plot_flow(ax, mean, P, {w: (-2, 2), b: (-2, 2)}, n=8, contour_n=10)
    assert np.isfinite(out["field"][0]).all()
    field = sg.expected_flow(sg.Vector(P.manifold, P, [sp.Rational(1, 5) - y, 0]), sg.Normal(mean=0, std=1), x, nodes=8)
    plot_flow(Figure().subplots(), field, P, {w: (-2, 2), b: (-2, 2)}, n=6)  # no cost: no contours
    assert "Vector field on" in sg.to_c(field, P)


def test_bad_arguments_and_missing_rules_are_refused_clearly():
    A = _line()
    rule = sg.GradientFlow(sg.Scalar(A.manifold, A, (w - x) ** 2), sg.euclidean(A))
    normal = sg.Normal(mean=0, std=1)
    with pytest.raises(sg.ArgumentTypeError, match="coordinate"):
        sg.expected_flow(rule, normal, w)
    with pytest.raises(sg.ArgumentTypeError, match="method"):
        sg.expected_flow(rule, normal, x, method="monte carlo")
    with pytest.raises(sg.ArgumentTypeError, match="nodes"):
        sg.expected_flow(rule, normal, x, nodes=0)
    with pytest.raises(sg.ArgumentTypeError, match="GradientFlow or a Vector"):
        sg.expected_flow("rule", normal, x)
    with pytest.raises(sg.NotAFamilyError):
        sg.expected_flow(rule, "normal", x)
    hard = sg.GradientFlow(sg.Scalar(A.manifold, A, sp.log(1 + sp.exp(w * x + x**3))), sg.euclidean(A))
    with pytest.raises(sg.NoClosedFormError, match="closed form"):
        sg.expected_flow(hard, normal, x, method="closed", seconds=0.5)
    lam = sp.Symbol("lam", positive=True)
    with pytest.raises(sg.NoClosedFormError, match="sum"):
        sg.expected_flow(hard, sg.Poisson(lam), x, method="quadrature")
    with pytest.raises(sg.NoClosedFormError, match="continuous input"):
        sg.expected_flow(hard, sg.Poisson(lam), x, method="adaptive")
    # a rule that does not depend on the sample is its own mean
    still = sg.GradientFlow(sg.Scalar(A.manifold, A, w**2), sg.euclidean(A))
    assert sg.expected_flow(still, normal, x).components() == still.components()


@pytest.mark.parametrize("input_", ["gamma", "logistic"])
def test_any_other_input_is_integrated_adaptively_where_the_flow_is_evaluated(input_):
    P = _plane()
    y = _sigmoid(w * x + b)
    rule = sg.GradientFlow(sg.Scalar(P.manifold, P, (y - sp.Rational(3, 10)) ** 2 / 2 + w**2 / 20), sg.euclidean(P))
    k, r = sp.symbols("k r", positive=True)
    if input_ == "gamma":
        family, values = sg.Gamma(k, r), {k: 2.0, r: 1.5}
        pdf, lo, hi = (lambda t: 1.5**2 * t * math.exp(-1.5 * t)), 0, 60  # noqa: E731
    else:
        family, values = sg.Logistic(loc=m, scale=s), {m: 0.5, s: 0.7}
        pdf = lambda t: math.exp(-(t - 0.5) / 0.7) / (0.7 * (1 + math.exp(-(t - 0.5) / 0.7)) ** 2)  # noqa: E731
        lo, hi = -40, 40
    mean = sg.expected_flow(rule, family, x, method="quadrature")
    assert "adaptive quadrature" in repr(mean)
    num = mean.numeric(P, params=values)
    per = rule.numeric(P)
    points = np.array([[0.3, -0.5], [1.5, 1.0], [-1.0, 2.0]])
    got = num(points)
    for point, value in zip(points, got):
        np.testing.assert_allclose(value, _by_quad(per, point, pdf, lo, hi), rtol=1e-7, atol=1e-12)
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-2, 2, 9)), axis=-1)
    assert num(grid).shape == (9, 9, 2) and np.isfinite(num(grid)).all()  # all points in one call
    path = num.integrate(np.array([0.5, 0.5]), (0, 2))
    assert np.isfinite(path.y).all()
    with pytest.raises(sg.NoClosedFormError, match="adaptive quadrature"):
        mean.components()
    with pytest.raises(sg.NoClosedFormError):
        sg.to_python(mean, P)


def test_adaptive_quadrature_agrees_with_gauss_hermite_on_a_normal_input():
    A = _line()
    rule = sg.GradientFlow(sg.Scalar(A.manifold, A, sp.log(1 + sp.exp(w * x)) - w / 3), sg.euclidean(A))
    normal = sg.Normal(mean=m, std=s)
    fixed = sg.expected_flow(rule, normal, x, method="quadrature", nodes=60).numeric(A, params={m: 0.2, s: 0.8})
    adaptive = sg.expected_flow(rule, normal, x, method="adaptive").numeric(A, params={m: 0.2, s: 0.8})
    points = np.array([[-1.0], [0.4], [2.0]])
    np.testing.assert_allclose(adaptive(points), fixed(points), rtol=1e-8)


def test_a_rule_that_is_not_a_number_where_the_input_has_mass_is_reported_not_dropped():
    A = _line()
    field = sg.Vector(A.manifold, A, [sp.sqrt(x - 3) - w])  # not real for x < 3, where a Gamma(2, 1) has mass
    mean = sg.expected_flow(field, sg.Gamma(2, 1), x, method="adaptive")
    with pytest.raises(sg.NumericValueError, match="not finite"):
        mean.numeric()(np.array([[0.5]]))


def test_an_input_whose_density_is_singular_at_an_end_is_integrated_accurately():
    """Gamma(k) with k < 1 has the density x^(k-1) e^-x / Gamma(k), infinite at 0; E[log x] is digamma(k)."""
    from scipy.special import digamma

    w, x, k = sp.Symbol("w", real=True), sp.Symbol("x", positive=True), sp.Symbol("k", positive=True)
    A = sg.Manifold("weight").chart(w)
    v = sg.Vector(A.manifold, A, [sp.log(x) - w])
    num = sg.expected_flow(v, sg.Gamma(shape=k, rate=1), x, method="adaptive").numeric(A)
    for shape in (0.1, 0.5):  # a Python float as the value, too
        np.testing.assert_allclose(num([[0.0]], k=shape), [[digamma(shape)]], rtol=1e-10)
    np.testing.assert_allclose(num([[0.0], [1.0]], k=np.array([0.1, 2.5])), [[digamma(0.1)], [digamma(2.5) - 1]])
