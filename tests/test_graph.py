"""The computational graph: its local derivatives, its backward pass (fan-out adds, any depth),
its gradients against Network.backward, finite differences and micrograd, its drawing, and
notebook 10 rerun with other parameters."""

import math
import re
import timeit
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from notebook_cells import rerun as run_again  # noqa: E402

import backproplib as bp  # noqa: E402
from backproplib.chainrule import graph  # noqa: E402
from backproplib.plots import graph as graph_plots

ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "linear"]
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "10_computational_graph.ipynb"


def random_network(sizes, activation, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(n, k)) for k, n in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=n) for n in sizes[1:]]
    x, y = rng.normal(size=sizes[0]), rng.normal(size=sizes[-1])
    return bp.Network(weights, biases, activation), x, y


NETWORKS = [(sizes, seed) for seed, sizes in enumerate([(1, 1, 1, 1), (1, 2, 1), (2, 3, 2, 2),
                                                         (3, 4, 1), (2, 5, 4, 3), (1, 1, 2, 1)])]


# --- each operation: its local derivative against a finite difference of its forward rule -----
def slope(make, value, h=1e-6):
    return (make(value + h).value - make(value - h).value) / (2 * h)


@pytest.mark.parametrize("value", [-1.3, 0.4, 2.5])
def test_local_derivatives_are_the_slopes_of_the_forward_rules(value):
    other = graph.leaf(0.7)
    a = graph.leaf(value)
    cases = {
        "multiply a": (graph.multiply(a, other), 0, lambda v: graph.multiply(graph.leaf(v), other)),
        "multiply b": (graph.multiply(other, a), 1, lambda v: graph.multiply(other, graph.leaf(v))),
        "add": (graph.add(a, other, other), 0, lambda v: graph.add(graph.leaf(v), other, other)),
        "subtract a": (graph.subtract(a, other), 0,
                       lambda v: graph.subtract(graph.leaf(v), other)),
        "subtract b": (graph.subtract(other, a), 1,
                       lambda v: graph.subtract(other, graph.leaf(v))),
        "square": (graph.square(a), 0, lambda v: graph.square(graph.leaf(v))),
    }
    for name in ACTIVATIONS:
        cases[name] = (graph.sigma(a, name), 0, lambda v, n=name: graph.sigma(graph.leaf(v), n))
    for what, (node, i, make) in cases.items():
        assert node.local[i] == pytest.approx(slope(make, value), rel=1e-6, abs=1e-9), what


def test_sigma_node_takes_the_activation_and_its_slope_from_the_network():
    for name in ACTIVATIONS:
        net, x, y = random_network((1, 2, 1), name, seed=3)
        g = graph.network_graph(net, x, y)
        fwd = net.forward(x)
        for j in range(2):
            node = g.node(f"a_H0[{j}]")
            assert node.op == net.activations[0].formula
            assert node.value == pytest.approx(fwd.a["H0"][j], rel=1e-15)
            assert node.local[0] == pytest.approx(fwd.da_dz["H0"][j], rel=1e-15)


def test_add_needs_a_term():
    with pytest.raises(ValueError, match="add"):
        graph.add()


def test_an_unknown_activation_is_named():
    with pytest.raises(ValueError, match="tanhh"):
        graph.sigma(graph.leaf(1.0), "tanhh")


def test_text_as_a_leaf_is_a_number_or_a_clear_error():
    assert graph.leaf("1/2", "x", exact=True).value == Fraction(1, 2)
    assert graph.leaf("0.25", "x").value == 0.25
    with pytest.raises(ValueError, match="^w_H0: expected a number.*'half'"):
        graph.leaf("half", "w_H0")
    with pytest.raises(ValueError, match="^value: expected a number"):  # a leaf with no name
        graph.leaf("half")


def test_a_node_is_shown_by_its_name_else_its_operation():
    u = graph.leaf(1.5)
    assert repr(u) == "Node(leaf: value=1.5, grad=0)"
    assert repr(graph.multiply(u, u)) == "Node(*: value=2.25, grad=0)"
    assert repr(graph.square(u, name="C0")) == "Node(C0: value=2.25, grad=0)"


def test_a_local_line_says_each_factor_of_a_product_is_the_other_one():
    net, x, y = bp.worked_example()
    G = graph.network_graph(net, x, y)
    w, a = net.param("w_H1"), G.node("a_H0").value
    assert graph.local_line(G.node("w_H1*a_H0")) == (
        f"w_H1*a_H0 = w_H1 * a_H0:  d(w_H1*a_H0)/dw_H1 = a_H0 = {bp.fmt(a)},  "
        f"d(w_H1*a_H0)/da_H0 = w_H1 = {bp.fmt(w)}")


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_local_lines_of_sums_differences_and_sigma_read_the_forward_pass(activation):
    """A sum's and a difference's local derivatives are plus and minus 1, with no middle step;
    sigma's is sigma'(z) at the z of the network's own forward pass."""
    net, x, y = random_network((1, 1, 1), activation, seed=2)
    G, fwd = graph.network_graph(net, x, y), net.forward(x)
    sigma, z = net.activations[0].formula, fwd.z["H0"][0]
    assert graph.local_line(G.node("z_H0")) == (
        "z_H0 = w_H0*x + b_H0:  dz_H0/d(w_H0*x) = 1,  dz_H0/db_H0 = 1")
    assert graph.local_line(G.node("a_H0")) == (
        f"a_H0 = {sigma}(z_H0):  da_H0/dz_H0 = {sigma}'({bp.fmt(z)}) = "
        f"{bp.fmt(fwd.da_dz['H0'][0])}")
    assert graph.local_line(G.node("a_Out-y")) == (
        "a_Out-y = a_Out - y:  d(a_Out-y)/da_Out = 1,  d(a_Out-y)/dy = -1")


def test_a_square_of_a_square_keeps_the_inner_parentheses():
    u = graph.leaf(1.5, "u")
    G = graph.Graph(graph.square(graph.square(u, name="(u)^2"), name="C0"))
    assert graph.forward_line(G.output) == "C0 = ((u)^2)^2 = 2.25^2 = 5.0625"


# --- the backward pass -----------------------------------------------------------------------
def test_backward_is_local_gradient_times_upstream_gradient():
    # f = (u * v + w)^2 by hand: df/d(uv + w) = 2(uv + w), df/du = 2(uv + w) v, ...
    u, v, w = graph.leaf(1.5, "u"), graph.leaf(-2.0, "v"), graph.leaf(0.5, "w")
    s = graph.add(graph.multiply(u, v), w)
    f = graph.square(s)
    graph.Graph(f).backward()
    inner = 1.5 * -2.0 + 0.5
    assert f.grad == 1
    assert s.grad == 2 * inner
    assert (u.grad, v.grad, w.grad) == (2 * inner * -2.0, 2 * inner * 1.5, 2 * inner)


def test_fan_out_adds_what_every_consumer_hands_back():
    x = graph.leaf(0.5, "x")
    p, q = graph.multiply(graph.leaf(3.0), x), graph.multiply(graph.leaf(-7.0), x)
    f = graph.add(p, q)
    graph.Graph(f).backward()
    assert x.grad == 3.0 - 7.0  # not -7 (the last one only), not 3
    # a node used twice by one operation: d(a * a)/da = 2a
    a = graph.leaf(1.25)
    graph.Graph(graph.multiply(a, a)).backward()
    assert a.grad == 2.5


def test_fan_out_in_a_network_is_the_sum_over_j():
    net, x, y = random_network((1, 3, 2), "tanh", seed=7)
    g = graph.network_graph(net, x, y).backward()
    back = net.backward(x, y)
    # dC0/dx = sum over j of w_H0[j,0] * sigma'(z_H0[j]) * dC0/da_H0[j]
    terms = [net.weights[0][j, 0] * g.node(f"a_H0[{j}]").local[0] * g.node(f"a_H0[{j}]").grad
             for j in range(3)]
    assert g.node("x").grad == pytest.approx(sum(terms), rel=1e-12)
    assert g.node("x").grad == pytest.approx(back.dx[0], rel=1e-12)
    for k in range(3):  # a_H0[k] feeds both Out neurons
        want = sum(net.weights[1][j, k] * back.dz["Out"][j] for j in range(2))
        assert g.node(f"a_H0[{k}]").grad == pytest.approx(want, rel=1e-12)


def test_backward_twice_gives_the_same_gradients():
    net, x, y = bp.worked_example()
    g = graph.network_graph(net, x, y)
    first = g.backward().gradients()
    assert g.backward().gradients() == first


def test_topological_order_puts_every_node_after_its_inputs():
    net, x, y = random_network((2, 5, 4, 3), "relu", seed=1)
    g = graph.network_graph(net, x, y)
    position = {n: i for i, n in enumerate(g.nodes)}
    assert g.nodes[-1] is g.output
    assert len(position) == len(g.nodes)  # each node once, fan-out or not
    for n in g.nodes:
        assert all(position[c] < position[n] for c in n.inputs)


def test_a_deep_chain_needs_no_recursion():
    node = start = graph.leaf(1.0, "start")
    for k in range(5000):  # far past Python's recursion limit (1000)
        node = graph.add(node, graph.leaf(0.001)) if k % 2 else graph.multiply(node,
                                                                                graph.leaf(1.0))
    assert len(graph.Graph(node).backward()) == 1 + 2 * 5000
    assert start.grad == 1.0
    assert node.value == pytest.approx(1 + 0.001 * 2500)


# --- a network's graph: the same numbers as backward, finite differences, micrograd ------------
def test_worked_example_graph_has_the_seed_numbers():
    net, x, y = bp.worked_example()
    g = graph.network_graph(net, x, y).backward()
    assert g.counts() == {"leaf": 8, "multiply": 3, "add": 3, "sigma": 3, "subtract": 1,
                          "square": 1}
    assert g.cost == pytest.approx(12.32185506, abs=1e-8)
    assert g.gradients() == net.backward(x, y).as_dict()  # the same float operations
    assert g.report() == net.backward(x, y).report()


def test_exact_graph_gives_exact_fractions():
    net = bp.Network.chain(weights=["0.1", "0.01", "0.5"], biases=[2, 1, 3], exact=True)
    g = graph.network_graph(net, "1/2", 0).backward()
    assert g.gradients()["w_H0"] == Fraction("0.01755125")
    assert g.gradients() == net.backward("1/2", 0).as_dict()
    assert isinstance(g.node("a_Out").value, Fraction)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("sizes,seed", NETWORKS)
def test_graph_gradients_equal_backward_and_finite_differences(sizes, seed, activation):
    net, x, y = random_network(sizes, activation, seed)
    g = graph.network_graph(net, x, y).backward()
    back = net.backward(x, y)
    assert g.cost == pytest.approx(back.cost, rel=1e-12)
    assert list(g.gradients()) == list(net.parameter_names)
    numeric = graph.finite_differences(net, x, y)
    assert numeric.forward_passes == 2 * len(net.parameter_names)
    for name, value in g.gradients().items():
        assert value == pytest.approx(back[name], rel=1e-10, abs=1e-12), name
        assert value == pytest.approx(numeric.gradients[name], rel=1e-4, abs=1e-6), name
    for k in range(sizes[0]):
        name = "x" if sizes[0] == 1 else f"x[{k}]"
        assert g.node(name).grad == pytest.approx(back.dx[k], rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
@pytest.mark.parametrize("hidden", [1, 2])
def test_finite_differences_use_the_networks_own_cost(output, hidden):
    """Cross-entropy, not the quadratic cost, when the network's cost pair says so (from Out's
    z and a, whatever the depth)."""
    weights = [[[0.3, -0.2], [0.1, 0.4]], [[0.7, 0.1], [-0.3, 0.2]], [[0.5, -0.6], [0.2, 0.3]]]
    biases = [[0.1, 0.2], [0.05, -0.1], [0, 0.1]]
    net = bp.Network(weights[-hidden - 1:], biases[-hidden - 1:],
                     activations=["tanh"] * hidden + [output], cost="cross_entropy")
    numeric = graph.finite_differences(net, [0.5, 0.2], [1, 0]).gradients
    back = net.backward([0.5, 0.2], [1, 0])
    for name in net.parameter_names:
        assert numeric[name] == pytest.approx(back[name], rel=1e-5, abs=1e-8), name


def micrograd_gradients(net, x, y, activation):
    """The same network in micrograd's Values; leaky ReLU as 0.99 relu(z) + 0.01 z."""
    from micrograd.engine import Value

    sigma = {"relu": lambda z: z.relu(), "linear": lambda z: z,
             "leaky_relu": lambda z: 0.99 * z.relu() + 0.01 * z}[activation]
    params = {name: Value(float(v)) for name, v in net.params().items()}
    names = iter(net.parameter_names)
    a = [Value(float(v)) for v in np.atleast_1d(x)]
    for W in net.weights:
        ws = [[params[next(names)] for _ in range(W.shape[1])] for _ in range(W.shape[0])]
        bs = [params[next(names)] for _ in range(W.shape[0])]
        a = [sigma(sum((w * a_k for w, a_k in zip(row, a)), b)) for row, b in zip(ws, bs)]
    cost = sum((a_j - float(y_j)) ** 2 for a_j, y_j in zip(a, np.atleast_1d(y)))
    cost.backward()
    return cost.data, {name: v.grad for name, v in params.items()}


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear"])
@pytest.mark.parametrize("sizes,seed", NETWORKS)
def test_graph_gradients_equal_micrograd(sizes, seed, activation):
    pytest.importorskip("micrograd")
    net, x, y = random_network(sizes, activation, seed + 100)
    g = graph.network_graph(net, x, y).backward()
    cost, theirs = micrograd_gradients(net, x, y, activation)
    assert g.cost == pytest.approx(cost, rel=1e-12)
    for name, value in g.gradients().items():
        assert value == pytest.approx(theirs[name], rel=1e-9, abs=1e-12), name


def test_a_broken_local_derivative_is_caught():
    """The comparison above can fail: a sigma node with a wrong slope gives wrong gradients."""
    net, x, y = random_network((2, 3, 1), "tanh", seed=5)
    g = graph.network_graph(net, x, y)
    node = g.node("a_H0[1]")
    node.local = (node.local[0] * 1.01,)
    g.backward()
    back = net.backward(x, y)
    assert any(not math.isclose(v, back[n], rel_tol=1e-6) for n, v in g.gradients().items())


def test_node_values_are_the_forward_pass():
    net, x, y = random_network((2, 3, 2, 2), "sigmoid", seed=2)
    g = graph.network_graph(net, x, y)
    fwd = net.forward(x)
    for layer in net.layer_names:
        for j in range(len(fwd.z[layer])):
            assert g.node(f"z_{layer}[{j}]").value == pytest.approx(fwd.z[layer][j], rel=1e-12)
            assert g.node(f"a_{layer}[{j}]").value == pytest.approx(fwd.a[layer][j], rel=1e-12)
    with pytest.raises(KeyError, match="z_H7"):
        g.node("z_H7")


def test_the_backward_pass_exercise_catches_the_slips():
    """Notebook 10's exercise 10.3 checks a student's backward pass with check_function on
    graphs with fan-out: overwriting instead of adding, dropping the local derivative or going
    forward instead of backward must all be 'Not yet'."""
    from backproplib import exercises

    net, x, y = bp.worked_example()
    fan = bp.Network([[[0.1], [-0.4]], [[0.5, 0.3]]], [[2, 1], [3]])
    cases = [(graph.network_graph(net, x, y),), (graph.network_graph(fan, x, y),)]

    def reference(G):
        G.backward()
        return [n.grad for n in G.nodes]

    def written(step, order=reversed):
        def backward_pass(G):
            for n in G.nodes:
                n.grad = 0
            G.output.grad = 1
            for node in order(G.nodes):
                for child, local in zip(node.inputs, node.local):
                    step(child, local, node)
            return [n.grad for n in G.nodes]
        return backward_pass

    def adds(child, local, node):
        child.grad += local * node.grad

    def overwrites(child, local, node):
        child.grad = local * node.grad

    def forgets_local(child, local, node):
        child.grad += node.grad

    assert exercises.check_function(written(adds), reference, cases, "backward_pass")
    assert exercises.check_function(written(overwrites), reference, cases[:1], "backward_pass")
    for slip in (written(overwrites), written(forgets_local), written(adds, order=list)):
        assert not exercises.check_function(slip, reference, cases, "backward_pass")


# --- the cost of a gradient ----------------------------------------------------------------------
def test_time_gradients_counts_two_forward_passes_per_parameter():
    net, x, y = random_network((2, 3, 2, 2), "relu", seed=0)
    cost = graph.time_gradients(net, x, y, min_time=0.001)
    assert cost.parameters == 23 and cost.forward_passes == 46
    assert cost.finite_differences > 0 and cost.backward > 0
    assert cost.ratio == cost.finite_differences / cost.backward


def test_time_gradients_times_three_batches_of_about_a_third_of_min_time(monkeypatch):
    """On a stand-in clock that moves 2 ms per finite-differences call and 0.5 ms per backward
    call (no test times anything): the calls each way add up to about min_time, and the per-call
    seconds come back."""
    clock, real_timer, cost_per_call = [0.0], timeit.Timer, iter([0.002, 0.0005])

    def timer(function):
        seconds = next(cost_per_call)

        def call():
            clock[0] += seconds
            function()
        return real_timer(call, timer=lambda: clock[0])

    monkeypatch.setattr(graph.timeit, "Timer", timer)
    net, x, y = bp.worked_example()
    cost = graph.time_gradients(net, x, y, min_time=0.3)
    assert (cost.finite_differences, cost.backward) == pytest.approx((0.002, 0.0005))
    assert cost.ratio == pytest.approx(4)
    # one call to gauge, then three batches of about 0.1 s, each way
    assert clock[0] == pytest.approx(2 * 0.3, rel=0.01)


# --- the drawing -----------------------------------------------------------------------------------
def boxes_overlap(plot):
    rects = [(b.get_x(), b.get_y(), b.get_x() + b.get_width(), b.get_y() + b.get_height())
             for b in plot.boxes.values()]
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                return True
    return False


@pytest.mark.parametrize("sizes,seed", NETWORKS[:4])
def test_drawing_shows_every_node_with_its_value_and_grad(sizes, seed):
    net, x, y = random_network(sizes, "tanh", seed)
    g = graph.network_graph(net, x, y).backward()
    fig = graph_plots.graph_figure(g)
    plot = fig.bp_plot
    shown = [t.get_text() for t in plot.ax.texts]
    assert len(plot.boxes) == len(g.nodes)
    for n in g.nodes:
        assert f"value {bp.fmt(n.value)}" in shown and f"grad {bp.fmt(n.grad)}" in shown
    assert not boxes_overlap(plot)
    width, height = fig.get_size_inches()
    assert width <= graph_plots.MAX_WIDTH + 0.01
    for box in plot.boxes.values():  # inside the figure
        assert 0 <= box.get_x() and box.get_x() + box.get_width() <= width
        assert 0 <= box.get_y() and box.get_y() + box.get_height() <= height
    alt = plot.alt_text()
    assert f"C0 = {bp.fmt(g.cost)}" in alt and f"{len(g.nodes)} nodes" in alt


def test_the_chain_is_drawn_on_one_straight_path():
    net, x, y = bp.worked_example()
    g = graph.network_graph(net, x, y).backward()
    place = graph_plots.layout(g)
    assert {place[n][1] for n in g.nodes if not n.is_leaf} == {0.0}
    assert place[g.node("x")][1] == 0.0


def test_blocked_neurons_are_drawn_grey_and_named_in_the_alt_text():
    net = bp.Network.chain(weights=[0.1, -5, 0.5], biases=[2, 1, 3], activation="relu")
    back = net.backward(0.5, 0)
    assert [b.neuron for b in back.blocked] == ["H1"]
    fig = graph_plots.network_graph_figure(net, 0.5, 0)
    plot = fig.bp_plot
    from backproplib.plots import style

    assert matplotlib.colors.to_hex(plot.boxes["a_H1"].get_facecolor()) == style.BLOCKED_FACE
    assert matplotlib.colors.to_hex(plot.boxes["a_H0"].get_facecolor()) != style.BLOCKED_FACE
    a_H1 = plot.graph.node("a_H1")
    assert f"a_H1: value 0, grad {bp.fmt(a_H1.grad)} (blocked)" in plot.alt_text()
    assert "z_H1: value -9.25, grad 0;" in plot.alt_text()  # nothing flows back through it
    with pytest.raises(ValueError, match="a_H9"):
        graph_plots.graph_figure(graph.network_graph(net, 0.5, 0), blocked=["a_H9"])


def test_pass_ratio_figure_alt_text_holds_only_what_does_not_vary():
    fig = graph_plots.pass_ratio_figure([23, 114], [61.2, 280.7], ["2-3-2-2", "2-8-8-2"])
    alt = fig.bp_plot.alt_text()
    assert "2-3-2-2 (23 parameters)" in alt and "61.2" not in alt


# --- notebook 10 under other parameters ----------------------------------------------------------
GRADIENT_LINE = re.compile(r"^dC0/d(\S+) = (\S+)$", re.MULTILINE)
RERUNS = {
    "tanh, negative weights": dict(x=1.5, y=-0.5, weights=[0.4, -0.3, 0.6],
                                   biases=[0.1, 1, 0.3], activation="tanh"),
    "sigmoid, text": dict(x="1/2", y="0.2", weights=["0.3", "-1/5", "0.7"], biases=[1, 0, 0],
                          activation="sigmoid"),
    "relu, a dead neuron": dict(x=0.5, y=1, weights=[0.1, -5, 0.5], biases=[2, 1, 3],
                                activation="relu"),
}


@pytest.mark.slow
@pytest.mark.parametrize("rerun", RERUNS)
def test_notebook_reruns_with_other_parameters(rerun, tmp_path):
    p = RERUNS[rerun]
    nb = run_again(NOTEBOOK, tmp_path / "out.ipynb", p)
    text = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output.get("evalue")
            if output.get("name") == "stdout":
                text.append(output["text"])
    net = bp.Network.chain(weights=p["weights"], biases=p["biases"], activation=p["activation"])
    expected = {name: bp.fmt(v) for name, v in net.backward(p["x"], p["y"]).as_dict().items()}
    lines = GRADIENT_LINE.findall("".join(text))
    assert {name for name, _ in lines} == set(expected)
    for name, value in lines:
        assert value == expected[name], f"dC0/d{name} after rerun {rerun}"
    printed = "".join(text)
    other = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid"}
    for name, formula in other.items():
        if name != p["activation"]:
            assert f"{formula}'(" not in printed and f"{formula}(" not in printed, formula
