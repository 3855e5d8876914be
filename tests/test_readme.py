"""The README's links and commands point at things that exist and say what CI runs."""

import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def links(prefix):
    return re.findall(rf"{re.escape(prefix)}[^\s)`]+", README)


def test_binder_links_open_an_existing_notebook():
    urls = links("https://mybinder.org/v2/gh/")
    assert len(urls) >= 2  # the badge and the release-tag link
    for url in urls:
        parsed = urlparse(url)
        owner, repo, ref = parsed.path.split("/")[3:6]
        assert owner and repo and ref
        urlpath = parse_qs(parsed.query)["urlpath"][0]
        assert urlpath.startswith("lab/tree/")
        assert (ROOT / urlpath.removeprefix("lab/tree/")).is_file(), urlpath


def test_nbgitpuller_link_is_well_formed():
    (url,) = [u for u in re.findall(r"https://YOUR-HUB/[^\s)`]+", README)]
    query = parse_qs(urlparse(url).query)
    repo = unquote(query["repo"][0])
    assert repo.startswith("https://github.com/") and query["branch"][0]
    folder = repo.rstrip("/").split("/")[-1]
    urlpath = query["urlpath"][0]
    assert urlpath.startswith(f"lab/tree/{folder}/")
    assert (ROOT / urlpath.removeprefix(f"lab/tree/{folder}/")).is_file(), urlpath


def test_ci_runs_the_readmes_test_command():
    block = re.search(r"<!-- test-command -->\n```bash\n(.+?)\n```\n<!-- /test-command -->",
                      README, re.DOTALL)
    assert block and "pytest --nbval " in block.group(1) and "--nbval-lax" not in block.group(1)
    extract = subprocess.run(
        ["bash", "-c", "sed -n '/<!-- test-command -->/,/<!-- \\/test-command -->/p' README.md"
         " | sed '1,2d;$d' | sed '$d'"], cwd=ROOT, capture_output=True, text=True)
    assert extract.stdout.strip() == block.group(1).strip()
    assert "README.md" in (ROOT / ".ci" / "run").read_text()


def test_student_command_installs_only_what_students_need():
    assert "pip install -r requirements.txt && jupyter lab notebooks/00_start_here.ipynb" in README
    student = (ROOT / "requirements.txt").read_text()
    for tool in ("pytest", "nbval", "playwright", "papermill", "hypothesis"):
        assert tool not in student
