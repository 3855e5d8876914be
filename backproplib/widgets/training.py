"""Panels for learning from many examples: ``sgd_view`` (notebook 09: full-batch and
mini-batch paths on a contour computed once) and ``training_view`` (notebook 11: trains in
chunks, giving the kernel back between them; per step taken, the decision regions as their
own 100 x 100 cells, the weights as SVG, the cost curve as a palette PNG)."""

from __future__ import annotations

import asyncio
import math

import ipywidgets as W
import numpy as np

from .. import plots
from ..learning import training
from ..learning.descent import parameter_list, whole_steps
from ..learning.surface import cost_surface
from ..numbers import network_name, plural, positive_number
from ..plots import training as training_plots
from .panel import Panel


class sgd_view(Panel):
    """Sliders ``batch_size`` and ``learning_rate``; ``steps`` steps of full-batch descent and of
    mini-batch SGD (batches from a permutation seeded by ``seed``) on ``params``, drawn on the
    contour of the average cost over (X, Y), around both paths at the starting settings."""

    slider_width = "420px"

    def __init__(self, net, X, Y, params=("w_H1", "w_Out"), learning_rate=0.05,
                 batch_size=2, steps=20, seed=0):
        super().__init__()
        self.params = params = parameter_list(net, params, 2)
        self.net, self.steps, self.seed = net, whole_steps(steps), seed
        learning_rate = positive_number(learning_rate, "learning_rate")  # "1/20" too
        self.X, self.Y = net.input(X), net.target(Y)
        self.n_examples = len(self.X)
        self.title = (f"Full-batch descent and mini-batch SGD on {params[0]} and {params[1]}, "
                      f"{self.n_examples} examples")
        runs = [self._run(learning_rate, size) for size in (self.n_examples, batch_size)]
        paths = [_points(run, self.params) for run in runs]
        ranges = training_plots.covering_ranges(paths, self.params)
        grid = {name: np.linspace(*ranges[name], 121) for name in self.params}
        self.surface = cost_surface(net, self.X, self.Y, grid)
        # both paths start at the same point; their colours are cost.PATH_COLOURS in turn
        starts = dict.fromkeys(("full batch", "mini-batch SGD"), paths[0][:1])
        self.contour = plots.paths_contour(self.surface, starts, "C", (5.6, 4.5)).bp_plot
        self.show_figure(self.contour)
        self.add_slider("batch_size", W.IntSlider, value=runs[1].batch_size, min=1,
                        max=self.n_examples)  # as the Trainer read it ("2" too)
        self.add_slider("learning_rate", value=learning_rate, min=0.001, step=0.001,  # as 06:
                        max=max(0.3, 4 * learning_rate), readout_format=".3f")  # 09's H1 dies above
        self.assemble()

    def _update(self):
        lr, size = self.sliders["learning_rate"].value, self.sliders["batch_size"].value
        self.full = full = self._run(lr, self.n_examples)
        self.sgd = sgd = self._run(lr, size)
        self.say(lambda n: [
            f"learning_rate = {n(lr)}, steps = {self.steps}",
            f"batch_size = {size}: {plural(sgd.steps_per_epoch, 'step')} per epoch" + (
                f", so {plural(sgd.steps, 'step')} {'is' if sgd.steps == 1 else 'are'} "  # taken
                f"{training.epochs(sgd.examples_seen, self.n_examples)} "
                f"({plural(sgd.examples_seen, 'example')} seen)" if sgd.steps else
                "; no SGD step was completed"),
            f"full batch ({self.n_examples} examples per step): C from {n(full.costs[0])} to "
            f"{n(full.cost)} ({plural(full.examples_seen, 'example', True)} seen)",
            f"mini-batch SGD: C from {n(sgd.costs[0])} to {n(sgd.cost)}"])
        for label, run in (("full batch", full), ("mini-batch SGD", sgd)):
            points = _points(run, self.params)
            self.contour.set_path(points, label)
            self.warnings += [f"{label}: {warning}" for warning in run.warnings()]
            if not self.contour.inside(points):
                self.warnings.append(f"{label}: {self.contour.LEAVES}")
        self.draw()

    def _run(self, learning_rate, batch_size):
        trainer = training.Trainer(self.net, self.X, self.Y, learning_rate, batch_size,
                                   self.seed, params=self.params)
        return trainer.train(self.steps)


def _points(trainer, params):
    return np.array([[float(p[n]) for n in params] for p in trainer.path])


class training_view(Panel):
    """Buttons step / train ``steps`` / reset and sliders learning_rate, batch_size for
    ``trainer`` (a ``training.Trainer`` on ``data``, a ``datasets.Dataset``); decision regions,
    cost curve and weights."""

    slider_width = "420px"
    continuous_update = False

    def __init__(self, trainer, data, steps=500):
        super().__init__()
        self.trainer, self.data, self.n_steps = trainer, data, whole_steps(steps)
        self.chunk = max(5, self.n_steps // 25)
        self.title = (f"Training {network_name(trainer.net.sizes)} on {data.name!r} "
                      f"({len(data)} examples)")
        self.running = False
        self.stop_asked = False
        self.task = None
        self.blocked = []  # the neurons blocked at the last drawing
        lr = float(trainer.learning_rate)
        self.add_slider("learning_rate", W.FloatLogSlider, value=lr, base=10, min=-3,
                        max=math.log10(max(10.0, lr)), step=0.05, readout_format=".3g")
        self.add_slider("batch_size", W.IntSlider, value=trainer.batch_size, min=1,
                        max=trainer.n)
        self.buttons = {
            "step": W.Button(description="step", tooltip="take one SGD step"),
            "train": W.Button(description=f"train {self.n_steps}", button_style="primary",
                              tooltip=f"take {self.n_steps} SGD steps (press again to stop)"),
            "reset": W.Button(description="reset", tooltip="back to the starting network"),
        }
        for name, press in (("step", self.press_step), ("train", self.press_train),
                            ("reset", self.press_reset)):
            self.buttons[name].on_click(lambda _, press=press: press())
        self.progress = W.IntProgress(value=0, min=0, max=self.n_steps, description="progress",
                                      layout=W.Layout(width=self.slider_width))
        self.progress.add_class("bp-progress")
        self.view = training_plots.TrainingFigure(trainer, data, steps=self.n_steps,
                                                  boundary=False)
        self.show_figure(self.view, over=self.view.over_artists())
        controls = W.VBox([W.HBox(list(self.buttons.values())), self.progress,
                           *self.sliders.values()])
        self.assemble([controls, self.picture, self.readout])
        self.progress.style.description_width = self.sliders["batch_size"].style.description_width

    # the controls
    def _on_change(self, change=None):
        try:
            self.trainer.learning_rate = self.sliders["learning_rate"].value
            self.trainer.batch_size = self.sliders["batch_size"].value
        except (TypeError, ValueError) as error:
            self.warnings = [f"Cannot use this setting: {error}"]
        else:  # they set the next steps; the picture shows the steps taken: only words change
            self._forget()
            self._words()
        self._write_readout()

    def press_step(self):
        if not self.running:
            self.trainer.step()
            self.refresh()

    def press_reset(self):
        self.stop_asked = True
        self.trainer.reset()
        self.progress.value = 0
        self.refresh()

    def press_train(self):
        """Train ``steps`` steps; while training, the same button stops."""
        if self.running:
            self.stop_asked = True
            return
        try:
            self.task = asyncio.get_running_loop().create_task(self.train_async())
        except RuntimeError:  # no event loop (a script, a test): train here, chunk by chunk
            self.progress.value = 0
            self.trainer.train(self.n_steps, self.chunk, self._after_chunk)

    async def train_async(self):
        """Train in chunks; between chunks the kernel handles other messages (a slider, the
        stop button), so the notebook stays responsive."""
        self.running, self.stop_asked = True, False
        self.buttons["train"].description = "stop"
        self.progress.value = 0
        done = 0
        try:
            while done < self.n_steps and not self.stop_asked and not self.trainer.diverged:
                take = min(self.chunk, self.n_steps - done)
                before = self.trainer.steps
                self.trainer.train(take, take)
                done += self.trainer.steps - before
                self._after_chunk(done, self.n_steps)
                await asyncio.sleep(0.01)
        finally:
            self.running = False
            self.buttons["train"].description = f"train {self.n_steps}"
            self.refresh()

    def _after_chunk(self, done, total):
        self.progress.value = min(done, self.progress.max)
        self.refresh()

    # the picture and the words
    def _update(self):
        self.blocked = self.trainer.blocked()
        self.view.update(self.trainer, self.blocked)
        self._words()
        self.draw()

    def _words(self):
        """The readout's lines and warnings for the trainer as it is (``blocked``: its
        neurons blocked at the last drawing)."""
        t, right = self.trainer, self.trainer.accuracy()
        self.say(lambda n: [
            f"step {t.steps} ({training.epochs(t.examples_seen, t.n, 2)}; "
            f"{plural(t.steps_per_epoch, 'step')} per epoch), "
            f"batch_size = {t.batch_size}, learning_rate = {n(t.learning_rate)}",
            f"C over the whole set = {n(t.cost)} (at the start {n(t.costs[0])})",
            f"accuracy = {right:.1%} of {t.n} examples on the right side"])
        self.warnings += t.warnings(self.blocked)
        if t.diverged:  # the trainer takes no more steps: the way on is the reset button
            self.warnings.append("Press reset and try a smaller learning_rate.")


__all__ = ["sgd_view", "training_view"]
