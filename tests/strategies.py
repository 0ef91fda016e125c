"""Hypothesis strategies for symgrad: random charts, transitions, points, metrics and costs.

A random transition is a composition of invertible building blocks acting on the
coordinates of a source chart, each with a known inverse:

* affine maps ``z -> a z + b`` with a nonzero rational scale,
* ``exp`` (any coordinate) and ``log`` (positive coordinates),
* powers ``z**k`` and roots ``z**(1/k)`` (positive coordinates),
* shears ``z_i -> z_i + c z_j`` and ``z_i -> z_i + c z_j**2`` (``z_i`` ranging over the real line),
* ``logit`` (from ``(0, 1)`` to the real line) and the logistic ``sigmoid`` (back).

Every block knows the image of an open interval, so the target chart is declared with
exactly the domain the map carries the source's domain onto: a coordinate whose image
lies in ``(0, oo)`` is made ``positive=True``, any other ``real=True``, and the interval
is passed as ``domain=`` when the assumptions do not already say it.

The strategies return plain namespaces (:class:`types.SimpleNamespace`) so that a test
can reach the manifold, the charts, the transition and the hand-built forward and
inverse expressions it was made from.
"""

from types import SimpleNamespace

import sympy as sp
from hypothesis import settings
from hypothesis import strategies as st

import symgrad as sg

__all__ = [
    "REAL_LINE",
    "POSITIVE",
    "UNIT",
    "examples",
    "symbol_for",
    "make_chart",
    "is_positive",
    "source_charts",
    "chart_pairs",
    "chart_chains",
    "isometries",
    "points",
    "point_in",
    "metric_matrices",
    "metrics",
    "cost_expressions",
    "costs",
    "vector_components",
]

REAL_LINE = sp.Interval.open(-sp.oo, sp.oo)
POSITIVE = sp.Interval.open(0, sp.oo)
UNIT = sp.Interval.open(0, 1)

#: Nonzero rational scales of affine blocks.
SCALES = [sp.Rational(k) for k in (1, -1, 2, -2, 3)] + [sp.Rational(1, 2), sp.Rational(-1, 2), sp.Rational(3, 2)]
#: Offsets of affine blocks.
OFFSETS = [sp.Integer(k) for k in (0, 0, 1, -1, 2)]
#: Exponents of power blocks (on positive coordinates).
POWERS = [sp.Integer(2), sp.Integer(3), sp.Rational(1, 2), sp.Rational(1, 3)]
#: Coefficients of shears.
SHEAR_COEFFS = [sp.Integer(1), sp.Integer(-1), sp.Integer(2), sp.Rational(1, 2)]
#: Coefficients of costs and of random vector fields.
COEFFS = [sp.Integer(k) for k in (1, -1, 2, -2, 3)] + [sp.Rational(1, 2), sp.Rational(-3, 2)]


def examples(n):
    """``n`` examples under the ``ci`` profile, scaled with the active profile's ``max_examples``.

    Use as ``@settings(max_examples=examples(10))`` so that ``HYPOTHESIS_PROFILE=thorough``
    runs every property longer, not only the undecorated ones.
    """
    return max(1, round(n * settings.default.max_examples / 15))


# -- symbols and domains ---------------------------------------------------------------------


def symbol_for(name, interval):
    """A coordinate symbol whose assumptions fit ``interval``; returns (symbol, domain or None).

    ``domain`` is the interval to pass to :meth:`Manifold.chart` when the assumptions
    (``positive`` or ``real``) do not already describe it.
    """
    if interval.start >= 0:
        sym = sp.Symbol(name, positive=True)
        return sym, (None if interval == POSITIVE else interval)
    sym = sp.Symbol(name, real=True)
    return sym, (None if interval == REAL_LINE else interval)


def is_positive(interval):
    return bool(interval.start >= 0)


def _open(a, b):
    lo, hi = (a, b) if a <= b else (b, a)
    return sp.Interval.open(lo, hi)


def make_chart(manifold, symbols, intervals, name):
    domain = {}
    for s, iv in zip(symbols, intervals):
        _, dom = symbol_for(s.name, iv)
        if dom is not None:
            domain[s] = dom
    return manifold.chart(*symbols, name=name, domain=domain or None)


@st.composite
def coordinate_kinds(draw, dim, kinds=(REAL_LINE, POSITIVE, UNIT)):
    """A list of ``dim`` intervals drawn from ``kinds``.

    The default kinds are the real line, the positive half-line and ``(0, 1)``.
    """
    return [draw(st.sampled_from(kinds)) for _ in range(dim)]


@st.composite
def source_charts(draw, dims=(1, 2, 3), prefix="x", kinds=(REAL_LINE, POSITIVE, UNIT), manifold=None):
    """A fresh manifold with one chart of random real/positive/(0,1) coordinates.

    Returns a namespace with ``manifold``, ``chart``, ``coords``, ``intervals``.
    """
    dim = draw(st.sampled_from(dims))
    intervals = draw(coordinate_kinds(dim, kinds))
    coords = [symbol_for(f"{prefix}{i}", iv)[0] for i, iv in enumerate(intervals)]
    M = manifold or sg.Manifold(f"random {dim}-d")
    chart = make_chart(M, coords, intervals, prefix.upper())
    return SimpleNamespace(manifold=M, chart=chart, coords=coords, intervals=intervals, dim=dim)


# -- building blocks of transitions ------------------------------------------------------------


class Block:
    """An invertible map acting on the list of current coordinate expressions."""

    nonlinear = False

    def forward(self, zs):
        raise NotImplementedError

    def inverse(self, zs):
        raise NotImplementedError

    def image(self, intervals):
        return list(intervals)

    def __repr__(self):
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Elementwise(Block):
    """A block acting on coordinate ``i`` alone."""

    def __init__(self, i):
        self.i = i

    def f(self, z):
        raise NotImplementedError

    def finv(self, z):
        raise NotImplementedError

    def interval(self, iv):
        raise NotImplementedError

    def forward(self, zs):
        zs = list(zs)
        zs[self.i] = self.f(zs[self.i])
        return zs

    def inverse(self, zs):
        zs = list(zs)
        zs[self.i] = self.finv(zs[self.i])
        return zs

    def image(self, intervals):
        out = list(intervals)
        out[self.i] = self.interval(intervals[self.i])
        return out


class Affine(Elementwise):
    def __init__(self, i, a, b):
        super().__init__(i)
        self.a, self.b = a, b
        self.nonlinear = False

    def f(self, z):
        return self.a * z + self.b

    def finv(self, z):
        return (z - self.b) / self.a

    def interval(self, iv):
        return _open(self.a * iv.start + self.b, self.a * iv.end + self.b)


class Exp(Elementwise):
    nonlinear = True

    def f(self, z):
        return sp.exp(z)

    def finv(self, z):
        return sp.log(z)

    def interval(self, iv):
        return _open(sp.exp(iv.start), sp.exp(iv.end))


class Log(Elementwise):
    nonlinear = True

    def f(self, z):
        return sp.log(z)

    def finv(self, z):
        return sp.exp(z)

    def interval(self, iv):
        lo = -sp.oo if iv.start == 0 else sp.log(iv.start)
        return _open(lo, sp.log(iv.end))


class Power(Elementwise):
    nonlinear = True

    def __init__(self, i, k):
        super().__init__(i)
        self.k = k

    def f(self, z):
        return z**self.k

    def finv(self, z):
        return z ** (1 / self.k)

    def interval(self, iv):
        return _open(iv.start**self.k, iv.end**self.k)


class Logit(Elementwise):
    nonlinear = True

    def f(self, z):
        return sp.log(z / (1 - z))

    def finv(self, z):
        return 1 / (1 + sp.exp(-z))

    def interval(self, iv):
        return REAL_LINE


class Sigmoid(Elementwise):
    nonlinear = True

    def f(self, z):
        return 1 / (1 + sp.exp(-z))

    def finv(self, z):
        return sp.log(z / (1 - z))

    def interval(self, iv):
        return UNIT


class Shear(Block):
    """``z_i -> z_i + c z_j**p`` with ``z_i`` on the real line (the image stays the real line)."""

    def __init__(self, i, j, c, p):
        self.i, self.j, self.c, self.p = i, j, c, p
        self.nonlinear = p != 1

    def forward(self, zs):
        zs = list(zs)
        zs[self.i] = zs[self.i] + self.c * zs[self.j] ** self.p
        return zs

    def inverse(self, zs):
        zs = list(zs)
        zs[self.i] = zs[self.i] - self.c * zs[self.j] ** self.p
        return zs


@st.composite
def blocks_for(draw, intervals, exp_used, *, nonlinear=None):
    """One block applicable to coordinates with the given intervals.

    ``nonlinear=True`` draws only nonlinear blocks, ``False`` only affine ones.
    ``exp_used`` lists coordinates that went through ``exp`` already (at most once
    each, so that sampled values stay moderate).
    """
    dim = len(intervals)
    options = []
    for i, iv in enumerate(intervals):
        if nonlinear is not True:
            options.append(("affine", i))
        if nonlinear is not False:
            if i not in exp_used:
                options.append(("exp", i))
            if is_positive(iv):
                options.append(("log", i))
                options.append(("power", i))
            if iv == UNIT:
                options.append(("logit", i))
            if iv == REAL_LINE:
                options.append(("sigmoid", i))
        if iv == REAL_LINE and dim > 1:
            options.append(("shear", i))
    kind, i = draw(st.sampled_from(options))
    if kind == "affine":
        a = draw(st.sampled_from(SCALES))
        if is_positive(intervals[i]) and draw(st.booleans()):
            # keep a positive coordinate positive (zero offset, positive scale)
            return Affine(i, abs(a), sp.Integer(0))
        return Affine(i, a, draw(st.sampled_from(OFFSETS)))
    if kind == "exp":
        return Exp(i)
    if kind == "log":
        return Log(i)
    if kind == "power":
        return Power(i, draw(st.sampled_from(POWERS)))
    if kind == "logit":
        return Logit(i)
    if kind == "sigmoid":
        return Sigmoid(i)
    j = draw(st.sampled_from([j for j in range(dim) if j != i]))
    p = 1 if nonlinear is False else draw(st.sampled_from([1, 2]))
    return Shear(i, j, draw(st.sampled_from(SHEAR_COEFFS)), p)


def _undoes(a, b):
    """Whether block ``b`` right after ``a`` undoes it (so the pair would be the identity)."""
    pairs = {(Exp, Log), (Log, Exp), (Logit, Sigmoid), (Sigmoid, Logit)}
    return (
        isinstance(a, Elementwise)
        and isinstance(b, Elementwise)
        and a.i == b.i
        and ((type(a), type(b)) in pairs or (isinstance(a, Power) and isinstance(b, Power) and a.k * b.k == 1))
    )


@st.composite
def block_lists(draw, intervals, *, min_blocks=1, max_blocks=3, nonlinear=False, affine_only=False):
    """A list of blocks and the image of ``intervals`` under their composition.

    ``nonlinear=True`` makes the first block nonlinear; ``affine_only=True`` draws affine
    maps and linear shears only.
    """
    n = draw(st.integers(min_blocks, max_blocks))
    blocks, exp_used = [], set()
    ivs = list(intervals)
    for k in range(n):
        want = False if affine_only else (True if nonlinear and k == 0 else None)
        b = draw(blocks_for(ivs, exp_used, nonlinear=want))
        if blocks and _undoes(blocks[-1], b):
            continue
        if isinstance(b, Exp):
            exp_used.add(b.i)
        blocks.append(b)
        ivs = b.image(ivs)
    return blocks, ivs


def compose(blocks, zs, inverse=False):
    """Apply ``blocks`` (or their inverses, in reverse order) to a list of expressions."""
    zs = list(zs)
    if inverse:
        for b in reversed(blocks):
            zs = b.inverse(zs)
    else:
        for b in blocks:
            zs = b.forward(zs)
    return zs


def touched(blocks):
    out = set()
    for b in blocks:
        out.add(b.i)
    return out


@st.composite
def _target_symbols(draw, source_coords, blocks, intervals, prefix):
    """Symbols of the target chart.

    A changed coordinate gets a new symbol; an unchanged coordinate keeps the source's
    symbol (as ``mu`` in the Gaussian charts) or gets a new one.
    """
    changed = touched(blocks)
    out = []
    for i, (x, iv) in enumerate(zip(source_coords, intervals)):
        if i not in changed and draw(st.booleans()):
            out.append(x)
        else:
            out.append(symbol_for(f"{prefix}{i}", iv)[0])
    return out


def add_transition(draw, M, source, source_intervals, prefix, *, solve=None, **block_kw):
    """Draw blocks, make the target chart on ``M`` and the transition; returns a namespace."""
    blocks, target_intervals = draw(block_lists(source_intervals, **block_kw))
    xs = list(source.coords)
    ys = draw(_target_symbols(xs, blocks, target_intervals, prefix))
    target = make_chart(M, ys, target_intervals, prefix.upper())
    forward = compose(blocks, xs)
    inverse = compose(blocks, ys, inverse=True)
    if solve is None:
        # let symgrad solve it on simple draws only (sympy's solve is slow on long chains)
        solve = len(blocks) <= 2 and draw(st.booleans())
    T = M.transition(
        source,
        target,
        dict(zip(ys, forward)),
        inverse=None if solve else dict(zip(xs, inverse)),
    )
    return SimpleNamespace(
        source=source,
        target=target,
        transition=T,
        forward=forward,
        inverse=inverse,
        blocks=blocks,
        solved=solve,
        source_intervals=list(source_intervals),
        target_intervals=target_intervals,
    )


@st.composite
def chart_pairs(
    draw,
    dims=(1, 2, 3),
    *,
    kinds=(REAL_LINE, POSITIVE, UNIT),
    solve=None,
    nonlinear=False,
    affine_only=False,
    max_blocks=3,
    nonlinear_dims=(1, 2, 3),
):
    """A manifold with charts ``A`` and ``B`` joined by a random transition A -> B.

    ``nonlinear_dims`` are the dimensions in which nonlinear blocks are drawn; in the
    others the transition is affine (affine maps and linear shears), which keeps
    symbolic linear solves in 3-D cheap.

    Returns a namespace: ``manifold``, ``A``, ``B``, ``T`` (the Transition),
    ``forward`` (B's coordinates in A's), ``inverse`` (A's in B's, hand-derived),
    ``blocks``, ``solved`` (whether symgrad solved for the inverse), ``dim``.
    """
    src = draw(source_charts(dims, kinds=kinds))
    if src.dim not in nonlinear_dims:
        affine_only, nonlinear = True, False
    t = add_transition(
        draw,
        src.manifold,
        src.chart,
        src.intervals,
        "y",
        solve=solve,
        nonlinear=nonlinear,
        affine_only=affine_only,
        max_blocks=max_blocks,
    )
    return SimpleNamespace(
        manifold=src.manifold,
        A=src.chart,
        B=t.target,
        T=t.transition,
        forward=t.forward,
        inverse=t.inverse,
        blocks=t.blocks,
        solved=t.solved,
        dim=src.dim,
        A_intervals=src.intervals,
        B_intervals=t.target_intervals,
    )


@st.composite
def chart_chains(draw, dims=(1, 2, 3), max_blocks=2, nonlinear_dims=(1, 2, 3)):
    """Charts A -> B -> C (transitions A->B and B->C only), and a directly joined copy.

    The copy is a second manifold with charts A2, C2 (the same symbols as A and C)
    joined directly by the composed map.

    Returns a namespace ``manifold, A, B, C, direct, A2, C2, forward, inverse``.
    """
    src = draw(source_charts(dims))
    M = src.manifold
    kw = dict(solve=False, max_blocks=max_blocks, affine_only=src.dim not in nonlinear_dims)
    ab = add_transition(draw, M, src.chart, src.intervals, "y", **kw)
    bc = add_transition(draw, M, ab.target, ab.target_intervals, "z", **kw)
    A, C = src.chart, bc.target
    forward = [f.xreplace(dict(zip(ab.target.coords, ab.forward))) for f in bc.forward]
    inverse = [g.xreplace(dict(zip(ab.target.coords, bc.inverse))) for g in ab.inverse]
    M2 = sg.Manifold("direct")
    A2 = make_chart(M2, list(A.coords), src.intervals, "A2")
    C2 = make_chart(M2, list(C.coords), bc.target_intervals, "C2")
    direct = M2.transition(A2, C2, dict(zip(C.coords, forward)), inverse=dict(zip(A.coords, inverse)))
    return SimpleNamespace(
        manifold=M,
        A=A,
        B=ab.target,
        C=C,
        AB=ab,
        BC=bc,
        direct_manifold=M2,
        A2=A2,
        C2=C2,
        direct=direct,
        forward=forward,
        inverse=inverse,
        dim=src.dim,
    )


#: Rotations with rational entries, from Pythagorean triples.
_TRIPLES = [(3, 4, 5), (5, 12, 13), (8, 15, 17), (0, 1, 1)]


@st.composite
def isometries(draw, dims=(1, 2, 3)):
    """Two charts of the Euclidean space joined by a rigid motion (rotation/reflection + translation)."""
    dim = draw(st.sampled_from(dims))
    xs = [sp.Symbol(f"x{i}", real=True) for i in range(dim)]
    ys = [sp.Symbol(f"y{i}", real=True) for i in range(dim)]
    Q = sp.eye(dim)
    if dim == 1:
        Q = sp.Matrix([[draw(st.sampled_from([1, -1]))]])
    else:
        for _ in range(draw(st.integers(1, 2))):
            i, j = draw(st.permutations(range(dim)))[:2]
            a, b, c = draw(st.sampled_from(_TRIPLES))
            R = sp.eye(dim)
            R[i, i], R[i, j], R[j, i], R[j, j] = (
                sp.Rational(a, c),
                -sp.Rational(b, c),
                sp.Rational(b, c),
                sp.Rational(a, c),
            )
            Q = R * Q
        if draw(st.booleans()):
            Q[0, :] = -Q[0, :]
    shift = sp.Matrix([draw(st.sampled_from(OFFSETS)) for _ in range(dim)])
    M = sg.Manifold("euclidean space")
    A = M.chart(*xs, name="A")
    B = M.chart(*ys, name="B")
    fwd = Q * sp.Matrix(xs) + shift
    inv = Q.T * (sp.Matrix(ys) - shift)
    T = M.transition(A, B, dict(zip(ys, fwd)), inverse=dict(zip(xs, inv)))
    return SimpleNamespace(manifold=M, A=A, B=B, T=T, Q=Q, shift=shift, dim=dim)


# -- points ------------------------------------------------------------------------------------


@st.composite
def points(draw, chart, n=8):
    """An array of shape (n, dim) of random points in the interior of ``chart``'s domain."""
    seed = draw(st.integers(0, 2**31 - 1))
    return chart.random_points(n=n, seed=seed)


def _float_in(interval):
    lo, hi = interval.start, interval.end
    if lo.is_finite and hi.is_finite:
        lo, hi = float(lo), float(hi)
        w = hi - lo
        return st.floats(lo + 0.02 * w, hi - 0.02 * w)
    if lo.is_finite:
        return st.floats(float(lo) + 0.05, float(lo) + 5.0)
    if hi.is_finite:
        return st.floats(float(hi) - 5.0, float(hi) - 0.05)
    return st.floats(-3.0, 3.0)


def point_in(chart):
    """One point (a tuple of floats) drawn by hypothesis from the domain intervals of ``chart``."""
    return st.tuples(*[_float_in(chart.domain[c]) for c in chart.coords])


# -- metrics -----------------------------------------------------------------------------------


def _diagonal_entries(c, interval):
    entries = [1 + c**2, sp.exp(c), 2 + c**2 / 2, sp.Integer(3)]
    if is_positive(interval):
        entries += [1 / c**2, c, 1 / c + c]
    return entries


def _poly_terms(coords):
    terms = [sp.Integer(1)] + list(coords) + [c**2 / 2 for c in coords]
    terms += [a * b for k, a in enumerate(coords) for b in coords[k + 1 :]]
    return terms


@st.composite
def metric_matrices(draw, chart, kinds=("euclidean", "diagonal", "log", "dense")):
    """A (kind, Matrix) pair: a symmetric positive-definite matrix field on ``chart``.

    Kinds: ``euclidean`` (I), ``diagonal`` (positive position-dependent entries), ``log``
    (diag(1/x_i**2), positive coordinates only) and ``dense`` (``L L^T + I`` with ``L``
    lower triangular with polynomial entries).
    """
    coords = list(chart.coords)
    positive = all(is_positive(chart.domain[c]) for c in coords)
    kinds = [k for k in kinds if k != "log" or positive]
    kind = draw(st.sampled_from(kinds))
    n = len(coords)
    if kind == "euclidean":
        return kind, sp.eye(n)
    if kind == "log":
        return kind, sp.diag(*[1 / c**2 for c in coords])
    if kind == "diagonal":
        return kind, sp.diag(*[draw(st.sampled_from(_diagonal_entries(c, chart.domain[c]))) for c in coords])
    terms = _poly_terms(coords)
    L = sp.zeros(n, n)
    for i in range(n):
        for j in range(i + 1):
            L[i, j] = draw(st.sampled_from(COEFFS + [sp.Integer(0)])) * draw(st.sampled_from(terms))
    # at least one position-dependent entry
    i = draw(st.integers(0, n - 1))
    L[i, 0] = L[i, 0] + draw(st.sampled_from(coords))
    return kind, (L * L.T + sp.eye(n)).applyfunc(sp.expand)


@st.composite
def metrics(draw, chart, kinds=("euclidean", "diagonal", "log", "dense")):
    """A :class:`sg.Metric` on ``chart``, built with the public constructors where one exists."""
    kind, m = draw(metric_matrices(chart, kinds))
    if kind == "euclidean":
        return sg.euclidean(chart)
    if kind == "log":
        return sg.log_metric(chart)
    if kind == "diagonal":
        return sg.diagonal(chart, [m[i, i] for i in range(chart.dim)])
    return sg.Metric(chart.manifold, chart, m)


# -- costs and vector fields -------------------------------------------------------------------


def _cost_atoms(c, interval):
    atoms = [c, c**2, (c - 1) ** 2, sp.exp(c / 2), sp.log(1 + c**2), c**3 / 3]
    if is_positive(interval):
        atoms += [sp.log(c), 1 / c, sp.sqrt(c)]
    return atoms


@st.composite
def cost_expressions(draw, chart, *, all_coords=True, max_extra=2):
    """A cost expression in ``chart``'s coordinates: polynomial / exp / log combinations.

    With ``all_coords`` (the default) every coordinate appears in a term of its own, so that
    the cost is not constant along any coordinate axis.
    """
    coords = list(chart.coords)
    terms = []
    if all_coords:
        for c in coords:
            terms.append(draw(st.sampled_from(COEFFS)) * draw(st.sampled_from(_cost_atoms(c, chart.domain[c]))))
    for _ in range(draw(st.integers(0 if all_coords else 1, max_extra))):
        if len(coords) > 1 and draw(st.booleans()):
            a, b = draw(st.permutations(coords))[:2]
            terms.append(draw(st.sampled_from(COEFFS)) * a * b)
        else:
            c = draw(st.sampled_from(coords))
            terms.append(draw(st.sampled_from(COEFFS)) * draw(st.sampled_from(_cost_atoms(c, chart.domain[c]))))
    return sp.Add(*terms)


@st.composite
def costs(draw, chart, **kw):
    """A :class:`sg.Scalar` cost on ``chart``."""
    return sg.Scalar(chart.manifold, chart, draw(cost_expressions(chart, **kw)))


@st.composite
def vector_components(draw, chart, constant=False):
    """A list of ``dim`` component expressions (constants, or polynomials in the coordinates)."""
    coords = list(chart.coords)
    out = []
    for _ in coords:
        c = draw(st.sampled_from(COEFFS + [sp.Integer(0)]))
        if constant:
            out.append(c)
        else:
            out.append(c * draw(st.sampled_from(_poly_terms(coords))) + draw(st.sampled_from(COEFFS)))
    return out
