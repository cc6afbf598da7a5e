"""Keeping the database from growing without bound: finished task results, past schedule
claims and expired sessions. Run by periodic jobs (steward.core.scheduling).

These rows are machinery, not domain records, so their deletion is logged rather than
written to the audit trail (an hourly audit row about sessions would bury the real ones)."""

import logging
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from steward.core.models import ScheduledRun

logger = logging.getLogger(__name__)


def task_results_prune(*, older_than: timedelta) -> int:
    """Deletes results of tasks that finished (successfully or not) more than `older_than`
    ago; ready and running tasks are never touched. Returns how many were deleted."""
    cutoff = timezone.now() - older_than
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    logger.info("Pruned %d task result(s) finished before %s", deleted, cutoff.isoformat())
    return deleted


def scheduled_runs_prune(*, older_than: timedelta) -> int:
    """Deletes schedule claims for slots long past. A claim is only needed while workers
    may still compute its slot, i.e. for the length of the job's interval."""
    cutoff = timezone.now() - older_than
    deleted, _ = ScheduledRun.objects.filter(slot_start__lt=cutoff).delete()
    logger.info("Pruned %d scheduled run(s) for slots before %s", deleted, cutoff.isoformat())
    return deleted


def sessions_clear_expired() -> None:
    """Deletes expired login sessions, as Django's `clearsessions` does: a session that can
    no longer be used is personal data kept for no purpose."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    logger.info("Cleared expired sessions")


def database_statistics_refresh(using: str = "default") -> None:
    """Lets SQLite gather the index statistics its planner needs (`PRAGMA optimize` analyses
    only the tables whose statistics are stale, so it is cheap to run often). A no-op on
    PostgreSQL, whose autovacuum keeps statistics current."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize=0x10002")
        logger.info("Refreshed SQLite planner statistics")
