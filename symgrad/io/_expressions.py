r"""The expressions of model files: an allow-list parser that evaluates nothing.

:func:`parse_expression` reads an expression with Python's :mod:`ast` and
allows only numbers, declared names, ``+ - * / **``, unary ``-``/``+`` and
calls of a fixed set of functions (:data:`FUNCTIONS`) with positional
arguments.  The sympy expression is built node by node; nothing reaches
``eval``, ``exec``, ``sympify`` or ``parse_expr``.  Anything else (attribute
access, subscripts, lambdas, strings, keyword arguments, unknown names, ...) is
refused with a :class:`~symgrad.ModelFileError` naming the file, the key and
the offending text.  Limits keep hostile input cheap: at most
:data:`MAX_EXPRESSION_CHARS` characters, :data:`MAX_DEPTH` levels of nesting
(a flat chain ``a + b + c + ...`` or ``a * b * c ...`` counts as one level),
:data:`MAX_POWER_DEPTH` nested powers, :data:`MAX_NODES` nodes, integer
literals of at most :data:`MAX_INTEGER_DIGITS` digits, numeric exponents (and
coefficients ``k`` of ``exp(k*x)``) of magnitude at most :data:`MAX_EXPONENT`,
and no number of more than :data:`MAX_NUMBER_BITS` bits, checked *before* sympy
computes it (so ``9**9**9**9`` is refused, not evaluated), and no number of
magnitude beyond the largest float (:data:`MAX_MAGNITUDE`).  Decimal literals
are exact rationals: ``0.1`` is ``1/10``.  Only ASCII text is read: Python
would read lookalike letters such as ``ｅｘｐ`` as ``exp``.

The model-file reader (:mod:`symgrad.modelfile`) parses every expression of a
file here; :func:`parse_expression`, :data:`FUNCTIONS` and :data:`CONSTANTS`
are importable from :mod:`symgrad.modelfile` and :func:`parse_expression`
from :mod:`symgrad`.

Examples
--------
>>> import sympy as sp
>>> import symgrad as sg
>>> x = sp.Symbol("x", positive=True)
>>> sg.parse_expression("sigmoid(2*x) + 0.1", [x])
1/10 + 1/(1 + exp(-2*x))
>>> try:
...     sg.parse_expression("(lambda: 0)()", [x])
... except sg.ModelFileError as err:
...     print(err)
<expression>: only named functions can be called, as in exp(x), in '(lambda: 0)()'
"""

from __future__ import annotations

import ast
import fractions
import math
import sys
import types
from collections.abc import Callable, Iterable, Mapping

import mpmath
import sympy as sp

from ..budgets import budget_stage, time_limited
from ..core import _domain
from ..errors import ModelFileError

#: The most characters one expression may have.
MAX_EXPRESSION_CHARS = 10_000
#: The deepest nesting of an expression (brackets, calls, powers, signs).
MAX_DEPTH = 100
#: The most syntax nodes one expression may have.
MAX_NODES = 5_000
#: The most digits of an integer literal.
MAX_INTEGER_DIGITS = 100
#: The largest magnitude of a numeric exponent.
MAX_EXPONENT = 1000
#: The most bits of the numerator or denominator of any number an expression makes.
MAX_NUMBER_BITS = 4096
#: The deepest nesting of powers (``x**x**x`` nests three deep).
MAX_POWER_DEPTH = 16
#: The largest magnitude of a number in an expression: that of the largest float.
MAX_MAGNITUDE = int(sys.float_info.max)


def _sigmoid(z):
    return 1 / (1 + sp.exp(-z))


#: The functions an expression may call: name -> (allowed numbers of arguments, sympy function).
FUNCTIONS = types.MappingProxyType(
    {
        "exp": ((1,), sp.exp),
        "log": ((1, 2), sp.log),
        "sqrt": ((1,), sp.sqrt),
        "sin": ((1,), sp.sin),
        "cos": ((1,), sp.cos),
        "tan": ((1,), sp.tan),
        "sinh": ((1,), sp.sinh),
        "cosh": ((1,), sp.cosh),
        "tanh": ((1,), sp.tanh),
        "asin": ((1,), sp.asin),
        "acos": ((1,), sp.acos),
        "atan": ((1,), sp.atan),
        "asinh": ((1,), sp.asinh),
        "acosh": ((1,), sp.acosh),
        "atanh": ((1,), sp.atanh),
        "atan2": ((2,), sp.atan2),
        "erf": ((1,), sp.erf),
        "abs": ((1,), sp.Abs),
        "Abs": ((1,), sp.Abs),
        "sigmoid": ((1,), _sigmoid),
    }
)

#: The functions of :data:`FUNCTIONS` in mpmath, to evaluate calls of constants numerically.
_MPMATH = {
    "exp": mpmath.exp,
    "log": mpmath.log,
    "sqrt": mpmath.sqrt,
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "tan": mpmath.tan,
    "sinh": mpmath.sinh,
    "cosh": mpmath.cosh,
    "tanh": mpmath.tanh,
    "asin": mpmath.asin,
    "acos": mpmath.acos,
    "atan": mpmath.atan,
    "asinh": mpmath.asinh,
    "acosh": mpmath.acosh,
    "atanh": mpmath.atanh,
    "atan2": mpmath.atan2,
    "erf": mpmath.erf,
    "abs": mpmath.fabs,
    "Abs": mpmath.fabs,
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
}

#: Digits to which calls of constants are evaluated (to find non-real and huge values).
_DIGITS = 30

#: The named constants an expression may use.
CONSTANTS = types.MappingProxyType({"pi": sp.pi, "E": sp.E})

_OPERATORS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Not: "not",
    ast.Invert: "~",
}

_FORBIDDEN = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "subscripts are",
    ast.Slice: "slices are",
    ast.Lambda: "lambdas are",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "'and' and 'or' are",
    ast.IfExp: "conditional expressions are",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Set: "sets are",
    ast.Dict: "dicts are",
    ast.JoinedStr: "f-strings are",
    ast.FormattedValue: "f-strings are",
    ast.NamedExpr: "assignment expressions are",
    ast.Starred: "starred arguments are",
    ast.Await: "'await' is",
    ast.Yield: "'yield' is",
    ast.YieldFrom: "'yield' is",
}


# -- errors -----------------------------------------------------------------------------------------


def show(text: object, limit: int = 80) -> str:
    """``repr`` of a piece of user text, shortened so that a message stays readable."""
    text = str(text)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


class Where:
    """Where a value sits: the file and the dotted TOML key."""

    __slots__ = ("source", "key")

    def __init__(self, source: str, key: str) -> None:
        self.source = source
        self.key = key

    def __truediv__(self, name: object) -> Where:
        return Where(self.source, f"{self.key}.{name}" if self.key else str(name))

    def __str__(self) -> str:
        return f"{self.source}, {self.key}" if self.key else self.source

    def error(self, problem: str) -> ModelFileError:
        where = f"{self.source}, {self.key}" if self.key else self.source
        return ModelFileError(f"{where}: {problem}", source=self.source, key=self.key or None)


# -- expressions ------------------------------------------------------------------------------------


def _bits(r):
    """Bits of the larger of numerator and denominator of a sympy Rational."""
    return max(abs(r.p).bit_length(), r.q.bit_length())


def _coefficient_bits(e):
    """An upper estimate of the bits of the numbers ``e`` brings into a product."""
    if e.is_Rational:
        return _bits(e)
    if e.is_Mul:
        return sum(_coefficient_bits(a) for a in e.args)
    if e.is_Add:  # a number times a sum distributes over its terms
        return max(_coefficient_bits(a) for a in e.args)
    if e.is_Pow and e.base.is_Rational and e.exp.is_Rational:
        return math.ceil(_bits(e.base) * abs(e.exp))
    return 0


def _denominator_bits(e):
    """Bits of the denominator of the rational coefficient of ``e`` (what a sum multiplies)."""
    c = e.as_coeff_Mul()[0]
    return c.q.bit_length() - 1 if c.is_Rational else 0


class _Builder:
    """Builds a sympy expression from a parsed tree, node by node, refusing all else."""

    def __init__(self, text, names, where):
        self.text = text
        self.names = names
        self.where = where
        self.nodes = 0
        self.powers = 0

    def fail(self, problem, node=None):
        at = ""
        if node is not None and hasattr(node, "col_offset"):
            segment = ast.get_source_segment(self.text, node)
            if segment is not None and segment != self.text:
                at = f" ({show(segment, 40)}, column {node.col_offset + 1})"
        return self.where.error(f"{problem}{at}, in {show(self.text)}")

    def count(self, node, depth):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.where.error(
                f"the expression has more than {MAX_NODES} parts; the limit is {MAX_NODES}, in {show(self.text)}"
            )
        if depth > MAX_DEPTH:
            raise self.where.error(f"the expression nests deeper than {MAX_DEPTH} levels, in {show(self.text)}")

    def build(self, node, depth=0):
        self.count(node, depth)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, (ast.Add, ast.Sub)):
                return self.sum(node, depth)
            if isinstance(node.op, (ast.Mult, ast.Div)):
                return self.product(node, depth)
            if isinstance(node.op, ast.Pow):
                return self.power(node, depth)
            raise self.fail(
                f"the operator {_OPERATORS.get(type(node.op), '?')!r} is not allowed (allowed: + - * / **)", node
            )
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand, depth + 1)
            raise self.fail(
                f"the operator {_OPERATORS.get(type(node.op), '?')!r} is not allowed (allowed: + - * / **)", node
            )
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        what = _FORBIDDEN.get(type(node), f"{type(node).__name__} nodes are")
        if isinstance(node, ast.Attribute):
            subject, verb = what.rsplit(" ", 1)
            raise self.fail(f"{subject} ('.{node.attr}') {verb} not allowed")
        raise self.fail(f"{what} not allowed", node)

    def chain(self, node, ops, depth):
        """The operands of a left-nested chain of ``ops``, iteratively: [(op, value), ...]."""
        items = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            items.append((node.op, node.right))
            node = node.left
            self.count(node, depth)
        items.append((None, node))
        return [(op, self.build(operand, depth + 1)) for op, operand in reversed(items)]

    def sum(self, node, depth):
        terms = [(-v if isinstance(op, ast.Sub) else v) for op, v in self.chain(node, (ast.Add, ast.Sub), depth)]
        estimate = (
            max(_coefficient_bits(t) for t in terms)
            + sum(_denominator_bits(t) for t in terms)
            + len(terms).bit_length()
        )
        if estimate > MAX_NUMBER_BITS:
            raise self.fail(f"the sum makes numbers of more than {MAX_NUMBER_BITS} bits", node)
        return sp.Add(*terms)

    def product(self, node, depth):
        factors = []
        for op, v in self.chain(node, (ast.Mult, ast.Div), depth):
            if isinstance(op, ast.Div):
                if v == 0:
                    raise self.fail("division by zero", node)
                v = sp.Pow(v, -1)
            factors.append(v)
        if sum(_coefficient_bits(f) for f in factors) > MAX_NUMBER_BITS:
            raise self.fail(f"the product makes numbers of more than {MAX_NUMBER_BITS} bits", node)
        return sp.Mul(*factors)

    def power(self, node, depth):
        self.powers += 1
        if self.powers > MAX_POWER_DEPTH:
            raise self.fail(f"the powers nest deeper than {MAX_POWER_DEPTH} levels", node)
        base = self.build(node.left, depth + 1)
        exponent = self.build(node.right, depth + 1)
        self.powers -= 1
        if exponent.is_Number:
            if abs(exponent) > MAX_EXPONENT:
                raise self.fail(f"the exponent {show(exponent, 40)[1:-1]} is larger than {MAX_EXPONENT}", node)
            if _coefficient_bits(base) * abs(exponent) > MAX_NUMBER_BITS:
                raise self.fail(f"the power makes numbers of more than {MAX_NUMBER_BITS} bits", node)
            if base == 0 and exponent < 0:
                raise self.fail("division by zero", node)
        return sp.Pow(base, exponent)

    def number(self, node):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = {str: "strings are", bytes: "bytes are", complex: "complex numbers are"}.get(type(value))
            raise self.fail(f"{kind or show(value, 20) + ' is'} not allowed", node)
        if isinstance(value, int):
            if abs(value) >= 10**MAX_INTEGER_DIGITS:
                raise self.fail(f"an integer literal has more than {MAX_INTEGER_DIGITS} digits", node)
            return sp.Integer(value)
        return exact(value, lambda problem: self.fail(problem, node))

    def name(self, node):
        name = node.id
        if name in self.names:
            return self.names[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            raise self.fail(f"{name!r} is a function; call it, as in {name}(x)", node)
        declared = ", ".join(sorted(self.names)) or "none"
        raise self.fail(f"the name {name!r} is not declared (names allowed here: {show(declared, 200)[1:-1]})", node)

    def call(self, node, depth):
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                raise self.fail(f"attribute access ('.{func.attr}') is not allowed")
            raise self.fail("only named functions can be called, as in exp(x)", node)
        if func.id not in FUNCTIONS:
            raise self.fail(f"unknown function {func.id!r} (allowed: {', '.join(sorted(FUNCTIONS))})", func)
        if node.keywords:
            raise self.fail(f"keyword arguments are not allowed in a call of {func.id}", node)
        arities, function = FUNCTIONS[func.id]
        if len(node.args) not in arities:
            want = " or ".join(map(str, arities))
            raise self.fail(f"{func.id} takes {want} argument(s), got {len(node.args)}", node)
        args = [self.build(a, depth + 1) for a in node.args]
        if not any(a.free_symbols for a in args):
            self.constant_call(func.id, args, node)
        try:
            return function(*args)
        except (ArithmeticError, ValueError, TypeError) as err:
            raise self.fail(f"{func.id} cannot be applied here ({show(err, 60)[1:-1]})", node) from None

    def constant_call(self, name, args, node):
        """Refuse a call of constants whose value is not real, or beyond the largest float.

        The value is computed with mpmath from the arguments' numeric values,
        before sympy evaluates the call symbolically (which may take a very long
        time on a complex argument, as ``sinh(x - atan2(asin(2), 5))`` does).
        """
        values = [_numeric(a) for a in args]
        if any(v is None for v in values):
            return
        if all(v.imag == 0 for v in values):
            values = [v.real for v in values]
        try:
            with mpmath.workdps(_DIGITS):
                value = mpmath.mpmathify(_MPMATH[name](*values))
        except (ArithmeticError, ValueError, TypeError):
            return  # sympy decides (log(0) is zoo, refused later)
        re, im = mpmath.re(value), mpmath.im(value)
        if mpmath.isinf(value) or mpmath.isnan(value):
            raise self.fail("the value is infinite or undefined", node)
        if abs(im) > 1e-10 * (1 + abs(re)):
            shown = f"{mpmath.nstr(re, 6)} {'-' if im < 0 else '+'} {mpmath.nstr(abs(im), 6)}i"
            raise self.fail(f"the value is not a real number (it is about {shown})", node)
        if abs(re) > MAX_MAGNITUDE:
            raise self.fail("the value is larger than the largest float (about 1.8e308)", node)


def _not_real(expr):
    """``expr.is_real is False``, with the assumption query stopped (as undecided) after a second."""
    if not expr.free_symbols:  # sympy's queries about constants are not deterministic
        return _domain.decide_real(expr) is False
    try:
        return time_limited(lambda: expr.is_real, 1.0) is False
    except (TimeoutError, TypeError, ValueError, ArithmeticError):
        return False


def _numeric(expr):
    """The value of a constant sympy expression as an mpmath complex (``_DIGITS`` digits), or None."""
    try:
        value = time_limited(lambda: sp.N(expr, _DIGITS, maxn=4 * _DIGITS), 2.0)
        re, im = value.as_real_imag()
        if not (re.is_Float or re.is_Rational) or not (im.is_Float or im.is_Rational):
            return None
        with mpmath.workdps(_DIGITS):
            return mpmath.mpc(sp.Float(re, _DIGITS)._mpf_, sp.Float(im, _DIGITS)._mpf_)
    except (TimeoutError, ArithmeticError, ValueError, TypeError, AttributeError):
        return None


def exact(value: float, fail: Callable[[str], Exception]) -> sp.Rational:
    """The float ``value`` as an exact rational of its shortest decimal form (0.1 -> 1/10)."""
    if not math.isfinite(value):
        raise fail(f"the number {value!r} is not finite")
    r = fractions.Fraction(repr(value))
    out = sp.Rational(r.numerator, r.denominator)
    if _bits(out) > MAX_NUMBER_BITS:
        raise fail(f"the number {value!r} has more than {MAX_NUMBER_BITS} bits")
    return out


def _nesting(text):
    """The deepest nesting of brackets in ``text``."""
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


def _check_result(expr, text, where):
    if not isinstance(expr, sp.Expr):
        raise where.error(f"{show(text)} is not a scalar expression")
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise where.error(f"{show(text)} is infinite or undefined ({show(expr, 40)[1:-1]})")
    complex_parts = [e for e in sorted(expr.atoms(sp.Pow, sp.Function), key=sp.default_sort_key) if _not_real(e)]
    if expr.has(sp.I) or complex_parts:
        shown = complex_parts[0] if complex_parts and not expr.has(sp.I) else expr
        raise where.error(f"{show(text)} is not real ({show(shown, 40)[1:-1]})")
    for r in sorted(expr.atoms(sp.Rational), key=sp.default_sort_key):
        if _bits(r) > MAX_NUMBER_BITS:
            raise where.error(f"{show(text)} makes numbers of more than {MAX_NUMBER_BITS} bits")
        if abs(r.p) > MAX_MAGNITUDE * r.q:
            raise where.error(f"{show(text)} makes a number larger than the largest float (about 1.8e308)")
    for p in sorted(expr.atoms(sp.Pow), key=sp.default_sort_key):
        if p.exp.is_Number and abs(p.exp) > MAX_EXPONENT:
            raise where.error(f"{show(text)} makes the exponent {show(p.exp, 40)[1:-1]}, larger than {MAX_EXPONENT}")
    for f in sorted(expr.atoms(sp.exp), key=sp.default_sort_key):  # exp(k*x) is worked with as exp(x)**k
        for term in sp.Add.make_args(f.args[0]):
            c = term.as_coeff_Mul()[0]
            if c.is_Rational and abs(c) > MAX_EXPONENT:
                raise where.error(
                    f"{show(text)} makes the exponential {show(f, 40)[1:-1]}, "
                    f"with a coefficient larger than {MAX_EXPONENT}"
                )
    return expr


def parse_expression(
    text: str,
    symbols: Mapping[str, sp.Expr] | Iterable[sp.Symbol] = (),
    *,
    source: str = "<expression>",
    key: str = "",
) -> sp.Expr:
    """Parse an expression into sympy with an allow-list parser; nothing is evaluated.

    Allowed: numbers, the names in ``symbols``, the constants ``pi`` and ``E``,
    ``+ - * / **``, unary ``-`` and ``+``, parentheses, and calls of
    :data:`FUNCTIONS` with positional arguments (``sigmoid(z)`` is
    :math:`1/(1 + e^{-z})`).  Decimals are exact rationals (``0.5`` is ``1/2``).
    The size limits are in the module's documentation.

    Parameters
    ----------
    text : str
        The expression, in Python syntax.
    symbols : mapping of str to sympy.Expr, or iterable of sympy.Symbol
        The names the expression may use.
    source, key : str
        Where the text comes from (a file, a TOML key), for error messages.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ModelFileError
        If the text is not an allowed expression, naming ``source``, ``key``
        and the offending part.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x = sp.Symbol("x", positive=True)
    >>> sg.parse_expression("0.5*log(x) + sqrt(x)**3", [x])
    x**(3/2) + log(x)/2
    >>> try:
    ...     sg.parse_expression("__import__('os').system('true')", [x])
    ... except sg.ModelFileError as err:
    ...     print(err)
    <expression>: attribute access ('.system') is not allowed, in "__import__('os').system('true')"
    >>> try:
    ...     sg.parse_expression("9**9**9**9", [x])
    ... except sg.ModelFileError as err:
    ...     print(err)
    <expression>: the exponent 387420489 is larger than 1000 ('9**9**9', column 4), in '9**9**9**9'
    """
    if not isinstance(symbols, Mapping):
        symbols = {s.name: s for s in symbols}
    return parse(text, dict(symbols), Where(source, key))


def parse(text: str, names: dict[str, sp.Expr], where: Where) -> sp.Expr:
    """:func:`parse_expression` of ``text`` with the names ``names`` (a dict), errors located at ``where``."""
    if not isinstance(text, str):
        raise where.error(f"an expression must be a string or a number, got {type(text).__name__} {show(text)}")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise where.error(
            f"the expression is {len(text)} characters long; the limit is {MAX_EXPRESSION_CHARS} "
            f"(it starts {show(text, 40)})"
        )
    stripped = text.strip()
    if not stripped:
        raise where.error("the expression is empty")
    for i, ch in enumerate(text):
        if not ch.isascii():
            raise where.error(
                f"the character {ch!r} (U+{ord(ch):04X}) at column {i + 1} is not ASCII; "
                f"expressions are ASCII text, in {show(text)}"
            )
    if _nesting(stripped) > MAX_DEPTH:
        raise where.error(f"the expression nests brackets deeper than {MAX_DEPTH} levels, in {show(text)}")
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as err:
        col = f" at column {err.offset}" if err.offset else ""
        raise where.error(f"not an expression ({err.msg}{col}), in {show(text)}") from None
    except (RecursionError, MemoryError):
        raise where.error(f"the expression is too deeply nested for Python's parser, in {show(text)}") from None
    except (ValueError, OverflowError) as err:
        raise where.error(f"not an expression ({show(err, 60)[1:-1]}), in {show(text)}") from None
    return budget_stage(f"reading {where}", lambda: _build(stripped, tree, names, where, text))


def _build(stripped, tree, names, where, text):
    builder = _Builder(stripped, names, where)
    try:
        expr = builder.build(tree.body)
    except RecursionError:
        raise where.error(f"the expression nests too deeply, in {show(text)}") from None
    return _check_result(expr, text, where)
