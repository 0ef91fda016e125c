"""Manifolds, charts, maps between charts and transition maps.

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

import functools

import numpy as np
import sympy as sp

from . import _domain, _transitions
from .errors import (
    ArgumentTypeError,
    ChartError,
    ChartMismatchError,
    DimensionError,
    DomainError,
    ExpressionError,
    ManifoldMismatchError,
)
from .simplify import simplify_matrix

__all__ = ["Manifold", "Chart", "Map", "Transition"]


def as_expr(value, what):
    """Convert a Python number or sympy object to a sympy expression.

    Strings are refused: symgrad never parses text outside its model-file parser.
    """
    if isinstance(value, str):
        raise ExpressionError(
            f"{what} is the string {value!r}; symgrad does not parse strings here, "
            "pass a sympy expression built from sympy Symbols"
        )
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise ExpressionError(f"{what} is {value!r}, which is not a sympy expression") from None
    if not isinstance(expr, sp.Expr):
        raise ExpressionError(f"{what} is {value!r}, which is not a scalar sympy expression")
    return expr


def as_matrix(value, what):
    """Convert a sympy Matrix or nested sequences of expressions to a sympy Matrix.

    Every entry goes through :func:`as_expr`, so strings are refused here too.
    """
    if isinstance(value, sp.MatrixBase):
        bad = [e for e in set(value) if not isinstance(e, sp.Expr)]
        if bad:
            raise ExpressionError(f"{what} has the entry {bad[0]!r}, which is not a scalar sympy expression")
        return sp.Matrix(value)
    else:
        try:
            rows = [list(row) if not isinstance(row, (str, sp.Basic)) else [row] for row in value]
        except TypeError:
            raise ExpressionError(f"{what} must be a matrix (a sympy Matrix or a list of rows), got {value!r}") from None
    return sp.Matrix([[as_expr(v, f"{what} entry ({i}, {j})") for j, v in enumerate(row)] for i, row in enumerate(rows)])


def _latex_tuple(symbols):
    return r"\left(" + ", ".join(sp.latex(s) for s in symbols) + r"\right)"


class Chart:
    """A coordinate chart: an ordered tuple of real sympy Symbols with a domain.

    Charts are made by :meth:`Manifold.chart`, never directly.  The domain of
    each coordinate is the interval its sympy assumptions imply, narrowed by
    an optional explicit interval.

    Attributes
    ----------
    manifold : Manifold
    coords : tuple of sympy.Symbol
    name : str
    domain : dict
        Maps each coordinate to its :class:`sympy.Interval`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> q, P = sp.symbols("q P", positive=True)
    >>> S = sg.Manifold("synapse").chart(q, P, domain={P: sp.Interval.open(0, 1)})
    >>> S.domain[P]
    Interval.open(0, 1)
    >>> S.contains([2.0, 0.5]), S.contains([2.0, 1.5])
    (True, False)
    """

    __slots__ = ("manifold", "coords", "name", "domain", "_subs")

    def __init__(self, manifold, coords, name, domain):
        object.__setattr__(self, "manifold", manifold)
        object.__setattr__(self, "coords", tuple(coords))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "domain", dict(domain))
        object.__setattr__(self, "_subs", None)

    def __setattr__(self, name, value):
        raise AttributeError("Chart objects are immutable")

    @property
    def dim(self):
        """The number of coordinates."""
        return len(self.coords)

    def __len__(self):
        return len(self.coords)

    def __iter__(self):
        return iter(self.coords)

    def __getitem__(self, i):
        return self.coords[i]

    def __repr__(self):
        names = ", ".join(str(c) for c in self.coords)
        return f"Chart({self.name!r}: ({names}) on {self.manifold.name!r})"

    def _repr_latex_(self):
        return "$" + _latex_tuple(self.coords) + "$"

    def sign_substitutions(self):
        """Substitutions of coordinates by positive dummies that encode the domain."""
        if self._subs is None:
            object.__setattr__(self, "_subs", _domain.sign_substitutions(self.domain))
        return self._subs

    def random_points(self, n=_domain.N_POINTS, seed=_domain.SEED):
        """Random points in the interior of the chart's domain.

        Returns
        -------
        numpy.ndarray, shape (n, dim)
        """
        values = _domain.sample(self.coords, self.domain, n=n, seed=seed)
        return np.stack([values[c] for c in self.coords], axis=-1)

    def contains(self, point):
        """Whether a numeric point lies in the chart's domain.

        Parameters
        ----------
        point : array_like, shape (dim,)

        Returns
        -------
        bool

        Raises
        ------
        DimensionError
            If ``point`` does not have ``dim`` entries.
        """
        point = np.asarray(point, dtype=float)
        if point.shape != (self.dim,):
            raise DimensionError(
                f"a point of chart {self.name!r} has {self.dim} coordinates, got shape {point.shape}"
            )
        return all(bool(self.domain[c].contains(sp.Float(v))) for c, v in zip(self.coords, point))

    def check_point(self, point):
        """Raise :class:`DomainError` unless ``point`` lies in the chart's domain.

        Parameters
        ----------
        point : array_like, shape (dim,)

        Raises
        ------
        DomainError
            If ``point`` lies outside the domain (the message gives every interval).
        DimensionError
            If ``point`` does not have ``dim`` entries.
        """
        if not self.contains(point):
            bounds = ", ".join(f"{c} in {self.domain[c]}" for c in self.coords)
            raise DomainError(
                f"point {np.asarray(point, dtype=float).tolist()} lies outside the domain of "
                f"chart {self.name!r} ({bounds})"
            )


class Manifold:
    """A parameter space: its charts and the transition maps between them.

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

    def __init__(self, name="M"):
        self.name = str(name)
        self._charts = []
        self._transitions = {}
        self._composed = {}

    def __repr__(self):
        return f"Manifold({self.name!r}, dim={self.dim}, charts={[c.name for c in self._charts]})"

    def _repr_latex_(self):
        charts = ", ".join(c._repr_latex_().strip("$") for c in self._charts)
        return rf"$\mathcal{{M}}_{{\text{{{self.name}}}}}: {charts}$"

    @property
    def dim(self):
        """The dimension (None until the first chart is made)."""
        return self._charts[0].dim if self._charts else None

    @property
    def charts(self):
        """The charts, in the order they were made."""
        return tuple(self._charts)

    @property
    def coordinates(self):
        """The set of every chart's coordinates."""
        return frozenset(c for chart in self._charts for c in chart.coords)

    # -- charts ----------------------------------------------------------------------------

    def chart(self, *coords, name=None, domain=None):
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

        Returns
        -------
        Chart
        """
        if len(coords) == 1 and not isinstance(coords[0], sp.Basic):
            coords = tuple(coords[0])
        if not coords:
            raise ChartError(f"a chart of {self.name!r} needs at least one coordinate")
        for c in coords:
            if not isinstance(c, sp.Symbol):
                raise ChartError(
                    f"chart coordinates must be sympy Symbols; got {c!r} of type {type(c).__name__}"
                )
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
                    f"the domain {iv} of {c} does not meet the interval {intervals[c]} "
                    "its assumptions imply"
                )
            intervals[c] = narrowed
        chart = Chart(self, coords, name, intervals)
        self._charts.append(chart)
        return chart

    def _own(self, chart, what="chart"):
        if not isinstance(chart, Chart):
            raise ArgumentTypeError(f"{what} must be a Chart, got {type(chart).__name__}")
        if chart.manifold is not self:
            raise ManifoldMismatchError(
                f"{what} {chart.name!r} belongs to manifold {chart.manifold.name!r}, "
                f"not to {self.name!r}"
            )

    def check_expression(self, expr, chart, what="expression"):
        """Raise :class:`ChartMismatchError` if ``expr`` uses another chart's coordinates.

        Symbols that are no chart's coordinates are parameters and allowed.
        """
        foreign = (expr.free_symbols & self.coordinates) - set(chart.coords)
        if foreign:
            owners = sorted(
                {c.name for c in self._charts if foreign & set(c.coords)} - {chart.name}
            )
            names = ", ".join(sorted(str(s) for s in foreign))
            raise ChartMismatchError(
                f"{what} is given in chart {chart.name!r} but uses {names}, coordinate(s) of "
                f"chart(s) {', '.join(map(repr, owners))}; express it in "
                f"{', '.join(map(str, chart.coords))} only"
            )

    def parameter_intervals(self, chart, *exprs):
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
                    intervals[s] = _domain.interval_of(s) or sp.Interval(-sp.oo, sp.oo)
        return intervals

    # -- transitions -----------------------------------------------------------------------

    def transition(self, source, target, forward, inverse=None):
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

        Raises
        ------
        SingularTransitionError
            If the Jacobian determinant vanishes.
        InverseError
            If no inverse is found or the given one is wrong.
        TransitionError
            If the map sends points outside the target's domain.
        """
        self._own(source, "source chart")
        self._own(target, "target chart")
        _transitions.check_new(self._transitions, source, target)
        what = f"transition {source.name!r} -> {target.name!r}"
        fwd = _components_in(self, forward, target, source, what)
        _transitions.check_nonsingular(fwd, source, what)
        if inverse is not None:
            inverse = _components_in(self, inverse, source, target, f"inverse of {what}")
        inv, how = _transitions.inverse_of(fwd, inverse, source, target, what)
        t = Transition(source, target, fwd, inv, how)
        self._transitions[(source, target)] = t
        self._transitions[(target, source)] = t.reversed()
        return t

    def transition_map(self, source, target):
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
            return _identity(source)
        if key in self._transitions:
            return self._transitions[key]
        if key in self._composed:
            return self._composed[key]
        self._composed[key] = _transitions.compose_along(self._transitions, source, target, self)
        return self._composed[key]


def _components_in(manifold, values, keys_chart, expr_chart, what):
    """A column matrix of ``keys_chart``'s coordinates as expressions in ``expr_chart``."""
    items = _transitions.in_chart_order(values, keys_chart, what)
    exprs = [as_expr(v, f"{what}, component {c}") for v, c in zip(items, keys_chart.coords)]
    for e, c in zip(exprs, keys_chart.coords):
        manifold.check_expression(e, expr_chart, f"{what}, component {c}")
    return sp.ImmutableMatrix(exprs)


class Map:
    """A smooth map from a chart to a chart, possibly of another manifold.

    Parameters
    ----------
    source, target : Chart
    forward : dict or sequence
        The target's coordinates as expressions in the source's coordinates.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y, u, v = sp.symbols("x y u v", real=True)
    >>> A = sg.Manifold("params").chart(x, y)
    >>> B = sg.Manifold("outputs").chart(u, v)
    >>> F = sg.Map(A, B, {u: x + y**2 / 2, v: y})
    >>> F.jacobian
    Matrix([
    [1, y],
    [0, 1]])
    >>> F.pull(u * v)
    y*(x + y**2/2)
    """

    def __init__(self, source, target, forward):
        if not isinstance(source, Chart) or not isinstance(target, Chart):
            raise ArgumentTypeError("a Map goes from a Chart to a Chart")
        self.source = source
        self.target = target
        if isinstance(forward, sp.MatrixBase) and forward.shape == (target.dim, 1):
            self.forward = sp.ImmutableMatrix(forward)
        else:
            self.forward = _components_in(
                source.manifold, forward, target, source, f"map {source.name!r} -> {target.name!r}"
            )

    def __repr__(self):
        return f"{type(self).__name__}({self.source.name!r} -> {self.target.name!r})"

    @functools.cached_property
    def jacobian(self):
        """The Jacobian ``d(target)/d(source)`` in the source's coordinates."""
        return sp.ImmutableMatrix(self.forward.jacobian(self.source.coords))

    def _repr_latex_(self):
        rows = r" \\ ".join(
            f"{sp.latex(y)} &= {sp.latex(e)}" for y, e in zip(self.target.coords, self.forward)
        )
        return r"$\begin{aligned} " + rows + r" \end{aligned}$"

    def pull(self, expr):
        """Rewrite an expression in the target's coordinates in the source's coordinates.

        Parameters
        ----------
        expr : sympy.Expr or sympy.Matrix
            In the target's coordinates.

        Returns
        -------
        sympy.Expr or sympy.Matrix
            Each target coordinate replaced by ``forward``; not simplified.
        """
        return expr.xreplace(dict(zip(self.target.coords, self.forward)))


class Transition(Map):
    """An invertible map between two charts of one manifold.

    Made by :meth:`Manifold.transition`; :meth:`Manifold.transition_map` also
    composes transitions along a path.

    Attributes
    ----------
    forward : sympy.ImmutableMatrix, shape (dim, 1)
        The target's coordinates in terms of the source's.
    inverse : sympy.ImmutableMatrix, shape (dim, 1)
        The source's coordinates in terms of the target's.
    verified : str
        How the round trip was verified: ``"symbolic"``, ``"numeric"``,
        ``"composed"`` (from verified steps) or ``"identity"``.

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian()
    >>> T = g.manifold.transition_map(g.std, g.variance)
    >>> T.forward.T, T.inverse.T, T.verified
    (Matrix([[mu, sigma**2]]), Matrix([[mu, sqrt(s)]]), 'symbolic')
    >>> T.push(g.mu + g.sigma**2), T.pull(g.s / 2)
    (mu + s, sigma**2/2)
    >>> V = g.manifold.transition_map(g.variance, g.precision)   # composed through std
    >>> V.forward.T, V.verified
    (Matrix([[mu, 1/s]]), 'composed')
    """

    def __init__(self, source, target, forward, inverse, verified):
        super().__init__(source, target, forward)
        self.inverse = sp.ImmutableMatrix(inverse)
        self.verified = verified

    def reversed(self):
        """The transition from ``target`` back to ``source``."""
        return Transition(self.target, self.source, self.inverse, self.forward, self.verified)

    def then(self, other):
        """The composition: this transition followed by ``other``.

        Parameters
        ----------
        other : Transition
            A transition whose source is this one's target.

        Returns
        -------
        Transition
            ``self.source`` to ``other.target``, simplified at level ``"fast"``.

        Raises
        ------
        ArgumentTypeError
            If ``other`` is not a :class:`Transition`.
        TransitionError
            If ``other`` does not start at this transition's target chart.

        Examples
        --------
        >>> import symgrad as sg
        >>> g = sg.catalog.gaussian()
        >>> T = g.manifold.transition_map(g.variance, g.std)
        >>> T.then(g.manifold.transition_map(g.std, g.precision)).forward.T
        Matrix([[mu, 1/s]])
        """
        if not isinstance(other, Transition):
            raise ArgumentTypeError(
                f"{self!r}.then(...) composes with a Transition, got {type(other).__name__}; "
                "get one from M.transition(...) or M.transition_map(...)"
            )
        fwd, inv = _transitions.compose(self, other)
        return Transition(self.source, other.target, fwd, inv, "composed")

    def push(self, expr):
        """Rewrite an expression in the source's coordinates in the target's coordinates.

        Parameters
        ----------
        expr : sympy.Expr or sympy.Matrix
            In the source's coordinates.

        Returns
        -------
        sympy.Expr or sympy.Matrix
            Each source coordinate replaced by ``inverse``; not simplified.
        """
        return expr.xreplace(dict(zip(self.source.coords, self.inverse)))

    @functools.cached_property
    def inverse_jacobian(self):
        """``K = d(source)/d(target)`` in the target's coordinates."""
        return sp.ImmutableMatrix(self.inverse.jacobian(self.target.coords))

    @functools.cached_property
    def jacobian_at_target(self):
        """``d(target)/d(source)`` written in the target's coordinates (equals ``K^{-1}``)."""
        return simplify_matrix(self.push(self.jacobian), "fast")


def _identity(chart):
    m = sp.ImmutableMatrix(chart.coords)
    return Transition(chart, chart, m, m, "identity")
