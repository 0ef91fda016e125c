"""Coordinate charts: ordered tuples of real sympy Symbols with a domain.

A :class:`Chart` is made by :meth:`symgrad.Manifold.chart`; its domain is the
product of one interval per coordinate, from the Symbols' assumptions narrowed by
explicit intervals, and narrowed further by *restrictions*: inequalities such as
``p1 + p2 < 1`` (:attr:`Chart.restrictions`).

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> q, P = sp.symbols("q P", positive=True)
>>> S = sg.Manifold("synapse").chart(q, P, domain={P: sp.Interval.open(0, 1)})
>>> S.domain[P]
Interval.open(0, 1)
>>> S.contains((0.5, 0.5)), S.contains((0.5, 2.0))
(True, False)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import sympy as sp

from ..errors import (
    ArgumentTypeError,
    DimensionError,
    DomainError,
    UnboundParameterError,
)
from . import _domain
from ._immutable import Immutable

if TYPE_CHECKING:
    from .manifold import Manifold

__all__ = ["Chart"]


def _latex_tuple(symbols):
    return r"\left(" + ", ".join(sp.latex(s) for s in symbols) + r"\right)"


class Chart(Immutable):
    """A coordinate chart: an ordered tuple of real sympy Symbols with a domain.

    Charts are made by :meth:`Manifold.chart`, never directly.  The domain of
    each coordinate is the interval its sympy assumptions imply, narrowed by
    an optional explicit interval; the box these intervals make is narrowed by
    the chart's :attr:`restrictions`.  A chart is immutable; its restrictions
    are those it was made with, and those a transition adds once when its
    inverse reaches only part of the chart (the manifold keeps these: see
    :meth:`Manifold.transition`).

    Attributes
    ----------
    manifold : Manifold
    coords : tuple of sympy.Symbol
    name : str
    domain : mapping
        Maps each coordinate to its :class:`sympy.Interval` (a read-only view).
    restrictions : tuple of sympy relationals
        Inequalities that narrow the box of :attr:`domain`, e.g. ``p1 + p2 < 1``.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> q, P = sp.symbols("q P", positive=True)
    >>> S = sg.Manifold("synapse").chart(q, P, domain={P: sp.Interval.open(0, 1)})
    >>> S.domain[P]
    Interval.open(0, 1)
    >>> S.contains([2.0, 0.5]), S.contains([2.0, 1.5])
    (True, False)
    >>> p1, p2 = sp.symbols("p1 p2", positive=True)
    >>> P = sg.Manifold("simplex").chart(p1, p2, domain={p1: sp.Interval.open(0, 1)}, restrictions=[p1 + p2 < 1])
    >>> P
    Chart('(p1, p2)': (p1, p2) on 'simplex' where p1 + p2 < 1)
    >>> P.restrictions, P.contains([0.5, 0.4]), P.contains([0.5, 0.6])
    ((p1 + p2 < 1,), True, False)
    >>> print(P.latex())
    \\left(p_{1}, p_{2}\\right) : p_{1} + p_{2} < 1
    """

    _remedy = "make another chart with Manifold.chart(...)"

    def __init__(
        self,
        manifold: Manifold,
        coords: Iterable[sp.Symbol],
        name: str,
        domain: Mapping[sp.Symbol, sp.Interval],
        restrictions: Iterable[sp.core.relational.Relational] = (),
    ) -> None:
        self.manifold = manifold
        self.coords = tuple(coords)
        self.name = str(name)
        self.domain = MappingProxyType(dict(domain))
        self._declared = tuple(restrictions)

    @property
    def restrictions(self) -> tuple:
        """The inequalities that narrow the box of :attr:`domain` (a tuple of sympy relationals).

        Those given to :meth:`Manifold.chart`, then those a transition added
        (:attr:`Transition.restricted`), which the manifold records.
        """
        return self._declared + self.manifold._added_restrictions(self)

    @property
    def dim(self) -> int:
        """The number of coordinates."""
        return len(self.coords)

    def __len__(self) -> int:
        return len(self.coords)

    def __iter__(self) -> Iterator[sp.Symbol]:
        return iter(self.coords)

    def __getitem__(self, i: int) -> sp.Symbol:
        return self.coords[i]

    def __repr__(self) -> str:
        names = ", ".join(str(c) for c in self.coords)
        where = f" where {', '.join(map(str, self.restrictions))}" if self.restrictions else ""
        return f"Chart({self.name!r}: ({names}) on {self.manifold.name!r}{where})"

    def latex(self) -> str:
        """The coordinates in LaTeX, followed by the restrictions when there are any."""
        where = ", ".join(sp.latex(r) for r in self.restrictions)
        return _latex_tuple(self.coords) + (f" : {where}" if where else "")

    def _repr_latex_(self):
        return "$" + self.latex() + "$"

    @functools.cached_property
    def _sign_substitutions(self):
        return MappingProxyType(_domain.sign_substitutions(self.domain))

    def sign_substitutions(self) -> Mapping[sp.Symbol, sp.Expr]:
        """Substitutions of coordinates by positive dummies that encode the domain (a read-only mapping)."""
        return self._sign_substitutions

    def random_points(self, n: int = _domain.N_POINTS, seed: int = _domain.SEED) -> np.ndarray:
        """Random points in the interior of the chart's domain, restrictions included.

        Returns
        -------
        numpy.ndarray, shape (n, dim)
        """
        values = _domain.sample(self.coords, self.domain, n=n, seed=seed, restrictions=self.restrictions)
        return np.stack([values[c] for c in self.coords], axis=-1)

    def contains(self, point: npt.ArrayLike, params: Mapping[sp.Symbol, float] | None = None) -> bool:
        """Whether a numeric point lies in the chart's domain: its box and its restrictions.

        Parameters
        ----------
        point : array_like, shape (dim,)
        params : dict, optional
            Values of the parameters the restrictions use, ``{Symbol: number}``.

        Returns
        -------
        bool

        Raises
        ------
        DimensionError
            If ``point`` does not have ``dim`` entries.
        UnboundParameterError
            If a restriction uses a parameter that ``params`` does not give.
        """
        point = np.asarray(point, dtype=float)
        if point.shape != (self.dim,):
            raise DimensionError(f"a point of chart {self.name!r} has {self.dim} coordinates, got shape {point.shape}")
        if not all(bool(self.domain[c].contains(sp.Float(v))) for c, v in zip(self.coords, point)):
            return False
        if not self.restrictions:
            return True
        values = {c: np.array([v]) for c, v in zip(self.coords, point)}
        values.update({s: np.array([float(v)]) for s, v in (params or {}).items()})
        for r in self.restrictions:
            missing = sorted(map(str, r.free_symbols - set(values)))
            if missing:
                raise UnboundParameterError(
                    f"restriction {r} of chart {self.name!r} uses the parameter(s) {', '.join(missing)}; "
                    f"pass their values: contains(point, params={{{missing[0]}: ...}})"
                )
        return bool(_domain.satisfied(self.restrictions, values, 1)[0])

    def check_point(self, point: npt.ArrayLike, params: Mapping[sp.Symbol, float] | None = None) -> None:
        """Raise :class:`DomainError` unless ``point`` lies in the chart's domain.

        Parameters
        ----------
        point : array_like, shape (dim,)
        params : dict, optional
            As for :meth:`contains`.

        Raises
        ------
        DomainError
            If ``point`` lies outside the domain (the message gives every interval).
        DimensionError
            If ``point`` does not have ``dim`` entries.
        """
        if not self.contains(point, params):
            bounds = ", ".join([f"{c} in {self.domain[c]}" for c in self.coords] + list(map(str, self.restrictions)))
            raise DomainError(
                f"point {np.asarray(point, dtype=float).tolist()} lies outside the domain of "
                f"chart {self.name!r} ({bounds})"
            )


def as_chart(chart: object, what: str) -> Chart:
    """Return ``chart`` if it is a :class:`Chart`, else raise :class:`ArgumentTypeError` naming ``what``."""
    if not isinstance(chart, Chart):
        raise ArgumentTypeError(f"{what} takes a Chart, got {type(chart).__name__}")
    return chart
