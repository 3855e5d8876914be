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


def frame_row(s) -> Row:
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
    times = []
    for _ in range(s.steps):
        start = time.perf_counter()
        frame()
        times.append(time.perf_counter() - start)
    if view.error is not None:
        raise Mismatch(f"the panel failed: {view.error}")
    t, t95 = median(times), p95(times)
    return at_most("6 training", "training panel frame: 10 SGD steps, 100x100 decision regions, "
                   "cost curve, weights, picture", t, 0.050,
                   f"median {fmt_time(t)}, p95 {fmt_time(t95)} over {s.steps} frames",
                   "median < 50 ms")


def rows(settings) -> list:
    """The training rows; a row whose implementations disagree becomes an ERROR row."""
    out = []
    for make in (sgd_rows, lambda s: [frame_row(s)]):
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
