"""Row 3: one slider step of each interactive view, driven directly (no browser).

Setting ``slider.value`` fires the view's callback synchronously: the one backward pass, the
redraw and the PNG frame (at twice the shown pixels) with its alt text that goes to the panel.
Each step moves one slider (round robin over the view's sliders) to a different value on its
grid of stops; every step is one sample, and the median and p95 are quoted; both must stay
under 30 ms. The peer, timed in the same run, is the cheapest honest redraw a view could do:
move one line on a kept matplotlib figure (Agg, 640 x 480) and write the PNG.

(The measurement behind drawing the numbers with NumberText instead of
matplotlib's Text is quoted in backproplib/plots/diagram.py.)
"""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import numpy as np
from timing import Row, at_most, fmt_time, median, p95

LIMIT = 0.030  # seconds: the median and the p95 of one step must stay under this


def _views(bp, widgets, root: Path):
    """(label, factory) for every view the notebooks use, with the worked example's numbers."""
    net, x, y = bp.worked_example()
    views = [
        ("forward_view", lambda: widgets.forward_view(net, x, y)),
        ("gradient_view w_Out", lambda: widgets.gradient_view(net, x, y, "w_Out")),
        ("surface_view", lambda: widgets.surface_view(net, x, y)),
        ("descent_view", lambda: widgets.descent_view(net, x, y)),
    ]
    # the notebooks may ask gradient_view about other parameters (03 uses w_H1, ...)
    params = set()
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text())["cells"]
        except (OSError, ValueError, KeyError):
            continue
        for cell in cells:
            source = "".join(cell.get("source", []))
            params.update(re.findall(r"gradient_view\([^)]*?['\"](w_\w+|b_\w+)['\"]", source))
    for param in sorted(params - {"w_Out"}):
        if param in net.parameter_names:
            views.append((f"gradient_view {param}",
                          lambda p=param: widgets.gradient_view(net, x, y, p)))
    return views


def _stops(slider, count=8):
    """A few distinct values on the slider's own grid of stops, spread over its range."""
    low, high, step = slider.min, slider.max, slider.step
    n = int(round((high - low) / step))
    picks = sorted({int(round(f * n)) for f in np.linspace(0.15, 0.85, count)})
    return [type(slider.value)(low + k * step) for k in picks]


def _verify(bp, view, before):
    """The callback ran, redrew, and the readout shows the network's current numbers."""
    if view.error is not None:
        raise AssertionError(f"the callback failed: {view.error!r}")
    png = view.frame_bytes
    if png and not png.startswith(b"\x89PNG"):
        raise AssertionError("the frame is not a PNG")
    if 'alt="' not in view.frame.value:
        raise AssertionError("the frame has no alt text")
    if (view.frame.value, view.readout.value) == before:
        raise AssertionError("the slider step changed neither the picture nor the readout")
    g = view.net.backward(view.x, view.y)
    where = " (where descent ended)" if hasattr(view, "path") else ""
    expected = f"C0{where} = {bp.fmt(g.cost)}"
    if expected not in view.summary():
        raise AssertionError(f"readout does not show {expected!r}")
    for name, slider in view.sliders.items():
        if name in view.net.parameter_names:
            value = float(view.net.params()[name])
            if not np.isclose(value, slider.value):
                raise AssertionError(f"view.net has {name} = {value}, slider says {slider.value}")


def _baseline(steps):
    """Seconds per step of the peer: set_data on a kept line, draw, PNG (Agg, 640 x 480)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    t = np.linspace(-2, 2, 200)
    (line,) = ax.plot(t, t * t)
    ax.set_xlim(-2, 2)
    ax.set_ylim(-1, 9)
    times = []
    for k in range(steps + 2):
        line.set_ydata((t - 0.1 * (k % 7)) ** 2)
        buffer = io.BytesIO()
        start = time.perf_counter()
        line.set_ydata((t - 0.1 * (k % 7)) ** 2)
        fig.savefig(buffer, format="png")
        times.append(time.perf_counter() - start)
    return times[2:]


def slider_rows(s) -> list:
    import backproplib as bp

    try:
        from backproplib import widgets
    except ImportError as error:
        return [Row("3 sliders", "one slider step per view", "median and p95 < 30 ms", "-", "SKIP",
                    f"skipped: backproplib.widgets not available ({error})")]
    root = Path(__file__).resolve().parent.parent
    base = _baseline(s.steps)
    t_base = median(base)
    rows = []
    views = _views(bp, widgets, root)
    for label, make in views:
        what = f"{label}: one slider step (callback + redraw + frame)"
        try:
            view = make()
        except Exception as error:  # one broken view must not hide the others
            rows.append(Row("3 sliders", what, "median and p95 < 30 ms", "-", "ERROR",
                            f"building the view failed: {type(error).__name__}: {error}"))
            continue
        sliders = list(view.sliders.values())
        plans = [_stops(slider) for slider in sliders]
        try:
            # verified step first (not timed): every slider once
            for slider, stops in zip(sliders, plans):
                before = (view.frame.value, view.readout.value)
                slider.value = stops[0] if slider.value != stops[0] else stops[-1]
                _verify(bp, view, before)
        except AssertionError as error:
            rows.append(Row("3 sliders", what, "median and p95 < 30 ms", "-", "ERROR",
                            f"aborted: {error}"))
            continue
        times, sent = [], []
        for k in range(s.steps + 2):  # the first two steps warm caches and are dropped
            i = k % len(sliders)
            slider, stops = sliders[i], plans[i]
            value = stops[(k // len(sliders)) % len(stops)]
            if value == slider.value:
                value = stops[(k // len(sliders) + 1) % len(stops)]
            start = time.perf_counter()
            slider.value = value
            times.append(time.perf_counter() - start)
            sent.append(len(view.frame.value) + len(view.readout.value))
        times = times[2:]
        if view.error is not None:
            rows.append(Row("3 sliders", what, "median and p95 < 30 ms", "-", "ERROR",
                            f"a timed step failed: {view.error!r}"))
            continue
        t_med, t_p95 = median(times), p95(times)
        measured = (f"median {fmt_time(t_med)}, p95 {fmt_time(t_p95)} over {len(times)} steps "
                    f"({t_med / t_base:.2g}x a bare line+PNG redraw, {fmt_time(t_base)}); "
                    f"frame + readout HTML {median(sent) / 1000:.1f} kB a step")
        rows.append(at_most("3 sliders", what, max(t_med, t_p95), LIMIT, measured,
                            "median and p95 < 30 ms"))
    return rows
