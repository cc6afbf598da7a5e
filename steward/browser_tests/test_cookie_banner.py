"""The cookie banner on a page of "the company's site" (served here by the live server):
a visitor rejects everything, then changes their mind about analytics; the ledger holds
both choices."""

import pytest
from django.http import HttpResponse
from django.urls import include, path
from playwright.sync_api import expect

from steward.consent.models import ConsentEvent, CookieChoice, EventKind
from steward.consent.tests.factories import cookie_setup

pytestmark = [pytest.mark.browser, pytest.mark.urls(__name__)]

SITE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example Trading</title>
<script src="/consent/cookies.js" defer></script></head>
<body><h1>Welcome to Example Trading</h1><p>We sell invented things.</p></body></html>"""


def company_page(request):
    return HttpResponse(SITE_PAGE)


urlpatterns = [
    path("company-site/", company_page),
    path("", include("config.urls")),
]


def test_a_visitor_rejects_all_then_accepts_analytics_and_the_ledger_holds_both(
    anonymous_page, live_server
):
    # Given the company's page with Steward's banner script and a published banner text
    cookie_setup()
    page = anonymous_page
    page.goto("/company-site/")
    banner = page.get_by_role("region", name="Cookie choices")
    expect(banner).to_contain_text("Count my visits so the site can be improved.")

    # When the visitor rejects all
    banner.get_by_role("button", name="Reject all").click()

    # Then the banner closes, and the refusals are in the ledger for this browser's visitor id
    expect(banner).to_be_hidden()
    visitor_id = page.evaluate("window.StewardConsent.visitorId()")
    refused = ConsentEvent.objects.filter(visitor_id=visitor_id, kind=EventKind.REFUSED)
    assert {e.purpose.key for e in refused} == {"website-analytics", "website-advertising"}

    # When they reopen the settings after a reload, tick analytics and save
    page.reload()
    expect(page.get_by_role("region", name="Cookie choices")).to_be_hidden()
    page.get_by_role("button", name="Cookie settings").click()
    banner = page.get_by_role("region", name="Cookie choices")
    expect(banner.get_by_label("Necessary (always on)")).to_be_disabled()
    banner.get_by_label("Analytics").check()
    banner.get_by_role("button", name="Save choices").click()

    # Then the ledger holds the refusal and the later consent, in that order
    expect(banner).to_be_hidden()
    events = list(
        ConsentEvent.objects.filter(visitor_id=visitor_id, purpose__key="website-analytics")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert events == [EventKind.REFUSED, EventKind.GIVEN]
    assert page.evaluate("window.StewardConsent.choices()") == {
        "necessary": True,
        "analytics": True,
        "marketing": False,
    }
    assert CookieChoice.objects.filter(visitor_id=visitor_id).count() == 2
