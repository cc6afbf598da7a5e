"""Session lifetime: idle and absolute timeouts, and every session of a user ending when
their password changes or their account is deactivated."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from steward.staff.middleware import LOGIN_AT, SEEN_AT
from steward.staff.services import staff_deactivate, staff_password_reset, staff_reactivate
from steward.staff.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _shift(client, **seconds_ago) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"login_at": LOGIN_AT, "seen_at": SEEN_AT}[key]] = now - ago
    session.save()


def test_a_session_idle_for_longer_than_the_limit_ends(owner, settings):
    settings.STEWARD_SESSION_IDLE_TIMEOUT = 1800
    client = _signed_in(owner)
    _shift(client, seen_at=1801)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_session_used_within_the_idle_limit_carries_on(owner):
    client = _signed_in(owner)
    _shift(client, seen_at=1700)

    assert client.get(reverse("dashboard")).status_code == 200
    assert time.time() - client.session[SEEN_AT] < 5


def test_a_busy_session_still_ends_at_the_absolute_limit(owner, settings):
    settings.STEWARD_SESSION_ABSOLUTE_TIMEOUT = 12 * 3600
    client = _signed_in(owner)
    _shift(client, login_at=12 * 3600 + 1, seen_at=10)

    response = client.get(reverse("dashboard"))

    assert response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_idle_clock_is_not_rewritten_on_every_request(owner):
    client = _signed_in(owner)
    _shift(client, seen_at=5)
    before = client.session[SEEN_AT]

    client.get(reverse("dashboard"))

    assert client.session[SEEN_AT] == before


def test_the_timeouts_come_from_the_environment_with_sensible_defaults():
    from django.conf import settings

    assert settings.STEWARD_SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.STEWARD_SESSION_ABSOLUTE_TIMEOUT == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == settings.STEWARD_SESSION_ABSOLUTE_TIMEOUT


def test_a_password_reset_ends_every_session_of_the_user(owner, admin):
    phone, laptop = _signed_in(owner), _signed_in(owner)

    staff_password_reset(actor=admin, user=owner)

    for client in (phone, laptop):
        assert client.get(reverse("dashboard")).url.startswith(reverse("login"))


def test_deactivation_ends_every_session_and_reactivation_does_not_revive_them(
    owner, colleague, admin
):
    phone, laptop = _signed_in(owner), _signed_in(owner)
    other = _signed_in(colleague)

    staff_deactivate(actor=admin, user=owner)
    staff_reactivate(actor=admin, user=owner)

    for client in (phone, laptop):
        assert client.get(reverse("dashboard")).url.startswith(reverse("login"))
    assert other.get(reverse("dashboard")).status_code == 200
    assert _signed_in(owner).get(reverse("dashboard")).status_code == 200
