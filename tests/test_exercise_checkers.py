"""Every checker judges what it claims: the right answer is accepted, each typical slip is
rejected, under each activation; exercise data has no coincidences; exercise cells show no
answer.

The slips here are written out by hand from the forward pass (never read from the library's
slip catalogue), so that a checker that accepts a slip fails here.
"""

import ast
import contextlib
import copy
import io
import math
import re
from fractions import Fraction
from pathlib import Path

import nbformat
import numpy as np
import pytest
from notebook_cells import code_cells, parameters_scope

import backproplib as bp
from backproplib import exercises as ex
from backproplib.core.activations import ACTIVATIONS as ALL
from backproplib.exercises.answers import close
from backproplib.exercises.slips import catalogue, chain_cases, derivative_of, quantity
from backproplib.learning.descent import gradient_descent
from backproplib.plots import centred_values

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "linear")
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# the exercise network of notebooks 01-04 (their exercise-network cell)
EX_PARAMS = {"w_H0": 0.4, "b_H0": -0.2, "w_H1": -0.5, "b_H1": 0.8, "w_Out": 2, "b_Out": 0.5}
EX_X, EX_Y = 1.5, 0.8


def ex_net(activation):
    return bp.Network.chain([1, 1, 1], [0, 0, 0], activation=activation).with_params(EX_PARAMS)


def parts(net, x):
    """Forward values of a chain by position: a (with x first), slopes s, weights w."""
    fwd = net.forward(x)
    a = [float(fwd.x[0])] + [float(fwd.a[L][0]) for L in range(3)]
    s = [float(fwd.da_dz[L][0]) for L in range(3)]
    w = [float(net.weights[L][0, 0]) for L in range(3)]
    return a, s, w


def chain_by_hand(net, x, y, slope=(True, True, True), two=2.0, weight_for_a=None,
                  input_of=None, z_input=False):
    """{quantity: value} of a chain by the written-out chain rule, with optional slips: a
    sigma' left out (slope[M] False), the 2 lost (two=1), a_(M-1) for w_M (weight_for_a=M),
    another layer's a as the input of a weight (input_of={L: index into a}), z_(L-1) for
    a_(L-1) as the input of w_L (z_input)."""
    a, s, w = parts(net, x)
    y = float(net.target(y)[0])
    slopes = [s[M] if slope[M] else 1.0 for M in range(3)]
    weights = [a[M] if weight_for_a == M else w[M] for M in range(3)]
    inputs = {L: a[(input_of or {}).get(L, L)] for L in range(3)}
    if z_input:
        inputs.update({L: float(net.forward(x).z[L - 1][0]) for L in (1, 2)})
    out = {}
    da = two * (a[3] - y)
    out["a_Out"] = da
    names = ["H0", "H1", "Out"]
    for L in (2, 1, 0):
        dz = da * slopes[L]
        out[f"w_{names[L]}"] = dz * inputs[L]
        out[f"b_{names[L]}"] = dz
        da = dz * weights[L]
        if L > 0:
            out[f"a_{names[L - 1]}"] = da
    return out


# --- typed answers ----------------------------------------------------------------------------
@pytest.mark.parametrize("typed", [-2, -1.5, -1.55, "-2", "-1.5"])
def test_a_short_answer_is_typed_whole_and_nothing_else_is_close(typed):
    feedback = ex.check_output_gradient(typed, 1.2, 2)  # the answer is -1.6
    assert not feedback and "close" not in feedback.message, feedback


@pytest.mark.parametrize("typed", [-1.6, "-1.60", "-8/5", Fraction(-8, 5)])
def test_a_short_answer_typed_whole_is_right(typed):
    assert ex.check_output_gradient(typed, 1.2, 2)


def test_close_only_when_more_digits_make_it_right():
    net, x, y = bp.worked_example()  # dC0/dw_Out = 7.16442025
    assert ex.check_gradient("7.16", net, x, y, "w_Out")
    assert ex.check_gradient("7.2", net, x, y, "w_Out").message.startswith("close")
    assert "close" not in ex.check_gradient("7.3", net, x, y, "w_Out").message
    assert "close" not in ex.check_gradient("7.17", net, x, y, "w_Out").message


REVIEW_NUMBERS = {"x": "1/2", "weights": ["0.3", "-1/5", "0.7"]}  # an instructor's, as text


def review_cases(activation):
    """[(label, check(answer), right value)]: 2.6, 5.1, 6.1 and 6.2 as the review of the
    exercises ran them under an instructor's numbers given as text."""
    nb = nbformat.read(NOTEBOOKS / "06_gradient_descent.ipynb", as_version=4)
    scope = {**parameters_scope(nb), **REVIEW_NUMBERS}
    net = bp.Network.chain(scope["weights"], scope["biases"], activation=activation)
    x, y, eta = scope["x"], scope["y"], scope["learning_rate"]
    run = gradient_descent(net, x, y, eta, 1, params=("w_Out",))
    moved, _ = ex.what_if(ex_net(activation), EX_X, EX_Y, "b_Out", "w_Out")
    point = {name: float(net.param(name)) for name in ("w_H1", "w_Out")}
    surface = bp.cost_surface(net, x, y, {n: centred_values(v, n=121)
                                          for n, v in point.items()})
    there = {"w_H1": point["w_H1"] + 1, "w_Out": point["w_Out"] - 1}
    return [
        ("2.6", lambda a: ex.check_gradient(a, moved, EX_X, EX_Y, "w_Out"),
         moved.backward(EX_X, EX_Y)["w_Out"]),
        ("5.1", lambda a: ex.check_grid_reading(a, surface, there),
         surface.cost[ex.grid_point(surface, there)]),
        ("6.1", lambda a: ex.check_descent_step(a, net, x, y, eta, "w_Out"), run.params[-1]["w_Out"]),
        ("6.2", lambda a: ex.check_descent_step(a, net, x, y, eta, "w_Out", "cost"), run.costs[-1]),
    ]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_rounded_right_answer_is_never_blamed_for_a_slip_that_rounds_the_same(activation):
    """The right value rounded to 1 or 2 digits is right or "close", never a slip whose value
    rounds the same (the review's 2.6 and 5.1 under tanh, 6.1 and 6.2 under sigmoid); a slip's
    value typed whole is still named."""
    for label, check, right in review_cases(activation):
        for digits in (1, 2):
            feedback = check(f"{float(right):#.{digits}g}")  # 0.70: two digits typed
            assert feedback or feedback.message.startswith("close") or "Hint:" in feedback.message, (
                label, digits, feedback)
    moved, _ = ex.what_if(ex_net(activation), EX_X, EX_Y, "b_Out", "w_Out")
    slip = chain_by_hand(moved, EX_X, EX_Y, input_of={2: 3})["w_Out"]  # a_Out for a_H1
    if not close(slip, moved.backward(EX_X, EX_Y)["w_Out"]):
        assert "not a_Out" in ex.check_gradient(slip, moved, EX_X, EX_Y, "w_Out").message
    named = ex.check_value("0.70", 0.698, "v", mistakes={"That is the slip.": 0.7})
    assert named.message.endswith("That is the slip."), named  # what was typed, exactly


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_value_two_slips_give_names_each_of_them(activation):
    """On the exercise network w_Out = 2, so leaving it out of dC0/da_H1 (3.1) halves it like
    the lost 2; under ReLU a_H0 = w_H0 = 0.4, so a_H0 in place of x in dC0/dw_H0 (4.2, and
    4.3's function) is also w_H0 in its place. A value some slips share names each of them."""
    net, right = ex_net(activation), {}
    for param in ("a_H1", "w_H0"):
        right[param] = chain_by_hand(net, EX_X, EX_Y)[param]
        kind, L, index = quantity(net, param)
        slips = catalogue(net, EX_X, EX_Y, kind, L, index).values()
        for _, value in slips:
            if close(value, right[param]):
                continue
            message = ex.check_gradient(value, net, EX_X, EX_Y, param).message
            for other, twin in slips:
                assert other in message or not close(twin, value), (param, message, other)
    halved = ex.check_gradient(right["a_H1"] / 2, net, EX_X, EX_Y, "a_H1").message
    assert "factor 2" in halved and "= w_Out" in halved, halved
    assert "This value fits 2 slips here: (1) " in halved and " (2) " in halved, halved
    if activation == "relu":
        a_H0 = chain_by_hand(net, EX_X, EX_Y, input_of={0: 1})["w_H0"]
        message = ex.check_gradient(a_H0, net, EX_X, EX_Y, "w_H0").message
        assert "not the weight w_H0" in message and "not a_H0" in message, message
        function = chain_function("w_H0", input_of={0: 1})  # the other cases tell them apart
        message = ex.check_chain_function(function, net, EX_X, EX_Y, "w_H0").message
        assert "not the weight w_H0" not in message and "not a_H0" in message, message


def test_a_function_is_blamed_for_a_slip_only_if_it_gives_that_slip_on_every_case():
    """11.4 in the review: (a == Y).mean() gives 0 where the accuracy is 1, the share of errors
    there, but not elsewhere: no slip is named. A function that makes the slip is named."""
    errors = "That is the share of errors."
    cases = [ex.sandbox.Case((t,), f"at {t}", t, {errors: 1 - t}) for t in (1.0, 0.25, 0.5)]
    said = ex.sandbox.check_function(lambda t: 0.0, None, cases, "f", hint="count.")
    assert not said and errors not in said.message and "Hint: count." in said.message, said
    said = ex.sandbox.check_function(lambda t: 1 - t, None, cases, "f", hint="count.")
    assert said.message.endswith(errors), said


# --- gradients of the exercise network, every activation --------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("param", ["a_Out", "a_H1", "a_H0", "w_Out", "w_H1", "w_H0", "b_H1"])
def test_check_gradient_accepts_the_chain_and_rejects_its_slips(activation, param):
    net = ex_net(activation)
    right = chain_by_hand(net, EX_X, EX_Y)[param]
    assert ex.check_gradient(right, net, EX_X, EX_Y, param)
    slips = [chain_by_hand(net, EX_X, EX_Y, two=1.0)[param], -right]
    for M in range(3):
        slips.append(chain_by_hand(net, EX_X, EX_Y, slope=[L != M for L in range(3)])[param])
        slips.append(chain_by_hand(net, EX_X, EX_Y, weight_for_a=M)[param])
    if param.startswith("w_"):
        L = ["H0", "H1", "Out"].index(param[2:])
        for other in range(4):
            slips.append(chain_by_hand(net, EX_X, EX_Y, input_of={L: other})[param])
    for slip in slips:
        if not math.isclose(slip, right, rel_tol=1e-6, abs_tol=1e-12):
            assert not ex.check_gradient(slip, net, EX_X, EX_Y, param), (activation, param, slip)


# --- exercise data without coincidences -------------------------------------------------------
def coincidences(cases, param):
    """What the cases [(net, x, y), ...] cannot tell apart when checking dC0/d``param``, in
    words: a case whose cost is 0, a slip of the catalogue that gives the right value on every
    case. [] if none."""
    problems, told, hints = [], {}, {}
    for number, (net, x, y) in enumerate(cases, start=1):
        kind, L, index = quantity(net, param)
        g = net.backward(x, y)
        if g.cost == 0:
            problems.append(f"case {number} has a cost of 0, so every gradient is 0")
        expected = derivative_of(net, g, kind, L, index)[0]
        for key, (hint, value) in catalogue(net, x, y, kind, L, index).items():
            hints.setdefault(key, hint)
            told[key] = told.get(key, False) or not close(np.asarray(value), expected)
    return problems + [f"no case tells this slip from the right answer: {hints[key]}"
                       for key, yes in told.items() if not yes]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("param", ["w_Out", "w_H1", "w_H0"])
def test_the_exercise_network_and_its_cases_have_no_coincidences(activation, param):
    cases = chain_cases(ex_net(activation), EX_X, EX_Y, param)
    assert coincidences([c[:3] for c in cases], param) == []
    for net, x, y, words in cases:
        assert net.backward(x, y).cost != 0, words
    blocked = [c for c in cases if c[0].forward(c[1]).blocked]
    if activation in ("relu", "sigmoid", "tanh"):  # leaky ReLU and linear never block
        assert blocked, "a case with a blocked neuron and a cost that is not 0"


# --- the value exercises of notebooks 02-04, as their cells call them -------------------------
VALUE_NOTEBOOKS = ("02_output_layer_gradient", "03_h1_gradient", "04_h0_gradient")
NUMBER_SETS = {"default": {}, "text": {"x": "1/2", "y": "0", "weights": ["1/10", "0.01", "1/2"],
                                       "biases": ["2", "1", "3"]}}
CHAIN = ("H0", "H1", "Out")


def value_exercises(name, activation, numbers):
    """{exercise number: (net, x, y, param, keywords)} of each exercise cell of the
    notebook that checks a gradient of the exercise network (or a what-if of it): the cells
    run as stored, after the parameters cell with ``numbers`` and ``activation`` on top."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    scope = {**parameters_scope(nb), **numbers, "activation": activation, "bp": bp,
             "exercises": ex}
    scope["net"] = bp.Network.chain(weights=scope["weights"], biases=scope["biases"],
                                    activation=activation)
    found = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in code_cells(nb):
            if re.search(r"^ex_net\s*=", cell.source, re.MULTILINE):
                exec(cell.source, scope)  # noqa: S102
            match = EXERCISE.match(cell.source)
            call = ast.parse(cell.source).body[-1].value if match else None
            if not (call and ast.unparse(call.func) == "exercises.check_gradient"
                    and call.args[1].id.startswith("ex_")):
                continue
            exec(cell.source, scope)  # noqa: S102
            net, x, y, param = (eval(ast.unparse(a), scope) for a in call.args[1:5])  # noqa: S307
            keywords = {k.arg: eval(ast.unparse(k.value), scope) for k in call.keywords}  # noqa: S307
            found[f"{match[1]}.{match[2]}"] = (net, x, y, param, keywords)
    return found


@pytest.mark.parametrize("numbers", NUMBER_SETS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("name", VALUE_NOTEBOOKS)
def test_value_exercises_catch_the_slips_and_one_shows_a_left_out_slope(name, activation,
                                                                          numbers):
    """The main value exercises: a live network (sigma' = 1 under ReLU and leaky ReLU), an
    answer that is not 0, the lost 2, the sign, a weight for an activation and the wrong
    layer's a rejected; their right value names the exercise whose sigma' is not 1. That one
    (every notebook has one) costs something and rejects a left-out sigma', unless the
    activation is linear, where the right value says no value can show it."""
    found = value_exercises(name, activation, NUMBER_SETS[numbers])
    named = {k["slope_exercise"] for *_, k in found.values() if "slope_exercise" in k}
    assert named and named <= set(found), (named, sorted(found))
    for number in named:  # the what-if passes the network before the change: its value is named
        net, x, y, param, keywords = found[number]
        old = chain_by_hand(keywords["before"], x, y)[param]
        if not close(old, chain_by_hand(net, x, y)[param]):
            said = ex.check_gradient(old, net, x, y, param, **keywords)
            assert not said and f"dC0/d{param} of the network as it was" in said.message, said
    for number, (net, x, y, param, keywords) in found.items():
        assert net.backward(x, y).cost != 0, number
        right = chain_by_hand(net, x, y)[param]
        feedback = ex.check_gradient(right, net, x, y, param, **keywords)
        assert feedback, (number, feedback)
        _, s, _ = parts(net, x)
        L = CHAIN.index(param[2:])
        layers = range(L + (param[0] == "a"), 3)
        left_out = {M: chain_by_hand(net, x, y, slope=[K != M for K in range(3)])[param]
                    for M in layers}
        if activation == "linear" and layers:
            assert "at every z" in feedback.message, (number, feedback)
        if number in named:
            assert activation == "linear" or any(s[M] != 1 for M in layers), number
            shown = [M for M in layers if s[M] != 1]
            if activation == "relu":
                assert net.forward(x).blocked and 0 in [s[M] for M in shown], number
            if activation == "leaky_relu":
                assert 0.01 in [s[M] for M in shown], number
            for M in shown:
                assert not ex.check_gradient(left_out[M], net, x, y, param), (number, M)
            if activation != "linear":  # a what-if says only what it shows
                assert "cannot show" not in feedback.message, (number, feedback)
            continue
        assert right != 0, number
        if activation in ("relu", "leaky_relu"):
            assert all(s[M] == 1 for M in layers), (number, s)
            if layers:  # whether it names the what-if: the test below
                assert "this value cannot show" in feedback.message, feedback
        if activation in ("sigmoid", "tanh"):
            for M in layers:
                assert not ex.check_gradient(left_out[M], net, x, y, param), (number, M)
        assert not ex.check_gradient(chain_by_hand(net, x, y, two=1.0)[param], net, x, y, param)
        assert not ex.check_gradient(-right, net, x, y, param), number
        others = [chain_by_hand(net, x, y, weight_for_a=M)[param] for M in layers]
        if param[0] == "w":
            others += [chain_by_hand(net, x, y, input_of={L: k})[param] for k in range(L + 1)]
        for slip in others:
            if not math.isclose(slip, right, rel_tol=1e-6, abs_tol=1e-12):
                assert not ex.check_gradient(slip, net, x, y, param), (number, slip)


def test_a_slope_exercise_comes_with_its_what_if():
    with pytest.raises(ValueError, match=r"slope_exercise and what_if_args: expected both"):
        ex.check_gradient(0, ex_net("relu"), EX_X, EX_Y, "w_Out", slope_exercise="2.6")
    with pytest.raises(TypeError, match=r"before: expected the network before the change"):
        ex.check_gradient(0, ex_net("relu"), EX_X, EX_Y, "w_Out", before="ex_net")


def test_what_if_moves_a_bias_only():
    with pytest.raises(ValueError, match=r"move: expected a bias .* got 'w_H1'"):
        ex.what_if(ex_net("relu"), EX_X, EX_Y, "w_H1", "w_H1")


def test_coincidences_finds_a_target_the_blocked_network_predicts():
    # b_H1 = -10 kills H1 under ReLU; then a_Out = b_Out = 0.5: with y = 0.5 the cost is 0
    net = ex_net("relu")
    cases = [(net, EX_X, 0.5), (net.with_params({"b_H1": -10}), EX_X, 0.5)]
    found = coincidences(cases, "w_H1")
    assert any("cost of 0" in p for p in found) and any("ReLU'(z_H1)" in p for p in found)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_exercise_network_costs_something_in_every_what_if(activation):
    net = ex_net(activation)
    for changes in ({}, {"b_H1": -5}, {"b_H1": -10}, {"b_Out": -10}):
        assert net.with_params(changes).backward(EX_X, EX_Y).cost != 0, changes


# --- functions that build the chain from the forward pass ------------------------------------
def chain_function(param, **slip):
    def my_function(net, x, y):
        return chain_by_hand(net, x, y, **slip)[param]
    return my_function


def calls_backward(param):
    def my_function(net, x, y):
        return net.backward(x, y)[param]
    return my_function


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("param", ["w_Out", "w_H1", "w_H0"])
def test_check_chain_function_accepts_the_chain_and_rejects_each_slip(activation, param):
    net = ex_net(activation)
    assert ex.check_chain_function(chain_function(param), net, EX_X, EX_Y, param)
    refused = ex.check_chain_function(calls_backward(param), net, EX_X, EX_Y, param)
    assert not refused and "backward is switched off" in refused.message
    L = ["H0", "H1", "Out"].index(param[2:])
    slips = [dict(two=1.0), dict(slope=[M < L for M in range(3)])]  # every sigma' above left out
    slips += [dict(slope=[M != K for M in range(3)]) for K in range(L, 3)]
    slips += [dict(weight_for_a=M) for M in range(L + 1, 3)]
    slips += [dict(input_of={L: other}) for other in range(4) if other != L]
    slips += [dict(z_input=True)] if L > 0 else []  # under ReLU a case needs z_(L-1) < 0
    for slip in slips:
        if activation == "linear" and ("slope" in slip or "z_input" in slip):
            continue  # sigma' = 1 and a = z everywhere: leaving it out is no slip
        feedback = ex.check_chain_function(chain_function(param, **slip), net, EX_X, EX_Y, param)
        assert not feedback, (activation, param, slip)


def test_function_feedback_names_the_case_in_words_without_reprs():
    net = ex_net("relu")
    no_slope = chain_function("w_Out", slope=(True, True, False))
    feedback = ex.check_chain_function(no_slope, net, EX_X, EX_Y, "w_Out")
    assert "on a network whose output neuron is dead (b_Out = -10)" in feedback.message
    assert "expected 0" in feedback.message and "ReLU'(z_Out) = 0" in feedback.message
    assert "characters" not in feedback.message and "object at" not in feedback.message


def test_a_solution_put_inside_the_function_is_explained():
    def solution():
        def my_dC0_dw_Out(net, x, y):
            return 0
        return my_dC0_dw_Out

    def my_dC0_dw_Out(net, x, y):
        return solution()

    feedback = ex.check_chain_function(my_dC0_dw_Out, ex_net("relu"), EX_X, EX_Y, "w_Out")
    assert not feedback and "returned a function" in feedback.message
    assert "solution_N_M()" in feedback.message and "<function" not in feedback.message


# --- the notebooks' other checkers ------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_check_activation_function(activation):
    sigma = ALL[activation]
    assert ex.check_activation_function(lambda z: float(sigma.function(np.array([z]))[0]),
                                        activation)
    for other in ALL.values():
        if other.name != activation:
            assert not ex.check_activation_function(
                lambda z, o=other: float(o.function(np.array([z]))[0]), activation), other.name


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_check_nonzero_gradients_counts_exact_zeros(activation):
    net = ex_net(activation).with_params({"b_H1": -10})
    g = net.backward(EX_X, EX_Y)
    count = sum(g[n] != 0 for n in net.parameter_names)
    assert ex.check_nonzero_gradients(count, net, EX_X, EX_Y)
    assert not ex.check_nonzero_gradients(count - 1, net, EX_X, EX_Y)
    if activation == "relu":  # H1 dead: only b_Out (w_Out multiplies a_H1 = 0)
        assert count == 1
    if count == len(net.parameter_names):  # leaky ReLU, linear: no factor is 0 (notebook 04's
        # reader under leaky ReLU was told "a factor that is exactly 0 makes the product 0")
        hint = ex.check_nonzero_gradients(count - 3, net, EX_X, EX_Y).message
        assert "exactly 0" in hint and "is not 0" in hint, hint


def test_check_forward_what_if_names_the_old_network():
    net = ex_net("relu")
    old = float(net.forward(EX_X).a["Out"][0])
    new = float(net.with_params({"b_H1": -5}).forward(EX_X).a["Out"][0])
    assert ex.check_forward(new, net, EX_X, "a", "Out", changes={"b_H1": -5})
    feedback = ex.check_forward(old, net, EX_X, "a", "Out", changes={"b_H1": -5})
    assert not feedback and "as it was" in feedback.message


def test_small_value_checks():
    net, x, y = bp.worked_example()
    assert ex.check_target_change(-2, net, x, y)
    assert not ex.check_target_change(-1, net, x, y)
    assert not ex.check_target_change(2, net, x, y)
    wide = bp.Network([np.zeros((3, 1)), np.zeros((2, 3)), np.zeros((1, 2))],
                      [np.zeros(3), np.zeros(2), np.zeros(1)])
    assert ex.check_weight_source(0, wide, "w_H1[1,0]")
    said = ex.check_weight_source(1, wide, "w_H1[1,0]").message  # j: points at the idea (0.3)
    assert "w_H1[j,k] * a_H0[k]" in said and "second" not in said and "k is" not in said, said
    assert ex.check_weight_count(24, (3, 4, 6, 2), "H1")
    for slip in (10, 18, 30):
        assert not ex.check_weight_count(slip, (3, 4, 6, 2), "H1")
    assert "of an 8-4-1 network" in ex.check_weight_count(5, (8, 4, 1), "H0").message
    W, delta = np.array([[2.0, -1.0], [0.5, 3.0]]), np.array([0.3, -0.2])
    assert ex.check_backprop_sum(-0.9, W, delta, 1)
    assert "row 1" in ex.check_backprop_sum(float(W[1] @ delta), W, delta, 1).message
    for slip, named in ((W[0, 1] * delta[0], "only the j = 0 term"),
                        (W[1, 1] * delta[1], "only the j = 1 term"),
                        (float(delta @ W[:, 0]), "dC0/da_0, the sum down column 0")):
        assert named in ex.check_backprop_sum(slip, W, delta, 1).message, named
    rounded = ex.check_backprop_sum("-1.1", W, np.array([0.37, -0.231]), 1)  # -1.063, 2 digits
    assert rounded.message.startswith("close: give more digits"), rounded  # not column 1's slip
    assert ex.check_steps_per_epoch(32, 1000, 32)
    for slip in (31, 1000 / 32, 32000):
        assert not ex.check_steps_per_epoch(slip, 1000, 32)
    assert ex.check_bouncing_rate(0.5, c=2) and not ex.check_bouncing_rate(0.25, c=2)
    assert not ex.check_bouncing_rate(1, c=2) and not ex.check_bouncing_rate("1", c=2)
    assert ex.check_relative_error(1 / 3, 1.0, 2.0) and not ex.check_relative_error(0.5, 1.0, 2.0)
    assert ex.check_relative_error(0, 0.0, 0.0) and not ex.check_relative_error(1 / 3, 0.0, 0.0)
    assert ex.check_error_verdict(4, 1.0, 2.0) and not ex.check_error_verdict(3, 1.0, 2.0)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_check_direction_and_descent_step(activation):
    net = ex_net(activation)
    slope = float(net.backward(EX_X, EX_Y)["w_Out"])
    assert ex.check_direction("a" if slope > 0 else "b", net, EX_X, EX_Y, "w_Out")
    assert not ex.check_direction("b" if slope > 0 else "a", net, EX_X, EX_Y, "w_Out")
    w = float(net.param("w_Out"))
    assert ex.check_descent_step(w - 0.05 * slope, net, EX_X, EX_Y, 0.05, "w_Out")
    assert not ex.check_descent_step(w + 0.05 * slope, net, EX_X, EX_Y, 0.05, "w_Out")
    assert not ex.check_descent_step(w - slope, net, EX_X, EX_Y, 0.05, "w_Out")
    after = float(net.with_params({"w_Out": w - 0.05 * slope}).cost(EX_X, EX_Y))
    assert ex.check_descent_step(after, net, EX_X, EX_Y, 0.05, "w_Out", quantity="cost")
    before = float(net.cost(EX_X, EX_Y))
    assert not ex.check_descent_step(before, net, EX_X, EX_Y, 0.05, "w_Out", quantity="cost")


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_computed_answer_is_echoed_as_a_decimal_never_as_a_long_fraction(activation):
    """Numbers as text make the network exact: the cost after a step of 1/20 is a Fraction
    with a long denominator; feedback on twice it shows the decimal fmt prints (every digit
    of an exact one, a float without its noise)."""
    net = bp.Network.chain(["-1/2", "2", "3/10"], ["-1", "1/2", "-2/5"], activation=activation)
    after = net.descend(net.backward("3/10", "1"), "1/20", ["w_Out"]).cost("3/10", "1")
    assert ex.check_descent_step(after, net, "3/10", "1", "1/20", "w_Out", quantity="cost")
    message = ex.check_descent_step(after * 2, net, "3/10", "1", "1/20", "w_Out",
                                    quantity="cost").message
    assert message.startswith(f"{bp.fmt(after * 2)} is not C0"), message
    assert not re.search(r"\d/\d", message), message


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_model_solution_of_6_2_takes_the_step_in_the_network_s_numbers(activation):
    """With numbers as text the network is exact: the solution's cost after one step is the
    checker's, not a cost after a float step (a Fraction of 36 digits)."""
    nb = nbformat.read(NOTEBOOKS / "06_gradient_descent.ipynb", as_version=4)
    sources = [c.source for c in code_cells(nb)]
    x, y = "3/10", "1"
    net = bp.Network.chain(["-1/2", "2", "3/10"], ["-1", "1/2", "-2/5"], activation=activation)
    scope = {"bp": bp, "net": net, "x": x, "y": y, "g": net.backward(x, y)}
    exercise = next(s for s in sources if s.startswith("# Exercise 6.1"))
    exec(re.search(r"^eta = .*$", exercise, re.MULTILINE)[0], scope)  # noqa: S102
    exec(next(s for s in sources if "def solution_6_2" in s), scope)  # noqa: S102
    if net.exact:  # the step written out with eta as typed, 0.05 = 1/20
        step = net.param("w_Out") - Fraction(str(scope["eta"])) * scope["g"]["w_Out"]
        assert scope["solution_6_2"]() == net.with_params({"w_Out": step}).cost(x, y)
    assert ex.check_descent_step(scope["solution_6_2"](), net, x, y, scope["eta"], "w_Out",
                                 quantity="cost")


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_run_that_ends_dead_is_never_the_lowest(activation):
    _, x, y = bp.worked_example()
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation=activation)
    rates = {"a": 0.005, "b": 0.05, "c": 0.5}
    runs = {k: gradient_descent(net, x, y, r, 20) for k, r in rates.items()}
    for key, run in runs.items():
        if run.blocked or run.outcome in ("diverged", "stuck"):
            assert not ex.check_lowest_run(key, net, x, y, 20, rates), (activation, key)
    assert sum(bool(ex.check_lowest_run(k, net, x, y, 20, rates)) for k in "abcd") == 1


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_choice_feedback_starts_its_sentences_with_a_capital(activation):
    """'d (none of them: ... dead neurons) is not it. one run ends healthy.' read badly, and
    under tanh or sigmoid no neuron can die: option d says blocked (dead or saturated)."""
    _, x, y = bp.worked_example()
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation=activation)
    lowercase = re.compile(r"(?:^|\. )[a-z]{2,}\b(?![(^_/])")
    for key in "abcd":
        message = ex.check_lowest_run(key, net, x, y, 20, {"a": 0.005, "b": 0.05, "c": 0.5})
        message = message.message
        assert "blocked (dead or saturated) neurons" in message or key != "d", message
        assert "with dead neurons" not in message, message
        assert not lowercase.search(message), message
        X, Y = np.array([[0.5], [1.5]]), np.array([[0.2], [0.9]])
        message = ex.check_doubled_data(key, net, X, Y).message
        assert not lowercase.search(message), message


def test_finite_difference_checks_reject_the_other_differences():
    net, x, y = bp.worked_example()
    p, h = float(net.param("w_H1")), 0.1
    up, here, down = (float(net.with_params({"w_H1": p + s}).cost(x, y)) for s in (h, 0, -h))
    assert ex.check_difference((up - here) / h, net, x, y, "w_H1", h)
    for slip in ((up - down) / (2 * h), (here - down) / h, (up - here) / (2 * h)):
        assert not ex.check_difference(slip, net, x, y, "w_H1", h)
    with pytest.raises(ValueError, match="kind: expected one of central, forward, got 'backward'"):
        ex.check_difference(here, net, x, y, "w_H1", h, kind="backward")
    assert ex.check_difference_function(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))
    assert not ex.check_difference_function(lambda f, x, h: (f(x + h) - f(x)) / h)
    assert not ex.check_difference_function(lambda f, x, h: (f(x + h) - f(x - h)) / h)


def test_step_function_check():
    assert ex.check_step_function(lambda w, s, c, eta: w - eta * 2 * c * (w - s))
    assert not ex.check_step_function(lambda w, s, c, eta: w + eta * 2 * c * (w - s))
    assert not ex.check_step_function(lambda w, s, c, eta: w - eta * c * (w - s))
    assert not ex.check_step_function(lambda w, s, c, eta: w - 2 * c * (w - s))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_delta_function_check_rejects_row_for_column_and_a_lost_slope(activation):
    net = bp.Network([[[0.5, -1.2], [0.8, 0.3], [-0.4, 0.9]], [[0.3, 0.6, -0.1], [0.5, -0.4, 0.2]],
                      [[0.7, -0.3]]], [[0.2, -1, 0.5], [0.1, 0.4], [0.3]], activation)
    x, y = [1.0, -0.5], [1.0]
    assert ex.check_delta_function(lambda W, d, s: (W.T @ d) * s, net, x, y)
    assert not ex.check_delta_function(lambda W, d, s: (W @ d) * s if W.shape[0] == W.shape[1]
                                       else (W.T @ d) * s, net, x, y)
    if activation != "linear":
        assert not ex.check_delta_function(lambda W, d, s: W.T @ d, net, x, y)
    # 13.2 passes its exercise network: "on layer H0 of the notebook's network" named another
    said = ex.check_delta_function(lambda W, d, s: None, net, x, y).message
    assert said.startswith("on layer H0 of the 2-3-2-1 network,"), said
    said = ex.check_delta_function(lambda W, d, s: (W @ d) * s, net, x, y)  # 7.4, 13.2
    assert "your function raised ValueError" in said.message, said  # a lambda has no name
    assert "Use W_next.T" in said.message, said  # though H0's W_next is not square


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_batch_gradient_check_rejects_the_sum_and_the_transpose(activation):
    net = bp.Network([[[0.5, -1.2], [0.8, 0.3]], [[0.3, 0.6]]], [[0.2, -1], [0.1]], activation)
    X, Y = np.array([[1.0, -0.5], [0.2, 0.7], [-1.0, 0.3]]), np.array([[1.0], [0.0], [0.5]])
    assert ex.check_batch_gradient_function(lambda d, a: d.T @ a / len(d), net, X, Y)
    assert not ex.check_batch_gradient_function(lambda d, a: d.T @ a, net, X, Y)
    assert not ex.check_batch_gradient_function(
        lambda d, a: (a.T @ d / len(d)) if a.shape[1] == d.shape[1] else d.T @ a / len(d),
        net, X, Y)


def test_batch_gradient_value_rejects_the_missing_one_over_m():
    net = bp.Network([[[0.5, -1.2], [0.8, 0.3]], [[0.3, 0.6]]], [[0.2, -1], [0.1]], "sigmoid")
    X, Y = np.array([[1.0, -0.5], [0.2, 0.7], [-1.0, 0.3]]), np.array([[1.0], [0.0], [0.5]])
    right = float(net.backward(X, Y)["b_Out"])
    assert ex.check_gradient(right, net, X, Y, "b_Out")
    assert not ex.check_gradient(3 * right, net, X, Y, "b_Out")


# --- exercise cells show no answer ------------------------------------------------------------
EXERCISE = re.compile(r"^# Exercise (\d+)\.(\d+)")
BANNED = {".backward(": "runs the backward pass", "solution_": "calls a solution",
          "lambda": "passes a formula", "reference": "defines a reference answer"}


def exercise_cells():
    for path in sorted(NOTEBOOKS.glob("[01]*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and EXERCISE.match(cell.source):
                yield pytest.param(cell.source, id=EXERCISE.match(cell.source).group(0)[11:])


def _literal_arithmetic(node):
    return (isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant)
            and isinstance(node.right, ast.Constant))


@pytest.mark.parametrize("source", list(exercise_cells()))
def test_an_exercise_cell_shows_no_answer(source):
    code = "\n".join(line.split("#")[0] for line in source.splitlines())  # comments may talk
    for word, why in BANNED.items():
        assert word not in code, f"the exercise cell {why} ({word!r})"
    tree = ast.parse(source)
    call = tree.body[-1].value
    assert ast.unparse(call.func).startswith("exercises.check_")
    for arg in call.args[1:] + [k.value for k in call.keywords]:
        for node in ast.walk(arg):
            assert not _literal_arithmetic(node), f"a formula in the check: {ast.unparse(node)}"
    if ast.unparse(call.func) in ("exercises.check_choice", "exercises.check_value"):
        assert not isinstance(call.args[1], ast.Constant), "a literal answer in the check"


# --- notebooks 05, 09, 10 and 11 --------------------------------------------------------------
def test_grid_reading_and_first_order_prediction():
    net, x, y = bp.worked_example()
    surface = bp.cost_surface(net, x, y, {"w_H1": np.linspace(-2, 2, 21),
                                          "w_Out": np.linspace(-2, 2, 21)})
    there = {"w_H1": 0.51, "w_Out": -0.9}
    i, j = ex.grid_point(surface, there)
    assert (i, j) == (13, 5)
    assert ex.check_grid_reading(float(surface.cost[i, j]), surface, there)
    assert not ex.check_grid_reading(float(surface.cost[j, i]), surface, there)  # swapped
    slope = float(surface.grad["w_Out"][i, j])
    assert ex.check_grid_reading(-np.sign(slope), surface, there, "step sign")
    if slope:
        assert not ex.check_grid_reading(np.sign(slope), surface, there, "step sign")
    g = net.backward(x, y)
    assert ex.check_first_order_function(lambda a, b, s, t: a * s + b * t, g)
    assert not ex.check_first_order_function(lambda a, b, s, t: a * s, g)
    assert not ex.check_first_order_function(lambda a, b, s, t: -(a * s + b * t), g)


def test_graph_checks():
    from backproplib.chainrule import graph

    assert ex.check_fan_out(1.8, 2.5, -1.5, 0.6, -0.2)
    for slip in (1.5, 0.3, 0.4, 0.45):
        assert not ex.check_fan_out(slip, 2.5, -1.5, 0.6, -0.2)
    sizes = (784, 100, 10)
    n = 784 * 100 + 100 + 100 * 10 + 10
    assert ex.check_finite_difference_passes(2 * n, sizes)
    for slip in (n, n + 1, 2 * (n - 110), 2):
        assert not ex.check_finite_difference_passes(slip, sizes)
    net, x, y = bp.worked_example()
    u = graph.leaf(1.5, "u")
    graphs = [(graph.network_graph(net, x, y), "the chain"),
              (graph.Graph(graph.square(graph.multiply(u, u, name="u*u"), name="C0")), "u twice")]

    def written(add):
        def backward_pass(G):
            for node in G.nodes:
                node.grad = 0
            G.output.grad = 1
            for node in reversed(G.nodes):
                for child, local in zip(node.inputs, node.local):
                    child.grad = (child.grad if add else 0) + local * node.grad
            return [node.grad for node in G.nodes]
        return backward_pass

    adds, overwrites = written(True), written(False)
    assert ex.check_backward_pass_function(adds, graphs)
    feedback = ex.check_backward_pass_function(overwrites, graphs)
    assert not feedback and "on u twice" in feedback.message
    # a graph of more than 12 nodes: the feedback names the first wrong node, not the shape
    chain = graph.network_graph(net, x, y)
    grads = adds(copy.deepcopy(chain))

    def one_off(G):
        return grads[:5] + [grads[5] + 1] + grads[6:]

    said = ex.check_backward_pass_function(one_off, [(chain, "the chain")])
    assert len(grads) > 12 and "shape" not in said.message, said
    assert f"G.nodes[5] ({chain.nodes[5].name}) is {bp.fmt(grads[5] + 1)}" in said.message, said
    assert f"{len(grads)} numbers, 1 of them wrong" in said.message, said


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_batch_choices_follow_the_idea(activation):
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation=activation)
    X, Y = net.batch([0.5, -4, 2, 8, -6, 1, 5, -3], [0, 4, 1, 5, 0, 3, 1, 4])
    assert ex.check_doubled_data("c", net, X, Y) and not ex.check_doubled_data("a", net, X, Y)
    said = ex.check_example_gradients_at_bottom("b", net, X, Y)
    assert said and not ex.check_example_gradients_at_bottom("a", net, X, Y)
    # 09's letters: example i (C_i), m for a batch, n for a data set; k is a neuron of L-1
    assert "dC_i/dw_Out" in said.message and "_k" not in said.message, said
    hint = ex.check_batch_gradient_function(lambda delta, A: None, net, X, Y).message
    assert "example i: delta_i" in hint and "_k" not in hint, hint


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_sum_along_the_row_is_rejected_in_the_notation_of_07(activation):
    """dC0/dw_H1[j,k] sums down column j of W_Out over Out's neurons q (07's letters); the
    sum along row j is a slip wherever it gives another value."""
    net = bp.Network([[[0.5], [-0.3]], [[0.2, 0.4], [0.1, -0.6]], [[0.3, -0.2], [0.7, 0.5]]],
                     [[0.1, 0.2], [0.0, 0.3], [0.05, -0.4]], activations=activation)
    x, y = 0.7, [0.2, -0.5]
    fwd = net.forward(x)
    s = {L: np.asarray(fwd.da_dz[L], float) for L in range(3)}
    delta_out = 2 * (np.asarray(fwd.a[2], float) - np.array(y)) * s[2]
    W = np.asarray(net.weights[2], float)
    j, k = 1, 0
    a_H0 = float(np.asarray(fwd.a[0], float)[k])
    right = float(W[:, j] @ delta_out) * s[1][j] * a_H0
    row = float(W[j, :] @ delta_out) * s[1][j] * a_H0
    assert ex.check_gradient(right, net, x, y, f"w_H1[{j},{k}]")
    if not math.isclose(row, right, rel_tol=1e-6, abs_tol=1e-12):
        said = ex.check_gradient(row, net, x, y, f"w_H1[{j},{k}]")
        assert not said and f"column {j}" in said.message and "neuron q of" in said.message, said


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_wrong_neuron_one_term_of_the_sum_and_z_for_a_are_named(activation):
    """7.3 in the review: a_H0[j] for a_H0[k], only one term q of the sum over the next layer,
    z_H0[k] for a_H0[k]; and z_H1 for a_H1 in 2.2 (a chain): each is named where it gives
    another value than the right one, under every activation."""
    net = bp.Network([[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.3, 0.6, -0.1], [0.5, -0.4, 0.2]],
                      [[0.7, -0.3], [0.2, 0.8]]], [[2, 1, 0.5], [0.1, 0.4], [0.3, -0.2]],
                     activations=activation)  # 07's parameters
    x, y, j, k = [0.5, -1.0], [0.0, 2.0], 0, 2
    fwd = net.forward(x)
    s = [np.asarray(fwd.da_dz[L], float) for L in range(3)]
    W = np.asarray(net.weights[2], float)
    terms = W[:, j] * s[2] * 2 * (np.asarray(fwd.a[2], float) - np.array(y))  # one per q of Out
    a_H0, z_H0 = np.asarray(fwd.a[0], float), np.asarray(fwd.z[0], float)
    right = terms.sum() * s[1][j] * a_H0[k]
    slips = {f"not a_H0[{j}]": terms.sum() * s[1][j] * a_H0[j],
             f"not z_H0[{k}]": terms.sum() * s[1][j] * z_H0[k]}
    slips.update({f"only the q = {q} term": terms[q] * s[1][j] * a_H0[k] for q in range(2)})
    chain = ex_net(activation)
    cases = [(net, x, y, f"w_H1[{j},{k}]", right, slips),
             (chain, EX_X, EX_Y, "w_Out", chain_by_hand(chain, EX_X, EX_Y)["w_Out"],
              {"not z_H1": chain_by_hand(chain, EX_X, EX_Y, z_input=True)["w_Out"]})]
    for case_net, cx, cy, param, right, named in cases:
        assert ex.check_gradient(right, case_net, cx, cy, param)
        for words, value in named.items():
            if not close(value, right):
                said = ex.check_gradient(value, case_net, cx, cy, param)
                assert not said and words in said.message, (words, said)
    if activation in ("sigmoid", "tanh"):  # where a is not z: the z slips show
        assert not close(slips[f"not z_H0[{k}]"], right)


def test_training_checks():
    from backproplib.learning import datasets, training

    data = datasets.make("circle", 60, seed=0)
    net = training.initial_network([2, 4, 1], "tanh", seed=0)
    trainer = training.Trainer(net, data.X, data.Y, 0.03, 10, threshold=data.threshold).train(50)

    def right(a, Y, t):
        return float(((a[:, 0] > t) == (Y[:, 0] > t)).mean())

    assert ex.check_accuracy_function(right, trainer, data)
    assert not ex.check_accuracy_function(lambda a, Y, t: 1 - right(a, Y, t), trainer, data)
    assert not ex.check_accuracy_function(lambda a, Y, t: right(a, Y, t) * len(Y), trainer, data)
    chain = training.initial_network([2, 1, 1, 1], "relu", seed=0, output_activation="tanh")
    run = training.Trainer(chain, data.X, data.Y, 0.03, 10, threshold=data.threshold).train(20)
    said = ex.check_single_neuron_limit("c", run)
    assert said
    flat = training.Trainer(training.initial_network([2, 1], "tanh", seed=0), data.X, data.Y,
                            0.1, 20, seed=0, threshold=data.threshold).train(150)
    assert f"without hidden layers (also a straight boundary): {flat.accuracy():.0%}" in str(said)
    assert not any(ex.check_single_neuron_limit(k, run) for k in "abd")
    with pytest.raises(ValueError, match="one neuron in H0"):
        ex.check_single_neuron_limit("c", trainer)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_single_neuron_feedback_starts_with_capitals_and_dies_only_where_it_can(activation):
    """11.1: 'b (...) is not it. a larger learning rate' read badly, and option d said 'neurons
    can die' of sigmoid, tanh and linear neurons, whose slope is never 0."""
    from backproplib.learning import datasets, training

    data = datasets.make("circle", 60, seed=0)
    chain = training.initial_network([2, 1, 1, 1], activation, seed=0, output_activation="tanh")
    run = training.Trainer(chain, data.X, data.Y, 0.03, 10, threshold=data.threshold).train(5)
    lowercase = re.compile(r"(?:^|\. )[a-z]+\b(?![(^_/])")
    for key in "abcd":
        message = ex.check_single_neuron_limit(key, run).message
        assert message.startswith(key) and not lowercase.search(message[1:]), message
    dies = activation == "relu"  # its slope is 0 for z < 0; leaky ReLU's is 1/100
    said = ex.check_single_neuron_limit("d", run).message
    assert ("can die" in said) == dies and ("cannot die" in said) != dies, said


def test_forward_only_refuses_backward_and_says_why():
    net = ex.forward_only(ex_net("tanh"))
    assert np.allclose(net.forward(EX_X).output, ex_net("tanh").forward(EX_X).output)
    for call in (lambda: net.backward(EX_X, EX_Y), lambda: net.cost(EX_X, EX_Y),
                 lambda: net.with_params({"w_Out": 1}).backward(EX_X, EX_Y)):
        with pytest.raises(RuntimeError, match="asks for the chain from the forward pass"):
            call()


def test_solutions_say_how_to_check_a_function():
    for path in sorted(NOTEBOOKS.glob("[01]*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = next(c.source for c in nb.cells if c.cell_type == "markdown"
                    and c.source.startswith("## Solutions"))
        functions = [c.source for c in nb.cells if c.cell_type == "code"
                     and EXERCISE.match(c.source) and "function" in c.source.split("\n")[-1]]
        if functions:
            assert re.search(r"`\w+ = solution_\d+_\d+\(\)`", text), path.name


def test_a_central_difference_check_rejects_the_forward_one():
    net, x, y = bp.worked_example()
    p, h = float(net.param("w_Out")), 0.01
    up, here, down = (float(net.with_params({"w_Out": p + s}).cost(x, y)) for s in (h, 0, -h))
    assert ex.check_difference((up - down) / (2 * h), net, x, y, "w_Out", h, kind="central")
    for slip in ((up - here) / h, (here - down) / h, (up - down) / h):
        assert not ex.check_difference(slip, net, x, y, "w_Out", h, kind="central"), slip


# --- a batch's average and sum (notebooks 09 and 14) -------------------------------------------
BATCH_X = np.array([[0.5], [-1.0], [2.0]])
BATCH_Y = np.array([[0.0], [1.0], [0.5]])


def per_example(net, param):
    """Each example's own dC0/dparam, by the chain written out by hand (not the batch path)."""
    return [chain_by_hand(net, float(x[0]), float(y[0]))[param] for x, y in zip(BATCH_X, BATCH_Y)]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("param", ["w_Out", "w_H1", "b_H0"])
def test_a_batch_gradient_is_the_average_and_a_sum_is_rejected(activation, param):
    net = ex_net(activation)
    grads = per_example(net, param)
    average, total = sum(grads) / len(grads), sum(grads)
    assert ex.check_gradient(average, net, BATCH_X, BATCH_Y, param)
    if not math.isclose(total, average, abs_tol=1e-12):
        feedback = ex.check_gradient(total, net, BATCH_X, BATCH_Y, param)
        assert not feedback and "divide by m" in str(feedback), (activation, param)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_summed_gradient_of_14_is_the_sum_and_the_average_is_rejected(activation):
    net = ex_net(activation)
    grads = per_example(net, "w_Out")
    assert ex.check_summed_gradient(sum(grads), net, BATCH_X, BATCH_Y, "w_Out")
    if not math.isclose(sum(grads), sum(grads) / 3, abs_tol=1e-12):
        feedback = ex.check_summed_gradient(sum(grads) / 3, net, BATCH_X, BATCH_Y, "w_Out")
        assert not feedback and "average" in str(feedback), activation
    said = ex.check_summed_gradient(None, net, BATCH_X, BATCH_Y, "w_Out").message
    assert "d(sum of the C_i)/dw_Out" in said, said  # C is the average (README), not the sum


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_summed_cost_function_of_14_is_checked_at_two_points(activation):
    net = ex_net(activation)
    names = net.parameter_names

    def chain(params, summed=True):  # the cost written out by hand from the parameters
        p = dict(zip(names, np.asarray(params, dtype=float)))
        sigma = {"relu": lambda z: max(z, 0.0), "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
                 "sigmoid": lambda z: 1 / (1 + math.exp(-z)), "tanh": math.tanh,
                 "linear": lambda z: z}[activation]
        costs = []
        for x, y in zip(BATCH_X[:, 0], BATCH_Y[:, 0]):
            a = x
            for layer in ("H0", "H1", "Out"):
                a = float(sigma(p[f"w_{layer}"] * a + p[f"b_{layer}"]))
            costs.append((a - y) ** 2)
        return sum(costs) if summed else sum(costs) / len(costs)

    def summed_cost(params):
        return chain(params)

    def average_cost(params):
        return chain(params, summed=False)

    def moved_only_at_start(params):  # right at the network's parameters only
        start = np.array([float(net.param(n)) for n in names])
        return chain(params) if np.allclose(params, start) else chain(params) + 1

    assert ex.check_summed_cost(summed_cost, net, BATCH_X, BATCH_Y)
    wrong = ex.check_summed_cost(average_cost, net, BATCH_X, BATCH_Y)
    assert not wrong and "does not divide by m" in str(wrong)
    assert not ex.check_summed_cost(moved_only_at_start, net, BATCH_X, BATCH_Y)

    def unfinished(params):
        return None

    said = ex.check_summed_cost(unfinished, net, BATCH_X, BATCH_Y).message
    start = bp.fmt([float(net.param(n)) for n in names])
    assert said.startswith(f"unfinished({start}) returned None"), said  # the student's call


@pytest.mark.parametrize("init", ["xavier", "he"])
def test_the_variance_feedback_names_the_student_s_function(init):
    def glorot_variance(n_in, n_out):
        return None

    said = ex.check_init_variance(glorot_variance, init).message
    assert said.startswith("glorot_variance(") and f"the {init} variance" not in said, said


@pytest.mark.parametrize("numbers", NUMBER_SETS)
@pytest.mark.parametrize("activation", ("relu", "leaky_relu"))
@pytest.mark.parametrize("name", VALUE_NOTEBOOKS)
def test_a_right_value_names_an_exercise_that_shows_the_factors_it_cannot(name, activation,
                                                                          numbers):
    """'Here ReLU' = 1 at z_H1 and z_Out: this value cannot show those factors; exercise 4.5
    can.' must be true: in exercise 4.5 (a what-if moving one bias), each factor named has a
    slope other than 1 and is a factor of 4.5's gradient. Exercise 3.1 (dC0/da_H1, sigma'(z_Out))
    and 4.1 (sigma'(z_H1), sigma'(z_Out)) name 3.3 and 4.5, which move b_H1 and b_H0 and leave
    those slopes at 1, so the sentence is false under the default numbers too."""
    found = value_exercises(name, activation, NUMBER_SETS[numbers])
    for number, (net, x, y, param, keywords) in found.items():
        if "slope_exercise" not in keywords:
            continue
        slope_exercise = keywords["slope_exercise"]
        right = chain_by_hand(net, x, y)[param]
        message = ex.check_gradient(right, net, x, y, param, **keywords).message
        if "this value cannot show" not in message:
            continue
        named = set(re.search(r"= 1 at (.*?): this value", message)[1]
                    .replace(" and ", ", ").split(", "))
        moved, moved_x, _, moved_param, _ = found[slope_exercise]
        _, s, _ = parts(moved, moved_x)
        moved_layers = range(CHAIN.index(moved_param[2:]) + (moved_param[0] == "a"), 3)
        shown = {f"z_{CHAIN[M]}" for M in moved_layers if s[M] != 1}
        some = re.search(rf"exercise {slope_exercise} shows the ones? at (.*?)\.", message)
        said = (set(some[1].replace(" and ", ", ").split(", ")) if some else
                named if f"exercise {slope_exercise} can" in message else set())
        assert said <= shown, (f"exercise {number} says exercise {slope_exercise} can show "
                               f"sigma' at {sorted(said)}; it shows it only at {sorted(shown)}"
                               f": {message}")
        assert not (named - said) & shown, (f"exercise {number} leaves out that exercise "
                                            f"{slope_exercise} shows sigma' at {sorted(shown)}"
                                            f": {message}")



def test_need_hidden_offers_a_set_no_option_names_in_the_options_words(monkeypatch):
    from backproplib.exercises import topics
    from backproplib.learning import datasets

    # circle, gauss and xor below 90%: none of the options "a" to "e" says so, "f" does
    shares = iter([0.5 if name in ("circle", "gauss", "xor") else 0.95 for name in datasets.NAMES])
    monkeypatch.setattr(topics, "flat_accuracy", lambda X, Y, threshold, seed: next(shares))
    assert ex.check_need_hidden("circle, gauss and xor", 20, 0, (-1, 1))


def hints(check, keys="abc"):
    """{key: the hint after 'is not it.'} for each wrong choice; exactly one key is right."""
    said = {key: check(key) for key in keys}
    assert sum(map(bool, said.values())) == 1, said
    found = {key: f.message.partition(" is not it.")[2].strip() for key, f in said.items() if not f}
    assert all(found.values()), said  # "Not yet: b (C0 goes down) is not it." and no more
    return found


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_wrong_choice_says_what_slip_it_shows(activation, monkeypatch):
    from itertools import cycle

    from backproplib.exercises import topics
    from backproplib.learning import datasets, training

    # 2.5, with a live and with a dead output (relu: C0 flat in w_Out); right by dC0/dw_Out's sign
    for net in (ex_net(activation), ex_net(activation).with_params({"b_Out": -5})):
        slope = float(net.backward(EX_X, EX_Y)["w_Out"])
        said = hints(lambda k, net=net: ex.check_direction(k, net, EX_X, EX_Y, "w_Out"))
        words = {"a": "dC0/dw_Out > 0", "b": "dC0/dw_Out < 0", "c": "dC0/dw_Out = 0"}
        assert set(said) == set("abc") - {"a" if slope > 0 else "b" if slope < 0 else "c"}
        assert all(words[key] in hint for key, hint in said.items()), said
    # 12.4: the quadratic delta is (a - y) times 2a(1 - a) <= 1/2, never the larger
    for z, y, right in ((-5, 1, "b"), (4, 0, "b"), (0, 0.5, "c")):
        said = hints(lambda k, z=z, y=y: ex.check_slow_start(k, z, y))
        assert set(said) == set("abc") - {right} and "at most 1/2" in said["a"], said
    # 11.2 and 13.3: the numbers that decided, and what would have to happen for the choice
    data = datasets.make("circle", 60, seed=0)
    net = training.initial_network([2, 4, 1], activation, seed=0)
    for rate in (0.0003, 0.03):
        said = hints(lambda k, rate=rate: ex.check_larger_rate(k, net, data, rate, 10, 0))
        assert all(f"with learning rate {bp.fmt(rate)}, C = " in hint for hint in said.values())
        # b's hint said "these did not end much higher" where they ended lower (a was right)
        ended = {"a": "these ended lower", "b": "these ended higher",
                 "c": "counts as about the same"}[(set("abc") - set(said)).pop()]
        assert all(ended in hint for hint in said.values()), said
    settings = dict(depth=4, width=6, activation=activation, init="xavier", seed=0, m=8)
    said = hints(lambda k: ex.check_scale_effect(k, settings))
    assert all("times as large" in hint and "the weights' factor 8 gives" in hint
               for hint in said.values()), said
    # 1.94 times as large is c, within the factor of 2: a's and b's hints did not say so
    said = hints(lambda k: ex.check_scale_effect(k, dict(settings, depth=2, width=3, m=2)))
    band = "within the factor of 2 this question counts as about the same"
    right = (set("abc") - set(said)).pop()
    assert all((band in hint) == (right == "c") for hint in said.values()), said
    # relu's 1.9998 times: the band's number is not rounded onto its edge, 2
    assert all(0.5 < float(t) < 2 for t in re.findall(r"([\d.]+) times: within", str(said))), said
    # 11.3 with accuracies made up: each wrong set is told the data sets it gets wrong
    shares = {"circle": 0.5, "xor": 0.6, "gauss": 0.95, "spiral": 0.89}
    order = cycle(datasets.NAMES)  # check_need_hidden asks in this order
    monkeypatch.setattr(topics, "flat_accuracy", lambda X, Y, threshold, seed: shares[next(order)])
    said = hints(lambda k: ex.check_need_hidden(k, 20, 0, (-1, 1)), "abcde")
    assert said == {"a": "Circle needs one: only 50% right without it; spiral needs one: only 89% "
                         "right without it; xor needs one: only 60% right without it.",
                    "b": "Circle needs one: only 50% right without it; spiral needs one: only 89% "
                         "right without it.",
                    "c": "Spiral needs one: only 89% right without it.",
                    "e": "Gauss does not need one: 95% right without it."}, said
