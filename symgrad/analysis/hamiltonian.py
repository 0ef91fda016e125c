r"""Momentum descent with a metric kinetic energy: the Hamiltonian flow of a cost and a metric.

With :math:`H(x, p) = C(x) + \tfrac12 p^T G(x)^{-1} p` and friction :math:`\gamma`,
the flow on positions and momenta is
:math:`\dot x = G^{-1} p`, :math:`\dot p = -\partial_x H - \gamma p`: heavy-ball
descent whose inertia is measured by the metric.  :func:`hamiltonian_flow` derives
it in closed form (a :class:`HamiltonianFlow`); :meth:`HamiltonianFlow.integrate`
solves it numerically (a :class:`HamiltonianSolution`).

Examples
--------
>>> import symgrad as sg
>>> g = sg.catalog.gaussian_kl()
>>> hf = sg.hamiltonian_flow(g.cost, g.fisher, friction=1)
>>> hf.momenta
(p_mu, p_sigma)
>>> sol = hf.integrate([1.0, 1.0], [0.0, 0.0], (0, 30))
>>> bool(sol.energy[-1] < sol.energy[0])
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from ..core._coerce import as_expr
from ..core._immutable import Immutable
from ..core.chart import Chart
from ..core.gradient import differential
from ..core.simplify import resolve
from ..core.tensors import Metric, Scalar
from ..errors import DimensionError, GeometryError
from ..numeric import _ivp, _kernels, _params
from .geometry import _check_cost, _inverse_metric

__all__ = ["HamiltonianFlow", "HamiltonianSolution", "hamiltonian_flow"]

#: The default time variable of :meth:`HamiltonianFlow.equations`.
_TIME = sp.Symbol("t", real=True)


class HamiltonianFlow(Immutable):
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

    _remedy = "make a new one with hamiltonian_flow(cost, metric, friction)"

    def __init__(self, cost: Scalar, metric: Metric, friction, chart: Chart | None = None, simplify="fast"):
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

    def equations(self, t: sp.Symbol = _TIME) -> list[sp.Eq]:
        """The system as ODEs: ``Eq(Derivative(x(t), t), ...)`` then ``Eq(Derivative(p_x(t), t), ...)``.

        Returns
        -------
        list of sympy.Eq
        """
        symbols = list(self.chart.coords) + list(self.momenta)
        funcs = {s: sp.Function(s.name, real=True)(t) for s in symbols}
        return [sp.Eq(sp.Derivative(funcs[s], t), r.xreplace(funcs)) for s, r in zip(symbols, self.rhs)]

    def _numeric_kernels(self, params):
        r"""The kernels of :math:`(\dot x, \dot p)` and of :math:`H` in ``(x, p)``, parameters bound."""
        phase = tuple(self.chart.coords) + self.momenta
        known = _params.symbols(
            self.rhs,
            self.hamiltonian,
            self.metric.components(self.chart),
            self.cost.components(self.chart),
            self.friction,
            exclude=phase,
        )
        bound = _params.bind(
            params,
            known,
            of=f"the Hamiltonian flow in chart {self.chart.name!r}",
            coordinates=set(phase) | set(self.metric.manifold.coordinates),
        )
        rhs = [e.xreplace(bound) for e in self.rhs]
        energy = self.hamiltonian.xreplace(bound)
        _params.require(_params.symbols(rhs, energy, exclude=phase), bound, what="the Hamiltonian flow")
        return _kernels.Kernel(rhs, phase), _kernels.Kernel([energy], phase)

    def numeric(self, params: Mapping | None = None) -> tuple[Callable, Callable]:
        """Numeric functions ``(rhs, hamiltonian)`` of ``(x, p)``, each taking arrays of shape (dim,).

        Parameters
        ----------
        params : dict, optional
            Values ``{symbol or name: number}`` of every parameter.

        Returns
        -------
        tuple of callables
            ``rhs(x, p) -> array, shape (2 dim,)`` and ``hamiltonian(x, p) -> float``.

        Raises
        ------
        UnknownParameterError
            A key of ``params`` is no parameter of the cost, the metric or the friction.
        UnboundParameterError
            The flow uses a parameter ``params`` gives no value.

        Examples
        --------
        >>> import sympy as sp
        >>> import symgrad as sg
        >>> g = sg.catalog.gaussian_kl()
        >>> gamma = sp.Symbol("gamma", positive=True)
        >>> rhs, energy = sg.hamiltonian_flow(g.cost, g.fisher, friction=gamma).numeric({"gamma": 0.5})
        >>> rhs([4.0, 2.0], [0.0, 0.0]), energy([4.0, 2.0], [0.0, 0.0])
        (array([0., 0., 0., 0.]), 0.0)
        """
        flow, energy = self._numeric_kernels(params)

        def rhs(x, p):
            return flow(np.concatenate([np.asarray(x, dtype=float), np.asarray(p, dtype=float)]))

        def hamiltonian(x, p):
            return float(energy(np.concatenate([np.asarray(x, dtype=float), np.asarray(p, dtype=float)]))[0])

        return rhs, hamiltonian

    def integrate(
        self,
        x0: ArrayLike,
        p0: ArrayLike,
        t_span: tuple[float, float],
        t_eval: ArrayLike | None = None,
        params: Mapping | None = None,
        **solve_ivp_options,
    ) -> HamiltonianSolution:
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
        DimensionError, DomainError, UnknownParameterError, UnboundParameterError, GeometryError

        Examples
        --------
        >>> import numpy as np
        >>> import sympy as sp
        >>> import symgrad as sg
        >>> w = sp.Symbol("w", real=True)
        >>> A = sg.Manifold("weight").chart(w)
        >>> hf = sg.hamiltonian_flow(sg.Scalar(A.manifold, A, w**2 / 2), sg.euclidean(A), friction=0)
        >>> sol = hf.integrate([1.0], [0.0], (0, np.pi), t_eval=[0, np.pi], rtol=1e-10, atol=1e-12)
        >>> np.round(sol.x[:, 0], 6), np.round(sol.energy, 6)    # half a period of an oscillator
        (array([ 1., -1.]), array([0.5, 0.5]))
        """
        n = self.chart.dim
        x0 = np.asarray(x0, dtype=float)
        p0 = np.asarray(p0, dtype=float)
        if x0.shape != (n,) or p0.shape != (n,):
            raise DimensionError(
                f"x0 and p0 must each have {n} entries (one per coordinate of chart "
                f"{self.chart.name!r}); got shapes {x0.shape} and {p0.shape}"
            )
        self.chart.check_point(x0)
        flow, energy = self._numeric_kernels(params)
        t, y = _ivp.trajectory(
            lambda _t, y: flow(y),
            np.concatenate([x0, p0]),
            t_span,
            t_eval,
            what=f"the Hamiltonian flow from {list(x0)}",
            error=GeometryError,
            **solve_ivp_options,
        )
        return HamiltonianSolution(t=t, x=y[:, :n].copy(), p=y[:, n:].copy(), energy=energy(y)[:, 0])


@dataclass(frozen=True)
class HamiltonianSolution:
    """A trajectory of a :class:`HamiltonianFlow`: ``t`` (m,), ``x`` and ``p`` (m, dim), ``energy`` (m,).

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian_kl()
    >>> sol = sg.hamiltonian_flow(g.cost, g.fisher, friction=1).integrate([1.0, 1.0], [0.0, 0.0], (0, 1))
    >>> sol.x.shape == sol.p.shape == (len(sol.t), 2), sol.energy.shape == sol.t.shape
    (True, True)
    """

    t: np.ndarray
    x: np.ndarray
    p: np.ndarray
    energy: np.ndarray


def hamiltonian_flow(
    cost: Scalar, metric: Metric, friction, chart: Chart | None = None, simplify="fast"
) -> HamiltonianFlow:
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
    >>> for rate in hf.rhs:
    ...     print(rate)
    p_mu*sigma**2
    p_sigma*sigma**2/2
    (-mu - p_mu*sigma**2 + 4)/sigma**2
    (mu**2 - 8*mu - p_mu**2*sigma**4 - p_sigma**2*sigma**4/2 - p_sigma*sigma**3 - sigma**2 + 20)/sigma**3
    """
    return HamiltonianFlow(cost, metric, friction, chart, simplify)
