"""The record of processing activities (Art. 30(1)), generated from the register, its
recipients, the taxonomy and the data map, never typed twice: a category added to a purpose
appears here with its label, sensitivity and the fields that hold it, and a recipient's
country outside the EEA appears as a transfer with its safeguard.

Art. 30(1): (a) the controller's name and contact details, any joint controller, the
representative and the DPO; (b) the purposes; (c) the categories of people and of data;
(d) the recipients, those in third countries included; (e) transfers to third countries with
their safeguards; (f) the time limits for erasure; (g) the security measures."""

import csv
import datetime
import io
import json
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils import timezone
from django_countries import countries as country_names

from steward.inventory.data_map import data_map, spreadsheet_safe
from steward.inventory.models import DataCategory
from steward.inventory.taxonomy import BUILTIN_CATEGORIES, category_covers
from steward.processing.models import (
    Art9Condition,
    LawfulBasis,
    Purpose,
    Recipient,
    RecipientKind,
    RecipientStatus,
    TransferSafeguard,
)
from steward.processing.selectors import purposes_active
from steward.processing.transfers import third_countries

NONE = "None"
NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Controller:
    """Art. 30(1)(a), from the settings (STEWARD_CONTROLLER_*, STEWARD_DPO_*)."""

    name: str
    address: str
    email: str
    dpo_name: str
    dpo_email: str
    representative: str


@dataclass(frozen=True)
class RecordCategory:
    """A data category of an activity, as the taxonomy and the data map describe it."""

    key: str
    label: str
    sensitivity: str
    fields: tuple[str, ...]  # the data map's fields that hold it ("contacts.Contact.email")


@dataclass(frozen=True)
class RecordRecipient:
    name: str
    kind: str
    kind_label: str
    service: str
    contact_details: str
    countries: tuple[str, ...]
    dpa_signed_on: datetime.date | None


@dataclass(frozen=True)
class RecordTransfer:
    """Art. 30(1)(e): a third country, who receives there, and the safeguard."""

    recipient: str
    country: str
    country_name: str
    safeguard: str
    safeguard_label: str
    documentation: str


@dataclass(frozen=True)
class RecordActivity:
    key: str
    name: str
    description: str
    lawful_basis: str
    lawful_basis_label: str
    art9_condition: str
    art9_condition_label: str
    legitimate_interest_assessment: str
    lia_assessed_on: datetime.date | None
    is_direct_marketing: bool
    subject_categories: tuple[str, ...]
    data_categories: tuple[RecordCategory, ...]
    joint_controllers: tuple[RecordRecipient, ...]
    recipients: tuple[RecordRecipient, ...]
    transfers: tuple[RecordTransfer, ...]
    retention: str
    retention_months: int | None
    retention_trigger: str
    retention_note: str
    security_measures: str
    dpia_required: bool
    dpia_reference: str

    @property
    def special_categories(self) -> tuple[RecordCategory, ...]:
        return tuple(c for c in self.data_categories if c.sensitivity == "special")


@dataclass(frozen=True)
class ProcessingRecord:
    generated_at: datetime.datetime
    controller: Controller
    activities: tuple[RecordActivity, ...]
    recipients: tuple[RecordRecipient, ...]  # every active recipient, for (d) at a glance


def controller() -> Controller:
    return Controller(
        name=settings.STEWARD_CONTROLLER_NAME,
        address=settings.STEWARD_CONTROLLER_ADDRESS,
        email=settings.STEWARD_CONTROLLER_EMAIL,
        dpo_name=settings.STEWARD_DPO_NAME,
        dpo_email=settings.STEWARD_DPO_EMAIL,
        representative=settings.STEWARD_REPRESENTATIVE,
    )


def _recipient(row: Recipient) -> RecordRecipient:
    return RecordRecipient(
        name=row.name,
        kind=row.kind,
        kind_label=RecipientKind(row.kind).label,
        service=row.service,
        contact_details=row.contact_details,
        countries=tuple(str(c) for c in row.countries),
        dpa_signed_on=row.dpa_signed_on,
    )


def _transfers(rows: list[Recipient]) -> tuple[RecordTransfer, ...]:
    return tuple(
        RecordTransfer(
            recipient=row.name,
            country=code,
            country_name=str(country_names.name(code)),
            safeguard=row.transfer_safeguard,
            # A third country without a safeguard can only come from outside the services;
            # the record says so rather than "none needed".
            safeguard_label=(
                TransferSafeguard(row.transfer_safeguard).label
                if row.transfer_safeguard
                else "No safeguard recorded"
            ),
            documentation=row.transfer_documentation,
        )
        for row in rows
        for code in third_countries(str(c) for c in row.countries)
    )


def _category(key: str, taxonomy: dict[str, DataCategory], fields) -> RecordCategory:
    row = taxonomy.get(key)
    builtin = BUILTIN_CATEGORIES.get(key)
    label = row.label if row else (builtin.label if builtin else key)
    sensitivity = row.sensitivity if row else (builtin.sensitivity if builtin else "unknown")
    held_in = tuple(
        f"{field.model}.{field.field}" for field in fields if category_covers(key, field.category)
    )
    return RecordCategory(key, label, str(sensitivity), held_in)


def _activity(purpose: Purpose, taxonomy, fields) -> RecordActivity:
    receiving = [r for r in purpose.recipients.all() if r.status == RecipientStatus.ACTIVE]
    return RecordActivity(
        key=purpose.key,
        name=purpose.name,
        description=purpose.description,
        lawful_basis=purpose.lawful_basis,
        lawful_basis_label=LawfulBasis(purpose.lawful_basis).label,
        art9_condition=purpose.art9_condition,
        art9_condition_label=Art9Condition(purpose.art9_condition).label,
        legitimate_interest_assessment=purpose.legitimate_interest_assessment,
        lia_assessed_on=purpose.lia_assessed_on,
        is_direct_marketing=purpose.is_direct_marketing,
        subject_categories=tuple(purpose.subject_categories or ()),
        data_categories=tuple(
            _category(key, taxonomy, fields) for key in purpose.data_categories or ()
        ),
        joint_controllers=tuple(
            _recipient(r) for r in receiving if r.kind == RecipientKind.JOINT_CONTROLLER
        ),
        recipients=tuple(
            _recipient(r) for r in receiving if r.kind != RecipientKind.JOINT_CONTROLLER
        ),
        transfers=_transfers(receiving),
        retention=purpose.retention_rule,
        retention_months=purpose.retention_months,
        retention_trigger=purpose.retention_trigger,
        retention_note=purpose.retention_note,
        security_measures=purpose.security_measures,
        dpia_required=purpose.dpia_required,
        dpia_reference=purpose.dpia_reference,
    )


def _sources() -> tuple[dict[str, DataCategory], list]:
    taxonomy = {row.key: row for row in DataCategory.objects.all()}
    # Fields about people the register concerns; staff accounts are not its subject.
    fields = [row for row in data_map() if row.subject != "staff"]
    return taxonomy, fields


def processing_activity(purpose: Purpose) -> RecordActivity:
    """One purpose as the record describes it (the purpose's page shows this)."""
    return _activity(purpose, *_sources())


def processing_record() -> ProcessingRecord:
    """The record as it stands now: every active purpose, from the tables and the data map."""
    taxonomy, fields = _sources()
    purposes = purposes_active().prefetch_related("recipients")
    return ProcessingRecord(
        generated_at=timezone.now(),
        controller=controller(),
        activities=tuple(_activity(p, taxonomy, fields) for p in purposes),
        recipients=tuple(
            _recipient(r) for r in Recipient.objects.filter(status=RecipientStatus.ACTIVE)
        ),
    )


# -- Exports -------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def record_json(record: ProcessingRecord) -> str:
    """The record as one JSON document; each activity names the Art. 30(1) item of each part."""
    document = {
        "title": "Record of processing activities (Art. 30(1) GDPR)",
        "generated_at": record.generated_at.isoformat(timespec="seconds"),
        "controller": _plain(asdict(record.controller)),
        "activities": [
            {
                **_plain(asdict(activity)),
                "art30": {
                    "a": "controller, joint_controllers",
                    "b": "name, description, lawful_basis",
                    "c": "subject_categories, data_categories",
                    "d": "recipients, joint_controllers",
                    "e": "transfers",
                    "f": "retention",
                    "g": "security_measures",
                },
            }
            for activity in record.activities
        ],
        "recipients": [_plain(asdict(r)) for r in record.recipients],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "controller", "controller_contact", "dpo", "representative", "joint_controllers",
    "purpose_key", "purpose", "description", "lawful_basis", "art9_condition",
    "legitimate_interest_assessment", "subject_categories", "data_categories",
    "special_categories", "recipients", "third_country_transfers", "retention",
    "security_measures", "dpia",
)  # fmt: skip


def _recipient_text(r: RecordRecipient) -> str:
    where = f", {', '.join(r.countries)}" if r.countries else ""
    return f"{r.name} ({r.kind_label}{where})"


def _transfer_text(t: RecordTransfer) -> str:
    text = f"{t.recipient} to {t.country_name} ({t.country}): {t.safeguard_label}"
    return f"{text}; {t.documentation}" if t.documentation else text


def _dpia_text(activity: RecordActivity) -> str:
    if not activity.dpia_required:
        return "Not required"
    return f"Required: {activity.dpia_reference or NOT_RECORDED}"


def record_csv(record: ProcessingRecord) -> str:
    """The record as CSV, one line per activity, each cell in words; several values are
    separated by " | "."""
    c = record.controller
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in record.activities:
        values = {
            "controller": c.name,
            "controller_contact": f"{c.address}; {c.email}",
            "dpo": f"{c.dpo_name}, {c.dpo_email}",
            "representative": c.representative or NONE,
            "joint_controllers": " | ".join(
                f"{j.name}: {j.contact_details or NOT_RECORDED}" for j in a.joint_controllers
            )
            or NONE,
            "purpose_key": a.key,
            "purpose": a.name,
            "description": a.description,
            "lawful_basis": a.lawful_basis_label,
            "art9_condition": a.art9_condition_label if a.art9_condition else NONE,
            "legitimate_interest_assessment": a.legitimate_interest_assessment or NONE,
            "subject_categories": " | ".join(a.subject_categories) or NOT_RECORDED,
            "data_categories": " | ".join(f"{d.label} ({d.key})" for d in a.data_categories)
            or NOT_RECORDED,
            "special_categories": " | ".join(d.label for d in a.special_categories) or NONE,
            "recipients": " | ".join(_recipient_text(r) for r in a.recipients) or NONE,
            "third_country_transfers": " | ".join(_transfer_text(t) for t in a.transfers) or NONE,
            "retention": a.retention,
            "security_measures": a.security_measures or NOT_RECORDED,
            "dpia": _dpia_text(a),
        }
        writer.writerow(spreadsheet_safe(str(values[column])) for column in CSV_COLUMNS)
    return out.getvalue()
