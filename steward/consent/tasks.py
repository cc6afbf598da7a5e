"""Background work of the consent ledger: a thin task over the expiry service."""

from django.tasks import task

from steward.audit.context import audit_context
from steward.consent.services import consents_expire


@task()
def consents_expire_task() -> int:
    """Writes EXPIRED events for consents past their validity (a periodic job)."""
    with audit_context(channel="worker"):
        return consents_expire()
