r"""Differentials, Riemannian gradients and gradient flows.

The differential :math:`dC` of a cost is a covector; it becomes a vector only
through a metric: :math:`\mathrm{grad}\, C = G^{-1} dC`.  The gradient flow
:math:`\dot x = -\eta\, G^{-1} dC` is therefore a property of the cost *and*
the metric, and, being a vector field, it has the same meaning in every
chart.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> x, xt, eta = sp.symbols("x xt eta", positive=True)
>>> M = sg.Manifold("half-line")
>>> X, Xt = M.chart(x), M.chart(xt)
>>> _ = M.transition(X, Xt, {xt: sp.sqrt(x)})
>>> cost = sg.Scalar(M, X, (x - 1)**2)
>>> naive_x = sg.GradientFlow(cost, sg.euclidean(X), rate=eta)
>>> naive_x.components(X).T
Matrix([[2*eta*(1 - x)]])
>>> naive_x.components(Xt).T          # the same flow, seen in the sqrt chart
Matrix([[eta*(1 - xt**2)/xt]])
>>> sg.GradientFlow(cost, sg.euclidean(Xt), rate=eta).components(Xt).T
Matrix([[4*eta*xt*(1 - xt**2)]])
"""

from __future__ import annotations

import functools
import warnings

import sympy as sp
from sympy.polys.fields import sfield

from ..budgets import budget_stage, stage, time_limited
from ..errors import ArgumentTypeError, BudgetError, NoClosedFormError, RateError, SymgradWarning
from ._coerce import as_expr, check_defined
from ._latex import latex
from .chart import Chart
from .linalg import solve_metric
from .simplify import MAX_EXPANDED_TERMS, Level, expanded_terms, negate, simplify_matrix
from .tensors import Covector, Metric, Scalar, Vector, check_same_manifold

__all__ = ["differential", "riemannian_gradient", "GradientFlow"]

#: The time variable of :meth:`GradientFlow.equations`.
_TIME = sp.Symbol("t", real=True)

#: The seconds ``GradientFlow(..., solve="auto")`` gives the closed form of
#: :math:`G^{-1} dC` before it solves :math:`G v = -\eta\, dC` numerically instead.
AUTO_SOLVE_SECONDS = 10.0

#: The values of ``GradientFlow(..., solve=...)``.
SOLVES = ("auto", "symbolic", "numeric")


def differential(scalar: Scalar, chart: Chart | None = None, simplify: Level = "fast") -> Covector:
    r"""The differential :math:`dC = (\partial C / \partial x^i)_i` of a scalar, a Covector.

    Parameters
    ----------
    scalar : Scalar
    chart : Chart, optional
        The chart to differentiate in (default: the scalar's own chart).  The
        result is the same covector whichever chart is used.
    simplify : {"none", "fast", "compact", "factor", "full"} or callable
        Simplification of the partial derivatives; the default gives the form
        that ``differential(scalar).components(chart)`` gives.

    Returns
    -------
    Covector

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y = sp.symbols("x y", real=True)
    >>> A = sg.Manifold("plane").chart(x, y)
    >>> sg.differential(sg.Scalar(A.manifold, A, x**2 * y)).components().T
    Matrix([[2*x*y, x**2]])
    """
    if not isinstance(scalar, Scalar):
        raise ArgumentTypeError(f"differential takes a Scalar, got {type(scalar).__name__}")
    chart = chart or scalar.chart
    partials = _partials(scalar.components(chart), chart.coords)
    return Covector(scalar.manifold, chart, list(simplify_matrix(sp.Matrix(partials), simplify)))


def _partials(expr, coords):
    """The partial derivatives of ``expr`` by ``coords``.

    Each term of a sum is differentiated only by the coordinates it contains
    (costs are often sums over parameters); a term that is a rational function
    is differentiated inside a rational function field, which returns reduced
    fractions at a fraction of the cost of ``diff`` followed by ``cancel``
    (unless it would expand past :data:`~symgrad.core.simplify.MAX_EXPANDED_TERMS`
    terms, as ``(x + 1)**1000`` would).
    """
    wanted = set(coords)
    parts = {c: [] for c in coords}
    for term in sp.Add.make_args(expr):
        used = term.free_symbols & wanted
        if not used:
            continue
        if term.is_rational_function() and expanded_terms(term) <= MAX_EXPANDED_TERMS:
            field, f = sfield(term)
            gens = dict(zip(field.symbols, field.gens))
            for c in used:
                parts[c].append(f.diff(gens[c]).as_expr())
        else:
            for c in used:
                parts[c].append(sp.diff(term, c))
    return [sp.Add(*parts[c]) for c in coords]


def _same_manifold(cost, metric):
    if not isinstance(cost, Scalar):
        raise ArgumentTypeError(f"the cost must be a Scalar, got {type(cost).__name__}")
    if not isinstance(metric, Metric):
        raise ArgumentTypeError(f"the metric must be a Metric, got {type(metric).__name__}")
    check_same_manifold(("the cost", cost), ("the metric", metric))


@stage("the Riemannian gradient")
def riemannian_gradient(cost: Scalar, metric: Metric, chart: Chart | None = None, simplify: Level = "fast") -> Vector:
    r"""The Riemannian gradient :math:`G^{-1} dC` of a cost, a Vector (no sign, no rate).

    Parameters
    ----------
    cost : Scalar
    metric : Metric
        On the same manifold as ``cost``.
    chart : Chart, optional
        The chart to compute in.  By default the metric's own chart, where it
        was given and is usually simplest; the resulting vector has
        components in every chart anyway.
    simplify : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    Vector

    Notes
    -----
    ``G^{-1}`` is never formed: diagonal and block-diagonal metrics are solved
    block by block, dense blocks by a fraction-free solve, and pullback
    metrics through their factors (see :func:`symgrad.simplify.solve_metric`).

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> mu = sp.Symbol("mu", real=True)
    >>> sigma = sp.Symbol("sigma", positive=True)
    >>> A = sg.Manifold("normal family").chart(mu, sigma)
    >>> F = sg.Metric(A.manifold, A, sp.diag(1 / sigma**2, 2 / sigma**2))
    >>> cost = sg.Scalar(A.manifold, A, mu**2 / (2 * sigma**2) + sp.log(sigma))
    >>> sg.riemannian_gradient(cost, F).components().T
    Matrix([[mu, (-mu**2 + sigma**2)/(2*sigma)]])
    """
    _same_manifold(cost, metric)
    chart = chart or metric.chart
    w = sp.Matrix(_partials(cost.components(chart), chart.coords))  # simplified by the solve
    G = metric.components(chart)
    v = solve_metric(G, w, simplify, factor=metric.pullback_factors(chart))
    return Vector(cost.manifold, chart, v)


def _check_rate(rate, manifold):
    """The rate of a flow: a finite real constant or parameter, not known to be non-positive."""
    check_defined(rate, "the rate of a gradient flow")
    moving = sorted(rate.free_symbols & set(manifold.coordinates), key=sp.default_sort_key)
    if moving:
        raise RateError(
            f"the rate {rate} of a gradient flow depends on the coordinate(s) "
            f"{', '.join(map(str, moving))}; a rate is a constant or a parameter: a step size that "
            "depends on the position is a metric (e.g. sg.diagonal(chart, [...]))"
        )
    if rate.is_positive is False:
        raise RateError(
            f"the rate of a gradient flow must be positive, got {rate}: with it the flow would not descend the cost"
        )
    return rate


class GradientFlow(Vector):
    r"""The gradient flow :math:`\dot x = -\eta\, G^{-1} dC`: a vector field (immutable).

    Parameters
    ----------
    cost : Scalar
    metric : Metric
    rate : sympy expression or number, default 1
        The learning rate :math:`\eta` (a positive parameter).
    simplify : {"none", "fast", "compact", "factor", "full"} or callable
        Simplification of the components.
    chart : Chart, optional
        Where to compute the gradient (default: the metric's chart).
    solve : {"auto", "symbolic", "numeric"}, default "auto"
        How :math:`v = -\eta\, G^{-1} dC` is found.  ``"symbolic"``: in
        closed form (under the stage budget of :mod:`symgrad.budgets`).
        ``"numeric"``: not in closed form; the metric and the differential
        are, and the numeric flow, the plots and every exporter solve
        :math:`G\, v = -\eta\, dC` at each point (:meth:`components` raises
        :class:`~symgrad.NoClosedFormError`).  ``"auto"``: the closed form if
        it is found within :data:`AUTO_SOLVE_SECONDS` seconds, otherwise
        ``"numeric"``, with a :class:`~symgrad.SymgradWarning`.

    Attributes
    ----------
    cost : Scalar
    metric : Metric
    rate : sympy.Expr
        Read-only, as every attribute: a flow with another rate is a new
        ``GradientFlow(cost, metric, rate=...)``.
    solve : str
        ``"symbolic"`` (the components are in closed form) or ``"numeric"``.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> w = sp.Symbol("w", real=True)
    >>> eta = sp.Symbol("eta", positive=True)
    >>> A = sg.Manifold("weight").chart(w)
    >>> flow = sg.GradientFlow(sg.Scalar(A.manifold, A, (w - 1)**2 / 2), sg.euclidean(A), rate=eta)
    >>> flow.equations()
    [Eq(Derivative(w(t), t), eta*(1 - w(t)))]
    >>> print(flow.latex())
    \frac{d w}{d t} = \eta \left(1 - w\right)
    """

    _kind = "gradient flow"
    _remedy = "make a new GradientFlow(cost, metric, rate=...)"

    def __init__(
        self,
        cost: Scalar,
        metric: Metric,
        rate: sp.Expr | int | float = 1,
        simplify: Level = "fast",
        chart: Chart | None = None,
        solve: str = "auto",
    ) -> None:
        _same_manifold(cost, metric)
        if not isinstance(solve, str) or solve not in SOLVES:
            raise ArgumentTypeError(f"GradientFlow: solve must be one of {', '.join(map(repr, SOLVES))}, got {solve!r}")
        self.cost = cost
        self.metric = metric
        self.rate = _check_rate(as_expr(rate, "the rate of a gradient flow"), cost.manifold)
        self._simplify = simplify
        grad = self._closed_form(chart, simplify, solve)
        if grad is None:
            self.solve = "numeric"
            self._place(cost.manifold, chart or metric.chart)
            self._given = None  # no closed form: components() says why
            self._cache = {}
            return
        self.solve = "symbolic"
        comps = [self.rate * negate(e, simplify) for e in grad.components()]
        super().__init__(cost.manifold, grad.chart, comps)

    def _closed_form(self, chart, simplify, solve):
        """The Riemannian gradient as a Vector, or None: the flow then solves ``G v = -eta dC`` numerically."""
        if solve == "numeric":
            self._why_numeric = 'it was made with solve="numeric"'
            return None

        def gradient():
            return riemannian_gradient(self.cost, self.metric, chart=chart, simplify=simplify)

        if solve == "symbolic":
            return gradient()
        seconds = AUTO_SOLVE_SECONDS
        try:  # the stage keeps its own budget; the closed form gets `seconds` of it
            return budget_stage("the Riemannian gradient", lambda: time_limited(gradient, seconds))
        except BudgetError:
            raise
        except TimeoutError:
            pass
        self._why_numeric = (
            f'its closed form G^-1 dC was not found within the {seconds:g} s that solve="auto" gives it '
            "(symgrad.core.gradient.AUTO_SOLVE_SECONDS)"
        )
        warnings.warn(
            f"GradientFlow on {self.cost.manifold.name!r}: the closed form of G^-1 dC was not found within "
            f'{seconds:g} s (solve="auto", symgrad.core.gradient.AUTO_SOLVE_SECONDS), so the flow solves '
            "G v = -eta dC numerically at each point: flow.numeric(), the plots and the exporters work, "
            'flow.components() has no closed form.  Pass solve="symbolic" to wait for the closed form '
            '(under the budget of symgrad.budget(seconds=...)), or solve="numeric" to skip the attempt.',
            SymgradWarning,
            stacklevel=4,
        )
        return None

    def components(self, chart: Chart | None = None, simplify: Level = "fast") -> sp.ImmutableMatrix:
        r"""The flow's components in ``chart``, in closed form (as :meth:`symgrad.Vector.components`).

        Raises
        ------
        NoClosedFormError
            If the flow solves :math:`G\, v = -\eta\, dC` numerically (:attr:`solve` is ``"numeric"``).
        """
        if self._given is None:
            raise NoClosedFormError(
                f"the gradient flow on {self.cost.manifold.name!r} has no closed form: {self._why_numeric}.  It solves "
                "G v = -eta dC numerically at each point (flow.numeric(...), the plots, sg.to_python, sg.to_c, "
                "sg.to_jax, sg.to_latex); its metric, cost and differential have closed forms (flow.metric, "
                "flow.cost, flow.differential, flow.system(chart)).  For the closed form make the flow with "
                'solve="symbolic": it then runs under the stage budget of symgrad.budgets '
                "(with symgrad.budget(seconds=...): a larger one)"
            )
        return super().components(chart, simplify)

    @functools.cached_property
    def differential(self) -> Covector:
        """The differential :math:`dC` of the cost, a Covector given in the flow's chart."""
        return differential(self.cost, self.chart, simplify=self._simplify)

    def system(self, chart: Chart | None = None) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix]:
        r"""The linear system :math:`G\, v = -\eta\, dC` that the flow ``v`` solves, in ``chart``.

        Returns
        -------
        (G, b) : tuple of sympy.ImmutableMatrix
            The metric's components (dim x dim) and :math:`-\eta\, dC` (a column), in ``chart``
            (default: the flow's chart).

        Examples
        --------
        >>> import sympy as sp
        >>> import symgrad as sg
        >>> w = sp.Symbol("w", real=True)
        >>> A = sg.Manifold("weight").chart(w)
        >>> flow = sg.GradientFlow(sg.Scalar(A.manifold, A, w**2), sg.diagonal(A, [2]), solve="numeric")
        >>> flow.system()
        (Matrix([[2]]), Matrix([[-2*w]]))
        """
        chart = chart or self.chart
        G = self.metric.components(chart)
        w = self.differential.components(chart)
        return sp.ImmutableMatrix(G), sp.ImmutableMatrix([-self.rate * e for e in w])

    def __eq__(self, other: object) -> bool:
        if self._given is None or getattr(other, "_given", True) is None:
            return (
                type(other) is type(self)
                and self._given is None
                and other._given is None
                and other.chart is self.chart
                and (other.cost, other.metric, other.rate) == (self.cost, self.metric, self.rate)
            )
        return super().__eq__(other)

    def __hash__(self) -> int:
        if self._given is None:
            return hash((type(self), id(self.manifold), id(self.chart), self.cost, self.metric, self.rate))
        return super().__hash__()

    def __repr__(self) -> str:
        if self._given is None:
            return f"GradientFlow({self.chart.name!r}, solve='numeric')"
        return f"GradientFlow({self.chart.name!r}, {list(self._given)})"

    def equations(self, chart: Chart | None = None, t: sp.Symbol = _TIME) -> list[sp.Eq]:
        """The flow as ODEs, ``Eq(Derivative(x(t), t), rhs)``, one per coordinate of ``chart``.

        Returns
        -------
        list of sympy.Eq
        """
        chart = chart or self.chart
        rhs = self.components(chart)
        funcs = {c: sp.Function(c.name, real=True)(t) for c in chart.coords}
        return [sp.Eq(sp.Derivative(funcs[c], t), r.xreplace(funcs)) for c, r in zip(chart.coords, rhs)]

    def latex(self, chart: Chart | None = None) -> str:
        r"""The update rule in ``chart`` as LaTeX: one ``\frac{d x}{d t} = ...`` line per coordinate.

        Several coordinates are joined by ``\\`` inside an ``aligned`` environment.  A flow
        solved numerically shows its system instead, :math:`G \frac{d x}{d t} = -\eta\, dC`.
        """
        chart = chart or self.chart
        if self._given is None:
            G, b = self.system(chart)
            return rf"{sp.latex(G)} \frac{{d}}{{d t}} {sp.latex(sp.Matrix(chart.coords))} = {sp.latex(b)}"
        rhs = self.components(chart)
        lines = [
            rf"\frac{{d {latex(c)}}}{{d t}} {'&' if chart.dim > 1 else ''}= {latex(r)}"
            for c, r in zip(chart.coords, rhs)
        ]
        if chart.dim == 1:
            return lines[0]
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def _repr_latex_(self):
        return "$" + self.latex() + "$"
