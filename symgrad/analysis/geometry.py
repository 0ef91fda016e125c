r"""Second-order geometry of a metric: Christoffel symbols, geodesics, covariant Hessians.

The Levi-Civita connection of a metric :math:`G` has the Christoffel symbols
:math:`\Gamma^k_{ij} = \tfrac12 g^{kl}(\partial_i g_{lj} + \partial_j g_{li} - \partial_l g_{ij})`.
They are *not* the components of a tensor: under a chart change they pick up
the second derivatives of the transition map.  With them come the geodesic
equations :math:`\ddot x^k = -\Gamma^k_{ij} \dot x^i \dot x^j`, the covariant
(Riemannian) Hessian :math:`(\mathrm{Hess}\, C)_{ij} = \partial_i \partial_j C - \Gamma^k_{ij} \partial_k C`
(a (0,2) tensor, unlike the matrix of second partials), the Riemannian Newton
flow and momentum (Hamiltonian) descent whose kinetic energy uses the metric.

Examples
--------
>>> import symgrad as sg
>>> g = sg.catalog.gaussian()
>>> Gamma = sg.christoffel(g.fisher)       # Gamma[k][i][j] in the chart (mu, sigma)
>>> Gamma[0, 0, 1], Gamma[1, 0, 0], Gamma[1, 1, 1]
(-1/sigma, 1/(2*sigma), -1/sigma)
"""

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..core._coerce import as_expr
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
    UnboundParameterError,
)

__all__ = [
    "christoffel",
    "geodesic_equations",
    "geodesic",
    "Geodesic",
    "riemannian_hessian",
    "newton_flow",
    "HamiltonianFlow",
    "hamiltonian_flow",
]


# -- helpers -----------------------------------------------------------------------------------


def _check_metric(metric):
    if not isinstance(metric, Metric):
        raise NotAMetricError(f"expected a Metric, got {type(metric).__name__}")


def _check_cost(cost, metric):
    if not isinstance(cost, Scalar):
        raise GeometryError(f"the cost must be a Scalar, got {type(cost).__name__}")
    _check_metric(metric)
    check_same_manifold(("the cost", cost), ("the metric", metric))


def _bind(exprs, chart, params, what):
    """Substitute numeric ``params`` ({Symbol or name: number}); every other free symbol
    must be a coordinate of ``chart``.
    """
    params = dict(params or {})
    free = set().union(*[sp.sympify(e).free_symbols for e in exprs]) - set(chart.coords)
    by_name = {s.name: s for s in free}
    subs = {}
    for key, value in params.items():
        sym = by_name.get(key) if isinstance(key, str) else key
        if sym in free:
            subs[sym] = sp.Float(float(value))
    missing = sorted(s.name for s in free - set(subs))
    if missing:
        raise UnboundParameterError(
            f"{what} depends on the parameters {missing}; pass numeric values as params={{name: value}}"
        )
    return [sp.sympify(e).xreplace(subs) for e in exprs]


def _lambdify(coords, exprs):
    """One vectorised numpy function of ``coords`` returning all ``exprs`` (with CSE)."""
    f = sp.lambdify(list(coords), list(exprs), modules="numpy", cse=True)

    def g(*args):
        out = f(*args)
        return np.array([np.broadcast_to(np.asarray(v, dtype=float), np.shape(args[0])) for v in out])

    return g


def _inverse_metric(metric, chart, simplify):
    """A function ``w -> G^{-1} w`` (a list) for the metric's components in ``chart``.

    In the metric's own chart, or for a pullback, :func:`solve_metric` uses the
    structure of ``G``.  In another chart ``G_y = K^T G_x K`` and
    ``G_y^{-1} w = K^{-1} G_x^{-1} K^{-T} w`` with ``K^{-1} = dy/dx`` known in
    closed form, so only the (often diagonal) ``G_x`` is solved.
    """
    f = resolve(simplify)
    factor = metric.factor(chart)
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


def christoffel(metric, chart=None, simplify="fast"):
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
            first = sp.Matrix([sp.Rational(1, 2) * (dG[i][l, j] + dG[j][l, i] - dG[l][i, j]) for l in range(n)])
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


def geodesic_equations(metric, chart=None, t=sp.Symbol("t", real=True), simplify="fast"):
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
    chart: object


def geodesic(metric, chart, x0, v0, t_span, t_eval=None, params=None, **solve_ivp_options):
    r"""Integrate the geodesic through ``x0`` with initial velocity ``v0`` (scipy's ``solve_ivp``).

    The Christoffel symbols are derived and lambdified once (with common
    subexpression elimination).

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
    DimensionError, DomainError, UnboundParameterError, GeometryError (integration failed)

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
    from scipy.integrate import solve_ivp

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
    Gamma = christoffel(metric, chart)
    entries = _bind(sp.flatten(Gamma.tolist()), chart, params, f"the metric on chart {chart.name!r}")
    f = _lambdify(chart.coords, entries)

    def rhs(_t, y):
        x, v = y[:n], y[n:]
        G = f(*x).reshape(n, n, n)
        return np.concatenate([v, -np.einsum("kij,i,j->k", G, v, v)])

    sol = solve_ivp(rhs, t_span, np.concatenate([x0, v0]), t_eval=t_eval, **solve_ivp_options)
    if not sol.success or not np.all(np.isfinite(sol.y)):
        raise GeometryError(f"the geodesic from {list(x0)} could not be integrated: {sol.message}")
    return Geodesic(t=sol.t, x=sol.y[:n].T.copy(), v=sol.y[n:].T.copy(), chart=chart)


# -- covariant Hessian and Newton flow -----------------------------------------------------------


def riemannian_hessian(cost, metric, chart=None, simplify="fast"):
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


def newton_flow(cost, metric, rate=1, chart=None, simplify="fast"):
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


# -- momentum (Hamiltonian) descent --------------------------------------------------------------


class HamiltonianFlow:
    r"""Momentum descent with a metric kinetic energy: a first-order system on ``(x, p)``.

    With :math:`H(x, p) = C(x) + \tfrac12 p^T G(x)^{-1} p` and friction :math:`\gamma`:

    .. math:: \dot x = G^{-1} p, \qquad
              \dot p_k = -\partial_k C + \tfrac12 \dot x^T (\partial_k G)\, \dot x - \gamma p_k

    (using :math:`\partial_k G^{-1} = -G^{-1} (\partial_k G) G^{-1}`).  With
    :math:`\gamma = 0` the Hamiltonian is conserved; with :math:`\gamma > 0`
    it decreases, :math:`\dot H = -\gamma\, p^T G^{-1} p`.

    Parameters
    ----------
    cost : Scalar
    metric : Metric
    friction : sympy expression or number
    chart : Chart, optional
        Default: the metric's chart.
    simplify : {"none", "fast", "compact", "factor", "full"} or callable

    Attributes
    ----------
    chart : Chart
    momenta : tuple of sympy.Symbol
        ``p_<coordinate>``, one per coordinate.
    hamiltonian : sympy.Expr
        :math:`H(x, p)`.
    rhs : sympy.ImmutableMatrix, shape (2 dim, 1)
        :math:`(\dot x, \dot p)`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> w = sp.Symbol("w", real=True)
    >>> A = sg.Manifold("weight").chart(w)
    >>> hf = sg.hamiltonian_flow(sg.Scalar(A.manifold, A, w**2 / 2), sg.euclidean(A), friction=1)
    >>> hf.equations()
    [Eq(Derivative(w(t), t), p_w(t)), Eq(Derivative(p_w(t), t), -p_w(t) - w(t))]
    >>> sol = hf.integrate([1.0], [0.0], (0, 20))
    >>> bool(abs(sol.x[-1, 0]) < 1e-3)
    True
    """

    def __init__(self, cost, metric, friction, chart=None, simplify="fast"):
        _check_cost(cost, metric)
        chart = chart or metric.chart
        f = resolve(simplify)
        self.cost = cost
        self.metric = metric
        self.chart = chart
        self.friction = as_expr(friction, "the friction of a Hamiltonian flow")
        coords = chart.coords
        n = chart.dim
        taken = {s.name for s in self.friction.free_symbols} | {c.name for c in coords}
        names = []
        for c in coords:
            name = f"p_{c.name}"
            while name in taken:
                name = "_" + name
            names.append(name)
        self.momenta = tuple(sp.Symbol(name, real=True) for name in names)
        p = sp.Matrix(self.momenta)
        G = metric.components(chart)
        u = _inverse_metric(metric, chart, simplify)(p)  # G^{-1} p
        C = cost.components(chart)
        dC = differential(cost, chart, simplify="none").components()
        self.hamiltonian = C + f(sp.Rational(1, 2) * sum(p[i] * u[i] for i in range(n)))
        pdot = []
        for k, c in enumerate(coords):
            dG = G.diff(c)
            quad = sp.Rational(1, 2) * sum(u[a] * dG[a, b] * u[b] for a in range(n) for b in range(n))
            pdot.append(f(-dC[k] + quad - self.friction * p[k]))
        self.rhs = sp.ImmutableMatrix(list(u) + pdot)

    def __repr__(self):
        return f"HamiltonianFlow({self.chart.name!r}, friction={self.friction})"

    def equations(self, t=sp.Symbol("t", real=True)):
        """The system as ODEs: ``Eq(Derivative(x(t), t), ...)`` then ``Eq(Derivative(p_x(t), t), ...)``.

        Returns
        -------
        list of sympy.Eq
        """
        symbols = list(self.chart.coords) + list(self.momenta)
        funcs = {s: sp.Function(s.name, real=True)(t) for s in symbols}
        return [sp.Eq(sp.Derivative(funcs[s], t), r.xreplace(funcs)) for s, r in zip(symbols, self.rhs)]

    def numeric(self, params=None):
        """Numeric functions ``(rhs, hamiltonian)`` of ``(x, p)``, each taking arrays of shape (dim,).

        Parameters
        ----------
        params : dict, optional
            Values ``{symbol or name: number}`` of every parameter.

        Returns
        -------
        tuple of callables
            ``rhs(x, p) -> array, shape (2 dim,)`` and ``hamiltonian(x, p) -> float``.
        """
        symbols = list(self.chart.coords) + list(self.momenta)
        exprs = _bind(list(self.rhs) + [self.hamiltonian], _Coords(symbols), params, "the Hamiltonian flow")
        f = sp.lambdify(symbols, exprs, modules="numpy", cse=True)
        n = self.chart.dim

        def rhs(x, p):
            return np.array(f(*x, *p)[: 2 * n], dtype=float)

        def hamiltonian(x, p):
            return float(f(*x, *p)[2 * n])

        return rhs, hamiltonian

    def integrate(self, x0, p0, t_span, t_eval=None, params=None, **solve_ivp_options):
        """Integrate from ``(x0, p0)`` with :func:`scipy.integrate.solve_ivp`.

        Parameters
        ----------
        x0, p0 : array_like, shape (dim,)
        t_span : (float, float)
        t_eval : array_like, optional
        params : dict, optional
        **solve_ivp_options
            Passed to ``solve_ivp`` (``method``, ``rtol``, ``atol``, ...).

        Returns
        -------
        HamiltonianSolution
            ``t`` (m,), ``x`` (m, dim), ``p`` (m, dim), ``energy`` (m,): the
            Hamiltonian along the trajectory.

        Raises
        ------
        DimensionError, DomainError, UnboundParameterError, GeometryError
        """
        from scipy.integrate import solve_ivp

        n = self.chart.dim
        x0 = np.asarray(x0, dtype=float)
        p0 = np.asarray(p0, dtype=float)
        if x0.shape != (n,) or p0.shape != (n,):
            raise DimensionError(
                f"x0 and p0 must each have {n} entries (one per coordinate of chart "
                f"{self.chart.name!r}); got shapes {x0.shape} and {p0.shape}"
            )
        self.chart.check_point(x0)
        rhs, ham = self.numeric(params)
        sol = solve_ivp(
            lambda _t, y: rhs(y[:n], y[n:]), t_span, np.concatenate([x0, p0]), t_eval=t_eval, **solve_ivp_options
        )
        if not sol.success or not np.all(np.isfinite(sol.y)):
            raise GeometryError(f"the Hamiltonian flow from {list(x0)} could not be integrated: {sol.message}")
        x, p = sol.y[:n].T.copy(), sol.y[n:].T.copy()
        energy = np.array([ham(a, b) for a, b in zip(x, p)])
        return HamiltonianSolution(t=sol.t, x=x, p=p, energy=energy)


@dataclass(frozen=True)
class HamiltonianSolution:
    """A trajectory of a :class:`HamiltonianFlow`: ``t`` (m,), ``x`` and ``p`` (m, dim), ``energy`` (m,)."""

    t: np.ndarray
    x: np.ndarray
    p: np.ndarray
    energy: np.ndarray


class _Coords:
    """A stand-in chart for :func:`_bind`: positions and momenta are both free variables."""

    def __init__(self, symbols):
        self.coords = tuple(symbols)


def hamiltonian_flow(cost, metric, friction, chart=None, simplify="fast"):
    r"""Momentum descent :math:`H = C + \tfrac12 p^T G^{-1} p` with friction: a :class:`HamiltonianFlow`.

    Parameters
    ----------
    cost : Scalar
    metric : Metric
    friction : sympy expression or number
    chart : Chart, optional
    simplify : {"none", "fast", "compact", "factor", "full"} or callable

    Returns
    -------
    HamiltonianFlow

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian_kl()
    >>> hf = sg.hamiltonian_flow(g.cost, g.fisher, friction=1)
    >>> hf.rhs.T
    Matrix([[p_mu*sigma**2, p_sigma*sigma**2/2, (-mu - p_mu*sigma**2 + 4)/sigma**2, (mu**2 - 8*mu - p_mu**2*sigma**4 - p_sigma**2*sigma**4/2 - p_sigma*sigma**3 - sigma**2 + 20)/sigma**3]])
    """
    return HamiltonianFlow(cost, metric, friction, chart, simplify)
