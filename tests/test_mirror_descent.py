"""Hessian metrics and mirror descent: the derivation's checks and hessian_metric's contract."""

import importlib.util
import pathlib

import pytest
import sympy as sp

import symgrad as sg
from symgrad.core._hessian import hessian_metric

_PATH = pathlib.Path(__file__).resolve().parents[1] / "derivations" / "mirror_descent.py"


@pytest.fixture(scope="module")
def derivation():
    spec = importlib.util.spec_from_file_location("mirror_descent", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, module.derive()


def test_derivation_checks_and_figure(derivation):
    module, results = derivation
    checks = module.checks(results)
    assert checks and all(checks.values()), [k for k, v in checks.items() if not v]
    fig = module.figure(results)
    assert len(fig.axes) == 2


def test_exponentiated_gradient_rule(derivation):
    _, results = derivation
    w1, w2, eta = sp.symbols("w1 w2 eta", positive=True)
    flow = results["mirror-descent flow"]
    assert sp.cancel(flow[1] + eta * w2 * (w2 - 2 + w1 / 4)) == 0


def test_hessian_metric_chart_and_errors():
    x = sp.Symbol("x", positive=True)
    y = sp.Symbol("y", real=True)
    M = sg.Manifold("half-line")
    X, Y = M.chart(x), M.chart(y)
    M.transition(X, Y, {y: sp.log(x)})
    psi = sg.Scalar(M, X, x * sp.log(x) - x)
    G = hessian_metric(psi)
    assert G.components() == sp.Matrix([[1 / x]])
    # the Hessian in another chart is another metric: exp(y) * y - exp(y) has Hessian y e^y, not convex for y < 0
    with pytest.raises(sg.NotPositiveDefiniteError, match="strictly convex"):
        hessian_metric(psi, Y)
    with pytest.raises(sg.ArgumentTypeError, match="Scalar"):
        hessian_metric(x**2)
    with pytest.raises(sg.ArgumentTypeError, match="Chart"):
        hessian_metric(psi, "X")
    assert hessian_metric(sg.Scalar(M, X, x), check=False).checked == "skipped"
