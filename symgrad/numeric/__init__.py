"""The numeric boundary: where sympy expressions become numbers.

One parameter binder (:mod:`symgrad.numeric._params`), one lambdify kernel
(:mod:`symgrad.numeric._kernels`) and one ODE driver (:mod:`symgrad.numeric._ivp`)
serve every numeric exit: :class:`NumericFlow`, the exporters, the plots, and the
numeric routines of the other subpackages.  The public names are re-exported from
:mod:`symgrad`; the plots are in :mod:`symgrad.plotting`.
"""

from .export import to_c, to_jax, to_latex, to_python
from .flow import FlowSolution, NumericFlow

__all__ = ["NumericFlow", "FlowSolution", "to_latex", "to_python", "to_c", "to_jax"]
