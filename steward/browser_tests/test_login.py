import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from steward.browser_tests.conftest import log_in
from steward.staff.tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_wrong_password_shows_an_error_and_stays_on_the_login_page(anonymous_page, staff_user):
    log_in(anonymous_page, staff_user.email, "not the password at all")

    expect(anonymous_page.get_by_role("alert")).to_contain_text("do not match")
    expect(anonymous_page).to_have_url(re.compile(re.escape(reverse("login")) + "$"))


def test_the_right_password_lands_on_the_dashboard(anonymous_page, staff_user, live_server):
    log_in(anonymous_page, staff_user.email, PASSWORD)

    expect(anonymous_page).to_have_url(live_server.url + reverse("dashboard"))
    expect(anonymous_page.get_by_role("heading", level=1)).to_be_visible()


def test_the_logged_in_page_fixture_is_on_the_dashboard(page, live_server):
    expect(page).to_have_url(live_server.url + reverse("dashboard"))


def test_no_page_breaks_the_content_security_policy(anonymous_page, live_server, transactional_db):
    # Every main page, a live search over htmx, the security page and the API docs, as an
    # administrator (who sees them all); Chromium reports each refused script or style.
    from steward.contacts.tests.factories import ContactFactory
    from steward.staff.roles import Role
    from steward.staff.tests.factories import UserFactory

    admin = UserFactory(email="cora.csp@example.com", full_name="Cora Csp", role=Role.ADMINISTRATOR)
    ContactFactory(given_name="Zelda", family_name="Quill", owner=admin)
    ContactFactory(given_name="Xavier", family_name="Brook", owner=admin)
    violations: list[str] = []
    anonymous_page.on(
        "console",
        lambda m: (
            violations.append(f"{anonymous_page.url}: {m.text}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    log_in(anonymous_page, admin.email, PASSWORD)
    expect(anonymous_page).to_have_url(live_server.url + reverse("dashboard"))

    for name in (
        "dashboard",
        "contacts:organisation_list",
        "deals:board",
        "imports:start",
        "inventory:data_map",
        "staff:settings",
        "account_security",
    ):
        anonymous_page.goto(reverse(name))
        expect(anonymous_page.get_by_role("heading", level=1).first).to_be_visible()
    anonymous_page.goto(reverse("contacts:list"))
    expect(anonymous_page.get_by_role("link", name=re.compile("Xavier"))).to_be_visible()
    anonymous_page.locator("#id_q").fill("Zelda")  # htmx searches as one types
    expect(anonymous_page.get_by_role("link", name=re.compile("Xavier"))).to_have_count(0)
    expect(anonymous_page.get_by_role("link", name=re.compile("Zelda"))).to_be_visible()
    anonymous_page.goto("/api/v1/docs")
    expect(anonymous_page.locator(".swagger-ui").first).to_be_visible()

    assert violations == []
