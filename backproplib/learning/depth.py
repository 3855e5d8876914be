"""Gradients through depth: initialisation schemes and the size of dC/dW layer by layer.

    net = deep_network(depth=20, width=32, activation="tanh", init="xavier", scale=1, seed=0)
    X, Y = deep_data(net, m=32, seed=0)
    p = profile(net, X, Y)          # one net.backward on the batch
    p.norms                         # |dC/dW^L| (Frobenius) for H0, ..., Out
    p.deltas                        # |dC/dz^L|, the size of Nielsen's delta^L (= dC0/db^L)
    p.verdict()                     # "vanishing", "exploding" or "level", with the numbers

The backward pass multiplies delta by (W^L)^T and sigma'(z) once per layer, so delta is where
gradients vanish or explode. dC/dW^L = delta^L (a^(L-1))^T also carries the forward signal
a^(L-1), which the same weights make shrink or grow the other way: with ReLU or linear neurons
and zero biases the two effects cancel and every |dC/dW^L| comes out about the same size
(while a and delta themselves vanish or explode and the cost with them).

Why the schemes are what they are (notebook 13 derives them). With independent weights of mean
0 and variance Var(w), a neuron of layer L sums n_in = n_(L-1) terms:

    Var(z_j^L) = n_in Var(w) E[(a_k^(L-1))^2]          (forward)
    Var(dC/dz_k^(L-1)) = n_out Var(w) E[sigma'^2] Var(dC/dz_j^L)   (backward, n_out = n_L)

For tanh (and linear) near 0, a ~ z and sigma' ~ 1: steady forward needs Var(w) = 1/n_in, steady
backward 1/n_out; Glorot and Bengio take the compromise Var(w) = 2 / (n_in + n_out) ("xavier").
ReLU zeroes half of the z's, so E[a^2] = Var(z)/2 and steady forward needs Var(w) = 2/n_in
(He et al., "he"). "plain" draws every weight with standard deviation ``scale``, whatever the
layer's size. In every scheme ``scale`` multiplies the standard deviation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.network import Network
from ..core.results import Blocked
from ..numbers import to_scalar

INITS = ("plain", "xavier", "he")
LEVEL_WITHIN = 10.0  # |dC/dW| of H0 and Out within this factor of each other: "level"


def init_variance(init: str, n_in, n_out, scale=1.0) -> float:
    """Var(w) of a layer with ``n_in`` inputs and ``n_out`` neurons under ``init``:
    "xavier" 2/(n_in + n_out), "he" 2/n_in, "plain" 1; times ``scale`` squared."""
    init = _init_name(init)
    n_in, n_out = _count(n_in, "n_in"), _count(n_out, "n_out")
    scale = _scale(scale)
    base = {"plain": 1.0, "xavier": 2.0 / (n_in + n_out), "he": 2.0 / n_in}[init]
    return base * scale * scale


def initial_weights(sizes, init="he", scale=1.0, seed=0) -> list:
    """One matrix W^L of shape (n_L, n_(L-1)) per layer for ``sizes`` = (n_x, n_H0, ...,
    n_Out), each weight normal with mean 0 and variance ``init_variance``, from
    ``numpy.random.default_rng(seed)``."""
    sizes = [_count(n, "sizes") for n in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes: expected the input's size and at least one layer's, got "
                         f"{sizes!r}")
    rng = np.random.default_rng(_seed(seed))
    return [rng.normal(0.0, math.sqrt(init_variance(init, n_in, n_out, scale)), (n_out, n_in))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def deep_network(depth=20, width=32, activation="relu", init="he", scale=1.0, seed=0, bias=0.0,
                 output_activation="linear") -> Network:
    """A network of ``depth`` layers: x of ``width`` numbers, ``depth`` - 1 hidden layers H0, ...
    of ``width`` neurons with ``activation``, and one output neuron Out with
    ``output_activation`` (linear: a plain regression output). Weights from ``initial_weights``,
    every bias ``bias``."""
    depth = _count(depth, "depth")
    if depth < 2:
        raise ValueError(f"depth: expected at least 2 layers (a hidden one and Out), got {depth}")
    width = _count(width, "width")
    sizes = [width] * depth + [1]
    weights = initial_weights(sizes, init, scale, seed)
    bias = float(to_scalar(bias, False, "bias"))
    biases = [np.full(n, bias) for n in sizes[1:]]
    return Network(weights, biases, [activation] * (depth - 1) + [output_activation],
                   exact=False)


def deep_data(net: Network, m=32, seed=0):
    """(X, Y): ``m`` examples for ``net``, every input and target normal with mean 0 and
    variance 1, from ``numpy.random.default_rng(seed + 1)`` (not the weights' stream)."""
    m = _count(m, "m")
    rng = np.random.default_rng(_seed(seed) + 1)
    return rng.normal(size=(m, net.sizes[0])), rng.normal(size=(m, net.sizes[-1]))


@dataclass(frozen=True)
class DepthProfile:
    """What one backward pass says about depth: per layer (``names``) the size of the gradient
    |dC/dW^L| (``norms``, the Frobenius norm: the square root of the sum of squares), the size
    of delta^L = dC0/dz^L (``deltas``: |delta^L| of each example, root-mean-squared over the
    batch), the variance of z^L over the batch and the neurons (``z_variance``), the neurons
    that pass (almost) no gradient back on every example (``blocked``) and how many per layer
    (``blocked_count``, of ``widths``)."""

    names: tuple
    norms: np.ndarray
    deltas: np.ndarray
    z_variance: np.ndarray
    blocked: tuple
    blocked_count: np.ndarray
    widths: tuple
    cost: float

    @property
    def spread(self) -> float:
        """|delta^H0| / |delta^Out|: far below 1 vanishing, far above 1 exploding."""
        first, last = self.deltas[0], self.deltas[-1]
        if last == 0:
            return math.inf if first > 0 else math.nan
        return float(first / last)

    def trend(self) -> str:
        """"vanishing", "exploding" or "level" (H0 and Out within ``LEVEL_WITHIN``), or "no
        gradient" when Out's and H0's are both 0."""
        s = self.spread
        if math.isnan(s):
            return "no gradient"
        if s < 1 / LEVEL_WITHIN:
            return "vanishing"
        if s > LEVEL_WITHIN:
            return "exploding"
        return "level"

    def verdict(self) -> str:
        """One sentence: the trend with the two norms it compares."""
        first, last = self.names[0], self.names[-1]
        numbers = (f"|delta| is {self.deltas[0]:.3g} at {first} and {self.deltas[-1]:.3g} at "
                   f"{last}")
        trend = self.trend()
        if trend == "no gradient":
            return f"no gradient reaches {first} or {last}: {numbers}"
        if trend == "level":
            return (f"level: {numbers}, within a factor of {LEVEL_WITHIN:.3g} of each other")
        ratio = self.spread
        factor = ratio if ratio >= 1 else (1 / ratio if ratio > 0 else math.inf)
        size = "larger" if ratio >= 1 else "smaller"
        times = "infinitely" if math.isinf(factor) else f"{factor:.3g} times"
        return f"{trend}: {numbers}, {times} {size} at {first}"

    def dead_sentence(self) -> str:
        """How many neurons are blocked (dead or saturated) on every example, layer by layer."""
        total = int(self.blocked_count.sum())
        neurons = int(sum(self.widths))
        if total == 0:
            return f"no neuron of the {neurons} is blocked on every example"
        kinds = sorted({b.kind for b in self.blocked})
        layers = ", ".join(f"{n} {c}/{w}" for n, c, w in
                           zip(self.names, self.blocked_count, self.widths) if c)
        verb = "is" if total == 1 else "are"
        return (f"{total} of the {neurons} neurons {verb} {' or '.join(kinds)} on every example "
                f"(per layer: {layers})")


def profile(net: Network, X, Y) -> DepthProfile:
    """The ``DepthProfile`` of ``net`` on the batch (X, Y), from one ``net.backward``."""
    g = net.backward(X, Y)
    return profile_of(g)


def profile_of(g) -> DepthProfile:
    """The ``DepthProfile`` of results ``g`` already computed by ``net.backward``."""
    names = g.dw.names
    norms = gradient_norms(g)
    z_variance = np.array([float(np.var(np.asarray(z, dtype=float))) for z in g.forward.z])
    blocked: tuple[Blocked, ...] = g.blocked
    counts = np.array([sum(1 for b in blocked if b.L == L) for L in range(len(names))])
    widths = tuple(int(np.shape(db)[-1]) for db in g.db)
    deltas = delta_norms(g)
    return DepthProfile(tuple(names), norms, deltas, z_variance, blocked, counts, widths,
                        float(g.cost))


def gradient_norms(g) -> np.ndarray:
    """|dC/dW^L| = sqrt(sum_jk (dC/dw_jk^L)^2) for every layer L of results ``g``."""
    return np.array([math.sqrt(float(np.sum(np.square(np.asarray(dW, dtype=float)))))
                     for dW in g.dw])


def delta_norms(g) -> np.ndarray:
    """|delta^L| = |dC0/dz^L| for every layer of results ``g``; for a batch, each example's
    norm root-mean-squared over the examples (never the norm of their mean, which cancels)."""
    sizes = []
    for delta in g.dz:
        delta = np.asarray(delta, dtype=float)
        squares = np.sum(np.square(delta), axis=-1)
        sizes.append(math.sqrt(float(np.mean(squares))))
    return np.array(sizes)


# --- checking what was given ---------------------------------------------------------------------
def _init_name(init) -> str:
    if not isinstance(init, str) or init.strip().lower() not in INITS:
        raise ValueError(f"init: expected one of {', '.join(INITS)}, got {init!r}")
    return init.strip().lower()


def _count(value, what) -> int:
    if isinstance(value, bool) or not float(value if _is_number(value) else math.nan) > 0 or \
            float(value) != int(value):
        raise ValueError(f"{what}: expected a whole number of at least 1, got {value!r}")
    return int(value)


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, str)


def number(value, what="scale") -> float:
    """``value`` (an int, float, Fraction or text such as "1/2") as a float, or a ValueError
    naming ``what``: how a notebook reads its parameters cell's numbers."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected a number, got {value!r}")
    return float(to_scalar(value, False, what))


def _scale(scale) -> float:
    """A positive number; text such as "1/2" is read as the rest of the library reads it."""
    value = None if isinstance(scale, bool) else float(to_scalar(scale, False, "scale"))
    if value is None or not 0 < value < 1e100:
        raise ValueError(f"scale: expected a positive number (it multiplies the weights' "
                         f"standard deviation), got {scale!r}")
    return value


def _seed(seed) -> int:
    if isinstance(seed, bool) or not _is_number(seed) or float(seed) != int(seed) or seed < 0:
        raise ValueError(f"seed: expected a whole number of at least 0, got {seed!r}")
    return int(seed)


__all__ = ["INITS", "LEVEL_WITHIN", "DepthProfile", "deep_data", "deep_network",
           "delta_norms", "gradient_norms", "init_variance", "initial_weights", "number",
           "profile", "profile_of"]
