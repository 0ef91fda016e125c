r"""Model files: a model stated in TOML, read without evaluating any of its text.

A model file states the coordinates (with their domains), the charts and the
transition maps between them, the parameters, the cost, the metrics and the
plot ranges of a model.  :func:`load_model` reads one into a :class:`Model`
holding the symgrad objects; :func:`loads_model` reads a string.

Expressions are read by :func:`parse_expression`, an allow-list parser built on
Python's :mod:`ast` (in :mod:`symgrad.io._expressions`, which documents its
grammar and its size limits): numbers, declared names, ``+ - * / **``, unary
``-``/``+`` and calls of a fixed set of functions (:data:`FUNCTIONS`) with
positional arguments.  Nothing reaches ``eval``, ``exec``, ``sympify`` or
``parse_expr``; anything else is refused with a
:class:`~symgrad.ModelFileError` naming the file, the key and the offending
text.  Decimal literals are exact rationals: ``0.1`` is ``1/10``.  The schema
below is checked, and its objects built, in :mod:`symgrad.io._schema`.

The schema
----------
Unknown sections and keys are errors, so that a typo never passes silently.

``[model]`` (optional)
    ``name`` (the manifold's name; default: the file's stem), ``description``.
``[coordinates]`` (required)
    ``name = "real" | "positive" | "nonnegative" | "negative" | "nonpositive"``,
    or a table ``{ type = "positive", domain = [0, 1] }``: the open interval
    ``domain`` narrows the type's interval (bounds are numbers, or strings:
    ``"oo"``, ``"-oo"`` or constant expressions like ``"pi/2"``).
    Names are ASCII identifiers; function names, ``pi``, ``E`` and ``oo``
    are reserved.
``[parameters]`` (optional)
    Symbols that are no chart's coordinates: ``name = "positive"``, or
    ``{ type = "positive", integer = true, value = 10 }``; ``value`` is a
    number used by numeric work and plots (:attr:`Model.parameter_values`).
``[charts]`` (required)
    ``name = ["coord", ...]``: each chart's coordinates, in order.  Every
    coordinate belongs to some chart, and transitions join all charts.
``[[transitions]]``
    ``from``, ``to`` (chart names), ``map = { target_coord = "expr", ... }``
    in the ``from`` chart's coordinates, and optionally ``inverse = {
    source_coord = "expr", ... }``; without it the inverse is solved and
    verified (:meth:`~symgrad.Manifold.transition`).
``[cost]`` (required)
    ``chart`` and either ``expr = "..."`` or ``kl = { from = FAMILY, to =
    FAMILY }`` (the KL divergence of two families, see below).
``[metrics]`` (required, at least one)
    ``name = { kind = ..., chart = "..." , ...}`` with kind

    * ``"euclidean"``, ``"log"`` (the Weber metric :math:`\mathrm{diag}(1/x_i^2)`);
    * ``"diagonal"`` with ``entries = ["expr", ...]``;
    * ``"matrix"`` with ``rows = [["expr", ...], ...]``;
    * ``"metabolic"`` with ``cost_of_change = { coord = "expr", ... }``;
    * ``"fisher"`` with a family (``family = ...`` and its parameters, inline);
    * ``"wasserstein"`` with ``family = "normal"`` and its parameters.

    Every kind takes ``check = false`` to skip the positive-definiteness check
    of the metric (default ``true``).

    A FAMILY is ``family = "normal"`` with ``mean`` and one of ``std``,
    ``variance``, ``precision``; ``"logistic"`` (``loc``, ``scale``);
    ``"exponential"`` (``rate``); ``"gamma"`` (``shape``, ``rate``);
    ``"bernoulli"`` (``p``); ``"binomial"`` (``n``, ``p``); ``"poisson"``
    (``rate``); ``"categorical"`` (``logits = [...]``).
``[flow]`` (optional)
    ``rate = "eta"``: the learning rate, an expression in parameters (default 1).
``[plot.<chart>]`` (optional)
    ``coord = [lo, hi]`` for every coordinate of the chart, inside its domain.

Numbers may stand wherever an expression does (``entries = [1, "1/eta"]``).

Examples
--------
>>> import symgrad as sg
>>> model = sg.loads_model('''
... [coordinates]
... mu = "real"
... sigma = "positive"
...
... [charts]
... A = ["mu", "sigma"]
...
... [cost]
... chart = "A"
... expr = "log(sigma) + (1 + (mu - 2)**2)/(2*sigma**2)"
...
... [metrics]
... euclid = { kind = "euclidean", chart = "A" }
... fisher = { kind = "fisher", chart = "A", family = "normal", mean = "mu", std = "sigma" }
... ''')
>>> model.flow("fisher").components().T
Matrix([[2 - mu, (mu**2 - 4*mu - sigma**2 + 5)/(2*sigma)]])
>>> try:
...     sg.loads_model('[coordinates]\nx = "real"\n[charts]\nA = ["x"]\n'
...                    '[cost]\nchart = "A"\nexpr = "x.__class__"\n')
... except sg.ModelFileError as err:
...     print(err)
<string>, cost.expr: attribute access ('.__class__') is not allowed, in 'x.__class__'
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import types
from collections.abc import Callable

import sympy as sp

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from ..budgets import budget_stage
from ..core.chart import Chart
from ..core.gradient import GradientFlow
from ..core.manifold import Manifold
from ..core.tensors import Metric, Scalar
from ..errors import ModelFileError, SymgradError
from . import _expressions, _schema
from ._expressions import CONSTANTS, FUNCTIONS, parse_expression

__all__ = ["Model", "load_model", "loads_model", "parse_expression", "FUNCTIONS", "CONSTANTS"]

#: The most characters a model file may have.
MAX_FILE_CHARS = 5_000_000


# -- the model --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class Model:
    """A model read from a model file: its manifold, charts, cost, metrics and plot ranges.

    Made by :func:`load_model` and :func:`loads_model`.  The mappings are
    read-only views.

    Attributes
    ----------
    name : str
        The model's (and its manifold's) name.
    description : str
    source : str
        The file (or ``"<string>"``) it was read from.
    manifold : Manifold
    coordinates : mapping of str to sympy.Symbol
    charts : mapping of str to Chart
    parameters : mapping of str to sympy.Symbol
    parameter_values : mapping of sympy.Symbol to float
        The ``value`` of each parameter that has one.
    cost : Scalar
    metrics : mapping of str to Metric
    rate : sympy.Expr
        The learning rate of :meth:`flow`.
    plot_ranges : mapping of str to mapping of sympy.Symbol to (float, float)
        Per chart name, the plotting interval of each coordinate.

    Examples
    --------
    >>> import symgrad as sg
    >>> model = sg.loads_model('''
    ... [model]
    ... name = "one weight"
    ... [coordinates]
    ... w = "real"
    ... [parameters]
    ... eta = { type = "positive", value = 0.5 }
    ... [charts]
    ... W = ["w"]
    ... [cost]
    ... chart = "W"
    ... expr = "(w - 1)**2 / 2"
    ... [metrics]
    ... euclid = { kind = "euclidean", chart = "W" }
    ... [flow]
    ... rate = "eta"
    ... [plot.W]
    ... w = [-2, 3]
    ... ''')
    >>> model
    Model('one weight', charts=['W'], metrics=['euclid'])
    >>> model.flow().equations()
    [Eq(Derivative(w(t), t), eta*(1 - w(t)))]
    >>> dict(model.parameter_values), dict(model.plot_ranges["W"])
    ({eta: 0.5}, {w: (-2.0, 3.0)})
    """

    name: str
    description: str
    source: str
    manifold: Manifold
    coordinates: types.MappingProxyType[str, sp.Symbol]
    charts: types.MappingProxyType[str, Chart]
    parameters: types.MappingProxyType[str, sp.Symbol]
    parameter_values: types.MappingProxyType[sp.Symbol, float]
    cost: Scalar
    metrics: types.MappingProxyType[str, Metric]
    rate: sp.Expr
    plot_ranges: types.MappingProxyType[str, types.MappingProxyType[sp.Symbol, tuple[float, float]]]

    def __repr__(self) -> str:
        return f"Model({self.name!r}, charts={list(self.charts)}, metrics={list(self.metrics)})"

    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        """Every declared name: coordinates and parameters, as a dict of str to Symbol."""
        return {**self.coordinates, **self.parameters}

    def flow(
        self,
        metric: str | None = None,
        chart: str | Chart | None = None,
        simplify: str | Callable[[sp.Expr], sp.Expr] = "fast",
    ) -> GradientFlow:
        r"""The gradient flow :math:`-\eta G^{-1} dC` of the cost under a metric of the model.

        Parameters
        ----------
        metric : str, optional
            The metric's name in ``[metrics]``; may be left out when there is one.
        chart : str or Chart, optional
            Where to compute the gradient (default: the metric's chart).
        simplify : str or callable
            As for :class:`~symgrad.GradientFlow`.

        Returns
        -------
        GradientFlow

        Raises
        ------
        ModelFileError
            If ``metric`` is left out and the model has several metrics, or
            there is no metric or chart of that name; the message names the
            model and its metrics (or charts).

        Examples
        --------
        >>> import symgrad as sg
        >>> model = sg.loads_model('''
        ... [coordinates]
        ... x = "positive"
        ... [charts]
        ... X = ["x"]
        ... [cost]
        ... chart = "X"
        ... expr = "(x - 1)**2"
        ... [metrics]
        ... euclid = { kind = "euclidean", chart = "X" }
        ... weber = { kind = "log", chart = "X" }
        ... ''')
        >>> model.flow("weber", chart="X").components()
        Matrix([[2*x**2*(1 - x)]])
        >>> try:
        ...     model.flow("fisher")
        ... except sg.ModelFileError as err:
        ...     print(err)
        model 'model' has no metric 'fisher'; its metrics: euclid, weber
        """
        if metric is None:
            if len(self.metrics) != 1:
                raise ModelFileError(
                    f"model {self.name!r} has {len(self.metrics)} metrics ({', '.join(self.metrics)}); name one",
                    source=self.source,
                )
            (metric,) = self.metrics
        if metric not in self.metrics:
            raise ModelFileError(
                f"model {self.name!r} has no metric {metric!r}; its metrics: {', '.join(self.metrics)}",
                source=self.source,
            )
        if isinstance(chart, str):
            if chart not in self.charts:
                raise ModelFileError(
                    f"model {self.name!r} has no chart {chart!r}; its charts: {', '.join(self.charts)}",
                    source=self.source,
                )
            chart = self.charts[chart]
        return GradientFlow(self.cost, self.metrics[metric], rate=self.rate, simplify=simplify, chart=chart)


# -- reading files ----------------------------------------------------------------------------------


def load_model(path: str | os.PathLike[str]) -> Model:
    """Read a model file (TOML) into a :class:`Model`.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Model

    Raises
    ------
    ModelFileError
        If the file cannot be read or is not a valid model; the message names
        the file, the key and the offending text.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import symgrad as sg
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = folder / "line.toml"
    >>> _ = path.write_text('[coordinates]\\nx = "real"\\n[charts]\\nX = ["x"]\\n'
    ...                     '[cost]\\nchart = "X"\\nexpr = "x**2"\\n'
    ...                     '[metrics]\\ne = { kind = "euclidean", chart = "X" }\\n')
    >>> sg.load_model(path).flow().components()
    Matrix([[-2*x]])
    """
    path = pathlib.Path(path)
    source = str(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_CHARS + 1)
    except OSError as err:
        raise ModelFileError(f"{source}: cannot read the model file ({err.strerror or err})", source=source) from err
    if len(raw) > MAX_FILE_CHARS:
        raise ModelFileError(f"{source}: the file is larger than {MAX_FILE_CHARS} bytes", source=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ModelFileError(
            f"{source}: not a UTF-8 text file ({err.reason} at byte {err.start})", source=source
        ) from None
    return loads_model(text, source=source, name=path.stem)


def loads_model(text: str, source: str = "<string>", *, name: str | None = None) -> Model:
    """Read a model from a string in the model-file format (TOML).

    Parameters
    ----------
    text : str
    source : str
        What to call the text in error messages.
    name : str, optional
        The model's name when ``[model] name`` is not given (default ``"model"``).

    Returns
    -------
    Model

    Raises
    ------
    ModelFileError
        If the text is not a valid model (naming the key and the offending text).
    BudgetError
        If reading it runs past the time budget (see :mod:`symgrad.budgets`).

    Examples
    --------
    >>> import symgrad as sg
    >>> m = sg.loads_model('''
    ... [coordinates]
    ... x = "positive"
    ... [charts]
    ... X = ["x"]
    ... [cost]
    ... chart = "X"
    ... expr = "(x - 1)**2"
    ... [metrics]
    ... weber = { kind = "log", chart = "X" }
    ... ''')
    >>> m.flow("weber").components()
    Matrix([[2*x**2*(1 - x)]])
    """
    if not isinstance(text, str):
        raise ModelFileError(f"{source}: a model is text (str), got {type(text).__name__}", source=source)
    if len(text) > MAX_FILE_CHARS:
        raise ModelFileError(f"{source}: the model is longer than {MAX_FILE_CHARS} characters", source=source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ModelFileError(f"{source}: not a valid TOML file ({err})", source=source) from None
    except RecursionError:
        raise ModelFileError(f"{source}: not a valid TOML file (nested too deeply)", source=source) from None
    try:
        fields = budget_stage(
            f"reading the model {source}", lambda: _schema.Reader(data, source, name or "model").fields()
        )
        return Model(**fields)
    except SymgradError:
        raise
    except RecursionError:
        raise ModelFileError(f"{source}: the model nests too deeply to be read", source=source) from None
    except Exception as err:  # anything else is a bad model that no check above caught
        message = str(err).splitlines()[0] if str(err) else ""
        raise ModelFileError(
            f"{source}: the model cannot be read ({type(err).__name__}: {_expressions.show(message, 80)[1:-1]})",
            source=source,
        ) from err
