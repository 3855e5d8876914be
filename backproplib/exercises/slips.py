"""The slip catalogue: what the typical slips of the chain rule give, read from the library's
own forward and backward passes, never from the chain written out again (a left-out sigma' is
the backward pass of a copy whose sigma' is 1 there), and the exercise data in which every slip
shows, since a cost of 0 or a sigma' of 1 can hide one."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

import numpy as np

from ..chainrule.ledger import explain_blocked
from ..core.network import Network
from ..learning.descent import listed
from ..numbers import fmt, indexed, some_names, to_scalar
from .answers import close

_QUANTITY = re.compile(r"^(?:(a|z)_([A-Za-z0-9]+)|x)(?:\[(\d+)\])?$")


def quantity(net, name):
    """("w"/"b", L, index) for a parameter, ("a"/"z", L, (j,)) for dC0/da, dC0/dz, ("x", -1,
    (k,)); ValueError naming the valid names otherwise."""
    if not isinstance(name, str):
        raise TypeError(f"param: expected a name such as 'w_Out' or 'a_H1', got {name!r}")
    bare = re.sub(r"^dC0?/d", "", name.strip())
    if bare in net.parameter_names:
        kind, L, index = net.locate(bare)
        return kind, L, tuple(index)
    match = _QUANTITY.match(bare)
    if match and match[2] in (None, *net.layer_names):
        L = -1 if match[2] is None else net.layer_names.index(match[2])
        j = int(match[3]) if match[3] else 0 if net.sizes[L + 1] == 1 else None
        if j is None or j < net.sizes[L + 1]:
            return match[1] or "x", L, (j,)
    raise ValueError(f"param: unknown quantity {name!r}; expected a parameter name "
                     f"({some_names(net.parameter_names)}), "
                     f"or a_<layer>, z_<layer> (layers {', '.join(net.layer_names)}) or x")


def neuron(net, L, j, letter) -> str:
    """a_H1, or a_H1[0] in a layer of several neurons; x or x[0] for L = -1."""
    name = "x" if L < 0 else f"{letter}_{net.layer_names[L]}"
    return name if j is None else indexed(name, j, net.sizes[L + 1])


def derivative_of(net, g, kind, L, index):
    """(value, label) of the derivative ``quantity`` names, read from the results ``g``."""
    cost = g.cost_name
    if kind in ("w", "b"):
        name = next(n for n in net.parameter_names if tuple(net.locate(n)) == (kind, L, index))
        return g[name], f"d{cost}/d{name}"
    (j,) = index
    if g.batch_size:
        raise ValueError(f"param: d{cost}/d{kind} is per example; check it for one example "
                         "(a 1-D x), not a batch")
    values = np.asarray(g.dx if kind == "x" else {"a": g.da, "z": g.dz}[kind][L])
    return (values if j is None else values[j]), f"d{cost}/d{neuron(net, L, j, kind)}"


def without_slopes(net, layers) -> Network:
    """A copy of ``net`` whose sigma'(z) is 1 in ``layers``: the same forward pass, and a
    backward pass that leaves those sigma' factors out."""
    def one(z):
        return np.ones_like(z)

    activations = [replace(s, derivative=one, smooth=False) if L in layers else s
                   for L, s in enumerate(net.activations)]
    return Network(list(net.weights), list(net.biases), activations, exact=net.exact)


def as_exact(value):
    """A number of the results as a Fraction (floats exactly), for exact comparison."""
    value = np.asarray(value).reshape(-1)[0] if np.ndim(value) else value
    return value if isinstance(value, Fraction) else Fraction(float(value))


def slope_hint(net, g, L, j=0) -> str:
    """The hint for a chain that left out da_L/dz_L = sigma'(z_L)."""
    sigma = net.activations[L]
    z_name, a_name = neuron(net, L, j, "z"), neuron(net, L, j, "a")
    blocked = next((explain_blocked(b) for b in g.blocked if (b.L, b.j) == (L, j)), None)
    if blocked and g.da_dz[L][j] == 0:
        return (f"That leaves out {sigma.formula}'({z_name}) = 0, which makes the whole "
                f"product 0: {blocked}.")
    return (f"You left out {a_name.replace('a_', 'da_')}/d{z_name} = {sigma.formula}'({z_name}), "
            f"the activation's slope at {z_name}.")


def cost_slips(expected) -> dict:
    expected = np.asarray(expected, dtype=object)
    return {
        "C0 = (a_Out - y)^2 has no 1/2, so dC0/da_Out = 2(a_Out - y): check the factor 2.":
            expected / 2,
        "Check the sign: dC0/da_Out = 2(a_Out - y), a_Out minus y, not y minus a_Out.":
            -expected,
    }


def slope_layers(net, kind, L, linear=False) -> list:
    """The layers whose sigma' is a factor of the derivative ``kind`` of layer L; a linear
    layer's sigma' is 1 at every z, so it counts only with ``linear``."""
    first = 0 if kind == "x" else L + 1 if kind == "a" else L
    return [M for M in range(first, len(net.layer_names))
            if linear or net.activations[M].name != "linear"]


def catalogue(net, x, y, kind, L, index) -> dict:
    """{slip's key: (hint, value)}, each key naming its slip alike on every network."""
    g = net.backward(x, y)
    expected, _ = derivative_of(net, g, kind, L, index)
    found = dict(zip(("factor 2", "sign"), cost_slips(expected).items()))
    layers = slope_layers(net, kind, L)
    j = index[0] if kind != "x" else 0
    for M in layers:
        value = derivative_of(net, without_slopes(net, [M]).backward(x, y), kind, L, index)[0]
        found[f"slope {M}"] = (slope_hint(net, g, M, j if M == L else 0), value)
    if len(layers) > 1:
        value = derivative_of(net, without_slopes(net, layers).backward(x, y), kind, L, index)[0]
        found["every slope"] = ("You left out every sigma'(z) factor: each layer the chain "
                                "passes through multiplies by its activation's slope.", value)
    names = net.layer_names
    inputs = [g.forward.x, *g.forward.a]  # inputs[M] comes into layer M
    if net.is_chain:
        found.update(_chain_weight_slips(net, g, kind, L, expected, inputs))
    if kind in ("w", "b"):
        found.update(_input_slips(net, g, kind, L, index, inputs))
    if kind == "a" and L == len(names) - 1:
        found["cost"] = ("That is C0 itself; its derivative is dC0/da_Out = 2(a_Out - y).",
                         g.cost)
    if kind != "x" and L < len(names) - 1 and net.sizes[L + 2] > 1 and index[0] is not None:
        W, j, delta, after = net.weights[L + 1], index[0], np.asarray(g.dz[L + 1]), names[L + 1]

        def down(v):  # a value of dC0/da_L[j], carried down to the quantity asked for
            v = v if kind == "a" else v * np.asarray(g.da_dz[L])[j]
            return v * np.asarray(inputs[L])[index[1]] if kind == "w" else v

        if W.shape[0] == W.shape[1]:  # W, not W transposed
            found["row"] = (f"The sum runs down column {j} of W_{after} (w_{after}[q,{j}]: from "
                            f"neuron {j} of {names[L]} to neuron q of {after}), not along row {j}.",
                            down((W @ delta)[j]))
        for q in range(W.shape[0]):
            found[f"term {q}"] = (f"That is only the q = {q} term of the sum; neuron {j} of "
                                  f"{names[L]} feeds every neuron q of {after}.",
                                  down(W[q, j] * delta[q]))
    return found


def _chain_weight_slips(net, g, kind, L, expected, inputs) -> dict:
    """dz_M/da_(M-1) = w_M left out, or a_(M-1) in its place, for each weight down to L."""
    names = net.layer_names
    first = 0 if kind == "x" else L + 1
    slips = {}
    for M in range(first, len(names)):
        w = as_exact(net.weights[M])
        if w == 0:
            continue
        below = "x" if M == 0 else f"a_{names[M - 1]}"
        value = as_exact(expected) / w
        slips[f"a for w {M}"] = (f"dz_{names[M]}/d{below} is the weight w_{names[M]}, not "
                                 f"{below}: the chain back from {names[M]} goes through "
                                 f"w_{names[M]}.", value * as_exact(inputs[M]))
        slips[f"no w {M}"] = (f"You left out dz_{names[M]}/d{below} = w_{names[M]}.", value)
    return slips


def _input_slips(net, g, kind, L, index, inputs) -> dict:
    """dz/dw taken as 1 (that is dC0/db), as the weight, as another layer's or neuron's a, or
    as z; dz/db taken as the input."""
    names = net.layer_names
    j = index[0]
    dz = np.asarray(g.dz[L])[j]
    layer = names[L]
    if kind == "b":
        source = "x" if L == 0 else f"a_{names[L - 1]}"
        if net.sizes[L] == 1:
            return {"dw for db": (f"dz_{layer}/db_{layer} = 1: that is dC0/dw_{layer}, with "
                                  f"{source} in place of 1.", dz * np.asarray(inputs[L])[0])}
        return {}
    k = index[1]
    source = neuron(net, L - 1, k, "a")
    slips = {
        "db for dw": (f"That is dC0/db_{neuron(net, L, j, 'b')[2:]}: dz_{layer}/dw_{layer} is "
                      f"{source}, the value coming into {layer}, not 1.", dz),
        "w for a": (f"dz_{layer}/dw_{layer} is {source}, the value coming into {layer}, not the "
                    f"weight w_{layer}.", dz * net.weights[L][j, k]),
    }
    others = [(f"input {M}", neuron(net, M - 1, k, "a"), "the network's input" if M == 0 else
               f"{names[M - 1]}'s own output" if M - 1 == L else f"the output of {names[M - 1]}",
               np.asarray(values)[k]) for M, values in enumerate(inputs)
              if M != L and np.size(values) > k]
    if j != k and j < np.size(inputs[L]):
        others.append(("neuron j", neuron(net, L - 1, j, "a"), f"w_{layer}[{j},{k}] runs from "
                       f"{source} to neuron {j} of {layer}", np.asarray(inputs[L])[j]))
    if L > 0 and net.activations[L - 1].name != "linear":  # (a linear layer's a is z)
        others.append(("z for a", neuron(net, L - 1, k, "z"), f"before {names[L - 1]}'s "
                       "activation", np.asarray(g.forward.z[L - 1])[k]))
    for key, other, what, value in others:
        slips[key] = (f"dz_{layer}/dw_{layer} is {source}, the value coming into {layer}, not "
                      f"{other} ({what}).", dz * value)
    return slips


BLOCKING_BIAS = -10  # a bias that blocks a neuron: dead under ReLU, saturated under sigmoid/tanh


def _describe(net, x, y, changed: dict) -> str:
    if not changed:
        return f"on the exercise network (x = {fmt(x)}, y = {fmt(y)})"
    parts = [f"{name} = {fmt(value)}" for name, value in changed.items()]
    blocked = net.forward(x).blocked
    if blocked:
        b = blocked[0]
        where = "output neuron" if b.layer == net.layer_names[-1] else f"neuron {b.neuron}"
        return f"on a network whose {where} is {b.kind} ({', '.join(parts)})"
    return f"on the exercise network with {', '.join(parts)}"


def chain_cases(net, x, y, param: str) -> list:
    """[(net, x, y, words)]: the network, then each variant whose cost is not 0: a neuron
    blocked in each layer from ``param``'s up, two other inputs, another target, and z = -1 in
    the layer below ``param``'s (where a ReLU's a is not z)."""
    _, L, _ = quantity(net, param)
    x0, y0 = to_scalar(x, net.exact, "x", single=True), to_scalar(y, net.exact, "y", single=True)
    blocking = [{f"b_{n}": BLOCKING_BIAS} for n in reversed(net.layer_names[max(L, 0):])
                if f"b_{n}" in net.parameter_names]
    if L > 0:
        b = f"b_{net.layer_names[L - 1]}"
        blocking.append({b: net.param(b) - net.forward(x).z[L - 1][0] - 1})
    candidates = ([(net.with_params(b), b, x, y) for b in blocking]
                  + [(net, {"x": v}, v, y) for v in (-2 * x0, x0 + 1)]
                  + [(net, {"y": y0 + 1}, x, y0 + 1)])
    return [(net, x, y, _describe(net, x, y, {}))] + [
        (variant, cx, cy, _describe(variant, cx, cy, changes))
        for variant, changes, cx, cy in candidates if variant.backward(cx, cy).cost != 0]


def what_if(net, x, y, move: str, param: str) -> tuple:
    """(``net`` with the bias ``move`` changed, the question in words): the first whole amount
    (-1, 1, -2, ... 5) at which dC0/d``param`` shows a left-out sigma' of ``move``'s layer at a
    cost that is not 0 (under linear none can: -1 then)."""
    kind, L, _ = quantity(net, move)
    if kind != "b":
        raise ValueError(f"move: expected a bias (b_H0, b_Out, ...), got {move!r}")
    old = net.param(move)
    found = None
    for amount in (s * k for k in range(1, 6) for s in (-1, 1)):
        moved = net.with_params({move: old + amount})
        g, at = moved.backward(x, y), quantity(moved, param)
        slip = catalogue(moved, x, y, *at).get(f"slope {L}")
        expected = derivative_of(moved, g, *at)[0]
        shows = slip is not None and not close(np.asarray(slip[1]), expected)
        if g.cost != 0 and (shows or found is None):
            found = (moved, amount)
            if shows:
                break
    if found is None:
        raise ValueError(f"no change of {move} by a whole amount up to 5 gives a cost that "
                         "is not 0")
    moved, amount = found
    way = "lower" if amount < 0 else "higher"
    return moved, (f"What if {move} were {abs(amount)} {way}, {fmt(moved.param(move))} instead "
                   f"of {fmt(old)}?")


def unseen_slopes(net, x, y, param: str, slope_exercise: str | None = None,
                  what_if_args: tuple | None = None) -> str:
    """The sentence for a right value that shows no left-out sigma' (each is 1 at this example)
    or a linear layer's (1 at every z); "" else. Exercise ``slope_exercise``, the what-if of
    ``what_if(net, x, y, *what_if_args)``, is named for the factors its network shows."""
    kind, L, index = quantity(net, param)
    da_dz = net.forward(x).da_dz
    ones, shown, linear = {}, False, None
    for M in slope_layers(net, kind, L, linear=True):
        sigma = net.activations[M]
        j = index[0] if M == L and kind != "x" else None
        slope = np.asarray(da_dz[M], dtype=object)[slice(None) if j is None else j]
        if sigma.name == "linear":
            linear = sigma
        elif np.all(slope == 1):
            ones.setdefault(sigma.formula, []).append((M, j))
        else:
            shown = True  # this value shows a left-out sigma': say nothing of the others
    said = []
    if ones and not shown:
        at = "; ".join(f"{formula}' = 1 at {listed([neuron(net, M, j, 'z') for M, j in mj])}"
                       for formula, mj in ones.items())
        every = [mj for mjs in ones.values() for mj in mjs]
        those = "those factors" if len(every) > 1 else "that factor"
        there = []
        if what_if_args:  # the factors the what-if's network shows: sigma' not 1 in its gradient
            moved, _ = what_if(net, x, y, *what_if_args)
            moved_layers = slope_layers(moved, *quantity(moved, what_if_args[1])[:2])
            moved_slopes = moved.forward(x).da_dz
            there = [(M, j) for M, j in every if M in moved_layers
                     and np.any(np.asarray(moved_slopes[M], dtype=object)[
                         slice(None) if j is None else j] != 1)]
        can = ("" if not there else f"; exercise {slope_exercise} can" if there == every else
               f"; exercise {slope_exercise} shows the one{'s' * (len(there) > 1)} at "
               f"{listed([neuron(net, M, j, 'z') for M, j in there])}")
        said.append(f"Here {at}: this value cannot show {those}{can}.")
    if linear:
        said.append(f"{linear.formula}'(z) = 1 at every z: no value can show that factor.")
    return " ".join(said)


__all__ = ["what_if"]
