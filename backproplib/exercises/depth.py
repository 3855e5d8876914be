"""Checks for notebook 13 (gradients through depth); each computes its own reference answer."""

from __future__ import annotations

from ..learning import depth
from .answers import check_choice
from .sandbox import check_function

CASES = [(32, 32), (3, 7), (100, 10), (1, 1), (784, 300)]
_SLIPS = {
    "xavier": {
        "That is 1/n_in (LeCun's): Glorot averages the forward and the backward condition, "
        "so n_out counts too.": lambda n_in, n_out: 1 / n_in,
        "That is He's 2/n_in; Glorot's denominator has n_in + n_out.": lambda n_in, n_out: 2 / n_in,
        "Keep the 2: the average of n_in and n_out is (n_in + n_out)/2, so Var(w) = "
        "1 / ((n_in + n_out)/2).": lambda n_in, n_out: 1 / (n_in + n_out),
        "That is a standard deviation; the question asks for the variance.":
            lambda n_in, n_out: (2 / (n_in + n_out)) ** 0.5,
    },
    "he": {
        "That is 1/n_in: ReLU zeroes half of the z's, so E[a^2] = Var(z)/2, and the factor 2 "
        "makes up for it.": lambda n_in, n_out: 1 / n_in,
        "He counts the inputs only (the forward condition): n_in, not n_in + n_out.":
            lambda n_in, n_out: 2 / (n_in + n_out),
        "That is a standard deviation; the question asks for the variance.":
            lambda n_in, n_out: (2 / n_in) ** 0.5,
    },
}


def check_init_variance(function, init: str):
    """The student's ``function(n_in, n_out)`` against ``learning.depth.init_variance`` for
    ``init`` ("xavier" or "he") on layers of several sizes."""
    if init not in _SLIPS:
        raise ValueError(f"init: expected one of {', '.join(_SLIPS)}, got {init!r}")

    def reference(n_in, n_out):
        return depth.init_variance(init, n_in, n_out)

    return check_function(function, reference, CASES, f"the {init} variance",
                          hint="keep Var(z) (or Var(delta)) the same from layer to layer.",
                          mistakes=_SLIPS[init])


OPTIONS = {"a": "grows (relative to Out's)", "b": "shrinks (relative to Out's)",
           "c": "stays about the same (within a factor of 2)"}


def check_scale_effect(answer, settings: dict, factor=2.0):
    """Predict-then-check: the network of ``settings`` (the arguments of
    ``learning.depth.deep_network``, with ``m`` for the batch) is built again with the initial
    weights' scale times ``factor``. Does |delta^H0| / |delta^Out| grow, shrink or stay? The
    check builds both networks and compares."""
    settings = dict(settings)
    m = settings.pop("m", 32)
    before = _profile(settings, m)
    after = _profile(dict(settings, scale=settings.get("scale", 1.0) * factor), m)
    change = after.spread / before.spread if before.spread > 0 else float("inf")
    correct = "a" if change > 2 else "b" if change < 0.5 else "c"
    why = (f"|delta^H0| / |delta^Out| was {before.spread:.3g} and is {after.spread:.3g} with "
           f"the scale times {factor:g}: {change:.3g} times as large. Each layer on the way "
           f"back multiplies delta by (W^L)^T and sigma'(z^L), so a factor on every weight "
           f"comes in once per layer.")
    return check_choice(answer, correct, OPTIONS, {correct: why},
                        what="how H0's gradient changes")


def _profile(settings, m):
    net = depth.deep_network(**settings)
    X, Y = depth.deep_data(net, m, settings.get("seed", 0))
    return depth.profile(net, X, Y)
