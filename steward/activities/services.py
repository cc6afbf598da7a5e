"""Writes to the timeline."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from steward.activities.choices import ActivityKind
from steward.activities.models import Activity
from steward.activities.selectors import activity_mask, with_masks
from steward.core.actor import Actor, SystemActor, actor_user
from steward.core.errors import NotFound, PermissionDenied, ValidationFailed
from steward.core.permissions import require
from steward.core.scoping import may_see
from steward.core.writes import create_audited, delete_audited, editable_fields, update_audited
from steward.crypto.services import records_reencrypt
from steward.detection.services import findings_refresh_for

ACTIVITY_FIELDS = (
    "kind", "subject", "body", "contact", "organisation", "deal", "occurred_at", "due_at",
    "completed_at", "owner", "team",
)  # fmt: skip
# The free text detection reads when it changes (steward.detection).
SCANNED_FIELDS = ("subject", "body")


def _check_links(actor: Actor, data: dict[str, Any]) -> None:
    """An activity is about something the actor may see, and about at least one thing."""
    linked = [data.get(k) for k in ("contact", "organisation", "deal") if data.get(k) is not None]
    for record in linked:
        if not may_see(record, actor):
            raise NotFound("No such record, or it is outside what you may see.")
    if data.get("kind") == ActivityKind.TASK and not data.get("due_at"):
        raise ValidationFailed(
            "A task needs a due date.", field_errors={"due_at": ["Enter a due date."]}
        )
    if data.get("kind") != ActivityKind.TASK and not (data.get("subject") or data.get("body")):
        raise ValidationFailed(
            "Write something.", field_errors={"body": ["This field is required."]}
        )


def activity_log(*, actor: Actor, data: dict[str, Any]) -> Activity:
    """Logs a note, call, meeting, email or task on a contact, organisation or deal."""
    require(actor, "activities.add")
    editable_fields(Activity, data, ACTIVITY_FIELDS)
    data = dict(data)
    if not any(data.get(k) for k in ("contact", "organisation", "deal")):
        raise ValidationFailed(
            "An activity belongs to a contact, an organisation or a deal.",
            field_errors={"contact": ["Choose what this activity is about."]},
        )
    _check_links(actor, data)
    data.setdefault("occurred_at", timezone.now())
    # The entry belongs to the team of the record it is about, so everyone who may see the
    # contact sees its whole timeline, whoever logged the entry (e.g. a manager in no team).
    linked = next(data[k] for k in ("contact", "deal", "organisation") if data.get(k) is not None)
    if linked.team_id is not None:
        data.setdefault("team", linked.team)
    if not isinstance(actor, SystemActor):
        data.setdefault("owner", actor_user(actor))
        data.setdefault("team", actor.team)
    data["author"] = actor_user(actor)
    with transaction.atomic():
        activity = create_audited(actor=actor, model=Activity, data=data, action="activity.logged")
        # Personal data in the free text (issue 3), stored with the entry.
        findings_refresh_for(actor=actor, record=activity, fields=SCANNED_FIELDS, created=True)
    return activity


def activity_update(*, actor: Actor, activity: Activity, data: dict[str, Any]) -> Activity:
    require(actor, "activities.change")
    if not may_see(activity, actor):
        raise NotFound("No such activity.")
    editable_fields(Activity, data, ACTIVITY_FIELDS)
    merged = {k: getattr(activity, k) for k in ACTIVITY_FIELDS} | data
    _check_links(actor, merged)
    changed = [f for f in SCANNED_FIELDS if f in data and data[f] != getattr(activity, f)]
    if changed:
        # A role that may not read the entry (it holds special-category, criminal or
        # children's data, or a national ID) may not rewrite it either.
        mask = activity_mask(with_masks(Activity.objects.filter(pk=activity.pk), actor).get())
        if mask is not None:
            raise PermissionDenied(f"Your role may not change this entry: it holds {mask.reason}.")
    with transaction.atomic():
        activity = update_audited(
            actor=actor, instance=activity, data=data, action="activity.updated"
        )
        if "contact" in data or "organisation" in data:
            # The text follows the entry to its new owner's data key (steward.crypto).
            records_reencrypt(Activity, [activity.pk])
        if changed or "contact" in data:
            findings_refresh_for(actor=actor, record=activity, fields=changed)
    return activity


def task_complete(*, actor: Actor, activity: Activity) -> Activity:
    """Marks an open task done."""
    if activity.kind != ActivityKind.TASK:
        raise ValidationFailed("Only tasks can be completed.")
    return activity_update(actor=actor, activity=activity, data={"completed_at": timezone.now()})


def activity_delete(*, actor: Actor, activity: Activity) -> None:
    require(actor, "activities.delete")
    if not may_see(activity, actor):
        raise NotFound("No such activity.")
    delete_audited(
        actor=actor, instance=activity, action="activity.deleted", fields=ACTIVITY_FIELDS
    )
