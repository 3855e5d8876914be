"""Gradient descent: it follows -learning_rate * gradient, converges on the worked example with a
small step, and explains (never NaNs) what happens with a step that is too large."""

import math
from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp
from backproplib.descent import (
    DescentPath,
    blocked_neurons,
    dead_neurons,
    describe_blocked,
    gradient_descent,
)


@pytest.fixture
def seed():
    return bp.worked_example()


def test_first_step_is_minus_learning_rate_times_backward(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.01, 1)
    g = net.backward(x, y)
    start = net.params()
    for name in net.parameter_names:
        assert path.params[0][name] == pytest.approx(float(start[name]), abs=0)
        assert path.params[1][name] == pytest.approx(float(start[name]) - 0.01 * float(g[name]),
                                                     rel=1e-15)
    assert path.costs[0] == pytest.approx(12.3218550625)
    assert path.costs[1] == pytest.approx(float(net.with_params(path.params[1]).cost(x, y)))


def test_converges_on_the_worked_example_with_a_small_learning_rate(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.01, 30)
    assert isinstance(path, DescentPath)
    assert path.steps_taken == 30 and len(path.params) == len(path.costs) == 31
    assert all(b < a for a, b in zip(path.costs, path.costs[1:]))
    assert path.costs[-1] < 0.25 * path.costs[0]
    assert not path.diverged and not path.overflowed
    assert path.message.startswith("The cost fell from 12.32185506 to ")
    assert bp.fmt(path.costs[-1]) in path.message
    # the final network is the last point of the path
    assert path.net.params() == pytest.approx(path.params[-1])
    assert float(path.net.cost(x, y)) == pytest.approx(path.costs[-1])


def test_only_the_chosen_parameters_move(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.01, 5, params=("w_H1", "w_Out"))
    assert path.names == ("w_H1", "w_Out")
    assert set(path.params[-1]) == {"w_H1", "w_Out"}
    final = path.net.params()
    for name in ("w_H0", "b_H0", "b_H1", "b_Out"):
        assert float(final[name]) == float(net.params()[name])
    assert final["w_H1"] != 0.01 and final["w_Out"] != 0.5
    array = path.array()
    assert array.shape == (6, 2)
    assert array[0].tolist() == [0.01, 0.5]
    assert path.array(("w_Out", "w_H1"))[0].tolist() == [0.5, 0.01]


def test_a_too_large_learning_rate_is_reported_as_divergence(seed):
    net, x, _ = seed
    path = gradient_descent(net, x, 10, 0.2, 30)
    assert path.diverged
    assert path.costs[-1] > path.costs[0]
    assert path.message.startswith("Diverged: the cost grew from 42.11685506 to ")
    assert "the learning rate 0.2 is too large" in path.message
    assert "overshoots the valley" in path.message


def test_overflow_stops_at_the_last_finite_step_without_nan():
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation="linear")
    path = gradient_descent(net, 0.5, 0, 0.5, 200)
    assert path.overflowed and path.diverged
    assert 0 < path.steps_taken < 200
    assert all(math.isfinite(c) for c in path.costs)
    assert all(math.isfinite(v) for p in path.params for v in p.values())
    assert all(np.isfinite(float(v)) for v in path.net.params().values())
    assert "overflowed" in path.message and "last finite step" in path.message
    assert "nan" not in path.message.lower()


def test_a_step_that_kills_a_relu_is_explained(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.5, 10, params=("w_H1", "w_Out"))
    assert path.stuck and not path.diverged
    assert path.steps_taken == 1
    assert path.costs[-1] == 9
    assert "Stuck after 1 step with the cost at 9" in path.message
    assert "H1 is dead: z = " in path.message and "ReLU'(z) = 0" in path.message


def test_reaching_zero_cost_says_so(seed):
    net, x, y = seed
    path = gradient_descent(net, x, y, 0.5, 10)
    assert path.costs[-1] == 0
    assert "to 0 in 1 step" in path.message and "prediction equals y" in path.message


def test_exact_networks_descend_in_floats(seed):
    _, x, y = seed
    exact = bp.Network.chain(["0.1", "0.01", "0.5"], [2, 1, 3], exact=True)
    path = gradient_descent(exact, Fraction(1, 2), y, 0.01, 3)
    floats = gradient_descent(bp.worked_example()[0], x, y, 0.01, 3)
    assert path.costs == pytest.approx(floats.costs, rel=1e-12)
    assert not path.net.exact


@pytest.mark.parametrize("rate, error", [
    (0, ValueError), (-0.1, ValueError), (float("nan"), ValueError), (float("inf"), ValueError),
    ("0.1", TypeError), (None, TypeError), (True, TypeError),
])
def test_learning_rate_must_be_positive(seed, rate, error):
    net, x, y = seed
    with pytest.raises(error, match="learning_rate"):
        gradient_descent(net, x, y, rate, 5)


@pytest.mark.parametrize("steps, error", [
    (0, ValueError), (-3, ValueError), (2.5, TypeError), ("5", TypeError), (True, TypeError),
])
def test_steps_must_be_a_positive_whole_number(seed, steps, error):
    net, x, y = seed
    with pytest.raises(error, match="steps"):
        gradient_descent(net, x, y, 0.01, steps)


def test_numpy_integers_count_as_steps(seed):
    net, x, y = seed
    assert gradient_descent(net, x, y, 0.01, np.int64(3)).steps_taken == 3


def test_unknown_parameter_names_are_refused(seed):
    net, x, y = seed
    with pytest.raises(ValueError, match="w_H9"):
        gradient_descent(net, x, y, 0.01, 5, params=("w_H9",))
    with pytest.raises(ValueError, match="at least one"):
        gradient_descent(net, x, y, 0.01, 5, params=())


def test_dead_and_saturated_neurons(seed):
    net, x, _ = seed
    assert dead_neurons(net, x) == []
    dead = net.with_params({"w_H1": -0.7})
    (found,) = dead_neurons(dead, x)
    assert found[:2] == ("H1", 0) and float(found[2]) == pytest.approx(-0.435)
    assert describe_blocked(dead, x) == [
        "H1 is dead: z = -0.435 <= 0, so ReLU'(z) = 0 and no gradient flows back through it"]
    sig = bp.Network.chain([10, 1, 1], [0, 0, 0], activation="sigmoid")
    kinds = [(layer, kind) for layer, _, _, _, kind in blocked_neurons(sig, 1.0)]
    assert kinds == [("H0", "saturated")]
