r"""Probability families and their Fisher information metrics.

A family is a value holding its parameters as sympy expressions of some
chart's coordinates.  :func:`fisher_metric` returns the Fisher information
metric of the family in a chart: the family's closed form in its own
parameters, pulled back through the parameter map, :math:`J^T F J`.

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

import sympy as sp

from . import _domain
from .errors import DomainError, SymgradError
from .manifold import Chart, as_expr
from .simplify import congruence
from .tensors import Metric

__all__ = ["Normal", "fisher_metric"]


class Normal:
    r"""The normal family :math:`N(m, \sigma^2)`, parametrised by its mean and one scale parameter.

    Give exactly one of ``std`` (:math:`\sigma`), ``variance`` (:math:`\sigma^2`)
    or ``precision`` (:math:`1/\sigma^2`).  Each may be any expression of a
    chart's coordinates, e.g. ``Normal(mean=N*P*q, variance=N*P*(1-P)*q**2)``.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> mu, tau = sp.Symbol("mu", real=True), sp.Symbol("tau", positive=True)
    >>> sg.Normal(mean=mu, precision=tau)
    Normal(mean=mu, precision=tau)
    """

    _closed_forms = {
        "std": lambda sd: sp.diag(1 / sd**2, 2 / sd**2),
        "variance": lambda v: sp.diag(1 / v, 1 / (2 * v**2)),
        "precision": lambda p: sp.diag(p, 1 / (2 * p**2)),
    }

    def __init__(self, mean, std=None, variance=None, precision=None):
        given = {k: v for k, v in (("std", std), ("variance", variance), ("precision", precision)) if v is not None}
        if len(given) != 1:
            raise SymgradError(
                "Normal takes exactly one of std=, variance= or precision=, "
                f"got {sorted(given) or 'none'}"
            )
        (self.scale_name, scale), = given.items()
        self.mean = as_expr(mean, "Normal mean")
        self.scale = as_expr(scale, f"Normal {self.scale_name}")
        if _domain.decide_positive(self.scale, {}) is False:
            raise DomainError(f"the {self.scale_name} of a Normal must be positive, got {self.scale}")

    def __repr__(self):
        return f"Normal(mean={self.mean}, {self.scale_name}={self.scale})"

    @property
    def parameters(self):
        """The parameter expressions, ``(mean, scale)``."""
        return (self.mean, self.scale)

    def fisher_matrix(self):
        """The Fisher information matrix in the family's own parameters ``(mean, scale)``."""
        return self._closed_forms[self.scale_name](self.scale)


def fisher_metric(family, chart):
    r"""The Fisher information metric of a family, in ``chart``.

    :math:`G = J^T F(\theta(x)) J` with :math:`F` the family's Fisher matrix in
    its own parameters :math:`\theta` and :math:`J = d\theta/dx`.

    Parameters
    ----------
    family : Normal
    chart : Chart
        The family's parameters must be expressions in this chart's coordinates.

    Returns
    -------
    Metric
    """
    if not isinstance(chart, Chart):
        raise TypeError(f"fisher_metric takes a Chart, got {type(chart).__name__}")
    if not hasattr(family, "fisher_matrix"):
        raise TypeError(f"fisher_metric takes a probability family, got {type(family).__name__}")
    params = sp.Matrix(family.parameters)
    for p in params:
        chart.manifold.check_expression(p, chart, f"parameter {p} of {family!r}")
    J = params.jacobian(chart.coords)
    F = family.fisher_matrix()
    return Metric(chart.manifold, chart, congruence(J, F, "fast"))
