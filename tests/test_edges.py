"""Edge cases found in review: each once gave a wrong number, a false sentence or a bare error."""

import numpy as np
import pytest

import backproplib as bp
from backproplib import exercises


def test_integer_input_arrays_are_floats_so_finite_differences_work():
    net = bp.Network([np.array([[0.3, -0.2]]), [[0.5]]], [[0.1], [0.2]], "sigmoid")
    x = np.array([1, 2])  # ints: a nudge of 1e-5 would be truncated away
    assert net.forward(x).x.dtype == np.float64
    numeric = bp.numerical_gradients(net, x, 1.0).dx
    assert np.allclose(numeric, net.backward(x, 1.0).dx, rtol=1e-6)


def test_a_saturated_tanh_is_not_called_dead():
    net = bp.Network.chain(weights=[1, 1], biases=[30, 0], activation="tanh")
    (sentence,) = [bp.explain_blocked(b) for b in net.forward(0.5).blocked]
    assert "saturated" in sentence and "dead" not in sentence and "<= 0" not in sentence


def test_a_dead_relu_is_still_called_dead():
    net = bp.Network.chain(weights=[0.1, -1, 0.5], biases=[2, 1, 3])
    assert any("H1 is dead" in s for s in [bp.explain_blocked(b) for b in net.forward(0.5).blocked])


@pytest.mark.parametrize("compute", [
    lambda: bp.Network.chain([1, 1e-200, 1e300], [0, 0, 0], "linear").backward(1, 0),
    lambda: bp.Network.chain([1e200], [0], "linear").cost(1, 0),
    lambda: bp.cost_surface(bp.Network.chain([1e200], [0], "linear"), 1, 0,
                            {"w_Out": [1e150, 1e200], "b_Out": [0, 1]}),
])
def test_overflow_in_gradients_or_cost_is_an_error_not_inf(compute):
    with pytest.raises(ValueError, match="overflowed"):
        compute()


@pytest.mark.parametrize("number", ["1e400", 10**400])
def test_numbers_beyond_floating_point_are_named(number):
    with pytest.raises(ValueError, match=r"w_Out: expected a number that fits in floating point"):
        bp.Network.chain([number], [0], exact=False)
    with pytest.raises(ValueError, match=r"w_Out: exact numbers may have at most 100 digits"):
        bp.Network.chain([number], [0], exact=True)  # beyond the documented exact limit
    assert bp.Network.chain(["1e99"], [0], exact=True).exact  # within it, exact mode takes it


def test_a_check_for_an_unknown_layer_says_which_layers_exist():
    net, x, _ = bp.worked_example()
    with pytest.raises(ValueError, match="layer: expected one of H0, H1, Out, got 'H9'"):
        exercises.check_forward(1.0, net, x, "z", "H9")


@pytest.mark.parametrize("h", [0, -1e-5, 2.0, 1e-13])
def test_finite_difference_step_must_be_small_and_positive(h):
    net, x, y = bp.worked_example()
    with pytest.raises(ValueError, match="h: expected a step between 1e-12 and 1 such as 1e-5"):
        bp.numerical_gradients(net, x, y, h=h)


@pytest.mark.parametrize("h, error", [("small", ValueError), (True, TypeError), (None, TypeError)])
def test_finite_difference_step_must_be_a_number(h, error):
    net, x, y = bp.worked_example()
    with pytest.raises(error, match="h: expected a small positive step such as 1e-5"):
        bp.numerical_gradients(net, x, y, h=h)


def test_every_activation_name_is_upright_in_latex():
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation="leaky_relu")
    md = bp.ledger(net, 0.5, 0).to_markdown()
    assert r"\mathrm{LeakyReLU}(2.05)" in md and r"Leaky\mathrm" not in md
