"""`ledger_verify` for `steward bench`: events per second verifying the audit trail's hash
chain (issue 6's goal: 1,000,000 events in at most 10 s), as `steward verify-ledger` does it
(seq ranges in one process per CPU) and in one process. Floor: reading the same rows in seq
order with raw sqlite3 and hashing each row's columns once, the least any verifier does, in
as many processes as the verifier used."""

import hashlib
import multiprocessing
import sqlite3
import uuid
from time import perf_counter

from django.db import connection, transaction

from steward.audit.events import audit_record_many
from steward.audit.models import AuditEvent
from steward.bench.registry import BenchContext, BenchResult, benchmark, ratio_of_rates
from steward.contacts.models import Contact
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
    INSERT per batch), with a mix of actions and changes as an import and edits would. One
    batch in five is of rectified names: their old and new values are sealed under each
    person's key (decision 0024), so those rows carry unique sealed JSON, as a trail of
    personal changes does."""
    actor = SystemActor("bench")
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        number = start // BATCH
        changes = {} if number % 2 else {"lifecycle_stage": ["lead", "customer"], "n": number}
        targets = [_Target(str(uuid.uuid4())) for _ in range(size)]
        if number % 5 == 4:
            # Unsaved contacts: only their ids and model matter to the trail.
            targets = [Contact(pk=uuid.uuid4()) for _ in range(size)]
            changes = {"family_name": ["Tamm", "Tammsaar"]}
        with transaction.atomic():
            audit_record_many(
                actor=actor,
                action=("contact.created", "contact.updated", "tag.added")[number % 3],
                targets=targets,
                changes=changes,
                context={"channel": "cli", "job": number},
            )


@benchmark("ledger_verify")
def ledger_verify(ctx: BenchContext) -> list[BenchResult]:
    """Events per second for chain.verify() over the whole audit trail: as verify-ledger
    runs it (one process per CPU for a long chain) and in one process."""
    count = ctx.size(GOAL_EVENTS, 100_000)
    fill_start = perf_counter()
    fill_audit_chain(count)
    filled = perf_counter() - fill_start
    # Workers as verify-ledger chooses them for a chain this long; the quick run's chain is
    # below the automatic threshold, so it asks for the same number explicitly.
    workers = chain.verify_workers(None, GOAL_EVENTS)
    results, lines = [], []
    for name, processes in (("ledger_verify", workers), ("ledger_verify_1proc", 1)):
        start = perf_counter()
        report = chain.verify(AuditEvent, workers=processes)
        elapsed = perf_counter() - start
        if not report.ok or report.rows < count:
            raise RuntimeError(f"The benchmark chain does not verify: {report.problem}")
        value = report.rows / elapsed
        floor = _raw_read_and_hash_rate(report.workers)
        per_million = GOAL_EVENTS / value
        goal = "met" if per_million <= GOAL_SECONDS else "NOT met"
        lines.append(
            f"  {name}: {report.rows:,} events verified in {elapsed:.2f}s by "
            f"{report.workers} process(es): {value:,.0f} events/s, {per_million:.1f}s per "
            f"million (goal {GOAL_SECONDS:.0f}s: {goal}); floor {floor:,.0f} rows/s "
            f"in {report.workers} process(es), {GOAL_EVENTS / floor:.1f}s per million"
        )
        results.append(BenchResult(name, value, "events/s", floor, ratio_of_rates(value, floor)))
    print(
        f"  written through the bulk audit path at {count / filled:,.0f} events/s\n"
        + "\n".join(lines)
    )
    return results


def _raw_read_and_hash_rate(processes: int) -> float:
    """Rows per second reading the audit table in seq order with raw sqlite3 and hashing
    each row once, split into `processes` seq ranges read at once (as verify() splits it)."""
    path = connection.settings_dict["NAME"]
    with sqlite3.connect(path) as database:
        end = database.execute("SELECT max(seq) FROM audit_auditevent").fetchone()[0] or 0
    bounds = [end * k // processes for k in range(processes + 1)]
    fork = multiprocessing.get_context("fork")
    start = perf_counter()
    children = [
        fork.Process(target=_raw_read_and_hash, args=(path, after, upto))
        for after, upto in zip(bounds[1:-1], bounds[2:], strict=True)
    ]
    for child in children:
        child.start()
    _raw_read_and_hash(path, bounds[0], bounds[1])
    for child in children:
        child.join()
    return end / (perf_counter() - start)


def _raw_read_and_hash(path: str, after: int, upto: int) -> None:
    database = sqlite3.connect(path)
    try:
        sha256 = hashlib.sha256
        query = "SELECT * FROM audit_auditevent WHERE seq > ? AND seq <= ? ORDER BY seq"
        for row in database.execute(query, (after, upto)):
            sha256("|".join(map(str, row)).encode()).hexdigest()
    finally:
        database.close()
