import pytest
from django.urls import reverse
from playwright.sync_api import expect

from steward.activities.choices import ActivityKind
from steward.activities.services import activity_log
from steward.browser_tests.conftest import log_in
from steward.contacts.tests.factories import ContactFactory
from steward.detection.choices import FindingStatus
from steward.detection.models import PersonalDataFinding
from steward.staff.roles import Role
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_a_dpo_reviews_the_special_category_data_a_note_revealed(anonymous_page, staff_user):
    # Given a salesperson's note that mentions a contact's health, and a DPO who logs in
    contact = ContactFactory(
        given_name="Jana", family_name="Example", owner=staff_user, team=staff_user.team
    )
    activity_log(
        actor=staff_user,
        data={
            "kind": ActivityKind.NOTE,
            "body": "Her diabetes makes mornings hard, call after eleven.",
            "contact": contact,
        },
    )
    dpo = UserFactory(email="dagny.dpo@example.com", full_name="Dagny Dpo", role=Role.DPO)
    page = anonymous_page
    log_in(page, dpo.email, PASSWORD)
    page.wait_for_url(f"**{reverse('dashboard')}")

    # When they open the contact, see the notice with its evidence, and confirm the finding
    page.goto(reverse("contacts:detail", args=[contact.pk]))
    notice = page.get_by_role("region", name="Special-category data")
    expect(notice).to_contain_text("Health: diabetes")
    expect(page.locator("#timeline")).to_contain_text("Special category: Health")
    notice.get_by_role("button", name="Confirm diabetes").click()

    # Then the page says so and the finding is confirmed by them
    expect(page.get_by_role("status").first).to_contain_text("Finding “diabetes” confirmed.")
    expect(page.get_by_role("region", name="Special-category data")).to_contain_text(
        "confirmed by Dagny Dpo"
    )
    finding = PersonalDataFinding.objects.get(category="health")
    assert (finding.status, finding.reviewed_by) == (FindingStatus.CONFIRMED, dpo)


def test_the_salesperson_sees_the_note_masked_and_nothing_of_the_finding(page, staff_user):
    contact = ContactFactory(owner=staff_user, team=staff_user.team)
    activity_log(
        actor=staff_user,
        data={"kind": ActivityKind.NOTE, "body": "He has asthma.", "contact": contact},
    )

    page.goto(reverse("contacts:detail", args=[contact.pk]))

    # Issue 6: a note that holds special-category data is masked for a role without the
    # grant, even for its author; the finding and its evidence are not shown at all.
    expect(page.locator("#timeline")).to_contain_text("Restricted (special-category data)")
    expect(page.locator("#timeline")).not_to_contain_text("asthma")
    expect(page.get_by_role("region", name="Special-category data")).to_have_count(0)
    expect(page.locator("#timeline")).not_to_contain_text("Special category:")
