"""cost_surface: the cost and every gradient over a grid, point by point equal to backward."""

import numpy as np
import pytest

import backproplib as bp


def assert_matches_pointwise(net, x, y, grid, points=None):
    surface = bp.cost_surface(net, x, y, grid)
    (n1, v1), (n2, v2) = grid.items()
    assert surface.names == (n1, n2)
    assert surface.cost.shape == (len(v1), len(v2))
    assert set(surface.grad) == set(net.parameter_names)
    for name in net.parameter_names:
        assert surface.grad[name].shape == (len(v1), len(v2)), name
    if points is None:
        points = [(i, j) for i in range(len(v1)) for j in range(len(v2))]
    for i, j in points:
        g = net.with_params({n1: v1[i], n2: v2[j]}).backward(x, y)
        where = f"{n1}={v1[i]}, {n2}={v2[j]}"
        assert surface.cost[i, j] == pytest.approx(float(g.cost), rel=1e-12, abs=1e-14), where
        for name in net.parameter_names:
            assert surface.grad[name][i, j] == pytest.approx(float(g[name]), rel=1e-10,
                                                             abs=1e-12), f"{name} at {where}"
    return surface


@pytest.mark.parametrize("pair", [
    ("w_H1", "w_Out"), ("w_Out", "w_H1"), ("b_H0", "w_H0"), ("w_H0", "b_Out"), ("b_H1", "b_Out"),
])
def test_seed_surface_matches_backward(worked, pair):
    net, x, y = worked
    grid = {pair[0]: np.linspace(-1.5, 2.5, 5), pair[1]: np.linspace(-3.25, 1.75, 4)}
    assert_matches_pointwise(net, x, y, grid)


def test_seed_point_on_the_grid(worked):
    net, x, y = worked
    surface = bp.cost_surface(net, x, y, {"w_H1": [0.0, 0.01, 0.02], "w_Out": [0.5, 0.6]})
    assert surface.cost[1, 0] == pytest.approx(12.3218550625, rel=1e-12)
    assert surface.grad["w_Out"][1, 0] == pytest.approx(7.16442025, rel=1e-12)
    assert surface.grad["w_H1"][1, 0] == pytest.approx(7.1960125, rel=1e-12)
    assert surface.grad["w_H0"][1, 0] == pytest.approx(0.01755125, rel=1e-12)
    assert surface.grad["b_Out"][1, 0] == pytest.approx(7.0205, rel=1e-12)
    np.testing.assert_array_equal(surface.values[0], [0.0, 0.01, 0.02])
    np.testing.assert_array_equal(surface.values[1], [0.5, 0.6])


def wide_network():
    # 2 -> 3 -> 2 -> 1 with tanh, relu, sigmoid.
    weights = [[[0.3, -0.7], [0.5, 0.2], [-0.4, 0.9]],
               [[0.6, -0.3, 0.8], [-0.5, 0.4, 0.1]],
               [[1.2, -0.9]]]
    biases = [[0.1, -0.2, 0.05], [0.3, 0.5], [-0.1]]
    return bp.Network(weights, biases, ["tanh", "relu", "sigmoid"]), [0.8, -0.6], [0.25]


def test_relus_kink_on_a_large_grid_has_slope_zero(worked):
    """ReLU'(0) = 0 on a grid of 81 points too (a large array takes another route to sigma'):
    at w_Out = b_Out = 0, z_Out = 0 exactly, and with y = 1 the slope decides dC0/dw_Out."""
    net, x, _ = worked
    values = np.linspace(-1.0, 1.0, 9)  # holds 0.0
    surface = assert_matches_pointwise(net, x, 1.0, {"w_Out": values, "b_Out": values}, [(4, 4)])
    g = net.with_params({"w_Out": 0.0, "b_Out": 0.0}).backward(x, 1.0)
    assert g.forward.z["Out"][0] == 0 and g.da_dz["Out"][0] == 0
    assert surface.grad["w_Out"][4, 4] == 0 and surface.dead["Out"][4, 4]


@pytest.mark.parametrize("pair", [
    ("w_H1[0,1]", "w_Out[0,1]"), ("b_H0[2]", "w_H0[1,0]"), ("w_H1[1,2]", "b_Out"),
    ("w_H0[0,1]", "w_H1[0,1]"),
])
def test_wide_surface_matches_backward(pair):
    net, x, y = wide_network()
    assert "w_H1[0,1]" in net.parameter_names
    grid = {pair[0]: np.linspace(-2, 2, 6), pair[1]: np.linspace(-1.3, 1.7, 5)}
    assert_matches_pointwise(net, x, y, grid, points=[(0, 0), (1, 3), (2, 4), (3, 1), (5, 2)])


def test_wide_network_with_two_outputs():
    net = bp.Network([[[1.0, -0.5], [0.25, 0.75]], [[0.5, -1.0], [1.5, 0.5]]],
                     [[0.1, -0.1], [0.0, 0.2]], "leaky_relu")
    grid = {"w_Out[1,0]": [-1.0, 0.3, 1.1], "b_H0[0]": [-0.7, 0.45]}
    assert_matches_pointwise(net, [0.4, -0.9], [1.0, -0.5], grid)


def test_exact_network_surface_is_in_floats():
    net = bp.Network.chain(["0.1", "0.01", "0.5"], [2, 1, 3], exact=True)
    surface = bp.cost_surface(net, "0.5", 0, {"w_H1": [0.01, 0.02], "w_Out": [0.5, 1]})
    assert surface.cost.dtype == float
    assert surface.cost[0, 0] == pytest.approx(12.3218550625, rel=1e-12)


# --- bad grids ------------------------------------------------------------------------------
@pytest.mark.parametrize("grid", [
    [("w_H1", [0, 1]), ("w_Out", [0, 1])],
    {"w_H1": [0, 1]},
    {"w_H0": [0, 1], "w_H1": [0, 1], "w_Out": [0, 1]},
])
def test_grid_needs_two_parameters(worked, grid):
    net, x, y = worked
    with pytest.raises(ValueError, match="grid: expected"):
        bp.cost_surface(net, x, y, grid)


def test_grid_unknown_parameter_lists_the_valid_ones(worked):
    net, x, y = worked
    with pytest.raises(ValueError, match="unknown parameter 'w_H3'.*w_H0, b_H0, w_H1"):
        bp.cost_surface(net, x, y, {"w_H3": [0, 1], "w_Out": [0, 1]})


@pytest.mark.parametrize("values, words", [
    (0.5, r"w_Out: expected a list of at least 2 numbers, got the one number 0.5"),
    ([0.5], r"w_Out: expected a list of at least 2 numbers, got the one number 0.5"),
    ([[0.1, 0.2], [0.3, 0.4]], r"w_Out: expected a list of numbers, got .* shape \(2, 2\)"),
    ([0.1, float("nan")], r"w_Out \[1\]: expected a finite number, got nan"),
    ([0.1, float("inf")], r"w_Out \[1\]: expected a finite number, got inf"),
])
def test_bad_grid_values(worked, values, words):
    net, x, y = worked
    with pytest.raises(ValueError, match=words):
        bp.cost_surface(net, x, y, {"w_H1": [0, 1], "w_Out": values})


def test_grid_values_that_are_text(worked):
    net, x, y = worked
    with pytest.raises(ValueError, match=r"w_H1 \[0\]: expected a number such as 0.1, -2 or 1/3"):
        bp.cost_surface(net, x, y, {"w_H1": ["a", "b"], "w_Out": [0, 1]})
    as_text = bp.cost_surface(net, x, y, {"w_H1": ["-1/2", "0.5"], "w_Out": [0, 1]})
    assert as_text.values[0].tolist() == [-0.5, 0.5]  # numbers as text, as everywhere


def test_surface_checks_x_and_y(worked):
    net, x, y = worked
    grid = {"w_H1": [0, 1], "w_Out": [0, 1]}
    with pytest.raises(ValueError, match="y: expected 1 number.*got 2"):
        bp.cost_surface(net, x, [0, 1], grid)
    with pytest.raises(ValueError, match="x: expected 1 number.*got 3"):
        bp.cost_surface(net, [1, 2, 3], y, grid)


@pytest.mark.parametrize("x, y, cost, words", [
    ([[0.5], [1.0]], [[0.0]], "quadratic", "x and y: expected as many targets as examples"),
    (0.5, 1.5, "cross_entropy", "y: cross-entropy expects target probabilities"),
])
def test_surface_refuses_targets_as_backward_does(x, y, cost, words):
    net = bp.Network.chain([0.5, 1.5], [0.2, -0.3], "sigmoid", cost=cost)
    for compute in (lambda: net.backward(x, y),
                    lambda: bp.cost_surface(net, x, y, {"w_H0": [0, 1], "w_Out": [0, 1]})):
        with pytest.raises(ValueError, match=words):
            compute()


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
def test_dead_and_saturated_masks_agree_with_backward(activation):
    net = bp.Network.chain([0.5, 1.5, -1.0], [0.2, -0.3, 0.1], activation)
    values = {"w_Out": np.linspace(-40, 40, 9), "b_Out": np.linspace(-30, 30, 7)}
    surface = bp.cost_surface(net, 0.8, 0.3, values)
    seen = set()
    for i, w in enumerate(values["w_Out"]):
        for j, b in enumerate(values["b_Out"]):
            g = net.with_params({"w_Out": w, "b_Out": b}).backward(0.8, 0.3)
            kinds = {blocked.neuron: blocked.kind for blocked in g.blocked}
            for neuron in ("H0", "H1", "Out"):
                assert surface.dead[neuron][i, j] == (kinds.get(neuron) == "dead")
                assert surface.saturated[neuron][i, j] == (kinds.get(neuron) == "saturated")
                seen.add(kinds.get(neuron))
    assert ("saturated" if activation != "relu" else "dead") in seen


def test_two_weights_of_one_matrix_and_wide_neuron_names():
    rng = np.random.default_rng(3)
    net = bp.Network([rng.normal(size=(2, 2)), rng.normal(size=(1, 2))], [np.zeros(2), [0.0]],
                     "relu")
    grid = {"w_H0[0,0]": np.linspace(-2, 2, 5), "w_H0[1,1]": np.linspace(-3, 1, 4)}
    surface = bp.cost_surface(net, [0.7, -0.4], [0.2], grid)
    assert set(surface.dead) == {"H0[0]", "H0[1]", "Out"}
    for i, u in enumerate(grid["w_H0[0,0]"]):
        for j, v in enumerate(grid["w_H0[1,1]"]):
            g = net.with_params({"w_H0[0,0]": u, "w_H0[1,1]": v}).backward([0.7, -0.4], [0.2])
            assert surface.cost[i, j] == pytest.approx(g.cost, rel=1e-12)
            for name in net.parameter_names:
                assert surface.grad[name][i, j] == pytest.approx(g[name], rel=1e-12, abs=1e-15)
            dead = {b.neuron for b in g.blocked}
            for neuron in surface.dead:
                assert surface.dead[neuron][i, j] == (neuron in dead)


@pytest.mark.parametrize("pair", [("w_H1", "w_Out"), ("b_Out", "w_H0")])
def test_a_grid_of_many_bands_matches_backward_in_every_band(worked, pair):
    """80,000 points: more than one band of grid rows, so every band's parameters are right."""
    net, x, y = worked
    grid = {pair[0]: np.linspace(-1.0, 1.0, 40), pair[1]: np.linspace(-1.0, 2.0, 2000)}
    points = [(0, 0), (17, 1234), (31, 7), (39, 1999)]
    surface = assert_matches_pointwise(net, x, y, grid, points)
    for i, j in points:
        g = net.with_params({pair[0]: grid[pair[0]][i], pair[1]: grid[pair[1]][j]}).backward(x, y)
        dead = {b.neuron for b in g.blocked}
        assert all(surface.dead[n][i, j] == (n in dead) for n in surface.dead), (i, j)


def test_a_wide_grid_of_many_bands_matches_backward_in_every_band():
    """The many-band grid again on wide layers, whose W and b (off the grid) every band shares."""
    net, x, y = wide_network()
    grid = {"w_H1[0,1]": np.linspace(-2.0, 2.0, 40), "b_Out": np.linspace(-1.0, 2.0, 2000)}
    assert_matches_pointwise(net, x, y, grid, [(0, 0), (17, 1234), (31, 7), (39, 1999)])


@pytest.mark.parametrize("activation, mask", [("relu", "dead"), ("sigmoid", "saturated")])
@pytest.mark.parametrize("layer", ["H0", "Out"])  # Out: H0 and H1 lie off the grid, z (m, n)
def test_a_batch_surface_blocks_a_neuron_where_every_example_blocks_it(activation, mask, layer):
    """For a batch, a neuron is dead (saturated) where it is on each example's own surface."""
    net = bp.Network.chain([0.5, 1.5, -1.0], [0.2, -0.3, 0.1], activation)
    xs, ys = [0.8, -0.6, 2.0], [0.3, 0.1, -0.2]
    grid = {f"w_{layer}": np.linspace(-40, 40, 9), f"b_{layer}": np.linspace(-30, 30, 7)}
    batch = getattr(bp.cost_surface(net, *net.batch(xs, ys), grid), mask)
    singles = [getattr(bp.cost_surface(net, x, y, grid), mask) for x, y in zip(xs, ys)]
    for neuron in batch:
        np.testing.assert_array_equal(
            batch[neuron], np.logical_and.reduce([s[neuron] for s in singles]), neuron)
    # the examples disagree somewhere
    assert not np.array_equal(batch[layer], singles[0][layer])


def test_an_overflow_that_relu_turns_into_zero_leaves_a_finite_surface():
    """z_H0 = -1e308 * 10 overflows to -inf on the way, but ReLU makes a_H0 = 0 as at any
    dead z_H0 = -10: the two grid rows are equal and finite, and the surface is not refused."""
    net = bp.Network.chain([1.0, 0.7], [0.0, 0.3], "relu")
    surface = bp.cost_surface(net, 10.0, 1.0, {"w_H0": [-1e308, -1.0], "w_Out": [0.5, 1.0]})
    assert np.isfinite(surface.cost).all()
    np.testing.assert_array_equal(surface.cost[0], surface.cost[1])
    for name, grad in surface.grad.items():
        np.testing.assert_array_equal(grad[0], grad[1], name)
