"""Slider panels: move a number, watch the network, the cost, the gradient and the ledger follow.

    view = forward_view(net, x, y)          # sliders x, w_H0, b_H0, ...; the network diagram
    view = gradient_view(net, x, y, "w_Out")  # cost against w_Out, its tangent, the ledger
    view = surface_view(net, x, y)          # contour over (w_H1, w_Out); point and gradient arrow
    view = descent_view(net, x, y)          # learning rate and steps; the path on the contour
    view                                    # shows the panel in a notebook
    print(view.summary())                   # what the panel shows, as plain text

Each view keeps one matplotlib figure (outside pyplot) and, on every slider step, moves its
artists and sends a fresh PNG to an ``ipywidgets.Image``; the contour is drawn once and kept.
A callback never raises: a bad value is explained in the readout (``.readout``, an HTML widget
with the class ``bp-readout``) instead.
"""

from __future__ import annotations

import html
import math

import ipywidgets as W
import numpy as np

from . import plots
from .descent import describe_blocked, gradient_descent
from .ledger import ledger
from .network import Network
from .scalars import fmt
from .surface import cost_surface

DPI = 80
READOUT_MIN_HEIGHT = "15em"


# --- the parts every view shares -------------------------------------------------------------
class View:
    """A slider panel: ``widget`` (the box), ``sliders`` {description: slider}, ``readout``
    (HTML with the numbers and warnings), ``image`` (the figure as PNG), ``net`` (the network
    the sliders currently describe) and ``summary()`` (the same as plain text)."""

    title = ""

    def __init__(self, net: Network, x, y):
        self.start_net, self.net, self.x, self.y = net, net, x, y
        self.sliders = {}
        self.lines = []  # the readout, line by line
        self.warnings = []
        self.readout = W.HTML(layout=W.Layout(min_height=READOUT_MIN_HEIGHT, width="100%"))
        self.readout.add_class("bp-readout")
        self.image = W.Image(format="png")
        self.extra = []  # further widgets below the readout (the ledger)
        self.error = None  # the last exception a callback caught, for tests and debugging

    # building
    def _figure(self, figsize):
        self.fig = plots.new_figure(figsize, dpi=DPI)
        width, height = (round(v * DPI) for v in figsize)
        self.image.layout = W.Layout(width=f"{width}px", height=f"{height}px")
        return self.fig

    def _slider(self, name, value, bounds=None, step=None, fmt_=None, integer=False):
        value = float(value)
        bounds = bounds or _default_range(value)
        low, high = (float(b) for b in bounds[:2])
        low, high = min(low, value), max(high, value)  # a start outside the range widens it
        if len(bounds) > 2:
            step = bounds[2]
        step = step or _nice_step((high - low) / 2)
        if not integer:
            # The browser snaps a slider to min + k * step: put the start on that grid, or the
            # value the panel computes with differs from the one the slider shows.
            low = value - math.ceil(round((value - low) / step, 9)) * step
            high = value + math.ceil(round((high - value) / step, 9)) * step
        style = {"description_width": "initial"}
        layout = W.Layout(width="420px")
        if integer:
            slider = W.IntSlider(value=int(value), min=int(low), max=int(high), step=int(step),
                                 description=name, continuous_update=True, style=style,
                                 layout=layout)
        else:
            slider = W.FloatSlider(value=value, min=low, max=high, step=step, description=name,
                                   readout_format=fmt_ or _readout_format(step, value),
                                   continuous_update=True, style=style, layout=layout)
        slider.observe(self._on_change, names="value")
        self.sliders[name] = slider
        return slider

    def _assemble(self):
        controls = W.VBox(list(self.sliders.values()))
        self.widget = W.VBox([controls, self.image, self.readout] + self.extra)
        self.widget.add_class("bp-view")
        self.refresh()

    # running
    def _on_change(self, change=None):
        self.refresh()

    def refresh(self):
        """Recompute from the sliders and redraw; any error ends up in the readout."""
        self.warnings = []
        self.error = None
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                self._update()
        except Exception as error:  # a slider must never break the notebook
            self.error = error
            self.warnings.append(f"Cannot show this setting: {error}")
        self._write_readout()

    def _update(self):
        raise NotImplementedError

    def _render(self, plot):
        """Draw ``plot`` (kept in self.fig) through a FrameRenderer from now on."""
        self.plot = plot
        self.renderer = plots.FrameRenderer(self.fig, plot.dynamic_artists())

    def _png(self):
        self.image.value = self.renderer.png(self.plot.static_key())

    def _gradient_lines(self, g, where=""):
        """C0 and every dC0/dparameter; ``where`` qualifies them when they are not at the
        notebook's parameters (the "dC0/d<name> = v" form alone is kept for those)."""
        values = [g.cost] + [g[name] for name in self.net.parameter_names]
        if not all(math.isfinite(float(v)) for v in values):
            raise OverflowError(
                "C0 or a gradient overflowed: the numbers grew past what floating point holds. "
                "Move the slider back towards its starting value.")
        self.lines.append(f"C0{where} = {fmt(g.cost)}")
        self.lines.extend(f"dC0/d{name}{where} = {fmt(g[name])}"
                          for name in self.net.parameter_names)

    def _blocked_warnings(self, net, x):
        self.warnings.extend(describe_blocked(net, x))

    def _write_readout(self):
        body = "<br>".join(html.escape(line, quote=False) for line in self.lines)
        warn = "".join(
            f'<div class="bp-warning" style="color:#b00020">{_escape_warning(w)}</div>'
            for w in self.warnings)
        self.readout.value = (f'<div style="font-family:monospace;line-height:1.35">{body}</div>'
                              f"{warn}")

    # showing
    def summary(self) -> str:
        """Plain text of what the panel shows: its title, the readout and any warnings."""
        parts = [self.title] if self.title else []
        parts += self.lines + [f"Warning: {w}" for w in self.warnings]
        return "\n".join(parts)

    def _repr_mimebundle_(self, **kwargs):
        # Where widgets don't render (GitHub, nbviewer, a saved file reopened), the text form
        # is what a reader sees: make it the panel's numbers, not the widget tree.
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.summary()
        return bundle

    def __repr__(self):
        return f"<{type(self).__name__}: {', '.join(self.sliders)}>"


def _escape_warning(text):
    # "<= 0" must read as text; html.escape would show &lt; in a Python-side check
    return html.escape(text, quote=False).replace("&lt;=", "<=")


def _nice_step(half):
    """0.01 for a reach of 1-10, 0.1 for 10-100, ...: about 200-2000 stops per slider."""
    half = max(float(half), 1e-9)
    return 10.0 ** (math.floor(math.log10(half)) - 2)


def _readout_format(step, value=0.0):
    """Enough decimals for the step and for the starting value (up to 6), so the readout
    shows the number the panel computes with."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    start = fmt(round(value, 6))
    start_decimals = len(start.split(".")[1]) if "." in start and "e" not in start else 0
    return f".{max(decimals, start_decimals, 2)}f"


def _slider_values(view, names):
    return {name: view.sliders[name].value for name in names}


def _ranges(ranges, name):
    if ranges and name in ranges:
        return tuple(ranges[name])
    return None


# --- forward pass ----------------------------------------------------------------------------
class ForwardView(View):
    title = "Forward pass"

    def __init__(self, net, x, y, params=None, ranges=None):
        super().__init__(net, x, y)
        self.names = _choose(net, params)
        self._slider("x", _first(x), _ranges(ranges, "x"))
        start = net.params()
        for name in self.names:
            self._slider(name, float(start[name]), _ranges(ranges, name))
        self._figure((7.6, 2.6))
        self.diagram = plots.NetworkDiagram(net, x, y, ax=self.fig.add_subplot())
        self.fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
        self._render(self.diagram)
        self._assemble()

    def _update(self):
        self.lines = []
        self.x = _set_first(self.x, self.sliders["x"].value)
        self.net = self.start_net.with_params(_slider_values(self, self.names))
        g = self.diagram.update(self.net, self.x, self.y)
        fwd = self.net.forward(self.x)
        self.lines.append(f"x = {_vec(fwd.x)}")
        for name in self.net.layer_names:
            self.lines.append(f"{name}: z = {_vec(fwd.z[name])}, a = {_vec(fwd.a[name])}")
        self._gradient_lines(g)
        self._blocked_warnings(self.net, self.x)
        self._png()


def forward_view(net: Network, x, y, params=None, ranges=None) -> ForwardView:
    """Sliders for x and each parameter (or those in ``params``); the network diagram with z, a
    and the gradients; the readout lists the forward values, C0 and every dC0/dparameter.
    With several inputs the "x" slider moves x[0]. ``ranges`` = {name: (low, high[, step])}."""
    return ForwardView(net, x, y, params, ranges)


# --- one parameter: the cost, its tangent and the ledger -------------------------------------
class GradientView(View):
    def __init__(self, net, x, y, param="w_Out", sliders=None, ranges=None):
        super().__init__(net, x, y)
        _choose(net, param)
        self.param = param
        self.title = f"Gradient of C0 with respect to {param}"
        extra = [s for s in (sliders or ()) if s != param]
        self.names = [param] + [s for s in extra if s not in ("x", "y")]
        for name in self.names:
            if name not in net.parameter_names:
                raise ValueError(f"unknown slider {name!r}; valid: x, y, "
                                 f"{', '.join(net.parameter_names)}")
        start = net.params()
        bounds = _ranges(ranges, param)
        self._slider(param, float(start[param]), bounds)
        for name in extra:
            value = _first(x) if name == "x" else _first(y) if name == "y" else start[name]
            self._slider(name, float(value), _ranges(ranges, name))
        slider = self.sliders[param]
        self._figure((5.2, 3.3))
        values = np.linspace(slider.min, slider.max, 241)
        self.curve = plots.CostCurve(net, x, y, param, values, ax=self.fig.add_subplot())
        self.fig.tight_layout()
        self._render(self.curve)
        self.ledger = W.Output(layout=W.Layout(min_height="6em"))
        self.ledger.add_class("bp-ledger")
        self.ledger_text = ""
        self.extra = [self.ledger]
        self._assemble()

    def _update(self):
        self.lines = []
        if "x" in self.sliders:
            self.x = _set_first(self.x, self.sliders["x"].value)
        if "y" in self.sliders:
            self.y = _set_first(self.y, self.sliders["y"].value)
        self.net = self.start_net.with_params(_slider_values(self, self.names))
        g = self.curve.update(self.net, self.x, self.y)
        self.lines.append(f"{self.param} = {fmt(self.net.params()[self.param])}")
        self._gradient_lines(g)
        self.lines.append(f"slope of the tangent = dC0/d{self.param} = {fmt(g[self.param])}")
        self._blocked_warnings(self.net, self.x)
        self._png()
        self._show_ledger()

    def _show_ledger(self):
        book = ledger(self.net, self.x, self.y, param=self.param)
        self.ledger_text = text = str(book)
        data = {"text/plain": text, "text/markdown": book.to_markdown()}
        self.ledger.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)

    def summary(self) -> str:
        return super().summary() + "\n\n" + self.ledger_text


def gradient_view(net: Network, x, y, param="w_Out", sliders=None, ranges=None) -> GradientView:
    """A slider for ``param`` (and for the names in ``sliders``: parameters, "x" or "y"); the
    cost against ``param`` with its tangent, and the chain-rule ledger."""
    return GradientView(net, x, y, param, sliders, ranges)


# --- two parameters: the contour, the point and the gradient arrow -----------------------------
class _ContourView(View):
    def _contour(self, net, x, y, params, ranges, n=121):
        if len(params) != 2 or params[0] == params[1]:
            raise ValueError(f"params: expected two different parameter names, got {params!r}")
        _choose(net, params)
        self.params = tuple(params)
        start = net.params()
        self.bounds = {}
        for name in params:
            self.bounds[name] = _ranges(ranges, name) or _default_range(float(start[name]))
        surface = cost_surface(net, x, y, {
            name: np.linspace(self.bounds[name][0], self.bounds[name][1], n) for name in params})
        self._figure((5.0, 4.0))
        self.contour = plots.CostContour(surface, ax=self.fig.add_subplot())
        self.contour.set_gradient((0, 0), (1, 1))  # the note above the plot, for tight_layout
        self.fig.tight_layout()
        self._render(self.contour)
        return surface

    def _inside(self, point):
        x0, x1, y0, y1 = self.contour.extent
        return x0 <= point[0] <= x1 and y0 <= point[1] <= y1


class SurfaceView(_ContourView):
    title = "Cost surface"

    def __init__(self, net, x, y, params=("w_H1", "w_Out"), ranges=None):
        super().__init__(net, x, y)
        self.title = f"Cost surface over {params[0]} and {params[1]}"
        self._contour(net, x, y, params, ranges)
        start = net.params()
        for name in self.params:
            self._slider(name, float(start[name]), self.bounds[name])
        self._assemble()

    def _update(self):
        self.lines = []
        values = _slider_values(self, self.params)
        self.net = self.start_net.with_params(values)
        g = self.net.backward(self.x, self.y)
        point = tuple(values[n] for n in self.params)
        gradient = tuple(float(g[n]) for n in self.params)
        self.contour.set_point(point)
        self.contour.set_gradient(point, gradient)
        self.lines.append(", ".join(f"{n} = {fmt(v)}" for n, v in values.items()))
        self._gradient_lines(g)
        self.lines.append(
            f"gradient (dC0/d{self.params[0]}, dC0/d{self.params[1]}) = "
            f"({fmt(gradient[0])}, {fmt(gradient[1])}): the arrow points uphill; a descent "
            "step goes the opposite way")
        self._blocked_warnings(self.net, self.x)
        self._png()


def surface_view(net: Network, x, y, params=("w_H1", "w_Out"), ranges=None) -> SurfaceView:
    """The contour of C0 over two parameters, drawn once; their sliders move the point and the
    gradient arrow. ``ranges`` = {name: (low, high) or (low, high, step)}."""
    return SurfaceView(net, x, y, params, ranges)


# --- gradient descent on the contour -----------------------------------------------------------
class DescentView(_ContourView):
    title = "Gradient descent"

    def __init__(self, net, x, y, params=("w_H1", "w_Out"), ranges=None, learning_rate=0.01,
                 steps=20, max_steps=100, max_learning_rate=0.3):
        super().__init__(net, x, y)
        self.title = f"Gradient descent on {params[0]} and {params[1]}"
        self._contour(net, x, y, params, ranges)
        start = net.params()
        point = tuple(float(start[n]) for n in self.params)
        g = net.backward(x, y)
        self.contour.set_point(point)
        self.contour.set_gradient(point, tuple(float(g[n]) for n in self.params))
        lr_step = 0.001
        self._slider("learning_rate", learning_rate,
                     _ranges(ranges, "learning_rate")
                     or (lr_step, max(max_learning_rate, learning_rate), lr_step),
                     fmt_=".3f")
        self._slider("steps", steps, _ranges(ranges, "steps") or (1, max(max_steps, steps), 1),
                     integer=True)
        self.path = None
        self._assemble()

    def _update(self):
        self.lines = []
        lr = self.sliders["learning_rate"].value
        steps = self.sliders["steps"].value
        self.path = path = gradient_descent(self.start_net, self.x, self.y, lr, steps,
                                            self.params)
        self.net = path.net
        self.contour.set_path(path)
        g = self.net.backward(self.x, self.y)
        end = path.params[-1]
        self.lines.append(f"learning_rate = {fmt(lr)}, steps = {steps} "
                          f"({path.steps_taken} taken)")
        self.lines.append(path.message)
        self.lines.append("where it ended: " + ", ".join(
            f"{n} = {fmt(end[n])}" for n in self.params))
        self._gradient_lines(g, where=" (where descent ended)")
        if path.diverged:
            self.warnings.append(path.message)
        elif path.stuck:
            self._blocked_warnings(self.net, self.x)
        if not all(self._inside((p[self.params[0]], p[self.params[1]])) for p in path.params):
            self.warnings.append("the path leaves the plotted area; only the part inside shows")
        self._png()


def descent_view(net: Network, x, y, params=("w_H1", "w_Out"), ranges=None,
                 learning_rate=0.01, steps=20) -> DescentView:
    """Sliders ``learning_rate`` and ``steps``; gradient descent on ``params`` drawn as a path on
    their contour (drawn once). The readout explains divergence or a dead neuron."""
    return DescentView(net, x, y, params, ranges, learning_rate, steps)


# --- small helpers ---------------------------------------------------------------------------
def _default_range(value):
    """(low, high, step): value +- plots.half_width(value), with a round step."""
    half = plots.half_width(value)
    step = _nice_step(half)
    half = math.ceil(round(half / step, 9)) * step
    return value - half, value + half, step


def _choose(net, params):
    if params is None:
        return list(net.parameter_names)
    names = [params] if isinstance(params, str) else list(params)
    for name in names:
        if name not in net.parameter_names:
            raise ValueError(f"unknown parameter {name!r}; valid names: "
                             f"{', '.join(net.parameter_names)}")
    return names


def _first(value):
    return float(np.asarray(value, dtype=float).reshape(-1)[0])


def _set_first(value, new):
    """``value`` with its first number replaced (a scalar stays a scalar)."""
    if np.ndim(value) == 0:
        return new
    array = np.array(value, dtype=float).reshape(-1)
    array[0] = new
    return array


def _vec(values):
    values = np.asarray(values).reshape(-1)
    if len(values) == 1:
        return fmt(values[0])
    return "[" + ", ".join(fmt(v) for v in values) + "]"


__all__ = [
    "DescentView", "ForwardView", "GradientView", "SurfaceView", "View", "descent_view",
    "forward_view", "gradient_view", "surface_view",
]
