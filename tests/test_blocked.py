"""The one notion of a neuron that passes (almost) no gradient back, under every activation."""

import numpy as np
import pytest

import backproplib as bp
from backproplib.core.results import SATURATED_BELOW


def blocked(net, x=1.0, y=0.0):
    return {b.neuron: b for b in net.backward(x, y).blocked}


def test_relu_below_its_kink_is_dead_and_the_sentence_says_why():
    net = bp.Network.chain([1, 1, 1], [-2, 0, 1])  # z_H0 = -1; H1 gets a = 0, so z_H1 = 0
    found = blocked(net)
    assert set(found) == {"H0", "H1"}
    assert found["H0"].kind == "dead" and found["H0"].z == -1 and found["H0"].slope == 0
    assert found["H1"].z == 0  # ReLU'(0) = 0: the kink counts as dead
    assert bp.explain_blocked(found["H0"]) == (
        "H0 is dead: ReLU'(z_H0) = 0 at z_H0 = -1 (ReLU passes nothing for z <= 0), so no "
        "gradient flows back through it")
    assert not blocked(bp.Network.chain([1, 1, 1], [2, 0, 1]))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_smooth_activations_saturate_but_never_die(activation):
    net = bp.Network.chain([1, 1, 1], [30, 0, 0], activation)
    found = blocked(net)
    assert found["H0"].kind == "saturated"
    sentence = bp.explain_blocked(found["H0"])
    assert sentence.startswith(f"H0 is saturated: {activation}'(z_H0) = ")
    assert "ReLU" not in sentence and "dead" not in sentence
    deep = bp.Network.chain([1, 1, 1], [800, 0, 0], activation)  # sigma' underflows to 0
    assert blocked(deep)["H0"].kind == "saturated"
    assert "too small for floating point" in bp.explain_blocked(blocked(deep)["H0"])
    assert "H0" not in blocked(bp.Network.chain([1, 1, 1], [0.5, 0, 0], activation))


@pytest.mark.parametrize("activation", ["leaky_relu", "linear"])
def test_leaky_relu_and_linear_always_pass_gradient(activation):
    net = bp.Network.chain([1, 1, 1], [-50, -50, -50], activation)
    assert blocked(net) == {}
    assert min(abs(float(s[0])) for s in net.backward(1, 0).da_dz) >= SATURATED_BELOW


def test_the_threshold_is_where_saturation_starts():
    # sigmoid'(z) = s(1 - s) falls below 0.01 at |z| about 4.6
    for z, expect in ((4.5, False), (4.7, True)):
        net = bp.Network.chain([1, 1], [z - 1, 0], "sigmoid")
        assert ("H0" in blocked(net)) is expect, z


def test_a_slope_of_exactly_the_threshold_is_not_saturated():
    """Saturated means 0 < |sigma'(z)| below SATURATED_BELOW: the threshold itself is not."""
    from backproplib.core.results import classify_slopes
    slopes = np.array([SATURATED_BELOW, -SATURATED_BELOW, SATURATED_BELOW / 2])
    dead, blocked_ = classify_slopes(slopes, bp.core.activations.get("tanh"))
    assert blocked_.tolist() == [False, False, True] and not dead.any()


def test_wide_layers_name_the_neuron():
    net = bp.Network([[[1], [-1]], [[1, 1]]], [[0.5, -0.5], [0]])  # H0[1] has z = -1.5 at x=1
    found = blocked(net)
    assert set(found) == {"H0[1]"}
    assert found["H0[1]"].j == 1 and found["H0[1]"].layer == "H0" and found["H0[1]"].L == 0
    assert bp.explain_blocked(found["H0[1]"]).startswith("H0[1] is dead: ReLU'(z_H0[1]) = 0")


def test_a_batch_lists_only_neurons_blocked_on_every_example():
    net = bp.Network.chain([1, 1], [0, 0])
    X, Y = net.batch([-1, -2, 3], [0, 0, 0])
    assert net.backward(X, Y).blocked == ()  # H0 passes gradient for x = 3
    X, Y = net.batch([-1, -2], [0, 0])
    (b,) = [b for b in net.backward(X, Y).blocked if b.layer == "H0"]
    assert b.kind == "dead" and list(b.z) == [-1, -2]
    assert bp.explain_blocked(b).startswith("H0 is dead on every example: ReLU'(z_H0) = 0 for all 2")


def test_forward_and_backward_agree_on_the_slopes(worked):
    net, x, y = worked
    fwd, g = net.forward(x), net.backward(x, y)
    for L in range(3):
        np.testing.assert_array_equal(fwd.da_dz[L], g.da_dz[L])
        np.testing.assert_array_equal(fwd.z[L], g.forward.z[L])
    assert fwd.blocked == g.blocked == ()


def test_the_surface_marks_blocked_points_by_the_same_rule(worked):
    net, x, y = worked
    values = np.linspace(-2, 1, 31)
    s = bp.cost_surface(net, x, y, {"w_H1": values, "w_Out": [0.5, 1.0]})
    for i, w in enumerate(values):
        point = blocked(net.with_params({"w_H1": w}), x, y)
        assert s.dead["H1"][i, 0] == ("H1" in point and point["H1"].kind == "dead")
    assert s.dead["H1"].any() and not s.dead["H0"].any()
    t = bp.Network.chain([1, 1, 1], [30, 0, 0], "tanh")
    st = bp.cost_surface(t, 1, 0, {"w_H1": [0, 1], "w_Out": [0, 1]})
    assert st.saturated["H0"].all() and not st.dead["H0"].any()


def test_a_saturated_neuron_scales_what_flows_back_and_says_so():
    # H1 saturated (sigmoid'(-6) = 0.0025), yet w_H1 = -7.9 makes dC0/da_H0 14 times the
    # original's: the sentence must not say that almost no gradient flows back through H1
    net = bp.Network.chain([0.1, -7.901, 0.5], [2, 1, 3], "sigmoid")
    b = blocked(net, 0.5, 0)["H1"]
    original = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], "sigmoid").backward(0.5, 0)
    assert abs(net.backward(0.5, 0).da["H0"][0]) > 10 * abs(original.da["H0"][0])
    sentence = bp.explain_blocked(b)
    assert "almost no gradient" not in sentence
    assert f"whatever flows back through it is multiplied by {bp.fmt(b.slope)}" in sentence
