"""Timing helpers: interleaved, repeated, timeit-style measurements and the result table.

Every comparison runs its implementations in turn inside each repeat (A, B, A, B, ... with the
order alternating), so a noisy neighbour on the shared machine slows both sides alike, and the
ratio of medians is taken from the same run. The garbage collector stays on (as for a user:
micrograd's graphs are reference cycles, and collecting them is part of its cost); a full
collection runs before each repeat so that one implementation's garbage is not paid by another.
"""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass, field

clock = time.perf_counter


def calibrate(fn, min_time: float) -> int:
    """How many calls make one repeat last at least ``min_time`` seconds.

    timeit.Timer.autorange does the same with a fixed 0.2 s (numbers 1, 2, 5, 10, ...): run.py
    asks for 0.02 s (0.005 s in a quick run), so autorange would make every repeat 10-40x
    longer, and its 1-2-5 steps overshoot by up to 2.5x where this aims 1.2x over the mark."""
    number = 1
    while True:
        start = clock()
        for _ in range(number):
            fn()
        elapsed = clock() - start
        if elapsed >= min_time:
            return number
        # aim a little over the mark, at most 10x more calls per try
        guess = int(number * min_time * 1.2 / max(elapsed, 1e-9))
        number = max(number + 1, min(number * 10, guess))


def compare(fns: dict, repeats: int, min_time: float) -> dict:
    """{name: [seconds per call, one per repeat]} for callables timed in turn within each repeat."""
    for fn in fns.values():  # warm up: caches, lazy imports, allocator
        fn()
    numbers = {name: calibrate(fn, min_time) for name, fn in fns.items()}
    times = {name: [] for name in fns}
    names = list(fns)
    for r in range(repeats):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            fn, number = fns[name], numbers[name]
            gc.collect()
            start = clock()
            for _ in range(number):
                fn()
            times[name].append((clock() - start) / number)
    return times


def median(values) -> float:
    return statistics.median(values)


def p95(values) -> float:
    """95th percentile, linear interpolation between order statistics."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = 0.95 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.3g} us"
    return f"{seconds * 1e9:.3g} ns"


def fmt_ratio(ratio: float) -> str:
    return f"{ratio:.3g}x"


@dataclass
class Row:
    """One line of the table: what was compared, the target, the figure, and the verdict.

    ``status`` is "PASS", "MISS", "INFO" (no target), "SKIP" or "ERROR".
    """

    name: str
    what: str
    target: str
    measured: str
    status: str
    detail: str = ""
    notes: list = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return f"{self.status} {self.detail}".strip()


def at_least(row: str, what: str, ratio: float, goal: float, times: str) -> Row:
    """A 'faster by at least goal x' target: ratio = peer time / our time."""
    measured = f"{fmt_ratio(ratio)} ({times})"
    target = f">= {goal:g}x faster"
    if ratio >= goal:
        return Row(row, what, target, measured, "PASS")
    return Row(row, what, target, measured, "MISS",
               f"by {goal / ratio:.2f}x (need {goal:g}x, got {ratio:.3g}x)")


def at_most(row: str, what: str, value: float, limit: float, measured: str, target: str,
            unit=fmt_time) -> Row:
    """A 'no more than limit' target (a time or a ratio)."""
    if value <= limit:
        return Row(row, what, target, measured, "PASS")
    over = value / limit
    return Row(row, what, target, measured, "MISS",
               f"by {unit(value - limit)} ({over:.2f}x the limit)")


def render(rows: list) -> str:
    headers = ("row", "comparison", "target", "measured", "result")
    cells = [(r.name, r.what, r.target, r.measured, r.verdict) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    widths[-1] = len(headers[-1])  # last column is not padded

    def line(values):
        return " | ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(headers), "-+-".join("-" * w for w in widths)]
    out += [line(c) for c in cells]
    return "\n".join(out)
