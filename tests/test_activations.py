"""Each activation and its derivative: conventions, limits, exactness and finite differences."""

import warnings
from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp
from backproplib.core import activations as act

NAMES = ["relu", "leaky_relu", "sigmoid", "tanh", "linear"]


def test_known_activations():
    assert list(bp.ACTIVATIONS) == NAMES
    assert {n for n, a in bp.ACTIVATIONS.items() if a.exact} == {"relu", "leaky_relu", "linear"}
    for name, a in bp.ACTIVATIONS.items():
        assert a.name == name


def test_relu_and_its_derivative_at_the_kink():
    relu = bp.ACTIVATIONS["relu"]
    z = np.array([-2.0, -1e-12, 0.0, 1e-12, 3.0])
    np.testing.assert_array_equal(relu.function(z), [0, 0, 0, 1e-12, 3])
    np.testing.assert_array_equal(relu.derivative(z), [0, 0, 0, 1, 1])
    assert relu.derivative(np.array([0.0]))[0] == 0  # as PyTorch: relu'(0) = 0


def test_relu_derivative_at_the_kink_in_exact_mode():
    relu = bp.ACTIVATIONS["relu"]
    z = np.array([Fraction(-1, 3), Fraction(0), Fraction(1, 3)], dtype=object)
    assert relu.function(z).tolist() == [0, 0, Fraction(1, 3)]
    assert relu.derivative(z).tolist() == [0, 0, 1]


def test_leaky_relu_values():
    leaky = bp.ACTIVATIONS["leaky_relu"]
    z = np.array([-3.0, 0.0, 2.0])
    np.testing.assert_allclose(leaky.function(z), [-0.03, 0, 2], rtol=1e-15)
    np.testing.assert_allclose(leaky.derivative(z), [0.01, 0.01, 1], rtol=1e-15)


def test_linear_values():
    linear = bp.ACTIVATIONS["linear"]
    z = np.array([-3.0, 0.0, 2.5])
    np.testing.assert_array_equal(linear.function(z), z)
    np.testing.assert_array_equal(linear.derivative(z), [1, 1, 1])


def test_sigmoid_and_tanh_values():
    sigmoid, tanh = bp.ACTIVATIONS["sigmoid"], bp.ACTIVATIONS["tanh"]
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(sigmoid.function(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(sigmoid.derivative(z), s * (1 - s), rtol=1e-13)
    assert sigmoid.function(np.array([0.0]))[0] == 0.5
    assert sigmoid.derivative(np.array([0.0]))[0] == 0.25
    np.testing.assert_allclose(tanh.function(z), np.tanh(z), rtol=1e-15)
    np.testing.assert_allclose(tanh.derivative(z), 1 / np.cosh(z) ** 2, rtol=1e-13)
    assert tanh.derivative(np.array([0.0]))[0] == 1


def test_sigmoid_far_out_gives_limits_without_warnings():
    sigmoid = bp.ACTIVATIONS["sigmoid"]
    z = np.array([-1000.0, -745.0, 745.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would be a RuntimeWarning
        with np.errstate(over="warn", divide="warn", invalid="warn"):  # numpy defaults
            s = sigmoid.function(z)
            ds = sigmoid.derivative(z)
    assert s[0] == 0 and s[-1] == 1
    assert 0 <= s[1] < 1e-300 and s[2] == 1
    assert ds[0] == 0 and ds[-1] == 0
    assert np.isfinite(s).all() and np.isfinite(ds).all()


def test_tanh_far_out_gives_limits_without_warnings():
    tanh = bp.ACTIVATIONS["tanh"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="warn", divide="warn", invalid="warn"):  # numpy defaults
            t = tanh.function(np.array([-1000.0, 1000.0]))
            dt = tanh.derivative(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(t, [-1, 1])
    np.testing.assert_array_equal(dt, [0, 0])


def test_sigmoid_network_with_huge_input_backpropagates_finitely():
    net = bp.Network.chain([1.0], [0.0], "sigmoid")
    for x in (-1000, 1000):
        g = net.backward(x, 0.5)
        assert np.isfinite(g["w_Out"]) and g["w_Out"] == 0


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name):
    a = bp.ACTIVATIONS[name]
    z = np.concatenate([np.linspace(-6, -0.01, 40), np.linspace(0.01, 6, 40)])  # avoid z = 0
    h = 1e-6
    numeric = (a.function(z + h) - a.function(z - h)) / (2 * h)
    np.testing.assert_allclose(a.derivative(z), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "linear"])
def test_rational_activations_keep_fractions(name):
    a = bp.ACTIVATIONS[name]
    z = np.array([Fraction(-3, 7), Fraction(5, 2)], dtype=object)
    values, slopes = a.function(z), a.derivative(z)
    expected = {"relu": [0, Fraction(5, 2)], "leaky_relu": [Fraction(-3, 700), Fraction(5, 2)],
                "linear": [Fraction(-3, 7), Fraction(5, 2)]}[name]
    assert values.tolist() == expected
    for v in list(values) + list(slopes):
        assert not isinstance(v, float), (name, v)
    assert slopes[1] == 1
    assert slopes[0] == {"relu": 0, "leaky_relu": Fraction(1, 100), "linear": 1}[name]


def test_get_normalises_names():
    assert act.get("ReLU") is bp.ACTIVATIONS["relu"]
    assert act.get(" leaky-relu ") is bp.ACTIVATIONS["leaky_relu"]
    assert act.get(bp.ACTIVATIONS["tanh"]) is bp.ACTIVATIONS["tanh"]


def test_get_rejects_unknown_names_and_non_names():
    with pytest.raises(ValueError, match="unknown activation 'softplus'.*relu, leaky_relu, "
                                         "sigmoid, tanh, linear"):
        act.get("softplus")
    with pytest.raises(TypeError, match="expected the name of an activation"):
        act.get(3)


@pytest.mark.parametrize("name", list(act.ACTIVATIONS))
def test_kink_is_true_exactly_where_the_slope_jumps_at_0(name):
    sigma = act.ACTIVATIONS[name]
    left, right = (float(sigma.derivative(np.array([z]))[0]) for z in (-1e-9, 1e-9))
    assert sigma.kink == (abs(right - left) > 1e-3)
