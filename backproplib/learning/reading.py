"""Sentences that read a computed result for the notebooks, so that no student-facing cell needs
code that only guards against other parameters (a range probe, an edge test)."""

from fractions import Fraction
from itertools import groupby

import numpy as np

from ..core.network import Network
from ..numbers import fmt, plural, rounded
from .descent import gradient_descent, listed
from .surface import CostSurface


def lowest_point(surface: CostSurface, digits: int = 4) -> str:
    """Where the grid's cost is lowest, and whether that point lies on the grid's edge (then the
    cost falls further outside the picture), with ``digits`` significant digits."""
    cost = np.asarray(surface.cost, dtype=float)
    index = np.unravel_index(np.nanargmin(cost), cost.shape)
    axes = list(zip(surface.names, surface.values, index))
    at = ", ".join(f"{name} = {rounded(values[i], digits)}" for name, values, i in axes)
    edges = [name for name, values, i in axes if i in (0, len(values) - 1)]
    if np.nanmax(cost) == cost[index]:  # a flat map has no lowest point of its own
        return f"{rounded(cost[index], digits)} at every point of this grid"
    where = ("no cost is below 0" if cost[index] == 0 else f"on the grid's edge in "
             f"{' and '.join(edges)}: the cost may be lower outside the picture" if edges else
             "inside the grid")
    return f"{rounded(cost[index], digits)} at {at} ({where})"


def when_blocked(net, x, path) -> str:
    """The first step of a descent ``path`` (from ``net`` on input ``x``) at which a neuron was
    dead or saturated, and what still had a gradient where descent ended."""
    for i, params in enumerate(path.params):
        blocked = net.with_params(params).forward(x).blocked
        if blocked:
            who = listed(f"{b.neuron} is {b.kind}" for b in blocked)
            still = ("every parameter still moved" if len(path.moving) == len(path.names)
                     else f"only {listed(path.moving)} still moved" if path.moving
                     else "nothing moved any more")
            start = "At the start" if i == 0 else f"From step {i} on"
            return f"{start}, {who}; where descent ended, {still}."
    return "No neuron became dead or saturated on the way."


def first_stuck(net, x, y, learning_rates, steps, params=None):
    """The descent at the first of ``learning_rates`` that ends stuck on a plateau, or None."""
    runs = (gradient_descent(net, x, y, eta, steps, params=params) for eta in learning_rates)
    return next((run for run in runs if run.outcome == "stuck"), None)


def stuck_report(run, params) -> str:
    """What ``first_stuck`` found, in words: the message and the gradients where it stopped."""
    if run is None:
        return (f"For these parameters descent on ({', '.join(params)}) did not get stuck at "
                "any of these learning rates.")
    lines = [f"learning rate {fmt(run.learning_rate)}: {run.message}"]
    lines += [f"gradient of {name} where it stopped: {fmt(run.gradients[-1][name])}"
              for name in params]
    return "\n".join(lines)


REGIMES = ("crawling", "falling", "converged", "stuck", "oscillating", "diverged")


def regimes(net, x, y, rates, steps, params=None, count=40) -> str:
    """What descent does at ``count`` learning rates log-spaced over a slider's ``rates`` =
    (low, high, step), on its grid, consecutive rates with the same outcome (and blocked
    neurons) grouped; the outcomes it never has, and which of them a linear twin has there."""
    low, high, step = map(float, rates)
    grid = np.unique(np.round(low + np.round((np.geomspace(low, high, count) - low) / step)
                              * step, 12))

    def sweep(net):
        runs = (gradient_descent(net, x, y, eta, steps, params) for eta in grid)
        words = [run.outcome + (f" with {listed(f'{b.neuron} {b.kind}' for b in run.blocked)}"
                                if run.blocked else "") for run in runs]  # "stuck with H1 dead"
        groups = [(w, [eta for _, eta in g]) for w, g in groupby(zip(words, grid), lambda p: p[0])]
        said = "; ".join(f"{w} at {fmt(r[0])}" if len(r) == 1 else
                         f"{w} from {fmt(r[0])} to {fmt(r[-1])}" for w, r in groups)
        return said, [w for w in REGIMES if w not in {v.split()[0] for v in words}]

    said, missing = sweep(net)
    lines = [f"On this slider ({len(grid)} learning rates from {fmt(grid[0])} to {fmt(grid[-1])}), "
             f"with these numbers and {plural(steps, 'step')}: {said}."]
    if missing:
        lines.append(f"Never on this slider: {listed(missing)}.")
    # (cross-entropy has no linear twin: it needs each a^Out in (0, 1))
    if missing and any(s.name != "linear" for s in net.activations) and not (
            net.cost_function.outputs):
        twin_said, twin_missing = sweep(Network(net.weights, net.biases, "linear", exact=False,
                                                cost=net.cost_function))
        seen = [w for w in missing if w not in twin_missing]
        ours = listed(dict.fromkeys(s.formula for s in net.activations))
        lines[-1] += (f" The linear twin (activation \"linear\" in place of {ours}, as below) "
                      f"shows {listed(seen) if seen else 'none of them'} on it: {twin_said}.")
        missing = [w for w in missing if w in twin_missing]
        lines += [f"Neither shows: {listed(missing)}."] if missing else []
    return "\n".join(lines)


def leaky_rescue(stuck, weights, biases, x, y, steps, params, long_steps=2000) -> str:
    """Descent from the same start with leaky ReLU, at the learning rate that got ``stuck``:
    whether and when the crawl left the plateau (or that nothing got stuck)."""
    if stuck is None:
        return "Nothing got stuck above, so there is nothing to rescue."
    ours, eta, plateau = stuck.net.activations[0].formula, stuck.learning_rate, stuck.costs[-1]
    leaky = Network.chain(weights=weights, biases=biases, activation="leaky_relu", exact=False)
    lines = [f"{ours}, learning rate {fmt(eta)}: stuck at C0 = {fmt(plateau)} after "
             f"{plural(stuck.steps_taken, 'step')}"]
    short = gradient_descent(leaky, x, y, eta, steps, params=params)
    lines.append(f"leaky ReLU in place of {ours}(z), {steps} steps: {short.outcome}, C0 = "
                 f"{fmt(short.costs[-1])}")
    rescue = gradient_descent(leaky, x, y, eta, long_steps, params=params)
    reached = next((i for i, c in enumerate(rescue.costs) if c <= plateau * 1.001), None)
    if reached is not None:
        left = next((i for i in range(reached, len(rescue.costs))
                     if rescue.costs[i] < 0.99 * plateau), None)
        height = f"the plateau's height (C0 about {fmt(plateau)})"
        if left == reached:  # below the plateau as soon as it got there: no steps on it
            lines.append(f"The leaky run was below {height} from step {reached} on.")
        else:
            after = (f"was still on it after {rescue.steps_taken} steps" if left is None else
                     f"left it at step {left}: {left - reached} steps of crawling")
            lines.append(f"The leaky run reached {height} at step {reached} and {after}.")
    lines.append(f"After {rescue.steps_taken} steps: {rescue.outcome}, C0 = "
                 f"{fmt(rescue.costs[-1])}")
    slope = rescue.net.forward(rescue.net.input(x)).da_dz["H1"][0]
    lines.append(f"H1's slope where the leaky run ended: da_H1/dz_H1 = {fmt(slope)}")
    return "\n".join(lines)


def float_against_exact(net, x, y) -> str:
    """A table of every gradient as a float (its repr) beside the exact fraction and their
    difference, or why there is none (exact fractions need rational activations)."""
    if not all(s.exact for s in net.activations):
        names = ", ".join(sorted({s.formula for s in net.activations if not s.exact}))
        return (f"Exact fractions need rational activations (ReLU, leaky ReLU, linear); {names} "
                "is not, so there is no exact table here.")
    exact_net = Network(net.weights, net.biases, [s.name for s in net.activations], exact=True)
    g, exact_g = net.as_float().backward(x, y), exact_net.backward(x, y)
    lines, noisy = [f"{'':>6}  {'float (repr)':<22} {'exact':<24} float - exact"], []
    for name in net.parameter_names:
        as_float, exact = float(g[name]), exact_g[name]
        error = float(Fraction(as_float) - exact)
        lines.append(f"{name:>6}  {as_float!r:<22} {fmt(exact):<24} {error:.2g}")
        noisy += [name] if as_float != float(exact) else []  # repr shows it: not the nearest float
    lines += ["", f"the exact gradient of w_H0 is the fraction {exact_g['w_H0']!r} = "
                  f"{fmt(exact_g['w_H0'])}"]
    lines.append("float noise shows in repr for: " + (", ".join(noisy) if noisy else "none"))
    return "\n".join(lines)


def zero_crossing(net, x, param: str, half_width=2.0, reach=6.0):
    """(text, (low, high)): where z of weight ``param``'s one-neuron layer crosses 0 as the
    weight moves, what the neuron does a step either side, and a range of the weight to draw:
    ``half_width`` around it, widened to the crossing and a step beyond if within ``reach``."""
    L = net.locate(param).L
    layer, fwd = net.layer_names[L], net.forward(x)
    a_in, into = (fwd.x[0], "x") if L == 0 else (fwd.a[L - 1][0], f"a_{net.layer_names[L - 1]}")
    w = float(net.param(param))
    low, high = w - half_width, w + half_width
    if a_in == 0:
        return (f"{into} = 0 here, so {param} has no effect on z_{layer}: the whole curve is "
                "flat and the gradient is 0.", (low, high))
    crossing = -net.param(f"b_{layer}") / a_in  # a Fraction when the network is exact
    formula = net.activations[L].formula
    lines = [f"z_{layer} = {param} * {into} + b_{layer} crosses 0 at {param} = "
             f"-b_{layer} / {into} = {fmt(crossing)}"]
    kinds = []
    for w_try in (crossing - 1, crossing + 1):
        there = net.with_params({param: w_try}).forward(x)
        kinds += [bl.kind for bl in there.blocked if bl.layer == layer][:1] or [None]
        state = f"{layer} is {kinds[-1]}" if kinds[-1] else f"{layer} passes gradient"
        lines += [f"  in a copy with {param} = {fmt(w_try)}:",
                  f"    z_{layer} = {fmt(there.z[layer][0])}, "
                  f"{formula}'(z_{layer}) = {fmt(there.da_dz[layer][0])}: {state}"]
    kind = next((k for k in kinds if k), None)
    if kind:
        flat = "flat" if kind == "dead" else "almost flat"
        lines.append(f"Where {layer} is {kind}, the curve is {flat} and so is the tangent.")
    else:
        lines.append(f"{formula} has a slope on both sides: the curve does not go flat there.")
    if abs(crossing - w) < reach:
        low, high = min(low, float(crossing) - 1), max(high, float(crossing) + 1)
    else:
        lines.append(f"(the crossing is far from {param} = {fmt(w)}, outside the range drawn)")
    return "\n".join(lines), (low, high)
