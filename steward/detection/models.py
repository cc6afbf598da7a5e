"""What detection found in stored free text, where, and how far its review has come.

A finding points at one field of one record by its model label, id and field name
("activities.activity" / <uuid> / "body", or "contacts.contact" / <uuid> / "custom.notes").
It also holds that record by a foreign key (`activity`, `contact`) that cascades: the
evidence is personal data and must not outlive the record it was found in, whichever path
deletes that record (a contact's timeline, an organisation's activities, a deal's).

Special-category marking of a contact is derived, not stored: a contact holds
special-category data when a standing (suggested or confirmed) finding with `special` set
concerns it. A flag on Contact would be a second copy of what the findings say, to be kept
in step on every detection, review and cascade, in a table other apps write in bulk (the
import); the partial index below makes the derived question as cheap as a flag would be
(an index-only lookup of the few contacts concerned)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from steward.core.models import BaseModel
from steward.core.personal_data import (
    SUBJECT_MENTIONED,
    SUBJECT_STAFF,
    PersonalDataModel,
    not_personal,
    personal,
)
from steward.crypto.fields import EncryptedCharField, EncryptedQuerySet
from steward.detection.choices import FindingStatus, ScanStatus

EVIDENCE_MAX_LENGTH = 200


class PersonalDataFinding(PersonalDataModel, BaseModel):
    """One suspected piece of personal data in a stored field, with the evidence that
    matched: a suggestion for a person to confirm or dismiss, never a decision."""

    objects = EncryptedQuerySet.as_manager()

    record_type = not_personal(models.CharField(max_length=100))
    record_id = not_personal(models.UUIDField())
    field_name = not_personal(models.CharField(max_length=110))
    # The contact the record is about (a contact's own custom field, an activity about a
    # contact): what the contact page lists and the special-category marking reads.
    contact = personal(
        models.ForeignKey(
            "contacts.Contact",
            null=True,
            blank=True,
            on_delete=models.CASCADE,
            related_name="personal_data_findings",
        ),
        "free_text",
    )
    activity = not_personal(
        models.ForeignKey(
            "activities.Activity",
            null=True,
            blank=True,
            on_delete=models.CASCADE,
            related_name="personal_data_findings",
        )
    )
    # The detection key ("health") and its place in the taxonomy ("special.health"): a
    # label of what the evidence is, not data about a person by itself.
    category = not_personal(models.CharField(max_length=30))
    taxonomy_key = not_personal(models.CharField(max_length=100))
    # Art. 9(1); copied from the category when found, so the partial index can hold it.
    special = not_personal(models.BooleanField(default=False))
    start = not_personal(models.PositiveIntegerField())
    end = not_personal(models.PositiveIntegerField())
    confidence = not_personal(models.FloatField())
    # The matched text itself ("diabetes", an IBAN): personal data of whoever the text is
    # about, of any category, shown only to roles allowed to see special-category data.
    # Not free text to scan: it is what a scan already found.
    # Encrypted under the contact's data key (the system key when it concerns no contact):
    # erasing the person erases what was found about them.
    evidence = personal(
        EncryptedCharField(max_length=EVIDENCE_MAX_LENGTH, key_owner=(("contact", "contact_id"),)),
        "free_text",
        subject=SUBJECT_MENTIONED,
    )
    detector = not_personal(models.CharField(max_length=50))
    status = not_personal(
        models.CharField(
            max_length=10, choices=FindingStatus.choices, default=FindingStatus.SUGGESTED
        )
    )
    reviewed_by = personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
        ),
        "audit",
        subject=SUBJECT_STAFF,
    )
    reviewed_at = not_personal(models.DateTimeField(null=True, blank=True))

    class Meta:
        ordering = ["record_type", "record_id", "field_name", "start"]
        indexes = [
            # Re-detection of a field reads and replaces that field's findings.
            models.Index(fields=["record_id", "field_name"], name="finding_record_idx"),
            # "Which contacts hold special-category data": only the standing special
            # findings are in it, a small fraction of all findings.
            models.Index(
                fields=["contact"],
                condition=Q(special=True) & ~Q(status=FindingStatus.DISMISSED),
                name="finding_special_contact_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} in {self.record_type}:{self.record_id}.{self.field_name}"

    @property
    def is_reviewed(self) -> bool:
        return self.status != FindingStatus.SUGGESTED


class DetectionFailure(BaseModel):
    """A field whose detection crashed: the record was saved without its findings, and this
    marker says so until a later detection of the field succeeds (the scan retries it).
    Holds the exception's type, never the text."""

    record_type = models.CharField(max_length=100)
    record_id = models.UUIDField()
    field_name = models.CharField(max_length=110)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    error = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_id", "field_name"], name="detection_failure_field_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.error} on {self.record_type}:{self.record_id}.{self.field_name}"


class ScanRun(BaseModel):
    """One `steward scan` of one model's free text: where it got to, so that an interrupted
    scan resumes after the last batch it committed instead of starting over."""

    model_label = models.CharField(max_length=100)
    since = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ScanStatus.choices, default=ScanStatus.RUNNING)
    # Records are scanned in primary-key order; the last one of the last committed batch.
    last_id = models.UUIDField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    scanned = models.PositiveIntegerField(default=0)
    findings_added = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["model_label", "status"], name="scan_run_model_idx")]

    def __str__(self) -> str:
        return f"Scan of {self.model_label} ({self.get_status_display()})"
