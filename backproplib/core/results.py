"""What the passes produce: ``fwd.a["H0"]`` (or ``fwd.a[0]``), ``g.dw["Out"]``, ``g["w_Out"]``;
``Blocked``, a neuron that passes (almost) no gradient back (in words: ``bp.explain_blocked``)."""

from collections import namedtuple
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..numbers import ParameterTable, fmt, indexed

SATURATED_BELOW = 0.01  # 0 < |sigma'(z)| below this: the neuron is called saturated


class LayerValues(tuple):
    """One array per layer, found by position (0, 1, -1) or by name ("H0", "H1", "Out")."""

    def __new__(cls, names, arrays):
        return layers_of(names)(arrays)

    def __getitem__(self, key):
        if isinstance(key, str) and key not in self.names:
            raise KeyError(f"no layer {key!r}; layers: {', '.join(self.names)}")
        return super().__getitem__(self.names.index(key) if isinstance(key, str) else key)

    def items(self):
        return zip(self.names, self)

    def __repr__(self):
        return f"LayerValues({', '.join(f'{n}={fmt(a)}' for n, a in self.items())})"


@lru_cache(maxsize=None)  # a type per layer names, made by tuple's __new__: 0.13 us, not 0.22-0.39
def layers_of(names) -> type:
    return type("LayerValues", (LayerValues,), {"names": names, "__new__": tuple.__new__})


# A neuron that passes (almost) no gradient back: ``kind`` is "dead" where sigma'(z) = 0 (a ReLU
# with z <= 0), "saturated" where 0 < |sigma'(z)| < SATURATED_BELOW (a sigmoid or tanh far from
# 0). ``layer`` "H1" at position ``L``; ``neuron`` "H1", or "H1[0]" for neuron ``j`` of a wider
# layer; ``slope`` is sigma'(z); for a batch ``z`` and ``slope`` hold every example's value.
Blocked = namedtuple("Blocked", "layer L j neuron z slope kind activation")


def classify_slopes(slope, sigma):
    """(dead, blocked) masks of sigma'(z) values: dead where sigma'(z) = 0 for an activation
    that can die (ReLU), blocked where |sigma'(z)| < SATURATED_BELOW (dead or saturated)."""
    if not sigma.smooth:  # ReLU, leaky ReLU, linear: sigma' is 0, 1/100 or 1, never saturated
        dead = slope == 0
        return dead, dead
    # a smooth sigma' is 0 only by underflow: saturated, never dead
    blocked = np.abs(np.asarray(slope, dtype=float)) < SATURATED_BELOW
    return np.zeros_like(blocked), blocked


def find_blocked(names, zs, slopes, activations) -> tuple:
    """Every dead or saturated neuron, layer by layer (for a batch: on every example)."""
    found = []
    for L, (name, z, slope, sigma) in enumerate(zip(names, zs, slopes, activations)):
        dead, saturated = classify_slopes(slope, sigma)
        if np.ndim(slope) == 2:  # a batch: blocked on every example
            dead, saturated = dead.all(axis=0), saturated.all(axis=0)
        for j in map(int, np.flatnonzero(saturated)):
            at = (slice(None), j) if np.ndim(slope) == 2 else j  # every example's, or the one
            found.append(Blocked(name, L, j, indexed(name, j, len(dead)), z[at],
                                 slope[at], "dead" if dead[j] else "saturated", sigma))
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

    output = property(lambda self: self.a[-1], doc="a^Out, the network's prediction")

    @cached_property
    def blocked(self) -> tuple:
        """The neurons that pass (almost) no gradient back (see ``Blocked``)."""
        return find_blocked(self.z.names, self.z, self.da_dz, self.activations)


@dataclass(frozen=True)
class Gradients:
    """The cost and its derivatives: dC/dw, dC/db, dC/da, dC/dz per layer, and dC/dx.
    One example: C0 and its gradients. A batch: the average C = (1/m) sum_k C0_k, ``dw`` and
    ``db`` the mean of the examples' gradients; ``dz``, ``da``, ``dx`` keep each example's row.
    ``g[name]`` gives one parameter's derivative by the name in ``Network.parameter_names``."""
    cost: object
    dw: LayerValues  # dC/dW^L, the shape of W^L
    db: LayerValues  # dC/db^L
    da: LayerValues  # dC0/da^L
    dz: LayerValues  # dC0/dz^L, Nielsen's delta^L
    dx: np.ndarray  # dC0/dx
    forward: ForwardPass  # the forward pass backward ran: z, a, sigma'(z), blocked neurons
    batch_size: int | None  # None for one example
    parameters: ParameterTable  # the network's parameter names and where each lives

    def __getitem__(self, name: str):
        return self.parameters.value(name, self.dw, self.db)

    parameter_names = property(lambda self: self.parameters.names)
    da_dz = property(lambda self: self.forward.da_dz, doc="sigma'(z^L) of every layer")
    blocked = property(lambda self: self.forward.blocked, doc="the neurons ``Blocked``")
    cost_name = property(lambda self: "C" if self.batch_size else "C0", doc="C0, or C: a batch's")

    def as_dict(self) -> dict:
        """{parameter name: derivative}, in the order of ``parameter_names``."""
        return {name: self[name] for name in self.parameter_names}

    def report(self, names=None) -> str:
        """One line "dC0/dw_H0 = 0.01755125" per parameter (all, or those in ``names``);
        "dC/..." for a batch's average cost."""
        names = [names] if isinstance(names, str) else names or self.parameter_names
        return "\n".join(f"d{self.cost_name}/d{name} = {fmt(self[name])}" for name in names)
