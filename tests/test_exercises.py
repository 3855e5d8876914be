"""Exercise checks: right (also when rounded), close, wrong with the specific slip named,
unanswered; never raising for a student's answer, always raising for an author's slip; the
sandbox for student functions."""

import decimal
import math
import re
import sys
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backproplib as bp
from backproplib import exercises as ex
from backproplib.exercises.answers import close

NET, X, Y = bp.worked_example()
DEAD = NET.with_params({"w_H1": -1})  # z_H1 = -1.05: H1 is dead
ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "linear"]


def chain(activation="relu", weights=(0.1, 0.01, 0.5), biases=(2, 1, 3)):
    return bp.Network.chain(list(weights), list(biases), activation=activation)


def by_hand(net, x, y):
    """The chain's gradients from its forward values alone, the way notebooks 02-04 write them
    (independent of Network.backward): {name: dC0/dname}."""
    fwd = net.forward(x)
    a = [float(x)] + [float(fwd.a[L][0]) for L in range(3)]
    w = [float(net.param(n)) for n in ("w_H0", "w_H1", "w_Out")]
    slope = []
    for L, sigma in enumerate(net.activations):  # sigma' by a central difference of sigma
        z = float(fwd.z[L][0])
        h = 1e-6
        f = sigma.function
        slope.append(float((f(np.array([z + h])) - f(np.array([z - h])))[0] / (2 * h)))
    dC_da = 2 * (a[3] - float(y))
    dz_out = dC_da * slope[2]
    dz_h1 = dz_out * w[2] * slope[1]
    dz_h0 = dz_h1 * w[1] * slope[0]
    return {"w_Out": dz_out * a[2], "b_Out": dz_out, "w_H1": dz_h1 * a[1], "b_H1": dz_h1,
            "w_H0": dz_h0 * a[0], "b_H0": dz_h0}


# --- rounded answers (issue 9.1) -------------------------------------------------------------
@pytest.mark.parametrize("answer, param, digits", [
    (7.1644, "w_Out", 5), ("7.1644", "w_Out", 5), (0.01755, "w_H0", 4), ("0.0175513", "w_H0", 6),
    (7.196, "w_H1", 4), (3.51025, "b_H1", None), (7.02, "b_Out", 3), ("3.5103", "b_H1", 5),
    ("3.5102", "b_H1", 5),  # 3.51025 is a tie: either rounding is right
])
def test_rounded_answers_are_right_to_the_digits_typed(answer, param, digits):
    feedback = ex.check_gradient(answer, NET, X, Y, param)
    assert feedback, feedback
    if digits is None:
        assert "rounded" not in feedback.message
    else:
        assert f"rounded to {digits} significant digits" in feedback.message


@pytest.mark.parametrize("answer", [np.float32(7.1644), decimal.Decimal("7.1644"), "71644e-4",
                                    " 7.1644 ", np.array([7.1644]), [7.1644]])
def test_digits_are_counted_from_what_was_typed(answer):
    assert "rounded to 5 significant digits" in ex.check_gradient(answer, NET, X, Y, "w_Out").message


def test_fractions_are_exact():
    assert ex.check_gradient(Fraction("7.16442025"), NET, X, Y, "w_Out")
    assert not ex.check_gradient(Fraction("7.1644"), NET, X, Y, "w_Out")


NOISY = 2 * (0.5 * -1.0 + -0.2 * 3.0) + 0.4  # -1.8000000000000003 (exercise 7.2's numbers)


@pytest.mark.parametrize("answer", [NOISY, np.float64(NOISY), np.array([NOISY]), [np.float64(NOISY)],
                                    np.longdouble(NOISY)])
def test_feedback_shows_a_float_as_fmt_prints_it_not_its_noise(answer):
    assert repr(NOISY) == "-1.8000000000000003"
    W, delta = np.array([[2.0, -1.0], [0.5, 3.0]]), np.array([0.3, -0.2])
    for feedback in (ex.check_backprop_sum(answer, W, delta, 1), ex.check_value(answer, 1, "w")):
        assert feedback.message.startswith("-1.8 is not"), feedback
    choice = ex.check_choice(answer, "a", {"a": "up", "b": "down"}).message
    assert "00000" not in choice and ("-1.8" in choice or "a ndarray" in choice), choice


def test_a_computed_float_of_15_digits_is_shown_as_fmt_prints_it():
    # a float computed in a cell often has 15 significant digits, not 17 (notebook 06's check
    # 6.1 under tanh): it is shown as the notebooks print numbers, not with all 15
    answer = -0.519784697514536
    assert repr(answer) == "-0.519784697514536"
    assert ex.check_value(answer, 1, "w").message.startswith("-0.5197846975 is not w")


@pytest.mark.parametrize("typed, message", [
    ("12345678901234.5", "12345678901234.5 is not w."),
    (" 0.50 ", "0.50 is not w."), ("1/2", "1/2 is not w."), ("1_000.5", "1_000.5 is not w."),
    ("1_0x", "the text '1_0x' is not a number such as 0.5, -2 or 1/3. Give w as a single number.")])
def test_an_answer_typed_as_text_is_echoed_as_typed(typed, message):
    # stripped, and otherwise as typed (a float literal arrives as a float: shown as fmt prints
    # it, as a computed answer is, above)
    assert ex.check_value(typed, 2, "w").message == message
    assert ex.check_value(typed, 2, "w", mistakes={"A slip.": 1000.5}).message == (
        f"{message} A slip." if typed == "1_000.5" else message)
    assert ex.check_value([typed, "1"], [2, 1], "w").message.startswith(
        f"entry [0] ({typed.strip()}) is not right" if "x" not in typed else "the text '1_0x'")


def test_a_close_answer_typed_as_text_is_echoed_as_typed():
    assert ex.check_gradient("0_7.2", NET, X, Y, "w_Out").message.startswith(
        "close: give more digits. 0_7.2 is dC0/dw_Out rounded to only 2 significant digits")


def test_an_exact_answer_is_shown_with_every_digit():
    tiny = Fraction(1, 2**40)  # 9.094947017729282379150390625e-13, exactly
    assert ex.check_value(tiny, 1, "w").message.startswith(f"{bp.fmt(tiny)} is not w")
    assert "9.094947017729282379150390625e-13" in ex.check_value(tiny, 1, "w").message


@pytest.mark.parametrize("answer", [7, 7.2, "7.2"])
def test_the_answer_rounded_to_too_few_digits_is_close_not_right(answer):
    feedback = ex.check_gradient(answer, NET, X, Y, "w_Out")
    assert not feedback and feedback.message.startswith("close: give more digits"), feedback
    assert "give at least 3" in feedback.message


@pytest.mark.parametrize("answer", [7.17, 7.1645, "7.16443", 7.1654, 8.5, 7.1])
def test_a_different_number_is_wrong_not_close(answer):
    feedback = ex.check_gradient(answer, NET, X, Y, "w_Out")
    assert not feedback and "close" not in feedback.message, feedback


def test_a_wrong_digit_is_not_right():
    assert not ex.check_gradient(7.1654, NET, X, Y, "w_Out")
    assert not ex.check_gradient(0.01756, NET, X, Y, "w_H0")


def test_wrong_shapes_are_never_right_by_broadcasting():
    a_H1 = float(NET.forward(X).a["H1"][0])
    feedback = ex.check_forward([a_H1] * 3, NET, X, "a", "H1")
    assert not feedback and "3 numbers" in feedback.message
    assert not ex.check_value([[1.0, 1.0]], 1.0, "w")
    assert not ex.check_value(1.0, [1.0, 1.0], "a_H1")


# --- the slips the notebooks warn about ------------------------------------------------------
@pytest.mark.parametrize("param", NET.parameter_names)
def test_gradient_answers_and_the_factor_2_and_the_sign(param):
    right = by_hand(NET, X, Y)[param]
    assert ex.check_gradient(right, NET, X, Y, param)
    assert "factor 2" in ex.check_gradient(right / 2, NET, X, Y, param).message
    assert "sign" in ex.check_gradient(-right, NET, X, Y, param).message


def test_db_given_for_dw_is_named_also_when_rounded():
    for answer in (7.0205, "7.02"):
        feedback = ex.check_gradient(answer, NET, X, Y, "w_Out")
        assert "That is dC0/db_Out" in feedback.message, feedback


def _parts(net=NET, x=X, y=Y):
    g, fwd = net.backward(x, y), net.forward(x)
    return g, fwd, {n: float(fwd.a[n][0]) for n in net.layer_names}


def test_x_instead_of_a_H0_in_dw_H1():  # exercise 3.2
    g, _, _ = _parts()
    feedback = ex.check_gradient(float(g.dz["H1"][0]) * X, NET, X, Y, "w_H1")
    assert "dz_H1/dw_H1 is a_H0" in feedback.message and "not x" in feedback.message


def test_a_H0_instead_of_x_in_dw_H0():  # exercise 4.2
    g, _, a = _parts()
    feedback = ex.check_gradient(float(g.dz["H0"][0]) * a["H0"], NET, X, Y, "w_H0")
    assert "dz_H0/dw_H0 is x" in feedback.message and "not a_H0" in feedback.message


def test_a_and_w_swapped_for_w_H1():
    g, _, a = _parts()
    slope = float(g.da_dz["H1"][0])
    a_for_w = float(g.dz["Out"][0]) * a["H1"] * slope * a["H0"]  # a_H1 where w_Out belongs
    feedback = ex.check_gradient(a_for_w, NET, X, Y, "w_H1")
    assert "dz_Out/da_H1 is the weight w_Out, not a_H1" in feedback.message
    w_for_a = float(g.dz["H1"][0]) * 0.01  # w_H1 where a_H0 belongs
    assert "not the weight w_H1" in ex.check_gradient(w_for_a, NET, X, Y, "w_H1").message
    w_out = float(g.dz["Out"][0]) * 0.5  # w_Out where a_H1 belongs
    assert "not the weight w_Out" in ex.check_gradient(w_out, NET, X, Y, "w_Out").message


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_forgetting_the_slope_names_the_activation(activation):
    net = chain(activation)
    g, _, a = _parts(net)
    forgot = float(g.da["H1"][0]) * a["H0"]
    feedback = ex.check_gradient(forgot, net, X, Y, "w_H1")
    formula = net.activations[1].formula
    assert f"{formula}'(z_H1)" in feedback.message and "ReLU" not in feedback.message
    forgot_out = by_hand(net, X, Y)["w_Out"] / float(g.da_dz["Out"][0])
    assert f"{formula}'(z_Out)" in ex.check_gradient(forgot_out, net, X, Y, "w_Out").message


def test_a_dead_neuron_is_explained_from_the_blocked_notion():
    g, _, a = _parts(DEAD)
    slip = float(g.da["H1"][0]) * a["H0"]
    feedback = ex.check_gradient(slip, DEAD, X, Y, "w_H1")
    (blocked,) = [b for b in g.blocked if b.layer == "H1"]
    assert bp.explain_blocked(blocked) in feedback.message and "whole product 0" in feedback.message
    assert ex.check_gradient(0, DEAD, X, Y, "w_H1")


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_right_answers_under_every_activation_and_no_relu_words_elsewhere(activation):
    net = chain(activation)
    right = by_hand(net, X, Y)
    for param in net.parameter_names:
        assert ex.check_gradient(right[param], net, X, Y, param), (activation, param)
        for wrong in (right[param] / 2, -right[param], right[param] * 1.3 + 0.1):
            message = ex.check_gradient(wrong, net, X, Y, param).message
            assert activation == "relu" or "ReLU" not in message, message


def test_dC0_da_and_dz_quantities():
    g, _, a = _parts()
    assert ex.check_gradient(float(g.da["H1"][0]), NET, X, Y, "dC0/da_H1")
    assert ex.check_gradient(float(g.dz["H0"][0]), NET, X, Y, "z_H0")
    assert ex.check_gradient(2 * (a["Out"] - Y), NET, X, Y, "a_Out")
    # a_H1 where w_Out belongs: that is dC0/dw_Out
    feedback = ex.check_gradient(float(g["w_Out"]), NET, X, Y, "dC0/da_H1")
    assert "is the weight w_Out, not a_H1" in feedback.message
    assert "C0 itself" in ex.check_gradient(float(g.cost), NET, X, Y, "a_Out").message
    assert ex.check_gradient(float(g.dx[0]), NET, X, Y, "x")


def test_hints_name_the_factors_but_give_no_numbers():
    for param in NET.parameter_names + ("a_H1", "z_H0"):
        message = ex.check_gradient(123.456, NET, X, Y, param).message
        hint = message.split("Hint: ", 1)[1]
        numbers = re.findall(r"(?<![A-Za-z_])\d+(?:\.\d+)?", hint)
        assert set(numbers) <= {"1", "2"}, hint  # only the constants dz/db = 1 and 2(a - y)


def test_an_unreachable_target_is_pointed_out():
    net = chain("tanh")
    feedback = ex.check_gradient(1.0, net, X, 2, "w_Out")
    assert "y = 2 is outside what tanh can output" in feedback.message
    right = ex.check_gradient(float(net.backward(X, 2)["w_Out"]), net, X, 2, "w_Out")
    assert right and "outside" in right.message
    assert "outside" in ex.check_gradient(1.0, NET, X, -1, "w_Out").message  # ReLU, y < 0
    assert "outside" not in ex.check_gradient(1.0, NET, X, 0, "w_Out").message


def test_exact_networks_check_exactly():
    exact = bp.Network.chain(["0.1", "0.01", "0.5"], [2, 1, 3], exact=True)
    assert ex.check_gradient(Fraction("0.01755125"), exact, Fraction(1, 2), 0, "w_H0")
    assert ex.check_gradient("0.01755", exact, "1/2", 0, "w_H0")


def test_wide_networks():
    net = bp.Network([[[0.5], [-0.3]], [[0.2, 0.4], [0.1, -0.6]], [[0.3, -0.2]]],
                     [[0.1, 0.2], [0.0, 0.3], [0.05]], activations="tanh")
    g = net.backward(0.7, 0.2)
    assert ex.check_gradient(float(g["w_H1[1,0]"]), net, 0.7, 0.2, "w_H1[1,0]")
    assert "factor 2" in ex.check_gradient(float(g["w_H1[1,0]"]) / 2, net, 0.7, 0.2,
                                           "w_H1[1,0]").message
    forgot = float(g.da["H1"][1]) * float(net.forward(0.7).a["H0"][0])
    assert "tanh'(z_H1[1])" in ex.check_gradient(forgot, net, 0.7, 0.2, "w_H1[1,0]").message
    a_H1 = net.forward(0.7).a["H1"]
    assert ex.check_forward(list(a_H1), net, 0.7, "a", "H1")
    assert ex.check_forward(float(a_H1[1]), net, 0.7, "a", "H1", j=1)
    assert not ex.check_forward(float(a_H1[1]), net, 0.7, "a", "H1")
    assert ex.check_gradient(list(g.da["H1"]), net, 0.7, 0.2, "a_H1")


# --- forward values --------------------------------------------------------------------------
@pytest.mark.parametrize("quantity, layer", [("z", "H0"), ("a", "H1"), ("z", "Out")])
def test_forward_answers_from_the_network(quantity, layer):
    value = getattr(NET.forward(X), quantity)[layer][0]
    assert ex.check_forward(float(value), NET, X, quantity, layer)
    assert ex.check_forward(str(bp.fmt(value)), NET, X, quantity, layer)
    assert not ex.check_forward(float(value) + 0.01, NET, X, quantity, layer)


def test_forward_slips():
    assert "bias" in ex.check_forward(0.05, NET, X, "z", "H0").message
    fwd = NET.forward(X)
    x_for_a = 0.01 * X + 1
    assert "not x" in ex.check_forward(x_for_a, NET, X, "z", "H1").message
    net = chain("tanh")
    z = float(net.forward(X).z["H1"][0])
    assert "That is z_H1" in ex.check_forward(z, net, X, "a", "H1").message
    blocked = chain("tanh", biases=(2, -2, 3))  # z_H1 < 0: ReLU would give 0, tanh does not
    assert blocked.forward(X).z["H1"][0] < 0
    relu_slip = ex.check_forward(0.0, blocked, X, "a", "H1").message
    assert "That is ReLU(z_H1), but this network's activation in H1 is tanh" in relu_slip
    hint = ex.check_forward(99.0, net, X, "a", "H1").message
    assert "tanh(z_H1)" in hint and "ReLU" not in hint and "max" not in hint
    assert fwd.a["H1"][0] > 0


# --- author-side slips raise, naming the argument (issue 9.8) --------------------------------
def test_author_slips_raise_clear_errors():
    with pytest.raises(ValueError, match="expected"):
        ex.check_value(1.0, None, "dC0/dw_Out")
    with pytest.raises(TypeError, match="expected"):
        ex.check_value(1.0, "7.1", "dC0/dw_Out")
    with pytest.raises(TypeError, match="what"):
        ex.check_value(1.0, 1.0, None)
    with pytest.raises(ValueError, match=r"layer: expected one of H0, H1, Out.*'H0'"):
        ex.check_forward(1.0, NET, X, "z", "h0")
    with pytest.raises(ValueError, match=r"layer: expected one of H0, H1, Out.*'H1'"):
        ex.check_weight_count(24, (3, 4, 6, 2), "h1")
    with pytest.raises(ValueError, match="quantity"):
        ex.check_forward(1.0, NET, X, "w", "H0")
    with pytest.raises(ValueError, match="w_H0, b_H0"):
        ex.check_gradient(1.0, NET, X, Y, "w_h9")
    with pytest.raises(TypeError, match="mistakes"):
        ex.check_value(1.0, 1.0, "w", mistakes=[1, 2])
    with pytest.raises(ValueError, match="correct"):
        ex.check_choice("a", "c", {"a": "up", "b": "down"})
    with pytest.raises(TypeError, match="reference"):
        ex.check_function(abs, None, [(1,)], "f")
    with pytest.raises(ValueError, match="cases"):
        ex.check_function(abs, abs, [], "f")


@pytest.mark.parametrize("answer", ["seven", [1, 2], float("nan"), True, 1 + 2j, {"a": 1},
                                    10**400, "1e99999", "3/0", -math.inf, object(), b"7"])
def test_bad_answers_get_feedback_not_exceptions(answer):
    feedback = ex.check_value(answer, 7.0, "dC0/dw_Out")
    assert feedback.status == ex.WRONG and "dC0/dw_Out" in feedback.message
    assert ex.check_gradient(answer, NET, X, Y, "w_Out").status == ex.WRONG


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.fractions(),
                 st.text(max_size=30), st.decimals(),
                 st.lists(st.floats(allow_nan=True), max_size=4), st.complex_numbers()))
def test_no_answer_makes_a_checker_raise(answer):
    for feedback in (ex.check_value(answer, 7.16442025, "dC0/dw_Out"),
                     ex.check_gradient(answer, NET, X, Y, "w_H1"),
                     ex.check_forward(answer, NET, X, "a", "Out")):
        assert feedback.status in (ex.RIGHT, ex.WRONG, ex.UNANSWERED)
        assert "nan" not in feedback.message.lower() or "nan" in repr(answer).lower()


def test_a_number_too_long_to_read_is_called_that():
    long = "0." + "0" * bp.numbers.MAX_TEXT + "1"
    assert "characters is more than this check reads" in ex.check_value(long, 0, "x").message


def test_unanswered_is_neither_right_nor_an_error():
    feedback = ex.check_forward(None, NET, X, "z", "H0")
    assert feedback.status == ex.UNANSWERED and not feedback
    assert str(feedback).startswith("Not answered yet")


# --- choices ---------------------------------------------------------------------------------
def test_choice_questions():
    g = NET.backward(X, Y)
    up = "b" if g["w_Out"] > 0 else "a"
    options = {"a": "w_Out goes up", "b": "w_Out goes down"}
    why = {"b": f"dC0/dw_Out = {bp.fmt(g['w_Out'])} > 0, so -eta * dC0/dw_Out < 0.",
           "a": "A step goes against the gradient, and this gradient is positive."}
    right = ex.check_choice("B", up, options, why)
    assert right and "dC0/dw_Out = 7.16442025 > 0" in right.message
    wrong = ex.check_choice("a", up, options, why)
    assert not wrong and "against the gradient" in wrong.message and "goes down" not in wrong.message
    assert ex.check_choice("w_Out goes down", up, options)
    for typed in (f"{up}: {options[up]}", f"{up.upper()}) {options[up]}."):  # 9.3 typed in full
        assert ex.check_choice(typed, up, options), typed
    assert "not one of the options" in ex.check_choice(f"{up}: w_Out stays", up, options).message
    assert "not one of the options" in ex.check_choice("z", up, options).message
    assert ex.check_choice(None, up, options).status == ex.UNANSWERED
    assert ex.check_choice(2, 2, {1: "one", 2: "two"}) and ex.check_choice("2", 2, {1: "x", 2: "y"})
    assert not ex.check_choice(True, 1, {1: "one", 2: "two"})


# --- student functions (issue 9.2) -----------------------------------------------------------
def relu(z):
    return max(z, 0.0)


RELU_CASES = [(2.05,), (-1.5,), (0.0,)]


def test_function_checks():
    ok = ex.check_function(relu, relu, RELU_CASES, "my_relu")
    assert ok and "3 test cases" in ok.message
    both = ex.check_function(relu, relu, RELU_CASES[:2], "my_relu")  # not "all 2 test cases"
    assert both and both.message.endswith("gives the right value on both test cases."), both
    wrong = ex.check_function(lambda z: z, relu, RELU_CASES, "my_relu", "max(0, z)")
    assert not wrong and "my_relu(-1.5)" in wrong.message and "max(0, z)" in wrong.message
    crash = ex.check_function(lambda z: 1 / 0, relu, RELU_CASES, "f", "max(0, z)")
    assert "ZeroDivisionError" in crash.message and crash.message.endswith("Hint: max(0, z)")
    stub = ex.check_function(lambda f, x: None, lambda f, x: f(x), [(math.sin, 1.0)], "g", "f(x)")
    assert stub.status == ex.UNANSWERED and "g(sin, 1)" in stub.message
    assert stub.message.endswith("return statement. Hint: f(x)")
    assert ex.check_function(None, abs, [(1,)], "f").status == ex.UNANSWERED
    assert not ex.check_function(3, abs, [(1,)], "f")


@pytest.mark.parametrize("off, right", [(1e-7, True), (1e-5, False)])
def test_typed_numbers_and_returned_functions_share_one_tolerance(off, right):
    """A relative error of 1e-7 is the value, 1e-5 is not: in a typed answer, in what a
    student's function returns, and in the slip search."""
    assert bool(ex.check_value(str(2.05 * (1 + off)), 2.05, "z")) is right
    assert bool(ex.check_function(lambda z: relu(z) * (1 + off), relu, RELU_CASES, "f")) is right
    assert close(np.array([2.05 * (1 + off), 0.0]), np.array([2.05, 0.0])) is right


def test_endless_loops_are_stopped_at_the_time_limit():
    assert ex.FUNCTION_TIME_LIMIT == 3.0

    def loop(z):
        while True:
            pass

    def stubborn(z):  # catches the first stop and loops again
        while True:
            try:
                while True:
                    pass
            except BaseException:  # noqa: B036
                pass

    tracer = sys.gettrace()
    for function in (loop, stubborn):
        start = time.monotonic()
        feedback = ex.check_function(function, relu, RELU_CASES, "my_relu", time_limit=0.3)
        assert not feedback and "time limit" in feedback.message
        assert time.monotonic() - start < 2.5
    assert sys.gettrace() is tracer  # the time limit's tracer stays in the worker thread
    assert ex.check_function(relu, relu, RELU_CASES, "my_relu")  # still works afterwards


class Strange(BaseException):
    pass


@pytest.mark.parametrize("body, words", [
    (lambda z: sys.exit(3), "sys.exit"),
    (lambda z: (_ for _ in ()).throw(Strange("odd")), "Strange: odd"),
    (lambda z: (_ for _ in ()).throw(KeyboardInterrupt()), "KeyboardInterrupt"),
    (lambda z: 10**400, "too large for floating point"),
    (lambda z: float("nan"), "not a finite number"),
    (lambda z: [relu(z)] * 3, "shape (3,)"),
    (lambda z: "0", "text"),
    (lambda z: True, "boolean"),
    (lambda z: {"a": 1}, "not a number"),
    (lambda z: (_ for _ in ()).throw(RecursionError("deep")), "RecursionError"),
])
def test_misbehaving_functions_get_feedback(body, words):
    feedback = ex.check_function(body, relu, RELU_CASES, "my_relu")
    assert feedback.status == ex.WRONG and words in feedback.message, feedback


def delta_before(W, d, s):
    return (W.T @ d) * s


def test_the_reference_runs_first_on_its_own_copy_and_students_get_copies():
    W, d, s = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0]), np.array([1.0, 0.5])
    originals = [W.copy(), d.copy(), s.copy()]

    def in_place(W, d, s):  # right, but changes its argument
        s *= W.T @ d
        return s

    def zeroes_its_input(W, d, s):  # wrong (the reference would see zeros if called after)
        W[:] = 0
        d[:] = 0
        s[:] = 0
        return np.zeros(2)

    assert ex.check_function(in_place, delta_before, [(W, d, s), (W, d, s)], "delta_before")
    assert not ex.check_function(zeroes_its_input, delta_before, [(W, d, s)], "delta_before")
    for now, before in zip((W, d, s), originals):
        assert (now == before).all()


def test_mistakes_of_a_function_are_named():
    feedback = ex.check_function(lambda a, y: a - y, lambda a, y: 2 * (a - y), [(3.0, 1.0)],
                                 "dC0_da_Out",
                                 mistakes={"Don't forget the factor 2.": lambda a, y: a - y})
    assert "factor 2" in feedback.message


# --- rendering -------------------------------------------------------------------------------
def test_feedback_renders_as_html_with_its_class():
    html = ex.check_value(1, 1, "x")._repr_html_()
    assert 'class="bp-feedback"' in html and "Right" in html
    assert "&lt;b&gt;" in ex.check_value(2, 1, "<b>")._repr_html_()


# --- blocked neurons and one line of the backward pass ---------------------------------------
def test_predicting_the_blocked_neurons():
    right = ex.check_blocked(["H1"], DEAD, X)
    (blocked,) = DEAD.forward(X).blocked
    assert right and bp.explain_blocked(blocked) in right.message
    assert ex.check_blocked("H1", DEAD, X) and ex.check_blocked([], NET, X)
    assert ex.check_blocked("none", NET, X)
    missed = ex.check_blocked([], DEAD, X)
    assert not missed and "1 more neuron is blocked" in missed.message and "H1" not in missed.message
    extra = ex.check_blocked(["H1", "Out"], DEAD, X)
    assert not extra and "Out passes gradient back: ReLU'(z_Out) = 1" in extra.message
    assert "not a neuron" in ex.check_blocked(["H7"], DEAD, X).message
    assert ex.check_blocked(None, DEAD, X).status == ex.UNANSWERED
    saturated = bp.Network.chain([10, 1, 1], [0, 0, 0], activation="sigmoid")
    assert "H0 is saturated: sigmoid'(z_H0)" in ex.check_blocked(["H0"], saturated, 1.0).message
    wide = bp.Network([[[1.0], [1.0]], [[1.0, 1.0], [-1.0, -1.0]], [[1.0, 1.0]]],
                      [[0.0, 0.0], [0.0, -5.0], [0.0]])
    assert ex.check_blocked(["H1[1]"], wide, 1.0) and not ex.check_blocked(["H1"], wide, 1.0)


WIDE = bp.Network([[[0.5], [-0.3]], [[0.2, 0.4], [0.1, -0.6]], [[0.3, -0.2]]],
                  [[0.1, 0.2], [0.0, 0.3], [0.05]], activations="tanh")


def matrix_delta(W, d, s):  # the matrix form, as notebook 07 asks for it
    return np.dot(np.transpose(W), d) * s
