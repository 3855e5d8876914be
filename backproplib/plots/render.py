"""Figures to pictures: PNG bytes at twice the shown pixels, and the HTML ``<img>`` with alt text.

    png = figure_png(fig)                       # a static figure, rendered at style.RENDER_DPI
    html = img_html(png, "what it shows", *style.shown_pixels(fig))
    frames = FrameRenderer(fig, moving_artists) # a panel's figure: one PNG per slider step
    png = frames.png(static_key)                # redraws the background only when the key changes
    back, front, sent = frames.pictures(static_key, alt, *style.shown_pixels(fig))  # a panel's

What a panel sends per slider step (``pictures``) is kept small for a kernel across the
internet (Binder: about 80 ms round trip, 10 Mbit/s): the moving artists' pixels cropped to where
they are and reduced to a palette, and the changing numbers as SVG text that the browser draws
(sharp at any zoom, readable as text). Measured on the worked example's panels (2x pixels),
bytes of the moving layer and time to encode it (benchmarks/sliders.py keeps the per-step time):

    | panel    | RGBA PNG (encode_png) | PIL PNG level 6 | PIL quantize(64) | as sent now (HTML)   |
    | forward  | 91.6 kB, 10 ms        | 73.6 kB, 45 ms  | 21.7 kB, 20 ms   | 6.6 kB, step 3.2 ms  |
    | gradient | 53.3 kB, 8 ms         | 38.5 kB, 41 ms  | 11.8 kB, 16 ms   | 8.0 kB, step 6.0 ms  |
    | surface  | 32.3 kB, 8 ms         | 13.8 kB, 35 ms  | 2.4 kB, 28 ms    | 2.6 kB, step 2.2 ms  |
    | descent  | 34.3 kB, 8 ms         | 17.2 kB, 34 ms  | 5.6 kB, 18 ms    | 4.1 kB, step 3.6 ms  |
The last column is the whole frame's HTML (base64 PNG and SVG text) and the whole slider step
(backward, drawing, encoding); before, a step sent 129, 72, 45 and 47 kB and took 9.4, 11.3,
6.2 and 7.2 ms. A palette of 64 colours (PIL's FASTOCTREE) keeps antialiased edges; the
numbers, drawn as text, were most of a frame's pixels.

Everything here is about pixels; what a figure shows is plots.py's job, the sliders widgets.py's.
"""

from __future__ import annotations

import base64
import html
import io
import struct
import zlib

import numpy as np
from matplotlib.colors import to_hex

from . import style


def figure_png(fig, dpi: float = style.RENDER_DPI) -> bytes:
    """PNG of the whole figure at ``dpi`` (default: twice the shown pixels), opaque."""
    buffer = io.BytesIO()
    with style.context():
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def img_html(png: bytes, alt: str, width: int, height: int, css_class: str = "",
             mime: str = "image/png") -> str:
    """``<img>`` shown at ``width`` x ``height`` CSS pixels (the PNG holds more), with ``alt``;
    ``mime`` names another encoding of the bytes (``"image/jpeg"``).

    The alt text comes first and the picture's bytes last, so a reader of the stored notebook
    (and nbval's comparison, whose sanitize rule masks the bytes) sees the words first."""
    data = base64.b64encode(png).decode("ascii")
    klass = f'class="{css_class}" ' if css_class else ""
    return (f'<img {klass}alt="{_attr(alt)}" width="{width}" height="{height}" '
            f'style="display:block;max-width:100%;height:auto" '
            f'src="data:{mime};base64,{data}">')


def encode_png(rgba) -> bytes:
    """PNG bytes of an (height, width, 4) uint8 RGBA array, every row unfiltered.

    Written here rather than by PIL because PIL's encoder spends most of its time choosing row
    filters; unfiltered rows of a figure compress about as well. Measured on the worked
    example's panels at 2x pixels (2026-12-04): forward 91.6 kB in 10 ms here against PIL's
    96.4 kB in 29 ms (compress_level 1) or 73.6 kB in 45 ms (level 6); gradient 53 kB in 8 ms
    against 55 kB in 27 ms. Used for the backgrounds (redrawn when a panel's still parts change)
    and whole pictures; the per-step frames go through ``palette_png``. (An optional isal
    deflate was dropped: it is in no requirements file, so no student ran it.)
    """
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
    """Pictures of a kept figure for a slider, in two layers: a background holding what does
    not move, drawn and encoded only when ``static_key`` changes, and a frame holding only the
    moving artists (``dynamic``) on a transparent canvas, encoded on every step. A panel shows
    the frame stacked on the background; a mostly transparent frame encodes and travels many
    times faster than the whole picture.

    ``dynamic`` artists are marked animated, so a plain ``savefig`` of this figure leaves them
    out: use ``png()`` for one opaque picture of everything. ``static_key`` is any hashable
    value describing the background; when it changes (a curve was recomputed, a neuron died)
    the background is redrawn, or taken from the last ``CACHED`` drawn (by key). The figure's
    own dpi sets the pixels: make it with ``style.RENDER_DPI``.
    """

    CACHED = 16  # backgrounds kept: dragging back and forth across a change redraws nothing

    def __init__(self, fig, dynamic):
        self.fig = fig
        self.dynamic = sorted(dynamic, key=lambda artist: artist.get_zorder())  # stable
        for artist in self.dynamic:
            artist.set_animated(True)
        self.background = None  # the background's pixels, (height, width, 4)
        self.background_png = b""
        self.key = object()  # matches no key: the first call draws everything
        self.redraws = 0  # how many times the background was drawn (for tests)
        self.cache = {}  # static key -> background PNG, the last CACHED ones

    def _background(self, static_key) -> bool:
        """Draw the background for ``static_key``, or take it from the cache, unless it is the
        one drawn last; True if it changed."""
        if self.background is not None and static_key == self.key:
            return False
        self.key = static_key
        if static_key not in self.cache:
            self.fig.canvas.draw()  # animated (moving) artists are left out
            self.background = np.array(self.fig.canvas.buffer_rgba())
            self.cache[static_key] = encode_png(self.background)
            self.redraws += 1
            if len(self.cache) > self.CACHED:
                self.cache.pop(next(iter(self.cache)))
        self.background_png = self.cache[static_key]
        return True

    def _moving(self, numbers_as_svg=False) -> list:
        """Draw the visible moving artists on a cleared (transparent) canvas; with
        ``numbers_as_svg``, number artists are returned as SVG text instead of drawn."""
        renderer = self.fig.canvas.get_renderer()
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
        """One opaque PNG: the frame composited over the background."""
        background, frame, _ = self.layers(static_key)
        return composite(background, frame)

    def pictures(self, static_key, alt: str, width: int, height: int) -> tuple:
        """What a panel sends for one step: (background HTML, or None when it is unchanged;
        frame HTML, which carries ``alt``; the bytes of the frame's picture).

        The frame is small: numbers (``NumberText`` artists, see ``_svg_text``) go as SVG text
        drawn by the browser; the other moving artists' pixels are cropped to where they are
        and reduced to a palette PNG."""
        with style.context():
            redrawn = self._background(static_key)
            texts = self._moving(numbers_as_svg=True)
            pixels = np.asarray(self.fig.canvas.buffer_rgba())
        back = (img_html(self.background_png, "", width, height, "bp-background-image")
                if redrawn else None)
        png, box = palette_png(pixels)
        scale = width / pixels.shape[1]
        if png:
            src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        else:  # nothing but numbers moves: the alt text still needs a home (one pixel)
            src, box, scale = BLANK, (0, 0, 1, 1), 1
        left, top, right, bottom = box
        parts = [f'<img class="bp-frame-image" alt="{_attr(alt)}" '
                 f'width="{(right - left) * scale:g}" height="{(bottom - top) * scale:g}" '
                 f'style="position:absolute;left:{left * scale:g}px;top:{top * scale:g}px" '
                 f'src="{src}">']
        if texts:
            parts.append(f'<svg aria-hidden="true" width="{width}" height="{height}" '
                         f'viewBox="0 0 {pixels.shape[1]} {pixels.shape[0]}" style="position:'
                         f'absolute;left:0;top:0;pointer-events:none" font-family="DejaVu Sans,'
                         f'Verdana,sans-serif">{"".join(texts)}</svg>')
        front = (f'<div class="bp-frame-layer" style="position:relative;width:{width}px;'
                 f'height:{height}px;overflow:hidden">{"".join(parts)}</div>')
        return back, front, png


BLANK = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNg"
         "YGBgAAAABQABpfZFQAAAAABJRU5ErkJggg==")  # one transparent pixel


def _attr(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def palette_png(rgba, colours: int = 64) -> tuple:
    """(PNG bytes, (left, top, right, bottom)) of the non-transparent part of an RGBA picture,
    reduced to ``colours`` colours (PIL's fast octree, alpha kept); (b"", None) if all of it
    is transparent. Cropping first makes it both smaller and faster: quantizing costs time in
    proportion to the pixels (about 8 ns a pixel here)."""
    from PIL import Image

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
    """An SVG ``<text>`` for a number artist (plots.NumberText: ``text``, ``anchor``,
    ``anchor_transform``, ``size``, ``ha``, ``va``, ``weight``, ``LINE``/``ASCENT``/
    ``DESCENT``), in the canvas's pixels with y down; None for any other artist."""
    needed = ("anchor", "anchor_transform", "size", "ha", "va", "LINE", "ASCENT", "DESCENT")
    if not all(hasattr(artist, name) for name in needed):
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
    first = {"top": artist.ASCENT * size, "baseline": 0.0,
             "center": -(len(lines) - 1) * step / 2 + (artist.ASCENT - artist.DESCENT) * size / 2,
             "bottom": -(len(lines) - 1) * step - artist.DESCENT * size}[artist.va]
    anchor = {"left": "start", "center": "middle", "right": "end"}[artist.ha]
    colour = to_hex(artist.get_facecolor(), keep_alpha=False)
    halo = ' stroke="#fff" stroke-width="{:g}" paint-order="stroke" stroke-linejoin="round"'.format(
        round(4 * points, 1)) if artist.get_path_effects() else ""
    weight = ' font-weight="bold"' if getattr(artist, "weight", "normal") == "bold" else ""
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{y + (first + i * step) * points:.1f}">'
        f'{html.escape(line, quote=False)}</tspan>' for i, line in enumerate(lines))
    return (f'<text font-size="{size * points:.1f}" fill="{colour}" text-anchor="{anchor}"'
            f'{weight}{halo}>{spans}</text>')


def composite(background: bytes, frame: bytes) -> bytes:
    """One opaque PNG of ``frame`` over ``background`` (what a panel's stacked images show)."""
    from PIL import Image

    picture = Image.open(io.BytesIO(background)).convert("RGBA")
    picture.alpha_composite(Image.open(io.BytesIO(frame)).convert("RGBA"))
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="png")
    return buffer.getvalue()


__all__ = ["FrameRenderer", "composite", "encode_png", "figure_png", "img_html", "palette_png"]
