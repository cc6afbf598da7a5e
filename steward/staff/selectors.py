"""Reads of staff accounts and teams, for the administrator's settings pages. Staff and
teams are shared set-up, not records scoped to an owner: who may read them is decided by
the pages (the "staff.manage" permission)."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from steward.core.errors import NotFound
from steward.staff.models import Team, User
from steward.staff.roles import Role


def staff_list() -> QuerySet[User]:
    """Every staff account, active ones first, by name."""
    return User.objects.select_related("team").order_by("-is_active", "full_name", "email")


def staff_get(*, pk) -> User:
    try:
        return User.objects.select_related("team").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such staff account.") from None


def active_administrator_count() -> int:
    return User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).count()


def team_list() -> QuerySet[Team]:
    """Every team with the number of its active members (`active_members`)."""
    return Team.objects.annotate(
        active_members=Count("members", filter=Q(members__is_active=True))
    ).order_by("name")


def team_get(*, pk) -> Team:
    try:
        return Team.objects.get(pk=pk)
    except (Team.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such team.") from None
