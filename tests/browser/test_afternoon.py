"""A student's afternoon in JupyterLab (issue 20, item 8), at 1280x800 and devicePixelRatio 2.

- Notebook 02: a wrong and then a right answer typed into a value exercise (dC0/da_Out of the
  exercise network) and into a function exercise (``my_dC0_dw_Out``), each cell run with
  Shift+Enter, and the feedback read; then the w_Out slider keyed (ArrowRight four times, then
  PageUp), the picture decoded with PIL before and after, and the aria-live readout read.
- Notebook 11: step, train, stop and reset pressed in the training panel, and its readout and
  cost plot read.

The right answers are computed here with backproplib from the notebook's own cells (the
parameters cell and the cell that builds the exercise network), never written into the test.
The checks are on robust facts, not on exact sentences: "Right" or not, the failing case named
in words, counts that grow or return to 0, pictures that change visibly.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
from lab_harness import NotebookPage, SliderPanel, notebook_dir, text_of, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
NB02 = "02_output_layer_gradient.ipynb"
NB11 = "11_train_a_network.ipynb"



# --------------------------------------------------------------------------------------------
# what the notebook computes, computed here from its own cells


def code_cells(name: str) -> list[dict]:
    notebook = json.loads((notebook_dir(ROOT) / name).read_text(encoding="utf-8"))
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = cell["source"]
            cells.append({"source": "".join(source) if isinstance(source, list) else source,
                          "tags": cell.get("metadata", {}).get("tags", [])})
    return cells


def exercise_network(name: str) -> dict:
    """Run the parameters cell, build ``net`` from it, then run the cell that assigns
    ``ex_net``: returns that namespace (ex_net, ex_x, ex_y, ...)."""
    import contextlib

    import backproplib as bp

    cells = code_cells(name)
    namespace: dict = {"bp": bp}
    parameters = next(c for c in cells if "parameters" in c["tags"])
    exec(compile(parameters["source"], f"{name}:parameters", "exec"), namespace)  # noqa: S102
    namespace["net"] = bp.Network.chain(weights=namespace["weights"],
                                        biases=namespace["biases"],
                                        activation=namespace["activation"])
    builder = next((c for c in cells
                    if re.search(r"^ex_net\s*=", c["source"], re.MULTILINE)), None)
    assert builder, f"{name}: no cell builds the exercise network ex_net"
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(builder["source"], f"{name}:ex_net", "exec"), namespace)  # noqa: S102
    return namespace


# --------------------------------------------------------------------------------------------
# one page at a time: 02 for the exercises and the slider, then 11


class Afternoon:
    """Opens a notebook (fresh kernel, Run All) once and keeps it until another is asked for."""

    def __init__(self, chromium, server, artifacts):
        self.server, self.artifacts = server, artifacts
        self.context = chromium.new_context(viewport={"width": 1280, "height": 800},
                                            device_scale_factor=2)
        self.context.set_default_timeout(30_000)
        self.current: NotebookPage | None = None

    def notebook(self, name: str) -> NotebookPage:
        if self.current is not None and self.current.name == name:
            return self.current
        self.close_current()
        notebook = NotebookPage(self.context.new_page(), self.server, name)
        try:
            notebook.open()
            notebook.run_all()
        except Exception as error:
            notebook.screenshot(self.artifacts / f"afternoon-{Path(name).stem}-failed.png")
            pytest.fail(f"{name}: Run All did not complete: {error}\n--- server log ---\n"
                        f"{self.server.log_tail()}")
        errors = notebook.errors()
        assert not errors, f"{name} shows errors after Run All:\n" + "\n".join(errors)
        self.current = notebook
        return notebook

    def close_current(self):
        if self.current is not None:
            self.current.page.close()
            self.current = None
            self.server.shut_down_kernels()

    def close(self):
        self.close_current()
        self.context.close()


@pytest.fixture(scope="module")
def afternoon(chromium, lab_server, artifacts):
    day = Afternoon(chromium, lab_server, artifacts)
    try:
        yield day
    finally:
        day.close()


# --------------------------------------------------------------------------------------------
# exercises: type into the cell, run it, read the feedback


def feedback_text(cell) -> str:
    return " ".join(text_of(cell.locator(".jp-OutputArea .bp-feedback")).split())


def verdict(text: str) -> str:
    """The feedback without its leading mark (a tick or a cross)."""
    return re.sub(r"^\W+", "", text)


# one code cell's source, execution count and prompt, by index among the code cells (cheaper
# than NotebookPage.cells(), which serialises every output, pictures included, at each poll)
JS_CODE_CELL = """index => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cell = panel.content.widgets.filter(c => c.model.type === 'code')[index];
  return {source: cell.model.sharedModel.getSource(), count: cell.model.executionCount,
          running: cell.promptNode ? cell.promptNode.textContent.includes('*') : false};
}"""


def code_cell_state(notebook: NotebookPage, index: int) -> dict:
    return notebook.page.evaluate(JS_CODE_CELL, index)


def answer(notebook: NotebookPage, cell_line: str, old_start: str, new_line: str) -> str:
    """In the code cell with a line matching ``cell_line`` (a regex), replace the line that
    starts with ``old_start`` (its indentation kept) by ``new_line``, run the cell with
    Shift+Enter, and return its new feedback."""
    cell_index = next(i for i, c in enumerate(notebook.cells())
                      if re.search(cell_line, c["source"], re.MULTILINE))
    cell = notebook.page.locator(".jp-Notebook .jp-CodeCell").nth(cell_index)
    cell.scroll_into_view_if_needed()
    before = feedback_text(cell)
    source = code_cell_state(notebook, cell_index)["source"]
    old = next(line for line in source.splitlines() if line.strip().startswith(old_start))
    line = cell.locator(".cm-line", has_text=old.strip()).first
    line.scroll_into_view_if_needed()
    line.click()
    notebook.page.keyboard.press("End")
    notebook.page.keyboard.press("Shift+Home")  # to the end of the indentation
    notebook.page.keyboard.insert_text(new_line)
    wait_for(lambda: new_line in code_cell_state(notebook, cell_index)["source"], 10,
             f"the edited line {new_line!r}")
    count = code_cell_state(notebook, cell_index)["count"]
    notebook.page.keyboard.press("Shift+Enter")

    def ran():
        state = code_cell_state(notebook, cell_index)
        return state["count"] not in (None, count) and not state["running"]

    wait_for(ran, 30, "the cell to run")
    return wait_for(lambda: (text := feedback_text(cell)) != before and text, 15,
                    f"new feedback after {new_line!r}")


VALUE_CELL = r"^dC0_da_Out\s*=.*#\s*your answer"  # exercise 2.1: dC0/da_Out of ex_net
FUNCTION_CELL = r"^def my_dC0_dw_Out\("  # exercise 2.3 (the Solutions' copy is indented)


def test_value_exercise_wrong_then_right(afternoon, artifacts):
    notebook = afternoon.notebook(NB02)
    ns = exercise_network(NB02)
    right = float(ns["ex_net"].backward(ns["ex_x"], ns["ex_y"]).da["Out"][0])
    wrong = right / 2  # the lost 2 of 2(a - y): a different number, not a rounding

    said = answer(notebook, VALUE_CELL, "dC0_da_Out", f"dC0_da_Out = {wrong!r}  # your answer")
    assert not verdict(said).startswith("Right"), f"{wrong!r} (half of {right!r}) was: {said}"
    assert "close" not in said.lower(), f"half the answer is not close to it: {said}"
    assert "da_Out" in said, f"the feedback does not say what it checked: {said}"
    assert len(verdict(said).split()) >= 6, f"the feedback gives nothing to go on: {said}"

    said = answer(notebook, VALUE_CELL, "dC0_da_Out", f"dC0_da_Out = {right!r}  # your answer")
    assert verdict(said).startswith("Right"), f"{right!r} (from backproplib) was: {said}"
    cell = notebook.code_cell(f"dC0_da_Out = {right!r}")
    cell.screenshot(path=str(artifacts / "afternoon-02-value-exercise.png"))


# The body of my_dC0_dw_Out up to its answer line reads fwd into a_Out, a_H1, slope. The wrong
# body leaves out the activation's slope: right wherever ReLU'(z_Out) = 1, wrong on the case
# with a dead output neuron.
WITHOUT_SLOPE = "return 2 * (a_Out - net.target(y)[0]) * a_H1"
WITH_SLOPE = "return 2 * (a_Out - net.target(y)[0]) * slope * a_H1"


def function_exercise(afternoon):
    notebook = afternoon.notebook(NB02)
    source = next(c["source"] for c in notebook.cells()
                  if re.search(FUNCTION_CELL, c["source"], re.MULTILINE))
    assert re.search(r"a_Out,\s*a_H1,\s*slope\s*=", source), (
        "my_dC0_dw_Out no longer names a_Out, a_H1 and slope before its answer line:\n" + source)
    return notebook


def test_function_exercise_wrong_then_right(afternoon, artifacts):
    notebook = function_exercise(afternoon)
    ns = exercise_network(NB02)
    assert ns["activation"] == "relu", "the wrong body is only wrong where ReLU' = 0"

    said = answer(notebook, FUNCTION_CELL, "return", WITHOUT_SLOPE)
    assert not verdict(said).startswith("Right"), f"a body without the slope was: {said}"
    assert "my_dC0_dw_Out" in said or "returned" in said, (
        f"the feedback does not say what returned the wrong value: {said}")

    said = answer(notebook, FUNCTION_CELL, "return", WITH_SLOPE)
    assert verdict(said).startswith("Right"), f"the right body was: {said}"
    notebook.code_cell(WITH_SLOPE).screenshot(
        path=str(artifacts / "afternoon-02-function-exercise.png"))


def test_function_feedback_names_the_failing_case(afternoon):
    notebook = function_exercise(afternoon)
    said = answer(notebook, FUNCTION_CELL, "return", WITHOUT_SLOPE)
    assert not verdict(said).startswith("Right")
    assert "characters" not in said and "Network(" not in said and "<function" not in said, (
        f"object reprs in the feedback: {said}")
    assert re.search(r"dead|blocked|b_Out\s*=", said), (
        f"the feedback does not name the case that failed (a dead output neuron): {said}")
    said = answer(notebook, FUNCTION_CELL, "return", WITH_SLOPE)  # leave it right
    assert verdict(said).startswith("Right")


# --------------------------------------------------------------------------------------------
# a slider, by keyboard: the picture and the readout must follow visibly

# a pixel "changed" when a channel moved by more than this (antialiasing noise stays below)
PIXEL_TOLERANCE = 48
# the picture changed: more than this share of its pixels did (0.1% of a 2x panel is about a
# thousand device pixels; a redraw of the same picture changes none)
CHANGED_SHARE = 0.001

JS_IMAGE_BYTES = """async img => {
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}"""


def decoded(image_locator):
    """The bytes of an <img> as the browser holds them, decoded with PIL: RGB, with any
    transparent parts (a layer over a background) laid on white."""
    from PIL import Image

    data = base64.b64decode(image_locator.evaluate(JS_IMAGE_BYTES))
    picture = Image.open(io.BytesIO(data)).convert("RGBA")
    white = Image.new("RGBA", picture.size, "white")
    return Image.alpha_composite(white, picture).convert("RGB")


def pixels(panel: SliderPanel):
    """The panel's picture as the student sees it: its layers composited by the browser (the
    moving layer alone is cropped to what moved, so its size and origin change per step)."""
    import io

    from PIL import Image

    picture = panel.box.locator(".bp-picture").first
    if not picture.count():
        return decoded(panel.image)
    picture.scroll_into_view_if_needed()
    return Image.open(io.BytesIO(picture.screenshot())).convert("RGB")


def changed_share(before, after) -> float:
    """The share of pixels that differ by more than PIXEL_TOLERANCE in some channel."""
    import numpy as np

    a, b = np.asarray(before, dtype=int), np.asarray(after, dtype=int)
    assert a.shape == b.shape, f"the picture changed size: {a.shape} -> {b.shape}"
    return float((np.abs(a - b).max(axis=2) > PIXEL_TOLERANCE).mean())


def current_point(picture) -> tuple[float, float, float]:
    """(x, y, width) in image pixels of the current point: the pixels of style.CURRENT (pure
    black; text and frames are INK, lighter)."""
    import numpy as np

    from backproplib.plots import style

    rgb = np.asarray(picture, dtype=int)
    target = np.array([int(style.CURRENT[i:i + 2], 16) for i in (1, 3, 5)])
    ys, xs = np.nonzero(np.abs(rgb - target).max(axis=2) <= 8)
    assert len(xs), f"no pixel of the current point's colour {style.CURRENT} in the picture"
    return float(xs.mean()), float(ys.mean()), float(xs.max() - xs.min() + 1)


def moved(before, after) -> tuple[float, float]:
    """How far the current point moved between two pictures, and its width (image pixels)."""
    (x0, y0, width), (x1, y1, _) = current_point(before), current_point(after)
    return float(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5), width


def live_text(panel: SliderPanel) -> str:
    return " ".join(text_of(panel.box.locator('.bp-readout [aria-live="polite"]')).split())


class Keyed:
    """The w_Out panel of 02 before and after keys: values, pictures, readouts."""

    def __init__(self, notebook: NotebookPage):
        sliders = [s for name, s in SliderPanel.all_sliders(notebook) if name == "w_Out"]
        assert sliders, "02 has no w_Out slider"
        self.panel = panel = SliderPanel.for_slider(notebook, sliders[0])
        assert panel.readout_box.count(), "the w_Out slider has no bp-readout next to it"
        wait_for(lambda: panel.image_src() and live_text(panel), 30,
                 "the panel's picture and readout to render")
        self.low, self.high = panel.bounds()
        self.values, self.pictures, self.readouts, self.srcs, self.frames = [], [], [], [], []
        self.record()

    def record(self):
        self.frames.append(decoded(self.panel.image))  # the moving layer: the dot's own size
        self.values.append(self.panel.value())
        self.pictures.append(pixels(self.panel))
        self.readouts.append(live_text(self.panel))
        self.srcs.append(self.panel.image_src())

    def press(self, key: str, times: int = 1):
        before = self.panel.state()
        handle = self.panel.slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(times):
            self.panel.page.keyboard.press(key)
        self.panel.wait_changed(before)
        self.record()

    def screenshot(self, path: Path):
        """The viewport with the picture in it, as the student sees it."""
        self.panel.image.scroll_into_view_if_needed()
        self.panel.page.screenshot(path=str(path))


@pytest.fixture(scope="module")
def keyed(afternoon, artifacts):
    """ArrowRight four times, then PageUp, on 02's w_Out slider (once for the module)."""
    notebook = afternoon.notebook(NB02)
    keys = Keyed(notebook)
    keys.screenshot(artifacts / "afternoon-02-slider-0-start.png")
    keys.press("ArrowRight", 4)
    keys.screenshot(artifacts / "afternoon-02-slider-1-arrows.png")
    keys.press("PageUp")
    keys.screenshot(artifacts / "afternoon-02-slider-2-pageup.png")
    for i, picture in enumerate(keys.pictures):
        picture.save(artifacts / f"afternoon-02-slider-frame-{i}.png")
    return keys


def test_slider_keys_change_value_picture_and_readout(keyed):
    start, arrows, page_up = keyed.values
    assert start < arrows < page_up, f"w_Out went {keyed.values} under ArrowRight x4, PageUp"
    assert page_up - arrows > (arrows - start) / 4, (
        f"PageUp moved w_Out by {page_up - arrows:g}, no more than one ArrowRight "
        f"({(arrows - start) / 4:g})")
    for i, what in ((1, "four ArrowRight"), (2, "PageUp")):
        assert keyed.srcs[i] != keyed.srcs[i - 1], f"the picture's src stayed after {what}"
        assert keyed.readouts[i] != keyed.readouts[i - 1], (
            f"the aria-live readout stayed after {what}: {keyed.readouts[i]}")
        share = changed_share(keyed.pictures[i - 1], keyed.pictures[i])
        assert share > CHANGED_SHARE, (
            f"after {what} only {share:.3%} of the picture's pixels changed")
        distance, _ = moved(keyed.pictures[i - 1], keyed.pictures[i])
        assert distance > 0, f"the current point stayed where it was after {what}"


def test_four_arrow_presses_move_the_point_visibly(keyed):
    start, arrows = keyed.values[:2]
    width = keyed.high - keyed.low
    # about 10 presses should cross a visible part of the range: four presses, at least 4%
    distance, _ = moved(keyed.pictures[0], keyed.pictures[1])
    dot = current_point(keyed.frames[0])[2]
    assert arrows - start >= 0.04 * width - 1e-9 and distance >= dot, (
        f"four ArrowRight moved w_Out by {arrows - start:g} of a range {width:g} wide, and "
        f"the point by {distance:.1f} image pixels, less than its width ({dot:.0f})")


# --------------------------------------------------------------------------------------------
# notebook 11: step, train, stop, reset

STEP_COUNT = re.compile(r"\bstep (\d+)\b")


class TrainingPanel:
    def __init__(self, notebook: NotebookPage):
        self.page = notebook.page
        self.cell = notebook.code_cell("training_view(")
        self.cell.scroll_into_view_if_needed()
        self.box = self.cell.locator(".bp-view").first
        wait_for(lambda: self.box.count() and self.steps() is not None, 30,
                 "the training panel and its readout")

    def button(self, label: str):
        return self.box.locator("button", has_text=re.compile(rf"^\s*{label}")).first

    def readout(self) -> str:
        return " ".join(text_of(self.box.locator('.bp-readout [aria-live="polite"]')).split())

    def steps(self) -> int | None:
        match = STEP_COUNT.search(self.readout())
        return int(match.group(1)) if match else None

    def settled_steps(self) -> int:
        """The step count once three readings 0.3 s apart agree (training has stopped)."""
        seen = []

        def settled():
            seen.append(self.steps())
            return seen[-3:] == [seen[-1]] * 3 and seen[-1] is not None and len(seen) >= 3

        wait_for(settled, 60, "the step count to stop changing", 0.3)
        return seen[-1]

    def picture(self):
        """The picture as the browser shows it, its layers together (at devicePixelRatio 2)."""
        import io

        from PIL import Image

        picture = self.box.locator(".bp-picture").first
        picture.scroll_into_view_if_needed()
        return Image.open(io.BytesIO(picture.screenshot())).convert("RGB")


def cost_plot(picture):
    """The inside of the cost plot's frame (the middle third of the training picture), RGB."""
    import numpy as np

    rgb = np.asarray(picture, dtype=int)
    width = rgb.shape[1]
    middle = rgb[:, width // 3: 2 * width // 3]
    dark = middle.max(axis=2) < 100
    rows = np.flatnonzero(dark.mean(axis=1) > 0.5)  # the frame's top and bottom lines
    columns = np.flatnonzero(dark.mean(axis=0) > 0.5)  # its left and right lines
    assert len(rows) >= 2 and len(columns) >= 2, "no frame of a plot in the picture's middle"
    return middle[rows[0] + 4:rows[-1] - 3, columns[0] + 4:columns[-1] - 3]


def curve_pixels(picture) -> int:
    """How many pixels of the cost plot have the cost curve's colour (style.VALUE)."""
    import numpy as np

    from backproplib.plots import style

    target = np.array([int(style.VALUE[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(cost_plot(picture) - target).max(axis=2) < 40).sum())


def cost_plot_ink(picture) -> tuple[int, float]:
    """Inside the frame of the cost plot: how many pixels are drawn (dark, or coloured; not
    the light grey grid), and the area of one current-point marker (style.MARKER points at
    style.RENDER_DPI), to compare with."""
    import numpy as np

    from backproplib.plots import style

    inside = cost_plot(picture)
    chroma = inside.max(axis=2) - inside.min(axis=2)
    ink = (inside.max(axis=2) < 120) | (chroma > 60)
    radius = style.MARKER / 72 * style.RENDER_DPI / 2
    return int(ink.sum()), float(np.pi * radius ** 2)


@pytest.fixture(scope="module")
def trained(afternoon, artifacts):
    """Press step, train, stop and reset in 11's panel; the step counts and pictures seen."""
    panel = TrainingPanel(afternoon.notebook(NB11))
    seen = {"start": panel.settled_steps()}
    panel.button("step").click()
    wait_for(lambda: (panel.steps() or 0) > seen["start"], 30, "step to take a step")
    seen["step"] = panel.settled_steps()
    panel.button("train").click()
    wait_for(lambda: panel.button("stop").count() and (panel.steps() or 0) > seen["step"], 30,
             "training to start (the button to read stop, the count to grow)")
    panel.button("stop").click()
    wait_for(lambda: panel.button("train").count(), 30, "the button to read train again")
    seen["stop"] = panel.settled_steps()
    seen["stop picture"] = panel.picture()
    seen["stop picture"].save(artifacts / "afternoon-11-stopped-frame.png")
    panel.box.screenshot(path=str(artifacts / "afternoon-11-stopped.png"))
    panel.button("reset").click()
    wait_for(lambda: panel.steps() == 0, 30, "reset to bring the step count to 0")
    seen["reset"] = panel.settled_steps()
    seen["reset picture"] = panel.picture()
    panel.box.screenshot(path=str(artifacts / "afternoon-11-reset.png"))
    seen["reset picture"].save(artifacts / "afternoon-11-reset-frame.png")
    seen["train label"] = panel.button("train").text_content().strip()
    return seen


def test_step_train_stop_reset(trained):
    total = int(re.search(r"\d+", trained["train label"]).group())  # "train 1000"
    assert trained["start"] == 0, f"a fresh panel says step {trained['start']}"
    assert trained["step"] == 1, f"one press of step gave step {trained['step']}"
    assert 1 < trained["stop"] < 1 + total, (
        f"stop pressed during training left step {trained['stop']} (train runs {total})")
    assert trained["reset"] == 0
    curve = curve_pixels(trained["stop picture"])
    assert curve > 20, (
        f"after {trained['stop']} steps the cost plot holds {curve} pixels of the curve's "
        "colour: where is the cost curve?")


def test_cost_plot_is_not_empty_after_reset(trained):
    """Issue 20 ('11'): after reset the cost plot was empty with a dot in its corner (36 drawn
    pixels); it now keeps the start's dotted line and the point clear of the frame."""
    ink, marker = cost_plot_ink(trained["reset picture"])
    assert ink > marker, (
        f"after reset the cost plot holds {ink} drawn pixels, no more than the area of one "
        f"marker ({marker:.0f}): an empty plot with at most a dot")
