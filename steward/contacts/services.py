"""Writes to contacts and organisations. Each service checks the actor's permission and
scope, validates, writes, and audits in one transaction."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from steward.audit.events import audit_record, audit_record_many
from steward.children.services import contact_child_status_refresh
from steward.contacts.choices import ContactMethodKind, CustomFieldType
from steward.contacts.models import Contact, ContactMethod, CustomFieldDefinition, Organisation, Tag
from steward.contacts.normalise import normalise_email, normalise_phone
from steward.contacts.selectors import custom_fields_hidden_from
from steward.core.actor import Actor, SystemActor, actor_user
from steward.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from steward.core.permissions import require
from steward.core.scoping import may_see
from steward.core.writes import create_audited, delete_audited, editable_fields, update_audited
from steward.detection.services import findings_forget_field, findings_refresh_for
from steward.detection.sources import changed_subfields
from steward.inventory.field_access import Masked
from steward.inventory.selectors import is_custom_field_category

CONTACT_FIELDS = (
    "given_name", "family_name", "email", "phone", "job_title", "organisation", "street",
    "postal_code", "city", "region", "country", "date_of_birth", "language", "lifecycle_stage",
    "source", "custom", "owner", "team",
)  # fmt: skip
ORGANISATION_FIELDS = (
    "name", "domain", "website", "industry", "phone", "street", "postal_code", "city",
    "country", "owner", "team",
)  # fmt: skip


def _require_visible(instance, actor: Actor) -> None:
    if not may_see(instance, actor):
        raise NotFound("No such record, or it is outside what you may see.")


def _normalised_contact_data(data: dict[str, Any]) -> dict[str, Any]:
    """Normalises email/phone/names; raises ValidationFailed naming the field."""
    data = dict(data)
    errors: dict[str, list[str]] = {}
    for name in ("given_name", "family_name", "job_title", "city", "street", "region"):
        if name in data and isinstance(data[name], str):
            data[name] = data[name].strip()
    if "email" in data:
        try:
            data["email"] = normalise_email(data["email"] or "")
        except ValueError as error:
            errors["email"] = [f"Enter a valid email address ({error})."]
    if "phone" in data:
        try:
            data["phone"] = normalise_phone(data["phone"] or "", str(data.get("country") or ""))
        except ValueError as error:
            errors["phone"] = [str(error)]
    if "custom" in data:
        try:
            data["custom"] = custom_values_clean(data["custom"] or {})
        except ValidationFailed as error:
            errors.update(error.field_errors)
    if errors:
        raise ValidationFailed(
            "Please correct: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
            field_errors=errors,
        )
    return data


def _email_taken(email: str, exclude_pk=None) -> bool:
    if not email:
        return False
    return Contact.objects.with_email(email).exclude(pk=exclude_pk).exists()


def _duplicate_email_error(email: str) -> Conflict:
    return Conflict(
        f"A contact with the email {email} already exists.",
        field_errors={"email": ["A contact with this email already exists."]},
    )


def _tags_for(actor: Actor, names: list[str]) -> list[Tag]:
    return [tag_get_or_create(actor=actor, name=name) for name in names if name.strip()]


def contact_create(*, actor: Actor, data: dict[str, Any], tags: list[str] | None = None) -> Contact:
    """Creates a contact. Defaults the owner and team to the acting user's."""
    require(actor, "contacts.add")
    editable_fields(Contact, data, CONTACT_FIELDS)
    data = _normalised_contact_data(data)
    _refuse_erased(data)
    if data.get("custom"):
        data["custom"] = _guarded_custom_kept(actor, {}, data["custom"])
    if not isinstance(actor, SystemActor):
        data.setdefault("owner", actor_user(actor))
        data.setdefault("team", actor.team)
    if not any(data.get(k) for k in ("given_name", "family_name", "email")):
        raise ValidationFailed(
            "A contact needs a name or an email address.",
            field_errors={"family_name": ["Enter a name or an email address."]},
        )
    if _email_taken(data.get("email", "")):
        raise _duplicate_email_error(data["email"])
    try:
        with transaction.atomic():
            m2m = {"tags": _tags_for(actor, tags)} if tags else None
            contact = create_audited(
                actor=actor, model=Contact, data=data, action="contact.created", m2m=m2m
            )
            contact_child_status_refresh(actor=actor, contacts=[contact])  # Art. 8
            if contact.custom:  # personal data in free-text values (issue 3)
                findings_refresh_for(actor=actor, record=contact, fields=["custom"], created=True)
            return contact
    except IntegrityError:
        # Lost a race with a concurrent create of the same address.
        raise _duplicate_email_error(data.get("email", "")) from None


def _refuse_erased(data: dict[str, Any]) -> None:
    """Art. 17: a person erased at their request is not silently re-created by staff."""
    from steward.erasure.services import ERASED_MESSAGE, suppression_match

    entry = suppression_match(email=data.get("email") or "", phone=data.get("phone") or "")
    if entry is not None:
        raise Conflict(
            f"{ERASED_MESSAGE} (erased on {entry.erased_at:%d %B %Y})",
            field_errors={"email": [ERASED_MESSAGE]},
        )


def _guarded_custom_kept(actor: Actor, before: dict, after: dict) -> dict:
    """Art. 8, 9, 10: a role that may not read a guarded custom field (special-category,
    criminal, children's data, national IDs) may not change it either; the values it did
    not send, and could not see, are kept."""
    hidden = custom_fields_hidden_from(actor)
    for key, guards in hidden.items():
        if key in after and after[key] != before.get(key):
            raise PermissionDenied(
                f"Your role may not change the custom field {key!r}: it holds "
                f"{Masked(guards).reason}."
            )
    return {**after, **{key: before[key] for key in hidden if key in before}}


def contact_update(
    *, actor: Actor, contact: Contact, data: dict[str, Any], tags: list[str] | None = None
) -> Contact:
    """Changes a contact; the audit event holds the old and new value of each changed field."""
    require(actor, "contacts.change")
    _require_visible(contact, actor)
    editable_fields(Contact, data, CONTACT_FIELDS)
    data = _normalised_contact_data(data)
    if "custom" in data:
        data["custom"] = _guarded_custom_kept(actor, contact.custom or {}, data["custom"])
    if "email" in data and _email_taken(data["email"], exclude_pk=contact.pk):
        raise _duplicate_email_error(data["email"])
    try:
        with transaction.atomic():
            m2m = {"tags": _tags_for(actor, tags)} if tags is not None else None
            custom_before = contact.custom
            contact = update_audited(
                actor=actor, instance=contact, data=data, action="contact.updated", m2m=m2m
            )
            if "date_of_birth" in data or "country" in data:
                contact_child_status_refresh(actor=actor, contacts=[contact])  # Art. 8
            if changed := changed_subfields("custom", custom_before, contact.custom):
                findings_refresh_for(actor=actor, record=contact, fields=changed)  # issue 3
            return contact
    except IntegrityError:
        raise _duplicate_email_error(data.get("email", "")) from None


def contact_delete(*, actor: Actor, contact: Contact) -> None:
    """Deletes a contact with its timeline (activities cascade). The audit row keeps which
    values were removed; erasure with its legal exceptions is the rights workflow's job."""
    require(actor, "contacts.delete")
    _require_visible(contact, actor)
    delete_audited(actor=actor, instance=contact, action="contact.deleted", fields=CONTACT_FIELDS)


def contact_method_add(
    *, actor: Actor, contact: Contact, kind: str, value: str, label: str = ""
) -> ContactMethod:
    """Adds a further email address or phone number to a contact."""
    require(actor, "contacts.change")
    _require_visible(contact, actor)
    try:
        value = (
            normalise_email(value)
            if kind == ContactMethodKind.EMAIL
            else normalise_phone(value, contact.country.code or "")
        )
    except ValueError as error:
        raise ValidationFailed(str(error), field_errors={"value": [str(error)]}) from None
    if ContactMethod.objects.filter(contact=contact).with_value(kind, value).exists():
        raise Conflict(
            "This contact already has that address.", field_errors={"value": ["Already recorded."]}
        )
    return create_audited(
        actor=actor,
        model=ContactMethod,
        data={"contact": contact, "kind": kind, "value": value, "label": label},
        action="contact.method_added",
    )


def contact_method_remove(*, actor: Actor, method: ContactMethod) -> None:
    require(actor, "contacts.change")
    _require_visible(method.contact, actor)
    delete_audited(
        actor=actor,
        instance=method,
        action="contact.method_removed",
        fields=("contact", "kind", "value"),
    )


def organisation_create(*, actor: Actor, data: dict[str, Any]) -> Organisation:
    """Creates an organisation."""
    require(actor, "organisations.add")
    editable_fields(Organisation, data, ORGANISATION_FIELDS)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    if not isinstance(actor, SystemActor):
        data.setdefault("owner", actor_user(actor))
        data.setdefault("team", actor.team)
    return create_audited(actor=actor, model=Organisation, data=data, action="organisation.created")


def organisation_update(
    *, actor: Actor, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    require(actor, "organisations.change")
    _require_visible(organisation, actor)
    editable_fields(Organisation, data, ORGANISATION_FIELDS)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    return update_audited(
        actor=actor, instance=organisation, data=data, action="organisation.updated"
    )


def organisation_delete(*, actor: Actor, organisation: Organisation) -> None:
    """Deletes an organisation; its contacts stay, without an organisation."""
    require(actor, "organisations.delete")
    _require_visible(organisation, actor)
    delete_audited(
        actor=actor,
        instance=organisation,
        action="organisation.deleted",
        fields=ORGANISATION_FIELDS,
    )


def tag_get_or_create(*, actor: Actor, name: str) -> Tag:
    """The tag called `name` (case-insensitive), created and audited if new."""
    name = name.strip().lower()[:50]
    if not name:
        raise ValidationFailed("A tag needs a name.", field_errors={"tags": ["Empty tag."]})
    existing = Tag.objects.filter(name=name).first()
    if existing:
        return existing
    with transaction.atomic():
        tag = Tag.objects.create(name=name)
        audit_record(actor=actor, action="tag.created", target=tag, changes={"name": [None, name]})
    return tag


CUSTOM_FIELD_EDITABLE = ("label", "position", "choices")
CUSTOM_FIELD_AUDITED = ("key", "label", "field_type", "category", "choices", "position")
# Contacts whose values a custom field's deletion removes per UPDATE: bounded memory and
# statement size whatever the number of contacts.
CUSTOM_VALUE_BATCH = 1000


def _custom_choices_clean(field_type: str, choices: list[str] | None) -> list[str]:
    """The choices of a choice field, stripped and without repeats; other types have none."""
    if field_type != CustomFieldType.CHOICE:
        return []
    clean = list(dict.fromkeys(c.strip() for c in choices or [] if c.strip()))
    if not clean:
        raise ValidationFailed(
            "A choice field needs at least one choice.",
            field_errors={"choices": ["Enter at least one choice, one per line."]},
        )
    return clean


def _contacts_holding(key: str, value: str) -> int:
    # Custom values are encrypted (steward.crypto): the database can say who has the key,
    # not what it holds, so the holders' values are opened and compared here.
    holders = Contact.objects.filter(custom__has_key=key).order_by().only("pk", "custom")
    return sum(1 for c in holders.iterator(chunk_size=1000) if c.custom.get(key) == value)


def custom_field_create(
    *,
    actor: Actor,
    key: str,
    label: str,
    field_type: str,
    category: str,
    choices: list[str] | None = None,
    position: int | None = None,
) -> CustomFieldDefinition:
    """Adds a custom field to contacts, with the data category of what it will hold: the
    data map covers the field from the moment it exists. Without a position it goes last."""
    require(actor, "staff.manage")
    key, label = key.strip(), label.strip()
    # Any category of the taxonomy table, an operator's own included; not the ones that
    # describe Steward's own record-keeping ("custom", "audit").
    if not is_custom_field_category(category):
        raise ValidationFailed(
            f"Unknown data category {category!r}.",
            field_errors={"category": ["Choose the data category of what the field holds."]},
        )
    if field_type not in CustomFieldType.values:
        raise ValidationFailed(
            f"Unknown field type {field_type!r}.", field_errors={"field_type": ["Unknown type."]}
        )
    choices = _custom_choices_clean(field_type, choices)
    if key and CustomFieldDefinition.objects.filter(key=key).exists():
        raise Conflict(
            f"A custom field with the key {key!r} already exists.",
            field_errors={"key": ["Another custom field has this key; choose another."]},
        )
    if position is None:
        last = CustomFieldDefinition.objects.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    return create_audited(
        actor=actor,
        model=CustomFieldDefinition,
        data={
            "key": key,
            "label": label,
            "field_type": field_type,
            "category": category,
            "choices": choices,
            "position": position,
        },
        action="custom_field.created",
    )


def custom_field_update(
    *, actor: Actor, definition: CustomFieldDefinition, data: dict[str, Any]
) -> CustomFieldDefinition:
    """Changes a custom field's label, position or choices. Its key and type stay: the
    values stored under the key were checked against the type. A choice that contacts hold
    cannot be removed, or their values would no longer be valid."""
    require(actor, "staff.manage")
    editable_fields(CustomFieldDefinition, data, CUSTOM_FIELD_EDITABLE)
    data = dict(data)
    if "label" in data:
        data["label"] = data["label"].strip()
    if "choices" in data:
        data["choices"] = _custom_choices_clean(definition.field_type, data["choices"])
        removed = [c for c in definition.choices if c not in data["choices"]]
        held = {
            choice: count
            for choice in removed
            if (count := _contacts_holding(definition.key, choice))
        }
        if held:
            listed = ", ".join(
                f"“{c}” ({n} contact{'s' if n != 1 else ''})" for c, n in held.items()
            )
            raise ValidationFailed(
                f"Contacts hold choices you removed: {listed}. Change their values first.",
                field_errors={"choices": [f"Still held by contacts: {listed}."]},
            )
    return update_audited(
        actor=actor, instance=definition, data=data, action="custom_field.updated"
    )


def custom_field_delete(*, actor: Actor, definition: CustomFieldDefinition) -> int:
    """Deletes a custom field and removes its values from every contact, in one
    transaction; returns how many contacts had a value. Each of those contacts gets an
    audit event naming the field, without the value: copying every value into the trail
    would keep the very data the operator chose to delete."""
    require(actor, "staff.manage")
    key = definition.key
    removed = 0
    with transaction.atomic():
        current = CustomFieldDefinition.objects.select_for_update().filter(pk=definition.pk).first()
        if current is None:
            raise NotFound("No such custom field.")
        cause = {"deleted_with": f"{current._meta.label_lower}:{current.pk}", "custom_field": key}
        holders = Contact.objects.filter(custom__has_key=key).order_by("pk").only("pk", "custom")
        last_pk = None
        while True:
            batch = list(
                (holders.filter(pk__gt=last_pk) if last_pk else holders)[:CUSTOM_VALUE_BATCH]
            )
            if not batch:
                break
            now = timezone.now()
            custom = Contact._meta.get_field("custom")
            for contact in batch:
                # Dropped from the encrypted object without decrypting any value.
                Contact.objects.filter(pk=contact.pk).update(
                    custom=custom.sealed_without(contact, key), updated_at=now
                )
            audit_record_many(
                actor=actor, action="contact.custom_value_removed", targets=batch, context=cause
            )
            removed += len(batch)
            last_pk = batch[-1].pk
        delete_audited(
            actor=actor,
            instance=current,
            action="custom_field.deleted",
            fields=CUSTOM_FIELD_AUDITED,
        )
        # What detection found in the values goes with them.
        findings_forget_field(
            actor=actor, record_type="contacts.contact", field_name=f"custom.{key}"
        )
    return removed


def custom_values_clean(values: dict[str, Any]) -> dict[str, Any]:
    """Checks custom-field values against their definitions; returns JSON-ready values."""
    if not isinstance(values, dict):
        raise ValidationFailed(
            "Custom fields must be an object.", field_errors={"custom": ["Expected an object."]}
        )
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(key__in=list(values))}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"custom.{key}"] = ["No such custom field."]
            continue
        if value in (None, ""):
            continue
        try:
            clean[key] = _custom_value(definition, value)
        except (ValueError, InvalidOperation):
            errors[f"custom.{key}"] = [
                f"Not a valid {definition.get_field_type_display().lower()}."
            ]
    if errors:
        raise ValidationFailed("Invalid custom field values.", field_errors=errors)
    return clean


def _custom_value(definition: CustomFieldDefinition, value: Any) -> Any:
    match definition.field_type:
        case CustomFieldType.NUMBER:
            return str(Decimal(str(value)))
        case CustomFieldType.DATE:
            return datetime.date.fromisoformat(str(value)).isoformat()
        case CustomFieldType.BOOLEAN:
            if isinstance(value, bool):
                return value
            if str(value).lower() in {"true", "yes", "1"}:
                return True
            if str(value).lower() in {"false", "no", "0"}:
                return False
            raise ValueError(value)
        case CustomFieldType.CHOICE:
            if str(value) not in definition.choices:
                raise ValueError(value)
            return str(value)
        case _:
            return str(value)[:1000]
