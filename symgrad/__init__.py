"""symgrad: symbolic gradient dynamics on curved parameter spaces.

A cost function alone does not determine a learning rule: steepest descent
depends on a metric.  symgrad derives the Riemannian gradient flow
``dx/dt = -eta G(x)^{-1} dC(x)`` in closed form, in any chart, and shows that
it does not depend on the chart while the vector of partial derivatives does.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> mu = sp.Symbol("mu", real=True)
>>> sigma, s, eta = sp.symbols("sigma s eta", positive=True)
>>> M = sg.Manifold("normal family")
>>> A, B = M.chart(mu, sigma), M.chart(mu, s)
>>> _ = M.transition(A, B, {mu: mu, s: sigma**2})
>>> cost = sg.Scalar(M, A, sp.log(sigma / 2) + (4 + (mu - 4)**2) / (2 * sigma**2) - sp.Rational(1, 2))
>>> F = sg.fisher_metric(sg.Normal(mean=mu, std=sigma), A)
>>> flow = sg.GradientFlow(cost, F, rate=eta)
>>> flow.components(A).T
Matrix([[eta*(4 - mu), eta*(mu**2 - 8*mu - sigma**2 + 20)/(2*sigma)]])
"""

from . import catalog
from .errors import (
    ArgumentTypeError,
    ChartError,
    ChartMismatchError,
    DimensionError,
    DomainError,
    ExpressionError,
    InverseError,
    ManifoldMismatchError,
    MetricError,
    NoPathError,
    NotPositiveDefiniteError,
    NotSymmetricError,
    SimplifyError,
    SingularTransitionError,
    SymgradError,
    TransitionError,
    FamilyError,
    FamilyMismatchError,
    IntegrationError,
    NotAFamilyError,
    NotInvertibleError,
    NotNormalizedError,
    ParameterError,
)
from .analysis import InvarianceReport, check_descent, check_invariance
from .analysis import GradientFieldResult, is_gradient_flow
from .fitting import fit_metric, gradient_metric
from .errors import AnalysisError, FitError, NotDescentError
from .gradient import GradientFlow, differential, riemannian_gradient
from .multivariate import MultivariateNormal
from .densities import Density, TransformedDensity
from .discrete import Bernoulli, Binomial, Categorical, Poisson
from .families import Exponential, Family, Gamma, Logistic, Normal
from .information import FisherExpectation, expectation, fisher_metric, kl_divergence
from .manifold import Chart, Manifold, Map, Transition
from .metrics import constant, diagonal, euclidean, log_metric, metabolic, pullback, wasserstein
from .tensors import Covector, Metric, Scalar, Vector
from .errors import (
    NumericParameterError,
    ParameterValueError,
    UnboundParameterError,
    UnknownParameterError,
)
from .numeric import FlowSolution, NumericFlow
from .errors import (
    ExportError,
    ExportParameterError,
    NotAChartError,
    NotAFlowError,
    UnsupportedExpressionError,
)
from .export import to_c, to_jax, to_latex, to_python
from .errors import ModelFileError
from .modelfile import Model, load_model, loads_model, parse_expression
from .errors import GeometryError, NotAMetricError, SingularHessianError
from .geometry import (
    Geodesic,
    HamiltonianFlow,
    christoffel,
    geodesic,
    geodesic_equations,
    hamiltonian_flow,
    newton_flow,
    riemannian_hessian,
)

__version__ = "0.1.0"

__all__ = [
    # objects
    "Manifold",
    "Chart",
    "Map",
    "Transition",
    "Scalar",
    "Covector",
    "Vector",
    "Metric",
    "GradientFlow",
    # algorithms
    "differential",
    "riemannian_gradient",
    # metrics
    "euclidean",
    "diagonal",
    "constant",
    "log_metric",
    "pullback",
    "metabolic",
    "wasserstein",
    # information geometry
    "Normal",
    "fisher_metric",
    "Family",
    "MultivariateNormal",
    "Logistic",
    "Exponential",
    "Gamma",
    "Bernoulli",
    "Binomial",
    "Poisson",
    "Categorical",
    "Density",
    "TransformedDensity",
    "kl_divergence",
    "expectation",
    "FisherExpectation",
    # checks
    "check_invariance",
    "check_descent",
    "InvarianceReport",
    "is_gradient_flow",
    "GradientFieldResult",
    "gradient_metric",
    "fit_metric",
    "AnalysisError",
    "NotDescentError",
    "FitError",
    # catalogue
    "catalog",
    # errors
    "SymgradError",
    "ArgumentTypeError",
    "ChartError",
    "ChartMismatchError",
    "DimensionError",
    "DomainError",
    "ExpressionError",
    "InverseError",
    "ManifoldMismatchError",
    "MetricError",
    "NoPathError",
    "NotPositiveDefiniteError",
    "NotSymmetricError",
    "SimplifyError",
    "SingularTransitionError",
    "TransitionError",
    "FamilyError",
    "NotAFamilyError",
    "ParameterError",
    "NotNormalizedError",
    "NotInvertibleError",
    "FamilyMismatchError",
    "IntegrationError",
    # numeric flows
    "NumericFlow",
    "FlowSolution",
    "NumericParameterError",
    "UnboundParameterError",
    "UnknownParameterError",
    "ParameterValueError",
    # export
    "to_latex",
    "to_python",
    "to_c",
    "to_jax",
    "ExportError",
    "NotAFlowError",
    "NotAChartError",
    "ExportParameterError",
    "UnsupportedExpressionError",
    # model files
    "Model",
    "load_model",
    "loads_model",
    "parse_expression",
    "ModelFileError",
    # second-order geometry
    "christoffel",
    "geodesic_equations",
    "geodesic",
    "Geodesic",
    "riemannian_hessian",
    "newton_flow",
    "HamiltonianFlow",
    "hamiltonian_flow",
    "GeometryError",
    "NotAMetricError",
    "SingularHessianError",
]
