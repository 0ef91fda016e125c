"""Numeric flows: values against the closed forms, integration, domain exits, parameters.

The reference values are computed here, from the symbolic components, with ``sp.lambdify``
to plain ``math`` one point at a time; never with symgrad's numeric code.
"""

import math

import numpy as np
import pytest
import strategies
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symgrad as sg

ETA = sp.Symbol("eta", positive=True)


def reference(exprs, chart, X, params=None):
    """Evaluate a list of sympy expressions at the points ``X`` (shape (..., dim)) point by point."""
    exprs = [sp.sympify(e).xreplace(dict(params or {})) for e in exprs]
    f = sp.lambdify(list(chart.coords), exprs, modules="math")
    X = np.asarray(X, dtype=float)
    flat = X.reshape(-1, chart.dim)
    out = np.array([[float(v) for v in f(*p)] for p in flat])
    return out.reshape(X.shape[:-1] + (len(exprs),))


# -- fixtures: the flows of the paper --------------------------------------------------------


@pytest.fixture(scope="module")
def gauss():
    g = sg.catalog.gaussian_kl()
    g.flow = sg.GradientFlow(g.cost, g.fisher, rate=ETA)
    return g


@pytest.fixture(scope="module")
def synapse():
    syn = sg.catalog.binomial_synapse()
    syn.flow = sg.GradientFlow(syn.cost, syn.fisher, rate=ETA)
    syn.values = {ETA: sp.Rational(1, 2), syn.N: 10, syn.phi: 1, syn.epsilon: sp.Rational(1, 10)}
    return syn


@pytest.fixture(scope="module")
def one():
    return sg.catalog.one_dimensional()


@pytest.fixture(scope="module")
def plane3():
    """A flow on R^2 x (0, oo) with a constant, a zero and a varying component."""
    x, y = sp.symbols("x y", real=True)
    z = sp.Symbol("z", positive=True)
    M = sg.Manifold("R2 x half-line")
    A = M.chart(x, y, z, name="A")
    cost = sg.Scalar(M, A, 2 * x + (y - 1) ** 2 / 2)
    return sg.GradientFlow(cost, sg.euclidean(A), rate=ETA), A


# -- values against the closed forms ---------------------------------------------------------


@pytest.mark.parametrize("chart_name", ["std", "variance", "precision", "log_std"])
def test_gaussian_flow_equals_closed_form_in_every_chart(gauss, chart_name):
    chart = getattr(gauss, chart_name)
    num = gauss.flow.numeric(chart, params={ETA: 0.7})
    X = chart.random_points(n=20, seed=3)
    expected = reference(gauss.flow.components(chart), chart, X, {ETA: 0.7})
    np.testing.assert_allclose(num(X), expected, rtol=1e-12, atol=1e-12)


def test_synapse_flow_metric_cost_equal_closed_form(synapse):
    num = synapse.flow.numeric(synapse.chart, params=synapse.values)
    assert num.free_params == ()
    X = synapse.chart.random_points(n=20, seed=5)
    v = synapse.values
    np.testing.assert_allclose(num(X), reference(synapse.flow.components(), synapse.chart, X, v), rtol=1e-10)
    G = reference(synapse.fisher.components(), synapse.chart, X, v).reshape(-1, 2, 2)
    np.testing.assert_allclose(num.metric(X), G, rtol=1e-10)
    Ginv = reference(synapse.fisher.components().inv(), synapse.chart, X, v).reshape(-1, 2, 2)
    np.testing.assert_allclose(num.inverse_metric(X), Ginv, rtol=1e-8)
    np.testing.assert_allclose(num.cost(X), reference([synapse.cost.components()], synapse.chart, X, v)[:, 0])


def test_natural_gradient_is_minus_eta_inverse_metric_times_differential(gauss):
    num = gauss.flow.numeric(gauss.variance)
    X = gauss.variance.random_points(n=10, seed=1)
    dC = reference(sg.differential(gauss.cost).components(gauss.variance), gauss.variance, X)
    expected = -0.3 * np.einsum("nij,nj->ni", num.inverse_metric(X), dC)
    np.testing.assert_allclose(num(X, eta=0.3), expected, rtol=1e-10)


@pytest.mark.parametrize("lead", [(), (7,), (3, 4)])
def test_constant_and_zero_components_broadcast(plane3, lead):
    flow, A = plane3
    num = flow.numeric(A)
    X = A.random_points(n=int(np.prod(lead, dtype=int)), seed=2).reshape(lead + (3,))
    out = num(X, eta=0.5)
    assert out.shape == lead + (3,)
    np.testing.assert_array_equal(out[..., 0], np.full(lead, -1.0))
    np.testing.assert_array_equal(out[..., 2], np.zeros(lead))
    np.testing.assert_allclose(out[..., 1], -0.5 * (X[..., 1] - 1))
    assert num.metric(X, eta=0.5).shape == lead + (3, 3)
    np.testing.assert_array_equal(num.metric(X), np.broadcast_to(np.eye(3), lead + (3, 3)))
    assert np.shape(num.cost(X)) == lead


@pytest.mark.parametrize("lead", [(), (5,), (2, 3)])
def test_gaussian_broadcasts_over_leading_shapes(gauss, lead):
    num = gauss.flow.numeric(gauss.std, params={"eta": 2})
    X = gauss.std.random_points(n=int(np.prod(lead, dtype=int)), seed=4).reshape(lead + (2,))
    expected = reference(gauss.flow.components(), gauss.std, X, {ETA: 2})
    np.testing.assert_allclose(num(X), expected, rtol=1e-12)
    G = num.metric(X)
    np.testing.assert_allclose(G @ num.inverse_metric(X), np.broadcast_to(np.eye(2), G.shape), atol=1e-12)
    np.testing.assert_allclose(num.cost(X), reference([gauss.cost.components()], gauss.std, X)[..., 0])


def test_free_parameter_arrays_broadcast_with_points(gauss):
    g = sg.catalog.gaussian_kl(mu0=sp.Symbol("mu0", real=True), sigma0=sp.Symbol("sigma0", positive=True))
    flow = sg.GradientFlow(g.cost, g.fisher, rate=ETA)
    num = flow.numeric(g.std, params={ETA: 1})
    assert [p.name for p in num.free_params] == ["mu0", "sigma0"]
    X = g.std.random_points(n=6, seed=7)
    mu0 = np.linspace(-1, 1, 6)
    out = num(X, mu0=mu0, sigma0=2.0)
    for k in range(6):
        ref = reference(flow.components(), g.std, X[k], {ETA: 1, g.mu0: mu0[k], g.sigma0: 2.0})
        np.testing.assert_allclose(out[k], ref, rtol=1e-12)


def test_large_arrays_are_evaluated_in_blocks(gauss):
    """Past CHUNK points the kernels work block by block; parameters arrays follow."""
    from symgrad.numeric._kernels import CHUNK

    n = 2 * CHUNK + 123
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.uniform(-5, 10, n), rng.uniform(0.2, 5, n)])
    eta = rng.uniform(0.5, 2, n)
    num = gauss.flow.numeric(gauss.std)
    mu, sigma = X[:, 0], X[:, 1]
    expected = eta[:, None] * np.column_stack([4 - mu, (mu**2 - 8 * mu - sigma**2 + 20) / (2 * sigma)])
    # entries near 0 come from cancellation (mu**2 - 8 mu - sigma**2 + 20): compare them absolutely
    np.testing.assert_allclose(num(X, eta=eta), expected, rtol=1e-13, atol=1e-13)
    X3 = X[: 2 * 9000].reshape(2, 9000, 2)  # more than CHUNK points in a 3-d array
    out = num(X3, eta=eta[: 2 * 9000].reshape(2, 9000))
    np.testing.assert_allclose(out, expected[: 2 * 9000].reshape(2, 9000, 2))
    G = num.metric(X)
    np.testing.assert_allclose(G[:, 1, 1], 2 / sigma**2)
    np.testing.assert_array_equal(G[:, 0, 1], 0.0)
    X[n - 5, 1] = -1.0  # in the last block
    with pytest.raises(sg.DomainError, match=rf"at index \({n - 5},\)"):
        num(X, eta=1.0)


@given(data=st.data())
def test_random_flows_in_random_charts_equal_closed_form(data):
    pair = data.draw(strategies.chart_pairs(dims=(1, 2), max_blocks=2))
    metric = data.draw(strategies.metrics(pair.A, kinds=("euclidean", "diagonal")))
    cost = data.draw(strategies.costs(pair.A))
    flow = sg.GradientFlow(cost, metric, rate=ETA)
    for chart in (pair.A, pair.B):
        num = flow.numeric(chart, params={ETA: 1.5})
        X = data.draw(strategies.points(chart, n=6))
        expected = reference(flow.components(chart), chart, X, {ETA: 1.5})
        np.testing.assert_allclose(num(X), expected, rtol=1e-9, atol=1e-12)


# -- integration -----------------------------------------------------------------------------


def test_one_dimensional_naive_flow_in_x(one):
    num = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta).numeric(one.X)
    t = np.linspace(0, 3, 31)
    sol = num.integrate([2.0], (0, 3), t_eval=t, params={"eta": 0.7})
    assert sol.y.shape == (31, 1) and sol.status == 0 and sol.success
    np.testing.assert_allclose(sol.t, t)
    np.testing.assert_allclose(sol.y[:, 0], 1 + np.exp(-2 * 0.7 * t), rtol=1e-6)


def test_one_dimensional_naive_flow_in_sqrt_chart(one):
    num = sg.GradientFlow(one.cost, sg.euclidean(one.Xt), rate=one.eta).numeric(one.Xt, params={one.eta: 0.7})
    t = np.linspace(0, 2, 21)
    sol = num.integrate([math.sqrt(2)], (0, 2), t_eval=t)
    np.testing.assert_allclose(sol.y[:, 0], 1 / np.sqrt(1 - np.exp(-8 * 0.7 * t) / 2), rtol=1e-6)


def test_same_flow_seen_in_sqrt_chart(one):
    flow = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)
    t = np.linspace(0, 3, 11)
    sol = flow.numeric(one.Xt, params={one.eta: 0.7}).integrate([math.sqrt(2)], (0, 3), t_eval=t)
    np.testing.assert_allclose(sol.y[:, 0] ** 2, 1 + np.exp(-2 * 0.7 * t), rtol=1e-6)


@pytest.mark.parametrize("chart_name,target", [("std", (4, 2)), ("variance", (4, 4)), ("log_std", (4, math.log(2)))])
def test_gaussian_kl_fisher_flow_converges_to_target(gauss, chart_name, target):
    chart = getattr(gauss, chart_name)
    num = gauss.flow.numeric(chart, params={ETA: 1})
    x0 = {"std": [-3.0, 0.5], "variance": [-3.0, 0.25], "log_std": [-3.0, math.log(0.5)]}[chart_name]
    sol = num.integrate(x0, (0, 40))
    assert sol.status == 0
    np.testing.assert_allclose(sol.y[-1], target, rtol=1e-6, atol=1e-8)


def test_ensemble_equals_single_integrations(gauss):
    num = gauss.flow.numeric(gauss.std, params={ETA: 1})
    rng = np.random.default_rng(0)
    X0 = np.column_stack([rng.uniform(-5, 10, 100), rng.uniform(0.2, 5, 100)])
    t = np.linspace(0, 8, 17)
    ens = num.integrate(X0, (0, 8), t_eval=t)
    assert ens.y.shape == (100, 17, 2)
    assert np.all(ens.status == 0) and len(ens.message) == 100
    singles = np.stack([num.integrate(x, (0, 8), t_eval=t).y for x in X0])
    np.testing.assert_allclose(ens.y, singles, rtol=1e-6)


@pytest.mark.parametrize("method", ["DOP853", "Radau", "LSODA"])
def test_other_methods_agree(gauss, method):
    num = gauss.flow.numeric(gauss.std, params={ETA: 1})
    X0 = gauss.std.random_points(n=5, seed=9)
    t = np.linspace(0, 4, 5)
    ref = num.integrate(X0, (0, 4), t_eval=t).y
    np.testing.assert_allclose(num.integrate(X0, (0, 4), t_eval=t, method=method).y, ref, rtol=1e-6)


def test_solve_ivp_options_pass_through(gauss):
    num = gauss.flow.numeric(gauss.std, params={ETA: 1})
    x0 = np.array([[0.0, 1.0], [1.0, 3.0]])
    sol = num.integrate(x0, (0, 5), max_step=0.01, atol=[1e-10, 1e-12])
    assert np.all(np.diff(sol.t) <= 0.01 + 1e-15)
    dense = num.integrate(x0, (0, 5), dense_output=True)
    np.testing.assert_allclose(dense.sol(5.0), dense.y[:, -1], rtol=1e-12)
    assert dense.sol([1.0, 2.0]).shape == (2, 2, 2)

    def mu_at_2(t, y):
        return y[0] - 2.0

    mu_at_2.terminal = True
    stopped = num.integrate(x0[0], (0, 5), events=mu_at_2)
    assert stopped.status == 2 and "terminal event" in stopped.message
    np.testing.assert_allclose(stopped.t_events[0], [math.log(2)], rtol=1e-7)
    np.testing.assert_allclose(stopped.y[-1, 0], 2.0, rtol=1e-9)
    with pytest.raises(TypeError, match="params"):
        num.integrate(x0, (0, 1), args=(1,))


# -- leaving the domain ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sinking():
    """A Euclidean flow that drives sigma to 0 at t = sigma(0) / eta: cost sigma + (mu - 1)^2 / 2."""
    g = sg.catalog.gaussian()
    cost = sg.Scalar(g.manifold, g.std, g.sigma + (g.mu - 1) ** 2 / 2)
    return sg.GradientFlow(cost, sg.euclidean(g.std), rate=ETA).numeric(g.std, params={ETA: 2})


def test_single_trajectory_stops_at_the_boundary(sinking):
    sol = sinking.integrate([0.0, 1.0], (0, 3))
    assert sol.status == 1 and not np.isnan(sol.y).any()
    assert sol.message == "left the domain of chart 'std': sigma reached the boundary 0 at t=0.5"
    assert sol.t_stop == pytest.approx(0.5, rel=1e-12)
    assert sol.t[-1] == pytest.approx(0.5, rel=1e-12)
    assert 0 < sol.y[-1, 1] < 1e-12
    assert sinking.contains(sol.y).all()


def test_ensemble_members_stop_the_others_go_on(sinking):
    X0 = np.array([[0.0, 1.0], [0.0, 3.0], [0.0, 8.0], [2.0, 2.0]])
    t = np.linspace(0, 3, 13)
    sol = sinking.integrate(X0, (0, 3), t_eval=t)
    np.testing.assert_array_equal(sol.status, [1, 1, 0, 1])
    np.testing.assert_allclose(sol.t_stop, [0.5, 1.5, 3.0, 1.0], rtol=1e-10)
    assert "sigma reached the boundary 0 at t=1.5" in sol.message[1]
    assert sol.message[2] == "reached the end of t_span (t=3)"
    assert not np.isnan(sol.y).any() and sinking.contains(sol.y).all()
    # after its stop a member holds its last state in the domain
    after = t > 0.5
    np.testing.assert_array_equal(sol.y[0, after], np.broadcast_to(sol.y[0, after][0], sol.y[0, after].shape))
    np.testing.assert_allclose(sol.y[0, after][0], [1 - math.exp(-1.0), 0.0], atol=1e-9)
    # the member that stays in the domain is unaffected by the others' stops
    alone = sinking.integrate(X0[2], (0, 3), t_eval=t)
    np.testing.assert_allclose(sol.y[2], alone.y, rtol=1e-7)
    np.testing.assert_allclose(sol.y[2, :, 1], 8 - 2 * t, rtol=1e-9)


def test_identical_members_stop_together(sinking):
    sol = sinking.integrate(np.tile([0.0, 1.0], (3, 1)), (0, 1))
    np.testing.assert_array_equal(sol.status, [1, 1, 1])
    np.testing.assert_allclose(sol.t_stop, 0.5, rtol=1e-12)


def test_terminal_event_of_the_user_stops_the_others(sinking):
    def member1_sigma_is_1_5(t, y):
        return y[1, 1] - 1.5

    member1_sigma_is_1_5.terminal = True
    sol = sinking.integrate([[0.0, 1.0], [0.0, 3.0]], (0, 2), events=member1_sigma_is_1_5)
    np.testing.assert_array_equal(sol.status, [1, 2])
    np.testing.assert_allclose(sol.t_stop, [0.5, 0.75], rtol=1e-10)
    assert sol.message[1] == "stopped by terminal event 0 of events at t=0.75"
    assert sol.y_events[0].shape == (1, 2, 2)


def test_solver_failure_is_reported_without_nan():
    """dx/dt = 1/(x - 2)^2 reaches x = 2 at t = 1/3 from x = 1, with infinite speed."""
    x = sp.Symbol("x", positive=True)
    X = sg.Manifold("half-line").chart(x)
    num = sg.GradientFlow(sg.Scalar(X.manifold, X, 1 / (x - 2)), sg.euclidean(X)).numeric(X)
    sol = num.integrate([1.0], (0, 1))
    assert sol.status == -1 and not sol.success
    assert sol.message.startswith("the solver failed at t=0.33")
    assert not np.isnan(sol.y).any()


def test_flow_not_finite_beyond_the_boundary_still_stops(synapse):
    """dP/dt = 1 + sqrt(1 - P) is NaN beyond P = 1; P reaches 1 at T = 2(a - log(1 + a)), a = sqrt(1 - P0)."""
    q, P = synapse.q, synapse.P
    expr = -P + sp.Rational(2, 3) * (1 - P) ** sp.Rational(3, 2) + (q - 1) ** 2
    cost = sg.Scalar(synapse.manifold, synapse.chart, expr)
    num = sg.GradientFlow(cost, sg.euclidean(synapse.chart)).numeric(synapse.chart)
    P0 = np.array([0.2, 0.5, 0.9])
    a = np.sqrt(1 - P0)
    T = 2 * (a - np.log1p(a))
    sol = num.integrate(np.column_stack([np.full(3, 2.0), P0]), (0, 2))
    np.testing.assert_array_equal(sol.status, [1, 1, 1])
    # the flow is not smooth at P = 1 (sqrt), so the crossing is located less tightly than rtol
    np.testing.assert_allclose(sol.t_stop, T, rtol=1e-4)
    assert all("P reached the boundary 1" in m for m in sol.message)
    assert not np.isnan(sol.y).any() and num.contains(sol.y).all()
    assert sol.t[-1] == pytest.approx(T.max(), rel=1e-4)


def test_initial_point_outside_the_domain(sinking, synapse):
    with pytest.raises(sg.DomainError, match=r"\[0.0, -1.0\].*member 1"):
        sinking.integrate([[0.0, 1.0], [0.0, -1.0]], (0, 1))
    num = synapse.flow.numeric(synapse.chart, params=synapse.values)
    with pytest.raises(sg.DomainError, match=r"initial point \[1.0, 1.5\]"):
        num.integrate([1.0, 1.5], (0, 1))


def test_points_outside_the_domain_at_call(sinking):
    message = r"point \[0.0, -1.0\] at index \(1,\).*sigma in Interval.open\(0, oo\)"
    with pytest.raises(sg.DomainError, match=message):
        sinking(np.array([[0.0, 1.0], [0.0, -1.0]]))
    with pytest.raises(sg.DomainError):
        sinking.metric([0.0, np.nan])
    unchecked = sinking.flow.numeric(sinking.chart, params={ETA: 2}, check=False)
    assert unchecked([0.0, -1.0]).shape == (2,)
    with pytest.raises(sg.DimensionError, match=r"shape \(\.\.\., 2\)"):
        sinking(np.zeros((4, 3)))


# -- discrete steps --------------------------------------------------------------------------


def test_step_and_iterate(gauss):
    num = gauss.flow.numeric(gauss.std)
    X = gauss.std.random_points(n=4, seed=8)
    np.testing.assert_allclose(num.step(X, dt=0.1, eta=0.5), X + 0.1 * num(X, eta=0.5))
    path = num.iterate(X, 50, dt=0.1, params={ETA: 0.5})
    assert path.y.shape == (4, 51, 2) and np.all(path.status == 0)
    x = X.copy()
    for _ in range(50):
        x = x + 0.1 * num(x, eta=0.5)
    np.testing.assert_allclose(path.y[:, -1], x, rtol=1e-12)
    np.testing.assert_allclose(path.t, 0.1 * np.arange(51))


def test_iterate_stops_members_that_leave(sinking):
    path = sinking.iterate([[0.0, 1.0], [0.0, 10.0]], 4, dt=0.2)
    np.testing.assert_array_equal(path.status, [1, 0])
    # sigma: 1 -> 0.6 -> 0.2 -> (-0.2: stopped at step 2)
    np.testing.assert_allclose(path.y[0, :, 1], [1.0, 0.6, 0.2, 0.2, 0.2])
    assert path.t_stop[0] == pytest.approx(0.4)
    assert "step 3 leaves the domain of chart 'std' (sigma = -0.2 is outside" in path.message[0]


# -- parameters ------------------------------------------------------------------------------


def test_unbound_parameters_are_named(gauss):
    num = gauss.flow.numeric(gauss.std)
    assert num.free_params == (ETA,)
    with pytest.raises(sg.UnboundParameterError, match="eta") as err:
        num([0.0, 1.0])
    assert isinstance(err.value, ValueError) and isinstance(err.value, sg.SymgradError)
    with pytest.raises(sg.UnboundParameterError, match="eta"):
        num.integrate([0.0, 1.0], (0, 1))
    # the metric and the cost do not use eta
    assert num.metric([0.0, 1.0]).shape == (2, 2)
    assert np.isfinite(num.cost([0.0, 1.0]))
    with pytest.raises(sg.UnknownParameterError, match="etta.*free: eta"):
        num([0.0, 1.0], eta=1, etta=1)


def test_bad_bound_parameters(gauss, synapse):
    with pytest.raises(sg.UnknownParameterError, match="kappa.*not a parameter"):
        gauss.flow.numeric(gauss.std, params={sp.Symbol("kappa"): 1})
    with pytest.raises(sg.UnknownParameterError, match="coordinate"):
        gauss.flow.numeric(gauss.std, params={"mu": 1})
    with pytest.raises(sg.UnknownParameterError, match="assumptions"):
        gauss.flow.numeric(gauss.std, params={sp.Symbol("eta"): 1})
    for bad in ["1", None, np.ones(3), 1j, float("nan"), True]:
        with pytest.raises(sg.ParameterValueError, match="eta"):
            gauss.flow.numeric(gauss.std, params={ETA: bad})
    with pytest.raises(sg.ParameterValueError, match="outside"):
        gauss.flow.numeric(gauss.std, params={ETA: -1})
    with pytest.raises(sg.ParameterValueError, match="integer"):
        synapse.flow.numeric(synapse.chart, params={synapse.N: 2.5})
    num = gauss.flow.numeric(gauss.std, params={ETA: sp.Rational(1, 2)})
    with pytest.raises(sg.UnknownParameterError, match="bound"):
        num([0.0, 1.0], eta=1.0)
    free = gauss.flow.numeric(gauss.std)
    with pytest.raises(sg.ParameterValueError, match="eta"):
        free([0.0, 1.0], eta="fast")
    with pytest.raises(sg.ParameterValueError, match="outside"):
        free([0.0, 1.0], eta=np.array([1.0, -1.0]))


def test_exact_binding_matches_free_parameters(synapse):
    bound = synapse.flow.numeric(synapse.chart, params=synapse.values)
    free = synapse.flow.numeric(synapse.chart)
    assert [p.name for p in free.free_params] == ["N", "epsilon", "eta", "phi"]
    X = synapse.chart.random_points(n=10, seed=2)
    values = {s.name: float(v) for s, v in synapse.values.items()}
    np.testing.assert_allclose(bound(X), free(X, **values), rtol=1e-12)


def test_vector_without_metric(one):
    v = sg.Vector(one.manifold, one.X, [1 - one.x])
    num = sg.NumericFlow(v, one.Xt)
    np.testing.assert_allclose(num([2.0]), [(1 - 4) / 4])
    with pytest.raises(TypeError, match="no metric"):
        num.metric([1.0])
    assert "NumericFlow" in repr(num)


def test_params_may_be_any_mapping():
    from types import MappingProxyType

    one = sg.catalog.one_dimensional()
    flow = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)
    bound = flow.numeric(params=MappingProxyType({one.eta: 2.0}))
    assert np.allclose(bound([[2.0]]), [[-2.0 * 2.0]])
    with pytest.raises(TypeError, match="mapping"):
        flow.numeric(params=[(one.eta, 2.0)])
