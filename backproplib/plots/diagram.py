"""The network drawn left to right with its numbers (z, a, dC0/da on each node; w and dC0/dw
on each weight of a chain), and each activation beside its slope. The changing numbers are
``NumberText`` artists: text outlines on fixed baselines."""

from __future__ import annotations

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.textpath import TextPath, text_to_path
from matplotlib.transforms import Affine2D, offset_copy

from ..chainrule.ledger import explain_blocked
from ..core.activations import ACTIVATIONS, get
from ..core.network import Network
from ..numbers import fmt, indexed, network_name
from . import style
from .depth import MARKERS
from .figure import HALO, AltText, figure_and_axes, figure_of, new_figure
from .scales import short


# --- numbers on fixed baselines ------------------------------------------------------------------
class NumberText(PathPatch):
    """A short text drawn as outlines (``ha``, ``va`` as for ``Text``; ``halo``: a white rim) on
    fixed baselines, which a panel's SVG text repeats. Text moves each line's baseline with its
    glyphs, so its SVG took a layout a number a step: median forward_view step 14.2 ms against
    3.2 ms with outlines from a glyph cache, 0.55x against 0.15x the peer (2026-12-05, ``python
    benchmarks/run.py --only sliders``; the numbers' bytes a step are the same). A step now only
    keeps the text (a panel sends it as SVG); matplotlib's ``TextPath`` makes the outlines when
    the whole figure is drawn."""

    LINE = 1.2  # line spacing, in font sizes
    ASCENT, DESCENT = 0.76, 0.24  # of DejaVu Sans, in font sizes

    def __init__(self, ax, x, y, text="", fontsize=style.FONT, color=style.INK, ha="left",
                 va="baseline", transform=None, zorder=4, halo=False, weight="normal"):
        super().__init__(Path(np.zeros((1, 2))), lw=0, facecolor=color, zorder=zorder)
        self.weight = weight
        self.anchor = (x, y)
        self.anchor_transform = ax.transData if transform is None else transform
        self.size, self.ha, self.va = fontsize, ha, va
        if halo:
            self.set_path_effects(HALO)
        self.set_in_layout(False)
        ax.add_artist(self)
        self.set_clip_on(False)  # labels sit outside the axes too (titles, readouts)
        self.set_text(text)

    def get_text(self) -> str:
        return self.text

    def set_text(self, text):
        self.text = str(text)
        self.stale = True

    def line_top(self, lines: int) -> float:
        """The first line's baseline, in points above the anchor, for ``va`` and ``lines``."""
        size, step = self.size, self.LINE * self.size
        return {"top": -self.ASCENT * size, "baseline": 0.0,
                "center": (lines - 1) * step / 2 + (self.DESCENT - self.ASCENT) * size / 2,
                "bottom": (lines - 1) * step + self.DESCENT * size}[self.va]

    def draw(self, renderer):
        """The outlines of the lines, in points from the anchor (the axes may have moved or
        rescaled since the text was set), then drawn."""
        x, y = self.anchor_transform.transform(self.anchor)
        self._transform = Affine2D().scale(self.figure.dpi / 72).translate(x, y)
        prop = FontProperties(size=self.size, weight=self.weight)
        lines = self.text.split("\n")
        top = self.line_top(len(lines))
        outlines = []
        for i, line in enumerate(lines):
            if line.strip():  # a blank line has no outline (and TextPath fails on a space)
                width = text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
                left = {"left": 0.0, "center": -width / 2, "right": -width}[self.ha]
                outlines.append(TextPath((left, top - i * self.LINE * self.size), line,
                                         prop=prop))
        self.set_path(Path.make_compound_path(*outlines) if outlines else Path(np.zeros((1, 2))))
        super().draw(renderer)


# --- the network, left to right --------------------------------------------------------------
CHAIN_PITCH = 2.25  # inches between the columns of a chain
WIDE_PITCH = 2.1  # inches between the columns of a wider network
ROW_PITCH = 80  # points between the neurons of a column (wider networks)
LEGEND_HEIGHT = 0.62  # inches below the network for its key
TITLE_HEIGHT = 0.34  # inches above it for y and C0


class NetworkDiagram:
    """Nodes x, H0, ..., Out left to right with their numbers (in a chain also each weight's
    value and dC0/dw); gradients in ``style.GRADIENT``, blocked neurons grey with dashed edges
    in, negative weights orange, as the key below says."""

    def __init__(self, net: Network, x, y, ax=None):
        self.sizes, self.chain = net.sizes, net.is_chain
        self.names = ("x",) + tuple(net.layer_names)
        with style.context():
            pitch = CHAIN_PITCH if self.chain else WIDE_PITCH
            rows = 1.75 if self.chain else max(self.sizes) * ROW_PITCH / 72  # inches
            height = rows + LEGEND_HEIGHT + TITLE_HEIGHT
            self.fig, self.ax = figure_and_axes(ax, (max(6.4, pitch * len(self.sizes)), height))
            if ax is None:
                self.ax.set_position([0, LEGEND_HEIGHT / height, 1, rows / height])
            self._draw()
        g = backward_or_none(net, x, y)
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
        self.shown = (net, None, fmt(net.target(y)))

    def _draw(self):
        ax = self.ax
        ax.set_axis_off()
        half = 0.5 if self.chain else max(self.sizes) / 2
        ax.set(xlim=(-0.5, len(self.sizes) - 0.5), ylim=(-half, half))
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
                labels.append(NumberText(ax, cx, cy, indexed(self.names[L], j, len(column)),
                                         ha="center", va="center", weight="bold"))
                nodes.append(node)
                self._number(("a", L, j), cx, cy, node_gap, "bottom")
                if L > 0 or self.chain:
                    self._number(("da", L, j), cx, cy, -below_gap, "top", gradient=True)
            self.nodes.append(nodes)
            self.node_labels.append(labels)
        self.title = NumberText(ax, 0.01, 1 - 0.08 / self.fig.get_figheight(), "",
                             transform=self.fig.transFigure, va="top", fontsize=style.FONT)
        key = [Line2D([], [], color=style.EDGE, lw=2, label="weight ≥ 0"),
               Line2D([], [], color=style.NEGATIVE, lw=2, label="weight < 0"),
               Line2D([], [], color=style.BLOCKED, lw=2, ls=style.BLOCKED_STYLE, marker="o",
                      ms=10, mfc=style.BLOCKED_FACE, mec=style.BLOCKED,
                      label="blocked neuron (dead or saturated)"),
               Line2D([], [], ls="none", marker="s", ms=10, color=style.GRADIENT,
                      label="numbers in this colour: gradients")]
        self.key = self.fig.legend(handles=key, loc="lower center", ncol=2, frameon=False,
                                   fontsize=style.FONT, handlelength=2.4, borderaxespad=0.2,
                                   columnspacing=1.6)

    def _number(self, key, cx, cy, dy, va, gradient=False):
        """A label ``dy`` points above (below, if negative) the point (cx, cy) of the data."""
        where = offset_copy(self.ax.transData, fig=self.fig, x=0, y=dy, units="points")
        self.numbers[key] = NumberText(self.ax, cx, cy, "", transform=where, ha="center", va=va,
                                    color=style.GRADIENT if gradient else style.INK,
                                    halo=not self.chain)

    def dynamic_artists(self) -> list:
        """Everything but the key (cheaper to draw than a background redrawn on each sign)."""
        edges = [line for layer in self.edges for line in layer.values()]
        nodes = [node for column in self.nodes for node in column]
        names = [name for column in self.node_labels for name in column]
        return edges + nodes + names + list(self.numbers.values()) + [self.title]

    def static_key(self):
        return None

    def update(self, net: Network, g, y):
        """Show ``net`` (same sizes as before) and its results ``g = net.backward(x, y)``."""
        if net.sizes != self.sizes:
            raise ValueError(f"network_diagram: drawn for sizes {self.sizes}, got {net.sizes}")
        fwd = g.forward
        blocked = {(b.L + 1, b.j) for b in g.blocked}
        self.shown = (net, g, fmt(net.target(y)))
        for k in range(self.sizes[0]):
            self.numbers["a", 0, k].set_text(f"x = {short(fwd.x[k])}")
            if self.chain:  # a gradient's number goes below its name
                self.numbers["da", 0, k].set_text(f"dC0/dx =\n{short(g.dx[k])}")
        for L in range(1, len(self.sizes)):
            layer = self.names[L]
            for j in range(self.sizes[L]):
                grey = (L, j) in blocked
                colour = style.BLOCKED if grey else style.INK
                self.nodes[L][j].set(mec=colour,
                                     mfc=style.BLOCKED_FACE if grey else style.NODE_FACE)
                self.node_labels[L][j].set_color(colour)
                z, a, da = (short(v[L - 1][j]) for v in (fwd.z, fwd.a, g.da))
                self.numbers["a", L, j].set(text=f"z_{layer} = {z}\na_{layer} = {a}"
                                            if self.chain else f"a = {a}", color=colour)
                self.numbers["da", L, j].set_text(f"dC0/da_{layer} =\n{da}" if self.chain
                                                  else f"dC0/da = {da}")
                for k in range(self.sizes[L - 1]):
                    w = net.weights[L - 1][j][k]
                    line = self.edges[L - 1][j, k]
                    line.set(color=style.BLOCKED if grey else style.EDGE if w >= 0 else
                             style.NEGATIVE, ls=style.BLOCKED_STYLE if grey else "-")
                    if self.chain:
                        self.numbers["w", L, j, k].set(text=f"w_{layer} = {short(w)}",
                                                       color=colour)
                        self.numbers["dw", L, j, k].set_text(
                            f"dC0/dw_{layer} =\n{short(g.dw[L - 1][j][k])}")
        self.title.set_text(f"y = {self.shown[2]}, C0 = {fmt(g.cost)}")

    def alt_text(self) -> str:
        net, g, target = self.shown
        activation = ", ".join(dict.fromkeys(a.formula for a in net.activations))
        if g is None:
            return (f"Network diagram of {network_name(self.sizes)}, "
                    f"activation {activation}, without numbers: {self.title.get_text()}.")
        fwd = g.forward
        if self.chain:
            shape = " to ".join(self.names)
            values = ", ".join(f"a_{n} = {fmt(fwd.a[n][0])}" for n in net.layer_names)
            gradients = "; gradients " + ", ".join(
                f"dC0/d{n} = {fmt(g[n])}" for n in net.parameter_names)
        else:
            shape = f"{'-'.join(map(str, self.sizes))} (layers {', '.join(self.names)})"
            values = f"a_Out = {fmt(fwd.output)}"
            largest = max(net.parameter_names, key=lambda n: abs(float(g[n])))
            gradients = (f"; the largest gradient is dC0/d{largest} = {fmt(g[largest])}"
                         if float(g[largest]) != 0 else "; every gradient is 0")
        text = (f"Network diagram {shape}, activation {activation}: x = {fmt(fwd.x)}, "
                f"{values}, y = {target}, C0 = {fmt(g.cost)}{gradients}.")
        weights = np.concatenate([np.ravel(W) for W in net.weights])
        negative = int((weights < 0).sum())
        if negative:
            text += (f" {negative} of the {weights.size} weights "
                     f"{'is' if negative == 1 else 'are'} negative (orange).")
        if g.blocked:
            text += " Greyed, with dashed inputs: " + "; ".join(
                explain_blocked(b) for b in g.blocked) + "."
        return text


def network_diagram(net: Network, x, y, ax=None):
    """The ``NetworkDiagram`` of ``net`` for (x, y): its figure (``fig.bp_plot`` updates it).
    Numbers whose C0 or gradients overflow are refused, as ``net.backward`` refuses them: a
    notebook's parameters, unlike a panel's sliders, are not drawn without numbers."""
    net.backward(x, y)
    return figure_of(NetworkDiagram(net, x, y, ax))


def backward_or_none(net, x, y):
    """``net.backward(x, y)``, or None where it overflows floating point."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return net.backward(x, y)
    except OverflowError:
        return None


# --- activations -----------------------------------------------------------------------------
def activation_pairs(names=None, z=None, forward=None):
    """Each activation sigma(z) beside its slope sigma'(z), a row each; with ``forward`` (a
    ``ForwardPass``) its activations, and a mark per neuron at its z, a and slope."""
    if forward is not None and names is None:
        names = dict.fromkeys(a.name for a in forward.activations)
    names = tuple(ACTIVATIONS) if names is None else tuple(names)
    chosen = [get(n) for n in names]
    if z is None:
        reach = 4.0 if forward is None else max(
            4.0, 1 + max(float(np.max(np.abs(np.asarray(v, float)))) for v in forward.z))
        z = np.linspace(-reach, reach, 401)
    z = np.asarray(z, dtype=float)
    with style.context():
        fig = new_figure((7.0, 2.2 * len(chosen) + 0.3 + 0.35 * (forward is not None)))
        axes = fig.subplots(len(chosen), 2, squeeze=False, sharex=True)
        # the one figure that evaluates sigma' itself: it draws the activations' slopes
        slopes = [np.asarray(sigma.derivative(z), float) for sigma in chosen]
        for row, sigma, slope in zip(axes, chosen, slopes):
            row[0].plot(z, sigma.function(z), color=style.VALUE, lw=2)
            row[0].set_title(f"{sigma.formula}$(z)$", fontsize=style.LABEL_FONT)
            row[1].plot(z, slope, color=style.GRADIENT, lw=2)
            row[1].set_title(f"its slope {sigma.formula}$'(z)$", fontsize=style.LABEL_FONT)
            for ax in row:
                ax.axhline(0, color=style.GRID, lw=0.8)
                ax.axvline(0, color=style.GRID, lw=0.8)
                ax.grid(True)
        for ax in axes[-1]:
            ax.set_xlabel("$z$")
        marks = [] if forward is None else _marks(forward, axes, [c.name for c in chosen])
        if marks:
            fig.legend(handles=marks, loc="lower center", frameon=False,
                       ncols=min(len(marks), 5), fontsize=style.FONT)
        fig.tight_layout(rect=(0, 0.35 / fig.get_figheight() if marks else 0, 1, 1))
    rows = "; ".join(f"{sigma.formula}(z) and its slope {sigma.formula}'(z), which "
                     + (f"is {fmt(slope.min())} at every z" if slope.min() == slope.max() else
                        f"runs from {fmt(slope.min())} to {fmt(slope.max())}")
                     for sigma, slope in zip(chosen, slopes))
    text = f"Activation curves for z from {fmt(z[0])} to {fmt(z[-1])}, each beside its slope: "
    if forward is not None:
        marks = "; ".join(f"{n} at z_{n} = {fmt(forward.z[n])}, a_{n} = {fmt(forward.a[n])}, "
                          f"slope {fmt(forward.da_dz[n])}" for n in forward.z.names)
        rows += (f". A mark per layer, in the key: {marks}"
                 + "".join(f". {explain_blocked(b)}" for b in forward.blocked))
    fig.bp_plot = AltText(f"{text}{rows}.")
    return fig


def _marks(forward, axes, names):
    """A mark per neuron at (z, a) and (z, slope) on its activation's row; the left ones."""
    marks, i = [], 0
    for L, (layer, sigma) in enumerate(zip(forward.z.names, forward.activations)):
        if sigma.name not in names:
            raise ValueError(f"forward: layer {layer} uses {sigma.name}, which has no row here "
                             f"({', '.join(names)}); leave names out to take forward's")
        row = axes[names.index(sigma.name)]
        values = [np.ravel(v[L]) for v in (forward.z, forward.a, forward.da_dz)]
        for j, (z, a, slope) in enumerate(zip(*values)):
            for ax, height in ((row[0], a), (row[1], slope)):
                marks += ax.plot([float(z)], [float(height)], MARKERS[i % len(MARKERS)],
                                 color=style.CURRENT, mec=style.CURRENT_EDGE, ms=style.MARKER,
                                 label=indexed(layer, j, len(values[0])), zorder=5)
            i += 1
    return marks[::2]
