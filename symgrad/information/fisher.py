r"""Fisher information metrics and expectations of probability families.

The families themselves live in :mod:`symgrad.information.families`;
KL divergences in :mod:`symgrad.information.kl`.  :func:`fisher_metric`
returns the Fisher information metric of a family in a chart:

* a named family: its closed form in its own parameters, pulled back through
  the parameter map, :math:`J^T F J` with :math:`J = d\theta/dx`;
* a :class:`~symgrad.TransformedDensity` :math:`y = g(x)`: structure first.  A
  map free of the chart's coordinates leaves the Fisher information of the base
  unchanged; a map :math:`\phi(\alpha x + \beta)` with :math:`\phi` free of the
  coordinates turns a location-scale base into a location-scale family with
  location :math:`\alpha m + \beta` and scale :math:`|\alpha| s`;
* anything else (a :class:`~symgrad.Density`): :math:`E[-\partial_i\partial_j \log p]`
  by symbolic integration over the support, under a time limit
  (:func:`symgrad.information._integration.time_limited`).  When no closed form comes within
  it, :class:`~symgrad.IntegrationError` says so; ``method="expectation"``
  returns the entries unevaluated, as a :class:`FisherExpectation` that a
  numeric layer evaluates by quadrature.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> mu = sp.Symbol("mu", real=True)
>>> sigma, s = sp.symbols("sigma s", positive=True)
>>> M = sg.Manifold("normal family")
>>> A, B = M.chart(mu, sigma), M.chart(mu, s)
>>> sg.fisher_metric(sg.Normal(mean=mu, std=sigma), A).components()
Matrix([
[sigma**(-2),           0],
[          0, 2/sigma**2]])
>>> sg.fisher_metric(sg.Normal(mean=mu, variance=s), B).components()
Matrix([
[1/s,          0],
[  0, 1/(2*s**2)]])
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import sympy as sp

from ..budgets import stage
from ..core._coerce import as_expr
from ..core._immutable import Immutable
from ..core.chart import Chart
from ..core.simplify import simplify_expr
from ..core.tensors import Metric
from ..errors import ArgumentTypeError, FamilyError
from ..numeric import _kernels, _params
from ._expect import bounds, data_symbol, expect, fisher_information
from ._integration import Clock
from .densities import Density, TransformedDensity
from .discrete import Binomial
from .families import _ERRORS, Family, as_family
from .multivariate import MultivariateNormal

__all__ = ["fisher_metric", "expectation", "FisherExpectation"]

METHODS = ("auto", "closed", "integrate", "expectation")


# -- expectations ------------------------------------------------------------------------------


@stage("the expectation")
def expectation(family: Family, expr: sp.Expr, x: sp.Symbol, *, timeout: float | None = 10.0) -> sp.Expr:
    r"""The expectation :math:`E[f(x)]` of an expression under a family, in closed form.

    Polynomials in ``x`` are taken moment by moment; other expressions are
    integrated (summed, for discrete families) over the support, under a
    time limit.

    Parameters
    ----------
    family : Family
        A one-dimensional family.
    expr : sympy.Expr
        :math:`f`, an expression in ``x`` and parameters.
    x : sympy.Symbol
        The data variable of ``expr``.
    timeout : float or None
        Seconds allowed for symbolic integration.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    IntegrationError
        If sympy finds no closed form within ``timeout``.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x = sp.Symbol("x", real=True)
    >>> m, s = sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    >>> sp.expand(sg.expectation(sg.Normal(mean=m, std=s), x**2, x))
    m**2 + s**2
    """
    family = as_family(family, "expectation")
    if isinstance(family, MultivariateNormal):
        raise FamilyError("expectation takes a one-dimensional family")
    if isinstance(family, TransformedDensity):
        family = family.as_density()
        expr = expr.xreplace({x: family.variable})
        x = family.variable
    value = expect(
        family,
        as_expr(expr, "the expression of expectation"),
        x,
        Clock(timeout),
        f"E[{expr}] under {family!r}",
    )
    return simplify_expr(value, "fast")


# -- Fisher information --------------------------------------------------------------------------


def _expressions(family):
    """The expressions a family's Fisher metric depends on (the data variable hidden)."""
    if isinstance(family, Density):
        d = sp.Dummy()
        return [family.expr.xreplace({family.variable: d}), family.support.start, family.support.end]
    if isinstance(family, TransformedDensity):
        return _expressions(family.base) + [family.map.xreplace({family.variable: sp.Dummy()})]
    return list(family.parameters) + ([family.n] if isinstance(family, Binomial) else [])


def _metric(chart, G, check=True):
    """The Metric of the matrix ``G`` on ``chart``, checked positive definite unless ``check`` is False."""
    return Metric(chart.manifold, chart, G, check=check)


@stage("the Fisher metric")
def fisher_metric(
    family: Family,
    chart: Chart,
    *,
    method: Literal["auto", "closed", "integrate", "expectation"] = "auto",
    timeout: float | None = 10.0,
    unevaluated: bool = False,
    check: bool = True,
) -> Metric | FisherExpectation:
    r"""The Fisher information metric of a family, in ``chart``.

    :math:`G_{ij} = E[\partial_i \log p \, \partial_j \log p] = E[-\partial_i\partial_j \log p]`.
    For a named family :math:`G = J^T F(\theta(x)) J` with :math:`F` its
    closed-form Fisher matrix in its own parameters :math:`\theta` and
    :math:`J = d\theta/dx`.  A :class:`~symgrad.TransformedDensity` uses its
    structure (see :mod:`symgrad.information`); a :class:`~symgrad.Density` is
    integrated symbolically under a time limit.

    Parameters
    ----------
    family : Family
        Its parameters are expressions in ``chart``'s coordinates (and free
        parameters that are no chart's coordinates).
    chart : Chart
    method : {"auto", "closed", "integrate", "expectation"}
        ``"auto"``: closed forms and structure, else integration;
        ``"closed"``: closed forms and structure only (IntegrationError
        otherwise); ``"integrate"``: symbolic integration (summation for
        discrete families) even where a closed form exists;
        ``"expectation"``: no integration, return a :class:`FisherExpectation`.
    timeout : float or None
        Seconds allowed for all symbolic integrations together.
    unevaluated : bool
        The same as ``method="expectation"``.
    check : bool
        Set False to skip the positive-definiteness check of the metric (a
        family whose parameters do not identify the coordinates everywhere;
        or damp it instead, ``F + lam * sg.euclidean(chart)``).

    Returns
    -------
    Metric or FisherExpectation
        A Metric given in ``chart``, checked positive definite; with
        ``method="expectation"`` a :class:`FisherExpectation`.

    Raises
    ------
    ChartMismatchError
        If the family uses the coordinates of another chart.
    IntegrationError
        If an integral has no closed form that sympy finds within ``timeout``.
    NotPositiveDefiniteError
        If the parameters do not identify the coordinates (a singular metric).

    Examples
    --------
    The output of a sigmoid neuron with Gaussian input, in its gain and bias:

    >>> import sympy as sp
    >>> import symgrad as sg
    >>> a, b, x = sp.symbols("a b x", real=True)
    >>> mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
    >>> A = sg.Manifold("neuron").chart(a, b)
    >>> y = sg.TransformedDensity(sg.Normal(mean=mu, std=sigma), x, 1 / (1 + sp.exp(-(a*x + b))))
    >>> sg.fisher_metric(y, A).components()
    Matrix([
    [(mu**2 + 2*sigma**2)/(a**2*sigma**2), mu/(a**2*sigma**2)],
    [                  mu/(a**2*sigma**2),  1/(a**2*sigma**2)]])
    """
    if not isinstance(chart, Chart):
        raise ArgumentTypeError(f"fisher_metric takes a Chart, got {type(chart).__name__}")
    family = as_family(family, "fisher_metric")
    if unevaluated:
        method = "expectation"
    if method not in METHODS:
        raise FamilyError(f"fisher_metric: unknown method {method!r}; use one of {', '.join(METHODS)}")
    for e in _expressions(family):
        chart.manifold.check_expression(sp.sympify(e), chart, f"parameter {e} of {family!r}")
    if method == "expectation":
        return FisherExpectation(family, chart)
    G = fisher_information(family, chart.coords, method, Clock(timeout))
    return _metric(chart, G, check)


class FisherExpectation(Immutable):
    r"""The Fisher metric of a family as unevaluated expectations, for a numeric layer.

    :math:`G_{ij}(\theta) = \int s_i(x) s_j(x) p(x) \, dx` (a sum for discrete
    families) with :math:`s = \nabla_\theta \log p`.  Returned by
    :func:`fisher_metric` with ``method="expectation"``; it is not a
    :class:`~symgrad.Metric` (whose checks need closed forms) but evaluates at
    points by quadrature.  It is immutable.

    Attributes
    ----------
    family : Family
    chart : Chart
    variable : sympy.Symbol
        The integration variable.
    support : sympy.Interval or sympy.Range
    integrands : sympy.ImmutableMatrix, shape (dim, dim)
        :math:`s_i s_j p`, in ``variable``, the chart's coordinates and parameters.
    integrals : sympy.ImmutableMatrix, shape (dim, dim)
        The same as unevaluated :class:`sympy.Integral` (or :class:`sympy.Sum`).

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, th = sp.Symbol("x", real=True), sp.Symbol("theta", positive=True)
    >>> C = sg.Manifold("line").chart(th)
    >>> mix = sg.Density((sp.exp(-(x - th)**2 / 2) + sp.exp(-(x + th)**2 / 2)) / (2 * sp.sqrt(2 * sp.pi)), x)
    >>> F = sg.fisher_metric(mix, C, method="expectation")
    >>> F.integrals[0, 0].func
    <class 'sympy.integrals.integrals.Integral'>
    >>> F.evaluate([1.0]).round(4)
    array([[0.7339]])
    """

    _remedy = "make a new one with fisher_metric(family, chart, method='expectation')"

    def __init__(self, family: Family, chart: Chart) -> None:
        if isinstance(family, MultivariateNormal):
            raise FamilyError(
                "method='expectation' is for one-dimensional families; MultivariateNormal has a closed form"
            )
        self.family = family
        self.chart = chart
        fam = family.as_density() if isinstance(family, TransformedDensity) else family
        self._density = fam
        self.variable = data_symbol(fam)
        self.discrete = fam.discrete
        self.support = fam.support
        x = self.variable
        logp = sp.expand_log(fam.log_pdf(x), force=True)
        scores = [sp.diff(logp, c) for c in chart.coords]
        pdf = fam.pdf(x)
        n = chart.dim
        self.integrands = sp.ImmutableMatrix(n, n, lambda i, j: scores[i] * scores[j] * pdf)
        # for quadrature: the density as exp(log p), which neither overflows nor underflows early
        self._numeric = tuple((i, j, scores[i] * scores[j] * sp.exp(logp)) for i in range(n) for j in range(i, n))

    def __repr__(self) -> str:
        return f"FisherExpectation({self.family!r}, chart {self.chart.name!r})"

    @property
    def integrals(self):
        """The entries as unevaluated ``Integral`` (``Sum``) objects."""
        lo, hi = bounds(self._density)
        kind = sp.Sum if self.discrete else sp.Integral
        return self.integrands.applyfunc(lambda e: kind(e, (self.variable, lo, hi)))

    def evaluate(self, point, params=None):
        """The metric at a point, by numeric quadrature (summation when discrete).

        Parameters
        ----------
        point : sequence of float, length dim, or dict {coordinate: float}
        params : dict {Symbol or name: float}, optional
            Values of the symbols that are no coordinates.

        Returns
        -------
        numpy.ndarray, shape (dim, dim)

        Raises
        ------
        UnknownParameterError
            A key of ``params`` is no parameter of the family (or a coordinate).
        UnboundParameterError
            The family has a parameter ``params`` gives no value (also a :class:`~symgrad.FamilyError`).
        """
        from scipy import integrate as scint

        chart = self.chart
        if isinstance(point, dict):
            point = [point[c] for c in chart.coords]
        point = [float(v) for v in point]
        chart.check_point(point)
        n = chart.dim
        entries = [e for _, _, e in self._numeric]
        lo, hi = (sp.sympify(b) for b in bounds(self._density))
        free = _params.symbols(entries, lo, hi, exclude={self.variable, *chart.coords})
        coordinates = set(chart.coords) | set(chart.manifold.coordinates)
        bound = _params.bind(params, free, of=f"{self.family} in chart {chart.name!r}", coordinates=coordinates)
        _params.require(free, bound, what="FisherExpectation.evaluate", errors=_ERRORS)
        subs = {**{c: sp.Float(v) for c, v in zip(chart.coords, point)}, **bound}
        lo, hi = (b.xreplace(subs) for b in (lo, hi))
        f = _kernels.lambdify([self.variable], [e.xreplace(subs) for e in entries])

        def vec(t):
            t = np.asarray(t, dtype=float)
            with np.errstate(all="ignore"):
                v = np.stack([np.broadcast_to(np.real(np.asarray(u, dtype=complex)), t.shape) for u in f(t)])
            return np.where(np.isfinite(v), v, 0.0)

        if self.discrete:
            total, k, stop = np.zeros(len(entries)), int(lo), float(hi)
            while k <= min(stop, 10**7):
                chunk = vec(np.arange(k, int(min(stop, k + 999)) + 1)).sum(axis=1)
                total += chunk
                k += 1000
                if np.all(np.abs(chunk) <= 1e-15 * (1 + np.abs(total))):
                    break
        else:
            total, _ = scint.quad_vec(vec, float(lo), float(hi), epsrel=1e-9, epsabs=1e-12)
        G = np.zeros((n, n))
        for (i, j, _), v in zip(self._numeric, total):
            G[i, j] = G[j, i] = v
        return G
