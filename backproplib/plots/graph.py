"""The computational graph drawn as micrograd draws it: a box a node (name, value, grad) with a
badge for the operation that made it, edges left to right, long graphs wrapped into bands like
lines of text. Also ``pass_ratio_figure``: how much longer finite differences take than one
backward pass."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.textpath import text_to_path

from ..chainrule import graph as gr
from ..numbers import fmt, plural
from . import style
from .figure import AltText, figure_of, new_figure

MAX_WIDTH = 9.4  # inches: about 900 CSS px, inside a JupyterLab cell at 100% zoom
ROW_PITCH = 0.82  # inches between rows of boxes
BADGE = {"*": "×", "+": "+", "-": "−", "^2": "x²", "sigmoid": "σ"}  # else the op's own name


# --- where each node goes -----------------------------------------------------------------------
def layout(graph) -> dict:
    """{node: (column, row)}: columns by depth (leaves just before the node they feed), rows
    from the cost back, each node level with those it feeds: operations, then x and y, then
    the parameters around them, so the main path stays straight."""
    nodes = graph.nodes
    order = {n: i for i, n in enumerate(nodes)}
    consumers = {n: [] for n in nodes}
    for n in nodes:
        for child in n.inputs:
            consumers[child].append(n)
    column = {}
    for n in nodes:  # topological: inputs first
        column[n] = 1 + max((column[c] for c in n.inputs), default=-1)
    for n in nodes:
        if n.is_leaf and consumers[n]:
            column[n] = min(column[c] for c in consumers[n]) - 1
    depth = max(column.values())
    row = {}
    for c in range(depth, -1, -1):
        here = [n for n in nodes if column[n] == c]

        def wanted(n):
            placed = [row[m] for m in consumers[n] if m in row]
            return sum(placed) / len(placed) if placed else 0.0

        ops = sorted((n for n in here if not n.is_leaf), key=lambda n: (-wanted(n), order[n]))
        row.update(_pack(ops, [wanted(n) for n in ops]))
        parameters = set(graph.parameters.values())
        leaves = sorted((n for n in here if n.is_leaf),  # x and y first: on the main path
                        key=lambda n: (n in parameters, -len(consumers[n]), order[n]))
        taken = [row[n] for n in ops]
        for n in leaves:
            row[n] = _free_row(wanted(n), taken)
            taken.append(row[n])
    return {n: (column[n], row[n]) for n in nodes}


def _pack(nodes, wanted) -> dict:
    """Rows for ``nodes`` (sorted top first) as near ``wanted`` as keeps them 1 apart."""
    rows = {}
    groups = []  # runs of nodes pushed together: [first index, last index, mean wanted]
    for i, w in enumerate(wanted):
        groups.append([i, i, w])
        while len(groups) > 1:
            a, b = groups[-2], groups[-1]
            top_of_b = b[2] + (b[1] - b[0]) / 2
            bottom_of_a = a[2] - (a[1] - a[0]) / 2
            if bottom_of_a - top_of_b >= 1:
                break
            merged = [a[0], b[1], (a[2] * (a[1] - a[0] + 1) + b[2] * (b[1] - b[0] + 1))
                      / (b[1] - a[0] + 1)]
            groups[-2:] = [merged]
    for first, last, mean in groups:
        for i in range(first, last + 1):
            rows[nodes[i]] = mean + (last - first) / 2 - (i - first)
    return rows


def _free_row(wanted: float, taken: list) -> float:
    """The row nearest ``wanted`` that is at least 1 from every taken row (above on a tie)."""
    for step in range(0, 400):
        for candidate in (wanted + step / 2, wanted - step / 2):
            if all(abs(candidate - t) >= 1 - 1e-9 for t in taken):
                return candidate
    return wanted + 200


# --- the figure ---------------------------------------------------------------------------------
class GraphPlot:
    """The drawn graph: ``fig``, ``boxes`` {node name: patch}, and its alt text."""

    def __init__(self, graph, blocked=(), title=None):
        self.graph = graph
        self.blocked = frozenset(blocked)
        unknown = sorted(self.blocked - {n.name for n in graph.nodes})
        if unknown:
            raise ValueError(f"blocked: no node named {', '.join(map(repr, unknown))} in the "
                             "graph (give the names of activation nodes, e.g. 'a_H1')")
        # names as the notebook prints them (z_H0, w_H0*x, a_Out-y, C0), in plain text: fast
        self.texts = {n: (n.name or gr.kind(n), f"value {fmt(n.value)}", f"grad {fmt(n.grad)}")
                      for n in graph.nodes}
        self.box_w = _widest(t for texts in self.texts.values() for t in texts) + 0.16
        self.box_h = 3 * style.FONT * 1.32 / 72 + 0.1
        self.badges = {n: BADGE.get(n.op, n.op) for n in graph.nodes if not n.is_leaf}
        self.badge_w = _widest([*self.badges.values()] or ["+"]) + 0.14
        self.gap = self.badge_w + 0.16
        self.pitch = self.box_w + self.gap
        self.place = layout(graph)
        columns = 1 + max(c for c, _ in self.place.values())
        per_band = max(1, int((MAX_WIDTH - 0.3) // self.pitch))
        self.bands = math.ceil(columns / per_band)
        self.per_band = math.ceil(columns / self.bands)
        self.band_rows = [(max(r), min(r)) for r in (
            [row for column, row in self.place.values() if column // self.per_band == band]
            for band in range(self.bands))]
        heights = [(high - low) * ROW_PITCH + self.box_h + 0.6 for high, low in self.band_rows]
        self.band_tops = [sum(heights[:band]) for band in range(self.bands)]
        self.title = title
        head = 0.75 if title else 0.45
        width = min(self.per_band, columns) * self.pitch + 0.3
        height = sum(heights) + head
        with style.context():
            self.fig = new_figure((width, height))
            ax = self.fig.add_axes((0, 0, 1, 1))
            ax.set(xlim=(0, width), ylim=(0, height))
            ax.set_axis_off()
            self.ax, self.height, self.head = ax, height, head
            self.boxes = {}
            self._draw()

    def centre(self, node) -> tuple:
        """(x, y) of the centre of ``node``'s box, in inches from the bottom left."""
        column, row = self.place[node]
        band, slot = divmod(column, self.per_band)
        x = 0.15 + self.gap + slot * self.pitch + self.box_w / 2
        band_top = self.height - self.head - self.band_tops[band]
        y = band_top - 0.25 - self.box_h / 2 - (self.band_rows[band][0] - row) * ROW_PITCH
        return x, y

    def _draw(self):
        ax = self.ax
        key = ("Each box: a node, its value, and grad = dC0/d(node); the badge at its left is "
               "the operation that made it.")
        if self.blocked:
            key += " Grey, dashed: a blocked neuron."
        if self.title:
            ax.text(0.15, self.height - 0.12, self.title, ha="left", va="top",
                    fontsize=style.TITLE_FONT, color=style.INK)
        ax.text(0.15, self.height - (0.45 if self.title else 0.12), key, ha="left", va="top",
                fontsize=style.FONT, color=style.INK, wrap=True)
        for node in self.graph.nodes:
            for child in node.inputs:
                self._edge(child, node)
        for node in self.graph.nodes:
            self._box(node)

    def _box(self, node):
        x, y = self.centre(node)
        w, h = self.box_w, self.box_h
        blocked = node.name in self.blocked
        if blocked:
            face = style.BLOCKED_FACE
        elif node.is_leaf:
            face = style.INPUT_FACE if node.name.split("[")[0] in ("x", "y") else style.NODE_FACE
        else:
            face = "white"
        self.boxes[node.name] = self.ax.add_patch(FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.06",
            facecolor=face, edgecolor=style.BLOCKED if blocked else style.INK,
            linestyle=style.BLOCKED_STYLE if blocked else "-", linewidth=1.0, zorder=3))
        # name, value and grad, top to bottom, in ink, VALUE and GRADIENT (or all grey)
        colours = [style.BLOCKED] * 3 if blocked else [style.INK, style.VALUE, style.GRADIENT]
        for text, dy, colour in zip(self.texts[node], (h / 3.2, 0, -h / 3.2), colours):
            self.ax.text(x, y + dy, text, ha="center", va="center", color=colour, zorder=4)
        if not node.is_leaf:
            self.ax.text(x - w / 2 - self.badge_w / 2, y, self.badges[node], ha="center",
                         va="center", color=colours[0], zorder=5,
                         bbox=dict(boxstyle="round,pad=0.18", facecolor="white",
                                   edgecolor=colours[0], linewidth=0.8))

    def _edge(self, child, node):
        (x0, y0), (x1, y1) = self.centre(child), self.centre(node)
        start = (x0 + self.box_w / 2, y0)
        end = (x1 - self.box_w / 2 - (0.02 if node.is_leaf else self.badge_w), y1)
        dashed = node.name in self.blocked
        colour = style.BLOCKED if dashed else style.EDGE
        line = style.BLOCKED_STYLE if dashed else "-"
        band_of = self.place[child][0] // self.per_band, self.place[node][0] // self.per_band
        if band_of[0] == band_of[1]:
            path = [start, end]
        else:  # around the end of the band, like a line of text, to the next band
            lowest = y0 - (self.place[child][1] - self.band_rows[band_of[0]][1]) * ROW_PITCH
            gap_y = lowest - self.box_h / 2 - 0.3
            path = [start, (start[0] + 0.12, y0), (start[0] + 0.12, gap_y),
                    (end[0] - 0.22, gap_y), (end[0] - 0.22, y1), end]
        for (a, b) in zip(path[:-2], path[1:-1]):
            self.ax.plot([a[0], b[0]], [a[1], b[1]], color=colour, lw=1.0, ls=line, zorder=1)
        self.ax.add_patch(FancyArrowPatch(path[-2], path[-1], arrowstyle="-|>", mutation_scale=10,
                                          color=colour, linewidth=1.0, shrinkA=0, shrinkB=0,
                                          zorder=2, linestyle=line))

    def alt_text(self) -> str:
        counts = self.graph.counts()
        kinds = ", ".join(f"{counts[k]} {k}" for k in
                          ("leaf", "multiply", "add", "sigma", "subtract", "square") if counts[k])
        parts = [f"Computational graph of C0 with {len(self.graph)} nodes ({kinds}), drawn left "
                 f"to right in {plural(self.bands, 'band')}; C0 = "
                 f"{fmt(self.graph.cost)}."]
        parts += [f"{n.name}: value {fmt(n.value)}, grad {fmt(n.grad)}"
                  + (" (blocked)" if n.name in self.blocked else "") + ";"
                  for n in self.graph.nodes if n.name]
        return " ".join(parts)


def _widest(texts) -> float:
    """The width in inches of the widest of ``texts`` at the figures' font size."""
    font = FontProperties(size=style.FONT)
    return max(text_to_path.get_text_width_height_descent(t, font, ismath=False)[0]
               for t in set(texts)) / 72


def graph_figure(graph, blocked=(), title=None):
    """The graph with every node's value and gradient; ``blocked`` names activation nodes to
    grey out (e.g. ``["a_" + b.neuron for b in g.blocked]``)."""
    return figure_of(GraphPlot(graph, blocked, title))


def network_graph_figure(net, x, y, title=None):
    """The graph of ``net``'s cost for (x, y), backward done, ``Network.backward``'s blocked
    neurons marked."""
    g = net.backward(x, y)
    graph = gr.network_graph(net, x, y).backward()
    return graph_figure(graph, ["a_" + b.neuron for b in g.blocked], title)


# --- the cost of a gradient ---------------------------------------------------------------------
def pass_ratio_figure(n_params, ratios, labels=()):
    """Measured time ratio (finite differences / one backward pass) against the number of
    parameters, log-log; the alt text names the networks, not the times (they vary)."""
    n_params, labels = [int(n) for n in n_params], list(labels)
    with style.context():
        fig = new_figure((6.4, 4.0))
        ax = fig.add_subplot()
        n = np.asarray(n_params, float)
        ax.loglog(n, 2 * n, linestyle=style.TANGENT_STYLE, color=style.INK,
                  label="2 forward passes per parameter")
        ax.loglog(n, np.asarray(ratios, float), "o-", color=style.VALUE,
                  label="measured: time of finite differences\n/ time of one backward pass")
        for k, label in enumerate(labels):
            ax.annotate(label, (n[k], ratios[k]), textcoords="offset points",
                        xytext=(-8, 8), ha="right", fontsize=style.FONT, color=style.VALUE)
        ax.set(xlabel="number of parameters", ylabel="how many times longer",
               xlim=(n.min() / 6, n.max() * 2),
               ylim=(min(2 * n.min(), min(ratios)) / 2, max(2 * n.max(), max(ratios)) * 3))
        ax.grid(True, which="major")
        ax.legend(loc="lower right")
        fig.tight_layout()
    nets = ", ".join(f"{label} ({n} parameters)" if label else f"{n} parameters"
                     for label, n in zip(labels or [""] * len(n_params), n_params))
    fig.bp_plot = AltText(f"Log-log plot: how many times longer finite differences take than "
                          f"one backward pass, measured on {nets}, beside the dashed line 2 x "
                          "parameters (the number of forward passes finite differences need).")
    return fig
