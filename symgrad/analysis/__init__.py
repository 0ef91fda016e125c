"""Analysis of flows: chart independence, gradient-flow tests, metric fitting, second-order geometry.

Examples
--------
>>> import symgrad as sg
>>> from symgrad.analysis import check_invariance
>>> g = sg.catalog.gaussian_kl()
>>> check_invariance(g.cost, g.fisher).passed
True
"""

from .fitting import fit_metric, gradient_metric
from .geometry import (
    Geodesic,
    christoffel,
    geodesic,
    geodesic_equations,
    newton_flow,
    riemannian_hessian,
)
from .gradient_fields import GradientFieldResult, is_gradient_flow
from .hamiltonian import HamiltonianFlow, hamiltonian_flow
from .invariance import InvarianceReport, InvarianceRow, check_descent, check_invariance

__all__ = [
    "check_invariance",
    "check_descent",
    "InvarianceReport",
    "InvarianceRow",
    "is_gradient_flow",
    "GradientFieldResult",
    "gradient_metric",
    "fit_metric",
    "christoffel",
    "geodesic_equations",
    "geodesic",
    "Geodesic",
    "riemannian_hessian",
    "newton_flow",
    "HamiltonianFlow",
    "hamiltonian_flow",
]
