"""Browser tests: a real Chromium, driven by Playwright, against pytest-django's live server.

Chromium is Debian's package at /usr/bin/chromium (or STEWARD_CHROMIUM); Playwright never
downloads a browser here (`scripts/ensure-chromium` installs the package, `make test` runs
it). Without Chromium the tests are skipped on a developer's machine and fail under CI=true,
as the PostgreSQL run does.

Mark each browser test with @pytest.mark.browser (the PostgreSQL run deselects them)."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from steward.staff.tests.factories import PASSWORD, TeamFactory, UserFactory

CHROMIUM = Path(os.environ.get("STEWARD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"no Chromium at {CHROMIUM}; run scripts/ensure-chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # database access from a thread with a running loop (it assumes async code). These
    # tests are synchronous, so the guard does not apply; it stays off for the session
    # because the loop lives as long as the browser.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _no_second_factor_required(settings):
    # The browser tests of other pages sign in administrators and DPOs through the login form
    # with a password only; the second factor has its own browser tests (test_mfa.py), which
    # set STEWARD_MFA_REQUIRED_ROLES back.
    settings.STEWARD_MFA_REQUIRED_ROLES = frozenset()


@pytest.fixture
def anonymous_page(browser, live_server, transactional_db):
    """A fresh browser tab (own cookies) with no one logged in. Its `base_url` is the live
    server, so tests navigate with paths: page.goto(reverse("dashboard"))."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def staff_user(transactional_db):
    """A sales user in team North; logs in with factories.PASSWORD."""
    return UserFactory(
        email="lina.browser@example.com",
        full_name="Lina Browser",
        team=TeamFactory(name="North"),
    )


def log_in(page, email: str, password: str) -> None:
    """Logs in through the real login form, as a person would."""
    page.goto(reverse("login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def page(anonymous_page, staff_user):
    """A browser tab in which `staff_user` has logged in and landed on the dashboard."""
    log_in(anonymous_page, staff_user.email, PASSWORD)
    anonymous_page.wait_for_url(f"**{reverse('dashboard')}")
    return anonymous_page
