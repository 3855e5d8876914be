"""Row 4: how long the notebooks take to run.

Each ``notebooks/*.ipynb`` is executed with nbclient in a fresh kernel, as Restart & Run All
does, and the wall time (kernel start, every cell, shutdown) is quoted. The peer, timed the same
way in the same run, is a notebook with one empty cell: what a kernel start and stop cost alone.
Then the whole strict nbval run (``pytest --nbval --nbval-current-env notebooks``) runs once in a
subprocess. A notebook whose cells raise is reported as an error, not timed; so is an nbval run
that fails (its time would be that of a run that stopped early or compared nothing).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from timing import Row, at_most, fmt_time, median

LIMIT_EACH = 4.0  # seconds per notebook
LIMIT_NBVAL = 60.0  # seconds for the strict nbval run
BUDGET = 80.0  # seconds of notebook execution per run, repeats included (whole run < 5 min)


def _execute(nb, path: Path) -> float:
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's start-up chatter, not ours
    return time.perf_counter() - start


def notebook_rows(s, root: Path) -> list:
    paths = sorted((root / "notebooks").glob("*.ipynb"))
    if not paths:
        return [Row("4 notebooks", "each notebook from a fresh kernel (nbclient)", "< 4 s each",
                    "-", "SKIP", "skipped: no notebooks/*.ipynb yet")]
    try:
        import nbformat
        from nbclient.exceptions import CellExecutionError
    except ImportError as error:
        return [Row("4 notebooks", "each notebook from a fresh kernel (nbclient)", "< 4 s each",
                    "-", "SKIP", f"skipped: {error}")]

    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    empty_path = root / "notebooks" / "_empty.ipynb"  # never written: only its folder is used
    times = {p: [] for p in paths}
    baseline = []
    errors = {}
    started = time.perf_counter()
    for repeat in range(s.notebook_repeats):
        if repeat and (time.perf_counter() - started) * (repeat + 1) / repeat > BUDGET:
            break  # another pass would take the run over its time budget
        baseline.append(_execute(nbformat.from_dict(empty), empty_path))
        for path in paths:
            if path in errors:
                continue
            nb = nbformat.read(path, as_version=4)
            try:
                times[path].append(_execute(nb, path))
            except CellExecutionError as error:
                errors[path] = str(error).strip().splitlines()[-1][:160]
            except Exception as error:  # a kernel that dies, a timeout, ...
                errors[path] = f"{type(error).__name__}: {error}"[:160]
    t_base = median(baseline)
    rows = []
    for path in paths:
        what = f"{path.name} Restart & Run All (nbclient, fresh kernel)"
        if path in errors:
            rows.append(Row("4 notebooks", what, "< 4 s", "-", "ERROR",
                            f"a cell failed: {errors[path]}"))
            continue
        t = median(times[path])
        measured = (f"{fmt_time(t)} (median of {len(times[path])}; {t / t_base:.2g}x an empty "
                    f"notebook, {fmt_time(t_base)}; cells alone about {fmt_time(t - t_base)})")
        rows.append(at_most("4 notebooks", what, t, LIMIT_EACH, measured, "< 4 s"))
    rows.append(nbval_row(root, len(paths), t_base))
    return rows


def nbval_row(root: Path, count: int, t_base: float) -> Row:
    what = f"strict nbval run of {count} notebooks (pytest --nbval, subprocess, once)"
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "notebooks",
               "-q", "-p", "no:cacheprovider"]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True,
                              timeout=3 * LIMIT_NBVAL)
    except subprocess.TimeoutExpired:
        return Row("4 notebooks", what, "< 60 s", f"> {3 * LIMIT_NBVAL:.0f} s", "MISS",
                   "timed out (stopped)")
    t = time.perf_counter() - start
    lines = done.stdout.strip().splitlines() or ["(no output)"]
    last = lines[-1]
    measured = f"{fmt_time(t)} ({t / t_base:.2g}x an empty notebook); pytest: {last}"
    if done.returncode != 0:
        # a failed run is not a measurement of a passing one: say ERROR, with what failed
        failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))][:3]
        return Row("4 notebooks", what, "< 60 s", measured, "ERROR",
                   f"pytest exit {done.returncode}" + (": " + "; ".join(failed)[:300]
                                                      if failed else ""))
    status = "PASS" if t < LIMIT_NBVAL else "MISS"
    detail = "" if t < LIMIT_NBVAL else (f"by {fmt_time(t - LIMIT_NBVAL)} "
                                         f"({t / LIMIT_NBVAL:.2f}x the limit)")
    return Row("4 notebooks", what, "< 60 s", measured, status, detail)
