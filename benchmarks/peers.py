"""The implementations backproplib is compared with, each giving the same numbers.

- ``surface_loop``: the worked example's chain rule written out in closed form, one grid point
  at a time in a Python loop, every result kept (a student's first vectorisation-free attempt).
- ``surface_numpy``: the same formulas as one hand-written numpy broadcasting expression for this
  network (w_H1 along axis 0 as (n1, 1), w_Out along axis 1 as (1, n2)).
- ``micrograd_*``: the same network built from micrograd ``Value``s with the same weights.
- ``torch_*``: the same network in PyTorch, float64, ``torch.autograd.grad``.
All networks here use ReLU in every layer (ReLU'(0) = 0, as in backproplib, micrograd, torch)
and the cost C0 = sum_j (a_j^Out - y_j)^2.
"""

from __future__ import annotations

import numpy as np

GRAD_ORDER = ("w_H0", "b_H0", "w_H1", "b_H1", "w_Out", "b_Out")


# --- cost surface of the worked example over (w_H1, w_Out) ----------------------------------
def surface_loop(p: dict, x: float, y: float, v1, v2):
    """Cost and the 6 gradients at every (w_H1, w_Out) point, one point per loop iteration.

    Returns lists of lists: results["cost"][i][j] etc. Every point recomputes the whole chain.
    """
    w0, b0, b1, b2 = p["w_H0"], p["b_H0"], p["b_H1"], p["b_Out"]
    v1, v2 = [float(v) for v in v1], [float(v) for v in v2]
    cost, dw0, db0, dw1, db1, dw2, db2 = [], [], [], [], [], [], []
    for w1 in v1:
        rc, r0w, r0b, r1w, r1b, r2w, r2b = [], [], [], [], [], [], []
        for w2 in v2:
            z0 = w0 * x + b0
            a0 = z0 if z0 > 0 else 0.0
            z1 = w1 * a0 + b1
            a1 = z1 if z1 > 0 else 0.0
            z2 = w2 * a1 + b2
            a2 = z2 if z2 > 0 else 0.0
            e = a2 - y
            d2 = 2 * e if z2 > 0 else 0.0  # dC/dz_Out
            d1 = d2 * w2 if z1 > 0 else 0.0  # dC/dz_H1
            d0 = d1 * w1 if z0 > 0 else 0.0  # dC/dz_H0
            rc.append(e * e)
            r2w.append(d2 * a1)
            r2b.append(d2)
            r1w.append(d1 * a0)
            r1b.append(d1)
            r0w.append(d0 * x)
            r0b.append(d0)
        cost.append(rc)
        dw0.append(r0w)
        db0.append(r0b)
        dw1.append(r1w)
        db1.append(r1b)
        dw2.append(r2w)
        db2.append(r2b)
    return cost, dict(zip(GRAD_ORDER, (dw0, db0, dw1, db1, dw2, db2)))


def surface_numpy(p: dict, x: float, y: float, v1, v2):
    """The same, as numpy broadcasting: only what depends on both weights is a full grid."""
    w1 = v1[:, None]  # (n1, 1)
    w2 = v2[None, :]  # (1, n2)
    z0 = p["w_H0"] * x + p["b_H0"]  # a number: nothing upstream depends on the grid
    a0, r0 = (z0, 1.0) if z0 > 0 else (0.0, 0.0)
    z1 = w1 * a0 + p["b_H1"]  # (n1, 1)
    r1 = z1 > 0
    a1 = np.where(r1, z1, 0.0)
    z2 = w2 * a1  # (n1, n2) from here on
    z2 += p["b_Out"]
    r2 = z2 > 0
    e = np.maximum(z2, 0.0, out=z2)
    e -= y
    cost = e * e
    d2 = np.multiply(e, r2, out=e)  # error * ReLU'(z_Out)
    d2 *= 2
    dw2 = d2 * a1
    d1 = d2 * w2
    d1 *= r1
    dw1 = d1 * a0
    d0 = d1 * (w1 * r0)
    dw0 = d0 * x
    return cost, dict(zip(GRAD_ORDER, (dw0, d0, dw1, d1, dw2, d2)))


# --- one example through a wider network ----------------------------------------------------
def micrograd_setup(weights, biases, x, y):
    """Parameters as micrograd Values (created once, like a model) and a step function.

    The step does what a user's training step does: zero the grads, build the graph of the
    forward pass and the cost, and call backward. Returns (params, step) with params a list of
    (W as rows of Values, b as a list of Values) per layer.
    """
    from micrograd.engine import Value

    params = [([[Value(float(w)) for w in row] for row in W], [Value(float(v)) for v in b])
              for W, b in zip(weights, biases)]
    flat = [v for W, b in params for row in W for v in row] + [v for W, b in params for v in b]
    x = [float(v) for v in np.atleast_1d(x)]
    y = [float(v) for v in np.atleast_1d(y)]

    def step():
        for v in flat:
            v.grad = 0
        a = x
        for W, b in params:
            a = [(sum((w_jk * a_k for w_jk, a_k in zip(row, a)), b_j)).relu()
                 for row, b_j in zip(W, b)]
        cost = sum((a_j - y_j) ** 2 for a_j, y_j in zip(a, y))
        cost.backward()
        return cost

    return params, step


def micrograd_grads(params):
    """[(dW, db)] per layer as numpy arrays, from the Values' .grad."""
    return [(np.array([[w.grad for w in row] for row in W], dtype=float),
             np.array([v.grad for v in b], dtype=float)) for W, b in params]


def torch_setup(weights, biases, x, y):
    """The same network as float64 torch tensors; step() returns (cost, grads) by autograd."""
    import torch

    params = []
    for W, b in zip(weights, biases):
        params.append(torch.tensor(np.asarray(W, dtype=float), requires_grad=True))
        params.append(torch.tensor(np.asarray(b, dtype=float), requires_grad=True))
    xt = torch.tensor(np.atleast_1d(np.asarray(x, dtype=float)))
    yt = torch.tensor(np.atleast_1d(np.asarray(y, dtype=float)))
    pairs = list(zip(params[0::2], params[1::2]))

    def step():
        a = xt
        for W, b in pairs:
            a = torch.relu(W @ a + b)
        cost = ((a - yt) ** 2).sum()
        return cost, torch.autograd.grad(cost, params)

    return step


def random_network(sizes, seed=0):
    """Weights (He-scaled normal) and biases for layer sizes (n_x, n_H0, ..., n_Out), plus x, y."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        weights.append(rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in)))
        biases.append(rng.normal(0.0, 0.1, size=n_out) + 0.1)
    x = rng.normal(size=sizes[0])
    y = rng.normal(size=sizes[-1])
    return weights, biases, x, y
