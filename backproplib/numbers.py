"""Numbers in and out: what a student types becomes a float or an exact Fraction (exact mode
takes 0.1 as the decimal 1/10 a student means, not the nearest binary float), and ``fmt`` prints
numbers back; the validators every floor uses live here too."""

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
    """One number as a Fraction (exact) or float, ``what`` naming it in errors: an int, float,
    Fraction, Decimal or text ("0.1", "1/3"); with ``single`` a list of one number. Exact numbers
    have at most ``MAX_EXACT_DIGITS`` digits above and below the bar, so that they stay quick."""
    if single and np.ndim(value) > 0 and not isinstance(value, str):
        if np.size(value) != 1:
            raise ValueError(f"{what}: expected one number, got {np.size(value)}: {value!r}")
        value = np.asarray(value, dtype=object).reshape(-1)[0]
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what}: expected a number, got the boolean {value!r}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise ValueError(f"{what}: expected a finite number, got {value}")
    if isinstance(value, (str, decimal.Decimal)):  # a Decimal reads as its text, digit for digit
        return _in_system(read_number(str(value), what).value, exact, what, value)
    if isinstance(value, numbers.Rational):  # (numpy's integers become Python ints)
        return _in_system(Fraction(int(value.numerator), int(value.denominator)), exact, what,
                          value)
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


def read_number(text: str, what: str = "number",
                expected: str = "a number such as 0.1, -2 or 1/3") -> Reading:
    """The one text-to-number parser: "0.1", "-2", "1e-3", "1/3"; anything else (a ValueError
    saying what was ``expected``), more than ``MAX_TEXT`` characters or an exponent beyond
    ``MAX_EXPONENT`` is a ValueError."""
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
        raise ValueError(f"{what}: expected {expected}, got the text {short(text)}{hint}")
    sign, whole, fraction, exponent = (decimal_form[1], decimal_form[2], decimal_form[3] or "",
                                       int(decimal_form[4] or 0))
    if abs(exponent) > MAX_EXPONENT:
        raise ValueError(f"{what}: expected a number between about 1e-300 and 1e300, got "
                         f"{short(text)}")
    unit = Fraction(10) ** (exponent - len(fraction))
    value = int(whole + fraction or "0") * unit * (-1 if sign == "-" else 1)
    return Reading(value, len((whole + fraction).lstrip("0")) or None, unit)


def _in_system(number: Fraction, exact, what, given):
    """``number`` as a Fraction of at most MAX_EXACT_DIGITS digits, or as a finite float."""
    limit = 10 ** MAX_EXACT_DIGITS
    if exact and (abs(number.numerator) >= limit or number.denominator >= limit):
        raise ValueError(
            f"{what}: exact numbers may have at most {MAX_EXACT_DIGITS} digits above and below "
            f"the fraction bar, got {short(number)}; use exact=False for floating point")
    try:
        return number if exact else float(number)
    except OverflowError:
        raise ValueError(
            f"{what}: expected a number that fits in floating point (at most about 1.8e308), "
            f"got {short(given)}") from None


def short(value) -> str:
    """A short, safe text of ``value`` for an error message (no 5000-digit numbers)."""
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        size = max(abs(Fraction(value).numerator), Fraction(value).denominator)
        if size.bit_length() > 300:
            return f"a number of about {int(size.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= 30 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"


def to_array(values, exact: bool, what: str, ndim: int | None) -> np.ndarray:
    """A vector (ndim=1), matrix (ndim=2) or either as given (None) in the chosen number
    system (a single number is a 1-vector or 1 x 1 matrix)."""
    dims = (1, 2) if ndim is None else (ndim,)
    if (not exact and isinstance(values, np.ndarray) and values.dtype.kind in "fiu"
            and values.ndim in dims and values.size):  # numbers already: check them at once
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
        raise ValueError(f"{what}: rows of different lengths in {short(values)}") from None
    if single:
        number = to_scalar(values, exact, what)
        return np.full((1,) * dims[0], number, dtype=object if exact else float)
    if raw.ndim not in dims:
        expected = "a list of numbers" if ndim != 2 else "a matrix (a list of rows)"
        raise ValueError(f"{what}: expected {expected}, got an array of shape {raw.shape}")
    if raw.size == 0:
        raise ValueError(f"{what}: expected at least one number, got an empty array")
    flat = [to_scalar(v, exact, f"{what} [{','.join(map(str, index))}]")
            for index, v in zip(np.ndindex(raw.shape), raw.flat)]
    return np.array(flat, dtype=object if exact else float).reshape(raw.shape)


def grid_values(values, what: str) -> np.ndarray:
    """The values a grid or a curve of the cost runs over: a list of at least 2 finite
    numbers (text such as "1/2" too), as floats."""
    array = to_array(values, False, what, ndim=1)
    if array.size < 2:
        raise ValueError(f"{what}: expected a list of at least 2 numbers, got the one number "
                         f"{fmt(array[0])}")
    return array


def is_exact_input(value) -> bool:
    """True if ``value`` (possibly nested) holds a Fraction or a string: a wish for exactness."""
    if isinstance(value, (Fraction, str)):
        return True
    items = value.flat if isinstance(value, np.ndarray) else value  # lists: layers of any shape
    return isinstance(value, (np.ndarray, list, tuple)) and any(map(is_exact_input, items))


def fmt(value, digits: int | None = None) -> str:
    """A number as a student reads it: 0.5, -0.0351025, 5.389319802e-07, never 5e-01 or -0.0;
    a vector or matrix as [0.5, -1] or [[1, 2], [3, 4]] (one number where it holds one). Fixed
    notation from 1e-4 to 10**digits, e-notation outside, as the "g" format does; ``digits``
    (10) significant digits hide float noise (3.5102500000000003), but a Fraction that ends in
    a finite decimal prints every digit unless ``digits`` is given."""
    if isinstance(value, (np.ndarray, list, tuple)):
        array = np.asarray(value, dtype=object if isinstance(value, (list, tuple)) else None)
        if array.size == 1:
            value = array.reshape(-1)[0]
        else:
            return "[" + ", ".join(fmt(row, digits) for row in array) + "]"
    if (digits is None and isinstance(value, Fraction)
            and 10 ** value.denominator.bit_length() % value.denominator == 0):  # 2^a 5^b
        return _exact_decimal(value)
    number = float(value)
    return "0" if number == 0 else f"{number:.{digits or DIGITS}g}"


def rounded(value, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits, as ``fmt`` prints it (for float sums whose
    last digits depend on the order of the additions)."""
    number = float(value)
    return fmt(float(f"{number:.{digits}g}")) if np.isfinite(number) else str(number)


def plural(n: int, word: str, no=False) -> str:
    """A count and its word: "1 step", "0 steps", "3 steps"; "no steps" for 0 if ``no``."""
    return f"{'no' if no and n == 0 else n} {word}{'' if n == 1 else 's'}"


def article(n: int) -> str:
    """The article a count takes when said aloud: "an" 8, 11, 18, 80-89, 11000, else "a"."""
    digits = str(abs(int(n)))
    eleven = digits[:2] in ("11", "18") and len(digits) % 3 == 2  # 11, 18, 11000, 18000...
    return "an" if digits[0] == "8" or eleven else "a"


def network_name(sizes) -> str:
    """A network named by its layer sizes, with its article: "a 2-8-8-1 network", "an 8-4-1
    network"."""
    return f"{article(sizes[0])} {'-'.join(map(str, sizes))} network"


def _exact_decimal(q: Fraction) -> str:
    """A finite decimal, every digit, in fixed or e-notation by fmt's one rule."""
    places = 0
    while 10**places % q.denominator:
        places += 1
    text = str(abs(q.numerator) * 10**places // q.denominator)
    sign, exponent = "-" if q < 0 else "", len(text) - 1 - places  # of the first digit
    if q and not -4 <= exponent < DIGITS:
        mantissa = text.rstrip("0")
        return f"{sign}{mantissa[0]}{'.' * (len(mantissa) > 1)}{mantissa[1:]}e{exponent:+03d}"
    whole, frac = divmod(int(text), 10**places)
    return f"{sign}{whole}" + (f".{frac:0{places}d}" if places else "")


# --- validators -------------------------------------------------------------------------------
def _validated(value, what: str, exact: bool, expected: str):
    """to_scalar's number; its errors say what was ``expected`` ("a whole number such as 20")."""
    if isinstance(value, str):  # text: read_number's own error names what was expected
        value = read_number(value, what, expected).value
    try:
        return to_scalar(value, exact, what)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{what}: expected {expected}; {str(error).partition(': ')[2]}") from None


def positive_number(value, what: str, exact: bool = False):
    """A learning rate or another step size: a number > 0, as a float (Fraction if exact)."""
    number = _validated(value, what, exact, "a positive number such as 0.01")
    if number > 0:
        return number
    rounds = " (0, or it rounds to 0 in floating point)" if number == 0 else ""
    raise ValueError(f"{what}: expected a positive number such as 0.01, got "
                     f"{fmt(number)}{rounds}")


def probability(value, what: str) -> float:
    """A target probability such as a sigmoid output's y: a number from 0 to 1, as a float."""
    number = _validated(value, what, False, "a probability from 0 to 1 such as 0 or 0.5")
    if 0 <= number <= 1:
        return number
    raise ValueError(f"{what}: expected a probability from 0 to 1 such as 0 or 0.5, got "
                     f"{fmt(number)}")


def whole_number(value, what: str, least: int = 0, most: int | None = None) -> int:
    """A count such as steps, a batch size or a seed (20, 20.0 or "20") from least to most."""
    number = _validated(value, what, True, "a whole number such as 20")
    if number.denominator != 1:
        raise ValueError(f"{what}: expected a whole number, got {fmt(number)}")
    if number < least:
        raise ValueError(f"{what}: expected a whole number >= {least}, got {number}")
    if most is not None and number > most:
        raise ValueError(f"{what}: expected at most {most:,}, got {short(int(number))}")
    return int(number)


def check_probabilities(y, sums_to_one: bool):
    """Targets y in [0, 1] (a number or an array), for a softmax output also summing to 1 per
    example (one-hot)."""
    values = np.asarray(y, dtype=float)
    if ((values < 0) | (values > 1)).any():
        raise ValueError(f"y: cross-entropy expects target probabilities between 0 and 1 "
                         f"(one-hot such as [0, 1, 0]), got {short(values.tolist())}")
    if sums_to_one and (np.abs(values.sum(axis=-1) - 1) > 1e-9).any():
        raise ValueError(f"y: cross-entropy with a softmax output expects targets that sum to "
                         f"1 (one-hot such as [0, 1, 0]), got {short(values.tolist())}")


def to_vector(values, n: int, exact: bool, what: str, layer: str, rows=False) -> np.ndarray:
    """x or y as the network's numbers: shape (n,) for one example, (m, n) for a batch; with
    ``rows`` a list of examples, always (m, n) (a flat list where the layer has one neuron)."""
    if rows and (isinstance(values, str) or not np.iterable(values)):
        raise ValueError(f"{what}: expected a list of examples, got {values!r}")
    if not exact and type(values) in (float, int) and n == 1 and abs(values) < 1e300:
        return np.array([values], dtype=float)  # a plain number, as in the worked example
    if (not exact and type(values) is np.ndarray and values.dtype == float and not rows
            and values.ndim in (1, 2) and values.shape[-1] == n and np.isfinite(values).all()):
        return values  # already the network's numbers (a training loop's batches)
    vector = to_array(values, exact, what, ndim=None)  # names ragged rows and [] as bad
    if rows and vector.ndim == 1 and n == 1:
        vector = vector[:, None]  # one number per example
    elif rows and vector.ndim == 1:
        raise ValueError(f"{what}: expected a matrix (a list of rows), got an array of shape "
                         f"{vector.shape}")
    if vector.shape[-1] != n:
        per = " per example" if vector.ndim == 2 else ""
        raise ValueError(f"{what}: expected {plural(n, 'number')}{per} ({layer} has "
                         f"{plural(n, 'neuron')}), got {vector.shape[-1]}")
    return vector


def to_examples(xs, ys, sizes, exact: bool):
    """(X, Y) of shapes (m, n_x) and (m, n_Out) from lists of examples (a flat list where the
    layer has one neuron)."""
    X = to_vector(xs, sizes[0], exact, "xs", "the input layer", rows=True)
    Y = to_vector(ys, sizes[-1], exact, "ys", "Out", rows=True)
    if len(X) != len(Y):
        raise ValueError(f"xs and ys: expected one target per example, got {len(X)} inputs "
                         f"and {len(Y)} targets")
    return X, Y


def to_layers(weights, biases, exact: bool, names, what=("weights", "biases")):
    """Every W^L and b^L in the chosen number system, of shapes (n_L, n_(L-1)) and (n_L,)."""
    weights = [to_array(W, exact, f"{what[0]} of layer {n}", 2) for W, n in zip(weights, names)]
    biases = [to_array(b, exact, f"{what[1]} of layer {n}", 1) for b, n in zip(biases, names)]
    for L, (W, b, name) in enumerate(zip(weights, biases, names)):
        if L > 0 and W.shape[1] != weights[L - 1].shape[0]:
            prev, n_prev = names[L - 1], weights[L - 1].shape[0]
            raise ValueError(
                f"{what[0]} of layer {name}: expected shape ({W.shape[0]}, {n_prev}) to take the "
                f"{n_prev} outputs of {prev} (w_jk runs from k in {prev} to j in {name}), got "
                f"{W.shape}")
        if b.shape != (W.shape[0],):
            raise ValueError(f"{what[1]} of layer {name}: expected {W.shape[0]} (one per "
                             f"neuron), got {b.shape[0]}")
    return weights, biases


def lookup(table, value, kind, where):
    key = value.strip().lower().replace("-", "_") if isinstance(value, str) else None
    if key in table:
        return table[key]
    if isinstance(value, str):
        raise ValueError(f"{where}: unknown {kind} {value!r}; known: {', '.join(table)}")
    raise TypeError(f"{where}: expected the name of {'an' if kind[0] == 'a' else 'a'} {kind}, "
                    f"got {value!r}; known: {', '.join(table)}")


def check_per_layer(values, names, what):
    if len(values) != len(names):
        raise ValueError(f"{what}: expected one per layer ({len(names)}: {', '.join(names)}), "
                         f"got {len(values)}")


def check_targets(x, y, cost, output):
    """One target per example (x and y both single examples, or batches of one length); for a
    ``cost`` on probabilities, targets in [0, 1] that sum to 1 where the ``output`` is softmax."""
    if x.ndim != y.ndim or (x.ndim == 2 and len(x) != len(y)):
        raise ValueError(f"x and y: expected as many targets as examples, got x of shape "
                         f"{x.shape} and y of shape {y.shape}")
    if cost.outputs:
        check_probabilities(y, sums_to_one=output.output_only)


def check_layers(weights, biases, what=("weights", "biases")):
    """A list with one W per layer and a list with one b per layer, named as ``what``."""
    if not isinstance(weights, (list, tuple)) or len(weights) == 0:
        given = "an empty list" if isinstance(weights, (list, tuple)) else repr(weights)
        raise ValueError(f"{what[0]}: expected a list with one matrix W per layer, got {given}")
    if not isinstance(biases, (list, tuple)) or len(biases) != len(weights):
        given = f"{len(biases)}" if isinstance(biases, (list, tuple)) else repr(biases)
        raise ValueError(f"{what[1]}: expected a list with one vector b per layer "
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
    """A chain's 1 x 1 matrices W and 1-vectors b, each checked under its name (w_H0, b_Out)."""
    return ([[[to_scalar(w, exact, f"w_{n}")]] for w, n in zip(weights, names)],
            [[to_scalar(b, exact, f"b_{n}")] for b, n in zip(biases, names)])


# --- names: H1 or H1[j], w_H1[j,k] and b_H1[j] as text, and where parameters live ---------------
def some_names(names, most: int = 12) -> str:
    """``names`` joined by commas, the first ``most`` and how many more: an error's list of the
    valid names stays short on a network of thousands of parameters."""
    more = len(names) - most
    return ", ".join(names[:most]) + (f", ... ({more} more)" if more > 0 else "")


def indexed(name: str, j: int, n: int) -> str:
    """``name`` for a one-neuron layer (H1, a_H1), ``name[j]`` for one of n > 1 (H1[0])."""
    return name if n == 1 else f"{name}[{j}]"


class Slot(NamedTuple):
    """Where a parameter lives: "w" or "b", layer position L, and (j, k) in W^L or (j,) in b^L."""

    kind: str
    L: int
    index: tuple


class ParameterTable:
    """Parameter names in order (each layer's W row by row, then b: w_H1 or w_H1[j,k], b_H1 or
    b_H1[j]) and {name: Slot}."""

    def __init__(self, layer_names, shapes):
        self.slots = {}
        for L, (layer, (n_out, n_in)) in enumerate(zip(layer_names, shapes)):
            for j, k in np.ndindex(n_out, n_in):
                name = f"w_{layer}" if n_out == n_in == 1 else f"w_{layer}[{j},{k}]"
                self.slots[name] = Slot("w", L, (j, k))
            for j in range(n_out):
                self.slots[indexed(f"b_{layer}", j, n_out)] = Slot("b", L, (j,))
        self.names = tuple(self.slots)

    def locate(self, name, what: str = "") -> Slot:
        """Where parameter ``name`` lives; else a ValueError (led by ``what``) listing names."""
        try:
            return self.slots[name]
        except (KeyError, TypeError):
            raise ValueError(f"{what + ': ' if what else ''}unknown parameter {name!r}; valid "
                             f"names: {some_names(self.names)}") from None

    def value(self, name, weights, biases):
        """Parameter ``name``'s entry of the weights and biases (or of dC/dW and dC/db)."""
        kind, L, index = self.locate(name)
        return (weights if kind == "w" else biases)[L][index]

    def replace(self, weights, biases, changes: dict, exact: bool):
        """Copies of the weights and biases with the parameters named in ``changes`` set."""
        if not isinstance(changes, dict):
            raise TypeError(f"with_params: expected a dict {{parameter name: number}} such as "
                            f"{{'w_Out': 0.7}}, got {type(changes).__name__} {changes!r}")
        given = {"w": weights, "b": biases}
        tables = {"w": list(weights), "b": list(biases)}
        for name, value in changes.items():
            kind, L, index = self.locate(name)
            if tables[kind][L] is given[kind][L]:  # copied before its first change only
                tables[kind][L] = tables[kind][L].copy()
            tables[kind][L][index] = to_scalar(value, exact, name, single=True)
        return tables["w"], tables["b"]


@lru_cache(maxsize=64)
def parameter_table(layer_names: tuple, shapes: tuple) -> ParameterTable:
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
    """compute(), free where nothing overflows (checking every array afterwards took 3 of the
    worked example's 28 us); else again, refused naming the first layer whose z overflowed
    (``checked(result)`` is each layer's z and the cost)."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return compute()
    except FloatingPointError:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = compute()
    arrays, cost = checked(result)
    if np.isfinite(np.concatenate([*arrays, np.ravel(cost)], axis=None)).all():
        return result
    for name, z in zip(layer_names, arrays):
        if not np.isfinite(z).all():
            raise NumericOverflow(
                f"the forward pass overflowed in layer {name}: z_{name} = {z}. The weights "
                "or inputs are too large for floating point; use smaller values.")
    raise NumericOverflow(
        "the cost or a gradient overflowed: the numbers grew past what floating point "
        "holds (about 1.8e308); use smaller weights, inputs or targets.")
