"""`steward verify-ledger` over the audit trail and the consent ledger: each kind of tampering
done with raw SQL behind the application's back is caught and named."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steward.audit.ledger import ledger_checkpoints_sign
from steward.audit.models import ChainCheckpoint
from steward.audit.tests.conftest import CHAINS, tamper
from steward.core.actor import SystemActor
from steward.core.chain import entry_hash

pytestmark = pytest.mark.django_db

ACTOR = SystemActor("test")


def verify_ledger() -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("verify_ledger", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


@pytest.fixture(params=sorted(CHAINS))
def chained(request):
    """A chain of five events with a signed checkpoint at its head; (table, write more)."""
    table, write, column, other_value = CHAINS[request.param]
    write(5)
    ledger_checkpoints_sign(actor=ACTOR)
    return table, write, column, other_value


def test_an_untouched_ledger_verifies_with_a_line_per_chain(chained):
    table, *_ = chained

    output, error = verify_ledger()

    assert error is None
    line = next(line for line in output.splitlines() if line.startswith(f"{table}:"))
    assert "5 rows, head 5 " in line and "1 checkpoints, ok" in line
    assert "audit_auditevent:" in output and "consent_consentevent:" in output


def test_an_edited_event_is_named_with_its_table_and_seq(chained):
    table, _, column, other_value = chained
    tamper(table, f"UPDATE {table} SET {column} = {other_value} WHERE seq = 3")

    output, error = verify_ledger()

    assert error is not None and error.returncode == 1
    assert str(error) == f"{table} at seq 3: row 3 was changed after it was written"
    assert f"{table}: 2 rows" in output and "BROKEN" in output


def test_a_deleted_event_leaves_a_gap_that_is_named(chained):
    table, *_ = chained
    tamper(table, f"DELETE FROM {table} WHERE seq = 2")

    _, error = verify_ledger()

    assert error is not None
    assert str(error) == f"{table} at seq 2: row 2 is missing (found 3 next)"


def test_two_events_swapped_are_caught_as_a_broken_link(chained):
    table, *_ = chained
    tamper(table, f"UPDATE {table} SET seq = -1 WHERE seq = 2")
    tamper(table, f"UPDATE {table} SET seq = 2 WHERE seq = 3")
    tamper(table, f"UPDATE {table} SET seq = 3 WHERE seq = -1")

    _, error = verify_ledger()

    assert error is not None
    assert str(error) == f"{table} at seq 2: row 2 does not link to row 1"


def test_a_cut_off_tail_is_caught_by_the_signed_checkpoint(chained):
    table, *_ = chained
    tamper(table, f"DELETE FROM {table} WHERE seq >= 4")

    _, error = verify_ledger()

    assert error is not None
    assert str(error) == (
        f"{table} at seq 4: row 4 is missing: the chain ends at row 3, but a signed "
        "checkpoint covers row 5 (the tail was cut off)"
    )


def test_a_chain_rewritten_with_fresh_hashes_is_caught_by_the_checkpoint(chained):
    # Given someone who knows the hashing scheme edits row 4 and recomputes every hash after it
    table, _, column, other_value = chained
    tamper(table, f"UPDATE {table} SET {column} = {other_value} WHERE seq = 4")
    from steward.core.chain import chained_models

    model = next(m for m in chained_models() if m._meta.db_table == table)
    prev = model._base_manager.get(seq=3).entry_hash
    for row in model._base_manager.filter(seq__gte=4).order_by("seq"):
        digest = entry_hash(model.chain_prefix, row.seq, prev, row.chain_payload())
        tamper(
            table,
            f"UPDATE {table} SET prev_hash = %s, entry_hash = %s WHERE seq = %s",
            [prev, digest, row.seq],
        )
        prev = digest

    _, error = verify_ledger()

    assert error is not None
    assert str(error) == (
        f"{table} at seq 5: row 5 differs from its signed checkpoint: the chain was rewritten"
    )


def test_a_checkpoint_moved_back_to_hide_a_cut_is_caught_by_its_signature(chained):
    table, *_ = chained
    row3 = tamper_and_read_hash(table, 3)
    tamper(table, f"DELETE FROM {table} WHERE seq >= 4")
    tamper(
        "audit_chaincheckpoint",
        'UPDATE audit_chaincheckpoint SET seq = 3, head_hash = %s WHERE "table" = %s',
        [row3, table],
    )

    _, error = verify_ledger()

    assert error is not None
    assert str(error).startswith(f"{table}: the checkpoint of row 3 signed at ")
    assert str(error).endswith("does not match its signature: it was altered")


def tamper_and_read_hash(table: str, seq: int) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT entry_hash FROM {table} WHERE seq = %s", [seq])
        return cursor.fetchone()[0]


def test_events_appended_after_a_checkpoint_still_verify(chained):
    _, write, *_ = chained
    write(3)

    _, error = verify_ledger()

    assert error is None


def test_a_checkpoint_is_signed_only_for_chains_that_grew(chained):
    table, write, *_ = chained
    assert ledger_checkpoints_sign(actor=ACTOR) == []

    write(1)
    written = ledger_checkpoints_sign(actor=ACTOR)

    assert [(c.table, c.seq) for c in written] == [(table, 6)]
    assert ChainCheckpoint.objects.filter(table=table).count() == 2


def test_the_fast_and_the_ordinary_verifier_agree(chained):
    from steward.core.chain import _fast_plan, chained_models, verify

    table, _, column, other_value = chained
    model = next(m for m in chained_models() if m._meta.db_table == table)
    assert _fast_plan(model, connection_vendor()) is not None  # the fast path is taken
    assert verify(model) == verify(model, fast=False)
    assert verify(model).ok

    tamper(table, f"UPDATE {table} SET {column} = {other_value} WHERE seq = 4")

    assert verify(model) == verify(model, fast=False)
    assert verify(model).first_bad_seq == 4


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def test_fewer_than_one_worker_is_refused_before_anything_is_read(chained):
    table, *_ = chained
    tamper(table, f"DELETE FROM {table} WHERE seq = 2")

    with pytest.raises(CommandError, match="--workers must be 1 or more, not 0") as refused:
        call_command("verify_ledger", workers=0, stdout=io.StringIO())

    assert "missing" not in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_several_workers_name_the_first_bad_row_as_one_process_does():
    # Given a committed audit trail (other processes see it) edited at row 4 (the consent
    # ledger needs the purposes a transactional test flushes)
    table, write, column, other_value = CHAINS["audit"]
    write(5)
    tamper(table, f"UPDATE {table} SET {column} = {other_value} WHERE seq = 4")

    # When it is verified in three processes (PostgreSQL; SQLite's test database is in
    # memory, which only this process sees, so it is read here) and in one
    out = io.StringIO()
    with pytest.raises(CommandError) as in_three:
        call_command("verify_ledger", workers=3, stdout=out)
    with pytest.raises(CommandError) as in_one:
        call_command("verify_ledger", workers=1, stdout=io.StringIO())

    # Then both name row 4
    assert str(in_three.value) == str(in_one.value)
    assert str(in_three.value) == f"{table} at seq 4: row 4 was changed after it was written"
    assert f"{table}: 3 rows, head 3 " in out.getvalue()
