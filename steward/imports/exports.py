"""Exporting contacts to CSV or JSON: every field of every contact the actor may see, with
tags, custom fields, organisation and further addresses, streamed so that 100,000 contacts
never sit in memory, and recorded in the audit trail (who exported how many, filtered how,
for which purpose). The CSV's headers are ones the import recognises, so an export imports
back unchanged.

An export is processing for a purpose: it names one (customer management unless told
otherwise) and holds only the people the processing gate allows for it; how many were left
out, and why, is reported and audited (docs/decisions/0015-processing-gate.md)."""

import csv
import datetime
import io
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, TextIO

from django.utils import timezone

from steward.audit.events import audit_record
from steward.contacts.choices import ContactMethodKind
from steward.contacts.models import Contact, CustomFieldDefinition
from steward.contacts.selectors import (
    ContactFilters,
    contact_list,
    custom_fields_hidden_from,
    custom_values_for,
)
from steward.core.actor import Actor
from steward.core.errors import ValidationFailed
from steward.core.permissions import require
from steward.processing.gate import contacts_allowed, exclusions, exclusions_as_seen_by

# What an export is for when the person exporting does not say.
DEFAULT_EXPORT_PURPOSE = "customer-management"

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
# (key, CSV header): the headers are what the import maps back to the same fields.
COLUMNS = (
    ("id", "ID"),
    ("given_name", "First name"),
    ("family_name", "Last name"),
    ("email", "Email"),
    ("further_emails", "Further emails"),
    ("phone", "Phone"),
    ("further_phones", "Further phones"),
    ("job_title", "Job title"),
    ("organisation", "Organisation"),
    ("street", "Street"),
    ("postal_code", "Postal code"),
    ("city", "City"),
    ("region", "Region"),
    ("country", "Country"),
    ("date_of_birth", "Date of birth"),
    ("language", "Language"),
    ("lifecycle_stage", "Lifecycle stage"),
    ("source", "Contact source"),
    ("tags", "Tags"),
    ("owner", "Owner"),
    ("team", "Team"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
)
_NUMBER_LIKE = re.compile(r"[+-]?[\d\s().\-/]+")
CHUNK_CHARS = 64 * 1024


@dataclass(frozen=True)
class ContactExport:
    """An export that has been authorised and audited; `chunks()` streams its content."""

    actor: Actor
    filters: ContactFilters
    format: str
    count: int
    purpose: str = DEFAULT_EXPORT_PURPOSE
    # {reason code: people left out}, as the actor may see it.
    excluded: dict[str, int] | None = None
    at: datetime.datetime | None = None

    @property
    def excluded_count(self) -> int:
        return sum((self.excluded or {}).values())

    @property
    def content_type(self) -> str:
        return FORMATS[self.format]

    @property
    def filename(self) -> str:
        return f"contacts.{self.format}"

    def chunks(self) -> Iterator[str]:
        definitions = list(CustomFieldDefinition.objects.order_by("position", "label"))
        # Guarded custom fields (Art. 8, 9, 10, national IDs) leave masked for a role
        # that may not read them, as on every page.
        hidden = custom_fields_hidden_from(self.actor)
        allowed = contacts_allowed(
            self.purpose, queryset=contact_list(actor=self.actor, filters=self.filters), at=self.at
        )
        records = (
            _record(contact, hidden)
            for contact in allowed.select_related("team")
            .prefetch_related("tags", "methods")
            .iterator(chunk_size=1000)
        )
        if self.format == "json":
            return _json_chunks(records)
        return _csv_chunks(records, definitions)


@dataclass(frozen=True)
class ExportPreview:
    """What an export for `purpose` would hold: how many people, and who would be left out."""

    purpose: str
    count: int
    # {reason code: people left out} as the actor may see it (special-category reasons
    # folded into "withheld" for a role that may not see them) ...
    excluded: dict[str, int]
    # ... and as they are, for the audit trail.
    excluded_by_code: dict[str, int]

    @property
    def excluded_count(self) -> int:
        return sum(self.excluded.values())


def contacts_export_preview(
    *,
    actor: Actor,
    filters: ContactFilters | None = None,
    purpose: str = DEFAULT_EXPORT_PURPOSE,
    at: datetime.datetime | None = None,
) -> ExportPreview:
    """The counts an export would have, without exporting (the export page shows them)."""
    require(actor, "contacts.export")
    visible = contact_list(actor=actor, filters=filters or ContactFilters())
    excluded = exclusions(purpose, visible, at=at)
    count = contacts_allowed(purpose, queryset=visible, at=at).count()
    return ExportPreview(
        purpose=purpose,
        count=count,
        excluded=exclusions_as_seen_by(excluded, actor),
        excluded_by_code=excluded,
    )


def contacts_export(
    *,
    actor: Actor,
    filters: ContactFilters | None = None,
    format: str = "csv",
    purpose: str = DEFAULT_EXPORT_PURPOSE,
    stream: TextIO | None = None,
) -> ContactExport:
    """Authorises and audits an export for `purpose` of the contacts `actor` may see,
    narrowed by `filters`: only those the processing gate allows for the purpose. With
    `stream`, writes the whole export into it; otherwise the caller streams `chunks()`
    (a web response). An unknown purpose raises UnknownPurpose, nothing written."""
    require(actor, "contacts.export")
    if format not in FORMATS:
        raise ValidationFailed(
            f"Unknown export format {format!r}.", field_errors={"format": ["Use csv or json."]}
        )
    filters = filters or ContactFilters()
    at = timezone.now()
    preview = contacts_export_preview(actor=actor, filters=filters, purpose=purpose, at=at)
    audit_record(
        actor=actor,
        action="contacts.exported",
        object_type=Contact._meta.label_lower,
        changes={
            "count": [None, preview.count],
            "format": [None, format],
            "filters": [None, {k: v for k, v in asdict(filters).items() if v}],
            "purpose": [None, purpose],
            "excluded": [None, preview.excluded_by_code],
        },
    )
    export = ContactExport(
        actor=actor,
        filters=filters,
        format=format,
        count=preview.count,
        purpose=purpose,
        excluded=preview.excluded,
        at=at,
    )
    if stream is not None:
        for chunk in export.chunks():
            stream.write(chunk)
    return export


def _record(contact: Contact, hidden: dict[str, frozenset[str]]) -> dict[str, Any]:
    methods = list(contact.methods.all())
    return {
        "id": str(contact.pk),
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "email": contact.email,
        "further_emails": [m.value for m in methods if m.kind == ContactMethodKind.EMAIL],
        "phone": contact.phone,
        "further_phones": [m.value for m in methods if m.kind == ContactMethodKind.PHONE],
        "job_title": contact.job_title,
        "organisation": contact.organisation.name if contact.organisation else "",
        "street": contact.street,
        "postal_code": contact.postal_code,
        "city": contact.city,
        "region": contact.region,
        "country": contact.country.code or "",
        "date_of_birth": contact.date_of_birth.isoformat() if contact.date_of_birth else "",
        "language": contact.language,
        "lifecycle_stage": contact.lifecycle_stage,
        "source": contact.source,
        "tags": sorted(tag.name for tag in contact.tags.all()),
        "custom": custom_values_for(None, contact.custom, hidden=hidden, as_text=True),
        "owner": contact.owner.email if contact.owner else "",
        "team": contact.team.name if contact.team else "",
        "created_at": contact.created_at.isoformat(),
        "updated_at": contact.updated_at.isoformat(),
    }


def _json_chunks(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = ["["]
    size = 1
    first = True
    for record in records:
        text = ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
        buffer.append(text)
        size += len(text)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    buffer.append("\n]\n")
    yield "".join(buffer)


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): text starting
    with = + - @ gets an apostrophe in front; phone numbers and negative numbers don't.
    The import takes the apostrophe off again."""
    if value and (value[0] in "=@\t\r" or (value[0] in "+-" and not _NUMBER_LIKE.fullmatch(value))):
        return "'" + value
    return value


def _csv_chunks(
    records: Iterator[dict[str, Any]], definitions: list[CustomFieldDefinition]
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in COLUMNS] + [d.label for d in definitions])
    for record in records:
        cells = []
        for key, _ in COLUMNS:
            value = record[key]
            if isinstance(value, list):
                value = "; ".join(value)
            cells.append(spreadsheet_safe(value))
        for definition in definitions:
            value = record["custom"].get(definition.key, "")
            if isinstance(value, bool):
                value = "yes" if value else "no"
            cells.append(spreadsheet_safe(str(value)))
        writer.writerow(cells)
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
