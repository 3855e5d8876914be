"""Gradient checking: compare backpropagation with central finite differences.

    dC/dp ~ (C(p + h) - C(p - h)) / (2h)          error O(h^2), h = 1e-5 by default

The relative error |a - n| / max(1e-8, |a| + |n|) judges the match (CS231n's thresholds):

    > 1e-2   probably wrong
    1e-4 .. 1e-2   suspicious, unless a kink (ReLU at z = 0) lies within h of the point
    1e-7 .. 1e-4   fine for kinked activations (ReLU), a little high for smooth ones
    < 1e-7   good
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network
from .scalars import fmt
from .values import Gradients, LayerValues

THRESHOLDS = ((1e-7, "good"), (1e-4, "fine near a kink, high for smooth activations"),
              (1e-2, "suspicious"), (float("inf"), "probably wrong"))


def relative_error(analytic, numeric):
    """|a - n| / max(1e-8, |a| + |n|), elementwise; 0 when both are 0."""
    a = np.asarray(analytic, dtype=float)
    n = np.asarray(numeric, dtype=float)
    return np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))


def verdict(error: float) -> str:
    """What a relative error says, by the thresholds in this module's docstring."""
    return next(word for limit, word in THRESHOLDS if error < limit)


def numerical_gradients(net: Network, x, y, h: float = 1e-5) -> Gradients:
    """Every derivative ``Network.backward`` gives, estimated by central differences in floats.

    dC/dw and dC/db nudge each parameter; dC/dz, dC/da and dC/dx nudge the value itself and
    run the rest of the network forward from there.
    """
    if not isinstance(h, (int, float)) or isinstance(h, bool) or not 0 < h < 1:
        raise ValueError(f"h: expected a small positive step such as 1e-5, got {h!r}")
    net = _as_float(net)
    x = net.forward(x).x
    y = np.asarray(net._vector(y, net.sizes[-1], "y", "Out"), dtype=float)
    fwd = net.forward(x)

    def cost_from(L, a):
        """C0 when layer L's activation is ``a`` (L = -1: the input is ``a``)."""
        for W, b, sigma in zip(net.weights[L + 1:], net.biases[L + 1:], net.activations[L + 1:]):
            a = sigma.function(W @ a + b)
        return float(((a - y) ** 2).sum())

    def cost_with(kind, L, array):
        """C0 when layer L's weight matrix (kind "w") or bias vector ("b") is ``array``."""
        W, b = list(net.weights), list(net.biases)
        (W if kind == "w" else b)[L] = array
        return Network(W, b, [s.name for s in net.activations], exact=False).cost(x, y)

    def nudge(array, f):
        """(f(array + h e_i) - f(array - h e_i)) / 2h for every position i."""
        grad = np.zeros(array.shape)
        for index in np.ndindex(array.shape):
            up, down = array.copy(), array.copy()
            up[index] += h
            down[index] -= h
            grad[index] = (f(up) - f(down)) / (2 * h)
        return grad

    dw, db, da, dz = [], [], [], []
    for L in range(len(net.weights)):
        sigma = net.activations[L]
        dw.append(nudge(net.weights[L], lambda W, L=L: cost_with("w", L, W)))
        db.append(nudge(net.biases[L], lambda b, L=L: cost_with("b", L, b)))
        da.append(nudge(fwd.a[L], lambda a, L=L: cost_from(L, a)))
        dz.append(nudge(fwd.z[L], lambda z, L=L, s=sigma: cost_from(L, s.function(z))))
    dx = nudge(x, lambda a: cost_from(-1, a))
    names = net.layer_names
    return Gradients(net.cost(x, y), *(LayerValues(names, v) for v in (dw, db, da, dz)), dx,
                     net.parameter_names)


def _as_float(net: Network) -> Network:
    if not net.exact:
        return net
    return Network([W.astype(float) for W in net.weights], [b.astype(float) for b in net.biases],
                   [a.name for a in net.activations], exact=False)


@dataclass(frozen=True)
class CheckRow:
    name: str
    analytic: float
    numeric: float
    error: float

    @property
    def verdict(self) -> str:
        return verdict(self.error)


def gradient_check(net: Network, x, y, h: float = 1e-5):
    """One CheckRow per parameter: backprop's value, the finite difference, their relative error."""
    analytic = _as_float(net).backward(x, y)
    numeric = numerical_gradients(net, x, y, h)
    return [CheckRow(n, float(analytic[n]), float(numeric[n]),
                     float(relative_error(analytic[n], numeric[n])))
            for n in net.parameter_names]


def check_table(rows) -> str:
    """The rows of ``gradient_check`` as an aligned text table."""
    width = max(len(r.name) for r in rows)
    header = f"{'parameter':<{width}}  {'backprop':>14}  {'finite diff':>14}  {'rel. error':>10}"
    lines = [header + "  verdict"]
    for r in rows:
        lines.append(f"{r.name:<{width}}  {fmt(r.analytic):>14}  {fmt(r.numeric):>14}  "
                     f"{r.error:>10.1e}  {r.verdict}")
    return "\n".join(lines)
