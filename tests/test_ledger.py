"""The chain-rule ledger: its numbers are backward's, its products multiply out, its order is the
seed's, its words follow the activation in use, and its parts are found by name."""

import re
from fractions import Fraction

import numpy as np
import pytest

import backproplib as bp
from backproplib.chainrule.ledger import show_value

SEED_SEQUENCE = ["2.05", "1.0205", "3.51025", "7.0205", "7.16442025", "3.51025", "7.1960125",
                 "0.0351025", "0.01755125"]

CHAINS = [  # (weights, biases, x, y): default, a dead H1, negative weights, other numbers
    ([0.1, 0.01, 0.5], [2, 1, 3], 0.5, 0),
    ([0.1, -1, 0.5], [2, 1, 3], 0.5, 0),
    ([-0.3, 0.2, -0.7], [1, 0.5, 2], 0.5, 0),
    ([0.4, 0.3, 0.6], [0.1, -0.2, 0.3], 2, 1),
    ([0.5, -0.25, 2, 1.5], [0.1, 0.2, 0.3, -0.4], -1, 3),
]
ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "linear"]
FUNCTION_NAMES = {"ReLU", "LeakyReLU", "sigmoid", "tanh", "linear"}

WIDE = bp.Network(
    weights=[[[0.1], [0.2]], [[0.3, -0.4], [0.5, 0.6]], [[0.7, 0.8], [-0.2, 0.4]]],
    biases=[[0, 0.1], [0.2, -0.3], [0.1, 0.2]],
)
WIDE_X, WIDE_Y = 0.5, [1, -1]


def in_sequence(text, numbers):
    """True if the numbers appear in this order, each as a whole number after the one before."""
    position = 0
    for n in numbers:
        found = re.compile(rf"(?<![\d.]){re.escape(n)}(?![\d])").search(text, position)
        if not found:
            return False
        position = found.end()
    return True


def evaluate(text, exact):
    """The value of a line's numbers as printed: '(0.1 * 0.5) + 2', '2(3.5 - 0)', '(a - y)^2'."""
    assert not FUNCTION_NAMES & set(re.findall(r"[A-Za-z]+", text)), text
    assert re.fullmatch(r"(?:[\d.\-+*()^ ]|\de[-+]\d)+", text), text  # 6.1e-05 as fmt prints it
    expression = text.replace("^", "**").replace("2(", "2*(")
    if exact:
        expression = re.sub(r"\d+(\.\d+)?(e[-+]\d+)?", lambda m: f"Fraction('{m.group()}')",
                            expression)
    return eval(expression, {"Fraction": Fraction})  # digits and operators only, checked above


def arithmetic_steps(book):
    """The steps whose numbers are arithmetic (not sigma(...)), as (step, their text)."""
    for step in book.steps:
        numbers = step.render().split(" = ")[-2]
        if step.numbers and not any(name in numbers for name in FUNCTION_NAMES):
            yield step, numbers


# --- the worked example, as in the seed ---------------------------------------------------------
def test_worked_example_prints_the_seeds_numbers_in_the_seeds_order():
    net, x, y = bp.worked_example()
    text = str(bp.ledger(net, x, y))
    assert in_sequence(text, SEED_SEQUENCE)
    assert not in_sequence(text, SEED_SEQUENCE[::-1])  # the check can fail


def test_worked_example_reads_like_the_seed_in_the_code_spelling():
    net, x, y = bp.worked_example()
    lines = str(bp.ledger(net, x, y)).splitlines()
    h1 = str(bp.ledger(net, x, y).backward_part("H1")).splitlines()
    assert h1[:3] == ["H1 (backward)", "", "- dC0/da_Out = 2(a_Out - y) = 2(3.51025 - 0) = 7.0205"]
    for line in [
        "- z_H0 = w_H0 * x + b_H0 = (0.1 * 0.5) + 2 = 2.05",
        "- a_H0 = ReLU(z_H0) = ReLU(2.05) = 2.05",
        "- dC0/da_Out = 2(a_Out - y) = 2(3.51025 - 0) = 7.0205",
        "- da_Out/dz_Out = ReLU'(z_Out) = ReLU'(3.51025) = 1",
        "- dz_Out/dw_Out = a_H1 = 1.0205",
        "- dC0/dw_Out = 7.0205 * 1 * 1.0205 = 7.16442025",
        "- dz_Out/da_H1 = w_Out = 0.5",
        "- dC0/da_H1 = sum over j in Out of dC0/da_Out[j] * ReLU'(z_Out[j]) * w_Out[j,0] "
        "= 7.0205 * 1 * 0.5 = 3.51025",
        "- dC0/dw_H1 = 3.51025 * 1 * 2.05 = 7.1960125",
        "- dC0/dw_H0 = 0.0351025 * 1 * 0.5 = 0.01755125",
    ]:
        assert line in lines


def test_no_line_has_the_reserved_form_of_a_gradient_at_the_parameters_cell():
    reserved = re.compile(r"^dC0?/d\S+ = \S+$", re.MULTILINE)  # as tests/test_notebooks.py reads
    net, x, y = bp.worked_example()
    assert not reserved.findall(str(bp.ledger(net, x, y)))
    assert reserved.findall(net.backward(x, y).report())  # the pattern does match that form


# --- its numbers are backward's ----------------------------------------------------------------
@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("weights, biases, x, y", CHAINS)
def test_ledger_values_are_backwards(weights, biases, x, y, exact):
    net = bp.Network.chain(weights=weights, biases=biases, exact=exact)
    g = net.backward(x, y)
    book = bp.ledger(net, x, y)
    close = (lambda v: v) if exact else (lambda v: pytest.approx(v, abs=1e-12))
    for L, name in enumerate(net.layer_names):
        assert book.value(name, "dC0/dw") == close(g[f"w_{name}"])
        assert book.value(name, "dC0/db") == close(g[f"b_{name}"])
        assert book.value(name, "da/dz") == close(g.da_dz[name][0])
        assert book.value(name, "z") == close(g.forward.z[name][0])
        assert book.value(name, "dC0/da") == close(g.da[name][0])
        if L > 0:
            assert book.value(name, "dz/da") == net.weights[L][0, 0]
    assert book.value(None, "C0") == close(g.cost)


@pytest.mark.parametrize("activation, exact", [("relu", False), ("relu", True), ("sigmoid", False),
                                               ("leaky_relu", True)])
@pytest.mark.parametrize("weights, biases, x, y", CHAINS)
def test_every_printed_computation_comes_out_to_its_value(weights, biases, x, y, activation,
                                                          exact):
    net = bp.Network.chain(weights=weights, biases=biases, activation=activation, exact=exact)
    checked = 0
    for step, numbers in arithmetic_steps(bp.ledger(net, x, y)):
        if exact:
            assert evaluate(numbers, exact) == step.value, str(step)
        else:
            assert evaluate(numbers, exact) == pytest.approx(float(step.value), rel=1e-9,
                                                             abs=1e-9), str(step)
        assert not re.search(r"[*+\-] -", numbers), f"a bare negative number in {step}"
        checked += 1
    # per layer z, dC0/dw, dC0/db (and dC0/da below Out), plus dC0/da_Out and the cost
    assert checked >= 4 * len(weights) + 1


def test_exact_ledger_prints_exact_decimals():
    net = bp.Network.chain(weights=["0.1", "0.01", "0.5"], biases=[2, 1, 3], exact=True)
    book = bp.ledger(net, "0.5", 0)
    assert book.value("H0", "dC0/dw") == Fraction("0.01755125")
    assert "- C0 = (a_Out - y)^2 = (3.51025 - 0)^2 = 12.3218550625" in str(book)


def test_a_ledger_of_handed_in_gradients_is_the_same():
    net, x, y = bp.worked_example()
    assert str(bp.ledger(net, x, y, g=net.backward(x, y))) == str(bp.ledger(net, x, y))


def test_a_batch_is_refused_in_words():
    net, _, _ = bp.worked_example()
    with pytest.raises(ValueError, match="one example, got a batch of 2"):
        bp.ledger(net, [[0.5], [1]], [[0], [1]])


# --- values of several neurons ------------------------------------------------------------------
@pytest.mark.parametrize("value, shown", [
    (np.array([0.1, -0.2]), "[0.1, -0.2]"),
    (np.array([[0.3, -0.4], [0.5, 0.6]]), "[[0.3, -0.4], [0.5, 0.6]]"),
    (np.array([[0.1], [2.0]]), "[[0.1], [2]]"),
    (np.array([Fraction(1, 4), Fraction(-3, 2)], dtype=object), "[0.25, -1.5]"),
    (np.array([[Fraction(1, 8)]], dtype=object), "[[0.125]]"),
    (np.float64(-0.0), "0"),
    (Fraction(7, 2), "3.5"),
])
def test_vectors_and_matrices_are_shown_in_brackets(value, shown):
    assert show_value(value) == shown


def test_a_wide_networks_forward_part_shows_its_matrices_and_vectors():
    text = str(bp.ledger(WIDE, WIDE_X, WIDE_Y, param="w_Out[0,1]").forward_part())
    assert "- W_H1 = [[0.3, -0.4], [0.5, 0.6]]" in text.splitlines()
    assert "- b_H1 = [0.2, -0.3]" in text.splitlines()
    a_out = [bp.fmt(a) for a in WIDE.forward(WIDE_X).output]
    assert (f"- C0 = sum over j in Out of (a_Out[j] - y[j])^2 = ({a_out[0]} - 1)^2 + "
            f"({a_out[1]} - (-1))^2 = ") in text
    a = WIDE.forward(WIDE_X).a["H1"]
    assert f"- a_H1 = ReLU(z_H1) = [{bp.fmt(a[0])}, {bp.fmt(a[1])}]" in text.splitlines()
    one = bp.Network([[[0.5, 0.25]]], [[1]])  # one neuron with two inputs: a number, not [v]
    lines = str(bp.ledger(one, [2, 4], 0, param="b_Out")).splitlines()
    assert "- x = [2, 4]" in lines and "- z_Out = W_Out x + b_Out = 3" in lines


@pytest.mark.parametrize("param", WIDE.parameter_names)
def test_parameter_ledger_of_a_wide_network(param):
    g = WIDE.backward(WIDE_X, WIDE_Y)
    book = bp.ledger(WIDE, WIDE_X, WIDE_Y, param=param)
    kind, rest = param.split("_", 1)
    layer, index = (rest.split("[") + [""])[:2]
    key = f"dC0/d{kind}" + (f"[{index}" if index else "")
    assert book.value(layer, key) == pytest.approx(g[param], abs=1e-12)
    final = book.steps[-1]
    assert final.render().startswith(f"dC0/d{param} = ")
    assert evaluate(final.render().split(" = ")[1], False) == pytest.approx(g[param], abs=1e-12)
    assert [s.title for s in book.backward_part().sections] == [f"{param} (backward)"]


ONE_OUTPUT = bp.Network([[[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], [[1, -1, 0.5]]],
                        [[0, 0.1, 0], [0.2]], activations=["tanh", "linear"])


@pytest.mark.parametrize("net, x, y", [(WIDE, WIDE_X, WIDE_Y), (ONE_OUTPUT, [1, 2], 0.5)])
def test_every_computation_of_a_wide_ledger_comes_out_to_its_value(net, x, y):
    for param in net.parameter_names:
        book = bp.ledger(net, x, y, param=param)
        checked = 0
        for step, numbers in arithmetic_steps(book):
            assert evaluate(numbers, False) == pytest.approx(step.value, rel=1e-8, abs=1e-12), str(step)
            checked += 1
        assert checked >= 3  # the cost, dC0/da_Out (or the sum before it) and the product
        if net.sizes[-1] == 1:  # one output: dC0/da_Out is a number, written out
            assert "- dC0/da_Out = 2(a_Out - y) = 2(" in str(book)


def test_the_sum_over_the_next_layer_uses_j_and_the_neurons_own_k():
    g = WIDE.backward(WIDE_X, WIDE_Y)
    book = bp.ledger(WIDE, WIDE_X, WIDE_Y, param="w_H0[1,0]")
    step = next(s for s in book.steps if s.subject.key == ("H0", "dC0/da[1]"))
    rule, numbers = step.render().split(" = ")[1:3]
    assert rule == "sum over j in H1 of dC0/da_H1[j] * ReLU'(z_H1[j]) * w_H1[j,1]"
    assert numbers.count(" + ") == 1  # one term per neuron j of H1
    assert evaluate(numbers, False) == pytest.approx(g.da["H0"][1], abs=1e-12)
    latex = book.to_latex()
    assert r"\sum_{j \in H1} \frac{\partial C_0}{\partial a_{j}^{H1}}" in latex
    assert r"\frac{\partial C_0}{\partial w_{10}^{H0}}" in latex
    assert r"w_{jk}^{Out}\text{ for each } k = " in latex  # the layer between, as a vector


def test_a_wide_network_needs_a_parameter():
    with pytest.raises(ValueError, match=r"param=.*w_H0\[0,0\]"):
        bp.ledger(WIDE, WIDE_X, WIDE_Y)
    with pytest.raises(ValueError, match="unknown parameter 'w_H9'"):
        bp.ledger(WIDE, WIDE_X, WIDE_Y, param="w_H9")


# --- the activation in use, and blocked neurons ---------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_ledger_names_the_activation_in_use(activation):
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation=activation)
    text = str(bp.ledger(net, 0.5, 0))
    formula = net.activations[0].formula
    used = set(re.findall(r"\b([A-Za-z]+)'?\(", text)) & FUNCTION_NAMES
    assert used == {formula}
    assert f"da_Out/dz_Out = {formula}'(z_Out) = {formula}'(" in text


def test_each_layer_names_its_own_activation():
    net = bp.Network([[[0.1]], [[0.01]], [[0.5]]], [[2], [1], [3]],
                     activations=["tanh", "relu", "sigmoid"])
    book = bp.ledger(net, 0.5, 0)
    lines = {str(s).split(" = ")[0]: str(s) for s in book.steps}
    assert "tanh'(z_H0)" in lines["da_H0/dz_H0"]
    assert "ReLU'(z_H1)" in lines["da_H1/dz_H1"]
    assert "sigmoid'(z_Out)" in lines["da_Out/dz_Out"]
    assert "sum over j in Out of dC0/da_Out[j] * sigmoid'(z_Out[j])" in str(book)


BLOCKING = [  # (activation, weights, biases): a dead or saturated neuron, or none
    ("relu", [0.1, -1, 0.5], [2, 1, 3]),
    ("relu", [0.1, 0.01, 0.5], [2, 1, 3]),
    ("leaky_relu", [0.1, -1, 0.5], [2, 1, 3]),
    ("tanh", [0.1, 0.01, 0.5], [30, 0, 0]),
    ("tanh", [0.1, 0.01, 0.5], [2, 1, 3]),
    ("sigmoid", [0.1, 0.01, 0.5], [-12, 0, 0]),
    ("sigmoid", [1, 1, 1], [2, 1, 3]),
    ("linear", [0.1, 0, 0.5], [2, 1, 3]),
]


@pytest.mark.parametrize("activation, weights, biases", BLOCKING)
def test_a_neuron_is_called_dead_only_where_its_slope_is_0(activation, weights, biases):
    net = bp.Network.chain(weights=weights, biases=biases, activation=activation)
    g = net.backward(0.5, 0)
    book = bp.ledger(net, 0.5, 0)
    for step in book.steps:
        if "dead" in step.note:
            assert step.value == 0, str(step)
        if step.note:
            assert step.subject.key[1] == "da/dz", str(step)  # notes sit on sigma'(z) lines
    text = str(book)
    for blocked in g.blocked:  # every blocked neuron is explained, in the one sentence
        assert bp.explain_blocked(blocked) in text
    if not g.blocked:
        assert "dead" not in text and "saturated" not in text


def test_a_dead_relu_is_explained_and_stops_the_chain():
    net = bp.Network.chain(weights=[0.1, -1, 0.5], biases=[2, 1, 3])
    book = bp.ledger(net, 0.5, 0)
    note = next(s.note for s in book.steps if s.subject.key == ("H1", "da/dz"))
    assert "H1 is dead" in note
    assert book.value("H0", "dC0/dw") == 0 and book.value("H1", "dC0/dw") == 0
    assert book.value("Out", "dC0/db") != 0


@pytest.mark.parametrize("param", ["w_H1[0,1]", "w_H1[1,0]", "b_H1[1]", "w_H0[1,0]"])
def test_a_blocked_neuron_of_a_wide_layer_is_named_on_its_own_slope(param):
    g = WIDE.backward(WIDE_X, WIDE_Y)
    assert [b.neuron for b in g.blocked] == ["H1[1]"]  # z_H1[1] < 0: the case under test
    book = bp.ledger(WIDE, WIDE_X, WIDE_Y, param=param)
    noted = {step.subject.key: step for step in book.steps if step.note}
    expected = {"w_H1[0,1]": [], "w_H1[1,0]": [("H1", "da[1]/dz[1]")],
                "b_H1[1]": [("H1", "da[1]/dz[1]")], "w_H0[1,0]": [("H0", "dC0/da[1]")]}[param]
    assert list(noted) == expected  # its own slope, or the sum it is a term of
    for key, step in noted.items():
        assert step.note == bp.explain_blocked(g.blocked[0])
        assert step.value == 0 if key[1].startswith("da") else "* 0 *" in str(step)


def test_a_saturated_tanh_gets_its_note_and_is_not_called_dead():
    net = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[30, 0, 0], activation="tanh")
    book = bp.ledger(net, 0.5, 0)
    text = str(book)
    assert "H0 is saturated" in text and "dead" not in text
    assert "tanh'(z_H0) = tanh'(30.05)" in text
    assert "ReLU" not in text


def test_the_relu_convention_appears_only_for_relu_networks():
    sigmoid = bp.Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="sigmoid")
    text = str(bp.ledger(sigmoid, 0.5, 0))
    assert "ReLU" not in text and "no 1/2" in text
    net, x, y = bp.worked_example()
    assert "ReLU'(z) = 0 for z <= 0" in str(bp.ledger(net, x, y, param="w_H1"))
    mixed = bp.Network([[[0.1]], [[0.5]]], [[2], [3]], activations=["tanh", "relu"])
    assert "ReLU'(z) = 0 for z <= 0" in str(bp.ledger(mixed, 0.5, 0))


# --- found by name ----------------------------------------------------------------------------------
def test_sections_are_chosen_by_name():
    net, x, y = bp.worked_example()
    book = bp.ledger(net, x, y)
    assert [s.title for s in book.forward_part().sections] == ["H0", "H1", "Out", "Cost"]
    assert [s.title for s in book.backward_part().sections] == [
        "Out (backward)", "H1 (backward)", "H0 (backward)"]
    assert [s.title for s in book.backward_part("H0", "H1").sections] == [
        "H0 (backward)", "H1 (backward)"]
    out = book.backward_part("Out")
    assert out.value("Out", "dC0/dw") == book.value("Out", "dC0/dw")
    assert "Out (backward)" in str(out) and "H1 (backward)" not in str(out)
    assert "Conventions:" in str(out)
    with pytest.raises(KeyError, match="no backward section 'H5'; backward sections: Out, H1, H0"):
        book.backward_part("H5")
    with pytest.raises(KeyError, match="no forward section"):
        book.forward_part("Out (backward)")


def test_lines_are_found_by_key_not_by_label():
    net, x, y = bp.worked_example()
    g = net.backward(x, y)
    book = bp.ledger(net, x, y)
    assert book.value("H1", "dC0/dw") == g["w_H1"]
    assert book.value("Out", "dz/dw") == g.forward.a["H1"][0]
    assert book.value("H1", "dz/da") == net.weights[1][0, 0]
    assert book.value(None, "x") == 0.5
    with pytest.raises(KeyError, match=r"\('H1', 'dC0/dw'\)"):
        book.backward_part("Out").value("H1", "dC0/dw")
    with pytest.raises(KeyError):
        book.value("H1", "dC0/dw_H1")  # the label shown is not the key


@pytest.mark.parametrize("param, sections", [
    ("w_Out", ["Out"]), ("b_H1", ["H1"]), ("w_H0", ["H1", "H0"]),
])
def test_a_chains_parameter_ledger_has_the_backward_sections_it_needs(param, sections):
    net, x, y = bp.worked_example()
    book = bp.ledger(net, x, y, param=param)
    assert [s.name for s in book.backward_part().sections] == sections
    assert [s.name for s in book.forward_part().sections] == ["H0", "H1", "Out", "Cost"]
    kind, layer = param.split("_")
    assert book.value(layer, f"dC0/d{kind}") == net.backward(x, y)[param]


# --- Markdown and LaTeX from the same steps -------------------------------------------------------
def test_markdown_and_latex_carry_the_formulas():
    net, x, y = bp.worked_example()
    book = bp.ledger(net, x, y)
    md = book._repr_markdown_()
    assert (r"- $\frac{\partial C_0}{\partial w^{Out}} = 7.0205 \cdot 1 \cdot 1.0205 = 7.16442025$"
            in md.splitlines())
    assert r"- $\frac{\partial a^{Out}}{\partial z^{Out}} = \mathrm{ReLU}'(z^{Out})" in md
    assert r"has no 1/2 in front, so $\frac{\partial C_0}{\partial a^{Out}} = 2(a^{Out} - y)$" in md
    latex = book.to_latex()
    assert latex.count(r"\begin{gather*}") == latex.count(r"\end{gather*}") == len(book.sections)
    assert len(md.splitlines()) > len(book.steps)  # each step is a line of its own


def test_a_note_is_safe_in_latex():
    net = bp.Network.chain(weights=[0.1, -1, 0.5], biases=[2, 1, 3])
    latex = bp.ledger(net, 0.5, 0).to_latex()
    note = next(line for line in latex.splitlines() if r"\text{(H1 is dead" in line)
    assert "z_H1" not in note.split(r"\text")[1] and r"z\_H1" in note


def test_a_wide_network_without_param_names_twelve_parameters_and_counts_the_rest():
    wide = bp.Network([np.ones((4, 3)), np.ones((1, 4))], [np.zeros(4), np.zeros(1)])
    assert len(wide.parameter_names) == 21
    with pytest.raises(ValueError, match=r"needs param=\.\.\., one of w_H0\[0,0\], .*, "
                                         r"w_H0\[3,2\], \.\.\. \(9 more\)$"):
        bp.ledger(wide, [1, 2, 3], 0)
