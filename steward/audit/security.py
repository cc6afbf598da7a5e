"""Security events: unusual access to personal data, raised for the administrators and the
DPO (Art. 32(1)(d); a possible breach under Art. 33 starts with noticing one).

Unusual means one user reading or exporting far more records in an hour than is normal for
them: more than STEWARD_READ_ALERT_FACTOR times their average per active hour over the
previous STEWARD_READ_ALERT_BASELINE_DAYS days, and never fewer than STEWARD_READ_ALERT_FLOOR
records (a user with no history, or a quiet one, is not flagged for an ordinary day's work).
The volumes come from the read and export events of the audit trail (steward.audit.reads); a
periodic job scans the current and the previous hour, so each hour is judged once it is
complete and again while it runs. One event per user, kind and hour: rescanning adds none."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from steward.audit.events import audit_record
from steward.audit.models import AuditEvent, SecurityEvent, SecurityEventKind
from steward.audit.reads import VOLUME_ACTIONS
from steward.core.actor import Actor
from steward.core.permissions import require

WINDOW = timedelta(hours=1)
VIEW_PERMISSION = "security.view"


@dataclass(frozen=True)
class AccessVolume:
    """Records one user read or exported in one window, against what is normal for them."""

    actor_label: str
    actor_id: int | None
    records: int
    baseline: float
    threshold: int

    @property
    def unusual(self) -> bool:
        return self.records > self.threshold


def access_volumes(*, window_start: datetime) -> list[AccessVolume]:
    """Each user's read and export volume in the hour from `window_start`, with their
    baseline and threshold."""
    days = settings.STEWARD_READ_ALERT_BASELINE_DAYS
    floor = settings.STEWARD_READ_ALERT_FLOOR
    factor = settings.STEWARD_READ_ALERT_FACTOR
    window_end = window_start + WINDOW
    in_window: dict[str, int] = defaultdict(int)
    actor_ids: dict[str, int | None] = {}
    for label, actor_id, changes in _volume_events(window_start, window_end).values_list(
        "actor_label", "actor_id", "changes"
    ):
        in_window[label] += _count(changes)
        actor_ids[label] = actor_id
    if not in_window:
        return []
    # The baseline: records per active hour of each user seen in the window, before it.
    history: dict[str, int] = defaultdict(int)
    active_hours: dict[str, set[datetime]] = defaultdict(set)
    before = _volume_events(window_start - timedelta(days=days), window_start).filter(
        actor_label__in=list(in_window)
    )
    for label, occurred_at, changes in before.values_list("actor_label", "occurred_at", "changes"):
        history[label] += _count(changes)
        active_hours[label].add(occurred_at.replace(minute=0, second=0, microsecond=0))
    volumes = []
    for label, records in sorted(in_window.items()):
        hours = len(active_hours[label])
        baseline = history[label] / hours if hours else 0.0
        threshold = max(floor, int(baseline * factor))
        volumes.append(AccessVolume(label, actor_ids[label], records, baseline, threshold))
    return volumes


def unusual_access_scan(*, actor: Actor, now: datetime | None = None) -> list[SecurityEvent]:
    """Raises a security event for every user whose volume in the current or the previous
    hour is unusual and not raised yet; audited with the figures that raised it."""
    now = now or timezone.now()
    current = now.replace(minute=0, second=0, microsecond=0)
    raised = []
    for window_start in (current - WINDOW, current):
        for volume in access_volumes(window_start=window_start):
            if not volume.unusual:
                continue
            event = _raise(actor=actor, volume=volume, window_start=window_start, now=now)
            if event is not None:
                raised.append(event)
    return raised


def _raise(
    *, actor: Actor, volume: AccessVolume, window_start: datetime, now: datetime
) -> SecurityEvent | None:
    # The unique (kind, actor_label, window_start) constraint decides, not a check first:
    # two scans at once raise the event once.
    try:
        with transaction.atomic():
            event = SecurityEvent.objects.create(
                kind=SecurityEventKind.UNUSUAL_ACCESS,
                actor_id=volume.actor_id,
                actor_label=volume.actor_label,
                window_start=window_start,
                window_end=window_start + WINDOW,
                records=volume.records,
                baseline=volume.baseline,
                threshold=volume.threshold,
                detected_at=now,
            )
            audit_record(
                actor=actor,
                action="security_event.raised",
                target=event,
                changes={
                    "kind": [None, event.kind],
                    "user": [None, volume.actor_label],
                    "records": [None, volume.records],
                    "threshold": [None, volume.threshold],
                },
            )
    except IntegrityError:
        return None
    return event


def security_events(*, actor: Actor) -> QuerySet[SecurityEvent]:
    """The security events, newest first, for those who may see them."""
    require(actor, VIEW_PERMISSION)
    return SecurityEvent.objects.order_by("-detected_at", "-id")


def _volume_events(start: datetime, end: datetime) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        action__in=VOLUME_ACTIONS, occurred_at__gte=start, occurred_at__lt=end
    )


def _count(changes: dict) -> int:
    value = changes.get("count")
    if isinstance(value, list) and value:
        value = value[-1]
    return value if isinstance(value, int) and value > 0 else 0
