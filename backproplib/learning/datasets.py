"""The four 2-D data sets of TensorFlow Playground, generated in code from a seed (no download).

``make("circle", n=200, seed=0)`` gives ``X`` (n, 2), ``Y`` (n, 1) and ``classes`` (n,) 0 or 1,
by Playground's recipes (dataset.ts) and coordinates; ``noise`` from 0 to 0.5 blurs them as its
slider does. ``Y`` holds ``labels``, (-1, 1) for a tanh output, or (0, 1) from ``labels_for``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core import activations as act
from ..numbers import lookup, short, to_array, to_scalar, whole_number

NAMES = ("circle", "xor", "gauss", "spiral")
MAX_EXAMPLES = 5 * 10**4  # a data set's points: more are refused before drawing (11 trained 10**6
# of them for 97 s, and 10**5 in batches of 10**5 for 78 s)
RADIUS = 5.0  # Playground's data radius; the points lie in about [-6, 6]^2


@dataclass(frozen=True)
class Dataset:
    """Examples in the plane, drawn with ``seed`` and ``noise``: ``X`` (n, 2) inputs, ``classes``
    (n,), and targets ``Y``, of shape (n, 1) holding ``labels`` (class 0's target, class 1's),
    or one-hot where ``labels`` is None. ``make(d.name, len(d), d.noise, d.seed, d.labels)``
    makes a two-class set again."""

    name: str
    X: np.ndarray
    Y: np.ndarray
    classes: np.ndarray
    seed: int
    noise: float
    labels: tuple | None = None

    def __len__(self):
        return len(self.X)

    @property
    def extent(self) -> tuple:
        """(x1_min, x1_max, x2_min, x2_max): a square around every point with a margin."""
        reach = max(RADIUS + 1.0, float(np.abs(self.X).max()) * 1.05)
        return (-reach, reach, -reach, reach)

    @property
    def counts(self) -> list:
        """How many examples each class has."""
        return [int(c) for c in np.bincount(self.classes, minlength=max(2, self.Y.shape[1]))]

    @property
    def threshold(self) -> float:
        """The midpoint of the two labels: a_Out above it predicts class 1."""
        if self.labels is None:
            raise ValueError(f"the {self.name!r} set has one-hot targets, so it has no threshold: "
                             "its prediction is the class whose a_Out is largest")
        return (self.labels[0] + self.labels[1]) / 2

    def __repr__(self):
        counts = ", ".join(f"class {j}: {c}" for j, c in enumerate(self.counts))
        targets = "one-hot Y" if self.labels is None else f"labels={self.labels}"
        return (f"{type(self).__name__}({self.name!r}, n={len(self)}, {counts}, {targets}, "
                f"noise={self.noise:g}, seed={self.seed})")


def make(name: str, n: int = 200, noise: float = 0.0, seed: int = 0,
         labels=(-1, 1)) -> Dataset:
    """The data set ``name`` with ``n`` examples, shuffled (the first few hold both classes);
    the same (name, n, noise, seed) always gives the same numbers."""
    name, X, classes, noise, seed = drawn(GENERATORS, name, n, noise, seed)
    labels = _labels(labels)
    Y = np.where(classes == 1, float(labels[1]), float(labels[0])).reshape(-1, 1)
    Y.flags.writeable = False
    return Dataset(name, X, Y, classes, seed, noise, labels)


def drawn(recipes, name, n, noise, seed, least=2):
    """(name, X, classes, noise, seed): the points of ``recipes[name](n, noise, rng)``, rng
    ``numpy.random.default_rng(seed)``, shuffled and read-only; the arguments checked."""
    recipe = lookup(recipes, name, "dataset", "dataset")
    n = whole_number(n, "n_examples", least, MAX_EXAMPLES)
    noise = float(to_scalar(noise, False, "noise"))
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise: expected a number from 0 to 0.5, got {noise:g}")
    seed = whole_number(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    X, classes = recipe(n, noise, rng)
    order = rng.permutation(n)
    X, classes = X[order], classes[order]
    X.flags.writeable = classes.flags.writeable = False
    return recipe.__name__, X, classes, noise, seed


def labels_for(activation) -> tuple:
    """(0, 1) when sigma(-3) stays above -0.5 (ReLU, leaky ReLU, sigmoid), else (-1, 1)."""
    sigma = act.get(activation, "activation")
    low = float(sigma.function(np.array([-3.0]))[0])
    return (0, 1) if low > -0.5 else (-1, 1)


# --- the four recipes --------------------------------------------------------------------------
def shares(n, k=2):
    """n examples split over k groups as evenly as can be, the larger groups first."""
    return [n // k + (j < n % k) for j in range(k)]


def rings(bands, counts, noise, rng):
    """(X, radius): ``counts[i]`` points at uniform radii within ``bands[i]`` (fractions of
    RADIUS) and uniform angles, and the radius of each point after ``noise`` shifts it."""
    r = np.concatenate([rng.uniform(lo * RADIUS, hi * RADIUS, c)
                        for (lo, hi), c in zip(bands, counts)])
    angle = rng.uniform(0, 2 * math.pi, len(r))
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = X + rng.uniform(-RADIUS, RADIUS, X.shape) * noise
    return X, np.hypot(shifted[:, 0], shifted[:, 1])


def quadrants(n, noise, rng):
    """(X, shifted): uniform in the square, pushed 0.3 away from both axes, and X after
    ``noise`` shifts it (its quadrant decides the class)."""
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    return X, X + rng.uniform(-RADIUS, RADIUS, X.shape) * noise


def circle(n, noise, rng):
    """Class 1 inside radius 2.5, class 0 in the ring 3.5-5; a label comes from the noisy point."""
    X, radius = rings([(0.0, 0.5), (0.7, 1.0)], shares(n), noise, rng)
    return X, (radius < RADIUS * 0.5).astype(int)


def xor(n, noise, rng):
    """Class 1 where the noisy x_1 x_2 >= 0."""
    X, shifted = quadrants(n, noise, rng)
    return X, (shifted[:, 0] * shifted[:, 1] >= 0).astype(int)


def clouds(centres, counts, noise, rng):
    """``counts[i]`` points normal around ``centres[i]`` with variance 0.5 + 7 noise
    (Playground's scale from 0.5 to 4)."""
    spread = math.sqrt(0.5 + 7 * noise)
    return np.concatenate([rng.normal(at, spread, (c, 2)) for at, c in zip(centres, counts)])


def gauss(n, noise, rng):
    """Class 1 around (2, 2), class 0 around (-2, -2)."""
    return clouds([2, -2], shares(n), noise, rng), np.repeat([1, 0], shares(n))


def arms(counts, angle, noise, rng):
    """(X, classes): arm j holds class j, ``counts[j]`` points at r = 5 i/m and t =
    ``angle(i, m, j)`` for i = 0 .. m - 1 (m = counts[j]), each moved by up to ``noise``."""
    X = []
    for j, count in enumerate(counts):
        i, m = np.arange(count), max(count, 1)
        r, t = i / m * RADIUS, angle(i, m, j)
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)])
                 + rng.uniform(-1, 1, (count, 2)) * noise)
    return np.concatenate(X), np.repeat(np.arange(len(counts)), counts)


def spiral(n, noise, rng):
    """Two arms r = 5 i/m, t = 1.75 * 2 pi i/m (+ pi for class 0), plus uniform noise."""
    return arms(shares(n)[::-1], lambda i, m, j: 1.75 * i / m * 2 * math.pi + (math.pi, 0.0)[j],
                noise, rng)


GENERATORS = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral}


# --- checking what an instructor typed --------------------------------------------------------
def _labels(labels):
    pair = to_array(labels, False, "labels", ndim=None)  # numbers as text ("1/2") too
    if pair.shape != (2,) or pair[0] >= pair[1]:
        raise ValueError(f"labels: expected two numbers, class 0's below class 1's, such as "
                         f"(-1, 1), got {short(labels)}")
    return tuple(int(v) if v.is_integer() else v for v in pair.tolist())
