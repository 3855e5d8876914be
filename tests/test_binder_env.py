"""The Binder environment, rebuilt locally: a fresh venv from binder/requirements.txt only.

mybinder.org can't be reached from CI, so this is the honest local check of what repo2docker
would build: install binder/requirements.txt (and nothing else) from the repository root, as
repo2docker does, then prove that

- the pins are the whole closure ("pin everything or nothing"): after the install, `pip freeze`
  lists exactly the pinned packages plus backproplib, and `pip check` is clean;
- JupyterLab has the widgets front end (@jupyter-widgets/jupyterlab-manager) enabled;
- every notebook runs without an error in that environment (nbval-lax; nbval and pytest are
  installed afterwards, separately, only to run the notebooks).

Slow (a pip install of about a hundred packages): deselect with -m "not binder".
"""

from __future__ import annotations

import os
import re
import subprocess
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
BINDER_REQUIREMENTS = ROOT / "binder" / "requirements.txt"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"
NOTEBOOKS = ROOT / "notebooks"

pytestmark = [pytest.mark.binder, pytest.mark.slow]


def pinned_packages() -> dict[str, str]:
    pins = {}
    for raw in BINDER_REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def dev_requirement(name: str) -> str:
    """The line of requirements-dev.txt that names ``name`` (so the test tools match CI's)."""
    for raw in DEV_REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            if canonicalize_name(Requirement(line).name) == name:
                return line
    return name


@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory):
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not notebooks:
        pytest.skip(f"no notebooks in {NOTEBOOKS} yet: nothing to run in the Binder environment")
    where = tmp_path_factory.mktemp("binder") / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    bin_dir = where / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND")}
    env.update(
        VIRTUAL_ENV=str(where),
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        # private Jupyter dirs so a user's or the dev venv's config can't leak in
        JUPYTER_CONFIG_DIR=str(where / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(where / "jupyter-runtime"),
        JUPYTER_DATA_DIR=str(where / "jupyter-data"),
        IPYTHONDIR=str(where / "ipython"),
    )
    env.pop("PYTHONHOME", None)
    # Like repo2docker: pip install -r binder/requirements.txt from the repository root
    # ('-e .' is resolved against the working directory).
    run([bin_dir / "python", "-m", "pip", "install", "-q", "-r", BINDER_REQUIREMENTS],
        env=env, cwd=ROOT, timeout=1500)
    return {"bin": bin_dir, "env": env, "notebooks": notebooks}


def run(command, env, cwd, timeout=600) -> str:
    command = [str(part) for part in command]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(command)} failed ({done.returncode}):\n{output}"
    return output


def test_binder_pins_are_the_whole_environment(binder_venv):
    python = binder_venv["bin"] / "python"
    frozen = run([python, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                 env=binder_venv["env"], cwd=ROOT)
    installed = {}
    for line in frozen.splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
        if match:
            installed[canonicalize_name(match.group(1))] = match.group(2)
    # venv's own installers, not part of what a student's notebooks need
    for tool in ("pip", "setuptools", "wheel"):
        installed.pop(tool, None)
    pins = pinned_packages()
    unpinned = sorted(set(installed) - set(pins))
    assert not unpinned, (
        f"installing binder/requirements.txt pulled in unpinned packages {unpinned}: "
        "regenerate the pins (pin everything or nothing)"
    )
    different = {n: (pins[n], installed.get(n)) for n in pins if installed.get(n) != pins[n]}
    assert not different, f"installed versions differ from the pins (pin, installed): {different}"
    run([python, "-m", "pip", "check"], env=binder_venv["env"], cwd=ROOT)
    shown = run([python, "-m", "pip", "show", "backproplib"], env=binder_venv["env"], cwd=ROOT)
    assert "Name: backproplib" in shown


def test_jupyterlab_has_the_widgets_extension(binder_venv):
    listing = run([binder_venv["bin"] / "jupyter", "labextension", "list"],
                  env=binder_venv["env"], cwd=ROOT)
    lines = [line for line in listing.splitlines() if "@jupyter-widgets/jupyterlab-manager" in line]
    assert lines, f"@jupyter-widgets/jupyterlab-manager is missing:\n{listing}"
    assert "enabled" in lines[0] and "OK" in lines[0], f"not enabled and OK: {lines[0]}"


def test_every_notebook_runs_in_the_binder_environment(binder_venv):
    python = binder_venv["bin"] / "python"
    env = binder_venv["env"]
    # Test tools come after, separately: they are not part of the student's environment.
    run([python, "-m", "pip", "install", "-q", dev_requirement("nbval"),
         dev_requirement("pytest")], env=env, cwd=ROOT)
    done = subprocess.run(
        [str(python), "-m", "pytest", "--nbval-lax", "--nbval-current-env",
         "-p", "no:cacheprovider", "-q", *map(str, binder_venv["notebooks"])],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert done.returncode == 0, (
        f"notebooks fail in the Binder environment:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"
    )
