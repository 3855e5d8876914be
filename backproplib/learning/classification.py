"""Three classes in the plane (notebook 12): 3-class variants of ``datasets``' four sets, with
one-hot targets ``Y`` (n, 3), for a softmax output and the cross-entropy cost; the predicted
class is the output neuron with the largest a_j^Out.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.network import Network
from ..numbers import to_scalar
from .datasets import RADIUS, Dataset, arms, clouds, drawn, quadrants, rings, shares
from .descent import gradient_descent
from .training import initial_network

CLASSES = 3


class ClassData(Dataset):
    """A 3-class data set: ``X`` (n, 2), one-hot ``Y`` (n, 3), ``classes`` (n,) 0, 1 or 2."""


def make_classes(name: str, n: int = 300, noise: float = 0.0, seed: int = 0) -> ClassData:
    """The 3-class variant of ``datasets.make(name, n, noise, seed)``."""
    name, X, classes, noise, seed = drawn(RECIPES, name, n, noise, seed, least=CLASSES)
    Y = one_hot(classes)
    Y.flags.writeable = False
    return ClassData(name, X, Y, classes, seed, noise)


def one_hot(classes, k: int = CLASSES) -> np.ndarray:
    """Rows y with y_j = 1 for the example's class j and 0 elsewhere: shape (n, k)."""
    return np.eye(k)[np.asarray(classes, dtype=int)]


def predicted_classes(net, X) -> np.ndarray:
    """The output neuron with the largest a_j^Out for every row of X (ties: the first)."""
    return np.argmax(np.asarray(net.forward(X).output, dtype=float), axis=-1)


def accuracy(net, X, classes) -> float:
    """The fraction of examples whose predicted class is their class."""
    return float((predicted_classes(net, X) == np.asarray(classes)).mean())


# --- the recipes ----------------------------------------------------------------------------
def circle(n, noise, rng):
    """Three rings; a class comes from the radius of the noisy point."""
    X, radius = rings([(0.0, 0.32), (0.44, 0.66), (0.78, 1.0)], shares(n, CLASSES), noise, rng)
    return X, np.digitize(radius, [0.38 * RADIUS, 0.72 * RADIUS])


def xor(n, noise, rng):
    """Quadrants 1 and 3, 2, 4 of the noisy point are classes 0, 1, 2."""
    X, s = quadrants(n, noise, rng)
    return X, np.where(s[:, 0] * s[:, 1] >= 0, 0, np.where(s[:, 0] < 0, 1, 2))


def gauss(n, noise, rng):
    """Three clouds at distance 2.8 from the origin, 120 degrees apart."""
    centres = [2.8 * np.array([math.cos(t), math.sin(t)])
               for t in (math.pi / 2, math.pi * 7 / 6, -math.pi / 6)]
    counts = shares(n, CLASSES)
    return clouds(centres, counts, noise, rng), np.repeat(np.arange(CLASSES), counts)


def spiral(n, noise, rng):
    """Three arms r = 5 i/m, t = 1.25 * 2 pi i/m + 2 pi j/3, plus uniform noise."""
    return arms(shares(n, CLASSES),
                lambda i, m, j: 1.25 * (i / m) * 2 * math.pi + 2 * math.pi * j / CLASSES,
                noise, rng)


RECIPES = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral}


def classifier(sizes, activation="tanh", seed=0, cost="cross_entropy") -> Network:
    """``training.initial_network(sizes, activation, seed)``, softmax on Out, cost ``cost``."""
    return initial_network(sizes, activation, seed, "softmax", cost)


def one_neuron_run(z, y, cost, learning_rate=0.15, steps=300) -> list:
    """The outputs a after 0, 1, ..., ``steps`` steps of gradient descent on one sigmoid neuron,
    a = sigma(w x + b) with x = 1, from w = b = z / 2 towards ``y`` under ``cost`` (Nielsen's
    chapter 3 experiment). A run that stops early (every gradient 0) stays put for the rest."""
    z = to_scalar(z, False, "z")  # "4" or "1/2" too
    net = Network.chain(weights=[z / 2], biases=[z / 2], activation="sigmoid", cost=cost)
    run = gradient_descent(net, 1, y, learning_rate, steps)
    outputs = [float(net.with_params(p).forward(1).output[0]) for p in run.params]
    return outputs + outputs[-1:] * (run.steps + 1 - len(outputs))
