"""Cost pairs: the quadratic cost (the default) and cross-entropy with a softmax or sigmoid
output, each C0 with its first delta dC0/dz^Out."""

from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp


def assert_gradients_close(numeric, analytic):
    """Every table of numerical_gradients against backward's."""
    assert numeric.cost == pytest.approx(analytic.cost, rel=1e-12)
    for table in ("dw", "db", "da", "dz"):
        for L, (n, a) in enumerate(zip(getattr(numeric, table), getattr(analytic, table))):
            np.testing.assert_allclose(n, a, rtol=1e-6, atol=1e-9, err_msg=f"{table} {L}")
    np.testing.assert_allclose(numeric.dx, analytic.dx, rtol=1e-6, atol=1e-9, err_msg="dx")


def classifier(cost="cross_entropy", output="softmax", seed=3, n_out=3):
    """A 4-5-n_out network with tanh hidden neurons."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.8, (5, 4)), rng.normal(0, 0.8, (n_out, 5))]
    biases = [rng.normal(0, 0.3, 5), rng.normal(0, 0.3, n_out)]
    return bp.Network(weights, biases, activations=["tanh", output], cost=cost)


def one_hot(j, n=3):
    y = np.zeros(n)
    y[j] = 1.0
    return y


X = np.array([[0.5, -1.0, 2.0, 0.1], [-0.3, 0.8, 0.0, 1.5], [1.2, 0.4, -0.7, -0.2]])
Y = np.array([one_hot(2), one_hot(0), one_hot(1)])


def softmax_ce_by_hand(net, x, y):
    """dC0/dW and dC0/db of -sum_j y_j log softmax(z)_j, written out with the full softmax
    Jacobian da_i/dz_j = a_i (delta_ij - a_j) and dC0/da_i = -y_i / a_i (no collapse used)."""
    (W0, W1), (b0, b1) = net.weights, net.biases
    h = np.tanh(W0 @ x + b0)
    z = W1 @ h + b1
    a = np.exp(z) / np.exp(z).sum()
    jacobian = np.array([[a[i] * ((i == j) - a[j]) for j in range(len(a))]
                         for i in range(len(a))])
    dC_dz = jacobian.T @ (-y / a)
    dC_dh = W1.T @ dC_dz
    dC_dz0 = dC_dh * (1 - h ** 2)
    return -np.sum(y * np.log(a)), [np.outer(dC_dz0, x), np.outer(dC_dz, h)], [dC_dz0, dC_dz]


@pytest.mark.parametrize("k", range(3))
def test_softmax_cross_entropy_matches_a_hand_written_formula(k):
    net = classifier()
    cost, dw, db = softmax_ce_by_hand(net, X[k], Y[k])
    g = net.backward(X[k], Y[k])
    assert g.cost == pytest.approx(cost, rel=1e-12)
    for L in range(2):
        np.testing.assert_allclose(g.dw[L], dw[L], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(g.db[L], db[L], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("cost, output", [("cross_entropy", "softmax"),
                                          ("cross_entropy", "sigmoid"),
                                          ("quadratic", "softmax")])
def test_finite_differences_agree(cost, output):
    net = classifier(cost, output)
    y = np.array([0.0, 1.0, 0.0])
    assert_gradients_close(bp.numerical_gradients(net, X[0], y), net.backward(X[0], y))
    assert_gradients_close(bp.numerical_gradients(net, X, Y), net.backward(X, Y))


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_first_delta_is_a_minus_y(output):
    net = classifier("cross_entropy", output)
    for x, y in zip(X, Y):
        g = net.backward(x, y)
        np.testing.assert_allclose(g.dz["Out"], g.forward.output - y, rtol=1e-12, atol=1e-15)


def test_quadratic_on_softmax_goes_through_the_whole_jacobian():
    net = classifier("quadratic", "softmax")
    g = net.backward(X[0], Y[0])
    a = g.forward.output
    jacobian = np.diag(a) - np.outer(a, a)
    np.testing.assert_allclose(g.dz["Out"], jacobian.T @ (2 * (a - Y[0])), rtol=1e-12)
    np.testing.assert_allclose(g.da["Out"], 2 * (a - Y[0]), rtol=1e-12)


def test_cross_entropy_dC_da():
    g = classifier().backward(X[0], Y[0])
    np.testing.assert_allclose(g.da["Out"], -Y[0] / g.forward.output)
    g = classifier(output="sigmoid").backward(X[0], Y[0])
    a = g.forward.output
    np.testing.assert_allclose(g.da["Out"], -Y[0] / a + (1 - Y[0]) / (1 - a))


@pytest.mark.parametrize("cost, output", [("cross_entropy", "softmax"),
                                          ("cross_entropy", "sigmoid")])
def test_batch_is_the_mean_of_the_examples(cost, output):
    net = classifier(cost, output)
    batch = net.backward(X, Y)
    singles = [net.backward(x, y) for x, y in zip(X, Y)]
    assert batch.cost == pytest.approx(np.mean([s.cost for s in singles]), rel=1e-12)
    for L in range(2):
        np.testing.assert_allclose(batch.dw[L], np.mean([s.dw[L] for s in singles], axis=0),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(batch.db[L], np.mean([s.db[L] for s in singles], axis=0),
                                   rtol=1e-12, atol=1e-15)


def test_the_cost_is_minus_the_log_of_the_right_class():
    net = classifier()
    for x, y in zip(X, Y):
        a = net.forward(x).output
        assert a.sum() == pytest.approx(1.0, rel=1e-15)
        assert net.cost(x, y) == pytest.approx(-np.log(a[np.argmax(y)]), rel=1e-12)


def test_binary_cross_entropy_on_one_sigmoid_output():
    net = bp.Network.chain([0.7, -1.3], [0.2, 0.4], ["tanh", "sigmoid"], cost="cross_entropy")
    for y in (0.0, 1.0, 0.25):
        g = net.backward(0.5, y)
        a = g.forward.output[0]
        assert g.cost == pytest.approx(-(y * np.log(a) + (1 - y) * np.log(1 - a)), rel=1e-12)
        assert g.dz["Out"][0] == pytest.approx(a - y, rel=1e-12)
        assert g["w_Out"] == pytest.approx((a - y) * g.forward.a["H0"][0], rel=1e-12)


def test_cross_entropy_has_no_slow_start_where_quadratic_has():
    """A saturated, wrong sigmoid output: the quadratic gradient carries sigma'(z), tiny; the
    cross-entropy gradient a - y does not."""
    kwargs = dict(weights=[1.0], biases=[-8.0], activation="sigmoid")
    quadratic = bp.Network.chain(**kwargs).backward(1.0, 1.0)
    ce = bp.Network.chain(**kwargs, cost="cross_entropy").backward(1.0, 1.0)
    a = quadratic.forward.output[0]
    assert quadratic["w_Out"] == pytest.approx(2 * (a - 1) * a * (1 - a), rel=1e-12)
    assert ce["w_Out"] == pytest.approx(a - 1, rel=1e-12)
    assert abs(ce["w_Out"]) > 100 * abs(quadratic["w_Out"])


def test_large_logits_stay_finite():
    net = bp.Network([[[1.0], [-1.0], [0.5]]], [[0.0, 0.0, 0.0]], ["softmax"],
                     cost="cross_entropy")
    g = net.backward(2000.0, [0, 1, 0])
    assert g.cost == pytest.approx(4000.0, rel=1e-12)  # -log a_1 = z_0 - z_1 = 4000
    np.testing.assert_allclose(g.dz["Out"], [1.0, -1.0, 0.0])
    assert g["w_Out[0,0]"] == pytest.approx(2000.0)
    sig = bp.Network.chain([1.0], [0.0], "sigmoid", cost="cross_entropy")
    assert sig.cost(-800.0, 1.0) == pytest.approx(800.0, rel=1e-12)


def test_cross_entropy_dC_da_matches_finite_differences_for_soft_targets():
    """Targets strictly between 0 and 1 use both terms of -y/a + (1 - y)/(1 - a)."""
    net = classifier(output="sigmoid")
    y = np.array([0.2, 0.7, 0.5])
    numeric = bp.numerical_gradients(net, X[1], y)
    np.testing.assert_allclose(net.backward(X[1], y).da["Out"], numeric.da["Out"], rtol=1e-7)


def test_cross_entropy_dC_da_is_zero_where_y_is_zero_even_if_a_underflowed():
    """-y_j / a_j with y_j = 0 is 0 (the docstring's rule), also where a_j is exactly 0."""
    net = bp.Network([[[1.0], [-1.0], [0.5]]], [[0.0, 0.0, 0.0]], ["softmax"],
                     cost="cross_entropy")
    g = net.backward(2000.0, [1, 0, 0])
    assert g.forward.output.tolist() == [1.0, 0.0, 0.0]
    assert g.da["Out"].tolist() == [-1.0, 0.0, 0.0]


def test_quadratic_default_keeps_the_seed_exactly():
    net = bp.Network.chain(weights=["0.1", "0.01", "0.5"], biases=[2, 1, 3], activation="relu",
                           exact=True)
    assert net.cost_function.name == "quadratic"
    g = net.backward("0.5", 0)
    assert g.dw["Out"][0, 0] == Fraction("7.16442025")
    assert g.dw["H1"][0, 0] == Fraction("7.1960125")
    assert g.dw["H0"][0, 0] == Fraction("0.01755125")
    explicit = bp.Network.chain(weights=["0.1", "0.01", "0.5"], biases=[2, 1, 3],
                                activation="relu", exact=True, cost="quadratic")
    assert explicit.backward("0.5", 0).as_dict() == g.as_dict()


def test_the_cost_survives_copies():
    net = classifier()
    assert net.with_params({"b_Out[0]": 0.1}).cost_function.name == "cross_entropy"
    stepped = net.descend(net.backward(X, Y), 0.1)
    assert stepped.cost_function.name == "cross_entropy"
    assert stepped.cost(X, Y) < net.cost(X, Y)
    assert "cost=cross_entropy" in repr(net)
    exact = bp.Network.chain(["1/2"], [0], "linear", cost="quadratic")
    assert exact.exact and exact.as_float().backward(1, 0)["w_Out"] == 1.0


def test_surface_follows_the_cost_pair():
    net = classifier()
    surface = bp.cost_surface(net, X, Y, {"w_Out[0,0]": [-0.5, 0.25], "b_Out[2]": [0.0, 1.0]})
    there = net.with_params({"w_Out[0,0]": 0.25, "b_Out[2]": 1.0}).backward(X, Y)
    assert surface.cost[1, 1] == pytest.approx(there.cost, rel=1e-12)
    assert surface.grad["w_H0[1,2]"][1, 1] == pytest.approx(there["w_H0[1,2]"], rel=1e-10)


# --- bad input ---------------------------------------------------------------------------------
def test_unknown_cost_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown cost 'hinge'; known: quadratic, cross_entropy"):
        classifier(cost="hinge")
    with pytest.raises(TypeError, match="cost: expected the name of a cost"):
        classifier(cost=3)


def test_cross_entropy_needs_a_probability_output():
    with pytest.raises(ValueError, match="cost cross_entropy: expected a softmax or sigmoid "
                                         "output layer Out, got relu"):
        bp.Network.chain([1, 1], [0, 0], "relu", cost="cross_entropy")


def test_softmax_only_on_the_output_layer():
    weights, biases = [np.ones((2, 2)), np.ones((2, 2))], [np.zeros(2), np.zeros(2)]
    with pytest.raises(ValueError, match="activation of layer H0: softmax is for the output "
                                         "layer Out only"):
        bp.Network(weights, biases, ["softmax", "softmax"])
    with pytest.raises(ValueError, match="activation: softmax is for the output layer Out only"):
        bp.Network(weights, biases, "softmax")
    assert bp.Network(weights[:1], biases[:1], "softmax").activations[0].name == "softmax"


def test_softmax_refused_in_exact_mode():
    with pytest.raises(ValueError, match="exact=True needs rational activations .* got softmax: "
                                         "their values are irrational"):
        bp.Network([[["1/2"], ["1"]]], [[0, 0]], ["softmax"], exact=True)


@pytest.mark.parametrize("y, why", [([0.5, 0.6, 0.0], "sum to 1"),
                                    ([-0.5, 1.5, 0.0], "between 0 and 1"),
                                    ([[1, 0, 0], [0.2, 0.2, 0.2]], "sum to 1")])
def test_targets_must_be_probabilities(y, why):
    net = classifier()
    x = X[0] if np.ndim(y) == 1 else X[:2]
    with pytest.raises(ValueError, match=f"y: cross-entropy .*{why}"):
        net.backward(x, y)


def test_sigmoid_targets_need_not_sum_to_one():
    net = classifier(output="sigmoid")
    assert np.isfinite(net.backward(X[0], [1.0, 1.0, 0.0]).cost)
    with pytest.raises(ValueError, match="between 0 and 1"):
        net.backward(X[0], [2.0, 0.0, 0.0])


def test_softmax_slope_is_the_jacobians_diagonal():
    g = classifier().backward(X[0], Y[0])
    a = g.forward.output
    np.testing.assert_allclose(g.da_dz["Out"], a * (1 - a), rtol=1e-12)


def test_surface_checks_cross_entropy_targets_on_deeper_networks():
    rng = np.random.default_rng(0)
    net = bp.Network([rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))],
                     [np.zeros(3)] * 3, ["tanh", "relu", "softmax"], cost="cross_entropy")
    grid = {"b_Out[0]": [0.0, 1.0], "b_Out[1]": [0.0, 1.0]}
    with pytest.raises(ValueError, match="sum to 1"):
        bp.cost_surface(net, [0.5, 1.0], [0.5, 0.6, 0.0], grid)
    surface = bp.cost_surface(net, [0.5, 1.0], [0, 0, 1], grid)
    there = net.with_params({"b_Out[0]": 1.0, "b_Out[1]": 0.0}).backward([0.5, 1.0], [0, 0, 1])
    assert surface.cost[1, 0] == pytest.approx(there.cost, rel=1e-12)
