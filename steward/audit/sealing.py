"""Personal values inside audit events, sealed under the key of the person they belong to.

An event about a record keeps its action, record, time and actor readable; the old and new
values of the record's personal fields (which fields: the data map's annotations, never a
list kept here) are sealed each on its own under the data key of the person the record
belongs to, and so is the client address of an act that no staff member did (the person's
own, in the portal or a public form). The row is hashed as stored, sealed values included:
when the person is erased and their key destroyed, the values become unreadable and the
chain still verifies.

Whose key (`subject_owner`): a contact's own; a record with encrypted fields, the owner
those fields are encrypted for (an activity: its contact's, else its organisation's); a
record with a foreign key to a contact, that contact's; anything else (staff accounts,
requests not matched to a contact) the system key, so that nothing personal is kept in
clear even where no person's key applies."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from steward.core.personal_data import PersonalDataModel, tag_of
from steward.crypto.keyring import SYSTEM_OWNER, owner_for

PERSON_MODEL = "contacts.Contact"
# What the audit context holds about the client of a public act (the person themselves).
CLIENT_CONTEXT_KEYS = ("ip", "user_agent")


def subject_owner(target: models.Model) -> str:
    """The owner of the data key the target's personal values are sealed under."""
    person = apps.get_model(PERSON_MODEL)
    if isinstance(target, person):
        return owner_for("contact", target.pk)
    for field in target._meta.concrete_fields:
        if getattr(field, "encrypted", False):
            return field.owner_of(target)
    for field in target._meta.concrete_fields:
        if getattr(field, "related_model", None) is person:
            value = getattr(target, field.attname, None)
            if value:
                return owner_for("contact", value)
    return SYSTEM_OWNER


def personal_keys(model: type[models.Model] | None, changes: dict[str, Any]) -> set[str]:
    """The keys of `changes` that hold personal data: for a model that holds personal data,
    the keys naming one of its fields that is annotated as personal (or not annotated at
    all). Other keys are facts about the act (a count, a purpose, a reason code) and stay
    readable: a service that records a personal value names it after its field."""
    if model is None or not issubclass(model, PersonalDataModel):
        return set()
    keys = set()
    for name in changes:
        try:
            tag = tag_of(model._meta.get_field(name))
        except FieldDoesNotExist:
            continue
        if tag is None or tag.category:
            keys.add(name)
    return keys


def model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
