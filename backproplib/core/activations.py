"""Activation functions sigma(z), each paired with its derivative sigma'(z).

Every function works elementwise on a numpy array of floats or of Fractions (exact mode), so
the same rule serves the worked example by hand, a wide layer and a whole cost surface.

Conventions a student may trip on:
- ReLU'(0) = 0. ReLU has a kink at 0 and no derivative there; like PyTorch we take 0.
- leaky ReLU has slope 1/100 for z < 0, so it stays exact with Fractions.
- sigmoid and tanh are irrational, so exact mode refuses them (see ``Activation.exact``).
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


ACTIVATIONS = {
    "relu": Activation("relu", relu, relu_prime, exact=True, formula="ReLU"),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_prime, exact=True,
                             formula="LeakyReLU"),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime, exact=False, formula="sigmoid",
                          smooth=True),
    "tanh": Activation("tanh", tanh, tanh_prime, exact=False, formula="tanh", smooth=True),
    "linear": Activation("linear", linear, linear_prime, exact=True, formula="linear"),
}


def get(activation, where: str = "activation") -> Activation:
    """The Activation called ``activation`` (or ``activation`` itself if it already is one)."""
    if isinstance(activation, Activation):
        return activation
    if not isinstance(activation, str):
        raise TypeError(f"{where}: expected the name of an activation, got {activation!r}")
    key = activation.strip().lower().replace("-", "_")
    if key not in ACTIVATIONS:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"{where}: unknown activation {activation!r}; known: {known}")
    return ACTIVATIONS[key]
