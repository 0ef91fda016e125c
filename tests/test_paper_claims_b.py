"""Claims 4 and 6 and the synaptic-plasticity rules: closed forms, checks, figures."""

import numpy as np
import pytest
import sympy as sp

from symgrad.paper import metric_underdetermined, synaptic_plasticity, weber_law


def same(a, b):
    """Symbolic equality of expressions or matrices (expand or cancel, then simplify if needed)."""
    diff = sp.Matrix(a) - sp.Matrix(b) if isinstance(a, sp.MatrixBase) else sp.Matrix([a - b])
    return all(sp.expand(e) == 0 or sp.cancel(e) == 0 or sp.simplify(e) == 0 for e in diff)


eta = sp.Symbol("eta", positive=True)
mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
lam = sp.Symbol("lambda", positive=True)
x, eps = sp.symbols("x epsilon", positive=True)
y = sp.Symbol("y", real=True)

#: The Fisher flow of the Gaussian KL cost with target N(4, 2^2), and that cost's differential, in (mu, sigma).
FISHER_FLOW = sp.Matrix([4 - mu, ((mu - 4) ** 2 + 4 - sigma**2) / (2 * sigma)])
DC = sp.Matrix([(mu - 4) / sigma**2, 1 / sigma - (4 + (mu - 4) ** 2) / sigma**3])


@pytest.fixture(scope="module")
def under():
    return metric_underdetermined.derive()


@pytest.fixture(scope="module")
def weber():
    return weber_law.derive()


@pytest.fixture(scope="module")
def synaptic():
    return synaptic_plasticity.derive()


@pytest.mark.parametrize(
    "module, fixture",
    [(metric_underdetermined, "under"), (weber_law, "weber"), (synaptic_plasticity, "synaptic")],
)
def test_every_check_passes(module, fixture, request):
    checks = module.checks(request.getfixturevalue(fixture))
    assert checks and all(v is True for v in checks.values()), {k: v for k, v in checks.items() if v is not True}


@pytest.mark.parametrize("module, fixture", [(metric_underdetermined, "under"), (weber_law, "weber")])
def test_figure_and_notes_build(module, fixture, request, tmp_path):
    from matplotlib.figure import Figure

    results = request.getfixturevalue(fixture)
    fig = module.figure(results)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    fig.savefig(tmp_path / "f.png")
    assert module.notes(results).startswith("### ")


# -- Claim 4: one observed flow does not determine the metric -----------------------------------------


def test_observed_flow_is_the_fisher_flow(under):
    assert same(under["observed flow v = d(mu, sigma)/dt (the Fisher flow)"], FISHER_FLOW)
    assert same(under["Fisher metric F"], sp.diag(1 / sigma**2, 2 / sigma**2))


def test_family_g_lambda_has_the_same_flow(under):
    v = FISHER_FLOW
    u = sp.Matrix([-v[1], v[0]])
    G = sp.diag(1 / sigma**2, 2 / sigma**2) + lam * u * u.T
    assert same(under["G_lambda = F + lambda u u^T"], G)
    # independently of the library's inversion: G v = -dC for every lambda
    assert same(G * v, -DC)
    assert same(under["flow of G_lambda"], v)
    # a different metric: G_lambda - F is not zero
    assert not same(G, sp.diag(1 / sigma**2, 2 / sigma**2))


def test_constructed_metric_has_the_same_flow(under):
    G = under["metric constructed by gradient_metric(v, C)"]
    assert G.is_symmetric()
    pt = {mu: sp.Rational(3, 2), sigma: sp.Rational(7, 2)}
    Gp = G.subs(pt)
    # positive definite at a sample point, and a solution of G v = -dC there, exactly
    assert Gp[0, 0] > 0 and Gp.det() > 0
    assert (Gp * FISHER_FLOW.subs(pt) + DC.subs(pt)).applyfunc(sp.cancel) == sp.zeros(2, 1)
    assert same(under["flow of the constructed metric"], FISHER_FLOW)


def test_euclidean_flow_differs(under):
    e = under["Euclidean flow (a metric outside the family)"]
    assert same(e, -DC)
    assert not same(e, FISHER_FLOW)


def test_counting(under):
    for n in metric_underdetermined.DIMENSIONS:
        assert under[f"rank of S -> S v on symmetric {n} x {n} matrices"] == n
    v1, v2, w1, w2, g22 = sp.symbols("v1 v2 w1 w2 g22", real=True)
    G = under["every symmetric G with G v = -w in 2-D (g22 free)"]
    assert G.free_symbols == {v1, v2, w1, w2, g22}
    assert same(G * sp.Matrix([v1, v2]), -sp.Matrix([w1, w2]))


# -- Claim 6: Weber's law as the rates of a log metric -------------------------------------------------


def test_weber_flow_in_closed_form(weber):
    assert weber["log metric G(x)"] == sp.Matrix([[x**-2]])
    assert weber["log metric in the chart y = log x"] == sp.Matrix([[1]])
    flow = -2 * eta * x**2 * (x - 1)
    assert same(weber["log-metric flow dx/dt"], flow)
    assert same(weber["Euclidean flow in y = log x, pushed back to x"], flow)
    assert same(weber["Euclidean flow in y = log x, dy/dt"], -2 * eta * sp.exp(y) * (sp.exp(y) - 1))
    assert same(weber["relative rate d log x/dt under the log metric"], -2 * eta * x * (x - 1))
    assert same(weber["Euclidean flow dx/dt (for contrast)"], -2 * eta * (x - 1))
    # the Weber rule differs from the Euclidean one except at x = 1
    assert not same(weber["log-metric flow dx/dt"], weber["Euclidean flow dx/dt (for contrast)"])


def test_weber_general_cost(weber):
    C = sp.Function("C")
    assert same(weber["log-metric flow for an arbitrary cost C(x)"], -eta * x**2 * sp.Derivative(C(x), x))


def test_just_noticeable_step_is_proportional_to_x(weber):
    assert same(weber["metric length of [x, x exp(epsilon)]"], eps)
    step = weber["just-noticeable step, log metric (first order)"]
    assert same(step, eps * x)
    f = sp.lambdify([x, eps], step)
    # Weber fraction: step / x is the same at every x
    ratios = [f(x0, 0.1) / x0 for x0 in (0.01, 1.0, 250.0)]
    assert np.allclose(ratios, 0.1, rtol=1e-12)
    assert weber["just-noticeable step, Euclidean metric"] == eps


def test_weber_on_the_gaussian_sigma(weber):
    assert weber["Gaussian: diag(1, 1/sigma^2) in the chart (mu, log sigma)"] == sp.eye(2)
    expected = sp.Matrix([-eta * (mu - 4) / sigma**2, -eta * (sigma - (4 + (mu - 4) ** 2) / sigma)])
    assert same(weber["Gaussian: its flow d(mu, sigma)/dt"], expected)


# -- synaptic plasticity: the spike-train neuron ------------------------------------------------------------


def _spike_symbols(n, bins):
    w = sp.symbols(f"w1:{n + 1}", positive=True)
    xs = [[sp.Symbol(f"x{j + 1}_{t + 1}", real=True) for t in range(bins)] for j in range(n)]
    ys = [sp.Symbol(f"y_{t + 1}", real=True) for t in range(bins)]
    theta = sp.Symbol("theta", positive=True)
    rates = sp.symbols(f"eta1:{n + 1}", positive=True)
    return w, xs, ys, theta, rates


def _expected_rule(n, bins, multiplicative):
    w, xs, ys, theta, rates = _spike_symbols(n, bins)
    out = []
    for j in range(n):
        err = 0
        for t in range(bins):
            u = sum(w[k] * xs[k][t] for k in range(n)) - theta
            err += (ys[t] - sp.exp(u) / (1 + sp.exp(u))) * xs[j][t]
        out.append(rates[j] * (w[j] if multiplicative else 1) * err)
    return sp.Matrix(out)


def test_spike_train_rules_in_closed_form(synaptic):
    bins = synaptic_plasticity.SPIKE_BINS
    assert same(synaptic[f"spike train: constant-rate rule, {bins} bins"], _expected_rule(2, bins, False))
    assert same(synaptic[f"spike train: multiplicative-rate rule, {bins} bins"], _expected_rule(2, bins, True))
    assert same(synaptic["spike train: multiplicative-rate rule, one bin"], _expected_rule(2, 1, True))
    # a wrong rate (proportional to w^2) is told apart, at a sample point
    w, xs, ys, theta, rates = _spike_symbols(2, bins)
    wrong = sp.Matrix([w[j] ** 2 * e for j, e in enumerate(_expected_rule(2, bins, False))])
    point = {w[0]: 2, w[1]: sp.Rational(1, 2), theta: 1, rates[0]: 1, rates[1]: 1}
    point.update({v: 1 for row in xs for v in row})
    point.update({v: 0 for v in ys})
    rule = synaptic[f"spike train: multiplicative-rate rule, {bins} bins"]
    assert sp.N((rule - wrong).subs(point)[0]) != 0


def test_spike_train_metrics(synaptic):
    w, _, _, _, rates = _spike_symbols(2, 1)
    assert synaptic["spike train: metric of constant rates"] == sp.diag(1 / rates[0], 1 / rates[1])
    assert same(
        synaptic["spike train: metric of multiplicative rates"], sp.diag(*[1 / (r * v) for r, v in zip(rates, w)])
    )


def test_spike_train_cost_is_the_bernoulli_likelihood(synaptic):
    bins = synaptic_plasticity.SPIKE_BINS
    w, xs, ys, theta, _ = _spike_symbols(2, bins)
    cost = synaptic[f"spike train: cost, {bins} bins"]
    rng = np.random.default_rng(0)
    f = sp.lambdify([w, xs, ys, theta], cost)
    for _ in range(5):
        W, X, Y, th = rng.uniform(0.1, 3, 2), rng.integers(0, 2, (2, bins)), rng.integers(0, 2, bins), 1.5
        rho = 1 / (1 + np.exp(-(W @ X - th)))
        nll = -np.sum(Y * np.log(rho) + (1 - Y) * np.log(1 - rho))
        assert np.isclose(f(list(W), X.tolist(), list(Y), th), nll, rtol=1e-12)


def test_toy_rules_kept(synaptic):
    w = sp.symbols("w1:3", real=True)
    xs = sp.symbols("x1:3", real=True)
    rates = sp.symbols("eta1:3", positive=True)
    ystar = sp.Symbol("ystar", real=True)
    err = ystar - w[0] * xs[0] - w[1] * xs[1]
    assert same(synaptic["per-synapse learning rates"], sp.Matrix([rates[i] * err * xs[i] for i in range(2)]))


def test_simulation_signs():
    sim = synaptic_plasticity.simulate()
    n = len(synaptic_plasticity.SIMULATION["w0"])
    assert sim["constant"].shape == sim["multiplicative"].shape == (len(sim["t"]), n)
    assert sim["constant"][:, 2].min() < -0.1
    assert sim["multiplicative"].min() > 0
    # the weights the teacher drives up grow under both rules
    assert sim["constant"][-1, 0] > 2.0 and sim["multiplicative"][-1, 0] > 2.0
    # with a positive teacher (no inhibitory input), the constant-rate rule keeps every weight positive too
    pos = synaptic_plasticity.simulate({"teacher": (3.0, 1.0, 1.0)})
    assert pos["constant"].min() > 0


def test_synaptic_figure_builds(synaptic, tmp_path):
    from matplotlib.figure import Figure

    fig = synaptic_plasticity.figure(synaptic)
    assert isinstance(fig, Figure) and len(fig.axes) == 6
    fig.savefig(tmp_path / "f.png")
    assert "built by us" in synaptic_plasticity.notes(synaptic)
