r"""Data sets of a conditional model: their rows, sums over them, and whether they identify it.

A conditional model :math:`p(y \mid x; w)` is a family whose parameters are
expressions in a chart's coordinates :math:`w` and in *input* symbols :math:`x`.
A data set gives the inputs' values, one row per observation, as
``{x1: [...], x2: [...]}``.  The Fisher metric of the model over the data set is
the sum (or the mean) of the per-input Fisher metrics,
:math:`G(w) = \sum_i G(w; x_i)`; each term is a pullback of rank at most the
number of the family's parameters, and only their sum may be a metric.  This
module reads the rows, adds a per-row matrix over them, and decides, at random
points of the chart's domain, whether the rows identify the coordinates: the
sum of positive semi-definite matrices is singular exactly when a direction is
in the kernel of every term, which :class:`IdentifiabilityError` names.

The public functions are :func:`symgrad.fisher_metric` (with ``data=``) and
:func:`symgrad.empirical_fisher`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
import sympy as sp

from ..core import _domain
from ..core.chart import Chart
from ..errors import ArgumentTypeError, DataError, IdentifiabilityError

__all__ = ["DataError", "IdentifiabilityError", "REDUCTIONS"]

#: The ways to combine the rows' matrices.
REDUCTIONS = ("sum", "mean")

#: The relative size, per dimension, below which a singular value of the rows' stacked factor counts as 0.
RANK_TOLERANCE = 1e-9


class Rows:
    """The distinct rows of a data set and how often each occurs.

    Attributes
    ----------
    inputs : tuple of sympy.Symbol
        The columns, in the order given.
    distinct : tuple of tuple of sympy numbers
        Each distinct row once, in order of first occurrence.
    counts : tuple of int
        How often each distinct row occurs.
    n : int
        The number of rows.
    """

    def __init__(self, inputs, rows):
        counts = Counter(rows)
        self.inputs = tuple(inputs)
        self.distinct = tuple(counts)
        self.counts = tuple(counts.values())
        self.n = len(rows)

    def substitutions(self):
        """Per distinct row, ``{input: value}``."""
        return [dict(zip(self.inputs, row)) for row in self.distinct]

    def array(self):
        """The distinct rows as floats, shape (distinct rows, inputs)."""
        return np.array([[float(v) for v in row] for row in self.distinct], dtype=float).reshape(
            len(self.distinct), len(self.inputs)
        )


def _number(value, column, k, what, integer=False):
    """``value`` as a finite real sympy number, or :class:`DataError` naming its place."""
    if isinstance(value, (str, bytes)):
        raise DataError(f"{what}: value {k} of {column} is the string {value!r}; give numbers")
    try:
        v = sp.sympify(value.item() if isinstance(value, np.generic) else value, strict=True)
    except (sp.SympifyError, TypeError, ValueError):
        raise DataError(f"{what}: value {k} of {column} is {value!r}, not a number; give real numbers") from None
    if not (v.is_number and v.is_real and v.is_finite):
        raise DataError(f"{what}: value {k} of {column} is {v}, not a finite real number; give real numbers")
    if integer:
        if v.is_integer is not True and not (isinstance(v, sp.Float) and v == int(v)):
            raise DataError(f"{what}: value {k} of {column} is {v}, but the family's outputs are integers")
        v = sp.Integer(int(v))
    return v


def _column(values, name, what, integer=False):
    """A column of a data set as a list of sympy numbers."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, (Sequence, np.ndarray)):
        raise DataError(f"{what}: the values of {name} are a sequence (list, tuple or 1-D array), got {values!r}")
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise DataError(f"{what}: the values of {name} form an array of shape {values.shape}; give a 1-D sequence")
    return [_number(v, name, k, what, integer) for k, v in enumerate(values)]


def read_rows(data, chart: Chart, used: set, what: str, outputs=None, output=None, support=None) -> Rows:
    """The rows of ``data`` (and of ``outputs``) checked against ``chart`` and the family's symbols.

    Parameters
    ----------
    data : mapping {Symbol: sequence of numbers}
        The inputs' columns.
    chart : Chart
    used : set of Symbol
        The free symbols of the family's parameters (the inputs must be among them).
    what : str
        The function named in the messages.
    outputs : Symbol, sequence of numbers or None
        The observed outputs: a key of ``data``, or a column of their own.
    output : Symbol, optional
        The family's data variable; with ``outputs``, the last column of the rows.
    support : sympy.Set, optional
        The family's support, which every output must lie in (integers when a
        :class:`sympy.Range`).

    Returns
    -------
    Rows
    """
    if not isinstance(data, Mapping):
        raise ArgumentTypeError(
            f"{what}: data= is a dict {{input symbol: sequence of values}}, e.g. {{x1: [0, 1], x2: [1, 1]}}; "
            f"got {type(data).__name__}"
        )
    if not data:
        raise DataError(f"{what}: data= has no columns; give one sequence of values per input symbol")
    integer = isinstance(support, sp.Range)
    columns = {}
    out = None
    for key, values in data.items():
        if not isinstance(key, sp.Symbol):
            raise ArgumentTypeError(
                f"{what}: the keys of data= are the input symbols (sympy Symbols) of the family, got {key!r}"
            )
        if isinstance(outputs, sp.Symbol) and key == outputs:
            out = _column(values, key, what, integer)
            continue
        if key in chart.manifold.coordinates:
            raise DataError(
                f"{what}: {key} is a coordinate of {chart.manifold.name!r}, not an input; data= gives the values "
                "of inputs, symbols of the family that are no coordinates"
            )
        if key not in used:
            raise DataError(
                f"{what}: the family does not use the input {key} given in data=; remove that column, "
                "or write the family's parameters in terms of it"
            )
        columns[key] = _column(values, key, what)
    if outputs is not None:
        if isinstance(outputs, sp.Symbol):
            if out is None:
                raise DataError(
                    f"{what}: outputs={outputs} is no column of data=; give its values as a column of data= "
                    "or as outputs=[...]"
                )
        else:
            out = _column(outputs, "outputs", what, integer)
        for k, v in enumerate(out):
            if support is not None and support.contains(v) is sp.false:
                raise DataError(
                    f"{what}: output {k} is {v}, outside the support {support} of the family; "
                    "give outputs the family can produce"
                )
    lengths = {len(v) for v in columns.values()} | ({len(out)} if out is not None else set())
    if len(lengths) != 1:
        sizes = ", ".join(f"{k}: {len(v)}" for k, v in columns.items())
        sizes += f", outputs: {len(out)}" if out is not None else ""
        raise DataError(f"{what}: the columns of data= have different lengths ({sizes}); give one value per row")
    (n,) = lengths
    if n == 0:
        raise DataError(f"{what}: data= has no rows; give at least one value per input")
    inputs = list(columns)
    rows = list(zip(*columns.values())) if columns else [()] * n
    if out is not None:
        inputs.append(output)
        rows = [row + (y,) for row, y in zip(rows, out)]
    return Rows(inputs, rows)


def check_reduce(reduce, what):
    """``reduce`` if it is ``"sum"`` or ``"mean"``, else :class:`DataError`."""
    if reduce not in REDUCTIONS:
        raise DataError(f"{what}: reduce={reduce!r} is not one of {', '.join(map(repr, REDUCTIONS))}")
    return reduce


def over_rows(terms, rows: Rows, reduce: str, dim: int) -> sp.ImmutableMatrix:
    """The sum (or mean) over ``rows`` of the matrices ``terms(substitution)``, shape (dim, dim).

    Entries are added as they are, without bringing them to one fraction; each
    distinct row is substituted once and weighted by its count.
    """
    parts = [[[] for _ in range(dim)] for _ in range(dim)]
    for count, subs in zip(rows.counts, rows.substitutions()):
        term = terms(subs)
        for i in range(dim):
            for j in range(i, dim):
                if term[i, j] != 0:
                    parts[i][j].append(count * term[i, j])
    scale = sp.Rational(1, rows.n) if reduce == "mean" else sp.Integer(1)
    entries = {(i, j): scale * sp.Add(*parts[i][j]) for i in range(dim) for j in range(i, dim)}
    return sp.ImmutableMatrix(dim, dim, lambda i, j: entries[min(i, j), max(i, j)])


def _simple(v):
    """A float as a short string: a small fraction where it is one, else 4 significant digits."""
    f = Fraction(v).limit_denominator(12)
    if abs(float(f) - v) < 1e-8:
        return str(f)
    return f"{v:.4g}"


def _stacked_factor(mats, gram):
    """Per sampled point, the rows' factors stacked and normalised: shape (points, rows * k, dim).

    ``mats`` has shape (points, rows, r, dim): per row a symmetric Gram matrix
    (``gram``, r = dim) or r row vectors.  A Gram matrix is factored by its
    eigenvectors with eigenvalues above round-off; every factor row is scaled to
    unit length, which leaves the rank unchanged and keeps rows whose weight
    underflows (a saturated sigmoid) from looking like zeros.
    """
    P, n, r, dim = mats.shape
    if gram:
        lam, vec = np.linalg.eigh(mats)  # (P, n, dim), (P, n, dim, dim)
        top = np.max(np.abs(lam), axis=-1, keepdims=True)
        keep = (lam > RANK_TOLERANCE * top) & (top > 0)
        rows = np.swapaxes(vec, -1, -2) * keep[..., None]  # eigenvectors as rows, zero where dropped
    else:
        rows = mats
    rows = rows.reshape(P, n * r, dim)
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return np.where(norms > 0, rows / np.where(norms > 0, norms, 1), 0.0)


def check_identified(per_row, rows: Rows, chart: Chart, what: str, *, gram: bool):
    """Raise :class:`IdentifiabilityError` if the rows' matrices sum to a singular matrix.

    Parameters
    ----------
    per_row : sympy.Matrix
        In the chart's coordinates, the inputs (and outputs) and parameters:
        the per-row Fisher matrix (``gram=True``, shape (dim, dim)) or the
        per-row score (``gram=False``, shape (1, dim)).
    rows : Rows
    chart : Chart
    what : str
        The function named in the message.
    gram : bool

    Notes
    -----
    Decided at random points of the chart's domain (and of the parameters'
    ranges), near and far: the rows identify the coordinates if the stacked
    factors have full column rank at one point where they are finite.  Points
    where some entry is not finite (an overflow far out) prove nothing; with no
    such point at all, the metric's own check decides.
    """
    dim = chart.dim
    columns = rows.inputs
    symbols = per_row.free_symbols - set(columns)
    intervals = chart.manifold.parameter_intervals(chart, *per_row)
    data = rows.array()
    m = len(rows.distinct)
    if symbols:
        values, _ = _domain.sample_near_and_far(symbols, intervals, restrictions=chart.restrictions)
        P = len(next(iter(values.values())))
        expanded = {s: np.repeat(np.asarray(v, dtype=float), m) for s, v in values.items()}
    else:
        values, P, expanded = {}, 1, {}
    for k, s in enumerate(columns):
        expanded[s] = np.tile(data[:, k], P)
    with np.errstate(all="ignore"):
        mats = np.asarray(_domain.evaluate(sp.Matrix(per_row), expanded), dtype=float)
    mats = mats.reshape(P, m, per_row.rows, dim)
    finite = np.all(np.isfinite(mats), axis=(1, 2, 3))
    if not np.any(finite):
        return
    factors = _stacked_factor(np.where(np.isfinite(mats), mats, 0.0), gram)
    results, row_rank = [], 0
    for p in np.flatnonzero(finite):
        F = factors[p]
        row_rank = max(row_rank, int(np.any(F.reshape(m, -1, dim) != 0, axis=-1).sum(axis=-1).max()))
        nonzero = F[np.any(F != 0, axis=1)]
        if len(nonzero) == 0:
            results.append((0, np.eye(dim)[-1]))
            continue
        _, sv, vh = np.linalg.svd(nonzero)  # vh is (dim, dim): its last row spans the weakest direction
        rank = int(np.sum(sv > RANK_TOLERANCE * dim * sv[0]))
        if rank == dim:
            return
        results.append((rank, vh[-1]))
    rank, null = max(results, key=lambda r: r[0])
    null = null / null[np.argmax(np.abs(null))]
    direction = ", ".join(_simple(float(v)) for v in null)
    coords = ", ".join(map(str, chart.coords))
    distinct = len(rows.distinct)
    if distinct * max(row_rank, 1) < dim:
        why = (
            f"each row's matrix has rank {max(row_rank, 1)} at most, so {distinct} distinct row(s) give at most "
            f"{distinct * max(row_rank, 1)} independent direction(s), fewer than the {dim} coordinates: "
            "fewer distinct rows than parameters"
        )
    else:
        why = (
            f"together the rows' matrices have rank {rank}, not {dim}: the inputs are collinear "
            "(or otherwise dependent)"
        )
    need = math.ceil(dim / max(row_rank, 1))
    raise IdentifiabilityError(
        f"{what}: the {rows.n} row(s) of data= do not identify the coordinates {coords} of chart "
        f"{chart.name!r}; {why}, and moving along ({coords}) ∝ ({direction}) changes the model at no row. "
        f"Add rows whose inputs vary independently (at least {need}, not on a common line or plane), "
        "drop the coordinates the data cannot see, or regularise with F + lam * sg.euclidean(chart); "
        "check=False skips this check"
    )
