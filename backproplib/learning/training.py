"""Mini-batch stochastic gradient descent (SGD) over a data set, one step at a time.

The cost over n examples is the average C = (1/n) sum_k C0_k. One step takes a batch B of m
examples, its average cost C_B and gradients (``net.backward(X_B, Y_B)``), and moves the
parameters by ``net.descend(g, learning_rate)``. An epoch is one pass, ceil(n / m) steps, over a
fresh seeded permutation cut into consecutive batches; with m = n SGD is full-batch descent.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from ..chainrule.ledger import explain_blocked
from ..core.network import Network, forward_pass
from ..numbers import NumericOverflow, fmt, plural, positive_number, short, whole_number
from .descent import MAX_STEPS, parameter_list

MAX_WEIGHTS = 10**5  # of one network, refused beyond before drawing: 11 trained 2-100000-1 for
# 169 s, and Network's table of names takes 3 s and 400 MB per 10**6 weights
MAX_VALUES = 10**7  # z's in one forward pass over a data set (examples x neurons): 80 MB each
# for z and a; 5 * 10**4 examples through 2-33333-1 would hold 13 GB


def steps_per_epoch(n: int, batch_size: int) -> int:
    """ceil(n / batch_size): the steps one pass over n examples takes."""
    return -(-int(n) // int(batch_size))


def epochs(examples_seen: int, n: int, digits=3) -> str:
    """How many passes over ``n`` examples ``examples_seen`` make: "1 epoch", "2.5 epochs"."""
    count = fmt(round(examples_seen / n, digits))
    return f"{count} epoch{'' if count == '1' else 's'}"


def layer_sizes(sizes, what="layer sizes") -> list:
    """(n_x, n_H0, ..., n_Out) as whole numbers >= 1, at least two of them; ``what`` names them
    in the error for too many weights."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"sizes: expected the layer sizes (n_x, ..., n_Out), at least two "
                         f"numbers, got {sizes!r}")
    sizes = [whole_number(s, "layer size", 1) for s in sizes]
    weights = sum(n_in * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    if weights > MAX_WEIGHTS:
        raise ValueError(f"{what} {short(sizes)}: expected at most {MAX_WEIGHTS:,} weights, "
                         f"got {weights:,}")
    return sizes


def hidden_layers(hidden, outputs=1) -> list:
    """A parameters cell's ``hidden``: the hidden layers' widths as whole numbers >= 1, of a
    network from the plane's 2 inputs to ``outputs`` within ``layer_sizes``' weights."""
    if not isinstance(hidden, (list, tuple)):
        raise ValueError(f"hidden: expected a list of hidden-layer widths such as [8, 8] ([8] "
                         f"for one hidden layer, [] for none), got {short(hidden)}")
    widths = [whole_number(n, f"hidden [{i}]", 1) for i, n in enumerate(hidden)]
    return layer_sizes([2, *widths, outputs], "hidden: the layer sizes")[1:-1]


def most_examples(net: Network) -> int:
    """The most examples one pass of ``net`` over a data set may take (``MAX_VALUES`` z's)."""
    return MAX_VALUES // sum(net.sizes)


def check_pass(net: Network, n: int, what="the data set and the network") -> int:
    """``n``, if one pass of ``net`` over ``n`` examples stays within ``most_examples``; else an
    error naming ``what`` (a notebook names its parameters, in the first cell that has both)."""
    if n > most_examples(net):
        raise ValueError(f"{what}: expected at most {MAX_VALUES:,} values in a pass over every "
                         f"example (examples x neurons), got {n:,} x {sum(net.sizes):,}: use "
                         f"fewer examples or narrower layers")
    return n


def draw_weights(sizes, variance, seed=0) -> list:
    """One W^L of shape (n_L, n_(L-1)) per layer of ``sizes`` = (n_x, n_H0, ..., n_Out), each
    weight normal with mean 0 and variance ``variance(n_in, n_out)`` (standard deviation its
    square root), from ``default_rng(seed)``: the one rule of every initial network."""
    sizes = layer_sizes(sizes)
    rng = np.random.default_rng(whole_number(seed, "seed", 0))
    return [rng.normal(0.0, math.sqrt(variance(n_in, n_out)), (n_out, n_in))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def initial_network(sizes, activation="tanh", seed=0, output_activation=None,
                    cost="quadratic") -> Network:
    """A network with layer sizes (n_x, n_H0, ..., n_Out): weights by ``draw_weights`` with
    variance 1/n_(L-1) (z starts about the size of an input), biases 0.1, ``activation`` in
    every layer (``output_activation`` in Out if given)."""
    weights = draw_weights(sizes, lambda n_in, n_out: 1 / n_in, seed)
    biases = [np.full(len(W), 0.1) for W in weights]
    out = activation if output_activation is None else output_activation
    return Network(weights, biases, [activation] * (len(weights) - 1) + [out], cost=cost)


class Trainer:
    """Mini-batch SGD on (X, Y), steppable, with its history: ``net`` now, ``start_net``,
    ``steps``, ``epoch``, ``costs`` C over the whole set at the start and every
    ``record_every``-th step (at ``cost_steps``), ``batch_costs`` each step's C_B, ``batch`` the
    last batch's indices, ``path`` the moving ``params`` at every point. Only ``params``
    move (all by default); ``learning_rate`` and ``batch_size`` (default min(10, n)) may change
    between steps; ``threshold`` splits the output into two classes. A step that overflows ends
    training at the last finite network (``diverged``); ``message`` says the run in words."""

    cost_name = "C"  # what ``costs`` holds, as ``descent.DescentPath.cost_name``

    def __init__(self, net: Network, X, Y, learning_rate=0.03, batch_size=None, seed=0,
                 params=None, threshold=0.0, record_every=1):
        self.start_net = net
        self.X, self.Y = net.input(X), net.target(Y)
        if self.X.ndim != 2 or self.Y.ndim != 2 or len(self.X) != len(self.Y):
            raise ValueError(f"X and Y: expected one row per example, (n, {net.sizes[0]}) and "
                             f"(n, {net.sizes[-1]}), got {self.X.shape} and {self.Y.shape}")
        self.n = check_pass(net, len(self.X))
        self.learning_rate = learning_rate
        self.batch_size = min(10, self.n) if batch_size is None else batch_size
        self.seed = whole_number(seed, "seed", 0)
        self.params = None if params is None else parameter_list(net, params)
        self.threshold = threshold
        self.record_every = whole_number(record_every, "record_every", 1)
        self.reset()

    # --- settings a slider may change ---------------------------------------------------------
    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = positive_number(value, "learning_rate", self.start_net.exact)

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value):
        value = whole_number(value, "batch_size", 1)
        if value > self.n:
            raise ValueError(f"batch_size: expected at most the {self.n} examples of the data "
                             f"set, got {value}")
        self._batch_size = value

    @property
    def steps_per_epoch(self) -> int:
        return steps_per_epoch(self.n, self.batch_size)

    # --- running ----------------------------------------------------------------------------
    def reset(self):
        """Back to the starting network and an empty history; the same batches come again."""
        self.net, self.rng = self.start_net, np.random.default_rng(self.seed)
        self.steps = self.epoch = self.examples_seen = 0
        self._order, self._position = self.rng.permutation(self.n), 0
        self.batch = None
        self.diverged, self.overflow = False, None
        self.costs, self.cost_steps = [self.net.cost(self.X, self.Y)], [0]
        self.batch_costs = []
        self.path = [self._tracked(self.net)]
        return self

    def snapshot(self) -> dict:
        """Everything this trainer has done so far (network, history, place in the batches),
        for ``restore``."""
        return copy.deepcopy(vars(self))

    def restore(self, snapshot: dict):
        """Back to the state of a ``snapshot``, in place: whoever holds this trainer sees it."""
        vars(self).update(copy.deepcopy(snapshot))
        return self

    def step(self):
        """One SGD step on the next batch; returns the batch's Gradients (None once diverged)."""
        if self.diverged:
            return None
        # the batch: the next slice of this epoch's permutation
        self.batch = batch = self._order[self._position:self._position + self.batch_size]
        self._position += len(batch)
        record = (self.steps + 1) % self.record_every == 0
        try:
            g = self.net.backward(self.X[batch], self.Y[batch])
            new = self.net.descend(g, self.learning_rate, self.params)
            cost = new.cost(self.X, self.Y) if record else None
        except NumericOverflow as error:
            self.diverged, self.overflow = True, error
            return None
        self.net = new
        self.steps += 1
        self.examples_seen += len(batch)
        self.batch_costs.append(g.cost)
        if record:
            self.costs.append(cost)
            self.cost_steps.append(self.steps)
        if self.params:
            self.path.append(self._tracked(new))
        if self._position >= self.n:  # the epoch is over: the next step starts the next one
            self.epoch += 1
            self._order, self._position = self.rng.permutation(self.n), 0
        return g

    def train(self, steps, chunk=100, on_chunk=None):
        """Take ``steps`` steps (fewer if training diverges), ``chunk`` at a time; after each
        chunk the cost is recorded and ``on_chunk(done, steps)`` called (a progress bar)."""
        steps = whole_number(steps, "steps", 0, MAX_STEPS)
        chunk = whole_number(chunk, "chunk", 1)
        done = 0
        while done < steps and not self.diverged:
            for _ in range(min(chunk, steps - done)):
                if self.step() is None:
                    break
                done += 1
            self.record()
            if on_chunk is not None:
                on_chunk(done, steps)
        return self

    def record(self):
        """Record C over the whole set now, unless this step's is already recorded."""
        if self.cost_steps[-1] != self.steps:
            try:
                cost = self.net.cost(self.X, self.Y)
            except NumericOverflow as error:
                self.diverged, self.overflow = True, error
                return
            self.costs.append(cost)
            self.cost_steps.append(self.steps)

    # --- what the run looks like ------------------------------------------------------------
    @property
    def cost(self):
        """C over the whole data set, now."""
        self.record()
        return self.costs[-1]

    def accuracy(self) -> float:
        """``threshold_accuracy`` of the network's outputs a^Out on the data, now."""
        return threshold_accuracy(self.net.forward(self.X).output, self.Y, self.threshold)

    def blocked(self) -> tuple:
        """The neurons that pass (almost) no gradient back on every example (``Blocked``)."""
        return self.net.backward(self.X, self.Y).blocked

    @property
    def message(self) -> str:
        """What the run did, in words: the steps and epochs, the cost, and any warnings."""
        return "\n".join([f"{plural(self.steps, 'step')} of batch size {self.batch_size} "
                          f"({epochs(self.examples_seen, self.n, 2)}), learning rate "
                          f"{fmt(self.learning_rate)}: C went from {fmt(self.costs[0])} to "
                          f"{fmt(self.cost)}", *self.warnings()])

    def warnings(self, blocked=None) -> list:
        """What went wrong, in words, for ``message`` and the panels: a divergence, or a cost
        above its start after an epoch or more (one batch's step may go up by chance), and each
        neuron in ``blocked`` (by default those blocked now)."""
        lines = []
        if self.diverged:
            lines.append("Diverged: a step overflowed floating point, so training stopped "
                         f"with {plural(self.steps, 'step', True)} taken: the learning rate "
                         f"{fmt(self.learning_rate)} is too large.")  # (what: ``overflow``)
        elif self.steps >= self.steps_per_epoch and self.cost > self.costs[0]:
            lines.append("The cost is higher than at the start: the learning rate overshoots. "
                         "Try a smaller one.")
        return lines + [explain_blocked(b) for b in (self.blocked() if blocked is None
                                                     else blocked)]

    def _tracked(self, net):
        return {name: net.param(name) for name in self.params or ()}


def threshold_accuracy(outputs, Y, threshold) -> float:
    """The fraction of examples whose predicted class is their class: class 1 where the first
    output (or target) is above the threshold, else class 0."""
    predicted, truth = (np.asarray(v[:, 0], dtype=float) > threshold for v in (outputs, Y))
    return float((predicted == truth).mean())


def grid(extent, n=100):
    """(x1 values, x2 values, points): an n x n grid over extent (x1_min, x1_max, x2_min,
    x2_max); ``points`` has shape (n * n, 2), row i * n + j at (x1[j], x2[i])."""
    x1, x2 = np.linspace(extent[0], extent[1], n), np.linspace(extent[2], extent[3], n)
    return x1, x2, np.column_stack([np.tile(x1, n), np.repeat(x2, n)])


def output_on_grid(net: Network, extent, n=100) -> np.ndarray:
    """a^Out (the first output) on the n x n ``grid``: shape (n, n), row i at x2[i]. By
    ``network.forward_pass`` without sigma'(z), in float32: a picture needs a few digits, and
    tanh or sigmoid over n * n points runs several times faster so."""
    points = grid(extent, n)[2].astype(np.float32)
    weights = [np.asarray(W, dtype=np.float32) for W in net.weights]
    biases = [np.asarray(b, dtype=np.float32) for b in net.biases]
    with np.errstate(over="ignore", invalid="ignore"):
        return in_slices(lambda rows: forward_pass(weights, biases, net.activations, rows)[1][-1],
                         points, net)[:, 0].astype(float).reshape(n, n)


def in_slices(f, points, net):
    """f(rows of ``points``), a slice of rows at a time, concatenated: a forward pass of ``net``
    holds at most about 10**6 z's per layer (a picture's grid through 2-33333-1 held 2.7 GB)."""
    rows = max(1, 10**6 // max(net.sizes))
    return np.concatenate([f(points[i:i + rows]) for i in range(0, len(points), rows)])

