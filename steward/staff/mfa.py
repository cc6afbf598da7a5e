"""Second factors of staff sign-in: authenticator apps (TOTP, RFC 6238), security keys and
passkeys (WebAuthn), and one-time recovery codes. ASVS V6: required for the roles named in
STEWARD_MFA_REQUIRED_ROLES (administrator and DPO by default), open to everyone.

Every "works once" rule here is enforced by the database, not by a read followed by a write:
a TOTP code is accepted by an UPDATE that moves the device's last used time step forward only
if it is still behind, a recovery code by an UPDATE of a row still unused, a WebAuthn
signature counter by an UPDATE of a counter still lower. Two web processes checking the same
code at the same moment therefore cannot both accept it."""

import hmac
import json
import secrets
import time
from urllib.parse import urlsplit

import pyotp
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidCBORData,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from steward.audit.events import audit_record
from steward.core.actor import Actor, actor_user
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import require
from steward.crypto.blind_index import blind_index
from steward.staff.models import RecoveryCode, TotpDevice, User, WebAuthnCredential

TOTP_INTERVAL = 30
TOTP_DIGITS = 6
# One step either side: a phone clock 30 s off still works, a code lives at most ~90 s.
TOTP_DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 16 characters of a 32-letter alphabet: 80 bits, beyond guessing even offline.
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECOVERY_CODE_LENGTH = 16
ISSUER = "Steward"


def _recovery_code_hash(normalised: str) -> str:
    # A keyed hash (steward.crypto's blind index: HMAC under a key outside the database), so
    # a database dump gives nothing to test guesses against offline.
    table = RecoveryCode._meta.db_table
    return blind_index(table, "code_hash", normalised, normalise=lambda value: value)


# -- Policy -------------------------------------------------------------------------------


def mfa_required_for(user: User) -> bool:
    """Whether `user`'s role must sign in with a second factor."""
    return user.role in settings.STEWARD_MFA_REQUIRED_ROLES


def has_second_factor(user: User) -> bool:
    """Whether `user` has a confirmed authenticator app or a registered security key."""
    return (
        TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
        or WebAuthnCredential.objects.filter(user=user).exists()
    )


def second_factors_of(user: User) -> dict:
    """What `user` has set up, for the security page."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    return {
        "totp": device,
        "webauthn": list(WebAuthnCredential.objects.filter(user=user).order_by("created_at")),
        "recovery_codes_left": RecoveryCode.objects.filter(user=user, used_at=None).count(),
    }


def _refuse_removing_last_factor(user: User, *, removing: str) -> None:
    if not mfa_required_for(user):
        return
    has_totp = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    keys = WebAuthnCredential.objects.filter(user=user).count()
    left = (0 if removing == "totp" else int(has_totp)) + keys - (removing == "webauthn")
    if left < 1:
        raise ValidationFailed(
            f"Your role ({user.get_role_display()}) must sign in with a second factor; add "
            "another one before removing this one."
        )


# -- Authenticator apps (TOTP) -------------------------------------------------------------


def totp_secret(device: TotpDevice) -> str:
    """The device's shared secret (base32), decrypted."""
    return device.secret


def totp_provisioning_uri(device: TotpDevice) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(
        totp_secret(device), digits=TOTP_DIGITS, interval=TOTP_INTERVAL
    ).provisioning_uri(name=device.user.email, issuer_name=ISSUER)


def totp_enrolment_start(*, actor: Actor, user: User) -> TotpDevice:
    """A new, unconfirmed authenticator app with a fresh secret (replacing an earlier
    unconfirmed one). It does nothing until a code from it is confirmed."""
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        existing = TotpDevice.objects.filter(user=current).first()
        if existing is not None and existing.is_confirmed:
            raise Conflict("You already have an authenticator app; remove it to set up another.")
        if existing is not None:
            existing.delete()
        device = TotpDevice(user=current, secret=pyotp.random_base32(length=32))
        device.save(force_insert=True)
    return device


def totp_pending_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(code.split())
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)
    current = int(now) // TOTP_INTERVAL
    matched = None
    # Every candidate is compared (no early exit), in constant time.
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * TOTP_INTERVAL), code):
            matched = step
    return matched


def totp_enrolment_confirm(*, actor: Actor, user: User, code: str) -> list[str] | None:
    """Activates the pending authenticator app once a code from it checks out, so a
    mistyped secret cannot lock anyone out. Returns new recovery codes when the user had
    none (to be shown once), else None."""
    device = totp_pending_device(user)
    if device is None:
        raise NotFound("There is no authenticator app waiting to be confirmed; start again.")
    step = _matching_step(totp_secret(device), code, time.time())
    if step is None:
        raise ValidationFailed(
            "That code does not match. Check the phone's clock and type the current code.",
            field_errors={"code": ["That code does not match."]},
        )
    with transaction.atomic():
        confirmed = TotpDevice.objects.filter(
            pk=device.pk, confirmed_at__isnull=True, last_used_step__lt=step
        ).update(confirmed_at=timezone.now(), last_used_step=step)
        if not confirmed:
            raise ValidationFailed(
                "That code was already used; wait for the next one.",
                field_errors={"code": ["That code was already used."]},
            )
        audit_record(actor=actor, action="staff.mfa_totp_added", target=user)
        codes = None
        if not RecoveryCode.objects.filter(user=user, used_at=None).exists():
            codes = _recovery_codes_replace(actor=actor, user=user)
    return codes


def totp_verify(*, user: User, code: str, now: float | None = None) -> bool:
    """Whether `code` is a current code of `user`'s authenticator app that was not used
    before. Accepting it and marking it used are one conditional UPDATE: of two processes
    checking the same code at once, exactly one sees its UPDATE change a row."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = _matching_step(totp_secret(device), code, time.time() if now is None else now)
    if step is None:
        return False
    accepted = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
        last_used_step=step
    )
    return accepted == 1


def totp_remove(*, actor: Actor, user: User) -> None:
    """Removes `user`'s authenticator app (refused when it is their role's last factor)."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        device = TotpDevice.objects.filter(user=user).first()
        if device is None:
            raise NotFound("There is no authenticator app to remove.")
        if device.is_confirmed:
            _refuse_removing_last_factor(user, removing="totp")
        device.delete()
        audit_record(actor=actor, action="staff.mfa_totp_removed", target=user)


# -- Recovery codes -------------------------------------------------------------------------


def _normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _format_recovery_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _recovery_codes_replace(*, actor: Actor, user: User) -> list[str]:
    raw = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_recovery_code_hash(code)) for code in raw
    )
    audit_record(actor=actor, action="staff.mfa_recovery_codes_generated", target=user)
    return [_format_recovery_code(code) for code in raw]


def recovery_codes_generate(*, actor: Actor, user: User) -> list[str]:
    """A new set of recovery codes for `user`, replacing the old set; shown once."""
    if not has_second_factor(user):
        raise ValidationFailed("Set up an authenticator app or a security key first.")
    with transaction.atomic():
        return _recovery_codes_replace(actor=actor, user=user)


def recovery_code_use(*, user: User, code: str) -> bool:
    """Spends one of `user`'s recovery codes: true if it was valid and still unused."""
    normalised = _normalise_recovery_code(code)
    if len(normalised) != RECOVERY_CODE_LENGTH:
        return False
    with transaction.atomic():
        spent = RecoveryCode.objects.filter(
            user=user, code_hash=_recovery_code_hash(normalised), used_at=None
        ).update(used_at=timezone.now())
        if spent:
            audit_record(actor=user, action="staff.mfa_recovery_code_used", target=user)
    return spent == 1


def second_factor_verify(*, user: User, code: str) -> str | None:
    """Checks a code typed at sign-in: an authenticator code or a recovery code. Returns
    which one worked ("totp" or "recovery_code"), None when neither did."""
    compact = "".join(code.split())
    if compact.isdigit():
        return "totp" if totp_verify(user=user, code=compact) else None
    return "recovery_code" if recovery_code_use(user=user, code=code) else None


# -- Security keys and passkeys (WebAuthn) ---------------------------------------------------


def webauthn_rp_id() -> str:
    return settings.STEWARD_WEBAUTHN_RP_ID or (urlsplit(settings.SITE_URL).hostname or "")


def webauthn_origin() -> str:
    if settings.STEWARD_WEBAUTHN_ORIGIN:
        return settings.STEWARD_WEBAUTHN_ORIGIN
    parts = urlsplit(settings.SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def webauthn_registration_options(*, user: User) -> tuple[str, bytes]:
    """The options for navigator.credentials.create() (JSON) and their challenge, which the
    caller keeps (in the session) to check the answer against."""
    options = generate_registration_options(
        rp_id=webauthn_rp_id(),
        rp_name=ISSUER,
        user_id=user.pk.bytes,
        user_name=user.email,
        user_display_name=user.full_name or user.email,
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(c.credential_id))
            for c in WebAuthnCredential.objects.filter(user=user)
        ],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return options_to_json(options), options.challenge


def _credential_json(credential: str | dict) -> dict:
    try:
        data = json.loads(credential) if isinstance(credential, str) else dict(credential)
    except (ValueError, TypeError):
        raise ValidationFailed("The security key's answer could not be read.") from None
    if not isinstance(data, dict):
        raise ValidationFailed("The security key's answer could not be read.")
    return data


def webauthn_register(
    *, actor: Actor, user: User, name: str, credential: str | dict, challenge: bytes
) -> WebAuthnCredential:
    """Registers a security key after checking its attestation against `challenge` and this
    site's relying-party id and origin."""
    name = (name or "").strip()[:80] or "Security key"
    data = _credential_json(credential)
    try:
        verified = verify_registration_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=webauthn_rp_id(),
            expected_origin=webauthn_origin(),
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, InvalidCBORData, ValueError) as e:
        raise ValidationFailed(f"The security key could not be registered: {e}") from None
    transports = data.get("response", {}).get("transports") or []
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if WebAuthnCredential.objects.filter(credential_id=verified.credential_id).exists():
            raise Conflict("This security key is already registered.")
        key = WebAuthnCredential.objects.create(
            user=user,
            name=name,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[str(t) for t in transports if isinstance(t, str)][:10],
        )
        audit_record(
            actor=actor,
            action="staff.mfa_webauthn_added",
            target=user,
            changes={"name": [None, name]},
        )
    return key


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at=None).count()


def webauthn_authentication_options(*, user: User) -> tuple[str, bytes]:
    """The options for navigator.credentials.get() (JSON) and their challenge."""
    options = generate_authentication_options(
        rp_id=webauthn_rp_id(),
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(c.credential_id))
            for c in WebAuthnCredential.objects.filter(user=user)
        ],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), options.challenge


def webauthn_authenticate(*, user: User, credential: str | dict, challenge: bytes) -> bool:
    """Whether `credential` is a valid signature of `challenge` by one of `user`'s keys. The
    signature counter moves forward by a conditional UPDATE: a replayed or cloned key's
    answer, whose counter is not above the stored one, is refused."""
    try:
        data = _credential_json(credential)
        raw_id = base64url_to_bytes(str(data.get("rawId") or data.get("id") or ""))
    except (ValidationFailed, ValueError):
        return False
    key = WebAuthnCredential.objects.filter(user=user, credential_id=raw_id).first()
    if key is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=webauthn_rp_id(),
            expected_origin=webauthn_origin(),
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (InvalidAuthenticationResponse, InvalidJSONStructure, InvalidCBORData, ValueError):
        return False
    rows = WebAuthnCredential.objects.filter(pk=key.pk)
    if verified.new_sign_count or key.sign_count:
        rows = rows.filter(sign_count__lt=verified.new_sign_count)
    return rows.update(sign_count=verified.new_sign_count, last_used_at=timezone.now()) == 1


def webauthn_remove(*, actor: Actor, user: User, key_id) -> None:
    """Removes one of `user`'s security keys (refused when it is their role's last factor)."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        key = WebAuthnCredential.objects.filter(user=user, pk=key_id).first()
        if key is None:
            raise NotFound("No such security key.")
        _refuse_removing_last_factor(user, removing="webauthn")
        key.delete()
        audit_record(
            actor=actor,
            action="staff.mfa_webauthn_removed",
            target=user,
            changes={"name": [key.name, None]},
        )


def second_factors_reset(*, actor: Actor, user: User) -> None:
    """Removes every second factor of `user` (a lost phone and lost recovery codes) and ends
    their sessions; at their next sign-in they enrol again if their role requires it. Only an
    administrator, and never for themselves: a stolen session must not be able to strip its
    own account's second factor."""
    require(actor, "staff.manage")
    if actor_user(actor) is not None and actor.pk == user.pk:
        raise ValidationFailed(
            "You cannot reset your own second factors; ask another administrator."
        )
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        removed = {
            "totp": TotpDevice.objects.filter(user=current).delete()[0],
            "webauthn": WebAuthnCredential.objects.filter(user=current).delete()[0],
            "recovery_codes": RecoveryCode.objects.filter(user=current).delete()[0],
        }
        User.objects.filter(pk=current.pk).update(session_generation=F("session_generation") + 1)
        audit_record(
            actor=actor,
            action="staff.mfa_reset",
            target=current,
            changes={name: [count, 0] for name, count in removed.items()},
        )
