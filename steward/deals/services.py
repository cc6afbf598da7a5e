"""Writes to deals and pipelines."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from steward.audit.events import audit_record
from steward.core.actor import Actor, SystemActor, actor_user
from steward.core.errors import NotFound, ValidationFailed
from steward.core.permissions import require
from steward.core.scoping import may_see
from steward.core.writes import create_audited, delete_audited, editable_fields, update_audited
from steward.deals.choices import StageOutcome
from steward.deals.models import Deal, Pipeline, Stage

DEAL_FIELDS = (
    "title", "pipeline", "stage", "amount", "currency", "expected_close_date", "contact",
    "organisation", "owner", "team",
)  # fmt: skip

DEFAULT_STAGES = (
    ("Qualification", 10, StageOutcome.OPEN),
    ("Needs analysis", 25, StageOutcome.OPEN),
    ("Proposal", 50, StageOutcome.OPEN),
    ("Negotiation", 75, StageOutcome.OPEN),
    ("Won", 100, StageOutcome.WON),
    ("Lost", 0, StageOutcome.LOST),
)


def pipeline_create(
    *, actor: Actor, name: str, stages=DEFAULT_STAGES, is_default: bool = False
) -> Pipeline:
    """Creates a pipeline with its stages (name, probability, outcome) in order."""
    require(actor, "staff.manage")
    with transaction.atomic():
        pipeline = create_audited(
            actor=actor,
            model=Pipeline,
            data={"name": name, "is_default": is_default},
            action="pipeline.created",
        )
        for position, (stage_name, probability, outcome) in enumerate(stages):
            Stage.objects.create(
                pipeline=pipeline,
                name=stage_name,
                position=position,
                probability=probability,
                outcome=outcome,
            )
        audit_record(
            actor=actor, action="pipeline.stages_set", target=pipeline,
            changes={"stages": [None, [s[0] for s in stages]]},
        )  # fmt: skip
    return pipeline


def default_pipeline(*, actor: Actor) -> Pipeline:
    """The default pipeline, created with standard stages the first time it is needed."""
    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
    if pipeline is None:
        pipeline = pipeline_create(actor=SystemActor("setup"), name="Sales", is_default=True)
    return pipeline


def _closing_fields(stage: Stage, current_closed_at) -> dict[str, Any]:
    """Entering a won or lost stage closes the deal; moving back to an open stage reopens it."""
    if stage.outcome == StageOutcome.OPEN:
        return {"closed_at": None}
    return {"closed_at": current_closed_at or timezone.now()}


def _check(actor: Actor, data: dict[str, Any]) -> None:
    for key in ("contact", "organisation"):
        if data.get(key) is not None and not may_see(data[key], actor):
            raise NotFound("No such record, or it is outside what you may see.")
    stage, pipeline = data.get("stage"), data.get("pipeline")
    if stage is not None and pipeline is not None and stage.pipeline_id != pipeline.pk:
        raise ValidationFailed(
            "That stage belongs to another pipeline.",
            field_errors={"stage": ["Choose a stage of this pipeline."]},
        )


def deal_create(*, actor: Actor, data: dict[str, Any]) -> Deal:
    """Opens a deal; without a stage it starts in the first stage of the default pipeline."""
    require(actor, "deals.add")
    editable_fields(Deal, data, DEAL_FIELDS)
    data = dict(data)
    if data.get("stage") is not None:
        data.setdefault("pipeline", data["stage"].pipeline)
    else:
        data.setdefault("pipeline", default_pipeline(actor=actor))
        data["stage"] = data["pipeline"].stages.order_by("position").first()
    _check(actor, data)
    if not isinstance(actor, SystemActor):
        data.setdefault("owner", actor_user(actor))
        data.setdefault("team", actor.team)
    data.update(_closing_fields(data["stage"], None))
    return create_audited(actor=actor, model=Deal, data=data, action="deal.created")


def deal_update(*, actor: Actor, deal: Deal, data: dict[str, Any]) -> Deal:
    require(actor, "deals.change")
    if not may_see(deal, actor):
        raise NotFound("No such deal.")
    editable_fields(Deal, data, DEAL_FIELDS)
    data = dict(data)
    if "stage" in data and data["stage"] is not None:
        data.setdefault("pipeline", data["stage"].pipeline)
        data.update(_closing_fields(data["stage"], deal.closed_at))
    _check(actor, {"pipeline": deal.pipeline, "stage": deal.stage} | data)
    return update_audited(actor=actor, instance=deal, data=data, action="deal.updated")


def deal_move(*, actor: Actor, deal: Deal, stage: Stage) -> Deal:
    """Moves a deal to another stage (the deal board's drag and drop)."""
    return deal_update(actor=actor, deal=deal, data={"stage": stage})


def deal_delete(*, actor: Actor, deal: Deal) -> None:
    require(actor, "deals.delete")
    if not may_see(deal, actor):
        raise NotFound("No such deal.")
    delete_audited(actor=actor, instance=deal, action="deal.deleted", fields=DEAL_FIELDS)
