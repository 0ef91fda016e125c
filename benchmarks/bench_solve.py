"""The crossover of ``solve="numeric"`` (``G v = -eta dC`` solved per point) and the closed form.

``GradientFlow(cost, metric, solve="symbolic")`` derives the closed form once (symbolic
solve and simplification, then one lambdify); each evaluation is then plain arithmetic.
``solve="numeric"`` derives nothing beyond the metric and the differential, and solves the
linear system at every point (a batched LAPACK solve per block of points).  Which one is
cheaper depends on the model's size and on how often the flow is evaluated; this script
measures, for three families of models of growing size:

* diagonal metric: ``n`` positive coordinates, ``G = diag(1 + x_i^2)``, a chain cost
  ``sum (x_i - x_{i+1})^2 / 2 + sum (x_i - 1)^2 / 2``;
* dense SPD metric: ``G = A + diag(x_i^2)`` with ``A = B^T B + I`` a fixed random integer
  matrix (Cholesky-like: every entry non-zero), the same chain cost;
* pullback metrics: Gauss-Newton ``J^T J`` of a tanh network with ``k = 1..4`` hidden
  units (``3 k`` weights) fitted to 7 points.

For each model: the time to derive (``GradientFlow(...)`` then ``.numeric()``; the closed
form is given at most ``--cap`` seconds, under ``symgrad.budget``), the time of one
evaluation on ``N`` points, and the ratio of totals, closed form / numeric solve, for one
evaluation and for 1000 evaluations (an ODE integration makes hundreds to thousands): a
ratio above 1 means the numeric solve is cheaper.  The last column is the break-even
number of evaluations: below it the numeric solve is cheaper ("always" when its evaluations
are cheaper too, "never" when it is not cheaper to derive either).  The crossover size of
each family is printed at the end.  Nothing is asserted: the numbers depend on the machine.

Run ``python benchmarks/bench_solve.py`` (``--quick``: smaller sizes, N = 10^3, cap 5 s).
"""

import argparse
import math
import time

import numpy as np
import sympy as sp

import symgrad as sg

EVALUATIONS = 1000


def best_time(f, repeat=5):
    """The best time of one call of ``f`` (seconds), after one warm-up call."""
    f()
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


# -- the three families ------------------------------------------------------------------------


def chain_cost(M, A, xs):
    return sg.Scalar(M, A, sum((a - b) ** 2 for a, b in zip(xs, xs[1:])) / 2 + sum((x - 1) ** 2 for x in xs) / 2)


def diagonal_model(n):
    xs = sp.symbols(f"x1:{n + 1}", positive=True)
    A = sg.Manifold(f"diagonal {n}").chart(*xs)
    return (
        chain_cost(A.manifold, A, xs),
        sg.diagonal(A, [1 + x**2 for x in xs]),
        lambda rng, N: rng.uniform(0.2, 3, (N, n)),
    )


def dense_model(n):
    xs = sp.symbols(f"x1:{n + 1}", positive=True)
    A = sg.Manifold(f"dense {n}").chart(*xs)
    B = np.random.default_rng(n).integers(-2, 3, size=(n, n))
    C = sp.Matrix(B.T @ B + np.eye(n, dtype=int)) + sp.diag(*[x**2 for x in xs])
    metric = sg.Metric(A.manifold, A, C, check=False)
    return chain_cost(A.manifold, A, xs), metric, lambda rng, N: rng.uniform(0.2, 3, (N, n))


def network_model(k):
    xs = [-3, -2, -1, 0, 1, 2, 3]
    ys = [-1, -1, -sp.Rational(1, 2), 0, sp.Rational(3, 4), 1, 1]
    th = sp.symbols(" ".join(f"w{i} b{i} v{i}" for i in range(1, k + 1)), real=True)

    def f(x):
        return sum(th[3 * i + 2] * sp.tanh(th[3 * i] * x + th[3 * i + 1]) for i in range(k))

    P = sg.Manifold(f"tanh network {k}").chart(*th)
    J = sp.Matrix([[sp.diff(f(x), p) for p in th] for x in xs])
    metric = sg.Metric(P.manifold, P, J.T * J, check=False)
    cost = sg.Scalar(P.manifold, P, sum((f(x) - y) ** 2 for x, y in zip(xs, ys)) / 2)

    def points(rng, N):  # away from v_i = 0, where J^T J is singular
        X = rng.normal(size=(N, 3 * k))
        X[:, 2::3] = rng.uniform(0.5, 1.5, (N, k))
        return X

    return cost, metric, points


# -- one row -----------------------------------------------------------------------------------


def derive(cost, metric, solve, cap):
    """``(seconds, NumericFlow)`` of deriving the flow; ``(None, None)`` past ``cap`` seconds."""
    start = time.perf_counter()
    try:
        with sg.budget(cap):
            num = sg.GradientFlow(cost, metric, solve=solve).numeric(check=False)
    except sg.BudgetError:
        return None, None
    return time.perf_counter() - start, num


def measure(model, N, cap, rng, skip_symbolic):
    cost, metric, points = model
    X = points(rng, N)
    row = {}
    for solve in ("numeric", "symbolic"):
        if solve == "symbolic" and skip_symbolic:
            row[solve] = (None, None)
            continue
        t, num = derive(cost, metric, solve, cap)
        row[solve] = (t, None if num is None else best_time(lambda num=num: num(X)))
        if num is not None:
            row[f"{solve} values"] = num(X)
    if "symbolic values" in row:  # the two agree where the system is well conditioned
        a, b = row["symbolic values"], row["numeric values"]
        row["diff"] = float(np.median(np.abs(a - b) / (1 + np.abs(b))))
    return row


def fmt(t, scale=1.0, digits=2):
    return "-" if t is None else f"{t * scale:.{digits}f}"


def report(family, sizes, build, N, cap, rng):
    print(f"\n{family}: N = {N} points per evaluation; closed form capped at {cap:g} s")
    head = f"  {'size':>5s} {'dim':>4s} | {'derive closed':>13s} {'eval (ms)':>9s} | {'derive numeric':>14s}"
    head += f" {'eval (ms)':>9s} | {'closed/numeric, 1 eval':>22s} {f'{EVALUATIONS} evals':>11s} {'break-even':>11s}"
    print(head)
    crossover, timed_out = {}, False
    for size in sizes:
        model = build(size)
        dim = len(model[1].chart.coords)
        row = measure(model, N, cap, rng, skip_symbolic=timed_out)
        (ds, es), (dn, en) = row["symbolic"], row["numeric"]
        if ds is None:
            ratio1 = f"> {cap / (dn + en):.1f}" if not timed_out else "(skipped)"
            ratio_k = f"> {cap / (dn + EVALUATIONS * en):.2f}" if not timed_out else "(skipped)"
            even, closed, ev = "always", f"> {cap:g} s", "-"
            timed_out = True
            for k in (1, EVALUATIONS):
                crossover.setdefault(k, size)
        else:
            r1, rk = (ds + es) / (dn + en), (ds + EVALUATIONS * es) / (dn + EVALUATIONS * en)
            ratio1, ratio_k = f"{r1:.2f}", f"{rk:.2f}"
            even = "always" if en <= es else ("never" if ds <= dn else f"{(ds - dn) / (en - es):.1f}")
            closed, ev = f"{ds:.2f} s", fmt(es, 1e3)
            for k, r in ((1, r1), (EVALUATIONS, rk)):
                if r > 1:
                    crossover.setdefault(k, size)
        print(
            f"  {size:5d} {dim:4d} | {closed:>13s} {ev:>9s} | {dn:12.2f} s {en * 1e3:9.2f} | {ratio1:>22s}"
            f" {ratio_k:>11s} {even:>11s}" + (f"   (median rel. diff {row['diff']:.1e})" if "diff" in row else "")
        )
    for k in (1, EVALUATIONS):
        where = f"size {crossover[k]}" if k in crossover else f"beyond size {sizes[-1]}"
        print(f"  crossover for {k} evaluation(s) of {N} points: the numeric solve is cheaper from {where}")
    return crossover


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, N = 10^3, cap 5 s")
    parser.add_argument("--cap", type=float, default=None, help="seconds given to each closed form (default 15)")
    args = parser.parse_args()
    N = 10**3 if args.quick else 10**4
    cap = args.cap or (5.0 if args.quick else 15.0)
    rng = np.random.default_rng(20200401)
    families = [
        ("diagonal metric", [2, 8, 32] if args.quick else [2, 4, 8, 16, 32, 64], diagonal_model),
        ("dense SPD metric", [2, 3, 4] if args.quick else [2, 3, 4, 5, 6], dense_model),
        ("pullback metric (tanh network, k hidden units)", [1, 2] if args.quick else [1, 2, 3, 4], network_model),
    ]
    start = time.perf_counter()
    for name, sizes, build in families:
        report(name, sizes, build, N, cap, rng)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
