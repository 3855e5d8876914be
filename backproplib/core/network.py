"""A fully connected network, its forward pass and backpropagation, in the notebooks' notation.

Layers are named H0, H1, ... and Out; the input is x. For layer L with previous layer L-1:

    z^L = W^L a^(L-1) + b^L          a^L = sigma(z^L)          C0 = sum_j (a_j^Out - y_j)^2

Index convention (3Blue1Brown's): w_jk^L runs from neuron k of layer L-1 to neuron j of layer L,
so W^L has shape (n_L, n_(L-1)) and row j holds the weights into neuron j.

Backpropagation, from the output back (no 1/2 in the cost, so the first factor is 2(a - y)):

    dC0/da^Out = 2 (a^Out - y)
    dC0/dz^L   = dC0/da^L * sigma'(z^L)                      (Nielsen's delta^L)
    dC0/dw_jk^L = dC0/dz_j^L * a_k^(L-1)                     (dz_j/dw_jk = a_k^(L-1))
    dC0/db_j^L  = dC0/dz_j^L                                 (dz_j/db_j = 1)
    dC0/da_k^(L-1) = sum_j dC0/dz_j^L * w_jk^L               (dz_j/da_k = w_jk; a sum over j)

These rules are written once, in ``backpropagate``. The same function serves one example, a
batch of examples (the average cost C = (1/m) sum_k C0_k, whose gradients are the mean of the
examples' gradients) and grids of parameter values (``surface.cost_surface``), because every
array may carry leading axes that numpy broadcasts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..numbers import check_probabilities, is_exact_input, to_array, to_scalar
from . import activations as act
from .results import ForwardPass, Gradients, LayerValues, parameter_names


def layer_names(depth: int) -> tuple:
    """("H0", ..., "H{depth-2}", "Out"): every layer but the last is hidden."""
    return tuple(f"H{i}" for i in range(depth - 1)) + ("Out",)


class Slot(NamedTuple):
    """Where a parameter lives: ``kind`` "w" or "b", layer position ``L`` and ``index`` into W^L
    (j, k) or b^L (j,)."""

    kind: str
    L: int
    index: tuple


# --- the one backpropagation routine -----------------------------------------------------------
def weighted_input(W, a):
    """z_j = sum_k w_jk a_k over the last axis of ``a``; W is (..., n_L, n_(L-1))."""
    if W.ndim == 2 and a.ndim == 1:
        return W @ a
    if W.shape[-1] == 1:  # one neuron in layer L-1: a product, no sum (a chain on a grid)
        return W[..., 0] * a
    if W.ndim == 2:
        return a @ W.T
    if W.shape[-3] == 1 and a.ndim >= 2:  # W the same along a's rows: one matrix product
        return a @ np.swapaxes(W[..., 0, :, :], -1, -2)
    return np.matmul(W, a[..., None])[..., 0]


def sum_over_next_layer(dC_dz, W):
    """dC0/da_k^(L-1) = sum_j dC0/dz_j^L * w_jk^L over the last axis of ``dC_dz``."""
    if W.ndim == 2:
        return dC_dz @ W
    if W.shape[-2] == 1:  # one neuron in layer L: a single term
        return dC_dz[..., :1] * W[..., 0, :]
    if W.shape[-3] == 1 and dC_dz.ndim >= 2:  # W the same along dC_dz's rows
        return dC_dz @ W[..., 0, :, :]
    return np.matmul(dC_dz[..., None, :], W)[..., 0, :]


def forward_pass(weights, biases, activations, x):
    """[z^L] and [a^L] for every layer, from input x (plain lists, for ``backpropagate``)."""
    zs, outputs = [], []
    a = x
    for W, b, sigma in zip(weights, biases, activations):
        z = weighted_input(W, a) + b
        a = sigma.function(z)
        zs.append(z)
        outputs.append(a)
    return zs, outputs


class Backprop(NamedTuple):
    """What ``backpropagate`` found, per layer L: z^L, a^L, sigma'(z^L), dC0/da^L, dC0/dz^L;
    ``inputs[L]`` is a^(L-1) (x for L = 0); ``cost`` is C0, or the average C for a batch."""

    z: list
    a: list
    da_dz: list
    dC_da: list
    dC_dz: list
    dC_dx: object
    inputs: list
    cost: object
    batch: bool

    def dC_dw(self, L, index=None):
        """dC/dw_jk^L = dC0/dz_j^L * a_k^(L-1), the mean over a batch; all of W^L, or the one
        weight ``index`` = (j, k)."""
        dC_dz, a_prev = self.dC_dz[L], self.inputs[L]
        if index is None and self.batch:  # the matrix form: dC/dW = delta^T A^(L-1) / m
            return np.matmul(np.swapaxes(dC_dz, -1, -2), a_prev) / dC_dz.shape[-2]
        if index is None:
            return dC_dz[..., :, None] * a_prev[..., None, :]
        j, k = index
        gradient = dC_dz[..., j] * a_prev[..., k]
        return gradient.sum(axis=-1) / dC_dz.shape[-2] if self.batch else gradient

    def dC_db(self, L, index=None):
        """dC/db_j^L = dC0/dz_j^L (dz_j/db_j = 1), the mean over a batch."""
        dC_dz = self.dC_dz[L] if index is None else self.dC_dz[L][..., index[0]]
        if not self.batch:
            return dC_dz
        m = self.dC_dz[L].shape[-2]  # a sum and a division: np.mean costs more on small arrays
        return dC_dz.sum(axis=-2 if index is None else -1) / m


def backpropagate(weights, biases, activations, x, y, batch=False,
                  cost=act.COSTS["quadratic"]) -> Backprop:
    """Forward pass, cost and every dC0/dz and dC0/da, by the chain rule from the output back.

    With ``batch`` the second-last axis of x and y runs over m examples and the cost is their
    average C. Any further leading axes (a grid of parameter values) broadcast through.
    The first delta dC0/dz^Out comes from the cost pair (2(a - y) sigma'(z) for the quadratic
    cost, a - y for cross-entropy). The weight and bias gradients follow from dC0/dz:
    ``Backprop.dC_dw`` and ``dC_db``.
    """
    zs, outputs = forward_pass(weights, biases, activations, x)
    C = cost.function(zs[-1], outputs[-1], y, activations[-1])  # C0 of each example
    if batch:
        C = C.sum(axis=-1) / C.shape[-1]
    if isinstance(C, np.ndarray) and C.ndim == 0:
        C = C[()]  # a plain number (a Fraction in exact mode)
    nabla_a, delta, slopes = [], [], []
    out = len(weights) - 1
    dC_da = cost.dC_da(outputs[-1], y, activations[-1])
    for L in reversed(range(len(weights))):
        sigma = activations[L]
        slope = sigma.derivative(zs[L])
        if L == out:
            dC_dz = cost.first_delta(dC_da, outputs[L], y, sigma, slope)
        else:
            dC_dz = sigma.chain(dC_da, outputs[L], slope)
        slopes.append(slope)
        nabla_a.append(dC_da)
        delta.append(dC_dz)
        dC_da = sum_over_next_layer(dC_dz, weights[L])
    return Backprop(zs, outputs, slopes[::-1], nabla_a[::-1], delta[::-1], dC_da,
                    [x] + outputs[:-1], C, batch)


# --- the network -------------------------------------------------------------------------------
class Network:
    """Weights W^L, biases b^L and an activation per layer, in floats or exact Fractions.

    ``exact=None`` computes exactly when any number is given as a Fraction or a string such as
    "0.1" and every activation is rational; ``exact=True`` insists, ``exact=False`` uses floats.
    A network never changes: ``with_params`` and ``descend`` return new ones.
    ``sizes`` is (n_x, n_H0, ..., n_Out), the neurons per layer with the input first.
    """

    def __init__(self, weights, biases, activations="relu", exact=None, cost="quadratic"):
        if not isinstance(weights, (list, tuple)) or len(weights) == 0:
            given = "an empty list" if isinstance(weights, (list, tuple)) else repr(weights)
            raise ValueError(f"weights: expected a list with one matrix W per layer, got {given}")
        if not isinstance(biases, (list, tuple)) or len(biases) != len(weights):
            given = f"{len(biases)}" if isinstance(biases, (list, tuple)) else repr(biases)
            raise ValueError(
                f"biases: expected a list with one vector b per layer ({len(weights)}), "
                f"got {given}"
            )
        names = layer_names(len(weights))
        activations = _activation_list(activations, names)
        cost = act.get_cost(cost, activations[-1])
        exact = _choose_exactness(exact, weights, biases, activations)
        weights = tuple(to_array(W, exact, f"weights of layer {n}", ndim=2)
                        for W, n in zip(weights, names))
        biases = tuple(to_array(b, exact, f"biases of layer {n}", ndim=1)
                       for b, n in zip(biases, names))
        _check_shapes(weights, biases, names)
        self._set(weights, biases, activations, exact, cost)

    def _set(self, weights, biases, activations, exact, cost):
        for array in weights + biases:
            array.flags.writeable = False
        self.weights, self.biases, self.activations, self.exact = (
            weights, biases, activations, exact)
        self.cost_function = cost  # the Cost pair: C0 and its first delta
        self.layer_names = layer_names(len(weights))
        self.sizes = (weights[0].shape[1],) + tuple(W.shape[0] for W in weights)
        self.parameter_names, self._slots = _parameter_table(
            self.layer_names, tuple(W.shape for W in weights))

    def _from_arrays(self, weights, biases) -> "Network":
        """A network like this one with new arrays, already checked (of the same shapes)."""
        net = Network.__new__(Network)
        net._set(tuple(weights), tuple(biases), self.activations, self.exact, self.cost_function)
        return net

    @classmethod
    def chain(cls, weights, biases, activation="relu", exact=None, cost="quadratic"):
        """A chain of one-neuron layers: x -> H0 -> ... -> Out, one weight and bias each."""
        for what, values in (("weights", weights), ("biases", biases)):
            if not isinstance(values, (list, tuple, np.ndarray)) or any(
                    isinstance(v, (list, tuple)) or np.ndim(v) > 0 for v in values):
                raise ValueError(
                    f"Network.chain: expected {what} as a flat list of numbers, one per layer, "
                    f"got {values!r}"
                )
        if len(weights) != len(biases):
            raise ValueError(
                f"Network.chain: expected one weight and one bias per layer, got "
                f"{len(weights)} weights and {len(biases)} biases")
        names = layer_names(len(weights))
        sigmas = _activation_list(activation, names)
        exact = _choose_exactness(exact, weights, biases, sigmas)
        # each number checked under its parameter's name (w_H0, b_Out) before it is a matrix
        weights = [[[to_scalar(w, exact, f"w_{n}")]] for w, n in zip(weights, names)]
        biases = [[to_scalar(b, exact, f"b_{n}")] for b, n in zip(biases, names)]
        return cls(weights, biases, activation, exact, cost)

    # --- what the network looks like ------------------------------------------------------
    @property
    def is_chain(self) -> bool:
        return all(n == 1 for n in self.sizes)

    def locate(self, name) -> Slot:
        """Where parameter ``name`` lives (a table built once per network: constant time)."""
        try:
            return self._slots[name]
        except (KeyError, TypeError):
            shown = ", ".join(self.parameter_names[:12])
            more = len(self.parameter_names) - 12
            tail = f", ... ({more} more)" if more > 0 else ""
            raise ValueError(
                f"unknown parameter {name!r}; valid names: {shown}{tail}") from None

    def param(self, name):
        """The value of one parameter, e.g. ``net.param("w_Out")``."""
        kind, L, index = self.locate(name)
        return (self.weights if kind == "w" else self.biases)[L][index]

    def params(self) -> dict:
        """{parameter name: value}, e.g. {"w_H0": 0.1, "b_H0": 2.0, ...}."""
        values = []  # in the order of parameter_names: each layer's W row by row, then b
        for W, b in zip(self.weights, self.biases):
            values += W.ravel().tolist() + b.tolist()
        return dict(zip(self.parameter_names, values))

    def with_params(self, changes: dict) -> "Network":
        """A copy with some parameters changed, e.g. ``net.with_params({"w_Out": 0.7})``."""
        if not isinstance(changes, dict):
            raise TypeError(
                f"with_params: expected a dict {{parameter name: number}} such as "
                f"{{'w_Out': 0.7}}, got {type(changes).__name__} {changes!r}")
        weights, biases = list(self.weights), list(self.biases)
        copied = set()
        for name, value in changes.items():
            kind, L, index = self.locate(name)
            table = weights if kind == "w" else biases
            if (kind, L) not in copied:
                table[L] = table[L].copy()
                copied.add((kind, L))
            if np.ndim(value) > 0 and not isinstance(value, str):
                if np.size(value) != 1:
                    raise ValueError(
                        f"{name}: expected one number, got {np.size(value)}: {value!r}")
                value = np.asarray(value, dtype=object).reshape(-1)[0]  # [0.7] is 0.7
            table[L][index] = to_scalar(value, self.exact, name)
        return self._from_arrays(weights, biases)

    def descend(self, g: Gradients, learning_rate, names=None) -> "Network":
        """One step of gradient descent: p - learning_rate * dC/dp for every parameter of
        ``g`` (this network's gradients, for one example or a batch), or only for ``names``."""
        if not isinstance(g, Gradients) or g.parameter_names != self.parameter_names:
            raise ValueError("descend: expected the Gradients of this network (net.backward)")
        eta = to_scalar(learning_rate, self.exact, "learning_rate")
        if names is None:
            weights = [W - eta * dW for W, dW in zip(self.weights, g.dw)]
            biases = [b - eta * db for b, db in zip(self.biases, g.db)]
            return self._from_arrays(weights, biases)
        return self.with_params({n: self.param(n) - eta * g[n] for n in names})

    def as_float(self) -> "Network":
        """This network in floating point (itself if it already is)."""
        if not self.exact:
            return self
        net = Network.__new__(Network)
        names = self.layer_names  # each number checked: a huge Fraction is no float
        net._set(tuple(to_array(W, False, f"weights of layer {n}", 2)
                       for W, n in zip(self.weights, names)),
                 tuple(to_array(b, False, f"biases of layer {n}", 1)
                       for b, n in zip(self.biases, names)),
                 self.activations, False, self.cost_function)
        return net

    def __repr__(self):
        kind = "exact" if self.exact else "float"
        sizes = "-".join(str(n) for n in self.sizes)
        acts = ",".join(a.name for a in self.activations)
        cost = "" if self.cost_function.name == "quadratic" else f", cost={self.cost_function.name}"
        return f"Network({sizes}, activations={acts}{cost}, {kind})"

    # --- turning what a user gives into the network's vectors ------------------------------
    def input(self, x) -> np.ndarray:
        """x as the network's numbers: shape (n_x,) for one example, (m, n_x) for a batch."""
        return self._vector(x, self.sizes[0], "x", "the input layer")

    def target(self, y) -> np.ndarray:
        """y as the network's numbers: shape (n_Out,) for one example, (m, n_Out) for a batch."""
        return self._vector(y, self.sizes[-1], "y", "Out")

    def batch(self, xs, ys):
        """(X, Y) of shapes (m, n_x) and (m, n_Out) from a list of examples; where a layer has
        one neuron, a flat list holds one number per example."""
        X, Y = self._examples(xs, self.sizes[0], "xs"), self._examples(ys, self.sizes[-1], "ys")
        if len(X) != len(Y):
            raise ValueError(f"xs and ys: expected one target per example, got {len(X)} "
                             f"inputs and {len(Y)} targets")
        return X, Y

    def _examples(self, values, n, what):
        if isinstance(values, str) or np.ndim(values) == 0:
            raise ValueError(f"{what}: expected a list of examples, got {values!r}")
        if np.ndim(values) == 1 and n == 1 and not isinstance(values[0], (list, tuple)):
            values = [[v] for v in values]
        array = to_array(values, self.exact, what, ndim=2)
        if array.shape[1] != n:
            raise ValueError(f"{what}: expected {n} number{'s' if n > 1 else ''} per example, "
                             f"got rows of {array.shape[1]}")
        return array

    def _vector(self, values, n, what, layer):
        if not self.exact and type(values) in (float, int) and n == 1 and abs(values) < 1e300:
            return np.array([values], dtype=float)  # a plain number, as in the worked example
        if (not self.exact and type(values) is np.ndarray and values.dtype == float
                and values.ndim in (1, 2) and values.shape[-1] == n
                and np.isfinite(values).all()):
            return values  # already the network's numbers (a training loop's batches)
        try:
            ndim = 2 if np.ndim(values) == 2 else 1
        except ValueError:  # numpy cannot even tell the shape of ragged rows
            raise ValueError(f"{what}: rows of different lengths in {values!r}"[:300]) from None
        vector = to_array(values, self.exact, what, ndim=ndim)
        if vector.shape[-1] != n:
            got = vector.shape[-1]
            per = " per example" if ndim == 2 else ""
            raise ValueError(
                f"{what}: expected {n} number{'s' if n > 1 else ''}{per} ({layer} has {n} "
                f"neuron{'s' if n > 1 else ''}), got {got}"
            )
        return vector

    # --- the two passes --------------------------------------------------------------------
    def forward(self, x) -> ForwardPass:
        """z^L, a^L and sigma'(z^L) of every layer for input x (one example or a batch)."""
        x = self.input(x)
        with np.errstate(over="ignore", invalid="ignore"):
            zs, outputs = forward_pass(self.weights, self.biases, self.activations, x)
            slopes = [sigma.derivative(z) for sigma, z in zip(self.activations, zs)]
        self._check_finite(zs)
        return self._forward_result(x, zs, outputs, slopes)

    def _forward_result(self, x, zs, outputs, slopes):
        names = self.layer_names
        return ForwardPass(x, LayerValues(names, zs), LayerValues(names, outputs),
                           LayerValues(names, slopes), self.activations)

    def backward(self, x, y) -> Gradients:
        """The cost and its derivative with respect to everything, by the chain rule.

        One example: C0. A batch (x of shape (m, n_x), y (m, n_Out)): the average C and the
        mean of the examples' gradients. ``g.forward`` holds the forward pass it ran."""
        x, y = self.input(x), self.target(y)
        if self.cost_function.outputs:
            check_probabilities(y, "y", sums_to_one=self.activations[-1].output_only)
        if x.ndim != y.ndim or (x.ndim == 2 and len(x) != len(y)):
            raise ValueError(f"x and y: expected as many targets as examples, got x of shape "
                             f"{x.shape} and y of shape {y.shape}")
        with np.errstate(over="ignore", invalid="ignore"):
            r = backpropagate(self.weights, self.biases, self.activations, x, y,
                              batch=x.ndim == 2, cost=self.cost_function)
            dw = [r.dC_dw(L) for L in range(len(self.weights))]
            db = [r.dC_db(L) for L in range(len(self.weights))]
        # a non-finite dC0/dz always reaches dC0/dx, so z, dC/dW and dC0/dx cover them all
        self._check_finite(r.z + dw + [r.dC_dx], r.cost)
        names = self.layer_names
        fwd = self._forward_result(x, r.z, r.a, r.da_dz)
        return Gradients(r.cost, LayerValues(names, dw), LayerValues(names, db),
                         LayerValues(names, r.dC_da), LayerValues(names, r.dC_dz), r.dC_dx,
                         self.parameter_names, fwd, None if x.ndim == 1 else len(x),
                         self._slots)

    def cost(self, x, y):
        """C0 (the average C for a batch): sum_j (a_j^Out - y_j)^2 by default, or the cost pair
        the network was built with (``cost_function``)."""
        return self.backward(x, y).cost

    def _check_finite(self, arrays, cost=0.0):
        """Refuse a result that overflowed: name the layer, never hand back inf or NaN.

        ``arrays`` starts with each layer's z; in backward dC/dW and dC0/dx follow."""
        if self.exact:
            return
        flat = [a if a.ndim == 1 else a.ravel() for a in arrays]
        if np.isfinite(cost).all() and np.isfinite(np.concatenate(flat)).all():
            return
        for name, z in zip(self.layer_names, arrays):
            if not np.isfinite(z).all():
                raise NumericOverflow(
                    f"the forward pass overflowed in layer {name}: z_{name} = {z}. The weights "
                    "or inputs are too large for floating point; use smaller values."
                )
        raise NumericOverflow(
            "the cost or a gradient overflowed: the numbers grew past what floating point "
            "holds (about 1.8e308); use smaller weights, inputs or targets."
        )


class NumericOverflow(OverflowError, ValueError):
    """A value grew past what floating point holds (a ValueError too, as bad input is)."""


@lru_cache(maxsize=64)
def _parameter_table(names, shapes):
    """(parameter names, {name: Slot}) for layers of these shapes, built once per shape."""
    ordered = parameter_names(names, shapes)
    slots, position = {}, 0
    for L, (n_out, n_in) in enumerate(shapes):
        for j in range(n_out):
            for k in range(n_in):
                slots[ordered[position]] = Slot("w", L, (j, k))
                position += 1
        for j in range(n_out):
            slots[ordered[position]] = Slot("b", L, (j,))
            position += 1
    return ordered, slots


def _activation_list(activations, names):
    if isinstance(activations, (list, tuple)):
        if len(activations) != len(names):
            raise ValueError(
                f"activations: expected one per layer ({len(names)}: {', '.join(names)}), "
                f"got {len(activations)}"
            )
        sigmas = tuple(act.get(a, f"activation of layer {n}") for a, n in zip(activations, names))
    else:
        sigmas = tuple(act.get(activations) for _ in names)
    for sigma, name in zip(sigmas[:-1], names):
        if sigma.output_only:
            raise ValueError(
                f"activation of layer {name}: {sigma.name} is for the output layer Out only (it "
                f"turns the whole layer into probabilities); use one of "
                f"{', '.join(act.ACTIVATIONS)} for {name}")
    return sigmas


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
