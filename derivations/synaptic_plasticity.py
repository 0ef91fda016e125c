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


if __name__ == "__main__":
    from derivations._report import main

    main("synaptic_plasticity", "Synaptic plasticity: per-synapse rates and cross-talk", derive)
