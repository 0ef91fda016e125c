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


if __name__ == "__main__":
    from derivations._report import main

    main("intrinsic_plasticity", "Intrinsic plasticity of a sigmoid neuron (Fig 4A/B)", derive)
