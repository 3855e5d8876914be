"""Notebook 13's panel: each change of depth, activation, init or weight scale builds the
network again from the seed and redraws |delta| and |dC/dW| per layer from one backward."""

from __future__ import annotations

import math

import ipywidgets as W

from ..core.activations import ACTIVATIONS
from ..learning import depth as deep
from ..plots import style, subplots
from ..plots.depth import DepthPlot, describe
from . import View

MAX_DEPTH = 30
LIMITS = (1e-24, 1e24)  # the panel's log scales stay put: a line tilts, the axes never move
# and its x axis spans the deepest network the depth slider allows: depth moves the lines only
SCALES = (-2, 1)  # the scale slider runs from 10^-2 to 10^1


class depth_view(View):
    """Sliders depth and scale, menus activation and init (``learning.depth.INITS``); the
    per-layer |delta^L| and |dC/dW^L| of ``learning.depth.deep_network`` on ``m`` examples."""

    title = "Gradients through depth"
    fold_title = "Each layer's |delta| and |dC/dW| at these values"

    def __init__(self, depth=20, width=32, activation="relu", init="he", scale=1.0, seed=0, m=32):
        net = deep.deep_network(depth, width, activation, init, scale, seed)
        depth, scale = len(net.layer_names), deep.number(scale, "scale")  # "20", "1/2" too
        self.width, self.seed = net.sizes[0], seed
        X, Y = deep.deep_data(net, m, seed)
        super().__init__(net, X, Y)
        deepest = self.add_slider("depth", W.IntSlider, value=depth, min=2, step=1, max=max(
            depth, min(MAX_DEPTH, deep.deepest(self.width)))).max  # each one allowed
        self.add_slider("activation", W.Dropdown(options=list(ACTIVATIONS),
                                                 value=net.activations[0].name,
                                                 description="activation"))
        self.add_slider("init", W.Dropdown(options=list(deep.INITS), value=init.strip().lower(),
                                           description="init"))
        self.add_slider("scale", W.FloatLogSlider, value=scale, base=10,
                        min=min(SCALES[0], math.log10(scale)),
                        max=max(SCALES[1], math.log10(scale)), step=0.05, readout_format=".3g")
        fig, axes = subplots(1, 2, figsize=(7.6, 3.7), layout="constrained")
        with style.context():
            self.plot = DepthPlot(deep.profile(net, X, Y), axes=axes, limits=LIMITS,
                                  layers=deepest)
            fig.canvas.draw()
            fig.set_layout_engine("none")  # keep the axes where they are from now on
        self.show_figure(self.plot)
        self.assemble()

    def _update(self):
        s = {name: control.value for name, control in self.sliders.items()}
        self.net = deep.deep_network(s["depth"], self.width, s["activation"], s["init"],
                                     s["scale"], self.seed)
        self.g = g = self._backward()
        self.profile = p = deep.profile_of(g)
        self.plot.update(p)
        variance = deep.init_variance(s["init"], self.width, self.width, s["scale"])
        self.say(lambda n: [  # sizes to 3 digits, as the verdict and the folded table give them
            f"depth {s['depth']}, width {self.width}, {self.net.activations[0].formula} hidden "
            f"layers, init {s['init']}, scale {n(s['scale'])} (Var(w) = {n(variance)} "
            "into each hidden layer)",
            p.verdict(),
            f"{describe(p, 'norms', '|dC/dW|')}; C = {n(p.cost)}"])
        if p.blocked:
            self.warnings.append(p.dead_sentence())
        self.folded = [f"{name}: |delta| = {d:.3g}, |dC/dW| = {n:.3g}"
                       for name, d, n in zip(p.names, p.deltas, p.norms)]
        self.draw()


__all__ = ["depth_view"]
