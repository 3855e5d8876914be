"""Sentences that read a computed result for the notebooks, so that no student-facing cell needs
code that only guards against other parameters (a range probe, an edge test)."""

import numpy as np

from ..numbers import fmt
from .surface import CostSurface


def rounded(value, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits, as ``fmt`` prints it: for float sums whose last
    digits depend on the order in which a machine adds them."""
    number = float(value)
    return fmt(float(f"{number:.{digits}g}")) if np.isfinite(number) else str(number)


def lowest_point(surface: CostSurface, digits: int = 4) -> str:
    """Where the grid's cost is lowest, and whether that point lies on the grid's edge (then the
    cost falls further outside the picture), with ``digits`` significant digits."""
    cost = np.asarray(surface.cost, dtype=float)
    index = np.unravel_index(np.nanargmin(cost), cost.shape)
    at = ", ".join(f"{name} = {rounded(values[i], digits)}"
                   for name, values, i in zip(surface.names, surface.values, index))
    edges = [name for name, values, i in zip(surface.names, surface.values, index)
             if i in (0, len(values) - 1)]
    where = (f"on the grid's edge in {' and '.join(edges)}: the cost may be lower outside "
             "the picture" if edges else "inside the grid")
    return f"{rounded(cost[index], digits)} at {at} ({where})"
