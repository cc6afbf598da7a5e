"""Writes of the Art. 8 table and of contacts' child status. A contact's status is only ever
set here, from `child_status_for`, and each change is audited with its old and new value."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_countries import countries

from steward.audit.events import audit_record_many
from steward.children.models import DigitalConsentAge
from steward.children.selectors import (
    consent_ages,
    contacts_due_for_status_change,
    contacts_governed_by,
)
from steward.children.status import (
    DEFAULT_COUNTRY,
    OLDEST_CONSENT_AGE,
    YOUNGEST_CONSENT_AGE,
    child_status_for,
)
from steward.contacts.models import Contact
from steward.core.actor import Actor, SystemActor, actor_user
from steward.core.errors import NotFound, ValidationFailed
from steward.core.permissions import require
from steward.core.writes import create_audited, delete_audited, update_audited

DAILY_ACTOR = SystemActor("children:daily")
# Contacts per transaction (and per `pk IN (...)` list) when a refresh walks a queryset.
REFRESH_BATCH = 1000
# What a refresh reads of each contact: the inputs of child_status_for and the stored result.
_STATUS_INPUTS = ("pk", "date_of_birth", "country", "child_status", "child_status_changes_on")


@dataclass(frozen=True)
class ConsentAgeChange:
    """A row of the table as it now stands, and how many contacts' status the change moved."""

    row: DigitalConsentAge | None
    contacts_changed: int


def _country_code(country: str) -> str:
    code = (country or "").strip().upper()
    if code != DEFAULT_COUNTRY and code not in countries:
        raise ValidationFailed(
            f"{country!r} is not a country code.",
            field_errors={"country": ["Choose a country (ISO 3166 code, e.g. DE)."]},
        )
    return code


def _age(age: Any) -> int:
    message = (
        f"The age of digital consent is a whole number from {YOUNGEST_CONSENT_AGE} to "
        f"{OLDEST_CONSENT_AGE} (Art. 8(1) GDPR)."
    )
    try:
        value = int(str(age).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(message, field_errors={"age": [message]}) from None
    if not YOUNGEST_CONSENT_AGE <= value <= OLDEST_CONSENT_AGE:
        raise ValidationFailed(message, field_errors={"age": [message]})
    return value


def consent_age_set(
    *,
    actor: Actor,
    country: str,
    age: Any,
    source: str | None = None,
    today: datetime.date | None = None,
) -> ConsentAgeChange:
    """Sets the age of digital consent of one country ("" for the default), adding its row
    if it has none, and recomputes the status of every contact it governs in the same
    transaction: a contact is never judged by an age the table no longer holds."""
    require(actor, "staff.manage")
    code = _country_code(country)
    value = _age(age)
    with transaction.atomic():
        row = DigitalConsentAge.objects.select_for_update().filter(country=code).first()
        data: dict[str, Any] = {"age": value}
        if source is not None:
            data["source"] = source.strip()
        if row is not None and all(getattr(row, k) == v for k, v in data.items()):
            return ConsentAgeChange(row, 0)
        data["updated_by"] = actor_user(actor)
        if row is None:
            row = create_audited(
                actor=actor,
                model=DigitalConsentAge,
                data={"country": code, **data},
                action="digital_consent_age.created",
            )
        else:
            row = update_audited(
                actor=actor, instance=row, data=data, action="digital_consent_age.updated"
            )
        changed = contact_child_status_refresh(
            actor=actor,
            contacts=contacts_governed_by(code),
            today=today,
            context={"cause": f"children.digitalconsentage:{row.pk}"},
        )
    return ConsentAgeChange(row, changed)


def consent_age_remove(
    *, actor: Actor, country: str, today: datetime.date | None = None
) -> ConsentAgeChange:
    """Removes a country's own row, so the default applies to it again, and recomputes its
    contacts. The default row itself cannot be removed: some age must always apply."""
    require(actor, "staff.manage")
    code = _country_code(country)
    if code == DEFAULT_COUNTRY:
        raise ValidationFailed(
            "The default age of digital consent cannot be removed; change it instead.",
            field_errors={"country": ["The default row always applies; change its age."]},
        )
    with transaction.atomic():
        row = DigitalConsentAge.objects.select_for_update().filter(country=code).first()
        if row is None:
            raise NotFound("No age of digital consent is recorded for this country.")
        delete_audited(
            actor=actor,
            instance=row,
            action="digital_consent_age.deleted",
            fields=("country", "age", "source"),
        )
        changed = contact_child_status_refresh(
            actor=actor,
            contacts=contacts_governed_by(code),
            today=today,
            context={"cause": f"children.digitalconsentage:{row.pk}"},
        )
    return ConsentAgeChange(None, changed)


def contact_child_status_refresh(
    *,
    actor: Actor = DAILY_ACTOR,
    contacts: QuerySet[Contact] | Iterable[Contact],
    today: datetime.date | None = None,
    context: dict[str, Any] | None = None,
) -> int:
    """Recomputes the child status of `contacts` and writes the ones that changed, each with
    an audit event holding the old and new value; returns how many changed. Contacts given
    as instances are taken as they are (the caller has just written them, under its row
    lock) and updated in place; a queryset is walked in batches, each read under a row lock
    in its own transaction, so a concurrent edit of a date of birth waits or is seen."""
    today = today or timezone.localdate()
    ages = consent_ages()
    if not isinstance(contacts, QuerySet):
        with transaction.atomic():
            return _refresh(actor, list(contacts), today, ages, context)
    walk = contacts.select_related(None).order_by("pk").only(*_STATUS_INPUTS)
    changed = 0
    last_pk = None
    while True:
        with transaction.atomic():
            page = walk.filter(pk__gt=last_pk) if last_pk is not None else walk
            batch = list(page.select_for_update()[:REFRESH_BATCH])
            changed += _refresh(actor, batch, today, ages, context)
        if len(batch) < REFRESH_BATCH:
            return changed
        last_pk = batch[-1].pk


def _refresh(
    actor: Actor,
    contacts: list[Contact],
    today: datetime.date,
    ages: dict[str, int],
    context: dict[str, Any] | None,
) -> int:
    # Contacts that move the same way share one UPDATE and one prepared audit INSERT: the
    # daily job turns a day's children into adults with one of each.
    moves: dict[tuple, list[Contact]] = defaultdict(list)
    for contact in contacts:
        result = child_status_for(contact.date_of_birth, contact.country.code, today, ages)
        old = (contact.child_status, contact.child_status_changes_on)
        new = (result.status.value, result.changes_on)
        if old != new:
            moves[(*old, *new)].append(contact)
    now = timezone.now()
    for (old_status, old_date, new_status, new_date), moved in moves.items():
        Contact.objects.filter(pk__in=[contact.pk for contact in moved]).update(
            child_status=new_status, child_status_changes_on=new_date, updated_at=now
        )
        for contact in moved:
            contact.child_status = new_status
            contact.child_status_changes_on = new_date
            contact.updated_at = now
        changes: dict[str, list[Any]] = {}
        if old_status != new_status:
            changes["child_status"] = [old_status, new_status]
        if old_date != new_date:
            changes["child_status_changes_on"] = [old_date, new_date]
        audit_record_many(
            actor=actor,
            action="contact.child_status_changed",
            targets=moved,
            changes=changes,
            context=context,
        )
    return sum(len(moved) for moved in moves.values())


def contact_child_status_daily(*, today: datetime.date | None = None) -> int:
    """Moves the contacts whose status changes today (children reaching the age of digital
    consent on their birthday), and any a missed day left behind. Safe to run twice: a moved
    contact's date is gone or in the future."""
    today = today or timezone.localdate()
    ages = consent_ages()
    due = contacts_due_for_status_change(today=today).order_by("child_status_changes_on")
    changed = 0
    while True:
        # Moved contacts leave the due set, so each batch is the first REFRESH_BATCH due
        # ones, read through the partial index on the date: the job reads no other contact.
        with transaction.atomic():
            batch = list(due.only(*_STATUS_INPUTS).select_for_update()[:REFRESH_BATCH])
            moved = _refresh(DAILY_ACTOR, batch, today, ages, None)
        changed += moved
        # A full batch that moved nobody would be read again forever; by construction a due
        # contact always moves, so this only guards against a future bug.
        if len(batch) < REFRESH_BATCH or moved == 0:
            return changed
