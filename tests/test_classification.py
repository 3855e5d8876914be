"""Notebook 12's library: softmax with cross-entropy (the first delta a - y, the gradients
against finite differences and a hand-written formula), the sigmoid output's two costs, the
3-class data sets, the figures and panel, and the exercise checks."""

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib import exercises  # noqa: E402
from backproplib.chainrule import crossentropy  # noqa: E402
from backproplib.learning import classification, datasets, training  # noqa: E402
from backproplib.plots import classification as classification_plots  # noqa: E402
from backproplib.widgets import classification as classification_widgets  # noqa: E402

ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "linear"]


def softmax_network(activation, seed, sizes=(2, 4, 3)):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(n, k)) for k, n in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=n) * 0.5 for n in sizes[1:]]
    activations = [activation] * (len(sizes) - 2) + ["softmax"]
    net = bp.Network(weights, biases, activations, cost="cross_entropy")
    x = rng.normal(size=sizes[0])
    y = np.eye(sizes[-1])[int(rng.integers(sizes[-1]))]
    return net, x, y


# --- an independent implementation, written out by hand ----------------------------------------
SIGMA = {"relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
         "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z),
                        lambda z: np.where(z > 0, 1.0, 0.01)),
         "sigmoid": (lambda z: 1 / (1 + np.exp(-z)),
                     lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
         "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
         "linear": (lambda z: z, lambda z: np.ones_like(z))}


def by_hand(weights, biases, activation, x, y):
    """C0 = -sum_j y_j log softmax(z^Out)_j and its weight gradients, by the textbook formulas:
    delta^Out = a - y, delta^L = (W^(L+1)^T delta^(L+1)) * sigma'(z^L), dC0/dW^L = delta^L a^(L-1)^T."""
    f, df = SIGMA[activation]
    a, zs, acts = np.asarray(x, float), [], [np.asarray(x, float)]
    for W, b in zip(weights[:-1], biases[:-1]):
        z = W @ a + b
        zs.append(z)
        a = f(z)
        acts.append(a)
    z_out = weights[-1] @ a + biases[-1]
    p = np.exp(z_out - z_out.max())
    p /= p.sum()
    cost = -np.sum(y * np.log(p))
    delta = p - y
    grads = [None] * len(weights)
    for L in reversed(range(len(weights))):
        grads[L] = np.outer(delta, acts[L])
        if L:
            delta = (weights[L].T @ delta) * df(zs[L - 1])
    return cost, grads


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", range(3))
def test_softmax_cross_entropy_gradients_match_a_hand_written_formula(activation, seed):
    net, x, y = softmax_network(activation, seed, sizes=(3, 5, 4, 3))
    g = net.backward(x, y)
    cost, grads = by_hand([np.asarray(W, float) for W in net.weights],
                          [np.asarray(b, float) for b in net.biases], activation, x, y)
    assert float(g.cost) == pytest.approx(cost, rel=1e-12)
    for L, dW in enumerate(grads):
        assert np.allclose(np.asarray(g.dw[L], float), dW, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_softmax_cross_entropy_gradients_match_finite_differences(activation):
    net, x, y = softmax_network(activation, 7)
    g, numeric = net.backward(x, y), bp.numerical_gradients(net, x, y)
    for name in net.parameter_names:
        assert float(g[name]) == pytest.approx(float(numeric[name]), rel=1e-5, abs=1e-8), name


# --- the derivation ---------------------------------------------------------------------------
@pytest.mark.parametrize("z,y", [([2, 1, -1], [1, 0, 0]), ([1.4, -0.15, -0.7], [0, 1, 0]),
                                 ([0.3, 0.3, 0.3, -2], [0, 0, 0, 1]),
                                 ([500, 501, 499], [0, 0, 1]), ([1, -1], [0.25, 0.75])])
def test_the_jacobian_collapses_to_a_minus_y(z, y):
    d = crossentropy.softmax_delta(z, y)
    assert np.allclose(d.delta, d.a - d.y, rtol=1e-12, atol=1e-15)
    assert d.a.sum() == pytest.approx(1)
    # the Jacobian against central differences of the softmax itself
    h = 1e-6
    for j in range(len(z)):
        up, down = np.array(z, float), np.array(z, float)
        up[j] += h
        down[j] -= h
        column = (crossentropy.softmax_delta(up, y).a - crossentropy.softmax_delta(down, y).a)
        assert np.allclose(d.jacobian[:, j], column / (2 * h), atol=1e-7)
    # the cost against the network's own cross-entropy
    net = bp.Network([np.eye(len(z))], [np.zeros(len(z))], ["softmax"], cost="cross_entropy")
    g = net.backward(z, y)
    assert float(g.cost) == pytest.approx(d.cost, rel=1e-12)
    assert np.allclose(np.asarray(g.dz["Out"], float), d.delta, rtol=1e-10, atol=1e-14)


def test_the_derivation_prints_its_numbers():
    d = crossentropy.softmax_delta([2, 1, -1], [0, 1, 0])
    text = str(d)
    assert "dC0/dz_1 = " in text and bp.fmt(d.a[1] - 1) in text
    assert "C0 = -sum_j y_j log a_j" in text and bp.fmt(d.cost) in text
    assert len(d.lines()) > 12


@pytest.mark.parametrize("z,y", [([1, 2], [1, 1]), ([1, 2], [0.5]), ([np.inf, 0], [1, 0]),
                                 ([1, 2, 3], [0, 2, -1])])
def test_bad_derivation_input_is_refused(z, y):
    with pytest.raises(ValueError, match="y"):
        crossentropy.softmax_delta(z, y)


# --- the sigmoid output's two costs -------------------------------------------------------------
@pytest.mark.parametrize("y", [0, 1, 0.3])
def test_sigmoid_output_deltas_are_the_slopes_of_the_costs(y):
    z = np.linspace(-6, 6, 25)
    s = crossentropy.sigmoid_output(z, y)
    h = 1e-6
    up, down = crossentropy.sigmoid_output(z + h, y), crossentropy.sigmoid_output(z - h, y)
    assert np.allclose(s.quadratic_delta, (up.quadratic - down.quadratic) / (2 * h), atol=1e-7)
    assert np.allclose(s.cross_entropy_delta,
                       (up.cross_entropy - down.cross_entropy) / (2 * h), atol=1e-7)
    # the network's cost pairs on one sigmoid neuron say the same
    for z0 in (-4.0, 0.5, 3.0):
        one = crossentropy.sigmoid_output(z0, y)
        for cost, delta in (("quadratic", one.quadratic_delta),
                            ("cross_entropy", one.cross_entropy_delta)):
            net = bp.Network.chain(weights=[0.0], biases=[z0], activation="sigmoid", cost=cost)
            assert float(net.backward(1, y).dz["Out"][0]) == pytest.approx(float(delta),
                                                                          rel=1e-10)


def test_the_slow_start():
    """Saturated and wrong: the quadratic cost barely moves at first, cross-entropy does."""
    quad = classification.one_neuron_run(4.0, 0, "quadratic")
    cross = classification.one_neuron_run(4.0, 0, "cross_entropy")
    assert quad[0] == cross[0] == pytest.approx(1 / (1 + np.exp(-4)))
    assert quad[30] > 0.9 > 0.5 > cross[30]
    assert len(quad) == 301
    # one step by hand: w and b each move by eta * delta * (x, 1)
    s = crossentropy.sigmoid_output(4.0, 0)
    z1 = 4.0 - 2 * 0.15 * float(s.cross_entropy_delta)
    assert cross[1] == pytest.approx(1 / (1 + np.exp(-z1)), rel=1e-12)
    # the target as text, as everywhere; a target outside [0, 1] named
    assert crossentropy.sigmoid_output(4, "1/2").cross_entropy == \
        crossentropy.sigmoid_output(4, 0.5).cross_entropy
    with pytest.raises(ValueError, match=r"y: expected a probability from 0 to 1 .* got 1.5$"):
        crossentropy.sigmoid_output(4, "3/2")


def test_a_neuron_that_starts_on_its_target_stays_there_every_step():
    # z = 0 gives a = 1/2 = y: every gradient is 0 and descent stops at once; notebook 12 still
    # reads the output after 30 steps (an IndexError when the run returned only the start)
    for cost in ("quadratic", "cross_entropy"):
        outputs = classification.one_neuron_run(0, 0.5, cost, steps=40)
        assert outputs == [0.5] * 41


# --- three classes ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", classification.RECIPES)
def test_three_class_data_sets(name):
    d = classification.make_classes(name, 301, seed=3)
    assert d.X.shape == (301, 2) and d.Y.shape == (301, 3) and d.classes.shape == (301,)
    assert (d.Y.sum(axis=1) == 1).all() and (np.argmax(d.Y, axis=1) == d.classes).all()
    assert set(d.classes.tolist()) == {0, 1, 2}
    again = classification.make_classes(name, 301, seed=3)
    assert np.array_equal(d.X, again.X) and np.array_equal(d.classes, again.classes)
    assert not np.array_equal(d.X, classification.make_classes(name, 301, seed=4).X)
    assert np.abs(d.X).max() < d.extent[1]
    assert "class 2" in repr(d)


def test_the_recipes_say_what_they_promise():
    circle = classification.make_classes("circle", 300)
    r = np.hypot(*circle.X.T)
    assert (np.diff([r[circle.classes == j].mean() for j in range(3)]) > 1).all()
    # without noise each class is its own ring: 0 to 1.6, 2.2 to 3.3, 3.9 to 5 (R = 5)
    for j, (inner, outer) in enumerate([(0, 1.6), (2.2, 3.3), (3.9, 5)]):
        assert inner <= r[circle.classes == j].min() and r[circle.classes == j].max() <= outer
    xor = classification.make_classes("xor", 300)
    x1, x2 = xor.X.T
    assert (xor.classes[x1 * x2 >= 0] == 0).all()
    assert (xor.classes[(x1 < 0) & (x2 > 0)] == 1).all()
    assert (xor.classes[(x1 > 0) & (x2 < 0)] == 2).all()
    gauss = classification.make_classes("gauss", 300)
    centres = [gauss.X[gauss.classes == j].mean(axis=0) for j in range(3)]
    assert all(np.hypot(*c) == pytest.approx(2.8, abs=0.3) for c in centres)
    # 120 degrees apart: every pair 2 * 2.8 * sin(60 degrees) = 2.8 sqrt(3) from each other
    for a, b in ((0, 1), (1, 2), (0, 2)):
        assert np.hypot(*(centres[a] - centres[b])) == pytest.approx(2.8 * np.sqrt(3), abs=0.3)
    assert classification.make_classes("spiral", 300).counts == [100, 100, 100]


def test_the_spiral_arms_turn_as_documented():
    """Arm j: r = 5 i/m, t = 1.25 * 2 pi i/m + 2 pi j/3 (so a swap of the arms' offsets shows)."""
    data = classification.make_classes("spiral", 300)
    for j in range(3):
        i = np.arange(100) / 100
        t = 1.25 * 2 * np.pi * i + 2 * np.pi * j / 3
        expected = np.column_stack([5 * i * np.sin(t), 5 * i * np.cos(t)])
        arm = data.X[data.classes == j]
        found = arm[np.argsort(np.hypot(arm[:, 0], arm[:, 1]))]  # shuffled: sort by radius
        np.testing.assert_allclose(found, expected, atol=1e-12)


@pytest.mark.parametrize("bad", [dict(name="moons"), dict(n=2), dict(n=2.5), dict(seed=-1),
                                 dict(noise=0.7)])
def test_bad_data_set_input_is_refused(bad):
    args = dict(name="circle", n=30, noise=0.0, seed=0) | bad
    with pytest.raises((ValueError, TypeError)):
        classification.make_classes(**args)


def test_training_three_classes_learns_and_accuracy_is_argmax():
    data = classification.make_classes("gauss", 150, seed=1)
    net = classification.classifier([2, 6, 3], "tanh", seed=1)
    assert [a.name for a in net.activations] == ["tanh", "softmax"]
    assert net.cost_function.name == "cross_entropy"
    trainer = training.Trainer(net, data.X, data.Y, 0.1, 10, seed=1).train(300)
    assert trainer.cost < trainer.costs[0] / 3
    predicted = np.argmax(np.asarray(trainer.net.forward(data.X).output), axis=1)
    assert classification.accuracy(trainer.net, data.X, data.classes) == pytest.approx(
        float((predicted == data.classes).mean()))
    assert classification.accuracy(trainer.net, data.X, data.classes) > 0.9
    # one example alone gets the class it gets in the batch
    classes = classification.predicted_classes(trainer.net, data.X)
    assert [classification.predicted_classes(trainer.net, x) for x in data.X[:5]] == list(
        classes[:5])


# --- figures and the panel ----------------------------------------------------------------------
def test_the_slow_start_figure_shows_its_z_or_says_it_is_off_the_plot():
    """Notebook 12 with output_z = -30 drew "Two plots against z from -8 to 8 ... At z = -30":
    the markers sat at z = -8 with the values of z = -30 (C0 = 30, above the axis), and the alt
    text did not say the point was off the plot. Fails on purpose until fixed (widen the range
    to the z, or say in the alt text that the point lies outside it)."""
    for z, y in ((4, 0), (-30, 1)):
        plot = classification_plots.slow_start_figure(z, y).bp_plot
        drawn = all(marker.get_xdata()[0] == z and min(marker.axes.get_ylim())
                    <= marker.get_ydata()[0] <= max(marker.axes.get_ylim())
                    for marker in plot.markers)
        assert drawn or "outside" in plot.alt_text(), (z, plot.alt_text())


def test_figures_describe_themselves():
    fig = classification_plots.slow_start_figure(4, 0)
    assert bp.fmt(float(crossentropy.sigmoid_output(4, 0).quadratic_delta)) in \
        fig.bp_plot.alt_text()
    data = classification.make_classes("circle", 60)
    trainer = training.Trainer(classification.classifier([2, 4, 3], "relu"), data.X, data.Y,
                               0.1, 10).train(20)
    alt = classification_plots.classification_figure(trainer, data, n=20).bp_plot.alt_text()
    assert "class 2 (green, squares)" in alt and bp.fmt(trainer.cost) in alt
    runs = {c: classification.one_neuron_run(2.0, 1, c, steps=20)
            for c in ("quadratic", "cross_entropy")}
    assert bp.fmt(runs["quadratic"][-1]) in \
        classification_plots.race_figure(runs, 1).bp_plot.alt_text()


def test_the_slow_start_panel_follows_its_slider():
    view = classification_widgets.slow_start_view(4, 0)
    assert view.error is None and "dC0/dz = a - y = 0.98201379" in view.summary()
    view.sliders["z"].value = -1.0
    s = crossentropy.sigmoid_output(-1.0, 0)
    assert view.error is None
    assert f"sigma'(z) = {bp.fmt(float(s.slope))}" in view.summary()
    assert bp.fmt(float(s.quadratic_delta)) in view.summary()
    assert 'alt="' in view.frame.value


# --- the exercise checks --------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_check_output_delta(activation):
    net, x, y = softmax_network(activation, 11, sizes=(2, 3, 3))
    a = np.asarray(net.forward(x).output, float)
    assert exercises.check_output_delta(list(a - y), net, x, y)
    assert exercises.check_output_delta(None, net, x, y).status == "Not answered yet"
    slips = {"a^Out itself": a, "sign": y - a, "no 2": 2 * (a - y),
             "sigma' factor": (a - y) * a * (1 - a)}
    for words, slip in slips.items():
        feedback = exercises.check_output_delta(list(slip), net, x, y)
        assert not feedback and words in feedback.message, (words, feedback)


@pytest.mark.parametrize("output, cost, n_out", [("sigmoid", "cross_entropy", 3),
                                                 ("softmax", "quadratic", 3),
                                                 ("sigmoid", "cross_entropy", 1)])
def test_check_output_delta_wants_softmax_and_cross_entropy(output, cost, n_out):
    """Another network's dz^Out is not a - y, and 12's slips and hint would mislead."""
    net = bp.Network([np.ones((n_out, 2))], [np.zeros(n_out)], [output], cost=cost)
    with pytest.raises(ValueError, match=rf"^check_output_delta: expected a network with a "
                                         rf"softmax output and the cross-entropy cost, got "
                                         rf"{output} with the {cost} cost$"):
        exercises.check_output_delta([0.5] * n_out, net, [1, 2], [1] + [0] * (n_out - 1))


def test_check_softmax():
    def right(z):
        e = np.exp(z - z.max())
        return e / e.sum()

    def naive(z):
        e = np.exp(z)
        return e / e.sum()

    assert exercises.check_softmax(right)
    assert not exercises.check_softmax(naive)
    assert "Divide by the sum" in exercises.check_softmax(lambda z: np.exp(z - z.max())).message
    assert not exercises.check_softmax(lambda z: np.ones_like(z) / len(z))

    def smallest_out(z):  # right unless the logits lie far apart: [0, 1000] gives [0, nan]
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(z - z.min())
            return e / e.sum()

    said = exercises.check_softmax(smallest_out)
    assert not said and "overflows" in said.message and "largest" in said.message, said


def test_check_softmax_shift_and_slow_start():
    assert exercises.check_softmax_shift("c", [2, 1, -1], 3)
    assert not exercises.check_softmax_shift("a", [2, 1, -1], 3)
    assert not exercises.check_softmax_shift("b", [2, 1, -1], -3)
    for z, y in ((-5, 1), (4, 0), (0, 0), (2, 0.5)):
        s = crossentropy.sigmoid_output(z, y)
        right = "b" if abs(s.cross_entropy_delta) > abs(s.quadratic_delta) else "a"
        assert exercises.check_slow_start(right, z, y), (z, y)
        assert not exercises.check_slow_start("c", z, y)


def test_the_class_training_panel_trains_to_its_slider():
    data = classification.make_classes("gauss", 90, seed=2)

    def fresh():
        return training.Trainer(classification.classifier([2, 5, 3], "tanh", seed=2), data.X,
                                data.Y, 0.1, 10, seed=2, record_every=5)

    view = classification_widgets.class_training_view(fresh(), data, steps=100)
    assert view.error is None and "step 0," in view.summary()
    view.sliders["steps"].value = 60
    reference = fresh().train(60)
    assert view.error is None
    assert f"C over the whole set = {bp.fmt(reference.cost)}" in view.summary()
    accuracy = classification.accuracy(reference.net, data.X, data.classes)
    assert f"accuracy = {accuracy:.1%}" in view.summary()
    view.sliders["steps"].value = 20  # back: starts again from the same network
    assert f"= {bp.fmt(fresh().train(20).cost)} (at the start" in view.summary()
    for steps in (40, 20, 0, 60):  # back and forth from kept states: as if trained afresh
        view.sliders["steps"].value = steps
        reference, now = fresh().train(steps), view.trainer
        assert (now.steps, now.costs, now.batch_costs) == (steps, reference.costs,
                                                           reference.batch_costs)
        assert all((a == b).all() for a, b in zip(now.net.weights, reference.net.weights))
    assert 'alt="' in view.frame.value and "class 2" in view.frame.value
    # the predicted classes go as their own cells, shown crisp: one pixel a cell, top row first
    tag, data64 = re.search(r'(<img class="bp-frame-image bp-map-image"[^>]*)src="data:image/png;'
                            r'base64,([^"]+)"', view.frame.value).groups()
    assert "image-rendering:pixelated" in tag
    cells = np.asarray(Image.open(io.BytesIO(base64.b64decode(data64))).convert("RGB"))
    regions = view.plot.regions
    expected = classification_plots.PALE[classification.predicted_classes(now.net, regions.points).reshape(regions.n, regions.n)]
    assert np.array_equal(cells, expected[::-1, :, :3])


def test_a_wide_layer_s_predicted_classes_on_the_grid_are_computed_a_slice_at_a_time():
    # 2-5000-3's forward pass on the 100 x 100 grid held three 10,000 x 5,000 arrays (1.2 GB)
    import tracemalloc

    data = classification.make_classes("circle", 30)
    net = classification.classifier([2, 5000, 3], "tanh", seed=1)
    trainer = training.Trainer(net, data.X, data.Y, 0.1, 10)
    tracemalloc.start()
    regions = classification_plots.classification_figure(trainer, data).bp_plot.regions
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100 * 2**20
    assert np.array_equal(regions.grid_classes.reshape(-1)[::997], [
        classification.predicted_classes(net, p) for p in regions.points[::997]])


def test_a_one_hot_set_says_why_it_has_no_threshold():
    data = classification.make_classes("spiral", 30)
    with pytest.raises(ValueError, match="'spiral' set has one-hot targets, so it has no threshold"):
        _ = data.threshold
    two = datasets.make("spiral", 30, labels=(0, 1))
    assert two.threshold == 0.5
