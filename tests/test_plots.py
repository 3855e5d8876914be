"""The figures: the right artists, labels in the notebooks' notation, numbers that match backward,
and artists that move when ``update`` / ``set_point`` / ``set_path`` are called."""

import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib import plots, render, style  # noqa: E402
from backproplib.descent import gradient_descent  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def seed():
    return bp.worked_example()


def texts(fig):
    """Every text in the figure: Text artists and the numbers drawn as NumberText."""
    return ([t.get_text() for ax in fig.axes for t in ax.texts]
            + [p.get_text() for ax in fig.axes for p in ax.patches
               if isinstance(p, plots.NumberText)])


def test_number_text_lines_up_like_text():
    fig = plots.new_figure((3, 2), dpi=100)
    ax = fig.add_subplot()
    number = plots.NumberText(ax, 0.5, 0.5, "0.0175", fontsize=10, ha="right", va="baseline",
                              transform=ax.transAxes)
    plain = ax.text(0.5, 0.5, "0.0175", fontsize=10, ha="right", va="baseline",
                    transform=ax.transAxes)
    fig.canvas.draw()
    mine = number.get_window_extent()
    theirs = plain.get_window_extent(fig.canvas.get_renderer())
    assert mine.x1 == pytest.approx(theirs.x1, abs=1.5)  # right-aligned at the same place
    assert mine.width == pytest.approx(theirs.width, abs=4)  # ink vs. layout box
    number.set_text("1\n-2.5")
    assert number.get_text() == "1\n-2.5"
    fig.canvas.draw()
    assert number.get_window_extent().height > mine.height * 1.5  # two lines
    number.set_text("")
    fig.canvas.draw()


def test_importing_backproplib_does_not_import_matplotlib_or_ipywidgets():
    code = ("import sys, backproplib, backproplib.descent; "
            "print(any(m.split('.')[0] in ('matplotlib', 'ipywidgets') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name, tex", [
    ("w_Out", "$w^{Out}$"), ("b_H1", "$b^{H1}$"), ("w_H1[0,1]", "$w^{H1}_{01}$"),
    ("b_H0[2]", "$b^{H0}_{2}$"), ("x", "$x$"), ("C0", "$C_0$"),
])
def test_tex_names(name, tex):
    assert plots.tex_name(name) == tex


def test_network_diagram_shows_the_worked_example_numbers(seed):
    net, x, y = seed
    fig = plots.network_diagram(net, x, y)
    shown = texts(fig)
    for label in ("x", "H0", "H1", "Out"):
        assert label in shown
    # the numbers of the seed: dC0/dw for each weight, dC0/da, a and z per node
    for number in ("dC0/dw_H0 =\n0.01755125", "dC0/dw_H1 =\n7.1960125",
                   "dC0/dw_Out =\n7.16442025", "dC0/da_H0 =\n0.0351025",
                   "dC0/da_H1 =\n3.51025", "dC0/da_Out =\n7.0205",
                   "z_H0 = 2.05\na_H0 = 2.05", "z_H1 = 1.0205\na_H1 = 1.0205",
                   "z_Out = 3.51025\na_Out = 3.51025", "w_H0 = 0.1", "w_H1 = 0.01",
                   "w_Out = 0.5", "x = 0.5"):
        assert number in shown, number
    assert "y = 0, C0 = 12.32185506" in shown
    diagram = fig.bp_plot
    assert all(node.get_markerfacecolor() == style.NODE_FACE
               for node in diagram.nodes[1] + diagram.nodes[2] + diagram.nodes[3])
    assert diagram.numbers["dw", 1, 0, 0].get_facecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(style.GRADIENT))
    key = [t.get_text() for t in diagram.key.get_texts()]
    assert "weight < 0" in key and "blocked neuron (dead or saturated)" in key


def test_network_diagram_greys_a_blocked_neuron_and_updates_numbers(seed):
    net, x, y = seed
    fig = plots.network_diagram(net, x, y)
    diagram = fig.bp_plot
    dead = net.with_params({"w_H1": -0.7})
    g = dead.backward(x, y)
    assert [b.neuron for b in g.blocked] == ["H1"]
    diagram.update(dead, g, y)
    h1 = diagram.nodes[2][0]
    assert h1.get_markerfacecolor() == style.BLOCKED_FACE
    assert diagram.nodes[1][0].get_markerfacecolor() == style.NODE_FACE
    assert diagram.numbers["a", 2, 0].get_text() == "z_H1 = -0.435\na_H1 = 0"
    assert diagram.numbers["w", 2, 0, 0].get_text() == "w_H1 = -0.7"
    assert diagram.numbers["dw", 2, 0, 0].get_text() == "dC0/dw_H1 =\n0"
    assert diagram.edges[1][0, 0].get_linestyle() == "--"
    assert "y = 0, C0 = 9" in texts(fig)
    assert g.blocked[0].sentence() in diagram.alt_text()
    # a saturated tanh neuron is blocked too, by the same notion (Gradients.blocked)
    tanh = bp.Network.chain([0.1, 1, 1], [30, 0, 0], activation="tanh")
    g = tanh.backward(0.5, 0)
    assert [b.kind for b in g.blocked] == ["saturated"]
    fig = plots.network_diagram(tanh, 0.5, 0)
    assert fig.bp_plot.nodes[1][0].get_markerfacecolor() == style.BLOCKED_FACE
    with pytest.raises(ValueError, match="sizes"):
        wrong = bp.Network([[[1], [1]], [[1, 1]]], [[0, 0], [0]])
        diagram.update(wrong, wrong.backward(0.5, 0), 0)


def test_network_diagram_of_a_wider_network():
    net = bp.Network([[[0.1], [0.2]], [[0.3, -0.4], [0.5, 0.6]], [[0.7, 0.8]]],
                     [[0, 0], [1, 1], [0]])
    fig = plots.network_diagram(net, 1.0, 0)
    shown = texts(fig)
    for label in ("H0[0]", "H0[1]", "H1[0]", "H1[1]", "Out"):
        assert label in shown
    assert len(fig.bp_plot.edges[1]) == 4
    assert fig.bp_plot.edges[1][0, 1].get_color() == style.NEGATIVE  # a negative weight
    assert "1 of the 8 weights are negative" in fig.bp_plot.alt_text()


def test_cost_vs_param_point_and_tangent(seed):
    net, x, y = seed
    fig = plots.cost_vs_param(net, x, y, "w_Out")
    curve = fig.bp_plot
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$w^{Out}$" and ax.get_ylabel() == "$C_0$"
    assert curve.values[0] == pytest.approx(-1.5) and curve.values[-1] == pytest.approx(2.5)
    px, py = curve.point.get_data()
    assert (px[0], py[0]) == pytest.approx((0.5, 12.3218550625))
    tx, ty = curve.tangent.get_data()
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(7.16442025)
    # the curve is C0 at each value, the tangent touches it at the point
    i = 50
    expected = float(net.with_params({"w_Out": curve.values[i]}).cost(x, y))
    assert curve.curve.get_ydata()[i] == pytest.approx(expected)
    assert "dC0/dw_Out = 7.16442025" in curve.readout.get_text()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "$C_0$" and legend[1].startswith("tangent") and "current point" in legend
    moved = net.with_params({"w_Out": 1.0})
    g = moved.backward(x, y)
    curve.update(moved, g, x, y)
    px, py = curve.point.get_data()
    assert (px[0], py[0]) == pytest.approx((1.0, float(g.cost)))
    tx, ty = curve.tangent.get_data()
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(float(g["w_Out"]))


def test_cost_vs_param_recomputes_the_curve_when_another_parameter_moves(seed):
    net, x, y = seed
    curve = plots.cost_vs_param(net, x, y, "w_Out", values=np.linspace(0, 1, 11)).bp_plot
    before = curve.curve.get_ydata().copy()
    key = curve.static_key()
    other = net.with_params({"b_Out": 1})
    curve.update(other, other.backward(x, y), x, y)
    after = curve.curve.get_ydata()
    assert curve.static_key() != key
    assert after[5] == pytest.approx(float(other.with_params({"w_Out": 0.5}).cost(x, y)))
    assert not np.allclose(before, after)
    with pytest.raises(ValueError, match="unknown parameter"):
        plots.cost_vs_param(net, x, y, "w_H7")


def surface(net, x, y, n=41):
    return bp.cost_surface(net, x, y, {"w_H1": np.linspace(-1, 1, n),
                                       "w_Out": np.linspace(-1.5, 2.5, n)})


def test_cost_contour_point_arrow_and_path(seed):
    net, x, y = seed
    s = surface(net, x, y)
    g = net.backward(x, y)
    path = gradient_descent(net, x, y, 0.01, 10, ("w_H1", "w_Out"))
    fig = plots.cost_contour(s, point={"w_H1": 0.01, "w_Out": 0.5},
                             gradient=(g["w_H1"], g["w_Out"]), path=path)
    contour = fig.bp_plot
    ax = contour.ax
    assert ax.get_xlabel() == "$w^{H1}$" and ax.get_ylabel() == "$w^{Out}$"
    assert fig.axes[1].get_ylabel() == "$C_0$"  # the colour bar
    px, py = contour.point.get_data()
    assert (px[0], py[0]) == (0.01, 0.5)
    (x0, y0), (x1, y1) = contour.arrow._posA_posB
    assert (x0, y0) == (0.01, 0.5)
    # uphill: along +gradient
    direction = np.array([x1 - x0, y1 - y0])
    gradient = np.array([float(g["w_H1"]), float(g["w_Out"])])
    assert direction[0] * gradient[1] - direction[1] * gradient[0] == pytest.approx(0, abs=1e-9)
    assert direction @ gradient > 0
    key = [t.get_text() for t in ax.get_legend().get_texts()]
    assert key == ["current point", "gradient (uphill)", "descent path"]
    assert "pointing uphill; descent steps go the opposite way" in contour.alt_text()
    line_x, line_y = contour.path.get_data()
    assert np.allclose(np.column_stack([line_x, line_y]), path.array())
    contour.set_point((0.3, -0.2))
    assert contour.point.get_data()[0][0] == 0.3 and contour.point.get_data()[1][0] == -0.2
    contour.set_gradient((0.3, -0.2), (0, 0))
    assert not contour.arrow.get_visible()
    assert "gradient 0 here" in contour.note.get_text() and "No arrow" in contour.alt_text()


def test_cost_surface_3d_and_activation_pairs(seed):
    net, x, y = seed
    fig = plots.cost_surface_3d(surface(net, x, y, 21))
    ax = fig.axes[0]
    assert ax.name == "3d"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == (
        "$w^{H1}$", "$w^{Out}$", "$C_0$")
    fig = plots.activation_pairs()
    assert len(fig.axes) == 2 * len(bp.ACTIVATIONS)
    titles = [ax.get_title() for ax in fig.axes]
    assert "ReLU$(z)$" in titles and "its slope ReLU$'(z)$" in titles
    assert "its slope sigmoid$'(z)$" in titles
    fig = plots.activation_pairs(["relu"], z=np.array([-1.0, 0.0, 2.0]))
    (function,) = fig.axes[0].lines[:1]
    (derivative,) = fig.axes[1].lines[:1]
    assert function.get_ydata().tolist() == [0, 0, 2]
    assert derivative.get_ydata().tolist() == [0, 0, 1]  # ReLU'(0) = 0
    with pytest.raises(ValueError, match="unknown activation"):
        plots.activation_pairs(["swish"])


def decode(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_frame_renderer_layers_make_the_same_picture_as_a_full_redraw(seed):
    net, x, y = seed
    fig = plots.new_figure((5, 4), dpi=60)
    contour = plots.CostContour(surface(net, x, y), ax=fig.add_subplot())
    renderer = render.FrameRenderer(fig, contour.dynamic_artists())
    contour.set_gradient((0, 0), (1, 1))
    background, first, redrawn = renderer.layers(contour.static_key())
    assert redrawn
    contour.set_point((0.5, 1.0))
    contour.set_gradient((0.5, 1.0), (1.0, -2.0))
    again, second, redrawn = renderer.layers(contour.static_key())
    assert not redrawn and again == background and second != first
    layered = decode(render.composite(background, second))
    with style.context():  # everything drawn at once, as savefig would with nothing animated
        for artist in contour.dynamic_artists():
            artist.set_animated(False)
        fig.canvas.draw()
    direct = np.asarray(fig.canvas.buffer_rgba())
    assert layered.shape == (240, 300, 4)
    difference = np.abs(layered[..., :3].astype(int) - direct[..., :3].astype(int))
    assert difference.mean() < 0.5 and np.percentile(difference, 99.9) <= 40  # antialiasing


def test_a_neuron_that_dies_changes_the_background(seed):
    # a constant static_key would leave H1 drawn alive after it died
    net, x, y = seed
    fig = plots.new_figure((9, 2.7), dpi=50)
    diagram = plots.NetworkDiagram(net, x, y, ax=fig.add_subplot())
    renderer = render.FrameRenderer(fig, diagram.dynamic_artists())
    alive, _, _ = renderer.layers(diagram.static_key())
    moved = net.with_params({"w_H1": 0.02})  # numbers change, H1 stays alive
    diagram.update(moved, moved.backward(x, y), y)
    same, _, redrawn = renderer.layers(diagram.static_key())
    assert not redrawn and same == alive
    dead = net.with_params({"w_H1": -0.7})
    diagram.update(dead, dead.backward(x, y), y)
    greyed, _, redrawn = renderer.layers(diagram.static_key())
    assert redrawn and greyed != alive
    fresh, _, _ = render.FrameRenderer(fig, diagram.dynamic_artists()).layers("another key")
    assert np.array_equal(decode(greyed), decode(fresh))


def test_encode_png_round_trips_rgba():
    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    assert np.array_equal(decode(render.encode_png(rgba)), rgba)


# --- showing: a sharp picture with alt text ---------------------------------------------------
def test_show_emits_an_img_with_alt_text_at_twice_the_shown_pixels(seed, monkeypatch):
    import base64
    import html
    import re

    from backproplib import style

    net, x, y = seed
    fig = plots.cost_vs_param(net, x, y, "w_Out")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    plots.show(fig)
    (bundle,) = shown
    alt = bundle["text/plain"]
    assert alt.startswith("Cost C0 against w_Out from -1.5 to 2.5; at w_Out = 0.5, C0 = "
                          "12.32185506 and the tangent's slope dC0/dw_Out = 7.16442025")
    tag = bundle["text/html"]
    match = re.fullmatch(r'<img alt="([^"]*)" width="(\d+)" height="(\d+)" [^>]*'
                         r'src="data:image/png;base64,([A-Za-z0-9+/=]+)">', tag)
    assert match, tag[:200]
    assert html.unescape(match.group(1)) == alt
    width, height = int(match.group(2)), int(match.group(3))
    assert (width, height) == style.shown_pixels(fig)
    image = Image.open(io.BytesIO(base64.b64decode(match.group(4))))
    assert image.size == (width * 2, height * 2)
    assert fig.number not in plt.get_fignums()  # closed: the inline backend won't show it twice


def test_show_needs_alt_text_for_a_figure_drawn_by_hand():
    fig, ax = plots.subplots()
    ax.plot([0, 1], [1, 0])
    with pytest.raises(TypeError, match="alt="):
        plots.figure_bundle(fig)
    bundle = plots.figure_bundle(fig, alt='A line from (0, 1) to (1, 0), "falling"')
    assert 'alt="A line from (0, 1) to (1, 0), &quot;falling&quot;"' in bundle["text/html"]
    with pytest.raises(TypeError, match="non-empty"):
        plots.figure_bundle(fig, alt="  ")


@pytest.mark.parametrize("make", ["diagram", "wide", "curve", "contour", "surface3d",
                                  "activations"])
def test_every_figure_describes_itself_with_its_numbers(seed, make):
    net, x, y = seed
    g = net.backward(x, y)
    s = surface(net, x, y, 21)
    wide = bp.Network([[[0.1], [0.2]], [[0.3, -0.4], [0.5, 0.6]], [[0.7, 0.8]]],
                      [[0, 0], [1, 1], [0]])
    fig, expected = {
        "diagram": lambda: (plots.network_diagram(net, x, y),
                            ["x = 0.5", "C0 = 12.32185506", "dC0/dw_H0 = 0.01755125"]),
        "wide": lambda: (plots.network_diagram(wide, 1.0, 0),
                         ["1-2-2-1", f"C0 = {bp.fmt(wide.cost(1.0, 0))}", "largest gradient"]),
        "curve": lambda: (plots.cost_vs_param(net, x, y, "w_H1"),
                          [f"dC0/dw_H1 = {bp.fmt(g['w_H1'])}", "from -1.99 to 2.01"]),
        "contour": lambda: (plots.cost_contour(s, point=(0.01, 0.5),
                                               gradient=(g["w_H1"], g["w_Out"])),
                            [f"({bp.fmt(g['w_H1'])}, {bp.fmt(g['w_Out'])})", "w_H1 = 0.01",
                             f"to {bp.fmt(s.cost.max())}"]),
        "surface3d": lambda: (plots.cost_surface_3d(s), [f"to {bp.fmt(s.cost.max())}"]),
        "activations": lambda: (plots.activation_pairs(["relu", "tanh"]),
                                ["ReLU'(z)", "tanh'(z), which runs from"]),
    }[make]()
    alt = fig.bp_plot.alt_text()
    for part in expected:
        assert part in alt, (part, alt)
