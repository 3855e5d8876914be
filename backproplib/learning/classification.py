"""Three classes in the plane: 3-class variants of the four data sets, one-hot targets, and the
predicted class of a softmax output (notebook 12).

    data = make_classes("circle", n=300, seed=0)
    data.X          # shape (n, 2): the inputs, one example per row
    data.Y          # shape (n, 3): one-hot targets, y_j = 1 for the example's class j, else 0
    data.classes    # shape (n,): 0, 1 or 2

``net.backward(data.X, data.Y)`` of a network built with ``activations=[..., "softmax"]`` and
``cost="cross_entropy"`` gives the average cost C = (1/n) sum_k C0_k, with
C0 = -sum_j y_j log a_j^Out, and its gradients. The predicted class is the output neuron with
the largest a_j^Out (``predicted_classes``).

The recipes follow ``datasets``' (the same coordinates, about [-6, 6]^2), with a third class:
- "circle": class 0 inside radius 1.6, class 1 in the ring 2.2-3.3, class 2 in the ring 3.9-5;
- "xor":    class 0 where x_1 x_2 >= 0 (first and third quadrant), class 1 in the second
            quadrant, class 2 in the fourth;
- "gauss":  three round clouds, at distance 2.8 from the origin, 120 degrees apart;
- "spiral": three interleaved arms, 1.25 turns each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.network import Network
from .datasets import RADIUS, Points, drawn
from .training import initial_network

CLASSES = 3


@dataclass(frozen=True)
class ClassData(Points):
    """A 3-class data set: ``X`` (n, 2), one-hot ``Y`` (n, 3), ``classes`` (n,) 0, 1 or 2."""

    seed: int
    noise: float

    @property
    def counts(self) -> list:
        """How many examples each class has."""
        return [int(c) for c in np.bincount(self.classes, minlength=CLASSES)]

    def __repr__(self):
        counts = ", ".join(f"class {j}: {c}" for j, c in enumerate(self.counts))
        return (f"ClassData({self.name!r}, n={len(self)}, {counts}, one-hot Y, "
                f"noise={self.noise:g}, seed={self.seed})")


def make_classes(name: str, n: int = 300, noise: float = 0.0, seed: int = 0) -> ClassData:
    """The 3-class variant of the data set ``name`` with ``n`` examples (shuffled), from
    ``numpy.random.default_rng(seed)``; ``noise`` (0 to 0.5) blurs the classes."""
    name, X, classes, noise, seed = drawn(RECIPES, name, n, noise, seed, least=CLASSES)
    Y = one_hot(classes)
    Y.flags.writeable = False
    return ClassData(name, X, Y, classes, seed, noise)


def one_hot(classes, k: int = CLASSES) -> np.ndarray:
    """Rows y with y_j = 1 for the example's class j and 0 elsewhere: shape (n, k)."""
    classes = np.asarray(classes, dtype=int)
    return np.eye(k)[classes]


def predicted_classes(net, X) -> np.ndarray:
    """The output neuron with the largest a_j^Out for every row of X (ties: the first)."""
    return np.argmax(np.asarray(net.forward(X).output, dtype=float), axis=-1)


def accuracy(net, X, classes) -> float:
    """The fraction of examples whose predicted class is their class."""
    return float((predicted_classes(net, X) == np.asarray(classes)).mean())


# --- the recipes ----------------------------------------------------------------------------
def _thirds(n):
    """Examples per class: n // 3 each, the remainder going to the first classes."""
    return [n // CLASSES + (1 if j < n % CLASSES else 0) for j in range(CLASSES)]


def _labels(counts):
    return np.concatenate([np.full(c, j) for j, c in enumerate(counts)])


def circle(n, noise, rng):
    """Three rings; a class comes from the radius of the noisy point."""
    counts = _thirds(n)
    bands = [(0.0, 0.32), (0.44, 0.66), (0.78, 1.0)]
    r = np.concatenate([rng.uniform(lo * RADIUS, hi * RADIUS, c)
                        for (lo, hi), c in zip(bands, counts)])
    angle = rng.uniform(0, 2 * math.pi, len(r))
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = X + rng.uniform(-RADIUS, RADIUS, X.shape) * noise
    radius = np.hypot(shifted[:, 0], shifted[:, 1])
    return X, np.digitize(radius, [0.38 * RADIUS, 0.72 * RADIUS])


def xor(n, noise, rng):
    """Uniform in the square, 0.3 away from both axes; quadrants 1 and 3, 2, 4 are classes
    0, 1, 2."""
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    s = X + rng.uniform(-RADIUS, RADIUS, X.shape) * noise
    classes = np.where(s[:, 0] * s[:, 1] >= 0, 0, np.where(s[:, 0] < 0, 1, 2))
    return X, classes


def gauss(n, noise, rng):
    """Three normal clouds with variance 0.5 + 7 noise, centred 120 degrees apart."""
    counts = _thirds(n)
    spread = math.sqrt(0.5 + 7 * noise)
    centres = [2.8 * np.array([math.cos(t), math.sin(t)])
               for t in (math.pi / 2, math.pi * 7 / 6, -math.pi / 6)]
    X = np.concatenate([rng.normal(centre, spread, (c, 2)) for centre, c in zip(centres, counts)])
    return X, _labels(counts)


def spiral(n, noise, rng):
    """Three arms r = 5 i/m, t = 1.25 * 2 pi i/m + 2 pi j/3, plus uniform noise."""
    arms = []
    for j, count in enumerate(_thirds(n)):
        i = np.arange(count) / max(count, 1)
        t = 1.25 * i * 2 * math.pi + 2 * math.pi * j / CLASSES
        arm = np.column_stack([i * RADIUS * np.sin(t), i * RADIUS * np.cos(t)])
        arms.append(arm + rng.uniform(-1, 1, (count, 2)) * noise)
    return np.concatenate(arms), _labels(_thirds(n))


RECIPES = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral}


def classifier(sizes, activation="tanh", seed=0, cost="cross_entropy") -> Network:
    """A network with layer sizes (2, n_H0, ..., 3): ``training.initial_network``'s starting
    weights, ``activation`` in the hidden layers, softmax on Out, and the cost pair ``cost``."""
    start = initial_network(sizes, activation, seed)
    hidden = [activation] * (len(start.weights) - 1)
    return Network(list(start.weights), list(start.biases), hidden + ["softmax"], cost=cost)


def one_neuron_run(z, y, cost, learning_rate=0.15, steps=300) -> list:
    """Gradient descent on one sigmoid neuron, x = 1 -> a = sigma(w x + b), starting from
    w = b = z / 2 (so its z starts at ``z``), towards the target ``y`` under ``cost``: the
    outputs a after 0, 1, ..., ``steps`` steps (Nielsen's chapter 3 experiment)."""
    net = Network.chain(weights=[z / 2], biases=[z / 2], activation="sigmoid", cost=cost)
    outputs = []
    for _ in range(steps):
        g = net.backward(1, y)
        outputs.append(float(g.forward.output[0]))
        net = net.descend(g, learning_rate)
    outputs.append(float(net.forward(1).output[0]))
    return outputs
