"""numerical_gradients agrees with backward; relative_error and its verdicts (CS231n's)."""

import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import backproplib as bp
from backproplib.chainrule import gradcheck
from backproplib.chainrule.gradcheck import check_table, verdict

TABLES = ("dw", "db", "da", "dz")


def assert_gradients_close(numeric, analytic, rtol=1e-6, atol=1e-9):
    np.testing.assert_allclose(numeric.cost, analytic.cost, rtol=1e-12)
    for table in TABLES:
        n_layers, a_layers = getattr(numeric, table), getattr(analytic, table)
        assert n_layers.names == a_layers.names
        for name in a_layers.names:
            assert np.shape(n_layers[name]) == np.shape(a_layers[name]), (table, name)
            np.testing.assert_allclose(np.asarray(n_layers[name], dtype=float),
                                       np.asarray(a_layers[name], dtype=float),
                                       rtol=rtol, atol=atol, err_msg=f"{table} {name}")
    np.testing.assert_allclose(numeric.dx, np.asarray(analytic.dx, dtype=float),
                               rtol=rtol, atol=atol, err_msg="dx")


def test_numerical_gradients_of_the_seed(worked):
    net, x, y = worked
    numeric = bp.numerical_gradients(net, x, y)
    assert_gradients_close(numeric, net.backward(x, y))
    assert numeric["w_H0"] == pytest.approx(0.01755125, rel=1e-8)
    assert numeric["w_Out"] == pytest.approx(7.16442025, rel=1e-8)


def wide_smooth_network():
    rng = np.random.default_rng(7)
    sizes = (3, 4, 2, 2)
    weights = [rng.uniform(-1, 1, (sizes[L + 1], sizes[L])) for L in range(3)]
    biases = [rng.uniform(-1, 1, sizes[L + 1]) for L in range(3)]
    net = bp.Network(weights, biases, ["tanh", "sigmoid", "linear"])
    return net, rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 2)


def test_numerical_gradients_of_a_wide_smooth_network():
    net, x, y = wide_smooth_network()
    numeric = bp.numerical_gradients(net, x, y)
    assert_gradients_close(numeric, net.backward(x, y))
    assert numeric.dw["H0"].shape == (4, 3)
    assert set(numeric.as_dict()) == set(net.parameter_names)


@settings(deadline=None, max_examples=25)
@given(st.integers(1, 3), st.lists(st.integers(1, 4), min_size=2, max_size=4), st.data())
def test_numerical_gradients_agree_with_backward_on_smooth_networks(depth, sizes, data):
    sizes = sizes[: depth + 1] + [1] * (depth + 1 - len(sizes))
    unit = st.floats(-1, 1, allow_nan=False)
    weights = [data.draw(arrays(float, (sizes[L + 1], sizes[L]), elements=unit))
               for L in range(depth)]
    biases = [data.draw(arrays(float, (sizes[L + 1],), elements=unit)) for L in range(depth)]
    activations = [data.draw(st.sampled_from(["sigmoid", "tanh", "linear"]))
                   for _ in range(depth)]
    x = data.draw(arrays(float, (sizes[0],), elements=unit))
    y = data.draw(arrays(float, (sizes[-1],), elements=unit))
    net = bp.Network(weights, biases, activations)
    assert_gradients_close(bp.numerical_gradients(net, x, y), net.backward(x, y),
                           rtol=1e-5, atol=1e-8)


def test_numerical_gradients_of_an_exact_network_are_floats():
    net = bp.Network.chain(["0.1", "0.01", "0.5"], [2, 1, 3], exact=True)
    numeric = bp.numerical_gradients(net, "0.5", 0)
    assert numeric.dw["H0"].dtype == float
    assert numeric["w_H0"] == pytest.approx(float(Fraction("0.01755125")), rel=1e-8)


# --- relative_error and verdicts ------------------------------------------------------------
def test_relative_error_is_zero_when_both_are_zero():
    assert bp.relative_error(0, 0) == 0
    assert bp.relative_error(0.0, -0.0) == 0
    assert np.array_equal(bp.relative_error(np.zeros(3), np.zeros(3)), np.zeros(3))


def test_relative_error_formula():
    # |a - n| / max(1e-8, |a| + |n|)
    assert bp.relative_error(1, 1) == 0
    assert bp.relative_error(1, -1) == 1
    assert bp.relative_error(3, 1) == pytest.approx(0.5)
    assert bp.relative_error(1, 3) == pytest.approx(0.5)  # symmetric
    assert bp.relative_error(2, 2 * (1 + 1e-6)) == pytest.approx(1e-6 / (2 + 1e-6))
    assert bp.relative_error(1e-9, 0) == pytest.approx(0.1)  # the 1e-8 floor
    assert bp.relative_error(Fraction(1, 2), 0.5) == 0
    errors = bp.relative_error([1, 0, 2], [1, 1e-12, -2])
    assert errors.shape == (3,)
    assert errors[0] == 0 and errors[1] == pytest.approx(1e-4) and errors[2] == 1


@pytest.mark.parametrize("error, word", [
    (0.0, "good"), (1e-9, "good"), (9.9e-8, "good"),
    (1e-7, "fine near a kink"), (1e-5, "fine near a kink"),
    (1e-4, "suspicious"), (5e-3, "suspicious"),
    (1e-2, "probably wrong"), (0.5, "probably wrong"), (1.0, "probably wrong"),
])
def test_verdict_thresholds(error, word):
    assert verdict(error).startswith(word)


def test_gradient_check_rows_for_the_seed(worked):
    net, x, y = worked
    rows = bp.gradient_check(net, x, y)
    g = net.backward(x, y)
    assert [r.name for r in rows] == list(net.parameter_names)
    for r in rows:
        assert r.analytic == float(g[r.name])
        assert r.numeric == pytest.approx(r.analytic, rel=1e-7)
        assert r.error < 1e-7 and r.verdict == "good", r
    table = check_table(rows)
    assert table.splitlines()[0].split()[:3] == ["parameter", "backprop", "finite"]
    assert "w_H0" in table and "0.01755125" in table


@pytest.mark.parametrize("value", [0.01755125, -3.966778125e-05])
@pytest.mark.parametrize("names", [("w", "b_Out"), ("w_H0", "b_H0"), ("w_H1[10,12]", "b_H1[10]")])
def test_check_table_header_stands_over_its_columns(names, value):
    # "parameter        backprop" stood 4 characters right of "w_H0       0.01755125": the
    # width came from the parameter names alone, shorter than the word "parameter"; and
    # "w_H0       -3.966778125e-05" ran 2 characters past "backprop": 16 characters in 14
    rows = [gradcheck.CheckRow(name, value, value * 1e-300, 0.5) for name in names]
    header, *lines = check_table(rows).splitlines()
    ends = [header.index(word) + len(word) for word in ("backprop", "finite diff", "rel. error")]
    for line in lines:
        row = re.match(r"(\S+) +(\S+) +(\S+) +(\S+)  (\S.*)$", line)
        assert [row.end(2), row.end(3), row.end(4)] == ends, (header, line)
        assert row.start(5) == header.index("verdict") and row.start(1) == 0, (header, line)


def test_gradient_check_flags_a_relu_sitting_on_its_kink():
    # x = 1, w = 1, b = -1: z = 0 exactly. Backprop takes relu'(0) = 0, so dC/dw = 0, while the
    # central difference straddles the kink: (C(h) - C(-h)) / 2h = ((h - 1)^2 - 1) / 2h ~ -1.
    net = bp.Network.chain([1], [-1], "relu")
    rows = {r.name: r for r in bp.gradient_check(net, 1, 1)}
    assert rows["w_Out"].analytic == 0
    assert rows["w_Out"].numeric == pytest.approx(-1, rel=1e-4)
    assert rows["w_Out"].error == pytest.approx(1)
    # backprop is right by the convention; the quotient averages the slopes 0 and 2(a - y) of
    # the two sides, which the verdict says instead of "probably wrong"
    assert rows["w_Out"].straddled and rows["w_Out"].verdict == gradcheck.STRADDLED
    assert gradcheck.verdict(rows["w_Out"].error) == "probably wrong"


def test_a_kink_within_h_only_where_the_nudge_moves_a_z_across_it():
    # leaky ReLU with z_H0 = 0 and z_Out = 0 (notebook 02's reader's numbers): w_H1 meets a_H0 = 0
    # and moves nothing, w_Out moves z_Out across 0; far from every kink nothing straddles
    net = bp.Network.chain([2, 3, 0.5], [-1, 1, -0.5], "leaky_relu")
    assert gradcheck.kink_within(net, 0.5, "w_Out", 1e-5)
    assert gradcheck.kink_within(net, 0.5, "b_H0", 1e-5)
    assert not gradcheck.kink_within(net, 0.5, "w_H1", 1e-5)
    assert not gradcheck.kink_within(bp.Network.chain([2, 3, 0.5], [1, 1, 1], "relu"), 0.5,
                                     "w_Out", 1e-5)
    assert gradcheck.verdict(0.96, straddled=True) == gradcheck.STRADDLED
    assert gradcheck.verdict(1e-9, straddled=True) == "good"


@pytest.mark.parametrize("h", [1, 1.0, 2.0, 1e-13])
def test_step_outside_its_range(worked, h):
    net, x, y = worked
    with pytest.raises(ValueError, match="h: expected a step between 1e-12 and 1"):
        bp.numerical_gradients(net, x, y, h=h)


def test_forward_differences_agree_to_first_order_in_h():
    """(C(p + h) - C(p)) / h differs from dC/dp by about h C''(p) / 2: small for a small h."""
    net, x, y = wide_smooth_network()
    analytic = net.backward(x, y)
    for h in (1e-6, 1e-7):
        numeric = bp.numerical_gradients(net, x, y, h=h, kind="forward")
        assert_gradients_close(numeric, analytic, rtol=1e-4, atol=100 * h)


def test_step_errors_over_the_default_steps_fall_then_rise():
    """Truncation shrinks with h, round-off grows as h shrinks: over the default steps the
    central difference's error is least somewhere in between, far below both ends."""
    from backproplib.chainrule.gradcheck import STEPS, step_errors
    net = bp.Network.chain([0.9, 1.2, 0.5], [0.1, -0.2, 0.3], "tanh")
    errors = step_errors(net, 0.5, 0.2, "w_H0")
    assert {kind: len(e) for kind, e in errors.items()} == {"central": len(STEPS),
                                                            "forward": len(STEPS)}
    central = errors["central"]
    best = int(np.argmin(central))
    assert 0 < best < len(STEPS) - 1
    assert central[best] < central[0] / 100 and central[best] < central[-1] / 100


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "linear"])
def test_no_verdict_speaks_of_a_kink_where_the_activation_has_none(activation):
    # sigmoid's dC0/dw_H0 is 3e-06 here: round-off gives a relative error of about 5e-07
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation, exact=False)
    rows = bp.gradient_check(net, 0.5, 0, h=1e-3 if activation == "tanh" else 1e-5)
    assert any(1e-7 <= r.error < 1e-4 for r in rows) or activation == "linear"
    assert not any("kink" in r.verdict for r in rows), check_table(rows)
    middle = [r for r in rows if 1e-7 <= r.error < 1e-4]
    assert all(r.verdict == "high for a smooth activation" for r in middle)


def test_a_check_of_zero_against_zero_is_not_called_good():
    net = bp.Network.chain([0.1, 0.01, 0.5], [-1, 1, 3], "relu")  # H0 dead: both 0 for w_H0
    rows = {r.name: r for r in bp.gradient_check(net, 0.5, 0)}
    assert rows["w_H0"].analytic == 0 and rows["w_H0"].numeric == 0
    assert rows["w_H0"].verdict == "both 0: checks nothing"
    assert rows["w_Out"].verdict == "good"


def test_the_middle_band_blames_a_kink_only_where_the_network_has_one():
    row = gradcheck.CheckRow
    assert row("w_Out", 1.0, 1.00001, 1e-5, kinked=True).verdict == gradcheck.THRESHOLDS[1][1]
    assert row("w_Out", 1.0, 1.00001, 1e-5, kinked=False).verdict == "high for a smooth activation"
    relu, tanh = (bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], a) for a in ("relu", "tanh"))
    assert gradcheck.gradient_check(relu, 0.5, 0)[0].kinked
    assert not gradcheck.gradient_check(tanh, 0.5, 0)[0].kinked
