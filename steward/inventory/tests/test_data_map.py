import pytest

from steward.inventory.categories import CATEGORIES
from steward.inventory.data_map import data_map


def test_the_data_map_lists_the_contacts_personal_fields_with_their_categories():
    rows = {(r.model, r.field): r for r in data_map()}

    assert rows[("contacts.Contact", "email")].category == "contact.email"
    assert rows[("contacts.Contact", "date_of_birth")].category == "identity.date_of_birth"
    assert rows[("activities.Activity", "body")].free_text is True
    assert ("contacts.Contact", "lifecycle_stage") in rows


def test_fields_marked_not_personal_are_left_out_of_the_data_map():
    rows = {(r.model, r.field) for r in data_map()}

    assert ("deals.Deal", "currency") not in rows
    assert ("contacts.Contact", "owner") not in rows


@pytest.mark.parametrize("row", data_map(), ids=lambda r: f"{r.model}.{r.field}")
def test_every_mapped_field_uses_a_known_category(row):
    assert row.category in CATEGORIES
