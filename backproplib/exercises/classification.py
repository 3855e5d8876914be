"""The checks of notebook 12's exercises (softmax and cross-entropy): each computes its
reference answer from the exercise's inputs with the library."""

from __future__ import annotations

import numpy as np

from ..chainrule.crossentropy import sigmoid_output
from ..core import activations as act
from ..numbers import fmt
from .answers import Feedback, check_choice, check_value
from .sandbox import check_function


def _softmax(z):
    return act.softmax(np.asarray(z, dtype=float))


def check_softmax_shift(answer, z, c) -> Feedback:
    """What happens to the probabilities softmax(z) when every logit grows by ``c``."""
    before, after = _softmax(z), _softmax(np.asarray(z, dtype=float) + float(c))
    if np.allclose(before, after, rtol=1e-9, atol=1e-12):
        correct = "c"
    elif (after > before).all():
        correct = "a"
    else:
        correct = "b"
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
    g = net.backward(x, y)
    expected = np.asarray(g.dz["Out"], dtype=float)
    a = np.asarray(g.forward.output, dtype=float)
    t = np.asarray(net.target(y), dtype=float)
    slips = {
        "That is a^Out itself: the first delta subtracts the target.": a,
        "Check the sign: dC0/dz_j = a_j - y_j, which is negative for the target's class.": t - a,
        "That is the quadratic cost's 2(a - y) without its Jacobian; with cross-entropy there "
        "is no 2.": 2 * (a - t),
        "That keeps a sigma' factor a_j (1 - a_j): the softmax's Jacobian cancels it with "
        "cross-entropy.": (a - t) * a * (1 - a),
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        dC_da = np.where(t == 0, 0.0, -t / a)
    slips["That is dC0/da^Out; go on through the softmax's Jacobian to z."] = dC_da
    return check_value(answer, expected, "dC0/dz^Out", mistakes=slips,
                       hint="work out a^Out = softmax(z^Out) first; the first delta of softmax "
                            "with cross-entropy is simple.")


SOFTMAX_CASES = [(np.array([2.0, 1.0, -1.0]),), (np.array([1000.0, 1001.0, 1002.0]),),
                 (np.array([-3.0, 0.5, 0.0, 5.0]),), (np.array([-800.0, -801.0]),)]


def check_softmax(function) -> Feedback:
    """A student's softmax(z) for a 1-D array z: on small logits, on logits near 1000 (e^1000
    overflows) and near -800 (e^-800 underflows to 0)."""
    return check_function(
        function, _softmax, SOFTMAX_CASES, "my_softmax",
        hint="e^z overflows for z = 1000: take the largest z out of every exponent first; the "
             "probabilities do not change (exercise 12.1).",
        mistakes={"Divide by the sum, so that the probabilities add up to 1.":
                  lambda z: np.exp(z - np.max(z))})


def check_slow_start(answer, z, y) -> Feedback:
    """Which cost gives a sigmoid output at ``z`` with target ``y`` the larger |dC0/dz|."""
    n = sigmoid_output(float(z), y)
    quad, cross = abs(float(n.quadratic_delta)), abs(float(n.cross_entropy_delta))
    correct = "c" if np.isclose(quad, cross, rtol=1e-9, atol=0) else "a" if quad > cross else "b"
    options = {"a": "the quadratic cost", "b": "cross-entropy", "c": "both the same"}
    numbers = (f"at z = {fmt(float(z))}, a = {fmt(float(n.a))}: the quadratic cost's "
               f"dC0/dz = 2(a - y) sigma'(z) = {fmt(float(n.quadratic_delta))}, "
               f"cross-entropy's a - y = {fmt(float(n.cross_entropy_delta))}")
    return check_choice(answer, correct, options, {correct: numbers + "."})
