"""Slider panels: move a number, watch the network, the cost, the gradient and the ledger follow.

    view = forward_view(net, x, y)          # sliders x, w_H0, b_H0, ...; the network diagram
    view = gradient_view(net, x, y, "w_Out")  # cost against w_Out, its tangent, the ledger
    view = surface_view(net, x, y)          # contour over (w_H1, w_Out); point and gradient arrow
    view = descent_view(net, x, y)          # learning rate and steps; the path on the contour
    view                                    # shows the panel in a notebook
    print(view.summary())                   # what the panel shows, as plain text

Every view is a ``panel.Panel`` (the one base of every slider panel: the picture with its alt
text, the aria-live readout, the summary; see there). Top to bottom: its sliders (steps near a
hundredth of the range; a contour's map spans exactly its sliders; gradient_view's range
reaches where the z the parameter feeds crosses 0); its picture; a compact readout (about 4
significant digits; it scrolls, and shows it, when it holds more than fits); every gradient
with all its digits, folded away (``.details``, an Accordion holding ``.all_gradients``, class
``bp-gradients``); and, for gradient_view, the ledger. Every part has a fixed size, so nothing
jumps while dragging.

Each slider step runs exactly one ``net.backward`` (whose result carries the forward pass) and
hands it to the figure, the readout and the ledger.
"""

from __future__ import annotations

import html
import math
import numbers

import ipywidgets as W
import numpy as np

from .. import plots
from ..chainrule.ledger import explain_blocked, ledger
from ..core.network import Network
from ..learning.descent import gradient_descent, positive_number, whole_steps
from ..learning.surface import cost_surface
from ..numbers import fmt, to_scalar
from ..plots import render, style
from ..plots.scales import as_float
from .panel import Panel, brief

READOUT_HEIGHT = "8.5em"  # the compact readout: fixed, so the panel never jumps


# --- the parts every view shares -------------------------------------------------------------
class View(Panel):
    """A slider panel (``panel.Panel``) that follows one network: ``net`` (the network the
    sliders currently describe), ``g`` (its last ``backward``), ``all_gradients`` (every
    dC0/dparameter, ``folded``, inside ``details``)."""

    readout_height = READOUT_HEIGHT

    def __init__(self, net: Network, x, y):
        super().__init__()
        self.start_net, self.net, self.x, self.y = net, net, x, y
        self.g = None
        self.all_gradients = W.HTML()
        self.all_gradients.add_class("bp-gradients")
        self.details = W.Accordion(children=[self.all_gradients], selected_index=None)
        self.details.set_title(0, "Every gradient at these values")
        self.extra = [self.details]

    # building
    def _figure(self, figsize):
        self.fig = plots.new_figure(style.whole_pixels(figsize))
        return self.fig

    def _slider(self, name, value, bounds=None, fmt_=None, integer=False):
        value = _number(value, name)
        low, high, step = _check_bounds(name, bounds) if bounds else _default_range(value)
        if integer:
            slider = W.IntSlider(value=int(value), min=int(min(low, value)),
                                 max=int(max(high, value)), step=max(1, int(step or 1)),
                                 description=name, continuous_update=True)
        else:
            low, high, step = _grid(value, low, high, step)
            slider = W.FloatSlider(value=value, min=low, max=high, step=step, description=name,
                                   readout_format=fmt_ or _readout_format(step, value),
                                   continuous_update=True)
        return self.add_slider(name, slider)

    # running
    def _backward(self):
        """The step's one backward pass; where it overflows, the figure is drawn without its
        numbers first (saying so in its alt text) and the error goes on to the readout."""
        try:
            return self.net.backward(self.x, self.y)
        except OverflowError:
            self._figure_without_numbers()
            self.draw()
            raise

    def _figure_without_numbers(self):
        """Show the figure as it can be drawn when backward overflows (override)."""

    def _show(self, g, where="", blocked=True):
        """Take the step's results: every gradient, the blocked neurons, the new picture."""
        self.g = g
        self.folded = [f"C0{where} = {fmt(g.cost)}"] + [
            line.replace(" = ", f"{where} = ", 1) for line in g.report().splitlines()]
        if blocked:
            self.warnings.extend(explain_blocked(b) for b in g.blocked)
        self.draw()

    def _write_readout(self):
        super()._write_readout()
        self.all_gradients.value = (
            '<div style="font-family:monospace;line-height:1.35">'
            + "<br>".join(html.escape(line, quote=False) for line in self.folded)
            + "</div>")


def _number(value, what) -> float:
    """A slider's starting value as a finite float, in the library's words if it is not."""
    number = float(to_scalar(value, False, what))
    if abs(number) > plots.LARGEST:
        raise ValueError(f"{what}: expected a number within +-1e300 for a slider, got "
                         f"{fmt(number)}")
    return number


def _check_bounds(name, bounds):
    """(low, high, step or None) from a ``ranges`` entry, or a clear error."""
    shape = "(low, high) or (low, high, step)"
    if isinstance(bounds, (str, bytes)) or not hasattr(bounds, "__len__") or \
            len(bounds) not in (2, 3):
        raise ValueError(f"ranges[{name!r}]: expected {shape}, got {bounds!r}")
    low, high = (_number(b, f"ranges[{name!r}]") for b in bounds[:2])
    if not low < high:
        raise ValueError(f"ranges[{name!r}]: expected low < high, got {bounds!r}")
    given = bounds[2] if len(bounds) == 3 else None
    step = None if given is None else _number(given, f"ranges[{name!r}] step")
    if step is not None and not 0 < step <= high - low:
        raise ValueError(f"ranges[{name!r}]: expected a step between 0 and high - low, got "
                         f"{bounds!r}")
    return low, high, step


def _check_ranges(ranges, valid):
    if ranges is None:
        return {}
    if not isinstance(ranges, dict):
        raise TypeError(f"ranges: expected {{name: (low, high) or (low, high, step)}}, got "
                        f"{ranges!r}"[:200])
    unknown = [name for name in ranges if name not in valid]
    if unknown:
        raise ValueError(f"ranges: no slider named {unknown[0]!r} here; sliders: "
                         f"{', '.join(valid)}")
    return ranges


def _nice_steps(span):
    """Round steps (1, 2 or 5 times a power of ten) near ``span`` / 100, largest first: about
    100 stops per slider, so that 10 presses of an arrow key cross a tenth of the picture
    (Page Up/Down jump further)."""
    target = max(float(span), 1e-9) / 100
    power = 10.0 ** math.floor(math.log10(target))
    steps = sorted({round(m * power * 10.0 ** k, 12) for m in (1, 2, 5) for k in (-1, 0, 1)},
                   reverse=True)
    return [step for step in steps if step <= 2 * target][:4]


def _grid(value, low, high, step=None):
    """(low, high, step) of a slider starting at ``value``: the browser snaps a slider to
    low + k * step, so the start must sit on that grid, or the value the panel computes with
    differs from the one the slider shows. Without a given step, the first round step that puts
    both ends on the grid is taken (so the slider's ends are the range's); otherwise the ends
    move outwards to the grid. A start outside the range widens it."""
    low, high = min(low, value), max(high, value)

    def fits(step):
        return all(abs(round(d / step) - d / step) < 1e-9 for d in (value - low, high - value))

    candidates = [step] if step else _nice_steps(high - low)
    step = next((s for s in candidates if fits(s)), candidates[0])
    low = value - math.ceil(round((value - low) / step, 9)) * step
    high = value + math.ceil(round((high - value) / step, 9)) * step
    return low, high, step


def _readout_format(step, value=0.0):
    """Enough decimals for the step and for the starting value (up to 6), so the readout
    shows the number the panel computes with."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    start = fmt(round(value, 6))
    start_decimals = len(start.split(".")[1]) if "." in start and "e" not in start else 0
    return f".{max(decimals, start_decimals, 2)}f"


def _slider_values(view, names):
    return {name: view.sliders[name].value for name in names}


# --- forward pass ----------------------------------------------------------------------------
class ForwardView(View):
    """Sliders for x and each parameter (or those in ``params``); the network diagram with z, a
    and the gradients; the readout gives x, the output and C0, and every dC0/dparameter folds
    out below. With several inputs the "x" slider moves x[0].
    ``ranges`` = {name: (low, high[, step])}."""

    title = "Forward pass"

    def __init__(self, net, x, y, params=None, ranges=None):
        super().__init__(net, x, y)
        self.names = _choose(net, params)
        ranges = _check_ranges(ranges, ["x"] + list(net.parameter_names))
        self._slider("x", as_float(net.input(x)), ranges.get("x"))
        for name in self.names:
            self._slider(name, net.param(name), ranges.get(name))
        size, box = plots.NetworkDiagram.layout(net)  # as network_diagram would choose
        ax = self._figure(size).add_subplot()
        ax.set_position(box)
        self.diagram = plots.NetworkDiagram(net, x, y, ax=ax)
        self.show_figure(self.diagram, self.fig)
        self.assemble()

    def _update(self):
        self.x = _set_first(self.x, self.sliders["x"].value)
        self.net = self.start_net.with_params(_slider_values(self, self.names))
        g = self._backward()
        self.diagram.update(self.net, g, self.y)
        fwd = g.forward
        self.lines = [f"x = {_vec(fwd.x)}, a_Out = {_vec(fwd.output)}, "
                      f"y = {_vec(self.net.target(self.y))}",
                      f"C0 = {brief(g.cost)}"]
        self._show(g)

    def _figure_without_numbers(self):
        self.diagram.cannot_show(self.net, self.y)


forward_view = ForwardView


# --- one parameter: the cost, its tangent and the ledger -------------------------------------
class GradientView(View):
    """A slider for ``param`` (and for the names in ``sliders``: parameters, "x" or "y"); the
    cost against ``param`` with its tangent, and the chain-rule ledger."""

    def __init__(self, net, x, y, param="w_Out", sliders=None, ranges=None):
        super().__init__(net, x, y)
        _choose(net, param)
        self.param = param
        self.title = f"Gradient of C0 with respect to {param}"
        if isinstance(sliders, str):
            sliders = [sliders]
        extra = [s for s in (sliders or ()) if s != param]
        for name in extra:
            if name not in net.parameter_names and name not in ("x", "y"):
                raise ValueError(f"unknown slider {name!r}; valid: x, y, "
                                 f"{', '.join(net.parameter_names)}")
        self.names = [param] + [s for s in extra if s not in ("x", "y")]
        ranges = _check_ranges(ranges, [param] + extra)
        self._slider(param, net.param(param), ranges.get(param) or _reaching_switch(
            net, x, y, param))
        for name in extra:
            value = (as_float(net.input(x)) if name == "x" else
                     as_float(net.target(y)) if name == "y" else net.param(name))
            self._slider(name, value, ranges.get(name))
        slider = self.sliders[param]
        self._figure((6.0, 4.0))
        values = np.linspace(slider.min, slider.max, 241)
        with style.context():
            self.curve = plots.CostCurve(net, x, y, param, values, ax=self.fig.add_subplot())
            self.fig.tight_layout()
        # with one slider the curve never changes: it goes in the background, and only the
        # tangent, the point and the numbers travel per step (5.5 kB of PNG less a step)
        moving = [a for a in self.curve.dynamic_artists() if extra or a is not self.curve.curve]
        self.show_figure(self.curve, self.fig, render.FrameRenderer(self.fig, moving))
        self.ledger = W.HTML(layout=W.Layout(min_height="6em"))
        self.ledger.add_class("bp-ledger")
        self.ledger_text = ""
        self.extra.append(self.ledger)
        self.css = LEDGER_CSS
        self.assemble()

    def _update(self):
        if "x" in self.sliders:
            self.x = _set_first(self.x, self.sliders["x"].value)
        if "y" in self.sliders:
            self.y = _set_first(self.y, self.sliders["y"].value)
        self.net = self.start_net.with_params(_slider_values(self, self.names))
        g = self._backward()
        self.curve.update(self.net, g, self.x, self.y)
        self.lines = [f"{self.param} = {brief(self.net.param(self.param))}, "
                      f"C0 = {brief(g.cost)}",
                      f"slope of the tangent = dC0/d{self.param} = {brief(g[self.param])}"]
        self._show(g)
        book = ledger(self.net, self.x, self.y, param=self.param, g=g)
        self.ledger_text = str(book)
        self.ledger.value = _ledger_html(book)

    def _figure_without_numbers(self):
        self.curve.update(self.net, None, self.x, self.y)

    def summary(self) -> str:
        return super().summary() + "\n\n" + self.ledger_text


gradient_view = GradientView


# --- two parameters: the contour, the point and the gradient arrow -----------------------------
class _ContourView(View):
    paths = False  # whether the contour shows descent paths (and a key entry for them)

    def _contour(self, net, x, y, params, ranges):
        if isinstance(params, str) or len(params) != 2 or params[0] == params[1]:
            raise ValueError(f"params: expected two different parameter names, got {params!r}")
        _choose(net, params)
        self.params = tuple(params)
        self.bounds = {}
        for name in params:
            value = _number(net.param(name), name)
            given = _check_bounds(name, ranges[name]) if name in ranges else _default_range(value)
            self.bounds[name] = _grid(value, *given)  # the map spans exactly the slider
        surface = cost_surface(net, x, y, {
            name: np.linspace(self.bounds[name][0], self.bounds[name][1], 121)
            for name in params}, gradients=())
        self._figure((5.8, 5.2))
        with style.context():
            self.contour = plots.CostContour(surface, ax=self.fig.add_subplot(),
                                             paths=self.paths)
            self.fig.tight_layout()
            self.contour.tidy()
        self.show_figure(self.contour, self.fig)
        return surface

    def _figure_without_numbers(self):
        self.contour.set_gradient((0, 0), (math.inf, math.inf))  # "too large to draw"


class SurfaceView(_ContourView):
    """The contour of C0 over two parameters, drawn once; their sliders move the point and the
    gradient arrow. ``ranges`` = {name: (low, high) or (low, high, step)}."""

    title = "Cost surface"

    def _arrow_meaning(self, point, gradient):
        """What the arrow says, and only what the map shows of it."""
        if not any(gradient):
            return "no arrow: the cost is flat here, so a descent step would not move"
        if not all(math.isfinite(v) for v in gradient):
            return "no arrow: the gradient is too large to draw"
        x0, x1, y0, y1 = self.contour.extent
        # the arrow is drawn a quarter of the map long (plots.CostContour.set_gradient)
        scale = max(abs(gradient[0]) / (x1 - x0), abs(gradient[1]) / (y1 - y0))
        tip = tuple(p + 0.25 * g / scale for p, g in zip(point, gradient))
        if self.contour.inside(tip):
            return "the arrow points uphill; a descent step goes the opposite way"
        return ("the arrow points uphill, off the map (only its start shows at the edge); "
                "a descent step goes the opposite way, back into the map")

    def __init__(self, net, x, y, params=("w_H1", "w_Out"), ranges=None):
        super().__init__(net, x, y)
        ranges = _check_ranges(ranges, list(params))
        self._contour(net, x, y, params, ranges)
        self.title = f"Cost surface over {params[0]} and {params[1]}"
        for name in self.params:
            self._slider(name, net.param(name), self.bounds[name])
        self.assemble()

    def _update(self):
        values = _slider_values(self, self.params)
        self.net = self.start_net.with_params(values)
        point = tuple(values[n] for n in self.params)
        self.contour.set_point(point)
        g = self._backward()
        gradient = tuple(float(g[n]) for n in self.params)
        self.contour.set_gradient(point, gradient)
        self.lines = [", ".join(f"{n} = {brief(v)}" for n, v in values.items())
                      + f", C0 = {brief(g.cost)}",
                      f"gradient (dC0/d{self.params[0]}, dC0/d{self.params[1]}) = "
                      f"({brief(gradient[0])}, {brief(gradient[1])}): "
                      + self._arrow_meaning(point, gradient)]
        self._show(g)


surface_view = SurfaceView


# --- gradient descent on the contour -----------------------------------------------------------
class DescentView(_ContourView):
    """Sliders ``learning_rate`` and ``steps``; gradient descent on ``params`` drawn as a path on
    their contour (drawn once). The readout explains divergence or a dead neuron."""

    title = "Gradient descent"
    paths = True

    def __init__(self, net, x, y, params=("w_H1", "w_Out"), ranges=None, learning_rate=0.01,
                 steps=20):
        super().__init__(net, x, y)
        learning_rate = positive_number(learning_rate, "learning_rate")
        steps = whole_steps(steps)
        ranges = _check_ranges(ranges, list(params) + ["learning_rate", "steps"])
        self._contour(net, x, y, params, {n: r for n, r in ranges.items() if n in params})
        self.title = f"Gradient descent on {params[0]} and {params[1]}"
        start = tuple(float(net.param(n)) for n in self.params)
        g = net.backward(x, y)
        self.contour.set_point(start)
        self.contour.set_gradient(start, tuple(float(g[n]) for n in self.params))
        lr_step = 0.001
        self._slider("learning_rate", learning_rate,
                     ranges.get("learning_rate")
                     or (lr_step, max(0.3, learning_rate), lr_step),
                     fmt_=".3f")
        self._slider("steps", steps, ranges.get("steps") or (1, max(100, steps), 1),
                     integer=True)
        self.path = None
        self.assemble()

    def _update(self):
        lr = self.sliders["learning_rate"].value
        steps = self.sliders["steps"].value
        self.path = path = gradient_descent(self.start_net, self.x, self.y, lr, steps,
                                            self.params)
        self.net = path.net
        self.contour.set_path(path)
        end = path.params[-1]
        self.lines = [f"learning_rate = {brief(lr)}, steps = {steps} "
                      f"({path.steps_taken} taken)",
                      path.message,  # the readout shortens its numbers
                      "where it ended: " + ", ".join(f"{n} = {brief(end[n])}"
                                                     for n in self.params)]
        g = self._backward()
        self.lines.append(f"C0 (where descent ended) = {brief(g.cost)}")
        if path.outcome == "diverged":
            self.warnings.append(path.message)
        if not self.contour.inside([[p[n] for n in self.params] for p in path.params]):
            self.warnings.append("the path leaves the plotted area; only the part inside shows")
        # a blocked neuron is worth a warning here only if it stopped the descent
        self._show(g, where=" (where descent ended)", blocked=path.outcome == "stuck")
        # every digit, and the run's longer story, folded away below
        self.folded[:0] = [path.message] + ([path.details] if path.details else [])


descent_view = DescentView


LEDGER_CSS = (".bp-ledger-text{font-family:monospace;line-height:1.45}"
              ".bp-ledger-text b{display:block;margin-top:.5em}"
              ".bp-ledger-text p{margin:0 0 0 1em}"
              f".bp-ledger-text i{{display:block;margin-left:2em;color:{style.WARNING}}}"
              ".bp-ledger-text small{display:block;margin-top:.6em;color:#555}")


def _ledger_html(book) -> str:
    """The ledger as a student reads one on paper: each layer's title in bold, then its lines,
    one equation a line (plain text: typesetting TeX on every step took the browser hundreds of
    milliseconds, benchmarks/browser.py; the notebook shows it typeset elsewhere), a blocked
    neuron's note under its line, and the conventions in small print (``LEDGER_CSS``, sent
    once with the panel, so that each step sends only the words)."""
    def line(step):
        note = f"<i>{html.escape(step.note, quote=False)}</i>" if step.note else ""
        return f"<p>{html.escape(step.render(), quote=False)}</p>{note}"

    blocks = [f"<b>{html.escape(s.title)}</b>" + "".join(line(step) for step in s.steps)
              for s in book.sections]
    conventions = str(book).rpartition("Conventions:\n")[2].splitlines()
    rules = "<br>".join(html.escape(rule.removeprefix("- "), quote=False)
                        for rule in conventions if rule.strip())
    return (f'<div class="bp-ledger-text">{"".join(blocks)}'
            f"<small>Conventions:<br>{rules}</small></div>")


# --- small helpers ---------------------------------------------------------------------------
def _default_range(value):
    """(low, high, None): value +- plots.half_width(value); ``_grid`` picks the step."""
    half = plots.half_width(value)
    return value - half, value + half, None


def _reaching_switch(net, x, y, name):
    """A default range for ``name`` (value +- plots.half_width) widened, where needed, to the
    value at which the weighted input it feeds crosses 0 (the notebooks ask students to push a
    weight until z < 0, where ReLU switches off and sigmoid turns): reachable under any
    activation and any starting numbers. None keeps the plain default."""
    value = _number(net.param(name), name)
    low, high, _ = _default_range(value)
    kind, L, index = net.locate(name)
    try:
        z0, z1 = (float(np.asarray(net.with_params({name: v}).backward(x, y).forward.z[L])
                        .reshape(-1)[index[0]]) for v in (value, value + 1.0))
    except (ArithmeticError, ValueError):
        return None
    if z1 == z0 or not math.isfinite(z1 - z0):  # z does not move with this parameter
        return None
    crossing = value - z0 / (z1 - z0)  # z is linear in the weight or bias that feeds it
    if not math.isfinite(crossing) or low < crossing < high or abs(crossing) > 1e6:
        return None
    room = max(0.25 * abs(crossing - value), 0.5)  # both sides of the switch show
    return (min(low, crossing - room), max(high, crossing + room))


def _choose(net, params):
    if params is None:
        return list(net.parameter_names)
    names = [params] if isinstance(params, str) else list(params)
    for name in names:
        net.locate(name)  # an unknown name is a ValueError listing the valid ones
    return names


def _set_first(value, new):
    """``value`` with its first number replaced (a scalar stays a scalar)."""
    if np.ndim(value) == 0 or isinstance(value, (str, numbers.Number)):
        return new
    array = np.array(value, dtype=float).reshape(-1)
    array[0] = new
    return array


def _vec(values):
    values = np.asarray(values).reshape(-1)
    if len(values) == 1:
        return brief(values[0])
    return "[" + ", ".join(brief(v) for v in values) + "]"


__all__ = [
    "DescentView", "ForwardView", "GradientView", "SurfaceView", "View", "descent_view",
    "forward_view", "gradient_view", "surface_view",
]
