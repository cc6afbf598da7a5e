"""Fixtures for the ledger's tests: a signing key of their own, and tampering with chained
tables as someone with raw database access would."""

import uuid

import pytest
from django.db import connection
from django.utils import timezone

from steward.audit.events import audit_record
from steward.core import chain
from steward.core.actor import SystemActor


@pytest.fixture(autouse=True)
def _ledger_key_in_tmp(settings, tmp_path, monkeypatch):
    # Never create or read a signing key in the developer's real data dir.
    settings.DATA_DIR = tmp_path
    monkeypatch.delenv("STEWARD_LEDGER_KEY", raising=False)
    monkeypatch.delenv("STEWARD_LEDGER_KEY_FILE", raising=False)


def tamper(table: str, sql: str, params=()) -> None:
    """Runs `sql` straight against the database. On PostgreSQL the append-only triggers are
    bypassed around it, as a superuser could."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # Replica mode skips ordinary triggers for this session: what a superuser (or
            # anyone restoring a doctored dump) can do.
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            if postgresql:
                cursor.execute("SET session_replication_role = origin")


def audit_events(count: int) -> None:
    for number in range(count):
        audit_record(
            actor=SystemActor("test"),
            action="contact.touched",
            object_type="contacts.contact",
            object_id=str(uuid.uuid4()),
            changes={"n": [number, number + 1], "note": "Grüße"},
        )


def consent_events(count: int) -> None:
    from steward.consent.models import Channel, ConsentEvent, EventKind, Method
    from steward.processing.models import Purpose

    purpose = Purpose.objects.order_by("key").first()
    now = timezone.now()
    chain.append(
        [
            ConsentEvent(
                visitor_id=uuid.uuid4(),
                purpose=purpose,
                kind=EventKind.GIVEN,
                method=Method.WEB_FORM,
                channel=Channel.WEB,
                evidence={"ip": "192.0.2.10", "page": "/newsletter"},
                occurred_at=now,
                recorded_at=now,
                actor_label="system:test",
            )
            for _ in range(count)
        ]
    )


# The two chains the tests tamper with: (table, how to write events, a column to edit).
CHAINS = {
    "audit": ("audit_auditevent", audit_events, "action", "'contact.deleted'"),
    "consent": ("consent_consentevent", consent_events, "kind", "'withdrawn'"),
}
