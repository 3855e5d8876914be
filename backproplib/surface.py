"""The cost C0 and every gradient over a grid of values of two parameters, without a point loop.

Each parameter is a number or, for the two on the grid, an array shaped to broadcast:
values1 along axis 0 as shape (n1, 1), values2 along axis 1 as shape (1, n2). The forward and
backward rules are the ones in ``network.py``, written neuron by neuron so that numpy broadcasts
every z, a and dC/dz over the grid; a value that does not depend on the grid stays a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import add

import numpy as np

from .network import Network, NumericOverflow
from .values import parse_parameter


@dataclass(frozen=True)
class CostSurface:
    """C0 on the grid: ``cost[i, j]`` is C0 at names[0] = values[0][i] and names[1] = values[1][j].

    ``grad[name]`` has the same shape and holds dC0/d(name) for every parameter of the network.
    """

    names: tuple
    values: tuple
    cost: np.ndarray
    grad: dict


def cost_surface(net: Network, x, y, grid: dict) -> CostSurface:
    """C0 and all gradients of ``net`` over the grid {name1: values1, name2: values2}, in floats."""
    if not isinstance(grid, dict) or len(grid) != 2:
        raise ValueError(f"grid: expected {{name1: values1, name2: values2}}, got {grid!r}")
    names = tuple(grid)
    values = tuple(_grid_axis(grid[n], n) for n in names)
    params = {n: float(v) for n, v in net.params().items()}
    for axis, (name, vals) in enumerate(zip(names, values)):
        parse_parameter(name, net.parameter_names)
        params[name] = vals.reshape((-1, 1) if axis == 0 else (1, -1))
    weights, biases = _unflatten(net, params)
    x = [float(v) for v in net.forward(x).x]
    y = [float(v) for v in net._vector(y, net.sizes[-1], "y", "Out")]
    shape = (len(values[0]), len(values[1]))
    where = [_locate(net, name) for name in net.parameter_names]
    # All results in one block: one large allocation (numpy backs it with huge pages) instead
    # of a fresh page-faulting array per result. The grid is computed a band of rows at a time
    # so that the temporaries stay small and in cache; every point gets the same arithmetic.
    block = np.empty((1 + len(where),) + shape)
    rows = max(1, _BAND // shape[1])
    kind0, L0, index0 = _locate(net, names[0])
    for start in range(0, shape[0], rows):
        band = slice(start, start + rows)
        chunk = values[0][band].reshape(-1, 1)
        if kind0 == "w":
            weights[L0][index0[0]][index0[1]] = chunk
        else:
            biases[L0][index0] = chunk
        out = block[:, band]
        dw_out = [[[None] * W.shape[1] for _ in range(W.shape[0])] for W in net.weights]
        db_out = [[None] * len(b) for b in net.biases]
        for i, (kind, L, index) in enumerate(where, 1):
            if kind == "w":
                dw_out[L][index[0]][index[1]] = out[i]
            else:
                db_out[L][index] = out[i]
        with np.errstate(over="ignore", invalid="ignore"):
            _broadcast_backprop(weights, biases, net.activations, x, y, (out[0], dw_out, db_out))
    block.flags.writeable = False  # read-only, like the broadcast views it replaces
    grad = dict(zip(net.parameter_names, block[1:]))
    cost = block[0]
    if not np.isfinite(block).all():
        raise NumericOverflow(
            f"the cost or a gradient overflowed somewhere on the grid of {names[0]} and "
            f"{names[1]}; choose a smaller range of values"
        )
    return CostSurface(names, values, cost, grad)


_BAND = 32768  # grid points per band: a few temporaries of 256 kB stay in a core's L2 cache


def _locate(net, name):
    """("w" or "b", layer position, index) of a parameter."""
    kind, layer, index = parse_parameter(name, net.parameter_names)
    return kind, net.layer_names.index(layer), index


def _grid_axis(values, name):
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"grid values of {name}: expected numbers, got {values!r}") from None
    if array.ndim != 1 or array.size < 2:
        raise ValueError(
            f"grid values of {name}: expected a 1-D list of at least 2 numbers, got shape "
            f"{array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"grid values of {name}: expected finite numbers, got NaN or infinity")
    return array


def _unflatten(net, params):
    """Per layer: W as rows [j][k] and b as [j] of numbers or grid arrays."""
    weights = [[[None] * W.shape[1] for _ in range(W.shape[0])] for W in net.weights]
    biases = [[None] * len(b) for b in net.biases]
    for name, value in params.items():
        kind, layer, index = parse_parameter(name, net.parameter_names)
        L = net.layer_names.index(layer)
        if kind == "w":
            weights[L][index[0]][index[1]] = value
        else:
            biases[L][index] = value
    return weights, biases


def _broadcast_backprop(weights, biases, activations, x, y, out):
    """The rules of network.py, one neuron at a time, each value broadcasting over the grid.

    Results are written straight into ``out`` = (cost, dw[L][j][k], db[L][j]), arrays of the
    band's shape, so no result is computed and then copied again.
    """
    cost_out, dw_out, db_out = out
    zs, activation_values = [], [x]
    a = x
    for W, b, sigma in zip(weights, biases, activations):
        z = [reduce(add, (w_jk * a_k for w_jk, a_k in zip(row, a))) + b_j
             for row, b_j in zip(W, b)]
        a = [sigma.function(z_j) for z_j in z]
        zs.append(z)
        activation_values.append(a)
    error = [a_j - y_j for a_j, y_j in zip(a, y)]
    if len(error) == 1:
        np.multiply(error[0], error[0], out=cost_out)
    else:
        cost_out[...] = reduce(add, (e * e for e in error))
    dC_da = [2 * e for e in error]
    for L in reversed(range(len(weights))):
        sigma = activations[L]
        dC_dz = [np.multiply(d, sigma.derivative(z_j), out=db_j)  # dC/db_j = dC/dz_j
                 for d, z_j, db_j in zip(dC_da, zs[L], db_out[L])]
        a_prev = activation_values[L]
        for d, row in zip(dC_dz, dw_out[L]):
            for a_k, dw_jk in zip(a_prev, row):
                np.multiply(d, a_k, out=dw_jk)
        if L == 0:
            break  # dC/dx is not part of the surface
        # dC/da_k of the layer before is the sum over j of dC/dz_j * w_jk
        dC_da = [reduce(add, (dC_dz[j] * weights[L][j][k] for j in range(len(dC_dz))))
                 for k in range(len(a_prev))]
