"""Focusing a slider keeps its panel's picture and readout in view (issue 20, Keyboard), in
JupyterLab at 1280x800 and devicePixelRatio 2.

The browser scrolls a focused element into view (centred when it was out of view, else to the
nearest edge), and the sliders sit above the picture: without help, the handle lands mid-screen
and the picture and readout below it fall below the fold. The checks: in 05 a student clicks
the panel's cell near the bottom of the screen and presses Tab to the first slider, then to the
next; in every notebook with a slider panel, each slider is focused while its panel is far out
of view. Each time the focused handle, the picture and the readout must lie inside the
notebook's scrolled area.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from lab_harness import NotebookPage, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NB05 = "05_cost_surface.ipynb"
TOLERANCE = 1  # CSS pixels: rounding of the boxes' edges

# the notebook's scrolled area (between JupyterLab's toolbar and status bar) and the boxes of
# the focused element, the panel's picture and its readout, in CSS pixels
JS_BOXES = """view => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; };
  const area = window.jupyterapp.shell.currentWidget.node.querySelector('.jp-WindowedPanel-outer');
  const active = document.activeElement;
  return {area: box(area), focused: box(active), handle: active.classList.contains('noUi-handle')
          && view.contains(active), picture: box(view.querySelector('.bp-picture')),
          readout: box(view.querySelector('.bp-readout'))};
}"""


def outside(boxes) -> list[str]:
    """The parts that are not wholly inside the notebook's scrolled area."""
    top, bottom = boxes["area"]
    return [f"{what} spans {boxes[what][0]:.0f} to {boxes[what][1]:.0f}"
            for what in ("focused", "picture", "readout")
            if boxes[what][0] < top - TOLERANCE or boxes[what][1] > bottom + TOLERANCE]


@contextmanager
def opened(chromium, lab_server, name: str, marker: str):
    """(notebook, cell, view): ``name`` opened and Run All, its panel made by ``marker``."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800},
                                   device_scale_factor=2)
    context.set_default_timeout(30_000)
    notebook = NotebookPage(context.new_page(), lab_server, name)
    try:
        notebook.open()
        notebook.run_all()
        assert not notebook.errors(), notebook.errors()
        cell = notebook.code_cell(marker)
        view = cell.locator(".bp-view").first
        cell.scroll_into_view_if_needed()
        wait_for(lambda: view.locator(".bp-frame img").count()
                 and view.locator(".noUi-handle").count(), 30, f"{name}'s slider panel")
        yield notebook, cell, view
    finally:
        context.close()
        lab_server.shut_down_kernels()


@pytest.fixture(scope="module")
def panel(chromium, lab_server):
    with opened(chromium, lab_server, NB05, "surface_view(") as found:
        yield found


def scroll_below_fold(notebook: NotebookPage, cell, share: float):
    """Scroll so that the cell's top sits at ``share`` of the scrolled area's height."""
    cell.evaluate("""(cell, share) => {
      const area = window.jupyterapp.shell.currentWidget.node
                     .querySelector('.jp-WindowedPanel-outer');
      const a = area.getBoundingClientRect(), c = cell.getBoundingClientRect();
      area.scrollTop += c.top - (a.top + share * a.height);
    }""", share)
    notebook.page.wait_for_timeout(300)  # one scroll event and layout


def settled_boxes(view):
    """The boxes once a focus-scroll has ended (two equal samples in a row)."""
    samples = []

    def same():
        samples.append(view.evaluate(JS_BOXES))
        return len(samples) > 1 and samples[-1] == samples[-2] and samples[-1]

    return wait_for(same, 10, "the scroll to settle", 0.2)


def tab_to_next_slider(notebook: NotebookPage, view) -> int:
    """Press Tab until a slider's handle of ``view`` other than the focused one has the focus
    (a slider's number box takes the focus in between); how many presses it took."""
    page = notebook.page
    before = page.evaluate_handle("() => document.activeElement")
    for presses in range(1, 11):
        page.keyboard.press("Tab")
        if view.evaluate(JS_BOXES)["handle"] and not page.evaluate(
                "before => document.activeElement === before", before):
            return presses
    pytest.fail("ten Tab presses did not reach the next slider of 05's panel")


def test_tab_to_a_slider_keeps_the_picture_and_readout_in_view(panel, artifacts: Path):
    notebook, cell, view = panel
    scroll_below_fold(notebook, cell, 0.75)
    cell.locator(".jp-InputArea-prompt").first.click()  # the cell, in command mode
    for which in ("first", "second"):
        tab_to_next_slider(notebook, view)
        boxes = settled_boxes(view)
        if which == "first":
            notebook.page.screenshot(path=str(artifacts / "focus-05-first-slider.png"))
        assert not outside(boxes), (
            f"after Tab to the {which} slider, outside the notebook's area "
            f"{boxes['area'][0]:.0f} to {boxes['area'][1]:.0f}: {'; '.join(outside(boxes))}")


def test_a_slider_focused_from_far_away_brings_its_picture(panel):
    focus_each_slider_from_far_away(*panel)


# every other notebook with a slider panel: (notebook, the call that makes the panel)
PANELS = [("01_forward_pass.ipynb", "forward_view("),
          ("02_output_layer_gradient.ipynb", "gradient_view("),
          ("06_gradient_descent.ipynb", "descent_view("), ("09_many_examples.ipynb", "sgd_view("),
          ("11_train_a_network.ipynb", "training_view("),
          ("12_classification.ipynb", "slow_start_view("),
          ("13_deep_networks.ipynb", "depth_view(")]


@pytest.mark.parametrize("name, marker", PANELS, ids=[name[:2] for name, _ in PANELS])
def test_every_panel_keeps_its_picture_in_view(chromium, lab_server, name, marker):
    with opened(chromium, lab_server, name, marker) as found:
        focus_each_slider_from_far_away(*found)


def focus_each_slider_from_far_away(notebook: NotebookPage, cell, view):
    handles = view.locator(".noUi-handle")
    for i in range(handles.count()):
        view.evaluate("() => document.activeElement.blur()")
        scroll_below_fold(notebook, cell, 3.0)  # the panel wholly out of view, below
        handles.nth(i).focus()
        boxes = settled_boxes(view)
        assert boxes["handle"] and not outside(boxes), (
            f"{notebook.name}: slider {i} focused from out of view: "
            f"{'; '.join(outside(boxes)) or 'not a slider'}")
