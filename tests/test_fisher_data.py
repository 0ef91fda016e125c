"""The Fisher metric of a conditional model over a data set, and the empirical Fisher metric."""

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.information._data import DataError, IdentifiabilityError
from symgrad.information.fisher import empirical_fisher

w1, w2, x1, x2, y = sp.symbols("w1 w2 x1 x2 y", real=True)
s = sp.Symbol("s", positive=True)
W = sg.Manifold("weights").chart(w1, w2)
z = w1 * x1 + w2 * x2
LOGISTIC = sg.Bernoulli(1 / (1 + sp.exp(-z)))
POISSON = sg.Poisson(rate=sp.exp(z))
ROWS = {x1: [1, 0, 2], x2: [0, 1, -1]}


def _at(matrix, point):
    """A sympy matrix in w1, w2 (and s) as floats at ``point``."""
    return np.array(sp.Matrix(matrix).subs(point).evalf(30).tolist(), dtype=float)


def _hand(term):
    """The sum over ROWS of ``term(a, b)``, a 2x2 matrix in the row's inputs a, b."""
    return sum((term(a, b) for a, b in zip(ROWS[x1], ROWS[x2])), sp.zeros(2, 2))


def _is_zero(matrix):
    return all(sp.simplify(e.rewrite(sp.exp)) == 0 for e in matrix)


# -- closed forms against hand-written sums ----------------------------------------------------


def test_logistic_regression_is_the_sum_of_p_one_minus_p_x_xT():
    F = sg.fisher_metric(LOGISTIC, W, data=ROWS)

    def term(a, b):
        p = 1 / (1 + sp.exp(-(a * w1 + b * w2)))
        return p * (1 - p) * sp.Matrix([[a * a, a * b], [a * b, b * b]])

    assert _is_zero(F.components() - _hand(term))
    assert F.checked == "symbolic"


def test_poisson_regression_is_the_sum_of_rate_x_xT():
    F = sg.fisher_metric(POISSON, W, data=ROWS)
    hand = _hand(lambda a, b: sp.exp(a * w1 + b * w2) * sp.Matrix([[a * a, a * b], [a * b, b * b]]))
    assert _is_zero(F.components() - hand)


def test_linear_regression_with_a_noise_parameter_is_XtX_over_s2():
    F = sg.fisher_metric(sg.Normal(mean=z, std=s), W, data=ROWS)
    X = sp.Matrix([ROWS[x1], ROWS[x2]]).T
    assert _is_zero(F.components() - X.T * X / s**2)


def test_mean_is_the_sum_over_the_number_of_rows():
    total = sg.fisher_metric(POISSON, W, data=ROWS).components()
    mean = sg.fisher_metric(POISSON, W, data=ROWS, reduce="mean").components()
    assert _is_zero(3 * mean - total)


def test_repeated_rows_count_as_often_as_they_occur():
    once = sg.fisher_metric(POISSON, W, data={x1: [1, 0], x2: [0, 1]}).components()
    twice = sg.fisher_metric(POISSON, W, data={x1: [1, 0, 1], x2: [0, 1, 0]}).components()
    assert _is_zero(twice - once - sp.Matrix([[sp.exp(w1), 0], [0, 0]]))


def test_empirical_logistic_is_the_sum_of_squared_residuals_x_xT():
    ys = [1, 0, 0]
    E = empirical_fisher(LOGISTIC, W, data=ROWS, outputs=ys)

    def hand():
        total = sp.zeros(2, 2)
        for a, b, yi in zip(ROWS[x1], ROWS[x2], ys):
            p = 1 / (1 + sp.exp(-(a * w1 + b * w2)))
            total += (yi - p) ** 2 * sp.Matrix([[a * a, a * b], [a * b, b * b]])
        return total

    assert _is_zero(E.components() - hand())
    # the outputs as a column of data= give the same
    same = empirical_fisher(LOGISTIC, W, data={**ROWS, y: ys}, outputs=y)
    assert same.components() == E.components()


def test_the_results_are_tensors():
    u1, u2 = sp.symbols("u1 u2", real=True)
    M = sg.Manifold("weights, rotated")
    A, B = M.chart(w1, w2), M.chart(u1, u2)
    M.transition(A, B, {u1: w1 + w2, u2: w1 - w2})
    F = sg.fisher_metric(POISSON, A, data=ROWS)
    rewritten = POISSON.rate.subs({w1: (u1 + u2) / 2, w2: (u1 - u2) / 2}, simultaneous=True)
    G = sg.fisher_metric(sg.Poisson(rate=rewritten), B, data=ROWS)
    assert _is_zero(F.components(B) - G.components())


# -- against numpy and Monte Carlo -------------------------------------------------------------

RNG_X = np.random.default_rng(7).normal(size=(40, 2))
POINT = {w1: 0.7, w2: -1.3}


def _sigmoid(t):
    return 1 / (1 + np.exp(-t))


def test_logistic_regression_matches_numpy():
    X = RNG_X
    F = sg.fisher_metric(LOGISTIC, W, data={x1: X[:, 0], x2: X[:, 1]}, check=False)
    p = _sigmoid(X @ np.array([POINT[w1], POINT[w2]]))
    expected = X.T @ (X * (p * (1 - p))[:, None])
    np.testing.assert_allclose(_at(F.components(), POINT), expected, rtol=1e-10)


def test_poisson_regression_mean_matches_numpy():
    X = RNG_X
    F = sg.fisher_metric(POISSON, W, data={x1: list(X[:, 0]), x2: list(X[:, 1])}, reduce="mean", check=False)
    rate = np.exp(X @ np.array([POINT[w1], POINT[w2]]))
    expected = X.T @ (X * rate[:, None]) / len(X)
    np.testing.assert_allclose(_at(F.components(), POINT), expected, rtol=1e-10)


def test_empirical_poisson_matches_numpy():
    X = RNG_X[:12]
    ys = np.random.default_rng(3).poisson(2.0, size=len(X))
    E = empirical_fisher(POISSON, W, data={x1: X[:, 0], x2: X[:, 1]}, outputs=ys, check=False)
    residual = ys - np.exp(X @ np.array([POINT[w1], POINT[w2]]))
    expected = X.T @ (X * (residual**2)[:, None])
    np.testing.assert_allclose(_at(E.components(), POINT), expected, rtol=1e-10)


@pytest.mark.parametrize("family", [LOGISTIC, POISSON], ids=["logistic", "poisson"])
def test_empirical_fisher_averages_to_the_fisher_metric_at_the_true_parameters(family):
    # outputs drawn from the model at the true weights: E[empirical] = Fisher there
    inputs = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    X = np.repeat(inputs, 500, axis=0)
    truth = {w1: 0.4, w2: -0.3}
    linear = X @ np.array([truth[w1], truth[w2]])
    rng = np.random.default_rng(11)
    ys = (rng.random(len(X)) < _sigmoid(linear)).astype(int) if family is LOGISTIC else rng.poisson(np.exp(linear))
    data = {x1: X[:, 0], x2: X[:, 1]}
    F = _at(sg.fisher_metric(family, W, data=data, reduce="mean", check=False).components(), truth)
    E = _at(empirical_fisher(family, W, data=data, outputs=ys, reduce="mean", check=False).components(), truth)
    np.testing.assert_allclose(E, F, rtol=0.15, atol=0.02 * np.abs(F).max())
    # away from the truth, where the model fits the observations worse, they differ
    far = {w1: 3.0, w2: 3.0}
    E_far = _at(empirical_fisher(family, W, data=data, outputs=ys, reduce="mean", check=False).components(), far)
    F_far = _at(sg.fisher_metric(family, W, data=data, reduce="mean", check=False).components(), far)
    assert not np.allclose(E_far, F_far, rtol=0.5)


# -- refusals ------------------------------------------------------------------------------------


def test_collinear_inputs_are_refused_with_the_direction_they_cannot_see():
    with pytest.raises(IdentifiabilityError, match=r"collinear.*\(w1, w2\) ∝ \(1, -1/2\).*euclidean") as err:
        sg.fisher_metric(LOGISTIC, W, data={x1: [1, 2, -3], x2: [2, 4, -6]})
    assert isinstance(err.value, sg.NotPositiveDefiniteError)
    assert isinstance(err.value, sg.FamilyError)
    with pytest.raises(IdentifiabilityError, match="collinear"):
        sg.fisher_metric(POISSON, W, data={x1: [0.5, 1.5, -1.0], x2: [1.0, 3.0, -2.0]})


def test_fewer_rows_than_parameters_are_refused():
    with pytest.raises(IdentifiabilityError, match="fewer distinct rows than parameters"):
        sg.fisher_metric(LOGISTIC, W, data={x1: [1], x2: [2]})
    with pytest.raises(IdentifiabilityError, match="fewer distinct rows than parameters"):
        sg.fisher_metric(LOGISTIC, W, data={x1: [1, 1, 1], x2: [2, 2, 2]})
    with pytest.raises(IdentifiabilityError, match="fewer distinct rows"):
        empirical_fisher(LOGISTIC, W, data={x1: [1], x2: [2]}, outputs=[1])


def test_a_coordinate_the_data_cannot_tell_from_the_others_is_refused():
    w3 = sp.Symbol("w3", real=True)
    C = sg.Manifold("three weights").chart(w1, w2, w3)
    fam = sg.Poisson(rate=sp.exp(w1 * x1 + w2 * x2 + w3 * (x1 + x2)))
    with pytest.raises(IdentifiabilityError, match=r"rank 2, not 3.*∝ \(1, 1, -1\)"):
        sg.fisher_metric(fam, C, data={x1: [1, 0, 1, 2], x2: [0, 1, 1, 3]})


def test_check_false_returns_the_singular_sum():
    F = sg.fisher_metric(LOGISTIC, W, data={x1: [1, 2], x2: [2, 4]}, check=False)
    assert F.checked == "skipped"
    assert sp.simplify(F.components().det()) == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"data": {w1: [1, 2]}}, DataError, "coordinate"),
        ({"data": {y: [1, 2]}}, DataError, "does not use the input y"),
        ({"data": {x1: [1, 2], x2: [1]}}, DataError, "different lengths"),
        ({"data": {x1: [], x2: []}}, DataError, "no rows"),
        ({"data": {}}, DataError, "no columns"),
        ({"data": {x1: [1, "a"], x2: [1, 2]}}, DataError, "value 1 of x1"),
        ({"data": {x1: [1, float("nan")], x2: [1, 2]}}, DataError, "finite real"),
        ({"data": {x1: [1, s], x2: [1, 2]}}, DataError, "finite real"),
        ({"data": {x1: 3, x2: [1]}}, DataError, "sequence"),
        ({"data": {"x1": [1]}}, sg.ArgumentTypeError, "Symbols"),
        ({"data": [[1, 2]]}, sg.ArgumentTypeError, "dict"),
        ({"data": ROWS, "reduce": "median"}, DataError, "reduce='median'"),
        ({"reduce": "mean"}, DataError, "data="),
        ({"data": ROWS, "method": "expectation"}, sg.FamilyError, "expectation"),
    ],
)
def test_ill_formed_data_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        sg.fisher_metric(LOGISTIC, W, **kwargs)


@pytest.mark.parametrize(
    ("family", "kwargs", "match"),
    [
        (LOGISTIC, {"outputs": [1, 2, 0]}, "output 1 is 2, outside the support"),
        (POISSON, {"outputs": [1, 2.5, 0]}, "integers"),
        (POISSON, {"outputs": [1, -1, 0]}, "outside the support"),
        (LOGISTIC, {"outputs": [1, 0]}, "different lengths"),
        (LOGISTIC, {"outputs": y}, "no column"),
        (LOGISTIC, {"outputs": None}, "observed outputs"),
    ],
)
def test_ill_formed_outputs_are_refused(family, kwargs, match):
    with pytest.raises(DataError, match=match):
        empirical_fisher(family, W, data=ROWS, **kwargs)


def test_fisher_metric_without_data_is_unchanged():
    p = sp.Symbol("p", positive=True)
    P = sg.Manifold("coin").chart(p, domain={p: sp.Interval.open(0, 1)})
    assert sp.simplify(sg.fisher_metric(sg.Bernoulli(p), P).components()[0, 0] - 1 / (p * (1 - p))) == 0
    with pytest.raises(sg.NotPositiveDefiniteError):  # one Bernoulli cannot identify two weights
        sg.fisher_metric(sg.Bernoulli(1 / (1 + sp.exp(-(w1 + w2)))), W)
