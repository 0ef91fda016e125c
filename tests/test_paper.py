"""The paper's examples, asserted in closed form.

Surace, Pfister, Gerstner, Brea (2020), *On the choice of metric in gradient-based
theories of brain function*: a one-dimensional example (a cost under the chart change
``xt = sqrt(x)``) and the Gaussian example (the KL divergence to a target normal
distribution in three parametrisations, with the naive and the Fisher metric).
All expected values below are derived by hand, not by symgrad.
"""

import pytest
import sympy as sp

import symgrad as sg

ETA = sp.Symbol("eta", positive=True)


def same(a, b):
    """Exact equality of two expressions or matrices (entrywise ``simplify(a - b) == 0``)."""
    a, b = sp.Matrix(a), sp.Matrix(b)
    assert a.shape == b.shape
    return all(sp.cancel(x - y) == 0 or sp.simplify(x - y) == 0 for x, y in zip(a, b))


# -- the one-dimensional example ------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_d():
    return sg.catalog.one_dimensional()


def test_one_dimensional_charts(one_d):
    x, xt = one_d.x, one_d.xt
    assert one_d.X.coords == (x,) and one_d.Xt.coords == (xt,)
    assert one_d.cost.components(one_d.X) == (x - 1) ** 2
    assert sp.expand(one_d.cost.components(one_d.Xt) - (xt**2 - 1) ** 2) == 0
    T = one_d.manifold.transition_map(one_d.X, one_d.Xt)
    assert T.forward[0] == sp.sqrt(x) and T.inverse[0] == xt**2


def test_naive_flow_in_x(one_d):
    x, eta, t = one_d.x, one_d.eta, one_d.t
    flow = sg.GradientFlow(one_d.cost, sg.euclidean(one_d.X), rate=eta)
    rhs = flow.components(one_d.X)[0]
    assert sp.expand(rhs - (-2 * eta * (x - 1))) == 0
    # x(t) = 1 + exp(-2 eta t) from x(0) = 2 solves dx/dt = rhs
    sol = 1 + sp.exp(-2 * eta * t)
    assert sol.subs(t, 0) == 2
    assert sp.simplify(sp.diff(sol, t) - rhs.subs(x, sol)) == 0


def test_naive_flow_in_x_dsolve(one_d):
    eta = one_d.eta
    t = sp.Symbol("t", real=True)
    (eq,) = sg.GradientFlow(one_d.cost, sg.euclidean(one_d.X), rate=eta).equations(one_d.X, t=t)
    sol = sp.dsolve(eq, ics={eq.lhs.expr.subs(t, 0): 2})
    assert sp.simplify(sol.rhs - (1 + sp.exp(-2 * eta * t))) == 0


def test_naive_flow_in_sqrt_chart(one_d):
    xt, eta, t = one_d.xt, one_d.eta, one_d.t
    flow = sg.GradientFlow(one_d.cost, sg.euclidean(one_d.Xt), rate=eta)
    rhs = flow.components(one_d.Xt)[0]
    assert sp.expand(rhs - (-4 * eta * xt * (xt**2 - 1))) == 0
    # xt(t) = 1 / sqrt(1 - exp(-8 eta t) / 2) from xt(0) = sqrt(2) solves it
    sol = 1 / sp.sqrt(1 - sp.exp(-8 * eta * t) / 2)
    assert sp.simplify(sol.subs(t, 0) - sp.sqrt(2)) == 0
    assert sp.simplify(sp.diff(sol, t) - rhs.subs(xt, sol)) == 0


def test_naive_x_flow_seen_in_sqrt_chart(one_d):
    xt, eta = one_d.xt, one_d.eta
    naive_x = sg.GradientFlow(one_d.cost, sg.euclidean(one_d.X), rate=eta)
    pushed = naive_x.components(one_d.Xt)[0]
    assert sp.cancel(pushed - eta * (1 / xt - xt)) == 0
    # ... which is not the naive flow of the sqrt chart: the naive rule depends on the chart
    naive_xt = sg.GradientFlow(one_d.cost, sg.euclidean(one_d.Xt), rate=eta).components(one_d.Xt)[0]
    assert sp.cancel(pushed - naive_xt) != 0
    # the x-flow pushed to xt, integrated, is the x-solution seen through sqrt
    t = one_d.t
    sol = sp.sqrt(1 + sp.exp(-2 * eta * t))
    assert sp.simplify(sp.diff(sol, t) - pushed.subs(xt, sol)) == 0


def test_one_dimensional_equations_and_latex(one_d):
    t = sp.Symbol("t", real=True)
    flow = sg.GradientFlow(one_d.cost, sg.euclidean(one_d.X), rate=one_d.eta)
    (eq,) = flow.equations(one_d.Xt, t=t)
    assert isinstance(eq, sp.Eq)
    assert isinstance(eq.lhs, sp.Derivative) and eq.lhs.variables == (t,)
    xt_t = eq.lhs.expr
    assert xt_t.func.__name__ == "xt" and xt_t.args == (t,)
    assert sp.cancel(eq.rhs.subs(xt_t, one_d.xt) - one_d.eta * (1 / one_d.xt - one_d.xt)) == 0
    tex = flow.latex(one_d.Xt)
    assert r"\frac{d xt}{d t}" in tex and r"\eta" in tex


# -- the Gaussian example ---------------------------------------------------------------------------

MU0_S, SIGMA0_S = sp.Symbol("mu0", real=True), sp.Symbol("sigma0", positive=True)


@pytest.fixture(scope="module", params=["numeric target", "symbolic target"])
def kl(request):
    if request.param == "numeric target":
        return sg.catalog.gaussian_kl()
    return sg.catalog.gaussian_kl(MU0_S, SIGMA0_S)


def _targets(g):
    return g.mu0, g.sigma0


def test_kl_cost(kl):
    mu, sigma = kl.mu, kl.sigma
    mu0, sigma0 = _targets(kl)
    if kl.mu0 == 4:
        assert (mu0, sigma0) == (4, 2)
    C = sp.log(sigma / sigma0) + (sigma0**2 + (mu - mu0) ** 2) / (2 * sigma**2) - sp.Rational(1, 2)
    assert same([kl.cost.components(kl.std)], [C])
    # zero at the target
    assert sp.simplify(kl.cost.components(kl.std).subs({mu: mu0, sigma: sigma0})) == 0
    # in the other charts, by substitution
    s, tau = kl.s, kl.tau
    assert same([kl.cost.components(kl.variance)], [C.subs(sigma, sp.sqrt(s))])
    assert same([kl.cost.components(kl.precision)], [C.subs(sigma, 1 / sp.sqrt(tau))])


def _naive_by_hand(g):
    """The naive flows -eta dC/d(coords) in each chart, derived by hand."""
    mu, sigma, s, tau = g.mu, g.sigma, g.s, g.tau
    mu0, sigma0 = _targets(g)
    D = sigma0**2 + (mu - mu0) ** 2
    return {
        "std": [-ETA * (mu - mu0) / sigma**2, -ETA * (1 / sigma - D / sigma**3)],
        "variance": [-ETA * (mu - mu0) / s, -ETA * (1 / (2 * s) - D / (2 * s**2))],
        "precision": [-ETA * tau * (mu - mu0), -ETA * (-1 / (2 * tau) + D / 2)],
    }


def _fisher_by_hand(g):
    """The Fisher flows -eta F^{-1} dC in each chart, derived by hand."""
    mu, sigma, s, tau = g.mu, g.sigma, g.s, g.tau
    mu0, sigma0 = _targets(g)
    D = sigma0**2 + (mu - mu0) ** 2
    return {
        "std": [-ETA * (mu - mu0), -ETA * (sigma**2 - (mu - mu0) ** 2 - sigma0**2) / (2 * sigma)],
        "variance": [-ETA * (mu - mu0), -ETA * (s - (mu - mu0) ** 2 - sigma0**2)],
        "precision": [-ETA * (mu - mu0), ETA * tau * (1 - tau * D)],
    }


CHARTS = ["std", "variance", "precision"]


@pytest.mark.parametrize("name", CHARTS)
def test_naive_flows_in_closed_form(kl, name):
    chart = getattr(kl, name)
    flow = sg.GradientFlow(kl.cost, sg.euclidean(chart), rate=ETA)
    assert flow.chart is chart
    assert same(flow.components(chart), _naive_by_hand(kl)[name])


def test_naive_flows_are_three_different_vector_fields(kl):
    flows = {name: sg.GradientFlow(kl.cost, sg.euclidean(getattr(kl, name)), rate=ETA) for name in CHARTS}
    for common in (kl.std, kl.precision):
        seen = {name: sp.Matrix(f.components(common)) for name, f in flows.items()}
        for a in CHARTS:
            for b in CHARTS:
                if a < b:
                    assert not same(seen[a], seen[b]), f"naive flows of {a} and {b} agree in {common.name}"
    # e.g. the naive std flow seen in the variance chart: ds/dt = 2 sigma dsigma/dt
    mu, s = kl.mu, kl.s
    mu0, sigma0 = _targets(kl)
    D = sigma0**2 + (mu - mu0) ** 2
    expected = [-ETA * (mu - mu0) / s, -2 * ETA * (1 - D / s)]
    assert same(flows["std"].components(kl.variance), expected)


def test_fisher_metric_in_three_charts(kl):
    sigma, s, tau = kl.sigma, kl.s, kl.tau
    F = kl.fisher
    assert F.chart is kl.std
    assert same(F.components(kl.std), sp.diag(1 / sigma**2, 2 / sigma**2))
    assert same(F.components(kl.variance), sp.diag(1 / s, 1 / (2 * s**2)))
    assert same(F.components(kl.precision), sp.diag(tau, 1 / (2 * tau**2)))
    # and the family's own closed forms agree with the transformed metric
    mu = kl.mu
    assert same(sg.fisher_metric(sg.Normal(mean=mu, variance=s), kl.variance).components(), F.components(kl.variance))
    assert same(
        sg.fisher_metric(sg.Normal(mean=mu, precision=tau), kl.precision).components(), F.components(kl.precision)
    )


@pytest.mark.parametrize("name", CHARTS)
def test_fisher_flows_in_closed_form(kl, name):
    chart = getattr(kl, name)
    flow = sg.GradientFlow(kl.cost, kl.fisher, rate=ETA, chart=chart)
    assert flow.chart is chart
    assert same(flow.components(chart), _fisher_by_hand(kl)[name])
    grad = sg.riemannian_gradient(kl.cost, kl.fisher, chart=chart)
    assert same(flow.components(chart), -ETA * sp.Matrix(grad.components(chart)))


def test_fisher_flows_are_one_vector_field(kl):
    flows = {name: sg.GradientFlow(kl.cost, kl.fisher, rate=ETA, chart=getattr(kl, name)) for name in CHARTS}
    for common_name in CHARTS:
        common = getattr(kl, common_name)
        expected = _fisher_by_hand(kl)[common_name]
        for name, flow in flows.items():
            assert same(flow.components(common), expected), f"Fisher flow computed in {name}, seen in {common_name}"


def test_fisher_flow_converges_to_the_target(kl):
    mu0, sigma0 = _targets(kl)
    flow = sg.GradientFlow(kl.cost, kl.fisher, rate=ETA)
    at_target = sp.Matrix(flow.components(kl.std)).subs({kl.mu: mu0, kl.sigma: sigma0})
    assert at_target.applyfunc(sp.simplify) == sp.zeros(2, 1)
    # in the variance chart the flow is linear: s relaxes to sigma0^2 + (mu - mu0)^2
    ds = flow.components(kl.variance)[1]
    assert sp.simplify(sp.diff(ds, kl.s) + ETA) == 0


def test_gaussian_equations_and_latex(kl):
    t = sp.Symbol("t", real=True)
    flow = sg.GradientFlow(kl.cost, kl.fisher, rate=ETA)
    eqs = flow.equations(kl.precision, t=t)
    assert len(eqs) == 2
    for eq, c in zip(eqs, kl.precision.coords):
        assert isinstance(eq, sp.Eq) and isinstance(eq.lhs, sp.Derivative)
        assert eq.lhs.variables == (t,) and eq.lhs.expr.func.__name__ == c.name
    funcs = {eq.lhs.expr: c for eq, c in zip(eqs, kl.precision.coords)}
    rhs = [eq.rhs.xreplace(funcs) for eq in eqs]
    assert same(rhs, _fisher_by_hand(kl)["precision"])
    # the right-hand sides are written in the functions of t, not the bare symbols
    assert all(not (eq.rhs.free_symbols & set(kl.precision.coords)) for eq in eqs)
    tex = flow.latex(kl.precision)
    assert r"\frac{d \mu}{d t}" in tex and r"\frac{d \tau}{d t}" in tex
    assert r"\begin{aligned}" in tex and r"\\" in tex
