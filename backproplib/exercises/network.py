"""Checks of a network's quantities: z and a of a layer, a gradient, the blocked neurons.

Each computes its reference from the network it is given (``Network.forward``, ``backward``)
and names the typical slips from the slip catalogue (``slips``).
"""

from __future__ import annotations

import numbers

import numpy as np

from ..learning.descent import unreachable_target
from ..numbers import fmt
from .answers import RIGHT, UNANSWERED, WRONG, Feedback, check_value, plural
from .slips import cost_slips, derivative_of, gradient_slips, neuron, quantity
from .typed import short


# --- forward values --------------------------------------------------------------------------
def _layer_position(net, layer) -> int:
    if not isinstance(layer, str):
        raise TypeError(f"layer: expected a layer name ({', '.join(net.layer_names)}), got "
                        f"{layer!r}")
    if layer not in net.layer_names:
        near = [n for n in net.layer_names if n.lower() == layer.strip().lower()]
        tail = f" (did you mean {near[0]!r}?)" if near else ""
        raise ValueError(f"layer: expected one of {', '.join(net.layer_names)}, got "
                         f"{layer!r}{tail}")
    return net.layer_names.index(layer)


def _index(net, L, j, what="j"):
    n = net.sizes[L + 1]
    if j is None:
        return None
    if isinstance(j, bool) or not isinstance(j, numbers.Integral) or not 0 <= j < n:
        raise ValueError(f"{what}: expected a neuron of {net.layer_names[L]} (0 to {n - 1}), "
                         f"got {j!r}")
    return int(j)


def check_forward(answer, net, x, quantity: str, layer: str, j=None) -> Feedback:
    """Check z or a (``quantity``) of one layer: one number for a one-neuron layer or when
    ``j`` picks a neuron, else the layer's vector."""
    if quantity not in ("z", "a"):
        raise ValueError(f"quantity: expected 'z' or 'a', got {quantity!r}")
    L = _layer_position(net, layer)
    j = _index(net, L, j)
    fwd = net.forward(x)
    pick = (lambda v: np.asarray(v)) if (j is None and net.sizes[L + 1] > 1) else (
        lambda v: np.asarray(v).reshape(-1)[j or 0])
    sigma = net.activations[L]
    W, b = net.weights[L], net.biases[L]
    a_in = fwd.x if L == 0 else fwd.a[L - 1]
    name, z_name = neuron(net, L, j, quantity), neuron(net, L, j, "z")
    source = "x" if L == 0 else f"a_{net.layer_names[L - 1]}"
    w_name, b_name = f"w_{layer}", f"b_{layer}"
    z, a = fwd.z[L], fwd.a[L]
    slips = {}
    if quantity == "z":
        slips[f"Don't forget the bias: {z_name} = {w_name} * {source} + {b_name}."] = W @ a_in
        if L > 0 and net.sizes[0] == net.sizes[L]:
            slips[f"{layer} takes {source}, the output of the layer before it, not x."] = (
                W @ np.asarray(fwd.x) + b)
            slips[f"{layer} takes {source}, after the activation of "
                  f"{net.layer_names[L - 1]}, not z_{net.layer_names[L - 1]}."] = (
                W @ fwd.z[L - 1] + b)
        if W.shape == (1, 1):
            slips[f"{z_name} multiplies the weight by {source}; it is not the weight plus the "
                  "bias."] = W[0] + b
        slips[f"That is {neuron(net, L, j, 'a')}, after the activation; {z_name} is the "
              "value before it."] = a
        hint = (f"{z_name} = {w_name} * {source} + {b_name}." if W.shape[1] == 1 else
                f"{z_name} = the sum over k of {w_name}[j,k] * {source}[k], plus {b_name}[j].")
        return check_value(answer, pick(z), name, hint, _picked(slips, pick))
    slips[f"That is {z_name}, before the activation; now apply {sigma.formula}."] = z
    for other in _other_activations(sigma):
        with np.errstate(all="ignore"):
            value = other.function(np.asarray(z, dtype=float))
        slips[f"That is {other.formula}({z_name}), but this network's activation in {layer} "
              f"is {sigma.formula}."] = value
    hint = f"{name} = {sigma.formula}({z_name}), with {z_name} computed first."
    return check_value(answer, pick(a), name, hint, _picked(slips, pick))


def _picked(slips, pick):
    found = {}
    for hint, value in slips.items():
        try:
            found[hint] = pick(value)
        except (TypeError, ValueError):
            continue
    return found


def _other_activations(sigma):
    from ..core.activations import ACTIVATIONS

    return [a for a in ACTIVATIONS.values() if a.name != sigma.name and a.name != "linear"]


# --- gradients -------------------------------------------------------------------------------
def check_gradient(answer, net, x, y, param: str) -> Feedback:
    """Check dC0/d(param), naming the typical slips of the chain rule when they match.

    ``param`` is a parameter name ("w_Out", "b_H1", "w_H1[0,1]") or a value of the forward
    pass ("a_H1", "z_Out", "a_H1[0]", "x"), optionally written "dC0/dw_Out". A target outside
    what the output's activation can reach is pointed out with the verdict.
    """
    kind, L, index = quantity(net, param)
    g = net.backward(x, y)
    expected, label = derivative_of(net, g, kind, L, index)
    if g.batch_size is None:
        slips = gradient_slips(net, x, y, kind, L, index)
    else:
        slips = {**cost_slips(expected), "That is the sum over the examples: C is their "
                 "average, so divide by m.": np.asarray(expected, dtype=object) * g.batch_size}
    hint = _gradient_hint(net, kind, L, index)
    if g.batch_size:
        hint = (f"{label} is the average over the {g.batch_size} examples of each one's "
                f"{label.replace('dC/', 'dC0/')}, and {hint}")
    note = unreachable_target(net, y) or ""
    return check_value(answer, expected, label, hint, slips, note=note)


def _gradient_hint(net, kind, L, index) -> str:
    """Which factors to multiply, by name (never the numbers)."""
    name = net.layer_names
    if kind == "x":
        return "dC0/dx = dC0/dz_H0 * dz_H0/dx, and dz_H0/dx is the weight w_H0."
    layer = name[L]
    if kind == "a" and L == len(name) - 1:
        return "differentiate C0 = (a_Out - y)^2 with respect to a_Out."
    if kind == "a":
        nxt = name[L + 1]
        return (f"dC0/da_{layer} = dC0/da_{nxt} * da_{nxt}/dz_{nxt} * dz_{nxt}/da_{layer}; "
                f"dz_{nxt}/da_{layer} is the weight w_{nxt}"
                + ("" if net.sizes[L + 2] == 1 else f", summed over the neurons j of {nxt}")
                + ".")
    head = f"dC0/da_{layer} * da_{layer}/dz_{layer}"
    if kind == "z":
        return f"dC0/dz_{layer} = {head}."
    source = "x" if L == 0 else f"a_{name[L - 1]}"
    if kind == "b":
        return f"dC0/db_{layer} = {head} * dz_{layer}/db_{layer}, and dz_{layer}/db_{layer} = 1."
    return (f"dC0/dw_{layer} = {head} * dz_{layer}/dw_{layer}, and dz_{layer}/dw_{layer} is "
            f"{source}, the value coming into {layer}.")


# --- predicting blocked neurons --------------------------------------------------------------
def check_blocked(answer, net, x) -> Feedback:
    """Which neurons pass (almost) no gradient back at input x? ``answer`` is a list of neuron
    names as ``Blocked.neuron`` writes them ("H1", "H1[0]"), one name, or [] / "none". The
    verdict reads the library's one notion (``ForwardPass.blocked``) and explains with it."""
    fwd = net.forward(x)
    neurons = [n if net.sizes[L + 1] == 1 else f"{n}[{j}]"
               for L, n in enumerate(net.layer_names) for j in range(net.sizes[L + 1])]
    blocked = {b.neuron: b for b in fwd.blocked}
    if answer is None:
        return Feedback(UNANSWERED, "replace None with a list of the blocked neurons, e.g. "
                                    "['H1'], or [] if there is none.")
    named = _neuron_names(answer)
    if named is None:
        return Feedback(WRONG, f"{short(repr(answer))} is not a list of neuron names; "
                               f"answer with a list such as ['{neurons[0]}'], or [].")
    unknown = [n for n in named if n not in neurons]
    if unknown:
        return Feedback(WRONG, f"{', '.join(map(str, unknown))} is not a neuron of this "
                               f"network; its neurons are {', '.join(neurons)}.")
    if set(named) == set(blocked):
        if not blocked:
            return Feedback(RIGHT, "no neuron is blocked here: every sigma'(z) is large enough "
                                   "to pass gradient back.")
        why = "; ".join(b.sentence() for b in blocked.values())
        return Feedback(RIGHT, f"{why}.")
    wrong = [n for n in named if n not in blocked]
    missed = [n for n in blocked if n not in named]
    parts = []
    for n in wrong:
        L, j = _neuron_position(net, n)
        sigma = net.activations[L]
        z_name = f"z_{n}"
        parts.append(f"{n} passes gradient back: {sigma.formula}'({z_name}) = "
                     f"{fmt(fwd.da_dz[L][j])} at {z_name} = {fmt(fwd.z[L][j])}")
    if missed:
        parts.append(f"{plural(len(missed), 'more neuron')} {'is' if len(missed) == 1 else 'are'} "
                     "blocked: look for a sigma'(z) of 0 or nearly 0")
    return Feedback(WRONG, "; ".join(parts) + ".")


def _neuron_names(answer):
    if isinstance(answer, str):
        text = answer.strip()
        if text.lower() in ("", "none", "[]"):
            return []
        return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()] \
            if "[" not in text or "," not in text.split("[")[0] else None
    if isinstance(answer, (list, tuple, set, frozenset)):
        if all(isinstance(n, str) for n in answer):
            return [n.strip() for n in answer]
    return None


def _neuron_position(net, neuron):
    layer, _, index = neuron.partition("[")
    return net.layer_names.index(layer), int(index.rstrip("]") or 0)


