"""A fully connected network, its forward pass and backpropagation, in the notebooks' notation.

Layers H0, H1, ..., Out; input x; w_jk^L runs from neuron k of layer L-1 to neuron j of layer L.

    z^L = W^L a^(L-1) + b^L          a^L = sigma(z^L)          C0 = sum_j (a_j^Out - y_j)^2
    delta^Out = dC0/da^Out * sigma'(z^Out)     (a - y for cross-entropy with softmax)
    dC0/dw_jk^L = delta_j^L a_k^(L-1)          dC0/db_j^L = delta_j^L
    dC0/da_k^(L-1) = sum_j delta_j^L w_jk^L    delta^(L-1) = dC0/da^(L-1) * sigma'(z^(L-1))

``backpropagate`` is the one routine for one example, a batch (the average cost, whose
gradients are the mean of the examples') and a grid of parameter values (leading axes).
"""

from collections import namedtuple

import numpy as np

from .. import numbers as num
from . import activations as act
from .results import ForwardPass, Gradients, layers_of


def layer_names(depth: int) -> tuple:
    """("H0", ..., "H{depth-2}", "Out"): every layer but the last is hidden."""
    return tuple(f"H{i}" for i in range(depth - 1)) + ("Out",)


def weighted_sum(a, W):
    """sum_k w_jk a_k for every j, the one contraction rule: z^L from W^L and a^(L-1), and
    dC0/da^(L-1) = sum_j delta_j w_jk from delta^L and W^L transposed. a is (n_k,), (m, n_k)
    or a grid's (..., m, n_k); W is (n_j, n_k), or (..., n_j, n_k) with grid axes in front."""
    if W.ndim == 2:  # one W for all; on 1 x 1: W.dot(a) 0.24 us, a.dot(W.T) 0.31, a @ W.T 0.74
        return W.dot(a) if a.ndim == 1 else a.dot(W.T)
    # a grid of W's: a sum of one term is a plain product (stacked 1 x 1 matmuls: 30x slower)
    return a * W.swapaxes(-1, -2) if W.shape[-1] == 1 else a @ W.swapaxes(-1, -2)


def forward_pass(weights, biases, activations, x):
    """[z^L] and [a^L] for every layer, from input x."""
    zs, outputs, a = [], [], x
    for W, b, sigma in zip(weights, biases, activations):
        zs.append(weighted_sum(a, W) + b)
        a = sigma.function(zs[-1])
        outputs.append(a)
    return zs, outputs


# per layer L: z, a, sigma'(z), dC0/da, dC0/dz (delta), dC/dW and dC/db (with ``wanted``:
# dC_dw[L] lists the wanted entries of layer L); then dC0/dx and the cost (C0, or the average C)
Backprop = namedtuple("Backprop", "z a da_dz dC_da dC_dz dC_dw dC_db dC_dx cost")


def backpropagate(weights, biases, activations, x, y, cost=act.COSTS["quadratic"],
                  batch=False, wanted=None) -> Backprop:
    """Forward pass, cost and every derivative, by the chain rule from the output back. With
    ``batch`` the second-last axis of x and y runs over m examples; grids are batches (of one
    example, maybe) with leading axes on some W or b. ``wanted``, {L: [(kind, index, out)]}, asks
    for single entries (a grid's few gradients, and no dC0/dx) instead of all dC/dW, dC/db."""
    zs, outputs = forward_pass(weights, biases, activations, x)
    C = cost.function(zs[-1], outputs[-1], y, activations[-1])  # C0 of each example
    n = len(weights)
    slopes, nabla_a, deltas, nabla_w, nabla_b = [[None] * n for _ in range(5)]
    dC_da = cost.dC_da(outputs[-1], y, activations[-1])
    for L in reversed(range(n)):
        sigma, a_prev = activations[L], outputs[L - 1] if L else x
        nabla_a[L], slopes[L] = dC_da, sigma.derivative(zs[L])
        if L == n - 1 and cost.delta:  # cross-entropy: sigma's Jacobian cancels, delta = a - y
            deltas[L] = delta = cost.delta(outputs[L], y)
        else:  # delta = dC0/da * sigma'(z)
            deltas[L] = delta = sigma.chain(dC_da, outputs[L], slopes[L])
        if wanted is not None:  # dC/db_j = delta_j, dC/dw_jk = delta_j a_k (into ``out``), averaged
            nabla_w[L] = [average(delta[..., i[0]] if k == "b" else np.multiply(
                delta[..., i[0]], a_prev[..., i[1]], out=out)) for k, i, out in wanted.get(L, ())]
        elif batch:  # the matrix form: dC/dW = delta^T A^(L-1) / m
            m = delta.shape[-2]
            nabla_w[L] = delta.swapaxes(-1, -2) @ a_prev / m
            nabla_b[L] = delta.sum(axis=-2) / m
        else:  # dC0/dw_jk = delta_j a_k (two 2-D operands: 0.44 us on 1 x 1, (n,1) * (n,) 0.77)
            nabla_w[L], nabla_b[L] = delta[:, None] * a_prev[None, :], delta
        if L or wanted is None:
            dC_da = weighted_sum(delta, weights[L].swapaxes(-1, -2))
    C = average(C) if batch else C
    C = C[()] if isinstance(C, np.ndarray) and C.ndim == 0 else C  # a Fraction in exact mode
    return Backprop(zs, outputs, slopes, nabla_a, deltas, nabla_w, nabla_b, dC_da, C)


def average(values):
    """(1/m) sum_k over the last axis (the examples'); one example is itself, with no pass."""
    return values[..., 0] if values.shape[-1] == 1 else values.sum(axis=-1) / values.shape[-1]


class Network:
    """Weights W^L, biases b^L, an activation per layer and a cost, in floats or Fractions.
    ``exact=None`` computes exactly when any number is given as a Fraction or a string such as
    "0.1" and every activation is rational; ``exact=True`` insists, ``exact=False`` uses floats.
    A network never changes: ``with_params`` and ``descend`` return new ones.
    ``sizes`` is (n_x, n_H0, ..., n_Out), the neurons per layer with the input first.
    ``what``: the names errors give the weights and biases (a notebook's variables' names).
    """

    def __init__(self, weights, biases, activations="relu", exact=None, cost="quadratic",
                 what=("weights", "biases")):
        num.check_layers(weights, biases, what)
        sigmas = _activation_list(activations, layer_names(len(weights)))
        exact = num.choose_exactness(exact, weights, biases, sigmas)
        self.layer_names = layer_names(len(weights))
        weights, biases = num.to_layers(weights, biases, exact, self.layer_names, what)
        for array in (*weights, *biases):
            array.flags.writeable = False
        self.weights, self.biases = tuple(weights), tuple(biases)
        self.activations, self.exact = sigmas, exact
        self.cost_function = act.get_cost(cost, sigmas[-1])
        self.sizes = (weights[0].shape[1],) + tuple(W.shape[0] for W in weights)
        self.parameters = num.parameter_table(self.layer_names, tuple(W.shape for W in weights))
        self.parameter_names = self.parameters.names

    def _with(self, weights, biases, exact=None) -> "Network":
        """This network with new arrays of the same shapes (names and sizes kept)."""
        net = Network.__new__(Network)
        net.__dict__.update(self.__dict__, weights=tuple(weights), biases=tuple(biases),
                            exact=self.exact if exact is None else exact)
        for array in (*net.weights, *net.biases):
            array.flags.writeable = False
        return net

    @classmethod
    def chain(cls, weights, biases, activation="relu", exact=None, cost="quadratic"):
        """A chain of one-neuron layers: x -> H0 -> ... -> Out, one weight and bias each."""
        names = layer_names(len(num.check_chain(weights, biases)))
        exact = num.choose_exactness(exact, weights, biases, _activation_list(activation, names))
        return cls(*num.chain_layers(weights, biases, exact, names), activation, exact, cost)

    is_chain = property(lambda self: all(n == 1 for n in self.sizes), doc="one neuron a layer")

    def locate(self, name, what: str = "") -> num.Slot:
        """Where parameter ``name`` lives: (kind "w" or "b", layer position, index)."""
        return self.parameters.locate(name, what)

    def param(self, name):
        """The value of one parameter, e.g. ``net.param("w_Out")``."""
        return self.parameters.value(name, self.weights, self.biases)

    def params(self) -> dict:
        """{parameter name: value}, e.g. {"w_H0": 0.1, "b_H0": 2.0, ...}."""
        return dict(zip(self.parameter_names, (v for W, b in zip(self.weights, self.biases)
                                               for v in W.ravel().tolist() + b.tolist())))

    def with_params(self, changes: dict) -> "Network":
        """A copy with some parameters changed, e.g. ``net.with_params({"w_Out": 0.7})``."""
        return self._with(*self.parameters.replace(self.weights, self.biases, changes,
                                                   self.exact))

    def descend(self, g: Gradients, learning_rate, names=None) -> "Network":
        """One step of gradient descent: p - learning_rate * dC/dp for every parameter of
        ``g`` (this network's gradients, for one example or a batch), or only for ``names``."""
        if not isinstance(g, Gradients) or g.parameter_names != self.parameter_names:
            raise ValueError("descend: expected the Gradients of this network (net.backward)")
        eta = num.to_scalar(learning_rate, self.exact, "learning_rate")
        if names is None:
            return self._with([W - eta * dW for W, dW in zip(self.weights, g.dw)],
                              [b - eta * db for b, db in zip(self.biases, g.db)])
        return self.with_params({n: self.param(n) - eta * g[n] for n in names})

    def as_float(self) -> "Network":
        """This network in floating point (itself if it already is); every number checked."""
        return self if not self.exact else self._with(
            *num.to_layers(self.weights, self.biases, False, self.layer_names), exact=False)

    def __repr__(self):
        cost = "" if self.cost_function.name == "quadratic" else f", cost={self.cost_function.name}"
        return (f"Network({'-'.join(map(str, self.sizes))}, activations="
                f"{','.join(a.name for a in self.activations)}{cost}, "
                f"{'exact' if self.exact else 'float'})")

    def input(self, x) -> np.ndarray:
        """x as the network's numbers: shape (n_x,) for one example, (m, n_x) for a batch."""
        return num.to_vector(x, self.sizes[0], self.exact, "x", "the input layer")

    def target(self, y) -> np.ndarray:
        """y as the network's numbers: shape (n_Out,) for one example, (m, n_Out) for a batch."""
        return num.to_vector(y, self.sizes[-1], self.exact, "y", "Out")

    def batch(self, xs, ys):
        """(X, Y) of shapes (m, n_x), (m, n_Out) from lists (one number each where n = 1)."""
        return num.to_examples(xs, ys, self.sizes, self.exact)

    def forward(self, x) -> ForwardPass:
        """z^L, a^L and sigma'(z^L) of every layer for input x (one example or a batch)."""
        x = self.input(x)
        zs, outputs = num.without_overflow(
            lambda: forward_pass(self.weights, self.biases, self.activations, x),
            lambda r: (r[0], 0.0), self.layer_names)
        return self._forward_result(x, zs, outputs, [
            sigma.derivative(z) for sigma, z in zip(self.activations, zs)])

    def _forward_result(self, x, zs, outputs, slopes):
        V = layers_of(self.layer_names)
        return ForwardPass(x, V(zs), V(outputs), V(slopes), self.activations)

    def backward(self, x, y) -> Gradients:
        """The cost and its derivative with respect to everything, by the chain rule.
        One example: C0. A batch (x of shape (m, n_x), y (m, n_Out)): the average C and the
        mean of the examples' gradients. ``g.forward`` holds the forward pass it ran."""
        x, y = self.input(x), self.target(y)
        num.check_targets(x, y, self.cost_function, self.activations[-1])
        # a non-finite dC0/dz always reaches dC0/dx, so z, dC/dW and dC0/dx cover them all
        r = num.without_overflow(lambda: backpropagate(
            self.weights, self.biases, self.activations, x, y, self.cost_function,
            batch=x.ndim == 2), lambda r: (r.z + r.dC_dw + [r.dC_dx], r.cost), self.layer_names)
        V = layers_of(self.layer_names)  # by position: 1.2 us, by keyword 1.9
        return Gradients(r.cost, V(r.dC_dw), V(r.dC_db), V(r.dC_da), V(r.dC_dz), r.dC_dx,
                         self._forward_result(x, r.z, r.a, r.da_dz),
                         None if x.ndim == 1 else len(x), self.parameters)

    def cost(self, x, y):
        """C0 (the average C for a batch) of the network's cost pair (``cost_function``)."""
        return self.backward(x, y).cost


def _activation_list(activations, names):
    if not isinstance(activations, (list, tuple)):
        return (act.get(activations, "activation", output=len(names) == 1),) * len(names)
    num.check_per_layer(activations, names, "activations")
    return tuple(act.get(a, f"activation of layer {n}", output=n == "Out")
                 for a, n in zip(activations, names))
