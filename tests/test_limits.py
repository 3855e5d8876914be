"""Bad and extreme numbers get a clear message in the library's words, quickly (issue classes 5-7).

Every call here must return or raise ValueError/TypeError within a moment; a hang would show as
a slow test run, and a raw Python message would fail the match."""

import decimal
from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp
from backproplib.learning.surface import MAX_SURFACE_BYTES
from backproplib.numbers import MAX_EXACT_DIGITS, to_scalar


@pytest.mark.parametrize("text", ["1e5000", "1e-5000", "-1e999999999"])
def test_huge_exponents_are_refused_at_once(text):
    for exact in (True, False):
        with pytest.raises(ValueError, match=r"w: expected a number between about 1e-300 and 1e300"):
            to_scalar(text, exact, "w")


def test_many_digits_are_refused_without_python_internals():
    digits = "7" * 4000
    with pytest.raises(ValueError, match=r"x: expected a number of at most 200 characters, got '7777"):
        to_scalar(digits, True, "x")
    with pytest.raises(ValueError, match=f"at most {MAX_EXACT_DIGITS} digits.*about 400 digits"):
        to_scalar(10**400, True, "w_H0")
    with pytest.raises(ValueError, match="fits in floating point.*about 400 digits"):
        to_scalar(10**400, False, "w_H0")
    with pytest.raises(ValueError, match=f"at most {MAX_EXACT_DIGITS} digits"):
        bp.Network.chain([Fraction(1, 10**150), 1], [0, 0])


def test_exact_numbers_within_the_limit_work():
    assert to_scalar("1e99", True, "w") == 10**99
    assert to_scalar(Fraction(1, 3), True, "w") == Fraction(1, 3)
    net = bp.Network.chain(["1e50", "1e-50"], [0, 0], exact=True)
    assert net.backward(1, 0).dw[0][0, 0] == 2 * Fraction(10**50) * Fraction(1, 10**50) ** 2


@pytest.mark.parametrize("number, value", [
    (decimal.Decimal("0.5"), 0.5), (np.float32(1e-3), float(np.float32(1e-3))),
    (np.int64(3), 3.0), ("1/2", 0.5), (" -0.25 ", -0.25), (Fraction(3, 4), 0.75),
])
def test_every_kind_of_number_is_taken(number, value):
    assert to_scalar(number, False, "x") == pytest.approx(value)


def test_decimal_is_exact_in_exact_mode():
    assert to_scalar(decimal.Decimal("0.1"), True, "x") == Fraction(1, 10)
    with pytest.raises(ValueError, match="x: expected a finite number, got NaN"):
        to_scalar(decimal.Decimal("NaN"), True, "x")


def test_booleans_and_junk_are_type_errors():
    with pytest.raises(TypeError, match="x: expected a number, got the boolean True"):
        to_scalar(True, False, "x")
    with pytest.raises(TypeError, match="x: expected a number, got dict"):
        to_scalar({}, False, "x")
    with pytest.raises(TypeError, match=r"grid values of w_H1 \[0\]: expected a number, got the "
                       "boolean True"):
        net, x, y = bp.worked_example()
        bp.cost_surface(net, x, y, {"w_H1": [True, False], "w_Out": [0, 1]})


def test_a_surface_over_the_memory_budget_is_refused_before_allocating(worked):
    net, x, y = worked
    big = np.linspace(-1, 1, 20000)
    with pytest.raises(ValueError, match=r"20000 x 20000 points .* would need 20.9 GiB, more than the 4 GiB"):
        bp.cost_surface(net, x, y, {"w_H1": big, "w_Out": big})
    assert 5000 * 5000 * 7 * 8 < MAX_SURFACE_BYTES  # 5,000 x 5,000 keeps working
    few = bp.cost_surface(net, x, y, {"w_H1": big[:3], "w_Out": big[:2]}, gradients=["w_H1"])
    assert set(few.grad) == {"w_H1"}


def test_a_surface_exactly_at_the_memory_budget_is_kept(worked, monkeypatch):
    """Refused only beyond the budget: the cost and one gradient on 3 x 2 points are 2 * 6
    floats of 8 bytes, kept with a budget of exactly that, refused with a byte less."""
    from backproplib.learning import surface
    net, x, y = worked
    grid, need = {"w_H1": [0.0, 0.5, 1.0], "w_Out": [0.0, 1.0]}, 2 * 3 * 2 * 8
    monkeypatch.setattr(surface, "MAX_SURFACE_BYTES", need)
    assert bp.cost_surface(net, x, y, grid, gradients=["w_H1"]).cost.shape == (3, 2)
    monkeypatch.setattr(surface, "MAX_SURFACE_BYTES", need - 1)
    with pytest.raises(ValueError, match="3 x 2 points with the cost and 1 gradients"):
        bp.cost_surface(net, x, y, grid, gradients=["w_H1"])


def test_with_params_wants_a_dict(worked):
    net, _, _ = worked
    with pytest.raises(TypeError, match=r"with_params: expected a dict \{parameter name: number\}"):
        net.with_params("w_Out")


def test_a_step_too_small_for_finite_differences_is_refused(worked):
    net, x, y = worked
    with pytest.raises(ValueError, match="h: expected a step between 1e-12 and 1.*round-off"):
        bp.numerical_gradients(net, x, y, h=1e-20)
    with pytest.raises(ValueError, match="h: expected a small positive step"):
        bp.numerical_gradients(net, x, y, h="small")


def test_verdict_of_nan_is_a_clear_error():
    from backproplib.chainrule.gradcheck import verdict

    with pytest.raises(ValueError, match="relative error: expected a number >= 0, got nan"):
        verdict(float("nan"))
    assert verdict(0.0) == "good"


def test_numpy_integers_stay_exact_without_overflow():
    from backproplib import exercises

    assert to_scalar(np.int64(10**18), True, "w") * 10**18 == 10**36
    assert exercises.check_value(1, np.int64(1), "n")
