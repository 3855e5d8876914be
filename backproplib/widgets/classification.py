"""Notebook 12's panels: ``slow_start_view`` (both costs of a sigmoid output against its z) and
``class_training_view`` (a 3-class network trained for as many steps as its slider says)."""

from __future__ import annotations

import ipywidgets as W

from ..learning.descent import whole_steps
from ..numbers import fmt, network_name
from ..plots.classification import ClassificationFigure, SlowStartPlot
from .panel import Panel


class slow_start_view(Panel):
    """A slider ``z`` for a sigmoid output with target ``y`` over the z range of its
    ``SlowStartPlot``; the plot and a readout."""

    def __init__(self, z, y):
        super().__init__()
        self.plot = SlowStartPlot(z, y)  # reads z and y ("1/2" too) and sets the range
        self.y, z, reach = self.plot.y, float(self.plot.now.z), self.plot.reach
        self.title = f"A sigmoid output with target y = {fmt(self.y)}: both costs against its z"
        self.add_slider("z", value=z, min=-reach, max=reach, step=0.05,
                        description="z of the output", readout_format=".2f")
        self.show_figure(self.plot)
        self.assemble()

    def _update(self):
        self.plot.update(self.sliders["z"].value)
        now = self.plot.now
        quad, cross = float(now.quadratic_delta), float(now.cross_entropy_delta)
        ratio = [f"cross-entropy's first delta is {fmt(round(cross / quad, 3))} times the "
                 "quadratic cost's (1 / (2 sigma'(z)))"] if quad != 0 else []
        self.say(lambda n: [
            f"z = {n(float(now.z))}, a = sigma(z) = {n(float(now.a))}, y = {n(now.y)}, "
            f"sigma'(z) = {n(float(now.slope))}",
            f"quadratic:     C0 = {n(float(now.quadratic))}, dC0/dz = 2(a - y) sigma'(z) = "
            f"{n(quad)}",
            f"cross-entropy: C0 = {n(float(now.cross_entropy))}, dC0/dz = a - y = {n(cross)}",
            *ratio])
        self.draw()


class class_training_view(Panel):
    """A slider ``steps`` for a ``training.Trainer`` (reset first) of a softmax network on a
    3-class ``learning.classification.ClassData``: moving it trains on, or starts again, up to
    that many steps; the predicted classes and the cost curve follow."""

    continuous_update = False  # each setting trains: only where the slider is let go

    def __init__(self, trainer, data, steps=1000):
        super().__init__()
        self.trainer, self.data = trainer.reset(), data
        self.kept = {}  # the trainer's snapshots by its steps, as drawn
        self.title = (f"Training {network_name(trainer.net.sizes)} on the 3-class {data.name!r} "
                      f"({len(data)} examples)")
        steps = whole_steps(steps)  # "1000" too; 0 or 10**9 refused in the library's words
        self.add_slider("steps", W.IntSlider, value=0, min=0, max=steps,
                        step=max(1, steps // 50), description="steps trained")
        self.plot = ClassificationFigure(trainer, data, 60, steps=max(steps, 10))
        self.show_figure(self.plot, over=self.plot.over_artists())
        self.assemble()

    def _update(self):
        t, wanted = self.trainer, self.sliders["steps"].value
        if wanted < t.steps:  # back: from the last state kept at or below (0: the start)
            t.restore(self.kept[max(s for s in self.kept if s <= wanted)])
        t.train(wanted - t.steps)
        # a state kept per step count drawn (1 ms a copy): a held key back would otherwise
        # train from the start per value, 580 steps 60-140 ms (2026-12-05)
        self.kept.setdefault(t.steps, t.snapshot())
        self.plot.update(t)
        right = self.plot.regions.accuracy  # what the picture's alt text says too
        self.say(lambda n: [
            f"step {t.steps}, batch_size = {t.batch_size}, learning_rate = {n(t.learning_rate)}",
            f"C over the whole set = {n(t.cost)} (at the start {n(t.costs[0])})",
            f"accuracy = {right:.1%} of {t.n} examples in their own class's region"])
        self.warnings += t.warnings(blocked=())  # (no neuron list: the picture has none)
        self.draw()


__all__ = ["class_training_view", "slow_start_view"]
