"""Special functions (the gamma family, erf, Bessel) in generated code and in LaTeX."""

import importlib.util
import shutil
import subprocess
import types

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.numeric import _kernels

k, r, eta = sp.symbols("k r eta", positive=True)
X = sp.Symbol("x", positive=True)

# each entry: an expression of x, and whether jax and C compute it
CASES = [
    (sp.polygamma(0, X), True, False),
    (sp.polygamma(1, X), True, False),
    (sp.polygamma(3, X), True, False),
    (sp.loggamma(X), True, True),
    (sp.gamma(X), True, True),
    (sp.beta(X, X + 1), True, True),
    (sp.erf(X - 1), True, True),
    (sp.erfc(X), True, True),
    (sp.besselj(1, X), False, False),
    (sp.bessely(0, X), False, False),
    (sp.besseli(0, X), True, False),
    (sp.besseli(1, X), True, False),
    (sp.besseli(2, X), False, False),
    (sp.besselk(1, X), False, False),
]


def _line_flow(expr):
    """A one-dimensional flow whose component is -eta * (1 + expr**2)."""
    M = sg.Manifold("line")
    A = M.chart(X)
    return sg.GradientFlow(sg.Scalar(M, A, X), sg.Metric(M, A, sp.Matrix([[1 / (1 + expr**2)]])), rate=eta), A


def _module(source):
    module = types.ModuleType("generated")
    exec(compile(source, "generated.py", "exec"), module.__dict__)
    return module


def _reference(flow, chart, points, values):
    return np.array(
        [
            [float(e.subs({**dict(zip(chart.coords, p)), **values}).evalf(30)) for e in flow.components(chart)]
            for p in points
        ]
    )


def _gamma_flow():
    """The natural gradient of a cost under the Fisher metric of the gamma family: polygamma in every component."""
    M = sg.Manifold("gamma family")
    K = M.chart(k, r, name="shape-rate")
    cost = sg.Scalar(M, K, (k - 2) ** 2 / 2 + (r - 1) ** 2 / 2)
    return sg.GradientFlow(cost, sg.fisher_metric(sg.Gamma(shape=k, rate=r), K), rate=eta), K


@pytest.mark.parametrize("expr, in_jax, in_c", CASES, ids=lambda e: sp.sstr(e) if isinstance(e, sp.Expr) else "")
def test_python_export_computes_special_functions(expr, in_jax, in_c):
    flow, A = _line_flow(expr)
    source = sg.to_python(flow, A)
    assert "import scipy.special" in source
    pts = np.array([[0.3], [1.7], [4.2]])
    got = _module(source).flow(pts, eta=0.5)
    want = _reference(flow, A, pts, {eta: sp.Rational(1, 2)})
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(flow.numeric(A)(pts, eta=0.5), want, rtol=1e-12)


@pytest.mark.parametrize("expr, in_jax, in_c", CASES, ids=lambda e: sp.sstr(e) if isinstance(e, sp.Expr) else "")
def test_jax_and_c_compute_or_refuse_clearly(expr, in_jax, in_c):
    flow, A = _line_flow(expr)
    name = type(expr).__name__
    if in_jax:
        assert "import jax.scipy.special" in sg.to_jax(flow, A)
    else:
        with pytest.raises(sg.UnsupportedExpressionError, match=f"to_jax: JAX cannot compute .*{name}.*to_python"):
            sg.to_jax(flow, A)
    if in_c:
        sg.to_c(flow, A)
    else:
        with pytest.raises(sg.UnsupportedExpressionError, match=r"to_c: C99 cannot compute .*math\.h has no"):
            sg.to_c(flow, A)


def test_generated_code_names_scipy_by_its_qualified_name():
    # a parameter named scipy (or special, or polygamma) cannot stand for the module
    scipy_, special, polygamma = sp.symbols("scipy special polygamma", positive=True)
    M = sg.Manifold("line")
    A = M.chart(X)
    cost = sg.Scalar(M, A, (scipy_ + special + polygamma) * sp.loggamma(X))
    flow = sg.GradientFlow(cost, sg.euclidean(A))
    module = _module(sg.to_python(flow, A))
    assert module.PARAMETERS == ("polygamma", "scipy_", "special")
    got = module.flow(np.array([[2.5]]), polygamma=1.0, scipy_=2.0, special=3.0)
    np.testing.assert_allclose(got, [[-6 * float(sp.polygamma(0, 2.5))]], rtol=1e-12)


def test_polygamma_of_a_bad_order_is_refused():
    for order in (sp.Rational(1, 2), -1):
        with pytest.raises(sg.UnsupportedExpressionError, match="no non-negative integer"):
            _kernels.check_computable([sp.polygamma(order, X, evaluate=False)], "example", "python")
    n = sp.Symbol("n", integer=True, nonnegative=True)
    _kernels.check_computable([sp.polygamma(n, X)], "example", "python")
    with pytest.raises(sg.UnsupportedExpressionError, match="symbolic order"):
        _kernels.check_computable([sp.polygamma(n, X)], "example", "jax")


def test_gamma_family_natural_gradient_end_to_end():
    flow, K = _gamma_flow()
    assert any(e.has(sp.polygamma) for e in flow.components(K))
    rng = np.random.default_rng(1)
    pts = rng.uniform(0.2, 5.0, (6, 2))
    want = _reference(flow, K, pts, {eta: sp.Rational(1, 4)})
    np.testing.assert_allclose(flow.numeric(K, params={eta: 0.25})(pts), want, rtol=1e-12)
    module = _module(sg.to_python(flow, K))
    np.testing.assert_allclose(module.flow(pts, eta=0.25), want, rtol=1e-12)
    with pytest.raises(sg.UnsupportedExpressionError, match="math.h has no polygamma.*to_jax"):
        sg.to_c(flow, K)
    source = sg.to_jax(flow, K)
    assert "jax.scipy.special.polygamma(1, k)" in source
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed (pip install symgrad[jax]); the source was generated")
    import jax

    got = np.asarray(jax.jit(lambda x: _module(source).flow(x, eta=0.25))(pts))  # float32 unless x64 is set
    np.testing.assert_allclose(got, want, rtol=1e-4)


@pytest.mark.skipif(not any(shutil.which(c) for c in ("cc", "gcc", "clang")), reason="no C compiler")
def test_c_export_computes_gamma_lgamma_erf_and_refuses_polygamma(tmp_path):
    M = sg.Manifold("line")
    A = M.chart(X)
    entry = sp.gamma(X) + sp.loggamma(X) ** 2 + sp.erf(X) + sp.erfc(X) / 2
    flow = sg.GradientFlow(sg.Scalar(M, A, X), sg.Metric(M, A, sp.Matrix([[1 / entry]])), rate=eta)
    source = sg.to_c(flow, A)
    assert "tgamma(" in source and "lgamma(" in source and "erfc(" in source
    with pytest.raises(sg.UnsupportedExpressionError, match="C99 cannot compute polygamma.*math.h has no polygamma"):
        sg.to_c(*_line_flow(sp.polygamma(1, X)))
    main = source + (
        "#include <stdio.h>\nint main(void) { double x[1] = {1.7}, p[1] = {0.5}, out[1];\n"
        ' flow(x, p, out); printf("%.17g\\n", out[0]); return 0; }\n'
    )
    (tmp_path / "f.c").write_text(main)
    cc = next(shutil.which(c) for c in ("cc", "gcc", "clang") if shutil.which(c))
    subprocess.run([cc, "-std=c99", "-O1", str(tmp_path / "f.c"), "-o", str(tmp_path / "f"), "-lm"], check=True)
    out = float(subprocess.run([str(tmp_path / "f")], capture_output=True, text=True, check=True).stdout)
    want = float(flow.components(A)[0].subs({X: sp.Rational(17, 10), eta: sp.Rational(1, 2)}).evalf(30))
    assert abs(out - want) <= 1e-12 * abs(want)


def test_latex_writes_the_gamma_family_by_its_names():
    flow, K = _gamma_flow()
    text = sg.to_latex(flow, K)
    assert r"\psi^{(1)}\left(k\right)" in text and "polygamma" not in text
    assert r"\psi^{(1)}\left(k\right)" in flow.latex()
    M = sg.Manifold("line")
    A = M.chart(X)
    f = sg.GradientFlow(sg.Scalar(M, A, X * sp.loggamma(X)), sg.euclidean(A))
    assert r"x \psi\left(x\right) + \log\Gamma\left(x\right)" in sg.to_latex(f, A).splitlines()[1]


def test_the_step_index_is_no_symbol_of_the_flow():
    flow, K = _gamma_flow()  # a coordinate named k
    text = sg.to_latex(flow, K)
    assert r"k_{n+1} &= k_{n} + " in text and "_{k" not in text
    n = sp.Symbol("n", positive=True)
    M = sg.Manifold("line")
    A = M.chart(k)
    f = sg.GradientFlow(sg.Scalar(M, A, (k - n) ** 2 / 2), sg.euclidean(A), rate=eta)
    assert sg.to_latex(f, A).splitlines()[-2] == r"k_{t+1} &= k_{t} + \eta \left(- k_{t} + n\right)"


@pytest.mark.parametrize("name", ["m_1", "m1"])
def test_subscripted_coordinates_take_the_step_index_in_their_subscript(name):
    m = sp.Symbol(name, real=True)
    A = sg.Manifold("line").chart(m)
    f = sg.GradientFlow(sg.Scalar(A.manifold, A, (m - 4) ** 2 / 2), sg.euclidean(A), rate=eta)
    assert sg.to_latex(f, A).splitlines()[-2] == r"m_{1,k+1} &= m_{1,k} + \eta \left(4 - m_{1,k}\right)"


def test_discrete_update_keeps_the_step_as_one_term():
    g = sg.catalog.gaussian_kl()
    text = sg.to_latex(sg.GradientFlow(g.cost, g.fisher), g.variance)
    assert r"\mu_{k+1} &= \mu_{k} + \left(4 - \mu_{k}\right)" in text
