"""The preference centre (a signed link, no account) and RFC 8058 one-click unsubscribe:
each change is a consent event."""

import pytest
from django.urls import reverse

from steward.consent.models import ConsentEvent, ConsentState, ConsentStatus, EventKind, Method
from steward.email import links
from steward.email.models import Subscription, SubscriptionStatus

pytestmark = pytest.mark.django_db


def test_the_preference_centre_shows_the_persons_topics(client, subscribed):
    contact = subscribed("nora.lind@example.org", "newsletter", "events")

    response = client.get(links.preferences_url(contact.pk).split("8000", 1)[-1])

    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="newsletter" checked' in body
    assert 'value="events" checked' in body
    assert 'value="product-news" id=' in body


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_leaving_one_topic_withdraws_its_consent_only(client, subscribed, newsletter, events):
    contact = subscribed("nora.lind@example.org", "newsletter", "events")

    response = client.post(_path(links.preferences_url(contact.pk)), {"topics": ["events"]})

    assert response.status_code == 200
    withdrawn = ConsentEvent.objects.get(contact=contact, kind=EventKind.WITHDRAWN)
    assert withdrawn.purpose_id == newsletter.purpose_id
    assert withdrawn.method == Method.PREFERENCE_CENTRE
    assert ConsentState.objects.get(contact=contact, purpose=events.purpose).status == "given"
    states = Subscription.objects.filter(contact=contact)
    assert {s.topic.key: s.status for s in states} == {
        "newsletter": SubscriptionStatus.WITHDRAWN,
        "events": SubscriptionStatus.CONFIRMED,
    }


def test_adding_a_topic_gives_consent_through_the_preference_centre(client, subscribed):
    contact = subscribed("nora.lind@example.org", "newsletter")

    client.post(_path(links.preferences_url(contact.pk)), {"topics": ["newsletter", "events"]})

    given = ConsentEvent.objects.filter(contact=contact, method=Method.PREFERENCE_CENTRE).get()
    assert given.kind == EventKind.GIVEN
    assert given.purpose.key == "event-invitations"


def test_withdraw_all_withdraws_every_topic(client, subscribed):
    contact = subscribed("nora.lind@example.org", "newsletter", "product-news")

    client.post(_path(links.preferences_url(contact.pk)), {"withdraw_all": "1"})

    assert ConsentEvent.objects.filter(contact=contact, kind=EventKind.WITHDRAWN).count() == 2
    assert not ConsentState.objects.filter(contact=contact, status=ConsentStatus.GIVEN).exists()


def test_saving_without_a_change_writes_nothing(client, subscribed):
    contact = subscribed("nora.lind@example.org", "newsletter")
    before = ConsentEvent.objects.count()

    client.post(_path(links.preferences_url(contact.pk)), {"topics": ["newsletter"]})

    assert ConsentEvent.objects.count() == before


def test_a_forged_preference_link_shows_nothing_and_changes_nothing(client, subscribed):
    contact = subscribed("nora.lind@example.org", "newsletter")
    token = links.preferences_token(contact.pk)[:-2] + "xx"
    before = ConsentEvent.objects.count()

    shown = client.get(reverse("email:preferences", args=[token]))
    posted = client.post(reverse("email:preferences", args=[token]), {"withdraw_all": "1"})

    assert shown.status_code == posted.status_code == 400
    assert "nora.lind" not in shown.content.decode()
    assert ConsentEvent.objects.count() == before


def test_the_one_click_unsubscribe_post_withdraws_in_one_step(client, subscribed, newsletter):
    contact = subscribed("nora.lind@example.org", "newsletter")
    url = _path(links.unsubscribe_url(contact.pk, "newsletter"))

    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    event = ConsentEvent.objects.get(contact=contact, kind=EventKind.WITHDRAWN)
    assert event.purpose_id == newsletter.purpose_id
    assert event.evidence["via"] == "list-unsubscribe" and event.evidence["one_click"] is True
    subscription = Subscription.objects.get(contact=contact)
    assert subscription.status == SubscriptionStatus.WITHDRAWN


def test_opening_the_unsubscribe_link_changes_nothing(client, subscribed):
    contact = subscribed("nora.lind@example.org", "newsletter")

    response = client.get(_path(links.unsubscribe_url(contact.pk, "newsletter")))

    assert response.status_code == 200
    assert not ConsentEvent.objects.filter(kind=EventKind.WITHDRAWN).exists()


def test_a_second_unsubscribe_writes_no_second_event(client, subscribed):
    contact = subscribed("nora.lind@example.org", "newsletter")
    url = _path(links.unsubscribe_url(contact.pk, "newsletter"))
    client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert ConsentEvent.objects.filter(kind=EventKind.WITHDRAWN).count() == 1


def test_an_unsubscribe_link_for_another_topic_is_refused(client, subscribed):
    contact = subscribed("nora.lind@example.org", "newsletter")
    token = links.unsubscribe_token(contact.pk, "newsletter")
    value, _, signature = token.rpartition(":")
    forged = value.replace("newsletter", "events") + ":" + signature

    response = client.post(
        reverse("email:unsubscribe", args=[forged]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert not ConsentEvent.objects.filter(kind=EventKind.WITHDRAWN).exists()


def test_the_contact_page_lists_the_persons_subscriptions(client, admin, subscribed):
    contact = subscribed("nora.lind@example.org", "newsletter")
    client.force_login(admin)

    response = client.get(reverse("contacts:detail", args=[contact.pk]))

    assert response.status_code == 200
    assert 'data-topic="newsletter">Newsletter · Confirmed' in response.content.decode()
