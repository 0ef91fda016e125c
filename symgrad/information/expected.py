r"""The expected flow: the mean of a per-sample rule over the distribution of its input.

A learning rule driven by one input sample at a time, :math:`\dot\theta = v(\theta, x)`
with :math:`x \sim p`, moves on average along :math:`\bar v(\theta) = E_x[v(\theta, x)]`.
:func:`expected_flow` builds :math:`\bar v` as a flow of symgrad:

- the expectation in closed form when sympy finds one (moment by moment for
  polynomials in :math:`x`, by integration or summation otherwise, under a time
  limit), else by a quadrature rule written out as a weighted sum, so that the
  result is an expression like any other: Gauss--Hermite for normal inputs
  (exact for polynomials of degree below :math:`2n`, and with the mean and
  the standard deviation left symbolic), Gauss--Legendre, weighted by the
  density, for a bounded support; for any other continuous input (a gamma, a
  logistic, a density of one's own on an unbounded range) by adaptive
  quadrature where the flow is evaluated (definite integrals the numeric kernel computes):
  numeric flows, integration and plots work, closed-form components and the
  exporters do not;
- for a :class:`~symgrad.GradientFlow` whose metric and rate do not depend on
  :math:`x` the mean of :math:`-\eta\, G^{-1} dC(\theta, x)` is
  :math:`-\eta\, G^{-1} d\,E_x[C]`: the result is the gradient flow of the
  expected cost, with its contours, its metric and every exporter; for any other
  :class:`~symgrad.Vector` it is the vector field of the mean components.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..budgets import stage
from ..core.gradient import GradientFlow
from ..core.linalg import solve_metric
from ..core.tensors import Covector, Scalar, Vector
from ..errors import ArgumentTypeError, BudgetError, IntegrationError, NoClosedFormError
from ..numeric._kernels import tail_weighted
from .densities import TransformedDensity
from .families import Family, Normal, as_family
from .fisher import expectation
from .multivariate import MultivariateNormal

__all__ = ["expected_flow", "NODES", "CLOSED_FORM_SECONDS"]

#: Quadrature nodes of :func:`expected_flow` by default.
NODES = 32

#: Seconds :func:`expected_flow` lets sympy look for a closed form (``method="auto"``) by default.
CLOSED_FORM_SECONDS = 2.0

METHODS = ("auto", "closed", "quadrature", "adaptive")


def _gauss_hermite(family, expr, x, nodes):
    """``E[expr]`` for ``x ~ Normal(m, s)``: ``sum_i w_i f(m + sqrt(2) s t_i) / sqrt(pi)``."""
    t, w = np.polynomial.hermite.hermgauss(nodes)
    m, s = family.mean, family.std
    return sp.Add(
        *[
            sp.Float(wi / math.sqrt(math.pi), 17) * expr.xreplace({x: m + sp.Float(math.sqrt(2) * ti, 17) * s})
            for ti, wi in zip(t, w)
        ]
    )


def _gauss_legendre(family, expr, x, nodes, lo, hi):
    """``E[expr]`` for a density on ``[lo, hi]``: ``sum_i (hi - lo)/2 w_i p(x_i) f(x_i)``."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    y = sp.Dummy("y", real=True)
    g = (family.pdf(y) * expr.xreplace({x: y})) * (hi - lo) / 2
    return sp.Add(
        *[sp.Float(wi, 17) * g.xreplace({y: (hi + lo) / 2 + sp.Float(ti, 17) * (hi - lo) / 2}) for ti, wi in zip(t, w)]
    )


def _quadrature(family, expr, x, nodes, why):
    """``E[expr]`` by the quadrature rule of ``family``'s kind (see the module's description)."""
    if isinstance(family, Normal):
        return _gauss_hermite(family, expr, x, nodes)
    if isinstance(family, TransformedDensity) and isinstance(family.base, Normal):
        # x = g(z) with z normal: E[f(x)] = E[f(g(z))]
        return _gauss_hermite(family.base, expr.xreplace({x: family.map}), family.variable, nodes)
    support = family.support
    if isinstance(support, sp.Interval) and not family.discrete and support.start.is_finite and support.end.is_finite:
        return _gauss_legendre(family, expr, x, nodes, support.start, support.end)
    raise _NoRule(why)


class _NoRule(Exception):
    """No fixed quadrature rule covers the family: the mean is taken by adaptive quadrature (or refused)."""


def _short(expr, n=80):
    text = str(expr)
    return text if len(text) <= n else text[: n - 3] + "..."


def _mean(family, expr, x, method, nodes, seconds):
    """``E[expr]`` over ``x``: ``(value, how)``, ``how`` being ``"closed form"`` or ``"quadrature"``."""
    expr = sp.sympify(expr)
    if x not in expr.free_symbols:
        return expr, "closed form"
    why = "was not sought in closed form"
    if method != "quadrature":
        try:
            return expectation(family, expr, x, timeout=seconds), "closed form"
        except (IntegrationError, BudgetError) as err:
            if method == "closed":
                raise NoClosedFormError(
                    f"expected_flow: E[{_short(expr)}] under {family!r} has no closed form that sympy finds "
                    f"within {seconds:g} s ({err}); use method='auto' or 'quadrature'"
                ) from None
            why = f"has no closed form that sympy finds within {seconds:g} s"
    return _quadrature(family, expr, x, nodes, why), "quadrature"


def _arguments(flow, family, x):
    """``(flow, family)`` in the documented order; ``expected_flow(family, flow, x)`` is accepted too."""
    if isinstance(flow, Family) and isinstance(family, Vector):
        flow, family = family, flow
    if not isinstance(flow, Vector):
        raise ArgumentTypeError(
            f"expected_flow takes a GradientFlow or a Vector depending on a sample variable, got {type(flow).__name__}"
        )
    family = as_family(family, "expected_flow")
    if isinstance(family, MultivariateNormal):
        raise ArgumentTypeError("expected_flow takes a one-dimensional input family; give one sample variable")
    if not isinstance(x, sp.Symbol):
        raise ArgumentTypeError(f"expected_flow: the sample variable must be a sympy Symbol, got {x!r}")
    if x in set(flow.manifold.coordinates):
        raise ArgumentTypeError(
            f"expected_flow: {x} is a coordinate of {flow.manifold.name!r}, not a sample variable; "
            "name the input of the per-sample rule"
        )
    return flow, family


@stage("the expected flow")
def expected_flow(
    flow: Vector,
    family: Family,
    x: sp.Symbol,
    *,
    method: str = "auto",
    nodes: int = NODES,
    seconds: float = CLOSED_FORM_SECONDS,
) -> Vector:
    r"""The mean :math:`E_x[v(\theta, x)]` of a per-sample flow over its input :math:`x \sim` ``family``.

    Parameters
    ----------
    flow : GradientFlow or Vector
        The per-sample rule, whose components (or cost) depend on ``x``.
        ``expected_flow(family, flow, x)``, the argument order of
        :func:`~symgrad.expectation`, is accepted too.
    family : Family
        The distribution of ``x``; its parameters may be symbols of the model.
    x : sympy.Symbol
        The sample variable.
    method : {"auto", "closed", "quadrature", "adaptive"}, default "auto"
        ``"closed"``: the expectation in closed form or an error;
        ``"quadrature"``: numeric quadrature without looking for a closed
        form, by the fixed rule of the input's kind (Gauss--Hermite for a
        normal input or a transform of one, Gauss--Legendre for a bounded
        support), else adaptively; ``"adaptive"``: adaptive quadrature
        (:func:`scipy.integrate.quad_vec`) at evaluation time, whatever the
        input; ``"auto"``: the closed form if sympy finds one within
        ``seconds``, else as ``"quadrature"``.
    nodes : int, default :data:`NODES`
        Nodes of the quadrature rule.
    seconds : float, default :data:`CLOSED_FORM_SECONDS`
        Time given to sympy for each closed form.

    Returns
    -------
    GradientFlow or Vector
        For a gradient flow whose metric and rate do not depend on ``x``: the
        gradient flow of the expected cost (same metric, rate and chart);
        otherwise the :class:`~symgrad.Vector` of the mean components, in the
        flow's chart.  Either has ``.numeric(chart, params)``, can be
        integrated, plotted and exported.  A result of a fixed rule is not
        simplified (a weighted sum of ``nodes`` copies of the rule).  A mean
        by adaptive quadrature is a Vector whose ``.numeric(chart, params)``
        integrates over the input at each call (the input's parameters need
        values then); its ``components()`` and the exporters raise
        :class:`~symgrad.NoClosedFormError`.

    Raises
    ------
    ArgumentTypeError
        A flow, family or sample variable of the wrong kind, or ``x`` a coordinate.
    NoClosedFormError
        ``method="closed"`` and no closed form is found; a discrete input
        whose sum has no closed form; adaptive quadrature over a support
        whose ends are not numbers.

    Examples
    --------
    A weight that learns the mean input, one sample at a time, moves on average
    to the input's mean:

    >>> import sympy as sp
    >>> import symgrad as sg
    >>> w, x = sp.symbols("w x", real=True)
    >>> m, s = sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    >>> A = sg.Manifold("weight").chart(w)
    >>> rule = sg.GradientFlow(sg.Scalar(A.manifold, A, (w - x) ** 2 / 2), sg.euclidean(A))
    >>> mean = sg.expected_flow(rule, sg.Normal(mean=m, std=s), x)
    >>> mean.cost.components(), mean.components()
    (m**2/2 - m*w + s**2/2 + w**2/2, Matrix([[m - w]]))

    Where the expectation has no closed form, Gauss--Hermite quadrature gives it:

    >>> v = sg.Vector(A.manifold, A, [1 / (1 + sp.exp(-w * x)) - w])
    >>> field = sg.expected_flow(v, sg.Normal(mean=0, std=1), x, method="quadrature")
    >>> round(float(field.numeric()([[1.0]])[0, 0]), 12)  # E[sigmoid(x)] - 1 = 1/2 - 1, by symmetry
    -0.5

    and adaptive quadrature any other input, here a gamma one, at each evaluation:

    >>> k = sp.Symbol("k", positive=True)
    >>> gamma_input = sg.expected_flow(v, sg.Gamma(shape=k, rate=1), x)
    >>> round(float(gamma_input.numeric(params={k: 2})([[0.0]])[0, 0]), 9)  # E[sigmoid(0)] - 0
    0.5
    """
    flow, family = _arguments(flow, family, x)
    if not isinstance(method, str) or method not in METHODS:
        raise ArgumentTypeError(f"expected_flow: method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 1:
        raise ArgumentTypeError(f"expected_flow: nodes must be a positive integer, got {nodes!r}")
    if method == "adaptive":
        return _adaptive(flow, family, x)
    try:
        return _expected(flow, family, x, method, nodes, seconds)
    except _NoRule as why:
        if family.discrete:
            raise NoClosedFormError(
                f"expected_flow: the mean over {family!r} {why} as a sum, and a sum has no quadrature rule; "
                "give the expectation in closed form (a Scalar or Vector without x)"
            ) from None
        return _adaptive(flow, family, x)


def _expected(flow, family, x, method, nodes, seconds):
    """The mean in closed form or by a fixed rule; ``_NoRule`` where neither applies."""
    if isinstance(flow, GradientFlow) and not (
        flow.metric.components(flow.chart).free_symbols | flow.rate.free_symbols
    ) & {x}:
        cost, how = _mean(family, flow.cost.components(flow.cost.chart), x, method, nodes, seconds)
        mean_cost = Scalar(flow.manifold, flow.cost.chart, cost)
        solve = "numeric" if flow.solve == "numeric" else "auto"
        if how == "closed form":
            return GradientFlow(
                mean_cost, flow.metric, rate=flow.rate, simplify=flow._simplify, chart=flow.chart, solve=solve
            )
        # the mean of the per-sample differential, simplified one sample at a time (the derivative of the
        # summed cost would compute log(1 - sigmoid) where the sigmoid rounds to 1), then G^-1 once:
        # G^-1 is solved for placeholders and the means put in, so the sums appear once in the result
        dC = [_mean(family, e, x, "quadrature", nodes, seconds)[0] for e in flow.differential.components(flow.chart)]
        grad = None
        if flow.solve == "symbolic":
            w = [sp.Dummy(f"w{i}") for i in range(len(dC))]
            G = flow.metric.components(flow.chart)
            solved = solve_metric(G, sp.Matrix(w), flow._simplify, factor=flow.metric.pullback_factors(flow.chart))
            grad = Vector(flow.manifold, flow.chart, [e.xreplace(dict(zip(w, dC))) for e in solved])
        return _MeanGradientFlow(mean_cost, flow, Covector(flow.manifold, flow.chart, dC), grad)
    parts = [_mean(family, e, x, method, nodes, seconds) for e in flow.components(flow.chart)]
    return Vector(flow.manifold, flow.chart, [p for p, _ in parts])


def _adaptive(flow, family, x):
    """The mean by adaptive quadrature at evaluation time (definite integrals that the numeric kernel computes)."""
    if family.discrete:
        raise NoClosedFormError(
            f"expected_flow: adaptive quadrature integrates over a continuous input, not {family!r}"
        )
    lo, hi = family.support.start, family.support.end
    if not (lo.is_number and hi.is_number):
        raise NoClosedFormError(
            f"expected_flow: the support ({lo}, {hi}) of {family!r} depends on parameters, so adaptive "
            "quadrature has no fixed range; give the family numeric bounds"
        )
    field = Vector(flow.manifold, flow.chart, flow.components(flow.chart))
    return _AdaptiveMean(field, family, x, lo, hi)


class _AdaptiveMean(Vector):
    """The mean of a field over an input, computed by adaptive quadrature where it is evaluated.

    Its components are the definite integrals :math:`\\int v_i(\\theta, x)\\, p(x)\\, dx`
    (:attr:`integrals`, a Vector), which the numeric kernel computes by quadrature;
    :meth:`components` refuses to show them as a closed form.
    """

    def __init__(self, field, family, x, lo, hi):
        self.family = family
        self.sample = x
        self.field = field
        pdf = family.pdf(x)
        means = [sp.Integral(tail_weighted(v * pdf, pdf), (x, lo, hi)) for v in field.components()]
        self.integrals = Vector(field.manifold, field.chart, means)
        super().__init__(field.manifold, field.chart, means)

    def __repr__(self):
        return f"expected_flow({self.field!r}, {self.family!r}, {self.sample}) by adaptive quadrature"

    def components(self, chart=None, simplify="fast"):
        raise NoClosedFormError(
            f"the mean over {self.family!r} has no closed form and no fixed quadrature rule: it is computed by "
            "adaptive quadrature (scipy.integrate.quad_vec) where it is evaluated, by .numeric(chart, params), "
            "integration and plots; the exporters need a closed form (a normal or bounded input has a fixed rule)"
        )

    def _repr_latex_(self):
        return rf"$E_{{{sp.latex(self.sample)}}}\left[v\right]$"


class _MeanGradientFlow(GradientFlow):
    """The gradient flow of an expected cost, its differential and gradient given as means over samples."""

    def __init__(self, cost, flow, differential, gradient):
        self._mean_gradient = gradient
        state = self.__dict__
        state["differential"] = differential  # the cached property, filled in advance
        solve = "symbolic" if gradient is not None else "numeric"
        super().__init__(cost, flow.metric, rate=flow.rate, simplify="none", chart=flow.chart, solve=solve)

    def _closed_form(self, chart, simplify, solve):
        if self._mean_gradient is None:
            self._why_numeric = "the per-sample flow it averages has none"
            return None
        return self._mean_gradient
