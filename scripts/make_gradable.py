"""Turn the workbook's notebooks into nbgrader source notebooks, from their own exercises.

    python scripts/make_gradable.py                      # every notebook, into grading/
    python scripts/make_gradable.py 00_start_here --course /tmp/course

Writes an nbgrader course folder: ``<course>/nbgrader_config.py`` and one assignment per
notebook, ``<course>/source/<name>/<name>.ipynb``. Then, in ``<course>`` (nbgrader installed,
see requirements-grading.txt): ``nbgrader generate_assignment <name>`` makes the students'
version in release/, ``nbgrader autograde <name>`` grades submitted/<student>/<name>/.

The notebooks' exercise convention is all this reads (a notebook that breaks it stops the
conversion with the notebook, the exercise and what is wrong):
- one code cell per exercise, starting ``# Exercise N.M: ...``;
- the student's line(s) hold ``None`` followed by the comment ``# your answer``;
- the check call comes last, ``exercises.check_...(answer, ...)``, answer a plain name; it
  returns a feedback object that is true only for a right answer;
- a Solutions code cell at the end defines ``solution_N_M()`` for every exercise, returning
  the answer (a number, a choice, or for a write-the-code exercise the function).

Each exercise cell becomes up to three cells. The exercise's set-up (the lines between the
answer and the check call), when it reads neither the answer nor the lines before it, goes
first into a locked cell, so the solution may use it. The answer cell (what the student
edits) keeps the exercise as the student sees it in the workbook, followed by a solution region
that assigns ``solution_N_M()`` (its definition copied from the Solutions cell). The check cell
(locked, autograded, with points) holds the check call (with the set-up, if that could not go
first) and a hidden ``assert feedback`` that only the autograder runs. The Solutions cell is
left out, so the students' version holds no solution.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXERCISE = re.compile(r"# Exercise (\d+)\.(\d+)\b")
ANSWER_LINE = re.compile(r"\bNone\b\s*#\s*your answer\b")
SOLUTION_DEF = re.compile(r"^def solution_\d+_\d+\(", re.MULTILINE)
POINTS = 1
# what replaces a solution region in the students' version: a comment, so every cell still runs
CODE_STUB = "# (your answer goes above, in place of None)"

NBGRADER_CONFIG = f'''# nbgrader settings for the Backprop Workbook (scripts/make_gradable.py).
c = get_config()  # noqa: F821
# The students' version must run all its cells: a comment, not `raise NotImplementedError`.
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Plots and exercise checks: allow a slow shared machine.
c.Execute.timeout = 300
'''


class ConventionError(ValueError):
    """A notebook that does not follow the exercise convention; the message says where."""


@dataclass
class Exercise:
    number: str          # "2.3"
    answer: str          # the name the check call is given first
    student_code: str    # the cell up to and including the statement that holds the answer
    setup_code: str      # what follows, before the check call ("" if nothing)
    check_code: str      # the check call
    setup_first: bool    # the set-up neither reads the answer nor the student's part: it can run
                         # before them (and the solution can use it)


def _fail(notebook: Path, where: str, what: str):
    raise ConventionError(f"{notebook.name}: {where}: {what} (see scripts/make_gradable.py "
                          "for the exercise convention)")


def split_exercise(source: str, notebook: Path) -> Exercise:
    """One exercise cell as its number, the answer's name, the student's part and the check."""
    first = source.split("\n", 1)[0]
    match = EXERCISE.match(first)
    if not match:
        _fail(notebook, repr(first[:40]), "an exercise cell must start '# Exercise N.M'")
    number = f"{match.group(1)}.{match.group(2)}"
    where = f"exercise {number}"
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        _fail(notebook, where, f"the cell is not valid Python ({error})")
    lines = source.split("\n")
    answer_lines = [i + 1 for i, line in enumerate(lines) if ANSWER_LINE.search(line)]
    if not answer_lines:
        _fail(notebook, where, "no line holds None followed by '# your answer'")
    last = tree.body[-1] if tree.body else None
    call = last.value if isinstance(last, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name) and call.func.value.id == "exercises"
            and call.func.attr.startswith("check")):
        _fail(notebook, where, "the cell must end with the check call exercises.check_...(...)")
    if not call.args or not isinstance(call.args[0], ast.Name):
        _fail(notebook, where, "the check call's first argument must be the answer's name")
    # the student's part ends with the top-level statement holding the last answer line
    holder = [s for s in tree.body if s.lineno <= answer_lines[-1] <= s.end_lineno]
    if not holder or holder[0] is last:
        _fail(notebook, where, "the '# your answer' line must come before the check call")
    cut = holder[0].end_lineno
    setup_nodes = [s for s in tree.body if s.lineno > cut and s is not last]
    student_names = {call.args[0].id} | {
        n.id if isinstance(n, ast.Name) else n.name
        for s in tree.body if s.end_lineno <= cut for n in ast.walk(s)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        or isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    setup_reads = {n.id for s in setup_nodes for n in ast.walk(s) if isinstance(n, ast.Name)}
    return Exercise(number, call.args[0].id, "\n".join(lines[:cut]).rstrip(),
                    "\n".join(lines[cut:last.lineno - 1]).strip("\n"),
                    "\n".join(lines[last.lineno - 1:]).strip("\n"),
                    not (setup_reads & student_names))


def solution_functions(source: str, notebook: Path) -> dict[str, str]:
    """{name: source} of every top-level function of the Solutions cell."""
    tree = ast.parse(source)
    lines = source.split("\n")
    return {node.name: "\n".join(lines[node.lineno - 1 - len(node.decorator_list):
                                       node.end_lineno])
            for node in tree.body if isinstance(node, ast.FunctionDef)}


def needed(name: str, functions: dict[str, str]) -> list[str]:
    """``name`` and the Solutions cell's functions it calls, in the cell's order."""
    wanted, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in wanted:
            continue
        wanted.add(current)
        names = {n.id for n in ast.walk(ast.parse(functions[current])) if isinstance(n, ast.Name)}
        todo += [n for n in names if n in functions]
    return [f for f in functions if f in wanted]


def check_with_feedback(check_code: str, number: str) -> str:
    """The check cell: set-up, ``feedback = <check call>``, its display, the hidden assert."""
    tree = ast.parse(check_code)
    last = tree.body[-1]
    lines = check_code.split("\n")
    head, call = lines[:last.lineno - 1], lines[last.lineno - 1:last.end_lineno]
    prefix = "feedback = "
    shifted = [prefix + call[0]] + [" " * len(prefix) + line if line.strip() else line
                                    for line in call[1:]]
    new_call = ast.parse("\n".join(shifted)).body[0].value
    if ast.dump(new_call) != ast.dump(last.value):  # indenting changed a string: don't
        shifted = [prefix + call[0]] + call[1:]
    return "\n".join(head + shifted + [
        "feedback",
        "### BEGIN HIDDEN TESTS",
        f"assert feedback, f\"exercise {number}: {{feedback}}\"",
        "### END HIDDEN TESTS",
    ])


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def make_gradable(path: Path, points: int = POINTS) -> nbformat.NotebookNode:
    """The nbgrader source notebook for the workbook notebook at ``path``."""
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    exercise_cells = [c for c in code if c.source.lstrip().startswith("# Exercise")]
    if not exercise_cells:
        _fail(path, "the notebook", "no cell starts '# Exercise N.M'")
    solutions_cells = [c for c in code if SOLUTION_DEF.search(c.source)]
    if len(solutions_cells) != 1 or solutions_cells[0] is not code[-1]:
        _fail(path, "the Solutions cell", "one code cell, the last, must define the "
              "solution_N_M() functions")
    solutions_cell = solutions_cells[0]
    functions = solution_functions(solutions_cell.source, path)

    exercises, seen = {}, set()
    for cell in exercise_cells:
        exercise = split_exercise(cell.source, path)
        if exercise.number in seen:
            _fail(path, f"exercise {exercise.number}", "two cells have this number")
        seen.add(exercise.number)
        exercises[id(cell)] = exercise
    wanted = {f"solution_{n.replace('.', '_')}" for n in seen}
    missing = sorted(wanted - set(functions))
    if missing:
        _fail(path, "the Solutions cell", f"{', '.join(missing)} missing")
    unused = sorted(f for f in functions if f.startswith("solution_") and f not in wanted)
    if unused:
        _fail(path, "the Solutions cell", f"{', '.join(unused)} answer no exercise")

    cells = []
    for cell in notebook.cells:
        if cell is solutions_cell:
            continue
        if (cell.cell_type == "markdown" and cell.source.startswith("## Solutions")
                and notebook.cells.index(cell) == notebook.cells.index(solutions_cell) - 1):
            continue  # "## Solutions: the cell below ..." introduces the cell left out
        if id(cell) not in exercises:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            cells.append(cell)
            continue
        exercise = exercises[id(cell)]
        tag = exercise.number.replace(".", "_")
        function = f"solution_{tag}"
        region = [functions[name] for name in needed(function, functions)]
        answer = nbformat.v4.new_code_cell("\n".join([
            exercise.student_code,
            "### BEGIN SOLUTION",
            "\n\n".join(region),
            f"{exercise.answer} = {function}()",
            "### END SOLUTION",
        ]))
        answer.id = cell.get("id", f"exercise-{tag}")
        answer.metadata = dict(cell.metadata, nbgrader=_nbgrader(
            f"exercise_{tag}", solution=True, grade=False))
        setup_cell = []
        check_code = exercise.check_code
        if exercise.setup_code and exercise.setup_first:
            setup = nbformat.v4.new_code_cell(
                f"# The set-up of exercise {exercise.number} (read-only)\n" + exercise.setup_code)
            setup.id = f"{answer.id}-setup"[:64]
            setup.metadata = {"nbgrader": _nbgrader(f"setup_{tag}", solution=False,
                                                    grade=False)}
            setup_cell = [setup]
        elif exercise.setup_code:
            check_code = exercise.setup_code + "\n" + check_code
        check = nbformat.v4.new_code_cell(check_with_feedback(check_code, exercise.number))
        check.id = f"{answer.id}-check"[:64]
        check.metadata = {"nbgrader": _nbgrader(f"check_{tag}", solution=False, grade=True,
                                                points=points)}
        cells += setup_cell + [answer, check]
    notebook.cells = cells
    return notebook


def write_course(course: Path, names: list[str], points: int = POINTS) -> list[Path]:
    """nbgrader_config.py and source/<name>/<name>.ipynb for each notebook name."""
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    written = []
    for name in names:
        path = NOTEBOOKS / f"{name}.ipynb"
        if not path.is_file():
            raise FileNotFoundError(f"no notebook {path}")
        gradable = make_gradable(path, points)
        target = course / "source" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(gradable, target)
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", metavar="NAME",
                        help="notebook names such as 00_start_here (default: all)")
    parser.add_argument("--course", type=Path, default=ROOT / "grading",
                        help="the nbgrader course folder to write (default: grading/)")
    parser.add_argument("--points", type=int, default=POINTS, help="points per exercise")
    args = parser.parse_args(argv)
    names = args.notebooks or [p.stem for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    try:
        written = write_course(args.course, names, args.points)
    except (ConventionError, FileNotFoundError) as error:
        print(f"make_gradable.py: error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
