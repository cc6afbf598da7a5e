"""Someone with database access edits, deletes or reorders ledger rows behind the
application's back (raw SQL, with any protective triggers switched off, as the owner of the
database could): the chain, and `steward verify-ledger` with it, names the first event that
no longer fits."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from steward.consent.models import Channel, ConsentEvent, Method
from steward.consent.services import consent_give, consent_withdraw
from steward.consent.tests.factories import published_version, purpose
from steward.contacts.tests.factories import ContactFactory
from steward.core import chain

pytestmark = pytest.mark.django_db

TABLE = ConsentEvent._meta.db_table


@pytest.fixture
def ledger(owner):
    """Five events: given, withdrawn, given again, and two more people's consents."""
    newsletter = purpose("newsletter-test")
    version = published_version({newsletter: "Monthly newsletter."})
    first, second, third = ContactFactory.create_batch(3)
    common = {"method": Method.PHONE, "channel": Channel.PHONE}
    consent_give(actor=owner, contact=first, purpose=newsletter, notice_version=version, **common)
    consent_withdraw(actor=owner, contact=first, purpose=newsletter, **common)
    consent_give(actor=owner, contact=first, purpose=newsletter, notice_version=version, **common)
    for contact in (second, third):
        consent_give(
            actor=owner, contact=contact, purpose=newsletter, notice_version=version, **common
        )
    assert chain.verify(ConsentEvent).ok
    return newsletter


def tamper(*statements: tuple[str, list]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Skips user triggers (those refusing UPDATE/DELETE on the ledger) for this
            # transaction, as a superuser could.
            cursor.execute("SET LOCAL session_replication_role = replica")
        for sql, params in statements:
            cursor.execute(sql.format(table=TABLE), params)


def command_refuses(seq: int) -> str:
    """`steward verify-ledger` exits non-zero naming the ledger and the first bad event."""
    with pytest.raises(CommandError) as refused:
        call_command("verify_ledger", stdout=io.StringIO())
    assert refused.value.returncode == 1
    assert f"{TABLE} at seq {seq}:" in str(refused.value)
    return str(refused.value)


def test_an_edited_event_is_caught_and_named(ledger):
    # When the withdrawal (seq 2) is turned into a consent
    tamper(("UPDATE {table} SET kind = %s WHERE seq = %s", ["given", 2]))

    report = chain.verify(ConsentEvent)

    assert (report.ok, report.first_bad_seq) == (False, 2)
    assert report.problem == "row 2 was changed after it was written"
    assert "changed after it was written" in command_refuses(2)


def test_edited_evidence_is_caught(ledger):
    tamper(("UPDATE {table} SET evidence = %s WHERE seq = %s", ['{"ip": "192.0.2.1"}', 4]))

    report = chain.verify(ConsentEvent)

    assert (report.ok, report.first_bad_seq) == (False, 4)
    command_refuses(4)


def test_an_edit_that_recomputes_the_rows_own_hash_breaks_the_next_link(ledger):
    # Given an attacker who edits row 2 and writes a matching hash for it
    row = ConsentEvent.objects.get(seq=2)
    row.kind = "given"
    forged = row.computed_hash()
    tamper(("UPDATE {table} SET kind = %s, entry_hash = %s WHERE seq = %s", ["given", forged, 2]))

    report = chain.verify(ConsentEvent)

    # Then row 3 no longer links to it
    assert (report.ok, report.first_bad_seq) == (False, 3)
    assert report.problem == "row 3 does not link to row 2"
    command_refuses(3)


def test_a_deleted_event_is_caught_and_named(ledger):
    tamper(("DELETE FROM {table} WHERE seq = %s", [2]))

    report = chain.verify(ConsentEvent)

    assert (report.ok, report.first_bad_seq) == (False, 2)
    assert report.problem == "row 2 is missing (found 3 next)"
    assert "missing" in command_refuses(2)


def test_reordered_events_are_caught_and_named(ledger):
    # When the withdrawal and the consent after it swap places
    tamper(
        ("UPDATE {table} SET seq = %s WHERE seq = %s", [-2, 2]),
        ("UPDATE {table} SET seq = %s WHERE seq = %s", [2, 3]),
        ("UPDATE {table} SET seq = %s WHERE seq = %s", [3, -2]),
    )

    report = chain.verify(ConsentEvent)

    assert (report.ok, report.first_bad_seq) == (False, 2)
    assert report.problem == "row 2 does not link to row 1"
    command_refuses(2)


def test_an_untouched_ledger_verifies(ledger):
    report = chain.verify(ConsentEvent)

    assert (report.ok, report.rows, report.head_seq) == (True, 5, 5)
    call_command("verify_ledger", stdout=io.StringIO())
