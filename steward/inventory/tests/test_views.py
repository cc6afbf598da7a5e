import csv
import io
import json
import re

import pytest
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.contacts.choices import CustomFieldType
from steward.contacts.services import custom_field_create
from steward.core.actor import SystemActor
from steward.inventory.data_map import DataMapFilters, data_map
from steward.inventory.models import DataCategory
from steward.inventory.taxonomy import Sensitivity

pytestmark = pytest.mark.django_db

PAGES = ["inventory:data_map", "inventory:export_json", "inventory:export_csv"]


def _categories() -> list[tuple]:
    return list(
        DataCategory.objects.order_by("key").values_list("key", "label", "sensitivity", "builtin")
    )


def _fields_listed(response) -> list[str]:
    return re.findall(r'<tr data-field="([^"]+)">', response.content.decode())


@pytest.fixture
def allergies(db):
    return custom_field_create(
        actor=SystemActor("test"),
        key="allergies",
        label="Allergies",
        field_type=CustomFieldType.TEXT,
        category="special.health",
    )


@pytest.fixture
def as_dpo(client, dpo):
    client.force_login(dpo)
    return client


# -- Access -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*PAGES, "inventory:categories"])
def test_the_pages_need_a_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", [*PAGES, "inventory:categories"])
def test_a_salesperson_may_not_see_the_data_map_or_the_taxonomy(client, owner, name):
    client.force_login(owner)

    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_a_manager_sees_the_data_map(client, manager, name):
    client.force_login(manager)

    assert client.get(reverse(name)).status_code == 200


def test_the_nav_links_the_data_map_for_the_dpo_only_not_for_sales(client, dpo, owner):
    client.force_login(dpo)
    assert 'href="/inventory/"' in client.get(reverse("dashboard")).content.decode()

    client.force_login(owner)
    assert 'href="/inventory/"' not in client.get(reverse("dashboard")).content.decode()


def test_a_salesperson_cannot_add_a_category_and_nothing_changes(client, owner):
    client.force_login(owner)
    before = _categories()

    response = client.post(
        reverse("inventory:categories"), {"parent": "contact", "name": "fax", "label": "Fax"}
    )

    assert response.status_code == 403
    assert _categories() == before
    assert not AuditEvent.objects.exists()


def test_a_manager_sees_the_taxonomy_but_cannot_add_to_it(client, manager):
    client.force_login(manager)
    before = _categories()

    page = client.get(reverse("inventory:categories"))
    response = client.post(
        reverse("inventory:categories"), {"parent": "contact", "name": "fax", "label": "Fax"}
    )

    assert page.status_code == 200
    assert "Add a category" not in page.content.decode()
    assert response.status_code == 403
    assert _categories() == before


def test_a_manager_cannot_open_a_categorys_edit_form(client, manager):
    client.force_login(manager)

    response = client.get(reverse("inventory:category_edit", args=["contact"]))

    assert response.status_code == 403


# -- The data map page ------------------------------------------------------------------


def test_the_page_lists_every_field_of_the_map_including_custom_fields(as_dpo, allergies):
    response = as_dpo.get(reverse("inventory:data_map"))

    assert response.status_code == 200
    assert _fields_listed(response) == [row.path for row in data_map()]
    assert "contacts.Contact.custom.allergies" in _fields_listed(response)
    html = response.content.decode()
    assert "Special (Art. 9)" in html
    assert "Recipients and retention come from the register of processing" in html


def test_filtering_to_special_categories_lists_only_those(as_dpo, allergies):
    response = as_dpo.get(reverse("inventory:data_map"), {"sensitivity": "special"})

    assert _fields_listed(response) == ["contacts.Contact.custom.allergies"]


def test_filtering_by_category_includes_what_lies_inside_it(as_dpo):
    response = as_dpo.get(reverse("inventory:data_map"), {"category": "contact"})

    listed = _fields_listed(response)
    assert listed == [row.path for row in data_map(DataMapFilters(category="contact"))]
    assert "contacts.Contact.email" in listed
    assert "contacts.Contact.given_name" not in listed


def test_an_unknown_filter_value_is_ignored_not_an_error(as_dpo):
    response = as_dpo.get(reverse("inventory:data_map"), {"sensitivity": "very"})

    assert response.status_code == 200
    assert len(_fields_listed(response)) == len(data_map())


def test_the_export_links_carry_the_filters(as_dpo):
    html = as_dpo.get(reverse("inventory:data_map"), {"sensitivity": "special"}).content.decode()

    assert 'href="/inventory/export.json?sensitivity=special"' in html


# -- Exports ----------------------------------------------------------------------------


def test_the_json_export_equals_the_page_rows(as_dpo, allergies):
    page = as_dpo.get(reverse("inventory:data_map"))

    response = as_dpo.get(reverse("inventory:export_json"))

    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    fields = json.loads(response.content)["fields"]
    assert [f"{f['model']}.{f['field']}" for f in fields] == _fields_listed(page)


def test_the_csv_export_equals_the_page_rows_under_the_same_filter(as_dpo, allergies):
    page = as_dpo.get(reverse("inventory:data_map"), {"category": "special"})

    response = as_dpo.get(reverse("inventory:export_csv"), {"category": "special"})

    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [f"{line['model']}.{line['field']}" for line in lines] == _fields_listed(page)
    assert lines[0]["sensitivity"] == "special"


# -- The taxonomy page ------------------------------------------------------------------


def test_the_taxonomy_page_shows_the_tree_parents_before_children(as_dpo):
    html = as_dpo.get(reverse("inventory:categories")).content.decode()

    keys = re.findall(r'data-key="([^"]+)"', html)
    assert set(keys) == set(DataCategory.objects.values_list("key", flat=True))
    assert keys.index("special") < keys.index("special.health")
    assert keys.index("contact") < keys.index("contact.email") < keys.index("criminal")


def test_a_dpo_adds_a_category_and_finds_it_in_the_tree(as_dpo, dpo):
    response = as_dpo.post(
        reverse("inventory:categories"),
        {
            "parent": "special.health",
            "name": "allergies",
            "label": "Allergies",
            "description": "Food and drug allergies.",
            "sensitivity": "",
        },
    )

    assert response.status_code == 302
    added = DataCategory.objects.get(key="special.health.allergies")
    assert (added.sensitivity, added.builtin) == (Sensitivity.SPECIAL, False)
    assert AuditEvent.objects.get(action="data_category.added").actor == dpo
    tree = as_dpo.get(response["Location"]).content.decode()
    assert 'data-key="special.health.allergies"' in tree


def test_a_refused_category_is_explained_on_the_form_and_nothing_is_added(as_dpo):
    before = _categories()

    response = as_dpo.post(
        reverse("inventory:categories"),
        {"parent": "special", "name": "diet", "label": "Diet", "sensitivity": "personal"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "at least special category" in html
    assert _categories() == before


def test_a_dpo_raises_a_builtin_on_its_edit_page(as_dpo):
    response = as_dpo.post(
        reverse("inventory:category_edit", args=["identity.national_id"]),
        {"sensitivity": "special", "label": "ignored", "description": "ignored"},
    )

    assert response.status_code == 302
    row = DataCategory.objects.get(key="identity.national_id")
    assert row.sensitivity == Sensitivity.SPECIAL
    assert row.label == "National ID"


def test_lowering_a_builtin_special_category_is_refused_on_the_form(as_dpo):
    before = _categories()

    response = as_dpo.post(
        reverse("inventory:category_edit", args=["special.health"]),
        {"sensitivity": "personal"},
    )

    assert response.status_code == 200
    assert "cannot be lowered" in response.content.decode()
    assert _categories() == before


def test_an_unknown_category_has_no_edit_page(as_dpo):
    response = as_dpo.get(reverse("inventory:category_edit", args=["no.such.thing"]))

    assert response.status_code == 404
