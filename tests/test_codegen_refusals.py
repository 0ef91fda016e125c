"""What generated code cannot compute is refused with a symgrad error; Piecewise and awkward names work.

Unevaluated integrals, sums, derivatives and limits, undefined functions,
DiracDelta and AccumBounds are refused by the lambdify kernel and by the
exporters (one check, :func:`symgrad.numeric._kernels.check_computable`), with
an :class:`~symgrad.UnsupportedExpressionError` naming the subexpression;
Piecewise is computed by every target, NaN where no condition holds.
"""

import ctypes
import importlib.util
import shutil
import subprocess
import warnings

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.numeric._kernels import lambdify

CODE_EXPORTERS = [sg.to_python, sg.to_c, sg.to_jax]

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)

#: name -> (an expression in x, a piece of the message)
UNCOMPUTABLE = {
    "integral": (sp.Integral(sp.exp(-(t**2)), (t, 0, x)), "unevaluated integral"),
    "indefinite integral": (sp.Integral(sp.exp(-(x**2)), x), "unevaluated integral"),
    "sum": (sp.Sum(x**t, (t, 0, 3)), "unevaluated sum"),
    "product": (sp.Product(x + t, (t, 0, 3)), "unevaluated product"),
    "derivative": (sp.Derivative(sp.sin(x), x), "unevaluated derivative"),
    "limit": (sp.Limit(sp.sin(x * t) / t, t, 0), "unevaluated limit"),
    "undefined function": (sp.Function("f")(x), r"undefined function \(sp.Function\('f'\)\)"),
    "derivative of an undefined function": (sp.Derivative(sp.Function("f")(x), x), "undefined function"),
    "dirac delta": (sp.DiracDelta(x), "Dirac delta"),
    "accumulation bounds": (sp.AccumBounds(-1, 1) * x, "AccumBounds"),
}


def line_flow(cost):
    M = sg.Manifold("line")
    X = M.chart(x)
    return sg.GradientFlow(sg.Scalar(M, X, cost), sg.euclidean(X)), X


def load(source, tmp_path, stem):
    path = tmp_path / f"{stem}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"symgrad_refusal_{stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(UNCOMPUTABLE))
def test_kernel_refuses_what_it_cannot_compute(name):
    expr, message = UNCOMPUTABLE[name]
    with pytest.raises(sg.UnsupportedExpressionError, match=message):
        lambdify([x], [expr])
    with pytest.raises(sg.UnsupportedExpressionError, match="(doit|expression|Symbol|smooth|value)"):
        lambdify([x], expr)


@pytest.mark.parametrize("name", list(UNCOMPUTABLE))
@pytest.mark.parametrize("export", CODE_EXPORTERS, ids=lambda f: f.__name__)
def test_exporters_refuse_what_they_cannot_compute(export, name):
    expr, message = UNCOMPUTABLE[name]
    flow, X = line_flow(x**2 / 2 + x * expr)
    if name in ("product", "limit"):  # differentiated, they sit inside an unevaluated Sum or Derivative
        message = "unevaluated"
    with pytest.raises(sg.UnsupportedExpressionError, match=message) as info:
        export(flow, X)
    assert info.value.args[0].startswith(f"{export.__name__}: ")
    assert isinstance(info.value, (sg.ExportError, ValueError))


def test_messages_name_the_subexpression_and_the_remedy():
    flow, X = line_flow(x * sp.Integral(sp.exp(-(t**2)), (t, 0, x)))
    with pytest.raises(sg.UnsupportedExpressionError, match=r"Integral\(exp\(-t\*\*2\), \(t, 0, x\)\).*\.doit\(\)"):
        sg.to_c(flow, X)
    flow, X = line_flow(sp.Function("f")(x))
    with pytest.raises(sg.UnsupportedExpressionError, match=r"cannot compute f\(x\).*make it a parameter"):
        sg.to_python(flow, X)


@pytest.mark.parametrize(
    "expr", [sp.hyper((x, x), (x + 1, x + 1), -1), sp.meijerg(((), ()), ((x,), ()), 2), sp.elliptic_k(x)]
)
def test_kernel_refuses_functions_numpy_and_scipy_do_not_have_and_computes_those_they_do(expr):
    name = expr.func.__name__
    with pytest.raises(sg.UnsupportedExpressionError, match=rf"no function {name}; .*method='adaptive'"):
        lambdify([x], [sp.exp(expr)])  # inside another function, too
    # scipy's functions printed by their own names are computed
    f = lambdify([x], [sp.zeta(x), sp.lowergamma(x, 2)])
    np.testing.assert_allclose([float(v) for v in f(2.0)], [np.pi**2 / 6, 1 - 3 * np.exp(-2)])


def test_lambert_w_is_real_where_its_branch_is_and_nan_elsewhere():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no complex values cast to real
        w0, w1 = lambdify([x], [sp.LambertW(x), sp.LambertW(x, -1)])(np.array([0.5, -0.2, -1.0]))
    np.testing.assert_allclose(w0 * np.exp(w0), [0.5, -0.2, np.nan])  # W e^W = x where W is real
    np.testing.assert_allclose(w1[1:2] * np.exp(w1[1:2]), [-0.2])
    assert w0.dtype == float and np.isnan(w1[[0, 2]]).all()


def test_numeric_flow_refuses_what_it_cannot_compute():
    flow, X = line_flow(x**2 / 2 + sp.Heaviside(x) * x)  # its derivative holds DiracDelta(x)
    with pytest.raises(sg.UnsupportedExpressionError, match=r"DiracDelta\(x\)"):
        sg.NumericFlow(flow, X)(np.array([[0.5]]))


@pytest.mark.parametrize("export", CODE_EXPORTERS, ids=lambda f: f.__name__)
def test_exporters_refuse_non_finite_components(export):
    a = sp.Symbol("a", real=True)
    flow, X = line_flow(x**2 / a + x)
    with pytest.raises(sg.UnsupportedExpressionError, match="zoo.*params"):
        export(flow, X, params={a: 0})


def test_kernel_keeps_non_finite_numbers():
    f = lambdify([x], [sp.zoo * x, sp.oo * x, sp.nan + x])
    values = [np.asarray(v) for v in f(np.array([1.0]))]
    assert np.isnan(values[0]).all() and np.isinf(values[1]).all() and np.isnan(values[2]).all()


# -- Piecewise in every target ---------------------------------------------------------------

PIECEWISE = [
    sp.Piecewise((x**3 / 3, x > 0), (x**2 / 2, True)),
    sp.Piecewise((x**3 / 3, (x > 0) & (x < 1)), (x / 3, x >= 1), (x**2 / 2, True)),
    sp.Piecewise((x**3 / 3, x > 0)),  # no otherwise branch: NaN for x <= 0
]
POINTS = np.array([[-1.5], [-0.25], [0.5], [0.75], [2.0]])


def piecewise_reference(cost):
    comp = -sp.diff(cost, x)
    return np.array([float(comp.subs(x, v)) if comp.subs(x, v).is_finite else np.nan for v in POINTS[:, 0]])


@pytest.mark.parametrize("k", range(len(PIECEWISE)))
def test_piecewise_in_the_kernel_and_python(k, tmp_path):
    flow, X = line_flow(PIECEWISE[k])
    expected = piecewise_reference(PIECEWISE[k])
    np.testing.assert_allclose(sg.NumericFlow(flow, X, check=False)(POINTS)[:, 0], expected, equal_nan=True)
    module = load(sg.to_python(flow, X), tmp_path, f"pw_py_{k}")
    np.testing.assert_allclose(module.flow(POINTS)[:, 0], expected, equal_nan=True)


def _compile_c(source, c_file, lib_file):
    """Compile exported C ``source`` into a shared library (skip without a compiler); its ``flow`` typed."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    c_file.write_text(source)
    subprocess.run(
        [cc, "-std=c99", "-Wall", "-Werror", "-shared", "-fPIC", "-o", str(lib_file), str(c_file), "-lm"], check=True
    )
    lib = ctypes.CDLL(str(lib_file))
    ptr = ctypes.POINTER(ctypes.c_double)
    lib.flow.argtypes = [ptr, ptr, ptr]
    return lib


@pytest.mark.parametrize("k", range(len(PIECEWISE)))
def test_piecewise_in_c(k, tmp_path):
    flow, X = line_flow(PIECEWISE[k])
    source = sg.to_c(flow, X)
    assert all(line.count("(") == line.count(")") for line in source.splitlines() if "out[0]" in line)
    lib = _compile_c(source, tmp_path / "pw.c", tmp_path / f"pw{k}.so")
    ptr = ctypes.POINTER(ctypes.c_double)
    got = []
    for point in POINTS:
        pt, out = np.array(point, dtype=float), np.zeros(1)
        lib.flow(pt.ctypes.data_as(ptr), None, out.ctypes.data_as(ptr))
        got.append(out[0])
    np.testing.assert_allclose(got, piecewise_reference(PIECEWISE[k]), equal_nan=True)


@pytest.mark.parametrize("k", range(len(PIECEWISE)))
def test_piecewise_in_jax(k, tmp_path):
    jax = pytest.importorskip("jax", reason="the JAX export test needs jax: pip install -e '.[jax]'")
    flow, X = line_flow(PIECEWISE[k])
    module = load(sg.to_jax(flow, X), tmp_path, f"pw_jax_{k}")
    expected = piecewise_reference(PIECEWISE[k])
    for f in (module.flow, jax.jit(module.flow), jax.vmap(module.flow)):
        np.testing.assert_allclose(np.asarray(f(POINTS))[:, 0], expected, rtol=2e-5, equal_nan=True)


# -- names of the generated code ------------------------------------------------------------

AWKWARD = ["float", "abs", "lambda", "exp", "jnp", "jax", "numpy", "M_PI", "e", "E", "ValueError", "x", "zero"]


def awkward_flow(name, role):
    """A flow whose parameter (or coordinate) is named ``name``, using abs, exp, E and pi."""
    s = sp.Symbol(name, positive=True) if role == "param" else sp.Symbol(name, real=True)
    c = sp.Symbol("c", real=True) if role == "param" else s
    M = sg.Manifold("awkward")
    X = M.chart(c)
    k = s if role == "param" else 1
    cost = k * (c - 1) ** 2 / 2 + sp.Abs(c) ** 3 + sp.exp(c) / 10 + (sp.E + sp.pi) * c
    flow = sg.GradientFlow(sg.Scalar(M, X, cost), sg.euclidean(X))
    subs = {s: sp.Rational(9, 10)} if role == "param" else {}
    comp = flow.components(X)[0].xreplace(subs)
    expected = np.array([float(comp.subs(c, v)) for v in POINTS[:, 0]])
    return flow, X, expected


@pytest.mark.parametrize("role", ["param", "coord"])
@pytest.mark.parametrize("name", AWKWARD)
def test_python_names_cannot_collide(name, role, tmp_path):
    flow, X, expected = awkward_flow(name, role)
    module = load(sg.to_python(flow, X), tmp_path, f"names_py_{role}")
    kwargs = dict.fromkeys(module.PARAMETERS, 0.9)
    np.testing.assert_allclose(module.flow(POINTS, **kwargs)[:, 0], expected)
    assert module.flow(np.array([[1]]), **kwargs).dtype == np.float64


@pytest.mark.parametrize("role", ["param", "coord"])
@pytest.mark.parametrize("name", AWKWARD)
def test_jax_names_cannot_collide(name, role, tmp_path):
    jax = pytest.importorskip("jax", reason="the JAX export test needs jax: pip install -e '.[jax]'")
    flow, X, expected = awkward_flow(name, role)
    source = sg.to_jax(flow, X)
    module = load(source, tmp_path, f"names_jax_{role}")
    kwargs = dict.fromkeys(module.PARAMETERS, 0.9)
    np.testing.assert_allclose(np.asarray(module.flow(POINTS, **kwargs))[:, 0], expected, rtol=2e-5)
    np.testing.assert_allclose(
        np.asarray(jax.jit(lambda p: module.flow(p, **kwargs))(POINTS))[:, 0], expected, rtol=2e-5
    )
    assert np.issubdtype(module.flow(np.array([[1]]), **kwargs).dtype, np.floating)


@pytest.mark.parametrize("name", ["FLOW_DIM", "FLOW_NPARAMS", "M_PI", "NAN", "fabs"])
def test_c_names_cannot_collide_with_macros(name, tmp_path):
    flow, X, expected = awkward_flow(name, "param")
    source = sg.to_c(flow, X)
    lib = _compile_c(source, tmp_path / "names.c", tmp_path / "names.so")
    ptr = ctypes.POINTER(ctypes.c_double)
    got = []
    for point in POINTS:
        pt, p, out = np.array(point, dtype=float), np.array([0.9]), np.zeros(1)
        lib.flow(pt.ctypes.data_as(ptr), p.ctypes.data_as(ptr), out.ctypes.data_as(ptr))
        got.append(out[0])
    np.testing.assert_allclose(got, expected)
