"""The audit trail: one append-only row per state change, written in the same transaction
as the change itself and linked into a hash chain (steward.core.chain), with signed
checkpoints of every chain so that edits, deletions, reordering and a cut-off tail show."""

from django.conf import settings
from django.db import models

from steward.core.chain import Chained
from steward.core.personal_data import (
    SUBJECT_MENTIONED,
    SUBJECT_STAFF,
    PersonalDataModel,
    not_personal,
    personal,
)
from steward.crypto.sealed_values import SealedEntriesJSONField, stored


class AuditEvent(PersonalDataModel, Chained):
    """Who did what to which record, with the old and new values of the changed fields.
    Never updated, never deleted (on PostgreSQL a trigger refuses both)."""

    chain_prefix = "audit"

    # A monotonically increasing sequence (not a UUID): the trail's order is part of its
    # meaning; `seq` is the chain's gapless position, `id` the insertion order.
    id = models.BigAutoField(primary_key=True)
    occurred_at = not_personal(models.DateTimeField(db_index=True))
    actor = personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            # The trail must outlive the user row it names, unchanged: SET_NULL would rewrite
            # chained rows (and the append-only trigger would refuse the user's deletion).
            on_delete=models.DO_NOTHING,
            related_name="+",
            db_constraint=False,
        ),
        "audit",
        subject=SUBJECT_STAFF,
    )
    actor_label = personal(models.CharField(max_length=254), "audit", subject=SUBJECT_STAFF)
    action = not_personal(models.CharField(max_length=64, db_index=True))
    object_type = not_personal(models.CharField(max_length=64))
    object_id = not_personal(models.CharField(max_length=64))
    # Reading `changes` or `context` opens their sealed entries (steward.audit.sealing says
    # which are sealed); the stored form is what is saved and hashed.
    changes = personal(
        SealedEntriesJSONField(default=dict, blank=True), "audit", subject=SUBJECT_MENTIONED
    )
    context = personal(
        SealedEntriesJSONField(default=dict, blank=True),
        "online.ip_address",
        subject=SUBJECT_STAFF,
    )

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def chain_payload(self) -> dict:
        return audit_payload(self)

    def chain_prepare(self) -> None:
        # audit_record() says what to seal and under whose key; bound to this row's seq.
        plan = self.__dict__.pop("_seal_plan", None)
        if plan is None:
            return
        owner, keys, client_keys = plan
        for name, names in (("changes", keys), ("context", client_keys)):
            if names:
                self.__dict__[name] = self._meta.get_field(name).sealed(self, owner, names)

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


def audit_payload(row) -> dict:
    """The chained content of an audit row: every column but its id and chain links. Takes
    anything with the columns as attributes (a model instance, a historical model in a
    migration, the verifier's light rows); sealed values go in as stored."""
    return {
        "occurred_at": row.occurred_at,
        "actor": row.actor_id,
        "actor_label": row.actor_label,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "changes": stored(row, "changes"),
        "context": stored(row, "context"),
    }


class ChainCheckpoint(models.Model):
    """A signed statement that chain `table` had `seq` rows ending in `head_hash` at
    `signed_at`. Signed with an Ed25519 key kept outside the database, so whoever can write
    the database can neither forge one nor cut a chain's tail off unnoticed."""

    id = models.BigAutoField(primary_key=True)
    table = not_personal(models.CharField(max_length=64))
    seq = not_personal(models.BigIntegerField())
    head_hash = not_personal(models.CharField(max_length=64))
    signed_at = not_personal(models.DateTimeField())
    # The first 16 hex digits of SHA-256 of the raw public key that signed.
    key_id = not_personal(models.CharField(max_length=16))
    signature = not_personal(models.CharField(max_length=128))

    class Meta:
        ordering = ["table", "seq"]
        indexes = [models.Index(fields=["table", "seq"], name="audit_checkpoint_idx")]

    def __str__(self) -> str:
        return f"{self.table} #{self.seq} at {self.signed_at:%Y-%m-%d %H:%M}"


class SecurityEventKind(models.TextChoices):
    UNUSUAL_ACCESS = "unusual_access", "Unusual access to personal data"


class SecurityEvent(PersonalDataModel, models.Model):
    """Something the administrators and the DPO must look at (Art. 32, Art. 33: a possible
    breach starts here): one user reading or exporting far more personal data in an hour
    than is normal for them. One per user, kind and hour; the breach work builds on these."""

    id = models.BigAutoField(primary_key=True)
    kind = not_personal(models.CharField(max_length=24, choices=SecurityEventKind.choices))
    actor = personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.DO_NOTHING,
            related_name="+",
            db_constraint=False,
        ),
        "audit",
        subject=SUBJECT_STAFF,
    )
    actor_label = personal(models.CharField(max_length=254), "audit", subject=SUBJECT_STAFF)
    window_start = not_personal(models.DateTimeField())
    window_end = not_personal(models.DateTimeField())
    # Records read or exported in the window, what is normal for the user (their average per
    # active hour before it) and the level that raised the event.
    records = not_personal(models.PositiveIntegerField())
    baseline = not_personal(models.FloatField())
    threshold = not_personal(models.PositiveIntegerField())
    detected_at = not_personal(models.DateTimeField(db_index=True))

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "actor_label", "window_start"], name="security_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.actor_label}, {self.window_start:%Y-%m-%d %H:%M}"
