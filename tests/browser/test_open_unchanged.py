"""Opening a notebook in JupyterLab must not mark it changed.

A student who opens a notebook and touches nothing should see no unsaved-changes dot on its tab
(JupyterLab's ``jp-mod-dirty``) and ``context.model.dirty`` false, also after the kernel has
started and reported its language (JupyterLab then writes the kernel's ``language_info`` into
the notebook's metadata: if the stored file holds another, the notebook turns dirty).
scripts/refresh_notebooks.py stores notebooks in the form JupyterLab keeps, and this test
checks the result for every notebook.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lab_harness import NotebookPage, notebook_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(notebook_dir(ROOT).glob("*.ipynb"))

JS_DIRTY = """() => {
  const widget = window.jupyterapp.shell.currentWidget;
  const tabs = [...document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty')];
  return {model: widget.context.model.dirty, tabs: tabs.map(t => t.textContent)};
}"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_opening_leaves_the_notebook_unchanged(path, chromium, lab_server, artifacts):
    context = chromium.new_context(viewport={"width": 1280, "height": 800},
                                   device_scale_factor=2)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        notebook = NotebookPage(page, lab_server, path.name).open()
        # the kernel is idle; give the front end a moment for late metadata updates (the
        # kernel info reply, widget managers), then look: nothing may have changed
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            state = page.evaluate(JS_DIRTY)
            if state["model"] or state["tabs"]:
                break
            time.sleep(0.2)
        if state["model"] or state["tabs"]:
            notebook.screenshot(artifacts / f"{path.stem}-dirty-on-open.png")
        assert not state["model"] and not state["tabs"], (
            f"{path.name} is marked changed right after opening, before anything was touched: "
            f"model.dirty = {state['model']}, dirty tabs = {state['tabs']}")
    finally:
        context.close()
        lab_server.shut_down_kernels()
