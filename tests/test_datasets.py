"""The four data sets: deterministic per seed, shaped as documented, and the shapes they promise."""

import numpy as np
import pytest

from backproplib.learning import datasets

NAMES = datasets.NAMES


def test_the_four_playground_sets():
    assert NAMES == ("circle", "xor", "gauss", "spiral")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_and_labels_as_documented(name, n):
    data = datasets.make(name, n, seed=3)
    assert len(data) == n
    assert data.X.shape == (n, 2) and data.X.dtype == float
    assert data.Y.shape == (n, 1)
    assert data.classes.shape == (n,)
    assert set(np.unique(data.Y)) <= {-1.0, 1.0}
    assert np.array_equal(data.Y[:, 0], np.where(data.classes == 1, 1.0, -1.0))
    assert np.isfinite(data.X).all()
    x1, x2, y1, y2 = data.extent
    assert (data.X[:, 0] >= x1).all() and (data.X[:, 0] <= x2).all()
    assert (data.X[:, 1] >= y1).all() and (data.X[:, 1] <= y2).all()


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_numbers_other_seed_other_numbers(name):
    a = datasets.make(name, 50, noise=0.2, seed=11)
    b = datasets.make(name, 50, noise=0.2, seed=11)
    c = datasets.make(name, 50, noise=0.2, seed=12)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.Y, b.Y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", NAMES)
def test_arrays_are_read_only(name):
    data = datasets.make(name, 10)
    with pytest.raises(ValueError):
        data.X[0, 0] = 1.0


def test_labels_zero_one():
    data = datasets.make("xor", 40, labels=(0, 1), seed=2)
    assert set(np.unique(data.Y)) == {0.0, 1.0}
    assert data.threshold == 0.5
    assert np.array_equal(data.Y[:, 0], data.classes.astype(float))


def test_repr_names_the_labels_or_one_hot_targets():
    """The repr says the two-class targets' labels; with labels None, the one-hot Y."""
    data = datasets.make("xor", 40, labels=(0, 1), seed=2)
    ones = int(data.classes.sum())
    text = repr(data)
    assert f"class 0: {40 - ones}, class 1: {ones}, labels=(0, 1)" in text and "one-hot" not in text
    one_hot = datasets.Dataset("xor", data.X, np.eye(2)[data.classes], data.classes, 2, 0.0)
    assert "one-hot Y" in repr(one_hot) and "labels=" not in repr(one_hot)


@pytest.mark.parametrize("activation, labels", [("relu", (0, 1)), ("sigmoid", (0, 1)),
                                                ("leaky_relu", (0, 1)), ("tanh", (-1, 1)),
                                                ("linear", (-1, 1))])
def test_labels_follow_the_output_activation(activation, labels):
    assert datasets.labels_for(activation) == labels


def test_the_recipes_separate_the_classes_as_described():
    circle = datasets.make("circle", 400, seed=0)
    r = np.hypot(*circle.X.T)
    assert (r[circle.classes == 1] < 2.5).all() and (r[circle.classes == 0] >= 3.5).all()
    xor = datasets.make("xor", 400, seed=0)
    product = xor.X[:, 0] * xor.X[:, 1]
    assert np.array_equal(xor.classes == 1, product >= 0)
    assert (np.abs(xor.X) >= 0.3).all()
    gauss = datasets.make("gauss", 400, seed=0)
    assert np.allclose(gauss.X[gauss.classes == 1].mean(axis=0), [2, 2], atol=0.2)
    assert np.allclose(gauss.X[gauss.classes == 0].mean(axis=0), [-2, -2], atol=0.2)
    spiral = datasets.make("spiral", 400, seed=0)
    r = np.hypot(*spiral.X.T)
    assert r.max() <= 5 and np.isclose(np.sort(r[spiral.classes == 1])[1], 5 / 200)


def test_classes_are_balanced_and_shuffled():
    data = datasets.make("circle", 101, seed=5)
    assert np.bincount(data.classes).tolist() == [50, 51]
    assert 0 < data.classes[:10].sum() < 10  # the first examples hold both classes


def test_noise_moves_labels_in_circle():
    clean = datasets.make("circle", 400, noise=0.0, seed=4)
    noisy = datasets.make("circle", 400, noise=0.5, seed=4)
    r = np.hypot(*noisy.X.T)
    wrong_side = (r < 2.5) != (noisy.classes == 1)
    assert wrong_side.any() and not ((np.hypot(*clean.X.T) < 2.5) != (clean.classes == 1)).any()


@pytest.mark.parametrize("kwargs, error, words", [
    ({"name": "moons"}, ValueError, "circle, xor, gauss, spiral"),
    ({"name": "circle", "n": 1}, ValueError, "n_examples: expected a whole number >= 2"),
    ({"name": "circle", "n": 2.5}, ValueError, "n_examples: expected a whole number"),
    ({"name": "circle", "noise": 0.9}, ValueError, "0 to 0.5"),
    ({"name": "circle", "noise": "lots"}, ValueError, "noise: expected a number"),
    ({"name": "circle", "noise": True}, TypeError, "noise: expected a number"),
    ({"name": "circle", "seed": -1}, ValueError, "seed"),
    ({"name": "circle", "labels": (1, -1)}, ValueError, "labels"),
    ({"name": "circle", "labels": 1}, ValueError, "labels"),
])
def test_bad_input_is_named(kwargs, error, words):
    with pytest.raises(error, match=words):
        datasets.make(**kwargs)


def test_labels_are_numbers_as_every_parameter_reads_them():
    text = datasets.make("circle", 40, seed=2, labels=("0", "1/2"))
    assert text.labels == (0, 0.5) and sorted(set(text.Y.ravel())) == [0, 0.5]
    assert "labels=(0, 0.5)" in repr(text)
    with pytest.raises(ValueError, match=r"labels \[1\]: expected a number such as 0.1, -2 or "
                                         r"1/3, got the text 'half'"):
        datasets.make("circle", labels=("0", "half"))
    for bad in ("01", (0, 1, 2), ((0, 1),), (1, 1)):  # "01" is one number, not (0, 1)
        with pytest.raises(ValueError, match=r"labels: expected two numbers, class 0's below "
                                             r"class 1's, such as \(-1, 1\), got"):
            datasets.make("circle", labels=bad)


def test_noise_may_be_text():
    a, b = datasets.make("circle", 40, "1/4", seed=2), datasets.make("circle", 40, 0.25, seed=2)
    assert a.noise == b.noise == 0.25 and np.array_equal(a.X, b.X)
