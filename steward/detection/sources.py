"""What detection reads: every field the data map calls free text, derived from the field
annotations (`personal(..., free_text=True)`, and the free-text subfields of a field that
holds several, like a contact's text custom fields). Nothing here lists fields by hand: a
new free-text field is scanned from the moment it is annotated."""

import uuid
from dataclasses import dataclass

from django.db import models
from django.utils.module_loading import import_string

from steward.core.personal_data import tag_of

# The models whose findings the database deletes with the record, by the foreign key on
# PersonalDataFinding that holds them (the evidence must not outlive its record). A
# free-text field on any other model fails `steward check` (steward.detection.checks).
HOLDER_FIELDS = {"contacts.contact": "contact", "activities.activity": "activity"}


@dataclass(frozen=True, slots=True)
class FieldText:
    """The text of one field of one record, and whose record it is."""

    record_type: str  # model label, lower case: "activities.activity"
    record_id: uuid.UUID
    field_name: str  # "body", or "custom.<key>" for a subfield
    text: str
    contact_id: uuid.UUID | None = None
    activity_id: uuid.UUID | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (str(self.record_id), self.field_name)


def free_text_fields(model: type[models.Model]) -> list[str]:
    """The free-text fields of `model` as detection names them: a plain field by its name,
    a free-text subfield as "<field>.<key>" (read from the data map's annotations)."""
    names = []
    for field in model._meta.concrete_fields:
        tag = tag_of(field)
        if tag is None:
            continue
        if tag.free_text:
            names.append(field.name)
        if tag.subfields:
            names += [
                f"{field.name}.{sub.key}" for sub in import_string(tag.subfields)() if sub.free_text
            ]
    return names


def scanned_models() -> list[type[models.Model]]:
    """Models with at least one free-text field (or a field that can hold some)."""
    from steward.inventory.data_map import personal_data_models

    return [
        model
        for model in personal_data_models()
        if any(
            (tag := tag_of(f)) is not None and (tag.free_text or tag.subfields)
            for f in model._meta.concrete_fields
        )
    ]


def expand_fields(model: type[models.Model], fields) -> list[str]:
    """`fields` as detection names: a field that holds subfields ("custom") stands for its
    free-text subfields; names that are not free text are left out."""
    available = free_text_fields(model)
    wanted: list[str] = []
    for name in fields:
        if name in available:
            wanted.append(name)
        else:
            wanted += [a for a in available if a.startswith(f"{name}.")]
    return list(dict.fromkeys(wanted))


def holder_ids(record: models.Model) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """(contact id, activity id) of the findings in `record`'s fields: the contact the
    record is, or is about, and the activity it is."""
    label = record._meta.label_lower
    if label == "contacts.contact":
        return record.pk, None
    if label == "activities.activity":
        return record.contact_id, record.pk
    return getattr(record, "contact_id", None), None


def value_of(record: models.Model, field_name: str) -> str:
    """The text of a field or subfield of `record` ("" when empty or not text)."""
    name, _, key = field_name.partition(".")
    value = getattr(record, name, None)
    if key:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def texts_of(record: models.Model, fields) -> list[FieldText]:
    """The FieldTexts of `record`'s `fields` (detection names)."""
    contact_id, activity_id = holder_ids(record)
    label = record._meta.label_lower
    return [
        FieldText(label, record.pk, name, value_of(record, name), contact_id, activity_id)
        for name in fields
    ]


def changed_subfields(field: str, before: dict | None, after: dict | None) -> list[str]:
    """The "<field>.<key>" names whose value differs between two versions of a field that
    holds several values (a contact's custom fields)."""
    before, after = before or {}, after or {}
    return [
        f"{field}.{key}"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]
