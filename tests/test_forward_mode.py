"""Forward mode on the graph engine: tangent sweeps give the same derivatives as the backward
pass (exactly, as Fractions, on the worked example; to rounding on random graphs), and the sweeps
are counted: one per input in forward mode, one per output in reverse mode."""

from fractions import Fraction

import numpy as np
import pytest
from notebook_cells import NOTEBOOKS, rerun

import backproplib as bp
from backproplib.chainrule import graph

ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "linear"]


def random_network(sizes, activation, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(n, k)) for k, n in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=n) for n in sizes[1:]]
    x, y = rng.normal(size=sizes[0]), rng.normal(size=sizes[-1])
    return bp.Network(weights, biases, activation), x, y


def cost_gradients(derivatives):
    """{input name: dC0/d(input)} from ``Graph.derivatives`` (the cost is its first output)."""
    return dict(zip(derivatives.inputs, derivatives.values[0]))


def random_dag(seed, n_leaves=4, n_ops=25, moved=None, h=0.0):
    """A graph of random operations on random earlier nodes (fan-out everywhere), one output;
    with leaf number ``moved`` shifted by h (the same graph otherwise: the same draws)."""
    rng = np.random.default_rng(seed)
    leaves = [graph.leaf(float(v) + (h if i == moved else 0.0), f"p{i}")
              for i, v in enumerate(rng.uniform(-1, 1, n_leaves))]
    nodes = list(leaves)
    for i in range(n_ops):
        a, b = (nodes[int(k)] for k in rng.integers(0, len(nodes), 2))
        op = rng.integers(0, 5)
        if op == 0:
            node = graph.multiply(a, b, name=f"n{i}")
        elif op == 1:
            node = graph.add(a, b, nodes[int(rng.integers(0, len(nodes)))], name=f"n{i}")
        elif op == 2:
            node = graph.subtract(a, b, name=f"n{i}")
        elif op == 3:
            node = graph.sigma(a, "tanh", name=f"n{i}")
        else:
            node = graph.square(graph.sigma(a, "sigmoid"), name=f"n{i}")
        nodes.append(node)
    out = graph.add(*nodes[n_leaves:], name="C0")  # every node reaches the output
    return graph.Graph(out, {leaf.name: leaf for leaf in leaves})


def test_forward_mode_equals_backward_exactly_on_the_worked_example():
    net = bp.Network.chain(weights=["0.1", "0.01", "0.5"], biases=[2, 1, 3], activation="relu",
                           exact=True)
    G = graph.network_graph(net, "1/2", 0)
    forward = cost_gradients(G.derivatives("forward"))
    G.backward()
    backward = G.gradients()
    assert all(isinstance(v, Fraction) for v in forward.values())
    assert forward == backward
    assert forward["w_H0"] == Fraction("0.01755125")
    assert forward == {name: net.backward("1/2", 0)[name] for name in net.parameter_names}


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear"])
def test_forward_mode_is_exact_on_a_wider_exact_network(activation):
    net = bp.Network(weights=[[["1/10"], ["-2/5"]], [["1/2", "3/10"]]], biases=[[2, 1], [3]],
                     activations=activation, exact=True)
    G = graph.network_graph(net, "1/2", 0)
    forward = cost_gradients(G.derivatives("forward"))
    reverse = cost_gradients(G.derivatives("reverse"))
    assert forward == reverse
    assert forward == {name: net.backward("1/2", 0)[name] for name in net.parameter_names}


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("sizes,seed", [((2, 3, 2, 2), 0), ((3, 4, 1), 1), ((1, 2, 3), 2)])
def test_forward_mode_equals_backward_on_random_networks(sizes, seed, activation):
    net, x, y = random_network(sizes, activation, seed)
    G = graph.network_graph(net, x, y)
    forward = G.derivatives("forward")
    g = net.backward(x, y)
    assert forward.sweeps == len(net.parameter_names)
    for name in net.parameter_names:
        assert forward.d("C0", name) == pytest.approx(float(g[name]), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("seed", range(5))
def test_forward_mode_equals_backward_on_random_graphs(seed):
    G = random_dag(seed)
    forward = cost_gradients(G.derivatives("forward"))
    G.backward()
    for name, value in G.gradients().items():
        assert forward[name] == pytest.approx(value, rel=1e-12, abs=1e-14)
    # and both against a central difference of the graph rebuilt with one leaf moved
    for k, name in enumerate(G.parameters):
        h = 1e-6
        up = random_dag(seed, moved=k, h=h).cost
        down = random_dag(seed, moved=k, h=-h).cost
        assert forward[name] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)


def test_the_sweeps_are_counted_one_per_input_forward_one_per_output_reverse():
    net, x, y = random_network((1, 3, 4), "tanh", 3)
    G = graph.network_graph(net, x, y)
    n = len(net.parameter_names)
    assert G.derivatives("forward").sweeps == n
    assert G.derivatives("reverse").sweeps == 1
    # one input, four outputs: the other way round
    outputs = [f"a_Out[{j}]" for j in range(4)]
    forward = G.derivatives("forward", outputs=outputs, inputs=["x"])
    reverse = G.derivatives("reverse", outputs=outputs, inputs=["x"])
    assert (forward.sweeps, reverse.sweeps) == (1, 4)
    for out in outputs:
        assert forward.d(out, "x") == pytest.approx(reverse.d(out, "x"), rel=1e-12)
    # each row against a central difference of the network's outputs
    h = 1e-6
    slope = (net.forward(x + h).output - net.forward(x - h).output) / (2 * h)
    assert [forward.d(out, "x") for out in outputs] == pytest.approx(list(slope), rel=1e-6)


def test_a_jacobian_by_both_modes_is_the_same_matrix():
    net, x, y = random_network((2, 3, 2), "sigmoid", 4)
    G = graph.network_graph(net, x, y)
    outputs, inputs = ["a_Out[0]", "a_Out[1]", "C0"], ["x[0]", "x[1]", "w_H0[2,1]"]
    forward = G.derivatives("forward", outputs=outputs, inputs=inputs)
    reverse = G.derivatives("reverse", outputs=outputs, inputs=inputs)
    assert (forward.sweeps, reverse.sweeps) == (3, 3)
    assert np.allclose(forward.values, reverse.values, rtol=1e-12, atol=1e-15)


def test_no_inputs_give_an_empty_row_per_output_in_both_modes():
    G = graph.network_graph(*bp.worked_example())
    for mode in graph.MODES:
        found = G.derivatives(mode, outputs=["a_Out", "C0"], inputs=[])
        assert found.values == ((), ()) and found.sweeps == (2 if mode == "reverse" else 0)


def test_each_mode_leaves_its_own_sweep_on_the_nodes():
    """Forward mode really runs tangent sweeps (every tangent d(node)/d(last input), no grad)
    and reverse mode backward sweeps (every grad d(last output)/d(node), no tangent)."""
    net, x, y = bp.worked_example()
    G = graph.network_graph(net, x, y)
    forward = G.derivatives("forward", inputs=["w_H1"])
    assert G.output.tangent == forward.d("C0", "w_H1") == net.backward(x, y)["w_H1"]
    assert G.node("a_H0").tangent == 0 and G.node("z_H1").tangent == G.node("a_H0").value
    assert all(n.grad == 0 for n in G.nodes)
    G = graph.network_graph(net, x, y)
    reverse = G.derivatives("reverse", inputs=["w_H1"])
    assert G.node("w_H1").grad == reverse.d("C0", "w_H1") == forward.d("C0", "w_H1")
    assert G.output.grad == 1 and all(n.tangent == 0 for n in G.nodes)


def test_tangent_lines_end_with_the_gradient():
    net, x, y = bp.worked_example()
    G = graph.network_graph(net, x, y)
    lines = graph.tangent_lines(G, "w_H1")
    assert len(lines) == sum(not n.is_leaf for n in G.nodes)
    assert lines[-1].startswith("dC0/dw_H1 = ")
    assert lines[-1].endswith(" = " + bp.fmt(net.backward(x, y)["w_H1"]))
    assert lines[0].endswith(" = 0")  # w_H0 * x does not depend on w_H1


def test_an_unknown_mode_is_refused():
    G = graph.network_graph(*bp.worked_example())
    with pytest.raises(ValueError, match="forward' or 'reverse"):
        G.derivatives("sideways")


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["sigmoid", "leaky_relu"])
def test_notebook_10s_forward_mode_section_under_other_parameters(tmp_path, activation):
    """Section 7 of notebook 10, rerun: the tangent sweep ends with backward's gradient, every
    count of sweeps is the library's, and both modes agree."""
    import re


    parameters = {"activation": activation, "x": "1/2", "weights": [0.3, -0.2, 0.7]}
    nb = rerun(NOTEBOOKS / "10_computational_graph.ipynb", tmp_path / "10.ipynb", parameters)
    text = {c.id: "".join(o.get("text", "") for o in c.outputs)
            for c in nb.cells if c.cell_type == "code" and c.id.startswith("fm10")}
    net = bp.Network.chain(weights=[0.3, -0.2, 0.7], biases=[2, 1, 3], activation=activation)
    first = net.parameter_names[0]
    last_line = text["fm10-02"].strip().splitlines()[-1]
    assert last_line.startswith(f"dC0/d{first} = ")
    assert last_line.endswith(" = " + bp.fmt(net.backward("1/2", 0)[first]))
    counts = re.findall(r"(\d+) parameters; forward mode +(\d+) sweeps, reverse mode (\d) sweep; "
                        r"the same gradients \(to 12 digits\): (\w+)", text["fm10-04"])
    assert counts and counts[0][0] == "6"
    for n, forward, reverse, same in counts:
        assert (forward, reverse, same) == (n, "1", "True")
    assert "forward mode: 1 sweep; reverse mode: 4 sweeps; the same numbers (to 12 digits): True" \
        in text["fm10-06"]
