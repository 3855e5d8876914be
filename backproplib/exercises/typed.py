"""What a student typed, read as one number together with how precisely it was typed.

Turns an answer (text such as "7.1644" or "1/2", an int, a float, a Fraction, a Decimal, a
one-element array) into a ``Typed`` number, keeping the significant digits the student typed.
Text is read by the library's one parser, ``numbers.read_number``; this module only words its
refusals for a student.
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..numbers import MAX_EXPONENT, fmt, read_number

MAX_TEXT = 2100  # characters of a typed number
FLOAT_DIGITS = 12  # a float with more digits than this is float noise, shown as fmt prints it


class NotANumber(Exception):
    """The answer is not one real number; the message says what it is instead."""


@dataclass(frozen=True)
class Typed:
    """One typed number: its value as the student meant it, and how precisely it was typed."""

    value: Fraction
    text: str  # as shown back to the student
    digits: int | None  # significant digits typed; None for an exact Fraction
    unit: Fraction | None  # place value of the last typed digit (half of it is the rounding)




def read_text(text: str, shown: str | None = None) -> Typed:
    """Text as one number with the digits typed, read by the library's one parser
    (``numbers.read_number``); the messages speak to a student."""
    text = text.strip().replace("_", "")
    shown = short(shown or text)
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise NotANumber(f"{shown} is not a finite number")
    if re.match(r"^[+-]?\d+,\d+$", text):
        raise NotANumber(f"{shown!r} has a comma: write the decimal point as '.'")
    if re.match(r"^[+-]?\d+\s*/\s*[+-]?0+$", text):
        raise NotANumber(f"{shown} divides by 0")
    exponent = re.search(r"[eE]([+-]?\d+)$", text)
    if exponent and abs(int(exponent[1])) > MAX_EXPONENT:
        raise NotANumber(f"{short(shown)} is beyond what this check compares "
                         f"(numbers between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT})")
    try:
        reading = read_number(text, "your answer")
    except ValueError:
        if len(text) > MAX_TEXT:
            raise NotANumber(f"a number of {len(text)} characters is more than this check "
                             "reads") from None
        raise NotANumber(f"the text {short(shown)!r} is not a number such as 0.5, -2 or "
                         "1/3") from None
    return Typed(reading.value, shown, reading.digits, reading.unit)


def read_answer(answer) -> Typed:
    """The answer as one number, or NotANumber saying why it is not one."""
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if isinstance(answer, (bool, np.bool_)):
        raise NotANumber(f"{answer} is a boolean (True/False), not a number")
    if isinstance(answer, str):
        return read_text(answer)
    if isinstance(answer, Fraction) and answer.denominator != 1:
        return Typed(answer, str(answer), None, None)
    if isinstance(answer, numbers.Integral) and int(answer).bit_length() > 3 * MAX_EXPONENT:
        raise NotANumber(f"an integer of about {int(int(answer).bit_length() * 0.30103)} digits "
                         "is more than this check compares")
    if isinstance(answer, (Fraction, numbers.Integral, decimal.Decimal, np.floating)):
        return read_text(str(answer))  # numpy's floats: the shortest repr in their precision
    if isinstance(answer, numbers.Real):
        try:
            text = repr(float(answer))
            typed = read_text(text)
            # a computed float (17 digits of float noise) is shown as the notebooks print it
            return typed if (typed.digits or 0) <= 12 else read_text(text, fmt(float(answer)))
        except OverflowError:
            raise NotANumber(f"{short(repr(answer))} is too large for floating point") from None
    if isinstance(answer, (numbers.Complex, np.complexfloating)):
        raise NotANumber(f"{answer} is a complex number; give a real number")
    if isinstance(answer, (list, tuple, np.ndarray)):
        size = np.size(answer) if not isinstance(answer, (list, tuple)) else len(answer)
        if size == 1:
            return read_answer(answer[0] if isinstance(answer, (list, tuple))
                          else np.asarray(answer).reshape(-1)[0])
        raise NotANumber(f"that is {describe_shape(answer)}, but the answer is one number")
    if callable(answer):
        raise NotANumber("that is a function, not a number: put the number it returns in place "
                         "of None")
    name = type(answer).__name__
    raise NotANumber(f"{'an' if name[0] in 'aeiou' else 'a'} {name} is not a number")


def describe_shape(value) -> str:
    try:
        shape = np.shape(value)
    except ValueError:
        return f"a {type(value).__name__} of rows of different lengths"
    if len(shape) == 1:
        return f"a {type(value).__name__} of {shape[0]} numbers"
    return f"a {type(value).__name__} of shape {shape}"


def short(text: str) -> str:
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
    """How many significant digits the answer needs (7.16442025: 9), or None when it has more
    than ``FLOAT_DIGITS`` (1/3). A float's noise is not counted: 2 * (1.2 - 2) =
    -1.5999999999999996 is read to ``FLOAT_DIGITS`` digits, -1.6, and needs 2."""
    text = f"{float(value):.{FLOAT_DIGITS}g}"
    digits = read_text(text).digits or 1
    return None if digits >= FLOAT_DIGITS else digits


def shown(answer) -> str:
    """A student's answer as feedback shows it: text, numbers, lists of them; else its kind."""
    if isinstance(answer, (str, int, float, Fraction)) or (
            isinstance(answer, (list, tuple)) and all(isinstance(v, (str, int, float))
                                                      for v in answer)):
        return short(repr(answer))
    if callable(answer):
        return "a function"
    name = type(answer).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
