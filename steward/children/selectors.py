"""Reads of the age table and of the contacts whose child status is due to change. The table
is configuration, not personal data: every signed-in person may read it."""

import datetime

from django.db.models import QuerySet

from steward.children.models import DigitalConsentAge
from steward.children.status import DEFAULT_COUNTRY, consent_age_in
from steward.contacts.models import Contact
from steward.core.errors import NotFound


def consent_ages() -> dict[str, int]:
    """The table as {country code: age}, the default under "" (what child_status_for takes)."""
    return {code: age for code, age in DigitalConsentAge.objects.values_list("country", "age")}


def consent_age_of(country: str | None) -> int:
    """The age of digital consent that applies to a person of `country` (code or empty)."""
    return consent_age_in(country, consent_ages())


def consent_age_rows() -> list[DigitalConsentAge]:
    """Every row, the default first, then by country name (as people look a country up)."""
    rows = DigitalConsentAge.objects.select_related("updated_by")
    return sorted(rows, key=lambda row: (row.country.code != DEFAULT_COUNTRY, row.country.name))


def consent_age_get(*, country: str) -> DigitalConsentAge:
    """The row of `country` ("" for the default), or NotFound."""
    row = DigitalConsentAge.objects.filter(country=(country or "").upper()).first()
    if row is None:
        raise NotFound("No age of digital consent is recorded for this country.")
    return row


def contacts_governed_by(country: str) -> QuerySet[Contact]:
    """Contacts with a date of birth whose age of digital consent is the one of `country`'s
    row: that country's contacts, or for the default row every contact whose country has no
    row of its own (or no country at all)."""
    dated = Contact.objects.filter(date_of_birth__isnull=False)
    if country == DEFAULT_COUNTRY:
        listed = DigitalConsentAge.objects.exclude(country=DEFAULT_COUNTRY).values("country")
        return dated.exclude(country__in=listed)
    return dated.filter(country=country)


def contacts_due_for_status_change(*, today: datetime.date) -> QuerySet[Contact]:
    """Contacts whose status changes on or before `today` (a missed day is caught up)."""
    return Contact.objects.filter(child_status_changes_on__lte=today)
