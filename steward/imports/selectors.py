"""Reads of import jobs, their report and a preview of their rows. A job is seen by the
person who started it (and administrators): its report quotes the imported rows."""

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from steward.core.actor import Actor, SystemActor
from steward.core.errors import NotFound
from steward.imports.column_mapping import BUILTIN_TARGETS, CUSTOM_PREFIX
from steward.imports.csv_reading import open_rows
from steward.imports.models import ImportJob
from steward.imports.row_validation import row_parser_for


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.select_related("created_by")
    if isinstance(actor, SystemActor) or actor.is_administrator:
        return qs
    return qs.filter(created_by=actor)


def import_job_get(*, actor: Actor, pk) -> ImportJob:
    """One job the actor may see, or NotFound."""
    try:
        return import_job_list(actor=actor).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such import.") from None


def import_samples(job: ImportJob, *, rows: int = 3) -> list[list[str]]:
    """The first values of each column (the mapping page shows them), column by column."""
    if not job.source_path.is_file():
        return [[] for _ in job.headers]
    with open_rows(job.source_path, encoding=job.encoding, delimiter=job.delimiter) as csv_rows:
        first = [cells for _, _, cells in itertools.islice(csv_rows.rows, 50)]
    columns: list[list[str]] = []
    for position in range(len(job.headers)):
        values = [row[position].strip() for row in first if position < len(row)]
        columns.append([v for v in values if v][:rows])
    return columns


@dataclass
class PreviewRow:
    """A row as it will be imported: its line, values per target, and errors if any."""

    line: int
    cells: list[Any]
    errors: dict[str, list[str]]


def target_label(target: str) -> str:
    """A field's name as people read it ("date_of_birth" -> "Date of birth")."""
    if target == "row":
        return "Whole row"
    if target.startswith(CUSTOM_PREFIX):
        return target.removeprefix(CUSTOM_PREFIX).replace("_", " ").capitalize()
    return BUILTIN_TARGETS[target].label if target in BUILTIN_TARGETS else target


def import_preview(job: ImportJob, *, rows: int = 10) -> tuple[list[str], list[PreviewRow]]:
    """The first rows parsed and normalised as the write will store them."""
    columns = preview_columns(job)
    if not job.source_path.is_file():
        return columns, []
    preview = []
    with open_rows(job.source_path, encoding=job.encoding, delimiter=job.delimiter) as csv_rows:
        parser = row_parser_for(job, csv_rows.headers)
        for index, line, cells in itertools.islice(csv_rows.rows, rows):
            parsed = parser.parse(index, line, cells)
            values: dict[str, Any] = dict(parsed.fields)
            values["organisation"] = parsed.organisation
            values["tags"] = ", ".join(parsed.tags)
            values["extra_email"] = ", ".join(parsed.extra_emails)
            values["extra_phone"] = ", ".join(parsed.extra_phones)
            if "date_of_birth" in values:
                values["date_of_birth"] = values["date_of_birth"].isoformat()
            for key, value in parsed.custom.items():
                values[f"{CUSTOM_PREFIX}{key}"] = value
            cells = [values.get(key, "") for key in columns]
            preview.append(PreviewRow(line, cells, parsed.errors))
    return columns, preview


def preview_columns(job: ImportJob) -> list[str]:
    """The targets a job fills, in the order of the contact form; a full name shows as
    its two parts."""
    mapped = set(job.mapping.values())
    if "full_name" in mapped:
        mapped |= {"given_name", "family_name"}
    builtin = [key for key in BUILTIN_TARGETS if key in mapped and key != "full_name"]
    custom = sorted(t for t in mapped if t.startswith(CUSTOM_PREFIX))
    return builtin + custom


def import_report(job: ImportJob, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The report's entries for rows that have a problem (invalid, duplicate in the file,
    or matching an existing contact), in file order."""
    return list(itertools.islice(report_entries(job), limit))


def report_entries(job: ImportJob) -> Iterator[dict[str, Any]]:
    """The report's lines in file order, streamed (empty once the report was deleted)."""
    try:
        handle = job.report_path.open(encoding="utf-8")
    except FileNotFoundError:
        return
    with handle:
        for text in handle:
            yield json.loads(text)


@dataclass(frozen=True)
class ProblemLine:
    """One problem of one row with one field, as the report table and CSV show it."""

    line: int
    status: str
    field: str
    message: str
    values: dict[str, str]

    @property
    def status_label(self) -> str:
        return {
            "invalid": "Error",
            "duplicate": "Duplicate in file",
            "exists": "Already in Steward",
        }[self.status]


def problem_lines(job: ImportJob, *, limit: int | None = None) -> Iterator[ProblemLine]:
    """The report flattened to one line per row, field and message, in file order."""
    lines = (
        ProblemLine(entry["line"], entry["status"], target_label(field), message,
                    entry.get("values", {}))
        for entry in report_entries(job)
        for field, messages in (
            entry.get("errors")
            or {"email": [f"{entry.get('email')} exists already; skipped or updated as chosen."]}
        ).items()
        for message in messages
    )  # fmt: skip
    return itertools.islice(lines, limit)
