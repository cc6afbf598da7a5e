"""The register in a real Chromium: a DPO opens it from the navigation, edits a purpose (a
refused change shows its reason and saves nothing), and opens the printable record of
processing, which shows the change without anything typed twice."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from steward.browser_tests.conftest import log_in
from steward.processing.selectors import purpose_get
from steward.processing.tests.factories import make_purpose, make_recipient
from steward.staff.roles import Role
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

SHOTS = "/tmp/shots"


def test_a_dpo_edits_a_purpose_and_prints_the_record(anonymous_page):
    # Given a purpose on a contract with a processor in the United States, and a DPO
    make_purpose(key="event-bookings", name="Event bookings")
    make_recipient(
        name="Example Ticketing Inc.",
        countries=["US"],
        transfer_safeguard="scc",
        purposes=["event-bookings"],
    )
    dpo = UserFactory(email="dagny.dpo@example.com", full_name="Dagny Dpo", role=Role.DPO)
    page = anonymous_page
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, dpo.email, PASSWORD)
    page.wait_for_url(f"**{reverse('dashboard')}")

    # When they open the register from the navigation
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register of processing")
    row = page.locator('tr[data-purpose="event-bookings"]')
    expect(row).to_contain_text("Contract (Art. 6(1)(b))")
    expect(row).to_contain_text("Example Ticketing Inc.")

    # and edit the purpose: legitimate interests, phone numbers as well
    row.get_by_role("link", name="Event bookings").click()
    page.get_by_role("link", name="Edit").click()
    assessment = page.get_by_label("Legitimate-interest assessment")
    expect(assessment).to_be_hidden()  # only asked for legitimate interests
    page.get_by_label("Lawful basis").select_option("legitimate_interests")
    expect(assessment).to_be_visible()
    page.get_by_label("Phone number").check()
    page.get_by_role("button", name="Save changes").click()

    # Then without an assessment the change is refused, with the reason, and nothing saved
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.get_by_role("alert")).to_contain_text("legitimate-interest assessment")
    assert purpose_get("event-bookings").lawful_basis == "contract"

    # When they write the assessment and save again
    page.get_by_label("Legitimate-interest assessment").fill(
        "Interest: reminding participants of the workshop they booked. Necessary: a call is "
        "the only way to reach some. Balance: expected by participants; they can object."
    )
    page.get_by_role("button", name="Save changes").click()

    # Then the purpose's page shows the new basis and category
    expect(page.get_by_role("heading", level=1)).to_contain_text("Event bookings")
    expect(page.locator("main")).to_contain_text("Legitimate interests (Art. 6(1)(f))")
    expect(page.locator("main")).to_contain_text("Phone number")

    page.screenshot(path=f"{SHOTS}/purpose.png", full_page=True)

    # and the data map says where phone numbers now go
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data map").click()
    phone = page.locator('tr[data-field="contacts.Contact.phone"]')
    expect(phone).to_contain_text("Event bookings")
    phone.scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/data-map-where.png")

    # and the printable record of processing shows them too, with the transfer
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    page.screenshot(path=f"{SHOTS}/register.png", full_page=True)
    page.get_by_role("link", name="Record of processing").click()
    activity = page.locator('[data-activity="event-bookings"]')
    expect(activity.locator('[data-item="b"]')).to_contain_text("Legitimate interests")
    expect(activity.locator('[data-item="c-data"]')).to_contain_text("Phone number")
    expect(activity.locator('[data-item="e"]')).to_contain_text(
        "Example Ticketing Inc. to United States of America: Standard contractual clauses"
    )
    expect(page.locator(".record-controller")).to_contain_text("dpo@example.com")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/record.png", full_page=True)
    page.screenshot(path=f"{SHOTS}/record-top.png")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    page.screenshot(path=f"{SHOTS}/record-print.png", full_page=True)
    activity.scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/record-print-activity.png")
    page.pdf(path=f"{SHOTS}/record.pdf", format="A4")
    assert violations == []
