"""Figures to pictures: PNG bytes at twice the shown pixels, and the HTML ``<img>`` with alt text.

    png = figure_png(fig)                       # a static figure, rendered at style.RENDER_DPI
    html = img_html(png, "what it shows", *style.shown_pixels(fig))
    frames = FrameRenderer(fig, moving_artists) # a panel's figure: one PNG per slider step
    png = frames.png(static_key)                # redraws the background only when the key changes

Everything here is about pixels; what a figure shows is plots.py's job, the sliders widgets.py's.
"""

from __future__ import annotations

import base64
import html
import io
import struct
import zlib

import numpy as np

from . import style


def figure_png(fig, dpi: float = style.RENDER_DPI) -> bytes:
    """PNG of the whole figure at ``dpi`` (default: twice the shown pixels), opaque."""
    buffer = io.BytesIO()
    with style.context():
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def img_html(png: bytes, alt: str, width: int, height: int, css_class: str = "") -> str:
    """``<img>`` shown at ``width`` x ``height`` CSS pixels (the PNG holds more), with ``alt``.

    The alt text comes first and the picture's bytes last, so a reader of the stored notebook
    (and nbval's comparison, whose sanitize rule masks the bytes) sees the words first."""
    alt = html.escape(" ".join(str(alt).split()), quote=True)
    data = base64.b64encode(png).decode("ascii")
    klass = f'class="{css_class}" ' if css_class else ""
    return (f'<img {klass}alt="{alt}" width="{width}" height="{height}" '
            f'style="display:block;max-width:100%;height:auto" '
            f'src="data:image/png;base64,{data}">')


def encode_png(rgba, compress_level: int = 1) -> bytes:
    """PNG bytes of an (height, width, 4) uint8 RGBA array, every row unfiltered.

    Written here rather than by PIL because a slider sends one per step and PIL's encoder
    spends most of its time choosing row filters; unfiltered rows of a figure (large areas of
    one colour, or of full transparency for a frame's moving parts) compress about as well.
    Deflate comes from ``isal`` where it is installed (several times faster), else ``zlib``.
    """
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    height, width = rgba.shape[:2]
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type 0 (none) for every row
    rows[:, 1:] = rgba.reshape(height, -1)
    data = _deflate(rows, compress_level)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind))))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


try:  # optional: the same deflate stream, several times faster
    from isal import isal_zlib as _fast_zlib
except ImportError:  # pragma: no cover - depends on the environment
    _fast_zlib = None


def _deflate(rows, level):
    if _fast_zlib is not None:
        return _fast_zlib.compress(rows, min(level, 3))
    return zlib.compress(rows, level)


class FrameRenderer:
    """Pictures of a kept figure for a slider, in two layers: a background holding what does
    not move, drawn and encoded only when ``static_key`` changes, and a frame holding only the
    moving artists (``dynamic``) on a transparent canvas, encoded on every step. A panel shows
    the frame stacked on the background; a mostly transparent frame encodes and travels many
    times faster than the whole picture.

    ``dynamic`` artists are marked animated, so a plain ``savefig`` of this figure leaves them
    out: use ``png()`` for one opaque picture of everything. ``static_key`` is any value
    describing the background; when it changes (a curve was recomputed, a neuron died) the
    background is redrawn, or taken from the last ``CACHED`` drawn (by key). The figure's own
    dpi sets the pixels: make it with
    ``style.RENDER_DPI``.
    """

    def __init__(self, fig, dynamic, compress_level: int = 1):
        self.fig = fig
        self.dynamic = sorted(dynamic, key=lambda artist: artist.get_zorder())  # stable
        self.compress_level = compress_level
        for artist in self.dynamic:
            artist.set_animated(True)
        self.background = None  # the background's pixels, (height, width, 4)
        self.background_png = b""
        self.key = object()  # matches no key: the first call draws everything
        self.redraws = 0  # how many times the background was drawn (for tests)
        self.cache = {}  # static key -> background PNG, the last CACHED ones

    CACHED = 16  # backgrounds kept: dragging back and forth across a change redraws nothing

    def layers(self, static_key=None) -> tuple[bytes, bytes, bool]:
        """(background PNG, frame PNG, whether the background was redrawn for this call)."""
        canvas = self.fig.canvas
        with style.context():
            redrawn = self.background is None or static_key != self.key
            if redrawn:
                self.key = static_key
                cached = self._cached(static_key)
                if cached is None:
                    canvas.draw()  # animated (moving) artists are left out
                    self.background = np.array(canvas.buffer_rgba())
                    self.background_png = encode_png(self.background, self.compress_level)
                    self.redraws += 1
                    self._remember(static_key, self.background_png)
                else:
                    self.background_png = cached
            renderer = canvas.get_renderer()
            renderer.clear()  # transparent
            for artist in self.dynamic:
                if artist.get_visible():
                    artist.draw(renderer)
            frame = encode_png(np.asarray(canvas.buffer_rgba()), self.compress_level)
        return self.background_png, frame, redrawn

    def _cached(self, key):
        try:
            return self.cache.get(key)
        except TypeError:  # an unhashable key is never cached
            return None

    def _remember(self, key, png):
        try:
            self.cache[key] = png
        except TypeError:
            return
        while len(self.cache) > self.CACHED:
            self.cache.pop(next(iter(self.cache)))

    def png(self, static_key=None) -> bytes:
        """One opaque PNG: the frame composited over the background."""
        background, frame, _ = self.layers(static_key)
        return composite(background, frame)


def composite(background: bytes, frame: bytes) -> bytes:
    """One opaque PNG of ``frame`` over ``background`` (what a panel's stacked images show)."""
    from PIL import Image

    picture = Image.open(io.BytesIO(background)).convert("RGBA")
    picture.alpha_composite(Image.open(io.BytesIO(frame)).convert("RGBA"))
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="png")
    return buffer.getvalue()


def stacked_html(background: bytes, frame: bytes, alt: str, width: int, height: int) -> tuple:
    """(background HTML, frame HTML): two ``<img>`` of the same size for a panel to stack; the
    frame carries the alt text (it changes with the sliders), the background is decorative
    (alt="")."""
    return (img_html(background, "", width, height, "bp-background-image"),
            img_html(frame, alt, width, height, "bp-frame-image"))


__all__ = ["FrameRenderer", "composite", "encode_png", "figure_png", "img_html", "stacked_html"]
