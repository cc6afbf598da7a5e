"""Bearer-token authentication: `Authorization: Bearer stw_<prefix>_<secret>`. A request
acts as the token's user, with that user's role and record scope."""

from functools import wraps

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from steward.api.selectors import token_authenticate
from steward.api.services import token_mark_used
from steward.audit.context import audit_context
from steward.staff.models import User

MISSING = "Authentication required: send the header 'Authorization: Bearer <token>'."
INVALID = "The API token is invalid, expired or revoked."


class TokenAuth(HttpBearer):
    """Checks the bearer token; sets request.auth to the token's user and request.api_token
    to the token."""

    def __call__(self, request: HttpRequest) -> User:
        header = request.headers.get(self.header, "")
        scheme, _, value = header.partition(" ")
        if not header:
            raise AuthenticationError(401, MISSING)
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthenticationError(401, MISSING)
        return self.authenticate(request, value.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        api_token = token_authenticate(plaintext=token)
        if api_token is None:
            raise AuthenticationError(401, INVALID)
        token_mark_used(token=api_token)
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


def with_token_in_audit_context(view_func):
    """Names the token in the audit context of each API write, so the trail shows which
    token (and not only which user) made a change: what to review after a token leaks."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        token = getattr(request, "api_token", None)
        if token is None:
            return view_func(request, *args, **kwargs)
        with audit_context(api_token=token.prefix):
            return view_func(request, *args, **kwargs)

    return wrapper
