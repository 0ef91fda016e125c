r"""The Gaussian KL example (Fig 3): :math:`C = KL(N(\mu_0, \sigma_0^2) \,\|\, N(\mu, \sigma^2))`.

Naive flows in the charts :math:`(\mu, \sigma)`, :math:`(\mu, \sigma^2)` and
:math:`(\mu, 1/\sigma^2)` are three different vector fields; the Fisher flow
is one vector field, whichever chart it is computed in.
"""

import sympy as sp

import symgrad as sg


def derive(mu0=4, sigma0=2):
    """Closed forms of the Gaussian KL example (``mu0``, ``sigma0``: the target)."""
    g = sg.catalog.gaussian_kl(mu0, sigma0)
    eta = sp.Symbol("eta", positive=True)
    charts = {"(mu, sigma)": g.std, "(mu, s)": g.variance, "(mu, tau)": g.precision}
    out = {"cost": g.cost.components()}
    for label, chart in charts.items():
        out[f"Fisher metric in {label}"] = g.fisher.components(chart)
    for label, chart in charts.items():
        out[f"naive flow in {label}"] = sg.GradientFlow(g.cost, sg.euclidean(chart), rate=eta).components(chart)
    for label, chart in charts.items():
        out[f"Fisher flow computed in {label}"] = sg.GradientFlow(g.cost, g.fisher, rate=eta, chart=chart).components(
            chart
        )
    W = sg.wasserstein(sg.Normal(mean=g.mu, std=g.sigma), g.std)
    out["Wasserstein flow in (mu, sigma)"] = sg.GradientFlow(g.cost, W, rate=eta).components(g.std)
    return out


if __name__ == "__main__":
    from derivations._report import main

    main("gaussian_kl", "The Gaussian KL example (Fig 3)", derive)
