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


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    w = sg.catalog.wicked_map()
    report = sg.check_invariance(w.cost, w.true_metric)
    return {
        "steepest descent of the terrain does not depend on the chart": report.passed,
        "the map's naive gradient is not the terrain's": report.naive_differs,
        "both flows descend": all(sg.check_descent(sg.GradientFlow(w.cost, m)) for m in (w.true_metric, w.map_metric)),
    }


def figure(results):
    """The terrain's steepest descent and the map's naive gradient, in both charts."""
    from symgrad.plotting import flow_grid

    w = sg.catalog.wicked_map()
    flows = {
        "steepest descent": sg.GradientFlow(w.cost, w.true_metric),
        "map gradient": sg.GradientFlow(w.cost, w.map_metric),
    }
    ranges = {w.terrain: {w.x: (-2, 2), w.y: (-2, 2)}, w.map: {w.u: (-2, 2), w.v: (-2, 2)}}
    starts = {w.map: [[1.5, 1.5], [-1.5, 1.0]]}
    return flow_grid(flows, [w.terrain, w.map], ranges, trajectories=starts, t_span=(0, 6), n=21)


if __name__ == "__main__":
    from symgrad.paper import main

    main("wicked_map", "The wicked map (Fig 2)", derive)
