"""The slider panels without a kernel: setting ``slider.value`` runs the callback at once, so each
test moves a slider and checks the readout against ``backward``, the image and the plotted data."""

import html
import io
import re

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib import widgets
from backproplib.learning.descent import gradient_descent  # noqa: E402
from backproplib.numbers import fmt  # noqa: E402
from backproplib.plots import style  # noqa: E402
from backproplib.widgets.panel import brief, briefly  # noqa: E402


@pytest.fixture
def seed():
    return bp.worked_example()


def gradient_lines(net, x, y, where=""):
    g = net.backward(x, y)
    return [f"C0{where} = {fmt(g.cost)}"] + [f"dC0/d{n}{where} = {fmt(g[n])}"
                                             for n in net.parameter_names]


def assert_readout_matches(view, net, x, y, where=""):
    summary = view.summary().split("\n\n")[0].partition("\n")[2]  # no title, no ledger
    for line in gradient_lines(net, x, y, where):
        assert line in view.all_gradients.value, line
        # in the summary once, with every digit: on its own line, in a readout line ("w_Out =
        # 0.5, C0 = 12.32185506") or in the gradient vector ("(dC0/dw_H1, dC0/dw_Out) = ...")
        said, _, value = line.partition(" = ")
        assert len(re.findall(rf"(?<![\w/]){re.escape(said)}(?![\w\[])", summary)) == 1, (
            line, summary)
        assert line in summary or re.search(rf"[ (]{re.escape(value)}[,)]", summary), (
            line, summary)
    g = net.backward(x, y)
    # the compact readout has C0 to about 4 digits; every digit folds away below it
    assert f"C0{where} = {brief(g.cost)}" in view.readout.value


def alt(view):
    """The alt text of the panel's picture (on the frame layer, which follows the sliders)."""
    import re

    return html.unescape(re.search(r'alt="([^"]*)"', view.frame.value).group(1))


def test_forward_view_sliders_readout_and_image(seed):
    net, x, y = seed
    view = widgets.forward_view(net, x, y)
    assert list(view.sliders) == ["x", "w_H0", "b_H0", "w_H1", "b_H1", "w_Out", "b_Out"]
    assert isinstance(view.widget, W.Box) and isinstance(view.picture, W.Box)
    assert "bp-readout" in view.readout._dom_classes
    assert 'aria-live="polite"' in view.readout.value
    assert_readout_matches(view, net, x, y)
    assert "dC0/dw_H0 = 0.01755125" in view.all_gradients.value
    assert "x = 0.5, a_Out = 3.51, y = 0" in view.readout.value  # 3.51025 to 4 digits
    assert "x = 0.5, a_Out = 3.51025, y = 0" in view.summary()  # every digit
    assert "C0 = 12.32185506" in alt(view) and "dC0/dw_H0 = 0.01755125" in alt(view)
    before_png = view.png()
    before_text = view.diagram.numbers["w", 2, 0, 0].get_text()

    view.sliders["w_H1"].value = 0.3
    moved = net.with_params({"w_H1": 0.3})
    assert float(view.net.params()["w_H1"]) == 0.3
    assert_readout_matches(view, moved, x, y)
    assert "dC0/dw_H0 = 0.01755125" not in view.all_gradients.value
    assert view.png() != before_png
    assert f"dC0/dw_H0 = {fmt(moved.backward(x, y)['w_H0'])}" in alt(view)  # alt follows
    assert before_text == "w_H1 = 0.01"
    assert view.diagram.numbers["w", 2, 0, 0].get_text() == "w_H1 = 0.3"

    view.sliders["x"].value = 1.0
    assert_readout_matches(view, moved, 1.0, y)
    assert view.summary().splitlines()[1].startswith("x = 1, ")


@pytest.mark.parametrize("activation", ("relu", "leaky_relu", "sigmoid", "tanh", "linear"))
def test_the_summary_gives_each_quantity_once_with_every_digit(activation):
    """Not 'C0 = 3.764' beside 'C0 = 3.7636', nor the gradient vector (7.196, 7.164) beside
    dC0/dw_H1 = 7.1960125: each quantity once, as fmt prints it; the readout keeps it short."""
    net = bp.Network.chain(["-1/2", "2", "3/10"], ["-1", "1/2", "-2/5"], activation=activation)
    g = net.backward("3/10", "1")
    for view in (widgets.forward_view(net, "3/10", "1"), widgets.gradient_view(net, "3/10", "1"),
                 widgets.surface_view(net, "3/10", "1")):
        assert_readout_matches(view, net, "3/10", "1")
        summary = view.summary().split("\n\n")[0]
        assert f"C0 = {bp.fmt(g.cost)}" in summary and summary.count("C0 = ") == 1, summary
        for name in net.parameter_names:  # on its own line, in the slope or in the vector
            assert summary.count(f"dC0/d{name}") == 1 and bp.fmt(g[name]) in summary, summary


def test_forward_view_with_a_subset_of_parameters(seed):
    net, x, y = seed
    view = widgets.forward_view(net, x, y, params=["w_Out"])
    assert list(view.sliders) == ["x", "w_Out"]
    with pytest.raises(ValueError, match="unknown parameter"):
        widgets.forward_view(net, x, y, params=["w_Outt"])


def test_a_dead_relu_is_explained_in_the_readout(seed):
    net, x, y = seed
    view = widgets.forward_view(net, x, y)
    assert "dead" not in view.readout.value
    view.sliders["w_H1"].value = -0.7
    (blocked,) = net.with_params({"w_H1": -0.7}).backward(x, y).blocked
    # the one sentence, from Gradients.blocked, as HTML text
    assert html.escape(briefly(bp.explain_blocked(blocked)), quote=False) in view.readout.value
    assert "H1 is dead" in bp.explain_blocked(blocked)
    assert "Warning: H1 is dead" in view.summary()
    assert view.diagram.nodes[2][0].get_markerfacecolor() == style.BLOCKED_FACE
    assert "H1 is dead" in alt(view)
    view.sliders["w_H1"].value = 0.2
    assert "dead" not in view.readout.value


def test_slider_ranges_are_centred_on_the_starting_values(seed):
    net, x, y = seed
    view = widgets.forward_view(net, x, y)
    for name, start in [("x", 0.5), ("w_H1", 0.01), ("w_Out", 0.5), ("b_Out", 3.0)]:
        slider = view.sliders[name]
        assert slider.value == start
        assert (slider.min + slider.max) / 2 == pytest.approx(start)
        assert slider.description == name
        assert slider.readout_format == ".2f"
    assert view.sliders["b_Out"].min == pytest.approx(0) and view.sliders["b_Out"].max == 6


def test_gradient_view_moves_point_and_tangent_and_ledger(seed):
    net, x, y = seed
    view = widgets.gradient_view(net, x, y, param="w_Out")
    assert list(view.sliders) == ["w_Out"]
    assert "dC0/dw_Out = 7.164" in view.readout.value  # 4 digits; all of them fold away
    assert "7.16442025" not in view.readout.value and "7.16442025" in view.all_gradients.value
    assert "7.16442025" in view.ledger_text
    # the ledger reads as one: titles and lines, every equation of the text form, no bullets
    shown = html.unescape(re.sub(r"<[^>]+>", "\n", view.ledger.value))
    for text_line in view.ledger_text.splitlines():
        assert text_line.removeprefix("- ").split("  (")[0] in shown, text_line
    assert "- " not in shown.replace(" - ", "")
    png = view.png()
    view.sliders["w_Out"].value = 1.2
    moved = net.with_params({"w_Out": 1.2})
    g = moved.backward(x, y)
    assert_readout_matches(view, moved, x, y)
    px, py = view.curve.point.get_data()
    assert (px[0], py[0]) == pytest.approx((1.2, float(g.cost)))
    tx, ty = view.curve.tangent.get_data()
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(float(g["w_Out"]))
    assert fmt(g["w_Out"]) in view.ledger_text and "7.16442025" not in view.ledger_text
    assert view.png() != png
    assert view.summary().endswith(view.ledger_text)
    assert f"dC0/dw_Out = {fmt(g['w_Out'])}" in alt(view)


def test_gradient_view_with_more_sliders(seed):
    net, x, y = seed
    view = widgets.gradient_view(net, x, y, param="w_H1", sliders=["x", "b_H1"])
    assert list(view.sliders) == ["w_H1", "x", "b_H1"]
    curve_before = view.curve.curve.get_ydata().copy()
    view.sliders["b_H1"].value = 0.5
    view.sliders["x"].value = 1.0
    moved = net.with_params({"b_H1": 0.5})
    assert_readout_matches(view, moved, 1.0, y)
    assert not np.allclose(curve_before, view.curve.curve.get_ydata())
    view = widgets.gradient_view(net, x, y, param="w_Out", sliders="y")
    view.sliders["y"].value = 1.0
    assert_readout_matches(view, net, x, 1.0)  # the target follows its slider
    with pytest.raises(ValueError, match="unknown"):
        widgets.gradient_view(net, x, y, param="w_Outt")


def test_surface_view_moves_point_and_arrow_on_a_kept_contour(seed):
    net, x, y = seed
    view = widgets.surface_view(net, x, y)
    assert list(view.sliders) == ["w_H1", "w_Out"]
    contour = view.contour
    filled, collections = contour.filled, list(contour.ax.collections)
    png, background = view.png(), view.background.value
    view.sliders["w_H1"].value = 0.4
    view.sliders["w_Out"].value = -0.5
    moved = net.with_params({"w_H1": 0.4, "w_Out": -0.5})
    g = moved.backward(x, y)
    assert_readout_matches(view, moved, x, y)
    assert contour.point.get_data()[0][0] == 0.4 and contour.point.get_data()[1][0] == -0.5
    (x0, y0), (x1, y1) = contour.arrow_ends
    assert (x0, y0) == (0.4, -0.5)
    gradient = np.array([float(g["w_H1"]), float(g["w_Out"])])
    direction = np.array([x1 - x0, y1 - y0])
    assert direction @ gradient > 0
    assert direction[0] * gradient[1] - direction[1] * gradient[0] == pytest.approx(0, abs=1e-9)
    assert view.contour is contour and contour.filled is filled
    assert list(contour.ax.collections) == collections  # the contour was not redrawn
    assert view.renderer.redraws == 1 and view.background.value == background
    assert view.png() != png
    assert "the arrow points uphill" in view.readout.value
    assert "w_H1 = 0.4, w_Out = -0.5" in alt(view)


def test_surface_view_ranges(seed):
    net, x, y = seed
    view = widgets.surface_view(net, x, y, params=("w_H0", "b_Out"),
                                ranges={"w_H0": (-1, 1), "b_Out": (0, 5, 0.5)})
    assert (view.sliders["w_H0"].min, view.sliders["w_H0"].max) == (-1, 1)
    assert view.sliders["b_Out"].step == 0.5
    assert view.contour.extent == (-1, 1, 0, 5)
    with pytest.raises(ValueError, match="2 different parameter names"):
        widgets.surface_view(net, x, y, params=("w_H0", "w_H0"))


def test_descent_view_draws_the_path_and_explains_divergence(seed):
    _, x, _ = seed
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="linear")
    view = widgets.descent_view(net, x, 10, learning_rate=0.01, steps=20)
    assert list(view.sliders) == ["learning_rate", "steps"]
    assert isinstance(view.sliders["steps"], W.IntSlider)
    path = gradient_descent(net, x, 10, 0.01, 20, ("w_H1", "w_Out"))
    assert html.escape(briefly(path.message), quote=False) in view.readout.value
    line_x, line_y = view.contour.path.get_data()
    assert np.allclose(np.column_stack([line_x, line_y]), path.array())
    assert_readout_matches(view, path.net, x, 10, where=" (where descent ended)")
    assert "dC0/dw_Out = " not in view.summary()  # that form is kept for the start point
    assert f"A descent path of {path.steps_taken} steps" in alt(view)
    png = view.png()

    view.sliders["learning_rate"].value = 0.2
    big = gradient_descent(net, x, 10, 0.2, 20, ("w_H1", "w_Out"))
    assert big.outcome == "diverged"
    assert html.escape(briefly(big.message), quote=False) in view.readout.value
    assert "bp-warning" in view.readout.value
    assert f"Warning: {big.message}" in view.summary()
    # said once: as the warning, not also as a line of the readout or the summary
    assert view.summary().count(big.message) == 1, view.summary()
    assert view.readout.value.count(html.escape(briefly(big.message), quote=False)) == 1
    assert np.allclose(np.column_stack(view.contour.path.get_data()), big.array())
    assert view.png() != png
    assert float(view.net.params()["w_H1"]) == pytest.approx(big.params[-1]["w_H1"])

    view.sliders["steps"].value = 3
    assert len(view.contour.path.get_data()[0]) == view.path.steps_taken + 1 <= 4


def test_a_starting_value_outside_a_given_range_widens_it(seed):
    net, x, y = seed
    view = widgets.descent_view(net, x, y, learning_rate=0.5, steps=150)
    assert view.sliders["learning_rate"].value == 0.5 and view.sliders["steps"].value == 150
    assert view.path.learning_rate == 0.5 and view.path.steps == 150
    view = widgets.forward_view(net, x, y, ranges={"w_Out": (1, 2)})
    assert view.sliders["w_Out"].value == 0.5 and view.sliders["w_Out"].min == 0.5
    assert "dC0/dw_Out = 7.16442025" in view.all_gradients.value


def test_descent_view_explains_a_dead_relu(seed):
    net, x, y = seed
    view = widgets.descent_view(net, x, y, learning_rate=0.5)
    path = gradient_descent(net, x, y, 0.5, 20, ("w_H1", "w_Out"))
    assert path.outcome == "stuck"
    assert html.escape(briefly(path.message), quote=False) in view.readout.value
    assert "H1 is dead" in view.readout.value


def test_a_callback_never_raises():
    # fine at x = 0.5 (C0 = 2.5e307), but C0 overflows floating point from x = 1.4 on
    huge = bp.Network.chain([1e77, 1e77, 1], [0, 0, 0], activation="linear")
    view = widgets.gradient_view(huge, 0.5, 0, param="b_Out", sliders=["x"])
    assert view.error is None
    png = view.png()
    view.sliders["x"].value = 2.5  # no exception escapes the callback
    assert isinstance(view.error, OverflowError)
    assert "Cannot show this setting" in view.readout.value and "overflowed" in view.readout.value
    assert "Warning: Cannot show this setting" in view.summary()
    assert "nan" not in view.readout.value
    assert "C0 = 2.5e+307" not in view.readout.value  # no stale numbers beside the message
    view.sliders["x"].value = 0.5
    assert view.error is None and "overflowed" not in view.readout.value
    assert view.png() == png
    view = widgets.forward_view(huge, 0.5, 0)
    view.sliders["x"].value = 2.5
    assert "overflowed" in view.readout.value


def test_pictures_are_sharp_and_of_a_fixed_size(seed):
    net, x, y = seed
    for view in (widgets.forward_view(net, x, y), widgets.gradient_view(net, x, y),
                 widgets.surface_view(net, x, y), widgets.descent_view(net, x, y)):
        shown = view.size
        # the figure's width at most; narrower, the stacked layers shrink together
        assert view.picture.layout.max_width == f"{shown[0]}px"
        for layer in (view.background, view.frame):
            assert layer.layout.grid_area == "picture" and layer.layout.width == "100%"
        background = view.renderer.background_png
        assert f'width="{shown[0]}" height="{shown[1]}"' in view.background.value
        assert Image.open(io.BytesIO(background)).size == (2 * shown[0], 2 * shown[1])
        # the frame: its moving pixels, cropped, still two image pixels per CSS pixel
        assert f"max-width:{shown[0]}px;aspect-ratio:{shown[0]}/{shown[1]}" in view.frame.value
        width, height = (float(v) for v in re.search(
            r'bp-frame-image" alt="[^"]*" width="([\d.]+)" height="([\d.]+)"',
            view.frame.value).groups())
        assert Image.open(io.BytesIO(view.frame_bytes)).size == (2 * width, 2 * height)
        assert 'alt=""' in view.background.value and 'alt=""' not in view.frame.value
        # fixed: the panel does not jump; it scrolls, and says so, when it holds more
        assert f'bp-fixed" style="height:{view.readout_height}' in view.readout.value
        look = view.widget.children[-1].value  # the panel's style, sent once
        assert ".bp-live.bp-fixed{overflow-y:auto" in look and "radial-gradient" in look
        assert "<details><summary>Every gradient" in view.details.value  # folded, by keyboard too
        bundle = view._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert view.error is None


@pytest.mark.parametrize("ranges", [None, {"w_Out": (-3.939735424, 2.0)}])
def test_start_value_sits_on_the_sliders_grid(seed, ranges):
    # The browser snaps a slider to min + k * step; a start off that grid makes the panel
    # compute with a number the slider does not show.
    net, x, y = seed
    net = net.with_params({"w_H1": 0.0123})
    for view in (widgets.gradient_view(net, x, y, param="w_Out", ranges=ranges),
                 widgets.forward_view(net, x, y)):
        for slider in view.sliders.values():
            if isinstance(slider, W.FloatSlider):
                k = (slider.value - slider.min) / slider.step
                assert abs(k - round(k)) < 1e-6, (slider.description, slider.min, slider.step)
                shown = f"{slider.value:{slider.readout_format}}"
                assert float(shown) == pytest.approx(slider.value, abs=1e-12), slider.description


@pytest.mark.parametrize("make", ["forward", "gradient", "surface", "descent"])
def test_one_backward_and_no_forward_per_slider_step(seed, make, monkeypatch):
    net, x, y = seed
    view = {"forward": lambda: widgets.forward_view(net, x, y),
            "gradient": lambda: widgets.gradient_view(net, x, y, "w_H0", sliders=["w_H1"]),
            "surface": lambda: widgets.surface_view(net, x, y),
            "descent": lambda: widgets.descent_view(net, x, y)}[make]()
    calls = {"forward": 0, "backward": 0}
    for name in calls:
        original = getattr(bp.Network, name)

        def counted(self, *args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(bp.Network, name, counted)
    slider = list(view.sliders.values())[-1]
    before = dict(calls)
    if make == "descent":  # descent's own steps are descent's business: count the view's
        path_calls = []
        real = gradient_descent

        def counting_descent(*args, **kwargs):
            start = calls["backward"]
            path = real(*args, **kwargs)
            path_calls.append(calls["backward"] - start)
            return path

        monkeypatch.setattr(widgets, "gradient_descent", counting_descent)
        slider.value = slider.value + slider.step
        assert calls["backward"] - before["backward"] - sum(path_calls) == 1
    else:
        slider.value = slider.value + slider.step
        assert calls["backward"] - before["backward"] == 1, calls
    assert calls["forward"] == before["forward"], calls
    assert view.error is None


def test_a_setting_it_cannot_show_leaves_the_last_picture_and_its_alt_says_so(seed):
    # 06 at a learning rate of 0: the readout said "Cannot show this setting", while the alt
    # described the path of the last setting as if it were this one's
    view = widgets.descent_view(*seed)
    before, slider = alt(view), view.sliders["learning_rate"]
    slider.min = 0
    slider.value = 0
    assert "Cannot show this setting" in view.readout.value
    stale = alt(view)
    assert stale.endswith(before) and stale.startswith("Not redrawn"), stale
    view.refresh()  # and once more: said once
    assert alt(view) == stale
    slider.value = 0.02  # a setting it can show: its own picture and alt
    assert view.error is None and not alt(view).startswith("Not redrawn")
    huge = bp.Network.chain([1e77, 1e77, 1], [0, 0, 0], activation="linear")
    view = widgets.gradient_view(huge, 0.5, 0, param="b_Out", sliders=["x"])
    view.sliders["x"].value = 2.5  # overflows, and draws the curve without its numbers
    assert view.error is not None and not alt(view).startswith("Not redrawn"), alt(view)


def test_the_huge_but_valid_chain_draws_and_explains(seed):
    # issue 9: a curve whose y-limits padded past the float maximum used to raise
    view = widgets.gradient_view(bp.Network.chain([2.15e51] * 3, [0, 0, 0]), 1, 0, "w_H0")
    assert isinstance(view.error, OverflowError)
    assert "Cannot show this setting" in view.readout.value
    assert "too large for floating point" in alt(view)
    slider = view.sliders["w_H0"]
    slider.value = slider.min + 10 * slider.step  # a small w_H0: numbers fit again
    assert view.error is None and "C0 = " in view.readout.value


@pytest.mark.parametrize("kwargs, message", [
    ({"learning_rate": float("nan")}, "learning_rate: expected a positive number"),
    ({"learning_rate": -0.1}, "learning_rate: expected a positive number"),
    ({"steps": 2.5}, "steps: expected a whole number"),
    ({"ranges": {"w_Out": (1,)}}, r"ranges\['w_Out'\]: expected \(low, high\)"),
    ({"ranges": {"w_Out": (2, 1)}}, "expected low < high"),
    ({"ranges": {"w_Out": (0, 1, -0.1)}}, "expected a step between 0"),
    ({"ranges": {"w_Outt": (0, 1)}}, "no slider named 'w_Outt'"),
    ({"ranges": [("w_Out", 0, 1)]}, "ranges: expected"),
    ({"params": "w_Out"}, r"params: expected 2 different parameter names, got \('w_Out',\)"),
])
def test_author_slips_get_clear_messages(seed, kwargs, message):
    net, x, y = seed
    with pytest.raises((ValueError, TypeError), match=message):
        widgets.descent_view(net, x, y, **kwargs)


def test_numbers_given_as_text_are_numbers(seed):
    net, x, y = seed
    view = widgets.descent_view(net, x, y, learning_rate="0.1", steps="5")
    assert view.sliders["learning_rate"].value == 0.1 and view.sliders["steps"].value == 5
    view = widgets.forward_view(net, x, y, ranges={"w_Out": ("-1", "2")})
    assert view.sliders["w_Out"].min == -1 and view.error is None


@pytest.mark.parametrize("make", ["forward", "gradient", "surface"])
def test_every_slider_at_both_ends_draws_or_explains(make):
    net = bp.Network.chain([1e77, 3e76, 1], [0, -1e76, 5], activation="linear")
    view = {"forward": lambda: widgets.forward_view(net, 0.5, 0),
            "gradient": lambda: widgets.gradient_view(net, 0.5, 0, "w_H1", sliders=["x", "y"]),
            "surface": lambda: widgets.surface_view(net, 0.5, 0, params=("w_H0", "b_Out"))}[make]()
    for slider in view.sliders.values():
        for end in (slider.min, slider.max):
            slider.value = end  # never raises
            assert alt(view).strip()
            if view.error is None:
                assert "C0" in view.readout.value
            else:
                assert "Cannot show this setting" in view.readout.value
                assert "Traceback" not in view.readout.value
