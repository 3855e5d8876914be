"""Turning what a student types into numbers, and numbers back into text.

Two number systems run through the library:

- float mode: numpy float64 arrays, fast, what plots and surfaces use;
- exact mode: numpy object arrays of ``fractions.Fraction``, so the worked example's
  gradients come out as exactly 0.01755125 with no rounding at all.

In exact mode a float such as ``0.1`` is taken as the decimal it prints as (1/10), not as the
binary number closest to it, because that is what a student means by 0.1.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np


def to_scalar(value, exact: bool, what: str):
    """One number as a Fraction (exact) or float; ``what`` names it in error messages."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what}: expected a number, got the boolean {value!r}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, str):
        try:
            number = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(
                f"{what}: expected a number such as 0.1, -2 or 1/3, got the text {value!r}"
            ) from None
        return number if exact else _float(number, what, value)
    if isinstance(value, numbers.Rational):
        return Fraction(value) if exact else _float(value, what, value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{what}: expected a finite number, got {number}")
        return Fraction(repr(number)) if exact else number
    raise TypeError(f"{what}: expected a number, got {type(value).__name__} {value!r}")


def _float(number, what, given):
    try:
        return float(number)
    except OverflowError:
        raise ValueError(
            f"{what}: expected a number that fits in floating point (at most about 1.8e308), "
            f"got {_short(given)}; use exact=True for exact arithmetic"
        ) from None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 30 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"


def to_array(values, exact: bool, what: str, ndim: int) -> np.ndarray:
    """A vector (ndim=1) or matrix (ndim=2) of numbers in the chosen number system.

    A single number is accepted where a 1-vector or a 1x1 matrix is meant.
    """
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
