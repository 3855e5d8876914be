"""Benchmark rows for training (notebook 11): one SGD step against peers, one panel frame.

    from training import rows      # run.py wires this in; alone: python benchmarks/training.py
    rows(settings)                 # settings as run.py's Settings (repeats, min_time, steps)

- One SGD step of a 2-8-8-1 network on a batch of 32 (forward + backward over the batch, then
  the update), ReLU hidden layers and a linear output (micrograd's MLP has exactly that):
  backproplib's step ``net.descend(net.backward(X, Y), eta)`` against
  micrograd's MLP with the same weights (target: at least 20x faster) and against the same step
  written by hand in numpy (target: at most 2x slower). Before timing, all three must give the
  same new weights.
- One frame of the training panel: 10 SGD steps, the decision regions on a 100 x 100 grid, the
  cost curve, the weights and the picture (target: median under 50 ms).
- The bytes a frame of notebook 11's and 12's training panels sends (the HTML of every layer
  that changed: the frame, the readout, and the background and overlay when the cost axes
  grow), against the same picture as matplotlib's own savefig PNG at the same pixels, base64
  as an <img> carries it: at most a tenth (2026-12-05: 11's frame 20 kB against 413 kB, 0.05x;
  before, a JPEG of the whole picture, 253 kB, 0.61x). At Binder's 10 Mbit/s a frame of 253 kB
  takes 200 ms of the link, and training draws a frame every 20-40 ms.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from timing import Row, at_least, at_most, compare, fmt_ratio, fmt_time, median, p95  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib.learning import datasets, training  # noqa: E402

SIZES = (2, 8, 8, 1)
BATCH = 32
ETA = 0.03


class Mismatch(Exception):
    """Two implementations disagree: the row is not timed."""


def setup(seed=0):
    """(net, weights, biases, X, Y): the network and a batch of 32 examples from "circle"."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0.0, np.sqrt(2.0 / a), (b, a)) for a, b in zip(SIZES[:-1], SIZES[1:])]
    biases = [np.full(b, 0.1) for b in SIZES[1:]]
    net = bp.Network(weights, biases, ["relu", "relu", "linear"])
    data = datasets.make("circle", BATCH, seed=seed)
    return net, weights, biases, np.array(data.X), np.array(data.Y)


def numpy_step(weights, biases, X, Y, eta):
    """The step by hand: forward, dC/dz = 2(a - y) * sigma'(z) per layer, average, update."""
    a0 = X
    z1 = a0 @ weights[0].T + biases[0]
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ weights[1].T + biases[1]
    a2 = np.maximum(z2, 0.0)
    a3 = a2 @ weights[2].T + biases[2]
    m = len(X)
    d3 = 2 * (a3 - Y)
    d2 = (d3 @ weights[2]) * (z2 > 0)
    d1 = (d2 @ weights[1]) * (z1 > 0)
    new_w = [weights[0] - eta * (d1.T @ a0) / m, weights[1] - eta * (d2.T @ a1) / m,
             weights[2] - eta * (d3.T @ a2) / m]
    new_b = [biases[0] - eta * d1.mean(axis=0), biases[1] - eta * d2.mean(axis=0),
             biases[2] - eta * d3.mean(axis=0)]
    return new_w, new_b


def micrograd_setup(weights, biases, X, Y, eta):
    """micrograd's MLP(2, [8, 8, 1]) with our weights, and a step function doing what a
    micrograd user writes: zero the grads, the batch's average cost, backward, update."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    model = MLP(SIZES[0], list(SIZES[1:]))
    for layer, W, b in zip(model.layers, weights, biases):
        for neuron, row, b_j in zip(layer.neurons, W, b):
            for w, value in zip(neuron.w, row):
                w.data = float(value)
            neuron.b.data = float(b_j)
    xs = [[float(v) for v in row] for row in X]
    ys = [float(row[0]) for row in Y]
    scale = Value(1.0 / len(xs))

    def step():
        model.zero_grad()
        cost = sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0)) * scale
        cost.backward()
        for p in model.parameters():
            p.data -= eta * p.grad
        return cost

    def arrays():
        return ([np.array([[w.data for w in n.w] for n in layer.neurons])
                 for layer in model.layers],
                [np.array([n.b.data for n in layer.neurons]) for layer in model.layers])

    return step, arrays


def check(what, ours, theirs):
    for L, (a, b) in enumerate(zip(ours, theirs)):
        if not np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-10, atol=1e-12):
            raise Mismatch(f"{what}: layer {L} differs after one step")


def sgd_rows(s) -> list:
    net, weights, biases, X, Y = setup()
    new = net.descend(net.backward(X, Y), ETA)
    hand_w, hand_b = numpy_step(weights, biases, X, Y, ETA)
    check("weights vs numpy by hand", new.weights, hand_w)
    check("biases vs numpy by hand", new.biases, hand_b)
    mg_step, mg_arrays = micrograd_setup(weights, biases, X, Y, ETA)
    mg_cost = mg_step()
    if not np.isclose(mg_cost.data, net.cost(X, Y), rtol=1e-12):
        raise Mismatch(f"cost vs micrograd: {mg_cost.data} vs {net.cost(X, Y)}")
    mg_w, mg_b = mg_arrays()
    check("weights vs micrograd", new.weights, mg_w)
    check("biases vs micrograd", new.biases, mg_b)

    times = compare({"ours": lambda: net.descend(net.backward(X, Y), ETA),
                     "numpy": lambda: numpy_step(weights, biases, X, Y, ETA),
                     "micrograd": mg_step}, s.repeats, s.min_time)
    t_ours, t_np, t_mg = (median(times[k]) for k in ("ours", "numpy", "micrograd"))
    what = f"one SGD step, 2-8-8-1, batch of {BATCH} (forward + backward + update)"
    rows = [at_least("6 training", f"{what} vs micrograd MLP, same weights", t_mg / t_ours, 20,
                     f"{fmt_time(t_ours)} vs {fmt_time(t_mg)}; micrograd p95 "
                     f"{fmt_time(p95(times['micrograd']))}")]
    slower = t_ours / t_np
    rows.append(at_most("6 training", f"{what} vs the same step in numpy by hand", slower, 2.0,
                        f"{fmt_ratio(slower)} slower ({fmt_time(t_ours)} vs {fmt_time(t_np)})",
                        "<= 2x slower", unit=fmt_ratio))
    return rows


def frame_row(s) -> list:
    from backproplib.plots import training as training_plots
    from backproplib.widgets import training as training_widgets

    net = training.initial_network([2, 8, 8, 1], "tanh", seed=0, output_activation="tanh")
    data = datasets.make("circle", 200, seed=0)
    # as notebook 11 sets it up: the whole set's cost is recorded every 5 steps (and at the
    # end of every chunk), so each frame adds about two points to the cost curve
    trainer = training.Trainer(net, data.X, data.Y, ETA, 10, threshold=data.threshold,
                               record_every=5)
    view = training_widgets.training_view(trainer, data, steps=1000)

    def frame():
        trainer.train(10, 10)
        view.refresh()

    for _ in range(3):  # warm up: the first frames draw the background
        frame()
    times, sent = [], []
    for _ in range(s.steps):
        before = _layers(view)
        start = time.perf_counter()
        frame()
        times.append(time.perf_counter() - start)
        sent.append(sum(len(now) for now, was in zip(_layers(view), before) if now != was))
    if view.error is not None:
        raise Mismatch(f"the panel failed: {view.error}")
    t, t95 = median(times), p95(times)
    return [at_most("6 training", "training panel frame: 10 SGD steps, 100x100 decision "
                    "regions, cost curve, weights, picture", t, 0.050,
                    f"median {fmt_time(t)}, p95 {fmt_time(t95)} over {s.steps} frames",
                    "median < 50 ms"),
            bytes_row("11", view, sent, training_plots.TrainingFigure(
                trainer, data, steps=view.n_steps, boundary=False))]


def _layers(view) -> tuple:
    """The HTML a panel sends, per widget: a frame sends those that changed."""
    return tuple(w.value for w in (*view.picture.children, view.readout))


def bytes_row(notebook, view, sent, same) -> Row:
    """Bytes per frame against matplotlib's savefig PNG of the same picture (base64); ``same``
    is a new figure of the panel's picture now (nothing in it animated, so savefig draws all)."""
    import base64

    from backproplib.plots import render

    same.fig.set_size_inches(view.fig.get_size_inches())
    peer = len(base64.b64encode(render.figure_png(same.fig)))
    ratio = median(sent) / peer
    return at_most("6 training", f"notebook {notebook}'s training panel: bytes a frame sends "
                   "(HTML of the layers that changed) vs savefig PNG of the same picture",
                   ratio, 0.1, f"{fmt_ratio(ratio)}: median {median(sent) / 1000:.1f} kB, "
                   f"max {max(sent) / 1000:.1f} kB over {len(sent)} frames vs "
                   f"{peer / 1000:.0f} kB", "<= 0.1x", unit=fmt_ratio)


def class_bytes_row(s) -> Row:
    """Notebook 12's panel as the notebook sets it up, its slider moved step by step."""
    from backproplib.learning import classification
    from backproplib.plots.classification import ClassificationFigure
    from backproplib.widgets import classification as classification_widgets

    data = classification.make_classes("circle", 300, seed=0)
    net = classification.classifier([2, 8, 8, 3], "tanh", seed=0, cost="cross_entropy")
    trainer = training.Trainer(net, data.X, data.Y, 0.1, 10, seed=0, record_every=5)
    view = classification_widgets.class_training_view(trainer, data, steps=1000)
    slider, sent = view.sliders["steps"], []
    for k in range(1, s.steps + 1):
        before = _layers(view)
        slider.value = k * slider.step
        sent.append(sum(len(now) for now, was in zip(_layers(view), before) if now != was))
    if view.error is not None:
        raise Mismatch(f"the panel failed: {view.error}")
    return bytes_row("12", view, sent, ClassificationFigure(trainer, data, 60, steps=1000))


def rows(settings) -> list:
    """The training rows; a row whose implementations disagree becomes an ERROR row."""
    out = []
    for make in (sgd_rows, frame_row, lambda s: [class_bytes_row(s)]):
        try:
            out += make(settings)
        except Mismatch as error:
            out.append(Row("6 training", "verification before timing", "same numbers", "-",
                           "ERROR", f"aborted: {error}"))
    return out


if __name__ == "__main__":
    from timing import render

    class Quick:
        quick, repeats, min_time, steps = True, 5, 0.005, 12

    print(render(rows(Quick())))
