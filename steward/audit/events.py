"""Writing the audit trail. Services call `audit_record` inside their own transaction, so a
change and its audit row commit or roll back together. Every row is linked into the trail's
hash chain under the chain's append lock, which is then held until that transaction ends:
write the audit row last in a service, so that other writers wait as briefly as possible."""

import datetime
import decimal
import uuid
from collections import namedtuple
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from steward.audit import sealing
from steward.audit.context import current_context
from steward.audit.models import AuditEvent, audit_payload
from steward.core import chain
from steward.core.actor import Actor, actor_label, actor_user
from steward.core.batch_insert import BatchInsert
from steward.crypto.keyring import SYSTEM_OWNER


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
    subject: models.Model | None = None,
) -> AuditEvent:
    """Appends one event to the trail. Call it inside the service's transaction.

    The personal values among `changes` are sealed under the key of the person the record
    belongs to (steward.audit.sealing), found from `target`, or from `subject` (the record
    whose person it is) for an event named by `object_type` and `object_id`."""
    if target is not None:
        object_type = target._meta.label_lower
        object_id = str(target.pk)
    changes = audit_value(changes or {})
    context = audit_value({**current_context(), **(context or {})})
    event = _event(
        actor=actor,
        action=action,
        occurred_at=timezone.now(),
        changes=changes,
        context=context,
        object_type=object_type,
        object_id=object_id,
        subject=subject if subject is not None else target,
        keys=sealing.personal_keys(sealing.model_of(object_type), changes),
        client_keys=_client_keys(actor, context),
    )
    chain.append([event])
    return event


def _client_keys(actor: Actor, context: dict) -> set[str]:
    """The client's address and user agent of an act no staff member did: the person's own."""
    if actor_user(actor) is not None:
        return set()
    return {key for key in sealing.CLIENT_CONTEXT_KEYS if context.get(key)}


def _event(
    *, actor, action, occurred_at, changes, context, object_type, object_id, subject, keys,
    client_keys,
) -> AuditEvent:  # fmt: skip
    """An unsaved event; `keys` of its changes and `client_keys` of its context are sealed by
    chain.append once the row's seq is known (AuditEvent.chain_prepare), under the key of
    the person `subject` belongs to (the system key without a subject)."""
    event = AuditEvent(
        occurred_at=occurred_at,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        context=context,
    )
    if subject is not None and (keys or client_keys):
        event.__dict__["_seal_plan"] = (sealing.subject_owner(subject), keys, client_keys)
    elif keys:
        event.__dict__["_seal_plan"] = (SYSTEM_OWNER, keys, set())
    return event


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
    targets = list(targets)
    if not targets:
        return 0
    rows = [(t._meta.label_lower, str(t.pk)) for t in targets]
    user = actor_user(actor)
    changes = audit_value(changes or {})
    full_context = audit_value({**current_context(), **(context or {})})
    keys = sealing.personal_keys(type(targets[0]), changes)
    client_keys = _client_keys(actor, full_context)
    if keys or client_keys:
        # Personal values are sealed per row, under each person's key and bound to the
        # row's seq: the ordinary path, one instance per event.
        now = timezone.now()
        events = [
            _event(
                actor=actor, action=action, occurred_at=now, changes=changes,
                context=full_context, object_type=object_type, object_id=object_id,
                subject=target, keys=keys, client_keys=client_keys,
            )
            for target, (object_type, object_id) in zip(targets, rows, strict=True)
        ]  # fmt: skip
        chain.append(events)
        return len(events)
    constants = (
        timezone.now(),
        user.pk if user is not None else None,
        actor_label(actor),
        action,
        changes,
        full_context,
    )
    # Each row's payload is what the verifier rebuilds from its columns; hashed here in
    # Python and inserted with one prepared statement, no model instances.
    constant = audit_payload(_Row(*constants, "", ""))
    del constant["object_type"], constant["object_id"]
    with transaction.atomic():
        chain.lock_chain(AuditEvent)
        links = chain.link_varying(
            AuditEvent.chain_prefix,
            chain.head(AuditEvent),
            constant,
            ("object_type", "object_id"),
            rows,
        )
        _bulk_insert().execute(
            [(*row, *linked) for row, linked in zip(rows, links, strict=True)], constants
        )
    return len(rows)


_Row = namedtuple(
    "_Row",
    "occurred_at actor_id actor_label action changes context object_type object_id",
)


def _bulk_insert() -> BatchInsert:
    insert = BatchInsert(
        AuditEvent,
        ("object_type", "object_id", *chain.CHAIN_COLUMNS),
        constant_columns=("occurred_at", "actor", "actor_label", "action", "changes", "context"),
    )
    # The varying values are already what the database stores (two strings, the int seq and
    # two hex strings): skip the per-value conversion BatchInsert would apply to `seq`.
    insert.converters = [None] * len(insert.converters)
    insert.plain = True
    return insert
