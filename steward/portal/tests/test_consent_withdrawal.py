"""Art. 7(3): a person withdraws a consent through the privacy portal as easily as they gave
it: their address, the mailed link, one click; the ledger records it."""

import re

import pytest
from django.urls import reverse

from steward.consent.models import ConsentEvent, ConsentState, ConsentStatus, EventKind, Method
from steward.consent.services import (
    consent_give,
    notice_create,
    notice_version_draft,
    notice_version_publish,
)
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor
from steward.processing.selectors import purpose_get

SYSTEM = SystemActor("test")


@pytest.fixture
def analytics_consent(db):
    person = ContactFactory(given_name="Ida", email="ida.idunsdottir@example.org")
    purpose = purpose_get("website-analytics")
    notice = notice_create(actor=SYSTEM, key="cookies-test", title="Cookies", kind="consent_text")
    version = notice_version_draft(
        actor=SYSTEM, notice=notice, text="Analytics cookies.", statements={purpose: "Analytics."}
    )
    notice_version_publish(actor=SYSTEM, version=version)
    consent_give(
        actor=SYSTEM, contact=person, purpose=purpose, notice_version=version,
        method=Method.COOKIE_BANNER, channel="web",
    )  # fmt: skip
    return person, purpose


def test_a_person_withdraws_a_consent_from_the_portal_with_one_click(
    client, smtp_server, analytics_consent, django_capture_on_commit_callbacks
):
    person, purpose = analytics_consent

    # The mail leaves after commit: the callbacks run as the commit would run them.
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("portal:consents"), {"email": "IDA.idunsdottir@example.org"})
    assert asked.status_code == 200
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["ida.idunsdottir@example.org"]
    url = re.search(r"https?://\S+/preferences/\S+", mail.text()).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert purpose.name in page.content.decode()

    client.post("/" + path, {"withdraw_purpose": purpose.key})

    state = ConsentState.objects.get(contact=person, purpose=purpose)
    assert state.status == ConsentStatus.WITHDRAWN
    event = ConsentEvent.objects.filter(contact=person).order_by("-seq").first()
    assert (event.kind, event.method) == (EventKind.WITHDRAWN, Method.PORTAL)
    assert event.evidence["page"] == "preference centre"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client, smtp_server, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("portal:consents"), {"email": "nobody.here@example.org"})

    assert answer.status_code == 200
    assert "If we hold data about the address" in answer.content.decode()
    assert smtp_server.messages == []


def test_withdrawing_a_consent_never_given_changes_nothing(client, analytics_consent):
    from steward.email import links

    person, purpose = analytics_consent
    path = links.preferences_url(person.pk).split("://", 1)[1].split("/", 1)[1]
    before = ConsentEvent.objects.count()

    response = client.post("/" + path, {"withdraw_purpose": "direct-marketing"})

    assert response.status_code == 422
    assert ConsentEvent.objects.count() == before
