"""Mini-batch SGD: the batches, the update, the history, and that training learns.

Checked against things computed another way: exact Fractions (the average of per-example
gradients, example by example), a hand-written numpy full-batch step, and the permutation the
trainer's seed must give.
"""

import math
from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp
from backproplib.learning import datasets, training


def exact_net():
    """A 2-3-1 ReLU network in Fractions, with mixed signs so some neurons switch off."""
    W0 = [["1/2", "-1/4"], ["1/3", "1/5"], ["-2/5", "3/4"]]
    return bp.Network([W0, [["3/5", "-1/2", "1/4"]]], [["1/10", "-1/5", "1/4"], ["1/2"]],
                      "relu", exact=True)


def exact_data(n=6):
    X = [[Fraction(k, 3) - 1, Fraction(2 * k % 5, 4)] for k in range(n)]
    Y = [[Fraction(k % 2)] for k in range(n)]
    return np.array(X, dtype=object), np.array(Y, dtype=object)


def mean_of_examples(net, X, Y, rows):
    """{name: (1/m) sum_k dC0_k/dname}, one example's backward at a time."""
    total = {}
    for k in rows:
        for name, value in net.backward(X[k], Y[k]).as_dict().items():
            total[name] = total.get(name, 0) + value
    return {name: value / len(rows) for name, value in total.items()}


def test_one_step_is_the_mean_of_per_example_gradients_exactly():
    net, (X, Y) = exact_net(), exact_data()
    eta = Fraction(1, 10)
    trainer = training.Trainer(net, X, Y, learning_rate=eta, batch_size=4, seed=7)
    first = np.random.default_rng(7).permutation(len(X))[:4]
    mean = mean_of_examples(net, X, Y, first)
    trainer.step()
    for name, value in net.params().items():
        assert trainer.net.param(name) == value - eta * mean[name], name
    assert isinstance(trainer.net.param("w_Out[0,0]"), Fraction)


def test_sgd_with_batch_size_n_is_full_batch_descent_step_for_step_exactly():
    net, (X, Y) = exact_net(), exact_data()
    eta = Fraction(1, 20)
    trainer = training.Trainer(net, X, Y, learning_rate=eta, batch_size=len(X), seed=3)
    full = net
    for _ in range(3):  # exact numbers grow quickly: three steps make the point
        mean = mean_of_examples(full, X, Y, range(len(X)))
        full = full.with_params({n: v - eta * mean[n] for n, v in full.params().items()})
        trainer.step()
        assert trainer.net.params() == full.params()
    assert trainer.epoch == 3 and trainer.steps_per_epoch == 1


def hand_written_full_batch(Ws, bs, X, Y, eta):
    """Full-batch descent on C = mean_k sum_j (a_j - y_j)^2 for a tanh network, by hand."""
    a = [X]
    for W, b in zip(Ws, bs):
        a.append(np.tanh(a[-1] @ W.T + b))
    m = len(X)
    delta = 2 * (a[-1] - Y) * (1 - a[-1] ** 2)
    new_W, new_b = [None] * len(Ws), [None] * len(Ws)
    for L in reversed(range(len(Ws))):
        new_W[L] = Ws[L] - eta * delta.T @ a[L] / m
        new_b[L] = bs[L] - eta * delta.sum(axis=0) / m
        delta = (delta @ Ws[L]) * (1 - a[L] ** 2)
    return new_W, new_b


def test_sgd_with_batch_size_n_matches_a_hand_written_numpy_step():
    data = datasets.make("xor", 40, seed=1)
    net = training.initial_network([2, 5, 3, 1], "tanh", seed=2)
    trainer = training.Trainer(net, data.X, data.Y, learning_rate=0.05, batch_size=40, seed=0)
    Ws, bs = [np.array(W) for W in net.weights], [np.array(b) for b in net.biases]
    for _ in range(10):
        Ws, bs = hand_written_full_batch(Ws, bs, data.X, data.Y, 0.05)
        trainer.step()
    for L in range(3):
        np.testing.assert_allclose(trainer.net.weights[L], Ws[L], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(trainer.net.biases[L], bs[L], rtol=1e-12, atol=1e-14)


def test_batches_are_slices_of_a_seeded_permutation_per_epoch():
    data = datasets.make("circle", 10, seed=0)
    net = training.initial_network([2, 3, 1], "tanh", seed=0)
    trainer = training.Trainer(net, data.X, data.Y, batch_size=4, seed=5)
    rng = np.random.default_rng(5)
    seen = []
    for _ in range(3):  # epochs
        order = rng.permutation(10)
        expected = [order[0:4], order[4:8], order[8:10]]  # the last batch is smaller
        got = []
        for _ in range(3):
            trainer.step()
            got.append(trainer.batch)
        assert [list(g) for g in got] == [list(e) for e in expected]
        seen.append(sorted(np.concatenate(got)))
    assert all(s == list(range(10)) for s in seen)  # every example once per epoch


def test_epochs_and_examples_are_counted():
    data = datasets.make("gauss", 10, seed=0)
    trainer = training.Trainer(training.initial_network([2, 2, 1], "tanh"), data.X, data.Y,
                               batch_size=4)
    assert trainer.steps_per_epoch == 3 == training.steps_per_epoch(10, 4)
    trainer.train(7)
    assert trainer.steps == 7 and trainer.epoch == 2 and trainer.examples_seen == 24
    assert len(trainer.batch_costs) == 7 and len(trainer.costs) == 8
    assert trainer.cost_steps == list(range(8))


def test_training_in_chunks_takes_the_steps_asked_and_reports_after_each_chunk():
    data = datasets.make("gauss", 10, seed=0)
    trainer = training.Trainer(training.initial_network([2, 2, 1], "tanh"), data.X, data.Y,
                               batch_size=4, record_every=100)
    calls = []
    trainer.train(7, chunk=3, on_chunk=lambda done, steps: calls.append((done, steps)))
    assert trainer.steps == 7 and calls == [(3, 7), (6, 7), (7, 7)]
    assert trainer.cost_steps == [0, 3, 6, 7]  # C recorded at the end of every chunk
    assert trainer.costs[-1] == trainer.net.cost(data.X, data.Y)


def test_the_message_says_the_cost_went_up_only_when_it_did():
    data = datasets.make("gauss", 20, seed=0)
    net = training.initial_network([2, 3, 1], "tanh", seed=1)
    falling = training.Trainer(net, data.X, data.Y, learning_rate=0.1).train(10)
    assert falling.costs[-1] < falling.costs[0] and "went up" not in falling.message
    rising = training.Trainer(net, data.X, data.Y, learning_rate=20).train(10)
    assert rising.costs[-1] > rising.costs[0]
    assert "The cost is higher than at the start: the learning rate overshoots." in rising.message
    # before an epoch, a higher C may be one batch's chance: the message waits for a whole pass
    early = training.Trainer(net, data.X, data.Y, learning_rate=20, batch_size=5).train(1)
    assert early.costs[-1] > early.costs[0] and "higher" not in early.message
    assert "higher than at the start" in early.train(3).message  # 4 steps: one epoch
    # every ReLU dead on every example: ten steps leave C where it was
    dead = bp.Network([[[0.0, 0.0]], [[1.0]]], [[-1.0], [-1.0]], "relu")
    flat = training.Trainer(dead, data.X, data.Y).train(10)
    assert flat.steps == 10 and flat.costs[-1] == flat.costs[0] and "went up" not in flat.message


def test_reset_gives_the_same_run_again_and_the_seed_matters():
    data = datasets.make("xor", 30, seed=0)
    net = training.initial_network([2, 4, 1], "tanh", seed=1)
    trainer = training.Trainer(net, data.X, data.Y, learning_rate=0.1, batch_size=5, seed=2)
    first = list(trainer.train(20).costs)
    trainer.reset()
    assert trainer.steps == 0 and trainer.net is net and trainer.costs == first[:1]
    assert list(trainer.train(20).costs) == first
    other = training.Trainer(net, data.X, data.Y, learning_rate=0.1, batch_size=5, seed=3)
    assert list(other.train(20).costs) != first


@pytest.mark.parametrize("name, hidden, activation, eta, steps", [
    ("circle", [8, 8], "tanh", 0.03, 600),
    ("xor", [8, 8], "relu", 0.03, 600),
    ("gauss", [], "tanh", 0.03, 200),
    ("spiral", [16, 16], "tanh", 0.03, 1500),
])
def test_training_lowers_the_cost_on_each_data_set(name, hidden, activation, eta, steps):
    net = training.initial_network([2, *hidden, 1], activation, seed=0, output_activation="tanh")
    data = datasets.make(name, 200, seed=0, labels=datasets.labels_for(net.activations[-1]))
    trainer = training.Trainer(net, data.X, data.Y, learning_rate=eta, batch_size=10, seed=0,
                               threshold=data.threshold, record_every=50)
    before, accuracy_before = trainer.cost, trainer.accuracy()
    trainer.train(steps)
    assert not trainer.diverged
    assert trainer.cost < 0.9 * before
    assert trainer.accuracy() > accuracy_before
    if name != "spiral":
        assert trainer.accuracy() >= 0.95


def test_a_huge_learning_rate_diverges_and_stops_at_a_finite_step():
    data = datasets.make("gauss", 40, seed=0)
    net = training.initial_network([2, 4, 1], "linear", seed=0)
    trainer = training.Trainer(net, data.X, data.Y, learning_rate=5, batch_size=40)
    trainer.train(500)
    assert trainer.diverged and trainer.steps < 500
    assert all(math.isfinite(c) for c in trainer.costs)
    assert all(np.isfinite(W).all() for W in trainer.net.weights)
    assert trainer.step() is None
    assert "Diverged" in trainer.message and "too large" in trainer.message


def test_a_run_that_overflows_on_its_first_step_says_no_step_was_taken():
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="linear")
    X, Y = net.batch([0.5, -4, 2, 8], [0, 4, 1, 5])
    for learning_rate, taken in ((1e300, "no steps"), (1, "3 steps")):  # step 1 or 4 overflows
        trainer = training.Trainer(net, X, Y, learning_rate, batch_size=4).train(100)
        (said,) = trainer.warnings()
        assert trainer.diverged and f"training stopped with {taken} taken: the" in said
    assert "stopped with no steps taken: the learning rate 1e+300" in (
        training.Trainer(net, X, Y, 1e300).train(5).message)
    assert [bp.numbers.plural(n, "example", no=True) for n in (0, 1, 2)] == [
        "no examples", "1 example", "2 examples"]
    assert bp.numbers.plural(0, "step") == "0 steps"  # a count, unless the caller says so


def test_only_the_chosen_parameters_move_and_their_path_is_kept():
    net, x, y = bp.worked_example()
    X, Y = net.batch([0.5, 1, -1, 2], [0, 1, 0.5, 2])
    trainer = training.Trainer(net, X, Y, learning_rate=0.01, batch_size=2,
                               params=("w_H1", "w_Out"))
    trainer.train(6)
    moved = {n for n, v in trainer.net.params().items() if v != net.param(n)}
    assert moved == {"w_H1", "w_Out"}
    assert len(trainer.path) == 7 and trainer.path[0] == {"w_H1": 0.01, "w_Out": 0.5}
    assert trainer.path[-1]["w_Out"] == trainer.net.param("w_Out")


def test_accuracy_reads_the_threshold():
    net = bp.Network([[[1.0, 0.0]]], [[0.0]], "tanh")  # a_Out = tanh(x_1): class 1 iff x_1 > 0
    # the last row lies on the boundary: a_Out = tanh(0) = 0 and y = 0 are not above 0: class 0
    X = np.array([[1.0, 5.0], [-1.0, 0.0], [2.0, -3.0], [-0.5, 1.0], [0.0, 2.0]])
    Y = np.array([[1.0], [-1.0], [-1.0], [-1.0], [0.0]])
    trainer = training.Trainer(net, X, Y, batch_size=2)
    assert trainer.accuracy() == 0.8  # classes 1, 0, 1, 0, 0 predicted: the third is wrong
    assert training.Trainer(net, X, Y, threshold=0.9).accuracy() == 0.6
    Y[-1] = 0.5  # now above 0: class 1, which a_Out = 0 misses
    assert training.Trainer(net, X, Y).accuracy() == 0.6


@pytest.mark.parametrize("sizes", [[2, 3, 1], [2, 3, 4, 1]])
def test_output_on_grid_is_the_forward_pass_at_the_grid_points(sizes):
    net = training.initial_network(sizes, "tanh", seed=4)
    extent = (-6, 6, -3, 3)
    x1, x2, points = training.grid(extent, 5)
    values = training.output_on_grid(net, extent, 5)
    assert values.shape == (5, 5)
    for i, j in ((0, 0), (1, 3), (4, 2)):
        a = net.forward([x1[j], x2[i]]).output[0]
        assert values[i, j] == pytest.approx(a, rel=1e-5, abs=1e-6)  # float32: a picture


def test_a_wide_layer_on_the_grid_is_computed_a_slice_at_a_time():
    # 2-5000-1 on the 100 x 100 grid held two 10,000 x 5,000 arrays (400 MB; 2-33333-1, 2.7 GB)
    import tracemalloc

    net = training.initial_network([2, 5000, 1], "tanh", seed=1)
    tracemalloc.start()
    values = training.output_on_grid(net, (-6, 6, -6, 6))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 2**20
    x1, x2, _ = training.grid((-6, 6, -6, 6))
    for i, j in ((0, 0), (57, 3), (99, 99)):
        a = net.forward([x1[j], x2[i]]).output[0]
        assert values[i, j] == pytest.approx(a, rel=1e-4, abs=1e-5)


def test_initial_network_is_deterministic_and_shaped():
    a = training.initial_network([2, 4, 3, 1], "relu", seed=9, output_activation="tanh")
    b = training.initial_network([2, 4, 3, 1], "relu", seed=9, output_activation="tanh")
    assert a.sizes == (2, 4, 3, 1)
    assert [s.name for s in a.activations] == ["relu", "relu", "tanh"]
    assert all(np.array_equal(p, q) for p, q in zip(a.weights, b.weights))
    assert not np.array_equal(a.weights[0], training.initial_network([2, 4, 3, 1], seed=8).weights[0])
    assert training.initial_network([2, 1]).layer_names == ("Out",)


def test_learning_rate_as_text_and_changes_between_steps():
    net, (X, Y) = exact_net(), exact_data()
    trainer = training.Trainer(net, X, Y, learning_rate="1/10", batch_size=3)
    assert trainer.learning_rate == Fraction(1, 10)
    trainer.step()
    trainer.learning_rate, trainer.batch_size = "1/5", 2
    batch = np.random.default_rng(0).permutation(6)[3:5]
    mean = mean_of_examples(trainer.net, X, Y, batch)
    before = trainer.net
    trainer.step()
    assert trainer.net.param("b_Out") == before.param("b_Out") - Fraction(1, 5) * mean["b_Out"]


@pytest.mark.parametrize("change, error, words", [
    ({"learning_rate": 0}, ValueError, "positive"),
    ({"learning_rate": "fast"}, ValueError, "learning_rate"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 11}, ValueError, "at most the 10 examples"),
    ({"batch_size": 2.5}, ValueError, "batch_size"),
    ({"params": ["w_H9"]}, ValueError, "unknown parameter"),
])
def test_bad_settings_are_named(change, error, words):
    data = datasets.make("circle", 10)
    net = training.initial_network([2, 3, 1])
    kwargs = {"learning_rate": 0.1, "batch_size": 2, **change}
    with pytest.raises(error, match=words):
        training.Trainer(net, data.X, data.Y, **kwargs)


def test_bad_data_is_named():
    net = training.initial_network([2, 3, 1])
    with pytest.raises(ValueError, match="x"):
        training.Trainer(net, np.zeros((4, 3)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="one row per example"):
        training.Trainer(net, np.zeros((4, 2)), np.zeros((3, 1)))
    trainer = training.Trainer(net, np.zeros((4, 2)), np.zeros((4, 1)), batch_size=2)
    with pytest.raises(ValueError, match="steps"):
        trainer.train(-1)


def test_one_epoch_is_said_in_the_singular():
    # three examples, batch 1, three steps: "(1 epochs)" in the trainer's message and notebook 09
    assert training.epochs(3, 3) == "1 epoch" and training.epochs(4, 3) == "1.333 epochs"
    net = bp.Network.chain([2, 3, 0.5], [-1, 1, -0.5], "leaky_relu")
    X, Y = np.array([[0.5], [1.0], [2.0]]), np.array([[1.0], [0.0], [1.0]])
    trainer = training.Trainer(net, X, Y, 0.1, 1, seed=0).train(3)
    assert "(1 epoch)," in trainer.message, trainer.message
