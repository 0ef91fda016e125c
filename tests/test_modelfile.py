"""Model files: the minimal file of the specification, the paper's models as files, and hostile input.

Every hostile input must raise :class:`symgrad.ModelFileError` naming the file and the key,
and execute nothing: no shell command runs, no sentinel file appears, and neither ``eval``,
``exec``, ``sympify`` nor ``parse_expr`` ever sees the text of the file.
"""

import builtins
import importlib
import os
import pathlib
import subprocess

import pytest
import sympy as sp
from helpers import MINIMAL_MODEL
from hypothesis import given
from hypothesis import strategies as st

import symgrad as sg
from symgrad.paper import binomial_synapse, gaussian_kl, one_dimensional, synaptic_plasticity, wicked_map

MODELS = pathlib.Path(__file__).resolve().parent.parent / "derivations" / "models"

MINIMAL = MINIMAL_MODEL

mu = sp.Symbol("mu", real=True)
sigma, s, tau, eta = sp.symbols("sigma s tau eta", positive=True)


def same(a, b):
    """Symbolic equality of expressions or matrices (cancel, then simplify if needed)."""
    diff = sp.Matrix(a) - sp.Matrix(b) if isinstance(a, sp.MatrixBase) else sp.Matrix([a - b])
    return all(sp.cancel(e) == 0 or sp.simplify(e) == 0 for e in diff)


def model_with(cost="log(sigma) + (1 + (mu - 2)**2)/(2*sigma**2)", extra=""):
    """The minimal model with another cost expression (a TOML literal string) and extra TOML."""
    return MINIMAL.replace('"log(sigma) + (1 + (mu - 2)**2)/(2*sigma**2)"', cost) + extra


# -- the minimal file -------------------------------------------------------------------------------


def test_minimal_file_loads_and_its_flow_is_the_python_one(tmp_path):
    path = tmp_path / "minimal.toml"
    path.write_text(MINIMAL)
    model = sg.load_model(path)
    M = sg.Manifold("normal family")
    A = M.chart(mu, sigma)
    cost = sg.Scalar(M, A, sp.log(sigma) + (1 + (mu - 2) ** 2) / (2 * sigma**2))
    expected = sg.GradientFlow(cost, sg.euclidean(A)).components()
    assert model.name == "minimal"
    assert model.source == str(path)
    assert dict(model.coordinates) == {"mu": mu, "sigma": sigma}
    assert [c.name for c in model.manifold.charts] == ["A"]
    assert model.charts["A"].coords == (mu, sigma)
    assert model.cost.components() == cost.components()
    assert model.flow("euclid").components() == expected
    assert model.flow().components() == expected  # the only metric
    assert model.rate == 1
    assert dict(model.parameters) == {} and dict(model.parameter_values) == {}
    assert dict(model.plot_ranges) == {}


def test_loads_model_reads_a_string():
    model = sg.loads_model(MINIMAL)
    assert model.source == "<string>" and model.name == "model"
    assert isinstance(model.metrics["euclid"], sg.Metric)


def test_model_is_read_only():
    model = sg.loads_model(MINIMAL)
    with pytest.raises(AttributeError):
        model.cost = None
    with pytest.raises(TypeError):
        model.metrics["other"] = model.metrics["euclid"]


def test_flow_needs_a_known_metric_name():
    model = sg.loads_model(
        MINIMAL + 'fisher = { kind = "fisher", chart = "A", family = "normal", mean = "mu", std = "sigma" }\n'
    )
    with pytest.raises(sg.ModelFileError, match=r"model 'model' has 2 metrics \(euclid, fisher\); name one"):
        model.flow()
    with pytest.raises(sg.ModelFileError, match="no metric 'nope'; its metrics: euclid, fisher"):
        model.flow("nope")
    with pytest.raises(sg.ModelFileError, match="no chart 'B'; its charts: A"):
        model.flow("fisher", chart="B")
    assert model.flow("fisher", chart="A").components() == model.flow("fisher").components()


# -- the paper's models as files --------------------------------------------------------------------


def test_every_model_file_loads():
    paths = sorted(MODELS.glob("*.toml"))
    assert {p.stem for p in paths} >= {
        "one_dimensional",
        "gaussian_kl",
        "wicked_map",
        "synaptic_plasticity",
        "binomial_synapse",
    }
    for path in paths:
        model = sg.load_model(path)
        assert model.metrics, path
        for name in model.metrics:
            flow = model.flow(name)
            assert flow.components().shape == (model.manifold.dim, 1)
        for chart, ranges in model.plot_ranges.items():
            for c, (lo, hi) in ranges.items():
                assert model.charts[chart].contains([lo if d is c else sum(ranges[d]) / 2 for d in ranges])
                assert model.charts[chart].contains([hi if d is c else sum(ranges[d]) / 2 for d in ranges])


def test_one_dimensional_file_matches_the_derivation():
    model = sg.load_model(MODELS / "one_dimensional.toml")
    r = one_dimensional.derive()
    X, Xt = model.charts["x"], model.charts["sqrt"]
    naive_x, naive_xt = model.flow("euclidean_x"), model.flow("euclidean_sqrt")
    assert model.rate == eta
    assert same(naive_x.components(X)[0], r["naive flow in x"])
    assert same(naive_xt.components(Xt)[0], r["naive flow in sqrt chart"])
    assert same(naive_x.components(Xt)[0], r["naive x flow seen in sqrt chart"])
    assert same(naive_xt.components(X)[0], r["naive sqrt flow seen in x"])
    assert dict(model.parameter_values) == {eta: 1.0}


def test_gaussian_kl_file_matches_the_derivation():
    model = sg.load_model(MODELS / "gaussian_kl.toml")
    r = gaussian_kl.derive()
    charts = {"(mu, sigma)": "std", "(mu, s)": "variance", "(mu, tau)": "precision"}
    assert [c.coords for c in model.manifold.charts] == [(mu, sigma), (mu, s), (mu, tau)]
    assert same(model.cost.components(), r["cost"])
    for label, name in charts.items():
        chart = model.charts[name]
        assert same(model.metrics["fisher"].components(chart), r[f"Fisher metric in {label}"])
        naive = model.flow(f"euclidean_{name}")
        assert same(naive.components(chart), r[f"naive flow in {label}"])
        fisher = model.flow("fisher", chart=name)
        assert same(fisher.components(chart), r[f"Fisher flow computed in {label}"])
    assert same(model.flow("wasserstein").components(), r["Wasserstein flow in (mu, sigma)"])
    # the Fisher flow in (mu, s), computed there, is the one of (mu, sigma) pushed to (mu, s)
    B = model.charts["variance"]
    assert same(model.flow("fisher", chart="variance").components(B), model.flow("fisher").components(B))
    # the naive flows are three different vector fields
    assert not same(model.flow("euclidean_std").components(B), model.flow("euclidean_variance").components(B))


def test_wicked_map_file_matches_the_derivation():
    model = sg.load_model(MODELS / "wicked_map.toml")
    k = model.parameters["k"]
    r = wicked_map.derive(shear=k)
    terrain, mapped = model.charts["terrain"], model.charts["map"]
    true, naive = model.flow("terrain"), model.flow("map")
    assert same(model.cost.components(mapped), r["cost on the map"])
    assert same(model.metrics["terrain"].components(mapped), r["terrain metric on the map"])
    assert same(true.components(terrain), r["steepest descent, terrain"])
    assert same(true.components(mapped), r["steepest descent, on the map"])
    assert same(naive.components(mapped), r["naive map gradient flow, on the map"])
    assert same(naive.components(terrain), r["naive map gradient flow, terrain"])
    assert dict(model.parameter_values) == {k: 1.0}


def test_synaptic_plasticity_file_matches_the_derivation():
    model = sg.load_model(MODELS / "synaptic_plasticity.toml")
    r = synaptic_plasticity.derive(2)
    assert same(model.cost.components(), r["cost"])
    assert same(model.flow("per_synapse", simplify="factor").components(), r["per-synapse learning rates"])
    assert same(model.metrics["crosstalk"].components(), r["cross-talk metric"])
    assert same(model.flow("crosstalk", simplify="factor").components(), r["cross-talk rule"])
    assert same(model.flow("euclidean", simplify="factor").components(), r["Euclidean (one learning rate)"])


def test_binomial_synapse_file_matches_the_derivation():
    model = sg.load_model(MODELS / "binomial_synapse.toml")
    r = binomial_synapse.derive()
    syn = sg.catalog.binomial_synapse()
    chart = model.charts["(q, P)"]
    assert chart.coords == syn.chart.coords
    assert chart.domain == syn.chart.domain
    assert model.parameters["N"] == syn.N  # integer=True, positive=True
    assert same(model.cost.components(), r["cost"])
    assert same(model.metrics["fisher"].components(), r["Fisher metric of the response"])
    assert same(model.flow("euclidean").components(), r["Euclidean flow"])
    assert same(model.flow("fisher").components(), r["Fisher flow"])
    assert same(model.flow("metabolic").components(), r["metabolic flow"])
    assert model.parameter_values[syn.N] == 10.0


def test_parameter_values_and_plot_ranges_feed_numeric_work():
    model = sg.load_model(MODELS / "gaussian_kl.toml")
    rhs = model.flow("fisher").components().xreplace(dict(model.parameter_values))
    assert rhs.free_symbols == {mu, sigma}
    assert rhs.xreplace({mu: 4, sigma: 2}) == sp.zeros(2, 1)  # the target is the fixed point
    assert model.plot_ranges["std"] == {mu: (0.0, 8.0), sigma: (0.5, 5.0)}


# -- no eval, exec, sympify or parse_expr -----------------------------------------------------------


def test_loading_never_evaluates_file_text(monkeypatch):
    """sympify/parse_expr on strings and eval/exec of the file's text are never called.

    symgrad's own numeric checks lambdify sympy expressions (sympy's lambdify runs
    ``exec`` on code it printed itself, and on its import lines); they never see
    the file's text, which is written here with odd spacing that no printer makes.
    """
    texts = ["log( sigma )  +  ( 1+( mu-2 )**2 ) / ( 2*sigma**2 )", "mu  +  0", "sigma  **  1"]
    source = (
        MINIMAL.replace("log(sigma) + (1 + (mu - 2)**2)/(2*sigma**2)", texts[0])
        + f'fisher = {{ kind = "fisher", chart = "A", family = "normal", mean = "{texts[1]}", std = "{texts[2]}" }}\n'
    )
    calls = []

    def guard(name, original, allow_code=False):
        def wrapper(*args, **kwargs):
            first = args[0] if args else None
            calls.append((name, first))
            if isinstance(first, str) and any(t in first for t in texts):
                raise AssertionError(f"{name} saw the model file's text: {first!r}")
            if isinstance(first, str) and not allow_code:
                raise AssertionError(f"{name} was called on the string {first!r}")
            return original(*args, **kwargs)

        return wrapper

    sympify_module = importlib.import_module("sympy.core.sympify")
    parser_module = importlib.import_module("sympy.parsing.sympy_parser")
    monkeypatch.setattr(sp, "sympify", guard("sympify", sp.sympify))
    monkeypatch.setattr(sympify_module, "sympify", guard("sympify", sympify_module.sympify))
    monkeypatch.setattr(sp, "parse_expr", guard("parse_expr", sp.parse_expr))
    monkeypatch.setattr(parser_module, "parse_expr", guard("parse_expr", parser_module.parse_expr))
    monkeypatch.setattr(builtins, "eval", guard("eval", builtins.eval))
    monkeypatch.setattr(builtins, "exec", guard("exec", builtins.exec, allow_code=True))
    model = sg.loads_model(source)
    flow = model.flow("fisher")
    assert not [c for c in calls if c[0] in ("parse_expr", "eval")]
    assert not [c for c in calls if c[0] == "sympify" and isinstance(c[1], str)]
    monkeypatch.undo()
    assert same(flow.components(), sp.Matrix([2 - mu, (mu**2 - 4 * mu - sigma**2 + 5) / (2 * sigma)]))


# -- hostile expressions ----------------------------------------------------------------------------

HOSTILE = {
    "import and shell": "__import__('os').system('touch {sentinel}')",
    "bare import call": "__import__('os')",
    "subclasses walk": "().__class__.__bases__[0].__subclasses__()",
    "attribute access": "sigma.__class__",
    "attribute on a call": "exp(sigma).func",
    "lambda": "(lambda: 1)()",
    "lambda value": "lambda x: x",
    "list comprehension": "[x for x in (1, 2)]",
    "generator": "sum(x for x in (mu, sigma))",
    "subscript": "sigma[0]",
    "keyword argument": "log(sigma, base=2)",
    "string": "'abc'",
    "string argument": "log('sigma')",
    "bytes": "b'abc'",
    "f-string": "f'{sigma}'",
    "complex literal": "2j * sigma",
    "boolean": "True",
    "None": "None",
    "tower of powers": "9**9**9**9",
    "huge power": "2**100000",
    "huge power of a product": "(10**90 * sigma)**900",
    "huge product": "*".join(["10**99"] * 60),
    "huge integer literal": "1" * 200,
    "infinite float": "1e999 * sigma",
    "deep brackets": "(" * 10_000 + "sigma" + ")" * 10_000,
    "deep brackets, short": "(" * 150 + "sigma" + ")" * 150,
    "deep unary minus": "-" * 5000 + "sigma",
    "deep calls": "exp(" * 120 + "sigma" + ")" * 120,
    "deep powers": "sigma" + "**2" * 3000,
    "deep powers, short": "sigma" + "**2" * 150,
    "deep unary minus, short": "-" * 150 + "sigma",
    "complex root": "(-8)**(1/3) * sigma",
    "complex function value": "acos(2) + sigma",
    "log of a negative number": "log(-1) + sigma",
    "long expression": "sigma + " * 125_000 + "mu",
    "unknown function": "foo(sigma)",
    "eval": "eval('1')",
    "exec": "exec('import os')",
    "open": "open('/etc/passwd')",
    "getattr": "getattr(sigma, 'func')",
    "undeclared name": "sigma + nosuchname",
    "builtins name": "__builtins__",
    "function as a name": "exp + sigma",
    "wrong arity": "exp(sigma, mu)",
    "starred": "log(*sigma)",
    "comparison": "mu < sigma",
    "boolean operator": "mu and sigma",
    "conditional": "mu if sigma else 1",
    "walrus": "(y := sigma)",
    "floor division": "sigma // 2",
    "modulo": "sigma % 2",
    "bit inversion": "~sigma",
    "not": "not sigma",
    "matrix product": "sigma @ mu",
    "tuple": "sigma, mu",
    "dict": "{1: sigma}",
    "statement": "import os",
    "two statements": "sigma; __import__('os')",
    "assignment": "x = 1",
    "null byte": "sigma\x00",
    "division by zero": "sigma / 0",
    "division by a vanishing expression": "sigma / (mu - mu)",
    "infinite value": "log(0) + sigma",
    "not real": "sqrt(-1) * sigma",
    "syntax error": "sigma +",
    "empty": "   ",
}


@pytest.fixture
def no_execution(monkeypatch, tmp_path):
    """A sentinel path that hostile text tries to create, and records of any shell call."""
    sentinel = tmp_path / "pwned"
    calls = []

    def record(name):
        def f(*args, **kwargs):
            calls.append((name, args))
            raise AssertionError(f"{name} was called with {args!r}")

        return f

    monkeypatch.setattr(os, "system", record("os.system"))
    monkeypatch.setattr(os, "popen", record("os.popen"))
    monkeypatch.setattr(subprocess, "Popen", record("subprocess.Popen"))
    yield sentinel
    assert not calls
    assert not sentinel.exists()


def toml_literal(text):
    """``text`` as a TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\u0000")
    return f'"{escaped}"'


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_cost_expression_is_refused_and_nothing_runs(name, no_execution, tmp_path):
    text = HOSTILE[name].replace("{sentinel}", str(no_execution))
    path = tmp_path / "hostile.toml"
    path.write_text(model_with(cost=toml_literal(text)))
    with pytest.raises(sg.ModelFileError) as info:
        sg.load_model(path)
    message = str(info.value)
    assert message.startswith(f"{path}, cost.expr: "), message
    assert len(message) < 1000
    assert info.value.source == str(path) and info.value.key == "cost.expr"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("sigma.__class__", "attribute access ('.__class__') is not allowed"),
        ("__import__('os')", "unknown function '__import__'"),
        ("sigma[0]", "subscripts are not allowed"),
        ("(lambda: 1)()", "only named functions can be called"),
        ("lambda x: x", "lambdas are not allowed"),
        ("[x for x in (1,)]", "comprehensions are not allowed"),
        ("log(sigma, base=2)", "keyword arguments are not allowed"),
        ("log('sigma')", "strings are not allowed"),
        ("2**100000", "the exponent 100000 is larger than 1000"),
        ("(" * 10_000 + "sigma" + ")" * 10_000, "is 20005 characters long"),
        ("(" * 200 + "sigma" + ")" * 200, "nests brackets deeper than 100"),
        ("sigmaa + 1", "the name 'sigmaa' is not declared (names allowed here: mu, sigma)"),
        ("foo(sigma)", "unknown function 'foo' (allowed: Abs, abs, acos"),
        ("sigma // 2", "the operator '//' is not allowed"),
        ("sigma +", "not an expression"),
        ("1/(mu - mu)", "division by zero"),
    ],
)
def test_hostile_expression_messages_name_the_problem(text, fragment):
    with pytest.raises(sg.ModelFileError, match="^<string>, cost.expr: ") as info:
        sg.loads_model(model_with(cost=toml_literal(text)))
    assert fragment in str(info.value)


def test_long_flat_chains_are_one_level_deep():
    """Sums and products of many terms are read iteratively: nesting limits are not reached."""
    x1 = sp.Symbol("x1", real=True)
    assert sg.parse_expression(" + ".join(["x1"] * 500), [x1]) == 500 * x1
    assert sg.parse_expression(" * ".join(["x1"] * 500), [x1]) == x1**500
    assert sg.parse_expression(" - ".join(["x1"] * 501), [x1]) == -499 * x1


def test_tower_of_powers_is_refused_quickly():
    import time

    start = time.perf_counter()
    for text in [
        "9**9**9**9",
        "(2**1000)**1000",
        "((2**999)**999)**999",
        "10**999 * 10**999 * 10**999 * 10**999 * 10**999",
    ]:
        with pytest.raises(sg.ModelFileError):
            sg.parse_expression(text)
    assert time.perf_counter() - start < 2.0


def test_hostile_expressions_elsewhere_in_the_file(no_execution):
    attack = toml_literal(f"__import__('os').system('touch {no_execution}')")
    places = {
        "metrics.bad.entries[1]": f'bad = {{ kind = "diagonal", chart = "A", entries = [1, {attack}] }}\n',
        "metrics.bad.rows[0][1]": f'bad = {{ kind = "matrix", chart = "A", rows = [[1, {attack}], [0, 1]] }}\n',
        "metrics.bad.mean": (
            f'bad = {{ kind = "fisher", chart = "A", family = "normal", mean = {attack}, std = "sigma" }}\n'
        ),
    }
    for key, line in places.items():
        with pytest.raises(sg.ModelFileError, match=f"^<string>, {key.replace('[', '.').replace(']', '.')}"):
            sg.loads_model(MINIMAL + line)
    with pytest.raises(sg.ModelFileError, match="^<string>, flow.rate: "):
        sg.loads_model(MINIMAL + f"[flow]\nrate = {attack}\n")
    with pytest.raises(sg.ModelFileError, match=r"^<string>, transitions\[0\].map.s: "):
        sg.loads_model(
            MINIMAL.replace('A = ["mu", "sigma"]', 'A = ["mu", "sigma"]\nB = ["mu", "s"]').replace(
                'sigma = "positive"', 'sigma = "positive"\ns = "positive"'
            )
            + f'[[transitions]]\nfrom = "A"\nto = "B"\nmap = {{ mu = "mu", s = {attack} }}\n'
        )
    with pytest.raises(sg.ModelFileError, match="^<string>, coordinates.sigma.domain: "):
        sg.loads_model(
            MINIMAL.replace('sigma = "positive"', f'sigma = {{ type = "positive", domain = [0, {attack}] }}')
        )


# -- schema errors ----------------------------------------------------------------------------------

TWO_CHARTS = """
[coordinates]
mu = "real"
sigma = "positive"
s = "positive"

[charts]
A = ["mu", "sigma"]
B = ["mu", "s"]

[[transitions]]
from = "A"
to = "B"
map = { mu = "mu", s = "sigma**2" }

[cost]
chart = "A"
expr = "(mu - 1)**2 + sigma"

[metrics]
euclid = { kind = "euclidean", chart = "A" }
"""

SCHEMA_ERRORS = {
    "toml syntax": (MINIMAL + "this is = not toml = at all\n", "not a valid TOML file"),
    "unclosed string": (MINIMAL.replace('"A"\nexpr', '"A\nexpr'), "not a valid TOML file"),
    "unknown section": (MINIMAL + "[metricz]\n", "unknown section [metricz]"),
    "unknown key in cost": (
        MINIMAL.replace('chart = "A"\nexpr', 'chart = "A"\nexpresion = "1"\nexpr'),
        "cost: unknown key 'expresion'",
    ),
    "unknown key in a metric": (
        MINIMAL.replace('{ kind = "euclidean", chart = "A" }', '{ kind = "euclidean", chart = "A", scale = 2 }'),
        "metrics.euclid: unknown key 'scale'",
    ),
    "unknown metric kind": (
        MINIMAL.replace('kind = "euclidean"', 'kind = "riemannian"'),
        "unknown metric kind 'riemannian'",
    ),
    "metric kind not a string": (
        MINIMAL.replace('kind = "euclidean"', "kind = 3"),
        "metrics.euclid.kind: must be a string",
    ),
    "unknown family": (
        MINIMAL + 'f = { kind = "fisher", chart = "A", family = "cauchy", loc = "mu" }\n',
        "metrics.f.family: unknown family 'cauchy'",
    ),
    "two scales": (
        MINIMAL
        + (
            'f = { kind = "fisher", chart = "A", family = "normal", mean = "mu", std = "sigma",'
            ' variance = "sigma**2" }\n'
        ),
        "exactly one of std, variance, precision",
    ),
    "missing section": (
        MINIMAL.replace('[metrics]\neuclid = { kind = "euclidean", chart = "A" }\n', ""),
        "missing section [metrics]",
    ),
    "missing key": (MINIMAL.replace('chart = "A"\nexpr', "expr"), "cost: missing key 'chart'"),
    "cost expr not a string": (
        MINIMAL.replace('expr = "log(sigma) + (1 + (mu - 2)**2)/(2*sigma**2)"', "expr = [1, 2]"),
        "cost.expr: must be an expression",
    ),
    "cost expr a boolean": (
        MINIMAL.replace('expr = "log(sigma) + (1 + (mu - 2)**2)/(2*sigma**2)"', "expr = true"),
        "cost.expr: must be an expression",
    ),
    "charts not a table": (
        "charts = 3\n" + MINIMAL.replace('[charts]\nA = ["mu", "sigma"]', ""),
        "model.toml, charts: must be a table",
    ),
    "chart not an array": (MINIMAL.replace('A = ["mu", "sigma"]', 'A = "mu"'), "charts.A: must be an array"),
    "unknown coordinate type": (
        MINIMAL.replace('mu = "real"', 'mu = "complex"'),
        "coordinates.mu: unknown type 'complex'",
    ),
    "coordinate type not a string": (MINIMAL.replace('mu = "real"', "mu = 1"), "coordinates.mu: must be a type"),
    "undeclared chart coordinate": (
        MINIMAL.replace('["mu", "sigma"]', '["mu", "sigmaa"]'),
        "'sigmaa' is not a declared coordinate",
    ),
    "unknown chart": (MINIMAL.replace('chart = "A"\nexpr', 'chart = "B"\nexpr'), "cost.chart: unknown chart 'B'"),
    "unused coordinate": (
        MINIMAL.replace('sigma = "positive"', 'sigma = "positive"\nnu = "real"'),
        "coordinates.nu: is declared but belongs to no chart",
    ),
    "duplicate name": (MINIMAL + '[parameters]\nmu = "real"\n', "parameters.mu: the name 'mu' is declared twice"),
    "reserved name": (
        MINIMAL.replace('mu = "real"', 'exp = "real"').replace('"mu"', '"exp"'),
        "the name 'exp' is reserved",
    ),
    "keyword name": (MINIMAL.replace('mu = "real"', 'lambda = "real"'), "the name 'lambda' is reserved"),
    "dunder name": (MINIMAL.replace('mu = "real"', '__class__ = "real"'), "'__class__' is not a valid name"),
    "non-ascii name": (MINIMAL.replace('mu = "real"', '"μ" = "real"'), "is not a valid name"),
    "empty domain": (
        MINIMAL.replace('sigma = "positive"', 'sigma = { type = "positive", domain = [2, 1] }'),
        "is empty",
    ),
    "domain outside the type": (
        MINIMAL.replace('sigma = "positive"', 'sigma = { type = "positive", domain = [-2, -1] }'),
        "charts.A: the domain",
    ),
    "parameter value of the wrong sign": (
        MINIMAL + '[parameters]\neta = { type = "positive", value = -1 }\n',
        "parameters.eta.value: -1 is not positive",
    ),
    "parameter value not a number": (
        MINIMAL + '[parameters]\neta = { type = "positive", value = "1" }\n',
        "parameters.eta.value: must be a number",
    ),
    "integer parameter with a fractional value": (
        MINIMAL + '[parameters]\nN = { type = "positive", integer = true, value = 2.5 }\n',
        "N is an integer parameter",
    ),
    "plot range outside the domain": (
        MINIMAL + "[plot.A]\nmu = [0, 1]\nsigma = [-1, 1]\n",
        "plot.A.sigma: -1.0 lies outside",
    ),
    "plot range missing a coordinate": (MINIMAL + "[plot.A]\nmu = [0, 1]\n", "plot.A: missing key 'sigma'"),
    "plot range of an unknown chart": (MINIMAL + "[plot.B]\nmu = [0, 1]\n", "plot.B: unknown chart 'B'"),
    "plot range empty": (
        MINIMAL + "[plot.A]\nmu = [1, 0]\nsigma = [1, 2]\n",
        "plot.A.mu: the range [1.0, 0.0] is empty",
    ),
    "not positive definite": (
        MINIMAL + 'bad = { kind = "diagonal", chart = "A", entries = [1, "-sigma"] }\n',
        "metrics.bad: metric on chart 'A' is not positive definite",
    ),
    "not symmetric": (
        MINIMAL + 'bad = { kind = "matrix", chart = "A", rows = [[1, "mu"], [0, 1]] }\n',
        "metrics.bad: metric on chart 'A' is not symmetric",
    ),
    "wrong number of entries": (
        MINIMAL + 'bad = { kind = "diagonal", chart = "A", entries = [1] }\n',
        "metrics.bad.entries: must have 2 entries, got 1",
    ),
    "log metric of a real coordinate": (
        MINIMAL + 'bad = { kind = "log", chart = "A" }\n',
        "metrics.bad: the log metric needs positive coordinates",
    ),
    "another chart's coordinate": (
        TWO_CHARTS + 'bad = { kind = "diagonal", chart = "A", entries = [1, "s"] }\n',
        "metrics.bad.entries[1]: the name 's' is not declared (names allowed here: mu, sigma)",
    ),
    "wrong inverse": (
        TWO_CHARTS.replace(
            'map = { mu = "mu", s = "sigma**2" }',
            'map = { mu = "mu", s = "sigma**2" }\ninverse = { mu = "mu", sigma = "s" }',
        ),
        "transitions[0]: the inverse passed for transition 'A' -> 'B' does not invert the map",
    ),
    "singular transition": (
        TWO_CHARTS.replace('s = "sigma**2"', 's = "mu**2 + 1"'),
        "transitions[0]: ",
    ),
    "transition missing a coordinate": (
        TWO_CHARTS.replace('mu = "mu", s = "sigma**2"', 's = "sigma**2"'),
        "transitions[0].map: missing key 'mu'",
    ),
    "disconnected charts": (
        TWO_CHARTS.replace('[[transitions]]\nfrom = "A"\nto = "B"\nmap = { mu = "mu", s = "sigma**2" }\n', ""),
        "charts.B: no chain of [[transitions]]",
    ),
    "wasserstein of a non-normal family": (
        MINIMAL + 'w = { kind = "wasserstein", chart = "A", family = "logistic", loc = "mu", scale = "sigma" }\n',
        "metrics.w.family: the Wasserstein metric is available for the normal family only",
    ),
    "cost with expr and kl": (
        MINIMAL.replace(
            'chart = "A"\nexpr',
            'chart = "A"\nkl = { from = { family = "normal", mean = 0, std = 1 },'
            ' to = { family = "normal", mean = "mu", std = "sigma" } }\nexpr',
        ),
        "cost: give exactly one of 'expr'",
    ),
    "rate using a coordinate": (MINIMAL + '[flow]\nrate = "sigma"\n', "flow.rate: the name 'sigma' is not declared"),
}


@pytest.mark.parametrize("name", sorted(SCHEMA_ERRORS))
def test_schema_errors_are_model_file_errors_that_say_where(name):
    text, fragment = SCHEMA_ERRORS[name]
    with pytest.raises(sg.ModelFileError) as info:
        sg.loads_model(text, source="model.toml")
    assert str(info.value).startswith("model.toml"), str(info.value)
    assert fragment in str(info.value), str(info.value)
    # the key is the dotted TOML key when the message names one, None for the whole file
    named = str(info.value).split(": ", 1)[0].partition(", ")[2]
    assert info.value.key == (named or None)


def test_errors_of_the_core_are_chained():
    text, _ = SCHEMA_ERRORS["not positive definite"]
    with pytest.raises(sg.ModelFileError) as info:
        sg.loads_model(text)
    assert isinstance(info.value.__cause__, sg.NotPositiveDefiniteError)
    assert info.value.key == "metrics.bad"
    assert isinstance(info.value, sg.SymgradError) and isinstance(info.value, ValueError)


def test_file_level_errors(tmp_path):
    with pytest.raises(sg.ModelFileError, match="cannot read the model file"):
        sg.load_model(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(sg.ModelFileError, match="not a UTF-8 text file"):
        sg.load_model(binary)
    with pytest.raises(sg.ModelFileError, match="a model is text"):
        sg.loads_model(b"[coordinates]")
    with pytest.raises(sg.ModelFileError, match="missing section \\[coordinates\\]"):
        sg.loads_model("")


# -- what the format expresses ----------------------------------------------------------------------


def test_domains_parameters_and_families():
    model = sg.loads_model("""
        [model]
        name = "coin"
        description = "a Bernoulli family in its probability and in its logit"
        [coordinates]
        p = { type = "real", domain = [0, 1] }
        l = "real"
        t = { type = "real", domain = ["-pi/2", "pi/2"] }
        [parameters]
        c = { type = "positive", value = 2 }
        [charts]
        prob = ["p"]
        logit = ["l"]
        angle = ["t"]
        [[transitions]]
        from = "logit"
        to = "prob"
        map = { p = "sigmoid(l)" }
        inverse = { l = "log(p/(1 - p))" }
        [[transitions]]
        from = "angle"
        to = "logit"
        map = { l = "tan(t)" }
        inverse = { t = "atan(l)" }
        [cost]
        chart = "prob"
        expr = "c*(p - 0.25)**2"
        [metrics]
        fisher = { kind = "fisher", chart = "prob", family = "bernoulli", p = "p" }
        fisher_logit = { kind = "fisher", chart = "logit", family = "categorical", logits = [0, "l"] }
        """)
    p = model.coordinates["p"]
    assert model.charts["prob"].domain[p] == sp.Interval.open(0, 1)
    assert model.charts["angle"].domain[model.coordinates["t"]] == sp.Interval.open(-sp.pi / 2, sp.pi / 2)
    assert model.description.startswith("a Bernoulli")
    c = model.parameters["c"]
    assert model.cost.components() == c * (p - sp.Rational(1, 4)) ** 2
    # the Bernoulli Fisher metric, seen in the logit chart, is the categorical one
    assert same(model.metrics["fisher"].components(model.charts["logit"]), model.metrics["fisher_logit"].components())


def test_kl_cost_and_numbers_as_expressions():
    model = sg.loads_model(
        MINIMAL.replace(
            'expr = "log(sigma) + (1 + (mu - 2)**2)/(2*sigma**2)"',
            'kl = { from = { family = "normal", mean = 2, std = 1 },'
            ' to = { family = "normal", mean = "mu", std = "sigma" } }',
        )
        + 'scaled = { kind = "diagonal", chart = "A", entries = [2, 0.5] }\n'
    )
    expected = sp.log(sigma) + (1 + (mu - 2) ** 2) / (2 * sigma**2) - sp.Rational(1, 2)
    assert same(model.cost.components(), expected)
    assert model.metrics["scaled"].components() == sp.diag(2, sp.Rational(1, 2))


def test_solved_inverse_and_metabolic_metric():
    model = sg.loads_model(
        TWO_CHARTS + 'weber = { kind = "metabolic", chart = "B", cost_of_change = { s = "1/s**2" } }\n'
    )
    A, B = model.charts["A"], model.charts["B"]
    assert model.manifold.transition_map(A, B).inverse == sp.Matrix([mu, sp.sqrt(s)])
    assert model.metrics["weber"].components() == sp.diag(1, 1 / s**2)


# -- the parser, property-tested --------------------------------------------------------------------

x, y = sp.symbols("x y", positive=True)
NAMES = {"x": x, "y": y}


def leaves():
    return st.one_of(
        st.integers(0, 20).map(lambda n: (str(n), sp.Integer(n))),
        st.sampled_from([("x", x), ("y", y), ("pi", sp.pi), ("E", sp.E), ("0.5", sp.Rational(1, 2))]),
    )


def nonzero():
    return st.one_of(
        st.integers(1, 9).map(lambda n: (str(n), sp.Integer(n))),
        st.sampled_from([("x", x), ("y", y), ("(x + y)", x + y)]),
    )


def extend(children):
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda p: (f"({p[0][0]} + {p[1][0]})", p[0][1] + p[1][1])),
        pairs.map(lambda p: (f"({p[0][0]} - {p[1][0]})", p[0][1] - p[1][1])),
        pairs.map(lambda p: (f"({p[0][0]} * {p[1][0]})", p[0][1] * p[1][1])),
        st.tuples(children, nonzero()).map(lambda p: (f"({p[0][0]} / {p[1][0]})", p[0][1] / p[1][1])),
        st.tuples(children, st.integers(0, 4)).map(lambda p: (f"({p[0][0]})**{p[1]}", p[0][1] ** p[1])),
        children.map(lambda c: (f"-{c[0]}", -c[1])),
        children.map(lambda c: (f"exp({c[0]})", sp.exp(c[1]))),
        children.map(lambda c: (f"sin({c[0]})", sp.sin(c[1]))),
        children.map(lambda c: (f"atan({c[0]})", sp.atan(c[1]))),
        children.map(lambda c: (f"sigmoid({c[0]})", 1 / (1 + sp.exp(-c[1])))),
    )


@given(st.recursive(leaves(), extend, max_leaves=12))
def test_parser_builds_the_expression_it_reads(pair):
    text, expected = pair
    assert sg.parse_expression(text, NAMES) == expected


@given(
    st.text(
        alphabet="xy0123456789+-*/().,_ eEjb'\"[]{}:=<>!@#%^&|~;\\\n\tlambdaimportsqrt",
        max_size=40,
    )
)
def test_parser_raises_only_model_file_errors(text):
    try:
        result = sg.parse_expression(text, NAMES)
    except sg.ModelFileError:
        return
    assert isinstance(result, sp.Expr)
    assert result.free_symbols <= {x, y}


# -- lookalike letters, huge numbers and other inputs that must stay model-file errors -------------

INVERSE_AT_A_POLE = """
[coordinates]
x = "positive"
xt = "positive"
[charts]
X = ["x"]
XT = ["xt"]
[[transitions]]
from = "X"
to = "XT"
map = { xt = "1/x" }
inverse = { x = "0" }
[cost]
chart = "X"
expr = "x"
[metrics]
e = { kind = "euclidean", chart = "X" }
"""

BAD_INPUTS = {
    "fullwidth letters": (model_with(cost='"ｅｘｐ(mu)"'), "cost.expr"),
    "mathematical bold letters": (model_with(cost='"𝐞𝐱𝐩(mu)"'), "cost.expr"),
    "401-digit parameter value": (
        MINIMAL + f'[parameters]\neta = {{ type = "positive", value = {"1" * 401} }}\n',
        "parameters.eta.value",
    ),
    "401-digit plot bound": (MINIMAL + f"[plot.A]\nmu = [0, {'1' * 401}]\nsigma = [1, 2]\n", "plot.A.mu"),
    "401-digit number as an expression": (
        MINIMAL + f'd = {{ kind = "diagonal", chart = "A", entries = [{"1" * 401}, 1] }}\n',
        "metrics.d.entries[0]",
    ),
    "10**400": (model_with(cost='"10**400*mu"'), "cost.expr"),
    "power of a power": (model_with(cost='"(10**100)**10"'), "cost.expr"),
    "product of floats": (model_with(cost='"mu*1e308*1e308"'), "cost.expr"),
    "inverse at a pole": (INVERSE_AT_A_POLE, "transitions[0].inverse"),
    "tower of 99 powers": (model_with(cost=toml_literal("**".join(["mu"] * 99))), "cost.expr"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_inputs_are_model_file_errors_naming_file_and_key(name):
    text, key = BAD_INPUTS[name]
    with pytest.raises(sg.ModelFileError) as info:
        sg.loads_model(text, source="bad.toml")
    assert str(info.value).startswith(f"bad.toml, {key}: "), str(info.value)
    assert info.value.source == "bad.toml" and info.value.key == key
    assert len(str(info.value)) < 1000


def test_lookalike_letters_are_refused_with_the_character_and_its_column():
    for text, shown in [("ｅｘｐ(mu)", "'ｅ' (U+FF45) at column 1"), ("mu + 𝐞𝐱𝐩(sigma)", "'𝐞' (U+1D41E) at column 6")]:
        with pytest.raises(sg.ModelFileError, match="^<string>, cost.expr: ") as info:
            sg.loads_model(model_with(cost=toml_literal(text)))
        assert shown in str(info.value) and "not ASCII" in str(info.value)
    with pytest.raises(sg.ModelFileError, match="not ASCII"):
        sg.parse_expression("\u00b5 + x", {"x": sp.Symbol("x")})


@pytest.mark.parametrize(
    "text, key",
    [
        (MINIMAL.replace('mu = "real"', '"\u00b5" = "real"'), "coordinates.\u00b5"),
        (MINIMAL + '[parameters]\n"ｅta" = "positive"\n', "parameters.ｅta"),
        (MINIMAL.replace("A = [", '"\u00c4" = [').replace('chart = "A"', 'chart = "\u00c4"'), "charts.\u00c4"),
        (MINIMAL.replace("euclid =", '"\u00e9uclid" ='), "metrics.\u00e9uclid"),
    ],
)
def test_names_in_the_schema_are_ascii(text, key):
    with pytest.raises(sg.ModelFileError, match="is not a valid name") as info:
        sg.loads_model(text)
    assert info.value.key == key


def test_numbers_beyond_floats_are_refused_and_large_ones_read():
    for text in ["10**400*mu", "(10**100)**10*mu", "mu*1e308*1e308", "exp(10**309)", "mu/10**400*10**800"]:
        with pytest.raises(sg.ModelFileError, match="larger than the largest float"):
            sg.loads_model(model_with(cost=toml_literal(text)))
    model = sg.loads_model(model_with(cost='"1e300*mu**2 + 10**100*sigma"'))
    assert model.cost.components().has(sp.Integer(10) ** 300)


def test_constant_functions_of_huge_arguments_reach_numeric_checks():
    """Integers beyond int64 in entries that are checked numerically are evaluated as floats."""
    entries = '["2 + sin(10**20)", "asinh(10**30) + erf(10**20)"]'
    model = sg.loads_model(MINIMAL + f'd = {{ kind = "diagonal", chart = "A", entries = {entries} }}\n')
    assert model.flow("d").components().shape == (2, 1)
    # sin(10**20) = -0.645...: checked numerically, and refused as not positive
    with pytest.raises(sg.ModelFileError, match="^<string>, metrics.d: .*not positive definite"):
        sg.loads_model(MINIMAL + 'd = { kind = "diagonal", chart = "A", entries = ["sin(10**20)", 1] }\n')
    # exp(k*x) is worked with as exp(x)**k: k is bounded like a numeric exponent
    for text in ["1 + exp(-10**20)", "1 + exp(-10**20*mu)", "2 + sigmoid(3000*mu)"]:
        with pytest.raises(sg.ModelFileError, match="with a coefficient larger than 1000"):
            sg.loads_model(MINIMAL + f'd = {{ kind = "diagonal", chart = "A", entries = ["{text}", 1] }}\n')


def test_power_towers_are_refused_before_sympy_recurses():
    names = {"mu": mu}
    assert sg.parse_expression("**".join(["mu"] * 17), names).is_Pow  # 16 powers
    with pytest.raises(sg.ModelFileError, match="the powers nest deeper than 16 levels"):
        sg.parse_expression("**".join(["mu"] * 18), names)
    with pytest.raises(sg.ModelFileError, match="the powers nest deeper than 16 levels"):
        sg.parse_expression("(" * 9 + "mu**" * 9 + "mu" + ")**2" * 9, names)


def test_unexpected_errors_become_model_file_errors(monkeypatch):
    """Whatever fails while a model is built, the reader raises a ModelFileError that says where."""
    import symgrad.io._schema as schema

    for error in [OverflowError("int too large"), KeyError("ComplexInfinity"), TypeError("loop of ufunc")]:

        def fail(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(schema, "euclidean", fail)
        with pytest.raises(
            sg.ModelFileError, match=f"^m.toml, metrics.euclid: cannot be built \\({type(error).__name__}"
        ):
            sg.loads_model(MINIMAL, source="m.toml")
    monkeypatch.undo()
    for error in [RecursionError("deep"), ValueError("bad"), MemoryError()]:

        def fail(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(schema.Reader, "read_flow", fail)
        with pytest.raises(sg.ModelFileError, match="^m.toml: the model ") as info:
            sg.loads_model(MINIMAL, source="m.toml")
        assert info.value.source == "m.toml"
