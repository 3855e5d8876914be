"""Benchmark rows are honest: a measured command that fails gives ERROR, never PASS."""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import notebooks  # noqa: E402


def _run_returning(code, stdout):
    def run(command, **kwargs):
        return subprocess.CompletedProcess(command, code, stdout=stdout, stderr="")
    return run


def test_a_failed_nbval_run_is_an_error_row(monkeypatch, tmp_path):
    monkeypatch.setattr(notebooks.subprocess, "run", _run_returning(
        1, "FAILED notebooks/03.ipynb::Cell 4\n1 failed, 120 passed in 30.00s"))
    row = notebooks.nbval_row(tmp_path, 12, 1.0)
    assert row.status == "ERROR"
    assert "exit 1" in row.detail and "FAILED notebooks/03.ipynb::Cell 4" in row.detail


def test_a_passing_nbval_run_is_timed(monkeypatch, tmp_path):
    monkeypatch.setattr(notebooks.subprocess, "run", _run_returning(0, "121 passed in 30.00s"))
    row = notebooks.nbval_row(tmp_path, 12, 1.0)
    assert row.status in ("PASS", "MISS")  # the verdict depends on the (fake) run's time
    assert "121 passed" in row.measured
