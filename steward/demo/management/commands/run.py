"""`steward run` (what `make run` does): prepares the database, then runs the web server and
the background worker together until Ctrl-C.

The first time, on an empty database, it loads demo data and creates an administrator
(admin@example.com) whose generated password is printed once and kept in
STEWARD_DATA_DIR/first-admin.txt, readable only by the owner. Production runs the same two
commands (`steward serve`, `steward worker`) under a process manager instead."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from steward.contacts.models import Contact
from steward.core.actor import SystemActor
from steward.core.errors import DomainError
from steward.core.management.commands.serve import add_listen_arguments
from steward.demo.generator import demo_data_load
from steward.staff.models import User
from steward.staff.roles import Role
from steward.staff.services import staff_create

FIRST_ADMIN_EMAIL = "admin@example.com"
# The web server's graceful timeout is 30 s; after this the children are killed.
STOP_TIMEOUT = 40


class Command(BaseCommand):
    help = "Migrate, load demo data and create an admin the first time, then serve + work."

    def add_arguments(self, parser):
        add_listen_arguments(parser)
        parser.add_argument(
            "--demo-contacts",
            type=int,
            default=500,
            help="Contacts in the demo data loaded into an empty database (default 500).",
        )
        parser.add_argument(
            "--no-demo", action="store_true", help="Never load demo data, even when empty."
        )

    def handle(self, *args, host: str, port: int, demo_contacts: int, no_demo: bool, **options):
        if demo_contacts < 0:
            raise CommandError("--demo-contacts must be zero or more.")
        _require_free_port(host, port)
        self.stdout.write("Preparing the database...")
        call_command("migrate", interactive=False, verbosity=0)
        fresh = not Contact.objects.exists() and not User.objects.exists()
        needs_admin = not User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).exists()

        login_url = _login_url(host, port)
        password = self._first_admin_create(login_url) if needs_admin else None
        if fresh and not no_demo:
            # After the admin, so the admin owns a share of the demo records and tasks.
            self.stdout.write(f"Loading demo data ({demo_contacts} invented contacts)...")
            summary = demo_data_load(contacts=demo_contacts, progress=lambda message: None)
            self.stdout.write(
                f"  {summary.contacts} contacts, {summary.organisations} organisations, "
                f"{summary.deals} deals, {summary.activities} activities."
            )
        # The children open their own connections; this process has no more use for its own.
        connections.close_all()

        supervisor = _Supervisor(self.stdout)
        supervisor.start(
            web=["serve", "--host", host, "--port", str(port)],
            worker=["worker"],
        )
        if supervisor.wait_until_listening(host, port):
            self._print_banner(login_url, password)
        exit_reason = supervisor.supervise()
        if exit_reason:
            raise CommandError(exit_reason)
        self.stdout.write("Steward stopped.")

    def _first_admin_create(self, login_url: str) -> str | None:
        try:
            _user, password = staff_create(
                actor=SystemActor("run:first-admin"),
                email=FIRST_ADMIN_EMAIL,
                role=Role.ADMINISTRATOR,
                full_name="Steward Admin",
            )
        except DomainError as error:
            self.stderr.write(f"Could not create the first administrator: {error.message}")
            return None
        _write_private(
            _first_admin_file(),
            f"Steward's first administrator, created {timezone.now():%Y-%m-%d %H:%M %Z}\n"
            f"  log in at: {login_url}\n"
            f"  email:     {FIRST_ADMIN_EMAIL}\n"
            f"  password:  {password}\n"
            "Keep the password somewhere safe, then delete this file.\n",
        )
        return password

    def _print_banner(self, login_url: str, password: str | None) -> None:
        site = login_url.rsplit("/login", 1)[0] + "/"
        lines = ["", f"Steward is running at {site}"]
        if password:
            lines += [
                f"  Log in at {login_url}",
                f"  email:    {FIRST_ADMIN_EMAIL}",
                f"  password: {password}",
                f"  (shown once; also saved in {_first_admin_file()}, readable only by you)",
            ]
        elif _first_admin_file().exists():
            lines += [
                f"  Log in at {login_url}; the first administrator's password is in",
                f"  {_first_admin_file()}",
            ]
        else:
            lines += [
                f"  Log in at {login_url}. To add an administrator:",
                "  .venv/bin/steward createstaff --email you@example.com --role administrator "
                "--generate-password",
            ]
        lines += ["Press Ctrl-C to stop.", ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()


def _first_admin_file() -> Path:
    return Path(settings.DATA_DIR) / "first-admin.txt"


def _write_private(path: Path, text: str) -> None:
    """Writes `text` to a file only its owner can read (created 0600, never world-readable
    even for a moment)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _login_url(host: str, port: int) -> str:
    try:
        path = reverse("login")
    except NoReverseMatch:
        path = "/login/"
    return f"http://{_display_host(host)}:{port}{path}"


def _require_free_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {host}:{port} ({error.strerror}). Is another server "
                f"running there? Choose another port: --port N or STEWARD_PORT=N."
            ) from None


def _die_with_parent() -> None:
    # Runs in the child between fork and exec. The children live in their own session (so
    # a terminal's Ctrl-C reaches only this supervisor, which stops them in order); on Linux
    # they also get SIGTERM if the supervisor itself is killed, instead of living on.
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class _Supervisor:
    """Runs the web server and the worker as child processes, streams their output with a
    prefix, and stops both when told to or when either one dies."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.children: dict[str, subprocess.Popen] = {}
        self.stop_requested = threading.Event()
        self.force = False
        self._write_lock = threading.Lock()
        self._pumps: list[threading.Thread] = []

    def start(self, **commands: list[str]) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, arguments in commands.items():
            self.children[name] = subprocess.Popen(
                [sys.executable, "-m", "steward.cli", *arguments],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        width = max(len(name) for name in self.children)
        for name, child in self.children.items():
            pump = threading.Thread(target=self._pump, args=(name.ljust(width), child), daemon=True)
            pump.start()
            self._pumps.append(pump)

    def _on_signal(self, signum, frame) -> None:
        if self.stop_requested.is_set():
            self.force = True  # a second Ctrl-C: do not wait for requests to finish
        self.stop_requested.set()

    def _pump(self, label: str, child: subprocess.Popen) -> None:
        for raw in iter(child.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._write_lock:
                self.stdout.write(f"{label} | {line}")
                self.stdout.flush()

    def _died(self) -> str | None:
        for name, child in self.children.items():
            if child.poll() is not None:
                return f"The {name} process exited (code {child.returncode}); stopped Steward."
        return None

    def wait_until_listening(self, host: str, port: int, timeout: float = 30.0) -> bool:
        """True once the web server accepts connections; False if it or the wait ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stop_requested.is_set():
            if self._died():
                return False
            try:
                with socket.create_connection((_display_host(host).strip("[]"), port), 0.5):
                    return True
            except OSError:
                time.sleep(0.2)
        return False

    def supervise(self) -> str | None:
        """Blocks until a stop signal or a child's death, then stops all children. Returns
        why Steward stopped when it was not asked to."""
        reason = None
        while not self.stop_requested.wait(0.5):
            reason = self._died()
            if reason:
                break
        self._stop_children()
        return reason

    def _stop_children(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while any(child.poll() is None for child in self.children.values()):
            if self.force or time.monotonic() > deadline:
                for child in self.children.values():
                    if child.poll() is None:
                        child.kill()
            time.sleep(0.1)
        for child in self.children.values():
            child.wait()
        for pump in self._pumps:  # the children's last words
            pump.join(timeout=2)
