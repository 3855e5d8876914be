"""Notebook 12 rerun by papermill under other parameters (other activations, data sets, costs,
numbers as text): every number it prints that the tests can read is checked against the
library, and every exercise's solution, put in place of the answer, gets "Right"."""

from __future__ import annotations

import ast
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import nbformat
import numpy as np
import pytest
from notebook_cells import output_text as text_of
from notebook_cells import parameters_scope as scope_of
from notebook_cells import rerun

import backproplib as bp
from backproplib.chainrule import crossentropy
from backproplib.learning import classification, training

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "12_classification.ipynb"
EXERCISE = re.compile(r"^# Exercise (\d+)\.(\d+)")
GRADIENT_LINE = re.compile(r"^dC0/d(\S+) = (\S+)$", re.MULTILINE)

SETS = {
    "relu-xor-quadratic": {"activation": "relu", "dataset": "xor", "cost": "quadratic",
                           "steps": 400, "hidden": [6]},
    "sigmoid-spiral-text": {"activation": "sigmoid", "dataset": "spiral", "steps": 300,
                            "x": ["3/2", "-0.25"], "y": [1, 0, 0],
                            "weights": [["0.5", "-1/4"], ["1/5", "0.9"], ["-0.5", "0"]],
                            "biases": ["0", "1/10", "-0.3"], "output_z": -3.0,
                            "output_target": 1},
    "linear-gauss": {"activation": "linear", "dataset": "gauss", "steps": 200, "seed": 3,
                     "n_examples": 120, "learning_rate": 0.05},
    "leaky_relu-circle": {"activation": "leaky_relu", "dataset": "circle", "steps": 300,
                          "hidden": [8], "batch_size": 30},
}


def with_solution_checks(nb):
    """The notebook with one cell per exercise appended: its source, answer = solution_N_M()."""
    for cell in list(nb.cells):
        match = EXERCISE.match(cell.source) if cell.cell_type == "code" else None
        if not match:
            continue
        tree = ast.parse(cell.source)
        call = tree.body[-1].value
        assert ast.unparse(call.func).startswith("exercises.check")
        lines = cell.source.splitlines()
        head = "\n".join(lines[:tree.body[-1].lineno - 1])
        tail = "\n".join(lines[tree.body[-1].lineno - 1:])
        check = nbformat.v4.new_code_cell(
            f"{head}\n{call.args[0].id} = solution_{match[1]}_{match[2]}()\n{tail}")
        check.metadata["tags"] = ["solution-check"]
        check.metadata["exercise"] = f"{match[1]}.{match[2]}"
        nb.cells.append(check)
    return nb


RUNS = Path(tempfile.mkdtemp(prefix="bp12_reruns_"))


@lru_cache(maxsize=None)
def executed(set_name):
    nb = with_solution_checks(nbformat.read(NOTEBOOK, as_version=4))
    source = RUNS / f"bp12_rerun_{set_name}_in.ipynb"
    nbformat.write(nb, source)
    return rerun(source, RUNS / f"bp12_rerun_{set_name}_out.ipynb", SETS[set_name])


def lesson_text(nb):
    return "\n".join(text_of(c) for c in nb.cells if c.cell_type == "code"
                     and "solution-check" not in c.metadata.get("tags", []))


def value_after(text, label):
    match = re.search(rf"^{re.escape(label)}: (\S+)$", text, re.MULTILINE)
    assert match, f"no line {label!r}"
    return match[1]


@pytest.mark.slow
@pytest.mark.parametrize("set_name", SETS)
def test_rerun_prints_the_librarys_numbers(set_name):
    nb = executed(set_name)
    s = scope_of(nb)
    assert s["activation"] == SETS[set_name]["activation"]
    text = lesson_text(nb)
    # the output layer's gradients at the parameters cell's values
    net = bp.Network(weights=[s["weights"]], biases=[s["biases"]], activations=["softmax"],
                     cost="cross_entropy")
    expected = {n: bp.fmt(v) for n, v in net.backward(s["x"], s["y"]).as_dict().items()}
    printed = dict(GRADIENT_LINE.findall(text))
    assert set(printed) == set(net.parameter_names)
    assert printed == expected
    # the derivation ends with a - y, the same numbers as backward's first delta
    d = crossentropy.softmax_delta(net.forward(s["x"]).z["Out"], net.target(s["y"]))
    for j, v in enumerate(d.a - d.y):
        assert f"a_{j} - y_{j} = " in text and bp.fmt(v) in text
    # the slow start: the panel's summary under the parameters cell's z and target
    one = crossentropy.sigmoid_output(s["output_z"], s["output_target"])
    assert f"dC0/dz = a - y = {bp.fmt(float(one.cross_entropy_delta))}" in text
    assert f"sigma'(z) = {bp.fmt(float(one.slope))}" in text
    # section 4: the data set, the network and its training, recomputed here
    data = classification.make_classes(s["dataset"], s["n_examples"], seed=s["seed"])
    net3 = classification.classifier([2, *s["hidden"], 3], s["activation"], seed=s["seed"],
                                     cost=s["cost"])
    trainer = training.Trainer(net3, data.X, data.Y, s["learning_rate"], s["batch_size"],
                               seed=s["seed"], record_every=5)
    assert value_after(text, "cost before training") == bp.fmt(trainer.cost)
    trainer.train(s["steps"])
    assert value_after(text, "cost after training") == bp.fmt(trainer.cost)
    accuracy = classification.accuracy(trainer.net, data.X, data.classes)
    assert f"accuracy after training: {accuracy:.1%} of {len(data)} examples" in text
    formula = net3.activations[0].formula
    assert f"H0 uses {formula}" in text and "Out uses softmax" in text
    assert repr(data) in text
    # a neuron called dead or saturated is blocked in the trained network, on every example
    blocked = {b.neuron: b.kind for b in trainer.blocked()}
    for neuron, kind in re.findall(r"\b((?:H\d+|Out)(?:\[\d+\])?) is (dead|saturated)\b", text):
        assert blocked.get(neuron) == kind, (neuron, kind, blocked)
    # no line names another activation than the hidden layers', except section 3's sigmoid
    # output (a sigmoid neuron whatever the parameters cell says)
    for line in text.splitlines():
        named = {w for w in ("relu", "sigmoid", "tanh") if re.search(rf"\b{w}\b", line, re.I)}
        named -= {s["activation"]}
        if re.search(r"sigmoid (output|neuron)", line):
            named.discard("sigmoid")
        assert not named or formula.lower() in line.lower(), line


@pytest.mark.slow
@pytest.mark.parametrize("set_name", SETS)
def test_every_solution_is_right_in_a_rerun(set_name):
    nb = executed(set_name)
    checks = [c for c in nb.cells if "solution-check" in c.metadata.get("tags", [])]
    assert len(checks) == 4
    verdicts = {c.metadata["exercise"]: text_of(c).strip() for c in checks}
    assert all(v.startswith("Right") for v in verdicts.values()), verdicts


def test_the_stored_notebook_hides_its_solutions():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    exercises = [c for c in code if EXERCISE.match(c.source)]
    assert len(exercises) == 4
    for cell in exercises:
        assert "None  # your answer" in cell.source
        assert not text_of(cell).startswith("Right")
    (solutions,) = [c for c in code if "def solution_12_1" in c.source]
    assert solutions.metadata["jupyter"]["source_hidden"] and not solutions.outputs
    # every panel is followed by a printed summary, and every figure has alt text
    for i, cell in enumerate(code):
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            assert "summary()" in code[i + 1].source
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            if "<img" in html:
                assert re.search(r'alt="[^"]{40,}"', html)


def test_exercise_data_has_no_coincidences():
    """The exercise network's first delta is not 0 anywhere, and no slip equals the answer."""
    for activation in ("relu", "leaky_relu", "sigmoid", "tanh", "linear"):
        ex_net = bp.Network(weights=[[[0.4, -0.7], [0.9, 0.2], [-0.3, 0.5]],
                                     [[0.6, -0.4, 0.3], [-0.2, 0.7, -0.5], [0.1, 0.3, 0.8]]],
                            biases=[[0.1, -0.2, 0.3], [0.2, -0.1, 0.05]],
                            activations=[activation, "softmax"], cost="cross_entropy")
        x, y = [1.5, -0.5], np.array([0.0, 0.0, 1.0])
        a = np.asarray(ex_net.forward(x).output, float)
        right = a - y
        assert (np.abs(right) > 0.05).all()
        for slip in (a, y - a, 2 * right, right * a * (1 - a)):
            assert not np.allclose(slip, right, rtol=1e-3)
