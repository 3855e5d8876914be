"""The cost and every gradient over a grid of values of two parameters, without a point loop:
``network.backpropagate`` run once with the two parameters turned into arrays (the first along
grid axis 0, the second along axis 1), so numpy broadcasts every z, a and dC/dz over the grid.
With a batch (x of shape (m, n_x)) the surface is the average cost C.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial

import numpy as np

from ..core.network import Network, backpropagate, forward_pass
from ..core.results import classify_slopes
from ..numbers import NumericOverflow, check_targets, grid_values, indexed

MAX_SURFACE_BYTES = 4 * 2**30  # the results of one surface: refused beyond 4 GiB
# grid points per band: the temporaries stay small and in cache. The 400 x 400 benchmark
# surface measured 1.05 ms with 32,768, 1.22 ms with 16,384, 6.5 ms with 49,152
_BAND = 32768


@dataclass(frozen=True)
class CostSurface:
    """``cost[i, j]`` at names[0] = values[0][i], names[1] = values[1][j] (C0, or C for a
    batch); ``grad[name]`` the same for each parameter kept. ``dead[neuron]`` and
    ``saturated[neuron]`` ("H1", or "H1[0]") are boolean grids by ``Gradients.blocked``'s rule
    (for a batch: on every example), computed from ``net`` and ``x`` when first asked for."""

    names: tuple
    values: tuple
    cost: np.ndarray
    grad: dict
    net: Network
    x: np.ndarray

    dead = property(lambda self: self._masks[0], doc="{neuron: where sigma'(z) = 0}")
    saturated = property(lambda self: self._masks[1], doc="{neuron: where it is saturated}")

    @cached_property
    def _masks(self):
        """The grid's forward pass again, for sigma'(z): the cost and gradients (and the
        benchmark's 400 x 400 surface, 0.2 of its 1.7 ms) do without it."""
        net = self.net
        neurons = [indexed(name, j, n)
                   for name, n in zip(net.layer_names, net.sizes[1:]) for j in range(n)]
        masks = np.empty((2, len(neurons)) + self.cost.shape, dtype=bool)
        for band, weights, biases in _bands(net, self.names, self.values):
            i = 0  # the neuron's row of ``masks``
            with np.errstate(over="ignore", invalid="ignore"):
                zs, _ = forward_pass(weights, biases, net.activations, self.x)
                for z, sigma in zip(zs, net.activations):  # blocked on every example
                    dead, blocked = (m.all(axis=-2)
                                     for m in classify_slopes(sigma.derivative(z), sigma))
                    for j in range(z.shape[-1]):
                        masks[0, i, band] = dead[..., j]
                        masks[1, i, band] = blocked[..., j] & ~dead[..., j]  # saturated
                        i += 1
        return dict(zip(neurons, masks[0])), dict(zip(neurons, masks[1]))


def cost_surface(net: Network, x, y, grid: dict, gradients=None) -> CostSurface:
    """Cost and gradients of ``net`` over the grid {name1: values1, name2: values2}, in floats,
    keeping the derivatives of ``gradients`` (all by default), within ``MAX_SURFACE_BYTES``."""
    if not isinstance(grid, dict) or len(grid) != 2:
        raise ValueError(f"grid: expected {{name1: values1, name2: values2}}, got {grid!r}")
    names = tuple(grid)  # two different names: a dict's keys
    values = tuple(grid_values(grid[n], f"grid values of {n}") for n in names)
    keep = net.parameter_names if gradients is None else tuple(gradients)
    where = [net.locate(name) for name in keep]
    shape = (len(values[0]), len(values[1]))
    need = shape[0] * shape[1] * (1 + len(where)) * 8
    if need > MAX_SURFACE_BYTES:
        raise ValueError(
            f"grid of {names[0]} and {names[1]}: {shape[0]} x {shape[1]} points with the cost "
            f"and {len(where)} gradients would need {need / 2**30:.1f} GiB, more than the "
            f"{MAX_SURFACE_BYTES / 2**30:.0f} GiB a surface may use; use fewer points or keep "
            "fewer gradients (gradients=[...])")
    x, y = (np.asarray(v, dtype=float) for v in (net.input(x), net.target(y)))
    check_targets(x, y, net.cost_function, net.activations[-1])
    x, y = np.atleast_2d(x), np.atleast_2d(y)  # one example is a batch of one on a grid
    block = np.empty((1 + len(where),) + shape)
    for band, weights, biases in _bands(net, names, values):
        wanted = {}  # one example: each dC/dw written straight into its place in the block, no
        # copy from a temporary (2.3 us each of a band's 32,400 points: 35 us of the 1.1 ms)
        for i, (kind, L, index) in enumerate(where, 1):
            out = block[i, band, :, None] if len(x) == 1 else None  # (rows, columns, m = 1)
            wanted.setdefault(L, []).append((kind, index, out))
        run = partial(backpropagate, weights, biases, net.activations, x, y, net.cost_function,
                      batch=True, wanted=wanted)
        try:  # numpy's flags say whether anything overflowed: no pass to look (0.1 ms)
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                r, overflowed = run(), False
        except FloatingPointError:  # perhaps only on the way (a z of -inf that ReLU makes 0)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                r, overflowed = run(), True
        block[0, band] = r.cost
        found = {L: iter(entries) for L, entries in enumerate(r.dC_dw) if entries}
        for i, slot in enumerate(where, 1):
            if (value := next(found[slot.L])).base is not block:
                block[i, band] = value
        if overflowed and not np.isfinite(block[:, band]).all():
            raise NumericOverflow(
                f"the cost or a gradient overflowed somewhere on the grid of {names[0]} and "
                f"{names[1]}; choose a smaller range of values")
    block.flags.writeable = False
    return CostSurface(names, values, block[0], dict(zip(keep, block[1:])), net, x)


def _bands(net, names, values):
    """(rows, weights, biases) for each band of grid rows, the temporaries small enough to stay
    in cache: the first parameter's values of the band along grid axis 0, the second's along 1."""
    slots, rows = [net.locate(name) for name in names], max(1, _BAND // len(values[1]))
    weights, biases = _grid_parameters(net, slots, values)  # once: a band's are slices (11 us)
    for start in range(0, len(values[0]), rows):
        band = slice(start, start + rows)
        yield band, *([p[band] if p.ndim > plain and len(p) > 1 else p for p in table]
                      for table, plain in ((weights, 2), (biases, 1)))


def _grid_parameters(net, slots, values):
    """Weights and biases in floats, the two grid parameters turned into arrays: the first
    varies along grid axis 0, the second along axis 1."""
    weights = [np.asarray(W, dtype=float) for W in net.weights]
    biases = [np.asarray(b, dtype=float) for b in net.biases]
    for axis, ((kind, L, index), vals) in enumerate(zip(slots, values)):
        table = weights if kind == "w" else biases
        grid_shape = [1, 1] + ([1] if kind == "b" else [])  # b^L: a singleton example axis
        grid_shape[axis] = len(vals)
        base = table[L]  # on the grid already if the other parameter is in this layer
        shape = np.broadcast_shapes(base.shape, tuple(grid_shape) + base.shape[-len(index):])
        array = np.array(np.broadcast_to(base, shape))
        array[(...,) + index] = vals.reshape(grid_shape)
        table[L] = array
    return weights, biases
