"""Time to the Fisher metrics of the paper's neuroscience models (target: each under 10 s).

Each metric is derived from the model (family + parameter map) with the sympy cache
cleared first, and checked (symmetric, positive definite) as every Metric is:

- intrinsic plasticity of a sigmoid neuron, Gaussian input and logistic input, in (a, b);
- the binomial release synapse, Gaussian approximation N(N P q, N P (1-P) q^2), in (q, P);
- for comparison, the same metrics by brute force: E[-d^2 log p] integrated by sympy from the
  density of the output y (intrinsic plasticity) with a time limit, shown as "> limit" when
  sympy finds no closed form in time.

Location-scale families given by their density alone (a ``sg.Density`` in the location mu and
scale s, the chart's coordinates), target under 5 s each: the Fisher metric by symgrad (the
location and scale are found in the density and taken out of the integrals, which become three
parameter-free constants; a constant sympy does not integrate is identified by an integer
relation and reported) against plain sympy integrating E[-d^2 log p] with the parameters in.

Run ``python benchmarks/bench_information.py``.
"""

import time

import sympy as sp
from sympy.core.cache import clear_cache

import symgrad as sg
from symgrad.information._expect import fisher_information
from symgrad.information._integration import Clock


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


def location_scale_densities():
    """(name, Density in x with location mu and scale s, chart (mu, s)) of the benchmark."""
    x, mu = sp.symbols("x mu", real=True)
    s = sp.Symbol("s", positive=True)
    z = (x - mu) / s
    chart = sg.Manifold("location-scale").chart(mu, s)
    pdfs = {
        "normal": sp.exp(-(z**2) / 2) / (sp.sqrt(2 * sp.pi) * s),
        "logistic": sp.exp(-z) / (s * (1 + sp.exp(-z)) ** 2),
        "Laplace": sp.exp(-sp.Abs(x - mu) / s) / (2 * s),
        "Cauchy": s / (sp.pi * (s**2 + (x - mu) ** 2)),
        "Gumbel": sp.exp(-z - sp.exp(-z)) / s,
        "Student-t, nu = 3": 6 * sp.sqrt(3) / (sp.pi * s * (3 + z**2) ** 2),
    }
    return [(name, sg.Density(pdf, x, check=False), chart) for name, pdf in pdfs.items()]


def main_densities(limit=10.0):
    print()
    print("density (mu, s) | symgrad s | identified constants | plain sympy s | G")
    print("--- | --- | --- | --- | ---")
    for name, family, chart in location_scale_densities():
        clock = Clock(limit)
        t, G = _timed(
            lambda family=family, chart=chart, clock=clock: fisher_information(family, chart.coords, "auto", clock)
        )
        try:
            tb, _ = _timed(
                lambda family=family, chart=chart: sg.fisher_metric(family, chart, method="integrate", timeout=limit)
            )
            brute = f"{tb:.2f}"
        except (sg.IntegrationError, sg.BudgetError):
            brute = f"> {limit:.0f} (no closed form in time)"
        found = ", ".join(str(i.value) for i in clock.identified) or "-"
        print(f"{name} | {t:.2f} | {found} | {brute} | {sp.sstr(G.tolist())}")


if __name__ == "__main__":
    main()
    main_densities()
