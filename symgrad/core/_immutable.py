"""Immutable values: attributes are set while an object is built, never after.

Every value object of symgrad (charts, maps, tensors, flows, probability
families, ...) derives from :class:`Immutable`, as records of results
(:class:`~symgrad.Model`, :class:`~symgrad.InvarianceReport`) are frozen
dataclasses.  A constructor assigns attributes as usual, ``self.scale =
scale``; once the outermost ``__init__`` returns, setting or deleting an
attribute raises :class:`dataclasses.FrozenInstanceError` (an
:class:`AttributeError`, the error of a frozen dataclass) whose message says
how to get a changed object.  Subclasses need nothing else: a user's subclass
of :class:`~symgrad.Family` that sets its parameters in ``__init__`` is
immutable too.

Derived results are cached in one of two internal ways, never by setting an
attribute afterwards: :func:`functools.cached_property`, which writes to the
instance dictionary directly, or a private dictionary made in ``__init__``
that grows as results are computed (a tensor's components per chart, a
manifold's composed transitions) and is never handed out.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> w = sp.Symbol("w", real=True)
>>> A = sg.Manifold("weight").chart(w)
>>> flow = sg.GradientFlow(sg.Scalar(A.manifold, A, w**2), sg.euclidean(A))
>>> try:
...     flow.rate = 5
... except AttributeError as err:
...     print(err)
GradientFlow objects are immutable: cannot set 'rate'; make a new GradientFlow(cost, metric, rate=...)
"""

import dataclasses
import functools

__all__ = ["Immutable"]

# The instance-dictionary key that counts the constructors running on an object.
_BUILDING = "_Immutable__building"


def _sealing(init):
    """Wrap ``init`` so that the object may be assigned to only while it runs."""

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        state = self.__dict__
        depth = state.get(_BUILDING, 0)
        state[_BUILDING] = depth + 1
        try:
            init(self, *args, **kwargs)
        finally:
            if depth:
                state[_BUILDING] = depth
            else:
                del state[_BUILDING]

    return __init__


class Immutable:
    """Base class of symgrad's value objects: no attribute is set or deleted after construction.

    ``__init__`` (of the class and of every subclass) assigns attributes
    normally; when the outermost ``__init__`` returns, the object is sealed.
    A subclass may set ``_remedy``, the end of the error message: how to get
    a changed object (by default, ``"make a new <class>(...)"``).
    """

    #: How to get a changed object, for the error message; None gives "make a new <class>(...)".
    _remedy: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            cls.__init__ = _sealing(init)

    def _immutable_error(self, what):
        name = type(self).__name__
        remedy = self._remedy or f"make a new {name}(...)"
        return dataclasses.FrozenInstanceError(f"{name} objects are immutable: cannot {what}; {remedy}")

    def __setattr__(self, name, value):
        if _BUILDING not in self.__dict__:
            raise self._immutable_error(f"set {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if _BUILDING not in self.__dict__:
            raise self._immutable_error(f"delete {name!r}")
        object.__delattr__(self, name)
