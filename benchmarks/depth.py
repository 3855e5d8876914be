"""Notebook 13's panel: one control step of ``widgets.depth.depth_view`` at depth 20.

    python benchmarks/depth.py            # prints one row; target: median and p95 under 30 ms
    python benchmarks/run.py --only depth # the same row, wired into run.py (depth.rows)

Each step moves one control (round robin: scale, depth, activation, init) to another value,
which builds the network again from the seed, runs one ``net.backward`` on the batch of 32 and
sends a new frame. The peer, timed in the same run and interleaved with it, is
benchmarks/sliders.py's baseline: move one line on a kept matplotlib figure and write its PNG.
A step is checked before it counts: no error, and the readout shows the library's verdict.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from sliders import LIMIT, _baseline  # noqa: E402
from timing import Row, at_most, fmt_time, median, p95, render  # noqa: E402


def depth_row(steps: int = 40) -> Row:
    from backproplib.learning import depth
    from backproplib.widgets import depth as depth_widgets

    view = depth_widgets.depth_view(20, 32, "relu", "he", 1.0, seed=0, m=32)
    moves = [("scale", v) for v in (0.5, 0.8, 1.3, 2.0, 1.0)] + [
        ("depth", 18), ("depth", 20), ("activation", "tanh"), ("init", "xavier"),
        ("activation", "relu"), ("init", "he")]
    times, base = [], []
    for k in range(steps):
        name, value = moves[k % len(moves)]
        if view.sliders[name].value == value:
            continue
        start = time.perf_counter()
        view.sliders[name].value = value
        times.append(time.perf_counter() - start)
        if view.error is not None:
            raise AssertionError(f"the callback failed: {view.error!r}")
        s = {n: c.value for n, c in view.sliders.items()}
        net = depth.deep_network(s["depth"], 32, s["activation"], s["init"], s["scale"], 0)
        X, Y = depth.deep_data(net, 32, 0)
        if depth.profile(net, X, Y).verdict() not in view.summary():
            raise AssertionError("the readout does not show the library's verdict")
        base += _baseline(1)
    measured = (f"median {fmt_time(median(times))}, p95 {fmt_time(p95(times))}; peer "
                f"{fmt_time(median(base))}")
    return at_most("3 sliders", "depth_view step at depth 20", max(median(times), p95(times)),
                   LIMIT, measured, "median and p95 < 30 ms")


def rows(settings) -> list:
    """The panel's row, with as many steps as run.py's settings give a slider view."""
    return [depth_row(settings.steps)]


if __name__ == "__main__":
    print(render([depth_row()]))
