"""The training panels (09's SGD contour, 11's step/train/reset) and the notebooks that use them.

Widget wiring is tested without a kernel: setting ``slider.value`` fires the callbacks, and
``button.click()`` runs the handlers. The notebooks are checked as files (stored outputs, tags,
solutions out of the way) and rerun with papermill under other data, widths and activations.
"""

import asyncio
import io
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from notebook_cells import code_cells, tags
from notebook_cells import output_text as text_of
from notebook_cells import parameters_scope as scope_of
from notebook_cells import rerun as run_again

import backproplib as bp
from backproplib import plots
from backproplib.learning import datasets, training
from backproplib.widgets import training as training_widgets

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.fixture
def chain_data():
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="relu")
    X, Y = net.batch([0.5, -1, 2, 3, -2, 1, 4, -3], [0, 1, 0.5, 2, 0, 1.5, 1, 0.5])
    return net, X, Y


def small_trainer(name="xor", hidden=(4,), activation="tanh", lr=0.05, batch=10, n=60):
    net = training.initial_network([2, *hidden, 1], activation, seed=1, output_activation="tanh")
    data = datasets.make(name, n, seed=1, labels=datasets.labels_for(net.activations[-1]))
    return training.Trainer(net, data.X, data.Y, lr, batch, seed=1,
                            threshold=data.threshold), data


# --- 09: full batch against mini-batch SGD ------------------------------------------------------
def test_sgd_view_draws_both_runs_and_says_so(chain_data):
    net, X, Y = chain_data
    view = training_widgets.sgd_view(net, X, Y, learning_rate=0.05, batch_size=2, steps=12)
    assert view.error is None
    assert view.frame_bytes[:4] == b"\x89PNG"  # the paths only, over the kept contour
    assert 'src="data:image/png;base64,' in view.background.value
    assert 'alt="Contour map of the average cost C over w_H1' in view.frame.value
    text = view.summary()
    assert "batch_size = 2: 4 steps per epoch, so 12 steps are 3 epochs (24 examples seen)" in text
    full = training.Trainer(net, X, Y, 0.05, 8, params=("w_H1", "w_Out")).train(12)
    assert f"C from {bp.fmt(full.costs[0])} to {bp.fmt(full.cost)}" in text
    xs, ys = view.contour.paths["full batch"].get_data()
    assert len(xs) == 13 and xs[-1] == pytest.approx(full.net.param("w_H1"))


def test_sgd_view_reads_its_settings_as_text_too(chain_data):
    net, X, Y = chain_data
    view = training_widgets.sgd_view(net, X, Y, learning_rate="1/20", batch_size="2", steps="12")
    assert view.error is None
    assert (view.sliders["learning_rate"].value, view.sliders["batch_size"].value) == (0.05, 2)
    assert "12 steps are 3 epochs (24 examples seen)" in view.summary()
    one = training_widgets.sgd_view(net, X, Y, learning_rate="1/20", batch_size="2", steps="1")
    assert "so 1 step is 0.25 epochs (2 examples seen)" in one.summary()
    with pytest.raises(ValueError, match="steps: expected a whole number such as 20"):
        training_widgets.sgd_view(net, X, Y, steps="many")


def test_sgd_view_says_which_run_diverged():
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="linear")
    X, Y = net.batch([0.5, -1, 2, 3, -2, 1, 4, -3], [0, 1, 0.5, 2, 0, 1.5, 1, 0.5])
    view = training_widgets.sgd_view(net, X, Y, learning_rate=0.01, steps=10)
    assert not any("Diverged" in w for w in view.warnings)
    view.sliders["learning_rate"].value = 0.2
    for label, run in (("full batch", view.full), ("mini-batch SGD", view.sgd)):
        assert 0 < run.steps < 10 and run.diverged
        assert (f"{label}: Diverged: a step overflowed floating point, so training stopped "
                f"with {run.steps} steps taken: the learning rate 0.2 is too large."
                in view.warnings)
        assert (f"{label}: the path leaves the plotted area; only the part inside shows"
                in view.warnings) == (not view.contour.inside(
                    [[p["w_H1"], p["w_Out"]] for p in run.path]))
    # the readout counts the steps taken, not the steps asked for
    assert f"so {view.sgd.steps} steps are " in view.summary()


def test_sgd_view_maps_a_path_that_runs_off_near_its_start(chain_data):
    # ReLU's first step with learning rate 1e300 lands near w = -1e300: a map around the whole
    # path overflowed; the map covers the start, and each path is said to leave it
    net, X, Y = chain_data
    view = training_widgets.sgd_view(net, X, Y, learning_rate=1e300)
    assert view.error is None
    (low, high), start = view.surface.values[0][[0, -1]], float(net.param("w_H1"))
    assert low < start < high and high - low < 10
    for label, run in (("full batch", view.full), ("mini-batch SGD", view.sgd)):
        assert f"{label}: the path leaves the plotted area; only the part inside shows" in (
            view.warnings)
        # the first step killed H1: z_H1 <= 0 on every example, and the readout says so
        assert (run.net.forward(X).z[1] <= 0).all() and not run.diverged
        assert (f"{label}: H1 is dead on every example: ReLU'(z_H1) = 0 for all 8 examples "
                "(ReLU passes nothing for z <= 0), so no gradient flows back through it"
                in view.warnings)
    view.sliders["learning_rate"].value = 0.05  # H1 lives: no neuron is called dead
    assert view.error is None and not any("dead" in w for w in view.warnings)


def test_sgd_view_says_when_no_step_was_completed():
    # linear, learning rate 1e300: the first step of either run overflows
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="linear")
    X, Y = net.batch([0.5, -1, 2, 3, -2, 1, 4, -3], [0, 1, 0.5, 2, 0, 1.5, 1, 0.5])
    view = training_widgets.sgd_view(net, X, Y, learning_rate=1e300)
    assert (view.sgd.steps, view.full.steps) == (0, 0) and view.sgd.diverged
    text = view.summary()
    assert "batch_size = 2: 4 steps per epoch; no SGD step was completed" in text
    assert "0 steps are" not in text and "0 epochs" not in text
    assert "(no examples seen)" in text and "0 examples" not in text


def test_most_of_the_sgd_views_learning_rate_track_shows_runs_that_differ():
    # notebook 09's defaults: a learning rate from about 0.3 up kills H1 in both runs, C = 4
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="relu")
    X, Y = net.batch([0.5, -4, 2, 8, -6, 1, 5, -3], [0, 4, 1, 5, 0, 3, 1, 4])
    view = training_widgets.sgd_view(net, X, Y, learning_rate=0.05)
    slider, both_dead = view.sliders["learning_rate"], 0
    for place in np.linspace(slider.min, slider.max, 11):  # evenly along the track
        slider.value = place
        both_dead += sum("H1 is dead" in warning for warning in view.warnings) == 2
    assert both_dead <= 3, both_dead


def test_sgd_view_needs_two_different_parameters(chain_data):
    net, X, Y = chain_data
    for params in ("w_H1", ("w_H1", "w_H1"), ("w_H0", "w_H1", "w_Out")):
        with pytest.raises(ValueError, match="params: expected 2 different parameter names"):
            training_widgets.sgd_view(net, X, Y, params=params)


def test_sgd_view_with_batch_size_n_draws_one_path_twice(chain_data):
    net, X, Y = chain_data
    view = training_widgets.sgd_view(net, X, Y, steps=5)
    view.sliders["batch_size"].value = len(X)
    full = np.column_stack(view.contour.paths["full batch"].get_data())
    sgd = np.column_stack(view.contour.paths["mini-batch SGD"].get_data())
    np.testing.assert_allclose(full, sgd, rtol=1e-12)
    assert "1 step per epoch" in view.summary()


def test_sgd_view_moves_with_the_learning_rate_and_explains_overshooting(chain_data):
    net, X, Y = chain_data
    view = training_widgets.sgd_view(net, X, Y, learning_rate=0.01, steps=10)
    before = view.contour.paths["mini-batch SGD"].get_data()[0].copy()
    view.sliders["learning_rate"].value = view.sliders["learning_rate"].max
    after = view.contour.paths["mini-batch SGD"].get_data()[0]
    assert not np.allclose(before[1:], after[1:len(before)])
    assert view.error is None  # a bad setting is explained, never raised
    assert "learning_rate = 0.3" in view.summary()


# --- 11: step, train, reset ----------------------------------------------------------------------
def test_training_view_buttons():
    trainer, data = small_trainer()
    view = training_widgets.training_view(trainer, data, steps=30)
    assert "step 0 (0 epochs; 6 steps per epoch)" in view.summary()
    view.buttons["step"].click()
    assert trainer.steps == 1 and "step 1 (0.17 epochs" in view.summary()
    view.buttons["train"].click()  # no event loop here: trains at once, chunk by chunk
    assert trainer.steps == 31 and view.progress.value == 30
    assert f"C over the whole set = {bp.fmt(trainer.cost)}" in view.summary()
    assert f"accuracy = {trainer.accuracy():.1%}" in view.summary()
    assert view.frame_bytes[:4] == b"\x89PNG"  # the cost curve; the regions and weights apart
    assert f"after {trainer.steps} steps" in view.frame.value  # the alt text follows
    view.buttons["reset"].click()
    assert trainer.steps == 0 and trainer.net is trainer.start_net and view.progress.value == 0


def test_training_view_sliders_reach_the_trainer():
    trainer, data = small_trainer()
    view = training_widgets.training_view(trainer, data, steps=10)
    sent, picture = view.pictures_sent, view.frame.value
    view.sliders["batch_size"].value = 20
    view.sliders["learning_rate"].value = 0.1
    assert trainer.batch_size == 20 and float(trainer.learning_rate) == pytest.approx(0.1)
    assert "batch_size = 20" in view.summary() and "3 steps per epoch" in view.summary()
    # they set how the next steps go: the picture of the steps taken is not drawn again
    assert view.pictures_sent == sent and view.frame.value == picture
    view.buttons["step"].click()  # the next step is drawn
    assert view.pictures_sent == sent + 1 and "after 1 step" in view.frame.value


def test_sliders_follow_their_panels_one_rule(chain_data):
    # labelled by name, as wide as the panel says; the training panel's settings arrive when
    # let go, notebook 09's while they move
    trainer, data = small_trainer()
    for view, continuous in ((training_widgets.training_view(trainer, data, steps=10), False),
                             (training_widgets.sgd_view(*chain_data, steps=5), True)):
        for name, slider in view.sliders.items():
            assert slider.description == name
            assert slider.layout.width == view.slider_width == "420px"
            assert slider.continuous_update is continuous
        assert len(view.sliders) == 2


def test_the_tracks_of_a_panels_sliders_line_up(chain_data):
    # one label width per panel, the longest label's whole: every track starts at one x
    from matplotlib import font_manager
    from PIL import ImageFont

    from backproplib import widgets

    font = ImageFont.truetype(font_manager.findfont("DejaVu Sans"), 13)  # JupyterLab's labels
    net, x, y = bp.worked_example()
    for view in (widgets.descent_view(net, x, y), widgets.forward_view(net, x, y),
                 training_widgets.sgd_view(*chain_data), training_widgets.training_view(
                     *small_trainer(), steps=5)):
        controls = [*view.sliders.values(), *([view.progress] if hasattr(view, "progress") else [])]
        widths = {control.style.description_width for control in controls}
        assert len(widths) == 1 and widths != {"initial"}, widths
        longest = max(font.getlength(control.description) for control in controls)  # in px
        assert 13 * float(widths.pop().removesuffix("em")) >= longest, (widths, longest)


def test_the_training_panels_read_their_steps_as_the_library_does():
    from backproplib.widgets import classification as classification_widgets

    trainer, data = small_trainer()
    assert training_widgets.training_view(trainer, data, steps="30").n_steps == 30
    for panel in (training_widgets.training_view, classification_widgets.class_training_view):
        with pytest.raises(ValueError, match="steps: expected a whole number such as 20, got "
                                             "the text 'many'"):
            panel(trainer, data, steps="many")


def test_training_view_explains_divergence():
    trainer, data = small_trainer(activation="linear", hidden=(3,), lr=0.05)
    view = training_widgets.training_view(trainer, data, steps=200)
    view.sliders["learning_rate"].value = 10.0  # the slider's top: Playground's too
    view.buttons["train"].click()
    assert view.error is None
    assert any("too large" in w or "overshoots" in w for w in view.warnings), view.summary()
    # diverged, the trainer takes no more steps: the panel says what the student can do, and
    # Trainer.message (read by notebooks without buttons) speaks of no button
    net = training.initial_network([2, 3, 1], "linear", seed=1)
    data = datasets.make("xor", 60, seed=1, labels=datasets.labels_for("linear"))
    trainer = training.Trainer(net, data.X, data.Y, 10, 10, seed=1, threshold=data.threshold)
    view = training_widgets.training_view(trainer, data, steps=200)
    view.buttons["train"].click()
    assert trainer.diverged and "the learning rate 10 is too large" in view.summary()
    assert "Press reset and try a smaller learning_rate." in view.summary()
    assert "reset" not in trainer.message
    view.buttons["reset"].click()
    assert "reset" not in view.summary()


def test_training_view_names_blocked_neurons():
    net = bp.Network([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0]]], [[-100.0, 0.5], [0.0]],
                     ["relu", "tanh"])
    data = datasets.make("gauss", 20, seed=0)
    view = training_widgets.training_view(training.Trainer(net, data.X, data.Y), data, steps=5)
    assert "H0[0] is dead on every example" in view.summary()
    view.sliders["learning_rate"].value = 0.5  # only the words are written again
    assert "H0[0] is dead on every example" in view.summary()


def test_training_in_the_background_and_stopping():
    trainer, data = small_trainer()
    view = training_widgets.training_view(trainer, data, steps=40)
    view.chunk = 5

    async def train_then_stop():
        view.press_train()  # an event loop runs: training goes into a task
        assert view.running is False and view.task is not None
        await asyncio.sleep(0)
        assert view.running and view.buttons["train"].description == "stop"
        view.press_train()  # the same button stops
        await view.task

    asyncio.run(train_then_stop())
    assert 0 < trainer.steps < 40 and not view.running
    assert view.buttons["train"].description == "train 40"

    async def train_all():
        view.press_train()
        await view.task

    trainer.reset()
    asyncio.run(train_all())
    assert trainer.steps == 40 and view.progress.value == 40


# --- the notebooks as files ---------------------------------------------------------------------
PARAMETERS = {
    "09_many_examples": ["xs", "ys", "weights", "biases", "activation", "batch_size",
                         "learning_rate", "steps", "seed"],
    "11_train_a_network": ["dataset", "n_examples", "hidden", "activation", "learning_rate",
                           "batch_size", "steps", "seed"],
}
AVERAGE_LINE = re.compile(r"^dC/d(\S+) = (\S+)$", re.MULTILINE)
RESERVED_ONE_EXAMPLE = re.compile(r"^dC0/d\S+ = \S+$", re.MULTILINE)
COST_LINE = re.compile(r"^cost (before|after) training: (\S+)$", re.MULTILINE)
EXERCISE = re.compile(r"^# Exercise (\d+)\.(\d+)")


def load(name):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def average_gradients(scope):
    net = bp.Network.chain(weights=scope["weights"], biases=scope["biases"],
                           activation=scope["activation"])
    X, Y = net.batch(scope["xs"], scope["ys"])
    return {n: bp.fmt(v) for n, v in net.backward(X, Y).as_dict().items()}


def costs_11(scope):
    """(cost before, cost after) training, rebuilt from the parameters the way the notebook
    describes it in words."""
    net = training.initial_network([2, *scope["hidden"], 1], scope["activation"],
                                   seed=scope["seed"], output_activation="tanh")
    data = datasets.make(scope["dataset"], scope["n_examples"], seed=scope["seed"],
                         labels=datasets.labels_for("tanh"))
    before = net.cost(data.X, data.Y)
    trainer = training.Trainer(net, data.X, data.Y, scope["learning_rate"],
                               scope["batch_size"], seed=scope["seed"])
    trainer.train(scope["steps"])
    return bp.fmt(before), bp.fmt(trainer.cost)


@pytest.mark.parametrize("name", PARAMETERS)
def test_notebook_shape(name):
    nb = load(name)
    assert nb.cells[0].cell_type == "markdown" and "**Goal:**" in nb.cells[0].source
    cells = code_cells(nb)
    assert "parameters" in tags(cells[0])
    assigned = re.findall(r"^(\w+)\s*=", cells[0].source, re.MULTILINE)
    assert assigned == PARAMETERS[name]
    counts = [c.execution_count for c in cells if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "refresh with scripts/refresh_notebooks.py"
    for cell in cells:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:80]
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Summary" in markdown and "## Solutions" in markdown


@pytest.mark.parametrize("name", PARAMETERS)
def test_widgets_are_followed_by_their_summary_and_have_a_static_twin(name):
    cells = code_cells(load(name))
    ignored = [i for i, c in enumerate(cells) if "nbval-ignore-output" in tags(c)]
    assert ignored
    for i in ignored:
        assert cells[i + 1].source.strip() == "print(view.summary())"
        assert cells[i + 1].outputs and not tags(cells[i + 1]) & {"nbval-ignore-output"}
        assert any("plots.show(" in c.source for c in cells[:i]), "a static figure first"


@pytest.mark.parametrize("name", PARAMETERS)
def test_solutions_are_one_action_away(name):
    cells = code_cells(load(name))
    exercises_ = [m.groups() for c in cells if (m := EXERCISE.match(c.source))]
    assert len(exercises_) >= 2
    # exercises.check_function, or a checker of a student's function (check_*_function)
    assert any(re.search(r"check_\w*function\(", c.source) for c in cells if EXERCISE.match(c.source))
    (solutions,) = [c for c in cells if "def solution_" in c.source]
    assert solutions.metadata.get("jupyter", {}).get("source_hidden") and not solutions.outputs
    for a, b in exercises_:
        assert f"def solution_{a}_{b}(" in solutions.source
    for cell in cells:
        assert not text_of(cell).lstrip().startswith("Right"), cell.source[:80]


def test_09_prints_the_average_gradients_of_its_parameters():
    nb = load("09_many_examples")
    expected = average_gradients(scope_of(nb))
    text = "\n".join(text_of(c) for c in code_cells(nb))
    lines = AVERAGE_LINE.findall(text)
    assert {p for p, _ in lines} == set(expected)
    for param, value in lines:
        assert value == expected[param], f"dC/d{param}"
    assert not RESERVED_ONE_EXAMPLE.findall(text), "09 prints averages as dC/d..., not dC0/d..."


def test_11_prints_its_costs_before_and_after_training():
    nb = load("11_train_a_network")
    before, after = costs_11(scope_of(nb))
    found = COST_LINE.findall("\n".join(text_of(c) for c in code_cells(nb)))
    assert ("before", before) in found and ("after", after) in found


# --- instructor reruns ----------------------------------------------------------------------------
RERUNS = {
    "09_many_examples": {
        "tanh-text": {"activation": "tanh", "xs": ["1/2", "-1", "2", "1/4"],
                      "ys": ["0", "1/2", "-1/2", "1/4"], "weights": ["0.3", "-1/5", "0.7"],
                      "biases": [0, "1/10", 0], "batch_size": 3, "steps": 8},
        "sigmoid": {"activation": "sigmoid", "learning_rate": 0.5, "batch_size": 1, "seed": 3},
        "leaky-dead": {"activation": "leaky_relu", "weights": [0.1, -4, 0.5], "batch_size": 8},
        "linear-one": {"activation": "linear", "batch_size": 1, "learning_rate": 0.02},
    },
    "11_train_a_network": {
        "xor-relu": {"dataset": "xor", "hidden": [4], "activation": "relu", "steps": 150,
                     "n_examples": 80},
        "gauss-linear-flat": {"dataset": "gauss", "hidden": [], "activation": "linear",
                              "steps": 100, "n_examples": 60, "batch_size": 5},
        "spiral-sigmoid": {"dataset": "spiral", "hidden": [6, 5], "activation": "sigmoid",
                           "steps": 120, "n_examples": 70, "seed": 4, "learning_rate": 0.1},
        "circle-leaky": {"activation": "leaky_relu", "hidden": [5], "steps": 100,
                         "n_examples": 50, "batch_size": 50},
    },
}


def with_solution_checks(nb):
    """The notebook with one cell per exercise appended: its source with the answer replaced
    by the solution (as a student who runs solution_N_M() would)."""
    import ast

    for cell in list(nb.cells):
        match = EXERCISE.match(cell.source) if cell.cell_type == "code" else None
        if not match:
            continue
        tree = ast.parse(cell.source)
        answer = tree.body[-1].value.args[0].id
        lines = cell.source.splitlines()
        last = tree.body[-1].lineno - 1
        source = "\n".join(lines[:last] + [f"{answer} = solution_{match[1]}_{match[2]}()"]
                           + lines[last:])
        check = nbformat.v4.new_code_cell(source)
        check.metadata["tags"] = ["solution-check"]
        nb.cells.append(check)
    return nb


@pytest.mark.slow
@pytest.mark.parametrize(("name", "rerun"), [(n, r) for n in RERUNS for r in RERUNS[n]])
def test_instructor_rerun(name, rerun, tmp_path):
    source = tmp_path / f"{name}.ipynb"
    nbformat.write(with_solution_checks(load(name)), source)
    nb = run_again(source, tmp_path / f"{name}-{rerun}.ipynb", RERUNS[name][rerun])
    cells = code_cells(nb)
    lesson = [c for c in cells if "solution-check" not in tags(c)]
    text = "\n".join(text_of(c) for c in lesson)
    assert "Traceback" not in text
    scope = scope_of(nb)
    if name.startswith("09"):
        expected = average_gradients(scope)
        lines = AVERAGE_LINE.findall(text)
        assert {p for p, _ in lines} == set(expected)
        assert all(value == expected[param] for param, value in lines), lines
    else:
        before, after = costs_11(scope)
        found = COST_LINE.findall(text)
        assert ("before", before) in found and ("after", after) in found
        net = training.initial_network([2, *scope["hidden"], 1], scope["activation"],
                                       output_activation="tanh")
        formulas = {a.formula for a in net.activations}
        for word in ("ReLU", "sigmoid", "LeakyReLU"):
            if word not in formulas:
                assert not re.search(rf"\b{word}\b", text), f"names {word}"
    verdicts = [text_of(c).strip() for c in cells if "solution-check" in tags(c)]
    assert verdicts and all(v.startswith("Right") for v in verdicts), verdicts


# --- the static figures ---------------------------------------------------------------------------
def test_training_figure_describes_itself_with_the_trainers_numbers():
    from backproplib.plots import training as training_plots

    trainer, data = small_trainer()
    trainer.train(12)
    fig = training_plots.training_figure(trainer, data)
    alt = fig.bp_plot.alt_text()
    assert f"{bp.fmt(trainer.costs[0])} at the start, {bp.fmt(trainer.cost)} after 12 steps" in alt
    share = float((training.output_on_grid(trainer.net, data.extent) > data.threshold).mean())
    assert f"class 1 (blue) on {share:.0%} of the plane" in alt
    assert f"{int((data.classes == 1).sum())} points of class 1" in alt
    weights = np.concatenate([W.reshape(-1) for W in trainer.net.weights])
    assert f"{int((weights < 0).sum())} are negative" in alt


def test_a_cost_beyond_what_a_figure_draws_is_left_off_the_curve():
    # notebook 12 with learning_rate = 1e300: C reached 2.8e300, and the log axis's ticks
    # raised Python's "cannot convert float infinity to integer" when the figure was drawn
    from backproplib.learning import classification
    from backproplib.plots import classification as classification_plots

    data = classification.make_classes("circle", 60, seed=0)
    net = classification.classifier([2, 4, 3], "tanh", seed=0, cost="cross_entropy")
    trainer = training.Trainer(net, data.X, data.Y, 1e300, 10, seed=0).train(20)
    assert max(trainer.costs) > plots.LARGEST
    fig = classification_plots.classification_figure(trainer, data, n=20)
    fig.savefig(io.BytesIO(), format="png")
    assert f"{bp.fmt(trainer.cost)} after 20 steps" in fig.bp_plot.alt_text()


def test_paths_contour_and_ranges(chain_data):
    from backproplib.plots import training as training_plots

    net, X, Y = chain_data
    paths = [np.array([[0.0, 0.5], [-0.3, 0.1]]), np.array([[0.0, 0.5], [0.2, -0.4]])]
    ranges = training_plots.covering_ranges(paths, ("w_H1", "w_Out"), margin=0.1, least=0.5)
    # w_H1 runs from -0.3 to 0.2: 0.1 of that span either side stays within least (0.5) of
    # the start 0; w_Out runs from -0.4 to 0.5: 0.1 of its span 0.9 below, least above
    assert ranges["w_H1"] == pytest.approx((-0.5, 0.5))
    assert ranges["w_Out"] == pytest.approx((-0.4 - 0.1 * 0.9, 0.5 + 0.5))
    surface = bp.cost_surface(net, X, Y, {n: np.linspace(*ranges[n], 21) for n in ranges})
    fig = training_plots.paths_contour(surface, {"full batch": paths[0], "SGD": paths[1]})
    alt = fig.bp_plot.alt_text()
    assert "the average cost C" in alt
    assert "full batch: a path of 1 step goes from (0, 0.5) to (-0.3, 0.1)" in alt
    assert "SGD: a path of 1 step goes from (0, 0.5) to (0.2, -0.4)" in alt
    longer = training_plots.paths_contour(surface, {"SGD": np.vstack([paths[1], paths[0]])})
    assert "SGD: a path of 3 steps goes from (0, 0.5) to (-0.3, 0.1)" in longer.bp_plot.alt_text()
    none = training_plots.paths_contour(surface, {"SGD": paths[1][:1]})  # its first step failed
    assert "SGD: a path of no steps stays at (0, 0.5)." in none.bp_plot.alt_text()


def test_data_overview_names_every_set():
    from backproplib.plots import training as training_plots

    sets = [datasets.make(name, 30, seed=2) for name in datasets.NAMES]
    alt = training_plots.data_overview(sets).bp_plot.alt_text()
    for data in sets:
        assert f"'{data.name}' ({int((data.classes == 1).sum())} blue circles" in alt


def sent_images(html):
    """[(class, decoded image, (left, top, width, height) in % of the layer)] of a layer."""
    import base64

    from PIL import Image

    found = []
    for klass, style, data in re.findall(r'<img class="([^"]*)"[^>]*style="([^"]*)" '
                                         r'src="data:image/png;base64,([^"]+)"', html):
        box = tuple(float(re.search(rf"{k}:([-\d.]+)%", style).group(1))
                    for k in ("left", "top", "width", "height"))
        found.append((klass, Image.open(io.BytesIO(base64.b64decode(data))), box))
    return found


def test_the_panel_sends_the_regions_as_their_cells_in_the_colour_map():
    from backproplib.plots import training as training_plots

    trainer, data = small_trainer()
    view = training_widgets.training_view(trainer, data, steps=5)
    regions, n = view.view.regions, training_plots.GRID_N
    low, high = data.labels
    x1 = np.linspace(low, high, n)
    for values, first, last in ((np.tile(x1, (n, 1)), np.s_[:, 0], np.s_[:, -1]),  # by x_1
                                (np.tile(x1[:, None], (1, n)), np.s_[-1], np.s_[0])):  # by x_2
        regions.image.set_data(values)  # class 0's label at the left, then at the bottom
        view.draw()
        (klass, cells, box), *_ = sent_images(view.frame.value)
        assert "bp-frame-image bp-map-image" in klass and cells.size == (n, n)
        cells = np.asarray(cells.convert("RGB"))
        # the image's top row is the top of the plane
        assert (cells[first] == training_plots.REGIONS(0.0, bytes=True)[:3]).all()
        assert (cells[last] == training_plots.REGIONS(1.0, bytes=True)[:3]).all()
        middle = cells[n // 2, n // 2] if values[0, 0] == values[0, 1] else cells[0, n // 2]
        np.testing.assert_allclose(middle, training_plots.REGIONS(0.5, bytes=True)[:3], atol=3)
    # over the axes' frame exactly; the browser scales the cells smoothly (bilinear, as imshow)
    x0, y0, x1_, y1 = regions.ax.get_window_extent().extents
    width, height = view.fig.bbox.width, view.fig.bbox.height
    expected = (100 * x0 / width, 100 * (height - y1) / height, 100 * (x1_ - x0) / width,
                100 * (y1 - y0) / height)
    np.testing.assert_allclose(box, expected, atol=0.01)
    assert "image-rendering" not in view.frame.value
    # matplotlib's own picture of the panel (png()) shows the same colours there
    from PIL import Image

    shown = np.asarray(Image.open(io.BytesIO(view.png())).convert("RGB"))
    row, left, right = int(height - (y0 + y1) / 2), int(x0) + 3, int(x1_) - 3
    np.testing.assert_allclose(shown[row, (left + right) // 2],
                               training_plots.REGIONS(0.5, bytes=True)[:3], atol=3)


def test_a_step_of_the_panel_sends_only_what_changes():
    from backproplib.plots import style

    trainer, data = small_trainer(hidden=(4, 3))
    view = training_widgets.training_view(trainer, data, steps=5)
    regions = view.view.regions
    background, overlay = view.background.value, view.overlay.value
    view.buttons["step"].click()
    frame = view.frame.value
    assert view.background.value == background and view.overlay.value == overlay  # not sent
    # the data points and the regions' frame lie over the regions, in the overlay, sent once
    (klass, points, box), = sent_images(overlay)
    assert klass == "bp-part-image" and 'alt=""' in overlay
    x0, y0, x1, y1 = regions.ax.get_window_extent().extents
    width = view.fig.bbox.width
    assert box[0] < 100 * x0 / width and box[0] + box[2] > 100 * x1 / width
    # the frame: the regions' cells, the cost curve's pixels (away from the regions) and the
    # weights as SVG lines, one a weight, orange where it is negative
    (_, cells, _), (klass, curve, box) = sent_images(frame)
    assert klass == "bp-part-image" and box[0] > 100 * x1 / width
    weights = np.concatenate([np.ravel(W) for W in trainer.net.weights])
    strokes = re.findall(r'<path d="[^"]+" stroke="(#\w+)"', frame)
    assert len(strokes) == len(weights) == 2 * 4 + 4 * 3 + 3
    assert strokes == [(style.NEGATIVE if w < 0 else style.EDGE).lower() for w in weights]
    assert 0 < (weights < 0).sum() < len(weights)
    assert frame.count("<circle") == sum(trainer.net.sizes)
    # one step sends a small part of what the whole picture is as a PNG
    assert len(frame) < len(view.png()) / 5
    # the start's dotted line and label stay in the background while training: another start
    # (another network) draws a new one
    history, key = view.view.history, view.view.static_key()
    assert not history.start_label.get_animated() and history.start_label.get_text()
    history.update(small_trainer(hidden=(5,))[0])
    assert view.view.static_key() != key


def test_the_sgd_panel_counts_one_step_in_the_singular():
    net = bp.Network.chain([2, 3, 0.5], [-1, 1, -0.5], "leaky_relu")
    X, Y = np.array([[0.5], [1.0], [2.0]]), np.array([[1.0], [0.0], [1.0]])
    view = training_widgets.sgd_view(net, X, Y, params=("w_H1", "w_Out"), learning_rate=0.1,
                                     batch_size=1, steps=1, seed=0)
    assert "so 1 step is 0.333 epochs (1 example seen)" in view.summary(), view.summary()


def test_a_wide_layer_shows_its_first_neurons_and_says_how_many_it_has():
    # 2-5000-1 drew 15,000 lines and 5,003 circles (2-33333-1: 100,000 lines, 3 s), unreadable
    from backproplib.plots import training as training_plots

    data = datasets.make("circle", 20, seed=0)
    net = training.initial_network([2, 5000, 1], "relu", seed=0)
    b = np.zeros(5000)
    b[[3, 20, 4000]] = -100.0  # dead on every example: H0[3] is drawn grey, the others not
    net = bp.Network(net.weights, [b, net.biases[1]], "relu", exact=False)
    trainer = training.Trainer(net, data.X, data.Y, 0.03, 10, threshold=data.threshold)
    diagram = training_plots.training_figure(trainer, data).bp_plot.weights
    assert len(diagram.edges.get_segments()) == 2 * 16 + 16 * 1
    assert len(diagram.nodes.get_offsets()) == 2 + 16 + 1
    assert [t.get_text() for t in diagram.ax.texts] == ["x", "H0", "16 of\n5,000", "Out"]
    assert [b.neuron for b in trainer.blocked()] == ["H0[3]", "H0[20]", "H0[4000]"]
    assert diagram.alt_text().startswith(
        "The network 2-5000-1 with the 48 weights between the first 16 neurons of each layer "
        "(of 15,000) as lines: the widest has |w| = "
        + bp.fmt(float(max(abs(net.weights[0][:16]).max(), abs(net.weights[1][:, :16]).max()))))
    assert diagram.alt_text().endswith(" Blocked on every example (grey): H0[3].")
