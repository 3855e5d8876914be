"""Every notebook in a real JupyterLab at devicePixelRatio 2: Run All without errors, alt text
and sharpness of every output image, aria-live readouts, axe-core, sliders, exercise feedback.

One JupyterLab server and one Chromium serve the whole session; each notebook gets a fresh
page and kernel (opened and run once, shared by the tests of that notebook), and its kernel is
deleted through the REST API afterwards. The server serves a temporary copy of notebooks/, so
the stored outputs are never modified. Screenshots go to test-artifacts/.

The slider tests move the first slider that names a parameter of the network (or x, y, or a
descent panel's learning_rate / steps) by keyboard and by typing into its readout, wait until
the plot and the bp-readout change, check that the panel computed with the value the slider
shows, and check every "dC0/d<param> = v" line (and C0) against backproplib computed here from
the numbers in the notebook's parameters cell.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from lab_harness import (
    NotebookPage,
    SliderPanel,
    notebook_dir,
    parse_number,
    readout_cost,
    readout_gradients,
    text_of,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(notebook_dir(ROOT).glob("*.ipynb"))
AXE_PATH = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

ANSWER_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<name>\w+)\s*=\s*None(?P<comment>\s*#.*your answer.*)$", re.MULTILINE)


# --------------------------------------------------------------------------------------------
# what the notebook starts from, computed here independently of the browser


def parameters_namespace(path: Path) -> dict:
    """Run the source of the cell tagged "parameters" and return its variables."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            namespace: dict = {}
            exec(compile(source, f"{path.name}:parameters", "exec"), namespace)  # noqa: S102
            return namespace
    pytest.fail(f"{path.name} has no code cell tagged 'parameters'")


DESCENT_SLIDERS = ("learning_rate", "steps")
ENDED_LINE = re.compile(r"^where it ended: (.*)$", re.MULTILINE)


def expected_gradients(path: Path, slider: str, value: float, readout: str = ""):
    """(parameter names, Gradients) of what the panel should show once ``slider`` = ``value``.

    x, y, weights, biases, activation (and learning_rate, steps) come from the notebook's
    parameters cell; for a descent panel the gradients are those where descent ended.
    """
    import backproplib as bp
    from backproplib.learning.descent import gradient_descent

    ns = parameters_namespace(path)
    net = bp.Network.chain(weights=ns["weights"], biases=ns["biases"],
                           activation=ns["activation"])
    x, y = ns["x"], ns["y"]
    if slider == "x":
        x = value
    elif slider == "y":
        y = value
    elif slider in DESCENT_SLIDERS:
        settings = {name: ns[name] for name in DESCENT_SLIDERS}
        settings[slider] = value
        ended = ENDED_LINE.search(readout)
        moved = re.findall(r"(\w+(?:\[[\d,]+\])?) = ", ended.group(1)) if ended else None
        descent = gradient_descent(net, x, y, settings["learning_rate"],
                                   int(settings["steps"]), moved)
        net = descent.net
    else:
        net = net.with_params({slider: value})
    return net.parameter_names, net.backward(x, y)


def same_number(shown: str, expected) -> bool:
    """``shown`` is ``expected`` to the digits shown: fmt's full digits (allowing a difference
    in the 10th significant digit: a slider value read from a 2-decimal readout can be 0.51 in
    the page and 0.5100000000000001 in the kernel), or a readout's short number (about 4
    significant digits), which must be ``expected`` rounded to its last digit."""
    from backproplib import fmt

    if shown == fmt(expected):
        return True
    try:
        number, target = float(shown), float(expected)
    except ValueError:
        return False
    mantissa, _, exponent = shown.lower().partition("e")
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    half_unit = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
    # a readout's number has at least 4 significant digits: never a looser rounding than that
    allowed = min(half_unit * (1 + 1e-9), 5e-4 * abs(target))
    return abs(number - target) <= max(1e-9 * abs(target), allowed) + 1e-300


def readout_mismatches(text: str, path: Path, slider: str, value: float) -> list[str]:
    from backproplib import fmt

    names, gradients = expected_gradients(path, slider, value, text)
    shown = readout_gradients(text)
    problems = []
    missing = [name for name in names if name not in shown]
    if missing:
        problems.append(f"no line for {missing}")
    for name, number in shown.items():
        if name not in names:
            problems.append(f"dC0/d{name}: not a parameter of the network {names}")
        elif not same_number(number, gradients[name]):
            problems.append(f"dC0/d{name} = {number}, expected {fmt(gradients[name])}")
    cost = readout_cost(text)
    if cost is not None and not same_number(cost, gradients.cost):
        problems.append(f"C0 = {cost}, expected {fmt(gradients.cost)}")
    return problems


# --------------------------------------------------------------------------------------------
# one page and kernel per notebook, shared by that notebook's tests


class Opened:
    def __init__(self, path: Path, notebook: NotebookPage | None, failure: str | None):
        self.path = path
        self.notebook = notebook
        self.failure = failure

    def require_run(self):
        if self.failure:
            pytest.fail(f"{self.path.name}: Run All did not complete: {self.failure}")


@pytest.fixture(scope="module", params=NOTEBOOKS or [None],
                ids=lambda p: p.stem if p else "no-notebooks")
def opened(request, chromium, lab_server, artifacts):
    path = request.param
    if path is None:
        pytest.skip(f"no notebooks in {notebook_dir(ROOT)} yet")
    # devicePixelRatio 2, as on most laptops and phones: pictures must hold twice the pixels
    context = chromium.new_context(viewport={"width": 1280, "height": 1000},
                                   device_scale_factor=2)
    context.set_default_timeout(30_000)
    page = context.new_page()
    notebook = NotebookPage(page, lab_server, path.name)
    failure = None
    try:
        notebook.open()
        notebook.run_all()
    except Exception as error:  # reported by the tests, with a screenshot
        failure = f"{error}\n--- server log ---\n{lab_server.log_tail()}"
        notebook.screenshot(artifacts / f"{path.stem}-failed.png")
    try:
        yield Opened(path, notebook, failure)
    finally:
        context.close()
        lab_server.shut_down_kernels()


def test_run_all_without_errors(opened, artifacts):
    opened.require_run()
    errors = opened.notebook.errors()
    opened.notebook.screenshot(artifacts / f"{opened.path.stem}.png")
    assert not errors, f"{opened.path.name} shows errors after Run All:\n" + "\n".join(errors)


# --------------------------------------------------------------------------------------------
# accessibility: alt text, sharp pictures, announced readouts, axe-core


def test_every_output_image_has_alt_text_and_is_sharp(opened, artifacts):
    opened.require_run()
    images = opened.notebook.output_images()
    # a picture of each static figure as the browser shows it, to look at
    figures = opened.notebook.page.locator(".jp-OutputArea img:not([class*=bp-])")
    for i in range(min(figures.count(), 12)):
        figures.nth(i).scroll_into_view_if_needed()
        figures.nth(i).screenshot(path=str(artifacts / f"{opened.path.stem}-figure-{i}.png"))
    problems = []
    for image in images:
        where = f"code cell {image['cell']} ({image['classes'] or 'img'})"
        # a panel's picture in layers: its frame's first image carries the alt for all
        decorative = re.search(r"\bbp-(background|part)-image\b", image["classes"])
        if image["alt"] is None or (not image["alt"].strip() and not decorative):
            problems.append(f"{where}: no alt text")
        # a map (decision regions) is sent as its grid of cells, one pixel a cell, and scaled
        # by the browser over the sharp frame and points around it
        cells = "bp-map-image" in image["classes"]
        if image["shown"] and image["natural"] < 2 * image["shown"] - 1 and not cells:
            problems.append(f"{where}: {image['natural']} px wide shown at "
                            f"{image['shown']:.0f} px: blurry at devicePixelRatio 2")
    assert not problems, f"{opened.path.name}:\n" + "\n".join(problems)


def test_every_panel_readout_is_announced(opened):
    opened.require_run()
    panels = opened.notebook.live_regions()
    if not panels:
        pytest.skip(f"{opened.path.name} has no slider panel")
    for i, panel in enumerate(panels):
        assert panel["readouts"] == 1 and panel["live"] == 1, (
            f"{opened.path.name}: panel {i} has no aria-live readout ({panel})")
        assert panel["text"].strip(), f"{opened.path.name}: panel {i}'s readout is empty"


FOCUSED = """() => { const e = document.activeElement;
  return [e.tagName, (e.textContent || '').trim(), !!e.closest('.bp-view'),
          e.closest('details') ? e.closest('details').open : null] }"""


def test_every_gradient_folds_out_by_keyboard(opened):
    """Tab from a panel's readout reaches "Every gradient at these values", Enter opens it
    (a native <summary>: focusable, announced as collapsed or expanded), and it stays open
    while a slider moves; Space closes it."""
    opened.require_run()
    page = opened.notebook.page
    view = page.locator(".bp-view:has(.bp-gradients)").first
    if not view.count():
        pytest.skip(f"{opened.path.name} has no panel with folded gradients")
    gradients = view.locator(".bp-gradients").first
    readout = view.locator(".bp-readout [tabindex='0']").first
    readout.scroll_into_view_if_needed()
    readout.focus()
    assert not gradients.is_visible(), "the gradients should start folded away"
    title = view.locator(".bp-fold summary").first.inner_text().strip()  # 13: each layer's sizes
    assert title.endswith("at these values"), title
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == ["SUMMARY", title, True, False]
    page.keyboard.press("Enter")
    wait_for(gradients.is_visible, 5, "Enter to show every gradient")
    assert text_of(gradients).strip() and page.evaluate(FOCUSED)[3] is True
    before = text_of(gradients)
    view.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    wait_for(lambda: text_of(gradients) != before, 15, "the gradients to follow the slider")
    assert gradients.is_visible(), "a slider step folded the gradients away again"
    view.locator("summary").first.focus()
    page.keyboard.press("Space")
    wait_for(lambda: not gradients.is_visible(), 5, "Space to fold the gradients away")


# ipywidgets' own slider handles (noUiSlider) carry no accessible name; that is upstream
# (README, accessibility): the one exception, by rule and by element.
AXE_EXCEPTIONS = {("aria-input-field-name", "noUi-handle")}


def test_axe_finds_no_serious_violation_in_the_outputs(opened, artifacts):
    if not AXE_PATH.exists():
        reason = f"axe-core is not installed ({AXE_PATH}): npm ci --prefix tests/browser"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    opened.require_run()
    violations = opened.notebook.axe(AXE_PATH)
    (artifacts / f"{opened.path.stem}-axe.json").write_text(json.dumps(violations, indent=1))
    serious = []
    for violation in violations:
        if violation["impact"] not in ("serious", "critical"):
            continue
        nodes = [n for n in violation["targets"]
                 if not any(rule == violation["id"] and mark in n["html"]
                            for rule, mark in AXE_EXCEPTIONS)]
        if nodes:
            serious.append(f"{violation['id']} ({violation['impact']}): {violation['help']}; "
                           f"e.g. {nodes[0]['target']}: {nodes[0]['html']}")
    assert not serious, f"{opened.path.name}:\n" + "\n".join(serious)


SLIDER_NOTEBOOKS = ("01", "02", "03", "04", "05", "06")  # the course promises sliders here


def parameter_slider(opened) -> SliderPanel:
    opened.require_run()
    if opened.notebook.errors():
        pytest.fail(f"{opened.path.name} has errors after Run All "
                    "(see test_run_all_without_errors)")
    sliders = SliderPanel.all_sliders(opened.notebook)
    if not sliders:
        if opened.path.stem[:2] in SLIDER_NOTEBOOKS:
            pytest.fail(f"{opened.path.name} should show sliders and shows none")
        pytest.skip(f"{opened.path.name} has no sliders")
    ns = parameters_namespace(opened.path)
    flat = all(not isinstance(w, (list, tuple)) for w in ns.get("weights") or [[]])
    if not {"x", "y", "weights", "biases", "activation"} <= set(ns) or not flat:
        pytest.skip(f"{opened.path.name}'s parameters cell has no chain network (x, y, "
                    "weights, biases, activation) to check its panels' gradients against")
    names, _ = expected_gradients(opened.path, "x", ns["x"])
    for name, slider in sliders:
        if name in names or name in ("x", "y") or (name in DESCENT_SLIDERS and name in ns):
            panel = SliderPanel.for_slider(opened.notebook, slider)
            if panel.readout_box.count() == 0:
                continue
            wait_for(lambda p=panel: p.image_src() and p.readout_text().strip(), 30,
                     f"the {name} panel's plot and readout to render")
            return panel
    pytest.skip(f"{opened.path.name}: no slider for a parameter, x or y next to a bp-readout "
                f"(sliders: {[name for name, _ in sliders]})")


def panel_setting(text: str, name: str) -> float | None:
    """The value the panel says it computed with, from a line like "w_Out = 0.51" (if any)."""
    match = re.search(rf"(?<![\w/]){re.escape(name)} = \[?([^\s,\]]+)", text)
    if not match:
        return None
    try:
        return parse_number(match.group(1))
    except ValueError:
        return None


def check_readout(opened, panel: SliderPanel, value: float):
    """Poll until the bp-readout matches backproplib at ``value`` (it may lag a redraw)."""
    # What the slider shows must be what the panel computes with: a slider whose range is not
    # on its step's grid shows "0.51" while it sends 0.510264576.
    used = panel_setting(panel.readout_text(), panel.name)
    if used is not None and abs(used - value) > 1e-9 * max(1.0, abs(value)):
        pytest.fail(f"{opened.path.name}: the {panel.name} slider shows {value} but the panel "
                    f"computed with {panel.name} = {used}: is the slider's min on the grid of "
                    "its step? (a slider snaps to min + k * step)")
    last = []

    def matches():
        last[:] = readout_mismatches(panel.readout_text(), opened.path, panel.name, value)
        return not last

    try:
        wait_for(matches, 15, "the readout to show the gradients at the new value")
    except TimeoutError:
        pytest.fail(f"{opened.path.name}, {panel.name} = {value}: readout disagrees with "
                    f"backproplib: {last}\nreadout:\n{panel.readout_text()}")


def test_slider_by_keyboard(opened, artifacts):
    panel = parameter_slider(opened)
    before = panel.state()
    alt_before = panel.alt_text()
    start = panel.value()
    low, high = panel.bounds()
    key = "ArrowRight" if start < high else "ArrowLeft"
    panel.press(key)
    panel.wait_changed(before)
    value = panel.value()
    assert (value > start) if key == "ArrowRight" else (value < start), (
        f"{key} moved {panel.name} from {start} to {value}"
    )
    check_readout(opened, panel, value)
    assert panel.alt_text() and panel.alt_text() != alt_before, (
        f"{opened.path.name}: the picture's alt text did not follow the {panel.name} slider")
    panel.cell.screenshot(path=str(artifacts / f"{opened.path.stem}-slider-keyboard.png"))


def test_slider_by_typing(opened, artifacts):
    panel = parameter_slider(opened)
    before = panel.state()
    start = panel.value()
    low, high = panel.bounds()
    shown = before[0].strip()
    decimals = len(shown.split(".", 1)[1]) if "." in shown else 0
    # a value on the slider's grid (a typed value snaps to min + k * step)
    low, high, step = panel.grid()
    target = round(low + round(0.3 * (high - low) / step) * step, decimals)
    if abs(target - start) < 10 ** -decimals:
        target = round(low + round(0.7 * (high - low) / step) * step, decimals)
    text = f"{target:.{decimals}f}"
    panel.type_value(text)
    panel.wait_changed(before)
    value = panel.value()
    assert abs(value - parse_number(text)) < 10 ** -decimals / 2, (
        f"typed {text} into {panel.name}'s readout, it shows {value}"
    )
    check_readout(opened, panel, value)
    panel.cell.screenshot(path=str(artifacts / f"{opened.path.stem}-slider-typed.png"))


# --------------------------------------------------------------------------------------------
# exercise feedback: one notebook is enough to prove the round trip editor -> kernel -> feedback


# Exercise feedback is checked on the notebooks whose names start with these (one is enough to
# prove the round trip editor -> kernel -> feedback); the first exercise there whose check is
# check_forward or check_gradient is answered, because its right answer can be computed here.
EXERCISE_NOTEBOOKS = ("01_",)
CHECK_CALL = re.compile(
    r"check_(?P<kind>forward|gradient)\(\s*(?P<answer>\w+)\s*,(?P<args>[^)]*)\)")


def exercise_namespace(path: Path, names) -> dict:
    """The parameters cell's variables, ``net`` built from them, and, for any of ``names`` it
    lacks (an exercise network such as ex_net, ex_x), the code cell that assigns it, run here
    (its prints silenced)."""
    import contextlib
    import io

    import backproplib as bp

    ns = dict(parameters_namespace(path), bp=bp)
    ns["net"] = bp.Network.chain(weights=ns["weights"], biases=ns["biases"],
                                 activation=ns["activation"])
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for name in names:
        if name in ns:
            continue
        for cell in cells:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if cell["cell_type"] == "code" and re.search(rf"^\s*{name}\b[^=\n]*=(?!=)", source,
                                                         re.MULTILINE):
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(source, f"{path.name}:{name}", "exec"), ns)  # noqa: S102
                break
    return ns


def right_answer(path: Path, source: str):
    """The value the exercise in ``source`` expects, or None if it can't be worked out here:
    check_forward(answer, NET, X, "z" or "a", LAYER) or check_gradient(answer, NET, X, Y, P)."""
    answer = ANSWER_LINE.search(source)
    call = CHECK_CALL.search(source)
    if not answer or not call or call.group("answer") != answer.group("name"):
        return None
    args = [a.strip() for a in call.group("args").split(",") if a.strip()]
    strings = re.findall(r"[\"']([^\"']+)[\"']", call.group("args"))
    names = [a for a in args if re.fullmatch(r"[A-Za-z_]\w*", a)]
    try:
        ns = exercise_namespace(path, names)
        values = [ns[a] for a in names]
    except Exception:  # noqa: BLE001 - a cell that can't run here: not this exercise
        return None
    if call.group("kind") == "forward" and len(strings) == 2 and len(values) == 2:
        net, x = values
        quantity, layer = strings
        fwd = net.forward(x)
        return float((fwd.z if quantity == "z" else fwd.a)[layer][0])
    if call.group("kind") == "gradient" and len(strings) == 1 and len(values) == 3:
        net, x, y = values
        return float(net.backward(x, y)[strings[0]])
    return None


def test_exercise_feedback(opened, artifacts):
    if not opened.path.stem.startswith(EXERCISE_NOTEBOOKS):
        pytest.skip("exercise feedback is tested on one notebook: "
                    + ", ".join(f"{prefix}*" for prefix in EXERCISE_NOTEBOOKS))
    opened.require_run()
    source, right = next(
        ((c["source"], right_answer(opened.path, c["source"])) for c in opened.notebook.cells()
         if right_answer(opened.path, c["source"]) is not None), (None, None))
    assert source, (f"{opened.path.name}: no exercise 'answer = None  # your answer' checked "
                    "by check_forward or check_gradient")
    from backproplib import fmt

    right, wrong = repr(right), fmt(right + 1.5)
    notebook = opened.notebook
    match = ANSWER_LINE.search(source)
    cell = notebook.code_cell(match.group(0))
    feedback = cell.locator(".jp-OutputArea .bp-feedback")

    def verdict_is(status):  # the text starts with the status, after a mark such as ✔
        return re.sub(r"^\W+", "", text_of(feedback)).startswith(status)

    wait_for(lambda: verdict_is("Not answered yet"), 15, "the unanswered exercise's feedback")

    for answer, verdict in ((wrong, "Not yet"), (right, "Right")):
        line = cell.locator(".cm-line", has_text=re.compile(
            rf"^\s*{match.group('name')}\s*=.*your answer")).first
        line.scroll_into_view_if_needed()
        line.click()
        notebook.page.keyboard.press("End")
        notebook.page.keyboard.press("Shift+Home")  # to the end of the indentation
        notebook.page.keyboard.insert_text(
            f"{match.group('name')} = {answer}{match.group('comment')}"
        )
        wait_for(lambda a=answer: f"{match.group('name')} = {a}" in text_of(cell.locator(
            ".cm-content")), 10, "the edited answer line")
        notebook.page.keyboard.press("Shift+Enter")
        wait_for(lambda v=verdict: verdict_is(v), 30,
                 f"feedback starting {verdict!r} after answering {answer}")
    cell.screenshot(path=str(artifacts / f"{opened.path.stem}-exercise.png"))
