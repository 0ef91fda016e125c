r"""The binomial release synapse (Fig 4C/D): quantal amplitude :math:`q`, release probability :math:`P`.

Euclidean, Fisher and metabolic gradient flows of the KL cost from a narrow
Gaussian at :math:`\phi` to the Gaussian approximation of the response.
"""

import sympy as sp

import symgrad as sg


def derive():
    """Closed forms of the binomial synapse example."""
    syn = sg.catalog.binomial_synapse()
    eta = sp.Symbol("eta", positive=True)
    metabolic = sg.metabolic(syn.chart, {syn.P: 1 / (1 - syn.P) ** 2})
    return {
        "cost": syn.cost.components(),
        "Fisher metric of the response": syn.fisher.components(),
        "Euclidean flow": sg.GradientFlow(syn.cost, syn.euclidean, rate=eta).components(),
        "Fisher flow": sg.GradientFlow(syn.cost, syn.fisher, rate=eta).components(),
        "metabolic flow": sg.GradientFlow(syn.cost, metabolic, rate=eta).components(),
    }


if __name__ == "__main__":
    from derivations._report import main

    main("binomial_synapse", "The binomial release synapse (Fig 4C/D)", derive)
