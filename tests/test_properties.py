"""Backpropagation on random networks against two independent references.

1. Central finite differences written here, on a forward pass written here (numpy, but none of
   backproplib's code): every activation, depth 1-4, widths 1-6, one activation or one per layer.
2. micrograd (karpathy's scalar autograd engine), for relu, leaky_relu and linear networks, which
   it can build from +, *, ** and relu: leaky_relu(z) = relu(z) - 0.01 relu(-z). Fed Fractions,
   micrograd also checks exact mode to the last digit.

Kinks: relu and leaky_relu have none of a derivative at z = 0, so draws with some |z| < 1e-3 in
such a layer are discarded (and, for Fractions, draws with some z == 0).
"""

from fractions import Fraction

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from micrograd.engine import Value

import backproplib as bp

ALL = ["relu", "leaky_relu", "sigmoid", "tanh", "linear"]
PIECEWISE_LINEAR = ["relu", "leaky_relu", "linear"]
KINKED = {"relu", "leaky_relu"}

# Our own activations, written independently of backproplib.activations.
REFERENCE = {
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "sigmoid": lambda z: 0.5 * (1 + np.tanh(z / 2)),  # = 1/(1+e^-z), never overflows
    "tanh": np.tanh,
    "linear": lambda z: z,
}

unit = st.floats(-1, 1, allow_nan=False, allow_infinity=False)


@st.composite
def networks(draw, names=ALL):
    """(weights, biases, activation list, x, y) with W_L of shape (n_L, n_(L-1))."""
    depth = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 6)) for _ in range(depth + 1)]
    weights = [draw(arrays(np.float64, (sizes[L + 1], sizes[L]), elements=unit))
               for L in range(depth)]
    biases = [draw(arrays(np.float64, (sizes[L + 1],), elements=unit)) for L in range(depth)]
    if draw(st.booleans()):
        activations = [draw(st.sampled_from(names))] * depth
    else:
        activations = [draw(st.sampled_from(names)) for _ in range(depth)]
    x = draw(arrays(np.float64, (sizes[0],), elements=unit))
    y = draw(arrays(np.float64, (sizes[-1],), elements=unit))
    return weights, biases, activations, x, y


def build(case, single_name_if_uniform=True):
    weights, biases, activations, x, y = case
    given_activations = activations
    if single_name_if_uniform and len(set(activations)) == 1:
        given_activations = activations[0]  # exercise the "one name for every layer" form
    return bp.Network(weights, biases, given_activations, exact=False)


# --- our own forward pass and central differences ------------------------------------------
def run(weights, biases, activations, a, start=0):
    """a^Out when the activation of layer start-1 (the input when start = 0) is a."""
    for W, b, name in list(zip(weights, biases, activations))[start:]:
        a = REFERENCE[name](W @ a + b)
    return a


def reference_zs(weights, biases, activations, x):
    zs, a = [], x
    for W, b, name in zip(weights, biases, activations):
        z = W @ a + b
        zs.append(z)
        a = REFERENCE[name](z)
    return zs


def away_from_kinks(case, margin=1e-3):
    weights, biases, activations, x, _ = case
    zs = reference_zs(weights, biases, activations, x)
    return all(np.abs(z).min() >= margin for z, name in zip(zs, activations) if name in KINKED)


def central_differences(case, h=1e-6):
    """dw, db, da, dz per layer and dx, by (C(v + h) - C(v - h)) / 2h on our own forward pass."""
    weights, biases, activations, x, y = case

    def cost(a_out):
        return float(((a_out - y) ** 2).sum())

    def derivative(array, cost_of):
        grad = np.zeros(array.shape)
        for i in np.ndindex(array.shape):
            up, down = array.copy(), array.copy()
            up[i] += h
            down[i] -= h
            grad[i] = (cost_of(up) - cost_of(down)) / (2 * h)
        return grad

    zs = reference_zs(weights, biases, activations, x)
    dw, db, da, dz = [], [], [], []
    for L in range(len(weights)):
        def with_w(W, L=L):
            return cost(run(weights[:L] + [W] + weights[L + 1:], biases, activations, x))

        def with_b(b, L=L):
            return cost(run(weights, biases[:L] + [b] + biases[L + 1:], activations, x))

        def with_z(z, L=L):
            return cost(run(weights, biases, activations, REFERENCE[activations[L]](z), L + 1))

        def with_a(a, L=L):
            return cost(run(weights, biases, activations, a, L + 1))

        dw.append(derivative(weights[L], with_w))
        db.append(derivative(biases[L], with_b))
        dz.append(derivative(zs[L], with_z))
        da.append(derivative(REFERENCE[activations[L]](zs[L]), with_a))
    dx = derivative(x, lambda v: cost(run(weights, biases, activations, v)))
    return cost(run(weights, biases, activations, x)), dw, db, da, dz, dx


@settings(deadline=None, max_examples=60)
@given(networks())
def test_backward_matches_our_central_differences(case):
    assume(away_from_kinks(case))
    net = build(case)
    g = net.backward(case[3], case[4])
    cost, dw, db, da, dz, dx = central_differences(case)
    # Rounding in C(v + h) - C(v - h) is about 1e-16 * C / h; allow well above that.
    tol = dict(rtol=1e-5, atol=1e-7 * (1 + cost))
    np.testing.assert_allclose(g.cost, cost, rtol=1e-12)
    for L, name in enumerate(net.layer_names):
        assert g.dw[name].shape == case[0][L].shape
        np.testing.assert_allclose(g.dw[name], dw[L], err_msg=f"dw {name}", **tol)
        np.testing.assert_allclose(g.db[name], db[L], err_msg=f"db {name}", **tol)
        np.testing.assert_allclose(g.da[name], da[L], err_msg=f"da {name}", **tol)
        np.testing.assert_allclose(g.dz[name], dz[L], err_msg=f"dz {name}", **tol)
    np.testing.assert_allclose(g.dx, dx, err_msg="dx", **tol)


# --- micrograd ------------------------------------------------------------------------------
def micrograd_activation(name, z, slope):
    if name == "relu":
        return z.relu()
    if name == "leaky_relu":
        return z.relu() - slope * (-z).relu()
    assert name == "linear"
    return z


def micrograd_backprop(weights, biases, activations, x, y, slope=0.01):
    """cost, dw, db, da, dz, dx from micrograd's graph; numbers may be floats or Fractions."""
    xs = [Value(v) for v in x]
    Ws = [[[Value(w) for w in row] for row in W] for W in weights]
    bs = [[Value(v) for v in b] for b in biases]
    a, zs, As = xs, [], []
    for W, b, name in zip(Ws, bs, activations):
        z = [sum((w * a_k for w, a_k in zip(row, a)), b_j) for row, b_j in zip(W, b)]
        a = [micrograd_activation(name, z_j, slope) for z_j in z]
        zs.append(z)
        As.append(a)
    cost = sum(((a_j - y_j) ** 2 for a_j, y_j in zip(a, y)), Value(0))
    cost.backward()

    def grads(nested):
        return np.array([[v.grad for v in row] for row in nested], dtype=object)

    return (cost.data, [grads(W) for W in Ws], [grads([b])[0] for b in bs],
            [grads([a])[0] for a in As], [grads([z])[0] for z in zs], grads([xs])[0])


@settings(deadline=None, max_examples=40)
@given(networks(PIECEWISE_LINEAR))
def test_backward_matches_micrograd(case):
    assume(away_from_kinks(case))
    weights, biases, activations, x, y = case
    g = build(case).backward(x, y)
    cost, dw, db, da, dz, dx = micrograd_backprop(
        [W.tolist() for W in weights], [b.tolist() for b in biases], activations,
        x.tolist(), y.tolist())
    tol = dict(rtol=1e-9, atol=1e-12 * (1 + cost))
    np.testing.assert_allclose(g.cost, cost, rtol=1e-12)
    for L in range(len(weights)):
        np.testing.assert_allclose(g.dw[L], dw[L].astype(float), err_msg=f"dw {L}", **tol)
        np.testing.assert_allclose(g.db[L], db[L].astype(float), err_msg=f"db {L}", **tol)
        np.testing.assert_allclose(g.da[L], da[L].astype(float), err_msg=f"da {L}", **tol)
        np.testing.assert_allclose(g.dz[L], dz[L].astype(float), err_msg=f"dz {L}", **tol)
    np.testing.assert_allclose(g.dx, dx.astype(float), err_msg="dx", **tol)


small_rational = st.builds(Fraction, st.integers(-9, 9), st.sampled_from([1, 2, 4, 5, 10]))


@st.composite
def rational_networks(draw):
    depth = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 5)) for _ in range(depth + 1)]

    def vector(n):
        return [draw(small_rational) for _ in range(n)]

    weights = [[vector(sizes[L]) for _ in range(sizes[L + 1])] for L in range(depth)]
    biases = [vector(sizes[L + 1]) for L in range(depth)]
    activations = [draw(st.sampled_from(PIECEWISE_LINEAR)) for _ in range(depth)]
    return weights, biases, activations, vector(sizes[0]), vector(sizes[-1])


@settings(deadline=None, max_examples=30)
@given(rational_networks())
def test_exact_mode_equals_micrograd_on_fractions(case):
    weights, biases, activations, x, y = case
    net = bp.Network(weights, biases, activations, exact=True)
    fwd = net.forward(x)
    assume(all((fwd.z[L] != 0).all() for L, n in enumerate(activations) if n in KINKED))
    g = net.backward(x, y)
    cost, dw, db, da, dz, dx = micrograd_backprop(weights, biases, activations, x, y,
                                                  slope=Fraction(1, 100))
    assert g.cost == cost
    for L in range(len(weights)):
        assert g.dw[L].tolist() == dw[L].tolist(), f"dw {L}"
        assert g.db[L].tolist() == db[L].tolist(), f"db {L}"
        assert g.da[L].tolist() == da[L].tolist(), f"da {L}"
        assert g.dz[L].tolist() == dz[L].tolist(), f"dz {L}"
    assert g.dx.tolist() == dx.tolist()
