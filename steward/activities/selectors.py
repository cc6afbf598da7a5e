"""Reads of the timeline. Every read goes through `with_masks`: a note whose standing
findings show special-category, criminal, children's data or a national identifier is
masked for a role not granted it (steward.inventory.field_access), on every page, API
response and feed alike."""

from django.db.models import Exists, OuterRef, QuerySet

from steward.activities.choices import ActivityKind
from steward.activities.models import Activity
from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.core.scoping import restrict
from steward.detection.choices import STANDING_STATUSES
from steward.detection.models import PersonalDataFinding
from steward.inventory.field_access import GUARDS, Masked, category_facts, guards_of, may_read


def _hides(guard: str) -> str:
    return "hides_" + guard.replace(".", "_")


def with_masks(activities: QuerySet[Activity], actor: Actor) -> QuerySet[Activity]:
    """`activities` annotated, for each grant `actor` lacks, with whether the note holds
    data needing it (one indexed EXISTS per grant, none for a role holding them all)."""
    lacking = [guard for guard in GUARDS if not may_read(actor, {guard})]
    if not lacking:
        return activities
    facts = category_facts()
    annotations = {}
    for guard in lacking:
        keys = [key for key in facts if guard in guards_of(key, facts)]
        annotations[_hides(guard)] = Exists(
            PersonalDataFinding.objects.filter(
                activity=OuterRef("pk"), status__in=STANDING_STATUSES, taxonomy_key__in=keys
            )
        )
    return activities.annotate(**annotations)


def activity_mask(activity: Activity) -> Masked | None:
    """What replaces the subject and body of `activity` for the reader it was read for
    through `with_masks`; None when they may read it."""
    guards = frozenset(g for g in GUARDS if getattr(activity, _hides(g), False))
    return Masked(guards) if guards else None


def timeline_for(*, actor: Actor, contact=None, organisation=None, deal=None) -> QuerySet[Activity]:
    """The activities on one record the actor may see, newest first."""
    qs = restrict(Activity.objects.all(), actor).select_related("author", "contact")
    if contact is not None:
        qs = qs.filter(contact=contact)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if deal is not None:
        qs = qs.filter(deal=deal)
    return with_masks(qs, actor).order_by("-occurred_at", "-created_at")


def activity_list(*, actor: Actor, kind: str = "", contact_id: str = "", open_tasks: bool = False):
    qs = restrict(Activity.objects.all(), actor).select_related("contact", "author")
    if kind:
        qs = qs.filter(kind=kind)
    if contact_id:
        qs = qs.filter(contact_id=contact_id)
    if open_tasks:
        qs = qs.filter(kind=ActivityKind.TASK, completed_at__isnull=True).order_by("due_at")
    return with_masks(qs, actor)


def open_tasks_for(*, actor: Actor) -> QuerySet[Activity]:
    """The actor's own open tasks, soonest due first (the dashboard's to-do list)."""
    return with_masks(
        Activity.objects.filter(owner=actor, kind=ActivityKind.TASK, completed_at__isnull=True)
        .select_related("contact")
        .order_by("due_at"),
        actor,
    )


def activity_get(*, actor: Actor, pk) -> Activity:
    try:
        return with_masks(restrict(Activity.objects.all(), actor), actor).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such activity.") from None
