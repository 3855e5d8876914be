"""Gradients through depth (learning/depth.py, plots/depth.py, widgets/depth.py,
exercises/topics.py): the sizes per layer against finite differences, the initial weights'
variances against the derivation, the words against the numbers, the panel and the checks."""

import math
import re
from functools import partial

import numpy as np
import pytest

import backproplib as bp
from backproplib import exercises
from backproplib.learning import depth, training

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "linear")
ONE = lambda n_in, n_out: 1.0  # noqa: E731 (a variance rule for draw_weights)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_sizes_per_layer_match_finite_differences(activation):
    net = depth.deep_network(4, 3, activation, "xavier", 1.5, seed=2, bias=0.1)
    X, Y = depth.deep_data(net, 5, seed=2)
    p = depth.profile(net, X, Y)
    numeric = bp.numerical_gradients(net, X, Y)
    norms = [math.sqrt(float(np.sum(np.square(dW)))) for dW in numeric.dw]
    np.testing.assert_allclose(p.norms, norms, rtol=1e-6, atol=1e-10)
    # |delta^L| per example is |dC0/db^L| of that example alone, by differences too
    per_example = [[float(np.sum(np.square(g)))
                    for g in bp.numerical_gradients(net, x, y).db] for x, y in zip(X, Y)]
    rms = np.sqrt(np.mean(per_example, axis=0))
    np.testing.assert_allclose(p.deltas, rms, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("init,expected", [
    ("plain", lambda n_in, n_out: 1.0),
    ("xavier", lambda n_in, n_out: 2 / (n_in + n_out)),
    ("he", lambda n_in, n_out: 2 / n_in),
])
@pytest.mark.parametrize("scale", [1.0, 0.3])
def test_initial_weights_have_the_derived_variance(init, expected, scale):
    n_in, n_out = 150, 400
    variance_rule = partial(depth.init_variance, init, scale=scale)  # as deep_network draws
    (W,) = training.draw_weights([n_in, n_out], variance_rule, seed=7)
    assert W.shape == (n_out, n_in)
    variance = expected(n_in, n_out) * scale**2
    assert depth.init_variance(init, n_in, n_out, scale) == pytest.approx(variance)
    N = W.size
    # the sample variance of N normal numbers has standard error Var * sqrt(2 / (N - 1))
    assert abs(W.var(ddof=1) - variance) < 5 * variance * math.sqrt(2 / (N - 1))
    assert abs(W.mean()) < 5 * math.sqrt(variance / N)


@pytest.mark.parametrize("sizes", [[3, 3, 3, 3], [2, 2, 2], [8, 8, 8, 8]])
def test_training_s_initial_network_draws_by_the_same_rule_as_depth_s_weights(sizes):
    # on layers of one width, xavier's 2 / (n + n) is training's 1/n, to the last digit; the
    # two drew apart there when one took 1/sqrt(n) and the other sqrt(1/n) (0.5773502691896258
    # and 0.5773502691896257 for n = 3)
    for seed in (0, 4):
        net = training.initial_network(sizes, seed=seed)
        drawn = training.draw_weights(sizes, partial(depth.init_variance, "xavier"), seed)
        assert all(np.array_equal(w, d) for w, d in zip(net.weights, drawn)), seed


def test_he_keeps_relu_z_steady_and_xavier_does_not():
    ratios = {}
    for init in ("xavier", "he"):
        net = depth.deep_network(15, 64, "relu", init, 1.0, seed=3)
        X, _ = depth.deep_data(net, 64, seed=3)
        p = depth.profile(net, X, np.zeros((64, 1)))
        ratios[init] = p.z_variance[-2] / p.z_variance[0]
    assert 0.2 < ratios["he"] < 5
    assert ratios["xavier"] < 0.01  # halved per layer: about 2^-13


@pytest.mark.parametrize("scale,trend", [(0.5, "vanishing"), (1.0, "level"), (2.0, "exploding")])
def test_the_trend_follows_the_numbers(scale, trend):
    net = depth.deep_network(16, 32, "linear", "xavier", scale, seed=0)
    X, Y = depth.deep_data(net, 32, seed=0)
    p = depth.profile(net, X, Y)
    assert p.trend() == trend
    ratio = p.deltas[0] / p.deltas[-1]
    assert f"{p.deltas[0]:.3g} at H0" in p.verdict()
    assert (ratio < 0.1) == (trend == "vanishing") and (ratio > 10) == (trend == "exploding")


def test_negative_biases_kill_relu_layers_and_the_count_comes_from_blocked():
    net = depth.deep_network(12, 16, "relu", "he", 1.0, seed=0, bias=-1.0)
    X, Y = depth.deep_data(net, 16, seed=0)
    g = net.backward(X, Y)
    p = depth.profile_of(g)
    assert p.blocked_count.sum() == len(g.blocked) > 0
    assert all(b.kind == "dead" for b in g.blocked)
    dead_layers = [L for L, (c, w) in enumerate(zip(p.blocked_count, p.widths)) if c == w]
    assert dead_layers and all(p.deltas[L] == 0 for L in range(dead_layers[-1] + 1))
    assert p.trend() == "vanishing" and "dead on every example" in p.dead_sentence()
    assert p.verdict().endswith("at Out: no gradient reaches H0"), p.verdict()  # not "infinitely"


@pytest.mark.parametrize("call,word", [
    (lambda: depth.init_variance("glorot", 3, 3), "init"),
    (lambda: depth.init_variance("he", 0, 3), "n_in"),
    (lambda: depth.init_variance("he", 3, 3, -1), "scale"),
    (lambda: depth.deep_network(1), "depth"),
    (lambda: depth.deep_network(3, 2.5), "width"),
    (lambda: depth.deep_network(3, 2, seed=-1), "seed"),
    (lambda: depth.deep_network(3, 2, bias="x"), "bias"),
    (lambda: training.draw_weights([3], ONE), r"sizes: expected the layer sizes.*got \[3\]"),
    (lambda: training.draw_weights([3, 0], ONE), "layer size: expected a whole number >= 1"),
    (lambda: training.initial_network([3]), r"sizes: expected the layer sizes.*got \[3\]"),
    (lambda: exercises.check_init_variance(None, "plain"), "unknown init 'plain'; known: xav"),
])
def test_bad_input_is_named(call, word):
    with pytest.raises(ValueError, match=word):
        call()


@pytest.mark.parametrize("init", ["xavier", "he"])
def test_variance_check_takes_the_right_function_and_names_slips(init):
    right = {"xavier": lambda a, b: 2 / (a + b), "he": lambda a, b: 2 / a}[init]
    assert exercises.check_init_variance(right, init)
    wrong = exercises.check_init_variance(lambda a, b: 1 / a, init)
    assert not wrong and "1/n_in" in wrong.message
    std = exercises.check_init_variance(lambda a, b: math.sqrt(right(a, b)), init)
    assert not std and "standard deviation" in std.message
    assert exercises.check_init_variance(None, init).status == "Not answered yet"


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_scale_check_agrees_with_the_networks(activation):
    settings = dict(depth=10, width=8, activation=activation, init="he", scale=1.0, seed=1)
    nets = [depth.deep_network(**dict(settings, scale=s)) for s in (1.0, 2.0)]
    X, Y = depth.deep_data(nets[0], 32, 1)
    spreads = [depth.profile(n, X, Y).spread for n in nets]
    change = spreads[1] / spreads[0]
    key = "a" if change > 2 else "b" if change < 0.5 else "c"
    assert exercises.check_scale_effect(key, dict(settings, m=32))
    for other in set("abc") - {key}:
        assert not exercises.check_scale_effect(other, dict(settings, m=32))


def test_the_scale_check_explains_a_shrink_by_saturation_not_by_growth():
    # notebook 13's reader's tanh network: doubled weights saturate more neurons and the ratio
    # shrinks; the feedback gave the reason for growth ("a factor ... comes in once per layer")
    settings = dict(depth=6, width=8, activation="tanh", init="plain", scale=4.0, seed=0, m=4)
    feedback = exercises.check_scale_effect("b", settings)
    assert feedback and "shrinks" in feedback.message, feedback.message
    assert "sigma'(z) is smaller" in feedback.message and "comes in once" not in feedback.message
    grows = exercises.check_scale_effect("a", dict(settings, activation="relu", init="he",
                                                   scale=1.0))
    assert grows and "comes in once per layer" in grows.message, grows.message


def test_the_scale_check_blames_sigma_prime_only_where_it_took_back_the_weights_factor():
    # one layer back from Out (depth 2): doubled weights bring a factor 2 once, and tanh with
    # small z takes back almost none of it (1.94 times as large: 'c', within a factor of 2); the
    # feedback said sigma' 'about cancels' the weights' factor
    settings = dict(depth=2, width=3, activation="tanh", init="xavier", seed=0, m=2)
    feedback = exercises.check_scale_effect("c", settings)
    assert feedback and "1.94 times as large" in feedback.message, feedback.message
    assert "comes in once per layer" in feedback.message
    assert "sigma'(z) is smaller" not in feedback.message
    # where sigma' does take most of it back, the feedback says how large the weights' factor was
    settings = dict(depth=6, width=8, activation="tanh", init="plain", scale=4.0, seed=0, m=4)
    assert "outweighs the weights' factor 32." in exercises.check_scale_effect("b", settings).message


def test_the_panel_follows_its_controls_and_never_raises():
    from backproplib.widgets import depth as depth_widgets

    view = depth_widgets.depth_view(8, 8, "relu", "he", 1.0, seed=0, m=8)
    first = view.summary()
    assert view.error is None and "depth 8" in first
    view.sliders["scale"].value = 4.0
    assert view.error is None and view.summary() != first
    net = depth.deep_network(8, 8, "relu", "he", view.sliders["scale"].value, 0)
    X, Y = depth.deep_data(net, 8, 0)
    p = depth.profile(net, X, Y)
    assert p.verdict() in view.summary()
    # the readout's |dC/dW| line is the alt text's: the same numbers, from H0 to Out
    said = f"|dC/dW| from {p.norms[0]:.3g} at H0 to {p.norms[-1]:.3g} at Out; C = "
    assert said in view.summary() and said.split(";")[0] in view.frame.value
    view.sliders["activation"].value = "sigmoid"
    view.sliders["depth"].value = 12
    assert view.error is None and "depth 12" in view.summary()
    assert "sigmoid hidden layers" in view.summary()
    assert 'alt="Two log-scale plots' in view.frame.value
    # the fold-out holds each layer's sizes, not "Every gradient at these values"
    title = re.search(r"<summary>(.*)</summary>", view.details.value).group(1)
    folded = view.all_gradients.value
    assert "gradient at" not in title and all(q in title and q in folded
                                              for q in ("|delta|", "|dC/dW|")), title


def test_the_panel_summary_gives_the_scale_with_every_digit_as_it_gives_var_w():
    # scale 2/3 under He on width 6: Var(w) = (2/3)^2 * 2/6 = 0.1481481481; the summary gave the
    # scale as 0.667, from which Var(w) comes out 0.1483
    from backproplib.widgets import depth as depth_widgets

    view = depth_widgets.depth_view(7, 6, "leaky_relu", "he", "2/3", seed=0, m=5)
    variance = depth.init_variance("he", 6, 6, 2 / 3)
    assert f"scale {bp.fmt(2 / 3)} (Var(w) = {bp.fmt(variance)} " in view.summary(), (
        view.summary())


@pytest.mark.parametrize("n_layers", [2, 3, 6])
def test_the_panel_states_the_variance_each_hidden_layer_was_drawn_with(n_layers):
    # depth 2 has one hidden layer and no layer between hidden layers: the sentence names the
    # weights into each hidden layer, which are width x width at any depth
    import re

    from backproplib.widgets import depth as depth_widgets

    view = depth_widgets.depth_view(n_layers, 40, "tanh", "xavier", 1.5, seed=0, m=4)
    said = float(re.search(r"Var\(w\) = ([0-9.e-]+) into each hidden layer", view.summary())[1])
    hidden = view.net.weights[:-1]
    assert len(hidden) == n_layers - 1
    for W in hidden:
        n_out, n_in = W.shape
        assert said == pytest.approx(depth.init_variance("xavier", n_in, n_out, 1.5), rel=1e-9)
        assert np.var(W) == pytest.approx(said, rel=0.15)  # 1,600 draws of that variance


def test_static_figure_describes_itself():
    from backproplib.plots import depth as depth_plots

    net = depth.deep_network(6, 4, "tanh", "xavier", 1.0, 0)
    X, Y = depth.deep_data(net, 4, 0)
    p = depth.profile(net, X, Y)
    fig = depth_plots.depth_profiles({"one": p, "two": p})
    alt = fig.bp_plot.alt_text()
    assert f"{p.deltas[0]:.3g} at H0" in alt and "one:" in alt and "two:" in alt
    with pytest.raises(TypeError):
        depth_plots.depth_profiles([p])


@pytest.mark.parametrize("layers,said", [(8, "an 8-layer"), (11, "an 11-layer"),
                                         (7, "a 7-layer"), (18, "an 18-layer")])
def test_the_figure_says_the_depth_with_its_article(layers, said):
    from backproplib.plots import depth as depth_plots

    net = depth.deep_network(layers, 2, "linear", "xavier", 1.0, 0)
    X, Y = depth.deep_data(net, 2, 0)
    alt = depth_plots.depth_profiles(depth.profile(net, X, Y)).bp_plot.alt_text()
    assert f"per layer of {said} network" in alt, alt


def test_numbers_may_be_text():
    a = depth.deep_network(3, 2, "tanh", "he", "1/2", seed=1, bias="-1/4")
    b = depth.deep_network(3, 2, "tanh", "he", 0.5, seed=1, bias=-0.25)
    for Wa, Wb in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_array_equal(Wa, Wb)
    assert depth.number("1/2") == 0.5
    with pytest.raises(ValueError, match="scale"):
        depth.deep_network(3, 2, scale="half")


def test_a_change_of_depth_moves_the_lines_not_the_axes():
    from backproplib.plots import depth as depth_plots
    from backproplib.widgets import depth as depth_widgets

    view = depth_widgets.depth_view(8, 8, "relu", "he", 1.0, seed=0, m=8)
    drawn = view.renderer.redraws
    limits = [ax.get_xlim() for ax in view.plot.axes]
    for layers in (12, 3, 8):
        view.sliders["depth"].value = layers
        assert view.error is None
        for ax in view.plot.axes:  # the line ends at Out, layer number layers - 1
            assert np.nanmax(ax.lines[0].get_xdata()) == layers - 1
    assert [ax.get_xlim() for ax in view.plot.axes] == limits
    assert view.renderer.redraws == drawn  # the background (axes, ticks) was never redrawn
    net = depth.deep_network(6, 4, "tanh", "xavier", 1.0, 0)
    X, Y = depth.deep_data(net, 4, 0)
    with pytest.raises(ValueError, match="6 layers does not fit"):
        depth_plots.DepthPlot(depth.profile(net, X, Y), layers=5)


def test_a_zero_sits_on_the_bottom_edge_and_blocked_layers_are_crossed_along_the_top():
    from backproplib.plots import depth as depth_plots

    net = depth.deep_network(12, 8, "relu", "he", 1.0, 0)
    X, Y = depth.deep_data(net, 16, 0)
    dead = depth.profile(depth.deep_network(12, 8, "relu", "he", 1.0, 0, bias=-3), X, Y)
    plot = depth_plots.DepthPlot(depth.profile(net, X, Y))
    plot.update(dead)  # the limits change: every marker follows them
    for ax, zeros, cross in zip(plot.axes, plot.zeros.values(), plot.crosses):
        low, high = ax.get_ylim()
        assert len(zeros[0].get_ydata()) and set(zeros[0].get_ydata()) == {low}
        assert len(cross.get_ydata()) and set(cross.get_ydata()) == {high}
    # 13 said "(0 at 19 layers, not drawn)" beside the hollow markers it draws for them
    zeros = sum(np.asarray(dead.norms) == 0)
    assert f"(0 at {zeros} layers, drawn hollow on the bottom edge)" in plot.alt_text()
    assert "not drawn" not in plot.alt_text()


def test_the_depth_slider_reaches_only_networks_the_limit_allows():
    # 20 x 60 x 60 weights is allowed and 28 x 60 x 60 is not: the slider stops at 27 (it ran
    # to 30, and sliding past 27 raised in the panel's callback)
    from backproplib.widgets import depth as depth_widgets

    view = depth_widgets.depth_view(20, 60, "relu", "he", 1.0, seed=0, m=2)
    slider = view.sliders["depth"]
    assert slider.max == 27 == depth.MAX_WEIGHTS // 60**2
    slider.value = slider.max
    assert view.net.sizes == (60,) * 27 + (1,)
    assert depth_widgets.depth_view(20, 32, m=2).sliders["depth"].max == depth_widgets.MAX_DEPTH
