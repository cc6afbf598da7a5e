"""System checks: `manage.py check` fails on a personal-data field nobody classified, or one
classified under a category Steward does not ship. Code annotations are checked against the
built-in constant, not the table: the check runs without a database, and code must not
depend on a category one installation added."""

from django.core import checks

from steward.core.personal_data import NOT_PERSONAL, tag_of
from steward.inventory.data_map import personal_data_models, unannotated_fields
from steward.inventory.taxonomy import is_builtin


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
            if tag is not None and tag != NOT_PERSONAL and not is_builtin(tag.category):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{f.name} uses unknown data category "
                        f"{tag.category!r}.",
                        hint="Use a key from steward.inventory.taxonomy.BUILTIN_CATEGORIES.",
                        obj=model,
                        id="steward.E002",
                    )
                )
    return errors
