"""backproplib: the arithmetic behind the Backprop Workbook, written the way the notebooks write it.

    import backproplib as bp
    net, x, y = bp.worked_example()
    g = net.backward(x, y)          # g.dw["H0"] == dC0/dw^H0
    print(bp.ledger(net, x, y))     # every step of the chain rule with its numbers
"""

__version__ = "0.1.0"

from .core.activations import ACTIVATIONS, Activation
from .core.network import Network
from .core.results import SATURATED_BELOW, ForwardPass, Gradients, LayerValues
from .numbers import fmt, positive_number, whole_number

# imported on first use (PEP 562), so that ``import backproplib`` stays close to numpy's cost
_LATER = {"gradient_check": "chainrule.gradcheck", "numerical_gradients": "chainrule.gradcheck",
          "relative_error": "chainrule.gradcheck", "Ledger": "chainrule.ledger",
          "ledger": "chainrule.ledger", "explain_blocked": "chainrule.ledger",
          "CostSurface": "learning.surface", "cost_surface": "learning.surface"}


def worked_example():
    """The seed's network and data, (net, x, y): x = 0.5, y = 0, a chain of ReLU neurons with
    weights 0.1, 0.01, 0.5 and biases 2, 1, 3 for H0, H1, Out."""
    net = Network.chain(weights=[0.1, 0.01, 0.5], biases=[2, 1, 3], activation="relu")
    return net, 0.5, 0


def __getattr__(name):
    if name not in _LATER:
        raise AttributeError(f"module 'backproplib' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_LATER[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["__version__", "ACTIVATIONS", "Activation", "ForwardPass", "Gradients", "LayerValues",
           "Network", "SATURATED_BELOW", "fmt", "positive_number", "whole_number", "worked_example",
           *_LATER]


def __dir__():
    return sorted([*globals(), *_LATER])
