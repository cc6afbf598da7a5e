"""The privacy portal: public pages, the same answer for customers and strangers, single-use
verification links, the status page, Art. 12(6) answers, downloads, rate limits."""

import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from steward.contacts.tests.factories import ContactFactory
from steward.rights import links, services
from steward.rights.choices import RequestStatus
from steward.rights.models import InformationRequest, RequestEvent, RightsRequest
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory


@pytest.fixture
def smtp_server(smtp_server, transactional_db):
    return smtp_server


@pytest.fixture
def person(db):
    return ContactFactory(
        given_name="Jonas", family_name="Brightwater", email="jonas.brightwater@example.org"
    )


@pytest.fixture
def dpo(db):
    return UserFactory(email="dora.dpo@example.com", full_name="Dora Dpo", role=Role.DPO)


def _ask(client, email, kind="access", **extra):
    return client.post(
        reverse("portal:home"), {"kind": kind, "email": email, "name": "Jonas", **extra}
    )


def _link_in(mail) -> str:
    return re.search(r"http://\S+/privacy/verify/\S+/", mail.text()).group(0)


def test_the_portal_is_public_and_works_without_javascript(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    assert 'type="radio"' in html and 'name="email"' in html


def test_a_known_address_gets_a_request_recorded_and_a_single_use_link(client, person, smtp_server):
    response = _ask(client, "Jonas.Brightwater@example.org")
    assert response.status_code == 302 and response.url == reverse("portal:sent")
    request = RightsRequest.objects.get(contact=person)
    assert request.status == RequestStatus.IDENTITY_UNVERIFIED
    assert request.channel == "portal" and request.verification_nonce_hash
    mail = smtp_server.wait_for(1)[0]
    assert mail.rcpt_tos == [person.email]
    assert "/privacy/verify/" in mail.text()


def test_an_unknown_address_gets_the_same_answer_a_no_data_mail_and_nothing_is_recorded(
    client, person, smtp_server
):
    known = _ask(client, person.email)
    unknown = _ask(client, "nobody.here@example.org")
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert RightsRequest.objects.count() == 1
    mails = smtp_server.wait_for(2)
    stranger = next(m for m in mails if m.rcpt_tos == ["nobody.here@example.org"])
    assert "We hold no personal data" in stranger.text()
    assert "/privacy/verify/" not in stranger.text()


def test_following_the_link_asks_first_then_verifies_once(client, person, smtp_server):
    _ask(client, person.email)
    link = _link_in(smtp_server.wait_for(1)[0])
    path = link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in link else link
    page = client.get(path)
    assert page.status_code == 200 and b"Yes, this is my request" in page.content
    request = RightsRequest.objects.get()
    assert request.status == RequestStatus.IDENTITY_UNVERIFIED  # a GET changes nothing
    confirmed = client.post(path)
    assert confirmed.status_code == 302 and "/privacy/request/" in confirmed.url
    request.refresh_from_db()
    assert request.status == RequestStatus.VERIFIED and not request.verification_nonce_hash
    events = RequestEvent.objects.count()
    replay = client.post(path)
    assert replay.status_code == 400 and b"does not work" in replay.content
    assert RequestEvent.objects.count() == events


def test_a_forged_or_altered_link_verifies_nothing(client, person, db):
    request = services.request_submit(kind="access", email=person.email)
    token = links.verification_link_make(request.pk).token
    forged = signing.dumps(
        {"r": str(request.pk), "n": "guess"}, salt="steward.rights.verify", key="not-the-key"
    )
    for bad in (forged, token[:-2] + "xx", links.status_token_make(request.pk)):
        assert client.post(reverse("portal:verify", args=[bad])).status_code == 400
    request.refresh_from_db()
    assert request.status == RequestStatus.IDENTITY_UNVERIFIED


def test_a_link_superseded_by_a_newer_one_no_longer_verifies(client, person, dpo):
    request = services.request_submit(kind="access", email=person.email)
    old = links.verification_link_make(request.pk)  # never stored: like an older link
    assert client.post(reverse("portal:verify", args=[old.token])).status_code == 400
    request.refresh_from_db()
    assert request.status == RequestStatus.IDENTITY_UNVERIFIED


def test_an_expired_link_verifies_nothing(client, person, monkeypatch, settings):
    request = services.request_submit(kind="access", email=person.email)
    link = links.verification_link_make(request.pk)
    RightsRequest.objects.filter(pk=request.pk).update(verification_nonce_hash=link.nonce_hash)
    later = time.time() + settings.STEWARD_RIGHTS_VERIFY_LINK_HOURS * 3600 + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(reverse("portal:verify", args=[link.token]))
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == RequestStatus.IDENTITY_UNVERIFIED


def test_the_status_page_shows_the_request_and_takes_an_answer(client, person, dpo):
    request = services.request_submit(kind="access", email=person.email)
    request = services.request_verify(actor=dpo, request=request, method="Call")
    services.request_information_ask(actor=dpo, request=request, question="Your customer number?")
    url = reverse("portal:status", args=[links.status_token_make(request.pk)])
    page = client.get(url)
    assert page.status_code == 200
    assert request.reference.encode() in page.content and b"Your customer number?" in page.content
    assert page["Referrer-Policy"] == "same-origin"
    response = client.post(url, {"answer": "C-1042"})
    assert response.status_code == 302
    assert InformationRequest.objects.get().answer == "C-1042"


def test_a_status_link_of_another_request_cannot_be_forged(client, person):
    request = services.request_submit(kind="access", email=person.email)
    forged = signing.dumps({"r": str(request.pk)}, salt="steward.rights.status", key="guess")
    assert client.get(reverse("portal:status", args=[forged])).status_code == 400


def test_the_forms_are_rate_limited_per_address(client, person, settings, db):
    settings.STEWARD_PORTAL_RATE_LIMIT = 2
    assert _ask(client, person.email).status_code == 302
    assert _ask(client, person.email).status_code == 302
    refused = _ask(client, person.email)
    assert refused.status_code == 429
    assert RightsRequest.objects.count() == 2


def test_no_download_is_offered_before_completion(client, person):
    request = services.request_submit(kind="access", email=person.email)
    token = links.status_token_make(request.pk)
    response = client.post(reverse("portal:download_link", args=[token]), {"format": "json"})
    assert response.status_code == 400


def test_a_completed_access_request_downloads_through_a_short_lived_link(
    client, person, dpo, monkeypatch, settings
):
    pytest.importorskip(
        "steward.rights.access_export", reason="helper 'actions' has not landed access_export"
    )
    request = services.request_submit(kind="access", email=person.email)
    request = services.request_verify(actor=dpo, request=request, method="Call")
    request = services.request_move(actor=dpo, request=request, target="in_progress")
    services.request_complete(actor=dpo, request=request)
    status_token = links.status_token_make(request.pk)
    response = client.post(reverse("portal:download_link", args=[status_token]), {"format": "json"})
    assert response.status_code == 302
    download = client.get(response.url)
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('.json"')
    assert person.email.encode() in download.content
    assert request.events.filter(kind="export_downloaded").exists()
    later = time.time() + settings.STEWARD_RIGHTS_DOWNLOAD_LINK_MINUTES * 60 + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(response.url).status_code == 400


def test_an_objection_on_legitimate_interests_needs_grounds_and_records_nothing_without(
    client, person
):
    response = _ask(client, person.email, kind="objection", objection_ground="legitimate_interests")
    assert response.status_code == 200 and b"Give the grounds" in response.content
    assert RightsRequest.objects.count() == 0
    response = _ask(
        client,
        person.email,
        kind="objection",
        objection_ground="legitimate_interests",
        details="I moved; your calls reach my elderly mother.",
    )
    assert response.status_code == 302
    request = RightsRequest.objects.get()
    assert request.objection_ground == "legitimate_interests" and "elderly" in request.details
