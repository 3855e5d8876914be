"""Exercise checks: right, wrong with the specific slip named, unanswered; never raising."""

import math

import pytest

import backproplib as bp
from backproplib import exercises as ex

NET, X, Y = bp.worked_example()
DEAD = NET.with_params({"w_H1": -1})  # z_H1 = -1.05: H1 is dead


def test_unanswered_is_neither_right_nor_an_error():
    feedback = ex.check_forward(None, NET, X, "z", "H0")
    assert feedback.status == ex.UNANSWERED and not feedback
    assert str(feedback).startswith("Not answered yet")


@pytest.mark.parametrize("quantity, layer", [("z", "H0"), ("a", "H1"), ("z", "Out")])
def test_forward_answers_from_the_network(quantity, layer):
    value = getattr(NET.forward(X), quantity)[layer][0]
    assert ex.check_forward(float(value), NET, X, quantity, layer)
    assert ex.check_forward(str(bp.fmt(value)), NET, X, quantity, layer)
    assert not ex.check_forward(float(value) + 0.01, NET, X, quantity, layer)


def test_forgotten_bias_is_named():
    feedback = ex.check_forward(0.05, NET, X, "z", "H0")
    assert feedback.status == ex.WRONG and "bias" in feedback.message


@pytest.mark.parametrize("param", NET.parameter_names)
def test_gradient_answers_and_slips(param):
    right = float(NET.backward(X, Y)[param])
    assert ex.check_gradient(right, NET, X, Y, param)
    assert "no 1/2" in ex.check_gradient(right / 2, NET, X, Y, param).message
    assert "sign" in ex.check_gradient(-right, NET, X, Y, param).message


def test_dz_dw_confused_with_one_is_named():
    feedback = ex.check_gradient(7.0205, NET, X, Y, "w_Out")
    assert "dz/dw" in feedback.message


def test_dead_relu_slip_is_named():
    slip = float(DEAD.backward(X, Y).da["H1"][0]) * float(DEAD.forward(X).a["H0"][0])
    feedback = ex.check_gradient(slip, DEAD, X, Y, "w_H1")
    assert "dead" in feedback.message
    assert ex.check_gradient(0, DEAD, X, Y, "w_H1")


@pytest.mark.parametrize("answer", ["seven", [1, 2], float("nan"), True])
def test_bad_answers_get_feedback_not_exceptions(answer):
    feedback = ex.check_value(answer, 7.0, "dC0/dw_Out")
    assert feedback.status == ex.WRONG and "dC0/dw_Out" in feedback.message


def test_function_checks():
    relu = ex.check_function(lambda z: max(z, 0.0), lambda z: max(z, 0.0), [(1.0,), (-2.0,)], "relu")
    assert relu and "2 test inputs" in relu.message
    wrong = ex.check_function(lambda z: z, lambda z: max(z, 0.0), [(1.0,), (-2.0,)], "relu", "max(0, z)")
    assert not wrong and "relu(-2)" in wrong.message and "max(0, z)" in wrong.message
    crash = ex.check_function(lambda z: 1 / 0, lambda z: z, [(1.0,)], "f")
    assert "ZeroDivisionError" in crash.message
    stub = ex.check_function(lambda f, x: None, lambda f, x: f(x), [(math.sin, 1.0)], "g")
    assert stub.status == ex.UNANSWERED and "g(sin, 1)" in stub.message
    assert ex.check_function(None, abs, [(1,)], "f").status == ex.UNANSWERED
    assert not ex.check_function(3, abs, [(1,)], "f")


def test_feedback_renders_as_html_with_its_class():
    html = ex.check_value(1, 1, "x")._repr_html_()
    assert 'class="bp-feedback"' in html and "Right" in html
    assert "&lt;b&gt;" in ex.check_value(2, 1, "<b>")._repr_html_()
