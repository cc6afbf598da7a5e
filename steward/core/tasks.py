"""Background tasks of the core: thin wrappers that call housekeeping services. Enqueued by
the scheduler (steward.core.scheduling); safe to run twice."""

from datetime import timedelta

from django.tasks import task

from steward.core import housekeeping


@task
def prune_task_history(older_than_days: int) -> dict[str, int]:
    """Deletes finished task results and schedule claims older than `older_than_days`."""
    older_than = timedelta(days=older_than_days)
    return {
        "task_results": housekeeping.task_results_prune(older_than=older_than),
        "scheduled_runs": housekeeping.scheduled_runs_prune(older_than=older_than),
    }


@task
def clear_expired_sessions() -> None:
    """Deletes login sessions that have expired."""
    housekeeping.sessions_clear_expired()


@task
def database_optimise() -> None:
    """Refreshes the query planner's statistics. SQLite keeps none until asked, and without
    them picks poor plans for the contact list after bulk imports; PostgreSQL's autovacuum
    does this by itself."""
    housekeeping.database_statistics_refresh()
