"""The package layout is the architecture: layers, no import cycles, small modules, packaging.

Dependencies point down: ``core <- information <- analysis <- io / cli``, with ``numeric``
beside ``information`` on top of ``core``, and the numeric leaf modules (the parameter
binder, the lambdify kernel and the ODE driver) usable from every layer because they
depend on nothing in symgrad but :mod:`symgrad.errors`.  These tests read the source with
:mod:`ast` and look at module-level imports only: an import inside a function (a lazy
import, such as ``GradientFlow.numeric`` importing ``NumericFlow``), under
``if TYPE_CHECKING:`` or under ``if __name__ == "__main__":`` does not run when the module
is imported and is not checked.
"""

import ast
import pathlib

import pytest

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "symgrad"
PAPER = ROOT / "derivations"  # installed as symgrad.paper
MAX_LINES = 600

#: The numeric modules that depend on nothing in symgrad but the errors (and each other).
NUMERIC_LEAVES = {
    "symgrad.numeric._kernels",
    "symgrad.numeric._params",
    "symgrad.numeric._arguments",
    "symgrad.numeric._ivp",
}

#: The top-level modules that re-export names under their documented module paths.
FACADES = {"symgrad.simplify", "symgrad.plotting", "symgrad.modelfile"}

LAYERS = ("errors", "budgets", "numeric-leaf", "core", "information", "numeric", "analysis", "io", "catalog", "facade")
LAYERS += ("cli", "api", "paper")

#: What each layer may import at module level (besides itself).
ALLOWED = {
    "errors": set(),
    "budgets": {"errors"},
    "numeric-leaf": {"errors", "budgets"},
    "core": {"errors", "budgets", "numeric-leaf"},
    "information": {"errors", "budgets", "numeric-leaf", "core"},
    "numeric": {"errors", "budgets", "numeric-leaf", "core"},
    "analysis": {"errors", "budgets", "numeric-leaf", "core", "information", "numeric"},
    "io": set(LAYERS) - {"cli"},
    "catalog": {"errors", "budgets", "numeric-leaf", "core", "information", "numeric", "analysis"},
    "facade": {"errors", "budgets", "numeric-leaf", "core", "information", "numeric", "analysis", "io"},
    "cli": set(LAYERS),
    "api": set(LAYERS) - {"cli", "paper"},
    "paper": set(LAYERS) - {"cli"},
}


def _module_name(path):
    """The dotted name a source file is imported under (``derivations/`` is ``symgrad.paper``)."""
    if path.is_relative_to(PAPER):
        parts = ["symgrad", "paper", *path.relative_to(PAPER).with_suffix("").parts]
    else:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources():
    """``{module name: path}`` of every module of symgrad and of the paper's derivations."""
    paths = [p for folder in (PACKAGE, PAPER) for p in sorted(folder.rglob("*.py"))]
    return {_module_name(p): p for p in paths if "__pycache__" not in p.parts}


SOURCES = _sources()


def _is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_main(test):
    """``__name__ == "__main__"``: the block runs only when the module is run as a script."""
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _module_level_imports(tree):
    """The Import and ImportFrom nodes that run when the module is imported."""
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            skip_body = _is_type_checking(node.test) or _is_main(node.test)
            todo += node.orelse if skip_body else node.body + node.orelse
        elif isinstance(node, ast.Try):
            todo += node.body + node.orelse + node.finalbody
            todo += [stmt for handler in node.handlers for stmt in handler.body]
        elif isinstance(node, ast.With):
            todo += node.body
        # function and class bodies run later, when called: lazy imports are allowed


def _targets(name, path):
    """The symgrad modules that ``name`` imports at module level, as written."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    out = set()
    for node in _module_level_imports(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
            continue
        if node.level:
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1])
            base = f"{base}.{node.module}" if node.module else base
        else:
            base = node.module
        for alias in node.names:
            # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod
            out.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in SOURCES else base)
    return {t for t in out if t == "symgrad" or t.startswith("symgrad.")}


def _packages_on_the_way(importer, target):
    """The packages Python initialises to import ``target``: not the root, not the importer's own."""
    parts = target.split(".")
    parents = {".".join(parts[:i]) for i in range(2, len(parts))}
    return {p for p in parents if p in SOURCES and not (importer == p or importer.startswith(p + "."))}


IMPORTS = {name: _targets(name, path) for name, path in SOURCES.items()}


def _layer(name):
    if name == "symgrad":
        return "api"
    if name in NUMERIC_LEAVES:
        return "numeric-leaf"
    if name in FACADES:
        return "facade"
    parts = name.split(".")
    first = parts[1]
    return {"errors": "errors", "budgets": "budgets", "catalog": "catalog", "cli": "cli", "paper": "paper"}.get(
        first, first
    )


def test_every_module_belongs_to_a_layer():
    unknown = sorted(name for name in SOURCES if _layer(name) not in LAYERS)
    assert not unknown, f"modules outside the layers of tests/test_layout.py: {unknown}"


def test_numeric_leaf_modules_exist():
    assert NUMERIC_LEAVES <= set(SOURCES), sorted(NUMERIC_LEAVES - set(SOURCES))


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_module_level_imports_follow_the_layers(name):
    layer = _layer(name)
    wrong = sorted(t for t in IMPORTS[name] if _layer(t) != layer and _layer(t) not in ALLOWED[layer])
    assert not wrong, (
        f"{name} ({layer}) imports {wrong} at module level; {layer} may import only "
        f"{sorted(ALLOWED[layer] | {layer})} (import inside the function that needs it, or move the code down)"
    )


def _cycle(graph):
    """One import cycle of ``graph`` as a list of modules, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_module_level_import_graph_has_no_cycle():
    graph = {
        name: {t for t in targets if t != name} | set().union(*[_packages_on_the_way(name, t) for t in targets])
        for name, targets in IMPORTS.items()
    }
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_module_is_longer_than_the_limit():
    long = {
        str(path.relative_to(ROOT)): n
        for path in SOURCES.values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them where the code asks for it): {long}"


def _setuptools():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _package_folder(package, package_dir):
    """The folder of ``package`` under setuptools' ``package-dir`` mapping."""
    parts = package.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        if prefix in package_dir:
            return ROOT / package_dir[prefix] / pathlib.Path(*parts[i:])
    return ROOT / pathlib.Path(*parts)


def test_every_package_folder_is_declared_for_installation():
    declared = set(_setuptools()["packages"])
    found = {_module_name(init) for init in PACKAGE.rglob("__init__.py") if "__pycache__" not in init.parts}
    found |= {_module_name(init) for init in PAPER.rglob("__init__.py") if "__pycache__" not in init.parts}
    missing = sorted(found - declared)
    assert not missing, f"packages not in pyproject.toml [tool.setuptools] packages: {missing}"


def test_every_declared_package_has_a_folder():
    setuptools = _setuptools()
    package_dir = setuptools.get("package-dir", {})
    missing = [p for p in setuptools["packages"] if not _package_folder(p, package_dir).is_dir()]
    assert not missing, f"declared packages without a folder: {missing}"


def test_no_top_level_derivations_package_is_installed():
    setuptools = _setuptools()
    packages = setuptools["packages"]
    assert all(p == "symgrad" or p.startswith("symgrad.") for p in packages), packages
    assert "symgrad.paper" in packages
    package_dir = setuptools.get("package-dir", {})
    assert "" not in package_dir and "derivations" not in package_dir
    assert package_dir.get("symgrad.paper") == "derivations"
