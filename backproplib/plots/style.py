"""One visual language for every figure and panel: the same meaning always gets the same colour
and line style. Colours from the Okabe-Ito palette (tests check they stay apart under simulated
deuteranopia and protanopia), every text colour at least 4.5:1 on white (WCAG AA), cividis for
the cost. A figure inch is ``SHOWN_DPI`` CSS pixels, rendered at twice that (sharp at
devicePixelRatio 2); ``FONT`` = 10.5 pt = 14 CSS px, JupyterLab's body text, the smallest.
"""

from __future__ import annotations

from cycler import cycler

# --- colours (Okabe & Ito 2008, with two darkened for text contrast) --------------------------
INK = "#1a1a1a"  # text and outlines
VALUE = "#0072B2"  # blue: values (the cost curve, value lines)
GRADIENT = "#B34700"  # vermillion, darkened from #D55E00 to reach 4.5:1 on white as text
BLOCKED = "#595959"  # grey: a dead or saturated neuron (text, edges); 7:1 on white
BLOCKED_FACE = "#e3e3e3"  # the fill of a blocked neuron
CURRENT = "#000000"  # the current point (with a white rim, ``CURRENT_EDGE``)
PAPER = "#ffffff"  # the page behind every figure
CURRENT_EDGE = PAPER
PATH = "#CC79A7"  # reddish purple: a gradient-descent path
NEGATIVE = "#E69F00"  # orange: a negative weight's edge
EDGE = "#4d4d4d"  # a positive weight's edge
NODE_FACE = "#d6e9f8"  # a live neuron's fill (a pale VALUE)
INPUT_FACE = "#f6e7c8"  # the input node's fill
GRID = "#b0b0b0"
CMAP = "cividis"
WARNING = "#a40000"  # panel warnings (text), 7.7:1 on white
GREEN = "#009E73"  # bluish green: 11's class 0, a third series (12's third class, 13's)

#: a word for each colour that carries meaning, beside its hex value, so that a notebook's text
#: names the colour a figure really draws (``plots.key``)
COLOUR_WORDS = {VALUE: "blue", GRADIENT: "brown-orange", BLOCKED: "grey", CURRENT: "black",
                PATH: "pink-purple", NEGATIVE: "yellow-orange", GREEN: "green"}

#: the colours that carry meaning, by meaning: tests check they stay apart for colour-blind eyes
KEY_COLOURS = {
    "value": VALUE, "gradient": GRADIENT, "blocked": BLOCKED, "current": CURRENT,
    "path": PATH, "negative weight": NEGATIVE,
}
#: colours that are drawn as text on white and so need a contrast of 4.5:1
TEXT_COLOURS = {"ink": INK, "value": VALUE, "gradient": GRADIENT, "blocked": BLOCKED,
                "warning": WARNING}

# --- line styles ------------------------------------------------------------------------------
TANGENT_STYLE = "--"  # the tangent line (a gradient)
BLOCKED_STYLE = "--"  # the edges into a blocked neuron
LINE_WIDTH = 2.0

# --- sizes ------------------------------------------------------------------------------------
SHOWN_DPI = 96  # CSS pixels per figure inch, as shown in the notebook
PIXEL_RATIO = 2  # image pixels per CSS pixel: sharp at devicePixelRatio 2
RENDER_DPI = SHOWN_DPI * PIXEL_RATIO
FONT = 10.5  # points; 10.5 pt at 96 px per inch = 14 px = JupyterLab's body text
MIN_FONT = FONT  # no text smaller than this
LABEL_FONT = 11.0  # axis labels
TITLE_FONT = 12.0
MARKER = 9  # the current point, in points
#: the current point as ``ax.plot(xs, ys, **POINT)`` draws it
POINT = {"marker": "o", "ls": "none", "color": CURRENT, "mec": CURRENT_EDGE, "mew": 1.5,
         "ms": MARKER}

#: the colours of several lines in one plot, in Okabe-Ito order (depth profiles, and figures
#: the notebooks draw themselves)
SERIES = [VALUE, GRADIENT, GREEN, PATH, NEGATIVE, "#56B4E9", INK]

#: rcParams for every figure the workbook draws (``context()``)
RC = {
    **dict.fromkeys(("font.size", "xtick.labelsize", "ytick.labelsize", "legend.fontsize"), FONT),
    **dict.fromkeys(("axes.titlesize", "figure.titlesize"), TITLE_FONT),
    "axes.labelsize": LABEL_FONT,
    **dict.fromkeys(("axes.edgecolor", "axes.labelcolor", "text.color", "xtick.color",
                     "ytick.color"), INK),
    "axes.prop_cycle": cycler(color=SERIES),
    "lines.linewidth": LINE_WIDTH,
    "grid.color": GRID,
    "grid.alpha": 0.5,
    "legend.frameon": True,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "#cccccc",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "image.cmap": CMAP,
    "text.hinting": "no_hinting",  # faster text, and the same look at 2x
}


def pale(colour, amount: float) -> tuple:
    """``colour`` mixed with white, ``amount`` of it (light regions, so points stand out)."""
    from matplotlib.colors import to_rgb

    return tuple(amount * c + (1 - amount) for c in to_rgb(colour))


def context():
    """``with style.context(): ...`` draws with the workbook's fonts, colours and colour map."""
    import matplotlib

    return matplotlib.rc_context(RC)


def whole_pixels(size) -> tuple[float, float]:
    """A figure size in inches rounded to whole CSS pixels (exactly twice as many rendered)."""
    return tuple(round(inches * SHOWN_DPI) / SHOWN_DPI for inches in size)


def shown_pixels(fig) -> tuple[int, int]:
    """(width, height) in CSS pixels at which ``fig`` is shown."""
    width, height = fig.get_size_inches()
    return round(width * SHOWN_DPI), round(height * SHOWN_DPI)
