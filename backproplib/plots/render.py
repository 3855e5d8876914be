"""Figures to pictures: PNG bytes at twice the shown pixels, and the HTML ``<img>`` with alt text.

A panel's slider step (``FrameRenderer.pictures``) sends little, for a kernel across the internet
(Binder: about 80 ms round trip, 10 Mbit/s): the moving artists' pixels cropped and reduced to a
palette, and the numbers as SVG text. Measured on the worked example's panels (2x pixels), the
moving layer's bytes and encoding time (benchmarks/sliders.py keeps the per-step time):

    | panel    | RGBA PNG (encode_png) | PIL PNG level 6 | PIL quantize(64) | as sent now (HTML)   |
    | forward  | 91.6 kB, 10 ms        | 73.6 kB, 45 ms  | 21.7 kB, 20 ms   | 6.6 kB, step 3.2 ms  |
    | gradient | 53.3 kB, 8 ms         | 38.5 kB, 41 ms  | 11.8 kB, 16 ms   | 8.0 kB, step 6.0 ms  |
    | surface  | 32.3 kB, 8 ms         | 13.8 kB, 35 ms  | 2.4 kB, 28 ms    | 2.6 kB, step 2.2 ms  |
    | descent  | 34.3 kB, 8 ms         | 17.2 kB, 34 ms  | 5.6 kB, 18 ms    | 4.1 kB, step 3.6 ms  |
The last column is the whole frame's HTML and slider step; before, a step sent 129, 72, 45 and
47 kB and took 9.4, 11.3, 6.2 and 7.2 ms.
"""

from __future__ import annotations

import base64
import html
import io
import struct
import zlib

import numpy as np
from matplotlib.colors import to_hex
from PIL import Image

from . import style


def figure_png(fig, dpi: float = style.RENDER_DPI) -> bytes:
    """PNG of the whole figure at ``dpi`` (default: twice the shown pixels), opaque."""
    buffer = io.BytesIO()
    with style.context():
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def img_html(png: bytes, alt: str, width, height, css_class: str = "", mime: str = "image/png",
             css: str = "display:block;max-width:100%;height:auto") -> str:
    """``<img>`` shown at ``width`` x ``height`` CSS pixels with ``alt`` before the bytes (read
    first in a stored notebook); ``mime`` names another encoding (``"image/jpeg"``)."""
    data = base64.b64encode(png).decode("ascii")
    klass = f'class="{css_class}" ' if css_class else ""
    return (f'<img {klass}alt="{_attr(alt)}" width="{width:g}" height="{height:g}" '
            f'style="{css}" src="data:{mime};base64,{data}">')


def encode_png(rgba) -> bytes:
    """PNG bytes of an (height, width, 4) uint8 RGBA array, every row unfiltered: PIL spends
    most of its time choosing row filters (forward panel 2026-12-04: 91.6 kB in 10 ms here,
    PIL 96.4 kB in 29 ms at compress_level 1; gradient 53 kB in 8 ms against 55 kB in 27 ms)."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    height, width = rgba.shape[:2]
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type 0 (none) for every row
    rows[:, 1:] = rgba.reshape(height, -1)
    data = zlib.compress(rows, 1)  # level 1: the measured sizes above

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind))))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


class FrameRenderer:
    """A kept figure's pictures in two layers: a background, drawn only when the hashable
    ``static_key`` changes (or taken from the last ``CACHED``), and a frame of the ``dynamic``
    artists on a transparent canvas, drawn every step. The dynamic artists are marked
    animated, so ``savefig`` leaves them out: ``png()`` is the whole picture.

    With ``jpeg`` (a quality), a step sends the whole picture as one JPEG instead (a figure
    whose moving part is most of it): the still parts restored from the canvas's kept copy,
    then ``paint(canvas)`` (pixels painted under the moving artists), then those artists."""

    CACHED = 16  # backgrounds kept: dragging back and forth across a change redraws nothing

    def __init__(self, fig, dynamic, jpeg=None, paint=None):
        self.fig = fig
        self.dynamic = sorted(dynamic, key=lambda artist: artist.get_zorder())  # stable
        for artist in self.dynamic:
            artist.set_animated(True)
        self.jpeg, self.paint = jpeg, paint
        self.background_png = b""  # the background's PNG, as last sent
        self.still = None  # with jpeg: the canvas's copy of the still parts (copy_from_bbox)
        self.key = object()  # matches no key: the first call draws everything
        self.redraws = 0  # how many times the background was drawn (for tests)
        self.cache = {}  # static key -> background PNG, the last CACHED ones

    def _background(self, static_key) -> bool:
        """Draw or take from the cache the background for ``static_key``; True if it changed."""
        if self.background_png and static_key == self.key:
            return False
        self.key = static_key
        if static_key not in self.cache:
            self.fig.canvas.draw()  # animated (moving) artists are left out
            self.cache[static_key] = encode_png(np.asarray(self.fig.canvas.buffer_rgba()))
            self.redraws += 1
            if len(self.cache) > self.CACHED:
                self.cache.pop(next(iter(self.cache)))
        self.background_png = self.cache[static_key]
        return True

    def _moving(self, numbers_as_svg=False, clear=True) -> list:
        """Draw the visible moving artists on a cleared (transparent) canvas, or over what it
        holds; with ``numbers_as_svg``, number artists are returned as SVG text instead."""
        renderer = self.fig.canvas.get_renderer()
        if clear:
            renderer.clear()
        texts = []
        for artist in self.dynamic:
            if not artist.get_visible():
                continue
            text = _svg_text(artist) if numbers_as_svg else None
            if text is None:
                artist.draw(renderer)
            else:
                texts.append(text)
        return texts

    def layers(self, static_key=None) -> tuple[bytes, bytes, bool]:
        """(background PNG, frame PNG, whether the background was redrawn for this call)."""
        with style.context():
            redrawn = self._background(static_key)
            self._moving()
            frame = encode_png(np.asarray(self.fig.canvas.buffer_rgba()))
        return self.background_png, frame, redrawn

    def png(self, static_key=None) -> bytes:
        """One opaque PNG of the whole picture."""
        if self.jpeg:
            return self._whole(static_key, format="png")
        background, frame, _ = self.layers(static_key)
        return composite(background, frame)

    def _whole(self, static_key, **save) -> bytes:
        """The whole picture, opaque, saved by PIL with ``save`` (a jpeg renderer's step)."""
        canvas = self.fig.canvas
        if self.still is None or static_key != self.key:
            with style.context():
                canvas.draw()
            self.still, self.key = canvas.copy_from_bbox(self.fig.bbox), static_key
            self.redraws += 1
        else:
            canvas.restore_region(self.still)
        if self.paint is not None:
            self.paint(canvas)
        self._moving(clear=False)  # no rc context needed: these carry their own style
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB").save(buffer, **save)
        return buffer.getvalue()

    def pictures(self, static_key, alt: str, width: int, height: int) -> tuple:
        """(background HTML or None if unchanged, frame HTML carrying ``alt``, the frame's PNG):
        numbers (``NumberText``) go as SVG text, other moving pixels as a cropped palette PNG;
        with ``jpeg``, (None, the whole picture as one ``<img>`` carrying ``alt``, its JPEG)."""
        if self.jpeg:
            jpeg = self._whole(static_key, format="jpeg", quality=self.jpeg)
            return None, img_html(jpeg, alt, width, height, "bp-frame-image", "image/jpeg"), jpeg
        with style.context():
            redrawn = self._background(static_key)
            texts = self._moving(numbers_as_svg=True)
            pixels = np.asarray(self.fig.canvas.buffer_rgba())
        back = (img_html(self.background_png, "", width, height, "bp-background-image")
                if redrawn else None)
        png, box = palette_png(pixels)
        scale = width / pixels.shape[1]
        if not png:  # nothing but numbers moves: the alt text still needs a home (one pixel)
            box, scale = (0, 0, 1, 1), 1
        left, top, right, bottom = box
        parts = [img_html(png or BLANK, alt, (right - left) * scale, (bottom - top) * scale,
                          "bp-frame-image", css=f"position:absolute;left:{left * scale:g}px;"
                          f"top:{top * scale:g}px")]
        if texts:
            parts.append(f'<svg aria-hidden="true" width="{width}" height="{height}" '
                         f'viewBox="0 0 {pixels.shape[1]} {pixels.shape[0]}" style="position:'
                         f'absolute;left:0;top:0;pointer-events:none" font-family="DejaVu Sans,'
                         f'Verdana,sans-serif">{"".join(texts)}</svg>')
        front = (f'<div class="bp-frame-layer" style="position:relative;width:{width}px;'
                 f'height:{height}px;overflow:hidden">{"".join(parts)}</div>')
        return back, front, png


BLANK = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABp"
                         "fZFQAAAAABJRU5ErkJggg==")  # one transparent pixel, PNG


def _attr(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def palette_png(rgba, colours: int = 64) -> tuple:
    """(PNG bytes, (left, top, right, bottom)) of the non-transparent part of an RGBA picture
    in ``colours`` colours (PIL's fast octree); (b"", None) if all transparent. Cropped first:
    quantizing costs about 8 ns a pixel."""
    alpha = rgba[:, :, 3]
    rows = np.flatnonzero(alpha.any(axis=1))
    if not len(rows):
        return b"", None
    cols = np.flatnonzero(alpha[rows[0]:rows[-1] + 1].any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    image = Image.fromarray(np.ascontiguousarray(rgba[top:bottom, left:right]), "RGBA")
    buffer = io.BytesIO()
    image.quantize(colours, method=Image.Quantize.FASTOCTREE).save(buffer, format="png",
                                                                   compress_level=6)
    return buffer.getvalue(), (int(left), int(top), int(right), int(bottom))


def _svg_text(artist):
    """An SVG ``<text>`` for a ``NumberText`` (anything with ``line_top``), in the canvas's
    pixels with y down; None for any other artist."""
    if not hasattr(artist, "line_top"):
        return None
    fig = artist.figure
    text = artist.get_text()
    if not text:
        return ""
    points = fig.dpi / 72
    x, y = artist.anchor_transform.transform(artist.anchor)
    y = fig.bbox.height - y  # y down
    lines = text.split("\n")
    size = artist.size
    step = artist.LINE * size
    first = -artist.line_top(len(lines))
    anchor = {"left": "start", "center": "middle", "right": "end"}[artist.ha]
    colour = to_hex(artist.get_facecolor(), keep_alpha=False)
    halo = ' stroke="#fff" stroke-width="{:g}" paint-order="stroke" stroke-linejoin="round"'.format(
        round(4 * points, 1)) if artist.get_path_effects() else ""
    weight = ' font-weight="bold"' if artist.weight == "bold" else ""
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{y + (first + i * step) * points:.1f}">'
        f'{html.escape(line, quote=False)}</tspan>' for i, line in enumerate(lines))
    return (f'<text font-size="{size * points:.1f}" fill="{colour}" text-anchor="{anchor}"'
            f'{weight}{halo}>{spans}</text>')


def composite(background: bytes, frame: bytes) -> bytes:
    """One opaque PNG of ``frame`` over ``background`` (what a panel's stacked images show)."""
    picture = Image.open(io.BytesIO(background)).convert("RGBA")
    picture.alpha_composite(Image.open(io.BytesIO(frame)).convert("RGBA"))
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="png")
    return buffer.getvalue()
