"""Printing a derivation's results and writing them as LaTeX."""

import argparse
import collections
import importlib
import pathlib

import sympy as sp

#: One derivation's outcome: its module, title and file stem, ``derive()``'s results,
#: ``checks()``'s ``{statement: passed}`` and ``figure()``'s Figure.
Run = collections.namedtuple("Run", "module title stem results checks figure")


def run(name):
    """Run the derivation module ``derivations.<name>``: derive, check, draw."""
    from derivations import FIGURES

    module = importlib.import_module(f"derivations.{name}")
    stem, title = FIGURES[name]
    results = module.derive()
    return Run(module, title, stem, results, module.checks(results), module.figure(results))


def latex_document(title, results):
    """The results as a LaTeX fragment: one displayed equation per entry."""
    lines = [f"% {title}", r"\begin{align*}"]
    rows = []
    for name, value in results.items():
        rows.append(rf"\text{{{name}}}:&\quad {sp.latex(value)}")
    lines.append(" \\\\\n".join(rows))
    lines.append(r"\end{align*}")
    return "\n".join(lines) + "\n"


def main(name, title, derive, argv=None):
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
