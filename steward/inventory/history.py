"""A record's history from the audit trail (who changed what, with old and new values), as
the reader may see it: the trail read through the data map.

Values are opened with the person's key (decision 0024) and masked where the data map says
they need a grant the reader lacks (special categories, children's data, national ids),
field by field and, inside a field that holds several values (custom fields), key by key.
A value whose key was destroyed reads "(erased)"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.module_loading import import_string

from steward.audit.models import AuditEvent
from steward.core.actor import Actor
from steward.core.personal_data import tag_of
from steward.inventory.field_access import (
    CHILDREN_VIEW,
    CRIMINAL_VIEW,
    SPECIAL_CATEGORY_VIEW,
    Masked,
    category_facts,
    guards_of,
    mask_if_guarded,
)

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class Change:
    label: str
    old: Any
    new: Any
    # The value needs a grant (special category, children's data, a national id) and the
    # reader holds it: they saw it, and the read is recorded.
    revealed: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    record_id: str
    occurred_at: datetime
    actor_label: str
    by_staff: bool
    action: str
    changes: tuple[Change, ...]


def record_history(
    *, actor: Actor, record: models.Model, limit: int = HISTORY_LIMIT
) -> list[HistoryEntry]:
    """The latest `limit` events about `record`, newest first, masked for `actor`. Whether
    the actor may read the history at all is the caller's check (audit.view)."""
    events = AuditEvent.objects.filter(
        object_type=record._meta.label_lower, object_id=str(record.pk)
    ).order_by("-seq")[:limit]
    return _entries(actor, type(record), events)


def records_history(
    *, actor: Actor, model: type[models.Model], pks: list, limit: int = 1000
) -> list[HistoryEntry]:
    """The events about any of `model`'s rows `pks`, oldest first: the change history an
    access export (Art. 15) gives the person."""
    if not pks:
        return []
    events = AuditEvent.objects.filter(
        object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in pks]
    ).order_by("seq")[:limit]
    return _entries(actor, model, events)


def _entries(actor: Actor, model: type[models.Model], events) -> list[HistoryEntry]:
    fields = _FieldFacts(model)
    return [
        HistoryEntry(
            record_id=event.object_id,
            occurred_at=event.occurred_at,
            actor_label=event.actor_label,
            by_staff=event.actor_id is not None,
            action=event.action,
            changes=tuple(_changes(actor, fields, event.changes)),
        )
        for event in events
    ]


class _FieldFacts:
    """Labels and read guards of a model's fields and of the values inside its fields that
    hold several (custom fields), from the data map's annotations."""

    def __init__(self, model: type[models.Model]):
        self.model, self.facts = model, category_facts()
        self._subfields: dict[str, dict[str, tuple[str, frozenset[str]]]] = {}

    def field(self, name: str) -> tuple[str, frozenset[str], str]:
        """(label, guards, subfields path) of field `name`; an unknown key is shown as it is."""
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return name.replace("_", " "), frozenset(), ""
        tag = tag_of(field)
        category = tag.category if tag is not None else ""
        label = str(getattr(field, "verbose_name", name))
        return (
            label[:1].upper() + label[1:],
            guards_of(category, self.facts),
            (tag.subfields if tag is not None else ""),
        )

    def subfield(self, path: str, key: str) -> tuple[str, frozenset[str]]:
        if path not in self._subfields:
            self._subfields[path] = {
                sub.key: (sub.verbose_name, guards_of(sub.category, self.facts))
                for sub in import_string(path)()
            }
        # A value whose definition was removed since: shown, guarded as strictly as any.
        return self._subfields[path].get(key, (key, _STRICTEST))


_STRICTEST = frozenset({SPECIAL_CATEGORY_VIEW, CRIMINAL_VIEW, CHILDREN_VIEW})


def _changes(actor: Actor, fields: _FieldFacts, changes: dict) -> list[Change]:
    rows = []
    for name, value in sorted(changes.items()):
        label, guards, subfields = fields.field(name)
        old, new = value if isinstance(value, list) and len(value) == 2 else (None, value)
        if subfields and isinstance(old or {}, dict) and isinstance(new or {}, dict):
            old, new = old or {}, new or {}
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    sub_label, sub_guards = fields.subfield(subfields, key)
                    rows.append(_change(actor, sub_label, old.get(key), new.get(key), sub_guards))
            continue
        rows.append(_change(actor, label, old, new, guards))
    return rows


def _change(actor: Actor, label: str, old, new, guards: frozenset[str]) -> Change:
    old, new = mask_if_guarded(actor, old, guards), mask_if_guarded(actor, new, guards)
    revealed = bool(guards) and not isinstance(new, Masked) and (old, new) != (None, None)
    return Change(label, old, new, revealed)
