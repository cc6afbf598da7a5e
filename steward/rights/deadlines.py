"""Deadlines of a rights request (Art. 12(3)), counted as Regulation (EEC, Euratom) No 1182/71
counts periods in EU law (the Court of Justice applies it to the GDPR's):

- A period in months ends on the day of the last month with the same number as the day of
  receipt; when that month has no such day (received 31 January), on its last day (28 or 29
  February). Art. 3(2)(c).
- A period that would end on a Saturday, a Sunday or a public holiday ends at the end of
  the next working day. Art. 3(4). Holidays are data: STEWARD_RIGHTS_HOLIDAYS (ISO dates).
- The extension (Art. 12(3): "by two further months") runs on from the end of the first
  month, before that end is moved off a weekend, then moves off a weekend itself.

The day of receipt is the local date (settings.TIME_ZONE) of `received_at`."""

import calendar
import datetime
import zoneinfo
from functools import cache

from django.conf import settings

FIRST_PERIOD_MONTHS = 1
EXTENSION_MONTHS = 2


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day number `months` later, or that month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@cache
def _holidays(configured: tuple[str, ...]) -> frozenset[datetime.date]:
    return frozenset(datetime.date.fromisoformat(value.strip()) for value in configured if value)


def holidays() -> frozenset[datetime.date]:
    return _holidays(tuple(getattr(settings, "STEWARD_RIGHTS_HOLIDAYS", ()) or ()))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in holidays()


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def due_date(received_on: datetime.date) -> datetime.date:
    """Art. 12(3): one month from receipt, moved off weekends and holidays."""
    return next_working_day(add_months(received_on, FIRST_PERIOD_MONTHS))


def extended_due_date(received_on: datetime.date) -> datetime.date:
    """Art. 12(3): two further months after the first month (at most)."""
    first_period_end = add_months(received_on, FIRST_PERIOD_MONTHS)
    return next_working_day(add_months(first_period_end, EXTENSION_MONTHS))


def days_left(due_on: datetime.date, today: datetime.date) -> int:
    """Negative once overdue."""
    return (due_on - today).days
