"""Every function that takes parameter values binds them the same way.

Each public function or method with a ``params`` argument (and the ``values``
of sampling) accepts a parameter's Symbol or its name as the key, and refuses a
key that is no parameter with an :class:`~symgrad.UnknownParameterError` whose
message names the key and lists the parameters, in one shape everywhere.
"""

import re

import numpy as np
import pytest
import sympy as sp
from matplotlib.figure import Figure

import symgrad as sg
from symgrad.plotting import compare_metrics, flow_grid, plot_flow

ETA = sp.Symbol("eta", positive=True)
K = sp.Symbol("k", positive=True)

#: The message of an unknown key, whatever the function: the key, then the parameters there are.
UNKNOWN = re.compile(r"'typo' is not a (free )?parameter of .+ \((its parameters|free): [^)]*\)$")


@pytest.fixture(scope="module")
def g():
    return sg.catalog.gaussian_kl()


@pytest.fixture(scope="module")
def one():
    return sg.catalog.one_dimensional()


@pytest.fixture(scope="module")
def flow(g):
    return sg.GradientFlow(g.cost, g.fisher, rate=ETA)


@pytest.fixture(scope="module")
def num(flow, g):
    return flow.numeric(g.std)


def _ranges(g):
    return {g.mu: (1, 7), g.sigma: (0.5, 4)}


def _line_flow(one):
    """A gradient flow on the line whose metric has the parameter k and whose rate is eta."""
    return sg.GradientFlow(one.cost, sg.diagonal(one.X, [K]), rate=ETA)


#: name -> (function of a params mapping, the parameters it needs, whether Symbols may be keys)
CASES = {
    "GradientFlow.numeric": (lambda f: f["flow"].numeric(f["g"].std, params=f["p"]), [ETA], True),
    "NumericFlow": (lambda f: sg.NumericFlow(f["flow"], f["g"].std, params=f["p"]), [ETA], True),
    "NumericFlow.__call__": (lambda f: f["num"]([[1.0, 1.0]], **f["p"]), [ETA], False),
    "NumericFlow.metric": (lambda f: f["num"].metric([1.0, 1.0], **f["p"]), [ETA], False),
    "NumericFlow.inverse_metric": (lambda f: f["num"].inverse_metric([1.0, 1.0], **f["p"]), [ETA], False),
    "NumericFlow.cost": (lambda f: f["num"].cost([1.0, 1.0], **f["p"]), [ETA], False),
    "NumericFlow.step": (lambda f: f["num"].step([1.0, 1.0], 0.1, **f["p"]), [ETA], False),
    "NumericFlow.iterate": (lambda f: f["num"].iterate([1.0, 1.0], 2, 0.1, params=f["p"]), [ETA], True),
    "NumericFlow.integrate": (lambda f: f["num"].integrate([1.0, 1.0], (0, 0.1), params=f["p"]), [ETA], True),
    "to_latex": (lambda f: sg.to_latex(f["flow"], f["g"].std, params=f["p"]), [ETA], True),
    "to_python": (lambda f: sg.to_python(f["flow"], f["g"].std, params=f["p"]), [ETA], True),
    "to_c": (lambda f: sg.to_c(f["flow"], f["g"].std, params=f["p"]), [ETA], True),
    "to_jax": (lambda f: sg.to_jax(f["flow"], f["g"].std, params=f["p"]), [ETA], True),
    "geodesic": (
        lambda f: sg.geodesic(
            sg.diagonal(f["one"].X, [K + f["one"].x ** 2]), None, [2.0], [1.0], (0, 0.1), params=f["p"]
        ),
        [K],
        True,
    ),
    "HamiltonianFlow.numeric": (
        lambda f: sg.hamiltonian_flow(f["one"].cost, sg.diagonal(f["one"].X, [K]), friction=ETA).numeric(f["p"]),
        [ETA, K],
        True,
    ),
    "HamiltonianFlow.integrate": (
        lambda f: sg.hamiltonian_flow(f["one"].cost, sg.diagonal(f["one"].X, [K]), friction=ETA).integrate(
            [2.0], [0.0], (0, 0.1), params=f["p"]
        ),
        [ETA, K],
        True,
    ),
    "check_invariance": (
        lambda f: sg.check_invariance(f["one"].cost, sg.diagonal(f["one"].X, [K]), params=f["p"]),
        [K],
        True,
    ),
    "check_descent": (lambda f: sg.check_descent(_line_flow(f["one"]), params=f["p"]), [ETA, K], True),
    "fit_metric": (
        lambda f: sg.fit_metric(
            sg.Scalar(f["one"].manifold, f["one"].X, K * (f["one"].x - 1) ** 2),
            [[2.0], [3.0]],
            [[-2.0], [-4.0]],
            family="diagonal",
            params=f["p"],
        ),
        [K],
        True,
    ),
    "FisherExpectation.evaluate": (
        lambda f: sg.fisher_metric(
            sg.Normal(mean=f["g"].mu, std=K * f["g"].sigma), f["g"].std, method="expectation"
        ).evaluate([0.0, 1.0], params=f["p"]),
        [K],
        True,
    ),
    "plot_flow": (
        lambda f: plot_flow(Figure().subplots(), f["flow"], f["g"].std, _ranges(f["g"]), params=f["p"], n=4),
        [ETA],
        True,
    ),
    "flow_grid": (
        lambda f: flow_grid({"F": f["flow"]}, [f["g"].std], {f["g"].std: _ranges(f["g"])}, params=f["p"], n=4),
        [ETA],
        True,
    ),
    "compare_metrics": (
        lambda f: compare_metrics(
            f["g"].cost, {"F": f["g"].fisher}, f["g"].std, _ranges(f["g"]), rate=ETA, params=f["p"], n=4
        ),
        [ETA],
        True,
    ),
    "Family.sample": (lambda f: sg.Normal(mean=0, std=K).sample(f["p"], 3, np.random.default_rng(0)), [K], True),
    "Binomial.sample": (
        lambda f: sg.Binomial(4, K / (1 + K)).sample(f["p"], 3, np.random.default_rng(0)),
        [K],
        True,
    ),
}


def _run(name, params, g, one, flow, num):
    run, _, _ = CASES[name]
    return run({"g": g, "one": one, "flow": flow, "num": num, "p": params})


def _values(name, by_name):
    _, needed, _ = CASES[name]
    return {(s.name if by_name else s): 0.5 for s in needed}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_unknown_name_is_refused_with_one_message(name, g, one, flow, num):
    params = {**_values(name, by_name=True), "typo": 3.0}
    with pytest.raises(sg.UnknownParameterError) as err:
        _run(name, params, g, one, flow, num)
    message = str(err.value)
    assert UNKNOWN.search(message), message
    for s in CASES[name][1]:
        assert s.name in message.split("(")[-1], message  # the parameters there are, listed


@pytest.mark.parametrize("name", sorted(CASES))
def test_names_and_symbols_are_keys(name, g, one, flow, num):
    _run(name, _values(name, by_name=True), g, one, flow, num)
    if CASES[name][2]:
        _run(name, _values(name, by_name=False), g, one, flow, num)
        with pytest.raises(sg.UnknownParameterError, match="typo"):
            _run(name, {**_values(name, by_name=False), sp.Symbol("typo"): 1.0}, g, one, flow, num)


def test_exports_raise_their_own_kind_too(flow, g):
    for export in (sg.to_latex, sg.to_python, sg.to_c, sg.to_jax):
        with pytest.raises(sg.ExportParameterError, match="'typo' is not a parameter"):
            export(flow, g.std, params={"typo": 1})
        with pytest.raises(sg.ParameterValueError, match="outside"):
            export(flow, g.std, params={"eta": -1})
        with pytest.raises(sg.ArgumentTypeError, match="mapping"):
            export(flow, g.std, params=[("eta", 1)])


def test_values_are_checked_everywhere(g, one, flow, num):
    for name in ("NumericFlow", "to_python", "geodesic", "check_descent", "fit_metric", "Family.sample"):
        bad = {s.name: -1.0 for s in CASES[name][1]}
        with pytest.raises(sg.ParameterValueError, match="outside"):
            _run(name, bad, g, one, flow, num)


def test_missing_values_are_named(g, one, flow, num):
    for name in ("geodesic", "HamiltonianFlow.integrate", "plot_flow", "fit_metric", "Family.sample"):
        with pytest.raises(sg.UnboundParameterError, match=CASES[name][1][0].name):
            _run(name, {}, g, one, flow, num)


def test_floats_bind_exactly(flow, g):
    value = 0.1 + 0.2
    num = flow.numeric(g.std, params={ETA: value})
    free = flow.numeric(g.std)
    assert np.array_equal(num([[1.0, 2.0]]), free([[1.0, 2.0]], eta=value))
