"""Figures for the workbook: the network with its numbers, the cost against one parameter with
its tangent, the cost over two parameters with the gradient arrow, activations and derivatives.

Every public function returns a matplotlib Figure and draws nothing to the screen itself (no
``plt.show``). The object that drew it stays reachable as ``fig.bp_plot``; it keeps its artists
and has an ``update``-style method, so a slider can move a marker without redrawing the rest.

    fig = network_diagram(net, x, y)
    fig.bp_plot.update(net.with_params({"w_Out": 0.7}), x, y)

Labels use the notebooks' notation: w^{Out}, b^{H1}, C_0. Numbers go through ``fmt``.
"""

from __future__ import annotations

import io
import math

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, PathPatch
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from . import render, style
from .network import Network
from .scalars import fmt
from .surface import CostSurface, cost_surface

DEAD_FACE = "#d9d9d9"
DEAD_TEXT = "#8c8c8c"
LIVE_FACE = "#cfe3f7"
INPUT_FACE = "#f3e2c7"
ARROW_COLOR = "#d62728"
PATH_COLOR = "#ff7f0e"


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


FAST_TEXT = {"text.hinting": "no_hinting"}


class FrameRenderer:
    """PNG frames of a kept figure for a slider: what does not move is drawn once into a
    background; each frame restores it and draws only the moving artists over it.

    ``dynamic`` lists the moving artists (they are marked animated, so a plain ``savefig`` of
    this figure leaves them out: use ``png()``). ``static_key`` is any value describing the
    background; when it changes (a curve was recomputed, a neuron died) the background is
    redrawn. Text is drawn without hinting, which is faster and looks the same at this size.
    """

    def __init__(self, fig, dynamic, compress_level=1):
        self.fig = fig
        self.dynamic = list(dynamic)
        self.compress_level = compress_level
        for artist in self.dynamic:
            artist.set_animated(True)
        self._background = None
        self._key = object()

    def png(self, static_key=None) -> bytes:
        from PIL import Image

        canvas = self.fig.canvas
        with matplotlib.rc_context(FAST_TEXT):
            if self._background is None or static_key != self._key:
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.fig.bbox)
                self._key = static_key
            else:
                canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            for artist in self.dynamic:
                if artist.get_visible():
                    artist.draw(renderer)
        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA",
                                 0, 1).convert("RGB")  # opaque figure: a quarter less to pack
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=self.compress_level)
        return buffer.getvalue()


class NumberText(PathPatch):
    """A short text drawn as glyph outlines put together from a per-character cache.

    ``matplotlib.text.Text`` lays out and rasterises every glyph on every draw; for numbers that
    change on each slider step that dominates the frame. Filling cached outlines is about 20
    times faster and looks the same at these sizes. Lines split at "\\n"; ``ha`` is left, right
    or center (each line aligned), ``va`` is bottom, top, center or baseline.
    """

    _glyphs = {}  # (character, size) -> (vertices, codes, advance), in points
    LINE = 1.2  # line spacing, in font sizes
    ASCENT, DESCENT = 0.76, 0.24  # of DejaVu Sans, in font sizes

    def __init__(self, ax, x, y, text="", fontsize=8, color="black", ha="left", va="baseline",
                 transform=None, zorder=4):
        super().__init__(Path(np.zeros((1, 2))), lw=0, facecolor=color, zorder=zorder)
        self._anchor = (x, y)
        self._anchor_transform = ax.transData if transform is None else transform
        self._size, self._ha, self._va, self._text = fontsize, ha, va, None
        self.set_in_layout(False)
        ax.add_artist(self)
        self.set_text(text)
        self._place()

    def _place(self):
        x, y = self._anchor_transform.transform(self._anchor)
        self._transform = Affine2D().scale(self.figure.dpi / 72).translate(x, y)

    def get_text(self) -> str:
        return self._text

    def set_color(self, color):
        self.set_facecolor(color)

    def get_color(self):
        return self.get_facecolor()

    def set_text(self, text):
        text = str(text)
        if text == self._text:
            return
        self._text = text
        lines = text.split("\n")
        size, step = self._size, self.LINE * self._size
        top = {"top": -self.ASCENT * size, "baseline": 0.0,
               "center": (len(lines) - 1) * step / 2 + (self.DESCENT - self.ASCENT) * size / 2,
               "bottom": (len(lines) - 1) * step + self.DESCENT * size}[self._va]
        vertices, codes = [], []
        for i, line in enumerate(lines):
            glyphs = [self._glyph(c, size) for c in line]
            width = sum(g[2] for g in glyphs)
            x = {"left": 0.0, "center": -width / 2, "right": -width}[self._ha]
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
    def _glyph(cls, char, size):
        key = (char, size)
        if key not in cls._glyphs:
            from matplotlib.font_manager import FontProperties
            from matplotlib.textpath import TextPath, text_to_path

            prop = FontProperties(size=size)
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


def _axes(ax, figsize, projection=None):
    """``ax`` and its figure, or a new pyplot figure (so notebooks show it like any other)."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    ax = fig.add_subplot(projection=projection)
    return fig, ax


def new_figure(figsize, dpi=90) -> Figure:
    """A Figure outside pyplot (for widgets: the inline backend never shows it by itself)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _vec(values) -> str:
    values = np.asarray(values).reshape(-1)
    if len(values) == 1:
        return fmt(values[0])
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def _float(value) -> float:
    return float(np.asarray(value, dtype=float).reshape(-1)[0])


# --- the network, left to right --------------------------------------------------------------
class NetworkDiagram:
    """Nodes x, H0, H1, ..., Out left to right, each with z, a and dC0/da; each weight with its
    value and dC0/dw. A neuron whose activation has slope 0 there (a ReLU with z <= 0: dead, no
    gradient flows through it) is grey, and so are its weights in.

    Each label is two texts: a fixed name ("z = ") and the number, so that a slider redraws the
    numbers only (see ``dynamic_artists`` and ``static_key``)."""

    def __init__(self, net: Network, x, y, ax=None):
        owns = ax is None
        self.fig, self.ax = _axes(ax, (7.6, 2.6))
        self.sizes = net.sizes
        self.chain = net.is_chain
        ax = self.ax
        ax.set_axis_off()
        tallest = max(self.sizes)
        ax.set_xlim(-0.5, len(self.sizes) - 0.5)
        ax.set_ylim(-0.5 * tallest - 0.45, 0.5 * tallest + 0.45)
        self.positions = [
            [(L, (n - 1) / 2 - j) for j in range(n)] for L, n in enumerate(self.sizes)
        ]
        names = ("x",) + tuple(net.layer_names)
        self.small = 8 if self.chain else 6.5
        self.prefixes, self.numbers = [], {}
        self.nodes, self.node_labels, self.edges = [], [], []
        size = 30 if self.chain else max(12, 30 - 3 * tallest)
        gap = 0.3 if self.chain else 0.17
        for L in range(1, len(self.sizes)):
            lines = {}
            for j, (x1, y1) in enumerate(self.positions[L]):
                for k, (x0, y0) in enumerate(self.positions[L - 1]):
                    (line,) = ax.plot([x0, x1], [y0, y1], color="#555555", lw=1.2, zorder=1)
                    lines[j, k] = line
                    if self.chain:
                        mid = (x0 + x1) / 2
                        self._label(("w", L, j, k), mid, y0 + 0.05, "w = ", "bottom")
                        self._label(("dw", L, j, k), mid, y0 - 0.05, "dC0/dw = ", "top", True)
            self.edges.append(lines)
        for L, column in enumerate(self.positions):
            nodes, labels = [], []
            for j, (cx, cy) in enumerate(column):
                (node,) = ax.plot([cx], [cy], "o", ms=size, mec="#333333", mew=1.2, zorder=3,
                                  mfc=INPUT_FACE if L == 0 else LIVE_FACE)
                label = names[L] if len(column) == 1 else f"{names[L]}[{j}]"
                labels.append(ax.text(cx, cy, label, ha="center", va="center",
                                      fontsize=9 if self.chain else 6.5, fontweight="bold",
                                      zorder=4))
                nodes.append(node)
                if L == 0:
                    self._label(("x", j), cx, cy + gap, "x = ", "bottom")
                    if self.chain:
                        self._label(("dx", j), cx, cy - gap, "dC0/dx = ", "top", True)
                elif self.chain:
                    self._label(("za", L, j), cx, cy + gap, "z = \na = ", "bottom")
                    self._label(("da", L, j), cx, cy - gap, "dC0/da = ", "top", True)
                else:
                    self._label(("a", L, j), cx, cy + gap, "a = ", "bottom")
                    self._label(("da", L, j), cx, cy - gap, "dC0/da = ", "top", True)
            self.nodes.append(nodes)
            self.node_labels.append(labels)
        self.title = NumberText(ax, 0.5, 0.99, "", transform=ax.transAxes, ha="center",
                                va="top", fontsize=9)
        self.dead = self.signs = ()
        self.update(net, x, y)
        if owns:
            self.fig.tight_layout()

    def _label(self, key, cx, cy, prefix, va, gradient=False):
        color = "#1f5fa8" if gradient else "black"
        self.prefixes.append((key, self.ax.text(cx, cy, prefix, ha="right", va=va,
                                                fontsize=self.small, color=color, zorder=4)))
        self.numbers[key] = NumberText(self.ax, cx, cy, "", fontsize=self.small, color=color,
                                       ha="left", va=va)

    def dynamic_artists(self) -> list:
        """What changes with every number: the numbers and the title."""
        return list(self.numbers.values()) + [self.title]

    def static_key(self):
        """Nodes, weights and names change only with which neurons are dead (grey) and with
        the signs of the weights (red when negative)."""
        return self.dead, self.signs

    def update(self, net: Network, x, y):
        """Show the numbers of ``net`` (same shape as before) at input x and target y."""
        if net.sizes != self.sizes:
            raise ValueError(f"network_diagram: drawn for sizes {self.sizes}, got {net.sizes}")
        g = net.backward(x, y)
        fwd = net.forward(x)
        numbers = self.numbers
        for k in range(self.sizes[0]):
            numbers["x", k].set_text(fmt(fwd.x[k]))
            if ("dx", k) in numbers:
                numbers["dx", k].set_text(fmt(g.dx[k]))
        dead, signs = [], []
        for L in range(len(net.layer_names)):
            slope = net.activations[L].derivative(fwd.z[L])
            for j in range(self.sizes[L + 1]):
                is_dead = bool(slope[j] == 0)
                dead.append(is_dead)
                node = L + 1
                if ("za", node, j) in numbers:
                    numbers["za", node, j].set_text(f"{fmt(fwd.z[L][j])}\n{fmt(fwd.a[L][j])}")
                else:
                    numbers["a", node, j].set_text(fmt(fwd.a[L][j]))
                numbers["da", node, j].set_text(fmt(g.da[L][j]))
                self.nodes[node][j].set_markerfacecolor(DEAD_FACE if is_dead else LIVE_FACE)
                self.node_labels[node][j].set_color(DEAD_TEXT if is_dead else "black")
                for key in (("za", node, j), ("a", node, j)):
                    if key in numbers:
                        numbers[key].set_color(DEAD_TEXT if is_dead else "black")
                for k in range(self.sizes[L]):
                    w = net.weights[L][j][k]
                    line = self.edges[L][j, k]
                    signs.append(bool(w >= 0))
                    line.set_color(DEAD_TEXT if is_dead else ("#555555" if w >= 0 else "#b04040"))
                    line.set_linestyle("--" if is_dead else "-")
                    if ("w", node, j, k) in numbers:
                        numbers["w", node, j, k].set_text(fmt(w))
                        numbers["w", node, j, k].set_color(DEAD_TEXT if is_dead else "black")
                        numbers["dw", node, j, k].set_text(fmt(g.dw[L][j][k]))
        self.dead, self.signs = tuple(dead), tuple(signs)
        for key, text in self.prefixes:
            if key[0] in ("za", "a", "w"):
                node_dead = self._is_dead(key)
                text.set_color(DEAD_TEXT if node_dead else "black")
        target = ", ".join(fmt(v) for v in np.atleast_1d(net._vector(y, self.sizes[-1], "y",
                                                                       "Out")))
        self.title.set_text(f"y = {target}    C0 = {fmt(g.cost)}")
        self.shown = (net, fwd, g, target)
        return g

    def alt_text(self) -> str:
        """What the diagram shows, with its numbers: the layers, x, the output, y, C0, the
        gradients (all of them for a chain, the largest otherwise) and the blocked neurons."""
        net, fwd, g, target = self.shown
        names = ("x",) + tuple(net.layer_names)
        activation = ", ".join(dict.fromkeys(a.formula for a in net.activations))
        if self.chain:
            shape = " to ".join(names)
            values = ", ".join(f"a_{n} = {fmt(fwd.a[n][0])}" for n in net.layer_names)
            gradients = "; gradients " + ", ".join(
                f"dC0/d{n} = {fmt(g[n])}" for n in net.parameter_names)
        else:
            shape = "-".join(str(n) for n in self.sizes) + " (layers " + ", ".join(names) + ")"
            values = f"a_Out = {_vec(fwd.output)}"
            largest = max(net.parameter_names, key=lambda n: abs(float(g[n])))
            gradients = f"; the largest gradient is dC0/d{largest} = {fmt(g[largest])}"
        text = (f"Network diagram {shape}, activation {activation}: x = {_vec(fwd.x)}, "
                f"{values}, y = {target}, C0 = {fmt(g.cost)}{gradients}.")
        dead = [self._name(L, j) for L, j in self._dead_positions()]
        if dead:
            text += (" Greyed, with dashed inputs, because no gradient flows back through "
                     "them: " + ", ".join(dead) + ".")
        return text

    def _dead_positions(self):
        flags = iter(self.dead)
        return [(L, j) for L in range(1, len(self.sizes)) for j in range(self.sizes[L])
                if next(flags)]

    def _name(self, node, j):
        layer = self.shown[0].layer_names[node - 1]
        return layer if self.sizes[node] == 1 else f"{layer}[{j}]"

    def _is_dead(self, key):
        node, j = key[1], key[2]
        index = sum(self.sizes[1:node]) + j
        return self.dead[index]


def network_diagram(net: Network, x, y, ax=None):
    """The network drawn left to right with z, a, dC0/da on each node and w, dC0/dw on each
    weight; dead ReLU neurons (z <= 0) greyed. Returns the figure (``fig.bp_plot`` updates it)."""
    diagram = NetworkDiagram(net, x, y, ax)
    diagram.fig.bp_plot = diagram
    return diagram.fig


# --- cost against one parameter ----------------------------------------------------------------
def cost_curve(net: Network, x, y, param: str, values) -> np.ndarray:
    """C0 at each of ``values`` of ``param``, the other parameters as in ``net`` (vectorised)."""
    other = next(n for n in net.parameter_names if n != param)
    fixed = _float(net.params()[other])
    surface = cost_surface(net, x, y, {param: values, other: [fixed, fixed]})
    return np.array(surface.cost[:, 0])


def _finite_cost(net, x, y, param, value):
    """C0 at one value of ``param``, or NaN (not drawn) where floating point overflows."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            cost = float(net.with_params({param: value}).cost(x, y))
    except OverflowError:
        return math.nan
    return cost if math.isfinite(cost) else math.nan


class CostCurve:
    """C0 against ``param`` with the current point and the tangent of slope dC0/dparam."""

    def __init__(self, net: Network, x, y, param: str, values=None, ax=None):
        if param not in net.parameter_names:
            raise ValueError(
                f"unknown parameter {param!r}; valid names: {', '.join(net.parameter_names)}")
        owns = ax is None
        self.fig, self.ax = _axes(ax, (5.2, 3.4))
        self.param = param
        start = _float(net.params()[param])
        self.values = centred_values(start) if values is None else np.asarray(values, float)
        ax = self.ax
        (self.curve,) = ax.plot(self.values, np.zeros_like(self.values), color="#1f77b4",
                                lw=2, label="$C_0$")
        slope_label = f"tangent, slope $\\partial C_0/\\partial${tex_name(param)}"
        (self.tangent,) = ax.plot([], [], color=ARROW_COLOR, lw=1.5, ls="--", label=slope_label)
        (self.point,) = ax.plot([], [], "o", color=ARROW_COLOR, ms=7, zorder=5)
        self.slope_text = NumberText(ax, 0.02, 0.97, "", transform=ax.transAxes, ha="left",
                                     va="top", fontsize=9)
        ax.set_xlabel(tex_name(param))
        ax.set_ylabel("$C_0$")
        ax.set_xlim(self.values[0], self.values[-1])
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.grid(alpha=0.3)
        self._curve_key = None
        self.update(net, x, y)
        if owns:
            self.fig.tight_layout()

    def dynamic_artists(self) -> list:
        return [self.tangent, self.point, self.slope_text]

    def static_key(self):
        """The curve changes only when another parameter, x or y changes."""
        return self._curve_key

    def update(self, net: Network, x, y):
        """Move the point and the tangent to ``net``; redraw the curve only if it changed."""
        others = {n: v for n, v in net.params().items() if n != self.param}
        key = (tuple(float(v) for v in others.values()), repr(x), repr(y))
        if key != self._curve_key:
            try:
                cost = cost_curve(net, x, y, self.param, self.values)
            except OverflowError:  # draw the part of the curve that floating point holds
                cost = np.array([_finite_cost(net, x, y, self.param, v) for v in self.values])
            if not np.isfinite(cost).any():
                raise OverflowError(
                    f"C0 overflowed (too large for floating point) for every value of "
                    f"{self.param} on the plot; move the slider back towards its start")
            self.curve.set_ydata(cost)
            top = float(np.nanmax(cost))
            bottom = float(np.nanmin(cost))
            pad = max(0.08 * (top - bottom), 0.05 * abs(top), 1e-3)
            self.ax.set_ylim(bottom - pad, top + pad)
            self._curve_key = key
        g = net.backward(x, y)
        p, c, slope = _float(net.params()[self.param]), float(g.cost), float(g[self.param])
        reach = 0.18 * (self.values[-1] - self.values[0])
        xs = np.array([p - reach, p + reach])
        self.point.set_data([p], [c])
        self.tangent.set_data(xs, c + slope * (xs - p))
        self.slope_text.set_text(
            f"{self.param} = {fmt(p)}\nC0 = {fmt(c)}\ndC0/d{self.param} = {fmt(slope)}")
        self.shown = (g[self.param], p, g.cost)
        return g

    def alt_text(self) -> str:
        """The curve's range and lowest point, the current point and the tangent's slope."""
        slope, p, cost = self.shown
        ys = np.asarray(self.curve.get_ydata(), float)
        text = (f"Cost C0 against {self.param} from {fmt(self.values[0])} to "
                f"{fmt(self.values[-1])}; at {self.param} = {fmt(p)}, C0 = {fmt(cost)} and the "
                f"tangent's slope dC0/d{self.param} = {fmt(slope)}.")
        if np.isfinite(ys).any():
            i = int(np.nanargmin(ys))
            text += (f" The lowest C0 on the plot is {fmt(ys[i])}, at {self.param} = "
                     f"{fmt(self.values[i])}.")
        return text


def cost_vs_param(net: Network, x, y, param: str, values=None, ax=None):
    """C0 against one parameter over a range centred on its value (or ``values``), with the
    current point and the tangent whose slope is dC0/dparam from backpropagation."""
    curve = CostCurve(net, x, y, param, values, ax)
    curve.fig.bp_plot = curve
    return curve.fig


# --- cost over two parameters ------------------------------------------------------------------
def contour_levels(cost: np.ndarray, n: int = 14) -> np.ndarray:
    """Levels at quantiles of the cost, so every band shows even where the cost spans decades."""
    levels = np.unique(np.quantile(cost, np.linspace(0, 1, n + 1)))
    if len(levels) < 2:
        levels = np.array([levels[0] - 1, levels[0] + 1])
    return levels


class CostContour:
    """Filled contour of C0 over two parameters, drawn once; the point, the gradient arrow and a
    descent path are artists that ``set_point``, ``set_gradient`` and ``set_path`` move."""

    def __init__(self, surface: CostSurface, point=None, gradient=None, path=None, ax=None,
                 colorbar=True):
        owns = ax is None
        self.fig, self.ax = _axes(ax, (5.0, 4.0))
        self.surface = surface
        ax = self.ax
        v1, v2 = surface.values
        self.names = surface.names
        # cost[i, j] is at names[0] = v1[i], names[1] = v2[j]: names[0] on the x axis
        self.filled = ax.contourf(v1, v2, surface.cost.T, levels=contour_levels(surface.cost),
                                  cmap="viridis")
        self.lines = ax.contour(v1, v2, surface.cost.T, levels=self.filled.levels,
                                colors="white", linewidths=0.4, alpha=0.5)
        if colorbar:
            bar = self.fig.colorbar(self.filled, ax=ax, shrink=0.9, format="%.3g")
            bar.set_label("$C_0$")
        ax.set_xlabel(tex_name(self.names[0]))
        ax.set_ylabel(tex_name(self.names[1]))
        ax.set_xlim(v1[0], v1[-1])
        ax.set_ylim(v2[0], v2[-1])
        ax.set_autoscale_on(False)
        (self.path,) = ax.plot([], [], "o-", color=PATH_COLOR, ms=3, lw=1.3, zorder=4,
                               label="descent path")
        (self.path_end,) = ax.plot([], [], "s", color=PATH_COLOR, mec="black", ms=6, zorder=5)
        (self.point,) = ax.plot([], [], "o", color="white", mec="black", ms=8, zorder=6)
        self.arrow = FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=14,
                                     color=ARROW_COLOR, lw=2, zorder=7, visible=False)
        ax.add_patch(self.arrow)
        self.gradient = None
        self.note = ax.text(0.5, 1.01, "", transform=ax.transAxes, ha="center", va="bottom",
                            fontsize=7.5, color=ARROW_COLOR)
        if point is not None:
            self.set_point(point)
        if gradient is not None:
            self.set_gradient(point, gradient)
        if path is not None:
            self.set_path(path)
        if owns:
            self.fig.tight_layout()

    def dynamic_artists(self) -> list:
        return [self.path, self.path_end, self.point, self.arrow]

    def static_key(self):
        return self.note.get_text()

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
        scale = max(abs(g[0]) / (x1 - x0), abs(g[1]) / (y1 - y0))
        if scale == 0 or not math.isfinite(scale):
            self.arrow.set_visible(False)
            self.note.set_text("gradient 0: no arrow, descent would not move")
            return
        factor = 0.25 / scale
        self.arrow.set_positions((p[0], p[1]), (p[0] + g[0] * factor, p[1] + g[1] * factor))
        self.arrow.set_visible(True)
        self.note.set_text("red arrow: the gradient, pointing uphill; "
                           "descent steps go the opposite way")

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
        (n1, n2), cost = self.names, np.asarray(self.surface.cost, float)
        text = (f"Contour map of C0 over {n1} from {fmt(v1[0])} to {fmt(v1[-1])} (across) and "
                f"{n2} from {fmt(v2[0])} to {fmt(v2[-1])} (up); C0 there runs from "
                f"{fmt(np.nanmin(cost))} to {fmt(np.nanmax(cost))}.")
        px, py = self.point.get_data()
        if len(px):
            text += f" The point marks {n1} = {fmt(px[0])}, {n2} = {fmt(py[0])}."
        if self.arrow.get_visible() and self.gradient is not None:
            text += (f" The arrow is the gradient (dC0/d{n1}, dC0/d{n2}) = "
                     f"({fmt(self.gradient[0])}, {fmt(self.gradient[1])}), pointing uphill.")
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


def cost_contour(surface: CostSurface, point=None, gradient=None, path=None, ax=None):
    """Contour of C0 over the surface's two parameters, with an optional point marker, gradient
    arrow (uphill; descent goes the opposite way) and descent path. Returns the figure."""
    contour = CostContour(surface, point, gradient, path, ax)
    contour.fig.bp_plot = contour
    return contour.fig


def cost_surface_3d(surface: CostSurface, ax=None):
    """C0 over two parameters as a 3-D surface. Returns the figure."""
    fig, ax = _axes(ax, (5.6, 4.4), projection="3d")
    v1, v2 = surface.values
    X, Y = np.meshgrid(v1, v2, indexing="ij")
    ax.plot_surface(X, Y, surface.cost, cmap="viridis", linewidth=0, antialiased=True,
                    rcount=60, ccount=60)
    ax.set_xlabel(tex_name(surface.names[0]))
    ax.set_ylabel(tex_name(surface.names[1]))
    ax.set_zlabel("$C_0$")
    fig.bp_plot = Surface3D(surface, ax)
    return fig


class Surface3D:
    """The 3-D surface's axes (``ax``) and its alt text."""

    def __init__(self, surface: CostSurface, ax):
        self.surface, self.ax = surface, ax

    def alt_text(self) -> str:
        (v1, v2), (n1, n2) = self.surface.values, self.surface.names
        cost = np.asarray(self.surface.cost, float)
        i, j = np.unravel_index(int(np.nanargmin(cost)), cost.shape)
        return (f"3-D surface of C0 over {n1} from {fmt(v1[0])} to {fmt(v1[-1])} and {n2} from "
                f"{fmt(v2[0])} to {fmt(v2[-1])}; C0 runs from {fmt(cost[i, j])} (at {n1} = "
                f"{fmt(v1[i])}, {n2} = {fmt(v2[j])}) to {fmt(np.nanmax(cost))}.")


# --- activations -----------------------------------------------------------------------------
def activation_pairs(names=None, z=None):
    """Each activation sigma(z) beside its derivative sigma'(z), one row per activation."""
    from .activations import ACTIVATIONS, get

    names = tuple(ACTIVATIONS) if names is None else tuple(names)
    chosen = [get(n) for n in names]
    z = np.linspace(-4, 4, 401) if z is None else np.asarray(z, dtype=float)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(chosen), 2, figsize=(6.4, 1.9 * len(chosen)), squeeze=False,
                             sharex=True)
    for row, sigma in zip(axes, chosen):
        row[0].plot(z, sigma.function(z), color="#1f77b4", lw=2)
        row[0].set_ylabel(sigma.formula, fontsize=9)
        row[0].set_title(f"{sigma.formula}$(z)$", fontsize=9)
        row[1].plot(z, sigma.derivative(z), color=ARROW_COLOR, lw=2)
        row[1].set_title(f"{sigma.formula}$'(z)$", fontsize=9)
        for ax in row:
            ax.axhline(0, color="#999999", lw=0.6)
            ax.axvline(0, color="#999999", lw=0.6)
            ax.grid(alpha=0.3)
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
    "ActivationPairs", "CostContour", "CostCurve", "NetworkDiagram", "Surface3D",
    "activation_pairs", "centred_values",
    "contour_levels", "cost_contour", "cost_curve", "cost_surface_3d", "cost_vs_param",
    "figure_bundle", "half_width", "network_diagram", "new_figure", "show", "subplots", "tex_name",
]
