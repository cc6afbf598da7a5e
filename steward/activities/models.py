"""The timeline: notes, calls, meetings, logged emails and tasks about contacts, organisations
and deals."""

from django.conf import settings
from django.db import models

from steward.activities.choices import ActivityKind
from steward.core.models import BaseModel
from steward.core.personal_data import SUBJECT_MENTIONED, PersonalDataModel, not_personal, personal
from steward.crypto.fields import EncryptedCharField, EncryptedQuerySet, EncryptedTextField

# Whose data key encrypts an activity's text: its contact's, else its organisation's, else
# the system key (an entry about a deal alone). docs/decisions/0018-field-encryption.md
ACTIVITY_KEY_OWNER = (("contact", "contact_id"), ("organisation", "organisation_id"))


class Activity(PersonalDataModel, BaseModel):
    """One entry on a timeline. Its subject and body are free text: they can mention anyone
    and hold any category of data, which is why they are scanned and encrypted."""

    objects = EncryptedQuerySet.as_manager()

    kind = not_personal(models.CharField(max_length=10, choices=ActivityKind.choices))
    subject = personal(
        EncryptedCharField(max_length=200, blank=True, key_owner=ACTIVITY_KEY_OWNER),
        "free_text",
        subject=SUBJECT_MENTIONED,
        free_text=True,
    )
    body = personal(
        EncryptedTextField(blank=True, key_owner=ACTIVITY_KEY_OWNER),
        "free_text",
        subject=SUBJECT_MENTIONED,
        free_text=True,
    )
    contact = personal(
        models.ForeignKey(
            "contacts.Contact",
            null=True,
            blank=True,
            on_delete=models.CASCADE,
            related_name="activities",
        ),
        "commercial.interactions",
    )
    organisation = not_personal(
        models.ForeignKey(
            "contacts.Organisation",
            null=True,
            blank=True,
            on_delete=models.CASCADE,
            related_name="activities",
        )
    )
    deal = not_personal(
        models.ForeignKey(
            "deals.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
        )
    )
    occurred_at = not_personal(models.DateTimeField(db_index=True))
    due_at = not_personal(models.DateTimeField(null=True, blank=True))
    completed_at = not_personal(models.DateTimeField(null=True, blank=True))
    author = not_personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
        )
    )
    owner = not_personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
        )
    )
    team = not_personal(
        models.ForeignKey(
            "staff.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
        )
    )

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["contact", "-occurred_at"], name="activity_contact_idx"),
            models.Index(fields=["organisation", "-occurred_at"], name="activity_org_idx"),
            models.Index(fields=["deal", "-occurred_at"], name="activity_deal_idx"),
            models.Index(fields=["owner", "kind", "due_at"], name="activity_open_tasks_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"[:80]

    @property
    def is_open_task(self) -> bool:
        return self.kind == ActivityKind.TASK and self.completed_at is None
