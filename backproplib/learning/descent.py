"""Gradient descent on one example or a full batch, step by step, with what happened explained.

Each step moves every chosen parameter p against its gradient, through the network's one
update rule ``Network.descend``:

    p  <-  p - learning_rate * dC0/dp        (dC/dp for a batch: C is the average cost)

Only the parameters named in ``params`` move (all of them by default), so a path over two
weights can be drawn on their cost contour. Descent runs in floats. When the numbers overflow,
the path stops at the last finite point: a student sees the explosion explained, never a NaN.

The outcome, read from the run itself (``DescentPath.outcome``):

- "converged": the cost reached about 0, or the gradient about 0 at a minimum;
- "falling": still going down at a good pace, not there yet;
- "crawling": still going down, but slowly (the message estimates how far it is from done);
- "oscillating": a parameter jumps back and forth by the same amount, the cost stays put
  (the case 1 - 2c * learning_rate = -1);
- "diverged": the cost grew, or the numbers overflowed;
- "stuck": every moving parameter's gradient is 0 but the cost is not: a plateau, because
  neurons are blocked (``Gradients.blocked``);
- "unmoved": the steps are too small to change any parameter in floating point.
"""

from __future__ import annotations

import decimal
import math
import numbers
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..core.network import Network
from ..numbers import fmt

MAX_STEPS = 100_000  # more steps than this are refused (a run should take seconds, not hours)
CONVERGED_COST = 1e-8  # a cost at most this (times the starting cost, within 1 and 1e4) is ~0
CRAWLING_PACE = 0.01  # falling by less than 1% of the cost per step counts as crawling


@dataclass(frozen=True)
class DescentPath:
    """What gradient descent did, one entry per visited point (the start is entry 0).

    ``params[i]`` is {name: value} after i steps for the moving parameters ``names``;
    ``costs[i]`` is the cost there (C0, or the average C for a batch: ``cost_name``). ``net``
    is the network at the last finite point; ``outcome`` one of the words in the module's
    docstring, ``message`` the explanation for a student; ``moving`` the parameters whose
    gradient is not 0 where descent ended, ``blocked`` the neurons blocked there.
    """

    names: tuple
    learning_rate: float
    steps: int  # steps asked for; len(costs) - 1 were taken
    params: list
    costs: list
    net: Network
    diverged: bool  # outcome == "diverged": the cost grew or overflowed
    overflowed: bool
    stuck: bool  # outcome == "stuck": on a plateau, every moving gradient 0, the cost not 0
    message: str
    gradients: list = field(repr=False, default_factory=list)  # {name: dC/dname} per point
    outcome: str = ""
    moving: tuple = ()
    blocked: tuple = ()
    cost_name: str = "C0"

    @property
    def steps_taken(self) -> int:
        return len(self.costs) - 1

    def array(self, names=None) -> np.ndarray:
        """The path as an array of shape (points, len(names)), e.g. to draw it on a contour."""
        names = self.names if names is None else tuple(names)
        return np.array([[p[n] for n in names] for p in self.params], dtype=float)

    def __str__(self):
        return self.message


def gradient_descent(net: Network, x, y, learning_rate, steps, params=None) -> DescentPath:
    """Take ``steps`` steps of size ``learning_rate`` downhill, moving ``params`` only.

    ``x`` and ``y`` are one example, or a batch X of shape (m, n_x) with Y (m, n_Out): then
    each step follows the gradient of the average cost C (full-batch descent).
    """
    learning_rate = positive_number(learning_rate, "learning_rate")
    steps = whole_steps(steps)
    names = tuple(net.parameter_names) if params is None else _param_names(net, params)
    work = _float_copy(net)
    x, y = work.input(x), work.target(y)
    run = _Run(work, x, y, learning_rate, names)
    run.go(steps)
    return run.result(steps)


class _Run:
    """The loop and the record of one descent."""

    def __init__(self, net, x, y, learning_rate, names):
        self.x, self.y, self.lr, self.names = x, y, learning_rate, names
        self.net = net
        self.overflowed = False
        self.overflow_note = ""
        with np.errstate(all="ignore"):
            self.g = net.backward(x, y)
        self.nets, self.costs, self.grads = [net], [float(self.g.cost)], [self._grad(self.g)]
        self.cost_name = "C" if self.g.batch_size else "C0"
        # all parameters: descend's whole-array update, not one with_params entry per name
        self.moves = None if set(names) == set(net.parameter_names) else names

    def _grad(self, g):
        """{name: dC/dname} read off whole arrays: ``parameter_names`` lists each layer's
        weights row by row, then its biases (values.parameter_names)."""
        flat = np.concatenate([np.ravel(a) for pair in zip(g.dw, g.db) for a in pair])
        return dict(zip(self.net.parameter_names, flat.astype(float).tolist()))

    def _values(self, net):
        values = net.params()
        return {n: float(values[n]) for n in self.names}

    def go(self, steps):
        for _ in range(steps):
            if all(self.grads[-1][n] == 0 for n in self.names):
                break  # nothing can move: stuck, or at a minimum where the gradient is 0
            try:
                with np.errstate(all="ignore"):
                    new = self.net.descend(self.g, self.lr, self.moves)
                    g = new.backward(self.x, self.y)
                cost, grad = float(g.cost), self._grad(g)
            except (OverflowError, ValueError) as error:
                # the step left floating point (a parameter, z, the cost or a gradient): stop
                # at the last finite point. ValueError: descend refuses a non-finite parameter.
                self.overflowed, self.overflow_note = True, str(error)
                break
            if not (math.isfinite(cost) and all(math.isfinite(v) for v in grad.values())):
                self.overflowed = True
                break
            self.net, self.g = new, g
            self.nets.append(new)
            self.costs.append(cost)
            self.grads.append(grad)

    def result(self, steps) -> DescentPath:
        params = [self._values(n) for n in self.nets]
        moving = tuple(n for n in self.names if self.grads[-1][n] != 0)
        blocked = self.g.blocked
        outcome, message = _Explanation(self, params, moving, blocked).explain()
        return DescentPath(self.names, self.lr, steps, params, self.costs, self.net,
                           outcome == "diverged", self.overflowed, outcome == "stuck", message,
                           self.grads, outcome, moving, blocked, self.cost_name)


class _Explanation:
    """The outcome of a run and the sentences that explain it, all computed from the run."""

    def __init__(self, run, params, moving, blocked):
        self.run, self.params, self.moving, self.blocked = run, params, moving, blocked
        self.costs, self.C = run.costs, run.cost_name
        self.taken = len(run.costs) - 1
        self.start, self.end = run.costs[0], run.costs[-1]
        self.floor = lowest_cost(run.net, run.y)  # > 0 when y is out of the output's reach

    def explain(self):
        unreachable = unreachable_target(self.run.net, self.run.y)
        outcome, text = self._outcome()
        extra = [self._moving_sentence(outcome)]
        if unreachable and outcome not in ("diverged",):
            extra.append(unreachable)
        return outcome, " ".join([text] + [e for e in extra if e])

    # -- which outcome --------------------------------------------------------------------
    def _outcome(self):
        if self.run.overflowed:
            return "diverged", self._overflowed()
        if self.end - self.floor <= self._about_zero():
            exactly = ("the prediction equals y, the bottom of the valley, so every gradient "
                       "is 0 there" if self.end == 0 else
                       "about 0: the prediction is as good as equal to y, at the bottom of the "
                       "valley" if self.floor == 0 else
                       f"about as low as it can go ({fmt(self.floor)}, see the note)")
            return "converged", (f"Converged: the cost fell from {fmt(self.start)} to "
                                 f"{fmt(self.end)} {self._in_steps()}: {exactly}.")
        if not self.moving:
            return self._flat()
        if self.taken == 0:
            return "unmoved", "Descent took no step."
        if self._nothing_moved():
            return "unmoved", (f"Nothing moved: the learning rate {fmt(self.run.lr)} is so "
                               f"small that p - learning_rate * d{self.C}/dp rounds back to p "
                               f"in floating point, for every parameter. The cost stays at "
                               f"{fmt(self.end)}. Use a larger learning rate.")
        swinging = self._oscillating()
        if self.end > self.start * (1 + 1e-9):
            return "diverged", self._grew(swinging)
        if swinging and self._level():
            return "oscillating", self._oscillation(swinging)
        return self._falling(swinging)

    def _about_zero(self):
        # relative to where descent began, but never so loose that a cost of 9 counts as 0
        return CONVERGED_COST * min(max(1.0, self.start), 1e4)

    def _in_steps(self, n=None):
        n = self.taken if n is None else n
        return f"in {n} step{'s' if n != 1 else ''}"

    def _nothing_moved(self):
        return all(p == self.params[0] for p in self.params)

    def _level(self):
        """The cost is the same (to 6 digits) over the last few steps."""
        tail = self.costs[-4:]
        return max(tail) - min(tail) <= 1e-6 * max(abs(self.end), 1e-300)

    def _oscillating(self):
        """[(name, factor)] for parameters whose step flips sign on every one of the last
        (up to 6) steps; factor is each step over the one before (-1: the same jump back)."""
        if self.taken < 3:
            return []
        found = []
        for n in self.moving:
            values = [p[n] for p in self.params[-7:]]
            jumps = [b - a for a, b in zip(values, values[1:])]
            if all(j != 0 for j in jumps) and all(a * b < 0 for a, b in zip(jumps, jumps[1:])):
                found.append((n, jumps[-1] / jumps[-2]))
        return found

    # -- the sentences --------------------------------------------------------------------
    def _overflowed(self):
        lr = fmt(self.run.lr)
        if self.taken == 0:
            return (f"Diverged at once: the first step, learning rate {lr} times the gradient, "
                    f"lands beyond what floating point holds, so descent stayed at the start "
                    f"({self.C} = {fmt(self.start)}). The learning rate is far too large: try "
                    "a much smaller one.")
        return (f"Diverged: the cost went from {fmt(self.start)} to {fmt(self.end)} "
                f"{self._in_steps()}, then the next step overflowed (the numbers grew past "
                "what floating point holds), so descent stopped at the last finite point: "
                f"{self._too_large()}")

    def _too_large(self):
        return (f"the learning rate {fmt(self.run.lr)} is too large: each step overshoots the "
                "valley and lands higher up the other side. Try a smaller learning rate.")

    def _grew(self, swinging):
        flips = ""
        if swinging:
            flips = (f" {self._names([n for n, _ in swinging])} jump back and forth, further "
                     "each time.")
        return (f"Diverged: the cost grew from {fmt(self.start)} to {fmt(self.end)} "
                f"{self._in_steps()}: {self._too_large()}{flips}")

    def _flat(self):
        """Every moving parameter has gradient 0 and the cost is not ~0."""
        path = ""
        if self.taken and self.end > self.start:
            path = (f" On the way the cost went up from {fmt(self.start)}: a step overshot and "
                    "landed on the flat part.")
        where = "at the start" if self.taken == 0 else f"after {self._in_steps()[3:]}"
        gradient = f"the gradient of {self._names(self.run.names)} is 0"
        if self.blocked:
            why = "; ".join(b.sentence() for b in self.blocked)
            return "stuck", (f"Stuck on a plateau {where}, with the cost at {fmt(self.end)}: "
                             f"{gradient}, so descent cannot move. {_capital(why)}.{path}")
        return "converged", (f"Converged {where}: {gradient} at {self.C} = {fmt(self.end)}, a "
                             f"minimum (or a flat spot) where descent stops.{path}")

    def _oscillation(self, swinging):
        name, factor = swinging[0]
        values = [p[name] for p in self.params[-2:]]
        lr = self.run.lr
        curvature = (1 - factor) / (2 * lr)
        return (f"Oscillating: {name} jumps between {fmt(values[0])} and {fmt(values[1])} on "
                f"every step and the cost stays at {fmt(self.end)}. Near its best value the "
                f"cost grows like c * ({name} - best)^2 with c = {fmt(curvature)}, so a step "
                f"multiplies the distance to the best value by 1 - 2c * learning_rate = "
                f"{fmt(factor)}: with learning rate {fmt(lr)} it jumps over the bottom to the "
                f"same height on the other side. A learning rate below {fmt(1 / curvature)} "
                f"(1/c) converges; {fmt(1 / (2 * curvature))} (1/(2c)) lands on the bottom in "
                "one step.")

    def _falling(self, swinging):
        zigzag = ""
        if swinging:
            zigzag = (f" ({self._names([n for n, _ in swinging])} zig-zag across the valley: "
                      "the learning rate is close to too large)")
        elif any(b > a for a, b in zip(self.costs, self.costs[1:])):
            zigzag = " (not steadily: it went up on some steps, the learning rate is close to " \
                     "too large)"
        fell = (f"the cost fell from {fmt(self.start)} to {fmt(self.end)} "
                f"{self._in_steps()}{zigzag}")
        drop = self.costs[-2] - self.end
        pace = drop / self.costs[-2]
        if pace >= CRAWLING_PACE:
            return "falling", (f"Still falling: {fell}; the last step lowered it by "
                               f"{_percent(pace)}, so more steps will take it further."
                               f"{self._more_steps(drop)}")
        g_now, g_start = self._gradient_size(-1), self._gradient_size(0)
        flat = bool(g_start) and g_now < 0.1 * g_start
        why = (f"each step moves the parameters by only {fmt(self.run.lr * g_now)} (learning "
               f"rate {fmt(self.run.lr)} times a gradient of length {fmt(g_now)})")
        if flat:
            why += (f"; the gradient is only {_percent(g_now / g_start)} of its length at the "
                    "start: a flat region")
        if drop <= 0:
            return "crawling", f"Crawling: {fell}, and the last step did not lower it: {why}."
        return "crawling", (f"Crawling: {fell}, but the last step lowered it by only "
                            f"{fmt(drop)} ({_percent(pace)}): {why}."
                            f"{self._more_steps(drop, flat)}")

    def _more_steps(self, drop, flat=False):
        """How many more steps the recent pace needs to bring the cost to about its lowest
        (0, or the floor an unreachable target sets)."""
        if drop <= 0:
            return ""
        goal, floor = self._about_zero(), self.floor
        lowest = "about 0" if floor == 0 else f"about {fmt(floor)}, the lowest it can go"
        left, before = self.end - floor, self.costs[-2] - floor
        caveat = (" On a flat region the pace usually picks up once descent leaves it, so "
                  "take this as an upper bound." if flat else "")
        if left <= 0:
            return ""
        if len(self.costs) >= 3 and self.costs[-3] - self.costs[-2] > drop and before > 0:
            ratio = left / before  # what is left above the lowest shrinks by this per step
            if 0 < ratio < 1:
                more = math.log(goal / left) / math.log(ratio)
                return (f" At this rate (what is left shrinks by {_percent(1 - ratio)} per "
                        f"step) it needs about {_round(more)} more steps to reach "
                        f"{lowest}.{caveat}")
        return (f" At the pace of the last step it would need about {_round(left / drop)} "
                f"more steps to reach {lowest}; the pace may change on the way.{caveat}")

    def _gradient_size(self, i):
        grad = self.run.grads[i]
        return math.sqrt(sum(grad[n] ** 2 for n in self.run.names))

    def _moving_sentence(self, outcome):
        names, moving = self.run.names, self.moving
        if outcome in ("converged", "diverged") or not moving or len(moving) == len(names):
            return ""
        still = [n for n in names if n not in moving]
        text = (f"Still moving: {self._names(moving)}; {self._names(still)} "
                f"{'has' if len(still) == 1 else 'have'} gradient 0.")
        constant = self._constant_predictor()
        return f"{text} {constant}" if constant else text

    def _constant_predictor(self):
        """A sentence when every neuron of the last hidden layer is dead and only Out's
        biases move: the prediction no longer depends on x or on any weight."""
        net = self.run.net
        if len(net.layer_names) < 2:
            return ""
        last_hidden = len(net.layer_names) - 2
        dead = {b.j for b in self.blocked if b.L == last_hidden and b.kind == "dead"}
        out = last_hidden + 1
        out_biases = {n for n in net.parameter_names if tuple(net.locate(n))[:2] == ("b", out)}
        if len(dead) < net.sizes[last_hidden + 1] or not set(self.moving) <= out_biases:
            return ""
        layer = net.layer_names[last_hidden]
        return (f"The network has become a constant predictor: every neuron of {layer} is "
                f"dead, so a_Out depends on nothing but {self._names(sorted(out_biases))}, "
                "whatever x is.")

    @staticmethod
    def _names(names):
        names = list(names)
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _percent(fraction):
    return f"{fmt(float(f'{100 * fraction:.3g}'))}%"


def _capital(text):
    return text[:1].upper() + text[1:]


def _round(n):
    """A step count as a student reads an estimate: 7, 40, 300, 2,000."""
    n = max(1, int(math.ceil(n)))
    if n < 10:
        return str(n)
    digits = 10 ** (len(str(n)) - 1)
    return f"{int(round(n / digits)) * digits:,}"


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
    out = net.layer_names[-1]
    for j in range(net.sizes[-1]):
        column = targets[:, j]
        below = column[(column < low) | ((column == low) & (not reaches_low))]
        above = column[(column > high) | ((column == high) & (not reaches_high))]
        if not (below.size or above.size):
            continue
        value = below[0] if below.size else above[0]
        a_name = f"a_{out}" if net.sizes[-1] == 1 else f"a_{out}[{j}]"
        can = _range_words(sigma.formula, low, high, reaches_low, reaches_high)
        edge = low if below.size else high
        return (f"Note: the target y = {fmt(value)} is outside what {sigma.formula} can output "
                f"({can}), so {a_name} can never equal it and the cost cannot reach 0: the best "
                f"descent can do is bring {a_name} towards {fmt(edge)}.")
    return None


def _range_words(formula, low, high, reaches_low, reaches_high):
    if math.isinf(low) and not math.isinf(high):
        return f"{formula} gives numbers {'<=' if reaches_high else '<'} {fmt(high)}"
    if math.isinf(high) and not math.isinf(low):
        return f"numbers {'>=' if reaches_low else '>'} {fmt(low)}"
    left = "[" if reaches_low else "strictly between"
    if left == "[":
        return f"numbers from {fmt(low)} to {fmt(high)}"
    return f"numbers strictly between {fmt(low)} and {fmt(high)}"


# --- neurons that block the gradient (kept for callers; the notion lives in values.Blocked) ---
def describe_blocked(net: Network, x) -> list:
    """One sentence per dead or saturated neuron (``Blocked.sentence()``), for input x."""
    return [b.sentence() for b in net.forward(x).blocked]


# --- checking what a user gives --------------------------------------------------------------
def positive_number(value, what: str) -> float:
    """A learning rate (or another step size) as a positive float: any real number type
    (int, float, Fraction, Decimal, numpy scalars) or text such as "0.1" or "1/100".
    NaN, infinity, 0, negative numbers and numbers beyond floating point are refused."""
    example = "a positive number such as 0.01"
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise TypeError(f"{what}: expected {example}, got {value!r}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, str):
        value = _text_number(value, what, example)
    if not isinstance(value, (numbers.Real, decimal.Decimal)):
        raise TypeError(f"{what}: expected {example}, got {type(value).__name__} {value!r}")
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise ValueError(f"{what}: expected {example}, got {value}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{what}: expected {example}, got a number too large for floating "
                         f"point ({_short(value)})") from None
    if not math.isfinite(number):
        raise ValueError(f"{what}: expected {example}, got {number}")
    if value <= 0:
        raise ValueError(f"{what}: expected {example}, got {fmt(number)}")
    if number == 0:
        raise ValueError(f"{what}: expected {example}, got {_short(value)}, which is too small "
                         "for floating point (it rounds to 0)")
    return number


def whole_steps(value, what: str = "steps") -> int:
    """A number of steps: a whole number from 1 to MAX_STEPS, of any number type or text."""
    example = "a whole number of steps such as 20"
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise TypeError(f"{what}: expected {example}, got {value!r}")
    if isinstance(value, str):
        value = _text_number(value, what, example)
    if not isinstance(value, (numbers.Real, decimal.Decimal)):
        raise TypeError(f"{what}: expected {example}, got {type(value).__name__} {value!r}")
    if isinstance(value, float) and not math.isfinite(value) or (
            isinstance(value, decimal.Decimal) and not value.is_finite()):
        raise ValueError(f"{what}: expected {example}, got {value}")
    if Fraction(value).denominator != 1:
        raise ValueError(f"{what}: expected {example}, got {_short(value)}")
    count = int(value)
    if count < 1:
        raise ValueError(f"{what}: expected at least 1 step, got {count}")
    if count > MAX_STEPS:
        raise ValueError(f"{what}: expected at most {MAX_STEPS:,} steps, got {_short(count)}")
    return count


def _text_number(text, what, example):
    text = text.strip()
    if len(text) > 60:
        raise ValueError(f"{what}: expected {example}, got a text of {len(text)} characters")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{what}: expected {example}, got the text {text!r}") from None


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 30 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"


def _param_names(net, params):
    if isinstance(params, str):
        params = (params,)
    names = tuple(params)
    if not names:
        raise ValueError("params: expected at least one parameter name, got none")
    for name in names:
        net.locate(name)
    if len(set(names)) != len(names):
        raise ValueError(f"params: each parameter once, got {names!r}")
    return names


def _float_copy(net: Network) -> Network:
    """``net`` in floats (descent runs in floats), refusing numbers floats cannot hold."""
    if not net.exact:
        return net
    values = {}
    for name, value in net.params().items():
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ValueError(f"{name}: descent runs in floating point, and {name} = "
                             f"{_short(value)} does not fit in it (at most about 1.8e308)")
        values[name] = number
    weights = [np.asarray(W, dtype=float) for W in net.weights]
    biases = [np.asarray(b, dtype=float) for b in net.biases]
    return Network(weights, biases, [a.name for a in net.activations], exact=False)
