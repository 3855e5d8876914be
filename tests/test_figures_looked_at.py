"""What looking at the rendered figures found (issue 20's rule: look before calling a figure
done), kept as checks: text inside the figure whatever the tick labels' width, a flat map that
says so on the map, a training cost plot whose point is never cut by the frame and that is not
empty at step 0 or after a reset."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from test_plots import assert_readable, drawn_texts  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib import plots  # noqa: E402
from backproplib.learning import datasets, training  # noqa: E402
from backproplib.numbers import rounded  # noqa: E402
from backproplib.plots import style  # noqa: E402
from backproplib.plots import training as training_plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def narrow_surfaces():
    """Notebook 09's grid: w_H1 and w_Out near 0, so the y tick labels read "−0.25", "0.75"."""
    net, _, _ = bp.worked_example()
    X = np.linspace(-1, 1, 8).reshape(-1, 1)
    Y = 3.0 * (X > 0)
    grid = {"w_H1": np.linspace(-0.49, 0.51, 31), "w_Out": np.linspace(-0.48, 1, 31)}
    return bp.cost_surface(net, X, Y, grid), bp.cost_surface(net, X[:1], Y[:1], grid)


def test_contours_with_wide_tick_labels_keep_their_axis_labels_inside():
    whole, one = narrow_surfaces()
    paths = {"full batch": [[0.01, 0.5], [-0.1, 0.3], [-0.3, 0.0]],
             "mini-batch SGD": [[0.01, 0.5], [-0.2, 0.2], [-0.35, -0.1]]}
    assert_readable(training_plots.paths_contour(whole, paths))
    assert_readable(training_plots.cost_surfaces({"all 8 examples: C": (whole, "C"),
                                                  "example 0 alone: C0,0": (one, "C0")}))


def test_a_flat_map_says_so_on_the_map_and_labels_no_levels_alike():
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="sigmoid")
    grid = {"w_H1": np.linspace(8, 12, 21), "b_H1": np.linspace(8, 12, 21)}
    fig = plots.cost_contour(bp.cost_surface(net, 0.5, 0, grid), point=(10, 10))
    contour = fig.bp_plot
    assert contour.flat, "this map changes by about 1e-8: scales.flat_note should say so"
    shown = [text for text, *_ in drawn_texts(fig)]
    # the map's colours and level lines stretch the change: it is not "too little to see" here
    assert any("magnify it" in " ".join(text.split()) for text in shown), shown
    assert "too little to see" not in contour.alt_text()
    labels = [label.get_text() for label in contour.labels if label.get_visible()]
    assert len(set(labels)) == len(labels), f"level labels that read the same: {labels}"
    assert_readable(fig)


def trainer_and_data():
    net = training.initial_network([2, 4, 1], "tanh", seed=1, output_activation="tanh")
    data = datasets.make("circle", 60, seed=1, labels=datasets.labels_for(net.activations[-1]))
    return training.Trainer(net, data.X, data.Y, 0.05, 10, seed=1,
                            threshold=data.threshold), data


def test_one_colour_means_one_thing_in_the_training_figure():
    """11 drew class 0's points and a negative weight's edge both orange. The alt texts name
    each class by the word for the colour drawn."""
    from matplotlib.colors import to_hex

    trainer, data = trainer_and_data()
    figure = training_plots.TrainingFigure(trainer, data, steps=40)
    points = {to_hex(line.get_color()) for line in figure.regions.markers}
    edges = {to_hex(colour) for colour in figure.weights.edges.get_colors()}
    assert to_hex(style.NEGATIVE) in edges and not points & edges, (points, edges)
    overview = training_plots.data_overview([data]).bp_plot.alt_text()
    for k, colour, _ in training_plots.TWO_CLASSES:
        word = style.COLOUR_WORDS[colour]
        assert f"class {k} ({word})" in figure.regions.alt_text() and f"{word} " in overview


def clear_of_the_frame(ax, x, y):
    """(x, y) in data is inside ``ax`` with room for a marker (2% of the width, a tenth of a
    decade on the log y axis) on every side."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    room = 0.02 * (x1 - x0)
    return (x0 + room <= x <= x1 - room
            and math.log10(y0) + 0.1 <= math.log10(y) <= math.log10(y1) - 0.1)


def test_the_cost_plot_is_not_a_dot_in_a_corner_at_the_start_nor_after_training():
    trainer, data = trainer_and_data()
    figure = training_plots.TrainingFigure(trainer, data, steps=40)
    history = figure.history
    start = float(trainer.costs[0])
    assert clear_of_the_frame(history.ax, 0, start), (history.ax.get_xlim(),
                                                       history.ax.get_ylim(), start)
    assert list(history.start.get_ydata()) == [start, start]
    assert history.start_label.get_text() == f"start: {rounded(start, 4)}"
    trainer.train(40)
    figure.update(trainer)
    assert clear_of_the_frame(history.ax, trainer.cost_steps[-1], trainer.costs[-1]), (
        history.ax.get_xlim(), history.ax.get_ylim(), trainer.cost_steps[-1], trainer.cost)
    trainer.reset()
    figure.update(trainer)
    assert clear_of_the_frame(history.ax, 0, float(trainer.costs[0]))
    assert_readable(figure.fig, overlaps=False)


def test_a_lowest_cost_held_over_a_stretch_is_described_as_the_stretch():
    # notebook 03: for w_H1 below -0.49, H1 is dead and C0 = 9 exactly, all the way to -1.99
    net, x, y = bp.worked_example()
    values = np.linspace(-1.99, 2.01, 201)
    fig = plots.cost_vs_param(net, x, y, "w_H1", values)
    costs = np.array([float(net.with_params({"w_H1": v}).backward(x, y).cost) for v in values])
    flat = values[costs == costs.min()]
    assert len(flat) > 1
    assert (f"The lowest C0 on the plot is {bp.fmt(costs.min())}, all the way from w_H1 = "
            f"{bp.fmt(flat[0])} to {bp.fmt(flat[-1])}.") in fig.bp_plot.alt_text()
    one = plots.cost_vs_param(net, x, y, "w_Out", np.linspace(-1, 1, 11))  # lowest at one end
    assert ", at w_Out = -1." in one.bp_plot.alt_text()


def test_contour_level_labels_are_opaque_and_no_line_traces_the_lowest_cost():
    # notebook 05's map: C0 = y^2 = 0 over the region where the output neuron is dead
    net, x, y = bp.worked_example()
    grid = {"w_H1": np.linspace(-1.99, 2.01, 41), "w_Out": np.linspace(-1.5, 2.5, 41)}
    contour = plots.cost_contour(bp.cost_surface(net, x, y, grid)).bp_plot
    assert contour.labels
    for label in contour.labels:  # the lines' alpha 0.55 would make INK text a light grey
        alpha = label.get_alpha()
        opacity = to_rgba(label.get_color())[3] if alpha is None else alpha
        assert opacity == 1, (label.get_text(), label.get_color(), alpha)
    drawn = list(contour.lines.levels)
    assert contour.levels[0] not in drawn and contour.levels[-1] not in drawn, (
        f"lines at the lowest or highest cost ({contour.levels[0]}, {contour.levels[-1]}) "
        f"follow the grid's cells where that cost is held over a region: {drawn}")


def test_the_3d_surface_says_when_its_lowest_cost_is_a_flat_floor():
    # notebook 05: C0 = 0 wherever the output neuron is dead, not at one point
    net, x, y = bp.worked_example()
    grid = {"w_H1": np.linspace(-1.99, 2.01, 21), "w_Out": np.linspace(-1.5, 2.5, 21)}
    surface = bp.cost_surface(net, x, y, grid)
    floor = int((surface.cost == surface.cost.min()).sum())
    assert floor > 1
    alt = plots.cost_surface_3d(surface).bp_plot.alt_text()
    assert f"held on {floor} of the {surface.cost.size} grid points, a flat floor" in alt, alt


@pytest.mark.parametrize("shared", [False, True])
def test_a_flat_curve_s_note_covers_nothing_on_its_own_axis_or_on_a_shared_one(shared):
    # notebook 04, cell 16: both curves on one vertical scale, set after the figures are made;
    # the note on the flat w_H0 curve sat on the curve, the tangent and the point
    net, x, y = bp.worked_example()
    fig, axes = plots.subplots(1, 2, figsize=(10, 4))
    curves = [plots.cost_vs_param(net, x, y, name, ax=ax).bp_plot
              for name, ax in zip(("w_H1", "w_H0"), axes)]
    if shared:
        top = max(ax.get_ylim()[1] for ax in axes)
        for ax in axes:
            ax.set_ylim(0, top)
    fig.tight_layout()
    drawn_texts(fig)  # drawn as a notebook shows it
    flat = curves[1]
    assert flat.flat, "w_H0's curve changes too little to see: it has a flat note"
    note = flat.flat_text.get_window_extent(fig.canvas.get_renderer()).padded(2)
    legend = flat.ax.get_legend().get_window_extent()
    assert not note.overlaps(legend), (note, legend)
    for line in (flat.curve, flat.tangent, flat.point):  # nor does the legend, pushed aside
        points = flat.ax.transData.transform(np.column_stack(line.get_data()))
        points = points[np.isfinite(points).all(axis=1)]
        for box in (note, legend):
            assert len(points) and not any(box.contains(*p) for p in points), line.get_label()


def test_no_colour_bar_label_sits_a_fraction_of_a_step_from_an_end():
    # 09's map: C from 3.478 to 11.1 in steps of 1, labelled "11" right beside "11.1"
    from backproplib.learning.surface import CostSurface

    v = np.linspace(-1, 1, 41)
    cost = 3.478373132 + (11.10439316 - 3.478373132) * (v[:, None] ** 2 + v[None, :] ** 2) / 2
    contour = plots.cost_contour(CostSurface(("w_H1", "w_Out"), (v, v), cost, {}, None, None))
    contour.canvas.draw()
    ticks = [float(t.get_text().replace("\u2212", "-")) for t in contour.axes[1].get_yticklabels()]
    steps = np.diff(ticks)
    assert len(ticks) > 3 and steps.min() >= np.median(steps) / 2, ticks
