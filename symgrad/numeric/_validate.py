"""The checks of a :class:`~symgrad.NumericFlow`'s points and values, at its boundary.

Every entry point of a numeric flow checks its arguments here, once, before
any computation: the arrays of points (real numbers of the right shape, by
:func:`symgrad.numeric._params.points`; finite and in the chart's domain), the
initial points and parameter values of the drivers (:func:`start`), and the
values it computes (:func:`finite`: a value that is not finite is an error that
names the point and the parameter values, never a NaN returned silently).
The times, tolerances and step counts of the drivers are checked by
:mod:`symgrad.numeric._ivp`, the parameter values by :mod:`symgrad.numeric._params`.

A chart's restrictions (``p1 + p2 < 1``) are lambdified once per numeric flow
as *margins* (:func:`Limits`: ``g < h`` gives ``h - g``, positive inside), which
decide membership, give the integration's domain event its distances, and pin
a trajectory that stops at a restriction just inside it.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..core import _domain
from ..errors import DimensionError, DomainError, NumericValueError, UnboundParameterError
from . import _kernels, _params


class Limits:
    """The margins of a chart's restrictions at arrays of points: positive inside.

    Parameters
    ----------
    chart : Chart
    bound : mapping
        Values of every parameter the restrictions use, ``{Symbol: number}``.

    Raises
    ------
    UnboundParameterError
        If a restriction uses a parameter that ``bound`` does not give.
    """

    def __init__(self, chart, bound):
        self.restrictions = chart.restrictions
        coords = chart.coords
        margins = [_domain.margin(r) for r in self.restrictions]
        for r, (m, _) in zip(self.restrictions, margins):
            unbound = sorted(map(str, m.free_symbols - set(coords) - set(bound)))
            if unbound:
                raise UnboundParameterError(
                    f"the domain of chart {chart.name!r} is restricted by {r}, which uses the parameter(s) "
                    f"{', '.join(unbound)}; bind them: flow.numeric(chart, params={{{unbound[0]!r}: ...}})"
                )
        self.strict = np.array([strict for _, strict in margins], dtype=bool)
        self._kernel = _kernels.Kernel([m.xreplace(dict(bound)) for m, _ in margins], coords)

    def __call__(self, X):
        """The margins at ``X`` (shape (..., dim)): shape (..., number of restrictions)."""
        with np.errstate(all="ignore"):
            return self._kernel(np.asarray(X, dtype=float))

    def inside(self, X):
        """Whether each point of ``X`` satisfies every restriction: shape (...)."""
        m = self(X)
        with np.errstate(invalid="ignore"):
            return np.all(np.where(self.strict, m > 0, m >= 0), axis=-1)

    def failing(self, point):
        """The first restriction ``point`` fails, or None."""
        m = self(point)
        for r, v, strict in zip(self.restrictions, m, self.strict):
            if not (v > 0 if strict else v >= 0):
                return r
        return None

    def pin(self, point, steps=8):
        """``point`` (near a restriction's boundary) moved just inside every restriction: Newton steps."""
        x = np.array(point, dtype=float)
        for _ in range(steps):
            m = self(x)
            k = int(np.argmin(m))
            target = 4 * np.finfo(float).eps * max(1.0, float(np.abs(x).max()))
            if m[k] >= target:
                break
            h = 1e-7 * np.maximum(1.0, np.abs(x))
            grad = np.array([(self(x + e)[k] - self(x - e)[k]) / (2 * e[i]) for i, e in enumerate(np.diag(h))])
            if not np.all(np.isfinite(grad)) or not grad.any():
                break
            x = x + (2 * target - m[k]) * grad / grad.dot(grad)
        return x


def at(num, point, free=()) -> str:
    """A point and the parameter values there, as messages show them: ``(x=2; eta=0.5)``.

    ``free`` holds ``(symbol, value)`` pairs of free parameters; the bound
    parameters of ``num`` are shown too.
    """
    where = ", ".join(f"{c}={_params.fmt(v)}" for c, v in zip(num.coords, point))
    named = sorted([*num.params.items(), *free], key=lambda kv: kv[0].name)
    if not named:
        return f"({where})"
    return f"({where}; " + ", ".join(f"{p}={_params.fmt(v)}" for p, v in named) + ")"


def _where(index, member, of=None):
    """An index as messages show it: into the array ``of`` (``member`` None), as a member of an ensemble (True)."""
    if member is None:
        return (f" at index {index}" + (f" of {of}" if of else "")) if index else ""
    return f" (member {index[0]} of the ensemble)" if member else ""


def outside(num, X, what="point", member=None):
    """Raise DomainError naming the first point of ``X`` (shape (..., dim)) not finite or outside the domain.

    ``member`` phrases its index as a member of an ensemble (True) or as one
    initial point (False) instead of an index into ``X`` (None).
    """
    bad = np.argwhere(~num.contains(X))
    index = tuple(int(i) for i in bad[0]) if len(bad) else ()
    bounds = ", ".join([f"{c} in {num.chart.domain[c]}" for c in num.coords] + list(map(str, num.chart.restrictions)))
    where = _where(index, member)
    finite = "is not finite, so it " if not np.all(np.isfinite(X[index])) else ""
    raise DomainError(
        f"{what} {X[index].tolist()}{where} {finite}lies outside the domain of chart {num.chart.name!r} ({bounds})"
    )


def why_outside(num, point):
    """Why ``point`` lies outside the domain of ``num``'s chart, as messages say it."""
    for c, v in zip(num.coords, point):
        if not np.isfinite(v) or not num.chart.domain[c].contains(sp.Float(v)):
            return f"{c} = {_params.fmt(v)} is outside {num.chart.domain[c]}"
    failing = num._limits.failing(point) if num._limits is not None else None
    if failing is not None:
        return f"{failing} does not hold at {at(num, point)}"
    return "no coordinate is outside"


def finite(num, which, out, X, params, values, member=None):
    """Raise NumericValueError naming the first point, and the parameter values there, where ``out`` is not finite.

    ``out`` has shape ``(...) + (k,)``: the values of ``which`` (``"flow"``,
    ``"metric"``, ``"cost"``) at the points ``X`` and the values ``values`` of
    the free parameters ``params``, which broadcast with ``X[..., 0]``;
    ``member`` as for :func:`outside`.
    """
    if np.isfinite(out).all():
        return
    bad = ~np.all(np.isfinite(out), axis=-1)
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    point = np.broadcast_to(X, bad.shape + (num.dim,))[index]
    free = [(p, np.broadcast_to(v, bad.shape)[index]) for p, v in zip(params, values)]
    where = _where(index, member, "X")
    raise NumericValueError(
        f"the {which} is not finite at {at(num, point, free)}{where}, a point of the domain of chart "
        f"{num.chart.name!r}: it overflows or is singular there"
    )


def start(num, x0, params):
    """The checked initial points and parameter values of a driver (``integrate``, ``iterate``).

    Returns ``(X0, single, values)``: the points as an array of shape
    (ensemble, dim), whether ``x0`` was one point, and the values of the
    parameters the flow uses.  Raises for an empty ensemble, a point that is
    not finite or outside the domain, a parameter array that is not one value
    per member, and a flow that is not finite at an initial point.
    """
    x0 = _params.points(x0, num.coords, "x0")
    if x0.ndim > 2:
        raise DimensionError(f"x0 must have shape (dim,) or (ensemble, dim); got shape {x0.shape}")
    if x0.size == 0:
        raise DimensionError(f"x0 holds no initial point (shape {x0.shape}); pass at least one, shape (1, {num.dim})")
    single = x0.ndim == 1
    X = x0.reshape(-1, num.dim)
    if not num.contains(X).all():
        outside(num, X, "the initial point", member=not single)
    kernel = num._kernel("flow")
    values = _params.call_values(
        kernel.params, params, num.free_params, num.params, num.coords, lead=(len(X),), members=True
    )
    with np.errstate(all="ignore"):
        F = kernel(X, values)
    finite(num, "flow", F, X, kernel.params, values, member=not single)
    return X.copy(), single, values
