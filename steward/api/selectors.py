"""Reads behind the API: tokens, and the staff and teams API calls refer to. Records
(contacts, deals, ...) are read through their own apps' selectors, never here."""

import hmac
import re

from django.db.models import QuerySet

from steward.api.models import ApiToken
from steward.api.services import token_hash
from steward.staff.models import Team, User

TOKEN_PATTERN = re.compile(r"^stw_(?P<prefix>[a-z0-9]{8})_[a-z0-9]{40}$")
# Compared against when no row matches, so an unknown prefix costs the same hash and
# comparison as a known one.
_NO_MATCH = "0" * 64


def token_list(*, user: User | None = None) -> QuerySet[ApiToken]:
    """Tokens, newest first; those of one user when `user` is given."""
    qs = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    if user is not None:
        qs = qs.filter(user=user)
    return qs


def token_by_prefix(*, prefix: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(prefix=prefix.strip()).first()


def token_authenticate(*, plaintext: str) -> ApiToken | None:
    """The usable token `plaintext` is, or None: unknown, revoked and expired tokens and
    tokens of deactivated staff are all simply not valid (the caller cannot tell which)."""
    match = TOKEN_PATTERN.match(plaintext)
    if match is None:
        return None
    token = token_by_prefix(prefix=match["prefix"])
    stored = token.secret_hash if token is not None else _NO_MATCH
    if not hmac.compare_digest(stored, token_hash(plaintext)):
        return None
    assert token is not None
    if not token.is_usable or not token.user.is_active:
        return None
    return token


def staff_by_email(*, email: str) -> User | None:
    """A member of staff (active or not) by their normalised email address."""
    return User.objects.filter(email=email).first()


def team_get(*, pk) -> Team | None:
    """A team by id. Teams are shared set-up every member of staff may see, not scoped."""
    return Team.objects.filter(pk=pk).first()
