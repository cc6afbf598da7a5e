"""Turning the ids in a request body into the records they name, within what the caller
may see. An id that names nothing visible is a field error (422), the same answer for a
record that does not exist and one the caller may not see."""

from typing import Any

from steward.api.selectors import pipeline_get, staff_get, stage_get, team_get
from steward.contacts.selectors import contact_get, organisation_get
from steward.core.actor import Actor
from steward.core.errors import NotFound, ValidationFailed
from steward.deals.selectors import deal_get


def _visible(getter):
    def resolve(actor: Actor, pk):
        try:
            return getter(actor=actor, pk=pk)
        except NotFound:
            return None

    return resolve


def _shared(getter):
    def resolve(actor: Actor, pk):
        return getter(pk=pk)

    return resolve


_RESOLVERS = {
    "contact": (_visible(contact_get), "contact"),
    "organisation": (_visible(organisation_get), "organisation"),
    "deal": (_visible(deal_get), "deal"),
    "owner": (_shared(staff_get), "active member of staff"),
    "team": (_shared(team_get), "team"),
    "pipeline": (_shared(pipeline_get), "pipeline"),
    "stage": (_shared(stage_get), "stage"),
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
