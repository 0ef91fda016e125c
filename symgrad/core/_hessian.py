r"""The Hessian metric of a convex potential: the metric of mirror descent.

A strictly convex function :math:`\psi` of a chart's coordinates :math:`x`
defines the metric :math:`G(x) = \nabla^2 \psi(x)`.  Mirror descent with mirror
map :math:`\psi`, :math:`\tfrac{d}{dt}\nabla\psi(x) = -\eta\,\nabla C(x)`, is in
continuous time :math:`\dot x = -\eta\,(\nabla^2\psi)^{-1}\nabla C`: the
Riemannian gradient flow of this metric.  The Hessian is taken in one chart,
the *affine* chart of the mirror map (the Hessian of a function is a tensor
only on a flat space, so another chart gives another metric).

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> from symgrad.core._hessian import hessian_metric
>>> w = sp.Symbol("w", positive=True)
>>> W = sg.Manifold("weights").chart(w)
>>> hessian_metric(sg.Scalar(W.manifold, W, w * sp.log(w) - w)).components()
Matrix([[1/w]])
"""

from __future__ import annotations

import sympy as sp

from ..budgets import stage
from ..errors import ArgumentTypeError, NotPositiveDefiniteError
from .chart import Chart
from .simplify import simplify_matrix
from .tensors import Metric, Scalar

__all__ = ["hessian_metric"]


@stage("the Hessian metric")
def hessian_metric(potential: Scalar, chart: Chart | None = None, *, check: bool = True) -> Metric:
    r"""The Hessian metric :math:`G = \nabla^2\psi` of a strictly convex potential, in ``chart``.

    :math:`G_{ij} = \partial_i \partial_j \psi` in the coordinates of ``chart``
    (the affine chart of the mirror map).  The gradient flow of this metric,
    ``sg.GradientFlow(cost, hessian_metric(psi), rate)``, is continuous-time
    mirror descent with mirror map :math:`\psi`:
    :math:`\tfrac{d}{dt}\nabla\psi = -\eta\,\nabla C`.

    Parameters
    ----------
    potential : Scalar
        :math:`\psi`, strictly convex on the chart's domain.
    chart : Chart, optional
        The chart whose coordinates the Hessian is taken in (default: the chart
        ``potential`` is given in).  The result is a Metric given in this chart
        and, like any Metric, has components in every chart of the manifold.
    check : bool
        Set False to skip the positive-definiteness check (a potential that is
        convex but not strictly so everywhere).

    Returns
    -------
    Metric
        Given in ``chart``, checked symmetric and positive definite by
        :class:`~symgrad.Metric`.

    Raises
    ------
    ArgumentTypeError
        If ``potential`` is not a Scalar or ``chart`` not a Chart.
    NotPositiveDefiniteError
        If :math:`\psi` is not strictly convex on the chart's domain; the
        message names the potential.

    Examples
    --------
    The negative entropy :math:`\sum_i w_i \log w_i - w_i` gives the metric of the
    exponentiated-gradient rule, :math:`\dot w_i = -\eta\, w_i\, \partial C/\partial w_i`:

    >>> import sympy as sp
    >>> import symgrad as sg
    >>> from symgrad.core._hessian import hessian_metric
    >>> w1, w2, eta = sp.symbols("w1 w2 eta", positive=True)
    >>> W = sg.Manifold("weights").chart(w1, w2)
    >>> psi = sg.Scalar(W.manifold, W, w1 * sp.log(w1) - w1 + w2 * sp.log(w2) - w2)
    >>> G = hessian_metric(psi)
    >>> G.components()
    Matrix([
    [1/w1,    0],
    [   0, 1/w2]])
    >>> cost = sg.Scalar(W.manifold, W, (w1 - 1)**2 + w1 * w2)
    >>> sg.GradientFlow(cost, G, rate=eta).components().T
    Matrix([[eta*w1*(-2*w1 - w2 + 2), -eta*w1*w2]])

    A potential that is not strictly convex is refused:

    >>> hessian_metric(sg.Scalar(W.manifold, W, w1 + w2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    symgrad.errors.NotPositiveDefiniteError: the Hessian of the potential w1 + w2 ... is not positive definite ...
    """
    if not isinstance(potential, Scalar):
        raise ArgumentTypeError(
            f"hessian_metric takes a Scalar (the potential psi), got {type(potential).__name__}; "
            "wrap the expression as sg.Scalar(manifold, chart, expr)"
        )
    if chart is None:
        chart = potential.chart
    elif not isinstance(chart, Chart):
        raise ArgumentTypeError(f"hessian_metric: chart must be a Chart, got {type(chart).__name__}")
    psi = potential.components(chart)
    H = simplify_matrix(sp.hessian(psi, chart.coords), "fast")
    try:
        return Metric(chart.manifold, chart, H, check=check)
    except NotPositiveDefiniteError as err:
        raise NotPositiveDefiniteError(
            f"the Hessian of the potential {psi} in chart {chart.name!r} is not positive definite "
            f"({err}); the potential must be strictly convex in this chart's coordinates"
        ) from None
