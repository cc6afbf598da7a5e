"""Art. 12(3) deadlines, counted as Regulation 1182/71 counts periods."""

import datetime

import pytest

from steward.rights.deadlines import add_months, due_date, extended_due_date, next_working_day

D = datetime.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 1, 15), D(2026, 2, 16)),  # 15 Feb 2026 is a Sunday: Monday 16
        (D(2026, 3, 10), D(2026, 4, 10)),  # a Friday: stays
        (D(2026, 1, 31), D(2026, 3, 2)),  # 28 Feb 2026 is a Saturday: Monday 2 March
        (D(2027, 1, 31), D(2027, 3, 1)),  # 28 Feb 2027 is a Sunday: Monday 1 March
        (D(2025, 1, 31), D(2025, 2, 28)),  # a Friday: the last day of February
        (D(2028, 1, 31), D(2028, 2, 29)),  # leap year, a Tuesday
        (D(2026, 12, 31), D(2027, 2, 1)),  # 31 January 2027 is a Sunday: Monday 1 Feb
    ],
)
def test_the_due_date_is_a_month_later_moved_off_weekends(received, due):
    assert due_date(received) == due


def test_a_month_from_the_31st_ends_on_the_last_day_of_a_shorter_month():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 3, 31), 1) == D(2026, 4, 30)
    assert add_months(D(2026, 12, 31), 1) == D(2027, 1, 31)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_a_deadline_ending_on_a_configured_holiday_moves_to_the_next_working_day(settings):
    settings.STEWARD_RIGHTS_HOLIDAYS = ["2026-04-10", "2026-04-13"]
    # 10 April 2026 (Friday) and 13 April (Monday) are holidays; 11-12 the weekend.
    assert due_date(D(2026, 3, 10)) == D(2026, 4, 14)


def test_a_working_day_is_its_own_next_working_day():
    assert next_working_day(D(2026, 6, 3)) == D(2026, 6, 3)
    assert next_working_day(D(2026, 6, 6)) == D(2026, 6, 8)


def test_the_extension_runs_two_months_on_from_the_end_of_the_first():
    # First month ends 28 Feb 2026 (before moving off the weekend); two more: 28 April
    # 2026, a Tuesday.
    assert extended_due_date(D(2026, 1, 31)) == D(2026, 4, 28)
    # 15 Jan 2026 -> 15 Feb -> 15 April 2026, a Wednesday.
    assert extended_due_date(D(2026, 1, 15)) == D(2026, 4, 15)
    # Leap year: 31 Jan 2028 -> 29 Feb -> 29 April 2028, a Saturday: Monday 1 May.
    assert extended_due_date(D(2028, 1, 31)) == D(2028, 5, 1)
