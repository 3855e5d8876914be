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
47 kB and took 9.4, 11.3, 6.2 and 7.2 ms. A training panel's step sends a map as its grid of
cells, lines as SVG, and its data points once, in an overlay: notebook 11's frame went from a
189 kB JPEG (253 kB of HTML) to about 20 kB of HTML, notebook 12's from 24 to 3 kB (2026-12-05;
benchmarks/training.py keeps the bytes).
"""

from __future__ import annotations

import base64
import html
import io
import struct
import zlib

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_hex
from matplotlib.image import AxesImage
from matplotlib.path import Path
from PIL import Image

from . import style


def figure_png(fig, dpi: float = style.RENDER_DPI) -> bytes:
    """PNG of the whole figure at ``dpi`` (default: twice the shown pixels), opaque."""
    buffer = io.BytesIO()
    with style.context():
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def img_html(png: bytes, alt: str, width, height, css_class: str = "",
             css: str = "display:block;max-width:100%;height:auto") -> str:
    """``<img>`` shown at ``width`` x ``height`` CSS pixels with ``alt`` before the bytes (read
    first in a stored notebook)."""
    data = base64.b64encode(png).decode("ascii")
    klass = f'class="{css_class}" ' if css_class else ""
    alt = html.escape(" ".join(str(alt).split()), quote=True)
    return (f'<img {klass}alt="{alt}" width="{width:g}" height="{height:g}" '
            f'style="{css}" src="data:image/png;base64,{data}">')


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
    """A kept figure's pictures in layers: a background, drawn only when the hashable
    ``static_key`` changes (or taken from the last ``CACHED``), a frame of the ``dynamic``
    artists, drawn every step, and an overlay of the still artists ``over`` them (a map's data
    points), drawn with the background. The dynamic and over artists are marked animated, so
    ``savefig`` leaves them out: ``png()`` is the whole picture.

    A step sends the frame at its information content: a map (an ``AxesImage``) as its own
    grid of cells, which the browser scales over the axes; numbers, lines and round markers as
    SVG; the other moving pixels as a cropped palette PNG."""

    CACHED = 16  # backgrounds kept: dragging back and forth across a change redraws nothing

    def __init__(self, fig, dynamic, over=()):
        self.fig = fig
        self.dynamic = sorted(dynamic, key=lambda artist: artist.get_zorder())  # stable
        self.over = sorted(over, key=lambda artist: artist.get_zorder())
        for artist in (*self.dynamic, *self.over):
            artist.set_animated(True)
        self.background_png = b""  # the background's PNG, as last sent
        self.over_layer = (b"", None)  # the overlay's palette PNG and box, as last sent
        self.key = object()  # matches no key: the first call draws everything
        self.redraws = 0  # how many times the background was drawn (for tests)
        self.cache = {}  # static key -> (background PNG, overlay), the last CACHED ones

    def _background(self, static_key) -> bool:
        """Draw or take from the cache the background for ``static_key``; True if it changed."""
        if self.background_png and static_key == self.key:
            return False
        self.key = static_key
        if static_key not in self.cache:
            self.fig.canvas.draw()  # animated (moving) artists are left out
            background = encode_png(np.asarray(self.fig.canvas.buffer_rgba()))
            self._moving(self.over)  # none: a transparent canvas, (b"", None)
            self.cache[static_key] = (background, palette_png(
                np.asarray(self.fig.canvas.buffer_rgba())))
            self.redraws += 1
            if len(self.cache) > self.CACHED:
                self.cache.pop(next(iter(self.cache)))
        self.background_png, self.over_layer = self.cache[static_key]
        return True

    def _moving(self, artists, as_svg=False) -> list:
        """Draw the visible ``artists`` on a cleared (transparent) canvas; with ``as_svg``,
        maps are left out (``_map``) and the artists SVG can say (``_svg``) are returned as SVG
        elements instead."""
        renderer = self.fig.canvas.get_renderer()
        renderer.clear()
        svg = []
        for artist in artists:
            if not artist.get_visible() or (as_svg and isinstance(artist, AxesImage)):
                continue
            element = _svg(artist) if as_svg else None
            if element is None:
                artist.draw(renderer)
            else:
                svg.append(element)
        return svg

    def layers(self, static_key=None) -> tuple[bytes, bytes, bool]:
        """(background PNG, PNG of the moving and over artists, whether the background was
        redrawn for this call), every layer drawn by matplotlib."""
        with style.context():
            redrawn = self._background(static_key)
            self._moving([*self.dynamic, *self.over])
            frame = encode_png(np.asarray(self.fig.canvas.buffer_rgba()))
        return self.background_png, frame, redrawn

    def png(self, static_key=None) -> bytes:
        """One opaque PNG of the whole picture."""
        return composite(*self.layers(static_key)[:2])

    def pictures(self, static_key, alt: str, width: int, height: int) -> tuple:
        """(background HTML or None if unchanged, frame HTML carrying ``alt``, the frame's
        palette PNG) at ``width`` x ``height`` CSS pixels, or any width in that proportion."""
        with style.context():
            redrawn = self._background(static_key)
            svg = self._moving(self.dynamic, as_svg=True)
            pixels = np.asarray(self.fig.canvas.buffer_rgba())
        back = (img_html(self.background_png, "", width, height, "bp-background-image")
                if redrawn else None)
        scale = width / pixels.shape[1]
        images = [_map(image) for image in self.dynamic
                  if isinstance(image, AxesImage) and image.get_visible()]
        png, box = palette_png(pixels)
        if png or not images:  # nothing else moves: the alt text still needs a home (one pixel)
            images.append((png, box, "", ""))
        # the first image says what the whole picture shows; the others are parts of it
        parts = [_placed(image, box, f"{'bp-frame-image' if i == 0 else 'bp-part-image'} {kind}",
                         css, pixels.shape, scale, "" if i else alt)
                 for i, (image, box, kind, css) in enumerate(images)]
        if svg:
            parts.append(f'<svg aria-hidden="true" width="100%" height="100%" viewBox="0 0 '
                         f'{pixels.shape[1]} {pixels.shape[0]}" style="position:absolute;left:0;'
                         f'top:0;pointer-events:none" font-family="DejaVu Sans,Verdana,sans-serif">'
                         f'{"".join(svg)}</svg>')
        return back, _layer(parts, width, height), png

    def overlay(self, width: int, height: int) -> str:
        """The overlay's HTML (the still artists ``over`` the frame), for the last background."""
        shape = np.asarray(self.fig.canvas.buffer_rgba()).shape
        return _layer([_placed(*self.over_layer, "bp-part-image", "", shape, width / shape[1])],
                      width, height)


def _layer(parts, width, height) -> str:
    """A layer of absolutely placed ``parts``, ``width`` x ``height`` CSS pixels at most,
    shrinking in proportion with the space it gets."""
    return (f'<div class="bp-frame-layer" style="position:relative;width:100%;max-width:'
            f'{width}px;aspect-ratio:{width}/{height};overflow:hidden">{"".join(parts)}</div>')


def _placed(png, box, css_class, css, shape, scale, alt="") -> str:
    """``png`` shown over ``box`` (left, top, right, bottom) of a picture of ``shape`` (rows,
    columns) image pixels, ``scale`` CSS pixels each, placed in percentages of the layer; no
    ``png`` (b""): one blank pixel in the corner."""
    if not png:
        png, box = BLANK, (0, 0, 1 / scale, 1 / scale)
    left, top, right, bottom = box
    rows, columns = shape[:2]
    return img_html(png, alt, (right - left) * scale, (bottom - top) * scale, css_class.strip(),
                    css=f"position:absolute;left:{100 * left / columns:.4g}%;"
                    f"top:{100 * top / rows:.4g}%;width:{100 * (right - left) / columns:.4g}%;"
                    f"height:{100 * (bottom - top) / rows:.4g}%{css}")


def _map(image) -> tuple:
    """(PNG, box, class, CSS) of an ``AxesImage`` (a map of values over a grid): a PNG of its own
    cells, which the browser scales over the image's extent, smoothly, or with
    ``interpolation="nearest"`` as crisp cells. Notebook 11's 100 x 100 decision regions:
    4-5 kB, where a step sent a 189 kB JPEG of the whole picture before (2026-12-05)."""
    rgba = image.to_rgba(image.get_array(), bytes=True)
    if image.origin == "lower":
        rgba = rgba[::-1]
    if (rgba[:, :, 3] == 255).all():
        rgba = rgba[:, :, :3]  # opaque: RGB, 7% fewer bytes
    x0, x1, y0, y1 = image.get_extent()
    (left, bottom), (right, top) = image.axes.transData.transform([(x0, y0), (x1, y1)])
    rows = image.figure.bbox.height
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba)).save(buffer, format="png")
    crisp = image.get_interpolation() in ("nearest", "none")  # each cell's edges stay sharp
    return (buffer.getvalue(), (left, rows - top, right, rows - bottom), "bp-map-image",
            ";image-rendering:pixelated" if crisp else "")


BLANK = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABp"
                         "fZFQAAAAABJRU5ErkJggg==")  # one transparent pixel, PNG


def palette_png(rgba, colours: int = 64) -> tuple:
    """(PNG bytes, (left, top, right, bottom)) of the non-transparent part of an RGBA picture
    in ``colours`` colours (PIL's fast octree); (b"", None) if all transparent. Cropped first:
    quantizing costs about 8 ns a pixel."""
    image = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    box = image.getbbox()  # of the alpha channel
    if box is None:
        return b"", None
    buffer = io.BytesIO()
    image.crop(box).quantize(colours, method=Image.Quantize.FASTOCTREE).save(
        buffer, format="png", compress_level=6)
    return buffer.getvalue(), box


def _svg(artist):
    """SVG for an artist, in the canvas's pixels with y down: a ``NumberText`` (anything with
    ``line_top``) as text, a ``LineCollection`` as lines, a scatter of round markers as circles;
    None for any other artist, or one with transparent colours. The weights of notebook 11's
    panel, 88 lines and 19 nodes: 8.4 kB of SVG written in 1.6 ms, against a 27 kB palette PNG
    drawn and encoded in 27 ms (2026-12-05)."""
    points, height = artist.figure.dpi / 72, artist.figure.bbox.height
    if isinstance(artist, LineCollection):
        return _svg_lines(artist, points, height)
    if isinstance(artist, PathCollection):
        return _svg_circles(artist, points, height)
    if not hasattr(artist, "line_top"):
        return None
    text = artist.get_text()
    if not text:
        return ""
    x, y = artist.anchor_transform.transform(artist.anchor)
    y = height - y  # y down
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


def _colours(rgba, n):
    """``n`` hex colours from matplotlib's (k, 4) RGBA (k is 1 or n); None if any is see-through
    (left to the PNG, which blends it as matplotlib does)."""
    rgba = np.broadcast_to(np.asarray(rgba, dtype=float).reshape(-1, 4), (n, 4))
    return None if (rgba[:, 3] < 1).any() else [to_hex(c) for c in rgba]


def _svg_lines(lines, points, height):
    """A ``LineCollection`` of solid, opaque lines as SVG paths (``points``: pixels a point;
    ``height``: the canvas's, to turn y down)."""
    segments = lines.get_segments()
    colours = _colours(lines.get_colors(), len(segments))
    if colours is None or lines.get_linestyle()[0][1] is not None:  # dashed: the PNG's
        return None
    widths = np.broadcast_to(lines.get_linewidths(), len(segments)) * points
    xy = lines.get_transform().transform(np.concatenate(segments))  # one call: 0.1 ms each
    ends = np.cumsum([len(segment) for segment in segments])
    paths = []
    for segment, colour, width in zip(np.split(xy, ends[:-1]), colours, widths):
        d = "L".join(f"{x:.1f} {height - y:.1f}" for x, y in segment)
        paths.append(f'<path d="M{d}" stroke="{colour}" stroke-width="{width:.3g}"/>')
    cap = {"round": "round", "projecting": "square"}.get(lines.get_capstyle(), "butt")
    return f'<g fill="none" stroke-linecap="{cap}">{"".join(paths)}</g>'


ROUND = Path.unit_circle().vertices / 2  # scatter's marker "o": diameter sqrt(s) points


def _svg_circles(dots, points, height):
    """A scatter of opaque round markers as SVG circles (``points``, ``height``: as above)."""
    paths = dots.get_paths()
    if len(paths) != 1 or not np.allclose(paths[0].vertices, ROUND):
        return None
    centres = dots.get_offset_transform().transform(dots.get_offsets())
    n = len(centres)
    faces = _colours(dots.get_facecolors(), n)
    edges = _colours(dots.get_edgecolors(), n)
    if faces is None or edges is None:
        return None
    radii = np.sqrt(np.broadcast_to(dots.get_sizes(), n)) / 2 * points
    widths = np.broadcast_to(dots.get_linewidths(), n) * points
    return "".join(f'<circle cx="{x:.1f}" cy="{height - y:.1f}" r="{r:.3g}" fill="{f}" '
                   f'stroke="{e}" stroke-width="{w:.3g}"/>'
                   for (x, y), r, f, e, w in zip(centres, radii, faces, edges, widths))


def composite(background: bytes, frame: bytes) -> bytes:
    """One opaque PNG of ``frame`` over ``background`` (what a panel's stacked images show)."""
    picture = Image.open(io.BytesIO(background)).convert("RGBA")
    picture.alpha_composite(Image.open(io.BytesIO(frame)).convert("RGBA"))
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="png")
    return buffer.getvalue()
