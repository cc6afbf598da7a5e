"""The long-running commands as an operator starts them: real processes, real signals, a
fresh SQLite data dir each (so these run against SQLite whatever DATABASE_URL says)."""

import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return env | {"STEWARD_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


def _steward(data_dir: Path, *arguments: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "steward.cli", *arguments],
        env=_environment(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listened on {port}")


def _read_until(process: subprocess.Popen, pattern: str, timeout: float = 60) -> str:
    """Output up to the first line matching `pattern`."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)
    raise AssertionError(f"{pattern!r} not in output:\n{''.join(seen)}")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("steward-data")
    subprocess.run(
        [sys.executable, "-m", "steward.cli", "migrate", "-v0"],
        env=_environment(data_dir),
        check=True,
    )
    return data_dir


def test_migrate_also_creates_the_cache_table(migrated):
    with sqlite3.connect(migrated / "steward.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}

    assert {"steward_cache", "core_scheduledrun", "contacts_contact"} <= tables


def test_serve_answers_with_static_files_and_stops_gracefully_on_sigterm(migrated):
    # Given a running web server
    port = _free_port()
    server = _steward(migrated, "serve", "--port", str(port), "--workers", "1")
    try:
        _wait_for_port(port, server)

        # When a stylesheet is requested (WhiteNoise, from the collected, hashed files)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/steward/steward.css") as r:
            body, cache = r.read(), r.headers.get("Cache-Control", "")
        # and the server is told to stop
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=40)
    finally:
        if server.poll() is None:
            server.kill()

    # Then it served the file, logged the request and shut down cleanly
    assert b"{" in body
    assert "max-age" in cache
    assert server.returncode == 0
    assert '"GET /static/steward/steward.css HTTP/1.1" 200' in output
    assert "Shutting down" in output


def test_the_worker_runs_its_jobs_and_stops_on_ctrl_c(migrated):
    worker = _steward(migrated, "worker", "--worker-id", "test-ctrl-c")
    try:
        _read_until(worker, r"clear_expired_sessions state=SUCCESSFUL")
        worker.send_signal(signal.SIGINT)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()

    assert worker.returncode == 0
    assert "Worker test-ctrl-c stopped" in output
    assert "Traceback" not in output


def _log_in(port: int, email: str, password: str) -> tuple[int, str]:
    """Logs in through the real form; returns the status and URL it ends on."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"http://127.0.0.1:{port}/login/"
    page = opener.open(login).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": password}
    ).encode()
    request = urllib.request.Request(login, data=form, headers={"Referer": login})
    try:
        response = opener.open(request)
        return response.status, response.url
    except urllib.error.HTTPError as error:
        return error.code, error.url


def test_run_sets_up_a_fresh_install_serves_it_and_stops_everything_on_ctrl_c(tmp_path):
    # Given an empty data dir
    port = _free_port()

    # When `steward run` starts
    run = _steward(
        tmp_path, "run", "--port", str(port), "--demo-contacts", "15", start_new_session=True
    )
    try:
        output = _read_until(run, r"Press Ctrl-C to stop")
        password = re.search(r"password: (\S+)", output).group(1)
        secret_file = tmp_path / "first-admin.txt"

        # Then the first administrator can log in with the password it printed
        status, landed = _log_in(port, "admin@example.com", password)
        assert landed != f"http://127.0.0.1:{port}/login/"
        assert status in (200, 500)  # the page after login is not what this test is about
        # which is also kept in a file only the owner can read
        assert password in secret_file.read_text()
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert "15 contacts" in output
        children = _children_of(run.pid)
        assert len(children) == 2

        # When Ctrl-C is pressed
        run.send_signal(signal.SIGINT)
        rest, _ = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)

    # Then the web server and the worker stopped, and so did run
    assert run.returncode == 0, rest
    assert "Steward stopped." in rest
    assert not any(_alive(pid) for pid in children)


def test_run_on_an_existing_install_says_where_the_password_is_and_adds_nothing(tmp_path):
    # Given an install that has run once (without demo data, which the test above covers)
    port = _free_port()
    first = _steward(tmp_path, "run", "--port", str(port), "--no-demo")
    _read_until(first, r"Press Ctrl-C to stop")
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=60)
    saved = (tmp_path / "first-admin.txt").read_text()

    # When it runs again
    second = _steward(tmp_path, "run", "--port", str(port), "--demo-contacts", "5")
    try:
        output = _read_until(second, r"Press Ctrl-C to stop")
        second.send_signal(signal.SIGINT)
        second.communicate(timeout=60)
    finally:
        if second.poll() is None:
            second.kill()

    # Then it points at the saved password instead of printing a new one
    assert "first-admin.txt" in output
    assert "password:" not in output
    assert "Loading demo data" not in output
    assert (tmp_path / "first-admin.txt").read_text() == saved


def test_run_refuses_a_port_in_use_with_a_hint(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        run = _steward(tmp_path, "run", "--port", str(port))
        output, _ = run.communicate(timeout=30)

    assert run.returncode == 1
    assert "--port N or STEWARD_PORT=N" in output


def _children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status
