"""The computation as a graph of scalar nodes, and backpropagation as one pass over it.

Each operation computes a ``Node``'s value and its local derivatives d(node)/d(input) side by
side, as micrograd's engine.py does. ``Graph.backward`` walks from the cost back, handing every
input local derivative * the node's gradient; an input that feeds several nodes adds up their
shares (the sum over j). Forward mode (``tangent_sweep``) uses the same local derivatives.
Numbers stay in the network's number system: floats, or exact Fractions.
"""

from __future__ import annotations

import math
import timeit
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..core import activations as act
from ..numbers import fmt, indexed, to_scalar
from .ledger import factor


class Node:
    """One number of the computation: its value, how it was made (``op``, ``inputs`` and the
    ``local`` derivatives d(node)/d(input)), dC0/d(node) (``grad``) and, in forward mode,
    d(node)/d(seed) (``tangent``)."""

    __slots__ = ("value", "op", "inputs", "local", "name", "grad", "tangent")

    def __init__(self, value, op="", inputs=(), local=(), name=""):
        self.value = value
        self.op = op  # "" for a leaf, else "*", "+", "-", "^2" or the activation's formula
        self.inputs = tuple(inputs)
        self.local = tuple(local)
        self.name = name
        self.grad = 0
        self.tangent = 0

    @property
    def is_leaf(self) -> bool:
        return not self.inputs

    def __repr__(self):
        label = self.name or (self.op or "leaf")
        return f"Node({label}: value={self.value!r}, grad={self.grad!r})"


# --- the operations: each value beside its local derivatives ---------------------------------
def leaf(value, name="", exact=False) -> Node:
    """A number the computation starts from: x, y or a parameter (a Fraction when ``exact``)."""
    if not isinstance(value, Fraction if exact else (float, np.floating)):  # a Network's numbers
        value = to_scalar(value, exact, name or "value")
    return Node(value if exact else float(value), name=name)


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
    return "leaf" if node.is_leaf else OPERATIONS.get(node.op, "sigma")


# --- the backward pass ------------------------------------------------------------------------
def topological_order(*outputs: Node) -> list:
    """Every node the ``outputs`` depend on, each after its inputs, by a depth-first search
    with a stack (no recursion limit); computed inputs before leaves, so that the order reads
    like the forward pass (x, w_H0, w_H0*x, b_H0, z_H0, ...)."""
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


def _sweep(order, seed=None):
    """The backward pass over ``order``: ``grad`` = d(seed)/d(node), from 0 again each time;
    the seed is the last node unless given."""
    for node in order:
        node.grad = 0
    (order[-1] if seed is None else seed).grad = 1
    for node in reversed(order):
        for child, local in zip(node.inputs, node.local):
            child.grad += local * node.grad  # fan-out: what every consumer hands back adds up


# --- a network as a graph ---------------------------------------------------------------------
class Graph:
    """The cost node C0 of one example and every node it came from: ``nodes`` in topological
    order (C0 last), ``parameters`` {name: leaf}, and ``node(name)`` for any named node."""

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
        """Fill every node's ``grad`` = dC0/d(node)."""
        _sweep(self.nodes)
        return self

    def gradients(self) -> dict:
        """{parameter name: dC0/d(parameter)} as the last backward pass left them."""
        return {name: leaf.grad for name, leaf in self.parameters.items()}

    def derivatives(self, mode="reverse", outputs=("C0",), inputs=None) -> "Derivatives":
        """Every d(output)/d(input) for the nodes named ``outputs`` and the leaves ``inputs`` (by
        default every parameter): "forward" runs one ``tangent_sweep`` per input (a column),
        "reverse" one backward sweep per output (a row), so reverse mode is cheap for one cost
        of many parameters."""
        if mode not in MODES:
            raise ValueError(f"mode: expected 'forward' or 'reverse', got {mode!r}")
        outputs = [self.node(name) for name in outputs]
        inputs = [self.node(name) for name in (self.parameters if inputs is None else inputs)]
        order = topological_order(*outputs)
        if mode == "forward":
            columns = []
            for seed in inputs:
                tangent_sweep(order, seed)
                columns.append([out.tangent for out in outputs])
            rows = list(zip(*columns)) or [()] * len(outputs)
        else:
            rows = []
            for out in outputs:
                _sweep(order, out)
                rows.append(tuple(leaf.grad for leaf in inputs))
        return Derivatives(mode, tuple(n.name for n in outputs), tuple(n.name for n in inputs),
                           tuple(rows), len(inputs) if mode == "forward" else len(outputs))

    def report(self) -> str:
        """One line per parameter, "dC0/dw_H0 = 0.01755125", as ``Gradients.report`` prints."""
        return "\n".join(f"dC0/d{name} = {fmt(grad)}" for name, grad in self.gradients().items())

    def counts(self) -> Counter:
        return Counter(kind(n) for n in self.nodes)

    def __len__(self):
        return len(self.nodes)

    def __repr__(self):
        made = ", ".join(f"{k} {v}" for k, v in sorted(self.counts().items()))
        return f"Graph({len(self)} nodes: {made}; C0 = {fmt(self.cost)})"


def network_graph(net, x, y) -> Graph:
    """The graph of ``net``'s cost C0 for one example: z_j^L = sum_k w_jk^L a_k^(L-1) + b_j^L
    (a multiply per weight, one add), a_j^L = sigma(z_j^L), C0 = sum_j (a_j^Out - y_j)^2.
    Nodes are named as the library names things ("w_H1[0,1]", "z_H1[0]", "w_H1[0,1]*a_H0[1]")."""
    exact = bool(net.exact)
    xs, ys = net.input(x), net.target(y)
    parameters = {name: leaf(net.param(name), name, exact) for name in net.parameter_names}
    at = {tuple(net.locate(name)): node for name, node in parameters.items()}  # (kind, L, index)

    a = [leaf(v, indexed("x", k, len(xs)), exact) for k, v in enumerate(xs)]
    for L, (W, activation, layer) in enumerate(zip(net.weights, net.activations,
                                                   net.layer_names)):
        n_out = W.shape[0]
        layer_a = []
        for j in range(n_out):
            ws = [at["w", L, (j, k)] for k in range(len(a))]
            products = [multiply(w, a_k, name=f"{w.name}*{a_k.name}") for w, a_k in zip(ws, a)]
            z = add(*products, at["b", L, (j,)], name=indexed(f"z_{layer}", j, n_out))
            layer_a.append(sigma(z, activation, name=indexed(f"a_{layer}", j, n_out)))
        a = layer_a
    n_out = len(a)
    errors = [subtract(a_j, leaf(y_j, indexed("y", j, n_out), exact),
                       name=f"{a_j.name}-{indexed('y', j, n_out)}")
              for j, (a_j, y_j) in enumerate(zip(a, ys))]
    if n_out == 1:
        cost = square(errors[0], name="C0")
    else:
        cost = add(*(square(e, name=f"({e.name})^2") for e in errors), name="C0")
    if not math.isfinite(cost.value):  # refused as the network refuses it, in its words
        net.backward(x, y)
    return Graph(cost, parameters)


# --- forward mode: one sweep per input, against reverse mode: one sweep per output ----------
def tangent_sweep(order, seed: Node) -> None:
    """Forward mode: every node's ``tangent`` = d(node)/d(seed), ``order`` topological."""
    for node in order:
        if node.is_leaf:
            node.tangent = 1 if node is seed else 0
        else:
            node.tangent = sum(local * child.tangent
                               for child, local in zip(node.inputs, node.local))


MODES = ("forward", "reverse")


@dataclass(frozen=True)
class Derivatives:
    """``values[i][k]`` = d(outputs[i])/d(inputs[k]) (names), and how many sweeps that took."""

    mode: str  # "forward" or "reverse"
    outputs: tuple
    inputs: tuple
    values: tuple
    sweeps: int  # forward: one per input; reverse: one per output

    def d(self, output: str, wrt: str):
        return self.values[self.outputs.index(output)][self.inputs.index(wrt)]


# --- the graph in words ----------------------------------------------------------------------
def tangent_lines(graph, seed: str) -> list:
    """One forward-mode sweep seeded at the leaf ``seed``, a line per computed node: "dz_H0/dw_H0
    = 1 * d(w_H0*x)/dw_H0 + 1 * db_H0/dw_H0 = 1 * 0.5 + 1 * 0 = 0.5"."""
    tangent_sweep(graph.nodes, graph.node(seed))
    p, lines = _d(seed), []
    for node in graph.nodes:
        if node.is_leaf:
            continue
        pairs = list(zip(node.inputs, node.local))
        rule = " + ".join(f"{factor(local)} * d{_d(c.name)}/d{p}" for c, local in pairs)
        numbers = " + ".join(f"{factor(local)} * {factor(c.tangent)}" for c, local in pairs)
        lines.append(f"d{_d(node.name)}/d{p} = {rule} = {numbers} = {fmt(node.tangent)}")
    return lines


def forward_line(node: Node) -> str:
    """How ``node`` was computed, with its numbers: "z_H0 = w_H0*x + b_H0 = 0.05 + 2 = 2.05"."""
    if node.is_leaf:
        return f"{node.name} = {fmt(node.value)}"
    names = [c.name for c in node.inputs]
    numbers = [factor(c.value) for c in node.inputs]
    if node.op in ("*", "+", "-"):
        rule, numeric = f" {node.op} ".join(names), f" {node.op} ".join(numbers)
    elif node.op == "^2":
        rule, numeric = f"{_d(names[0])}^2", f"{numbers[0]}^2"
    else:
        rule, numeric = f"{node.op}({names[0]})", f"{node.op}({fmt(node.inputs[0].value)})"
    return f"{node.name} = {rule} = {numeric} = {fmt(node.value)}"


def local_line(node: Node) -> str:
    """The rule and its local derivatives: "a_H0 = ReLU(z_H0):  da_H0/dz_H0 = ReLU'(2.05) = 1"."""
    parts = []
    for i, (child, local) in enumerate(zip(node.inputs, node.local)):
        if node.op == "*":
            middle = [_d(node.inputs[1 - i].name)]  # d(ab)/da = b
        elif node.op == "^2":
            middle = [f"2{_d(child.name)}", f"2 * {factor(child.value)}"]
        elif node.op in ("+", "-"):
            middle = []
        else:
            middle = [f"{node.op}'({fmt(child.value)})"]
        parts.append(" = ".join([_local_name(node, child), *middle, fmt(local)]))
    rule = forward_line(node).split(" = ")[1]
    return f"{node.name} = {rule}:  " + ",  ".join(parts)


def backward_lines(graph) -> list:
    """The backward pass in words, a line per edge from the cost back (after ``backward``):
    "dC0/dz_H0 += da_H0/dz_H0 * dC0/da_H0 = 1 * 0.0351025 = 0.0351025"."""
    return [f"dC0/d{_d(child.name)} += {_local_name(node, child)} * dC0/d{_d(node.name)} = "
            f"{fmt(local)} * {factor(node.grad)} = {fmt(local * node.grad)}"
            for node in reversed(graph.nodes) for child, local in zip(node.inputs, node.local)]


def _local_name(node, child) -> str:
    """The local derivative's label; a square's is d(a-y)^2/d(a-y), not dC0/d(a-y), the gradient."""
    if node.op == "^2":
        return f"d{_d(child.name)}^2/d{_d(child.name)}"
    return f"d{_d(node.name)}/d{_d(child.name)}"


def _d(name: str) -> str:
    """A node's name in a formula: in parentheses when it is an expression (d(w_H0*x), (a-y)^2)."""
    return f"({name})" if any(op in name for op in "*-^(") else name


# --- what a gradient costs --------------------------------------------------------------------
@dataclass(frozen=True)
class FiniteDifferences:
    gradients: dict  # {parameter name: (C0(p + h) - C0(p - h)) / 2h}
    forward_passes: int  # two per parameter


def finite_differences(net, x, y) -> FiniteDifferences:
    """Every dC0/dp ~ (C0(p + h) - C0(p - h)) / 2h, h = 1e-5 (1/100000 in exact mode), two forward
    passes per parameter, where backpropagation needs one forward and one backward pass."""
    h = Fraction(1, 100000) if net.exact else 1e-5
    xs, ys = net.input(x), net.target(y)

    def cost(changed):  # the forward pass alone, then the network's own cost pair
        f = changed.forward(xs)
        return changed.cost_function.function(f.z[-1], f.a[-1], ys, changed.activations[-1]).sum()

    gradients = {}
    for name in net.parameter_names:
        p = net.param(name)
        up, down = cost(net.with_params({name: p + h})), cost(net.with_params({name: p - h}))
        slope = (up - down) / (2 * h)
        gradients[name] = slope if net.exact else float(slope)
    return FiniteDifferences(gradients, 2 * len(gradients))


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
    """Time ``finite_differences`` and ``Network.backward`` for one example: each the best of
    three batches of calls of about ``min_time / 3`` seconds (best: least disturbed)."""
    def best(function):
        timer = timeit.Timer(function)
        number = max(1, round(min_time / 3 / max(timer.timeit(1), 1e-9)))
        return min(timer.repeat(3, number)) / number

    n = len(net.parameter_names)
    return GradientCost(n, 2 * n, best(lambda: finite_differences(net, x, y)),
                        best(lambda: net.backward(x, y)))
