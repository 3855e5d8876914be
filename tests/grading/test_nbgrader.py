"""Grading with nbgrader: scripts/make_gradable.py's source notebooks, generated and autograded.

nbgrader lives in its own environment (about 500 MB of packages, and its JupyterLab extension
must not reach the browser tests' JupyterLab): `.venv-grading`, built by the README's test
command from requirements-grading.txt (BP_GRADING_VENV points elsewhere). Without it the
nbgrader tests skip, under CI=true they fail. The conversion tests need only nbformat.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import make_gradable  # noqa: E402

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GRADED = "00_start_here"
VENV = Path(os.environ.get("BP_GRADING_VENV") or ROOT / ".venv-grading")

pytestmark = pytest.mark.grading


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_follows_the_exercise_convention(name):
    gradable = make_gradable.make_gradable(ROOT / "notebooks" / f"{name}.ipynb")
    graded = [c for c in gradable.cells if c.metadata.get("nbgrader", {}).get("grade")]
    answers = [c for c in gradable.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert graded and len(graded) == len(answers)
    assert all(c.metadata["nbgrader"]["locked"] and c.metadata["nbgrader"]["points"] > 0
               for c in graded)
    assert not any("def solution_" in c.source for c in gradable.cells
                   if "### BEGIN SOLUTION" not in c.source), "a solution outside a region"


def _notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in cells]
    return nb


@pytest.mark.parametrize("exercise, problem", [
    ("# Exercise 1.1: x\nanswer = 3\nexercises.check_value(answer, 3, 'x')",
     "no line holds None followed by '# your answer'"),
    ("# Exercise 1.1: x\nanswer = None  # your answer\nprint(answer)",
     "must end with the check call"),
    ("# Exercise 1.1: x\nanswer = None  # your answer\nexercises.check_value(answer + 1, 3, 'x')",
     "first argument must be the answer's name"),
    ("# Exercise 1.2: x\nanswer = None  # your answer\nexercises.check_value(answer, 3, 'x')",
     "solution_1_2 missing"),
])
def test_a_notebook_that_breaks_the_convention_is_named(tmp_path, exercise, problem):
    path = tmp_path / "bad.ipynb"
    nbformat.write(_notebook([exercise, "def solution_1_1():\n    return 3"]), path)
    with pytest.raises(make_gradable.ConventionError, match="bad.ipynb.*" + problem[:30]):
        make_gradable.make_gradable(path)


# --- nbgrader itself --------------------------------------------------------------------
def _nbgrader_bin() -> Path:
    nbgrader = VENV / "bin" / "nbgrader"
    if not nbgrader.exists():
        why = (f"nbgrader is not installed in {VENV} (python3 -m venv .venv-grading && "
               ".venv-grading/bin/pip install -r requirements-grading.txt)")
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but " + why, pytrace=False)
        pytest.skip(why)
    return nbgrader


def _run(args, cwd):
    bin_dir = str(VENV / "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "JUPYTER_PATH")}
    env.update(PATH=bin_dir + os.pathsep + env.get("PATH", ""),  # nbgrader calls alembic
               PYTHONPATH=str(ROOT), JUPYTER_DATA_DIR=str(cwd / ".jupyter-data"),
               JUPYTER_CONFIG_DIR=str(cwd / ".jupyter-config"), MPLBACKEND="Agg")
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(map(str, args))}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


GRADES = """
import json, sys
from nbgrader.api import Gradebook
with Gradebook("sqlite:///gradebook.db") as gb:
    out = {}
    for student in sys.argv[1:]:
        sub = gb.find_submission(%r, student)
        nb = sub.notebooks[0]
        out[student] = {g.name: g.score for g in nb.grades}
    print(json.dumps(out))
""" % GRADED


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    nbgrader = _nbgrader_bin()
    course = tmp_path_factory.mktemp("course")
    (source,) = make_gradable.write_course(course, [GRADED])
    _run([nbgrader, "generate_assignment", GRADED, "--force"], course)
    release = course / "release" / GRADED / f"{GRADED}.ipynb"
    student = nbformat.read(release, as_version=4)
    solved = nbformat.read(source, as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solved.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}

    def submission(name, change):
        nb = nbformat.read(release, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solutions:
                cell.source = change(grade_id, cell.source)
        path = course / "submitted" / name / GRADED / f"{GRADED}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)

    first = next(iter(solutions))
    answer = make_gradable.split_exercise(
        next(c.source for c in nbformat.read(ROOT / "notebooks" / f"{GRADED}.ipynb", 4).cells
             if c.source.startswith("# Exercise")), source).answer
    submission("solved", lambda gid, src: solutions[gid])
    submission("blank", lambda gid, src: src)
    submission("one_wrong", lambda gid, src: solutions[gid] + (
        f"\n{answer} = {answer} + 1  # a slip" if gid == first else ""))
    _run([nbgrader, "autograde", GRADED, "--force"], course)
    scores = json.loads(_run([VENV / "bin" / "python", "-c", GRADES, "solved", "blank",
                              "one_wrong"], course))
    return {"student": student, "solutions": solutions, "scores": scores, "first": first,
            "course": course}


def test_solutions_score_full_marks_and_a_blank_notebook_zero(graded):
    scores = graded["scores"]
    checks = [g for g in scores["solved"] if g.startswith("check_")]
    assert len(checks) == len(graded["solutions"]) >= 1
    assert all(scores["solved"][g] == make_gradable.POINTS for g in checks), scores["solved"]
    assert all(scores["blank"][g] == 0 for g in checks), scores["blank"]


def test_one_wrong_answer_loses_exactly_that_exercise(graded):
    scores = graded["scores"]
    wrong = "check_" + graded["first"].removeprefix("exercise_")
    lost = {g: scores["solved"][g] - scores["one_wrong"][g] for g in scores["solved"]}
    assert lost == {g: (make_gradable.POINTS if g == wrong else 0) for g in lost}, lost


def test_the_students_version_has_no_solution_and_runs(graded, tmp_path):
    student = graded["student"]
    text = "\n".join(c.source for c in student.cells)
    assert "solution_" not in text and "BEGIN SOLUTION" not in text and "assert feedback" not in text
    client = NotebookClient(student, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()  # raises CellExecutionError on the first cell that fails
    shutil.rmtree(graded["course"], ignore_errors=True)
