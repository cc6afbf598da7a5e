"""chain.verify() three ways: the reference (fast=False: chain_payload() per row, one process),
the fast one (raw columns spliced into the payload's template) and the parallel one (seq
ranges in forked processes). For every kind of tampering they must give the same report:
the same first bad row, the same words."""

import datetime
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import asdict
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from steward.audit.models import AuditEvent
from steward.audit.tests.conftest import audit_events, tamper
from steward.core import chain
from steward.core.chain import entry_hash

TABLE = AuditEvent._meta.db_table
ROWS, WORKERS = 40, 3  # three ranges: rows 1-13, 14-26 and 27-40


def changed(seq: int) -> Callable[[], None]:
    return lambda: tamper(TABLE, f"UPDATE {TABLE} SET action = 'contact.deleted' WHERE seq = {seq}")


def deleted(where: str) -> Callable[[], None]:
    return lambda: tamper(TABLE, f"DELETE FROM {TABLE} WHERE {where}")


def swapped(first: int, second: int) -> Callable[[], None]:
    def swap() -> None:
        tamper(TABLE, f"UPDATE {TABLE} SET seq = -1 WHERE seq = {first}")
        tamper(TABLE, f"UPDATE {TABLE} SET seq = {first} WHERE seq = {second}")
        tamper(TABLE, f"UPDATE {TABLE} SET seq = {second} WHERE seq = -1")

    return swap


def relinked(seq: int) -> Callable[[], None]:
    return lambda: tamper(TABLE, f"UPDATE {TABLE} SET prev_hash = '{'e' * 64}' WHERE seq = {seq}")


def rewritten_from(seq: int) -> Callable[[], None]:
    """Someone who knows the hashing scheme edits row `seq` and recomputes every hash after."""

    def rewrite() -> None:
        changed(seq)()
        prev = AuditEvent.objects.get(seq=seq - 1).entry_hash
        for row in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            digest = entry_hash(AuditEvent.chain_prefix, row.seq, prev, row.chain_payload())
            tamper(
                TABLE,
                f"UPDATE {TABLE} SET prev_hash = %s, entry_hash = %s WHERE seq = %s",
                [prev, digest, row.seq],
            )
            prev = digest

    return rewrite


# name: (tampering, the seqs with a signed checkpoint, the first bad seq and its problem)
SCENARIOS: dict[str, tuple[Callable[[], None], tuple[int, ...], int | None, str]] = {
    "untouched": (lambda: None, (13, 40), None, ""),
    "changed inside a range": (changed(20), (), 20, "row 20 was changed after it was written"),
    "changed, end of a range": (changed(13), (), 13, "row 13 was changed after it was written"),
    "changed, start of a range": (changed(27), (), 27, "row 27 was changed after it was written"),
    "deleted inside a range": (deleted("seq = 5"), (), 5, "row 5 is missing (found 6 next)"),
    "deleted, end of a range": (deleted("seq = 26"), (), 26, "row 26 is missing (found 27 next)"),
    "deleted, start of a range": (deleted("seq = 14"), (), 14, "row 14 is missing (found 15 next)"),
    "reordered": (swapped(30, 31), (), 30, "row 30 does not link to row 29"),
    "reordered across ranges": (swapped(13, 14), (), 13, "row 13 does not link to row 12"),
    "relinked, start of a range": (relinked(14), (), 14, "row 14 does not link to row 13"),
    # Without a checkpoint a cut tail cannot show: the chain verifies, 37 rows long.
    "tail cut, no checkpoint": (deleted("seq >= 38"), (), None, ""),
    "tail cut": (
        deleted("seq >= 35"), (20, 40), 35,
        "row 35 is missing: the chain ends at row 34, but a signed checkpoint covers row 40 "
        "(the tail was cut off)",
    ),
    "tail cut at a range": (
        deleted("seq >= 27"), (30,), 27,
        "row 27 is missing: the chain ends at row 26, but a signed checkpoint covers row 30 "
        "(the tail was cut off)",
    ),
    "rewritten from a row, checkpoint in the next range": (
        rewritten_from(10), (20, 40), 20,
        "row 20 differs from its signed checkpoint: the chain was rewritten",
    ),
    "rewritten from a row, checkpoint at the head": (
        rewritten_from(30), (40,), 40,
        "row 40 differs from its signed checkpoint: the chain was rewritten",
    ),
}  # fmt: skip

# Verifies each (database file, checkpoints) in a process of its own with its own SQLite
# file: pytest's SQLite test database lives in memory, where no other process can read it.
PARALLEL_ON_FILES = """
import json, sys
import django
django.setup()
from dataclasses import asdict
from zoneinfo import ZoneInfo
from django.db import connection
from steward.audit.models import AuditEvent
from steward.core import chain

reports = {}
for name, (path, checkpoints) in json.loads(sys.stdin.read()).items():
    connection.close()
    connection.settings_dict["NAME"] = path
    expected = {int(seq): digest for seq, digest in checkpoints.items()}
    reports[name] = asdict(chain.verify(AuditEvent, checkpoints=expected, workers=%d))
print(json.dumps(reports))
"""


@pytest.mark.django_db(transaction=True)
def test_fast_and_parallel_verification_name_the_same_row_as_the_reference(tmp_path):
    references, files = {}, {}
    for name, (tampering, signed, bad_seq, problem) in SCENARIOS.items():
        # Given a chain of 40 events with checkpoints of some rows, tampered with
        tamper(TABLE, f"DELETE FROM {TABLE}")
        audit_events(ROWS)
        hashes = dict(AuditEvent.objects.filter(seq__in=signed).values_list("seq", "entry_hash"))
        tampering()

        # When it is verified the reference way, the fast way and in three processes
        reference = chain.verify(AuditEvent, checkpoints=hashes, fast=False)
        fast = chain.verify(AuditEvent, checkpoints=hashes, workers=1)

        # Then the reference names the row that was tampered with, and the others agree
        assert (reference.first_bad_seq, reference.problem) == (bad_seq, problem), name
        assert reference.ok is (bad_seq is None)
        assert reference.rows == (bad_seq - 1 if bad_seq else AuditEvent.objects.count())
        assert fast == reference, name
        if connection.vendor == "postgresql":
            parallel = chain.verify(AuditEvent, checkpoints=hashes, workers=WORKERS)
            assert parallel.workers == WORKERS
            assert parallel == reference, name
        else:
            files[name] = (str(tmp_path / f"{len(files)}.sqlite3"), hashes)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [files[name][0]])
        references[name] = reference

    if files:
        verified = subprocess.run(
            [sys.executable, "-c", PARALLEL_ON_FILES % WORKERS],
            input=json.dumps(files),
            cwd=settings.BASE_DIR,
            env={
                **_environment(),
                "DATABASE_URL": f"sqlite:///{next(iter(files.values()))[0]}",
                "STEWARD_DATA_DIR": str(tmp_path),
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert verified.returncode == 0, verified.stderr
        reports = json.loads(verified.stdout)
        for name, reference in references.items():
            assert reports[name]["workers"] == WORKERS, name
            assert {**reports[name], "workers": 1} == asdict(reference), name


@pytest.mark.django_db
def test_a_chain_verified_inside_a_transaction_is_read_in_one_process():
    # Given rows that only this transaction's connection can see yet
    audit_events(6)

    # When verifying with several workers asked for
    report = chain.verify(AuditEvent, workers=WORKERS)

    # Then the rows are read where they are visible, and they verify
    assert report.workers == 1
    assert (report.ok, report.rows) == (True, 6)


def _environment() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


@pytest.mark.django_db
def test_raw_columns_hash_as_the_converted_values_do():
    # Given events at a whole second, at one microsecond and given in another time zone, by
    # a staff member (a UUID) and by the system (none)
    moments = [
        datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 1, 9, 30, 0, 1, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 1, 11, 30, 5, 250_000, tzinfo=ZoneInfo("Europe/Berlin")),
    ]
    chain.append(
        [
            AuditEvent(
                occurred_at=moment,
                actor_id=uuid.uuid4() if number % 2 else None,
                actor_label=f"staff-{number}@example.com",
                action="contact.touched",
                object_type="contacts.contact",
                object_id=str(number),
                changes={"note": ["Grüße", 'a "quoted" \\ line\n'], "n": number},
            )
            for number, moment in enumerate(moments)
        ]
    )

    # When the chain is verified from raw columns and from converted values
    fast, reference = chain.verify(AuditEvent), chain.verify(AuditEvent, fast=False)

    # Then both recompute the hashes the rows were written with
    assert reference.ok, reference.problem
    assert fast == reference
