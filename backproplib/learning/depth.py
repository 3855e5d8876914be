"""Gradients through depth: initialisation schemes and the size of dC/dW layer by layer.

The backward pass multiplies delta by (W^L)^T and sigma'(z) once per layer, so delta is where
gradients vanish or explode. With weights of variance Var(w), a neuron sums n_in terms:
Var(z^L) = n_in Var(w) E[a^2] forward, and n_out Var(w) E[sigma'^2] times delta's variance
backward. "xavier" takes Var(w) = 2 / (n_in + n_out) (tanh, linear), "he" 2 / n_in (ReLU
zeroes half the z's), "plain" 1; ``scale`` multiplies the standard deviation (notebook 13).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..core.network import Network
from ..numbers import lookup, positive_number, to_scalar, whole_number
from .training import MAX_WEIGHTS, draw_weights, most_examples

LEVEL_WITHIN = 10.0  # |dC/dW| of H0 and Out within this factor of each other: "level"
_VARIANCES = {"plain": lambda n_in, n_out: 1.0, "xavier": lambda n_in, n_out: 2 / (n_in + n_out),
              "he": lambda n_in, n_out: 2 / n_in}
INITS = tuple(_VARIANCES)  # ("plain", "xavier", "he")


def init_variance(init: str, n_in, n_out, scale=1.0) -> float:
    """Var(w) under ``init`` of a layer of ``n_out`` neurons with ``n_in`` inputs, times scale^2."""
    base = lookup(_VARIANCES, init, "init", "init")
    scale = positive_number(scale, "scale")
    if scale > 1e100:
        raise ValueError(f"scale: expected a positive number up to 1e100 (it multiplies the "
                         f"weights' standard deviation), got {scale!r}")
    return base(whole_number(n_in, "n_in", 1), whole_number(n_out, "n_out", 1)) * scale * scale


def deep_network(depth=20, width=32, activation="relu", init="he", scale=1.0, seed=0, bias=0.0,
                 output_activation="linear") -> Network:
    """``width`` inputs, ``depth`` - 1 hidden layers of ``width`` neurons with ``activation``, one
    output neuron with ``output_activation``; weights by ``training.draw_weights`` with variance
    ``init_variance``, biases ``bias``."""
    depth = whole_number(depth, "depth", 1)
    if depth < 2:
        raise ValueError(f"depth: expected at least 2 layers (a hidden one and Out), got {depth}")
    width = whole_number(width, "width", 1)
    if depth > deepest(width):  # checked before the list of sizes is made
        raise ValueError(f"depth and width: expected at most {MAX_WEIGHTS:,} weights (depth x "
                         f"width x width), got {depth} x {width} x {width}")
    sizes = [width] * depth + [1]
    weights = draw_weights(sizes, partial(init_variance, init, scale=scale), seed)
    biases = [np.full(n, number(bias, "bias")) for n in sizes[1:]]
    return Network(weights, biases, [activation] * (depth - 1) + [output_activation],
                   exact=False)


def deepest(width: int) -> int:
    """The most layers of ``width`` neurons a deep network may have (``MAX_WEIGHTS`` in all):
    ``deep_network``'s limit, and the end of the depth slider."""
    return MAX_WEIGHTS // width**2


def deep_data(net: Network, m=32, seed=0):
    """(X, Y): ``m`` examples for ``net``, every number normal with mean 0 and variance 1, from
    ``default_rng(seed + 1)`` (not the weights' stream)."""
    m = whole_number(m, "m", 1, most_examples(net))
    rng = np.random.default_rng(whole_number(seed, "seed", 0) + 1)
    return rng.normal(size=(m, net.sizes[0])), rng.normal(size=(m, net.sizes[-1]))


def number(value, what="scale") -> float:
    """``value`` (a number or text such as "1/2") as a float, or an error naming ``what``."""
    return float(to_scalar(value, False, what))


@dataclass(frozen=True)
class DepthProfile:
    """Per layer (``names``): |dC/dW^L| (``norms``, Frobenius), |delta^L| = |dC0/dz^L|
    root-mean-squared over the batch (``deltas``), Var(z^L) (``z_variance``), the ``blocked``
    neurons and how many per layer (``blocked_count``, of ``widths``)."""

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
        """"vanishing", "exploding", "level" (within ``LEVEL_WITHIN``) or "no gradient"."""
        s = self.spread
        if math.isnan(s):
            return "no gradient"
        if s < 1 / LEVEL_WITHIN:
            return "vanishing"
        return "exploding" if s > LEVEL_WITHIN else "level"

    def verdict(self) -> str:
        """One sentence: the trend with the two norms it compares."""
        first, last, trend, ratio = self.names[0], self.names[-1], self.trend(), self.spread
        numbers = f"|delta| is {self.deltas[0]:.3g} at {first} and {self.deltas[-1]:.3g} at {last}"
        if trend == "no gradient":
            return f"no gradient reaches {first} or {last}: {numbers}"
        if trend == "level":
            return f"level: {numbers}, within a factor of {LEVEL_WITHIN:.3g} of each other"
        if ratio == 0:  # no factor measures how much smaller nothing is
            return f"{trend}: {numbers}: no gradient reaches {first}"
        factor = ratio if ratio >= 1 else 1 / ratio
        times = "infinitely" if math.isinf(factor) else f"{factor:.3g} times"
        return f"{trend}: {numbers}, {times} {'larger' if ratio >= 1 else 'smaller'} at {first}"

    def dead_sentence(self) -> str:
        """How many neurons are blocked (dead or saturated) on every example, layer by layer."""
        total, neurons = int(self.blocked_count.sum()), int(sum(self.widths))
        if total == 0:
            return f"no neuron of the {neurons} is blocked on every example"
        kinds = " or ".join(sorted({b.kind for b in self.blocked}))
        layers = ", ".join(f"{n} {c}/{w}" for n, c, w in
                           zip(self.names, self.blocked_count, self.widths) if c)
        return (f"{total} of the {neurons} neurons {'is' if total == 1 else 'are'} {kinds} on "
                f"every example (per layer: {layers})")


def profile(net: Network, X, Y) -> DepthProfile:
    """The ``DepthProfile`` of ``net`` on the batch (X, Y), from one ``net.backward``."""
    return profile_of(net.backward(X, Y))


def profile_of(g) -> DepthProfile:
    """The ``DepthProfile`` of results ``g`` of ``net.backward``. |delta^L| is each example's
    norm root-mean-squared over the batch (never the norm of their mean, which cancels)."""
    names = tuple(g.dw.names)
    norms = np.array([math.sqrt(float(np.sum(np.square(np.asarray(dW, dtype=float)))))
                      for dW in g.dw])
    squares = [np.sum(np.square(np.asarray(d, dtype=float)), axis=-1) for d in g.dz]
    deltas = np.array([math.sqrt(float(np.mean(s))) for s in squares])
    z_variance = np.array([float(np.var(np.asarray(z, dtype=float))) for z in g.forward.z])
    counts = np.array([sum(1 for b in g.blocked if b.L == L) for L in range(len(names))])
    widths = tuple(int(np.shape(db)[-1]) for db in g.db)
    return DepthProfile(names, norms, deltas, z_variance, g.blocked, counts, widths,
                        float(g.cost))
