import getpass
import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steward.audit.models import AuditEvent
from steward.staff.models import User
from steward.staff.roles import Role

GOOD_PASSWORD = "lantern-orchard-velvet-42"


@pytest.fixture
def piped(monkeypatch):
    """Standard input as a pipe carrying `text`."""

    def pipe(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return pipe


@pytest.fixture
def terminal(monkeypatch):
    """Standard input as a terminal where the user types `answers` at the prompts."""

    def typing(*answers: str) -> None:
        stdin = io.StringIO("")
        stdin.isatty = lambda: True
        monkeypatch.setattr(sys, "stdin", stdin)
        replies = iter(answers)
        monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(replies))

    return typing


def test_it_creates_staff_with_the_password_piped_on_stdin(db, piped, capsys):
    piped(GOOD_PASSWORD + "\n")

    call_command("createstaff", "--email", "Nora.Quist@Example.com", "--role", "sales")

    user = User.objects.get()
    assert user.email == "nora.quist@example.com"
    assert user.role == Role.SALES
    assert user.check_password(GOOD_PASSWORD)
    assert GOOD_PASSWORD not in capsys.readouterr().out


def test_it_asks_twice_on_a_terminal(db, terminal):
    terminal(GOOD_PASSWORD, GOOD_PASSWORD)

    call_command("createstaff", "--email", "ivo.brenner@example.com", "--role", "dpo")

    assert User.objects.get().check_password(GOOD_PASSWORD)


def test_it_refuses_passwords_typed_differently(db, terminal):
    terminal(GOOD_PASSWORD, GOOD_PASSWORD + "x")

    with pytest.raises(CommandError, match="do not match"):
        call_command("createstaff", "--email", "ivo.brenner@example.com", "--role", "dpo")

    assert not User.objects.exists()


def test_it_generates_a_password_and_prints_it_once(db, capsys):
    call_command(
        "createstaff", "--email", "ada.lind@example.com", "--role", "administrator",
        "--name", "Ada Lind", "--generate-password",
    )  # fmt: skip

    out = capsys.readouterr().out
    printed = out.split("store it now): ")[1].strip()
    user = User.objects.get()
    assert user.full_name == "Ada Lind"
    assert user.check_password(printed)
    assert out.count(printed) == 1


def test_it_puts_the_account_in_an_existing_team(team, piped):
    piped(GOOD_PASSWORD)

    call_command(
        "createstaff", "--email", "kai.moss@example.com", "--role", "sales", "--team", "North"
    )

    assert User.objects.get(email="kai.moss@example.com").team == team


def test_it_records_who_created_the_account(db, piped):
    piped(GOOD_PASSWORD)

    call_command("createstaff", "--email", "kai.moss@example.com", "--role", "sales")

    event = AuditEvent.objects.get(action="staff.created")
    assert event.actor_label == "system:cli:createstaff"
    assert event.object_id == str(User.objects.get().pk)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--email", "kai.moss@example.com", "--role", "wizard"], "Unknown role 'wizard'"),
        (["--email", "not-an-address", "--role", "sales"], "Invalid email"),
        (["--email", "kai.moss@example.com", "--role", "sales", "--team", "Nowhere"], "No team"),
    ],
)
def test_it_rejects_bad_input_and_creates_nothing(db, piped, arguments, message):
    piped(GOOD_PASSWORD)

    with pytest.raises(CommandError, match=message):
        call_command("createstaff", *arguments)

    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_rejects_a_duplicate_email_and_leaves_the_existing_account_alone(owner, piped):
    piped(GOOD_PASSWORD)

    with pytest.raises(CommandError, match="already exists"):
        call_command("createstaff", "--email", owner.email.upper(), "--role", "administrator")

    owner.refresh_from_db()
    assert owner.role == Role.SALES
    assert User.objects.count() == 1


def test_it_rejects_a_weak_password(db, piped):
    piped("password\n")

    with pytest.raises(CommandError, match="too short|too common"):
        call_command("createstaff", "--email", "kai.moss@example.com", "--role", "sales")

    assert not User.objects.exists()


def test_it_rejects_an_empty_pipe(db, piped):
    piped("")

    with pytest.raises(CommandError, match="No password given"):
        call_command("createstaff", "--email", "kai.moss@example.com", "--role", "sales")

    assert not User.objects.exists()
