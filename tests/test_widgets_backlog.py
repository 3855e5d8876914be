"""No backlog: values that arrive while a panel is still drawing are not drawn one by one; the
panel draws once more, from the newest value. Setting ``slider.value`` fires ``observe`` at
once, so a renderer that sets the slider while it draws stands in for values arriving
during a slow step."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib import widgets  # noqa: E402
from backproplib.widgets import panel  # noqa: E402
from backproplib.widgets import training as training_widgets  # noqa: E402


def _panels():
    net, x, y = bp.worked_example()
    X = np.array([[0.5], [1.0], [-0.5], [1.5]])
    Y = np.array([[0.0], [1.0], [0.5], [0.2]])
    return {
        "forward": (lambda: widgets.forward_view(net, x, y), "w_H1"),
        "gradient": (lambda: widgets.gradient_view(net, x, y, "w_Out"), "w_Out"),
        "surface": (lambda: widgets.surface_view(net, x, y), "w_Out"),
        "descent": (lambda: widgets.descent_view(net, x, y), "learning_rate"),
        "sgd": (lambda: training_widgets.sgd_view(net, X, Y, steps=5), "learning_rate"),
    }


def _burst(slider, count=12):
    """``count`` different values on the slider's grid, none of them its current value."""
    n = int(round((slider.max - slider.min) / slider.step))
    picks = [k for k in np.linspace(0, n, count + 2).round().astype(int)[1:-1]]
    values = [type(slider.value)(slider.min + k * slider.step) for k in picks]
    return [v for v in values if v != slider.value]


@pytest.mark.parametrize("name", list(_panels()))
def test_a_burst_while_drawing_sends_two_pictures_and_ends_on_the_last_value(name):
    make, slider_name = _panels()[name]
    view = make()
    slider = view.sliders[slider_name]
    burst = _burst(slider)
    arriving = list(burst[1:])
    draw = view.renderer.pictures

    def slow(*args, **kwargs):  # while this picture is drawn, the rest of the burst arrives
        while arriving:
            slider.value = arriving.pop(0)
        return draw(*args, **kwargs)

    view.renderer.pictures = slow
    before = view.pictures_sent
    slider.value = burst[0]
    assert not arriving
    sent = view.pictures_sent - before
    assert 1 <= sent <= 2, f"{sent} pictures for a burst of {len(burst)} values"
    assert view.error is None
    # the picture and the readout are those of a panel set straight to the last value
    fresh = make()
    fresh.sliders[slider_name].value = burst[-1]
    assert view.frame.value == fresh.frame.value
    assert view.readout.value == fresh.readout.value


def test_values_that_arrive_one_by_one_are_each_drawn():
    view = widgets.surface_view(*bp.worked_example())
    slider = view.sliders["w_H1"]
    burst = _burst(slider, 5)
    before = view.pictures_sent
    for value in burst:
        slider.value = value
    assert view.pictures_sent - before == len(burst)


@pytest.mark.parametrize("name", ["forward", "gradient", "descent"])
def test_values_from_the_browser_are_drawn_after_the_answer_once_from_the_newest(name,
                                                                               monkeypatch):
    """Inside the kernel's handling of a browser's message, the panel only asks to draw after
    the answer; the values that arrive before that drawing make one picture, of the last."""
    make, slider_name = _panels()[name]
    view, fresh = make(), make()
    slider = view.sliders[slider_name]
    burst = _burst(slider)
    fresh.sliders[slider_name].value = burst[-1]
    assert panel.browser_loop() is None  # no kernel here: code's values are drawn at once
    waiting = []

    class Loop:
        def call_soon(self, callback):
            waiting.append(callback)

    monkeypatch.setattr(panel, "browser_loop", lambda: Loop())
    before = view.pictures_sent
    for value in burst:
        slider.value = value
    assert view.pictures_sent == before and len(waiting) == 1
    waiting.pop()()
    assert view.pictures_sent - before == 1
    assert view.frame.value == fresh.frame.value
    assert view.readout.value == fresh.readout.value
    slider.value = burst[0]  # a later value is drawn again
    assert len(waiting) == 1
    waiting.pop()()
    assert view.pictures_sent - before == 2
