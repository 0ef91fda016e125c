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


#: Parameter values of the figure: 10 release sites, target response 1.5, narrow target.
FIGURE_VALUES = {"N": 10, "phi": 1.5, "epsilon": 0.2, "eta": 1.0}


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    syn = sg.catalog.binomial_synapse()
    eta = sp.Symbol("eta", positive=True)
    metabolic = sg.metabolic(syn.chart, {syn.P: 1 / (1 - syn.P) ** 2})
    flows = [sg.GradientFlow(syn.cost, m, rate=eta) for m in (syn.euclidean, syn.fisher, metabolic)]
    fisher_flow = results["Fisher flow"]
    dC = sg.differential(syn.cost).components()
    return {
        "Euclidean, Fisher and metabolic flows descend the cost": all(sg.check_descent(f) for f in flows),
        "the Fisher flow solves F v = -eta dC": all(
            sp.cancel(e) == 0 for e in syn.fisher.components() * fisher_flow + eta * dC
        ),
        "the Fisher and Euclidean flows differ": any(
            sp.cancel(e) != 0 for e in results["Euclidean flow"] - fisher_flow
        ),
    }


def figure(results):
    """Euclidean, Fisher and metabolic flows of the synapse in the (q, P) plane."""
    from symgrad.plotting import compare_metrics

    syn = sg.catalog.binomial_synapse()
    eta = sp.Symbol("eta", positive=True)
    v = FIGURE_VALUES
    params = {syn.N: v["N"], syn.phi: v["phi"], syn.epsilon: v["epsilon"], eta: v["eta"]}
    metrics = {
        "Euclidean": syn.euclidean,
        "Fisher": syn.fisher,
        "metabolic": sg.metabolic(syn.chart, {syn.P: 1 / (1 - syn.P) ** 2}),
    }
    ranges = {syn.q: (0.05, 1.5), syn.P: (0.02, 0.98)}
    return compare_metrics(
        syn.cost,
        metrics,
        syn.chart,
        ranges,
        rate=eta,
        params=params,
        trajectories=[[1.2, 0.2], [0.3, 0.9]],
        t_span=(0, 2),
        n=21,
    )


if __name__ == "__main__":
    from symgrad.paper import main

    main("binomial_synapse", "The binomial release synapse (Fig 4C/D)", derive)
