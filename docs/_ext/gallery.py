"""Generate the gallery of the paper's derivations at the start of a Sphinx build.

For every module named in ``symgrad.paper.FIGURES`` this runs ``derive()``, ``checks()``
and ``figure()``, saves the figure as ``gallery/images/<stem>.png`` and writes
``gallery/<module>.rst``: the module's docstring, the figure, the checks with their
outcome, every closed form as a displayed equation and the module's source.  A check
that fails fails the build.  With the environment variable ``SYMGRAD_DOCS_REUSE_GALLERY``
set, an existing gallery is reused instead (quicker rebuilds while writing pages).  Files
are rewritten only when their content changes, so unchanged pages are not rebuilt; nothing
here is checked in.
"""

import importlib
import io
import os
import pathlib
import re
import tempfile

import sympy as sp
from sphinx.errors import ExtensionError
from sphinx.util import logging

_LOG = logging.getLogger(__name__)


def _write_if_changed(path, data):
    """Write ``data`` (bytes) to ``path`` atomically, unless the file already holds it."""
    path = pathlib.Path(path)
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    return True


def _heading(text, char):
    return f"{text}\n{char * len(text)}\n"


def _indent(text, spaces=3):
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


def _escape(text):
    """Plain text (a check's statement) made safe for reStructuredText markup."""
    for char in "\\*|`_":
        text = text.replace(char, "\\" + char)
    return text


def _equation(value):
    """A closed form as the body of a ``.. math::`` directive (one line per row)."""
    return sp.latex(value).replace("\n", " ")


def _inline(text):
    """Inline Markdown as reStructuredText: ``code``, $math$ and **bold**."""
    text = re.sub(r"`([^`]+)`", r"``\1``", text)
    return re.sub(r"\$([^$]+)\$", lambda m: ":math:`" + m.group(1).replace("`", "'") + "`", text)


def _table(rows):
    """A Markdown pipe table (header, rule, rows) as a ``list-table``."""
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    body = [cells[0]] + [r for r in cells[1:] if not all(set(c) <= set("-: ") for c in r)]
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in body:
        lines.append("   * - " + _inline(row[0]))
        lines += ["     - " + _inline(c) for c in row[1:]]
    return lines + [""]


def _markdown(text):
    """A derivation's notes (Markdown: headings, paragraphs, lists, pipe tables) as reStructuredText."""
    out, table = [], []
    for line in text.splitlines() + [""]:
        if line.lstrip().startswith("|"):
            table.append(line)
            continue
        if table:
            out += _table(table)
            table = []
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            out += [heading, "~" * len(heading), ""]
        else:
            out.append(_inline(line))
    return "\n".join(out)


def page(name, title, stem, module, results, checks, notes=""):
    """The reStructuredText of the gallery page of one derivation."""
    doc = (module.__doc__ or "").strip()
    lines = [f".. _gallery-{name}:", "", _heading(title, "="), doc, ""]
    lines += [
        f".. figure:: images/{stem}.png",
        f"   :alt: {title}",
        "   :width: 100%",
        "",
        f"   Drawn by ``symgrad.paper.{name}.figure()`` when these pages were built.",
        "",
        _heading("Checks", "-"),
        "The statements this derivation supports, checked when these pages were built:",
        "",
    ]
    for statement, passed in checks.items():
        lines.append(f"- {'passed' if passed else '**FAILED**'}: {_escape(statement)}")
    if notes:
        lines += ["", _heading("Notes", "-"), _markdown(notes)]
    lines += ["", _heading("Closed forms", "-"), f"Returned by ``symgrad.paper.{name}.derive()``:", ""]
    for key, value in results.items():
        lines += [f"**{key}**", "", ".. math::", "", _indent(_equation(value)), ""]
    lines += [
        _heading("Source", "-"),
        f"Run it with ``python -m symgrad.paper.{name}`` or ``symgrad reproduce --only {name}``.",
        "",
        f".. literalinclude:: ../../derivations/{name}.py",
        "   :language: python",
        "",
    ]
    return "\n".join(lines)


def index_page(entries):
    """The gallery's index: a thumbnail and a link per derivation."""
    lines = [
        ".. _gallery:",
        "",
        _heading("Gallery of the derivations", "="),
        "Each page below is generated when the documentation is built: the module in",
        "``derivations/`` is run, its figure drawn, its checks evaluated and its closed",
        "forms typeset.  ``symgrad reproduce`` writes the same figures and equations",
        "into a folder of your choice.",
        "",
        ".. toctree::",
        "   :hidden:",
        "",
    ]
    lines += [f"   {name}" for name, _, _ in entries]
    lines.append("")
    for name, title, stem in entries:
        lines += [
            _heading(title, "-"),
            f".. image:: images/{stem}.png",
            "   :width: 60%",
            f"   :target: {name}.html",
            f"   :alt: {title}",
            "",
            f":ref:`gallery-{name}`",
            "",
        ]
    return "\n".join(lines)


def generate(srcdir, modules=None):
    """Run the derivations and write the gallery into ``srcdir/gallery``; return failures."""
    import matplotlib.pyplot as plt

    from symgrad.paper import run

    package = importlib.import_module("symgrad.paper")
    out = pathlib.Path(srcdir) / "gallery"
    entries, failures = [], []
    for name in modules or package.MODULES:
        _LOG.info(f"gallery: {name}")
        module, title, stem, results, checks, figure, notes = run(name)
        failures += [f"{name}: {s}" for s, ok in checks.items() if not ok]
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
        plt.close(figure)
        _write_if_changed(out / "images" / f"{stem}.png", buffer.getvalue())
        text = page(name, title, stem, module, results, checks, notes)
        _write_if_changed(out / f"{name}.rst", text.encode())
        entries.append((name, title, stem))
    _write_if_changed(out / "index.rst", index_page(entries).encode())
    return failures


def _builder_inited(app):
    if os.environ.get("SYMGRAD_DOCS_REUSE_GALLERY") and (pathlib.Path(app.srcdir) / "gallery" / "index.rst").exists():
        _LOG.info("gallery: reusing the pages of the last build (SYMGRAD_DOCS_REUSE_GALLERY)")
        return
    failures = generate(app.srcdir)
    if failures:
        raise ExtensionError("derivation checks failed: " + "; ".join(failures))


def setup(app):
    """Register the gallery generator with Sphinx (the extension's entry point)."""
    app.connect("builder-inited", _builder_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
