"""Instructor reruns: each notebook run by papermill under every activation and other numbers.

An instructor changes the parameters cell (or runs ``papermill -p activation tanh``) and trusts
what the notebook then prints. For every notebook in ``RERUN_NOTEBOOKS``, under each of the
five activations and each parameter set, these tests check the executed notebook:

- no cell raised;
- every line ``dC0/d<param> = v`` (the form reserved for the gradient at the parameters cell's
  values; <param> one of the network's parameter names) equals ``Network.backward`` for the
  parameters used; in 09 every line ``dC/d<param> = v`` (the data set's average) equals the
  batch's ``Network.backward(X, Y)`` to 10 significant digits (09 adds the examples with
  math.fsum, numpy in another order), and 09 prints one for every parameter;
- no printed line names an activation other than the one in use, unless the same line also
  names the one in use (a sentence that explicitly contrasts them);
- no neuron is called dead (or saturated) unless the library's one notion of a blocked neuron
  (``fwd.blocked``) says so at those parameters; a cell that talks about another network says so
  in its output ("the copy", "a copy", "exercise network") and is exempt;
- every exercise's solution, put in place of the student's answer, gets "Right" from the
  exercise's own check.

Adding a notebook: put its name in ``RERUN_NOTEBOOKS``; if its parameters cell is not the chain
one, give it its own sets in ``SETS_FOR``. The runs of one notebook go through a pool of
``BP_RERUN_WORKERS`` kernels (default 2), once per test session.
"""

from __future__ import annotations

import ast
import copy
import html
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import nbformat
import numpy as np
import pytest

import backproplib as bp
from backproplib.learning import descent, training

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "linear")

# Notebooks with `activation` in their parameters cell. Add yours here.
RERUN_NOTEBOOKS = [
    "00_start_here",
    "01_forward_pass",
    "02_output_layer_gradient",
    "03_h1_gradient",
    "04_h0_gradient",
    "05_cost_surface",
    "06_gradient_descent",
    "07_many_neurons",
    "08_checking_gradients",
    "09_many_examples",
    "10_computational_graph",
    "11_train_a_network",
]

# Parameter sets for the chain notebooks (x, y, weights, biases as in 00-06 and 08). Each runs
# under every activation (papermill injects `activation` too).
CHAIN_SETS = {
    # the default numbers, written as text: the stored run's numbers under every activation
    "text": {"x": "1/2", "y": "0", "weights": ["1/10", "0.01", "1/2"], "biases": ["2", "1", "3"]},
    # H1 dead under ReLU (z_H1 = -23.2); H0 (z_H0 = 6.05) saturated under sigmoid and tanh;
    # a target y = 2 that sigmoid and tanh cannot reach
    "blocked": {"y": 2, "weights": [0.1, -4, 0.5], "biases": [6, 1, 3]},
}
# Notebooks whose parameters are not the chain's: {name: {set name: parameters}}.
SETS_FOR: dict[str, dict[str, dict]] = {
    # 09's data set; "text": every number of the network and x_0 as text (it once crashed)
    "09_many_examples": {
        "default": {},
        "text": {"weights": ["0.3", "-1/5", "0.7"], "biases": ["1/2", "0.25", "1"],
                 "xs": ["1/2", "-4", "2", "8", "-6", "1", "5", "-3"],
                 "ys": ["0", "4", "1", "5", "0", "3", "1", "4"], "learning_rate": "1/20"},
        # learning rates that are too large: the paths run off (ReLU's first step lands near
        # -1e300; linear overflows after a few steps), the map covers them near the start
        "diverging": {"learning_rate": 1e300},
        # 25 steps: the cost table shows every few steps and the last (a stride of 2 skipped it)
        "overshooting": {"learning_rate": 2, "steps": 25},
        # batch_size = n: SGD is full-batch descent, the paths coincide (not "zigzags")
        "full-batch": {"batch_size": 8},
    },
    # 11 trains on a data set; "text": the learning rate as text
    "11_train_a_network": {"default": {}, "text": {"learning_rate": "3/100"}},
    # 07's own network; "wider": other sizes and matrices, H0[1] dead under ReLU
    "07_many_neurons": {
        "default": {},
        "text": {"x": ["1/2", "-1"], "y": ["0", "2"], "param": "w_H1[1,2]"},
        "wider": {"x": [1.0, -0.5], "y": [1.0, -1.0],
                  "weights": [[[0.5, -1.2], [0.8, 0.3], [-0.4, 0.9], [1.1, 0.2]],
                              [[0.3, 0.6, -0.1, 0.5], [0.5, -0.4, 0.2, -0.3], [0.1, 0.2, 0.3, 0.4]],
                              [[0.7, -0.3, 0.2], [0.2, 0.8, -0.6]]],
                  "biases": [[0.2, -1, 0.5, 0], [0.1, 0.4, -0.2], [0.3, -0.2]]},
    },
}

GRADIENT_LINE = re.compile(r"^dC0/d(\S+) = (\S+)$", re.MULTILINE)
AVERAGE_GRADIENT_LINE = re.compile(r"^dC/d(\S+) = (\S+)$", re.MULTILINE)
EXERCISE = re.compile(r"^# Exercise (\d+)\.(\d+)")
# "H1 is dead", "H1[0] is saturated": a claim about one neuron of the parameters cell's network
BLOCKED_CLAIM = re.compile(r"\b((?:H\d+|Out)(?:\[\d+\])?) is (dead|saturated)\b")
OTHER_NETWORK = re.compile(r"\b(copy|exercise network)\b", re.IGNORECASE)
ALT_TEXT = re.compile(r'\balt="([^"]*)"')


def sets_for(name):
    return SETS_FOR.get(name, CHAIN_SETS)


def cases():
    return [pytest.param(name, activation, set_name, id=f"{name}-{activation}-{set_name}")
            for name in RERUN_NOTEBOOKS for activation in ACTIVATIONS
            for set_name in sets_for(name)]


# --- building the notebook that is run ------------------------------------------------------
def solution_checks(nb):
    """A cell per exercise: its own source, with the answer replaced by solution_N_M()."""
    cells = []
    for cell in nb.cells:
        match = EXERCISE.match(cell.source) if cell.cell_type == "code" else None
        if not match:
            continue
        tree = ast.parse(cell.source)
        last = tree.body[-1]
        call = last.value if isinstance(last, ast.Expr) else None
        assert (isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Name)
                and ast.unparse(call.func).startswith("exercises.check")), (
            f"exercise {match[1]}.{match[2]} must end with exercises.check_...(answer, ...)")
        lines = cell.source.splitlines()
        head = "\n".join(lines[:last.lineno - 1])
        checked = "\n".join(lines[last.lineno - 1:])
        source = (f"{head}\n{call.args[0].id} = solution_{match[1]}_{match[2]}()\n{checked}")
        check = nbformat.v4.new_code_cell(source)
        check.metadata.update(tags=["solution-check"], exercise=f"{match[1]}.{match[2]}")
        cells.append(check)
    return cells


def with_solution_checks(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nb = copy.deepcopy(nb)
    nb.cells.extend(solution_checks(nb))
    return nb


def inject(nb, parameters):
    """Papermill's injected-parameters cell, right after the cell tagged parameters."""
    translators = pytest.importorskip("papermill.translators")
    source = translators.translate_parameters("python3", "python", parameters, "Parameters")
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["injected-parameters"]
    first = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(first + 1, cell)
    return nb


def prepared(name, activation, set_name):
    """The notebook to run: its exercises' solution checks appended, the parameters injected."""
    parameters = dict(sets_for(name)[set_name], activation=activation)
    return inject(with_solution_checks(name), parameters)


def run_in(client, nb):
    """Run ``nb`` top to bottom in the client's kernel after clearing what the last run defined.

    Returns the exception a cell raised, or None. One kernel serves several runs: starting a
    kernel and importing matplotlib cost more than most notebooks take to run, and ``%reset -f``
    leaves nothing of a run's variables to the next (modules stay imported, as they would after
    an instructor's second Run All).
    """
    client.nb = nb
    try:
        client.execute_cell(nbformat.v4.new_code_cell("%reset -f"), 0)
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    except Exception as exc:  # reported by the test, with the cell that failed
        return exc
    return None


def run_all(notebooks):
    """[(notebook, error)] for each prepared notebook, run one after the other in one kernel."""
    from nbclient import NotebookClient

    client = NotebookClient(notebooks[0], timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    with client.setup_kernel():
        return [(nb, run_in(client, nb)) for nb in notebooks]


@lru_cache(maxsize=None)
def runs(name):
    """Every (activation, set) run of one notebook, once a session, in BP_RERUN_WORKERS kernels."""
    jobs = [(name, activation, set_name) for activation in ACTIVATIONS
            for set_name in sets_for(name)]
    workers = max(1, int(os.environ.get("BP_RERUN_WORKERS", "2")))
    shares = [jobs[i::workers] for i in range(workers) if jobs[i::workers]]
    # prepared here, not in the threads: ast.parse is not thread-safe in CPython 3.11
    notebooks = [[prepared(*job) for job in share] for share in shares]
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        results = {}
        for share, done in zip(shares, pool.map(run_all, notebooks)):
            results.update({job[1:]: result for job, result in zip(share, done)})
        return results


# --- reading what it printed -------------------------------------------------------------------
def cell_text(cell, *kinds):
    """What a reader sees of a code cell's outputs of ``kinds`` (say "execute_result", the
    checker's verdict after the cell's printed lines), or of all: streams, plain text, Markdown,
    alt texts."""
    parts = []
    for out in cell.get("outputs", []):
        if kinds and out.output_type not in kinds:
            continue
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("display_data", "execute_result"):
            data = out.get("data", {})
            parts.append(data.get("text/markdown", data.get("text/plain", "")))
            parts += [html.unescape(alt) for alt in ALT_TEXT.findall(data.get("text/html", ""))]
    return "\n".join(parts)


def scope_of(executed):
    """The parameters as the notebook used them: its parameters cell, then papermill's."""
    scope = {}
    for cell in executed.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and ("parameters" in tags or "injected-parameters" in tags):
            exec(cell.source, scope)
    return scope


def network_of(scope):
    weights, biases, activation = scope["weights"], scope["biases"], scope["activation"]
    if isinstance(weights[0], (list, tuple)):
        return bp.Network(weights=weights, biases=biases, activations=activation)
    return bp.Network.chain(weights=weights, biases=biases, activation=activation)


def expectations(scope):
    """What the notebook's own network gives at its parameters: ({param: fmt(dC0/dparam)} for
    one example, {param: dC/dparam} for a data set, {neuron: "dead"/"saturated"} or None where
    the notebook has no single example)."""
    if "weights" not in scope:  # 11: a network made from a seed, checked by its own tests
        return {}, {}, None
    net = network_of(scope)
    if "xs" in scope:  # 09: the average over the data set
        floats = bp.Network.chain(weights=scope["weights"], biases=scope["biases"],
                                  activation=scope["activation"], exact=False)
        X, Y = floats.batch(scope["xs"], scope["ys"])
        return {}, {n: float(v) for n, v in floats.backward(X, Y).as_dict().items()}, None
    one = {n: bp.fmt(v) for n, v in net.backward(scope["x"], scope["y"]).as_dict().items()}
    return one, {}, {b.neuron: b.kind for b in net.forward(scope["x"]).blocked}


def activation_words(text):
    """The activations a text names (leaky ReLU counted as itself, not as ReLU)."""
    text = re.sub(r"\bleaky[ _]?relu\b", "LEAKY", text, flags=re.IGNORECASE)
    found = set()
    if "LEAKY" in text:
        found.add("leaky_relu")
    if re.search(r"\bReLU\b", text, re.IGNORECASE):
        found.add("relu")
    for word in ("sigmoid", "tanh"):
        if re.search(rf"\b{word}\b", text, re.IGNORECASE):
            found.add(word)
    if re.search(r"\blinear\s*'?\s*\(", text):  # linear(z), linear'(z): the function applied
        found.add("linear")
    return found


def executed_or_fail(name, activation, set_name):
    executed, error = runs(name)[activation, set_name]
    if error is not None:
        failed = [c for c in executed.cells
                  if any(o.output_type == "error" for o in c.get("outputs", []))]
        where = failed[0].source[:300] if failed else "(no cell output)"
        pytest.fail(f"{name} under {activation}, {set_name}: {error}\nin the cell:\n{where}")
    return executed


# --- the tests -------------------------------------------------------------------------------
def falsehoods(executed):
    """What the executed notebook prints that is not true for the parameters it ran with."""
    scope = scope_of(executed)
    activation = scope["activation"]
    expected, averages, blocked = expectations(scope)
    # 11's output neuron is tanh whatever the hidden layers use (as in TensorFlow Playground)
    output_activations = {"tanh"} if "dataset" in scope else set()
    wrong = []
    printed_averages = set()
    lesson_cells = [c for c in executed.cells if c.cell_type == "code"
                    and "solution-check" not in c.metadata.get("tags", [])]
    for cell in lesson_cells:
        text = cell_text(cell)
        for param, value in GRADIENT_LINE.findall(text):
            if param in expected and value != expected[param]:
                wrong.append(f"printed dC0/d{param} = {value}, backward gives {expected[param]}")
        for param, value in AVERAGE_GRADIENT_LINE.findall(text):
            if param in averages:
                printed_averages.add(param)
                if not math.isclose(float(value), averages[param], rel_tol=1e-9, abs_tol=1e-15):
                    wrong.append(f"printed dC/d{param} = {value}, the batch's backward gives "
                                 f"{bp.fmt(averages[param])}")
        for line in text.splitlines():
            others = activation_words(line) - {activation} - output_activations
            if others and activation not in activation_words(line):
                wrong.append(f"names {', '.join(sorted(others))} under {activation}: {line!r}")
        if blocked is not None and not OTHER_NETWORK.search(text):
            for neuron, kind in BLOCKED_CLAIM.findall(text):
                if blocked.get(neuron) != kind:
                    wrong.append(f"calls {neuron} {kind} where the library says "
                                 f"{blocked.get(neuron, 'not blocked')}")
    if averages and printed_averages != set(averages):
        wrong.append(f"prints no dC/d<param> line for {sorted(set(averages) - printed_averages)}")
    return wrong


@pytest.mark.slow
@pytest.mark.parametrize(("name", "activation", "set_name"), cases())
def test_rerun_tells_the_truth(name, activation, set_name):
    executed = executed_or_fail(name, activation, set_name)
    assert scope_of(executed)["activation"] == activation
    wrong = falsehoods(executed)
    assert not wrong, f"{name} under {activation}, {set_name}:\n" + "\n".join(wrong)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "activation", "set_name"), cases())
def test_every_solution_is_right(name, activation, set_name):
    executed = executed_or_fail(name, activation, set_name)
    checks = [c for c in executed.cells if "solution-check" in c.metadata.get("tags", [])]
    assert checks, f"{name} has no exercises"
    verdicts = {c.metadata["exercise"]: cell_text(c, "execute_result").strip() for c in checks}
    wrong = {n: v for n, v in verdicts.items() if not v.startswith("Right")}
    assert not wrong, f"{name} under {activation}, {set_name}: {wrong}"


@pytest.mark.slow
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("set_name", ["diverging", "overshooting", "full-batch"])
def test_09_says_where_each_run_ended(activation, set_name):
    """09's cost table shows each run's last step taken, and names with the run's label every
    neuron that the run left passing (almost) no gradient back (``Trainer.blocked``). Its list
    of the first epoch's batches stops where SGD stopped; it says when the paths coincide
    (batch_size = n) and when a target is out of the output's reach; it says no "0 steps"."""
    executed = executed_or_fail("09_many_examples", activation, set_name)
    scope = scope_of(executed)
    net = bp.Network.chain(scope["weights"], scope["biases"], activation=activation, exact=False)
    X, Y = net.batch(scope["xs"], scope["ys"])
    text = "\n".join(cell_text(c) for c in executed.cells if c.cell_type == "code")
    table = next(t for c in executed.cells if "C, full batch" in (t := cell_text(c)))
    rows = [int(s) for s in re.findall(r"^ *(\d+) +\S+ +\S+$", table, re.MULTILINE)]
    assert 1 <= len(rows) <= 13, rows  # short
    trained = {}
    for label, size in (("full batch", len(X)), ("mini-batch SGD", scope["batch_size"])):
        trained[label] = run = training.Trainer(net, X, Y, scope["learning_rate"], size,
                                                scope["seed"], params=("w_H1", "w_Out"))
        run.train(scope["steps"])
        assert run.steps in rows, (label, run.steps, rows)
        for neuron in run.blocked():
            assert f"{label}: {bp.explain_blocked(neuron)}" in text, label
        said = re.findall(rf"^{label}: {BLOCKED_CLAIM.pattern}", text, re.MULTILINE)
        assert set(said) == {(b.neuron, b.kind) for b in run.blocked()}, (label, said)
    # the first epoch's batches: slices of the seed's permutation, none after a step overflowed
    sgd, m = trained["mini-batch SGD"], scope["batch_size"]
    order = np.random.default_rng(scope["seed"]).permutation(len(X))
    listed = re.findall(r"^step (\d+): examples \[([\d, ]*)\]$", text, re.MULTILINE)
    assert listed == [(str(k + 1), ", ".join(map(str, sorted(order[k * m:(k + 1) * m]))))
                      for k in range(min(sgd.steps, sgd.steps_per_epoch))], listed
    assert ("no later step was taken" in text) == (sgd.diverged and sgd.steps < sgd.steps_per_epoch)
    coincide = "so SGD is full-batch descent: the two paths coincide" in text
    assert coincide == (m == len(X)), set_name
    assert not coincide or trained["full batch"].path == sgd.path
    note = descent.unreachable_target(net, Y)  # sigmoid, tanh: targets such as 4 and 5
    assert ("Note: the target" in text) == (note is not None) and (note or "") in text
    assert not re.search(r"\b0 (SGD )?(steps?|examples?|epochs?)\b", text), "say no steps..."
    if (activation, set_name) == ("relu", "diverging"):  # the first step kills H1
        assert "mini-batch SGD: H1 is dead on every example" in text


# --- fast checks of the stored notebooks: solutions are one deliberate action away ---------------
@pytest.mark.parametrize("name", RERUN_NOTEBOOKS)
def test_solutions_are_not_shown_by_run_all(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    defined = set()
    for cell in code:
        if re.search(r"^def solution_\d+_\d+\(", cell.source, re.MULTILINE):
            assert cell.metadata.get("jupyter", {}).get("source_hidden"), "hide the solutions' code"
            assert not cell.outputs, "the solutions cell prints nothing"
            defined |= set(re.findall(r"^def (solution_\d+_\d+)\(", cell.source, re.MULTILINE))
        assert not cell_text(cell).lstrip().startswith("Right"), (
            f"Run All shows a solution's verdict: {cell.source[:80]!r}")
    exercises = [m for c in code if (m := EXERCISE.match(c.source))]
    assert exercises, "a notebook ends with exercises"
    assert {f"solution_{a}_{b}" for a, b in (m.groups() for m in exercises)} <= defined
    if name[:2] >= "02":
        # exercises.check_function, or a checker of a student's function (check_*_function)
        assert any(re.search(r"exercises\.check_\w*function\(", c.source)
                   for c in code if EXERCISE.match(c.source)), (
            "from notebook 02 on, one exercise has the student write code")


def test_solution_checks_replace_the_answer():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "# Exercise 9.1: z\nz_H0 = None  # your answer\nexercises.check_value(z_H0, 1, 'z')")]
    (check,) = solution_checks(nb)
    assert check.source.splitlines() == [
        "# Exercise 9.1: z", "z_H0 = None  # your answer", "z_H0 = solution_9_1()",
        "exercises.check_value(z_H0, 1, 'z')"]


def test_activation_words():
    assert activation_words("a_H0 = ReLU(2.05) = 2.05") == {"relu"}
    assert activation_words("leaky ReLU, whose slope for z < 0 is 1/100") == {"leaky_relu"}
    assert activation_words("LeakyReLU'(z_H1) = 0.01") == {"leaky_relu"}
    assert activation_words("a linear function of w") == set()
    assert activation_words("tanh is not ReLU") == {"tanh", "relu"}


def test_falsehoods_are_found():
    """The checks can fail: a wrong gradient, ReLU under tanh, a live neuron called dead."""
    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(
        'x = 0.5\ny = 0\nweights = [0.1, 0.01, 0.5]\nbiases = [2, 1, 3]\nactivation = "relu"')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell("print(...)")]
    nb = inject(nb, {"activation": "tanh", "weights": ["1/10", "0.01", "1/2"]})
    right = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation="tanh").backward(0.5, 0)
    lines = {f"dC0/dw_Out = {bp.fmt(right['w_Out'])}": [],
             "dC0/dw_Out = 7.16442025": ["printed dC0/dw_Out"],
             "a_H0 = ReLU(2.05) = 2.05": ["names relu under tanh"],
             "tanh is not ReLU: tanh'(z) > 0": [],
             "H1 is dead: z_H1 = 1.0205 <= 0": ["calls H1 dead"],
             "Out is saturated: tanh'(z_Out) = 0.0046": [],
             "In the copy, H1 is dead: z_H1 = -1": []}
    for line, found in lines.items():
        nb.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=line + "\n")]
        wrong = falsehoods(nb)
        assert len(wrong) == len(found) and all(w.startswith(f) for w, f in zip(wrong, found)), (
            line, wrong)


def test_average_falsehoods_are_found():
    """09's checks can fail: a wrong average gradient, and a parameter whose line is missing."""
    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(
        'xs = [0.5, -4]\nys = [0, 4]\nweights = [0.1, 0.01, 0.5]\nbiases = [2, 1, 3]\n'
        'activation = "relu"')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell("print(...)")]
    nb = inject(nb, {"weights": ["0.3", "-1/5", "0.7"], "xs": ["1/2", "-4"]})
    net = bp.Network.chain(["0.3", "-1/5", "0.7"], [2, 1, 3], exact=False)
    X, Y = net.batch(["1/2", "-4"], [0, 4])
    right = net.backward(X, Y)
    every = "".join(f"dC/d{n} = {bp.fmt(right[n])}\n" for n in net.parameter_names)
    for text, found in [(every, []),
                        (every.replace(f"dC/dw_Out = {bp.fmt(right['w_Out'])}",
                                       f"dC/dw_Out = {bp.fmt(2 * right['w_Out'])}"),
                         ["printed dC/dw_Out"]),
                        (every.split("\n", 1)[1], ["prints no dC/d<param> line for ['w_H0']"])]:
        nb.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        wrong = falsehoods(nb)
        assert len(wrong) == len(found) and all(w.startswith(f) for w, f in zip(wrong, found)), (
            text, wrong)
