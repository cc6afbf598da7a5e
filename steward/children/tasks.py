"""Background work of the children app: a thin task over the daily service."""

from django.tasks import task

from steward.audit.context import audit_context
from steward.children.services import contact_child_status_daily


@task()
def child_status_daily_task() -> int:
    """Turns the children whose birthday it is into adults (a periodic job)."""
    with audit_context(channel="worker"):
        return contact_child_status_daily()
