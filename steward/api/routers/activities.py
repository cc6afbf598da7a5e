"""/activities: the timeline of notes, calls, meetings, logged emails and tasks."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from steward.activities.selectors import activity_get, activity_list
from steward.activities.services import (
    activity_delete,
    activity_log,
    activity_update,
    task_complete,
)
from steward.api.errors import errors
from steward.api.pagination import changed_since, paginate
from steward.api.references import with_records
from steward.api.schemas import (
    ActivityIn,
    ActivityListParams,
    ActivityOut,
    ActivityPage,
    ActivityPatch,
    PageParams,
)
from steward.audit.reads import audited_page

router = Router(tags=["activities"])


@router.get("", response={200: ActivityPage, **errors(422)})
def list_activities(
    request: HttpRequest, filters: Query[ActivityListParams], page: Query[PageParams]
):
    """Activities you may see, newest first (open tasks: soonest due first)."""
    queryset = activity_list(
        actor=request.auth,
        kind=filters.kind or "",
        contact_id=str(filters.contact or ""),
        open_tasks=filters.open_tasks,
    )
    if filters.organisation is not None:
        queryset = queryset.filter(organisation_id=filters.organisation)
    if filters.deal is not None:
        queryset = queryset.filter(deal_id=filters.deal)
    # A unique last sort key keeps pages stable when timestamps tie.
    ordering = ("due_at", "id") if filters.open_tasks else ("-occurred_at", "-id")
    queryset = changed_since(queryset, filters).order_by(*ordering)
    return audited_page(request, "activities.activity", paginate(request, queryset, page))


@router.post("", response={201: ActivityOut, **errors(403, 422)})
def create_activity(request: HttpRequest, payload: ActivityIn):
    """Logs an activity on a contact, organisation or deal."""
    data = with_records(request.auth, payload.model_dump(exclude_unset=True))
    return Status(201, activity_log(actor=request.auth, data=data))


@router.get("/{activity_id}", response={200: ActivityOut, **errors(404, 422)})
def get_activity(request: HttpRequest, activity_id: UUID):
    """One activity."""
    return activity_get(actor=request.auth, pk=activity_id)


@router.patch("/{activity_id}", response={200: ActivityOut, **errors(403, 404, 422)})
def update_activity(request: HttpRequest, activity_id: UUID, payload: ActivityPatch):
    """Changes the fields sent."""
    activity = activity_get(actor=request.auth, pk=activity_id)
    data = with_records(request.auth, payload.model_dump(exclude_unset=True))
    return activity_update(actor=request.auth, activity=activity, data=data)


@router.post("/{activity_id}/complete", response={200: ActivityOut, **errors(403, 404, 422)})
def complete_task(request: HttpRequest, activity_id: UUID):
    """Marks an open task done now."""
    activity = activity_get(actor=request.auth, pk=activity_id)
    return task_complete(actor=request.auth, activity=activity)


@router.delete("/{activity_id}", response={204: None, **errors(403, 404, 422)})
def delete_activity(request: HttpRequest, activity_id: UUID):
    """Deletes an activity."""
    activity = activity_get(actor=request.auth, pk=activity_id)
    activity_delete(actor=request.auth, activity=activity)
    return Status(204, None)
