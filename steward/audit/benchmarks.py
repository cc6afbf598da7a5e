"""`ledger_verify` for `steward bench`: events per second verifying the audit trail's hash
chain (issue 6's goal: 1,000,000 events in at most 10 s). Floor: reading the same rows in seq
order with raw sqlite3 and hashing each row's columns once, the least any verifier does."""

import hashlib
import sqlite3
import uuid
from time import perf_counter

from django.db import connection, transaction

from steward.audit.events import audit_record_many
from steward.audit.models import AuditEvent
from steward.bench.registry import BenchContext, BenchResult, benchmark, ratio_of_rates
from steward.core import chain
from steward.core.actor import SystemActor

GOAL_EVENTS, GOAL_SECONDS = 1_000_000, 10.0
BATCH = 20_000


class _Target:
    """What audit_record_many names: a model label and a primary key."""

    class _meta:
        label_lower = "contacts.contact"

    __slots__ = ("pk",)

    def __init__(self, pk: str):
        self.pk = pk


def fill_audit_chain(count: int) -> None:
    """Appends `count` events through the real bulk path (hashed in Python, one prepared
    INSERT per batch), with a mix of actions and changes as an import and edits would."""
    actor = SystemActor("bench")
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        number = start // BATCH
        changes = {} if number % 2 else {"lifecycle_stage": ["lead", "customer"], "n": number}
        with transaction.atomic():
            audit_record_many(
                actor=actor,
                action=("contact.created", "contact.updated", "tag.added")[number % 3],
                targets=[_Target(str(uuid.uuid4())) for _ in range(size)],
                changes=changes,
                context={"channel": "cli", "job": number},
            )


@benchmark("ledger_verify")
def ledger_verify(ctx: BenchContext) -> list[BenchResult]:
    """Events per second for chain.verify() over the whole audit trail."""
    count = ctx.size(GOAL_EVENTS, 100_000)
    fill_start = perf_counter()
    fill_audit_chain(count)
    filled = perf_counter() - fill_start
    start = perf_counter()
    report = chain.verify(AuditEvent)
    elapsed = perf_counter() - start
    if not report.ok or report.rows < count:
        raise RuntimeError(f"The benchmark chain does not verify: {report.problem}")
    value = report.rows / elapsed
    floor = _raw_read_and_hash_rate()
    print(
        f"  ledger_verify: {report.rows:,} events verified in {elapsed:.2f}s "
        f"({GOAL_EVENTS / value:.1f}s per million; goal {GOAL_SECONDS:.0f}s); written through "
        f"the bulk audit path at {count / filled:,.0f} events/s; floor {floor:,.0f} rows/s"
    )
    return [BenchResult("ledger_verify", value, "events/s", floor, ratio_of_rates(value, floor))]


def _raw_read_and_hash_rate() -> float:
    database = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        start = perf_counter()
        rows = 0
        sha256 = hashlib.sha256
        for row in database.execute("SELECT * FROM audit_auditevent ORDER BY seq"):
            sha256("|".join(map(str, row)).encode()).hexdigest()
            rows += 1
        return rows / (perf_counter() - start)
    finally:
        database.close()
