"""A salesperson opens a contact and reads, per purpose, whether the person may be processed
and why: "Why may I email this person?"."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from steward.contacts.choices import LifecycleStage
from steward.processing.tests.factories_gate import gate_world, give, person, withdraw

pytestmark = pytest.mark.browser

# Screenshots for a person to look at; not part of the repository.
SHOTS = Path(os.environ.get("STEWARD_SHOTS", "/tmp/shots"))


def test_a_salesperson_sees_why_a_contact_may_not_be_emailed(page, staff_user):
    # Given a customer who gave marketing consent and withdrew it since
    world = gate_world()
    contact = person(
        given_name="Ines",
        family_name="Example",
        owner=staff_user,
        team=staff_user.team,
        stage=LifecycleStage.CUSTOMER,
    )
    give(contact, world.marketing, world.notice_v1, days_ago=40)
    withdrawal = withdraw(contact, world.marketing, days_ago=2)
    day = timezone.localtime(withdrawal.occurred_at)

    # When the salesperson opens the contact
    page.goto(reverse("contacts:detail", args=[contact.pk]))

    # Then the page answers "Why may I email this person?" for each purpose, with the day
    section = page.get_by_role("region", name="Why may I email this person?")
    marketing = section.locator('[data-purpose="gate-marketing"]')
    expect(marketing).to_contain_text("Not allowed")
    expect(marketing).to_contain_text(
        f"May not be contacted for marketing: consent withdrawn on {day.day} {day:%B %Y}."
    )
    # the contract still allows customer management, and says why
    contract = section.locator('[data-purpose="gate-contract"]')
    expect(contract).to_contain_text("Allowed")
    expect(contract).to_contain_text("they are recorded as a customer")
    # the evidence names the ledger event
    marketing.get_by_text("Evidence").click()
    expect(marketing.locator(".evidence")).to_contain_text(f"consent event {withdrawal.pk}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "gate-contact-page.png"), full_page=True)
