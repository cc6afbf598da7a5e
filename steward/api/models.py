"""API tokens: how programs act for a member of staff through the REST API."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from steward.core.models import BaseModel
from steward.core.personal_data import SUBJECT_STAFF, PersonalDataModel, not_personal, personal


class ApiToken(PersonalDataModel, BaseModel):
    """A bearer credential of one staff user: requests made with it act with that user's role
    and record scope. Only the SHA-256 hash of the secret is kept, so a copy of the database
    does not hand out working tokens (Art. 32: security of processing)."""

    user = personal(
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"),
        "online.credentials",
        subject=SUBJECT_STAFF,
    )
    name = not_personal(models.CharField(max_length=100))
    # Public part of the token ("stw_<prefix>_<secret>"): finds the row without a scan and
    # names the token in lists and audit events without revealing the secret.
    prefix = not_personal(models.CharField(max_length=16, unique=True))
    secret_hash = personal(
        models.CharField(max_length=64), "online.credentials", subject=SUBJECT_STAFF
    )
    # When the owner last used it (at minute precision): shows forgotten tokens to revoke.
    last_used_at = personal(
        models.DateTimeField(null=True, blank=True), "online.credentials", subject=SUBJECT_STAFF
    )
    expires_at = not_personal(models.DateTimeField(null=True, blank=True))
    revoked_at = not_personal(models.DateTimeField(null=True, blank=True))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} (stw_{self.prefix}_…)"

    @property
    def is_usable(self) -> bool:
        """Neither revoked nor expired (the user's own state is checked separately)."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"
