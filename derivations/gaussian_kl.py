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


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    g = sg.catalog.gaussian_kl()
    report = sg.check_invariance(g.cost, g.fisher, charts=[g.std, g.variance, g.precision])
    fisher = [
        sg.Vector(g.manifold, c, results[f"Fisher flow computed in {k}"]).components(g.std)
        for k, c in (("(mu, sigma)", g.std), ("(mu, s)", g.variance), ("(mu, tau)", g.precision))
    ]
    return {
        "the Fisher flow does not depend on the chart": report.passed,
        "the naive flows of the three charts differ": report.naive_differs,
        "Fisher flows computed in three charts are one vector field": all(
            sp.cancel(e) == 0 for f in fisher[1:] for e in f - fisher[0]
        ),
    }


def figure(results):
    """Naive flows of three charts and the Fisher flow, each seen in (mu, sigma) and (mu, sigma^2)."""
    from symgrad.plotting import flow_grid

    g = sg.catalog.gaussian_kl()
    flows = {
        r"naive $(\mu, \sigma)$": sg.GradientFlow(g.cost, sg.euclidean(g.std)),
        r"naive $(\mu, \sigma^2)$": sg.GradientFlow(g.cost, sg.euclidean(g.variance)),
        r"naive $(\mu, 1/\sigma^2)$": sg.GradientFlow(g.cost, sg.euclidean(g.precision)),
        "Fisher": sg.GradientFlow(g.cost, g.fisher),
    }
    ranges = {
        g.std: {g.mu: (0.5, 7.5), g.sigma: (0.5, 4.5)},
        g.variance: {g.mu: (0.5, 7.5), g.s: (0.25, 20)},
    }
    starts = {g.std: [[1.0, 1.0], [7.0, 4.0]], g.variance: [[1.0, 1.0], [7.0, 16.0]]}
    return flow_grid(flows, [g.std, g.variance], ranges, trajectories=starts, t_span=(0, 20), n=21)


if __name__ == "__main__":
    from symgrad.paper import main

    main("gaussian_kl", "The Gaussian KL example (Fig 3)", derive)
