"""Reads of deals and the pipeline."""

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.core.scoping import restrict
from steward.deals.models import Deal, Pipeline, Stage


def deal_list(
    *,
    actor: Actor,
    stage_id: str = "",
    contact_id: str = "",
    organisation_id: str = "",
    open_only: bool = False,
) -> QuerySet[Deal]:
    qs = restrict(Deal.objects.all(), actor).select_related(
        "stage", "contact", "organisation", "owner"
    )
    if stage_id:
        qs = qs.filter(stage_id=stage_id)
    if contact_id:
        qs = qs.filter(contact_id=contact_id)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    return qs


def deal_get(*, actor: Actor, pk) -> Deal:
    try:
        return restrict(Deal.objects.all(), actor).select_related("stage", "pipeline").get(pk=pk)
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such deal.") from None


def pipeline_board(*, actor: Actor, pipeline: Pipeline, per_stage: int = 50) -> list[dict]:
    """Per stage of the pipeline: the stage, its deal count and total amount, and its most
    recently moved deals (the board shows the first `per_stage`)."""
    visible = restrict(Deal.objects.filter(pipeline=pipeline), actor)
    totals = {
        row["stage_id"]: row
        for row in visible.values("stage_id").annotate(count=Count("id"), total=Sum("amount"))
    }
    columns = []
    for stage in Stage.objects.filter(pipeline=pipeline).order_by("position"):
        row = totals.get(stage.pk, {})
        columns.append(
            {
                "stage": stage,
                "count": row.get("count", 0),
                "total": row.get("total") or Decimal(0),
                "deals": list(
                    visible.filter(stage=stage)
                    .select_related("contact", "organisation", "owner")
                    .order_by("-updated_at")[:per_stage]
                ),
            }
        )
    return columns
