"""Second-order geometry: Christoffel symbols, geodesics, covariant Hessians, Newton and momentum flows.

The Christoffel symbols transform as a connection (the tensor law plus the second derivatives
of the chart change), the covariant Hessian as a (0,2) tensor (while the matrix of second
partials does not); both are checked over random charts (:mod:`strategies`) numerically at
random points, next to closed forms on the Gaussian family.
"""

import numpy as np
import pytest
import strategies as S
import sympy as sp
from helpers import assert_close, differ, symbolically_equal
from hypothesis import given, settings
from hypothesis import strategies as st

import symgrad as sg

METRIC_KINDS = ["euclidean", "diagonal", "log", "dense"]


def _pair_for(kind, **kw):
    if kind == "log":
        kw.setdefault("kinds", (S.POSITIVE, S.UNIT))
    return S.chart_pairs(dims=(1, 2), nonlinear=True, **kw)


def _flat(array):
    return list(sp.flatten(sp.Array(array).tolist()))


def _connection_law(Gamma_A, T, homogeneous=False):
    """Gamma_A (in A's coordinates) transformed to B by the connection law (or the tensor law alone)."""
    n = T.source.dim
    K = T.inverse_jacobian  # dx/dy in y
    Jt = T.jacobian_at_target  # dy/dx in y
    ys = T.target.coords
    G = [[[T.push(Gamma_A[a, b, c]) for c in range(n)] for b in range(n)] for a in range(n)]
    out = sp.MutableDenseNDimArray.zeros(n, n, n)
    for k in range(n):
        for i in range(n):
            for j in range(n):
                e = sp.Add(
                    *[Jt[k, a] * K[b, i] * K[c, j] * G[a][b][c] for a in range(n) for b in range(n) for c in range(n)]
                )
                if not homogeneous:
                    e += sp.Add(*[Jt[k, a] * sp.diff(T.inverse[a], ys[i], ys[j]) for a in range(n)])
                out[k, i, j] = e
    return out


def _inhomogeneous_term(T):
    n = T.source.dim
    ys = T.target.coords
    Jt = T.jacobian_at_target
    return [
        sp.Add(*[Jt[k, a] * sp.diff(T.inverse[a], ys[i], ys[j]) for a in range(n)])
        for k in range(n)
        for i in range(n)
        for j in range(n)
    ]


# -- Christoffel symbols --------------------------------------------------------------------------


def test_christoffel_of_the_gaussian_fisher_metric():
    # F = diag(1/sigma^2, 2/sigma^2), by hand: Gamma^mu_{mu sigma} = 1/2 g^{mu mu} d_sigma g_{mu mu}
    # = 1/2 sigma^2 (-2/sigma^3) = -1/sigma; Gamma^sigma_{mu mu} = -1/2 g^{ss} d_s g_{mu mu}
    # = 1/2 (sigma^2/2)(2/sigma^3) = 1/(2 sigma); Gamma^sigma_{ss} = 1/2 (sigma^2/2)(-4/sigma^3) = -1/sigma.
    g = sg.catalog.gaussian()
    Gamma = sg.christoffel(g.fisher)
    s = g.sigma
    expected = {(0, 0, 1): -1 / s, (0, 1, 0): -1 / s, (1, 0, 0): 1 / (2 * s), (1, 1, 1): -1 / s}
    assert Gamma.shape == (2, 2, 2)
    for k in range(2):
        for i in range(2):
            for j in range(2):
                assert Gamma[k, i, j] == expected.get((k, i, j), 0), (k, i, j)


def test_christoffel_of_the_flat_plane_in_polar_coordinates():
    r = sp.Symbol("r", positive=True)
    th = sp.Symbol("theta", real=True)
    P = sg.Manifold("plane").chart(r, th)
    Gamma = sg.christoffel(sg.Metric(P.manifold, P, sp.diag(1, r**2)))
    assert Gamma[0, 1, 1] == -r
    assert Gamma[1, 0, 1] == Gamma[1, 1, 0] == 1 / r
    assert sum(1 for e in _flat(Gamma) if e != 0) == 3


def test_christoffel_of_a_constant_metric_vanish():
    x, y = sp.symbols("x y", real=True)
    A = sg.Manifold("plane").chart(x, y)
    G = sg.Metric(A.manifold, A, sp.Matrix([[2, 1], [1, 3]]))
    assert all(e == 0 for e in _flat(sg.christoffel(G)))


def test_christoffel_of_a_pullback_metric_uses_its_factors():
    g = sg.catalog.gaussian()
    F_var = g.fisher.components(g.variance)
    direct = sg.christoffel(sg.Metric(g.manifold, g.variance, F_var), g.variance)
    via = sg.christoffel(g.fisher, g.variance)
    assert all(symbolically_equal(a, b) for a, b in zip(_flat(direct), _flat(via)))


def test_christoffel_transform_as_a_connection_not_a_tensor_on_the_gaussian():
    g = sg.catalog.gaussian()
    T = g.manifold.transition_map(g.std, g.variance)
    Gamma_B = sg.christoffel(g.fisher, g.variance)
    pts = g.variance.random_points(n=8, seed=3)
    law = _connection_law(sg.christoffel(g.fisher), T)
    assert_close(_flat(Gamma_B), _flat(law), g.variance, pts, what="connection law")
    tensor = _connection_law(sg.christoffel(g.fisher), T, homogeneous=True)
    assert differ(_flat(Gamma_B), _flat(tensor), g.variance, pts)


@pytest.mark.parametrize("kind", METRIC_KINDS)
@settings(max_examples=4)
@given(data=st.data())
def test_christoffel_transform_as_a_connection(kind, data):
    p = data.draw(_pair_for(kind), label="charts")
    G = data.draw(S.metrics(p.A, kinds=[kind]), label="metric")
    T = p.manifold.transition_map(p.A, p.B)
    Gamma_A = sg.christoffel(G, p.A)
    Gamma_B = sg.christoffel(G, p.B)
    pts = data.draw(S.points(p.B), label="points in B")
    assert_close(_flat(Gamma_B), _flat(_connection_law(Gamma_A, T)), p.B, pts, what="connection law")
    # the tensor law alone is wrong exactly when the chart change has second derivatives
    curved = differ(_inhomogeneous_term(T), [0] * p.dim**3, p.B, pts)
    tensor = _connection_law(Gamma_A, T, homogeneous=True)
    assert differ(_flat(Gamma_B), _flat(tensor), p.B, pts) == curved


# -- geodesics ------------------------------------------------------------------------------------


def test_geodesic_equations_of_the_gaussian():
    g = sg.catalog.gaussian()
    t = sp.Symbol("t", real=True)
    eqs = sg.geodesic_equations(g.fisher, t=t)
    mu, sigma = sp.Function("mu", real=True)(t), sp.Function("sigma", real=True)(t)
    assert [eq.lhs for eq in eqs] == [sp.Derivative(mu, (t, 2)), sp.Derivative(sigma, (t, 2))]
    dmu, ds = sp.Derivative(mu, t), sp.Derivative(sigma, t)
    assert sp.simplify(eqs[0].rhs - 2 * dmu * ds / sigma) == 0
    assert sp.simplify(eqs[1].rhs - (ds**2 / sigma - dmu**2 / (2 * sigma))) == 0


def test_geodesic_conserves_speed():
    g = sg.catalog.gaussian()
    geo = sg.geodesic(g.fisher, g.std, [0.3, 1.2], [0.8, -0.5], (0, 3), rtol=1e-10, atol=1e-12)
    mu, sigma = geo.x.T
    speed = (geo.v[:, 0] ** 2 + 2 * geo.v[:, 1] ** 2) / sigma**2
    np.testing.assert_allclose(speed, speed[0], rtol=1e-6)
    assert len(geo.t) > 2


def test_geodesic_conserves_speed_for_a_dense_metric():
    x, y = sp.symbols("x y", real=True)
    A = sg.Manifold("plane").chart(x, y)
    m = sp.Matrix([[1 + x**2, x * y], [x * y, 1 + y**2]])
    G = sg.Metric(A.manifold, A, m)
    geo = sg.geodesic(G, None, [0.5, -0.2], [1.0, 0.7], (0, 2), rtol=1e-10, atol=1e-12)
    f = sp.lambdify([x, y], m)
    speed = np.array([v @ np.array(f(*pt), dtype=float) @ v for pt, v in zip(geo.x, geo.v)])
    np.testing.assert_allclose(speed, speed[0], rtol=1e-6)


def test_euclidean_geodesics_are_straight_lines():
    x, y, z = sp.symbols("x y z", real=True)
    A = sg.Manifold("space").chart(x, y, z)
    t_eval = np.linspace(0, 2, 9)
    geo = sg.geodesic(sg.euclidean(A), A, [1.0, 0.0, -1.0], [0.5, -1.0, 2.0], (0, 2), t_eval=t_eval)
    expected = np.array([1.0, 0.0, -1.0]) + t_eval[:, None] * np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(geo.x, expected, rtol=1e-8, atol=1e-10)


def test_geodesic_with_parameters_and_errors():
    x = sp.Symbol("x", positive=True)
    a = sp.Symbol("a", positive=True)
    A = sg.Manifold("half-line").chart(x)
    G = sg.Metric(A.manifold, A, sp.Matrix([[a + x**2]]))
    with pytest.raises(sg.UnboundParameterError, match="params"):
        sg.geodesic(G, A, [1.0], [1.0], (0, 1))
    sg.geodesic(G, A, [1.0], [1.0], (0, 1), params={"a": 2.0})
    # for a/x^2 (a cancels from the symbols) the geodesic is x = exp(t) with unit initial velocity
    log = sg.Metric(A.manifold, A, sp.Matrix([[a / x**2]]))
    geo = sg.geodesic(log, A, [1.0], [1.0], (0, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(geo.x[-1, 0], np.e, rtol=1e-6)
    with pytest.raises(sg.DomainError):
        sg.geodesic(G, A, [-1.0], [1.0], (0, 1), params={a: 2})
    with pytest.raises(sg.DimensionError):
        sg.geodesic(G, A, [1.0, 2.0], [1.0], (0, 1), params={a: 2})
    with pytest.raises(sg.NotAMetricError):
        sg.christoffel(sp.eye(1))
    with pytest.raises(TypeError):
        sg.geodesic_equations("metric", A)


# -- covariant Hessian ----------------------------------------------------------------------------


def test_hessian_of_the_kl_is_the_fisher_metric_at_the_minimum():
    g = sg.catalog.gaussian_kl()
    H = sg.riemannian_hessian(g.cost, g.fisher)
    assert H.is_symmetric()
    at_min = H.subs({g.mu: 4, g.sigma: 2})
    assert at_min == g.fisher.components().subs({g.sigma: 2})


@pytest.mark.parametrize("kind", METRIC_KINDS)
@settings(max_examples=4)
@given(data=st.data())
def test_riemannian_hessian_is_a_tensor(kind, data):
    p = data.draw(_pair_for(kind), label="charts")
    G = data.draw(S.metrics(p.A, kinds=[kind]), label="metric")
    cost = data.draw(S.costs(p.A), label="cost")
    T = p.manifold.transition_map(p.A, p.B)
    K = T.inverse_jacobian
    H_A = sg.riemannian_hessian(cost, G, p.A)
    H_B = sg.riemannian_hessian(cost, G, p.B)
    pts = data.draw(S.points(p.B), label="points in B")
    assert_close(H_B, K.T * H_A.applyfunc(T.push) * K, p.B, pts, what="Hessian tensor law")
    # the matrix of second partials is no tensor: it misses d^2 x / dy^2 . dC
    plain_A = sp.hessian(cost.components(p.A), p.A.coords)
    plain_B = sp.hessian(cost.components(p.B), p.B.coords)
    dC = sg.differential(cost).components(p.A).applyfunc(T.push)
    extra = [
        sp.Add(*[sp.diff(T.inverse[a], p.B.coords[i], p.B.coords[j]) * dC[a] for a in range(p.dim)])
        for i in range(p.dim)
        for j in range(p.dim)
    ]
    naive = K.T * plain_A.applyfunc(T.push) * K
    assert differ(plain_B, naive, p.B, pts) == differ(extra, [0] * p.dim**2, p.B, pts)


def test_plain_second_partials_are_not_a_tensor_on_the_gaussian():
    g = sg.catalog.gaussian_kl()
    T = g.manifold.transition_map(g.std, g.variance)
    K = T.inverse_jacobian
    pts = g.variance.random_points(n=8, seed=5)
    H_B = sg.riemannian_hessian(g.cost, g.fisher, g.variance)
    H_A = sg.riemannian_hessian(g.cost, g.fisher, g.std)
    assert_close(H_B, K.T * H_A.applyfunc(T.push) * K, g.variance, pts, what="Hessian")
    plain_A = sp.hessian(g.cost.components(), g.std.coords)
    plain_B = sp.hessian(g.cost.components(g.variance), g.variance.coords)
    assert differ(plain_B, K.T * plain_A.applyfunc(T.push) * K, g.variance, pts)


# -- Newton flow ----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["variance", "precision", "log_std"])
def test_newton_flow_is_chart_independent(target):
    g = sg.catalog.gaussian_kl()
    eta = sp.Symbol("eta", positive=True)
    B = getattr(g, target)
    in_A = sg.newton_flow(g.cost, g.fisher, rate=eta)
    in_B = sg.newton_flow(g.cost, g.fisher, rate=eta, chart=B)
    assert isinstance(in_A, sg.Vector) and in_B.chart is B
    pts = B.random_points(n=8, seed=7)
    assert_close(in_A.components(B), in_B.components(B), B, pts, what="Newton flow in B")
    # it solves Hess v = -eta dC
    H_B = sg.riemannian_hessian(g.cost, g.fisher, B)
    w_B = sg.differential(g.cost).components(B)
    assert_close(H_B * in_B.components(B), -eta * w_B, B, pts, what="Hess v = -eta dC")


def test_newton_flow_differs_from_the_gradient_flow_and_vanishes_at_the_minimum():
    g = sg.catalog.gaussian_kl()
    newton = sg.newton_flow(g.cost, g.fisher).components()
    assert list(newton.subs({g.mu: 4, g.sigma: 2})) == [0, 0]
    grad = sg.GradientFlow(g.cost, g.fisher).components()
    assert differ(newton, grad, g.std, g.std.random_points(n=4, seed=1))
    # near the minimum, where Hess = G, the two agree to first order
    near = {g.mu: 4 + sp.Rational(1, 10**6), g.sigma: 2}
    np.testing.assert_allclose(
        np.array(newton.subs(near), dtype=float), np.array(grad.subs(near), dtype=float), rtol=1e-5, atol=1e-11
    )


def test_newton_flow_singular_hessian():
    x, y = sp.symbols("x y", real=True)
    A = sg.Manifold("plane").chart(x, y)
    with pytest.raises(sg.SingularHessianError, match="singular"):
        sg.newton_flow(sg.Scalar(A.manifold, A, x + 2 * y), sg.euclidean(A))
    with pytest.raises(sg.SingularHessianError):
        sg.newton_flow(sg.Scalar(A.manifold, A, x**2), sg.euclidean(A))
    other = sg.Manifold("other").chart(sp.Symbol("z", real=True))
    with pytest.raises(sg.ManifoldMismatchError):
        sg.newton_flow(sg.Scalar(A.manifold, A, x**2 + y**2), sg.euclidean(other))
    with pytest.raises(sg.SymgradError):
        sg.riemannian_hessian(x**2, sg.euclidean(A))


# -- momentum (Hamiltonian) descent ---------------------------------------------------------------


def test_hamiltonian_flow_equations():
    w = sp.Symbol("w", real=True)
    A = sg.Manifold("weight").chart(w)
    hf = sg.hamiltonian_flow(sg.Scalar(A.manifold, A, w**2 / 2), sg.diagonal(A, [1 + w**2]), friction=0)
    (p,) = hf.momenta
    assert sp.simplify(hf.hamiltonian - (w**2 / 2 + p**2 / (2 * (1 + w**2)))) == 0
    H = hf.hamiltonian
    # Hamilton's equations: x' = dH/dp, p' = -dH/dx
    assert sp.simplify(hf.rhs[0] - sp.diff(H, p)) == 0
    assert sp.simplify(hf.rhs[1] + sp.diff(H, w)) == 0
    assert len(hf.equations()) == 2


def test_hamiltonian_flow_matches_hamiltons_equations_with_a_dense_metric():
    x, y, gamma = sp.symbols("x y gamma", real=True)
    A = sg.Manifold("plane").chart(x, y)
    G = sg.Metric(A.manifold, A, sp.Matrix([[1 + x**2, x * y], [x * y, 1 + y**2]]))
    hf = sg.hamiltonian_flow(sg.Scalar(A.manifold, A, x**2 + y**4), G, friction=gamma)
    H = hf.hamiltonian
    ps = hf.momenta
    for k, (c, p) in enumerate(zip(A.coords, ps)):
        assert sp.cancel(hf.rhs[k] - sp.diff(H, p)) == 0
        assert sp.cancel(hf.rhs[2 + k] - (-sp.diff(H, c) - gamma * p)) == 0


def test_hamiltonian_is_conserved_without_friction():
    g = sg.catalog.gaussian_kl()
    hf = sg.hamiltonian_flow(g.cost, g.fisher, friction=0)
    sol = hf.integrate([1.0, 1.5], [0.3, -0.2], (0, 5), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sol.energy, sol.energy[0], rtol=1e-6)


def test_momentum_descent_with_friction_reaches_the_minimum():
    g = sg.catalog.gaussian_kl()
    gamma = sp.Symbol("gamma", positive=True)
    hf = sg.hamiltonian_flow(g.cost, g.fisher, friction=gamma)
    t_eval = np.linspace(0, 40, 201)
    sol = hf.integrate([1.0, 1.0], [0.0, 0.0], (0, 40), t_eval=t_eval, params={"gamma": 2.0}, rtol=1e-9, atol=1e-11)
    cost = sp.lambdify(g.std.coords, g.cost.components())
    c = np.array([cost(*pt) for pt in sol.x])
    # the energy never increases; the cost goes to its minimum 0 at (4, 2)
    assert np.all(np.diff(sol.energy) <= 1e-9)
    assert c[-1] < 1e-8 and c[0] > 1
    np.testing.assert_allclose(sol.x[-1], [4.0, 2.0], atol=1e-4)


def test_hamiltonian_flow_errors():
    g = sg.catalog.gaussian_kl()
    gamma = sp.Symbol("gamma", positive=True)
    hf = sg.hamiltonian_flow(g.cost, g.fisher, friction=gamma)
    with pytest.raises(sg.UnboundParameterError, match="gamma"):
        hf.integrate([1.0, 1.0], [0.0, 0.0], (0, 1))
    with pytest.raises(sg.DomainError):
        hf.integrate([1.0, -1.0], [0.0, 0.0], (0, 1), params={gamma: 1})
    with pytest.raises(sg.DimensionError):
        hf.integrate([1.0], [0.0, 0.0], (0, 1), params={gamma: 1})
    with pytest.raises(sg.ExpressionError):
        sg.hamiltonian_flow(g.cost, g.fisher, friction="1")
    with pytest.raises(sg.NotAMetricError):
        sg.hamiltonian_flow(g.cost, sp.eye(2), friction=1)
