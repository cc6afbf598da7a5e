import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.contacts.normalise import normalise_email
from steward.imports.row_validation import (
    EmailNormaliser,
    RowParser,
    parse_birth_date,
    parse_country,
    parse_date,
    parse_lifecycle_stage,
)

HEADERS = [
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Country",
    "Birthday",
    "Stage",
    "Tags",
    "Mobile",
]
MAPPING = {
    "0": "given_name", "1": "family_name", "2": "email", "3": "phone", "4": "country",
    "5": "date_of_birth", "6": "lifecycle_stage", "7": "tags", "8": "extra_phone",
}  # fmt: skip


@pytest.fixture
def parser(db):
    return RowParser(headers=HEADERS, mapping=MAPPING, date_order="dmy", custom_fields=[])


def test_it_normalises_a_good_row(parser):
    row = parser.parse(
        0,
        2,
        [
            " Ada ",
            "Lovelace",
            "Ada@Example.ORG",
            "030 1234567",
            "Deutschland",
            "10.12.1985",
            "Customer",
            "VIP; newsletter",
            "0171 1234567",
        ],
    )

    assert row.errors == {}
    assert row.fields == {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.org",
        "phone": "+49301234567",
        "country": "DE",
        "date_of_birth": datetime.date(1985, 12, 10),
        "lifecycle_stage": "customer",
    }
    assert row.tags == ["vip", "newsletter"]
    assert row.extra_phones == ["+491711234567"]


def test_it_reports_every_bad_field_of_a_row(parser):
    row = parser.parse(
        0, 2, ["Ada", "", "ada(at)example", "call me", "Narnia", "31.02.1985", "hot", "", ""]
    )

    assert set(row.errors) == {"email", "phone", "country", "date_of_birth", "lifecycle_stage"}


def test_a_row_needs_a_name_or_an_email(parser):
    row = parser.parse(0, 2, ["", "", "", "030 1234567", "", "", "", "", ""])

    assert row.errors == {"row": ["A contact needs a name or an email address."]}


def test_a_short_row_is_refused_rather_than_shifted(parser):
    row = parser.parse(0, 2, ["Ada", "Lovelace", "ada@example.org"])

    assert "row" in row.errors


def test_a_long_row_with_values_past_the_header_is_refused_but_empty_extra_cells_are_fine(parser):
    cells = ["Ada", "Lovelace", "ada@example.org", "", "", "", "", "", ""]

    assert "row" in parser.parse(0, 2, [*cells, "surprise"]).errors
    assert parser.parse(0, 2, [*cells, "", " "]).errors == {}


def test_it_takes_off_the_apostrophe_the_export_puts_before_formula_characters(parser):
    row = parser.parse(0, 2, ["'=Ada", "Lovelace", "", "'+49 30 1234567", "", "", "", "", ""])

    assert row.fields["given_name"] == "=Ada"
    assert row.fields["phone"] == "+49301234567"


def test_a_phone_number_is_read_in_the_rows_country(parser):
    row = parser.parse(0, 2, ["Ada", "", "", "020 7946 0018", "United Kingdom", "", "", "", ""])

    assert row.fields["phone"] == "+442079460018"


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("1985-12-10", "dmy", datetime.date(1985, 12, 10)),
        ("1985-12-10T00:00:00Z", "dmy", datetime.date(1985, 12, 10)),
        ("1985-12-10 00:00:00", "dmy", datetime.date(1985, 12, 10)),
        ("10.12.1985", "dmy", datetime.date(1985, 12, 10)),
        ("10/12/1985", "dmy", datetime.date(1985, 12, 10)),
        ("12/10/1985", "mdy", datetime.date(1985, 12, 10)),
        ("10.12.85", "dmy", datetime.date(1985, 12, 10)),
        ("10-12-1985", "dmy", datetime.date(1985, 12, 10)),
    ],
)
def test_it_reads_dates_as_exports_write_them(value, order, expected):
    assert parse_date(value, order) == expected


@pytest.mark.parametrize("value", ["1985-13-01", "yesterday", "32.01.1985", "1985"])
def test_it_refuses_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        parse_date(value, "dmy")


def test_a_birth_date_cannot_be_in_the_future_or_before_1900():
    with pytest.raises(ValueError):
        parse_birth_date("2999-01-01", "dmy")
    with pytest.raises(ValueError):
        parse_birth_date("1850-01-01", "dmy")


@pytest.mark.parametrize(
    ("value", "code"),
    [("Germany", "DE"), ("Deutschland", "DE"), ("Allemagne", "DE"), ("DEU", "DE"), ("de", "DE"),
     ("USA", "US"), ("United States", "US"), ("UK", "GB"), ("Österreich", "AT"), ("Suisse", "CH"),
     ("Côte d’Ivoire", "CI"), ("Frankreich", "FR")],
)  # fmt: skip
def test_it_recognises_countries_by_name_in_three_languages_and_by_code(db, value, code):
    assert parse_country(value) == code


@pytest.mark.parametrize(
    ("value", "stage"),
    [("subscriber", "lead"), ("marketingqualifiedlead", "lead"), ("Opportunity", "prospect"),
     ("customer", "customer"), ("Kunde", "customer"), ("former customer", "former")],
)  # fmt: skip
def test_it_maps_crm_lifecycle_stages(value, stage):
    assert parse_lifecycle_stage(value) == stage


_local = st.text(
    alphabet=st.sampled_from("abcXYZ019.!#$%&'*+/=?^_`{|}~-\"@ é"), min_size=0, max_size=20
)
_domain = st.sampled_from(
    ["example.org", "EXAMPLE.com", "localhost", "example", "ex_ample.org", "-bad.org",
     "bücher.example", "example.test", "a..b.org", "xn--bcher-kva.example", "192.168.0.1"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(local=_local, domain=_domain)
def test_the_fast_email_check_agrees_with_normalise_email(local, domain):
    raw = f"{local}@{domain}"
    try:
        expected = normalise_email(raw)
    except ValueError:
        expected = None
    try:
        found = EmailNormaliser()(raw)
    except ValueError:
        found = None

    assert found == expected
