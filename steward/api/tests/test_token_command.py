import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from steward.api.models import ApiToken
from steward.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_and_nothing_else_on_stdout(owner):
    out, err = _run("create", "--email", "Alice.Owner@example.com", "--name", "Backup script")

    token = out.strip()
    assert out.count("\n") == 1
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert ApiToken.objects.get().name == "Backup script"
    assert "shown only this once" in err


def test_create_is_audited_as_the_command(owner):
    _run("create", "--email", "alice.owner@example.com")

    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor_label == "system:cli:token"


def test_create_fails_clearly_for_an_unknown_email(db):
    with pytest.raises(CommandError, match="No staff account with the email nobody@example.com"):
        _run("create", "--email", "nobody@example.com")

    assert not ApiToken.objects.exists()


def test_create_fails_clearly_for_an_invalid_email(db):
    with pytest.raises(CommandError, match="not a valid email address"):
        _run("create", "--email", "not an address")


def test_create_refuses_an_expiry_in_the_past(owner):
    with pytest.raises(CommandError, match="at least 1"):
        _run("create", "--email", "alice.owner@example.com", "--expires-in-days", "0")

    assert not ApiToken.objects.exists()


def test_create_can_set_an_expiry(owner):
    _run("create", "--email", "alice.owner@example.com", "--expires-in-days", "30")

    assert ApiToken.objects.get().expires_at is not None


def test_revoke_by_prefix_makes_the_token_useless(owner):
    token = _run("create", "--email", "alice.owner@example.com")[0].strip()
    prefix = ApiToken.objects.get().prefix

    out, _ = _run("revoke", "--prefix", prefix)

    assert "is revoked" in out
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_revoke_fails_clearly_for_an_unknown_prefix(db):
    with pytest.raises(CommandError, match="No token with the prefix"):
        _run("revoke", "--prefix", "zzzzzzzz")


def test_list_shows_tokens_without_their_secrets(owner, colleague):
    mine = _run("create", "--email", "alice.owner@example.com", "--name", "Mine")[0].strip()
    _run("create", "--email", "bob.colleague@example.com", "--name", "Theirs")

    out, _ = _run("list", "--email", "alice.owner@example.com")

    assert "Mine" in out and "Theirs" not in out
    assert mine.rsplit("_", 1)[1] not in out
    assert "active" in out


def test_list_fails_clearly_for_an_unknown_email(db):
    with pytest.raises(CommandError, match="No staff account"):
        _run("list", "--email", "nobody@example.com")
