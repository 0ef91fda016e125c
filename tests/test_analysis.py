"""Tests of the analysis tools.

Is this field a gradient flow, a metric that makes it one, and fitting a metric to
observed velocities.
"""

import numpy as np
import pytest
import sympy as sp

import symgrad as sg

x, y = sp.symbols("x y", real=True)
u = sp.Symbol("u", positive=True)
eta = sp.Symbol("eta", positive=True)


@pytest.fixture
def plane():
    return sg.Manifold("plane").chart(x, y)


def _vec(chart, comps):
    return sg.Vector(chart.manifold, chart, comps)


def _num(expr_matrix, chart, X):
    f = sp.lambdify(chart.coords, list(expr_matrix), "numpy")
    return np.stack([np.broadcast_to(np.asarray(r, float), X.shape[:1]) for r in f(*X.T)], axis=-1)


# -- is_gradient_flow ---------------------------------------------------------------------------


def test_euclidean_gradient_field_returns_its_cost(plane):
    C = x**2 * y + sp.sin(y)
    v = [-sp.diff(C, x), -sp.diff(C, y)]
    r = sg.is_gradient_flow(_vec(plane, v), sg.euclidean(plane))
    assert r.is_gradient and not r.never_gradient and r.obstruction == {}
    assert sp.simplify(r.cost.components() - C).free_symbols == set()


def test_gaussian_fisher_flow_is_gradient_with_rate():
    g = sg.catalog.gaussian_kl()
    flow = sg.GradientFlow(g.cost, g.fisher, rate=eta)
    r = sg.is_gradient_flow(flow, g.fisher)
    assert r.is_gradient
    diff = sp.simplify(r.cost.components() - eta * g.cost.components())
    assert diff.free_symbols <= {eta}  # a constant in the coordinates
    # the flow of the Fisher metric is not the Euclidean gradient of anything
    r2 = sg.is_gradient_flow(flow, sg.euclidean(g.std))
    assert not r2.is_gradient and set(r2.obstruction) == {(0, 1)}
    assert r2.cost is None


def test_gradient_in_another_chart():
    g = sg.catalog.gaussian_kl()
    flow = sg.GradientFlow(g.cost, g.fisher)
    r = sg.is_gradient_flow(flow, g.fisher, chart=g.variance)
    assert r.is_gradient and r.cost.chart is g.variance
    expected = g.cost.components(g.variance)
    assert sp.simplify(r.cost.components() - expected).free_symbols == set()


def test_rotation_is_never_gradient(plane):
    r = sg.is_gradient_flow(_vec(plane, [-y, x]), sg.euclidean(plane))
    assert not r.is_gradient and r.never_gradient
    assert r.obstruction == {(0, 1): 2}
    assert "periodic" in r.reason
    # for a different metric too
    G = sg.Metric(plane.manifold, plane, sp.diag(1 + x**2, 2))
    r = sg.is_gradient_flow(_vec(plane, [-y, x]), G)
    assert not r.is_gradient and r.never_gradient


def test_rotation_with_radial_speed_is_never_gradient(plane):
    r = sg.is_gradient_flow(_vec(plane, [-y * (1 + x**2 + y**2), x * (1 + x**2 + y**2)]), sg.euclidean(plane))
    assert r.never_gradient and not r.is_gradient


def test_non_rotational_non_gradient_is_not_flagged(plane):
    r = sg.is_gradient_flow(_vec(plane, [-x + y, -y]), sg.euclidean(plane))
    assert not r.is_gradient and not r.never_gradient
    assert r.obstruction == {(0, 1): -1}


def test_one_dimensional_is_always_gradient():
    M = sg.Manifold("line")
    A = M.chart(u)
    r = sg.is_gradient_flow(sg.Vector(M, A, [u * (1 - u)]), sg.log_metric(A))
    assert r.is_gradient
    assert sp.simplify(sp.diff(r.cost.components(), u) + (1 - u) / u) == 0


def test_three_dimensional_closed_form(plane):
    z = sp.Symbol("z", real=True)
    M = sg.Manifold("space")
    A = M.chart(x, y, z)
    C = x * y * z + x**2
    v = [-sp.diff(C, c) for c in (x, y, z)]
    r = sg.is_gradient_flow(sg.Vector(M, A, v), sg.euclidean(A))
    assert r.is_gradient and sp.expand(r.cost.components() - C) == 0
    r = sg.is_gradient_flow(sg.Vector(M, A, [-y, x, 0]), sg.euclidean(A))
    assert not r.is_gradient and set(r.obstruction) == {(0, 1)}


def test_unintegrable_closed_form_is_reported(plane):
    # closed (each component depends on its own coordinate only), but exp(x**4) log(x**2 + 2)
    # has no antiderivative sympy finds
    w = sp.exp(x**4) * sp.log(x**2 + 2)
    r = sg.is_gradient_flow(_vec(plane, [-w, -1]), sg.euclidean(plane))
    assert r.is_gradient and r.cost is None and r.obstruction == {}
    assert "could not integrate" in r.reason


def test_is_gradient_flow_bad_input(plane):
    other = sg.Manifold("other").chart(sp.Symbol("a", real=True), sp.Symbol("b", real=True))
    with pytest.raises(sg.ManifoldMismatchError):
        sg.is_gradient_flow(_vec(plane, [x, y]), sg.euclidean(other))
    with pytest.raises(TypeError):
        sg.is_gradient_flow([x, y], sg.euclidean(plane))
    with pytest.raises(TypeError):
        sg.is_gradient_flow(_vec(plane, [x, y]), sp.eye(2))


def test_result_is_frozen(plane):
    r = sg.is_gradient_flow(_vec(plane, [-x, -y]), sg.euclidean(plane))
    with pytest.raises(AttributeError):
        r.is_gradient = False


# -- gradient_metric ----------------------------------------------------------------------------


def _assert_is_flow(metric, cost, v, chart):
    flow = sg.GradientFlow(cost, metric)
    diff = flow.components(chart) - v.components(chart)
    X = chart.random_points(20)
    assert np.allclose(_num(diff, chart, X), 0, atol=1e-9)


def test_gradient_metric_makes_a_rotation_plus_decay_a_gradient(plane):
    v = _vec(plane, [-x - y, x - y])  # spiral sink
    cost = sg.Scalar(plane.manifold, plane, (x**2 + y**2) / 2)
    G = sg.gradient_metric(v, cost)
    assert isinstance(G, sg.Metric)
    _assert_is_flow(G, cost, v, plane)
    assert sg.is_gradient_flow(v, G).is_gradient


def test_gradient_metric_gaussian_fisher_flow():
    g = sg.catalog.gaussian_kl()
    flow = sg.GradientFlow(g.cost, g.fisher)
    G = sg.gradient_metric(flow, g.cost)
    _assert_is_flow(G, g.cost, flow, g.std)
    # symbolically too
    diff = G.components() * flow.components() + sg.differential(g.cost).components()
    assert diff.applyfunc(sp.simplify) == sp.zeros(2, 1)


def test_gradient_metric_rejects_non_descent(plane):
    cost = sg.Scalar(plane.manifold, plane, (x**2 + y**2) / 2)
    with pytest.raises(sg.NotDescentError, match="does not decrease"):
        sg.gradient_metric(_vec(plane, [x, y]), cost)
    with pytest.raises(sg.NotDescentError):
        sg.gradient_metric(_vec(plane, [-x, x]), cost)  # dC(v) = -x^2 + xy changes sign
    with pytest.raises(sg.AnalysisError):
        sg.gradient_metric(_vec(plane, [-y, x]), cost)  # dC(v) = 0


def test_gradient_metric_bad_input(plane):
    other = sg.Manifold("other").chart(sp.Symbol("a", real=True), sp.Symbol("b", real=True))
    with pytest.raises(sg.ManifoldMismatchError):
        sg.gradient_metric(_vec(plane, [-x, -y]), sg.Scalar(other.manifold, other, other.coords[0] ** 2))
    with pytest.raises(TypeError):
        sg.gradient_metric(_vec(plane, [-x, -y]), x**2)


# -- fit_metric ---------------------------------------------------------------------------------


def _data(cost, metric, chart, n=40, seed=0):
    flow = sg.GradientFlow(cost, metric)
    X = chart.random_points(n, seed=seed)
    return X, flow.numeric(chart)(X)


@pytest.fixture
def quadratic(plane):
    return sg.Scalar(plane.manifold, plane, (x - 1) ** 2 / 2 + x * y + y**2)


def test_fit_diagonal(plane, quadratic):
    true = sg.diagonal(plane, [2, sp.Rational(1, 2)])
    X, V = _data(quadratic, true, plane)
    G, res = sg.fit_metric(quadratic, X, V, family="diagonal")
    assert np.allclose(np.array(G.components(), float), [[2, 0], [0, 0.5]], atol=1e-8)
    assert res < 1e-8
    _, res_c = sg.fit_metric(quadratic, X, V, family="constant")
    assert res_c < 1e-8


def test_fit_dense_constant(plane, quadratic):
    true = np.array([[2.0, 0.7], [0.7, 1.0]])
    X, V = _data(quadratic, sg.constant(plane, sp.Matrix([[2, sp.Rational(7, 10)], [sp.Rational(7, 10), 1]])), plane)
    G, res = sg.fit_metric(quadratic, X, V)
    assert np.allclose(np.array(G.components(), float), true, atol=1e-8)
    assert res < 1e-8
    # noisy data still gives an SPD estimate close to the truth
    rng = np.random.default_rng(1)
    Gn, resn = sg.fit_metric(quadratic, X, V + 0.01 * rng.standard_normal(V.shape))
    assert np.allclose(np.array(Gn.components(), float), true, atol=0.1)
    assert resn > res


def test_fit_constant_projects_to_spd(plane, quadratic):
    # velocities that are the ascent direction: no SPD metric fits; the least-squares SPD
    # estimate must still be a valid metric with a large residual
    X, V = _data(quadratic, sg.euclidean(plane), plane)
    G, res = sg.fit_metric(quadratic, X, -V)
    assert np.all(np.linalg.eigvalsh(np.array(G.components(), float)) > 0)
    assert res > 0.1


def test_fit_log_diagonal():
    a, b = sp.symbols("a b", positive=True)
    M = sg.Manifold("rates")
    A = M.chart(a, b)
    cost = sg.Scalar(M, A, (a - 1) ** 2 + (b - 2) ** 2 + a * b)
    true = sg.diagonal(A, [3 / a**2, sp.Rational(1, 4) / b**2])
    X, V = _data(cost, true, A)
    G, res = sg.fit_metric(cost, X, V, family="log-diagonal")
    assert res < 1e-8
    Gx = G.components()
    assert abs(float(Gx[0, 0] * a**2) - 3) < 1e-8 and abs(float(Gx[1, 1] * b**2) - 0.25) < 1e-8
    # the constant-diagonal family fits worse
    _, res_diag = sg.fit_metric(cost, X, V, family="diagonal")
    assert res_diag > 100 * res


def test_fit_log_diagonal_needs_nonvanishing_coordinates(plane, quadratic):
    X, V = _data(quadratic, sg.euclidean(plane), plane)
    with pytest.raises(sg.FitError, match="never vanish"):
        sg.fit_metric(quadratic, X, V, family="log-diagonal")


def test_fit_mixture_gaussian():
    g = sg.catalog.gaussian_kl()
    E = sg.euclidean(g.std)
    true = sg.Metric(g.manifold, g.std, sp.Rational(3, 10) * sp.eye(2) + sp.Rational(7, 10) * g.fisher.components())
    X, V = _data(g.cost, true, g.std, n=30)
    G, res = sg.fit_metric(g.cost, X, V, family=[E, g.fisher])
    assert res < 1e-8
    Gt = true.components()
    X2 = g.std.random_points(10, seed=5)
    assert np.allclose(_num(G.components() - Gt, g.std, X2), 0, atol=1e-8)
    # the true metric explains the data better than either component alone
    _, res_e = sg.fit_metric(g.cost, X, V, family=[E])
    _, res_f = sg.fit_metric(g.cost, X, V, family=[g.fisher])
    assert res < res_e and res < res_f


def test_fisher_data_prefers_fisher():
    g = sg.catalog.gaussian_kl()
    X, V = _data(g.cost, g.fisher, g.std)
    G, res_f = sg.fit_metric(g.cost, X, V, family=[g.fisher])
    _, res_e = sg.fit_metric(g.cost, X, V, family=[sg.euclidean(g.std)])
    assert res_f < 1e-8 < res_e
    assert abs(float(sp.simplify(G.components()[0, 0] * g.sigma**2)) - 1) < 1e-8


def test_fit_with_parameters(plane):
    k = sp.Symbol("k", positive=True)
    cost = sg.Scalar(plane.manifold, plane, k * (x**2 + y**2) / 2)
    true = sg.diagonal(plane, [2, 3])
    flow = sg.GradientFlow(cost, true)
    X = plane.random_points(20)
    V = flow.numeric(plane)(X, k=1.5)
    with pytest.raises(sg.FitError, match="params"):
        sg.fit_metric(cost, X, V, family="diagonal")
    G, res = sg.fit_metric(cost, X, V, family="diagonal", params={"k": 1.5})
    assert res < 1e-8 and np.allclose(np.array(G.components(), float), np.diag([2, 3]))


def test_fit_bad_input(plane, quadratic):
    X, V = _data(quadratic, sg.euclidean(plane), plane)
    with pytest.raises(sg.DimensionError):
        sg.fit_metric(quadratic, X[:, :1], V)
    with pytest.raises(sg.DimensionError):
        sg.fit_metric(quadratic, X, V[:-1])
    with pytest.raises(sg.DimensionError):
        sg.fit_metric(quadratic, np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(sg.DomainError):
        sg.fit_metric(quadratic, X, V * np.nan)
    with pytest.raises(sg.FitError, match="unknown metric family"):
        sg.fit_metric(quadratic, X, V, family="banana")
    with pytest.raises(sg.FitError, match="do not determine"):
        sg.fit_metric(quadratic, X[:1], V[:1])  # 2 equations, 3 unknowns
    with pytest.raises(sg.FitError):
        sg.fit_metric(quadratic, X, V, family=[])
    other = sg.Manifold("other").chart(sp.Symbol("a", real=True), sp.Symbol("b", real=True))
    with pytest.raises(sg.ManifoldMismatchError):
        sg.fit_metric(quadratic, X, V, family=[sg.euclidean(other)])
    with pytest.raises(TypeError):
        sg.fit_metric(quadratic, X, V, family=[sp.eye(2)])


def test_fit_outside_domain():
    g = sg.catalog.gaussian_kl()
    X = np.array([[0.0, -1.0], [1.0, 1.0], [2.0, 0.5]])
    with pytest.raises(sg.DomainError):
        sg.fit_metric(g.cost, X, np.ones_like(X), family="diagonal")


def test_fit_diagonal_rejects_ascent(plane, quadratic):
    X, V = _data(quadratic, sg.euclidean(plane), plane)
    with pytest.raises(sg.FitError, match="positive-definite"):
        sg.fit_metric(quadratic, X, -V, family="diagonal")
    with pytest.raises(sg.FitError, match="every weight is 0"):
        sg.fit_metric(quadratic, X, -V, family=[sg.euclidean(plane)])


def test_check_invariance_needs_two_charts_of_the_manifold():
    o = sg.catalog.one_dimensional()
    G = sg.euclidean(o.X)
    for charts in ([], [o.X], [o.X, o.X]):
        with pytest.raises(sg.AnalysisError, match="add a chart"):
            sg.check_invariance(o.cost, G, charts=charts)
    line = sg.Manifold("line")
    w = sp.Symbol("w", real=True)
    A = line.chart(w)
    with pytest.raises(sg.AnalysisError, match="got 1 chart"):
        sg.check_invariance(sg.Scalar(line, A, w**2), sg.euclidean(A))
    other = sg.catalog.one_dimensional()
    with pytest.raises(sg.ManifoldMismatchError):
        sg.check_invariance(o.cost, G, charts=[o.X, other.Xt])
    report = sg.check_invariance(o.cost, G, charts=(o.X, o.Xt))
    assert isinstance(report.rows, tuple) and len(report.rows) == 1
