"""Writes to deals and pipelines."""

from typing import Any

from django.db import transaction
from django.db.models import F, Max, ProtectedError
from django.utils import timezone

from steward.audit.events import audit_record
from steward.core.actor import Actor, SystemActor, actor_user
from steward.core.errors import Conflict, NotFound, ValidationFailed
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


def _stages_clean(stages) -> list[tuple[str, int, str]]:
    """Checks a new pipeline's stages: named, distinct, 0-100 %, at least one open."""
    clean, seen = [], set()
    for name, probability, outcome in stages:
        name = str(name).strip()
        if not name:
            raise ValidationFailed(
                "Every stage needs a name.", field_errors={"stages": ["A stage has no name."]}
            )
        if name.casefold() in seen:
            raise ValidationFailed(
                f"Two stages are called “{name}”.",
                field_errors={"stages": [f"Two stages are called “{name}”."]},
            )
        seen.add(name.casefold())
        if not 0 <= int(probability) <= 100:
            raise ValidationFailed(
                f"The probability of “{name}” must be between 0 and 100.",
                field_errors={"stages": [f"“{name}”: probability between 0 and 100."]},
            )
        if outcome not in StageOutcome.values:
            raise ValidationFailed(
                f"Unknown outcome {outcome!r}.", field_errors={"stages": ["Unknown outcome."]}
            )
        clean.append((name, int(probability), outcome))
    if not any(outcome == StageOutcome.OPEN for _, _, outcome in clean):
        raise ValidationFailed(
            "A pipeline needs at least one open stage, where new deals start.",
            field_errors={"stages": ["Add at least one open stage."]},
        )
    return clean


def _make_sole_default(actor: Actor, pipeline: Pipeline) -> None:
    """Makes `pipeline` the default and every other pipeline not, under a lock on all of
    them: two administrators choosing different defaults at once still leave exactly one."""
    locked = list(Pipeline.objects.select_for_update().order_by("pk"))
    for other in locked:
        if other.pk != pipeline.pk and other.is_default:
            update_audited(
                actor=actor, instance=other, data={"is_default": False}, action="pipeline.updated"
            )
    if not next(p for p in locked if p.pk == pipeline.pk).is_default:
        update_audited(
            actor=actor, instance=pipeline, data={"is_default": True}, action="pipeline.updated"
        )
    pipeline.is_default = True


def pipeline_create(
    *, actor: Actor, name: str, stages=DEFAULT_STAGES, is_default: bool = False
) -> Pipeline:
    """Creates a pipeline with its stages (name, probability, outcome) in order. The first
    pipeline, or one created as the default, becomes the only default."""
    require(actor, "staff.manage")
    stages = _stages_clean(stages)
    with transaction.atomic():
        # Locked first, so that two pipelines created at once cannot both find no default.
        existing = list(Pipeline.objects.select_for_update().order_by("pk"))
        is_default = is_default or not any(p.is_default for p in existing)
        pipeline = create_audited(
            actor=actor,
            model=Pipeline,
            data={"name": name.strip(), "is_default": is_default},
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
        if is_default:
            _make_sole_default(actor, pipeline)
    return pipeline


def pipeline_update(*, actor: Actor, pipeline: Pipeline, data: dict[str, Any]) -> Pipeline:
    """Renames a pipeline (the default is chosen with pipeline_set_default)."""
    require(actor, "staff.manage")
    editable_fields(Pipeline, data, ("name",))
    data = {"name": data["name"].strip()} if "name" in data else {}
    return update_audited(actor=actor, instance=pipeline, data=data, action="pipeline.updated")


def pipeline_set_default(*, actor: Actor, pipeline: Pipeline) -> Pipeline:
    """Makes `pipeline` the one default: where new deals start when none is chosen."""
    require(actor, "staff.manage")
    with transaction.atomic():
        _make_sole_default(actor, pipeline)
    return pipeline


def _stage_name_free(pipeline: Pipeline, name: str, exclude_pk=None) -> None:
    if pipeline.stages.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationFailed(
            f"Another stage of {pipeline} is called “{name}”.",
            field_errors={"name": [f"Another stage of this pipeline is called “{name}”."]},
        )


def _keeps_an_open_stage(pipeline: Pipeline, without: Stage) -> None:
    others = pipeline.stages.exclude(pk=without.pk).filter(outcome=StageOutcome.OPEN)
    if not others.exists():
        raise ValidationFailed(
            f"“{without}” is the last open stage of {pipeline}; new deals start in an open "
            "stage, so a pipeline keeps at least one.",
            field_errors={"outcome": ["A pipeline keeps at least one open stage."]},
        )


def _deals_in(stage: Stage) -> int:
    # Every deal, whoever can see it: a stage's deals are counted for the whole business.
    return Deal.objects.filter(stage=stage).count()


def _place(pipeline: Pipeline, ordered: list[Stage]) -> None:
    """Gives `ordered` the positions 0, 1, 2 ... Two phases in the caller's transaction, so
    that the unique (pipeline, position) constraint holds after every single UPDATE: first
    everything moves above the highest position in use, then each stage to its place."""
    stages = pipeline.stages.all()
    above = (stages.aggregate(top=Max("position"))["top"] or 0) + 1
    stages.update(position=F("position") + above)
    for position, stage in enumerate(ordered):
        Stage.objects.filter(pk=stage.pk).update(position=position)
        stage.position = position


def stage_add(
    *,
    actor: Actor,
    pipeline: Pipeline,
    name: str,
    probability: int = 0,
    outcome: str = StageOutcome.OPEN,
) -> Stage:
    """Adds a stage. An open stage goes before the won and lost stages, a closed one last."""
    require(actor, "staff.manage")
    name = name.strip()
    with transaction.atomic():
        Pipeline.objects.select_for_update().get(pk=pipeline.pk)
        _stage_name_free(pipeline, name)
        top = pipeline.stages.aggregate(top=Max("position"))["top"]
        stage = create_audited(
            actor=actor,
            model=Stage,
            data={
                "pipeline": pipeline,
                "name": name,
                "probability": probability,
                "outcome": outcome,
                "position": 0 if top is None else top + 1,
            },
            action="stage.added",
        )
        ordered = list(pipeline.stages.exclude(pk=stage.pk).order_by("position"))
        if outcome == StageOutcome.OPEN:
            closed = [i for i, s in enumerate(ordered) if s.outcome != StageOutcome.OPEN]
            if closed:
                ordered.insert(closed[0], stage)
                _place(pipeline, ordered)
    return stage


def stage_update(*, actor: Actor, stage: Stage, data: dict[str, Any]) -> Stage:
    """Renames a stage or changes its probability or outcome. The outcome of a stage that
    holds deals stays, or those deals would be open in a closed stage (or the reverse)."""
    require(actor, "staff.manage")
    editable_fields(Stage, data, ("name", "probability", "outcome"))
    data = dict(data)
    with transaction.atomic():
        current = Stage.objects.select_for_update().get(pk=stage.pk)
        if "name" in data:
            data["name"] = data["name"].strip()
            _stage_name_free(current.pipeline, data["name"], exclude_pk=current.pk)
        if "outcome" in data and data["outcome"] != current.outcome:
            if deals := _deals_in(current):
                raise ValidationFailed(
                    f"{deals} deal{'s are' if deals != 1 else ' is'} in “{current}”; move "
                    "them to another stage before changing whether it is open, won or lost.",
                    field_errors={"outcome": ["Move this stage's deals first."]},
                )
            if data["outcome"] != StageOutcome.OPEN:
                _keeps_an_open_stage(current.pipeline, current)
        return update_audited(actor=actor, instance=current, data=data, action="stage.updated")


def stage_delete(*, actor: Actor, stage: Stage) -> None:
    """Deletes a stage that holds no deals (deals are never deleted or moved as a side
    effect; the person deleting moves them first)."""
    require(actor, "staff.manage")
    with transaction.atomic():
        # The lock makes a deal moved into the stage meanwhile wait, then be counted.
        current = Stage.objects.select_for_update().filter(pk=stage.pk).first()
        if current is None:
            raise NotFound("No such stage.")
        if deals := _deals_in(current):
            raise Conflict(
                f"{deals} deal{'s are' if deals != 1 else ' is'} in “{current}”. Move "
                f"{'them' if deals != 1 else 'it'} to another stage first, then delete the stage.",
                field_errors={},
            )
        if current.outcome == StageOutcome.OPEN:
            _keeps_an_open_stage(current.pipeline, current)
        try:
            delete_audited(
                actor=actor,
                instance=current,
                action="stage.deleted",
                fields=("pipeline", "name", "position", "probability", "outcome"),
            )
        except ProtectedError:
            raise Conflict(
                f"Deals were moved into “{current}” meanwhile; move them first."
            ) from None


def stages_reorder(*, actor: Actor, pipeline: Pipeline, stages: list[Stage]) -> Pipeline:
    """Puts the pipeline's stages in the given order (all of them, each once)."""
    require(actor, "staff.manage")
    with transaction.atomic():
        Pipeline.objects.select_for_update().get(pk=pipeline.pk)
        current = list(pipeline.stages.order_by("position"))
        wanted = [s.pk for s in stages]
        if sorted(map(str, wanted)) != sorted(str(s.pk) for s in current):
            raise ValidationFailed(
                "Give every stage of the pipeline exactly once.",
                field_errors={"stages": ["The order must list every stage once."]},
            )
        if wanted == [s.pk for s in current]:
            return pipeline
        by_pk = {s.pk: s for s in current}
        ordered = [by_pk[pk] for pk in wanted]
        _place(pipeline, ordered)
        audit_record(
            actor=actor,
            action="pipeline.stages_reordered",
            target=pipeline,
            changes={"stages": [[s.name for s in current], [s.name for s in ordered]]},
        )
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


def pipeline_revise(
    *,
    actor: Actor,
    pipeline: Pipeline,
    name: str,
    stages: list[tuple[Stage, dict[str, Any]]],
    order: list[Stage],
) -> Pipeline:
    """Saves the pipeline settings form in one transaction: the pipeline's name, each
    stage's changes, and the order of the stages. Any refusal changes nothing; one about a
    stage names it, with field errors keyed "stages.<stage id>.<field>"."""
    require(actor, "staff.manage")
    with transaction.atomic():
        pipeline = pipeline_update(actor=actor, pipeline=pipeline, data={"name": name})
        for stage, data in stages:
            try:
                stage_update(actor=actor, stage=stage, data=data)
            except ValidationFailed as error:
                raise ValidationFailed(
                    f"Stage “{stage}”: {error.message}",
                    field_errors={
                        f"stages.{stage.pk}.{field}": messages
                        for field, messages in error.field_errors.items()
                    },
                ) from None
        stages_reorder(actor=actor, pipeline=pipeline, stages=order)
    return pipeline
