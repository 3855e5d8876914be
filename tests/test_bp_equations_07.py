"""Notebook 07's BP1-BP4 cell: under other parameters (a 2-3-3-2 network, another activation)
each equation, computed from the forward pass, is reported equal to ``backward``, and the deltas
it prints are the library's dC0/dz."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_cells import rerun

import backproplib as bp

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_many_neurons.ipynb"
WIDE = {
    "x": [0.5, -1.0], "y": [0.25, 1.5],
    "weights": [[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]],
                [[0.3, 0.6, -0.1], [0.5, -0.4, 0.2], [-0.3, 0.1, 0.7]],
                [[0.7, -0.3, 0.2], [0.2, 0.8, -0.6]]],
    "biases": [[0.2, -0.1, 0.5], [0.1, 0.4, -0.2], [0.3, -0.2]],
    "param": "w_H1[0,1]",
}


@pytest.mark.parametrize("activation", ["tanh", "leaky_relu"])
def test_each_equation_equals_backward(activation, tmp_path):
    nb = rerun(NOTEBOOK, tmp_path / "07.ipynb", dict(WIDE, activation=activation))
    cell = next(c for c in nb.cells if c.get("id") == "bp1bp4co")
    text = "".join(o.get("text", "") for o in cell.outputs)
    lines = [line for line in text.splitlines() if line.startswith("BP")]
    net = bp.Network(WIDE["weights"], WIDE["biases"], activation)
    g = net.backward(WIDE["x"], WIDE["y"])
    layers = len(net.layer_names)
    assert [line[:3] for line in lines].count("BP1") == 1
    assert [line[:3] for line in lines].count("BP2") == layers - 1
    assert [line[:3] for line in lines].count("BP3") == layers
    assert [line[:3] for line in lines].count("BP4") == layers
    assert all(line.endswith("equals backward") for line in lines), text
    for L, name in enumerate(net.layer_names):
        shown = str([bp.fmt(v) for v in g.dz[L]])
        assert any(f"delta_{name} = " in line and shown in line for line in lines), (name, text)
