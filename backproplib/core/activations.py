"""Activations sigma(z), each with its derivative sigma'(z); costs C0, each with dC0/da^Out.

Every function works elementwise on a numpy array of floats or of Fractions (exact mode).
- ReLU'(0) = 0: ReLU has a kink at 0 and no derivative there; like PyTorch we take 0.
- leaky ReLU has slope 1/100 for z < 0, so it stays exact with Fractions.
- sigmoid, tanh and softmax are irrational, so exact mode refuses them.
- softmax turns the whole output layer into probabilities: not elementwise, its derivative is a
  Jacobian (``Activation.chain``), and only the layer Out may use it.
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from .. import numbers as num


@dataclass(frozen=True)
class Activation:
    """sigma and sigma' under one name; ``exact`` says whether Fractions stay Fractions."""
    name: str
    function: Callable  # a = sigma(z)
    derivative: Callable  # da/dz = sigma'(z)
    exact: bool
    formula: str  # how the ledger writes sigma, e.g. "ReLU"
    smooth: bool = False  # sigma'(z) > 0 everywhere: a 0 is underflow (saturation), not death
    kink: bool = False  # sigma' jumps at z = 0 (ReLU, leaky ReLU): finite differences err there
    output_only: bool = False  # softmax: a function of the whole layer

    def chain(self, dC_da, a, slope):
        """dC/dz from dC/da: dC/da * sigma'(z); for softmax through its Jacobian,
        dC/dz_j = sum_i dC/da_i a_i (delta_ij - a_j) = a_j (dC/da_j - sum_i dC/da_i a_i)."""
        if self.output_only:
            return a * (dC_da - (dC_da * a).sum(axis=-1, keepdims=True))
        return dC_da * slope


def _exact(z) -> bool:
    return isinstance(z, np.ndarray) and z.dtype.kind == "O"  # exact mode's arrays: Fractions


def relu(z):
    # maximum(z, 0.0) gives 0.0 for z = -0.0, and takes one pass (fmax and += 0.0 took two)
    return np.where(z > 0, z, 0 * z) if _exact(z) else np.maximum(z, 0.0)


def relu_prime(z):
    if _exact(z):
        return step(z, 0)
    # heaviside: 0.40 us on one number, where (z > 0) as floats takes 0.75; but on a band of 32,800
    # grid points 117 us against 8 (not vectorised). The size by getattr: 0.03 us, np.size 0.12
    return np.heaviside(z, 0.0) if getattr(z, "size", 1) < 64 else (z > 0).astype(float)


def step(z, low):  # 1 where z > 0, else ``low`` (also at the kink z = 0), in z's numbers
    return np.where(z > 0, Fraction(1), low) if _exact(z) else np.where(z > 0, 1.0, float(low))


def sigmoid(z):
    e = np.exp(-np.abs(z))  # exp never sees a large positive number: no overflow at z = -1000
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # the same a, and exp never overflows
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS = {  # what any layer may use
    "relu": Activation("relu", relu, relu_prime, True, "ReLU", kink=True),
    "leaky_relu": Activation("leaky_relu", lambda z: z * step(z, Fraction(1, 100)),
                             lambda z: step(z, Fraction(1, 100)), True, "LeakyReLU", kink=True),
    "sigmoid": Activation("sigmoid", sigmoid, lambda z: (s := sigmoid(z)) * (1 - s), False,
                          "sigmoid", smooth=True),
    "tanh": Activation("tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2, False, "tanh",
                       smooth=True),
    "linear": Activation("linear", lambda z: z, np.ones_like, True, "linear"),
}
KNOWN = {**ACTIVATIONS,  # softmax' here is the Jacobian's diagonal a_j (1 - a_j); chain uses it all
         "softmax": Activation("softmax", softmax, lambda z: (s := softmax(z)) * (1 - s), False,
                               "softmax", smooth=True, output_only=True)}


def get(activation, where: str = "activation", output: bool = True) -> Activation:
    """The Activation called ``activation`` (or itself); softmax only for an ``output`` layer."""
    sigma = activation if isinstance(activation, Activation) else num.lookup(
        KNOWN, activation, "activation", where)
    if sigma.output_only and not output:
        raise ValueError(f"{where}: {sigma.name} is for the output layer Out only (it turns the "
                         f"whole layer into probabilities); use one of {', '.join(ACTIVATIONS)}")
    return sigma


# --- costs: C0 of one example and its first delta dC0/dz^Out ----------------------------------
@dataclass(frozen=True)
class Cost:
    """C0 with dC0/da^Out and, where the output's Jacobian cancels, the first delta itself;
    ``outputs`` lists the output activations it takes (empty: any)."""
    name: str
    function: Callable  # C0(z, a, y, sigma) per example (a sum over the last axis)
    dC_da: Callable  # dC0/da^Out (a, y, sigma)
    delta: Callable | None  # dC0/dz^Out (a, y); None: dC0/da^Out through sigma'
    outputs: tuple = ()


def quadratic(z, a, y, sigma):
    error = a - y  # C0 = sum_j (a_j - y_j)^2, no 1/2: the seed's cost (one term: no sum)
    return (error * error)[..., 0] if error.shape[-1] == 1 else (error * error).sum(axis=-1)


def cross_entropy(z, a, y, sigma):
    """-sum_j y_j log a_j (softmax), -sum_j [y_j log a_j + (1 - y_j) log(1 - a_j)] (sigmoid:
    each a_j a yes/no probability). From z where given (stable, never log 0), else from a."""
    if z is None:
        log_a, log_not_a = np.log(a), lambda: np.log1p(-a)
    elif sigma.output_only:  # log a_j = z_j - log sum_i e^z_i, with the largest z_i taken out
        log_a = z - z.max(axis=-1, keepdims=True)
        log_a -= np.log(np.exp(log_a).sum(axis=-1, keepdims=True))
    else:  # log a = -log(1 + e^-z) and log(1 - a) = -log(1 + e^z)
        log_a, log_not_a = -np.logaddexp(0, -z), lambda: -np.logaddexp(0, z)
    if sigma.output_only:
        return -(y * log_a).sum(axis=-1)
    return -(y * log_a + (1 - y) * log_not_a()).sum(axis=-1)


def cross_entropy_dC_da(a, y, sigma):
    """-y/a (softmax), -y/a + (1 - y)/(1 - a) (sigmoid); 0 where a target's term is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dC_da = np.where(y == 0, 0 * a, -y / a)
        return dC_da if sigma.output_only else dC_da + np.where(y == 1, 0 * a, (1 - y) / (1 - a))


def quadratic_dC_da(a, y, sigma):
    error = a - y  # 2 (a - y) as a sum: 0.22 us where 2 * error takes 0.50 on one number
    return error + error


COSTS = {
    "quadratic": Cost("quadratic", quadratic, quadratic_dC_da, None),
    "cross_entropy": Cost("cross_entropy", cross_entropy, cross_entropy_dC_da,
                          lambda a, y: a - y, ("softmax", "sigmoid")),
}


def get_cost(cost, output: Activation) -> Cost:
    """The Cost called ``cost``, checked against the output layer's activation."""
    found = cost if isinstance(cost, Cost) else num.lookup(COSTS, cost, "cost", "cost")
    if found.outputs and output.name not in found.outputs:
        raise ValueError(
            f"cost {found.name}: expected a {' or '.join(found.outputs)} output layer Out, got "
            f"{output.name}: cross-entropy takes log a, so each a^Out must be a probability")
    return found
