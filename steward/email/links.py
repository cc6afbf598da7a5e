"""The signed links every email carries: the sign-up's confirmation link (expiring, bound to
the address and the topics asked for), the preference centre (per person, no account) and
the one-click unsubscribe (per person and topic, RFC 8058).

Each kind has its own salt, so a token of one kind never passes as another. A token is
Django's signed object (HMAC-SHA256 under SECRET_KEY): changing any byte of it, or of the
address or topics inside it, breaks the signature."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.urls import reverse

_CONFIRM = "steward.email.confirm"
_PREFERENCES = "steward.email.preferences"
_UNSUBSCRIBE = "steward.email.unsubscribe"


class LinkInvalid(Exception):
    """A link that confirms nothing: `reason` is "forged" (bad signature, altered), "expired"
    or "used" (already confirmed once)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ConfirmClaim:
    """What a valid confirmation link says: which sign-up, for which address and topics."""

    signup_id: str
    email: str
    topics: tuple[str, ...]


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def confirm_token(*, signup_id, email: str, topics: list[str]) -> str:
    return signing.TimestampSigner(salt=_CONFIRM).sign_object(
        {"t": str(signup_id), "e": email, "k": sorted(topics)}, compress=True
    )


def confirm_claim(token: str, *, max_age: datetime.timedelta) -> ConfirmClaim:
    """The claim of a confirmation token; LinkInvalid("forged") for a bad signature or an
    altered payload, LinkInvalid("expired") past `max_age`."""
    try:
        data = signing.TimestampSigner(salt=_CONFIRM).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkInvalid("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid("forged") from None
    if not isinstance(data, dict) or not {"t", "e", "k"} <= data.keys():
        raise LinkInvalid("forged")
    return ConfirmClaim(str(data["t"]), str(data["e"]), tuple(str(k) for k in data["k"]))


def confirm_url(token: str) -> str:
    return absolute(reverse("email:confirm", args=[token]))


def preferences_token(contact_id) -> str:
    return signing.Signer(salt=_PREFERENCES).sign(str(contact_id))


def preferences_contact_id(token: str) -> str:
    try:
        return signing.Signer(salt=_PREFERENCES).unsign(token)
    except signing.BadSignature:
        raise LinkInvalid("forged") from None


def preferences_url(contact_id) -> str:
    return absolute(reverse("email:preferences", args=[preferences_token(contact_id)]))


def unsubscribe_token(contact_id, topic_key: str) -> str:
    return signing.Signer(salt=_UNSUBSCRIBE).sign(f"{contact_id}.{topic_key}")


def unsubscribe_claim(token: str) -> tuple[str, str]:
    """(contact id, topic key) of a one-click unsubscribe token."""
    try:
        value = signing.Signer(salt=_UNSUBSCRIBE).unsign(token)
    except signing.BadSignature:
        raise LinkInvalid("forged") from None
    contact_id, _, topic_key = value.partition(".")
    if not contact_id or not topic_key:
        raise LinkInvalid("forged")
    return contact_id, topic_key


def unsubscribe_url(contact_id, topic_key: str) -> str:
    return absolute(reverse("email:unsubscribe", args=[unsubscribe_token(contact_id, topic_key)]))


def unsubscribe_mailto(contact_id, topic_key: str) -> str:
    token = unsubscribe_token(contact_id, topic_key)
    return f"mailto:{settings.STEWARD_UNSUBSCRIBE_MAILTO}?subject={quote('unsubscribe ' + token)}"
