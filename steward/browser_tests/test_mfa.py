"""The second factor in a real Chromium: an administrator made to enrol an authenticator app
right after the password, signing in with its codes (a replayed code is refused), and a
security key through Chromium's virtual authenticator (DevTools WebAuthn domain)."""

import re
import time

import pyotp
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from steward.browser_tests.conftest import log_in
from steward.staff.models import WebAuthnCredential
from steward.staff.roles import Role
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

SHOTS = "/tmp/shots"


@pytest.fixture
def mfa_required(settings):
    settings.STEWARD_MFA_REQUIRED_ROLES = frozenset({Role.ADMINISTRATOR, Role.DPO})


@pytest.fixture
def administrator(transactional_db):
    return UserFactory(
        email="ada.browser@example.com", full_name="Ada Browser", role=Role.ADMINISTRATOR
    )


@pytest.fixture
def policy_violations(anonymous_page):
    """Console messages about the content security policy: there must be none."""
    seen: list[str] = []
    anonymous_page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def _url(name: str):
    return re.compile(re.escape(reverse(name)) + r"(\?.*)?$")


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(_url("login"))


def test_an_administrator_enrols_an_app_then_signs_in_with_a_code_that_works_once(
    anonymous_page, administrator, mfa_required, live_server, policy_violations
):
    page = anonymous_page
    log_in(page, administrator.email, PASSWORD)

    expect(page).to_have_url(_url("account_security"))
    expect(page.locator("#enrolment-required")).to_be_visible()
    page.goto(reverse("contacts:list"))
    expect(page).to_have_url(_url("account_security"))

    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.locator(".totp-qr svg")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/totp-enrolment.png", full_page=True)
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().replace(" ", ""))
    # The previous step's code confirms the app, so the current one is left for signing in.
    page.get_by_label("Code from the app").fill(totp.at(time.time() - 30))
    page.get_by_role("button", name="Confirm").click()

    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.screenshot(path=f"{SHOTS}/recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have kept them, continue").click()
    # Back to the page first asked for.
    expect(page).to_have_url(live_server.url + reverse("contacts:list"))
    _log_out(page)

    log_in(page, administrator.email, PASSWORD)
    expect(page).to_have_url(_url("login_verify"))
    page.screenshot(path=f"{SHOTS}/verify.png", full_page=True)
    code = totp.now()
    page.locator("#id_code").fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(live_server.url + reverse("dashboard"))
    _log_out(page)

    log_in(page, administrator.email, PASSWORD)
    page.locator("#id_code").fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    expect(page).to_have_url(_url("login_verify"))
    page.goto(reverse("dashboard"))
    expect(page).to_have_url(_url("login_verify"))

    assert policy_violations == []


@pytest.fixture
def virtual_authenticator(anonymous_page, live_server, settings):
    """Chromium's virtual authenticator: a security key that answers without a touch."""
    settings.STEWARD_WEBAUTHN_RP_ID = "localhost"
    settings.STEWARD_WEBAUTHN_ORIGIN = live_server.url
    anonymous_page.goto(reverse("login"))
    cdp = anonymous_page.context.new_cdp_session(anonymous_page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": False,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


def test_an_administrator_registers_a_security_key_and_signs_in_with_it(
    anonymous_page,
    administrator,
    mfa_required,
    virtual_authenticator,
    live_server,
    policy_violations,
):
    page = anonymous_page
    log_in(page, administrator.email, PASSWORD)
    expect(page).to_have_url(_url("account_security"))

    page.get_by_label("Name of the key").fill("Virtual key")
    page.get_by_role("button", name="Add a security key").click()

    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert WebAuthnCredential.objects.get(user=administrator).name == "Virtual key"
    page.get_by_role("link", name="I have kept them, continue").click()
    expect(page).to_have_url(live_server.url + reverse("dashboard"))
    _log_out(page)

    log_in(page, administrator.email, PASSWORD)
    expect(page).to_have_url(_url("login_verify"))
    page.get_by_role("button", name="Use your security key").click()

    expect(page).to_have_url(live_server.url + reverse("dashboard"))
    assert WebAuthnCredential.objects.get(user=administrator).sign_count >= 1
    assert policy_violations == []
