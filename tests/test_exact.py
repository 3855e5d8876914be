"""Exact mode: Fractions all the way through, for the seed and for random rational networks."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backproplib as bp

# The seed's numbers, derived by hand (see test_network.py for the arithmetic).
Z = {"H0": Fraction("2.05"), "H1": Fraction("1.0205"), "Out": Fraction("3.51025")}
DW = {"H0": Fraction("0.01755125"), "H1": Fraction("7.1960125"), "Out": Fraction("7.16442025")}
DB = {"H0": Fraction("0.0351025"), "H1": Fraction("3.51025"), "Out": Fraction("7.0205")}
DX = Fraction("0.00351025")
COST = Fraction("12.3218550625")


def assert_seed_exact(net, x, y):
    assert net.exact
    fwd = net.forward(x)
    for layer, z in Z.items():
        assert fwd.z[layer][0] == z and type(fwd.z[layer][0]) is Fraction, layer
        assert fwd.a[layer][0] == z and type(fwd.a[layer][0]) is Fraction, layer
    g = net.backward(x, y)
    assert g.cost == COST and type(g.cost) is Fraction
    for layer in ("H0", "H1", "Out"):
        for value, expected in ((g.dw[layer][0, 0], DW[layer]), (g.db[layer][0], DB[layer]),
                                (g.da[layer][0], DB[layer]), (g.dz[layer][0], DB[layer])):
            assert value == expected, (layer, value, expected)
            assert type(value) is Fraction
    assert g.dx[0] == DX
    assert g["w_H0"] == Fraction(14041, 800000)  # 0.01755125, not a float near it


def test_exact_from_strings():
    net = bp.Network.chain(weights=["0.1", "0.01", "0.5"], biases=[2, 1, 3],
                           activation="relu", exact=True)
    assert_seed_exact(net, "0.5", 0)


def test_exact_from_floats_reads_them_as_decimals():
    # 0.1 is taken as 1/10, not as the binary float closest to it.
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], exact=True)
    assert net.weights[0][0, 0] == Fraction(1, 10)
    assert net.weights[1][0, 0] == Fraction(1, 100)
    assert_seed_exact(net, 0.5, 0)


def test_exact_from_numpy_floats():
    net = bp.Network.chain(weights=np.array([0.1, 0.01, 0.5]), biases=np.array([2.0, 1, 3]),
                           exact=True)
    assert_seed_exact(net, np.float64(0.5), np.array([0.0]))


def test_exact_from_fractions_without_asking():
    # exact=None: a Fraction or a string among the numbers asks for exactness.
    net = bp.Network.chain(weights=[Fraction(1, 10), Fraction(1, 100), Fraction(1, 2)],
                           biases=[2, 1, 3])
    assert_seed_exact(net, Fraction(1, 2), 0)
    assert bp.Network.chain(weights=["0.1", 0.01, 0.5], biases=[2, 1, 3]).exact


def test_floats_stay_floats_unless_asked(worked):
    net, x, y = worked
    assert not net.exact
    assert net.backward(x, y).dw["H0"].dtype == float
    assert not bp.Network.chain(["0.1", "0.01", "0.5"], [2, 1, 3], exact=False).exact


def test_exact_report_prints_exact_decimals():
    net = bp.Network.chain(weights=["0.1", "0.01", "0.5"], biases=[2, 1, 3], exact=True)
    report = net.backward("0.5", 0).report()
    assert "dC0/dw_H0 = 0.01755125" in report.splitlines()
    assert "dC0/dw_Out = 7.16442025" in report.splitlines()


def test_exact_with_params_stays_exact():
    net = bp.Network.chain(weights=["0.1", "0.01", "0.5"], biases=[2, 1, 3], exact=True)
    changed = net.with_params({"w_Out": 0.7, "b_Out": "1/3"})
    assert changed.exact
    assert changed.params()["w_Out"] == Fraction(7, 10)
    assert changed.params()["b_Out"] == Fraction(1, 3)
    # z_Out = 1.0205 * 7/10 + 1/3, exactly
    assert changed.forward("0.5").output[0] == Fraction("1.0205") * Fraction(7, 10) + Fraction(1, 3)


def test_exact_leaky_relu_slope_is_one_hundredth():
    net = bp.Network.chain(weights=["1"], biases=["-3"], activation="leaky_relu", exact=True)
    fwd = net.forward(1)
    assert fwd.z["Out"][0] == -2
    assert fwd.output[0] == Fraction(-2, 100)
    g = net.backward(1, 0)
    # dC/da = 2 * (-1/50) = -1/25; dC/dz = -1/25 * 1/100 = -1/2500; dC/dw = dC/dz * x
    assert g.dz["Out"][0] == Fraction(-1, 2500)
    assert g["w_Out"] == Fraction(-1, 2500)


def test_exact_relu_on_its_kink_takes_derivative_zero():
    # x = 1, w = 1, b = -1: z = 0 exactly, and relu'(0) = 0 as in PyTorch.
    g = bp.Network.chain(["1"], ["-1"], "relu", exact=True).backward(1, 1)
    assert g.dz["Out"][0] == 0 and g["w_Out"] == 0 and g["b_Out"] == 0
    assert g.da["Out"][0] == -2  # 2 * (0 - 1)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_exact_refuses_irrational_activations(activation):
    with pytest.raises(ValueError, match=f"exact=True.*{activation}.*irrational"):
        bp.Network.chain(weights=[1], biases=[0], activation=activation, exact=True)


def test_exact_refuses_an_irrational_activation_among_several():
    with pytest.raises(ValueError, match="tanh.*irrational"):
        bp.Network.chain(weights=[1, 1], biases=[0, 0], activation=["relu", "tanh"], exact=True)


def test_strings_with_sigmoid_fall_back_to_floats():
    # Without exact=True nothing is refused: the network simply computes in floats.
    net = bp.Network.chain(weights=["0.5"], biases=["0"], activation="sigmoid")
    assert not net.exact
    assert net.forward("0").output[0] == 0.5


# --- random rational networks: the Fraction answer is the float answer, to rounding -------
RATIONAL_ACTIVATIONS = ["relu", "leaky_relu", "linear"]
small_rational = st.builds(Fraction, st.integers(-20, 20), st.sampled_from([1, 2, 4, 5, 10]))


@st.composite
def rational_networks(draw):
    depth = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 6)) for _ in range(depth + 1)]
    weights = [[[draw(small_rational) for _ in range(sizes[L])] for _ in range(sizes[L + 1])]
               for L in range(depth)]
    biases = [[draw(small_rational) for _ in range(sizes[L + 1])] for L in range(depth)]
    if draw(st.booleans()):
        activations = draw(st.sampled_from(RATIONAL_ACTIVATIONS))
    else:
        activations = [draw(st.sampled_from(RATIONAL_ACTIVATIONS)) for _ in range(depth)]
    x = [draw(small_rational) for _ in range(sizes[0])]
    y = [draw(small_rational) for _ in range(sizes[-1])]
    return weights, biases, activations, x, y


def floats(nested):
    return np.array(nested, dtype=object).astype(float)


@settings(deadline=None, max_examples=40)
@given(rational_networks())
def test_exact_equals_float_on_random_rational_networks(case):
    weights, biases, activations, x, y = case
    exact = bp.Network(weights, biases, activations, exact=True)
    approx = bp.Network([floats(W) for W in weights], [floats(b) for b in biases], activations,
                        exact=False)
    assert exact.exact and not approx.exact
    ge, gf = exact.backward(x, y), approx.backward(floats(x), floats(y))
    assert type(ge.cost) is Fraction

    def same(e, f, kinds=(Fraction,)):
        e = np.asarray(e, dtype=object)
        assert all(type(v) in kinds for v in e.flat), e
        e = e.astype(float)
        assert e.shape == np.shape(f)
        np.testing.assert_allclose(f, e, rtol=1e-9, atol=1e-9)

    same(ge.cost, gf.cost)
    for L in range(len(weights)):
        for table in ("dw", "db", "da", "dz"):
            same(getattr(ge, table)[L], getattr(gf, table)[L])
        # relu's zeros come out as the int 0 in exact mode: exact, though not a Fraction
        same(exact.forward(x).a[L], approx.forward(floats(x)).a[L], kinds=(Fraction, int))
    same(ge.dx, gf.dx)
