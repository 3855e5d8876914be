"""The sentences learning/reading.py writes for the notebooks, and the colour words of the
figures (plots/key.py): each checked against the computation, under several activations."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp
from backproplib.learning import reading
from backproplib.learning.descent import gradient_descent
from backproplib.plots import key, style

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "linear")


def chain(activation="relu", weights=(0.1, 0.01, 0.5), biases=(2, 1, 3)):
    return bp.Network.chain(weights=list(weights), biases=list(biases), activation=activation)


def test_rounded_keeps_only_stable_digits():
    assert reading.rounded(2.3999703125, 4) == "2.4"
    assert reading.rounded(5.0238904765625, 6) == "5.02389"
    assert reading.rounded(-0.000123456, 3) == "-0.000123"


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_lowest_point_names_the_minimum_and_the_edge(activation):
    net = chain(activation)
    grid = {"w_H1": np.linspace(-1, 1, 21), "w_Out": np.linspace(-1, 1, 21)}
    surface = bp.cost_surface(net, 0.5, 0, grid)
    text = reading.lowest_point(surface)
    i, j = np.unravel_index(np.argmin(surface.cost), surface.cost.shape)
    assert text.startswith(reading.rounded(surface.cost[i, j]))
    on_edge = i in (0, 20) or j in (0, 20)
    if surface.cost[i, j] == 0:  # ReLU's dead Out predicts y = 0: nothing lower, edge or not
        assert "no cost is below 0" in text, text
    else:
        assert ("on the grid's edge" in text) == on_edge, text


def test_a_lowest_point_of_0_on_the_edge_is_not_said_to_go_lower():
    # every number 0 (notebook 09 with xs = ys = 0): C is 0 on the whole grid; its first point is
    # on the edge, yet no cost can be lower than 0
    net = chain("leaky_relu", weights=(0, 0, 0), biases=(0, 0, 0))
    surface = bp.cost_surface(net, 0, 0, {"w_H1": np.linspace(-1, 1, 5),
                                          "w_Out": np.linspace(-1, 1, 5)})
    assert reading.lowest_point(surface) == "0 at every point of this grid"
    net = chain("relu", weights=(0.1, 0.01, 0.5), biases=(-1, 1, 3))  # ReLU's dead H0: C0 = 12.25
    surface = bp.cost_surface(net, 0.5, 0, {"w_H0": np.linspace(-1, 1, 5),
                                            "w_Out": np.linspace(-1, 1, 5)})
    text = reading.lowest_point(surface)  # w_Out sees a_H1 = ReLU(1) = 1: not flat
    assert "the cost may be lower outside" in text, text
    flat = bp.cost_surface(net, 0.5, 0, {"w_H0": np.linspace(-1, 1, 5), "b_H0": [-2, -1.5]})
    level = reading.rounded(flat.cost[0, 0])  # H0 dead on the whole grid: one cost
    assert reading.lowest_point(flat) == f"{level} at every point of this grid"


def test_lowest_point_at_the_far_corner_of_the_grid_is_on_its_edge():
    # linear chain, y = 10 beyond every a_Out of this grid: C0 falls towards its largest values
    net = chain("linear")
    grid = {"w_Out": np.linspace(-1, 1, 11), "b_Out": np.linspace(-3, -1, 11)}
    surface = bp.cost_surface(net, 0.5, 10, grid)
    assert np.unravel_index(np.argmin(surface.cost), surface.cost.shape) == (10, 10)
    assert reading.lowest_point(surface).endswith(
        "at w_Out = 1, b_Out = -1 (on the grid's edge in w_Out and b_Out: the cost may be lower "
        "outside the picture)")


def test_lowest_point_inside_a_grid_around_a_minimum():
    # linear chain, y reachable: the cost is 0 on a curve through the middle of this grid
    net = chain("linear", biases=(0, 0, 0))
    values = np.linspace(-2, 2, 41)
    surface = bp.cost_surface(net, 1.0, 0.005, {"w_H1": values, "w_Out": values})
    assert "inside the grid" in reading.lowest_point(surface)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_zero_crossing_follows_the_activation(activation):
    net = chain(activation)
    text, (low, high) = reading.zero_crossing(net, 0.5, "w_H1")
    crossing = -1 / net.forward(0.5).a["H0"][0]  # -b_H1 / a_H0
    assert bp.fmt(crossing) in text
    assert low <= crossing - 1 and high >= crossing + 1  # the slider reaches past it
    dead_left = activation == "relu"
    assert ("H1 is dead" in text) == dead_left, text
    assert ("Where H1 is dead, the curve is flat and so is the tangent." in text) == dead_left
    assert ("does not go flat" in text) == (not dead_left), text


@pytest.mark.parametrize("w_H1, b_H1, drawn, far", [("0", "-3", (-2, 4), False),
                                                    ("0", "-6", (-2, 2), True),
                                                    ("4", "-3", (2, 6), False)])
def test_zero_crossing_widens_the_range_to_a_crossing_within_reach(w_H1, b_H1, drawn, far):
    # linear, exact, a_H0 = 1: z_H1 crosses 0 at w_H1 = -b_H1, 3, 6 or 1 away from w_H1; the
    # range is w_H1 +- 2, widened to the crossing +- 1 when that is less than 6 away
    net = bp.Network.chain(weights=["1/2", w_H1, "1"], biases=["1", b_H1, "0"],
                           activation="linear")
    text, (low, high) = reading.zero_crossing(net, 0, "w_H1")
    assert f"crosses 0 at w_H1 = -b_H1 / a_H0 = {-int(b_H1)}" in text
    assert (low, high) == drawn
    assert ("the crossing is far from" in text) == far


def test_zero_crossing_without_input():
    net = chain(biases=(-5, 1, 3))  # H0 dead: a_H0 = 0, so w_H1 does nothing
    text, _ = reading.zero_crossing(net, 0.5, "w_H1")
    assert text.startswith("a_H0 = 0 here")


def test_when_blocked_finds_the_step_h1_died():
    net = chain()
    path = gradient_descent(net, 0.5, 0, 0.01, 20)
    died = next(i for i, p in enumerate(path.params) if net.with_params(p).forward(0.5).blocked)
    assert reading.when_blocked(net, 0.5, path).startswith(f"From step {died} on, H1 is dead")
    calm = gradient_descent(chain("sigmoid"), 0.5, 0, 0.01, 5)
    assert reading.when_blocked(chain("sigmoid"), 0.5, calm).startswith("No neuron")


def test_when_blocked_says_every_parameter_moved_when_none_stopped():
    """tanh saturates Out from the start, yet every parameter keeps a gradient: "only w_H0,
    b_H0, w_H1, b_H1, w_Out and b_Out still moved" named all six as if some had stopped."""
    path = gradient_descent(chain("tanh"), 0.5, 0, 0.01, 20)
    assert len(path.moving) == len(path.names)
    text = reading.when_blocked(chain("tanh"), 0.5, path)
    assert text == "At the start, Out is saturated; where descent ended, every parameter still moved."
    dead = gradient_descent(chain(), 0.5, 0, 0.01, 20)  # H1 dies: only b_Out keeps moving
    assert reading.when_blocked(chain(), 0.5, dead).endswith("only b_Out still moved.")


def test_first_stuck_and_the_rescue():
    net = chain()
    etas = [0.001, 0.01, 0.03, 0.1]
    stuck = reading.first_stuck(net, 0.5, 0, etas, 20, params=("w_H1", "w_Out"))
    assert stuck is not None and stuck.outcome == "stuck"
    earlier = [gradient_descent(net, 0.5, 0, eta, 20, params=("w_H1", "w_Out"))
               for eta in etas[:etas.index(stuck.learning_rate)]]
    assert not any(run.outcome == "stuck" for run in earlier)
    report = reading.stuck_report(stuck, ("w_H1", "w_Out"))
    assert report.startswith(f"learning rate {bp.fmt(stuck.learning_rate)}: ")
    rescue = reading.leaky_rescue(stuck, [0.1, 0.01, 0.5], [2, 1, 3], 0.5, 0, 20,
                                  params=("w_H1", "w_Out"))
    assert "da_H1/dz_H1 = 0.01" in rescue
    assert f"stuck at C0 = 9 after {stuck.steps_taken} steps\n" in rescue  # was "8 step(s)"
    assert reading.first_stuck(chain("sigmoid"), 0.5, 0, etas, 20) is None
    assert "did not get stuck" in reading.stuck_report(None, ("w_H1", "w_Out"))
    assert "nothing to rescue" in reading.leaky_rescue(None, [], [], 0.5, 0, 20, ("w_H1",))


def regime_groups(line):
    """[(words, first rate, last rate)] of one line of reading.regimes, after its last ': '."""
    parts = line.rsplit(": ", 1)[1].rstrip(".").split("; ")
    found = [re.fullmatch(r"(.+) (?:from (\S+) to (\S+)|at (\S+))", part).groups()
             for part in parts]
    return [(words, float(a or at), float(b or at)) for words, a, b, at in found]


def test_regimes_follow_the_parabola_of_a_linear_chain():
    # w_Out alone, linear: C0 = (a_H1 * w_Out + b_Out - y)^2 = c * (w_Out - best)^2, c = a_H1^2
    net = chain("linear", weights=(1, 2, 0.5), biases=(0, 0, 0))
    c = float(net.forward(net.input(1)).a[1][0]) ** 2  # 4: 1/(2c) = 0.125, 1/c = 0.25
    first, second = reading.regimes(net, 1, 3, (0.1, 0.3, 0.005), 20, ("w_Out",),
                                    count=100).splitlines()
    found = regime_groups(first)
    assert found[0][1] == 0.1 and found[-1][2] == 0.3 and "41 learning rates" in first
    for words, *ends in found:
        for eta in ends:
            factor = 1 - 2 * c * eta  # a step multiplies the distance to the best w_Out by this
            expected = (("diverged",) if factor < -1 else ("oscillating",) if factor == -1
                        else ("converged",) if factor == 0 else ("converged", "falling",
                                                                   "crawling"))
            assert words in expected, (eta, first)
    assert ("oscillating", 1 / c, 1 / c) in found, first
    assert any(w == "converged" and a <= 1 / (2 * c) <= b for w, a, b in found), first
    # linear has no flat part to get stuck on, and is its own linear twin
    assert second.startswith("Never on this slider: ") and "stuck" in second, second
    assert not any(words in second for words, *_ in found) and "twin" not in second, second


def test_regimes_under_relu_name_what_is_missing_and_what_the_linear_twin_shows():
    pair = ("w_H1", "w_Out")
    text = reading.regimes(chain(), 0.5, 0, (0.001, 0.3, 0.001), 20, pair).splitlines()
    ours, twin = regime_groups(text[0]), regime_groups(text[1])
    runs = {eta: gradient_descent(chain(), 0.5, 0, eta, 20, params=pair)
            for _, a, b in ours for eta in (a, b)}
    assert all(words.split()[0] == runs[a].outcome == runs[b].outcome for words, a, b in ours)
    assert "stuck with H1 dead" in text[0]
    missing = [w for w in reading.REGIMES if w not in {w.split()[0] for w, *_ in ours}]
    assert text[1].startswith(f"Never on this slider: {', '.join(missing[:-1])} and "
                              f"{missing[-1]}. The linear twin")
    assert twin == regime_groups(reading.regimes(chain("linear"), 0.5, 0, (0.001, 0.3, 0.001),
                                                 20, pair).splitlines()[0])


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_float_against_exact(activation):
    text = reading.float_against_exact(chain(activation), 0.5, 0)
    if activation in ("sigmoid", "tanh"):
        assert "no exact table" in text and activation in text
    else:
        exact = bp.Network.chain(["0.1", "0.01", "0.5"], [2, 1, 3], activation, exact=True)
        assert f"= {bp.fmt(exact.backward('0.5', 0)['w_H0'])}" in text
        noisy = text.splitlines()[-1]
        for row in text.splitlines()[1:7]:  # float - exact: rounding, far below the gradient
            name, as_float, _, error = row.split()
            assert abs(float(error)) <= 8 * math.ulp(float(as_float)), row
        g = chain(activation).backward(0.5, 0)
        for name in chain().parameter_names:
            shows = float(g[name]) != float(exact.backward("0.5", 0)[name])
            assert (name in noisy.split(": ")[1].split(", ")) == shows


def test_a_float_gradient_of_minus_zero_is_exact_not_noisy():
    # a_H0 = 0 at the kink z_H0 = 0: dC0/dw_H0 = dz * a_H0 is -0.0 in floats, 0 exactly; repr
    # shows "-0.0", yet the float equals the fraction: no noise to name
    net = chain("leaky_relu", weights=(2, 3, 0.5), biases=(-1, 1, -0.5))
    assert repr(float(net.backward(0.5, 1)["w_H1"])) == "-0.0"
    text = reading.float_against_exact(net, 0.5, 1)
    assert text.splitlines()[-1] == "float noise shows in repr for: none", text
    # 1/3 has no finite decimal: b_H1's float is the float nearest to it, and its repr
    # 1.503968253968254 is the fraction's own first 16 digits, no noise; w_H0's is one float off
    net = chain("leaky_relu", weights=("1/3", "-2/7", "5/6"), biases=("-1/3", "1/9", "2/3"))
    text = reading.float_against_exact(net, "2/3", "-1/7")
    assert text.splitlines()[-1] == ("float noise shows in repr for: w_H0, b_H0, w_Out, b_Out"), text


def test_every_key_colour_has_a_word_and_the_words_differ():
    words = {meaning: key.colour_word(meaning) for meaning in style.KEY_COLOURS}
    assert len(set(words.values())) == len(words)
    line = key.colour_key()
    for word in words.values():
        assert word in line
    with pytest.raises(ValueError, match="known"):
        key.colour_word("colour of the sky")


def test_a_changed_style_colour_without_a_word_fails(monkeypatch):
    monkeypatch.setitem(style.KEY_COLOURS, "gradient", "#123456")
    with pytest.raises(ValueError, match="no word"):
        key.colour_word("gradient")


def test_fsum_average_is_order_free():
    values = [0.1, 0.2, 0.3, 1e-17, 7.1960125, -2.5] * 3
    forward = math.fsum(values) / len(values)
    backward = math.fsum(values[::-1]) / len(values)
    assert forward == backward


def test_training_readout_counts_one_step_in_the_singular():
    from backproplib.learning import datasets, training
    from backproplib.widgets import training as training_widgets

    net = training.initial_network([2, 4, 1], "tanh", seed=0, output_activation="tanh")
    data = datasets.make("circle", 20, seed=0, labels=(-1, 1))
    for batch_size, words in ((20, "1 step per epoch"), (10, "2 steps per epoch")):
        trainer = training.Trainer(net, data.X, data.Y, 0.03, batch_size, seed=0,
                                   threshold=data.threshold)
        view = training_widgets.training_view(trainer, data, steps=10)
        assert words in view.summary().splitlines()[1]


@pytest.mark.parametrize("weights, biases, x, y", [
    ([0.1, 0.01, 0.5], [2, 1, 3], 0.5, 0),           # the worked example: a real crawl
    ([-0.54, 0.89, 0.8], [-0.9, -0.9, 1.2], 0.88, -0.2),  # leaky starts below the plateau
    ([-0.73, 0.69, 0.53], [0.0, 1.0, 0.8], 0.3, 0.6),  # the plateau is a cost near 0
])
def test_the_rescue_counts_a_crawl_only_where_the_leaky_run_sat_on_the_plateau(
        weights, biases, x, y):
    pair = ("w_H1", "w_Out")
    net = bp.Network.chain(weights=weights, biases=biases, activation="relu")
    stuck = reading.first_stuck(net, x, y, [0.001, 0.01, 0.03, 0.1, 0.3, 1, 3], 20, params=pair)
    report = reading.leaky_rescue(stuck, weights, biases, x, y, 20, params=pair)
    leaky = bp.Network.chain(weights=weights, biases=biases, activation="leaky_relu")
    costs = gradient_descent(leaky, x, y, stuck.learning_rate, 2000, params=pair).costs
    plateau = stuck.costs[-1]
    on = [i for i, c in enumerate(costs) if 0.99 * plateau <= c <= 1.001 * plateau]
    match = re.search(r"left it at step (\d+): (\d+) steps of crawling", report)
    if on:  # some steps sat on the plateau: the crawl is counted, and is at least one step
        assert match and int(match[2]) >= 1 and int(match[1]) == on[-1] + 1, report
        assert int(match[1]) - int(match[2]) == on[0], report  # from where it reached it
    else:
        first = next(i for i, c in enumerate(costs) if c <= 1.001 * plateau)
        assert match is None, report
        assert f"(C0 about {bp.fmt(plateau)}) from step {first} on" in report, report


def test_zero_crossing_of_an_exact_network_is_exact():
    # linear chain, numbers as text (exact): z_Out = w_Out a_H1 + b_Out crosses 0 at
    # w_Out = -b_Out / a_H1 = -2/9; a step either side gives z_Out = +-a_H1 = -+1.8 exactly
    net = bp.Network.chain(weights=["-1/2", "2", "3/10"], biases=["-1", "1/2", "-2/5"],
                           activation="linear")
    text, _ = reading.zero_crossing(net, "3/10", "w_Out")
    a_H1 = net.forward("3/10").a["H1"][0]
    assert a_H1 == Fraction(-9, 5)
    assert f"z_Out = {bp.fmt(a_H1)}," in text and f"z_Out = {bp.fmt(-a_H1)}," in text, text


def test_regimes_of_a_cross_entropy_network_offer_no_quadratic_twin():
    # a linear twin would swap the cost for the quadratic one (cross-entropy needs a^Out in
    # (0, 1)), so its regimes would describe another cost: there is none
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation="sigmoid", cost="cross_entropy")
    text = reading.regimes(net, 0.5, 1, (0.001, 0.3, 0.001), 20, ("w_H1", "w_Out"))
    assert "twin" not in text and "Neither" not in text
    assert text.startswith("On this slider (")
