"""Tensor transformation rules, checked against hand-computed Jacobians ``K = dx/dy``.

=========  ==========================
Scalar     f_y = f_x(x(y))
Covector   w_y = K^T w_x(x(y))
Vector     v_y = K^{-1} v_x(x(y))
Metric     G_y = K^T G_x(x(y)) K
=========  ==========================

First on examples where ``K`` is written out by hand, then on random charts where ``K``
is computed by the test from the hand-built inverse map (not from symgrad's transition).
"""

import pytest
import strategies as S
import sympy as sp
from helpers import assert_close, symbolically_equal
from hypothesis import given, settings
from hypothesis import strategies as st

import symgrad as sg


def same(a, b):
    return symbolically_equal(sp.Matrix(a), sp.Matrix(b))


# -- hand-computed examples --------------------------------------------------------------------------


@pytest.fixture
def half_line():
    """X > 0 and xt = sqrt(x): K = dx/dxt = 2 xt."""
    x, xt = sp.symbols("x xt", positive=True)
    M = sg.Manifold("half-line")
    X, Xt = M.chart(x, name="x"), M.chart(xt, name="sqrt")
    M.transition(X, Xt, {xt: sp.sqrt(x)})
    return M, X, Xt, x, xt


def test_rules_on_the_half_line(half_line):
    M, X, Xt, x, xt = half_line
    K = 2 * xt
    f = x**3 + sp.exp(x)
    f_y = f.subs(x, xt**2)
    assert same([sg.Scalar(M, X, f).components(Xt)], [f_y])
    assert same(sg.Covector(M, X, [f]).components(Xt), [K * f_y])
    assert same(sg.Vector(M, X, [f]).components(Xt), [f_y / K])
    assert same(sg.Metric(M, X, [[1 + x**2]]).components(Xt), [[K * (1 + xt**4) * K]])
    # and back, with K^{-1} = dxt/dx = 1 / (2 sqrt(x))
    assert same(sg.Vector(M, Xt, [xt]).components(X), [2 * x])
    assert same(sg.Covector(M, Xt, [xt]).components(X), [sp.Rational(1, 2)])
    assert same(sg.Metric(M, Xt, [[1]]).components(X), [[1 / (4 * x)]])


@pytest.fixture
def sheared():
    """(x, y) -> (u, v) = (x + y**2, y): x = u - v**2, y = v, K = [[1, -2v], [0, 1]]."""
    x, y, u, v = sp.symbols("x y u v", real=True)
    M = sg.Manifold("plane")
    A, B = M.chart(x, y, name="A"), M.chart(u, v, name="B")
    M.transition(A, B, {u: x + y**2, v: y})
    return M, A, B, (x, y, u, v)


def test_rules_under_a_shear(sheared):
    M, A, B, (x, y, u, v) = sheared
    K = sp.Matrix([[1, -2 * v], [0, 1]])
    back = {x: u - v**2, y: v}
    a, b = x * y, sp.exp(x)
    a_y, b_y = a.subs(back), b.subs(back)
    assert same(sg.Vector(M, A, [a, b]).components(B), K.inv() * sp.Matrix([a_y, b_y]))
    assert same(sg.Vector(M, A, [a, b]).components(B), [a_y + 2 * v * b_y, b_y])
    assert same(sg.Covector(M, A, [a, b]).components(B), [a_y, -2 * v * a_y + b_y])
    assert same(sg.euclidean(A).components(B), [[1, -2 * v], [-2 * v, 1 + 4 * v**2]])
    G = sp.Matrix([[1 + x**2, y], [y, 2 + y**2]])
    assert same(sg.Metric(M, A, G).components(B), K.T * G.subs(back) * K)
    assert same([sg.Scalar(M, A, a + b).components(B)], [a_y + b_y])


def test_rules_in_polar_coordinates():
    x, y, r, th = sp.symbols("x y r theta", positive=True)
    M = sg.Manifold("quadrant")
    A = M.chart(x, y, name="cartesian")
    P = M.chart(r, th, name="polar", domain={th: sp.Interval.open(0, sp.pi / 2)})
    M.transition(A, P, {r: sp.sqrt(x**2 + y**2), th: sp.atan(y / x)}, inverse={x: r * sp.cos(th), y: r * sp.sin(th)})
    # K = d(x, y)/d(r, theta)
    assert same(sg.euclidean(A).components(P), sp.diag(1, r**2))
    assert same(sg.Vector(M, A, [1, 0]).components(P), [sp.cos(th), -sp.sin(th) / r])
    assert same(sg.Covector(M, A, [1, 0]).components(P), [sp.cos(th), -r * sp.sin(th)])
    assert same(sg.Vector(M, A, [x, y]).components(P), [r, 0])  # the radial field
    assert same(sg.Vector(M, A, [-y, x]).components(P), [0, 1])  # the rotation field
    assert same([sg.Scalar(M, A, x**2 + y**2).components(P)], [r**2])


def test_rules_on_the_gaussian_charts():
    g = sg.catalog.gaussian()
    mu, sigma, tau, log_sigma = g.mu, g.sigma, g.tau, g.l
    # std -> precision: sigma = tau**(-1/2), K = diag(1, -tau**(-3/2)/2)
    K = sp.diag(1, -(tau ** sp.Rational(-3, 2)) / 2)
    v = sg.Vector(g.manifold, g.std, [mu * sigma, sigma**2])
    expected = K.inv() * sp.Matrix([mu / sp.sqrt(tau), 1 / tau])
    assert same(v.components(g.precision), expected)
    w = sg.Covector(g.manifold, g.std, [sigma, 1])
    assert same(w.components(g.precision), K.T * sp.Matrix([1 / sp.sqrt(tau), 1]))
    # precision -> log_std goes through std (composed): sigma = exp(l), tau = exp(-2 l)
    u = sg.Vector(g.manifold, g.precision, [0, tau])
    assert same(u.components(g.log_std), [0, -sp.Rational(1, 2)])
    assert same(g.fisher.components(g.log_std), sp.diag(sp.exp(-2 * log_sigma), 2))


# -- random charts: components against K computed by the test ----------------------------------------


def _K(p):
    """K = dx/dy from the hand-built inverse, and x(y) as a substitution."""
    K = sp.Matrix(p.inverse).jacobian(p.B.coords)
    back = dict(zip(p.A.coords, p.inverse))
    return K, back


@settings(max_examples=S.examples(20))
@given(data=st.data())
def test_rules_on_random_charts(data):
    p = data.draw(S.chart_pairs(), label="charts")
    K, back = _K(p)
    pts = data.draw(S.points(p.B), label="points in B")
    f = data.draw(S.cost_expressions(p.A), label="scalar")
    comps = sp.Matrix(data.draw(S.vector_components(p.A), label="components"))
    _, G = data.draw(S.metric_matrices(p.A), label="metric")
    M, A, B = p.manifold, p.A, p.B
    at_y = lambda e: e.xreplace(back)  # noqa: E731
    assert_close(sg.Scalar(M, A, f).components(B), at_y(f), B, pts, what="Scalar")
    assert_close(sg.Covector(M, A, comps).components(B), K.T * at_y(comps), B, pts, what="Covector")
    assert_close(sg.Vector(M, A, comps).components(B), K.inv() * at_y(comps), B, pts, what="Vector")
    assert_close(sg.Metric(M, A, G).components(B), K.T * at_y(G) * K, B, pts, what="Metric")
    # the differential of a scalar is the covector of its partial derivatives in every chart
    dC = sg.differential(sg.Scalar(M, A, f))
    grad_B = sp.Matrix([sp.diff(at_y(f), c) for c in B.coords])
    assert_close(dC.components(B), grad_B, B, pts, what="dC")
    assert_close(sg.differential(sg.Scalar(M, A, f), B).components(B), grad_B, B, pts, what="dC in B")


@settings(max_examples=S.examples(10))
@given(data=st.data())
def test_round_trip_of_components(data):
    """Components pushed A -> B -> A come back (a vector given in B, transformed to A)."""
    p = data.draw(S.chart_pairs(dims=(1, 2)), label="charts")
    comps = data.draw(S.vector_components(p.A), label="components")
    M = p.manifold
    pts = data.draw(S.points(p.A), label="points in A")
    for cls in (sg.Vector, sg.Covector):
        there = cls(M, p.A, comps).components(p.B)
        back = cls(M, p.B, there).components(p.A)
        assert_close(back, sp.Matrix(comps), p.A, pts, what=cls.__name__)


# -- objects --------------------------------------------------------------------------------------------


def test_components_are_immutable_and_cached(sheared):
    M, A, B, (x, y, u, v) = sheared
    vec = sg.Vector(M, A, [x, y])
    c1 = vec.components(B)
    assert isinstance(c1, sp.ImmutableMatrix) and c1.shape == (2, 1)
    assert vec.components(B) is c1
    assert vec.components() is vec.components(A)
    assert isinstance(vec.components(), sp.ImmutableMatrix)
    with pytest.raises(TypeError):
        c1[0, 0] = 1
    G = sg.Metric(M, A, sp.eye(2))
    assert isinstance(G.components(B), sp.ImmutableMatrix)


def test_cache_survives_the_manifold_growing(sheared):
    M, A, B, (x, y, u, v) = sheared
    vec = sg.Vector(M, A, [x, 1])
    before = vec.components(B)
    c, d = sp.symbols("c d", real=True)
    C = M.chart(c, d, name="C")
    M.transition(B, C, {c: 2 * u, d: v + 1})
    assert vec.components(B) is before
    assert same(vec.components(C), [2 * (before[0].subs({u: c / 2, v: d - 1})), 1])


def test_components_accept_rows_columns_and_lists(sheared):
    M, A, _, (x, y, _, _) = sheared
    ref = sg.Vector(M, A, [x, y]).components()
    assert sg.Vector(M, A, sp.Matrix([x, y])).components() == ref
    assert sg.Vector(M, A, sp.Matrix([[x, y]])).components() == ref
    assert sg.Vector(M, A, (x, y)).components() == ref
    assert sg.Covector(M, A, [1, 2]).components() == sp.Matrix([1, 2])


def test_equality_and_hash(sheared):
    M, A, B, (x, y, u, v) = sheared
    assert sg.Scalar(M, A, x) == sg.Scalar(M, A, x)
    assert hash(sg.Scalar(M, A, x)) == hash(sg.Scalar(M, A, x))
    assert sg.Scalar(M, A, x) != sg.Scalar(M, A, y)
    assert sg.Vector(M, A, [x, 0]) != sg.Covector(M, A, [x, 0])
    # the same field given in another chart is another value (equality is of the given data)
    assert sg.Scalar(M, A, x) != sg.Scalar(M, B, u - v**2)


def test_metric_components_stay_symmetric(sheared):
    M, A, B, _ = sheared
    G = sg.Metric(M, A, sp.Matrix([[2, 1], [1, 3]])).components(B)
    assert G == G.T


def test_covector_pairing(sheared):
    M, A, B, (x, y, u, v) = sheared
    w = sg.Covector(M, A, [y, x])
    vec = sg.Vector(M, B, [1, 0])  # d/du = d/dx
    assert sp.simplify(w(vec) - y) == 0
    vec2 = sg.Vector(M, B, [0, 1])  # d/dv = -2 y d/dx + d/dy
    assert sp.simplify(w(vec2) - (-2 * y * y + x)) == 0


def test_gradient_flow_is_a_vector(sheared):
    M, A, B, (x, y, u, v) = sheared
    eta = sp.Symbol("eta", positive=True)
    flow = sg.GradientFlow(sg.Scalar(M, A, x**2 + y**2), sg.euclidean(A), rate=eta)
    assert isinstance(flow, sg.Vector)
    assert flow.rate == eta and flow.metric.chart is A
    assert same(flow.components(A), [-2 * eta * x, -2 * eta * y])
    assert same(flow.components(B), sg.Vector(M, A, [-2 * eta * x, -2 * eta * y]).components(B))


def test_differential_has_one_form_whichever_route():
    # differentiating in chart B and transforming the differential to B give one expression
    x, y = sp.symbols("x y", positive=True)
    M = sg.Manifold("half-line")
    X, Y = M.chart(x), M.chart(y)
    M.transition(X, Y, {y: sp.sqrt(x)})
    C = sg.Scalar(M, X, (x - 1) ** 2)
    assert sg.differential(C, Y).components() == sg.differential(C).components(Y) == sp.Matrix([4 * y * (y**2 - 1)])
    g = sg.catalog.gaussian_kl()
    for chart in (g.variance, g.precision):
        assert sg.differential(g.cost, chart).components() == sg.differential(g.cost).components(chart)
    assert sg.differential(C, Y, simplify="none").components() == sp.Matrix([4 * y**3 - 4 * y])


def test_a_field_with_a_derivative_of_an_undefined_function_changes_chart():
    x = sp.Symbol("x", positive=True)
    y = sp.Symbol("y", real=True)
    M = sg.Manifold("half-line")
    X, Y = M.chart(x), M.chart(y)
    M.transition(X, Y, {y: sp.log(x)})
    C = sp.Function("C")
    v = sg.Vector(M, X, [-(x**2) * sp.Derivative(C(x), x)])
    # dy/dt = (dy/dx) dx/dt = -x C'(x), written at x = exp(y)
    expected = -sp.exp(y) * sp.Subs(sp.Derivative(C(x), x), x, sp.exp(y))
    assert sp.simplify(v.components(Y)[0] - expected) == 0
    assert v.components(Y).subs(C(x), x**3).doit()[0].equals(-3 * sp.exp(3 * y))
