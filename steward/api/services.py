"""Writes behind the API: issuing and revoking tokens, and the few compositions of domain
services an API call needs in one transaction."""

import datetime
import hashlib
import secrets
import string

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from steward.api.models import ApiToken
from steward.audit.events import audit_record
from steward.contacts.models import Contact, ContactMethod
from steward.contacts.normalise import normalise_email, normalise_phone
from steward.contacts.services import contact_method_add, contact_method_remove
from steward.core.actor import Actor, SystemActor
from steward.core.errors import PermissionDenied, ValidationFailed
from steward.staff.models import User

TOKEN_PREFIX = "stw"
# Lower-case letters and digits only: no "_" inside the parts, so the token splits cleanly,
# and a double click selects the whole token in a terminal.
_ALPHABET = string.ascii_lowercase + string.digits
PREFIX_LENGTH = 8
SECRET_LENGTH = 40  # ~206 bits: a fast hash (SHA-256) is enough, no key stretching needed
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def token_hash(plaintext: str) -> str:
    """The SHA-256 hex digest kept instead of the token itself."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _may_manage_tokens_of(actor: Actor, user: User) -> bool:
    if isinstance(actor, SystemActor):
        return True
    return actor.pk == user.pk or actor.can("staff.manage")


def token_create(
    *,
    actor: Actor,
    user: User,
    name: str,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issues a token for `user` (who may create tokens for themselves; administrators for
    anyone). Returns the row and the plaintext, which is shown once and never stored."""
    if not _may_manage_tokens_of(actor, user):
        raise PermissionDenied("You may only create API tokens for yourself.")
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the token a name that says where it is used."]
    elif len(name) > 100:
        errors["name"] = ["At most 100 characters."]
    if not user.is_active:
        errors["user"] = ["This staff account is deactivated."]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["The expiry date must be in the future."]
    if errors:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise ValidationFailed(f"Please correct: {summary}", field_errors=errors)
    for _attempt in range(5):
        prefix = _random(PREFIX_LENGTH)
        plaintext = f"{TOKEN_PREFIX}_{prefix}_{_random(SECRET_LENGTH)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    secret_hash=token_hash(plaintext),
                    expires_at=expires_at,
                )
                changes = {
                    "user": [None, str(user.pk)],
                    "name": [None, name],
                    "prefix": [None, prefix],
                }
                if expires_at is not None:
                    changes["expires_at"] = [None, expires_at]
                audit_record(actor=actor, action="api_token.created", target=token, changes=changes)
        except IntegrityError:
            # 36^8 prefixes make a clash rare, not impossible: draw again.
            continue
        return token, plaintext
    raise RuntimeError("Could not draw an unused token prefix.")


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revokes a token for good; requests with it get 401 from then on. Revoking a revoked
    token changes nothing and records nothing."""
    if not _may_manage_tokens_of(actor, token.user):
        raise PermissionDenied("You may only revoke your own API tokens.")
    with transaction.atomic():
        current = ApiToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is None:
            current.revoked_at = timezone.now()
            current.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                actor=actor,
                action="api_token.revoked",
                target=current,
                changes={"revoked_at": [None, current.revoked_at]},
            )
    return current


def token_mark_used(*, token: ApiToken) -> None:
    """Records that a token was just used, at most once per LAST_USED_PRECISION. Not audited:
    it is bookkeeping, and an audit row per minute of use would drown the trail."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    # A conditional UPDATE: of several requests racing here, one writes, the rest match no row.
    stale_before = now - LAST_USED_PRECISION
    updated = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before))
        .update(last_used_at=now)
    )
    if updated:
        token.last_used_at = now


def _method_value(kind: str, value: str, country: str) -> str:
    """The value as contact_method_add will store it, so a resent list is recognised."""
    try:
        if kind == "email":
            return normalise_email(value)
        return normalise_phone(value, country)
    except ValueError:
        # Left as typed: contact_method_add reports the problem with the field named.
        return value


def contact_methods_set(
    *, actor: Actor, contact: Contact, kind: str, methods: list[dict[str, str]]
) -> None:
    """Makes a contact's further emails (or phones) exactly `methods` ({"value", "label"}):
    the API sends the whole list, like a form. Each addition and removal goes through the
    contact services, so each is permission-checked and audited; all or nothing."""
    country = contact.country.code or ""
    wanted: dict[str, str] = {}
    for position, method in enumerate(methods):
        value = _method_value(kind, method.get("value", ""), country)
        if value in wanted:
            field = f"additional_{kind}s.{position}.value"
            raise ValidationFailed(
                f"{value} is listed twice.", field_errors={field: ["Listed twice."]}
            )
        wanted[value] = method.get("label", "")
    with transaction.atomic():
        existing = {m.value: m for m in ContactMethod.objects.filter(contact=contact, kind=kind)}
        for value, method in existing.items():
            if value not in wanted or wanted[value] != method.label:
                contact_method_remove(actor=actor, method=method)
        for position, (value, label) in enumerate(wanted.items()):
            kept = existing.get(value)
            if kept is not None and kept.label == label:
                continue
            try:
                contact_method_add(
                    actor=actor, contact=contact, kind=kind, value=value, label=label
                )
            except ValidationFailed as error:
                field = f"additional_{kind}s.{position}.value"
                raise ValidationFailed(
                    f"{field}: {error.message}", field_errors={field: [error.message]}
                ) from None
