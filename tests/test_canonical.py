"""Canonical forms: a printed flow does not depend on the chart it was computed in."""

import sympy as sp

import symgrad as sg
from symgrad.core.linalg import solve_fractions

k, r, eta = sp.symbols("k r eta", positive=True)
a, b = sp.symbols("a b", real=True)


def _gamma_charts():
    M = sg.Manifold("gamma family")
    K = M.chart(k, r, name="shape-rate")
    L = M.chart(a, b, name="log")
    M.transition(K, L, {a: sp.log(k), b: sp.log(r)})
    return M, K, L


def test_gamma_natural_gradient_prints_the_same_whichever_chart_computed_it():
    M, K, L = _gamma_charts()
    cost = sg.Scalar(M, K, sg.kl_divergence(sg.Gamma(k, r), sg.Gamma(2, 1)))
    in_K = sg.GradientFlow(cost, sg.fisher_metric(sg.Gamma(shape=k, rate=r), K), rate=eta)
    in_L = sg.GradientFlow(cost, sg.fisher_metric(sg.Gamma(shape=sp.exp(a), rate=sp.exp(b)), L), rate=eta)
    assert list(in_L.components(L)) == list(in_K.components(L))
    assert list(in_L.components(L)) == [eta * (2 - sp.exp(a)) * sp.exp(-a), eta * (1 - sp.exp(b)) * sp.exp(-b)]
    assert sg.to_latex(in_L, L) == sg.to_latex(in_K, L)
    assert "psi" not in sg.to_latex(in_L, L)  # the common factor e^a psi'(e^a) - 1 is cancelled


def test_the_solve_cancels_factors_in_powers_of_exp():
    # exp(2 a) is exp(a)**2 to the solve: the solution (1, exp(a)) comes back reduced, not as
    # a fraction with the factor 2 exp(2 a) psi'(e^a) - exp(2 a) above and below
    E = sp.exp(a)
    A = sp.Matrix([[sp.exp(2 * a) * sp.polygamma(1, E), E], [E, 2]])  # polygamma: sympy's expression domain
    assert solve_fractions(A, A * sp.Matrix([1, E])) == [(1, 1), (E, 1)]


def test_products_of_exponentials_are_one_exponential():
    a, b = sp.symbols("a b", real=True)
    M = sg.Manifold("plane")
    A = M.chart(a, b)
    cost = sg.Scalar(M, A, sp.exp(a - b) + a**2)
    flow = sg.GradientFlow(cost, sg.diagonal(A, [sp.exp(b), sp.exp(-a)]), rate=1)
    assert [str(e) for e in flow.components(A)] == ["-(2*a + exp(a - b))*exp(-b)", "exp(2*a - b)"]
    assert not any(
        e.is_Mul and sum(isinstance(f, sp.exp) for f in e.args) > 1 for e in sp.preorder_traversal(flow.components(A))
    )


def test_sums_whose_terms_do_not_depend_on_the_index_are_evaluated():
    from symgrad.simplify import simplify_expr

    a = sp.Symbol("a", real=True)
    i, N = sp.symbols("i N", integer=True, positive=True)
    M = sg.Manifold("line")
    A = M.chart(a)
    flow = sg.GradientFlow(sg.Scalar(M, A, sp.Sum(1, (i, 1, N)) * a**2), sg.euclidean(A), rate=1)
    assert flow.components(A)[0] == -2 * N * a
    assert simplify_expr(sp.Sum(3, (i, 1, N)) + sp.Sum(i, (i, 1, N))) == 3 * N + sp.Sum(i, (i, 1, N))


def test_products_of_sums_are_factored_out_with_readable_signs():
    from symgrad.simplify import negate, simplify_expr

    p, q, m = sp.symbols("p q m", positive=True)
    assert str(simplify_expr(p * q * (-m * p + m + p**2 * q - p * q))) == "p*q*(1 - p)*(m - p*q)"
    assert str(simplify_expr(p - p**2)) == "p*(1 - p)"
    # a sum that does not split, or splits into something longer, stays expanded
    assert str(simplify_expr(p**2 + 2 * p * q + q**2 + 1)) == "p**2 + 2*p*q + q**2 + 1"
    assert str(simplify_expr(p**2 - 1)) == "p**2 - 1"  # (p - 1)*(p + 1) is no shorter
    for e in [p - p**2, 2 * p * (p**2 - 4 * p / 3 + sp.Rational(1, 3)), (p - 1) ** 2 * (p - 2) / (q + 1)]:
        s = simplify_expr(e)
        assert sp.expand(s - e) == 0
        assert negate(s) == simplify_expr(-s)  # the shortcut agrees with simplifying again


def test_the_bernoulli_natural_gradient_shows_p_one_minus_p_whichever_chart_computed_it():
    p = sp.Symbol("p", positive=True)
    z = sp.Symbol("z", real=True)
    M = sg.Manifold("coin")
    P = M.chart(p, domain={p: sp.Interval.open(0, 1)})
    Z = M.chart(z)
    M.transition(P, Z, {z: sp.log(p / (1 - p))})
    cost = sg.Scalar(M, P, -3 * sp.log(p) - p**2)
    F = sg.fisher_metric(sg.Bernoulli(p), P)
    in_P = sg.GradientFlow(cost, F, rate=eta)
    in_Z = sg.GradientFlow(cost, F, rate=eta, chart=Z)
    assert in_P.components(P) == in_Z.components(P)
    assert in_P.components(P)[0] == eta * (1 - p) * (2 * p**2 + 3)
    assert "(1 - p)" in str(in_P.components(P)[0])
