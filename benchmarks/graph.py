"""Row 10: notebook 10's claim that finite differences cost far more than one backward pass.

Notebook 10 times ``graph.finite_differences`` (two forward passes per parameter) against one
``Network.backward`` on notebook 07's network and on wider ones of the same shape, and prints two
claims, each with room to spare for a busy machine:

- on every network, finite differences take more than (parameters / 10) times as long;
- on the widest (354 parameters) the ratio is more than 3 times the ratio on 07's (23).

This row rebuilds the same networks, checks that both ways give the same gradients, times them
interleaved in one run (timing.compare) and says whether the claims hold here. An INFO row times
the computational graph itself (build + backward of the worked example) against micrograd.

    python benchmarks/run.py --only graph        # once wired into run.py
    python -c "import sys; sys.path.insert(0, 'benchmarks'); import graph, run; \
               print(run.render(graph.rows(run.Settings(quick=True))))"
"""

from __future__ import annotations

import numpy as np
from timing import Row, at_least, compare, fmt_ratio, fmt_time, median

import backproplib as bp
from backproplib.chainrule import graph

CLAIM_SHARE = 10  # the notebook claims a ratio above parameters / CLAIM_SHARE
CLAIM_GROWTH = 3  # ... and a ratio on the widest network above 3 x the one on 07's
X, Y = [0.5, -1.0], [0.0, 2.0]  # notebook 07's x and y


def networks(activation="relu") -> dict:
    """Notebook 10's networks, built as its section 6 builds them: {label: Network}."""
    rng = np.random.default_rng(0)
    nets = {"2-3-2-2 (notebook 07)": bp.Network(
        weights=[[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.3, 0.6, -0.1], [0.5, -0.4, 0.2]],
                 [[0.7, -0.3], [0.2, 0.8]]],
        biases=[[2, 1, 0.5], [0.1, 0.4], [0.3, -0.2]], activations=activation)}
    for width in (8, 16):
        sizes = (2, width, width, 2)
        W = [rng.normal(size=(n, k)) / np.sqrt(k) for k, n in zip(sizes[:-1], sizes[1:])]
        b = [rng.normal(size=n) * 0.1 for n in sizes[1:]]
        nets[f"2-{width}-{width}-2"] = bp.Network(weights=W, biases=b, activations=activation)
    return nets


def _verify(label, net):
    """Finite differences and backward agree before anything is timed."""
    numeric = graph.finite_differences(net, X, Y).gradients
    exact = net.backward(X, Y).as_dict()
    for name, value in exact.items():
        if not np.isclose(numeric[name], value, rtol=1e-4, atol=1e-6):
            raise ValueError(f"{label}: finite differences give dC0/d{name} = {numeric[name]}, "
                             f"backward {value}")


def rows(settings) -> list:
    out, ratios = [], {}
    for label, net in networks().items():
        _verify(label, net)
        n = len(net.parameter_names)
        times = compare({"fd": lambda net=net: graph.finite_differences(net, X, Y),
                         "backward": lambda net=net: net.backward(X, Y)},
                        max(3, settings.repeats // 2), settings.min_time)
        t_fd, t_back = median(times["fd"]), median(times["backward"])
        ratios[label] = (n, t_fd / t_back)
        row = at_least("10 graph", f"finite differences ({2 * n} forward passes) vs one backward "
                       f"pass, {label}, {n} parameters", t_fd / t_back, n / CLAIM_SHARE,
                       f"{fmt_time(t_fd)} vs {fmt_time(t_back)}")
        row.target = f"> {n / CLAIM_SHARE:g}x (notebook 10: parameters / {CLAIM_SHARE})"
        out.append(row)
    (n0, r0), (n1, r1) = ratios[next(iter(ratios))], ratios[list(ratios)[-1]]
    growth = at_least("10 graph", f"ratio on {n1} parameters / ratio on {n0} (notebook 07's)",
                      r1 / r0, CLAIM_GROWTH, f"{fmt_ratio(r1)} / {fmt_ratio(r0)}")
    growth.target = f"> {CLAIM_GROWTH}x (notebook 10's claim)"
    out.append(growth)
    out.append(_graph_vs_micrograd(settings))
    return out


def _graph_vs_micrograd(settings) -> Row:
    """INFO: the scalar graph (build + backward) of the worked example against micrograd."""
    what = "graph.network_graph + backward, worked example, vs micrograd (graph + backward)"
    try:
        from micrograd.engine import Value
    except ImportError:
        return Row("10 graph", what, "(report)", "-", "SKIP", "skipped: micrograd not installed")
    net, x, y = bp.worked_example()
    weights = [float(w[0, 0]) for w in net.weights]
    biases = [float(b[0]) for b in net.biases]

    def ours():
        return graph.network_graph(net, x, y).backward()

    def theirs():
        a = Value(float(x))
        params = []
        for w, b in zip(weights, biases):
            w, b = Value(w), Value(b)
            params += [w, b]
            a = (w * a + b).relu()
        cost = (a - float(y)) ** 2
        cost.backward()
        return params

    mine = ours().gradients()
    grads = [p.grad for p in theirs()]
    if not np.allclose(list(mine.values()), grads, rtol=1e-12):
        raise ValueError(f"graph and micrograd disagree: {mine} vs {grads}")
    times = compare({"ours": ours, "micrograd": theirs}, settings.repeats, settings.min_time)
    t_ours, t_mg = median(times["ours"]), median(times["micrograd"])
    return Row("10 graph", what, "(report)",
               f"{fmt_ratio(t_mg / t_ours)} ({fmt_time(t_ours)} vs {fmt_time(t_mg)})", "INFO")
