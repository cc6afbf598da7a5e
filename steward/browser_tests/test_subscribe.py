"""Double opt-in in a real browser against a real SMTP server: a visitor signs up on the
page (also inside an iframe of the company's site), the confirmation mail arrives, the link
shows a confirm page, the click confirms and the ledger holds the consent; the link then
confirms nothing more. And the audience page a marketer sees before sending."""

import importlib
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.http import HttpResponse
from django.urls import include, path, reverse
from playwright.sync_api import expect

from steward.browser_tests.conftest import log_in
from steward.consent.models import ConsentEvent, Method
from steward.contacts.models import Contact
from steward.core.actor import SystemActor
from steward.email import services
from steward.email.models import Subscription, SubscriptionStatus, Topic
from steward.staff.roles import Role
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.urls(__name__)]

SHOTS = Path(os.environ.get("STEWARD_SHOTS", "/tmp/shots"))
LINK = re.compile(r"https?://\S+/email/confirm/\S+")

SITE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example Trading</title></head>
<body><h1>Example Trading</h1><p>Hear from us:</p>
<iframe title="Newsletter sign-up" src="/subscribe" width="560" height="560"></iframe>
</body></html>"""


def company_page(request):
    return HttpResponse(SITE_PAGE)


urlpatterns = [
    path("company-site/", company_page),
    path("", include("config.urls")),
]


def _seeded() -> None:
    # Transactional tests empty the tables after each test, seeds included: put the
    # register's purposes and the topics back as the migrations wrote them.
    if Topic.objects.exists():
        return
    for module in (
        "steward.processing.migrations.0003_seed_purposes",
        "steward.email.migrations.0002_seed_topics",
    ):
        importlib.import_module(module).seed(apps, None)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_visitor_signs_up_confirms_by_the_mailed_link_and_the_consent_is_recorded(
    anonymous_page, live_server, smtp_server
):
    # Given the sign-up page
    _seeded()
    page = anonymous_page
    page.goto(reverse("email:subscribe"))
    _shot(page, "subscribe.png")

    # When a visitor fills it in and subscribes to the newsletter
    page.get_by_label("Email address").fill("ines.falk@example.org")
    page.get_by_label("First name (optional)").fill("Ines")
    page.get_by_label("Newsletter", exact=True).check()
    page.get_by_role("button", name="Subscribe").click()

    # Then they are told to check their mailbox, and nothing is granted yet
    expect(page.get_by_role("heading", name="Check your mailbox")).to_be_visible()
    assert not Contact.objects.with_email("ines.falk@example.org").exists()
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["ines.falk@example.org"]
    link = LINK.search(mail.text()).group(0)

    # When they follow the link: a confirm page, and still nothing confirmed
    page.goto(_path(link))
    expect(page.get_by_role("heading", name="Confirm your subscription")).to_be_visible()
    _shot(page, "confirm.png")
    assert not ConsentEvent.objects.exists()
    page.get_by_role("button", name="Confirm").click()

    # Then the subscription is confirmed and the ledger holds the double opt-in
    expect(page.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
    _shot(page, "confirmed.png")
    contact = Contact.objects.with_email("ines.falk@example.org").get()
    subscription = Subscription.objects.get(contact=contact)
    assert subscription.topic.key == "newsletter"
    assert subscription.status == SubscriptionStatus.CONFIRMED
    [event] = ConsentEvent.objects.filter(contact=contact)
    assert event.method == Method.DOUBLE_OPT_IN
    assert "Chrome" in event.evidence["user_agent"]
    assert event.evidence["signup"]["form"] == "/subscribe"

    # And the same link again confirms nothing more
    page.goto(_path(link))
    expect(page.get_by_role("heading", name="This link was already used")).to_be_visible()
    _shot(page, "link-used.png")
    assert ConsentEvent.objects.count() == 1


def test_the_sign_up_works_inside_an_iframe_of_the_company_site(
    anonymous_page, live_server, smtp_server
):
    _seeded()
    page = anonymous_page
    page.goto("/company-site/")
    frame = page.frame_locator("iframe[title='Newsletter sign-up']")

    frame.get_by_label("Email address").fill("tom.berg@example.org")
    frame.get_by_label("Events", exact=True).check()
    frame.get_by_role("button", name="Subscribe").click()

    expect(frame.get_by_role("heading", name="Check your mailbox")).to_be_visible()
    _shot(page, "subscribe-iframe.png")
    assert smtp_server.wait_for(1)[0].rcpt_tos == ["tom.berg@example.org"]


def test_a_marketer_sees_the_audience_and_who_is_left_out_before_sending(
    anonymous_page, live_server
):
    _seeded()
    actor = SystemActor("browser-test")
    for n, email in enumerate(["a.one@example.org", "b.two@example.org", "c.three@example.org"]):
        signup = services.signup_request(email=email, topics=["newsletter"], evidence={})
        from steward.email import links

        token = links.confirm_token(signup_id=signup.pk, email=email, topics=signup.topics)
        contact = services.signup_confirm(token=token, evidence={}).contact
        if n == 2:
            services.preferences_update(contact=contact, wanted=[], evidence={})
    campaign = services.campaign_create(
        actor=actor,
        data={
            "name": "Spring newsletter",
            "subject": "Spring news for {{ given_name }}",
            "body_text": "Hello {{ given_name }},\n\nhere is what is new this spring.",
            "topic": Topic.objects.get(key="newsletter"),
        },
    )
    marketer = UserFactory(
        email="maya.marketing@example.com", full_name="Maya Marketing", role=Role.MARKETING
    )
    page = anonymous_page
    log_in(page, marketer.email, PASSWORD)
    page.wait_for_url(f"**{reverse('dashboard')}")

    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Spring newsletter").click()

    expect(page.locator("[data-audience]")).to_have_text("2")
    expect(page.get_by_role("table", name="People left out, by reason")).to_contain_text(
        "consent withdrawn"
    )
    expect(page.get_by_role("button", name="Send to 2 people")).to_be_enabled()
    _shot(page, "campaign-audience.png")
    assert campaign.status == "draft"
