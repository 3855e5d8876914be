"""Exercise data without coincidences: cases in which every typical slip shows.

A case can hide a slip: a cost of 0 makes every gradient 0, so any chain "passes"; a sigma'
of 1 (ReLU, linear) makes a left-out sigma' invisible; a dead neuron in a case whose cost is 0
tests nothing. ``coincidences`` lists what a set of cases cannot tell apart, and
``chain_cases`` picks, for one derivative of a network, a set of cases (the network itself,
then variants with a blocked neuron or another input) that tells every slip apart that the
activation allows, with each case said in words. ``what_if`` changes a bias so that a value
exercise shows a left-out sigma', and ``unseen_slopes`` says which sigma' a value cannot show.
"""

from __future__ import annotations

import numpy as np

from ..numbers import fmt, to_scalar
from .slips import catalogue, derivative_of, neuron, quantity, slope_layers

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
