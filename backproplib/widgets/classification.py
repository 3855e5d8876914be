"""The slow start, live (notebook 12): a slider on the z of a sigmoid output moves the point on
the cost and on dC0/dz under both costs; the readout gives sigma'(z) and both first deltas.

    view = slow_start_view(z=4, y=0)
    view                      # the panel
    print(view.summary())     # what it shows, as plain text
"""

from __future__ import annotations

import ipywidgets as W

from ..numbers import fmt
from ..plots.classification import SlowStartPlot
from .training import Panel


class SlowStartView(Panel):
    """A slider ``z`` for a sigmoid output with target ``y``; ``SlowStartPlot`` and a readout."""

    def __init__(self, z, y, reach=8.0):
        super().__init__()
        self.y = y
        z = float(z)
        reach = max(float(reach), abs(z))
        self.title = f"A sigmoid output with target y = {fmt(y)}: both costs against its z"
        self.slider("z", W.FloatSlider(value=z, min=-reach, max=reach, step=0.05,
                                       description="z of the output", readout_format=".2f",
                                       continuous_update=True))
        self.plot = SlowStartPlot(z, y, reach)
        self.figure(self.plot, self.plot.fig)
        self.widget = W.VBox([*self.sliders.values(), self.picture, self.readout])
        self.widget.add_class("bp-view")
        self.refresh()

    def update(self):
        self.plot.update(self.sliders["z"].value)
        n = self.plot.now
        quad, cross = float(n.quadratic_delta), float(n.cross_entropy_delta)
        self.lines = [
            f"z = {fmt(float(n.z))}, a = sigma(z) = {fmt(float(n.a))}, y = {fmt(n.y)}, "
            f"sigma'(z) = {fmt(float(n.slope))}",
            f"quadratic:     C0 = {fmt(float(n.quadratic))}, dC0/dz = 2(a - y) sigma'(z) = "
            f"{fmt(quad)}",
            f"cross-entropy: C0 = {fmt(float(n.cross_entropy))}, dC0/dz = a - y = {fmt(cross)}",
        ]
        if quad != 0:
            self.lines.append(f"cross-entropy's first delta is {fmt(round(cross / quad, 3))} "
                              f"times the quadratic cost's (1 / (2 sigma'(z)))")
        self.draw()


def slow_start_view(z, y, reach=8.0) -> SlowStartView:
    """The slow-start panel for a sigmoid output starting at ``z`` with target ``y``; the slider
    reaches from -``reach`` to ``reach`` (or to |z|, if larger)."""
    return SlowStartView(z, y, reach)


__all__ = ["SlowStartView", "slow_start_view"]
