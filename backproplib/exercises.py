"""Checks that answer a student's exercise at once: what is right, what is wrong, and a hint.

Every check returns a ``Feedback`` (it never raises, so Run All never stops): "Right: ...",
"Not yet: ..." with a hint, or "Not answered yet: ..." while the answer is still None. The
expected values come from the library, so they follow whatever parameters the notebook uses.

    z_H0 = None  # your answer
    exercises.check_forward(z_H0, net, x, "z", "H0")
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass

import numpy as np

from .scalars import fmt, to_scalar
from .values import parse_parameter

RIGHT, WRONG, UNANSWERED = "Right", "Not yet", "Not answered yet"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; prints as text and renders as a coloured box in a notebook."""

    status: str  # RIGHT, WRONG or UNANSWERED
    message: str

    def __bool__(self):
        return self.status == RIGHT

    def __str__(self):
        return f"{self.status}: {self.message}"

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        colour = {RIGHT: "#1b7f3b", WRONG: "#b3261e", UNANSWERED: "#6b6b6b"}[self.status]
        mark = {RIGHT: "&#10004;", WRONG: "&#10008;", UNANSWERED: "&#8230;"}[self.status]
        return (f'<div class="bp-feedback" style="border-left: 4px solid {colour}; '
                f'padding: 4px 8px; color: {colour}">{mark} <b>{self.status}</b>: '
                f"{html.escape(self.message)}</div>")


def check_value(answer, expected, what: str, hint: str = "", mistakes: dict | None = None,
                rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> Feedback:
    """Compare a number with the expected one.

    ``mistakes`` maps a hint to the value a typical slip gives, e.g.
    {"The cost has no 1/2 in front, so dC/da = 2(a - y).": expected / 2}; an answer equal to
    such a value gets that specific hint.
    """
    if answer is None:
        return Feedback(UNANSWERED, f"replace None with your value for {what}.")
    try:
        number = float(to_scalar(answer, exact=False, what=what))
    except (TypeError, ValueError) as error:
        return Feedback(WRONG, f"{error}. Give {what} as a single number.")
    target = float(expected)
    if math.isclose(number, target, rel_tol=rel_tol, abs_tol=abs_tol):
        return Feedback(RIGHT, f"{what} = {fmt(expected)}.")
    for slip_hint, slip_value in (mistakes or {}).items():
        if math.isclose(number, float(slip_value), rel_tol=rel_tol, abs_tol=abs_tol):
            return Feedback(WRONG, f"{fmt(number)} is not {what}. {slip_hint}")
    tail = f" Hint: {hint}" if hint else ""
    return Feedback(WRONG, f"{fmt(number)} is not {what}.{tail}")


def check_forward(answer, net, x, quantity: str, layer: str) -> Feedback:
    """Check z or a (``quantity``) of one layer of a chain network."""
    if quantity not in ("z", "a"):
        raise ValueError(f"quantity: expected 'z' or 'a', got {quantity!r}")
    fwd = net.forward(x)
    L = _layer_index(net, layer)
    a_in = fwd.x[0] if L == 0 else fwd.a[L - 1][0]
    w, b, sigma = net.weights[L][0, 0], net.biases[L][0], net.activations[L]
    z = fwd.z[layer][0]
    source = "x" if L == 0 else f"a({net.layer_names[L - 1]})"
    if quantity == "z":
        mistakes = {"Don't forget the bias: z = w * (input) + b.": w * a_in,
                    f"z uses the input {source} times the weight, not the weight alone.": w + b}
        hint = f"z({layer}) = {source} * w({layer}) + b({layer})."
        return check_value(answer, z, f"z({layer})", hint, mistakes)
    mistakes = {f"That is z before the activation; now apply {sigma.formula}.": z}
    if z == fwd.a[layer][0]:
        mistakes = {}
    hint = f"a({layer}) = {sigma.formula}(z({layer})); for ReLU that is max(0, z)."
    return check_value(answer, fwd.a[layer][0], f"a({layer})", hint, mistakes)


def check_gradient(answer, net, x, y, param: str) -> Feedback:
    """Check dC0/d(param), naming the typical slips of the chain rule when they match."""
    kind, layer, index = parse_parameter(param, net.parameter_names)
    g = net.backward(x, y)
    expected = g[param]
    L = net.layer_names.index(layer)
    fwd = net.forward(x)
    j = index[0] if kind == "w" else index
    da_dz = net.activations[L].derivative(fwd.z[L])[j]
    a_in = (fwd.x if L == 0 else fwd.a[L - 1])[index[1]] if kind == "w" else 1
    mistakes = {
        "The cost C0 = (a - y)^2 has no 1/2, so dC/da = 2(a - y): check the factor 2.":
            expected / 2,
        "Check the sign of dC/da = 2(a - y): a minus y, not y minus a.": -expected,
    }
    if kind == "w":
        mistakes["dz/dw is the activation coming into the layer, not 1: that gives dC/db."] = (
            g.db[L][j])
    if da_dz == 0:
        mistakes["sigma'(z) is 0 here (a dead ReLU, or a saturated sigmoid or tanh), so the "
                  "whole product is 0."] = (
            g.da[L][j] * a_in)
    name = f"dC0/d{param}"
    hint = (f"{name} = dC/da({layer}) * da/dz({layer}) * dz/d{kind}({layer}); "
            f"multiply the three factors.")
    return check_value(answer, expected, name, hint, mistakes)


def check_function(function, reference, cases, what: str, hint: str = "") -> Feedback:
    """Call the student's ``function`` on each case (a tuple of arguments) and compare."""
    if function is None:
        return Feedback(UNANSWERED, f"write {what} and pass it in place of None.")
    if not callable(function):
        return Feedback(WRONG, f"expected a function for {what}, got {type(function).__name__}.")
    for args in cases:
        shown = ", ".join(_show_argument(a) for a in args)
        try:
            got = function(*args)
        except Exception as error:  # a student's bug must not stop Run All
            return Feedback(WRONG, f"{what}({shown}) raised {type(error).__name__}: {error}.")
        if got is None:
            return Feedback(UNANSWERED, f"{what}({shown}) returned None: finish it with a "
                                        "return statement.")
        want = reference(*args)
        try:
            same = np.allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                               rtol=1e-6, atol=1e-9)
        except (TypeError, ValueError):
            same = False
        if not same:
            tail = f" Hint: {hint}" if hint else ""
            return Feedback(WRONG, f"{what}({shown}) gave {got!r}, which is not right.{tail}")
    return Feedback(RIGHT, f"{what} gives the right value on all {len(cases)} test inputs.")


def _show_argument(value) -> str:
    if callable(value):
        return getattr(value, "__name__", repr(value))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return fmt(value)
    return repr(value)


def _layer_index(net, layer) -> int:
    if layer not in net.layer_names:
        raise ValueError(f"layer: expected one of {', '.join(net.layer_names)}, got {layer!r}")
    return net.layer_names.index(layer)
