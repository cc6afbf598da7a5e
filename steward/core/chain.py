"""Hash chains: append-only tables whose rows cannot be edited, deleted or reordered behind
the application's back without `steward verify-ledger` noticing.

Each row of a chained table carries its position `seq` (1, 2, 3, ... with no gap), the hash of
the row before it and its own hash:

    entry_hash = SHA-256(prefix | seq | prev_hash | canonical JSON of the row's payload)

The payload is what the model's `chain_payload()` returns: every column whose change would
matter. `chain_payload()` may read only the row's own column attributes (`self.actor_id`, not
`self.actor`): the verifier calls it on a light row of column values read straight from the
database, never on model instances, so that a million rows verify in seconds. Datetimes go
into the payload in UTC, so a value hashes the same before it is written and after it is read
back from either database.

Appends are serialised per chain: on PostgreSQL by a transaction-scoped advisory lock, on
SQLite by the write lock every transaction takes at BEGIN (settings use
transaction_mode=IMMEDIATE), so two writers can never both extend the same head (no fork) and
`seq` is taken under the lock, never from a sequence that a rollback could leave with a hole.
The unique `seq` is the backstop: a writer that somehow read a stale head fails on it instead
of forking the chain.

A chain alone does not reveal that its tail was cut off, nor that it was rewritten from some
row on with freshly computed hashes; signed checkpoints (kept by the audit app, passed to
`verify()` as `checkpoints`) cover both.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from django.apps import apps
from django.db import connection, models, transaction

from steward.core.personal_data import not_personal

GENESIS = "0" * 64
CHAIN_COLUMNS = ("seq", "prev_hash", "entry_hash")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot put a {type(value).__name__} into a chained payload")


# One encoder, built once: json.dumps with options builds a new one on every call.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
)


def canonical_json(payload: dict[str, Any]) -> bytes:
    """One byte string per payload: sorted keys, no whitespace, UTF-8."""
    return _ENCODER.encode(payload).encode()


def entry_hash(prefix: str, seq: int, prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        f"{prefix}|{seq}|{prev_hash}|".encode() + canonical_json(payload)
    ).hexdigest()


class Chained(models.Model):
    """Abstract base of a chained table. Subclasses set `chain_prefix` (unique per table) and
    implement `chain_payload()` from their own columns; rows are written only through
    `append()` (or a bulk path that links rows with `link()` under `lock_chain()`)."""

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


def chained_models() -> list[type[Chained]]:
    """Every installed concrete chained model: the audit trail, the consent ledger and any
    later one, found from the models themselves rather than a list kept by hand."""
    return sorted(
        (
            model
            for model in apps.get_models()
            if issubclass(model, Chained) and not model._meta.abstract and not model._meta.proxy
        ),
        key=lambda model: model._meta.db_table,
    )


def lock_chain(model: type[Chained]) -> None:
    """Takes the chain's append lock until the end of the current transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("chain appends must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [_lock_key(model)])
    # SQLite: BEGIN IMMEDIATE already holds the database's write lock.


def _lock_key(model: type[Chained]) -> int:
    # One signed 64-bit advisory-lock key per chain, stable across processes and versions.
    digest = hashlib.sha256(f"steward-chain:{model.chain_prefix}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def head(model: type[Chained]) -> tuple[int, str]:
    """(seq, entry_hash) of the last row; (0, GENESIS) for an empty chain."""
    row = model._base_manager.order_by("-seq").values_list("seq", "entry_hash").first()
    return row if row is not None else (0, GENESIS)


def link(
    prefix: str, start: tuple[int, str], payloads: Sequence[dict[str, Any]]
) -> list[tuple[int, str, str]]:
    """(seq, prev_hash, entry_hash) for each payload, chained on from `start` (a head). For
    bulk paths that insert rows themselves; call it under `lock_chain()` with the head read
    under that lock."""
    seq, prev = start
    links = []
    for payload in payloads:
        seq += 1
        digest = entry_hash(prefix, seq, prev, payload)
        links.append((seq, prev, digest))
        prev = digest
    return links


def link_varying(
    prefix: str,
    start: tuple[int, str],
    constant: dict[str, Any],
    varying: Sequence[str],
    rows: Sequence[Sequence[str]],
) -> list[tuple[int, str, str]]:
    """`link()` for bulk rows whose payloads differ only in a few string values: the payload
    is `constant` plus `varying[i]: row[i]`. Encodes the constant part once and splices each
    row's values in, which gives the same bytes as canonical_json() at a fraction of the cost
    (the bulk audit path writes one row per imported contact)."""
    markers = [_encode_str(f"\x00chain-varying-{i}\x00") for i in range(len(varying))]
    template = _ENCODER.encode(
        {**constant, **{key: json.loads(m) for key, m in zip(varying, markers, strict=True)}}
    )
    if any(template.count(marker) != 1 for marker in markers):
        # A constant value holding a marker (never in practice): take the plain path.
        payloads = [{**constant, **dict(zip(varying, row, strict=True))} for row in rows]
        return link(prefix, start, payloads)
    # Cut the template where each row's values go, in the order they appear in it.
    order = sorted(range(len(markers)), key=lambda i: template.index(markers[i]))
    pieces, rest = [], template
    for i in order:
        before, rest = rest.split(markers[i])
        pieces.append(before)
    pieces.append(rest)
    encoded_pieces = [piece.encode() for piece in pieces]
    seq, prev = start
    links = []
    sha256 = hashlib.sha256
    for row in rows:
        seq += 1
        parts = [f"{prefix}|{seq}|{prev}|".encode(), encoded_pieces[0]]
        for position, i in enumerate(order, start=1):
            parts.append(_encode_str(row[i]).encode())
            parts.append(encoded_pieces[position])
        digest = sha256(b"".join(parts)).hexdigest()
        links.append((seq, prev, digest))
        prev = digest
    return links


_encode_str = json.encoder.encode_basestring  # the encoder's own, with ensure_ascii=False


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


@cache
def _row_type(model: type[Chained]) -> tuple[tuple[str, ...], Callable[[Sequence[Any]], Any]]:
    """The columns the verifier reads and a light row type (a named tuple) offering them as
    the attributes chain_payload() reads."""
    attnames = tuple(field.attname for field in model._meta.concrete_fields)
    row = namedtuple(f"{model.__name__}Row", attnames)
    return attnames, row._make


def verify(
    model: type[Chained], *, chunk: int = 20_000, checkpoints: Mapping[int, str] | None = None
) -> ChainReport:
    """Walks the chain in `seq` order and stops at the first row that does not fit: a gap in
    `seq`, a broken link to the row before, or a hash that no longer matches the row.

    `checkpoints` maps seqs to the entry hashes signed for them: a row whose hash differs (the
    chain was rewritten from there on) or a checkpointed seq past the end (the tail was cut
    off) fails the chain too. Reads column values only (no model instances): see the module's
    docstring for what that asks of chain_payload()."""
    table = model._meta.db_table
    prefix = model.chain_prefix
    payload_of = model.chain_payload
    attnames, make_row = _row_type(model)
    i_seq, i_prev, i_hash = (attnames.index(name) for name in CHAIN_COLUMNS)
    expected = dict(checkpoints or {})
    sha256 = hashlib.sha256
    encode = _ENCODER.encode
    expected_seq, prev, count = 1, GENESIS, 0
    for values in _walk(model, attnames, chunk):
        seq = values[i_seq]
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "out of order"
            return ChainReport(
                table, count, expected_seq - 1, prev, False, expected_seq,
                f"row {expected_seq} is {what} (found {seq} next)",
            )  # fmt: skip
        if values[i_prev] != prev:
            return ChainReport(
                table, count, seq - 1, prev, False, seq,
                f"row {seq} does not link to row {seq - 1}",
            )  # fmt: skip
        payload = encode(payload_of(make_row(values))).encode()
        digest = sha256(f"{prefix}|{seq}|{prev}|".encode() + payload).hexdigest()
        if digest != values[i_hash]:
            return ChainReport(
                table, count, seq - 1, prev, False, seq,
                f"row {seq} was changed after it was written",
            )  # fmt: skip
        if expected and seq in expected and expected.pop(seq) != digest:
            return ChainReport(
                table, count, seq - 1, prev, False, seq,
                f"row {seq} differs from its signed checkpoint: the chain was rewritten",
            )  # fmt: skip
        prev = digest
        expected_seq += 1
        count += 1
    if expected:
        end, covered = expected_seq - 1, max(expected)
        return ChainReport(
            table, count, end, prev, False, expected_seq,
            f"row {expected_seq} is missing: the chain ends at row {end}, but a signed "
            f"checkpoint covers row {covered} (the tail was cut off)",
        )  # fmt: skip
    return ChainReport(table, count, expected_seq - 1, prev, True)


def _walk(model: type[Chained], attnames: tuple[str, ...], chunk: int) -> Iterator[tuple]:
    # Keyset pages over the unique seq index: constant cost per page however long the chain,
    # and values_list applies each field's database converters without building instances.
    manager = model._base_manager
    last = 0
    while True:
        batch = list(manager.filter(seq__gt=last).order_by("seq").values_list(*attnames)[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1][attnames.index("seq")]
