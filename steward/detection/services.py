"""Running detection where personal data is written, storing what it finds, and the review
of findings. Issue 3: when a note, activity body or custom-field value is saved; on import;
and as a full scan (`steward scan`).

A detector crash never loses the save it runs in. The person's note is the work of a
person; a heuristic that failed on it is ours. So the failure is logged, a DetectionFailure
marks the field as unscanned (shown to reviewers, retried by the next detection of that
field or by `steward scan`), and the note is saved. The findings are written in a savepoint
of the caller's transaction: they commit with the record or not at all, and a database
error while writing them rolls back only them."""

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as day_time

from django.db import DatabaseError, models, transaction
from django.db.models import F
from django.utils import timezone

from steward.audit.events import audit_record, audit_record_many
from steward.core.actor import Actor, SystemActor, actor_user
from steward.core.batch_insert import BatchInsert
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import require
from steward.core.scoping import may_see
from steward.crypto.services import records_reencrypt
from steward.detection.choices import (
    ALLOWED_REVIEWS,
    REVIEWED_STATUSES,
    FindingStatus,
    ScanStatus,
)
from steward.detection.detectors import TAXONOMY_KEY, detect, is_special
from steward.detection.models import (
    EVIDENCE_MAX_LENGTH,
    DetectionFailure,
    PersonalDataFinding,
    ScanRun,
)
from steward.detection.sources import (
    FieldText,
    expand_fields,
    free_text_fields,
    holder_ids,
    scanned_models,
    texts_of,
)

logger = logging.getLogger(__name__)

INSERT_BATCH = 250
# Records per committed batch of a scan: a crash loses at most one batch, redone on resume.
SCAN_BATCH = 500
# The permission that shows a finding's evidence and lets one review it (Art. 9).
REVIEW_PERMISSION = "special_category.view"

_FINDING_COLUMNS = (
    "id", "record_type", "record_id", "field_name", "contact", "activity", "category",
    "taxonomy_key", "special", "start", "end", "confidence", "evidence", "detector",
)  # fmt: skip


@dataclass
class DetectionOutcome:
    """What one detection run changed: findings suggested and withdrawn, fields that could
    not be scanned."""

    added: int = 0
    removed: int = 0
    failed: int = 0

    def __iadd__(self, other: "DetectionOutcome") -> "DetectionOutcome":
        self.added += other.added
        self.removed += other.removed
        self.failed += other.failed
        return self


@dataclass
class _Detected:
    text: FieldText
    findings: list = field(default_factory=list)
    error: str = ""


def _detect_each(texts: Sequence[FieldText]) -> list[_Detected]:
    results = []
    # Detection is a pure function of the text, and imported values repeat ("VIP", "Met at
    # the fair"): each distinct text is read once per batch.
    seen: dict[str, list] = {}
    for text in texts:
        try:
            if text.text not in seen:
                seen[text.text] = detect(text.text) if text.text.strip() else []
            findings = seen[text.text]
        except Exception as error:  # any detector bug: see the module docstring
            logger.exception(
                "Detection failed on %s %s, field %s; saved without findings.",
                text.record_type,
                text.record_id,
                text.field_name,
            )
            results.append(_Detected(text, error=type(error).__name__[:200]))
        else:
            results.append(_Detected(text, findings))
    return results


def findings_refresh(
    *, actor: Actor, texts: Sequence[FieldText], new_records: bool = False
) -> DetectionOutcome:
    """Detects personal data in `texts` and stores the findings with their records, inside
    the caller's transaction. Each field's unreviewed suggestions are replaced by what is
    found now; a reviewer's decision stays as long as its evidence is still in the text (a
    dismissed finding is not suggested again; evidence gone from the text is no longer held,
    so its finding goes too). `new_records`: the records were just created (an import), so
    there is nothing stored to compare with and no lookup is made."""
    if not texts:
        return DetectionOutcome()
    detected = _detect_each(texts)
    try:
        with transaction.atomic():
            return _store(actor, detected, new_records)
    except DatabaseError:
        logger.exception("Storing findings failed; the records are saved without them.")
        failed = [_Detected(d.text, error="DatabaseError") for d in detected]
        with transaction.atomic():
            _mark_failures(failed, replace=True)
        return DetectionOutcome(failed=len(failed))


def findings_refresh_for(
    *, actor: Actor, record: models.Model, fields: Iterable[str], created: bool = False
) -> DetectionOutcome:
    """Detection in `fields` of one record just written ("subject", "body", "custom" for
    every free-text custom field, "custom.<key>" for one); `created`: the record is new.
    An existing record's findings also move to the contact it is now about."""
    names = expand_fields(type(record), fields)
    outcome = findings_refresh(actor=actor, texts=texts_of(record, names), new_records=created)
    if not created:
        _reattach(record)
    return outcome


def _reattach(record: models.Model) -> None:
    contact_id, _ = holder_ids(record)
    for model in (PersonalDataFinding, DetectionFailure):
        rows = model.objects.filter(record_id=record.pk)
        moving = (
            rows.filter(contact__isnull=False)
            if contact_id is None
            else rows.exclude(contact_id=contact_id)
        )
        moved = list(moving.values_list("pk", flat=True)) if model is PersonalDataFinding else []
        moving.update(contact_id=contact_id)
        if moved:
            # The evidence moves to the new contact's data key: erasing that person must
            # erase it, and erasing the previous one must not (steward.crypto).
            records_reencrypt(PersonalDataFinding, moved)


def _store(actor: Actor, detected: list[_Detected], new_records: bool) -> DetectionOutcome:
    outcome = DetectionOutcome()
    existing: dict[tuple[str, str], list[PersonalDataFinding]] = {}
    succeeded = [d for d in detected if not d.error]
    if not new_records and succeeded:
        existing = _stored_findings([d.text for d in succeeded])
    rows: list[tuple] = []
    stubs: list[PersonalDataFinding] = []
    withdrawn: list[PersonalDataFinding] = []
    moved: list[PersonalDataFinding] = []
    for item in succeeded:
        text = item.text
        stored = existing.get(text.key, [])
        reviewed = {(f.category, f.evidence): f for f in stored if f.status in REVIEWED_STATUSES}
        suggested = {
            (f.category, f.evidence, f.start, f.end): f
            for f in stored
            if f.status == FindingStatus.SUGGESTED
        }
        kept: set = set()
        seen: set = set()
        for finding in item.findings:
            evidence = finding.evidence[:EVIDENCE_MAX_LENGTH]
            decided = reviewed.get((finding.category, evidence))
            if decided is not None:
                kept.add(decided.pk)
                if (decided.start, decided.end) != (finding.start, finding.end):
                    decided.start, decided.end = finding.start, finding.end
                    moved.append(decided)
                continue
            signature = (finding.category, evidence, finding.start, finding.end)
            if signature in seen:
                continue
            seen.add(signature)
            if signature in suggested:
                kept.add(suggested[signature].pk)
                continue
            pk = uuid.uuid4()
            # The evidence is encrypted under the contact's data key (steward.crypto).
            sealed = _EVIDENCE.seal(
                evidence,
                row_id=pk,
                owner=_EVIDENCE.owner_for_values({"contact_id": text.contact_id}),
            )
            rows.append(
                (
                    pk, text.record_type, text.record_id, text.field_name, text.contact_id,
                    text.activity_id, finding.category, TAXONOMY_KEY[finding.category],
                    is_special(finding.category), finding.start, finding.end,
                    round(finding.confidence, 4), sealed, finding.detector,
                )
            )  # fmt: skip
            stubs.append(_stub(pk))
        # A reviewed finding whose evidence is still in the text stays even when today's
        # detectors miss it (a person's "yes" outranks a heuristic's silence).
        withdrawn += [
            f
            for f in stored
            if f.pk not in kept and not (f.status in REVIEWED_STATUSES and f.evidence in text.text)
        ]
    if withdrawn:
        PersonalDataFinding.objects.filter(pk__in=[f.pk for f in withdrawn]).delete()
        audit_record_many(actor=actor, action="finding.withdrawn", targets=withdrawn)
        outcome.removed = len(withdrawn)
    if moved:
        PersonalDataFinding.objects.bulk_update(moved, ["start", "end"])
    if rows:
        now = timezone.now()
        insert = _finding_insert()
        for begin in range(0, len(rows), INSERT_BATCH):
            insert.execute(rows[begin : begin + INSERT_BATCH], (now, now, FindingStatus.SUGGESTED))
        audit_record_many(actor=actor, action="finding.suggested", targets=stubs)
        outcome.added = len(rows)
    if not new_records and succeeded:
        _clear_failures([d.text for d in succeeded])
    failures = [d for d in detected if d.error]
    if failures:
        _mark_failures(failures, replace=not new_records)
        outcome.failed = len(failures)
    return outcome


_EVIDENCE = PersonalDataFinding._meta.get_field("evidence")


def _finding_insert() -> BatchInsert:
    return BatchInsert(
        PersonalDataFinding,
        _FINDING_COLUMNS,
        constant_columns=("created_at", "updated_at", "status"),
    )


def _stub(pk) -> PersonalDataFinding:
    # What the audit trail needs of a target: its model and id.
    stub = PersonalDataFinding.__new__(PersonalDataFinding)
    stub.pk = pk
    return stub


def _stored_findings(texts: list[FieldText]) -> dict[tuple[str, str], list[PersonalDataFinding]]:
    wanted = {t.key for t in texts}
    found: dict[tuple[str, str], list[PersonalDataFinding]] = {}
    record_ids = sorted({t.record_id for t in texts})
    for begin in range(0, len(record_ids), 500):
        rows = PersonalDataFinding.objects.filter(record_id__in=record_ids[begin : begin + 500])
        for finding in rows.only(
            "id", "record_id", "field_name", "category", "evidence", "start", "end", "status"
        ):
            key = (str(finding.record_id), finding.field_name)
            if key in wanted:
                found.setdefault(key, []).append(finding)
    return found


def _clear_failures(texts: list[FieldText]) -> None:
    record_ids = sorted({t.record_id for t in texts})
    wanted = {t.key for t in texts}
    for begin in range(0, len(record_ids), 500):
        markers = DetectionFailure.objects.filter(record_id__in=record_ids[begin : begin + 500])
        stale = [m.pk for m in markers.only("id", "record_id", "field_name") if _key(m) in wanted]
        if stale:
            DetectionFailure.objects.filter(pk__in=stale).delete()


def _key(row) -> tuple[str, str]:
    return (str(row.record_id), row.field_name)


def _mark_failures(failures: list[_Detected], *, replace: bool) -> None:
    if replace:
        _clear_failures([d.text for d in failures])
    DetectionFailure.objects.bulk_create(
        [
            DetectionFailure(
                record_type=d.text.record_type,
                record_id=d.text.record_id,
                field_name=d.text.field_name,
                contact_id=d.text.contact_id,
                activity_id=d.text.activity_id,
                error=d.error,
            )
            for d in failures
        ],
        batch_size=INSERT_BATCH,
    )


def findings_forget_field(*, actor: Actor, record_type: str, field_name: str) -> int:
    """Deletes every finding and failure marker of a field that no longer exists (a deleted
    custom field): the evidence must not outlive the values it was found in."""
    findings = PersonalDataFinding.objects.filter(record_type=record_type, field_name=field_name)
    removed = list(findings.only("id"))
    if removed:
        audit_record_many(
            actor=actor,
            action="finding.withdrawn",
            targets=removed,
            context={"field_deleted": f"{record_type}.{field_name}"},
        )
        findings.delete()
    DetectionFailure.objects.filter(record_type=record_type, field_name=field_name).delete()
    return len(removed)


# ---------------------------------------------------------------- review


def finding_review(
    *, actor: Actor, finding: PersonalDataFinding, status: str
) -> PersonalDataFinding:
    """A reviewer confirms or dismisses a finding (Art. 9: only roles allowed to see
    special-category data). The move is checked against ALLOWED_REVIEWS and made by a
    conditional UPDATE, so two reviewers racing cannot both decide on a stale copy."""
    require(actor, REVIEW_PERMISSION)
    if not finding_visible(finding, actor):
        raise NotFound("No such finding, or it is outside what you may see.")
    if status not in (FindingStatus.CONFIRMED, FindingStatus.DISMISSED):
        raise ValidationFailed(
            f"Unknown review decision {status!r}.",
            field_errors={"status": ["Choose confirm or dismiss."]},
        )
    if status not in ALLOWED_REVIEWS[finding.status]:
        raise Conflict(f"This finding is already {FindingStatus(finding.status).label.lower()}.")
    now = timezone.now()
    user = actor_user(actor)
    with transaction.atomic():
        updated = PersonalDataFinding.objects.filter(pk=finding.pk, status=finding.status).update(
            status=status, reviewed_by=user, reviewed_at=now, updated_at=now
        )
        if not updated:
            raise Conflict("The finding changed meanwhile; reload the page.")
        audit_record(
            actor=actor,
            action=f"finding.{status}",
            target=finding,
            changes={"status": [finding.status, status]},
            context={"record": f"{finding.record_type}:{finding.record_id}"},
        )
    finding.status, finding.reviewed_by, finding.reviewed_at = status, user, now
    return finding


def finding_visible(finding: PersonalDataFinding, actor: Actor) -> bool:
    """Whether `actor` may see the record the finding is in."""
    holder = finding.activity if finding.activity_id else finding.contact
    return holder is not None and may_see(holder, actor)


# ---------------------------------------------------------------- full scan


@dataclass(frozen=True)
class ScanProgress:
    """Where a scan of one model stands, for the command's progress line."""

    run: ScanRun
    elapsed: float
    rows_per_second: float
    eta_seconds: float | None


def scannable_labels() -> list[str]:
    """Model labels `steward scan --model` accepts ("activities.activity", ...)."""
    return [model._meta.label_lower for model in scanned_models()]


def _scanned_model(label: str) -> type[models.Model]:
    for model in scanned_models():
        if model._meta.label_lower == label.lower():
            return model
    raise ValidationFailed(
        f"Nothing to scan in {label!r}; choose one of {', '.join(scannable_labels())}.",
        field_errors={"model": ["Not a model with free text."]},
    )


def findings_scan(
    *,
    actor: Actor,
    model_label: str,
    since: date | None = None,
    batch_size: int = SCAN_BATCH,
    on_progress: Callable[[ScanProgress], None] | None = None,
) -> ScanRun:
    """Detection over every record of a model (changed on or after `since`), in batches
    each committed with the scan's position. Idempotent: a record scanned twice ends with
    the same findings. Resumable: an unfinished scan of the same model and `since` goes on
    after its last committed batch."""
    model = _scanned_model(model_label)
    label = model._meta.label_lower
    fields = free_text_fields(model)
    # A model whose free text lives in subfields may have none today (no text custom field).
    records = model._default_manager.order_by("pk") if fields else model._default_manager.none()
    if since is not None:
        start_of_day = timezone.make_aware(datetime.combine(since, day_time.min))
        records = records.filter(updated_at__gte=start_of_day)
    run = (
        ScanRun.objects.filter(model_label=label, since=since, status=ScanStatus.RUNNING)
        .order_by("-created_at")
        .first()
    )
    if run is None:
        run = ScanRun.objects.create(model_label=label, since=since, total=records.count())
    started, scanned_at_start = time.monotonic(), run.scanned
    columns = {name.partition(".")[0] for name in fields}
    if any(f.name == "contact" for f in model._meta.concrete_fields):
        columns.add("contact")  # whose the findings are
    while True:
        batch_records = records.only("pk", *columns)
        if run.last_id is not None:
            batch_records = batch_records.filter(pk__gt=run.last_id)
        batch = list(batch_records[:batch_size])
        if not batch:
            break
        texts = [t for record in batch for t in texts_of(record, fields)]
        with transaction.atomic():
            outcome = findings_refresh(actor=actor, texts=texts)
            claimed = ScanRun.objects.filter(pk=run.pk, last_id=run.last_id).update(
                last_id=batch[-1].pk,
                scanned=F("scanned") + len(batch),
                findings_added=F("findings_added") + outcome.added,
                failures=F("failures") + outcome.failed,
                updated_at=timezone.now(),
            )
            if not claimed:
                # Another scan of the same model moved on meanwhile; this batch is its.
                raise Conflict("Another scan of these records is running.")
        run.refresh_from_db()
        if on_progress:
            on_progress(_progress(run, started, scanned_at_start))
    ScanRun.objects.filter(pk=run.pk).update(
        status=ScanStatus.FINISHED, finished_at=timezone.now(), updated_at=timezone.now()
    )
    run.refresh_from_db()
    if on_progress:
        on_progress(_progress(run, started, scanned_at_start))
    return run


def _progress(run: ScanRun, started: float, scanned_at_start: int) -> ScanProgress:
    elapsed = max(time.monotonic() - started, 1e-6)
    rate = (run.scanned - scanned_at_start) / elapsed
    remaining = max(run.total - run.scanned, 0)
    eta = remaining / rate if rate > 0 else None
    return ScanProgress(run, elapsed, rate, 0.0 if run.status == ScanStatus.FINISHED else eta)


def findings_scan_all(
    *,
    actor: Actor | None = None,
    since: date | None = None,
    on_progress: Callable[[ScanProgress], None] | None = None,
) -> list[ScanRun]:
    """`findings_scan` of every model with free text."""
    actor = actor or SystemActor("scan")
    return [
        findings_scan(actor=actor, model_label=label, since=since, on_progress=on_progress)
        for label in scannable_labels()
    ]
