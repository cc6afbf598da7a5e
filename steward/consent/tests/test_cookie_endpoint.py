"""The public cookie-choice endpoint and the banner script the company's site includes."""

import json
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from steward.consent.models import (
    ConsentEvent,
    ConsentState,
    ConsentStatus,
    CookieChoice,
    EventKind,
    Method,
)
from steward.consent.selectors import cookie_link_token_for
from steward.consent.tests.factories import cookie_setup
from steward.contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

URL = "/consent/cookies/choice"
VISITOR = "3f0e8c52-5d4c-4a57-9a4e-2d1f0c6b7a11"
REJECT_ALL = {"necessary": True, "analytics": False, "marketing": False}


@pytest.fixture(autouse=True)
def setup():
    cache.clear()
    return cookie_setup()


def post(client, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data, content_type="text/plain;charset=UTF-8", headers=headers)


def nothing_written():
    return not ConsentEvent.objects.exists() and not CookieChoice.objects.exists()


def test_an_anonymous_visitor_rejects_all_and_each_refusal_is_in_the_ledger(client):
    response = post(
        client,
        {"visitor_id": VISITOR, "choices": REJECT_ALL, "page": "https://www.example.com/"},
        HTTP_USER_AGENT="Firefox",
    )

    assert response.status_code == 201, response.content
    assert response.json()["linked"] is False
    events = list(ConsentEvent.objects.order_by("seq"))
    assert [(e.purpose.key, e.kind) for e in events] == [
        ("website-analytics", EventKind.REFUSED),
        ("website-advertising", EventKind.REFUSED),
    ]
    assert {str(e.visitor_id) for e in events} == {VISITOR}
    assert {e.contact_id for e in events} == {None}
    assert events[0].method == Method.COOKIE_BANNER
    assert events[0].evidence["page"] == "https://www.example.com/"
    assert events[0].text_hash  # the banner statement the visitor saw
    choice = CookieChoice.objects.get()
    # Necessary cookies are kept in the choice, never as a consent event.
    assert choice.choices == REJECT_ALL
    assert choice.event_seqs == [e.seq for e in events]


def test_changing_the_choice_to_accept_analytics_gives_consent_for_it_alone(client):
    post(client, {"visitor_id": VISITOR, "choices": REJECT_ALL})

    response = post(client, {"visitor_id": VISITOR, "choices": {**REJECT_ALL, "analytics": True}})

    assert response.status_code == 201
    last = ConsentEvent.objects.order_by("-seq").first()
    assert (last.purpose.key, last.kind) == ("website-analytics", EventKind.GIVEN)
    assert last.expires_at is not None
    assert ConsentEvent.objects.count() == 3


def test_sending_the_same_choice_again_writes_no_new_consent_event(client):
    post(client, {"visitor_id": VISITOR, "choices": {**REJECT_ALL, "analytics": True}})

    post(client, {"visitor_id": VISITOR, "choices": {**REJECT_ALL, "analytics": True}})

    assert ConsentEvent.objects.count() == 2
    assert CookieChoice.objects.count() == 2


def test_invalid_json_is_refused_and_nothing_is_written(client):
    response = post(client, "{not json")

    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."
    assert nothing_written()


@pytest.mark.parametrize(
    "choices, field",
    [
        ({**REJECT_ALL, "tracking": True}, "choices.tracking"),
        ({"necessary": True, "analytics": False}, "choices.marketing"),
        ({**REJECT_ALL, "analytics": "yes"}, "choices.analytics"),
        ({**REJECT_ALL, "necessary": False}, "choices.necessary"),
    ],
)
def test_an_unknown_or_missing_category_is_refused_and_nothing_is_written(client, choices, field):
    response = post(client, {"visitor_id": VISITOR, "choices": choices})

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert nothing_written()


def test_a_visitor_id_that_is_not_a_uuid_is_refused(client):
    response = post(client, {"visitor_id": "visitor-1", "choices": REJECT_ALL})

    assert response.status_code == 422
    assert nothing_written()


def test_a_foreign_origin_is_refused_and_nothing_is_written(client, settings):
    settings.STEWARD_SITE_ORIGINS = ["https://www.example.com"]

    response = post(
        client, {"visitor_id": VISITOR, "choices": REJECT_ALL}, Origin="https://evil.example.org"
    )

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert nothing_written()


def test_the_companys_site_may_call_it_across_origins(client, settings):
    settings.STEWARD_SITE_ORIGINS = ["https://www.example.com"]

    preflight = client.options(URL, headers={"Origin": "https://www.example.com"})
    response = post(
        client, {"visitor_id": VISITOR, "choices": REJECT_ALL}, Origin="https://www.example.com"
    )

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert ConsentEvent.objects.get(seq=1).evidence["origin"] == "https://www.example.com"


def test_a_visitor_arriving_from_an_email_link_is_linked_to_the_contact(client):
    contact = ContactFactory()
    token = cookie_link_token_for(contact)

    response = post(
        client,
        {"visitor_id": VISITOR, "choices": {**REJECT_ALL, "analytics": True}, "link": token},
    )

    assert response.json()["linked"] is True
    given = ConsentEvent.objects.get(kind=EventKind.GIVEN)
    assert (given.contact_id, str(given.visitor_id)) == (contact.pk, VISITOR)
    assert "link_token_id" in given.evidence and token not in json.dumps(given.evidence)
    state = ConsentState.objects.get(contact=contact, purpose__key="website-analytics")
    assert state.status == ConsentStatus.GIVEN

    # And a later change from the same browser, without the token, is still theirs
    post(client, {"visitor_id": VISITOR, "choices": REJECT_ALL})

    state.refresh_from_db()
    assert state.status == ConsentStatus.WITHDRAWN


def test_a_forged_link_token_records_the_choice_anonymously(client):
    contact = ContactFactory()
    forged = cookie_link_token_for(contact)[:-2] + "xx"

    response = post(client, {"visitor_id": VISITOR, "choices": REJECT_ALL, "link": forged})

    assert response.json()["linked"] is False
    assert not ConsentEvent.objects.filter(contact_id=contact.pk).exists()


def test_too_many_choices_from_one_address_are_refused(client, settings):
    settings.STEWARD_COOKIE_RATE_LIMIT = 2
    for _ in range(2):
        post(client, {"visitor_id": str(uuid.uuid4()), "choices": REJECT_ALL})
    before = (ConsentEvent.objects.count(), CookieChoice.objects.count())

    response = post(client, {"visitor_id": str(uuid.uuid4()), "choices": REJECT_ALL})

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert (ConsentEvent.objects.count(), CookieChoice.objects.count()) == before


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405


def test_the_script_carries_its_endpoint_and_the_categories(client):
    response = client.get(reverse("consent:cookie_script"))

    script = response.content.decode()
    assert response["Content-Type"].startswith("text/javascript")
    assert "http://testserver/consent/cookies/choice" in script
    assert "Count my visits so the site can be improved." in script
    assert '"reaskDays": 403' in script
    assert "Reject all" in script and "Accept all" in script
