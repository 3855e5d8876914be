"""A real JupyterHub on loopback, and scripted students who use it as a browser would.

Used by tests/hub/test_class_hub.py and benchmarks/hub.py. Facts this relies on (checked, see
shared/notes/class-deployment.md):
- the shared-password authenticator and SimpleLocalProcessSpawner need no system users;
- as root the student's server needs --ServerApp.allow_root=True, or the hub answers a bare
  "500 InvalidStateError";
- the proxy answers 404 until the hub has registered its route: wait for /hub/health = 200;
- nbgitpuller's folder is the repository URL's last segment as written.

The students' servers get the environment of deploy/z2jh/config.yaml's `singleuser.extraEnv`,
as Zero to JupyterHub hands it to KubeSpawner.environment.

Every wait polls a condition with a deadline; nothing relies on a fixed sleep.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlparse

import psutil
import requests
import websocket
import yaml

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CLASS_CONFIG = ROOT / "deploy" / "z2jh" / "config.yaml"
PROXY = ROOT / "tests" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
STUDENT_PASSWORD = "class-password-2026"
ADMIN_PASSWORD = "an-admin-password-of-at-least-32-characters"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    """Poll ``condition()`` until it returns something truthy; that value is returned."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - reported if the deadline passes
            last_error = error
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}"
                               + (f" (last error: {last_error!r})" if last_error else ""))
        time.sleep(interval)


def readme_link() -> dict:
    """The README's nbgitpuller link as its query: repo, branch, urlpath."""
    text = README.read_text(encoding="utf-8")
    urls = re.findall(r"https://YOUR-HUB/[^\s)`]+", text)
    if len(urls) != 1:
        raise AssertionError(f"README.md should hold one nbgitpuller link, found {len(urls)}")
    parsed = urlparse(urls[0])
    if parsed.path != "/hub/user-redirect/git-pull":
        raise AssertionError(f"the README's link goes to {parsed.path}, not "
                             "/hub/user-redirect/git-pull")
    return {key: values[0] for key, values in parse_qs(parsed.query).items()}


def class_environment() -> dict[str, str]:
    """The class hub's singleuser.extraEnv: what every student's server and kernel get."""
    config = yaml.safe_load(CLASS_CONFIG.read_text(encoding="utf-8"))
    return config["singleuser"].get("extraEnv", {})


def git(*args, cwd=None, git_dir=None) -> str:
    command = ["git"] + ([f"--git-dir={git_dir}"] if git_dir else []) + list(args)
    env = dict(os.environ, GIT_AUTHOR_NAME="Instructor", GIT_AUTHOR_EMAIL="i@example.org",
               GIT_COMMITTER_NAME="Instructor", GIT_COMMITTER_EMAIL="i@example.org")
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def class_repository(where: Path, branch: str, folder: str) -> Path:
    """A bare clone of this repository's HEAD named ``folder``, with the class ``branch``."""
    bare = where / folder
    git("clone", "--quiet", "--bare", "--no-hardlinks", str(ROOT), str(bare))
    git("branch", "--force", branch, "HEAD", git_dir=bare)
    return bare


@dataclass
class Hub:
    """JupyterHub + configurable-http-proxy on 127.0.0.1, students' homes under workdir."""

    workdir: Path
    students: list[str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        homes = self.workdir / "homes"
        homes.mkdir(parents=True, exist_ok=True)
        singleuser = Path(sys.executable).with_name("jupyterhub-singleuser")
        args = ["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []
        return f"""
c.JupyterHub.bind_url = "{self.url}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.db_url = "sqlite:///{self.workdir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = "{self.workdir / 'cookie_secret'}"
c.JupyterHub.pid_file = "{self.workdir / 'jupyterhub.pid'}"
c.ConfigurableHTTPProxy.command = ["{PROXY}"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.pid_file = "{self.workdir / 'proxy.pid'}"
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = "{STUDENT_PASSWORD}"
c.SharedPasswordAuthenticator.admin_password = "{ADMIN_PASSWORD}"
c.Authenticator.allowed_users = {set(self.students)!r}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{homes}/{{username}}"
c.Spawner.notebook_dir = "{homes}/{{username}}"
c.Spawner.cmd = ["{singleuser}"]
c.Spawner.default_url = "/lab"
c.Spawner.args = {args!r}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.env_keep = ["PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "MPLBACKEND"]
c.Spawner.environment = {class_environment()!r}
"""

    def start(self, timeout: float = 60):
        if not PROXY.exists():
            raise FileNotFoundError(f"{PROXY} is missing: run `npm ci --prefix tests/hub`")
        config = self.workdir / "jupyterhub_config.py"
        config.write_text(self.config(), encoding="utf-8")
        self.log_path = self.workdir / "jupyterhub.log"
        jupyterhub = Path(sys.executable).with_name("jupyterhub")
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(jupyterhub), "-f", str(config)], cwd=self.workdir, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def healthy():
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.process.returncode}:\n"
                                   + self.log_tail())
            return requests.get(self.url + "/hub/health", timeout=2).status_code == 200

        wait_for(healthy, timeout, "the hub's /hub/health through the proxy")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def processes(self) -> dict[str, psutil.Process]:
        """{'hub': ..., 'proxy': ...}: the hub and the proxy it started."""
        hub = psutil.Process(self.process.pid)
        found = {"hub": hub}
        for child in hub.children(recursive=True):
            if "configurable-http-proxy" in " ".join(child.cmdline()):
                found["proxy"] = child
        return found

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the hub stops its servers on SIGTERM
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        # students' servers run in their own sessions: stop any the hub left behind
        for process in psutil.process_iter(["cmdline", "environ"]):
            try:
                env = process.info["environ"] or {}
                if (env.get("JUPYTERHUB_API_URL") and str(self.workdir) in
                        env.get("JUPYTERHUB_SERVICE_PREFIX", "") + env.get("HOME", "")):
                    process.kill()
            except (psutil.Error, OSError):
                pass
        self.process = None


class StudentError(AssertionError):
    pass


@dataclass
class Student:
    """One student with a requests session: the hub's cookies, then an API token."""

    hub: Hub
    name: str
    times: dict = field(default_factory=dict)
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    def _timed(self, phase, fn, *args):
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.times[phase] = self.times.get(phase, 0.0) + time.perf_counter() - start

    def _check(self, response, what):
        if response.status_code >= 400:
            raise StudentError(f"{self.name}: {what} answered {response.status_code}: "
                               f"{response.text[:500]}\n--- hub log ---\n{self.hub.log_tail()}")
        return response

    # --- the phases ---------------------------------------------------------------------
    def login(self):
        url = self.hub.url + "/hub/login"
        self._check(self.session.get(url, timeout=30), "GET /hub/login")
        xsrf = self.session.cookies.get("_xsrf")
        response = self.session.post(url, data={"username": self.name,
                                                "password": STUDENT_PASSWORD,
                                                "_xsrf": xsrf}, timeout=30)
        self._check(response, "the login form")
        if "jupyterhub-session-id" not in self.session.cookies and not any(
                c.name.startswith("jupyterhub-hub-login") for c in self.session.cookies):
            raise StudentError(f"{self.name}: the login form set no hub cookie "
                               f"(landed on {response.url})")
        headers = {"X-XSRFToken": self.session.cookies.get("_xsrf") or xsrf}
        response = self.session.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens",
                                     json={"note": "scripted student"}, headers=headers,
                                     timeout=30)
        self.token = self._check(response, "creating a token").json()["token"]

    def api(self, method, path, **kwargs):
        headers = {"Authorization": f"token {self.token}"}
        return self.session.request(method, self.hub.url + path, headers=headers,
                                    timeout=kwargs.pop("timeout", 60), **kwargs)

    def start_server(self, timeout: float = 120):
        response = self.api("POST", f"/hub/api/users/{self.name}/server")
        self._check(response, "starting the server")

        def ready():
            info = self._check(self.api("GET", f"/hub/api/users/{self.name}"), "user info")
            server = info.json().get("servers", {}).get("")
            return server and server.get("ready")

        wait_for(ready, timeout, f"{self.name}'s server to be ready")

    def follow_link(self, query: dict, timeout: float = 120) -> list[dict]:
        """Click the nbgitpuller link, then read its event stream until it finishes."""
        link = f"{self.hub.url}/hub/user-redirect/git-pull?{urlencode(query)}"
        response = self._check(self.session.get(link, timeout=60), "the nbgitpuller link")
        expected = f"/user/{self.name}/git-pull"
        if urlparse(response.url).path != expected:
            raise StudentError(f"{self.name}: the link landed on {response.url}, not {expected}")
        api = (f"/user/{self.name}/git-pull/api?"
               + urlencode({"repo": query["repo"], "branch": query["branch"]}))
        events = []
        with self.api("GET", api, stream=True, timeout=timeout) as stream:
            self._check(stream, "nbgitpuller's event stream")
            for line in stream.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    event = json.loads(line[5:])
                    events.append(event)
                    if event.get("phase") in ("finished", "error"):
                        break
        if not events or events[-1].get("phase") != "finished":
            raise StudentError(f"{self.name}: nbgitpuller did not finish: {events[-3:]}")
        return events

    def read_notebook(self, path: str) -> dict:
        response = self.api("GET", f"/user/{self.name}/api/contents/{quote(path)}")
        return self._check(response, f"opening {path}").json()["content"]

    def save_notebook(self, path: str, content: dict):
        response = self.api("PUT", f"/user/{self.name}/api/contents/{quote(path)}",
                            json={"type": "notebook", "format": "json", "content": content})
        self._check(response, f"saving {path}")

    def run_notebook(self, path: str, cell_timeout: float = 120) -> dict:
        """Run every code cell of ``path`` in a new kernel; returns {'errors': [...], 'pid'}."""
        notebook = self.read_notebook(path)
        response = self.api("POST", f"/user/{self.name}/api/sessions",
                            json={"path": path, "type": "notebook",
                                  "kernel": {"name": "python3"}})
        kernel_id = self._check(response, "starting a kernel").json()["kernel"]["id"]
        ws_url = (self.hub.url.replace("http://", "ws://")
                  + f"/user/{self.name}/api/kernels/{kernel_id}/channels")
        ws = websocket.create_connection(ws_url, timeout=cell_timeout,
                                         header=[f"Authorization: token {self.token}"])
        errors = []
        try:
            for index, cell in enumerate(notebook["cells"]):
                if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
                    continue
                error = execute(ws, "".join(cell["source"]), cell_timeout)
                if error:
                    errors.append(f"cell {index}: {error}")
            pid = self.kernel_pid(kernel_id)
        finally:
            ws.close()
        return {"errors": errors, "kernel_id": kernel_id, "kernel_pid": pid}

    def kernel_pid(self, kernel_id: str) -> int | None:
        for process in self.server_process().children(recursive=True):
            try:
                if any(kernel_id in part for part in process.cmdline()):
                    return process.pid
            except psutil.Error:
                pass
        return None

    def server_process(self) -> psutil.Process:
        for process in psutil.process_iter(["cmdline", "environ"]):
            try:
                env = process.info["environ"] or {}
                cmd = " ".join(process.info["cmdline"] or [])
            except (psutil.Error, OSError):
                continue
            if "jupyterhub-singleuser" in cmd and env.get("JUPYTERHUB_USER") == self.name \
                    and env.get("HOME", "").startswith(str(self.hub.workdir)):
                return process
        raise StudentError(f"no server process for {self.name}")


def execute(ws, code: str, timeout: float) -> str | None:
    """Run ``code`` over a kernel websocket; the error's name and value, or None."""
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "student", "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    deadline = time.monotonic() + timeout
    error, replied, idle = None, False, False
    while not (replied and idle):
        if time.monotonic() > deadline:
            return f"no reply within {timeout:.0f} s"
        message = json.loads(ws.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["header"]["msg_type"]
        if kind == "error":
            error = f"{message['content']['ename']}: {message['content']['evalue']}"
        elif kind == "execute_reply":
            replied = True
            if message["content"]["status"] != "ok" and error is None:
                error = f"execute_reply status {message['content']['status']}"
        elif kind == "status" and message["content"]["execution_state"] == "idle":
            idle = True
    return error


def rss_mib(process: psutil.Process | None) -> float:
    if process is None:
        return float("nan")
    try:
        return process.memory_info().rss / 2**20
    except psutil.Error:
        return float("nan")


def cleanup_dir(path: Path):
    shutil.rmtree(path, ignore_errors=True)


# --- the class scenario, shared by the test and benchmarks/hub.py ---------------------------
NOTEBOOK = "notebooks/00_start_here.ipynb"
STUDENT_EDIT = "x = 2.0  # my own input (a student's edit)"
INSTRUCTOR_FIX = "(Fixed by your instructor after class.)"


def class_link(bare: Path, branch: str, readme: dict) -> dict:
    """The README's link with the repository swapped for the local bare clone."""
    return {"repo": bare.as_uri(), "branch": branch, "urlpath": readme["urlpath"]}


def student_session(hub: Hub, name: str, link: dict, folder: str) -> Student:
    """Log in, start a server, follow the link, open and run the first notebook."""
    student = Student(hub, name)
    student._timed("login", student.login)
    student._timed("server start", student.start_server)
    student._timed("pull", student.follow_link, link)
    expected = f"lab/tree/{folder}/{NOTEBOOK}"
    if link["urlpath"] != expected:
        raise StudentError(f"the link opens {link['urlpath']}, not {expected}")
    result = student._timed("run 00", student.run_notebook, f"{folder}/{NOTEBOOK}")
    if result["errors"]:
        raise StudentError(f"{name}: {NOTEBOOK} raised: " + "; ".join(result["errors"]))
    student.kernel = psutil.Process(result["kernel_pid"]) if result["kernel_pid"] else None
    return student


def instructor_pushes_fix(bare: Path, branch: str, workdir: Path):
    """Clone the class branch, add a sentence to 00's summary, commit and push."""
    import nbformat

    clone = workdir / "instructor"
    git("clone", "--quiet", "--branch", branch, bare.as_uri(), str(clone))
    path = clone / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    summary = [c for c in notebook.cells
               if c.cell_type == "markdown" and c.source.startswith("## Summary")]
    if not summary:
        raise AssertionError(f"{NOTEBOOK} has no '## Summary' cell for the instructor to fix")
    summary[0].source += "\n\n" + INSTRUCTOR_FIX
    nbformat.write(notebook, path)
    git("commit", "--quiet", "-am", "Fix the summary", cwd=clone)
    git("push", "--quiet", "origin", branch, cwd=clone)


def student_edits(student: Student, path: str):
    """Change the parameters cell's first line and save, as JupyterLab's save does."""
    notebook = student.read_notebook(path)
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    lines = cell["source"].split("\n")
    lines[0] = STUDENT_EDIT
    cell["source"] = "\n".join(lines)
    student.save_notebook(path, notebook)


def run_class(workdir: Path, n_students: int = 5, branch: str = "class-2026") -> dict:
    """The whole scenario; returns times (s) and memory (MiB). Raises on any failure."""
    from concurrent.futures import ThreadPoolExecutor

    readme = readme_link()
    folder = readme["repo"].rstrip("/").split("/")[-1]
    if readme["branch"] != branch:
        raise AssertionError(f"the README's link uses branch={readme['branch']!r}; the class "
                             f"branch is {branch!r}")
    bare = class_repository(workdir, branch, folder)
    link = class_link(bare, branch, readme)
    names = [f"student{i + 1}" for i in range(n_students)]
    hub = Hub(workdir / "hub", names)
    hub.workdir.mkdir()
    result = {"students": n_students}
    try:
        start = time.perf_counter()
        hub.start()
        result["hub start"] = time.perf_counter() - start
        start = time.perf_counter()
        with ThreadPoolExecutor(n_students) as pool:
            students = list(pool.map(lambda n: student_session(hub, n, link, folder), names))
        result["all students"] = time.perf_counter() - start
        for phase in ("login", "server start", "pull", "run 00"):
            result[phase] = max(s.times[phase] for s in students)
        result["server MiB"] = [rss_mib(s.server_process()) for s in students]
        result["kernel MiB"] = [rss_mib(s.kernel) for s in students]
        result["kernel env"] = [{name: (s.kernel.environ() if s.kernel else {}).get(name)
                                 for name in class_environment()} for s in students]
        processes = hub.processes()
        result["hub MiB"] = rss_mib(processes.get("hub"))
        result["proxy MiB"] = rss_mib(processes.get("proxy"))

        # a later click: the student has edited 00, the instructor pushes a fix
        first = students[0]
        path = f"{folder}/{NOTEBOOK}"
        student_edits(first, path)
        instructor_pushes_fix(bare, branch, workdir)
        start = time.perf_counter()
        first.follow_link(link)
        result["second pull"] = time.perf_counter() - start
        after = first.read_notebook(path)
        sources = ["".join(c["source"]) for c in after["cells"]]
        result["fix arrived"] = any(INSTRUCTOR_FIX in s for s in sources)
        result["edit survived"] = any(s.startswith(STUDENT_EDIT) for s in sources)
        # another student, who changed nothing, gets the fix too
        students[1].follow_link(link)
        other = students[1].read_notebook(path)
        result["fix for an untouched copy"] = any(
            INSTRUCTOR_FIX in "".join(c["source"]) for c in other["cells"])
    finally:
        hub.stop()
    return result
