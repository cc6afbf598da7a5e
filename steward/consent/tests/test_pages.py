"""The contact page's Consents section (record, withdraw, proof) and the notices pages."""

import json

import pytest
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.consent.models import (
    Channel,
    ConsentEvent,
    ConsentState,
    EventKind,
    Method,
    NoticeVersion,
)
from steward.consent.services import consent_give
from steward.consent.tests.factories import notice, published_version, purpose
from steward.contacts.tests.factories import ContactFactory
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsletter():
    return purpose("newsletter-test", months=24, name="Newsletter")


@pytest.fixture
def version(newsletter):
    return published_version({newsletter: "Send me the monthly newsletter."})


@pytest.fixture
def contact(owner):
    return ContactFactory(owner=owner, team=owner.team)


@pytest.fixture
def dpo(db):
    return UserFactory(email="dora.dpo@example.com", full_name="Dora Dpo", role=Role.DPO)


def detail(client, contact) -> str:
    return client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()


def test_the_contact_page_shows_each_purposes_state_notice_and_expiry(
    client, owner, contact, newsletter, version
):
    consent_give(
        actor=owner,
        contact=contact,
        purpose=newsletter,
        notice_version=version,
        method=Method.PHONE,
        channel=Channel.PHONE,
    )
    client.force_login(owner)

    page = detail(client, contact)

    assert 'id="consents"' in page
    assert "Newsletter" in page and "Consent-Text v1" in page
    assert "Withdraw" in page and "Record consent" in page
    assert reverse("consent:receipt", args=[contact.pk]) in page
    assert "#1 " in page  # the event's place in the ledger


def test_staff_record_a_consent_given_by_phone(client, owner, contact, newsletter, version):
    client.force_login(owner)

    response = client.post(
        reverse("consent:record", args=[contact.pk]),
        {
            "purpose": newsletter.key,
            "notice_version": str(version.pk),
            "method": Method.PHONE,
            "note": "Call ref 2024-117",
        },
    )

    assert response.status_code == 302
    event = ConsentEvent.objects.get()
    assert (event.kind, event.method, event.channel, event.actor) == (
        EventKind.GIVEN,
        Method.PHONE,
        Channel.PHONE,
        owner,
    )
    assert event.evidence == {"note": "Call ref 2024-117"}


def test_a_refused_recording_says_why_and_writes_nothing(
    client, owner, contact, newsletter, version
):
    client.force_login(owner)
    form = {"purpose": newsletter.key, "notice_version": str(version.pk), "method": Method.PHONE}
    client.post(reverse("consent:record", args=[contact.pk]), form)
    audit_rows = AuditEvent.objects.count()

    response = client.post(reverse("consent:record", args=[contact.pk]), form, follow=True)

    assert "already given" in response.content.decode()
    assert ConsentEvent.objects.count() == 1
    assert AuditEvent.objects.count() == audit_rows


def test_one_click_withdraws_a_consent(client, owner, contact, newsletter, version):
    consent_give(
        actor=owner,
        contact=contact,
        purpose=newsletter,
        notice_version=version,
        method=Method.PHONE,
        channel=Channel.PHONE,
    )
    client.force_login(owner)

    client.post(reverse("consent:withdraw", args=[contact.pk, newsletter.key]))

    assert ConsentState.objects.get().status == "withdrawn"
    assert ConsentEvent.objects.last().kind == EventKind.WITHDRAWN


def test_a_read_only_user_sees_the_consents_but_may_not_change_them(
    client, owner, reader, contact, newsletter, version
):
    client.force_login(reader)

    page = detail(client, contact)
    response = client.post(
        reverse("consent:record", args=[contact.pk]),
        {"purpose": newsletter.key, "notice_version": str(version.pk), "method": Method.PHONE},
    )

    assert 'id="consents"' in page and "Record consent" not in page
    assert response.status_code == 403
    assert not ConsentEvent.objects.exists()


def test_an_outsider_can_neither_see_nor_change_anothers_consents(
    client, owner, outsider, contact, newsletter, version
):
    client.force_login(outsider)

    receipt = client.get(reverse("consent:receipt", args=[contact.pk]))
    record = client.post(
        reverse("consent:record", args=[contact.pk]),
        {"purpose": newsletter.key, "notice_version": str(version.pk), "method": Method.PHONE},
    )

    assert (receipt.status_code, record.status_code) == (404, 404)
    assert not ConsentEvent.objects.exists()


def test_the_receipt_downloads_as_a_kantara_style_document_checkable_against_the_ledger(
    client, owner, contact, newsletter, version, settings
):
    settings.STEWARD_CONTROLLER_NAME = "Example Trading Ltd"
    event = consent_give(
        actor=owner,
        contact=contact,
        purpose=newsletter,
        notice_version=version,
        method=Method.PHONE,
        channel=Channel.PHONE,
        evidence={"note": "Call ref 9"},
    )
    client.force_login(owner)

    response = client.get(reverse("consent:receipt", args=[contact.pk]))

    assert response["Content-Disposition"].startswith("attachment;")
    receipt = json.loads(response.content)
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["piiPrincipalId"] == contact.email
    assert receipt["piiControllers"][0]["piiController"] == "Example Trading Ltd"
    [service] = receipt["services"]
    [purpose_entry] = service["purposes"]
    assert purpose_entry["purposeCategory"] == ["newsletter-test"]
    assert purpose_entry["piiCategory"] == ["contact.email"]
    assert purpose_entry["notice"]["statementHash"] == event.text_hash
    [proof] = receipt["steward"]["events"]
    assert (proof["seq"], proof["entryHash"]) == (event.seq, event.entry_hash)
    assert proof["evidence"] == {"note": "Call ref 9"}
    assert proof["notice"]["textHash"] == version.text_hash
    assert ConsentEvent.objects.get(seq=proof["seq"]).computed_hash() == proof["entryHash"]


# -- Notices ---------------------------------------------------------------------------------


def test_a_salesperson_may_not_open_the_notices(client, owner):
    client.force_login(owner)

    assert client.get(reverse("notices:list")).status_code == 403


def test_the_dpo_creates_a_notice_writes_a_draft_and_publishes_it(client, dpo, newsletter):
    client.force_login(dpo)

    response = client.post(
        reverse("notices:list"),
        {"title": "Newsletter consent", "key": "newsletter-consent", "kind": "consent_text"},
    )
    created = notice("newsletter-consent")
    assert response.url == reverse("notices:version_create", args=[created.pk])
    client.post(
        response.url,
        {"text": "Our newsletter.", f"statement_{newsletter.key}": "Send me the newsletter."},
    )
    draft = NoticeVersion.objects.get(notice=created)
    page = client.get(reverse("notices:detail", args=[created.pk])).content.decode()
    assert "Send me the newsletter." in page and "Draft" in page
    confirm = client.get(reverse("notices:version_publish", args=[draft.pk])).content.decode()
    assert "No consent will need renewal" in confirm
    client.post(reverse("notices:version_publish", args=[draft.pk]))

    draft.refresh_from_db()
    assert draft.published_at is not None


def test_the_publish_page_says_how_many_consents_will_need_renewal(
    client, dpo, owner, newsletter, version
):
    for contact in ContactFactory.create_batch(3):
        consent_give(
            actor=owner,
            contact=contact,
            purpose=newsletter,
            notice_version=version,
            method=Method.PHONE,
            channel=Channel.PHONE,
        )
    client.force_login(dpo)
    client.post(
        reverse("notices:version_create", args=[version.notice_id]),
        {"text": "New.", f"statement_{newsletter.key}": "Send me the weekly newsletter."},
    )
    draft = NoticeVersion.objects.get(published_at__isnull=True)

    page = client.get(reverse("notices:version_publish", args=[draft.pk])).content.decode()
    client.post(reverse("notices:version_publish", args=[draft.pk]))

    assert "3 consents will need renewal" in page
    assert ConsentState.objects.filter(needs_renewal=True).count() == 3


def test_a_published_version_cannot_be_edited_through_the_page(client, dpo, newsletter, version):
    client.force_login(dpo)

    client.post(
        reverse("notices:version_edit", args=[version.pk]),
        {"text": "Changed.", f"statement_{newsletter.key}": "Changed."},
    )

    version.refresh_from_db()
    assert version.text == "Our notice."
