"""The chain rule written out step by step with the actual numbers, as in the worked example:
each layer's z and a, the cost, then from the output back the factors dC0/da, da/dz, dz/dw and
their products; in text the code's spelling (dC0/dw_H1), in Markdown and LaTeX the prose's. A
line's key is the first layer its name mentions and the name without layer names:
``book.value("H1", "dC0/dw")`` is dC0/dw_H1, ``book.value(None, "C0")`` the cost.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from ..core.network import Network
from ..core.results import SATURATED_BELOW, Blocked
from ..numbers import fmt, some_names


# --- symbols, written once and shown in code spelling or in LaTeX --------------------------------
@dataclass(frozen=True)
class Sym:
    """a_H1, z_Out[0], w_H1[j,0], W_H1, x, y or C0 (layer ""); ``index``: neuron numbers or
    summation letters."""

    letter: str
    layer: str = ""
    index: tuple = ()

    def render(self, tex: bool) -> str:
        if tex:
            sub, sup = "".join(map(str, self.index)), self.layer
            letter = "C_0" if self.letter == "C0" else self.letter
            return letter + (f"_{{{sub}}}" if sub else "") + (f"^{{{sup}}}" if sup else "")
        return "_".join(filter(None, (self.letter, self.layer))) + _brackets(self.index)

    @property
    def key(self):
        return self.layer or None, self.letter + _brackets(self.index)


@dataclass(frozen=True)
class D:
    """The derivative dtop/dbottom: dC0/dw_Out, in LaTeX a fraction of partials."""

    top: Sym
    bottom: Sym

    def render(self, tex: bool) -> str:
        top, bottom = self.top.render(tex), self.bottom.render(tex)
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}" if tex else f"d{top}/d{bottom}"

    @property
    def key(self):
        (top_layer, top), (bottom_layer, bottom) = self.top.key, self.bottom.key
        return top_layer or bottom_layer, f"d{top}/d{bottom}"


@dataclass(frozen=True)
class Op:
    """A piece spelled differently in the two forms, such as * and \\cdot."""

    text: str
    tex: str

    def render(self, tex: bool) -> str:
        return self.tex if tex else self.text


C0, TIMES, LE = Sym("C0"), Op(" * ", r" \cdot "), Op(" <= ", r" \le ")


def _math(*parts) -> Op:
    """Symbols inside a sentence: as they are in text, between $ signs in LaTeX."""
    return Op(_render(parts, False), f"${_render(parts, True)}$")


def _of(sigma, arg, prime=False) -> tuple:
    """sigma(arg), or sigma'(arg) the slope, by the activation's formula name: ReLU'(z_Out)."""
    prime = "'" if prime else ""
    name = Op(sigma.formula + prime, rf"\mathrm{{{sigma.formula}}}{prime}")
    return name, "(", arg if isinstance(arg, Sym) else fmt(arg), ")"


def _sum_over(letter, layer) -> Op:
    return Op(f"sum over {letter} in {layer} of ", rf"\sum_{{{letter} \in {layer}}} ")


def _brackets(index) -> str:
    return f"[{','.join(map(str, index))}]" if index else ""


def _render(parts, tex: bool) -> str:
    """Text as it is, symbols in the chosen form, numbers by ``factor``."""
    return "".join(p if isinstance(p, str) else p.render(tex) if hasattr(p, "render")
                   else factor(p) for p in parts)


def factor(value) -> str:
    """A number as a factor of a product: negative ones in parentheses, 3 * (-1)."""
    text = fmt(value)
    return f"({text})" if text.startswith("-") else text


def show_value(value) -> str:
    """A value: a number, a vector [1, 2] or a matrix [[1, 2], [3, 4]]."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    return fmt(value)


# --- the ledger --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One line, ``subject = rule = numbers = value``: dC0/da_Out = 2(a_Out - y) = 2(3.51025 -
    0) = 7.0205 (rule and numbers may be empty); ``note`` explains a blocked neuron."""

    subject: Sym | D
    value: object
    rule: tuple = ()
    numbers: tuple = ()
    note: str = ""

    def render(self, tex: bool = False) -> str:
        middle = [_render(part, tex) for part in (self.rule, self.numbers) if part]
        return " = ".join([self.subject.render(tex), *middle, show_value(self.value)])

    def __str__(self):
        return f"{self.render()}  ({self.note})" if self.note else self.render()


@dataclass(frozen=True)
class Section:
    """A layer's steps, forward or backward, named by the layer ("Cost"; a wide network's
    backward section by its parameter)."""

    name: str
    backward: bool
    steps: tuple

    @property
    def title(self) -> str:
        return f"{self.name} (backward)" if self.backward else self.name


class Ledger:
    """The sections of a hand computation and the conventions they follow."""

    def __init__(self, sections, conventions):
        self.sections, self.conventions = tuple(sections), tuple(conventions)

    def forward_part(self, *names) -> Ledger:
        """The forward sections (each layer's, then "Cost"), or those named."""
        return self._part(False, names)

    def backward_part(self, *names) -> Ledger:
        """The backward sections, or those of the layers named: ``backward_part("H1")``."""
        return self._part(True, names)

    def _part(self, backward, names):
        mine = {s.name: s for s in self.sections if s.backward == backward}
        for name in names:
            if name not in mine:
                part = "backward" if backward else "forward"
                raise KeyError(f"no {part} section {name!r}; {part} sections: {', '.join(mine)}")
        return Ledger([mine[n] for n in names] if names else mine.values(), self.conventions)

    @property
    def steps(self) -> list:
        return [step for section in self.sections for step in section.steps]

    def value(self, layer, quantity):
        """The number on the line with this key: ``value("H1", "dC0/dw")`` for dC0/dw_H1."""
        for step in self.steps:
            if step.subject.key == (layer, quantity):
                return step.value
        keys = ", ".join(dict.fromkeys(str(step.subject.key) for step in self.steps))
        raise KeyError(f"no line ({layer!r}, {quantity!r}) in this ledger; keys: {keys}")

    def __str__(self):
        blocks = ["\n".join([s.title, ""] + [f"- {step}" for step in s.steps])
                  for s in self.sections]
        rules = "\n".join(f"- {_render(c, False)}" for c in self.conventions)
        return "\n\n".join(blocks + [f"Conventions:\n{rules}"])

    __repr__ = __str__

    def to_markdown(self) -> str:
        blocks = [f"**{s.title}**\n\n" + "\n".join(
            f"- ${step.render(tex=True)}$" + (f" *({step.note})*" if step.note else "")
            for step in s.steps) for s in self.sections]
        return "\n\n".join(blocks + ["> " + "<br>".join(_render(c, True)
                                                        for c in self.conventions)])

    _repr_markdown_ = to_markdown

    def to_latex(self) -> str:
        blocks = []
        for s in self.sections:
            rows = " \\\\\n".join(f"  {step.render(tex=True)}" + (
                rf" \quad \text{{({_tex_text(step.note)})}}" if step.note else "")
                for step in s.steps)
            blocks.append(f"% {s.title}\n\\begin{{gather*}}\n{rows}\n\\end{{gather*}}")
        items = "\n".join(rf"  \item {_render(c, True)}" for c in self.conventions)
        blocks.append(f"Conventions:\n\\begin{{itemize}}\n{items}\n\\end{{itemize}}")
        return "\n\n".join(blocks)

    def to_html(self) -> str:
        """As on paper, in a panel's CSS classes: titles in bold, one equation a line, a blocked
        neuron's note under its line, conventions in small print. Plain text: typesetting TeX on
        every step took the browser hundreds of milliseconds (benchmarks/browser.py)."""
        def line(step):
            note = f"<i>{html.escape(step.note, quote=False)}</i>" if step.note else ""
            return f"<p>{html.escape(step.render(), quote=False)}</p>{note}"

        blocks = [f"<b>{html.escape(s.title)}</b>" + "".join(map(line, s.steps))
                  for s in self.sections]
        rules = "<br>".join(html.escape(_render(c, False), quote=False) for c in self.conventions)
        return (f'<div class="bp-ledger-text">{"".join(blocks)}'
                f"<small>Conventions:<br>{rules}</small></div>")


def _tex_text(sentence: str) -> str:
    """A blocked neuron's sentence (plain text) made safe for LaTeX's text mode."""
    return sentence.replace("_", r"\_").replace("<=", r"$\le$")


# --- writing it from the backward pass ---------------------------------------------------------
def ledger(net: Network, x, y, param: str | None = None, *, g=None) -> Ledger:
    """The ledger of every layer of a chain network, or down to one parameter (``param``, such
    as "w_H1[0,1]") of any network; ``g``: ``net.backward(x, y)`` if already computed."""
    if param is None and not net.is_chain:
        raise ValueError("ledger: a network with more than one neuron per layer needs param=..., "
                         "one of " + some_names(net.parameter_names))
    g = net.backward(x, y) if g is None else g
    if g.batch_size is not None:
        raise ValueError(f"ledger: expected one example, got a batch of {g.batch_size}; the "
                         "ledger writes out the chain for one x and y")
    writer = _Writer(net, g, net.target(y))
    sections = [writer.forward(M) for M in range(writer.out + 1)] + [writer.cost()]
    kind, L, index = net.locate(param, "param") if param is not None else ("", 0, ())
    if not net.is_chain:
        sections.append(writer.parameter(param, kind, L, index))
    else:  # every layer, or those param's layer needs: below Out from H(n-2)'s, from 2(a - y)
        first = writer.out if param is None or L == writer.out else writer.out - 1
        sections += [writer.backward(M) for M in range(first, L - 1, -1)]
    return Ledger(sections, writer.conventions())


def _sym(net, letter, L, *index) -> Sym:
    """Layer L's a, z, w or b, or x or y, indexed only where the layer has several neurons
    (w: where W is not 1 x 1), as parameter names are."""
    if letter in ("x", "y"):
        return Sym(letter, "", index if net.sizes[0 if letter == "x" else -1] > 1 else ())
    several = net.weights[L].size > 1 if letter == "w" else net.sizes[L + 1] > 1
    return Sym(letter, net.layer_names[L], index if several else ())


def _input(net, L, *k) -> Sym:
    """What layer L's weights multiply: x for H0, else the activation of the layer before."""
    return _sym(net, "x", 0, *k) if L == 0 else _sym(net, "a", L - 1, *k)


def _value(array):
    """A layer of one neuron as its number, of several as the array."""
    array = np.asarray(array)
    return array.flat[0] if array.size == 1 else array


def _plus(terms, wrap=True) -> tuple:
    """Terms joined by +, products in parentheses where there are several."""
    parts = []
    for i, term in enumerate(terms):
        parts += [" + "] * (i > 0) + (["(", *term, ")"] if wrap and len(terms) > 1 else [*term])
    return tuple(parts)


class _Writer:
    """The steps of one backward pass ``g`` of ``net`` (and of the forward pass it ran)."""

    def __init__(self, net, g, y):
        self.net, self.g, self.fwd, self.y = net, g, g.forward, y
        self.out = len(net.weights) - 1
        self.a_j, self.y_j = _sym(net, "a", self.out, "j"), _sym(net, "y", self.out, "j")
        self.cost_rule = ((_sum_over("j", "Out"),) if net.sizes[-1] > 1 else ()) + (
            "(", self.a_j, " - ", self.y_j, ")^2")
        self.inputs = [self.fwd.x, *self.fwd.a]  # inputs[L] = a^(L-1), x for H0
        self.notes = {(b.L, b.j): explain_blocked(b) for b in g.blocked}

    # forward: z^L = w^L a^(L-1) + b^L, a^L = sigma(z^L), then C0 = sum_j (a_j^Out - y_j)^2
    def forward(self, L) -> Section:
        """A chain writes every number out; a wider layer shows its matrix and vectors."""
        net, fwd, sigma, chain = self.net, self.fwd, self.net.activations[L], self.net.is_chain
        a_in, b, z, a = _input(net, L), _sym(net, "b", L), _sym(net, "z", L), _sym(net, "a", L)
        w = _sym(net, "w", L) if chain else Sym("W", net.layer_names[L])
        steps = [Step(a_in, _value(self.inputs[L]))] if chain or L == 0 else []
        steps += [Step(w, _value(net.weights[L])), Step(b, _value(net.biases[L]))]
        if chain:
            numbers = ("(", net.weights[L][0, 0], TIMES, self.inputs[L][0], ") + ",
                       net.biases[L][0])
            steps += [Step(z, fwd.z[L][0], (w, TIMES, a_in, " + ", b), numbers),
                      Step(a, fwd.a[L][0], _of(sigma, z), _of(sigma, fwd.z[L][0]))]
        else:
            steps += [Step(z, _value(fwd.z[L]), (w, " ", a_in, " + ", b)),
                      Step(a, _value(fwd.a[L]), _of(sigma, z))]
        return Section(net.layer_names[L], False, tuple(steps))

    def cost(self) -> Section:
        terms = [("(", a_j, " - ", y_j, ")^2") for a_j, y_j in zip(self.fwd.output, self.y)]
        return Section("Cost", False, (Step(C0, self.g.cost, self.cost_rule,
                                            _plus(terms, wrap=False)),))

    def conventions(self) -> list:
        """What the ledger assumes; the ReLU'(0) = 0 line only where the network uses ReLU."""
        a, y = self.a_j, self.y_j
        conventions = [
            ("H0, H1 and Out name layers, they are not powers: ", _math(Sym("a", "H1")),
             " is the activation of layer H1."),
            (_math(C0, " = ", *self.cost_rule), " has no 1/2 in front, so ",
             _math(D(C0, a), " = 2(", a, " - ", y, ")"), "."),
        ]
        relu = [sigma for sigma in self.net.activations if sigma.name == "relu"]
        if relu:
            z = Sym("z")
            conventions.append((_math(*_of(relu[0], z, prime=True), " = 0"), " for ",
                                _math(z, LE, "0"), ", also at the kink ", _math(z, " = 0"),
                                " (as in PyTorch)."))
        return conventions

    # backward, one factor at a time
    def output_slope(self, j) -> Step:
        """dC0/da_j^Out = 2(a_j^Out - y_j)."""
        a, y = _sym(self.net, "a", self.out, j), _sym(self.net, "y", self.out, j)
        return Step(D(C0, a), self.g.da[self.out][j], ("2(", a, " - ", y, ")"),
                    ("2(", self.fwd.output[j], " - ", self.y[j], ")"))

    def local_slope(self, L, j) -> Step:
        """da_j^L/dz_j^L = sigma'(z_j^L), with a note where neuron j passes (almost) nothing."""
        z, sigma = _sym(self.net, "z", L, j), self.net.activations[L]
        return Step(D(_sym(self.net, "a", L, j), z), self.g.da_dz[L][j], _of(sigma, z, True),
                    _of(sigma, self.fwd.z[L][j], True), self.notes.get((L, j), ""))

    def sum_rule(self, L, k) -> tuple:
        """sum over j in L of dC0/da_j * sigma'(z_j) * w_jk, for a neuron k (or the letter k)."""
        layer, sigma = self.net.layer_names[L], self.net.activations[L]
        return (_sum_over("j", layer), D(C0, Sym("a", layer, ("j",))), TIMES,
                *_of(sigma, Sym("z", layer, ("j",)), True), TIMES, Sym("w", layer, ("j", k)))

    def pushed_back(self, L, k, explain=False) -> Step:
        """dC0/da_k of layer L-1, the sum over j in L term by term; with ``explain``, noting
        which of those neurons pass (almost) nothing back."""
        g, W = self.g, self.net.weights[L]
        terms = [(g.da[L][j], TIMES, g.da_dz[L][j], TIMES, W[j, k]) for j in range(len(W))]
        notes = [self.notes[L, j] for j in range(len(W)) if explain and (L, j) in self.notes]
        return Step(D(C0, _sym(self.net, "a", L - 1, k)), g.da[L - 1][k], self.sum_rule(L, k),
                    _plus(terms), "; ".join(notes))

    def parameter_steps(self, L, j, k=None) -> list:
        """dz_j/dw_jk = a_k^(L-1) (or dz_j/db_j = 1), then dC0/dw_jk, the product of three."""
        if k is None:
            param, dz_dp, rule, gradient = _sym(self.net, "b", L, j), 1, (), self.g.db[L][j]
        else:
            param, dz_dp = _sym(self.net, "w", L, j, k), self.inputs[L][k]
            rule, gradient = (_input(self.net, L, k),), self.g.dw[L][j, k]
        product = (self.g.da[L][j], TIMES, self.g.da_dz[L][j], TIMES, dz_dp)
        return [Step(D(_sym(self.net, "z", L, j), param), dz_dp, rule),
                Step(D(C0, param), gradient, (), product)]

    # a chain, as in the worked example
    def backward(self, L) -> Section:
        """From 2(a - y) (Out and H(n-2)) or dC0/da of the layer above, to dC0/dw and dC0/db."""
        if L >= self.out - 1:
            steps = [self.output_slope(0)]
        else:
            steps = [Step(D(C0, _sym(self.net, "a", L + 1)), self.g.da[L + 1][0])]
        if L < self.out:  # dz/da of the layer above is its weight
            dz_da = Step(D(_sym(self.net, "z", L + 1), _sym(self.net, "a", L)),
                         self.net.weights[L + 1][0, 0], (_sym(self.net, "w", L + 1),))
            steps += [self.local_slope(L + 1, 0), dz_da, self.pushed_back(L + 1, 0)]
        steps += [self.local_slope(L, 0), *self.parameter_steps(L, 0, 0),
                  *self.parameter_steps(L, 0)]
        return Section(self.net.layer_names[L], True, tuple(steps))

    # one parameter of any network
    def parameter(self, param, kind, L, index) -> Section:
        """From the output to ``param``: dC0/da of each layer above as a vector, the sum over
        the next layer's neurons, the three factors."""
        j, a_out = index[0], Sym("a", "Out")
        if L == self.out or self.net.sizes[-1] == 1:
            steps = [self.output_slope(j if L == self.out else 0)]
        else:
            steps = [Step(D(C0, a_out), self.g.da[self.out], ("2(", a_out, " - ", Sym("y"), ")"))]
        if L < self.out:
            each_k = Op(", for each k", r"\text{ for each } k")
            steps += [Step(D(C0, Sym("a", self.net.layer_names[M])), _value(self.g.da[M]),
                           (*self.sum_rule(M + 1, "k"), each_k))
                      for M in range(self.out - 1, L, -1)]
            steps.append(self.pushed_back(L + 1, j, explain=True))
        steps.append(self.local_slope(L, j))
        steps += self.parameter_steps(L, j, index[1] if kind == "w" else None)
        return Section(param, True, tuple(steps))


def explain_blocked(blocked: Blocked) -> str:
    """What a blocked neuron (``g.blocked``, ``fwd.blocked``) means, in the notebooks' words."""
    b = blocked
    f, z_name, batch = b.activation.formula, f"z_{b.neuron}", np.ndim(b.z) > 0
    where = f"for all {np.size(b.z)} examples" if batch else f"at {z_name} = {fmt(b.z)}"
    on = " on every example" if batch else ""
    if b.kind == "dead":
        why = " (ReLU passes nothing for z <= 0)" if b.activation.name == "relu" else ""
        return (f"{b.neuron} is dead{on}: {f}'({z_name}) = 0 {where}{why}, so no "
                "gradient flows back through it")
    slope = (f"|{f}'({z_name})| < {fmt(SATURATED_BELOW)}" if batch else
             f"{f}'({z_name}) = {fmt(b.slope)}"
             + (" (too small for floating point)" if b.slope == 0 else ""))
    factor = f"less than {fmt(SATURATED_BELOW)}" if batch else fmt(b.slope)
    return (f"{b.neuron} is saturated{on}: {slope} {where}, so whatever flows back through it "
            f"is multiplied by {factor}")
