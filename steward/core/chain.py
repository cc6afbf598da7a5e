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

import dataclasses
import datetime
import decimal
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import sys
import threading
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
        """The columns the row's hash covers, as a JSON-able mapping. Every chained model
        defines it (an abstract method: the audit trail and the consent ledger do)."""
        raise NotImplementedError(f"{type(self).__name__} must define chain_payload()")

    def chain_prepare(self) -> None:
        """Called by append() once the row's `seq` is known and before it is hashed: where
        a chained model seals its personal values, bound to the row (the hash then covers
        the sealed form, so the chain still verifies once the key is destroyed)."""

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
            row.chain_prepare()
            row.entry_hash = prev = row.computed_hash()
        model._base_manager.bulk_create(rows, batch_size=batch_size)
    return list(rows)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying one chain. `workers` says how many processes read it (not
    part of the verdict: a report compares equal however the chain was read)."""

    table: str
    rows: int
    head_seq: int
    head_hash: str
    ok: bool
    first_bad_seq: int | None = None
    problem: str = ""
    workers: int = dataclasses.field(default=1, compare=False)


@cache
def _row_type(model: type[Chained]) -> tuple[tuple[str, ...], Callable[[Sequence[Any]], Any]]:
    """The columns the verifier reads and a light row type (a named tuple) offering them as
    the attributes chain_payload() reads."""
    attnames = tuple(field.attname for field in model._meta.concrete_fields)
    row = namedtuple(f"{model.__name__}Row", attnames)
    return attnames, row._make


# Below this many rows per process, forking and connecting cost more than they save.
PARALLEL_MIN_ROWS = 100_000
_LAST_SEQ = 2**63 - 1  # the largest BigIntegerField: "no upper bound" for a seq range


def verify(
    model: type[Chained],
    *,
    chunk: int = 5_000,
    checkpoints: Mapping[int, str] | None = None,
    fast: bool = True,
    workers: int | None = None,
) -> ChainReport:
    """Walks the chain in `seq` order and stops at the first row that does not fit: a gap in
    `seq`, a broken link to the row before, or a hash that no longer matches the row.

    `checkpoints` maps seqs to the entry hashes signed for them: a row whose hash differs (the
    chain was rewritten from there on) or a checkpointed seq past the end (the tail was cut
    off) fails the chain too. Reads column values only (no model instances): see the module's
    docstring for what that asks of chain_payload(). With `fast` (and a payload that puts
    column values in as they are), each row's canonical JSON is spliced together from its
    raw column values; otherwise chain_payload() is called on a light row per row. Both give
    the same bytes; the fast way is several times faster.

    With `fast`, a long chain is read in `workers` seq ranges at once by forked processes
    (None: one per CPU for a chain of PARALLEL_MIN_ROWS rows per CPU or more; see
    verify_workers() for when it stays in one process). The ranges only shorten the walk:
    the verified prefix of ranges that join up is where this process walks on from, so a
    problem is always found and named by the same one-process walk (fast=False is the
    reference that never forks)."""
    reader = _reader(model, fast, chunk)
    expected = dict(checkpoints or {})
    start, processes = (1, GENESIS), 1
    if fast:
        end = head(model)[0]
        processes = verify_workers(workers, end)
        if processes > 1:
            start = _verify_prefix_in_parallel(model, reader, processes, end, expected)
    table = model._meta.db_table
    walked = _walk_on(table, reader, start, _LAST_SEQ, expected)
    if isinstance(walked, ChainReport):
        return dataclasses.replace(walked, workers=processes)
    next_seq, prev = walked
    if expected:
        end, covered = next_seq - 1, max(expected)
        return ChainReport(
            table, end, end, prev, False, next_seq,
            f"row {next_seq} is missing: the chain ends at row {end}, but a signed "
            f"checkpoint covers row {covered} (the tail was cut off)", processes,
        )  # fmt: skip
    return ChainReport(table, next_seq - 1, next_seq - 1, prev, True, workers=processes)


@dataclass(frozen=True)
class _Reader:
    """How a chain's rows are read (`pages(after, upto)`: the rows with after < seq <= upto,
    in seq order, a page at a time) and how a row's hash is recomputed, with the positions
    of seq, prev_hash and entry_hash in a row."""

    pages: Callable[[int, int], Iterator[Sequence[Sequence[Any]]]]
    digest: Callable[[Sequence[Any]], str]
    indexes: tuple[int, int, int]


def _reader(model: type[Chained], fast: bool, chunk: int) -> _Reader:
    plan = _fast_plan(model, connection.vendor) if fast else None
    if plan is not None:
        return _Reader(
            pages=lambda after, upto: _fast_pages(plan, after, upto, chunk),
            digest=plan.digests(model.chain_prefix),
            indexes=plan.chain_indexes,
        )
    attnames, make_row = _row_type(model)
    seq_i, prev_i, hash_i = (attnames.index(name) for name in CHAIN_COLUMNS)
    return _Reader(
        pages=lambda after, upto: _pages(model, attnames, chunk, after, upto),
        digest=_slow_digests(model, make_row, seq_i, prev_i),
        indexes=(seq_i, prev_i, hash_i),
    )


def _walk_on(
    table: str, reader: _Reader, start: tuple[int, str], upto: int, expected: dict[int, str]
) -> ChainReport | tuple[int, str]:
    """The walk itself, from `start` (the next seq and the hash it must link to) over the
    rows up to seq `upto`: the report of the first row that does not fit, else where the
    walk ended (the next seq and the last hash). Pops the checkpoints it passes."""
    seq_i, prev_i, hash_i = reader.indexes
    digests = reader.digest
    expected_seq, prev = start
    for page in reader.pages(expected_seq - 1, upto):
        for values in page:
            seq = values[seq_i]
            # Rows before expected_seq all verified, and seq is gapless from 1: so far is
            # expected_seq - 1 rows.
            if seq != expected_seq:
                what = "missing" if seq > expected_seq else "out of order"
                return ChainReport(
                    table, expected_seq - 1, expected_seq - 1, prev, False, expected_seq,
                    f"row {expected_seq} is {what} (found {seq} next)",
                )  # fmt: skip
            if values[prev_i] != prev:
                return ChainReport(
                    table, seq - 1, seq - 1, prev, False, seq,
                    f"row {seq} does not link to row {seq - 1}",
                )  # fmt: skip
            digest = digests(values)
            if digest != values[hash_i]:
                return ChainReport(
                    table, seq - 1, seq - 1, prev, False, seq,
                    f"row {seq} was changed after it was written",
                )  # fmt: skip
            if expected and seq in expected and expected.pop(seq) != digest:
                return ChainReport(
                    table, seq - 1, seq - 1, prev, False, seq,
                    f"row {seq} differs from its signed checkpoint: the chain was rewritten",
                )  # fmt: skip
            prev = digest
            expected_seq += 1
    return expected_seq, prev


def verify_workers(requested: int | None, end: int) -> int:
    """How many processes verify a chain whose head is at `end`: one unless the chain is
    long enough (or `requested` says so) and the rows are safe to read from forked
    processes with connections of their own."""
    if requested is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        wanted = min(cpus, end // PARALLEL_MIN_ROWS)
    else:
        wanted = min(requested, end)
    if wanted <= 1:
        return 1
    if (
        # Other connections see only committed rows: inside a transaction the caller may
        # hold rows (or a snapshot) the workers would not see.
        connection.in_atomic_block
        # A memory database is invisible to any other connection.
        or (connection.vendor == "sqlite" and connection.is_in_memory_db())
        # Forking a process that runs other threads can leave locks held forever in the
        # child; without fork (Windows, macOS's default) a worker would start from nothing.
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
        or sys.platform == "darwin"
    ):
        return 1
    return wanted


def _verify_prefix_in_parallel(
    model: type[Chained], reader: _Reader, workers: int, end: int, expected: dict[int, str]
) -> tuple[int, str]:
    """Verifies rows 1..`end` as `workers` seq ranges at once: this process the first,
    forked children the others. Each range starts from the stored hash of the row before
    it and is walked exactly as one process would; the ranges count only while each one
    verified to its last row and starts from the hash the range before ended on. Returns
    the walk's state after the last range that counts (popping the checkpoints those
    ranges passed): the caller walks on from there."""
    bounds = [end * k // workers for k in range(workers + 1)]
    ranges = list(itertools.pairwise(bounds))
    fork = multiprocessing.get_context("fork")
    # A child must not inherit this connection: both would talk over one socket (and the
    # child closing it would end this process's session). Closed here, each child opens
    # its own and this process reopens on its next query.
    connection.close()
    children = []
    try:
        for after, upto in ranges[1:]:
            receiver, sender = fork.Pipe(duplex=False)
            child = fork.Process(
                target=_verify_range_in_child,
                args=(sender, model, reader, after, upto, _within(expected, after, upto)),
                daemon=True,
            )
            child.start()
            sender.close()
            children.append((child, receiver))
        outcomes = [_verify_range(model, reader, *ranges[0], _within(expected, *ranges[0]))]
        for _, receiver in children:
            try:
                outcomes.append(receiver.recv())
            except EOFError:  # the child died: its range does not count
                outcomes.append(None)
    finally:
        for child, receiver in children:
            receiver.close()
            child.join(timeout=5)
            if child.is_alive():
                child.terminate()
                child.join()
    state = (1, GENESIS)
    for (_, upto), outcome in zip(ranges, outcomes, strict=True):
        if outcome is None or outcome[0] != state[1]:
            break
        for seq in [seq for seq in expected if seq <= upto]:
            del expected[seq]
        state = (upto + 1, outcome[1])
    return state


def _within(expected: Mapping[int, str], after: int, upto: int) -> dict[int, str]:
    return {seq: digest for seq, digest in expected.items() if after < seq <= upto}


def _verify_range(
    model: type[Chained], reader: _Reader, after: int, upto: int, expected: dict[int, str]
) -> tuple[str, str] | None:
    """(the hash the range starts from, the hash of its last row) when rows after+1..upto
    all verify against the stored hash of row `after` and the checkpoints among them;
    None otherwise (the one-process walk then finds and names the problem)."""
    if after == 0:
        start = GENESIS
    else:
        start = model._base_manager.filter(seq=after).values_list("entry_hash", flat=True).first()
        if start is None:
            return None
    walked = _walk_on(model._meta.db_table, reader, (after + 1, start), upto, expected)
    if isinstance(walked, ChainReport) or walked[0] != upto + 1 or expected:
        return None
    return start, walked[1]


def _verify_range_in_child(sender, model, reader, after, upto, expected) -> None:
    # Runs in a forked child, which left this process's connection closed (see above).
    outcome = None
    try:
        outcome = _verify_range(model, reader, after, upto, expected)
    except Exception:  # a failing range does not count; the one-process walk finds why
        outcome = None
    finally:
        connection.close()
    sender.send(outcome)
    sender.close()


def _slow_digests(model, make_row, seq_i: int, prev_i: int) -> Callable[[Sequence[Any]], str]:
    prefix, payload_of, encode = model.chain_prefix, model.chain_payload, _ENCODER.encode
    sha256 = hashlib.sha256

    def digest(values: Sequence[Any]) -> str:
        payload = encode(payload_of(make_row(values)))
        return sha256(f"{prefix}|{values[seq_i]}|{values[prev_i]}|{payload}".encode()).hexdigest()

    return digest


def _pages(
    model: type[Chained], attnames: tuple[str, ...], chunk: int, after: int, upto: int
) -> Iterator[list[tuple]]:
    # Keyset pages over the unique seq index: constant cost per page however long the chain,
    # and values_list applies each field's database converters without building instances.
    rows = model._base_manager.filter(seq__lte=upto).order_by("seq").values_list(*attnames)
    seq_i = attnames.index("seq")
    last = after
    while True:
        batch = list(rows.filter(seq__gt=last)[:chunk])
        if not batch:
            return
        yield batch
        last = batch[-1][seq_i]


# The fast verifier. chain_payload() is called once on a row of marker strings; where each
# column's marker lands in the encoded template, that column's canonical JSON goes for every
# row. Only the chain columns and the columns the payload uses are read, raw (no Django
# converters, no model instances), and encoded by their field type exactly as
# canonical_json() would encode the converted value. A payload that transforms a value (its
# marker does not land whole, once) gets the ordinary path.


@dataclass(frozen=True)
class _Plan:
    sql: str
    chain_indexes: tuple[int, int, int]
    pieces: tuple[str, ...]
    encoders: tuple[tuple[int, Callable[[Any], str]], ...]

    def digests(self, prefix: str) -> Callable[[Sequence[Any]], str]:
        # One expression per row, generated for this plan: no loop, no list to grow. Only
        # names bound here and integer column indexes go into the generated source.
        seq_i, prev_i, _ = self.chain_indexes
        scope: dict[str, Any] = {"sha256": hashlib.sha256, "prefix": prefix, "p": self.pieces}
        terms = [f'prefix, "|", str(v[{seq_i}]), "|", v[{prev_i}], "|", p[0]']
        for k, (index, encode) in enumerate(self.encoders):
            scope[f"e{k}"] = encode
            terms.append(f"e{k}(v[{int(index)}]), p[{k + 1}]")
        source = (
            "def digest(v):\n"
            f"    return sha256(''.join(({', '.join(terms)})).encode()).hexdigest()\n"
        )
        exec(source, scope)
        return scope["digest"]


def _fast_pages(plan: _Plan, after: int, upto: int, chunk: int) -> Iterator[list[tuple]]:
    # Keyset pages over the unique seq index, on a raw cursor.
    seq_i = plan.chain_indexes[0]
    last = after
    with connection.cursor() as cursor:
        while True:
            cursor.execute(plan.sql, [last, upto, chunk])
            batch = cursor.fetchall()
            if not batch:
                return
            yield batch
            last = batch[-1][seq_i]


@cache
def _fast_plan(model: type[Chained], vendor: str) -> _Plan | None:
    fields = list(model._meta.concrete_fields)
    markers = {field.attname: f"\x00chain-column-{i}\x00" for i, field in enumerate(fields)}
    try:
        row = namedtuple("MarkerRow", list(markers))(**markers)
        template = _ENCODER.encode(model.chain_payload(row))
    except Exception:  # a payload that computes with its values: the ordinary path
        return None
    used = []
    for field in fields:
        encoded = _encode_str(markers[field.attname])
        count = template.count(encoded)
        if count > 1:
            return None
        if count == 1:
            encoder = _column_encoder(field, vendor)
            if encoder is None:
                return None
            used.append((template.index(encoded), field, encoded, encoder))
    bare = template
    for marker in markers.values():
        bare = bare.replace(_encode_str(marker), "")
    if "chain-column-" in bare:
        return None  # a marker went in changed (part of a longer string, say)
    used.sort(key=lambda item: item[0])
    pieces, rest = [], template
    for _, _, encoded, _ in used:
        before, rest = rest.split(encoded)
        pieces.append(before)
    pieces.append(rest)
    # Read the chain columns and the payload's columns, nothing else.
    by_name = {field.attname: field for field in fields}
    selected = [by_name[name] for name in CHAIN_COLUMNS]
    selected += [field for _, field, _, _ in used if field not in selected]
    quote = connection.ops.quote_name
    columns = [_select_column(field, vendor, quote) for field in selected]
    seq = quote("seq")
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} "
        f"WHERE {seq} > %s AND {seq} <= %s ORDER BY {seq} LIMIT %s"
    )
    return _Plan(
        sql=sql,
        chain_indexes=(0, 1, 2),
        pieces=tuple(pieces),
        encoders=tuple((selected.index(field), encoder) for _, field, _, encoder in used),
    )


def _kind(field: models.Field) -> str:
    target = getattr(field, "target_field", None) if field.is_relation else None
    return (target or field).get_internal_type()


_TEXT_KINDS = {"CharField", "TextField", "EmailField", "SlugField", "URLField"}
_INT_KINDS = {
    "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
    "PositiveBigIntegerField", "PositiveSmallIntegerField", "AutoField", "BigAutoField",
    "SmallAutoField",
}  # fmt: skip
_TEMPORAL_KINDS = {"DateTimeField", "DateField"}


def _select_column(field: models.Field, vendor: str, quote: Callable[[str], str]) -> str:
    column = quote(field.column)
    # SQLite's driver converts columns by their declared type (Django registers converters
    # for dates and datetimes); an expression has none, so the stored text comes back as is.
    if vendor == "sqlite" and _kind(field) in _TEMPORAL_KINDS:
        return f"({column} || '')"
    # PostgreSQL writes a timestamp's UTC digits faster than Python's isoformat() does.
    if vendor == "postgresql" and _kind(field) == "DateTimeField":
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
    return column


def _column_encoder(field: models.Field, vendor: str) -> Callable[[Any], str] | None:
    """How a raw column value of `field` becomes its canonical JSON, or None when the fast
    path does not know the type (the ordinary path then verifies the model)."""
    kind = _kind(field)
    if kind in _TEXT_KINDS:
        if not field.null:
            return _encode_str
        return lambda value: "null" if value is None else _encode_str(value)
    if kind in _INT_KINDS:
        if not field.null:
            return str
        return lambda value: "null" if value is None else str(value)
    if kind == "BooleanField":
        return lambda value: "null" if value is None else ("true" if value else "false")
    if kind == "UUIDField":
        return _uuid_json
    if kind == "DateTimeField":
        if vendor == "postgresql":
            return _postgresql_datetime_json
        return _sqlite_datetime_json if vendor == "sqlite" else _datetime_json
    if kind == "DateField":
        return _sqlite_date_json if vendor == "sqlite" else _datetime_json
    if kind == "JSONField":
        return _json_column
    return None


_HEX_UUID = re.compile("[0-9a-f]{32}").fullmatch


def _uuid_json(value: Any) -> str:
    if value is None:
        return "null"
    if value.__class__ is str and _HEX_UUID(value):
        # Django's form on SQLite (uuid.hex): str() of that UUID is the same digits grouped,
        # at a third of the cost of parsing it.
        return f'"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"'
    return f'"{value if isinstance(value, uuid.UUID) else uuid.UUID(value)}"'


def _datetime_json(value: Any) -> str:
    return "null" if value is None else _ENCODER.encode(value)


def _postgresql_datetime_json(value: str | None) -> str:
    # to_char() of the UTC value always has six fraction digits; isoformat() of the aware
    # UTC value has none when they are all zero, and the offset.
    if value is None:
        return "null"
    if value.endswith(".000000"):
        value = value[:-7]
    return f'"{value}+00:00"'


def _sqlite_datetime_json(value: str | None) -> str:
    # Django stores an aware datetime on SQLite as str() of its naive UTC value
    # ("2026-03-01 09:30:05.001234", no fraction when it is zero); isoformat() of the aware
    # UTC value is the same with a T and the offset.
    if value is None:
        return "null"
    return f'"{value.replace(" ", "T", 1)}+00:00"'


def _sqlite_date_json(value: str | None) -> str:
    return "null" if value is None else f'"{value}"'


_JSON_CANONICAL: dict[str, str] = {}


def _json_column(value: Any) -> str:
    if value is None:
        return "null"
    if not isinstance(value, str):
        return _ENCODER.encode(value)
    # Trails repeat the same small documents (a request's context, a bulk change) row after
    # row: remember their canonical forms, within a bound.
    canonical = _JSON_CANONICAL.get(value)
    if canonical is None:
        canonical = _ENCODER.encode(json.loads(value))
        if len(_JSON_CANONICAL) >= 50_000:
            _JSON_CANONICAL.clear()
        _JSON_CANONICAL[value] = canonical
    return canonical
