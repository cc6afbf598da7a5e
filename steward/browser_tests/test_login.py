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
