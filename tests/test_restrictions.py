"""Chart domains that are not boxes: restrictions such as ``p1 + p2 < 1``.

Declared with ``Manifold.chart(..., restrictions=[...])`` or added to a target
chart by a transition whose inverse reaches only part of it; respected by every
check of a domain (membership, random points, transitions, numeric flows,
integration, plots).
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import symgrad as sg
from symgrad.core import _domain
from symgrad.plotting import plot_flow

p1, p2 = sp.symbols("p1 p2", positive=True)
a, b = sp.symbols("a b", real=True)
u, v, w, p, q, r, k, c = sp.symbols("u v w p q r k c", positive=True)
eta = sp.Symbol("eta", positive=True)
UNIT = {p1: sp.Interval.open(0, 1), p2: sp.Interval.open(0, 1)}
LOGIT = {a: sp.log(p1 / (1 - p1 - p2)), b: sp.log(p2 / (1 - p1 - p2))}


def simplex():
    M = sg.Manifold("simplex")
    P = M.chart(p1, p2, domain=UNIT, restrictions=[p1 + p2 < 1], name="P")
    L = M.chart(a, b, name="L")
    T = M.transition(P, L, LOGIT)
    return M, P, L, T


@pytest.fixture(scope="module")
def simplex_flow():
    M, P, L, T = simplex()
    family = sg.Categorical(logits=[0, LOGIT[a], LOGIT[b]])
    F = sg.fisher_metric(family, P)
    target = [sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 6)]
    probs = [1 - p1 - p2, p1, p2]
    cost = sg.Scalar(M, P, sum(t * sp.log(t / x) for t, x in zip(target, probs)))
    return M, P, L, T, F, cost, sg.GradientFlow(cost, F, rate=eta)


# -- the simplex in logit coordinates ----------------------------------------------------------


def test_simplex_transition_is_the_softmax():
    M, P, L, T = simplex()
    softmax = sp.Matrix([sp.exp(a), sp.exp(b)]) / (1 + sp.exp(a) + sp.exp(b))
    assert sp.simplify(T.inverse - softmax) == sp.zeros(2, 1)
    assert T.restricted == () and L.restrictions == ()
    assert P.restrictions == (p1 + p2 < 1,)
    assert "p1 + p2 < 1" in repr(P) and "p_{1} + p_{2} < 1" in P._repr_latex_()


def test_simplex_without_restriction_says_where_and_how():
    M = sg.Manifold("simplex")
    P = M.chart(p1, p2, domain=UNIT, name="P")
    L = M.chart(a, b, name="L")
    with pytest.raises(sg.TransitionError, match=r"p1 \+ p2 >= 1.*restrictions=\[p1 \+ p2 < 1\]"):
        M.transition(P, L, LOGIT)


def test_simplex_fisher_metric_and_flows_agree(simplex_flow):
    M, P, L, T, F, cost, flow = simplex_flow
    K = T.inverse_jacobian
    carried = K.T * T.push(F.components(P)) * K
    pts = L.random_points(6)
    for pt in pts:
        at = dict(zip(L.coords, pt))
        diff = (carried - F.components(L)).evalf(subs=at)
        assert max(abs(float(x)) for x in diff) < 1e-9
    report = sg.check_invariance(cost, F)
    assert report.passed
    numP, numL = flow.numeric(P, params={eta: 1}), flow.numeric(L, params={eta: 1})
    X = P.random_points(8)
    assert np.all(X.sum(axis=1) < 1)
    Y = np.stack([np.log(X[:, 0] / (1 - X.sum(1))), np.log(X[:, 1] / (1 - X.sum(1)))], axis=1)
    J = np.array([[float(e) for e in T.jacobian.evalf(subs=dict(zip(P.coords, x)))] for x in X]).reshape(-1, 2, 2)
    assert np.allclose(np.einsum("nij,nj->ni", J, numP(X)), numL(Y), rtol=1e-8, atol=1e-10)


def test_simplex_plots_mask_outside_points(simplex_flow):
    M, P, L, T, F, cost, flow = simplex_flow
    out = plot_flow(Figure().subplots(), flow, P, {p1: (0, 1), p2: (0, 1)}, n=9, params={eta: 1})
    X, Y = out["grid"]
    U, _ = out["field"]
    assert np.all(np.isnan(U[X + Y >= 1]))
    assert np.all(np.isfinite(U[(X > 0) & (Y > 0) & (X + Y < 0.99)]))
    out = plot_flow(Figure().subplots(), flow, L, {a: (-3, 3), b: (-3, 3)}, n=9, params={eta: 1})
    assert np.all(np.isfinite(out["field"][0]))


def test_simplex_numeric_flow_refuses_points_outside(simplex_flow):
    flow = simplex_flow[-1]
    num = flow.numeric(simplex_flow[1], params={eta: 1})
    assert list(num.contains([[0.2, 0.3], [0.6, 0.6]])) == [True, False]
    with pytest.raises(sg.DomainError, match=r"p1 \+ p2 < 1"):
        num([0.6, 0.6])
    sol = num.integrate([0.1, 0.1], t_span=(0, 10))
    assert sol.status == 0 and np.allclose(sol.y[-1], [1 / 3, 1 / 6], atol=1e-3)


# -- the positive shear --------------------------------------------------------------------------


@pytest.mark.parametrize("kk, cc", [(k, c), (3, 2)])
@pytest.mark.parametrize("explicit", [False, True])
def test_shear_restricts_its_target(kk, cc, explicit):
    S = sg.Manifold("shear")
    U = S.chart(u, v, w, name="U")
    Q = S.chart(p, q, r, name="Q")
    inverse = {u: sp.sqrt(p), v: q / p ** (sp.S(kk) / 2), w: r - cc * sp.sqrt(p)} if explicit else None
    T = S.transition(U, Q, {p: u**2, q: v * u**kk, r: w + cc * u}, inverse=inverse)
    assert T.restricted == (sp.Gt(r, cc * sp.sqrt(p)),)
    assert Q.restrictions == T.restricted and U.restrictions == ()
    assert f"r > {cc * sp.sqrt(p)}" in repr(Q) and "restricting 'Q'" in repr(T)
    params = {c: 2} if cc == c else None
    assert Q.contains([1, 1, 3], params) and not Q.contains([1, 1, 1], params)


def test_shear_numeric_flow_refuses_and_stops_at_the_restriction():
    S = sg.Manifold("shear")
    U, Q = S.chart(u, v, w, name="U"), S.chart(p, q, r, name="Q")
    S.transition(U, Q, {p: u**2, q: v * u**k, r: w + c * u})
    cost = sg.Scalar(S, U, (u - 1) ** 2 + (v - 1) ** 2 + (w + 3) ** 2)  # pulls w below 0
    flow = sg.GradientFlow(cost, sg.euclidean(U))
    with pytest.raises(sg.UnboundParameterError, match="r > c"):
        flow.numeric(Q, params={k: 3})
    num = flow.numeric(Q, params={k: 3, c: 2})
    with pytest.raises(sg.DomainError, match=r"r > c\*sqrt\(p\)"):
        num([1.0, 1.0, 1.0])
    sol = num.integrate([1.0, 1.0, 4.0], t_span=(0, 10))
    assert sol.status == 1 and "r > c*sqrt(p)" in sol.message
    end = sol.y[-1]
    assert 0 < end[2] - 2 * np.sqrt(end[0]) < 1e-8 and num.contains(end)
    steps = num.iterate([1.0, 1.0, 4.0], n_steps=50, dt=0.1)
    assert steps.status == 1 and "r > c*sqrt(p) does not hold" in steps.message


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, match",
    [
        ([p1 + 1], "not an inequality"),
        ([sp.Eq(p1, p2)], "not an inequality"),
        ([sp.true], "always true"),
        ([a < 1], "coordinate.*another chart"),
        ([k < 1], "none of its coordinates"),
        ([p1 + p2 > 3], "holds at no random point"),
        ([p1 > sp.Rational(2, 3), p2 > sp.Rational(2, 3), p1 + p2 < 1], "hold together at no"),
        (p1 < 1, "must be a list"),
    ],
)
def test_restriction_validation(bad, match):
    M = sg.Manifold("simplex")
    M.chart(a, b, name="L")
    with pytest.raises(sg.ChartError, match=match):
        M.chart(p1, p2, domain=UNIT, restrictions=bad, name="P")


def test_second_transition_with_another_restriction_names_both():
    x, y, z = sp.symbols("x y z", positive=True)
    M = sg.Manifold("half-line")
    X, Y, Z = M.chart(x, name="X"), M.chart(y, name="Y"), M.chart(z, name="Z")
    T = M.transition(X, Y, {y: x + 1})
    assert T.restricted == (y > 1,) and "y > 1" in repr(Y)
    M.transition(Z, Y, {y: z + 1})  # the same image: nothing new to restrict
    t = sp.Symbol("t", positive=True)
    W = M.chart(t, name="W")
    with pytest.raises(sg.TransitionError, match=r"'W' -> 'Y'.*y > 2.*'X' -> 'Y' \(which restricted it to y > 1\)"):
        M.transition(W, Y, {y: t + 2})
    assert Y.restrictions == (y > 1,)


def test_restricting_a_chart_joined_already_names_the_transition():
    x, y, z = sp.symbols("x y z", positive=True)
    M = sg.Manifold("half-line")
    X, Y, Z = M.chart(x, name="X"), M.chart(y, name="Y"), M.chart(z, name="Z")
    M.transition(X, Y, {y: 2 * x})
    with pytest.raises(sg.TransitionError, match=r"'Z' -> 'Y'.*y > 1.*'X' -> 'Y'"):
        M.transition(Z, Y, {y: z + 1})


# -- random points -------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    bound=st.fractions(min_value=0.2, max_value=1.8),
    seed=st.integers(0, 10_000),
    spread=st.sampled_from([1.5, _domain.WIDE]),
)
def test_sampled_points_satisfy_restrictions(bound, seed, spread):
    limit = sp.Rational(bound.numerator, bound.denominator)
    rs = (p1 + p2 < limit, p1 * p2**2 <= limit)
    values = _domain.sample([p2, p1], UNIT, n=20, seed=seed, spread=spread, restrictions=rs)
    assert values[p1].shape == (20,)
    assert np.all(values[p1] + values[p2] < float(limit))
    assert np.all(values[p1] * values[p2] ** 2 <= float(limit))
    again = _domain.sample([p1, p2], UNIT, n=20, seed=seed, spread=spread, restrictions=rs)
    assert all(np.array_equal(values[s], again[s]) for s in (p1, p2))
