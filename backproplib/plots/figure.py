"""One way to make a figure (``new_figure``: outside pyplot, so the inline backend never shows
it twice) and one way to show it (``show``). A figure drawn here keeps the object that drew it
as ``fig.bp_plot``, which says what it shows (``alt_text()``)."""

from __future__ import annotations

import textwrap

from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import render, style

LARGEST = 1e300  # numbers beyond this are not drawn: axis arithmetic near 1.8e308 overflows
HALO = [patheffects.withStroke(linewidth=4, foreground="white")]


def new_figure(figsize, dpi=style.RENDER_DPI) -> Figure:
    """A Figure with an Agg canvas, outside pyplot, ``figsize`` rounded to whole CSS pixels."""
    fig = Figure(figsize=style.whole_pixels(figsize), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def figure_and_axes(ax, figsize):
    """(figure, axes): ``ax`` and its figure, or a new figure holding one axes."""
    if ax is None:
        ax = new_figure(figsize).add_subplot()
    return ax.figure, ax


def figure_of(plot):
    """``plot.fig``, with ``plot`` kept as its ``bp_plot`` (which ``show`` asks for alt text)."""
    plot.fig.bp_plot = plot
    return plot.fig


class AltText:
    """The ``bp_plot`` of a figure that never changes once drawn: its alt text, fixed then."""

    def __init__(self, text: str):
        self.text = text

    def alt_text(self) -> str:
        return self.text


def subplots(nrows: int = 1, ncols: int = 1, figsize=(5.6, 3.6), layout=None, **kwargs):
    """(figure, axes) in the workbook's style, for figures a notebook draws itself."""
    with style.context():
        fig = new_figure(figsize)
        fig.set_layout_engine(layout)
        return fig, fig.subplots(nrows, ncols, **kwargs)


def show(fig, alt: str | None = None, note: str | None = None) -> None:
    """Show ``fig`` as a sharp ``<img>`` with alt text (and the alt text as text/plain):
    ``alt``, by default ``fig.bp_plot.alt_text()`` (a figure drawn by hand needs it), then
    ``note``, a sentence after it."""
    from IPython.display import display

    display(figure_bundle(fig, alt, note), raw=True)


def figure_bundle(fig, alt: str | None = None, note: str | None = None) -> dict:
    """The output ``show`` displays: {"text/html": <img alt=... src=PNG>, "text/plain": alt}."""
    if alt is None:
        if not hasattr(getattr(fig, "bp_plot", None), "alt_text"):
            raise TypeError("plots.show: this figure was not drawn by backproplib.plots, so it "
                            "cannot describe itself; pass alt='what it shows, with its key "
                            "numbers' (computed, e.g. with bp.fmt)")
        alt = fig.bp_plot.alt_text()
    alt = f"{alt} {note}" if note else alt
    if not isinstance(alt, str) or not alt.strip():
        raise TypeError(f"plots.show: alt must be a non-empty text, got {alt!r}")
    fig.set_size_inches(style.whole_pixels(fig.get_size_inches()))
    width, height = style.shown_pixels(fig)
    png = render.figure_png(fig)
    return {"text/html": render.img_html(png, alt, width, height), "text/plain": alt}


def say(ax, message):
    """Write ``message`` across the middle of ``ax`` (a figure that cannot draw its data)."""
    return ax.text(0.5, 0.5, "\n".join(textwrap.wrap(message, 48)), transform=ax.transAxes,
                   ha="center", va="center", fontsize=style.FONT, color=style.WARNING, zorder=8,
                   bbox={"facecolor": "white", "edgecolor": style.WARNING, "pad": 6})
