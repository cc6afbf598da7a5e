"""Hash chains: append-only tables whose rows cannot be edited, deleted or reordered behind
the application's back without `steward verify-ledger` noticing.

Each row of a chained table carries its position `seq` (1, 2, 3, ... with no gap), the hash of
the row before it and its own hash:

    entry_hash = SHA-256(prefix | seq | prev_hash | canonical JSON of the row's payload)

The payload is what the model's `chain_payload()` returns: every column whose change would
matter. Appends are serialised per chain: on PostgreSQL by a transaction-scoped advisory lock,
on SQLite by the write lock every transaction takes at BEGIN (settings use
transaction_mode=IMMEDIATE), so two writers can never both extend the same head (no fork) and
`seq` is taken under the lock, never from a sequence that a rollback could leave with a hole.

A chain alone does not reveal that its tail was cut off; signed checkpoints (kept by the audit
app) cover that.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import connection, models, transaction

from steward.core.personal_data import not_personal

GENESIS = "0" * 64


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot put a {type(value).__name__} into a chained payload")


def canonical_json(payload: dict[str, Any]) -> bytes:
    """One byte string per payload: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode()


def entry_hash(prefix: str, seq: int, prev_hash: str, payload: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(f"{prefix}|{seq}|{prev_hash}|".encode())
    digest.update(canonical_json(payload))
    return digest.hexdigest()


class Chained(models.Model):
    """Abstract base of a chained table. Subclasses set `chain_prefix` (unique per table) and
    implement `chain_payload()`; rows are written only through `append()`."""

    chain_prefix: ClassVar[str] = ""

    seq = not_personal(models.BigIntegerField(unique=True, editable=False))
    prev_hash = not_personal(models.CharField(max_length=64, editable=False))
    entry_hash = not_personal(models.CharField(max_length=64, editable=False))

    class Meta:
        abstract = True

    def chain_payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def computed_hash(self) -> str:
        return entry_hash(self.chain_prefix, self.seq, self.prev_hash, self.chain_payload())


def lock_chain(model: type[Chained]) -> None:
    """Takes the chain's append lock until the end of the current transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("chain appends must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        key = zlib.crc32(model.chain_prefix.encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5743, key])
    # SQLite: BEGIN IMMEDIATE already holds the database's write lock.


def head(model: type[Chained]) -> tuple[int, str]:
    """(seq, entry_hash) of the last row; (0, GENESIS) for an empty chain."""
    row = model._base_manager.order_by("-seq").values_list("seq", "entry_hash").first()
    return row if row is not None else (0, GENESIS)


def append[M: Chained](rows: Sequence[M], *, batch_size: int = 500) -> list[M]:
    """Links `rows` (unsaved instances of one chained model) onto the chain's head, in order,
    and inserts them. Must be called inside the caller's transaction."""
    if not rows:
        return []
    model = type(rows[0])
    with transaction.atomic():
        lock_chain(model)
        seq, prev = head(model)
        for row in rows:
            seq += 1
            row.seq = seq
            row.prev_hash = prev
            row.entry_hash = prev = row.computed_hash()
        model._base_manager.bulk_create(rows, batch_size=batch_size)
    return list(rows)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying one chain."""

    table: str
    rows: int
    head_seq: int
    head_hash: str
    ok: bool
    first_bad_seq: int | None = None
    problem: str = ""


def verify(model: type[Chained], *, chunk: int = 5000) -> ChainReport:
    """Walks the chain in `seq` order and stops at the first row that does not fit: a gap in
    `seq`, a broken link to the row before, or a hash that no longer matches the row."""
    table = model._meta.db_table
    expected_seq, prev, count = 1, GENESIS, 0
    for row in _walk(model, chunk):
        if row.seq != expected_seq:
            what = "missing" if row.seq > expected_seq else "out of order"
            return ChainReport(
                table, count, expected_seq - 1, prev, False, expected_seq,
                f"row {expected_seq} is {what} (found {row.seq} next)",
            )  # fmt: skip
        if row.prev_hash != prev:
            return ChainReport(
                table, count, row.seq - 1, prev, False, row.seq,
                f"row {row.seq} does not link to row {row.seq - 1}",
            )  # fmt: skip
        if row.computed_hash() != row.entry_hash:
            return ChainReport(
                table, count, row.seq - 1, prev, False, row.seq,
                f"row {row.seq} was changed after it was written",
            )  # fmt: skip
        prev = row.entry_hash
        expected_seq += 1
        count += 1
    return ChainReport(table, count, expected_seq - 1, prev, True)


def _walk[M: Chained](model: type[M], chunk: int) -> Iterator[M]:
    last = 0
    while True:
        batch = list(model._base_manager.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
