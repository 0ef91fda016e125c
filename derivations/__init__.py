"""The paper's examples, one module each.

Each module exposes ``derive()``, returning its closed forms (metrics, flows in
each chart, update rules) as a dict of sympy objects; ``checks(results)``,
the statements of the paper they support as ``{statement: passed}``; and
``figure(results)``, a matplotlib Figure.  A module may also define
``notes(results)``: Markdown for the report (the values it assumes where the
paper gives none, the paper's misprints and their corrections, tables of
numbers); the report and the gallery page show it after the checks.  Run as a script
(``python -m symgrad.paper.gaussian_kl``) a module prints its results and writes
their LaTeX; ``symgrad reproduce`` runs them all.
``tests/test_derivations.py`` asserts them against the closed forms of the paper.

The modules live in the repository folder ``derivations/`` and are installed as
the subpackage ``symgrad.paper``: ``python -m symgrad.paper.gaussian_kl``.
"""

from __future__ import annotations

import argparse
import collections
import importlib
import pathlib
from collections.abc import Callable, Mapping, Sequence

import sympy as sp

__all__ = ["FIGURES", "MODULES", "Run", "run", "latex_document", "main"]

#: The derivation modules, in the order of the paper, with the stem of their
#: output files and their title.
FIGURES = {
    "metric_choice": ("fig1_metric_choice", "Fig 1: the choice of metric"),
    "one_dimensional": ("one_dimensional", "The one-dimensional example"),
    "wicked_map": ("fig2_wicked_map", "Fig 2: the wicked map"),
    "gaussian_kl": ("fig3_gaussian_kl", "Fig 3: the Gaussian KL example in three charts"),
    "intrinsic_plasticity": ("fig4ab_intrinsic_plasticity", "Fig 4A/B: intrinsic plasticity of a sigmoid neuron"),
    "binomial_synapse": ("fig4cd_binomial_synapse", "Fig 4C/D: the binomial release synapse"),
    "synaptic_plasticity": (
        "synaptic_plasticity",
        "Per-synapse learning rates, cross-talk and a spike-train rule with weight-dependent rates",
    ),
    "misprints": ("misprints", "The paper's misprints, corrected and checked"),
    "newton_chart": (
        "claim1_newton_chart",
        "Claim 1: Newton's method depends on the chart, its Riemannian flow does not",
    ),
    "discrete_update": ("claim2_discrete_update", "Claim 2: the discrete update is chart independent to first order"),
    "stochastic_updates": ("claim3_stochastic_updates", "Claim 3: the fluctuations of single-sample updates"),
    "metric_underdetermined": ("claim4_metric_underdetermined", "Claim 4: one observed flow does not fix the metric"),
    "metric_identifiability": (
        "claim5_metric_identifiability",
        "Claim 5: how many observations tell the metrics apart",
    ),
    "weber_law": ("claim6_weber_law", "Claim 6: Weber's law as the rates of a log metric"),
    "gradient_or_not": ("beyond_gradient_or_not", "Beyond steepest descent: is it a gradient flow?"),
    "metric_fitting": ("beyond_metric_fitting", "Beyond steepest descent: fitting a metric to dynamics"),
    "second_order": ("beyond_second_order", "Beyond steepest descent: second-order geometry"),
    "mirror_descent": (
        "beyond_mirror_descent",
        "Beyond steepest descent: mirror descent as a Hessian-metric gradient flow",
    ),
}

#: The derivation modules, in the order of the paper.
MODULES = tuple(FIGURES)

#: One derivation's outcome: its module, title and file stem, ``derive()``'s results,
#: ``checks()``'s ``{statement: passed}``, ``figure()``'s Figure and ``notes()``'s
#: Markdown ("" for a module without notes).
Run = collections.namedtuple("Run", "module title stem results checks figure notes")


def run(name: str) -> Run:
    """Run the derivation module ``symgrad.paper.<name>``: derive, check, draw."""
    module = importlib.import_module(f"{__name__}.{name}")
    stem, title = FIGURES[name]
    results = module.derive()
    checks = module.checks(results)
    figure = module.figure(results)
    notes = module.notes(results).strip() if hasattr(module, "notes") else ""
    return Run(module, title, stem, results, checks, figure, notes)


def latex_document(title: str, results: Mapping[str, sp.Basic]) -> str:
    """The results as a LaTeX fragment: one displayed equation per entry."""
    lines = [f"% {title}", r"\begin{align*}"]
    rows = []
    for name, value in results.items():
        rows.append(rf"\text{{{name}}}:&\quad {sp.latex(value)}")
    lines.append(" \\\\\n".join(rows))
    lines.append(r"\end{align*}")
    return "\n".join(lines) + "\n"


def main(
    name: str,
    title: str,
    derive: Callable[[], dict[str, sp.Basic]],
    argv: Sequence[str] | None = None,
) -> dict[str, sp.Basic]:
    """Run ``derive()``, print each result and write ``OUT/name.tex``."""
    parser = argparse.ArgumentParser(description=title)
    parser.add_argument("--out", default="symgrad-paper", help="folder for the LaTeX (default: %(default)s)")
    args = parser.parse_args(argv)
    results = derive()
    print(title)
    for key, value in results.items():
        print(f"  {key}:")
        print("    " + sp.sstr(value).replace("\n", "\n    "))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.tex"
    path.write_text(latex_document(title, results))
    print(f"wrote {path}")
    return results
