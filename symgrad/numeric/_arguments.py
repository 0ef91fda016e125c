r"""The checked arguments of every integration: times, tolerances, step counts, methods, solver options.

Every numeric driver of symgrad (:func:`symgrad.numeric._ivp.integrate` and
:func:`~symgrad.numeric._ivp.trajectory` for scipy's ``solve_ivp``, the JAX
backend, :meth:`NumericFlow.iterate <symgrad.NumericFlow.iterate>`, sweeps)
checks its arguments here, once, before a solver sees them, so that a bad
value is a symgrad error that names it, never a raw error of numpy or scipy,
a warning, or a silently coerced number: :func:`times` (``t_span``,
``t_eval``), :func:`tolerances` (``rtol``, ``atol``), :func:`steps` (the
``n_steps`` of the discrete rule), :func:`method` (a ``solve_ivp`` method) and
:func:`solver_options` (the other options of ``solve_ivp``, the step sizes
by :func:`step_sizes`).

This module depends on nothing in symgrad but :mod:`symgrad.errors` and
:mod:`symgrad.numeric._params`.
"""

from __future__ import annotations

import inspect
import math
import numbers
from typing import Any

import numpy as np

from ..errors import ArgumentTypeError, DimensionError, NumericValueError
from ._params import fmt, real_array

# -- arguments: times, tolerances, step counts -----------------------------------------------


def number(value, what) -> float:
    """``value`` as a finite float, or the error that names ``what``."""
    arr = real_array(value, what)
    if arr.ndim:
        raise ArgumentTypeError(f"{what} must be a number, got an array of shape {arr.shape}")
    if not math.isfinite(float(arr)):
        raise NumericValueError(f"{what} is {float(arr)}; it must be a finite number")
    return float(arr)


def times(t_span, t_eval=None) -> tuple[tuple[float, float], np.ndarray | None]:
    """The checked ``t_span``, as two floats, and ``t_eval``, as a float array or None.

    ``t_span = (t0, t1)`` holds two finite numbers, ``t1 != t0`` (``t1 < t0``
    integrates backward in time); ``t_eval`` holds finite times within
    ``t_span``, in a 1-D array strictly sorted from ``t0`` towards ``t1``.

    Raises
    ------
    ArgumentTypeError
        A time is not a real number.
    DimensionError
        ``t_span`` is not a pair, or ``t_eval`` not 1-D.
    NumericValueError
        A time is not finite, the ends of ``t_span`` are equal, or ``t_eval``
        is unsorted or outside ``t_span``.

    Examples
    --------
    >>> from symgrad.numeric._arguments import times
    >>> times([0, 1], [0, 0.5])
    ((0.0, 1.0), array([0. , 0.5]))
    >>> times((0, 1), [0.5, float("nan")])
    Traceback (most recent call last):
    ...
    symgrad.errors.NumericValueError: t_eval[1] is nan; the times of t_eval must be finite and within t_span (0, 1)
    """
    if isinstance(t_span, (str, bytes)) or not np.iterable(t_span):
        raise ArgumentTypeError(f"t_span must be a pair (t0, t1) of numbers, got {t_span!r}")
    ends = list(t_span)
    if len(ends) != 2:
        raise DimensionError(f"t_span must be a pair (t0, t1) of numbers, got {len(ends)} value(s): {t_span!r}")
    t0, t1 = (number(t, f"t_span[{k}]") for k, t in enumerate(ends))
    if t0 == t1:
        raise NumericValueError(
            f"t_span = ({fmt(t0)}, {fmt(t1)}) has equal ends; pass t1 > t0 (or t1 < t0 to integrate backward)"
        )
    if t_eval is None:
        return (t0, t1), None
    t_eval = real_array(t_eval, "t_eval")
    if t_eval.ndim != 1:
        raise DimensionError(f"t_eval must be a 1-D array of times, got shape {t_eval.shape}")
    sign = 1.0 if t1 > t0 else -1.0
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(t_eval) | (sign * (t_eval - t0) < 0) | (sign * (t1 - t_eval) < 0)
    if bad.any():
        k = int(np.argmax(bad))
        raise NumericValueError(
            f"t_eval[{k}] is {float(t_eval[k])}; the times of t_eval must be finite and within "
            f"t_span ({fmt(t0)}, {fmt(t1)})"
        )
    unsorted = sign * np.diff(t_eval) <= 0
    if unsorted.any():
        k = int(np.argmax(unsorted)) + 1
        order = "increasing" if sign > 0 else "decreasing, as t_span runs backward"
        raise NumericValueError(
            f"t_eval must be strictly {order}: t_eval[{k}] = {fmt(t_eval[k])} follows "
            f"t_eval[{k - 1}] = {fmt(t_eval[k - 1])}"
        )
    return (t0, t1), t_eval


def tolerances(rtol, atol) -> tuple[float, Any]:
    """The checked tolerances: ``rtol`` a float, ``atol`` a float or a float array; all finite and >= 0.

    Raises ArgumentTypeError for values that are no real numbers,
    NumericValueError for negative or non-finite ones.

    Examples
    --------
    >>> from symgrad.numeric._arguments import tolerances
    >>> tolerances(1e-6, [1e-9, 1e-8])
    (1e-06, array([1.e-09, 1.e-08]))
    """
    rtol = number(rtol, "rtol")
    atol = real_array(atol, "atol")
    for name, value in (("rtol", np.asarray(rtol)), ("atol", atol)):
        bad = ~(np.isfinite(value) & (value >= 0))
        if bad.any():
            shown = float(value[np.unravel_index(np.argmax(bad), value.shape)]) if value.ndim else float(value)
            raise NumericValueError(f"{name} is {shown}; tolerances must be finite numbers >= 0")
    return rtol, (float(atol) if atol.ndim == 0 else atol)


def steps(n_steps) -> int:
    """The checked number of steps of the discrete rule: an integer >= 1 (``int`` or a numpy integer).

    Examples
    --------
    >>> from symgrad.numeric._arguments import steps
    >>> steps(3)
    3
    >>> steps(2.5)
    Traceback (most recent call last):
    ...
    symgrad.errors.ArgumentTypeError: n_steps must be an integer >= 1 (an int or a numpy integer), got 2.5 of type float
    """
    if isinstance(n_steps, (bool, np.bool_)) or not isinstance(n_steps, numbers.Integral):
        raise ArgumentTypeError(
            "n_steps must be an integer >= 1 (an int or a numpy integer), "
            f"got {n_steps!r} of type {type(n_steps).__name__}"
        )
    if n_steps < 1:
        raise DimensionError(f"n_steps must be an integer >= 1, got {n_steps}")
    return int(n_steps)


# -- methods and solver options ----------------------------------------------------------------

#: The methods of ``solve_ivp`` by name, and the options each takes besides ``rtol`` and ``atol``.
_EXPLICIT = frozenset({"first_step", "max_step", "vectorized"})
METHOD_OPTIONS = {
    "RK45": _EXPLICIT,
    "RK23": _EXPLICIT,
    "DOP853": _EXPLICIT,
    "Radau": _EXPLICIT | {"jac", "jac_sparsity"},
    "BDF": _EXPLICIT | {"jac", "jac_sparsity"},
    "LSODA": _EXPLICIT | {"jac", "lband", "uband", "min_step"},
}

#: Options of ``solve_ivp`` itself, whatever the method.
_COMMON = frozenset({"rtol", "atol", "events", "dense_output"})


def method(method) -> str:
    """The name of a ``solve_ivp`` method: one of :data:`METHOD_OPTIONS`, or an ``OdeSolver`` subclass's name.

    Examples
    --------
    >>> from symgrad.numeric._arguments import method
    >>> method("Radau")
    'Radau'
    >>> method("euler")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symgrad.errors.ArgumentTypeError: method='euler' is not a method of scipy's solve_ivp; pass one of 'RK45', ...
    """
    from scipy.integrate import OdeSolver

    if isinstance(method, str) and method in METHOD_OPTIONS:
        return method
    if inspect.isclass(method) and issubclass(method, OdeSolver):
        return method.__name__
    raise ArgumentTypeError(
        f"method={method!r} is not a method of scipy's solve_ivp; pass one of "
        f"{', '.join(map(repr, METHOD_OPTIONS))} or a subclass of scipy.integrate.OdeSolver"
    )


def solver_options(solver, options: dict[str, Any], what: str = "integrate") -> dict[str, Any]:
    """The checked options of ``solve_ivp`` with the method ``solver`` (checked by :func:`method`): a new dict.

    An option that no method takes, or that the method ignores, is refused
    (scipy would only warn); the step sizes are checked by :func:`step_sizes`.
    ``rtol``, ``atol``, ``events`` and ``dense_output`` are returned unchanged
    (:func:`tolerances` checks the tolerances).  An ``OdeSolver`` subclass of
    the user's own gets its other options unchecked.

    Examples
    --------
    >>> from symgrad.numeric._arguments import solver_options
    >>> solver_options("RK45", {"max_step": 0.1})
    {'max_step': 0.1}
    >>> solver_options("RK45", {"jac": None})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symgrad.errors.ArgumentTypeError: integrate: method 'RK45' does not take the option jac, an option of Radau, ...
    """
    name = method(solver)
    options = dict(options)
    takes = METHOD_OPTIONS.get(name)
    if takes is None:
        return options
    for key in sorted(set(options) - _COMMON - takes):
        others = [m for m, keys in METHOD_OPTIONS.items() if key in keys]
        if not others:
            raise ArgumentTypeError(
                f"{what}: {key!r} is not an option of scipy's solve_ivp; it takes "
                f"{', '.join(sorted(_COMMON | set().union(*METHOD_OPTIONS.values())))}"
            )
        raise ArgumentTypeError(
            f"{what}: method {name!r} does not take the option {key}, an option of {', '.join(others)}"
        )
    options.update(step_sizes(options, what))
    if "vectorized" in options and not isinstance(options["vectorized"], (bool, np.bool_)):
        raise ArgumentTypeError(f"{what}: vectorized must be True or False, got {options['vectorized']!r}")
    return options


def step_sizes(options: dict[str, Any], what: str = "integrate") -> dict[str, float]:
    """The checked step sizes among ``options``, as floats; those absent or None are left out.

    ``first_step`` must be finite and > 0, ``max_step`` > 0 (``inf``: no
    limit), ``min_step`` finite and >= 0.

    Examples
    --------
    >>> from symgrad.numeric._arguments import step_sizes
    >>> step_sizes({"max_step": 1, "first_step": None, "rtol": 1e-3})
    {'max_step': 1.0}
    >>> step_sizes({"max_step": 0})
    Traceback (most recent call last):
    ...
    symgrad.errors.NumericValueError: integrate: max_step is 0; it must be a number > 0 (inf: no limit)
    """
    checked = {}
    for key, low, inf_ok, rule in (
        ("first_step", 0.0, False, "a finite number > 0"),
        ("max_step", 0.0, True, "a number > 0 (inf: no limit)"),
        ("min_step", None, False, "a finite number >= 0"),
    ):
        if options.get(key) is None:
            continue
        value = real_array(options[key], f"{what}: {key}")
        if value.ndim:
            raise ArgumentTypeError(f"{what}: {key} must be a number, got an array of shape {value.shape}")
        value = float(value)
        ok = (value > low if low is not None else value >= 0) and (math.isfinite(value) or (inf_ok and value > 0))
        if not ok:
            raise NumericValueError(f"{what}: {key} is {fmt(value)}; it must be {rule}")
        checked[key] = value
    return checked
