"""Signing in through the pages: the password, then the second factor or its enrolment."""

import re

import pyotp
import pytest
from django.urls import reverse

from steward.api.services import token_create
from steward.core.actor import SystemActor
from steward.staff import mfa
from steward.staff.forms import CODE_REFUSED
from steward.staff.middleware import MFA_STATE, MFA_VERIFIED
from steward.staff.roles import Role
from steward.staff.tests.factories import PASSWORD, UserFactory
from steward.staff.tests.mfa_helpers import app_for

pytestmark = pytest.mark.django_db


def _password(client, user, **extra):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD, **extra})


def _verified(client) -> bool:
    return client.session.get(MFA_STATE) == MFA_VERIFIED


def test_a_user_without_a_second_factor_whose_role_needs_none_goes_straight_in(client, owner):
    response = _password(client, owner)

    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_an_administrator_without_a_second_factor_is_sent_to_enrol_and_nowhere_else(client, admin):
    response = _password(client, admin)

    assert response.url.startswith(reverse("account_security"))
    for name in ("dashboard", "contacts:list", "staff:settings"):
        page = client.get(reverse(name))
        assert page.status_code == 302
        assert page.url.startswith(reverse("account_security"))
    assert client.post(reverse("contacts:create"), {"first_name": "X"}).status_code == 302
    security = client.get(reverse("account_security"))
    assert security.status_code == 200
    assert "signs in with a second factor" in security.content.decode()


def test_an_administrator_enrols_an_app_and_may_then_use_every_page(client, admin):
    _password(client, admin, next=reverse("deals:board"))

    page = client.get(reverse("account_totp_enrol") + "?next=" + reverse("deals:board"))
    html = page.content.decode()
    assert "<svg" in html
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert (
        not client.post(reverse("account_totp_enrol"), {"code": "000000"})
        .context["form"]
        .is_valid()
    )
    assert not mfa.has_second_factor(admin)

    done = client.post(
        reverse("account_totp_enrol"),
        {"code": pyotp.TOTP(secret).now(), "next": reverse("deals:board")},
    )

    assert done.status_code == 200
    assert len(done.context["codes"]) == mfa.RECOVERY_CODE_COUNT
    assert done["Cache-Control"] == "no-store"
    assert mfa.has_second_factor(admin)
    assert _verified(client)
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_user_with_an_app_gives_a_code_after_the_password(client, owner):
    totp = app_for(owner)

    response = _password(client, owner, next=reverse("deals:board"))

    assert response.url.startswith(reverse("login_verify"))
    assert client.get(reverse("dashboard")).url.startswith(reverse("login_verify"))
    verified = client.post(
        reverse("login_verify"), {"code": totp.now(), "next": reverse("deals:board")}
    )
    assert verified.url == reverse("deals:board")
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_replayed_code_is_refused_at_the_next_sign_in(client, admin):
    totp = app_for(admin)
    code = totp.now()
    _password(client, admin)
    assert client.post(reverse("login_verify"), {"code": code}).status_code == 302
    client.post(reverse("logout"))

    _password(client, admin)
    replay = client.post(reverse("login_verify"), {"code": code})

    assert replay.status_code == 200
    assert CODE_REFUSED in replay.content.decode()
    assert not _verified(client)
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_wrong_code_and_a_wrong_recovery_code_get_the_same_answer(client, admin):
    app_for(admin)
    _password(client, admin)

    answers = [
        client.post(reverse("login_verify"), {"code": code})
        for code in ("123456", "ABCD-EFGH-JKLM-NPQR", "nonsense")
    ]

    assert {r.status_code for r in answers} == {200}
    assert {r.context["error"] for r in answers} == {CODE_REFUSED}
    assert not _verified(client)


def test_a_recovery_code_signs_in_once(client, admin):
    app_for(admin)
    codes = mfa.recovery_codes_generate(actor=admin, user=admin)
    _password(client, admin)

    assert client.post(reverse("login_verify"), {"code": codes[3]}).status_code == 302
    client.post(reverse("logout"))
    _password(client, admin)

    assert client.post(reverse("login_verify"), {"code": codes[3]}).status_code == 200
    assert not _verified(client)


def test_second_factor_attempts_are_throttled_even_for_the_right_code(client, admin):
    totp = app_for(admin)
    _password(client, admin)
    for _ in range(5):
        client.post(reverse("login_verify"), {"code": "000000"})

    blocked = client.post(reverse("login_verify"), {"code": totp.now()})

    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert not _verified(client)
    assert mfa.totp_verify(user=admin, code=totp.now())  # the code was never spent


def test_the_session_key_changes_when_the_second_factor_is_given(client, owner):
    totp = app_for(owner)
    _password(client, owner)
    before = client.session.session_key

    client.post(reverse("login_verify"), {"code": totp.now()})

    assert client.session.session_key != before


def test_a_user_promoted_to_administrator_mid_session_must_enrol(client, owner):
    _password(client, owner)
    assert client.get(reverse("dashboard")).status_code == 200

    owner.role = Role.ADMINISTRATOR
    owner.save(update_fields=["role"])

    assert client.get(reverse("dashboard")).url.startswith(reverse("account_security"))


def test_configured_roles_must_enrol_too(client, owner, settings):
    settings.STEWARD_MFA_REQUIRED_ROLES = frozenset({"sales"})

    assert _password(client, owner).url.startswith(reverse("account_security"))


def test_the_verify_page_sends_a_signed_out_visitor_to_the_login_page(client):
    assert client.get(reverse("login_verify")).url == reverse("login")


def test_api_tokens_are_not_asked_for_a_second_factor(client, admin):
    _token, secret = token_create(actor=SystemActor("test"), user=admin, name="tests")

    response = client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200
    assert not mfa.has_second_factor(admin)


@pytest.mark.real_password_hashing
def test_an_old_pbkdf2_hash_is_upgraded_when_signing_in_through_the_page(client):
    from django.contrib.auth.hashers import make_password

    user = UserFactory(email="legacy.page@example.com")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    assert _password(client, user).status_code == 302

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert client.get(reverse("dashboard")).status_code == 200
