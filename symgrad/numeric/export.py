r"""Export a gradient flow: LaTeX, Python/numpy source, C source and JAX source.

Each exporter takes a :class:`~symgrad.GradientFlow` (or any
:class:`~symgrad.Vector`, read as :math:`dx/dt`), the chart to write it in,
and optionally numeric values for some of its parameters::

    to_latex(flow, chart, params=None)    # the ODEs and the discrete update rule
    to_python(flow, chart, params=None)   # a numpy-only module with flow(x, *, params)
    to_c(flow, chart, params=None)        # C99: void flow(const double *x, const double *p, double *out)
    to_jax(flow, chart, params=None)      # a jax.numpy module, jit- and vmap-able

``params`` maps parameters (sympy Symbols, or their names) to numbers, which
are substituted exactly before export (a float prints back as the same float);
a key that is no parameter of the flow is refused, with an
:class:`~symgrad.ExportParameterError` that is also an
:class:`~symgrad.UnknownParameterError`.  The parameters left free become
arguments of the generated function (keyword-only arguments in Python and JAX,
the array ``p`` in C), in the order of their names.  Generated source is deterministic (the same flow gives
the same text, run after run), has its common subexpressions eliminated
(:func:`sympy.cse`), and never calls ``eval`` or ``exec``.

Examples
--------
>>> import symgrad as sg
>>> one = sg.catalog.one_dimensional()
>>> flow = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)
>>> print(sg.to_latex(flow, one.X))
\begin{align}
\frac{d x}{d t} &= 2 \eta \left(1 - x\right) \\
x_{k+1} &= x_{k} + 2 \eta \left(1 - x_{k}\right)
\end{align}
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy as sp

from ..core._latex import latex, step_index
from ..core.chart import Chart
from ..core.gradient import GradientFlow
from ..core.tensors import Vector
from ..errors import (
    ArgumentTypeError,
    ExportError,
    ExportParameterError,
    ManifoldMismatchError,
    NotAChartError,
    NotAFlowError,
    NumericParameterError,
    ParameterValueError,
    UnknownParameterError,
)
from . import _codegen, _kernels, _params, _solve_export

__all__ = ["to_latex", "to_python", "to_c", "to_jax"]


# -- the errors of an export's params: the binder's, and ExportParameterError too ------------


class ExportUnknownParameterError(UnknownParameterError, ExportParameterError):
    """A key of an export's ``params`` is no parameter of the flow."""


class ExportParameterValueError(ParameterValueError, ExportParameterError):
    """A value of an export's ``params`` is not a finite real number in its parameter's range."""


class ExportParameterTypeError(ArgumentTypeError, ExportParameterError):
    """An export's ``params`` is not a mapping, or has a key that is neither a Symbol nor a name."""


class ExportAmbiguousParameterError(NumericParameterError, ExportParameterError):
    """An export's ``params`` names a parameter that several symbols share, or gives one twice."""


_ERRORS = {
    UnknownParameterError: ExportUnknownParameterError,
    ParameterValueError: ExportParameterValueError,
    ArgumentTypeError: ExportParameterTypeError,
    NumericParameterError: ExportAmbiguousParameterError,
}


# -- the flow to export: checked, parameters substituted -----------------------------------


class _Export:
    """A flow's components in one chart, parameters substituted, ready to print.

    Attributes
    ----------
    chart : Chart
    coords : tuple of sympy.Symbol
    components : list of sympy.Expr
    parameters : list of sympy.Symbol
        The free parameters, sorted by name.
    """

    def __init__(self, flow, chart, params, caller):
        if not isinstance(flow, Vector):
            raise NotAFlowError(
                f"{caller} exports a GradientFlow or a Vector (a field dx/dt), got {type(flow).__name__}"
            )
        if not isinstance(chart, Chart):
            raise NotAChartError(
                f"{caller} needs the Chart to write the flow in, got {type(chart).__name__}; "
                f"pass a chart of {flow.manifold.name!r}, e.g. flow.chart"
            )
        if chart.manifold is not flow.manifold:
            raise ManifoldMismatchError(
                f"{caller}: chart {chart.name!r} belongs to manifold {chart.manifold.name!r}, "
                f"but the flow lives on {flow.manifold.name!r}; pass one of its charts "
                f"({', '.join(repr(c.name) for c in flow.manifold.charts)})"
            )
        gradient = isinstance(flow, GradientFlow)
        self.kind = "Gradient flow" if gradient else "Vector field"
        self.system = gradient and flow.solve == "numeric"  # then: G's upper triangle, dC and the rate
        exprs = _solve_export.export_entries(flow, chart) if self.system else flow.components(chart)
        comps = [sp.sympify(e) for e in exprs]
        # a gradient flow's parameters include those of its rate, metric and cost (eta where the flow is 0)
        known = _params.symbols(
            comps,
            *((flow.rate, flow.metric.components(chart), flow.cost.components(chart)) if gradient else ()),
            exclude=chart.coords,
        )
        subs = _params.bind(
            params,
            known,
            of=f"the flow, its metric or its cost in chart {chart.name!r}",
            coordinates=flow.manifold.coordinates,
            caller=caller,
            errors=_ERRORS,
        )
        self.chart = chart
        self.coords = tuple(chart.coords)
        self.components = [e.xreplace(subs) for e in comps] if subs else comps
        free = set().union(*(e.free_symbols for e in self.components)) - set(self.coords)
        self.parameters = sorted(free, key=lambda s: (s.name, sp.default_sort_key(s)))
        for a, b in zip(self.parameters, self.parameters[1:]):
            if a.name == b.name:
                raise ExportParameterError(
                    f"{caller}: the flow has two different parameters named {a.name!r} "
                    f"(assumptions {_params.assumptions_given(a)} and {_params.assumptions_given(b)}); "
                    "the generated code could not tell them apart: build the model with one Symbol per parameter, "
                    "or substitute one of them with params={...}"
                )

    def header(self):
        """One line saying what was exported."""
        coords = "(" + ", ".join(c.name for c in self.coords) + ")"
        chart = repr(self.chart.name) + ("" if self.chart.name == coords else " " + coords)
        return f"{self.kind} on {self.chart.manifold.name!r} in chart {chart}, generated by symgrad."

    def ode_lines(self):
        """``d x/dt = rhs`` for each coordinate, in sympy's string form."""
        lhs = [f"d{c.name}/dt" for c in self.coords]
        width = max(map(len, lhs))
        return [f"{d.ljust(width)} = {sp.sstr(e)}" for d, e in zip(lhs, self.components)]


# -- LaTeX -----------------------------------------------------------------------------------


def to_latex(flow: GradientFlow | Vector, chart: Chart, params: Mapping | None = None) -> str:
    r"""The flow's ODEs and its discrete update rule, as a LaTeX ``align`` environment.

    One line :math:`\frac{d x^i}{d t} = v^i(x)` per coordinate, then one line
    :math:`x^i_{k+1} = x^i_k + v^i(x_k)` per coordinate: the explicit Euler
    step :math:`x \leftarrow x - \eta\, G^{-1} dC`, the flow's rate :math:`\eta`
    being the step size.  The step index is :math:`k`, or, if a symbol of the
    flow is named so, the first of :math:`n, t, j` that is free; a coordinate
    with a subscript (``m_1`` or ``m1``) is indexed as :math:`m_{1,k}`.  The
    functions of the gamma family print as :math:`\psi(x)` (digamma),
    :math:`\psi^{(n)}(x)` (polygamma) and :math:`\log\Gamma(x)`.  The text is deterministic (sympy's canonical term
    order), so it can be diffed and kept in golden files.

    Parameters
    ----------
    flow : GradientFlow or Vector
    chart : Chart
        A chart of the flow's manifold.
    params : dict {sympy.Symbol or str: number}, optional
        Values substituted for parameters first (e.g. ``{eta: 1}``).

    Returns
    -------
    str
        ``\begin{align} ... \end{align}`` and a final newline.

    Raises
    ------
    NotAFlowError, NotAChartError, ManifoldMismatchError, ExportParameterError

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian_kl()
    >>> flow = sg.GradientFlow(g.cost, g.fisher)
    >>> print(sg.to_latex(flow, g.variance))
    \begin{align}
    \frac{d \mu}{d t} &= 4 - \mu \\
    \frac{d s}{d t} &= \mu^{2} - 8 \mu - s + 20 \\
    \mu_{k+1} &= \mu_{k} + \left(4 - \mu_{k}\right) \\
    s_{k+1} &= s_{k} + \left(\mu_{k}^{2} - 8 \mu_{k} - s_{k} + 20\right)
    \end{align}
    """
    export = _Export(flow, chart, params, "to_latex")
    if export.system:  # no closed form: the system G v = -eta dC
        return _solve_export.latex_source(export, latex)
    names = {c: latex(c) for c in export.coords}
    taken = {s.name for e in export.components for s in e.free_symbols}
    index = step_index(taken | {c.name for c in export.coords})  # k, unless a symbol is named k
    now = {c: _codegen.indexed(names[c], index) for c in export.coords}
    lines = []
    for c, rhs in zip(export.coords, export.components):
        lines.append(rf"\frac{{d {names[c]}}}{{d t}} &= {latex(rhs)}")
    for c, rhs in zip(export.coords, export.components):
        text = latex(rhs, symbol_names=now)  # printed as it is: eta (4 - mu_k) stays one term
        if rhs == 0:
            update = now[c]
        elif rhs.is_Add:
            update = rf"{now[c]} + \left({text}\right)"
        elif text.startswith("-"):
            update = f"{now[c]} - {text[1:].lstrip()}"
        else:
            update = f"{now[c]} + {text}"
        lines.append(f"{_codegen.indexed(names[c], index + '+1')} &= {update}")
    return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}\n"


# -- Python (numpy) and JAX ------------------------------------------------------------------


def _python_source(export, printer, module, caller, functional):
    """The module text shared by :func:`to_python` (``functional=False``) and :func:`to_jax`."""
    if export.system:  # no closed form: G v = -eta dC solved at each point
        return _solve_export.python_source(export, printer, module, caller, functional)
    _kernels.check_computable(export.components, caller, "jax" if functional else "python")
    params, arg, coords, taken = _codegen.names(export, _codegen.PY_RESERVED | printer.reserved_words, "x")
    mapping = {**params, **coords}
    exprs = _codegen.renamed(export.components, mapping)
    temps, reduced = _codegen.cse(exprs, taken)
    allowed = (module, printer.special_module)
    printed = _codegen.print_all(printer, [e for _, e in temps] + reduced, caller, allowed_modules=allowed)
    temp_lines = [f"{t} = {text}" for (t, _), text in zip(temps, printed[: len(temps)])]
    values = printed[len(temps) :]

    summary = f"d({', '.join(c.name for c in export.coords)})/dt at the points {arg}."
    signature, doc, body = _codegen.python_flow_head(
        export, arg, params, coords, module, functional, summary, export.components
    )
    body += temp_lines
    if functional:
        if any(not (e.free_symbols & set(export.coords)) for e in export.components):
            zero = _codegen.identifier("zero", taken | {t.name for t, _ in temps})
            body.append(f"{zero} = {module}.zeros_like({arg}[..., 0])")
            values = [
                v if e.free_symbols & set(export.coords) else f"{zero} + ({v})"
                for e, v in zip(export.components, values)
            ]
        body.append(f"return {module}.stack([")
        body += [f"    {v}," for v in values]
        body.append("], axis=-1)")
    else:
        out = _codegen.identifier("out", taken | {t.name for t, _ in temps})
        body.append(f"{out} = {module}.empty({arg}.shape, dtype={arg}.dtype)")
        body += [f"{out}[..., {i}] = {v}" for i, v in enumerate(values)]
        body.append(f"return {out}")

    return _codegen.python_module(export, export.ode_lines(), printer, module, params, signature, doc, body)


def to_python(flow: GradientFlow | Vector, chart: Chart, params: Mapping | None = None) -> str:
    r"""Source of a standalone Python module computing the flow with numpy only.

    The module defines ``COORDINATES`` (the coordinate names, in order),
    ``PARAMETERS`` (the names of the free parameters) and::

        flow(x, *, <parameters>) -> array, shape (..., dim)

    for ``x`` of shape ``(..., dim)``: :math:`\dot x = -\eta\, G^{-1}(x)\, dC(x)`
    at every point.  The free parameters are keyword-only arguments (scalars
    or arrays broadcastable to ``x.shape[:-1]``).  Constant and zero
    components are broadcast to the shape of ``x``; common subexpressions are
    computed once.  The module imports nothing but numpy, and ``scipy.special``
    (by that qualified name) if the flow uses a special function: polygamma
    (``digamma`` for order 0), loggamma (``gammaln``), gamma, beta, erf, erfc
    and the Bessel functions (``jv``, ``yv``, ``iv``, ``kv``).

    Parameters
    ----------
    flow : GradientFlow or Vector
    chart : Chart
        A chart of the flow's manifold; ``x`` holds its coordinates.
    params : dict {sympy.Symbol or str: number}, optional
        Values substituted for parameters, which then are no arguments.

    Returns
    -------
    str
        The module's source: write it to a ``.py`` file and import it.

    Raises
    ------
    NotAFlowError, NotAChartError, ManifoldMismatchError, ExportParameterError
    UnsupportedExpressionError
        If the flow uses a function numpy and scipy.special do not provide, or what no generated code
        computes (an unevaluated integral, an undefined function, DiracDelta,
        nan or an infinity: see :func:`~symgrad.numeric._kernels.check_computable`).

    Examples
    --------
    >>> import symgrad as sg
    >>> one = sg.catalog.one_dimensional()
    >>> flow = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)
    >>> src = sg.to_python(flow, one.X)
    >>> print(*[line for line in src.splitlines() if line.startswith(("import", "COORD", "PARAM", "def"))], sep="\n")
    import numpy
    COORDINATES = ('x',)
    PARAMETERS = ('eta',)
    def flow(x, *, eta):
    >>> print(src.splitlines()[-2])
        out[..., 0] = 2*eta*(1 - x_)
    >>> code = compile(src, "flow.py", "exec")   # valid Python (compiled, not run)
    """
    export = _Export(flow, chart, params, "to_python")
    return _python_source(export, _codegen.PythonPrinter(), "numpy", "to_python", functional=False)


def to_jax(flow: GradientFlow | Vector, chart: Chart, params: Mapping | None = None) -> str:
    r"""Source of a Python module computing the flow with ``jax.numpy``.

    The same interface as :func:`to_python` (``COORDINATES``, ``PARAMETERS``,
    ``flow(x, *, <parameters>)`` for ``x`` of shape ``(..., dim)``), written as
    a pure function of ``x`` so that ``jax.jit``, ``jax.vmap`` and ``jax.grad``
    apply to it (keep the parameters static or close over them).  JAX computes
    in float32 unless ``jax_enable_x64`` is set.  Generating the source does not
    need JAX; running it does (``pip install symgrad[jax]``).

    Parameters
    ----------
    flow : GradientFlow or Vector
    chart : Chart
    params : dict {sympy.Symbol or str: number}, optional

    Returns
    -------
    str

    Raises
    ------
    NotAFlowError, NotAChartError, ManifoldMismatchError, ExportParameterError
    UnsupportedExpressionError
        If the flow uses a function ``jax.numpy`` and ``jax.scipy.special`` do not provide (of the
        special functions jax computes polygamma of integer order, loggamma, gamma, beta, erf,
        erfc and the Bessel functions I_0 and I_1), or what no generated code
        computes (an unevaluated integral, an undefined function, DiracDelta,
        nan or an infinity: see :func:`~symgrad.numeric._kernels.check_computable`).

    Examples
    --------
    >>> import symgrad as sg
    >>> g = sg.catalog.gaussian_kl()
    >>> src = sg.to_jax(sg.GradientFlow(g.cost, g.fisher), g.std)
    >>> print(*src.splitlines()[-4:], sep="\n")
        return jax.numpy.stack([
            4 - mu,
            (1/2)*(mu**2 - 8*mu - sigma**2 + 20)/sigma,
        ], axis=-1)
    """
    export = _Export(flow, chart, params, "to_jax")
    return _python_source(export, _codegen.JaxSpecialPrinter(), "jax.numpy", "to_jax", functional=True)


# -- C ---------------------------------------------------------------------------------------


def to_c(flow: GradientFlow | Vector, chart: Chart, params: Mapping | None = None, *, name: str = "flow") -> str:
    r"""C99 source of a function computing the flow at one point.

    The generated function is::

        void flow(const double *x, const double *p, double *out);

    with ``x`` the ``dim`` coordinates of the point (in chart order), ``p`` the
    free parameters (in the order of their names; may be ``NULL`` when there
    are none) and ``out`` the ``dim`` components of :math:`\dot x` (``out``
    may be ``x``: the inputs are read first).  The source comment lists the
    coordinates, the parameters and the ODEs; the macros ``FLOW_DIM`` and
    ``FLOW_NPARAMS`` (prefix after ``name``) give the sizes.  Only ``math.h``
    is included; compile with ``-lm``.

    Parameters
    ----------
    flow : GradientFlow or Vector
    chart : Chart
    params : dict {sympy.Symbol or str: number}, optional
        Values substituted for parameters, which then leave ``p``.
    name : str, default "flow"
        The C function's name, a C identifier.

    Returns
    -------
    str

    Raises
    ------
    NotAFlowError, NotAChartError, ManifoldMismatchError, ExportParameterError
    UnsupportedExpressionError
        If the flow uses a function C99's math library does not provide (of the special functions
        it has gamma, loggamma, beta through ``tgamma`` and ``lgamma``, erf and erfc; not polygamma,
        nor Bessel functions, whose POSIX ``jn``, ``yn`` are not C99), or what no generated code
        computes (an unevaluated integral, an undefined function, DiracDelta,
        nan or an infinity: see :func:`~symgrad.numeric._kernels.check_computable`).
    ExportError
        If ``name`` is not a usable C identifier.

    Examples
    --------
    >>> import symgrad as sg
    >>> one = sg.catalog.one_dimensional()
    >>> flow = sg.GradientFlow(one.cost, sg.euclidean(one.X), rate=one.eta)
    >>> src = sg.to_c(flow, one.X)
    >>> print(*[line for line in src.splitlines() if line.startswith(("#include", "void"))], sep="\n")
    #include <math.h>
    void flow(const double *x, const double *p, double *out)
    >>> print(*src.splitlines()[-5:], sep="\n")
    {
        const double x_ = x[0];
        const double eta = p[0];
        out[0] = 2*eta*(1 - x_);
    }
    """
    if (
        not isinstance(name, str)
        or not re.fullmatch(r"[A-Za-z_]\w*", name, flags=re.ASCII)
        or name in _codegen.C_RESERVED
    ):
        raise ExportError(f"to_c: name must be a C identifier (and no C keyword or math.h name), got {name!r}")
    export = _Export(flow, chart, params, "to_c")
    if export.system:  # no closed form: G v = -eta dC solved at each point
        return _solve_export.c_source(export, name)
    _kernels.check_computable(export.components, "to_c", "c")
    printer = _codegen.CPrinter()
    macro = name.upper()
    # the arguments are always x, p and out: parameters and coordinates, locals here, give way (to the macros too)
    fixed = {"x", "p", "out", name, f"{macro}_DIM", f"{macro}_NPARAMS"}
    params_, _, coords, taken = _codegen.names(export, _codegen.C_RESERVED | fixed, None)
    exprs = _codegen.renamed(export.components, {**params_, **coords})
    temps, reduced = _codegen.cse(exprs, taken)
    printed = _codegen.print_all(printer, [e for _, e in temps] + reduced, "to_c")
    values = printed[len(temps) :]

    dim, npar = len(export.coords), len(export.parameters)
    intro = ["  " + line for line in export.ode_lines()]
    lines = _codegen.c_preamble(export, name, printed, intro)
    lines += [f"#define {macro}_DIM {dim}", f"#define {macro}_NPARAMS {npar}", ""]
    lines += [f"void {name}(const double *x, const double *p, double *out)", "{"]
    used = set().union(*(e.free_symbols for e in export.components))
    lines += [f"    const double {coords[c]} = x[{i}];" for i, c in enumerate(export.coords) if c in used]
    lines += [f"    const double {params_[s]} = p[{i}];" for i, s in enumerate(export.parameters)]
    if not npar:
        lines.append("    (void)p;")
    lines += [f"    const double {t} = {text};" for (t, _), text in zip(temps, printed[: len(temps)])]
    lines += [f"    out[{i}] = {v};" for i, v in enumerate(values)]
    lines.append("}")
    return "\n".join(lines) + "\n"
