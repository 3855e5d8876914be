"""The cost as a figure: C0 against one parameter with its tangent (``CostCurve``), and over
two parameters as the one contour map, ``CostContour`` (with the point, the gradient arrow and
descent paths; notebook 09's maps are in ``training``), or a 3-D surface."""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.colors import BoundaryNorm
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.transforms import Bbox, offset_copy

from ..core.network import Network
from ..learning.surface import CostSurface, cost_surface
from ..numbers import fmt, grid_values, plural, rounded
from . import style
from .diagram import NumberText, backward_or_none
from .figure import HALO, LARGEST, AltText, figure_and_axes, figure_of, new_figure, say
from .scales import (
    COST_CMAP,
    CompactFormatter,
    axis_limits,
    centred_values,
    check_drawable,
    compact_ticks,
    contour_levels,
    digits_for,
    drawable,
    flat_note,
    tex_name,
)


# --- cost against one parameter ----------------------------------------------------------------
def cost_curve(net: Network, x, y, param: str, values) -> np.ndarray:
    """C0 at each of ``values`` of ``param``, the rest as in ``net``; NaN where it overflows."""
    values = np.asarray(values, dtype=float)
    other = next(n for n in net.parameter_names if n != param)
    fixed = float(net.param(other))
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            surface = cost_surface(net, x, y, {param: values, other: [fixed, fixed]},
                                   gradients=())
            return drawable(surface.cost[:, 0])
        except OverflowError:  # draw the part of the curve that floating point holds
            return drawable([_finite_cost(net, x, y, param, v) for v in values])


def _finite_cost(net, x, y, param, value):
    try:
        return float(net.with_params({param: value}).cost(x, y))
    except OverflowError:
        return math.nan


class CostCurve:
    """C0 against ``param`` with the current point, the tangent of slope dC0/dparam, a legend
    inside the axes and the numbers above them."""

    def __init__(self, net: Network, x, y, param: str, values=None, ax=None):
        self.param = param  # net.param refuses an unknown name, naming the valid ones
        self.values = (centred_values(net.param(param)) if values is None else
                       _curve_values(values))
        owns = ax is None
        with style.context():
            self.fig, self.ax = fig, ax = figure_and_axes(ax, (6.0, 4.0))
            (self.curve,) = ax.plot(self.values, np.zeros_like(self.values), color=style.VALUE,
                                    lw=style.LINE_WIDTH, label="$C_0$")
            slope = f"tangent, slope $\\partial C_0/\\partial${tex_name(param)}"
            (self.tangent,) = ax.plot([], [], color=style.GRADIENT, lw=2,
                                      ls=style.TANGENT_STYLE, label=slope)
            (self.point,) = ax.plot([], [], **style.POINT, zorder=5, label="current point")
            self.readout = NumberText(ax, 0, 1, "", transform=offset_copy(
                ax.transAxes, fig=fig, x=0, y=6, units="points"), va="bottom")
            self.message = self.problem = self.curve_key = None
            self.flat = ""  # a sentence when C0 changes too little to see (scales.flat_note)
            self.flat_text = ax.annotate("", (0.5, 0.5), xycoords=self._clear_band, ha="center",
                                         va="center", color=style.INK, fontsize=style.FONT,
                                         zorder=6, path_effects=HALO)
            ax.set(xlabel=tex_name(param), ylabel="$C_0$", xlim=(self.values[0], self.values[-1]))
            compact_ticks(ax)
            ax.grid(True)
            # two lines of numbers above the axes: leave them room in tight_layout
            ax.set_title(" \n ", fontsize=style.FONT, loc="left")
            ax.legend(loc="best", fontsize=style.FONT)
            self.update(net, backward_or_none(net, x, y), x, y)
            if owns:
                fig.tight_layout()

    def _clear_band(self, renderer):
        """Where the flat note covers nothing, found when drawn (a notebook may set the limits):
        in the taller band of the axes below or above the curve, tangent and point, next to
        them (the legend keeps the rest of the band)."""
        box, (low, high) = self.ax.bbox, self.ax.get_ylim()
        ys = np.concatenate([np.asarray(line.get_ydata(), float)
                             for line in (self.curve, self.tangent, self.point)])
        ys = box.y0 + box.height * np.clip((ys[np.isfinite(ys)] - low) / (high - low), 0, 1)
        bottom, top = (ys.min(), ys.max()) if len(ys) else (box.y0, box.y0)
        half = renderer.points_to_pixels(style.FONT) * (0.6 * self.flat_text.get_text().count(
            "\n") + 1.1)  # half the note's lines (1.2 font sizes each), and a gap
        y = (max(bottom - half, (box.y0 + bottom) / 2) if bottom - box.y0 > box.y1 - top else
             min(top + half, (top + box.y1) / 2))
        return Bbox([[box.x0, y], [box.x1, y]])

    def dynamic_artists(self) -> list:
        """The curve too: only a change of the axes' limits redraws the background."""
        return [self.curve, self.tangent, self.point, self.readout]

    def static_key(self):
        return self.ax.get_ylim(), self.problem, self.flat

    def update(self, net: Network, g, x, y):
        """Move the point and the tangent to ``net`` with its results ``g`` (None: overflowed,
        no point); the curve is recomputed only if another parameter, x or y changed."""
        others = tuple(float(v) for n, v in net.params().items() if n != self.param)
        key = (others, repr(net.input(x)), repr(net.target(y)))
        if key != self.curve_key:
            self._set_curve(cost_curve(net, x, y, self.param, self.values))
            self.curve_key = key
        p = float(net.param(self.param))
        if g is None:
            self.point.set_data([], [])
            self.tangent.set_data([], [])
            self.readout.set_text(f"{self.param} = {fmt(p)}:\nC0 or its gradient is too large "
                                  "for floating point here")
            self.shown = (None, p, None)
            return
        c, slope = float(g.cost), float(g[self.param])
        reach = 0.18 * (self.values[-1] - self.values[0])
        xs = np.array([p - reach, p + reach])
        drawable_point = abs(c) <= LARGEST and abs(slope * reach) <= LARGEST
        self.point.set_data([p], [c] if drawable_point else [np.nan])
        self.tangent.set_data(xs, c + slope * (xs - p) if drawable_point else [np.nan] * 2)
        self.readout.set_text(f"{self.param} = {fmt(p)}, C0 = {fmt(c)}\n"
                              f"slope of the tangent: dC0/d{self.param} = {fmt(slope)}")
        self.shown = (g[self.param], p, g.cost)  # exact where the network is

    def _set_curve(self, cost):
        self.curve.set_ydata(cost)
        limits = axis_limits(cost)
        if self.message is not None:
            self.message.remove()
            self.message = None
        if limits is None:
            self.problem = (f"C0 is too large for floating point (beyond 1e300) for every "
                            f"{self.param} from {fmt(self.values[0])} to "
                            f"{fmt(self.values[-1])}: move the sliders back towards their "
                            "start, or use smaller weights")
            self.message = say(self.ax, self.problem)
            self.ax.set_ylim(0, 1)
            self.flat = ""  # the problem says it all: no flat note of the last curve beside it
            self.flat_text.set_text("")
            return
        self.problem = None
        self.flat = flat_note(cost, "C0", f"for {self.param} from {rounded(self.values[0], 4)} "
                                          f"to {rounded(self.values[-1], 4)}")
        self.flat_text.set_text(textwrap.fill(self.flat, 46))
        low, high = self.ax.get_ylim()
        if (self.curve_key is None or not low <= limits[0] <= limits[1] <= high
                or limits[1] - limits[0] < 0.4 * (high - low)):
            self.ax.set_ylim(*limits)  # else keep the axes: no background redraw, no jump

    def alt_text(self) -> str:
        slope, p, cost = self.shown
        text = (f"Cost C0 against {self.param} from {fmt(self.values[0])} to "
                f"{fmt(self.values[-1])}; ")
        if cost is None:
            text += (f"at {self.param} = {fmt(p)} C0 or its gradient is too large for floating "
                     "point, so no point or tangent is drawn.")
        else:
            text += (f"at {self.param} = {fmt(p)}, C0 = {fmt(cost)} and the tangent's slope "
                     f"dC0/d{self.param} = {fmt(slope)}.")
        ys = np.asarray(self.curve.get_ydata(), float)
        if self.problem:
            text += f" The curve is not drawn: {self.problem}."
        elif self.flat:
            text += f" The curve is flat on this axis: {self.flat}."
        elif np.isfinite(ys).any():
            lowest = np.flatnonzero(ys == np.nanmin(ys))
            i, j = int(lowest[0]), int(lowest[-1])
            ends = f"from {self.param} = {fmt(self.values[i])} to {fmt(self.values[j])}"
            # one place, a flat stretch (as where a ReLU is dead), or several apart
            where = (f"at {self.param} = {fmt(self.values[i])}" if i == j else
                     f"all the way {ends}" if j - i + 1 == len(lowest) else
                     f"at {len(lowest)} places, {ends}")
            text += f" The lowest C0 on the plot is {fmt(ys[i])}, {where}."
        return text


def _curve_values(values) -> np.ndarray:
    """The values of a cost curve: a cost surface's ``grid_values``, increasing and drawable
    (within +-LARGEST), or an error."""
    array = grid_values(values, "values")
    if not (np.diff(array) > 0).all():
        raise ValueError(f"values: expected numbers in increasing order; from {fmt(array[0])} "
                         f"to {fmt(array[-1])} some repeat or fall (in floating point, numbers "
                         "closer than its resolution count as equal): use a wider range")
    return check_drawable(array, "values")


def cost_vs_param(net: Network, x, y, param: str, values=None, ax=None):
    """``CostCurve``'s figure: C0 against ``param`` around its value (or over ``values``)."""
    return figure_of(CostCurve(net, x, y, param, values, ax))

# --- cost over two parameters ------------------------------------------------------------------
# labelled paths take these in turn: 09's full batch (ink) and mini-batch SGD first
PATH_COLOURS = (style.INK, style.PATH, style.GRADIENT, style.VALUE)
# every descent path on a map, alone (06) or beside others (09)
PATH_STYLE = {"marker": "o", "mec": style.INK, "mew": 0.6, "ms": 5, "lw": 2, "zorder": 4}
# a map's key (or its labelled paths' legend), in a row below it: on the map it hides points
KEY = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.16), "ncol": 3, "frameon": False,
       "fontsize": style.FONT, "handlelength": 1.6, "columnspacing": 1.0}


class CostContour:
    """Filled contour of the cost (``cost_name``: C0 or C) over two parameters, drawn once, with
    the point, gradient arrow and paths that ``set_point``, ``set_gradient``, ``set_path`` move.
    ``key``: a key below for the point, arrow and (``paths``) descent path."""

    def __init__(self, surface: CostSurface, point=None, gradient=None, path=None, ax=None,
                 paths=None, cost_name="C0", key=True):
        self.surface, self.names, self.cost_name = surface, surface.names, cost_name
        self.path_in_key = path is not None if paths is None else paths
        self.gradient = None
        self.arrow_ends = None  # ((x, y) of its tail, (x, y) of its head) while it shows
        self.paths = {}  # label -> the line of a labelled path
        owns = ax is None
        with style.context():
            self.fig, self.ax = figure_and_axes(ax, (5.8, 5.2))
            self._draw(key)
            if point is not None:
                self.set_point(point)
            if gradient is not None:
                self.set_gradient(point, gradient)
            if path is not None:
                self.set_path(path)
            if owns:
                self.fig.tight_layout()
            self.tidy()

    def tidy(self):
        """Hide level labels that overlap another or the flat note; again after a layout change
        (the key and the legend lie below the map)."""
        renderer = self.fig.canvas.get_renderer()
        kept = [self.flat_label.get_window_extent(renderer)] if self.flat_label else []
        for label in self.labels:
            label.set_visible(True)
            box = label.get_window_extent(renderer).padded(2)
            if any(box.overlaps(other) for other in kept):
                label.set_visible(False)
            else:
                kept.append(box)

    def _draw(self, key):
        ax = self.ax
        v1, v2 = self.surface.values
        cost = drawable(self.surface.cost)
        self.filled = self.lines = None
        self.labels = []
        try:
            self.levels, self.log = contour_levels(cost)
        except ValueError as error:
            self.levels, self.problem = None, str(error).replace("C0", self.cost_name)
            say(ax, self.problem)
        else:
            self.problem = None
            norm = BoundaryNorm(self.levels, COST_CMAP.N)
            # cost[i, j] is at names[0] = v1[i], names[1] = v2[j]: names[0] on the x axis
            self.filled = ax.contourf(v1, v2, cost.T, levels=self.levels, cmap=COST_CMAP,
                                      norm=norm)
            # lines at the inner levels only: the ends are the lowest and highest cost, and a
            # line at a minimum held over a region (a dead ReLU's C0 = y^2) steps along the grid
            inner = self.levels[1:-1]
            self.lines = ax.contour(v1, v2, cost.T, levels=inner, colors=style.INK,
                                    linewidths=0.6, alpha=0.55) if len(inner) else None
            digits = digits_for(self.levels)
            # labels of at most 6 digits, or none: levels that differ only in their 9th digit
            # would all read the same (the colour bar lists them with every digit)
            self.labels = [] if digits > 6 or self.lines is None else ax.clabel(
                self.lines, self.levels[1:-1:2], fmt=lambda value: rounded(value, digits),
                fontsize=style.FONT, colors=style.INK, inline=True)
            for label in self.labels:  # ink, not the lines' alpha 0.55: grey fails 4.5:1
                label.set(path_effects=HALO, color=style.INK)
            bar = self.fig.colorbar(self.filled, ax=ax, shrink=0.92, spacing="uniform",
                                    format=CompactFormatter())
            bar.set_label(tex_name(self.cost_name))
            ticks = list(bar.get_ticks())  # no label a fraction of a step beside an end's (11.1)
            for i, end, far in ((1, 0, 2), (-2, -1, -3)):
                if (not self.log and len(ticks) > 3 and ticks[end] == self.levels[end]
                        and abs(ticks[end] - ticks[i]) < abs(ticks[far] - ticks[i]) / 2):
                    del ticks[i]
                    bar.set_ticks(ticks)
        ax.set(xlabel=tex_name(self.names[0]), ylabel=tex_name(self.names[1]),
               xlim=(v1[0], v1[-1]), ylim=(v2[0], v2[-1]))
        compact_ticks(ax)
        ax.set_autoscale_on(False)
        (self.path,) = ax.plot([], [], color=style.PATH, label="descent path", **PATH_STYLE)
        (self.path_end,) = ax.plot([], [], "s", color=style.PATH, mec=style.INK, ms=8, zorder=5)
        (self.point,) = ax.plot([], [], **style.POINT, zorder=6, label="start" if
                                self.path_in_key else "current point")  # a descent's start
        self.arrow = ax.add_patch(FancyArrowPatch(
            (0, 0), (0, 0), arrowstyle="-|>", mutation_scale=18, color=style.GRADIENT, lw=2.5,
            zorder=7, visible=False, path_effects=HALO))
        self.note = NumberText(ax, 0.02, 0.03, "", transform=ax.transAxes, va="bottom",
                               color=style.GRADIENT, halo=True, zorder=8)
        # (a map without contours says the same in its problem: once is enough)
        self.flat = "" if self.problem else flat_note(
            cost, self.cost_name, "over this map", ": the colours and level lines magnify it")
        self.flat_label = None
        if self.flat:  # the colours stretch a change too small to see: say so on the map
            self.flat_label = ax.text(
                0.5, 0.97, textwrap.fill(self.flat, 34), transform=ax.transAxes, ha="center",
                va="top", fontsize=style.FONT, color=style.INK, zorder=8,
                bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "none", "pad": 4})
        if key:  # the point and the path as drawn; the arrow as a line with a head
            uphill = Line2D([], [], color=style.GRADIENT, lw=2.5, marker=">", ms=8,
                            label="gradient (uphill)")
            entries = [self.point, uphill, self.path][:3 if self.path_in_key else 2]
            ax.legend(handles=entries, **KEY)

    def dynamic_artists(self) -> list:
        return [self.path, self.path_end, *self.paths.values(), self.point, self.arrow,
                self.note]

    def static_key(self):
        return tuple(self.paths)  # the map never changes; a new labelled path adds a legend

    @property
    def extent(self):
        v1, v2 = self.surface.values
        return v1[0], v1[-1], v2[0], v2[-1]

    #: what a reader is told when ``inside`` is False for a path drawn on the map
    LEAVES = "the path leaves the plotted area; only the part inside shows"
    OFF_MAP = "off the map (only its start shows at the edge)"  # where the arrow's head lies

    def inside(self, points) -> bool:
        """True if every point (rows of (names[0], names[1])) lies on the map."""
        x0, x1, y0, y1 = self.extent
        p = np.asarray(points, dtype=float).reshape(-1, 2)
        return bool(((p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)).all())

    def set_point(self, point):
        """Mark (value of names[0], value of names[1]); a dict keyed by name also works."""
        p = self._pair(point)
        self.point.set_data([p[0]], [p[1]])

    def set_gradient(self, point, gradient):
        """Arrow from ``point`` uphill along the gradient, a quarter of the plot long."""
        p, g = self._pair(point), self._pair(gradient)
        self.gradient = self._pair(gradient, convert=lambda v: v)  # said exact where it is
        x0, x1, y0, y1 = self.extent
        with np.errstate(over="ignore", invalid="ignore"):
            scale = max(abs(g[0]) / (x1 - x0), abs(g[1]) / (y1 - y0))
        self.arrow_ends = None
        if scale > 0 and math.isfinite(scale):
            self.arrow_ends = (p, (p[0] + g[0] * 0.25 / scale, p[1] + g[1] * 0.25 / scale))
            self.arrow.set_positions(*self.arrow_ends)
        self.arrow.set_visible(self.arrow_ends is not None)
        self.note.set_text("" if self.arrow_ends else
                           "the gradient is 0 here, so descent would not move" if scale == 0
                           else "the gradient is too large to draw")

    def set_path(self, path, label=None):
        """Draw a path (a DescentPath or points (k, 2)); with a ``label``, one of several, in
        the next of ``PATH_COLOURS`` and a legend, the point at its start."""
        if hasattr(path, "array"):
            path = path.array(self.names)
        path = np.asarray(path, dtype=float).reshape(-1, 2)
        if label is None:
            self.path.set_data(path[:, 0], path[:, 1])
            self.path_end.set_data(path[-1:, 0], path[-1:, 1])
            return
        if label not in self.paths:
            colour = PATH_COLOURS[len(self.paths) % len(PATH_COLOURS)]
            (self.paths[label],) = self.ax.plot([], [], color=colour, label=label, **PATH_STYLE)
            # below the map, as the key: on it, it hid a start (09 with learning_rate = 2)
            self.ax.legend(handles=list(self.paths.values()), **KEY)
        self.paths[label].set_data(path[:, 0], path[:, 1])
        self.set_point(path[0])

    def alt_text(self) -> str:
        v1, v2 = self.surface.values
        (n1, n2), cost, name = self.names, drawable(self.surface.cost), self.cost_name
        what = "the average cost C" if name == "C" else name
        text = (f"Contour map of {what} over {n1} from {fmt(v1[0])} to {fmt(v1[-1])} (across) "
                f"and {n2} from {fmt(v2[0])} to {fmt(v2[-1])} (up)")
        if self.problem:
            text += f"; no contours: {self.problem}."
        else:
            spacing = "logarithmic" if self.log else "evenly spaced"
            text += (f"; {name} there runs from {fmt(np.nanmin(cost))} to "
                     f"{fmt(np.nanmax(cost))}, with {len(self.levels) - 2} {spacing} level "
                     "lines between.")
            if self.flat:
                text += f" {self.flat[:1].upper()}{self.flat[1:]}."
        px, py = self.point.get_data()
        if len(px):
            text += f" The point marks {n1} = {fmt(px[0])}, {n2} = {fmt(py[0])}."
        if self.arrow.get_visible() and self.gradient is not None:
            off = "" if self.inside(self.arrow_ends[1]) else ", " + self.OFF_MAP
            text += (f" The arrow is the gradient (d{name}/d{n1}, d{name}/d{n2}) = "
                     f"({fmt(self.gradient[0])}, {fmt(self.gradient[1])}), pointing uphill{off}; "
                     "descent steps go the opposite way.")
        elif self.gradient is not None:
            text += f" No arrow: {self.note.get_text()}."
        xs, ys = self.path.get_data()
        if len(xs):
            text += f" A descent path of {_steps(xs, ys)}."
        for label, line in self.paths.items():
            text += f" {label}: a path of {_steps(*line.get_data())}."
        return text

    def _pair(self, value, convert=float):
        first, second = [value[n] for n in self.names] if isinstance(value, dict) else value
        return convert(first), convert(second)


def _steps(xs, ys) -> str:
    start, end = (f"({fmt(xs[i])}, {fmt(ys[i])})" for i in (0, -1))
    return f"{plural(len(xs) - 1, 'step', True)} " + (
        f"goes from {start} to {end}" if len(xs) > 1 else f"stays at {start}")


def cost_contour(surface: CostSurface, point=None, gradient=None, path=None, ax=None):
    """``CostContour``'s figure, with an optional point, gradient arrow and descent path."""
    return figure_of(CostContour(surface, point, gradient, path, ax))


def cost_surface_3d(surface: CostSurface):
    """C0 over two parameters as a 3-D surface."""
    with style.context():
        fig = new_figure((6.0, 4.8))
        ax = fig.add_subplot(projection="3d")
        (v1, v2), (n1, n2) = surface.values, surface.names
        X, Y = np.meshgrid(v1, v2, indexing="ij")
        cost = drawable(surface.cost)
        ax.plot_surface(X, Y, cost, cmap=COST_CMAP, linewidth=0, rcount=60, ccount=60)
        ax.set_xlabel(tex_name(n1), labelpad=10)
        ax.set_ylabel(tex_name(n2), labelpad=10)
        ax.set_zlabel("$C_0$")
        compact_ticks(ax)  # at most 6 ticks a side: the default 9 run into each other
        fig.tight_layout()
    text = (f"3-D surface of C0 over {n1} from {fmt(v1[0])} to {fmt(v1[-1])} and {n2} from "
            f"{fmt(v2[0])} to {fmt(v2[-1])}")
    if not np.isfinite(cost).any():
        text += ": C0 is too large to draw (beyond 1e300) everywhere."
    elif np.nanmin(cost) == np.nanmax(cost):
        text += f": flat, C0 = {fmt(np.nanmin(cost))} everywhere."
    else:
        i, j = np.unravel_index(int(np.nanargmin(cost)), cost.shape)
        lowest = int((cost == cost[i, j]).sum())
        where = f"{n1} = {fmt(v1[i])}, {n2} = {fmt(v2[j])}"
        where = (f"at {where}" if lowest == 1 else f"held on {lowest} of the {cost.size} grid "
                 f"points, a flat floor, first at {where}")
        text += f"; C0 runs from {fmt(cost[i, j])} ({where}) to {fmt(np.nanmax(cost))}."
    fig.bp_plot = AltText(text)
    return fig
