r"""Numeric gradient flows: vectorised evaluation, integration and discrete steps.

A :class:`NumericFlow` turns the closed form of a flow :math:`\dot x = -\eta\,
G(x)^{-1} dC(x)` in one chart into numpy code: one ``lambdify`` with
common-subexpression elimination per object (flow, metric, cost), evaluated on
arrays of points of shape ``(..., dim)``, block by block so that large arrays
run from the processor's cache.  Parameters (symbols that are no coordinate)
are either bound to numbers once, when the numeric flow is made, or left free
and passed by name at each call.

:meth:`NumericFlow.integrate` solves the flow with scipy's ``solve_ivp``, one
initial point or an ensemble of them in one vectorised system, and stops a
trajectory that leaves the chart's domain with a status that says so;
:meth:`NumericFlow.step` and :meth:`NumericFlow.iterate` are the discrete rule
:math:`x \leftarrow x - \eta\, G^{-1} dC`.  Both drivers return a
:class:`FlowSolution`.

The pieces live in private modules: the chunked ``lambdify`` kernels in
:mod:`symgrad.numeric._kernels`, the checks of parameter values in
:mod:`symgrad.numeric._params`, those of points and computed values in
:mod:`symgrad.numeric._validate`, and :class:`FlowSolution` with the ``solve_ivp``
machinery (and the checks of times and tolerances) in :mod:`symgrad.numeric._ivp`;
:class:`FlowSolution` is importable from here.

Examples
--------
>>> import numpy as np
>>> import sympy as sp
>>> import symgrad as sg
>>> g = sg.catalog.gaussian_kl()
>>> eta = sp.Symbol("eta", positive=True)
>>> num = sg.GradientFlow(g.cost, g.fisher, rate=eta).numeric(g.std, params={eta: 1})
>>> num(np.array([[4.0, 2.0], [3.0, 1.0]]))
array([[0., 0.],
       [1., 2.]])
>>> sol = num.integrate([0.0, 1.0], t_span=(0, 20))
>>> np.round(sol.y[-1], 6), sol.status
(array([4., 2.]), 0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from ..core._immutable import Immutable
from ..core.tensors import Vector
from ..errors import ArgumentTypeError
from . import _arguments, _ivp, _jax, _kernels, _params, _solve, _validate
from ._ivp import FAILED, LEFT_DOMAIN, REACHED_END, FlowSolution

__all__ = ["NumericFlow", "FlowSolution"]


def _name(symbol):
    return symbol.name


# -- the numeric flow ------------------------------------------------------------------------


class NumericFlow(Immutable):
    r"""A gradient flow as vectorised numpy code, with its metric and cost: :math:`\dot x = f(x)`.

    Made by :meth:`GradientFlow.numeric <symgrad.GradientFlow.numeric>`.  The
    flow's components in ``chart`` are lambdified once, with
    common-subexpression elimination; every call evaluates them on a whole
    array of points (in blocks of :data:`~symgrad.numeric._kernels.CHUNK` points, whose temporaries stay
    in the cache: at 10^6 points this runs about twice as fast as the same
    formula written as one numpy expression).

    Parameters
    ----------
    flow : GradientFlow or Vector
        The vector field.  A plain :class:`~symgrad.Vector` works too, without
        :meth:`metric`, :meth:`inverse_metric` and :meth:`cost`.
    chart : Chart, optional
        The chart whose coordinates the arrays hold (default: the flow's chart).
    params : dict, optional
        Parameter values bound once: ``{symbol or name: number}``.  Bound
        values are substituted exactly before lambdifying (``eta = 1`` costs
        nothing at run time).  Parameters left out are free: pass them by name
        at each call, as numbers or arrays that broadcast with the points.
    check : bool, default True
        Check at each call that the points lie in the chart's domain (one
        min/max reduction per bounded coordinate) and that the values are
        finite; False skips both checks (a value may then be NaN or infinite).

    Attributes
    ----------
    flow, chart
    coords : tuple of sympy.Symbol
        The chart's coordinates, the order of the last axis of every array.
    dim : int
    params : mapping
        The bound parameters, ``{Symbol: sympy number}`` (read-only).
    free_params : tuple of sympy.Symbol
        The unbound parameters of the flow, its metric and its cost, sorted by name.
    check : bool

    Raises
    ------
    UnknownParameterError
        A bound parameter is not a symbol of the flow, its metric or its cost.
    ParameterValueError
        A bound value is not a finite real number, or lies outside the range
        the parameter's assumptions allow (a negative value for a positive symbol).
    NumericParameterError
        Two free parameters, or a free parameter and a coordinate, share a name.

    Notes
    -----
    Shapes: :meth:`__call__` maps ``(..., dim)`` to ``(..., dim)``,
    :meth:`metric` and :meth:`inverse_metric` to ``(..., dim, dim)`` and
    :meth:`cost` to ``(...)``; arrays given for free parameters broadcast with
    the leading axes ``...``.  Constant and zero components are broadcast too.
    The inverse metric is computed numerically, ``np.linalg.inv`` of the
    lambdified metric, point by point.

    Examples
    --------
    >>> import numpy as np
    >>> import symgrad as sg
    >>> one = sg.catalog.one_dimensional()
    >>> flow = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)
    >>> num = flow.numeric(one.X)
    >>> num.free_params
    (eta,)
    >>> num(np.array([[2.0], [0.5]]), eta=0.5)
    array([[-1. ],
           [ 0.5]])
    >>> num.metric([2.0], eta=0.5), float(num.cost([2.0]))
    (array([[1.]]), 1.0)
    """

    def __init__(self, flow: Vector, chart=None, params: Mapping | None = None, *, check: bool = True):
        if not isinstance(flow, Vector):
            raise ArgumentTypeError(f"NumericFlow takes a GradientFlow or a Vector, got {type(flow).__name__}")
        chart = flow.chart if chart is None else chart
        self.flow = flow
        self.chart = chart
        self.coords = tuple(chart.coords)
        self.dim = chart.dim
        self.check = bool(check)
        metric = getattr(flow, "metric", None)
        cost = getattr(flow, "cost", None)
        self._solved = getattr(flow, "solve", None) == "numeric"  # G v = -eta dC solved at each point
        # a mean over an input by adaptive quadrature has its components as definite integrals, which the
        # kernel computes where they are evaluated (and which have no closed form to show)
        field = getattr(flow, "integrals", flow)
        exprs = {"flow": _solve.flow_entries(flow, chart) if self._solved else list(field.components(chart))}
        if metric is not None:
            exprs["metric"] = list(metric.components(chart))
        if cost is not None:
            exprs["cost"] = [cost.components(chart)]
        rate = getattr(flow, "rate", sp.Integer(1))  # its symbols count even where the flow is zero
        symbols = set().union(rate.free_symbols, *(e.free_symbols for es in exprs.values() for e in es))
        symbols -= set(self.coords)
        limits = set().union(*(r.free_symbols for r in chart.restrictions)) - set(self.coords)
        of = f"the flow, its metric or its cost in chart {chart.name!r}"
        coordinates = set(self.coords) | set(getattr(chart.manifold, "coordinates", ()))
        self.params = MappingProxyType(_params.bind(params, symbols | limits, of=of, coordinates=coordinates))
        # the chart's restrictions (their parameters bound), or None
        self._limits = _validate.Limits(chart, self.params) if chart.restrictions else None
        self.free_params = tuple(sorted(symbols - set(self.params), key=_name))
        _params.check_names(self.coords, self.free_params)
        self._exprs = exprs  # the bound values are put in when a kernel is first needed
        self._kernels = {}
        self._kernel("flow")
        self._bounds = [
            (i, float(iv.start), float(iv.end), bool(iv.left_open), bool(iv.right_open))
            for i, iv in enumerate(chart.domain[c] for c in self.coords)
            if iv.start.is_finite or iv.end.is_finite
        ]
        lo = [float(chart.domain[c].start) for c in self.coords]
        hi = [float(chart.domain[c].end) for c in self.coords]
        self._lo, self._hi = np.array(lo), np.array(hi)

    # -- construction helpers ----------------------------------------------------------------

    def _kernel(self, which):
        if which not in self._kernels:
            if which not in self._exprs:
                raise ArgumentTypeError(
                    f"this numeric flow has no {which}: it was made from a "
                    f"{type(self.flow).__name__}, not a GradientFlow"
                )
            exprs = [e.xreplace(self.params) for e in self._exprs[which]] if self.params else self._exprs[which]
            kernel = _solve.SolveKernel if which == "flow" and self._solved else _kernels.Kernel
            self._kernels[which] = kernel(exprs, self.coords, self.free_params)
        return self._kernels[which]

    def __repr__(self):
        bound = ", ".join(f"{s}={v}" for s, v in sorted(self.params.items(), key=lambda kv: kv[0].name))
        free = ", ".join(map(str, self.free_params))
        return f"NumericFlow(chart {self.chart.name!r}: {self.coords}; bound: {{{bound}}}; free: ({free}))"

    # -- evaluation --------------------------------------------------------------------------

    def _points(self, X, what="X"):
        return _params.points(X, self.coords, what)

    def _in_bounds(self, X):
        """Whether every point of ``X`` lies in the domain's bounds: one reduction per bound."""
        if not X.size:
            return True
        for i, lo, hi, lo_open, hi_open in self._bounds:
            col = X[..., i]
            if math.isfinite(lo):
                m = col.min()
                if not (m > lo if lo_open else m >= lo):  # NaN fails too
                    return False
            if math.isfinite(hi):
                m = col.max()
                if not (m < hi if hi_open else m <= hi):
                    return False
        return True

    def _evaluate(self, which, X, params):
        X = self._points(X)
        kernel = self._kernel(which)
        lead = X.shape[:-1]
        values = _params.call_values(kernel.params, params, self.free_params, self.params, self.coords, lead=lead)
        if not self.check:
            return kernel(X, values)

        def check(block):
            if not (self._in_bounds(block) and np.isfinite(block).all()):
                _validate.outside(self, X)
            if self._limits is not None and not self._limits.inside(block).all():
                _validate.outside(self, X)

        with np.errstate(all="ignore"):
            out = kernel(X, values, check)
        _solve.check_singular(self, kernel, out, X, values)
        _validate.finite(self, which, out, X, kernel.params, values)
        return out

    def __call__(self, X: ArrayLike, /, **params: ArrayLike) -> np.ndarray:
        r"""The flow :math:`\dot x = -\eta\, G^{-1} dC` at the points ``X``.

        Parameters
        ----------
        X : array_like, shape (..., dim)
            Points, the last axis in the order of :attr:`coords`.
        **params : float or array_like
            Values of the free parameters, by name; arrays broadcast with ``X[..., 0]``.

        Returns
        -------
        numpy.ndarray, shape (..., dim)

        Raises
        ------
        ArgumentTypeError, DimensionError
            ``X`` holds no real numbers (strings, bools, complex numbers), or
            has the wrong shape; a parameter's array does not broadcast with it.
        DomainError
            A point is not finite or lies outside the chart's domain (when :attr:`check` is on).
        NumericValueError
            The flow is not finite at a point (when :attr:`check` is on); the
            message names the point and the parameter values.
        UnboundParameterError, ParameterValueError
            A free parameter the flow uses was not passed, or its value is no real number (a bool).

        Examples
        --------
        >>> import symgrad as sg
        >>> g = sg.catalog.gaussian_kl()
        >>> num = sg.GradientFlow(g.cost, g.fisher).numeric(g.variance)
        >>> num([[4.0, 4.0], [3.0, 1.0]])
        array([[0., 0.],
               [1., 4.]])
        """
        return self._evaluate("flow", X, params)

    def metric(self, X: ArrayLike, /, **params: ArrayLike) -> np.ndarray:
        """The metric's components at the points ``X``.

        Parameters
        ----------
        X : array_like, shape (..., dim)
        **params : float or array_like

        Returns
        -------
        numpy.ndarray, shape (..., dim, dim)

        Examples
        --------
        >>> import symgrad as sg
        >>> g = sg.catalog.gaussian_kl()
        >>> sg.GradientFlow(g.cost, g.fisher).numeric(g.std).metric([0.0, 2.0])
        array([[0.25, 0.  ],
               [0.  , 0.5 ]])
        """
        out = self._evaluate("metric", X, params)
        return out.reshape(out.shape[:-1] + (self.dim, self.dim))

    def inverse_metric(self, X: ArrayLike, /, **params: ArrayLike) -> np.ndarray:
        """The inverse of the metric at the points ``X``, computed numerically.

        ``np.linalg.inv`` of :meth:`metric`, point by point; the metric is
        positive definite on the domain, so the inverse exists there.

        Returns
        -------
        numpy.ndarray, shape (..., dim, dim)

        Examples
        --------
        >>> import symgrad as sg
        >>> g = sg.catalog.gaussian_kl()
        >>> sg.GradientFlow(g.cost, g.fisher).numeric(g.std).inverse_metric([0.0, 2.0])
        array([[4., 0.],
               [0., 2.]])
        """
        return np.linalg.inv(self.metric(X, **params))

    def cost(self, X: ArrayLike, /, **params: ArrayLike) -> np.ndarray:
        """The cost at the points ``X``.

        Returns
        -------
        numpy.ndarray, shape (...)
            A numpy float for a single point.

        Examples
        --------
        >>> import symgrad as sg
        >>> g = sg.catalog.gaussian_kl()
        >>> num = sg.GradientFlow(g.cost, g.fisher).numeric(g.std)
        >>> float(num.cost([4.0, 2.0]))
        0.0
        """
        return self._evaluate("cost", X, params)[..., 0][()]

    def contains(self, X: ArrayLike) -> np.ndarray:
        """Whether each point lies in the chart's domain (finite, inside every interval and restriction).

        Parameters
        ----------
        X : array_like, shape (..., dim)

        Returns
        -------
        numpy.ndarray of bool, shape (...)

        Examples
        --------
        >>> import symgrad as sg
        >>> g = sg.catalog.gaussian_kl()
        >>> sg.GradientFlow(g.cost, g.fisher).numeric(g.std).contains([[0.0, 1.0], [0.0, -1.0]])
        array([ True, False])
        """
        X = self._points(X)
        ok = np.all(np.isfinite(X), axis=-1)
        for i, lo, hi, lo_open, hi_open in self._bounds:
            col = X[..., i]
            if math.isfinite(lo):
                ok &= col > lo if lo_open else col >= lo
            if math.isfinite(hi):
                ok &= col < hi if hi_open else col <= hi
        return ok & self._limits.inside(X) if self._limits is not None else ok

    # -- discrete steps ----------------------------------------------------------------------

    def step(self, X: ArrayLike, /, dt: float = 1.0, **params: ArrayLike) -> np.ndarray:
        r"""One step of the discrete rule :math:`x \leftarrow x - \eta\, G^{-1} dC`: ``X + dt * f(X)``.

        The rate :math:`\eta` is part of the flow already; ``dt`` scales it.

        Parameters
        ----------
        X : array_like, shape (..., dim)
        dt : float, default 1
        **params : float or array_like

        Returns
        -------
        numpy.ndarray, shape (..., dim)
            The new points; they may lie outside the domain (see :meth:`iterate`).

        Examples
        --------
        >>> import symgrad as sg
        >>> one = sg.catalog.one_dimensional()
        >>> num = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta).numeric(one.X)
        >>> num.step([2.0], dt=0.25, eta=1.0)
        array([1.5])
        """
        X = self._points(X)
        return X + dt * self(X, **params)

    def iterate(self, x0: ArrayLike, n_steps: int, dt: float = 1.0, params: Mapping | None = None) -> FlowSolution:
        r"""Iterate the discrete rule :math:`x_{k+1} = x_k + dt\, f(x_k)` from ``x0``.

        A member whose next point would leave the chart's domain (or whose
        flow is not finite) stops: its path keeps the last point in the
        domain, and its status says why and when.

        Parameters
        ----------
        x0 : array_like, shape (dim,) or (ensemble, dim)
        n_steps : int
            At least 1 (an ``int`` or a numpy integer).
        dt : float, default 1
        params : dict, optional
            Values of the free parameters, ``{name or symbol: value}``; arrays
            broadcast with the ensemble axis.

        Returns
        -------
        FlowSolution
            ``t = dt * arange(n_steps + 1)``; ``y`` of shape ``(n_steps + 1, dim)``
            or ``(ensemble, n_steps + 1, dim)``; status 0 (all steps done), 1
            (stopped at the domain's boundary) or -1 (the flow was not finite).

        Raises
        ------
        DomainError
            A point of ``x0`` is not finite or lies outside the domain.
        NumericValueError
            The flow is not finite at a point of ``x0``.
        ArgumentTypeError, DimensionError
            ``n_steps`` is no integer >= 1; ``x0`` is empty or no array of real numbers.
        NumericValueError
            ``dt`` is not a finite number.

        Examples
        --------
        >>> import numpy as np
        >>> import symgrad as sg
        >>> one = sg.catalog.one_dimensional()
        >>> num = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta).numeric(one.X)
        >>> path = num.iterate([2.0], n_steps=3, dt=0.25, params={"eta": 1.0})
        >>> path.y[:, 0], path.status
        (array([2.   , 1.5  , 1.25 , 1.125]), 0)
        >>> print(num.iterate([2.0], n_steps=3, dt=2.0, params={"eta": 1.0}).message)
        stopped at step 0 (t=0): step 1 leaves the domain of chart 'x' (x = -2 is outside Interval.open(0, oo))
        """
        n_steps, dt = _arguments.steps(n_steps), _arguments.number(dt, "dt")
        x0, single, values = _validate.start(self, x0, params)
        n = len(x0)
        y = np.empty((n, n_steps + 1, self.dim))
        y[:, 0] = X = x0
        t = dt * np.arange(n_steps + 1)
        status = np.full(n, REACHED_END)
        t_stop = np.full(n, t[-1])
        message = [f"reached step {n_steps} (t={_params.fmt(t[-1])})"] * n
        active = np.ones(n, dtype=bool)
        kernel = self._kernel("flow")
        for k in range(1, n_steps + 1):
            with np.errstate(all="ignore"):
                F = kernel(X, values)
                Xn = X + dt * F
            finite = np.all(np.isfinite(F), axis=-1)
            ok = finite & self.contains(Xn)
            for j in np.flatnonzero(active & ~ok):
                status[j], t_stop[j] = (LEFT_DOMAIN if finite[j] else FAILED), t[k - 1]
                why = (
                    f"step {k} leaves the domain of chart {self.chart.name!r} ({self._why_outside(Xn[j])})"
                    if finite[j]
                    else f"the flow is not finite at {self._at(X[j], self._member(values, j, n))}"
                )
                message[j] = f"stopped at step {k - 1} (t={_params.fmt(t[k - 1])}): {why}"
            active &= ok
            X = np.where(active[:, None], Xn, X)
            y[:, k] = X
        return _ivp.solution(t, y, status, message, t_stop, single)

    # -- integration -------------------------------------------------------------------------

    def _at(self, point, free=()):
        return _validate.at(self, point, free)

    def _member(self, values, j, n):
        """The ``(symbol, value)`` pairs of the free parameters the flow uses, for member ``j`` of ``n``."""
        return [(p, np.broadcast_to(v, (n,))[j]) for p, v in zip(self._kernel("flow").params, values)]

    def _why_outside(self, point):
        return _validate.why_outside(self, point)

    def integrate(
        self,
        x0: ArrayLike,
        t_span: tuple[float, float],
        t_eval: ArrayLike | None = None,
        method="RK45",
        *,
        params: Mapping | None = None,
        per_member: bool = True,
        backend: str = "scipy",
        **options,
    ) -> FlowSolution:
        r"""Solve the flow :math:`\dot x = f(x)` from ``x0`` with scipy's ``solve_ivp``, or with JAX and diffrax.

        Parameters
        ----------
        x0 : array_like, shape (dim,) or (ensemble, dim)
            One initial point, or an ensemble integrated in one vectorised system.
        t_span : (float, float)
        t_eval : array_like, optional
            Times to report; by default the solver's steps.
        method : str or scipy OdeSolver, default "RK45"
            JAX: ``"RK45"`` (``Dopri5``), ``"DOP853"``, ``"RK23"``, ``"Tsit5"``, or a diffrax solver.
        params : dict, optional
            Values of the free parameters, ``{name or symbol: value}``; arrays of
            shape ``(ensemble,)`` give one value per member.
        per_member : bool, default True
            ``solve_ivp`` controls the root-mean-square error of the whole
            state, so in an ensemble of ``n`` one member could get ``sqrt(n)``
            times its share.  By default the tolerances handed to ``solve_ivp``
            are divided by ``sqrt(n)``, so that every member meets ``rtol`` and
            ``atol`` as it would alone.  False hands them over unchanged.
        backend : {"scipy", "jax"}, default "scipy"
            ``"jax"``: diffrax, vmapped over the members (``pip install "symgrad[jax]"``; see Notes).
        **options
            Passed to ``solve_ivp``: ``rtol`` (default 1e-8), ``atol`` (default
            1e-10; a scalar, one value per coordinate, or one per member and
            coordinate), ``max_step``, ``first_step``, ``dense_output``,
            ``events``, ``jac``, ... (``args`` is not: use ``params``).  Event
            functions are called as ``event(t, y)`` with ``y`` shaped like ``x0``.

        Returns
        -------
        FlowSolution
            ``y`` of shape ``(time, dim)``, or ``(ensemble, time, dim)`` for an
            ensemble.  Status per trajectory: 0 reached the end of ``t_span``,
            1 left the chart's domain, 2 stopped by a terminal event of
            ``events``, -1 the solver failed.

        Raises
        ------
        DomainError
            A point of ``x0`` is not finite or lies outside the chart's domain.
        NumericValueError
            The flow is not finite at a point of ``x0`` (the message names it and
            the parameter values); ``t_span`` has equal or non-finite ends;
            ``t_eval`` is not finite, not sorted or not within ``t_span``; a
            tolerance is negative or not finite.
        ArgumentTypeError, DimensionError
            ``x0`` is empty or no array of real numbers; ``t_span`` is no pair of
            numbers; a parameter's array is not one value per member; an
            unknown ``backend``, or an option or method the JAX backend lacks.
        ImportError
            ``backend="jax"`` without JAX or diffrax (a SymgradError too).

        Notes
        -----
        Leaving the domain is found by a terminal ``solve_ivp`` event, the
        smallest distance of an active member's bounded coordinates to their
        bounds, so a trajectory stops at its boundary crossing, located to
        the solver's root-finding precision.  The member is then frozen (its
        derivative is zero from then on, its state pinned inside the domain
        within rounding of the crossing) and ``solve_ivp`` restarts from that
        time for the others.  Where the flow is not finite outside the domain
        (``sqrt(1 - P)`` beyond ``P = 1``) the solver's trial stages there use
        the flow at the nearest boundary point, or zero, so that a step can
        cross.  A flow that is not finite *inside* the domain makes the solver
        fail, with a message that names the point; a solver failure ends the
        integration of the whole ensemble (status -1 for the members still
        running), since they share one system.  For an ensemble of implicit
        methods (``Radau``, ``BDF``, ``LSODA``) the Jacobian is declared
        block-diagonal, one block per member.

        ``backend="jax"`` (:mod:`symgrad.numeric._jax`) integrates the flow :func:`~symgrad.to_jax` writes, jit-compiled
        once per flow and shape, in float64 (it sets JAX's process-wide ``jax_enable_x64``), on the first device JAX
        finds, one solve per member: its own steps (``per_member`` has no effect), its own stop (a domain exit is a
        ``diffrax.Event`` on the same distance, a failure stops it alone).  Without ``t_eval`` it reports the start
        and the end.  Options: ``rtol``, ``atol``, ``first_step``, ``max_step``, ``max_steps`` (default 100000).

        Examples
        --------
        >>> import numpy as np
        >>> import symgrad as sg
        >>> one = sg.catalog.one_dimensional()
        >>> flow = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)
        >>> num = flow.numeric(one.X, params={one.eta: 1})
        >>> sol = num.integrate([2.0], t_span=(0, 1), t_eval=[0, 0.5, 1])
        >>> np.allclose(sol.y[:, 0], 1 + np.exp(-2 * sol.t))
        True
        >>> ens = num.integrate([[2.0], [0.5]], t_span=(0, 1), t_eval=[1])
        >>> ens.y.shape, ens.status
        ((2, 1, 1), array([0, 0]))
        """
        X0, single, values = _validate.start(self, x0, params)
        if backend != "scipy":  # _jax checks it is "jax", and imports JAX only then
            return _jax.integrate(self, X0, single, values, t_span, t_eval, method, per_member, options, backend)
        return _ivp.integrate(self, X0, single, values, t_span, t_eval, method, per_member, options)
