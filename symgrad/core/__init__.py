"""The geometry: manifolds, charts, transitions, tensors, metrics and gradients.

Nothing here knows about probability families or numbers: this is the layer every
other subpackage builds on.  The public names are re-exported from :mod:`symgrad`.
"""

from ._hessian import hessian_metric
from ._metric_algebra import metric_sum
from .chart import Chart
from .gradient import GradientFlow, differential, riemannian_gradient
from .manifold import Manifold
from .metrics import constant, diagonal, euclidean, log_metric, metabolic, pullback
from .tensors import Covector, Metric, Scalar, Vector
from .transitions import Map, Transition

__all__ = [
    "Manifold",
    "Chart",
    "Map",
    "Transition",
    "Scalar",
    "Covector",
    "Vector",
    "Metric",
    "GradientFlow",
    "differential",
    "riemannian_gradient",
    "euclidean",
    "diagonal",
    "constant",
    "log_metric",
    "pullback",
    "metabolic",
    "metric_sum",
    "hessian_metric",
]
