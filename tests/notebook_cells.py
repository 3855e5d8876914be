"""Reading stored or rerun notebooks in tests: code cells, tags, printed text, parameters, a
copy whose exercises use their hidden solutions, and an instructor's rerun with papermill."""

import json
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def rerun(notebook, out, parameters):
    """``notebook`` run by papermill with ``parameters`` into ``out`` (in notebooks/, as an
    instructor runs it), read back. A cell that raises fails the test with what it raised."""
    papermill = pytest.importorskip("papermill")
    try:
        papermill.execute_notebook(str(notebook), str(out), parameters=parameters,
                                   cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False)
    except papermill.PapermillExecutionError as error:
        pytest.fail(f"{Path(notebook).name} with {parameters}: {error.ename}: {error.evalue}")
    return nbformat.read(out, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def tags(cell):
    return set(cell.metadata.get("tags", []))


def output_text(cell):
    """What a code cell printed or displayed as plain text, one output a line."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


def parameters_scope(nb):
    """The names the parameters cell (and papermill's injected cell after it) defines."""
    scope = {}
    for cell in code_cells(nb):
        if tags(cell) & {"parameters", "injected-parameters"}:
            exec(cell.source, scope)
    return scope


def with_solutions(nb, chapter: int, answers: dict):
    """A copy of ``nb`` whose Solutions cell runs before the exercises and whose exercise cells
    use them: ``answers`` maps an exercise ("13.1") to the line that puts its solution in place
    of the student's answer, inserted just above the cell's final check call."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    solutions = next(c for c in nb.cells if c.cell_type == "code"
                     and f"def solution_{chapter}_1" in c.source)
    nb.cells.remove(solutions)
    first = next(i for i, c in enumerate(nb.cells) if c.source.startswith(f"# Exercise {chapter}."))
    nb.cells.insert(first, solutions)
    for cell in nb.cells:
        number = re.match(rf"# Exercise ({chapter}\.\d+)", cell.source)
        if number:
            lines = cell.source.rstrip().split("\n")
            lines.insert(len(lines) - _check_length(lines), answers[number.group(1)])
            cell.source = "\n".join(lines)
    return nb


def _check_length(lines):
    """How many lines the final check call takes (from its first line to the end)."""
    for back, line in enumerate(reversed(lines), start=1):
        if line.startswith(("depth_exercises.", "exercises.")):
            return back
    raise AssertionError("no check call in an exercise cell")
