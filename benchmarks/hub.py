"""A class on a real JupyterHub: each phase's time and the memory per student.

    python benchmarks/hub.py              # five students, a table of phases and memory
    python benchmarks/hub.py --students 8
    python benchmarks/run.py --only hub   # the same as a row of the benchmark table

Runs tests/hub's scenario (needs `npm ci --prefix tests/hub` and requirements-dev.txt): the hub
and its proxy start; the students, all at once, log in, start a server, follow the README's
nbgitpuller link and run every cell of 00; then one student's second click after an
instructor's fix. Phase times are the slowest student's. Memory is each process's resident
set size after 00 has run: a student's server and kernel, the hub, the proxy.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "hub"))

import hub_harness  # noqa: E402

TARGET_SECONDS = 60  # five students, all at once, done (login to last cell of 00)
PHASES = ("hub start", "login", "server start", "pull", "run 00", "all students",
          "second pull")


def measure(students: int = 5) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bp-hub-bench-"))
    try:
        return hub_harness.run_class(workdir, n_students=students)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def per_student_mib(result: dict) -> float:
    return max(s + k for s, k in zip(result["server MiB"], result["kernel MiB"]))


def summary(result: dict) -> str:
    n = result["students"]
    lines = [f"{n} students at once (phase times: the slowest student)"]
    lines += [f"  {phase:<14} {result[phase]:6.1f} s" for phase in PHASES]
    lines += [
        f"  server         {max(result['server MiB']):6.0f} MiB per student (RSS)",
        f"  kernel (00)    {max(result['kernel MiB']):6.0f} MiB per student (RSS)",
        f"  hub            {result['hub MiB']:6.0f} MiB",
        f"  proxy          {result['proxy MiB']:6.0f} MiB",
        f"  fix arrived: {result['fix arrived']}, edit survived: {result['edit survived']}",
    ]
    return "\n".join(lines)


def rows(settings) -> list:
    """benchmarks/run.py's row: five students under the 60 s target, memory as a note."""
    from timing import at_most

    result = measure(5)
    memory = per_student_mib(result)
    measured = (f"{result['all students']:.1f} s (hub start {result['hub start']:.1f} s, "
                f"server start {result['server start']:.1f} s, pull {result['pull']:.1f} s, "
                f"run 00 {result['run 00']:.1f} s); {memory:.0f} MiB per student")
    row = at_most("hub", "5 students at once: login, server, nbgitpuller link, run 00",
                  result["all students"], TARGET_SECONDS, measured, f"< {TARGET_SECONDS} s")
    if not (result["fix arrived"] and result["edit survived"]) or math.isnan(memory):
        row.status, row.detail = "ERROR", "the later click lost the fix or the edit"
    return [row]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=5)
    args = parser.parse_args(argv)
    result = measure(args.students)
    print(summary(result))
    verdict = "met" if result["all students"] < TARGET_SECONDS else "MISSED"
    print(f"target: {args.students} students in < {TARGET_SECONDS} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
