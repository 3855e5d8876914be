"""Checks of a network's quantities (z and a of a layer, a gradient, the blocked neurons),
each computed from the network it is given, its slips named from the catalogue (``slips``)."""

from __future__ import annotations

import numbers

import numpy as np

from ..chainrule.ledger import explain_blocked
from ..core.activations import ACTIVATIONS, get
from ..core.network import Network
from ..learning.descent import unreachable_target
from ..numbers import fmt, plural
from .answers import RIGHT, UNANSWERED, WRONG, Feedback, check_choice, check_value, shown
from .sandbox import Case, check_function, forward_only, function_name
from .slips import (
    catalogue,
    chain_cases,
    cost_slips,
    derivative_of,
    neuron,
    quantity,
    unseen_slopes,
)


# --- forward values --------------------------------------------------------------------------
def layer_position(names, layer) -> int:
    """Where ``layer`` ("H1") stands in ``names``; an error listing the names otherwise."""
    if not isinstance(layer, str):
        raise TypeError(f"layer: expected a layer name ({', '.join(names)}), got {layer!r}")
    if layer not in names:
        near = [n for n in names if n.lower() == layer.strip().lower()]
        tail = f" (did you mean {near[0]!r}?)" if near else ""
        raise ValueError(f"layer: expected one of {', '.join(names)}, got {layer!r}{tail}")
    return names.index(layer)


def _index(net, L, j):
    n = net.sizes[L + 1]
    if j is None:
        return None
    if isinstance(j, bool) or not isinstance(j, numbers.Integral) or not 0 <= j < n:
        raise ValueError(f"j: expected a neuron of {net.layer_names[L]} (0 to {n - 1}), "
                         f"got {j!r}")
    return int(j)


def check_forward(answer, net, x, quantity: str, layer: str, j=None,
                  changes: dict | None = None) -> Feedback:
    """Check z or a (``quantity``) of a layer, or of its neuron ``j``; with ``changes``
    ({"b_H1": -5}) on ``net.with_params(changes)``, the unchanged network's value a slip."""
    if quantity not in ("z", "a"):
        raise ValueError(f"quantity: expected 'z' or 'a', got {quantity!r}")
    L = layer_position(net.layer_names, layer)
    j = _index(net, L, j)
    if changes:
        moved = net.with_params(changes)
        feedback = check_forward(answer, moved, x, quantity, layer, j)
        old, new = (np.asarray(getattr(n.forward(x), quantity)[L]).reshape(-1)[j or 0]
                    for n in (net, moved))
        if feedback.status == WRONG and old != new and check_value(answer, old, "old value"):
            said = ", ".join(f"{n} = {fmt(v)}" for n, v in changes.items())
            return Feedback(WRONG, f"that is {neuron(net, L, j, quantity)} of the network as it "
                                   f"was; with {said} the pass changes from there on.")
        return feedback
    fwd = net.forward(x)
    pick = (lambda v: np.asarray(v)) if (j is None and net.sizes[L + 1] > 1) else (
        lambda v: np.asarray(v).reshape(-1)[j or 0])
    sigma = net.activations[L]
    W, b, a_in = net.weights[L], net.biases[L], [fwd.x, *fwd.a][L]
    name, z_name = neuron(net, L, j, quantity), neuron(net, L, j, "z")
    source = "x" if L == 0 else f"a_{net.layer_names[L - 1]}"
    z, a = fwd.z[L], fwd.a[L]
    slips = {}
    if quantity == "z":
        slips[f"Don't forget the bias: {z_name} = w_{layer} * {source} + b_{layer}."] = W @ a_in
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
        hint = (f"{z_name} = w_{layer} * {source} + b_{layer}." if W.shape[1] == 1 else
                f"{z_name} = the sum over k of w_{layer}[j,k] * {source}[k], plus b_{layer}[j].")
    else:
        slips[f"That is {z_name}, before the activation; now apply {sigma.formula}."] = z
        for other in (o for o in ACTIVATIONS.values() if o.name not in (sigma.name, "linear")):
            with np.errstate(all="ignore"):
                value = other.function(np.asarray(z, dtype=float))
            slips[f"That is {other.formula}({z_name}), but this network's activation in "
                  f"{layer} is {sigma.formula}."] = value
        hint = f"{name} = {sigma.formula}({z_name}), with {z_name} computed first."
    return check_value(answer, pick(z if quantity == "z" else a), name, hint,
                       {slip: pick(value) for slip, value in slips.items()})


# --- gradients -------------------------------------------------------------------------------
def check_gradient(answer, net, x, y, param: str, slope_exercise: str | None = None,
                   what_if_args: tuple | None = None, before: Network | None = None) -> Feedback:
    """Check dC0/d``param`` ("w_Out", "w_H1[0,1]", "a_H1", "z_Out[0]", "x"), naming the slips
    of the chain rule (and ``before``'s value, a what-if's network before its change); a right
    value that cannot show a left-out sigma' says so, naming ``slope_exercise`` ("2.6", the
    what-if ``what_if(net, x, y, *what_if_args)``) where its network shows it."""
    if before is not None and (not isinstance(before, Network) or before.sizes != net.sizes):
        raise TypeError(f"before: expected the network before the change (sizes {net.sizes}), "
                        f"got {before!r}")
    if (slope_exercise is None) != (what_if_args is None):
        raise ValueError("slope_exercise and what_if_args: expected both (\"4.5\" and the "
                         f"(move, param) of its what_if) or neither, got {slope_exercise!r} and "
                         f"{what_if_args!r}")
    kind, L, index = quantity(net, param)
    g = net.backward(x, y)
    expected, label = derivative_of(net, g, kind, L, index)
    hint = _gradient_hint(net, kind, L, index)
    if g.batch_size is None:
        slips = dict(catalogue(net, x, y, kind, L, index).values())
    else:
        slips = {**cost_slips(expected), "That is the sum over the examples: C is their "
                 "average, so divide by m.": np.asarray(expected, dtype=object) * g.batch_size}
        hint = (f"{label} is the average over the {g.batch_size} examples of each one's "
                f"{label.replace('dC/', 'dC0/')}, and {hint}")
    if before is not None:
        said = ", ".join(f"{n} = {fmt(net.param(n))}" for n in net.parameter_names
                         if net.param(n) != before.param(n))
        slips[f"That is {label} of the network as it was: with {said}, compute the forward "
              "pass again first."] = derivative_of(before, before.backward(x, y), kind, L, index)[0]
    feedback = check_value(answer, expected, label, hint, slips,
                           note=unreachable_target(net, y) or "")
    unseen = (unseen_slopes(net, x, y, param, slope_exercise, what_if_args)
              if feedback and g.batch_size is None else "")
    return Feedback(RIGHT, f"{feedback.message} {unseen}") if unseen else feedback


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
    """Which neurons pass (almost) no gradient back at input x (``ForwardPass.blocked``)? The
    answer: a list of names as ``Blocked.neuron`` writes them ("H1", "H1[0]"), one, or []."""
    fwd = net.forward(x)
    positions = {neuron(net, L, j, "z")[2:]: (L, j)
                 for L in range(len(net.layer_names)) for j in range(net.sizes[L + 1])}
    neurons = list(positions)
    blocked = {b.neuron: b for b in fwd.blocked}
    if answer is None:
        return Feedback(UNANSWERED, "replace None with a list of the blocked neurons, e.g. "
                                    "['H1'], or [] if there is none.")
    named = _neuron_names(answer)
    if named is None:
        return Feedback(WRONG, f"{shown(answer)} is not a list of neuron names; "
                               f"answer with a list such as ['{neurons[0]}'], or [].")
    unknown = [n for n in named if n not in neurons]
    if unknown:
        return Feedback(WRONG, f"{', '.join(map(str, unknown))} is not a neuron of this "
                               f"network; its neurons are {', '.join(neurons)}.")
    if set(named) == set(blocked):
        why = "; ".join(explain_blocked(b) for b in blocked.values())
        return Feedback(RIGHT, f"{why}." if blocked else "no neuron is blocked here: every "
                        "sigma'(z) is large enough to pass gradient back.")
    parts = []
    for n in named:
        if n not in blocked:
            L, j = positions[n]
            parts.append(f"{n} passes gradient back: {net.activations[L].formula}'(z_{n}) = "
                         f"{fmt(fwd.da_dz[L][j])} at z_{n} = {fmt(fwd.z[L][j])}")
    missed = [n for n in blocked if n not in named]
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


# --- the chain notebooks' exercises ----------------------------------------------------------
def check_chain_function(function, net, x, y, param: str) -> Feedback:
    """A student's ``f(net, x, y)`` giving dC0/d``param`` of any chain from the forward pass, on
    ``slips.chain_cases``, each on a copy whose backward pass is switched off."""
    kind, L, index = quantity(net, param)
    checked = []
    for case_net, cx, cy, words in chain_cases(net, x, y, param):
        expected = derivative_of(case_net, case_net.backward(cx, cy), kind, L, index)[0]
        checked.append(Case((forward_only(case_net), cx, cy), words, expected,
                            dict(catalogue(case_net, cx, cy, kind, L, index).values())))
    return check_function(function, None, checked, function_name(function, "your function"),
                          hint=_gradient_hint(net, kind, L, index))


def check_target_change(answer, net, x, y) -> Feedback:
    """By how much dC0/da_Out changes when the target grows by 1 (the prediction unchanged)."""
    before = net.backward(x, y).da[-1]
    after = net.backward(x, net.target(y) + 1).da[-1]
    expected = np.asarray(after, dtype=object)[0] - np.asarray(before, dtype=object)[0]
    return check_value(answer, expected, "the change of dC0/da_Out",
                       hint="write 2(a - (y + 1)) - 2(a - y) and simplify; no numbers needed.",
                       mistakes={"Don't forget the 2 of 2(a - y).": expected / 2,
                                 "A larger target makes a - y smaller: the change is "
                                 "negative.": -expected})


def check_weight_source(answer, net, weight: str) -> Feedback:
    """Which neuron of the layer before a weight such as "w_H1[1,0]" comes from."""
    kind, L, index = net.locate(weight)
    if kind != "w" or len(index) != 2:
        raise ValueError(f"weight: expected a weight w_<layer>[j,k], got {weight!r}")
    j, k = index
    before, layer = "x" if L == 0 else net.layer_names[L - 1], net.layer_names[L]
    source = "x" if L == 0 else f"a_{before}"
    return check_value(answer, k, f"the index of the {before} neuron that {weight} comes from",
                       hint="w_jk runs from neuron k of layer L-1 to neuron j of layer L.",
                       mistakes={f"The weight goes to a neuron of {layer}; it comes from the "
                                 f"{before} neuron it multiplies in z_{layer}[j] = sum over k of "
                                 f"w_{layer}[j,k] * {source}[k] + b_{layer}[j].": j})


def check_activation_function(function, activation) -> Feedback:
    """A student's sigma(z) for ``activation`` (a name or an Activation), on z values on both
    sides of 0, at 0 and far out."""
    sigma = get(activation)
    zs = (2.05, -1.5, 0.0, -0.001, 7.0)
    others = {f"That is {o.formula}; this notebook's activation is {sigma.formula}.": o
              for o in ACTIVATIONS.values() if o.name != sigma.name}
    cases = [Case((z,), f"at z = {fmt(z)}", sigma.function(np.array([z]))[0],
                  {hint: o.function(np.array([z]))[0] for hint, o in others.items()})
             for z in zs]
    return check_function(function, None, cases, function_name(function, "my_sigma"),
                          hint=f"compare with the table in notebook 00, row {sigma.name!r}.")


def check_direction(answer, net, x, y, param: str) -> Feedback:
    """Predict, then check: nudged up a little, does ``param`` make C0 go up (a), down (b)
    or stay (c)? Judged from the sign of dC0/d``param``."""
    slope = net.backward(x, y)[param]
    correct = "a" if slope > 0 else "b" if slope < 0 else "c"
    why = {"a": f"C0 goes up (to first order) only where dC0/d{param} > 0: work out its sign, "
                "factor by factor.",
           "b": f"C0 goes down only where dC0/d{param} < 0: work out its sign, factor by factor.",
           "c": f"a nudge h moves C0 by about dC0/d{param} * h: small, but 0 only where "
                f"dC0/d{param} = 0."}
    why[correct] = {"a": f"dC0/d{param} > 0: the cost rises with {param}.",
                    "b": f"dC0/d{param} < 0: the cost falls as {param} grows.",
                    "c": f"dC0/d{param} = 0: to first order the cost does not move."}[correct]
    return check_choice(answer, correct, {"a": "C0 goes up", "b": "C0 goes down",
                                          "c": "C0 stays the same"}, why,
                        what="the direction C0 moves")


def check_nonzero_gradients(answer, net, x, y) -> Feedback:
    """How many parameters have a gradient that is not 0 (a tiny one counts)."""
    g = net.backward(x, y)
    count = int(sum(g[n] != 0 for n in net.parameter_names))
    kinds = {b.kind for b in g.blocked}
    hint = ("a slope that is tiny is not 0: only a factor that is exactly 0 makes a product 0."
            if "saturated" in kinds or count == len(net.parameter_names) else
            "a factor that is exactly 0 (a dead neuron's sigma', or an activation of 0 that a "
            "weight multiplies) makes the whole product 0.")
    return check_value(answer, count, "the number of parameters with a non-zero gradient",
                       hint=hint, mistakes={"Count the parameters whose chain holds no factor "
                                            "that is exactly 0: not all of them.":
                                            len(net.parameter_names)})  # passed over if right


def check_output_gradient(answer, a_Out, y) -> Feedback:
    """dC0/da_Out for a prediction ``a_Out`` and a target ``y`` (of some network)."""
    identity = Network.chain(weights=[1, 1, 1], biases=[0, 0, 0], activation="linear")
    return check_gradient(answer, identity, a_Out, y, "a_Out")


__all__ = [
    "check_activation_function", "check_blocked", "check_chain_function", "check_direction",
    "check_forward", "check_gradient", "check_nonzero_gradients", "check_output_gradient",
    "check_target_change", "check_weight_source",
]
