"""The numeric boundary: where sympy expressions become numbers.

One parameter binder (:mod:`symgrad.numeric._params`), one lambdify kernel
(:mod:`symgrad.numeric._kernels`) and one ODE driver (:mod:`symgrad.numeric._ivp`)
serve every numeric exit: :class:`NumericFlow`, the exporters, the plots, and the
numeric routines of the other subpackages.  Those three modules depend on nothing
in symgrad but :mod:`symgrad.errors`, so the geometry and the families use them
without importing the rest of this package: the public names below are imported
when first used.  They are re-exported from :mod:`symgrad`; the plots are in
:mod:`symgrad.plotting`.
"""

import importlib
from typing import TYPE_CHECKING

__all__ = ["NumericFlow", "FlowSolution", "sweep", "to_latex", "to_python", "to_c", "to_jax"]

#: The module of each public name.
_HOMES = {
    "NumericFlow": ".flow",
    "FlowSolution": ".flow",
    "to_latex": ".export",
    "to_python": ".export",
    "to_c": ".export",
    "to_jax": ".export",
    "sweep": ".sweep",
}

if TYPE_CHECKING:  # pragma: no cover
    from .export import to_c, to_jax, to_latex, to_python
    from .flow import FlowSolution, NumericFlow
    from .sweep import sweep


def __getattr__(name):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
