"""One way to make a figure and one way to show it.

    fig = new_figure((6.0, 4.0))                # a Figure outside pyplot, at style.RENDER_DPI
    fig, ax = figure_and_axes(ax, (6.0, 4.0))   # ``ax``'s figure, or a new one with one axes
    show(fig)                                   # a sharp <img> with alt text, in a notebook

Every figure of the workbook comes from ``new_figure``: the inline backend never shows it by
itself (no figure twice), and ``show`` is the only path to the screen. A figure drawn by this
package keeps the object that drew it as ``fig.bp_plot``, which says what it shows
(``alt_text()``).
"""

from __future__ import annotations

import textwrap

from matplotlib import patheffects
from matplotlib.figure import Figure

from . import render, style

LARGEST = 1e300  # numbers beyond this are not drawn: axis arithmetic near 1.8e308 overflows
HALO = [patheffects.withStroke(linewidth=4, foreground="white")]


def new_figure(figsize, dpi=style.RENDER_DPI) -> Figure:
    """A Figure with an Agg canvas, outside pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def figure_and_axes(ax, figsize, projection=None):
    """(figure, axes): ``ax`` and its figure, or a new figure holding one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(figsize)
    return fig, fig.add_subplot(projection=projection)


def subplots(nrows: int = 1, ncols: int = 1, figsize=(5.6, 3.6), layout=None, **kwargs):
    """(figure, axes) in the workbook's style (fonts, colours): for figures a notebook draws
    itself. Show the result with ``plots.show(fig, alt=...)``."""
    with style.context():
        fig = new_figure(figsize)
        fig.set_layout_engine(layout)
        return fig, fig.subplots(nrows, ncols, **kwargs)


def keep_inside(fig, pad: float = 6.0):
    """Move the axes in (``subplots_adjust``) until no tick label, axis label or title of any
    axes sticks out of the figure by more than ``pad`` pixels from its edges.

    For figures laid out with fixed margins (cheaper than tight_layout, which draws everything
    once more): fixed fractions fit "1" but cut off the axis label beside "−0.25". Only
    text is measured; nothing is drawn."""
    renderer = fig.canvas.get_renderer()
    boxes = [box for ax in fig.axes
             if (box := ax.get_tightbbox(renderer, for_layout_only=True,
                                         bbox_extra_artists=[])) is not None]
    if not boxes:
        return fig
    width, height = fig.bbox.width, fig.bbox.height
    params = fig.subplotpars
    left = params.left + max(0.0, pad - min(b.x0 for b in boxes)) / width
    right = params.right - max(0.0, max(b.x1 for b in boxes) - (width - pad)) / width
    bottom = params.bottom + max(0.0, pad - min(b.y0 for b in boxes)) / height
    top = params.top - max(0.0, max(b.y1 for b in boxes) - (height - pad)) / height
    if (left, right, bottom, top) != (params.left, params.right, params.bottom, params.top):
        fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top)
    return fig


def show(fig, alt: str | None = None, note: str | None = None) -> None:
    """Show ``fig`` in the notebook as a sharp picture with alt text.

    Use it instead of ``plt.show()`` for every static figure. The output is an HTML ``<img>``
    holding a PNG with twice the pixels it is shown at (sharp at devicePixelRatio 2) and the
    alt text, plus the alt text as ``text/plain`` (what a text-only viewer shows). ``alt`` says
    what the figure shows with its key numbers; by default it comes from the figure's own
    ``fig.bp_plot.alt_text()``. A figure drawn by hand (``plots.subplots``) needs ``alt=``.
    ``note`` is a sentence added after it: how the figure's network relates to the notebook's.
    """
    from IPython.display import display

    display(figure_bundle(fig, alt, note), raw=True)


def figure_bundle(fig, alt: str | None = None, note: str | None = None) -> dict:
    """The output ``show`` displays: {"text/html": <img alt=... src=PNG>, "text/plain": alt}."""
    if alt is None:
        plot = getattr(fig, "bp_plot", None)
        if plot is None or not hasattr(plot, "alt_text"):
            raise TypeError("plots.show: this figure was not drawn by backproplib.plots, so it "
                            "cannot describe itself; pass alt='what it shows, with its key "
                            "numbers' (computed, e.g. with bp.fmt)")
        alt = plot.alt_text()
    alt = f"{alt} {note}" if note else alt
    if not isinstance(alt, str) or not alt.strip():
        raise TypeError(f"plots.show: alt must be a non-empty text, got {alt!r}")
    fig.set_size_inches(style.whole_pixels(fig.get_size_inches()))
    width, height = style.shown_pixels(fig)
    png = render.figure_png(fig)
    return {"text/html": render.img_html(png, alt, width, height), "text/plain": alt}


def say(ax, message, size=style.FONT):
    """Write ``message`` across the middle of ``ax`` (a figure that cannot draw its data)."""
    return ax.text(0.5, 0.5, "\n".join(textwrap.wrap(message, 48)), transform=ax.transAxes,
                   ha="center", va="center", fontsize=size, color=style.WARNING, zorder=8,
                   bbox={"facecolor": "white", "edgecolor": style.WARNING, "pad": 6})
