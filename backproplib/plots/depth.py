"""Gradients through depth, layer by layer: |delta^L| and |dC/dW^L| on log scales, input side
on the left. A 0 (behind dead neurons) is a hollow marker on the bottom edge; layers blocked on
every example get grey crosses along the top."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.lines import Line2D

from ..learning.depth import DepthProfile
from ..numbers import article, plural
from . import style
from .figure import figure_of, subplots
from .scales import CEILING, FLOOR  # the widest the log axes go

COLOURS = style.SERIES[:5]
MARKERS = ["o", "s", "^", "D", "v"]
SNAP = 2  # log limits move in steps of this many decades
QUANTITIES = (("deltas", r"$|\delta^L| = |\partial C_0/\partial z^L|$", "|delta|"),
              ("norms", r"$|\partial C/\partial W^L|$", "|dC/dW|"))


class DepthPlot:
    """|delta^L| and |dC/dW^L| against the layer, a line per profile; ``update`` moves the first.
    For a panel, ``limits`` (low, high) fixes both log scales and ``layers`` the x axis (layers
    numbered from 0 = H0), so that the lines move and not the axes."""

    def __init__(self, profiles, axes=None, limits=None, layers=None):
        self.fixed = None if limits is None else tuple(math.log10(v) for v in limits)
        self.span = layers
        if isinstance(profiles, DepthProfile):
            profiles = {"": profiles}
        if not isinstance(profiles, dict) or not profiles or not all(
                isinstance(p, DepthProfile) for p in profiles.values()):
            raise TypeError("profiles: expected a DepthProfile or a dict {label: DepthProfile} "
                            "(from learning.depth.profile)")
        if len(profiles) > len(COLOURS):
            raise ValueError(f"profiles: at most {len(COLOURS)} in one figure, got "
                             f"{len(profiles)}")
        self.profiles = dict(profiles)
        if axes is None:
            _, axes = subplots(1, 2, figsize=(8.4, 4.1), layout="constrained")
        with style.context():
            self.axes = tuple(axes)
            self.fig = self.axes[0].figure
            self._draw()

    def _draw(self):
        self.lines = {key: [] for key, _, _ in QUANTITIES}
        self.zeros = {key: [] for key, _, _ in QUANTITIES}  # hollow markers on the floor: 0
        self.crosses = []
        for ax, (key, label, _) in zip(self.axes, QUANTITIES):
            ax.set(yscale="log", ylabel=label, xlabel="layer (input side on the left)"
                   if self.span is None else "layer number (0 = H0)")
            ax.grid(True, which="major", alpha=0.4)
            for i, name in enumerate(self.profiles):
                self.lines[key] += ax.plot([], [], marker=MARKERS[i], ms=4, color=COLOURS[i],
                                           lw=style.LINE_WIDTH, label=name or None)
                self.zeros[key] += ax.plot([], [], MARKERS[i], ms=7, mfc="white", mec=COLOURS[i],
                                           mew=1.5, clip_on=False, zorder=4, in_layout=False)
            first = next(iter(self.profiles))
            whose = f" ({first})" if len(self.profiles) > 1 else ""
            # out of the layout: no crosses (no data) must not upset it
            self.crosses += ax.plot([], [], "x", color=style.BLOCKED, ms=6, mew=1.5,
                                    clip_on=False, in_layout=False,
                                    label=f"blocked neurons on every example{whose}")
        zero = Line2D([], [], marker="o", ls="", ms=7, mfc="white", mec=style.INK, mew=1.5,
                      label="0 (below any log scale)")
        handles = self.lines["deltas"] + [self.crosses[0], zero]
        self.fig.legend(handles=[h for h in handles if not h.get_label().startswith("_")],
                        loc="outside lower center", ncols=min(3, len(handles)),
                        fontsize=style.FONT, frameon=False)
        self.key = None
        self._show()

    def _show(self):
        """Set the limits for the profiles, then every line and marker."""
        self._limits()
        for i, p in enumerate(self.profiles.values()):
            layers = np.arange(len(p.names))
            for (key, _, _), (low, high), cross in zip(QUANTITIES, self.key[1], self.crosses):
                values = np.asarray(getattr(p, key), dtype=float)
                shown = np.where((values > 0) & np.isfinite(values), values, np.nan)
                self.lines[key][i].set_data(layers, shown)
                at_zero = layers[values == 0]  # on the bottom edge
                self.zeros[key][i].set_data(at_zero, np.full(len(at_zero), 10.0 ** low))
                if i == 0:  # the first profile's blocked layers, along the top edge
                    blocked = layers[np.asarray(p.blocked_count) > 0]
                    cross.set_data(blocked, np.full(len(blocked), 10.0 ** high))

    def _limits(self):
        """Log limits in steps of ``SNAP`` decades, kept while the values fit and fill a third."""
        names = max((p.names for p in self.profiles.values()), key=len)
        limits = []
        old = self.key[1] if self.key else (None, None)
        for ax, (key, _, _), kept in zip(self.axes, QUANTITIES, old):
            values = np.concatenate([np.asarray(getattr(p, key), float)
                                     for p in self.profiles.values()])
            values = values[(values > 0) & np.isfinite(values)]
            first, last = np.log10([values.min(), values.max()]) if len(values) else (-1.0, 1.0)
            if self.fixed is not None:
                low, high = self.fixed
            elif kept is not None and kept[0] <= first and last <= kept[1] and \
                    (last - first) * 3 >= kept[1] - kept[0] - 2 * SNAP:
                low, high = kept
            else:
                low = max(math.log10(FLOOR), SNAP * math.floor(first / SNAP - 0.1))
                high = min(math.log10(CEILING), SNAP * math.ceil(last / SNAP + 0.1))
            limits.append((low, high))
            ax.set_ylim(10.0 ** low, 10.0 ** high)
        depth = self.span or len(names)
        if len(names) > depth:
            raise ValueError(f"a profile of {len(names)} layers does not fit this plot's "
                             f"{depth}")
        if not self.key or self.key[0] != depth:
            step = max(1, math.ceil(depth / 7))
            ticks = [t for t in range(0, depth - 1, step) if depth - 1 - t >= step / 2 + 1]
            ticks.append(depth - 1)
            for ax in self.axes:
                ax.set_xlim(-0.6, depth - 0.4)
                ax.set_xticks(ticks, [names[t] for t in ticks] if self.span is None else
                              [str(t) for t in ticks])
        self.key = (depth, tuple(limits))

    def update(self, p: DepthProfile):
        first = next(iter(self.profiles))
        self.profiles[first] = p
        self._show()

    def dynamic_artists(self) -> list:
        return ([line for lines in self.lines.values() for line in lines] + self.crosses
                + [zero for zeros in self.zeros.values() for zero in zeros])

    def static_key(self):
        return self.key

    def alt_text(self) -> str:
        parts = []
        for name, p in self.profiles.items():
            who = f"{name}: " if name else ""
            sizes = "; ".join(describe(p, key, said) for key, _, said in QUANTITIES)
            if self.fixed is not None:
                low, high = (10.0 ** v for v in self.fixed)
                values = np.concatenate([p.deltas, p.norms])
                outside = int(np.sum((values > 0) & ((values < low) | (values > high))))
                if outside:
                    sizes += (f" ({outside} values outside the plotted {low:.0e} to {high:.0e}, "
                              "not drawn)")
            parts.append(f"{who}{sizes}; {p.trend()}; {p.dead_sentence()}.")
        depth = len(next(iter(self.profiles.values())).names)
        return (f"Two log-scale plots of the gradient's size per layer of "
                f"{article(depth)} {depth}-layer "
                f"network, input side on the left: |delta^L| (left) and |dC/dW^L| (right). "
                + " ".join(parts))


def describe(p: DepthProfile, key: str, said: str) -> str:
    """``key`` as the plot shows it, in words: "|dC/dW| from 0.5 at H0 to 0.01 at Out" (and
    where it is 0: below any log scale, a hollow marker on the bottom edge)."""
    values = np.asarray(getattr(p, key), dtype=float)
    text = f"{said} from {values[0]:.3g} at {p.names[0]} to {values[-1]:.3g} at {p.names[-1]}"
    zeros = [n for n, v in zip(p.names, values) if v == 0]
    if zeros:
        text += f" (0 at {plural(len(zeros), 'layer')}, drawn hollow on the bottom edge)"
    return text


def depth_profiles(profiles):
    """``DepthPlot``'s figure for one profile or {label: profile} (at most five)."""
    return figure_of(DepthPlot(profiles))
