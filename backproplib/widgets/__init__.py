"""Slider panels for one network, named as the notebooks call them: ``forward_view`` (x and
the parameters; the network diagram), ``gradient_view`` (C0 against one parameter with its
tangent, and the ledger), ``surface_view`` (the contour over two parameters, point and arrow),
``descent_view`` (learning rate and steps; the path on the contour). Each slider step runs one
``net.backward``; every gradient, with all its digits, folds away under the readout."""

from __future__ import annotations

import html
import math

import ipywidgets as W
import numpy as np

from .. import plots
from ..chainrule.ledger import explain_blocked, ledger
from ..core.network import Network
from ..learning.descent import gradient_descent, parameter_list, whole_steps
from ..learning.surface import cost_surface
from ..numbers import fmt, positive_number, some_names, to_array, to_scalar
from ..plots import style
from ..plots.scales import check_drawable
from .panel import Panel


class View(Panel):
    """A slider panel that follows one network: ``net`` (as the sliders set it), ``g`` (its
    last ``backward``), ``all_gradients`` (every dC0/dparameter, folded by ``details``);
    ``ranges`` = {slider name: (low, high) or (low, high, step)} for the names in ``valid``."""

    readout_height = "8.5em"  # the compact readout: fixed, so the panel never jumps
    fold_title = "Every gradient at these values"  # what ``details`` folds away

    def __init__(self, net: Network, x, y, ranges=None, valid=()):
        super().__init__()
        self.start_net, self.net, self.x, self.y = net, net, x, y
        self.starts = {}  # slider name: (its start in the network's numbers, as a float)
        self.g = None
        self.names = []  # the parameters the sliders set
        if ranges is not None and not isinstance(ranges, dict):
            raise TypeError(f"ranges: expected {{name: (low, high) or (low, high, step)}}, got "
                            f"{ranges!r}"[:200])
        unknown = [name for name in ranges or () if name not in valid]
        if unknown:
            raise ValueError(f"ranges: no slider named {unknown[0]!r} here; sliders: "
                             f"{', '.join(valid)}")
        self.ranges = {name: _check_bounds(name, bounds)
                       for name, bounds in (ranges or {}).items() if bounds is not None}
        self.all_gradients = W.HTML()
        self.all_gradients.add_class("bp-gradients")
        # a native <details>, never redrawn (it keeps its state), folds the gradients below it:
        # Tab, Enter and Space work and its state is announced (an Accordion's title is neither)
        self.details = W.HTML(
            "<style>.bp-view:has(.bp-fold details:not([open])) .bp-gradients{display:none}"
            f"</style><details><summary>{self.fold_title}</summary></details>")
        self.details.add_class("bp-fold")
        self.extra = [self.details, self.all_gradients]

    # building
    def _range(self, name, value, default=None):
        """(low, high, step or None) for the slider ``name`` starting at ``value``:
        ``ranges[name]``, else ``default``, else value +- plots.half_width(value)."""
        return self.ranges.get(name) or default or (
            value - plots.half_width(value), value + plots.half_width(value), None)

    def _slider(self, name, start, default=None):
        value = _number(start, name)
        self.starts[name] = start, value
        low, high, step = _grid(value, *self._range(name, value, default))
        return self.add_slider(name, value=value, min=low, max=high, step=step,
                               readout_format=_readout_format(step, value))

    # running
    def _follow_sliders(self):
        """``x``, ``y`` and ``net`` as the sliders set them; the step's one backward pass."""
        for name in ("x", "y"):
            if name in self.sliders:
                setattr(self, name, _set_first(getattr(self, name), self._slid(name)))
        self.net = self.start_net.with_params({n: self._slid(n) for n in self.names})
        return self._backward()

    def _slid(self, name):
        """A slider's number: its start (2/3) while the slider shows it; elsewhere, in an exact
        network, the decimal its readout shows, not the float's noise (7.800000000000001)."""
        slider, (start, value) = self.sliders[name], self.starts[name]
        if slider.value == value:
            return start
        return format(slider.value, slider.readout_format) if self.start_net.exact else slider.value

    def _backward(self):
        """``net.backward``; where it overflows, the figure is drawn without its numbers (its alt
        text says so) and the error goes on to the readout."""
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
    return check_drawable(float(to_scalar(value, False, what)), what)


def _check_bounds(name, bounds):
    """(low, high, step or None) from a ``ranges`` entry, or a clear error."""
    what = f"ranges[{name!r}]"
    if isinstance(bounds, (str, bytes)) or not hasattr(bounds, "__len__") or \
            len(bounds) not in (2, 3):
        raise ValueError(f"{what}: expected (low, high) or (low, high, step), got {bounds!r}")
    low, high = (_number(b, what) for b in bounds[:2])
    if not low < high:
        raise ValueError(f"{what}: expected low < high, got {bounds!r}")
    step = None if len(bounds) == 2 or bounds[2] is None else _number(bounds[2], what + " step")
    if step is not None and not 0 < step <= high - low:
        raise ValueError(f"{what}: expected a step between 0 and high - low, got {bounds!r}")
    return low, high, step


def _grid(value, low, high, step=None):
    """(low, high, step) of a slider starting at ``value``, on the grid low + k * step that the
    browser snaps it to (off the grid, the panel would compute with another value than the
    slider shows). Without ``step``, the first round one (1, 2 or 5 times a power of ten, near
    span / 100: 10 presses cross a tenth of the picture) that puts both ends on the grid; else
    the ends move outwards to it. A start outside the range widens it."""
    low, high = min(low, value), max(high, value)
    target = max(high - low, 1e-9) / 100
    power = 10.0 ** math.floor(math.log10(target))
    rounds = sorted({round(m * power * 10.0 ** k, 12) for m in (1, 2, 5) for k in (-1, 0, 1)},
                    reverse=True)
    candidates = [step] if step else [s for s in rounds if s <= 2 * target][:4]
    step = next((s for s in candidates if all(
        abs(round(d / s) - d / s) < 1e-9 for d in (value - low, high - value))), candidates[0])
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


class forward_view(View):
    """Sliders for x (its first number) and each parameter (or those in ``params``); the network
    diagram with z, a and the gradients; the readout: x, the output and C0."""

    title = "Forward pass"

    def __init__(self, net, x, y, params=None, ranges=None):
        super().__init__(net, x, y, ranges, ["x", *net.parameter_names])
        self.names = net.parameter_names if params is None else parameter_list(net, params)
        self._slider("x", np.ravel(net.input(x))[0])
        for name in self.names:
            self._slider(name, net.param(name))
        self.diagram = plots.NetworkDiagram(net, x, y)
        self.show_figure(self.diagram)
        self.assemble()

    def _update(self):
        g = self._follow_sliders()
        self.diagram.update(self.net, g, self.y)
        self.say(lambda n: [f"x = {n(np.ravel(g.forward.x))}, a_Out = "
                            f"{n(np.ravel(g.forward.output))}, "
                            f"y = {n(np.ravel(self.net.target(self.y)))}", f"C0 = {n(g.cost)}"])
        self._show(g)

    def _figure_without_numbers(self):
        self.diagram.cannot_show(self.net, self.y)


class gradient_view(View):
    """A slider for ``param`` (and for the names in ``sliders``: parameters, "x" or "y"); the
    cost against ``param`` with its tangent, and the chain-rule ledger."""

    def __init__(self, net, x, y, param="w_Out", sliders=None, ranges=None):
        extra = [s for s in ([sliders] if isinstance(sliders, str) else sliders or ())
                 if s != param]
        super().__init__(net, x, y, ranges, [param, *extra])
        for name in extra:
            if name not in net.parameter_names and name not in ("x", "y"):
                raise ValueError(f"unknown slider {name!r}; valid: x, y, "
                                 f"{some_names(net.parameter_names)}")
        self.names = parameter_list(net, [param] + [s for s in extra if s not in ("x", "y")])
        self.param = param
        self.title = f"Gradient of C0 with respect to {param}"
        self._slider(param, net.param(param), _reaching_switch(net, x, y, param))
        for name in extra:
            self._slider(name, np.ravel(net.input(x))[0] if name == "x" else
                         np.ravel(net.target(y))[0] if name == "y" else net.param(name))
        slider = self.sliders[param]
        self.curve = plots.CostCurve(net, x, y, param, np.linspace(slider.min, slider.max, 241))
        # with one slider the curve never changes: it goes in the background, and only the
        # tangent, the point and the numbers travel per step (5.5 kB of PNG less a step)
        moving = [a for a in self.curve.dynamic_artists() if extra or a is not self.curve.curve]
        self.show_figure(self.curve, moving)
        self.ledger = W.HTML(layout=W.Layout(min_height="6em"))
        self.ledger.add_class("bp-ledger")
        self.ledger_text = ""
        self.extra.append(self.ledger)
        self.css = LEDGER_CSS
        self.assemble()

    def _update(self):
        g = self._follow_sliders()
        self.curve.update(self.net, g, self.x, self.y)
        slope = f"dC0/d{self.param}"
        self.say(lambda n: [f"{self.param} = {n(self.net.param(self.param))}, C0 = {n(g.cost)}",
                            f"slope of the tangent = {slope} = {n(g[self.param])}"],
                 gives=("C0", slope))
        self._show(g)
        book = ledger(self.net, self.x, self.y, param=self.param, g=g)
        self.ledger_text = str(book)
        self.ledger.value = book.to_html()

    def _figure_without_numbers(self):
        self.curve.update(self.net, None, self.x, self.y)

    def summary(self) -> str:
        return super().summary() + "\n\n" + self.ledger_text


class _ContourView(View):
    """The contour of C0 over two parameters ``params``, drawn once, spanning exactly their
    sliders' ranges (``bounds``); for a ``descent``, no sliders and a key entry for paths."""

    def _contour(self, params, descent=False):
        self.params = parameter_list(self.start_net, params, 2)
        self.bounds = {}
        for name in self.params:
            start = self.start_net.param(name)
            value = _number(start, name)
            self.bounds[name] = _grid(value, *self._range(name, value))
            if not descent:
                self._slider(name, start, self.bounds[name])
        surface = cost_surface(self.start_net, self.x, self.y, {
            name: np.linspace(*self.bounds[name][:2], 121) for name in self.params},
            gradients=())
        self.contour = plots.CostContour(surface, paths=descent)
        self.show_figure(self.contour)

    def _figure_without_numbers(self):
        self.contour.set_gradient((0, 0), (math.inf, math.inf))  # "too large to draw"


class surface_view(_ContourView):
    """The contour of C0 over two parameters; their sliders move the point and gradient arrow."""

    def __init__(self, net, x, y, params=("w_H1", "w_Out"), ranges=None):
        super().__init__(net, x, y, ranges, list(params))
        self._contour(params)
        self.names = self.params
        self.title = f"Cost surface over {params[0]} and {params[1]}"
        self.assemble()

    def _arrow_meaning(self, gradient):
        """What the arrow says, and only what the map shows of it (``CostContour.arrow_ends``)."""
        if self.contour.arrow_ends is None:
            return ("no arrow: the cost is flat here, so a descent step would not move"
                    if not any(gradient) else "no arrow: the gradient is too large to draw")
        if self.contour.inside(self.contour.arrow_ends[1]):
            return "the arrow points uphill; a descent step goes the opposite way"
        return (f"the arrow points uphill, {self.contour.OFF_MAP}; a descent step goes the "
                "opposite way, back into the map")

    def _update(self):
        point = tuple(self.sliders[n].value for n in self.params)
        self.contour.set_point(point)
        g = self._follow_sliders()
        gradient = tuple(float(g[n]) for n in self.params)
        self.contour.set_gradient(point, gradient)
        names, meaning = [f"dC0/d{name}" for name in self.params], self._arrow_meaning(gradient)
        self.say(lambda n: [", ".join(f"{p} = {n(v)}" for p, v in zip(self.params, point))
                            + f", C0 = {n(g.cost)}",
                            f"gradient ({', '.join(names)}) = "
                            f"({', '.join(n(g[p]) for p in self.params)}): {meaning}"],
                 gives=("C0", *names))
        self._show(g)


class descent_view(_ContourView):
    """Sliders ``learning_rate`` and ``steps``; gradient descent on ``params`` drawn as a path on
    their contour (drawn once). The readout explains divergence or a dead neuron."""

    def __init__(self, net, x, y, params=("w_H1", "w_Out"), ranges=None, learning_rate=0.01,
                 steps=20):
        learning_rate = positive_number(learning_rate, "learning_rate")
        steps = whole_steps(steps)
        super().__init__(net, x, y, ranges, [*params, "learning_rate", "steps"])
        for name, check in (("learning_rate", positive_number), ("steps", whole_steps)):
            for end in self.ranges.get(name, ())[:2]:  # now, not once the slider gets there
                check(end, f"ranges[{name!r}]")
        self._contour(params, descent=True)
        self.title = f"Gradient descent on {params[0]} and {params[1]}"
        start = tuple(float(net.param(n)) for n in self.params)
        g = net.backward(x, y)
        self.contour.set_point(start)
        self.contour.set_gradient(start, tuple(float(g[n]) for n in self.params))
        lr = self._slider("learning_rate", learning_rate, (0.001, max(0.3, learning_rate), 0.001))
        positive_number(lr.min, "ranges['learning_rate'] (its low end on the step's grid)")
        low, high, step = self._range("steps", steps, (1, max(100, steps), 1))
        self.add_slider("steps", W.IntSlider, value=steps, min=int(min(low, steps)),
                        max=int(max(high, steps)), step=max(1, int(step or 1)))
        self.path = None
        self.assemble()

    def _update(self):
        lr = self.sliders["learning_rate"].value
        steps = self.sliders["steps"].value
        self.path = path = gradient_descent(self.start_net, self.x, self.y, lr, steps,
                                            self.params)
        self.net = path.net
        end = path.params[-1]
        self.contour.set_path(path)
        diverged = path.outcome == "diverged"  # then its message is a warning, said once
        self.say(lambda n: [f"learning_rate = {n(lr)}, steps = {steps} ({path.steps_taken} "
                            "taken)", *[path.message] * (not diverged),  # shortened in readout
                            "where it ended: " + ", ".join(f"{p} = {n(end[p])}"
                                                           for p in self.params)])
        if diverged:
            self.warnings.append(path.message)
        g = self._backward()  # an overflow leaves the lines above in the readout
        self.say(lambda n: [f"C0 (where descent ended) = {n(g.cost)}"])
        if not self.contour.inside([[p[n] for n in self.params] for p in path.params]):
            self.warnings.append(self.contour.LEAVES)
        # a blocked neuron is worth a warning here only if it stopped the descent
        self._show(g, where=" (where descent ended)", blocked=path.outcome == "stuck")
        # every digit, and the run's longer story, folded away below
        self.folded[:0] = [path.message] + ([path.details] if path.details else [])


LEDGER_CSS = (".bp-ledger-text{font-family:monospace;line-height:1.45}"  # Ledger.to_html's
              ".bp-ledger-text b{display:block;margin-top:.5em}"
              ".bp-ledger-text p{margin:0 0 0 1em}"
              f".bp-ledger-text i{{display:block;margin-left:2em;color:{style.WARNING}}}"
              ".bp-ledger-text small{display:block;margin-top:.6em;color:#555}")


def _reaching_switch(net, x, y, name):
    """The default range of ``name``, widened where needed to the value at which the z it
    feeds crosses 0 (the notebooks ask students to push a weight until z < 0, where ReLU
    switches off and sigmoid turns), or None to keep the plain default."""
    value = _number(net.param(name), name)
    low, high = value - plots.half_width(value), value + plots.half_width(value)
    _, L, index = net.locate(name)
    try:  # z is linear in the weight or bias that feeds it
        z0, z1 = (float(np.ravel(net.with_params({name: v}).backward(x, y).forward.z[L])[index[0]])
                  for v in (value, value + 1.0))
        crossing = value - z0 / (z1 - z0)
    except (ArithmeticError, ValueError):  # overflows, or z does not move with this parameter
        return None
    if not math.isfinite(crossing) or low < crossing < high or abs(crossing) > 1e6:
        return None
    room = max(0.25 * abs(crossing - value), 0.5)  # both sides of the switch show
    return min(low, crossing - room), max(high, crossing + room), None


def _set_first(value, new):
    """``value`` with its first number replaced (a scalar stays a scalar)."""
    if np.ndim(value) == 0:  # a number, or one as text
        return new
    array = to_array(np.ravel(np.array(value, dtype=object)), False, "the slider's vector", 1)
    array[0] = new
    return array


__all__ = ["View", "descent_view", "forward_view", "gradient_view", "surface_view"]
