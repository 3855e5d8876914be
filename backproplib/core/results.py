"""What the forward and backward passes produce, indexable like the notebooks.

``fwd.a["H0"]``, ``fwd.a[0]`` and ``fwd.a[-1]`` all work; so do ``g.dw["Out"]`` and
``g["w_Out"]`` (one parameter by its name). Also here: the one notion of a neuron that passes
(almost) no gradient back, ``Blocked``, read from sigma'(z) as the forward pass computed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..numbers import fmt

SATURATED_BELOW = 0.01  # 0 < |sigma'(z)| below this: the neuron is called saturated


class LayerValues:
    """One array per layer, found by position (0, 1, -1) or by name ("H0", "H1", "Out")."""

    def __init__(self, names, arrays):
        self.names = tuple(names)
        self._arrays = tuple(arrays)

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return self._arrays[self.names.index(key)]
            except ValueError:
                raise KeyError(f"no layer {key!r}; layers: {', '.join(self.names)}") from None
        return self._arrays[key]

    def __iter__(self):
        return iter(self._arrays)

    def __len__(self):
        return len(self._arrays)

    def items(self):
        return zip(self.names, self._arrays)

    def __repr__(self):
        inner = ", ".join(f"{n}={show(a)}" for n, a in self.items())
        return f"LayerValues({inner})"


def show(array) -> str:
    """A number, vector or matrix as text: 0.5 (also for one neuron), [0.5, 1], [[1, 2], [3, 4]]."""
    array = np.asarray(array)
    if array.size == 1:
        return fmt(array.flat[0])
    return "[" + ", ".join(show(row) for row in array) + "]"


@dataclass(frozen=True)
class Blocked:
    """A neuron that passes (almost) no gradient back: ``kind`` is "dead" where sigma'(z) = 0
    (a ReLU with z <= 0) and "saturated" where 0 < |sigma'(z)| < SATURATED_BELOW (a sigmoid
    or tanh far from 0). For a batch, ``z`` and ``slope`` hold every example's value."""

    layer: str  # "H1"
    L: int  # its position
    j: int  # the neuron within the layer
    neuron: str  # "H1", or "H1[0]" in a layer of several neurons
    z: object
    slope: object  # sigma'(z)
    kind: str  # "dead" or "saturated"
    activation: object  # the Activation

    def sentence(self) -> str:
        """What this means, in the notebooks' words."""
        f, z_name = self.activation.formula, f"z_{self.neuron}"
        batch = np.ndim(self.z) > 0
        where = (f"for all {np.size(self.z)} examples" if batch
                 else f"at {z_name} = {fmt(self.z)}")
        on = " on every example" if batch else ""
        if self.kind == "dead":
            why = " (ReLU passes nothing for z <= 0)" if self.activation.name == "relu" else ""
            return (f"{self.neuron} is dead{on}: {f}'({z_name}) = 0 {where}{why}, so no "
                    "gradient flows back through it")
        slope = (f"|{f}'({z_name})| < {fmt(SATURATED_BELOW)}" if batch
                 else f"{f}'({z_name}) = {fmt(self.slope)}")
        if not batch and self.slope == 0:
            slope += " (too small for floating point)"
        return (f"{self.neuron} is saturated{on}: {slope} {where}, so almost no gradient "
                "flows back through it")


def classify_slopes(slope, sigma):
    """(dead, blocked) masks of sigma'(z) values: dead where sigma'(z) = 0 for an activation
    that can die (ReLU), blocked where |sigma'(z)| < SATURATED_BELOW (dead or saturated)."""
    magnitude = np.abs(np.asarray(slope, dtype=float))
    blocked = magnitude < SATURATED_BELOW
    if sigma.smooth:  # a smooth sigma' is 0 only by underflow: saturated, never dead
        return np.zeros_like(blocked), blocked
    return magnitude == 0, blocked


def find_blocked(names, zs, slopes, activations) -> tuple:
    """Every dead or saturated neuron, layer by layer (for a batch: on every example)."""
    found = []
    for L, (name, z, slope, sigma) in enumerate(zip(names, zs, slopes, activations)):
        dead, saturated = classify_slopes(slope, sigma)
        if np.ndim(slope) == 2:  # a batch: blocked on every example
            dead, saturated = dead.all(axis=0), saturated.all(axis=0)
        for j in range(len(dead)):
            if saturated[j]:
                neuron = name if len(dead) == 1 else f"{name}[{j}]"
                z_j, slope_j = (z[:, j], slope[:, j]) if np.ndim(slope) == 2 else (z[j], slope[j])
                kind = "dead" if dead[j] else "saturated"
                found.append(Blocked(name, L, j, neuron, z_j, slope_j, kind, sigma))
    return tuple(found)


@dataclass(frozen=True)
class ForwardPass:
    """The forward pass: input x, then z^L = W^L a^(L-1) + b^L, a^L = sigma(z^L) and the local
    slope da^L/dz^L = sigma'(z^L) per layer. For a batch each array has one row per example."""

    x: np.ndarray
    z: LayerValues
    a: LayerValues
    da_dz: LayerValues  # sigma'(z^L), as the forward pass computed it
    activations: tuple

    @property
    def output(self) -> np.ndarray:
        """a^Out, the network's prediction."""
        return self.a[-1]

    @cached_property
    def blocked(self) -> tuple:
        """The neurons that pass (almost) no gradient back (see ``Blocked``)."""
        return find_blocked(self.z.names, self.z, self.da_dz, self.activations)


@dataclass(frozen=True)
class Gradients:
    """The cost and its derivatives: dC/dw, dC/db, dC/da, dC/dz per layer, and dC/dx.

    One example: the cost C0 and its gradients. A batch of m examples: ``cost`` is the
    average C = (1/m) sum_k C0_k, ``dw`` and ``db`` the mean of the examples' gradients, while
    ``dz``, ``da`` and ``dx`` keep one row per example (each example's dC0_k/dz, no 1/m).
    ``g[name]`` gives one parameter's derivative by the name in ``Network.parameter_names``.
    """

    cost: object
    dw: LayerValues  # dC/dW^L, the shape of W^L
    db: LayerValues  # dC/db^L
    da: LayerValues  # dC0/da^L
    dz: LayerValues  # dC0/dz^L, Nielsen's delta^L
    dx: np.ndarray  # dC0/dx
    parameter_names: tuple
    forward: ForwardPass  # the forward pass backward ran: z, a, sigma'(z), blocked neurons
    batch_size: int | None  # None for one example
    slots: dict  # {name: Slot}, from Network.locate's table

    def __getitem__(self, name: str):
        try:
            kind, L, index = self.slots[name]
        except (KeyError, TypeError):
            raise ValueError(f"unknown parameter {name!r}; valid names: "
                             f"{', '.join(self.parameter_names)}") from None
        return (self.dw if kind == "w" else self.db)[L][index]

    @property
    def da_dz(self) -> LayerValues:
        """sigma'(z^L) of every layer."""
        return self.forward.da_dz

    @property
    def blocked(self) -> tuple:
        """The neurons that pass (almost) no gradient back (see ``Blocked``)."""
        return self.forward.blocked

    def as_dict(self) -> dict:
        """{parameter name: derivative}, in the order of ``parameter_names``."""
        return {name: self[name] for name in self.parameter_names}

    def report(self, names=None, cost_name=None) -> str:
        """One line "dC0/dw_H0 = 0.01755125" per parameter (all, or those in ``names``);
        "dC/..." for a batch's average cost (or as ``cost_name`` says)."""
        names = self.parameter_names if names is None else names
        if isinstance(names, str):
            names = [names]
        cost_name = cost_name or ("C" if self.batch_size else "C0")
        return "\n".join(f"d{cost_name}/d{name} = {fmt(self[name])}" for name in names)


def parameter_names(layer_names, shapes):
    """w_<layer> / b_<layer> for one-neuron layers; w_<layer>[j,k] / b_<layer>[j] otherwise."""
    names = []
    for layer, (n_out, n_in) in zip(layer_names, shapes):
        if n_out == 1 and n_in == 1:
            names.append(f"w_{layer}")
        else:
            names += [f"w_{layer}[{j},{k}]" for j in range(n_out) for k in range(n_in)]
        if n_out == 1:
            names.append(f"b_{layer}")
        else:
            names += [f"b_{layer}[{j}]" for j in range(n_out)]
    return tuple(names)
