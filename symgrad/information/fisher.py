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

With ``data={x1: [...], ...}`` the family is a conditional model whose
parameters also use input symbols, and :func:`fisher_metric` sums (or averages)
the per-input Fisher metrics over the rows of the data set (logistic, Poisson,
any generalised linear regression), refusing data that do not identify the
coordinates (:class:`IdentifiabilityError`).  :func:`empirical_fisher` is the
different object built from observed outputs, :math:`\sum_i s_i s_i^T` with
:math:`s_i = \nabla \log p(y_i \mid x_i)`.

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

import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import sympy as sp

from ..budgets import stage
from ..core._coerce import as_expr
from ..core._immutable import Immutable
from ..core.chart import Chart
from ..core.simplify import simplify_expr
from ..core.tensors import Metric
from ..errors import ArgumentTypeError, DataError, FamilyError, SymgradWarning
from ..numeric import _kernels, _params
from . import _data
from ._expect import bounds, data_symbol, expect, fisher_information
from ._integration import Clock
from .densities import Density, TransformedDensity
from .discrete import Binomial
from .families import _ERRORS, Family, as_family
from .multivariate import MultivariateNormal

__all__ = [
    "fisher_metric",
    "empirical_fisher",
    "expectation",
    "FisherExpectation",
]

METHODS = ("auto", "closed", "integrate", "expectation", "numeric")


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


def _metric(chart, G, check=True, clock=None):
    """The Metric of the matrix ``G`` on ``chart``, checked positive definite unless ``check`` is False.

    The constants ``clock`` identified numerically, if any, are its provenance, and a warning says so.
    """
    found = tuple(clock.identified) if clock is not None else ()
    if found:
        warnings.warn(
            f"fisher_metric on chart {chart.name!r}: {len(found)} constant(s) of the metric were identified "
            f"numerically, not proven: {'; '.join(map(str, found))}.  See the metric's provenance; pass "
            "identify=False to refuse such constants (an IntegrationError instead)",
            SymgradWarning,
            stacklevel=4,
        )
    return Metric(chart.manifold, chart, G, check=check, provenance=found)


@stage("the Fisher metric")
def fisher_metric(
    family: Family,
    chart: Chart,
    *,
    method: Literal["auto", "closed", "integrate", "expectation"] = "auto",
    timeout: float | None = 10.0,
    unevaluated: bool = False,
    check: bool = True,
    data: Mapping[sp.Symbol, Sequence] | None = None,
    reduce: Literal["sum", "mean"] = "sum",
    identify: bool = True,
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
        ``"expectation"``: no integration, return a :class:`FisherExpectation`;
        ``"numeric"``: a Metric whose entries are the definite integrals
        :math:`\int s_i s_j\, p\, dx` (sympy ``Integral`` objects), computed by
        adaptive quadrature wherever the metric is evaluated (its check at
        random points, :class:`~symgrad.NumericFlow`, integration, plots), for
        a continuous family with numeric limits; its ``provenance`` says so
        and the exporters refuse it (no closed form).
    timeout : float or None
        Seconds allowed for all symbolic integrations together.
    unevaluated : bool
        The same as ``method="expectation"``.
    check : bool
        Set False to skip the positive-definiteness check of the metric (a
        family whose parameters do not identify the coordinates everywhere;
        or damp it instead, ``F + lam * sg.euclidean(chart)``), and, with
        ``data``, the check that the data identify the coordinates.
    data : dict {Symbol: sequence of numbers}, optional
        A data set of inputs, one column per input symbol, all of one length
        n: the family is a conditional model :math:`p(y \mid x; w)` whose
        parameters are expressions in the chart's coordinates and in these
        inputs.  The result is the Fisher metric of the n independent
        observations, :math:`G(w) = \sum_{i=1}^n G(w; x_i)`, each term the
        Fisher metric of the family at the inputs of row i (of rank at most
        the family's number of parameters; only the sum need be a metric).
        Input symbols of the family that ``data`` leaves out are parameters.
    reduce : {"sum", "mean"}
        With ``data``: the sum over the rows, or the mean (the sum over n).
    identify : bool
        A parameter-free constant of a density's Fisher metric (a location or
        scale constant) that sympy does not integrate is identified: evaluated
        to 90 digits, an integer relation with known constants (pi, Euler's
        gamma, log 2, zeta(3), Catalan, ...) found by PSLQ with 40 of them and
        accepted only if it holds to 80.  Such constants are listed in the
        metric's ``provenance``, with a :class:`~symgrad.SymgradWarning`.
        False refuses them (IntegrationError).

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
    IdentifiabilityError
        With ``data``: if the rows do not identify the coordinates (fewer rows
        than parameters, collinear inputs); a NotPositiveDefiniteError.
    DataError
        If ``data`` is ill-formed (a column that is no input of the family, of
        another length, or with values that are not real numbers).

    See Also
    --------
    empirical_fisher : the outer products of observed scores, a different object.

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

    Logistic regression over three inputs: one Bernoulli output per row has a
    Fisher metric of rank one, :math:`p(1-p)\, x x^T`; the data set's is their sum.

    >>> w1, w2, x1, x2 = sp.symbols("w1 w2 x1 x2", real=True)
    >>> W = sg.Manifold("weights").chart(w1, w2)
    >>> logistic = sg.Bernoulli(1 / (1 + sp.exp(-(w1 * x1 + w2 * x2))))
    >>> F = sg.fisher_metric(logistic, W, data={x1: [1, 0, 1], x2: [0, 1, 1]})
    >>> F.components()[0, 1]
    exp(w1 + w2)/(exp(w1 + w2) + 1)**2
    >>> F.components()[0, 0]
    exp(w1 + w2)/(exp(w1 + w2) + 1)**2 + exp(w1)/(exp(w1) + 1)**2

    Inputs on one line do not identify both weights:

    >>> try:
    ...     sg.fisher_metric(logistic, W, data={x1: [1, 2, 3], x2: [2, 4, 6]})
    ... except sg.NotPositiveDefiniteError as err:
    ...     print(type(err).__name__, err)  # doctest: +ELLIPSIS
    IdentifiabilityError fisher_metric: the 3 row(s) of data= do not identify ... ∝ (1, -1/2) changes ...
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
    if data is None:
        if reduce != "sum":
            raise DataError(f"fisher_metric: reduce={reduce!r} applies to a data set; pass data={{x: [...]}} too")
        if method == "expectation":
            return FisherExpectation(family, chart)
        if method == "numeric":
            return _numeric_metric(family, chart, check)
        clock = Clock(timeout, identify=identify)
        return _metric(chart, fisher_information(family, chart.coords, method, clock), check, clock)
    rows = _data.read_rows(data, chart, _symbols(family), "fisher_metric")
    _data.check_reduce(reduce, "fisher_metric")
    if method == "expectation":
        raise FamilyError(
            "fisher_metric: method='expectation' does not take data=; use method='auto' or 'closed', or "
            "evaluate fisher_metric(family.subs(row), chart, method='expectation') row by row"
        )
    # the per-input Fisher matrix once, with the inputs as symbols; then its value at each row
    clock = Clock(timeout, identify=identify)
    G = fisher_information(family, chart.coords, method, clock)
    total = _data.over_rows(lambda row: G.xreplace(row), rows, reduce, chart.dim)
    if check:
        _data.check_identified(G, rows, chart, "fisher_metric", gram=True)
    return _metric(chart, total, check, clock)


def _numeric_metric(family, chart, check):
    """The Fisher metric whose entries are definite integrals, computed by quadrature where it is evaluated."""
    expectations = FisherExpectation(family, chart)
    lo, hi = (sp.sympify(b) for b in bounds(expectations._density))
    if expectations.discrete or not (lo.is_number and hi.is_number):
        raise FamilyError(
            f"fisher_metric: method='numeric' integrates over a continuous variable between numeric limits; "
            f"{family!r} is discrete or its support depends on parameters: use method='auto' or 'expectation'"
        )
    n = chart.dim
    G = sp.zeros(n, n)
    x = expectations.variable
    density = sp.exp(sp.expand_log(expectations._density.log_pdf(x), force=True))
    for i, j, f in expectations._numeric:  # s_i s_j exp(log p): the density neither overflows nor underflows early
        # where the density's formula rounds to 0 far in a tail, its scores may be 0/0: no mass there
        G[i, j] = G[j, i] = sp.Integral(_kernels.tail_weighted(f, density), (x, lo, hi))
    note = "every entry is an integral over the data, computed by adaptive quadrature where the metric is evaluated"
    return Metric(chart.manifold, chart, G, check=check, provenance=(note,))


def _symbols(family):
    """The free symbols of a family's parameters (its data variable hidden)."""
    return set().union(*(sp.sympify(e).free_symbols for e in _expressions(family)))


@stage("the empirical Fisher metric")
def empirical_fisher(
    family: Family,
    chart: Chart,
    *,
    data: Mapping[sp.Symbol, Sequence],
    outputs: sp.Symbol | Sequence,
    reduce: Literal["sum", "mean"] = "sum",
    check: bool = True,
) -> Metric:
    r"""The empirical Fisher metric of a conditional model over observed data.

    :math:`\hat G(w) = \sum_{i=1}^n s_i s_i^T` with
    :math:`s_i = \nabla_w \log p(y_i \mid x_i; w)`, the score of the observed
    output :math:`y_i` at the inputs :math:`x_i` (the mean over the rows with
    ``reduce="mean"``).

    It is *not* the Fisher metric.  :func:`fisher_metric` with ``data=``
    averages the outer product of the score over the *model's* outputs,
    :math:`G(w) = \sum_i E_{y \sim p(\cdot \mid x_i; w)}[s_i s_i^T]`, a
    function of the parameters and inputs only; the empirical Fisher metric
    uses the *observed* outputs instead, so it changes with the data's noise.
    The two agree in expectation at the true parameters: when the outputs are
    drawn from the model at :math:`w^*`, :math:`E[\hat G(w^*)] = G(w^*)`, and
    :math:`\hat G / n \to G / n` as the rows grow.  Away from :math:`w^*`
    (or under a misspecified model) they differ: at a point where the model
    fits every observation, :math:`\hat G` vanishes while :math:`G` does not.

    Both transform as (0,2) tensors under a change of chart.

    Parameters
    ----------
    family : Family
        A one-dimensional family; its parameters are expressions in
        ``chart``'s coordinates and in the input symbols of ``data``.
    chart : Chart
    data : dict {Symbol: sequence of numbers}
        The inputs, one column per input symbol, all of one length n (may also
        hold the outputs' column, see ``outputs``).
    outputs : Symbol or sequence of numbers
        The observed outputs :math:`y_i`: a column of ``data`` named by its
        symbol, or n values; each in the family's support.
    reduce : {"sum", "mean"}
        The sum over the rows or the mean.
    check : bool
        Set False to skip the checks that the rows identify the coordinates
        and that the result is positive definite.

    Returns
    -------
    Metric
        Given in ``chart``.

    Raises
    ------
    IdentifiabilityError
        If the scores of the rows do not span every direction (fewer rows than
        coordinates, collinear inputs).
    DataError
        If ``data`` or ``outputs`` are ill-formed, or an output lies outside
        the family's support.

    See Also
    --------
    fisher_metric : the expectation over the model's outputs.

    Examples
    --------
    Logistic regression: the score of row i is :math:`(y_i - p_i) x_i`.

    >>> import sympy as sp
    >>> import symgrad as sg
    >>> w1, w2, x1, x2 = sp.symbols("w1 w2 x1 x2", real=True)
    >>> W = sg.Manifold("weights").chart(w1, w2)
    >>> logistic = sg.Bernoulli(1 / (1 + sp.exp(-(w1 * x1 + w2 * x2))))
    >>> E = sg.empirical_fisher(logistic, W, data={x1: [1, 0, 1], x2: [0, 1, 1]}, outputs=[1, 0, 1])
    >>> E.components()[0, 1]
    (exp(w1 + w2) + 1)**(-2)
    >>> E.components().subs({w1: 0, w2: 0}) == sg.fisher_metric(
    ...     logistic, W, data={x1: [1, 0, 1], x2: [0, 1, 1]}).components().subs({w1: 0, w2: 0})
    True
    """
    what = "empirical_fisher"
    if not isinstance(chart, Chart):
        raise ArgumentTypeError(f"{what} takes a Chart, got {type(chart).__name__}")
    family = as_family(family, what)
    if isinstance(family, MultivariateNormal):
        raise FamilyError(f"{what} takes a one-dimensional family; {family!r} has vector outputs")
    for e in _expressions(family):
        chart.manifold.check_expression(sp.sympify(e), chart, f"parameter {e} of {family!r}")
    if outputs is None:
        raise DataError(f"{what}: give the observed outputs, outputs=[...] or the symbol of a column of data=")
    fam = family.as_density() if isinstance(family, TransformedDensity) else family
    y = data_symbol(fam)
    rows = _data.read_rows(data, chart, _symbols(family), what, outputs, output=y, support=fam.support)
    _data.check_reduce(reduce, what)
    logp = sp.expand_log(fam.log_pdf(y), force=True)
    score = sp.ImmutableMatrix(1, chart.dim, [simplify_expr(sp.diff(logp, c), "fast") for c in chart.coords])

    def outer(row):
        s = score.xreplace(row)
        return s.T * s

    total = _data.over_rows(outer, rows, reduce, chart.dim)
    if check:
        _data.check_identified(score, rows, chart, what, gram=False)
    return _metric(chart, total, check)


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
