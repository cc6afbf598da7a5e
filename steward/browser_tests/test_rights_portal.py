"""A person asks for their data on the privacy portal, confirms through the link mailed to
them (a real SMTP server), a DPO completes the request in the staff pages, and the person
downloads their export: in Chromium, against the live server."""

import json
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from steward.browser_tests.conftest import log_in
from steward.contacts.tests.factories import ContactFactory
from steward.rights.models import RightsRequest
from steward.staff.roles import Role
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

# Screenshots for a person to look at (not committed): STEWARD_SCREENSHOTS=/tmp/shots.
SHOTS = os.environ.get("STEWARD_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_person_asks_for_their_data_confirms_and_downloads_it_after_the_dpo_completes(
    browser, live_server, anonymous_page, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    person = ContactFactory(
        given_name="Marit", family_name="Olafsdottir", email="marit.olafsdottir@example.org"
    )
    dpo = UserFactory(email="dora.dpo@example.com", full_name="Dora Dpo", role=Role.DPO)

    # Given the portal, without an account
    page = anonymous_page
    page.goto(reverse("portal:home"))
    expect(page.get_by_role("heading", name="Your privacy rights")).to_be_visible()
    _shot(page, "rights-portal")

    # When the person asks for access with the address we know them by
    page.get_by_role("radio", name=re.compile(r"Access:")).check()
    page.get_by_label("Your name").fill("Marit Olafsdottir")
    page.get_by_label("Your email address").fill("marit.olafsdottir@example.org")
    page.get_by_role("button", name="Send my request").click()

    # Then the page says to check the mail, and the mail holds a link
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    mail = smtp_server.wait_for(1)[0]
    assert mail.rcpt_tos == [person.email]
    link = re.search(r"http://\S+/privacy/verify/\S+/", mail.text()).group(0)

    # When they follow it and confirm
    page.goto(link)
    page.get_by_role("button", name="Yes, this is my request").click()

    # Then their status page shows the request being worked on
    expect(page.locator("#status")).to_have_text("We are working on it")
    status_url = page.url
    request = RightsRequest.objects.get(contact=person)
    assert request.status == "verified"
    _shot(page, "rights-status")

    # When a DPO opens the queue, the request, starts and completes it
    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    staff.set_default_timeout(10_000)
    desk = staff.new_page()
    log_in(desk, dpo.email, PASSWORD)
    desk.wait_for_url(f"**{reverse('dashboard')}")
    desk.get_by_role("link", name="Requests").click()
    expect(desk.get_by_role("heading", name="Privacy requests")).to_be_visible()
    _shot(desk, "rights-staff-queue")
    desk.get_by_role("link", name=request.reference).click()
    desk.get_by_role("button", name="Start carrying it out").click()
    expect(desk.locator("#request-status")).to_have_text("In progress")
    _shot(desk, "rights-staff-request")
    desk.get_by_role("button", name="Complete the request").click()
    expect(desk.locator("#request-status")).to_have_text("Completed")
    staff.close()

    # Then the person is told, and downloads their export from the status page
    smtp_server.wait_for(3)
    page.goto(status_url)
    expect(page.locator("#status")).to_have_text("Answered")
    _shot(page, "rights-status-answered")
    pytest.importorskip(
        "steward.rights.access_export", reason="helper 'actions' has not landed access_export"
    )
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download (JSON)").click()
    download = download_info.value
    document = json.loads(Path(download.path()).read_text())
    assert "marit.olafsdottir@example.org" in json.dumps(document)
    assert download.suggested_filename == f"{request.reference}-access.json"
