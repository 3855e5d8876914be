"""Notebook 14 rerun by papermill with other parameters: what it prints follows the library.

For each parameter set (every activation, numbers as text): no cell raises; the table of JAX's
gradients of the chain next to backproplib's shows, in its backproplib column, exactly
``net.backward``'s gradients, and its JAX column agrees with them (to the 10 significant digits
``bp.fmt`` shows); the notebook says the gradients and the batch's averaged gradients agree;
JAX's ReLU'(0) is 0; every exercise, given its solution from the hidden Solutions cell, gets
"Right". The stored notebook shows no "Right" verdict.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from notebook_cells import output_text, rerun, with_solutions

import backproplib as bp

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "14_autodiff_framework.ipynb"
DEFAULTS = dict(x=0.5, y=0, weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="relu",
                xs=[0.5, -1, 2], ys=[0, 1, 0.5])
SETS = {
    "tanh-text": dict(activation="tanh", x="1/2", y="-1/4", weights=["0.3", "-1/5", "0.7"],
                      biases=["1/10", "1/2", "-0.2"]),
    "sigmoid": dict(activation="sigmoid", x=2, y=1, weights=[0.4, 0.3, 0.6],
                    biases=[0.1, -0.2, 0.3], xs=[1, 2, -3, 0.25], ys=[1, 0, 0.5, 0]),
    "leaky-dead": dict(activation="leaky_relu", weights=[0.1, -1, 0.5]),
    "linear": dict(activation="linear", xs=["1/2", "3"], ys=["1", "-1/2"]),
}
ANSWERS = {  # exercise -> the line that puts its solution in place of the student's answer
    "14.1": "summed_cost = solution_14_1()",
    "14.2": "dsum_dw_Out = solution_14_2()",
}


@pytest.fixture(scope="module", params=list(SETS))
def run(request, tmp_path_factory):
    pytest.importorskip("jax")
    params = SETS[request.param]
    source = tmp_path_factory.mktemp("nb14") / "in.ipynb"
    nbformat.write(with_solutions(nbformat.read(NOTEBOOK, as_version=4), 14, ANSWERS), source)
    return dict(DEFAULTS, **params), rerun(source, source.with_name("out.ipynb"), params)


def test_the_gradients_follow_the_library(run):
    settings, nb = run
    for cell in nb.cells:
        assert not any(o.get("output_type") == "error" for o in cell.get("outputs", [])), \
            cell.source[:80]
    net = bp.Network.chain(weights=settings["weights"], biases=settings["biases"],
                           activation=settings["activation"])
    g = net.backward(settings["x"], settings["y"])
    everything = "\n".join(output_text(c) for c in nb.cells if c.cell_type == "code")
    rows = re.findall(r"^([wb]_(?:H0|H1|Out))\s+(\S+)\s+(\S+)$", everything, flags=re.M)
    assert [name for name, _, _ in rows] == list(net.parameter_names)
    for name, jax_value, ours in rows:
        assert ours == bp.fmt(g[name]), name
        assert float(jax_value) == pytest.approx(float(g[name]), rel=1e-9, abs=1e-12), name
    assert f"backproplib {bp.fmt(g.cost)}" in everything
    assert net.activations[0].formula in everything
    assert "every gradient agrees to 12 significant digits" in everything
    assert "the batch's averaged gradients agree to 12 significant digits" in everything
    assert f"a batch of {len(settings['xs'])} examples" in everything
    assert re.search(r"JAX: jax\.grad\(jax\.nn\.relu\)\(0\.0\) = 0(?![.\d])", everything)
    assert "In the kinked copy, H1 is dead" in everything


def test_every_solution_is_right(run):
    _, nb = run
    verdicts = [output_text(c) for c in nb.cells if c.source.startswith("# Exercise 14.")]
    assert len(verdicts) == len(ANSWERS)
    for verdict in verdicts:
        assert verdict.startswith("Right"), verdict


def test_stored_notebook_shows_no_verdict_right():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.source.startswith("# Exercise 14."):
            assert "Right" not in output_text(cell)
