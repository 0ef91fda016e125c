"""Scaling of ensemble integration: ``NumericFlow.integrate`` with the scipy and the JAX backend.

The flow: the Fisher (natural-gradient) flow of C = KL(N(4, 2^2) || N(mu, sigma^2)) in the
chart (mu, sigma), rate eta free and given one value per member (so that every member
integrates its own system), closed form and ``solve="numeric"`` (G v = -eta dC solved at
each point).  Ensembles of 10^4 initial points (and 10^5 with ``--large``), integrated to
t = 10 with the default tolerances (rtol 1e-8, atol 1e-10), reported at 11 times.

Per row:

* scipy: ``integrate(...)``, one vectorised ``solve_ivp`` system for the ensemble, with
  per-member tolerances (the default);
* JAX, first call: ``integrate(..., backend="jax")`` the first time for this flow and
  ensemble size (it compiles: the generated module, diffrax's solver, jit of vmap);
* JAX: the same call again (compiled), best of ``--repeat`` runs;
* scipy / JAX: the ratio of the two (compiled) times;
* max |diff|: the largest difference between the two backends' states, relative to
  max(1, |y|).

JAX runs on the first device it finds (``jax.devices()[0]``, printed), in float64.
Run ``python benchmarks/bench_scale.py`` (``--large`` adds 10^5 members).
"""

import argparse
import time

import numpy as np
import sympy as sp

import symgrad as sg

T_SPAN = (0.0, 10.0)
T_EVAL = np.linspace(*T_SPAN, 11)


def flows():
    """The numeric flows of the rows: ``{name: NumericFlow}``."""
    g = sg.catalog.gaussian_kl()
    eta = sp.Symbol("eta", positive=True)
    return {
        "Gaussian KL, closed form": sg.GradientFlow(g.cost, g.fisher, rate=eta).numeric(g.std),
        "Gaussian KL, solve=numeric": sg.GradientFlow(g.cost, g.fisher, rate=eta, solve="numeric").numeric(g.std),
    }


def ensemble(n, seed=0):
    """``n`` initial points in the chart (mu, sigma) and one rate per member."""
    rng = np.random.default_rng(seed)
    X0 = np.column_stack([rng.uniform(-4, 12, n), rng.uniform(0.5, 6, n)])
    return X0, rng.uniform(0.5, 2.0, n)


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def scipy_vs_jax(num, n, repeat):
    """One row: the times of both backends on ``n`` members and their largest difference."""
    X0, eta = ensemble(n)

    def run(backend):
        return num.integrate(X0, T_SPAN, t_eval=T_EVAL, params={"eta": eta}, backend=backend)

    t_scipy, ref = timed(lambda: run("scipy"))
    t_first, sol = timed(lambda: run("jax"))
    t_jax = min(timed(lambda: run("jax"))[0] for _ in range(repeat))
    diff = float(np.max(np.abs(sol.y - ref.y) / np.maximum(1.0, np.abs(ref.y))))
    assert (sol.status == ref.status).all()
    return {"n": n, "scipy": t_scipy, "jax first": t_first, "jax": t_jax, "ratio": t_scipy / t_jax, "diff": diff}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 10^5 members (minutes with scipy)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the compiled JAX call (best is shown)")
    args = parser.parse_args()
    try:
        import jax
    except ImportError:
        raise SystemExit('the JAX rows need jax and diffrax: pip install "symgrad[jax]"') from None
    sizes = [10**4] + ([10**5] if args.large else [])
    print(f"JAX device: {jax.devices()[0]}; t_span {T_SPAN}, rtol 1e-8, atol 1e-10, {len(T_EVAL)} reported times\n")
    columns = ("members", 8), ("scipy s", 9), ("JAX 1st s", 10), ("JAX s", 8), ("scipy/JAX", 10), ("max |diff|", 11)
    header = f"{'flow':<28}" + "".join(f" {name:>{width}}" for name, width in columns)
    print(header)
    print("-" * len(header))
    for name, num in flows().items():
        for n in sizes:
            r = scipy_vs_jax(num, n, args.repeat)
            print(
                f"{name:<28} {r['n']:>8} {r['scipy']:>9.2f} {r['jax first']:>10.2f} {r['jax']:>8.2f} "
                f"{r['ratio']:>10.1f} {r['diff']:>11.1e}"
            )


if __name__ == "__main__":
    main()
