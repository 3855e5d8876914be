"""Figures for the workbook, one module per subject, in one visual language (``style``). A figure
function returns a Figure without showing it (``show`` does, with the alt text of ``fig.bp_plot``,
see ``figure``); a figure whose numbers are too large to draw says so in words instead of raising.
"""

from . import style
from .checking import difference_errors
from .cost import CostContour, CostCurve, cost_contour, cost_surface_3d, cost_vs_param
from .depth import depth_profiles
from .diagram import NetworkDiagram, NumberText, activation_pairs, network_diagram
from .figure import LARGEST, figure_bundle, new_figure, show, subplots
from .scales import centred_values, half_width, short, tex_name
from .training import cost_history, cost_surfaces, covering_ranges, paths_contour

__all__ = [
    "LARGEST", "CostContour", "CostCurve", "NetworkDiagram", "NumberText", "activation_pairs",
    "centred_values", "cost_contour", "cost_history", "cost_surface_3d", "cost_surfaces",
    "cost_vs_param", "covering_ranges", "depth_profiles", "difference_errors", "figure_bundle",
    "half_width", "network_diagram", "new_figure", "paths_contour", "short", "show", "style",
    "subplots", "tex_name",
]
