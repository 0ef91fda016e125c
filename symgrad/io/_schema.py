"""The model-file schema: the TOML data checked section by section, and made into symgrad objects.

:class:`Reader` takes the data ``tomllib`` read from a model file, refuses
unknown sections and keys, wrong types and undeclared names with a
:class:`~symgrad.ModelFileError` that names the file and the TOML key, and
builds the manifold, charts, transitions, cost, metrics, rate and plot ranges
of a :class:`~symgrad.modelfile.Model`.  Expressions go through the allow-list
parser of :mod:`symgrad.io._expressions`.  The schema is documented in
:mod:`symgrad.io.modelfile`.
"""

import keyword
import math
import re
import types

import sympy as sp

from ..core import _domain
from ..core.manifold import Manifold
from ..core.metrics import diagonal, euclidean, log_metric, metabolic
from ..core.tensors import Metric, Scalar
from ..errors import ModelFileError, SymgradError
from ..information.discrete import Bernoulli, Binomial, Categorical, Poisson
from ..information.families import Exponential, Gamma, Logistic, Normal
from ..information.fisher import fisher_metric
from ..information.kl import kl_divergence
from ..information.wasserstein import wasserstein
from ._expressions import CONSTANTS, FUNCTIONS, MAX_INTEGER_DIGITS, Where, exact, parse, show

#: The longest name of a coordinate, parameter or chart coordinate.
MAX_NAME_CHARS = 64

_RESERVED = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | {"oo"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

_TYPES = {
    "real": {"real": True},
    "positive": {"positive": True},
    "nonnegative": {"nonnegative": True},
    "negative": {"negative": True},
    "nonpositive": {"nonpositive": True},
}

_SECTIONS = ("model", "coordinates", "parameters", "charts", "transitions", "cost", "metrics", "flow", "plot")

#: family name -> (class, required keys, optional keys, groups of which exactly one is given)
_FAMILIES = {
    "normal": (Normal, ("mean",), (), (("std", "variance", "precision"),)),
    "logistic": (Logistic, ("loc", "scale"), (), ()),
    "exponential": (Exponential, ("rate",), (), ()),
    "gamma": (Gamma, ("shape", "rate"), (), ()),
    "bernoulli": (Bernoulli, ("p",), (), ()),
    "binomial": (Binomial, ("n", "p"), (), ()),
    "poisson": (Poisson, ("rate",), (), ()),
    "categorical": (Categorical, ("logits",), (), ()),
}

_METRIC_KEYS = {
    "euclidean": (),
    "log": (),
    "diagonal": ("entries",),
    "matrix": ("rows",),
    "metabolic": ("cost_of_change",),
    "fisher": None,  # family keys
    "wasserstein": None,
}


def _kind(value):
    return {
        dict: "a table",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
    }.get(type(value), type(value).__name__)


class Reader:
    """Validates the TOML data section by section and builds the symgrad objects."""

    def __init__(self, data: dict, source: str, default_name: str) -> None:
        self.data = data
        self.source = source
        self.root = Where(source, "")
        self.default_name = default_name
        self.coordinates = {}
        self.domains = {}
        self.parameters = {}
        self.values = {}
        self.charts = {}

    # -- shape checks

    def table(self, value, where, what="a table"):
        if not isinstance(value, dict):
            raise where.error(f"must be {what}, got {_kind(value)} {show(value, 60)}")
        return value

    def keys(self, table, where, required=(), optional=()):
        unknown = [k for k in table if k not in required and k not in optional]
        if unknown:
            allowed = ", ".join(list(required) + list(optional)) or "none"
            raise where.error(f"unknown key {unknown[0]!r} (allowed here: {allowed})")
        missing = [k for k in required if k not in table]
        if missing:
            raise where.error(f"missing key {missing[0]!r}")

    def string(self, value, where):
        if not isinstance(value, str):
            raise where.error(f"must be a string, got {_kind(value)} {show(value, 60)}")
        return value

    def array(self, value, where, length=None):
        if not isinstance(value, list):
            raise where.error(f"must be an array, got {_kind(value)} {show(value, 60)}")
        if length is not None and len(value) != length:
            raise where.error(f"must have {length} entries, got {len(value)}")
        return value

    def number(self, value, where):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise where.error(f"must be a number, got {_kind(value)} {show(value, 60)}")
        if isinstance(value, int) and abs(value) >= 10**MAX_INTEGER_DIGITS:
            raise where.error(f"the integer has more than {MAX_INTEGER_DIGITS} digits")
        if not math.isfinite(value):
            raise where.error(f"must be a finite number, got {value!r}")
        return value

    def expr(self, value, where, names):
        """An expression from a string or a number."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise where.error(f"must be an expression (a string) or a number, got {_kind(value)} {show(value, 60)}")
        if isinstance(value, int):
            if abs(value) >= 10**MAX_INTEGER_DIGITS:
                raise where.error(f"the integer has more than {MAX_INTEGER_DIGITS} digits")
            return sp.Integer(value)
        if isinstance(value, float):
            return exact(value, where.error)
        return parse(value, names, where)

    def names(self, chart=None):
        """The names an expression may use: the chart's coordinates (if any) and the parameters."""
        names = dict(self.parameters)
        if chart is not None:
            names.update({c.name: c for c in chart.coords})
        return names

    def build(self, where, make, *args, **kwargs):
        """Run ``make(*args, **kwargs)``, turning an error of symgrad into a ModelFileError that says where."""
        try:
            return make(*args, **kwargs)
        except ModelFileError:
            raise
        except SymgradError as err:
            raise where.error(f"{err}") from err
        except RecursionError:
            raise where.error("the expressions nest too deeply to be worked with") from None
        except (ArithmeticError, ValueError, TypeError, LookupError, MemoryError) as err:
            raise where.error(f"cannot be built ({type(err).__name__}: {show(err, 80)[1:-1]})") from err

    # -- sections

    def fields(self) -> dict[str, object]:
        """The fields of the :class:`~symgrad.modelfile.Model`, read and checked."""
        data = self.table(self.data, self.root)
        unknown = [k for k in data if k not in _SECTIONS]
        if unknown:
            raise self.root.error(f"unknown section [{unknown[0]}] (sections: {', '.join(_SECTIONS)})")
        meta = self.table(data.get("model", {}), self.root / "model")
        self.keys(meta, self.root / "model", optional=("name", "description"))
        name = self.string(meta.get("name", self.default_name), self.root / "model" / "name")
        description = self.string(meta.get("description", ""), self.root / "model" / "description")
        self.read_coordinates(self.section("coordinates"))
        self.read_parameters(data.get("parameters", {}))
        manifold = Manifold(name)
        self.read_charts(self.section("charts"), manifold)
        self.read_transitions(data.get("transitions", []), manifold)
        cost = self.read_cost(self.section("cost"), manifold)
        metrics = self.read_metrics(self.section("metrics"))
        rate = self.read_flow(data.get("flow", {}))
        plot = self.read_plot(data.get("plot", {}))
        return dict(
            name=name,
            description=description,
            source=self.source,
            manifold=manifold,
            coordinates=types.MappingProxyType(dict(self.coordinates)),
            charts=types.MappingProxyType(dict(self.charts)),
            parameters=types.MappingProxyType(dict(self.parameters)),
            parameter_values=types.MappingProxyType(dict(self.values)),
            cost=cost,
            metrics=types.MappingProxyType(metrics),
            rate=rate,
            plot_ranges=types.MappingProxyType(plot),
        )

    def section(self, name):
        if name not in self.data:
            raise self.root.error(f"missing section [{name}]")
        return self.data[name]

    def label(self, name, where):
        """Check the name of a chart or a metric: ASCII, not too long."""
        if not name.isascii() or not name.isprintable() or len(name) > MAX_NAME_CHARS:
            raise where.error(
                f"{show(name, 40)} is not a valid name: use printable ASCII characters, "
                f"at most {MAX_NAME_CHARS} characters"
            )

    def declare(self, name, where):
        if not _NAME.match(name) or len(name) > MAX_NAME_CHARS:
            raise where.error(
                f"{show(name, 40)} is not a valid name: use ASCII letters, digits and '_', "
                f"starting with a letter, at most {MAX_NAME_CHARS} characters"
            )
        if keyword.iskeyword(name) or name in _RESERVED:
            raise where.error(f"the name {name!r} is reserved (a Python keyword, function or constant)")
        if name in self.coordinates or name in self.parameters:
            raise where.error(f"the name {name!r} is declared twice")

    def kind(self, spec, where, allowed):
        if isinstance(spec, str):
            spec = {"type": spec}
            where_type = where
        else:
            spec = self.table(spec, where, 'a type ("real", "positive", ...) or a table')
            self.keys(spec, where, required=("type",), optional=allowed)
            where_type = where / "type"
        kind = self.string(spec["type"], where_type)
        if kind not in _TYPES:
            raise where_type.error(f"unknown type {show(kind, 40)} (types: {', '.join(_TYPES)})")
        return kind, spec

    def read_coordinates(self, section):
        where = self.root / "coordinates"
        self.table(section, where)
        if not section:
            raise where.error("declares no coordinates")
        for name, spec in section.items():
            w = where / name
            self.declare(name, w)
            kind, spec = self.kind(spec, w, ("domain",))
            symbol = sp.Symbol(name, **_TYPES[kind])
            if "domain" in spec:
                self.domains[symbol] = self.read_domain(spec["domain"], w / "domain")
            self.coordinates[name] = symbol

    def read_domain(self, value, where):
        lo, hi = (self.bound(v, where) for v in self.array(value, where, 2))
        if lo is sp.oo or hi is -sp.oo:
            ordered = False
        elif lo is -sp.oo or hi is sp.oo:
            ordered = True
        else:  # two real constants, compared by value (sympy's comparisons of constants are not reliable)
            ordered = _domain.decide_constant_positive(hi - lo)
        if ordered is None:
            raise where.error(f"cannot decide whether {lo} < {hi}; give bounds whose order is clear")
        if not ordered:
            raise where.error(f"the interval ({lo}, {hi}) is empty; give [lower, upper] with lower < upper")
        try:
            return sp.Interval.open(lo, hi)
        except _domain.SYMPY_ERRORS:  # sympy evaluates the ends at low precision, 1/log(erf(9)) fails
            raise where.error(f"sympy cannot work with the interval ({lo}, {hi}); give simpler bounds") from None

    def bound(self, value, where):
        if isinstance(value, str) and value.strip() in ("oo", "+oo", "inf", "+inf"):
            return sp.oo
        if isinstance(value, str) and value.strip() in ("-oo", "-inf"):
            return -sp.oo
        b = self.expr(value, where, {})
        if _domain.decide_real(b) is False:  # an undecided bound fails the check of the order
            raise where.error(f"a bound must be a real number, got {show(value, 40)}")
        return b

    def read_parameters(self, section):
        where = self.root / "parameters"
        self.table(section, where)
        for name, spec in section.items():
            w = where / name
            self.declare(name, w)
            kind, spec = self.kind(spec, w, ("integer", "value"))
            integer = spec.get("integer", False)
            if not isinstance(integer, bool):
                raise (w / "integer").error(f"must be true or false, got {_kind(integer)} {show(integer, 40)}")
            symbol = sp.Symbol(name, **_TYPES[kind], **({"integer": True} if integer else {}))
            if "value" in spec:
                value = self.number(spec["value"], w / "value")
                if integer and float(value) != int(value):
                    raise (w / "value").error(f"{name} is an integer parameter, got {value!r}")
                if _sign_violates(kind, value):
                    raise (w / "value").error(f"{value!r} is not {kind}")
                self.values[symbol] = float(value)
            self.parameters[name] = symbol

    def read_charts(self, section, manifold):
        where = self.root / "charts"
        self.table(section, where)
        if not section:
            raise where.error("declares no charts")
        used = set()
        for name, coords in section.items():
            w = where / name
            self.label(name, w)
            self.array(coords, w)
            if not coords:
                raise w.error("a chart needs at least one coordinate")
            symbols = []
            for c in coords:
                self.string(c, w)
                if c not in self.coordinates:
                    hint = " (it is a parameter)" if c in self.parameters else ""
                    raise w.error(
                        f"{show(c, 40)} is not a declared coordinate{hint} (coordinates: {', '.join(self.coordinates)})"
                    )
                symbols.append(self.coordinates[c])
            used.update(symbols)
            domain = {s: self.domains[s] for s in symbols if s in self.domains}
            self.charts[name] = self.build(w, manifold.chart, symbols, name=name, domain=domain)
        unused = [n for n, s in self.coordinates.items() if s not in used]
        if unused:
            raise (self.root / "coordinates" / unused[0]).error("is declared but belongs to no chart")

    def chart(self, value, where):
        name = self.string(value, where)
        if name not in self.charts:
            raise where.error(f"unknown chart {show(name, 40)} (charts: {', '.join(self.charts)})")
        return self.charts[name]

    def read_transitions(self, section, manifold):
        where = self.root / "transitions"
        self.array(section, where)
        edges = {name: set() for name in self.charts}
        for i, t in enumerate(section):
            w = Where(self.source, f"transitions[{i}]")
            self.table(t, w, "a table ([[transitions]])")
            self.keys(t, w, required=("from", "to", "map"), optional=("inverse",))
            source = self.chart(t["from"], w / "from")
            target = self.chart(t["to"], w / "to")
            forward = self.coordinate_map(t["map"], w / "map", target, source)
            inverse = None
            if "inverse" in t:
                inverse = self.coordinate_map(t["inverse"], w / "inverse", source, target)
                self.check_inverse(forward, inverse, w / "inverse")
            self.build(w, manifold.transition, source, target, forward, inverse=inverse)
            edges[source.name].add(target.name)
            edges[target.name].add(source.name)
        first = next(iter(self.charts))
        reached, todo = {first}, [first]
        while todo:
            for b in edges[todo.pop()] - reached:
                reached.add(b)
                todo.append(b)
        lost = [n for n in self.charts if n not in reached]
        if lost:
            raise (self.root / "charts" / lost[0]).error(
                f"no chain of [[transitions]] joins this chart to chart {first!r}"
            )

    def check_inverse(self, forward, inverse, where):
        """Refuse an inverse that sends points where the map is undefined (or the reverse)."""
        for one, other in ((forward, inverse), (inverse, forward)):
            for c, e in one.items():
                composed = e.xreplace(other)
                if composed.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                    raise where.error(
                        f"the map and the inverse do not compose: {c} = {show(e, 40)[1:-1]} "
                        f"becomes {show(composed, 40)[1:-1]}"
                    )

    def coordinate_map(self, value, where, keys_chart, expr_chart):
        """``{coord of keys_chart: expr in expr_chart}`` from a TOML table."""
        self.table(value, where)
        names = [c.name for c in keys_chart.coords]
        self.keys(value, where, required=names)
        allowed = self.names(expr_chart)
        return {c: self.expr(value[c.name], where / c.name, allowed) for c in keys_chart.coords}

    def read_cost(self, section, manifold):
        where = self.root / "cost"
        self.table(section, where)
        self.keys(section, where, required=("chart",), optional=("expr", "kl"))
        chart = self.chart(section["chart"], where / "chart")
        if ("expr" in section) == ("kl" in section):
            raise where.error("give exactly one of 'expr' (an expression) and 'kl' (a KL divergence)")
        if "expr" in section:
            expr = self.expr(section["expr"], where / "expr", self.names(chart))
        else:
            w = where / "kl"
            kl = self.table(section["kl"], w)
            self.keys(kl, w, required=("from", "to"))
            p = self.family(kl["from"], w / "from", chart)
            q = self.family(kl["to"], w / "to", chart)
            expr = self.build(w, lambda: kl_divergence(p, q))
        return self.build(where, lambda: Scalar(manifold, chart, expr))

    def family(self, spec, where, chart, extra=()):
        """A probability family from a table ``{ family = "normal", mean = ..., ... }``."""
        self.table(spec, where)
        if "family" not in spec:
            raise where.error(f"missing key 'family' (families: {', '.join(_FAMILIES)})")
        name = self.string(spec["family"], where / "family")
        if name not in _FAMILIES:
            raise (where / "family").error(f"unknown family {show(name, 40)} (families: {', '.join(_FAMILIES)})")
        cls, required, optional, groups = _FAMILIES[name]
        flat = [k for g in groups for k in g]
        self.keys(spec, where, required=("family",) + required, optional=tuple(extra) + optional + tuple(flat))
        for group in groups:
            given = [k for k in group if k in spec]
            if len(given) != 1:
                raise where.error(f"a {name} family takes exactly one of {', '.join(group)}; got {given or 'none'}")
        names = self.names(chart)
        args = {}
        for k in required + optional + tuple(flat):
            if k not in spec:
                continue
            if k == "logits":
                items = self.array(spec[k], where / k)
                args[k] = [self.expr(v, where / f"{k}[{i}]", names) for i, v in enumerate(items)]
            else:
                args[k] = self.expr(spec[k], where / k, names)
        return self.build(where, lambda: cls(**args))

    def read_metrics(self, section):
        where = self.root / "metrics"
        self.table(section, where)
        if not section:
            raise where.error("declares no metrics")
        for name in section:
            self.label(name, where / name)
        return {name: self.metric(spec, where / name) for name, spec in section.items()}

    def metric(self, spec, where):
        self.table(spec, where)
        if "kind" not in spec:
            raise where.error(f"missing key 'kind' (kinds: {', '.join(_METRIC_KEYS)})")
        kind = self.string(spec["kind"], where / "kind")
        if kind not in _METRIC_KEYS:
            raise (where / "kind").error(f"unknown metric kind {show(kind, 40)} (kinds: {', '.join(_METRIC_KEYS)})")
        if "chart" not in spec:
            raise where.error("missing key 'chart'")
        chart = self.chart(spec["chart"], where / "chart")
        check = spec.get("check", True)  # check = false skips the positive-definiteness check
        if not isinstance(check, bool):
            raise (where / "check").error(f"must be true or false, got {_kind(check)} {show(check, 40)}")
        if kind in ("fisher", "wasserstein"):
            family = self.family(spec, where, chart, extra=("kind", "chart", "check"))
            if kind == "wasserstein" and not isinstance(family, Normal):
                raise (where / "family").error("the Wasserstein metric is available for the normal family only")
            make = fisher_metric if kind == "fisher" else wasserstein
            return self.build(where, lambda: make(family, chart, check=check))
        self.keys(spec, where, required=("kind", "chart") + _METRIC_KEYS[kind], optional=("check",))
        names = self.names(chart)
        if kind == "euclidean":
            return self.build(where, lambda: euclidean(chart, check=check))
        if kind == "log":
            return self.build(where, lambda: log_metric(chart, check=check))
        if kind == "diagonal":
            w = where / "entries"
            items = self.array(spec["entries"], w, chart.dim)
            entries = [self.expr(v, Where(self.source, f"{w.key}[{i}]"), names) for i, v in enumerate(items)]
            return self.build(where, lambda: diagonal(chart, entries, check=check))
        if kind == "metabolic":
            w = where / "cost_of_change"
            table = self.table(spec["cost_of_change"], w)
            self.keys(table, w, optional=[c.name for c in chart.coords])
            costs = {c: self.expr(table[c.name], w / c.name, names) for c in chart.coords if c.name in table}
            return self.build(where, lambda: metabolic(chart, costs, check=check))
        w = where / "rows"  # matrix
        rows = self.array(spec["rows"], w, chart.dim)
        matrix = []
        for i, row in enumerate(rows):
            wi = Where(self.source, f"{w.key}[{i}]")
            self.array(row, wi, chart.dim)
            matrix.append([self.expr(v, Where(self.source, f"{w.key}[{i}][{j}]"), names) for j, v in enumerate(row)])
        return self.build(where, lambda: Metric(chart.manifold, chart, sp.Matrix(matrix), check=check))

    def read_flow(self, section):
        where = self.root / "flow"
        self.table(section, where)
        self.keys(section, where, optional=("rate",))
        if "rate" not in section:
            return sp.Integer(1)
        return self.expr(section["rate"], where / "rate", self.names())

    def read_plot(self, section):
        where = self.root / "plot"
        self.table(section, where)
        out = {}
        for name, ranges in section.items():
            w = where / name
            if name not in self.charts:
                raise w.error(f"unknown chart {show(name, 40)} (charts: {', '.join(self.charts)})")
            chart = self.charts[name]
            self.table(ranges, w)
            self.keys(ranges, w, required=[c.name for c in chart.coords])
            out[name] = types.MappingProxyType(
                {c: self.plot_range(ranges[c.name], w / c.name, chart.domain[c]) for c in chart.coords}
            )
        return out

    def plot_range(self, value, where, domain):
        lo, hi = (float(self.number(v, where)) for v in self.array(value, where, 2))
        if not lo < hi:
            raise where.error(f"the range [{lo}, {hi}] is empty; give [lower, upper] with lower < upper")
        for v in (lo, hi):
            if not domain.contains(sp.Float(v)):
                raise where.error(f"{v} lies outside the coordinate's domain {domain}")
        return (lo, hi)


def _sign_violates(kind, value):
    return {
        "real": False,
        "positive": not value > 0,
        "nonnegative": not value >= 0,
        "negative": not value < 0,
        "nonpositive": not value <= 0,
    }[kind]
