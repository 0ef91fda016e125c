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

import numpy as np
import sympy as sp

from ..errors import (
    ArgumentTypeError,
    DimensionError,
    DomainError,
)
from . import _domain

__all__ = ["Chart"]


def _latex_tuple(symbols):
    return r"\left(" + ", ".join(sp.latex(s) for s in symbols) + r"\right)"


class Chart:
    """A coordinate chart: an ordered tuple of real sympy Symbols with a domain.

    Charts are made by :meth:`Manifold.chart`, never directly.  The domain of
    each coordinate is the interval its sympy assumptions imply, narrowed by
    an optional explicit interval.

    Attributes
    ----------
    manifold : Manifold
    coords : tuple of sympy.Symbol
    name : str
    domain : dict
        Maps each coordinate to its :class:`sympy.Interval`.

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

    __slots__ = ("manifold", "coords", "name", "domain", "_subs")

    def __init__(self, manifold, coords, name, domain):
        object.__setattr__(self, "manifold", manifold)
        object.__setattr__(self, "coords", tuple(coords))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "domain", dict(domain))
        object.__setattr__(self, "_subs", None)

    def __setattr__(self, name, value):
        raise AttributeError("Chart objects are immutable")

    @property
    def dim(self):
        """The number of coordinates."""
        return len(self.coords)

    def __len__(self):
        return len(self.coords)

    def __iter__(self):
        return iter(self.coords)

    def __getitem__(self, i):
        return self.coords[i]

    def __repr__(self):
        names = ", ".join(str(c) for c in self.coords)
        return f"Chart({self.name!r}: ({names}) on {self.manifold.name!r})"

    def _repr_latex_(self):
        return "$" + _latex_tuple(self.coords) + "$"

    def sign_substitutions(self):
        """Substitutions of coordinates by positive dummies that encode the domain."""
        if self._subs is None:
            object.__setattr__(self, "_subs", _domain.sign_substitutions(self.domain))
        return self._subs

    def random_points(self, n=_domain.N_POINTS, seed=_domain.SEED):
        """Random points in the interior of the chart's domain.

        Returns
        -------
        numpy.ndarray, shape (n, dim)
        """
        values = _domain.sample(self.coords, self.domain, n=n, seed=seed)
        return np.stack([values[c] for c in self.coords], axis=-1)

    def contains(self, point):
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

    def check_point(self, point):
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


def as_chart(chart, what):
    """Return ``chart`` if it is a :class:`Chart`, else raise :class:`ArgumentTypeError` naming ``what``."""
    if not isinstance(chart, Chart):
        raise ArgumentTypeError(f"{what} takes a Chart, got {type(chart).__name__}")
    return chart
