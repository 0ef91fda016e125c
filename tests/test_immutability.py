"""Values do not change: every mutation of a chart, map, tensor, flow or family is refused.

Charts, maps, tensors, flows, probability families, Fisher expectations and numeric flows
are immutable once built: setting or deleting an attribute raises an ``AttributeError``
(``dataclasses.FrozenInstanceError``, as for the frozen dataclasses ``Model`` and the
reports), the mappings they hold are read-only views and their matrices are
``ImmutableMatrix`` objects (item assignment raises ``TypeError``).  A ``Manifold`` only
grows, through its methods.  After a refused mutation an object gives what it gave before.
"""

import dataclasses

import numpy as np
import pytest
import sympy as sp

import symgrad as sg

mu = sp.Symbol("mu", real=True)
sigma, s, eta, x = sp.symbols("sigma s eta x", positive=True)
xr = sp.Symbol("x", real=True)


@pytest.fixture
def normal():
    """The normal family in (mu, sigma) and (mu, s = sigma^2), a cost, metrics and a flow."""
    M = sg.Manifold("normal family")
    A, B = M.chart(mu, sigma, name="A"), M.chart(mu, s, name="B")
    T = M.transition(A, B, {mu: mu, s: sigma**2})
    cost = sg.Scalar(M, A, sp.log(sigma) + (1 + (mu - 2) ** 2) / (2 * sigma**2))
    F = sg.fisher_metric(sg.Normal(mean=mu, std=sigma), A)
    flow = sg.GradientFlow(cost, F, rate=eta)
    return M, A, B, T, cost, F, flow


def _refused(obj, name, value=0):
    """Setting and deleting attribute ``name`` of ``obj`` both raise AttributeError."""
    with pytest.raises(AttributeError, match="immutable"):
        setattr(obj, name, value)
    with pytest.raises(AttributeError, match="immutable"):
        delattr(obj, name)


def _attributes(obj):
    """Every attribute an object holds, public and private, and one it does not hold."""
    return sorted(vars(obj)) + ["a_new_attribute"]


# -- charts and manifolds --------------------------------------------------------------------


def test_chart_fields_and_domain_cannot_change(normal):
    M, A, *_ = normal
    with pytest.raises(TypeError):
        A.domain[sigma] = sp.Interval(-1, 1)
    with pytest.raises(TypeError):
        del A.domain[sigma]
    for name in ("coords", "name", "domain", "manifold"):
        _refused(A, name)
    for name in _attributes(A):
        _refused(A, name)
    assert isinstance(A.coords, tuple)
    assert A.domain[sigma] == sp.Interval.open(0, sp.oo)
    assert A.contains([0.0, 1.0]) and not A.contains([0.0, -1.0])


def test_a_manifold_only_grows_through_its_methods(normal):
    M, A, B, *_ = normal
    for name in _attributes(M):
        _refused(M, name, "other")
    assert M.name == "normal family"
    charts = M.charts
    assert isinstance(charts, tuple)
    with pytest.raises(TypeError):
        charts[0] = B
    with pytest.raises(AttributeError):
        charts.append(B)
    with pytest.raises(AttributeError):
        M.coordinates.add(x)
    assert M.charts == (A, B)
    tau = sp.Symbol("tau", positive=True)
    C = M.chart(mu, tau, name="C")  # it grows, through its methods only
    M.transition(A, C, {mu: mu, tau: 1 / sigma**2})
    assert M.charts == (A, B, C)
    assert M.transition_map(B, C).forward.T == sp.Matrix([[mu, 1 / s]])


def test_the_error_says_what_to_do(normal):
    M, A, _, T, cost, F, flow = normal
    with pytest.raises(dataclasses.FrozenInstanceError, match=r"make a new GradientFlow\(cost, metric, rate=\.\.\.\)"):
        flow.rate = 5
    with pytest.raises(AttributeError, match=r"Chart objects are immutable: cannot set 'name'; .*Manifold\.chart"):
        A.name = "other"
    with pytest.raises(AttributeError, match=r"only grows: add charts with M\.chart"):
        M.name = "other"
    with pytest.raises(AttributeError, match=r"cannot delete 'chart'; make a new Metric"):
        del F.chart
    with pytest.raises(AttributeError, match=r"Manifold\.transition"):
        T.inverse = T.forward


# -- maps and transitions --------------------------------------------------------------------


def test_maps_and_transitions_cannot_change(normal):
    M, A, B, T, *_ = normal
    u = sp.Symbol("u", real=True)
    U = sg.Manifold("line").chart(u)
    F = sg.Map(A, U, {u: mu + sigma})
    assert F.jacobian == sp.Matrix([[1, 1]])  # a cached result, now held by the map
    for name in ("forward", "source", "target", "jacobian"):
        _refused(F, name)
    T.inverse_jacobian  # noqa: B018 - cache a derived result
    for name in ("forward", "inverse", "source", "target", "verified", "inverse_jacobian"):
        _refused(T, name)
    for name in _attributes(T):
        _refused(T, name)
    with pytest.raises(TypeError):
        T.forward[1, 0] = sigma
    with pytest.raises(TypeError):
        T.jacobian[0, 0] = 2
    assert T.forward.T == sp.Matrix([[mu, sigma**2]]) and T.inverse.T == sp.Matrix([[mu, sp.sqrt(s)]])
    assert M.transition_map(A, B) is T


# -- tensors and flows -----------------------------------------------------------------------


@pytest.fixture
def fields(normal):
    M, A, B, T, cost, F, flow = normal
    return {
        "Scalar": cost,
        "Covector": sg.differential(cost),
        "Vector": sg.riemannian_gradient(cost, F),
        "Metric": F,
        "GradientFlow": flow,
    }


@pytest.mark.parametrize("kind", ["Scalar", "Covector", "Vector", "Metric", "GradientFlow"])
def test_no_attribute_of_a_tensor_is_set_or_deleted(fields, normal, kind):
    B = normal[2]
    field = fields[kind]
    before = field.components(B)  # a cached result
    for name in _attributes(field) + ["chart", "manifold", "components"]:
        _refused(field, name, B)
    assert field.chart is normal[1] and field.manifold is normal[0]
    assert field.components(B) == before
    assert field.components(B, "none") is not None  # the cache still grows


@pytest.mark.parametrize("kind", ["Covector", "Vector", "Metric", "GradientFlow"])
def test_component_matrices_are_immutable(fields, normal, kind):
    A, B = normal[1], normal[2]
    field = fields[kind]
    for chart in (A, B):
        comps = field.components(chart)
        assert isinstance(comps, sp.ImmutableMatrix)
        with pytest.raises(TypeError):
            comps[0, 0] = 1
        assert field.components(chart) == comps


def test_a_metric_keeps_its_chart_and_manifold(normal):
    M, A, B, T, cost, F, flow = normal
    G = F.components()
    with pytest.raises(AttributeError):
        F.chart = B
    with pytest.raises(AttributeError):
        F.manifold = sg.Manifold("other")
    with pytest.raises(AttributeError):
        F.checked = "symbolic"
    with pytest.raises(TypeError):
        F.components()[0, 0] = 1
    assert F.chart is A and F.components() == G == sp.diag(1 / sigma**2, 2 / sigma**2)


def test_a_flow_keeps_its_cost_metric_and_rate(normal):
    M, A, B, T, cost, F, flow = normal
    comps, in_B = flow.components(), flow.components(B)
    for name, value in (("rate", 5), ("cost", cost), ("metric", sg.euclidean(A))):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(flow, name, value)
    assert flow.rate == eta and flow.cost is cost and flow.metric is F
    assert flow.components() == comps and flow.components(B) == in_B
    # the numeric flow reads the rate the components were computed with
    num = flow.numeric(A)
    assert num.free_params == (eta,)
    np.testing.assert_allclose(num([[1.0, 1.0]], eta=2.0), [[2.0, 1.0]])
    faster = sg.GradientFlow(cost, F, rate=5)  # the way to another rate
    np.testing.assert_allclose(faster.numeric(A)([[1.0, 1.0]]), [[5.0, 2.5]])


# -- probability families ----------------------------------------------------------------------


def _families():
    p = sp.Symbol("p", positive=True)
    a, b = sp.symbols("a b", positive=True)
    return [
        sg.Normal(mean=mu, std=sigma),
        sg.Normal(mean=mu, variance=s),
        sg.Logistic(loc=mu, scale=sigma),
        sg.Exponential(rate=sigma),
        sg.Gamma(shape=a, rate=b),
        sg.MultivariateNormal(mean=[mu, 0], covariance=sp.diag(a, b)),
        sg.Bernoulli(p),
        sg.Binomial(5, p),
        sg.Poisson(rate=sigma),
        sg.Categorical(logits=[0, mu]),
        sg.Density(sigma * sp.exp(-sigma * x), x, support=(0, sp.oo)),
        sg.TransformedDensity(sg.Normal(mean=mu, std=sigma), xr, sp.exp(xr)),
    ]


@pytest.mark.parametrize("family", _families(), ids=lambda f: type(f).__name__)
def test_no_attribute_of_a_family_is_set_or_deleted(family):
    parameters, text = family.parameters, repr(family)
    for name in _attributes(family):
        _refused(family, name, sigma)
    assert family.parameters == parameters and repr(family) == text


def test_family_parameters_and_expressions_cannot_change():
    n = sg.Normal(mean=mu, std=sigma)
    with pytest.raises(AttributeError, match=r"Normal objects are immutable: cannot set 'mean'; make a new Normal"):
        n.mean = 0
    d = sg.Density(sigma * sp.exp(-sigma * x), x, support=(0, sp.oo))
    with pytest.raises(AttributeError):
        d.expr = sp.exp(-x)
    with pytest.raises(AttributeError):
        d.support = sp.Interval(0, 1)
    t = sg.TransformedDensity(n, xr, sp.exp(xr))
    assert t.support == sp.Interval.open(0, sp.oo)  # a cached property, computed once
    for name in ("map", "base", "variable", "support", "inverse"):
        with pytest.raises(AttributeError):
            setattr(t, name, xr)
    mvn = sg.MultivariateNormal(mean=[mu, 0], covariance=sp.diag(sigma, s))
    with pytest.raises(TypeError):
        mvn.matrix[0, 1] = 1
    with pytest.raises(TypeError):
        mvn.mean[0] = 1
    assert n == sg.Normal(mean=mu, std=sigma) and t.map == sp.exp(xr)


class _Rayleigh(sg.Family):
    """A user's family, written as the documentation says: ``__init__`` sets the parameter."""

    _names = ("scale",)

    def __init__(self, scale):
        self.scale = sp.sympify(scale)

    @property
    def support(self):
        return sp.Interval.open(0, sp.oo)

    def log_pdf(self, x):
        return sp.log(x) - 2 * sp.log(self.scale) - x**2 / (2 * self.scale**2)

    def fisher_matrix(self):
        return sp.Matrix([[4 / self.scale**2]])


class _ShiftedRayleigh(_Rayleigh):
    """A subclass of a user's family that sets more attributes after its parent's ``__init__``."""

    _names = ("scale", "shift")

    def __init__(self, scale, shift):
        super().__init__(scale)
        self.shift = sp.sympify(shift)


def test_user_families_are_immutable_once_built():
    r = _Rayleigh(sigma)
    assert r.parameters == (sigma,)
    with pytest.raises(
        AttributeError, match=r"_Rayleigh objects are immutable: cannot set 'scale'; make a new _Rayleigh"
    ):
        r.scale = s
    shifted = _ShiftedRayleigh(sigma, 1)  # nested constructors may all assign
    assert shifted.parameters == (sigma, 1)
    with pytest.raises(AttributeError):
        shifted.shift = 2
    with pytest.raises(AttributeError):
        del shifted.scale
    A = sg.Manifold("rayleigh").chart(sigma)
    assert sg.fisher_metric(r, A).components() == sp.Matrix([[4 / sigma**2]])


def test_a_fisher_expectation_cannot_change():
    theta = sp.Symbol("theta", positive=True)
    C = sg.Manifold("line").chart(theta)
    mix = sg.Density(
        (sp.exp(-((xr - theta) ** 2) / 2) + sp.exp(-((xr + theta) ** 2) / 2)) / (2 * sp.sqrt(2 * sp.pi)), xr
    )
    F = sg.fisher_metric(mix, C, method="expectation")
    before = F.evaluate([1.0])
    for name in ("family", "chart", "variable", "support", "integrands", "discrete", "integrals"):
        _refused(F, name)
    for name in _attributes(F):
        _refused(F, name)
    with pytest.raises(TypeError):
        F.integrands[0, 0] = 1
    with pytest.raises(AttributeError, match="fisher_metric"):
        F.chart = C
    np.testing.assert_allclose(F.evaluate([1.0]), before)


# -- numeric flows -----------------------------------------------------------------------------


def test_a_numeric_flow_cannot_change(normal):
    M, A, B, T, cost, F, flow = normal
    num = flow.numeric(B, params={eta: 1})
    before = num([[1.0, 2.0]])
    with pytest.raises(AttributeError):
        num.chart = A
    with pytest.raises(TypeError):
        num.params[eta] = 2
    for name in ("flow", "coords", "dim", "params", "free_params", "check"):
        with pytest.raises(AttributeError):
            setattr(num, name, None)
    np.testing.assert_allclose(num([[1.0, 2.0]]), before)
    assert dict(num.params) == {eta: 1}


# -- metrics built whole, with their pullback factors --------------------------------------------


def _pullback():
    a, b = sp.symbols("a b", real=True)
    U = sg.Manifold("outputs").chart(a, b)
    A = sg.Manifold("params").chart(mu, sigma)
    G0 = sg.Metric(U.manifold, U, sp.Matrix([[2, 1], [1, 1 + a**2]]))
    return A, U, G0, sg.Map(A, U, {a: mu + sigma, b: mu * sigma})


def test_a_pullback_is_built_with_its_factors():
    A, U, G0, F = _pullback()
    G = sg.pullback(G0, F)
    J, G0_pulled = G.pullback_factors()
    assert J == F.jacobian and G0_pulled == F.pull(G0.components(U))
    assert isinstance(J, sp.ImmutableMatrix) and isinstance(G0_pulled, sp.ImmutableMatrix)
    with pytest.raises(AttributeError):
        G._pullback_factors = None
    # the same metric from its factors alone, or from its matrix and its factors (checked)
    same = sg.Metric(A.manifold, A, pullback_factors=(J, G0_pulled))
    assert same.components() == G.components() and same.pullback_factors() == (J, G0_pulled)
    both = sg.Metric(A.manifold, A, G.components(), pullback_factors=(J, G0_pulled))
    assert both.pullback_factors() == (J, G0_pulled)
    assert sg.Metric(A.manifold, A, G.components()).pullback_factors() is None


def test_wrong_pullback_factors_are_refused():
    A, U, G0, F = _pullback()
    G = sg.pullback(G0, F)
    J, G0_pulled = G.pullback_factors()
    with pytest.raises(sg.MetricError, match="do not give its matrix"):
        sg.Metric(A.manifold, A, G.components(), pullback_factors=(J, 2 * G0_pulled))
    with pytest.raises(sg.DimensionError, match=r"J of shape \(k, 2\)"):
        sg.Metric(A.manifold, A, pullback_factors=(J[:, :1], G0_pulled))
    with pytest.raises(sg.ArgumentTypeError, match="needs its matrix"):
        sg.Metric(A.manifold, A)
    with pytest.raises(sg.ArgumentTypeError, match="a pair"):
        sg.Metric(A.manifold, A, pullback_factors=J)


def test_a_pullback_through_an_embedding_gives_a_gradient():
    u, v = sp.symbols("u v", real=True)
    X = sg.Manifold("curve").chart(x)
    P = sg.Manifold("plane").chart(u, v)
    G = sg.pullback(sg.euclidean(P), sg.Map(X, P, {u: x, v: x**2}))
    J, _ = G.pullback_factors()
    assert J.shape == (2, 1) and G.components() == sp.Matrix([[4 * x**2 + 1]])
    grad = sg.riemannian_gradient(sg.Scalar(X.manifold, X, x**2), G).components()
    assert sp.simplify(grad[0] - 2 * x / (4 * x**2 + 1)) == 0


def test_a_hamiltonian_flow_and_its_solutions_cannot_change():
    g = sg.catalog.gaussian_kl()
    ham = sg.hamiltonian_flow(g.cost, g.fisher, friction=1)
    rhs = ham.rhs
    for name, value in [("friction", 2), ("rhs", None), ("chart", g.variance), ("momenta", ())]:
        with pytest.raises(AttributeError, match="immutable"):
            setattr(ham, name, value)
    with pytest.raises(AttributeError):
        del ham.hamiltonian
    assert ham.rhs == rhs
    sol = ham.integrate([1.0, 1.0], [0.0, 0.0], (0, 0.5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        sol.t = np.zeros(1)
    geo = sg.geodesic(g.fisher, g.std, [0.0, 1.0], [1.0, 0.0], (0, 0.1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        geo.chart = g.variance
