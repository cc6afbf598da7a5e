"""Double opt-in: a sign-up grants nothing; only the signed, single-use, expiring link sent
to the address confirms, and it writes the consent events with their evidence."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from steward.consent.models import ConsentEvent, ConsentState, ConsentStatus, Method
from steward.contacts.models import Contact
from steward.email import links, services
from steward.email.models import SignUp, Subscription, SubscriptionStatus
from steward.email.tests.conftest import link_in, path_of

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"


def sign_up(client, capture, email="mia.reed@example.org", topics=("newsletter",)):
    with capture(execute=True):
        return client.post(
            reverse("email:subscribe"),
            {"email": email, "given_name": "Mia", "topics": list(topics)},
            HTTP_USER_AGENT=BROWSER,
        )


def test_a_sign_up_creates_no_contact_and_no_consent_but_mails_a_link(
    client, smtp_server, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert b"Check your mailbox" in response.content
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["mia.reed@example.org"]
    assert "/email/confirm/" in link_in(mail)
    assert not Contact.objects.with_email("mia.reed@example.org").exists()
    assert not ConsentEvent.objects.exists()
    signup = SignUp.objects.get()
    assert signup.topics == ["newsletter"] and signup.consumed_at is None
    assert signup.evidence["user_agent"] == BROWSER


def test_opening_the_link_shows_a_confirm_page_and_confirms_nothing(
    client, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    url = link_in(smtp_server.wait_for(1)[0])

    response = client.get(path_of(url))

    assert response.status_code == 200
    assert b"Confirm your subscription" in response.content
    assert not ConsentEvent.objects.exists()
    assert SignUp.objects.get().consumed_at is None


def test_confirming_records_the_consent_with_its_evidence_and_creates_the_contact(
    client, smtp_server, django_capture_on_commit_callbacks, newsletter
):
    sign_up(client, django_capture_on_commit_callbacks)
    url = link_in(smtp_server.wait_for(1)[0])

    response = client.post(path_of(url), HTTP_USER_AGENT="Phone mail app")

    assert response.status_code == 200
    assert b"Subscription confirmed" in response.content
    contact = Contact.objects.with_email("mia.reed@example.org").get()
    assert contact.given_name == "Mia"
    [event] = ConsentEvent.objects.filter(contact=contact)
    signup = SignUp.objects.get()
    assert event.purpose_id == newsletter.purpose_id
    assert event.method == Method.DOUBLE_OPT_IN
    assert event.evidence["token_id"] == str(signup.pk)
    assert event.evidence["user_agent"] == "Phone mail app"
    assert event.evidence["ip"] == "127.0.0.1"
    assert event.evidence["notice_version"] == str(event.notice_version_id)
    assert event.evidence["signup"]["user_agent"] == BROWSER
    assert "at" in event.evidence
    state = ConsentState.objects.get(contact=contact, purpose=newsletter.purpose)
    assert state.status == ConsentStatus.GIVEN
    subscription = Subscription.objects.get(contact=contact, topic=newsletter)
    assert subscription.status == SubscriptionStatus.CONFIRMED


def test_confirming_links_an_existing_contact_instead_of_creating_one(
    client, smtp_server, django_capture_on_commit_callbacks, owner
):
    from steward.contacts.tests.factories import ContactFactory

    existing = ContactFactory(email="mia.reed@example.org", owner=owner, team=owner.team)
    sign_up(client, django_capture_on_commit_callbacks)

    client.post(path_of(link_in(smtp_server.wait_for(1)[0])))

    assert Contact.objects.with_email("mia.reed@example.org").count() == 1
    assert ConsentEvent.objects.get().contact_id == existing.pk


def test_a_replayed_link_confirms_nothing_more(
    client, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    path = path_of(link_in(smtp_server.wait_for(1)[0]))
    client.post(path)
    events = ConsentEvent.objects.count()

    again = client.post(path)
    looked = client.get(path)

    assert again.status_code == 410 and looked.status_code == 410
    assert b"already used" in again.content
    assert ConsentEvent.objects.count() == events == 1


def _token_parts(path: str) -> str:
    return path.rsplit("/", 1)[1]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda claim: {**claim, "e": "someone.else@example.org"}, id="address"),
        pytest.param(lambda claim: {**claim, "k": ["events", "newsletter"]}, id="topics"),
    ],
)
def test_a_link_with_another_address_or_topic_list_fails_the_signature(
    client, smtp_server, django_capture_on_commit_callbacks, change
):
    sign_up(client, django_capture_on_commit_callbacks)
    token = _token_parts(path_of(link_in(smtp_server.wait_for(1)[0])))
    # The payload re-encoded with a change but the original signature kept: what someone
    # editing the link by hand produces.
    payload, _, rest = token.partition(":")
    original = signing.b64_decode(payload.lstrip(".").encode())
    import json
    import zlib

    claim = (
        json.loads(zlib.decompress(original)) if payload.startswith(".") else json.loads(original)
    )
    altered = signing.b64_encode(json.dumps(change(claim), separators=(",", ":")).encode()).decode()
    forged = f"{altered}:{rest}"

    response = client.post(reverse("email:confirm", args=[forged]))

    assert response.status_code == 400
    assert b"not valid" in response.content
    assert not ConsentEvent.objects.exists()
    assert not Contact.objects.exists()
    assert SignUp.objects.get().consumed_at is None


def test_a_link_signed_with_another_key_confirms_nothing(client, db):
    signup = SignUp.objects.create(
        email="mia.reed@example.org",
        topics=["newsletter"],
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    forged = signing.TimestampSigner(key="not-our-secret", salt="steward.email.confirm")
    token = forged.sign_object({"t": str(signup.pk), "e": signup.email, "k": signup.topics})

    response = client.post(reverse("email:confirm", args=[token]))

    assert response.status_code == 400
    assert not ConsentEvent.objects.exists()
    assert SignUp.objects.get().consumed_at is None


def test_an_expired_link_confirms_nothing(
    client, smtp_server, django_capture_on_commit_callbacks, settings
):
    sign_up(client, django_capture_on_commit_callbacks)
    path = path_of(link_in(smtp_server.wait_for(1)[0]))
    SignUp.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = client.post(path)

    assert response.status_code == 410
    assert b"expired" in response.content
    assert not ConsentEvent.objects.exists()
    assert not Contact.objects.exists()


def test_a_link_older_than_its_lifetime_fails_even_if_the_row_were_kept(
    client, smtp_server, django_capture_on_commit_callbacks, settings
):
    sign_up(client, django_capture_on_commit_callbacks)
    path = path_of(link_in(smtp_server.wait_for(1)[0]))
    settings.STEWARD_SIGNUP_TTL_HOURS = 0

    response = client.post(path)

    assert response.status_code == 410
    assert not ConsentEvent.objects.exists()


def test_signing_up_again_resends_the_link_but_not_within_a_minute(
    client, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)

    too_soon = sign_up(client, django_capture_on_commit_callbacks)

    assert too_soon.status_code == 429
    assert len(smtp_server.messages) == 1
    SignUp.objects.update(last_sent_at=timezone.now() - datetime.timedelta(minutes=2))
    later = sign_up(client, django_capture_on_commit_callbacks)
    assert later.status_code == 200
    assert len(smtp_server.wait_for(2)) == 2
    assert SignUp.objects.get().sends == 2


def test_resending_stops_after_the_allowed_number(
    client, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.STEWARD_SIGNUP_MAX_SENDS = 1
    sign_up(client, django_capture_on_commit_callbacks)
    SignUp.objects.update(last_sent_at=timezone.now() - datetime.timedelta(minutes=2))

    response = sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 429
    assert len(smtp_server.messages) == 1


def test_too_many_sign_ups_from_one_address_are_refused(
    client, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.STEWARD_SIGNUP_RATE_LIMIT = 2
    for n in range(2):
        sign_up(client, django_capture_on_commit_callbacks, email=f"p{n}@example.org")

    response = sign_up(client, django_capture_on_commit_callbacks, email="p9@example.org")

    assert response.status_code == 429
    assert not SignUp.objects.filter(email="p9@example.org").exists()


def test_an_unknown_topic_or_a_bad_address_is_refused_and_nothing_is_written(client):
    bad_topic = client.post(reverse("email:subscribe"), {"email": "a@example.org", "topics": ["x"]})
    bad_address = client.post(
        reverse("email:subscribe"), {"email": "not an address", "topics": ["newsletter"]}
    )

    assert bad_topic.status_code == 422 and bad_address.status_code == 422
    assert not SignUp.objects.exists()


def test_a_bot_filling_the_hidden_field_is_answered_but_nothing_is_recorded(client, smtp_server):
    response = client.post(
        reverse("email:subscribe"),
        {"email": "bot@example.org", "topics": ["newsletter"], "website": "http://spam"},
    )

    assert response.status_code == 200
    assert not SignUp.objects.exists()
    assert smtp_server.messages == []


def test_the_purge_deletes_expired_sign_ups_and_keeps_pending_ones(db):
    now = timezone.now()
    old = SignUp.objects.create(
        email="old@example.org", topics=["newsletter"], expires_at=now - datetime.timedelta(hours=1)
    )
    pending = SignUp.objects.create(
        email="new@example.org", topics=["newsletter"], expires_at=now + datetime.timedelta(hours=1)
    )

    assert services.signups_purge(now=now) == 1

    assert not SignUp.objects.filter(pk=old.pk).exists()
    assert SignUp.objects.filter(pk=pending.pk).exists()


def test_the_sign_up_page_may_be_framed_by_the_company_sites_only(client, settings):
    settings.STEWARD_SITE_ORIGINS = ["https://www.example.com"]

    response = client.get(reverse("email:subscribe"))
    confirm = client.get(reverse("email:confirm", args=["x"]))

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.example.com" in policy
    # Only the sign-up page: the confirmation keeps the site's refusal to be framed.
    assert confirm.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in confirm.headers["Content-Security-Policy"]


def test_the_api_sign_up_creates_only_a_pending_request_and_mails_the_link(
    client, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/subscriptions",
            {"email": "leo.hart@example.org", "topics": ["events"], "page": "https://x.example"},
            content_type="application/json",
        )

    assert response.status_code == 202
    assert smtp_server.wait_for(1)[0].rcpt_tos == ["leo.hart@example.org"]
    assert SignUp.objects.get().evidence["page"] == "https://x.example"
    assert not Contact.objects.exists()
    assert not ConsentEvent.objects.exists()


def test_the_api_refuses_an_unknown_topic_and_writes_nothing(client):
    response = client.post(
        "/api/v1/subscriptions",
        {"email": "leo.hart@example.org", "topics": ["nope"]},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert "topics" in response.json()["errors"]
    assert not SignUp.objects.exists()


def test_the_api_is_rate_limited_per_client_address(client, smtp_server, settings):
    settings.STEWARD_SIGNUP_RATE_LIMIT = 1
    body = {"email": "a1@example.org", "topics": ["events"]}
    client.post("/api/v1/subscriptions", body, content_type="application/json")

    response = client.post(
        "/api/v1/subscriptions",
        {**body, "email": "a2@example.org"},
        content_type="application/json",
    )

    assert response.status_code == 429
    assert not SignUp.objects.filter(email="a2@example.org").exists()


def test_the_confirmation_goes_through_the_default_mailer_not_the_marketing_one(
    client, settings, django_capture_on_commit_callbacks
):
    from steward.core.testing.smtp import SmtpServer

    transactional, marketing = SmtpServer().start(), SmtpServer().start()
    try:
        settings.MAILERS = {
            "default": transactional.mailer_settings(),
            "marketing": marketing.mailer_settings(),
        }
        sign_up(client, django_capture_on_commit_callbacks)
        assert len(transactional.wait_for(1)) == 1
        assert marketing.messages == []
    finally:
        transactional.stop()
        marketing.stop()


def test_an_address_on_the_erasure_suppression_list_is_not_recreated(db, monkeypatch):
    monkeypatch.setattr(services, "erasure_suppressed", lambda email: True)
    signup = services.signup_request(
        email="gone@example.org", topics=["newsletter"], evidence={"ip": "192.0.2.9"}
    )
    token = links.confirm_token(signup_id=signup.pk, email=signup.email, topics=signup.topics)

    with pytest.raises(links.LinkInvalid) as refused:
        services.signup_confirm(token=token, evidence={})

    assert refused.value.reason == "erased"
    assert signup.evidence["suppressed_after_erasure"] is True
    assert not Contact.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert SignUp.objects.get().consumed_at is None
