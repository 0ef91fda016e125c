r"""The wicked map (Fig 2): a round valley seen on a sheared map.

The terrain's steepest descent points straight to the valley floor; the
vector of partial derivatives on the sheared map does not.
"""

import symgrad as sg


def derive(shear=1):
    """Closed forms of the wicked-map example."""
    w = sg.catalog.wicked_map(shear)
    true = sg.GradientFlow(w.cost, w.true_metric)
    naive = sg.GradientFlow(w.cost, w.map_metric)
    return {
        "cost on the map": w.cost.components(w.map),
        "terrain metric on the map": w.true_metric.components(w.map),
        "steepest descent, terrain": true.components(w.terrain),
        "steepest descent, on the map": true.components(w.map),
        "naive map gradient flow, on the map": naive.components(w.map),
        "naive map gradient flow, terrain": naive.components(w.terrain),
    }


if __name__ == "__main__":
    from derivations._report import main

    main("wicked_map", "The wicked map (Fig 2)", derive)
