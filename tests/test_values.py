"""How numbers print: fmt for one number, show for vectors and matrices, and parameter lookup."""

from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp
from backproplib.numbers import fmt as show


@pytest.mark.parametrize("value, text", [
    (0.01755125, "0.01755125"), (Fraction(14041, 800000), "0.01755125"), (-0.0, "0"),
    (0.0, "0"), (3.5102500000000003, "3.51025"), (7, "7"), (-2.5, "-2.5"),
    (Fraction(1, 3), "0.3333333333"), (1e-7, "1e-07"), (1e-8, "1e-08"), (1.5e-6, "1.5e-06"), (0.00015, "0.00015"),
    (123456789012.0, "1.23456789e+11"), (np.float64(0.5), "0.5"), (np.array(2.05), "2.05"),
    (Fraction(-1, 8), "-0.125"), (2 / 3, "0.6666666667"), (1e300, "1e+300"),
])
def test_fmt(value, text):
    assert bp.fmt(value) == text


def test_show_vectors_and_matrices():
    assert show(np.array([0.5])) == "0.5"
    assert show(np.array([0.5, -1.0])) == "[0.5, -1]"
    assert show(np.array([[1.0, 2.0], [3.0, -0.0]])) == "[[1, 2], [3, 0]]"
    assert show(np.array([Fraction(1, 2), Fraction(-3, 4)], dtype=object)) == "[0.5, -0.75]"
    g = bp.Network([[[1.0, 2.0], [3.0, 4.0]]], [[0.0, 1.0]]).backward([1, 1], [0, 0])
    assert repr(g.dw) == "LayerValues(Out=[[6, 6], [16, 16]])"


def test_locate_param_and_report(worked):
    net, x, y = worked
    assert net.locate("w_H1") == ("w", 1, (0, 0))
    assert net.locate("b_Out") == ("b", 2, (0,))
    assert net.param("b_H0") == 2
    with pytest.raises(ValueError, match="unknown parameter 'w_Hx'; valid names: w_H0, b_H0"):
        net.locate("w_Hx")
    g = net.backward(x, y)
    assert g.report("w_Out") == "dC0/dw_Out = 7.16442025"
    with pytest.raises(ValueError, match="unknown parameter 'w'"):
        g["w"]


def test_lookup_in_a_wide_network():
    """1-200-200-1: 40,801 parameters (benchmarks/ times it; the table is built once)."""
    rng = np.random.default_rng(0)
    net = bp.Network([rng.normal(size=(200, 1)), rng.normal(size=(200, 200)),
                      rng.normal(size=(1, 200))], [np.zeros(200), np.zeros(200), np.zeros(1)])
    params = net.params()
    changed = net.with_params({"w_H1[199,3]": 0.25})
    assert len(params) == 40801 and changed.param("w_H1[199,3]") == 0.25
    assert params["w_H1[199,3]"] == net.weights[1][199, 3]
    assert changed.param("w_H1[199,4]") == net.param("w_H1[199,4]")


def test_fmt_of_exact_zero_and_signs():
    from fractions import Fraction

    assert bp.fmt(Fraction(0)) == "0" and bp.fmt(Fraction(-1, 4)) == "-0.25"
    assert bp.fmt(Fraction(5)) == "5" and bp.fmt(Fraction(-3)) == "-3"
    assert bp.fmt([Fraction(1, 2), 0.25]) == "[0.5, 0.25]" and bp.fmt([7]) == "7"
