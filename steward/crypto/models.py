"""The data keys (one or more versions per person, each wrapped by a master key) and the
progress of a re-encryption pass.

These tables can live in a database of their own (STEWARD_KEYS_DATABASE_URL, see
steward.crypto.router): crypto-shredding reaches old backups of the data only when the
wrapped keys are not in those backups. A destroyed key keeps its row, without the key,
as the erasure journal: restoring a data backup cannot bring the person back as long as
the key table is not restored along with it."""

from django.db import models

from steward.core.models import BaseModel
from steward.crypto.choices import DataKeyState, ReencryptionStatus


class DataKey(BaseModel):
    """One version of one owner's data key, wrapped (AES-256-GCM, associated data = key id
    and owner) by the master key `master_key_id`. The owner is "contact:<uuid>",
    "organisation:<uuid>" or "system" (data that belongs to no person); the id of a
    contact is a pseudonym, not personal data by itself."""

    owner = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    algorithm = models.CharField(max_length=20, default="AES-256-GCM")
    master_key_id = models.CharField(max_length=40, blank=True)
    # Nonce + ciphertext + tag of the 32-byte key; NULL once destroyed.
    wrapped = models.BinaryField(null=True)
    state = models.CharField(
        max_length=10, choices=DataKeyState.choices, default=DataKeyState.ACTIVE
    )
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["owner", "version"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "version"], name="data_key_owner_version")
        ]
        indexes = [
            # Rotation reads the keys still wrapped under an old master key, in id order.
            models.Index(fields=["master_key_id", "id"], name="data_key_master_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} v{self.version} ({self.state})"


class ReencryptionRun(BaseModel):
    """One pass of re-encryption over one model: where it got to, so that an interrupted
    pass resumes after the last batch it committed."""

    model_label = models.CharField(max_length=100)
    status = models.CharField(
        max_length=10, choices=ReencryptionStatus.choices, default=ReencryptionStatus.RUNNING
    )
    last_id = models.UUIDField(null=True, blank=True)
    scanned = models.PositiveIntegerField(default=0)
    rewritten = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Re-encryption of {self.model_label} ({self.status})"
