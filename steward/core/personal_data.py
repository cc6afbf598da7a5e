"""Personal-data annotation of model fields, from the first model on.

Every field of a model that holds personal data says what it holds:

    email = personal(models.EmailField(...), "contact.email")
    lifecycle_stage = not_personal(models.CharField(...))

The data map (steward.inventory) is derived from these tags; the system check in
steward.inventory.checks fails on any field of a personal-data model left unannotated.

A field that holds several values an operator defines (custom fields in one JSON column)
names, as a dotted path, the function listing them; each gets its own row in the data map:

    custom = personal(models.JSONField(...), "custom", subfields="app.selectors.fn")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db import models

F = TypeVar("F", bound=models.Field)

# Whose data a field holds.
SUBJECT_CONTACT = "contact"
SUBJECT_STAFF = "staff"
SUBJECT_MENTIONED = "mentioned"  # free text may name anyone
SUBJECTS = (SUBJECT_CONTACT, SUBJECT_STAFF, SUBJECT_MENTIONED)


@dataclass(frozen=True)
class PersonalDataTag:
    """What one field holds: a data-category key (e.g. "contact.email") and whose it is."""

    category: str
    subject: str = SUBJECT_CONTACT
    free_text: bool = False
    subfields: str = ""


@dataclass(frozen=True)
class PersonalSubfield:
    """One value kept inside a field under its own key, with its own category."""

    key: str
    verbose_name: str
    category: str
    free_text: bool = False


NOT_PERSONAL = PersonalDataTag(category="", subject="")


def personal[F: models.Field](
    field: F,
    category: str,
    *,
    subject: str = SUBJECT_CONTACT,
    free_text: bool = False,
    subfields: str = "",
) -> F:
    """Marks a model field as holding personal data of `category` about `subject`.
    `subfields`: dotted path of a function returning the field's PersonalSubfields."""
    if subject not in SUBJECTS:
        raise ValueError(f"unknown data subject {subject!r}; expected one of {SUBJECTS}")
    field.personal_data = PersonalDataTag(category, subject, free_text, subfields)  # type: ignore[attr-defined]
    return field


def not_personal[F: models.Field](field: F) -> F:
    """Marks a field of a personal-data model as holding no personal data (a decision, not
    an omission: the check tells the two apart)."""
    field.personal_data = NOT_PERSONAL  # type: ignore[attr-defined]
    return field


def tag_of(field: models.Field) -> PersonalDataTag | None:
    """The field's tag; None when it was never annotated."""
    return getattr(field, "personal_data", None)


class PersonalDataModel:
    """Mixin marking a model as holding personal data: every one of its fields must be
    annotated (the base model's id and timestamps excepted)."""

    holds_personal_data = True
