r"""Standard manifolds, charts, costs and metrics, ready to use.

Docs, tests and derivations build on these, so that each example of the paper
is stated once.

Examples
--------
>>> import symgrad as sg
>>> g = sg.catalog.gaussian()
>>> [c.name for c in g.manifold.charts]
['std', 'variance', 'precision', 'log_std']
>>> g.fisher.components(g.precision)
Matrix([
[tau,            0],
[  0, 1/(2*tau**2)]])
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Literal

import sympy as sp

from .core.manifold import Manifold
from .core.metrics import diagonal, euclidean
from .core.tensors import Metric, Scalar
from .errors import FamilyError
from .information.densities import TransformedDensity
from .information.families import Logistic, Normal
from .information.fisher import fisher_metric
from .information.kl import kl_divergence

__all__ = [
    "gaussian",
    "gaussian_kl",
    "one_dimensional",
    "wicked_map",
    "synaptic_plasticity",
    "intrinsic_plasticity",
    "binomial_synapse",
]


def gaussian() -> SimpleNamespace:
    r"""The normal family :math:`N(\mu, \sigma^2)` in four charts, with its Fisher metric.

    Charts: ``std`` :math:`(\mu, \sigma)`, ``variance`` :math:`(\mu, s = \sigma^2)`,
    ``precision`` :math:`(\mu, \tau = 1/\sigma^2)` and ``log_std``
    :math:`(\mu, l = \log \sigma)`, with transitions from ``std`` to each.  The
    Fisher metric is given in ``std`` as :math:`\mathrm{diag}(1/\sigma^2, 2/\sigma^2)`.

    Returns
    -------
    types.SimpleNamespace
        ``manifold``; the symbols ``mu, sigma, s, tau, l``; the charts ``std,
        variance, precision, log_std``; ``fisher`` (a Metric).

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian()
    >>> g.fisher.components(g.variance)
    Matrix([
    [1/s,          0],
    [  0, 1/(2*s**2)]])
    >>> g.fisher.components(g.log_std)      # a step in l = log(sigma) costs the same everywhere
    Matrix([
    [exp(-2*l), 0],
    [        0, 2]])
    """
    mu, log_sigma = sp.symbols("mu l", real=True)
    sigma, s, tau = sp.symbols("sigma s tau", positive=True)
    M = Manifold("normal family")
    std = M.chart(mu, sigma, name="std")
    variance = M.chart(mu, s, name="variance")
    precision = M.chart(mu, tau, name="precision")
    log_std = M.chart(mu, log_sigma, name="log_std")
    M.transition(std, variance, {mu: mu, s: sigma**2}, inverse={mu: mu, sigma: sp.sqrt(s)})
    M.transition(std, precision, {mu: mu, tau: sigma**-2}, inverse={mu: mu, sigma: 1 / sp.sqrt(tau)})
    M.transition(std, log_std, {mu: mu, log_sigma: sp.log(sigma)}, inverse={mu: mu, sigma: sp.exp(log_sigma)})
    return SimpleNamespace(
        manifold=M,
        mu=mu,
        sigma=sigma,
        s=s,
        tau=tau,
        l=log_sigma,
        std=std,
        variance=variance,
        precision=precision,
        log_std=log_std,
        fisher=fisher_metric(Normal(mean=mu, std=sigma), std),
    )


def gaussian_kl(mu0: sp.Expr | float = 4, sigma0: sp.Expr | float = 2) -> SimpleNamespace:
    r"""The paper's Gaussian example: :math:`C = KL(N(\mu_0, \sigma_0^2) \,\|\, N(\mu, \sigma^2))`.

    :math:`C(\mu, \sigma) = \log(\sigma/\sigma_0) + (\sigma_0^2 + (\mu - \mu_0)^2)/(2\sigma^2) - 1/2`,
    given in the ``std`` chart of :func:`gaussian`.  The defaults are the
    target :math:`N(4, 2^2)`; pass symbols for a general target.

    Parameters
    ----------
    mu0 : sympy expression or number
        The target's mean :math:`\mu_0`.
    sigma0 : sympy expression or number
        The target's standard deviation :math:`\sigma_0`, positive.

    Returns
    -------
    types.SimpleNamespace
        Everything :func:`gaussian` returns, plus ``cost`` (a Scalar) and
        ``mu0, sigma0``.

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian_kl()
    >>> g.cost.components()
    log(sigma/2) - 1/2 + ((mu - 4)**2 + 4)/(2*sigma**2)
    """
    g = gaussian()
    mu0, sigma0 = sp.sympify(mu0), sp.sympify(sigma0)
    expr = sp.log(g.sigma / sigma0) + (sigma0**2 + (g.mu - mu0) ** 2) / (2 * g.sigma**2) - sp.Rational(1, 2)
    g.cost = Scalar(g.manifold, g.std, expr)
    g.mu0, g.sigma0 = mu0, sigma0
    return g


def one_dimensional() -> SimpleNamespace:
    r"""The paper's one-dimensional example: :math:`C(x) = (x - 1)^2` under :math:`\tilde x = \sqrt{x}`.

    The naive flow in ``x``, :math:`\dot x = -2\eta (x - 1)`, solves to
    :math:`x(t) = 1 + e^{-2\eta t}` from :math:`x(0) = 2`; the naive flow in
    :math:`\tilde x` is a different flow, :math:`\dot{\tilde x} = -4\eta \tilde x(\tilde x^2 - 1)`,
    while the first one seen in :math:`\tilde x` is :math:`\eta (1/\tilde x - \tilde x)`.

    Returns
    -------
    types.SimpleNamespace
        ``manifold``, symbols ``x, xt, eta, t``, charts ``X, Xt`` (named ``"x"``
        and ``"sqrt"``), ``cost``.

    Examples
    --------
    >>> import symgrad as sg
    >>> o = sg.catalog.one_dimensional()
    >>> naive = sg.GradientFlow(o.cost, sg.euclidean(o.X), rate=o.eta)
    >>> naive.components(o.X), naive.components(o.Xt)
    (Matrix([[2*eta*(1 - x)]]), Matrix([[eta*(1 - xt**2)/xt]]))
    >>> sg.GradientFlow(o.cost, sg.euclidean(o.Xt), rate=o.eta).components(o.Xt)
    Matrix([[4*eta*xt*(1 - xt**2)]])
    """
    x, xt, eta = sp.symbols("x xt eta", positive=True)
    M = Manifold("positive half-line")
    X = M.chart(x, name="x")
    Xt = M.chart(xt, name="sqrt")
    M.transition(X, Xt, {xt: sp.sqrt(x)})
    return SimpleNamespace(
        manifold=M,
        x=x,
        xt=xt,
        eta=eta,
        t=sp.Symbol("t", nonnegative=True),
        X=X,
        Xt=Xt,
        cost=Scalar(M, X, (x - 1) ** 2),
    )


def wicked_map(shear: sp.Expr | float = 1) -> SimpleNamespace:
    r"""The paper's "wicked map" (Fig 2): a round valley drawn on a sheared map.

    The terrain has true coordinates :math:`(x, y)`, in which distances are
    Euclidean, and the cost (height) :math:`C = (x^2 + y^2)/2`.  A hiker reads a
    map whose coordinates are sheared, :math:`(u, v) = (x + k y, y)`.  Taking
    the vector of partial derivatives on the map as the gradient (the
    Euclidean metric of the map's chart) gives a direction that is not the
    steepest descent of the terrain, whose metric, seen on the map, is
    :math:`K^T K \ne I`.

    Parameters
    ----------
    shear : sympy expression or number
        The shear :math:`k`.

    Returns
    -------
    types.SimpleNamespace
        ``manifold``, symbols ``x, y, u, v, k``, charts ``terrain, map``,
        ``cost``, and the metrics ``true_metric`` (Euclidean in the terrain)
        and ``map_metric`` (Euclidean in the map chart).

    Examples
    --------
    >>> import symgrad as sg
    >>> w = sg.catalog.wicked_map(shear=1)
    >>> w.true_metric.components(w.map)
    Matrix([
    [ 1, -1],
    [-1,  2]])
    """
    x, y, u, v = sp.symbols("x y u v", real=True)
    k = sp.sympify(shear)
    M = Manifold("terrain")
    terrain = M.chart(x, y, name="terrain")
    mapped = M.chart(u, v, name="map")
    M.transition(terrain, mapped, {u: x + k * y, v: y}, inverse={x: u - k * v, y: v})
    return SimpleNamespace(
        manifold=M,
        x=x,
        y=y,
        u=u,
        v=v,
        k=k,
        terrain=terrain,
        map=mapped,
        cost=Scalar(M, terrain, (x**2 + y**2) / 2),
        true_metric=euclidean(terrain),
        map_metric=euclidean(mapped),
    )


def synaptic_plasticity(n: int = 2, crosstalk: sp.Expr | float | None = None) -> SimpleNamespace:
    r"""A linear neuron learning a target, with per-synapse rates or cross-talk.

    Weights :math:`w_1..w_n`, presynaptic rates :math:`x_i` and a target
    :math:`y^*` (parameters); cost :math:`C = (y^* - \sum_i w_i x_i)^2 / 2`.
    With the diagonal metric :math:`G = \mathrm{diag}(1/\eta_i)` the gradient
    flow is the delta rule with one learning rate per synapse,
    :math:`\dot w_i = \eta_i (y^* - w \cdot x) x_i`; with the non-diagonal
    metric whose inverse is :math:`G^{-1} = I + \kappa \mathbf{1}\mathbf{1}^T`,
    plasticity at one synapse also follows the presynaptic activity of its
    neighbours, :math:`\dot w_i = (y^* - w \cdot x)(x_i + \kappa \sum_j x_j)`
    (heterosynaptic cross-talk).

    Parameters
    ----------
    n : int
        Number of synapses.
    crosstalk : sympy expression, optional
        The cross-talk strength :math:`\kappa > 0`; defaults to a positive
        symbol ``kappa``.

    Returns
    -------
    types.SimpleNamespace
        ``manifold``, ``chart``, symbols ``w, x, ystar, rates, kappa``,
        ``cost``, ``per_synapse`` (diagonal Metric), ``crosstalk`` (dense Metric).

    Examples
    --------
    >>> import symgrad as sg
    >>> p = sg.catalog.synaptic_plasticity(2)
    >>> sg.GradientFlow(p.cost, p.per_synapse).components()[0]
    eta1*x1*(-w1*x1 - w2*x2 + ystar)
    >>> sg.GradientFlow(p.cost, p.crosstalk, simplify="factor").components()[0]
    -(kappa*x1 + kappa*x2 + x1)*(w1*x1 + w2*x2 - ystar)
    """
    w = sp.symbols(f"w1:{n + 1}", real=True)
    x = sp.symbols(f"x1:{n + 1}", real=True)
    rates = sp.symbols(f"eta1:{n + 1}", positive=True)
    ystar = sp.Symbol("ystar", real=True)
    kappa = sp.Symbol("kappa", positive=True) if crosstalk is None else sp.sympify(crosstalk)
    M = Manifold(f"{n} synaptic weights")
    chart = M.chart(w, name="weights")
    cost = Scalar(M, chart, (ystar - sum(wi * xi for wi, xi in zip(w, x))) ** 2 / 2)
    ones = sp.ones(n, n)
    G = sp.eye(n) - kappa / (1 + n * kappa) * ones  # the inverse of I + kappa 11^T
    return SimpleNamespace(
        manifold=M,
        chart=chart,
        w=w,
        x=x,
        ystar=ystar,
        rates=rates,
        kappa=kappa,
        cost=cost,
        per_synapse=diagonal(chart, [1 / r for r in rates]),
        crosstalk=Metric(M, chart, G),
    )


def intrinsic_plasticity(input: Literal["gaussian", "logistic"] = "gaussian") -> SimpleNamespace:
    r"""Intrinsic plasticity of a sigmoid neuron (the paper's Fig 4A/B).

    The neuron's output is :math:`y = g_{ab}(x) = 1/(1 + e^{-(a x + b)})` for an
    input :math:`x` with a given density; plasticity of the gain :math:`a > 0`
    and the bias :math:`b` minimises :math:`KL(f_y \,\|\, \mathrm{Exp}(\mu))`,
    the distance of the output distribution from an exponential one of mean
    :math:`\mu`.  Up to terms free of :math:`(a, b)` this is the expectation
    over :math:`x` of the per-sample cost
    :math:`c = -\log a - \log y - \log(1 - y) + y/\mu`, whose Euclidean
    gradient is Triesch's (2007) rule
    :math:`\Delta b = \eta (1 - (2 + 1/\mu) y + y^2/\mu)`,
    :math:`\Delta a = \eta/a + x \Delta b`.  The Fisher metric of the output
    family :math:`f_y(\cdot; a, b)` gives the natural-gradient rule of Neumann,
    Strub & Steil (2013).

    Parameters
    ----------
    input : {"gaussian", "logistic"}
        The input density: :math:`N(m, s^2)` or a logistic of location
        :math:`m` and scale :math:`s`.

    Returns
    -------
    types.SimpleNamespace
        ``manifold``, ``chart`` :math:`(a, b)`, symbols ``a, b, x, m, s, mu, y``
        (``y`` is the output as an expression of ``x``), ``sample_cost`` (a
        Scalar, with ``x`` as a parameter), ``output`` (the
        :class:`~symgrad.TransformedDensity` of :math:`y`), ``fisher`` (its
        Fisher Metric) and ``euclidean``.

    Examples
    --------
    >>> import symgrad as sg
    >>> ip = sg.catalog.intrinsic_plasticity()
    >>> ip.fisher.components()
    Matrix([
    [(m**2 + 2*s**2)/(a**2*s**2), m/(a**2*s**2)],
    [              m/(a**2*s**2),  1/(a**2*s**2)]])
    """
    a, mu, s = sp.symbols("a mu s", positive=True)
    b, x, m = sp.symbols("b x m", real=True)
    M = Manifold("sigmoid neuron")
    chart = M.chart(a, b, name="(a, b)")
    y = 1 / (1 + sp.exp(-(a * x + b)))
    if input == "gaussian":
        base = Normal(mean=m, std=s)
    elif input == "logistic":
        base = Logistic(loc=m, scale=s)
    else:
        raise FamilyError(f"the input density of intrinsic_plasticity must be 'gaussian' or 'logistic', got {input!r}")
    output = TransformedDensity(base, x, y)
    return SimpleNamespace(
        manifold=M,
        chart=chart,
        a=a,
        b=b,
        x=x,
        m=m,
        s=s,
        mu=mu,
        y=y,
        sample_cost=Scalar(M, chart, -sp.log(a) - sp.log(y) - sp.log(1 - y) + y / mu),
        output=output,
        fisher=fisher_metric(output, chart),
        euclidean=euclidean(chart),
    )


def binomial_synapse(N: int | sp.Expr | None = None) -> SimpleNamespace:
    r"""The binomial release synapse (the paper's Fig 4C/D; Costa et al. 2017).

    :math:`N` release sites release with probability :math:`P` each, every
    release adding a quantal amplitude :math:`q`; the postsynaptic response is
    approximately :math:`N(NPq,\, NP(1-P)q^2)`.  Learning moves :math:`(q, P)`
    to bring the response close to a target :math:`\phi`, with cost
    :math:`C = KL(N(\phi, \epsilon^2) \,\|\, N(NPq, NP(1-P)q^2))`, the KL
    divergence from a narrow Gaussian at :math:`\phi`.

    Parameters
    ----------
    N : int or sympy expression, optional
        The number of release sites; a positive integer symbol ``N`` by default.

    Returns
    -------
    types.SimpleNamespace
        ``manifold``, ``chart`` :math:`(q, P)` with :math:`P \in (0, 1)`,
        symbols ``q, P, N, phi, epsilon``, ``response`` (the Gaussian
        approximation), ``cost`` (a Scalar), ``fisher`` (the Fisher Metric of
        the response), ``euclidean``.

    Examples
    --------
    >>> import symgrad as sg
    >>> syn = sg.catalog.binomial_synapse()
    >>> syn.fisher.components()
    Matrix([
    [(-N*P + 2*P - 2)/(q**2*(P - 1)),                         (-N*P + 2*P - 1)/(P*q*(P - 1))],
    [ (-N*P + 2*P - 1)/(P*q*(P - 1)), (-N*P**2 + N*P + 2*P**2 - 2*P + 1/2)/(P**2*(P - 1)**2)]])
    """
    q, P, phi, epsilon = sp.symbols("q P phi epsilon", positive=True)
    N = sp.Symbol("N", integer=True, positive=True) if N is None else sp.sympify(N)
    M = Manifold("binomial synapse")
    chart = M.chart(q, P, name="(q, P)", domain={P: sp.Interval.open(0, 1)})
    response = Normal(mean=N * P * q, variance=N * P * (1 - P) * q**2)
    target = Normal(mean=phi, std=epsilon)
    return SimpleNamespace(
        manifold=M,
        chart=chart,
        q=q,
        P=P,
        N=N,
        phi=phi,
        epsilon=epsilon,
        response=response,
        cost=Scalar(M, chart, kl_divergence(target, response)),
        fisher=fisher_metric(response, chart),
        euclidean=euclidean(chart),
    )
