"""Time budgets of symbolic work.

Symbolic computation can run for a very long time on a short input: sympy may
expand ``(x + 1)**1000``, or chase the sign of a nested transcendental constant
for minutes.  So every symbolic stage of symgrad (reading a model file, solving
for an inverse, the checks, simplification, the gradient solve, Christoffel
symbols, integration) runs under a time budget:

- outside any :func:`budget` block, each call of a stage has
  :data:`DEFAULT_SECONDS` seconds;
- inside ``with budget(seconds):`` the whole block has ``seconds`` seconds
  (``None``: no limit).

A stage that runs past its budget is stopped and raises :class:`BudgetError`,
which names the stage, the budget and the remedy.  The budget is enforced with
an interval timer (``SIGALRM``) on the main thread, re-sent every 50 ms until the
stage has stopped, and the interruption derives from :class:`BaseException`, so
sympy's ``except Exception`` clauses cannot swallow it.  The timer never
interrupts this module's own bookkeeping (entering and leaving a stage or a
block): an interruption due there is deferred to the next signal, so no stage or
block outlives its ``with`` statement or call.  Off the main thread,
and where the platform has no ``signal.setitimer``, stages run without a time
limit.  Memory is not limited in-process: the ``symgrad`` command runs model
files in a worker process with a memory limit (``--memory``).

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> from symgrad.budgets import budget_stage
>>> from symgrad.simplify import simplify_expr
>>> x = sp.Symbol("x", positive=True)
>>> with sg.budget(30):
...     simplify_expr((x**2 - 1) / (x - 1))
x + 1
>>> def spin():
...     while True:
...         pass
>>> try:
...     with sg.budget(0.2):
...         budget_stage("a long stage", spin)
... except sg.BudgetError as err:
...     print(err)  # doctest: +ELLIPSIS
a long stage did not finish within the budget of 0.2 s; ...
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from .errors import BudgetError

__all__ = [
    "DEFAULT_SECONDS",
    "budget",
    "budget_stage",
    "current_stage",
    "failed_stage",
    "seconds_left",
    "stage",
    "time_limited",
]

#: The time (seconds) each stage called outside a :func:`budget` block may take.
DEFAULT_SECONDS = 60.0

#: How often the timer is re-sent once a budget is spent (seconds).
_RESEND = 0.05

_REMEDY = "give a larger budget (symgrad.budget(seconds=...) or --timeout on the command line) or a simpler input"

_T = TypeVar("_T")

_budget_seconds: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "symgrad_budget", default=DEFAULT_SECONDS
)


class _Frame:
    """One running stage or budget block: its name and deadline (``time.monotonic``; None: none)."""

    __slots__ = ("deadline", "name", "remedy", "seconds")

    def __init__(self, name: str | None, seconds: float | None, remedy: str | None = None) -> None:
        self.name = name
        self.remedy = remedy
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + float(seconds)


class _Alarm(BaseException):
    """Raised by the timer's handler; a BaseException so that ``except Exception`` lets it pass."""

    def __init__(self, frame: _Frame, stage: _Frame | None) -> None:
        super().__init__(stage and stage.name)
        self.frame = frame
        self.stage = stage and stage.name
        self.remedy = stage and stage.remedy


class _State(threading.local):
    def __init__(self) -> None:
        self.frames: list[_Frame] = []
        self.previous = None  # the SIGALRM handler to restore
        self.previous_hook = None  # the sys.unraisablehook to restore
        self.failed: str | None = None  # the innermost stage the last error passed through


_state = _State()


def _signals_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _call(fn: Callable[[], _T]) -> _T:
    """Call ``fn()``: the one function of this module that the timer may interrupt."""
    return fn()


def _handler(signum, frame) -> None:
    """Interrupt the running code when a budget is spent, unless it is this module's bookkeeping.

    Bookkeeping interrupted half-way (a stage's frame pushed but not popped, the
    timer not yet stopped) would leave a spent budget behind that interrupts
    unrelated code later; the timer re-sends the signal 50 ms later instead.
    """
    if frame is not None and frame.f_globals is _GLOBALS and frame.f_code is not _CALL_CODE:
        return
    frames = _state.frames
    now = time.monotonic()
    for f in frames:  # the outermost spent budget wins: inner frames run inside it
        if f.deadline is not None and now >= f.deadline:
            raise _Alarm(f, next((g for g in reversed(frames) if g.name), None))


def _late_signal(exc: BaseException | None) -> bool:
    return isinstance(exc, OSError) and str(exc) == f"Signal {int(signal.SIGALRM)} ignored due to race condition"


def _install() -> None:
    """Install the timer's handler, and an unraisable-exception hook that drops its interruptions.

    An interruption that lands in a garbage-collector callback or a finaliser cannot
    propagate; Python would print it as "Exception ignored".  It is dropped instead: the
    timer sends the next one 50 ms later.  So is Python's notice of a signal sent
    just before the timer stopped and seen after the handler was restored ("Signal 14
    ignored due to race condition"): that signal had nothing left to interrupt.
    """
    previous = _state.previous_hook = sys.unraisablehook

    def hook(unraisable):
        if not isinstance(unraisable.exc_value, _Alarm) and not _late_signal(unraisable.exc_value):
            previous(unraisable)

    sys.unraisablehook = hook  # first: setting the handler may report a late signal of the last budget
    _state.previous = signal.signal(signal.SIGALRM, _handler)


def _arm() -> None:
    """Set the timer to the nearest deadline of the running frames, or stop it and restore the handler."""
    deadlines = [f.deadline for f in _state.frames if f.deadline is not None]
    if deadlines:
        delay = max(min(deadlines) - time.monotonic(), 1e-4)
        signal.setitimer(signal.ITIMER_REAL, delay, _RESEND)
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if not _state.frames:
        signal.signal(signal.SIGALRM, _state.previous or signal.SIG_DFL)
        _state.previous = None
        if _state.previous_hook is not None:
            sys.unraisablehook, _state.previous_hook = _state.previous_hook, None


def _enter(frame: _Frame) -> bool:
    """Push ``frame`` and set the timer; False (nothing pushed) when another timer than symgrad's runs."""
    frames = _state.frames
    if not frames:
        _state.failed = None
        if signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0):  # someone else's timer: leave it alone
            return False
        _install()
    elif frame.deadline is not None and frames[0].deadline is not None:
        frame.deadline = min(frame.deadline, frames[0].deadline)  # an inner limit never extends an outer budget
    frames.append(frame)
    if frame.deadline is not None:
        _arm()
    return True


def _leave(frame: _Frame) -> None:
    """Pop ``frame`` (and any frame left above it) and reset the timer."""
    frames = _state.frames
    if frame in frames:
        del frames[frames.index(frame) :]
    if frame.deadline is not None or not frames:
        _arm()


def _run(frame: _Frame, fn: Callable[[], _T]) -> _T:
    """Run ``fn()`` inside ``frame``; an :class:`_Alarm` of ``frame`` itself is re-raised as it is."""
    if not _enter(frame):
        return _call(fn)
    try:
        return _call(fn)
    except BaseException:
        if _state.failed is None:
            _state.failed = current_stage()
        raise
    finally:
        _leave(frame)


def _message(stage: str | None, seconds: float | None, remedy: str | None) -> str:
    what = stage or "the computation"
    return f"{what} did not finish within the budget of {seconds:g} s; {remedy or _REMEDY}"


def budget_stage(name: str, fn: Callable[[], _T], *, remedy: str | None = None) -> _T:
    """Call ``fn()`` as the symbolic stage ``name``, under the current budget.

    Inside a running stage or :func:`budget` block, ``fn`` shares the budget of
    the outermost one (and ``name`` is what an error names, while it runs);
    otherwise it has :data:`DEFAULT_SECONDS` (or the value set by the innermost
    ``budget`` block of this context).

    Parameters
    ----------
    name : str
        What the stage does, as a sentence fragment ("the gradient solve").
    fn : callable
        Takes no arguments.
    remedy : str, optional
        What to do when the budget is spent (the default names the budget
        settings).

    Raises
    ------
    BudgetError
        If the budget is spent before ``fn`` returns.

    Examples
    --------
    >>> from symgrad.budgets import budget_stage
    >>> budget_stage("adding", lambda: 6 * 7)
    42
    """
    if not _signals_usable():
        return fn()
    seconds = None if _state.frames else _budget_seconds.get()
    frame = _Frame(name, seconds, remedy)
    try:
        return _run(frame, fn)
    except _Alarm as alarm:
        if alarm.frame is not frame:
            raise
        raise BudgetError(_message(alarm.stage, seconds, alarm.remedy), stage=alarm.stage, seconds=seconds) from None


def stage(name: str, *, remedy: str | None = None) -> Callable[[Callable[..., _T]], Callable[..., _T]]:
    """Decorate a function as the symbolic stage ``name`` (see :func:`budget_stage`).

    Examples
    --------
    >>> from symgrad.budgets import stage
    >>> @stage("doubling")
    ... def double(n):
    ...     return 2 * n
    >>> double(21)
    42
    """

    def decorate(fn: Callable[..., _T]) -> Callable[..., _T]:
        @functools.wraps(fn)
        def staged(*args, **kwargs):
            return budget_stage(name, functools.partial(fn, *args, **kwargs), remedy=remedy)

        return staged

    return decorate


class _Budget:
    """The context manager that :func:`budget` returns.

    A class rather than a generator, so that leaving the block is this module's
    own code from the first instruction on, which the timer never interrupts.
    """

    __slots__ = ("_entered", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._entered: list[tuple[contextvars.Token, _Frame | None]] = []

    def __enter__(self) -> None:
        token = _budget_seconds.set(self.seconds)
        frame = None
        if _signals_usable():
            frame = _Frame(None, self.seconds)
            if not _enter(frame):
                frame = None
        self._entered.append((token, frame))

    def __exit__(self, exc_type, exc, tb) -> bool:
        token, frame = self._entered.pop()
        if frame is not None:
            _leave(frame)
        _budget_seconds.reset(token)
        if frame is not None and isinstance(exc, _Alarm) and exc.frame is frame:
            raise BudgetError(
                _message(exc.stage, self.seconds, exc.remedy), stage=exc.stage, seconds=self.seconds
            ) from None
        return False


def budget(seconds: float | None = DEFAULT_SECONDS) -> contextlib.AbstractContextManager[None]:
    """Run a block of symgrad calls under one time budget.

    Use it as ``with symgrad.budget(seconds): ...``.

    Parameters
    ----------
    seconds : float or None
        The time the whole block may take (``None``: no limit).

    Returns
    -------
    contextlib.AbstractContextManager
        The budget, entered by a ``with`` statement.

    Raises
    ------
    BudgetError
        When the block runs past ``seconds``; the message names the stage
        that was running.
    ArgumentTypeError
        If ``seconds`` is not a positive number or None.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x = sp.Symbol("x", real=True)
    >>> from symgrad.simplify import simplify_expr
    >>> with sg.budget(None):  # no limit
    ...     simplify_expr(sp.sin(x)**2 + sp.cos(x)**2, "full")
    1
    """
    from .errors import ArgumentTypeError

    if seconds is not None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ArgumentTypeError(f"budget: seconds must be a positive number or None, got {seconds!r}")
        if seconds == float("inf"):
            seconds = None
    return _Budget(seconds)


def current_stage() -> str | None:
    """The innermost symbolic stage running in this thread (None: none).

    Examples
    --------
    >>> from symgrad.budgets import budget_stage, current_stage
    >>> budget_stage("naming", current_stage)
    'naming'
    """
    return next((f.name for f in reversed(_state.frames) if f.name), None)


def failed_stage() -> str | None:
    """The innermost stage that the last error raised in a stage of this thread came out of (None: none).

    Examples
    --------
    >>> from symgrad.budgets import budget_stage, failed_stage
    >>> try:
    ...     budget_stage("dividing", lambda: 1 / 0)
    ... except ZeroDivisionError:
    ...     failed_stage()
    'dividing'
    """
    return _state.failed


def seconds_left() -> float | None:
    """Seconds left to the innermost running budget of this thread (None: no limit or none running).

    Examples
    --------
    >>> from symgrad.budgets import seconds_left
    >>> seconds_left() is None
    True
    """
    deadlines = [f.deadline for f in _state.frames if f.deadline is not None]
    return None if not deadlines else max(min(deadlines) - time.monotonic(), 0.0)


def time_limited(fn: Callable[[], _T], seconds: float | None) -> _T:
    """Call ``fn()`` and return its value, or raise :class:`TimeoutError` after ``seconds``.

    A limit of its own, for one computation inside a stage (one integral of a
    Fisher metric, say), that ends in a :class:`TimeoutError` the caller turns
    into its own error.  On the main thread it nests inside the running
    budgets (the nearest deadline counts; a spent outer budget raises the
    outer :class:`BudgetError`).  Elsewhere ``fn`` runs in a daemon thread that
    is abandoned at the time limit: it runs on in the background and its
    result is dropped.

    Parameters
    ----------
    fn : callable
        Takes no arguments.
    seconds : float or None
        None means no limit of its own.

    Examples
    --------
    >>> from symgrad.budgets import time_limited
    >>> time_limited(lambda: 6 * 7, 1.0)
    42
    """
    if seconds is None:
        return fn()
    if seconds <= 0:
        raise TimeoutError("no time left")
    if _signals_usable():
        frame = _Frame(None, seconds)
        try:
            return _run(frame, fn)
        except _Alarm as alarm:
            if alarm.frame is not frame:
                raise
            raise TimeoutError(f"no result within {seconds:.3g} s") from None
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as err:  # handed to the caller below
            box["error"] = err

    worker = threading.Thread(target=target, daemon=True, name="symgrad-time-limited")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no result within {seconds:.3g} s (the worker thread is abandoned)")
    if "error" in box:
        raise box["error"]
    return box["value"]


_GLOBALS = globals()
_CALL_CODE = _call.__code__
