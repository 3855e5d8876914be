"""Figures for the workbook: the network with its numbers, the cost against one parameter with
its tangent, the cost over two parameters with the gradient arrow, activations and derivatives.

Every public function returns a matplotlib Figure and draws nothing to the screen itself. Show
a figure with ``plots.show(fig)`` (not ``plt.show()``): a sharp picture with alt text. The
object that drew it stays reachable as ``fig.bp_plot``; it keeps its artists, says what it shows
(``alt_text()``) and has an ``update``-style method that takes results already computed, so a
slider moves a marker without recomputing or redrawing the rest:

    fig = network_diagram(net, x, y)
    moved = net.with_params({"w_Out": 0.7})
    fig.bp_plot.update(moved, moved.backward(x, y), y)

Colours, line styles and font sizes come from ``style``; labels use the notebooks' notation
(w^{Out}, C_0 in axis labels; w_Out, dC0/dw_Out in numbers); numbers go through ``fmt``.
A figure whose numbers are too large to draw says so in words, in the figure and in its alt
text, instead of raising.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import Formatter
from matplotlib.transforms import Affine2D, offset_copy

from ..core.network import Network
from ..learning.surface import CostSurface, cost_surface
from ..numbers import fmt
from . import render, style

LARGEST = 1e300  # numbers beyond this are not drawn: axis arithmetic near 1.8e308 overflows
HALO = [patheffects.withStroke(linewidth=4, foreground="white")]


# --- showing a figure ------------------------------------------------------------------------
def show(fig, alt: str | None = None) -> None:
    """Show ``fig`` in the notebook as a sharp picture with alt text, then close it.

    Use it instead of ``plt.show()`` for every static figure. The output is an HTML ``<img>``
    holding a PNG with twice the pixels it is shown at (sharp at devicePixelRatio 2) and the
    alt text, plus the alt text as ``text/plain`` (what a text-only viewer shows). ``alt`` says
    what the figure shows with its key numbers; by default it comes from the figure's own
    ``fig.bp_plot.alt_text()`` (every figure of this module has one). A figure drawn by hand
    (``plots.subplots``) needs ``alt=``.
    """
    bundle = figure_bundle(fig, alt)
    from IPython.display import display

    display(bundle, raw=True)
    import matplotlib.pyplot as plt

    plt.close(fig)


def figure_bundle(fig, alt: str | None = None) -> dict:
    """The output ``show`` displays: {"text/html": <img alt=... src=PNG>, "text/plain": alt}."""
    if alt is None:
        plot = getattr(fig, "bp_plot", None)
        if plot is None or not hasattr(plot, "alt_text"):
            raise TypeError("plots.show: this figure was not drawn by backproplib.plots, so it "
                            "cannot describe itself; pass alt='what it shows, with its key "
                            "numbers' (computed, e.g. with bp.fmt)")
        alt = plot.alt_text()
    if not isinstance(alt, str) or not alt.strip():
        raise TypeError(f"plots.show: alt must be a non-empty text, got {alt!r}")
    fig.set_size_inches(style.whole_pixels(fig.get_size_inches()))
    width, height = style.shown_pixels(fig)
    png = render.figure_png(fig)
    return {"text/html": render.img_html(png, alt, width, height), "text/plain": alt}


def subplots(nrows: int = 1, ncols: int = 1, figsize=(5.6, 3.6), **kwargs):
    """``plt.subplots`` in the workbook's style (fonts, colours): for figures a notebook draws
    itself. Show the result with ``plots.show(fig, alt=...)``."""
    import matplotlib.pyplot as plt

    with style.context():
        return plt.subplots(nrows, ncols, figsize=figsize, **kwargs)


# --- names and ranges ------------------------------------------------------------------------
def tex_name(name: str) -> str:
    """Mathtext for a parameter or value name: w_Out -> $w^{Out}$, w_H1[0,1] -> $w^{H1}_{01}$."""
    if name in ("x", "y"):
        return f"${name}$"
    if name in ("C0", "C_0"):
        return "$C_0$"
    if name == "learning_rate":
        return r"learning rate $\eta$"
    kind, _, rest = name.partition("_")
    if not rest:
        return name
    if "[" in rest:
        layer, index = rest[:-1].split("[")
        sub = index.replace(",", "")
        return f"${kind}^{{{layer}}}_{{{sub}}}$"
    return f"${kind}^{{{rest}}}$"


def half_width(value: float) -> float:
    """How far a slider or a plot reaches either side of a starting value: at least 2."""
    return max(2.0, abs(float(value)))


def centred_values(value, n: int = 201, half: float | None = None) -> np.ndarray:
    """``n`` evenly spaced values centred on ``value``."""
    value = float(value)
    half = half_width(value) if half is None else float(half)
    return np.linspace(value - half, value + half, n)


# --- one way to choose limits and levels -----------------------------------------------------
def drawable(values) -> np.ndarray:
    """``values`` as floats with NaN where they cannot be drawn (infinite, NaN, beyond LARGEST)."""
    array = np.array(values, dtype=float)
    with np.errstate(invalid="ignore"):
        array[~(np.abs(array) <= LARGEST)] = np.nan
    return array


def axis_limits(values, pad: float = 0.08):
    """(low, high) that show every drawable value with ``pad`` of the span either side, or None
    if there is none. Never NaN or infinite, never low == high."""
    array = drawable(values)
    if not np.isfinite(array).any():
        return None
    low, high = float(np.nanmin(array)), float(np.nanmax(array))
    middle, half = low / 2 + high / 2, high / 2 - low / 2  # halves: no overflow near LARGEST
    half = half * (1 + 2 * pad) if half > 0 else max(abs(middle) * 0.05, 1e-3)
    return middle - half, middle + half


def contour_levels(cost, n: int = 12) -> np.ndarray:
    """Strictly increasing levels for a contour of ``cost``: evenly spaced round numbers, or,
    for a non-negative cost spanning more than two decades, 1-2-5 steps on a log scale over
    the top three decades (so the low valley gets bands of its own); the lowest and highest
    cost close the list. Raises ValueError, in words, when there is nothing to
    draw: no drawable value, or a cost that is the same everywhere to floating-point precision.
    """
    from matplotlib.ticker import LogLocator, MaxNLocator

    array = drawable(cost)
    if not np.isfinite(array).any():
        raise ValueError("C0 is too large to draw everywhere on this grid (beyond 1e300); "
                         "use smaller weights, inputs or targets")
    low, high = float(np.nanmin(array)), float(np.nanmax(array))
    if low == high:
        raise ValueError(f"C0 is {fmt(low)} at every point of this grid, so there are no "
                         "contour lines to draw; widen the ranges or choose parameters the "
                         "cost depends on here")
    if not high - low > 1e-9 * max(abs(low), abs(high)):
        raise ValueError(f"C0 changes by less than floating point can show over this grid (it "
                         f"is {fmt(low)} everywhere to ten digits), so there are no contour "
                         "lines to draw; widen the ranges or use smaller numbers")
    floor = float(np.nanpercentile(array, 2))
    if low >= 0 and high > 100 * max(floor, high * 1e-12):
        floor = max(floor, high * 1e-3)  # three decades: more would crowd the valley's rim
        levels = LogLocator(subs=(1, 2, 5), numticks=60).tick_values(floor, high)
        levels = levels[(levels > floor) & (levels < high)]
        levels = np.concatenate([[low], levels, [high]])
    else:
        levels = MaxNLocator(n, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
        levels = levels[(levels > low) & (levels < high)]
        levels = np.concatenate([[low], levels, [high]])
    levels = np.unique(levels)
    return levels[np.concatenate([[True], np.diff(levels) > 0])]


def level_label(value) -> str:
    """A contour line's label: three significant digits."""
    return f"{float(value):.3g}"


class CompactFormatter(Formatter):
    """Tick labels with just the significant digits the tick spacing needs, and no separate
    offset or "1e19" text at the end of the axis (which collides with the figure's own text):
    1e+19, 1.2e+19, ... or 0.5, 1, 1.5."""

    digits = 3

    def set_locs(self, locs):
        super().set_locs(locs)
        locs = np.asarray([v for v in locs if np.isfinite(v)], float)
        steps = np.diff(np.sort(locs))
        steps = steps[steps > 0]
        if len(steps) == 0:
            self.digits = 3
            return
        biggest = float(np.abs(locs).max())
        self.digits = int(min(12, max(1, math.ceil(math.log10(biggest / steps.min() + 1e-12))
                                      + 1)))

    def __call__(self, value, pos=None):
        if value == 0:
            return "0"
        text = f"{value:.{self.digits}g}"
        return text.replace("-", "\u2212")


# --- text drawn fast -------------------------------------------------------------------------
class NumberText(PathPatch):
    """A short text drawn as glyph outlines put together from a per-character cache.

    ``matplotlib.text.Text`` lays out and rasterises every glyph on every draw; for numbers that
    change on each slider step that dominates the frame (benchmarks/sliders.py measures both).
    Filling cached outlines is about ten times faster and looks the same. Lines split at
    "\\n"; ``ha`` is left, right or center (each line aligned), ``va`` is bottom, top, center
    or baseline; ``halo`` draws a white rim so the text reads over lines and colours.
    """

    _glyphs = {}  # (character, size, weight) -> (vertices, codes, advance), in points
    LINE = 1.2  # line spacing, in font sizes
    ASCENT, DESCENT = 0.76, 0.24  # of DejaVu Sans, in font sizes

    def __init__(self, ax, x, y, text="", fontsize=style.FONT, color=style.INK, ha="left",
                 va="baseline", transform=None, zorder=4, halo=False, weight="normal"):
        super().__init__(Path(np.zeros((1, 2))), lw=0, facecolor=color, zorder=zorder)
        self.weight = weight
        self.anchor = (x, y)
        self.anchor_transform = ax.transData if transform is None else transform
        self.size, self.ha, self.va, self.text = fontsize, ha, va, None
        if halo:
            self.set_path_effects(HALO)
        self.set_in_layout(False)
        ax.add_artist(self)
        self.set_clip_on(False)  # labels sit outside the axes too (titles, readouts)
        self.set_text(text)
        self._place()

    def _place(self):
        x, y = self.anchor_transform.transform(self.anchor)
        self._transform = Affine2D().scale(self.figure.dpi / 72).translate(x, y)

    def get_text(self) -> str:
        return self.text

    def set_color(self, color):
        self.set_facecolor(color)

    def get_color(self):
        return self.get_facecolor()

    def set_text(self, text):
        text = str(text)
        if text == self.text:
            return
        self.text = text
        lines = text.split("\n")
        size, step = self.size, self.LINE * self.size
        top = {"top": -self.ASCENT * size, "baseline": 0.0,
               "center": (len(lines) - 1) * step / 2 + (self.DESCENT - self.ASCENT) * size / 2,
               "bottom": (len(lines) - 1) * step + self.DESCENT * size}[self.va]
        vertices, codes = [], []
        for i, line in enumerate(lines):
            glyphs = [self._glyph(c, size, self.weight) for c in line]
            width = sum(g[2] for g in glyphs)
            x = {"left": 0.0, "center": -width / 2, "right": -width}[self.ha]
            y = top - i * step
            for v, c, advance in glyphs:
                if len(v):
                    vertices.append(v + (x, y))
                    codes.append(c)
                x += advance
        if vertices:
            self.set_path(Path(np.concatenate(vertices), np.concatenate(codes)))
        else:
            self.set_path(Path(np.zeros((1, 2))))
        self.stale = True

    @classmethod
    def _glyph(cls, char, size, weight="normal"):
        key = (char, size, weight)
        if key not in cls._glyphs:
            from matplotlib.font_manager import FontProperties
            from matplotlib.textpath import TextPath, text_to_path

            prop = FontProperties(size=size, weight=weight)
            # the advance: "0c0" is as wide as "00" plus c's advance
            wide = text_to_path.get_text_width_height_descent(f"0{char}0", prop, ismath=False)
            narrow = text_to_path.get_text_width_height_descent("00", prop, ismath=False)
            vertices, codes = np.zeros((0, 2)), np.zeros(0, dtype=Path.code_type)
            if not char.isspace():  # a space has no outline (and TextPath fails on it)
                path = TextPath((0, 0), char, prop=prop)
                vertices = np.asarray(path.vertices, float)
                codes = path.codes if path.codes is not None else np.full(
                    len(vertices), Path.LINETO, dtype=Path.code_type)
            cls._glyphs[key] = (vertices, codes, wide[0] - narrow[0])
        return cls._glyphs[key]

    def draw(self, renderer):
        self._place()  # the axes may have moved or rescaled since the text was set
        super().draw(renderer)


class PlainText:
    """NumberText's interface on matplotlib's own Text: ``plots.NUMBERS = PlainText`` draws
    the diagram's numbers with Text (benchmarks/sliders.py times both)."""

    def __new__(cls, ax, x, y, text="", fontsize=style.FONT, color=style.INK, ha="left",
                va="baseline", transform=None, zorder=4, halo=False):
        artist = ax.text(x, y, text, fontsize=fontsize, color=color, ha=ha, va=va,
                         transform=ax.transData if transform is None else transform,
                         zorder=zorder, multialignment=ha if ha != "center" else "center")
        if halo:
            artist.set_path_effects(HALO)
        artist.set_in_layout(False)
        return artist


NUMBERS = NumberText  # what the figures draw changing numbers with


def _axes(ax, figsize, projection=None):
    """``ax`` and its figure, or a new pyplot figure (so notebooks show it like any other)."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    ax = fig.add_subplot(projection=projection)
    return fig, ax


def new_figure(figsize, dpi=style.RENDER_DPI) -> Figure:
    """A Figure outside pyplot (for widgets: the inline backend never shows it by itself)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _float(value) -> float:
    return float(np.asarray(value, dtype=float).reshape(-1)[0])


def _vec(values) -> str:
    values = np.asarray(values).reshape(-1)
    if len(values) == 1:
        return fmt(values[0])
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def short(value) -> str:
    """A number for a label with little room: fmt's form if it has at most 11 characters,
    else 6 significant digits (the readout and the alt text carry every digit)."""
    text = fmt(value)
    return text if len(text) <= 11 else f"{float(value):.6g}"


def _say(ax, message, size=style.FONT):
    """Write ``message`` across the middle of ``ax`` (a figure that cannot draw its data)."""
    return ax.text(0.5, 0.5, "\n".join(textwrap.wrap(message, 48)), transform=ax.transAxes,
                   ha="center", va="center", fontsize=size, color=style.WARNING, zorder=8,
                   bbox={"facecolor": "white", "edgecolor": style.WARNING, "pad": 6})


# --- the network, left to right --------------------------------------------------------------
CHAIN_PITCH = 2.25  # inches between the columns of a chain
WIDE_PITCH = 2.1  # inches between the columns of a wider network
ROW_PITCH = 80  # points between the neurons of a column (wider networks)
LEGEND_HEIGHT = 0.62  # inches below the network for its key
TITLE_HEIGHT = 0.34  # inches above it for y and C0


class NetworkDiagram:
    """Nodes x, H0, H1, ..., Out left to right with their numbers; in a chain also each weight
    with its value and dC0/dw. Values are in ``style.INK``, gradients in ``style.GRADIENT``;
    a blocked neuron (``g.blocked``: dead or saturated, so (almost) no gradient flows back
    through it) is grey with dashed edges into it; a negative weight's edge is orange. A key
    below the network says so.

    Names and edges are drawn once; the numbers are ``NUMBERS`` artists that a slider redraws
    (see ``dynamic_artists`` and ``static_key``)."""

    def __init__(self, net: Network, x, y, ax=None):
        self.sizes, self.chain = net.sizes, net.is_chain
        self.names = ("x",) + tuple(net.layer_names)
        owns = ax is None
        with style.context():
            size, box = self.layout(net)
            self.fig, self.ax = _axes(ax, size)
            if owns:
                self.ax.set_position(box)
            self._draw(net, max(self.sizes))
        g = _backward_or_none(net, x, y)
        if g is None:
            self.cannot_show(net, y)
        else:
            self.update(net, g, y)

    def cannot_show(self, net, y):
        """Leave the numbers out, and say why: the backward pass overflows floating point."""
        for number in self.numbers.values():
            number.set_text("")
        self.title.set_text("C0 or a gradient is too large for floating point here: use "
                            "smaller weights, inputs or targets")
        self.shown = (net, None, _vec(net.target(y)))

    @staticmethod
    def layout(net: Network):
        """(figure size in inches, axes box in figure fractions) for drawing ``net``: columns
        wide enough for the labels, a band above for y and C0 and one below for the key."""
        pitch = CHAIN_PITCH if net.is_chain else WIDE_PITCH
        rows = 1.75 if net.is_chain else max(net.sizes) * ROW_PITCH / 72
        width = max(6.4, pitch * len(net.sizes))
        height = rows + LEGEND_HEIGHT + TITLE_HEIGHT
        return (width, height), [0, LEGEND_HEIGHT / height, 1, rows / height]

    def _draw(self, net, tallest):
        ax = self.ax
        ax.set_axis_off()
        ax.set_xlim(-0.5, len(self.sizes) - 0.5)
        ax.set_ylim(-0.5 if self.chain else -tallest / 2, 0.5 if self.chain else tallest / 2)
        self.positions = [[(L, (n - 1) / 2 - j) for j in range(n)]
                          for L, n in enumerate(self.sizes)]
        marker = 30 if self.chain else 44  # "Out[0]" fits inside
        self.numbers, self.edges, self.nodes, self.node_labels = {}, [], [], []
        for L in range(1, len(self.sizes)):
            lines = {}
            for j, (x1, y1) in enumerate(self.positions[L]):
                for k, (x0, y0) in enumerate(self.positions[L - 1]):
                    (lines[j, k],) = ax.plot([x0, x1], [y0, y1], color=style.EDGE, lw=2,
                                             zorder=1, solid_capstyle="butt")
                    if self.chain:
                        mid = (x0 + x1) / 2
                        self._number(("w", L, j, k), mid, y0, 3, "bottom")
                        self._number(("dw", L, j, k), mid, y0, -3, "top", gradient=True)
            self.edges.append(lines)
        node_gap = marker / 2 + 4
        below_gap = marker / 2 + 16 if self.chain else node_gap  # clear of the edge labels
        for L, column in enumerate(self.positions):
            nodes, labels = [], []
            for j, (cx, cy) in enumerate(column):
                (node,) = ax.plot([cx], [cy], "o", ms=marker, mec=style.INK, mew=1.2, zorder=3,
                                  mfc=style.INPUT_FACE if L == 0 else style.NODE_FACE)
                name = self.names[L] if len(column) == 1 else f"{self.names[L]}[{j}]"
                labels.append(NumberText(ax, cx, cy, name, ha="center", va="center",
                                         weight="bold", zorder=4))
                nodes.append(node)
                self._number(("a", L, j), cx, cy, node_gap, "bottom")
                if L > 0 or self.chain:
                    self._number(("da", L, j), cx, cy, -below_gap, "top", gradient=True)
            self.nodes.append(nodes)
            self.node_labels.append(labels)
        self.title = NUMBERS(ax, 0.01, 1 - 0.08 / self.fig.get_figheight(), "",
                             transform=self.fig.transFigure, va="top", fontsize=style.FONT)
        self.key = self.fig.legend(handles=_diagram_key(), loc="lower center", ncol=2,
                                   frameon=False, fontsize=style.FONT, handlelength=2.4,
                                   borderaxespad=0.2, columnspacing=1.6)
        self.blocked_at, self.signs = (), ()
        self.shown = None

    def _number(self, key, cx, cy, dy, va, gradient=False):
        """A label ``dy`` points above (below, if negative) the point (cx, cy) of the data."""
        where = offset_copy(self.ax.transData, fig=self.fig, x=0, y=dy, units="points")
        self.numbers[key] = NUMBERS(self.ax, cx, cy, "", transform=where, ha="center", va=va,
                                    color=style.GRADIENT if gradient else style.INK,
                                    halo=not self.chain)

    def dynamic_artists(self) -> list:
        """Everything but the key: edges and nodes change colour when a neuron is blocked or
        a weight changes sign, and drawing them is cheaper than redrawing a background."""
        edges = [line for layer in self.edges for line in layer.values()]
        nodes = [node for column in self.nodes for node in column]
        names = [name for column in self.node_labels for name in column]
        return edges + nodes + names + list(self.numbers.values()) + [self.title]

    def static_key(self):
        """The background (the key) never changes."""
        return None

    def update(self, net: Network, g, y):
        """Show ``net`` (same sizes as before) and its results ``g = net.backward(x, y)``."""
        if net.sizes != self.sizes:
            raise ValueError(f"network_diagram: drawn for sizes {self.sizes}, got {net.sizes}")
        fwd = g.forward
        blocked = {(b.L + 1, b.j) for b in g.blocked}
        self.shown = (net, g, _vec(net.target(y)))
        for k in range(self.sizes[0]):
            self._set(("a", 0, k), "x", fwd.x[k])
            self._set(("da", 0, k), "dC0/dx", g.dx[k], gradient=True)
        signs = []
        for L in range(1, len(self.sizes)):
            layer = self.names[L]
            for j in range(self.sizes[L]):
                grey = (L, j) in blocked
                colour = style.BLOCKED if grey else style.INK
                self.nodes[L][j].set_markerfacecolor(style.BLOCKED_FACE if grey
                                                     else style.NODE_FACE)
                self.nodes[L][j].set_markeredgecolor(style.BLOCKED if grey else style.INK)
                self.node_labels[L][j].set_color(colour)
                if self.chain:
                    text = f"z_{layer} = {short(fwd.z[L - 1][j])}\na_{layer} = " \
                           f"{short(fwd.a[L - 1][j])}"
                    self.numbers["a", L, j].set_text(text)
                    self._set(("da", L, j), f"dC0/da_{layer}", g.da[L - 1][j],
                              gradient=True)
                else:
                    self.numbers["a", L, j].set_text(f"a = {short(fwd.a[L - 1][j])}")
                    self.numbers["da", L, j].set_text(f"dC0/da = {short(g.da[L - 1][j])}")
                self.numbers["a", L, j].set_color(colour)
                for k in range(self.sizes[L - 1]):
                    w = net.weights[L - 1][j][k]
                    signs.append(bool(w >= 0))
                    line = self.edges[L - 1][j, k]
                    line.set_color(style.BLOCKED if grey else
                                   style.EDGE if w >= 0 else style.NEGATIVE)
                    line.set_linestyle(style.BLOCKED_STYLE if grey else "-")
                    if self.chain:
                        self.numbers["w", L, j, k].set_text(f"w_{layer} = {short(w)}")
                        self.numbers["w", L, j, k].set_color(colour)
                        self._set(("dw", L, j, k), f"dC0/dw_{layer}", g.dw[L - 1][j][k],
                                  gradient=True)
        self.blocked_at, self.signs = tuple(sorted(blocked)), tuple(signs)
        self.title.set_text(f"y = {self.shown[2]}, C0 = {fmt(g.cost)}")
        return g

    def _set(self, key, name, value, gradient=False):
        if key in self.numbers:
            text = f"{name} =\n{short(value)}" if gradient else f"{name} = {short(value)}"
            self.numbers[key].set_text(text)

    def alt_text(self) -> str:
        """What the diagram shows, with its numbers: the layers, x, the output, y, C0, the
        gradients (all of them for a chain, the largest otherwise) and the blocked neurons."""
        net, g, target = self.shown
        activation = ", ".join(dict.fromkeys(a.formula for a in net.activations))
        if g is None:
            return (f"Network diagram of a {'-'.join(str(n) for n in self.sizes)} network, "
                    f"activation {activation}, without numbers: {self.title.get_text()}.")
        fwd = g.forward
        if self.chain:
            shape = " to ".join(self.names)
            values = ", ".join(f"a_{n} = {fmt(fwd.a[n][0])}" for n in net.layer_names)
            gradients = "; gradients " + ", ".join(
                f"dC0/d{n} = {fmt(g[n])}" for n in net.parameter_names)
        else:
            shape = ("-".join(str(n) for n in self.sizes) + " (layers "
                     + ", ".join(self.names) + ")")
            values = f"a_Out = {_vec(fwd.output)}"
            largest = max(net.parameter_names, key=lambda n: abs(float(g[n])))
            gradients = (f"; the largest gradient is dC0/d{largest} = {fmt(g[largest])}"
                         if float(g[largest]) != 0 else "; every gradient is 0")
        text = (f"Network diagram {shape}, activation {activation}: x = {_vec(fwd.x)}, "
                f"{values}, y = {target}, C0 = {fmt(g.cost)}{gradients}.")
        negative = sum(1 for s in self.signs if not s)
        if negative:
            text += f" {negative} of the {len(self.signs)} weights are negative (orange)."
        if g.blocked:
            text += " Greyed, with dashed inputs: " + "; ".join(
                b.sentence() for b in g.blocked) + "."
        return text


def _diagram_key():
    """The legend of the diagram: what each colour and line style means."""
    return [
        Line2D([], [], color=style.EDGE, lw=2, label="weight ≥ 0"),
        Line2D([], [], color=style.NEGATIVE, lw=2, label="weight < 0"),
        Line2D([], [], color=style.BLOCKED, lw=2, ls=style.BLOCKED_STYLE, marker="o", ms=10,
               mfc=style.BLOCKED_FACE, mec=style.BLOCKED,
               label="blocked neuron (dead or saturated)"),
        Line2D([], [], ls="none", marker="s", ms=10, color=style.GRADIENT,
               label="numbers in this colour: gradients"),
    ]


def network_diagram(net: Network, x, y, ax=None):
    """The network drawn left to right with its values and gradients (z, a, dC0/da on each
    node; w, dC0/dw on each weight of a chain); blocked neurons greyed, with a key. Returns
    the figure (``fig.bp_plot`` updates it)."""
    diagram = NetworkDiagram(net, x, y, ax)
    diagram.fig.bp_plot = diagram
    return diagram.fig


# --- cost against one parameter ----------------------------------------------------------------
def cost_curve(net: Network, x, y, param: str, values) -> np.ndarray:
    """C0 at each of ``values`` of ``param``, the other parameters as in ``net`` (vectorised);
    NaN where floating point overflows."""
    values = np.asarray(values, dtype=float)
    other = next(n for n in net.parameter_names if n != param)
    fixed = _float(net.param(other))
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            surface = cost_surface(net, x, y, {param: values, other: [fixed, fixed]},
                                   gradients=())
        return np.array(surface.cost[:, 0], dtype=float)
    except OverflowError:  # draw the part of the curve that floating point holds
        return np.array([_finite_cost(net, x, y, param, v) for v in values])


def _finite_cost(net, x, y, param, value):
    """C0 at one value of ``param``, or NaN (not drawn) where floating point overflows."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            cost = float(net.with_params({param: value}).cost(x, y))
    except OverflowError:
        return math.nan
    return cost if math.isfinite(cost) else math.nan


class CostCurve:
    """C0 against ``param`` (``style.VALUE``) with the current point (``style.CURRENT``) and
    the tangent of slope dC0/dparam (``style.GRADIENT``, dashed), a legend inside the axes and
    the numbers above them."""

    def __init__(self, net: Network, x, y, param: str, values=None, ax=None):
        if param not in net.parameter_names:
            raise ValueError(
                f"unknown parameter {param!r}; valid names: {', '.join(net.parameter_names)}")
        self.param = param
        start = _float(net.param(param))
        self.values = centred_values(start) if values is None else _curve_values(values)
        owns = ax is None
        with style.context():
            self.fig, self.ax = _axes(ax, (6.0, 4.0))
            self._draw()
            self.update(net, _backward_or_none(net, x, y), x, y)
            if owns:
                self.fig.tight_layout()

    def _draw(self):
        ax = self.ax
        (self.curve,) = ax.plot(self.values, np.zeros_like(self.values), color=style.VALUE,
                                lw=style.LINE_WIDTH, label="$C_0$")
        slope = f"tangent, slope $\\partial C_0/\\partial${tex_name(self.param)}"
        (self.tangent,) = ax.plot([], [], color=style.GRADIENT, lw=2, ls=style.TANGENT_STYLE,
                                  label=slope)
        (self.point,) = ax.plot([], [], "o", color=style.CURRENT, mec=style.CURRENT_EDGE,
                                mew=1.5, ms=style.MARKER, zorder=5, label="current point")
        self.readout = NUMBERS(ax, 0, 1, "", transform=offset_copy(
            ax.transAxes, fig=self.fig, x=0, y=6, units="points"), va="bottom")
        self.message = None
        self.problem = None
        ax.set_xlabel(tex_name(self.param))
        ax.set_ylabel("$C_0$")
        ax.set_xlim(self.values[0], self.values[-1])
        _compact_ticks(ax)
        ax.grid(True)
        # two lines of numbers above the axes: leave them room in tight_layout
        ax.set_title(" \n ", fontsize=style.FONT, loc="left")
        self.legend = ax.legend(loc="best", fontsize=style.FONT)
        self.curve_key = None

    def dynamic_artists(self) -> list:
        """The curve moves too (when another parameter, x or y changes), so that only a change
        of the axes' limits redraws the background."""
        return [self.curve, self.tangent, self.point, self.readout]

    def static_key(self):
        """The axes (ticks, limits) and the message if the curve cannot be drawn."""
        return self.ax.get_ylim(), self.problem

    def update(self, net: Network, g, x, y):
        """Move the point and the tangent to ``net`` with its results ``g`` (at x, y); the
        curve is recomputed only if another parameter, x or y changed. ``g`` None means the
        backward pass overflowed here: the curve is drawn without the point."""
        others = tuple(float(v) for n, v in net.params().items() if n != self.param)
        key = (others, repr(net.input(x)), repr(net.target(y)))
        if key != self.curve_key:
            self._set_curve(cost_curve(net, x, y, self.param, self.values))
            self.curve_key = key
        p = _float(net.param(self.param))
        if g is None:
            self.point.set_data([], [])
            self.tangent.set_data([], [])
            self.readout.set_text(f"{self.param} = {fmt(p)}:\nC0 or its gradient is too large "
                                  "for floating point here")
            self.shown = (None, p, None)
            return g
        c, slope = float(g.cost), float(g[self.param])
        reach = 0.18 * (self.values[-1] - self.values[0])
        xs = np.array([p - reach, p + reach])
        drawable_point = abs(c) <= LARGEST and abs(slope * reach) <= LARGEST
        self.point.set_data([p], [c] if drawable_point else [np.nan])
        self.tangent.set_data(xs, c + slope * (xs - p) if drawable_point else [np.nan] * 2)
        self.readout.set_text(f"{self.param} = {fmt(p)}, C0 = {fmt(c)}\n"
                              f"slope of the tangent: dC0/d{self.param} = {fmt(slope)}")
        self.shown = (slope, p, g.cost)
        return g

    def _set_curve(self, cost):
        cost = drawable(cost)
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
            self.message = _say(self.ax, self.problem)
            self.ax.set_ylim(0, 1)
            return
        self.problem = None
        low, high = self.ax.get_ylim()
        span = high - low
        inside = low <= limits[0] and limits[1] <= high
        if self.curve_key is None or not inside or limits[1] - limits[0] < 0.4 * span:
            self.ax.set_ylim(*limits)  # else keep the axes: no background redraw, no jump

    def alt_text(self) -> str:
        """The curve's range and lowest point, the current point and the tangent's slope."""
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
        elif np.isfinite(ys).any():
            i = int(np.nanargmin(ys))
            text += (f" The lowest C0 on the plot is {fmt(ys[i])}, at {self.param} = "
                     f"{fmt(self.values[i])}.")
        return text


def _compact_ticks(ax):
    """At most 6 ticks across and 7 up, labelled with CompactFormatter: long numbers such as
    -3e+05 then never run into each other."""
    from matplotlib.ticker import MaxNLocator

    for axis, bins in ((ax.xaxis, 5), (ax.yaxis, 6)):
        axis.set_major_locator(MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]))
        axis.set_major_formatter(CompactFormatter())


def _backward_or_none(net, x, y):
    """``net.backward(x, y)``, or None where it overflows floating point."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return net.backward(x, y)
    except OverflowError:
        return None


def _curve_values(values) -> np.ndarray:
    """The values of a cost curve: at least 2 finite, increasing numbers."""
    try:
        array = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(f"values: expected a list of numbers, got {values!r}"[:200]) from None
    if array.size < 2 or not np.isfinite(array).all():
        shown = ", ".join(fmt(v) for v in array[:4]) + ("..." if array.size > 4 else "")
        raise ValueError(f"values: expected at least 2 finite numbers, got {array.size} "
                         f"({shown})")
    if not (np.diff(array) > 0).all():
        raise ValueError(f"values: expected numbers in increasing order; from {fmt(array[0])} "
                         f"to {fmt(array[-1])} some repeat or fall (in floating point, numbers "
                         "closer than its resolution count as equal): use a wider range")
    if np.abs(array).max() > LARGEST:
        raise ValueError(f"values: expected numbers within +-1e300, got up to "
                         f"{fmt(np.abs(array).max())}")
    return array


def cost_vs_param(net: Network, x, y, param: str, values=None, ax=None):
    """C0 against one parameter over a range centred on its value (or ``values``), with the
    current point and the tangent whose slope is dC0/dparam from backpropagation."""
    curve = CostCurve(net, x, y, param, values, ax)
    curve.fig.bp_plot = curve
    return curve.fig


# --- cost over two parameters ------------------------------------------------------------------
COST_CMAP = ListedColormap(matplotlib.colormaps[style.CMAP](
    np.linspace(0.3, 1.0, 256)), name="bp_cost")  # cividis without its darkest third


class CostContour:
    """Filled contour of C0 over two parameters, drawn once, with labelled level lines and a
    colour bar; the point, the gradient arrow and a descent path are artists that
    ``set_point``, ``set_gradient`` and ``set_path`` move. A key below the map names them."""

    def __init__(self, surface: CostSurface, point=None, gradient=None, path=None, ax=None,
                 colorbar=True, paths=None):
        self.surface, self.names = surface, surface.names
        self.paths = path is not None if paths is None else paths  # a key entry for paths
        self.gradient = None
        owns = ax is None
        with style.context():
            self.fig, self.ax = _axes(ax, (5.8, 5.2))
            self._draw(colorbar)
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
        """Drop the level labels that would overlap another (where lines crowd together);
        call again after changing the layout."""
        renderer = self.fig.canvas.get_renderer()
        kept = []
        for label in self.labels:
            label.set_visible(True)
            box = label.get_window_extent(renderer).padded(2)
            if any(box.overlaps(other) for other in kept):
                label.set_visible(False)
            else:
                kept.append(box)

    def _draw(self, colorbar):
        ax = self.ax
        v1, v2 = self.surface.values
        cost = drawable(self.surface.cost)
        self.filled = self.lines = None
        self.labels = []
        try:
            self.levels = contour_levels(cost)
        except ValueError as error:
            self.levels, self.problem = None, str(error)
            _say(ax, self.problem)
        else:
            self.problem = None
            norm = BoundaryNorm(self.levels, COST_CMAP.N)
            # cost[i, j] is at names[0] = v1[i], names[1] = v2[j]: names[0] on the x axis
            self.filled = ax.contourf(v1, v2, cost.T, levels=self.levels, cmap=COST_CMAP,
                                      norm=norm)
            self.lines = ax.contour(v1, v2, cost.T, levels=self.levels, colors=style.INK,
                                    linewidths=0.6, alpha=0.55)
            self.labels = ax.clabel(self.lines, self.levels[1:-1:2], fmt=level_label,
                                    fontsize=style.FONT, colors=style.INK, inline=True)
            for label in self.labels:
                label.set_path_effects(HALO)
            if colorbar:
                bar = self.fig.colorbar(self.filled, ax=ax, shrink=0.92, spacing="uniform",
                                        format=_tick_format())
                bar.set_label("$C_0$")
        ax.set_xlabel(tex_name(self.names[0]))
        ax.set_ylabel(tex_name(self.names[1]))
        ax.set_xlim(v1[0], v1[-1])
        ax.set_ylim(v2[0], v2[-1])
        _compact_ticks(ax)
        ax.set_autoscale_on(False)
        (self.path,) = ax.plot([], [], "o-", color=style.PATH, mec=style.INK, mew=0.6, ms=5,
                               lw=2, zorder=4)
        (self.path_end,) = ax.plot([], [], "s", color=style.PATH, mec=style.INK, ms=8, zorder=5)
        (self.point,) = ax.plot([], [], "o", color=style.CURRENT, mec=style.CURRENT_EDGE,
                                mew=1.5, ms=style.MARKER, zorder=6)
        self.arrow = FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=18,
                                     color=style.GRADIENT, lw=2.5, zorder=7, visible=False,
                                     path_effects=HALO)
        ax.add_patch(self.arrow)
        self.note = NUMBERS(ax, 0.02, 0.03, "", transform=ax.transAxes, va="bottom",
                            color=style.GRADIENT, halo=True, zorder=8)
        key = _contour_key() if self.paths else _contour_key()[:2]
        ax.legend(handles=key, loc="upper center", bbox_to_anchor=(0.5, -0.16),
                  ncol=3, frameon=False, fontsize=style.FONT, handlelength=1.6,
                  columnspacing=1.0)

    def dynamic_artists(self) -> list:
        return [self.path, self.path_end, self.point, self.arrow, self.note]

    def static_key(self):
        return None  # the map never changes

    @property
    def extent(self):
        v1, v2 = self.surface.values
        return v1[0], v1[-1], v2[0], v2[-1]

    def set_point(self, point):
        """Mark (value of names[0], value of names[1]); a dict keyed by name also works."""
        p = self._pair(point)
        self.point.set_data([p[0]], [p[1]])

    def set_gradient(self, point, gradient):
        """Arrow from ``point`` along (dC0/dname1, dC0/dname2): uphill. Its length is scaled to
        a quarter of the plot; the readout carries the size. A zero gradient hides it."""
        p, g = self._pair(point), self._pair(gradient)
        self.gradient = g
        x0, x1, y0, y1 = self.extent
        with np.errstate(over="ignore", invalid="ignore"):
            scale = max(abs(g[0]) / (x1 - x0), abs(g[1]) / (y1 - y0))
        if scale == 0 or not math.isfinite(scale):
            self.arrow.set_visible(False)
            self.note.set_text("gradient 0 here: no arrow, descent would not move"
                               if scale == 0 else "gradient too large to draw")
            return
        factor = 0.25 / scale
        self.arrow.set_positions((p[0], p[1]), (p[0] + g[0] * factor, p[1] + g[1] * factor))
        self.arrow.set_visible(True)
        self.note.set_text("")

    def set_path(self, path):
        """Draw a descent path: a DescentPath, or an array of shape (points, 2)."""
        if hasattr(path, "array"):
            path = path.array(self.names)
        path = np.asarray(path, dtype=float).reshape(-1, 2)
        self.path.set_data(path[:, 0], path[:, 1])
        self.path_end.set_data(path[-1:, 0], path[-1:, 1])

    def alt_text(self) -> str:
        """The axes' ranges, the cost's range and levels, the point, the arrow and the path."""
        v1, v2 = self.surface.values
        (n1, n2), cost = self.names, drawable(self.surface.cost)
        text = (f"Contour map of C0 over {n1} from {fmt(v1[0])} to {fmt(v1[-1])} (across) and "
                f"{n2} from {fmt(v2[0])} to {fmt(v2[-1])} (up)")
        if self.problem:
            text += f"; no contours: {self.problem}."
        else:
            spacing = "logarithmic" if _is_log(self.levels) else "evenly spaced"
            text += (f"; C0 there runs from {fmt(np.nanmin(cost))} to {fmt(np.nanmax(cost))}, "
                     f"with {len(self.levels) - 2} {spacing} level lines between.")
        px, py = self.point.get_data()
        if len(px):
            text += f" The point marks {n1} = {fmt(px[0])}, {n2} = {fmt(py[0])}."
        if self.arrow.get_visible() and self.gradient is not None:
            text += (f" The arrow is the gradient (dC0/d{n1}, dC0/d{n2}) = "
                     f"({fmt(self.gradient[0])}, {fmt(self.gradient[1])}), pointing uphill; "
                     "descent steps go the opposite way.")
        elif self.gradient is not None:
            text += f" No arrow: {self.note.get_text()}."
        xs, ys = self.path.get_data()
        if len(xs):
            text += (f" A descent path of {len(xs) - 1} steps goes from ({fmt(xs[0])}, "
                     f"{fmt(ys[0])}) to ({fmt(xs[-1])}, {fmt(ys[-1])}).")
        return text

    def _pair(self, value):
        if isinstance(value, dict):
            return tuple(_float(value[n]) for n in self.names)
        first, second = value
        return _float(first), _float(second)


def _is_log(levels) -> bool:
    inner = np.asarray(levels[1:-1], float)
    return len(inner) > 2 and inner[0] > 0 and inner[-1] / inner[0] > 100


def _tick_format():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: level_label(value))


def _contour_key():
    return [
        Line2D([], [], ls="none", marker="o", color=style.CURRENT, mec=style.CURRENT_EDGE,
               ms=style.MARKER, label="current point"),
        Line2D([], [], color=style.GRADIENT, lw=2.5, marker=">", ms=8,
               label="gradient (uphill)"),
        Line2D([], [], color=style.PATH, marker="o", mec=style.INK, ms=5, lw=2,
               label="descent path"),
    ]


def cost_contour(surface: CostSurface, point=None, gradient=None, path=None, ax=None):
    """Contour of C0 over the surface's two parameters, with an optional point marker, gradient
    arrow (uphill; descent goes the opposite way) and descent path. Returns the figure."""
    contour = CostContour(surface, point, gradient, path, ax)
    contour.fig.bp_plot = contour
    return contour.fig


def cost_surface_3d(surface: CostSurface, ax=None):
    """C0 over two parameters as a 3-D surface. Returns the figure."""
    with style.context():
        fig, ax = _axes(ax, (6.0, 4.8), projection="3d")
        v1, v2 = surface.values
        X, Y = np.meshgrid(v1, v2, indexing="ij")
        cost = drawable(surface.cost)
        ax.plot_surface(X, Y, cost, cmap=COST_CMAP, linewidth=0, antialiased=True,
                        rcount=60, ccount=60)
        ax.set_xlabel(tex_name(surface.names[0]))
        ax.set_ylabel(tex_name(surface.names[1]))
        ax.set_zlabel("$C_0$")
        fig.tight_layout()
    fig.bp_plot = Surface3D(surface, ax)
    return fig


class Surface3D:
    """The 3-D surface's axes (``ax``) and its alt text."""

    def __init__(self, surface: CostSurface, ax):
        self.surface, self.ax = surface, ax

    def alt_text(self) -> str:
        (v1, v2), (n1, n2) = self.surface.values, self.surface.names
        cost = drawable(self.surface.cost)
        text = (f"3-D surface of C0 over {n1} from {fmt(v1[0])} to {fmt(v1[-1])} and {n2} from "
                f"{fmt(v2[0])} to {fmt(v2[-1])}")
        if not np.isfinite(cost).any():
            return text + ": C0 is too large to draw (beyond 1e300) everywhere."
        i, j = np.unravel_index(int(np.nanargmin(cost)), cost.shape)
        if np.nanmin(cost) == np.nanmax(cost):
            return text + f": flat, C0 = {fmt(cost[i, j])} everywhere."
        return text + (f"; C0 runs from {fmt(cost[i, j])} (at {n1} = {fmt(v1[i])}, {n2} = "
                       f"{fmt(v2[j])}) to {fmt(np.nanmax(cost))}.")


# --- activations -----------------------------------------------------------------------------
def activation_pairs(names=None, z=None):
    """Each activation sigma(z) (``style.VALUE``) beside its slope sigma'(z)
    (``style.GRADIENT``), one row per activation."""
    from ..core.activations import ACTIVATIONS, get

    names = tuple(ACTIVATIONS) if names is None else tuple(names)
    chosen = [get(n) for n in names]
    z = np.linspace(-4, 4, 401) if z is None else np.asarray(z, dtype=float)
    import matplotlib.pyplot as plt

    with style.context():
        fig, axes = plt.subplots(len(chosen), 2, figsize=(7.0, 2.2 * len(chosen) + 0.3),
                                 squeeze=False, sharex=True)
        for row, sigma in zip(axes, chosen):
            row[0].plot(z, sigma.function(z), color=style.VALUE, lw=2)
            row[0].set_title(f"{sigma.formula}$(z)$", fontsize=style.LABEL_FONT)
            # the one figure that evaluates sigma' itself: it draws the activations' slopes
            row[1].plot(z, sigma.derivative(z), color=style.GRADIENT, lw=2)
            row[1].set_title(f"its slope {sigma.formula}$'(z)$", fontsize=style.LABEL_FONT)
            for ax in row:
                ax.axhline(0, color=style.GRID, lw=0.8)
                ax.axvline(0, color=style.GRID, lw=0.8)
                ax.grid(True)
        for ax in axes[-1]:
            ax.set_xlabel("$z$")
        fig.tight_layout()
    fig.bp_plot = ActivationPairs(chosen, z, axes)
    return fig


class ActivationPairs:
    """The activation figure's ``axes`` (rows: activation, its slope) and its alt text."""

    def __init__(self, activations, z, axes):
        self.activations, self.z, self.axes = activations, z, axes

    def alt_text(self) -> str:
        z = self.z
        rows = []
        for sigma in self.activations:
            slope = np.asarray(sigma.derivative(z), float)
            rows.append(f"{sigma.formula}(z) and its slope {sigma.formula}'(z), which runs from "
                        f"{fmt(slope.min())} to {fmt(slope.max())}")
        return (f"Activation curves for z from {fmt(z[0])} to {fmt(z[-1])}, each beside its "
                "slope: " + "; ".join(rows) + ".")


__all__ = [
    "ActivationPairs", "CompactFormatter", "CostContour", "CostCurve", "NetworkDiagram",
    "NumberText", "PlainText", "Surface3D", "activation_pairs", "axis_limits", "centred_values",
    "contour_levels", "cost_contour", "cost_curve", "cost_surface_3d", "cost_vs_param",
    "drawable", "figure_bundle", "half_width", "level_label", "network_diagram", "new_figure",
    "short", "show", "subplots", "tex_name",
]
