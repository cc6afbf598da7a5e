import datetime

import pytest
from django.test import Client
from django.utils import timezone

from steward.api.models import ApiToken
from steward.api.selectors import token_authenticate
from steward.api.services import token_create, token_revoke
from steward.audit.models import AuditEvent
from steward.core.actor import SystemActor
from steward.core.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def _get_me(token: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_it_issues_a_token_shown_once_and_keeps_only_its_hash(owner):
    token, plaintext = token_create(actor=owner, user=owner, name="Zapier")

    assert plaintext.startswith(f"stw_{token.prefix}_")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    secret = plaintext.rsplit("_", 1)[1]
    assert not any(secret in str(value) for value in row.values())
    assert not any(
        secret in str(event.changes) for event in AuditEvent.objects.filter(object_id=token.pk)
    )
    assert len(row["secret_hash"]) == 64


def test_a_new_token_authenticates_as_its_user(owner):
    _token, plaintext = token_create(actor=owner, user=owner, name="Zapier")

    response = _get_me(plaintext)

    assert response.status_code == 200
    assert response.json()["email"] == "alice.owner@example.com"


def test_creating_and_revoking_a_token_are_audited(owner):
    token, _ = token_create(actor=owner, user=owner, name="Zapier")
    token_revoke(actor=owner, token=token)

    actions = list(
        AuditEvent.objects.filter(object_id=str(token.pk)).values_list("action", "actor")
    )
    assert actions == [("api_token.created", owner.pk), ("api_token.revoked", owner.pk)]


def test_it_rejects_a_revoked_token_with_401(owner):
    token, plaintext = token_create(actor=owner, user=owner, name="Zapier")
    token_revoke(actor=owner, token=token)

    response = _get_me(plaintext)

    assert response.status_code == 401
    assert response.json()["detail"] == "The API token is invalid, expired or revoked."
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_rejects_an_expired_token_with_401(owner):
    token, plaintext = token_create(
        actor=owner, user=owner, name="Zapier", expires_at=timezone.now() + datetime.timedelta(1)
    )
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert _get_me(plaintext).status_code == 401


def test_it_rejects_the_token_of_a_deactivated_user_with_401(owner):
    _token, plaintext = token_create(actor=owner, user=owner, name="Zapier")
    owner.is_active = False
    owner.save()

    assert _get_me(plaintext).status_code == 401


def test_it_rejects_a_token_whose_secret_is_wrong_even_with_a_known_prefix(owner):
    token, plaintext = token_create(actor=owner, user=owner, name="Zapier")
    forged = f"stw_{token.prefix}_{'a' * 40}"

    assert forged != plaintext
    assert _get_me(forged).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer stw_\x00\x00\x00\x00_" + "a" * 40,
        "Bearer " + "x" * 10_000,
        "Token stw_aaaaaaaa_" + "a" * 40,
    ],
)
def test_it_answers_401_with_the_error_shape_for_a_missing_or_malformed_header(db, header):
    headers = {"Authorization": header} if header else {}

    response = Client().get("/api/v1/contacts", headers=headers)

    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_it_records_the_last_use_at_most_once_a_minute(owner):
    token, plaintext = token_create(actor=owner, user=owner, name="Zapier")

    _get_me(plaintext)
    token.refresh_from_db()
    first_use = token.last_used_at
    _get_me(plaintext)
    token.refresh_from_db()

    assert first_use is not None
    assert token.last_used_at == first_use


def test_it_records_a_new_last_use_after_a_minute(owner):
    token, plaintext = token_create(actor=owner, user=owner, name="Zapier")
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=an_hour_ago)

    _get_me(plaintext)

    token.refresh_from_db()
    assert token.last_used_at > an_hour_ago


def test_authentication_does_not_write_on_every_request(owner, django_assert_num_queries):
    token, plaintext = token_create(actor=owner, user=owner, name="Zapier")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    # One read of the token with its user, no UPDATE.
    with django_assert_num_queries(1):
        assert token_authenticate(plaintext=plaintext) is not None


def test_a_user_may_not_create_a_token_for_someone_else(owner, colleague):
    with pytest.raises(PermissionDenied):
        token_create(actor=colleague, user=owner, name="Borrowed")

    assert not ApiToken.objects.exists()


def test_a_user_may_not_revoke_someone_elses_token(owner, colleague):
    token, _ = token_create(actor=owner, user=owner, name="Zapier")

    with pytest.raises(PermissionDenied):
        token_revoke(actor=colleague, token=token)

    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_administrator_may_create_a_token_for_another_user(owner, admin):
    token, _ = token_create(actor=admin, user=owner, name="Set up by IT")

    assert token.user == owner
    assert AuditEvent.objects.get(action="api_token.created").actor == admin


def test_it_refuses_a_token_without_a_name(owner):
    with pytest.raises(ValidationFailed) as error:
        token_create(actor=SystemActor("test"), user=owner, name="  ")

    assert "name" in error.value.field_errors
    assert not ApiToken.objects.exists()


def test_it_refuses_a_token_for_a_deactivated_user(owner):
    owner.is_active = False
    owner.save()

    with pytest.raises(ValidationFailed):
        token_create(actor=SystemActor("test"), user=owner, name="Zapier")

    assert not ApiToken.objects.exists()


def test_api_writes_name_the_token_in_the_audit_context(owner, api_as):
    api = api_as(owner)

    response = api.post("/organisations", {"name": "Example Trading Ltd"})

    event = AuditEvent.objects.get(action="organisation.created")
    token = ApiToken.objects.get(user=owner)
    assert response.status_code == 201
    assert event.actor == owner
    assert event.context["channel"] == "api"
    assert event.context["api_token"] == token.prefix
