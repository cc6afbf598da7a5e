"""On PostgreSQL the chained tables (derived from the installed Chained models) and their
checkpoints refuse UPDATE and DELETE, whoever asks."""

import pytest
from django.db import DatabaseError, connection, transaction

from steward.audit.ledger import append_only_tables, ledger_checkpoints_sign
from steward.audit.tests.conftest import CHAINS
from steward.core.actor import SystemActor
from steward.core.chain import chained_models

pytestmark = pytest.mark.django_db


def test_every_installed_chained_model_is_append_only():
    tables = {model._meta.db_table for model in chained_models()}

    assert {"audit_auditevent", "consent_consentevent"} <= tables
    assert set(append_only_tables()) == tables | {"audit_chaincheckpoint"}


@pytest.mark.parametrize("statement", ["UPDATE {table} SET seq = seq", "DELETE FROM {table}"])
@pytest.mark.parametrize("name", sorted(CHAINS))
def test_a_chained_table_refuses_update_and_delete_on_postgresql(name, statement):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no such triggers; verify-ledger catches the change there")
    table, write, *_ = CHAINS[name]
    write(2)
    ledger_checkpoints_sign(actor=SystemActor("test"))

    for target in (table, "audit_chaincheckpoint"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement.format(table=target))

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), max(seq) FROM {table}")
        assert cursor.fetchone() == (2, 2)
