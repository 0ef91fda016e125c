r"""The Gaussian KL example (Fig 3): :math:`C = KL(N(\mu_0, \sigma_0^2) \,\|\, N(\mu, \sigma^2))`.

Naive flows in the charts :math:`(\mu, \sigma)`, :math:`(\mu, \sigma^2)` and
:math:`(\mu, 1/\sigma^2)` are three different vector fields; the Fisher flow
is one vector field, whichever chart it is computed in.  The Wasserstein
metric of the normal family is Euclidean in :math:`(\mu, \sigma)`, so its flow
is the naive flow of that chart.
"""

import functools

import sympy as sp

import symgrad as sg

#: The figure's initial points in (mu, sigma), its time span and its windows in (mu, sigma) (our choices).
STARTS = ((1.0, 1.0), (7.0, 4.0), (1.5, 4.0))
T_END = 800.0
MU_RANGE, SIGMA_RANGE = (0.5, 7.5), (0.5, 4.5)
#: Contour levels of the cost (the same level sets in every chart).
LEVELS = (0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0, 1.5, 2.5, 4.0)
#: The paper's names of the three planes, by the key used in ``derive()``.
PLANES = {
    "(mu, sigma)": r"$\mu$-$\sigma$ plane",
    "(mu, s)": r"$\mu$-$\sigma^2$ plane",
    "(mu, tau)": r"$\mu$-$1/\sigma^2$ plane",
}


def _charts(g):
    return {"(mu, sigma)": g.std, "(mu, s)": g.variance, "(mu, tau)": g.precision}


def derive(mu0=4, sigma0=2):
    """Closed forms of the Gaussian KL example (``mu0``, ``sigma0``: the target)."""
    g = sg.catalog.gaussian_kl(mu0, sigma0)
    eta = sp.Symbol("eta", positive=True)
    charts = _charts(g)
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
    out["Wasserstein metric in (mu, sigma)"] = W.components()
    out["Wasserstein flow in (mu, sigma)"] = sg.GradientFlow(g.cost, W, rate=eta).components(g.std)
    out["Wasserstein flow minus naive flow in (mu, sigma)"] = (
        out["Wasserstein flow in (mu, sigma)"] - out["naive flow in (mu, sigma)"]
    ).applyfunc(sp.cancel)
    out["minimum in (mu, sigma)"] = sp.Matrix([mu0, sigma0])
    return out


def _start(chart_label, point):
    """A point (mu, sigma) in the coordinates of the chart ``chart_label``."""
    mu, sigma = point
    return {"(mu, sigma)": (mu, sigma), "(mu, s)": (mu, sigma**2), "(mu, tau)": (mu, 1 / sigma**2)}[chart_label]


def _to_std(chart_label, path):
    """Points of the chart ``chart_label``, shape (..., 2), as (mu, sigma)."""
    import numpy as np

    mu, c = path[..., 0], path[..., 1]
    sigma = {"(mu, sigma)": c, "(mu, s)": np.sqrt(np.abs(c)), "(mu, tau)": 1 / np.sqrt(np.abs(c))}[chart_label]
    return np.stack([mu, sigma], axis=-1)


def _times():
    import numpy as np

    # crowded at the start, where the Fisher flow moves fast; the naive flows take long to arrive
    return T_END * np.linspace(0.0, 1.0, 500) ** 3


def _flows(g):
    """The figure's rows: the naive flow of each plane, then the Fisher flow, ``{(row, plane): GradientFlow}``."""
    out = {}
    for label, chart in _charts(g).items():
        out["naive", label] = sg.GradientFlow(g.cost, sg.euclidean(chart))
        out["Fisher", label] = sg.GradientFlow(g.cost, g.fisher)
    return out


@functools.lru_cache(maxsize=1)
def _trajectories():
    """The trajectories the figure draws, ``{(row, plane): array, shape (start, time, 2)}`` in the plane's chart."""
    import numpy as np

    g = sg.catalog.gaussian_kl()
    charts = _charts(g)
    out = {}
    for (row, label), flow in _flows(g).items():
        x0 = np.array([_start(label, p) for p in STARTS])
        out[row, label] = flow.numeric(charts[label]).integrate(x0, (0.0, T_END), t_eval=_times()).y
    return out


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    import numpy as np

    g = sg.catalog.gaussian_kl()
    report = sg.check_invariance(g.cost, g.fisher, charts=[g.std, g.variance, g.precision])
    fisher = [
        sg.Vector(g.manifold, c, results[f"Fisher flow computed in {k}"]).components(g.std)
        for k, c in (("(mu, sigma)", g.std), ("(mu, s)", g.variance), ("(mu, tau)", g.precision))
    ]
    target = np.array(results["minimum in (mu, sigma)"], dtype=float).ravel()
    ends = {key: _to_std(key[1], paths[:, -1]) for key, paths in _trajectories().items()}
    # the Fisher flow drawn in three planes is one flow: its trajectories coincide once mapped to (mu, sigma)
    fisher_paths = [_to_std(label, _trajectories()["Fisher", label]) for label in PLANES]
    naive_paths = [_to_std(label, _trajectories()["naive", label]) for label in PLANES]
    return {
        "the Fisher flow does not depend on the chart": report.passed,
        "the naive flows of the three charts differ": report.naive_differs,
        "Fisher flows computed in three charts are one vector field": all(
            sp.cancel(e) == 0 for f in fisher[1:] for e in f - fisher[0]
        ),
        "the Wasserstein flow is the naive flow of (mu, sigma) (closed form)": all(
            sp.cancel(e) == 0 for e in results["Wasserstein flow minus naive flow in (mu, sigma)"]
        )
        and results["Wasserstein metric in (mu, sigma)"] == sp.eye(2),
        "every trajectory of the figure ends within 1e-2 of the minimum (mu, sigma) = (4, 2), in every plane": all(
            np.all(np.abs(e - target) < 1e-2) for e in ends.values()
        ),
        "the Fisher trajectories of the three planes are one path each (within 1e-5 in (mu, sigma))": all(
            np.max(np.abs(p - fisher_paths[0])) < 1e-5 for p in fisher_paths[1:]
        ),
        "the naive trajectories of the three planes are different paths (apart by > 0.1 somewhere)": all(
            np.max(np.linalg.norm(a - b, axis=-1)) > 0.1
            for i, a in enumerate(naive_paths)
            for b in naive_paths[i + 1 :]
        ),
    }


def figure(results):
    """The naive flow of each plane (top) and the Fisher flow (bottom), each drawn in its plane."""
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow

    g = sg.catalog.gaussian_kl()
    charts = _charts(g)
    flows = _flows(g)
    paths = _trajectories()
    target = tuple(float(v) for v in results["minimum in (mu, sigma)"])
    ylabels = {"(mu, sigma)": r"$\sigma$", "(mu, s)": r"$s = \sigma^2$", "(mu, tau)": r"$\tau = 1/\sigma^2$"}
    ranges = {
        "(mu, sigma)": {g.mu: MU_RANGE, g.sigma: SIGMA_RANGE},
        "(mu, s)": {g.mu: MU_RANGE, g.s: (0.0, 21.0)},
        "(mu, tau)": {g.mu: MU_RANGE, g.tau: (0.0, 1.3)},
    }
    fig = Figure(figsize=(11.4, 7.4), layout="constrained")
    axes = fig.subplots(2, 3)
    for i, row in enumerate(("naive", "Fisher")):
        for j, (label, plane) in enumerate(PLANES.items()):
            ax = axes[i][j]
            plot_flow(
                ax,
                flows[row, label],
                charts[label],
                ranges[label],
                n=25,
                levels=LEVELS,
                contour_color="k",
                contour_labels=i == 0 and j == 0,
                color="#7fb2e5",
                linewidth=0.7,
                density=0.7,
                minimum=_start(label, target),
            )
            for path in paths[row, label]:
                ax.plot(path[:, 0], path[:, 1], color="C0", linewidth=2.0)
                ax.plot(*path[0], "o", color="C0", markersize=4)
            name = "naive gradient" if row == "naive" else "natural (Fisher) gradient"
            ax.set_title(f"{name}, {plane}", fontsize=10)
            ax.set_ylabel(ylabels[label])
    return fig


def notes(results):
    """The values the figure assumes."""
    starts = ", ".join(f"$({m:g}, {s:g})$" for m, s in STARTS)
    levels = ", ".join(f"{v:g}" for v in LEVELS)
    return f"""
### Values chosen here

The target $N(4, 2^2)$ is the paper's.  The initial points {starts} in $(\\mu, \\sigma)$, the time span
$t \\le {T_END:g}$ (long enough for the slowest naive flow to arrive) and the contour levels $C$ = {levels}
are ours.  Each plane shows the same initial points and the same level sets of the cost.

### Reading the figure

The top row is three different flows: the vector of partial derivatives in each plane.  The bottom row is one
flow, the natural gradient $-F^{{-1}} dC$, seen through three charts; its trajectories are the same paths in
every plane.  The Wasserstein metric of the normal family is $d\\mu^2 + d\\sigma^2$, so the Wasserstein flow
is the naive flow of the $\\mu$-$\\sigma$ plane (top left), an identity checked in closed form.
"""


if __name__ == "__main__":
    from symgrad.paper import main

    main("gaussian_kl", "The Gaussian KL example (Fig 3)", derive)
