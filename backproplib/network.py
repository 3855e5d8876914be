"""A fully connected network, its forward pass and backpropagation, in the notebooks' notation.

Layers are named H0, H1, ... and Out; the input is x. For layer L with previous layer L-1:

    z^L = W^L a^(L-1) + b^L          a^L = sigma(z^L)          C0 = sum_j (a_j^Out - y_j)^2

Index convention (3Blue1Brown's): w_jk^L runs from neuron k of layer L-1 to neuron j of layer L,
so W^L has shape (n_L, n_(L-1)) and row j holds the weights into neuron j.

Backpropagation, from the output back (no 1/2 in the cost, so the first factor is 2(a - y)):

    dC/da^Out = 2 (a^Out - y)
    dC/dz^L   = dC/da^L * sigma'(z^L)                       (Nielsen's delta^L)
    dC/dw_jk^L = dC/dz_j^L * a_k^(L-1)                      (dz_j/dw_jk = a_k^(L-1))
    dC/db_j^L  = dC/dz_j^L                                  (dz_j/db_j = 1)
    dC/da_k^(L-1) = sum_j dC/dz_j^L * w_jk^L                (dz_j/da_k = w_jk; a sum over j)
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from .scalars import is_exact_input, to_array
from .values import ForwardPass, Gradients, LayerValues, parameter_names, parse_parameter


def layer_names(depth: int) -> tuple:
    """("H0", ..., "H{depth-2}", "Out"): every layer but the last is hidden."""
    return tuple(f"H{i}" for i in range(depth - 1)) + ("Out",)


class Network:
    """Weights W^L, biases b^L and an activation per layer, in floats or exact Fractions.

    ``exact=None`` computes exactly when any number is given as a Fraction or a string such as
    "0.1" and every activation is rational; ``exact=True`` insists, ``exact=False`` uses floats.
    """

    def __init__(self, weights, biases, activations="relu", exact=None):
        if not isinstance(weights, (list, tuple)) or len(weights) == 0:
            given = "an empty list" if isinstance(weights, (list, tuple)) else repr(weights)
            raise ValueError(f"weights: expected a list with one matrix W per layer, got {given}")
        if not isinstance(biases, (list, tuple)) or len(biases) != len(weights):
            given = len(biases) if isinstance(biases, (list, tuple)) else repr(biases)
            raise ValueError(
                f"biases: expected a list with one vector b per layer ({len(weights)}), "
                f"got {given}"
            )
        names = layer_names(len(weights))
        self.activations = _activation_list(activations, names)
        self.exact = _choose_exactness(exact, weights, biases, self.activations)
        self.weights = tuple(
            to_array(W, self.exact, f"weights of layer {n}", ndim=2) for W, n in zip(weights, names)
        )
        self.biases = tuple(
            to_array(b, self.exact, f"biases of layer {n}", ndim=1) for b, n in zip(biases, names)
        )
        self.layer_names = names
        _check_shapes(self.weights, self.biases, names)
        self.parameter_names = parameter_names(names, [W.shape for W in self.weights])

    @classmethod
    def chain(cls, weights, biases, activation="relu", exact=None):
        """A chain of one-neuron layers: x -> H0 -> ... -> Out, one weight and bias each."""
        for what, values in (("weights", weights), ("biases", biases)):
            if not isinstance(values, (list, tuple, np.ndarray)) or any(
                    isinstance(v, (list, tuple)) or np.ndim(v) > 0 for v in values):
                raise ValueError(
                    f"Network.chain: expected {what} as a flat list of numbers, one per layer, "
                    f"got {values!r}"
                )
        return cls([[[w]] for w in weights], [[b] for b in biases], activation, exact)

    # --- what the network looks like ------------------------------------------------------
    @property
    def sizes(self) -> tuple:
        """(n_x, n_H0, ..., n_Out): neurons per layer, the input first."""
        return (self.weights[0].shape[1],) + tuple(W.shape[0] for W in self.weights)

    @property
    def is_chain(self) -> bool:
        return all(n == 1 for n in self.sizes)

    def params(self) -> dict:
        """{parameter name: value}, e.g. {"w_H0": 0.1, "b_H0": 2.0, ...}."""
        values = {}
        for name in self.parameter_names:
            kind, layer, index = parse_parameter(name, self.parameter_names)
            i = self.layer_names.index(layer)
            values[name] = (self.weights if kind == "w" else self.biases)[i][index]
        return values

    def with_params(self, changes: dict) -> "Network":
        """A copy with some parameters changed, e.g. ``net.with_params({"w_Out": 0.7})``."""
        weights = [W.copy() for W in self.weights]
        biases = [b.copy() for b in self.biases]
        for name, value in dict(changes).items():
            kind, layer, index = parse_parameter(name, self.parameter_names)
            i = self.layer_names.index(layer)
            number = to_array(value, self.exact, name, ndim=1)
            if number.shape != (1,):
                raise ValueError(f"{name}: expected one number, got {len(number)}: {value!r}")
            (weights if kind == "w" else biases)[i][index] = number[0]
        return Network(weights, biases, [a.name for a in self.activations], self.exact)

    def __repr__(self):
        kind = "exact" if self.exact else "float"
        sizes = "-".join(str(n) for n in self.sizes)
        acts = ",".join(a.name for a in self.activations)
        return f"Network({sizes}, activations={acts}, {kind})"

    # --- the two passes --------------------------------------------------------------------
    def forward(self, x) -> ForwardPass:
        """z^L and a^L of every layer for input x."""
        x = self._vector(x, self.weights[0].shape[1], "x", "the input layer")
        with np.errstate(over="ignore", invalid="ignore"):
            zs, activations = self._layers(x)
        self._check_finite(zs)
        names = self.layer_names
        return ForwardPass(x, LayerValues(names, zs), LayerValues(names, activations))

    def _layers(self, x):
        """[z^L] and [a^L] for every layer, as plain lists."""
        zs, activations = [], []
        a = x
        for W, b, sigma in zip(self.weights, self.biases, self.activations):
            z = W @ a + b
            a = sigma.function(z)
            zs.append(z)
            activations.append(a)
        return zs, activations

    def backward(self, x, y) -> Gradients:
        """The cost C0 and its derivative with respect to everything, by the chain rule."""
        x = self._vector(x, self.weights[0].shape[1], "x", "the input layer")
        y = self._vector(y, self.weights[-1].shape[0], "y", "Out")
        nabla_w, nabla_b, nabla_a, delta = [], [], [], []
        with np.errstate(over="ignore", invalid="ignore"):
            zs, activations = self._layers(x)
            error = activations[-1] - y
            cost = (error * error).sum()
            dC_da = 2 * error
            inputs = [x] + activations  # inputs[L] = a^(L-1), and x for L = 0
            for L in reversed(range(len(self.weights))):
                dC_dz = dC_da * self.activations[L].derivative(zs[L])
                nabla_a.append(dC_da)
                delta.append(dC_dz)
                nabla_w.append(dC_dz[:, None] * inputs[L][None, :])  # np.outer, but cheaper
                nabla_b.append(dC_dz)
                dC_da = self.weights[L].T @ dC_dz  # the sum over j of dC/dz_j * w_jk
        self._check_finite(zs + delta, cost)
        names = self.layer_names

        def per_layer(values):
            return LayerValues(names, values[::-1])

        return Gradients(cost, per_layer(nabla_w), per_layer(nabla_b), per_layer(nabla_a),
                         per_layer(delta), dC_da, self.parameter_names)

    def cost(self, x, y):
        """C0 = sum_j (a_j^Out - y_j)^2."""
        error = self.forward(x).output - self._vector(y, self.sizes[-1], "y", "Out")
        with np.errstate(over="ignore", invalid="ignore"):
            cost = (error * error).sum()
        self._check_finite([], cost)
        return cost

    # --- helpers ----------------------------------------------------------------------------
    def _vector(self, values, n, what, layer):
        if not self.exact and n == 1 and type(values) in (float, int) and abs(values) < 1e300:
            return np.array([values], dtype=float)  # a plain number, as in the worked example
        if not self.exact and isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
            vector = values.astype(float, copy=False)  # ints and float32 become float64
            vector = vector.reshape(-1) if vector.ndim == 0 else vector
            if vector.ndim == 1 and np.isfinite(vector).all() and len(vector) == n:
                return vector
        vector = to_array(values, self.exact, what, ndim=1)
        if len(vector) != n:
            raise ValueError(
                f"{what}: expected {n} number{'s' if n > 1 else ''} ({layer} has {n} "
                f"neuron{'s' if n > 1 else ''}), got {len(vector)}"
            )
        return vector

    def _check_finite(self, zs, cost=0.0):
        """Refuse a result that overflowed: name the layer, never hand back inf or NaN.

        ``zs`` holds each layer's z, and in backward also each dC/dz after them."""
        if self.exact or ((not zs or np.isfinite(np.concatenate(zs)).all())
                          and np.isfinite(cost)):
            return
        for name, z in zip(self.layer_names, zs):
            if not np.isfinite(z).all():
                raise NumericOverflow(
                    f"the forward pass overflowed in layer {name}: z = {z}. The weights or "
                    "inputs are too large for floating point; use smaller values."
                )
        raise NumericOverflow(
            f"the cost or a gradient overflowed (C0 = {cost}): the numbers grew past what "
            "floating point holds; use smaller weights, inputs or targets."
        )


class NumericOverflow(OverflowError, ValueError):
    """A value grew past what floating point holds (a ValueError too, as bad input is)."""


def _activation_list(activations, names):
    if isinstance(activations, (list, tuple)):
        if len(activations) != len(names):
            raise ValueError(
                f"activations: expected one per layer ({len(names)}: {', '.join(names)}), "
                f"got {len(activations)}"
            )
        return tuple(act.get(a, f"activation of layer {n}") for a, n in zip(activations, names))
    return tuple(act.get(activations) for _ in names)


def _choose_exactness(exact, weights, biases, activations):
    irrational = [a.name for a in activations if not a.exact]
    if exact and irrational:
        raise ValueError(
            f"exact=True needs rational activations (relu, leaky_relu, linear), got "
            f"{', '.join(sorted(set(irrational)))}: their values are irrational, so they "
            "cannot be computed as exact fractions. Use exact=False."
        )
    if exact is None:
        return not irrational and (is_exact_input(weights) or is_exact_input(biases))
    return bool(exact)


def _check_shapes(weights, biases, names):
    for L, (W, b, name) in enumerate(zip(weights, biases, names)):
        if L > 0 and W.shape[1] != weights[L - 1].shape[0]:
            prev = names[L - 1]
            raise ValueError(
                f"weights of layer {name}: expected shape ({W.shape[0]}, "
                f"{weights[L - 1].shape[0]}) to take the {weights[L - 1].shape[0]} outputs of "
                f"{prev} (w_jk runs from k in {prev} to j in {name}), got {W.shape}"
            )
        if b.shape != (W.shape[0],):
            raise ValueError(
                f"biases of layer {name}: expected {W.shape[0]} (one per neuron), got {b.shape[0]}"
            )


def worked_example():
    """The seed's network and data: x = 0.5, y = 0, chain of ReLU neurons.

    Weights 0.1, 0.01, 0.5 and biases 2, 1, 3 for H0, H1, Out. Returns (net, x, y).
    """
    net = Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="relu")
    return net, 0.5, 0
