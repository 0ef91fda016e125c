"""The 'beyond steepest descent' derivations: closed forms, and every check passes."""

import numpy as np
import pytest
import sympy as sp

from symgrad.paper import gradient_or_not, metric_fitting, second_order


def same(a, b):
    """Symbolic equality of expressions or matrices (cancel, then simplify if needed)."""
    diff = sp.Matrix(a) - sp.Matrix(b) if isinstance(a, sp.MatrixBase) else sp.Matrix([a - b])
    return all(sp.cancel(e) == 0 or sp.simplify(e) == 0 for e in diff)


eta = sp.Symbol("eta", positive=True)
mu = sp.Symbol("mu", real=True)
sigma, s = sp.symbols("sigma s", positive=True)
x, y = sp.symbols("x y", real=True)


@pytest.fixture(scope="module")
def gradient_results():
    return gradient_or_not.derive()


@pytest.fixture(scope="module")
def fitting_results():
    return metric_fitting.derive()


@pytest.fixture(scope="module")
def second_results():
    return second_order.derive()


def _constant_in(expr, symbols):
    return all(sp.simplify(sp.diff(expr, v)) == 0 for v in symbols)


def test_gradient_or_not_closed_forms(gradient_results):
    r = gradient_results
    kl = sp.log(sigma / 2) + (4 + (mu - 4) ** 2) / (2 * sigma**2) - sp.Rational(1, 2)
    assert same(r["KL cost in (mu, sigma)"], kl)
    assert same(
        r["Fisher flow in (mu, sigma)"], sp.Matrix([eta * (4 - mu), eta * ((mu - 4) ** 2 + 4 - sigma**2) / (2 * sigma)])
    )
    assert _constant_in(r["cost recovered from the Fisher flow, Fisher metric"] - eta * kl, (mu, sigma))
    assert same(
        r["obstruction d(G v) of the naive (mu, s) flow, Fisher metric"], eta * (mu - 4) * (1 - 4 * s) / (2 * s**4)
    )
    kl_s = sp.log(s) / 2 + (4 + (mu - 4) ** 2) / (2 * s)
    assert _constant_in(
        r["cost recovered from the naive (mu, s) flow, Euclidean metric of (mu, s)"] - eta * kl_s, (mu, s)
    )
    assert r["obstruction of the rotation, Euclidean metric"] == 2
    assert r["obstruction of the spiral sink, Euclidean metric"] == 2
    G = r["metric making the spiral sink the gradient flow of |x|^2"]
    assert same(G * sp.Matrix([-x - y, x - y]), -sp.Matrix([2 * x, 2 * y]))
    assert same(G, G.T)
    assert same(r["cost recovered from the spiral sink, constructed metric"], x**2 + y**2)


def test_metric_fitting_closed_forms(fitting_results):
    r = fitting_results
    assert same(
        r["true metric in (mu, sigma)"],
        sp.diag(sp.Rational(3, 10) + sp.Rational(7, 10) / sigma**2, sp.Rational(3, 10) + sp.Rational(7, 5) / sigma**2),
    )
    assert abs(float(r["fitted weight of the Euclidean metric"]) - 0.3) < 0.02
    assert abs(float(r["fitted weight of the Fisher metric"]) - 0.7) < 0.02
    res = {n: float(r[f"residual, {n}"]) for n in metric_fitting._NAMES}
    assert min(res, key=res.get) == "Euclidean + Fisher"


def test_metric_fitting_is_seeded():
    X1, V1 = metric_fitting.data()
    X2, V2 = metric_fitting.data()
    assert np.array_equal(X1, X2) and np.array_equal(V1, V2)


def test_second_order_closed_forms(second_results):
    r = second_results
    G = r["Christoffel symbols Gamma[k, i, j] in (mu, sigma)"]
    assert [[[sp.cancel(G[k, i, j]) for j in range(2)] for i in range(2)] for k in range(2)] == [
        [[0, -1 / sigma], [-1 / sigma, 0]],
        [[1 / (2 * sigma), 0], [0, -1 / sigma]],
    ]
    H = r["Riemannian Hessian of the KL cost"]
    assert same(
        H,
        sp.Matrix(
            [
                [((mu - 4) ** 2 + 4 + sigma**2) / (2 * sigma**4), (4 - mu) / sigma**3],
                [(4 - mu) / sigma**3, 2 * ((mu - 4) ** 2 + 4) / sigma**4],
            ]
        ),
    )
    assert same(r["determinant of the Riemannian Hessian"], (((mu - 4) ** 2 + 4) ** 2 + 4 * sigma**2) / sigma**8)
    assert same(r["natural-gradient (Fisher) flow"], sp.Matrix([4 - mu, ((mu - 4) ** 2 + 4 - sigma**2) / (2 * sigma)]))
    # Newton: H v = -dC
    dC = sp.Matrix([(mu - 4) / sigma**2, 1 / sigma - (4 + (mu - 4) ** 2) / sigma**3])
    assert same(H * r["Riemannian Newton flow"], -dC)


@pytest.mark.parametrize(
    "module, fixture",
    [(gradient_or_not, "gradient_results"), (metric_fitting, "fitting_results"), (second_order, "second_results")],
)
def test_every_check_passes(module, fixture, request):
    results = request.getfixturevalue(fixture)
    checks = module.checks(results)
    assert checks and all(v is True for v in checks.values()), {k: v for k, v in checks.items() if v is not True}


@pytest.mark.parametrize("module", [gradient_or_not, metric_fitting, second_order])
def test_figure_builds(module, tmp_path):
    from matplotlib.figure import Figure

    fig = module.figure(module.derive())
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "f.png")
