"""The data map, derived from the field annotations, the custom-field definitions, the
taxonomy table, the role table and the register of processing: never typed in a second
time."""

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import capfirst

from steward.core.personal_data import (
    NOT_PERSONAL,
    SUBJECT_CONTACT,
    SUBJECT_MENTIONED,
    SUBJECT_STAFF,
    PersonalSubfield,
    tag_of,
)
from steward.inventory.access import Reader, readers_text, who_can_see
from steward.inventory.models import DataCategory
from steward.inventory.taxonomy import BUILTIN_CATEGORIES, category_covers
from steward.processing.selectors import DataFlows, PurposeUse, RecipientUse, data_flows

# Fields every BaseModel has; they identify and date a record, and hold nothing about a person.
_STRUCTURAL = {"id", "created_at", "updated_at"}

# Where a field goes is derived from the register of processing (steward.processing): the
# active purposes whose data categories cover the field's category, with their retention
# rule, and the active recipients that receive it. Staff accounts are not in that register.
WHERE_IT_GOES_NOTE = (
    "Recipients and retention come from the register of processing: a field goes to the "
    "purposes whose data categories cover its category (a category covers those inside it), "
    "kept as long as each purpose's retention rule says, and to the recipients that receive "
    "its category. Staff accounts are not part of the register."
)


SUBJECT_LABELS = {
    SUBJECT_CONTACT: "Contact",
    SUBJECT_STAFF: "Staff",
    SUBJECT_MENTIONED: "Anyone mentioned",
}


@dataclass(frozen=True)
class MappedField:
    """One personal-data field: where it lives, what it holds, whose it is, who sees it."""

    model: str  # app_label.ModelName
    model_name: str
    field: str  # "email", or "custom.<key>" for a custom field
    verbose_name: str
    category: str
    category_label: str
    sensitivity: str
    concerns_children: bool
    subject: str
    free_text: bool
    readers: tuple[Reader, ...]
    # Stored encrypted (steward.crypto, decision 0018).
    encrypted: bool = False
    # Where it goes (from the register): purposes with their retention, and recipients.
    purposes: tuple[PurposeUse, ...] = ()
    recipients: tuple[RecipientUse, ...] = ()

    @property
    def path(self) -> str:
        return f"{self.model}.{self.field}"

    @property
    def subject_label(self) -> str:
        return SUBJECT_LABELS.get(self.subject, self.subject)

    @property
    def readers_text(self) -> str:
        return readers_text(self.readers)

    def as_dict(self) -> dict:
        """The row as the exports write it."""
        return {
            "model": self.model,
            "model_name": self.model_name,
            "field": self.field,
            "verbose_name": self.verbose_name,
            "category": self.category,
            "category_label": self.category_label,
            "sensitivity": self.sensitivity,
            "concerns_children": self.concerns_children,
            "subject": self.subject,
            "free_text": self.free_text,
            "who_can_see": [{"role": r.role, "records": r.records} for r in self.readers],
            "purposes": [
                {
                    "key": p.key,
                    "name": p.name,
                    "lawful_basis": p.lawful_basis,
                    "retention": p.retention,
                }
                for p in self.purposes
            ],
            "recipients": [
                {"name": r.name, "kind": r.kind, "countries": list(r.countries)}
                for r in self.recipients
            ],
        }

    @property
    def purposes_text(self) -> str:
        return " | ".join(f"{p.name} ({p.basis_label})" for p in self.purposes)

    @property
    def recipients_text(self) -> str:
        return " | ".join(
            f"{r.name} ({', '.join(r.countries)})" if r.countries else r.name
            for r in self.recipients
        )

    @property
    def retention_text(self) -> str:
        return " | ".join(f"{p.name}: {p.retention}" for p in self.purposes)


@dataclass(frozen=True)
class DataMapFilters:
    """Narrows the map: a sensitivity, and a category with everything inside it."""

    sensitivity: str = ""
    category: str = ""

    def admits(self, row: MappedField) -> bool:
        if self.sensitivity and row.sensitivity != self.sensitivity:
            return False
        return not self.category or category_covers(self.category, row.category)


def personal_data_models(app_configs=None) -> list[type[models.Model]]:
    """Models that hold personal data, in `app_configs` (default: every installed app)."""
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    return [
        m
        for config in configs
        for m in config.get_models()
        if getattr(m, "holds_personal_data", False)
    ]


@dataclass(frozen=True)
class PersonLink:
    """A model holding personal data and the foreign key that ties its rows to a person."""

    model: type[models.Model]
    field: str  # the foreign key's attname, e.g. "contact_id"

    @property
    def label(self) -> str:
        return f"{self.model._meta.app_label}.{self.model.__name__}"


def person_links(person_model: type[models.Model]) -> list[PersonLink]:
    """Every model holding personal data with a direct foreign key (constraint or not) to
    `person_model`: where one person's rows are, for the access export and the erasure plan.
    Derived from the annotated models, so a new model is covered without a list to keep."""
    return [
        PersonLink(model, field.attname)
        for model in personal_data_models()
        if model is not person_model
        for field in model._meta.concrete_fields
        if getattr(field, "related_model", None) is person_model
    ]


def unannotated_fields(model: type[models.Model]) -> list[str]:
    """Concrete fields of a personal-data model that carry no annotation."""
    return [
        f.name
        for f in model._meta.get_fields()
        if f.concrete and not f.auto_created and f.name not in _STRUCTURAL and tag_of(f) is None
    ] + [f.name for f in model._meta.many_to_many if tag_of(f) is None]


def _category_facts(key: str, taxonomy: dict[str, DataCategory]) -> tuple[str, str, bool]:
    """Label, sensitivity and children flag of a key: the table's row (an operator may
    have raised a built-in), else the code's constant (a database not yet synced)."""
    row = taxonomy.get(key)
    if row is not None:
        return row.label, row.sensitivity, row.concerns_children
    builtin = BUILTIN_CATEGORIES.get(key)
    if builtin is not None:
        return builtin.label, builtin.sensitivity, builtin.concerns_children
    # A custom field whose category left the taxonomy: shown as unknown, never as harmless.
    return key, "unknown", False


def data_map(filters: DataMapFilters | None = None) -> list[MappedField]:
    """Every field of every model that holds personal data, with its category, and one row
    per custom field inside a field that holds several (Contact.custom)."""
    taxonomy = {row.key: row for row in DataCategory.objects.all()}
    flows = data_flows()
    rows = []
    for model in personal_data_models():
        label = model._meta.label
        model_name = capfirst(model._meta.verbose_name)
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            tag = tag_of(f)
            if tag is None or tag == NOT_PERSONAL:
                continue
            entries: list[tuple[str, str, str, bool]] = [
                (f.name, capfirst(f.verbose_name), tag.category, tag.free_text)
            ]
            if tag.subfields:
                subfields: Iterable[PersonalSubfield] = import_string(tag.subfields)()
                entries += [
                    (f"{f.name}.{s.key}", s.verbose_name, s.category, s.free_text)
                    for s in subfields
                ]
            for name, verbose_name, category, free_text in entries:
                category_label, sensitivity, children = _category_facts(category, taxonomy)
                rows.append(
                    MappedField(
                        model=label,
                        model_name=model_name,
                        field=name,
                        verbose_name=verbose_name,
                        category=category,
                        category_label=category_label,
                        sensitivity=sensitivity,
                        concerns_children=children,
                        subject=tag.subject,
                        free_text=free_text,
                        encrypted=getattr(f, "encrypted", False),
                        readers=who_can_see(label, name),
                        **_where_it_goes(flows, category, tag.subject),
                    )
                )
    if filters is not None:
        rows = [row for row in rows if filters.admits(row)]
    return _customers_first(rows)


def _where_it_goes(flows: DataFlows, category: str, subject: str) -> dict:
    if subject == SUBJECT_STAFF:
        return {}
    return {
        "purposes": flows.purposes_for(category),
        "recipients": flows.recipients_for(category),
    }


def _customers_first(rows: list[MappedField]) -> list[MappedField]:
    """Models holding data about contacts first, then those about anyone mentioned, then
    staff; in app order within each, fields in model order."""
    rank = {SUBJECT_CONTACT: 0, SUBJECT_MENTIONED: 1, SUBJECT_STAFF: 2}
    model_rank: dict[str, int] = {}
    for row in rows:
        model_rank[row.model] = min(model_rank.get(row.model, 9), rank.get(row.subject, 9))
    return sorted(rows, key=lambda row: model_rank[row.model])


CSV_COLUMNS = (
    "model", "model_name", "field", "verbose_name", "category", "category_label",
    "sensitivity", "concerns_children", "subject", "free_text", "who_can_see", "purposes",
    "recipients", "retention",
)  # fmt: skip


def data_map_json(rows: list[MappedField]) -> str:
    """The map as one JSON document: when it was made, the note on where data goes, the rows."""
    document = {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "where_it_goes": WHERE_IT_GOES_NOTE,
        "fields": [row.as_dict() for row in rows],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def data_map_csv(rows: list[MappedField]) -> str:
    """The map as CSV, one line per field; "who_can_see" as the page words it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = row.as_dict()
        values["who_can_see"] = row.readers_text
        values["purposes"] = row.purposes_text
        values["recipients"] = row.recipients_text
        values["retention"] = row.retention_text
        for flag in ("concerns_children", "free_text"):
            values[flag] = "yes" if values[flag] else "no"
        writer.writerow(spreadsheet_safe(str(values[column])) for column in CSV_COLUMNS)
    return out.getvalue()


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text. Labels are typed by operators; a spreadsheet
    would run "=HYPERLINK(...)" as a formula (OWASP CSV injection). None of the values the
    map and the record export is a number."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
