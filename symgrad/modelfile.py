"""Model files: a model stated in TOML, read without evaluating any of its text.

The documented home of the names below; they are defined in
:mod:`symgrad.io.modelfile` (the schema and the reader) and
:mod:`symgrad.io._expressions` (the allow-list expression parser), which
document the format and its limits.

Examples
--------
>>> import sympy as sp
>>> from symgrad.modelfile import parse_expression
>>> x = sp.Symbol("x", positive=True)
>>> parse_expression("x - log(x)", [x])
x - log(x)
"""

from .io.modelfile import (
    CONSTANTS,
    FUNCTIONS,
    Model,
    load_model,
    loads_model,
    parse_expression,
)

__all__ = ["Model", "load_model", "loads_model", "parse_expression", "FUNCTIONS", "CONSTANTS"]
