"""Time to the Fisher metrics of the paper's neuroscience models (target: each under 10 s).

Each metric is derived from the model (family + parameter map) with the sympy cache
cleared first, and checked (symmetric, positive definite) as every Metric is:

- intrinsic plasticity of a sigmoid neuron, Gaussian input and logistic input, in (a, b);
- the binomial release synapse, Gaussian approximation N(N P q, N P (1-P) q^2), in (q, P);
- for comparison, the same metrics by brute force: E[-d^2 log p] integrated by sympy from the
  density of the output y (intrinsic plasticity) with a time limit, shown as "> limit" when
  sympy finds no closed form in time.

Run ``python benchmarks/bench_information.py``.
"""

import time

import sympy as sp
from sympy.core.cache import clear_cache

import symgrad as sg


def _timed(f):
    clear_cache()
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def neuron(input):
    a, s = sp.symbols("a s", positive=True)
    b, x, m = sp.symbols("b x m", real=True)
    chart = sg.Manifold(f"neuron {input}").chart(a, b)
    base = sg.Normal(mean=m, std=s) if input == "gaussian" else sg.Logistic(loc=m, scale=s)
    return chart, sg.TransformedDensity(base, x, 1 / (1 + sp.exp(-(a * x + b))))


def synapse():
    q, P = sp.symbols("q P", positive=True)
    N = sp.Symbol("N", integer=True, positive=True)
    chart = sg.Manifold("synapse").chart(q, P, domain={P: sp.Interval.open(0, 1)})
    return chart, sg.Normal(mean=N * P * q, variance=N * P * (1 - P) * q**2)


def main(limit=20.0):
    print("model | symgrad s | brute-force integration s | checked | G")
    print("--- | --- | --- | --- | ---")
    for label, make in (
        ("intrinsic plasticity, Gaussian input", lambda: neuron("gaussian")),
        ("intrinsic plasticity, logistic input", lambda: neuron("logistic")),
        ("binomial synapse (Gaussian approx.)", synapse),
    ):
        chart, family = make()
        t, G = _timed(lambda family=family, chart=chart: sg.fisher_metric(family, chart))
        brute = "-"
        if isinstance(family, sg.TransformedDensity):
            try:
                tb, _ = _timed(
                    lambda family=family, chart=chart: sg.fisher_metric(
                        family, chart, method="integrate", timeout=limit
                    )
                )
                brute = f"{tb:.2f}"
            except sg.IntegrationError:
                brute = f"> {limit:.0f} (no closed form in time)"
        print(f"{label} | {t:.3f} | {brute} | {G.checked} | {sp.sstr(G.components())}")


if __name__ == "__main__":
    main()
