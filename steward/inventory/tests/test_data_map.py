import csv
import io
import json
from collections import Counter

import pytest
from django.apps import apps
from django.test import override_settings

from steward.contacts.choices import CustomFieldType
from steward.contacts.services import custom_field_create
from steward.core.actor import SystemActor
from steward.core.personal_data import NOT_PERSONAL, tag_of
from steward.inventory.access import ALL, OWN, TEAM
from steward.inventory.data_map import (
    CSV_COLUMNS,
    DataMapFilters,
    data_map,
    data_map_csv,
    data_map_json,
    personal_data_models,
)
from steward.inventory.models import DataCategory
from steward.inventory.services import data_category_add, data_category_update
from steward.inventory.taxonomy import Sensitivity
from steward.staff.roles import RECORD_READ, Role

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("test")


def _rows() -> dict[tuple[str, str], object]:
    return {(r.model, r.field): r for r in data_map()}


def _allergies_field():
    return custom_field_create(
        actor=SYSTEM,
        key="allergies",
        label="Allergies",
        field_type=CustomFieldType.TEXT,
        category="special.health",
    )


def test_the_data_map_lists_the_contacts_personal_fields_with_their_categories():
    rows = _rows()

    assert rows[("contacts.Contact", "email")].category == "contact.email"
    assert rows[("contacts.Contact", "email")].category_label == "Email address"
    assert rows[("contacts.Contact", "date_of_birth")].category == "identity.date_of_birth"
    assert rows[("activities.Activity", "body")].free_text is True
    assert rows[("staff.User", "email")].subject == "staff"
    assert ("contacts.Contact", "lifecycle_stage") in rows


def test_fields_marked_not_personal_are_left_out_of_the_data_map():
    rows = _rows()

    assert ("deals.Deal", "currency") not in rows
    assert ("contacts.Contact", "owner") not in rows


def test_every_annotated_personal_field_appears_exactly_once():
    annotated = {
        (model._meta.label, f.name)
        for model in personal_data_models()
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if tag_of(f) not in (None, NOT_PERSONAL)
    }

    counts = Counter((r.model, r.field) for r in data_map())

    assert set(counts) == annotated
    assert set(counts.values()) == {1}


def test_every_mapped_field_uses_a_category_of_the_taxonomy():
    known = set(DataCategory.objects.values_list("key", flat=True))

    assert {r.category for r in data_map()} <= known


def test_each_custom_field_is_a_row_of_its_own_with_the_category_it_was_given():
    _allergies_field()
    custom_field_create(
        actor=SYSTEM,
        key="seats",
        label="Seats",
        field_type=CustomFieldType.NUMBER,
        category="commercial.deals",
    )

    rows = _rows()

    allergies = rows[("contacts.Contact", "custom.allergies")]
    assert allergies.path == "contacts.Contact.custom.allergies"
    assert (allergies.verbose_name, allergies.category) == ("Allergies", "special.health")
    assert allergies.sensitivity == Sensitivity.SPECIAL
    assert allergies.free_text is True
    assert rows[("contacts.Contact", "custom.seats")].free_text is False
    assert Counter(r.field for r in data_map())["custom.allergies"] == 1


def test_a_custom_field_may_use_a_category_an_operator_added(admin):
    data_category_add(actor=admin, parent_key="commercial", name="loyalty", label="Loyalty tier")

    custom_field_create(
        actor=admin,
        key="tier",
        label="Tier",
        field_type=CustomFieldType.TEXT,
        category="commercial.loyalty",
    )

    assert _rows()[("contacts.Contact", "custom.tier")].category_label == "Loyalty tier"


def test_a_sensitivity_raised_in_the_table_shows_in_the_map(admin):
    data_category_update(
        actor=admin,
        category=DataCategory.objects.get(key="identity.date_of_birth"),
        data={"sensitivity": Sensitivity.SPECIAL},
    )

    assert _rows()[("contacts.Contact", "date_of_birth")].sensitivity == Sensitivity.SPECIAL


def test_filtering_by_sensitivity_keeps_only_that_sensitivity():
    _allergies_field()

    rows = data_map(DataMapFilters(sensitivity=Sensitivity.SPECIAL))

    assert [(r.model, r.field) for r in rows] == [("contacts.Contact", "custom.allergies")]


def test_filtering_by_a_category_keeps_everything_inside_it():
    rows = data_map(DataMapFilters(category="contact"))

    assert rows
    assert {r.category.split(".")[0] for r in rows} == {"contact"}
    assert {"contact.email", "contact.phone", "contact.address"} <= {r.category for r in rows}


# -- Who can see it ---------------------------------------------------------------------


def test_every_model_holding_personal_data_says_who_reads_it():
    missing = [m._meta.label for m in personal_data_models() if m._meta.label not in RECORD_READ]

    assert missing == []


def test_the_role_table_has_no_entry_for_a_model_that_does_not_exist():
    stale = [
        key
        for key in RECORD_READ
        if ".".join(key.split(".")[:2]) not in {m._meta.label for m in apps.get_models()}
    ]

    assert stale == []


def test_contact_fields_are_seen_by_every_role_within_its_record_scope():
    readers = {r.role: r.records for r in _rows()[("contacts.Contact", "email")].readers}

    assert set(readers) == set(Role.values)
    assert readers[Role.DPO] == ALL
    assert readers[Role.SALES] == TEAM


def test_with_owner_scope_a_salesperson_reads_only_their_own_records():
    with override_settings(STEWARD_RECORD_SCOPE="owner"):
        readers = {r.role: r.records for r in _rows()[("contacts.Contact", "email")].readers}

    assert readers[Role.SALES] == OWN
    assert readers[Role.MANAGER] == ALL


def test_a_custom_field_is_seen_by_whoever_sees_the_contact():
    _allergies_field()
    rows = _rows()

    assert (
        rows[("contacts.Contact", "custom.allergies")].readers
        == rows[("contacts.Contact", "email")].readers
    )


def test_password_hashes_are_shown_to_no_role():
    rows = _rows()

    assert rows[("staff.User", "password")].readers == ()
    assert "No role" in rows[("staff.User", "password")].readers_text


def test_the_audit_trail_is_read_by_who_holds_audit_view_as_record_history():
    readers = {r.role: r.records for r in _rows()[("audit.AuditEvent", "changes")].readers}

    assert set(readers) == {Role.ADMINISTRATOR, Role.DPO, Role.MANAGER}


def test_import_files_are_seen_by_those_who_import_and_only_their_own():
    readers = {r.role: r.records for r in _rows()[("imports.ImportJob", "file_path")].readers}

    assert readers == {Role.ADMINISTRATOR: ALL, Role.MANAGER: OWN, Role.MARKETING: OWN}


# -- Exports ----------------------------------------------------------------------------


def test_the_json_export_holds_exactly_the_maps_rows():
    _allergies_field()
    rows = data_map()

    document = json.loads(data_map_json(rows))

    assert [(f["model"], f["field"]) for f in document["fields"]] == [
        (r.model, r.field) for r in rows
    ]
    allergies = next(f for f in document["fields"] if f["field"] == "custom.allergies")
    assert allergies["sensitivity"] == "special"
    assert {"role": "dpo", "records": "all"} in allergies["who_can_see"]
    assert "Recipients and retention" in document["where_it_goes"]


def test_the_csv_export_holds_exactly_the_maps_rows():
    _allergies_field()
    rows = data_map()

    lines = list(csv.DictReader(io.StringIO(data_map_csv(rows))))

    assert tuple(lines[0]) == CSV_COLUMNS
    assert [(line["model"], line["field"], line["category"]) for line in lines] == [
        (r.model, r.field, r.category) for r in rows
    ]
    allergies = next(line for line in lines if line["field"] == "custom.allergies")
    assert allergies["free_text"] == "yes"
    assert allergies["who_can_see"].startswith("Administrator, Data protection officer")


def test_the_csv_export_defuses_a_label_a_spreadsheet_would_run(admin):
    custom_field_create(
        actor=admin,
        key="formula",
        label='=HYPERLINK("http://example.org")',
        field_type=CustomFieldType.TEXT,
        category="commercial.profile",
    )

    lines = list(csv.DictReader(io.StringIO(data_map_csv(data_map()))))

    formula = next(line for line in lines if line["field"] == "custom.formula")
    assert formula["verbose_name"].startswith("'=")
