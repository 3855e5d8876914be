"""Gradient descent: it follows -learning_rate * gradient through Network.descend, and its
outcome (converged, falling, crawling, oscillating, diverged, stuck, unmoved) is read from the
run and explained, never a NaN and never a sentence that the numbers contradict."""

import decimal
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backproplib as bp
from backproplib.learning.descent import (
    CRAWLING_PACE,
    MAX_STEPS,
    DescentPath,
    gradient_descent,
    lowest_cost,
    output_range,
    unreachable_target,
)

ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "linear"]
DEAD_HIDDEN = dict(weights=[0.1, 0.01, 0.5], biases=[-1, -1, 3])  # H0 and H1 dead from the start


@pytest.fixture
def seed():
    return bp.worked_example()


def test_first_step_is_minus_learning_rate_times_a_hand_written_gradient(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.01, 1)
    # the worked example's gradients, from the seed (independent of backward)
    seed_gradients = {"w_H0": 0.01755125, "b_H0": 0.0351025, "w_H1": 7.1960125,
                      "b_H1": 3.51025, "w_Out": 7.16442025, "b_Out": 7.0205}
    start = net.params()
    for name, gradient in seed_gradients.items():
        assert path.params[0][name] == float(start[name])
        assert path.params[1][name] == pytest.approx(float(start[name]) - 0.01 * gradient,
                                                     rel=1e-14)
    assert path.costs[0] == pytest.approx(3.51025 ** 2)
    assert path.costs[1] == pytest.approx(float(net.with_params(path.params[1]).cost(x, y)))


def test_the_path_and_its_fields(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.01, 30)
    assert isinstance(path, DescentPath)
    assert path.steps_taken == 30 and len(path.params) == len(path.costs) == 31
    assert len(path.gradients) == 31 and path.steps == 30 and path.learning_rate == 0.01
    assert all(b < a for a, b in zip(path.costs, path.costs[1:]))
    assert path.outcome != "diverged" and path.outcome != "stuck"
    assert path.net.params() == pytest.approx(path.params[-1])
    assert float(path.net.cost(x, y)) == pytest.approx(path.costs[-1])
    assert str(path) == path.message and path.cost_name == "C0"


def test_only_the_chosen_parameters_move(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.01, 5, params=("w_H1", "w_Out"))
    assert path.names == ("w_H1", "w_Out")
    assert set(path.params[-1]) == {"w_H1", "w_Out"}
    final = path.net.params()
    for name in ("w_H0", "b_H0", "b_H1", "b_Out"):
        assert float(final[name]) == float(net.params()[name])
    array = path.array()
    assert array.shape == (6, 2)
    assert array[0].tolist() == [0.01, 0.5]
    assert path.array(("w_Out", "w_H1"))[0].tolist() == [0.5, 0.01]


# --- every outcome, with its reproducer ------------------------------------------------------
def test_a_cost_of_zero_reached_by_killing_neurons_is_stuck_not_converged(seed):
    # issue 16.4: eta = 0.5 kills H1 and Out in one step and ReLU clips a_Out to y = 0
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.5, 10)
    assert path.outcome == "stuck" and path.costs[-1] == 0
    assert path.message.startswith("Stuck: H1 and Out are dead")
    assert "to 0 in 1 step" in path.message and "onverged" not in path.message
    # H1 dies on the way, but b_Out alone brings C0 to about 0: not stuck, nor converged
    assert gradient_descent(net, x, y, 0.2, 20).outcome == "falling"


def test_converged_to_about_zero_says_about():
    net = bp.Network.chain([0.1, 0.01, 0.5], [0.2, 0.1, 0.3], activation="tanh")
    path = gradient_descent(net, 0.5, 0.2, 0.5, 6)
    assert path.outcome == "converged" and 0 < path.costs[-1] < 1e-8 and not path.blocked
    assert path.message.startswith("Converged: C0 went from ") and "about 0" in path.message
    # C0 falls about 40-fold a step: 300 steps stop where a_Out = y to float precision
    longer = gradient_descent(net, 0.5, 0.2, 0.5, 300)
    assert longer.message.endswith(f"to 0 (to floating-point precision) in "
                                   f"{longer.steps_taken} steps.") and longer.steps_taken < 20


@pytest.mark.parametrize("weights, biases, x, y", [
    ([0.1, 0.01, 0.5], [2, 1, 3], 0.5, 0),  # notebook 06's linear twin: 1.2e-32, 0 at step 2
    (["0.3", "-1/5", "0.7"], ["0.1", "-1/2", "0.2"], "1/2", "0.3"),  # 3.1e-33 for 20 steps
])
def test_one_step_to_the_bottom_is_one_step_whatever_the_float_rounding(weights, biases, x, y):
    # C0 = (b_Out - b*)^2 has c = 1: learning rate 1/(2c) lands on the bottom in one step, as
    # exact arithmetic shows; floats leave a rounding error that later steps only shuffle
    exact = bp.Network.chain(weights=weights, biases=biases, activation="linear", exact=True)
    g = exact.backward(exact.input(x), exact.target(y))
    assert exact.descend(g, Fraction(1, 2), ["b_Out"]).cost(x, y) == 0
    path = gradient_descent(exact, x, y, 0.5, 20, params=("b_Out",))
    assert 0 < path.costs[1] < 1e-30 and path.steps_taken == 1
    assert path.message == (f"Converged: C0 went from {bp.fmt(path.costs[0])} to 0 (to "
                            "floating-point precision) in 1 step.")
    quarter = gradient_descent(exact, x, y, 0.25, 20, params=("b_Out",))  # far from rounding
    assert quarter.steps_taken == 20 and quarter.message.endswith(
        f"to {bp.fmt(quarter.costs[-1])} in 20 steps, about 0.")


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("rate", [0.01, 0.1, 0.2, 0.3, 1, 3])
def test_stuck_means_nothing_moves_and_dead_neurons_are_named(seed, activation, rate):
    # the default network at 0.3 kills H1 at step 1, and b_Out alone brings C0 to 6e-16: that
    # is not stuck (b_Out learns), nor converged (H1 no longer learns)
    _, x, y = seed
    for weights, biases, xs in (([0.1, 0.01, 0.5], [2, 1, 3], x),
                                (["1/10", "0.01", "1/2"], ["2", "1", "3"], "1/2")):
        net = bp.Network.chain(weights=weights, biases=biases, activation=activation)
        path = gradient_descent(net, xs, y, rate, 20)
        dead = [b.neuron for b in path.blocked if b.kind == "dead"]
        if path.outcome == "stuck" or path.moving:  # stuck: dead neurons and nothing moves
            assert (path.outcome == "stuck") == bool(dead and not path.moving), path.message
        assert path.outcome != "converged" or not dead, path.message
        for neuron in dead:
            assert neuron in path.message, path.message


def test_b_out_learning_on_behind_a_dead_h1_is_falling_not_stuck(seed):
    net, x, y = seed
    fell = gradient_descent(net, x, y, 0.3, 20)
    assert fell.outcome == "falling" and fell.moving == ("b_Out",) and fell.costs[-1] < 1e-15
    assert fell.message == ("Fell: C0 went from 12.32185506 to 6.036830185e-16 in 20 steps, "
                            "about 0, but H1 is dead, so no gradient flows back through it.")
    assert "constant predictor" in fell.details


def test_still_falling_makes_no_claim_about_steps_not_taken(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.01, 20)
    assert path.outcome == "falling"
    assert path.message.startswith("Still falling: C0 went from 12.32185506 to ")
    pace = (path.costs[-2] - path.costs[-1]) / path.costs[-2]
    assert f"by {bp.fmt(float(f'{100 * pace:.3g}'))}% on the last step" in path.message
    assert "H1 is dead" in path.message  # it died on the way: the message says so
    for words in ("more steps", "needs about", "will"):
        assert words not in path.message + path.details


def test_crawling_at_a_tiny_learning_rate_promises_nothing(seed):
    # issue 20.2: at 0.001 the run stalls later at C0 = 9 when H1 dies; no projection
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.001, 100, params=("w_H1", "w_Out"))
    assert path.outcome == "crawling" and "needs about" not in path.message + path.details
    length = math.hypot(*(path.gradients[-1][n] for n in path.names))
    assert f"the gradient has length {bp.fmt(length)}" in path.details


@pytest.mark.parametrize("rate, steps", [(0.5, 10), (0.2, 20), (0.01, 20), (0.001, 100), (1, 20),
                                         (3, 20)])
def test_messages_are_short_and_the_details_fold_away(seed, rate, steps):
    net, x, y = seed
    path = gradient_descent(net, x, y, rate, steps)
    assert len(path.message.split()) <= 30, path.message
    assert path.outcome != "converged" or not any(b.kind == "dead" for b in path.blocked)


def test_oscillating_b_out_when_the_hidden_neurons_are_dead():
    net = bp.Network.chain(**DEAD_HIDDEN)
    path = gradient_descent(net, 0.5, 4.7, 1, 20)
    assert path.outcome == "oscillating" and path.outcome != "diverged" and path.outcome != "stuck"
    assert path.costs[0] == pytest.approx(2.89) and path.costs[-1] == pytest.approx(2.89)
    values = [p["b_Out"] for p in path.params]
    assert values[:3] == pytest.approx([3, 6.4, 3])
    assert "b_Out jumps over the valley" in path.message
    assert "1 - 2c * learning_rate = -1" in path.details and "c = 1," in path.details
    assert path.moving == ("b_Out",)
    assert "constant predictor" in path.details and "every neuron of H1 is dead" in path.details
    # what the message promises: below 1/c it converges, 1/(2c) lands at once
    below = gradient_descent(net, 0.5, 4.7, 0.9, 200)  # H0 and H1 dead: never "converged"
    assert below.outcome == "falling" and below.costs[-1] < 1e-8  # nor stuck: b_Out learns
    half = gradient_descent(net, 0.5, 4.7, 0.5, 5)  # lands on the bottom: every gradient 0
    assert half.costs[1] == pytest.approx(0, abs=1e-20) and half.outcome == "falling"


def test_three_steps_are_enough_to_call_a_zig_zag_an_oscillation():
    # H0 and H1 dead: C0 = (b_Out - 4.7)^2, so c = 1 and a step multiplies the distance to
    # 4.7 by 1 - 2 * 1 * 1 = -1
    path = gradient_descent(bp.Network.chain(**DEAD_HIDDEN), 0.5, 4.7, 1, 3)
    assert [p["b_Out"] for p in path.params] == pytest.approx([3, 6.4, 3, 6.4])
    assert path.outcome == "oscillating", path.message
    assert "b_Out jumps over the valley and back on every step" in path.message
    assert "c = 1," in path.details and "learning_rate = -1." in path.details


@pytest.mark.parametrize("steps", [2, 20])
@pytest.mark.parametrize("y", [4.7, 20])
def test_a_bounce_is_an_oscillation_whatever_the_height_of_the_cost(y, steps):
    # as above, at a learning rate a hair below 1: the distance to y shrinks by 1 - 2e-9 a step,
    # so C0 (2.89 or 289) stays the same to 1e-7 of itself
    path = gradient_descent(bp.Network.chain(**DEAD_HIDDEN), 0.5, y, 1 - 1e-9, steps)
    assert max(path.costs) / min(path.costs) - 1 < 1e-7
    assert path.outcome == "oscillating", path.message


@pytest.mark.parametrize("steps", [3, 5, 8])
def test_a_short_steady_fall_is_no_zig_zag(seed, steps):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.01, steps)
    jumps = np.diff(path.array(), axis=0)
    assert not (jumps[:-1] * jumps[1:] < 0).all(axis=0).any()  # none turns back on every step
    assert path.outcome == "falling" and "zig-zag" not in path.details


def test_a_dead_last_hidden_layer_alone_makes_a_constant_predictor():
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, -1, 3])  # H0 alive, H1 dead
    fwd = net.forward(0.5)
    assert fwd.z["H0"][0] > 0 and fwd.z["H1"][0] < 0
    path = gradient_descent(net, 0.5, 4.7, 0.1, 5)
    assert path.outcome == "falling" and path.moving == ("b_Out",)
    assert "constant predictor: every neuron of H1 is dead" in path.details


def test_a_parameter_too_large_to_move_does_not_zig_zag():
    # w_H0 = 1e17 times x = 1e-17: its gradient (about 1e-18) is not 0, but a step of 0.01 times
    # it rounds back to 1e17, so w_H0 never moves while the others fall
    net = bp.Network.chain(weights=[1e17, 0.5, 0.5], biases=[0, 0.1, 0.1], activation="linear")
    path = gradient_descent(net, 1e-17, 0, 0.01, 5)
    assert "w_H0" in path.moving and {p["w_H0"] for p in path.params} == {1e17}
    assert path.outcome == "falling" and "zig-zag" not in path.details


def test_a_dead_hidden_layer_before_two_outputs_makes_a_constant_predictor():
    net = bp.Network([[[1]], [[0.3], [0.2]]], [[-1], [0.5, 0.1]], "relu")  # z_H0 = -0.5: dead
    path = gradient_descent(net, 0.5, [1, 0], 0.1, 3)
    assert path.moving == ("b_Out[0]", "b_Out[1]")
    assert "constant predictor: every neuron of H0 is dead" in path.details


def test_a_dead_neuron_before_the_last_hidden_layer_is_not_counted_in_it():
    # H0 (ReLU) dead, H1 linear at z = 0 and w_Out = 0: only b_Out moves, but H1 is alive
    net = bp.Network([[[1.0]], [[1.0]], [[0.0]]], [[-1.0], [0.0], [0.3]],
                     ["relu", "linear", "linear"])
    path = gradient_descent(net, 0.5, 0.9, 0.01, 3)
    assert path.moving == ("b_Out",) and [b.neuron for b in path.blocked] == ["H0"]
    assert "Still moving: b_Out;" in path.details and "constant predictor" not in path.details


def test_a_constant_output_is_blamed_on_dead_neurons_only_when_they_are_dead():
    # w_Out = 0 and z_H1 = 0: only b_Out has a gradient, but tanh's H1 is alive
    net = bp.Network.chain(weights=[0.5, 0, 0], biases=[0.2, 0, 0.3], activation="tanh")
    path = gradient_descent(net, 0.5, 0.9, 0.01, 3)
    assert path.moving == ("b_Out",) and path.blocked == ()
    assert "Still moving: b_Out;" in path.details and "dead" not in path.details


def test_diverged_when_the_cost_grows(seed):
    _, x, _ = seed
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation="linear")
    path = gradient_descent(net, x, 10, 0.2, 3)
    assert path.outcome == "diverged" and path.steps_taken == 3
    assert all(b > a for a, b in zip(path.costs, path.costs[1:]))
    assert path.message.startswith("Diverged: C0 grew from 42.11685506 to ")
    assert "The learning rate 0.2 is too large" in path.message


def test_overshooting_onto_the_dead_plateau_is_stuck_not_diverged(seed):
    net, x, _ = seed  # ReLU: the same run lands where every neuron is dead
    path = gradient_descent(net, x, 10, 0.2, 30)
    assert path.outcome == "stuck" and path.outcome != "diverged" and path.costs[-1] == 100
    assert "Out are dead" in path.message and "On the way the cost went up" in path.details


def test_dead_from_the_start_is_stuck_without_a_rise():
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[-1, -1, -3])  # every z < 0
    path = gradient_descent(net, 0.5, 4.7, 0.1, 5)
    assert path.costs == [pytest.approx(4.7 ** 2)] and path.outcome == "stuck"
    assert "H0, H1 and Out are dead" in path.message and "went up" not in path.details


def test_overflow_stops_at_the_last_finite_step_without_nan():
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation="linear")
    path = gradient_descent(net, 0.5, 0, 0.5, 200)
    assert path.outcome == "diverged"
    assert 0 < path.steps_taken < 200
    assert all(math.isfinite(c) for c in path.costs)
    assert all(math.isfinite(v) for p in path.params for v in p.values())
    assert all(np.isfinite(float(v)) for v in path.net.params().values())
    assert f"step {path.steps_taken + 1} overflowed" in path.message
    assert f"stopped at C0 = {bp.fmt(path.costs[-1])}" in path.message
    assert "nan" not in path.message.lower()


def test_a_huge_learning_rate_that_overflows_at_once_says_so():
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation="linear")
    path = gradient_descent(net, 0.5, 0, 1e300, 5)
    assert path.steps_taken == 0
    assert path.message.startswith("Diverged: step 1 overflowed")
    assert "grew" not in path.message and "in 0 steps" not in path.message


def test_stuck_on_a_plateau_after_overshooting_is_stuck_not_diverged():
    net = bp.Network.chain(**DEAD_HIDDEN)
    path = gradient_descent(net, 0.5, 4.7, 3, 20)
    assert path.outcome == "stuck"
    assert path.costs[-1] > path.costs[0]
    assert "Stuck: H0, H1 and Out are dead" in path.message and "in 2 steps" in path.message
    assert "On the way the cost went up" in path.details
    for blocked in path.net.forward(0.5).blocked:
        assert bp.explain_blocked(blocked)[1:] in path.details
    assert path.moving == ()


def test_a_step_that_kills_a_relu_is_explained(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.5, 10, params=("w_H1", "w_Out"))
    assert path.outcome == "stuck" and path.steps_taken == 1
    assert path.costs[-1] == 9
    assert path.message == ("Stuck: H1 is dead, so no gradient flows back through it; C0 went "
                            "from 12.32185506 to 9 in 1 step.")
    assert "ReLU'(z_H1) = 0" in path.details


def test_a_learning_rate_too_small_to_move_anything(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 5e-324, 5)
    assert path.outcome == "unmoved"
    assert path.message.startswith("Nothing moved") and "fell" not in path.message
    assert path.params[-1] == path.params[0]


def test_a_blocked_neuron_in_a_wide_layer_is_named_with_its_index():  # issue 8.6
    net = bp.Network([[[1.0], [1.0]], [[1.0, 1.0], [-1.0, -1.0]], [[1.0, 1.0]]],
                     [[0.0, 0.0], [0.0, -5.0], [0.0]], activations="relu")
    path = gradient_descent(net, 1.0, 0.5, 0.01, 3)
    (blocked,) = net.forward(1.0).blocked
    assert blocked.neuron == "H1[1]"
    dead = gradient_descent(net, 1.0, 0.5, 0.01, 3, params=("w_H1[1,0]", "b_H1[1]"))
    assert dead.outcome == "stuck"
    assert "H1[1] is dead" in dead.message and "z_H1[1]" in dead.details
    assert "H1[0]" not in dead.message + dead.details
    assert path.outcome in ("falling", "crawling", "converged")


def test_which_parameters_still_move(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.01, 20)
    assert path.moving == ("b_Out",)
    assert "Still moving: b_Out; w_H0, b_H0, w_H1, b_H1 and w_Out have gradient 0" in path.details
    for name in path.names:
        assert (path.gradients[-1][name] != 0) == (name in path.moving)


# --- every activation ------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_descent_under_every_activation(seed, activation):
    _, x, y = seed
    net = bp.Network.chain([0.1, 0.01, 0.5], [0.2, 0.1, 0.3], activation=activation)
    path = gradient_descent(net, x, y, 0.05, 30)
    assert path.costs[-1] < path.costs[0]
    assert path.outcome in ("converged", "falling", "crawling")
    assert all(math.isfinite(c) for c in path.costs)
    step = path.params[1]["w_Out"] - path.params[0]["w_Out"]
    assert step == pytest.approx(-0.05 * path.gradients[0]["w_Out"], rel=1e-12)
    assert activation == "relu" or "ReLU" not in path.message


@pytest.mark.parametrize("activation, y, reachable", [
    ("tanh", 2, False), ("sigmoid", 2, False), ("sigmoid", 1, False), ("tanh", 0.5, True),
    ("relu", -1, False), ("relu", 0, True), ("leaky_relu", -1, True), ("linear", -50, True),
])
def test_targets_out_of_the_outputs_reach_are_flagged(seed, activation, y, reachable):
    _, x, _ = seed
    net = bp.Network.chain([0.1, 0.01, 0.5], [0.2, 0.1, 0.3], activation=activation)
    note = unreachable_target(net, y)
    assert (note is None) == reachable
    path = gradient_descent(net, x, y, 0.1, 20)
    if not reachable:
        assert f"y = {bp.fmt(y)} is outside what {net.activations[-1].formula}" in path.details
        assert lowest_cost(net, y) > 0 or y == 1
    else:
        assert "outside" not in path.details and lowest_cost(net, y) == 0


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "sigmoid", "tanh", "linear"])
def test_every_target_out_of_reach_is_named(activation):
    """Sigmoid 7.3 named only y = 0 of the targets (0, 2), though sigmoid reaches neither."""
    net = bp.Network([[[0.1]], [[0.2], [-0.3]]], [[0.1], [0.2, 0.3]], [activation] * 2)
    low, high, _, _ = output_range(net.activations[-1])
    y = [-3, 2]
    out = [j for j, t in enumerate(y) if not low < t < high]
    note = unreachable_target(net, y) or ""
    for j in range(2):
        assert (f"y[{j}] = {y[j]}" in note) == (j in out), note
        assert (f"a_Out[{j}] towards" in note) == (j in out), note
    assert not out or (" are outside" in note) == (len(out) == 2), note


@pytest.mark.parametrize("activation, out, edges", [
    ("sigmoid", "s y = -1, 0, 1, 3, 4 and 5 are", "0 or 1"),
    ("tanh", "s y = -1, 1, 3, 4 and 5 are", "-1 or 1"), ("relu", " y = -1 is", "0")])
def test_every_target_value_out_of_reach_is_named_once(activation, out, edges):
    """Notebook 09 under sigmoid named only y = 0 of its targets 0, 1, 3, 4 and 5."""
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation=activation)
    _, Y = net.batch([0] * 9, [0, 4, 1, 5, 0, 3, -1, 4, 0.5])
    note = unreachable_target(net, Y)
    assert note.startswith(f"Note: the target{out} outside what"), note
    assert note.endswith(f"bring a_Out towards {edges}."), note


def test_output_ranges_are_read_from_the_activation():
    assert output_range(bp.ACTIVATIONS["tanh"]) == (-1, 1, False, False)
    assert output_range(bp.ACTIVATIONS["sigmoid"]) == (0, 1, False, False)
    assert output_range(bp.ACTIVATIONS["relu"]) == (0, math.inf, True, False)
    assert output_range(bp.ACTIVATIONS["linear"])[:2] == (-math.inf, math.inf)


def test_an_unreachable_target_converges_to_its_floor():
    net = bp.Network.chain([0.1, 0.01, 0.5], [0.2, 0.1, 0.3], activation="linear")
    linear_then_relu = bp.Network(net.weights, net.biases, ["linear", "linear", "relu"])
    path = gradient_descent(linear_then_relu, 0.5, -1, 0.1, 50)
    assert path.costs[-1] == pytest.approx(1)  # a_Out cannot go below 0: (0 - (-1))^2
    assert path.outcome == "stuck" and "Out is dead" in path.message  # it got there by dying
    assert "y = -1 is outside what ReLU can output" in path.details


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_saturating_at_the_edge_of_reach_is_converged_to_the_floor(activation):
    # y = 2 is beyond both outputs' top, 1: one long step saturates a_Out at 1.0 in floats,
    # every gradient is 0 and C0 = (1 - 2)^2, the lowest the output allows
    net = bp.Network.chain([0.1, 0.01, 0.5], [0.2, 0.1, 0.3], activation=activation)
    path = gradient_descent(net, 0.5, 2, 100, 50)
    assert path.costs[-1] == (1 - 2) ** 2 == lowest_cost(net, 2) and path.moving == ()
    assert path.outcome == "converged"
    assert path.message.endswith("to 1 in 1 step, the lowest this output allows (1).")


# --- a batch ---------------------------------------------------------------------------------
def test_a_batch_descends_on_the_average_cost(seed):
    net, _, _ = seed
    X = np.array([[0.5], [1.0], [-0.5]])
    Y = np.array([[0.0], [1.0], [0.5]])
    path = gradient_descent(net, X, Y, 0.05, 10)
    assert path.cost_name == "C"
    per_example = [float(net.cost(x, y)) for x, y in zip(X, Y)]
    assert path.costs[0] == pytest.approx(sum(per_example) / 3)
    # the step is the mean of the per-example gradients, by hand
    mean = {n: sum(float(net.backward(x, y)[n]) for x, y in zip(X, Y)) / 3
            for n in net.parameter_names}
    for n in net.parameter_names:
        assert path.params[1][n] == pytest.approx(float(net.param(n)) - 0.05 * mean[n])
    assert "C0" not in path.message


# --- what a learning rate and steps may be ---------------------------------------------------
@pytest.mark.parametrize("rate", [decimal.Decimal("0.01"), np.float32(0.01), Fraction(1, 100),
                                  "0.01", "1/100", np.float64(0.01), 0.01])
def test_learning_rate_accepts_any_real_number_type(seed, rate):
    net, x, y = seed
    path = gradient_descent(net, x, y, rate, 3)
    reference = gradient_descent(net, x, y, 0.01, 3)
    assert path.costs == pytest.approx(reference.costs, rel=1e-6)
    assert type(path.learning_rate) is float


def test_integer_learning_rate(seed):
    net, x, y = seed
    assert gradient_descent(net, x, y, 1, 1).learning_rate == 1.0


@pytest.mark.parametrize("rate, error", [
    (0, ValueError), (-0.1, ValueError), (float("nan"), ValueError), (float("inf"), ValueError),
    (10**400, ValueError), (decimal.Decimal("NaN"), ValueError), (Fraction(1, 10**400), ValueError),
    ("zero", ValueError), ("-1", ValueError), (None, TypeError), (True, TypeError),
    (1j, TypeError), ([0.1], TypeError),
])
def test_bad_learning_rates_are_refused_clearly(seed, rate, error):
    net, x, y = seed
    with pytest.raises(error, match="learning_rate: expected a positive number"):
        gradient_descent(net, x, y, rate, 5)


@pytest.mark.parametrize("steps", [3, np.int64(3), 3.0, Fraction(3), "3", decimal.Decimal(3)])
def test_steps_accept_whole_numbers_of_any_type(seed, steps):
    net, x, y = seed
    assert gradient_descent(net, x, y, 0.01, steps).steps_taken == 3


@pytest.mark.parametrize("steps, error", [
    (0, ValueError), (-3, ValueError), (2.5, ValueError), ("five", ValueError),
    (True, TypeError), (None, TypeError), (float("inf"), ValueError), (MAX_STEPS + 1, ValueError),
    (10**400, ValueError),
])
def test_bad_steps_are_refused_clearly(seed, steps, error):
    net, x, y = seed
    with pytest.raises(error, match="steps"):
        gradient_descent(net, x, y, 0.01, steps)


def test_unknown_parameter_names_are_refused(seed):
    net, x, y = seed
    with pytest.raises(ValueError, match="w_H9"):
        gradient_descent(net, x, y, 0.01, 5, params=("w_H9",))
    with pytest.raises(ValueError, match="at least one"):
        gradient_descent(net, x, y, 0.01, 5, params=())
    with pytest.raises(ValueError, match="each parameter once"):
        gradient_descent(net, x, y, 0.01, 5, params=("w_Out", "w_Out"))


def test_exact_networks_descend_in_floats(seed):
    _, x, y = seed
    exact = bp.Network.chain(["0.1", "0.01", "0.5"], [2, 1, 3], exact=True)
    path = gradient_descent(exact, Fraction(1, 2), y, 0.01, 3)
    floats = gradient_descent(bp.worked_example()[0], x, y, 0.01, 3)
    assert path.costs == pytest.approx(floats.costs, rel=1e-12)
    assert not path.net.exact


def test_recorded_gradients_match_backward_in_a_wide_network():
    rng = np.random.default_rng(1)
    net = bp.Network([rng.normal(size=(3, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 2))],
                     [rng.normal(size=3), rng.normal(size=2), rng.normal(size=2)], "sigmoid")
    x, y = [0.3, -0.2], [0.1, 0.9]
    path = gradient_descent(net, x, y, 0.1, 2)
    g = net.backward(x, y)
    assert path.gradients[0] == {n: float(g[n]) for n in net.parameter_names}
    assert path.params[0] == {n: float(v) for n, v in net.params().items()}
    stepped = net.descend(g, 0.1)
    assert path.params[1] == pytest.approx({n: float(v) for n, v in stepped.params().items()})


JUNK = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.fractions(),
                 st.decimals(), st.text(max_size=12), st.complex_numbers(),
                 st.lists(st.floats(), max_size=2))


@settings(max_examples=120, deadline=None)
@given(rate=JUNK, steps=st.one_of(JUNK, st.integers(1, 5)))
def test_junk_learning_rates_and_steps_give_a_path_or_a_clear_error(rate, steps):
    net, x, y = bp.worked_example()
    try:
        path = gradient_descent(net, x, y, rate, steps)
    except (TypeError, ValueError) as error:
        assert "learning_rate" in str(error) or "steps" in str(error)
        return
    assert all(math.isfinite(c) for c in path.costs)
    assert path.outcome in ("converged", "falling", "crawling", "oscillating", "diverged",
                            "stuck", "unmoved")
    assert "nan" not in path.message.lower() and "inf" not in path.message.lower()



def test_a_parameter_zig_zags_only_when_every_last_step_flips_sign():
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], "leaky_relu")
    path = gradient_descent(net, 1.5, 0, 0.01, 10)  # w_Out turns back, but not on every step
    jumps = np.diff([p["w_Out"] for p in path.params[-7:]])
    assert (jumps[:-1] * jumps[1:] < 0).any() and not (jumps[:-1] * jumps[1:] < 0).all()
    assert path.outcome == "falling" and "zig-zag" not in path.details


@pytest.mark.parametrize("steps", [1, 2])
def test_a_short_run_that_bounces_over_the_valley_is_not_crawling(steps):
    # linear twin, b_Out only, learning rate 1: a_Out - y goes from -1.94 to +1.94 and back, so
    # C0 stays at 3.7636 while b_Out jumps 3.88 on every step (20 steps call it oscillating)
    twin = bp.Network.chain(weights=["-1/2", "2", "3/10"], biases=["-1", "1/2", "-2/5"],
                            activation="linear")
    path = gradient_descent(twin, "3/10", "1", 1, steps, params=("b_Out",))
    assert path.costs[-1] == pytest.approx(path.costs[0])
    jumps = np.diff([p["b_Out"] for p in path.params])
    assert (abs(jumps) > 3).all()
    assert path.outcome == "oscillating", path.message
    assert "rawl" not in path.message and "b_Out jumped over the valley" in path.message


@pytest.mark.parametrize("steps", [1, 2])
def test_a_short_run_that_falls_says_by_how_much_and_calls_it_no_crawl(seed, steps):
    # a fall of 0.665% a step is a crawl after 3 steps; 1 or 2 steps show no pace yet
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.0005, steps)
    falls = [bp.fmt(float(f"{100 * (a - b) / a:.3g}")) for a, b in zip(path.costs, path.costs[1:])]
    assert path.outcome == "falling" and float(falls[-1]) < 100 * CRAWLING_PACE
    went = f"C0 went from {bp.fmt(path.costs[0])} to {bp.fmt(path.costs[-1])}"
    assert path.message == (f"Fell: {went} in {steps} step{'s' * (steps > 1)}, "
                            + " and then ".join(f"down {f}%" for f in falls) + "."), path.message
    assert gradient_descent(net, x, y, 0.0005, 3).outcome == "crawling"


def test_a_short_run_calls_a_step_that_left_the_cost_as_it_was_unchanged_not_up():
    # a learning rate of 1e-14 moves the parameters by a few ulps: the first step lowers C0 in
    # its last digit, the second leaves it exactly as it was ('up 0%' before)
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], "sigmoid", exact=False)
    path = gradient_descent(net, 0.5, 0, 1e-14, 2)
    assert path.costs[0] > path.costs[1] == path.costs[2] and path.outcome == "falling"
    assert path.message.endswith("down 2.38e-14% and then unchanged."), path.message


def test_an_oscillation_reads_the_curvature_at_any_learning_rate():
    # linear, a_H1 = 2: C0 = (2 w_Out - 0)^2 = 4 w_Out^2, so c = 4, and at the learning rate
    # 1/4 a step multiplies w_Out by 1 - 2 * 4 / 4 = -1
    net = bp.Network.chain(weights=[1, 2, 1], biases=[0, 0, 0], activation="linear")
    path = gradient_descent(net, 1, 0, 0.25, 10, params="w_Out")
    assert [p["w_Out"] for p in path.params[:3]] == [1, -1, 1] and path.outcome == "oscillating"
    assert "with c = 4," in path.details and "learning_rate = -1." in path.details
    assert "A learning rate below 0.25 (1/c) converges." in path.details


def test_a_bounce_names_only_the_parameters_whose_gradient_reversed():
    # linear, w_Out = 0: at the start only w_Out and b_Out have a gradient (-2 each); a step of
    # 1/2 takes a_Out from 0 to 2 around y = 1, so C0 stays 1 and both gradients become +2
    net = bp.Network.chain(weights=[1, 1, 0], biases=[0, 0, 0], activation="linear")
    path = gradient_descent(net, 1, 1, 0.5, 1)
    assert path.costs == [1, 1] and path.gradients[0]["w_H1"] == 0
    assert path.message.startswith("Oscillating: w_Out and b_Out jumped over the valley on their "
                                   "one step")


def test_a_gradient_exactly_0_midway_is_read_like_any_other():
    # linear, x = 1, a_H1 = 1, a_Out - y = 1: the first step of 1/4 takes w_Out from 1/2 to
    # exactly 0, so at step 1 w_H1's gradient 2 (a_Out - y) w_Out a_H0 is 0, then moves again
    net = bp.Network.chain(weights=[1, 1, 0.5], biases=[0, 0, 0.5], activation="linear")
    path = gradient_descent(net, 1, 0, 0.25, 5, params=("w_H1", "w_Out"))
    assert path.params[1]["w_Out"] == 0 and path.gradients[1]["w_H1"] == 0
    assert path.moving == ("w_H1", "w_Out") and path.outcome == "falling", path.message


def test_a_zig_zag_while_falling_is_named():
    # b_Out alone (H0, H1 dead), c = 1: a step multiplies the distance to y by 1 - 2 * 0.9 = -0.8
    path = gradient_descent(bp.Network.chain(**DEAD_HIDDEN), 0.5, 4.7, 0.9, 10)
    jumps = np.diff([p["b_Out"] for p in path.params])
    assert (jumps[:-1] * jumps[1:] < 0).all() and path.outcome == "falling"
    assert "b_Out zig-zag: the learning rate is close to too large." in path.details


def test_a_short_run_that_falls_is_neither_a_bounce_nor_a_zig_zag():
    # the reader's runs: a sign change of a gradient after one step is no zig-zag, and a step
    # that lowered C0 is no bounce, although some gradient changed sign on it
    twin = bp.Network.chain(weights=["-1/2", "2", "3/10"], biases=["-1", "1/2", "-2/5"],
                            activation="linear")
    one = gradient_descent(twin, "3/10", "1", "1/20", 1)
    assert one.gradients[0]["w_H1"] * one.gradients[1]["w_H1"] < 0  # it did change sign
    assert "zig-zag" not in one.details, one.details
    net = bp.Network.chain(weights=[-2.19, 1.24, -0.4], biases=[1.01, 0.47, -0.39],
                           activation="linear")
    step = gradient_descent(net, -0.55, -0.35, 0.1, 1)
    assert step.costs[1] < step.costs[0] and step.outcome != "oscillating", step.message
    assert gradient_descent(net, -0.55, -0.35, 0.1, 20).outcome == "converged"  # no bounce


@pytest.mark.parametrize("steps", [9, 10])
def test_a_run_that_goes_up_on_some_steps_is_not_called_still_falling(steps):
    # leaky ReLU with z_H0 = z_Out = 0 at the start: the steps cross the kinks back and forth,
    # so C0 falls overall but goes up on every other step
    net = bp.Network.chain(weights=[2, 3, 0.5], biases=[-1, 1, -0.5], activation="leaky_relu")
    path = gradient_descent(net, 0.5, 1, 0.1, steps)
    rises = [b > a for a, b in zip(path.costs, path.costs[1:])]
    assert path.costs[-1] < path.costs[0] and sum(rises) == 4, path.costs
    assert path.outcome == "falling" and path.message.startswith(
        f"Falling unevenly: C0 went from 1 to {bp.fmt(path.costs[-1])} in {steps} steps, but it "
        f"went up on 4 of the {steps} steps."), path.message
    last = "raised" if rises[-1] else "lowered"
    drop = abs(path.costs[-2] - path.costs[-1])
    assert path.details.startswith(f"The last step {last} C0 by {bp.fmt(drop)} ("), path.details


def test_an_exact_landing_on_zero_says_0_once():
    # linear chain, only b_Out moves: a_Out = 1 + b_Out, dC0/db_Out = 2(1 + b_Out - 3) = -4 at
    # the start, and eta = 1/2 steps b_Out to exactly 2: C0 = (3 - 3)^2 = 0 in one step
    net = bp.Network.chain([1, 1, 1], [0, 0, 0], activation="linear")
    path = gradient_descent(net, 1, 3, 0.5, 10, params=["b_Out"])
    assert path.costs == [4, 0]
    assert path.message == "Converged: C0 went from 4 to 0 in 1 step."


def test_to_float_precision_means_a_few_float_spacings_not_1e_12():
    # linear chain, only b_Out moves, eta = 1/4: a - y halves exactly on every step from -1, so
    # after 45 steps a - y = -2^-45 (about 3e-14, 64 float spacings at a = 2) and
    # C0 = 2^-90: small, but not 0 to float precision; it stopped at step 40 (C0 = 2^-80) before
    net = bp.Network.chain([1, 1, 1], [0, 0, 0], activation="linear")
    path = gradient_descent(net, 1, 2, 0.25, 45, params=["b_Out"])
    assert path.steps_taken == 45 and path.costs[-1] == 2.0 ** -90
    assert path.message == f"Converged: C0 went from 1 to {bp.fmt(2.0 ** -90)} in 45 steps, about 0."
    longer = gradient_descent(net, 1, 2, 0.25, 100, params=["b_Out"])  # a - y = -2^-50: 0 now
    assert longer.steps_taken == 50 and longer.message.endswith(
        "to 0 (to floating-point precision) in 50 steps.")


def test_a_run_that_starts_on_the_bottom_says_so_without_steps():
    net = bp.Network.chain([1, 1, 1], [0, 0, 0], activation="linear")  # a_Out = x = y: C0 = 0
    path = gradient_descent(net, 1, 1, 0.1, 10)
    assert path.steps_taken == 0
    assert path.message == "Converged: C0 was 0 at the start, before any step."
