"""The paper's examples, one module each.

Each module exposes ``derive()``, returning its closed forms (metrics, flows in
each chart, update rules) as a dict of sympy objects, and, run as a script
(``python -m derivations.gaussian_kl``), prints them and writes their LaTeX.
``tests/test_derivations.py`` asserts them against the closed forms of the paper.
"""

#: The derivation modules, in the order of the paper.
MODULES = (
    "one_dimensional",
    "wicked_map",
    "gaussian_kl",
    "intrinsic_plasticity",
    "binomial_synapse",
    "synaptic_plasticity",
)
