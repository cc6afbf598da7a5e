import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from steward.browser_tests.conftest import log_in
from steward.contacts.choices import CustomFieldType
from steward.contacts.services import custom_field_create
from steward.core.actor import SystemActor
from steward.staff.roles import Role
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_a_dpo_filters_the_data_map_to_special_categories_and_downloads_it(anonymous_page):
    # Given a custom field that holds health data, and a DPO who logs in
    custom_field_create(
        actor=SystemActor("test"),
        key="allergies",
        label="Allergies",
        field_type=CustomFieldType.TEXT,
        category="special.health",
    )
    dpo = UserFactory(email="dagny.dpo@example.com", full_name="Dagny Dpo", role=Role.DPO)
    page = anonymous_page
    log_in(page, dpo.email, PASSWORD)
    page.wait_for_url(f"**{reverse('dashboard')}")

    # When they open the data map from the navigation
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data map")
    expect(page.locator('tr[data-field="contacts.Contact.email"]')).to_be_visible()

    # and filter it to special categories
    page.get_by_label("Sensitivity").select_option("special")
    page.get_by_role("button", name="Filter").click()

    # Then only the health custom field is left, marked as special-category data
    expect(page).to_have_url(re.compile(r"sensitivity=special"))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Allergies")
    expect(rows.first).to_contain_text("Special (Art. 9)")

    # and the JSON export they download holds the same row
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export JSON").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    with open(download.path(), encoding="utf-8") as exported:
        fields = json.load(exported)["fields"]
    assert [(f["model"], f["field"], f["sensitivity"]) for f in fields] == [
        ("contacts.Contact", "custom.allergies", "special")
    ]
