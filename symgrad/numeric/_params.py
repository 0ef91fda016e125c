"""Parameter values: the one place where numbers given for symbols are checked.

A parameter is a symbol of an object (a flow, its metric or its cost, a family,
a Hamiltonian) that is no coordinate.  Every function of symgrad that takes
``params={symbol or name: value}`` hands the dict to :func:`bind`, which

* accepts a key that is one of the object's parameters or its name;
* refuses anything else with :class:`~symgrad.UnknownParameterError`, whose
  message names the key and lists the object's parameters (a coordinate, or a
  symbol of the same name but other assumptions, is named as such);
* checks each value (:class:`~symgrad.ParameterValueError`): a finite real
  number, in the range its symbol's assumptions allow (no negative value for a
  positive symbol, only integers for an integer one);
* returns exact sympy numbers to substitute (a float becomes a Float that
  prints back to the same float), or floats, or float arrays.

:func:`require` raises :class:`~symgrad.UnboundParameterError` for the
parameters a computation needs and was given no value for.  A caller whose
errors are also of another kind (an exporter's are
:class:`~symgrad.ExportParameterError` too) passes ``errors``, a mapping from
the kinds above to subclasses of them to raise instead.

This module depends on nothing in symgrad but :mod:`symgrad.errors`.
"""

from __future__ import annotations

import fractions
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import sympy as sp

from ..errors import (
    ArgumentTypeError,
    DimensionError,
    NumericParameterError,
    ParameterValueError,
    UnboundParameterError,
    UnknownParameterError,
)

#: ``{error class: subclass to raise instead}``, a caller's own kinds of the binder's errors.
Errors = Mapping[type, type]

#: How :func:`bind` returns values: sympy numbers, floats, or floats and float arrays.
CONVERSIONS = ("exact", "float", "array")


def fmt(value) -> str:
    """A number as messages show it."""
    return f"{float(value):.6g}"


def _error(errors, kind, message):
    return (errors or {}).get(kind, kind)(message)


def _lead(caller):
    return f"{caller}: " if caller else ""


def symbols(*objects, exclude: Iterable[sp.Symbol] = ()) -> set[sp.Symbol]:
    """The free symbols of expressions, matrices and sequences of them, less ``exclude``."""
    out = set()
    for obj in objects:
        if isinstance(obj, sp.Basic) or isinstance(obj, sp.MatrixBase):
            out |= obj.free_symbols
        elif isinstance(obj, (int, float)):
            continue
        else:
            out |= symbols(*obj)
    return out - set(exclude)


# -- values ----------------------------------------------------------------------------------


def interval_of(symbol: sp.Symbol) -> sp.Interval | None:
    """Return the interval of the real line that ``symbol``'s assumptions imply.

    Returns None when the symbol is not known to be real.

    Examples
    --------
    >>> import sympy as sp
    >>> interval_of(sp.Symbol("s", positive=True)), interval_of(sp.Symbol("z"))
    (Interval.open(0, oo), None)
    """
    if symbol.is_real is not True:
        return None
    if symbol.is_positive:
        return sp.Interval.open(0, sp.oo)
    if symbol.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if symbol.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    if symbol.is_nonpositive:
        return sp.Interval(-sp.oo, 0)
    return sp.Interval(-sp.oo, sp.oo)


def _check_range(symbol, lo, hi, what, integral, errors):
    """Raise ParameterValueError unless values from ``lo`` to ``hi`` fit ``symbol``'s assumptions."""
    interval = interval_of(symbol)
    if interval is not None:
        for v in (lo, hi):
            if not interval.contains(sp.Float(v)):
                raise _error(
                    errors,
                    ParameterValueError,
                    f"{what} is {fmt(v)}, outside {interval}, the range the assumptions of {symbol} allow",
                )
    if symbol.is_integer and not integral:
        raise _error(errors, ParameterValueError, f"{what} must be an integer: {symbol} is declared integer")


def _sympy_number(value):
    """``value`` as an exact sympy number (a float as a Float that prints back to it), or None."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, sp.Basic):
        ok = (
            isinstance(value, sp.Expr)
            and not value.free_symbols
            and value.is_extended_real is True
            and value.is_finite is True
        )
        return value if ok else None
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, fractions.Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            return None
        text = repr(x)
        digits = len(re.sub(r"\D", "", text.split("e")[0]).lstrip("0"))
        return sp.Float(text, max(15, digits))
    return None


def number(symbol: sp.Symbol, value: Any, *, exact: bool = True, caller: str | None = None, errors: Errors = None):
    """The number ``value`` given for the parameter ``symbol``, checked against its assumptions.

    Returns a sympy number (``exact=True``: integers, fractions and sympy
    numbers stay exact; a float becomes a Float printing as the same float) or
    a float.  Raises ParameterValueError for anything but a finite real number
    in the range the symbol's assumptions allow.
    """
    what = f"{_lead(caller)}the value of parameter {symbol}"
    exact_value = _sympy_number(value)
    if exact_value is None:
        raise _error(
            errors,
            ParameterValueError,
            f"{what} is {value!r} of type {type(value).__name__}, which is not a finite real number "
            "(int, float, Fraction, or a numeric sympy expression such as sp.Rational(1, 2) or sp.pi)",
        )
    approx = float(exact_value)
    if not math.isfinite(approx):
        raise _error(errors, ParameterValueError, f"{what} is {value!r}, beyond the range of floats")
    if symbol.is_integer and exact_value.is_integer is not True and approx.is_integer():
        exact_value = sp.Integer(int(approx))
    _check_range(symbol, approx, approx, what, exact_value.is_integer is True, errors)
    return exact_value if exact else approx


def array(symbol: sp.Symbol, value: Any, *, caller: str | None = None, errors: Errors = None):
    """A value of the parameter ``symbol`` that may be an array: a float or a float array, checked.

    A single number is checked by :func:`number`, as a bound value is; an
    array's entries by the same rules (no bools, finite, in range).
    """
    if np.ndim(value) == 0 and not isinstance(value, (list, tuple)):
        return number(symbol, value, exact=False, caller=caller, errors=errors)
    what = f"{_lead(caller)}the value of parameter {symbol}"
    bad = f"{what} is {value!r}, which is not a real number or array"
    if isinstance(value, (str, bytes)) or isinstance(value, sp.Basic) and not value.is_number:
        raise _error(errors, ParameterValueError, bad)
    if np.iscomplexobj(value):
        raise _error(errors, ParameterValueError, f"{what} is complex; parameters are real")
    try:
        arr = np.asarray(value)
        if arr.dtype.kind == "b":
            bad = f"{what} is an array of bools, {value!r}; parameters are real numbers"
            raise TypeError
        arr = arr.astype(float)
    except (TypeError, ValueError):
        raise _error(errors, ParameterValueError, bad) from None
    if arr.size and not np.all(np.isfinite(arr)):
        raise _error(errors, ParameterValueError, f"{what} is not finite")
    if arr.size:
        _check_range(symbol, arr.min(), arr.max(), what, bool(np.all(arr == np.round(arr))), errors)
    return float(arr) if arr.ndim == 0 else arr


# -- keys ------------------------------------------------------------------------------------


def assumptions_given(symbol):
    """The assumptions a Symbol was created with, as ``positive=True`` (or ``none``)."""
    given = getattr(symbol, "_assumptions_orig", None)
    if given is None:
        given = symbol.assumptions0
    return ", ".join(f"{k}={v}" for k, v in sorted(given.items())) or "none"


def _names(syms):
    return ", ".join(sorted({s.name for s in syms})) or "none"


def bind(
    params: Mapping | None,
    parameters: Iterable[sp.Symbol],
    *,
    of: str,
    coordinates: Iterable[sp.Symbol] = (),
    fixed: Iterable[sp.Symbol] = (),
    free: bool = False,
    convert: str = "exact",
    arg: str = "params",
    caller: str | None = None,
    errors: Errors = None,
) -> dict:
    """The values ``params`` gives to ``parameters``, checked: ``{Symbol: value}``.

    Parameters
    ----------
    params : mapping or None
        ``{Symbol or name: value}``; None binds nothing.
    parameters : iterable of sympy.Symbol
        The parameters of the object (``of``) that may be given values.
    of : str
        The object, as messages name it: ``"the flow in chart 'std'"``.
    coordinates : iterable of sympy.Symbol
        Symbols that are coordinates: a key naming one is refused as such.
    fixed : iterable of sympy.Symbol
        Parameters bound earlier, which ``params`` may not give again.
    free : bool
        Messages call ``parameters`` the free parameters of the object.
    convert : {"exact", "float", "array"}
        Values as sympy numbers (:func:`number`), floats, or floats and arrays (:func:`array`).
    arg : str
        The argument's name in messages.
    caller : str, optional
        Prefixes messages (``"to_c: ..."``).
    errors : mapping, optional
        Subclasses to raise instead of the errors below.

    Returns
    -------
    dict
        ``{Symbol: value}`` for each key of ``params``.

    Raises
    ------
    ArgumentTypeError
        ``params`` is not a mapping, or a key is neither a Symbol nor a string.
    UnknownParameterError
        A key is none of ``parameters`` (nor the name of exactly one of them).
    NumericParameterError
        A name is shared by several parameters, or a parameter is given twice.
    ParameterValueError
        A value is not a finite real number in the range its symbol allows.

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.numeric._params import bind
    >>> eta, x = sp.Symbol("eta", positive=True), sp.Symbol("x", real=True)
    >>> bind({"eta": 0.5}, [eta], of="the flow")
    {eta: 0.500000000000000}
    >>> bind({eta: 2}, [eta], of="the flow", convert="float")
    {eta: 2.0}
    >>> bind({"typo": 1}, [eta], of="the flow", coordinates=[x])
    Traceback (most recent call last):
    ...
    symgrad.errors.UnknownParameterError: 'typo' is not a parameter of the flow (its parameters: eta)
    """
    if convert not in CONVERSIONS:
        raise ValueError(f"convert must be one of {CONVERSIONS}, got {convert!r}")
    lead = _lead(caller)
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise _error(
            errors,
            ArgumentTypeError,
            f"{lead}{arg} must be a dict (any mapping) {{symbol or name: value}}, got {type(params).__name__}",
        )
    parameters = set(parameters)
    by_name = {}
    for s in parameters:
        by_name.setdefault(s.name, []).append(s)
    context = {
        "parameters": parameters,
        "by_name": by_name,
        "coordinates": set(coordinates),
        "fixed": set(fixed),
        "of": of,
        "free": free,
        "lead": lead,
        "arg": arg,
        "errors": errors,
    }
    bound = {}
    for key, value in params.items():
        symbol = _resolve(key, **context)
        if symbol in bound:
            raise _error(errors, NumericParameterError, f"{lead}{arg} gives {symbol} twice (by Symbol and by name)")
        if convert == "array":
            bound[symbol] = array(symbol, value, caller=caller, errors=errors)
        else:
            bound[symbol] = number(symbol, value, exact=convert == "exact", caller=caller, errors=errors)
    return bound


def _resolve(key, *, parameters, by_name, coordinates, fixed, of, free, lead, arg, errors):
    """The parameter ``key`` stands for, or the error that says why it stands for none."""
    if isinstance(key, str):
        name, shown = key, repr(key)
    elif isinstance(key, sp.Symbol):
        name, shown = key.name, key.name
    else:
        raise _error(
            errors,
            ArgumentTypeError,
            f"{lead}a key of {arg} must be a sympy Symbol or its name, got {key!r} of type {type(key).__name__}",
        )
    same = sorted(by_name.get(name, ()), key=sp.default_sort_key)
    if isinstance(key, sp.Symbol) and key in parameters:
        return key
    if isinstance(key, str) and len(same) == 1:
        return same[0]
    if isinstance(key, str) and same:
        raise _error(
            errors,
            NumericParameterError,
            f"{lead}{of} has several parameters named {key!r} (assumptions "
            f"{'; '.join(assumptions_given(s) for s in same)}); give their values by Symbol, not by name",
        )
    noun = "free parameter" if free else "parameter"
    if key in coordinates or isinstance(key, str) and any(c.name == key for c in coordinates):
        raise _error(
            errors,
            UnknownParameterError,
            f"{lead}{shown} is a coordinate, not a {noun} of {of}; coordinates take their values from the points",
        )
    if key in fixed or isinstance(key, str) and any(s.name == key for s in fixed):
        raise _error(
            errors,
            UnknownParameterError,
            f"{lead}parameter {name} was bound when {of} was made; make another with "
            "flow.numeric(..., params={...}) to change it",
        )
    if same:
        raise _error(
            errors,
            UnknownParameterError,
            f"{lead}{shown} is not a {noun} of {of}: its {name} is a different Symbol (assumptions "
            f"{assumptions_given(same[0])}; yours {assumptions_given(key)}); use the Symbol the model was built with, "
            f"or the name {name!r}",
        )
    label = "free" if free else "its parameters"
    raise _error(
        errors, UnknownParameterError, f"{lead}{shown} is not a {noun} of {of} ({label}: {_names(parameters)})"
    )


def require(
    needed: Iterable[sp.Symbol],
    bound: Mapping,
    *,
    what: str,
    arg: str = "params",
    errors: Errors = None,
) -> None:
    """Raise UnboundParameterError naming the parameters of ``needed`` that ``bound`` gives no value.

    ``what`` is the computation that needs them, as the message's subject
    (``"geodesic"``, ``"sampling Normal(mean=m, std=s)"``).

    Examples
    --------
    >>> import sympy as sp
    >>> from symgrad.numeric._params import require
    >>> a = sp.Symbol("a", positive=True)
    >>> require([a], {}, what="geodesic")
    Traceback (most recent call last):
    ...
    symgrad.errors.UnboundParameterError: geodesic needs values for the parameter(s) a: pass params={a: ...}
    """
    missing = sorted({s.name for s in needed if s not in bound})
    if missing:
        raise _error(
            errors,
            UnboundParameterError,
            f"{what} needs values for the parameter(s) {', '.join(missing)}: pass {arg}={{{missing[0]}: ...}}",
        )


# -- free parameters of a numeric flow, passed at call time ----------------------------------


def check_names(coords, free_params) -> None:
    """Free parameters are passed by name: their names must be unique, and not a coordinate's."""
    seen = {c.name: "a coordinate" for c in coords}
    for p in free_params:
        if p.name in seen:
            raise NumericParameterError(
                f"the free parameter {p} has the name of {seen[p.name]}, so it cannot be "
                "passed by name; bind it in params={symbol: value} or rename one of the symbols"
            )
        seen[p.name] = "another free parameter"


def call_values(wanted, given, free, bound, coords=(), *, lead=(), members=False) -> list:
    """The values of the parameters ``wanted`` from ``given``, the keyword arguments of a call.

    ``free`` are the free parameters of the numeric flow, ``bound`` the bound
    ones, which a call may not pass; ``given`` may also be a mapping with
    Symbols as keys (the ``params`` of a driver).  An array must broadcast
    with ``lead``, the leading shape of the points (``members``: have shape
    ``lead``, one value per member of an ensemble); DimensionError names the
    parameter otherwise.
    """
    values = bind(given, free, of="this numeric flow", coordinates=coords, fixed=bound, free=True, convert="array")
    missing = [p.name for p in wanted if p not in values]
    if missing:
        raise UnboundParameterError(
            f"unbound parameter(s) {', '.join(missing)}: pass values by name, "
            f"num(X, {missing[0]}=...) or params={{{missing[0]!r}: ...}} in integrate and "
            "iterate, or bind them once with flow.numeric(chart, params={...})"
        )
    joint = tuple(lead)
    for p in wanted:
        shape = np.shape(values[p])
        try:
            joint = np.broadcast_shapes(shape, joint)
            fits = joint == tuple(lead) or not members
        except ValueError:
            fits = False
        if not fits:
            expected = f"shape {lead}, one value per member" if members else f"a shape that broadcasts with {lead}"
            raise DimensionError(
                f"the value of parameter {p} has shape {shape}; the points have leading shape {lead}, "
                f"so it must be a number or an array of {expected}"
            )
    return [values[p] for p in wanted]


# -- points and other arrays of real numbers -------------------------------------------------


def real_array(value: Any, what: str) -> np.ndarray:
    """``value`` as a float array, or the error that says why it is not an array of real numbers.

    Refuses strings, bools, complex numbers and anything else that is no real
    number (:class:`~symgrad.ArgumentTypeError`), and ragged nested sequences
    (:class:`~symgrad.DimensionError`); ``what`` names the argument.  Values
    are not checked to be finite.

    Examples
    --------
    >>> from symgrad.numeric._params import real_array
    >>> real_array([[1, 2.5]], "X")
    array([[1. , 2.5]])
    >>> real_array([True], "X")
    Traceback (most recent call last):
    ...
    symgrad.errors.ArgumentTypeError: X must hold real numbers, got [True] (dtype bool)
    """
    if isinstance(value, (str, bytes)):
        raise ArgumentTypeError(f"{what} must hold real numbers, got the string {value!r}")
    try:
        raw = np.asarray(value)
    except ValueError:
        raise DimensionError(f"{what} is ragged (rows of different lengths), not an array: {value!r}") from None
    if raw.dtype.kind in "bcUSVMm" or raw.dtype.kind == "O" and any(v is None for v in raw.flat):
        raise ArgumentTypeError(f"{what} must hold real numbers, got {value!r} (dtype {raw.dtype})")
    try:
        return raw.astype(float)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{what} must hold real numbers, got {value!r}") from None


def points(X: Any, coords, what: str = "X") -> np.ndarray:
    """The points ``X``, shape (..., dim) for the coordinates ``coords``, as a float array.

    The one check of the arrays of points every numeric entry point takes:
    real numbers (:func:`real_array`), the last axis one entry per coordinate
    (:class:`~symgrad.DimensionError`).  Whether they are finite and in the
    domain is the caller's check.
    """
    X = real_array(X, what)
    dim = len(coords)
    if X.ndim == 0 or X.shape[-1] != dim:
        raise DimensionError(
            f"{what} must have shape (..., {dim}), the last axis holding "
            f"{', '.join(map(str, coords))}; got shape {X.shape}"
        )
    return X
