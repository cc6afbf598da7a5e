import datetime

from steward.contacts.tests.factories import ContactFactory


def born_years_ago(today: datetime.date, years: int, *, days_later: int = 0) -> datetime.date:
    """A date of birth `years` years before `today`, moved `days_later` days on (a positive
    number makes the person turn `years` that many days after today). Never 29 February."""
    day = min(today.day, 28)
    return today.replace(year=today.year - years, day=day) + datetime.timedelta(
        days=days_later + (today.day - day)
    )


def dated_contact(*, owner, born: datetime.date, country: str, **fields):
    """A contact written with a date of birth and a country, its status not yet computed
    (as a raw write or a migration would leave it)."""
    return ContactFactory(
        owner=owner, team=owner.team, date_of_birth=born, country=country, **fields
    )
