"""Reads of deals and the pipeline."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet, Sum

from steward.contacts.models import Contact, Organisation
from steward.contacts.selectors import (
    ContactFilters,
    contact_get,
    contact_list,
    organisation_get,
    organisation_list,
)
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


def pipeline_list() -> QuerySet[Pipeline]:
    """Every pipeline, the default first. Pipelines are shared set-up, not scoped records."""
    return Pipeline.objects.order_by("-is_default", "name")


def pipeline_default() -> Pipeline | None:
    """The default pipeline (or the first one); None before any exists."""
    return pipeline_list().first()


def pipeline_get(*, pk) -> Pipeline:
    try:
        return Pipeline.objects.get(pk=pk)
    except (Pipeline.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such pipeline.") from None


def stage_choices() -> QuerySet[Stage]:
    """Every stage a deal can be put in, grouped by pipeline (default pipeline first)."""
    return Stage.objects.select_related("pipeline").order_by(
        "-pipeline__is_default", "pipeline__name", "position"
    )


def party_search(*, actor: Actor, kind: str, query: str, limit: int = 20) -> list:
    """The first `limit` contacts (kind "contact") or organisations the actor may see that
    match `query`: what the deal form's pickers offer."""
    if kind == "contact":
        return list(contact_list(actor=actor, filters=ContactFilters(search=query))[:limit])
    return list(organisation_list(actor=actor, search=query)[:limit])


def party_get(*, actor: Actor, kind: str, pk) -> Contact | Organisation:
    """One contact or organisation the actor may see, or NotFound."""
    return (contact_get if kind == "contact" else organisation_get)(actor=actor, pk=pk)


def stage_get(*, pipeline: Pipeline, pk) -> Stage:
    """A stage of `pipeline`, or NotFound (a deal is moved only within its pipeline)."""
    try:
        return pipeline.stages.get(pk=pk)
    except (Stage.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such stage in this pipeline.") from None


def pipeline_board(*, actor: Actor, pipeline: Pipeline, per_stage: int = 50) -> list[dict]:
    """Per stage of the pipeline: the stage, its deal count, its total amount per currency
    (`totals`, largest first; `total` sums them for single-currency use), and its most
    recently moved deals (the board shows the first `per_stage`)."""
    visible = restrict(Deal.objects.filter(pipeline=pipeline), actor)
    sums: dict = {}
    for row in visible.values("stage_id", "currency").annotate(
        count=Count("id"), total=Sum("amount")
    ):
        stage_sums = sums.setdefault(row["stage_id"], {"count": 0, "totals": []})
        stage_sums["count"] += row["count"]
        stage_sums["totals"].append((row["currency"], row["total"] or Decimal(0)))
    columns = []
    for stage in Stage.objects.filter(pipeline=pipeline).order_by("position"):
        row = sums.get(stage.pk, {"count": 0, "totals": []})
        totals = sorted(row["totals"], key=lambda pair: (-pair[1], pair[0]))
        columns.append(
            {
                "stage": stage,
                "count": row["count"],
                "total": sum((amount for _, amount in totals), Decimal(0)),
                "totals": totals,
                "deals": list(
                    visible.filter(stage=stage)
                    .select_related("contact", "organisation", "owner")
                    .order_by("-updated_at")[:per_stage]
                ),
            }
        )
    return columns


def pipelines_with_stages() -> list[Pipeline]:
    """Every pipeline (default first) with its stages in order, each stage carrying the
    number of deals in it (`deal_count`, all deals whoever owns them): the settings page
    says what a change would touch."""
    stages = Stage.objects.annotate(deal_count=Count("deals")).order_by("position")
    return list(pipeline_list().prefetch_related(Prefetch("stages", queryset=stages)))


def stages_with_deal_counts(*, pipeline: Pipeline) -> list[Stage]:
    """The pipeline's stages in order, each with `deal_count` (all deals, whoever owns
    them)."""
    return list(pipeline.stages.annotate(deal_count=Count("deals")).order_by("position"))


def stage_deal_count(*, stage: Stage) -> int:
    """How many deals are in the stage, whoever owns them (what deleting it would touch)."""
    return Deal.objects.filter(stage=stage).count()
