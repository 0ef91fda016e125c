r"""Intrinsic plasticity of a sigmoid neuron (Fig 4A/B).

Triesch's (2007) rule is the stochastic Euclidean gradient of the per-sample
cost; the natural-gradient rule uses the Fisher metric of the output family.
"""

import sympy as sp

import symgrad as sg


def triesch_rule(ip, eta):
    r"""Triesch's rule: :math:`\Delta b = \eta(1 - (2 + 1/\mu) y + y^2/\mu)`, :math:`\Delta a = \eta/a + x \Delta b`."""
    db = eta * (1 - (2 + 1 / ip.mu) * ip.y + ip.y**2 / ip.mu)
    return sp.Matrix([eta / ip.a + ip.x * db, db])


def derive():
    """Closed forms of the intrinsic-plasticity example, Gaussian and logistic input."""
    eta = sp.Symbol("eta", positive=True)
    ip = sg.catalog.intrinsic_plasticity("gaussian")
    logistic = sg.catalog.intrinsic_plasticity("logistic")
    euclid = sg.GradientFlow(ip.sample_cost, ip.euclidean, rate=eta)
    natural = sg.GradientFlow(ip.sample_cost, ip.fisher, rate=eta)
    return {
        "per-sample cost": ip.sample_cost.components(),
        "Euclidean per-sample rule (a, b)": euclid.components(),
        "Triesch rule (a, b)": triesch_rule(ip, eta),
        "Fisher metric, Gaussian input": ip.fisher.components(),
        "Fisher metric, logistic input": logistic.fisher.components(),
        "natural-gradient per-sample rule, Gaussian input": natural.components(),
    }


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    eta = sp.Symbol("eta", positive=True)
    ip = sg.catalog.intrinsic_plasticity()
    dc = sg.differential(ip.sample_cost).components()
    diff = results["Euclidean per-sample rule (a, b)"] - results["Triesch rule (a, b)"]
    natural = ip.fisher.components() * results["natural-gradient per-sample rule, Gaussian input"] + eta * dc
    return {
        "Triesch's rule is the stochastic Euclidean gradient": all(sp.simplify(e) == 0 for e in diff),
        "the natural-gradient rule solves F v = -eta dc": all(sp.cancel(e) == 0 for e in natural),
    }


def figure(results, steps=3000, seed=1):
    """Stochastic (a, b) trajectories of Triesch's rule and of the natural-gradient rule.

    Inputs x ~ N(0.5, 1), target mean output mu = 0.2, eta = 0.01.
    """
    import numpy as np
    from matplotlib.figure import Figure

    from symgrad.plotting import relevant_params

    ip = sg.catalog.intrinsic_plasticity()
    values = {ip.m: 0.5, ip.s: 1.0, ip.mu: 0.2}
    eta = sp.Symbol("eta", positive=True)
    rules = {
        "Euclidean (Triesch)": sg.GradientFlow(ip.sample_cost, ip.euclidean, rate=eta),
        "natural gradient (Fisher)": sg.GradientFlow(ip.sample_cost, ip.fisher, rate=eta),
    }
    rng = np.random.default_rng(seed)
    xs = rng.normal(values[ip.m], values[ip.s], size=steps)
    starts = np.array([[0.5, -2.0], [3.0, 1.0], [1.5, 2.0], [4.0, -2.5]])
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    for ax, (label, rule) in zip(axes, rules.items()):
        num = rule.numeric(ip.chart, params=relevant_params(rule, {**values, eta: 0.01}))
        state = starts.copy()
        paths = [state.copy()]
        for x in xs:  # one input sample per step: the stochastic rule
            state = state + num(state, x=x)
            state[:, 0] = np.maximum(state[:, 0], 1e-3)  # keep the gain positive
            paths.append(state.copy())
        paths = np.stack(paths, axis=1)
        for path in paths:
            ax.plot(path[:, 0], path[:, 1], linewidth=1)
            ax.plot(path[:1, 0], path[:1, 1], "ko", markersize=3)
        ax.set(xlabel="gain $a$", ylabel="bias $b$", title=label)
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("intrinsic_plasticity", "Intrinsic plasticity of a sigmoid neuron (Fig 4A/B)", derive)
