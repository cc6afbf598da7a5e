"""Background work of steward.email: thin tasks over its services."""

from django.tasks import task

from steward.audit.context import audit_context
from steward.email.sending import campaign_deliver, campaign_deliveries_resume
from steward.email.services import signups_purge


@task()
def campaign_deliver_task(campaign_id: str) -> int:
    """Sends a queued campaign (enqueued on commit by campaign_send, and by the resume job)."""
    with audit_context(channel="worker"):
        return campaign_deliver(campaign_id=campaign_id).sent


@task()
def campaign_deliveries_resume_task() -> int:
    """Gives stalled sends back to the queue and restarts them (a periodic job)."""
    with audit_context(channel="worker"):
        return len(campaign_deliveries_resume())


@task()
def signups_purge_task() -> int:
    """Deletes sign-ups past their expiry (a periodic job)."""
    with audit_context(channel="worker"):
        return signups_purge()
