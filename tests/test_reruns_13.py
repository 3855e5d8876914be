"""Notebook 13 rerun by papermill with other parameters: what it prints follows the library.

For each parameter set: no cell raises; the per-layer table (|delta| and |dC/dW| per layer)
equals ``learning.depth.profile`` for the parameters used; the sentence about this notebook's
network's blocked neurons equals the library's; and every exercise, given its solution from the
hidden Solutions cell, gets "Right". The stored notebook shows no "Right" verdict.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from notebook_cells import output_text, rerun, with_solutions

from backproplib.learning import depth
from backproplib.numbers import fmt

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "13_deep_networks.ipynb"
DEFAULTS = dict(depth=20, width=32, activation="relu", init="he", scale=1.0, seed=0, m=32,
                bad_bias=-1.0)
SETS = {
    "relu-12": dict(activation="relu", depth=12, width=16),
    "tanh-xavier": dict(activation="tanh", init="xavier", depth=15, scale=1.5),
    "sigmoid": dict(activation="sigmoid", depth=10, scale=2.0),
    "leaky-plain": dict(activation="leaky_relu", init="plain", scale=0.2, depth=14, width=24),
}
ANSWERS = {  # exercise -> the line that puts its solution in place of the student's answer
    "13.1": "glorot_variance = solution_13_1()",
    "13.2": "delta_step = solution_13_2()",
    "13.3": "bigger_weights = solution_13_3()",
}


@pytest.fixture(scope="module", params=list(SETS))
def run(request, tmp_path_factory):
    params = SETS[request.param]
    source = tmp_path_factory.mktemp("nb13") / "in.ipynb"
    nbformat.write(with_solutions(nbformat.read(NOTEBOOK, as_version=4), 13, ANSWERS), source)
    return dict(DEFAULTS, **params), rerun(source, source.with_name("out.ipynb"), params)


def test_table_and_sentences_follow_the_library(run):
    settings, nb = run
    for cell in nb.cells:
        assert not any(o.get("output_type") == "error" for o in cell.get("outputs", [])), \
            cell.source[:80]
    net = depth.deep_network(settings["depth"], settings["width"], settings["activation"],
                             settings["init"], settings["scale"], settings["seed"])
    X, Y = depth.deep_data(net, settings["m"], settings["seed"])
    p = depth.profile(net, X, Y)
    everything = "\n".join(output_text(c) for c in nb.cells if c.cell_type == "code")
    rows = re.findall(r"^(H\d+|Out)\s+(\S+)\s+(\S+)$", everything, flags=re.M)
    assert len(rows) == len(p.names)
    for (name, d, n), want_name, want_d, want_n in zip(rows, p.names, p.deltas, p.norms):
        assert (name, d, n) == (want_name, f"{want_d:.3g}", f"{want_n:.3g}")
    assert p.verdict() in everything
    assert f"In this notebook's network (biases 0): {p.dead_sentence()}." in everything
    assert net.activations[0].formula in everything
    variance = depth.init_variance(settings["init"], settings["width"], settings["width"],
                                   settings["scale"])  # 0.0703125 at scale 1.5, not 0.0703
    said = re.findall(r"Var\(w\) = (\S+) into each hidden layer", everything)  # cell and panel
    assert len(said) >= 2 and set(said) == {fmt(variance)}, said
    # the exercise network's x and y, as fmt prints them (and the exercise feedback shows
    # arrays): np.round(v, 3) printed a tiny negative number as -0.0
    ex_net = depth.deep_network(6, 3, settings["activation"], "plain", 0.9, settings["seed"] + 13,
                                bias=0.1)
    (ex_x,), (ex_y,) = depth.deep_data(ex_net, 1, settings["seed"] + 13)
    assert f"x = {fmt(ex_x, 4)}, y = {fmt(ex_y, 4)}" in everything


def test_every_solution_is_right(run):
    _, nb = run
    verdicts = [output_text(c) for c in nb.cells if c.source.startswith("# Exercise 13.")]
    assert len(verdicts) == len(ANSWERS)
    for verdict in verdicts:
        assert verdict.startswith("Right"), verdict


def test_stored_notebook_shows_no_verdict_right():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.source.startswith("# Exercise 13."):
            assert "Right" not in output_text(cell)
