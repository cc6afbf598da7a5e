"""The hash chain under the audit trail and the consent ledger: bulk linking equals linking
one by one, rollbacks leave no gap, and concurrent writers never fork the chain."""

import datetime
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from steward.audit.events import audit_record, audit_record_many
from steward.audit.models import AuditEvent
from steward.audit.tests.conftest import audit_events
from steward.core import chain
from steward.core.actor import SystemActor

ACTOR = SystemActor("test")


class Target:
    """Something audit_record_many can name: a label and a primary key."""

    class _meta:
        label_lower = "contacts.contact"

    def __init__(self, pk: str):
        self.pk = pk


def test_bulk_linking_gives_the_same_hashes_as_linking_each_payload():
    constant = {
        "occurred_at": datetime.datetime(2026, 3, 1, 9, 30, 5, 1234, tzinfo=datetime.UTC),
        "actor": 7,
        "action": "contact.created",
        "changes": {"name": ['Zoë "Z" Ødegård', None], "n": 1.5},
        "context": {"channel": "cli"},
    }
    rows = [("contacts.contact", "a1"), ("contacts.contact", 'quote " and \\ ünïcode')]

    bulk = chain.link_varying("audit", (4, "f" * 64), constant, ("object_type", "object_id"), rows)
    one_by_one = chain.link(
        "audit",
        (4, "f" * 64),
        [{**constant, "object_type": kind, "object_id": pk} for kind, pk in rows],
    )

    assert bulk == one_by_one
    assert [seq for seq, _, _ in bulk] == [5, 6]


def test_a_datetime_hashes_the_same_in_any_time_zone():
    moment = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    elsewhere = moment.astimezone(datetime.timezone(datetime.timedelta(hours=2)))

    assert chain.canonical_json({"at": moment}) == chain.canonical_json({"at": elsewhere})


@pytest.mark.django_db
def test_single_and_bulk_events_form_one_chain_that_verifies():
    audit_events(2)
    audit_record_many(actor=ACTOR, action="contact.created", targets=[Target("1"), Target("2")])
    audit_events(1)

    report = chain.verify(AuditEvent)

    assert report.ok, report.problem
    assert (report.rows, report.head_seq) == (5, 5)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_a_rolled_back_event_leaves_no_gap():
    audit_events(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_events(1)
        raise RuntimeError("the service failed after auditing")

    audit_events(1)

    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert chain.verify(AuditEvent).ok


@pytest.mark.django_db(transaction=True)
def test_appending_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        chain.lock_chain(AuditEvent)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgresql_neither_fork_nor_leave_gaps():
    if connection.vendor != "postgresql":
        pytest.skip("threads share one SQLite database file only through processes: see below")
    # Given eight writers released at once, each appending single and bulk events
    writers, rounds = 8, 6
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            barrier.wait()
            for round_ in range(rounds):
                with transaction.atomic():
                    audit_record(actor=ACTOR, action="w", object_id=f"{number}-{round_}")
                    audit_record_many(
                        actor=ACTOR,
                        action="w.bulk",
                        targets=[Target(f"{number}-{round_}-{i}") for i in range(3)],
                    )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every event is in one gapless chain that verifies
    assert errors == []
    total = writers * rounds * 4
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    report = chain.verify(AuditEvent)
    assert report.ok, report.problem
    assert report.rows == total


WRITER = """
import django
django.setup()
from django.db import transaction
from steward.audit.events import audit_record, audit_record_many
from steward.core.actor import SystemActor

class Target:
    class _meta:
        label_lower = "contacts.contact"
    def __init__(self, pk):
        self.pk = pk

actor = SystemActor("writer")
for round_ in range({rounds}):
    with transaction.atomic():
        audit_record(actor=actor, action="w", object_id=f"{{round_}}")
        audit_record_many(actor=actor, action="w.bulk", targets=[Target(str(i)) for i in range(3)])
"""


@pytest.mark.django_db(transaction=True)
def test_concurrent_processes_on_one_sqlite_file_neither_fork_nor_leave_gaps(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL race runs in threads above")
    # Given a database file with Steward's schema (a copy of the test database)
    database = tmp_path / "steward.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(database)])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "STEWARD_DATA_DIR": str(tmp_path),
    }
    writers, rounds = 4, 15

    # When four processes append to its audit trail at the same time
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER.format(rounds=rounds)],
            cwd=settings.BASE_DIR,
            env=env,
            stderr=subprocess.PIPE,
        )
        for _ in range(writers)
    ]
    failures = [p.stderr.read().decode() for p in processes if p.wait(timeout=300) != 0]

    # Then every event is in one gapless chain, and `steward verify-ledger` agrees
    assert failures == []
    total = writers * rounds * 4
    with sqlite3.connect(database) as raw:
        seqs = [row[0] for row in raw.execute("SELECT seq FROM audit_auditevent ORDER BY seq")]
    assert seqs == list(range(1, total + 1))
    verified = subprocess.run(
        # Other apps' system checks are not what this test is about.
        [sys.executable, "-m", "steward.cli", "verify-ledger", "--skip-checks"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verified.returncode == 0, verified.stderr
    assert f"audit_auditevent: {total} rows, head {total} " in verified.stdout
    assert Path(tmp_path / "ledger_signing.key").exists() is False  # verifying creates no key
