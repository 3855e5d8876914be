"""Reading stored or rerun notebooks in tests: code cells, tags, printed text, parameters."""


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
