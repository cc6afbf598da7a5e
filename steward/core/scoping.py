"""Record visibility: which rows a staff user may see. Every selector that returns
owner/team-scoped records narrows its queryset here (NetBox's `.restrict(user)`)."""

from django.conf import settings
from django.db.models import Q, QuerySet

from steward.core.actor import Actor, SystemActor
from steward.staff.roles import SEES_ALL_RECORDS


def restrict(queryset: QuerySet, actor: Actor) -> QuerySet:
    """Narrows `queryset` (of a model with `owner` and `team`) to what `actor` may see."""
    if isinstance(actor, SystemActor):
        return queryset
    if not actor.is_active:
        return queryset.none()
    scope = settings.STEWARD_RECORD_SCOPE
    if scope == "all" or actor.role in SEES_ALL_RECORDS:
        return queryset
    if scope == "owner" or actor.team_id is None:
        return queryset.filter(owner=actor)
    return queryset.filter(Q(owner=actor) | Q(team_id=actor.team_id))


def may_see(instance, actor: Actor) -> bool:
    """Whether `actor` may see this one record (same rule as `restrict`)."""
    return restrict(type(instance)._default_manager.filter(pk=instance.pk), actor).exists()
