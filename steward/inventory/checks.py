"""System checks: `manage.py check` fails on a personal-data field nobody classified."""

from django.core import checks

from steward.core.personal_data import NOT_PERSONAL, tag_of
from steward.inventory.categories import is_known
from steward.inventory.data_map import personal_data_models, unannotated_fields


@checks.register("steward")
def check_personal_data_annotations(app_configs=None, **kwargs):
    errors = []
    for model in personal_data_models(app_configs):
        for name in unannotated_fields(model):
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{name} is not annotated with its personal-data category.",
                    hint="Wrap the field in personal(..., 'category.key') or not_personal(...).",
                    obj=model,
                    id="steward.E001",
                )
            )
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            tag = tag_of(f)
            if tag is not None and tag != NOT_PERSONAL and not is_known(tag.category):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{f.name} uses unknown data category "
                        f"{tag.category!r}.",
                        hint="Use a key from steward.inventory.categories.CATEGORIES.",
                        obj=model,
                        id="steward.E002",
                    )
                )
    return errors
