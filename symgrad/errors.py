"""The exceptions symgrad raises.

Every error symgrad raises on bad input derives from :class:`SymgradError`, so
``except sg.SymgradError`` catches all of them.  Where an error is also a
``ValueError`` or a ``TypeError`` in the ordinary Python sense, it subclasses
that too, so generic code that expects those keeps working.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> x = sp.Symbol("x", real=True)
>>> M = sg.Manifold("line")
>>> A = M.chart(x)
>>> try:
...     sg.Metric(M, A, sp.Matrix([[-1]]))
... except sg.SymgradError as err:
...     print(type(err).__name__)
NotPositiveDefiniteError
"""

__all__ = [
    "SymgradError",
    "ArgumentTypeError",
    "ChartError",
    "DomainError",
    "ChartMismatchError",
    "ManifoldMismatchError",
    "DimensionError",
    "TransitionError",
    "SingularTransitionError",
    "InverseError",
    "NoPathError",
    "MetricError",
    "NotSymmetricError",
    "NotPositiveDefiniteError",
    "SimplifyError",
    "ExpressionError",
    "UndefinedExpressionError",
    "RateError",
    "FamilyError",
    "NotAFamilyError",
    "ParameterError",
    "NotNormalizedError",
    "NotInvertibleError",
    "FamilyMismatchError",
    "DataError",
    "IdentifiabilityError",
    "IntegrationError",
    "BudgetError",
    "NumericParameterError",
    "UnboundParameterError",
    "UnknownParameterError",
    "ParameterValueError",
    "NumericValueError",
    "ExportError",
    "NotAFlowError",
    "NotAChartError",
    "ExportParameterError",
    "UnsupportedExpressionError",
    "ModelFileError",
    "AnalysisError",
    "NotDescentError",
    "FitError",
    "GeometryError",
    "NotAMetricError",
    "SingularHessianError",
    "NoClosedFormError",
    "MissingDependencyError",
    "BackendUnavailableError",
    "SweepStoreError",
    "SingularMetricError",
    "SymgradWarning",
]


class SymgradError(Exception):
    """Base class of every error symgrad raises on bad input."""


class ArgumentTypeError(SymgradError, TypeError):
    """An argument is not of the kind a function takes (a Chart where a Metric belongs, ...).

    The more specific errors of this kind (:class:`ExpressionError`,
    :class:`NotAFamilyError`, :class:`NotAFlowError`, :class:`NotAChartError`,
    :class:`NotAMetricError`) subclass it.
    """


class ChartError(SymgradError, ValueError):
    """A chart is ill-formed: a repeated or non-real coordinate, a bad domain."""


class DomainError(SymgradError, ValueError):
    """A point or a value lies outside the domain of a chart."""


class ChartMismatchError(SymgradError, ValueError):
    """An expression given in one chart uses the coordinates of another chart."""


class ManifoldMismatchError(SymgradError, ValueError):
    """Objects that must live on one manifold live on different ones."""


class DimensionError(SymgradError, ValueError):
    """Components have the wrong number of entries or the wrong shape."""


class TransitionError(SymgradError, ValueError):
    """A transition map between two charts is ill-formed."""


class SingularTransitionError(TransitionError):
    """The Jacobian of a transition map is singular."""


class InverseError(TransitionError):
    """The inverse of a transition map could not be found or is wrong."""


class NoPathError(SymgradError, LookupError):
    """No chain of transition maps connects two charts."""


class MetricError(SymgradError, ValueError):
    """A metric tensor is ill-formed."""


class NotSymmetricError(MetricError):
    """A metric tensor's matrix of components is not symmetric."""


class NotPositiveDefiniteError(MetricError):
    """A metric tensor is not positive definite on its chart's domain."""


class SimplifyError(SymgradError, ValueError):
    """An unknown simplification level was requested."""


class ExpressionError(ArgumentTypeError):
    """A value is not a sympy expression (strings are never parsed)."""


class RateError(SymgradError, ValueError):
    """The rate of a gradient flow is not a positive constant or parameter."""


class UndefinedExpressionError(SymgradError, ValueError):
    """An expression holds ``nan``, an infinity or the imaginary unit where a finite real one is needed."""


class FamilyError(SymgradError, ValueError):
    """A probability family is ill-formed, or used where it has no meaning."""


class NotAFamilyError(ArgumentTypeError):
    """A value given where a probability family is expected is not one."""


class ParameterError(FamilyError, DomainError):
    """A parameter of a probability family lies outside its range (a negative variance, ...)."""


class NotNormalizedError(FamilyError):
    """A density does not integrate to one over its support."""


class NotInvertibleError(FamilyError):
    """The map of a transformed density is not invertible in the data on its support."""


class FamilyMismatchError(FamilyError):
    """Two families cannot be compared (a KL divergence between different kinds of family)."""


class DataError(FamilyError):
    """The ``data=`` (or ``outputs=``) of a conditional model are ill-formed.

    A column that is no input of the family, a coordinate given as an input,
    columns of different lengths, a value that is not a finite real number, an
    output outside the family's support.  The message names the column and the
    remedy.
    """


class IdentifiabilityError(DataError, NotPositiveDefiniteError):
    r"""The data do not identify the parameters of a conditional model.

    The Fisher metric (or empirical Fisher metric) summed over the rows of a
    data set is singular: some direction of the chart changes the model's
    distribution at no row, because there are fewer rows than parameters or the
    inputs are collinear.  The message names the direction and the remedies:
    more rows whose inputs vary independently, fewer coordinates, a damping
    term ``F + lam * sg.euclidean(chart)``, or ``check=False``.  It is a
    :class:`~symgrad.NotPositiveDefiniteError` and a :class:`~symgrad.FamilyError`.
    """


class IntegrationError(SymgradError, RuntimeError):
    """An expectation has no closed form that sympy finds within the time limit."""


class BudgetError(SymgradError, TimeoutError):
    """A symbolic stage ran past its time budget (see :mod:`symgrad.budgets`).

    The attributes ``stage`` and ``seconds`` hold the stage that was running
    (None when none was) and the budget.
    """

    def __init__(self, message, stage=None, seconds=None):
        super().__init__(message)
        self.stage = stage
        self.seconds = seconds


class ExportError(SymgradError):
    """A flow cannot be exported (to LaTeX, Python, C or JAX) as asked."""


class NotAFlowError(ExportError, ArgumentTypeError):
    """A value given where a GradientFlow is expected is not one."""


class NotAChartError(ExportError, ArgumentTypeError):
    """A value given where a Chart is expected is not one."""


class ExportParameterError(ExportError, ValueError):
    """The ``params`` of an export are ill-formed: a key that is no parameter, a non-numeric value."""


class UnsupportedExpressionError(ExportError, ValueError):
    """A flow uses a function the target language (numpy, C99, jax.numpy) does not provide."""


class ModelFileError(SymgradError, ValueError):
    """A model file (or an expression in one) is not a valid model.

    The message names the file, the TOML key and the offending text; the
    attributes ``source`` and ``key`` hold the first two (None when unknown).
    """

    def __init__(self, message, source=None, key=None):
        super().__init__(message)
        self.source = source
        self.key = key


class NumericParameterError(SymgradError, ValueError):
    """The parameters of a numeric flow are ill-formed (two free parameters with one name, ...)."""


class UnboundParameterError(NumericParameterError):
    """A numeric evaluation needs a parameter that was neither bound nor passed by name."""


class UnknownParameterError(NumericParameterError):
    """A value was given for a symbol that is no (free) parameter of the numeric flow."""


class ParameterValueError(NumericParameterError):
    """A value given to a numeric flow's parameter is not a finite real number in its range."""


class AnalysisError(SymgradError, ValueError):
    """An analysis of a vector field or of data cannot be carried out as asked."""


class NotDescentError(AnalysisError):
    """A candidate cost does not decrease along a field: :math:`dC(v) < 0` fails somewhere."""


class FitError(AnalysisError):
    """Data do not determine a metric of the requested family, or contradict every member of it."""


class GeometryError(SymgradError, ValueError):
    """A second-order geometric object (geodesic, Hessian, momentum flow) cannot be formed or integrated."""


class NotAMetricError(GeometryError, ArgumentTypeError):
    """A value given where a Metric is expected is not one."""


class SingularHessianError(GeometryError):
    """The Riemannian Hessian of a cost is singular, so the Newton flow is not defined."""


class NumericValueError(SymgradError, ValueError):
    """A number a numeric routine takes or computes is unusable.

    An argument of the right kind whose value the routine cannot use: a time
    span with equal or non-finite ends, times outside it or unsorted, a
    tolerance that is negative or not finite.  Or a value of a numeric flow
    (its field, metric or cost) that is not finite at a point of its domain,
    an overflow or a singularity; the message names the point and the
    parameter values there.
    """


class MissingDependencyError(SymgradError, ImportError):
    """An optional dependency is not installed; the message names the extra (``pip install "symgrad[dask]"``)."""


class BackendUnavailableError(MissingDependencyError):
    """A numeric backend was asked for whose packages are not installed (JAX and diffrax: ``symgrad[jax]``)."""


class SweepStoreError(SymgradError, FileExistsError):
    """The store a sweep would write to exists already (pass ``overwrite=True`` to replace it)."""


class NoClosedFormError(SymgradError, RuntimeError):
    """A closed form was asked of a gradient flow that solves :math:`G v = -\\eta\\, dC` numerically.

    A :class:`~symgrad.GradientFlow` made with ``solve="numeric"``, or with
    ``solve="auto"`` when the closed form was not found within the time
    budget, has no components in closed form; its metric, cost and
    differential have, and its numeric flow and exports solve the linear
    system at each point.
    """


class SingularMetricError(NumericValueError):
    """The metric is singular at a point where a numeric flow solves :math:`G v = -\\eta\\, dC`.

    The message names the point and the parameter values there.
    """


class SymgradWarning(UserWarning):
    """A warning of symgrad: the result differs from what was asked, and the message says how and why."""
