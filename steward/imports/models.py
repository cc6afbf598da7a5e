"""Contact imports: one ImportJob per uploaded file, from upload through column mapping and
validation to the write, with its counts and progress. The uploaded file and the per-row
report live in the data dir and are deleted when the job ends or its retention runs out."""

from pathlib import Path

from django.conf import settings
from django.db import models

from steward.core.models import BaseModel
from steward.core.personal_data import (
    SUBJECT_MENTIONED,
    SUBJECT_STAFF,
    PersonalDataModel,
    not_personal,
    personal,
)
from steward.imports.choices import DateOrder, DuplicatePolicy, ImportMode, ImportStatus


def _count():
    return not_personal(models.PositiveIntegerField(default=0))


class ImportJob(PersonalDataModel, BaseModel):
    """One import of a CSV file of contacts: its file, mapping, options, state and counts."""

    created_by = personal(
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
    # People name files after people ("maria-mueller-leads.csv").
    original_name = personal(
        models.CharField(max_length=255), "free_text", subject=SUBJECT_MENTIONED
    )
    # The file this path names holds the contacts' data as uploaded (names, addresses, dates
    # of birth...): it is deleted when the job finishes or its retention period ends.
    file_path = personal(models.CharField(max_length=500, blank=True), "contact")
    file_size = not_personal(models.PositiveBigIntegerField(default=0))
    file_sha256 = not_personal(models.CharField(max_length=64))
    encoding = not_personal(models.CharField(max_length=32))
    delimiter = not_personal(models.CharField(max_length=4))
    headers = not_personal(models.JSONField(default=list, blank=True))
    # Column position (as a string, JSON keys) -> target key ("email", "custom:vat_id", ...).
    mapping = not_personal(models.JSONField(default=dict, blank=True))
    # Column position -> the data category suggested for it ({"category", "source",
    # "mentions"}; steward.imports.column_categories): what the file holds, column by column.
    column_categories = not_personal(models.JSONField(default=dict, blank=True))
    date_order = not_personal(
        models.CharField(max_length=3, choices=DateOrder.choices, default=DateOrder.DAY_FIRST)
    )
    status = not_personal(
        models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    )
    mode = not_personal(
        models.CharField(
            max_length=16, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
        )
    )
    on_duplicate = not_personal(
        models.CharField(
            max_length=8, choices=DuplicatePolicy.choices, default=DuplicatePolicy.SKIP
        )
    )
    estimated_rows = _count()
    total_rows = _count()
    valid_rows = _count()
    invalid_rows = _count()
    duplicate_rows = _count()
    created_count = _count()
    updated_count = _count()
    skipped_count = _count()
    # Data rows already written: a resumed run continues after them.
    processed_rows = _count()
    message = not_personal(models.TextField(blank=True))
    validated_at = not_personal(models.DateTimeField(null=True, blank=True))
    started_at = not_personal(models.DateTimeField(null=True, blank=True))
    finished_at = not_personal(models.DateTimeField(null=True, blank=True))
    files_deleted_at = not_personal(models.DateTimeField(null=True, blank=True))

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="import_job_creator_idx"),
            models.Index(fields=["status", "finished_at"], name="import_job_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Import of {self.original_name} ({self.get_status_display()})"

    @property
    def directory(self) -> Path:
        return Path(settings.DATA_DIR) / "imports" / str(self.id)

    @property
    def source_path(self) -> Path:
        return Path(settings.DATA_DIR) / self.file_path

    @property
    def staging_path(self) -> Path:
        """The rows that passed validation, parsed (marshal batches), for the write."""
        return self.directory / "rows.marshal"

    @property
    def report_path(self) -> Path:
        return self.directory / "report.jsonl"

    @property
    def is_finished(self) -> bool:
        return self.status in (
            ImportStatus.COMPLETED,
            ImportStatus.FAILED,
            ImportStatus.CANCELLED,
        )

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
