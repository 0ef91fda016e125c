r"""Parameter sweeps: a flow integrated over a grid of parameter values, computed with Dask.

:func:`sweep` integrates an ensemble of initial points for every point of a
grid of parameter values (:math:`\eta \in \{0.1, \dots, 1\}` times
:math:`\phi \in \{1, 2\}`, say) and returns the trajectories as one labelled
:class:`xarray.Dataset`.  The grid is cut into blocks of parameter sets; each
block is one task, which integrates all its parameter sets and members as one
vectorised ensemble (:meth:`NumericFlow.integrate <symgrad.NumericFlow.integrate>`
with one parameter value per member).  The tasks run on Dask's threaded
scheduler, in this process, or on a ``dask.distributed`` cluster when a client
or a scheduler's address is given; the same call runs on a laptop and on a
cluster.  Tasks that leave this process carry the numeric flow pickled once,
here, and each worker process unpickles it once.  With ``store=`` the results
are written to a Zarr store block by block, so a sweep may be larger than
memory.

Dask, xarray and Zarr are optional: ``pip install "symgrad[dask]"``.  They are
imported when :func:`sweep` is called, never when symgrad is imported.

Examples
--------
>>> import numpy as np
>>> import symgrad as sg
>>> from symgrad.numeric.sweep import sweep
>>> _ = __import__("pytest").importorskip("xarray")
>>> one = sg.catalog.one_dimensional()
>>> flow = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)
>>> ds = sweep(flow, grid={"eta": [0.5, 1.0]}, x0=[[2.0], [3.0]], t_span=(0, 1), t_eval=[0, 1])
>>> ds.state.dims
('eta', 'member', 'time', 'coord')
>>> np.allclose(ds.state.sel(eta=1.0, time=1, coord="x"), 1 + np.array([1.0, 2.0]) * np.exp(-2))
True
"""

from __future__ import annotations

import functools
import math
import os
import pathlib
import pickle
import sys
import uuid
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from ..core.tensors import Vector
from ..errors import (
    ArgumentTypeError,
    DimensionError,
    MissingDependencyError,
    NumericValueError,
    SweepStoreError,
    UnknownParameterError,
)
from . import _arguments, _params, _validate
from .flow import NumericFlow

__all__ = ["sweep", "parse_grid_values", "parse_numbers", "MissingDependencyError", "SweepStoreError"]

#: The dimensions of a sweep's ``state`` after the swept parameters; no parameter may take these names.
MEMBER, TIME, COORD = "member", "time", "coord"

#: The number of trajectories a task integrates, by default (parameter sets times members).
TRAJECTORIES_PER_TASK = 10_000

#: Dask's schedulers in this process, for ``sweep(scheduler=...)``.
SCHEDULERS = ("threads", "synchronous", "processes")

#: The number of reported times when ``t_eval`` is not given.
DEFAULT_TIMES = 101

INSTALL = 'pip install "symgrad[dask]"'


def _require(module: str, what: str):
    """Import ``module``, or raise :class:`MissingDependencyError` naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise MissingDependencyError(f"{what} needs {top}, which is not installed; install it with {INSTALL}") from None


# -- the numeric flow of a model, a flow or a numeric flow -----------------------------------


def _numeric(flow, metric, chart, params) -> tuple[NumericFlow, dict]:
    """The numeric flow to sweep and the fixed values of its other free parameters (by name)."""
    fixed: dict[str, Any] = {}
    if isinstance(flow, NumericFlow):
        if chart is not None and chart != flow.chart and getattr(flow.chart, "name", None) != chart:
            raise ArgumentTypeError(
                f"the numeric flow is in chart {flow.chart.name!r}; make one in the chart you want "
                "with flow.numeric(chart), or leave chart out"
            )
        num = flow
    elif isinstance(flow, Vector):
        if isinstance(chart, str):
            raise ArgumentTypeError(f"chart must be a Chart for a {type(flow).__name__}, got the name {chart!r}")
        num = flow.numeric(chart)
    elif callable(getattr(flow, "flow", None)) and isinstance(getattr(flow, "metrics", None), Mapping):
        # a Model (symgrad.io): its flow under a metric, its parameter values the defaults
        gradient_flow = flow.flow(metric, chart=chart)  # names an unknown metric or chart
        num = gradient_flow.numeric(flow.charts[chart] if isinstance(chart, str) else chart)
        free = {p.name for p in num.free_params}
        fixed = {s.name: float(v) for s, v in flow.parameter_values.items() if s.name in free}
    else:
        raise ArgumentTypeError(
            f"sweep takes a NumericFlow, a GradientFlow (or Vector) or a Model, got {type(flow).__name__}"
        )
    if metric is not None and not hasattr(flow, "metrics"):
        raise ArgumentTypeError("metric= names a metric of a Model; a flow has its metric already")
    for key, value in (params or {}).items():
        fixed[key.name if isinstance(key, sp.Symbol) else str(key)] = value
    return num, fixed


def _grid(num: NumericFlow, grid) -> tuple[list[str], list[np.ndarray]]:
    """The swept parameters' names and their values, checked: 1-D arrays of finite numbers."""
    if not isinstance(grid, Mapping) or not grid:
        raise ArgumentTypeError("grid must be a non-empty dict {parameter: values}, e.g. grid={'eta': [0.1, 1]}")
    free = {p.name: p for p in num.free_params}
    names, values = [], []
    for key, vals in grid.items():
        name = key.name if isinstance(key, sp.Symbol) else key
        if not isinstance(name, str) or name not in free:
            bound = ", ".join(sorted(p.name for p in num.params)) or "none"
            raise UnknownParameterError(
                f"grid sweeps {key!r}, which is no free parameter of the flow; its free parameters are "
                f"{', '.join(free) or 'none'} (bound: {bound}); leave the swept ones unbound"
            )
        if name in (MEMBER, TIME, COORD):
            raise ArgumentTypeError(f"a swept parameter may not be called {name!r}: the sweep uses that name")
        arr = _params.real_array(vals, f"the grid values of {name}")
        if arr.ndim != 1 or arr.size == 0:
            raise DimensionError(f"the grid values of {name} must be a non-empty 1-D list, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise NumericValueError(f"the grid values of {name} must be finite numbers, got {arr.tolist()}")
        names.append(name)
        values.append(arr)
    return names, values


def _block_shape(shape: tuple[int, ...], chunk: int) -> tuple[int, ...]:
    """Blocks of about ``chunk`` parameter sets, whole along the last axes first (C order)."""
    block, room = [], chunk
    for n in reversed(shape):
        b = max(1, min(n, room))
        block.append(b)
        room = max(1, room // b)
    return tuple(reversed(block))


# -- one task: a block of parameter sets, integrated as one ensemble -------------------------


def _shipped(num: NumericFlow, client, scheduler: str) -> NumericFlow | bytes:
    """The numeric flow as the tasks carry it: itself in this process, else pickled once, here.

    A task that leaves this process (a cluster, the ``"processes"`` scheduler)
    would have its flow pickled with it, once per task, by the scheduler that
    sends it: for a flow with compiled kernels and sympy expressions that takes
    milliseconds each time, on the scheduler's one thread.  Pickled once here,
    the tasks carry a few kilobytes of bytes, and each worker process unpickles
    them once (:func:`_unpickled`).
    """
    if client is None and scheduler != "processes":
        return num
    cloudpickle = _require("cloudpickle", "sweep")  # a dependency of dask: it pickles the lambdified kernels
    return cloudpickle.dumps(num)


@functools.lru_cache(maxsize=8)
def _unpickled(blob: bytes) -> NumericFlow:
    """The numeric flow pickled in ``blob``, unpickled once per process (the tasks of a sweep share it)."""
    return pickle.loads(blob)


def _run_block(*values, num, names, X0, fixed, t_span, t_eval, method, options):
    """Integrate every parameter set of a block for every member: shape (*block, member, time * dim + 2)."""
    if isinstance(num, bytes):
        num = _unpickled(num)
    shape = values[0].shape
    sets, members, dim, times = math.prod(shape), len(X0), X0.shape[1], len(t_eval)
    width = times * dim + 2
    if sets == 0:
        return np.empty(shape + (members, width))
    params = {k: (v if np.ndim(v) == 0 else np.tile(np.broadcast_to(v, (members,)), sets)) for k, v in fixed.items()}
    for name, v in zip(names, values):
        params[name] = np.repeat(np.asarray(v, dtype=float).ravel(), members)
    X = np.tile(X0, (sets, 1))
    sol = num.integrate(X, t_span, t_eval, method, params=params, **options)
    y = sol.y
    if y.shape[1] < times:
        # every member stopped before the last time: the same integration, reported at the solver's
        # steps, ends with each member's state where it stopped, which it keeps from then on
        last = num.integrate(X, t_span, None, method, params=params, **options).y[:, -1:]
        y = np.concatenate([y, np.repeat(last, times - y.shape[1], axis=1)], axis=1)
    out = np.empty((sets * members, width))
    out[:, :-2] = y.reshape(sets * members, -1)
    out[:, -2] = sol.status
    out[:, -1] = sol.t_stop
    return out.reshape(shape + (members, width))


# -- the sweep ----------------------------------------------------------------------------------


def sweep(
    flow,
    grid: Mapping,
    x0: ArrayLike,
    t_span: tuple[float, float],
    t_eval: ArrayLike | None = None,
    *,
    params: Mapping | None = None,
    metric: str | None = None,
    chart=None,
    client=None,
    scheduler: str = "threads",
    chunk: int | None = None,
    store: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    method: str = "RK45",
    progress: bool = False,
    **options,
):
    r"""Integrate a flow for every point of a grid of parameter values; the trajectories as an xarray Dataset.

    For every parameter set of the grid (the Cartesian product of the values
    of each swept parameter) the ensemble ``x0`` is integrated over
    ``t_span``.  The grid is cut into blocks of ``chunk`` parameter sets;
    each block is one Dask task that integrates its ``chunk * members``
    trajectories as one vectorised ensemble, the parameters given one value
    per member.

    Parameters
    ----------
    flow : NumericFlow, GradientFlow, Vector or Model
        The flow.  Swept parameters must be free (unbound) in a NumericFlow;
        a Model's flow is ``model.flow(metric, chart)``, its parameter values
        the defaults of the parameters not swept.
    grid : dict
        ``{parameter (Symbol or name): values}``, each a 1-D list of numbers.
    x0 : array_like, shape (dim,) or (member, dim)
        The initial points, the same for every parameter set.
    t_span : (float, float)
    t_eval : array_like, optional
        The reported times (default: 101 evenly spaced times over ``t_span``).
    params : dict, optional
        Values of the other free parameters, by symbol or name: a number, or
        one value per member (shape ``(member,)``).
    metric : str, optional
        The metric's name, for a Model with several.
    chart : Chart or str, optional
        The chart of the coordinates (a name for a Model); default the flow's.
    client : distributed.Client or str, optional
        A Dask cluster's client, or its scheduler's address (``"tcp://host:8786"``).
        Default: ``scheduler``, in this process, no server.
    scheduler : {"threads", "synchronous", "processes"}, default "threads"
        Dask's scheduler in this process when no client is given.  The solver
        spends much of its time in Python, holding the GIL: for small blocks
        threads gain little, and ``"synchronous"`` (one task at a time) or
        ``"processes"`` (a pool of this machine's cores) may do better.
    chunk : int, optional
        Parameter sets per task (default: about 10^4 trajectories per task).
    store : path, optional
        Write the results to this Zarr store, block by block, and return the
        Dataset read lazily from it: for sweeps larger than memory.
    overwrite : bool, default False
        Replace an existing ``store``.
    method : str, default "RK45"
    progress : bool, default False
        Show a progress bar on stderr.
    **options
        Passed to :meth:`NumericFlow.integrate <symgrad.NumericFlow.integrate>`
        (``rtol``, ``atol``, ``max_step``, ...).

    Returns
    -------
    xarray.Dataset
        ``state`` with dims ``(*swept, "member", "time", "coord")``; ``status``
        (int8: 0 reached the end, 1 left the chart's domain, -1 the solver
        failed) and ``t_stop`` with dims ``(*swept, "member")``.  Coordinates
        label the parameter values, the times and the coordinate names.  A
        trajectory that stops early keeps its last state from ``t_stop`` on.

    Raises
    ------
    MissingDependencyError
        Dask or xarray (Zarr, distributed, when asked for) is not installed.
    UnknownParameterError
        A swept parameter is no free parameter of the flow.
    DomainError, NumericValueError, ArgumentTypeError, DimensionError
        As :meth:`NumericFlow.integrate <symgrad.NumericFlow.integrate>` for
        ``x0``, ``t_span``, ``t_eval`` and the parameter values, checked before
        any task runs; grid values that are not finite numbers.
    SweepStoreError
        ``store`` exists and ``overwrite`` is false.

    Examples
    --------
    >>> import numpy as np
    >>> import symgrad as sg
    >>> from symgrad.numeric.sweep import sweep
    >>> _ = __import__("pytest").importorskip("dask")
    >>> one = sg.catalog.one_dimensional()
    >>> num = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta).numeric(one.X)
    >>> ds = sweep(num, {one.eta: [0.5, 1.0, 2.0]}, x0=[2.0], t_span=(0, 2), t_eval=[0, 1, 2], chunk=2)
    >>> ds.state.shape, ds.status.values.tolist()
    ((3, 1, 3, 1), [[0], [0], [0]])
    >>> np.round(ds.state.sel(time=2, member=0, coord="x").values, 4)
    array([1.1353, 1.0183, 1.0003])
    """
    num, fixed = _numeric(flow, metric, chart, params)
    names, values = _grid(num, grid)
    (t0, t1), times = _arguments.times(t_span, t_eval)
    times = np.linspace(t0, t1, DEFAULT_TIMES) if times is None else times
    X0 = np.atleast_2d(_params.points(x0, num.coords, "x0"))
    if X0.ndim != 2:
        raise DimensionError(f"x0 must have shape (dim,) or (member, dim); got shape {X0.shape}")
    members = len(X0)
    shape = tuple(len(v) for v in values)
    mesh = np.meshgrid(*values, indexing="ij")
    _preflight(num, X0, fixed, names, mesh)
    if chunk is None:
        chunk = max(1, TRAJECTORIES_PER_TASK // members)
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ArgumentTypeError(f"chunk is the number of parameter sets per task, an integer >= 1; got {chunk!r}")
    if scheduler not in SCHEDULERS:
        raise ArgumentTypeError(f"scheduler must be one of {', '.join(SCHEDULERS)}; got {scheduler!r}")
    if store is not None:
        store = pathlib.Path(store)
        if store.exists() and not overwrite:
            raise SweepStoreError(f"the store {store} exists; pass overwrite=True (--force), or choose another path")

    da = _require("dask.array", "sweep")
    xr = _require("xarray", "sweep")
    block = _block_shape(shape, int(chunk))
    width = len(times) * num.dim + 2
    grids = [da.from_array(m, chunks=block, name=f"symgrad-grid-{uuid.uuid4().hex}") for m in mesh]
    k = len(names)
    out = da.map_blocks(
        _run_block,
        *grids,
        num=_shipped(num, client, scheduler),
        names=names,
        X0=X0,
        fixed=fixed,
        t_span=(t0, t1),
        t_eval=times,
        method=method,
        options=options,
        new_axis=[k, k + 1],
        chunks=grids[0].chunks + ((members,), (width,)),
        dtype=float,
        meta=np.empty((0,) * (k + 2)),
        name=f"symgrad-sweep-{uuid.uuid4().hex}",
    )
    if store is None:
        # the blocks come back whole, and the variables are views of them: no task per variable and block
        (out,) = _compute([out], client, scheduler, progress)
        return _dataset(xr, out, names, values, times, num, method, (t0, t1))
    _require("zarr", "sweep(store=...)")
    ds = _dataset(xr, out, names, values, times, num, method, (t0, t1))
    job = ds.to_zarr(store, mode="w", compute=False, consolidated=False)
    _compute([job], client, scheduler, progress)
    return xr.open_zarr(store, consolidated=False)


def _dataset(xr, out, names, values, times, num, method, t_span):
    """The Dataset of the blocks ``out`` (a Dask or a numpy array, shape (*swept, member, time * dim + 2))."""
    members = out.shape[len(names)]
    state = out[..., :-2].reshape(out.shape[:-1] + (len(times), num.dim))
    coords = {name: v for name, v in zip(names, values)}
    coords.update(
        {MEMBER: np.arange(members), TIME: times, COORD: np.array([c.name for c in num.coords], dtype=object)}
    )
    return xr.Dataset(
        {
            "state": (names + [MEMBER, TIME, COORD], state),
            "status": (names + [MEMBER], out[..., -2].astype(np.int8)),
            "t_stop": (names + [MEMBER], out[..., -1]),
        },
        coords=coords,
        attrs={
            "flow": repr(num),
            "chart": str(num.chart.name),
            "method": str(getattr(method, "__name__", method)),
            "t_span": list(t_span),
            "status_codes": "0 reached the end of t_span, 1 left the chart's domain, 2 terminal event, -1 failed",
        },
    )


def _preflight(num, X0, fixed, names, mesh):
    """Check ``x0`` and every parameter value before any task runs, so that errors come from this process.

    The flow is evaluated at every initial point for the first parameter set,
    and at the first initial point for every parameter set.
    """
    first = {name: float(m.flat[0]) for name, m in zip(names, mesh)}
    _validate.start(num, X0, {**fixed, **first})
    per_set = {k: (v if np.ndim(v) == 0 else np.broadcast_to(v, (len(X0),))[0]) for k, v in fixed.items()}
    per_set.update({name: m.ravel() for name, m in zip(names, mesh)})
    _validate.start(num, np.repeat(X0[:1], mesh[0].size, axis=0), per_set)


def _compute(collections: Sequence, client, scheduler: str, progress: bool) -> tuple:
    """Compute Dask collections on ``scheduler`` here, or on the cluster of ``client`` (a Client or an address)."""
    dask = _require("dask", "sweep")
    if client is None:
        if progress:
            from dask.diagnostics import ProgressBar

            bar = ProgressBar(out=sys.stderr)
        else:
            bar = nullcontext()
        with bar, _one_blas_thread():
            return dask.compute(*collections, scheduler=scheduler)
    distributed = _require("distributed", "sweep(client=...)")
    own = isinstance(client, str)
    if own:
        client = distributed.Client(client, set_as_default=False)
    elif not isinstance(client, distributed.Client):
        raise ArgumentTypeError(
            f"client must be a distributed.Client or a scheduler address such as 'tcp://host:8786', "
            f"got {type(client).__name__}"
        )
    try:
        persisted = client.persist(list(collections))
        if progress:
            _cluster_progress(distributed.futures_of(persisted))
        array = _require("dask.array", "sweep").Array
        return tuple(
            _gather(client, c, distributed) if isinstance(c, array) else dask.compute(c, scheduler=client)[0]
            for c in persisted
        )
    finally:
        if own:
            client.close()


def _one_blas_thread():
    """A context in which BLAS runs one thread in this process, where threadpoolctl is installed.

    The solver's steps call BLAS on vectors of the whole block (``K.T @ a``);
    from about 10^4 trajectories OpenBLAS runs them on all cores, which the
    other tasks, or other processes, want too: oversubscribed, its threads wait
    for each other, and a sweep can take several times as long.  (The workers of
    a ``dask.distributed`` cluster run one BLAS thread already.)
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _gather(client, array, distributed) -> np.ndarray:
    """A persisted Dask array's blocks, fetched from the workers and joined here.

    (Computed by the cluster, the blocks would first be sent to one worker to be
    joined there, and the whole array then to this process.)
    """
    futures = {f.key: f for f in distributed.futures_of(array)}

    def nested(keys):
        return [nested(k) for k in keys] if isinstance(keys, list) else futures[keys]

    return np.block(client.gather(nested(array.__dask_keys__())))


def _cluster_progress(futures) -> None:
    """A text progress bar on stderr while the cluster works through ``futures``."""
    import time

    total, done = len(futures), -1
    while done < total:
        now = sum(f.done() for f in futures)
        if now != done:
            done = now
            filled = 28 * done // max(total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'-' * (28 - filled)}] {done}/{total} chunks")
            sys.stderr.flush()
        if done < total:
            time.sleep(0.1)
    sys.stderr.write("\n")


# -- grid values from text (the command line) -------------------------------------------------


def parse_grid_values(text: str) -> tuple[str, np.ndarray]:
    """A swept parameter and its values from text: ``NAME=START:STOP:COUNT`` or ``NAME=V1,V2,...``.

    ``START:STOP:COUNT`` is ``COUNT`` evenly spaced values from ``START`` to
    ``STOP``, both included.  Values are read as numbers only (``float``),
    never evaluated.

    Parameters
    ----------
    text : str

    Returns
    -------
    name : str
    values : numpy.ndarray, shape (n,)

    Raises
    ------
    ArgumentTypeError
        The text is not of that form, or a value is not a finite number.

    Examples
    --------
    >>> from symgrad.numeric.sweep import parse_grid_values
    >>> parse_grid_values("eta=0.1:1:4")
    ('eta', array([0.1, 0.4, 0.7, 1. ]))
    >>> parse_grid_values("phi=1,2.5")
    ('phi', array([1. , 2.5]))
    """
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier() or not spec.strip():
        raise ArgumentTypeError(f"a grid is NAME=START:STOP:COUNT or NAME=V1,V2,...; got {text!r}")

    def number(s: str) -> float:
        return parse_numbers(s, f"the grid of {name} ({text!r})", sep=None)[0]

    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise ArgumentTypeError(f"a range grid is NAME=START:STOP:COUNT; got {text!r}")
        start, stop = number(parts[0]), number(parts[1])
        count = number(parts[2])
        if count != int(count) or count < 1:
            raise ArgumentTypeError(f"the COUNT of a range grid is an integer >= 1; got {parts[2].strip()!r}")
        return name, np.linspace(start, stop, int(count))
    return name, np.array([number(s) for s in spec.split(",")])


def parse_numbers(text: str, what: str, sep: str | None = ",") -> list[float]:
    """Finite numbers separated by ``sep`` (None: one number), read with ``float`` only, never evaluated.

    Raises
    ------
    ArgumentTypeError
        A part is not a finite number; the message names ``what``.

    Examples
    --------
    >>> from symgrad.numeric.sweep import parse_numbers
    >>> parse_numbers("1, 2.5e-1", "--x0")
    [1.0, 0.25]
    """
    values = []
    for part in [text] if sep is None else text.split(sep):
        try:
            value = float(part)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ArgumentTypeError(f"{what} takes finite numbers; {part.strip()!r} is not one")
        values.append(value)
    return values
