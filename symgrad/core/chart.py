"""Coordinate charts: ordered tuples of real sympy Symbols with a domain.

A :class:`Chart` is made by :meth:`symgrad.Manifold.chart`; its domain is the
product of one interval per coordinate, from the Symbols' assumptions narrowed by
explicit intervals.

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
    an optional explicit interval.  A chart is immutable.

    Attributes
    ----------
    manifold : Manifold
    coords : tuple of sympy.Symbol
    name : str
    domain : mapping
        Maps each coordinate to its :class:`sympy.Interval` (a read-only view).

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
    """

    _remedy = "make another chart with Manifold.chart(...)"

    def __init__(
        self, manifold: Manifold, coords: Iterable[sp.Symbol], name: str, domain: Mapping[sp.Symbol, sp.Interval]
    ) -> None:
        self.manifold = manifold
        self.coords = tuple(coords)
        self.name = str(name)
        self.domain = MappingProxyType(dict(domain))

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
        return f"Chart({self.name!r}: ({names}) on {self.manifold.name!r})"

    def _repr_latex_(self):
        return "$" + _latex_tuple(self.coords) + "$"

    @functools.cached_property
    def _sign_substitutions(self):
        return MappingProxyType(_domain.sign_substitutions(self.domain))

    def sign_substitutions(self) -> Mapping[sp.Symbol, sp.Expr]:
        """Substitutions of coordinates by positive dummies that encode the domain (a read-only mapping)."""
        return self._sign_substitutions

    def random_points(self, n: int = _domain.N_POINTS, seed: int = _domain.SEED) -> np.ndarray:
        """Random points in the interior of the chart's domain.

        Returns
        -------
        numpy.ndarray, shape (n, dim)
        """
        values = _domain.sample(self.coords, self.domain, n=n, seed=seed)
        return np.stack([values[c] for c in self.coords], axis=-1)

    def contains(self, point: npt.ArrayLike) -> bool:
        """Whether a numeric point lies in the chart's domain.

        Parameters
        ----------
        point : array_like, shape (dim,)

        Returns
        -------
        bool

        Raises
        ------
        DimensionError
            If ``point`` does not have ``dim`` entries.
        """
        point = np.asarray(point, dtype=float)
        if point.shape != (self.dim,):
            raise DimensionError(f"a point of chart {self.name!r} has {self.dim} coordinates, got shape {point.shape}")
        return all(bool(self.domain[c].contains(sp.Float(v))) for c, v in zip(self.coords, point))

    def check_point(self, point: npt.ArrayLike) -> None:
        """Raise :class:`DomainError` unless ``point`` lies in the chart's domain.

        Parameters
        ----------
        point : array_like, shape (dim,)

        Raises
        ------
        DomainError
            If ``point`` lies outside the domain (the message gives every interval).
        DimensionError
            If ``point`` does not have ``dim`` entries.
        """
        if not self.contains(point):
            bounds = ", ".join(f"{c} in {self.domain[c]}" for c in self.coords)
            raise DomainError(
                f"point {np.asarray(point, dtype=float).tolist()} lies outside the domain of "
                f"chart {self.name!r} ({bounds})"
            )


def as_chart(chart: object, what: str) -> Chart:
    """Return ``chart`` if it is a :class:`Chart`, else raise :class:`ArgumentTypeError` naming ``what``."""
    if not isinstance(chart, Chart):
        raise ArgumentTypeError(f"{what} takes a Chart, got {type(chart).__name__}")
    return chart
