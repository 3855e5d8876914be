"""Backprop Workbook benchmarks: one command, one table of ratios against peers from the same run.

    python benchmarks/run.py               # everything (a few minutes)
    python benchmarks/run.py --quick       # fewer repeats, for development
    python benchmarks/run.py --only surface --only wide

Rows: surface, wide, sliders, notebooks, import, scale, and training, graph, depth, browser and
hub from their own files (see benchmarks/README.md). Before anything is
timed, every compared implementation is checked to give the same numbers as backproplib; a row
whose peers disagree is aborted with the reason. The exit code is 0 even when a target is missed:
this is a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402
from timing import (  # noqa: E402
    Row,
    at_least,
    at_most,
    compare,
    fmt_ratio,
    fmt_time,
    median,
    p95,
    render,
)

import backproplib as bp  # noqa: E402


class Mismatch(Exception):
    """Two implementations disagree: the row is aborted rather than timed."""


def check_close(what: str, ours, theirs, rtol=1e-9, atol=1e-12):
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    if ours.shape != theirs.shape or not np.allclose(ours, theirs, rtol=rtol, atol=atol):
        if ours.shape != theirs.shape:
            why = f"shapes {ours.shape} and {theirs.shape}"
        else:
            worst = np.unravel_index(np.argmax(np.abs(ours - theirs)), ours.shape)
            why = (f"largest difference at {tuple(int(i) for i in worst)}: "
                   f"{ours[worst]!r} vs {theirs[worst]!r}")
        raise Mismatch(f"{what} differs ({why})")


class Settings:
    def __init__(self, quick: bool):
        self.quick = quick
        self.repeats = 5 if quick else 11  # timeit-style repeats; the median is quoted
        self.min_time = 0.005 if quick else 0.02  # seconds per repeat, at least
        self.steps = 12 if quick else 40  # slider steps per view (median and p95)
        self.import_repeats = 7 if quick else 21
        self.notebook_repeats = 1 if quick else 3


# --- 1. cost surface ------------------------------------------------------------------------
GRID_N = 400


def row_surface(s: Settings) -> list:
    net, x, y = bp.worked_example()
    v1 = np.linspace(-1.0, 1.0, GRID_N)  # w_H1
    v2 = np.linspace(-1.0, 2.0, GRID_N)  # w_Out
    grid = {"w_H1": v1, "w_Out": v2}
    p = {name: float(v) for name, v in net.params().items()}
    xf, yf = float(x), float(y)

    def ours():
        return bp.cost_surface(net, x, y, grid)

    def loop():
        return peers.surface_loop(p, xf, yf, v1, v2)

    def formula():
        return peers.surface_numpy(p, xf, yf, v1, v2)

    # verify: every point of the grid, the cost and all 6 gradients, against both peers
    surf = ours()
    if set(surf.grad) != set(peers.GRAD_ORDER):
        raise Mismatch(f"cost_surface gives gradients for {sorted(surf.grad)}")
    for peer_name, peer in (("Python loop", loop), ("numpy formula", formula)):
        cost, grads = peer()
        check_close(f"cost vs {peer_name}", surf.cost, cost)
        for name in peers.GRAD_ORDER:
            check_close(f"dC0/d{name} vs {peer_name}", surf.grad[name], grads[name])
    # and the surface agrees with Network.backward at a few points of the grid
    for i, j in ((0, 0), (123, 321), (GRID_N - 1, GRID_N // 2)):
        g = net.with_params({"w_H1": v1[i], "w_Out": v2[j]}).backward(x, y)
        for name in peers.GRAD_ORDER:
            check_close(f"dC0/d{name} at ({i},{j}) vs Network.backward",
                        surf.grad[name][i, j], g[name])

    times = compare({"ours": ours, "loop": loop, "formula": formula}, s.repeats, s.min_time)
    t_ours, t_loop, t_formula = (median(times[k]) for k in ("ours", "loop", "formula"))
    points = GRID_N * GRID_N
    what = f"cost_surface {GRID_N}x{GRID_N}, cost + 6 grads"
    rows = [
        at_least("1 surface", f"{what} vs Python loop (whole grid, results kept)",
                 t_loop / t_ours, 60,
                 f"{fmt_time(t_ours)} vs {fmt_time(t_loop)}; "
                 f"{fmt_time(t_loop / points)}/point in the loop"),
    ]
    slower = t_ours / t_formula
    rows.append(at_most("1 surface", f"{what} vs hand-written numpy broadcasting", slower, 2.0,
                        f"{fmt_ratio(slower)} slower ({fmt_time(t_ours)} vs "
                        f"{fmt_time(t_formula)})", "<= 2x slower", unit=fmt_ratio))
    rows.append(memory_row(s, surf, t_ours, t_formula))
    return rows


def _owner(array):
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def memory_row(s: Settings, surf, t_ours: float, t_formula: float) -> Row:
    """Compulsory traffic of cost_surface against np.copyto bandwidth measured now.

    The estimate: the result arrays must each be written once; arrays that share one buffer
    (views, np.broadcast_to) count once, by the size of the buffer. The inputs (2 x 400 numbers)
    and any temporaries are left out, so this is a lower bound on the traffic.
    """
    owners = {}
    for array in [surf.cost, *surf.grad.values()]:
        owner = _owner(array)
        owners[id(owner)] = owner.nbytes
    written = sum(owners.values())
    n_buffers = len(owners)

    small = np.ones(GRID_N * GRID_N)  # one grid: stays in cache (L2/L3)
    big = np.ones(16 * 1024 * 1024)  # 128 MB: from main memory
    small_out, big_out = np.empty_like(small), np.empty_like(big)
    times = compare({"small": lambda: np.copyto(small_out, small),
                     "big": lambda: np.copyto(big_out, big)}, s.repeats, s.min_time)
    # copy bandwidth counts the bytes read and the bytes written
    bw_cache = 2 * small.nbytes / median(times["small"])
    bw_memory = 2 * big.nbytes / median(times["big"])
    effective = written / t_ours
    mb = written / 1e6
    arrays = 1 + len(surf.grad)
    measured = (f"{mb:.2f} MB ({arrays} result arrays in {n_buffers} buffer"
                f"{'s' if n_buffers > 1 else ''}) in {fmt_time(t_ours)} = "
                f"{effective / 1e9:.1f} GB/s effective; np.copyto {bw_cache / 1e9:.1f} GB/s "
                f"(1.28 MB arrays), {bw_memory / 1e9:.1f} GB/s (128 MB); "
                f"floor {fmt_time(written / bw_cache)} in cache, {fmt_time(written / bw_memory)} "
                f"from memory; numpy formula {fmt_time(t_formula)}")
    return Row("1 surface", "cost_surface effective memory traffic (result bytes / time)",
               "(report)", measured, "INFO",
               f"{effective / bw_cache:.0%} of in-cache copy bandwidth")


# --- 2. one example, wider networks ---------------------------------------------------------
def row_wide(s: Settings) -> list:
    rows = []
    try:
        import torch
    except ImportError:
        torch = None
    cases = [("1-16-16-1", (1, 16, 16, 1)), ("4-64-64-3", (4, 64, 64, 3))]
    for label, sizes in cases:
        weights, biases, x, y = peers.random_network(sizes, seed=len(sizes) + sizes[1])
        net = bp.Network(weights, biases, "relu")
        rows += _wide_case(s, label, net, x, y, weights, biases, torch,
                           micrograd_goal=20 if label == "4-64-64-3" else None)
    net, x, y = bp.worked_example()
    weights = [W for W in net.weights]
    biases = [b for b in net.biases]
    rows += _wide_case(s, "worked example 1-1-1-1", net, x, y, weights, biases, None,
                       micrograd_goal=1, torch_row=False)
    return rows


def _wide_case(s, label, net, x, y, weights, biases, torch, micrograd_goal, torch_row=True):
    rows = []
    g = net.backward(x, y)

    def ours():
        return net.backward(x, y)

    params, step = peers.micrograd_setup(weights, biases, x, y)
    mg_cost = step()
    check_close(f"{label}: cost vs micrograd", g.cost, mg_cost.data)
    for L, (dW, db) in enumerate(peers.micrograd_grads(params)):
        check_close(f"{label}: dC0/dW of layer {net.layer_names[L]} vs micrograd", g.dw[L], dW)
        check_close(f"{label}: dC0/db of layer {net.layer_names[L]} vs micrograd", g.db[L], db)
    fns = {"ours": ours, "micrograd": step}
    if torch is not None and torch_row:
        tstep = peers.torch_setup(weights, biases, x, y)
        t_cost, t_grads = tstep()
        check_close(f"{label}: cost vs torch", g.cost, t_cost.item())
        for L in range(len(weights)):
            name = net.layer_names[L]
            check_close(f"{label}: dC0/dW of layer {name} vs torch", g.dw[L],
                        t_grads[2 * L].numpy())
            check_close(f"{label}: dC0/db of layer {name} vs torch", g.db[L],
                        t_grads[2 * L + 1].numpy())
        fns["torch"] = tstep
    times = compare(fns, s.repeats, s.min_time)
    t_ours = median(times["ours"])
    t_mg = median(times["micrograd"])
    what = f"{label} forward+backward vs micrograd (graph + backward)"
    spread = f"micrograd p95 {fmt_time(p95(times['micrograd']))}"
    measured_times = f"{fmt_time(t_ours)} vs {fmt_time(t_mg)}; {spread}"
    if micrograd_goal is None:
        rows.append(Row("2 wide", what, "(report)",
                        f"{fmt_ratio(t_mg / t_ours)} faster ({measured_times})", "INFO"))
    elif micrograd_goal == 1:
        ratio = t_mg / t_ours
        row = at_least("2 wide", what, ratio, 1, measured_times)
        row.target = "not slower (>= 1x)"
        rows.append(row)
    else:
        rows.append(at_least("2 wide", what, t_mg / t_ours, micrograd_goal, measured_times))
    if torch_row:
        what = f"{label} forward+backward vs PyTorch CPU autograd"
        if torch is None:
            rows.append(Row("2 wide", what, ">= 3x faster", "-", "SKIP",
                            "skipped: torch not installed"))
        else:
            t_torch = median(times["torch"])
            rows.append(at_least("2 wide", what, t_torch / t_ours, 3,
                                 f"{fmt_time(t_ours)} vs {fmt_time(t_torch)}"))
    return rows


# --- 6. scale: batches and wide networks ------------------------------------------------------
def row_scale(s: Settings) -> list:
    rows = []
    weights, biases, x, y = peers.random_network((4, 64, 64, 3), seed=7)
    net = bp.Network(weights, biases, "relu")
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(64, 4)), rng.normal(size=(64, 3))
    batch = net.backward(X, Y)
    singles = [net.backward(xk, yk) for xk, yk in zip(X, Y)]
    for L in range(len(weights)):
        check_close(f"batch dC/dW of {net.layer_names[L]} vs the mean of 64 single calls",
                    batch.dw[L], np.mean([g.dw[L] for g in singles], axis=0))

    def one_call():
        return net.backward(X, Y)

    def single_calls():
        return [net.backward(xk, yk) for xk, yk in zip(X, Y)]

    times = compare({"batch": one_call, "singles": single_calls}, s.repeats, s.min_time)
    t_b, t_s = median(times["batch"]), median(times["singles"])
    rows.append(at_least("6 scale", "batch of 64 through 4-64-64-3 in one call vs 64 calls",
                         t_s / t_b, 20, f"{fmt_time(t_b)} vs {fmt_time(t_s)}"))

    weights, biases, x, y = peers.random_network((1, 200, 200, 1), seed=3)
    wide = bp.Network(weights, biases, "relu")
    t = _best(lambda: wide.with_params({"w_H1[3,4]": 0.25}).params(), s)
    rows.append(at_most("6 scale", "1-200-200-1: with_params + params() (40,801 parameters)",
                        t, 0.1, fmt_time(t), "< 0.1 s"))
    grid = {"w_H1[3,4]": np.linspace(-1, 1, 50), "w_Out[0,7]": np.linspace(-1, 1, 50)}
    surface = bp.cost_surface(wide, x, y, grid, gradients=list(grid))
    point = wide.with_params({"w_H1[3,4]": grid["w_H1[3,4]"][9], "w_Out[0,7]": 1.0})
    check_close("1-200-200-1 surface vs backward at a grid point", surface.grad["w_H1[3,4]"][9, -1],
                point.backward(x, y)["w_H1[3,4]"])
    t = _best(lambda: bp.cost_surface(wide, x, y, grid, gradients=list(grid)), s)
    rows.append(at_most("6 scale", "1-200-200-1: 50 x 50 surface over two weights (their "
                        "gradients kept)", t, 0.5, fmt_time(t), "< 0.5 s"))
    weights, biases, x, y = peers.random_network((1, 40, 40, 1), seed=4)
    mid = bp.Network(weights, biases, "tanh")
    numeric = bp.numerical_gradients(mid, x, y)
    check_close("1-40-40-1 finite differences vs backward", numeric.dw[1],
                mid.backward(x, y).dw[1], rtol=1e-5, atol=1e-8)
    t = _best(lambda: bp.numerical_gradients(mid, x, y), s, repeats=3)
    rows.append(at_most("6 scale", "1-40-40-1: numerical_gradients (1,761 parameters, 2 "
                        "passes each)", t, 2.0, fmt_time(t), "< 2 s"))
    return rows


def _best(fn, s, repeats=None):
    """The median of a few timed calls of a slow ``fn`` (each call is long enough alone)."""
    fn()
    runs = []
    for _ in range(repeats or max(3, s.repeats // 2)):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return median(runs)


# --- 7. rows from the chapters' own benchmark files ---------------------------------------------
def _module_rows(module):
    def rows(s: Settings) -> list:
        return __import__(module).rows(s)
    return rows


# --- 3. slider steps ------------------------------------------------------------------------
def row_sliders(s: Settings) -> list:
    from sliders import slider_rows

    return slider_rows(s)


# --- 4. notebooks ---------------------------------------------------------------------------
def row_notebooks(s: Settings) -> list:
    from notebooks import notebook_rows

    return notebook_rows(s, ROOT)


# --- 5. import cost -------------------------------------------------------------------------
def row_import(s: Settings) -> list:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    commands = {"backproplib": "import backproplib", "numpy": "import numpy"}
    for code in commands.values():  # warm the OS file cache and the bytecode caches
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
    times = {k: [] for k in commands}
    names = list(commands)
    for r in range(s.import_repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", commands[name]], check=True, env=env, cwd=ROOT)
            times[name].append(time.perf_counter() - start)
    t_bp, t_np = median(times["backproplib"]), median(times["numpy"])
    ratio = t_bp / t_np
    return [at_most("5 import", "python -c 'import backproplib' vs 'import numpy' "
                    f"(fresh processes, {s.import_repeats} each)", ratio, 1.3,
                    f"{fmt_ratio(ratio)} ({fmt_time(t_bp)} vs {fmt_time(t_np)})", "<= 1.3x",
                    unit=fmt_ratio)]


ROWS = {
    "surface": row_surface,
    "wide": row_wide,
    "sliders": row_sliders,
    "notebooks": row_notebooks,
    "import": row_import,
    "scale": row_scale,
}
# each file benchmarks/<topic>.py with a rows(settings) function adds its rows
for _topic in ("training", "graph", "depth", "browser", "hub"):
    if (HERE / f"{_topic}.py").exists():
        ROWS[_topic] = _module_rows(_topic)
ALIASES = {"1": "surface", "2": "wide", "3": "sliders", "4": "notebooks", "5": "import",
           "6": "scale"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (development)")
    parser.add_argument("--only", action="append", metavar="ROWNAME",
                        choices=list(ROWS) + list(ALIASES),
                        help="run only this row (repeatable): " + ", ".join(ROWS))
    args = parser.parse_args(argv)
    chosen = [ALIASES.get(n, n) for n in args.only] if args.only else list(ROWS)
    s = Settings(args.quick)
    started = time.perf_counter()
    print(f"backproplib benchmarks: python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"{os.cpu_count()} cores, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, {'quick' if s.quick else 'full'} "
          f"run ({s.repeats} repeats, median quoted)", flush=True)
    rows = []
    for name in chosen:
        row_start = time.perf_counter()
        try:
            new = ROWS[name](s)
        except Mismatch as error:
            new = [Row(name, "verification before timing", "same gradients", "-", "ERROR",
                       f"aborted: {error}")]
        except Exception as error:  # a broken row must not hide the others
            traceback.print_exc()
            new = [Row(name, "running the row", "-", "-", "ERROR",
                       f"{type(error).__name__}: {error}")]
        rows += new
        print(f"  ... {name}: {len(new)} rows in {time.perf_counter() - row_start:.1f} s",
              file=sys.stderr, flush=True)
    print()
    print(render(rows))
    met = sum(r.status == "PASS" for r in rows)
    missed = sum(r.status == "MISS" for r in rows)
    other = [f"{sum(r.status == k for r in rows)} {k.lower()}" for k in ("SKIP", "ERROR", "INFO")
             if any(r.status == k for r in rows)]
    print()
    print(f"total {time.perf_counter() - started:.0f} s" + (f"; {', '.join(other)}"
                                                             if other else ""))
    print(f"{met} targets met, {missed} missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
