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
from .analysis import (
    Geodesic,
    GradientFieldResult,
    HamiltonianFlow,
    InvarianceReport,
    check_descent,
    check_invariance,
    christoffel,
    fit_metric,
    geodesic,
    geodesic_equations,
    gradient_metric,
    hamiltonian_flow,
    is_gradient_flow,
    newton_flow,
    riemannian_hessian,
)
from .budgets import budget
from .core import (
    Chart,
    Covector,
    GradientFlow,
    Manifold,
    Map,
    Metric,
    Scalar,
    Transition,
    Vector,
    constant,
    diagonal,
    differential,
    euclidean,
    log_metric,
    metabolic,
    metric_sum,
    pullback,
    riemannian_gradient,
)
from .errors import (
    AnalysisError,
    ArgumentTypeError,
    BudgetError,
    ChartError,
    ChartMismatchError,
    DataError,
    DimensionError,
    DomainError,
    ExportError,
    ExportParameterError,
    ExpressionError,
    FamilyError,
    FamilyMismatchError,
    FitError,
    GeometryError,
    IdentifiabilityError,
    IntegrationError,
    InverseError,
    ManifoldMismatchError,
    MetricError,
    ModelFileError,
    NoClosedFormError,
    NoPathError,
    NotAChartError,
    NotAFamilyError,
    NotAFlowError,
    NotAMetricError,
    NotDescentError,
    NotInvertibleError,
    NotNormalizedError,
    NotPositiveDefiniteError,
    NotSymmetricError,
    NumericParameterError,
    NumericValueError,
    ParameterError,
    ParameterValueError,
    RateError,
    SimplifyError,
    SingularHessianError,
    SingularMetricError,
    SingularTransitionError,
    SymgradError,
    SymgradWarning,
    TransitionError,
    UnboundParameterError,
    UndefinedExpressionError,
    UnknownParameterError,
    UnsupportedExpressionError,
)
from .information import (
    Bernoulli,
    Binomial,
    Categorical,
    Density,
    Exponential,
    Family,
    FisherExpectation,
    Gamma,
    Logistic,
    MultivariateNormal,
    Normal,
    Poisson,
    TransformedDensity,
    empirical_fisher,
    expectation,
    expected_flow,
    fisher_metric,
    kl_divergence,
    wasserstein,
)
from .io import Model, load_model, loads_model, parse_expression
from .numeric import FlowSolution, NumericFlow, to_c, to_jax, to_latex, to_python

__version__ = "0.2.0.dev0"

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
    "metric_sum",
    "wasserstein",
    # information geometry
    "Normal",
    "fisher_metric",
    "empirical_fisher",
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
    "expected_flow",
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
    "UndefinedExpressionError",
    "RateError",
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
    "DataError",
    "IdentifiabilityError",
    "IntegrationError",
    # time budgets
    "budget",
    "BudgetError",
    # numeric flows
    "NumericFlow",
    "FlowSolution",
    "NumericParameterError",
    "UnboundParameterError",
    "UnknownParameterError",
    "ParameterValueError",
    "NumericValueError",
    "NoClosedFormError",
    "SingularMetricError",
    "SymgradWarning",
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
