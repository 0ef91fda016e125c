"""The ``symgrad`` command.

``symgrad reproduce [--out DIR]``
    runs every derivation of the paper and writes its figures (PNG and PDF),
    equations (``.tex``) and a ``report.md`` that shows each figure beside its
    update rules; exits 0 only if every derivation's checks pass.
``symgrad derive MODEL.toml [--metric NAME] [--chart NAME] [--format F] [--output FILE]``
    prints (or writes) the update rule of a model file as LaTeX, Python,
    C or JAX source.
``symgrad check MODEL.toml``
    runs the chart-independence checks of every metric of a model file.

Examples
--------
>>> from symgrad.cli import main
>>> main(["--version"])  # doctest: +ELLIPSIS
symgrad ...
0
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

import sympy as sp

from . import __version__
from .errors import SymgradError

if TYPE_CHECKING:
    from .io.modelfile import Model

__all__ = ["main"]

FORMATS = ("latex", "python", "c", "jax")


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


def reproduce(
    out: str | os.PathLike[str] = "symgrad-paper",
    modules: Sequence[str] | None = None,
    stream: TextIO | None = None,
) -> bool:
    """Run the paper's derivations; write figures, equations and ``report.md`` into ``out``.

    Returns
    -------
    bool
        True if every derivation's checks passed.
    """
    from .numeric.plotting import save_figure
    from .paper import MODULES, latex_document, run

    names = list(modules or MODULES)
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    progress = _Progress(len(names), stream)
    progress.show("starting")
    report = ["# symgrad: the paper's examples, reproduced", ""]
    all_passed = True
    for name in names:
        t0 = time.perf_counter()
        _, title, stem, results, checks, figure = run(name)
        (out / f"{stem}.tex").write_text(latex_document(title, results))
        save_figure(figure, out / stem)
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
            "Update rules and closed forms:",
            "",
            _rules_markdown(results),
        ]
        progress.step(name)
    report.append(f"**{'All checks passed.' if all_passed else 'Some checks FAILED.'}**\n")
    (out / "report.md").write_text("\n".join(report))
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
    """Run the invariance checks on every metric of a model file; True if all pass."""
    from .analysis.invariance import check_invariance

    stream = stream or sys.stdout
    model = _load(model_path)
    ok = True
    charts = model.cost.manifold.charts
    for name, metric in model.metrics.items():
        # the file's values cover the whole model (its rate too): pass those of the cost and this metric
        used = set().union(*(f.components(c).free_symbols for f in (model.cost, metric) for c in charts))
        values = {s: v for s, v in model.parameter_values.items() if s in used}
        report = check_invariance(model.cost, metric, params=values)
        stream.write(f"metric {name!r}\n{report}\n\n")
        ok &= report.passed
    return ok


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symgrad", description="Symbolic gradient dynamics on curved parameter spaces."
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("reproduce", help="reproduce the paper's examples: figures, equations, report.md")
    p.add_argument("--out", default="symgrad-paper", help="output folder (default: %(default)s)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these derivations")
    p = sub.add_parser("derive", help="print the update rule of a model file")
    p.add_argument("model", help="a model file (TOML)")
    p.add_argument("--metric", help="the metric's name in the model file (default: the first)")
    p.add_argument("--chart", help="the chart to write the rule in (default: the metric's)")
    p.add_argument("--format", choices=FORMATS, default="latex")
    p.add_argument("--output", help="write to this file instead of printing")
    p = sub.add_parser("check", help="check a model file's gradient flows for chart independence")
    p.add_argument("model", help="a model file (TOML)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``symgrad`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"symgrad {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "reproduce":
            ok = reproduce(args.out, args.only)
            print(f"wrote {args.out}/report.md; {'all checks passed' if ok else 'some checks FAILED'}")
            return 0 if ok else 1
        if args.command == "derive":
            text = derive(args.model, args.metric, args.chart, args.format)
            if args.output:
                pathlib.Path(args.output).write_text(text)
            else:
                print(text, end="" if text.endswith("\n") else "\n")
            return 0
        return 0 if check(args.model) else 1
    except SymgradError as err:
        print(f"symgrad: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (e.g. `symgrad check m.toml | head`)
        sys.stderr.close()
        return 0
    except OSError as err:
        print(f"symgrad: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
