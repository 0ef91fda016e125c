"""Bad input gets a clear error that names the problem and the object.

One test per error: each asserts the exception class (a subclass of ``sg.SymgradError``)
and that the message names the offending chart, coordinate, entry or value.
"""

import re

import pytest
import sympy as sp

import symgrad as sg

x, y, u, v = sp.symbols("x y u v", real=True)
p, q = sp.symbols("p q", positive=True)
eta, mu0 = sp.symbols("eta mu0", positive=True)


@pytest.fixture
def plane():
    M = sg.Manifold("plane")
    A = M.chart(x, y, name="Alpha")
    B = M.chart(u, v, name="Beta")
    return M, A, B


@pytest.fixture
def joined(plane):
    M, A, B = plane
    M.transition(A, B, {u: x + y, v: x - y}, inverse={x: (u + v) / 2, y: (u - v) / 2})
    return M, A, B


def raises(cls, *fragments):
    """``pytest.raises`` for a SymgradError subclass whose message contains every fragment."""
    assert issubclass(cls, sg.SymgradError)
    return _Raises(cls, fragments)


class _Raises:
    def __init__(self, cls, fragments):
        self.cls, self.fragments = cls, fragments

    def __enter__(self):
        self.ctx = pytest.raises(self.cls)
        self.info = self.ctx.__enter__()
        return self.info

    def __exit__(self, *exc):
        handled = self.ctx.__exit__(*exc)
        if not handled:
            return False  # another exception: let it propagate
        msg = str(self.info.value)
        for f in self.fragments:
            assert f in msg, f"{f!r} not in the message {msg!r}"
        assert type(self.info.value) is self.cls, f"raised {type(self.info.value).__name__}, not {self.cls.__name__}"
        return handled


def test_error_hierarchy():
    for name in sg.errors.__all__:
        cls = getattr(sg, name)
        assert issubclass(cls, sg.SymgradError) or (cls is sg.SymgradWarning and issubclass(cls, UserWarning))
    assert issubclass(sg.NotSymmetricError, sg.MetricError)
    assert issubclass(sg.NotPositiveDefiniteError, sg.MetricError)
    assert issubclass(sg.SingularTransitionError, sg.TransitionError)
    assert issubclass(sg.InverseError, sg.TransitionError)
    assert issubclass(sg.ExpressionError, TypeError)
    assert issubclass(sg.DimensionError, ValueError)
    assert issubclass(sg.NoPathError, LookupError)
    for cls in (sg.ExpressionError, sg.NotAFamilyError, sg.NotAFlowError, sg.NotAChartError, sg.NotAMetricError):
        assert issubclass(cls, sg.ArgumentTypeError) and issubclass(cls, TypeError)


def test_arguments_of_the_wrong_kind_are_symgrad_errors(plane):
    M, A, B = plane
    cost = sg.Scalar(M, A, x**2 + y**2)
    G = sg.euclidean(A)
    calls = {
        "euclidean": lambda: sg.euclidean(G),
        "differential": lambda: sg.differential(G),
        "gradient of a chart": lambda: sg.riemannian_gradient(cost, A),
        "flow of an expression": lambda: sg.GradientFlow(x**2, G),
        "scalar on a chart": lambda: sg.Scalar(A, A, x),
        "check_invariance": lambda: sg.check_invariance(cost, A),
        "fit_metric": lambda: sg.fit_metric(x**2, [[1.0, 1.0]], [[1.0, 1.0]]),
    }
    for name, call in calls.items():
        with pytest.raises(sg.ArgumentTypeError) as info:
            call()
        assert isinstance(info.value, TypeError), name


# -- metrics ------------------------------------------------------------------------------------


def test_non_symmetric_metric(plane):
    M, A, _ = plane
    with raises(sg.NotSymmetricError, "'Alpha'", "symmetric", "(0, 1)", "x"):
        sg.Metric(M, A, sp.Matrix([[1, x], [0, 1]]))


def test_non_symmetric_metric_decided_symbolically(plane):
    M, A, _ = plane
    # equal entries written differently are symmetric ...
    G = sg.Metric(M, A, sp.Matrix([[2, (x + 1) ** 2], [x**2 + 2 * x + 1, 2 + x**4 + 2 * x**2]]), check=False)
    assert G.checked == "skipped"
    # ... entries that differ are not, even with the check of definiteness skipped
    with raises(sg.NotSymmetricError, "'Alpha'"):
        sg.Metric(M, A, sp.Matrix([[2, (x + 1) ** 2], [x**2 + 1, 2]]), check=False)


def test_indefinite_constant_metric(plane):
    M, A, _ = plane
    with raises(sg.NotPositiveDefiniteError, "'Alpha'", "positive definite", "-3") as info:
        sg.Metric(M, A, sp.Matrix([[1, 2], [2, 1]]))
    assert "minor" in str(info.value)  # decided symbolically, by a leading minor


def test_negative_constant_metric_1d():
    M = sg.Manifold("line")
    X = M.chart(x, name="X")
    with raises(sg.NotPositiveDefiniteError, "'X'"):
        sg.Metric(M, X, sp.Matrix([[-1]]))
    with raises(sg.NotPositiveDefiniteError, "'X'"):
        sg.constant(X, sp.Matrix([[0]]))


def test_indefinite_position_dependent_metric(plane):
    M, A, _ = plane
    # positive definite only where |x| < 1: found at random points of the domain
    with raises(sg.NotPositiveDefiniteError, "'Alpha'", "eigenvalue", "x=") as info:
        sg.Metric(M, A, sp.Matrix([[1, x], [x, 1]]))
    # the message gives a point where it fails; check it really does fail there
    at = float(re.search(r"x=(-?[0-9.e+-]+)", str(info.value)).group(1))
    assert abs(at) > 1


def test_indefinite_diagonal_metric_on_a_real_coordinate(plane):
    M, A, _ = plane
    with raises(sg.NotPositiveDefiniteError, "'Alpha'"):
        sg.diagonal(A, [1, y])


def test_positive_metric_on_positive_coordinates_is_accepted():
    M = sg.Manifold("quadrant")
    A = M.chart(p, q, name="Q")
    G = sg.diagonal(A, [p, 1 / q])
    assert G.checked == "symbolic"  # decided with the assumptions, no sampling
    assert sg.Metric(M, A, sp.Matrix([[1 + p**2, p], [p, 1 + q]])).checked == "symbolic"


def test_metric_indefinite_far_out_is_refused():
    M = sg.Manifold("line")
    X = M.chart(x, name="X")
    with raises(sg.NotPositiveDefiniteError, "'X'"):
        sg.Metric(M, X, sp.Matrix([[5 - x]]))


def test_log_metric_needs_positive_coordinates(plane):
    _, A, _ = plane
    with raises(sg.MetricError, "'Alpha'", "x, y", "positive"):
        sg.log_metric(A)
    M = sg.Manifold("mixed")
    C = M.chart(p, y, name="Mixed")
    with raises(sg.MetricError, "'Mixed'", "y") as info:
        sg.log_metric(C)
    assert "p" not in str(info.value).split("'Mixed'")[1].split("can be")[0]


def test_constant_metric_refuses_coordinates(plane):
    _, A, _ = plane
    with raises(sg.MetricError, "'Alpha'", "x"):
        sg.constant(A, sp.Matrix([[1 + x**2, 0], [0, 1]]))


# -- transitions ----------------------------------------------------------------------------------


def test_singular_transition(plane):
    M, A, B = plane
    with raises(sg.SingularTransitionError, "'Alpha'", "'Beta'", "singular"):
        M.transition(A, B, {u: x + y, v: 2 * x + 2 * y})
    # nothing was stored
    with pytest.raises(sg.NoPathError):
        M.transition_map(A, B)


def test_singular_transition_position_dependent():
    M = sg.Manifold("plane")
    A = M.chart(x, y, name="A")
    B = M.chart(u, v, name="B")
    with raises(sg.SingularTransitionError, "'A'", "'B'"):
        M.transition(A, B, {u: sp.exp(x + y), v: (x + y) ** 3})


def test_wrong_user_inverse(plane):
    M, A, B = plane
    with raises(sg.InverseError, "'Alpha'", "'Beta'", "inverse"):
        M.transition(A, B, {u: x + y, v: x - y}, inverse={x: u + v, y: u - v})
    # the right one is accepted afterwards (nothing was stored by the failed call)
    T = M.transition(A, B, {u: x + y, v: x - y}, inverse={x: (u + v) / 2, y: (u - v) / 2})
    assert T.verified == "symbolic"


def test_wrong_user_inverse_numerically_decided():
    M = sg.Manifold("half-line")
    X = M.chart(p, name="X")
    Y = M.chart(q, name="Y")
    with raises(sg.InverseError, "'X'", "'Y'"):
        M.transition(X, Y, {q: sp.exp(p) - 1 + p}, inverse={p: sp.log(q)})


def test_no_inverse_found():
    M = sg.Manifold("line")
    X = M.chart(x, name="X")
    Y = M.chart(p, name="Y")
    # x -> x**2 is no chart change of the real line; x -> exp(x) + x is one, but sympy cannot invert it
    with raises(sg.InverseError, "'X'", "inverse="):
        M.transition(X, Y, {p: sp.exp(x) + x**3 + 100})


def test_transition_image_outside_target_domain():
    M = sg.Manifold("line")
    X = M.chart(x, name="X")
    P = M.chart(p, name="P")
    with raises(sg.TransitionError, "'X'", "'P'", "domain"):
        M.transition(X, P, {p: 2 * x + 1}, inverse={x: (p - 1) / 2})


def test_transition_into_unit_interval_needs_the_domain():
    M = sg.Manifold("line")
    X = M.chart(x, name="X")
    U = M.chart(p, name="U")  # (0, oo), but the sigmoid maps onto (0, 1)
    with raises(sg.TransitionError, "'U'", "'X'"):
        M.transition(X, U, {p: 1 / (1 + sp.exp(-x))}, inverse={x: sp.log(p / (1 - p))})


def test_transition_image_outside_target_domain_far_out():
    M = sg.Manifold("line")
    X = M.chart(x, name="X")
    P = M.chart(p, name="P")
    with raises(sg.TransitionError, "'X'", "'P'"):
        M.transition(X, P, {p: x + 5}, inverse={x: p - 5})


def test_transition_between_a_chart_and_itself(plane):
    M, A, _ = plane
    with raises(sg.TransitionError, "'Alpha'"):
        M.transition(A, A, {x: x, y: y})


def test_transition_is_never_replaced(joined):
    M, A, B = joined
    with raises(sg.TransitionError, "'Alpha'", "'Beta'", "exists"):
        M.transition(A, B, {u: x + y, v: x - y}, inverse={x: (u + v) / 2, y: (u - v) / 2})


def test_no_path_between_charts(joined):
    M, A, B = joined
    C = M.chart(*sp.symbols("c1 c2", real=True), name="Gamma")
    with raises(sg.NoPathError, "'Alpha'", "'Gamma'"):
        M.transition_map(A, C)
    with raises(sg.NoPathError, "'Gamma'", "'Beta'"):
        sg.Scalar(M, C, 1).components(B)
    with raises(sg.NoPathError, "'Alpha'", "'Gamma'"):
        sg.Vector(M, A, [x, y]).components(C)


# -- charts ---------------------------------------------------------------------------------------


def test_repeated_coordinate():
    with raises(sg.ChartError, "x", "repeated", "'flat'"):
        sg.Manifold("flat").chart(x, y, x)


@pytest.mark.parametrize(
    "symbol",
    [sp.Symbol("z"), sp.Symbol("z", complex=True), sp.Symbol("z", imaginary=True)],
    ids=["no assumptions", "complex", "imaginary"],
)
def test_non_real_coordinate(symbol):
    with raises(sg.ChartError, "z", "real"):
        sg.Manifold("m").chart(x, symbol)


def test_non_symbol_coordinate():
    with raises(sg.ChartError, "Symbol"):
        sg.Manifold("m").chart(x + y)


def test_chart_needs_a_coordinate():
    with raises(sg.ChartError, "'empty'"):
        sg.Manifold("empty").chart()


def test_duplicate_chart(plane):
    M, A, _ = plane
    with raises(sg.ChartError, "'Alpha'"):
        M.chart(y, x, name="Other")
    with raises(sg.ChartError, "'Beta'"):
        M.chart(p, q, name="Beta")


def test_bad_domain():
    with raises(sg.ChartError, "q"):
        sg.Manifold("m").chart(p, q, domain={q: sp.Interval.open(-2, -1)})
    with raises(sg.ChartError, "x"):
        sg.Manifold("m").chart(p, q, domain={x: sp.Interval.open(0, 1)})


def test_point_outside_the_domain():
    S = sg.Manifold("synapse").chart(p, q, name="S", domain={q: sp.Interval.open(0, 1)})
    S.check_point([2.0, 0.5])
    with raises(sg.DomainError, "'S'", "1.5", "Interval.open(0, 1)"):
        S.check_point([2.0, 1.5])
    with raises(sg.DomainError, "'S'", "-1.0"):
        S.check_point([-1.0, 0.5])
    with raises(sg.DomainError, "'S'"):
        S.check_point([2.0, 1.0])  # the domain is open
    assert S.contains([2.0, 0.5]) and not S.contains([0.0, 0.5])


# -- expressions in the wrong chart ------------------------------------------------------------------


def test_expression_uses_another_charts_coordinates(joined):
    M, A, B = joined
    with raises(sg.ChartMismatchError, "'Alpha'", "u", "'Beta'"):
        sg.Scalar(M, A, x + u)
    with raises(sg.ChartMismatchError, "'Beta'", "y", "'Alpha'"):
        sg.Vector(M, B, [u, y])
    with raises(sg.ChartMismatchError, "'Alpha'", "v"):
        sg.Covector(M, A, [v, 0])
    with raises(sg.ChartMismatchError, "'Alpha'", "u"):
        sg.Metric(M, A, sp.Matrix([[1 + u**2, 0], [0, 1]]))
    with raises(sg.ChartMismatchError, "'Alpha'", "u"):
        sg.diagonal(A, [1, 1 + u**2])


def test_gaussian_expression_in_the_wrong_chart():
    g = sg.catalog.gaussian()
    with raises(sg.ChartMismatchError, "'std'", "s", "'variance'"):
        sg.Scalar(g.manifold, g.std, g.s + g.mu)
    with raises(sg.ChartMismatchError, "'precision'", "sigma"):
        sg.fisher_metric(sg.Normal(mean=g.mu, std=g.sigma), g.precision)


def test_transition_uses_a_third_charts_coordinates(joined):
    M, A, B = joined
    c1, c2 = sp.symbols("c1 c2", real=True)
    C = M.chart(c1, c2, name="Gamma")
    with raises(sg.ChartMismatchError, "u"):
        M.transition(A, C, {c1: x + u, c2: y})


def test_parameters_are_allowed(joined):
    M, A, B = joined
    sigma0 = sp.Symbol("sigma0", positive=True)
    cost = sg.Scalar(M, A, (x - mu0) ** 2 / sigma0**2 + y**2)
    G = sg.diagonal(A, [eta, 1 + x**2])  # a positive parameter in a metric
    assert G.checked == "symbolic"
    flow = sg.GradientFlow(cost, G, rate=eta)
    comps = flow.components(A)
    assert sp.simplify(comps[0] - (-2 * (x - mu0) / sigma0**2)) == 0
    assert sp.simplify(comps[1] - (-2 * eta * y / (1 + x**2))) == 0
    # parameters survive the chart change
    assert {mu0, sigma0, eta} <= set().union(*[c.free_symbols for c in flow.components(B)])
    # and parameters in a transition
    c = sp.Symbol("c", positive=True)
    M2 = sg.Manifold("scaled")
    X, Y = M2.chart(x, name="X"), M2.chart(u, name="Y")
    T = M2.transition(X, Y, {u: c * x})
    assert sp.simplify(T.inverse[0] - u / c) == 0


# -- dimensions and manifolds -------------------------------------------------------------------------


def test_wrong_number_of_vector_components(plane):
    M, A, _ = plane
    with raises(sg.DimensionError, "'Alpha'", "2", "3"):
        sg.Vector(M, A, [1, 2, 3])
    with raises(sg.DimensionError, "'Alpha'", "2", "1"):
        sg.Covector(M, A, [x])
    with raises(sg.DimensionError, "(2, 2)"):
        sg.Vector(M, A, sp.eye(2))


def test_wrong_metric_shape(plane):
    M, A, _ = plane
    with raises(sg.DimensionError, "'Alpha'", "2x2", "(3, 3)"):
        sg.Metric(M, A, sp.eye(3))
    with raises(sg.DimensionError, "'Alpha'", "(2, 3)"):
        sg.Metric(M, A, sp.ones(2, 3))
    with raises(sg.DimensionError, "'Alpha'", "3"):
        sg.diagonal(A, [1, 2, 3])


def test_chart_of_the_wrong_dimension(plane):
    M, _, _ = plane
    with raises(sg.DimensionError, "'plane'", "2", "1"):
        M.chart(p, name="P")


def test_transition_with_the_wrong_number_of_components(plane):
    M, A, B = plane
    with raises(sg.DimensionError, "'Beta'"):
        M.transition(A, B, [x + y])
    with raises(sg.DimensionError, "'Beta'", "v"):
        M.transition(A, B, {u: x + y})


def test_point_of_the_wrong_dimension(plane):
    _, A, _ = plane
    with raises(sg.DimensionError, "'Alpha'"):
        A.contains([1.0, 2.0, 3.0])


def test_chart_of_another_manifold(plane):
    M, A, _ = plane
    M2 = sg.Manifold("elsewhere")
    Q = M2.chart(p, q, name="Q")
    with raises(sg.ManifoldMismatchError, "'Q'", "'elsewhere'", "'plane'"):
        sg.Metric(M, Q, sp.eye(2))
    with raises(sg.ManifoldMismatchError, "'Q'", "'elsewhere'"):
        sg.Scalar(M, Q, p)
    with raises(sg.ManifoldMismatchError, "'Q'"):
        sg.Scalar(M, A, x).components(Q)
    with raises(sg.ManifoldMismatchError, "'Q'"):
        M.transition(A, Q, {p: x, q: y})


def test_cost_and_metric_on_different_manifolds(plane):
    M, A, _ = plane
    M2 = sg.Manifold("elsewhere")
    Q = M2.chart(p, q, name="Q")
    cost = sg.Scalar(M, A, x**2 + y**2)
    with raises(sg.ManifoldMismatchError, "'plane'", "'elsewhere'"):
        sg.GradientFlow(cost, sg.euclidean(Q))
    with raises(sg.ManifoldMismatchError, "'plane'", "'elsewhere'"):
        sg.riemannian_gradient(cost, sg.euclidean(Q))


# -- strings and simplification levels ------------------------------------------------------------------


def test_strings_are_refused(plane):
    M, A, _ = plane
    with raises(sg.ExpressionError, "'x**2'", "string"):
        sg.Scalar(M, A, "x**2")
    with raises(sg.ExpressionError, "'x'"):
        sg.Vector(M, A, ["x", 1])
    with raises(sg.ExpressionError, "'y'"):
        sg.Covector(M, A, [0, "y"])
    with raises(sg.ExpressionError, "'eta'"):
        sg.GradientFlow(sg.Scalar(M, A, x**2), sg.euclidean(A), rate="eta")
    c1, c2 = sp.symbols("c1 c2", real=True)
    with raises(sg.ExpressionError, "'x'"):
        M.transition(A, M.chart(c1, c2), {c1: "x", c2: y})


def test_non_expressions_are_refused(plane):
    M, A, _ = plane
    with raises(sg.ExpressionError):
        sg.Scalar(M, A, object())
    with raises(sg.ExpressionError):
        sg.Scalar(M, A, sp.Eq(x, 1))


def test_strings_are_refused_in_metric_matrices(plane):
    M, A, _ = plane
    with raises(sg.ExpressionError, "'1 + x**2'"):
        sg.Metric(M, A, [["1 + x**2", 0], [0, 1]])


def test_strings_are_refused_in_diagonal_entries(plane):
    _, A, _ = plane
    with raises(sg.ExpressionError, "'2'"):
        sg.diagonal(A, ["2", 1])


def test_unknown_simplify_level(joined):
    M, A, B = joined
    cost = sg.Scalar(M, A, x**2)
    with raises(sg.SimplifyError, "'bogus'"):
        cost.components(B, simplify="bogus")
    with raises(sg.SimplifyError, "'bogus'", "fast"):
        sg.GradientFlow(cost, sg.euclidean(A), simplify="bogus")
    with raises(sg.SimplifyError, "'bogus'"):
        sg.riemannian_gradient(cost, sg.euclidean(A), simplify="bogus")
    with raises(sg.SimplifyError, "3"):
        sg.Vector(M, A, [x, y]).components(B, simplify=3)
    from symgrad.simplify import simplify_expr

    with raises(sg.SimplifyError, "'FAST'"):
        simplify_expr(x, "FAST")


def test_unknown_simplify_level_in_the_given_chart(joined):
    M, A, _ = joined
    with raises(sg.SimplifyError, "'bogus'"):
        sg.Scalar(M, A, x**2).components(A, simplify="bogus")


def test_type_errors_for_wrong_objects(plane):
    M, A, _ = plane
    with pytest.raises(TypeError):
        sg.differential(x**2)
    with pytest.raises(TypeError):
        sg.riemannian_gradient(sg.Scalar(M, A, x), sp.eye(2))
    with pytest.raises(TypeError):
        sg.euclidean("Alpha")


def _four_by_four():
    """A chart of four coordinates: 4x4 blocks are checked at random points, not by minors."""
    w = sp.symbols("w0:4", real=True)
    return sg.Manifold("four").chart(w, name="W"), w


def test_round_off_does_not_reject_an_ill_conditioned_metric():
    # L L^T with L lower triangular, unit diagonal, off-diagonal 10 w_i^3: positive definite
    # everywhere (determinant 1), so ill-conditioned at the far sampled points that float
    # eigenvalues come out 0 or slightly negative there
    W, w = _four_by_four()
    L = sp.eye(4)
    for i in range(1, 4):
        L[i, i - 1] = 10 * w[i] ** 3
    G = sg.Metric(W.manifold, W, L * L.T)
    assert G.checked.startswith("numeric")


def test_a_clearly_negative_eigenvalue_is_still_found_at_random_points():
    W, w = _four_by_four()
    with raises(sg.NotPositiveDefiniteError, "'W'", "eigenvalue"):
        sg.Metric(W.manifold, W, sp.diag(1, 1, 1, 1) + sp.Matrix(4, 4, lambda i, j: w[0] if i != j else 0))


def test_a_metric_singular_everywhere_is_refused_at_random_points():
    W, w = _four_by_four()
    v = sp.Matrix([1 + w[0] ** 2, w[1], w[2], w[3]])
    with raises(sg.NotPositiveDefiniteError, "'W'", "singular"):
        sg.Metric(W.manifold, W, v * v.T + sp.diag(1, 1, 1, 0) - sp.diag(1, 1, 1, 0))
