"""The paper's examples, derived by ``derivations/``, against the closed forms of the paper."""

import importlib

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.paper import (
    MODULES,
    binomial_synapse,
    gaussian_kl,
    intrinsic_plasticity,
    main,
    one_dimensional,
    synaptic_plasticity,
    wicked_map,
)


def same(a, b):
    """Symbolic equality of expressions or matrices (cancel, then simplify if needed)."""
    diff = sp.Matrix(a) - sp.Matrix(b) if isinstance(a, sp.MatrixBase) else sp.Matrix([a - b])
    return all(sp.cancel(e) == 0 or sp.simplify(e) == 0 for e in diff)


eta = sp.Symbol("eta", positive=True)


# -- the one-dimensional example --------------------------------------------------------------


def test_one_dimensional_closed_forms():
    r = one_dimensional.derive()
    x, xt, t = sp.Symbol("x", positive=True), sp.Symbol("xt", positive=True), sp.Symbol("t", nonnegative=True)
    assert same(r["naive flow in x"], -2 * eta * (x - 1))
    assert same(r["naive flow in sqrt chart"], -4 * eta * xt * (xt**2 - 1))
    assert same(r["naive x flow seen in sqrt chart"], eta * (1 / xt - xt))
    assert same(r["naive sqrt flow seen in x"], -8 * eta * x * (x - 1))
    # the two naive flows are different vector fields
    assert not same(r["naive x flow seen in sqrt chart"], r["naive flow in sqrt chart"])
    assert same(r["x(t), naive in x, x(0) = 2"], 1 + sp.exp(-2 * eta * t))
    xt_t = r["xt(t), naive in sqrt chart, xt(0) = sqrt(2)"]
    expected = 1 / sp.sqrt(1 - sp.exp(-8 * eta * t) / 2)
    f = sp.lambdify([eta, t], [xt_t, expected])
    for e_, t_ in [(0.3, 0.0), (1.0, 0.7), (2.0, 3.0)]:
        got, want = f(e_, t_)
        assert np.isclose(got, want, rtol=1e-12)
    assert same(sp.diff(expected, t), (-4 * eta * xt * (xt**2 - 1)).subs(xt, expected))


# -- the wicked map ---------------------------------------------------------------------------------


def test_wicked_map_steepest_descent_differs_from_the_map_gradient():
    r = wicked_map.derive(shear=2)
    u, v, x, y = sp.symbols("u v x y", real=True)
    assert r["terrain metric on the map"] == sp.Matrix([[1, -2], [-2, 5]])
    assert same(r["steepest descent, terrain"], sp.Matrix([-x, -y]))
    assert same(r["steepest descent, on the map"], sp.Matrix([-u, -v]))
    assert same(r["naive map gradient flow, on the map"], sp.Matrix([-(u - 2 * v), 2 * (u - 2 * v) - v]))
    assert not same(r["naive map gradient flow, on the map"], r["steepest descent, on the map"])


# -- the Gaussian KL example ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kl_symbolic():
    mu0 = sp.Symbol("mu0", real=True)
    sigma0 = sp.Symbol("sigma0", positive=True)
    return mu0, sigma0, gaussian_kl.derive(mu0, sigma0)


def test_gaussian_fisher_metric_in_three_charts(kl_symbolic):
    _, _, r = kl_symbolic
    sigma, s, tau = sp.symbols("sigma s tau", positive=True)
    assert same(r["Fisher metric in (mu, sigma)"], sp.diag(1 / sigma**2, 2 / sigma**2))
    assert same(r["Fisher metric in (mu, s)"], sp.diag(1 / s, 1 / (2 * s**2)))
    assert same(r["Fisher metric in (mu, tau)"], sp.diag(tau, 1 / (2 * tau**2)))


def test_gaussian_fisher_flow_is_the_papers(kl_symbolic):
    mu0, sigma0, r = kl_symbolic
    mu = sp.Symbol("mu", real=True)
    sigma, s, tau = sp.symbols("sigma s tau", positive=True)
    flow = r["Fisher flow computed in (mu, sigma)"]
    assert same(flow[0], -eta * (mu - mu0))
    assert same(flow[1], -eta * (sigma**2 - (mu - mu0) ** 2 - sigma0**2) / (2 * sigma))
    assert same(
        r["Fisher flow computed in (mu, s)"], sp.Matrix([-eta * (mu - mu0), -eta * (s - (mu - mu0) ** 2 - sigma0**2)])
    )
    assert same(
        r["Fisher flow computed in (mu, tau)"],
        sp.Matrix([-eta * (mu - mu0), eta * tau * (1 - tau * ((mu - mu0) ** 2 + sigma0**2))]),
    )


def test_gaussian_fisher_flows_are_one_vector_field_naive_flows_are_three(kl_symbolic):
    mu0, sigma0, r = kl_symbolic
    g = sg.catalog.gaussian_kl(mu0, sigma0)
    charts = {"(mu, sigma)": g.std, "(mu, s)": g.variance, "(mu, tau)": g.precision}
    fisher = [sg.Vector(g.manifold, c, r[f"Fisher flow computed in {k}"]).components(g.std) for k, c in charts.items()]
    naive = [sg.Vector(g.manifold, c, r[f"naive flow in {k}"]).components(g.std) for k, c in charts.items()]
    assert same(fisher[0], fisher[1]) and same(fisher[0], fisher[2])
    assert not same(naive[0], naive[1]) and not same(naive[0], naive[2]) and not same(naive[1], naive[2])


def test_gaussian_naive_flows(kl_symbolic):
    mu0, sigma0, r = kl_symbolic
    mu = sp.Symbol("mu", real=True)
    sigma, s, tau = sp.symbols("sigma s tau", positive=True)
    assert same(
        r["naive flow in (mu, sigma)"],
        sp.Matrix([-eta * (mu - mu0) / sigma**2, -eta * (1 / sigma - (sigma0**2 + (mu - mu0) ** 2) / sigma**3)]),
    )
    assert same(
        r["naive flow in (mu, s)"],
        sp.Matrix([-eta * (mu - mu0) / s, -eta * (1 / (2 * s) - (sigma0**2 + (mu - mu0) ** 2) / (2 * s**2))]),
    )
    assert same(
        r["naive flow in (mu, tau)"],
        sp.Matrix([-eta * tau * (mu - mu0), -eta * (-1 / (2 * tau) + (sigma0**2 + (mu - mu0) ** 2) / 2)]),
    )


def test_gaussian_wasserstein_flow_is_the_naive_flow_of_mean_and_std(kl_symbolic):
    _, _, r = kl_symbolic
    assert same(r["Wasserstein flow in (mu, sigma)"], r["naive flow in (mu, sigma)"])


# -- intrinsic plasticity ----------------------------------------------------------------------------


def test_triesch_rule_is_the_stochastic_euclidean_gradient():
    r = intrinsic_plasticity.derive()
    assert same(r["Euclidean per-sample rule (a, b)"], r["Triesch rule (a, b)"])


def test_intrinsic_plasticity_fisher_metrics():
    r = intrinsic_plasticity.derive()
    a, s = sp.symbols("a s", positive=True)
    m = sp.Symbol("m", real=True)
    gauss = sp.Matrix([[m**2 + 2 * s**2, m], [m, 1]]) / (a**2 * s**2)
    logistic = sp.Matrix([[3 * m**2 + (3 + sp.pi**2) * s**2, 3 * m], [3 * m, 3]]) / (9 * a**2 * s**2)
    assert same(r["Fisher metric, Gaussian input"], gauss)
    assert same(r["Fisher metric, logistic input"], logistic)
    # the natural-gradient rule solves F v = -eta * dc
    ip = sg.catalog.intrinsic_plasticity()
    dc = sg.differential(ip.sample_cost).components()
    assert same(gauss * r["natural-gradient per-sample rule, Gaussian input"], -eta * dc)


# -- the binomial synapse -------------------------------------------------------------------------


def test_binomial_synapse_fisher_metric():
    r = binomial_synapse.derive()
    q, P = sp.symbols("q P", positive=True)
    N = sp.Symbol("N", integer=True, positive=True)
    expected = sp.Matrix(
        [
            [(N * P + 2 * (1 - P)) / ((1 - P) * q**2), N / ((1 - P) * q) + (1 - 2 * P) / (P * (1 - P) * q)],
            [
                N / ((1 - P) * q) + (1 - 2 * P) / (P * (1 - P) * q),
                N / (P * (1 - P)) + (1 - 2 * P) ** 2 / (2 * P**2 * (1 - P) ** 2),
            ],
        ]
    )
    assert same(r["Fisher metric of the response"], expected)


def test_binomial_synapse_flows_differ_and_descend():
    r = binomial_synapse.derive()
    syn = sg.catalog.binomial_synapse()
    dC = sg.differential(syn.cost).components()
    assert same(r["Euclidean flow"], -eta * dC)
    assert same(syn.fisher.components() * r["Fisher flow"], -eta * dC)
    assert not same(r["Euclidean flow"], r["Fisher flow"])
    # every flow decreases the cost: dC(v) < 0 at random points of the domain
    pts = syn.chart.random_points(8, seed=3)
    values = {syn.N: 10, syn.phi: 1.3, syn.epsilon: 0.1, eta: 1.0}
    for name in ("Euclidean flow", "Fisher flow", "metabolic flow"):
        rate = sp.lambdify([syn.q, syn.P], (dC.T * r[name])[0, 0].subs(values))
        assert all(rate(*p) < 0 for p in pts), name


# -- synaptic plasticity ------------------------------------------------------------------------------


def test_per_synapse_rates_and_crosstalk():
    r = synaptic_plasticity.derive(3)
    w = sp.symbols("w1:4", real=True)
    x = sp.symbols("x1:4", real=True)
    rates = sp.symbols("eta1:4", positive=True)
    ystar = sp.Symbol("ystar", real=True)
    kappa = sp.Symbol("kappa", positive=True)
    err = ystar - sum(wi * xi for wi, xi in zip(w, x))
    assert same(r["per-synapse learning rates"], sp.Matrix([rates[i] * err * x[i] for i in range(3)]))
    assert same(r["cross-talk rule"], sp.Matrix([err * (x[i] + kappa * sum(x)) for i in range(3)]))
    assert same(r["Euclidean (one learning rate)"], sp.Matrix([err * x[i] for i in range(3)]))


# -- every derivation runs as a script and writes its LaTeX ------------------------------------------


@pytest.mark.parametrize("name", MODULES)
def test_derivation_writes_latex(name, tmp_path, capsys):
    module = importlib.import_module(f"symgrad.paper.{name}")
    results = main(name, name, module.derive, ["--out", str(tmp_path)])
    tex = (tmp_path / f"{name}.tex").read_text()
    assert r"\begin{align*}" in tex and tex.count(r"\text{") == len(results)
    assert "wrote" in capsys.readouterr().out
