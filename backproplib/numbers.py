"""Turning what a student types into numbers, and numbers back into text.

Two number systems run through the library:

- float mode: numpy float64 arrays, fast, what plots and surfaces use;
- exact mode: numpy object arrays of ``fractions.Fraction``, so the worked example's
  gradients come out as exactly 0.01755125 with no rounding at all.

In exact mode a float such as ``0.1`` is taken as the decimal it prints as (1/10), not as the
binary number closest to it, because that is what a student means by 0.1.
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
from fractions import Fraction

import numpy as np

MAX_TEXT = 200  # characters of a number given as text
MAX_EXACT_DIGITS = 100  # digits of an exact number's numerator and of its denominator
MAX_EXPONENT = 1000  # text such as "1e5000" is refused before any arithmetic
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$")


def to_scalar(value, exact: bool, what: str):
    """One number as a Fraction (exact) or float; ``what`` names it in error messages.

    Accepts ints, floats (numpy's too), Fractions, Decimals and text such as "0.1" or "1/3".
    Exact numbers are limited to ``MAX_EXACT_DIGITS`` digits above and below the fraction bar,
    so that no input can make exact arithmetic run for minutes.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what}: expected a number, got the boolean {value!r}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, str):
        return _from_text(value, exact, what)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{what}: expected a finite number, got {value}")
        value = _from_text(str(value), True, what)
    if isinstance(value, numbers.Rational):
        if not exact:
            return _float(value, what, value)
        # numpy's integers keep their fixed width inside a Fraction: make them Python ints
        return _limited(Fraction(int(value.numerator), int(value.denominator)), what)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{what}: expected a finite number, got {number}")
        return Fraction(repr(number)) if exact else number
    raise TypeError(f"{what}: expected a number, got {type(value).__name__} {_short(value)}")


def _from_text(text, exact, what):
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"{what}: expected a number of at most {MAX_TEXT} characters, got "
                         f"{_short(text)}")
    decimal_form = _DECIMAL.match(text)
    if decimal_form and decimal_form.group(2) and abs(int(decimal_form.group(2))) > MAX_EXPONENT:
        raise ValueError(f"{what}: expected a number between about 1e-300 and 1e300, got "
                         f"{_short(text)}")
    try:
        number = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(
            f"{what}: expected a number such as 0.1, -2 or 1/3, got the text {_short(text)}"
        ) from None
    return _limited(number, what) if exact else _float(number, what, text)


def _limited(number: Fraction, what) -> Fraction:
    """``number`` itself, if exact arithmetic with it stays quick."""
    limit = 10 ** MAX_EXACT_DIGITS
    if abs(number.numerator) >= limit or number.denominator >= limit:
        raise ValueError(
            f"{what}: exact numbers may have at most {MAX_EXACT_DIGITS} digits above and below "
            f"the fraction bar, got {_short(number)}; use exact=False for floating point")
    return number


def _float(number, what, given):
    try:
        value = float(number)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(
            f"{what}: expected a number that fits in floating point (at most about 1.8e308), "
            f"got {_short(given)}"
        ) from None
    return value


def _short(value) -> str:
    """A short, safe text of ``value`` for an error message (no 5000-digit numbers)."""
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        size = max(abs(Fraction(value).numerator), Fraction(value).denominator)
        if size.bit_length() > 300:
            return f"a number of about {int(size.bit_length() * 0.30103)} digits"
    text = repr(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 30 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"


def to_array(values, exact: bool, what: str, ndim: int) -> np.ndarray:
    """A vector (ndim=1) or matrix (ndim=2) of numbers in the chosen number system.

    A single number is accepted where a 1-vector or a 1x1 matrix is meant.
    """
    if (not exact and isinstance(values, np.ndarray) and values.dtype.kind in "fiu"
            and values.ndim == ndim and values.size):  # numbers already: check them at once
        array = values.astype(float)
        if not np.isfinite(array).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise ValueError(f"{what} {list(bad)}: expected a finite number, got "
                             f"{array[bad]}")
        return array
    try:
        single = isinstance(values, str) or np.ndim(values) == 0
        raw = None if single else np.array(values, dtype=object)
    except ValueError:  # np.ndim of ragged rows raises before np.array could
        raise ValueError(f"{what}: rows of different lengths in {values!r}") from None
    if single:
        number = to_scalar(values, exact, what)
        return np.full((1,) * ndim, number, dtype=object if exact else float)
    if raw.ndim != ndim:
        expected = "a list of numbers" if ndim == 1 else "a matrix (a list of rows)"
        raise ValueError(f"{what}: expected {expected}, got an array of shape {raw.shape}")
    if raw.size == 0:
        raise ValueError(f"{what}: expected at least one number, got an empty array")
    flat = [to_scalar(v, exact, f"{what} {_position(raw.shape, i)}")
            for i, v in enumerate(raw.flat)]
    dtype = object if exact else float
    return np.array(flat, dtype=dtype).reshape(raw.shape)


def _position(shape, flat_index):
    index = np.unravel_index(flat_index, shape)
    return "[" + ",".join(str(int(i)) for i in index) + "]"


def is_exact_input(value) -> bool:
    """True if ``value`` (possibly nested) holds a Fraction or a string: a wish for exactness."""
    if isinstance(value, (Fraction, str)):
        return True
    if isinstance(value, np.ndarray):
        return any(is_exact_input(v) for v in value.flat)
    if isinstance(value, (list, tuple)):  # not np.asarray: layers of different shapes
        return any(is_exact_input(v) for v in value)
    return False


def fmt(value) -> str:
    """A number as a student reads it: 0.5, 7.16442025, -0.0351025, never 5e-01 or -0.0.

    Fractions that end in a finite decimal print exactly; others, and floats, print with ten
    significant digits, which hides float noise such as 3.5102500000000003.
    """
    if isinstance(value, (np.ndarray,)) and value.ndim == 0:
        value = value.item()
    if isinstance(value, Fraction) and _terminates(value):
        return _exact_decimal(value)
    number = float(value)
    if number == 0:
        return "0"
    text = f"{number:.10g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        if -7 <= int(exponent) < 0:
            text = f"{number:.{9 - int(exponent)}f}".rstrip("0")
    return text


def _terminates(q: Fraction) -> bool:
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _exact_decimal(q: Fraction) -> str:
    digits = 0
    while (q * 10**digits).denominator != 1:
        digits += 1
    scaled = abs(q.numerator * 10**digits // q.denominator)
    sign = "-" if q < 0 else ""
    if digits == 0:
        return f"{sign}{scaled}"
    whole, frac = divmod(scaled, 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


# --- validators of step sizes and counts (added by the plotslearning branch for descent and
# training; core: merge into the one validator block) ------------------------------------
def positive_number(value, what: str, exact: bool = False):
    """A learning rate or another step size: a number > 0 (float, or Fraction if ``exact``),
    given as any real number type or text such as "0.1" or "1/100"."""
    try:
        number = to_scalar(value, exact, what)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{what}: expected a positive number such as 0.01; "
                          f"{str(error).partition(': ')[2]}") from None
    if number > 0:
        return number
    rounds = " (0, or it rounds to 0 in floating point)" if number == 0 else ""
    raise ValueError(f"{what}: expected a positive number such as 0.01, got "
                     f"{fmt(number)}{rounds}")


def whole_number(value, what: str, least: int = 0, most: int | None = None) -> int:
    """A count such as steps, a batch size or a seed: a whole number from ``least`` to
    ``most``, given as any number type (20, 20.0) or text ("20")."""
    number = to_scalar(value, True, what)
    if number.denominator != 1:
        raise ValueError(f"{what}: expected a whole number, got {fmt(number)}")
    if number < least:
        raise ValueError(f"{what}: expected a whole number >= {least}, got {number}")
    if most is not None and number > most:
        raise ValueError(f"{what}: expected at most {most:,}, got {_short(int(number))}")
    return int(number)


def check_probabilities(y, what: str, sums_to_one: bool):
    """Refuse targets that are not probabilities: each in [0, 1] and, for a softmax output,
    summing to 1 per example (a one-hot vector such as [0, 1, 0])."""
    values = np.asarray(y, dtype=float)
    if ((values < 0) | (values > 1)).any():
        raise ValueError(f"{what}: cross-entropy expects target probabilities between 0 and 1 "
                         f"(one-hot such as [0, 1, 0]), got {_short(y.tolist())}")
    if sums_to_one and (np.abs(values.sum(axis=-1) - 1) > 1e-9).any():
        raise ValueError(f"{what}: cross-entropy with a softmax output expects targets that "
                         f"sum to 1 (one-hot such as [0, 1, 0]), got {_short(y.tolist())}")
