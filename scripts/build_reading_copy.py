"""Build the reading copy: a static site of the whole course, readable without a kernel.

    npm ci --prefix book                      # MathJax 3, once
    python scripts/build_reading_copy.py      # -> build/reading-copy/index.html

Jupyter Book 1 (Sphinx) builds it offline from the notebooks' stored outputs, nothing executed:
a start page made from the README's table of notebooks, then one page per notebook in course
order. Formulas are rendered by MathJax 3 from npm, copied into the site (nothing is fetched
from the network when a page is read). Every figure keeps its alt text. Widgets render nowhere
in a static page, so each panel's output shows its static twin instead (the panel's numbers
as text, which its _repr_mimebundle_ stores beside the widget). Cells hidden in the notebook
(the Solutions) are folded behind a "show" button.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
MATHJAX = BOOK / "node_modules" / "mathjax" / "es5"
WIDGET = "application/vnd.jupyter.widget-view+json"


def course_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def start_page(notebooks: list[Path]) -> str:
    """The README's title, opening paragraph and table of notebooks, linked to their pages."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", readme, re.MULTILINE).group(1)
    paragraphs = [p for p in readme.split("\n\n") if p and not p.startswith(("#", "[!["))]
    table = re.search(r"^\| notebook \|.*?(?=\n\n)", readme, re.MULTILINE | re.DOTALL).group(0)
    stems = {p.stem for p in notebooks}
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] in stems:
            cells[0] = f"[{cells[0]}](notebooks/{cells[0]}.ipynb)"
        rows.append("| " + " | ".join(cells) + " |")
    return "\n\n".join([
        f"# {title}: the reading copy",
        paragraphs[0].strip(),
        "This is a copy to read: the notebooks as they were last run, with their figures and "
        "numbers. The sliders and exercises need a running notebook (see the README).",
        "\n".join(rows),
    ]) + "\n"


def reading_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook as the site shows it: panels as their static twins, hidden cells folded."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("jupyter", {}).get("source_hidden"):
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET in data:
                del data[WIDGET]
                if not data:
                    raise ValueError(f"{path.name}: a widget output has no static twin to show")
    return notebook


def stage(source: Path, notebooks: list[Path]):
    """The book's sources: config, table of contents, start page, notebooks, MathJax."""
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks").mkdir(parents=True)
    shutil.copy(BOOK / "_config.yml", source / "_config.yml")
    (source / "intro.md").write_text(start_page(notebooks), encoding="utf-8")
    toc = ["format: jb-book", "root: intro", "chapters:"]
    toc += [f"- file: notebooks/{p.stem}" for p in notebooks]
    (source / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    for path in notebooks:
        nbformat.write(reading_notebook(path), source / "notebooks" / path.name)
    shutil.copytree(MATHJAX, source / "_extra" / "mathjax")


def _run(command: list[str], what: str):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{what} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")


def build(output: Path) -> Path:
    if not MATHJAX.is_dir():
        raise FileNotFoundError(f"{MATHJAX} is missing: run `npm ci --prefix book` first")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    if not jupyter_book.exists():
        raise FileNotFoundError("jupyter-book is not installed (pip install -r "
                                "requirements-dev.txt)")
    source = output.parent / (output.name + "-src")
    stage(source, course_notebooks())
    # Jupyter Book writes Sphinx's conf.py; sphinx-thebe (live code from a CDN, which a
    # reading copy does not offer) is left out: it declares its script URL twice per page.
    _run([str(jupyter_book), "config", "sphinx", str(source)], "jupyter-book config sphinx")
    conf = source / "conf.py"
    text = conf.read_text(encoding="utf-8")
    if "'sphinx_thebe', " not in text:
        raise RuntimeError("conf.py from jupyter-book no longer lists 'sphinx_thebe', ")
    conf.write_text(text.replace("'sphinx_thebe', ", ""), encoding="utf-8")
    _run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
          str(source), str(source / "_build" / "html")], "sphinx-build")
    if output.exists():
        shutil.rmtree(output)
    shutil.move(str(source / "_build" / "html"), output)
    shutil.rmtree(source)
    return output


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "reading-copy",
                        help="where the site goes (default: build/reading-copy)")
    args = parser.parse_args(argv)
    try:
        site = build(args.output.resolve())
    except (FileNotFoundError, RuntimeError, ValueError) as error:
        print(f"build_reading_copy.py: error: {error}", file=sys.stderr)
        return 1
    print(f"{site / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
