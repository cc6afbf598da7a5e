"""child_status_for: the one function that decides whether a person is a child (Art. 8)."""

import datetime

import pytest

from steward.children.choices import ChildStatus
from steward.children.status import birthday_of_age, child_status_for

# The table as seeded, for the countries these tests use.
AGES = {"": 16, "DE": 16, "FR": 15, "GB": 13, "AT": 14}
D = datetime.date


def test_a_child_the_day_before_the_birthday_on_which_they_reach_the_age():
    # Given someone in Germany born on 10 May 2010, who turns 16 on 10 May 2026
    # When asked on 9 May 2026
    result = child_status_for(D(2010, 5, 10), "DE", D(2026, 5, 9), AGES)

    # Then they are still a child, until that birthday
    assert result.status == ChildStatus.CHILD
    assert result.changes_on == D(2026, 5, 10)
    assert result.consent_age == 16


def test_an_adult_on_the_birthday_itself():
    result = child_status_for(D(2010, 5, 10), "DE", D(2026, 5, 10), AGES)

    assert result.status == ChildStatus.ADULT
    assert result.changes_on is None


def test_someone_born_on_29_february_reaches_the_age_on_1_march_in_a_common_year():
    # Given someone in France born on 29 February 2012: 15 in 2027, a common year
    born = D(2012, 2, 29)

    # When asked on 28 February and on 1 March 2027
    on_28th = child_status_for(born, "FR", D(2027, 2, 28), AGES)
    on_1st = child_status_for(born, "FR", D(2027, 3, 1), AGES)

    # Then they are a child on the 28th, and an adult from 1 March
    assert on_28th.status == ChildStatus.CHILD
    assert on_28th.changes_on == D(2027, 3, 1)
    assert on_1st.status == ChildStatus.ADULT


def test_someone_born_on_29_february_reaches_the_age_on_29_february_in_a_leap_year():
    # Given someone in Germany born on 29 February 2012: 16 in 2028, a leap year
    born = D(2012, 2, 29)

    on_28th = child_status_for(born, "DE", D(2028, 2, 28), AGES)
    on_29th = child_status_for(born, "DE", D(2028, 2, 29), AGES)

    assert on_28th.status == ChildStatus.CHILD
    assert on_28th.changes_on == D(2028, 2, 29)
    assert on_29th.status == ChildStatus.ADULT


@pytest.mark.parametrize(
    ("born", "years", "expected"),
    [
        (D(2012, 2, 29), 13, D(2025, 3, 1)),
        (D(2012, 2, 29), 16, D(2028, 2, 29)),
        (D(2011, 12, 31), 14, D(2025, 12, 31)),
        (D(2012, 3, 1), 15, D(2027, 3, 1)),
    ],
)
def test_the_birthday_of_an_age(born, years, expected):
    assert birthday_of_age(born, years) == expected


def test_a_move_from_france_to_germany_makes_a_15_year_old_a_child_again():
    # Given a 15-year-old (born 1 June 2010, asked on 1 December 2025)
    born, today = D(2010, 6, 1), D(2025, 12, 1)
    in_france = child_status_for(born, "FR", today, AGES)

    # When their country becomes Germany
    in_germany = child_status_for(born, "DE", today, AGES)

    # Then the adult of France (15) is a child in Germany (16) until 1 June 2026
    assert in_france.status == ChildStatus.ADULT
    assert in_germany.status == ChildStatus.CHILD
    assert in_germany.changes_on == D(2026, 6, 1)


def test_without_a_date_of_birth_the_age_is_unknown_never_adult():
    result = child_status_for(None, "GB", D(2026, 1, 1), AGES)

    assert result.status == ChildStatus.UNKNOWN
    assert result.changes_on is None


@pytest.mark.parametrize("country", ["US", "", None])
def test_a_country_without_a_row_and_no_country_follow_the_default_age(country):
    # Given a table whose default is 16 and a person who turns 16 on 1 March 2026
    born = D(2010, 3, 1)

    result = child_status_for(born, country, D(2026, 2, 28), AGES)

    assert result.status == ChildStatus.CHILD
    assert result.consent_age == 16


def test_the_default_row_of_the_table_decides_for_unlisted_countries():
    # Given a table whose default an operator lowered to 14
    ages = {**AGES, "": 14}

    # When a 14-year-old in the United States is judged
    result = child_status_for(D(2011, 1, 1), "US", D(2025, 6, 1), ages)

    # Then the table's default applies, not Art. 8(1)'s 16
    assert result.status == ChildStatus.ADULT
    assert result.consent_age == 14


def test_an_empty_table_falls_back_to_art_8s_sixteen():
    result = child_status_for(D(2010, 1, 1), "FR", D(2025, 6, 1), {})

    assert result.consent_age == 16
    assert result.status == ChildStatus.CHILD


def test_a_lower_case_country_code_finds_its_row():
    result = child_status_for(D(2012, 1, 1), "gb", D(2025, 6, 1), AGES)

    assert result.consent_age == 13
    assert result.status == ChildStatus.ADULT


def test_a_date_of_birth_in_the_future_is_a_childs():
    result = child_status_for(D(2030, 1, 1), "DE", D(2026, 1, 1), AGES)

    assert result.status == ChildStatus.CHILD
