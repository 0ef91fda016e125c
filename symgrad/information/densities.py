r"""Densities given by expressions, and densities of transformed variables.

:class:`Density` is any density written as a sympy expression in a data
variable; :class:`TransformedDensity` the density of :math:`y = g(x; \theta)`
for an invertible map ``g`` of the data.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp

from ..core import _domain
from ..core._coerce import as_expr
from ..core.linalg import congruence
from ..errors import (
    FamilyError,
    IntegrationError,
    NotInvertibleError,
    NotNormalizedError,
    SymgradError,
)
from ..numeric import _kernels
from ._expect import data_symbol, fisher_information, integrated_fisher, standard_constants
from ._integration import (
    CHECK_TIMEOUT,
    Clock,
    _affine_parts,
    _free_of,
    affine_factor,
    integrate,
    reduced_fisher,
    time_limited,
)
from .families import Family, _bound_values, _check_data_symbol, _family_symbols, _numeric_values
from .multivariate import MultivariateNormal

__all__ = ["Density", "TransformedDensity"]


# -- densities given by expressions ------------------------------------------------------------


def _interval(support, what):
    if isinstance(support, sp.Interval):
        return support
    try:
        lo, hi = support
    except (TypeError, ValueError):
        raise FamilyError(f"the support of {what} is a pair (lo, hi) or a sympy Interval, got {support!r}") from None
    lo, hi = (
        as_expr(lo, f"the lower end of the support of {what}"),
        as_expr(hi, f"the upper end of the support of {what}"),
    )
    if _domain.ask(hi - lo, "extended_positive") is False:
        raise FamilyError(f"the support ({lo}, {hi}) of {what} is empty")
    return sp.Interval(lo, hi)


def _ends(interval, values):
    """The ends of ``interval`` as floats, its symbols given by ``values`` ({Symbol: float})."""
    subs = {k: sp.Float(v) for k, v in values.items()}
    return tuple(float(sp.sympify(e).xreplace(subs)) for e in (interval.start, interval.end))


def _grid_points(lo, hi, n=201):
    """Points spread over ``(lo, hi)``, for numeric checks."""
    if math.isfinite(lo) and math.isfinite(hi):
        return lo + (hi - lo) * np.linspace(0.002, 0.998, n)
    if math.isfinite(lo):
        return lo + np.exp(np.linspace(-8, 5, n))
    if math.isfinite(hi):
        return hi - np.exp(np.linspace(-8, 5, n))
    return np.sinh(np.linspace(-5, 5, n))


def _near_points(lo, hi, n=9):
    """A few points of ``(lo, hi)`` at moderate values (no overflow in round trips)."""
    t = np.linspace(-1, 1, n)
    if math.isfinite(lo) and math.isfinite(hi):
        return lo + (hi - lo) * (0.5 + 0.4 * t)
    if math.isfinite(lo):
        return lo + np.exp(t)
    if math.isfinite(hi):
        return hi - np.exp(t)
    return t


def _probe(f, centre, lo, hi):
    """Points log-spaced on both sides of ``centre`` inside ``(lo, hi)``, with the density there."""
    steps = np.logspace(-6, 8, 4001)
    pts = np.concatenate([centre - steps[::-1], [centre], centre + steps])
    pts = pts[(pts > lo) & (pts < hi)]
    with np.errstate(all="ignore"):
        vals = np.nan_to_num(np.real(np.asarray(f(pts), dtype=complex)) * np.ones_like(pts))
    return pts, np.clip(vals, 0, None)


def _grid_sampler(f, lo, hi, size, rng, refine=25):
    """Samples from the numeric density ``f`` on ``(lo, hi)`` by a tabulated inverse CDF.

    The table lives on points log-spaced around the mode (found by a first
    probe), each gap cut in ``refine`` pieces: fine near the mass, coarse in
    heavy tails.  Meant for tests and examples, not for extreme densities.
    """
    if math.isfinite(lo) and math.isfinite(hi):
        edges = np.linspace(lo, hi, 200_001)
    else:
        centre = lo + 1.0 if math.isfinite(lo) else (hi - 1.0 if math.isfinite(hi) else 0.0)
        pts, vals = _probe(f, centre, lo, hi)
        if not np.any(vals > 0):
            raise FamilyError("the density is zero everywhere at these parameter values")
        pts, vals = _probe(f, pts[np.argmax(vals)], lo, hi)
        keep = np.nonzero(vals > 1e-14 * vals.max())[0]
        pts = pts[max(keep[0] - 1, 0) : keep[-1] + 2]
        if math.isfinite(lo):
            pts = np.concatenate([[lo], pts])
        if math.isfinite(hi):
            pts = np.concatenate([pts, [hi]])
        frac = np.arange(refine) / refine
        edges = np.concatenate([(pts[:-1, None] + np.diff(pts)[:, None] * frac).ravel(), pts[-1:]])
    mids = (edges[1:] + edges[:-1]) / 2
    with np.errstate(all="ignore"):
        dens = np.nan_to_num(np.real(np.asarray(f(mids), dtype=complex)) * np.ones_like(mids))
    cdf = np.concatenate([[0.0], np.cumsum(np.clip(dens, 0, None) * np.diff(edges))])
    cdf /= cdf[-1]
    return np.interp(rng.random(size), cdf, edges)


class Density(Family):
    r"""A density given as a sympy expression in a data variable ``x``.

    Parameters
    ----------
    pdf : sympy.Expr
        The density, in ``x`` and parameters (chart coordinates or other symbols).
    x : sympy.Symbol
        The data variable.
    support : tuple (lo, hi) or sympy.Interval
        Defaults to the real line.
    check : bool
        Check that the density integrates to one: symbolically when sympy
        integrates it within a few seconds, otherwise by quadrature at random
        parameter values.  Raises :class:`~symgrad.NotNormalizedError`.

    The parameters are the free symbols of ``pdf`` other than ``x``, sorted by
    name.  The Fisher information is found by symbolic integration
    (:func:`~symgrad.fisher_metric`).

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, th = sp.symbols("x theta", positive=True)
    >>> fam = sg.Density(th * x**(th - 1), x, support=(0, 1))
    >>> fam.parameters
    (theta,)
    >>> fam.fisher_matrix()
    Matrix([[theta**(-2)]])
    """

    def __init__(
        self,
        pdf: sp.Expr,
        x: sp.Symbol,
        support: tuple[sp.Expr | float, sp.Expr | float] | sp.Interval = (-sp.oo, sp.oo),
        *,
        check: bool = True,
    ) -> None:
        self.variable = _check_data_symbol(x, "the variable of a Density")
        self.expr = as_expr(pdf, "the pdf of a Density")
        self.support = _interval(support, "a Density")
        if check:
            self._check_normalised()

    def __repr__(self) -> str:
        s = self.support
        return f"Density({self.expr}, {self.variable}, support=({s.start}, {s.end}))"

    def _key(self):
        return (self.expr, self.variable, self.support)

    @property
    def parameters(self) -> tuple[sp.Expr, ...]:
        """The free symbols of the pdf and the support, other than the variable."""
        free = (self.expr.free_symbols | self.support.free_symbols) - {self.variable}
        return tuple(sorted(free, key=sp.default_sort_key))

    def log_pdf(self, x: sp.Expr) -> sp.Expr:
        """The log-density, logs of products expanded (the pdf is positive on its support)."""
        return sp.expand_log(sp.log(self.expr), force=True).xreplace({self.variable: x})

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """The density at ``x``."""
        return self.expr.xreplace({self.variable: x})

    def _draw(self, p, size, rng):
        sym = self.parameters
        f = _kernels.lambdify([self.variable] + list(sym), self.expr)
        lo, hi = _numeric_values((self.support.start, self.support.end), dict(zip(sym, p)), self)
        return _grid_sampler(lambda t: f(t, *p), lo, hi, size, rng)

    def _check_normalised(self):
        x, (lo, hi) = self.variable, (self.support.start, self.support.end)
        try:
            total = integrate(self.expr, x, lo, hi, Clock(CHECK_TIMEOUT), "normalisation")
        except IntegrationError:
            total = None
        if total is not None:
            intervals = {s: _domain.interval_of(s) or _domain.REALS for s in total.free_symbols}
            verdict, _ = _domain.decide_zero(total - 1, intervals)
            if verdict is True:
                return
            if verdict is False:
                raise NotNormalizedError(
                    f"{self!r} integrates to {sp.simplify(total)} over its support, not to 1; "
                    "divide the pdf by that integral, or correct the support"
                )
        self._check_normalised_numerically()

    def _check_normalised_numerically(self, n=4):
        from scipy import integrate as scint

        sym = self.parameters
        f = _kernels.lambdify([self.variable] + list(sym), self.expr)
        values = _domain.sample(sym, {}, n=n)
        for k in range(n):
            p = [float(values[s][k]) for s in sym]
            try:
                lo, hi = _numeric_values((self.support.start, self.support.end), dict(zip(sym, p)), self)
                with np.errstate(all="ignore"):
                    total, err = scint.quad(lambda t, p=p: float(np.real(f(t, *p))), lo, hi, limit=200)
            except (SymgradError, ValueError, ZeroDivisionError, OverflowError, TypeError):
                continue
            if not math.isfinite(total) or err > 1e-6:
                continue
            if abs(total - 1) > 1e-6:
                at = ", ".join(f"{s}={v:.4g}" for s, v in zip(sym, p))
                raise NotNormalizedError(
                    f"{self!r} integrates to {total:.6g}, not 1, at {at or 'any parameters'}; "
                    "divide the pdf by its integral, or correct the support"
                )

    def fisher_matrix(self, timeout: float | None = 10.0, *, identify: bool = True) -> sp.MatrixBase:
        """The Fisher matrix in ``parameters``: structure, else symbolic integration (time-limited).

        ``identify=False``: constants without a closed form from sympy raise
        :class:`~symgrad.IntegrationError` instead of being identified numerically.
        """
        return fisher_information(self, self.parameters, "auto", Clock(timeout, identify=identify))


class TransformedDensity(Family):
    r"""The density of :math:`y = g(x; \theta)` for :math:`x` drawn from ``base``.

    :math:`p_y(y) = p_x(h(y)) \, |h'(y)|` with :math:`h = g^{-1}`; ``g`` must be
    invertible in ``x`` on the base's support (checked: the sign of
    :math:`\partial g/\partial x`, symbolically or on a grid of points), else
    :class:`~symgrad.NotInvertibleError`.

    The Fisher information is that of the observed ``y``.  Structure is used
    before integration (:func:`~symgrad.fisher_metric`): a map free of the
    coordinates leaves the Fisher information of the base unchanged, and a map
    :math:`\phi(\alpha x + \beta)` with :math:`\phi` free of the coordinates
    sends a location-scale base to a location-scale family.

    Parameters
    ----------
    base : Family
        A continuous one-dimensional family or :class:`Density` of ``x``.
    x : sympy.Symbol
        The variable of ``g``.
    g : sympy.Expr
        The map, in ``x`` and parameters.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> x, y = sp.symbols("x y", real=True)
    >>> mu, a = sp.Symbol("mu", real=True), sp.Symbol("a", positive=True)
    >>> lognormal = sg.TransformedDensity(sg.Normal(mean=mu, std=a), x, sp.exp(x))
    >>> lognormal.support
    Interval.open(0, oo)
    >>> lognormal.log_pdf(y)
    -log(a) - log(y) - log(2*pi)/2 - (-mu + log(y))**2/(2*a**2)
    """

    def __init__(self, base: Family, x: sp.Symbol, g: sp.Expr) -> None:
        if not isinstance(base, Family):
            raise FamilyError(f"the base of a TransformedDensity is a family, got {base!r}")
        if base.discrete or isinstance(base, MultivariateNormal):
            raise FamilyError(f"TransformedDensity maps a continuous one-dimensional family; {base!r} is not one")
        self.base = base
        self.variable = _check_data_symbol(x, "the variable of a TransformedDensity")
        self.map = as_expr(g, "the map of a TransformedDensity")
        self.direction = self._monotonicity()

    def __repr__(self) -> str:
        return f"TransformedDensity({self.base!r}, {self.variable}, {self.map})"

    def _key(self):
        return (self.base, self.variable, self.map)

    @property
    def parameters(self) -> tuple[sp.Expr, ...]:
        """The free symbols of the base's parameters and of the map, other than the variable."""
        free = set().union(*[sp.sympify(p).free_symbols for p in self.base.parameters], self.map.free_symbols)
        return tuple(sorted(free - {self.variable}, key=sp.default_sort_key))

    def _monotonicity(self):
        """+1 (increasing), -1 (decreasing) or 0 (the direction depends on the parameters)."""
        x, g = self.variable, self.map
        dg = sp.diff(g, x)
        bad = (
            f"the map y = {g} of a TransformedDensity is not invertible in {x} on the support "
            f"{self.base.support} of {self.base!r}"
        )
        if dg == 0:
            raise NotInvertibleError(f"{bad}: it does not depend on {x}; pass a map of the data")
        support = self.base.support
        if _domain.decide_positive(dg, {x: support}) is True:
            return 1
        if _domain.decide_positive(-dg, {x: support}) is True:
            return -1
        others = sorted((dg.free_symbols | support.free_symbols) - {x}, key=sp.default_sort_key)
        values = _domain.sample(others, {}, n=8)
        f = _kernels.lambdify([x] + others, dg)
        signs = set()
        for k in range(8):
            p = [values[s][k] for s in others]
            grid = _grid_points(*_ends(support, dict(zip(others, p))))
            with np.errstate(all="ignore"):
                v = np.real(np.asarray(f(grid, *p), dtype=complex)) * np.ones_like(grid)
            v = v[np.isfinite(v)]
            if len(v) == 0:
                continue
            scale = np.abs(v).max()
            pos, neg = np.any(v > 1e-12 * scale), np.any(v < -1e-12 * scale)
            if pos and neg:
                raise NotInvertibleError(
                    f"{bad}: its derivative {dg} changes sign there; restrict the base's support to "
                    "an interval where the map is monotone (a Density with support=(lo, hi)), or "
                    "pass a monotone map"
                )
            if scale == 0:
                raise NotInvertibleError(f"{bad}: its derivative {dg} vanishes there")
            signs.add(1 if pos else -1)
        return signs.pop() if len(signs) == 1 else 0

    @functools.cached_property
    def inverse(self) -> sp.Expr:
        """:math:`h(y)`, the inverse map, written in a Dummy variable ``.inverse_variable``."""
        x, g = self.variable, self.map
        Y = self.inverse_variable
        try:
            candidates = time_limited(lambda: sp.solve(sp.Eq(Y, g), x), 10.0)
        except (TimeoutError, NotImplementedError, ValueError) as err:
            raise FamilyError(f"sympy could not invert the map {g} of {self!r} ({err})") from None
        support = self.base.support
        others = sorted((g.free_symbols | support.free_symbols) - {x}, key=sp.default_sort_key)
        values = _domain.sample(others, {}, n=4)
        fg = _kernels.lambdify([x] + others, g)
        for h in candidates:
            if x in h.free_symbols:
                continue
            fh = _kernels.lambdify([Y] + others, h)
            ok = True
            for k in range(4):
                p = [values[s][k] for s in others]
                xs = _near_points(*_ends(support, dict(zip(others, p))))
                with np.errstate(all="ignore"):
                    back = np.asarray(fh(np.asarray(fg(xs, *p), dtype=complex), *p), dtype=complex)
                good = np.isfinite(back)
                if not np.allclose(back[good], xs[good], rtol=1e-6, atol=1e-8) or good.sum() < 3:
                    ok = False
                    break
            if ok:
                return h
        raise FamilyError(
            f"no inverse of the map y = {g} of {self!r} was found in closed form "
            f"(sympy gave {len(candidates)} candidate(s))"
        )

    @functools.cached_property
    def inverse_variable(self) -> sp.Dummy:
        """The Dummy in which :attr:`inverse` is written."""
        return sp.Dummy("y", real=True)

    def _jacobian_factor(self, y):
        h = self.inverse.xreplace({self.inverse_variable: y})
        dh = sp.diff(self.inverse, self.inverse_variable).xreplace({self.inverse_variable: y})
        return h, dh

    def log_pdf(self, y: sp.Expr) -> sp.Expr:
        """:math:`\\log p_x(h(y)) + \\log|h'(y)|`."""
        h, dh = self._jacobian_factor(y)
        jac = {1: sp.log(dh), -1: sp.log(-dh), 0: sp.log(dh**2) / 2}[self.direction]
        return self.base.log_pdf(h) + sp.expand_log(jac, force=True)

    def pdf(self, y: sp.Expr) -> sp.Expr:
        """:math:`p_x(h(y)) |h'(y)|`."""
        h, dh = self._jacobian_factor(y)
        return self.base.pdf(h) * {1: dh, -1: -dh, 0: sp.Abs(dh)}[self.direction]

    @functools.cached_property
    def support(self) -> sp.Set:
        """The image of the base's support under the map."""
        x, g = self.variable, self.map
        lo, hi = self.base.support.start, self.base.support.end
        fac = affine_factor(g, x, g.free_symbols - {x})
        if fac is not None and lo == -sp.oo and hi == sp.oo:
            _, _, phi, U = fac
            g, x = phi, U
        try:
            a = time_limited(lambda: sp.limit(g, x, lo, "+"), 10.0)
            b = time_limited(lambda: sp.limit(g, x, hi, "-"), 10.0)
        except (TimeoutError, NotImplementedError, ValueError) as err:
            raise FamilyError(f"the support of {self!r} could not be found ({err})") from None
        if any(v.has(sp.Limit, sp.AccumBounds, sp.nan, sp.zoo) for v in (a, b)):
            raise FamilyError(f"the support of {self!r} could not be found (limits {a}, {b})")
        if _domain.ask(b - a, "extended_negative"):
            a, b = b, a
        elif _domain.ask(b - a, "extended_positive") is not True:
            raise FamilyError(f"the support of {self!r} could not be ordered (ends {a}, {b})")
        return sp.Interval.open(a, b)

    def as_density(self, y: sp.Symbol | None = None, *, check: bool = False) -> Density:
        """The same family as a :class:`Density` in ``y`` (a Dummy by default)."""
        y = self.inverse_variable if y is None else y
        return Density(self.pdf(y), y, support=self.support, check=check)

    def sample(self, values, size, rng=None):
        """Samples of ``y = g(x)``, with ``x`` sampled from the base."""
        bound = _bound_values(values, self)
        base = _family_symbols(self.base)
        xs = self.base.sample({s: v for s, v in bound.items() if s in base}, size, rng)
        others = sorted(self.map.free_symbols - {self.variable}, key=sp.default_sort_key)
        p = _numeric_values(others, bound, self)
        return np.real(
            np.asarray(_kernels.lambdify([self.variable] + others, self.map)(xs, *p), dtype=complex)
        ) * np.ones(size)

    def fisher_matrix(self, timeout: float | None = 10.0, *, identify: bool = True) -> sp.MatrixBase:
        """The Fisher matrix in ``parameters`` (structure first, then integration).

        ``identify=False``: constants without a closed form from sympy raise
        :class:`~symgrad.IntegrationError` instead of being identified numerically.
        """
        return fisher_information(self, self.parameters, "auto", Clock(timeout, identify=identify))


# -- the Fisher information of densities (rules of the one dispatch) ---------------------------


def standardize(density: Density, theta) -> tuple[sp.Expr, sp.Expr, Density] | None:
    r"""Location :math:`m`, scale :math:`s` and standard density :math:`f` with :math:`p(x) = f((x - m)/s)/s`.

    :math:`f` is free of the symbols ``theta``; :math:`m` and :math:`s > 0`
    are expressions in them.  Candidates come from the density itself: the
    subexpressions :math:`\alpha x + \beta` affine in ``x`` (location
    :math:`-\beta/\alpha`, scale :math:`\pm 1/\alpha`) and the positive
    symbols of ``theta`` (scales :math:`t`, :math:`\sqrt{t}`, :math:`1/t`).
    Only densities on the whole real line are standardized.

    Returns
    -------
    tuple (m, s, standard) or None
        ``standard`` is a :class:`Density` in a Dummy variable, not re-checked.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> from symgrad.information.densities import standardize
    >>> x, mu = sp.Symbol("x", real=True), sp.Symbol("mu", real=True)
    >>> g = sp.Symbol("gamma", positive=True)
    >>> m, s, f = standardize(sg.Density(g / (sp.pi * (g**2 + (x - mu)**2)), x), [mu, g])
    >>> m, s, f.expr.xreplace({f.variable: sp.Symbol("u")})
    (mu, gamma, 1/(pi*u**2 + pi))
    """
    if density.support != _domain.REALS:
        return None
    x, pdf, ts = density.variable, density.expr, set(theta)
    if not pdf.free_symbols & ts:
        return None
    locs, scales = [sp.Integer(0)], [sp.Integer(1)]
    for alpha, beta in _affine_parts(pdf, x):
        locs.append(sp.cancel(-beta / alpha))
        scales += [sp.cancel(1 / alpha), sp.cancel(-1 / alpha)]
    for t in sorted(ts & pdf.free_symbols, key=sp.default_sort_key):
        if t.is_positive:
            scales += [t, sp.sqrt(t), 1 / t]
    u = sp.Dummy("u", real=True)
    for m in dict.fromkeys(locs):
        for sc in dict.fromkeys(scales):
            if not ((m.free_symbols | sc.free_symbols) & ts) or _domain.ask(sc, "positive") is not True:
                continue
            f = _free_of(sc * pdf.xreplace({x: m + sc * u}), ts)
            if f is not None:
                return m, sc, Density(f, u, check=False)
    return None


def location_scale_fisher(m: sp.Expr, s: sp.Expr, standard: Family, theta, clock: Clock) -> sp.MatrixBase:
    r"""The Fisher matrix in ``theta`` of :math:`f((x - m)/s)/s`, ``standard`` being :math:`f`.

    :math:`G = J^T C J / s^2` with :math:`J = \partial(m, s)/\partial\theta` and
    :math:`C` the three constants of :math:`f`
    (:func:`~symgrad.information._expect.standard_constants`).
    """
    c_m, c_s, c_ms = standard_constants(standard, clock)
    J = sp.Matrix([m, s]).jacobian(list(theta))
    return congruence(J, sp.Matrix([[c_m, c_ms], [c_ms, c_s]]) / s**2, "fast")


@fisher_information.register
def _density_fisher(family: Density, theta, method, clock):
    """Structure first (location-scale, periodic or scale densities), else integrate (unless ``method="closed"``)."""
    theta = list(theta)
    if method != "integrate":
        found = standardize(family, theta)
        if found is not None:
            m, s, standard = found
            return location_scale_fisher(m, s, standard, theta, clock)
        # a periodic density's location, or a scale on (0, oo), moved out of the integrals
        reduced = reduced_fisher(family.expr, family.variable, family.support, theta, clock)
        if reduced is not None:
            return reduced
    if method == "closed":
        raise IntegrationError(f"{family!r} has no closed-form Fisher information; use method='auto'")
    return integrated_fisher(family, theta, clock)


@data_symbol.register
def _density_variable(family: Density):
    return family.variable


def _free(exprs):
    return set().union(*[sp.sympify(e).free_symbols for e in exprs]) if exprs else set()


@fisher_information.register
def _transformed_fisher(td: TransformedDensity, theta, method, clock):
    """Structure first: a map free of ``theta``, an affine map of a location-scale base."""
    theta = list(theta)
    if method == "integrate":
        return integrated_fisher(td.as_density(), theta, clock)
    x, g, base = td.variable, td.map, td.base
    ts = set(theta)
    if not (g.free_symbols & ts):
        # a map free of the coordinates is a fixed invertible map of the data
        return fisher_information(base, theta, method, clock)
    fac = affine_factor(g, x, ts)
    if fac is not None:
        alpha, beta = fac[0], fac[1]
        if hasattr(base, "_location_scale"):
            loc, var, c_m, c_s = base._location_scale()
            m, w = alpha * loc + beta, alpha**2 * var
            J = sp.Matrix([m, w]).jacobian(theta)
            return congruence(J, sp.diag(c_m / w, c_s / (4 * w**2)), "fast")
        if not (_free(base.parameters) & ts) and base.support == _domain.REALS:
            return location_scale_fisher(beta, alpha, base, theta, clock)
    if method == "closed":
        raise IntegrationError(
            f"{td!r} has no closed-form Fisher information by structure; use method='auto' to integrate"
        )
    return integrated_fisher(td.as_density(), list(theta), clock)
