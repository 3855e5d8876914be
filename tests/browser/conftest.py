"""Fixtures for the JupyterLab browser tests: one server and one Chromium for the session.

Without Playwright or a Chromium binary these tests skip with the reason; in CI (CI=true) a
missing browser is a failure, because there the suite is expected to run.

BP_BROWSER_NOTEBOOKS=/some/folder runs the suite against other notebooks (used to develop the
harness against a small notebook before the real ones existed); BP_CHROMIUM overrides the
browser binary (default /usr/bin/chromium, then `chromium` on PATH).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lab_harness import CHROMIUM_ARGS, LabServer, notebook_dir

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def _chromium_path() -> str | None:
    configured = os.environ.get("BP_CHROMIUM")
    if configured:  # an explicit choice is final: BP_CHROMIUM=/nonexistent means no browser
        return configured if Path(configured).exists() else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _no_browser(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


# Module scope, not session: while Playwright's sync API is open its event loop counts as
# running in this thread, so later tests that ask asyncio for a running loop would find it.
@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright is not installed (pip install -r requirements-dev.txt)")
    executable = _chromium_path()
    if executable is None:
        _no_browser("no Chromium at " + (os.environ.get("BP_CHROMIUM") or "/usr/bin/chromium or "
                    "on PATH") + " (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def lab_server(chromium, tmp_path_factory):
    folder = notebook_dir(ROOT)
    if not any(folder.glob("*.ipynb")):
        pytest.skip(f"no notebooks in {folder}")
    server = LabServer(notebooks=folder, workdir=tmp_path_factory.mktemp("jupyterlab"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
