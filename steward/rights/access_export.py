"""Art. 15: everything Steward holds about one person, and what the article says they are
owed besides a copy (15(1)(a)-(h), 15(2)).

Derived from the data map, never from a list of tables: every model that holds personal data
(steward.core.personal_data) and points at the contact through a foreign key contributes its
rows, with every personal-data field of each row (custom fields by their labels). A model
added later with a foreign key to the contact appears here without a change to this module.
"""

from __future__ import annotations

import datetime
import decimal
import html
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from steward.contacts.models import Contact, CustomFieldDefinition
from steward.core.actor import Actor, SystemActor
from steward.core.personal_data import NOT_PERSONAL, tag_of
from steward.inventory.data_map import PersonLink
from steward.inventory.data_map import person_links as linked_to
from steward.inventory.history import HistoryEntry, records_history
from steward.inventory.taxonomy import BUILTIN_CATEGORIES

FORMAT = "steward.access-export/1"
# Whose eyes the history is opened for: the person themselves (nothing of theirs is masked).
EXPORT = SystemActor("access-export")

RIGHTS_TEXT = (
    "You may ask us to correct your data (Art. 16), to erase it (Art. 17), to restrict its "
    "processing (Art. 18), to receive the data you gave us in a portable form (Art. 20) and "
    "to object to its processing (Art. 21; to direct marketing at any time, with immediate "
    "effect). Where processing rests on your consent, you may withdraw it at any time "
    "(Art. 7(3)) through the privacy portal or any email we send you."
)
COMPLAINT_TEXT = (
    "You have the right to lodge a complaint with a supervisory authority, in particular in "
    "the Member State of your habitual residence, place of work or of the alleged "
    "infringement (Art. 77)."
)
AUTOMATED_DECISIONS_TEXT = (
    "None: Steward makes no decision based solely on automated processing, including "
    "profiling, that produces legal or similarly significant effects (Art. 22)."
)


def person_links() -> list[PersonLink]:
    """Where the contact's rows are: the contact itself first, then every personal-data model
    with a foreign key to it (steward.inventory.data_map.person_links)."""
    return [PersonLink(Contact, "id"), *linked_to(Contact)]


def _personal_fields(model: type[models.Model]) -> list[models.Field]:
    fields = []
    for field in model._meta.concrete_fields:
        tag = tag_of(field)
        if tag is None or tag == NOT_PERSONAL:
            continue
        fields.append(field)
    return fields


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _row(instance: models.Model, fields: list[models.Field], labels: dict[str, str]) -> dict:
    row: dict[str, Any] = {"id": str(instance.pk)}
    for field in fields:
        value = getattr(instance, field.attname)
        if field.name == "custom" and isinstance(value, dict):
            value = {labels.get(key, key): v for key, v in value.items()}
        elif field.is_relation and value is not None:
            related = getattr(instance, field.name, None)
            value = str(related) if related is not None else str(value)
        row[str(field.verbose_name)] = _plain(value)
    for stamp in ("created_at", "occurred_at", "received_at"):
        if hasattr(instance, stamp) and stamp not in row:
            row[stamp] = _plain(getattr(instance, stamp))
    return row


def _held_data(contact: Contact) -> tuple[dict[str, list[dict]], dict[type, list]]:
    """The person's rows by model label, and the ids of those rows by model."""
    labels = dict(CustomFieldDefinition.objects.values_list("key", "label"))
    held: dict[str, list[dict]] = {}
    ids: dict[type, list] = {}
    for link in person_links():
        fields = _personal_fields(link.model)
        if not fields:
            continue
        rows = link.model._base_manager.filter(**{link.field: contact.pk}).order_by("pk")
        found = []
        for instance in rows:
            found.append(_row(instance, fields, labels))
            ids.setdefault(link.model, []).append(instance.pk)
        if found:
            held[link.label] = found
    return held, ids


def _history(ids: dict[type, list]) -> list[dict]:
    """What happened to the person's records, from the audit trail: when, what, by whom
    (staff by role only: their identity is someone else's data, Art. 15(4)), and the old and
    new values of each change."""
    entries = []
    for model, pks in ids.items():
        for entry in records_history(actor=EXPORT, model=model, pks=pks):
            entries.append(
                {
                    "at": entry.occurred_at.isoformat(),
                    "record": f"{model._meta.verbose_name} {entry.record_id}",
                    "what": entry.action,
                    "by": _who(entry),
                    "changes": [
                        {"field": c.label, "before": _plain(c.old), "after": _plain(c.new)}
                        for c in entry.changes
                    ],
                }
            )
    return sorted(entries, key=lambda entry: entry["at"])


def _who(entry: HistoryEntry) -> str:
    if entry.by_staff:
        return "a member of staff"
    # System actors are labelled "system:<what>" (the portal, an import job, the worker).
    return f"automatically ({entry.actor_label.removeprefix('system:')})"


def _categories(held: dict[str, list[dict]]) -> list[dict]:
    """The categories of data held (Art. 15(1)(b)), from the fields that hold something."""
    keys: set[str] = set()
    for link in person_links():
        if link.label not in held:
            continue
        for field in _personal_fields(link.model):
            keys.add(tag_of(field).category)
    for key in CustomFieldDefinition.objects.values_list("category", flat=True):
        keys.add(key)
    return [
        {"key": key, "label": BUILTIN_CATEGORIES[key].label if key in BUILTIN_CATEGORIES else key}
        for key in sorted(keys)
        if key
    ]


def _processing(contact: Contact) -> dict:
    """Art. 15(1)(a), (c), (d), 15(2): the purposes the gate allows for the person now, each
    with its basis and retention, and the recipients of those purposes with their
    countries and transfer safeguards."""
    from steward.processing.gate import decisions_for
    from steward.processing.selectors import purposes_active

    purposes, recipients = [], {}
    active = list(purposes_active().prefetch_related("recipients"))
    # One set of queries for every purpose at once (the gate reads the person's facts once).
    for purpose, decision in zip(
        active, decisions_for(contact=contact, purposes=active), strict=True
    ):
        if not decision.allowed:
            continue
        purposes.append(
            {
                "purpose": purpose.name,
                "description": purpose.description,
                "lawful_basis": purpose.get_lawful_basis_display(),
                "art9_condition": purpose.get_art9_condition_display()
                if purpose.art9_condition
                else "",
                "why": decision.reason,
                "retention": _retention(purpose),
            }
        )
        for recipient in purpose.recipients.all():
            if recipient.status == "ended":
                continue
            recipients[recipient.pk] = {
                "name": recipient.name,
                "kind": recipient.get_kind_display(),
                "service": recipient.service,
                "countries": [str(c.name) for c in recipient.countries],
                "transfer_safeguard": recipient.get_transfer_safeguard_display()
                if recipient.transfer_safeguard
                else "",
            }
    return {"purposes": purposes, "recipients": list(recipients.values())}


def _retention(purpose) -> str:
    if purpose.retention_months:
        text = f"{purpose.retention_months} months {purpose.get_retention_trigger_display()}"
        return f"{text}. {purpose.retention_note}".strip() if purpose.retention_note else text
    return purpose.retention_note or "As long as the purpose lasts."


def access_export(*, actor: Actor, contact: Contact) -> dict:
    """The Art. 15 document for `contact`, as plain JSON-able data. The caller has decided
    that `actor` may have it (a verified request, or staff handling one)."""
    held, ids = _held_data(contact)
    processing = _processing(contact)
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        "controller": {
            "name": getattr(settings, "STEWARD_CONTROLLER_NAME", ""),
            "address": getattr(settings, "STEWARD_CONTROLLER_ADDRESS", ""),
            "email": getattr(settings, "STEWARD_CONTROLLER_EMAIL", ""),
            "dpo": {
                "name": getattr(settings, "STEWARD_DPO_NAME", ""),
                "email": getattr(settings, "STEWARD_DPO_EMAIL", ""),
            },
        },
        "person": {"id": str(contact.pk), "name": str(contact)},
        "art_15": {
            "a_purposes": processing["purposes"],
            "b_categories": _categories(held),
            "c_recipients": processing["recipients"],
            "d_retention": [
                {"purpose": p["purpose"], "retention": p["retention"]}
                for p in processing["purposes"]
            ],
            "e_rights": RIGHTS_TEXT,
            "f_complaint": COMPLAINT_TEXT,
            "g_source": _source(contact),
            "h_automated_decisions": AUTOMATED_DECISIONS_TEXT,
            "transfers_2": [
                {
                    "recipient": r["name"],
                    "countries": r["countries"],
                    "safeguard": r["transfer_safeguard"],
                }
                for r in processing["recipients"]
                if r["transfer_safeguard"]
            ],
        },
        "data": held,
        "history": _history(ids),
        "not_searched": (
            "Notes on other people's records are stored encrypted under those people's keys; "
            "mentions of you there are found by the personal-data detection when the notes "
            "are written, and its findings about a record are listed with that record."
        ),
    }


def _source(contact: Contact) -> str:
    source = contact.get_source_display() if hasattr(contact, "get_source_display") else ""
    return f"Collected via: {source}" if source else "Collected from you."


def access_export_html(document: dict) -> str:
    """A readable rendering of the same document."""
    return render_to_string("rights/access_export.html", {"doc": document, "escape": html.escape})
