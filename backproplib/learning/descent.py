"""Gradient descent on one example or a full batch, step by step, and what the run did, in words.

Each step is ``Network.descend``, p <- p - learning_rate * dC/dp, for the parameters named in
``params`` only (all by default), in floats; a step that overflows ends the path at the last
finite point. ``DescentPath.outcome`` is one of "converged" (about the lowest cost, or gradient
0 with every neuron alive), "falling" (by at least 1% a step), "crawling" (slower), "oscillating"
(jumping over the valley while the cost stays put), "diverged" (the cost grew, or a step
overflowed), "stuck" (dead neurons pass no gradient back) or "unmoved" (steps too small for
floating point). ``message`` says it in about 30 words from the run's own numbers, ``details``
explains more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..chainrule.ledger import explain_blocked
from ..core.network import Network
from ..numbers import fmt, indexed, positive_number, whole_number

MAX_STEPS = 100_000  # more steps than this are refused (a run should take seconds, not hours)
CONVERGED_COST = 1e-8  # a cost at most this (times the starting cost, within 1 and 1e4) is ~0
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
    outcome: str
    message: str
    details: str = ""
    gradients: list = field(repr=False, default_factory=list)
    moving: tuple = ()
    blocked: tuple = ()
    cost_name: str = "C0"

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
    moves = None if set(names) == set(net.parameter_names) else names  # None: whole arrays
    with np.errstate(all="ignore"):
        g = net.backward(x, y)
    nets, costs, grads = [net], [float(g.cost)], [_gradient(g)]
    overflowed = False
    for _ in range(steps):
        if all(grads[-1][n] == 0 for n in names):
            break  # nothing can move: at a minimum, or stuck
        try:
            with np.errstate(all="ignore"):
                new = net.descend(g, lr, moves)
                g_new = new.backward(x, y)
            cost, grad = float(g_new.cost), _gradient(g_new)
            overflowed = not (math.isfinite(cost) and all(map(math.isfinite, grad.values())))
        except (OverflowError, ValueError):  # descend refuses a parameter beyond floats
            overflowed = True
        if overflowed:
            break
        net, g = new, g_new
        nets.append(net)
        costs.append(cost)
        grads.append(grad)
    points = [{n: float(v) for n, v in m.params().items() if n in names} for m in nets]
    run = _Run(names, lr, points, costs, net, y, grads, g, overflowed)
    outcome, message, details = run.explain()
    return DescentPath(names, lr, steps, points, costs, net, outcome, message, details, grads,
                       run.moving, g.blocked, run.C)


def _gradient(g) -> dict:
    return {name: float(value) for name, value in g.as_dict().items()}


class _Run:
    """The outcome of a finished run and the sentences that explain it, from its numbers."""

    def __init__(self, names, lr, points, costs, net, y, grads, g, overflowed):
        self.names, self.lr, self.points, self.costs = names, lr, points, costs
        self.net, self.y, self.grads, self.overflowed = net, y, grads, overflowed
        self.C = "C" if g.batch_size else "C0"
        self.taken, self.start, self.end = len(costs) - 1, costs[0], costs[-1]
        self.fell = (f"{self.C} went from {fmt(self.start)} to {fmt(self.end)} in "
                     f"{_steps(self.taken)}")
        self.moving = tuple(n for n in names if grads[-1][n] != 0)
        self.blocked = g.blocked
        self.dead = [b.neuron for b in g.blocked if b.kind == "dead"]
        self.floor = lowest_cost(net, y)  # > 0 when y is out of the output's reach

    def explain(self):
        outcome, message, details = self._outcome()
        extra = [details, self._still_moving(outcome), unreachable_target(self.net, self.y)]
        return outcome, message, " ".join(e for e in extra if e)

    def _outcome(self):
        C, lr, fell = self.C, fmt(self.lr), self.fell
        if self.overflowed:
            return "diverged", (f"Diverged: step {self.taken + 1} overflowed floating point, "
                                f"so descent stopped at {C} = {fmt(self.end)}. The learning "
                                f"rate {lr} is too large."), _OVERSHOOT
        at_bottom = self.end - self.floor <= CONVERGED_COST * min(max(1.0, self.start), 1e4)
        if self.dead and (at_bottom or not self.moving):
            went_up = (" On the way the cost went up: a step overshot onto the flat part."
                       if self.end > self.start else "")
            return "stuck", (f"Stuck: {listed(self.dead)} {_are(self.dead)} dead, so no "
                             f"gradient flows back through "
                             f"{'it' if len(self.dead) == 1 else 'them'}; {fell}."), (
                "; ".join(explain_blocked(b) for b in self.blocked) + "." + went_up)
        if at_bottom:
            where = ("about 0" if self.floor == 0 else
                     f"about the lowest this output allows ({fmt(self.floor)})")
            return "converged", f"Converged: {fell}, {where}.", ""
        if not self.moving:
            return "converged", (f"Converged: every gradient is 0 at {C} = {fmt(self.end)} "
                                 f"after {_steps(self.taken)}: a minimum or a flat spot."), ""
        if self.taken == 0 or all(p == self.points[0] for p in self.points):
            return "unmoved", (f"Nothing moved: with learning rate {lr}, p - learning_rate * "
                               f"d{C}/dp rounds back to p in floating point. Use a larger "
                               "learning rate."), ""
        swinging = self._swinging()
        if self.end > self.start * (1 + 1e-9):
            return "diverged", (f"Diverged: {C} grew from {fmt(self.start)} to "
                                f"{fmt(self.end)} in {_steps(self.taken)}. The learning rate "
                                f"{lr} is too large."), _OVERSHOOT
        if swinging and self.taken < 3 and self.end > self.start * (1 - CRAWLING_PACE):
            steps = "its one step" if self.taken == 1 else "both steps"
            return "oscillating", (f"Oscillating: {listed(swinging)} jumped over the valley on "
                                   f"{steps}, landing about as high on the other side; {fell}. "
                                   f"Try a smaller learning rate than {lr}."), ""
        if swinging and max(self.costs[-4:]) - min(self.costs[-4:]) <= 1e-6 * abs(self.end):
            return "oscillating", (f"Oscillating: {swinging[0]} jumps over the valley and "
                                   f"back on every step, and {C} stays at {fmt(self.end)}. "
                                   f"Try a smaller learning rate than {lr}."), (
                self._oscillation(swinging[0]))
        drop = self.costs[-2] - self.end
        pace = drop / self.costs[-2]
        detail = (f"The last step lowered {C} by {fmt(drop)} ({_percent(pace)}); the gradient "
                  f"has length {fmt(self._length(-1))} ({fmt(self._length(0))} at the start).")
        if swinging:
            detail += f" {listed(swinging)} zig-zag: the learning rate is close to too large."
        dead = f" {listed(self.dead)} {_are(self.dead)} dead." if self.dead else ""
        if pace >= CRAWLING_PACE:
            return "falling", (f"Still falling: {fell}, by {_percent(pace)} on the last "
                               f"step.{dead}"), detail
        return "crawling", (f"Crawling: {fell}, by only {_percent(max(pace, 0))} on the last "
                            f"step.{dead}"), detail

    def _swinging(self):
        """Moving parameters whose step flips sign on every one of the last (up to 6) steps;
        in a run of 1 or 2 steps, whose gradient flipped sign on every step (a jump over the
        valley: the next step would go back)."""
        if self.taken < 3:
            return [n for n in self.moving
                    if all(a[n] * b[n] < 0 for a, b in zip(self.grads, self.grads[1:]))]
        jumps = {n: np.diff([p[n] for p in self.points[-7:]]) for n in self.moving}
        return [n for n, d in jumps.items() if (d[:-1] * d[1:] < 0).all()]

    def _oscillation(self, name):
        values = [p[name] for p in self.points[-3:]]
        factor = (values[2] - values[1]) / (values[1] - values[0])
        curvature = (1 - factor) / (2 * self.lr)
        return (f"Near its best value the cost grows like c * ({name} - best)^2 with c = "
                f"{fmt(curvature)}, so a step multiplies the distance to the best value by "
                f"1 - 2c * learning_rate = {fmt(factor)}. A learning rate below "
                f"{fmt(1 / curvature)} (1/c) converges.")

    def _length(self, i):
        return math.sqrt(sum(self.grads[i][n] ** 2 for n in self.names))

    def _still_moving(self, outcome):
        """Which parameters still move; when every neuron of the last hidden layer is dead and
        only Out's biases move, that the network has become a constant predictor."""
        if outcome in ("converged", "diverged") or len(self.moving) in (0, len(self.names)):
            return ""
        still = [n for n in self.names if n not in self.moving]
        text = (f"Still moving: {listed(self.moving)}; {listed(still)} "
                f"{'has' if len(still) == 1 else 'have'} gradient 0.")
        net, hidden = self.net, len(self.net.layer_names) - 2  # -1: no hidden layer, no one dead
        dead = {b.j for b in self.blocked if b.L == hidden and b.kind == "dead"}
        biases = {n for n in net.parameter_names if tuple(net.locate(n))[:2] == ("b", hidden + 1)}
        if len(dead) < net.sizes[hidden + 1] or not set(self.moving) <= biases:
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


def _are(names):
    return "is" if len(names) == 1 else "are"


def _steps(n):
    return f"{n} step{'s' if n != 1 else ''}"


def _percent(fraction):
    return f"{fmt(float(f'{100 * fraction:.3g}'))}%"


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
    found = []  # (y_j, its value, a_j, the edge a_j can come to)
    for j, column in enumerate(targets.T):
        below = column[(column < low) | ((column == low) & (not reaches_low))]
        above = column[(column > high) | ((column == high) & (not reaches_high))]
        if below.size or above.size:
            found.append((indexed("y", j, net.sizes[-1]), (below if below.size else above)[0],
                          indexed(f"a_{net.layer_names[-1]}", j, net.sizes[-1]),
                          low if below.size else high))
    if not found:
        return None
    can = (f"{sigma.formula} gives numbers {'<=' if reaches_high else '<'} {fmt(high)}"
           if math.isinf(low) else f"numbers {'>=' if reaches_low else '>'} {fmt(low)}"
           if math.isinf(high) else f"numbers from {fmt(low)} to {fmt(high)}"
           if reaches_low else f"numbers strictly between {fmt(low)} and {fmt(high)}")
    one, targets = len(found) == 1, listed(f"{t} = {fmt(v)}" for t, v, _, _ in found)
    return (f"Note: the target{'' if one else 's'} {targets} {_are(found)} outside what "
            f"{sigma.formula} can output ({can}), so {listed(a for _, _, a, _ in found)} can "
            f"never equal {'it' if one else 'them'} and the cost cannot reach 0: the best "
            f"descent can do is bring "
            f"{listed(f'{a} towards {fmt(edge)}' for _, _, a, edge in found)}.")


def parameter_list(net, params) -> tuple:
    """``params`` (one name or several) as a tuple of ``net``'s parameter names, each once."""
    names = (params,) if isinstance(params, str) else tuple(params)
    for name in names:
        net.locate(name)
    if not names or len(set(names)) != len(names):
        raise ValueError(f"params: expected at least one name, each parameter once, got "
                         f"{names!r}")
    return names
