"""Typed answers: what a student typed, read as a number with the significant digits typed,
and the ``Feedback`` on a number, an array of numbers or a choice."""

from __future__ import annotations

import decimal
import html
import math
import numbers
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..numbers import MAX_EXPONENT, MAX_TEXT, Reading, fmt, plural, read_number

RIGHT, WRONG, UNANSWERED = "Right", "Not yet", "Not answered yet"
MIN_DIGITS = 3  # a rounded answer needs this many significant digits to count as right
FLOAT_DIGITS = 12  # a float with more digits than this is float noise, shown as fmt prints it


class NotANumber(Exception):
    """The answer is not one real number; the message says what it is instead."""


@dataclass(frozen=True)
class Typed(Reading):
    """A number as the student typed it (``numbers.Reading``), and its text as shown back."""

    text: str = ""


def read_text(text: str, shown: str | None = None) -> Typed:
    """Text as one number with the digits typed (``numbers.read_number``), refused in words."""
    shown = short(shown or text.strip())  # as typed, underscores too
    text = text.strip().replace("_", "")
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise NotANumber(f"{shown} is not a finite number")
    if re.match(r"^[+-]?\d+,\d+$", text):
        raise NotANumber(f"{shown!r} has a comma: write the decimal point as '.'")
    if re.match(r"^[+-]?\d+\s*/\s*[+-]?0+$", text):
        raise NotANumber(f"{shown} divides by 0")
    exponent = re.search(r"[eE]([+-]?\d+)$", text)
    if exponent and abs(int(exponent[1])) > MAX_EXPONENT:
        raise NotANumber(f"{shown} is beyond what this check compares "
                         f"(numbers between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT})")
    try:
        reading = read_number(text, "your answer")
    except ValueError:
        if len(text) > MAX_TEXT:
            raise NotANumber(f"a number of {len(text)} characters is more than this check "
                             "reads") from None
        raise NotANumber(f"the text {shown!r} is not a number such as 0.5, -2 or "
                         "1/3") from None
    return Typed(reading.value, reading.digits, reading.unit, shown)


def read_answer(answer) -> Typed:
    """The answer as one number, or NotANumber saying why it is not one."""
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if isinstance(answer, (bool, np.bool_)):
        raise NotANumber(f"{answer} is a boolean (True/False), not a number")
    if isinstance(answer, str):
        return read_text(answer)
    if isinstance(answer, Fraction) and answer.denominator != 1:  # shown as fmt prints it
        readable = Fraction(1, 10**300) < abs(answer) < 10**300
        return Typed(answer, None, None, short(fmt(answer)) if readable else short(str(answer)))
    if isinstance(answer, numbers.Integral) and int(answer).bit_length() > 3 * MAX_EXPONENT:
        raise NotANumber(f"an integer of about {int(int(answer).bit_length() * 0.30103)} digits "
                         "is more than this check compares")
    if isinstance(answer, (Fraction, numbers.Integral, decimal.Decimal)):
        return read_text(str(answer))
    if isinstance(answer, numbers.Real):  # numpy's floats: the shortest repr in their precision
        try:
            text = str(answer) if isinstance(answer, np.floating) else repr(float(answer))
            typed = read_text(text)
            if (typed.digits or 0) > FLOAT_DIGITS:  # float noise: shown as the notebooks print it
                return read_text(text, fmt(float(answer)))
            return typed
        except OverflowError:
            raise NotANumber(f"{short(repr(answer))} is too large for floating point") from None
    if isinstance(answer, (numbers.Complex, np.complexfloating)):
        raise NotANumber(f"{answer} is a complex number; give a real number")
    if isinstance(answer, (list, tuple, np.ndarray)):
        entries = answer if isinstance(answer, (list, tuple)) else answer.reshape(-1)
        if len(entries) == 1:
            return read_answer(entries[0])
        try:
            shape = shape_words(np.shape(answer))
        except ValueError:
            shape = "rows of different lengths"
        raise NotANumber(f"that is a {type(answer).__name__} of {shape}, but the answer is one "
                         "number")
    if callable(answer):
        raise NotANumber("that is a function, not a number: put the number it returns in place "
                         "of None")
    raise NotANumber(f"{shown(answer)} is not a number")


def short(text: str) -> str:
    """What a student typed, cut to 40 characters for a message (``numbers.short`` cuts numbers)."""
    text = str(text)
    return text if len(text) <= 40 else f"{text[:24]}...{text[-8:]}"


def author_number(value, what: str) -> Fraction:
    """An author's expected value as a Fraction; TypeError/ValueError naming ``what``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if value is None:
        raise ValueError(f"{what}: expected the right value (a number), got None")
    if isinstance(value, (bool, np.bool_)):
        return Fraction(int(value))
    if isinstance(value, numbers.Rational):  # numpy's integers as Python ints, not fixed width
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{what}: expected a finite number, got {number}")
        return Fraction(number)
    if isinstance(value, str):
        raise TypeError(f"{what}: expected a number, got the text {value!r}")
    raise TypeError(f"{what}: expected a number, got {type(value).__name__} {short(repr(value))}")


def significant_digits(value) -> int | None:
    """The significant digits the answer needs (7.16442025: 9; 1/3: None), float noise not
    counted: -1.5999999999999996 is read to ``FLOAT_DIGITS`` digits, -1.6, and needs 2."""
    text = f"{float(value):.{FLOAT_DIGITS}g}"
    digits = read_text(text).digits or 1
    return None if digits >= FLOAT_DIGITS else digits


def shown(answer) -> str:
    """A student's answer as feedback shows it: text, numbers (floats as fmt prints them, no
    float noise), lists of them; else its kind."""
    if isinstance(answer, (float, Fraction, np.floating)):
        return short(fmt(answer))
    if isinstance(answer, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in answer):
        return short(f"[{', '.join(map(shown, answer))}]")
    if isinstance(answer, (str, int)):
        return short(repr(answer))
    if callable(answer):
        return "a function"
    name = type(answer).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; prints as text and renders as a coloured box in a notebook."""

    status: str  # RIGHT, WRONG or UNANSWERED
    message: str

    def __bool__(self):
        return self.status == RIGHT

    def __str__(self):
        return f"{self.status}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self):
        colour, mark = {RIGHT: ("#1b7f3b", "&#10004;"), WRONG: ("#b3261e", "&#10008;"),
                        UNANSWERED: ("#6b6b6b", "&#8230;")}[self.status]
        return (f'<div class="bp-feedback" style="border-left: 4px solid {colour}; '
                f'padding: 4px 8px; color: {colour}">{mark} <b>{self.status}</b>: '
                f"{html.escape(self.message)}</div>")


# --- comparing -------------------------------------------------------------------------------
REL_TOL, ABS_TOL = Fraction(1e-6), Fraction(1e-9)  # this close to the value is the value


def close(a, b) -> bool:
    """The one matching rule: a and b (numbers, or arrays of one shape, compared entry by entry,
    NaN matching NaN) within REL_TOL of the larger or within ABS_TOL."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        with np.errstate(invalid="ignore"):
            near = np.abs(a - b) <= np.maximum(float(REL_TOL) * np.maximum(abs(a), abs(b)),
                                               float(ABS_TOL))
        return a.shape == b.shape and bool((near | (a == b) | np.isnan(a) & np.isnan(b)).all())
    return abs(a - b) <= max(REL_TOL * max(abs(a), abs(b)), ABS_TOL)


def ties(slips) -> list:
    """[(hint, value)] of ``slips`` with the hints of the slips that give one value here joined:
    these numbers cannot tell those slips apart, so the feedback names each of them."""
    groups = []
    for hint, value in slips:
        twin = next((g for g in groups if np.shape(g[1]) == np.shape(value) and close(g[1], value)),
                    None)
        if twin:
            twin[0].append(hint)
        else:
            groups.append([[hint], value])
    return [(hints[0] if len(hints) == 1 else f"This value fits {len(hints)} slips here: "
             + " ".join(f"({i}) {hint}" for i, hint in enumerate(hints, 1)), value)
            for hints, value in groups]


def rounds_to(typed: Typed, target: Fraction) -> bool:
    """True if ``target`` rounded to the digits of a typed decimal gives the typed number (either
    way on a tie, so a float a hair below 3.51025 still rounds to 3.5103)."""
    return abs(typed.value - target) <= typed.unit / 2 * (1 + Fraction(1, 10**9))


def digits_of(typed: Typed, target: Fraction) -> int | None:
    """How many significant digits of ``target`` the typed number's last digit reaches: "1"
    for 0.5 reaches none (0), "7.2" for 7.164 reaches 2. None for an exact Fraction."""
    if typed.unit is None:
        return None
    if target == 0:
        return typed.digits
    return _exponent(Fraction(target)) - _exponent(typed.unit) + 1


def _exponent(value: Fraction) -> int:
    """floor(log10(|value|)), exactly (no float underflow at 1e-400)."""
    value = abs(value)
    guess = len(str(value.numerator)) - len(str(value.denominator))
    return guess if value >= Fraction(10) ** guess else guess - 1


def verdict(typed: Typed, target: Fraction, what: str, shown_expected: str, hint: str,
            mistakes: list) -> Feedback:
    """Right (the value, or it rounded to at least ``MIN_DIGITS`` typed digits, or all of a
    shorter answer's), a named slip (its value, or it rounded, unless the typed digits round
    the right value too), close (rounded to fewer digits, when the answer has more than
    ``MIN_DIGITS``), or wrong with the hint. -1.6 is typed whole: -1.55 is not close."""
    shortest = significant_digits(target)  # None: more than FLOAT_DIGITS
    need = MIN_DIGITS if shortest is None else min(MIN_DIGITS, shortest)
    digits = digits_of(typed, target)
    rounded = digits is not None and digits >= 1 and rounds_to(typed, target)
    if close(typed.value, target):
        return Feedback(RIGHT, f"{what} = {shown_expected}.")
    if rounded and digits >= need:
        return Feedback(RIGHT, f"{typed.text} is {what} = {shown_expected} rounded to "
                               f"{plural(digits, 'significant digit')}.")
    for slip_hint, slip_value in mistakes:
        if close(target, slip_value):
            continue  # this slip gives the right value here: nothing to tell apart
        if close(typed.value, slip_value) or (
                (typed.digits or 0) >= 2 and not rounded and rounds_to(typed, slip_value)):
            return Feedback(WRONG, f"{typed.text} is not {what}. {slip_hint}")
    if rounded and shortest != need:
        return Feedback(WRONG, f"close: give more digits. {typed.text} is {what} rounded to "
                               f"only {plural(digits, 'significant digit')}; give at "
                               f"least {need}.")
    tail = f" Hint: {hint}" if hint else ""
    return Feedback(WRONG, f"{typed.text} is not {what}.{tail}")


def author_text(value, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected text, got {type(value).__name__} {value!r}")
    return value


def mistake_list(mistakes, shape) -> list:
    """[(hint, value as Fractions in the expected shape)] from an author's {hint: value}."""
    if mistakes is None:
        return []
    if not isinstance(mistakes, dict):
        raise TypeError(f"mistakes: expected a dict {{hint: the value that slip gives}}, got "
                        f"{type(mistakes).__name__}")
    found = []
    for hint, value in mistakes.items():
        author_text(hint, "mistakes (each key is a hint)")
        values = author_array(value, f"mistakes[{hint[:30]!r}...]")
        if values.shape == shape:
            found.append((hint, values))
    return ties(found)


def author_array(value, what: str) -> np.ndarray:
    """An author's value (a number or an array of numbers) as an object array of Fractions."""
    try:
        array = np.array(value, dtype=object)
    except ValueError:
        raise ValueError(f"{what}: rows of different lengths in {short(repr(value))}") from None
    flat = [author_number(v, what) for v in array.reshape(-1)]
    if not flat:
        raise ValueError(f"{what}: expected a number, got an empty {type(value).__name__}")
    return np.array(flat + [None], dtype=object)[:-1].reshape(array.shape)


def answer_array(answer, shape) -> list:
    """The answer as a flat list of Typed in ``shape``, or NotANumber."""
    if isinstance(answer, (str, numbers.Number)) or np.ndim(answer) == 0:
        raise NotANumber(f"that is one number, but the answer has {shape_words(shape)}")
    try:
        array = np.array(answer, dtype=object)
    except ValueError:
        raise NotANumber("its rows have different lengths") from None
    if array.shape != shape:
        raise NotANumber(f"that has shape {array.shape}, but the answer has "
                          f"{shape_words(shape)}")
    return [read_answer(v) for v in array.reshape(-1)]


def shape_words(shape) -> str:
    return f"{shape[0]} numbers" if len(shape) == 1 else f"shape {shape}"


# --- the checkers ----------------------------------------------------------------------------
def check_value(answer, expected, what: str, hint: str = "", mistakes: dict | None = None,
                note: str = "") -> Feedback:
    """Compare a number (or an array of numbers) with ``expected``. ``mistakes`` maps a hint to
    the value a typical slip gives ({"Check the factor 2.": expected / 2}); ``note`` is added to
    every verdict (e.g. a target the network cannot reach)."""
    for text, name in ((what, "what"), (hint, "hint"), (note, "note")):
        author_text(text, name)
    target = author_array(expected, "expected")
    slips = mistake_list(mistakes, target.shape)
    feedback = compare(answer, target, fmt(expected), what, hint, slips)
    if note and feedback.status != UNANSWERED:
        feedback = Feedback(feedback.status, f"{feedback.message} {note}")
    return feedback


def compare(answer, target, shown, what, hint, slips) -> Feedback:
    if answer is None:
        return Feedback(UNANSWERED, f"replace None with your value for {what}.")
    if target.ndim == 0:
        try:
            typed = read_answer(answer)
        except NotANumber as why:
            return Feedback(WRONG, f"{why}. Give {what} as a single number.")
        return verdict(typed, target.item(), what, shown, hint,
                        [(h, v.item()) for h, v in slips])
    try:
        typed = answer_array(answer, target.shape)
    except NotANumber as why:
        return Feedback(WRONG, f"{why}. Give {what} as {shape_words(target.shape)}.")
    verdicts = [verdict(t, e, what, "", "", [])
                for t, e in zip(typed, target.reshape(-1))]
    if all(verdicts):
        return Feedback(RIGHT, f"{what} = {shown}.")
    for slip_hint, slip in slips:
        if all(close(t.value, s) for t, s in zip(typed, slip.reshape(-1))):
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
    """A multiple-choice or predict-then-reveal question: ``options`` {key: what it says},
    ``correct`` the right key, ``explanations`` {key: why}: the right one's shown when right, a
    wrong one's when chosen. The answer may be a key (any case, "1" for 1) or an option's text."""
    author_text(what, "what")
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
    text = str(answer).strip().lower().rstrip(").")
    matches = [k for k in options if answer == k and type(answer) is not bool] + [
        k for k, says in options.items()
        if text in {str(k).strip().lower(), str(says).strip().lower(), f"{k}: {says}".lower(),
                    f"{k}) {says}".lower()}]  # a key, its words, or both ("c: both stay the same")
    if not matches:
        return Feedback(WRONG, f"{shown(answer)} is not one of the options; answer "
                               f"with one of {keys}.")
    key = matches[0]
    why = explanations.get(key, "")
    if re.match(r"(?:a|[a-z]{2,})\b(?![(^_/])", why):  # a sentence starts with a capital; a
        why = why[0].upper() + why[1:]  # name (a_Out, softmax(z), dC0/dw) keeps its own case
    if key == correct:
        return Feedback(RIGHT, f"{key}: {options[key]}. {why}".strip())
    return Feedback(WRONG, f"{key} ({options[key]}) is not it. {why}".strip())


__all__ = ["MIN_DIGITS", "RIGHT", "UNANSWERED", "WRONG", "Feedback", "check_choice", "check_value"]
