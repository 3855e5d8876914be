"""Command line: the chain-rule ledger of a chain network, as a handout for any numbers.

    python -m backproplib --weights 0.3 -0.2 0.7 --biases 1 0 2 --x 2 --y 1 --format latex
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from . import worked_example
from .chainrule.ledger import ledger
from .core.network import Network
from .numbers import fmt


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line, ``python -m backproplib: error: ...`` (status 2), naming the options."""
        text = " ".join(str(message).split()).replace("exact=False", "--floats")
        self.exit(2, f"{self.prog}: error: {text.replace('exact=True', '--exact')}\n")


def parser() -> argparse.ArgumentParser:
    net, x, y = worked_example()
    weights, biases = ([fmt(p) for p in layers] for layers in (net.weights, net.biases))
    p = _Parser(prog="python -m backproplib",
                description="Print every step of backpropagation through a chain x -> H0 -> ... "
                            "-> Out of one neuron per layer, with cost C0 = (a_Out - y)^2.")
    p.add_argument("--x", default=str(x), help="the input, e.g. 0.5 or 1/2 (default %(default)s)")
    p.add_argument("--y", default=str(y), help="the target (default %(default)s)")
    p.add_argument("--weights", nargs="+", default=weights, metavar="W",
                   help=f"one weight per layer, H0 first (default: {' '.join(weights)})")
    p.add_argument("--biases", nargs="+", default=biases, metavar="B",
                   help=f"one bias per layer, H0 first (default: {' '.join(biases)})")
    p.add_argument("--activation", default="relu",
                   help="relu, leaky_relu, sigmoid, tanh or linear (default %(default)s)")
    numbers = p.add_mutually_exclusive_group()  # neither: exact wherever the activation allows
    numbers.add_argument("--exact", action="store_const", const=True, dest="exact",
                         help="insist on exact fractions (relu, leaky_relu, linear)")
    numbers.add_argument("--floats", action="store_const", const=False, dest="exact",
                         help="compute in floating point, e.g. for numbers too long to be exact")
    p.add_argument("--format", choices=("text", "markdown", "latex", "json"), default="text")
    return p


def handout(args) -> str:
    """The ledger, or as JSON the forward values, the cost and the gradients as text numbers
    (so that exact results survive)."""
    if len(args.weights) != len(args.biases):
        raise ValueError(f"--weights and --biases: expected one of each per layer, got "
                         f"{len(args.weights)} weights and {len(args.biases)} biases")
    net = Network.chain(weights=args.weights, biases=args.biases, activation=args.activation,
                        exact=args.exact)  # numbers as text: read_number strips the spaces
    if args.format != "json":
        book = ledger(net, args.x, args.y)
        return str(book) if args.format == "text" else getattr(book, f"to_{args.format}")()
    g = net.backward(args.x, args.y)
    fwd = g.forward
    return json.dumps({
        "exact": net.exact, "activations": [a.name for a in net.activations],
        "x": fmt(fwd.x[0]), "y": fmt(net.target(args.y)[0]),
        "forward": {name: {"z": fmt(fwd.z[name][0]), "a": fmt(fwd.a[name][0])}
                    for name in net.layer_names},
        "cost": fmt(g.cost), "gradients": {name: fmt(v) for name, v in g.as_dict().items()},
    }, indent=2)


_NEGATIVE = re.compile(r"-\d[\d./eE+-]*")  # -1/5 and -2e-3 are numbers, not options


def main(argv=None) -> int:
    p = parser()
    argv = sys.argv[1:] if argv is None else argv
    args = p.parse_args([f" {a}" if _NEGATIVE.fullmatch(a) else a for a in argv])
    try:
        text = handout(args)
    except (ValueError, TypeError, OverflowError) as error:
        p.error(error)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
