"""The checks of particular exercises (descent, many neurons, finite differences, batches,
training, softmax, depth), each computing its reference from the exercise's inputs."""

from __future__ import annotations

import copy
from fractions import Fraction
from functools import partial

import numpy as np

from ..chainrule.crossentropy import sigmoid_output, softmax_delta
from ..chainrule.gradcheck import KINDS, THRESHOLDS, relative_error
from ..core import activations as act
from ..core.network import Network, layer_names
from ..core.results import classify_slopes
from ..learning import datasets, depth
from ..learning.descent import gradient_descent, listed
from ..learning.training import Trainer, initial_network, steps_per_epoch, threshold_accuracy
from ..numbers import fmt, lookup, network_name
from .answers import Feedback, check_choice, check_value
from .network import layer_position
from .sandbox import Case, check_function, function_name


# --- gradient descent (notebook 06) -----------------------------------------------------------
def check_descent_step(answer, net, x, y, learning_rate, param: str,
                       quantity: str = "value") -> Feedback:
    """One step of gradient descent on ``param`` alone: its new value (``quantity`` "value")
    or the cost C0 after the step ("cost")."""
    run = gradient_descent(net, x, y, learning_rate, 1, params=(param,))
    eta, old, slope = Fraction(run.learning_rate), net.param(param), net.backward(x, y)[param]
    checks = {  # quantity: (expected, what, hint, {slip's hint: value})
        "value": (run.params[-1][param], f"{param} after one step",
                  f"new {param} = {param} - eta * dC0/d{param}.",
                  {f"Step against the gradient: subtract eta * dC0/d{param}, don't add it.":
                   old + eta * slope,
                   "Multiply the gradient by the learning rate eta before subtracting.":
                   old - slope}),
        "cost": (run.costs[-1], f"C0 after one step on {param}",
                 f"run the forward pass with the new {param}, then C0 = (a_Out - y)^2.",
                 {"That is the cost before the step.": run.costs[0],
                  "The cost has no 1/2 in front: C0 = (a_Out - y)^2.": run.costs[-1] / 2})}
    return check_value(answer, *lookup(checks, quantity, "quantity", "check_descent_step"))


def _verdict_on(run) -> str:
    """The run's own account, led by why it does not count when it ended unhealthy."""
    if run.blocked:
        names = listed(b.neuron for b in run.blocked)
        kinds = {b.kind for b in run.blocked}
        return (f"it ends with {names} {' or '.join(sorted(kinds))}, so the network no longer "
                f"learns through {'it' if len(run.blocked) == 1 else 'them'}, whatever its "
                f"cost. The run: {run.message}")
    if run.outcome in ("diverged", "stuck"):
        return f"it {run.outcome if run.outcome == 'diverged' else 'got stuck'}. {run.message}"
    return run.message


def check_lowest_run(answer, net, x, y, steps, rates: dict) -> Feedback:
    """Predict, then check: which learning rate of ``rates`` ({"a": 0.005, ...}) ends lowest
    after ``steps`` steps among the runs that end healthy (not diverged, stuck or with blocked
    neurons: a dead network predicting a constant is no win)? "d" if none does."""
    runs = {key: gradient_descent(net, x, y, rate, steps) for key, rate in rates.items()}
    fine = {key: run.costs[-1] for key, run in runs.items()
            if run.outcome not in ("diverged", "stuck") and not run.blocked}
    correct = min(fine, key=fine.get) if fine else "d"
    options = {key: f"learning rate {fmt(rate)}" for key, rate in rates.items()}
    options["d"] = ("none of them: each run diverges, gets stuck or ends with blocked (dead or "
                    "saturated) neurons")
    why = {key: f"With learning rate {fmt(rates[key])}: {_verdict_on(run)}"
           for key, run in runs.items()}
    why["d"] = ("Every run ended diverged, stuck or with blocked neurons." if correct == "d"
                else "One run ends healthy.")
    return check_choice(answer, correct, options, why, what="the run with the lowest final cost")


def check_step_function(function) -> Feedback:
    """A student's ``one_step(w, w_star, c, eta)``: one descent step on C(w) = c (w - w*)^2."""
    cases = [((3.0, 1.0, 1.0, 0.1), "a small step from w = 3 towards w* = 1"),
             ((3.0, 1.0, 1.0, 1.0), "the step that oscillates (c = 1, eta = 1)"),
             ((-2.0, 0.5, 4.0, 0.05), "a steep parabola (c = 4) from the left of w*"),
             ((0.0, 0.0, 2.0, 0.3), "a start at the bottom (w = w* = 0)"),
             ((1.5, -1.0, 0.5, 3.0), "a step so large it overshoots (eta = 3)")]
    checked = []
    for (w, w_star, c, eta), words in cases:
        slope = 2 * c * (w - w_star)  # d/dw of c (w - w*)^2: the question's own parabola
        checked.append(Case((w, w_star, c, eta), f"for {words}", w - eta * slope, {
            "Step against the gradient: subtract eta times the slope.": w + eta * slope,
            "The slope of c (w - w*)^2 is 2c (w - w*): keep the 2.": w - eta * slope / 2,
            "Multiply the slope by the learning rate eta.": w - slope}))
    return check_function(function, None, checked, function_name(function, "one_step"),
                          hint="the gradient of c * (w - w_star)^2 is 2c * (w - w_star); step "
                               "against it.")


def check_bouncing_rate(answer, c) -> Feedback:
    """The learning rate that makes descent on C(w) = c (w - w*)^2 bounce for ever: each step
    multiplies the distance to w* by 1 - 2c eta, and bouncing means that factor is -1."""
    c = Fraction(c)  # (at c = 1 the last slip is the answer, and check_value passes over it)
    slips = {"That learning rate makes the factor 0: it lands on the bottom in one step.":
             1 / (2 * c),
             "That makes the factor 1 - 2c * eta smaller than -1: it diverges.": 2 / c,
             f"That is the answer for c = 1; here c = {fmt(c)}.": 1}
    return check_value(answer, 1 / c, f"the learning rate that oscillates when c = {fmt(c)}",
                       hint="one step multiplies the distance to w_star by 1 - 2c * eta; "
                            "bouncing for ever means that factor is -1.", mistakes=slips)


# --- many neurons (notebook 07) ---------------------------------------------------------------
def check_weight_count(answer, sizes, layer: str) -> Feedback:
    """How many weights W of ``layer`` holds in a network of ``sizes`` (inputs first)."""
    L = layer_position(layer_names(len(sizes) - 1), layer)
    n_in, n_out = sizes[L], sizes[L + 1]
    slips = {"That adds the sizes; there is one weight per pair (j, k), so multiply.":
             n_in + n_out,
             f"That counts {layer}'s {n_out} biases too; W_{layer} holds the weights only.":
             n_in * n_out + n_out,
             f"That pairs {layer} with the input; the weights into {layer} come from the layer "
             "just before it.": sizes[0] * n_out}  # into H0 that is the answer: passed over
    return check_value(answer, n_in * n_out, f"the number of weights in W_{layer} of "
                       f"{network_name(sizes)}", mistakes=slips,
                       hint=f"one weight w_jk for each pair of neuron j of {layer} and neuron k "
                            f"of the layer before: one row per neuron of {layer}, one column "
                            "per neuron before it.")


def check_backprop_sum(answer, W, delta, k: int) -> Feedback:
    """dC0/da_k of layer L-1 from W_L and delta_L: the sum over j of w_jk delta_j (column k)."""
    W, delta = np.asarray(W, dtype=object), np.asarray(delta, dtype=object)
    columns = delta @ W  # entry k: the sum down column k
    slips = {}
    if W.shape[0] == W.shape[1]:
        slips[f"That is row {k} of W_L times delta, the weights arriving at neuron {k} of L; "
              f"the sum runs down column {k}."] = (W @ delta)[k]
    for j in range(W.shape[0]):
        slips[f"That is only the j = {j} term; neuron {k} of L-1 feeds every neuron of "
              "L."] = W[j, k] * delta[j]
    for other in range(W.shape[1]):  # (column k's own is the answer: check_value passes over it)
        slips[f"That is dC0/da_{other}, the sum down column {other}."] = columns[other]
    return check_value(answer, columns[k], f"dC0/da_{k} of layer L-1", mistakes=slips,
                       hint=f"add w_j{k} * delta_j over j: the weights that leave neuron k = "
                            f"{k}, column {k} of W_L.")


def _random_network(rng, sizes, activation):
    return Network([rng.normal(size=(n, m)) for m, n in zip(sizes, sizes[1:])],
                   [rng.normal(size=n) for n in sizes[1:]], activation)


def check_delta_function(function, net, x, y) -> Feedback:
    """A student's ``delta_before(W_next, delta_next, da_dz)`` on every hidden layer of ``net``
    and of two random ones (one square, so that W for W.T shows)."""
    rng = np.random.default_rng(0)
    activation = net.activations[0].name
    networks = [(net, x, y, f"the {'-'.join(map(str, net.sizes))} network")] + [
        (_random_network(rng, sizes, activation), rng.normal(size=sizes[0]),
         rng.normal(size=sizes[-1]), f"a random {'-'.join(map(str, sizes))} network")
        for sizes in ((3, 4, 4, 2), (2, 3, 4, 1))]
    checked = []
    for network, cx, cy, words in networks:
        g = network.backward(cx, cy)
        for L in range(len(network.weights) - 1):
            W, d, s = (np.asarray(v, dtype=float)
                       for v in (network.weights[L + 1], g.dz[L + 1], g.da_dz[L]))
            slips = {"Multiply by this layer's slope sigma'(z_L), entry by entry.": g.da[L]}
            if W.shape[0] == W.shape[1]:
                slips["Use W_next.T, the transpose: the sum runs over the next layer's neurons "
                      "j, down a column of W."] = (W @ d) * s
            checked.append(Case((W, d, s), f"on layer {network.layer_names[L]} of {words}",
                                g.dz[L], slips))
    named = "delta_before" if function is None else "your function"  # 07's name; a lambda's
    return check_function(function, None, checked, function_name(function, named),
                          hint="delta_L = (W_(L+1) transposed @ delta_(L+1)) * sigma'(z_L).")


# --- finite differences (notebook 08) ---------------------------------------------------------
def check_difference(answer, net, x, y, param: str, h, kind: str = "forward") -> Feedback:
    """A finite-difference estimate of dC0/d``param`` with step ``h``: "forward"
    (C0(p + h) - C0(p)) / h or "central" (C0(p + h) - C0(p - h)) / (2h)."""
    p = net.param(param)
    up, here, down = (net.with_params({param: p + s}).cost(x, y) for s in (h, 0, -h))
    estimates = {"forward": (up - here) / h, "central": (up - down) / (2 * h),
                 "backward": (here - down) / h}
    if kind not in KINDS:  # the differences numerical_gradients takes
        raise ValueError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    words = {"forward": "(C0(w + h) - C0(w)) / h: one point h to the right, and w itself.",
             "central": "(C0(w + h) - C0(w - h)) / (2h): the points on both sides, 2h apart."}
    slips = {f"That is the {other} difference; the {kind} one is {words[kind]}": value
             for other, value in estimates.items() if other != kind}
    slips["Divide by the distance between the two points."] = (
        (up - here) / (2 * h) if kind == "forward" else (up - down) / h)
    return check_value(answer, estimates[kind], f"the {kind} difference for {param} with "
                       f"h = {fmt(h)}", hint=words[kind], mistakes=slips)


def _cubic(t):
    return t**3 - 2 * t


def check_difference_function(function) -> Feedback:
    """A student's ``central_difference(f, x, h)``, on f(t) = t^3 - 2t and on sin."""
    checked = []
    for f, x0, h in ((_cubic, 1.0, 0.1), (_cubic, -2.0, 0.5), (_cubic, 0.3, 1e-3),
                     (np.sin, 0.5, 1e-2)):
        up, here, down = f(x0 + h), f(x0), f(x0 - h)
        name = "sin" if f is np.sin else "f(t) = t^3 - 2t"
        checked.append(Case((f, x0, h), f"for {name} at x = {fmt(x0)} with h = {fmt(h)}",
                            (up - down) / (2 * h), {
            "That is the forward difference (f(x + h) - f(x)) / h; use both sides.":
                (up - here) / h,
            "The two points x + h and x - h are 2h apart: divide by 2h.": (up - down) / h}))
    return check_function(function, None, checked, function_name(function, "central_difference"),
                          hint="evaluate f at x + h and x - h, which are 2h apart.")


def check_relative_error(answer, analytic, numeric) -> Feedback:
    """|a - n| / max(1e-8, |a| + |n|) for an ``analytic`` and a ``numeric`` gradient."""
    a, n = float(analytic), float(numeric)
    expected = float(relative_error(a, n))
    slips = {}
    if n != 0:
        slips["Divide by |a| + |n|, not by |n| alone."] = abs(a - n) / abs(n)
    if a != 0:
        slips["Divide by |a| + |n|, not by |a| alone."] = abs(a - n) / abs(a)
    if a == 0 and n == 0:
        slips["That is the relative error where the gradient is not 0: |g/2 - g| / (|g/2| + "
              "|g|) = 1/3 for any g. Half of 0 is 0."] = 1 / 3
    return check_value(answer, expected, "the relative error", mistakes=slips,
                       hint="|a - n| / max(1e-8, |a| + |n|).")


def check_error_verdict(answer, analytic, numeric) -> Feedback:
    """The row of the gradient-check table (1 good ... 4 probably wrong) for the relative error
    of ``analytic`` against ``numeric``."""
    error = float(relative_error(analytic, numeric))
    expected = next(i for i, (limit, _) in enumerate(THRESHOLDS, start=1) if error < limit)
    return check_value(answer, expected, "the verdict number",
                       hint="compare the relative error with 1e-7, 1e-4 and 1e-2.")


# --- many examples (notebook 09) --------------------------------------------------------------
def check_batch_gradient_function(function, net, X, Y) -> Feedback:
    """A student's ``batch_dW(delta, A_prev)``: dC/dW of a batch's average cost, on every layer
    of the notebook's network and batch, and of a random network, against the library."""
    rng = np.random.default_rng(91)
    other = _random_network(rng, (2, 3, 3, 1), net.activations[0].name)
    batches = [(net, X, Y, "the notebook's network and data"),
               (other, rng.normal(size=(5, 2)), rng.normal(size=(5, 1)),
                "a random 2-3-3-1 network and 5 examples")]
    checked = []
    for network, bx, by, words in batches:
        g = network.backward(bx, by)
        inputs = [network.input(bx), *g.forward.a]  # inputs[L] comes into layer L
        for L in range(len(network.weights)):
            delta, A, right = (np.asarray(v, dtype=float) for v in (g.dz[L], inputs[L], g.dw[L]))
            slips = {"That is the sum over the examples: divide by m for the average.":
                     right * g.batch_size}
            if right.shape[0] == right.shape[1]:
                slips["That has the shape of W transposed: put delta first, (delta^T A) / m."] = (
                    right.T)
            checked.append(Case((delta, A), f"on layer {network.layer_names[L]} of {words}",
                                right, slips))
    return check_function(function, None, checked, function_name(function, "batch_dW"),
                          hint="one term per example i: delta_i (a column) times A_prev_i (a "
                               "row), then average.")


def check_summed_cost(function, net, X, Y) -> Feedback:
    """A student's ``summed_cost(params)``: the SUM of the C_i over (X, Y) for ``net``'s
    parameters in ``net.parameter_names`` order, at the network's own and each moved by 0.25."""
    m = len(net.input(X))

    def average(params):
        moved = net.with_params(dict(zip(net.parameter_names, np.asarray(params).tolist())))
        return float(moved.backward(X, Y).cost)

    start = np.array([float(net.param(n)) for n in net.parameter_names])
    return check_function(
        function, lambda p: m * average(p), [(start,), (start + 0.25,)],
        function_name(function, "summed_cost"),
        hint="the same squares as an average, added up instead of averaged.",
        mistakes={f"That is the average over the {m} examples: the sum does not divide by m.":
                  average})


def check_summed_gradient(answer, net, X, Y, param: str) -> Feedback:
    """d(sum of the C_i)/d``param`` over the batch (X, Y): the sum of the examples' own
    gradients, which is m times the batch's averaged one."""
    average = net.backward(X, Y)[param]
    total = sum(net.backward(x_i, y_i)[param] for x_i, y_i in zip(net.input(X), net.target(Y)))
    return check_value(answer, total, f"d(sum of the C_i)/d{param}",
                       hint="the gradient of a sum is the sum of the gradients.",
                       mistakes={"That is the average over the examples' gradients; the sum "
                                 "adds them up instead.": average})


def check_steps_per_epoch(answer, n: int, batch_size: int) -> Feedback:
    """Steps in one epoch of mini-batch SGD over ``n`` examples in batches of ``batch_size``."""
    expected = steps_per_epoch(n, batch_size)
    slips = {"Count steps, not a fraction: every batch, the last smaller one too, is a step.":
             Fraction(n, batch_size),
             "That multiplies: an epoch has one step per batch, n / m rounded up.":
             n * batch_size,  # (the last slip is the answer where m divides n: passed over)
             f"{n} / {batch_size} is not a whole number: the last, smaller batch is a step too.":
             n // batch_size}
    return check_value(answer, expected, "the steps in one epoch", mistakes=slips,
                       hint="each step uses one batch; an epoch uses every example once.")


def check_doubled_data(answer, net, X, Y) -> Feedback:
    """Predict, then check: every example copied; what happens to C and its gradient?"""
    g = net.backward(X, Y)
    doubled = net.backward(np.concatenate([X, X]), np.concatenate([Y, Y]))
    same = bool(np.isclose(float(doubled.cost), float(g.cost)) and all(
        np.isclose(float(doubled[p]), float(g[p])) for p in net.parameter_names))
    return check_choice(
        answer, "c" if same else "a",
        {"a": "both double", "b": "C doubles, the gradient stays", "c": "both stay the same",
         "d": "C stays, the gradient doubles"},
        {"c": f"an average of pairs of equal numbers is the same average: C = "
              f"{fmt(doubled.cost)} for the doubled set, {fmt(g.cost)} for the original.",
         "a": "the sum doubles, but so does n: C is an average, not a sum.",
         "b": "C is an average: doubling every term and the count leaves it as it was.",
         "d": "the gradient is the average of the examples' gradients, just as C is theirs."})


def check_example_gradients_at_bottom(answer, net, X, Y, param: str = "w_Out",
                                      learning_rate=0.05, steps: int = 200) -> Feedback:
    """Predict, then check: at (almost) the bottom of C after full-batch descent on ``param``,
    is every example's own dC_i/d``param`` 0 ("a"), or only their average ("b")?"""
    n = len(X)
    bottom = Trainer(net.as_float(), X, Y, learning_rate, batch_size=n,
                     params=(param,)).train(steps).net
    per = [float(bottom.backward(X[i], Y[i])[param]) for i in range(n)]
    average = sum(per) / n
    spread = max(abs(v) for v in per)
    every_zero = spread <= 1e-9  # only a data set the network fits exactly
    at_bottom = abs(average) <= spread / 10
    why_b = (f"after {steps} full-batch steps on {param}, dC/d{param} = {fmt(average)}, but the "
             f"examples' own dC_i/d{param} reach {fmt(spread)} in size: they cancel. That is "
             "why SGD with a fixed learning rate keeps jittering near the bottom: each batch "
             "still has a gradient there." if at_bottom else
             f"here the valley has no bottom within reach: after {steps} full-batch steps "
             f"dC/d{param} is still {fmt(average)}. The examples' own dC_i/d{param} already "
             f"differ (up to {fmt(spread)} in size); where the average is 0, they cancel.")
    return check_choice(
        answer, "a" if every_zero else "b",
        {"a": "yes, all of them", "b": "no, only their average is 0"},
        {"b": why_b,
         "a": ("every example is fit exactly here, so each one's gradient is 0." if every_zero
               else "each example's C_i has its own valley; at the bottom of the average they "
                    "cancel, they do not vanish.")})


# --- training (notebook 11) -------------------------------------------------------------------
def check_single_neuron_limit(answer, run) -> Feedback:
    """Predict, then check: why the network of ``run`` (a Trainer), one neuron in H0, cannot
    learn a data set that no straight line splits (all after H0 sees x only through z_H0)."""
    if run.net.sizes[:2] != (2, 1):
        raise ValueError(f"run: expected a network with 2 inputs and one neuron in H0, got sizes "
                         f"{run.net.sizes}")
    return check_choice(
        answer, "c",
        {"a": "it needs more steps", "b": "its learning rate is too small",
         "c": "its prediction depends on x only through z_H0, so its boundary is a straight "
              "line",
         "d": "ReLU neurons die"},
        {"c": f"every later layer sees x only through the one number z_H0, and the "
              f"activations never turn back, so a_Out above the threshold is a half-plane. After "
              f"{run.steps} steps: {run.accuracy():.0%} right; without hidden layers (also a "
              f"straight boundary): {flat_accuracy(run.X, run.Y, run.threshold, run.seed):.0%} "
              "(exercise 11.3).",
         "a": "more steps cannot help: even the best weights of this network draw a straight "
              "boundary.",
         "b": "a larger learning rate reaches the best weights sooner, but the best weights of "
              "this network still draw a straight line.",
         "d": f"{_can_die(run.net)} a chain of any activation has the same limit: it only sees "
              "z_H0."})


def _can_die(net) -> str:
    """Whether the hidden neurons of ``net`` can die (classify_slopes: sigma'(z) = 0 at z < 0)."""
    hidden = net.activations[:-1]
    names = listed(dict.fromkeys(s.formula for s in hidden))
    if any(classify_slopes(s.derivative(np.array([-1.0])), s)[0].any() for s in hidden):
        return f"Its {names} neurons can die, but"
    return f"Its {names} neurons cannot die, and"


def check_larger_rate(answer, net, data, learning_rate, batch_size, seed, steps=200,
                      factor=100) -> Feedback:
    """Predict, then check: ``steps`` steps at ``factor`` times the learning rate end with a
    cost lower (a), higher (b) or about the same (c) as at the learning rate itself."""
    small, large = (Trainer(net, data.X, data.Y, eta, batch_size, seed=seed,
                            threshold=data.threshold, record_every=steps).train(steps)
                    for eta in (learning_rate, factor * learning_rate))
    ratio = float(large.cost) / float(small.cost)
    verdict = "a" if ratio < 0.8 else "b" if ratio > 1.25 else "c"
    told = (f"with learning rate {fmt(learning_rate)}, C = {fmt(small.cost)} after {steps} "
            f"steps; with {fmt(factor * learning_rate)}, C = {fmt(large.cost)}"
            + (" (it diverged)" if large.diverged else "") + "."
            + (" A step that is too large jumps across the valley and lands higher up the other "
               "side (notebook 06)." if verdict == "b" else ""))
    ended = {"a": "these ended lower", "b": "these ended higher", "c": "these ended within a "
             "factor of 1.25, which this question counts as about the same"}[verdict]
    return check_choice(answer, verdict,
                        {"a": "lower: larger steps get there faster",
                         "b": "higher: the steps overshoot", "c": "about the same"},
                        {"a": f"larger steps get there faster only while they do not overshoot; "
                              f"{ended}: {told}", "b": "overshooting steps end higher up the "
                              f"valley's side; {ended}: {told}", "c": f"steps {fmt(factor)} "
                              f"times as large end elsewhere; {ended}: {told}", verdict: told})


def flat_accuracy(X, Y, threshold, seed, steps=150):
    """The accuracy a network without hidden layers (one tanh neuron, a straight boundary)
    reaches on the examples X, Y after ``steps`` steps."""
    flat = initial_network([2, 1], "tanh", seed=seed)
    return Trainer(flat, X, Y, 0.1, 20, seed=seed, threshold=threshold,
                   record_every=steps).train(steps).accuracy()


def check_need_hidden(answer, n_examples, seed, labels) -> Feedback:
    """Predict, then try: which data sets a network without hidden layers gets below 90%."""
    made = {name: datasets.make(name, n_examples, seed=seed, labels=labels)
            for name in datasets.NAMES}
    accuracy = {name: flat_accuracy(d.X, d.Y, d.threshold, seed) for name, d in made.items()}
    sets = {"a": set(), "b": {"xor"}, "c": {"circle", "xor"}, "d": {"circle", "xor", "spiral"},
            "e": set(datasets.NAMES)}
    options = {"a": "none of them", "b": "xor only", "c": "circle and xor",
               "d": "circle, xor and spiral", "e": "all four"}
    needs = {name for name, a in accuracy.items() if a < 0.9}
    correct = next((key for key, names in sets.items() if names == needs), "f")
    if correct == "f":  # these settings found another set: offer it too
        options["f"] = listed(sorted(needs))  # "circle, gauss and xor", as the others
    report = ", ".join(f"{name} {a:.0%}" for name, a in accuracy.items())
    why = {key: "; ".join(f"{name} needs one: only {accuracy[name]:.0%} right without it"
                          if name in needs else f"{name} does not need one: {accuracy[name]:.0%} "
                          "right without it" for name in sorted(names ^ needs)) + "."
           for key, names in sets.items()}
    return check_choice(answer, correct, options,
                        dict(why, **{correct: f"after 150 steps, a network without a hidden "
                                              f"layer gets right: {report}. Below 90%, no "
                                              "straight line splits the two classes."}))


def check_accuracy_function(function, trainer, data) -> Feedback:
    """A student's ``my_accuracy(a_Out, Y, threshold)`` against ``threshold_accuracy`` on the
    trained and the untrained network, and on made-up predictions (labels -1/1 and 0/1)."""
    rng = np.random.default_rng(114)
    made_up = [(rng.uniform(-1, 1, (7, 1)), np.array([[1.0], [-1], [1], [1], [-1], [-1], [1]]),
                0.0, "made-up predictions for labels -1 and 1"),
               (rng.uniform(0, 1, (5, 1)), np.array([[0.0], [1], [1], [0], [1]]), 0.5,
                "made-up predictions for labels 0 and 1")]
    checked = [(net.forward(data.X).output, data.Y, data.threshold, words)
               for net, words in ((trainer.net, "the trained network's predictions"),
                                  (trainer.start_net, "the untrained network's predictions"))]
    cases = []
    for a, Y, t, words in checked + made_up:
        right = threshold_accuracy(a, Y, t)
        cases.append(Case((a, Y, t), f"on {words}", right, {
            "That is the share of errors: count the examples on the right side.": 1 - right,
            "That is a count: divide by the number of examples.": right * len(Y)}))
    return check_function(function, None, cases, function_name(function, "my_accuracy"),
                          hint="compare (a_Out > threshold) with (Y > threshold) and take the "
                               "mean.")


# --- the cost surface (notebook 05) -----------------------------------------------------------
def grid_point(surface, at: dict) -> tuple:
    """(i, j): the indices of the grid point of ``surface`` nearest to ``at`` ({name: value})."""
    return tuple(int(np.argmin(np.abs(np.asarray(values, dtype=float) - float(at[name]))))
                 for name, values in zip(surface.names, surface.values))


def check_grid_reading(answer, surface, at: dict, quantity: str = "cost") -> Feedback:
    """Read the surface at the grid point nearest to ``at``: the cost there ("cost"), or the
    sign of a descent step in the second parameter there ("step sign": -1, 0 or +1)."""
    i, j = grid_point(surface, at)
    first, second = surface.names
    if quantity == "cost":
        slips = {}
        if surface.cost.shape[0] == surface.cost.shape[1] and i != j:
            slips[f"The first index runs along {first}, the second along {second}: you swapped "
                  "them."] = surface.cost[j, i]
        return check_value(answer, surface.cost[i, j], "C0 at that grid point", mistakes=slips,
                           hint=f"surface.cost[i, j] is at {first} = surface.values[0][i] and "
                                f"{second} = surface.values[1][j].")
    if quantity != "step sign":
        raise ValueError(f"quantity: expected 'cost' or 'step sign', got {quantity!r}")
    sign = float(np.sign(surface.grad[second][i, j]))  # of the slope there
    return check_value(answer, -sign, f"the sign of a downhill step in {second} there",
                       hint=f"a descent step is -eta * dC0/d{second}: its sign is the opposite "
                            "of the slope's.",
                       mistakes={"That is the sign of the slope: uphill. Descent goes the other "
                                 "way.": sign})  # at a slope of 0 that is the answer: passed over


def check_first_order_function(function, g, names=("w_H1", "w_Out")) -> Feedback:
    """A student's ``predicted_change(dC0_dw1, dC0_dw2, step1, step2)``: the first-order change
    of the cost, on the gradient ``g`` of the notebook and on made-up gradients."""
    here = tuple(float(g[name]) for name in names)
    cases = [(here + (0.01, 0.0), f"the notebook's gradient, a step of 0.01 in {names[0]}"),
             (here + (-0.02, 0.03), "the notebook's gradient, a step in both weights"),
             ((3.0, -2.0, 0.1, 0.1), "made-up gradients 3 and -2, steps of 0.1"),
             ((0.0, 5.0, 1.0, -0.5), "made-up gradients 0 and 5, steps 1 and -0.5")]
    checked = [Case((d1, d2, s1, s2), f"for {words}", d1 * s1 + d2 * s2, {
        "Add both terms: each weight's step times its own gradient.": d1 * s1,
        "Add both terms: the second weight's step counts too.": d2 * s2,
        "The change goes with the gradient, not against it: no minus sign.":
            -(d1 * s1 + d2 * s2)}) for (d1, d2, s1, s2), words in cases]
    return check_function(function, None, checked, function_name(function, "predicted_change"),
                          hint="each weight's step times its gradient, added up: the dot "
                               "product of the gradient and the step.")


# --- the computational graph (notebook 10) ----------------------------------------------------
def check_fan_out(answer, v, w, dC0_dp, dC0_dq) -> Feedback:
    """dC0/du for a node u that feeds p = u * v and q = u * w, given dC0/dp and dC0/dq."""
    share_p, share_q = v * dC0_dp, w * dC0_dq
    return check_value(answer, share_p + share_q, "dC0/du", mistakes={
        "That is only the share from p; u feeds q too, and fan-out adds.": share_p,
        "That is only the share from q; u feeds p too, and fan-out adds.": share_q,
        "Each share needs its local derivative: d(u * v)/du = v, times dC0/dp.":
            dC0_dp + dC0_dq,
        "The shares add up; they are not multiplied.": share_p * share_q},
        hint="u feeds two nodes, so it collects two shares; each share is the local derivative "
             "(for u * v that is v) times that node's gradient.")


def check_finite_difference_passes(answer, sizes) -> Feedback:
    """How many forward passes central differences need for one gradient of C0 of a network
    with layer ``sizes`` (inputs first): two per parameter."""
    weights = sum(m * n for m, n in zip(sizes, sizes[1:]))
    parameters = weights + sum(sizes[1:])
    return check_value(answer, 2 * parameters, "the number of forward passes", mistakes={
        "That is one pass per parameter; the central difference nudges each parameter both up "
        "and down.": parameters,
        "Don't forget the biases: one per neuron of every layer after the input.": 2 * weights,
        "That is the forward difference (one shared pass plus one per parameter); central "
        "differences need two per parameter.": parameters + 1,
        "Backpropagation needs one forward and one backward pass; the question is about finite "
        "differences.": 2},
        hint="count the parameters (weights: one per pair of neurons in neighbouring layers; "
             "biases: one per neuron), then two passes for each.")


def check_backward_pass_function(function, graphs) -> Feedback:
    """A student's ``backward_pass(G)`` returning every node's gradient in ``G.nodes`` order,
    on each graph of ``graphs`` ([(graph, "the chain"), ...]), against ``Graph.backward``."""
    checked = []
    for G, words in graphs:
        mine = copy.deepcopy(G)
        mine.backward()
        names = tuple(f"G.nodes[{i}]" + (f" ({node.name})" if node.name else "")
                      for i, node in enumerate(G.nodes))
        checked.append(Case((G,), f"on {words}", [node.grad for node in mine.nodes], names=names))
    return check_function(function, None, checked, function_name(function, "backward_pass"),
                          hint="each child gets local * node.grad ADDED to what it has (+=): a "
                               "node that feeds several others collects a share from each of "
                               "them.")


# --- softmax and cross-entropy (notebook 12) -------------------------------------------------
def _softmax(z):
    return act.softmax(np.asarray(z, dtype=float))


def check_softmax_shift(answer, z, c) -> Feedback:
    """What happens to the probabilities softmax(z) when every logit grows by ``c``."""
    before, after = _softmax(z), _softmax(np.asarray(z, dtype=float) + float(c))
    if np.allclose(before, after, rtol=1e-9, atol=1e-12):
        correct = "c"
    else:
        correct = "a" if (after > before).all() else "b"
    options = {"a": "every probability grows",
               "b": "the largest grows and the others shrink",
               "c": "they stay the same"}
    numbers = (f"softmax(z) = [{', '.join(fmt(v) for v in before)}], softmax(z + {fmt(c)}) = "
               f"[{', '.join(fmt(v) for v in after)}]")
    why = {"a": "the probabilities always add up to 1, so they cannot all grow.",
           "b": "every e^(z_j) is multiplied by the same number e^c."}
    why[correct] = (f"{numbers}: e^(z_j + c) = e^c e^(z_j), and e^c cancels between the "
                    "numerator and the sum below it. Only differences between logits matter.")
    return check_choice(answer, correct, options, why)


def check_output_delta(answer, net, x, y) -> Feedback:
    """dC0/dz^Out (the whole vector) of ``net`` (softmax output, cross-entropy) at (x, y)."""
    output, cost = net.activations[-1].name, net.cost_function.name
    if (output, cost) != ("softmax", "cross_entropy"):
        raise ValueError(f"check_output_delta: expected a network with a softmax output and the "
                         f"cross-entropy cost, got {output} with the {cost} cost")
    g = net.backward(x, y)
    steps = softmax_delta(g.forward.z["Out"], net.target(y))  # the derivation's numbers
    a, t = steps.a, steps.y
    slips = {
        "That is a^Out itself: the first delta subtracts the target.": a,
        "Check the sign: dC0/dz_j = a_j - y_j, which is negative for the target's class.": t - a,
        "That is the quadratic cost's 2(a - y) without its Jacobian; with cross-entropy there "
        "is no 2.": 2 * (a - t),
        "That keeps a sigma' factor a_j (1 - a_j): the softmax's Jacobian cancels it with "
        "cross-entropy.": (a - t) * a * (1 - a),
        "That is dC0/da^Out; go on through the softmax's Jacobian to z.": steps.dC_da,
    }
    return check_value(answer, np.asarray(g.dz["Out"], dtype=float), "dC0/dz^Out", mistakes=slips,
                       hint="work out a^Out = softmax(z^Out) first; the first delta of softmax "
                            "with cross-entropy is simple.")


SOFTMAX_CASES = [(np.array([2.0, 1.0, -1.0]),), (np.array([1000.0, 1001.0, 1002.0]),),
                 (np.array([-3.0, 0.5, 0.0, 5.0]),), (np.array([-800.0, -801.0]),),
                 (np.array([0.0, 1000.0]),)]


def _smallest_out(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z - np.min(z))
        return e / e.sum()


def check_softmax(function) -> Feedback:
    """A student's softmax(z) for a 1-D array z: on small logits, on logits near 1000 (e^1000
    overflows), near -800 (e^-800 underflows to 0) and far apart (0 and 1000)."""
    return check_function(
        function, _softmax, SOFTMAX_CASES, "my_softmax",
        hint="e^z overflows for z = 1000: take the largest z out of every exponent first; the "
             "probabilities do not change (exercise 12.1).",
        mistakes={"Divide by the sum, so that the probabilities add up to 1.":
                  lambda z: np.exp(z - np.max(z)),
                  "Take out the largest z, not the smallest: e^(z - min(z)) overflows when the "
                  "logits lie far apart.": _smallest_out})


def check_slow_start(answer, z, y) -> Feedback:
    """Which cost gives a sigmoid output at ``z`` with target ``y`` the larger |dC0/dz|."""
    n = sigmoid_output(float(z), y)
    quad, cross = abs(float(n.quadratic_delta)), abs(float(n.cross_entropy_delta))
    correct = "c" if np.isclose(quad, cross, rtol=1e-9, atol=0) else "a" if quad > cross else "b"
    options = {"a": "the quadratic cost", "b": "cross-entropy", "c": "both the same"}
    numbers = (f"at z = {fmt(float(z))}, a = {fmt(float(n.a))}: the quadratic cost's "
               f"dC0/dz = 2(a - y) sigma'(z) = {fmt(float(n.quadratic_delta))}, "
               f"cross-entropy's a - y = {fmt(float(n.cross_entropy_delta))}")
    why = {"a": "the quadratic cost's 2(a - y) sigma'(z) is a - y times 2a(1 - a), which is at "
                "most 1/2: it is never the larger.",
           "b": "both dC0/dz hold the factor a - y, which is 0 here.",
           "c": "both dC0/dz hold a - y, but the quadratic cost's also 2a(1 - a), at most 1/2: "
                "they agree only where a = y.", correct: numbers + "."}
    return check_choice(answer, correct, options, why)


# --- gradients through depth (notebook 13) ----------------------------------------------------
INIT_CASES = [(32, 32), (3, 7), (100, 10), (1, 1), (784, 300)]
INIT_SLIPS = {
    "xavier": {
        "That is 1/n_in (LeCun's): Glorot averages the forward and the backward condition, "
        "so n_out counts too.": lambda n_in, n_out: 1 / n_in,
        "That is He's 2/n_in; Glorot's denominator has n_in + n_out.": lambda n_in, n_out: 2 / n_in,
        "Keep the 2: the average of n_in and n_out is (n_in + n_out)/2, so Var(w) = "
        "1 / ((n_in + n_out)/2).": lambda n_in, n_out: 1 / (n_in + n_out),
    },
    "he": {
        "That is 1/n_in: ReLU zeroes half of the z's, so E[a^2] = Var(z)/2, and the factor 2 "
        "makes up for it.": lambda n_in, n_out: 1 / n_in,
        "He counts the inputs only (the forward condition): n_in, not n_in + n_out.":
            lambda n_in, n_out: 2 / (n_in + n_out),
    },
}


def check_init_variance(function, init: str):
    """The student's ``function(n_in, n_out)`` against ``learning.depth.init_variance`` for
    ``init`` ("xavier" or "he") on layers of several sizes."""
    variance = partial(depth.init_variance, init)
    slips = {**lookup(INIT_SLIPS, init, "init", "check_init_variance"),
             "That is a standard deviation; the question asks for the variance.":
             lambda n_in, n_out: variance(n_in, n_out) ** 0.5}
    return check_function(function, variance, INIT_CASES,
                          function_name(function, f"the {init} variance"),
                          hint="keep Var(z) (or Var(delta)) the same from layer to layer.",
                          mistakes=slips)


SCALE_OPTIONS = {"a": "grows (relative to Out's)", "b": "shrinks (relative to Out's)",
           "c": "stays about the same (within a factor of 2)"}


def check_scale_effect(answer, settings: dict, factor=2.0):
    """Predict, then check: with the initial weights' scale times ``factor``, does
    |delta^H0| / |delta^Out| of the network of ``settings`` (``depth.deep_network``'s
    arguments, ``m`` for the batch) grow, shrink or stay?"""
    settings = dict(settings)
    m = settings.pop("m", 32)
    before = _profile(settings, m)
    after = _profile(dict(settings, scale=settings.get("scale", 1.0) * factor), m)
    change = after.spread / before.spread if before.spread > 0 else float("inf")
    correct = "a" if change > 2 else "b" if change < 0.5 else "c"
    weights = factor ** (len(before.names) - 1)  # (W^L)^T once per layer after H0
    reason = ("so a factor on every weight comes in once per layer"
              if correct == "a" or change > 0.9 * weights else
              "and larger weights push z to where sigma'(z) is smaller, which here "
              f"{'outweighs' if change < 1 else 'takes back part of'} the weights' factor "
              f"{fmt(weights, 3)}")
    seen = (f"|delta^H0| / |delta^Out| was {fmt(before.spread, 3)} and is "
            f"{fmt(after.spread, 3)} with the scale times {fmt(factor)}: {fmt(change, 3)} times "
            "as large. Each layer on the way back multiplies delta by (W^L)^T and sigma'(z^L)")
    gives = f"the weights' factor {fmt(weights, 3)} gives"
    times = fmt(change, 3) if fmt(change, 3) not in ("2", "0.5") else fmt(change)  # 1.9998, not 2
    band = (f" {times} times: within the factor of 2 this question counts as about the same."
            if correct == "c" else "")
    why = {"a": f"{seen}: it grows only where {gives} more than the slopes sigma'(z) take "
                f"back.{band}",
           "b": f"{seen}: it shrinks only where the slopes sigma'(z) take back more than "
                f"{gives}.{band}",
           "c": f"{seen}: it stays only where the slopes sigma'(z) take back about what {gives}.",
           correct: f"{seen}, {reason}."}
    return check_choice(answer, correct, SCALE_OPTIONS, why, what="how H0's gradient changes")


def _profile(settings, m):
    net = depth.deep_network(**settings)
    X, Y = depth.deep_data(net, m, settings.get("seed", 0))
    return depth.profile(net, X, Y)


__all__ = [
    "check_accuracy_function", "check_backprop_sum", "check_backward_pass_function",
    "check_batch_gradient_function", "check_bouncing_rate", "check_delta_function",
    "check_descent_step", "check_difference", "check_difference_function", "check_doubled_data",
    "check_error_verdict", "check_example_gradients_at_bottom", "check_fan_out",
    "check_finite_difference_passes", "check_first_order_function", "check_grid_reading",
    "check_init_variance", "check_larger_rate", "check_lowest_run", "check_need_hidden",
    "check_output_delta", "check_relative_error", "check_scale_effect",
    "check_single_neuron_limit", "check_slow_start", "check_softmax", "check_softmax_shift",
    "check_step_function", "check_steps_per_epoch", "check_summed_cost", "check_summed_gradient",
    "check_weight_count", "grid_point",
]
