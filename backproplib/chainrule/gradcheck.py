"""Gradient checking: backpropagation against central finite differences

    dC/dp ~ (C(p + h) - C(p - h)) / (2h)          error O(h^2), h = 1e-5 by default

judged by their relative error |a - n| / max(1e-8, |a| + |n|) against CS231n's THRESHOLDS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..core.network import Network, forward_pass
from ..core.results import Gradients, LayerValues
from ..numbers import fmt, short, to_scalar

KINDS = ("central", "forward")  # the finite differences ``numerical_gradients`` takes
STEPS = np.logspace(-12, -1, 45)  # steps from round-off's side to truncation's (``step_errors``)
THRESHOLDS = ((1e-7, "good"), (1e-4, "fine near a kink, high for smooth activations"),
              (1e-2, "suspicious"), (float("inf"), "probably wrong"))  # below each limit
STRADDLED = "kink within h: averages two slopes"  # p - h and p + h on two sides of a kink


def relative_error(analytic, numeric):
    """|a - n| / max(1e-8, |a| + |n|), elementwise; 0 when both are 0."""
    a = np.asarray(analytic, dtype=float)
    n = np.asarray(numeric, dtype=float)
    return np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))


def verdict(error: float, straddled: bool = False) -> str:
    """What a relative error says, by THRESHOLDS; above the first band STRADDLED where the
    difference straddles a kink (``kink_within``): the two sides' slopes differ, no bug needed."""
    error = float(error)
    if not error >= 0:  # NaN, or a negative number that no relative error can be
        raise ValueError(f"relative error: expected a number >= 0, got {error}")
    return STRADDLED if straddled and error >= THRESHOLDS[0][0] else next(
        word for limit, word in THRESHOLDS if error < limit)


def kink_between(first: Network, second: Network, x) -> bool:
    """Whether two networks of one shape put some z of a layer with a kink (ReLU, leaky ReLU) on
    two sides of 0 for input ``x``: between them a slope jumps that neither gradient knows."""
    up, down = (net.as_float().forward(x).z for net in (first, second))
    return any(((u > 0) != (d > 0)).any() for u, d, sigma in zip(up, down, first.activations)
               if sigma.kink)


def kink_within(net: Network, x, name: str, h: float) -> bool:
    """Whether ``name`` - h and ``name`` + h lie on two sides of a kink (``kink_between``): the
    central difference then averages the slopes of both sides."""
    net, value = net.as_float(), float(net.param(name))
    return kink_between(*(net.with_params({name: value + s * h}) for s in (1, -1)), x)


def numerical_gradients(net: Network, x, y, h: float = 1e-5, kind: str = "central") -> Gradients:
    """Every derivative ``Network.backward`` gives (dw, db, dz, da, dx), estimated in floats by
    central differences (``kind="forward"``: (C(p + h) - C(p)) / h, error O(h)), for one example
    or a batch (the average cost C); z, a and x are nudged and the rest of the network run on."""
    h = difference_step(h)
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    net = net.as_float()
    x, y = net.input(x), net.target(y)
    fwd = net.forward(x)
    weights, biases, sigmas = list(net.weights), list(net.biases), net.activations
    out = len(weights) - 1

    def cost_from(L, a, z=None, weights=weights, biases=biases):
        """The cost when layer L's activation is ``a`` (L = -1: the input is ``a``)."""
        if L < out:
            zs, outputs = forward_pass(weights[L + 1:], biases[L + 1:], sigmas[L + 1:], a)
            z, a = zs[-1], outputs[-1]
        return float(net.cost_function.function(z, a, y, sigmas[-1]).mean())

    def nudge(array, f, per_example=False):
        """The difference quotient of f at every position of ``array``; for a value of one
        example of a batch, times the batch size (dC0_k rather than dC)."""
        grad = np.zeros(array.shape)
        here = f(array) if kind == "forward" else None
        for index in np.ndindex(array.shape):
            up, down = array.copy(), array.copy()
            up[index] += h
            down[index] -= h
            grad[index] = ((f(up) - here) / h if kind == "forward"
                           else (f(up) - f(down)) / (2 * h))
        return grad * len(x) if per_example and x.ndim == 2 else grad

    with np.errstate(over="ignore", invalid="ignore"):
        dw = [nudge(W, lambda v, L=L: cost_from(-1, x, weights=[*weights[:L], v, *weights[L + 1:]]))
              for L, W in enumerate(weights)]
        db = [nudge(b, lambda v, L=L: cost_from(-1, x, biases=[*biases[:L], v, *biases[L + 1:]]))
              for L, b in enumerate(biases)]
        da = [nudge(fwd.a[L], lambda a, L=L: cost_from(L, a), True) for L in range(len(weights))]
        dz = [nudge(fwd.z[L], lambda z, L=L: cost_from(L, sigmas[L].function(z), z), True)
              for L in range(len(weights))]
        dx = nudge(x, lambda a: cost_from(-1, a), True)
    names = net.layer_names  # backward's cost, forward pass and parameter table, our numbers
    return replace(net.backward(x, y), **{k: LayerValues(names, v) for k, v in
                                          (("dw", dw), ("db", db), ("da", da), ("dz", dz))},
                   dx=dx)


def difference_step(h) -> float:
    """The step h of a finite difference, from 1e-12 to 1: a number or text such as "1e-5"."""
    try:
        h = to_scalar(h, False, "h")
    except (TypeError, ValueError) as error:
        message = f"h: expected a small positive step such as 1e-5, got {short(h)}"
        raise type(error)(message) from None
    if not 1e-12 <= h < 1:
        raise ValueError(
            f"h: expected a step between 1e-12 and 1 such as 1e-5, got {h!r}: a smaller step "
            "drowns the difference in round-off (C(p + h) and C(p - h) become equal)")
    return h


def step_errors(net: Network, x, y, name: str, steps=STEPS) -> dict:
    """{kind: relative errors} of each finite difference of dC/d``name`` against backpropagation,
    one per step in ``steps`` (truncation falls as h shrinks, round-off grows)."""
    analytic = net.as_float().backward(x, y)[name]
    return {kind: np.array([float(relative_error(analytic, numerical_gradients(
        net, x, y, h, kind)[name])) for h in steps]) for kind in KINDS}


@dataclass(frozen=True)
class CheckRow:
    name: str
    analytic: float
    numeric: float
    error: float
    kinked: bool = True  # some activation of the network has a kink (``Activation.kink``)
    straddled: bool = False  # p - h and p + h lie on two sides of a kink (``kink_within``)

    @property
    def verdict(self) -> str:
        """``verdict(error)``, but said plainly where it would mislead: a check of 0 against 0
        checks nothing, and without a kink the second band is only high."""
        if self.analytic == 0 and self.numeric == 0:
            return "both 0: checks nothing"
        word = verdict(self.error, self.straddled)
        return word if self.kinked or word != THRESHOLDS[1][1] else (
            "high for a smooth activation")


def gradient_check(net: Network, x, y, h: float = 1e-5):
    """One CheckRow per parameter: backprop's value, the finite difference, their relative error."""
    analytic = net.as_float().backward(x, y)
    numeric = numerical_gradients(net, x, y, h)
    kinked = any(sigma.kink for sigma in net.activations)
    return [CheckRow(n, float(analytic[n]), float(numeric[n]),
                     float(relative_error(analytic[n], numeric[n])), kinked,
                     kinked and kink_within(net, x, n, h)) for n in net.parameter_names]


def check_table(rows) -> str:
    """The rows of ``gradient_check`` as a table, each column as wide as its widest entry."""
    cells = [("parameter", "backprop", "finite diff", "rel. error", "verdict")] + [
        (r.name, fmt(r.analytic), fmt(r.numeric), f"{r.error:.1e}", r.verdict) for r in rows]
    widths = [max(map(len, column)) for column in list(zip(*cells))[:4]]
    return "\n".join("  ".join([row[0].ljust(widths[0])] + [s.rjust(w) for s, w in
                                zip(row[1:], widths[1:])] + [row[4]]) for row in cells)
