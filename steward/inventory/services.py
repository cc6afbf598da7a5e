"""Changing the taxonomy: the built-in rows kept in step with the code, and the categories an
operator adds or edits. A category is never less sensitive than its parent: a rule about
"special" (an Art. 9(2) condition, field access, encryption) must reach everything under it."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from steward.core.actor import Actor, SystemActor
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import require
from steward.core.writes import create_audited, editable_fields, update_audited
from steward.inventory.models import DataCategory
from steward.inventory.taxonomy import (
    BUILTIN_CATEGORIES,
    KEY_MAX_LENGTH,
    Sensitivity,
    ancestors,
    parent_of,
    sensitivity_at_least,
)

SYNC_ACTOR = SystemActor("taxonomy-sync")
CATEGORY_EDITABLE = ("label", "description", "sensitivity", "concerns_children")
_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_NAME_HELP = "One lower-case word: letters, digits and _, starting with a letter."


@dataclass
class SyncResult:
    """What one `taxonomy_sync` run changed, by key."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


def taxonomy_sync(*, actor: Actor = SYNC_ACTOR) -> SyncResult:
    """Brings the built-in rows in step with `BUILTIN_CATEGORIES`; idempotent, run after
    every migrate. Code decides a built-in's label and description; a sensitivity or
    children flag an operator raised stays raised. Categories under a built-in whose
    sensitivity code raised are raised with it. A key code no longer ships stays (data may
    be classified under it) as an operator's category.

    Creating a missing built-in row is not audited: the row is a copy of code whose
    history is the repository's, and a fresh database would start with a trail of
    copies. Every change to an existing row is audited."""
    result = SyncResult()
    with transaction.atomic():
        rows = {row.key: row for row in DataCategory.objects.select_for_update()}
        missing = []
        for key, builtin in BUILTIN_CATEGORIES.items():
            row = rows.get(key)
            if row is None:
                missing.append(
                    DataCategory(
                        key=key,
                        label=builtin.label,
                        description=builtin.description,
                        sensitivity=builtin.sensitivity,
                        concerns_children=builtin.concerns_children,
                        builtin=True,
                    )
                )
                continue
            changes: dict[str, Any] = {}
            if not row.builtin:
                changes["builtin"] = True
            if row.label != builtin.label:
                changes["label"] = builtin.label
            if row.description != builtin.description:
                changes["description"] = builtin.description
            if not sensitivity_at_least(row.sensitivity, builtin.sensitivity):
                changes["sensitivity"] = builtin.sensitivity
            if builtin.concerns_children and not row.concerns_children:
                changes["concerns_children"] = True
            if changes:
                rows[key] = update_audited(
                    actor=actor, instance=row, data=changes, action="data_category.synced"
                )
                result.updated.append(key)
        # Two processes migrating the same fresh database both find the rows missing; the
        # unique key lets the first insert win and the second skip them.
        DataCategory.objects.bulk_create(missing, ignore_conflicts=True)
        result.created = [row.key for row in missing]
        for key, row in rows.items():
            if row.builtin and key not in BUILTIN_CATEGORIES:
                rows[key] = update_audited(
                    actor=actor,
                    instance=row,
                    data={"builtin": False},
                    action="data_category.synced",
                )
                result.retired.append(key)
        # Parents first, so that a raise travels all the way down in one pass. Rows just
        # created need no lift: the constant obeys the floor (a test proves it).
        tree = {**rows, **{row.key: row for row in missing}}
        for key in sorted(rows, key=lambda k: k.count(".")):
            parent = tree.get(parent_of(key))
            lifted = _lifted_below(parent, rows[key]) if parent is not None else {}
            if lifted:
                rows[key] = tree[key] = update_audited(
                    actor=actor, instance=rows[key], data=lifted, action="data_category.synced"
                )
                if key not in result.updated:
                    result.updated.append(key)
    return result


def _lifted_below(parent: DataCategory, row: DataCategory) -> dict[str, Any]:
    """What `row` must change to sit under `parent`: its sensitivity and children flag
    raised to the parent's. Between two different raised regimes (special, criminal) the
    parent's wins; `data_category_update` refuses such a change before it gets here."""
    lifted: dict[str, Any] = {}
    if not sensitivity_at_least(row.sensitivity, parent.sensitivity):
        lifted["sensitivity"] = parent.sensitivity
    if parent.concerns_children and not row.concerns_children:
        lifted["concerns_children"] = True
    return lifted


def _sensitivity_clean(value: Any) -> str:
    if value not in Sensitivity.values:
        raise ValidationFailed(
            f"Unknown sensitivity {value!r}.",
            field_errors={"sensitivity": [f"Choose one of: {', '.join(Sensitivity.values)}."]},
        )
    return value


def _refuse_below_parent(parent: DataCategory | None, sensitivity: str) -> None:
    if parent is not None and not sensitivity_at_least(sensitivity, parent.sensitivity):
        message = (
            f"A category under “{parent.label}” is at least "
            f"{Sensitivity(parent.sensitivity).label.lower()}."
        )
        raise ValidationFailed(message, field_errors={"sensitivity": [message]})


def data_category_add(
    *,
    actor: Actor,
    parent_key: str,
    name: str,
    label: str,
    description: str = "",
    sensitivity: str | None = None,
    concerns_children: bool = False,
) -> DataCategory:
    """Adds an operator's category under `parent_key` ("" for the top level), keyed
    "<parent_key>.<name>". Without a sensitivity it takes the parent's; it can be no lower
    than the parent's, and under a children's category it concerns children too."""
    require(actor, "inventory.manage")
    name, label, description = name.strip(), label.strip(), description.strip()
    parent_key = parent_key.strip()
    key = f"{parent_key}.{name}" if parent_key else name
    if not _NAME_PATTERN.fullmatch(name):
        raise ValidationFailed(f"Invalid name {name!r}.", field_errors={"name": [_NAME_HELP]})
    if len(key) > KEY_MAX_LENGTH:
        message = f"The key {key!r} is longer than {KEY_MAX_LENGTH} characters."
        raise ValidationFailed(message, field_errors={"name": [message]})
    try:
        return _category_insert(
            actor, parent_key, key, label, description, sensitivity, concerns_children
        )
    except IntegrityError:
        # Two people adding the same top-level key at once: the unique key decides.
        raise _exists(key) from None


def _exists(key: str) -> Conflict:
    return Conflict(
        f"The category {key!r} already exists.",
        field_errors={"name": ["A category with this key exists; choose another name."]},
    )


def _category_insert(
    actor: Actor,
    parent_key: str,
    key: str,
    label: str,
    description: str,
    sensitivity: str | None,
    concerns_children: bool,
) -> DataCategory:
    with transaction.atomic():
        # The parent stays locked until the new row commits: a concurrent raise of the
        # parent's sensitivity would otherwise miss this child and leave it below.
        parent = None
        if parent_key:
            parent = DataCategory.objects.select_for_update().filter(key=parent_key).first()
            if parent is None:
                message = f"No category {parent_key!r} to add under."
                raise ValidationFailed(message, field_errors={"parent": [message]})
        if sensitivity is None or sensitivity == "":
            sensitivity = parent.sensitivity if parent else Sensitivity.PERSONAL
        sensitivity = _sensitivity_clean(sensitivity)
        _refuse_below_parent(parent, sensitivity)
        if key in BUILTIN_CATEGORIES or DataCategory.objects.filter(key=key).exists():
            raise _exists(key)
        return create_audited(
            actor=actor,
            model=DataCategory,
            data={
                "key": key,
                "label": label,
                "description": description,
                "sensitivity": sensitivity,
                "concerns_children": bool(
                    concerns_children or (parent and parent.concerns_children)
                ),
            },
            action="data_category.added",
        )


def data_category_update(
    *, actor: Actor, category: DataCategory, data: dict[str, Any]
) -> DataCategory:
    """Changes a category's label, description, sensitivity or children flag. A built-in
    keeps the label and description code gives it and cannot go below its built-in
    sensitivity; no category goes below its parent's. Raising a category raises the
    categories under it, each audited; a child in the other raised regime (special under
    a category made criminal) is refused, not silently moved."""
    require(actor, "inventory.manage")
    editable_fields(DataCategory, data, CATEGORY_EDITABLE)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    with transaction.atomic():
        # Lock the category, its ancestors and its descendants: the floor from above and
        # the raise below are checked and written against rows nobody changes meanwhile.
        key = category.key
        family = {
            row.key: row
            for row in DataCategory.objects.select_for_update().filter(
                Q(key=key) | Q(key__startswith=key + ".") | Q(key__in=ancestors(key))
            )
        }
        current = family.get(key)
        if current is None:
            raise NotFound("No such data category.")
        parent = family.get(parent_of(key))
        builtin = BUILTIN_CATEGORIES.get(key) if current.builtin else None
        if builtin is not None:
            for name in ("label", "description"):
                if name in data and data[name] != getattr(current, name):
                    message = "A built-in category keeps the wording Steward's code gives it."
                    raise ValidationFailed(message, field_errors={name: [message]})
        if "label" in data and not data["label"]:
            raise ValidationFailed("A label is required.", field_errors={"label": ["Required."]})
        sensitivity = _sensitivity_clean(data.get("sensitivity", current.sensitivity))
        if builtin is not None and not sensitivity_at_least(sensitivity, builtin.sensitivity):
            message = (
                f"“{current.label}” is built in as "
                f"{Sensitivity(builtin.sensitivity).label.lower()}; it cannot be lowered."
            )
            raise ValidationFailed(message, field_errors={"sensitivity": [message]})
        _refuse_below_parent(parent, sensitivity)
        children_flag = bool(data.get("concerns_children", current.concerns_children))
        if not children_flag and (
            (builtin is not None and builtin.concerns_children)
            or (parent is not None and parent.concerns_children)
        ):
            message = "This category concerns children by its place in the taxonomy."
            raise ValidationFailed(message, field_errors={"concerns_children": [message]})
        if "concerns_children" in data:
            data["concerns_children"] = children_flag
        descendants = sorted(
            (row for k, row in family.items() if k.startswith(key + ".")),
            key=lambda row: row.key.count("."),
        )
        clashing = [
            row.key
            for row in descendants
            if row.sensitivity != Sensitivity.PERSONAL
            and not sensitivity_at_least(row.sensitivity, sensitivity)
        ]
        if clashing:
            message = (
                f"Categories under it are {Sensitivity(family[clashing[0]].sensitivity).label}: "
                f"{', '.join(clashing)}. Change them first."
            )
            raise ValidationFailed(message, field_errors={"sensitivity": [message]})
        updated = update_audited(
            actor=actor, instance=current, data=data, action="data_category.updated"
        )
        family[key] = updated
        for row in descendants:
            lifted = _lifted_below(family.get(parent_of(row.key), updated), row)
            if lifted:
                family[row.key] = update_audited(
                    actor=actor, instance=row, data=lifted, action="data_category.updated"
                )
    return updated
