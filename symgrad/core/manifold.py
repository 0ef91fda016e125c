"""Manifolds: parameter spaces that own their charts and transition maps.

A :class:`Manifold` is a parameter space.  It owns its :class:`Chart` objects
(ordered tuples of real sympy Symbols with a domain) and the
:class:`Transition` maps between them.  A manifold only grows: charts and
transitions are added, never changed or removed, so every derived result can be
cached for good.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> mu = sp.Symbol("mu", real=True)
>>> sigma, s = sp.symbols("sigma s", positive=True)
>>> M = sg.Manifold("normal family")
>>> A = M.chart(mu, sigma, name="A")
>>> B = M.chart(mu, s, name="B")
>>> T = M.transition(A, B, {mu: mu, s: sigma**2})
>>> T.inverse
Matrix([
[     mu],
[sqrt(s)]])
>>> T.verified
'symbolic'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import sympy as sp

from ..errors import (
    ArgumentTypeError,
    ChartError,
    ChartMismatchError,
    DimensionError,
    ManifoldMismatchError,
)
from . import _domain, _restrictions, _transitions
from ._immutable import Immutable
from .chart import Chart
from .transitions import Transition, components_in, identity

__all__ = ["Manifold"]


class Manifold(Immutable):
    """A parameter space: its charts and the transition maps between them.

    A manifold only grows: :meth:`chart` and :meth:`transition` add to it,
    nothing changes or removes what it holds, and no attribute is assigned
    from outside.  What it hands out (:attr:`charts`, :attr:`coordinates`)
    is read-only.

    Parameters
    ----------
    name : str
        A name used in messages and printing.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y = sp.symbols("x y", positive=True)
    >>> M = sg.Manifold("half-line")
    >>> X = M.chart(x)
    >>> Y = M.chart([y], name="sqrt")
    >>> M.transition(X, Y, {y: sp.sqrt(x)}).inverse
    Matrix([[y**2]])
    >>> M.charts
    (Chart('(x)': (x) on 'half-line'), Chart('sqrt': (y) on 'half-line'))
    """

    _remedy = "a Manifold only grows: add charts with M.chart(...) and transitions with M.transition(...)"

    def __init__(self, name: str = "M") -> None:
        self.name = str(name)
        # internal registries: they grow through chart() and transition() and are never handed out
        self._charts = []
        self._transitions = {}
        self._composed = {}
        # the restrictions transitions added to their target charts: {chart: (transition, restrictions)}
        self._restricted = {}

    def __repr__(self) -> str:
        return f"Manifold({self.name!r}, dim={self.dim}, charts={[c.name for c in self._charts]})"

    def _repr_latex_(self):
        charts = ", ".join(c._repr_latex_().strip("$") for c in self._charts)
        return rf"$\mathcal{{M}}_{{\text{{{self.name}}}}}: {charts}$"

    @property
    def dim(self) -> int | None:
        """The dimension (None until the first chart is made)."""
        return self._charts[0].dim if self._charts else None

    @property
    def charts(self) -> tuple[Chart, ...]:
        """The charts, in the order they were made (a tuple)."""
        return tuple(self._charts)

    @property
    def coordinates(self) -> frozenset[sp.Symbol]:
        """The set of every chart's coordinates."""
        return frozenset(c for chart in self._charts for c in chart.coords)

    # -- charts ----------------------------------------------------------------------------

    def chart(
        self,
        *coords: sp.Symbol | Iterable[sp.Symbol],
        name: str | None = None,
        domain: Mapping[sp.Symbol, sp.Interval] | None = None,
        restrictions: Sequence[sp.core.relational.Relational] = (),
    ) -> Chart:
        """Make a chart of this manifold.

        Parameters
        ----------
        *coords : sympy.Symbol, or one sequence of them
            The coordinates, in order.  Each must be declared real (``real=True``,
            ``positive=True``, ...); the assumptions give its domain.
        name : str, optional
            Defaults to the coordinates in parentheses, e.g. ``"(mu, sigma)"``.
        domain : dict, optional
            Maps coordinates to :class:`sympy.Interval` objects that narrow the
            domain their assumptions imply.
        restrictions : sequence of sympy relationals, optional
            Inequalities (``<``, ``<=``, ``>``, ``>=``) in the chart's
            coordinates and parameters that narrow the box of intervals, e.g.
            ``[p1 + p2 < 1]`` for the probability simplex.  Every check of the
            domain respects them: :meth:`Chart.contains`, random points of
            checks, transitions, numeric flows and plots.

        Returns
        -------
        Chart

        Raises
        ------
        ChartError
            If a restriction is not such an inequality, uses another chart's
            coordinates or none of this chart's, or holds nowhere in the box.

        Examples
        --------
        >>> import sympy as sp
        >>> import symgrad as sg
        >>> p1, p2 = sp.symbols("p1 p2", positive=True)
        >>> unit = {p1: sp.Interval.open(0, 1), p2: sp.Interval.open(0, 1)}
        >>> sg.Manifold("simplex").chart(p1, p2, domain=unit, restrictions=[p1 + p2 < 1], name="P")
        Chart('P': (p1, p2) on 'simplex' where p1 + p2 < 1)
        """
        if len(coords) == 1 and not isinstance(coords[0], sp.Basic):
            coords = tuple(coords[0])
        if not coords:
            raise ChartError(f"a chart of {self.name!r} needs at least one coordinate")
        for c in coords:
            if not isinstance(c, sp.Symbol):
                raise ChartError(f"chart coordinates must be sympy Symbols; got {c!r} of type {type(c).__name__}")
            if c.is_real is not True:
                raise ChartError(
                    f"coordinate {c} is not declared real; make it with "
                    f"sp.Symbol({c.name!r}, real=True) (or positive=True)"
                )
        if len(set(coords)) != len(coords):
            repeated = sorted({str(c) for c in coords if coords.count(c) > 1})
            raise ChartError(f"coordinate(s) {', '.join(repeated)} repeated in a chart of {self.name!r}")
        if self._charts and len(coords) != self.dim:
            raise DimensionError(
                f"manifold {self.name!r} has dimension {self.dim}; a chart with "
                f"{len(coords)} coordinates cannot belong to it"
            )
        if name is None:
            name = "(" + ", ".join(str(c) for c in coords) + ")"
        name = str(name)
        for other in self._charts:
            if other.name == name:
                raise ChartError(f"manifold {self.name!r} already has a chart named {name!r}")
            if set(other.coords) == set(coords):
                raise ChartError(
                    f"chart {other.name!r} of {self.name!r} already has the coordinates "
                    f"{', '.join(map(str, coords))}; reuse it"
                )
        intervals = {c: _domain.interval_of(c) for c in coords}
        for c, iv in (domain or {}).items():
            if c not in intervals:
                raise ChartError(f"domain given for {c}, which is not a coordinate of this chart")
            if not isinstance(iv, sp.Interval) or not iv.is_subset(sp.Reals):
                raise ChartError(f"the domain of {c} must be a real sympy Interval, got {iv!r}")
            narrowed = intervals[c].intersect(iv)
            if not isinstance(narrowed, sp.Interval) or narrowed.measure == 0:
                raise ChartError(
                    f"the domain {iv} of {c} does not meet the interval {intervals[c]} its assumptions imply"
                )
            intervals[c] = narrowed
        restrictions = _restrictions.check(restrictions, name, coords, intervals, self)
        chart = Chart(self, coords, name, intervals, restrictions)
        self._charts.append(chart)
        return chart

    def _added_restrictions(self, chart):
        """The restrictions a transition added to ``chart`` (a tuple; read by :attr:`Chart.restrictions`)."""
        return self._restricted.get(chart, (None, ()))[1]

    def _restrict(self, chart, transition, restrictions):
        """Record that ``transition`` restricts its target ``chart`` (once, before other transitions join it).

        Charts are immutable values, but what a transition learns about its
        target's domain is the manifold's to keep, like the transitions
        themselves: it only grows, and :meth:`transition` refuses a
        restriction of a chart that another transition joins already.
        """
        self._restricted[chart] = (transition, tuple(restrictions))

    def _own(self, chart, what="chart"):
        if not isinstance(chart, Chart):
            raise ArgumentTypeError(f"{what} must be a Chart, got {type(chart).__name__}")
        if chart.manifold is not self:
            raise ManifoldMismatchError(
                f"{what} {chart.name!r} belongs to manifold {chart.manifold.name!r}, not to {self.name!r}"
            )

    def check_expression(self, expr: sp.Expr, chart: Chart, what: str = "expression") -> None:
        """Raise :class:`ChartMismatchError` if ``expr`` uses another chart's coordinates.

        Symbols that are no chart's coordinates are parameters and allowed.
        """
        foreign = (expr.free_symbols & self.coordinates) - set(chart.coords)
        if foreign:
            owners = sorted({c.name for c in self._charts if foreign & set(c.coords)} - {chart.name})
            names = ", ".join(sorted(str(s) for s in foreign))
            raise ChartMismatchError(
                f"{what} is given in chart {chart.name!r} but uses {names}, coordinate(s) of "
                f"chart(s) {', '.join(map(repr, owners))}; express it in "
                f"{', '.join(map(str, chart.coords))} only"
            )

    def parameter_intervals(self, chart: Chart, *exprs: sp.Expr) -> dict[sp.Symbol, sp.Interval]:
        """The intervals of ``chart``'s coordinates and of the other free symbols of ``exprs``.

        Parameters
        ----------
        chart : Chart
        *exprs : sympy.Expr
            Their other free symbols get the intervals their assumptions imply
            (the whole line for symbols not declared real).

        Returns
        -------
        dict
            ``{Symbol: sympy.Interval}``.

        Examples
        --------
        >>> import sympy as sp
        >>> import symgrad as sg
        >>> g = sg.catalog.gaussian()
        >>> g.manifold.parameter_intervals(g.std, sp.Symbol("a", positive=True) * g.mu)
        {mu: Interval(-oo, oo), sigma: Interval.open(0, oo), a: Interval.open(0, oo)}
        """
        intervals = dict(chart.domain)
        for e in exprs:
            for s in e.free_symbols:
                if s not in intervals:
                    intervals[s] = _domain.interval_of(s) or _domain.REALS
        return intervals

    # -- transitions -----------------------------------------------------------------------

    def transition(
        self,
        source: Chart,
        target: Chart,
        forward: Mapping[sp.Symbol, sp.Expr] | Sequence[sp.Expr],
        inverse: Mapping[sp.Symbol, sp.Expr] | Sequence[sp.Expr] | None = None,
    ) -> Transition:
        """Add the transition map from chart ``source`` to chart ``target``.

        Parameters
        ----------
        source, target : Chart
            Two distinct charts of this manifold.
        forward : dict or sequence
            The target's coordinates as expressions in the source's coordinates
            (a dict keyed by target coordinate, or a sequence in target order).
        inverse : dict or sequence, optional
            The source's coordinates in terms of the target's.  When omitted
            it is solved with sympy, the branch picked with the charts'
            domains.  Either way the round trip is verified (symbolically, or
            at random points of the domain when that is inconclusive).

        Returns
        -------
        Transition
            Its reverse, from ``target`` to ``source``, is stored too.

            When the inverse lands in the source's domain only on part of the
            target's domain, the target chart is restricted to the image: the
            conditions not implied by its box become restrictions of the chart
            (:attr:`Chart.restrictions`), and :attr:`Transition.restricted`
            holds them.

        Raises
        ------
        SingularTransitionError
            If the Jacobian determinant vanishes.
        InverseError
            If no inverse is found or the given one is wrong.
        TransitionError
            If the map sends points outside the target's domain or is not
            defined on all of the source's (the message suggests
            ``restrictions=``), or if the target would need a restriction
            while another transition joins it already.

        Examples
        --------
        >>> import sympy as sp
        >>> import symgrad as sg
        >>> x, y = sp.symbols("x y", positive=True)
        >>> M = sg.Manifold("half-line")
        >>> X, Y = M.chart(x, name="X"), M.chart(y, name="Y")
        >>> T = M.transition(X, Y, {y: x + 1})
        >>> T.restricted, Y
        ((y > 1,), Chart('Y': (y) on 'half-line' where y > 1))
        """
        self._own(source, "source chart")
        self._own(target, "target chart")
        _transitions.check_new(self._transitions, source, target)
        what = f"transition {source.name!r} -> {target.name!r}"
        fwd = components_in(self, forward, target, source, what)
        _transitions.check_nonsingular(fwd, source, what)
        if inverse is not None:
            inverse = components_in(self, inverse, source, target, f"inverse of {what}")
        inv, how, restricted = _transitions.inverse_of(fwd, inverse, source, target, what)
        if restricted:
            _transitions.check_restrictable(self._transitions, target, restricted, what)
        t = Transition(source, target, fwd, inv, how, restricted)
        if restricted:
            self._restrict(target, t, restricted)
        self._transitions[(source, target)] = t
        self._transitions[(target, source)] = t.reversed()
        return t

    def transition_map(self, source: Chart, target: Chart) -> Transition:
        """The transition from ``source`` to ``target``, composed along a path if needed.

        Raises
        ------
        NoPathError
            If no chain of transitions joins the two charts.
        """
        self._own(source, "source chart")
        self._own(target, "target chart")
        key = (source, target)
        if source is target:
            return identity(source)
        if key in self._transitions:
            return self._transitions[key]
        if key in self._composed:
            return self._composed[key]
        self._composed[key] = _transitions.compose_along(self._transitions, source, target, self)
        return self._composed[key]
