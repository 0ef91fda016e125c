"""The numeric API checks its arguments once, at the boundary, and never returns a NaN silently.

Each bad argument of :class:`~symgrad.NumericFlow` (its call, ``integrate``,
``iterate``) and of the ODE driver is a symgrad error whose message names the
argument, the bad value and what is expected: points, times, tolerances, step
counts and parameter values.  A flow value that is not finite at a point of the
domain is an error naming the point and the parameter values.
"""

import signal
import warnings

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.numeric import _ivp

# A few bad arguments used to make solve_ivp loop forever: fail instead of hanging.
SECONDS = 20


@pytest.fixture(autouse=True)
def no_hang():
    def stop(*_):
        raise TimeoutError("hung: the argument was not checked")

    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def one():
    return sg.catalog.one_dimensional()


@pytest.fixture(scope="module")
def flow(one):
    return sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)


@pytest.fixture(scope="module")
def num(flow, one):
    """dx/dt = -2 (x - 1) on x > 0."""
    return flow.numeric(one.X, params={one.eta: 1})


@pytest.fixture(scope="module")
def free(flow, one):
    """The same flow with the rate eta free."""
    return flow.numeric(one.X)


# -- initial points and points ---------------------------------------------------------------


@pytest.mark.parametrize(
    "empty, match", [(np.empty((0, 1)), r"x0 holds no initial point \(shape \(0, 1\)\)"), ([], r"x0 must have shape")]
)
def test_an_empty_ensemble_is_refused(num, empty, match):
    for run in (lambda: num.integrate(empty, (0, 1)), lambda: num.iterate(empty, 3)):
        with pytest.raises(sg.DimensionError, match=match):
            run()
    assert num(np.empty((0, 1))).shape == (0, 1)  # a call on no points is no error


BAD_POINTS = {
    "string": ([["a"]], sg.ArgumentTypeError, r"must hold real numbers, got .*'a'"),
    "complex": ([[1 + 1j]], sg.ArgumentTypeError, r"must hold real numbers, got .*\(dtype complex128\)"),
    "bool": ([[True]], sg.ArgumentTypeError, r"must hold real numbers, got .*True.*\(dtype bool\)"),
    "ragged": ([[1.0], [1.0, 2.0]], sg.DimensionError, r"is ragged \(rows of different lengths\)"),
}


@pytest.mark.parametrize("name", sorted(BAD_POINTS))
def test_points_that_are_no_real_numbers_are_refused(num, name):
    X, error, match = BAD_POINTS[name]
    with pytest.raises(error, match=rf"^X {match}"):
        num(X)
    with pytest.raises(error, match=rf"^X {match}"):
        num.step(X)
    x0 = X if name == "ragged" else X[0]
    for run in (lambda: num.integrate(x0, (0, 1)), lambda: num.iterate(x0, 2)):
        with pytest.raises(error, match=rf"^x0 {match}"):
            run()


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_points_that_are_not_finite_are_refused_by_calls_and_drivers_alike(num, bad):
    with pytest.raises(sg.DomainError, match=r"point \[.*\] at index \(1,\) is not finite"):
        num([[2.0], [bad]])
    with pytest.raises(sg.DomainError, match=r"initial point \[.*\] \(member 1 of the ensemble\) is not finite"):
        num.integrate([[2.0], [bad]], (0, 1))
    with pytest.raises(sg.DomainError, match=r"initial point .* is not finite"):
        num.iterate([bad], 2)


# -- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "t_span, error, match",
    [
        ((0,), sg.DimensionError, r"t_span must be a pair .* got 1 value"),
        ((0, 1, 2), sg.DimensionError, r"t_span must be a pair .* got 3 value"),
        ((0, np.inf), sg.NumericValueError, r"t_span\[1\] is inf; it must be a finite number"),
        ((np.nan, 1), sg.NumericValueError, r"t_span\[0\] is nan; it must be a finite number"),
        ((1, 1), sg.NumericValueError, r"t_span = \(1, 1\) has equal ends"),
        (("0", 1), sg.ArgumentTypeError, r"t_span\[0\] must hold real numbers"),
        ((True, 1), sg.ArgumentTypeError, r"t_span\[0\] must hold real numbers"),
        (5, sg.ArgumentTypeError, "t_span must be a pair"),
    ],
)
def test_bad_time_spans_are_refused(num, t_span, error, match):
    with pytest.raises(error, match=match):
        num.integrate([2.0], t_span)
    with pytest.raises(error, match=match):  # the same check in the driver of geodesics and Hamiltonian flows
        _ivp.trajectory(lambda t, y: -y, [1.0], t_span, what="decay", error=RuntimeError)


def test_a_backward_time_span_still_integrates(num):
    sol = num.integrate([2.0], (1, 0), t_eval=[1, 0.5, 0])
    np.testing.assert_allclose(sol.y[:, 0], 1 + np.exp(2 * (1 - sol.t)), rtol=1e-6)


@pytest.mark.parametrize(
    "t_eval, error, match",
    [
        ([0, np.nan, 1], sg.NumericValueError, r"t_eval\[1\] is nan"),
        ([0, np.inf], sg.NumericValueError, r"t_eval\[1\] is inf"),
        ([0.5, 2.0], sg.NumericValueError, r"t_eval\[1\] is 2.0; .* within t_span \(0, 1\)"),
        ([0.5, 0.2], sg.NumericValueError, r"strictly increasing: t_eval\[1\] = 0.2 follows"),
        ([[0.5]], sg.DimensionError, "1-D"),
        (["a"], sg.ArgumentTypeError, "t_eval must hold real numbers"),
    ],
)
def test_bad_t_eval_is_refused_not_dropped(num, t_eval, error, match):
    with pytest.raises(error, match=match):
        num.integrate([2.0], (0, 1), t_eval=t_eval)


# -- tolerances and step counts --------------------------------------------------------------


@pytest.mark.parametrize(
    "options, error, match",
    [
        ({"rtol": np.nan}, sg.NumericValueError, "rtol is nan"),
        ({"rtol": -1e-6}, sg.NumericValueError, "rtol is -1e-06; tolerances must be finite numbers >= 0"),
        ({"atol": -1.0}, sg.NumericValueError, "atol is -1.0; tolerances must be finite numbers >= 0"),
        ({"atol": np.nan}, sg.NumericValueError, "atol is nan"),
        ({"atol": np.inf}, sg.NumericValueError, "atol is inf"),
        ({"atol": [1e-9, np.nan]}, sg.NumericValueError, "atol is nan"),
        ({"rtol": "tight"}, sg.ArgumentTypeError, "rtol must hold real numbers"),
        ({"atol": None}, sg.ArgumentTypeError, "atol must hold real numbers"),
        ({"rtol": 1j}, sg.ArgumentTypeError, "rtol must hold real numbers"),
    ],
)
def test_bad_tolerances_are_refused(num, options, error, match):
    with pytest.raises(error, match=match):
        num.integrate([[2.0], [3.0]], (0, 1), **options)
    with pytest.raises(error, match=match):
        _ivp.trajectory(lambda t, y: -y, [1.0, 2.0], (0, 1), what="decay", error=RuntimeError, **options)


@pytest.mark.parametrize(
    "n_steps, error",
    [
        (np.inf, sg.ArgumentTypeError),
        (2.7, sg.ArgumentTypeError),
        (3.0, sg.ArgumentTypeError),
        (True, sg.ArgumentTypeError),
        ("3", sg.ArgumentTypeError),
        (0, sg.DimensionError),
        (-1, sg.DimensionError),
    ],
)
def test_step_counts_are_integers_of_at_least_one(num, n_steps, error):
    with pytest.raises(error, match="n_steps must be an integer >= 1"):
        num.iterate([2.0], n_steps)


@pytest.mark.parametrize("dt", [np.nan, np.inf, "0.1", [0.1, 0.2]])
def test_the_step_of_the_discrete_rule_is_a_finite_number(num, dt):
    with pytest.raises(sg.SymgradError, match="dt "):
        num.iterate([2.0], 3, dt=dt)


# -- methods and solver options ---------------------------------------------------------------


@pytest.mark.parametrize(
    "options, error, match",
    [
        ({"method": "euler"}, sg.ArgumentTypeError, "method='euler' is not a method of scipy's solve_ivp"),
        ({"method": 3}, sg.ArgumentTypeError, "method=3 is not a method"),
        ({"method": dict}, sg.ArgumentTypeError, "subclass of scipy.integrate.OdeSolver"),
        ({"foo": 3}, sg.ArgumentTypeError, "'foo' is not an option of scipy's solve_ivp"),
        ({"jac": None}, sg.ArgumentTypeError, "'RK45' does not take the option jac, an option of Radau, BDF, LSODA"),
        ({"max_step": 0}, sg.NumericValueError, "max_step is 0; it must be a number > 0"),
        ({"max_step": -np.inf}, sg.NumericValueError, "max_step is -inf"),
        ({"first_step": np.nan}, sg.NumericValueError, "first_step is nan"),
        ({"first_step": np.inf}, sg.NumericValueError, "first_step is inf"),
        ({"method": "LSODA", "min_step": -1}, sg.NumericValueError, "min_step is -1"),
        ({"max_step": [0.1, 0.2]}, sg.ArgumentTypeError, "max_step must be a number"),
        ({"vectorized": "yes"}, sg.ArgumentTypeError, "vectorized must be True or False"),
    ],
)
def test_bad_methods_and_solver_options_are_refused_not_warned_about(num, options, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scipy only warns about an option its method ignores
        with pytest.raises(error, match=match):
            num.integrate([[2.0], [3.0]], (0, 1), **options)
        with pytest.raises(error, match=match):
            _ivp.trajectory(lambda t, y: -y, [1.0], (0, 1), what="decay", error=RuntimeError, **options)


def test_good_solver_options_and_a_solver_class_reach_solve_ivp(num):
    from scipy.integrate import RK23

    sol = num.integrate([[2.0]], (0, 1), method=RK23, max_step=np.inf, first_step=1e-3, rtol=1e-10, atol=1e-12)
    ref = num.integrate([[2.0]], (0, 1), method="LSODA", min_step=0, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sol.y[:, -1], ref.y[:, -1], rtol=1e-7)


def test_numpy_integer_step_counts_are_accepted(num):
    assert num.iterate([2.0], np.int64(3), dt=0.25).y.shape == (4, 1)


# -- parameter values ------------------------------------------------------------------------


def test_a_parameter_array_that_does_not_broadcast_is_refused_by_name(free):
    with pytest.raises(sg.DimensionError, match=r"parameter eta has shape \(2,\).*broadcasts with \(3,\)"):
        free(np.ones((3, 1)), eta=np.ones(2))
    with pytest.raises(sg.DimensionError, match=r"parameter eta has shape \(2,\).*shape \(3,\), one value per member"):
        free.integrate(np.ones((3, 1)), (0, 1), params={"eta": np.ones(2)})
    with pytest.raises(sg.DimensionError, match=r"parameter eta has shape \(3, 2\)"):
        free.iterate(np.ones((3, 1)), 2, params={"eta": np.ones((3, 2))})
    # arrays that broadcast still do
    assert free(np.ones((3, 1)), eta=np.ones((2, 1))).shape == (2, 3, 1)
    assert free.integrate(np.ones((3, 1)) * 2, (0, 1), params={"eta": np.ones(3)}).y.shape[0] == 3


@pytest.mark.parametrize("bad", [True, np.bool_(True), np.array(True), np.array([True, True])])
def test_bools_are_refused_as_parameter_values_when_bound_and_at_call_time(flow, free, one, bad):
    if np.ndim(bad) == 0:
        with pytest.raises(sg.ParameterValueError, match="parameter eta"):
            flow.numeric(one.X, params={one.eta: bad})
    with pytest.raises(sg.ParameterValueError, match="parameter eta"):
        free([[2.0], [3.0]], eta=bad)
    with pytest.raises(sg.ParameterValueError, match="parameter eta"):
        free.integrate([[2.0], [3.0]], (0, 1), params={"eta": bad})
    with pytest.raises(sg.ParameterValueError, match="parameter eta"):
        free.iterate([[2.0], [3.0]], 2, params={"eta": bad})


def test_a_scalar_parameter_is_checked_by_one_rule_bound_or_at_call_time(flow, free, one):
    for value in [np.nan, -1.0, "1", None, 1j, 10**400]:
        with pytest.raises(sg.ParameterValueError, match="parameter eta") as bound:
            flow.numeric(one.X, params={one.eta: value})
        with pytest.raises(sg.ParameterValueError, match="parameter eta") as called:
            free([[2.0]], eta=value)
        assert str(bound.value) == str(called.value)


# -- values that are not finite --------------------------------------------------------------


def test_an_overflowing_flow_is_an_error_naming_point_and_parameters(flow, free, one):
    big = flow.numeric(one.X, params={one.eta: 1e308})
    at = r"the flow is not finite at \(x=2; eta=1e\+308\)"
    with pytest.raises(sg.NumericValueError, match=at):
        big([2.0])
    with pytest.raises(sg.NumericValueError, match=at):
        big.step([2.0])
    with pytest.raises(sg.NumericValueError, match=at):
        big.integrate([2.0], (0, 1))
    with pytest.raises(sg.NumericValueError, match=at):
        big.iterate([2.0], 3)
    # in an array of points or an ensemble, the first point where it overflows
    large = flow.numeric(one.X, params={one.eta: 1e300})
    at = r"the flow is not finite at \(x=1e\+10; eta=1e\+300\)"
    with pytest.raises(sg.NumericValueError, match=at + r" at index \(1,\) of X"):
        large([[2.0], [1e10]])
    with pytest.raises(sg.NumericValueError, match=at + r" \(member 1 of the ensemble\)"):
        large.integrate([[2.0], [1e10]], (0, 1))
    with pytest.raises(sg.NumericValueError, match=at + r" \(member 1 of the ensemble\)"):
        large.iterate([[2.0], [1e10]], 2)
    # the same with eta free, passed at the call or one value per member
    at = r"the flow is not finite at \(x=2; eta=1e\+308\)"
    with pytest.raises(sg.NumericValueError, match=at):
        free([[2.0]], eta=1e308)
    with pytest.raises(sg.NumericValueError, match=at + r" at index \(1,\)"):
        free([[2.0], [2.0]], eta=np.array([1.0, 1e308]))
    with pytest.raises(sg.NumericValueError, match=at + r" \(member 1 of the ensemble\)"):
        free.integrate([[2.0], [2.0]], (0, 1), params={"eta": np.array([1.0, 1e308])})


def test_a_flow_singular_inside_the_domain_is_an_error_at_a_call():
    x = sp.Symbol("x", positive=True)
    X = sg.Manifold("half-line").chart(x)
    num = sg.GradientFlow(sg.Scalar(X.manifold, X, 1 / (x - 2)), sg.euclidean(X)).numeric(X)
    with pytest.raises(sg.NumericValueError, match=r"not finite at \(x=2\) at index \(1,\)"):
        num([[1.0], [2.0]])
    with pytest.raises(sg.NumericValueError, match=r"the cost is not finite at \(x=2\)"):
        num.cost([2.0])
    with pytest.raises(sg.NumericValueError, match=r"not finite at \(x=2\)"):
        num.integrate([2.0], (0, 1))
    # check=False asks for the raw values
    with np.errstate(all="ignore"):
        assert not np.isfinite(sg.NumericFlow(num.flow, X, check=False)([2.0])).any()


def test_the_driver_refuses_a_derivative_not_finite_at_the_start():
    with pytest.raises(RuntimeError, match=r"decay could not be integrated: .* not finite at the start"):
        _ivp.trajectory(lambda t, y: y / 0.0, [1.0], (0, 1), what="decay", error=RuntimeError)


def test_the_error_is_a_symgrad_value_error():
    assert issubclass(sg.NumericValueError, sg.SymgradError) and issubclass(sg.NumericValueError, ValueError)
    assert "NumericValueError" in sg.errors.__all__ and "NumericValueError" in sg.__all__
