"""Containers for what the forward and backward passes produce, indexable like the notebooks.

``fwd.a["H0"]``, ``fwd.a[0]`` and ``fwd.a[-1]`` all work; so do ``g.dw["Out"]`` and
``g["w_Out"]`` (one parameter by its name).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scalars import fmt


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
        inner = ", ".join(f"{n}={_show(a)}" for n, a in self.items())
        return f"LayerValues({inner})"


def _show(array) -> str:
    array = np.asarray(array)
    if array.size == 1:
        return fmt(array.flat[0])
    return "[" + ", ".join(_show(row) for row in array) + "]"


@dataclass(frozen=True)
class ForwardPass:
    """The forward pass: input x, then z^L = W^L a^(L-1) + b^L and a^L = sigma(z^L) per layer."""

    x: np.ndarray
    z: LayerValues
    a: LayerValues

    @property
    def output(self) -> np.ndarray:
        """a^Out, the network's prediction."""
        return self.a[-1]


@dataclass(frozen=True)
class Gradients:
    """The cost C0 and its derivatives: dC/dw, dC/db, dC/da, dC/dz per layer, and dC/dx.

    ``g[name]`` gives one parameter's derivative by the name in ``Network.parameter_names``.
    """

    cost: object
    dw: LayerValues  # dC0/dW^L, the shape of W^L
    db: LayerValues  # dC0/db^L
    da: LayerValues  # dC0/da^L
    dz: LayerValues  # dC0/dz^L, Nielsen's delta^L
    dx: np.ndarray  # dC0/dx
    parameter_names: tuple

    def __getitem__(self, name: str):
        kind, layer, index = parse_parameter(name, self.parameter_names)
        table = self.dw if kind == "w" else self.db
        return table[layer][index]

    def as_dict(self) -> dict:
        """{parameter name: derivative}, in the order of ``parameter_names``."""
        return {name: self[name] for name in self.parameter_names}

    def report(self, names=None) -> str:
        """One line "dC0/dw_H0 = 0.01755125" per parameter (all, or those in ``names``)."""
        names = self.parameter_names if names is None else names
        return "\n".join(f"dC0/d{name} = {fmt(self[name])}" for name in names)


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


def parse_parameter(name, valid_names):
    """("w" or "b", layer name, index into W or b) for a valid parameter name."""
    if not isinstance(name, str) or name not in valid_names:
        raise ValueError(f"unknown parameter {name!r}; valid names: {', '.join(valid_names)}")
    kind, rest = name.split("_", 1)
    if "[" not in rest:
        return kind, rest, (0, 0) if kind == "w" else 0
    layer, index = rest[:-1].split("[")
    numbers = tuple(int(i) for i in index.split(","))
    return kind, layer, numbers if kind == "w" else numbers[0]
