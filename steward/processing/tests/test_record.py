"""The record of processing (Art. 30(1)): complete for every active purpose, and generated
from the register, its recipients, the taxonomy and the data map, so that nothing in it is
typed twice."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from steward.processing.record import CSV_COLUMNS, processing_record, record_csv, record_json
from steward.processing.selectors import purpose_get, purposes_active
from steward.processing.services import purpose_update
from steward.processing.tests.factories import SYSTEM, make_purpose, make_recipient

pytestmark = pytest.mark.django_db


def _document() -> dict:
    return json.loads(record_json(processing_record()))


def _csv_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(record_csv(processing_record()))))


def _activity(document: dict, key: str) -> dict:
    return next(a for a in document["activities"] if a["key"] == key)


# -- Completeness --------------------------------------------------------------------------


def test_the_controller_and_dpo_come_from_the_settings():
    with override_settings(
        STEWARD_CONTROLLER_NAME="Bakery Example GmbH",
        STEWARD_CONTROLLER_ADDRESS="Brotweg 2, 50667 Köln",
        STEWARD_CONTROLLER_EMAIL="privacy@bakery.example.org",
        STEWARD_DPO_NAME="Dana Example",
        STEWARD_DPO_EMAIL="dpo@bakery.example.org",
        STEWARD_REPRESENTATIVE="",
    ):
        controller = _document()["controller"]

    assert controller == {
        "name": "Bakery Example GmbH",
        "address": "Brotweg 2, 50667 Köln",
        "email": "privacy@bakery.example.org",
        "dpo_name": "Dana Example",
        "dpo_email": "dpo@bakery.example.org",
        "representative": "",
    }


def test_every_item_of_art30_1_is_present_for_every_active_purpose():
    make_recipient(purposes=["direct-marketing"])
    document = _document()

    keys = {a["key"] for a in document["activities"]}
    assert keys == set(purposes_active().values_list("key", flat=True))
    c = document["controller"]
    # (a) the controller and the DPO, with contact details
    assert c["name"] and c["address"] and "@" in c["email"]
    assert c["dpo_name"] and "@" in c["dpo_email"]
    assert "representative" in c
    for a in document["activities"]:
        assert isinstance(a["joint_controllers"], list)  # (a), empty when none
        assert a["name"] and a["description"] and a["lawful_basis_label"]  # (b)
        assert a["subject_categories"]  # (c) people
        assert a["data_categories"]  # (c) data, with label and sensitivity
        for category in a["data_categories"]:
            assert category["label"] and category["sensitivity"] in ("personal", "special")
        assert isinstance(a["recipients"], list)  # (d)
        assert isinstance(a["transfers"], list)  # (e)
        assert a["retention"] and a["retention"] != "Not set"  # (f)
        assert a["security_measures"]  # (g)
        assert set(a["art30"]) == set("abcdefg")
    marketing = _activity(document, "direct-marketing")
    assert [r["name"] for r in marketing["recipients"]] == ["Example Mail GmbH"]


def test_the_printable_page_shows_every_item_for_every_activity(client, manager):
    client.force_login(manager)

    page = client.get(reverse("processing:record")).content.decode()

    assert "Example Trading Ltd" in page and "dpo@example.com" in page
    for purpose in purposes_active():
        section = page.split(f'data-activity="{purpose.key}"')[1].split("</section>")[0]
        for item in ("a", "b", "c-subjects", "c-data", "d", "e", "f", "g"):
            assert f'data-item="{item}"' in section
        assert purpose.retention_rule in section
    assert "record-print.css" in page


def test_the_csv_has_one_line_per_active_purpose_with_every_item():
    make_purpose(key="old-newsletter", name="Old newsletter", active=False)

    rows = _csv_rows()

    assert tuple(rows[0]) == CSV_COLUMNS
    assert sorted(r["purpose_key"] for r in rows) == sorted(
        purposes_active().values_list("key", flat=True)
    )
    for row in rows:
        for column in CSV_COLUMNS:
            assert row[column], (row["purpose_key"], column)
    invoicing = next(r for r in rows if r["purpose_key"] == "invoicing")
    assert invoicing["lawful_basis"] == "Legal obligation (Art. 6(1)(c))"
    assert "Bank account (IBAN) (financial.iban)" in invoicing["data_categories"]


# -- Derived, not typed twice ---------------------------------------------------------------


def test_a_category_added_to_a_purpose_appears_in_the_record_with_its_label_and_fields():
    marketing = purpose_get("direct-marketing")
    before = _activity(_document(), "direct-marketing")
    assert "identity.date_of_birth" not in [c["key"] for c in before["data_categories"]]

    purpose_update(
        actor=SYSTEM,
        purpose=marketing,
        data={"data_categories": [*marketing.data_categories, "identity.date_of_birth"]},
    )

    added = next(
        c
        for c in _activity(_document(), "direct-marketing")["data_categories"]
        if c["key"] == "identity.date_of_birth"
    )
    assert added["label"] == "Date of birth"
    assert added["sensitivity"] == "personal"
    assert "contacts.Contact.date_of_birth" in added["fields"]
    row = next(r for r in _csv_rows() if r["purpose_key"] == "direct-marketing")
    assert "Date of birth (identity.date_of_birth)" in row["data_categories"]


def test_a_recipient_outside_the_eea_appears_as_a_transfer_with_its_safeguard():
    make_recipient(
        name="Example Cloud Inc.",
        countries=["IE", "US"],
        transfer_safeguard="scc",
        transfer_documentation="SCC module 2, 2026-02-01",
        purposes=["customer-management"],
    )

    activity = _activity(_document(), "customer-management")

    assert activity["transfers"] == [
        {
            "recipient": "Example Cloud Inc.",
            "country": "US",
            "country_name": "United States of America",
            "safeguard": "scc",
            "safeguard_label": "Standard contractual clauses (Art. 46(2)(c))",
            "documentation": "SCC module 2, 2026-02-01",
        }
    ]
    row = next(r for r in _csv_rows() if r["purpose_key"] == "customer-management")
    assert "Example Cloud Inc. to United States of America (US)" in row["third_country_transfers"]


def test_a_joint_controller_is_named_with_its_contact_details():
    make_recipient(
        name="Example Events Partner",
        kind="joint_controller",
        contact_details="2 Partner Road, Dublin; privacy@partner.example.org",
        countries=["IE"],
        purposes=["direct-marketing"],
    )

    activity = _activity(_document(), "direct-marketing")

    assert [j["name"] for j in activity["joint_controllers"]] == ["Example Events Partner"]
    assert activity["recipients"] == []
    row = next(r for r in _csv_rows() if r["purpose_key"] == "direct-marketing")
    assert "privacy@partner.example.org" in row["joint_controllers"]


def test_ended_recipients_and_inactive_purposes_are_left_out():
    make_recipient(name="Former Mailer", status="ended", purposes=["direct-marketing"])
    purpose_update(actor=SYSTEM, purpose=purpose_get("analytics"), data={"active": False})

    document = _document()

    assert "analytics" not in {a["key"] for a in document["activities"]}
    assert _activity(document, "direct-marketing")["recipients"] == []
    assert "Former Mailer" not in {r["name"] for r in document["recipients"]}


def test_a_formula_in_a_purpose_name_is_defused_in_the_csv():
    make_purpose(key="formula", name='=HYPERLINK("http://example.org")')

    row = next(r for r in _csv_rows() if r["purpose_key"] == "formula")

    assert row["purpose"].startswith("'=")


# -- The command ---------------------------------------------------------------------------


def test_the_command_prints_the_record_as_json_and_as_csv():
    out_json, out_csv = io.StringIO(), io.StringIO()

    call_command("record_of_processing", "--format", "json", stdout=out_json)
    call_command("record_of_processing", "--format", "csv", stdout=out_csv)

    keys = {a["key"] for a in json.loads(out_json.getvalue())["activities"]}
    assert "invoicing" in keys
    lines = list(csv.DictReader(io.StringIO(out_csv.getvalue())))
    assert {line["purpose_key"] for line in lines} == keys
