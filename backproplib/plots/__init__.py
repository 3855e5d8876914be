"""Figures for the workbook, one module per subject, all in one visual language (``style``).

- ``figure``: one way to make a figure (``new_figure``) and to show it (``show``: a sharp PNG
  in an ``<img>`` with alt text);
- ``scales``: names on axes, numbers in labels, axis limits, contour levels, the colour map;
- ``diagram``: the network with its numbers, the activations beside their slopes;
- ``cost``: the cost against one parameter, and over two (contour with point, gradient arrow
  and descent paths; 3-D surface);
- ``checking``: a finite difference's error against its step h;
- ``graph``: the computational graph; ``training``: decision regions, cost history, weights;
- ``depth``: the gradient's size layer by layer.

Every figure function returns a matplotlib Figure and draws nothing to the screen itself; show
it with ``plots.show(fig)``. The object that drew it stays reachable as ``fig.bp_plot``: it
keeps its artists, says what it shows (``alt_text()``) and has an ``update``-style method that
takes results already computed, so a slider moves a marker without redrawing the rest (a
figure that never changes keeps only its words, ``figure.AltText``). A figure whose numbers
are too large to draw says so in words instead of raising.
"""

from . import style
from .checking import difference_errors
from .cost import (
    CostContour,
    CostCurve,
    cost_contour,
    cost_curve,
    cost_surface_3d,
    cost_surfaces,
    cost_vs_param,
    covering_ranges,
    paths_contour,
)
from .depth import depth_profiles
from .diagram import (
    ActivationPairs,
    NetworkDiagram,
    NumberText,
    activation_pairs,
    network_diagram,
)
from .figure import LARGEST, figure_bundle, new_figure, show, subplots
from .scales import (
    COST_CMAP,
    CompactFormatter,
    axis_limits,
    centred_values,
    contour_levels,
    drawable,
    half_width,
    short,
    tex_name,
)
from .training import cost_history

__all__ = [
    "COST_CMAP", "LARGEST", "ActivationPairs", "CompactFormatter", "CostContour", "CostCurve",
    "NetworkDiagram", "NumberText", "activation_pairs", "axis_limits",
    "centred_values", "contour_levels", "cost_contour", "cost_curve", "cost_history",
    "cost_surface_3d", "cost_surfaces", "cost_vs_param", "covering_ranges", "depth_profiles",
    "difference_errors", "drawable", "figure_bundle", "half_width", "network_diagram",
    "new_figure", "paths_contour", "short", "show", "style", "subplots", "tex_name",
]
