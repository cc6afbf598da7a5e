"""Signed links the portal sends and serves: verification (single use, expiring), the status
page (expiring), the export download (minutes). Each kind has its own salt, so a token of one
kind is never accepted as another; single use is kept by the request's nonce hash."""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

_VERIFY = "steward.rights.verify"
_STATUS = "steward.rights.status"
_DOWNLOAD = "steward.rights.download"


class LinkInvalid(Exception):
    """A forged, altered, expired or already used link (the page says no more than that)."""


@dataclass(frozen=True)
class VerificationLink:
    token: str
    nonce_hash: str


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def verification_link_make(request_id) -> VerificationLink:
    nonce = secrets.token_urlsafe(24)
    token = signing.dumps({"r": str(request_id), "n": nonce}, salt=_VERIFY, compress=True)
    return VerificationLink(token=token, nonce_hash=nonce_hash(nonce))


def verification_link_read(token: str) -> tuple[str, str]:
    """(request id, nonce hash) of a genuine, unexpired verification token."""
    max_age = settings.STEWARD_RIGHTS_VERIFY_LINK_HOURS * 3600
    payload = _load(token, _VERIFY, max_age)
    return payload["r"], nonce_hash(payload["n"])


def status_token_make(request_id) -> str:
    return signing.dumps({"r": str(request_id)}, salt=_STATUS, compress=True)


def status_token_read(token: str) -> str:
    return _load(token, _STATUS, settings.STEWARD_RIGHTS_STATUS_LINK_DAYS * 86400)["r"]


def download_token_make(request_id, fmt: str) -> str:
    return signing.dumps({"r": str(request_id), "f": fmt}, salt=_DOWNLOAD, compress=True)


def download_token_read(token: str) -> tuple[str, str]:
    payload = _load(token, _DOWNLOAD, settings.STEWARD_RIGHTS_DOWNLOAD_LINK_MINUTES * 60)
    return payload["r"], payload["f"]


def _load(token: str, salt: str, max_age: int) -> dict:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one too
        raise LinkInvalid from None
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), str):
        raise LinkInvalid
    return payload
