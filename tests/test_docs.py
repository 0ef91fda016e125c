"""The documentation covers every public name, and its gallery generator writes valid pages.

The pages' own examples are doctests, run by pytest from ``docs/`` (``--doctest-glob=*.rst``);
CI also builds the site with ``sphinx-build -W``.
"""

import importlib
import pathlib
import re
import sys
import types

import pytest
import sympy as sp

import symgrad

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"
MODULES = [
    "analysis",
    "catalog",
    "errors",
    "modelfile",
    "plotting",
    "simplify",
    "cli",
    "core",
    "core.tensors",
    "information",
    "numeric",
    "io",
]


def _documented():
    """Names listed in the API reference's autosummary tables, with their module prefixes."""
    names, module = set(), "symgrad"
    for line in (DOCS / "api" / "index.rst").read_text().splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::")[1].strip()
        elif re.fullmatch(r"   [A-Za-z_][\w.]*", line):
            names.add(f"{module}.{line.strip()}")
    return names


def _gallery():
    pytest.importorskip("sphinx", reason="the gallery generator is a Sphinx extension: pip install -e '.[docs]'")
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        return importlib.import_module("gallery")
    finally:
        sys.path.remove(str(DOCS / "_ext"))


def test_every_public_name_of_the_package_is_in_the_api_reference():
    documented = _documented()
    errors = set(importlib.import_module("symgrad.errors").__all__)
    missing = [
        name
        for name in symgrad.__all__
        if f"symgrad.{name}" not in documented and name not in errors and name != "catalog"
    ]
    assert not missing, f"not in docs/api/index.rst: {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_of_each_module_is_documented(module):
    mod = importlib.import_module(f"symgrad.{module}")
    documented = _documented()
    text = (DOCS / "api" / "errors.rst").read_text() + (DOCS / "api" / "cli.rst").read_text()
    for name in mod.__all__:
        obj = getattr(mod, name)
        top = getattr(symgrad, name, None) is obj
        listed = f"{mod.__name__}.{name}" in documented or (top and f"symgrad.{name}" in documented)
        via_automodule = f".. automodule:: {mod.__name__}" in text and obj.__doc__
        via_autofunction = f".. autofunction:: {mod.__name__}.{name}" in text
        assert listed or via_automodule or via_autofunction, f"{mod.__name__}.{name} is not documented"


def test_api_reference_lists_no_name_that_does_not_exist():
    for dotted in _documented():
        module, _, name = dotted.rpartition(".")
        while module not in sys.modules and "." in module:
            module, _, prefix = module.rpartition(".")
            name = f"{prefix}.{name}"
        obj = importlib.import_module(module)
        for part in name.split("."):
            obj = getattr(obj, part)


def test_every_error_has_a_docstring_for_the_errors_page():
    errors = importlib.import_module("symgrad.errors")
    assert all(getattr(errors, name).__doc__ for name in errors.__all__)


def _fake_module():
    module = types.ModuleType("symgrad.paper.fake")
    module.__doc__ = "A fake derivation with :math:`x^2`."
    return module


def test_gallery_page_escapes_statements_and_typesets_every_result():
    gallery = _gallery()
    x = sp.Symbol("x")
    text = gallery.page(
        "fake",
        "A fake",
        "fig_fake",
        _fake_module(),
        {"flow": sp.Matrix([[x**2], [1 / x]]), "cost": x / 2},
        {"|x|^2 *decreases*": True, "a_b_ holds": False},
    )
    assert ".. _gallery-fake:" in text and ".. figure:: images/fig_fake.png" in text
    assert r"- passed: \|x\|^2 \*decreases\*" in text
    assert r"- **FAILED**: a\_b\_ holds" in text
    assert text.count(".. math::") == 2
    assert sp.latex(sp.Matrix([[x**2], [1 / x]])).replace("\n", " ") in text
    assert ".. literalinclude:: ../../derivations/fake.py" in text


def test_gallery_index_links_every_entry():
    gallery = _gallery()
    text = gallery.index_page([("a", "Title A", "fig_a"), ("b", "Title B", "fig_b")])
    assert "   a\n   b\n" in text
    assert ":ref:`gallery-a`" in text and "images/fig_b.png" in text


def test_gallery_writes_only_changed_files(tmp_path):
    gallery = _gallery()
    path = tmp_path / "sub" / "page.rst"
    assert gallery._write_if_changed(path, b"one")
    mtime = path.stat().st_mtime_ns
    assert not gallery._write_if_changed(path, b"one")
    assert path.stat().st_mtime_ns == mtime
    assert gallery._write_if_changed(path, b"two") and path.read_bytes() == b"two"
    assert [p.name for p in path.parent.iterdir()] == ["page.rst"]


def _command_lines():
    """Every ``symgrad ...`` command shown in a literal block of the pages or the README."""
    texts = [
        p.read_text() for p in DOCS.rglob("*.rst") if not p.relative_to(DOCS).parts[0].startswith(("_", "gallery"))
    ]
    texts.append((DOCS.parent / "README.md").read_text())
    return sorted(
        {m.strip() for text in texts for m in re.findall(r"^\s*(symgrad (?:reproduce|derive|check)\b.*)$", text, re.M)}
    )


def test_the_pages_show_commands_with_options_that_exist():
    from symgrad.cli import _parser

    commands = _command_lines()
    assert len(commands) >= 4, commands
    for line in commands:
        args = line.split()[1:]
        try:
            _parser().parse_args(args)
        except SystemExit:
            pytest.fail(f"the command shown in the docs does not parse: {line}")
