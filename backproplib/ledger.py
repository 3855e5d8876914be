"""The chain rule written out step by step with the actual numbers, as in the worked example.

``str(ledger(net, x, y))`` reads like the hand computation: for each layer the forward values,
then from the output back the factors dC/da, da/dz and dz/dw and their products. In a notebook
the same ledger renders as Markdown with LaTeX.

Notation: H0, H1, Out in parentheses or superscripts name layers, they are not powers.
w_jk^L runs from neuron k of layer L-1 to neuron j of layer L, and
dC/da_k^(L-1) = sum over j of dC/da_j^L * sigma'(z_j^L) * w_jk^L: a sum over the neurons j of
the next layer (the worked example's H0 formula reuses j for two different sums; here the outer
sum runs over j in H1 and the inner one over i in Out, each with its own letter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .network import Network
from .scalars import fmt
from .values import parse_parameter

CONVENTIONS = (  # plain text, as it reads in the ledger; LaTeX in CONVENTIONS_TEX
    "H0, H1 and Out name layers: in a(H1), written a^H1 in formulas, H1 is a layer, "
    "not a power.",
    "C0 = (a - y)^2 has no 1/2 in front, so dC/da = 2(a - y).",
    "ReLU'(z) = 0 for z <= 0, also at the kink z = 0 (as in PyTorch).",
)
CONVENTIONS_TEX = (
    r"H0, H1 and Out name layers: in $a^{H1}$ the superscript is a layer, not a power.",
    r"$C_0 = (a - y)^2$ has no $\frac{1}{2}$ in front, so $\frac{\partial C_0}{\partial a} = "
    r"2(a - y)$.",
    r"$\mathrm{ReLU}'(z) = 0$ for $z \le 0$, also at the kink $z = 0$ (as in PyTorch).",
)


_FUNCTION = re.compile(r"\b(LeakyReLU|ReLU|sigmoid|tanh|linear)\b")  # upright in LaTeX


@dataclass(frozen=True)
class Step:
    """One line of the ledger: ``label = rule = substituted = value``.

    ``label`` and ``rule`` are plain text in the worked example's style ("dC/da(H1)",
    "2(a - y)"); ``tex`` and ``rule_tex`` are the same in LaTeX; ``substituted`` is the rule
    with the numbers put in. Any of rule and substituted may be empty.
    """

    label: str
    tex: str
    value: object
    rule: str = ""
    rule_tex: str = ""
    substituted: str = ""
    note: str = ""

    def text(self, colon: bool) -> str:
        parts = [p for p in (self.rule, self.substituted) if p] + [_show(self.value)]
        head = f"{self.label}:" if colon else f"{self.label} ="
        line = f"{head} {' = '.join(parts)}"
        return f"{line}  ({self.note})" if self.note else line

    def latex(self) -> str:
        substituted = _FUNCTION.sub(r"\\mathrm{\1}", self.substituted.replace(" * ", r" \cdot "))
        parts = [self.tex] + [p for p in (self.rule_tex, substituted) if p] + [_show(self.value)]
        return " = ".join(parts)


@dataclass(frozen=True)
class Section:
    title: str
    steps: tuple
    forward: bool  # forward sections read "z: ..." as in the worked example


class Ledger:
    """The sections of a hand computation; ``value(label)`` finds a number by its label."""

    def __init__(self, sections, relu=True):
        self.sections = tuple(sections)
        self.relu = relu  # whether the ReLU'(0) = 0 convention concerns this network

    def _conventions(self, table):
        return table if self.relu else table[:-1]

    def select(self, *titles) -> "Ledger":
        """A ledger of just the sections with these titles, e.g. ``select("Output (backward)")``."""
        known = [s.title for s in self.sections]
        unknown = [t for t in titles if t not in known]
        if unknown:
            raise KeyError(f"no section {unknown[0]!r}; sections: {', '.join(known)}")
        return Ledger((s for s in self.sections if s.title in titles), self.relu)

    def forward_part(self) -> "Ledger":
        """The forward sections (each layer's z and a, and the cost)."""
        return Ledger((s for s in self.sections if s.forward), self.relu)

    @property
    def steps(self):
        return [step for section in self.sections for step in section.steps]

    def value(self, label: str):
        """The value of the first step called ``label``, e.g. ``value("dC/dw(H1)")``."""
        for step in self.steps:
            if step.label == label:
                return step.value
        raise KeyError(f"no step {label!r}; steps: {', '.join(s.label for s in self.steps)}")

    def __str__(self):
        blocks = []
        for section in self.sections:
            lines = [f"- {step.text(section.forward)}" for step in section.steps]
            blocks.append("\n".join([section.title, ""] + lines))
        conventions = self._conventions(CONVENTIONS)
        blocks.append("Conventions:\n" + "\n".join(f"- {c}" for c in conventions))
        return "\n\n".join(blocks)

    def __repr__(self):
        return str(self)

    def to_markdown(self) -> str:
        blocks = []
        for section in self.sections:
            lines = []
            for step in section.steps:
                note = f" *({step.note})*" if step.note else ""
                lines.append(f"- ${step.latex()}${note}")
            blocks.append(f"**{section.title}**\n\n" + "\n".join(lines))
        blocks.append("> " + "<br>".join(self._conventions(CONVENTIONS_TEX)))
        return "\n\n".join(blocks)

    def _repr_markdown_(self):
        return self.to_markdown()

    def to_latex(self) -> str:
        blocks = []
        for section in self.sections:
            rows = " \\\\\n".join(f"  {step.latex()}" for step in section.steps)
            blocks.append(f"% {section.title}\n\\begin{{gather*}}\n{rows}\n\\end{{gather*}}")
        return "\n\n".join(blocks)


def ledger(net: Network, x, y, param: str | None = None) -> Ledger:
    """The ledger of every layer of a chain network, or of one parameter of any network.

    ``param`` is a name from ``net.parameter_names`` such as "w_H1" or "w_H1[0,1]".
    """
    if param is None:
        if not net.is_chain:
            raise ValueError(
                "ledger: a network with more than one neuron per layer needs param=..., one of "
                + ", ".join(net.parameter_names)
            )
        return _chain_ledger(net, x, y)
    if net.is_chain:  # the forward pass, then the backward sections from Out's down to param's
        _, layer, _ = parse_parameter(param, net.parameter_names)
        out = len(net.layer_names) - 1
        steps_back = out - net.layer_names.index(layer)
        full = _chain_ledger(net, x, y)
        backward = [s for s in full.sections if not s.forward]  # Out, H(n-2), ..., H0
        # the Out and H(n-2) sections each start from 2(a - y); earlier ones carry dC/da on
        first = 0 if steps_back == 0 else 1
        return Ledger([s for s in full.sections if s.forward] + backward[first:steps_back + 1],
                      full.relu)
    return _parameter_ledger(net, x, y, param)


# --- small writers ------------------------------------------------------------------------------
def _has_relu(net) -> bool:
    return any(sigma.name == "relu" for sigma in net.activations)



def _show(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    return fmt(value)


def _n(value) -> str:
    """A number inside an expression; negative ones in parentheses."""
    text = fmt(value)
    return f"({text})" if text.startswith("-") else text


def _product(*factors) -> str:
    return " * ".join(_n(f) for f in factors)


def _d(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def _dead_note(layer, sigma, z):
    if sigma.name == "relu" and z <= 0:
        return f"z <= 0: {layer} is dead, ReLU'(z) = 0, so no gradient flows back through it"
    return ""


def _input_name(net, L):
    return "x" if L == 0 else f"a({net.layer_names[L - 1]})"


def _input_tex(net, L):
    return "x" if L == 0 else f"a^{{{net.layer_names[L - 1]}}}"


# --- the chain, as in the worked example ---------------------------------------------------------
def _chain_ledger(net, x, y) -> Ledger:
    fwd = net.forward(x)
    g = net.backward(x, y)
    y = net._vector(y, 1, "y", "Out")[0]
    sections = [_forward_section(net, fwd, L) for L in range(len(net.weights))]
    a_out = fwd.a[-1][0]
    sections.append(Section("Cost", (Step(
        "C0", "C_0", g.cost, "(a(Out) - y)^2", "(a^{Out} - y)^2", f"({_n(a_out)} - {_n(y)})^2"),),
        forward=True))
    for L in reversed(range(len(net.weights))):
        sections.append(_backward_section(net, fwd, g, y, L))
    return Ledger(sections, _has_relu(net))


def _forward_section(net, fwd, L) -> Section:
    name, sigma = net.layer_names[L], net.activations[L]
    a_in = fwd.x[0] if L == 0 else fwd.a[L - 1][0]
    w, b = net.weights[L][0, 0], net.biases[L][0]
    z, a = fwd.z[L][0], fwd.a[L][0]
    steps = (
        Step("Input", _input_tex(net, L), a_in, rule=_input_name(net, L) if L else ""),
        Step("Weight", f"w^{{{name}}}", w),
        Step("Bias", f"b^{{{name}}}", b),
        Step("z", f"z^{{{name}}}", z, substituted=f"({_n(a_in)} * {_n(w)}) + {_n(b)}"),
        Step("a", f"a^{{{name}}}", a, substituted=f"{sigma.formula}({fmt(z)})"),
    )
    return Section(name, steps, forward=True)


def _backward_section(net, fwd, g, y, L) -> Section:
    """From dC/da(Out) back to dC/dw and dC/db of layer L."""
    out = len(net.weights) - 1
    if L >= out - 1:
        steps = [Step("dC/da(Out)" if L < out else "dC/da", _d("C_0", "a^{Out}"), g.da[out][0],
                      "2(a - y)", "2(a^{Out} - y)", f"2({_n(fwd.a[out][0])} - {_n(y)})")]
    else:  # carried over from the section before, as in the worked example
        nxt = net.layer_names[L + 1]
        steps = [Step(f"dC/da({nxt})", _d("C_0", f"a^{{{nxt}}}"), g.da[L + 1][0])]
    if L < out:
        steps += _push_back(net, fwd, g, L + 1)
    name, sigma = net.layer_names[L], net.activations[L]
    z = fwd.z[L][0]
    a_in = fwd.x[0] if L == 0 else fwd.a[L - 1][0]
    dC_da, da_dz = g.da[L][0], sigma.derivative(fwd.z[L])[0]
    suffix = "" if L == out else f"({name})"
    steps += [
        Step(f"da{suffix}/dz{suffix}", _d(f"a^{{{name}}}", f"z^{{{name}}}"), da_dz,
             f"{sigma.formula}'(z{suffix})", rf"\mathrm{{{sigma.formula}}}'(z^{{{name}}})",
             f"{sigma.formula}'({fmt(z)})", note=_dead_note(name, sigma, z)),
        Step(f"dz{suffix}/dw{suffix}", _d(f"z^{{{name}}}", f"w^{{{name}}}"), a_in,
             _input_name(net, L), _input_tex(net, L)),
        Step(f"dC/dw({name})", _d("C_0", f"w^{{{name}}}"), g.dw[L][0, 0],
             substituted=_product(dC_da, da_dz, a_in)),
        Step(f"dz{suffix}/db{suffix}", _d(f"z^{{{name}}}", f"b^{{{name}}}"), 1),
        Step(f"dC/db({name})", _d("C_0", f"b^{{{name}}}"), g.db[L][0],
             substituted=_product(dC_da, da_dz, 1)),
    ]
    title = "Output" if L == out else name
    return Section(f"{title} (backward)", tuple(steps), forward=False)


def _push_back(net, fwd, g, M):
    """dC/da of layer M-1 from layer M's factors: da(M)/dz(M) and dz(M)/da(M-1) = w(M)."""
    name, prev, sigma = net.layer_names[M], net.layer_names[M - 1], net.activations[M]
    z = fwd.z[M][0]
    da_dz, w = sigma.derivative(fwd.z[M])[0], net.weights[M][0, 0]
    return [
        Step(f"da({name})/dz({name})", _d(f"a^{{{name}}}", f"z^{{{name}}}"), da_dz,
             f"{sigma.formula}'(z({name}))", rf"\mathrm{{{sigma.formula}}}'(z^{{{name}}})",
             f"{sigma.formula}'({fmt(z)})", note=_dead_note(name, sigma, z)),
        Step(f"dz({name})/da({prev})", _d(f"z^{{{name}}}", f"a^{{{prev}}}"), w,
             f"weight({name})", f"w^{{{name}}}"),
        Step(f"dC/da({prev})", _d("C_0", f"a^{{{prev}}}"), g.da[M - 1][0],
             "sum(products)", "", _product(g.da[M][0], da_dz, w)),
    ]


# --- one parameter of any network ----------------------------------------------------------------
def _parameter_ledger(net, x, y, param) -> Ledger:
    kind, layer, index = parse_parameter(param, net.parameter_names)
    L = net.layer_names.index(layer)
    j = index[0] if kind == "w" else index
    fwd, g = net.forward(x), net.backward(x, y)
    forward = []
    for M, name in enumerate(net.layer_names):
        forward.append(Step(f"z({name})", f"z^{{{name}}}", _vector(fwd.z[M])))
        forward.append(Step(f"a({name})", f"a^{{{name}}}", _vector(fwd.a[M])))
    out = len(net.weights) - 1
    if L < out:
        steps = [Step(f"dC/da({net.layer_names[M]})", _d("C_0", f"a^{{{net.layer_names[M]}}}"),
                      _vector(g.da[M]), "2(a - y)" if M == out else "the same sum, a layer on")
                 for M in range(out, L, -1)]
        steps.append(_sum_step(net, g, L, j, fwd.z[L + 1]))
    else:
        steps = [_output_step(net, fwd, g, y, j)]
    sigma, z = net.activations[L], fwd.z[L][j]
    da_dz = sigma.derivative(fwd.z[L])[j]
    tex_zj = f"z_{j}^{{{layer}}}"
    steps.append(Step(f"da_{j}({layer})/dz_{j}({layer})", _d(f"a_{j}^{{{layer}}}", tex_zj),
                      da_dz, substituted=f"{sigma.formula}'({fmt(z)})",
                      note=_dead_note(layer, sigma, z)))
    if kind == "w":
        k = index[1]
        prev = net.layer_names[L - 1] if L else None
        dz_dw = fwd.a[L - 1][k] if L else fwd.x[k]
        source, source_tex = (f"a_{k}({prev})", f"a_{k}^{{{prev}}}") if L else (f"x_{k}", f"x_{k}")
        steps.append(Step(f"dz_{j}({layer})/dw_{j}{k}({layer})",
                          _d(tex_zj, f"w_{{{j}{k}}}^{{{layer}}}"), dz_dw, source, source_tex))
        param_tex = f"w_{{{j}{k}}}^{{{layer}}}"
    else:
        dz_dw = 1
        steps.append(Step(f"dz_{j}({layer})/db_{j}({layer})",
                          _d(tex_zj, f"b_{j}^{{{layer}}}"), 1))
        param_tex = f"b_{{{j}}}^{{{layer}}}"
    if "[" not in param:
        param_tex = f"{kind}^{{{layer}}}"
    steps.append(Step(f"dC/d{param}", _d("C_0", param_tex), g[param],
                      substituted=_product(g.da[L][j], da_dz, dz_dw)))
    return Ledger([Section("Forward", tuple(forward), forward=True),
                   Section(f"Backward to {param}", tuple(steps), forward=False)],
                  _has_relu(net))


def _vector(array):
    """A layer's values: the number itself for one neuron, else a tuple shown as [v0, v1]."""
    return array[0] if len(array) == 1 else tuple(array)


def _output_step(net, fwd, g, y, j):
    y_j = net._vector(y, net.sizes[-1], "y", "Out")[j]
    a_j = fwd.a[-1][j]
    return Step(f"dC/da_{j}(Out)", _d("C_0", f"a_{j}^{{Out}}"), g.da[-1][j], f"2(a_{j} - y_{j})",
                f"2(a_{j}^{{Out}} - y_{j})", f"2({_n(a_j)} - {_n(y_j)})")


def _sum_step(net, g, L, j, z_next):
    """dC/da_j^L as the sum over neurons i of layer L+1 of dC/da_i * sigma'(z_i) * w_ij."""
    name, nxt = net.layer_names[L], net.layer_names[L + 1]
    sigma = net.activations[L + 1]
    da_dz, W = sigma.derivative(z_next), net.weights[L + 1]
    terms = [_product(g.da[L + 1][i], da_dz[i], W[i, j]) for i in range(W.shape[0])]
    rule = f"sum over i in {nxt} of dC/da_i({nxt}) * {sigma.formula}'(z_i({nxt})) * w_i{j}({nxt})"
    rule_tex = (rf"\sum_i \frac{{\partial C_0}}{{\partial a_i^{{{nxt}}}}} "
                rf"\mathrm{{{sigma.formula}}}'(z_i^{{{nxt}}}) w_{{i{j}}}^{{{nxt}}}")
    substituted = " + ".join(f"({t})" if len(terms) > 1 else t for t in terms)
    return Step(f"dC/da_{j}({name})", _d("C_0", f"a_{j}^{{{name}}}"), g.da[L][j],
                rule, rule_tex, substituted)
