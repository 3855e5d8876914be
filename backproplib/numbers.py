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
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

import numpy as np

MAX_TEXT = 200  # characters of a number given as text
MAX_EXACT_DIGITS = 100  # digits of an exact number's numerator and of its denominator
MAX_EXPONENT = 1000  # text such as "1e5000" is refused before any arithmetic
DIGITS = 10  # significant digits fmt shows of a float (and where it turns to e-notation)


def to_scalar(value, exact: bool, what: str, single: bool = False):
    """One number as a Fraction (exact) or float; ``what`` names it in error messages.

    Accepts ints, floats (numpy's too), Fractions, Decimals and text such as "0.1" or "1/3";
    with ``single`` also a list or array holding one number ([0.7] is 0.7).
    Exact numbers are limited to ``MAX_EXACT_DIGITS`` digits above and below the fraction bar,
    so that no input can make exact arithmetic run for minutes.
    """
    if single and np.ndim(value) > 0 and not isinstance(value, str):
        if np.size(value) != 1:
            raise ValueError(f"{what}: expected one number, got {np.size(value)}: {value!r}")
        value = np.asarray(value, dtype=object).reshape(-1)[0]
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
    raise TypeError(f"{what}: expected a number, got {type(value).__name__} {short(value)}")


_NUMBER = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")
_RATIO = re.compile(r"^([+-]?\d+)\s*/\s*([+-]?\d+)$")


@dataclass(frozen=True)
class Reading:
    """A number read from text: its value as typed, and how precisely it was typed."""

    value: Fraction
    digits: int | None  # significant digits typed ("0.0350" has 3); None for a ratio "1/3"
    unit: Fraction | None  # place value of the last digit typed (0.0001 for "0.0350")


def read_number(text: str, what: str = "number") -> Reading:
    """The one text-to-number parser: "0.1", "-2", "1e-3", "1/3" (a ratio is exact).

    Refuses, with a ValueError naming ``what``, anything else, more than ``MAX_TEXT``
    characters and exponents beyond ``MAX_EXPONENT``."""
    text = str(text).strip().replace("_", "")
    if len(text) > MAX_TEXT:
        raise ValueError(f"{what}: expected a number of at most {MAX_TEXT} characters, got "
                         f"{short(text)}")
    ratio = _RATIO.match(text)
    decimal_form = _NUMBER.match(text)
    if ratio and int(ratio[2]) != 0:
        return Reading(Fraction(int(ratio[1]), int(ratio[2])), None, None)
    if not decimal_form or not (decimal_form[2] or decimal_form[3]):
        hint = ": write the decimal point as '.'" if re.match(r"^[+-]?\d+,\d+$", text) else ""
        raise ValueError(f"{what}: expected a number such as 0.1, -2 or 1/3, got the text "
                         f"{short(text)}{hint}")
    sign, whole, fraction, exponent = (decimal_form[1], decimal_form[2], decimal_form[3] or "",
                                       int(decimal_form[4] or 0))
    if abs(exponent) > MAX_EXPONENT:
        raise ValueError(f"{what}: expected a number between about 1e-300 and 1e300, got "
                         f"{short(text)}")
    unit = Fraction(10) ** (exponent - len(fraction))
    value = int(whole + fraction or "0") * unit * (-1 if sign == "-" else 1)
    return Reading(value, len((whole + fraction).lstrip("0")) or None, unit)


def _from_text(text, exact, what):
    number = read_number(text, what).value
    return _limited(number, what) if exact else _float(number, what, text)


def _limited(number: Fraction, what) -> Fraction:
    """``number`` itself, if exact arithmetic with it stays quick."""
    limit = 10 ** MAX_EXACT_DIGITS
    if abs(number.numerator) >= limit or number.denominator >= limit:
        raise ValueError(
            f"{what}: exact numbers may have at most {MAX_EXACT_DIGITS} digits above and below "
            f"the fraction bar, got {short(number)}; use exact=False for floating point")
    return number


def _float(number, what, given):
    try:
        value = float(number)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(
            f"{what}: expected a number that fits in floating point (at most about 1.8e308), "
            f"got {short(given)}"
        ) from None
    return value


def short(value) -> str:
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


def fmt(value, digits: int | None = None) -> str:
    """A number as a student reads it: 0.5, 7.16442025, -0.0351025, 5.389319802e-07, never
    5e-01 or -0.0; a vector or matrix as [0.5, -1] or [[1, 2], [3, 4]] (one number where it
    holds one).

    One rule for every size: fixed notation from 1e-4 up to 10**digits, e-notation outside it
    (where fixed notation would need leading or padding zeros), as Python's "g" format does.
    Floats, and Fractions that do not end in a finite decimal, print with ``digits``
    significant digits (10 unless given), which hides float noise such as 3.5102500000000003;
    Fractions that end in a finite decimal print exactly, every digit, unless ``digits`` is
    given.
    """
    if isinstance(value, (np.ndarray, list, tuple)):
        array = np.asarray(value, dtype=object if isinstance(value, (list, tuple)) else None)
        if array.size == 1:
            value = array.reshape(-1)[0]
        else:
            return "[" + ", ".join(fmt(row, digits) for row in array) + "]"
    if digits is None and isinstance(value, Fraction) and _terminates(value):
        return _exact_decimal(value)
    number = float(value)
    return "0" if number == 0 else f"{number:.{digits or DIGITS}g}"


def _terminates(q: Fraction) -> bool:
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _exact_decimal(q: Fraction) -> str:
    """A finite decimal, every digit, in fixed or e-notation by fmt's one rule."""
    digits = 0
    while (q * 10**digits).denominator != 1:
        digits += 1
    text = str(abs(q.numerator * 10**digits // q.denominator))
    sign = "-" if q < 0 else ""
    exponent = len(text) - 1 - digits  # the power of ten of the first digit
    if q and not -4 <= exponent < DIGITS:
        mantissa = text.rstrip("0")
        point = "." if len(mantissa) > 1 else ""
        return f"{sign}{mantissa[0]}{point}{mantissa[1:]}e{exponent:+03d}"
    if digits == 0:
        return f"{sign}{text}"
    whole, frac = divmod(int(text), 10**digits)
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
        raise ValueError(f"{what}: expected at most {most:,}, got {short(int(number))}")
    return int(number)


def check_probabilities(y, what: str, sums_to_one: bool):
    """Refuse targets that are not probabilities: each in [0, 1] and, for a softmax output,
    summing to 1 per example (a one-hot vector such as [0, 1, 0])."""
    values = np.asarray(y, dtype=float)
    if ((values < 0) | (values > 1)).any():
        raise ValueError(f"{what}: cross-entropy expects target probabilities between 0 and 1 "
                         f"(one-hot such as [0, 1, 0]), got {short(y.tolist())}")
    if sums_to_one and (np.abs(values.sum(axis=-1) - 1) > 1e-9).any():
        raise ValueError(f"{what}: cross-entropy with a softmax output expects targets that "
                         f"sum to 1 (one-hot such as [0, 1, 0]), got {short(y.tolist())}")


# --- a network's inputs, targets and shapes ----------------------------------------------------
def to_vector(values, n: int, exact: bool, what: str, layer: str) -> np.ndarray:
    """x or y as the network's numbers: shape (n,) for one example, (m, n) for a batch."""
    if not exact and type(values) in (float, int) and n == 1 and abs(values) < 1e300:
        return np.array([values], dtype=float)  # a plain number, as in the worked example
    if (not exact and type(values) is np.ndarray and values.dtype == float
            and values.ndim in (1, 2) and values.shape[-1] == n and np.isfinite(values).all()):
        return values  # already the network's numbers (a training loop's batches)
    try:
        ndim = 2 if np.ndim(values) == 2 else 1
    except ValueError:  # numpy cannot even tell the shape of ragged rows
        raise ValueError(f"{what}: rows of different lengths in {values!r}"[:300]) from None
    vector = to_array(values, exact, what, ndim=ndim)
    if vector.shape[-1] != n:
        per, s = " per example" if ndim == 2 else "", "s" if n > 1 else ""
        raise ValueError(f"{what}: expected {n} number{s}{per} ({layer} has {n} neuron{s}), "
                         f"got {vector.shape[-1]}")
    return vector


def to_examples(xs, ys, sizes, exact: bool):
    """(X, Y) of shapes (m, n_x) and (m, n_Out) from lists of examples; where a layer has one
    neuron, a flat list holds one number per example."""
    X, Y = _rows(xs, sizes[0], exact, "xs"), _rows(ys, sizes[-1], exact, "ys")
    if len(X) != len(Y):
        raise ValueError(f"xs and ys: expected one target per example, got {len(X)} inputs "
                         f"and {len(Y)} targets")
    return X, Y


def _rows(values, n, exact, what):
    if isinstance(values, str) or np.ndim(values) == 0:
        raise ValueError(f"{what}: expected a list of examples, got {values!r}")
    if np.ndim(values) == 1 and n == 1 and not isinstance(values[0], (list, tuple)):
        values = [[v] for v in values]
    array = to_array(values, exact, what, ndim=2)
    if array.shape[1] != n:
        raise ValueError(f"{what}: expected {n} number{'s' if n > 1 else ''} per example, "
                         f"got rows of {array.shape[1]}")
    return array


def to_layers(weights, biases, exact: bool, names):
    """Every W^L and b^L in the chosen number system, their shapes checked."""
    weights = [to_array(W, exact, f"weights of layer {n}", 2) for W, n in zip(weights, names)]
    biases = [to_array(b, exact, f"biases of layer {n}", 1) for b, n in zip(biases, names)]
    check_shapes(weights, biases, names)
    return weights, biases


def lookup(table, value, kind, where):
    if isinstance(value, str) and value.strip().lower().replace("-", "_") in table:
        return table[value.strip().lower().replace("-", "_")]
    if isinstance(value, str):
        raise ValueError(f"{where}: unknown {kind} {value!r}; known: {', '.join(table)}")
    raise TypeError(f"{where}: expected the name of {'an' if kind[0] == 'a' else 'a'} {kind}, "
                    f"got {value!r}; known: {', '.join(table)}")


def check_per_layer(values, names, what):
    """One value per layer."""
    if len(values) != len(names):
        raise ValueError(f"{what}: expected one per layer ({len(names)}: {', '.join(names)}), "
                         f"got {len(values)}")


def check_pairs(x, y, what="x and y"):
    """One target per example: x and y both single examples, or batches of one length."""
    if x.ndim != y.ndim or (x.ndim == 2 and len(x) != len(y)):
        raise ValueError(f"{what}: expected as many targets as examples, got x of shape "
                         f"{x.shape} and y of shape {y.shape}")


def check_shapes(weights, biases, names):
    """W^L of shape (n_L, n_(L-1)) and b^L of shape (n_L,) for every layer."""
    for L, (W, b, name) in enumerate(zip(weights, biases, names)):
        if L > 0 and W.shape[1] != weights[L - 1].shape[0]:
            prev, n_prev = names[L - 1], weights[L - 1].shape[0]
            raise ValueError(
                f"weights of layer {name}: expected shape ({W.shape[0]}, {n_prev}) to take the "
                f"{n_prev} outputs of {prev} (w_jk runs from k in {prev} to j in {name}), got "
                f"{W.shape}")
        if b.shape != (W.shape[0],):
            raise ValueError(f"biases of layer {name}: expected {W.shape[0]} (one per neuron), "
                             f"got {b.shape[0]}")


def check_layers(weights, biases):
    """A list with one W per layer and a list with one b per layer."""
    if not isinstance(weights, (list, tuple)) or len(weights) == 0:
        given = "an empty list" if isinstance(weights, (list, tuple)) else repr(weights)
        raise ValueError(f"weights: expected a list with one matrix W per layer, got {given}")
    if not isinstance(biases, (list, tuple)) or len(biases) != len(weights):
        given = f"{len(biases)}" if isinstance(biases, (list, tuple)) else repr(biases)
        raise ValueError(f"biases: expected a list with one vector b per layer "
                         f"({len(weights)}), got {given}")


def check_chain(weights, biases):
    """Network.chain's flat lists: one number per layer in each."""
    for what, values in (("weights", weights), ("biases", biases)):
        if not isinstance(values, (list, tuple, np.ndarray)) or any(
                isinstance(v, (list, tuple)) or np.ndim(v) > 0 for v in values):
            raise ValueError(f"Network.chain: expected {what} as a flat list of numbers, one "
                             f"per layer, got {values!r}")
    if len(weights) != len(biases):
        raise ValueError(f"Network.chain: expected one weight and one bias per layer, got "
                         f"{len(weights)} weights and {len(biases)} biases")
    return weights


def chain_layers(weights, biases, exact, names):
    """A chain's 1 x 1 matrices W and 1-vectors b, each number checked under its parameter's
    name (w_H0, b_Out)."""
    return ([[[to_scalar(w, exact, f"w_{n}")]] for w, n in zip(weights, names)],
            [[to_scalar(b, exact, f"b_{n}")] for b, n in zip(biases, names)])


# --- parameter names: w_H1[j,k] and b_H1[j] as text, and where they live ------------------------
class Slot(NamedTuple):
    """Where a parameter lives: ``kind`` "w" or "b", layer position ``L`` and ``index`` into W^L
    (j, k) or b^L (j,)."""

    kind: str
    L: int
    index: tuple


class ParameterTable:
    """Parameter names in order (each layer's W row by row, then b) and {name: Slot}:
    ``w_<layer>`` / ``b_<layer>`` for one-neuron layers, ``w_<layer>[j,k]`` / ``b_<layer>[j]``
    otherwise."""

    def __init__(self, layer_names, shapes):
        self.slots = {}
        for L, (layer, (n_out, n_in)) in enumerate(zip(layer_names, shapes)):
            for j, k in np.ndindex(n_out, n_in):
                name = f"w_{layer}" if n_out == n_in == 1 else f"w_{layer}[{j},{k}]"
                self.slots[name] = Slot("w", L, (j, k))
            for j in range(n_out):
                self.slots[f"b_{layer}" if n_out == 1 else f"b_{layer}[{j}]"] = Slot("b", L, (j,))
        self.names = tuple(self.slots)

    def locate(self, name) -> Slot:
        """Where parameter ``name`` lives; an unknown name is a ValueError listing valid ones."""
        try:
            return self.slots[name]
        except (KeyError, TypeError):
            more = len(self.names) - 12
            tail = f", ... ({more} more)" if more > 0 else ""
            raise ValueError(f"unknown parameter {name!r}; valid names: "
                             f"{', '.join(self.names[:12])}{tail}") from None

    def value(self, name, weights, biases):
        """Parameter ``name``'s entry of the weights and biases (or of dC/dW and dC/db)."""
        kind, L, index = self.locate(name)
        return (weights if kind == "w" else biases)[L][index]

    def replace(self, weights, biases, changes: dict, exact: bool):
        """Copies of the weights and biases with the parameters named in ``changes`` set."""
        if not isinstance(changes, dict):
            raise TypeError(f"with_params: expected a dict {{parameter name: number}} such as "
                            f"{{'w_Out': 0.7}}, got {type(changes).__name__} {changes!r}")
        tables = {"w": list(weights), "b": list(biases)}
        copied = set()
        for name, value in changes.items():
            kind, L, index = self.locate(name)
            if (kind, L) not in copied:
                tables[kind][L] = tables[kind][L].copy()
                copied.add((kind, L))
            tables[kind][L][index] = to_scalar(value, exact, name, single=True)
        return tables["w"], tables["b"]


@lru_cache(maxsize=64)
def parameter_table(layer_names: tuple, shapes: tuple) -> ParameterTable:
    """The ParameterTable of layers of these shapes, built once per shape."""
    return ParameterTable(layer_names, shapes)




def choose_exactness(exact, weights, biases, activations) -> bool:
    """Exact arithmetic where asked (True), or where None and a number is given as a Fraction
    or text and every activation is rational; refused for irrational activations."""
    irrational = sorted({a.name for a in activations if not a.exact})
    if exact and irrational:
        raise ValueError(
            f"exact=True needs rational activations (relu, leaky_relu, linear), got "
            f"{', '.join(irrational)}: their values are irrational, so they cannot be computed "
            "as exact fractions. Use exact=False.")
    if exact is None:
        return not irrational and (is_exact_input(weights) or is_exact_input(biases))
    return bool(exact)


class NumericOverflow(OverflowError, ValueError):
    """A value grew past what floating point holds (a ValueError too, as bad input is)."""


def without_overflow(compute, checked, layer_names):
    """compute() with numpy raising on overflow and invalid values, free where they do not
    happen (checking every array afterwards took 3 of the worked example's 28 us); where they
    do, computed again and the layer named by ``check_finite(*checked(result), layer_names)``."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return compute()
    except FloatingPointError:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = compute()
        check_finite(*checked(result), layer_names)
        return result


def check_finite(arrays, cost, layer_names):
    """Refuse a result that overflowed: name the layer, never hand back inf or NaN.
    ``arrays`` starts with each layer's z."""
    if np.isfinite(np.concatenate([*arrays, np.ravel(cost)], axis=None)).all():
        return
    for name, z in zip(layer_names, arrays):
        if not np.isfinite(z).all():
            raise NumericOverflow(
                f"the forward pass overflowed in layer {name}: z_{name} = {z}. The weights "
                "or inputs are too large for floating point; use smaller values.")
    raise NumericOverflow(
        "the cost or a gradient overflowed: the numbers grew past what floating point "
        "holds (about 1.8e308); use smaller weights, inputs or targets.")
