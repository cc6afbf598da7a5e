"""Domain errors raised by services; interfaces (views, API, commands) turn them into
messages for people. Each carries per-field errors where a field is to blame."""


class DomainError(Exception):
    """A request the domain refuses, with a message a person can act on."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    """Input that does not satisfy the domain's rules; nothing was changed."""


class PermissionDenied(DomainError):
    """The actor's role or scope does not allow this act; nothing was changed."""


class NotFound(DomainError):
    """The record does not exist or is outside what the actor may see."""


class Conflict(DomainError):
    """The act clashes with existing data (e.g. a duplicate email)."""
