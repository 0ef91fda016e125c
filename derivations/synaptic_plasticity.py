r"""A plasticity rule with per-synapse learning rates (diagonal metric) and with cross-talk.

The cost is the same; the metric decides whether synapse :math:`i` changes
with its own presynaptic activity only, or also with its neighbours'.
"""

import symgrad as sg


def derive(n=2):
    """Closed forms of the synaptic plasticity example with ``n`` synapses."""
    p = sg.catalog.synaptic_plasticity(n)
    return {
        "cost": p.cost.components(),
        "per-synapse learning rates": sg.GradientFlow(p.cost, p.per_synapse, simplify="factor").components(),
        "cross-talk metric": p.crosstalk.components(),
        "cross-talk rule": sg.GradientFlow(p.cost, p.crosstalk, simplify="factor").components(),
        "Euclidean (one learning rate)": sg.GradientFlow(p.cost, sg.euclidean(p.chart), simplify="factor").components(),
    }


#: Parameter values of the figure.
FIGURE_VALUES = {"x1": 1.0, "x2": 0.5, "ystar": 1.0, "eta1": 1.0, "eta2": 0.2, "kappa": 0.5}


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    p = sg.catalog.synaptic_plasticity(2)
    metrics = (p.per_synapse, p.crosstalk, sg.euclidean(p.chart))
    return {"every rule descends the cost": all(sg.check_descent(sg.GradientFlow(p.cost, m)) for m in metrics)}


def figure(results):
    """The same cost under one learning rate, per-synapse rates and cross-talk."""
    from symgrad.plotting import compare_metrics

    p = sg.catalog.synaptic_plasticity(2)
    v = FIGURE_VALUES
    params = {
        p.x[0]: v["x1"],
        p.x[1]: v["x2"],
        p.ystar: v["ystar"],
        p.rates[0]: v["eta1"],
        p.rates[1]: v["eta2"],
        p.kappa: v["kappa"],
    }
    metrics = {
        "one learning rate": sg.euclidean(p.chart),
        "per-synapse rates": p.per_synapse,
        "cross-talk": p.crosstalk,
    }
    return compare_metrics(
        p.cost,
        metrics,
        p.chart,
        {p.w[0]: (-1.5, 2.5), p.w[1]: (-1.5, 2.5)},
        params=params,
        trajectories=[[-1.0, 2.0], [2.0, -1.0]],
        t_span=(0, 10),
        n=21,
    )


if __name__ == "__main__":
    from symgrad.paper import main

    main("synaptic_plasticity", "Synaptic plasticity: per-synapse rates and cross-talk", derive)
