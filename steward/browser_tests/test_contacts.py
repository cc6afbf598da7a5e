import pytest
from django.urls import reverse
from playwright.sync_api import expect

from steward.activities.models import Activity
from steward.audit.models import AuditEvent
from steward.contacts.models import Contact
from steward.contacts.services import contact_create

pytestmark = pytest.mark.browser


def test_a_salesperson_creates_a_contact_and_logs_a_note_without_a_reload(page):
    # Given a logged-in salesperson on the new-contact form
    page.goto(reverse("contacts:create"))

    # When they fill it in with a mistake, they are told which field is wrong
    page.get_by_label("Given name").fill("Henrike")
    page.get_by_label("Family name").fill("Brandauer")
    page.get_by_label("Email").fill("henrike.brandauer@")
    page.get_by_role("button", name="Create contact").click()
    expect(page.locator(".field.has-error")).to_contain_text("Email")
    assert not Contact.objects.exists()

    # and after correcting it the contact is created and shown
    page.get_by_label("Email").fill("henrike.brandauer@example.org")
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Henrike Brandauer")
    contact = Contact.objects.get()
    assert contact.email == "henrike.brandauer@example.org"

    # When they log a note on the contact page
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("textbox", name="Subject").fill("Intro call")
    page.get_by_role("textbox", name="Details").fill("Wants a quote for twelve seats.")
    page.get_by_role("button", name="Log activity").click()

    # Then it appears on the timeline in place, without a page load, and is stored and audited
    expect(page.locator("#timeline")).to_contain_text("Wants a quote for twelve seats.")
    assert page.evaluate("window.__notReloaded === true")
    note = Activity.objects.get(contact=contact)
    assert note.body == "Wants a quote for twelve seats."
    assert AuditEvent.objects.filter(action="activity.logged", object_id=str(note.pk)).exists()


def test_the_contact_list_finds_a_contact_as_one_types(page, staff_user):
    for given, family in [("Ilse", "Vandermeer"), ("Tomasz", "Wolny"), ("Ines", "Vandeput")]:
        contact_create(
            actor=staff_user,
            data={
                "given_name": given,
                "family_name": family,
                "email": f"{given.lower()}@example.org",
            },
        )

    page.goto(reverse("contacts:list"))
    page.get_by_role("textbox", name="Search").fill("Vande")

    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table tbody")).not_to_contain_text("Wolny")
