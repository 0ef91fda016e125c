"""Flows solved numerically: ``GradientFlow(..., solve="numeric" | "auto" | "symbolic")``.

A six-weight tanh network fitted by Gauss-Newton (the metric ``J^T J`` pulled back
through the network's Jacobian) has no closed-form natural gradient within minutes; with
``solve="numeric"`` its metric and differential stay in closed form and ``G v = -eta dC``
is solved at each point.  The checks compare every numeric exit (the numeric flow, its
integration, the plots, the generated numpy, C and JAX code) with a direct numpy
computation of ``-solve(J^T J, J^T r)``, and with the closed form where there is one.
"""

import ctypes
import functools
import shutil
import subprocess
import sys
import time
import types
import warnings

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
import symgrad.core.gradient as gradient_module

XS = [-3, -2, -1, 0, 1, 2, 3]
YS = [-1, -1, -sp.Rational(1, 2), 0, sp.Rational(3, 4), 1, 1]
SINGULAR = [1.0, 0.0, 0.0, 1.0, 0.0, 1.0]  # v1 = 0: the columns of w1 and b1 in J vanish


@functools.cache
def network():
    """The six-weight network: its chart, Gauss-Newton metric, cost and weights."""
    th = w1, b1, v1, w2, b2, v2 = sp.symbols("w1 b1 v1 w2 b2 v2", real=True)

    def f(x):
        return v1 * sp.tanh(w1 * x + b1) + v2 * sp.tanh(w2 * x + b2)

    P = sg.Manifold("net6").chart(*th)
    J = sp.Matrix([[sp.diff(f(x), p) for p in th] for x in XS])
    G = sg.Metric(P.manifold, P, J.T * J, check=False)
    cost = sg.Scalar(P.manifold, P, sum((f(x) - y) ** 2 for x, y in zip(XS, YS)) / 2)
    return P, G, cost


@functools.cache
def network_flow():
    P, G, cost = network()
    return sg.GradientFlow(cost, G, solve="numeric")


def direct(points):
    """``-solve(J^T J, J^T r)`` at each point, and the condition number of ``J^T J``, in numpy."""
    X, Y = np.array(XS, dtype=float), np.array([float(y) for y in YS])
    out, cond = [], []
    for w1, b1, v1, w2, b2, v2 in points:
        t1, t2 = np.tanh(w1 * X + b1), np.tanh(w2 * X + b2)
        J = np.stack([v1 * (1 - t1**2) * X, v1 * (1 - t1**2), t1, v2 * (1 - t2**2) * X, v2 * (1 - t2**2), t2], 1)
        r = v1 * t1 + v2 * t2 - Y
        out.append(-np.linalg.solve(J.T @ J, J.T @ r))
        cond.append(np.linalg.cond(J.T @ J))
    return np.array(out), np.array(cond)


def well_conditioned_points(n=200, seed=0, bound=1e6):
    """Random weights where ``J^T J`` has condition number below ``bound``, and the direct solution there."""
    points = np.random.default_rng(seed).normal(size=(n, 6))
    expected, cond = direct(points)
    keep = cond < bound
    assert keep.sum() >= n // 4
    return points[keep], expected[keep]


# -- the numeric flow --------------------------------------------------------------------


def test_six_weight_network_numeric_flow_equals_the_direct_solve():
    start = time.perf_counter()
    flow = network_flow()
    num = flow.numeric()
    assert time.perf_counter() - start < 30
    assert flow.solve == "numeric"
    points, expected = well_conditioned_points()
    np.testing.assert_allclose(num(points), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(num(points[0]), expected[0], rtol=1e-6, atol=1e-8)  # one point
    # the metric and the cost are the closed forms', evaluated
    assert num.metric(points).shape == (len(points), 6, 6)


def test_numeric_solve_with_a_rate_and_free_parameters():
    P, G, cost = network()
    eta = sp.Symbol("eta", positive=True)
    num = sg.GradientFlow(cost, G, rate=eta, solve="numeric").numeric()
    assert num.free_params == (eta,)
    points, expected = well_conditioned_points(n=60, seed=3)
    np.testing.assert_allclose(num(points, eta=0.5), 0.5 * expected, rtol=1e-6, atol=1e-8)
    etas = np.linspace(0.1, 1, len(points))
    np.testing.assert_allclose(num(points, eta=etas), etas[:, None] * expected, rtol=1e-6, atol=1e-8)


def test_numeric_solve_equals_the_closed_form_in_every_chart():
    g = sg.catalog.gaussian_kl()
    eta = sp.Symbol("eta", positive=True)
    symbolic = sg.GradientFlow(g.cost, g.fisher, rate=eta, solve="symbolic")
    numeric = sg.GradientFlow(g.cost, g.fisher, rate=eta, solve="numeric")
    for chart in g.manifold.charts:
        pts = chart.random_points(n=50, seed=2)
        np.testing.assert_allclose(
            numeric.numeric(chart)(pts, eta=0.7), symbolic.numeric(chart)(pts, eta=0.7), rtol=1e-9, atol=1e-12
        )


def test_a_singular_metric_is_an_error_that_names_the_point():
    num = network_flow().numeric()
    points, _ = well_conditioned_points(n=20)
    X = np.vstack([points[:3], [SINGULAR]])
    with pytest.raises(sg.SingularMetricError) as info:
        num(X)
    message = str(info.value)
    assert "singular" in message and "v1=0" in message and "w1=1" in message and "index (3,)" in message
    assert isinstance(info.value, sg.NumericValueError)
    unchecked = network_flow().numeric(check=False)(X)  # no check: NaN where G is singular
    assert np.isnan(unchecked[3]).all() and np.isfinite(unchecked[:3]).all()


# -- components, auto and symbolic -----------------------------------------------------------


def test_components_of_a_numeric_flow_name_solve_symbolic():
    flow = network_flow()
    with pytest.raises(sg.NoClosedFormError) as info:
        flow.components()
    assert 'solve="symbolic"' in str(info.value) and "budget" in str(info.value)
    assert isinstance(info.value, sg.SymgradError)
    with pytest.raises(sg.NoClosedFormError):
        flow.equations()
    # the metric, the cost and the differential keep their closed forms
    P, G, cost = network()
    assert flow.metric is G and flow.cost is cost
    assert flow.differential.components() == sg.differential(cost).components()
    Gs, b = flow.system()
    assert Gs == G.components() and b == -flow.differential.components()
    assert "solve='numeric'" in repr(flow)


def test_auto_falls_back_with_a_warning_past_its_budget(monkeypatch):
    monkeypatch.setattr(gradient_module, "AUTO_SOLVE_SECONDS", 0.05)
    P, G, cost = network()
    start = time.perf_counter()
    with pytest.warns(sg.SymgradWarning) as record:
        flow = sg.GradientFlow(cost, G)
    assert time.perf_counter() - start < 20
    assert flow.solve == "numeric"
    text = str(record[0].message)
    assert 'solve="symbolic"' in text and "0.05 s" in text
    assert record[0].filename == __file__  # points at the caller
    with pytest.raises(sg.NoClosedFormError) as info:
        flow.components()
    assert "0.05 s" in str(info.value) and 'solve="symbolic"' in str(info.value)
    points, expected = well_conditioned_points(n=40, seed=5)
    np.testing.assert_allclose(flow.numeric()(points), expected, rtol=1e-6, atol=1e-8)


def test_auto_keeps_an_outer_budget_error(monkeypatch):
    """An enclosing budget spent before the closed form's time is up is a BudgetError, as before."""
    monkeypatch.setattr(gradient_module, "AUTO_SOLVE_SECONDS", 30.0)
    P, G, cost = network()
    with pytest.raises(sg.BudgetError):
        with sg.budget(0.2):
            sg.GradientFlow(cost, G)


@pytest.mark.parametrize("case", ["gaussian", "one-dimensional", "wicked"])
def test_auto_gives_the_closed_form_on_small_models(case):
    if case == "gaussian":
        g = sg.catalog.gaussian_kl()
        cost, metric = g.cost, g.fisher
    elif case == "one-dimensional":
        one = sg.catalog.one_dimensional()
        cost, metric = one.cost, sg.euclidean(one.X)
    else:
        w = sg.catalog.wicked_map()
        cost, metric = w.cost, w.true_metric
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        auto = sg.GradientFlow(cost, metric)
    symbolic = sg.GradientFlow(cost, metric, solve="symbolic")
    assert auto.solve == symbolic.solve == "symbolic"
    assert auto == symbolic and auto.components() == symbolic.components()
    assert auto.latex() == symbolic.latex()


def test_solve_must_be_known():
    one = sg.catalog.one_dimensional()
    with pytest.raises(sg.ArgumentTypeError, match="solve must be one of"):
        sg.GradientFlow(one.cost, sg.euclidean(one.X), solve="lu")


def test_numeric_flows_compare_by_their_definition():
    g = sg.catalog.gaussian_kl()
    a = sg.GradientFlow(g.cost, g.fisher, solve="numeric")
    b = sg.GradientFlow(g.cost, g.fisher, solve="numeric")
    c = sg.GradientFlow(g.cost, g.fisher, solve="symbolic")
    assert a == b and hash(a) == hash(b) and a != c and c != a


# -- integration and plotting ------------------------------------------------------------------


def test_integration_and_iteration_of_a_numeric_solve_flow():
    g = sg.catalog.gaussian_kl()
    numeric = sg.GradientFlow(g.cost, g.fisher, solve="numeric").numeric(g.variance)
    symbolic = sg.GradientFlow(g.cost, g.fisher, solve="symbolic").numeric(g.variance)
    x0 = [[1.0, 2.0], [5.0, 0.5]]
    a = numeric.integrate(x0, t_span=(0, 2), t_eval=[0, 1, 2])
    b = symbolic.integrate(x0, t_span=(0, 2), t_eval=[0, 1, 2])
    np.testing.assert_allclose(a.y, b.y, rtol=1e-6, atol=1e-8)
    assert (a.status == 0).all()
    np.testing.assert_allclose(numeric.iterate(x0, 3, dt=0.1).y, symbolic.iterate(x0, 3, dt=0.1).y, rtol=1e-12)
    net = network_flow().numeric()
    x0 = np.array([1, 0, 1, 0.5, 0.3, 0.5])
    sol = net.integrate(x0, t_span=(0, 0.2), rtol=1e-6, atol=1e-8)
    assert sol.status == 0 and net.cost(sol.y[-1]) < net.cost(x0)


def test_plotting_a_numeric_solve_flow():
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow

    g = sg.catalog.gaussian_kl()
    ranges = {g.mu: (0, 6), g.s: (0.25, 16)}
    out = {}
    for solve in ("numeric", "symbolic"):
        flow = sg.GradientFlow(g.cost, g.fisher, solve=solve)
        out[solve] = plot_flow(Figure().subplots(), flow, g.variance, ranges, n=6, trajectories=[[1.0, 2.0]])
    np.testing.assert_allclose(out["numeric"]["field"], out["symbolic"]["field"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out["numeric"]["trajectories"][0], out["symbolic"]["trajectories"][0], rtol=1e-5)


# -- exports -----------------------------------------------------------------------------------


def run_module(source, name):
    namespace = {"__name__": name}
    exec(compile(source, f"{name}.py", "exec"), namespace)
    return namespace


def test_to_python_solves_with_numpy():
    P, _, _ = network()
    source = sg.to_python(network_flow(), P)
    assert "numpy.linalg.solve" in source and "import numpy" in source
    flow = run_module(source, "net_numpy")["flow"]
    points, expected = well_conditioned_points(n=100, seed=7)
    np.testing.assert_allclose(flow(points), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(flow(points[0]), expected[0], rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="singular"):
        flow(np.array([SINGULAR]))


def test_to_python_with_parameters_matches_the_numeric_flow():
    g = sg.catalog.gaussian_kl()
    eta = sp.Symbol("eta", positive=True)
    flow = sg.GradientFlow(g.cost, g.fisher, rate=eta, solve="numeric")
    module = run_module(sg.to_python(flow, g.std), "gauss_numpy")
    assert module["PARAMETERS"] == ("eta",)
    pts = g.std.random_points(n=20, seed=4)
    np.testing.assert_allclose(module["flow"](pts, eta=0.3), flow.numeric(g.std)(pts, eta=0.3), rtol=1e-12)
    bound = run_module(sg.to_python(flow, g.std, params={eta: 0.3}), "gauss_bound")
    np.testing.assert_allclose(bound["flow"](pts), flow.numeric(g.std)(pts, eta=0.3), rtol=1e-12)


def compile_c(source, tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH to compile the generated C")
    src, lib = tmp_path / "flow.c", tmp_path / "libflow.so"
    src.write_text(source)
    flags = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-shared", "-fPIC"]
    subprocess.run([cc, *flags, "-o", str(lib), str(src), "-lm"], check=True, capture_output=True)
    function = ctypes.CDLL(str(lib)).flow
    ptr = ctypes.POINTER(ctypes.c_double)
    function.argtypes, function.restype = [ptr, ptr, ptr], None

    def call(points, params=()):
        p = np.ascontiguousarray(params, dtype=float)
        out = np.empty_like(points)
        for i, x in enumerate(np.ascontiguousarray(points, dtype=float)):
            row = np.empty(points.shape[1])
            function(x.ctypes.data_as(ptr), p.ctypes.data_as(ptr) if p.size else None, row.ctypes.data_as(ptr))
            out[i] = row
        return out

    return call


def test_to_c_solves_in_place(tmp_path):
    P, _, _ = network()
    source = sg.to_c(network_flow(), P)
    assert "Cholesky" in source and "void flow(const double *x, const double *p, double *out)" in source
    call = compile_c(source, tmp_path)
    points, expected = well_conditioned_points(n=100, seed=8)
    np.testing.assert_allclose(call(points), expected, rtol=1e-5, atol=1e-8)
    assert np.isnan(call(np.array([SINGULAR]))).all()


def test_to_c_with_a_parameter_and_an_indefinite_system(tmp_path):
    x, y = sp.symbols("x y", real=True)
    c = sp.Symbol("c", positive=True)
    A = sg.Manifold("plane").chart(x, y)
    metric = sg.Metric(A.manifold, A, sp.Matrix([[1, 2], [2, 1 + x**2]]), check=False)  # indefinite near x = 0
    flow = sg.GradientFlow(sg.Scalar(A.manifold, A, c * x**2 + y), metric, solve="numeric")
    call = compile_c(sg.to_c(flow, A), tmp_path)
    pts = np.random.default_rng(1).normal(size=(30, 2))
    expected = flow.numeric(A, check=False)(pts, c=1.5)
    np.testing.assert_allclose(call(pts, [1.5]), expected, rtol=1e-9)


def test_to_jax_solves_with_jax_numpy():
    P, _, _ = network()
    source = sg.to_jax(network_flow(), P)
    assert "jax.numpy.linalg.solve" in source
    compile(source, "net_jax.py", "exec")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    flow = run_module(source, "net_jax")["flow"]
    points, expected = well_conditioned_points(n=50, seed=9)
    np.testing.assert_allclose(np.asarray(jax.jit(flow)(points)), expected, rtol=1e-6, atol=1e-8)


def test_to_jax_source_runs_on_numpy_semantics(monkeypatch):
    """The generated JAX module, run with numpy standing in for jax.numpy (JAX is optional)."""
    g = sg.catalog.gaussian_kl()
    flow = sg.GradientFlow(g.cost, g.fisher, solve="numeric")
    fake = types.ModuleType("jax")
    fake.numpy = np
    monkeypatch.setitem(sys.modules, "jax", fake)
    monkeypatch.setitem(sys.modules, "jax.numpy", np)
    module = run_module(sg.to_jax(flow, g.std), "gauss_fake_jax")
    pts = g.std.random_points(n=20, seed=4)
    np.testing.assert_allclose(module["flow"](pts), flow.numeric(g.std)(pts), rtol=1e-12)


def test_to_latex_shows_the_system():
    P, _, _ = network()
    eta = sp.Symbol("eta", positive=True)
    flow = sg.GradientFlow(network()[2], network()[1], rate=eta, solve="numeric")
    text = sg.to_latex(flow, P)
    assert text.startswith("\\begin{align}") and text.endswith("\\end{align}\n")
    assert r"G(x)\, \frac{d x}{d t} &= -\eta\, dC(x)" in text
    assert "solved numerically" in text and "dC(x) &=" in text and "G(x) &=" in text
    assert r"\tanh" in text
    assert r"&= -0.5\, dC(x)" in sg.to_latex(flow, P, params={eta: 0.5})
    assert "solved numerically" not in sg.to_latex(sg.GradientFlow(network()[2], sg.euclidean(P)), P)


def test_a_diagonal_metric_is_solved_by_division_and_its_zeros_are_singular():
    x, y = sp.symbols("x y", real=True)
    A = sg.Manifold("plane").chart(x, y)
    metric = sg.Metric(A.manifold, A, sp.diag(x**2, 1 + y**2), check=False)  # singular where x = 0
    cost = sg.Scalar(A.manifold, A, x**4 / 4 + sp.cos(y))
    numeric = sg.GradientFlow(cost, metric, solve="numeric").numeric(A)
    symbolic = sg.GradientFlow(cost, metric, solve="symbolic").numeric(A)
    pts = np.random.default_rng(2).uniform(0.5, 2, (40, 2))
    np.testing.assert_allclose(numeric(pts), symbolic(pts), rtol=1e-12)
    with pytest.raises(sg.SingularMetricError, match=r"x=0, y=0\.5"):
        numeric([[1.0, 1.0], [0.0, 0.5]])


def test_exports_with_names_like_those_of_the_generated_code(tmp_path):
    """Coordinates named G and b, parameters named entries, i, flow_solve and eta_{1}."""
    G, b = sp.symbols("G b", real=True)
    entries, i, solver, eta = sp.symbols("entries i flow_solve eta_{1}", positive=True)
    A = sg.Manifold("odd names").chart(G, b)
    metric = sg.Metric(A.manifold, A, sp.Matrix([[1 + G**2, G * b / 4], [G * b / 4, 1 + b**2]]))
    cost = sg.Scalar(A.manifold, A, entries * G**2 / 2 + i * (b - solver) ** 2 / 2)
    flow = sg.GradientFlow(cost, metric, rate=eta, solve="numeric")
    pts = np.random.default_rng(0).normal(size=(10, 2))
    expected = flow.numeric(A)(pts, entries=1.5, i=0.7, flow_solve=0.2, **{"eta_{1}": 0.5})
    module = run_module(sg.to_python(flow, A), "odd_names")
    assert module["PARAMETERS"] == ("entries", "eta_1", "flow_solve", "i")
    got = module["flow"](pts, entries=1.5, eta_1=0.5, flow_solve=0.2, i=0.7)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    call = compile_c(sg.to_c(flow, A), tmp_path)
    np.testing.assert_allclose(call(pts, [1.5, 0.5, 0.2, 0.7]), expected, rtol=1e-12)


def test_a_numeric_solve_flow_on_more_points_than_one_block():
    from symgrad.numeric._kernels import CHUNK

    g = sg.catalog.gaussian_kl()
    numeric = sg.GradientFlow(g.cost, g.fisher, solve="numeric").numeric(g.variance)
    symbolic = sg.GradientFlow(g.cost, g.fisher, solve="symbolic").numeric(g.variance)
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.uniform(0, 8, 2 * CHUNK + 3), rng.uniform(0.5, 9, 2 * CHUNK + 3)]).reshape(-1, 1, 2)
    np.testing.assert_allclose(numeric(X), symbolic(X), rtol=1e-10, atol=1e-12)
    assert numeric(X).shape == (2 * CHUNK + 3, 1, 2)


def test_a_grid_of_points_is_solved_in_its_shape_as_plots_pass_it():
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow

    mu, s = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True)
    A = sg.Manifold("grid").chart(mu, s)
    c = sp.Rational(1, 10)
    G = sg.Metric(A.manifold, A, sp.Matrix([[1 / s**2, c], [c, 2 / s**2]]), check=False)
    cost = sg.Scalar(A.manifold, A, (mu - 1) ** 2 + (s - 2) ** 2)
    numeric = sg.GradientFlow(cost, G, solve="numeric")
    out = plot_flow(Figure().subplots(), numeric, A, {mu: (-1, 2), s: (0.5, 1)}, n=6, contour_n=10)
    X, Y = out["grid"]
    closed = sg.GradientFlow(cost, G, solve="symbolic").numeric(A)(np.stack([X, Y], axis=-1))
    np.testing.assert_allclose(out["field"][0], closed[..., 0], rtol=1e-10)
    np.testing.assert_allclose(out["field"][1], closed[..., 1], rtol=1e-10)
