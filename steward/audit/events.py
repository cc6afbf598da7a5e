"""Writing the audit trail. Services call `audit_record` inside their own transaction, so a
change and its audit row commit or roll back together."""

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from steward.audit.context import current_context
from steward.audit.models import AuditEvent
from steward.core.actor import Actor, actor_label, actor_user
from steward.core.batch_insert import BatchInsert


def audit_value(value: Any) -> Any:
    """A JSON-safe rendering of a field value for the trail."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [audit_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): audit_value(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audit-ready values of `fields` on `instance` (foreign keys by id)."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = audit_value(getattr(instance, attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> AuditEvent:
    """Appends one event to the trail. Call it inside the service's transaction."""
    if target is not None:
        object_type = target._meta.label_lower
        object_id = str(target.pk)
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=audit_value(changes or {}),
        context={**current_context(), **(context or {})},
    )


def audit_record_many(
    *,
    actor: Actor,
    action: str,
    targets: Iterable[models.Model],
    changes: dict[str, Any] | None = None,
    context: dict | None = None,
) -> int:
    """One event per target, written with one prepared INSERT: the bulk paths (imports)
    stay fast while every record still has its own line in the trail. Nothing varies
    between the rows but the record, so everything else is converted once."""
    rows = [(t._meta.label_lower, str(t.pk)) for t in targets]
    user = actor_user(actor)
    _bulk_insert().execute(
        rows,
        constants=(
            timezone.now(),
            user.pk if user is not None else None,
            actor_label(actor),
            action,
            audit_value(changes or {}),
            {**current_context(), **(context or {})},
        ),
    )
    return len(rows)


def _bulk_insert() -> BatchInsert:
    return BatchInsert(
        AuditEvent,
        ("object_type", "object_id"),
        constant_columns=("occurred_at", "actor", "actor_label", "action", "changes", "context"),
    )
