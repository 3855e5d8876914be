"""The folders of backproplib are floors: a module imports only from its own floor or below.

numbers < core < chainrule < learning < plots < exercises < widgets < the package's front door
(``__init__`` and ``__main__``). A test, so that the layout keeps saying what the code does.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "backproplib"
FLOORS = ["numbers", "core", "chainrule", "learning", "plots", "exercises", "widgets"]
FRONT = len(FLOORS)


def floor_of(dotted):
    """The floor of a module given as 'backproplib.learning.descent' (the front door for the root)."""
    parts = dotted.split(".")
    if len(parts) == 1 or parts[1] in ("__init__", "__main__"):
        return FRONT
    return FLOORS.index(parts[1])


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        yield ".".join(parts), path, is_package


def imports_of(dotted, path, is_package):
    """Every backproplib module that a module imports, as dotted names, with the names taken."""
    package = dotted.split(".") if is_package else dotted.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "backproplib":
                continue
            for alias in node.names:
                # "from . import x" imports the submodule x where one exists
                sub = f"{target}.{alias.name}"
                is_module = (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists() or (
                    PACKAGE.parent / sub.replace(".", "/")).is_dir()
                found.append((sub if is_module else target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "backproplib":
                    found.append((alias.name, alias.name, node.lineno))
    return found


ALL = list(modules())


def test_every_module_lives_on_a_floor():
    for dotted, path, _ in ALL:
        parts = dotted.split(".")
        assert len(parts) == 1 or parts[1] in FLOORS + ["__main__"], (
            f"{path.relative_to(PACKAGE.parent)} is on no floor; floors: {FLOORS}")


@pytest.mark.parametrize("dotted,path,is_package", ALL, ids=[m[0] for m in ALL])
def test_imports_point_only_downwards(dotted, path, is_package):
    mine = floor_of(dotted)
    for target, _name, line in imports_of(dotted, path, is_package):
        theirs = floor_of(target)
        assert theirs <= mine, (
            f"{path.relative_to(PACKAGE.parent)}:{line}, on the floor "
            f"{FLOORS[mine] if mine < FRONT else 'front door'}, imports {target} from the "
            f"higher floor {FLOORS[theirs] if theirs < FRONT else 'front door'}")


@pytest.mark.parametrize("dotted,path,is_package", ALL, ids=[m[0] for m in ALL])
def test_no_private_names_cross_modules(dotted, path, is_package):
    for target, name, line in imports_of(dotted, path, is_package):
        assert not (name.startswith("_") and not name.startswith("__")), (
            f"{path.relative_to(PACKAGE.parent)}:{line} imports the private {name} from {target}")


def test_the_checker_sees_an_upward_import(tmp_path):
    """The rule can fail: a core module that imports from plots is caught."""
    fake = tmp_path / "backproplib" / "core"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("from ..plots import style\n")
    found = imports_of("backproplib.core.bad", fake / "bad.py", False)
    assert found and floor_of(found[0][0]) > floor_of("backproplib.core.bad")


def test_tests_use_no_private_names():
    for path in sorted(Path(__file__).parent.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("backproplib"):
                private = [a.name for a in node.names if a.name.startswith("_")
                           and not a.name.startswith("__")]
                assert not private, f"{path.name}:{node.lineno} imports private {private}"
