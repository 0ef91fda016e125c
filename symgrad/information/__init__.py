"""Information geometry: probability families, Fisher metrics, KL divergences, Wasserstein.

Families hold their parameters as expressions in a chart's coordinates; the algorithms
that depend on the kind of family (the Fisher matrix, the KL divergence) dispatch on it
in one place each.  The public names are re-exported from :mod:`symgrad`.
"""

from .densities import Density, TransformedDensity
from .discrete import Bernoulli, Binomial, Categorical, Poisson
from .expected import expected_flow
from .exponential import ExponentialFamily
from .exponential_forms import exponential_form
from .families import Exponential, Family, Gamma, Logistic, Normal
from .fisher import FisherExpectation, empirical_fisher, expectation, fisher_metric
from .kl import kl_divergence
from .multivariate import MultivariateNormal
from .wasserstein import wasserstein

__all__ = [
    "Family",
    "Normal",
    "Logistic",
    "Exponential",
    "Gamma",
    "MultivariateNormal",
    "Bernoulli",
    "Binomial",
    "Poisson",
    "Categorical",
    "Density",
    "TransformedDensity",
    "fisher_metric",
    "empirical_fisher",
    "FisherExpectation",
    "kl_divergence",
    "expectation",
    "expected_flow",
    "ExponentialFamily",
    "exponential_form",
    "wasserstein",
]
