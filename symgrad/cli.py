"""The ``symgrad`` command.

``symgrad reproduce [--out DIR] [--only NAME ...] [--force]``
    runs every derivation of the paper and writes its figures (PNG and PDF),
    equations (``.tex``) and a ``report.md`` that shows each figure beside its
    update rules; exits 0 only if every derivation's checks pass.  Each file
    is written whole or not at all; a file that symgrad did not write (one
    not listed in the folder's ``.symgrad-outputs``) is not overwritten
    without ``--force``.
``symgrad derive MODEL.toml [--metric NAME] [--chart NAME] [--format F] [--output FILE] [--force]``
    prints (or writes) the update rule of a model file as LaTeX, Python,
    C or JAX source; an existing ``FILE`` is overwritten only with ``--force``.
``symgrad check MODEL.toml``
    runs the chart-independence checks of every metric of a model file; for a
    model with one chart, checks that each metric's flow is a descent.
``symgrad sweep MODEL.toml --grid NAME=START:STOP:COUNT [--grid NAME=V1,V2] --x0 X1,X2 --t-end T --out FILE``
    integrates the flow of a model file for every parameter set of a grid
    (Dask, in process or on ``--scheduler ADDRESS``) and writes the
    trajectories and statuses to ``FILE`` (``.nc`` or ``.zarr``), with a
    progress bar; needs ``pip install "symgrad[dask]"``.

Every command takes ``--timeout SECONDS`` (default 60: the time budget of
``derive`` and ``check``, and of each derivation of ``reproduce``) and
``--memory MB`` (default 4096: the memory limit of the worker process that
does the work).  A command past its budget stops with a message that names
the stage it was in; every failure is one line on stderr and exit code 2.

Examples
--------
>>> from symgrad.cli import main
>>> main(["--version"])  # doctest: +ELLIPSIS
symgrad ...
0
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import pathlib
import sys
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

import sympy as sp

from . import __version__
from .errors import NumericValueError, SymgradError

if TYPE_CHECKING:
    from .io.modelfile import Model

__all__ = ["main"]

FORMATS = ("latex", "python", "c", "jax")

#: The default time budget (seconds) of ``derive`` and ``check``, and of each derivation of ``reproduce``.
DEFAULT_TIMEOUT = 60.0
#: The default memory limit (MiB) of the worker process of the ``symgrad`` command.
DEFAULT_MEMORY = 4096.0
#: Seconds the worker process may outlive its time budget before it is stopped.
GRACE = 15.0

#: The file, in an output folder, that lists the files ``symgrad reproduce`` wrote there.
MANIFEST = ".symgrad-outputs"


class _Progress:
    """A one-line progress bar on stderr (a line per step when stderr is not a terminal)."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 28) -> None:
        self.total, self.done, self.width = total, 0, width
        self.stream = stream or sys.stderr
        self.tty = getattr(self.stream, "isatty", lambda: False)()

    def show(self, label: str) -> None:
        filled = self.width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        text = f"[{bar}] {self.done}/{self.total} {label}"
        if self.tty:
            self.stream.write("\r" + text.ljust(80))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def step(self, label: str) -> None:
        self.done += 1
        self.show(label)
        if self.tty and self.done == self.total:
            self.stream.write("\n")


def _rules_markdown(results: Mapping[str, object]) -> str:
    lines = []
    for key, value in results.items():
        lines.append(f"- {key}:\n\n  $$ {sp.latex(value)} $$\n")
    return "\n".join(lines)


def _write_text(path: pathlib.Path, text: str) -> None:
    from .numeric._files import atomic_write

    atomic_write(path, lambda f: f.write(text.encode()))


def _read_manifest(out: pathlib.Path) -> set[str]:
    try:
        lines = (out / MANIFEST).read_text().splitlines()
    except FileNotFoundError:
        return set()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _write_manifest(out: pathlib.Path, names: set[str]) -> None:
    header = "# files written here by `symgrad reproduce`; it may overwrite them\n"
    _write_text(out / MANIFEST, header + "".join(f"{n}\n" for n in sorted(names)))


def _writable_folder(out: pathlib.Path) -> None:
    """Make ``out`` (with its parents) and check that files can be written there."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".symgrad-probe-{os.getpid()}"
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as err:
        raise SymgradError(f"cannot write into the output folder {out}: {err.strerror or err}") from None


def reproduce(
    out: str | os.PathLike[str] = "symgrad-paper",
    modules: Sequence[str] | None = None,
    stream: TextIO | None = None,
    force: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> bool:
    """Run the paper's derivations; write figures, equations and ``report.md`` into ``out``.

    The derivation names and the folder are checked before anything runs.  Each
    file is written to a temporary file and moved into place, so an interruption
    never leaves a truncated file.  The files written are listed in ``out``'s
    ``.symgrad-outputs``; an existing file not listed there is not overwritten
    unless ``force`` is true.  Each derivation runs under a time budget of
    ``timeout`` seconds (None: none).

    Returns
    -------
    bool
        True if every derivation's checks passed.
    """
    from .paper import FIGURES, MODULES

    names = list(modules or MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        raise SymgradError(
            f"no derivation named {', '.join(map(repr, unknown))}; the derivations are {', '.join(MODULES)}"
        )
    out = pathlib.Path(out)
    _writable_folder(out)
    planned = [f"{FIGURES[n][0]}.{ext}" for n in names for ext in ("tex", "png", "pdf")] + ["report.md"]
    ours = _read_manifest(out)
    foreign = [f for f in planned if f not in ours and (out / f).exists()]
    if foreign and not force:
        raise SymgradError(
            f"{out} has files that symgrad did not write: {', '.join(foreign)}; "
            "pass --force to overwrite them, or choose another --out"
        )
    stream = stream or sys.stderr
    written: list[str] = []
    try:
        ok = _reproduce(out, names, stream, written, timeout)
    finally:
        if written:
            _write_manifest(out, ours | set(written))
    stream.write(f"symgrad: wrote {len(written)} files into {out}: {', '.join(written)}\n")
    return ok


def _reproduce(out: pathlib.Path, names: list[str], stream: TextIO, written: list[str], timeout: float | None) -> bool:
    from .budgets import budget, budget_stage
    from .numeric.plotting import save_figure
    from .paper import latex_document, run

    progress = _Progress(len(names), stream)
    progress.show("starting")
    report = ["# symgrad: the paper's examples, reproduced", ""]
    all_passed = True
    for name in names:
        t0 = time.perf_counter()
        with budget(timeout):
            _, title, stem, results, checks, figure, notes = budget_stage(
                f"the derivation {name}", lambda n=name: run(n)
            )
        # each name is recorded before its file is written, so an interrupted run's files stay symgrad's
        written.append(f"{stem}.tex")
        _write_text(out / f"{stem}.tex", latex_document(title, results))
        written += [f"{stem}.png", f"{stem}.pdf"]
        save_figure(figure, out / stem, formats=("png", "pdf"))
        passed = all(checks.values())
        all_passed &= passed
        report += [
            f"## {title}",
            "",
            f"![{title}]({stem}.png)",
            "",
            f"Derived in {time.perf_counter() - t0:.1f} s; equations in [`{stem}.tex`]({stem}.tex), "
            f"figure also as [PDF]({stem}.pdf).",
            "",
            "Checks:",
            "",
            *[f"- {'passed' if ok else 'FAILED'}: {statement}" for statement, ok in checks.items()],
            "",
            *([notes, ""] if notes else []),
            "Update rules and closed forms:",
            "",
            _rules_markdown(results),
        ]
        progress.step(name)
    report.append(f"**{'All checks passed.' if all_passed else 'Some checks FAILED.'}**\n")
    written.append("report.md")
    _write_text(out / "report.md", "\n".join(report))
    return all_passed


def _load(path: str | os.PathLike[str]) -> Model:
    from .io.modelfile import load_model

    return load_model(path)


def derive(
    model_path: str | os.PathLike[str],
    metric: str | None = None,
    chart: str | None = None,
    format: str = "latex",
) -> str:
    """The update rule of a model file's gradient flow, as text in ``format``."""
    from .numeric import export

    model = _load(model_path)
    if not model.metrics:
        raise SymgradError(f"{model_path} defines no metric")
    name = metric or next(iter(model.metrics))
    if name not in model.metrics:
        raise SymgradError(f"{model_path} has no metric {name!r}; it has {', '.join(model.metrics)}")
    flow = model.flow(name)
    target = flow.chart if chart is None else model.charts.get(chart)
    if target is None:
        raise SymgradError(f"{model_path} has no chart {chart!r}; it has {', '.join(model.charts)}")
    writer = {"latex": export.to_latex, "python": export.to_python, "c": export.to_c, "jax": export.to_jax}[format]
    return writer(flow, target)


def check(model_path: str | os.PathLike[str], stream: TextIO | None = None) -> bool:
    """Run the invariance checks on every metric of a model file; True if all pass.

    A model with one chart has nothing to compare across charts: each metric is
    checked to be positive definite (when the model is built) and its flow to be
    a descent of the cost.
    """
    from .analysis.invariance import check_invariance

    stream = stream or sys.stdout
    model = _load(model_path)
    ok = True
    charts = model.cost.manifold.charts
    if len(set(charts)) < 2:
        return _check_one_chart(model, model_path, stream)
    for name, metric in model.metrics.items():
        with _naming(model_path, name):
            report = check_invariance(model.cost, metric, params=_values_used(model, charts, model.cost, metric))
        stream.write(f"metric {name!r}\n{report}\n\n")
        ok &= report.passed
    return ok


@contextlib.contextmanager
def _naming(model_path, metric: str):
    """Name the model file and the metric in a numeric failure of a check."""
    try:
        yield
    except NumericValueError as e:
        raise NumericValueError(f"{model_path}, metric {metric!r}: {e}") from None


def _values_used(model: Model, charts, *objects) -> dict:
    """The model file's parameter values of the symbols ``objects`` use in ``charts``.

    The file's values cover the whole model (its rate too); a check is passed only those
    of the objects it checks, since an unknown parameter is refused.
    """
    used = set().union(*(obj.components(c).free_symbols for obj in objects for c in charts))
    return {s: v for s, v in model.parameter_values.items() if s in used}


def _check_one_chart(model: Model, model_path, stream: TextIO) -> bool:
    from .analysis.invariance import check_descent

    ok = True
    for name in model.metrics:
        flow = model.flow(name)
        with _naming(model_path, name):
            descent = check_descent(flow, flow.chart, _values_used(model, [flow.chart], flow, flow.cost, flow.metric))
        stream.write(
            f"metric {name!r}\n"
            "  positive definite: yes\n"
            f"  gradient flow is a descent of the cost: {'yes' if descent else 'NO'}\n\n"
        )
        ok &= descent
    chart = next(iter(model.charts))
    stream.write(
        f"chart independence: not checked; it needs two charts and the model has one ({chart!r}); "
        "add a chart and a transition to check it\n"
    )
    return ok


def sweep(args: argparse.Namespace, stream: TextIO | None = None) -> str:
    """Run ``symgrad sweep``: integrate a model's flow over a grid, write ``--out``; returns a summary line."""
    from .numeric.sweep import parse_grid_values, parse_numbers
    from .numeric.sweep import sweep as run_sweep

    out = pathlib.Path(args.out)
    if out.suffix not in (".nc", ".zarr"):
        raise SymgradError(f"--out {out} must end in .nc (netCDF) or .zarr (a Zarr store)")
    if out.exists() and not args.force:
        raise SymgradError(f"{out} exists; pass --force to overwrite it")
    if not out.parent.is_dir():
        raise SymgradError(f"cannot write {out}: no folder {out.parent}")
    grid = dict(parse_grid_values(text) for text in args.grid)
    if len(grid) < len(args.grid):
        raise SymgradError("--grid names a parameter twice; give each parameter one --grid")
    params = {}
    for text in args.param or ():
        name, sep, value = text.partition("=")
        if not sep or not name.strip().isidentifier():
            raise SymgradError(f"--param takes NAME=VALUE; got {text!r}")
        (params[name.strip()],) = parse_numbers(value, "--param")
    x0 = [parse_numbers(text, "--x0") for text in args.x0]
    if len({len(x) for x in x0}) > 1:
        raise SymgradError("every --x0 must give the same number of coordinates")
    model = _load(args.model)
    t_eval = [args.t_start + (args.t_end - args.t_start) * k / (args.times - 1) for k in range(args.times)]
    ds = run_sweep(
        model,
        grid,
        x0,
        (args.t_start, args.t_end),
        t_eval,
        params=params,
        metric=args.metric,
        chart=args.chart,
        client=args.scheduler,
        chunk=args.chunk,
        store=out if out.suffix == ".zarr" else None,
        overwrite=args.force,
        progress=True,
    )
    if out.suffix == ".nc":
        from .numeric._files import atomic_write

        atomic_write(out, lambda f: f.write(ds.to_netcdf()))
    status = ds.status.values
    sizes = ", ".join(f"{d}: {n}" for d, n in ds.state.sizes.items())
    left, failed = int((status == 1).sum()), int((status < 0).sum())
    return f"wrote {out}: state ({sizes}); {status.size} trajectories, {left} left the domain, {failed} failed"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symgrad", description="Symbolic gradient dynamics on curved parameter spaces."
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    limits = argparse.ArgumentParser(add_help=False)
    limits.add_argument(
        "--timeout",
        type=_positive("--timeout"),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="time budget of the command (of each derivation, for reproduce; default: %(default)g)",
    )
    limits.add_argument(
        "--memory",
        type=_positive("--memory"),
        default=DEFAULT_MEMORY,
        metavar="MB",
        help="memory limit of the worker process in MiB (default: %(default)g)",
    )
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser(
        "reproduce", parents=[limits], help="reproduce the paper's examples: figures, equations, report.md"
    )
    p.add_argument("--out", default="symgrad-paper", help="output folder (default: %(default)s)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these derivations")
    p.add_argument("--force", action="store_true", help="overwrite files in DIR that symgrad did not write")
    p = sub.add_parser("derive", parents=[limits], help="print the update rule of a model file")
    p.add_argument("model", help="a model file (TOML)")
    p.add_argument("--metric", help="the metric's name in the model file (default: the first)")
    p.add_argument("--chart", help="the chart to write the rule in (default: the metric's)")
    p.add_argument("--format", choices=FORMATS, default="latex")
    p.add_argument("--output", help="write to this file instead of printing")
    p.add_argument("--force", action="store_true", help="overwrite an existing --output file")
    p = sub.add_parser("check", parents=[limits], help="check a model file's gradient flows for chart independence")
    p.add_argument("model", help="a model file (TOML)")
    p = sub.add_parser("sweep", parents=[limits], help="integrate a model's flow over a grid of parameter values")
    p.add_argument("model", help="a model file (TOML)")
    p.add_argument("--metric", help="the metric's name in the model file (default: the only one)")
    p.add_argument("--chart", help="the chart of the coordinates (default: the metric's)")
    p.add_argument("--grid", action="append", required=True, metavar="NAME=START:STOP:COUNT|NAME=V1,V2,...")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter value not swept")
    p.add_argument("--x0", action="append", required=True, metavar="X1,X2,...", help="an initial point (repeat)")
    p.add_argument("--t-start", type=float, default=0.0, help="default: %(default)g")
    p.add_argument("--t-end", type=float, required=True)
    p.add_argument("--times", type=int, default=101, help="reported times (default: %(default)d)")
    p.add_argument("--out", required=True, help="the results: FILE.nc (netCDF) or DIR.zarr (Zarr)")
    p.add_argument("--chunk", type=int, help="parameter sets per task (default: about 10^4 trajectories)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://host:8786 (default: here)")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out")
    return parser


def _positive(option: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (0 < value < math.inf):
            raise argparse.ArgumentTypeError(f"{option} takes a positive number, got {text!r}")
        return value

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``symgrad`` command; returns the exit code.

    Run as the ``symgrad`` command (``argv`` None), the work of ``reproduce``,
    ``derive`` and ``check`` runs in a worker process (a fork, where the
    platform has one) with a memory limit (``--memory``) that is stopped if
    it outlives its time budget (``--timeout``) by :data:`GRACE` seconds;
    called with a list of arguments, it runs in this process under the time
    budget alone.  Every failure is a
    one-line message on stderr and exit code 2 (1: a check failed; 130:
    interrupted).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"symgrad {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    if argv is None and _isolation_available():
        return _supervise(args)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run a command in this process; the one exception boundary of the command line."""
    from .budgets import budget, failed_stage

    try:
        if args.command == "reproduce":
            ok = reproduce(args.out, args.only, force=args.force, timeout=args.timeout)
            print(f"wrote {args.out}/report.md; {'all checks passed' if ok else 'some checks FAILED'}")
            return 0 if ok else 1
        if args.command == "derive":
            output = pathlib.Path(args.output) if args.output else None
            if output is not None:
                if output.exists() and not args.force:
                    raise SymgradError(f"{output} exists; pass --force to overwrite it")
                if not output.parent.is_dir():
                    raise SymgradError(f"cannot write {output}: no folder {output.parent}")
            with budget(args.timeout):
                text = derive(args.model, args.metric, args.chart, args.format)
            if output is not None:
                _write_text(output, text)
            else:
                print(text, end="" if text.endswith("\n") else "\n")
            return 0
        if args.command == "sweep":
            if args.times < 2 or not (math.isfinite(args.t_start) and math.isfinite(args.t_end)):
                raise SymgradError("--times takes an integer >= 2, --t-start and --t-end finite numbers")
            with budget(args.timeout):
                print(sweep(args))
            return 0
        with budget(args.timeout):
            return 0 if check(args.model) else 1
    except SymgradError as err:
        return _fail(str(err))
    except BrokenPipeError:  # the reader went away (e.g. `symgrad check m.toml | head`)
        sys.stderr.close()
        return 0
    except OSError as err:
        return _fail(str(err))
    except MemoryError:
        stage = failed_stage()
        where = f" in {stage}" if stage else ""
        return _fail(f"out of memory{where}; the limit is --memory {args.memory:g} MiB")
    except RecursionError:
        return _fail("the input nests too deeply for symgrad to work with")
    except KeyboardInterrupt:
        print("symgrad: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the boundary: anything else is a bug, said in one line
        return _fail(f"internal error ({type(err).__name__}: {err}); please report it with the input that caused it")


def _fail(message: str) -> int:
    print(f"symgrad: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def _isolation_available() -> bool:
    try:
        import resource  # noqa: F401 - POSIX only
    except ImportError:  # pragma: no cover - Windows
        return False
    return hasattr(os, "fork") and hasattr(os, "waitpid")


def _limit_memory(mebibytes: float) -> None:
    """Cap this process's address space at ``mebibytes`` MiB (and allow no core dump)."""
    import resource

    limit = int(mebibytes * 2**20)
    for kind in (resource.RLIMIT_AS, resource.RLIMIT_DATA):
        hard = resource.getrlimit(kind)[1]
        resource.setrlimit(kind, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _supervise(args: argparse.Namespace) -> int:
    """Run the command in a forked worker process with a memory limit; stop it past its time budget."""
    import signal

    from .paper import MODULES

    runs = (len(args.only or ()) or len(MODULES)) if args.command == "reproduce" else 1
    wall = args.timeout * runs + GRACE
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 2
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _limit_memory(args.memory)
            code = _run(args)
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = time.monotonic() + wall
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return _fail(
                    f"{args.command} did not finish within {wall:g} s (the budget --timeout {args.timeout:g} s "
                    f"and {GRACE:g} s of grace); the worker process was stopped. Give a larger --timeout, "
                    "or a simpler model"
                )
            time.sleep(0.02)
    except KeyboardInterrupt:
        try:
            os.kill(pid, signal.SIGINT)
            time.sleep(0.5)
            if os.waitpid(pid, os.WNOHANG)[0] == 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        print("symgrad: interrupted", file=sys.stderr)
        return 130
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        return _fail(
            f"the worker process was stopped by {name}; if it ran out of memory, give a larger "
            f"--memory (now {args.memory:g} MiB) or a simpler model"
        )
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
