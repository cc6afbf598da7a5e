"""Turning the ids in a request body into the records they name, within what the caller
may see. An id that names nothing visible is a field error (422), the same answer for a
record that does not exist and one the caller may not see."""

from typing import Any

from steward.api.selectors import team_get
from steward.contacts.selectors import assignable_owners, contact_get, organisation_get
from steward.core.actor import Actor
from steward.core.errors import NotFound, ValidationFailed
from steward.deals.selectors import deal_get, pipeline_get, stage_choices


def _visible(getter):
    def resolve(actor: Actor, pk):
        try:
            return getter(actor=actor, pk=pk)
        except NotFound:
            return None

    return resolve


def _pipeline(actor: Actor, pk):
    try:
        return pipeline_get(pk=pk)
    except NotFound:
        return None


# Staff, teams, pipelines and stages are shared set-up every member of staff may see.
_RESOLVERS = {
    "contact": (_visible(contact_get), "contact"),
    "organisation": (_visible(organisation_get), "organisation"),
    "deal": (_visible(deal_get), "deal"),
    "owner": (lambda actor, pk: assignable_owners().filter(pk=pk).first(), "active staff user"),
    "team": (lambda actor, pk: team_get(pk=pk), "team"),
    "pipeline": (_pipeline, "pipeline"),
    "stage": (lambda actor, pk: stage_choices().filter(pk=pk).first(), "stage"),
}


def with_records(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with each id of a reference field replaced by its record (None stays None);
    raises ValidationFailed naming every field whose id matches nothing visible."""
    resolved = dict(data)
    errors: dict[str, list[str]] = {}
    for name, (resolve, label) in _RESOLVERS.items():
        if resolved.get(name) is None:
            continue
        record = resolve(actor, resolved[name])
        if record is None:
            errors[name] = [f"No such {label}, or it is outside what you may see."]
        resolved[name] = record
    if errors:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise ValidationFailed(f"Please correct: {summary}", field_errors=errors)
    return resolved
