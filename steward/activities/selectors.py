"""Reads of the timeline."""

from django.db.models import QuerySet

from steward.activities.choices import ActivityKind
from steward.activities.models import Activity
from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.core.scoping import restrict


def timeline_for(*, actor: Actor, contact=None, organisation=None, deal=None) -> QuerySet[Activity]:
    """The activities on one record the actor may see, newest first."""
    qs = restrict(Activity.objects.all(), actor).select_related("author", "contact")
    if contact is not None:
        qs = qs.filter(contact=contact)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if deal is not None:
        qs = qs.filter(deal=deal)
    return qs.order_by("-occurred_at", "-created_at")


def activity_list(*, actor: Actor, kind: str = "", contact_id: str = "", open_tasks: bool = False):
    qs = restrict(Activity.objects.all(), actor).select_related("contact", "author")
    if kind:
        qs = qs.filter(kind=kind)
    if contact_id:
        qs = qs.filter(contact_id=contact_id)
    if open_tasks:
        qs = qs.filter(kind=ActivityKind.TASK, completed_at__isnull=True).order_by("due_at")
    return qs


def open_tasks_for(*, actor: Actor) -> QuerySet[Activity]:
    """The actor's own open tasks, soonest due first (the dashboard's to-do list)."""
    return (
        Activity.objects.filter(owner=actor, kind=ActivityKind.TASK, completed_at__isnull=True)
        .select_related("contact")
        .order_by("due_at")
    )


def activity_get(*, actor: Actor, pk) -> Activity:
    try:
        return restrict(Activity.objects.all(), actor).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such activity.") from None
