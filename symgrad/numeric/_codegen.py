"""Printing for the exporters: identifiers, common subexpressions, printers and safe text.

The helpers :mod:`symgrad.numeric.export` writes its sources with: identifiers
derived from symbols' names that avoid the target language's reserved words,
deterministic common-subexpression elimination, printers whose refusals become
:class:`~symgrad.UnsupportedExpressionError` (a C printer writing ``Piecewise``
as one expression), and text made safe for comments and docstrings.
"""

import keyword
import re

import sympy as sp
from sympy.printing.c import C99CodePrinter, get_math_macros
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import JaxPrinter, NumPyPrinter

from ..errors import UnsupportedExpressionError
from ._kernels import SPECIAL

# -- identifiers and printing -----------------------------------------------------------------------------

C_RESERVED = frozenset(
    C99CodePrinter().reserved_words
    | {"_Bool", "_Complex", "_Imaginary", "NULL", "errno", "math_errhandling", "INFINITY", "NAN"}
    | {
        # functions and macros of math.h the printer may call
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil", "copysign",
        "cos", "cosh", "erf", "erfc", "exp", "exp2", "expm1", "fabs", "fdim", "floor", "fma",
        "fmax", "fmin", "fmod", "frexp", "gamma", "hypot", "ilogb", "j0", "j1", "jn", "ldexp",
        "lgamma", "llrint", "llround", "log", "log10", "log1p", "log2", "logb", "lrint",
        "lround", "modf", "nan", "nearbyint", "nextafter", "pow", "remainder", "remquo",
        "rint", "round", "scalbln", "scalbn", "sin", "sinh", "sqrt", "tan", "tanh", "tgamma",
        "trunc", "y0", "y1", "yn", "HUGE_VAL",
    }
    | set(get_math_macros().values())
)  # fmt: skip

# the names the body of the generated Python function refers to (abs: how both printers write Abs)
PY_RESERVED = frozenset(keyword.kwlist) | {"numpy", "jax", "scipy", "ValueError", "float", "abs"}


class CPrinter(C99CodePrinter):
    """The C99 printer, writing a ``Piecewise`` as one conditional expression.

    ``C99CodePrinter`` writes it over several lines and refuses one without an
    ``(expr, True)`` branch; here it is one nested ``?:`` expression, ``NAN``
    where no condition holds (sympy's value there, and numpy's and jax's).
    """

    def _print_Piecewise(self, expr):
        pairs = list(expr.args)
        text = f"({self._print(pairs.pop().expr)})" if pairs[-1].cond is sp.true else "NAN"
        for e, c in reversed(pairs):
            text = f"(({self._print(c)}) ? ({self._print(e)}) : {text})"
        return text


def _print_special(self, expr):
    """A special function of :data:`~symgrad.numeric._kernels.SPECIAL`, called by its qualified name."""
    kind, args = type(expr), list(expr.args)
    name = SPECIAL[self.target][kind]
    if kind is sp.polygamma and args[0] == 0:
        name, args = "digamma", args[1:]
    elif kind is sp.trigamma:
        args = [sp.Integer(1)] + args
    elif kind is sp.besseli and self.target == "jax":  # checked: order 0 or 1
        name, args = f"i{args[0]}", args[1:]
    return f"{self._module_format(self.special_module + '.' + name)}({', '.join(map(self._print, args))})"


class PythonPrinter(NumPyPrinter):
    """The numpy printer, with the special functions of ``scipy.special`` (by their qualified names)."""

    target, special_module = "python", "scipy.special"


class JaxSpecialPrinter(JaxPrinter):
    """The jax.numpy printer, with the special functions of ``jax.scipy.special`` (by their qualified names)."""

    target, special_module = "jax", "jax.scipy.special"


for _printer in (PythonPrinter, JaxSpecialPrinter):
    for _kind in SPECIAL[_printer.target]:
        setattr(_printer, f"_print_{_kind.__name__}", _print_special)


def imports(printer, module):
    """The modules the printed code imports: ``module``, and the printer's special functions' if used."""
    special = getattr(printer, "special_module", None)
    return [module] + ([special] if special in printer.module_imports else [])


def identifier(name, taken):
    """A valid, unused identifier derived from a symbol's name."""
    ident = re.sub(r"\W", "_", re.sub(r"[{}\\]", "", name), flags=re.ASCII)
    if not ident or ident[0].isdigit():
        ident = "s_" + ident
    while ident in taken:
        ident += "_"
    return ident


def names(export, reserved, argument):
    """Identifiers for the parameters, the positional argument and the coordinates.

    Parameters keep their names where possible (they are the generated
    function's keyword arguments); the positional argument is ``argument``
    unless a parameter takes it (``None``: no such argument); coordinates,
    being locals, give way.
    """
    taken = set(reserved)
    params = {}
    for s in export.parameters:
        params[s] = identifier(s.name, taken)
        taken.add(params[s])
    arg = None
    if argument is not None:
        arg = identifier(argument, taken)
        taken.add(arg)
    coords = {}
    for c in export.coords:
        coords[c] = identifier(c.name, taken)
        taken.add(coords[c])
    return params, arg, coords, taken


def renamed(exprs, mapping):
    """``exprs`` with every symbol replaced by one named after its identifier."""
    subs = {s: sp.Symbol(name, **s.assumptions0) for s, name in mapping.items() if s.name != name}
    return [e.xreplace(subs) for e in exprs] if subs else list(exprs)


def temporaries(taken):
    """The names ``_t0, _t1, ...`` of common subexpressions, skipping taken ones."""
    i = 0
    while True:
        name = f"_t{i}"
        i += 1
        if name not in taken:
            yield sp.Symbol(name)


def print_all(printer, exprs, caller, allowed_modules=None):
    """Print expressions with ``printer``, turning its refusals into symgrad errors."""
    try:
        out = [printer.doprint(e) for e in exprs]
    except PrintMethodNotImplementedError as err:
        raise UnsupportedExpressionError(
            f"{caller}: the flow uses a function the {type(printer).__name__} cannot write: "
            f"{str(err).splitlines()[0]}; substitute it with params or export another chart"
        ) from None
    if allowed_modules is not None:
        # jax.numpy itself is recorded as the name numpy of the module jax
        extra = sorted(
            f"{m}.{f}"
            for m, names in printer.module_imports.items()
            for f in names
            if m not in allowed_modules and f"{m}.{f}" not in allowed_modules
        )
        if extra:
            used = ", ".join(extra)
            raise UnsupportedExpressionError(
                f"{caller}: the flow uses {used}, which {' and '.join(allowed_modules)} "
                "does not provide (element-wise); the generated module would not be vectorised"
            )
    for text in out:
        if "\n" in text:  # pragma: no cover - printers fall back to statements on odd input
            raise UnsupportedExpressionError(f"{caller}: an expression does not print as one expression: {text!r}")
    return out


def cse(exprs, taken):
    """Common subexpressions and reduced expressions (deterministic, canonical order)."""
    return sp.cse(exprs, symbols=temporaries(taken), order="canonical")


def safe_text(text, forbidden):
    """Text for a comment or docstring: ``forbidden`` sequences broken up."""
    for seq, repl in forbidden:
        text = text.replace(seq, repl)
    return text


def indexed(latex_name, index):
    """``latex_name`` with the subscript ``index``, joined to a subscript it has (``m_{1}`` -> ``m_{1,k}``)."""
    if re.fullmatch(r"\\?[A-Za-z]+", latex_name):
        return f"{latex_name}_{{{index}}}"
    sub = re.fullmatch(r"(\\?[A-Za-z]+)_\{([^{}]*)\}", latex_name)
    if sub:
        return f"{sub[1]}_{{{sub[2]},{index}}}"
    return f"{{{latex_name}}}_{{{index}}}"


DOC_FORBIDDEN = [("\\", "\\\\"), ('"""', '\\"\\"\\"')]
C_FORBIDDEN = [("*/", "* /"), ("/*", "/ *")]


def c_preamble(export, name, printed, intro, out_note=""):
    """The lines that open a C export: the comment, ``math.h`` and the math macros it uses.

    ``export`` is the exporter's view of the flow (``header()``, ``coords``,
    ``parameters``), ``printed`` the C text of its expressions, ``intro`` the
    comment lines that describe the rule and ``out_note`` a note on ``out``.
    """
    macro_values = {v: k for k, v in get_math_macros().items()}
    # identifiers renamed away from a macro (M_PI -> M_PI_) look like macros too: keep the real ones
    found = set(re.findall(r"\bM_[A-Z0-9_]+\b", "\n".join(printed)))
    used_macros = sorted(m for m in found if m in macro_values)
    names = ", ".join(c.name for c in export.coords)
    comment = [export.header(), "", *intro, "", f"void {name}(const double *x, const double *p, double *out)"]
    comment.append("  x   : the point, " + ", ".join(f"x[{i}] = {c.name}" for i, c in enumerate(export.coords)))
    if export.parameters:
        comment.append(
            "  p   : the parameters, " + ", ".join(f"p[{i}] = {s.name}" for i, s in enumerate(export.parameters))
        )
    else:
        comment.append("  p   : unused (no free parameters); may be NULL")
    comment.append(f"  out : d({names})/dt, {len(export.coords)} values; may be x{out_note}")
    lines = ["/* " + safe_text(comment[0], C_FORBIDDEN)]
    lines += [(" * " + safe_text(line, C_FORBIDDEN)).rstrip() for line in comment[1:]]
    lines += [" */", "", "#include <math.h>", ""]
    for m in used_macros:
        lines += [f"#ifndef {m}", f"#define {m} {sp.N(macro_values[m], 21)}", "#endif"]
    if used_macros:
        lines.append("")
    return lines


def python_module(export, rule, printer, module, params, signature, doc, body):
    """The source of a generated Python module: its docstring, imports, names and ``flow``.

    ``rule`` holds the docstring's lines that state the rule, ``params`` maps
    each parameter to its name in the code, and ``doc`` and ``body`` are the
    lines of ``flow``'s docstring and body.
    """
    module_doc = [export.header(), "", *rule]
    if export.parameters:
        module_doc += ["", "Parameters: " + ", ".join(p.name for p in export.parameters) + "."]
    lines = ['"""' + safe_text("\n".join(module_doc), DOC_FORBIDDEN) + '\n"""', ""]
    lines += [f"import {m}" for m in imports(printer, module)] + [""]
    lines.append(f"COORDINATES = {tuple(c.name for c in export.coords)!r}")
    lines.append(f"PARAMETERS = {tuple(params[p] for p in export.parameters)!r}")
    lines += ["", "", f"def flow({signature}):"]
    lines.append(
        '    """' + safe_text("\n".join(doc), DOC_FORBIDDEN).replace("\n", "\n    ").replace("\n    \n", "\n\n")
    )
    lines.append('    """')
    lines += ["    " + b for b in body]
    return "\n".join(lines) + "\n"


def python_flow_head(export, arg, params, coords, module, functional, summary, exprs):
    """The signature of a generated ``flow``, its docstring to the Returns section, and its first lines.

    The body turns ``arg`` into a float array of shape ``(..., dim)`` (refusing
    other shapes) and binds each coordinate that ``exprs`` use.
    """
    dim = len(export.coords)
    coord_names = ", ".join(c.name for c in export.coords)
    signature = ", ".join([arg, "*"] + [params[p] for p in export.parameters]) if params else arg
    doc = [summary, "", "Parameters", "----------", f"{arg} : array_like, shape (..., {dim})"]
    doc.append(f"    Points ({coord_names}) of chart {export.chart.name!r}.")
    for p in export.parameters:
        doc += [f"{params[p]} : float or array broadcastable to {arg}.shape[:-1]", f"    The parameter {p.name}."]
    doc += ["", "Returns", "-------", f"array, shape (..., {dim})"]
    body = [f"{arg} = {module}.asarray({arg})"]
    if functional:
        body.append(f"if not {module}.issubdtype({arg}.dtype, {module}.inexact):")
        body.append(f"    {arg} = {arg}.astype(float)")
    else:
        body.append(f"{arg} = {arg}.astype({module}.result_type({arg}.dtype, float), copy=False)")
    body += [
        f"if {arg}.ndim == 0 or {arg}.shape[-1] != {dim}:",
        f'    raise ValueError(f"{arg} must have shape (..., {dim}), got {{{arg}.shape}}")',
    ]
    used = set().union(*(e.free_symbols for e in exprs))
    body += [f"{coords[c]} = {arg}[..., {i}]" for i, c in enumerate(export.coords) if c in used]
    return signature, doc, body
