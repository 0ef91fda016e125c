r"""The exports of flows solved numerically: :math:`G(x)\, v = -\eta\, dC(x)` in LaTeX, numpy, JAX and C.

A :class:`~symgrad.GradientFlow` whose :attr:`~symgrad.GradientFlow.solve` is
``"numeric"`` has no closed form; :mod:`symgrad.numeric.export` hands it here
(its ``_Export`` holds :func:`export_entries`: the upper triangle of the
metric, the differential and the rate, parameters substituted).  The
generated code computes :math:`G` and :math:`dC` with their common
subexpressions shared and solves the system at each point:

- Python: ``numpy.linalg.solve``, and a ``ValueError`` naming the point where
  :math:`G` is singular;
- JAX: ``jax.numpy.linalg.solve`` (a pure function: NaN or inf where :math:`G` is singular);
- C99: a small in-place solve, Cholesky where :math:`G` is positive definite,
  Gaussian elimination with partial pivoting otherwise, ``NAN`` where it is singular;
- LaTeX: :math:`G`, :math:`dC` and the rule :math:`G(x)\, \dot x = -\eta\, dC(x)`,
  saying that the solve is numeric.
"""

from __future__ import annotations

import sympy as sp

from . import _codegen, _kernels

__all__ = ["export_entries", "latex_source", "python_source", "c_source"]

#: The C function's solve sentence, the same in the comment of every generated source.
_C_SOLVE_NOTE = "Cholesky where G is positive definite, else Gaussian elimination with partial pivoting"


def export_entries(flow, chart) -> list[sp.Expr]:
    """The upper triangle of the metric (row by row), the differential, then the rate: in ``chart``."""
    G = flow.metric.components(chart)
    n = G.rows
    return [G[i, j] for i in range(n) for j in range(i, n)] + list(flow.differential.components(chart)) + [flow.rate]


def _split(export):
    """``(G, dC, rate)`` of an export: a symmetric sympy Matrix, a list and an expression."""
    d = len(export.coords)
    m = d * (d + 1) // 2
    upper = iter(export.components[:m])
    G = sp.zeros(d, d)
    for i in range(d):
        for j in range(i, d):
            G[i, j] = G[j, i] = next(upper)
    return G, list(export.components[m : m + d]), export.components[-1]


def _rate_text(rate):
    """``-dC``, ``-eta dC`` or ``-(a + b) dC``: the right-hand side as comments show it."""
    if rate == 1:
        return "-dC"
    return f"-({sp.sstr(rate)}) dC" if isinstance(rate, sp.Add) else f"-{sp.sstr(rate)} dC"


def _rhs(dC, rate):
    """``-rate * dC``, entry by entry."""
    return [-rate * w for w in dC]


# -- LaTeX -----------------------------------------------------------------------------------


def latex_source(export, latex=sp.latex) -> str:
    r"""The metric, the differential and the rule :math:`G(x)\, \dot x = -\eta\, dC(x)`, as a LaTeX ``align``."""
    G, dC, rate = _split(export)
    x = ", ".join(latex(c) for c in export.coords)
    if rate == 1:
        eta = "-"
    else:
        text = latex(rate)
        eta = "-" + (rf"\left({text}\right)" if isinstance(rate, sp.Add) else text) + r"\,"
    lines = [
        rf"x &= \left({x}\right)",
        rf"G(x) &= {latex(G)}",
        rf"dC(x) &= {latex(sp.Matrix(dC))}",
        rf"G(x)\, \frac{{d x}}{{d t}} &= {eta} dC(x)",
        rf"x_{{k+1}} &= x_{{k}} + v_{{k}}, \quad G(x_{{k}})\, v_{{k}} = {eta} dC(x_{{k}})",
        rf"&\text{{($v = {eta} G(x)^{{-1}} dC(x)$ is solved numerically at each point)}}",
    ]
    return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}\n"


# -- Python (numpy) and JAX ------------------------------------------------------------------


def python_source(export, printer, module, caller, functional) -> str:
    """The module text of ``to_python`` (``functional=False``) and ``to_jax`` for a flow solved numerically."""
    G, dC, rate = _split(export)
    d = len(export.coords)
    upper = [G[i, j] for i in range(d) for j in range(i, d)]
    rhs = _rhs(dC, rate)
    _kernels.check_computable(upper + rhs, caller, "jax" if functional else "python")
    params, arg, coords, taken = _codegen.names(export, _codegen.PY_RESERVED | printer.reserved_words, "x")
    exprs = _codegen.renamed(upper + rhs, {**params, **coords})
    temps, reduced = _codegen.cse(exprs, taken)
    allowed = (module, printer.special_module)
    printed = _codegen.print_all(printer, [e for _, e in temps] + reduced, caller, allowed_modules=allowed)
    values = printed[len(temps) :]
    taken = taken | {t.name for t, _ in temps}
    entries, G_, b_ = (_codegen.identifier(n, taken) for n in ("entries", "G", "b"))
    index = _codegen.identifier("i", taken | {entries, G_, b_})

    coord_names = ", ".join(c.name for c in export.coords)
    eta = _rate_text(rate)
    summary = f"d({coord_names})/dt at the points {arg}: the solution v of G({arg}) v = {eta}({arg})."
    signature, doc, body = _codegen.python_flow_head(
        export, arg, params, coords, module, functional, summary, upper + rhs
    )
    if not functional:
        doc += ["", "Raises", "------", "ValueError", "    If G is singular at a point (the message names it)."]
    body += [f"{t} = {text}" for (t, _), text in zip(temps, printed[: len(temps)])]
    # every entry broadcast to the points' shape (constant entries too), then G (symmetric) and b = -eta dC
    body.append(f"{entries} = {module}.broadcast_arrays({arg}[..., 0], {', '.join(values)})[1:]")
    pairs = [(i, j) for i in range(d) for j in range(i, d)]
    slot = {**{p: k for k, p in enumerate(pairs)}, **{p[::-1]: k for k, p in enumerate(pairs)}}
    rows = [f"{module}.stack([{', '.join(f'{entries}[{slot[i, j]}]' for j in range(d))}], axis=-1)" for i in range(d)]
    body.append(f"{G_} = {module}.stack([")
    body += [f"    {r}," for r in rows]
    body.append("], axis=-2)")
    m = len(upper)
    body.append(f"{b_} = {module}.stack([{', '.join(f'{entries}[{m + i}]' for i in range(d))}], axis=-1)")
    solve = f"{module}.linalg.solve({G_}, {b_}[..., None])[..., 0]"
    if functional:
        body.append(f"return {solve}")
    else:
        at = f"{arg}[{index}].tolist()"
        body += [
            "try:",
            f"    return {solve}",
            f"except {module}.linalg.LinAlgError:",
            f"    for {index} in {module}.ndindex({G_}.shape[:-2]):",
            f"        if {module}.linalg.matrix_rank({G_}[{index}]) < {d}:",
            f'            raise ValueError(f"the metric G is singular at {arg} = {{{at}}}: '
            'the linear system of the flow has no unique solution there") from None',
            "    raise",
        ]

    rule = [f"Solved numerically at each point: G({arg}) v = {eta}({arg}), v = d{arg}/dt."]
    return _codegen.python_module(export, rule, printer, module, params, signature, doc, body)


# -- C ---------------------------------------------------------------------------------------


def _c_solver(fname, dim_macro):
    """The static C function ``int fname(double *A, double *b)``: ``A v = b`` in place, ``v`` in ``b``."""
    return f"""/* A v = b for the {dim_macro} x {dim_macro} matrix A (row-major; overwritten), v written into b:
 * {_C_SOLVE_NOTE}.  Returns 0, or -1 where A is singular (b is then NAN). */
static int {fname}(double *A, double *b)
{{
    const int n = {dim_macro};
    double L[{dim_macro} * {dim_macro}];
    int i, j, k, spd = 1;
    for (i = 0; i < n && spd; i++) {{
        for (j = 0; j <= i; j++) {{
            double s = A[i * n + j];
            for (k = 0; k < j; k++) {{
                s -= L[i * n + k] * L[j * n + k];
            }}
            if (i == j) {{
                if (!(s > 0.0)) {{
                    spd = 0;
                    break;
                }}
                L[i * n + i] = sqrt(s);
            }} else {{
                L[i * n + j] = s / L[j * n + j];
            }}
        }}
    }}
    if (spd) {{
        for (i = 0; i < n; i++) {{
            double s = b[i];
            for (k = 0; k < i; k++) {{
                s -= L[i * n + k] * b[k];
            }}
            b[i] = s / L[i * n + i];
        }}
        for (i = n - 1; i >= 0; i--) {{
            double s = b[i];
            for (k = i + 1; k < n; k++) {{
                s -= L[k * n + i] * b[k];
            }}
            b[i] = s / L[i * n + i];
        }}
        return 0;
    }}
    double scale = 0.0;
    for (i = 0; i < n * n; i++) {{
        if (fabs(A[i]) > scale) {{
            scale = fabs(A[i]);
        }}
    }}
    for (k = 0; k < n; k++) {{
        int p = k;
        for (i = k + 1; i < n; i++) {{
            if (fabs(A[i * n + k]) > fabs(A[p * n + k])) {{
                p = i;
            }}
        }}
        if (!(fabs(A[p * n + k]) > n * 2.220446049250313e-16 * scale)) {{
            for (i = 0; i < n; i++) {{
                b[i] = NAN;
            }}
            return -1;
        }}
        if (p != k) {{
            for (j = 0; j < n; j++) {{
                double t = A[k * n + j];
                A[k * n + j] = A[p * n + j];
                A[p * n + j] = t;
            }}
            double t = b[k];
            b[k] = b[p];
            b[p] = t;
        }}
        for (i = k + 1; i < n; i++) {{
            double f = A[i * n + k] / A[k * n + k];
            for (j = k; j < n; j++) {{
                A[i * n + j] -= f * A[k * n + j];
            }}
            b[i] -= f * b[k];
        }}
    }}
    for (i = n - 1; i >= 0; i--) {{
        double s = b[i];
        for (j = i + 1; j < n; j++) {{
            s -= A[i * n + j] * b[j];
        }}
        b[i] = s / A[i * n + i];
    }}
    return 0;
}}
"""


def c_source(export, name: str) -> str:
    """The C99 source of ``to_c`` for a flow solved numerically (``name`` is checked by the caller)."""
    G, dC, rate = _split(export)
    d = len(export.coords)
    upper = [G[i, j] for i in range(d) for j in range(i, d)]
    rhs = _rhs(dC, rate)
    _kernels.check_computable(upper + rhs, "to_c", "c")
    printer = _codegen.CPrinter()
    macro = name.upper()
    solver = f"{name}_solve"
    fixed = {"x", "p", "out", name, solver, f"{macro}_DIM", f"{macro}_NPARAMS"}
    params_, _, coords, taken = _codegen.names(export, _codegen.C_RESERVED | fixed, None)
    exprs = _codegen.renamed(upper + rhs, {**params_, **coords})
    temps, reduced = _codegen.cse(exprs, taken)
    printed = _codegen.print_all(printer, [e for _, e in temps] + reduced, "to_c")
    values = printed[len(temps) :]
    taken = taken | {t.name for t, _ in temps}
    G_ = _codegen.identifier("G", taken)
    b_ = _codegen.identifier("b", taken | {G_})

    npar = len(export.parameters)
    names = ", ".join(c.name for c in export.coords)
    eta = _rate_text(rate)
    intro = [f"  Solved numerically at each point: G(x) v = {eta}(x), v = d({names})/dt", f"  ({_C_SOLVE_NOTE})."]
    lines = _codegen.c_preamble(export, name, printed, intro, "; NAN where G is singular")
    lines += [f"#define {macro}_DIM {d}", f"#define {macro}_NPARAMS {npar}", ""]
    lines += [_c_solver(solver, f"{macro}_DIM"), f"void {name}(const double *x, const double *p, double *out)", "{"]
    used = set().union(*(e.free_symbols for e in upper + rhs))
    lines += [f"    const double {coords[c]} = x[{i}];" for i, c in enumerate(export.coords) if c in used]
    lines += [f"    const double {params_[s]} = p[{i}];" for i, s in enumerate(export.parameters)]
    if not npar:
        lines.append("    (void)p;")
    lines += [f"    const double {t} = {text};" for (t, _), text in zip(temps, printed[: len(temps)])]
    lines += [f"    double {G_}[{macro}_DIM * {macro}_DIM];", f"    double {b_}[{macro}_DIM];"]
    k = 0
    for i in range(d):
        for j in range(i, d):
            target = f"{G_}[{i * d + j}]" + (f" = {G_}[{j * d + i}]" if i != j else "")
            lines.append(f"    {target} = {values[k]};")
            k += 1
    lines += [f"    {b_}[{i}] = {values[k + i]};" for i in range(d)]
    lines.append(f"    (void){solver}({G_}, {b_});")
    lines += [f"    out[{i}] = {b_}[{i}];" for i in range(d)]
    lines.append("}")
    return "\n".join(lines) + "\n"
