"""The ledger as a whole: every hash chain (the audit trail, the consent ledger, any later
one), their signed checkpoints, verification of both, and the PostgreSQL triggers that make
the chained tables refuse UPDATE and DELETE."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from steward.audit.models import ChainCheckpoint
from steward.audit.signing import LedgerKey, checkpoint_message, ledger_key
from steward.core import chain
from steward.core.actor import Actor, actor_label

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LedgerReport:
    """One chain verified against its signed checkpoints."""

    chain: chain.ChainReport
    checkpoints: int
    checkpoint_problem: str = ""

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.checkpoint_problem

    @property
    def problem(self) -> str:
        return self.checkpoint_problem or self.chain.problem


def ledger_checkpoints_sign(*, actor: Actor) -> list[ChainCheckpoint]:
    """Signs (table, seq, head hash, time) of every chain that grew since its last checkpoint.

    Writes no audit event: a checkpoint is itself integrity evidence, and an audit row per run
    would move the trail's head every time, so no run would ever find a chain unchanged. The
    log line per checkpoint is a copy outside the database (ship the logs elsewhere and a
    deleted checkpoint row shows as well)."""
    key = ledger_key()
    signed_at = timezone.now()
    written = []
    for model in chain.chained_models():
        table = model._meta.db_table
        seq, head_hash = chain.head(model)
        if seq == 0:
            continue
        last = ChainCheckpoint.objects.filter(table=table).order_by("-seq").first()
        if last is not None and (last.seq, last.head_hash) == (seq, head_hash):
            continue
        with transaction.atomic():
            checkpoint = ChainCheckpoint.objects.create(
                table=table,
                seq=seq,
                head_hash=head_hash,
                signed_at=signed_at,
                key_id=key.key_id,
                signature=key.sign(checkpoint_message(table, seq, head_hash, signed_at)),
            )
        logger.info(
            "Ledger checkpoint by %s: %s seq=%s head=%s at %s key=%s signature=%s",
            actor_label(actor), table, seq, head_hash, signed_at.isoformat(), key.key_id,
            checkpoint.signature,
        )  # fmt: skip
        written.append(checkpoint)
    return written


def ledger_verify(*, workers: int | None = None) -> list[LedgerReport]:
    """Verifies every chain row by row and against every signed checkpoint of it. A long
    chain is read in seq ranges by `workers` processes at once (None: one per CPU when the
    chain is long enough; see steward.core.chain.verify)."""
    by_table: dict[str, list[ChainCheckpoint]] = defaultdict(list)
    for checkpoint in ChainCheckpoint.objects.order_by("table", "seq", "id"):
        by_table[checkpoint.table].append(checkpoint)
    key = ledger_key(create=False) if by_table else None
    reports = []
    for model in chain.chained_models():
        checkpoints = by_table.get(model._meta.db_table, [])
        expected, problem = _checked_checkpoints(checkpoints, key)
        report = chain.verify(model, checkpoints=expected, workers=workers)
        reports.append(LedgerReport(report, len(checkpoints), problem))
    return reports


def _checked_checkpoints(
    checkpoints: list[ChainCheckpoint], key: LedgerKey | None
) -> tuple[dict[int, str], str]:
    """{seq: head hash} of the checkpoints whose signatures hold, and the first problem."""
    expected: dict[int, str] = {}
    for checkpoint in checkpoints:
        signed_at = f"{checkpoint.signed_at:%Y-%m-%d %H:%M:%S}"
        where = f"the checkpoint of row {checkpoint.seq} signed at {signed_at}"
        if key is None:
            return expected, f"{where} cannot be checked: no ledger signing key is configured"
        if checkpoint.key_id != key.key_id:
            return expected, f"{where} was signed by another key ({checkpoint.key_id})"
        message = checkpoint_message(
            checkpoint.table, checkpoint.seq, checkpoint.head_hash, checkpoint.signed_at
        )
        if not key.verifies(message, checkpoint.signature):
            return expected, f"{where} does not match its signature: it was altered"
        if expected.setdefault(checkpoint.seq, checkpoint.head_hash) != checkpoint.head_hash:
            return expected, f"{where} contradicts another signed checkpoint of that row"
    return expected, ""


APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION steward_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING HINT = 'Chained tables are evidence; rows are only ever added.';
END;
$$
"""
APPEND_ONLY_TRIGGER = "steward_append_only"


def append_only_tables() -> list[str]:
    """The chained tables and the checkpoints that vouch for them."""
    tables = [model._meta.db_table for model in chain.chained_models()]
    return [*tables, ChainCheckpoint._meta.db_table]


def append_only_triggers_install(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """On PostgreSQL, makes every chained table (derived from the installed models) refuse
    UPDATE and DELETE; returns the tables. Idempotent; run after every migrate. A superuser can
    still disable the triggers, which is what the chains and checkpoints are for. TRUNCATE is
    not refused (test databases are flushed with it); checkpoints catch a truncated chain."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    existing = set(connection.introspection.table_names())
    tables = [table for table in append_only_tables() if table in existing]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_FUNCTION)
        for table in tables:
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {APPEND_ONLY_TRIGGER} BEFORE UPDATE OR DELETE "
                f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION steward_append_only()"
            )
    return tables
