"""Activation functions sigma(z), each paired with its derivative sigma'(z).

Every function works elementwise on a numpy array of floats or of Fractions (exact mode), so
the same rule serves the worked example by hand, a wide layer and a whole cost surface.

Conventions a student may trip on:
- ReLU'(0) = 0. ReLU has a kink at 0 and no derivative there; like PyTorch we take 0.
- leaky ReLU has slope 1/100 for z < 0, so it stays exact with Fractions.
- sigmoid, tanh and softmax are irrational, so exact mode refuses them (``Activation.exact``).
- softmax turns the whole output layer into probabilities, so it is not elementwise: its
  derivative is a Jacobian, and it is allowed on the output layer Out only.

Costs come in pairs too: each C0 with its first delta dC0/dz^Out, where backpropagation starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

LEAKY_SLOPE = Fraction(1, 100)


@dataclass(frozen=True)
class Activation:
    """sigma and sigma' under one name; ``exact`` says whether Fractions stay Fractions."""

    name: str
    function: Callable[[np.ndarray], np.ndarray]  # a = sigma(z)
    derivative: Callable[[np.ndarray], np.ndarray]  # da/dz = sigma'(z)
    exact: bool
    formula: str  # how the ledger writes sigma, e.g. "ReLU"
    smooth: bool = False  # sigma'(z) > 0 everywhere: a 0 is underflow (saturation), not death
    output_only: bool = False  # a layer-wide function (softmax): only for the layer Out

    def chain(self, dC_da, a, slope):
        """dC/dz from dC/da: dC/da * sigma'(z) elementwise; through the Jacobian for softmax,
        dC/dz_j = sum_i dC/da_i da_i/dz_j = a_j (dC/da_j - sum_i dC/da_i a_i)."""
        if self.output_only:
            return a * (dC_da - (dC_da * a).sum(axis=-1, keepdims=True))
        return dC_da * slope


def _constant(z: np.ndarray, value: Fraction):
    """``value`` in z's number system: a Fraction for exact arrays, a float otherwise."""
    return value if np.asarray(z).dtype == object else float(value)


_FRACTIONS = np.dtype(object)  # exact mode's arrays hold Fraction objects


def _exact(z) -> bool:
    """True for arrays of Fractions (exact mode); floats, float arrays and grids are not."""
    return getattr(z, "dtype", None) == _FRACTIONS


def relu(z):
    if _exact(z):
        return np.where(z > 0, z, np.zeros_like(z))
    # max(z, 0) in one pass; np.where's data-dependent branches are slow when signs are mixed
    a = np.fmax(z, 0.0)
    a += 0.0  # fmax may keep -0.0; -0.0 + 0.0 is 0.0
    return a


def relu_prime(z):
    if _exact(z):
        return np.where(z > 0, np.ones_like(z), np.zeros_like(z))
    return np.heaviside(z, 0.0)  # 1 where z > 0, else 0 (also at the kink z = 0)


def leaky_relu(z):
    return np.where(z > 0, z, _constant(z, LEAKY_SLOPE) * z)


def leaky_relu_prime(z):
    return np.where(z > 0, np.ones_like(z), np.full_like(z, _constant(z, LEAKY_SLOPE)))


def sigmoid(z):
    # Written so that exp never sees a large positive number: no overflow at z = -1000.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(z)


def tanh_prime(z):
    return 1 - np.tanh(z) ** 2


def linear(z):
    return z


def linear_prime(z):
    return np.ones_like(z)


def softmax(z):
    # exp of z - max(z): the same probabilities, and exp never overflows
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_prime(z):
    """The Jacobian's diagonal da_j/dz_j = a_j (1 - a_j); ``Activation.chain`` uses it all."""
    a = softmax(z)
    return a * (1 - a)


ACTIVATIONS = {
    "relu": Activation("relu", relu, relu_prime, exact=True, formula="ReLU"),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_prime, exact=True,
                             formula="LeakyReLU"),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime, exact=False, formula="sigmoid",
                          smooth=True),
    "tanh": Activation("tanh", tanh, tanh_prime, exact=False, formula="tanh", smooth=True),
    "linear": Activation("linear", linear, linear_prime, exact=True, formula="linear"),
}

# softmax is not among ACTIVATIONS (the elementwise ones a hidden layer may use)
SOFTMAX = Activation("softmax", softmax, softmax_prime, exact=False, formula="softmax",
                     smooth=True, output_only=True)
KNOWN = {**ACTIVATIONS, "softmax": SOFTMAX}


def get(activation, where: str = "activation") -> Activation:
    """The Activation called ``activation`` (or ``activation`` itself if it already is one)."""
    if isinstance(activation, Activation):
        return activation
    if not isinstance(activation, str):
        raise TypeError(f"{where}: expected the name of an activation, got {activation!r}")
    key = activation.strip().lower().replace("-", "_")
    if key not in KNOWN:
        known = ", ".join(KNOWN)
        raise ValueError(f"{where}: unknown activation {activation!r}; known: {known}")
    return KNOWN[key]


# --- costs: C0 of one example and its first delta dC0/dz^Out ----------------------------------
@dataclass(frozen=True)
class Cost:
    """C0 under one name, with dC0/da^Out and, where the output's Jacobian cancels, the first
    delta dC0/dz^Out itself; ``outputs`` lists the output activations it takes (empty: any)."""

    name: str
    function: Callable  # C0(z, a, y, sigma) of each example: a sum over the last axis
    dC_da: Callable  # dC0/da^Out (a, y, sigma)
    delta: Callable | None  # dC0/dz^Out (a, y); None: dC0/da^Out through sigma'
    outputs: tuple
    formula: str

    def first_delta(self, dC_da, a, y, sigma, slope):
        """dC0/dz^Out, where backpropagation starts."""
        return sigma.chain(dC_da, a, slope) if self.delta is None else self.delta(a, y)


def quadratic(z, a, y, sigma):
    error = a - y
    return (error * error).sum(axis=-1)


def cross_entropy(z, a, y, sigma):
    """-sum_j y_j log a_j (softmax); -sum_j [y_j log a_j + (1 - y_j) log(1 - a_j)] (sigmoid,
    each a_j a yes/no probability). From z when given (stable: never log 0), else from a."""
    if sigma.output_only:  # log a_j = z_j - log sum_i e^z_i, with the largest z_i taken out
        shifted = None if z is None else z - z.max(axis=-1, keepdims=True)
        log_a = np.log(a) if z is None else (
            shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))
        return -(y * log_a).sum(axis=-1)
    if z is None:
        log_a, log_not_a = np.log(a), np.log1p(-a)
    else:  # log a = -log(1 + e^-z) and log(1 - a) = -log(1 + e^z)
        log_a, log_not_a = -np.logaddexp(0, -z), -np.logaddexp(0, z)
    return -(y * log_a + (1 - y) * log_not_a).sum(axis=-1)


def cross_entropy_dC_da(a, y, sigma):
    """-y/a (softmax), -y/a + (1 - y)/(1 - a) (sigmoid); 0 where the target's term is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dC_da = np.where(y == 0, 0 * a, -y / a)
        return dC_da if sigma.output_only else dC_da + np.where(y == 1, 0 * a, (1 - y) / (1 - a))


COSTS = {
    "quadratic": Cost("quadratic", quadratic, lambda a, y, sigma: 2 * (a - y), None, (),
                      "C0 = sum_j (a_j - y_j)^2"),
    "cross_entropy": Cost("cross_entropy", cross_entropy, cross_entropy_dC_da,
                          lambda a, y: a - y, ("softmax", "sigmoid"),
                          "C0 = -sum_j y_j log a_j"),
}


def get_cost(cost, output: Activation) -> Cost:
    """The Cost called ``cost``, checked against the output layer's activation."""
    if isinstance(cost, Cost):
        found = cost
    elif not isinstance(cost, str):
        raise TypeError(f"cost: expected the name of a cost ({', '.join(COSTS)}), got {cost!r}")
    else:
        found = COSTS.get(cost.strip().lower().replace("-", "_"))
        if found is None:
            raise ValueError(f"cost: unknown cost {cost!r}; known: {', '.join(COSTS)}")
    if found.outputs and output.name not in found.outputs:
        raise ValueError(
            f"cost {found.name}: expected a {' or '.join(found.outputs)} output layer Out, got "
            f"{output.name}: cross-entropy takes log a, so each a^Out must be a probability")
    return found
