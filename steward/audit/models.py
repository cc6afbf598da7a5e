"""The audit trail: one append-only row per state change, written in the same transaction
as the change itself. Tamper evidence (a hash chain) and read logging build on this table."""

from django.conf import settings
from django.db import models

from steward.core.personal_data import (
    SUBJECT_MENTIONED,
    SUBJECT_STAFF,
    PersonalDataModel,
    not_personal,
    personal,
)


class AuditEvent(PersonalDataModel, models.Model):
    """Who did what to which record, with the old and new values of the changed fields."""

    # A monotonically increasing sequence (not a UUID): the trail's order is part of its
    # meaning, and the hash chain added for tamper evidence links rows in this order.
    id = models.BigAutoField(primary_key=True)
    occurred_at = not_personal(models.DateTimeField(db_index=True))
    actor = personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
            db_constraint=False,  # the trail must outlive the user row it names
        ),
        "audit",
        subject=SUBJECT_STAFF,
    )
    actor_label = personal(models.CharField(max_length=254), "audit", subject=SUBJECT_STAFF)
    action = not_personal(models.CharField(max_length=64, db_index=True))
    object_type = not_personal(models.CharField(max_length=64))
    object_id = not_personal(models.CharField(max_length=64))
    changes = personal(
        models.JSONField(default=dict, blank=True), "audit", subject=SUBJECT_MENTIONED
    )
    context = personal(
        models.JSONField(default=dict, blank=True), "online.ip_address", subject=SUBJECT_STAFF
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
