"""Gradient descent on one example, step by step, with an explanation when it goes wrong.

Each step moves every chosen parameter p against its gradient:

    p  <-  p - learning_rate * dC0/dp

Only the parameters named in ``params`` move (all of them by default), so a path over two
weights can be drawn on their cost contour. Descent runs in floats. When the numbers overflow,
the path stops at the last finite step: a student sees the explosion explained, never a NaN.

Also here: ``dead_neurons`` and ``blocked_neurons``, the arithmetic behind the warning "H1 is
dead: z <= 0, so ReLU'(z) = 0 and no gradient flows back through it".
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from .network import Network
from .scalars import fmt
from .values import parse_parameter

SATURATED_BELOW = 0.01  # sigma'(z) below this (but not 0) is called saturated


@dataclass(frozen=True)
class DescentPath:
    """What gradient descent did, one entry per visited point (the start is entry 0).

    ``params[i]`` is {name: value} after i steps for the moving parameters ``names``;
    ``costs[i]`` is C0 there. ``net`` is the network at the last finite point, ``diverged``
    says whether the cost grew or overflowed, and ``message`` explains the run to a student.
    """

    names: tuple
    learning_rate: float
    steps: int  # steps asked for; len(costs) - 1 were taken
    params: list
    costs: list
    net: Network
    diverged: bool
    overflowed: bool
    stuck: bool  # every moving parameter has gradient 0 (dead ReLUs) before the end
    message: str
    gradients: list = field(repr=False, default_factory=list)  # {name: dC0/dname} per point

    @property
    def steps_taken(self) -> int:
        return len(self.costs) - 1

    def array(self, names=None) -> np.ndarray:
        """The path as an array of shape (points, len(names)), e.g. to draw it on a contour."""
        names = self.names if names is None else tuple(names)
        return np.array([[p[n] for n in names] for p in self.params], dtype=float)

    def __str__(self):
        return self.message


def gradient_descent(net: Network, x, y, learning_rate, steps, params=None) -> DescentPath:
    """Take ``steps`` steps of size ``learning_rate`` downhill on C0, moving ``params`` only."""
    learning_rate = _positive_number(learning_rate, "learning_rate")
    steps = _positive_int(steps, "steps")
    names = tuple(net.parameter_names) if params is None else _param_names(net, params)

    work = _float_copy(net)
    slots = [_slot(work, name) for name in names]
    values = {n: float(v) for n, v in work.params().items()}

    path_params, costs, grads = [], [], []
    overflowed = stuck = False
    with np.errstate(over="ignore", invalid="ignore"):
        g = work.backward(x, y)
        path_params.append({n: values[n] for n in names})
        costs.append(float(g.cost))
        grads.append({n: float(g[n]) for n in work.parameter_names})
        for _ in range(steps):
            step = [learning_rate * grads[-1][n] for n in names]
            if all(s == 0 for s in step):
                stuck = True
                break
            new = [values[n] - s for n, s in zip(names, step)]
            if not all(math.isfinite(v) for v in new):
                overflowed = True
                break
            for (array, index), v in zip(slots, new):
                array[index] = v
            try:
                g = work.backward(x, y)
                cost = float(g.cost)
                gradient = {n: float(g[n]) for n in work.parameter_names}
            except OverflowError:
                cost = math.inf
            if not math.isfinite(cost) or not all(math.isfinite(v) for v in gradient.values()):
                overflowed = True
                for (array, index), n in zip(slots, names):  # back to the last finite point
                    array[index] = values[n]
                break
            values.update(zip(names, new))
            path_params.append({n: values[n] for n in names})
            costs.append(cost)
            grads.append(gradient)

    final = work  # at the last finite point; a private copy nobody else changes
    diverged = overflowed or costs[-1] > costs[0]
    message = _explain(names, learning_rate, steps, costs, overflowed, stuck, diverged, final, x)
    return DescentPath(names, learning_rate, steps, path_params, costs, final, diverged,
                       overflowed, stuck, message, grads)


def _explain(names, lr, steps, costs, overflowed, stuck, diverged, final, x) -> str:
    taken = len(costs) - 1
    start, end = costs[0], costs[-1]
    in_steps = f"in {taken} step{'s' if taken != 1 else ''}"
    too_large = (f"the learning rate {fmt(lr)} is too large: each step overshoots the valley "
                 "and lands higher up the other side. Try a smaller learning rate.")
    blocked = describe_blocked(final, x)
    dead_note = (" Where it stopped, " + "; ".join(blocked) + ".") if blocked else ""
    if overflowed:
        return (f"Diverged: the cost grew from {fmt(start)} to {fmt(end)} {in_steps}, then the "
                f"next step overflowed (the numbers grew past what floating point holds), so "
                f"descent stopped at the last finite step: {too_large}")
    if diverged:
        return (f"Diverged: the cost grew from {fmt(start)} to {fmt(end)} {in_steps}: "
                f"{too_large}{dead_note}")
    if end == 0:
        return (f"The cost fell from {fmt(start)} to 0 {in_steps}: the prediction equals y, "
                "the bottom of the valley, so every gradient is 0 and descent stops there.")
    if stuck:
        where = "at the start" if taken == 0 else f"after {taken} step{'s' if taken != 1 else ''}"
        return (f"Stuck {where} with the cost at {fmt(end)}: the gradient of "
                f"{', '.join(names)} is 0, so descent cannot move.{dead_note}")
    if any(later > earlier for earlier, later in zip(costs, costs[1:])):
        return (f"The cost fell from {fmt(start)} to {fmt(end)} {in_steps}, but not steadily "
                f"(it went up on some steps): the learning rate {fmt(lr)} is close to too "
                f"large.{dead_note}")
    return f"The cost fell from {fmt(start)} to {fmt(end)} {in_steps}.{dead_note}"


# --- neurons that block the gradient ---------------------------------------------------------
def blocked_neurons(net: Network, x) -> list:
    """[(layer, j, z, derivative, kind)] for neurons whose sigma'(z) is 0 ("dead") or tiny
    ("saturated"), in the order of the layers. Only hidden and output layers are checked."""
    fwd = net.forward(x)
    found = []
    for name, sigma, z in zip(net.layer_names, net.activations, fwd.z):
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            slope = sigma.derivative(z)
        for j, (z_j, d_j) in enumerate(zip(z, slope)):
            if d_j == 0 and z_j <= 0:  # a ReLU at or below its kink
                found.append((name, j, z_j, d_j, "dead"))
            elif abs(float(d_j)) < SATURATED_BELOW:
                found.append((name, j, z_j, d_j, "saturated"))
    return found


def dead_neurons(net: Network, x) -> list:
    """[(layer, j, z)] for neurons with sigma'(z) = 0, such as a ReLU with z <= 0."""
    return [(layer, j, z) for layer, j, z, _, kind in blocked_neurons(net, x) if kind == "dead"]


def describe_blocked(net: Network, x) -> list:
    """One sentence per dead or saturated neuron, in the notebooks' words."""
    sentences = []
    for layer, j, z, slope, kind in blocked_neurons(net, x):
        sigma = net.activations[net.layer_names.index(layer)]
        who = layer if net.sizes[net.layer_names.index(layer) + 1] == 1 else f"{layer}[{j}]"
        if kind == "dead":
            sentences.append(
                f"{who} is dead: z = {fmt(z)} <= 0, so {sigma.formula}'(z) = 0 and no gradient "
                f"flows back through it")
        else:
            sentences.append(
                f"{who} is saturated: z = {fmt(z)}, so {sigma.formula}'(z) = {fmt(slope)} and "
                f"almost no gradient flows back through it")
    return sentences


# --- helpers ---------------------------------------------------------------------------------
def _positive_number(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what}: expected a positive number such as 0.01, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        shown = fmt(value) if math.isfinite(value) else value
        raise ValueError(f"{what}: expected a positive number such as 0.01, got {shown}")
    return value


def _positive_int(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what}: expected a whole number of steps such as 20, got {value!r}")
    if value < 1:
        raise ValueError(f"{what}: expected at least 1 step, got {value}")
    return int(value)


def _param_names(net, params):
    if isinstance(params, str):
        params = (params,)
    names = tuple(params)
    if not names:
        raise ValueError("params: expected at least one parameter name, got none")
    for name in names:
        parse_parameter(name, net.parameter_names)
    if len(set(names)) != len(names):
        raise ValueError(f"params: each parameter once, got {names!r}")
    return names


def _float_copy(net: Network) -> Network:
    """A float copy of ``net`` that descent may change in place."""
    return Network([np.asarray(W, dtype=float) for W in net.weights],
                   [np.asarray(b, dtype=float) for b in net.biases],
                   [a.name for a in net.activations], exact=False)


def _slot(net, name):
    kind, layer, index = parse_parameter(name, net.parameter_names)
    i = net.layer_names.index(layer)
    return (net.weights if kind == "w" else net.biases)[i], index
