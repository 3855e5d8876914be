"""The figures: the right artists, labels in the notebooks' notation, numbers that match backward,
and artists that move when ``update`` / ``set_point`` / ``set_path`` are called."""

import io
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib import plots  # noqa: E402
from backproplib.learning.descent import gradient_descent  # noqa: E402
from backproplib.plots import render, style


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
    code = ("import sys, backproplib, backproplib.learning.descent; "
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


def test_network_diagram_gives_every_number_by_one_digits_rule():
    # 01 under tanh drew "z_Out = 3.466913822" (fmt's 10 digits fit 11 characters) beside
    # "z_H1 = 0.805355" (6 digits): a number that ends within 9 digits shows whole (the seed's
    # 0.01755125 above), any other to 6 significant digits
    net = bp.Network.chain(["0.3", "-1/5", "0.7"], [2, 1, 3], activation="tanh")
    numbers = re.findall(r"=\s(-?[\d.]+(?:e-?\d+)?)", " ".join(
        t for t in texts(plots.network_diagram(net, "1/2", 0)) if t.startswith(("z_", "dC0/"))))
    digits = [len(re.sub(r"^0*\.?0*|\.|e.*$", "", n.lstrip("-"))) for n in numbers]
    assert len(numbers) == 13 and max(digits) == 6, dict(zip(numbers, digits))


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
    assert bp.explain_blocked(g.blocked[0]) in diagram.alt_text()
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
    assert "1 of the 8 weights is negative" in fig.bp_plot.alt_text()
    two = plots.network_diagram(net.with_params({"w_Out[0,1]": -0.8}), 1.0, 0)
    assert "2 of the 8 weights are negative" in two.bp_plot.alt_text()


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


def test_difference_errors_of_a_gradient_of_0_say_so_without_a_warning():
    # x = 0: dC0/dw_H0 = delta x = 0 and C0 does not change with w_H0; every error is exactly 0.
    # The alt text said the error "climbs steadily to 0", and matplotlib warned in the notebook
    import warnings
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], "sigmoid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alt = plots.difference_errors(net, 0, 0, "w_H0", mark=1e-5).bp_plot.alt_text()
    assert alt.count("exactly 0 at every step") == 2 and "climbs" not in alt, alt


def test_cost_vs_param_says_an_exact_slope_as_the_notebook_prints_it():
    # numbers as text make the network exact: the alt text said -0.002319242944 where the
    # notebook printed dC0/dw_Out = -0.00231924294375 (its C0 was exact already)
    net = bp.Network.chain(["-1/10", "3/2", "1/2"], ["-2", "1/4", "-3"], "leaky_relu")
    g = net.backward("1/2", "1/2")
    alt = plots.cost_vs_param(net, "1/2", "1/2", "w_Out").bp_plot.alt_text()
    assert f"the tangent's slope dC0/dw_Out = {bp.fmt(g['w_Out'])}." in alt, alt
    assert bp.fmt(g["w_Out"]) == "-0.00231924294375"
    pair = {"w_H1": net.param("w_H1"), "w_Out": net.param("w_Out")}
    surface = bp.cost_surface(net, "1/2", "1/2", {"w_H1": np.linspace(1, 2, 5),
                                                 "w_Out": np.linspace(0, 1, 5)})
    alt = plots.cost_contour(surface, point=pair, gradient={n: g[n] for n in pair}
                             ).bp_plot.alt_text()
    assert f"= ({bp.fmt(g['w_H1'])}, {bp.fmt(g['w_Out'])}), pointing uphill" in alt, alt


def test_cost_vs_param_recomputes_the_curve_when_another_parameter_moves(seed):
    net, x, y = seed
    curve = plots.cost_vs_param(net, x, y, "w_Out", values=np.linspace(0, 1, 11)).bp_plot
    before = curve.curve.get_ydata().copy()
    other = net.with_params({"b_Out": 1})
    curve.update(other, other.backward(x, y), x, y)
    after = curve.curve.get_ydata()
    low, high = curve.ax.get_ylim()
    assert low <= after.min() and after.max() <= high  # the axes still hold the whole curve
    assert after[5] == pytest.approx(float(other.with_params({"w_Out": 0.5}).cost(x, y)))
    assert not np.allclose(before, after)
    with pytest.raises(ValueError, match="unknown parameter"):
        plots.cost_vs_param(net, x, y, "w_H7")


def surface(net, x, y, n=41):
    return bp.cost_surface(net, x, y, {"w_H1": np.linspace(-1, 1, n),
                                       "w_Out": np.linspace(-1.5, 2.5, n)})


@pytest.mark.parametrize("reach, spacing", [(1, "evenly spaced"), (30, "logarithmic")])
def test_cost_contour_says_how_its_levels_are_spaced(seed, reach, spacing):
    # C0 from 0 to 36.6 on the narrow map, to 8930 on the wide one: bands for the valley
    net, x, y = seed
    contour = plots.cost_contour(bp.cost_surface(net, x, y, {
        "w_H1": np.linspace(-1, 1, 41), "w_Out": np.linspace(-reach, reach, 41)})).bp_plot
    inner = contour.levels[1:-1]
    assert np.allclose(np.diff(inner), inner[1] - inner[0]) == (spacing == "evenly spaced")
    assert f"{len(inner)} {spacing} level lines between." in contour.alt_text()


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
    (x0, y0), (x1, y1) = contour.arrow_ends
    assert (x0, y0) == (0.01, 0.5)
    # uphill: along +gradient
    direction = np.array([x1 - x0, y1 - y0])
    gradient = np.array([float(g["w_H1"]), float(g["w_Out"])])
    assert direction[0] * gradient[1] - direction[1] * gradient[0] == pytest.approx(0, abs=1e-9)
    assert direction @ gradient > 0
    key = [t.get_text() for t in ax.get_legend().get_texts()]
    assert key == ["start", "gradient (uphill)", "descent path"]  # the point starts the path
    assert "pointing uphill; descent steps go the opposite way" in contour.alt_text()
    line_x, line_y = contour.path.get_data()
    assert np.allclose(np.column_stack([line_x, line_y]), path.array())
    contour.set_path(path.array()[::2], "every other step")  # one of several: drawn alike
    drawn = [(line.get_marker(), line.get_markersize(), line.get_linewidth(),
              line.get_markeredgecolor()) for line in (contour.path, *contour.paths.values())]
    assert drawn[0] == drawn[1], drawn
    contour.set_point((0.3, -0.2))
    assert contour.point.get_data()[0][0] == 0.3 and contour.point.get_data()[1][0] == -0.2
    contour.set_gradient((0.3, -0.2), (0, 0))
    assert not contour.arrow.get_visible()
    assert "the gradient is 0 here" in contour.note.get_text() and "No arrow" in contour.alt_text()


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


def test_a_neuron_that_dies_changes_the_picture(seed):
    # a stale layer would leave H1 drawn alive after it died
    net, x, y = seed
    fig = plots.new_figure((9, 2.7), dpi=50)
    diagram = plots.NetworkDiagram(net, x, y, ax=fig.add_subplot())
    renderer = render.FrameRenderer(fig, diagram.dynamic_artists())
    alive = renderer.png(diagram.static_key())
    dead = net.with_params({"w_H1": -0.7})
    diagram.update(dead, dead.backward(x, y), y)
    greyed = renderer.png(diagram.static_key())
    assert greyed != alive
    fresh = render.FrameRenderer(fig, diagram.dynamic_artists()).png("another key")
    assert np.array_equal(decode(greyed), decode(fresh))
    node = diagram.nodes[2][0]
    assert node in renderer.dynamic and diagram.edges[1][0, 0] in renderer.dynamic


def test_frame_renderer_keeps_backgrounds_by_key(seed):
    net, x, y = seed
    fig = plots.new_figure((6, 4), dpi=40)
    curve = plots.CostCurve(net, x, y, "w_Out", ax=fig.add_subplot())
    renderer = render.FrameRenderer(fig, curve.dynamic_artists())
    limits = curve.ax.get_ylim()
    first, _, _ = renderer.layers(curve.static_key())
    curve.ax.set_ylim(0, 100)
    other, _, redrawn = renderer.layers(curve.static_key())
    assert redrawn and other != first and renderer.redraws == 2
    curve.ax.set_ylim(*limits)
    again, _, redrawn = renderer.layers(curve.static_key())
    assert redrawn and again == first and renderer.redraws == 2  # from the cache


def test_lines_and_round_markers_go_as_svg_of_the_same_geometry_unless_see_through():
    from matplotlib.collections import LineCollection

    from backproplib.plots import style

    fig = plots.new_figure((3, 2))
    ax = fig.add_subplot(xlim=(0, 4), ylim=(0, 2))
    lines = ax.add_collection(LineCollection([[(0, 0), (4, 2)], [(1, 2), (3, 0)]],
                                             colors=["#112233", style.NEGATIVE],
                                             linewidths=[1.0, 3.0]))
    dots = ax.scatter([1, 3], [1, 0.5], s=100, c="white", edgecolors="black", linewidths=2)
    _, front, png = render.FrameRenderer(fig, [lines, dots]).pictures(None, "x", 300, 200)
    assert png == b""  # nothing left to the PNG
    points, height = fig.dpi / 72, fig.bbox.height
    (x0, y0), (x1, y1) = ax.transData.transform([(0, 0), (4, 2)])
    first = re.search(r'<path d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)" stroke="(#\w+)" '
                      r'stroke-width="([\d.]+)"', front).groups()
    np.testing.assert_allclose([float(v) for v in first[:4]],
                               [x0, height - y0, x1, height - y1], atol=0.06)
    assert first[4] == "#112233" and float(first[5]) == pytest.approx(points, rel=1e-2)
    assert f'stroke="{style.NEGATIVE.lower()}" stroke-width="{3 * points:.3g}"' in front
    cx, cy = ax.transData.transform((1, 1))
    assert (f'<circle cx="{cx:.1f}" cy="{height - cy:.1f}" r="{5 * points:.3g}" fill="#ffffff" '
            f'stroke="#000000" stroke-width="{2 * points:.3g}"/>') in front
    lines.set_alpha(0.5)  # see-through: matplotlib blends it, so it goes as pixels
    _, front, png = render.FrameRenderer(fig, [lines]).pictures(None, "x", 300, 200)
    assert png and "<path" not in front


def test_encode_png_round_trips_rgba():
    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    assert np.array_equal(decode(render.encode_png(rgba)), rgba)


# --- showing: a sharp picture with alt text ---------------------------------------------------
def test_show_emits_an_img_with_alt_text_at_twice_the_shown_pixels(seed, monkeypatch):
    import base64
    import html
    import re

    from backproplib.plots import style

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
    assert not plt.get_fignums()  # outside pyplot: the inline backend never shows it twice


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
        "activations": lambda: (plots.activation_pairs(["relu", "tanh", "linear"]),
                                ["ReLU'(z)", "tanh'(z), which runs from",
                                 "linear'(z), which is 1 at every z"]),
    }[make]()
    alt = fig.bp_plot.alt_text()
    for part in expected:
        assert part in alt, (part, alt)


# --- nothing clipped, nothing overlapping, nothing small ---------------------------------------
def drawn_texts(fig):
    """(text, window extent, font size) of every text the renderer drew, after a draw at the
    resolution a notebook shows: Text artists (titles, labels, legends, contour labels, the
    tick labels inside the view) and the NumberText numbers."""
    from matplotlib.text import Text

    with style.context():
        fig.set_dpi(style.RENDER_DPI)
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    found = []
    ticks = set()
    for ax in fig.axes:
        if ax.name == "3d":
            continue
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            scale = np.log10 if axis.get_scale() == "log" else float  # ticks by their place
            low, high = scale(min(low, high)), scale(max(low, high))
            span = high - low
            for loc, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels()):
                place = scale(loc) if loc > 0 or scale is float else -np.inf
                if low - 1e-9 * span <= place <= high + 1e-9 * span and axis.get_visible() \
                        and ax.axison:
                    found.append(label)
                ticks.add(id(label))
            ticks.update(id(t) for t in axis.get_minorticklabels())
    hidden_3d = {id(t) for ax in fig.axes if ax.name == "3d" for t in ax.findobj(Text)
                 if t not in (ax.xaxis.label, ax.yaxis.label, ax.zaxis.label)}
    for artist in fig.findobj(lambda a: isinstance(a, (Text, plots.NumberText))):
        if id(artist) in ticks or artist in found:
            continue
        if id(artist) in hidden_3d:
            continue  # Axes3D places and hides its own tick labels
        found.append(artist)
    boxes = []
    for artist in found:
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        if isinstance(artist, Text) and artist.axes is not None and artist.axes.name == "3d":
            boxes.append((artist.get_text(), artist.get_window_extent(renderer),
                          artist.get_fontsize(), "3d"))
            continue
        size = artist.size if isinstance(artist, plots.NumberText) else artist.get_fontsize()
        boxes.append((artist.get_text(), artist.get_window_extent(renderer), size, ""))
    return boxes


def assert_readable(fig, overlaps=True):
    boxes = drawn_texts(fig)
    frame = fig.bbox
    assert boxes
    for text, box, size, _ in boxes:
        assert size >= style.MIN_FONT, (text, size)
        assert (box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1
                and box.y1 <= frame.y1 + 1), f"{text!r} is clipped: {box} outside {frame}"
    if not overlaps:
        return
    flat = [(t, b) for t, b, _, kind in boxes if kind != "3d"]
    for i, (text, box) in enumerate(flat):
        for other, other_box in flat[i + 1:]:
            inner = box.padded(-1.5)
            assert not inner.overlaps(other_box.padded(-1.5)), (
                f"{text!r} overlaps {other!r}: {box} and {other_box}")
    plot = getattr(fig, "bp_plot", None)
    if isinstance(plot, plots.NetworkDiagram):  # labels clear of the nodes (names inside)
        renderer = fig.canvas.get_renderer()
        names = {t.get_text() for column in plot.node_labels for t in column}
        for column in plot.nodes:
            for node in column:
                node_box = node.get_window_extent(renderer).padded(-2)
                for text, box in flat:
                    if text not in names:
                        assert not node_box.overlaps(box), f"{text!r} runs into a node"


WIDE = bp.Network([[[-1234.5678], [0.2], [-0.3], [4e-7]],
                   [[0.3, -0.4, 1, 2], [0.5, 0.6, -7, 8], [1, 1, 1, 1], [-2, 3, -4, 5]],
                   [[0.7, 0.8, -123456.789, 1e-9]]],
                  [[0, 0, -5, 1], [1, 1, 0, -3], [0]])
LONG = bp.Network.chain([-123456.789, 0.000123456789, -98765.4321], [-1.5e-7, 33333.333, -2],
                        activation="linear")


@pytest.mark.parametrize("case", ["seed", "dead", "long numbers", "wide", "tanh"])
def test_network_diagram_is_readable(seed, case):
    net, x, y = seed
    made = {
        "seed": lambda: plots.network_diagram(net, x, y),
        "dead": lambda: plots.network_diagram(net.with_params({"w_H1": -0.7}), x, y),
        "long numbers": lambda: plots.network_diagram(LONG, -0.123456789, 1e8),
        "wide": lambda: plots.network_diagram(WIDE, -2.5, -1e6),
        "tanh": lambda: plots.network_diagram(
            bp.Network.chain([0.1, -1, 1], [30, 0, -0.5], activation="tanh"), 0.5, 0),
    }[case]
    assert_readable(made())


@pytest.mark.parametrize("case", ["seed", "long numbers", "huge", "negative"])
def test_cost_vs_param_is_readable(seed, case):
    net, x, y = seed
    made = {
        "seed": lambda: plots.cost_vs_param(net, x, y, "w_Out"),
        "long numbers": lambda: plots.cost_vs_param(LONG, -0.123456789, 1e8, "w_H1"),
        "huge": lambda: plots.cost_vs_param(bp.Network.chain([2.15e51] * 3, [0, 0, 0]), 1, 0,
                                            "w_H0"),
        "negative": lambda: plots.cost_vs_param(net, -3, -7, "b_H0",
                                                values=np.linspace(-9, -1, 50)),
    }[case]
    assert_readable(made())


@pytest.mark.parametrize("case", ["seed", "flat", "huge", "negative"])
def test_cost_contour_is_readable(seed, case):
    net, x, y = seed
    grid = {"w_H1": np.linspace(-1, 1, 41), "w_Out": np.linspace(-1.5, 2.5, 41)}
    made = {
        "seed": lambda: plots.cost_contour(bp.cost_surface(net, x, y, grid),
                                           point=(0.01, 0.5), gradient=(7.19, 7.16)),
        "flat": lambda: plots.cost_contour(bp.cost_surface(net, 0.5, 1e20, {
            "w_H1": [0, 1], "w_Out": [0, 1]})),
        "huge": lambda: plots.cost_contour(bp.cost_surface(net, 0.5, 1e8, grid),
                                           point=(0.3, -1.2), gradient=(-3e8, 1e9)),
        "negative": lambda: plots.cost_contour(bp.cost_surface(
            bp.Network.chain([-3, 2, -1], [-100, -100, -100]), -1e3, -2e3,
            {"b_H0": np.linspace(-3e5, 3e5, 31), "w_Out": np.linspace(-1e3, 1e3, 31)})),
    }[case]
    assert_readable(made())


def test_activations_and_surface_3d_are_readable(seed):
    net, x, y = seed
    assert_readable(plots.activation_pairs())
    assert_readable(plots.cost_surface_3d(surface(net, x, y, 21)), overlaps=False)


# --- one visual language, colour-blind safe ----------------------------------------------------
# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", severity 1.0 matrices, applied to linear RGB.
MACHADO = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}


def linear_rgb(colour):
    c = np.asarray(matplotlib.colors.to_rgb(colour), float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear):
    """CIELAB (D65) of a linear sRGB colour."""
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = m @ np.clip(rgb_linear, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a, b):
    return float(np.linalg.norm(lab(a) - lab(b)))  # CIE76


def test_lab_and_the_simulation_are_right():
    assert lab(linear_rgb("white")) == pytest.approx([100, 0, 0], abs=0.01)
    assert lab(linear_rgb("#ff0000")) == pytest.approx([53.24, 80.09, 67.20], abs=0.05)
    # red and green, told apart by most, are close to each other for a deuteranope
    red, green = linear_rgb("#d62728"), linear_rgb("#2ca02c")
    assert delta_e(red, green) > 60
    assert delta_e(MACHADO["deuteranopia"] @ red, MACHADO["deuteranopia"] @ green) < 25


@pytest.mark.parametrize("vision", [None, "deuteranopia", "protanopia"])
def test_key_colours_stay_apart_for_colour_blind_eyes(vision):
    names = list(style.KEY_COLOURS)
    colours = {n: linear_rgb(c) for n, c in style.KEY_COLOURS.items()}
    if vision:
        colours = {n: MACHADO[vision] @ c for n, c in colours.items()}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert delta_e(colours[a], colours[b]) >= 20, (vision, a, b)


def test_text_colours_reach_wcag_aa_contrast_on_white():
    for name, colour in style.TEXT_COLOURS.items():
        luminance = float(np.array([0.2126, 0.7152, 0.0722]) @ linear_rgb(colour))
        assert (1.05) / (luminance + 0.05) >= 4.5, name


def test_every_figure_draws_with_the_style_module():
    # no colour literal in the figure and panel code: they all come from style
    import re
    from pathlib import Path

    root = Path(plots.__file__).parent.parent
    for path in [*(root / "plots").glob("*.py"), *(root / "widgets").glob("*.py")]:
        if path.name == "style.py":
            continue
        source, module = path.read_text(), path.name
        assert not re.findall(r"['\"]#[0-9a-fA-F]{6}['\"]", source), module


def test_only_the_activation_figure_evaluates_slopes():
    # blocked neurons and slopes come from Gradients (g.blocked, g.da_dz): no sigma' here
    import ast
    from pathlib import Path

    root = Path(plots.__file__).parent.parent
    allowed = {"activation_pairs"}

    def visit(node, inside):
        named = isinstance(node, (ast.FunctionDef, ast.ClassDef))
        inside = inside or (named and node.name in allowed)
        if isinstance(node, ast.Attribute) and node.attr == "derivative":
            assert inside, f"sigma.derivative called at line {node.lineno}"
        if isinstance(node, ast.Compare):  # no "z <= 0" or "slope == 0" tests
            text = ast.unparse(node)
            assert "slope ==" not in text and "z <=" not in text, text
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    for path in [*(root / "plots").glob("*.py"), *(root / "widgets").glob("*.py")]:
        visit(ast.parse(path.read_text()), False)


def test_the_static_html_export_keeps_the_alt_text(seed):
    # what GitHub and nbviewer show: nbconvert's HTML of a saved notebook, no kernel
    import html

    import nbformat
    from nbconvert import HTMLExporter

    net, x, y = seed
    bundle = plots.figure_bundle(plots.network_diagram(net, x, y))
    cell = nbformat.v4.new_code_cell("plots.show(plots.network_diagram(net, x, y))", outputs=[
        nbformat.v4.new_output("display_data", data=bundle)])
    page, _ = HTMLExporter().from_notebook_node(nbformat.v4.new_notebook(cells=[cell]))
    alt = bundle["text/plain"]
    assert f'alt="{html.escape(alt, quote=True)}"' in page or f'alt="{alt}"' in page
    assert "dC0/dw_H0 = 0.01755125" in alt


@pytest.mark.parametrize("values, message", [
    (np.linspace(1e15, 1e15 + 1, 50), "increasing order"),
    ([1], "at least 2 numbers, got the one number 1"),
    ([0, float("nan")], r"values \[1\]: expected a finite number, got nan"),
    (["a", "b"], r"values \[0\]: expected a number such as 0.1, -2 or 1/3, got the text 'a'"),
    ([[0, 1], [2, 3]], r"expected a list of numbers, got an array of shape \(2, 2\)"),
])
def test_cost_vs_param_values_slips_are_explained(seed, values, message):
    net, x, y = seed
    with pytest.raises((ValueError, TypeError), match=message):
        plots.cost_vs_param(net, x, y, "w_Out", values=values)


# --- notebook 08's sweep of h, 06's cost per step, 01's marks per layer -----------------------
def test_difference_errors_draw_the_sweep_and_say_where_each_error_is_lowest():
    from backproplib.chainrule.gradcheck import step_errors

    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, 3], activation="sigmoid", exact=False)
    steps = np.logspace(-12, -1, 23)
    fig = plots.difference_errors(net, 0.5, 0, "w_H0", steps, mark=1e-5)
    errors = step_errors(net, 0.5, 0, "w_H0", steps)
    plot = fig.bp_plot
    for line, (kind, values) in zip(plot.lines, errors.items()):
        assert line.get_label() == f"{kind} difference"
        assert np.array_equal(line.get_xdata(), steps)
        assert np.allclose(line.get_ydata(), np.where(values > 0, values, np.nan),
                           equal_nan=True)
        lowest = int(np.nanargmin(values[::-1]))  # read from the largest step, as the text
        h, e = steps[::-1][lowest], values[::-1][lowest]
        assert f"its lowest, {e:.2g} at h = {h:.2g}" in plot.alt_text()
    assert "then climbs" in plot.alt_text()
    assert "A dotted line marks h = 1e-05." in plot.alt_text()
    assert_readable(fig)
    # on large steps alone only truncation shows: the error falls all the way, and says so
    large = plots.difference_errors(net, 0.5, 0, "w_Out", np.logspace(-4, -1, 7), mark=0.5)
    alt = large.bp_plot.alt_text()
    assert alt.count("falls steadily to its lowest") == 2 and "climbs" not in alt
    assert "dC0/dw_Out" in alt and "A dotted line marks h = 0.5." in alt
    assert large.axes[0].get_xlim()[1] > 0.5  # the axis reaches the mark


def test_forward_differences_are_off_by_about_h_over_2_times_c0_second_derivative():
    from backproplib.chainrule.gradcheck import numerical_gradients

    net, x, y = bp.worked_example()  # C0 = (w_Out a_H1 + b_Out)^2: C0'' = 2 a_H1^2 in w_Out
    h = 1e-3
    a_H1 = float(net.forward(x).a["H1"][0])
    forward = numerical_gradients(net, x, y, h, kind="forward")["w_Out"]
    central = numerical_gradients(net, x, y, h)["w_Out"]
    exact = float(net.backward(x, y)["w_Out"])
    assert forward - exact == pytest.approx(h / 2 * 2 * a_H1**2, rel=1e-6)
    assert central == pytest.approx(exact, rel=1e-9)
    with pytest.raises(ValueError, match="kind: expected one of central, forward"):
        numerical_gradients(net, x, y, h, kind="backward")


def test_cost_history_of_a_descent_path_draws_its_costs_and_says_where_the_lowest_is(seed):
    net, x, y = seed
    for rate in (0.01, 0.05):
        path = gradient_descent(net, x, y, rate, 12)
        fig = plots.cost_history(path)
        history = fig.bp_plot
        costs = np.asarray(path.costs, float)
        assert np.array_equal(history.line.get_xdata(), np.arange(len(costs)))
        assert np.array_equal(history.line.get_ydata(), costs)
        assert history.ax.get_ylabel() == "$C_0$"
        assert history.ax.get_title() == f"gradient descent, $\\eta$ = {plots.short(rate)}"
        lowest = int(np.argmin(costs))
        assert (f"C0 of gradient descent with learning rate {bp.fmt(rate)} against the step"
                in history.alt_text())
        assert f"lowest {bp.fmt(costs[lowest])} at step {lowest};" in history.alt_text()
        assert_readable(fig)
    # a cost of exactly 0 cannot sit on the log scale: a hollow dot on the bottom edge says so
    path = gradient_descent(net, x, y, 1.5, 5)
    assert path.costs[-1] == 0
    history = plots.cost_history(path).bp_plot
    assert history.end.get_ydata()[0] == history.ax.get_ylim()[0]
    assert history.end.get_markerfacecolor() == style.PAPER
    assert "drops off the bottom edge" in history.alt_text()


def test_cost_history_of_one_step_says_1_step_not_1_steps(seed):
    net, x, y = seed
    for steps in (1, 2):
        text = plots.cost_history(gradient_descent(net, x, y, 0.01, steps)).bp_plot.alt_text()
        assert f" after {steps} step{'s' if steps > 1 else ''}, lowest " in text, text


def test_activation_pairs_mark_each_layer_of_a_forward_pass(seed):
    net, x, _ = seed
    for chain in (net, net.with_params({"w_H1": -0.7})):
        fwd = chain.forward(x)
        fig = plots.activation_pairs(forward=fwd)
        left, right = fig.axes
        marks = [line for line in left.lines if line.get_label() in chain.layer_names]
        slopes = [line for line in right.lines if line.get_label() in chain.layer_names]
        assert [m.get_label() for m in marks] == list(chain.layer_names)
        for name, mark, slope in zip(chain.layer_names, marks, slopes):
            assert mark.get_xydata().tolist() == [[float(fwd.z[name][0]), float(fwd.a[name][0])]]
            assert slope.get_ydata()[0] == float(fwd.da_dz[name][0])
        alt = fig.bp_plot.alt_text()
        for name in chain.layer_names:
            assert f"{name} at z_{name} = {bp.fmt(fwd.z[name][0])}" in alt
        assert all(bp.explain_blocked(b) in alt for b in fwd.blocked)
        assert_readable(fig)
    assert "H1 is dead" in alt  # the second chain's
    with pytest.raises(ValueError, match="uses relu, which has no row"):
        plots.activation_pairs(["tanh"], forward=fwd)


def test_show_adds_a_note_after_the_figure_s_own_alt_text(seed):
    net, x, y = seed
    fig = plots.network_diagram(net, x, y)
    bundle = plots.figure_bundle(fig, note="This is the worked example.")
    assert bundle["text/plain"] == fig.bp_plot.alt_text() + " This is the worked example."


@pytest.mark.parametrize("va", ["top", "center", "bottom", "baseline"])
def test_numbers_sent_as_svg_sit_where_number_text_draws_them(va):
    # the browser's SVG text must stand on the baselines NumberText's own outlines use
    import re

    fig = plots.new_figure((3, 2))
    ax = fig.add_subplot()
    number = plots.NumberText(ax, 0.5, 0.5, "00\n00", va=va, transform=ax.transAxes)
    _, front, _ = render.FrameRenderer(fig, [number]).pictures(None, "numbers", 288, 192)
    ys = [float(y) for y in re.findall(r'<tspan x="[^"]+" y="([^"]+)"', front)]
    number.draw(fig.canvas.get_renderer())  # places the outlines
    outline = number.get_path().transformed(number.get_transform()).vertices[:, 1]
    lowest = fig.bbox.height - outline.min()  # y down, as in the SVG: the last line's "0"
    assert len(ys) == 2 and abs(ys[1] - lowest) < 0.05 * number.size * fig.dpi / 72



def test_no_map_legend_covers_a_path_or_its_start_nor_is_cut_off():
    """Notebooks 06 and 09 and their panels: the key or the paths' legend on the map hid the
    start (09 with learning_rate = 2 runs both paths to the lower left, and the map keeps the
    start near its upper right corner, where the legend was)."""
    from backproplib import widgets
    from backproplib.learning import training
    from backproplib.plots import training as training_plots
    from backproplib.widgets import training as training_widgets

    pair = ("w_H1", "w_Out")
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], exact=False)
    contours = [widgets.descent_view(net, 0.5, 0).contour]  # 06, its panel and figure
    path = gradient_descent(net, 0.5, 0, 0.01, 20, params=pair)
    surface = bp.cost_surface(net, 0.5, 0, {n: plots.centred_values(net.param(n), 121)
                                            for n in pair})
    contours.append(plots.cost_contour(surface, (0.01, 0.5), (1, 1), path).bp_plot)
    X, Y = net.batch([0.5, -4, 2, 8, -6, 1, 5, -3], [0, 4, 1, 5, 0, 3, 1, 4])
    for learning_rate in (0.05, 2):  # 09's, and one that hid both starts
        view = training_widgets.sgd_view(net, X, Y, pair, learning_rate, 2, 20, 0)
        paths = {}
        for label, size in (("full batch", 8), ("SGD", 2)):
            run = training.Trainer(net, X, Y, learning_rate, size, 0, params=pair)
            run.train(20)
            paths[label] = np.array([[p[n] for n in pair] for p in run.path])
        contours += [view.contour, training_plots.paths_contour(view.surface, paths).bp_plot]
    for contour in contours:
        renderer = contour.fig.canvas.get_renderer()
        legend = contour.ax.get_legend().get_window_extent(renderer)
        page = contour.fig.bbox
        assert page.x0 <= legend.x0 and legend.x1 <= page.x1 and page.y0 <= legend.y0, legend
        lines = [line for line in (contour.path, *contour.paths.values()) if len(line.get_xdata())]
        assert lines
        for line in lines:
            steps = np.column_stack(line.get_data())
            points = contour.ax.transData.transform(steps)  # and 10 along each step
            between = np.linspace(points[:-1], points[1:], 10).reshape(-1, 2)
            assert contour.ax.bbox.contains(*points[0])  # the start is on the map
            assert not legend.contains(*points[0]), (line.get_label(), legend)
            assert not any(legend.contains(*p) for p in between if contour.ax.bbox.contains(*p))


def test_tick_labels_and_the_flat_note_keep_their_digits():
    """Ticks read to the decimals that tell them apart (no trailing zeros, a true minus); the
    flat note gives the change to 3 significant digits and its ends to the first decimal where
    they differ, 4 significant digits at least. Worked out here with format specs, not fmt."""
    from backproplib.plots.scales import compact_ticks, flat_note

    for limits in (((1000.2, 1001.8), (2.00121, 2.00189)), ((-3.3, -1.4), (-0.00123, 0.00191))):
        ax = plots.new_figure((4, 3)).add_subplot(xlim=limits[0], ylim=limits[1])
        compact_ticks(ax)
        ax.figure.canvas.draw()
        for axis in (ax.xaxis, ax.yaxis):
            ticks = axis.get_majorticklocs()
            d = next(d for d in range(13) if np.allclose(ticks, ticks.round(d), rtol=0, atol=1e-9))
            texts = [f"{t:.{d}f}" for t in ticks]
            expected = [(t.rstrip("0").rstrip(".") if d else t).replace("-", "\u2212") for t in texts]
            assert [label.get_text() for label in axis.get_majorticklabels()] == expected
    for low, high in ((1.23401, 1.23489), (5.00213, 5.01247)):  # one digit before the point
        apart = next(i for i, (a, b) in enumerate(zip(f"{low:.9f}", f"{high:.9f}")) if a != b) - 1
        d = max(apart, 3)
        assert flat_note(np.linspace(low, high, 12), "C", "over this map") == (
            f"C changes by only {high - low:.3g} over this map (from {round(low, d)} to "
            f"{round(high, d)}), too little to see at this scale")


def test_a_diagram_without_numbers_names_its_network_with_the_right_article():
    # huge weights overflow the backward pass: the diagram leaves its numbers out and says so
    for n_x, article in ((8, "an"), (2, "a"), (11, "an")):
        net = bp.Network([np.full((2, n_x), 1e200), np.full((1, 2), 1e200)], [[0, 0], [0]])
        text = plots.NetworkDiagram(net, [1.0] * n_x, 0).alt_text()
        assert text.startswith(f"Network diagram of {article} {n_x}-2-1 network, "), text


def test_a_contour_map_without_lines_says_whether_the_cost_is_flat_or_only_finer_than_floats():
    from backproplib.plots.scales import contour_levels
    with pytest.raises(ValueError, match="C0 is 4 at every point of this grid.*choose parameters"):
        contour_levels(np.full((3, 3), 4.0))
    # C0 does depend on the parameters here, by less than ten digits can show
    finer = 1 - np.linspace(0, 1e-12, 9).reshape(3, 3)
    with pytest.raises(ValueError, match=r"C0 changes by only 1e-12 over this grid \(it is 1 "
                                         r"everywhere to ten digits\): less than a billionth"):
        contour_levels(finer)


def test_a_map_too_flat_for_contours_says_so_once_with_ends_that_hold_the_point_s_cost():
    from backproplib import widgets
    net = bp.Network.chain([0.5, 0.5, 0.5], [0, 0, -25], activation="sigmoid")  # Out saturated
    view = widgets.surface_view(net, 1.0, 1.0)  # C0 from 0.9999999998 to 1 (at the point: 1)
    low, high = re.search(r"no contours: C0 changes by only \S+ over this grid \(from (\S+) to "
                          r"(\S+)\)", view.contour.alt_text()).groups()
    point = re.search(r"(?<![\w/])C0 = ([^,\s]+)", view.summary())[1]
    assert low != high and float(low) <= float(point) <= float(high), (low, point, high)
    assert view.contour.flat == "" and view.contour.flat_label is None  # not said twice


def test_a_map_with_a_descent_path_calls_its_point_the_start(seed):
    # 06's key said "current point" for the path's start (the square is where it ended)
    net, x, y = seed
    surface = bp.cost_surface(net, x, y, {"w_H1": np.linspace(-1, 1, 5),
                                          "w_Out": np.linspace(-1, 1, 5)})
    path = [[0.01, 0.5], [-0.1, 0.3]]
    for drawn, words in ((plots.cost_contour(surface, path[0], (7.2, 7.2), path), "start"),
                         (plots.cost_contour(surface, path[0], (7.2, 7.2)), "current point")):
        key = [t.get_text() for t in drawn.bp_plot.ax.get_legend().get_texts()]
        assert key[0] == words, key


def test_a_flat_point_says_no_arrow_once():
    net = bp.Network.chain([0.1, 0.01, 0.5], [2, 1, -30])  # Out dead: every gradient here is 0
    surface = bp.cost_surface(net, 0.5, 0, {"w_H1": np.linspace(-1, 1, 5),
                                            "w_Out": np.linspace(-1, 1, 5)})
    text = plots.cost_contour(surface, (0.01, 0.5), (0.0, 0.0)).bp_plot.alt_text()
    assert "No arrow: the gradient is 0 here, so descent would not move." in text, text
    assert text.lower().count("no arrow") == 1, text


def test_covering_ranges_cover_each_path_up_to_where_it_runs_off():
    # a learning rate that is too large: the second step lands near -1e300, where a grid's
    # cost overflows; the map covers the steps before it
    path = [[0.0, 0.5], [-1.0, -2.0], [-2.4e300, 3.0], [-2.4e300, 2.0]]
    ranges = plots.covering_ranges([path, path[:2]], ("w_H1", "w_Out"))
    (low1, high1), (low2, high2) = ranges["w_H1"], ranges["w_Out"]
    assert -2 < low1 < -1 and 0 < high1 < 1 and -3 < low2 < -2 and 0.5 < high2 < 1.5


def test_a_flat_curve_that_becomes_too_large_to_draw_drops_its_flat_note(seed):
    # 04's panel: C0 against w_H0 is flat at the start (the note says so); a slider that makes
    # C0 overflow everywhere shows the problem instead, and the old flat note must go with it
    net, x, y = seed
    fig = plots.new_figure((6, 4), dpi=40)
    curve = plots.CostCurve(net, x, y, "w_H0", ax=fig.add_subplot())
    assert curve.flat and curve.flat_text.get_text()
    huge = net.with_params({"b_Out": 1e200})  # a_Out = 1e200 for every w_H0: C0 beyond 1e300
    curve.update(huge, None, x, y)
    assert curve.problem and curve.flat == "" and curve.flat_text.get_text() == ""
    assert "flat" not in curve.alt_text()
