"""The slip catalogue: what the typical slips of the chain rule give, read from the library,
and exercise data in which every slip shows.

No slip is computed by writing the chain out again. Each comes from the library's own forward
and backward results:

- a sigma' factor left out: the backward pass of a copy of the network whose sigma' is 1 in
  that layer (``without_slopes``); its forward pass is unchanged;
- the 2 of dC0/da_Out = 2(a_Out - y) lost, or the sign turned: half, or minus, the answer;
- dz/dw taken as 1, the weight, or another layer's a: dC0/dz of that layer (``g.dz``) times
  that value;
- dz_M/da_(M-1) = w_M left out or replaced by a_(M-1) (a chain): the answer divided by w_M,
  times a_(M-1);
- the 1/m of a batch left out: m times the answer.

A case can hide a slip: a cost of 0 makes every gradient 0, and a sigma' of 1 (ReLU, linear)
makes a left-out sigma' invisible. ``coincidences`` lists what a set of cases cannot tell
apart; ``chain_cases`` picks cases that tell every slip apart that the activation allows;
``what_if`` changes a bias so that a value shows a left-out sigma'; ``unseen_slopes`` says
which sigma' a value cannot show.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

import numpy as np

from ..chainrule.ledger import explain_blocked
from ..core.network import Network
from ..numbers import fmt, to_scalar

_QUANTITY = re.compile(r"^(a|z)_([A-Za-z0-9]+)(?:\[(\d+)\])?$|^x(?:\[(\d+)\])?$")


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
    if match and match[2] in net.layer_names:
        L = net.layer_names.index(match[2])
        j = None if match[3] is None else int(match[3])
        if j is None and net.sizes[L + 1] == 1:
            j = 0
        if j is None or j < net.sizes[L + 1]:
            return match[1], L, (j,)
    if match and match[2] is None:
        k = None if match[4] is None else int(match[4])
        k = 0 if k is None and net.sizes[0] == 1 else k
        if k is None or k < net.sizes[0]:
            return "x", -1, (k,)
    valid = ", ".join(net.parameter_names[:12]) + (", ..." if len(net.parameter_names) > 12
                                                    else "")
    raise ValueError(f"param: unknown quantity {name!r}; expected a parameter name ({valid}), "
                     f"or a_<layer>, z_<layer> (layers {', '.join(net.layer_names)}) or x")


def neuron(net, L, j, letter) -> str:
    """a_H1, or a_H1[0] in a layer of several neurons; x or x[0] for L = -1."""
    name = "x" if L < 0 else f"{letter}_{net.layer_names[L]}"
    if net.sizes[L + 1] == 1 or j is None:
        return name
    return f"{name}[{j}]"


def derivative_of(net, g, kind, L, index):
    """(value, label) of the derivative ``quantity`` names, read from the results ``g``."""
    cost = "C" if g.batch_size else "C0"
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


def gradient_slips(net, x, y, kind, L, index) -> dict:
    """{hint: the value that slip gives} for the derivative (kind, L, index) at one example."""
    return dict(catalogue(net, x, y, kind, L, index).values())


def catalogue(net, x, y, kind, L, index) -> dict:
    """{slip's key: (hint, value)}; the keys name a slip the same way on every network, so
    that ``cases.coincidences`` can ask whether some case tells it apart."""
    g = net.backward(x, y)
    expected, _ = derivative_of(net, g, kind, L, index)
    found = {key: (hint, value) for (key, (hint, value)) in zip(
        ("factor 2", "sign"), cost_slips(expected).items())}
    layers = slope_layers(net, kind, L)
    j = index[0] if kind != "x" else 0
    for M in layers:
        value = derivative_of(net, without_slopes(net, [M]).backward(x, y), kind, L, index)[0]
        found[f"slope {M}"] = (slope_hint(net, g, M, j if M == L else 0), value)
    if len(layers) > 1:
        value = derivative_of(net, without_slopes(net, layers).backward(x, y), kind, L, index)[0]
        found["every slope"] = ("You left out every sigma'(z) factor: each layer the chain "
                                "passes through multiplies by its activation's slope.", value)
    fwd = g.forward
    names = net.layer_names
    inputs = [fwd.x] + [fwd.a[M] for M in range(len(names))]  # inputs[M] comes into layer M
    if net.is_chain:
        found.update(_chain_weight_slips(net, g, kind, L, expected, inputs))
    if kind in ("w", "b"):
        found.update(_input_slips(net, g, kind, L, index, inputs))
    if kind == "a" and L == len(names) - 1:
        found["cost"] = ("That is C0 itself; its derivative is dC0/da_Out = 2(a_Out - y).",
                         g.cost)
    square = kind != "x" and L < len(names) - 1 and net.weights[L + 1].shape[0] == net.sizes[L + 1]
    if square and not net.is_chain:
        j, row = index[0], net.weights[L + 1] @ np.asarray(g.dz[L + 1])  # W, not W transposed
        if kind == "a":
            found["row"] = (f"The sum runs down column {j} of W_{names[L + 1]} (the weights "
                            f"leaving neuron {j}), not along row {j}.",
                            row if j is None else row[j])
        elif j is not None:
            value = row[j] * np.asarray(g.da_dz[L])[j]
            if kind == "w":
                value = value * np.asarray(inputs[L])[index[1]]
            found["row"] = (f"The sum runs down column {j} of W_{names[L + 1]} (w_{names[L + 1]}"
                            f"[q,{j}]: from neuron {j} of {names[L]} to neuron q of "
                            f"{names[L + 1]}), not along row {j}.", value)
    return found


def _chain_weight_slips(net, g, kind, L, expected, inputs) -> dict:
    """dz_M/da_(M-1) = w_M left out, or a_(M-1) in its place, for each weight the chain
    passes on its way down to (kind, L)."""
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
    """dz/dw taken as 1 (that is dC0/db), as the weight, or as another layer's a; dz/db taken
    as the input."""
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
    for M, values in enumerate(inputs):
        if M != L and np.size(values) > k:
            other = neuron(net, M - 1, k, "a")
            what = "the network's input" if M == 0 else (
                f"{names[M - 1]}'s own output" if M - 1 == L else f"the output of {names[M - 1]}")
            slips[f"input {M}"] = (f"dz_{layer}/dw_{layer} is {source}, the value coming into "
                                   f"{layer}, not {other} ({what}).", dz * np.asarray(values)[k])
    return slips


BLOCKING_BIAS = -10  # a bias that blocks a neuron: dead under ReLU, saturated under sigmoid/tanh
_TOLERANCE = 1e-6


def _same(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=_TOLERANCE, atol=1e-12))


def _separates(net, x, y, kind, L, index) -> tuple:
    """(cost is 0, {slip key: True if this case tells the slip from the right value})."""
    g = net.backward(x, y)
    expected = derivative_of(net, g, kind, L, index)[0]
    found = catalogue(net, x, y, kind, L, index)
    return g.cost == 0, {key: not _same(value, expected) for key, (_, value) in found.items()}


def coincidences(cases, param: str) -> list:
    """What the cases [(net, x, y), ...] cannot tell apart when checking dC0/d``param``: a
    case whose cost is 0, and every slip of the catalogue that gives the right value on every
    case. A slip that no network of these activations can show (a left-out sigma' of a linear
    layer) is not in the catalogue. [] when the cases are fit for the check."""
    problems = []
    told = {}
    for number, (net, x, y) in enumerate(cases, start=1):
        kind, L, index = quantity(net, param)
        zero, separated = _separates(net, x, y, kind, L, index)
        if zero:
            problems.append(f"case {number} has a cost of 0, so every gradient is 0")
        for key, yes in separated.items():
            told[key] = told.get(key, False) or yes
    hints = catalogue(*cases[0], *quantity(cases[0][0], param))
    for key, yes in told.items():
        if not yes:
            hint = hints[key][0] if key in hints else key
            problems.append(f"no case tells this slip from the right answer: {hint}")
    return problems


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
    """[(net, x, y, words)]: the network itself, then each variant whose cost is not 0: a
    neuron blocked in each layer from ``param``'s up, two other inputs, another target.
    ``coincidences`` of the result is [] for a fit exercise network (a test checks this)."""
    _, L, _ = quantity(net, param)
    first = max(L, 0)
    candidates = []
    for M in range(len(net.layer_names) - 1, first - 1, -1):
        name = f"b_{net.layer_names[M]}"
        if name in net.parameter_names:
            candidates.append(({name: BLOCKING_BIAS}, x, y))
    x0, y0 = to_scalar(x, net.exact, "x", single=True), to_scalar(y, net.exact, "y", single=True)
    for other_x in (-2 * x0, x0 + 1):
        candidates.append(({"x": other_x}, other_x, y))
    candidates.append(({"y": y0 + 1}, x, y0 + 1))
    chosen = [(net, x, y, _describe(net, x, y, {}))]
    for changes, cx, cy in candidates:
        params = {k: v for k, v in changes.items() if k.startswith(("w_", "b_"))}
        variant = net.with_params(params) if params else net
        if variant.backward(cx, cy).cost != 0:
            chosen.append((variant, cx, cy, _describe(variant, cx, cy, changes)))
    return chosen


def what_if(net, x, y, move: str, param: str) -> tuple:
    """(the copy of ``net`` with the bias ``move`` changed, the question in words). The
    change is the first whole amount (-1, 1, -2, 2, ... 5) at which the value dC0/d``param``
    shows a left-out sigma' of ``move``'s layer at a cost that is not 0: under ReLU that
    neuron is dead, under leaky ReLU its z is below 0. Under linear no change can; -1 then."""
    kind, L, _ = quantity(net, move)
    if kind != "b":
        raise ValueError(f"move: expected a bias (b_H0, b_Out, ...), got {move!r}")
    old = net.param(move)
    found = None
    for amount in (s * k for k in range(1, 6) for s in (-1, 1)):
        moved = net.with_params({move: old + amount})
        zero, told = _separates(moved, x, y, *quantity(moved, param))
        if not zero and (told.get(f"slope {L}") or found is None):
            found = (moved, amount)
            if told.get(f"slope {L}"):
                break
    if found is None:
        raise ValueError(f"no change of {move} by a whole amount up to 5 gives a cost that "
                         "is not 0")
    moved, amount = found
    way = "lower" if amount < 0 else "higher"
    return moved, (f"What if {move} were {abs(amount)} {way}, {fmt(moved.param(move))} instead "
                   f"of {fmt(old)}?")


def unseen_slopes(net, x, y, param: str, slope_exercise: str | None = None) -> str:
    """The sentence for a right value that cannot show a left-out sigma': one of its chain's
    sigma' is 1 at this example (ReLU, leaky ReLU at z > 0), naming ``slope_exercise`` (one
    whose sigma' is not 1), or at every z (linear). "" when the value shows every sigma'."""
    kind, L, index = quantity(net, param)
    fwd = net.forward(x)
    ones, linear = [], []
    for M in slope_layers(net, kind, L, linear=True):
        sigma = net.activations[M]
        j = index[0] if M == L and kind != "x" else None
        slopes = np.asarray(fwd.da_dz[M], dtype=object)
        slope = slopes if j is None else slopes[j]
        if sigma.name == "linear":
            linear.append(M)
        elif np.all(slope == 1):
            ones.append(f"{sigma.formula}'({neuron(net, M, j, 'z')}) = 1")
    said = []
    if ones:
        those = "those factors" if len(ones) > 1 else "that factor"
        other = f"; exercise {slope_exercise} has a sigma' that is not 1" if slope_exercise else ""
        listed = " and ".join([", ".join(ones[:-1]), ones[-1]] if len(ones) > 2 else ones)
        said.append(f"Here {listed}, so this value cannot show whether your chain "
                    f"has {those}{other}.")
    if linear:
        said.append(f"{net.activations[linear[0]].formula}'(z) is 1 at every z, so no value "
                    "can show whether your chain has that factor.")
    return " ".join(said)
