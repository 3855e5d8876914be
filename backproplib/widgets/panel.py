"""The one base of every slider panel: controls, a picture, an aria-live readout, a summary.

A subclass adds its sliders (``add_slider``) and figure (``show_figure``), calls ``assemble``
and writes ``_update``: read the sliders, compute, ``say`` its lines, add ``warnings``, ``draw()``.
A callback never raises: a bad value is explained in the readout instead. A change that
arrives while the panel draws only marks it stale: the panel then draws once more, from the
newest values, after answering the browser (``browser_loop``).
"""

from __future__ import annotations

import asyncio
import html
import re

import ipywidgets as W
import numpy as np

from ..numbers import fmt
from ..plots import render, style

SIGNIFICANT = 4  # digits a readout shows; the full numbers fold away below it
# before the alt text of a picture kept from the last setting, when this one cannot be shown
STALE = "Not redrawn for this setting, which cannot be shown (the readout says why): "


def brief(value) -> str:
    """A number for a readout: ``fmt`` to 4 significant digits (12.32, 0.007163, -0.5,
    3.51e-08), no float noise."""
    return fmt(value, SIGNIFICANT)


_LONG = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?:e[-+]?\d+)?")


def briefly(text: str) -> str:
    """``text`` with every number of more than 4 decimals shortened by ``brief``."""
    return _LONG.sub(lambda m: brief(float(m.group())), text)


# The readout's look, sent once per panel. A box of fixed height scrolls, with shadows at the
# edges where more text hides (white covers ride with the text, background-attachment: local).
READOUT_CSS = (
    ".bp-live{font-family:monospace;line-height:1.35}"
    ".bp-live.bp-fixed{overflow-y:auto;box-sizing:border-box;padding:0 .3em;"
    "scrollbar-gutter:stable;"
    "background:linear-gradient(#fff 30%,rgba(255,255,255,0)) top/100% 2em no-repeat local,"
    "linear-gradient(rgba(255,255,255,0),#fff 70%) bottom/100% 2em no-repeat local,"
    "radial-gradient(farthest-side at 50% 0,rgba(0,0,0,.28),rgba(0,0,0,0)) top/100% .8em "
    "no-repeat scroll,"
    "radial-gradient(farthest-side at 50% 100%,rgba(0,0,0,.28),rgba(0,0,0,0)) bottom/100% .8em "
    "no-repeat scroll}"
    f".bp-live .bp-warning{{color:{style.WARNING}}}")


def browser_loop():
    """The kernel's event loop while it handles a widget's new value from the browser, else None
    (a value set by code is drawn at once). Drawing after the answer takes the drawing out of
    the browser's round trip: at Binder's distance (80 ms) a held key's last value leaves sooner."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        if kernel is None or kernel.get_parent().get("header", {}).get("msg_type") != "comm_msg":
            return None
        return asyncio.get_running_loop()
    except (ImportError, AttributeError, RuntimeError):  # no IPython; an ipykernel before 6
        return None


class Panel:
    """A slider panel: ``widget`` (the box), ``sliders``, ``buttons``, ``picture`` (a still
    ``background`` under the moving ``frame``, which carries the alt text, and for a figure with
    still artists over moving ones, an ``overlay`` on top), ``readout`` (aria-live: ``lines``,
    then ``warnings``), ``unrounded`` (the lines with every digit, for the summary), ``folded``
    (every digit, folded away below), ``summary()``, ``png()``, ``error`` (the last a callback
    caught), ``pictures_sent``, ``frame_bytes``."""

    title = ""
    readout_height = None  # a fixed height (CSS) for the readout, or None: it grows
    css = ""  # the panel's own look, sent once with the readout's (READOUT_CSS)
    slider_width = "460px"
    continuous_update = True  # sliders report while they move, not only when let go

    def __init__(self):
        self.sliders, self.buttons = {}, {}
        self._forget()
        self.extra = []  # widgets below the readout (the folded lines, a ledger)
        self.pictures_sent = 0
        self.frame_bytes = b""
        self.background = W.HTML()  # the figure's still parts: changes rarely
        self.frame = W.HTML()  # its moving parts, with the alt text
        self.background.add_class("bp-background")
        self.frame.add_class("bp-frame")
        self.picture = W.GridBox([self.background, self.frame])
        self.picture.add_class("bp-picture")
        # the box inside (_write_readout) keeps a fixed height, if any: the widget around it
        # takes the height of what it holds, so nothing is cut off
        self.readout = W.HTML(layout=W.Layout(width="100%", **(
            {} if self.readout_height else {"min_height": "7em"})))
        self.readout.add_class("bp-readout")
        self._drawing = False  # inside refresh: a change now only marks the panel stale
        self._stale = False

    # building
    def add_slider(self, name, control=W.FloatSlider, **traits):
        """Add ``control`` as ``name``: a widget, or a widget class built with ``traits``,
        labelled ``name`` and ``slider_width`` wide; ``assemble`` gives the labels one width."""
        if isinstance(control, type):
            control = control(**{"description": name, "continuous_update": self.continuous_update,
                                 "layout": W.Layout(width=self.slider_width), **traits})
        control.observe(self._on_change, names="value")
        self.sliders[name] = control
        return control

    def show_figure(self, plot, moving=None, **options):
        """Show ``plot.fig`` (``plot`` has ``dynamic_artists()``, ``static_key()``, ``alt_text()``)
        at whole CSS pixels; a ``render.FrameRenderer`` with ``options`` redraws the ``moving``
        artists (by default the dynamic ones) per step."""
        self.plot, self.fig = plot, plot.fig
        self.fig.set_size_inches(style.whole_pixels(self.fig.get_size_inches()))
        self.renderer = render.FrameRenderer(self.fig, plot.dynamic_artists() if moving is None
                                             else moving, **options)
        if self.renderer.over:  # still artists over the moving ones: a third layer, on top
            self.overlay = W.HTML()
            self.picture.children = (*self.picture.children, self.overlay)
        self.size = style.shown_pixels(self.fig)
        # the layers lie on one another in one grid cell, the figure's width at most: in a
        # narrower output area (a small screen) they shrink together, never cut off
        for layer in self.picture.children:
            layer.layout = W.Layout(grid_area="picture", width="100%", margin="0", padding="0")
        self.picture.layout = W.Layout(width="100%", max_width=f"{self.size[0]}px",
                                       grid_template_areas='"picture"',
                                       grid_template_columns="minmax(0, 1fr)",
                                       overflow="hidden")  # never a scrollable region

    def assemble(self, children=None):
        """Stack ``children`` (by default the sliders, the picture, the readout and ``extra``)
        and draw."""
        children = children or [W.VBox(list(self.sliders.values())), self.picture, self.readout,
                                *self.extra]
        longest = max((len(control.description) for control in self.sliders.values()), default=0)
        for control in self.sliders.values():  # the longest whole (1em more: "w_Out" is wide),
            control.style = {"description_width": f"{0.55 * longest + 1:.3g}em"}  # tracks line up
        look = W.HTML(layout=W.Layout(display="none"))
        self.widget = W.VBox([*children, look])
        self.widget.add_class("bp-view")
        self.widget.add_class(f"bp-{self.widget.model_id}")
        look.value = f"<style>{READOUT_CSS}{self.css}{self._focus_css()}</style>"
        self.refresh()

    def _focus_css(self) -> str:
        """A scroll margin below each slider's handle, down to the readout's bottom: focusing a
        slider (Tab, a click) scrolls its handle into view and, with it, the picture and readout
        below (at most a screen less JupyterLab's bars, so the handle itself stays in view)."""
        row = "(var(--jp-widgets-inline-height) + 2 * var(--jp-widgets-margin))"
        # the picture, the readout, and 10px: the rest of the handle's row and the gap
        below = f"{self.size[1] + 10}px + {self.readout_height or '7em'}"
        for k, slider in enumerate(reversed(self.sliders.values())):  # k slider rows below
            slider.add_class(f"bp-rows-below-{k}")
        return "".join(
            f".bp-{self.widget.model_id} .bp-rows-below-{k} .noUi-handle{{scroll-margin-bottom:"
            f"min(calc({k} * {row} + {below}), calc(100vh - 140px))}}"  # JupyterLab's bars
            for k in range(len(self.sliders)))

    # running
    def _on_change(self, change=None):
        self._stale = True
        if self._drawing:  # a newer value while drawing (or waiting to): drawn once, newest
            return
        self._drawing = True
        loop = browser_loop()
        if loop is None:
            self._catch_up()
        else:  # answer the browser first, then draw: its next value is already on the way
            loop.call_soon(self._catch_up)

    def _catch_up(self):
        try:
            while self._stale:  # the newest values only, however many arrived meanwhile
                self._stale = False
                self.refresh()
        finally:
            self._drawing = False

    def refresh(self):
        """Recompute from the controls and redraw; any error ends up in the readout."""
        self._forget()
        sent = self.pictures_sent
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                self._update()
        except Exception as error:  # a slider or a button must never break the notebook
            self.error = error
            self.warnings.append(f"Cannot show this setting: {error}")
            if sent == self.pictures_sent and STALE not in self.frame.value:  # not redrawn
                self.frame.value = self.frame.value.replace('alt="', f'alt="{STALE}', 1)
        self._write_readout()

    def _update(self):
        raise NotImplementedError

    def _forget(self):
        """No lines, folded lines, warnings or error yet: nothing stale from the last step."""
        self.lines, self.unrounded, self.folded, self.warnings, self.gives = [], [], [], [], set()
        self.error = None

    def say(self, text, gives=()):
        """Add the lines ``text(printer)`` (a function of the number printer): to the readout as
        ``text(brief)``, short, and to the summary as ``text(fmt)``, every digit; the summary
        leaves out the folded lines of the quantities named in ``gives`` ("C0", "dC0/dw_Out"),
        which these lines state already."""
        self.lines += text(brief)
        self.unrounded += text(fmt)
        self.gives |= set(gives)

    def draw(self):
        """Send the picture: the background if it changed, the frame with the alt text."""
        back, front, data = self.renderer.pictures(self.plot.static_key(),
                                                   self.plot.alt_text(), *self.size)
        if back is not None:
            self.background.value = back
            if self.renderer.over:
                self.overlay.value = self.renderer.overlay(*self.size)
        self.frame.value = front
        self.frame_bytes = data
        self.pictures_sent += 1

    def png(self) -> bytes:
        """The picture the panel shows now, as one opaque PNG."""
        return self.renderer.png(self.plot.static_key())

    def _write_readout(self):
        """The lines, then the warnings in the warning colour (numbers shortened by
        ``briefly``), in an aria-live region that keeps ``readout_height``, if any, and scrolls."""
        body = "<br>".join(html.escape(briefly(line), quote=False) for line in self.lines)
        warn = "".join(f'<div class="bp-warning">{html.escape(briefly(w), quote=False)}</div>'
                       for w in self.warnings)
        fixed = f' bp-fixed" style="height:{self.readout_height}' if self.readout_height else ""
        # a region that scrolls must take keyboard focus too
        self.readout.value = (f'<div class="bp-live{fixed}" role="status" aria-live="polite" '
                              f'aria-atomic="true" tabindex="0">{body}{warn}</div>')

    # showing
    def summary(self) -> str:
        """What the panel shows, as plain text, each quantity once and with every digit: title,
        the readout's lines unrounded, the folded lines they do not state, warnings."""
        folded = [line for line in self.folded if line not in self.unrounded
                  and line not in self.warnings and line.partition(" = ")[0] not in self.gives]
        return "\n".join([self.title] * bool(self.title) + self.unrounded + folded
                         + [f"Warning: {w}" for w in self.warnings])

    def _repr_mimebundle_(self, **kwargs):
        # Where widgets don't render (GitHub, nbviewer, a saved file reopened), the text form
        # is what a reader sees: make it the panel's numbers, not the widget tree.
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.summary()
        return bundle

    def __repr__(self):
        return f"<{type(self).__name__}: {', '.join([*self.sliders, *self.buttons])}>"


__all__ = ["READOUT_CSS", "Panel", "brief", "briefly", "browser_loop"]
