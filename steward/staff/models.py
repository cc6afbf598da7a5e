"""Staff users (who log in, own records and act) and the teams they work in."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models

from steward.core.models import BaseModel
from steward.core.personal_data import SUBJECT_STAFF, PersonalDataModel, not_personal, personal
from steward.crypto.fields import EncryptedCharField
from steward.staff.roles import Role


class Team(BaseModel):
    """A group of staff; records can be scoped to a team."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    # Used by Django's own machinery (tests, createsuperuser); Steward's code creates staff
    # through steward.staff.services.staff_create, which audits the act.
    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", Role.ADMINISTRATOR)
        return self.create_user(email, password, **extra)


class User(PersonalDataModel, BaseModel, AbstractBaseUser):
    """A member of staff. Logs in with an email address; their role decides what they may do."""

    email = personal(models.EmailField(unique=True), "contact.email", subject=SUBJECT_STAFF)
    full_name = personal(models.CharField(max_length=200), "identity.name", subject=SUBJECT_STAFF)
    role = not_personal(models.CharField(max_length=20, choices=Role.choices, default=Role.SALES))
    team = not_personal(
        models.ForeignKey(
            Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
        )
    )
    is_active = not_personal(models.BooleanField(default=True))
    password = personal(
        models.CharField(max_length=128), "online.credentials", subject=SUBJECT_STAFF
    )
    last_login = personal(
        models.DateTimeField(blank=True, null=True), "online.credentials", subject=SUBJECT_STAFF
    )
    # Raised to end every session of the user at once (see _get_session_auth_hash).
    session_generation = not_personal(models.PositiveIntegerField(default=0))

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    # Steward's permissions come from the role table (steward.staff.roles), not from
    # django.contrib.auth's per-user permission rows.
    def can(self, permission: str) -> bool:
        from steward.staff.role_permissions import role_permissions

        return self.is_active and permission in role_permissions(self.role)

    @property
    def is_staff(self) -> bool:
        return True

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    def _get_session_auth_hash(self, secret=None):
        # Django ends every session whose stored hash no longer matches this one. It is
        # derived from the password hash (a password change ends the other sessions) and
        # from `session_generation`, which staff_deactivate raises: a deactivated account's
        # sessions stay dead even after it is reactivated. The database session backend has
        # no index by user, so this is how "end all of a user's sessions" is done without
        # scanning every session row.
        from django.utils.crypto import salted_hmac

        key_salt = "steward.staff.models.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class TotpDevice(PersonalDataModel, BaseModel):
    """A staff member's authenticator app (RFC 6238 TOTP, 30-second steps, 6 digits). The
    shared secret is encrypted under the user's own data key (steward.crypto), never stored
    in clear. A code is accepted once: `last_used_step` only moves forward, through a
    conditional UPDATE."""

    user = not_personal(
        models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    )
    secret = personal(
        EncryptedCharField(max_length=64, key_owner=(("staff", "user_id"),)),
        "online.credentials",
        subject=SUBJECT_STAFF,
    )
    confirmed_at = not_personal(models.DateTimeField(null=True, blank=True))
    last_used_step = not_personal(models.BigIntegerField(default=0))

    def __str__(self) -> str:
        return f"Authenticator app of {self.user}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class WebAuthnCredential(PersonalDataModel, BaseModel):
    """A security key or passkey registered by a staff member (WebAuthn). Only the public key
    is kept; `sign_count` is the authenticator's counter, checked to spot a cloned key."""

    user = not_personal(
        models.ForeignKey(User, on_delete=models.CASCADE, related_name="webauthn_credentials")
    )
    name = not_personal(models.CharField(max_length=80))
    credential_id = personal(
        models.BinaryField(max_length=1023), "online.credentials", subject=SUBJECT_STAFF
    )
    public_key = personal(models.BinaryField(), "online.credentials", subject=SUBJECT_STAFF)
    sign_count = not_personal(models.BigIntegerField(default=0))
    transports = not_personal(models.JSONField(default=list, blank=True))
    last_used_at = personal(
        models.DateTimeField(null=True, blank=True), "online.credentials", subject=SUBJECT_STAFF
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["credential_id"], name="webauthn_credential_unique")
        ]

    def __str__(self) -> str:
        return self.name


class RecoveryCode(PersonalDataModel, BaseModel):
    """A one-time code for when the authenticator is lost. Only a keyed hash is stored; a code
    is spent by a conditional UPDATE (used_at IS NULL), so it works once."""

    user = not_personal(
        models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    )
    code_hash = personal(
        models.CharField(max_length=64), "online.credentials", subject=SUBJECT_STAFF
    )
    used_at = not_personal(models.DateTimeField(null=True, blank=True))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"Recovery code of {self.user}"


class RolePermission(BaseModel):
    """An administrator's change to a role's default permissions (steward.staff.roles):
    `granted` adds the permission to the role, `granted=False` takes it away. The role's
    permissions are the defaults with these applied (steward.staff.role_permissions)."""

    role = models.CharField(max_length=20, choices=Role.choices)
    permission = models.CharField(max_length=50)
    granted = models.BooleanField()

    class Meta:
        ordering = ["role", "permission"]
        constraints = [
            models.UniqueConstraint(fields=["role", "permission"], name="role_permission_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role}: {'+' if self.granted else '-'}{self.permission}"
