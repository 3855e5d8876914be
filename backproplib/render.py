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

from . import style


def figure_png(fig, dpi: float = style.RENDER_DPI) -> bytes:
    """PNG of the whole figure at ``dpi`` (default: twice the shown pixels), opaque."""
    buffer = io.BytesIO()
    with style.context():
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def img_html(png: bytes, alt: str, width: int, height: int) -> str:
    """``<img>`` shown at ``width`` x ``height`` CSS pixels (the PNG holds more), with ``alt``.

    The alt text comes first and the picture's bytes last, so a reader of the stored notebook
    (and nbval's comparison, whose sanitize rule masks the bytes) sees the words first."""
    alt = html.escape(" ".join(str(alt).split()), quote=True)
    data = base64.b64encode(png).decode("ascii")
    return (f'<img alt="{alt}" width="{width}" height="{height}" '
            f'style="max-width:100%;height:auto" src="data:image/png;base64,{data}">')


class FrameRenderer:
    """PNG frames of a kept figure for a slider: what does not move is drawn once into a
    background; each frame restores it and draws only the moving artists over it.

    ``dynamic`` lists the moving artists (they are marked animated, so a plain ``savefig`` of
    this figure leaves them out: use ``png()``). ``static_key`` is any value describing the
    background; when it changes (a curve was recomputed, a neuron died) the background is
    redrawn. The figure's own dpi sets the pixels: make it with ``style.RENDER_DPI``.
    """

    def __init__(self, fig, dynamic, compress_level: int = 1):
        self.fig = fig
        self.dynamic = list(dynamic)
        self.compress_level = compress_level
        for artist in self.dynamic:
            artist.set_animated(True)
        self.background = None
        self.key = object()  # matches no key: the first frame draws everything
        self.redraws = 0  # how many times the background was drawn (for tests)

    def png(self, static_key=None) -> bytes:
        from PIL import Image

        canvas = self.fig.canvas
        with style.context():
            if self.background is None or static_key != self.key:
                canvas.draw()
                self.background = canvas.copy_from_bbox(self.fig.bbox)
                self.key = static_key
                self.redraws += 1
            else:
                canvas.restore_region(self.background)
            renderer = canvas.get_renderer()
            for artist in self.dynamic:
                if artist.get_visible():
                    artist.draw(renderer)
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA",
                                 0, 1).convert("RGB")  # opaque figure: a quarter less to pack
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=self.compress_level)
        return buffer.getvalue()


__all__ = ["FrameRenderer", "figure_png", "img_html"]
