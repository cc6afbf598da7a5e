"""Where the current act comes from (web, api, cli, worker; the client address), carried
in a context variable so services record it without every caller passing it along."""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("steward_audit_context")


def current_context() -> dict:
    return dict(_context.get({}))


@contextmanager
def audit_context(**values) -> Iterator[None]:
    token = _context.set({**_context.get({}), **values})
    try:
        yield
    finally:
        _context.reset(token)


class AuditContextMiddleware:
    """Records the channel and client address of each web or API request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        with audit_context(channel=channel, ip=request.META.get("REMOTE_ADDR", "")):
            return self.get_response(request)
