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
and simplification level.

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

import numpy as np
import sympy as sp

from ..errors import (
    ArgumentTypeError,
    DimensionError,
    ManifoldMismatchError,
    NotPositiveDefiniteError,
    NotSymmetricError,
)
from . import _domain
from ._coerce import as_expr, as_matrix
from .chart import Chart
from .linalg import blocks, congruence, matmul
from .manifold import Manifold
from .simplify import resolve, simplify_matrix

__all__ = ["Scalar", "Covector", "Vector", "Metric", "check_same_manifold"]


def check_same_manifold(*named):
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
    >>> check_same_manifold(("the cost", g.cost), ("the metric", w.true_metric))
    Traceback (most recent call last):
        ...
    symgrad.errors.ManifoldMismatchError: the cost lives on 'normal family' but the metric on 'terrain'; both must live on one manifold
    >>> check_same_manifold(("the cost", g.cost), ("the metric", sg.catalog.gaussian_kl().fisher))
    Traceback (most recent call last):
        ...
    symgrad.errors.ManifoldMismatchError: the cost and the metric live on two different manifolds that are both named 'normal family' (built separately, e.g. by two calls of one catalog function); build both objects on one Manifold object
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


class _Field:
    """Shared machinery: validation, caching and transformation of components."""

    _kind = "field"

    def __init__(self, manifold, chart, components):
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
        self._given = self._validate(components)
        self._cache = {}

    # subclasses define _validate(components) and _transform(components, transition, f)

    def components(self, chart=None, simplify="fast"):
        """The components in ``chart`` (default: the chart the object was given in).

        Parameters
        ----------
        chart : Chart, optional
            Any chart of the manifold joined to the given one by transitions.
        simplify : {"none", "fast", "compact", "factor", "full"} or callable
            How to simplify transformed components (see :mod:`symgrad.simplify`).
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

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other.manifold is self.manifold
            and other.chart is self.chart
            and other._given == self._given
        )

    def __hash__(self):
        return hash((type(self), id(self.manifold), id(self.chart), self._given))

    def __repr__(self):
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

    def _validate(self, expr):
        e = as_expr(expr, "scalar expression")
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

    def _validate(self, components):
        return self._vector_components(components)

    def _transform(self, w, transition, simplify):
        K = transition.inverse_jacobian
        return simplify_matrix(matmul(K.T, transition.push(w)), simplify)

    def __call__(self, vector):
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

    def _validate(self, components):
        return self._vector_components(components)

    def _transform(self, v, transition, simplify):
        return simplify_matrix(matmul(transition.jacobian_at_target, transition.push(v)), simplify)

    def _repr_latex_(self):
        basis = [rf"\frac{{\partial}}{{\partial {sp.latex(c)}}}" for c in self.chart.coords]
        return _latex_sum(self._given, basis)


class Metric(_Field):
    r"""A symmetric positive-definite (0,2) tensor field: :math:`G_y = K^T G_x(x(y)) K`.

    The constructor checks that the matrix is symmetric and positive definite
    on the chart's domain: symbolically where sympy can decide it with the
    domain's assumptions, otherwise at random points of the domain.  The
    attribute :attr:`checked` says which.

    Parameters
    ----------
    manifold : Manifold
    chart : Chart
    matrix : sympy.Matrix or nested sequence, shape (dim, dim)
    check : bool
        Set False to skip the positive-definiteness check (symmetry is
        always checked).

    Attributes
    ----------
    checked : str
        ``"symbolic"``, ``"numeric (N random points)"`` or ``"skipped"``.

    Raises
    ------
    NotSymmetricError, NotPositiveDefiniteError, DimensionError

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
    """

    _kind = "metric"

    def __init__(self, manifold, chart, matrix, *, check=True):
        self._check = check
        self._factor = None
        super().__init__(manifold, chart, matrix)

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
            self.manifold.check_expression(e, chart, "metric entry")
        m = sp.ImmutableMatrix(m)
        self._check_symmetric(m)
        self.checked = self._check_positive_definite(m) if self._check else "skipped"
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

    def _check_positive_definite(self, m):
        chart = self.chart
        intervals = self.manifold.parameter_intervals(chart, *m)
        subs = _domain.sign_substitutions(intervals)
        numeric = []
        for idx in blocks(m):
            block = m.extract(idx, idx)
            size = len(idx)
            if size <= 3:
                minors = [block[:k, :k].det(method="berkowitz") for k in range(1, size + 1)]
                verdicts = [_domain.decide_positive(d, intervals, subs) for d in minors]
            else:
                verdicts = [None]
            if False in verdicts:
                k = verdicts.index(False)
                raise NotPositiveDefiniteError(
                    f"metric on chart {chart.name!r} is not positive definite: the leading "
                    f"minor of size {k + 1} of the block {idx} is {sp.factor(minors[k])}, "
                    "which is not positive on the domain"
                )
            if None in verdicts:
                numeric.append((idx, block))
        if not numeric:
            return "symbolic"
        for idx, block in numeric:
            values, far = _domain.sample_near_and_far(block.free_symbols, intervals)
            if not values:
                mats = np.array(block.evalf(), dtype=float)[None]
                points = None
            else:
                mats = _domain.evaluate(block, values)
                # a matrix that overflows far out in the domain proves nothing
                keep = np.all(np.isfinite(mats), axis=(1, 2)) | ~far
                mats = mats[keep]
                points = {s: v[keep] for s, v in values.items()}
            bad = ~np.all(np.isfinite(mats), axis=(1, 2))
            eig = np.full(len(mats), -np.inf)
            eig[~bad] = np.linalg.eigvalsh(mats[~bad]).min(axis=1)
            if np.any(eig <= 0):
                k = int(np.argmin(eig))
                at = (
                    ", ".join(f"{s}={points[s][k]:.4g}" for s in sorted(points, key=sp.default_sort_key))
                    if points
                    else "every point"
                )
                raise NotPositiveDefiniteError(
                    f"metric on chart {chart.name!r} is not positive definite on its domain: "
                    f"block {idx} has smallest eigenvalue {eig[k]:.4g} at {at}"
                )
        return f"numeric ({2 * _domain.N_POINTS} random points)"

    def _transform(self, G, transition, simplify):
        return congruence(transition.inverse_jacobian, transition.push(G), simplify)

    def factor(self, chart=None):
        """A factorisation ``G = J^T G0 J`` in ``chart`` if the metric is a pullback, else None.

        Returns
        -------
        tuple (J, G0) of sympy matrices, or None
        """
        if self._factor is None:
            return None
        J, G0 = self._factor
        if chart is None or chart is self.chart:
            return J, G0
        transition = self.manifold.transition_map(self.chart, chart)
        K = transition.inverse_jacobian
        return (
            simplify_matrix(matmul(transition.push(J), K), "fast"),
            simplify_matrix(transition.push(G0), "fast"),
        )

    @classmethod
    def _pulled_back(cls, manifold, chart, matrix, J, G0):
        """A metric ``J^T G0 J`` that remembers its factors (for cheaper solves)."""
        metric = cls(manifold, chart, matrix)
        metric._factor = (sp.ImmutableMatrix(J), sp.ImmutableMatrix(G0))
        return metric

    def _repr_latex_(self):
        return "$" + _latex_matrix(self._given) + "$"
