"""Security keys (WebAuthn) through the pages' JSON endpoints, answered by a software
authenticator holding a real P-256 key."""

import json

import pytest
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.staff import mfa
from steward.staff.middleware import MFA_STATE, MFA_VERIFIED
from steward.staff.models import WebAuthnCredential
from steward.staff.tests.factories import PASSWORD
from steward.staff.tests.soft_authenticator import SoftAuthenticator

pytestmark = pytest.mark.django_db

ORIGIN = "https://crm.example.com"


@pytest.fixture(autouse=True)
def _relying_party(settings):
    settings.STEWARD_WEBAUTHN_RP_ID = "crm.example.com"
    settings.STEWARD_WEBAUTHN_ORIGIN = ORIGIN


@pytest.fixture
def key():
    return SoftAuthenticator(rp_id="crm.example.com", origin=ORIGIN)


def _post_json(client, name, body=None, query=""):
    return client.post(
        reverse(name) + query, data=json.dumps(body or {}), content_type="application/json"
    )


def _password(client, user):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})


def _register(client, key, name="Blue key"):
    options = _post_json(client, "account_webauthn_options").json()
    return _post_json(
        client, "account_webauthn_register", {"name": name, "credential": key.register(options)}
    )


def test_an_administrator_made_to_enrol_can_register_a_security_key(client, admin, key):
    _password(client, admin)

    response = _register(client, key)

    assert response.status_code == 200
    assert response.json()["recovery_codes"] is True
    stored = WebAuthnCredential.objects.get(user=admin)
    assert stored.name == "Blue key" and bytes(stored.credential_id) == key.credential_id
    assert client.session[MFA_STATE] == MFA_VERIFIED
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="staff.mfa_webauthn_added", object_id=str(admin.pk))


def test_a_registration_answered_for_another_origin_is_refused(client, admin, key):
    _password(client, admin)
    options = _post_json(client, "account_webauthn_options").json()

    response = _post_json(
        client,
        "account_webauthn_register",
        {"credential": key.register(options, origin="https://evil.example.org")},
    )

    assert response.status_code == 400
    assert not WebAuthnCredential.objects.exists()


def test_a_registration_challenge_works_once(client, admin, key):
    _password(client, admin)
    options = _post_json(client, "account_webauthn_options").json()
    answer = key.register(options)
    assert (
        _post_json(client, "account_webauthn_register", {"credential": answer}).status_code == 200
    )

    again = _post_json(client, "account_webauthn_register", {"credential": answer})

    assert again.status_code == 400
    assert WebAuthnCredential.objects.count() == 1


def test_signing_in_with_the_security_key(client, admin, key):
    _password(client, admin)
    _register(client, key)
    client.post(reverse("logout"))

    assert _password(client, admin).url.startswith(reverse("login_verify"))
    options = _post_json(client, "login_webauthn_options").json()
    response = _post_json(
        client, "login_webauthn_verify", key.authenticate(options), query="?next=/deals/"
    )

    assert response.status_code == 200
    assert response.json() == {"next": "/deals/"}
    assert client.session[MFA_STATE] == MFA_VERIFIED
    assert WebAuthnCredential.objects.get().sign_count == 1


def test_a_replayed_assertion_is_refused(client, admin, key):
    _password(client, admin)
    _register(client, key)
    client.post(reverse("logout"))
    _password(client, admin)
    options = _post_json(client, "login_webauthn_options").json()
    answer = key.authenticate(options)
    assert _post_json(client, "login_webauthn_verify", answer).status_code == 200
    client.post(reverse("logout"))

    _password(client, admin)
    _post_json(client, "login_webauthn_options")
    replay = _post_json(client, "login_webauthn_verify", answer)

    assert replay.status_code == 400
    assert client.session.get(MFA_STATE) != MFA_VERIFIED


def test_a_cloned_key_with_a_stale_counter_is_refused(admin, key):
    options, challenge = mfa.webauthn_registration_options(user=admin)
    mfa.webauthn_register(
        actor=admin,
        user=admin,
        name="Key",
        credential=key.register(json.loads(options)),
        challenge=challenge,
    )
    first_options, first_challenge = mfa.webauthn_authentication_options(user=admin)
    assert mfa.webauthn_authenticate(
        user=admin,
        credential=key.authenticate(json.loads(first_options)),
        challenge=first_challenge,
    )

    key.sign_count = 0  # a copy of the key that has not seen the first use
    options, challenge = mfa.webauthn_authentication_options(user=admin)

    assert not mfa.webauthn_authenticate(
        user=admin, credential=key.authenticate(json.loads(options)), challenge=challenge
    )
    assert WebAuthnCredential.objects.get().sign_count == 1


def test_someone_elses_key_does_not_sign_this_user_in(client, admin, owner, key):
    options, challenge = mfa.webauthn_registration_options(user=owner)
    mfa.webauthn_register(
        actor=owner,
        user=owner,
        name="Hers",
        credential=key.register(json.loads(options)),
        challenge=challenge,
    )
    other = SoftAuthenticator(rp_id="crm.example.com", origin=ORIGIN)
    options, challenge = mfa.webauthn_registration_options(user=admin)
    mfa.webauthn_register(
        actor=admin,
        user=admin,
        name="His",
        credential=other.register(json.loads(options)),
        challenge=challenge,
    )
    options, challenge = mfa.webauthn_authentication_options(user=admin)

    assert not mfa.webauthn_authenticate(
        user=admin, credential=key.authenticate(json.loads(options)), challenge=challenge
    )


def test_a_security_key_attempt_without_a_pending_sign_in_is_refused(client, owner, key):
    client.force_login(owner)

    assert _post_json(client, "login_webauthn_options").status_code == 400
