"""Figures for training on a data set: what the network predicts (``DecisionRegions``), how
the cost fell (``CostHistory``) and its weights (``WeightDiagram``), side by side in
``training_figure``; the data sets themselves (``data_overview``); notebook 09's cost maps with
descent paths (``paths_contour``, ``cost_surfaces``)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap

from ..learning import training
from ..numbers import fmt, plural, rounded
from . import scales, style
from .cost import CostContour
from .figure import HALO, AltText, figure_of, new_figure, subplots
from .scales import short, tex_name

CLASS_1 = style.VALUE  # blue, as Playground's positive class
CLASS_0 = style.GREEN  # not Playground's orange: here orange means a negative weight
TWO_CLASSES = ((1, CLASS_1, "o"), (0, CLASS_0, "^"))  # class 1 as blue circles, drawn first
WORD = {k: style.COLOUR_WORDS[colour] for k, colour, _ in TWO_CLASSES}  # {1: "blue", 0: ...}
REGIONS = LinearSegmentedColormap.from_list(
    "bp_regions", [style.pale(CLASS_0, 0.45), style.PAPER, style.pale(CLASS_1, 0.45)])
GRID_N = 100  # decision regions are computed on GRID_N x GRID_N inputs


def class_points(ax, X, classes, kinds, labels=None, ms=4.2, mew=0.6, **kwargs) -> list:
    """The data's points on ``ax``, a line a class: ``kinds`` are (class, colour, marker),
    ``labels`` a legend label a class."""
    X, classes = np.asarray(X, dtype=float), np.asarray(classes)
    return [ax.plot(X[classes == k][:, 0], X[classes == k][:, 1], marker, ms=ms, color=colour,
                    mec=style.INK, mew=mew, ls="none", label=labels and labels[i], **kwargs)[0]
            for i, (k, colour, marker) in enumerate(kinds)]


# --- what the network predicts -----------------------------------------------------------------
class Regions:
    """A map over the plane of ``data``'s inputs (x_1, x_2), to scale, on an n x n grid
    (``image``: ``start`` until ``update`` sets it) under the data: ``kinds`` (class, colour,
    marker), ``labels`` a class."""

    def __init__(self, data, ax, kinds, labels, title, start, **image):
        self.ax, self.extent, self.n = ax, tuple(data.extent), len(start)
        self.x1, self.x2, self.points = training.grid(self.extent, self.n)
        self.image = ax.imshow(start, origin="lower", extent=self.extent, zorder=1, **image)
        self.markers = class_points(ax, data.X, data.classes, kinds, zorder=3, labels=labels)
        self.counts = data.counts
        ax.set(xlim=self.extent[:2], ylim=self.extent[2:], aspect="equal", xlabel="$x_1$",
               ylabel="$x_2$", title=title)

    def dynamic_artists(self) -> list:
        return [self.image]

    def over_artists(self) -> list:
        """What lies over the moving regions and stays: the data and the frame."""
        return [*self.markers, *self.ax.spines.values()]


class DecisionRegions(Regions):
    """a^Out over the inputs with the data on top. The data's ``labels`` are the targets of
    class 0 and 1; the colour runs between them and the line is where a^Out crosses their
    midpoint (the data's ``threshold``)."""

    def __init__(self, net, data, ax, boundary=True):
        self.threshold, self.boundary, self.contour = data.threshold, boundary, None
        labels = [f"class {k} (y = {data.labels[k]})" for k, _, _ in TWO_CLASSES]
        super().__init__(data, ax, TWO_CLASSES, labels, "what the network predicts",
                         np.zeros((GRID_N, GRID_N)), cmap=REGIONS, vmin=data.labels[0],
                         vmax=data.labels[1], interpolation="bilinear")
        self.update(net)

    def update(self, net):
        self.values = training.output_on_grid(net, self.extent, self.n)
        self.image.set_data(self.values)
        if self.boundary:
            if self.contour is not None:
                self.contour.remove()
            crosses = self.values.min() < self.threshold < self.values.max()
            self.contour = (self.ax.contour(self.x1, self.x2, self.values, [self.threshold],
                                            colors=style.INK, linewidths=1.2, zorder=2)
                            if crosses else None)

    def alt_text(self) -> str:
        share = float((self.values > self.threshold).mean())
        return (f"Decision regions over x_1 from {fmt(self.extent[0])} to {fmt(self.extent[1])} "
                f"and x_2 from {fmt(self.extent[2])} to {fmt(self.extent[3])}: the network "
                f"predicts class 1 ({WORD[1]}) on {share:.0%} of the plane and class 0 "
                f"({WORD[0]}) on the rest; the data: {self.counts[1]} points of class 1 "
                f"(circles) and {self.counts[0]} of class 0 (triangles).")


# --- how the cost fell -------------------------------------------------------------------------
class CostHistory:
    """C over the whole set against the step, log scale, the axes growing in jumps, with a
    dotted line at the starting cost (never a lone dot) and a margin round the curve."""

    X_MARGIN = 0.03  # of the planned steps, either side
    Y_MARGIN = 0.15  # of a decade: a cost this close to a power of ten gets the next decade

    def __init__(self, trainer, ax, steps=None):
        self.fig, self.ax = ax.figure, ax
        self.name, self.rate = trainer.cost_name, trainer.learning_rate  # "C", or "C0" of a path
        self.start = ax.axhline(1.0, color=style.INK, ls=":", lw=1.2, zorder=1)
        self.start_label = ax.text(0.98, 1.0, "", transform=ax.get_yaxis_transform(),
                                   ha="right", va="bottom", fontsize=style.FONT,
                                   color=style.INK, path_effects=HALO, zorder=2)
        (self.line,) = ax.plot([], [], "-", color=style.VALUE, lw=style.LINE_WIDTH)
        (self.end,) = ax.plot([], [], "o", color=style.CURRENT, mec=style.CURRENT_EDGE, ms=6,
                              clip_on=False)
        ylabel, title = ((tex_name(self.name), f"gradient descent, $\\eta$ = {short(self.rate)}")
                         if self.name != "C" else ("average cost $C$", "cost over the data set"))
        ax.set(yscale="log", xlabel="step", ylabel=ylabel, title=title)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.4)
        self.planned = steps
        self.limits = None
        self.update(trainer)

    def update(self, trainer):
        steps = np.asarray(trainer.cost_steps, dtype=float)
        costs = np.asarray(trainer.costs, dtype=float)
        lowest = int(np.nanargmin(costs))
        self.shown = (int(steps[-1]), float(costs[0]), float(costs[-1]), float(costs[lowest]),
                      int(steps[lowest]))
        self.line.set_data(steps, costs)
        start = float(costs[0])
        drawable = math.isfinite(start) and start > 0
        self.start_key = start if drawable else None  # a new start redraws the background
        self.start.set_ydata([start, start] if drawable else [np.nan, np.nan])
        self.start_label.set_position((0.98, start if drawable else np.nan))
        self.start_label.set_text(f"start: {rounded(start, 4)}" if drawable else "")
        limits = self._limits(steps, costs)
        if limits != self.limits:
            self.limits = limits
            self.ax.set_xlim(-self.X_MARGIN * limits[0], (1 + self.X_MARGIN) * limits[0])
            self.ax.set_ylim(10.0 ** limits[1], 10.0 ** limits[2])
        height = (math.log10(start) - limits[1]) / (limits[2] - limits[1]) if drawable else 0
        self.start_label.set_va("top" if height > 0.9 else "bottom")  # no room above: below
        zero = costs[-1] == 0  # below any log scale: a hollow dot on the bottom edge
        self.end.set(data=(steps[-1:], [10.0 ** limits[1]] if zero else costs[-1:]),
                     mfc=style.PAPER if zero else style.CURRENT,
                     mec=style.CURRENT if zero else style.CURRENT_EDGE)

    def _limits(self, steps, costs):
        """(x max, lowest decade, highest decade): change only when the curve leaves them."""
        if self.planned and steps[-1] <= self.planned:
            x_max = self.planned
        else:
            last = max(steps[-1], 10)
            x_max = 10 * 2 ** math.ceil(math.log2(last / 10))
        positive = costs[(costs > 0) & (costs <= scales.CEILING)]  # the rest: off the axes
        if not len(positive):
            return (x_max, -3, 0)
        low = math.floor(math.log10(positive.min()) - self.Y_MARGIN)
        high = max(math.ceil(math.log10(positive.max()) + self.Y_MARGIN), low + 1)
        return (x_max, low, high)

    def dynamic_artists(self) -> list:
        # the start's line and label stay while training: redrawing the label with its halo
        # cost 7 ms a frame of notebook 11's panel (2026-12-05)
        return [self.line, self.end]

    def static_key(self):
        return self.limits, self.start_key

    def alt_text(self) -> str:
        step, first, last, lowest, where = self.shown
        what = ("The average cost C over the whole data set" if self.name == "C" else
                f"{self.name} of gradient descent with learning rate {fmt(self.rate)}")
        return (f"{what} against the step (log scale): {fmt(first)} at the start, {fmt(last)} "
                f"after {plural(step, 'step')}, lowest {fmt(lowest)} at step "
                f"{where}; a dotted line marks the start."
                + (" A cost of 0 lies below any log scale: the line drops off the bottom edge."
                   if lowest == 0 else ""))


def cost_history(run):
    """The cost of ``run`` (a ``training.Trainer`` or a ``descent.DescentPath``) by step."""
    _, ax = subplots(figsize=(5.2, 3.2), layout="constrained")
    with style.context():
        return figure_of(CostHistory(run, ax, run.steps))


# --- the weights -----------------------------------------------------------------------------
class WeightDiagram:
    """Neurons in columns (x, H0, ..., Out); each weight a line, width ~ |w|, colour its sign."""

    MAX_WIDTH = 5.0
    MAX_NEURONS = 16  # a wider layer shows its first 16 (2-33333-1 drew 100,000 lines, 3 s)

    def __init__(self, net, ax, blocked=()):
        self.fig, self.ax = ax.figure, ax
        self.sizes = sizes = [min(n, self.MAX_NEURONS) for n in net.sizes]
        reach = [min(1.0, 0.25 * (n - 1)) for n in sizes]  # each column spread around 0
        self.xy = [np.column_stack([np.full(n, float(c)), np.linspace(r, -r, n)])
                   for c, (n, r) in enumerate(zip(sizes, reach))]
        segments = [[self.xy[L][k], self.xy[L + 1][j]] for L in range(len(net.weights))
                    for j in range(sizes[L + 1]) for k in range(sizes[L])]
        self.edges = ax.add_collection(LineCollection(segments, zorder=1, capstyle="round"))
        centres = np.concatenate(self.xy)
        self.nodes = ax.scatter(centres[:, 0], centres[:, 1], s=150, zorder=2,
                                edgecolors=style.INK, linewidths=0.8)
        for c, (name, n) in enumerate(zip(["x", *net.layer_names], net.sizes)):
            ax.text(c, 1.12, name, ha="center", va="bottom", fontsize=style.FONT)
            if n > self.MAX_NEURONS:
                ax.text(c, -1.14, f"{self.MAX_NEURONS} of\n{n:,}", ha="center", va="top",
                        fontsize=style.FONT)
        ax.set(xlim=(-0.4, len(sizes) - 0.6), ylim=(-1.15, 1.3), title="the weights (width: |w|)")
        ax.set_axis_off()
        self.update(net, blocked)

    def update(self, net, blocked=()):
        n = self.sizes  # the neurons drawn, and the weights between them
        weights = np.concatenate([np.asarray(W, dtype=float)[:n[L + 1], :n[L]].reshape(-1)
                                  for L, W in enumerate(net.weights)])
        biggest = float(np.abs(weights).max()) or 1.0
        self.edges.set_linewidths(0.3 + self.MAX_WIDTH * np.abs(weights) / biggest)
        self.edges.set_colors([style.EDGE if w >= 0 else style.NEGATIVE for w in weights])
        faces = [[style.NODE_FACE if c else style.INPUT_FACE] * k for c, k in enumerate(n)]
        blocked = [b for b in blocked if b.j < n[b.L + 1]]
        for b in blocked:
            faces[b.L + 1][b.j] = style.BLOCKED_FACE
        self.nodes.set_facecolors([f for column in faces for f in column])
        self.shown = (net.sizes, len(weights), float(np.abs(weights).max()),
                      int((weights < 0).sum()), [b.neuron for b in blocked])

    def dynamic_artists(self) -> list:
        return [self.edges, self.nodes]

    def alt_text(self) -> str:
        sizes, count, biggest, negative, blocked = self.shown
        total = sum(a * b for a, b in zip(sizes, sizes[1:]))
        drawn = (f"its {count} weights" if count == total else f"the {count} weights between "
                 f"the first {self.MAX_NEURONS} neurons of each layer (of {total:,})")
        text = (f"The network {'-'.join(str(s) for s in sizes)} with {drawn} as "
                f"lines: the widest has |w| = {fmt(biggest)}; {negative} are negative "
                f"(orange), the others positive (dark grey).")
        if blocked:
            text += f" Blocked on every example (grey): {', '.join(blocked)}."
        return text


# --- the three together ------------------------------------------------------------------------
class TrainingFigure:
    """Decision regions, cost history and weights of a ``training.Trainer``, side by side."""

    def __init__(self, trainer, data, steps=None, boundary=True):
        self.fig, axes = subplots(1, 3, figsize=(10.2, 3.4),
                                  gridspec_kw={"width_ratios": [1.0, 1.05, 1.0]})
        with style.context():
            self.regions = DecisionRegions(trainer.net, data, axes[0], boundary)
            self.history = CostHistory(trainer, axes[1], steps)
            self.weights = WeightDiagram(trainer.net, axes[2], trainer.blocked())
            self.fig.subplots_adjust(left=0.06, right=0.99, bottom=0.16, top=0.88, wspace=0.32)
        self.parts = (self.regions, self.history, self.weights)

    def update(self, trainer, blocked=None):
        """Redraw for the trainer's network and cost history now (a live panel)."""
        self.regions.update(trainer.net)
        self.history.update(trainer)
        if self.weights is not None:
            self.weights.update(trainer.net, trainer.blocked() if blocked is None else blocked)

    def dynamic_artists(self) -> list:
        return [artist for part in self.parts for artist in part.dynamic_artists()]

    def over_artists(self) -> list:
        return self.regions.over_artists()

    def static_key(self):
        return self.history.static_key()

    def alt_text(self) -> str:
        return " ".join(p.alt_text() for p in self.parts)


def training_figure(trainer, data):
    """Decision regions with the data, the cost curve and the weights of ``trainer`` now."""
    return figure_of(TrainingFigure(trainer, data, max(trainer.steps, 10)))


# --- the data sets themselves --------------------------------------------------------------------
def data_overview(sets):
    """The data sets (each a ``datasets.Dataset``) side by side."""
    sets = list(sets)
    fig, axes = subplots(1, len(sets), figsize=(2.5 * len(sets), 2.7), squeeze=False)
    with style.context():
        for ax, data in zip(axes[0], sets):
            class_points(ax, data.X, data.classes, TWO_CLASSES, ms=3.2, mew=0.4)
            ax.set(xlim=data.extent[:2], ylim=data.extent[2:], aspect="equal", title=data.name,
                   xticks=[], yticks=[])
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.88, wspace=0.06)
    parts = [f"{d.name!r} ({d.counts[1]} {WORD[1]} circles of class 1, {d.counts[0]} {WORD[0]} "
             "triangles of class 0)" for d in sets]
    fig.bp_plot = AltText("Scatter plots of the data sets in the plane (x_1, x_2): "
                          + "; ".join(parts) + ".")
    return fig


# --- notebook 09: the cost over two weights, with descent paths -------------------------------
def paths_contour(surface, paths: dict, cost_name="C", figsize=(4.6, 4.1)):
    """The contour of ``surface`` with {label: points (k, 2)} on it (``cost.PATH_COLOURS``
    in turn) and a legend below, laid out once (a panel's picture keeps its margins)."""
    with style.context():
        contour = CostContour(surface, ax=new_figure(figsize).add_subplot(),
                              cost_name=cost_name, key=False)
        for label, points in paths.items():
            contour.set_path(points, label)
        contour.fig.tight_layout()
        contour.tidy()
    return figure_of(contour)


def cost_surfaces(surfaces: dict):
    """Contours side by side: {title: (surface, cost name)}."""
    fig, axes = subplots(1, len(surfaces), figsize=(4.4 * len(surfaces), 3.7), squeeze=False)
    parts = {}  # title: its contour
    with style.context():
        for ax, (title, (surface, cost_name)) in zip(axes[0], surfaces.items()):
            parts[title] = CostContour(surface, ax=ax, cost_name=cost_name, key=False)
            ax.set_title(title)
        fig.tight_layout()
        for part in parts.values():
            part.tidy()
    fig.bp_plot = AltText(" ".join(f"{title}: {part.alt_text()}" for title, part in parts.items()))
    return fig


def covering_ranges(paths, names, margin=0.15, least=0.5, far=1e3) -> dict:
    """{name: (low, high)} around the points of ``paths`` (k, 2) with ``margin`` of the span
    each side, and at least ``least`` either side of the start. A path counts up to its first
    point more than ``far`` half-widths from its start: a learning rate too large sends it
    off towards infinity, where the cost overflows (the readout says it leaves the map)."""
    near = []
    for path in paths:
        path = np.asarray(path, dtype=float).reshape(-1, 2)
        reach = far * np.array([scales.half_width(v) for v in path[0]])
        gone = np.logical_or.accumulate(~(abs(path - path[0]) <= reach).all(axis=1))  # NaN too
        near.append(path[~gone])
    points = np.concatenate(near)
    low, high = points.min(axis=0), points.max(axis=0)
    pad = margin * (high - low)
    low, high = np.minimum(low - pad, points[0] - least), np.maximum(high + pad, points[0] + least)
    return {name: (low[axis], high[axis]) for axis, name in enumerate(names)}
