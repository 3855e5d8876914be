"""binder/requirements.txt must stay in step with requirements.txt.

Binder builds the student's environment from binder/ alone, with every package pinned ("pin
everything or nothing"). These tests fail when someone changes requirements.txt (or the pins)
and the two drift apart: a package a student needs that Binder lacks, a pin outside the range
requirements.txt asks for, an unpinned line, a test tool shipped to students, or a missing
``-e .`` (repo2docker does not install the repository itself when binder/ exists).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
BINDER_REQUIREMENTS = ROOT / "binder" / "requirements.txt"
BINDER_RUNTIME = ROOT / "binder" / "runtime.txt"


def requirement_lines(path: Path) -> list[str]:
    """The meaningful lines of a requirements file: comments and blank lines dropped."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def named_requirements(path: Path) -> dict[str, Requirement]:
    """{canonical name: Requirement} for the lines that name a package (not -e / -r / options)."""
    result = {}
    for line in requirement_lines(path):
        if line.startswith("-"):
            continue
        requirement = Requirement(line)
        result[canonicalize_name(requirement.name)] = requirement
    return result


def binder_pins() -> dict[str, Version]:
    pins = {}
    for name, requirement in named_requirements(BINDER_REQUIREMENTS).items():
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", (
            f"binder/requirements.txt: {requirement} is not pinned with a single '=='; "
            "pin everything or nothing"
        )
        pins[name] = Version(specifiers[0].version)
    return pins


def test_every_binder_line_is_a_pin_or_the_package_itself():
    for line in requirement_lines(BINDER_REQUIREMENTS):
        if line.startswith("-"):
            assert line == "-e .", (
                f"binder/requirements.txt: unexpected option line {line!r}; only '-e .' "
                "(the workbook's own library) belongs there"
            )
    assert binder_pins(), "binder/requirements.txt pins nothing"


def test_binder_installs_the_workbook_library():
    assert "-e ." in requirement_lines(BINDER_REQUIREMENTS), (
        "binder/requirements.txt must end with '-e .': with a binder/ folder repo2docker does "
        "not install the repository's own package, and the notebooks import backproplib"
    )


@pytest.mark.parametrize(
    "name", sorted(named_requirements(REQUIREMENTS)), ids=lambda name: name
)
def test_binder_pins_every_student_requirement(name):
    requirement = named_requirements(REQUIREMENTS)[name]
    pins = binder_pins()
    assert name in pins, (
        f"requirements.txt asks for {requirement} but binder/requirements.txt does not pin "
        f"{requirement.name}; rebuild the pins (see the comment at the top of that file)"
    )
    assert requirement.specifier.contains(pins[name], prereleases=True), (
        f"binder/requirements.txt pins {requirement.name}=={pins[name]}, outside "
        f"requirements.txt's {requirement}"
    )


def test_binder_pins_satisfy_the_library_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dependencies = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        dependencies.extend(extra)
    pins = binder_pins()
    for text in dependencies:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"pyproject.toml needs {requirement}; binder/ does not pin it"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"pyproject.toml needs {requirement}; binder/ pins {name}=={pins[name]}"
        )


# Tools only a maintainer runs. (Not "everything in requirements-dev.txt": some dev entries,
# such as nbclient, are also dependencies of jupyterlab and rightly pinned for students.)
TEST_TOOLS = {"pytest", "nbval", "hypothesis", "playwright", "ruff", "micrograd", "papermill"}


def test_binder_ships_no_test_tools():
    shipped = sorted(TEST_TOOLS & set(binder_pins()))
    assert not shipped, (
        f"binder/requirements.txt pins development tools {shipped}: students don't need them"
    )


def test_binder_pins_nbgitpuller_as_the_hub_test_does():
    # A class hub built from Binder's image follows the README's nbgitpuller link; tests/hub
    # runs that link with requirements-dev.txt's nbgitpuller, so the two pins must agree.
    dev = named_requirements(ROOT / "requirements-dev.txt").get("nbgitpuller")
    assert dev is not None, "requirements-dev.txt does not pin nbgitpuller (tests/hub needs it)"
    pins = binder_pins()
    assert "nbgitpuller" in pins, "binder/requirements.txt does not pin nbgitpuller"
    assert dev.specifier.contains(pins["nbgitpuller"]), (
        f"binder/ pins nbgitpuller=={pins['nbgitpuller']}, requirements-dev.txt {dev}")


def test_binder_runtime_names_a_python_the_library_supports():
    text = BINDER_RUNTIME.read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", text)
    assert match, f"binder/runtime.txt should read like 'python-3.11', got {text!r}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    supported = SpecifierSet(project.get("requires-python", ""))
    assert supported.contains(match.group(1) + ".0"), (
        f"binder/runtime.txt asks for Python {match.group(1)}, outside pyproject's "
        f"requires-python {supported}"
    )
