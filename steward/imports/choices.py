from django.db import models


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    MAPPED = "mapped", "Columns mapped"
    VALIDATING = "validating", "Checking rows"
    VALIDATED = "validated", "Checked"
    QUEUED = "queued", "Waiting to import"
    IMPORTING = "importing", "Importing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# The import workflow as a state machine: a job only moves along these edges, checked in
# one place (steward.imports.services.import_job_transition).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ImportStatus.UPLOADED: frozenset({ImportStatus.MAPPED, ImportStatus.CANCELLED}),
    ImportStatus.MAPPED: frozenset(
        {ImportStatus.MAPPED, ImportStatus.VALIDATING, ImportStatus.CANCELLED}
    ),
    ImportStatus.VALIDATING: frozenset(
        {ImportStatus.VALIDATED, ImportStatus.FAILED, ImportStatus.CANCELLED}
    ),
    ImportStatus.VALIDATED: frozenset(
        {ImportStatus.MAPPED, ImportStatus.QUEUED, ImportStatus.CANCELLED}
    ),
    ImportStatus.QUEUED: frozenset(
        {ImportStatus.IMPORTING, ImportStatus.FAILED, ImportStatus.CANCELLED}
    ),
    ImportStatus.IMPORTING: frozenset({ImportStatus.COMPLETED, ImportStatus.FAILED}),
    ImportStatus.COMPLETED: frozenset(),
    ImportStatus.FAILED: frozenset(),
    ImportStatus.CANCELLED: frozenset(),
}

FINISHED_STATUSES = frozenset({ImportStatus.COMPLETED, ImportStatus.FAILED, ImportStatus.CANCELLED})


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "All or nothing: import only if every row is valid"
    VALID_ONLY = "valid_only", "Valid rows only: import them and skip the rows with errors"


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", "Skip: keep the existing contact as it is"
    UPDATE = "update", "Update: fill the existing contact with the file's values"


class DateOrder(models.TextChoices):
    DAY_FIRST = "dmy", "Day first (31/12/1980)"
    MONTH_FIRST = "mdy", "Month first (12/31/1980)"
