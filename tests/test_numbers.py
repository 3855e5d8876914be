"""numbers: the one text-to-number parser (value and digits typed), limits at their edges, the
fast paths for plain numbers, and the parameter names' messages."""

from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp
from backproplib.numbers import MAX_TEXT, read_number, to_scalar


@pytest.mark.parametrize("text, value, digits, unit", [
    ("0.0350", Fraction(7, 200), 3, Fraction(1, 10000)), ("-2", -2, 1, 1), ("1e-3", Fraction(1, 1000), 1, Fraction(1, 1000)),
    (".5", Fraction(1, 2), 1, Fraction(1, 10)), ("7.16442025", Fraction("7.16442025"), 9, Fraction(1, 10**8)),
    (" 1 / 3 ", Fraction(1, 3), None, None), ("+120", 120, 3, 1), ("0", 0, None, 1), ("2.50e2", 250, 3, 1)])
def test_read_number_gives_value_and_digits_typed(text, value, digits, unit):
    reading = read_number(text)
    assert (reading.value, reading.digits, reading.unit) == (value, digits, unit)


@pytest.mark.parametrize("text, words", [("abc", "got the text 'abc'"), ("1/0", "'1/0'"),
                                         ("1,5", "decimal point as '.'"), ("nan", "'nan'"),
                                         ("1e1001", "between about 1e-300 and 1e300"),
                                         ("", "got the text ''")])
def test_read_number_refuses(text, words):
    with pytest.raises(ValueError, match=f"w: expected a number.*{words}"):
        read_number(text, "w")


def test_text_length_limit_at_its_edge():
    at_limit = "0." + "0" * (MAX_TEXT - 3) + "1"  # 200 characters
    assert to_scalar(at_limit, False, "x") == 10.0 ** -(MAX_TEXT - 2)
    with pytest.raises(ValueError, match=f"at most {MAX_TEXT} characters"):
        to_scalar(at_limit + "0", False, "x")
    assert read_number("1e1000").value == 10 ** 1000


def test_a_plain_number_is_one_input_only_where_the_layer_has_one_neuron():
    wide = bp.Network([[[1.0, 2.0]], [[3.0]]], [[0.0], [0.0]])
    with pytest.raises(ValueError, match="x: expected 2 numbers"):
        wide.forward(0.5)
    with pytest.raises(ValueError, match="y: expected 2 numbers"):
        bp.Network([[[1.0], [2.0]]], [[0.0, 0.0]]).backward(1.0, 0.5)
    assert bp.worked_example()[0].input(0.5).tolist() == [0.5]


def test_unknown_parameter_lists_twelve_and_counts_the_rest():
    net = bp.Network([np.ones((3, 4)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)])
    with pytest.raises(ValueError, match=r"unknown parameter 'w_H7'; valid names: w_H0\[0,0\], "
                                         r".*w_H0\[2,3\], \.\.\. \(7 more\)"):
        net.locate("w_H7")
    small = bp.worked_example()[0]
    with pytest.raises(ValueError, match=r"valid names: w_H0, b_H0, w_H1, b_H1, w_Out, b_Out$"):
        small.param("w_H7")
    twelve = bp.Network([np.ones((2, 2)), np.ones((2, 2))], [np.zeros(2), np.zeros(2)])
    assert len(twelve.parameter_names) == 12
    with pytest.raises(ValueError, match=r"valid names: w_H0\[0,0\], .*, b_Out\[1\]$"):
        twelve.param("w_H7")


def test_fmt_of_vectors_and_numbers():
    assert bp.fmt(np.array([[1.0, 2.0], [3.0, -0.0]])) == "[[1, 2], [3, 0]]"
    assert bp.fmt(0.0001234) == "0.0001234" and bp.fmt(1e-9) == "1e-09"
    assert bp.fmt(3.5102500000000003) == "3.51025" and bp.fmt(Fraction(1, 3)) == "0.3333333333"
    assert bp.fmt(7.16442025, 4) == "7.164" and bp.fmt(Fraction(1, 8), 2) == "0.12"


def fixed(text):
    return "e" not in text


@pytest.mark.parametrize("exact", [False, True])
def test_fmt_uses_one_notation_for_numbers_of_one_size(exact):
    """A list of small values (a vanishing gradient, 1e-8 to 1e-5) prints in e-notation
    throughout, with the same digits; numbers from 1e-4 up print fixed; very large ones in
    e-notation again: one threshold for floats and exact Fractions alike."""
    def scale(numerator, denominator=1):
        return Fraction(numerator, denominator) if exact else numerator / denominator

    small = [scale(5389319802, 10**16), scale(898, 10**10), scale(3, 10**5), scale(-1, 10**8)]
    assert all(not fixed(bp.fmt(v)) and bp.fmt(v).count("0.000") == 0 for v in small)
    listed = bp.fmt(small)
    assert listed.startswith("[5.389319802e-07, 8.98e-08") and "0.0" not in listed
    ordinary = [scale(1, 10**4), scale(7164420250, 10**9), scale(-1232185506, 10**8), scale(9999999999)]
    assert all(fixed(bp.fmt(v)) for v in ordinary)
    assert not fixed(bp.fmt(scale(10**10))) and not fixed(bp.fmt(scale(-123, 10) ** 12))
    for v in small + ordinary:  # e-notation or not, the number read back is the number
        assert float(bp.fmt(v)) == pytest.approx(float(v), rel=1e-9)
        assert Fraction(bp.fmt(v)) == v or not exact


def test_exact_digit_limit_at_its_edge():
    from backproplib.numbers import MAX_EXACT_DIGITS

    assert to_scalar(10 ** MAX_EXACT_DIGITS - 1, True, "w") == 10 ** MAX_EXACT_DIGITS - 1
    with pytest.raises(ValueError, match="at most 100 digits"):
        to_scalar(10 ** MAX_EXACT_DIGITS, True, "w")
    with pytest.raises(ValueError, match="at most 100 digits"):
        to_scalar(Fraction(1, 10 ** MAX_EXACT_DIGITS), True, "w")


def test_text_in_a_float_array_gets_our_message():
    with pytest.raises(ValueError, match=r"weights of layer Out \[0,1\]: expected a number .*'abc'"):
        bp.Network([np.array([["0.5", "abc"]])], [[0.0]], exact=False)


def test_batches_of_nested_and_flat_lists():
    net = bp.worked_example()[0]
    X, Y = net.batch([[0.5], [1.0]], [[0], [1]])
    assert X.shape == (2, 1) and Y.tolist() == [[0.0], [1.0]]
    wide = bp.Network([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)])
    X, Y = wide.batch([[1, 2], [3, 4], [5, 6]], [7, 8, 9])
    assert X.shape == (3, 2) and Y.shape == (3, 1)
    two_out = bp.Network([np.ones((3, 1)), np.ones((2, 3))], [np.zeros(3), np.zeros(2)])
    X, Y = two_out.batch([1, 2], [[3, 4], [5, 6]])
    assert X.shape == (2, 1) and Y.shape == (2, 2)


def test_a_list_of_exact_examples_is_read_once(monkeypatch):
    """Each number of xs and ys goes through to_scalar once (it was three times: two to_array
    and to_vector's own), flat or nested."""
    from backproplib import numbers

    wide = bp.Network([[[1, 2]], [[3]]], [[0], [0]], exact=True)
    calls = []
    monkeypatch.setattr(numbers, "to_scalar", lambda v, *a, **k: calls.append(v) or Fraction(v))
    X, Y = wide.batch([["1/2", 1], [2, 3]], ["1", 0])
    assert calls == ["1/2", 1, 2, 3, "1", 0] and X.tolist() == [[Fraction(1, 2), 1], [2, 3]]


def test_fmt_of_long_exact_decimals():
    value = Fraction(1, 2 ** 1100)
    text = bp.fmt(value)
    assert text.startswith("7.362151829") and text.endswith("5e-332") and Fraction(text) == value


def test_relu_gives_positive_zero():
    from backproplib.core.activations import relu

    out = relu(np.array([-0.0, -2.0, 3.0]))
    assert not np.signbit(out).any() and out.tolist() == [0.0, 0.0, 3.0]


def test_fmt_of_short_exact_decimals_is_pythons_g_format():
    """A Fraction that ends within 10 significant digits prints every digit; with so few
    digits that is what Python's "g" format prints for the same (exactly held) float."""
    for q in (Fraction(10**12), Fraction(-3, 10**7), Fraction(25, 10**9), Fraction(1, 8),
              Fraction(123456789, 1000), Fraction(2 * 10**10), Fraction(-5, 10**5)):
        assert bp.fmt(q) == f"{float(q):.10g}", q


def test_to_scalar_takes_a_zero_dimensional_array_as_its_number():
    assert to_scalar(np.array(0.5), False, "w") == 0.5
    assert to_scalar(np.array(3), True, "w") == Fraction(3)
    net = bp.Network.chain([np.array(0.5)], [np.array(2.0)], "linear")
    assert net.param("w_Out") == 0.5 and net.param("b_Out") == 2.0


def test_a_step_size_must_be_above_zero():
    from backproplib.numbers import positive_number
    assert positive_number("1/100", "learning_rate", exact=True) == Fraction(1, 100)
    for bad in (0, -0.1, "0", "1e-400"):
        with pytest.raises(ValueError, match="learning_rate: expected a positive number") as e:
            positive_number(bad, "learning_rate")
        # only a step that is (or rounds to) 0 is told so
        assert ("rounds to 0" in str(e.value)) == (float(bad) == 0), bad


def test_whole_numbers_from_least_to_most_both_included():
    from backproplib.numbers import whole_number
    assert whole_number(2, "n_examples", least=2) == 2
    assert whole_number("50", "steps", least=1, most=50) == 50
    for value, words in ((1, "expected a whole number >= 2"), (51, "expected at most 50")):
        with pytest.raises(ValueError, match=words):
            whole_number(value, "n_examples", least=2, most=50)


def test_a_list_holding_one_number_is_one_number_only_where_single():
    assert to_scalar([0.7], False, "w_Out", single=True) == 0.7
    with pytest.raises(TypeError, match="learning_rate: expected a number, got list"):
        to_scalar([0.7], False, "learning_rate")


def test_chain_refuses_arrays_among_its_numbers():
    with pytest.raises(ValueError, match="Network.chain: expected weights as a flat list"):
        bp.Network.chain([np.array([0.5]), 1.0], [0.0, 0.0])


def first_word(n):
    """The first word of n said aloud in English, spelled out group by group (an independent
    rule for ``article``)."""
    ones = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen").split()
    tens = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
    while n >= 1000:  # the leading group of three digits says the first word
        n //= 1000
    return ones[n // 100] if n >= 100 else ones[n] if n < 20 else tens[n // 10]


def test_the_article_follows_the_first_word_said():
    """"an" before a vowel sound: eight, eleven, eighteen, eighty(-...), eight hundred, eleven
    thousand; "a" otherwise."""
    from backproplib.numbers import article
    said = [*range(0, 2000), *range(8000, 20000, 7), 80000, 110000, 8 * 10**6, 11 * 10**6,
            18 * 10**9, 180 * 10**6, 1100]
    for n in said:
        word = first_word(n)  # a vowel sound: a vowel letter, but "one" starts with a w
        expected = "an" if word[0] in "aeiou" and word != "one" else "a"
        assert article(n) == expected, (n, first_word(n))


def test_short_keeps_a_text_of_up_to_30_characters_whole():
    """An error message repeats a short input whole (at most 30 characters) and cuts a longer
    one to its start and end, saying how long it was."""
    from backproplib.numbers import short
    for length in (1, 29, 30, 31, 5000):
        given = "7" * (length - 2) if length > 2 else 7  # repr adds two quotes to a str
        text = repr(given)
        assert len(text) == length
        if length <= 30:
            assert short(given) == text
        else:
            cut = short(given)
            assert cut.startswith(text[:12]) and f"{text[-6:]} ({length} characters)" in cut
            assert len(cut) < 40


def test_short_says_only_the_size_of_a_number_beyond_300_bits():
    """A number of up to 300 bits shows its leading digits, cut as any long text; a larger one
    (whose digits take time to print) is said by its count of digits, give or take one."""
    from backproplib.numbers import short
    for bits in (299, 300):
        assert short(2**bits - 1).startswith(str(2**bits - 1)[:12])
    for n in (2**300, -(2**300), Fraction(1, 2**300), 10**4000):
        said = short(n)
        digits = int(said.removeprefix("a number of about ").removesuffix(" digits"))
        size = max(abs(Fraction(n).numerator), Fraction(n).denominator)
        assert abs(digits - len(str(size))) <= 1, (said, len(str(size)))
