r"""Scalars, covectors, vectors and metrics: tensor fields with components in any chart.

Each object is *given* in one chart and has components in every chart of its
manifold, found through the manifold's transition maps.  With ``x`` the
given chart's coordinates, ``y`` another chart's and ``K = dx/dy``:

=========  ========================================
Scalar     :math:`f_y = f_x(x(y))`
Covector   :math:`w_y = K^T w_x(x(y))`
Vector     :math:`v_y = K^{-1} v_x(x(y))`
Metric     :math:`G_y = K^T G_x(x(y)) K`
=========  ========================================

``K^{-1}`` is never inverted: it is the Jacobian ``dy/dx`` of the forward map,
rewritten in ``y``.  Objects are immutable; components are cached per chart
and simplification level.  Setting or deleting an attribute raises an
:class:`AttributeError`, and component matrices are
:class:`sympy.ImmutableMatrix` objects.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> x, y = sp.symbols("x y", positive=True)
>>> M = sg.Manifold("half-line")
>>> X, Y = M.chart(x), M.chart(y)
>>> _ = M.transition(X, Y, {y: sp.sqrt(x)})
>>> sg.Metric(M, X, sp.Matrix([[1]])).components(Y)
Matrix([[4*y**2]])
>>> sg.Vector(M, X, [1]).components(Y).T
Matrix([[1/(2*y)]])
>>> sg.Covector(M, X, [1]).components(Y).T
Matrix([[2*y]])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..errors import (
    ArgumentTypeError,
    DimensionError,
    ManifoldMismatchError,
    MetricError,
    NotSymmetricError,
)
from . import _domain
from ._coerce import as_expr, as_matrix, check_defined
from ._definiteness import check_positive_definite
from ._immutable import Immutable
from .chart import Chart
from .linalg import congruence, matmul
from .manifold import Manifold
from .simplify import Level, resolve, simplify_matrix

if TYPE_CHECKING:
    from ..numeric.flow import NumericFlow

__all__ = ["Scalar", "Covector", "Vector", "Metric", "check_same_manifold"]

#: What a tensor's components may be given as: an expression (a Scalar), a
#: sequence or a column (a Covector or Vector), a matrix or nested rows (a Metric).
_Components = sp.Expr | Sequence | sp.MatrixBase


def check_same_manifold(*named: tuple[str, _Field]) -> None:
    """Raise :class:`ManifoldMismatchError` unless every field lives on one manifold.

    Parameters
    ----------
    *named : tuple (str, field)
        A description used in the message (``"the cost"``) and the object;
        at least one.

    Raises
    ------
    ManifoldMismatchError
        If some object's manifold is not the first one's (compared by identity).

    Examples
    --------
    >>> import symgrad as sg
    >>> from symgrad.core.tensors import check_same_manifold
    >>> g, w = sg.catalog.gaussian_kl(), sg.catalog.wicked_map()
    >>> check_same_manifold(("the cost", g.cost), ("the metric", g.fisher))
    >>> check_same_manifold(("the cost", g.cost), ("the metric", w.true_metric))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.ManifoldMismatchError: the cost lives on 'normal family' but the metric on 'terrain'; ...
    >>> check_same_manifold(("the cost", g.cost), ("the metric", sg.catalog.gaussian_kl().fisher))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.ManifoldMismatchError: the cost and the metric live on two different manifolds that are both ...
    """
    (what0, first), *rest = named
    for what, obj in rest:
        if obj.manifold is not first.manifold:
            if obj.manifold.name == first.manifold.name:
                raise ManifoldMismatchError(
                    f"{what0} and {what} live on two different manifolds that are both named "
                    f"{first.manifold.name!r} (built separately, e.g. by two calls of one catalog "
                    "function); build both objects on one Manifold object"
                )
            raise ManifoldMismatchError(
                f"{what0} lives on {first.manifold.name!r} but {what} on "
                f"{obj.manifold.name!r}; both must live on one manifold"
            )


class _Field(Immutable):
    """Shared machinery: validation, caching and transformation of components."""

    _kind = "field"

    def __init__(self, manifold: Manifold, chart: Chart, components: _Components) -> None:
        self._place(manifold, chart)
        self._given = self._validate(components)
        # transformed components by (chart, simplification level): grows, never handed out
        self._cache = {}

    def _place(self, manifold, chart):
        """Check and set the manifold and the chart the components are given in."""
        if not isinstance(manifold, Manifold):
            raise ArgumentTypeError(f"the first argument of {type(self).__name__} must be a Manifold")
        if not isinstance(chart, Chart):
            raise ArgumentTypeError(f"the second argument of {type(self).__name__} must be a Chart")
        if chart.manifold is not manifold:
            raise ManifoldMismatchError(
                f"chart {chart.name!r} belongs to manifold {chart.manifold.name!r}, "
                f"not to {manifold.name!r}; a {self._kind} lives on one manifold"
            )
        self.manifold = manifold
        self.chart = chart

    # subclasses define _validate(components) and _transform(components, transition, f)

    def components(self, chart: Chart | None = None, simplify: Level = "fast") -> sp.Expr | sp.ImmutableMatrix:
        """The components in ``chart`` (default: the chart the object was given in).

        Parameters
        ----------
        chart : Chart, optional
            Any chart of the manifold joined to the given one by transitions.
        simplify : {"none", "fast", "compact", "factor", "full"} or callable
            How to simplify transformed components (see :mod:`symgrad.simplify`).

        Returns
        -------
        sympy.Expr or sympy.ImmutableMatrix
            An expression for a :class:`Scalar`; a column of ``dim`` entries
            for a :class:`Covector` or :class:`Vector`; a ``dim x dim``
            matrix for a :class:`Metric`.
        """
        resolve(simplify)  # an unknown level is an error in every chart
        if chart is None or chart is self.chart:
            return self._given
        self.manifold._own(chart)
        key = (chart, simplify)
        if key not in self._cache:
            transition = self.manifold.transition_map(self.chart, chart)
            self._cache[key] = self._transform(self._given, transition, resolve(simplify))
        return self._cache[key]

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other.manifold is self.manifold
            and other.chart is self.chart
            and other._given == self._given
        )

    def __hash__(self) -> int:
        return hash((type(self), id(self.manifold), id(self.chart), self._given))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.chart.name!r}, {self._given})"

    def _vector_components(self, components):
        chart = self.chart
        if isinstance(components, sp.MatrixBase):
            if 1 not in components.shape:
                raise DimensionError(
                    f"{self._kind} components must be a vector, got a matrix of shape {components.shape}"
                )
            items = list(components)
        else:
            try:
                items = list(components)
            except TypeError:
                raise DimensionError(f"{self._kind} components must be a sequence of {chart.dim} expressions") from None
        if len(items) != chart.dim:
            raise DimensionError(
                f"a {self._kind} on chart {chart.name!r} needs {chart.dim} components "
                f"(one per coordinate {', '.join(map(str, chart.coords))}); got {len(items)}"
            )
        exprs = [as_expr(v, f"{self._kind} component {i}") for i, v in enumerate(items)]
        for i, e in enumerate(exprs):
            check_defined(e, f"{self._kind} component {i}")
            self.manifold.check_expression(e, chart, f"{self._kind} component {i}")
        return sp.ImmutableMatrix(exprs)


def _latex_matrix(m):
    return sp.latex(sp.Matrix(m))


def _latex_sum(components, basis):
    """``$(c_1) b_1 + (c_2) b_2 + ...$`` over the non-zero components."""
    terms = [rf"\left({sp.latex(c)}\right) {b}" for c, b in zip(components, basis) if c != 0]
    return "$" + (" + ".join(terms) or "0") + "$"


class Scalar(_Field):
    r"""A function on the manifold, e.g. a cost: :math:`f_y = f_x(x(y))`.

    Parameters
    ----------
    manifold : Manifold
    chart : Chart
        The chart the expression is written in.
    expr : sympy.Expr
        An expression in the chart's coordinates (and any parameters).

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y = sp.symbols("x y", positive=True)
    >>> M = sg.Manifold("half-line")
    >>> X, Y = M.chart(x), M.chart(y)
    >>> _ = M.transition(X, Y, {y: sp.sqrt(x)})
    >>> sg.Scalar(M, X, (x - 1)**2).components(Y)
    y**4 - 2*y**2 + 1
    """

    _kind = "scalar"
    _remedy = "make a new Scalar(manifold, chart, expr)"

    def _validate(self, expr):
        e = check_defined(as_expr(expr, "scalar expression"), "the scalar expression")
        self.manifold.check_expression(e, self.chart, "scalar expression")
        return e

    def _transform(self, f, transition, simplify):
        return simplify(transition.push(f))

    def _repr_latex_(self):
        return "$" + sp.latex(self._given) + "$"


class Covector(_Field):
    r"""A 1-form, e.g. the differential of a cost: :math:`w_y = K^T w_x(x(y))`.

    Parameters
    ----------
    manifold : Manifold
    chart : Chart
    components : sequence or sympy.Matrix of length dim

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y = sp.symbols("x y", positive=True)
    >>> M = sg.Manifold("half-line")
    >>> X, Y = M.chart(x), M.chart(y)
    >>> _ = M.transition(X, Y, {y: sp.sqrt(x)})
    >>> sg.Covector(M, X, [2 * (x - 1)]).components(Y).T
    Matrix([[4*y*(y**2 - 1)]])
    """

    _kind = "covector"
    _remedy = "make a new Covector(manifold, chart, components)"

    def _validate(self, components):
        return self._vector_components(components)

    def _transform(self, w, transition, simplify):
        K = transition.inverse_jacobian
        return simplify_matrix(matmul(K.T, transition.push(w)), simplify)

    def __call__(self, vector: Vector) -> sp.Expr:
        """The pairing ``w(v) = sum_i w_i v^i``, in this covector's chart."""
        if vector.manifold is not self.manifold:
            raise ManifoldMismatchError("a covector pairs with a vector of the same manifold")
        v = vector.components(self.chart)
        return sp.factor_terms(sp.cancel((self._given.T * v)[0, 0]))

    def _repr_latex_(self):
        return _latex_sum(self._given, [rf"d{sp.latex(c)}" for c in self.chart.coords])


class Vector(_Field):
    r"""A tangent vector field, e.g. a flow: :math:`v_y = K^{-1} v_x(x(y))`.

    Parameters
    ----------
    manifold : Manifold
    chart : Chart
    components : sequence or sympy.Matrix of length dim

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y = sp.symbols("x y", positive=True)
    >>> M = sg.Manifold("half-line")
    >>> X, Y = M.chart(x), M.chart(y)
    >>> _ = M.transition(X, Y, {y: sp.sqrt(x)})
    >>> sg.Vector(M, X, [-2 * (x - 1)]).components(Y).T
    Matrix([[(1 - y**2)/y]])
    """

    _kind = "vector"
    _remedy = "make a new Vector(manifold, chart, components)"

    def _validate(self, components):
        return self._vector_components(components)

    def _transform(self, v, transition, simplify):
        return simplify_matrix(matmul(transition.jacobian_at_target, transition.push(v)), simplify)

    def _repr_latex_(self):
        basis = [rf"\frac{{\partial}}{{\partial {sp.latex(c)}}}" for c in self.chart.coords]
        return _latex_sum(self._given, basis)

    def numeric(
        self, chart: Chart | None = None, params: Mapping[sp.Symbol | str, float] | None = None, **options: Any
    ) -> NumericFlow:
        """The field in ``chart`` (default: its own) as vectorised numpy code: a :class:`~symgrad.NumericFlow`.

        ``params`` binds parameters once, ``{symbol or name: number}`` (the others
        are passed by name at each call); ``options`` go to NumericFlow (``check``).

        Examples
        --------
        >>> import symgrad as sg
        >>> one = sg.catalog.one_dimensional()
        >>> num = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta).numeric(one.Xt, params={one.eta: 1})
        >>> num([[1.0], [2.0]])
        array([[ 0. ],
               [-1.5]])
        """
        from ..numeric.flow import NumericFlow

        return NumericFlow(self, chart, params, **options)


class Metric(_Field):
    r"""A symmetric positive-definite (0,2) tensor field: :math:`G_y = K^T G_x(x(y)) K`.

    The constructor checks that the matrix is symmetric and positive definite
    on the chart's domain: symbolically where sympy can decide it with the
    domain's assumptions, otherwise at random points of the domain.  The
    attribute :attr:`checked` says which.

    A metric built as a pullback :math:`G = J^T G_0 J` (by
    :func:`~symgrad.pullback`, or with ``pullback_factors=(J, G0)``) keeps its
    factors, :meth:`pullback_factors`; where ``J`` is square, the gradient
    solves :math:`J^{-1} G_0^{-1} J^{-T}` instead of inverting the product.

    Metrics on one manifold add, ``F + G``, and scale by a positive number or
    parameter, ``lam * F``; ``sum([F, G])`` works too.  The result is given in
    the first operand's chart and checked (see :func:`~symgrad.metric_sum`).

    Parameters
    ----------
    manifold : Manifold
    chart : Chart
    matrix : sympy.Matrix or nested sequence, shape (dim, dim), optional
        May be left out when ``pullback_factors`` are given: it is then
        :math:`J^T G_0 J`.
    check : bool
        Set False to skip the positive-definiteness check (symmetry is
        always checked).
    pullback_factors : tuple (J, G0) of sympy matrices, optional
        ``J`` of shape (k, dim) and ``G0`` symmetric of shape (k, k), in the
        chart's coordinates, with :math:`G = J^T G_0 J`; checked against
        ``matrix`` when both are given.
    provenance : sequence, optional
        Notes on entries that are not derived (see :attr:`provenance`).

    Attributes
    ----------
    manifold : Manifold
    chart : Chart
        The chart the matrix is given in.
    checked : str
        ``"symbolic"``, ``"numeric (N random points)"`` or ``"skipped"``.
    provenance : tuple
        What in the matrix is not derived but found otherwise, e.g. the
        constants of a Fisher metric identified numerically
        (:func:`~symgrad.fisher_metric`); empty when every entry is derived.

    Raises
    ------
    NotSymmetricError, NotPositiveDefiniteError, DimensionError
    MetricError
        If ``matrix`` is not :math:`J^T G_0 J` for the given factors.
    ArgumentTypeError
        If neither ``matrix`` nor ``pullback_factors`` is given.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> mu = sp.Symbol("mu", real=True)
    >>> sigma = sp.Symbol("sigma", positive=True)
    >>> M = sg.Manifold("normal family")
    >>> A = M.chart(mu, sigma)
    >>> F = sg.Metric(M, A, sp.diag(1 / sigma**2, 2 / sigma**2))
    >>> F.checked
    'symbolic'
    >>> x = sp.Symbol("x", positive=True)
    >>> X = sg.Manifold("half-line").chart(x)
    >>> G = sg.Metric(X.manifold, X, pullback_factors=(sp.Matrix([[1 / x]]), sp.Matrix([[2]])))
    >>> G.components(), G.pullback_factors()
    (Matrix([[2/x**2]]), (Matrix([[1/x]]), Matrix([[2]])))
    >>> lam = sp.Symbol("lambda", positive=True)
    >>> (G + lam * sg.euclidean(X)).components()
    Matrix([[(lambda*x**2 + 2)/x**2]])
    """

    _kind = "metric"
    _remedy = "make a new Metric(manifold, chart, matrix), or use a constructor such as sg.euclidean(chart)"

    def __init__(
        self,
        manifold: Manifold,
        chart: Chart,
        matrix: sp.MatrixBase | Sequence[Sequence[sp.Expr]] | None = None,
        *,
        check: bool = True,
        pullback_factors: tuple[sp.MatrixBase, sp.MatrixBase] | None = None,
        provenance: Sequence = (),
    ) -> None:
        self._place(manifold, chart)
        self.provenance = tuple(provenance)
        factors = None if pullback_factors is None else self._validate_factors(pullback_factors)
        if matrix is None:
            if factors is None:
                raise ArgumentTypeError(
                    f"a Metric on chart {chart.name!r} needs its matrix, or pullback_factors=(J, G0) "
                    "for the matrix J^T G0 J"
                )
            super().__init__(manifold, chart, congruence(*factors, "fast"))
        else:
            super().__init__(manifold, chart, matrix)
            if factors is not None:
                self._check_factors(self._given, factors)
        # the factors (J, G0) in the given chart, or None; in other charts, cached by chart
        self._pullback_factors = factors
        self._factors_in = {}
        self.checked = self._check_positive_definite(self._given, factors) if check else "skipped"

    def _validate(self, matrix):
        chart = self.chart
        try:
            m = as_matrix(matrix, f"metric on chart {chart.name!r}")
        except (ValueError, sp.matrices.exceptions.ShapeError):
            raise DimensionError(
                f"metric components on chart {chart.name!r} must be a square matrix of expressions"
            ) from None
        if m.shape != (chart.dim, chart.dim):
            raise DimensionError(
                f"a metric on chart {chart.name!r} needs a {chart.dim}x{chart.dim} matrix; got shape {m.shape}"
            )
        for e in set(m):
            check_defined(e, f"a metric entry on chart {chart.name!r}")
            self.manifold.check_expression(e, chart, "metric entry")
        m = sp.ImmutableMatrix(m)
        self._check_symmetric(m)
        return m

    def _check_symmetric(self, m):
        intervals = None
        for (i, j), e in m.todok().items():
            if i < j and e != m[j, i]:
                intervals = intervals or self.manifold.parameter_intervals(self.chart, *m)
                zero, _ = _domain.decide_zero(e - m[j, i], intervals)
                if not zero:
                    raise NotSymmetricError(
                        f"metric on chart {self.chart.name!r} is not symmetric: entry ({i}, {j}) "
                        f"is {e} but entry ({j}, {i}) is {m[j, i]}"
                    )

    def _check_positive_definite(self, m, factors):
        """How ``m`` was shown positive definite; a pullback's factors decide by the rank of ``J``."""
        exprs = [*m] if factors is None else [*m, *factors[0], *factors[1]]
        intervals = self.manifold.parameter_intervals(self.chart, *exprs)
        return check_positive_definite(m, self.chart, intervals, factors)

    def _transform(self, G, transition, simplify):
        return congruence(transition.inverse_jacobian, transition.push(G), simplify)

    # ``F + G``, ``0 + F`` (so that ``sum`` works), ``c * F`` and ``F * c`` with c > 0: see metric_sum
    def __add__(self, other: object) -> Metric:
        from ._metric_algebra import add

        return add(self, other)

    __radd__ = __add__

    def __mul__(self, c: object) -> Metric:
        from ._metric_algebra import multiply

        return multiply(self, c)

    __rmul__ = __mul__

    def _validate_factors(self, factors):
        """The pair ``(J, G0)`` as immutable matrices of the right shapes, in the chart's coordinates."""
        chart = self.chart
        try:
            J, G0 = factors
        except (TypeError, ValueError):
            raise ArgumentTypeError(
                f"pullback_factors of a metric on chart {chart.name!r} is a pair (J, G0) of matrices, "
                f"with the metric J^T G0 J; got {factors!r}"
            ) from None
        J = as_matrix(J, f"the factor J of a metric on chart {chart.name!r}")
        G0 = as_matrix(G0, f"the factor G0 of a metric on chart {chart.name!r}")
        if J.cols != chart.dim or G0.shape != (J.rows, J.rows):
            raise DimensionError(
                f"pullback_factors of a metric on chart {chart.name!r} need J of shape (k, {chart.dim}) "
                f"and G0 of shape (k, k); got J of shape {J.shape} and G0 of shape {G0.shape}"
            )
        for e in set(J) | set(G0):
            self.manifold.check_expression(e, chart, "pullback factor entry")
        return sp.ImmutableMatrix(J), sp.ImmutableMatrix(G0)

    def _check_factors(self, matrix, factors):
        """Raise :class:`MetricError` unless ``matrix`` is ``J^T G0 J`` on the chart's domain."""
        product = congruence(*factors, "none")
        intervals = None
        for i in range(matrix.rows):
            for j in range(i, matrix.cols):
                if product[i, j] == matrix[i, j]:
                    continue
                intervals = intervals or self.manifold.parameter_intervals(self.chart, *product, *matrix)
                if _domain.decide_zero(product[i, j] - matrix[i, j], intervals)[0] is not True:
                    raise MetricError(
                        f"pullback_factors of the metric on chart {self.chart.name!r} do not give its "
                        f"matrix: entry ({i}, {j}) of J^T G0 J is {product[i, j]} but the matrix has "
                        f"{matrix[i, j]}; pass the matrix alone, or the factors alone"
                    )

    def pullback_factors(self, chart: Chart | None = None) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix] | None:
        r"""The factors ``(J, G0)`` of :math:`G = J^T G_0 J` in ``chart`` if the metric is a pullback, else None.

        Parameters
        ----------
        chart : Chart, optional
            Any chart of the manifold (default: the metric's chart).  In
            another chart, with :math:`K = dx/dy`, the factors are
            :math:`(J K, G_0)` rewritten in its coordinates.

        Returns
        -------
        tuple (J, G0) of sympy.ImmutableMatrix, or None
            ``J`` of shape (k, dim), ``G0`` of shape (k, k); None for a
            metric not built as a pullback.

        Examples
        --------
        >>> import sympy as sp
        >>> import symgrad as sg
        >>> x = sp.Symbol("x", positive=True)
        >>> u = sp.Symbol("u", real=True)
        >>> A = sg.Manifold("half-line").chart(x)
        >>> U = sg.Manifold("line").chart(u)
        >>> G = sg.pullback(sg.euclidean(U), sg.Map(A, U, {u: sp.log(x)}))
        >>> G.pullback_factors()
        (Matrix([[1/x]]), Matrix([[1]]))
        >>> sg.euclidean(A).pullback_factors() is None
        True
        """
        if self._pullback_factors is None:
            return None
        if chart is None or chart is self.chart:
            return self._pullback_factors
        self.manifold._own(chart)
        if chart not in self._factors_in:
            J, G0 = self._pullback_factors
            transition = self.manifold.transition_map(self.chart, chart)
            K = transition.inverse_jacobian
            self._factors_in[chart] = (
                simplify_matrix(matmul(transition.push(J), K), "fast"),
                simplify_matrix(transition.push(G0), "fast"),
            )
        return self._factors_in[chart]

    def _repr_latex_(self):
        return "$" + _latex_matrix(self._given) + "$"
