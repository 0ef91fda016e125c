"""Simplification levels, structure-aware solves, and determinism of closed forms."""

import signal

import pytest
import strategies as S
import sympy as sp
from helpers import assert_close, symbolically_equal
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symgrad as sg
from symgrad.core.linalg import blocks
from symgrad.core.simplify import resolve
from symgrad.simplify import (
    LEVELS,
    congruence,
    matmul,
    negate,
    simplify_expr,
    simplify_matrix,
    solve_fractions,
    solve_linear,
    solve_metric,
)

x, y, z = sp.symbols("x y z", real=True)
p, q = sp.symbols("p q", positive=True)
ETA = sp.Symbol("eta", positive=True)


# -- levels -----------------------------------------------------------------------------------------


def test_named_levels_exist():
    assert {"none", "fast", "full"} <= set(LEVELS)
    for name in LEVELS:
        assert callable(resolve(name))


def test_level_none_leaves_expressions_alone():
    e = (x**2 - 1) / (x - 1) + sp.sin(x) ** 2 + sp.cos(x) ** 2
    assert simplify_expr(e, "none") == e
    assert simplify_expr(e, "none").args == e.args


def test_level_fast_is_the_rational_canonical_form():
    assert simplify_expr((x**2 - 1) / (x - 1), "fast") == x + 1
    assert simplify_expr(1 / x + 1 / y, "fast") == (x + y) / (x * y)
    # cheap: it does not know trigonometry
    assert simplify_expr(sp.sin(x) ** 2 + sp.cos(x) ** 2, "fast") != 1
    # canonical: equal rational functions written differently give the same expression
    a = simplify_expr((x + 1) ** 2 / (x**2 - 1), "fast")
    b = simplify_expr((x**2 + 2 * x + 1) / ((x - 1) * (x + 1)), "fast")
    assert a == b


def test_level_full_uses_simplify():
    assert simplify_expr(sp.sin(x) ** 2 + sp.cos(x) ** 2, "full") == 1
    assert simplify_expr(sp.exp(sp.log(p) + sp.log(q)), "full") == p * q


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_every_level_preserves_the_value(level):
    exprs = [
        (x**2 - 1) / (x - 1),
        1 / x + 1 / (x + 1),
        sp.exp(x) * (1 + x) / (x + x**2),
        p ** sp.Rational(1, 2) * (p + 1) / (p**2 + p),
        (x * y - y) / (x**2 - 1) + z,
    ]
    X = sg.Manifold("m").chart(x, y, z, p)
    pts = X.random_points(n=6, seed=1)
    for e in exprs:
        assert_close([simplify_expr(e, level)], [e], X, pts, what=f"{level}: {e}")


def test_levels_on_a_chart_change():
    """The Euclidean metric of the plane in polar coordinates: only "full" sees sin**2 + cos**2."""
    xx, yy, r, th = sp.symbols("x y r theta", positive=True)
    M = sg.Manifold("quadrant")
    A = M.chart(xx, yy, name="cartesian")
    P = M.chart(r, th, name="polar", domain={th: sp.Interval.open(0, sp.pi / 2)})
    M.transition(
        A, P, {r: sp.sqrt(xx**2 + yy**2), th: sp.atan(yy / xx)}, inverse={xx: r * sp.cos(th), yy: r * sp.sin(th)}
    )
    G = sg.euclidean(A)
    assert sp.Matrix(G.components(P, simplify="full")) == sp.diag(1, r**2)
    assert sp.Matrix(G.components(P, simplify="fast")) != sp.diag(1, r**2)
    pts = P.random_points(n=5, seed=2)
    for level in LEVELS:
        assert_close(G.components(P, simplify=level), sp.diag(1, r**2), P, pts, what=level)
    # each level is cached separately
    assert G.components(P, simplify="full") is G.components(P, simplify="full")
    assert G.components(P, simplify="full") is not G.components(P, simplify="fast")


def test_callable_level_is_used():
    calls = []

    def mine(e):
        calls.append(e)
        return sp.factor(e)

    assert resolve(mine) is mine
    assert simplify_expr((x**2 - 1) / (x - 1), mine) == x + 1
    M = sg.Manifold("plane")
    A, B = M.chart(x, y, name="A"), M.chart(p, q, name="B")
    M.transition(A, B, {p: sp.exp(x), q: sp.exp(y)}, inverse={x: sp.log(p), y: sp.log(q)})
    cost = sg.Scalar(M, A, x**2 * y)
    calls.clear()
    flow = sg.GradientFlow(cost, sg.log_metric(B), rate=ETA, simplify=mine, chart=B)
    assert calls, "the callable was never called"
    assert all(e == sp.factor(e) for e in flow.components(B))
    calls.clear()
    m = sg.Vector(M, A, [x, y]).components(B, simplify=mine)
    assert len(calls) >= 2
    assert symbolically_equal(m, sp.Matrix([p * sp.log(p), q * sp.log(q)]))


def test_simplify_matrix_returns_immutable():
    m = simplify_matrix(sp.Matrix([[(x**2 - 1) / (x - 1), 0], [0, 1]]), "fast")
    assert isinstance(m, sp.ImmutableMatrix)
    assert m == sp.Matrix([[x + 1, 0], [0, 1]])


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_gradient_at_every_level(level):
    g = sg.catalog.gaussian_kl()
    flow = sg.GradientFlow(g.cost, g.fisher, rate=ETA, simplify=level, chart=g.precision)
    mu, tau = g.mu, g.tau
    expected = sp.Matrix([-ETA * (mu - 4), ETA * tau * (1 - tau * (4 + (mu - 4) ** 2))])
    assert symbolically_equal(flow.components(g.precision), expected)


# -- negation -----------------------------------------------------------------------------------------

_NEGATE_CASES = {
    "sum over a constant": (2 * x - y) / 3,
    "fraction": (x - y) / (x + y),
    "constant spread": (x**2 - 1) / (3 * x + 3) + y / 6,
    "constant in denominator": (4 * x + 2 * y + 1) / (6 * x * y + 12),
    "monomial": x * y / 3,
    "minus symbol": -x,
    "polynomial": x + 1,
    "number": sp.Rational(-2, 3),
    "factored denominator": (x**2 + 2 * x * y - 3 * y**2 + 5) / (2 * (x**2 + 1) * (y + 2) ** 2),
    # more than 8 terms: Horner form at "compact"
    "long numerator": sp.Add(*[(-1) ** k * (k + 1) * x**k * y ** (k % 3) for k in range(11)]) / (5 * y + 10),
    "exp": (sp.exp(p) * q - 2 * p) / (3 * q**2 + 3),
    "sqrt": (sp.sqrt(p) - q) / (2 * p),
    "pi": x / 3 + sp.pi * y / 6,
}


@pytest.mark.parametrize("level", sorted(LEVELS))
@pytest.mark.parametrize("expr", list(_NEGATE_CASES.values()), ids=list(_NEGATE_CASES))
def test_negate_is_the_simplified_negation(level, expr):
    e = simplify_expr(expr, level)
    assert simplify_expr(e, level) == e  # the precondition: already simplified
    assert negate(e, level) == simplify_expr(-e, level)


def test_negate_fast_keeps_a_constant_denominator():
    e = simplify_expr((2 * x - y) / 3, "fast")
    assert str(e) == "(2*x - y)/3"
    assert str(negate(e, "fast")) == str(simplify_expr(-e, "fast")) == "(-2*x + y)/3"
    assert str(negate((x - y) / (x + y), "compact")) == "(-x + y)/(x + y)"


@st.composite
def _rational_functions(draw):
    coeffs = st.sampled_from([-3, -2, -1, 1, 2, 5, sp.Rational(1, 2), sp.Rational(-2, 3)])

    def poly(max_terms):
        terms = []
        for _ in range(draw(st.integers(1, max_terms))):
            k, m, j = draw(st.integers(0, 3)), draw(st.integers(0, 2)), draw(st.integers(0, 1))
            terms.append(draw(coeffs) * x**k * y**m * (sp.exp(p) if j else 1))
        return sp.Add(*terms)

    den = poly(3)
    assume(den != 0)
    return poly(10) / (draw(st.sampled_from([1, 2, 3, 6])) * den)


@settings(max_examples=S.examples(25))
@given(expr=_rational_functions(), level=st.sampled_from(["none", "fast", "compact", "factor"]))
def test_negate_is_the_simplified_negation_on_random_fractions(expr, level):
    e = simplify_expr(expr, level)
    assume(simplify_expr(e, level) == e)
    assert negate(e, level) == simplify_expr(-e, level)


@pytest.mark.parametrize("level", ["fast", "compact", "factor"])
def test_negate_does_not_simplify_again(level, monkeypatch):
    e = simplify_expr(_NEGATE_CASES["long numerator"], level)
    calls = []
    real = sp.cancel
    monkeypatch.setattr(sp, "cancel", lambda *a, **k: calls.append(a) or real(*a, **k))
    negate(e, level)
    assert not calls


def test_gradient_flow_components_are_the_simplified_negation():
    """The flow negates the gradient cheaply, in the form simplifying -grad would give."""
    M = sg.Manifold("plane")
    A = M.chart(x, y, name="A")
    cost = sg.Scalar(M, A, x**2 / 3 - x * y / 3 + (x - y) ** 2 / (6 * (1 + y**2)))
    for level in ("fast", "compact", "factor"):
        grad = sg.riemannian_gradient(cost, sg.euclidean(A), simplify=level).components()
        flow = sg.GradientFlow(cost, sg.euclidean(A), rate=ETA, simplify=level).components()
        for g, v in zip(grad, flow):
            assert simplify_expr(g, level) == g
            assert v == ETA * simplify_expr(-g, level)
    flow = sg.GradientFlow(sg.Scalar(M, A, x**2 / 3 - x * y / 3), sg.euclidean(A), rate=ETA)
    assert str(flow.components()[0]) == "eta*(-2*x + y)/3"


# -- structure-aware solves ------------------------------------------------------------------------------


def test_blocks():
    a, b, c, d = sp.symbols("a b c d", positive=True)
    assert blocks(sp.diag(a, b, c)) == [[0], [1], [2]]
    assert blocks(sp.Matrix([[a, b, 0], [b, c, 0], [0, 0, d]])) == [[0, 1], [2]]
    assert blocks(sp.Matrix([[a, 0, b], [0, c, 0], [b, 0, d]])) == [[0, 2], [1]]
    # a chain 0-1, 1-2 joins all three
    assert blocks(sp.Matrix([[a, b, 0], [b, c, d], [0, d, a]])) == [[0, 1, 2]]
    assert blocks(sp.Matrix([[a, 0, 0, 0], [0, b, 0, c], [0, 0, d, 0], [0, c, 0, a]])) == [[0], [1, 3], [2]]
    assert blocks(sp.ones(3, 3)) == [[0, 1, 2]]
    assert blocks(sp.Matrix([[x]])) == [[0]]


def _spd(kind, coords):
    """A symmetric positive-definite matrix of the given structure in ``coords``."""
    n = len(coords)
    if kind == "diagonal":
        return sp.diag(*[1 + c**2 for c in coords])
    if kind == "block":
        # blocks {0, 2} and {1} (and {3} in 4-D): an interleaved pattern
        m = sp.diag(*[2 + c**2 for c in coords])
        if n > 2:
            m[0, 2] = m[2, 0] = coords[0] * coords[1] / 2
        elif n == 2:
            m[0, 1] = m[1, 0] = coords[0] / 2
        return m
    L = sp.Matrix(n, n, lambda i, j: coords[(i + j) % n] if j < i else (1 if i == j else 0))
    return L * L.T + sp.eye(n)


@pytest.mark.parametrize("kind", ["diagonal", "block", "dense"])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_solve_metric_equals_the_inverse(kind, n):
    cs = [x, y, z][:n]
    G = _spd(kind, cs)
    w = sp.Matrix([sp.exp(c) + c**2 for c in cs])
    v = solve_metric(G, w)
    assert isinstance(v, sp.ImmutableMatrix) and v.shape == (n, 1)
    expected = G.inv() * w
    assert all(sp.simplify(a - b) == 0 for a, b in zip(v, expected))
    if kind == "block" and n == 3:
        assert blocks(G) == [[0, 2], [1]]


@settings(max_examples=S.examples(15))
@given(data=st.data())
def test_solve_metric_on_random_metrics(data):
    src = data.draw(S.source_charts(dims=(1, 2, 3)), label="chart")
    _, G = data.draw(S.metric_matrices(src.chart), label="metric")
    w = sp.Matrix(data.draw(S.vector_components(src.chart), label="w"))
    level = data.draw(st.sampled_from(sorted(LEVELS)), label="level")
    v = solve_metric(G, w, level)
    pts = data.draw(S.points(src.chart), label="points")
    assert_close(G * v, w, src.chart, pts, what="G v == w")
    assert_close(v, G.inv() * w, src.chart, pts, what="v == G^-1 w")


def test_solve_metric_singular_1x1_block():
    with pytest.raises(sg.MetricError, match=r"singular.*\(1, 1\)"):
        solve_metric(sp.diag(x**2 + 1, 0), sp.Matrix([1, 1]))
    with pytest.raises(sg.MetricError, match="singular"):
        solve_metric(sp.Matrix([[p - p]]), sp.Matrix([p]))
    for level in LEVELS:
        with pytest.raises(sg.MetricError):
            solve_metric(sp.diag(0, p), sp.Matrix([1, 1]), level)


@pytest.mark.parametrize(
    "G",
    [
        sp.Matrix([[p, p], [p, p]]),
        sp.Matrix([[1, 2], [2, 4]]),
        sp.Matrix([[1 / p, 1 / q], [1 / q, p / q**2]]),
        sp.Matrix([[sp.exp(p), sp.exp(p)], [sp.exp(p), sp.exp(p)]]),
        # generators that are related: exp(2p) = exp(p)**2
        sp.Matrix([[sp.exp(2 * p), sp.exp(p)], [sp.exp(p), 1]]),
        sp.Matrix([[1, 0, 0], [0, p, q], [0, q, q**2 / p]]),
    ],
    ids=["polynomial", "integer", "fractions", "exp", "related-exp", "3x3"],
)
def test_solve_metric_singular_block(G):
    w = sp.ones(G.rows, 1)
    with pytest.raises(sg.MetricError, match="singular"):
        solve_metric(G, w)
    with pytest.raises(sg.MetricError, match="singular"):
        solve_fractions(G, w)
    with pytest.raises(sg.MetricError, match="singular"):
        solve_linear(G, w)


def test_solve_metric_singular_factor():
    with pytest.raises(sg.MetricError, match="J"):
        solve_metric(sp.eye(2), sp.Matrix([1, 1]), factor=(sp.Matrix([[1, p], [1, p]]), sp.eye(2)))
    with pytest.raises(sg.MetricError, match="G0"):
        solve_metric(sp.eye(2), sp.Matrix([1, 1]), factor=(sp.eye(2), sp.diag(1, 0)))


def test_solve_shapes_are_checked():
    with pytest.raises(sg.DimensionError, match=r"\(2, 3\)"):
        solve_fractions(sp.ones(2, 3), sp.ones(2, 1))
    with pytest.raises(sg.DimensionError, match=r"\(3, 1\)"):
        solve_linear(sp.eye(2), sp.ones(3, 1))
    with pytest.raises(sg.DimensionError, match=r"\(3, 1\)"):
        solve_metric(sp.eye(2), sp.ones(3, 1))
    with pytest.raises(sg.DimensionError, match=r"\(2, 2\)"):
        solve_metric(sp.eye(2), sp.ones(2, 2))


def test_solve_linear_returns_immutable():
    v = solve_linear(sp.Matrix([[p, 1], [1, q]]), sp.Matrix([1, 0]))
    assert isinstance(v, sp.ImmutableMatrix) and v.shape == (2, 1)
    assert v == sp.Matrix([q / (p * q - 1), -1 / (p * q - 1)])
    assert solve_linear(sp.zeros(0, 0), sp.zeros(0, 1)).shape == (0, 1)


def test_matmul_checks_shapes():
    with pytest.raises(sg.DimensionError, match=r"\(2, 3\).*\(2, 2\)"):
        matmul(sp.ones(2, 3), sp.ones(2, 2))
    assert matmul(sp.ones(2, 3), sp.ones(3, 1)) == sp.Matrix([3, 3])
    assert matmul(sp.zeros(2, 0), sp.zeros(0, 3)) == sp.zeros(2, 3)


def test_congruence_rejects_a_non_symmetric_matrix():
    K = sp.Matrix([[1, p], [0, 1]])
    with pytest.raises(sg.NotSymmetricError, match=r"\(0, 1\)"):
        congruence(K, sp.Matrix([[1, p], [0, 1]]))
    with pytest.raises(sg.NotSymmetricError, match=r"\(1, 0\)"):
        congruence(K, sp.Matrix([[1, 0], [p, 1]]))
    with pytest.raises(sg.NotSymmetricError):
        congruence(K, sp.Matrix([[1, p + 1], [p, 1]]))
    with pytest.raises(sg.DimensionError):
        congruence(K, sp.ones(2, 3))
    with pytest.raises(sg.DimensionError):
        congruence(sp.eye(3), sp.eye(2))
    # symmetric, though the mirrored entries are written differently
    G = sp.Matrix([[1, p * (p + 1)], [p**2 + p, 2 + p**2]])
    R = congruence(sp.eye(2), G, "fast")
    assert R == R.T and sp.expand(R - G) == sp.zeros(2, 2)


def test_metric_with_entries_written_differently_changes_chart():
    M = sg.Manifold("half plane")
    A = M.chart(p, q, name="A")
    u = sp.Symbol("u", positive=True)
    B = M.chart(u, q, name="B")
    M.transition(A, B, {u: 2 * p, q: q})
    G = sg.Metric(M, A, sp.Matrix([[p**2 + 1, p * (p + 1)], [p**2 + p, 5 * p**2 + 5]]))
    GB = G.components(B)
    assert GB == GB.T
    pts = B.random_points(n=4, seed=3)
    expected = sp.Matrix([[(u**2 + 4) / 16, u * (u + 2) / 8], [u * (u + 2) / 8, 5 * u**2 / 4 + 5]])
    assert_close(GB, expected, B, pts, what="metric in B")


def _pullback_setup():
    a, b = sp.symbols("a b", real=True)
    U = sg.Manifold("outputs").chart(a, b, name="U")
    M = sg.Manifold("params")
    A = M.chart(p, q, name="A")
    F = sg.Map(A, U, {a: sp.log(p) + q, b: p * q})
    G0 = sg.Metric(U.manifold, U, sp.Matrix([[2, 1], [1, 1 + a**2]]))
    return M, A, U, F, G0


def test_pullback_metric_remembers_its_factors():
    M, A, U, F, G0 = _pullback_setup()
    G = sg.pullback(G0, F)
    assert G.chart is A
    J, G0_pulled = G.pullback_factors()
    assert J == F.jacobian
    assert G0_pulled == F.pull(G0.components(U))
    assert sp.simplify(J.T * G0_pulled * J - G.components()) == sp.zeros(2, 2)
    assert sg.Metric(M, A, G.components()).pullback_factors() is None


def test_solve_through_factors_equals_the_direct_solve():
    M, A, U, F, G0 = _pullback_setup()
    G = sg.pullback(G0, F)
    w = sp.Matrix([p + q, sp.exp(q)])
    via_factor = solve_metric(G.components(), w, "fast", factor=G.pullback_factors())
    direct = solve_metric(G.components(), w, "fast")
    assert all(sp.simplify(a - b) == 0 for a, b in zip(via_factor, direct))
    # and through riemannian_gradient: a pullback metric and the same matrix without factors
    cost = sg.Scalar(M, A, p**2 + sp.log(q) * p)
    g1 = sg.riemannian_gradient(cost, G).components()
    g2 = sg.riemannian_gradient(cost, sg.Metric(M, A, G.components())).components()
    assert all(sp.simplify(a - b) == 0 for a, b in zip(g1, g2))


def test_factors_follow_a_chart_change():
    M, A, U, F, G0 = _pullback_setup()
    s, t = sp.symbols("s t", real=True)
    B = M.chart(s, t, name="B")
    M.transition(A, B, {s: sp.log(p), t: sp.log(q)}, inverse={p: sp.exp(s), q: sp.exp(t)})
    G = sg.pullback(G0, F)
    J, G0_B = G.pullback_factors(B)
    pts = B.random_points(n=6, seed=5)
    assert_close(J.T * G0_B * J, G.components(B), B, pts, what="factors in B")
    cost = sg.Scalar(M, A, p * q + p)
    in_B = sg.riemannian_gradient(cost, G, chart=B).components(B)
    in_A = sg.riemannian_gradient(cost, G, chart=A).components(B)
    assert_close(in_B, in_A, B, pts, what="pullback gradient in B")


class _Timeout(AssertionError):
    pass


def _with_budget(seconds, f):
    def handler(*_):
        raise _Timeout(f"took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        return f()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_solve_with_exponential_entries_3d():
    """A 3x3 system with exponential entries is solved in seconds.

    Over sympy's EX domain (generators such as exp(x1) sharing symbols with the polynomial
    variables) fraction-free elimination of this system takes minutes; naming the
    generators first makes it a fraction-field solve.
    """
    x0, x1, x2, y0, y1, y2 = sp.symbols("x0 x1 x2 y0 y1 y2", real=True)
    M = sg.Manifold("sheared space")
    X = M.chart(x0, x1, x2, name="X")
    Y = M.chart(y0, y1, y2, name="Y")
    M.transition(
        X,
        Y,
        {y0: x0 + x2**2 / 2, y1: x1 - (x0 + x2**2 / 2) ** 2, y2: x2},
        inverse={x0: y0 - y2**2 / 2, x1: y1 + y0**2, x2: y2},
    )
    G = sg.diagonal(Y, [3, sp.exp(y1), 1 + y2**2])
    cost = sg.Scalar(M, Y, y0**3 + y1 + y2)
    grad = _with_budget(10, lambda: sg.riemannian_gradient(cost, G, chart=X))
    pts = Y.random_points(n=4, seed=0)
    expected = sg.riemannian_gradient(cost, G, chart=Y).components(Y)
    assert_close(grad.components(Y), expected, Y, pts, what="3-D gradient with exp entries")


# -- determinism --------------------------------------------------------------------------------------


def _gaussian_flows():
    g = sg.catalog.gaussian_kl(sp.Symbol("mu0", real=True), sp.Symbol("sigma0", positive=True))
    out = []
    for chart in (g.std, g.variance, g.precision, g.log_std):
        for metric in (g.fisher, sg.euclidean(chart)):
            flow = sg.GradientFlow(g.cost, metric, rate=ETA, chart=chart)
            out.append((flow.components(chart), flow.components(g.std), flow.latex(chart), flow.equations(chart)))
    return out


def test_same_flow_twice_gives_identical_expressions():
    first, second = _gaussian_flows(), _gaussian_flows()
    for a, b in zip(first, second):
        assert a[0] == b[0] and a[1] == b[1]
        assert a[2] == b[2]  # identical LaTeX
        assert a[3] == b[3]
        assert sp.srepr(a[0]) == sp.srepr(b[0])


def _rebuild(p, cost_expr, metric_matrix, metric_in_B):
    """Build the drawn charts, cost and metric again on a fresh manifold."""
    M = sg.Manifold("rebuilt")
    A = S.make_chart(M, list(p.A.coords), p.A_intervals, p.A.name)
    B = S.make_chart(M, list(p.B.coords), p.B_intervals, p.B.name)
    M.transition(
        A,
        B,
        dict(zip(B.coords, p.forward)),
        inverse=None if p.solved else dict(zip(A.coords, p.inverse)),
    )
    G = sg.Metric(M, B if metric_in_B else A, metric_matrix)
    flow = sg.GradientFlow(sg.Scalar(M, A, cost_expr), G, rate=ETA)
    return flow, A, B


@settings(max_examples=S.examples(10))
@given(data=st.data())
def test_determinism_on_random_charts(data):
    p = data.draw(S.chart_pairs(dims=(1, 2)), label="charts")
    cost_expr = data.draw(S.cost_expressions(p.A), label="cost")
    in_B = data.draw(st.booleans(), label="metric in B")
    _, m = data.draw(S.metric_matrices(p.B if in_B else p.A), label="metric")
    f1, A1, B1 = _rebuild(p, cost_expr, m, in_B)
    f2, A2, B2 = _rebuild(p, cost_expr, m, in_B)
    assert f1.components(A1) == f2.components(A2)
    assert f1.components(B1) == f2.components(B2)
    assert f1.latex(B1) == f2.latex(B2)
    assert f1.latex(A1) == f2.latex(A2)
