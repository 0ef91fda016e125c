"""Numeric helpers shared by the tests: evaluate sympy expressions at points and compare.

These are independent of symgrad's own numeric machinery (``symgrad.core._domain``), so that
a test never checks the code under test with itself.
"""

import mpmath
import numpy as np
import sympy as sp

#: Expressions are evaluated in multiple precision, so that ill-conditioned (but correct)
#: closed forms do not fail a comparison at rtol 1e-7.
WORKING_DIGITS = 40

#: Values given to parameters (symbols that are no chart's coordinates) in numeric checks.
PARAMETER_VALUES = {"eta": 0.7, "mu0": 1.3, "sigma0": 0.8}


def _as_list(expr):
    if isinstance(expr, sp.MatrixBase):
        return list(expr), expr.shape
    if isinstance(expr, (list, tuple)):
        return list(expr), (len(expr),)
    return [expr], ()


def evaluate(expr, chart, pts, params=None):
    """Evaluate ``expr`` (an expression, list or Matrix in ``chart``'s coordinates) at ``pts``.

    ``pts`` has shape (n, dim).  Parameters are given by ``params`` ({Symbol: value}) or
    by name from :data:`PARAMETER_VALUES`.  Returns an array of shape (n,) + shape(expr).
    """
    entries, shape = _as_list(expr)
    entries = [sp.sympify(e) for e in entries]
    coords = list(chart.coords)
    free = set().union(*[e.free_symbols for e in entries]) - set(coords)
    params = dict(params or {})
    for s in free:
        if s not in params:
            if s.name not in PARAMETER_VALUES:
                raise AssertionError(f"expression uses {s}, neither a coordinate of {chart.name} nor a parameter")
            params[s] = PARAMETER_VALUES[s.name]
    entries = [e.xreplace({s: sp.Float(v, 30) for s, v in params.items()}) for e in entries]
    f = sp.lambdify(coords, entries, modules="mpmath")
    pts = np.asarray(pts, dtype=float)
    n = pts.shape[0]
    out = np.empty((n, len(entries)), dtype=complex)
    with mpmath.workdps(WORKING_DIGITS):
        for k, pt in enumerate(pts):
            try:
                vals = f(*[mpmath.mpf(float(v)) for v in pt])
            except (ZeroDivisionError, OverflowError, ValueError):
                out[k] = np.nan
                continue
            out[k] = [complex(v) if _finite(v) else np.nan for v in vals]
    assert np.all(~np.isfinite(out) | (np.abs(out.imag) <= 1e-12 * (1 + np.abs(out.real)))), f"complex values of {expr}"
    return out.real.reshape((n,) + shape)


def _finite(v):
    try:
        return mpmath.isfinite(v)
    except TypeError:
        return True


def assert_close(a, b, chart, pts, params=None, rtol=1e-7, what=""):
    """Assert that two expressions/matrices in ``chart`` agree numerically at ``pts``."""
    va = evaluate(a, chart, pts, params)
    vb = evaluate(b, chart, pts, params)
    finite = np.isfinite(va) & np.isfinite(vb)
    assert finite.any(), f"{what}: no finite values to compare"
    assert np.array_equal(np.isfinite(va), np.isfinite(vb)), f"{what}: finite in one and not the other"
    scale = np.maximum(np.abs(va), np.abs(vb))[finite]
    err = np.abs(va - vb)[finite]
    tol = rtol * scale + rtol * 1e-2
    bad = err > tol
    assert not bad.any(), (
        f"{what}: differ at {int(bad.sum())} of {bad.size} values; max error {err.max():.3g}\n  a = {a}\n  b = {b}"
    )


def differ(a, b, chart, pts, params=None, rtol=1e-6):
    """Whether two expressions/matrices in ``chart`` differ numerically at some point of ``pts``."""
    va = evaluate(a, chart, pts, params)
    vb = evaluate(b, chart, pts, params)
    finite = np.isfinite(va) & np.isfinite(vb)
    err = np.abs(va - vb)[finite]
    scale = np.maximum(np.abs(va), np.abs(vb))[finite]
    return bool(np.any(err > rtol * scale + 1e-9))


def symbolically_equal(a, b):
    """Whether ``a - b`` simplifies to zero (entrywise for matrices)."""
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        a, b = sp.Matrix(a), sp.Matrix(b)
        if a.shape != b.shape:
            return False
        return all(symbolically_equal(x, y) for x, y in zip(a, b))
    d = sp.sympify(a) - sp.sympify(b)
    return d == 0 or sp.cancel(d) == 0 or sp.simplify(d) == 0


#: The minimal model file of the model-file specification, which must load as it stands.
MINIMAL_MODEL = """
[coordinates]
mu = "real"
sigma = "positive"

[charts]
A = ["mu", "sigma"]

[cost]
chart = "A"
expr = "log(sigma) + (1 + (mu - 2)**2)/(2*sigma**2)"

[metrics]
euclid = { kind = "euclidean", chart = "A" }
"""
