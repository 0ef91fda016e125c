"""Maps between charts and the transition maps of a manifold.

A :class:`Map` sends one chart to another (possibly of another manifold); a
:class:`Transition` is an invertible map between two charts of one manifold,
made by :meth:`symgrad.Manifold.transition` with its inverse solved or given
and verified.  The algorithms behind them (inverses, checks, composition along
paths) are in :mod:`symgrad.core._transitions`.

Examples
--------
>>> import symgrad as sg
>>> g = sg.catalog.gaussian()
>>> T = g.manifold.transition_map(g.std, g.precision)
>>> T.forward.T, T.inverse.T
(Matrix([[mu, sigma**(-2)]]), Matrix([[mu, 1/sqrt(tau)]]))
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sympy as sp

from ..errors import (
    ArgumentTypeError,
)
from . import _transitions
from ._coerce import as_expr
from ._immutable import Immutable
from .chart import Chart
from .simplify import simplify_matrix

if TYPE_CHECKING:
    from .manifold import Manifold

__all__ = ["Map", "Transition"]


def components_in(
    manifold: Manifold,
    values: Mapping[sp.Symbol, sp.Expr] | Sequence[sp.Expr],
    keys_chart: Chart,
    expr_chart: Chart,
    what: str,
) -> sp.ImmutableMatrix:
    """A column matrix of ``keys_chart``'s coordinates as expressions in ``expr_chart``."""
    items = _transitions.in_chart_order(values, keys_chart, what)
    exprs = [as_expr(v, f"{what}, component {c}") for v, c in zip(items, keys_chart.coords)]
    for e, c in zip(exprs, keys_chart.coords):
        manifold.check_expression(e, expr_chart, f"{what}, component {c}")
    return sp.ImmutableMatrix(exprs)


class Map(Immutable):
    """A smooth map from a chart to a chart, possibly of another manifold (immutable).

    Parameters
    ----------
    source, target : Chart
    forward : dict or sequence
        The target's coordinates as expressions in the source's coordinates.

    Attributes
    ----------
    source, target : Chart
    forward : sympy.ImmutableMatrix, shape (target.dim, 1)
        The target's coordinates in terms of the source's.

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

    _remedy = "make a new Map(source, target, forward)"

    def __init__(
        self, source: Chart, target: Chart, forward: Mapping[sp.Symbol, sp.Expr] | Sequence[sp.Expr] | sp.MatrixBase
    ) -> None:
        if not isinstance(source, Chart) or not isinstance(target, Chart):
            raise ArgumentTypeError("a Map goes from a Chart to a Chart")
        self.source = source
        self.target = target
        if isinstance(forward, sp.MatrixBase) and forward.shape == (target.dim, 1):
            self.forward = sp.ImmutableMatrix(forward)
        else:
            self.forward = components_in(
                source.manifold, forward, target, source, f"map {source.name!r} -> {target.name!r}"
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source.name!r} -> {self.target.name!r})"

    @functools.cached_property
    def jacobian(self) -> sp.ImmutableMatrix:
        """The Jacobian ``d(target)/d(source)`` in the source's coordinates."""
        return sp.ImmutableMatrix(self.forward.jacobian(self.source.coords))

    def _repr_latex_(self):
        rows = r" \\ ".join(f"{sp.latex(y)} &= {sp.latex(e)}" for y, e in zip(self.target.coords, self.forward))
        return r"$\begin{aligned} " + rows + r" \end{aligned}$"

    def pull(self, expr: sp.Expr | sp.MatrixBase) -> sp.Expr | sp.MatrixBase:
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
    """An invertible map between two charts of one manifold (immutable).

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
    restricted : tuple of sympy relationals
        The restrictions this transition added to its target chart, because
        its inverse lands in the source's domain only there (empty when the
        image is the whole target domain).

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

    _remedy = "add transitions with Manifold.transition(...) and compose them with .then(...)"

    def __init__(
        self,
        source: Chart,
        target: Chart,
        forward: sp.MatrixBase,
        inverse: sp.MatrixBase,
        verified: str,
        restricted: tuple = (),
    ) -> None:
        super().__init__(source, target, forward)
        self.inverse = sp.ImmutableMatrix(inverse)
        self.verified = verified
        self.restricted = tuple(restricted)

    def __repr__(self) -> str:
        where = ", ".join(map(str, self.restricted))
        where = f" restricting {self.target.name!r} to {where}" if where else ""
        return f"{type(self).__name__}({self.source.name!r} -> {self.target.name!r}{where})"

    def reversed(self) -> Transition:
        """The transition from ``target`` back to ``source``."""
        return Transition(self.target, self.source, self.inverse, self.forward, self.verified)

    def then(self, other: Transition) -> Transition:
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

    def push(self, expr: sp.Expr | sp.MatrixBase) -> sp.Expr | sp.MatrixBase:
        """Rewrite an expression in the source's coordinates in the target's coordinates.

        Parameters
        ----------
        expr : sympy.Expr or sympy.Matrix
            In the source's coordinates.

        Returns
        -------
        sympy.Expr or sympy.Matrix
            Each source coordinate replaced by ``inverse``; not simplified.  A
            derivative of an undefined function, ``Derivative(C(x), x)``, becomes
            its value at the image, ``Subs(Derivative(C(x), x), x, exp(y))``.
        """
        mapping = dict(zip(self.source.coords, self.inverse))
        if expr.has(sp.Derivative):  # a derivative by a coordinate is taken before the substitution
            return expr.subs(mapping, simultaneous=True)
        return expr.xreplace(mapping)

    @functools.cached_property
    def inverse_jacobian(self) -> sp.ImmutableMatrix:
        """``K = d(source)/d(target)`` in the target's coordinates."""
        return sp.ImmutableMatrix(self.inverse.jacobian(self.target.coords))

    @functools.cached_property
    def jacobian_at_target(self) -> sp.ImmutableMatrix:
        """``d(target)/d(source)`` written in the target's coordinates (equals ``K^{-1}``)."""
        return simplify_matrix(self.push(self.jacobian), "fast")


def identity(chart: Chart) -> Transition:
    """The identity transition of ``chart``."""
    m = sp.ImmutableMatrix(chart.coords)
    return Transition(chart, chart, m, m, "identity")
