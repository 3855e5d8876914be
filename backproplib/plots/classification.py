"""Figures for notebook 12: the slow start of a sigmoid output under the quadratic cost against
cross-entropy (``slow_start_figure``, ``race_figure``), and a 3-class network's regions with
its cost curve (``classification_figure``)."""

from __future__ import annotations

from functools import partial

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..chainrule.crossentropy import sigmoid_output
from ..learning.classification import accuracy, predicted_classes
from ..learning.training import in_slices
from ..numbers import fmt, to_scalar
from . import style
from .figure import AltText, figure_of, subplots
from .training import GRID_N, CostHistory, Regions, TrainingFigure

CLASS_COLOURS = (style.VALUE, style.NEGATIVE, style.GREEN)
CLASS_MARKERS = ("o", "^", "s")
# the regions' colours as RGBA bytes, truncated as matplotlib converts floats: the same pixels,
# and imshow draws bytes faster (a step of notebook 12's panel 45 -> 32 ms, 2026-12-05)
PALE = (255 * np.array([[*style.pale(c, 0.4), 1] for c in CLASS_COLOURS])).astype(np.uint8)
CROSS_ENTROPY = style.VALUE  # cross-entropy's curves: solid blue
QUADRATIC = style.GRADIENT  # the quadratic cost's: dashed vermillion

# --- the slow start ---------------------------------------------------------------------------
class SlowStartPlot:
    """C0 (left) and dC0/dz (right) of a sigmoid output with target y against its z, under the
    quadratic and the cross-entropy cost, from -``reach`` to ``reach`` (at least 1.1 |z|)."""

    def __init__(self, z, y, reach=8.0):
        z, self.y = to_scalar(z, False, "z"), to_scalar(y, False, "y")  # "1/2" is a number too
        self.reach = max(float(reach), float(np.ceil(1.1 * abs(z))))
        # 8 inches: 768 px fit JupyterLab's output area (about 860 px at a 1280 px window)
        self.fig, self.axes = subplots(1, 2, figsize=(8.0, 3.3))
        zs = np.linspace(-self.reach, self.reach, 401)
        curves = sigmoid_output(zs, self.y)
        with style.context():
            left, right = self.axes
            for ax, ce, quad, label in (
                    (left, curves.cross_entropy, curves.quadratic, "cost $C_0$"),
                    (right, curves.cross_entropy_delta, curves.quadratic_delta,
                     r"$\partial C_0/\partial z$")):
                ax.plot(zs, ce, "-", color=CROSS_ENTROPY, label="cross-entropy")
                ax.plot(zs, quad, "--", color=QUADRATIC, label="quadratic")
                ax.set(xlabel="$z$ of the sigmoid output", ylabel=label,
                       xlim=(-self.reach, self.reach))
                ax.grid(alpha=0.4)
                # whole numbers of z (-8, -6, ... at this width), not -7.5, -5.0, ...
                ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10],
                                                       integer=True))
            right.axhline(0, color=style.GRID, lw=1)
            left.set_title(f"cost for the target y = {fmt(self.y)}")
            right.set_title("its slope: where learning starts")
            left.legend(loc="upper center")
            self.markers = []
            for ax in self.axes:
                for colour in (CROSS_ENTROPY, QUADRATIC):
                    self.markers += ax.plot([], [], "o", color=colour, mec=style.INK, mew=1.0,
                                            ms=style.MARKER)
            self.lines = [ax.axvline(0, color=style.CURRENT, lw=1, ls=":") for ax in self.axes]
            self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.89, wspace=0.3)
        self.update(z)

    def update(self, z):
        z = to_scalar(z, False, "z")
        now = self.now = sigmoid_output(z, self.y)
        values = (now.cross_entropy, now.quadratic, now.cross_entropy_delta, now.quadratic_delta)
        for marker, value in zip(self.markers, values):
            marker.set_data([z], [float(value)])
        for line in self.lines:
            line.set_xdata([z, z])

    def dynamic_artists(self) -> list:
        return [*self.markers, *self.lines]

    def static_key(self):
        return None

    def alt_text(self) -> str:
        n = self.now
        return (f"Two plots against z from {fmt(-self.reach)} to {fmt(self.reach)} for a sigmoid "
                f"output with target y = {fmt(self.y)}. Left: the cost, cross-entropy (solid) and "
                f"quadratic (dashed). Right: their slopes dC0/dz. At z = {fmt(float(n.z))}"
                f"{' (outside the plot)' if abs(float(n.z)) > self.reach else ''}, "
                f"a = {fmt(float(n.a))}: cross-entropy's dC0/dz = a - y = "
                f"{fmt(float(n.cross_entropy_delta))}, the quadratic cost's dC0/dz = "
                f"2(a - y) sigma'(z) = {fmt(float(n.quadratic_delta))}.")


def slow_start_figure(z, y, reach=8.0):
    return figure_of(SlowStartPlot(z, y, reach))


def race_figure(runs: dict, y):
    """a^Out step by step while one sigmoid neuron learns, under each cost (``runs``: {cost
    name: the outputs a after 0, 1, 2, ... steps}), with the target as a line."""
    runs = {k: np.asarray(v, dtype=float) for k, v in runs.items()}
    y = to_scalar(y, False, "y")
    fig, ax = subplots(figsize=(5.6, 3.4))
    with style.context():
        for name, a in runs.items():
            cross = name == "cross_entropy"
            ax.plot(np.arange(len(a)), a, "-" if cross else "--",
                    color=CROSS_ENTROPY if cross else QUADRATIC,
                    label="cross-entropy" if cross else "quadratic")
        ax.axhline(y, color=style.INK, lw=1, ls=":", label=f"target y = {fmt(y)}")
        ax.set(xlabel="step of gradient descent", ylabel="output $a$", ylim=(-0.05, 1.05),
               title="one sigmoid neuron learning")
        ax.grid(alpha=0.4)
        ax.legend(loc="best")
        fig.subplots_adjust(left=0.14, right=0.97, bottom=0.16, top=0.9)
    parts = [f"{name.replace('_', '-')}: a = {fmt(a[0])} at the start, {fmt(a[len(a) // 10])} "
             f"after {len(a) // 10} steps, {fmt(a[-1])} after {len(a) - 1}"
             for name, a in runs.items()]
    fig.bp_plot = AltText(f"The output a of one sigmoid neuron against the step, target y = "
                          f"{fmt(y)}; " + "; ".join(parts) + ".")
    return fig


# --- three classes ----------------------------------------------------------------------------
class ClassRegions(Regions):
    """The predicted class (the largest a_j^Out) over the plane, with the data on top."""

    def __init__(self, net, data, ax, n=GRID_N):
        super().__init__(data, ax, list(zip(range(3), CLASS_COLOURS, CLASS_MARKERS)),
                         [f"class {j}" for j in range(3)], "the predicted class",
                         np.ones((n, n, 3)), interpolation="nearest")
        self.classes, self.X = data.classes, data.X
        self.update(net)

    def update(self, net):
        self.grid_classes = in_slices(partial(predicted_classes, net), self.points,
                                      net).reshape(self.n, self.n)
        self.image.set_data(PALE[self.grid_classes])
        self.accuracy = accuracy(net, self.X, self.classes)

    def alt_text(self) -> str:
        shares = np.bincount(self.grid_classes.reshape(-1), minlength=len(CLASS_COLOURS))
        shares = shares / shares.sum()
        names = ("blue, circles", "orange, triangles", "green, squares")
        parts = [f"class {j} ({names[j]}) on {shares[j]:.0%} of the plane with "
                 f"{self.counts[j]} points" for j in range(len(CLASS_COLOURS))]
        return (f"The class the network predicts over x_1 and x_2 from {fmt(self.extent[0])} to "
                f"{fmt(self.extent[1])}: " + "; ".join(parts)
                + f". {self.accuracy:.1%} of the points lie in their own class's region.")


class ClassificationFigure(TrainingFigure):
    """Decision regions of a 3-class network and the cost curve of its ``training.Trainer``."""

    def __init__(self, trainer, data, n=GRID_N, steps=None):
        self.fig, (left, right) = subplots(1, 2, figsize=(7.6, 3.5),
                                           gridspec_kw={"width_ratios": [1.0, 1.1]})
        with style.context():
            self.regions = ClassRegions(trainer.net, data, left, n)
            self.history = CostHistory(trainer, right, steps or max(trainer.steps, 10))
            self.fig.subplots_adjust(left=0.08, right=0.95, bottom=0.15, top=0.9, wspace=0.35)
        self.weights, self.parts = None, (self.regions, self.history)


def classification_figure(trainer, data, n=GRID_N):
    """The predicted class over the plane with ``data`` on top, and the cost curve."""
    return figure_of(ClassificationFigure(trainer, data, n))
