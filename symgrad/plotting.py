"""Flow fields, cost contours and trajectories in any chart.

The documented home of the names below; they are defined in
:mod:`symgrad.numeric.plotting`.
"""

from .numeric.plotting import compare_metrics, flow_grid, plot_flow, relevant_params, save_figure

__all__ = ["plot_flow", "flow_grid", "compare_metrics", "save_figure", "relevant_params"]
