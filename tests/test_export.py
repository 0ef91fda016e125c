"""Export of gradient flows: LaTeX (golden files), numpy and JAX modules, C compiled and called.

Generated code is checked against the symbolic components evaluated independently with
``sp.lambdify`` at random points of each chart's domain.  Golden files live in
``tests/golden``; after an intended change of the LaTeX output, rewrite them with
``SYMGRAD_UPDATE_GOLDEN=1 pytest tests/test_export.py`` and review the diff.
"""

import ast
import ctypes
import functools
import importlib.util
import itertools
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import symgrad as sg

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("SYMGRAD_UPDATE_GOLDEN") == "1"
EXPORTERS = [sg.to_latex, sg.to_python, sg.to_c, sg.to_jax]
CODE_EXPORTERS = [sg.to_python, sg.to_c, sg.to_jax]

#: values of the free parameters in numeric checks, by name
PARAM_VALUES = {"eta": 0.7, "N": 10, "phi": 1.5, "epsilon": 0.3, "c": 1.3}
ETA = sp.Symbol("eta", positive=True)


# -- the flows under test -----------------------------------------------------------------


def gaussian_fisher():
    g = sg.catalog.gaussian_kl()
    return g, sg.GradientFlow(g.cost, g.fisher, rate=ETA)


def one_dimensional():
    one = sg.catalog.one_dimensional()
    return one, sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)


def constant_flow():
    """Components -c, pi - b, 0: a constant, one with a math constant, and a zero one."""
    a, b, d = sp.symbols("a b d", real=True)
    c = sp.Symbol("c", positive=True)
    M = sg.Manifold("affine")
    A = M.chart(a, b, d)
    cost = sg.Scalar(M, A, c * a + (b - sp.pi) ** 2 / 2)
    return A, sg.GradientFlow(cost, sg.euclidean(A))


def awkward_names():
    """Coordinates and parameters named like keywords, builtins and the generated code's own names."""
    x = sp.Symbol("x", real=True)
    lam = sp.Symbol("lambda", positive=True)
    p, out, numpy_, exp = sp.symbols("p out numpy exp", positive=True)
    M = sg.Manifold("awkward")
    A = M.chart(x, lam)
    cost = sg.Scalar(M, A, p * (x - out) ** 2 / 2 + numpy_ * (lam - exp) ** 2 / 2 + sp.exp(x) / 10)
    return A, sg.GradientFlow(cost, sg.euclidean(A))


@functools.cache
def case(name):
    """(flow, chart) for a named test case; derived once per test run."""
    if name.startswith("gaussian-"):
        g, flow = gaussian_fisher()
        return flow, getattr(g, name.split("-")[1])
    if name == "one-x":
        one, flow = one_dimensional()
        return flow, one.X
    if name == "one-sqrt":
        one, flow = one_dimensional()
        return flow, one.Xt
    if name == "synapse":
        syn = sg.catalog.binomial_synapse()
        return sg.GradientFlow(syn.cost, syn.fisher), syn.chart
    if name == "constant":
        chart, flow = constant_flow()
        return flow, chart
    if name == "awkward":
        chart, flow = awkward_names()
        return flow, chart
    raise KeyError(name)


CASES = [
    "gaussian-std",
    "gaussian-variance",
    "gaussian-precision",
    "gaussian-log_std",
    "one-x",
    "one-sqrt",
    "synapse",
    "constant",
    "awkward",
]


def free_parameters(flow, chart):
    comps = flow.components(chart)
    return sorted(set().union(*(e.free_symbols for e in comps)) - set(chart.coords), key=lambda s: s.name)


def param_values(symbols):
    return {s: PARAM_VALUES.get(s.name, 0.9) for s in symbols}


def reference(flow, chart, pts, values):
    """The flow's components at ``pts`` (n, dim), by sympy.lambdify of the symbolic matrix."""
    comps = list(flow.components(chart))
    symbols = list(values)
    f = sp.lambdify(list(chart.coords) + symbols, comps, modules="numpy", dummify=True)
    cols = [pts[:, i] for i in range(chart.dim)]
    vals = f(*cols, *[values[s] for s in symbols])
    return np.stack([np.broadcast_to(np.asarray(v, dtype=float), pts.shape[:1]) for v in vals], axis=-1)


def load_module(source, tmp_path, stem):
    path = tmp_path / f"{stem}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"symgrad_generated_{stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def imported_modules(source):
    tree = ast.parse(source)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
    return names


def called_names(source):
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}


# -- LaTeX ----------------------------------------------------------------------------------

GOLDEN_CASES = {
    "gaussian_kl_fisher_std.tex": "gaussian-std",
    "gaussian_kl_fisher_variance.tex": "gaussian-variance",
    "one_dimensional_x.tex": "one-x",
    "one_dimensional_sqrt.tex": "one-sqrt",
}


@pytest.mark.parametrize("filename", sorted(GOLDEN_CASES))
def test_latex_matches_golden_file(filename):
    flow, chart = case(GOLDEN_CASES[filename])
    text = sg.to_latex(flow, chart)
    path = GOLDEN / filename
    if UPDATE_GOLDEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


def test_latex_has_the_odes_and_the_discrete_rule():
    flow, chart = case("gaussian-std")
    text = sg.to_latex(flow, chart)
    lines = text.splitlines()
    assert lines[0] == r"\begin{align}" and lines[-1] == r"\end{align}"
    assert lines[1].startswith(r"\frac{d \mu}{d t} &= ")
    assert lines[2].startswith(r"\frac{d \sigma}{d t} &= ")
    assert lines[3].startswith(r"\mu_{k+1} &= \mu_{k} + ")
    assert lines[4].startswith(r"\sigma_{k+1} &= \sigma_{k} + ")
    # the discrete rule is evaluated at step k: no bare coordinate is left on its right side
    for line in lines[3:5]:
        rhs = line.split("&=")[1].replace(r"\mu_{k}", "").replace(r"\sigma_{k}", "")
        assert r"\mu" not in rhs and r"\sigma" not in rhs


def test_latex_leading_minus_and_zero_components():
    flow, chart = case("constant")
    lines = sg.to_latex(flow, chart).splitlines()
    assert lines[1:4] == [
        r"\frac{d a}{d t} &= - c \\",
        r"\frac{d b}{d t} &= \pi - b \\",
        r"\frac{d d}{d t} &= 0 \\",
    ]
    assert lines[4:7] == [
        r"a_{k+1} &= a_{k} - c \\",
        r"b_{k+1} &= b_{k} + \left(\pi - b_{k}\right) \\",
        r"d_{k+1} &= d_{k}",
    ]


def test_latex_substitutes_params():
    flow, chart = case("gaussian-variance")
    text = sg.to_latex(flow, chart, params={ETA: sp.Rational(1, 2)})
    assert r"\eta" not in text
    assert r"\frac{d \mu}{d t} &= 2 - \frac{\mu}{2}" in text


# -- numpy module ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_python_module_matches_lambdify(name, tmp_path):
    flow, chart = case(name)
    source = sg.to_python(flow, chart)
    module = load_module(source, tmp_path, name.replace("-", "_"))
    symbols = free_parameters(flow, chart)
    values = param_values(symbols)
    assert module.COORDINATES == tuple(c.name for c in chart.coords)
    # the keyword arguments are the parameters' names, in order, made distinct from the module's own
    assert [n.rstrip("_") for n in module.PARAMETERS] == [s.name for s in symbols]
    pts = chart.random_points(n=40, seed=3)
    got = module.flow(pts, **dict(zip(module.PARAMETERS, values.values())))
    assert got.shape == pts.shape
    np.testing.assert_allclose(got, reference(flow, chart, pts, values), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["gaussian-std", "synapse", "constant", "awkward"])
def test_python_module_imports_numpy_only(name):
    flow, chart = case(name)
    source = sg.to_python(flow, chart)
    assert imported_modules(source) == {"numpy"}
    assert "sympy" not in source
    assert not called_names(source) & {"eval", "exec", "compile", "__import__", "getattr"}


def test_python_flow_signature_is_keyword_only(tmp_path):
    import inspect

    flow, chart = case("synapse")
    module = load_module(sg.to_python(flow, chart), tmp_path, "synapse_sig")
    sig = inspect.signature(module.flow)
    kinds = [(p.name, p.kind) for p in sig.parameters.values()]
    assert kinds[0] == ("x", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    assert kinds[1:] == [(n, inspect.Parameter.KEYWORD_ONLY) for n in ("N", "epsilon", "phi")]
    assert module.PARAMETERS == ("N", "epsilon", "phi")
    with pytest.raises(TypeError):
        module.flow(np.ones(2), N=10, epsilon=0.3)  # phi missing


def test_python_parameter_named_like_the_argument(tmp_path):
    x = sp.Symbol("x")  # a parameter (no chart's coordinate) named like flow's argument
    y = sp.Symbol("y", real=True)
    M = sg.Manifold("line")
    Y = M.chart(y)
    flow = sg.GradientFlow(sg.Scalar(M, Y, (y - x) ** 2 / 2), sg.euclidean(Y))
    module = load_module(sg.to_python(flow, Y), tmp_path, "param_x")
    assert module.PARAMETERS == ("x",)
    np.testing.assert_allclose(module.flow(np.array([[1.0], [2.0]]), x=3.0), [[2.0], [1.0]])


def test_python_eliminates_common_subexpressions():
    flow, chart = case("synapse")
    source = sg.to_python(flow, chart)
    assert "_t0 = " in source
    body = source.split('    """\n')[-1]
    # each of the repeated products is computed once
    assert body.count("phi*q") == 2  # the temporary, and once inside a component


def test_python_broadcasts_shapes_and_constant_components(tmp_path):
    flow, chart = case("constant")
    module = load_module(sg.to_python(flow, chart), tmp_path, "constant_shapes")
    for shape in [(3,), (5, 3), (4, 2, 3)]:
        x = np.random.default_rng(0).normal(size=shape)
        out = module.flow(x, c=2.0)
        assert out.shape == shape
        np.testing.assert_array_equal(out[..., 0], -2.0)
        np.testing.assert_allclose(out[..., 1], np.pi - x[..., 1])
        np.testing.assert_array_equal(out[..., 2], 0.0)
    assert module.flow([1, 2, 3], c=1).dtype == np.float64  # integer input
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 3\)"):
        module.flow(np.ones((4, 2)), c=1.0)
    # parameters may be arrays over the points
    out = module.flow(np.zeros((4, 3)), c=np.arange(4.0))
    np.testing.assert_array_equal(out[:, 0], -np.arange(4.0))


def test_python_params_are_substituted(tmp_path):
    flow, chart = case("synapse")
    syn_N = next(s for s in free_parameters(flow, chart) if s.name == "N")
    module = load_module(sg.to_python(flow, chart, params={syn_N: 10}), tmp_path, "synapse_N10")
    assert module.PARAMETERS == ("epsilon", "phi")
    pts = chart.random_points(n=20, seed=5)
    values = param_values(free_parameters(flow, chart))
    got = module.flow(pts, epsilon=values[next(s for s in values if s.name == "epsilon")], phi=1.5)
    np.testing.assert_allclose(got, reference(flow, chart, pts, values), rtol=1e-10, atol=1e-12)


def test_float_params_round_trip_exactly(tmp_path):
    flow, chart = case("gaussian-std")
    value = 0.1 + 0.2  # 0.30000000000000004 needs 17 digits
    substituted = load_module(sg.to_python(flow, chart, params={ETA: value}), tmp_path, "eta_float")
    free = load_module(sg.to_python(flow, chart), tmp_path, "eta_free")
    pts = chart.random_points(n=10, seed=1)
    np.testing.assert_allclose(substituted.flow(pts), free.flow(pts, eta=value), rtol=1e-15)
    assert "0.30000000000000004" in sg.to_c(flow, chart, params={ETA: value})


# -- C ---------------------------------------------------------------------------------------


def compile_c(source, tmp_path, stem):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH to compile the generated C")
    src = tmp_path / f"{stem}.c"
    lib = tmp_path / f"lib{stem}.so"
    src.write_text(source)
    flags = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-shared", "-fPIC"]
    subprocess.run([cc, *flags, "-o", str(lib), str(src), "-lm"], check=True, capture_output=True)
    return ctypes.CDLL(str(lib))


def call_c(function, pts, pvalues):
    ptr = ctypes.POINTER(ctypes.c_double)
    function.argtypes = [ptr, ptr, ptr]
    function.restype = None
    p = np.ascontiguousarray(pvalues, dtype=float)
    p_ptr = p.ctypes.data_as(ptr) if p.size else None
    out = np.empty_like(pts)
    for i, x in enumerate(np.ascontiguousarray(pts, dtype=float)):
        row = np.empty(pts.shape[1])
        function(x.ctypes.data_as(ptr), p_ptr, row.ctypes.data_as(ptr))
        out[i] = row
    return out


@pytest.mark.parametrize("name", CASES)
def test_c_matches_numpy(name, tmp_path):
    flow, chart = case(name)
    source = sg.to_c(flow, chart)
    lib = compile_c(source, tmp_path, name.replace("-", "_"))
    symbols = free_parameters(flow, chart)
    values = param_values(symbols)
    pts = chart.random_points(n=25, seed=7)
    got = call_c(lib.flow, pts, [values[s] for s in symbols])
    np.testing.assert_allclose(got, reference(flow, chart, pts, values), rtol=1e-10, atol=1e-12)


def test_c_source_documents_its_signature():
    flow, chart = case("synapse")
    source = sg.to_c(flow, chart, name="synapse_flow")
    assert "#include <math.h>" in source
    assert "void synapse_flow(const double *x, const double *p, double *out)\n{" in source
    assert " *   x   : the point, x[0] = q, x[1] = P" in source
    assert " *   p   : the parameters, p[0] = N, p[1] = epsilon, p[2] = phi" in source
    assert "#define SYNAPSE_FLOW_DIM 2" in source and "#define SYNAPSE_FLOW_NPARAMS 3" in source
    assert "const double _t0 = " in source  # common subexpressions


def test_c_renames_a_coordinate_named_like_a_math_macro(tmp_path):
    """A coordinate M_PI is renamed away from the macro, and pi still prints as the macro."""
    m_pi = sp.Symbol("M_PI", real=True)
    M = sg.Manifold("macro")
    A = M.chart(m_pi)
    flow = sg.GradientFlow(sg.Scalar(M, A, (m_pi - sp.pi) ** 2 / 2), sg.euclidean(A))
    source = sg.to_c(flow, A)
    assert "const double M_PI_ = x[0];" in source
    assert "out[0] = M_PI - M_PI_;" in source
    lib = compile_c(source, tmp_path, "macro")
    got = call_c(lib.flow, np.array([[0.0], [1.0]]), [])
    np.testing.assert_allclose(got, [[np.pi], [np.pi - 1.0]])


def test_c_output_may_alias_input(tmp_path):
    flow, chart = case("gaussian-std")
    lib = compile_c(sg.to_c(flow, chart, params={ETA: 1}), tmp_path, "alias")
    ptr = ctypes.POINTER(ctypes.c_double)
    lib.flow.argtypes = [ptr, ptr, ptr]
    x = np.array([1.0, 2.0])
    expected = np.array([4 - 1.0, (1 - 8 - 4 + 20) / 4.0])
    lib.flow(x.ctypes.data_as(ptr), None, x.ctypes.data_as(ptr))
    np.testing.assert_allclose(x, expected)


@pytest.mark.parametrize("name", ["", "2flow", "double", "exp", "my-flow", 3])
def test_c_rejects_bad_function_names(name):
    flow, chart = case("one-x")
    with pytest.raises(sg.ExportError, match="C identifier"):
        sg.to_c(flow, chart, name=name)


# -- JAX -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gaussian-std", "gaussian-precision", "one-sqrt", "constant", "awkward"])
def test_jax_module_jits_vmaps_and_matches(name, tmp_path):
    jax = pytest.importorskip("jax", reason="the JAX export test needs jax: pip install -e '.[jax]'")
    flow, chart = case(name)
    source = sg.to_jax(flow, chart)
    assert imported_modules(source) == {"jax.numpy"}
    assert not called_names(source) & {"eval", "exec", "compile", "__import__"}
    module = load_module(source, tmp_path, "jax_" + name.replace("-", "_"))
    symbols = free_parameters(flow, chart)
    values = param_values(symbols)
    f = functools.partial(module.flow, **dict(zip(module.PARAMETERS, values.values())))
    pts = chart.random_points(n=16, seed=11)
    expected = reference(flow, chart, pts, values)
    direct = np.asarray(f(pts))
    jitted = np.asarray(jax.jit(f)(pts))
    mapped = np.asarray(jax.vmap(f)(pts))
    assert direct.shape == jitted.shape == mapped.shape == pts.shape
    for got in (direct, jitted, mapped):  # float32 unless jax_enable_x64
        np.testing.assert_allclose(got, expected, rtol=2e-4, atol=1e-5)
    assert np.issubdtype(f(np.ones((3, chart.dim), dtype=int)).dtype, np.floating)


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("export", EXPORTERS, ids=lambda f: f.__name__)
def test_rejects_what_is_not_a_field(export):
    g, flow = gaussian_fisher()
    for bad in [g.cost, sg.differential(g.cost), "flow", None]:
        with pytest.raises(sg.NotAFlowError, match="GradientFlow or a Vector"):
            export(bad, g.std)


@pytest.mark.parametrize("export", EXPORTERS, ids=lambda f: f.__name__)
def test_a_plain_vector_field_is_exported_as_dx_dt(export):
    g, flow = gaussian_fisher()
    field = sg.Vector(g.manifold, g.std, list(flow.components(g.std)))
    assert export(field, g.std) == export(flow, g.std).replace("Gradient flow on", "Vector field on")


@pytest.mark.parametrize("export", EXPORTERS, ids=lambda f: f.__name__)
def test_rejects_bad_charts(export):
    g, flow = gaussian_fisher()
    for bad in ["std", None, g.std.coords]:
        with pytest.raises(sg.NotAChartError, match="Chart"):
            export(flow, bad)
    other = sg.catalog.gaussian()  # a fresh manifold with charts of the same names
    with pytest.raises(sg.ManifoldMismatchError, match="belongs to manifold"):
        export(flow, other.std)


@pytest.mark.parametrize("export", EXPORTERS, ids=lambda f: f.__name__)
def test_rejects_bad_params(export):
    g, flow = gaussian_fisher()
    bad = [
        ({1.5: 1}, "a sympy Symbol or its name"),
        ({"kappa": 1}, "'kappa' is not a parameter of the flow"),
        ([(ETA, 1)], "must be a dict"),
        ({ETA: "1"}, "finite real number"),
        ({ETA: sp.Symbol("z")}, "finite real number"),
        ({ETA: True}, "finite real number"),
        ({ETA: float("nan")}, "finite real number"),
        ({ETA: 1j}, "finite real number"),
        ({ETA: sp.oo}, "finite real number"),
        ({ETA: np.ones(2)}, "finite real number"),
        ({g.mu: 1}, "a coordinate"),
        ({g.s: 1}, "a coordinate"),  # a coordinate of another chart
        ({sp.Symbol("eta"): 1}, "different Symbol"),  # same name, other assumptions
        ({sp.Symbol("kappa"): 1}, "not a parameter of the flow"),
    ]
    for params, message in bad:
        with pytest.raises(sg.ExportParameterError, match=message):
            export(flow, g.std, params=params)
    for good in [{ETA: 1}, {"eta": 1}, {ETA: 0.5}, {ETA: np.float32(0.5)}, {ETA: np.int64(2)}, {ETA: sp.pi}, {}, None]:
        export(flow, g.std, params=good)


def test_every_export_error_is_a_symgrad_error():
    for cls in [
        sg.ExportError,
        sg.NotAFlowError,
        sg.NotAChartError,
        sg.ExportParameterError,
        sg.UnsupportedExpressionError,
    ]:
        assert issubclass(cls, sg.SymgradError)
    assert issubclass(sg.NotAFlowError, TypeError) and issubclass(sg.ExportParameterError, ValueError)


@pytest.mark.parametrize("export", CODE_EXPORTERS, ids=lambda f: f.__name__)
def test_unsupported_functions_are_refused(export):
    x = sp.Symbol("x", positive=True)
    M = sg.Manifold("line")
    X = M.chart(x)
    flow = sg.GradientFlow(sg.Scalar(M, X, sp.airyai(x)), sg.euclidean(X))  # no target has Airy functions
    with pytest.raises(sg.UnsupportedExpressionError, match="airyaiprime"):
        export(flow, X)
    assert "Ai^" in sg.to_latex(flow, X)  # LaTeX writes any function


def test_numpy_refuses_functions_that_are_not_vectorised():
    x = sp.Symbol("x", positive=True)
    M = sg.Manifold("line")
    X = M.chart(x)
    flow = sg.GradientFlow(sg.Scalar(M, X, x), sg.Metric(M, X, sp.Matrix([[1 / sp.factorial(x)]])))
    with pytest.raises(sg.UnsupportedExpressionError, match="math.factorial"):
        sg.to_python(flow, X)


def test_parameters_sharing_a_name_are_refused():
    x = sp.Symbol("x", real=True)
    M = sg.Manifold("line")
    X = M.chart(x)
    a1, a2 = sp.Symbol("a"), sp.Symbol("a", positive=True)
    flow = sg.GradientFlow(sg.Scalar(M, X, a1 * x + a2 * x**2), sg.euclidean(X))
    with pytest.raises(sg.ExportParameterError, match="two different parameters named 'a'"):
        sg.to_python(flow, X)


# -- determinism -----------------------------------------------------------------------------


@pytest.mark.parametrize("export", EXPORTERS, ids=lambda f: f.__name__)
def test_same_text_from_fresh_derivations(export):
    texts = set()
    for _ in range(2):
        g, flow = gaussian_fisher()  # a fresh manifold each time
        texts.add(export(flow, g.variance))
        texts.add(export(flow, g.variance))
        syn = sg.catalog.binomial_synapse()
        texts.add(export(sg.GradientFlow(syn.cost, syn.fisher), syn.chart))
    assert len(texts) == 2


SUBPROCESS_SCRIPT = textwrap.dedent(
    """
    import sympy as sp
    import symgrad as sg
    eta = sp.Symbol("eta", positive=True)
    g = sg.catalog.gaussian_kl()
    flow = sg.GradientFlow(g.cost, g.fisher, rate=eta)
    syn = sg.catalog.binomial_synapse()
    flow2 = sg.GradientFlow(syn.cost, syn.fisher)
    for export in (sg.to_latex, sg.to_python, sg.to_c, sg.to_jax):
        print(export(flow, g.log_std))
        print(export(flow2, syn.chart))
    """
)


def test_same_text_under_different_hash_seeds():
    outputs = set()
    for seed in ("0", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run(
            [sys.executable, "-c", SUBPROCESS_SCRIPT],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent.parent,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_generated_sources_are_valid_and_distinct_per_target():
    flow, chart = case("awkward")
    py, jx = sg.to_python(flow, chart), sg.to_jax(flow, chart)
    for source in (py, jx):
        compile(source, "flow.py", "exec")  # compiled only, not run
    module_args = ast.parse(py).body[-1].args
    # parameters keep their names unless the module needs them (numpy)
    assert [a.arg for a in module_args.kwonlyargs] == ["exp", "numpy_", "out", "p"]
    assert all(len(line) < 400 for line in itertools.chain(py.splitlines(), jx.splitlines()))
