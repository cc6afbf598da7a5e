"""The data map, derived from the field annotations: never typed in a second time."""

from dataclasses import dataclass

from django.apps import apps
from django.db import models

from steward.core.personal_data import NOT_PERSONAL, tag_of
from steward.inventory.categories import CATEGORIES

# Fields every BaseModel has; they identify and date a record, and hold nothing about a person.
_STRUCTURAL = {"id", "created_at", "updated_at"}


@dataclass(frozen=True)
class MappedField:
    """One personal-data field: where it lives and what it holds."""

    model: str  # app_label.ModelName
    field: str
    category: str
    category_label: str
    sensitivity: str
    subject: str
    free_text: bool


def personal_data_models(app_configs=None) -> list[type[models.Model]]:
    """Models that hold personal data, in `app_configs` (default: every installed app)."""
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    return [
        m
        for config in configs
        for m in config.get_models()
        if getattr(m, "holds_personal_data", False)
    ]


def unannotated_fields(model: type[models.Model]) -> list[str]:
    """Concrete fields of a personal-data model that carry no annotation."""
    return [
        f.name
        for f in model._meta.get_fields()
        if f.concrete and not f.auto_created and f.name not in _STRUCTURAL and tag_of(f) is None
    ] + [f.name for f in model._meta.many_to_many if tag_of(f) is None]


def data_map() -> list[MappedField]:
    """Every field of every model that holds personal data, with its category."""
    rows = []
    for model in personal_data_models():
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            tag = tag_of(f)
            if tag is None or tag == NOT_PERSONAL:
                continue
            label, sensitivity = CATEGORIES.get(tag.category, (tag.category, "unknown"))
            rows.append(
                MappedField(
                    model=model._meta.label,
                    field=f.name,
                    category=tag.category,
                    category_label=label,
                    sensitivity=str(sensitivity),
                    subject=tag.subject,
                    free_text=tag.free_text,
                )
            )
    return rows
