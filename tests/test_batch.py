"""A batch through the one backprop routine: the average cost C = (1/m) sum_k C0_k and the mean
of the examples' gradients, in floats and exact Fractions, checked example by example."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backproplib as bp
from backproplib.core.network import backpropagate

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "linear")


def random_net(rng, sizes, activation):
    weights = [rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=n_out) for n_out in sizes[1:]]
    return bp.Network(weights, biases, activation)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("sizes", [(1, 1, 1, 1), (3, 4, 2), (2, 5, 5, 3)])
def test_batch_is_the_mean_of_the_examples(activation, sizes):
    rng = np.random.default_rng(len(sizes) + len(activation))
    net = random_net(rng, sizes, activation)
    X, Y = rng.normal(size=(7, sizes[0])), rng.normal(size=(7, sizes[-1]))
    batch = net.backward(X, Y)
    singles = [net.backward(x, y) for x, y in zip(X, Y)]
    assert batch.batch_size == 7 and singles[0].batch_size is None
    assert batch.cost == pytest.approx(np.mean([g.cost for g in singles]), rel=1e-12)
    for L in range(len(net.weights)):
        np.testing.assert_allclose(batch.dw[L], np.mean([g.dw[L] for g in singles], axis=0),
                                   rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(batch.db[L], np.mean([g.db[L] for g in singles], axis=0),
                                   rtol=1e-12, atol=1e-14)
        # dC0/dz and dC0/da stay per example: row k is example k's own
        np.testing.assert_allclose(batch.dz[L], [g.dz[L] for g in singles], rtol=1e-12)
        np.testing.assert_allclose(batch.da[L], [g.da[L] for g in singles], rtol=1e-12)
    np.testing.assert_allclose(batch.dx, [g.dx for g in singles], rtol=1e-12)
    for name in net.parameter_names:
        assert batch[name] == pytest.approx(np.mean([g[name] for g in singles]), rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.fractions(-3, 3, max_denominator=20),
                          st.fractions(-3, 3, max_denominator=20)), min_size=1, max_size=6),
       st.sampled_from(["relu", "leaky_relu", "linear"]))
def test_exact_batch_is_exactly_the_mean(examples, activation):
    net = bp.Network.chain(["1/3", "-2/5", "7/4"], ["1/2", "3/4", "-1/8"], activation)
    X, Y = net.batch([x for x, _ in examples], [y for _, y in examples])
    batch = net.backward(X, Y)
    singles = [net.backward(x, y) for x, y in examples]
    m = len(examples)
    assert isinstance(batch.cost, Fraction)
    assert batch.cost == sum(g.cost for g in singles) / m
    for name in net.parameter_names:
        assert batch[name] == sum(g[name] for g in singles) / m


def test_batch_of_the_worked_example_by_hand():
    """Two examples, the second with x = 1, y = 1, worked with Fractions independently."""
    net = bp.Network.chain(["0.1", "0.01", "0.5"], [2, 1, 3])
    X, Y = net.batch(["0.5", 1], [0, 1])
    g = net.backward(X, Y)
    q = Fraction

    def by_hand(x, y):
        a0 = q(1, 10) * x + 2
        a1 = q(1, 100) * a0 + 1
        a2 = q(1, 2) * a1 + 3  # every z > 0, so every ReLU' is 1
        d2 = 2 * (a2 - y)
        return (a2 - y) ** 2, d2 * a1, d2 * q(1, 2) * a0, d2 * q(1, 2) * q(1, 100) * x

    (c0, o0, h10, h00), (c1, o1, h11, h01) = by_hand(q(1, 2), 0), by_hand(q(1), 1)
    assert g.cost == (c0 + c1) / 2
    assert (g["w_Out"], g["w_H1"], g["w_H0"]) == ((o0 + o1) / 2, (h10 + h11) / 2, (h00 + h01) / 2)
    assert g.report(["w_H0"]).startswith("dC/dw_H0 = ")  # C: the average over the batch


def test_batch_takes_flat_lists_for_one_neuron_layers(worked):
    net, _, _ = worked
    X, Y = net.batch([0.5, "1/2", 2], [0, 0, 1])
    assert X.shape == (3, 1) and Y.shape == (3, 1)
    with pytest.raises(ValueError, match="xs and ys: expected one target per example, got 3 inputs and 2"):
        net.batch([0.5, 1, 2], [0, 1])
    wide = bp.Network([[[1, 2]], [[3]]], [[0], [0]])
    with pytest.raises(ValueError, match=r"xs: expected 2 numbers per example \(the input layer has 2 neurons\), got 3"):
        wide.batch([[1, 2, 3]], [0])


def test_the_routine_broadcasts_a_grid_axis_through_every_layer(worked):
    """Leading axes on a weight are a grid: each grid point is its own network (a batch of
    one example here, as grids are batches)."""
    net, x, y = worked
    values = np.array([-1.0, 0.2, 3.0])
    weights = [np.asarray(W, float) for W in net.weights]
    weights[1] = values.reshape(3, 1, 1)
    biases = [np.asarray(b, float) for b in net.biases]
    X, Y = net.input(x)[None], net.target(y)[None]
    r = backpropagate(weights, biases, net.activations, X, Y, batch=True)
    wanted = backpropagate(weights, biases, net.activations, X, Y, batch=True,
                           wanted={1: [("w", (0, 0), None)], 0: [("b", (0,), None)]})
    for i, w in enumerate(values):
        g = net.with_params({"w_H1": w}).backward(x, y)
        assert r.cost[i] == pytest.approx(g.cost)
        assert r.dC_dw[1][i, 0, 0] == pytest.approx(g["w_H1"])
        assert r.dC_dw[0][i, 0, 0] == pytest.approx(g["w_H0"])
        assert wanted.dC_dw[1][0][i] == pytest.approx(g["w_H1"])
        assert wanted.dC_dw[0][0][i] == pytest.approx(g["b_H0"])


def test_a_grid_of_batches_is_each_grid_points_batch():
    """A grid axis on a wide layer's W and a batch of several examples: every grid point's
    average cost and mean gradients are those of its own network on the whole batch."""
    rng = np.random.default_rng(5)
    net = bp.Network([rng.normal(size=(3, 2)), rng.normal(size=(2, 3))],
                     [rng.normal(size=3), rng.normal(size=2)], ["tanh", "sigmoid"])
    X, Y = rng.normal(size=(4, 2)), rng.uniform(size=(4, 2))
    values = np.array([-0.5, 0.3, 2.0])
    weights = [np.asarray(W, float) for W in net.weights]
    weights[1] = np.repeat(weights[1][None], 3, axis=0)
    weights[1][:, 0, 1] = values
    r = backpropagate(weights, list(net.biases), net.activations, X, Y, batch=True)
    for i, w in enumerate(values):
        g = net.with_params({"w_Out[0,1]": w}).backward(X, Y)
        assert r.cost[i] == pytest.approx(g.cost, rel=1e-12)
        for L in range(2):
            np.testing.assert_allclose(r.dC_dw[L][i], g.dw[L], rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(r.dC_db[L][i], g.db[L], rtol=1e-12, atol=1e-15)


def test_descend_is_one_step_of_the_update_rule(worked):
    net, x, y = worked
    g = net.backward(x, y)
    stepped = net.descend(g, 0.1)
    for name in net.parameter_names:
        assert stepped.param(name) == pytest.approx(net.param(name) - 0.1 * g[name])
    only = net.descend(g, "1/10", names=["w_Out"])
    assert only.param("w_Out") == pytest.approx(net.param("w_Out") - 0.1 * g["w_Out"])
    assert only.param("w_H0") == net.param("w_H0")
    assert net.param("w_Out") == 0.5  # the network itself never changes
    with pytest.raises(ValueError, match="descend: expected the Gradients of this network"):
        bp.Network.chain([1, 2], [0, 0]).descend(g, 0.1)


def test_networks_are_read_only(worked):
    net, _, _ = worked
    with pytest.raises(ValueError, match="read-only"):
        net.weights[0][0, 0] = 5.0


def test_batch_needs_lists_of_examples(worked):
    net, _, _ = worked
    for xs, ys in ((0.5, [0]), ([0.5], 0), ("0.5", [0])):
        with pytest.raises(ValueError, match="expected a list of examples"):
            net.batch(xs, ys)
