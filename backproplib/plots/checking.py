"""Checking gradients: a finite difference's relative error against its step h (notebook 08),
from ``chainrule.gradcheck.step_errors``. An error of exactly 0 is left off the log scale."""

from __future__ import annotations

import numpy as np

from ..chainrule.gradcheck import STEPS, step_errors
from . import style
from .depth import COLOURS, MARKERS
from .figure import figure_of, subplots
from .scales import tex_name


class DifferenceErrors:
    """One line per finite difference over the steps, a dotted line at the step ``mark``."""

    def __init__(self, net, x, y, name, steps=STEPS, mark=None):
        self.name, self.mark, self.steps = name, mark, np.asarray(steps, dtype=float)
        self.errors = step_errors(net, x, y, name, self.steps)
        self.activation = ", ".join(dict.fromkeys(a.formula for a in net.activations))
        self.fig, ax = subplots(layout="constrained")
        with style.context():
            self.lines = [ax.loglog(self.steps, np.where(errors > 0, errors, np.nan), ms=3,
                                    marker=MARKERS[i], color=COLOURS[i],
                                    label=f"{kind} difference")[0]
                          for i, (kind, errors) in enumerate(self.errors.items())]
            low, high = self.steps.min(), self.steps.max()
            ax.set_autoscalex_on(False)  # xlim below: with every error 0, the mark alone sized it
            if mark is not None:  # the axis reaches the mark: the dotted line is always seen
                ax.axvline(mark, color=style.INK, ls=":", lw=1.2, label=f"h = {mark:.2g}")
                low, high = min(low, mark), max(high, mark)
            ax.set(xlim=(low / 2, high * 2), xlabel="step $h$", ylabel="relative error",
                   title=f"{self.activation}: $\\partial C_0/\\partial${tex_name(name)}")
            ax.legend(frameon=False, loc="best")
            ax.grid(alpha=0.3)

    def alt_text(self) -> str:
        mark = "" if self.mark is None else f" A dotted line marks h = {self.mark:.2g}."
        return (f"Log-log plot of the relative error of the central and forward differences of "
                f"dC0/d{self.name} against backpropagation, activation {self.activation}, for h "
                f"from {self.steps.min():.2g} to {self.steps.max():.2g}. Read from the right "
                "(h shrinking): " + "; ".join(_trend(kind, self.steps, e) for kind, e in
                                              self.errors.items()) + "." + mark)


def _trend(kind, steps, errors):
    """Where one difference's error is lowest, and whether it falls and climbs steadily."""
    if not errors.any():  # both 0 at every step: the check of a gradient of 0 checks nothing
        return f"the {kind} difference's error is exactly 0 at every step (nothing drawn)"
    order = np.argsort(steps)[::-1]  # from the largest step to the smallest
    h, e = steps[order], errors[order]
    i = int(np.nanargmin(e))
    text = f"the {kind} difference's error is {e[0]:.2g} at h = {h[0]:.2g}"
    text += (f", falls {_how(np.diff(e[:i + 1]) <= 0)} to its lowest, {e[i]:.2g} at "
             f"h = {h[i]:.2g}" if i > 0 else ", its lowest")
    if i < len(e) - 1:
        text += f", then climbs {_how(np.diff(e[i:]) >= 0)} to {e[-1]:.2g} at h = {h[-1]:.2g}"
    zeros = int(np.sum(errors == 0))
    return text + (f" (exactly 0 at {zeros} steps, not drawn)" if zeros else "")


def _how(steady) -> str:
    return "steadily" if steady.all() else "unevenly"


def difference_errors(net, x, y, name, steps=STEPS, mark=None):
    """``DifferenceErrors``' figure."""
    return figure_of(DifferenceErrors(net, x, y, name, steps, mark))
