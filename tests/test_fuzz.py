"""Random junk and extreme values through the public API: every call ends in a right answer or a
ValueError/TypeError in the library's own words, never another exception, NaN or infinity."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backproplib as bp

FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
EXTREME = st.sampled_from([1e308, -1e308, 1e-308, 5e-324, 1e154, 1e200, -1e200, 0.0, -0.0])
NUMBERS = st.one_of(
    FLOATS, EXTREME, st.integers(min_value=-10**120, max_value=10**120),
    st.fractions(max_denominator=10**6), st.booleans(), st.none(),
    st.text(max_size=12), st.sampled_from(["1/2", "0.1", "-3", "1e400", "1e-400", "abc", "", " 2 "]),
)
SHAPED = st.one_of(NUMBERS, st.lists(NUMBERS, max_size=3), st.lists(st.lists(NUMBERS, max_size=2), max_size=2))
OURS = (ValueError, TypeError)  # NumericOverflow is a ValueError too


def finite(value):
    array = np.asarray(value, dtype=object).reshape(-1)
    return all(isinstance(v, Fraction) or math.isfinite(float(v)) for v in array)


def library_words(error):
    """A message that names what was wrong, not Python's or numpy's internals."""
    text = str(error)
    assert text and "Traceback" not in text
    for internal in ("could not convert", "invalid literal", "unsupported operand",
                     "object has no attribute", "Exceeds the limit", "setting an array element",
                     "operands could not be broadcast", "index out of", "not subscriptable"):
        assert internal not in text, text


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(weights=SHAPED, biases=SHAPED, x=SHAPED, y=SHAPED,
       activation=st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu", "linear", "elu", 3]),
       exact=st.sampled_from([None, True, False]))
def test_chain_networks_from_junk(weights, biases, x, y, activation, exact):
    try:
        net = bp.Network.chain(weights if isinstance(weights, list) else [weights],
                               biases if isinstance(biases, list) else [biases], activation, exact)
        g = net.backward(x, y)
    except OURS as error:
        library_words(error)
        return
    assert finite(g.cost)
    for name in net.parameter_names:
        assert finite(g[name])


@settings(max_examples=150, deadline=3000)
@given(w=st.one_of(EXTREME, st.floats(-1e6, 1e6)), y=st.one_of(EXTREME, st.floats(-1e9, 1e9)),
       low=st.floats(-1e300, 1e300), span=st.floats(1e-300, 1e300))
def test_surfaces_from_extreme_values(w, y, low, span):
    net = bp.Network.chain([w, 1, 1], [0, 0, 0])
    try:
        s = bp.cost_surface(net, 0.5, y, {"w_H1": [low, low + span], "w_Out": [0, 1]})
    except OURS as error:
        library_words(error)
        return
    assert np.isfinite(s.cost).all()


@settings(max_examples=100, deadline=2000)
@given(name=st.one_of(st.text(max_size=10), st.integers(), st.none()), value=NUMBERS)
def test_with_params_from_junk(name, value):
    net, x, y = bp.worked_example()
    try:
        changed = net.with_params({name: value})
    except OURS as error:
        library_words(error)
        return
    assert finite(changed.param(name))


@settings(max_examples=60, deadline=3000)
@given(h=st.one_of(NUMBERS, st.floats(1e-30, 10)))
def test_finite_differences_from_junk_steps(h):
    net, x, y = bp.worked_example()
    try:
        numeric = bp.numerical_gradients(net, x, y, h=h)
    except OURS as error:
        library_words(error)
        return
    assert all(finite(v) for v in numeric.as_dict().values())


def test_huge_fractions_are_refused_quickly():
    with pytest.raises(ValueError, match="at most 100 digits"):
        bp.Network.chain([Fraction(10**5000, 3), 1], [0, 0])
