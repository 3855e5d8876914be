"""Checks that answer a student's exercise at once: what is right, what is wrong, and a hint.

Every check returns a ``Feedback``: "Right: ...", "Not yet: ..." with a hint, or "Not answered
yet: ..." while the answer is still None. A check never raises for a student's answer (so Run
All never stops), but it does raise ValueError or TypeError for an author's slip (a missing
expected value, an unknown layer or quantity), naming the argument. Expected values come from
the library for the notebook's own network, so they follow whatever parameters it uses.

    z_H0 = None  # your answer
    exercises.check_forward(z_H0, net, x, "z", "H0")

The checkers:

- ``check_value(answer, expected, what)``: one number (or an array) against the right one;
- ``check_forward(answer, net, x, "a", "H1")``: z or a of a layer;
- ``check_gradient(answer, net, x, y, "w_H1")``: dC0/d(parameter), or dC0/da_H1, dC0/dz_H1,
  dC0/dx, naming the slips the notebooks warn about;
- ``check_choice(answer, correct, options, explanations)``: predict-then-reveal questions;
- ``check_blocked(answer, net, x)``: which neurons pass (almost) no gradient back;
- ``check_learning_rate(answer, net, x, y, steps, below)``: a learning rate that gets the cost
  below a goal, with advice read from the run;
- ``check_function(function, reference, cases, what)``: a student's function, run on copies of
  each case under a time limit of ``FUNCTION_TIME_LIMIT`` seconds;
- ``check_backward_step(function, "delta", net, x, y)``: one line of the backward pass, run
  on every layer's real values and on made-up ones.

Rounded answers: an answer that equals the right value rounded to the digits the student typed
(at least ``MIN_DIGITS`` significant digits) is right, and the feedback says to how many
digits; one right to fewer digits is "close: give more digits". Digits are counted from what
was typed: the text "7.1644", a float's shortest repr, an int's digits; a Fraction is exact.
"""

from __future__ import annotations

import copy
import ctypes
import decimal
import html
import math
import numbers
import re
import sys
import threading
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..learning.descent import gradient_descent, lowest_cost, unreachable_target, whole_steps
from ..numbers import MAX_EXPONENT, fmt

RIGHT, WRONG, UNANSWERED = "Right", "Not yet", "Not answered yet"
MIN_DIGITS = 3  # a rounded answer needs this many significant digits to count as right
FUNCTION_TIME_LIMIT = 3.0  # seconds a student's function may take for all cases of one check
_MAX_TEXT = 2100  # characters of a typed number


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; prints as text and renders as a coloured box in a notebook."""

    status: str  # RIGHT, WRONG or UNANSWERED
    message: str

    def __bool__(self):
        return self.status == RIGHT

    def __str__(self):
        return f"{self.status}: {self.message}"

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        colour = {RIGHT: "#1b7f3b", WRONG: "#b3261e", UNANSWERED: "#6b6b6b"}[self.status]
        mark = {RIGHT: "&#10004;", WRONG: "&#10008;", UNANSWERED: "&#8230;"}[self.status]
        return (f'<div class="bp-feedback" style="border-left: 4px solid {colour}; '
                f'padding: 4px 8px; color: {colour}">{mark} <b>{self.status}</b>: '
                f"{html.escape(self.message)}</div>")


# --- what the student typed ------------------------------------------------------------------
class _NotANumber(Exception):
    """The answer is not one real number; the message says what it is instead."""


@dataclass(frozen=True)
class _Typed:
    """One typed number: its value as the student meant it, and how precisely it was typed."""

    value: Fraction
    text: str  # as shown back to the student
    digits: int | None  # significant digits typed; None for an exact Fraction
    unit: Fraction | None  # place value of the last typed digit (half of it is the rounding)


_DECIMAL = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")
_RATIO = re.compile(r"^([+-]?\d+)\s*/\s*([+-]?\d+)$")


def _typed_text(text: str, shown: str | None = None) -> _Typed:
    text = text.strip().replace("_", "")
    shown = _short(shown or text)
    if len(text) > _MAX_TEXT:
        raise _NotANumber(f"a number of {len(text)} characters is more than this check reads")
    ratio = _RATIO.match(text)
    if ratio:
        numerator, denominator = int(ratio[1]), int(ratio[2])
        if denominator == 0:
            raise _NotANumber(f"{shown} divides by 0")
        return _Typed(Fraction(numerator, denominator), shown, None, None)
    match = _DECIMAL.match(text)
    if not match or not (match[2] or match[3]):
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise _NotANumber(f"{shown} is not a finite number")
        if re.match(r"^[+-]?\d+,\d+$", text):
            raise _NotANumber(f"{shown!r} has a comma: write the decimal point as '.'")
        raise _NotANumber(f"the text {_short(shown)!r} is not a number such as 0.5, -2 or 1/3")
    sign, whole, fraction, exponent = match[1], match[2], match[3] or "", int(match[4] or 0)
    if abs(exponent) > MAX_EXPONENT:
        raise _NotANumber(f"{_short(shown)} is beyond what this check compares "
                          f"(numbers between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT})")
    mantissa = (whole + fraction).lstrip("0")
    unit = Fraction(10) ** (exponent - len(fraction))
    value = int(whole + fraction or "0") * unit * (-1 if sign == "-" else 1)
    return _Typed(value, shown, len(mantissa) or None, unit)


def _typed(answer) -> _Typed:
    """The answer as one number, or _NotANumber saying why it is not one."""
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if isinstance(answer, (bool, np.bool_)):
        raise _NotANumber(f"{answer} is a boolean (True/False), not a number")
    if isinstance(answer, str):
        return _typed_text(answer)
    if isinstance(answer, Fraction):
        if answer.denominator == 1:
            return _typed_text(str(answer.numerator), str(answer))
        return _Typed(answer, str(answer), None, None)
    if isinstance(answer, numbers.Integral):
        answer = int(answer)
        if answer.bit_length() > 3 * MAX_EXPONENT:
            raise _NotANumber(f"an integer of about {int(answer.bit_length() * 0.30103)} digits "
                              "is more than this check compares")
        return _typed_text(str(answer))
    if isinstance(answer, decimal.Decimal):
        return _typed_text(str(answer))
    if isinstance(answer, np.floating):
        return _typed_text(str(answer))  # numpy's shortest repr in the number's own precision
    if isinstance(answer, numbers.Real):
        try:
            text = repr(float(answer))
            typed = _typed_text(text)
            # a computed float (17 digits of float noise) is shown as the notebooks print it
            return typed if (typed.digits or 0) <= 12 else _typed_text(text, fmt(float(answer)))
        except OverflowError:
            raise _NotANumber(f"{_short(repr(answer))} is too large for floating point") from None
    if isinstance(answer, (numbers.Complex, np.complexfloating)):
        raise _NotANumber(f"{answer} is a complex number; give a real number")
    if isinstance(answer, (list, tuple, np.ndarray)):
        size = np.size(answer) if not isinstance(answer, (list, tuple)) else len(answer)
        if size == 1:
            return _typed(answer[0] if isinstance(answer, (list, tuple))
                          else np.asarray(answer).reshape(-1)[0])
        raise _NotANumber(f"that is {_describe_shape(answer)}, but the answer is one number")
    raise _NotANumber(f"{_short(repr(answer))} ({type(answer).__name__}) is not a number")


def _describe_shape(value) -> str:
    try:
        shape = np.shape(value)
    except ValueError:
        return f"a {type(value).__name__} of rows of different lengths"
    if len(shape) == 1:
        return f"a {type(value).__name__} of {shape[0]} numbers"
    return f"a {type(value).__name__} of shape {shape}"


def _short(text: str) -> str:
    text = str(text)
    return text if len(text) <= 40 else f"{text[:16]}...{text[-8:]} ({len(text)} characters)"


def _exact(value, what: str) -> Fraction:
    """An author's expected value as a Fraction; TypeError/ValueError naming ``what``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if value is None:
        raise ValueError(f"{what}: expected the right value (a number), got None")
    if isinstance(value, (bool, np.bool_)):
        return Fraction(int(value))
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        # numpy's integers keep their fixed width inside a Fraction: make them Python ints
        number = (Fraction(int(value.numerator), int(value.denominator))
                  if isinstance(value, numbers.Rational) else None)
        if number is None:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(f"{what}: expected a finite number, got {number}")
            number = Fraction(number)
        return number
    if isinstance(value, str):
        raise TypeError(f"{what}: expected a number, got the text {value!r}")
    raise TypeError(f"{what}: expected a number, got {type(value).__name__} {_short(repr(value))}")


# --- comparing -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tolerance:
    rel: Fraction
    abs: Fraction

    def close(self, a: Fraction, b: Fraction) -> bool:
        return abs(a - b) <= max(self.rel * max(abs(a), abs(b)), self.abs)


def _rounds_to(typed: _Typed, target: Fraction) -> bool:
    """True if ``target`` rounded to the typed digits gives the typed number (either way on a
    tie, so a float a hair below 3.51025 still rounds to 3.5103)."""
    if typed.unit is None:
        return False
    return abs(typed.value - target) <= typed.unit / 2 * (1 + Fraction(1, 10**9))


def _agreeing_digits(typed: _Typed, target: Fraction) -> int:
    """How many significant digits of ``target`` the typed number gets right (0 if none)."""
    if target == 0 or typed.value == 0 or (typed.value < 0) != (target < 0):
        return 0
    exponent = math.floor(math.log10(abs(float(target)))) if abs(target) > Fraction(1, 10**300) \
        else -300
    digits = 0
    for k in range(1, (typed.digits or 17) + 1):
        if abs(typed.value - target) <= Fraction(10) ** (exponent - k + 1) / 2:
            digits = k
        else:
            break
    return digits


def _s(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _verdict(typed: _Typed, target: Fraction, what: str, shown_expected: str, hint: str,
             mistakes: list, tolerance: _Tolerance) -> Feedback:
    """Right, a named slip, close, or wrong with the hint, in that order."""
    if tolerance.close(typed.value, target):
        return Feedback(RIGHT, f"{what} = {shown_expected}.")
    if typed.digits is not None and typed.digits >= MIN_DIGITS and _rounds_to(typed, target):
        return Feedback(RIGHT, f"{typed.text} is {what} = {shown_expected} rounded to "
                               f"{_s(typed.digits, 'significant digit')}.")
    for slip_hint, slip_value in mistakes:
        if tolerance.close(target, slip_value):
            continue  # this slip gives the right value here: nothing to tell apart
        if tolerance.close(typed.value, slip_value) or (
                (typed.digits or 0) >= 2 and _rounds_to(typed, slip_value)):
            return Feedback(WRONG, f"{typed.text} is not {what}. {slip_hint}")
    agree = _agreeing_digits(typed, target)
    if agree:
        if _rounds_to(typed, target):
            return Feedback(WRONG, f"close: give more digits. {typed.text} is {what} rounded to "
                                   f"only {_s(typed.digits, 'significant digit')}; give at "
                                   f"least {MIN_DIGITS}.")
        return Feedback(WRONG, f"close: give more digits, and round the last one. {typed.text} "
                               f"agrees with {what} to {_s(agree, 'significant digit')} only.")
    tail = f" Hint: {hint}" if hint else ""
    return Feedback(WRONG, f"{typed.text} is not {what}.{tail}")


def _check_author_text(value, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected text, got {type(value).__name__} {value!r}")
    return value


def _tolerance(rel_tol, abs_tol) -> _Tolerance:
    for name, value in (("rel_tol", rel_tol), ("abs_tol", abs_tol)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name}: expected a number such as 1e-6, got {value!r}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    return _Tolerance(Fraction(rel_tol), Fraction(abs_tol))


def _mistake_list(mistakes, shape) -> list:
    """[(hint, value as Fractions in the expected shape)] from an author's {hint: value}."""
    if mistakes is None:
        return []
    if not isinstance(mistakes, dict):
        raise TypeError(f"mistakes: expected a dict {{hint: the value that slip gives}}, got "
                        f"{type(mistakes).__name__}")
    found = []
    for hint, value in mistakes.items():
        _check_author_text(hint, "mistakes (each key is a hint)")
        values = _author_array(value, f"mistakes[{hint[:30]!r}...]")
        if values.shape == shape:
            found.append((hint, values))
    return found


def _author_array(value, what: str) -> np.ndarray:
    """An author's value (a number or an array of numbers) as an object array of Fractions."""
    if value is None:
        raise ValueError(f"{what}: expected the right value (a number), got None")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{what}: expected a number, got the text {value!r}")
    try:
        array = np.array(value, dtype=object)
    except ValueError:
        raise ValueError(f"{what}: rows of different lengths in {_short(repr(value))}") from None
    flat = [_exact(v, what) for v in array.reshape(-1)]
    if not flat:
        raise ValueError(f"{what}: expected a number, got an empty {type(value).__name__}")
    return np.array(flat + [None], dtype=object)[:-1].reshape(array.shape)


def _answer_array(answer, shape) -> list:
    """The answer as a flat list of _Typed in ``shape``, or _NotANumber."""
    if isinstance(answer, (str, numbers.Number)) or np.ndim(answer) == 0:
        raise _NotANumber(f"that is one number, but the answer has {_shape_words(shape)}")
    try:
        array = np.array(answer, dtype=object)
    except ValueError:
        raise _NotANumber("its rows have different lengths") from None
    if array.shape != shape:
        raise _NotANumber(f"that has shape {array.shape}, but the answer has "
                          f"{_shape_words(shape)}")
    return [_typed(v) for v in array.reshape(-1)]


def _shape_words(shape) -> str:
    return f"{shape[0]} numbers" if len(shape) == 1 else f"shape {shape}"


def _show_expected(values) -> str:
    """The author's expected value as the notebooks print numbers (fmt: 7.16442025)."""
    values = np.asarray(values, dtype=object)
    if values.ndim == 0:
        value = values.item()
        return fmt(float(value) if isinstance(value, decimal.Decimal) else value)
    return "[" + ", ".join(_show_expected(v) for v in values) + "]"


# --- the checkers ----------------------------------------------------------------------------
def check_value(answer, expected, what: str, hint: str = "", mistakes: dict | None = None,
                rel_tol: float = 1e-6, abs_tol: float = 1e-9, note: str = "") -> Feedback:
    """Compare a number (or an array of numbers) with the expected one.

    ``mistakes`` maps a hint to the value a typical slip gives, e.g.
    {"The cost has no 1/2 in front, so dC0/da_Out = 2(a_Out - y).": expected / 2}; an answer
    equal to such a value gets that specific hint. ``note`` is added to every verdict (e.g. a
    target the network cannot reach). A rounded answer is right to the digits typed (see the
    module's docstring).
    """
    _check_author_text(what, "what")
    _check_author_text(hint, "hint")
    _check_author_text(note, "note")
    target = _author_array(expected, "expected")
    tolerance = _tolerance(rel_tol, abs_tol)
    slips = _mistake_list(mistakes, target.shape)
    feedback = _compare(answer, target, _show_expected(expected), what, hint, slips, tolerance)
    if note and feedback.status != UNANSWERED:
        feedback = Feedback(feedback.status, f"{feedback.message} {note}")
    return feedback


def _compare(answer, target, shown, what, hint, slips, tolerance) -> Feedback:
    if answer is None:
        return Feedback(UNANSWERED, f"replace None with your value for {what}.")
    if target.ndim == 0:
        try:
            typed = _typed(answer)
        except _NotANumber as why:
            return Feedback(WRONG, f"{why}. Give {what} as a single number.")
        return _verdict(typed, target.item(), what, shown, hint,
                        [(h, v.item()) for h, v in slips], tolerance)
    try:
        typed = _answer_array(answer, target.shape)
    except _NotANumber as why:
        return Feedback(WRONG, f"{why}. Give {what} as {_shape_words(target.shape)}.")
    verdicts = [_verdict(t, e, what, "", "", [], tolerance)
                for t, e in zip(typed, target.reshape(-1))]
    if all(verdicts):
        return Feedback(RIGHT, f"{what} = {shown}.")
    for slip_hint, slip in slips:
        if all(tolerance.close(t.value, s) for t, s in zip(typed, slip.reshape(-1))):
            return Feedback(WRONG, f"that is not {what}. {slip_hint}")
    first = next(i for i, v in enumerate(verdicts) if not v)
    index = ",".join(str(int(i)) for i in np.unravel_index(first, target.shape))
    if all(v or v.message.startswith("close") for v in verdicts):
        return Feedback(WRONG, f"close: give more digits (entry [{index}] of {what} is "
                               f"right to fewer than {MIN_DIGITS} significant digits).")
    tail = f" Hint: {hint}" if hint else ""
    return Feedback(WRONG, f"entry [{index}] ({typed[first].text}) is not right; "
                           f"{sum(map(bool, verdicts))} of {len(verdicts)} entries of {what} "
                           f"are.{tail}")


def check_choice(answer, correct, options: dict, explanations: dict | None = None,
                 what: str = "your choice") -> Feedback:
    """A multiple-choice or predict-then-reveal question.

    ``options`` maps a key to what it says, e.g. {"a": "w_Out goes up", "b": "it goes down"};
    ``correct`` is the right key, computed by the notebook from its network; ``explanations``
    maps keys to why (computed too): the right one is shown when the answer is right, a wrong
    one's when that one is chosen (without giving the right key away). The answer may be the
    key (any case, "1" for 1) or the option's text.
    """
    _check_author_text(what, "what")
    if not isinstance(options, dict) or not options:
        raise ValueError("options: expected a dict {key: what the option says} with at least "
                         f"two options, got {options!r}")
    if correct not in options:
        raise ValueError(f"correct: expected one of the keys {', '.join(map(repr, options))}, "
                         f"got {correct!r}")
    explanations = {} if explanations is None else explanations
    if not isinstance(explanations, dict) or not set(explanations) <= set(options):
        raise ValueError(f"explanations: expected a dict whose keys are among "
                         f"{', '.join(map(repr, options))}, got {explanations!r}")
    keys = ", ".join(str(k) for k in options)
    if answer is None:
        return Feedback(UNANSWERED, f"replace None with one of {keys}.")
    key = _choice_key(answer, options)
    if key is None:
        return Feedback(WRONG, f"{_short(repr(answer))} is not one of the options; answer "
                               f"with one of {keys}.")
    why = explanations.get(key, "")
    if key == correct:
        return Feedback(RIGHT, f"{key}: {options[key]}. {why}".strip())
    return Feedback(WRONG, f"{key} ({options[key]}) is not it. {why}".strip())


def _choice_key(answer, options):
    for key in options:
        if answer == key and type(answer) is not bool:
            return key
    text = str(answer).strip().lower().rstrip(").")
    for key, says in options.items():
        if text == str(key).strip().lower() or text == str(says).strip().lower():
            return key
    return None


# --- forward values --------------------------------------------------------------------------
def _layer_position(net, layer) -> int:
    if not isinstance(layer, str):
        raise TypeError(f"layer: expected a layer name ({', '.join(net.layer_names)}), got "
                        f"{layer!r}")
    if layer not in net.layer_names:
        near = [n for n in net.layer_names if n.lower() == layer.strip().lower()]
        tail = f" (did you mean {near[0]!r}?)" if near else ""
        raise ValueError(f"layer: expected one of {', '.join(net.layer_names)}, got "
                         f"{layer!r}{tail}")
    return net.layer_names.index(layer)


def _neuron(net, L, j, letter) -> str:
    """a_H1, or a_H1[0] in a layer of several neurons; x or x[0] for L = -1."""
    name = "x" if L < 0 else f"{letter}_{net.layer_names[L]}"
    if net.sizes[L + 1] == 1 or j is None:
        return name
    return f"{name}[{j}]"


def _index(net, L, j, what="j"):
    n = net.sizes[L + 1]
    if j is None:
        return None
    if isinstance(j, bool) or not isinstance(j, numbers.Integral) or not 0 <= j < n:
        raise ValueError(f"{what}: expected a neuron of {net.layer_names[L]} (0 to {n - 1}), "
                         f"got {j!r}")
    return int(j)


def check_forward(answer, net, x, quantity: str, layer: str, j=None) -> Feedback:
    """Check z or a (``quantity``) of one layer: one number for a one-neuron layer or when
    ``j`` picks a neuron, else the layer's vector."""
    if quantity not in ("z", "a"):
        raise ValueError(f"quantity: expected 'z' or 'a', got {quantity!r}")
    L = _layer_position(net, layer)
    j = _index(net, L, j)
    fwd = net.forward(x)
    pick = (lambda v: np.asarray(v)) if (j is None and net.sizes[L + 1] > 1) else (
        lambda v: np.asarray(v).reshape(-1)[j or 0])
    sigma = net.activations[L]
    W, b = net.weights[L], net.biases[L]
    a_in = fwd.x if L == 0 else fwd.a[L - 1]
    name, z_name = _neuron(net, L, j, quantity), _neuron(net, L, j, "z")
    source = "x" if L == 0 else f"a_{net.layer_names[L - 1]}"
    w_name, b_name = f"w_{layer}", f"b_{layer}"
    z, a = fwd.z[L], fwd.a[L]
    slips = {}
    if quantity == "z":
        slips[f"Don't forget the bias: {z_name} = {w_name} * {source} + {b_name}."] = W @ a_in
        if L > 0 and net.sizes[0] == net.sizes[L]:
            slips[f"{layer} takes {source}, the output of the layer before it, not x."] = (
                W @ np.asarray(fwd.x) + b)
            slips[f"{layer} takes {source}, after the activation of "
                  f"{net.layer_names[L - 1]}, not z_{net.layer_names[L - 1]}."] = (
                W @ fwd.z[L - 1] + b)
        if W.shape == (1, 1):
            slips[f"{z_name} multiplies the weight by {source}; it is not the weight plus the "
                  "bias."] = W[0] + b
        slips[f"That is {_neuron(net, L, j, 'a')}, after the activation; {z_name} is the "
              "value before it."] = a
        hint = (f"{z_name} = {w_name} * {source} + {b_name}." if W.shape[1] == 1 else
                f"{z_name} = the sum over k of {w_name}[j,k] * {source}[k], plus {b_name}[j].")
        return check_value(answer, pick(z), name, hint, _picked(slips, pick))
    slips[f"That is {z_name}, before the activation; now apply {sigma.formula}."] = z
    for other in _other_activations(sigma):
        with np.errstate(all="ignore"):
            value = other.function(np.asarray(z, dtype=float))
        slips[f"That is {other.formula}({z_name}), but this network's activation in {layer} "
              f"is {sigma.formula}."] = value
    hint = f"{name} = {sigma.formula}({z_name}), with {z_name} computed first."
    return check_value(answer, pick(a), name, hint, _picked(slips, pick))


def _picked(slips, pick):
    found = {}
    for hint, value in slips.items():
        try:
            found[hint] = pick(value)
        except (TypeError, ValueError):
            continue
    return found


def _other_activations(sigma):
    from ..core.activations import ACTIVATIONS

    return [a for a in ACTIVATIONS.values() if a.name != sigma.name and a.name != "linear"]


# --- gradients -------------------------------------------------------------------------------
_QUANTITY = re.compile(r"^(a|z)_([A-Za-z0-9]+)(?:\[(\d+)\])?$|^x(?:\[(\d+)\])?$")


def _quantity(net, name):
    """("w"/"b", L, index) for a parameter, ("a"/"z", L, j) for dC0/da, dC0/dz, ("x", -1, k)."""
    if not isinstance(name, str):
        raise TypeError(f"param: expected a name such as 'w_Out' or 'a_H1', got {name!r}")
    bare = re.sub(r"^dC0?/d", "", name.strip())
    if bare in net.parameter_names:
        kind, L, index = net.locate(bare)
        return kind, L, tuple(index)
    match = _QUANTITY.match(bare)
    if match and match[2] in net.layer_names:
        L = net.layer_names.index(match[2])
        j = None if match[3] is None else int(match[3])
        if j is None and net.sizes[L + 1] == 1:
            j = 0
        if j is not None and j >= net.sizes[L + 1]:
            match = None
        else:
            return match[1], L, (j,)
    if match and match[2] is None:
        k = None if match[4] is None else int(match[4])
        k = 0 if k is None and net.sizes[0] == 1 else k
        if k is None or k < net.sizes[0]:
            return "x", -1, (k,)
    valid = ", ".join(net.parameter_names[:12]) + (", ..." if len(net.parameter_names) > 12
                                                    else "")
    raise ValueError(f"param: unknown quantity {name!r}; expected a parameter name ({valid}), "
                     f"or a_<layer>, z_<layer> (layers {', '.join(net.layer_names)}) or x")


def check_gradient(answer, net, x, y, param: str) -> Feedback:
    """Check dC0/d(param), naming the typical slips of the chain rule when they match.

    ``param`` is a parameter name ("w_Out", "b_H1", "w_H1[0,1]") or a value of the forward
    pass ("a_H1", "z_Out", "a_H1[0]", "x"), optionally written "dC0/dw_Out". A target outside
    what the output's activation can reach is pointed out with the verdict.
    """
    kind, L, index = _quantity(net, param)
    g = net.backward(x, y)
    expected, label = _derivative(net, g, kind, L, index)
    if g.batch_size is None and net.is_chain:
        slips = _chain_slips(net, g, kind, L)
    elif g.batch_size is None:
        slips = _wide_slips(net, g, kind, L, index, expected)
    else:
        slips = {}
    slips = {**_cost_slips(expected, g.batch_size), **slips}
    hint = _gradient_hint(net, kind, L, index)
    if g.batch_size:
        hint = (f"{label} is the average over the {g.batch_size} examples of each one's "
                f"{label.replace('dC/', 'dC0/')}, and {hint}")
    note = unreachable_target(net, y) or ""
    return check_value(answer, expected, label, hint, slips, note=note)


def _derivative(net, g, kind, L, index):
    cost = "C" if g.batch_size else "C0"
    if kind in ("w", "b"):
        name = next(n for n in net.parameter_names if tuple(net.locate(n)) == (kind, L, index))
        return g[name], f"d{cost}/d{name}"
    (j,) = index
    table = {"a": g.da, "z": g.dz}
    values = g.dx if kind == "x" else table[kind][L]
    if g.batch_size:
        raise ValueError(f"param: d{cost}/d{kind} is per example; check it for one example "
                         "(a 1-D x), not a batch")
    values = np.asarray(values)
    value = values if j is None else values[j]
    return value, f"d{cost}/d{_neuron(net, L, j, kind)}"


def _cost_slips(expected, batch_size):
    return {
        "C0 = (a_Out - y)^2 has no 1/2, so dC0/da_Out = 2(a_Out - y): check the factor 2.":
            np.asarray(expected, dtype=object) / 2,
        "Check the sign: dC0/da_Out = 2(a_Out - y), a_Out minus y, not y minus a_Out.":
            -np.asarray(expected, dtype=object),
    }


def _blocked_sentence(g, L, j):
    for b in g.blocked:
        if b.L == L and b.j == j:
            return b.sentence()
    return None


def _slope_slip(net, g, L, j=0):
    """The hint for a chain that left out da_L/dz_L = sigma'(z_L)."""
    sigma = net.activations[L]
    z_name, a_name = _neuron(net, L, j, "z"), _neuron(net, L, j, "a")
    blocked = _blocked_sentence(g, L, j)
    if blocked and g.da_dz[L][j] == 0:
        return (f"That leaves out {sigma.formula}'({z_name}) = 0, which makes the whole "
                f"product 0: {blocked}.")
    return (f"You left out {a_name.replace('a_', 'da_')}/d{z_name} = {sigma.formula}'({z_name}), "
            f"the activation's slope at {z_name}.")


def _chain_slips(net, g, kind, L) -> dict:
    """Slips for a chain: the product of its local factors with one factor changed each way.

    From the cost down: dC0/da_Out = 2(a_Out - y), then per layer M the slope sigma'(z_M) and
    the weight w_M (= dz_M/da_(M-1)), down to the quantity asked for."""
    fwd = g.forward
    last = len(net.layer_names) - 1
    name = net.layer_names
    inputs = [np.asarray(fwd.x).reshape(-1)[0]] + [fwd.a[M][0] for M in range(last + 1)]
    w = [net.weights[M][0, 0] for M in range(last + 1)]  # inputs[M] is what comes into M
    s = [g.da_dz[M][0] for M in range(last + 1)]
    factors = [("cost", last, g.da[last][0])]
    for M in range(last, -1 if kind == "x" else L, -1):
        factors += [("slope", M, s[M]), ("weight", M, w[M])]
    if kind in ("z", "w", "b"):
        factors.append(("slope", L, s[L]))
    if kind == "w":
        factors.append(("input", L, inputs[L]))

    def product(replace=None, value=None):
        out = Fraction(1)
        for i, (_, _, v) in enumerate(factors):
            out *= _exact(value if i == replace else v, "factor")
        return out

    slips = {}
    source = "x" if L <= 0 else f"a_{name[L - 1]}"
    for i, (role, M, v) in enumerate(factors):
        below = "x" if M == 0 else f"a_{name[M - 1]}"
        if role == "slope" and v != 1:
            slips[_slope_slip(net, g, M)] = product(i, 1)
        elif role == "weight":
            slips[f"dz_{name[M]}/d{below} is the weight w_{name[M]}, not {below}: the chain "
                  f"back from {name[M]} goes through w_{name[M]}."] = product(i, inputs[M])
            slips[f"You left out dz_{name[M]}/d{below} = w_{name[M]}."] = product(i, 1)
        elif role == "input":
            slips[f"That is dC0/db_{name[M]}: dz_{name[M]}/dw_{name[M]} is {source}, the value "
                  f"coming into {name[M]}, not 1."] = product(i, 1)
            slips[f"dz_{name[M]}/dw_{name[M]} is {source}, the value coming into {name[M]}, "
                  f"not the weight w_{name[M]}."] = product(i, w[M])
            others = [("x", "the network's input")] + [
                (f"a_{n}", f"{n}'s own output" if n == name[M] else f"the output of {n}")
                for n in name]
            for (other, what), value in zip(others, inputs):
                if other != source:
                    slips[f"dz_{name[M]}/dw_{name[M]} is {source}, the value coming into "
                          f"{name[M]}, not {other} ({what})."] = product(i, value)
    if kind == "b":
        slips[f"dz_{name[L]}/db_{name[L]} = 1: that is dC0/dw_{name[L]}, with {source} in "
              "place of 1."] = product() * _exact(inputs[L], "a")
    if kind == "a" and L == last:
        slips["That is C0 itself; its derivative is dC0/da_Out = 2(a_Out - y)."] = (
            _exact(g.cost, "C0"))
    return slips


def _wide_slips(net, g, kind, L, index, expected) -> dict:
    """The slips that read directly off one neuron of a wide network."""
    if kind not in ("w", "b", "z"):
        return {}
    fwd = g.forward
    j = index[0]
    if j is None:
        return {}
    slips = {}
    dz, da, slope = g.dz[L][j], g.da[L][j], g.da_dz[L][j]
    layer = net.layer_names[L]
    if slope != 1:
        slips[_slope_slip(net, g, L, j)] = da * (1 if kind != "w" else
                                                 (fwd.x if L == 0 else fwd.a[L - 1])[index[1]])
    if kind == "w":
        k = index[1]
        source = _neuron(net, L - 1, k, "a")
        slips[f"That is dC0/db_{layer}[{j}]: dz/dw is {source}, the value coming in, not 1."] = dz
        slips[f"dz/dw is {source}, the value coming in, not the weight "
              f"w_{layer}[{j},{k}]."] = dz * net.weights[L][j, k]
        if L > 0 and k < net.sizes[0]:
            slips[f"dz/dw is {source}, the output of the layer before {layer}, not x."] = (
                dz * np.asarray(fwd.x)[k])
    return slips


def _gradient_hint(net, kind, L, index) -> str:
    """Which factors to multiply, by name (never the numbers)."""
    name = net.layer_names
    if kind == "x":
        return "dC0/dx = dC0/dz_H0 * dz_H0/dx, and dz_H0/dx is the weight w_H0."
    layer = name[L]
    if kind == "a" and L == len(name) - 1:
        return "differentiate C0 = (a_Out - y)^2 with respect to a_Out."
    if kind == "a":
        nxt = name[L + 1]
        return (f"dC0/da_{layer} = dC0/da_{nxt} * da_{nxt}/dz_{nxt} * dz_{nxt}/da_{layer}; "
                f"dz_{nxt}/da_{layer} is the weight w_{nxt}"
                + ("" if net.sizes[L + 2] == 1 else f", summed over the neurons j of {nxt}")
                + ".")
    head = f"dC0/da_{layer} * da_{layer}/dz_{layer}"
    if kind == "z":
        return f"dC0/dz_{layer} = {head}."
    source = "x" if L == 0 else f"a_{name[L - 1]}"
    if kind == "b":
        return f"dC0/db_{layer} = {head} * dz_{layer}/db_{layer}, and dz_{layer}/db_{layer} = 1."
    return (f"dC0/dw_{layer} = {head} * dz_{layer}/dw_{layer}, and dz_{layer}/dw_{layer} is "
            f"{source}, the value coming into {layer}.")


# --- choosing a learning rate ----------------------------------------------------------------
def check_learning_rate(answer, net, x, y, steps, below, params=None) -> Feedback:
    """Does descent with the student's learning rate bring the cost below ``below`` within
    ``steps`` steps? The advice follows the run's outcome (descent.DescentPath.outcome), and
    a goal no learning rate can reach (a target out of the output's range) is said to be one.
    """
    steps = whole_steps(steps)
    goal = float(_exact(below, "below"))
    if answer is None:
        return Feedback(UNANSWERED, "replace None with a learning rate such as 0.02.")
    try:
        run = gradient_descent(net, x, y, answer, steps, params)
    except (TypeError, ValueError) as error:
        return Feedback(WRONG, f"{error}.")
    C, eta = run.cost_name, fmt(run.learning_rate)
    start, end = fmt(run.costs[0]), fmt(run.costs[-1])
    if run.costs[-1] < goal:
        return Feedback(RIGHT, f"with learning rate {eta} the cost falls from {start} to {end} "
                               f"< {fmt(goal)} in {_s(run.steps_taken, 'step')}.")
    floor = lowest_cost(net, y)
    if floor >= goal:
        why = (unreachable_target(net, y) or "").removeprefix("Note: the")
        return Feedback(WRONG, f"no learning rate can do it here: the{why} "
                               f"The lowest possible {C} is {fmt(floor)}, not below "
                               f"{fmt(goal)}.")
    advice = {
        "diverged": "it diverged: try a smaller learning rate.",
        "oscillating": "it oscillates, jumping over the bottom: try a smaller learning rate.",
        "stuck": "a step landed where neurons pass no gradient back and descent got stuck: "
                 "try a smaller learning rate, so that no step jumps that far.",
        "unmoved": "the steps are too small to move anything: try a larger learning rate.",
    }.get(run.outcome, "too slow: try a larger learning rate.")
    return Feedback(WRONG, f"with learning rate {eta} the cost only reaches {end} after "
                           f"{_s(run.steps_taken, 'step')}, not below {fmt(goal)}: {advice}")


# --- predicting blocked neurons --------------------------------------------------------------
def check_blocked(answer, net, x) -> Feedback:
    """Which neurons pass (almost) no gradient back at input x? ``answer`` is a list of neuron
    names as ``Blocked.neuron`` writes them ("H1", "H1[0]"), one name, or [] / "none". The
    verdict reads the library's one notion (``ForwardPass.blocked``) and explains with it."""
    fwd = net.forward(x)
    neurons = [n if net.sizes[L + 1] == 1 else f"{n}[{j}]"
               for L, n in enumerate(net.layer_names) for j in range(net.sizes[L + 1])]
    blocked = {b.neuron: b for b in fwd.blocked}
    if answer is None:
        return Feedback(UNANSWERED, "replace None with a list of the blocked neurons, e.g. "
                                    "['H1'], or [] if there is none.")
    named = _neuron_names(answer)
    if named is None:
        return Feedback(WRONG, f"{_short(repr(answer))} is not a list of neuron names; "
                               f"answer with a list such as ['{neurons[0]}'], or [].")
    unknown = [n for n in named if n not in neurons]
    if unknown:
        return Feedback(WRONG, f"{', '.join(map(str, unknown))} is not a neuron of this "
                               f"network; its neurons are {', '.join(neurons)}.")
    if set(named) == set(blocked):
        if not blocked:
            return Feedback(RIGHT, "no neuron is blocked here: every sigma'(z) is large enough "
                                   "to pass gradient back.")
        why = "; ".join(b.sentence() for b in blocked.values())
        return Feedback(RIGHT, f"{why}.")
    wrong = [n for n in named if n not in blocked]
    missed = [n for n in blocked if n not in named]
    parts = []
    for n in wrong:
        L, j = _neuron_position(net, n)
        sigma = net.activations[L]
        z_name = f"z_{n}"
        parts.append(f"{n} passes gradient back: {sigma.formula}'({z_name}) = "
                     f"{fmt(fwd.da_dz[L][j])} at {z_name} = {fmt(fwd.z[L][j])}")
    if missed:
        parts.append(f"{_s(len(missed), 'more neuron')} {'is' if len(missed) == 1 else 'are'} "
                     "blocked: look for a sigma'(z) of 0 or nearly 0")
    return Feedback(WRONG, "; ".join(parts) + ".")


def _neuron_names(answer):
    if isinstance(answer, str):
        text = answer.strip()
        if text.lower() in ("", "none", "[]"):
            return []
        return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()] \
            if "[" not in text or "," not in text.split("[")[0] else None
    if isinstance(answer, (list, tuple, set, frozenset)):
        if all(isinstance(n, str) for n in answer):
            return [n.strip() for n in answer]
    return None


def _neuron_position(net, neuron):
    layer, _, index = neuron.partition("[")
    return net.layer_names.index(layer), int(index.rstrip("]") or 0)


# --- one line of the backward pass -----------------------------------------------------------
def _outer(dC_dz, a_in):
    return np.multiply.outer(dC_dz, a_in) if np.ndim(dC_dz) else dC_dz * a_in


STEPS = {
    # step: (the function's arguments, reference, {hint: slip})
    "dC0/da_Out": ("(a_Out, y)", lambda a, y: 2 * (a - y), {
        "The cost has no 1/2 in front, so the factor 2 stays: 2(a_Out - y).":
            lambda a, y: a - y,
        "Mind the sign: a_Out minus y.": lambda a, y: 2 * (y - a)}),
    "dC0/dz": ("(dC0_da, slope)", lambda d, s: d * s, {
        "Multiply by the slope sigma'(z): that is what da/dz is.": lambda d, s: d}),
    "dC0/dw": ("(dC0_dz, a_in)", _outer, {
        "dz/dw is the input a_in, not 1: that gives dC0/db.": lambda d, a: _outer(d, 1.0)}),
    # np.dot: a product for a chain's plain numbers, a matrix product for arrays
    "dC0/da_prev": ("(W, dC0_dz)", lambda W, d: np.dot(np.transpose(W), d), {
        "dC0/da_k sums over j of w_jk * dC0/dz_j: that runs down column k of W, so use W.T "
        "(the transpose).": lambda W, d: np.dot(W, d)}),
    "delta": ("(W_next, delta_next, slope)", lambda W, d, s: np.dot(np.transpose(W), d) * s, {
        "Use W_next.T, the transpose: the sum runs over the next layer's neurons j.":
            lambda W, d, s: np.dot(W, d) * s,
        "Multiply by this layer's slope sigma'(z) at the end.":
            lambda W, d, s: np.dot(np.transpose(W), d)}),
}


def check_backward_step(function, step: str, net, x, y) -> Feedback:
    """Check a student's function for one step of backpropagation, on cases taken from the
    network (every layer's real values at x, y) plus two made-up ones, so that the function
    must be right in general. ``step`` is one of ``STEPS``; the function takes the arguments
    STEPS[step][0] names, as plain numbers for a chain and numpy arrays otherwise.

        exercises.check_backward_step(lambda a_Out, y: 2 * (a_Out - y), "dC0/da_Out", net, x, y)
    """
    if step not in STEPS:
        raise ValueError(f"step: expected one of {', '.join(STEPS)}, got {step!r}")
    signature, reference, slips = STEPS[step]
    cases = _step_cases(step, net, x, y)
    name = getattr(function, "__name__", "")
    what = name if name and name != "<lambda>" else "your function"
    hint = f"it computes {step} from {signature}."
    return check_function(function, reference, cases, what, hint, mistakes=slips)


def _step_cases(step, net, x, y):
    g = net.backward(x, y)
    fwd = g.forward
    chain = net.is_chain

    def plain(v):
        v = np.asarray(v, dtype=float)
        return float(v.reshape(-1)[0]) if chain and v.size == 1 else v

    rng = np.random.default_rng(0)
    n = 1 if chain else 3
    made_up = [tuple(plain(v) for v in values) for values in (
        (rng.normal(size=(n, n)), rng.normal(size=n), rng.uniform(0.1, 1, size=n)),
        (rng.normal(size=(n, n)), rng.normal(size=n), rng.uniform(0.1, 1, size=n)))]
    last = len(net.layer_names) - 1
    inputs = [fwd.x] + [fwd.a[L] for L in range(last + 1)]
    if step == "dC0/da_Out":
        return [(plain(fwd.a[last]), plain(net.target(y))), (plain(1.5), plain(-0.5)),
                (plain(-2.0), plain(3.0))]
    if step == "dC0/dz":
        return [(plain(g.da[L]), plain(g.da_dz[L])) for L in range(last + 1)] + [
            (c[1], c[2]) for c in made_up]
    if step == "dC0/dw":
        return [(plain(g.dz[L]), plain(inputs[L])) for L in range(last + 1)] + [
            (c[1], c[2]) for c in made_up]
    if step == "dC0/da_prev":
        return [(plain(net.weights[L]), plain(g.dz[L])) for L in range(1, last + 1)] + [
            (c[0], c[1]) for c in made_up]
    return [(plain(net.weights[L + 1]), plain(g.dz[L + 1]), plain(g.da_dz[L]))
            for L in range(last)] + made_up


# --- a student's function --------------------------------------------------------------------
class _TimeUp(BaseException):
    """Raised inside a student's function when its time is up (not an Exception, so a bare
    ``except Exception`` in the student's code does not swallow it)."""


def check_function(function, reference, cases, what: str, hint: str = "",
                   mistakes: dict | None = None, rel_tol: float = 1e-6, abs_tol: float = 1e-9,
                   time_limit: float = FUNCTION_TIME_LIMIT) -> Feedback:
    """Call the student's ``function`` on each case (a tuple of arguments) and compare with
    ``reference`` on the same case.

    The reference runs first, on its own deep copy of the arguments; the student's function
    gets another deep copy, so an in-place edit can neither fool the check nor change the
    notebook's arrays. The student's calls get ``time_limit`` seconds in all. Whatever the
    function does (raise anything, call sys.exit(), loop forever, return text, NaN, 10**400 or
    the wrong shape) comes back as feedback. ``mistakes`` maps a hint to a function giving a
    typical slip's result, e.g. {"Don't forget the factor 2.": lambda a, y: a - y}.
    """
    _check_author_text(what, "what")
    _check_author_text(hint, "hint")
    if not callable(reference):
        raise TypeError(f"reference: expected a function, got {type(reference).__name__}")
    if not isinstance(cases, (list, tuple)) or not cases:
        raise ValueError("cases: expected a non-empty list of argument tuples, got "
                         f"{_short(repr(cases))}")
    if not all(isinstance(c, tuple) for c in cases):
        raise TypeError("cases: expected each case as a tuple of arguments, e.g. [(2.05,), "
                        "(-1.5,)]")
    if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real) or not (
            0 < time_limit < math.inf):
        raise ValueError(f"time_limit: expected a positive number of seconds, got {time_limit!r}")
    slips = dict(mistakes or {})
    if not all(isinstance(h, str) and callable(f) for h, f in slips.items()):
        raise TypeError("mistakes: expected a dict {hint: function giving that slip's result}")
    tolerance = _tolerance(rel_tol, abs_tol)
    if function is None:
        return Feedback(UNANSWERED, f"write {what} and pass it in place of None.")
    if not callable(function):
        return Feedback(WRONG, f"expected a function for {what}, got {type(function).__name__}.")
    deadline = time.monotonic() + float(time_limit)
    for args in cases:
        want = _reference_result(reference, args)
        shown = f"{what}({', '.join(_show_argument(a) for a in args)})"
        outcome = _run_limited(function, copy.deepcopy(args), deadline, time_limit)
        if isinstance(outcome, Feedback):
            return Feedback(outcome.status, f"{shown} {outcome.message}")
        verdict = _judge(outcome, want, shown, tolerance)
        if verdict is None:
            continue
        for slip_hint, slip in slips.items():
            slip_value = _reference_result(slip, args)
            if _judge(outcome, slip_value, shown, tolerance) is None:
                return Feedback(WRONG, f"{verdict.message} {slip_hint}")
        tail = f" Hint: {hint}" if hint else ""
        return Feedback(verdict.status, verdict.message + tail)
    inputs = "the test input" if len(cases) == 1 else f"all {len(cases)} test inputs"
    return Feedback(RIGHT, f"{what} gives the right value on {inputs}.")


def _reference_result(reference, args):
    """The reference's result on its own copy of ``args``, as a float array (author code: an
    error here is the author's and is raised)."""
    result = reference(*copy.deepcopy(args))
    if isinstance(result, (bool, np.bool_)):
        return result
    try:
        return np.asarray(result, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"reference: expected a function returning a number or an array of "
                        f"numbers, got {_short(repr(result))} for the case {args!r}") from None


def _run_limited(function, args, deadline, time_limit):
    """The student's result converted to numbers (or a Feedback saying what went wrong).

    Why a thread plus a trace function, not signal.alarm: a signal only reaches the main
    thread, needs Unix, and clashes with pytest's and ipykernel's own handlers; a Jupyter
    kernel may run cells outside the main thread (e.g. under a debugger). The student's code
    runs in a worker thread whose trace function raises _TimeUp on the first line executed
    after the deadline, which stops any loop written in Python. If the function catches that
    and goes on, the exception is sent again from outside (PyThreadState_SetAsyncExc). A
    subprocess could stop anything, but a notebook's lambdas cannot be sent to one and a
    forked kernel shares its output sockets. What no in-process limit can stop is one long C
    call that holds the GIL (e.g. 10**10**9): that waits until it finishes.
    """
    box = {}

    def tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise _TimeUp
        return tracer

    def target():
        sys.settrace(tracer)
        try:
            box["result"] = _as_numbers(function(*args))
        except BaseException as error:  # noqa: BLE001 (anything the student's code raises)
            box["error"] = error
        finally:
            sys.settrace(None)

    worker = threading.Thread(target=target, name="bp-student-function", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()) + 0.05)
    for _ in range(20):  # the function caught _TimeUp: send it again, from outside
        if not worker.is_alive():
            break
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident),
                                                   ctypes.py_object(_TimeUp))
        worker.join(0.05)
    limit = f"{fmt(time_limit)} s"
    if worker.is_alive():
        return Feedback(WRONG, f"did not finish within the time limit ({limit}) and could not "
                               "be stopped; it goes on in the background (restart the kernel "
                               "if the notebook gets slow). Look for an endless loop or a "
                               "huge computation.")
    if "error" in box:
        return _error_feedback(box["error"])
    return box["result"]


def _error_feedback(error) -> Feedback:
    if isinstance(error, _TimeUp):
        return Feedback(WRONG, "did not finish within the time limit: look for a loop that "
                               "never ends (a while loop whose condition stays true) or a "
                               "huge computation.")
    if isinstance(error, SystemExit):
        return Feedback(WRONG, "called exit() or sys.exit(): a function for this exercise "
                               "should return its value, not stop Python.")
    try:
        text = _short(str(error))
    except Exception:  # noqa: BLE001 (a student's exception whose str() fails)
        text = "(its message cannot be shown)"
    return Feedback(WRONG, f"raised {type(error).__name__}{': ' + text if text else ''}.")


def _as_numbers(result):
    """The student's result as a float array (or a marker saying what it is instead)."""
    if result is None:
        return _NoNumbers(UNANSWERED, "returned None: finish it with a return statement.")
    if isinstance(result, (bool, np.bool_)):
        return result
    if isinstance(result, (str, bytes)):
        return _NoNumbers(WRONG, f"returned the text {_short(repr(result))}, not a number.")
    try:
        array = np.asarray(result, dtype=float)
    except OverflowError:
        return _NoNumbers(WRONG, "returned a number too large for floating point (more than "
                                 "about 1.8e308).")
    except (TypeError, ValueError):
        return _NoNumbers(WRONG, f"returned {_short(repr(result))}, which is not a number or "
                                 "an array of numbers.")
    return array


@dataclass(frozen=True)
class _NoNumbers:
    status: str
    message: str


def _judge(got, want, shown, tolerance):
    """None if ``got`` matches ``want``, else a Feedback saying how it differs."""
    if isinstance(got, _NoNumbers):
        return Feedback(got.status, f"{shown} {got.message}")
    if isinstance(want, (bool, np.bool_)):
        if isinstance(got, (bool, np.bool_)) and bool(got) == bool(want):
            return None
        return Feedback(WRONG, f"{shown} gave {_short(repr(got))}, which is not right.")
    if isinstance(got, (bool, np.bool_)):
        return Feedback(WRONG, f"{shown} returned {got}, a boolean, not a number.")
    if got.shape != want.shape and not (got.size == want.size == 1):
        return Feedback(WRONG, f"{shown} returned {_shape_text(got)}, but the answer is "
                               f"{_shape_text(want)}.")
    got, want = got.reshape(want.shape), want
    if not np.isfinite(got).all() and np.isfinite(want).all():
        bad = got[~np.isfinite(got)].reshape(-1)[0]
        return Feedback(WRONG, f"{shown} returned {bad}, not a finite number (look for a "
                               "division by 0 or a number that grows too large).")
    same = np.allclose(got, want, rtol=float(tolerance.rel), atol=float(tolerance.abs),
                       equal_nan=True)
    if same:
        return None
    shown_got = fmt(got.item()) if got.ndim == 0 else _show_array(got)
    return Feedback(WRONG, f"{shown} gave {shown_got}, which is not right.")


def _shape_text(array) -> str:
    if array.ndim == 0 or array.size == 1:
        return "one number"
    return f"an array of shape {array.shape}"


def _show_argument(value) -> str:
    if callable(value):
        return getattr(value, "__name__", repr(value))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return fmt(value)
    if isinstance(value, np.ndarray):
        return _show_array(value)
    return _short(repr(value))


def _show_array(array) -> str:
    """A short form of a test case's array: 4 significant digits, at most 12 numbers."""
    array = np.asarray(array)
    if array.size > 12:
        return f"an array of shape {array.shape}"
    if array.ndim == 0:
        return f"{float(array):.4g}"
    return "[" + ", ".join(_show_array(row) for row in array) + "]"


# notebook 12's checks (softmax and cross-entropy), defined in exercises/classification.py
from .classification import check_output_delta as check_output_delta  # noqa: E402
from .classification import check_slow_start as check_slow_start  # noqa: E402
from .classification import check_softmax as check_softmax  # noqa: E402
from .classification import check_softmax_shift as check_softmax_shift  # noqa: E402
