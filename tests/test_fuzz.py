"""Fuzzing the model-file boundary: every input is a model or a symgrad error, within the budget.

Two generators: expressions from the grammar of model files (numbers of every size,
declared and undeclared names, lookalike letters, the allowed functions with right and
wrong numbers of arguments, operators allowed and not) placed where a model file takes an
expression, and random mutations of the shipped model files.  Each input is read, its
first metric's flow derived and exported, and the one-chart checks run, under
:func:`symgrad.budget`; whatever happens must be a model or a
:class:`~symgrad.SymgradError` (never another exception) within the budget (plus the
time the interpreter needs to stop), reading a file fails only with a
:class:`~symgrad.ModelFileError` (or a :class:`~symgrad.BudgetError`), and nothing may be
written into the working folder.

The default run is short and derandomised; ``SYMGRAD_FUZZ_EXAMPLES=N`` runs ``N``
examples per test (CI runs a longer profile in a separate step).
"""

import io
import os
import pathlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symgrad as sg
from symgrad.cli import _check_one_chart, check
from symgrad.io._expressions import FUNCTIONS

MODELS = sorted((pathlib.Path(__file__).resolve().parents[1] / "derivations" / "models").glob("*.toml"))
EXAMPLES = int(os.environ.get("SYMGRAD_FUZZ_EXAMPLES", "12"))
BUDGET = 10.0
SLACK = 5.0  # the budget is enforced every 50 ms; the interpreter needs a moment to unwind

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

NUMBERS = st.one_of(
    st.integers(-5, 5).map(str),
    st.sampled_from(["0", "0.5", "1e308", "1e-320", "10**400", "(10**100)**10", "10**30", "-10**20", "1e400"]),
    st.integers(0, 450).map(lambda k: "1" + "0" * k),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
# declared names are drawn most often, so that many inputs are models
NAMES = st.sampled_from(
    ["x"] * 8 + ["eta", "pi", "E", "e", "xt", "y", "float", "__import__", "\uff45\uff58\uff50", "os", "M_PI", "sigmoid"]
)
CALLABLE = sorted(FUNCTIONS) * 3 + ["eval", "open", "max", "gamma"]


def _expressions():
    leaves = NUMBERS | NAMES

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "//", "%", "@"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            inner.map(lambda e: f"-{e}"),
            st.tuples(st.sampled_from(CALLABLE), st.lists(inner, min_size=1, max_size=2) | st.just([])).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"
            ),
            st.tuples(inner, st.integers(2, 40)).map(lambda t: "**".join([t[0]] * t[1])),
        )

    return st.recursive(leaves, extend, max_leaves=12)


TEMPLATE = """
[model]
name = "fuzz"
[coordinates]
x = "positive"
xt = "positive"
[parameters]
eta = {{ type = "positive", value = {value} }}
[charts]
x = ["x"]
sqrt = ["xt"]
[[transitions]]
from = "x"
to = "sqrt"
map = {{ xt = "{forward}" }}
inverse = {{ x = "{inverse}" }}
[cost]
chart = "x"
expr = "{cost}"
[metrics]
d = {{ kind = "diagonal", chart = "x", entries = ["{entry}"] }}
f = {{ kind = "fisher", chart = "x", family = "normal", mean = "x", std = "{std}" }}
[flow]
rate = "eta"
[plot.x]
x = [{lo}, 3]
"""


def _attempt(text, tmp_path):
    """Read ``text`` as a model file and run what the command line runs; the outcome, checked."""
    path = tmp_path / "model.toml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    before = sorted(p.name for p in tmp_path.iterdir())
    cwd = os.getcwd()
    os.chdir(tmp_path)
    t0 = time.monotonic()
    try:
        with sg.budget(BUDGET):
            try:
                model = sg.load_model(path)
            except sg.SymgradError as err:  # reading a model file fails only as a model-file error
                assert isinstance(err, (sg.ModelFileError, sg.BudgetError)), repr(err)
                raise
            name = next(iter(model.metrics))
            flow = model.flow(name)
            sg.to_python(flow, flow.chart)
            if len(set(model.cost.manifold.charts)) < 2:
                _check_one_chart(model, path, io.StringIO())
            else:
                check(path, io.StringIO())
        outcome = "model"
    except sg.SymgradError as err:
        assert str(err), "an error without a message"
        outcome = type(err).__name__
    finally:
        os.chdir(cwd)
    elapsed = time.monotonic() - t0
    assert elapsed < BUDGET + SLACK, f"{elapsed:.1f} s for:\n{text}"
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "files were written into the working folder"
    return outcome


#: A valid model's values of the template's slots; each example replaces one or two of them.
DEFAULTS = {
    "cost": "(x - 1)**2",
    "entry": "1/x",
    "std": "x",
    "forward": "sqrt(x)",
    "inverse": "xt**2",
    "value": "1.0",
    "lo": "0.05",
}
ODD_VALUES = ["0", "-1", "1e308", "1" + "0" * 401, "nan", "inf", '"x"', "true"]


@FUZZ
@given(data=st.data())
def test_grammar_fuzz_gives_a_model_or_a_symgrad_error(tmp_path, data):
    slots = data.draw(st.lists(st.sampled_from(sorted(DEFAULTS)), min_size=1, max_size=2, unique=True))
    values = dict(DEFAULTS)
    for slot in slots:
        odd = st.sampled_from(ODD_VALUES) if slot in ("value", "lo") else _expressions()
        values[slot] = data.draw(odd, label=slot)
    _attempt(TEMPLATE.format(**values), tmp_path)


def test_the_grammar_template_is_a_model(tmp_path):
    assert _attempt(TEMPLATE.format(**DEFAULTS), tmp_path) == "model"


def _mutate(text, data):
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["expression", "delete", "duplicate", "characters", "number"]))
        i = data.draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        if kind == "expression" and '"' in line:
            parts = line.split('"')
            j = data.draw(st.integers(0, (len(parts) - 1) // 2 - 1)) * 2 + 1 if len(parts) >= 3 else None
            if j is not None:
                parts[j] = data.draw(_expressions())
                lines[i] = '"'.join(parts)
        elif kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "characters" and line:
            k = data.draw(st.integers(0, len(line) - 1))
            lines[i] = line[:k] + data.draw(st.text(min_size=0, max_size=4)) + line[k + 1 :]
        elif kind == "number":
            lines[i] = line.replace("1.0", data.draw(NUMBERS), 1)
        if not lines:
            lines = [""]
    return "\n".join(lines)


@FUZZ
@given(data=st.data())
@pytest.mark.parametrize("model", MODELS, ids=[m.stem for m in MODELS])
def test_mutated_shipped_models_give_a_model_or_a_symgrad_error(tmp_path, model, data):
    _attempt(_mutate(model.read_text(), data), tmp_path)


@pytest.mark.parametrize("model", MODELS, ids=[m.stem for m in MODELS])
def test_the_shipped_models_pass_the_fuzz_harness_unmutated(tmp_path, model):
    assert _attempt(model.read_text(), tmp_path) == "model"
