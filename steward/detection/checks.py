"""System check: every model with a free-text field is one whose findings the database
deletes with the record (steward.detection.sources.HOLDER_FIELDS). Without that, the
evidence found in a deleted record would outlive it."""

from django.core import checks

from steward.core.personal_data import tag_of
from steward.detection.sources import HOLDER_FIELDS
from steward.inventory.data_map import personal_data_models


@checks.register("steward")
def check_free_text_has_holder(app_configs=None, **kwargs):
    errors = []
    for model in personal_data_models(app_configs):
        free_text = [
            f.name
            for f in model._meta.concrete_fields
            if (tag := tag_of(f)) is not None and (tag.free_text or tag.subfields)
        ]
        if free_text and model._meta.label_lower not in HOLDER_FIELDS:
            errors.append(
                checks.Error(
                    f"{model._meta.label} has free text ({', '.join(free_text)}) but its "
                    "findings would not be deleted with its records.",
                    hint="Add a cascading foreign key to PersonalDataFinding and "
                    "DetectionFailure, and name it in detection.sources.HOLDER_FIELDS.",
                    obj=model,
                    id="steward.E101",
                )
            )
    return errors
