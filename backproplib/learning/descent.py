"""Gradient descent on one example or a full batch, step by step, and what the run did, in words.

Each step is ``Network.descend``, p <- p - learning_rate * dC/dp, for the parameters named in
``params`` only (all by default), in floats; a step that overflows ends the path at the last
finite point. ``DescentPath.outcome`` is "converged", "falling", "crawling", "oscillating",
"diverged", "stuck" or "unmoved"; ``message`` says why in about 30 words from the run's own
numbers, ``details`` explains more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..chainrule.ledger import explain_blocked
from ..core.network import Network
from ..numbers import fmt, indexed, plural, positive_number, rounded, whole_number

MAX_STEPS = 100_000  # more steps than this are refused (a run should take seconds, not hours)
CONVERGED_COST = 1e-8  # a cost at most this (times the starting cost, within 1 and 1e4) is ~0
ROUNDING_COST = 1e-30  # ... and at most this is 0 to float precision (a - y: a few float spacings)
CRAWLING_PACE = 0.01  # falling by less than 1% of the cost per step counts as crawling


@dataclass(frozen=True)
class DescentPath:
    """One entry per visited point (the start is entry 0): ``params[i]`` {name: value} of the
    moving parameters ``names``, ``costs[i]`` (``cost_name`` C0, or C for a batch),
    ``gradients[i]`` {name: dC/dname}. ``net`` is the network at the last finite point, where
    ``moving`` have a gradient not 0 and ``blocked`` neurons are blocked."""

    names: tuple
    learning_rate: float
    steps: int  # steps asked for; len(costs) - 1 were taken
    params: list
    costs: list
    net: Network
    gradients: list = field(repr=False)
    moving: tuple
    blocked: tuple
    cost_name: str
    outcome: str = ""
    message: str = ""
    details: str = ""

    @property
    def steps_taken(self) -> int:
        return len(self.costs) - 1

    @property
    def cost_steps(self) -> list:
        """The step of each cost, as ``training.Trainer.cost_steps``: 0, 1, 2, ..."""
        return list(range(len(self.costs)))

    def array(self, names=None) -> np.ndarray:
        """The path as an array of shape (points, len(names)), e.g. to draw it on a contour."""
        names = self.names if names is None else tuple(names)
        return np.array([[p[n] for n in names] for p in self.params], dtype=float)

    def __str__(self):
        return self.message


def whole_steps(value, what: str = "steps") -> int:
    """A number of steps: a whole number from 1 to MAX_STEPS, of any number type or text."""
    return whole_number(value, what, 1, MAX_STEPS)


def gradient_descent(net: Network, x, y, learning_rate, steps, params=None) -> DescentPath:
    """Take ``steps`` steps of size ``learning_rate`` downhill, moving ``params`` only, on one
    example or a batch X (m, n_x), Y (m, n_Out) (then on the average cost C: full batch)."""
    lr = positive_number(learning_rate, "learning_rate")
    steps = whole_steps(steps)
    names = tuple(net.parameter_names) if params is None else parameter_list(net, params)
    net = net.as_float()
    x, y = net.input(x), net.target(y)
    floor = lowest_cost(net, y)
    moves = None if set(names) == set(net.parameter_names) else names  # None: whole arrays
    with np.errstate(all="ignore"):
        g = net.backward(x, y)
        points, costs, grads, overflowed = [], [float(g.cost)], [_gradient(g)], False
        scale = min(max(1.0, costs[0]), 1e4)  # the unit of CONVERGED_COST and ROUNDING_COST
        while True:
            points.append({n: float(v) for n, v in net.params().items() if n in names})
            if (len(costs) > steps or costs[-1] - floor <= ROUNDING_COST * scale
                    or all(grads[-1][n] == 0 for n in names)):
                break  # done, on the bottom to float precision, or nothing can move (stuck)
            try:
                new = net.descend(g, lr, moves)
                new_g = new.backward(x, y)
                grad = _gradient(new_g)
                overflowed = not all(map(math.isfinite, [new_g.cost, *grad.values()]))
            except (OverflowError, ValueError):  # descend refuses a parameter beyond floats
                overflowed = True
            if overflowed:
                break
            net, g = new, new_g
            costs.append(float(g.cost))
            grads.append(grad)
    path = DescentPath(names, lr, steps, points, costs, net, gradients=grads,
                       moving=tuple(n for n in names if grads[-1][n] != 0), blocked=g.blocked,
                       cost_name=g.cost_name)
    outcome, message, details = _outcome(path, floor, scale, overflowed)
    extra = [details, _still_moving(path, outcome), unreachable_target(net, y)]
    return replace(path, outcome=outcome, message=message,
                   details=" ".join(e for e in extra if e))


def _gradient(g) -> dict:
    return {name: float(value) for name, value in g.as_dict().items()}


def _outcome(path, floor, scale, overflowed):
    """(outcome, message, details) of a finished run, every number read from the run; ``floor``
    is the lowest cost the output allows (> 0 when y is out of its reach), ``scale`` the unit
    of the tolerances (the starting cost, kept within 1 and 1e4)."""
    C, points, costs, moving = path.cost_name, path.params, path.costs, path.moving
    taken, start, end, eta = len(costs) - 1, costs[0], costs[-1], fmt(path.learning_rate)
    landed = end - floor <= ROUNDING_COST * scale  # on the floor: a C0 of 1e-32 is 0
    shown = f"{fmt(floor)} (to floating-point precision)" if landed and end != floor else fmt(end)
    fell = (f"{C} went from {fmt(start)} to {shown} in {plural(taken, 'step')}" if taken else
            f"{C} was {shown} at the start, before any step")
    dead = [b.neuron for b in path.blocked if b.kind == "dead"]
    out_dead = any(b.layer == path.net.layer_names[-1] for b in path.blocked if b.kind == "dead")
    are, it = ("is", "it") if len(dead) == 1 else ("are", "them")
    if overflowed:
        return "diverged", (f"Diverged: step {taken + 1} overflowed floating point, so descent "
                            f"stopped at {C} = {fmt(end)}. The learning rate {eta} is too "
                            "large."), _OVERSHOOT
    at_bottom = end - floor <= CONVERGED_COST * scale
    if dead and not moving and (out_dead or not at_bottom):  # nothing left that could learn
        went_up = (" On the way the cost went up: a step overshot onto the flat part."
                   if end > start else "")
        return "stuck", (f"Stuck: {listed(dead)} {are} dead, so no gradient flows back through "
                         f"{it}; {fell}."), (
            "; ".join(explain_blocked(b) for b in path.blocked) + "." + went_up)
    where = ("" if landed and floor == 0 else ", about 0" if floor == 0 else
             f", {'' if landed else 'about '}the lowest this output allows ({fmt(floor)})")
    if at_bottom and dead:  # Out's parameters took C there: with dead neurons, never "converged"
        return "falling", (f"Fell: {fell}{where}, but {listed(dead)} {are} dead, so no gradient "
                           f"flows back through {it}."), ""
    if at_bottom:
        return "converged", f"Converged: {fell}{where}.", ""
    if not moving:
        return "converged", (f"Converged: every gradient is 0 at {C} = {fmt(end)} after "
                             f"{plural(taken, 'step')}: a minimum or a flat spot."), ""
    if taken == 0 or all(p == points[0] for p in points):
        return "unmoved", (f"Nothing moved: with learning rate {eta}, p - learning_rate * "
                           f"d{C}/dp rounds back to p in floating point. Use a larger learning "
                           "rate."), ""
    # the moving parameters whose step flips sign on every one of the last (up to 6) steps
    jumps = {n: np.diff([p[n] for p in points[-7:]]) for n in moving}
    swinging = [n for n, d in jumps.items() if taken >= 3 and (d[:-1] * d[1:] < 0).all()]
    if end > start * (1 + 1e-9):
        return "diverged", (f"Diverged: {C} grew from {fmt(start)} to {fmt(end)} in "
                            f"{plural(taken, 'step')}. The learning rate {eta} is too "
                            "large."), _OVERSHOOT
    # 1 or 2 steps show no zig-zag, but they do show a bounce: C back where it was, and the
    # gradient of what bounced reversed on every step
    grads = path.gradients
    bounced = [n for n in moving if all(a[n] * b[n] < 0 for a, b in zip(grads, grads[1:]))]
    if taken < 3 and bounced and max(costs) - min(costs) <= 1e-6 * abs(end):
        on = "both steps" if taken == 2 else f"{'its' if len(bounced) == 1 else 'their'} one step"
        return "oscillating", (f"Oscillating: {listed(bounced)} jumped over the valley on {on}, "
                               f"landing as high on the other side; {fell}. Try a smaller "
                               f"learning rate than {eta}."), ""
    if swinging and max(costs[-4:]) - min(costs[-4:]) <= 1e-6 * abs(end):
        name = swinging[0]
        values = [p[name] for p in points[-3:]]
        factor = (values[2] - values[1]) / (values[1] - values[0])
        c = (1 - factor) / (2 * path.learning_rate)
        return "oscillating", (f"Oscillating: {name} jumps over the valley and back on every "
                               f"step, and {C} stays at {fmt(end)}. Try a smaller learning "
                               f"rate than {eta}."), (
            f"Near its best value the cost grows like c * ({name} - best)^2 with c = {fmt(c)}, "
            f"so a step multiplies the distance to the best value by 1 - 2c * learning_rate = "
            f"{fmt(factor)}. A learning rate below {fmt(1 / c)} (1/c) converges.")
    drop = costs[-2] - end
    pace = drop / costs[-2]
    length = [math.sqrt(sum(path.gradients[i][n] ** 2 for n in path.names)) for i in (-1, 0)]
    detail = (f"The last step {'lowered' if drop >= 0 else 'raised'} {C} by {fmt(abs(drop))} "
              f"({_percent(abs(pace))}); the gradient has length {fmt(length[0])} "
              f"({fmt(length[1])} at the start).")
    if swinging:
        detail += f" {listed(swinging)} zig-zag: the learning rate is close to too large."
    dead = f" {listed(dead)} {are} dead." if dead else ""
    if taken < 3 and end < start:  # 1 or 2 steps show no pace (as no zig-zag): what they did
        each = " and then ".join(f"{'down' if b < a else 'up'} {_percent(abs(b - a) / a)}"
                                 if b != a else "unchanged" for a, b in zip(costs, costs[1:]))
        return "falling", f"Fell: {fell}, {each}.{dead}", detail
    rises = sum(b > a * (1 + 1e-9) for a, b in zip(costs, costs[1:]))
    if rises:  # lower at the end, but not on every step: no pace to quote
        return "falling", (f"Falling unevenly: {fell}, but it went up on {rises} of the "
                           f"{taken} steps.{dead}"), detail
    if pace >= CRAWLING_PACE:
        return "falling", f"Still falling: {fell}, by {_percent(pace)} on the last step.{dead}", (
            detail)
    return "crawling", (f"Crawling: {fell}, by only {_percent(max(pace, 0))} on the last "
                        f"step.{dead}"), detail


def _still_moving(path, outcome):
    """Which parameters still move; when every neuron of the last hidden layer is dead and
    only Out's biases move, that the network has become a constant predictor."""
    names, moving, net = path.names, path.moving, path.net
    if outcome in ("converged", "diverged") or len(moving) in (0, len(names)):
        return ""
    still = [n for n in names if n not in moving]
    text = (f"Still moving: {listed(moving)}; {listed(still)} "
            f"{'has' if len(still) == 1 else 'have'} gradient 0.")
    hidden = len(net.layer_names) - 2  # -1: no hidden layer, no one dead
    dead = {b.j for b in path.blocked if b.L == hidden and b.kind == "dead"}
    biases = {n for n in net.parameter_names if tuple(net.locate(n))[:2] == ("b", hidden + 1)}
    if len(dead) < net.sizes[hidden + 1] or not set(moving) <= biases:
        return text
    return (f"{text} The network has become a constant predictor: every neuron of "
            f"{net.layer_names[hidden]} is dead, so a_Out depends on nothing but "
            f"{listed(sorted(biases))}, whatever x is.")


_OVERSHOOT = ("Each step overshoots the valley and lands higher up the other side; try a "
              "smaller learning rate.")


def listed(names) -> str:
    """Names joined as prose: a; a and b; a, b and c."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _percent(fraction):
    return f"{rounded(100 * fraction, 3)}%"


# --- the target and the output's range -------------------------------------------------------
def output_range(activation):
    """(low, high, reaches_low, reaches_high): what sigma can output, read from sigma itself
    (its values far out on either side; a side is unbounded where they keep growing)."""
    far = np.array([-1e6, -1e3, -1.0, 1.0, 1e3, 1e6])
    with np.errstate(all="ignore"):
        f = np.asarray(activation.function(far), dtype=float)
    low = f[0] if abs(f[0] - f[1]) <= 1e-9 else -math.inf
    high = f[5] if abs(f[5] - f[4]) <= 1e-9 else math.inf
    return float(low), float(high), bool(f[2] == low), bool(f[3] == high)


def lowest_cost(net: Network, y) -> float:
    """The lowest cost the output's activation allows for target(s) y: 0 unless some y_j is
    out of its reach, then (edge - y_j)^2 for those (averaged over a batch's examples)."""
    low, high, _, _ = output_range(net.activations[-1])
    targets = np.asarray(net.target(y), dtype=float).reshape(-1, net.sizes[-1])
    with np.errstate(all="ignore"):
        gap = np.clip(targets, low, high) - targets
        return float((gap * gap).sum(axis=1).mean())


def unreachable_target(net: Network, y) -> str | None:
    """A sentence when some y_j lies outside what the output's activation can give (y = 2 with
    tanh or sigmoid, y < 0 with ReLU at the output), else None."""
    sigma = net.activations[-1]
    low, high, reaches_low, reaches_high = output_range(sigma)
    targets = np.asarray(net.target(y), dtype=float).reshape(-1, net.sizes[-1])
    found = []  # (y_j, its values out of reach, a_j, the edges a_j can come to)
    for j, column in enumerate(targets.T):
        below = column[(column < low) | ((column == low) & (not reaches_low))]
        above = column[(column > high) | ((column == high) & (not reaches_high))]
        if below.size or above.size:
            edges = " or ".join([fmt(low)] * bool(below.size) + [fmt(high)] * bool(above.size))
            found.append((indexed("y", j, net.sizes[-1]), sorted({*below, *above}),
                          indexed(f"a_{net.layer_names[-1]}", j, net.sizes[-1]), edges))
    if not found:
        return None
    can = (f"{sigma.formula} gives numbers {'<=' if reaches_high else '<'} {fmt(high)}"
           if math.isinf(low) else f"numbers {'>=' if reaches_low else '>'} {fmt(low)}"
           if math.isinf(high) else f"numbers from {fmt(low)} to {fmt(high)}"
           if reaches_low else f"numbers strictly between {fmt(low)} and {fmt(high)}")
    one = sum(len(values) for _, values, _, _ in found) == 1
    targets = listed(f"{t} = {listed(map(fmt, values))}" for t, values, _, _ in found)
    return (f"Note: the target{'' if one else 's'} {targets} {'is' if one else 'are'} outside what "
            f"{sigma.formula} can output ({can}), so {listed(a for _, _, a, _ in found)} can "
            f"never equal {'it' if one else 'them'} and the cost cannot reach 0: the best "
            f"descent can do is bring "
            f"{listed(f'{a} towards {edges}' for _, _, a, edges in found)}.")


def parameter_list(net, params, count=None) -> tuple:
    """``params`` (one name or several; ``count`` of them if given, as a map's two) as a tuple
    of ``net``'s parameter names, each once."""
    names = (params,) if isinstance(params, str) else tuple(params)
    for name in names:
        net.locate(name)
    if not names or len(set(names)) != len(names) or len(names) != (count or len(names)):
        expected = (f"{count} different parameter names" if count else
                    "at least one name, each parameter once")
        raise ValueError(f"params: expected {expected}, got {names!r}")
    return names
