"""Time to the simplified natural gradient: symgrad against plain sympy, in one process.

Three problems, each stated once (``problem_*``) and solved twice:

(a) the diagonal Gaussian family with n means and n stds, cost the sum of the
    KL divergences to N(1, 1), Fisher metric diag(1/s^2, 2/s^2, ...); n = 1..64;
(b) the full-covariance Gaussian N(m, L L^T) in Cholesky coordinates (m, L),
    cost KL(N(0, I) || N(m, L L^T)), its Fisher metric; d = 1..4;
(c) the cost sum((x_i - 1)^2) under the metric pulled back from Euclidean space
    by F_i = x_i + (w_i . x)^2 / 2, W drawn by random.Random(1); n = 2..4.

symgrad: ``sg.riemannian_gradient(cost, metric)`` (metric construction and its
checks included).  Plain sympy: ``G.inv() * dC``, then ``simplify`` on each
entry.  A baseline is skipped (shown as "-") once a smaller size of the same
problem took longer than ``--budget`` seconds.

Run ``python benchmarks/bench_gradient.py`` (``--quick`` for small sizes only).
"""

import argparse
import random
import time

import sympy as sp
from sympy.core.cache import clear_cache

import symgrad as sg


def problem_diagonal_gaussian(n):
    """(a): manifold chart, cost Scalar and Fisher Metric matrix of the diagonal Gaussian."""
    means = sp.symbols(f"m0:{n}", real=True)
    stds = sp.symbols(f"s0:{n}", positive=True)
    M = sg.Manifold(f"diagonal Gaussian n={n}")
    A = M.chart([c for pair in zip(means, stds) for c in pair])
    cost = sp.Add(*[sp.log(s) + (1 + (m - 1) ** 2) / (2 * s**2) - sp.Rational(1, 2) for m, s in zip(means, stds)])
    G = sp.diag(*[e for s in stds for e in (1 / s**2, 2 / s**2)])
    return A, cost, G


def problem_cholesky_gaussian(d):
    """(b): N(m, L L^T) in Cholesky coordinates, cost KL(N(0, I) || N(m, L L^T))."""
    m = sp.symbols(f"m0:{d}", real=True)
    entries = {(i, j): sp.Symbol(f"L{i}{j}", positive=(i == j), real=True) for i in range(d) for j in range(i + 1)}
    L = sp.Matrix(d, d, lambda i, j: entries.get((i, j), 0))
    lcoords = [entries[k] for k in sorted(entries)]
    M = sg.Manifold(f"Gaussian d={d}")
    A = M.chart(list(m) + lcoords)
    S = L * L.T
    Linv = L.inv(method="LU").applyfunc(sp.cancel)
    Sinv = (Linv.T * Linv).applyfunc(sp.cancel)
    mv = sp.Matrix(m)
    cost = (Sinv.trace() + (mv.T * Sinv * mv)[0, 0] - d) / 2 + sum(sp.log(L[i, i]) for i in range(d))
    n = d + len(lcoords)
    G = sp.zeros(n, n)
    G[:d, :d] = Sinv
    dS = [S.diff(c) for c in lcoords]
    for a in range(len(dS)):
        for b in range(a, len(dS)):
            G[d + a, d + b] = G[d + b, d + a] = sp.cancel((Sinv * dS[a] * Sinv * dS[b]).trace() / 2)
    return A, cost, G


def problem_pullback(n):
    """(c): sum((x_i - 1)^2) under the pullback of the Euclidean metric by F_i = x_i + (w_i . x)^2 / 2."""
    rng = random.Random(1)
    W = [[rng.choice([-1, 0, 1, 2]) for _ in range(n)] for _ in range(n)]
    x = sp.symbols(f"x0:{n}", real=True)
    u = sp.symbols(f"u0:{n}", real=True)
    A = sg.Manifold(f"parameters n={n}").chart(x)
    U = sg.Manifold(f"outputs n={n}").chart(u)
    F = sg.Map(A, U, {u[i]: x[i] + sp.Add(*[W[i][j] * x[j] for j in range(n)]) ** 2 / 2 for i in range(n)})
    cost = sp.Add(*[(xi - 1) ** 2 for xi in x])
    return A, U, F, cost


def symgrad_matrix(A, cost, G, simplify="fast"):
    metric = sg.Metric(A.manifold, A, G)
    return sg.riemannian_gradient(sg.Scalar(A.manifold, A, cost), metric, simplify=simplify).components()


def symgrad_pullback(A, U, F, cost, simplify="fast"):
    metric = sg.pullback(sg.euclidean(U), F)
    return sg.riemannian_gradient(sg.Scalar(A.manifold, A, cost), metric, simplify=simplify).components()


def plain_sympy(coords, cost, G):
    dC = sp.Matrix([sp.diff(cost, c) for c in coords])
    return (G.inv() * dC).applyfunc(sp.simplify)


def _timed(f, *args, **kwargs):
    clear_cache()  # neither side profits from what sympy cached for the other
    t = time.perf_counter()
    out = f(*args, **kwargs)
    return time.perf_counter() - t, out


def _size(m):
    return sp.count_ops(m), len(str(m))


def run(sizes_a, sizes_b, sizes_c, budget):
    rows = []

    def row(case, size, ours, base, note=""):
        (t1, v1), (t2, v2) = ours, base
        o1, c1 = _size(v1)
        o2, c2 = _size(v2) if v2 is not None else ("-", "-")
        rows.append((case, size, t1, t2, o1, o2, c1, c2, note))
        print(_format(rows[-1]), flush=True)

    print(_header(), flush=True)
    for case, problem, sizes in (
        ("(a) diagonal Gaussian", problem_diagonal_gaussian, sizes_a),
        ("(b) Cholesky Gaussian", problem_cholesky_gaussian, sizes_b),
    ):
        skip = False
        for n in sizes:
            A, cost, G = problem(n)
            ours = _timed(symgrad_matrix, A, cost, G)
            base = (None, None) if skip else _timed(plain_sympy, A.coords, cost, G)
            skip = skip or base[0] > budget
            row(case, f"{'d' if 'Cholesky' in case else 'n'}={n} ({len(A.coords)} params)", ours, base)
    skip = False
    for n in sizes_c:
        A, U, F, cost = problem_pullback(n)
        base = (None, None)
        if not skip:
            G = sg.pullback(sg.euclidean(U), F).components()
            base = _timed(plain_sympy, A.coords, cost, G)
            skip = base[0] > budget
        for level in ("fast", "compact"):
            ours = _timed(symgrad_pullback, A, U, F, cost, simplify=level)
            row("(c) pullback metric", f"n={n}", ours, base, note=f"simplify={level!r}")
    return rows


def _header():
    cols = ("problem", "size", "symgrad s", "sympy s", "speed-up", "ops", "sympy ops", "chars", "sympy chars", "note")
    return " | ".join(cols) + "\n" + " | ".join("---" for _ in cols)


def _format(r):
    case, size, t1, t2, o1, o2, c1, c2, note = r
    speed = f"{t2 / t1:.1f}x" if t2 is not None else "-"
    t2s = f"{t2:.3f}" if t2 is not None else "-"
    return f"{case} | {size} | {t1:.3f} | {t2s} | {speed} | {o1} | {o2} | {c1} | {c2} | {note}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument(
        "--budget", type=float, default=30.0, help="skip larger baselines after one takes this long (s)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        run([1, 2, 4], [1, 2], [2], args.budget)
    else:
        run([1, 2, 4, 8, 16, 32, 64], [1, 2, 3, 4], [2, 3, 4], args.budget)


if __name__ == "__main__":
    main()
