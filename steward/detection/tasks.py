"""Background work of detection: a thin task over the full scan.

Not scheduled by default. Detection already runs on every save and every import, so a
periodic scan would mostly re-read text that has not changed. It is for after an upgrade
of the detectors (new lexicons find what the old ones missed), for text written before
detection existed or by paths that bypass the services (a database restore), and to retry
fields whose detection failed. An operator who wants it nightly declares it in
steward.core.scheduling.PERIODIC_JOBS, e.g. with kwargs={"since_days": 1} for the day's
changes; the task is safe to run twice (the scan is idempotent and resumable)."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from steward.audit.context import audit_context
from steward.core.actor import SystemActor
from steward.detection.services import findings_scan_all


@task()
def findings_scan_task(since_days: int | None = None) -> int:
    """Scans every model with free text (changed in the last `since_days` days, if given);
    returns how many findings it added."""
    since = timezone.localdate() - timedelta(days=since_days) if since_days else None
    with audit_context(channel="worker"):
        runs = findings_scan_all(actor=SystemActor("worker"), since=since)
    return sum(run.findings_added for run in runs)
