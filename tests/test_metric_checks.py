"""Metrics are accepted when they are metrics; ``check=`` everywhere; sums and positive multiples of metrics."""

import time

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.core import _domain

# -- the positive-definiteness check -------------------------------------------------------------

w, v = sp.symbols("w v", positive=True)
b, c = sp.symbols("b c", real=True)


def _tanh_layer(xs, output=lambda x: v * sp.tanh(w * x + b) + c):
    """The chart (w, b, v, c), the outputs' chart and the map o_i = output(x_i)."""
    P = sg.Manifold("tanh unit").chart(w, b, v, c)
    outs = sp.symbols(f"o0:{len(xs)}", real=True)
    Out = sg.Manifold("outputs").chart(*outs)
    return P, Out, sg.Map(P, Out, {o: output(x) for o, x in zip(outs, xs)})


@pytest.mark.parametrize(
    "xs",
    [list(range(-2, 3)), [sp.Rational(k, 1000) for k in range(-2, 3)]],
    ids=["x=-2..2", "x=-0.002..0.002"],
)
def test_tanh_pullback_is_accepted(xs):
    """J^T J is positive definite; with close inputs it is ill-conditioned everywhere, yet J has full rank."""
    P, Out, F = _tanh_layer(xs)
    G = sg.pullback(sg.euclidean(Out), F)
    assert G.checked.startswith("numeric") and "rank of its pullback factor" in G.checked
    J = F.jacobian
    H = sg.Metric(P.manifold, P, J.T * J)  # the product alone: decided in floats, or at 50 digits
    assert H.checked.startswith("numeric")


def test_singular_pullback_is_refused_with_the_remedies():
    """o_i = (v + c) tanh(w x_i + b) cannot tell v from c: J has rank 3 everywhere."""
    _, Out, F = _tanh_layer(range(-2, 3), output=lambda x: (v + c) * sp.tanh(w * x + b))
    with pytest.raises(sg.NotPositiveDefiniteError) as err:
        sg.pullback(sg.euclidean(Out), F)
    message = str(err.value)
    assert "singular" in message
    for remedy in ("restrict the chart's domain", "F + lam * sg.euclidean(chart)", "check=False"):
        assert remedy in message
    G = sg.pullback(sg.euclidean(Out), F, check=False)
    assert G.checked == "skipped"


def test_refused_symbolic_minor_names_the_remedies():
    x = sp.Symbol("x", real=True)
    A = sg.Manifold("line").chart(x)
    with pytest.raises(sg.NotPositiveDefiniteError, match="minor.*check=False"):
        sg.Metric(A.manifold, A, sp.Matrix([[-1 - x**2]]))


def _sigmoid_metric():
    w1, w2 = sp.symbols("w1 w2", real=True)

    def s(z):
        return 1 / (1 + sp.exp(-z))

    a, d = s(w1 + w2), s(2 * w1 - w2)
    A, B = a * (1 - a), d * (1 - d)
    G = sp.Matrix([[A + 4 * B, A - 2 * B], [A - 2 * B, A + B]])
    return sg.Manifold("sigmoid weights").chart(w1, w2), G, (a, d)


def test_sigmoid_metric_is_accepted_quickly():
    """Its determinant is 9 a(1-a) b(1-b): decided symbolically, with each exp read as a positive number."""
    S, G, (a, d) = _sigmoid_metric()
    start = time.perf_counter()
    metric = sg.Metric(S.manifold, S, G)
    seconds = time.perf_counter() - start
    assert metric.checked == "symbolic"
    assert seconds < 10
    det = G[0, 0] * G[1, 1] - G[0, 1] ** 2
    values = _domain.sample(S.coords, dict(S.domain))
    expected = _domain.evaluate(9 * a * (1 - a) * d * (1 - d), values)
    np.testing.assert_allclose(_domain.evaluate(det, values), expected, rtol=1e-9)
    # reading exp(u) as a free positive number never proves a false statement: s(1 - s) <= 1/4
    with pytest.raises(sg.NotPositiveDefiniteError):
        sg.Metric(S.manifold, S, sp.diag(a * (1 - a) - sp.Rational(1, 2), 1))


# -- check= everywhere a metric is built ----------------------------------------------------------


def test_check_false_is_accepted_by_each_constructor():
    x = sp.Symbol("x", real=True)
    y = sp.Symbol("y", positive=True)
    A = sg.Manifold("plane").chart(x, y)
    M = A.manifold
    bad = sp.Matrix([[-1, 0], [0, 1]])
    built = [
        sg.Metric(M, A, bad, check=False),
        sg.diagonal(A, [-1, 1], check=False),
        sg.constant(A, bad, check=False),
        sg.metabolic(A, {x: -1}, check=False),
        sg.euclidean(A, check=False),
        sg.fisher_metric(sg.Normal(mean=x + y, std=1), A, check=False),  # singular: x + y only
        sg.wasserstein(sg.Normal(mean=x, std=1), A, check=False),
        sg.metric_sum([sg.euclidean(A)], check=False),
    ]
    Y = sg.Manifold("half-line").chart(y)
    built.append(sg.log_metric(Y, check=False))
    U = sg.Manifold("line").chart(sp.Symbol("u", real=True))
    built.append(sg.pullback(sg.euclidean(U), sg.Map(A, U, [x + y]), check=False))
    assert all(G.checked == "skipped" for G in built)
    with pytest.raises(sg.NotPositiveDefiniteError):
        sg.fisher_metric(sg.Normal(mean=x + y, std=1), A)
    with pytest.raises(sg.NotPositiveDefiniteError):
        sg.diagonal(A, [-1, 1])


MODEL = """
[coordinates]
x = "real"
[charts]
A = ["x"]
[cost]
chart = "A"
expr = "x**2"
[metrics]
{metric}
"""


@pytest.mark.parametrize(
    "metric",
    [
        'bad = {{ kind = "matrix", chart = "A", rows = [["-1"]]{check} }}',
        'bad = {{ kind = "diagonal", chart = "A", entries = ["-x**2 - 1"]{check} }}',
        'bad = {{ kind = "fisher", chart = "A", family = "normal", mean = 1, std = 1{check} }}',
    ],
    ids=["matrix", "diagonal", "fisher"],
)
def test_model_files_take_check_false(metric):
    model = sg.loads_model(MODEL.format(metric=metric.format(check=", check = false")))
    assert model.metrics["bad"].checked == "skipped"
    with pytest.raises(sg.ModelFileError, match="metrics.bad: .*not positive definite"):
        sg.loads_model(MODEL.format(metric=metric.format(check="")))
    with pytest.raises(sg.ModelFileError, match="metrics.bad.check: must be true or false"):
        sg.loads_model(MODEL.format(metric=metric.format(check=', check = "no"')))


# -- metric arithmetic ---------------------------------------------------------------------------

lam = sp.Symbol("lambda", positive=True)


def _at_random_points(matrix, chart, extra=()):
    symbols = sorted(set(chart.coords) | set(extra), key=sp.default_sort_key)
    return _domain.evaluate(sp.Matrix(matrix), _domain.sample(symbols, dict(chart.domain)))


def test_damped_fisher_metric_is_the_sum_of_components():
    g = sg.catalog.gaussian()
    F = sg.fisher_metric(sg.Normal(mean=g.mu, std=g.sigma), g.std)
    E = sg.euclidean(g.std)
    D = F + lam * E
    assert isinstance(D, sg.Metric) and D.chart is g.std and D.checked == "symbolic"
    np.testing.assert_allclose(
        _at_random_points(D.components(), g.std, [lam]),
        _at_random_points(F.components() + lam * E.components(), g.std, [lam]),
    )


def test_positive_multiples():
    g = sg.catalog.gaussian()
    F = sg.fisher_metric(sg.Normal(mean=g.mu, std=g.sigma), g.std)
    assert (2 * F).components() == 2 * F.components()
    assert F * 2 == 2 * F
    assert (lam * F).components() == (lam * F.components()).applyfunc(sp.cancel)
    assert (sp.Rational(1, 3) * F).checked == "symbolic"
    x, u = sp.Symbol("x", positive=True), sp.Symbol("u", real=True)
    A, U = sg.Manifold("half-line").chart(x), sg.Manifold("line").chart(u)
    G = sg.pullback(sg.euclidean(U), sg.Map(A, U, {u: sp.log(x)}))
    assert (3 * G).pullback_factors() == (sp.Matrix([[1 / x]]), sp.Matrix([[3]]))
    assert (G + G).pullback_factors() is None  # a sum of pullbacks is not kept as one


def test_second_operand_is_converted_to_the_first_operands_chart():
    g = sg.catalog.gaussian()
    F = sg.fisher_metric(sg.Normal(mean=g.mu, std=g.sigma), g.std)
    E = sg.euclidean(g.variance)  # given in (mu, s = sigma**2): diag(1, 4 sigma**2) in (mu, sigma)
    S = F + E
    assert S.chart is g.std
    np.testing.assert_allclose(
        _at_random_points(S.components(), g.std),
        _at_random_points(F.components() + sp.diag(1, 4 * g.sigma**2), g.std),
    )
    T = E + F  # in the variance chart; the same tensor
    np.testing.assert_allclose(_at_random_points(T.components(g.std), g.std), _at_random_points(S.components(), g.std))


def test_sum_builtin_and_zero():
    g = sg.catalog.gaussian()
    F = sg.fisher_metric(sg.Normal(mean=g.mu, std=g.sigma), g.std)
    E = sg.euclidean(g.std)
    assert 0 + F is F and F + 0 is F
    assert sum([F, E, F]) == F + E + F
    assert sg.metric_sum([F, E], [2, lam]) == 2 * F + lam * E


@pytest.mark.parametrize("weight", [-1, 0, sp.Symbol("r", real=True), sp.Symbol("n", negative=True)])
def test_nonpositive_weights_are_refused(weight):
    g = sg.catalog.gaussian()
    F = sg.euclidean(g.std)
    with pytest.raises(sg.MetricError, match="not shown positive"):
        weight * F
    with pytest.raises(sg.MetricError):
        sg.metric_sum([F, F], [1, weight])


def test_other_refusals():
    g = sg.catalog.gaussian()
    F = sg.euclidean(g.std)
    with pytest.raises(sg.MetricError, match="depends on the coordinates"):
        g.sigma * F
    with pytest.raises(sg.ManifoldMismatchError):
        F + sg.euclidean(sg.catalog.gaussian().std)  # another manifold of the same name
    with pytest.raises(sg.ManifoldMismatchError):
        F + sg.euclidean(sg.catalog.one_dimensional().X)
    with pytest.raises(TypeError):
        F + 1
    with pytest.raises(TypeError):
        F * F
    with pytest.raises(TypeError):
        _ = -F
    with pytest.raises(sg.ArgumentTypeError):
        sg.metric_sum([])
    with pytest.raises(sg.ArgumentTypeError):
        sg.metric_sum([F], [1, 2])
    with pytest.raises(AttributeError):
        (F + F).checked = "skipped"  # sums are immutable values too


def test_flow_of_a_damped_singular_metric():
    """F = J^T J of y = w1 + w2 is singular; F + lam I is a metric and gives a flow."""
    w1, w2 = sp.symbols("w1 w2", real=True)
    A = sg.Manifold("two weights").chart(w1, w2)
    with pytest.raises(sg.NotPositiveDefiniteError):
        sg.fisher_metric(sg.Normal(mean=w1 + w2, std=1), A)
    F = sg.fisher_metric(sg.Normal(mean=w1 + w2, std=1), A, check=False)
    D = F + lam * sg.euclidean(A)
    assert D.checked == "symbolic"
    cost = sg.Scalar(A.manifold, A, (w1 + w2 - 1) ** 2 / 2 + w1**2)
    flow = sg.GradientFlow(cost, D)
    grad = sp.Matrix([cost.components().diff(s) for s in A.coords])
    expected = -(sp.Matrix([[1, 1], [1, 1]]) + lam * sp.eye(2)).inv() * grad
    assert (flow.components() - expected).applyfunc(sp.simplify) == sp.zeros(2, 1)
