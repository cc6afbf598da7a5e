"""Importing contacts from CSV files: upload, map, validate, write.

The write is built for files of hundreds of thousands of rows and stays compliant at that
speed: every row is normalised and validated like a form entry, rows are inserted in
batches inside transactions, organisations and tags are resolved once per import, and each
created contact gets its own audit event (written in bulk, in the same transaction).

By default an import is all-or-nothing: the whole file is validated before anything is
written, and a single invalid row stops it with a per-row report. The write then runs in
committed chunks that record their progress with them, so a run that dies half-way is
resumed from the last chunk (never duplicated) by running the job again."""

import json
import logging
import marshal
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.db.models.base import ModelState
from django.utils import timezone

from steward.audit.context import audit_context
from steward.audit.events import audit_record, audit_record_many, audit_value
from steward.children.selectors import consent_ages
from steward.children.status import child_status_for
from steward.contacts.choices import ContactMethodKind, Source
from steward.contacts.models import Contact, ContactMethod, Organisation, Tag
from steward.core.actor import Actor, SystemActor, actor_user
from steward.core.batch_insert import BatchInsert
from steward.core.errors import Conflict, PermissionDenied, ValidationFailed
from steward.core.housekeeping import database_statistics_refresh
from steward.core.permissions import require
from steward.core.scoping import restrict
from steward.crypto.blind_index import blind_indexes_for
from steward.crypto.fields import sealed_values
from steward.crypto.keyring import keyring, owner_for
from steward.detection.services import findings_refresh
from steward.detection.sources import FieldText, changed_subfields, expand_fields
from steward.erasure.services import ERASED_MESSAGE, suppressed_emails
from steward.imports.choices import (
    ALLOWED_TRANSITIONS,
    DateOrder,
    DuplicatePolicy,
    ImportMode,
    ImportStatus,
)
from steward.imports.column_categories import column_categories
from steward.imports.column_mapping import mapping_clean, suggest_mapping
from steward.imports.csv_reading import (
    detect_encoding,
    open_rows,
    sample_text,
    sniff_delimiter,
    store_upload,
)
from steward.imports.models import ImportJob
from steward.imports.row_validation import ParsedRow, row_parser_for
from steward.imports.selectors import report_entries

logger = logging.getLogger(__name__)

# Files up to about this many rows are validated and imported inline, within the request:
# people see the result at once. Larger ones go to the task worker.
INLINE_ROWS = 2_000
# Rows per committed chunk of the write: progress is recorded per chunk, and a crash loses
# at most one chunk's work (rolled back, redone on resume). Random keys (UUIDs, emails) put
# nearly every row of a chunk on a different index page and each commit writes every page
# it touched, so small chunks multiply the writes (100k rows: 2.5 GB at 2,000 rows a chunk,
# 1.3 GB at 5,000); large ones hold SQLite's write lock longer (~1 s at 5,000).
CHUNK_ROWS = 5_000
# Rows per INSERT batch; larger batches were slower on SQLite (shared/DESIGN-NOTES).
BATCH_SIZE = 250
# SQLite limits the number of parameters of one statement; IN lists stay below it.
LOOKUP_BATCH = 500
SAMPLE_ROWS = 20
# The contact fields a row's values go into (the rest are set per import).
_DATE_OF_BIRTH = Contact._meta.get_field("date_of_birth")
_CUSTOM = Contact._meta.get_field("custom")
_EMAIL = Contact._meta.get_field("email")
_PHONE = Contact._meta.get_field("phone")
_METHOD_VALUE = ContactMethod._meta.get_field("value")
_EMAIL_INDEX = Contact._meta.get_field("email_index")
_PHONE_INDEX = Contact._meta.get_field("phone_index")
_METHOD_INDEX = ContactMethod._meta.get_field("value_index")
# The blind indexes of the email and phone (steward.crypto.blind_index), computed per row.
INDEX_COLUMNS = ("email_index", "phone_index")
CONTACT_COLUMNS = (
    "given_name", "family_name", "email", "phone", "job_title", "street", "postal_code",
    "city", "region", "country", "date_of_birth", "language", "lifecycle_stage",
)  # fmt: skip
_EMAIL_AT, _PHONE_AT, _BIRTH_AT = (
    CONTACT_COLUMNS.index(name) for name in ("email", "phone", "date_of_birth")
)
# Derived from each row's date of birth and country (Art. 8), computed as the row is written.
CHILD_STATUS_COLUMNS = ("child_status", "child_status_changes_on")


# ---------------------------------------------------------------- state machine


def import_job_transition(job: ImportJob, to: str, **changes: Any) -> ImportJob:
    """Moves `job` to status `to` if the workflow allows it and the job is still in the
    status this copy says; the conditional UPDATE makes two racing moves safe (one wins,
    the other gets Conflict)."""
    if to not in ALLOWED_TRANSITIONS[job.status]:
        raise Conflict(
            f"An import that is {job.get_status_display().lower()} cannot become "
            f"{ImportStatus(to).label.lower()}."
        )
    changes["status"] = to
    changes["updated_at"] = timezone.now()
    updated = ImportJob.objects.filter(pk=job.pk, status=job.status).update(**changes)
    if not updated:
        raise Conflict("The import changed meanwhile; reload the page.")
    for name, value in changes.items():
        setattr(job, name, value)
    return job


def _require_job_access(actor: Actor, job: ImportJob) -> None:
    if isinstance(actor, SystemActor) or actor.is_administrator:
        return
    if job.created_by_id != actor.pk:
        raise PermissionDenied("This import belongs to someone else.")


# ---------------------------------------------------------------- upload and mapping


def import_job_create(*, actor: Actor, chunks: Iterable[bytes], original_name: str) -> ImportJob:
    """Stores an uploaded CSV file in the data dir, detects its encoding and delimiter,
    reads its header and suggests a mapping. Nothing is imported yet."""
    require(actor, "contacts.import")
    import_files_purge_expired()
    job_id = uuid.uuid4()
    relative = Path("imports") / str(job_id) / "source.csv"
    destination = Path(settings.DATA_DIR) / relative
    stored = store_upload(chunks, destination, max_bytes=settings.STEWARD_IMPORT_MAX_BYTES)
    try:
        encoding = detect_encoding(stored.sample, utf8_valid=stored.utf8_valid)
        delimiter = sniff_delimiter(sample_text(stored.sample, encoding))
        with open_rows(destination, encoding=encoding, delimiter=delimiter) as csv_rows:
            headers = csv_rows.headers
            samples = [
                cells for _, (_, _, cells) in zip(range(SAMPLE_ROWS), csv_rows.rows, strict=False)
            ]
        if not headers or (len(headers) == 1 and not samples):
            raise ValidationFailed(
                "The file has no header row with column names.",
                field_errors={"file": ["The first line must name the columns."]},
            )
        suggestion = suggest_mapping(headers, samples)
        return ImportJob.objects.create(
            id=job_id,
            created_by=actor_user(actor),
            original_name=Path(original_name).name[:255] or "upload.csv",
            file_path=str(relative),
            file_size=stored.size,
            file_sha256=stored.sha256,
            encoding=encoding,
            delimiter=delimiter,
            headers=headers,
            mapping=suggestion.mapping,
            column_categories=column_categories(headers, samples, suggestion.mapping),
            date_order=suggestion.date_order,
            estimated_rows=max(0, stored.line_count - 1),
        )
    except BaseException:
        shutil.rmtree(destination.parent, ignore_errors=True)
        raise


def import_job_create_from_path(*, actor: Actor, path: Path) -> ImportJob:
    """An import of a file on the server's disk (the command line, the benchmark). The
    file is copied: the job deletes its copy, never the operator's file."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise ValidationFailed(
            f"Cannot read {path}: {error.strerror}.", field_errors={"file": [str(error)]}
        ) from None
    with handle:
        return import_job_create(
            actor=actor, chunks=iter(lambda: handle.read(1024 * 1024), b""), original_name=path.name
        )


def import_job_map(
    *, actor: Actor, job: ImportJob, mapping: dict[str, str], date_order: str | None = None
) -> ImportJob:
    """Records which column goes into which contact field; a changed mapping discards an
    earlier validation."""
    require(actor, "contacts.import")
    _require_job_access(actor, job)
    clean = mapping_clean(mapping, job.headers)
    if date_order is not None and date_order not in DateOrder.values:
        raise ValidationFailed(
            "Unknown date order.", field_errors={"date_order": ["Choose day or month first."]}
        )
    return import_job_transition(
        job,
        ImportStatus.MAPPED,
        mapping=clean,
        # A column now mapped to a field holds that field's category (issue 3).
        column_categories=column_categories(
            job.headers, _sample_rows(job), clean, previous=job.column_categories
        ),
        date_order=date_order or job.date_order,
        total_rows=0,
        valid_rows=0,
        invalid_rows=0,
        duplicate_rows=0,
        validated_at=None,
    )


def _sample_rows(job: ImportJob) -> list[list[str]]:
    if not job.source_path.is_file():
        return []
    with open_rows(job.source_path, encoding=job.encoding, delimiter=job.delimiter) as csv_rows:
        return [cells for _, (_, _, cells) in zip(range(SAMPLE_ROWS), csv_rows.rows, strict=False)]


# ---------------------------------------------------------------- validation


def import_job_check(*, actor: Actor, job: ImportJob, inline: bool | None = None) -> ImportJob:
    """Starts the validation of every row of a mapped job: inline for small files,
    otherwise in the task worker (enqueued once this transaction commits)."""
    require(actor, "contacts.import")
    _require_job_access(actor, job)
    if inline is None:
        inline = job.estimated_rows <= INLINE_ROWS
    import_job_transition(job, ImportStatus.VALIDATING)
    if inline:
        return import_job_validate(job_id=job.pk)
    from steward.imports.tasks import import_job_validate_task

    job_id = str(job.pk)
    transaction.on_commit(lambda: import_job_validate_task.enqueue(job_id))
    return job


def import_job_validate(*, job_id) -> ImportJob:
    """Checks every row of the file and writes the per-row report: invalid rows with the
    reason per field, duplicates within the file, rows matching an existing contact.
    The rows that passed are kept, parsed, in a staging file for the write, so the file is
    parsed once. Changes no contact. Safe to run again: it starts over."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportStatus.VALIDATING:
        return job
    counts = {"total": 0, "invalid": 0, "duplicate": 0}
    seen: dict[str, int] = {}
    pending: list[ParsedRow] = []
    staged: list[tuple] = []

    problems: list[tuple[int, str]] = []

    def flush(report, staging) -> None:
        emails = [row.email for row in pending if row.email]
        existing = _existing_emails(emails)
        erased = suppressed_emails(emails)
        for row in pending:
            if row.email in erased:
                # Art. 17: an erased person is not brought back by the next import.
                counts["invalid"] += 1
                problems.append(
                    (
                        row.index,
                        _report_line(
                            row.index, row.line, "invalid", errors={"email": [ERASED_MESSAGE]}
                        ),
                    )
                )
                continue
            if row.email in existing:
                counts["duplicate"] += 1
                problems.append(
                    (row.index, _report_line(row.index, row.line, "exists", email=row.email))
                )
            staged.append(row.staged())
        pending.clear()
        # The report stays in file order: a batch's lines are written together, sorted.
        problems.sort()
        report.writelines(text for _, text in problems)
        problems.clear()
        # Length-prefixed: marshal.load() on a file reads in many small pieces, slowly.
        batch = marshal.dumps(staged)
        staging.write(len(batch).to_bytes(4, "big"))
        staging.write(batch)
        staged.clear()

    try:
        job.directory.mkdir(parents=True, exist_ok=True)
        with (
            open_rows(job.source_path, encoding=job.encoding, delimiter=job.delimiter) as csv_rows,
            job.report_path.open("w", encoding="utf-8") as report,
            job.staging_path.open("wb") as staging,
        ):
            parser = row_parser_for(job, csv_rows.headers)
            for index, line, cells in csv_rows.rows:
                if len(problems) >= 10 * LOOKUP_BATCH:
                    flush(report, staging)  # a file of mostly bad rows: keep memory flat
                counts["total"] += 1
                row = parser.parse(index, line, cells)
                if row.errors:
                    counts["invalid"] += 1
                    values = parser.mapped_values(cells)
                    problems.append(
                        (
                            index,
                            _report_line(index, line, "invalid", errors=row.errors, values=values),
                        )
                    )
                    continue
                email = row.email
                if email:
                    first = seen.get(email)
                    if first is not None:
                        counts["duplicate"] += 1
                        problems.append(
                            (
                                index,
                                _report_line(
                                    index,
                                    line,
                                    "duplicate",
                                    email=email,
                                    errors={"email": [f"Same email address as line {first}."]},
                                ),
                            )
                        )
                        continue
                    seen[email] = line
                pending.append(row)
                if len(pending) >= LOOKUP_BATCH:
                    flush(report, staging)
            flush(report, staging)
    except ValidationFailed as error:
        actor = job.created_by or SystemActor("import")
        return _finish(actor, job, ImportStatus.FAILED, error.message)
    return import_job_transition(
        job,
        ImportStatus.VALIDATED,
        total_rows=counts["total"],
        invalid_rows=counts["invalid"],
        valid_rows=counts["total"] - counts["invalid"],
        duplicate_rows=counts["duplicate"],
        validated_at=timezone.now(),
    )


def _report_line(index: int, line: int, status: str, **details: Any) -> str:
    return json.dumps({"i": index, "line": line, "status": status, **details}) + "\n"


def _existing_emails(emails: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(emails), LOOKUP_BATCH):
        found.update(_taken(emails[start : start + LOOKUP_BATCH]))
    return found


def _taken(emails: list[str], indexes: dict[str, str] | None = None) -> set[str]:
    """Which of `emails` (normalised) a contact has as its primary address: compared
    through the blind index, so no stored address is decrypted. `indexes`, when given,
    receives each address's index (email -> index) for the caller to reuse."""
    by_index = {_EMAIL_INDEX.index_of(email): email for email in emails}
    if indexes is not None:
        indexes.update((email, index) for index, email in by_index.items())
    found = Contact.objects.filter(~Q(email_index=""), email_index__in=list(by_index))
    return {by_index[index] for index in found.order_by().values_list("email_index", flat=True)}


def _with_emails(emails: list[str]):
    return Contact.objects.with_email(*emails).order_by()


# ---------------------------------------------------------------- the write


def import_job_start(
    *,
    actor: Actor,
    job: ImportJob,
    mode: str = ImportMode.ALL_OR_NOTHING,
    on_duplicate: str = DuplicatePolicy.SKIP,
    inline: bool | None = None,
    on_progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Queues a validated job for writing with the chosen options: inline for small
    files (or when the caller waits, like the command line), otherwise in the task
    worker once this transaction commits."""
    require(actor, "contacts.import")
    _require_job_access(actor, job)
    errors = {}
    if mode not in ImportMode.values:
        errors["mode"] = ["Choose all-or-nothing or valid rows only."]
    if on_duplicate not in DuplicatePolicy.values:
        errors["on_duplicate"] = ["Choose skip or update."]
    if errors:
        raise ValidationFailed("Please choose how to import.", field_errors=errors)
    if inline is None:
        inline = job.total_rows <= INLINE_ROWS
    import_job_transition(job, ImportStatus.QUEUED, mode=mode, on_duplicate=on_duplicate)
    if inline:
        return import_job_run(job_id=job.pk, actor=actor, on_progress=on_progress)
    from steward.imports.tasks import import_job_run_task

    job_id = str(job.pk)
    transaction.on_commit(lambda: import_job_run_task.enqueue(job_id))
    return job


@dataclass
class _ChunkCounts:
    created: int = 0
    updated: int = 0
    skipped: int = 0


def import_job_run(
    *,
    job_id,
    actor: Actor | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Writes a queued job's rows (the task's body). Idempotent and resumable: a finished
    job is left alone, an interrupted one continues after its last committed chunk. The
    rows are written as the person who started the import (or `actor`, when a system
    actor started it)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == ImportStatus.QUEUED:
        # Rows that repeat an earlier row's address are skipped without a lookup.
        in_file_duplicates = sum(1 for e in report_entries(job) if e["status"] == "duplicate")
        import_job_transition(
            job,
            ImportStatus.IMPORTING,
            started_at=timezone.now(),
            skipped_count=in_file_duplicates,
        )
    elif job.status != ImportStatus.IMPORTING:
        return job
    actor = job.created_by or actor or SystemActor("import")
    with audit_context(import_job=str(job.pk)):
        try:
            require(actor, "contacts.import")
        except PermissionDenied as error:
            return _finish(actor, job, ImportStatus.FAILED, error.message)
        if job.mode == ImportMode.ALL_OR_NOTHING and job.invalid_rows:
            return _finish(
                actor,
                job,
                ImportStatus.FAILED,
                f"Nothing was imported: {job.invalid_rows} of {job.total_rows} rows have "
                "errors (see the report). Correct them, or import the valid rows only.",
            )
        if not job.staging_path.is_file():
            return _finish(
                actor, job, ImportStatus.FAILED, "The checked rows are gone; upload the file again."
            )
        writer = _ChunkWriter(actor, job)
        chunk: list[ParsedRow] = []
        for values in _staged_rows(job.staging_path):
            if values[0] < job.processed_rows:
                continue
            chunk.append(ParsedRow.from_staged(values))
            if len(chunk) >= chunk_rows:
                writer.write(chunk, end=chunk[-1].index + 1)
                chunk = []
                if on_progress:
                    on_progress(job)
        writer.write(chunk, end=job.total_rows)
        if on_progress:
            on_progress(job)
        job.refresh_from_db()
        finished = _finish(actor, job, ImportStatus.COMPLETED, _summary(job))
    # Thousands of new rows change what the planner should do with the contact list's
    # indexes; SQLite learns that only when asked.
    database_statistics_refresh()
    return finished


def _staged_rows(path: Path) -> Iterator[tuple]:
    with path.open("rb") as staging:
        while header := staging.read(4):
            yield from marshal.loads(staging.read(int.from_bytes(header, "big")))


def _summary(job: ImportJob) -> str:
    parts = [f"{job.created_count} created", f"{job.updated_count} updated"]
    parts.append(f"{job.skipped_count} skipped (duplicates or unchanged)")
    if job.invalid_rows:
        rows = "row" if job.invalid_rows == 1 else "rows"
        parts.append(f"{job.invalid_rows} {rows} with errors not imported")
    return ", ".join(parts) + "."


def _finish(actor: Actor, job: ImportJob, status: str, message: str) -> ImportJob:
    """Ends the job with one audit event for it, and deletes the uploaded file and the
    staged rows: they are personal data and no longer needed (the report stays for the
    retention period, so people can see what was refused and why)."""
    with transaction.atomic():
        import_job_transition(job, status, message=message, finished_at=timezone.now())
        audit_record(
            actor=actor,
            action=f"import.{status}",
            target=job,
            changes={
                "file": [None, job.original_name],
                "mode": [None, job.mode],
                "on_duplicate": [None, job.on_duplicate],
                "counts": [
                    None,
                    {
                        "total": job.total_rows,
                        "invalid": job.invalid_rows,
                        "duplicates": job.duplicate_rows,
                        "created": job.created_count,
                        "updated": job.updated_count,
                        "skipped": job.skipped_count,
                    },
                ],
            },
        )
    job.source_path.unlink(missing_ok=True)
    job.staging_path.unlink(missing_ok=True)
    return job


def _stub[M: Model](model: type[M], pk) -> M:
    """An instance holding only its id (the rest deferred, as `.only("id")` would give):
    what the audit trail needs of a target, at a tenth of a full instance's cost."""
    instance = model.__new__(model)
    instance._state = ModelState()
    instance._state.adding = False
    instance.pk = pk
    return instance


class _ChunkWriter:
    """Writes chunks of parsed rows for one job, with the caches that make it fast
    (organisations and tags by name, resolved once per import)."""

    def __init__(self, actor: Actor, job: ImportJob):
        self.actor = actor
        self.job = job
        self.user = actor_user(actor)
        self.team_id = self.user.team_id if self.user else None
        self.owner_id = self.user.pk if self.user else None
        self.organisations: dict[str, Any] = {}
        self.organisations_loaded = False
        self.tags: dict[str, Any] = {}
        # Art. 8: the age table and the day a row's child status is computed for (per chunk).
        self.ages: dict[str, int] = {}
        self.today = timezone.localdate()
        self.update = job.on_duplicate == DuplicatePolicy.UPDATE
        self.email_indexes: dict[str, str] = {}
        self.insert = BatchInsert(
            Contact,
            (
                "id",
                *CONTACT_COLUMNS,
                "organisation",
                "custom",
                *CHILD_STATUS_COLUMNS,
                *INDEX_COLUMNS,
            ),  # fmt: skip
            constant_columns=("created_at", "updated_at", "source", "owner", "team"),
        )
        self.insert_tag_links = BatchInsert(Contact.tags.through, ("contact", "tag"))
        self.insert_methods = BatchInsert(
            ContactMethod,
            ("id", "contact", "kind", "value", "value_index", "label"),
            constant_columns=("created_at", "updated_at"),
        )
        self.defaults = tuple(
            Contact._meta.get_field(name).get_default() for name in CONTACT_COLUMNS
        )
        # Free-text custom fields: their values are scanned for personal data (issue 3).
        self.scanned = {name.partition(".")[2] for name in expand_fields(Contact, ["custom"])}

    def write(self, rows: list[ParsedRow], *, end: int) -> None:
        """Writes `rows` and records progress up to data row `end` in one transaction.
        A concurrent create of the same address makes the INSERT fail; the chunk rolls
        back and is tried again, now seeing that contact as existing."""
        start = self.job.processed_rows
        for attempt in range(3):
            try:
                with transaction.atomic():
                    self._write_locked(rows, start=start, end=end)
                return
            except IntegrityError:
                # Rolled back: what this chunk created is gone from the caches' truth.
                self.organisations.clear()
                self.organisations_loaded = False
                self.tags.clear()
                if attempt == 2:
                    raise

    def _write_locked(self, rows: list[ParsedRow], *, start: int, end: int) -> None:
        job = ImportJob.objects.select_for_update().get(pk=self.job.pk)
        if job.processed_rows != start or job.status != ImportStatus.IMPORTING:
            # Another run got here first (a retried task racing the original).
            raise Conflict("This import is being written by another run.")
        counts = _ChunkCounts()
        self.ages, self.today = consent_ages(), timezone.localdate()
        self.email_indexes: dict[str, str] = {}  # this chunk's, from _existing
        existing = self._existing([row.email for row in rows if row.email])
        new_rows: list[ParsedRow] = []
        for row in rows:
            match = existing.get(row.email) if row.email else None
            if match is None:
                new_rows.append(row)
            elif match is False or not self.update:
                counts.skipped += 1
            elif self._update_contact(match, row):
                counts.updated += 1
            else:
                counts.skipped += 1
        self._create_contacts(new_rows)
        counts.created = len(new_rows)
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=end,
            created_count=F("created_count") + counts.created,
            updated_count=F("updated_count") + counts.updated,
            skipped_count=F("skipped_count") + counts.skipped,
            updated_at=timezone.now(),
        )
        self.job.processed_rows = end
        self.job.created_count = job.created_count + counts.created
        self.job.updated_count = job.updated_count + counts.updated
        self.job.skipped_count = job.skipped_count + counts.skipped

    def _existing(self, emails: list[str]) -> dict[str, Contact | bool]:
        """email -> the existing contact the actor may update, or False when a contact
        with that address exists and is not to be updated (skip policy, or outside what
        the actor may see: never touched)."""
        found: dict[str, Contact | bool] = {}
        for begin in range(0, len(emails), LOOKUP_BATCH):
            batch = emails[begin : begin + LOOKUP_BATCH]
            taken = _taken(batch, self.email_indexes)
            if not taken:
                continue
            for email in taken:
                found[email] = False
            if self.update:
                visible = restrict(_with_emails(list(taken)), self.actor)
                for contact in visible.prefetch_related("tags", "methods"):
                    found[contact.email] = contact
        return found

    # -- creating

    def _create_contacts(self, rows: list[ParsedRow]) -> None:
        if not rows:
            return
        organisation_ids = self._organisation_ids({r.organisation for r in rows if r.organisation})
        tag_ids = self._tag_ids({name for r in rows for name in r.tags})
        values = []
        stubs: list[Contact] = []
        links = []
        methods = []
        defaults = self.defaults
        ages, today = self.ages, self.today
        texts: list[FieldText] = []
        pks = [uuid.uuid4() for _ in rows]
        # Encrypted fields (steward.crypto): every new contact gets its own data key (its
        # email and phone are encrypted, empty or not), all of them in one INSERT.
        owners = [owner_for("contact", pk) for pk in pks]
        keys = keyring().create_for_new_owners(owners)
        email_indexes = self.email_indexes
        for pk, owner, row in zip(pks, owners, rows, strict=True):
            fields = row.fields
            if row.custom and self.scanned:
                texts += self._texts(pk, row.custom)
            child = child_status_for(
                fields.get("date_of_birth"), fields.get("country"), today, ages
            )
            key = keys[owner]
            email, phone = fields.get("email", ""), fields.get("phone", "")
            # The row's value of each column, or the column's default.
            columns = list(map(fields.get, CONTACT_COLUMNS, defaults))
            columns[_EMAIL_AT] = _EMAIL.seal(email, row_id=pk, owner="", key=key)
            columns[_PHONE_AT] = _PHONE.seal(phone, row_id=pk, owner="", key=key)
            if birth := columns[_BIRTH_AT]:
                columns[_BIRTH_AT] = _DATE_OF_BIRTH.seal(birth, row_id=pk, owner="", key=key)
            values.append(
                (
                    pk,
                    *columns,
                    organisation_ids[row.organisation.casefold()] if row.organisation else None,
                    _CUSTOM.seal(row.custom, row_id=pk, owner="", key=key),
                    child.status.value,
                    child.changes_on,
                    # Computed by the duplicate check of this chunk (_existing) already.
                    email_indexes.get(email) or _EMAIL_INDEX.index_of(email),
                    _PHONE_INDEX.index_of(phone),
                )
            )
            stubs.append(_stub(Contact, pk))
            for name in row.tags:
                links.append((pk, tag_ids[name]))
            for kind, addresses in (
                (ContactMethodKind.EMAIL.value, row.extra_emails),
                (ContactMethodKind.PHONE.value, row.extra_phones),
            ):
                for value in addresses:
                    method_id = uuid.uuid4()
                    methods.append(
                        (
                            method_id,
                            pk,
                            kind,
                            _METHOD_VALUE.seal(value, row_id=method_id, owner="", key=key),
                            _METHOD_INDEX.index_of(value),
                            "",
                        )
                    )
        now = timezone.now()
        constants = (now, now, Source.IMPORT.value, self.owner_id, self.team_id)
        for begin in range(0, len(values), BATCH_SIZE):
            self.insert.execute(values[begin : begin + BATCH_SIZE], constants)
        for begin in range(0, len(links), BATCH_SIZE):
            self.insert_tag_links.execute(links[begin : begin + BATCH_SIZE])
        for begin in range(0, len(methods), BATCH_SIZE):
            self.insert_methods.execute(methods[begin : begin + BATCH_SIZE], (now, now))
        audit_record_many(actor=self.actor, action="contact.created", targets=stubs)
        if methods:
            audit_record_many(
                actor=self.actor,
                action="contact.method_added",
                targets=[_stub(ContactMethod, method[0]) for method in methods],
            )
        findings_refresh(actor=self.actor, texts=texts, new_records=True)

    def _texts(self, pk, custom: dict, keys=None) -> list[FieldText]:
        return [
            FieldText("contacts.contact", pk, f"custom.{key}", value, contact_id=pk)
            for key, value in custom.items()
            if key in self.scanned and isinstance(value, str) and (keys is None or key in keys)
        ]

    @staticmethod
    def _methods(contact_id, row: ParsedRow, emails: set[str], phones: set[str]):
        for value in row.extra_emails:
            if value not in emails:
                yield ContactMethod(
                    id=uuid.uuid4(),
                    contact_id=contact_id,
                    kind=ContactMethodKind.EMAIL,
                    value=value,
                )
        for value in row.extra_phones:
            if value not in phones:
                yield ContactMethod(
                    id=uuid.uuid4(),
                    contact_id=contact_id,
                    kind=ContactMethodKind.PHONE,
                    value=value,
                )

    def _organisation_ids(self, names: set[str]) -> dict[str, Any]:
        """casefolded name -> id of the (oldest) organisation of that name the actor may
        see; names not found are created in one INSERT batch, audited. The visible
        organisations are read once per import: matching names in Python keeps the match
        the same on every database (SQLite's lower() folds ASCII letters only)."""
        if self.organisations_loaded is False:
            visible = restrict(Organisation.objects.all(), self.actor).order_by("created_at")
            for name, pk in visible.values_list("name", "id").iterator(chunk_size=5000):
                self.organisations.setdefault(name.casefold(), pk)
            self.organisations_loaded = True
        new = []
        for name in names:
            key = name.casefold()
            if key not in self.organisations:
                organisation = Organisation(
                    id=uuid.uuid4(), name=name, owner_id=self.owner_id, team_id=self.team_id
                )
                new.append(organisation)
                self.organisations[key] = organisation.id
        if new:
            Organisation.objects.bulk_create(new, batch_size=BATCH_SIZE)
            audit_record_many(actor=self.actor, action="organisation.created", targets=new)
        return self.organisations

    def _tag_ids(self, names: set[str]) -> dict[str, Any]:
        missing = [name for name in names if name not in self.tags]
        if missing:
            for begin in range(0, len(missing), LOOKUP_BATCH):
                batch = missing[begin : begin + LOOKUP_BATCH]
                self.tags.update(Tag.objects.filter(name__in=batch).values_list("name", "id"))
            new = [Tag(id=uuid.uuid4(), name=name) for name in missing if name not in self.tags]
            if new:
                Tag.objects.bulk_create(new, batch_size=BATCH_SIZE)
                audit_record_many(actor=self.actor, action="tag.created", targets=new)
                self.tags.update((tag.name, tag.id) for tag in new)
        return {name: self.tags[name] for name in names}

    # -- updating

    def _child_status_changes(self, contact: Contact, values: dict, changes: dict) -> None:
        """Adds the contact's new child status (Art. 8) to an update that changes its date
        of birth or country, so that it is written and audited with them."""
        child = child_status_for(
            values.get("date_of_birth", contact.date_of_birth),
            values.get("country", contact.country.code),
            self.today,
            self.ages,
        )
        for name, value in (
            ("child_status", child.status.value),
            ("child_status_changes_on", child.changes_on),
        ):
            if getattr(contact, name) != value:
                changes[name] = [audit_value(getattr(contact, name)), audit_value(value)]
                values[name] = value

    def _update_contact(self, contact: Contact, row: ParsedRow) -> bool:
        """Fills `contact` with the row's non-empty values; returns False when nothing
        would change (no write, no audit: re-importing a file is a no-op)."""
        changes: dict[str, list[Any]] = {}
        values: dict[str, Any] = {}
        for name, value in row.fields.items():
            if getattr(contact, name) != value:
                changes[name] = [audit_value(getattr(contact, name)), audit_value(value)]
                values[name] = value
        if "date_of_birth" in values or "country" in values:
            self._child_status_changes(contact, values, changes)
        if row.organisation:
            organisation_id = self._organisation_ids({row.organisation})[
                row.organisation.casefold()
            ]
            if contact.organisation_id != organisation_id:
                changes["organisation"] = [
                    audit_value(contact.organisation_id),
                    audit_value(organisation_id),
                ]
                values["organisation_id"] = organisation_id
        if row.custom:
            merged = {**contact.custom, **row.custom}
            if merged != contact.custom:
                changes["custom"] = [contact.custom, merged]
                values["custom"] = merged
        current_tags = {tag.name for tag in contact.tags.all()}
        new_tags = [name for name in row.tags if name not in current_tags]
        if new_tags:
            changes["tags"] = [sorted(current_tags), sorted(current_tags | set(new_tags))]
        emails = {m.value for m in contact.methods.all() if m.kind == ContactMethodKind.EMAIL}
        phones = {m.value for m in contact.methods.all() if m.kind == ContactMethodKind.PHONE}
        methods = list(self._methods(contact.pk, row, emails | {contact.email}, phones))
        if methods:
            changes["methods"] = [None, sorted(m.value for m in methods)]
        if not changes:
            return False
        if values:
            sealed = sealed_values(
                Contact, row_id=contact.pk, owner=owner_for("contact", contact.pk), values=values
            )
            indexes = blind_indexes_for(Contact, values)  # a new phone number's, say
            Contact.objects.filter(pk=contact.pk).update(
                **sealed, **indexes, updated_at=timezone.now()
            )
        if new_tags:
            tag_ids = self._tag_ids(set(new_tags))
            Contact.tags.through.objects.bulk_create(
                [Contact.tags.through(contact_id=contact.pk, tag_id=tag_ids[n]) for n in new_tags]
            )
        if methods:
            ContactMethod.objects.bulk_create(methods)
        audit_record(actor=self.actor, action="contact.updated", target=contact, changes=changes)
        if "custom" in values and self.scanned:
            changed = {
                n.partition(".")[2]
                for n in changed_subfields("custom", contact.custom, values["custom"])
            }
            findings_refresh(
                actor=self.actor, texts=self._texts(contact.pk, values["custom"], changed)
            )
        return True


# ---------------------------------------------------------------- cancel and retention


def import_job_cancel(*, actor: Actor, job: ImportJob) -> ImportJob:
    """Abandons an import that has not started writing, and deletes its files."""
    require(actor, "contacts.import")
    _require_job_access(actor, job)
    with transaction.atomic():
        import_job_transition(
            job, ImportStatus.CANCELLED, finished_at=timezone.now(), message="Cancelled."
        )
        audit_record(actor=actor, action="import.cancelled", target=job)
    _delete_files(job)
    return job


def _delete_files(job: ImportJob) -> None:
    shutil.rmtree(job.directory, ignore_errors=True)
    ImportJob.objects.filter(pk=job.pk).update(files_deleted_at=timezone.now(), file_path="")
    job.file_path = ""


# A validation or write that has shown no progress for this long lost its worker (a crash,
# a deploy): it is enqueued again. A chunk takes about a second, a validation of a 100 MB
# file about a minute.
STALLED_AFTER = timedelta(minutes=10)


def import_jobs_resume_stalled(*, now=None) -> int:
    """Enqueues again the imports whose worker died: a validation starts over, a write
    continues after its last committed chunk, a queued job whose task was lost between
    commit and enqueue is enqueued. Each job is claimed by a conditional UPDATE, so two
    schedulers never both resume it; a run that was only slow, not dead, makes the resumed
    one stop at its first chunk (the progress check under the job's row lock)."""
    from steward.imports.tasks import import_job_run_task, import_job_validate_task

    now = now or timezone.now()
    resumed = 0
    stalled = ImportJob.objects.filter(
        status__in=(ImportStatus.VALIDATING, ImportStatus.QUEUED, ImportStatus.IMPORTING),
        updated_at__lt=now - STALLED_AFTER,
    )
    for job in stalled:
        claimed = ImportJob.objects.filter(
            pk=job.pk, status=job.status, updated_at=job.updated_at
        ).update(updated_at=now)
        if not claimed:
            continue
        task = (
            import_job_validate_task
            if job.status == ImportStatus.VALIDATING
            else import_job_run_task
        )
        job_id = str(job.pk)
        transaction.on_commit(lambda task=task, job_id=job_id: task.enqueue(job_id))
        logger.warning(
            "Import %s made no progress since %s; enqueued again.", job.pk, job.updated_at
        )
        resumed += 1
    return resumed


def import_files_purge_expired(*, now=None) -> int:
    """Deletes the files (upload and report) of imports that ended, or were abandoned,
    longer ago than STEWARD_IMPORT_RETENTION_DAYS: storage limitation (Art. 5(1)(e))."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.STEWARD_IMPORT_RETENTION_DAYS)
    purged = 0
    for job in ImportJob.objects.filter(files_deleted_at__isnull=True, updated_at__lt=cutoff):
        if not job.is_finished:
            if job.status in (ImportStatus.IMPORTING, ImportStatus.VALIDATING):
                continue  # still owned by a worker; a stuck one is for an operator to see
            with transaction.atomic():
                import_job_transition(
                    job,
                    ImportStatus.CANCELLED,
                    finished_at=now,
                    message="Abandoned; its files were deleted after the retention period.",
                )
                audit_record(actor=SystemActor("retention"), action="import.expired", target=job)
        _delete_files(job)
        purged += 1
    return purged
