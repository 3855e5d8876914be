"""The chain-rule ledger: its numbers are backward's, its products multiply out, its order is the seed's."""

import re
from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp

SEED_ORDER = ["2.05", "1.0205", "3.51025", "7.0205", "7.16442025", "7.1960125", "0.0351025",
              "0.01755125"]

CHAINS = [  # (weights, biases, x, y): default, a dead H1, negative weights, other numbers
    ([0.1, 0.01, 0.5], [2, 1, 3], 0.5, 0),
    ([0.1, -1, 0.5], [2, 1, 3], 0.5, 0),
    ([-0.3, 0.2, -0.7], [1, 0.5, 2], 0.5, 0),
    ([0.4, 0.3, 0.6], [0.1, -0.2, 0.3], 2, 1),
    ([0.5, -0.25, 2, 1.5], [0.1, 0.2, 0.3, -0.4], -1, 3),
]


def first_positions(text, numbers):
    return [re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", text).start() for n in numbers]


def test_worked_example_prints_the_seeds_numbers_in_the_seeds_order():
    net, x, y = bp.worked_example()
    positions = first_positions(str(bp.ledger(net, x, y)), SEED_ORDER)
    assert positions == sorted(positions)


def test_worked_example_reads_like_the_seed():
    net, x, y = bp.worked_example()
    text = str(bp.ledger(net, x, y))
    assert "- z: (0.5 * 0.1) + 2 = 2.05" in text
    assert "- a: ReLU(2.05) = 2.05" in text
    assert "- dC/da = 2(a - y) = 2(3.51025 - 0) = 7.0205" in text
    assert "- dC/dw(Out) = 7.0205 * 1 * 1.0205 = 7.16442025" in text
    assert "- dz(Out)/da(H1) = weight(Out) = 0.5" in text
    assert "- dC/da(H1) = sum(products) = 7.0205 * 1 * 0.5 = 3.51025" in text
    assert "- dC/dw(H0) = 0.0351025 * 1 * 0.5 = 0.01755125" in text


@pytest.mark.parametrize("weights, biases, x, y", CHAINS)
def test_ledger_values_are_backwards(weights, biases, x, y):
    net = bp.Network.chain(weights=weights, biases=biases)
    g = net.backward(x, y)
    book = bp.ledger(net, x, y)
    for L, name in enumerate(net.layer_names):
        assert book.value(f"dC/dw({name})") == pytest.approx(g.dw[name][0, 0], abs=1e-12)
        assert book.value(f"dC/db({name})") == pytest.approx(g.db[name][0], abs=1e-12)
        if L < len(net.layer_names) - 1:
            nxt = net.layer_names[L + 1]
            assert book.value(f"dC/da({name})") == pytest.approx(g.da[name][0], abs=1e-12)
            assert book.value(f"dz({nxt})/da({name})") == net.weights[L + 1][0, 0]
    assert book.value("C0") == pytest.approx(g.cost)


def _evaluate(expression):
    """The value of 'a * b * c' or '(a * b) + (c * d)' as the ledger prints it."""
    assert re.fullmatch(r"[\d.\-+*() ]+", expression), expression
    return eval(expression)  # digits and operators only, checked above


@pytest.mark.parametrize("weights, biases, x, y", CHAINS)
def test_every_printed_product_multiplies_out_to_its_value(weights, biases, x, y):
    net = bp.Network.chain(weights=weights, biases=biases)
    checked = 0
    for step in bp.ledger(net, x, y).steps:
        if " * " in step.substituted and "ReLU" not in step.substituted:
            assert _evaluate(step.substituted) == pytest.approx(float(step.value), rel=1e-9,
                                                                abs=1e-9)
            checked += 1
    assert checked >= 3 * len(weights)


def test_dead_relu_is_explained():
    net = bp.Network.chain(weights=[0.1, -1, 0.5], biases=[2, 1, 3])
    text = str(bp.ledger(net, 0.5, 0))
    assert "H1 is dead" in text and "ReLU'(z) = 0" in text
    assert bp.ledger(net, 0.5, 0).value("dC/dw(H0)") == 0


def test_exact_ledger_prints_exact_decimals():
    net = bp.Network.chain(weights=["0.1", "0.01", "0.5"], biases=[2, 1, 3], exact=True)
    book = bp.ledger(net, "0.5", 0)
    assert book.value("dC/dw(H0)") == Fraction("0.01755125")
    assert "= 12.3218550625" in str(book)


def test_markdown_and_latex_carry_the_formulas():
    net, x, y = bp.worked_example()
    book = bp.ledger(net, x, y)
    md = book._repr_markdown_()
    assert r"$\frac{\partial C_0}{\partial w^{Out}} = 7.0205 \cdot 1 \cdot 1.0205 = 7.16442025$" in md
    assert r"has no $\frac{1}{2}$" in md
    latex = book.to_latex()
    assert latex.count(r"\begin{gather*}") == latex.count(r"\end{gather*}") == len(book.sections)


WIDE = bp.Network(
    weights=[[[0.1], [0.2]], [[0.3, -0.4], [0.5, 0.6]], [[0.7, 0.8], [-0.2, 0.4]]],
    biases=[[0, 0.1], [0.2, -0.3], [0.1, 0.2]],
)


@pytest.mark.parametrize("param", WIDE.parameter_names)
def test_parameter_ledger_of_a_wide_network(param):
    x, y = 0.5, [1, -1]
    g = WIDE.backward(x, y)
    book = bp.ledger(WIDE, x, y, param=param)
    assert book.value(f"dC/d{param}") == pytest.approx(g[param], abs=1e-12)
    final = book.steps[-1]
    assert _evaluate(final.substituted) == pytest.approx(g[param], abs=1e-12)


def test_the_sum_over_the_next_layer_adds_up():
    x, y = 0.5, [1, -1]
    g = WIDE.backward(x, y)
    book = bp.ledger(WIDE, x, y, param="w_H0[1,0]")
    step = next(s for s in book.steps if s.label == "dC/da_1(H0)")
    assert step.substituted.count(" + ") == 1  # one term per neuron of H1
    assert _evaluate(step.substituted) == pytest.approx(g.da["H0"][1], abs=1e-12)


def test_a_wide_network_needs_a_parameter():
    with pytest.raises(ValueError, match=r"param=.*w_H0\[0,0\]"):
        bp.ledger(WIDE, 0.5, [1, -1])
    with pytest.raises(ValueError, match="unknown parameter 'w_H9'"):
        bp.ledger(WIDE, 0.5, [1, -1], param="w_H9")


def test_ledger_works_for_other_activations():
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="sigmoid")
    g = net.backward(0.5, 0)
    book = bp.ledger(net, 0.5, 0)
    assert "sigmoid'(" in str(book)
    assert np.isclose(book.value("dC/dw(H0)"), g.dw["H0"][0, 0])


@pytest.mark.parametrize("param, sections", [
    ("w_Out", ["Output (backward)"]), ("b_H1", ["H1 (backward)"]),
    ("w_H0", ["H1 (backward)", "H0 (backward)"]),
])
def test_parameter_ledger_of_a_chain_reads_like_the_seed(param, sections):
    net, x, y = bp.worked_example()
    book = bp.ledger(net, x, y, param=param)
    assert [s.title for s in book.sections if not s.forward] == sections
    assert [s.title for s in book.sections if s.forward] == ["H0", "H1", "Out", "Cost"]
    kind, layer = param.split("_")
    assert book.value(f"dC/d{kind}({layer})") == pytest.approx(net.backward(x, y)[param])


def test_the_relu_convention_appears_only_for_relu_networks():
    sigmoid = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="sigmoid")
    assert "ReLU'(z) = 0" not in str(bp.ledger(sigmoid, 0.5, 0))
    assert "no 1/2" in str(bp.ledger(sigmoid, 0.5, 0))
    net, x, y = bp.worked_example()
    assert "ReLU'(z) = 0 for z <= 0" in str(bp.ledger(net, x, y, param="w_H1"))
