"""A record's history on its page, for those who may read the trail (audit.view). Showing
a value that needs a grant (special categories, children's data, national ids) is a read of
it, recorded like the other views of such data."""

from django import template

from steward.audit.reads import audit_read
from steward.inventory.history import record_history

register = template.Library()


@register.simple_tag(takes_context=True)
def history_of(context, record):
    user = context["request"].user
    if not user.can("audit.view"):
        return None
    history = record_history(actor=user, record=record)
    revealed = sum(change.revealed for entry in history for change in entry.changes)
    if revealed:
        audit_read(
            actor=user, what="record_page.history", target=record, count=1, purpose="audit.view"
        )
    return history
