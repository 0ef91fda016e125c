r"""LaTeX of closed forms: sympy's printer, with the textbook names of special functions.

:func:`latex` is :func:`sympy.latex` except for the functions of the gamma
family, which sympy writes as ``\operatorname{polygamma}``: here
``polygamma(0, k)`` (``digamma``) is :math:`\psi(k)`, ``polygamma(n, k)``
:math:`\psi^{(n)}(k)` and ``loggamma(k)`` :math:`\log\Gamma(k)` (floats print
as sympy prints them, ``0.5``).  :func:`step_index` picks the index of a
discrete update rule that no symbol of the rule uses.

Examples
--------
>>> import sympy as sp
>>> from symgrad.core._latex import latex
>>> k = sp.Symbol("k", positive=True)
>>> print(latex(sp.polygamma(1, k) - sp.digamma(k) + sp.loggamma(k)))
\log\Gamma\left(k\right) - \psi\left(k\right) + \psi^{(1)}\left(k\right)
>>> print(latex(sp.polygamma(1, k) ** 2))
\left(\psi^{(1)}\left(k\right)\right)^{2}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sympy.printing.latex import LatexPrinter

__all__ = ["latex", "step_index"]

#: The indices a discrete update rule may use, in order of preference.
STEP_INDICES = ("k", "n", "t", "j", "i", "m", "l")


class _Printer(LatexPrinter):
    def _applied(self, head, args, exp):
        text = rf"{head}\left({', '.join(self._print(a) for a in args)}\right)"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

    def _print_polygamma(self, expr, exp=None):
        n, x = expr.args
        head = r"\psi" if n == 0 else rf"\psi^{{({self._print(n)})}}"
        return self._applied(head, [x], exp)

    def _print_loggamma(self, expr, exp=None):
        return self._applied(r"\log\Gamma", expr.args, exp)


def latex(expr, **settings) -> str:
    """The LaTeX of ``expr``: :func:`sympy.latex` with the settings given, special functions by their names."""
    return _Printer(settings).doprint(expr)


def step_index(names: Iterable[str]) -> str:
    """The first of :data:`STEP_INDICES` that is no symbol of ``names`` nor the letter they are subscripts of.

    Examples
    --------
    >>> from symgrad.core._latex import step_index
    >>> step_index(["x", "eta"]), step_index(["k", "r"]), step_index(["k_1", "n"])
    ('k', 'n', 't')
    """
    used = set()
    for name in names:
        used.add(name)
        used.update(re.split(r"[_\W\d]+", name))
    for index in STEP_INDICES:
        if index not in used:
            return index
    return "s"
