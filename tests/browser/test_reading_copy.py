"""The reading copy (scripts/build_reading_copy.py) in headless Chromium, served from loopback.

Builds the site once (Jupyter Book 1, offline), serves it with a local HTTP server and opens
three pages: the start page and two notebooks with formulas, figures and a panel's static
twin. On each: MathJax typeset every formula (no raw TeX left in the text), every image loaded
and has alt text, nothing was requested from outside the site, and the console has no errors.
Needs `npm ci --prefix book` (MathJax) and jupyter-book from requirements-dev.txt.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import build_reading_copy  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["index.html", "notebooks/01_forward_pass.html", "notebooks/07_many_neurons.html"]
# TeX left unrendered: $...$ around something, \(...\), or a TeX command such as \frac
RAW_TEX = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\[|\\(frac|partial|sigma|sum|cdot|mathrm|text)\b")

JS_TEXT_OUTSIDE_CODE = """() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, mjx-container, .MathJax').forEach(e => e.remove());
  return copy.textContent;
}"""

JS_IMAGES = """async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) { img.loading = 'eager'; img.scrollIntoView(); }
  await Promise.all(imgs.map(img => img.decode().catch(() => null)));
  return imgs.map(img => ({src: img.currentSrc.slice(0, 80), alt: img.getAttribute('alt'),
                           loaded: img.complete && img.naturalWidth > 0}));
}"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _missing(what: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the reading copy cannot be built: {what}", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not build_reading_copy.MATHJAX.is_dir():
        _missing("MathJax is not installed (npm ci --prefix book)")
    if not Path(sys.executable).with_name("jupyter-book").exists():
        _missing("jupyter-book is not installed (pip install -r requirements-dev.txt)")
    output = build_reading_copy.build(tmp_path_factory.mktemp("book") / "reading-copy")
    handler = functools.partial(QuietHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield output, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_per_notebook_in_course_order_and_a_start_page(site):
    output, _ = site
    start = (output / "index.html").read_text(encoding="utf-8")
    names = [p.stem for p in build_reading_copy.course_notebooks()]
    assert names and all((output / "notebooks" / f"{n}.html").is_file() for n in names)
    intro = (output / "intro.html").read_text(encoding="utf-8")
    links = re.findall(r'href="notebooks/(\d\d_\w+)\.html"', intro)
    assert list(dict.fromkeys(links)) == names, links  # every notebook, in course order
    assert 'url=intro.html' in start or 'href="intro.html"' in start, start[:500]


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_offline(site, chromium, path):
    output, base = site
    page = chromium.new_page()
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    try:
        page.goto(base + path, wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise"
                               " && document.readyState === 'complete'", timeout=60_000)
        page.evaluate("() => MathJax.startup.promise")
        text = page.evaluate(JS_TEXT_OUTSIDE_CODE)
        raw = [m.group(0) for m in RAW_TEX.finditer(text)]
        assert not raw, f"{path}: TeX left unrendered: {raw[:5]}"
        formulas = page.locator("mjx-container").count()
        images = page.evaluate(JS_IMAGES)
        if path.startswith("notebooks/"):
            assert formulas > 0, f"{path}: no formula typeset"
            assert images, f"{path}: no figure"
        bad = [i for i in images if not i["loaded"] or not (i["alt"] or "").strip()]
        assert not bad, f"{path}: images not loaded or without alt text: {bad}"
        assert not outside, f"{path}: requested outside the site: {outside}"
        assert not errors, f"{path}: console errors: {errors}"
        if path == "notebooks/01_forward_pass.html":
            # the panel's static twin: its numbers as text, where the widget would be
            assert "dC0/dw_H0 = " in page.locator("main").inner_text()
    finally:
        page.close()
