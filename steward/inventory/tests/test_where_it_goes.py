"""The data map's "where it goes", derived from the register of processing: the purposes
whose data categories cover a field's category (a parent covers its children), with their
retention rule, and the active recipients that receive the category."""

import csv
import io
import json

import pytest
from django.urls import reverse

from steward.inventory.data_map import data_map, data_map_csv, data_map_json
from steward.processing.selectors import purpose_get
from steward.processing.services import purpose_update
from steward.processing.tests.factories import SYSTEM, make_purpose, make_recipient

pytestmark = pytest.mark.django_db


def _row(model: str, field: str):
    return next(r for r in data_map() if r.model == model and r.field == field)


def test_a_field_goes_to_every_purpose_whose_categories_cover_it():
    email = _row("contacts.Contact", "email")

    # customer-management lists "contact" (the parent), direct-marketing and invoicing
    # list "contact.email" itself (other apps may seed more purposes that use it)
    assert {p.key for p in email.purposes} >= {
        "customer-management",
        "direct-marketing",
        "invoicing",
    }
    invoicing = next(p for p in email.purposes if p.key == "invoicing")
    assert invoicing.retention == "10 years after the end of the fiscal year of the record"


def test_a_child_key_does_not_cover_its_parent():
    # Given a purpose listing only "contact.phone"
    make_purpose(key="call-backs", data_categories=["contact.phone"])

    # Then it covers the phone field, not the email field
    assert "call-backs" in {p.key for p in _row("contacts.Contact", "phone").purposes}
    assert "call-backs" not in {p.key for p in _row("contacts.Contact", "email").purposes}


def test_a_field_no_purpose_covers_goes_nowhere():
    assert _row("contacts.Contact", "date_of_birth").purposes == ()


def test_a_category_added_to_a_purpose_takes_the_field_there():
    marketing = purpose_get("direct-marketing")

    purpose_update(
        actor=SYSTEM,
        purpose=marketing,
        data={"data_categories": [*marketing.data_categories, "identity.date_of_birth"]},
    )

    assert [p.key for p in _row("contacts.Contact", "date_of_birth").purposes] == [
        "direct-marketing"
    ]


def test_an_inactive_purpose_takes_nothing_anywhere():
    purpose_update(actor=SYSTEM, purpose=purpose_get("invoicing"), data={"active": False})

    assert "invoicing" not in {p.key for p in _row("contacts.Contact", "email").purposes}


def test_active_recipients_receive_the_fields_of_their_categories():
    make_recipient(name="Example Mail GmbH", data_categories=["contact.email"])
    make_recipient(name="Former Mailer", data_categories=["contact"], status="ended")

    email = _row("contacts.Contact", "email")
    phone = _row("contacts.Contact", "phone")

    assert [(r.name, r.countries) for r in email.recipients] == [("Example Mail GmbH", ("DE",))]
    assert phone.recipients == ()


def test_staff_accounts_are_not_in_the_register():
    make_recipient(data_categories=["identity.name", "contact.email"])

    staff_email = _row("staff.User", "email")

    assert staff_email.purposes == () and staff_email.recipients == ()


def test_the_exports_carry_where_each_field_goes():
    make_recipient(name="Example Mail GmbH", data_categories=["contact.email"])
    rows = data_map()

    document = json.loads(data_map_json(rows))
    lines = list(csv.DictReader(io.StringIO(data_map_csv(rows))))

    field = next(
        f for f in document["fields"] if (f["model"], f["field"]) == ("contacts.Contact", "email")
    )
    assert {p["key"] for p in field["purposes"]} >= {"direct-marketing", "invoicing"}
    assert field["recipients"] == [
        {"name": "Example Mail GmbH", "kind": "processor", "countries": ["DE"]}
    ]
    line = next(
        row for row in lines if (row["model"], row["field"]) == ("contacts.Contact", "email")
    )
    assert "Direct marketing (Consent (Art. 6(1)(a)))" in line["purposes"]
    assert line["recipients"] == "Example Mail GmbH (DE)"
    assert "Invoicing and bookkeeping: 10 years" in line["retention"]


def test_the_page_shows_where_each_field_goes(client, manager):
    make_recipient(name="Example Mail GmbH", data_categories=["contact.email"])
    client.force_login(manager)

    page = client.get(reverse("inventory:data_map")).content.decode()

    row = page.split('data-field="contacts.Contact.email"')[1].split("</tr>")[0]
    assert reverse("processing:purpose_detail", kwargs={"key": "invoicing"}) in row
    assert "Example Mail GmbH (DE)" in row
    assert "kept 10 years after the end of the fiscal year of the record" in row
    staff = page.split('data-field="staff.User.email"')[1].split("</tr>")[0]
    assert "Staff account, not in the register" in staff
