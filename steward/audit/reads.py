"""Read audit: who read or took out personal data, what, when and for which purpose.

Views of special-category evidence, API list reads and exports are recorded as one audit
event per read (a page of fifty contacts is one event with count 50, never fifty events),
so reading stays cheap and the trail still says how much each user saw. Exports record
themselves (`contacts.exported`, steward.imports.exports) with the same count and purpose;
`steward.audit.security` reads both to spot unusual volumes."""

from typing import Any

from django.db import models

from steward.audit.events import audit_record
from steward.core.actor import Actor

READ_ACTION = "personal_data.read"
EXPORT_ACTION = "contacts.exported"
# Events whose changes["count"] says how many records a user read or took out.
VOLUME_ACTIONS = (READ_ACTION, EXPORT_ACTION)
NOT_STATED = ""


def audit_read(
    *,
    actor: Actor,
    what: str,
    count: int,
    object_type: str = "",
    target: models.Model | None = None,
    purpose: str = NOT_STATED,
) -> None:
    """Records that `actor` read `count` records of `object_type` (or the one `target`)
    through `what` (e.g. "api.list", "contact_page.special_category"), for `purpose`.
    Nothing is recorded for a read that showed nothing."""
    if count <= 0:
        return
    audit_record(
        actor=actor,
        action=READ_ACTION,
        target=target,
        object_type=object_type,
        changes={"count": [None, count], "purpose": [None, purpose]},
        context={"read": what},
    )


def audited_page(
    request: Any, object_type: str, page: dict[str, Any], *, purpose: str = NOT_STATED
) -> dict[str, Any]:
    """An API list page (steward.api.pagination.paginate), recorded as one read of its rows
    by the token's user; returns the page unchanged, so a list endpoint wraps its return."""
    audit_read(
        actor=request.auth,
        what="api.list",
        object_type=object_type,
        count=len(page["results"]),
        purpose=purpose,
    )
    return page
