"""The data sets' geometry, recomputed from TensorFlow Playground's recipes (dataset.ts): radii,
the full circle of angles, the spiral's 1.75 turns, xor's gap, the clouds' centres and spread,
the labels' threshold and the checks of what an instructor types."""

import math

import numpy as np
import pytest

from backproplib.learning import datasets

N = 400


def polar(X):
    return np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 0], X[:, 1])  # x1 = r sin t, x2 = r cos t


def test_circle_radii_and_classes_without_noise():
    d = datasets.make("circle", N, seed=3)
    r, _ = polar(d.X)
    inside, ring = r[d.classes == 1], r[d.classes == 0]
    assert len(inside) == N - N // 2 and len(ring) == N // 2
    assert inside.max() < 2.5 and inside.min() >= 0 and inside.max() > 2.3
    assert ring.min() >= 3.5 and ring.max() <= 5.0 and ring.min() < 3.7 and ring.max() > 4.8
    assert (d.Y[d.classes == 1] == 1).all() and (d.Y[d.classes == 0] == -1).all()


def test_circle_angles_cover_the_whole_circle():
    _, t = polar(datasets.make("circle", N, seed=4).X)
    # every quarter of the circle holds about a quarter of the points (a range 0..pi would not)
    quarters = np.histogram(t, bins=4, range=(-math.pi, math.pi))[0]
    assert (quarters > N / 4 * 0.6).all(), quarters


def test_spiral_follows_its_two_arms():
    n = 200
    d = datasets.make("spiral", n, seed=0)
    for label, turn, count in ((1, 0.0, n // 2), (0, math.pi, n - n // 2)):
        arm = d.X[d.classes == label]
        i = np.arange(count)
        r = i / count * 5.0
        t = 1.75 * i / count * 2 * math.pi + turn
        expected = np.column_stack([r * np.sin(t), r * np.cos(t)])
        # the examples are shuffled: compare as sets of points, sorted by radius
        order_found = np.argsort(np.hypot(arm[:, 0], arm[:, 1]))
        np.testing.assert_allclose(arm[order_found], expected, atol=1e-12)


def test_spiral_turns_one_and_three_quarters():
    d = datasets.make("spiral", 2000, seed=0)
    arm = d.X[d.classes == 1]
    r, t = polar(arm)
    order = np.argsort(r)
    unwrapped = np.unwrap(t[order])
    assert (unwrapped[-1] - unwrapped[0]) / (2 * math.pi) == pytest.approx(1.75, abs=0.01)
    assert r.max() == pytest.approx(5.0, abs=0.01) and r.min() == 0


def test_spiral_noise_moves_points_by_at_most_noise():
    clean, noisy = datasets.make("spiral", 100, seed=5), datasets.make("spiral", 100, 0.3, 5)
    shift = np.abs(np.sort(noisy.X, axis=0) - np.sort(clean.X, axis=0))
    moved = np.abs(noisy.X - clean.X)
    assert moved.max() <= 0.3 + 1e-12 and moved.max() > 0.2
    assert shift.max() <= 5  # the same points, blurred


def test_xor_stays_away_from_the_axes_and_labels_by_quadrant():
    d = datasets.make("xor", N, seed=1)
    assert np.abs(d.X).min() >= 0.3 and np.abs(d.X).max() <= 5.3
    assert np.abs(d.X).min() < 0.4 and np.abs(d.X).max() > 5.1
    product = d.X[:, 0] * d.X[:, 1]
    np.testing.assert_array_equal(d.classes, (product >= 0).astype(int))
    for sign in (1, -1):  # every quadrant is used
        assert ((d.X[:, 0] * sign > 0) & (d.X[:, 1] > 0)).sum() > N / 8
        assert ((d.X[:, 0] * sign > 0) & (d.X[:, 1] < 0)).sum() > N / 8


def test_gauss_centres_and_spread():
    for noise in (0.0, 0.2):
        d = datasets.make("gauss", 4000, noise, seed=2)
        ones, zeros = d.X[d.classes == 1], d.X[d.classes == 0]
        np.testing.assert_allclose(ones.mean(axis=0), [2, 2], atol=0.1 + noise * 0.3)
        np.testing.assert_allclose(zeros.mean(axis=0), [-2, -2], atol=0.1 + noise * 0.3)
        assert ones.var() == pytest.approx(0.5 + 7 * noise, rel=0.1)
        assert len(ones) == 2000 and len(zeros) == 2000


def test_noise_changes_circle_labels_by_the_shifted_point():
    clean = datasets.make("circle", N, 0.0, seed=6)
    noisy = datasets.make("circle", N, 0.5, seed=6)
    assert (clean.classes == (np.hypot(*clean.X.T) < 2.5)).all()
    assert (noisy.classes != (np.hypot(*noisy.X.T) < 2.5)).any()  # some points change class


def test_labels_threshold_and_extent():
    d = datasets.make("xor", 10, labels=(0, 1))
    assert d.threshold == 0.5 and set(d.Y.ravel()) == {0.0, 1.0}
    d = datasets.make("gauss", 10, labels=(-3, 1))
    assert d.threshold == -1
    reach = max(6.0, np.abs(d.X).max() * 1.05)
    assert d.extent == (-reach, reach, -reach, reach)
    wide = datasets.make("gauss", 300, 0.5, seed=1)
    assert wide.extent[1] == pytest.approx(np.abs(wide.X).max() * 1.05) and wide.extent[1] > 6


def test_labels_for_each_activation():
    assert datasets.labels_for("relu") == (0, 1)
    assert datasets.labels_for("sigmoid") == (0, 1)
    assert datasets.labels_for("leaky_relu") == (0, 1)
    assert datasets.labels_for("tanh") == (-1, 1)
    assert datasets.labels_for("linear") == (-1, 1)


def test_labels_for_needs_an_output_strictly_above_minus_a_half():
    """The rule's boundary: sigma(-3) = -0.5 exactly does not "stay above -0.5"."""
    from backproplib.core.activations import Activation
    for slope, expected in ((1 / 6, (-1, 1)), (1 / 6 - 1e-3, (0, 1))):
        sigma = Activation("scaled", lambda z, s=slope: s * z, lambda z, s=slope: s + 0 * z,
                           False, "scaled")
        assert datasets.labels_for(sigma) == expected, slope


def test_halves_and_shuffling():
    for n in (2, 3, 7):
        d = datasets.make("circle", n, seed=0)
        assert d.classes.sum() == n - n // 2 and len(d) == n
    d = datasets.make("gauss", 40, seed=0)
    assert 0 < d.classes[:10].sum() < 10  # shuffled: the first ten hold both classes


@pytest.mark.parametrize("kwargs, error", [
    ({"n": 1}, ">= 2"), ({"n": 2.5}, "whole number"), ({"noise": 0.51}, "0 to 0.5"),
    ({"noise": -0.01}, "0 to 0.5"), ({"seed": -1}, ">= 0"), ({"labels": (1, 1)}, "labels"),
    ({"labels": (2, 1)}, "labels"), ({"labels": (0, float("inf"))}, "labels")])
def test_bad_arguments(kwargs, error):
    with pytest.raises((ValueError, TypeError), match=error):
        datasets.make("circle", **{"n": 10, **kwargs})


def test_edges_accepted():
    assert len(datasets.make("spiral", 2, 0.5, seed=0)) == 2
    assert datasets.make("xor", 10, 0.0, seed=0).noise == 0.0
    assert datasets.make("xor", 10, labels=(-1, 0)).labels == (-1.0, 0.0)


def playground(name, n, noise, seed):
    """TensorFlow Playground's recipe (dataset.ts) replayed with the same random numbers:
    (X, classes) in the shuffled order."""
    rng = np.random.default_rng(seed)
    ones, zeros = n - n // 2, n // 2
    if name == "circle":
        r = np.concatenate([rng.uniform(0, 2.5, ones), rng.uniform(3.5, 5, zeros)])
        t = rng.uniform(0, 2 * np.pi, n)
        X = np.column_stack([r * np.sin(t), r * np.cos(t)])
        noisy = X + rng.uniform(-5, 5, (n, 2)) * noise
        classes = (np.sqrt(noisy[:, 0] ** 2 + noisy[:, 1] ** 2) < 2.5).astype(int)
    elif name == "xor":
        X = rng.uniform(-5, 5, (n, 2))
        X = X + 0.3 * np.sign(X)
        noisy = X + rng.uniform(-5, 5, (n, 2)) * noise
        classes = (np.sign(noisy[:, 0]) == np.sign(noisy[:, 1])).astype(int)
    else:  # gauss
        spread = np.sqrt(0.5 + 7 * noise)
        X = np.concatenate([rng.normal(2, spread, (ones, 2)), rng.normal(-2, spread, (zeros, 2))])
        classes = np.array([1] * ones + [0] * zeros)
    order = rng.permutation(n)
    return X[order], classes[order]


@pytest.mark.parametrize("name", ["circle", "xor", "gauss"])
@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_the_recipes_replayed(name, noise):
    d = datasets.make(name, 101, noise, seed=11)
    X, classes = playground(name, 101, noise, 11)
    np.testing.assert_allclose(d.X, X, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(d.classes, classes)


@pytest.mark.parametrize("n", [7, 10])
@pytest.mark.parametrize("noise", [0.0, 0.4])
def test_the_spiral_replayed(n, noise):
    rng = np.random.default_rng(2)
    arms, labels = [], []
    for label, count, turn in ((0, n // 2, np.pi), (1, n - n // 2, 0.0)):  # class 1: n - n // 2
        i = np.arange(count)
        r, t = i / count * 5, 1.75 * i / count * 2 * np.pi + turn
        arms.append(np.column_stack([r * np.sin(t), r * np.cos(t)])
                    + rng.uniform(-1, 1, (count, 2)) * noise)
        labels.append([label] * count)
    X, classes = np.concatenate(arms), np.concatenate(labels)
    order = rng.permutation(n)
    d = datasets.make("spiral", n, noise, seed=2)
    np.testing.assert_allclose(d.X, X[order], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(d.classes, classes[order])
