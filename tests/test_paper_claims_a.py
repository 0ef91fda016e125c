"""The one-dimensional example's closed forms, the paper's misprints, and claims 1 and 2.

Claim 1: Newton's method in coordinates depends on the chart, the Riemannian Newton flow
does not.  Claim 2: the discrete update (Eq 1) is chart independent only to first order in
the rate.  The expected closed forms are written out here by hand; symbols are matched to
the derivations' by name and assumptions.
"""

import numpy as np
import pytest
import sympy as sp

from symgrad.paper import discrete_update, misprints, newton_chart, one_dimensional

ETA = sp.Symbol("eta", positive=True)
T = sp.Symbol("t", nonnegative=True)
XT = sp.Symbol("xt", positive=True)
MU = sp.Symbol("mu", real=True)
SIGMA = sp.Symbol("sigma", positive=True)


def zero(expr):
    """Exactly zero: every entry of ``expr`` cancels (or simplifies) to 0."""
    entries = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    return all(sp.cancel(e) == 0 or sp.simplify(e) == 0 for e in entries)


def growth(expr):
    """``expr`` with exp(8 eta t) = 1 + y, y >= 0 (exact for eta > 0, t >= 0), so square roots compare."""
    y = sp.Symbol("y", nonnegative=True)
    return expr.subs(
        {sp.exp(4 * ETA * T): sp.sqrt(1 + y), sp.exp(8 * ETA * T): 1 + y, sp.exp(-8 * ETA * T): 1 / (1 + y)}
    )


# -- the one-dimensional example: canonical closed forms -------------------------------------------


@pytest.fixture(scope="module")
def one_d():
    r = one_dimensional.derive()
    return r, one_dimensional.checks(r)


def test_one_dimensional_checks_pass(one_d):
    r, checks = one_d
    assert len(checks) >= 6 and all(checks.values()), [k for k, v in checks.items() if not v]


def test_one_dimensional_sqrt_chart_solution_is_printed_in_its_simplest_form(one_d):
    r, _ = one_d
    xt_t = r["xt(t), naive in sqrt chart, xt(0) = sqrt(2)"]
    square = r["xt(t)^2, naive in sqrt chart, xt(0)^2 = 2"]
    assert sp.sstr(xt_t) == "1/sqrt(1 - exp(-8*eta*t)/2)"
    assert sp.sstr(square) == "1/(1 - exp(-8*eta*t)/2)"
    assert xt_t == 1 / sp.sqrt(1 - sp.exp(-8 * ETA * T) / 2)
    assert square == 1 / (1 - sp.exp(-8 * ETA * T) / 2)


def test_one_dimensional_sqrt_chart_solution_solves_the_flow_and_equals_dsolves(one_d):
    r, _ = one_d
    xt_t = 1 / sp.sqrt(1 - sp.exp(-8 * ETA * T) / 2)
    rhs = -4 * ETA * XT * (XT**2 - 1)  # the naive flow of the sqrt chart, by hand
    assert zero(sp.diff(xt_t, T) - rhs.subs(XT, xt_t)) and xt_t.subs(T, 0) == sp.sqrt(2)
    # dsolve's own form of the same solution, as it prints it
    printed_by_dsolve = sp.sqrt(-1 / (sp.Rational(1, 2) - sp.exp(8 * ETA * T))) * sp.exp(4 * ETA * T)
    assert zero(growth(printed_by_dsolve - r["xt(t), naive in sqrt chart, xt(0) = sqrt(2)"]))
    assert not zero(growth(printed_by_dsolve + r["xt(t), naive in sqrt chart, xt(0) = sqrt(2)"]))
    # the module's substitution agrees, and does not make a wrong answer right
    assert zero(one_dimensional.in_growth(printed_by_dsolve - xt_t, ETA, T))
    assert not zero(one_dimensional.in_growth(printed_by_dsolve - xt_t**2, ETA, T))


def test_one_dimensional_checks_catch_a_wrong_solution(one_d):
    r, _ = one_d
    wrong = dict(r)
    wrong["xt(t)^2, naive in sqrt chart, xt(0)^2 = 2"] = 1 / (sp.exp(-8 * ETA * T) / 2 + 1)
    checks = one_dimensional.checks(wrong)
    assert not all(checks.values())


# -- the misprints ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mis():
    r = misprints.derive()
    return r, misprints.checks(r)


def test_misprints_checks_pass(mis):
    r, checks = mis
    assert len(checks) >= 10 and all(checks.values()), [k for k, v in checks.items() if not v]


def test_misprints_a_the_square_of_the_sqrt_chart_solution(mis):
    r, _ = mis
    corrected = r["x(t) = xt(t)^2, naive flow in sqrt chart, x(0) = 2"]
    printed = r["printed: x(t) = xt(t)^2"]
    assert corrected == 1 / (1 - sp.exp(-8 * ETA * T) / 2)
    assert printed == 1 / (sp.exp(-8 * ETA * T) / 2 + 1)
    assert corrected.subs(T, 0) == 2 and printed.subs(T, 0) == sp.Rational(2, 3)
    x = sp.Symbol("x", positive=True)
    flow_in_x = 8 * ETA * x * (1 - x)  # the naive flow of sqrt(x), seen in x, by hand
    for u in (corrected, printed):  # both solve it; only the corrected one starts at x(0) = 2
        assert zero(sp.diff(u, T) - flow_in_x.subs(x, u))
    f = sp.lambdify(T, [corrected.subs(ETA, 1), printed.subs(ETA, 1)])
    got_c, got_p = f(0.1)
    want = 1 / (1 - np.exp(-0.8) / 2)
    assert np.isclose(got_c, want, rtol=1e-14) and not np.isclose(got_p, want, rtol=1e-2)


def test_misprints_b_the_factor_carrying_the_x_flow_to_the_sqrt_chart(mis):
    r, _ = mis
    assert zero(r["factor carrying -C'(x) to the sqrt chart, dxt/dx"] - 1 / (2 * XT))
    assert zero(r["printed: factor carrying -C'(x) to the sqrt chart"] + 4 * XT * (XT**2 - 1))
    assert zero(r["naive x flow in sqrt chart, (dxt/dx) (-eta C'(x))"] - ETA * (1 / XT - XT))
    assert not zero(r["printed factor times -eta C'(x)"] - ETA * (1 / XT - XT))
    # by hand: -C'(x) at x = xt^2 is -2 (xt^2 - 1); times 1/(2 xt) it is 1/xt - xt
    assert zero(1 / (2 * XT) * (-2 * (XT**2 - 1)) - (1 / XT - XT))


def test_misprints_d_eq1_is_an_euler_step_with_the_flows_rate(mis):
    r, _ = mis
    dC = sp.Matrix([(MU - 4) / SIGMA**2, 1 / SIGMA - (4 + (MU - 4) ** 2) / SIGMA**3])  # KL to N(4, 2^2)
    fisher_inverse = sp.diag(SIGMA**2, SIGMA**2 / 2)
    eq1 = sp.Matrix([MU, SIGMA]) - ETA * fisher_inverse * dC
    assert zero(r["Eq 1, Fisher metric, (mu, sigma): x_{k+1}"] - eq1)
    printed = r["printed: Eq 1 with rate eta~"]
    (eta_tilde,) = printed.free_symbols - {MU, SIGMA}
    assert zero(printed.subs(eta_tilde, ETA) - eq1) and not zero(printed - eq1)


def test_misprints_notes_table(mis):
    r, _ = mis
    text = misprints.notes(r)
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert rows[0] == "| where | printed | corrected | check |"
    assert len(rows) == 2 + 4 and all(row.count("|") == 5 for row in rows)
    assert "wicket-map" in text and "wicked map" in text
    assert r"1/(e^{-8\eta t}/2 + 1)" in text and r"1/(1 - e^{-8\eta t}/2)" in text


def test_misprints_checks_fail_on_the_printed_forms(mis):
    r, _ = mis
    swapped = dict(r)
    swapped["x(t) = xt(t)^2, naive flow in sqrt chart, x(0) = 2"] = r["printed: x(t) = xt(t)^2"]
    swapped["factor carrying -C'(x) to the sqrt chart, dxt/dx"] = r["printed: factor carrying -C'(x) to the sqrt chart"]
    swapped["Eq 1, Fisher metric, (mu, sigma): x_{k+1}"] = r["printed: Eq 1 with rate eta~"]
    checks = misprints.checks(swapped)
    for tag in ("(a) corrected x(t) = ", "(b) dxt/dx", "(b) (dxt/dx)(-eta C'(x))", "(d) one Euler step"):
        (statement,) = [k for k in checks if k.startswith(tag)]
        assert not checks[statement], statement


# -- claim 1: Newton's method and the chart ---------------------------------------------------------


@pytest.fixture(scope="module")
def newton():
    r = newton_chart.derive()
    return r, newton_chart.checks(r)


def test_newton_chart_checks_pass(newton):
    r, checks = newton
    assert len(checks) >= 7 and all(checks.values()), [k for k, v in checks.items() if not v]


def _coordinate_newton_by_hand(cost, coords):
    H = sp.hessian(cost, coords)
    return H, sp.Matrix([sp.diff(cost, c) for c in coords])


def test_coordinate_newton_flows_by_hand(newton):
    r, _ = newton
    s, tau = sp.Symbol("s", positive=True), sp.Symbol("tau", positive=True)
    a = 4 + (MU - 4) ** 2
    costs = {
        "(mu, sigma)": (sp.log(SIGMA / 2) + a / (2 * SIGMA**2) - sp.Rational(1, 2), [MU, SIGMA]),
        "(mu, s)": (sp.log(s) / 2 - sp.log(2) + a / (2 * s) - sp.Rational(1, 2), [MU, s]),
        "(mu, tau)": (-sp.log(tau) / 2 - sp.log(2) + a * tau / 2 - sp.Rational(1, 2), [MU, tau]),
    }
    for label, (cost, coords) in costs.items():
        H, dC = _coordinate_newton_by_hand(cost, coords)
        v = r[f"coordinate Newton flow of {label}, in {label}"]
        assert zero(H * v + dC), label  # H v = -dC: the Newton direction of that chart
    # carried to (mu, sigma) by the vector rule: d sigma = d s / (2 sigma) = -sigma^3 d tau / 2
    v_s = r["coordinate Newton flow of (mu, s), in (mu, s)"].subs(s, SIGMA**2)
    v_tau = r["coordinate Newton flow of (mu, tau), in (mu, tau)"].subs(tau, SIGMA**-2)
    assert zero(
        r["coordinate Newton flow of (mu, s), carried to (mu, sigma)"] - sp.Matrix([v_s[0], v_s[1] / (2 * SIGMA)])
    )
    assert zero(
        r["coordinate Newton flow of (mu, tau), carried to (mu, sigma)"]
        - sp.Matrix([v_tau[0], -(SIGMA**3) * v_tau[1] / 2])
    )
    # three different vector fields: they differ at a point
    flows = [
        r["coordinate Newton flow of (mu, sigma), in (mu, sigma)"],
        r["coordinate Newton flow of (mu, s), carried to (mu, sigma)"],
        r["coordinate Newton flow of (mu, tau), carried to (mu, sigma)"],
    ]
    at = {MU: 3, SIGMA: sp.Rational(3, 2)}
    values = [f.subs(at) for f in flows]
    assert values[0] != values[1] and values[0] != values[2] and values[1] != values[2]


def test_riemannian_newton_flow_by_hand(newton):
    r, _ = newton
    cost = sp.log(SIGMA / 2) + (4 + (MU - 4) ** 2) / (2 * SIGMA**2) - sp.Rational(1, 2)
    d = [sp.diff(cost, MU), sp.diff(cost, SIGMA)]
    # Christoffel symbols of the Fisher metric diag(1, 2)/sigma^2: Gamma[k][i][j]
    gamma = [[[0, -1 / SIGMA], [-1 / SIGMA, 0]], [[1 / (2 * SIGMA), 0], [0, -1 / SIGMA]]]
    coords = [MU, SIGMA]
    hess = sp.Matrix(
        2, 2, lambda i, j: sp.diff(cost, coords[i], coords[j]) - sum(gamma[k][i][j] * d[k] for k in range(2))
    )
    a = (MU - 4) ** 2
    expected = sp.Matrix(
        [
            -(SIGMA**2) * (MU - 4) * (a + SIGMA**2 + 4) / ((a + 4) ** 2 + 4 * SIGMA**2),
            SIGMA * ((a + 4) ** 2 - 2 * SIGMA**2 * a - SIGMA**4) / (2 * ((a + 4) ** 2 + 4 * SIGMA**2)),
        ]
    )
    assert zero(hess * expected + sp.Matrix(d))
    for label in ("(mu, sigma)", "(mu, s)", "(mu, tau)"):
        got = r[f"Riemannian Newton flow (Fisher) computed in {label}, carried to (mu, sigma)"]
        assert zero(got - expected), label
        assert got == r["Riemannian Newton flow (Fisher) computed in (mu, sigma), carried to (mu, sigma)"]


# -- claim 2: the discrete update to first order ----------------------------------------------------


@pytest.fixture(scope="module")
def discrete():
    r = discrete_update.derive()
    return r, discrete_update.checks(r)


def test_discrete_update_checks_pass(discrete):
    r, checks = discrete
    assert len(checks) >= 7 and all(checks.values()), [k for k, v in checks.items() if not v]


def test_discrete_update_eta2_coefficient_by_hand(discrete):
    r, _ = discrete
    v_sigma = ((MU - 4) ** 2 + 4 - SIGMA**2) / (2 * SIGMA)  # the Fisher flow's sigma component, rate 1
    # x(y) = (mu, sqrt(s)): d^2 sigma/ds^2 = -1/(4 s^(3/2)); the step in s is w_s = 2 sigma v_sigma
    expected = sp.Rational(1, 2) * (-1 / (4 * SIGMA**3)) * (2 * SIGMA * v_sigma) ** 2
    assert zero(expected + v_sigma**2 / (2 * SIGMA))
    assert zero(r["eta^2 coefficient of the discrepancy"] - sp.Matrix([0, expected]))
    discrepancy = sp.sqrt(SIGMA**2 + 2 * ETA * SIGMA * v_sigma) - SIGMA - ETA * v_sigma
    assert zero(r["discrepancy: step in (mu, s) minus step in (mu, sigma)"] - sp.Matrix([0, discrepancy]))
    assert zero(sp.series(discrepancy, ETA, 0, 3).removeO() - ETA**2 * expected)


def test_discrete_update_one_step_slope_is_two():
    # measured independently of the module: one step from (3, 1.5) in each chart
    mu, sigma = 3.0, 1.5
    v_sigma = ((mu - 4) ** 2 + 4 - sigma**2) / (2 * sigma)  # the mu steps agree exactly
    etas = 10.0 ** np.arange(-1.0, -4.01, -0.5)
    in_sigma = sigma + etas * v_sigma
    in_s = np.sqrt(sigma**2 + etas * 2 * sigma * v_sigma)  # the flow in s is 2 sigma v_sigma
    slope = np.polyfit(np.log(etas), np.log(np.abs(in_s - in_sigma)), 1)[0]
    assert abs(slope - 2) < 0.05
    assert np.isclose(abs(in_s - in_sigma)[-1] / etas[-1] ** 2, v_sigma**2 / (2 * sigma), rtol=1e-3)


def test_discrete_update_global_slope_is_one():
    etas, one, many = discrete_update._measure()
    slope_one = np.polyfit(np.log(etas), np.log(one), 1)[0]
    slope_many = np.polyfit(np.log(etas), np.log(many), 1)[0]
    assert abs(slope_one - 2) < 0.05 and abs(slope_many - 1) < 0.05
