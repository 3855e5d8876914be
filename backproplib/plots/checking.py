"""Checking gradients: a finite difference's relative error against its step h (notebook 08).

    fig = difference_errors(net, x, y, "w_H0", mark=h)   # central and forward, log-log
    plots.show(fig)                                      # alt text from fig.bp_plot

The errors come from ``chainrule.gradcheck.step_errors``; an error of exactly 0 cannot sit on
a log scale and is left out (the alt text says so).
"""

from __future__ import annotations

import numpy as np

from ..chainrule.gradcheck import STEPS, step_errors
from . import style
from .depth import COLOURS, MARKERS
from .figure import new_figure
from .scales import tex_name


class DifferenceErrors:
    """One line per finite difference (``KINDS``) over the steps, a dotted line at ``mark``."""

    def __init__(self, net, x, y, name, steps=STEPS, mark=None):
        self.name, self.mark = name, mark
        self.steps = np.asarray(steps, dtype=float)
        self.errors = step_errors(net, x, y, name, self.steps)
        self.activation = ", ".join(dict.fromkeys(a.formula for a in net.activations))
        with style.context():
            self.fig = new_figure(style.whole_pixels((5.6, 3.6)))
            self.fig.set_layout_engine("constrained")
            ax = self.ax = self.fig.add_subplot()
            self.lines = [ax.loglog(self.steps, np.where(errors > 0, errors, np.nan),
                                    marker=MARKERS[i], ms=3, color=COLOURS[i],
                                    label=f"{kind} difference")[0]
                          for i, (kind, errors) in enumerate(self.errors.items())]
            ax.set_xlim(self.steps.min() / 2, self.steps.max() * 2)
            if mark is not None:
                ax.axvline(mark, color=style.INK, ls=":", lw=1.2, label=f"h = {mark:.2g}")
            ax.set_xlabel("step $h$")
            ax.set_ylabel("relative error")
            ax.set_title(f"{self.activation}: $\\partial C_0/\\partial${tex_name(name)}")
            ax.legend(frameon=False, loc="best")
            ax.grid(alpha=0.3, which="major")

    def alt_text(self) -> str:
        low, high = self.steps.min(), self.steps.max()
        text = (f"Log-log plot of the relative error of the central and forward differences of "
                f"dC0/d{self.name} against backpropagation, activation {self.activation}, for h "
                f"from {low:.2g} to {high:.2g}. Read from the right (h shrinking): "
                + "; ".join(_trend(kind, self.steps, e) for kind, e in self.errors.items()) + ".")
        if self.mark is not None:
            inside = low <= self.mark <= high
            text += (f" A dotted line marks h = {self.mark:.2g}." if inside else
                     f" h = {self.mark:.2g} lies outside the plot.")
        return text


def _trend(kind, steps, errors):
    """Where the error of one difference is lowest, and how it gets there and away from it."""
    order = np.argsort(steps)[::-1]  # from the largest step to the smallest
    h, e = steps[order], errors[order]
    i = int(np.nanargmin(e))
    text = f"the {kind} difference's error is {e[0]:.2g} at h = {h[0]:.2g}"
    if i > 0:
        text += (f", falls {_how(np.diff(e[:i + 1]) <= 0)} to its lowest, {e[i]:.2g} at "
                 f"h = {h[i]:.2g}")
    else:
        text += ", its lowest"
    if i < len(e) - 1:
        text += f", then climbs {_how(np.diff(e[i:]) >= 0)} to {e[-1]:.2g} at h = {h[-1]:.2g}"
    zeros = int(np.sum(errors == 0))
    return text + (f" (exactly 0 at {zeros} steps, not drawn)" if zeros else "")


def _how(steady) -> str:
    return "steadily" if steady.all() else "unevenly"


def difference_errors(net, x, y, name, steps=STEPS, mark=None):
    """The relative errors of the central and forward differences of dC/d``name`` against the
    step, log-log, with a dotted line at the step ``mark``. Returns the figure."""
    plot = DifferenceErrors(net, x, y, name, steps, mark)
    plot.fig.bp_plot = plot
    return plot.fig


__all__ = ["DifferenceErrors", "difference_errors"]
