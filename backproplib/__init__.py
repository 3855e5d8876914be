"""backproplib: the arithmetic behind the Backprop Workbook, written the way the notebooks write it.

    import backproplib as bp
    net, x, y = bp.worked_example()
    g = net.backward(x, y)          # g.dw["H0"] == dC0/dw^H0
    print(bp.ledger(net, x, y))     # every step of the chain rule with its numbers

Plots (``backproplib.plots``) and sliders (``backproplib.widgets``) are imported only when used,
so ``import backproplib`` costs little more than importing numpy.
"""

__version__ = "0.1.0"

from .chainrule.gradcheck import gradient_check, numerical_gradients, relative_error
from .chainrule.ledger import Ledger, ledger
from .core.activations import ACTIVATIONS, Activation
from .core.network import Network, worked_example
from .core.results import SATURATED_BELOW, ForwardPass, Gradients, LayerValues
from .learning.surface import CostSurface, cost_surface
from .numbers import fmt

__all__ = [
    "__version__",
    "ACTIVATIONS", "Activation", "CostSurface", "ForwardPass", "Gradients", "LayerValues",
    "SATURATED_BELOW",
    "Ledger", "Network", "cost_surface", "fmt", "gradient_check", "ledger", "numerical_gradients",
    "relative_error", "worked_example",
]
