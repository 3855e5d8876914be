"""Where backpropagation starts for a classifier (notebook 12), step by step with numbers.

``softmax_delta(z, y)``: a softmax output a_j = e^(z_j) / sum_i e^(z_i) with the cross-entropy
C0 = -sum_j y_j log a_j, whose Jacobian da_i/dz_j = a_i (delta_ij - a_j) turns dC0/da_i = -y_i / a_i
into dC0/dz_j = a_j - y_j. ``sigmoid_output(z, y)``: a sigmoid output under the quadratic cost,
dC0/dz = 2 (a - y) sigma'(z), tiny where sigma'(z) is (the slow start), and under cross-entropy,
dC0/dz = a - y (Nielsen, chapter 3). Floats throughout: e^z is not rational.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import activations as act
from ..numbers import check_probabilities, fmt, probability
from .ledger import factor, show_value


@dataclass(frozen=True)
class SoftmaxDelta:
    """Every number of the derivation of dC0/dz^Out = a - y for one example."""

    z: np.ndarray  # the logits z_j^Out
    y: np.ndarray  # the target
    shift: float  # m = max_j z_j, taken out of every exponent (the same a, no overflow)
    exps: np.ndarray  # e^(z_j - m)
    a: np.ndarray  # the softmax
    cost: float  # C0 = -sum_j y_j log a_j
    dC_da: np.ndarray  # -y_i / a_i (0 where y_i = 0)
    jacobian: np.ndarray  # [i, j] = da_i/dz_j = a_i (delta_ij - a_j)
    delta: np.ndarray  # dC0/dz_j = sum_i dC0/da_i da_i/dz_j

    def lines(self) -> list:
        """The derivation in words and numbers, a step per line or block."""
        n = len(self.z)
        a, y = self.a, self.y
        out = [f"logits z = {show_value(self.z)}; target y = {show_value(y)}", "",
               "1. softmax: a_j = e^(z_j - m) / sum_i e^(z_i - m), with m = max_j z_j = "
               f"{fmt(self.shift)}",
               f"   e^(z_j - m) = {show_value(self.exps)}; their sum = {fmt(self.exps.sum())}",
               f"   a = {show_value(a)}  (they add up to 1)", "",
               "2. cost: C0 = -sum_j y_j log a_j = -("
               + " + ".join(f"{factor(y[j])} * log({fmt(a[j])})" for j in range(n))
               + f") = {fmt(self.cost)}", "",
               "3. dC0/da_i = -y_i / a_i: " + ", ".join(
                   f"dC0/da_{i} = {fmt(self.dC_da[i])}" for i in range(n)), "",
               "4. the Jacobian da_i/dz_j = a_i (delta_ij - a_j): a_i (1 - a_i) on the "
               "diagonal, -a_i a_j off it"]
        out += [f"   row i = {i}: " + ", ".join(fmt(v) for v in self.jacobian[i])
                for i in range(n)]
        out += ["", "5. dC0/dz_j = sum_i dC0/da_i * da_i/dz_j "
                "= sum_i (-y_i / a_i) a_i (delta_ij - a_j) = -y_j + a_j sum_i y_i = a_j - y_j"]
        for j in range(n):
            terms = " + ".join(f"{factor(self.dC_da[i])} * {factor(self.jacobian[i, j])}"
                               for i in range(n))
            out.append(f"   dC0/dz_{j} = {terms} = {fmt(self.delta[j])};  a_{j} - y_{j} = "
                       f"{fmt(a[j])} - {factor(y[j])} = {fmt(a[j] - y[j])}")
        return out

    def __str__(self):
        return "\n".join(self.lines())


def softmax_delta(z, y) -> SoftmaxDelta:
    """The derivation's numbers for logits ``z`` and a target ``y`` (probabilities)."""
    z = np.asarray(z, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    if len(z) < 2 or len(y) != len(z) or not np.isfinite(z).all():
        raise ValueError(f"z and y: expected two finite vectors of the same length (at least 2), "
                         f"got z = {z.tolist()} and y = {y.tolist()}")
    check_probabilities(y, sums_to_one=True)
    shift = float(z.max())
    exps = np.exp(z - shift)
    a = exps / exps.sum()
    log_a = (z - shift) - np.log(exps.sum())
    cost = float(-(y * log_a).sum())
    dC_da = np.where(y == 0, 0.0, -y / a)
    jacobian = np.diag(a) - np.outer(a, a)
    delta = dC_da @ jacobian
    return SoftmaxDelta(z, y, shift, exps, a, cost, dC_da, jacobian, delta)


@dataclass(frozen=True)
class SigmoidOutput:
    """A sigmoid output a = sigma(z) with target y: each cost's C0 and dC0/dz (shaped as z)."""

    z: np.ndarray
    y: float
    a: np.ndarray
    slope: np.ndarray  # sigma'(z)
    quadratic: np.ndarray  # C0 = (a - y)^2
    quadratic_delta: np.ndarray  # 2 (a - y) sigma'(z)
    cross_entropy: np.ndarray  # -y log a - (1 - y) log(1 - a)
    cross_entropy_delta: np.ndarray  # a - y


def sigmoid_output(z, y) -> SigmoidOutput:
    """Both costs at ``z`` (a number or an array) for a target 0 <= y <= 1, by the library's
    own sigmoid, slope and cross-entropy."""
    z, y = np.asarray(z, dtype=float), probability(y, "y")
    sigma = act.get("sigmoid")
    a, slope = sigma.function(z), sigma.derivative(z)
    cross = act.COSTS["cross_entropy"].function(z[..., None], a[..., None], y, sigma)
    return SigmoidOutput(z, y, a, slope, (a - y) ** 2, 2 * (a - y) * slope, cross, a - y)
