"""Manifolds, charts and transition maps."""

import numpy as np
import pytest
import strategies as S
import sympy as sp
from helpers import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import symgrad as sg

x, y, u, v = sp.symbols("x y u v", real=True)
p, q, s = sp.symbols("p q s", positive=True)


# -- charts ---------------------------------------------------------------------------------------


def test_chart_basics():
    M = sg.Manifold("plane")
    assert M.dim is None and M.charts == ()
    A = M.chart(x, y)
    B = M.chart([u, v], name="B")
    assert A.name == "(x, y)" and B.name == "B"
    assert A.coords == (x, y) and list(A) == [x, y] and A[1] == y
    assert A.dim == len(A) == 2 and M.dim == 2
    assert M.charts == (A, B)
    assert M.coordinates == frozenset({x, y, u, v})
    assert A.manifold is M
    assert "B" in repr(B) and "plane" in repr(B)
    assert A._repr_latex_() == r"$\left(x, y\right)$"


def test_chart_domains_from_assumptions_and_intervals():
    M = sg.Manifold("synapse")
    nonneg = sp.Symbol("n", nonnegative=True)
    neg = sp.Symbol("m", negative=True)
    S_ = M.chart(p, q, x, nonneg, neg, domain={q: sp.Interval.open(0, 1), x: sp.Interval(-1, 2)})
    assert S_.domain[p] == sp.Interval.open(0, sp.oo)
    assert S_.domain[q] == sp.Interval.open(0, 1)
    assert S_.domain[x] == sp.Interval(-1, 2)
    assert S_.domain[nonneg] == sp.Interval(0, sp.oo)
    assert S_.domain[neg] == sp.Interval.open(-sp.oo, 0)
    # an explicit interval narrows the implied one
    T = sg.Manifold("t").chart(p, domain={p: sp.Interval(-5, 3)})
    assert T.domain[p] == sp.Interval.Lopen(0, 3)


def test_charts_are_immutable():
    A = sg.Manifold("m").chart(x)
    with pytest.raises(AttributeError):
        A.name = "other"
    with pytest.raises(AttributeError):
        A.coords = (y,)


def test_contains_and_check_point():
    S_ = sg.Manifold("synapse").chart(p, q, x, domain={q: sp.Interval.open(0, 1)})
    assert S_.contains([1.0, 0.5, -7.0])
    assert S_.contains(np.array([1e-3, 0.999, 1e6]))
    assert not S_.contains([0.0, 0.5, 0.0])
    assert not S_.contains([1.0, 1.0, 0.0])
    assert not S_.contains([1.0, 0.5, np.nan])
    S_.check_point((2.0, 0.25, 3.0))


@settings(max_examples=S.examples(25))
@given(data=st.data())
def test_random_points_lie_in_the_domain(data):
    src = data.draw(S.source_charts(), label="chart")
    n = data.draw(st.integers(1, 20), label="n")
    seed = data.draw(st.integers(0, 10**6), label="seed")
    pts = src.chart.random_points(n=n, seed=seed)
    assert pts.shape == (n, src.dim)
    assert all(src.chart.contains(pt) for pt in pts)
    # reproducible with the same seed
    assert np.array_equal(pts, src.chart.random_points(n=n, seed=seed))


@settings(max_examples=S.examples(25))
@given(data=st.data())
def test_hypothesis_points_lie_in_the_domain(data):
    src = data.draw(S.source_charts(), label="chart")
    pt = data.draw(S.point_in(src.chart), label="point")
    src.chart.check_point(pt)


# -- transitions ------------------------------------------------------------------------------------


def test_transition_given_as_dict_or_sequence():
    M = sg.Manifold("plane")
    A, B = M.chart(x, y, name="A"), M.chart(u, v, name="B")
    T = M.transition(A, B, [x + y, x - y])
    assert isinstance(T, sg.Transition)
    assert T.forward == sp.Matrix([x + y, x - y])
    assert sp.simplify(T.inverse - sp.Matrix([(u + v) / 2, (u - v) / 2])) == sp.zeros(2, 1)
    assert T.verified == "symbolic"
    assert T.jacobian == sp.Matrix([[1, 1], [1, -1]])
    assert sp.simplify(T.inverse_jacobian - sp.Matrix([[1, 1], [1, -1]]) / 2) == sp.zeros(2, 2)


def test_solved_inverse_picks_the_branch_in_the_domain():
    M = sg.Manifold("half-line")
    X, Y, Z = M.chart(p, name="X"), M.chart(q, name="Y"), M.chart(x, name="Z")
    T = M.transition(X, Y, {q: p**2})
    assert T.inverse == sp.Matrix([sp.sqrt(q)])  # not -sqrt(q)
    T2 = M.transition(X, Z, {x: sp.log(p)})
    assert T2.inverse == sp.Matrix([sp.exp(x)])
    # x**2 - 1 on the positive half-line has a negative branch too
    N = sg.Manifold("n")
    P = N.chart(p, name="P")
    R = N.chart(u, name="R", domain={u: sp.Interval.open(-1, sp.oo)})
    T3 = N.transition(P, R, {u: p**2 - 1})
    assert sp.simplify(T3.inverse[0] - sp.sqrt(u + 1)) == 0


def test_reverse_transition_is_stored():
    M = sg.Manifold("half-line")
    X, Y = M.chart(p, name="X"), M.chart(q, name="Y")
    T = M.transition(X, Y, {q: sp.exp(p) - 1}, inverse={p: sp.log(q + 1)})
    R = M.transition_map(Y, X)
    assert R.source is Y and R.target is X
    assert R.forward == T.inverse and R.inverse == T.forward
    assert M.transition_map(X, Y) is T
    with pytest.raises(sg.TransitionError):
        M.transition(Y, X, {p: sp.log(q + 1)})


def test_identity_transition():
    M = sg.Manifold("plane")
    A = M.chart(x, y)
    ident = M.transition_map(A, A)
    assert ident.forward == sp.Matrix([x, y]) == ident.inverse
    assert ident.verified == "identity"
    assert sg.Vector(M, A, [x, 1]).components(A) == sp.Matrix([x, 1])


def test_composition_along_a_path_is_cached():
    M = sg.Manifold("line")
    a, b, c, d = sp.symbols("a b c d", real=True)
    A, B, C, D = (M.chart(sym, name=n) for sym, n in zip((a, b, c, d), "ABCD"))
    M.transition(A, B, {b: 2 * a})
    M.transition(B, C, {c: b + 1})
    M.transition(D, C, {c: 3 * d})  # given the other way round: the reverse is used
    T = M.transition_map(A, D)
    assert T.verified == "composed"
    assert sp.simplify(T.forward[0] - (2 * a + 1) / 3) == 0
    assert sp.simplify(T.inverse[0] - (3 * d - 1) / 2) == 0
    assert M.transition_map(A, D) is T
    assert sp.simplify(sg.Vector(M, A, [1]).components(D)[0] - sp.Rational(2, 3)) == 0


def test_then_composes_transitions():
    M = sg.Manifold("line")
    a, b, c = sp.symbols("a b c", real=True)
    A, B, C = M.chart(a, name="A"), M.chart(b, name="B"), M.chart(c, name="C")
    T = M.transition(A, B, {b: 2 * a}).then(M.transition(B, C, {c: b + 1}))
    assert T.source is A and T.target is C and T.verified == "composed"
    assert T.forward == sp.Matrix([2 * a + 1])
    assert sp.simplify(T.inverse[0] - (c - 1) / 2) == 0


def test_then_refuses_what_is_not_a_transition():
    M = sg.Manifold("plane")
    A, B = M.chart(x, y, name="A"), M.chart(u, v, name="B")
    T = M.transition(A, B, [x + y, x - y])
    F = sg.Map(B, sg.Manifold("outputs").chart(p, q), {p: sp.exp(u), q: sp.exp(v)})
    for other in (F, B, None, {u: x}):
        with pytest.raises(sg.ArgumentTypeError, match="Transition") as err:
            T.then(other)
        assert isinstance(err.value, TypeError)
        assert type(other).__name__ in str(err.value)


def test_then_needs_the_second_transition_to_start_where_the_first_ends():
    M = sg.Manifold("line")
    a, b, c, d = sp.symbols("a b c d", real=True)
    A, B, C, D = (M.chart(sym, name=n) for sym, n in zip((a, b, c, d), ["Alpha", "Beta", "Gamma", "Delta"]))
    AB = M.transition(A, B, {b: 2 * a})
    CD = M.transition(C, D, {d: c + 1})
    with pytest.raises(sg.TransitionError) as err:
        AB.then(CD)
    msg = str(err.value)
    for name in ("'Alpha' -> 'Beta'", "'Gamma' -> 'Delta'", "must start at chart 'Beta'", "transition_map"):
        assert name in msg
    # the reverse order fails the same way, naming the other junction
    with pytest.raises(sg.TransitionError, match="must start at chart 'Delta'"):
        CD.then(AB)
    # a transition of another manifold: the message says whose chart it starts at
    N = sg.Manifold("other line")
    E, F = N.chart(b, name="Beta"), N.chart(c, name="Gamma")
    with pytest.raises(sg.TransitionError, match="belongs to manifold 'other line'.*only within one manifold"):
        AB.then(N.transition(E, F, {c: b - 1}))


def test_transition_with_shared_coordinates():
    g = sg.catalog.gaussian()
    T = g.manifold.transition_map(g.std, g.variance)
    assert T.forward == sp.Matrix([g.mu, g.sigma**2])
    # mu is a coordinate of both charts, and means the same thing in both
    vec = sg.Vector(g.manifold, g.std, [1, 0])
    assert vec.components(g.variance) == sp.Matrix([1, 0])


def test_map_between_manifolds():
    A = sg.Manifold("params").chart(x, y)
    B = sg.Manifold("outputs").chart(u, v)
    F = sg.Map(A, B, {u: x + y**2 / 2, v: sp.exp(y)})
    assert F.jacobian == sp.Matrix([[1, y], [0, sp.exp(y)]])
    assert F.pull(u * v) == (x + y**2 / 2) * sp.exp(y)


@settings(max_examples=S.examples(15))
@given(data=st.data())
def test_transition_jacobians(data):
    p_ = data.draw(S.chart_pairs(), label="charts")
    T = p_.T
    J = sp.Matrix(p_.forward).jacobian(p_.A.coords)
    pts_A = data.draw(S.points(p_.A), label="points in A")
    assert_close(T.jacobian, J, p_.A, pts_A, what="jacobian")
    pts_B = data.draw(S.points(p_.B), label="points in B")
    K = sp.Matrix(p_.inverse).jacobian(p_.B.coords)
    assert_close(T.inverse_jacobian, K, p_.B, pts_B, what="inverse jacobian")
    assert_close(
        T.jacobian_at_target, J.xreplace(dict(zip(p_.A.coords, p_.inverse))), p_.B, pts_B, what="jacobian at target"
    )
