"""Safe model files: a TOML schema and an allow-list expression parser (never ``eval``).

The public names are re-exported from :mod:`symgrad`; :mod:`symgrad.modelfile` is the
documented module path.
"""

from .modelfile import Model, load_model, loads_model, parse_expression

__all__ = ["Model", "load_model", "loads_model", "parse_expression"]
