"""How every figure turns values into an axis, a label or a colour: names on axes (``tex_name``),
numbers in labels and ticks (``short``, ``CompactFormatter``, by ``numbers.fmt``), axis limits
that never make a change too small to see look steep (``flat_note`` says so instead), the one
contour level rule and the one colour map (``COST_CMAP``)."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.ticker import Formatter, LogLocator, MaxNLocator

from ..numbers import fmt, rounded
from . import style
from .figure import LARGEST

COST_CMAP = ListedColormap(matplotlib.colormaps[style.CMAP](
    np.linspace(0.3, 1.0, 256)), name="bp_cost")  # cividis without its darkest third
#: a change smaller than this share of the values' size is flat to the eye on an axis that
#: shows the values themselves (1% of a 300-pixel axis is 3 pixels)
RESOLVES = 0.01
FLOOR, CEILING = 1e-30, 1e30  # the widest a log axis goes: ticks near 1e300 overflow


# --- names and numbers in labels --------------------------------------------------------------
def tex_name(name: str) -> str:
    """Mathtext for a name: w_Out -> $w^{Out}$, w_H1[0,1] -> $w^{H1}_{01}$, C0 -> $C_0$."""
    if name in ("x", "y", "C"):
        return f"${name}$"
    if name == "C0":
        return "$C_0$"
    kind, _, rest = name.partition("_")
    if not rest:
        return name
    if "[" in rest:
        layer, index = rest[:-1].split("[")
        return f"${kind}^{{{layer}}}_{{{index.replace(',', '')}}}$"
    return f"${kind}^{{{rest}}}$"


def short(value) -> str:
    """``value`` in fmt's form if it ends within 9 digits and 11 characters (0.01755125), else
    to 6 significant digits (a label; the alt text carries every digit): one rule, not
    3.466913822 beside 0.805355. ``numbers.rounded`` gives a chosen number of digits."""
    text = fmt(value)
    return text if len(text) <= 11 and rounded(value, 9) == text else rounded(value, 6)


def digits_for(values) -> int:
    """Significant digits that tell ``values`` apart: enough for their smallest spacing."""
    values = np.asarray([v for v in values if np.isfinite(v)], float)
    steps = np.diff(np.sort(values))
    steps = steps[steps > 0]
    if len(steps) == 0:
        return 3
    biggest = float(np.abs(values).max())
    return int(min(12, max(1, math.ceil(math.log10(biggest / steps.min() + 1e-12)) + 1)))


class CompactFormatter(Formatter):
    """Tick labels with the digits the spacing needs, by ``fmt``, and no offset text."""

    digits = 3

    def set_locs(self, locs):
        super().set_locs(locs)
        self.digits = digits_for(locs)

    def __call__(self, value, pos=None):
        return rounded(value, self.digits).replace("-", "\u2212")


def compact_ticks(ax):
    """At most 6 ticks across and 7 up, labelled by CompactFormatter."""
    for axis, bins in ((ax.xaxis, 5), (ax.yaxis, 6)):
        axis.set_major_locator(MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]))
        axis.set_major_formatter(CompactFormatter())


# --- ranges and limits ----------------------------------------------------------------------
def half_width(value: float) -> float:
    """How far a slider or a plot reaches either side of a starting value: at least 2."""
    return max(2.0, abs(float(value)))


def centred_values(value, n: int = 201, half: float | None = None) -> np.ndarray:
    """``n`` evenly spaced values, ``half`` (or ``half_width``) either side of ``value``."""
    value = float(value)
    half = half_width(value) if half is None else float(half)
    return np.linspace(value - half, value + half, n)


def drawable(values) -> np.ndarray:
    """``values`` as floats with NaN where they cannot be drawn (infinite, NaN, beyond LARGEST)."""
    array = np.array(values, dtype=float)
    with np.errstate(invalid="ignore"):
        array[~(np.abs(array) <= LARGEST)] = np.nan
    return array


def check_drawable(values, what: str):
    """``values`` (a number or an array) if none is beyond +-LARGEST, else a ValueError naming
    ``what``: the one limit of a slider's range and of a curve's values."""
    largest = np.abs(values).max()
    if largest > LARGEST:
        raise ValueError(f"{what}: expected nothing beyond +-1e300 (a figure's axes end there), "
                         f"got {fmt(largest)}")
    return values


def too_flat(low: float, high: float) -> bool:
    """True if ``high - low`` is less than ``RESOLVES`` of the values' size."""
    return high - low < RESOLVES * max(abs(low), abs(high))


def flat_note(values, name="C0", where="on this range",
              seen=", too little to see at this scale") -> str:
    """A sentence when ``values`` change too little to see, else "", ending in what a reader
    ``seen`` on the figure (a map's colours stretch the change instead of hiding it)."""
    array = drawable(values)
    if not np.isfinite(array).any():
        return ""
    low, high = float(np.nanmin(array)), float(np.nanmax(array))
    if low == high or not too_flat(low, high):
        return ""
    digits = max(4, digits_for([low, high]))
    return (f"{name} changes by only {rounded(high - low, 3)} {where} (from {rounded(low, digits)} "
            f"to {rounded(high, digits)}){seen}")


def axis_limits(values, pad: float = 0.08):
    """(low, high), never equal, showing every drawable value with ``pad`` of the span either
    side (None if none); values ``too_flat`` to see get an axis from 0, or around them."""
    array = drawable(values)
    if not np.isfinite(array).any():
        return None
    low, high = float(np.nanmin(array)), float(np.nanmax(array))
    if too_flat(low, high) or low == high:
        size = max(abs(low), abs(high))
        if low >= 0:
            return 0.0, size * (1 + 2 * pad) if size > 0 else 1e-3
        low, high = low - size / 2, high + size / 2
    middle, half = low / 2 + high / 2, high / 2 - low / 2  # halves: no overflow near LARGEST
    return middle - half * (1 + 2 * pad), middle + half * (1 + 2 * pad)


# --- contour levels ---------------------------------------------------------------------------
def contour_levels(cost, n: int = 12) -> tuple[np.ndarray, bool]:
    """(increasing levels from the lowest to the highest cost, whether log-spaced): round
    numbers, or 1-2-5 steps over the top three decades of a non-negative cost spanning more
    than two (bands for the valley). ValueError when there is nothing to draw (no drawable
    value, or a flat cost)."""
    array = drawable(cost)
    if not np.isfinite(array).any():
        raise ValueError("C0 is too large to draw everywhere on this grid (beyond 1e300); "
                         "use smaller weights, inputs or targets")
    low, high = float(np.nanmin(array)), float(np.nanmax(array))
    if low == high:
        raise ValueError(f"C0 is {fmt(low)} at every point of this grid, so there are no "
                         "contour lines to draw; widen the ranges or choose parameters the "
                         "cost depends on here")
    if not high - low > 1e-9 * max(abs(low), abs(high)):  # it changes, below ten digits
        ends = (f"it is {fmt(low)} everywhere to ten digits" if fmt(low) == fmt(high) else
                f"from {fmt(low)} to {fmt(high)}")  # fmt's digits: as a panel prints its C0
        raise ValueError(f"C0 changes by only {fmt(high - low, 3)} over this grid ({ends}): "
                         "less than a billionth of its size, so there are no contour lines to "
                         "draw; widen the ranges or use smaller numbers")
    floor = float(np.nanpercentile(array, 2))
    log = low >= 0 and high > 100 * max(floor, high * 1e-12)
    if log:
        floor = max(floor, high * 1e-3)  # three decades: more would crowd the valley's rim
        levels = LogLocator(subs=(1, 2, 5), numticks=60).tick_values(floor, high)
    else:
        floor, levels = low, MaxNLocator(n, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    levels = levels[(levels > floor) & (levels < high)]
    return np.unique(np.concatenate([[low], levels, [high]])), log
