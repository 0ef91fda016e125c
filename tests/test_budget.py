"""Time budgets of symbolic stages (symgrad.budget)."""

import signal
import threading
import time

import pytest

import symgrad as sg
import symgrad.budgets as _budget
from symgrad.budgets import budget_stage, seconds_left, stage, time_limited


def _busy():
    while True:
        sum(range(1000))


def _swallowing():
    """Busy work that swallows every Exception, as sympy's broad except clauses do."""
    while True:
        try:
            sum(range(1000))
        except Exception:  # noqa: BLE001 - the point of the test
            pass


def _no_timer_left():
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and not _budget._state.frames


def test_a_stage_past_its_budget_is_a_budget_error_naming_stage_and_budget():
    t0 = time.perf_counter()
    with pytest.raises(sg.BudgetError) as info, sg.budget(0.2):
        budget_stage("the spinning stage", _swallowing)
    assert time.perf_counter() - t0 < 2
    err = info.value
    assert isinstance(err, sg.SymgradError) and isinstance(err, TimeoutError)
    assert err.stage == "the spinning stage" and err.seconds == 0.2
    assert "the spinning stage did not finish within the budget of 0.2 s" in str(err)
    assert "--timeout" in str(err)
    assert _no_timer_left()


def test_the_innermost_running_stage_is_named():
    @stage("the outer stage")
    def outer():
        return budget_stage("the inner stage", _busy)

    with pytest.raises(sg.BudgetError, match="^the inner stage did not finish"), sg.budget(0.2):
        outer()
    assert _no_timer_left()


def test_a_block_budget_is_shared_by_its_stages():
    calls = []

    def nap():
        calls.append(1)
        t = time.perf_counter()
        while time.perf_counter() - t < 0.1:
            pass

    t0 = time.perf_counter()
    with pytest.raises(sg.BudgetError), sg.budget(0.35):
        for _ in range(20):
            budget_stage("a nap", nap)
    assert 3 <= len(calls) <= 5
    assert time.perf_counter() - t0 < 1.5


def test_each_stage_outside_a_block_has_the_default(monkeypatch):
    monkeypatch.setattr(_budget, "_budget_seconds", _budget.contextvars.ContextVar("b", default=0.2))
    with pytest.raises(sg.BudgetError, match="budget of 0.2 s"):
        budget_stage("a stage", _busy)
    assert budget_stage("a quick stage", lambda: 42) == 42
    assert _budget.DEFAULT_SECONDS == 60.0


def test_no_limit_and_results_pass_through():
    with sg.budget(None):
        assert budget_stage("x", lambda: 7) == 7
        assert seconds_left() is None
    with sg.budget(5):
        left = seconds_left()
        assert 4 < left <= 5
    assert seconds_left() is None
    assert _no_timer_left()


def test_an_inner_time_limit_nests_inside_a_stage():
    def inner():
        with pytest.raises(TimeoutError):
            time_limited(_busy, 0.1)
        return "after"

    with sg.budget(5):
        assert budget_stage("outer", inner) == "after"
        assert 4 < seconds_left() <= 5  # the outer deadline is armed again
    assert _no_timer_left()


def test_a_spent_outer_budget_passes_through_an_inner_time_limit():
    with pytest.raises(sg.BudgetError, match="^the outer stage"), sg.budget(0.2):
        budget_stage("the outer stage", lambda: time_limited(_busy, 30))
    assert _no_timer_left()


def test_an_inner_block_never_extends_the_outer_budget():
    t0 = time.perf_counter()
    with pytest.raises(sg.BudgetError), sg.budget(0.2), sg.budget(30):
        budget_stage("s", _busy)
    assert time.perf_counter() - t0 < 2


def test_errors_inside_a_stage_propagate_unchanged_and_clean_up():
    with pytest.raises(ZeroDivisionError), sg.budget(5):
        budget_stage("s", lambda: 1 / 0)
    assert _no_timer_left()
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)


def test_a_staged_function_keeps_its_name_and_docstring():
    @stage("doubling")
    def double(n):
        """Twice n."""
        return 2 * n

    assert double(4) == 8 and double.__name__ == "double" and double.__doc__ == "Twice n."


@pytest.mark.parametrize("bad", [0, -1, float("nan"), "10", True])
def test_bad_budgets_are_refused(bad):
    with pytest.raises(sg.ArgumentTypeError, match="budget"), sg.budget(bad):
        pass


def test_off_the_main_thread_stages_run_without_a_limit():
    box = {}

    def run():
        with sg.budget(0.05):
            box["value"] = budget_stage("s", lambda: (time.sleep(0.2), 5)[1])

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    assert box["value"] == 5


def test_time_limit_off_the_main_thread_abandons_the_worker():
    box = {}

    def run():
        try:
            time_limited(lambda: time.sleep(3), 0.2)
        except TimeoutError:
            box["timed out"] = True

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    assert box == {"timed out": True}


def test_an_interruption_inside_a_finaliser_is_dropped_and_sent_again():
    import sys

    seen = []
    hook = sys.unraisablehook
    recorder = sys.unraisablehook = lambda unraisable: seen.append(unraisable.exc_type)

    class Slow:
        def __del__(self):
            t = time.perf_counter()
            while time.perf_counter() - t < 0.3:  # the budget is spent in here
                pass

    def work():
        Slow()  # finalised at once: the first interruption lands in __del__
        _busy()

    try:
        with pytest.raises(sg.BudgetError), sg.budget(0.1):
            budget_stage("a stage with a finaliser", work)
        assert sys.unraisablehook is recorder  # restored after the budget
    finally:
        sys.unraisablehook = hook
    assert seen == []  # dropped, not printed as "Exception ignored"
    assert _no_timer_left()


def test_no_budget_outlives_its_block_when_the_timer_fires_during_cleanup(monkeypatch):
    # The timer re-sent every 20 microseconds lands, sooner or later, in every
    # instruction of the cleanup; a budget left behind would interrupt later code.
    monkeypatch.setattr(_budget, "_RESEND", 2e-5)

    def spin_then_clean_up():
        try:
            _busy()
        finally:
            sum(range(50))

    outcomes = set()
    for _ in range(150):
        try:
            with sg.budget(0.002), sg.budget(30):
                budget_stage("the stage", spin_then_clean_up)
        except BaseException as err:  # noqa: BLE001 - anything but a BudgetError is the failure
            outcomes.add(type(err).__name__)
        left = not _no_timer_left()
        _budget._state.frames.clear()
        signal.setitimer(signal.ITIMER_REAL, 0)
        assert not left
    assert outcomes == {"BudgetError"}
