"""Whether a person is a child for consent-based processing (Art. 8(1)), computed in one
pure function from the date of birth, the country and the table of ages of digital consent.
Everything that stores a contact's status (the contact services, the import, demo data, the
daily job, a change of the table) calls `child_status_for`; nothing else decides it."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from steward.children.choices import ChildStatus

# Art. 8(1): 16 unless a member state provides by law for a lower age, not below 13.
DEFAULT_CONSENT_AGE = 16
YOUNGEST_CONSENT_AGE = 13
OLDEST_CONSENT_AGE = 16
# The key of the table's default row: every country without a row of its own, and contacts
# whose country is not known.
DEFAULT_COUNTRY = ""


@dataclass(frozen=True)
class ChildStatusResult:
    """A contact's status, the day it next changes by itself (None: only a change of the
    date of birth, the country or the table changes it), and the age that applied."""

    status: ChildStatus
    changes_on: datetime.date | None
    consent_age: int


def consent_age_in(country: str | None, ages: Mapping[str, int]) -> int:
    """The age of digital consent for `country` (an ISO 3166 alpha-2 code, or empty): its
    own row of the table, else the table's default row, else Art. 8(1)'s 16."""
    code = (country or "").upper()
    if code in ages:
        return ages[code]
    return ages.get(DEFAULT_COUNTRY, DEFAULT_CONSENT_AGE)


def birthday_of_age(date_of_birth: datetime.date, years: int) -> datetime.date:
    """The day a person born on `date_of_birth` reaches `years` years of age. Someone born
    on 29 February reaches it on 1 March in a common year: the age is complete once the
    whole of the last year has passed, i.e. at the end of 28 February (as BGB §§ 187(2),
    188(2)-(3) count it; Maryland Code, General Provisions § 1-303(b) says it outright).
    Of the two readings it is also the one that keeps a child protected one day longer."""
    year = date_of_birth.year + years
    try:
        return date_of_birth.replace(year=year)
    except ValueError:  # 29 February, in a common year
        return datetime.date(year, 3, 1)


def child_status_for(
    date_of_birth: datetime.date | None,
    country: str | None,
    today: datetime.date,
    ages: Mapping[str, int],
) -> ChildStatusResult:
    """The child status of a person on `today`: a child until the birthday on which they
    reach their country's age of digital consent, an adult from that day, and of unknown
    age without a date of birth. A date of birth in the future counts as a child's (it is
    below the age by any reckoning; the record needs correcting, not trusting)."""
    consent_age = consent_age_in(country, ages)
    if date_of_birth is None:
        return ChildStatusResult(ChildStatus.UNKNOWN, None, consent_age)
    comes_of_age = birthday_of_age(date_of_birth, consent_age)
    if today < comes_of_age:
        return ChildStatusResult(ChildStatus.CHILD, comes_of_age, consent_age)
    return ChildStatusResult(ChildStatus.ADULT, None, consent_age)
