r"""The ODE driver: every numeric integration of symgrad goes through scipy's ``solve_ivp`` here.

(Not the JAX backend: :mod:`symgrad.numeric._jax` uses diffrax, with the checks and :class:`_Ensemble` here.)

:func:`trajectory` solves one system ``dy/dt = f(t, y)`` and reports a failed
or non-finite integration as an error of the caller's kind; :func:`geodesic
<symgrad.geodesic>` and :meth:`HamiltonianFlow.integrate
<symgrad.HamiltonianFlow.integrate>` use it.

:meth:`NumericFlow.integrate <symgrad.NumericFlow.integrate>` hands its checked
initial points and parameter values to :func:`integrate`, which solves one
point or a whole ensemble as one vectorised system.  A terminal event, the
smallest distance of an active member's bounded coordinates to their bounds,
finds where a member leaves the chart's domain; that member is frozen (its
derivative is zero from then on, its state pinned inside the domain) and the
solver restarts from that time for the others.  The segments are joined into
one :class:`FlowSolution`, with a status and a message per trajectory;
:meth:`NumericFlow.iterate <symgrad.NumericFlow.iterate>` returns one too
(:func:`solution`).

The arguments of every integration are checked once, before ``solve_ivp``
sees them, by :mod:`symgrad.numeric._arguments` (times, tolerances, step
counts, the method and the solver's options).

This module depends on nothing in symgrad but :mod:`symgrad.errors` and
:mod:`symgrad.numeric._params` and ``_arguments``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from ..errors import ArgumentTypeError, DimensionError
from . import _arguments
from ._arguments import times, tolerances
from ._params import fmt

#: Status codes of a trajectory in a :class:`FlowSolution`.
REACHED_END, LEFT_DOMAIN, EVENT, FAILED = 0, 1, 2, -1

#: Options of ``solve_ivp`` that :meth:`NumericFlow.integrate` sets itself.
_OWN_OPTIONS = {"fun", "t_span", "y0", "args"}

#: Implicit methods: for an ensemble they get a block-diagonal Jacobian sparsity.
_SPARSE_METHODS = {"Radau", "BDF"}


# -- solutions -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FlowSolution:
    """Trajectories of a flow: the result of :meth:`NumericFlow.integrate` and :meth:`NumericFlow.iterate`.

    Attributes
    ----------
    t : numpy.ndarray, shape (time,)
        The reported times (``t_eval``, or the solver's steps), up to the time
        the last trajectory stopped.
    y : numpy.ndarray, shape (time, dim) or (ensemble, time, dim)
        After a trajectory stops, ``y`` holds its last state in the domain.
    status : int or numpy.ndarray of int, shape (ensemble,)
        0 reached the end, 1 left the chart's domain, 2 stopped by a terminal
        event, -1 the solver failed (or the flow was not finite).
    message : str or list of str
        Why each trajectory stopped, in words.
    t_stop : float or numpy.ndarray, shape (ensemble,)
        When each trajectory stopped.
    nfev : int
        Evaluations of the flow (of the whole ensemble at once).
    t_events, y_events : list of arrays, or None
        Times and states of the events passed to ``integrate``, if any.
    sol : callable or None
        With ``dense_output=True``: ``sol(t)`` interpolates the trajectories,
        shaped like ``y`` (a scalar ``t`` drops the time axis).

    Examples
    --------
    >>> import symgrad as sg
    >>> one = sg.catalog.one_dimensional()
    >>> num = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta).numeric(one.X, params={one.eta: 1})
    >>> sol = num.integrate([[2.0], [3.0]], t_span=(0, 1))
    >>> sol.success, sol.message[0]
    (array([ True,  True]), 'reached the end of t_span (t=1)')
    """

    t: np.ndarray
    y: np.ndarray
    status: Any
    message: Any
    t_stop: Any
    nfev: int = 0
    t_events: Any = None
    y_events: Any = None
    sol: Any = None

    @property
    def success(self):
        """Whether each trajectory ran without a solver failure (``status >= 0``), as in ``solve_ivp``."""
        ok = np.asarray(self.status) >= 0
        return bool(ok) if ok.ndim == 0 else ok

    def __repr__(self):
        status = np.atleast_1d(self.status)
        counts = {int(s): int(c) for s, c in zip(*np.unique(status, return_counts=True))}
        shape = "x".join(map(str, self.y.shape))
        span = f"{self.t[0]:.4g}..{self.t[-1]:.4g}" if self.t.size else "empty"
        return f"FlowSolution(y: {shape}, t: {span}, status counts {counts})"


def solution(t, y, status, message, t_stop, single, **extras):
    """A :class:`FlowSolution` from per-member arrays; ``single`` drops the ensemble axis."""
    if single:
        return FlowSolution(t, y[0], int(status[0]), message[0], float(t_stop[0]), **extras)
    return FlowSolution(t, y, status, list(message), t_stop, **extras)


# -- the driver ------------------------------------------------------------------------------


def _solve(fun, t_span, y0, **options):
    """Call scipy's ``solve_ivp``: the one place symgrad does."""
    return solve_ivp(fun, t_span, y0, **options)


def trajectory(
    fun: Callable,
    y0,
    t_span: tuple[float, float],
    t_eval=None,
    *,
    what: str,
    error: type[Exception],
    **options,
) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``dy/dt = fun(t, y)`` from ``y0`` over ``t_span``: the times and the states.

    Parameters
    ----------
    fun : callable
        ``fun(t, y)`` for ``y`` of shape (size,), returning shape (size,).
    y0 : array_like, shape (size,)
    t_span : (float, float)
    t_eval : array_like, optional
        Times to report; by default the solver's steps.
    what : str
        The trajectory, as a failure's message names it (``"the geodesic from [1.0]"``).
    error : type
        The error raised when the solver fails or the state stops being finite.
    **options
        Passed to ``solve_ivp`` (``method``, ``rtol``, ``atol``, ``max_step``, ``events``, ...).

    Returns
    -------
    t : numpy.ndarray, shape (time,)
    y : numpy.ndarray, shape (time, size)

    Examples
    --------
    >>> import numpy as np
    >>> from symgrad.numeric._ivp import trajectory
    >>> t, y = trajectory(lambda t, y: -y, [1.0], (0, 1), t_eval=[0, 1], what="decay", error=RuntimeError,
    ...                   rtol=1e-10, atol=1e-12)
    >>> bool(np.isclose(y[-1, 0], np.exp(-1)))
    True
    """
    bad = _OWN_OPTIONS & set(options)
    if bad:
        raise ArgumentTypeError(
            f"{what}: the integration sets {', '.join(sorted(bad))} itself; pass parameter values with params={{...}}"
        )
    t_span, t_eval = times(t_span, t_eval)
    solver = options.pop("method", "RK45")
    options = {**_arguments.solver_options(solver, options, what), "method": solver}
    if "rtol" in options or "atol" in options:
        options["rtol"], options["atol"] = tolerances(options.get("rtol", 1e-3), options.get("atol", 1e-6))
    y0 = np.asarray(y0, dtype=float)
    with np.errstate(all="ignore"):
        f0 = np.asarray(fun(t_span[0], y0), dtype=float)
        if not np.all(np.isfinite(f0)):
            raise error(f"{what} could not be integrated: its derivative is not finite at the start, y={y0.tolist()}")
        sol = _solve(fun, t_span, y0, t_eval=t_eval, **options)
    y = np.asarray(sol.y, dtype=float).T
    if not sol.success:
        raise error(f"{what} could not be integrated: {sol.message}")
    finite = np.all(np.isfinite(y), axis=1)
    if not finite.all():
        t_bad = fmt(sol.t[int(np.argmin(finite))])
        raise error(f"{what} could not be integrated: the state is not finite at t={t_bad}")
    return np.asarray(sol.t, dtype=float), y.copy()


# -- integration machinery -------------------------------------------------------------------


def integrate(num, X0, single, values, t_span, t_eval, method, per_member, options):
    """Integrate an ensemble in segments of ``solve_ivp``, restarting after each domain exit."""
    n, dim = X0.shape
    shape = (dim,) if single else (n, dim)
    (t0, t1), t_eval = times(t_span, t_eval)
    sign = 1.0 if t1 >= t0 else -1.0
    options, user_events, dense = _solver_options(options, n, dim, shape, method, per_member)
    ens = _Ensemble(num, n, dim, values, t1)
    domain_event = ens.domain_event() if num._bounds or num._limits is not None else None
    events = user_events + ([domain_event] if domain_event else [])

    y_start, t_start = X0.ravel().copy(), t0
    ts, ys, pieces, nfev = [], [], [], 0
    t_events, y_events = [[] for _ in user_events], [[] for _ in user_events]
    while True:
        first = not ts
        seg_eval = t_eval if t_eval is None or first else t_eval[sign * t_eval > sign * t_start]
        sol = _solve(
            ens.rhs,
            (t_start, t1),
            y_start,
            method=method,
            t_eval=seg_eval,
            events=events or None,
            dense_output=dense,
            **options,
        )
        nfev += sol.nfev
        keep = slice(None) if first or t_eval is not None else slice(1, None)  # no repeated restart
        # (with t_eval, a segment that stops before its first point reports empty lists)
        ts.append(np.asarray(sol.t, dtype=float)[keep])
        ys.append(np.asarray(sol.y, dtype=float).reshape(n * dim, -1)[:, keep])
        if dense:
            pieces.append(sol.sol)
        for k in range(len(user_events)):
            t_events[k].append(sol.t_events[k])
            y_events[k].append(sol.y_events[k].reshape((-1,) + shape))
        if sol.status == -1:
            t_fail = ts[-1][-1] if ts[-1].size else t_start
            text = f"the solver failed at t={fmt(t_fail)}: {sol.message}"
            if ens.singular is not None:
                text += f"; the flow is not finite at {num._at(*ens.singular)}, inside the domain"
            ens.stop_active(FAILED, t_fail, text)
            break
        if sol.status == 0:
            break
        # a terminal event stopped this segment, at the last root found in its last step
        t_end = max(float(te[-1]) for te in sol.t_events if te.size)
        if domain_event is not None and sol.t_events[-1].size and sol.t_events[-1][-1] == t_end:
            t_start, y_start = t_end, sol.y_events[-1][-1].copy()
            if not ens.freeze_exited(y_start, t_start):
                text = f"the domain event fired at t={fmt(t_end)} but no member is at a boundary"
                ens.stop_active(FAILED, t_end, text)
                break
            if ts[-1].size and ts[-1][-1] == t_start:
                ys[-1][:, -1] = y_start  # report the state at the crossing pinned inside, like later ones
        stopped_by = [
            k
            for k, ev in enumerate(user_events)
            if ev.terminal and sol.t_events[k].size and sol.t_events[k][-1] == t_end
        ]
        if stopped_by:
            text = f"stopped by terminal event {stopped_by[0]} of events at t={fmt(t_end)}"
            ens.stop_active(EVENT, t_end, text)
            break
        if ens.frozen.all() or sign * (t1 - t_start) <= 0:
            break
    t = np.concatenate(ts)
    y = np.concatenate(ys, axis=1).reshape(n, dim, -1).transpose(0, 2, 1)
    extras = {"nfev": nfev}
    if user_events:
        extras["t_events"] = [np.concatenate(te) for te in t_events]
        extras["y_events"] = [np.concatenate(ye) for ye in y_events]
    if dense:
        extras["sol"] = _DenseSolution(pieces, shape)
    return solution(t, y, ens.status, ens.message, ens.t_stop, single, **extras)


def _solver_options(options, n, dim, shape, method, per_member):
    """The ``solve_ivp`` options: tolerances, Jacobian structure; user events and dense output apart."""
    bad = _OWN_OPTIONS & set(options)
    if bad:
        raise ArgumentTypeError(
            f"integrate sets {', '.join(sorted(bad))} itself; pass parameter values with params={{...}}"
        )
    options = _arguments.solver_options(method, options)
    options["rtol"], options["atol"] = _tolerances(options, n, dim, shape, scale=per_member and n > 1)
    user_events = _user_events(options.pop("events", None), shape)
    dense = bool(options.pop("dense_output", False))
    name = getattr(method, "__name__", method)
    if n > 1 and not {"jac", "jac_sparsity", "lband", "uband"} & set(options):
        if name in _SPARSE_METHODS:
            from scipy.sparse import block_diag

            options["jac_sparsity"] = block_diag([np.ones((dim, dim))] * n, format="csr")
        elif name == "LSODA":
            options["lband"] = options["uband"] = dim - 1
    return options, user_events, dense


def _tolerances(options, n, dim, shape, scale):
    rtol, atol = tolerances(options.pop("rtol", 1e-8), options.pop("atol", 1e-10))
    atol = np.asarray(atol)
    try:
        atol = np.broadcast_to(atol, (n, dim)).ravel() if atol.ndim else float(atol)
    except ValueError:
        raise DimensionError(
            f"atol must be a number, one per coordinate (shape ({dim},)) or shaped like x0 "
            f"{shape}; got shape {atol.shape}"
        ) from None
    if scale:
        rtol, atol = rtol / math.sqrt(n), atol / math.sqrt(n)
    return rtol, atol


def _user_events(events, shape):
    if events is None:
        return []
    if callable(events):
        events = [events]
    wrapped = []
    for ev in events:

        def g(t, y, ev=ev):
            return ev(t, y.reshape(shape))

        g.terminal = getattr(ev, "terminal", False)
        g.direction = getattr(ev, "direction", 0)
        wrapped.append(g)
    return wrapped


class _Ensemble:
    """The members of an integration: the right-hand side, who is frozen, and why each stopped."""

    def __init__(self, num, n, dim, values, t_end):
        self.num, self.n, self.dim, self.values = num, n, dim, values
        self.kernel = num._kernel("flow")
        self.frozen = np.zeros(n, dtype=bool)
        self.singular = None
        self.status = np.full(n, REACHED_END)
        self.t_stop = np.full(n, t_end)
        self.message = [f"reached the end of t_span (t={fmt(t_end)})"] * n

    def stop_active(self, code, t, text):
        """Record that every member not frozen yet stopped at ``t`` (the integration ends)."""
        for j in np.flatnonzero(~self.frozen):
            self.stop(j, code, t, text)

    def stop(self, j, code, t, text):
        """Record that member ``j`` stopped at ``t``, with the status ``code`` and the message ``text``."""
        self.status[j], self.t_stop[j], self.message[j] = code, t, text

    def _flow(self, Y, values):
        return self.kernel(Y, values)

    def rhs(self, t, y):
        vectorized = y.ndim == 2
        Y = np.moveaxis(y.reshape(self.n, self.dim, -1), -1, 0) if vectorized else y.reshape(self.n, self.dim)
        with np.errstate(all="ignore"):
            F = self._flow(Y, self.values)
            bad = ~np.all(np.isfinite(F), axis=-1)
            if bad.any():
                self._extend(Y, F, bad)
        F[..., self.frozen, :] = 0.0
        if vectorized:
            return np.moveaxis(F, 0, -1).reshape(self.n * self.dim, -1)
        return F.reshape(-1)

    def _extend(self, Y, F, bad):
        """Outside the domain, where the flow is not finite: the flow at the nearest boundary point, or 0."""
        num = self.num
        outside = bad & ~num.contains(Y)
        inside = bad & ~outside & ~np.broadcast_to(self.frozen, bad.shape)
        if inside.any() and self.singular is None:  # the point and the parameter values there
            at = tuple(np.argwhere(inside)[0])
            values = [np.broadcast_to(v, bad.shape)[at] for v in self.values]
            self.singular = (Y[at].copy(), list(zip(self.kernel.params, values)))
        if outside.any():
            clipped = np.clip(Y[outside], num._lo, num._hi)
            vals = [v if np.ndim(v) == 0 else np.broadcast_to(v, bad.shape)[outside] for v in self.values]
            G = self._flow(clipped, vals)
            G[~np.all(np.isfinite(G), axis=-1)] = 0.0
            F[outside] = G

    def distance(self, Y):
        """The smallest distance of each member to its bounds, or margin of a restriction (< 0 outside).

        A restriction ``g < h`` has the margin ``h - g``.
        """
        d = self._box_distance(Y)
        if self.num._limits is not None:
            d = np.minimum(d, np.nan_to_num(self.num._limits(Y).min(axis=-1), nan=-1.0))
        return d

    def _box_distance(self, Y):
        d = np.full(Y.shape[:-1], np.inf)
        for i, lo, hi, _, _ in self.num._bounds:
            if math.isfinite(lo):
                d = np.minimum(d, Y[..., i] - lo)
            if math.isfinite(hi):
                d = np.minimum(d, hi - Y[..., i])
        return d

    def domain_event(self):
        def leaves_domain(t, y):
            d = self.distance(y.reshape(self.n, self.dim))
            d[self.frozen] = np.inf
            return float(d.min())

        leaves_domain.terminal = True
        leaves_domain.direction = -1
        return leaves_domain

    def freeze_exited(self, y, t):
        """Freeze the members at a boundary in the flat state ``y`` (pinned inside, in place).

        Returns the number of members frozen.
        """
        Y = y.reshape(self.n, self.dim)
        d = self.distance(Y)
        d[self.frozen] = np.inf
        exited = np.flatnonzero(~self.frozen & (d <= max(d.min(), 0.0)))
        for j in exited:
            self.frozen[j] = True
            self.leave(j, Y, t)
        return len(exited)

    def leave(self, j, Y, t):
        """Member ``j`` left the domain at ``t``: ``Y[j]`` pinned inside (in place), the boundary named."""
        limits = self.num._limits
        margins = limits(Y[j]) if limits is not None else ()
        self.status[j], self.t_stop[j] = LEFT_DOMAIN, t
        if len(margins) and margins.min() <= self._box_distance(Y[j]):
            reached = limits.restrictions[int(np.argmin(margins))]
            Y[j] = limits.pin(Y[j])  # pin the state just inside the restriction it reached
            self.message[j] = (
                f"left the domain of chart {self.num.chart.name!r}: reached the boundary of {reached} at t={fmt(t)}"
            )
            return
        i, bound, lower, is_open = self._nearest_bound(Y[j])
        # pin the state inside the domain, within rounding of the crossing
        eps = np.finfo(float).eps * max(1.0, abs(bound)) if is_open else 0.0
        Y[j, i] = max(Y[j, i], bound + eps) if lower else min(Y[j, i], bound - eps)
        self.message[j] = (
            f"left the domain of chart {self.num.chart.name!r}: {self.num.coords[i]} reached "
            f"the boundary {fmt(bound)} at t={fmt(t)}"
        )

    def _nearest_bound(self, point):
        """``(coordinate index, bound, is it a lower bound, is it open)`` of the bound nearest ``point``."""
        best = (np.inf, None)
        for i, lo, hi, lo_open, hi_open in self.num._bounds:
            for dist, record in (
                (point[i] - lo, (i, lo, True, lo_open)),
                (hi - point[i], (i, hi, False, hi_open)),
            ):
                if math.isfinite(record[1]) and dist < best[0]:
                    best = (dist, record)
        return best[1]


class _DenseSolution:
    """The piecewise dense output of a restarted integration, shaped like ``x0``."""

    def __init__(self, pieces, shape):
        self._pieces = pieces
        self._shape = shape

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        flat = t.reshape(-1)
        out = np.empty((flat.size, int(np.prod(self._shape))))
        for k, tk in enumerate(flat):
            piece = next(
                (p for p in self._pieces if min(p.t_min, p.t_max) <= tk <= max(p.t_min, p.t_max)),
                self._pieces[-1],
            )
            out[k] = piece(tk)
        out = out.reshape(t.shape + self._shape)
        # like y: (time, dim) for one trajectory, (ensemble, time, dim) for an ensemble
        return np.moveaxis(out, 0, 1) if t.ndim == 1 and len(self._shape) == 2 else out
