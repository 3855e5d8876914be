"""binder/start: repo2docker runs it before the server, on Binder and in a class hub's image.

It must be executable, set one BLAS thread (README, "CPU") and then exec what it was given,
so that the server replaces the script: same process, same arguments, same exit status.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

START = Path(__file__).resolve().parent.parent / "binder" / "start"


def test_start_sets_one_blas_thread_and_execs_its_arguments():
    assert os.access(START, os.X_OK), f"{START} is not executable (git update-index --chmod=+x)"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = ("import os, sys; print(repr((os.getppid(), os.environ.get('OPENBLAS_NUM_THREADS'), "
            "sys.argv[1:]))); sys.exit(3)")
    done = subprocess.run([str(START), sys.executable, "-c", code, "two words", ""], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr  # the server's exit status, passed through
    parent, threads, args = ast.literal_eval(done.stdout)
    assert parent == os.getpid(), "binder/start ran the server as its child instead of exec"
    assert threads == "1"
    assert args == ["two words", ""]
