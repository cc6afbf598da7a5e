"""Art. 20: the data a person provided, processed under their consent or a contract, in a
structured, commonly used, machine-readable form (JSON and CSV).

"Provided" is read as the contact's own fields the person gave us (names, addresses, numbers,
language, country, date of birth, custom fields) and their consent choices; what the business
derived or wrote about them (notes, scores, findings, lifecycle stages) is not portable data,
though the access export (Art. 15) holds it. Portability applies only where a purpose under
consent or contract allows processing the person's data; otherwise the export is empty and
says why."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from django.utils import timezone

from steward.contacts.models import Contact, CustomFieldDefinition
from steward.core.actor import Actor
from steward.processing.models import LawfulBasis

# The contact's fields the person provides themselves.
PROVIDED_FIELDS = (
    "given_name", "family_name", "email", "phone", "job_title", "street", "postal_code",
    "city", "region", "country", "date_of_birth", "language",
)  # fmt: skip
PORTABLE_BASES = (LawfulBasis.CONSENT, LawfulBasis.CONTRACT)


@dataclass(frozen=True)
class PortabilityExport:
    json: bytes
    csv: bytes
    bases: tuple[str, ...]


def _portable_bases(contact: Contact) -> tuple[str, ...]:
    from steward.processing.gate import decisions_for
    from steward.processing.selectors import purposes_active

    purposes = list(purposes_active().filter(lawful_basis__in=PORTABLE_BASES))
    decisions = decisions_for(contact=contact, purposes=purposes) if purposes else []
    return tuple(
        sorted({p.lawful_basis for p, d in zip(purposes, decisions, strict=True) if d.allowed})
    )


def portability_export(*, actor: Actor, contact: Contact) -> PortabilityExport:
    """The person's provided data, when a consent or contract purpose covers them."""
    bases = _portable_bases(contact)
    record: dict[str, object] = {}
    consents: list[dict] = []
    if bases:
        for name in PROVIDED_FIELDS:
            value = getattr(contact, name)
            if name == "country":
                value = value.code or ""
            elif name == "date_of_birth":
                value = value.isoformat() if value else ""
            record[name] = value or ""
        labels = dict(CustomFieldDefinition.objects.values_list("key", "label"))
        for key, value in (contact.custom or {}).items():
            record[f"custom:{labels.get(key, key)}"] = value
        consents = [
            {
                "purpose": state.purpose.name,
                "status": state.status,
                "given_at": state.given_at.isoformat() if state.given_at else "",
            }
            for state in contact.consent_states.select_related("purpose").order_by("purpose")
        ]
    document = {
        "format": "steward.portability/1",
        "generated_at": timezone.now().isoformat(),
        "lawful_bases": list(bases),
        "note": ""
        if bases
        else "No processing of your data rests on your consent or a contract with you, so "
        "there is no data to port (Art. 20(1)); you may still ask for a copy (Art. 15).",
        "contact": record,
        "consents": consents,
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["field", "value"])
    for key, value in record.items():
        writer.writerow([key, value])
    for consent in consents:
        writer.writerow([f"consent:{consent['purpose']}", consent["status"]])
    return PortabilityExport(
        json=json.dumps(document, ensure_ascii=False, indent=2).encode(),
        csv=buffer.getvalue().encode(),
        bases=bases,
    )
