"""The JAX backend of NumericFlow.integrate: the same trajectories, statuses and stops as the scipy backend.

Each comparison integrates the same flow with both backends at ``rtol=1e-9`` and
compares member by member at ``1e-6`` relative: a solver of the wrong order, or a
parameter given to the wrong member, fails.  Every distinct numeric flow and
ensemble size compiles once (a few seconds), so the tests share them.
"""

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

import symgrad as sg

pytest.importorskip("jax", reason="the JAX backend needs jax: pip install 'symgrad[jax]'")
pytest.importorskip("diffrax", reason="the JAX backend needs diffrax: pip install 'symgrad[jax]'")

ETA = sp.Symbol("eta", positive=True)
TOL = {"rtol": 1e-9, "atol": 1e-12}
T = np.linspace(0, 3, 13)


def both(num, x0, t_span, **kwargs):
    """The solutions of the scipy and the JAX backends."""
    return num.integrate(x0, t_span, **kwargs, **TOL), num.integrate(x0, t_span, backend="jax", **kwargs, **TOL)


@pytest.fixture(scope="module")
def gauss():
    """The Gaussian KL Fisher flow in chart (mu, sigma), eta free: it converges to (4, 2)."""
    g = sg.catalog.gaussian_kl()
    return sg.GradientFlow(g.cost, g.fisher, rate=ETA).numeric(g.std)


@pytest.fixture(scope="module")
def sinking():
    """A Euclidean flow that drives sigma to 0 at t = sigma(0) / eta: cost sigma + (mu - 1)^2 / 2, eta = 2."""
    g = sg.catalog.gaussian()
    cost = sg.Scalar(g.manifold, g.std, g.sigma + (g.mu - 1) ** 2 / 2)
    return sg.GradientFlow(cost, sg.euclidean(g.std), rate=ETA).numeric(g.std, params={ETA: 2})


def test_importing_symgrad_does_not_import_jax():
    code = "import symgrad, sys; assert 'jax' not in sys.modules and 'diffrax' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_ensemble_with_one_rate_per_member_matches_scipy(gauss):
    rng = np.random.default_rng(0)
    X0 = np.column_stack([rng.uniform(-2, 8, 16), rng.uniform(0.5, 4, 16)])
    eta = rng.uniform(0.2, 2, 16)
    ref, sol = both(gauss, X0, (0, 3), t_eval=T, params={"eta": eta})
    np.testing.assert_array_equal(sol.t, T)
    assert sol.y.shape == ref.y.shape == (16, 13, 2)
    np.testing.assert_allclose(sol.y, ref.y, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(sol.status, 0)
    assert sol.message == ref.message and np.array_equal(sol.t_stop, ref.t_stop)
    # each member with its own rate: swapping the rates changes the trajectories
    swapped = gauss.integrate(X0, (0, 3), t_eval=T, params={"eta": eta[::-1]}, backend="jax", **TOL)
    assert not np.allclose(swapped.y, sol.y, rtol=1e-3)


def test_a_numeric_solve_flow_matches_scipy():
    """G v = -eta dC with a metric that is not diagonal, solved at each point by a Cholesky factorisation."""
    x, y = sp.symbols("x y", real=True)
    P = sg.Manifold("plane").chart(x, y)
    G = sg.Metric(P.manifold, P, sp.Matrix([[1 + x**2, x * y / 2], [x * y / 2, 1 + y**2]]))
    cost = sg.Scalar(P.manifold, P, (x - 1) ** 2 + (y + 2) ** 2 / 2 + x * y / 4)
    num = sg.GradientFlow(cost, G, rate=ETA, solve="numeric").numeric(P, params={ETA: sp.Rational(1, 2)})
    X0 = np.random.default_rng(1).normal(size=(16, 2)) * 2
    ref, sol = both(num, X0, (0, 3))
    # without t_eval: the start and the end
    np.testing.assert_array_equal(sol.t, [0, 3])
    np.testing.assert_array_equal(sol.y[:, 0], X0)
    np.testing.assert_allclose(sol.y[:, -1], ref.y[:, -1], rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(sol.status, 0)


def test_domain_exits_are_reported_as_scipy_reports_them(sinking):
    X0 = np.array([[0.0, 1.0], [0.0, 3.0], [0.0, 8.0], [2.0, 2.0]])
    ref, sol = both(sinking, X0, (0, 3), t_eval=T)
    np.testing.assert_array_equal(sol.status, [1, 1, 0, 1])
    np.testing.assert_allclose(sol.t_stop, [0.5, 1.5, 3.0, 1.0], rtol=1e-10)
    np.testing.assert_allclose(sol.t_stop, ref.t_stop, rtol=1e-10)
    assert sol.message[1] == "left the domain of chart 'std': sigma reached the boundary 0 at t=1.5"
    assert sol.message == ref.message
    np.testing.assert_allclose(sol.y, ref.y, rtol=1e-6, atol=1e-9)
    assert not np.isnan(sol.y).any() and sinking.contains(sol.y).all()
    # after its stop a member holds its last state, pinned inside the domain
    after = T > 0.5
    np.testing.assert_array_equal(sol.y[0, after], np.broadcast_to(sol.y[0, after][0], sol.y[0, after].shape))
    assert 0 < sol.y[0, -1, 1] < 1e-12
    # when every member has stopped, the times end with the last stop
    gone = sinking.integrate(X0[[0, 3, 0, 3]], (0, 3), t_eval=T, backend="jax", **TOL)
    np.testing.assert_array_equal(gone.t, T[T <= 1.0])
    assert gone.y.shape == (4, 5, 2)
    # backward in time: mu = 1 + (mu0 - 1) e^{-2 t}, sigma = sigma0 - 2 t grow for t < 0
    back = sinking.integrate(X0, (0, -1), t_eval=-T / 3, backend="jax", **TOL)
    t = -T[:, None] / 3
    np.testing.assert_allclose(back.y[..., 0], (1 + (X0[:, 0] - 1) * np.exp(-2 * t)).T, rtol=1e-8)
    np.testing.assert_allclose(back.y[..., 1], (X0[:, 1] - 2 * t).T, rtol=1e-8)
    np.testing.assert_array_equal(back.status, 0)


def test_one_trajectory_without_t_eval_reports_its_start_and_stop(sinking):
    sol = sinking.integrate([0.0, 1.0], (0, 3), backend="jax", **TOL)
    assert sol.status == 1 and sol.y.shape == (2, 2)
    assert sol.message == "left the domain of chart 'std': sigma reached the boundary 0 at t=0.5"
    assert sol.t_stop == pytest.approx(0.5, rel=1e-12)
    np.testing.assert_allclose(sol.t, [0, 0.5], rtol=1e-12)
    np.testing.assert_allclose(sol.y[-1], [1 - np.exp(-1), 0], atol=1e-9)
    assert 0 < sol.y[-1, 1] < 1e-12 and sol.nfev > 1


def test_refusals_name_the_remedy(gauss, sinking, monkeypatch):
    with pytest.raises(sg.ArgumentTypeError, match="backend must be"):
        gauss.integrate([0.0, 1.0], (0, 1), backend="torch", params={"eta": 1.0})
    with pytest.raises(sg.ArgumentTypeError, match=r"events.*backend='scipy'"):
        sinking.integrate([0.0, 1.0], (0, 1), backend="jax", events=lambda t, y: y[0])
    with pytest.raises(sg.ArgumentTypeError, match="method='Radau'.*Kvaerno5"):
        sinking.integrate([0.0, 1.0], (0, 1), backend="jax", method="Radau")
    with pytest.raises(sg.DimensionError, match="atol"):
        sinking.integrate([[0.0, 1.0], [0.0, 2.0]], (0, 1), backend="jax", atol=[1e-9, 1e-9, 1e-9])
    with pytest.raises(sg.NumericValueError, match="rtol"):
        sinking.integrate([0.0, 1.0], (0, 1), backend="jax", rtol=-1)
    for step in ({"max_step": 0}, {"first_step": np.inf}):  # the scipy backend's checks
        with pytest.raises(sg.NumericValueError, match=f"{next(iter(step))} is .*; it must be"):
            sinking.integrate([0.0, 1.0], (0, 1), backend="jax", **step)
    monkeypatch.setitem(sys.modules, "diffrax", None)
    with pytest.raises(sg.SymgradError, match=r'pip install "symgrad\[jax\]"') as err:
        sinking.integrate([0.0, 1.0], (0, 1), backend="jax")
    assert isinstance(err.value, ImportError)


def test_a_numeric_solve_flow_fails_where_its_metric_is_not_positive_definite():
    """G v = -dC by Cholesky: NaN, so a failed member, where G = [[2, 1], [1, y]] is not positive definite (y < 1/2)."""
    from symgrad.numeric import _jax

    x, y = sp.symbols("x y", real=True)
    P = sg.Manifold("plane").chart(x, y)
    G = sg.Metric(P.manifold, P, sp.Matrix([[2, 1], [1, y]]), check=False)
    cost = sg.Scalar(P.manifold, P, (x - 1) ** 2 / 2 + (y - 2) ** 2 / 2)
    num = sg.GradientFlow(cost, G, solve="numeric").numeric(P, check=False)
    field = _jax._compile(num).field  # the Cholesky factor, and so the field, is NaN where G is indefinite
    assert np.isfinite(field(np.array([0.0, 1.0]), ())).all() and np.isnan(field(np.array([0.0, 0.0]), ())).all()
    X0 = np.array([[0.0, 1.0], [2.0, 3.0], [0.0, 0.0]])  # the last one where G is indefinite
    ref = num.integrate(X0[:2], (0, 1), t_eval=[0, 0.5, 1], **TOL)
    sol = num.integrate(X0, (0, 1), t_eval=[0, 0.5, 1], backend="jax", **TOL)
    np.testing.assert_allclose(sol.y[:2], ref.y, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(sol.status, [0, 0, -1])
    assert sol.t_stop[2] == 0 and sol.message[2].startswith("the solver failed at t=0")
    # it fails at the smallest step, as scipy's solvers do, not after max_steps (100,000) rejected steps
    assert "minimum step size was reached" in sol.message[2] and sol.nfev < 1000, (sol.nfev, sol.message[2])
    assert "the flow is not finite at (x=0, y=0)" in sol.message[2], sol.message[2]


# -- flows holding definite integrals: a fixed double-exponential rule in jax.numpy ----------

X = sp.Symbol("x", real=True)


def test_a_flow_of_a_numeric_fisher_metric_matches_scipy():
    """The Fisher metric of N(mu, s^2) as integrals over x, solved by Cholesky: G = diag(1, 2) / s^2."""
    mu, s = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True)
    A = sg.Manifold("normal").chart(mu, s)
    density = sg.Density(sp.exp(-((X - mu) ** 2) / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi)), X)
    F = sg.fisher_metric(density, A, method="numeric")
    num = sg.GradientFlow(sg.Scalar(A.manifold, A, (mu - 1) ** 2 + (s - 2) ** 2), F, solve="numeric").numeric(A)
    X0 = np.array([[0.0, 1.0], [-3.0, 0.5]])
    ref, sol = both(num, X0, (0, 0.1), t_eval=[0, 0.05, 0.1])
    np.testing.assert_allclose(sol.y, ref.y, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(sol.status, 0)
    # the first half step follows v = -(2 (mu - 1) s^2, (s - 2) s^2), the flow of G = diag(1, 2) / s^2
    v0 = np.column_stack([-2 * (X0[:, 0] - 1) * X0[:, 1] ** 2, -(X0[:, 1] - 2) * X0[:, 1] ** 2])
    np.testing.assert_allclose((sol.y[:, 1] - X0) / 0.05, v0, rtol=0.2)


def test_an_adaptive_mean_over_a_gamma_input_matches_scipy_member_by_member():
    w, k = sp.Symbol("w", real=True), sp.Symbol("k", positive=True)
    A = sg.Manifold("weight").chart(w)
    v = sg.Vector(A.manifold, A, [1 / (1 + sp.exp(-w * X)) - w])
    num = sg.expected_flow(v, sg.Gamma(shape=k, rate=1), X, method="adaptive").numeric(A)
    X0, shapes = np.array([[0.0], [-2.0]]), np.array([1.5, 4.0])
    ref, sol = both(num, X0, (0, 0.25), t_eval=[0, 0.25], params={"k": shapes})
    np.testing.assert_allclose(sol.y, ref.y, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(sol.status, 0)
    swapped = num.integrate(X0, (0, 0.25), t_eval=[0, 0.25], params={"k": shapes[::-1]}, backend="jax", **TOL)
    assert not np.allclose(swapped.y, sol.y, rtol=1e-3)


def test_the_rule_is_exact_to_rounding_or_nan_where_it_does_not_resolve_the_integrand():
    from symgrad.numeric import _jax, _jax_quadrature

    _, jnp, _, _ = _jax._modules()  # float64
    w, k = sp.Symbol("w", real=True), sp.Symbol("k", positive=True)
    bump = sp.exp(-((X - w) ** 2) / sp.Rational(2, 400))  # width 0.05: resolved near 0, not at 10
    exprs = [
        sp.Integral(bump, (X, -sp.oo, sp.oo)),
        sp.Integral(X ** (k - 1) * sp.exp(-X), (X, 0, sp.oo)) + w,  # singular at 0 for k < 1: Gamma(k) + w
        sp.Integral(sp.log(X) / sp.sqrt(X), (X, 0, 1)),  # singular at 0: -4
    ]
    f = _jax_quadrature.field(exprs, (w,), (k,), jnp, "test")
    got = np.asarray(f(jnp.array([0.0]), (0.1,)))
    np.testing.assert_allclose(got, [np.sqrt(2 * np.pi) / 20, 9.513507698668732, -4], rtol=1e-13)
    assert np.isnan(np.asarray(f(jnp.array([10.0]), (0.1,)))[0])
    # an integrand with a kink, which a fixed rule does not resolve, is refused with the remedy
    A = sg.Manifold("line").chart(w)
    kink = sg.Vector(A.manifold, A, [sp.Integral(sp.Abs(X - w) * sp.exp(-(X**2)), (X, -sp.oo, sp.oo)) - w])
    with pytest.raises(sg.ArgumentTypeError, match=r"not smooth in x \(Abs\).*backend='scipy'"):
        _jax._compile(kink.numeric(A))


def test_a_member_the_rule_does_not_resolve_fails_with_the_reason_and_the_remedy():
    w = sp.Symbol("w", real=True)
    A = sg.Manifold("line").chart(w)
    bump = sp.Integral(sp.exp(-200 * (X - w) ** 2), (X, -sp.oo, sp.oo))  # width 0.05: not resolved at w = 10
    num = sg.Vector(A.manifold, A, [bump - sp.sqrt(sp.pi / 200)]).numeric(A)
    sol = num.integrate([[0.0], [10.0]], (0, 1), backend="jax")
    np.testing.assert_array_equal(sol.status, [0, -1])
    assert "the flow is not finite at (w=10)" in sol.message[1], sol.message[1]
    assert "quadrature rule does not resolve an integral" in sol.message[1] and "backend='scipy'" in sol.message[1]
    assert num.integrate([[10.0]], (0, 1)).status[0] == 0  # scipy's adaptive quadrature resolves it
