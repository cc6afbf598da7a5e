"""The shared mechanics of a service write: validate, save, audit, in one transaction.

Domain services (contact_create, deal_update, ...) check permissions and domain rules, then
call these; nothing else in Steward calls `.save()` on a domain model."""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector

from steward.audit.events import audit_record, audit_record_many, audit_value, diff, snapshot
from steward.core.actor import Actor
from steward.core.errors import ValidationFailed

M = TypeVar("M", bound=models.Model)


def field_errors_of(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("form" if field == "__all__" else field): [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"form": list(error.messages)}


def validated[M: models.Model](instance: M, *, exclude: Iterable[str] = ()) -> M:
    """Runs the model's validation; raises ValidationFailed naming each bad field."""
    try:
        instance.full_clean(exclude=list(exclude))
    except DjangoValidationError as error:
        errors = field_errors_of(error)
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        raise ValidationFailed(f"Please correct: {summary}", field_errors=errors) from None
    return instance


def editable_fields(
    model: type[models.Model], data: dict[str, Any], allowed: Iterable[str]
) -> None:
    """Refuses keys that are not fields a caller may set (a typo must not pass silently)."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(unknown)}",
            field_errors={
                name: ["This field does not exist or cannot be set."] for name in unknown
            },
        )


def create_audited[M: models.Model](
    *, actor: Actor, model: type[M], data: dict[str, Any], action: str, m2m: dict | None = None
) -> M:
    """Creates a validated row and its audit event (all new values) in one transaction."""
    with transaction.atomic():
        instance = validated(model(**data))
        instance.save(force_insert=True)
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        fields = list(data) + list(m2m or {})
        after = snapshot(instance, [f for f in fields if f not in (m2m or {})])
        for name, values in (m2m or {}).items():
            after[name] = sorted(str(getattr(v, "pk", v)) for v in values)
        audit_record(actor=actor, action=action, target=instance, changes=diff({}, after))
    return instance


def update_audited[M: models.Model](
    *, actor: Actor, instance: M, data: dict[str, Any], action: str, m2m: dict | None = None
) -> M:
    """Applies `data` to a row under a row lock; audits old and new values of what changed.
    A call that changes nothing writes nothing, not even an audit row."""
    model = type(instance)
    with transaction.atomic():
        # Re-read under lock: two editors must not both diff against the same stale copy.
        current = model._default_manager.select_for_update().get(pk=instance.pk)
        before = snapshot(current, data.keys())
        for name, value in data.items():
            setattr(current, name, value)
        validated(current)
        after = snapshot(current, data.keys())
        changes = diff(before, after)
        for name, values in (m2m or {}).items():
            old = sorted(str(pk) for pk in getattr(current, name).values_list("pk", flat=True))
            new = sorted(str(getattr(v, "pk", v)) for v in values)
            if old != new:
                getattr(current, name).set(values)
                changes[name] = [old, new]
        if changes:
            current.save(update_fields=[*[k for k in data if k in changes], "updated_at"])
            audit_record(actor=actor, action=action, target=current, changes=changes)
    return current


def delete_audited(
    *, actor: Actor, instance: models.Model, action: str, fields: Iterable[str]
) -> None:
    """Deletes a row and records the values it held. Rows the database deletes or changes
    along with it (a contact's activities, contacts losing their deleted organisation) get
    their own audit events, so the trail of every record ends where the record did."""
    with transaction.atomic():
        before = snapshot(instance, fields)
        audit_record(actor=actor, action=action, target=instance, changes=diff(before, {}))
        _audit_cascade(actor, instance)
        instance.delete()


def _audit_cascade(actor: Actor, instance: models.Model) -> None:
    collector = Collector(using=router.db_for_write(type(instance)))
    collector.collect([instance])
    cause = {"deleted_with": f"{instance._meta.label_lower}:{instance.pk}"}
    deleted: dict[type[models.Model], list] = {}
    for model, objs in collector.data.items():
        deleted.setdefault(model, []).extend(o for o in objs if o is not instance)
    for queryset in collector.fast_deletes:
        deleted.setdefault(queryset.model, []).extend(queryset.only("pk"))
    for model, objs in deleted.items():
        # Link rows of a many-to-many field belong to the parent's own audit event.
        if objs and not model._meta.auto_created:
            audit_record_many(
                actor=actor, action=f"{model._meta.model_name}.deleted", targets=objs, context=cause
            )
    for (field, value), batches in collector.field_updates.items():
        for objs in batches:
            targets = list(objs.only("pk")) if hasattr(objs, "only") else list(objs)
            if targets:
                audit_record_many(
                    actor=actor,
                    action=f"{field.model._meta.model_name}.updated",
                    targets=targets,
                    changes={field.name: [str(instance.pk), audit_value(value)]},
                    context=cause,
                )
