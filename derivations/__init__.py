"""The paper's examples, one module each.

Each module exposes ``derive()``, returning its closed forms (metrics, flows in
each chart, update rules) as a dict of sympy objects; ``checks(results)``,
the statements of the paper they support as ``{statement: passed}``; and
``figure(results)``, a matplotlib Figure.  Run as a script
(``python -m derivations.gaussian_kl``) a module prints its results and writes
their LaTeX; ``symgrad reproduce`` runs them all.
``tests/test_derivations.py`` asserts them against the closed forms of the paper.
"""

#: The derivation modules, in the order of the paper, with the stem of their
#: output files and their title.
FIGURES = {
    "metric_choice": ("fig1_metric_choice", "Fig 1: the choice of metric"),
    "one_dimensional": ("one_dimensional", "The one-dimensional example"),
    "wicked_map": ("fig2_wicked_map", "Fig 2: the wicked map"),
    "gaussian_kl": ("fig3_gaussian_kl", "Fig 3: the Gaussian KL example in three charts"),
    "intrinsic_plasticity": ("fig4ab_intrinsic_plasticity", "Fig 4A/B: intrinsic plasticity of a sigmoid neuron"),
    "binomial_synapse": ("fig4cd_binomial_synapse", "Fig 4C/D: the binomial release synapse"),
    "synaptic_plasticity": ("synaptic_plasticity", "Per-synapse learning rates and cross-talk"),
    "gradient_or_not": ("beyond_gradient_or_not", "Beyond steepest descent: is it a gradient flow?"),
    "metric_fitting": ("beyond_metric_fitting", "Beyond steepest descent: fitting a metric to dynamics"),
    "second_order": ("beyond_second_order", "Beyond steepest descent: second-order geometry"),
}

#: The derivation modules, in the order of the paper.
MODULES = tuple(FIGURES)
