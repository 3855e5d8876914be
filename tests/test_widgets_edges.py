"""Panels at their edges: slider ranges are the plotted ranges, steps cross a visible part of a
range in about 10 presses, the readout says nothing the picture does not show, and numbers are
short with every digit folded away."""

import base64
import re
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib import widgets  # noqa: E402
from backproplib.widgets.panel import brief, briefly  # noqa: E402


@pytest.fixture
def seed():
    return bp.worked_example()


@pytest.mark.parametrize("make", [widgets.surface_view, widgets.descent_view])
def test_contour_sliders_end_where_the_map_ends(seed, make):
    view = make(*seed)
    x0, x1, y0, y1 = view.contour.extent
    if make is widgets.surface_view:
        first, second = (view.sliders[n] for n in view.params)
        assert (first.min, first.max) == pytest.approx((x0, x1), abs=1e-12)
        assert (second.min, second.max) == pytest.approx((y0, y1), abs=1e-12)
    for name in view.params:  # the range given by the map's bounds, exactly
        low, high, step = view.bounds[name]
        stops = (high - low) / step
        assert stops == pytest.approx(round(stops), abs=1e-9)


def test_a_given_range_is_kept_when_the_start_fits_a_round_step(seed):
    net, x, y = seed
    view = widgets.surface_view(net, x, y, ranges={"w_H1": (-2, 2), "w_Out": (-2, 2)})
    for name in ("w_H1", "w_Out"):
        slider = view.sliders[name]
        assert (slider.min, slider.max) == pytest.approx((-2, 2), abs=1e-12), name
    assert view.contour.extent == pytest.approx((-2, 2, -2, 2), abs=1e-12)


@pytest.mark.parametrize("make", [
    lambda net, x, y: widgets.forward_view(net, x, y),
    lambda net, x, y: widgets.gradient_view(net, x, y, "w_H1"),
    widgets.surface_view,
])
def test_ten_presses_cross_a_visible_part_of_the_range(seed, make):
    view = make(*seed)
    for name, slider in view.sliders.items():
        stops = (slider.max - slider.min) / slider.step
        assert 40 <= stops <= 250, f"{name}: {stops:.0f} stops from {slider.min} to {slider.max}"


def test_the_readout_says_when_the_arrow_runs_off_the_map(seed):
    view = widgets.surface_view(*seed)
    assert "the arrow points uphill; a descent step" in view.readout.value
    for name in view.params:  # both sliders at their top ends: the corner of the map
        view.sliders[name].value = view.sliders[name].max
    assert view.error is None
    gradient = (float(view.g[n]) for n in view.params)
    if all(g > 0 for g in gradient):  # uphill points further out of the corner
        assert "off the map" in view.readout.value
    else:
        assert "off the map" not in view.readout.value
    for name, slider in view.sliders.items():  # 05 at w_H1 = 2.01: the alt did not say so
        for value in (slider.min, slider.max):
            others = [other.value for other in view.sliders.values()]
            slider.value = value
            alt = re.search(r'alt="([^"]*)"', view.frame.value)[1]
            said = "off the map" in view.readout.value
            assert said == ("off the map" in alt), (name, value, others, alt)


def test_brief_numbers():
    assert brief(12.32185506) == "12.32"
    assert brief(0.004363127703) == "0.004363"
    assert brief(-0.5) == "-0.5"
    assert brief(8.98e-08) == "8.98e-08" and brief(5.389319802e-07) == "5.389e-07"
    assert brief(0) == "0"
    assert brief(123456.7) == "1.235e+05" and brief(1234.567) == "1235"
    assert briefly("from 0.004363127703 (0.0484%) to 6.593774454e-10, w = 0.5") == (
        "from 0.004363 (0.0484%) to 6.594e-10, w = 0.5")


def test_readouts_are_short_and_every_digit_is_folded_away(seed):
    net, x, y = seed
    view = widgets.descent_view(net, x, y)
    start = bp.fmt(net.backward(x, y).cost)  # 12.32185506, in the message "fell from ..."
    assert start not in view.readout.value and brief(float(start)) in view.readout.value
    assert start in view.all_gradients.value


def test_a_frame_of_numbers_only_keeps_its_alt_text_on_a_transparent_pixel():
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    from backproplib import plots
    from backproplib.plots import render, style

    fig = Figure(figsize=(3, 2), dpi=style.RENDER_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    number = plots.NumberText(ax, 0.5, 0.5, "C0 = 1.5", ha="center", transform=ax.transAxes)
    frames = render.FrameRenderer(fig, [number])
    back, front, png = frames.pictures(None, "one number", 288, 192)
    assert png == b"" and back is not None
    assert 'alt="one number" width="1" height="1"' in front
    assert f"base64,{base64.b64encode(render.BLANK).decode()}" in front  # the pixel carries it
    assert ">C0 = 1.5</tspan>" in front and 'text-anchor="middle"' in front
    pixel = Image.open(io.BytesIO(render.BLANK))
    assert pixel.size == (1, 1) and pixel.convert("RGBA").getpixel((0, 0))[3] == 0


@pytest.mark.parametrize("activation", list(bp.ACTIVATIONS))
@pytest.mark.parametrize("start", [0.01, 6.0, -3.0])
def test_a_weight_slider_reaches_where_the_z_it_feeds_crosses_zero(activation, start):
    # 03 asks: push w_H1 down until z_H1 < 0; under any activation and starting weight
    net = bp.Network.chain(weights=[0.1, start, 0.5], biases=[2, 4.1, 3], activation=activation)
    x, y = 0.5, 0
    view = widgets.gradient_view(net, x, y, "w_H1")
    slider = view.sliders["w_H1"]
    a_h0 = float(net.backward(x, y).forward.a[0][0])
    crossing = -4.1 / a_h0  # z_H1 = w_H1 * a_H0 + b_H1 = 0
    assert slider.min < crossing < slider.max, (slider.min, crossing, slider.max)
    values = view.curve.line.get_xdata() if hasattr(view.curve, "line") else None
    if values is not None:  # the curve is drawn over the slider's range
        assert (min(values), max(values)) == pytest.approx((slider.min, slider.max))


def test_a_vector_input_given_as_text_follows_its_slider():
    """x = [0.5, "1/3"]: the x slider moves the first number; the text stays a number."""
    net = bp.Network([[[0.1, 0.2]], [[0.5]]], [[2], [3]], activations="relu")
    view = widgets.forward_view(net, [0.5, "1/3"], 0)
    view.sliders["x"].value = 0.7
    assert view.warnings == []
    expected = net.backward([0.7, "1/3"], 0)
    assert view.g.cost == pytest.approx(expected.cost)
    assert view.g["w_H0[0,1]"] == pytest.approx(expected["w_H0[0,1]"])


def test_an_exact_network_computes_with_the_slider_as_its_readout_shows_it():
    # numbers as text make the network exact; a browser may send -1.5 + 3 * 0.2 as the float
    # -0.8999999999999999, which the panel read as that decimal: C0 with 45 digits of noise
    net = bp.Network.chain(["1/3", "3/2", "1/2"], ["-2", "1/4", "-3"], "leaky_relu")
    view = widgets.forward_view(net, "1/2", "1/2", params=["w_H0", "w_Out"])
    assert f"C0 = {bp.fmt(net.cost('1/2', '1/2'))}\n" in view.summary()  # w_H0 = 1/3 exactly
    view.sliders["w_Out"].value = -1.5 + 3 * 0.2
    moved = net.with_params({"w_Out": "-0.9"})
    assert f"C0 = {bp.fmt(moved.cost('1/2', '1/2'))}\n" in view.summary(), view.summary()
    # x = 2/3 exactly at the start, not its readout's 0.666667 (dC0/dw_H0 was off in the 7th digit)
    third = bp.Network.chain(["1/3", "-2/7", "5/6"], ["-1/3", "1/9", "2/3"], "leaky_relu")
    thirds = widgets.forward_view(third, "2/3", "-1/7", params=["w_H0"])
    thirds.sliders["w_H0"].value = 1.0  # and back: the panel reads every slider again
    thirds.sliders["w_H0"].value = float(Fraction(1, 3))
    assert third.backward("2/3", "-1/7").report() in thirds.summary(), thirds.summary()
    view.sliders["x"].value = 0.1 + 0.2  # 0.30000000000000004
    assert f"C0 = {bp.fmt(moved.cost('0.3', '1/2'))}\n" in view.summary(), view.summary()
