"""The worked example's numbers in floats, names, indexing and with_params.

Every expected number is derived by hand from the seed (shared/seed/000_...txt), which is the
spec: z_H0 = 0.5*0.1 + 2 = 2.05, z_H1 = 2.05*0.01 + 1 = 1.0205, z_Out = 1.0205*0.5 + 3 = 3.51025,
dC/da_Out = 2*(3.51025 - 0) = 7.0205, and so on back through the chain.
"""

from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp

# The seed's numbers, by hand.
Z = {"H0": "2.05", "H1": "1.0205", "Out": "3.51025"}
DW = {"H0": "0.01755125", "H1": "7.1960125", "Out": "7.16442025"}
DB = {"H0": "0.0351025", "H1": "3.51025", "Out": "7.0205"}
DA = {"H0": "0.0351025", "H1": "3.51025", "Out": "7.0205"}  # dC/da; relu' = 1 so dC/dz too
DX = "0.00351025"  # 0.0351025 * w_H0 = 0.0351025 * 0.1
COST = "12.3218550625"  # 3.51025 ** 2


def close(actual, expected, tol=1e-12):
    return abs(float(actual) - float(Fraction(expected))) <= tol


def test_seed_forward_values_in_floats(worked):
    net, x, y = worked
    fwd = net.forward(x)
    for layer, z in Z.items():
        assert fwd.z[layer].shape == (1,)
        assert close(fwd.z[layer][0], z), (layer, fwd.z[layer])
        assert close(fwd.a[layer][0], z), (layer, fwd.a[layer])  # relu of a positive z
    assert close(fwd.output[0], "3.51025")
    assert fwd.x.tolist() == [0.5]


def test_seed_gradients_in_floats(worked):
    net, x, y = worked
    g = net.backward(x, y)
    assert close(g.cost, COST)
    for layer in ("H0", "H1", "Out"):
        assert g.dw[layer].shape == (1, 1)
        assert g.db[layer].shape == (1,)
        assert close(g.dw[layer][0, 0], DW[layer]), (layer, g.dw[layer])
        assert close(g.db[layer][0], DB[layer]), (layer, g.db[layer])
        assert close(g.da[layer][0], DA[layer]), (layer, g.da[layer])
        assert close(g.dz[layer][0], DA[layer]), (layer, g.dz[layer])
    assert close(g.dx[0], DX)


def test_seed_gradients_by_parameter_name(worked):
    net, x, y = worked
    g = net.backward(x, y)
    for layer in ("H0", "H1", "Out"):
        assert close(g[f"w_{layer}"], DW[layer])
        assert close(g[f"b_{layer}"], DB[layer])
    d = g.as_dict()
    assert tuple(d) == net.parameter_names
    assert close(d["w_H0"], "0.01755125")


def test_cost_method_matches_backward(worked):
    net, x, y = worked
    assert close(net.cost(x, y), COST)
    assert net.cost(x, y) == net.backward(x, y).cost


def test_backward_twice_gives_the_same_answer(worked):
    # micrograd users trip over accumulating gradients; ours must not accumulate.
    net, x, y = worked
    first, second = net.backward(x, y), net.backward(x, y)
    for layer in net.layer_names:
        assert np.array_equal(first.dw[layer], second.dw[layer])
        assert np.array_equal(first.db[layer], second.db[layer])


def test_report_format(worked):
    net, x, y = worked
    lines = net.backward(x, y).report().splitlines()
    assert lines == [
        "dC0/dw_H0 = 0.01755125",
        "dC0/db_H0 = 0.0351025",
        "dC0/dw_H1 = 7.1960125",
        "dC0/db_H1 = 3.51025",
        "dC0/dw_Out = 7.16442025",
        "dC0/db_Out = 7.0205",
    ]
    assert net.backward(x, y).report(["w_Out"]) == "dC0/dw_Out = 7.16442025"


# --- a wide network, by hand -----------------------------------------------------------------
# x = [1, 2]; H0: 3 relu neurons; Out: 2 linear neurons; y = [10, 0].
#   z_H0 = W0 x + b0 = [1-2+0, 2+2+1, 0+2-1] = [-1, 5, 1];  a_H0 = [0, 5, 1]
#   z_Out = W1 a_H0 + b1 = [0+10+3+0, 0+0+1+1] = [13, 2];  error = [3, 2];  C0 = 9 + 4 = 13
#   dC/dz_Out = 2*error = [6, 4];  dC/dW_Out = outer([6, 4], [0, 5, 1])
#   dC/da_H0 = W1^T [6, 4] = [6-4, 12+0, 18+4] = [2, 12, 22]
#   dC/dz_H0 = [2*0, 12*1, 22*1] = [0, 12, 22]  (z = -1: relu' = 0)
#   dC/dW_H0 = outer([0, 12, 22], [1, 2]);  dC/dx = W0^T [0, 12, 22] = [24, 34]
W0 = [[1, -1], [2, 1], [0, 1]]
B0 = [0, 1, -1]
W1 = [[1, 2, 3], [-1, 0, 1]]
B1 = [0, 1]


@pytest.fixture
def wide():
    net = bp.Network(weights=[W0, W1], biases=[B0, B1], activations=["relu", "linear"])
    return net, [1, 2], [10, 0]


def test_wide_network_by_hand(wide):
    net, x, y = wide
    fwd = net.forward(x)
    assert fwd.z["H0"].tolist() == [-1, 5, 1]
    assert fwd.a["H0"].tolist() == [0, 5, 1]
    assert fwd.z["Out"].tolist() == [13, 2]
    g = net.backward(x, y)
    assert g.cost == 13
    assert g.da["Out"].tolist() == [6, 4]
    assert g.dz["Out"].tolist() == [6, 4]
    assert g.dw["Out"].tolist() == [[0, 30, 6], [0, 20, 4]]
    assert g.db["Out"].tolist() == [6, 4]
    assert g.da["H0"].tolist() == [2, 12, 22]
    assert g.dz["H0"].tolist() == [0, 12, 22]
    assert g.dw["H0"].tolist() == [[0, 0], [12, 24], [22, 44]]
    assert g.db["H0"].tolist() == [0, 12, 22]
    assert g.dx.tolist() == [24, 34]


def test_wide_network_gradients_by_name(wide):
    net, x, y = wide
    g = net.backward(x, y)
    assert g["w_Out[0,1]"] == 30
    assert g["w_Out[1,2]"] == 4
    assert g["w_H0[2,1]"] == 44
    assert g["w_H0[1,0]"] == 12
    assert g["b_H0[1]"] == 12
    assert g["b_Out[0]"] == 6
    assert g.report(["w_H0[2,1]", "b_Out[1]"]) == "dC0/dw_H0[2,1] = 44\ndC0/db_Out[1] = 4"


def test_layers_given_as_numpy_arrays_of_different_shapes():
    # 3 -> 2 -> 2: W_H0 is 2x3 and W_Out 2x2, which numpy cannot stack into one array.
    net = bp.Network([np.ones((2, 3)), np.eye(2)], [np.zeros(2), np.array([0.5, -0.5])])
    assert net.sizes == (3, 2, 2)
    assert net.forward([1, 2, 3]).output.tolist() == [6.5, 5.5]


def test_shapes_follow_w_jk_convention(wide):
    net, x, y = wide
    assert net.sizes == (2, 3, 2)
    assert [W.shape for W in net.weights] == [(3, 2), (2, 3)]
    g = net.backward(x, y)
    assert [d.shape for d in g.dw] == [(3, 2), (2, 3)]
    assert [d.shape for d in g.db] == [(3,), (2,)]


# --- names ---------------------------------------------------------------------------------
def test_layer_names():
    assert bp.worked_example()[0].layer_names == ("H0", "H1", "Out")
    assert bp.Network.chain([1], [0]).layer_names == ("Out",)
    assert bp.Network.chain([1] * 5, [0] * 5).layer_names == ("H0", "H1", "H2", "H3", "Out")


def test_parameter_names_chain(worked):
    net, _, _ = worked
    assert net.parameter_names == ("w_H0", "b_H0", "w_H1", "b_H1", "w_Out", "b_Out")


def test_parameter_names_wide(wide):
    net, _, _ = wide
    assert net.parameter_names == (
        "w_H0[0,0]", "w_H0[0,1]", "w_H0[1,0]", "w_H0[1,1]", "w_H0[2,0]", "w_H0[2,1]",
        "b_H0[0]", "b_H0[1]", "b_H0[2]",
        "w_Out[0,0]", "w_Out[0,1]", "w_Out[0,2]", "w_Out[1,0]", "w_Out[1,1]", "w_Out[1,2]",
        "b_Out[0]", "b_Out[1]",
    )


def test_parameter_names_mixed_widths():
    # 1 -> 2 -> 1 -> 1: H0 has W 2x1, H1 has W 1x2 but one neuron, Out is 1x1.
    net = bp.Network([[[1], [2]], [[1, 1]], [[1]]], [[0, 0], [0], [0]])
    assert net.parameter_names == (
        "w_H0[0,0]", "w_H0[1,0]", "b_H0[0]", "b_H0[1]",
        "w_H1[0,0]", "w_H1[0,1]", "b_H1",
        "w_Out", "b_Out",
    )


def test_params_lists_every_parameter(worked):
    net, _, _ = worked
    assert net.params() == {"w_H0": 0.1, "b_H0": 2, "w_H1": 0.01, "b_H1": 1, "w_Out": 0.5,
                            "b_Out": 3}


# --- with_params ---------------------------------------------------------------------------
def test_with_params_changes_a_copy(worked):
    net, x, y = worked
    changed = net.with_params({"w_Out": 0.7})
    assert changed.params()["w_Out"] == 0.7
    assert net.params()["w_Out"] == 0.5  # the original is untouched
    # z_Out = 1.0205 * 0.7 + 3 = 3.71435
    assert close(changed.forward(x).output[0], "3.71435")
    # dC/dw_Out = 2 * 3.71435 * 1.0205 = 7.58098835
    assert close(changed.backward(x, y)["w_Out"], "7.58098835")
    assert changed.layer_names == net.layer_names
    assert [a.name for a in changed.activations] == ["relu"] * 3


def test_with_params_several_and_wide(wide):
    net, x, y = wide
    changed = net.with_params({"w_H0[0,1]": 0, "b_Out[1]": "-1"})
    assert changed.weights[0][0, 1] == 0
    assert changed.biases[1][1] == -1
    assert net.weights[0][0, 1] == -1
    # z_H0[0] = 1*1 + 0*2 + 0 = 1 > 0, so neuron 0 is alive now
    assert changed.forward(x).a["H0"].tolist() == [1, 5, 1]
    assert [a.name for a in changed.activations] == ["relu", "linear"]


def test_with_params_keeps_unchanged_values(worked):
    net, _, _ = worked
    changed = net.with_params({})
    assert changed.params() == net.params()


# --- LayerValues indexing ------------------------------------------------------------------
def test_layer_values_by_name_and_position(worked):
    net, x, _ = worked
    fwd = net.forward(x)
    assert fwd.a["H0"] is fwd.a[0]
    assert fwd.a["H1"] is fwd.a[1]
    assert fwd.a["Out"] is fwd.a[-1] is fwd.a[2]
    assert len(fwd.a) == 3
    assert [name for name, _ in fwd.z.items()] == ["H0", "H1", "Out"]
    assert [float(v[0]) for v in fwd.z] == [float(v[0]) for _, v in fwd.z.items()]


def test_layer_values_unknown_name(worked):
    net, x, _ = worked
    with pytest.raises(KeyError, match="H7.*H0, H1, Out"):
        net.forward(x).a["H7"]


def test_repr_shows_values(worked):
    net, x, _ = worked
    assert repr(net.forward(x).z) == "LayerValues(H0=2.05, H1=1.0205, Out=3.51025)"
    assert "1-1-1-1" in repr(net)


@pytest.mark.parametrize("n_k", [1, 3])
def test_weighted_sum_over_a_stack_of_weight_matrices(n_k):
    """W of shape (..., n_j, n_k) with grid axes in front: z[g, m, j] = sum_k W[g, j, k] a[m, k]."""
    from backproplib.core.network import weighted_sum
    rng = np.random.default_rng(7)
    for grid in [(4,), (3, 2)]:
        W, a = rng.normal(size=grid + (2, n_k)), rng.normal(size=(5, n_k))
        expected = np.einsum("...jk,mk->...mj", W, a)
        np.testing.assert_allclose(weighted_sum(a, W), expected, rtol=1e-12)
