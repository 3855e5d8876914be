"""The computation as a graph of scalar nodes, and backpropagation as one pass over it.

Every number the forward pass makes is a ``Node``: the leaves are x, y and the parameters; every
other node was made by one operation from its inputs. Each operation computes its value and its
local derivatives d(out)/d(input) side by side, as micrograd's engine.py does:

    multiply   out = a * b                 dout/da = b          dout/db = a
    add        out = a + b + ...           dout/d(each term) = 1
    subtract   out = a - b                 dout/da = 1          dout/db = -1
    square     out = a^2                   dout/da = 2a
    sigma      out = sigma(a)              dout/da = sigma'(a)  (the activation's slope)

The backward pass (``backward``) sets dC0/dC0 = 1 at the cost and walks the nodes from the cost
back, in reverse topological order, so a node's gradient is complete before it is handed on.
Each node hands every input

    local derivative * its own gradient          (local gradient x upstream gradient)

and an input that feeds several nodes (fan-out) adds up what each of them hands it. For a network
that addition is the sum over j of the chain rule, dC0/da_k^(L-1) = sum_j w_jk^L sigma'(z_j^L)
dC0/da_j^L. ``network_graph(net, x, y)`` builds the graph of any ``Network`` in this notation
(z_H0, a_H1[0], w_Out, C0, ...); its parameter gradients equal ``Network.backward``.

Forward mode (``tangent_sweep``) runs the other way, with the same local derivatives: it carries
d(node)/dp forward beside each value, for one leaf p (a dual number, value + tangent * eps with
eps^2 = 0). Numbers stay in the network's number system: floats, or exact Fractions.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..core import activations as act
from ..numbers import fmt, to_scalar
from .ledger import factor


class Node:
    """One number of the computation: its value, how it was made, and dC0/d(node).

    ``inputs`` are the nodes it was computed from and ``local`` the local derivatives
    d(node)/d(input), one per input (empty for a leaf). ``grad`` is filled by ``backward``.
    """

    __slots__ = ("value", "op", "inputs", "local", "name", "grad", "tangent")

    def __init__(self, value, op="", inputs=(), local=(), name=""):
        self.value = value
        self.op = op  # "" for a leaf, else "*", "+", "-", "^2" or the activation's formula
        self.inputs = tuple(inputs)
        self.local = tuple(local)
        self.name = name
        self.grad = 0
        self.tangent = 0  # d(node)/d(seed), filled by ``tangent_sweep`` (forward mode)

    @property
    def is_leaf(self) -> bool:
        return not self.inputs

    def __repr__(self):
        label = self.name or (self.op or "leaf")
        return f"Node({label}: value={self.value!r}, grad={self.grad!r})"


# --- the operations: each value beside its local derivatives ---------------------------------
def leaf(value, name="", exact=False) -> Node:
    """A number the computation starts from: x, y or a parameter (a Fraction when ``exact``)."""
    if exact and isinstance(value, Fraction):
        pass
    elif not exact and isinstance(value, (float, np.floating)):
        value = float(value)
    else:
        value = to_scalar(value, exact, name or "value")
    return Node(value, name=name)


def multiply(a: Node, b: Node, name="") -> Node:
    """a * b;  d(ab)/da = b, d(ab)/db = a."""
    return Node(a.value * b.value, "*", (a, b), (b.value, a.value), name)


def add(*terms: Node, name="") -> Node:
    """a + b + ...;  the derivative in each term is 1."""
    if not terms:
        raise ValueError("add: expected at least one node to add up, got none")
    return Node(sum(t.value for t in terms), "+", terms, (1,) * len(terms), name)


def subtract(a: Node, b: Node, name="") -> Node:
    """a - b;  d(a - b)/da = 1, d(a - b)/db = -1."""
    return Node(a.value - b.value, "-", (a, b), (1, -1), name)


def square(a: Node, name="") -> Node:
    """a^2;  d(a^2)/da = 2a."""
    return Node(a.value * a.value, "^2", (a,), (2 * a.value,), name)


def sigma(a: Node, activation, name="") -> Node:
    """sigma(a), the activation;  d sigma(a)/da = sigma'(a), its slope at a."""
    activation = act.get(activation)
    return Node(_at(activation.function, a.value), activation.formula, (a,),
                (_at(activation.derivative, a.value),), name)


def _at(function, value):
    """An elementwise array function at one number, kept in that number's system."""
    exact = isinstance(value, Fraction)
    result = function(np.array([value], dtype=object if exact else float))[0]
    return result if exact else float(result)


OPERATIONS = {"*": "multiply", "+": "add", "-": "subtract", "^2": "square"}


def kind(node: Node) -> str:
    """'leaf', 'multiply', 'add', 'subtract', 'square' or 'sigma'."""
    if node.is_leaf:
        return "leaf"
    return OPERATIONS.get(node.op, "sigma")


# --- the backward pass ------------------------------------------------------------------------
def topological_order(*outputs: Node) -> list:
    """Every node the ``outputs`` depend on, each after all of its inputs (one output: last).

    Depth-first with an explicit stack (no recursion), so a graph of any depth works. Computed
    inputs are visited before leaves, so that the order reads like the forward pass (x, w_H0,
    w_H0*x, b_H0, z_H0, ...).
    """
    order, seen = [], set()
    for output in outputs:
        stack = [] if output in seen else [(output, _inputs(output))]
        seen.add(output)
        while stack:
            node, inputs = stack[-1]
            for child in inputs:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, _inputs(child)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _inputs(node):
    return iter(sorted(node.inputs, key=lambda child: child.is_leaf))


def backward(output: Node) -> list:
    """Fill ``grad`` = d(output)/d(node) for every node; return the nodes in topological order.

    Every gradient starts again from 0, so running it twice gives the same numbers.
    """
    order = topological_order(output)
    _sweep(order)
    return order


def _sweep(order, seed=None):
    """The backward pass over nodes already in topological order: d(seed)/d(node) for every
    node, where the seed is the output (the last node) unless given."""
    for node in order:
        node.grad = 0
    (order[-1] if seed is None else seed).grad = 1
    for node in reversed(order):
        for child, local in zip(node.inputs, node.local):
            child.grad += local * node.grad  # fan-out: what every consumer hands back adds up


# --- a network as a graph ---------------------------------------------------------------------
class Graph:
    """The cost node C0 of one example and every node it came from.

    ``nodes``: all of them in topological order (inputs first, C0 last); ``parameters``:
    {parameter name: leaf}; ``node(name)`` finds any named node ("z_H1", "a_Out", "x", "C0").
    """

    def __init__(self, output: Node, parameters=None):
        self.output = output
        self.nodes = tuple(topological_order(output))
        self.parameters = dict(parameters or {})
        self._by_name = {n.name: n for n in self.nodes if n.name}

    def node(self, name: str) -> Node:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no node named {name!r}; named nodes: "
                           f"{', '.join(self._by_name)}") from None

    @property
    def cost(self):
        return self.output.value

    def backward(self) -> "Graph":
        """Run the backward pass (see ``backward``) over ``nodes``; returns the graph itself."""
        _sweep(self.nodes)
        return self

    def gradients(self) -> dict:
        """{parameter name: dC0/d(parameter)} as the last backward pass left them."""
        return {name: leaf.grad for name, leaf in self.parameters.items()}

    def derivatives(self, mode="reverse", outputs=("C0",), inputs=None) -> "Derivatives":
        """``derivatives`` for named nodes; by default dC0/d(parameter) for every parameter."""
        names = list(self.parameters) if inputs is None else list(inputs)
        return derivatives([self.output if name == self.output.name else self.node(name)
                            for name in outputs], [self.node(name) for name in names], mode)

    def report(self) -> str:
        """One line per parameter, "dC0/dw_H0 = 0.01755125", as ``Gradients.report`` prints."""
        return "\n".join(f"dC0/d{name} = {fmt(grad)}" for name, grad in self.gradients().items())

    def counts(self) -> Counter:
        """How many nodes of each kind: leaf, multiply, add, subtract, square, sigma."""
        return Counter(kind(n) for n in self.nodes)

    def __len__(self):
        return len(self.nodes)

    def __repr__(self):
        made = ", ".join(f"{k} {v}" for k, v in sorted(self.counts().items()))
        return f"Graph({len(self)} nodes: {made}; C0 = {fmt(self.cost)})"


def network_graph(net, x, y) -> Graph:
    """The graph of ``net``'s cost C0 for one example (x, y), built node by node.

    For each layer L and neuron j:  z_j^L = w_j0^L a_0^(L-1) + w_j1^L a_1^(L-1) + ... + b_j^L
    (one multiply per weight, one add), then a_j^L = sigma(z_j^L); at the end
    C0 = sum_j (a_j^Out - y_j)^2 (subtract, square, and an add when Out has several neurons).
    Names follow the library: "w_H1[0,1]", "z_H1[0]", "a_Out", "x"; a product is named
    "w_H1[0,1]*a_H0[1]". Call ``.backward()`` for the gradients.
    """
    exact = bool(net.exact)
    xs, ys = net.input(x), net.target(y)
    parameters = {name: leaf(net.param(name), name, exact) for name in net.parameter_names}
    at = {tuple(net.locate(name)): node for name, node in parameters.items()}  # (kind, L, index)

    a = [leaf(v, _indexed("x", k, len(xs)), exact) for k, v in enumerate(xs)]
    for L, (W, activation, layer) in enumerate(zip(net.weights, net.activations,
                                                   net.layer_names)):
        n_out = W.shape[0]
        ws = [[at["w", L, (j, k)] for k in range(W.shape[1])] for j in range(n_out)]
        bs = [at["b", L, (j,)] for j in range(n_out)]
        layer_a = []
        for j in range(n_out):
            products = [multiply(w, a_k, name=f"{w.name}*{a_k.name}")
                        for w, a_k in zip(ws[j], a)]
            z = add(*products, bs[j], name=_indexed(f"z_{layer}", j, n_out))
            layer_a.append(sigma(z, activation, name=_indexed(f"a_{layer}", j, n_out)))
        a = layer_a
    n_out = len(a)
    errors = [subtract(a_j, leaf(y_j, _indexed("y", j, n_out), exact),
                       name=f"{a_j.name}-{_indexed('y', j, n_out)}")
              for j, (a_j, y_j) in enumerate(zip(a, ys))]
    if n_out == 1:
        cost = square(errors[0], name="C0")
    else:
        cost = add(*(square(e, name=f"({e.name})^2") for e in errors), name="C0")
    return Graph(cost, parameters)


# --- forward mode: one sweep per input, against reverse mode: one sweep per output ----------
def tangent_sweep(order, seed: Node) -> None:
    """Forward mode: fill ``tangent`` = d(node)/d(seed) for every node of ``order`` (in
    topological order, inputs first). The seed's tangent is 1 and every other leaf's 0; a
    computed node adds up, over its inputs,

        local derivative * the input's tangent          d(node)/d(seed) by the chain rule

    in the order the values were computed, so each value and its tangent travel together.
    """
    for node in order:
        if node.is_leaf:
            node.tangent = 1 if node is seed else 0
        else:
            node.tangent = sum(local * child.tangent
                               for child, local in zip(node.inputs, node.local))


MODES = ("forward", "reverse")


@dataclass(frozen=True)
class Derivatives:
    """d(output)/d(input) for some outputs and inputs of a graph, and the sweeps that took.

    ``values[i][k]`` is d(outputs[i])/d(inputs[k]); ``d(output, input)`` finds one by name.
    """

    mode: str  # "forward" or "reverse"
    outputs: tuple  # the outputs' names
    inputs: tuple  # the inputs' names
    values: tuple  # one row per output, one number per input
    sweeps: int  # forward: one per input; reverse: one per output

    def d(self, output: str, wrt: str):
        return self.values[self.outputs.index(output)][self.inputs.index(wrt)]

    def gradients(self) -> dict:
        """{input name: d(output)/d(input)} for the first output (the cost)."""
        return dict(zip(self.inputs, self.values[0]))


def derivatives(outputs, inputs, mode="reverse") -> Derivatives:
    """Every d(output)/d(input) for the nodes ``outputs`` and the leaves ``inputs``.

    "forward": one ``tangent_sweep`` per input, each giving that input's column (the derivative
    of every output with respect to it). "reverse": one backward sweep per output, each giving
    that output's row (its derivative with respect to every input). Both use each node's local
    derivatives once per sweep, so a cost with many parameters is cheap in reverse mode, and
    one input that feeds many outputs is cheap in forward mode.
    """
    if mode not in MODES:
        raise ValueError(f"mode: expected 'forward' or 'reverse', got {mode!r}")
    outputs, inputs = list(outputs), list(inputs)
    order = topological_order(*outputs)
    if mode == "forward":
        columns = []
        for seed in inputs:
            tangent_sweep(order, seed)
            columns.append([out.tangent for out in outputs])
        rows = [list(row) for row in zip(*columns)] if columns else [[] for _ in outputs]
        sweeps = len(inputs)
    else:
        rows = []
        for out in outputs:
            _sweep(order, out)
            rows.append([leaf.grad for leaf in inputs])
        sweeps = len(outputs)
    return Derivatives(mode, tuple(n.name for n in outputs), tuple(n.name for n in inputs),
                       tuple(tuple(row) for row in rows), sweeps)


def tangent_lines(graph, seed: str) -> list:
    """One forward-mode sweep in words, seeded at the leaf named ``seed``, one line per computed
    node, each local derivative times its input's tangent: "dz_H0/dw_H0 = 1 * d(w_H0*x)/dw_H0
    + 1 * db_H0/dw_H0 = 1 * 0.5 + 1 * 0 = 0.5". Leaves other than the seed have tangent 0."""
    tangent_sweep(graph.nodes, graph.node(seed))
    p, lines = _d(seed), []
    for node in graph.nodes:
        if node.is_leaf:
            continue
        out = _d(node.name)
        rule = " + ".join(f"{factor(local)} * d{_d(c.name)}/d{p}"
                          for c, local in zip(node.inputs, node.local))
        numbers = " + ".join(f"{factor(local)} * {factor(c.tangent)}"
                             for c, local in zip(node.inputs, node.local))
        lines.append(f"d{out}/d{p} = {rule} = {numbers} = {fmt(node.tangent)}")
    return lines


def _indexed(name: str, j: int, n: int) -> str:
    """``name`` for a one-neuron layer, ``name[j]`` for a wider one (the library's names)."""
    return name if n == 1 else f"{name}[{j}]"


# --- the graph in words ----------------------------------------------------------------------
def forward_line(node: Node) -> str:
    """How ``node`` was computed, with its numbers: "z_H0 = w_H0*x + b_H0 = 0.05 + 2 = 2.05"."""
    value = fmt(node.value)
    if node.is_leaf:
        return f"{node.name} = {value}"
    names = [c.name for c in node.inputs]
    numbers = [factor(c.value) for c in node.inputs]
    if node.op in ("*", "+", "-"):
        rule, numeric = f" {node.op} ".join(names), f" {node.op} ".join(numbers)
    elif node.op == "^2":
        rule, numeric = f"{_paren_name(names[0])}^2", f"{numbers[0]}^2"
    else:
        rule, numeric = f"{node.op}({names[0]})", f"{node.op}({fmt(node.inputs[0].value)})"
    return f"{node.name} = {rule} = {numeric} = {value}"


def local_line(node: Node) -> str:
    """Its local derivatives, beside the rule: "a_H0 = ReLU(z_H0):  da_H0/dz_H0 = ReLU'(2.05)
    = 1"; "z_H0 = w_H0*x + b_H0:  dz_H0/d(w_H0*x) = 1,  dz_H0/db_H0 = 1"."""
    parts = []
    for child, local in zip(node.inputs, node.local):
        slope = _local_name(node, child)
        if node.op == "*":
            other = node.inputs[1] if child is node.inputs[0] else node.inputs[0]
            parts.append(f"{slope} = {_d(other.name)} = {fmt(local)}")
        elif node.op == "^2":
            parts.append(f"{slope} = 2{_paren_name(child.name)} = 2 * {factor(child.value)} = "
                         f"{fmt(local)}")
        elif node.op in ("+", "-"):
            parts.append(f"{slope} = {fmt(local)}")
        else:
            parts.append(f"{slope} = {node.op}'({fmt(child.value)}) = {fmt(local)}")
    rule = forward_line(node).split(" = ")[1]
    return f"{node.name} = {rule}:  " + ",  ".join(parts)


def backward_lines(graph) -> list:
    """The backward pass in words, one line per edge, from the cost back:
    "dC0/dz_H0 += da_H0/dz_H0 * dC0/da_H0 = 1 * 0.0351025 = 0.0351025" (run ``backward`` first).
    """
    lines = []
    for node in reversed(graph.nodes):
        for child, local in zip(node.inputs, node.local):
            lines.append(f"dC0/d{_d(child.name)} += {_local_name(node, child)} * "
                         f"dC0/d{_d(node.name)} = {fmt(local)} * {factor(node.grad)} = "
                         f"{fmt(local * node.grad)}")
    return lines


def _local_name(node, child) -> str:
    """The local derivative's label. The square is written d(u)^2/d(u), not dC0/d(u): that is
    the gradient being built, and the two must not share a name."""
    if node.op == "^2":
        return f"d{_paren_name(child.name)}^2/d{_d(child.name)}"
    return f"d{_d(node.name)}/d{_d(child.name)}"


def _d(name: str) -> str:
    """A node's name after d: in parentheses when it is an expression (d(w_H0*x))."""
    return f"({name})" if any(op in name for op in "*-^(") else name


def _paren_name(name: str) -> str:
    return name if name.startswith("(") else f"({name})"


# --- what a gradient costs --------------------------------------------------------------------
@dataclass(frozen=True)
class FiniteDifferences:
    """Every parameter's dC0/dp by central differences, and how many forward passes it took."""

    gradients: dict  # {parameter name: (C0(p + h) - C0(p - h)) / 2h}
    forward_passes: int  # two per parameter


def finite_differences(net, x, y, h=1e-5) -> FiniteDifferences:
    """Nudge each parameter p by +h and by -h and run the network forward each time:

        dC0/dp ~ (C0(p + h) - C0(p - h)) / 2h          two forward passes per parameter

    (In exact mode h is the Fraction 1/100000.) Backpropagation gets the same numbers from
    one forward and one backward pass, however many parameters there are.
    """
    if net.exact:
        h = Fraction(1, 100000)
    xs, ys = net.input(x), net.target(y)

    def cost(changed):
        error = changed.forward(xs).output - ys
        return (error * error).sum()

    gradients, passes = {}, 0
    for name in net.parameter_names:
        p = net.param(name)
        up, down = cost(net.with_params({name: p + h})), cost(net.with_params({name: p - h}))
        passes += 2
        slope = (up - down) / (2 * h)
        gradients[name] = slope if net.exact else float(slope)
    return FiniteDifferences(gradients, passes)


@dataclass(frozen=True)
class GradientCost:
    """Seconds for all of a network's gradients, by finite differences and by backpropagation."""

    parameters: int
    forward_passes: int  # what finite differences ran: 2 per parameter
    finite_differences: float  # seconds, all parameters
    backward: float  # seconds for one Network.backward: one forward and one backward pass

    @property
    def ratio(self) -> float:
        return self.finite_differences / self.backward


def time_gradients(net, x, y, min_time=0.05) -> GradientCost:
    """Time ``finite_differences`` and ``Network.backward`` for one example, each the best of
    runs that add up to at least ``min_time`` seconds (best: least disturbed by other work)."""
    fd = _best_time(lambda: finite_differences(net, x, y), min_time)
    backward = _best_time(lambda: net.backward(x, y), min_time)
    n = len(net.parameter_names)
    return GradientCost(n, 2 * n, fd, backward)


def _best_time(function, min_time) -> float:
    """The shortest time of one call, over batches of calls lasting at least min_time / 3."""
    clock = time.perf_counter
    number, best, spent = 1, float("inf"), 0.0
    while spent < min_time or best == float("inf"):
        start = clock()
        for _ in range(number):
            function()
        elapsed = clock() - start
        spent += elapsed
        best = min(best, elapsed / number)
        if elapsed < min_time / 10:
            number *= 4
    return best
