r"""Second-order geometry of a metric: Christoffel symbols, geodesics, covariant Hessians.

The Levi-Civita connection of a metric :math:`G` has the Christoffel symbols
:math:`\Gamma^k_{ij} = \tfrac12 g^{kl}(\partial_i g_{lj} + \partial_j g_{li} - \partial_l g_{ij})`.
They are *not* the components of a tensor: under a chart change they pick up
the second derivatives of the transition map.  With them come the geodesic
equations :math:`\ddot x^k = -\Gamma^k_{ij} \dot x^i \dot x^j`, the covariant
(Riemannian) Hessian :math:`(\mathrm{Hess}\, C)_{ij} = \partial_i \partial_j C - \Gamma^k_{ij} \partial_k C`
(a (0,2) tensor, unlike the matrix of second partials) and the Riemannian Newton
flow.  Momentum (Hamiltonian) descent, whose kinetic energy uses the metric, is
in :mod:`symgrad.analysis.hamiltonian`.

Examples
--------
>>> import symgrad as sg
>>> g = sg.catalog.gaussian()
>>> Gamma = sg.christoffel(g.fisher)       # Gamma[k][i][j] in the chart (mu, sigma)
>>> Gamma[0, 0, 1], Gamma[1, 0, 0], Gamma[1, 1, 1]
(-1/sigma, 1/(2*sigma), -1/sigma)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from ..budgets import stage
from ..core._coerce import as_expr
from ..core.chart import Chart
from ..core.gradient import differential
from ..core.linalg import solve_metric
from ..core.simplify import resolve
from ..core.tensors import Metric, Scalar, Vector, check_same_manifold
from ..errors import (
    DimensionError,
    GeometryError,
    MetricError,
    NotAMetricError,
    SingularHessianError,
)
from ..numeric import _ivp, _kernels, _params

__all__ = [
    "christoffel",
    "geodesic_equations",
    "geodesic",
    "Geodesic",
    "riemannian_hessian",
    "newton_flow",
]

#: The default curve parameter of :func:`geodesic_equations`.
_TIME = sp.Symbol("t", real=True)


# -- helpers -----------------------------------------------------------------------------------


def _check_metric(metric):
    if not isinstance(metric, Metric):
        raise NotAMetricError(f"expected a Metric, got {type(metric).__name__}")


def _check_cost(cost, metric):
    if not isinstance(cost, Scalar):
        raise GeometryError(f"the cost must be a Scalar, got {type(cost).__name__}")
    _check_metric(metric)
    check_same_manifold(("the cost", cost), ("the metric", metric))


def _inverse_metric(metric, chart, simplify):
    """A function ``w -> G^{-1} w`` (a list) for the metric's components in ``chart``.

    In the metric's own chart, or for a pullback, :func:`solve_metric` uses the
    structure of ``G``.  In another chart ``G_y = K^T G_x K`` and
    ``G_y^{-1} w = K^{-1} G_x^{-1} K^{-T} w`` with ``K^{-1} = dy/dx`` known in
    closed form, so only the (often diagonal) ``G_x`` is solved.
    """
    f = resolve(simplify)
    factor = metric.pullback_factors(chart)
    if chart is metric.chart or factor is not None:
        G = metric.components(chart)
        return lambda w: list(solve_metric(G, w, simplify, factor=factor))
    T = metric.manifold.transition_map(metric.chart, chart)
    Jt = T.jacobian_at_target
    G0 = T.push(metric.components())

    def solve(w):
        u = solve_metric(G0, Jt.T * sp.Matrix(w), "none")
        return [f(e) for e in Jt * u]

    return solve


# -- Christoffel symbols -----------------------------------------------------------------------


@stage("the Christoffel symbols")
def christoffel(metric: Metric, chart: Chart | None = None, simplify="fast") -> sp.ImmutableDenseNDimArray:
    r"""The Christoffel symbols of the second kind of the Levi-Civita connection.

    :math:`\Gamma^k_{ij} = \tfrac12 g^{kl}(\partial_i g_{lj} + \partial_j g_{li} - \partial_l g_{ij})`

    Parameters
    ----------
    metric : Metric
    chart : Chart, optional
        The chart to compute in (default: the metric's chart).  The symbols
        are not a tensor: in another chart they are not the transformed
        components but follow the inhomogeneous law of a connection.
    simplify : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    sympy.ImmutableDenseNDimArray, shape (dim, dim, dim)
        Indexed ``[k, i, j]`` (upper index first), symmetric in ``i, j``.

    Notes
    -----
    ``G^{-1}`` is never formed: for each pair ``i <= j`` the symbols of the
    first kind :math:`\Gamma_{l,ij}` are solved against ``G`` with
    :func:`symgrad.simplify.solve_metric` (block by block, so a diagonal
    metric costs one division per entry).

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> r = sp.Symbol("r", positive=True)
    >>> th = sp.Symbol("theta", real=True)
    >>> P = sg.Manifold("plane").chart(r, th)
    >>> G = sg.Metric(P.manifold, P, sp.diag(1, r**2))   # the flat metric in polar coordinates
    >>> sg.christoffel(G)
    [[[0, 0], [0, -r]], [[0, 1/r], [1/r, 0]]]
    """
    _check_metric(metric)
    chart = chart or metric.chart
    G = metric.components(chart)
    coords = chart.coords
    n = chart.dim
    dG = [G.diff(c) for c in coords]  # dG[m][a, b] = d_m g_ab
    solve = _inverse_metric(metric, chart, simplify)
    out = {}
    for i in range(n):
        for j in range(i, n):
            first = sp.Matrix([sp.Rational(1, 2) * (dG[i][m, j] + dG[j][m, i] - dG[m][i, j]) for m in range(n)])
            if all(e == 0 for e in first):
                col = [sp.Integer(0)] * n
            else:
                col = solve(first)
            for k in range(n):
                out[(k, i, j)] = out[(k, j, i)] = col[k]
    return sp.ImmutableDenseNDimArray(
        [[[out[(k, i, j)] for j in range(n)] for i in range(n)] for k in range(n)], (n, n, n)
    )


# -- geodesics ---------------------------------------------------------------------------------


def geodesic_equations(
    metric: Metric, chart: Chart | None = None, t: sp.Symbol = _TIME, simplify="fast"
) -> list[sp.Eq]:
    r"""The geodesic equations :math:`\ddot x^k = -\Gamma^k_{ij} \dot x^i \dot x^j` as sympy equations.

    Parameters
    ----------
    metric : Metric
    chart : Chart, optional
        Default: the metric's chart.
    t : sympy.Symbol
        The curve parameter.
    simplify : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    list of sympy.Eq
        ``Eq(Derivative(x(t), (t, 2)), rhs)``, one per coordinate.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> r = sp.Symbol("r", positive=True)
    >>> th = sp.Symbol("theta", real=True)
    >>> P = sg.Manifold("plane").chart(r, th)
    >>> for eq in sg.geodesic_equations(sg.Metric(P.manifold, P, sp.diag(1, r**2))):
    ...     print(eq)
    Eq(Derivative(r(t), (t, 2)), r(t)*Derivative(theta(t), t)**2)
    Eq(Derivative(theta(t), (t, 2)), -2*Derivative(r(t), t)*Derivative(theta(t), t)/r(t))
    """
    chart = chart or (metric.chart if isinstance(metric, Metric) else None)
    Gamma = christoffel(metric, chart, simplify)
    n = chart.dim
    funcs = {c: sp.Function(c.name, real=True)(t) for c in chart.coords}
    vel = [sp.Derivative(funcs[c], t) for c in chart.coords]
    eqs = []
    for k, c in enumerate(chart.coords):
        rhs = -sp.Add(*[Gamma[k, i, j].xreplace(funcs) * vel[i] * vel[j] for i in range(n) for j in range(n)])
        eqs.append(sp.Eq(sp.Derivative(funcs[c], (t, 2)), sp.factor_terms(rhs)))
    return eqs


@dataclass(frozen=True)
class Geodesic:
    """A numeric geodesic: times, positions and velocities, as :func:`geodesic` returns it.

    Attributes
    ----------
    t : numpy.ndarray, shape (m,)
        The times (``t_eval`` when given, else the solver's steps).
    x : numpy.ndarray, shape (m, dim)
        Positions in the chart.
    v : numpy.ndarray, shape (m, dim)
        Velocities :math:`\\dot x`.
    chart : Chart
        The chart of ``x`` and ``v``.

    Examples
    --------
    The Euclidean plane in polar coordinates: the geodesic from :math:`(1, 0)`
    straight up is :math:`r = \\sqrt{1 + t^2}`, :math:`\\theta = \\arctan t`.

    >>> import numpy as np
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> r, th = sp.Symbol("r", positive=True), sp.Symbol("theta", real=True)
    >>> P = sg.Manifold("plane").chart(r, th, name="polar")
    >>> geo = sg.geodesic(sg.Metric(P.manifold, P, sp.diag(1, r**2)), P, [1.0, 0.0], [0.0, 1.0],
    ...                   (0, 1), t_eval=[0, 0.5, 1], rtol=1e-10, atol=1e-12)
    >>> geo.t, geo.chart.name
    (array([0. , 0.5, 1. ]), 'polar')
    >>> np.round(geo.x, 6)                         # (1, 0), (sqrt(5)/2, atan(1/2)), (sqrt(2), pi/4)
    array([[1.      , 0.      ],
           [1.118034, 0.463648],
           [1.414214, 0.785398]])
    """

    t: np.ndarray
    x: np.ndarray
    v: np.ndarray
    chart: Chart


def geodesic(
    metric: Metric,
    chart: Chart | None,
    x0: ArrayLike,
    v0: ArrayLike,
    t_span: tuple[float, float],
    t_eval: ArrayLike | None = None,
    params: Mapping | None = None,
    **solve_ivp_options,
) -> Geodesic:
    r"""Integrate the geodesic through ``x0`` with initial velocity ``v0`` (scipy's ``solve_ivp``).

    The Christoffel symbols are derived and lambdified once (with common
    subexpression elimination); the parameters' values are substituted exactly.

    Parameters
    ----------
    metric : Metric
    chart : Chart or None
        The chart to integrate in (None: the metric's chart).
    x0, v0 : array_like, shape (dim,)
        Initial point (in the chart's domain) and velocity.
    t_span : (float, float)
    t_eval : array_like, optional
    params : dict, optional
        Numeric values ``{symbol or name: number}`` of the metric's parameters.
    **solve_ivp_options
        Passed to :func:`scipy.integrate.solve_ivp` (``method``, ``rtol``, ``atol``, ...).

    Returns
    -------
    Geodesic

    Raises
    ------
    DimensionError, DomainError
    UnknownParameterError
        A key of ``params`` is no parameter of the metric (in ``chart``).
    UnboundParameterError
        The Christoffel symbols use a parameter ``params`` gives no value.
    ParameterValueError
        A value is not a finite real number in its parameter's range.
    GeometryError
        The integration failed.

    Examples
    --------
    >>> import numpy as np
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian()
    >>> geo = sg.geodesic(g.fisher, None, [0.0, 1.0], [1.0, 0.0], (0, 1), rtol=1e-9, atol=1e-12)
    >>> geo.x.shape[1]
    2
    >>> bool(np.all(geo.x[:, 1] <= 1.0 + 1e-12))   # leaving horizontally: the top of a half-ellipse
    True
    """
    _check_metric(metric)
    chart = chart or metric.chart
    n = chart.dim
    x0 = np.asarray(x0, dtype=float)
    v0 = np.asarray(v0, dtype=float)
    if x0.shape != (n,) or v0.shape != (n,):
        raise DimensionError(
            f"x0 and v0 must each have {n} entries (one per coordinate of chart {chart.name!r}); "
            f"got shapes {x0.shape} and {v0.shape}"
        )
    chart.check_point(x0)
    known = _params.symbols(metric.components(chart), exclude=chart.coords)
    bound = _params.bind(
        params,
        known,
        of=f"the metric in chart {chart.name!r}",
        coordinates=metric.manifold.coordinates,
    )
    entries = [e.xreplace(bound) for e in sp.flatten(christoffel(metric, chart).tolist())]
    _params.require(_params.symbols(entries, exclude=chart.coords), bound, what="geodesic")
    kernel = _kernels.Kernel(entries, chart.coords)

    def rhs(_t, y):
        x, v = y[:n], y[n:]
        G = kernel(x).reshape(n, n, n)
        return np.concatenate([v, -np.einsum("kij,i,j->k", G, v, v)])

    t, y = _ivp.trajectory(
        rhs,
        np.concatenate([x0, v0]),
        t_span,
        t_eval,
        what=f"the geodesic from {list(x0)}",
        error=GeometryError,
        **solve_ivp_options,
    )
    return Geodesic(t=t, x=y[:, :n].copy(), v=y[:, n:].copy(), chart=chart)


# -- covariant Hessian and Newton flow -----------------------------------------------------------


def riemannian_hessian(cost: Scalar, metric: Metric, chart: Chart | None = None, simplify="fast") -> sp.ImmutableMatrix:
    r"""The covariant Hessian :math:`\partial_i \partial_j C - \Gamma^k_{ij} \partial_k C` of a cost.

    A symmetric (0,2) tensor: in another chart it transforms as
    :math:`H_y = K^T H_x(x(y)) K`, unlike the matrix of second partials.

    Parameters
    ----------
    cost : Scalar
    metric : Metric
    chart : Chart, optional
        Default: the metric's chart.
    simplify : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    sympy.ImmutableMatrix, shape (dim, dim)

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> r = sp.Symbol("r", positive=True)
    >>> th = sp.Symbol("theta", real=True)
    >>> P = sg.Manifold("plane").chart(r, th)
    >>> flat = sg.Metric(P.manifold, P, sp.diag(1, r**2))
    >>> sg.riemannian_hessian(sg.Scalar(P.manifold, P, r**2 / 2), flat)   # |x|^2 / 2: Hess = G
    Matrix([
    [1,    0],
    [0, r**2]])
    """
    _check_cost(cost, metric)
    chart = chart or metric.chart
    f = resolve(simplify)
    coords = chart.coords
    n = chart.dim
    dC = list(differential(cost, chart, simplify="none").components())
    Gamma = christoffel(metric, chart, simplify)
    upper = {}
    for i in range(n):
        for j in range(i, n):
            e = sp.diff(dC[i], coords[j]) - sp.Add(*[Gamma[k, i, j] * dC[k] for k in range(n)])
            upper[(i, j)] = f(e)
    return sp.ImmutableMatrix(n, n, lambda i, j: upper[(min(i, j), max(i, j))])


def newton_flow(cost: Scalar, metric: Metric, rate=1, chart: Chart | None = None, simplify="fast") -> Vector:
    r"""The Riemannian Newton flow :math:`\dot x = -\eta\, (\mathrm{Hess}\, C)^{-1} dC`, a Vector.

    The flow is defined where the covariant Hessian is invertible (it need
    not be positive definite; where it is not, the flow need not descend).

    Parameters
    ----------
    cost : Scalar
    metric : Metric
        Its Levi-Civita connection defines the Hessian.
    rate : sympy expression or number, default 1
    chart : Chart, optional
        Default: the metric's chart.  The result is a vector field, the same
        in every chart.
    simplify : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    Vector

    Raises
    ------
    SingularHessianError
        If the Hessian is singular everywhere (its determinant is identically 0).

    Examples
    --------
    >>> import symgrad as sg
    >>> import sympy as sp
    >>> r = sp.Symbol("r", positive=True)
    >>> th = sp.Symbol("theta", real=True)
    >>> P = sg.Manifold("plane").chart(r, th)
    >>> flat = sg.Metric(P.manifold, P, sp.diag(1, r**2))
    >>> sg.newton_flow(sg.Scalar(P.manifold, P, r**2 / 2), flat).components().T   # straight to 0
    Matrix([[-r, 0]])
    """
    _check_cost(cost, metric)
    chart = chart or metric.chart
    rate = as_expr(rate, "the rate of a Newton flow")
    H = riemannian_hessian(cost, metric, chart, simplify)
    det = sp.cancel(H.det(method="berkowitz"))
    if det == 0:
        raise SingularHessianError(
            f"the Riemannian Hessian of the cost in chart {chart.name!r} is singular everywhere "
            f"(H = {H.tolist()}); the Newton flow is only defined where it is invertible"
        )
    w = differential(cost, chart, simplify="none").components()
    try:
        v = solve_metric(H, w, simplify)
    except MetricError as err:  # solve_metric's error for a singular matrix
        raise SingularHessianError(
            f"the Riemannian Hessian in chart {chart.name!r} could not be inverted: {err}"
        ) from None
    f = resolve(simplify)
    return Vector(cost.manifold, chart, [f(-rate * e) for e in v])
