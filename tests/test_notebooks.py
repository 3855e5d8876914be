"""The notebooks as files: their shape, their stored outputs, and instructor reruns with papermill.

Strict output checking itself is nbval's job (the README's test command runs `--nbval`); these
tests check what nbval cannot: that outputs came from a clean run, that every ignored widget cell
is followed by a checked one, that nbval would catch a wrong stored number, and that every
notebook stays right when an instructor changes its parameters.
"""

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from notebook_cells import NOTEBOOKS, code_cells, output_text, tags
from notebook_cells import rerun as run_again

import backproplib as bp

# The first nine chapters, whose names other pages link to; later chapters follow them.
CORE = ["00_start_here", "01_forward_pass", "02_output_layer_gradient", "03_h1_gradient",
        "04_h0_gradient", "05_cost_surface", "06_gradient_descent", "07_many_neurons",
        "08_checking_gradients"]
NAMES = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
CHAIN_NOTEBOOKS = [n for n in NAMES if n[:2] <= "06"]
# The parameters cell of each notebook that is not a chain one (DESIGN.md, Conventions).
PARAMETERS = {
    "09": {"xs", "ys", "weights", "biases", "activation", "batch_size", "learning_rate", "steps",
           "seed"},
    "11": {"dataset", "n_examples", "hidden", "activation", "learning_rate", "batch_size", "steps",
           "seed"},
}
CHAIN_PARAMETERS = {"x", "y", "weights", "biases", "activation"}
# Notebooks whose `dC0/d<param> = v` lines are gradients of the chain in their parameters cell.
GRADIENT_NOTEBOOKS = [n for n in NAMES if "02" <= n[:2] <= "06" or n[:2] == "08"]
GRADIENT_LINE = re.compile(r"^dC0/d(\S+) = (\S+)$", re.MULTILINE)


def load(name):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def test_notebooks_form_one_numbered_sequence():
    numbers = [int(n[:2]) for n in NAMES]
    assert numbers == list(range(len(NAMES))), f"numbered 00, 01, ... without gaps or twins: {NAMES}"
    assert NAMES[:len(CORE)] == CORE, "the first nine chapters keep their names"
    for name in NAMES:
        assert re.fullmatch(r"\d\d_[a-z0-9]+(_[a-z0-9]+)*", name), name


@pytest.mark.parametrize("name", NAMES)
def test_notebook_shape(name):
    nb = load(name)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "goal" in first.source.lower()
    cells = code_cells(nb)
    assert "parameters" in tags(cells[0]), "the first code cell must be tagged parameters"
    assigned = set(re.findall(r"^(\w+)\s*=", cells[0].source, re.MULTILINE))
    if name in CHAIN_NOTEBOOKS:
        assert CHAIN_PARAMETERS <= assigned, CHAIN_PARAMETERS - assigned
    if name[:2] in PARAMETERS:
        assert PARAMETERS[name[:2]] <= assigned, PARAMETERS[name[:2]] - assigned
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    assert "summary" in markdown
    if name != "00_start_here":
        checks = sum(c.source.count("exercises.check") for c in cells)
        assert checks >= 2, "at least two exercises with automatic feedback"


@pytest.mark.parametrize("name", NAMES)
def test_stored_outputs_come_from_one_clean_run(name):
    nb = load(name)
    counts = [c.execution_count for c in code_cells(nb) if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "refresh with scripts/refresh_notebooks.py"
    assert "widgets" not in nb.metadata, "saved widget state bloats the file; refresh it"
    for cell in code_cells(nb):
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:80]
        assert "Traceback" not in output_text(cell)


@pytest.mark.parametrize("name", NAMES)
def test_every_ignored_cell_is_followed_by_a_checked_one(name):
    cells = code_cells(load(name))
    for i, cell in enumerate(cells):
        if "nbval-ignore-output" in tags(cell) or "NBVAL_IGNORE_OUTPUT" in cell.source:
            nxt = cells[i + 1]
            assert not tags(nxt) & {"nbval-ignore-output", "nbval-skip"}
            assert nxt.outputs, f"the cell after {cell.source[:60]!r} must print what it shows"
        assert "nbval-skip" not in tags(cell) and "NBVAL_SKIP" not in cell.source


# "the red arrow" where the figure draws it brown-orange: a colour the text gives a marker must
# be the word plots.key gives the colour style draws it in (a path may have several colours)
DRAWN = {"dot": "current", "arrow": "gradient", "crosses": "blocked"}
COLOURED = re.compile(r"\b(red|white|black|blue|brown-orange|orange|gr[ae]y|green|pink-purple|"
                      r"purple|yellow-orange|yellow|pink|brown) (dot|arrow|crosses)\b", re.I)


@pytest.mark.parametrize("name", NAMES)
def test_markdown_names_the_colours_the_figures_draw(name):
    from backproplib.plots import key

    for cell in load(name).cells:
        for word, noun in COLOURED.findall(cell.source if cell.cell_type == "markdown" else ""):
            assert word.lower() == key.colour_word(DRAWN[noun]), f"{name}: {word} {noun}"


@pytest.mark.parametrize("name", NAMES)
def test_every_stored_figure_has_alt_text(name):
    """A figure reaches the page only as an <img> with alt text (plots.show), never as a bare
    image/png output, which a figure made through pyplot adds a second time at a cell's end."""
    for cell in code_cells(load(name)):
        for output in cell.outputs:
            data = output.get("data", {})
            assert "image/png" not in data, (
                f"{name}: a bare picture without alt text after {cell.source[:60]!r}")
            for img in re.findall(r"<img[^>]*>", data.get("text/html", "")):
                assert re.search(r'alt="[^"]{20,}"', img), f"{name}: {img[:80]}"


@pytest.mark.parametrize("name", NAMES)
def test_nothing_is_fetched_at_run_time(name):
    source = "\n".join(c.source for c in code_cells(load(name)))
    for word in ("urllib", "requests", "http://", "https://", "pip install", "!wget", "!curl"):
        assert word not in source


def chain_gradients(source):
    """{param: fmt(gradient)} for the chain network a parameters cell describes."""
    scope = {}
    exec(source, scope)  # the notebook's own parameters cell: plain assignments
    net = bp.Network.chain(weights=scope["weights"], biases=scope["biases"],
                           activation=scope["activation"])
    return {n: bp.fmt(v) for n, v in net.backward(scope["x"], scope["y"]).as_dict().items()}


@pytest.mark.parametrize("name", GRADIENT_NOTEBOOKS)
def test_stored_gradient_lines_match_backward(name):
    nb = load(name)
    expected = chain_gradients(code_cells(nb)[0].source)
    lines = GRADIENT_LINE.findall("\n".join(output_text(c) for c in code_cells(nb)))
    assert lines, "the notebook prints its gradients as 'dC0/d<param> = <value>'"
    for param, value in lines:
        assert value == expected[param], f"dC0/d{param}"


RERUNS = {
    "dead_H1": {"weights": [0.1, -1, 0.5]},
    "negative": {"weights": [-0.3, 0.2, -0.7], "biases": [1, 0.5, 2]},
    "other": {"x": 2, "y": 1, "weights": [0.4, 0.3, 0.6], "biases": [0.1, -0.2, 0.3]},
}


@pytest.mark.slow
@pytest.mark.parametrize("rerun", RERUNS)
@pytest.mark.parametrize("name", CHAIN_NOTEBOOKS)
def test_instructor_rerun_with_new_parameters(name, rerun, tmp_path):
    nb = run_again(NOTEBOOKS / f"{name}.ipynb", tmp_path / f"{name}.ipynb", RERUNS[rerun])
    cells = code_cells(nb)
    injected = next(c for c in cells if "injected-parameters" in tags(c))
    expected = chain_gradients(cells[0].source + "\n" + injected.source)
    text = "\n".join(output_text(c) for c in cells)
    assert "Traceback" not in text
    for param, value in GRADIENT_LINE.findall(text):
        assert value == expected[param], f"dC0/d{param} after rerun {rerun}"


# Extreme but valid parameters (issue 9): every ReLU dead with a huge target, huge weights,
# numbers as text. A figure then draws or says in words why it cannot; nothing raises.
EXTREME = {
    "dead_huge_y": {"y": 1e8, "biases": [-100, -100, -100]},
    "huge_weights": {"weights": [1e6, 1e6, 1e6]},
    "text": {"x": "1/2", "y": "1e2", "weights": ["0.3", "-1/5", "0.7"],
             "biases": ["1/10", "1/2", "-0.2"]},
}
EXTREME_NOTEBOOKS = [n for n in NAMES if n[:2] in ("02", "05", "06")]


@pytest.mark.slow
@pytest.mark.parametrize("extreme", EXTREME)
@pytest.mark.parametrize("name", EXTREME_NOTEBOOKS)
def test_extreme_parameters_give_no_traceback(name, extreme, tmp_path):
    cells = code_cells(run_again(NOTEBOOKS / f"{name}.ipynb", tmp_path / f"{name}.ipynb",
                                 EXTREME[extreme]))
    injected = next(c for c in cells if "injected-parameters" in tags(c))
    expected = chain_gradients(cells[0].source + "\n" + injected.source)
    for cell in cells:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:80]
        assert "Traceback" not in output_text(cell), cell.source[:80]
        if "plots.show(" in cell.source:  # the figure, or words saying why there is none
            assert cell.outputs, f"a figure cell shows nothing: {cell.source[:80]!r}"
    text = "\n".join(output_text(c) for c in cells)
    assert not re.search(r"\bnan\b", text, re.IGNORECASE), "a NaN reached the page"
    for param, value in GRADIENT_LINE.findall(text):
        assert value == expected[param], f"dC0/d{param} with {extreme}"


@pytest.mark.slow
def test_strict_nbval_catches_a_wrong_stored_number(tmp_path):
    name = "02_output_layer_gradient"
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    right = bp.fmt(bp.worked_example()[0].backward(0.5, 0)["w_Out"])
    text = json.dumps(nb)
    assert right in text
    tampered = tmp_path / f"{name}.ipynb"
    tampered.write_text(text.replace(right, right[:-1] + str((int(right[-1]) + 1) % 10), 1))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", str(tampered)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout


def test_refresh_script_normalises_metadata(tmp_path):
    sys.path.insert(0, str(NOTEBOOKS.parent / "scripts"))
    try:
        from refresh_notebooks import normalise
    finally:
        sys.path.pop(0)
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"state": {}}, "language_info": {
        "name": "python", "version": "3.11.7", "codemirror_mode": {"name": "ipython"}}})
    cell = nbformat.v4.new_code_cell("1", metadata={"execution": {"iopub.status.busy": "t"}})
    nb.cells.append(cell)
    normalise(nb)
    assert "widgets" not in nb.metadata and "execution" not in nb.cells[0].metadata
    assert nb.metadata.kernelspec.name == "python3"
    shutil.rmtree(tmp_path, ignore_errors=True)


def printed_by(name, cell_text, activation):
    """What the first code cell of notebook ``name`` containing ``cell_text`` prints, after the
    cells above it have run with ``activation`` (figures are drawn but not shown)."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    scope = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            if cell_text in cell.source:
                break
            exec(re.sub(r"^%.*$", "", cell.source, flags=re.MULTILINE), scope)  # noqa: S102
            if "parameters" in cell.metadata.get("tags", []):
                scope["activation"] = activation
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(cell.source, scope)  # noqa: S102
    return printed.getvalue()


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_04s_factor_table_stays_aligned_for_any_label(activation):
    """Under leaky ReLU the label LeakyReLU'(z_Out) is 17 characters: a table padded to 16 put
    its '=' one column right of the others."""
    table = printed_by("04_h0_gradient", "The factor closest to 0", activation).split("\n\n")[0]
    assert len({line.index(" = ") for line in table.splitlines()}) == 1, table


def test_09s_lowest_point_lines_read_as_sentences():
    """09 printed 'lowest the average C of all examples on this grid: ...'."""
    nb = nbformat.read(NOTEBOOKS / "09_many_examples.ipynb", as_version=4)
    lines = [line for cell in nb.cells if cell.cell_type == "code"
             for line in output_text(cell).splitlines() if "on this grid: " in line]
    assert lines and all(line.startswith("The lowest value of ") for line in lines), lines


def test_04_says_what_its_panel_does_with_a_curve_too_flat_to_see():
    """04 said its panel "zooms its vertical axis to the curve, so it never looks flat"; the
    panel drew a flat line and a note (plots.scales: a change below RESOLVES of the cost's size
    gets an axis from 0), as it does at 04's own parameters."""
    from backproplib import widgets
    from backproplib.plots.scales import RESOLVES

    cells = load("04_h0_gradient").cells
    at = next(i for i, c in enumerate(cells) if "widgets.gradient_view(" in c.source)
    prose = " ".join(cells[at - 1].source.split())
    scope = {}
    exec(cells[1].source, scope)  # noqa: S102 (the parameters cell)
    net = bp.Network.chain(scope["weights"], scope["biases"], activation=scope["activation"])
    view = widgets.gradient_view(net, scope["x"], scope["y"], param="w_H0", sliders=["w_H1"])
    assert view.curve.flat and view.curve.ax.get_ylim()[0] == 0, "the panel shows it flat"
    assert "never looks flat" not in prose, prose
    assert f"less than {RESOLVES:.0%} of its size" in prose and "note" in prose, prose
