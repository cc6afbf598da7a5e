"""/deals and /pipelines: sales in progress and the stages they move through."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from steward.api.errors import errors
from steward.api.pagination import changed_since, paginate
from steward.api.references import with_records
from steward.api.schemas import (
    DealIn,
    DealListParams,
    DealOut,
    DealPage,
    DealPatch,
    PageParams,
    PipelineOut,
)
from steward.audit.reads import audited_page
from steward.deals.selectors import deal_get, deal_list, pipeline_list
from steward.deals.services import deal_create, deal_delete, deal_update

router = Router(tags=["deals"])
pipelines_router = Router(tags=["deals"])


@router.get("", response={200: DealPage, **errors(422)})
def list_deals(request: HttpRequest, filters: Query[DealListParams], page: Query[PageParams]):
    """Deals you may see, newest first."""
    queryset = deal_list(
        actor=request.auth,
        stage_id=str(filters.stage or ""),
        contact_id=str(filters.contact or ""),
        organisation_id=str(filters.organisation or ""),
        open_only=filters.open,
    )
    if filters.pipeline is not None:
        queryset = queryset.filter(pipeline_id=filters.pipeline)
    queryset = changed_since(queryset, filters).order_by("-created_at", "-id")
    return audited_page(request, "deals.deal", paginate(request, queryset, page))


@router.post("", response={201: DealOut, **errors(403, 404, 422)})
def create_deal(request: HttpRequest, payload: DealIn):
    """Opens a deal."""
    data = with_records(request.auth, payload.model_dump(exclude_unset=True))
    return Status(201, deal_create(actor=request.auth, data=data))


@router.get("/{deal_id}", response={200: DealOut, **errors(404, 422)})
def get_deal(request: HttpRequest, deal_id: UUID):
    """One deal."""
    return deal_get(actor=request.auth, pk=deal_id)


@router.patch("/{deal_id}", response={200: DealOut, **errors(403, 404, 422)})
def update_deal(request: HttpRequest, deal_id: UUID, payload: DealPatch):
    """Changes the fields sent; a new stage moves the deal (and closes it if won or lost)."""
    deal = deal_get(actor=request.auth, pk=deal_id)
    data = with_records(request.auth, payload.model_dump(exclude_unset=True))
    return deal_update(actor=request.auth, deal=deal, data=data)


@router.delete("/{deal_id}", response={204: None, **errors(403, 404, 422)})
def delete_deal(request: HttpRequest, deal_id: UUID):
    """Deletes a deal."""
    deal = deal_get(actor=request.auth, pk=deal_id)
    deal_delete(actor=request.auth, deal=deal)
    return Status(204, None)


@pipelines_router.get("", response={200: list[PipelineOut], **errors()})
def list_pipelines(request: HttpRequest):
    """Pipelines and their stages: the ids a deal's `stage` takes."""
    return list(pipeline_list().prefetch_related("stages"))
