"""`steward serve`: the production web server, gunicorn with sync workers running
config.wsgi. Static files are collected first and served by WhiteNoise, so no other server
is needed in front for a small install (a TLS proxy is, for anything public)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from steward.core.env import env_int, env_str


class _GracefulArbiter(Arbiter):
    # gunicorn treats SIGINT as a quick shutdown that cuts requests off; Steward stops on
    # SIGINT (Ctrl-C) as on SIGTERM, letting requests in flight finish within the graceful
    # timeout. A second SIGINT during that wait still stops at once.
    def handle_int(self):
        raise StopIteration


class StewardWebServer(BaseApplication):
    """gunicorn configured in code: no config file to drift from the settings."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from config.wsgi import application

        return application

    def run(self):
        _GracefulArbiter(self).run()


def add_listen_arguments(parser) -> None:
    """--host and --port, shared with `steward run`."""
    parser.add_argument(
        "--host",
        default=env_str("STEWARD_HOST", "127.0.0.1"),
        help="Address to listen on (default 127.0.0.1, or STEWARD_HOST).",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=env_int("STEWARD_PORT", 8000),
        help="Port to listen on (default 8000, or STEWARD_PORT).",
    )


class Command(BaseCommand):
    help = "Serve Steward with gunicorn (stops gracefully on SIGTERM or Ctrl-C)."

    def add_arguments(self, parser):
        add_listen_arguments(parser)
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("STEWARD_WEB_WORKERS", 2),
            help="Number of web worker processes (default 2, or STEWARD_WEB_WORKERS).",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=env_int("STEWARD_WEB_TIMEOUT", 60),
            help="Seconds a request may run before its worker is restarted (default 60).",
        )

    def handle(self, *args, **options):
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        # The manifest storage needs collected files; unchanged files are not copied again.
        call_command("collectstatic", interactive=False, verbosity=0)
        host = options["host"]
        bind = f"[{host}]:{options['port']}" if ":" in host else f"{host}:{options['port']}"
        server = StewardWebServer(
            {
                "bind": [bind],
                "workers": options["workers"],
                "worker_class": "sync",
                "timeout": options["timeout"],
                "graceful_timeout": 30,
                "keepalive": 5,
                # Recycle workers now and then, so a slow leak cannot grow without bound;
                # the jitter keeps them from all restarting at once.
                "max_requests": 2000,
                "max_requests_jitter": 200,
                "accesslog": "-",
                "errorlog": "-",
                "loglevel": "info",
                "proc_name": "steward-web",
                # gunicorn's control socket defaults to one path per user, which two
                # installs (or a test run beside a dev server) would fight over.
                "control_socket_disable": True,
                "forwarded_allow_ips": env_str("STEWARD_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
            }
        )
        self.stdout.write(
            f"Serving Steward on http://{bind}/ with {options['workers']} worker(s) "
            f"(static files from {settings.STATIC_ROOT})"
        )
        self.stdout.flush()
        server.run()
