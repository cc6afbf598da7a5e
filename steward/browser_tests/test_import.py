import csv

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from steward.browser_tests.conftest import log_in
from steward.contacts.models import Contact
from steward.staff.roles import Role
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

ROWS = 1000


@pytest.fixture
def hubspot_export(tmp_path):
    """A HubSpot-style export of 1,000 invented people."""
    path = tmp_path / "hubspot-contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Email", "Company Name", "Lifecycle Stage"])
        for n in range(ROWS):
            writer.writerow(
                [f"Imka{n}", f"Oosterbeek{n:04d}", f"imka{n}@example.org", "Polder Tiles", "lead"]
            )
    return path


def test_a_manager_imports_a_csv_of_1000_rows_and_finds_them_in_the_list(
    anonymous_page, hubspot_export
):
    page = anonymous_page
    manager = UserFactory(email="mona.manager@example.com", role=Role.MANAGER)
    log_in(page, manager.email, PASSWORD)
    page.wait_for_url(f"**{reverse('dashboard')}")

    # Given the upload step of the import wizard
    page.goto(reverse("imports:start"))
    page.locator("input[type=file]").set_input_files(str(hubspot_export))
    page.get_by_role("button", name="Upload and continue").click()

    # When the suggested mapping is accepted (HubSpot headers are recognised)
    expect(page.get_by_role("heading", level=1)).to_have_text("Which column goes where?")
    page.get_by_role("button", name="Check the rows").click()

    # and the checked rows are imported
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before importing")
    page.get_by_role("button", name="Start the import").click()

    # Then the import finishes and every row is a contact
    expect(page.locator("main")).to_contain_text("1,000", timeout=60_000)
    assert Contact.objects.count() == ROWS

    # and the list finds them
    page.goto(reverse("contacts:list") + "?q=Oosterbeek0999")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("imka999@example.org")
    page.goto(reverse("contacts:list") + "?q=imka")
    expect(page.locator("table tbody tr")).to_have_count(50)
