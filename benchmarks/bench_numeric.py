"""Speed of numeric flows: symgrad's NumericFlow against hand-written numpy, JAX and scipy loops.

Two flows, each the Fisher (natural-gradient) flow of a KL cost, rate eta = 1:

* Gaussian KL: C = KL(N(4, 2^2) || N(mu, sigma^2)) in the chart (mu, sigma);
* binomial synapse: C = KL(N(phi, eps^2) || N(NPq, NP(1-P)q^2)) in the chart (q, P),
  with N = 10, phi = 1, eps = 0.1.

Part 1, evaluation on 10^6 points (array of shape (10^6, 2)), best of several runs:

* ``NumericFlow``: ``flow.numeric(chart, params=...)`` called on the array, with its
  default domain check and with ``check=False``;
* hand-written numpy: the same closed form typed in by hand, applied to the whole array
  (target: NumericFlow / numpy <= 1.2);
* the same hand-written expression applied block by block (``symgrad.numeric._kernels.CHUNK``
  points at a time), which is what NumericFlow does: it shows where NumericFlow's edge
  over whole-array numpy comes from (temporaries that stay in the cache);
* JAX (when installed): the natural gradient ``-eta solve(G(x), grad C(x))`` by autodiff,
  with ``G = J_m^T J_m / v + J_v^T J_v / (2 v^2)`` from the mean ``m(x)`` and variance
  ``v(x)`` of the normal family, ``jit`` of ``vmap``, in float64, compile time excluded.

Part 2, integration to t = 10 of an ensemble of 10^4 initial conditions (rtol 1e-8,
atol 1e-10): ``NumericFlow.integrate`` on the whole ensemble (per-member tolerances, the
default, and ``per_member=False``) against a loop of single ``solve_ivp`` calls on a
hand-written right-hand side; the loop is timed on a subset and extrapolated.

Run ``python benchmarks/bench_numeric.py`` (``--quick`` for 10^5 points and 10^3 members).
"""

import argparse
import math
import time

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

import symgrad as sg
from symgrad.numeric._kernels import CHUNK

N_SITES, PHI, EPS = 10, 1.0, 0.1


def best_time(f, repeat=7, number=3):
    """The best time of one call of ``f`` (seconds), over ``repeat`` runs of ``number`` calls."""
    return race({"f": f}, repeat, number)["f"]


def race(fs, repeat=9, number=3):
    """Best times (seconds per call) of several functions, their runs interleaved.

    Interleaving makes the ratios robust to a machine whose load changes while it runs.
    """
    for f in fs.values():
        f()
    best = dict.fromkeys(fs, math.inf)
    for _ in range(repeat):
        for key, f in fs.items():
            t = time.perf_counter()
            for _ in range(number):
                f()
            best[key] = min(best[key], (time.perf_counter() - t) / number)
    return best


# -- the two problems --------------------------------------------------------------------------


def gaussian_problem():
    eta = sp.Symbol("eta", positive=True)
    g = sg.catalog.gaussian_kl()
    flow = sg.GradientFlow(g.cost, g.fisher, rate=eta)

    def hand(X):
        mu, sigma = X[..., 0], X[..., 1]
        return np.stack([4 - mu, (mu**2 - 8 * mu - sigma**2 + 20) / (2 * sigma)], axis=-1)

    def points(n, rng):
        return np.column_stack([rng.uniform(-5, 10, n), rng.uniform(0.2, 5, n)])

    def family(x, jnp):  # mean and variance of N(mu, sigma^2)
        return x[0], x[1] ** 2

    def cost(x, jnp):
        mu, sigma = x[0], x[1]
        return jnp.log(sigma / 2) + (4 + (mu - 4) ** 2) / (2 * sigma**2) - 0.5

    return dict(
        name="Gaussian KL",
        numeric=lambda **kw: flow.numeric(g.std, params={eta: 1}, **kw),
        hand=hand,
        points=points,
        family=family,
        cost=cost,
    )


def synapse_problem():
    eta = sp.Symbol("eta", positive=True)
    syn = sg.catalog.binomial_synapse()
    flow = sg.GradientFlow(syn.cost, syn.fisher, rate=eta)
    values = {eta: 1, syn.N: N_SITES, syn.phi: 1, syn.epsilon: sp.Rational(1, 10)}
    N, phi, eps = N_SITES, PHI, EPS

    def hand(X):
        q, P = X[..., 0], X[..., 1]
        a = N * (N - 1) * P**2 * q**2 - 2 * (N - 1) * P * phi * q + eps**2 + phi**2
        return np.stack([(a - phi * q) / (N * P * q), (2 * phi * q - a - N * P * q**2) / (N * q**2)], axis=-1)

    def points(n, rng):
        return np.column_stack([rng.uniform(0.5, 3, n), rng.uniform(0.05, 0.95, n)])

    def family(x, jnp):  # mean and variance of the response N(NPq, NP(1-P)q^2)
        q, P = x[0], x[1]
        return N * P * q, N * P * (1 - P) * q**2

    def cost(x, jnp):
        m, v = family(x, jnp)
        return 0.5 * jnp.log(v / eps**2) + (eps**2 + (phi - m) ** 2) / (2 * v) - 0.5

    return dict(
        name="binomial synapse",
        numeric=lambda **kw: flow.numeric(syn.chart, params=values, **kw),
        hand=hand,
        points=points,
        family=family,
        cost=cost,
    )


# -- JAX ---------------------------------------------------------------------------------------


def jax_flow(problem):
    """``x -> -solve(G(x), grad C(x))`` by autodiff, jit of vmap; None when jax is missing."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def mean_var(x):
        m, v = problem["family"](x, jnp)
        return jnp.stack([m, v])

    def natural_gradient(x):
        J = jax.jacfwd(mean_var)(x)
        v = mean_var(x)[1]
        G = jnp.outer(J[0], J[0]) / v + jnp.outer(J[1], J[1]) / (2 * v**2)
        return -jnp.linalg.solve(G, jax.grad(lambda y: problem["cost"](y, jnp))(x))

    f = jax.jit(jax.vmap(natural_gradient))

    def run(X):
        return f(X).block_until_ready()

    return run, jnp.asarray


# -- part 1: evaluation ------------------------------------------------------------------------


def numpy_rows(problem, X):
    """Rows (label, seconds, max |diff| from the hand-written result) of the numpy variants."""
    num = problem["numeric"]()
    unchecked = problem["numeric"](check=False)
    ref = problem["hand"](X)

    def blocked():
        out = np.empty_like(X)
        for start in range(0, len(X), CHUNK):
            out[start : start + CHUNK] = problem["hand"](X[start : start + CHUNK])
        return out

    times = race(
        {
            "hand": lambda: problem["hand"](X),
            "blocked": blocked,
            "num": lambda: num(X),
            "unchecked": lambda: unchecked(X),
        }
    )
    return [
        ("hand-written numpy", times["hand"], 0.0),
        (f"hand-written numpy, in blocks of {CHUNK}", times["blocked"], np.abs(blocked() - ref).max()),
        ("NumericFlow (domain check, default)", times["num"], np.abs(num(X) - ref).max()),
        ("NumericFlow(check=False)", times["unchecked"], np.abs(unchecked(X) - ref).max()),
    ]


def jax_row(problem, X):
    jx = jax_flow(problem)
    if jx is None:
        return ("JAX solve(G, grad C), jit+vmap", None, "skipped: jax is not installed")
    run, asarray = jx
    Xj = asarray(X)
    run(Xj)  # compile
    diff = np.abs(np.asarray(run(Xj)) - problem["hand"](X)).max()
    return ("JAX solve(G, grad C), jit+vmap, x64", best_time(lambda: run(Xj)), diff)


def print_evaluation(problems, n, rng):
    """Time every numpy variant first, then JAX (whose worker threads could disturb numpy's timings)."""
    points = [p["points"](n, rng) for p in problems]
    rows = [numpy_rows(p, X) for p, X in zip(problems, points)]
    for p, X, r in zip(problems, points, rows):
        r.append(jax_row(p, X))
    for p, r in zip(problems, rows):
        t_hand, t_num = r[0][1], r[2][1]
        print(f"\n{p['name']}: flow on {n:.0e} points")
        print(f"  {'':42s} {'time (ms)':>10s} {'/ numpy':>8s} {'max |diff|':>11s}")
        for label, t, diff in r:
            if t is None:
                print(f"  {label:42s} {'-':>10s} {'-':>8s}  {diff}")
            else:
                print(f"  {label:42s} {t * 1e3:10.2f} {t / t_hand:8.2f} {diff:11.2e}")
        if r[-1][1] is not None:
            print(f"  NumericFlow (default) / JAX: {t_num / r[-1][1]:.2f}")


# -- part 2: integration of an ensemble ----------------------------------------------------------


def print_integration(problem, members, subset, rng):
    X0 = problem["points"](members, rng)
    num = problem["numeric"]()
    hand = problem["hand"]

    def rhs(t, y):
        return hand(y)

    def ensemble(**kw):
        return num.integrate(X0, (0, 10), t_eval=[10.0], **kw)

    times = race({"ens": ensemble, "joint": lambda: ensemble(per_member=False)}, repeat=3, number=1)
    t_ens, t_joint = times["ens"], times["joint"]
    start = time.perf_counter()
    loop = [solve_ivp(rhs, (0, 10), x, t_eval=[10.0], rtol=1e-8, atol=1e-10).y[:, -1] for x in X0[:subset]]
    t_loop = (time.perf_counter() - start) * members / subset
    ens, joint = ensemble(), ensemble(per_member=False)
    loop = np.array(loop)
    err = np.abs(ens.y[:subset, -1] - loop).max()
    err_joint = np.abs(joint.y[:subset, -1] - loop).max()
    print(f"\n{problem['name']}: integration of {members} initial conditions to t = 10")
    print(f"  {'':58s} {'time (s)':>9s} {'loop /':>7s} {'max |diff|':>11s}")
    rows = [
        (f"loop of single solve_ivp calls ({subset} timed, extrapolated)", t_loop, 0.0),
        ("NumericFlow.integrate, ensemble (per-member tolerances)", t_ens, err),
        ("NumericFlow.integrate, ensemble, per_member=False", t_joint, err_joint),
    ]
    for label, t, diff in rows:
        print(f"  {label:58s} {t:9.2f} {t_loop / t:7.1f} {diff:11.2e}")
    codes, counts = np.unique(ens.status, return_counts=True)
    print(f"  status of the ensemble's members: {dict(zip(codes.tolist(), counts.tolist()))}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^5 points, 10^3 members, 50 single calls")
    parser.add_argument("--evaluation-only", action="store_true", help="skip part 2 (integration)")
    args = parser.parse_args()
    n, members, subset = (10**5, 10**3, 50) if args.quick else (10**6, 10**4, 200)
    rng = np.random.default_rng(20200401)
    problems = [gaussian_problem(), synapse_problem()]
    print("Part 1: evaluation (best of 9 interleaved runs of 3 calls)")
    print_evaluation(problems, n, rng)
    if args.evaluation_only:
        return
    print("\nPart 2: integration (rtol 1e-8, atol 1e-10; best of 3 runs)")
    for p in problems:
        print_integration(p, members, subset, rng)


if __name__ == "__main__":
    main()
