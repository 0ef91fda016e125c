"""Parameters of a numeric flow: values bound once, values passed at call time.

A parameter is a symbol of a flow, its metric or its cost that is no coordinate
of the chart.  :func:`bind` checks the ``params={symbol or name: number}`` of
:class:`~symgrad.NumericFlow` and turns each value into an exact sympy number;
:func:`call_values` checks the values of the free parameters passed by name at
a call.  Every value must lie in the range its symbol's assumptions allow (a
positive symbol takes no negative value, an integer symbol only integers).
"""

import fractions
import math
from collections.abc import Mapping

import numpy as np
import sympy as sp

from ..core import _domain
from ..errors import (
    ArgumentTypeError,
    NumericParameterError,
    ParameterValueError,
    UnboundParameterError,
    UnknownParameterError,
)


def fmt(value):
    """A number as messages show it."""
    return f"{float(value):.6g}"


def _check_range(symbol, lo, hi, what, integral=True):
    """Raise ParameterValueError unless values from ``lo`` to ``hi`` fit ``symbol``'s assumptions."""
    interval = _domain.interval_of(symbol)
    if interval is not None:
        for v in (lo, hi):
            if not interval.contains(sp.Float(v)):
                raise ParameterValueError(
                    f"{what} is {fmt(v)}, outside {interval}, the range the assumptions of {symbol} allow"
                )
    if symbol.is_integer and not integral:
        raise ParameterValueError(f"{what} must be an integer: {symbol} is declared integer")


def bound_value(symbol, value):
    """The sympy number a parameter is bound to, or ParameterValueError."""
    what = f"the value bound to parameter {symbol}"
    if isinstance(value, (bool, np.bool_)):
        number = None
    elif isinstance(value, sp.Basic):
        number = value if isinstance(value, sp.Expr) and value.is_number else None
        if number is not None and not (number.is_real and number.is_finite):
            number = None
    elif isinstance(value, (int, np.integer)):
        number = sp.Integer(int(value))
    elif isinstance(value, fractions.Fraction):
        number = sp.Rational(value.numerator, value.denominator)
    elif isinstance(value, (float, np.floating)) and math.isfinite(value):
        number = sp.Float(float(value))
    else:
        number = None
    if number is not None and symbol.is_integer and not number.is_integer and float(number).is_integer():
        number = sp.Integer(int(float(number)))
    if number is None:
        raise ParameterValueError(
            f"{what} is {value!r}, which is not a finite real number; bind numbers "
            "(int, float, Fraction, sympy number) and pass arrays at call time instead"
        )
    approx = float(number)
    _check_range(symbol, approx, approx, what, integral=bool(number.is_integer))
    return number


def call_value(symbol, value):
    """A parameter value given at call time, as a float or a float array."""
    what = f"the value of parameter {symbol}"
    if isinstance(value, (str, bytes)) or isinstance(value, sp.Basic) and not value.is_number:
        raise ParameterValueError(f"{what} is {value!r}, which is not a real number or array")
    if np.iscomplexobj(value):
        raise ParameterValueError(f"{what} is complex; parameters are real")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterValueError(f"{what} is {value!r}, which is not a real number or array") from None
    if arr.size and not np.all(np.isfinite(arr)):
        raise ParameterValueError(f"{what} is not finite")
    if arr.size:
        _check_range(symbol, arr.min(), arr.max(), what, integral=bool(np.all(arr == np.round(arr))))
    return float(arr) if arr.ndim == 0 else arr


def bind(params, symbols, coords, chart):
    """The values ``params`` binds, ``{Symbol: sympy number}``, checked.

    ``symbols`` are the parameters of the flow, its metric and its cost;
    ``coords`` and ``chart`` are the coordinates and the chart of the numeric
    flow, named in the messages of a key that is no parameter.
    """
    if not isinstance(params, Mapping):
        raise ArgumentTypeError(
            f"params must be a mapping (a dict) {{symbol or name: value}}, got {type(params).__name__}"
        )
    by_name = {s.name: s for s in symbols}
    twice = {s.name for s in symbols if s is not by_name[s.name]}
    coord_names = {c.name for c in coords}
    bound = {}
    for key, value in params.items():
        if isinstance(key, str):
            if key in twice:
                raise NumericParameterError(f"several parameters are named {key!r}; bind them by symbol, not by name")
            symbol = by_name.get(key)
        elif isinstance(key, sp.Symbol):
            symbol = key if key in symbols else None
        else:
            raise ArgumentTypeError(f"a key of params must be a sympy Symbol or its name, got {key!r}")
        if symbol is None:
            name = key if isinstance(key, str) else key.name
            if name in coord_names:
                raise UnknownParameterError(
                    f"{name} is a coordinate of chart {chart.name!r}, not a parameter; "
                    "coordinates are the last axis of the points"
                )
            if name in by_name:
                raise UnknownParameterError(
                    f"params binds a symbol {name} that is not the flow's {name}: the two "
                    "differ in their assumptions; pass the flow's own symbol, or the name "
                    f"{name!r} as the key"
                )
            known = ", ".join(sorted(by_name)) or "none"
            raise UnknownParameterError(
                f"params binds {name}, which is not a parameter of this flow, its metric "
                f"or its cost in chart {chart.name!r} (its parameters: {known})"
            )
        if symbol in bound:
            raise NumericParameterError(f"params binds {symbol} twice")
        bound[symbol] = bound_value(symbol, value)
    return bound


def check_names(coords, free_params):
    """Free parameters are passed by name: their names must be unique, and not a coordinate's."""
    seen = {c.name: "a coordinate" for c in coords}
    for p in free_params:
        if p.name in seen:
            raise NumericParameterError(
                f"the free parameter {p} has the name of {seen[p.name]}, so it cannot be "
                "passed by name; bind it in params={symbol: value} or rename one of the symbols"
            )
        seen[p.name] = "another free parameter"


def call_values(wanted, given, free, bound):
    """The values of the parameters ``wanted`` from the keyword arguments ``given`` of a call.

    ``free`` maps the names of the free parameters to their symbols; ``bound``
    holds the bound ones, which a call may not pass.
    """
    for name in given:
        if name not in free:
            if any(s.name == name for s in bound):
                raise UnknownParameterError(
                    f"parameter {name} was bound when this numeric flow was made; make "
                    f"another with flow.numeric(..., params={{...}}) to change it"
                )
            names = ", ".join(free) or "none"
            raise UnknownParameterError(f"{name} is not a free parameter of this numeric flow (free: {names})")
    missing = [p.name for p in wanted if p.name not in given]
    if missing:
        raise UnboundParameterError(
            f"unbound parameter(s) {', '.join(missing)}: pass values by name, "
            f"num(X, {missing[0]}=...) or params={{{missing[0]!r}: ...}} in integrate and "
            "iterate, or bind them once with flow.numeric(chart, params={...})"
        )
    return [call_value(p, given[p.name]) for p in wanted]
