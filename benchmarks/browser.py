"""Rows: a key press on a slider to the visible change, in JupyterLab in headless Chromium,
on this machine and at Binder's distance.

Every notebook with slider panels (``.bp-view``) is opened at devicePixelRatio 2 in a real
JupyterLab (the server and page helpers of tests/browser/lab_harness.py), through a loopback
proxy (distance.py), and run; then the first slider of every panel gets a series of arrow-key
presses, twice: with the proxy passing bytes straight through ("local") and with it shaped to
40 ms and 10 Mbit/s each way ("far", an 80 ms round trip, a common distance to a Binder server).
Each press is timed inside the page, from the keydown event on the slider handle to the moment
the panel's frame has changed, every image of its picture is decoded and a frame painted after
it: what a student sees. The next press waits for that, as a student watching would. Per step,
the bytes the page receives over its websockets (Playwright's framereceived) are counted until
nothing arrives for 150 ms. Then a held key: 20 presses 30 ms apart, timed from the last press
to the panel's last new picture.

Targets (issue 18): locally 9 presses in 10 within 100 ms, the usual limit for a response that
feels instant; far, 9 in 10 within 150 ms (the round trip alone is 80 ms), a median of at most
15 kB a step, and a held key settled within 250 ms. The peer, timed in the same run and page
setup, is a bare widget round trip: a slider whose callback only swaps a one-pixel picture
(what the browser, the kernel and the comm cost without our work).

    python benchmarks/run.py --only browser
    BP_BROWSER_ONLY=05 python benchmarks/run.py --only browser --quick  # notebooks matching
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from distance import DELAY, RATE, DistanceProxy
from timing import Row, at_most, fmt_time, median

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 0.100  # seconds: 9 in 10 presses within this
PRESSES = 10  # per panel (5 in a quick run)

# Arm: remember the panel's frame, time the next keydown, and resolve once a new frame has
# arrived, every image of the panel's picture is decoded, and a frame is painted after it.
# Returns nothing; WAIT awaits the result (ms) or null.
JS_ARM = """([handle, frame, picture, readout]) => {
  const watched = [frame, readout].filter(e => e);
  const before = watched.map(e => e.innerHTML);
  window.__bpPress = new Promise(resolve => {
    let t0 = null;
    const start = () => { t0 = performance.now(); };
    handle.addEventListener('keydown', start, {capture: true, once: true});
    const done = async () => {
      await Promise.all([...picture.querySelectorAll('img')].map(
        img => img.decode().catch(() => null)));
      requestAnimationFrame(() => resolve(t0 === null ? null : performance.now() - t0));
    };
    // the new picture, or, for a slider that changes only the words (11's learning rate),
    // the new readout
    const watch = new MutationObserver(() => {
      if (watched.some((e, i) => e.innerHTML !== before[i])) { watch.disconnect(); done(); }
    });
    for (const e of watched) {
      watch.observe(e, {childList: true, subtree: true, attributes: true, characterData: true});
    }
    setTimeout(() => { watch.disconnect(); resolve(null); }, 10000);
  });
}"""
JS_WAIT = "async () => await window.__bpPress"
# A held key: watch the frame; the page reports when it last changed (after its images decoded).
JS_WATCH = """([frame, picture, handle, readout]) => {
  window.__bpLast = null;
  window.__bpKeys = [];
  // aria-valuetext: noUiSlider rounds aria-valuenow to one decimal (0.01 and 0.011 read 0.0)
  let value = handle.getAttribute('aria-valuetext');
  // the presses that moved the slider (at its end a press moves nothing and sends nothing)
  handle.addEventListener('keydown', () => {
    const t = performance.now();
    setTimeout(() => {
      const now = handle.getAttribute('aria-valuetext');
      if (now !== value) { value = now; window.__bpKeys.push(t); }
    }, 0);
  }, {capture: true});
  const watch = new MutationObserver(async () => {
    await Promise.all([...picture.querySelectorAll('img')].map(
      img => img.decode().catch(() => null)));
    window.__bpLast = performance.now();
  });
  for (const e of [frame, readout].filter(e => e)) {  // the picture, or only the words
    watch.observe(e, {childList: true, subtree: true, attributes: true, characterData: true});
  }
  window.__bpWatch = watch;
}"""
JS_SETTLED = """() => { window.__bpWatch.disconnect();
  const keys = window.__bpKeys; return [keys[keys.length - 1], window.__bpLast]; }"""
HELD_PRESSES, HELD_GAP = 20, 30  # a held key: 20 presses, 30 ms apart
LIMIT_FAR = 0.150  # seconds: 9 in 10 presses within this at Binder's distance
LIMIT_BYTES = 15_000  # median bytes received per step
LIMIT_SETTLE = 0.250  # seconds after the last press of a held key


def _percentile(values, q):
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Bytes:
    """Bytes the page receives over its websockets (Playwright's framereceived)."""

    def __init__(self, page):
        self.total = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload):
        self.total += len(payload if isinstance(payload, (bytes, str)) else b"")

    def quiet(self, page, gap_ms=150):
        """Wait until nothing arrived for ``gap_ms``; the total then."""
        last = -1
        while last != self.total:
            last = self.total
            page.wait_for_timeout(gap_ms)
        return self.total


def _panel_presses(page, panel, presses, received):
    """([seconds from keydown to the painted new frame], [bytes received per step]) for
    ``presses`` arrow keys."""
    handle = panel.locator(".noUi-handle").first
    frame = panel.locator(".bp-frame").first
    picture = panel.locator(".bp-picture").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    low = float(handle.get_attribute("aria-valuemin"))
    high = float(handle.get_attribute("aria-valuemax"))
    times, sizes = [], []
    key = "ArrowRight"
    received.quiet(page)
    for _ in range(presses):
        value = float(handle.get_attribute("aria-valuenow"))
        if value >= high:
            key = "ArrowLeft"
        elif value <= low:
            key = "ArrowRight"
        before = received.total
        readout = panel.locator(".bp-readout")
        page.evaluate(JS_ARM, [handle.element_handle(), frame.element_handle(),
                               picture.element_handle(),
                               readout.first.element_handle() if readout.count() else None])
        page.keyboard.press(key)
        ms = page.evaluate(JS_WAIT)
        if ms is None:
            raise RuntimeError("a key press changed nothing within 10 s")
        times.append(ms / 1000)
        sizes.append(received.quiet(page) - before)
    return times, sizes


def _held_key(page, panel):
    """Seconds from the last of HELD_PRESSES presses (HELD_GAP ms apart) that moved the slider
    to the panel's last new picture (or readout): how long the picture lags behind a held key;
    None if no press moved the slider."""
    handle = panel.locator(".noUi-handle").first
    frame = panel.locator(".bp-frame").first
    picture = panel.locator(".bp-picture").first
    handle.focus()
    low = float(handle.get_attribute("aria-valuemin"))
    high = float(handle.get_attribute("aria-valuemax"))
    value = float(handle.get_attribute("aria-valuenow"))
    key = "ArrowRight" if high - value >= value - low else "ArrowLeft"
    readout = panel.locator(".bp-readout")
    page.evaluate(JS_WATCH, [frame.element_handle(), picture.element_handle(),
                             handle.element_handle(),
                             readout.first.element_handle() if readout.count() else None])
    for _ in range(HELD_PRESSES):
        page.keyboard.press(key)
        page.wait_for_timeout(HELD_GAP)
    last_key, last_frame = None, None
    for _ in range(30):  # quiet for a second: the last picture has come
        page.wait_for_timeout(1000 if last_frame is None else 500)
        seen = page.evaluate("() => window.__bpLast")
        if seen is not None and seen == last_frame:
            break
        last_frame = seen
    last_key, last_frame = page.evaluate(JS_SETTLED)
    if last_key is None:
        return None  # the slider did not move (it sat at its end)
    if last_frame is None:
        raise RuntimeError("a held key changed nothing")
    return max(0.0, (last_frame - last_key) / 1000)


# The peer: the same page, kernel and widget round trip with no work: a slider whose callback
# swaps a tiny picture in an HTML widget (classes as a panel's, so the same timing applies).
PEER_SOURCE = """import ipywidgets as W
tiny = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5"
        "ErkJggg==")
slider = W.FloatSlider(value=0, min=0, max=10, step=0.1, description="peer")
frame = W.HTML(f'<img alt="0" src="data:image/png;base64,{tiny}">')
frame.add_class("bp-frame")
picture = W.Box([frame])
picture.add_class("bp-picture")
slider.observe(lambda change: setattr(frame, "value", f'<img alt="{change.new}" '
               f'src="data:image/png;base64,{tiny}#{change.new}">'), names="value")
box = W.VBox([slider, picture])
box.add_class("bp-view")
box"""


def _peer_notebook(folder: Path) -> str:
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PEER_SOURCE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    name = "_peer_round_trip.ipynb"
    nbformat.write(notebook, folder / name)
    return name


def _measure(browser, server, name, presses, proxy=None):
    """{"local"/"far": {"times", "bytes", "settle"}} over every slider panel of one notebook,
    after Run All; "far" only with a ``proxy`` (the page goes through it; it is shaped for the
    "far" measurements only)."""
    from lab_harness import NotebookPage

    context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                  device_scale_factor=2)
    context.set_default_timeout(60_000)
    page = context.new_page()
    received = Bytes(page)
    modes = ["local"] + (["far"] if proxy else [])
    found = {mode: {"times": [], "bytes": [], "settle": []} for mode in modes}
    panels = 0
    via = dataclasses.replace(server, port=proxy.port) if proxy else server
    try:
        notebook = NotebookPage(page, via, name).open()
        notebook.run_all()
        views = page.locator(".jp-Notebook .bp-view")
        for i in range(views.count()):
            panel = views.nth(i)
            # backproplib's slider panels: a slider and a frame layer (other panels differ)
            if not (panel.locator(".noUi-handle").count()
                    and panel.locator(".bp-frame").count()):
                continue
            panels += 1
            for mode in modes:
                if proxy:
                    proxy.shaped = mode == "far"
                times, sizes = _panel_presses(page, panel, presses, received)
                found[mode]["times"] += times
                found[mode]["bytes"] += sizes
                settle = _held_key(page, panel)
                if settle is not None:
                    found[mode]["settle"].append(settle)
    finally:
        if proxy:
            proxy.shaped = False
        context.close()
        server.shut_down_kernels()
    return found, panels


def _summary(found, panels):
    times, sizes, settle = found["times"], found["bytes"], found["settle"]
    held = (f"held key settles {fmt_time(median(settle))} after the last press (median; worst "
            f"{fmt_time(max(settle))})" if settle else "no held key moved a slider")
    return (f"p90 {fmt_time(_percentile(times, 0.9))}, median {fmt_time(median(times))} over "
            f"{len(times)} presses on {panels} panels; {median(sizes) / 1000:.1f} kB a step "
            f"(median; p90 {_percentile(sizes, 0.9) / 1000:.1f} kB); {held}")


def rows(s) -> list:
    what = ("key press on a slider to the visible change, every slider panel "
            "(JupyterLab, headless Chromium, devicePixelRatio 2)")
    far = (f"the same at Binder's distance (a proxy: {DELAY * 1000:.0f} ms and "
           f"{RATE * 8 / 1e6:.0f} Mbit/s each way)")
    target = "9 in 10 within 100 ms"
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    try:
        from lab_harness import CHROMIUM_ARGS, LabServer, notebook_dir
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        return [Row("browser", what, target, "-", "SKIP", f"skipped: {error}")]
    chromium = next((p for p in ("/usr/bin/chromium",) if Path(p).exists()), None)
    if chromium is None:
        return [Row("browser", what, target, "-", "SKIP", "skipped: no /usr/bin/chromium")]
    presses = 5 if s.quick else PRESSES
    found = {mode: {"times": [], "bytes": [], "settle": []} for mode in ("local", "far")}
    peer, panels, errors = None, 0, []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        folder = notebook_dir(ROOT)  # BP_BROWSER_NOTEBOOKS=... for another folder
        only = os.environ.get("BP_BROWSER_ONLY")  # e.g. "05" (development)
        server = LabServer(notebooks=folder, workdir=Path(work)).start()
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            with DistanceProxy(server.port) as proxy:
                peer, _ = _measure(browser, server, _peer_notebook(server.root / "notebooks"),
                                   presses, proxy)
                for path in sorted(folder.glob("*.ipynb")):
                    if "_view(" not in path.read_text(encoding="utf-8"):
                        continue  # no slider panel here
                    if only and not re.search(only, path.name):
                        continue
                    try:
                        measured, count = _measure(browser, server, path.name, presses, proxy)
                        for mode in found:
                            for key in found[mode]:
                                found[mode][key] += measured[mode][key]
                        panels += count
                    except Exception as error:  # one notebook must not hide the others
                        errors.append(f"{path.name}: {type(error).__name__}: {error}"[:200])
        finally:
            browser.close()
            server.stop()
    local, remote = found["local"], found["far"]
    if not local["times"] or not remote["times"]:
        return [Row("browser", what, target, "-", "ERROR",
                    "; ".join(errors) or "no slider panel found in the notebooks")]
    took = f"{time.perf_counter() - started:.0f} s for both"
    peer_p90 = _percentile(peer["local"]["times"], 0.9)
    peer_far = _percentile(peer["far"]["times"], 0.9)
    rows = [
        at_most("browser", what, _percentile(local["times"], 0.9), LIMIT,
                f"{_summary(local, panels)}; a bare widget round trip: p90 "
                f"{fmt_time(peer_p90)} ({took})", target),
        at_most("browser far", far + ": key press to new picture",
                _percentile(remote["times"], 0.9), LIMIT_FAR,
                f"{_summary(remote, panels)}; a bare widget round trip: p90 "
                f"{fmt_time(peer_far)}", "9 in 10 within 150 ms"),
        at_most("browser far", far + ": bytes received per slider step (websocket frames)",
                median(remote["bytes"]), LIMIT_BYTES,
                f"median {median(remote['bytes']) / 1000:.1f} kB, p90 "
                f"{_percentile(remote['bytes'], 0.9) / 1000:.1f} kB over "
                f"{len(remote['bytes'])} steps", "median <= 15 kB",
                unit=lambda b: f"{b / 1000:.1f} kB"),
        at_most("browser far", far + f": a held key ({HELD_PRESSES} presses {HELD_GAP} ms "
                "apart), last press to last picture, worst panel",
                max(remote["settle"] or [float("inf")]), LIMIT_SETTLE,
                f"median {fmt_time(median(remote['settle'] or [0]))}, worst "
                f"{fmt_time(max(remote['settle'] or [0]))} over {len(remote['settle'])} panels; "
                f"a bare widget (one value in flight until the kernel is idle, as ipywidgets "
                f"sends): {fmt_time(max(peer['far']['settle'] or [0]))}",
                "<= 250 ms"),
    ]
    if errors:  # a notebook that failed was not measured: the rows are not a pass
        for row in rows:
            row.status = "ERROR"
            row.detail = (row.detail + "; " if row.detail else "") + "; ".join(errors)
    return rows
