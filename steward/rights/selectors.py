"""Reads of the rights workflow: the queue with its filters, one request, what is due."""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from steward.contacts.models import Contact
from steward.core.actor import Actor, SystemActor
from steward.core.errors import NotFound
from steward.core.scoping import restrict
from steward.processing.models import Recipient, RecipientStatus
from steward.rights.choices import OPEN_STATUSES, RequestKind, RequestStatus
from steward.rights.models import RightsRequest

VIEW = "rights.view"


@dataclass(frozen=True)
class RequestFilters:
    status: str = ""  # a status, "open" or "" (all)
    kind: str = ""
    due: str = ""  # "soon", "overdue" or ""
    assignee: str = ""  # a user id, "me", "none" or ""


def _visible_requests(actor: Actor) -> QuerySet[RightsRequest]:
    queryset = RightsRequest.objects.all()
    if isinstance(actor, SystemActor):
        return queryset
    if not actor.can(VIEW):
        return queryset.none()
    # A request about a person the actor may not see stays hidden (the roles that hold
    # rights.view see every record today; this keeps it so if that changes).
    visible = restrict(Contact.objects.all(), actor).values("pk")
    return queryset.filter(Q(contact__isnull=True) | Q(contact__in=visible))


def with_effective_due(queryset: QuerySet[RightsRequest]) -> QuerySet[RightsRequest]:
    return queryset.annotate(effective_due=Coalesce(F("extended_due_on"), F("due_on")))


def request_list(
    *, actor: Actor, filters: RequestFilters | None = None, today: datetime.date | None = None
) -> QuerySet[RightsRequest]:
    """The queue: open requests first by due date, then the closed ones."""
    filters = filters or RequestFilters()
    today = today or timezone.localdate()
    queryset = with_effective_due(_visible_requests(actor)).select_related("assignee", "contact")
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status in RequestStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.kind in RequestKind.values:
        queryset = queryset.filter(kind=filters.kind)
    if filters.due == "overdue":
        queryset = queryset.filter(status__in=OPEN_STATUSES, effective_due__lt=today)
    elif filters.due == "soon":
        horizon = today + datetime.timedelta(days=settings.STEWARD_RIGHTS_REMIND_DAYS)
        queryset = queryset.filter(
            status__in=OPEN_STATUSES, effective_due__gte=today, effective_due__lte=horizon
        )
    if filters.assignee == "me" and not isinstance(actor, SystemActor):
        queryset = queryset.filter(assignee=actor)
    elif filters.assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee:
        try:
            queryset = queryset.filter(assignee_id=uuid.UUID(filters.assignee))
        except ValueError:
            queryset = queryset.none()
    return queryset.order_by("closed_at", "effective_due", "received_at")


def request_get(*, actor: Actor, pk) -> RightsRequest:
    try:
        return (
            _visible_requests(actor).select_related("assignee", "contact", "related_to").get(pk=pk)
        )
    except (RightsRequest.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such request.") from None


def request_for_portal(pk: str) -> RightsRequest | None:
    """A request by the id in a genuine signed link (no actor: the link is the authority)."""
    try:
        return RightsRequest.objects.select_related("contact").get(pk=pk)
    except (RightsRequest.DoesNotExist, ValueError, ValidationError):
        return None


def requests_due_within(*, days: int, today: datetime.date) -> QuerySet[RightsRequest]:
    """Open requests due within `days` days of `today`, and overdue ones."""
    horizon = today + datetime.timedelta(days=days)
    return (
        with_effective_due(RightsRequest.objects.filter(status__in=OPEN_STATUSES))
        .filter(effective_due__lte=horizon)
        .select_related("assignee")
    )


def requests_of_contact(*, actor: Actor, contact: Contact) -> QuerySet[RightsRequest]:
    return with_effective_due(_visible_requests(actor).filter(contact=contact)).order_by(
        "-received_at"
    )


def recipients_for(contact: Contact | None, *, at=None) -> list[Recipient]:
    """Art. 19: the recipients to tell of a rectification, erasure or restriction: the
    register's recipients in use for the purposes the processing gate allowed for the
    person when the request arrived (`at`), i.e. those their data went to. Without a
    contact (erased already), every recipient in use for an active purpose."""
    from steward.processing.gate import decisions_for

    recipients = Recipient.objects.filter(status=RecipientStatus.ACTIVE, purposes__active=True)
    if contact is not None:
        keys = [d.purpose_key for d in decisions_for(contact=contact, at=at) if d.allowed]
        recipients = recipients.filter(purposes__key__in=keys)
    return list(recipients.distinct().order_by("name"))
