r"""The Wasserstein-2 (Bures) metric of Gaussian families.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> mu = sp.Symbol("mu", real=True)
>>> sigma = sp.Symbol("sigma", positive=True)
>>> A = sg.Manifold("normal family").chart(mu, sigma)
>>> sg.wasserstein(sg.Normal(mean=mu, std=sigma), A).components()
Matrix([
[1, 0],
[0, 1]])
"""

from __future__ import annotations

import sympy as sp

from ..core.chart import Chart, as_chart
from ..core.linalg import solve_linear
from ..core.simplify import simplify_matrix
from ..core.tensors import Metric
from ..errors import ArgumentTypeError
from .families import Normal
from .multivariate import MultivariateNormal

__all__ = ["wasserstein"]


def wasserstein(family: Normal | MultivariateNormal, chart: Chart, *, check: bool = True) -> Metric:
    r"""The Wasserstein-2 (Bures) metric of a Gaussian family, in ``chart``.

    For :math:`N(m, \Sigma)`:
    :math:`g(\dot\theta, \dot\theta) = |\dot m|^2 + \tfrac12 \mathrm{tr}(X \dot\Sigma)`
    with :math:`\Sigma X + X \Sigma = \dot\Sigma`; for a univariate normal this is
    :math:`dm^2 + d\sigma^2`, the Euclidean metric of :math:`(m, \sigma)`.

    Parameters
    ----------
    family : Normal or MultivariateNormal
        Its parameters are expressions in ``chart``'s coordinates.
    chart : Chart
    check : bool
        Set False to skip the positive-definiteness check (see :class:`~symgrad.Metric`).

    Returns
    -------
    Metric

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> mu = sp.Symbol("mu", real=True)
    >>> s = sp.Symbol("s", positive=True)
    >>> B = sg.Manifold("normal family").chart(mu, s)
    >>> sg.wasserstein(sg.Normal(mean=mu, variance=s), B).components()
    Matrix([
    [1,         0],
    [0, 1/(4*s)]])
    """
    chart = as_chart(chart, "wasserstein")
    mean, cov = _mean_and_covariance(family)
    for e in list(mean) + list(cov):
        chart.manifold.check_expression(e, chart, f"parameter {e} of {family!r}")
    d = cov.rows
    dmean = mean.jacobian(chart.coords)
    # Sylvester operator S X + X S on vec(X), solved once per coordinate direction
    eye = sp.eye(d)
    sylvester = sp.kronecker_product(eye, cov) + sp.kronecker_product(cov.T, eye)
    directions = [cov.diff(c) for c in chart.coords]
    solves = [_sylvester(sylvester, D, d) for D in directions]
    n = chart.dim
    G = sp.Matrix(n, n, lambda a, b: (dmean[:, a].T * dmean[:, b])[0, 0] + (solves[a] * directions[b]).trace() / 2)
    return Metric(chart.manifold, chart, simplify_matrix(G, "fast"), check=check)


def _sylvester(operator, D, d):
    if D.is_zero_matrix:
        return sp.zeros(d, d)
    if d == 1:
        return sp.Matrix([[D[0, 0] / operator[0, 0]]])
    vec = solve_linear(operator, D.T.reshape(d * d, 1))  # column-stacked vec(D)
    return sp.Matrix(d, d, lambda i, j: vec[j * d + i])


def _mean_and_covariance(family):
    """The mean vector and covariance matrix of a (multivariate) normal family."""
    if hasattr(family, "covariance_matrix"):
        return sp.Matrix(family.mean), sp.Matrix(family.covariance_matrix())
    if isinstance(family, Normal):
        return sp.Matrix([family.mean]), sp.Matrix([[family.variance]])
    raise ArgumentTypeError(f"the Wasserstein metric is defined here for Gaussian families, got {family!r}")
