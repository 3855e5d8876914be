"""Refresh the stored outputs of the notebooks from a clean run of the default parameters.

    python scripts/refresh_notebooks.py                 # every notebook in notebooks/
    python scripts/refresh_notebooks.py 03_h1_gradient  # just one (name or path)

Each notebook runs top to bottom in a fresh kernel started in notebooks/, exactly as nbval
will run it. Afterwards the file is normalised so diffs show content, not noise: no saved
widget state (it is tens of KB and nbval never reads it), widget views numbered by their cell
instead of by random ids, no per-cell timing metadata, and a plain python3 kernelspec.

The notebook's ``language_info`` is kept exactly as the kernel reported it during the run.
JupyterLab writes the kernel's ``language_info`` into the notebook when the kernel starts, so a
notebook stored with less (or with another) is marked changed as soon as it is opened
(tests/browser/test_open_unchanged.py). Run the refresh with the Python the students get.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    normalise(notebook)
    nbformat.write(notebook, path)


def normalise(notebook) -> None:
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = KERNELSPEC
    # nbclient stored the kernel's language_info (name, version, codemirror_mode, ...): keep
    # it whole, it is what JupyterLab writes on opening
    info = notebook.metadata.get("language_info", {})
    if "version" not in info or "codemirror_mode" not in info:
        raise RuntimeError(f"the kernel reported no full language_info, only {info!r}")
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for number, output in enumerate(cell.outputs):
                output.get("metadata", {}).pop("execution", None)
                view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
                if view:  # a fresh random id per run would make every refresh a diff
                    view["model_id"] = f"{cell.get('id', 'cell')}-{number}"


def main(names) -> int:
    paths = [_resolve(n) for n in names] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"refreshing {path.name}", flush=True)
        refresh(path)
    return 0


def _resolve(name: str) -> Path:
    path = Path(name)
    if path.exists():
        return path.resolve()
    matches = sorted(NOTEBOOKS.glob(f"{name}*.ipynb"))
    if not matches:
        raise SystemExit(f"no notebook called {name!r} in {NOTEBOOKS}")
    return matches[0]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
