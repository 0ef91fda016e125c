r"""Beyond steepest descent: the metric that generated the data.

Synthetic learning dynamics of the Gaussian KL example are generated under a
known metric, :math:`G = 0.3\, E + 0.7\, F` (Euclidean plus Fisher in the
chart :math:`(\mu, \sigma)`), at random states with 1% multiplicative noise on
the velocities (seeded).  :func:`symgrad.fit_metric` then fits four candidate
families to :math:`v_n = -G(x_n)^{-1} dC(x_n)`: Euclidean only, Fisher only,
their mixture, and a constant diagonal metric.  The mixture recovers the
weights and has by far the smallest residual.
"""

import numpy as np
import sympy as sp

import symgrad as sg

#: The weights of the true metric: ``TRUE_WEIGHTS[0] * Euclidean + TRUE_WEIGHTS[1] * Fisher``.
TRUE_WEIGHTS = (sp.Rational(3, 10), sp.Rational(7, 10))
N_STATES = 200
NOISE = 0.01
SEED = 0


def _model():
    g = sg.catalog.gaussian_kl()
    E = sg.euclidean(g.std)
    F = g.fisher
    a, b = TRUE_WEIGHTS
    true = sg.Metric(g.manifold, g.std, a * E.components(g.std) + b * F.components(g.std))
    return g, E, F, true


def data(seed=SEED, n=N_STATES, noise=NOISE):
    """States (mu, sigma) and noisy velocities of the flow under the true metric."""
    g, _, _, true = _model()
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.uniform(0.0, 8.0, n), rng.uniform(0.5, 4.0, n)])
    v = sp.lambdify([g.mu, g.sigma], list(sg.GradientFlow(g.cost, true).components(g.std)), "numpy")
    V = np.column_stack([np.broadcast_to(c, (n,)) for c in v(X[:, 0], X[:, 1])])
    V = V * (1.0 + noise * rng.standard_normal(V.shape))
    return X, V


_NAMES = ("Euclidean only", "Fisher only", "Euclidean + Fisher", "constant diagonal")


def _families(E, F):
    """The candidate families, built from the Euclidean and Fisher metrics of one manifold."""
    return {"Euclidean only": [E], "Fisher only": [F], "Euclidean + Fisher": [E, F], "constant diagonal": "diagonal"}


def _weights(G, g):
    """(Euclidean weight, Fisher weight) of a fitted metric diag(a + b/sigma^2, a + 2b/sigma^2)."""
    g00 = sp.expand(G[0, 0])
    return g00.as_independent(g.sigma)[0], g00.coeff(g.sigma, -2)


def derive():
    """The true metric, the fitted metric of each family, its residual, and the fitted weights."""
    g, E, F, true = _model()
    X, V = data()
    out = {"true metric in (mu, sigma)": true.components(g.std)}
    for name, family in _families(E, F).items():
        G, res = sg.fit_metric(g.cost, X, V, family=family)
        out[f"fitted metric, {name}"] = G.components(g.std)
        out[f"residual, {name}"] = sp.Float(res)
    a, b = _weights(out["fitted metric, Euclidean + Fisher"], g)
    out["fitted weight of the Euclidean metric"] = a
    out["fitted weight of the Fisher metric"] = b
    return out


def checks(results):
    """The statements this derivation supports, as ``{statement: passed}``."""
    g, _, _, _ = _model()
    names = list(_NAMES)
    res = {n: float(results[f"residual, {n}"]) for n in names}
    a = float(results["fitted weight of the Euclidean metric"])
    b = float(results["fitted weight of the Fisher metric"])
    G = results["fitted metric, Euclidean + Fisher"]
    shape_ok = sp.simplify(G[1, 1] - (a + 2 * b / g.sigma**2)) == 0 and G[0, 1] == 0 and G[1, 0] == 0
    others = [res[n] for n in names if n != "Euclidean + Fisher"]
    return {
        "the mixture fit recovers the weights 0.3 and 0.7 (within 0.02)": abs(a - 0.3) < 0.02 and abs(b - 0.7) < 0.02,
        "the fitted mixture has the form a E + b F": bool(shape_ok),
        "the true class (the mixture) has the smallest residual": res["Euclidean + Fisher"] < min(others),
        "every wrong class's residual is at least 3 times the true class's": min(others)
        > 3 * res["Euclidean + Fisher"],
    }


def figure(results):
    """Residual of each candidate family (log scale)."""
    from matplotlib.figure import Figure

    names = list(_NAMES)
    res = [float(results[f"residual, {n}"]) for n in names]
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.subplots()
    colors = ["C1" if n == "Euclidean + Fisher" else "C0" for n in names]
    bars = ax.bar(names, res, color=colors)
    ax.set_yscale("log")
    for bar, r in zip(bars, res):
        ax.annotate(f"{r:.3g}", (bar.get_x() + bar.get_width() / 2, r), ha="center", va="bottom", fontsize=9)
    a = float(results["fitted weight of the Euclidean metric"])
    b = float(results["fitted weight of the Fisher metric"])
    ax.set(
        ylabel=r"residual $\sqrt{\frac{1}{N}\sum_n |G v_n + dC|^2}$",
        title=f"data from $0.3\\,E + 0.7\\,F$ ({N_STATES} states, {NOISE:.0%} noise);\n"
        f"mixture fit: ${a:.3f}\\,E + {b:.3f}\\,F$",
    )
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("metric_fitting", "Beyond steepest descent: fitting a metric to dynamics", derive)
