"""Drive a real JupyterLab in headless Chromium: the server, the page, Run All, sliders, cells.

Facts this relies on (checked on this machine, see shared/notes/jupyter-testing.md):
- the server needs private runtime/config/workspace/settings dirs and a settings override
  that stops the "receive Jupyter news?" pop-up;
- Run All is silently dropped if issued before the status bar reads "| Idle";
- cells use content-visibility:auto, so scroll into view before clicking or pressing keys;
- slider readouts print minus as U+2212.

Every wait polls a condition with a deadline; no fixed sleep is relied on alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MINUS = "\u2212"
NEWS_OFF = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false", "checkForUpdates": False,
    }
}


def parse_number(text: str) -> float:
    """A number as a widget shows it (U+2212 minus, thin spaces) as a float."""
    return float(text.strip().replace(MINUS, "-").replace("\u2009", "").replace(",", ""))


def notebook_dir(root: Path) -> Path:
    """The notebooks under test: BP_BROWSER_NOTEBOOKS if set, else root/notebooks."""
    return Path(os.environ.get("BP_BROWSER_NOTEBOOKS") or root / "notebooks").resolve()


# The text of an element with its line breaks, computed from the DOM: innerText is empty for
# content that content-visibility:auto skips (cells scrolled out of view).
JS_TEXT = """els => {
  if (!els.length) return '';
  const copy = els[0].cloneNode(true);
  copy.querySelectorAll('br').forEach(br => br.replaceWith('\\n'));
  copy.querySelectorAll('div, p, li, pre, tr, h1, h2, h3').forEach(e => e.append('\\n'));
  return copy.textContent;
}"""


def text_of(locator) -> str:
    """The text of the first match with its line breaks, or "" at once if there is none."""
    return locator.evaluate_all(JS_TEXT)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.1):
    """Poll ``condition()`` until it returns something truthy; that value is returned."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = condition()
        except Exception as error:  # noqa: BLE001 - keep polling, report the last one
            value, last_error = None, error
        if value:
            return value
        if time.monotonic() > deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# the server


@dataclass
class LabServer:
    """A `jupyter lab` process serving a copy of the notebooks, with everything private."""

    notebooks: Path  # the original folder; the server sees a copy
    workdir: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    process: subprocess.Popen | None = None

    @property
    def root(self) -> Path:
        return self.workdir / "root"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "jupyter-lab.log"

    def start(self, timeout: float = 60):
        # a copy, so the stored outputs of the real notebooks are never touched
        shutil.copytree(self.notebooks, self.root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        settings = self.workdir / "app-settings"
        settings.mkdir(parents=True)
        (settings / "overrides.json").write_text(json.dumps(NEWS_OFF), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "JUPYTER_PATH")}
        for var, name in [("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTER_CONFIG_DIR", "config"),
                          ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                          ("JUPYTERLAB_SETTINGS_DIR", "user-settings"),
                          ("JUPYTER_DATA_DIR", "data"), ("IPYTHONDIR", "ipython")]:
            path = self.workdir / name
            path.mkdir(parents=True, exist_ok=True)
            env[var] = str(path)
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
            f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", "--allow-root",
            f"--ServerApp.root_dir={self.root}", f"--LabApp.app_settings_dir={settings}",
            "--LabApp.expose_app_in_browser=True", "--ServerApp.terminals_enabled=False",
            "--LabServerApp.open_browser=False",
        ]
        self.log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

        def answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False

        try:
            wait_for(answers, timeout, "the Jupyter server to answer /api/status", 0.2)
        except Exception:
            self.stop()
            raise
        return self

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def api(self, method: str, path: str):
        request = urllib.request.Request(
            self.base_url + path, method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def url(self, notebook: str) -> str:
        return f"{self.base_url}/lab/tree/notebooks/{notebook}?reset&token={self.token}"

    def shut_down_kernels(self):
        """Delete every session and kernel, so the next notebook starts from nothing."""
        for session in self.api("GET", "/api/sessions") or []:
            try:
                self.api("DELETE", f"/api/sessions/{session['id']}")
            except urllib.error.HTTPError:
                pass
        for kernel in self.api("GET", "/api/kernels") or []:
            try:
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
            except urllib.error.HTTPError:
                pass
        wait_for(lambda: not self.api("GET", "/api/kernels"), 20, "kernels to shut down")

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            # by PID (its own process group: jupyter lab and the kernels it started)
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()
        self.process = None


# --------------------------------------------------------------------------------------------
# the page

# JavaScript run in the page; `app` is window.jupyterapp (expose_app_in_browser).
JS_PANEL = "(() => { const w = window.jupyterapp.shell.currentWidget; " \
           "return (w && w.content && w.sessionContext) ? w : null; })()"

JS_CODE_CELLS_STATE = """() => {
  const panel = %s;
  if (!panel) return null;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  return cells.map(c => ({
    source: c.model.sharedModel.getSource(),
    count: c.model.executionCount,
    running: c.promptNode ? c.promptNode.textContent.includes('*') : false,
    errors: c.model.outputs.toJSON().filter(o => o.output_type === 'error')
             .map(o => o.ename + ': ' + o.evalue),
  }));
}""" % JS_PANEL


# Images in outputs, scrolled into view one by one: cells use content-visibility:auto, so an
# image far from the viewport may not be laid out (shown width 0) until it is near it.
JS_OUTPUT_IMAGES = """async () => {
  const found = [];
  for (const img of document.querySelectorAll('.jp-OutputArea img')) {
    img.scrollIntoView({block: 'center'});
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    if (!img.complete) await new Promise(r => { img.onload = r; img.onerror = r; });
    const box = img.getBoundingClientRect();
    found.push({alt: img.getAttribute('alt'), classes: img.className,
                natural: img.naturalWidth, shown: box.width,
                cell: img.closest('.jp-CodeCell') ?
                  [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
                    .indexOf(img.closest('.jp-CodeCell')) : -1});
  }
  return found;
}"""

JS_LIVE_REGIONS = """() => [...document.querySelectorAll('.bp-view')].map(view => ({
  readouts: view.querySelectorAll('.bp-readout').length,
  live: view.querySelectorAll('.bp-readout [aria-live="polite"]').length,
  text: (view.querySelector('.bp-readout') || {}).textContent || '',
}))"""

JS_AXE = """async () => {
  const areas = Array.from(document.querySelectorAll('.jp-OutputArea'));
  if (!areas.length) return [];
  const result = await axe.run({include: areas}, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200)}))}));
}"""


class NotebookPage:
    """One notebook open in JupyterLab, with its kernel."""

    def __init__(self, page, server: LabServer, name: str):
        self.page = page
        self.server = server
        self.name = name

    def open(self, timeout: float = 90):
        self.page.goto(self.server.url(self.name), wait_until="domcontentloaded")
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.context"
            f" && window.jupyterapp.shell.currentWidget.context.path.endsWith({self.name!r})",
            timeout=timeout * 1000,
        )
        self.wait_idle(timeout)
        return self

    def wait_idle(self, timeout: float = 90):
        # the status bar, not the toolbar: it says Idle only once the kernel really is ready
        self.page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                     .some(e => /\\|\\s*Idle/.test(e.textContent))""",
            timeout=timeout * 1000,
        )

    def command(self, command_id: str):
        self.page.evaluate(f"window.jupyterapp.commands.execute({command_id!r})")

    def cells(self):
        return self.page.evaluate(JS_CODE_CELLS_STATE)

    def run_all(self, timeout: float = 180):
        """Clear all outputs, Run All, and wait until every non-empty code cell has run."""
        self.command("notebook:clear-all-cell-outputs")
        wait_for(lambda: all(c["count"] is None for c in self.cells()), 10,
                 "the outputs to be cleared")
        self.command("notebook:run-all-cells")

        def started():
            return any(c["count"] is not None or c["running"] for c in self.cells())

        try:
            wait_for(started, 15, "Run All to start")
        except TimeoutError:
            # the known race: Run All dropped while the kernel was still settling; once more
            self.wait_idle()
            self.command("notebook:run-all-cells")
            wait_for(started, 15, "Run All to start (second try)")

        def finished():
            cells = [c for c in self.cells() if c["source"].strip()]
            if any(c["errors"] for c in cells):
                return True  # stop waiting: the error is reported by the caller
            return all(c["count"] is not None and not c["running"] for c in cells)

        wait_for(finished, timeout, f"every cell of {self.name} to run", 0.25)
        self.wait_idle()

    def errors(self) -> list[str]:
        """Error outputs, tracebacks on stderr, widgets that failed to render."""
        problems = []
        for index, cell in enumerate(self.cells()):
            for error in cell["errors"]:
                problems.append(f"code cell {index}: {error}")
        problems += self.page.evaluate(
            """() => {
              const found = [];
              for (const e of document.querySelectorAll(
                  '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')) {
                if (e.textContent.includes('Traceback')) found.push('stderr: ' +
                    e.textContent.slice(0, 500));
              }
              for (const e of document.querySelectorAll('.jp-OutputArea-output')) {
                const t = e.textContent;
                if (t.includes('Error displaying widget') || t.includes('Model not found'))
                  found.push('widget: ' + t.slice(0, 300));
              }
              return found;
            }"""
        )
        return problems

    def output_images(self) -> list[dict]:
        """Every <img> in the notebook's outputs: alt, classes, natural and shown width."""
        return self.page.evaluate(JS_OUTPUT_IMAGES)

    def live_regions(self) -> list[dict]:
        """Per slider panel (.bp-view): how many readouts, and how many are aria-live."""
        return self.page.evaluate(JS_LIVE_REGIONS)

    def axe(self, axe_path: Path) -> list[dict]:
        """axe-core's violations inside the outputs (.jp-OutputArea) only, not JupyterLab's
        own chrome: [{id, impact, help, targets}]."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(axe_path))
        return self.page.evaluate(JS_AXE)

    def screenshot(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))

    # ----------------------------------------------------------------------------------------
    # cells by content

    def code_cell(self, contains: str):
        """The JupyterLab code cell whose source contains ``contains`` (a Locator)."""
        index = next(
            (i for i, c in enumerate(self.cells()) if contains in c["source"]), None
        )
        assert index is not None, f"no code cell of {self.name} contains {contains!r}"
        return self.page.locator(".jp-Notebook .jp-CodeCell").nth(index)


# --------------------------------------------------------------------------------------------
# a slider panel: the slider, its bp-readout and the plot image, in one cell's output


class SliderPanel:
    def __init__(self, notebook: NotebookPage, cell, slider):
        self.notebook = notebook
        self.page = notebook.page
        self.cell = cell
        self.slider = slider
        # the panel (backproplib's views are a VBox with class bp-view), else the whole cell
        view = slider.locator(
            "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' bp-view ')][1]")
        box = view if view.count() else cell
        self.box = box
        self.readout_box = box.locator(".bp-readout").first
        self.gradients_box = box.locator(".bp-gradients").first  # folded away, still in the DOM
        frame = box.locator(".bp-frame img")  # the layer that changes with every step
        self.image = frame.first if frame.count() else box.locator("img").first

    @classmethod
    def all_sliders(cls, notebook: NotebookPage):
        """[(description, locator)] for every slider in the notebook, in page order."""
        sliders = notebook.page.locator(".jp-Notebook .widget-slider")
        found = []
        for i in range(sliders.count()):
            slider = sliders.nth(i)
            label = slider.locator(".widget-label").first
            found.append((label.text_content().strip() if label.count() else "", slider))
        return found

    @classmethod
    def for_slider(cls, notebook: NotebookPage, slider):
        cell = slider.locator("xpath=ancestor::div[contains(@class,'jp-CodeCell')][1]")
        return cls(notebook, cell, slider)

    @property
    def name(self) -> str:
        return self.slider.locator(".widget-label").first.text_content().strip()

    def value(self) -> float:
        return parse_number(self.slider.locator(".widget-readout").first.text_content())

    def bounds(self) -> tuple[float, float]:
        handle = self.slider.locator(".noUi-handle").first
        return (parse_number(handle.get_attribute("aria-valuemin")),
                parse_number(handle.get_attribute("aria-valuemax")))

    def grid(self) -> tuple[float, float, float]:
        """(min, max, step) exactly, from noUiSlider's own options (the handle's aria values
        are rounded to one decimal): a typed value snaps to min + k * step."""
        options = self.slider.locator(".noUi-target").first.evaluate(
            "el => [el.noUiSlider.options.range.min, el.noUiSlider.options.range.max,"
            " el.noUiSlider.options.step]")
        return tuple(float(v[0] if isinstance(v, list) else v) for v in options)

    def readout_text(self) -> str:
        """The compact readout and, below it, the folded list of every gradient."""
        return text_of(self.readout_box) + "\n" + text_of(self.gradients_box)

    def alt_text(self) -> str:
        return self.image.get_attribute("alt") or ""

    def image_src(self) -> str:
        return self.image.evaluate(
            "img => (img.complete && img.naturalWidth > 0) ? img.src : ''"
        )

    def state(self) -> tuple[str, str, str]:
        """(slider readout, bp-readout text, plot): what the student sees. The plot is the
        moving layer's picture together with the numbers the browser draws over it (a step
        that changes only numbers sends the same pixels with new text)."""
        src = self.image_src()
        frame = self.box.locator(".bp-frame").first
        return (text_of(self.slider.locator(".widget-readout")), self.readout_text(),
                src and (src + (frame.inner_html() if frame.count() else "")))

    def press(self, key: str):
        handle = self.slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()
        self.page.keyboard.press(key)

    def type_value(self, text: str):
        readout = self.slider.locator(".widget-readout").first
        readout.scroll_into_view_if_needed()
        readout.click()
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")

    def wait_changed(self, before: tuple[str, str, str], timeout: float = 30):
        """Wait until slider readout, bp-readout and plot all differ from ``before``, and
        three samples in a row agree (a step may redraw more than once)."""
        samples = []

        def settled():
            now = self.state()
            if now[0] == before[0] or now[1] == before[1] or not now[2] or now[2] == before[2]:
                samples.clear()
                return None
            samples.append(now)
            if len(samples) >= 3 and samples[-1] == samples[-2] == samples[-3]:
                return now
            return None

        try:
            return wait_for(settled, timeout, "the slider's readout and plot to change", 0.15)
        except TimeoutError:
            now = self.state()
            unchanged = [what for what, a, b in zip(
                ("slider readout", "bp-readout", "plot image"), before, now) if a == b]
            raise AssertionError(
                f"{self.name}: after {timeout:.0f} s still unchanged: {unchanged or 'none'} "
                f"(slider readout {before[0]!r} -> {now[0]!r}; bp-readout now:\n{now[1]})"
            ) from None


# whole lines only: "slope of the tangent = dC0/dw_H1 = ..." and the like are not the list
READOUT_LINE = re.compile(r"^\s*dC0/d(\S+)(?: \(where descent ended\))?\s*=\s*(\S+)\s*$",
                          re.MULTILINE)
COST_LINE = re.compile(r"^\s*C0(?: \(where descent ended\))?\s*=\s*(\S+)\s*$", re.MULTILINE)


def readout_gradients(text: str) -> dict[str, str]:
    """{param: number text} from the lines "dC0/d<param> = <number>" of a bp-readout."""
    return {name: value.replace(MINUS, "-") for name, value in READOUT_LINE.findall(text)}


def readout_cost(text: str) -> str | None:
    match = COST_LINE.search(text)
    return match.group(1).replace(MINUS, "-") if match else None
