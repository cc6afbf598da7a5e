"""Periodic jobs: what the worker enqueues on a schedule, declared here and nowhere else.

Time is cut into slots. A job's slot at a moment is the latest scheduled start at or before
it: for `every=timedelta(hours=1)` the top of the hour (slots are aligned to the Unix epoch in
UTC, so every worker on every machine computes the same ones), for `daily_at=time(3, 15)` 03:15
today or, before 03:15, yesterday (in settings.TIME_ZONE). A worker that was down runs each
job once for the latest slot when it comes back, never a backlog of missed ones.

Every worker runs a scheduler. A slot is claimed by inserting a ScheduledRun row whose
(job_name, slot_start) is unique, in the same transaction as the task is enqueued: the first
INSERT wins, the others fail on the constraint and enqueue nothing. There is no
check-then-act; the existence check in `Scheduler.tick` is a shortcut to avoid a failing
INSERT on every tick, not the guard.

To add a job: write a task (a thin wrapper over a service, safe to run twice) and append a
PeriodicJob to PERIODIC_JOBS with a unique, stable name (renaming it re-runs the current slot).
Tasks of apps above core are named by their dotted path, so this list stays in one place
without core importing the apps that build on it.
"""

from __future__ import annotations

import logging
import threading
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from steward.core import tasks
from steward.core.models import ScheduledRun

logger = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodicJob:
    """A task enqueued once per slot: every `every`, or daily at `daily_at` local time."""

    name: str
    task: Task | str
    every: timedelta | None = None
    daily_at: time | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"{self.name}: give exactly one of every= or daily_at=")
        if self.every is not None and self.every < timedelta(minutes=1):
            raise ValueError(f"{self.name}: every= must be at least one minute")

    @property
    def resolved_task(self) -> Task:
        return import_string(self.task) if isinstance(self.task, str) else self.task

    def slot_at(self, moment: datetime) -> datetime:
        """The start (in UTC) of the slot that `moment` falls in."""
        if self.every is not None:
            slots = (moment - _EPOCH) // self.every
            return _EPOCH + slots * self.every
        local_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local = moment.astimezone(local_zone)
        start = datetime.combine(local.date(), self.daily_at, tzinfo=local_zone)
        if start > local:
            start = datetime.combine(local.date() - timedelta(days=1), self.daily_at, local_zone)
        return start.astimezone(UTC)


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(
        name="prune-task-history",
        task=tasks.prune_task_history,
        daily_at=time(3, 15),
        kwargs={"older_than_days": 14},
    ),
    PeriodicJob(
        name="clear-expired-sessions",
        task=tasks.clear_expired_sessions,
        every=timedelta(hours=1),
    ),
    PeriodicJob(
        name="database-optimise",
        task=tasks.database_optimise,
        daily_at=time(3, 45),
    ),
    PeriodicJob(
        # Values not under their owner's current data key (a renewed key, a record that
        # changed owner, a new algorithm) are re-encrypted; resumable and idempotent.
        name="reencrypt-values",
        task="steward.crypto.tasks.reencrypt_task",
        daily_at=time(4, 5),
    ),
    PeriodicJob(
        # Uploaded files are deleted when their import ends; this catches abandoned ones and
        # reports past STEWARD_IMPORT_RETENTION_DAYS.
        name="import-files-purge",
        task="steward.imports.tasks.import_files_purge_task",
        daily_at=time(2, 30),
    ),
    PeriodicJob(
        # An import whose worker died mid-way is enqueued again and resumes after its last
        # committed chunk.
        name="import-jobs-resume",
        task="steward.imports.tasks.import_jobs_resume_task",
        every=timedelta(minutes=5),
    ),
    PeriodicJob(
        # Art. 8: children whose birthday it is reach the age of digital consent; just after
        # local midnight, so nobody is an adult for a day before the records say so.
        name="child-status-daily",
        task="steward.children.tasks.child_status_daily_task",
        daily_at=time(0, 5),
    ),
    PeriodicJob(
        # Signed checkpoints of every hash chain: a cut-off tail or a chain rewritten with
        # fresh hashes no longer verifies against them (steward verify-ledger).
        name="ledger-checkpoint",
        task="steward.audit.tasks.ledger_checkpoint_task",
        every=timedelta(minutes=15),
    ),
    PeriodicJob(
        # Unusual access: a user reading or exporting far more personal data than is normal
        # for them raises a security event for the administrators and the DPO.
        name="unusual-access-scan",
        task="steward.audit.tasks.unusual_access_scan_task",
        every=timedelta(minutes=15),
    ),
    PeriodicJob(
        # Consent runs out after its purpose's consent_valid_months: EXPIRED events are
        # written hourly, dated at the moment of expiry (the gate already treats a consent
        # past its expires_at as expired in between).
        name="consents-expire",
        task="steward.consent.tasks.consents_expire_task",
        every=timedelta(hours=1),
    ),
    PeriodicJob(
        # Art. 12(3): assignees (the DPO for unassigned ones) hear of privacy requests due
        # within STEWARD_RIGHTS_REMIND_DAYS days and of overdue ones, before the working day.
        name="rights-reminders",
        task="steward.rights.tasks.rights_reminders_task",
        daily_at=time(7, 0),
    ),
    PeriodicJob(
        # Unconfirmed sign-ups (double opt-in) are deleted once their link expired.
        name="email-signups-purge",
        task="steward.email.tasks.signups_purge_task",
        every=timedelta(hours=1),
    ),
    PeriodicJob(
        # A campaign whose worker died: stale claims go back to the queue (or are marked
        # uncertain, never re-sent) and sending resumes.
        name="email-campaigns-resume",
        task="steward.email.tasks.campaign_deliveries_resume_task",
        every=timedelta(minutes=5),
    ),
]


def is_due(job: PeriodicJob, *, now: datetime | None = None) -> bool:
    """Whether nobody has claimed the job's current slot yet."""
    slot = job.slot_at(now or timezone.now())
    return not ScheduledRun.objects.filter(job_name=job.name, slot_start=slot).exists()


def scheduled_run_claim(
    *, job: PeriodicJob, slot_start: datetime, claimed_by: str
) -> ScheduledRun | None:
    """Claims `slot_start` for `job` and enqueues its task, or returns None when another
    worker claimed the slot first. Claim and enqueue commit together (the database task
    backend writes the task row in this transaction), so a slot is never claimed without
    its task, nor its task enqueued twice."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(
                job_name=job.name, slot_start=slot_start, claimed_by=claimed_by
            )
            result = job.resolved_task.enqueue(**job.kwargs)
            run.task_result_id = str(result.id)
            run.save(update_fields=["task_result_id", "updated_at"])
    except IntegrityError:
        # The unique (job_name, slot_start) constraint: someone else won this slot.
        return None
    logger.info("Enqueued %s for slot %s (task %s)", job.name, slot_start.isoformat(), result.id)
    return run


class Scheduler:
    """Enqueues due periodic jobs. Each worker process runs one; they coordinate only
    through the database."""

    def __init__(self, jobs: list[PeriodicJob], *, claimed_by: str):
        self.jobs = jobs
        self.claimed_by = claimed_by
        # The slot this process last settled per job (claimed it or saw it claimed), so a
        # tick costs no query until a new slot starts.
        self._settled: dict[str, datetime] = {}

    def tick(self, *, now: datetime | None = None) -> list[ScheduledRun]:
        """Claims and enqueues every job whose current slot is unclaimed."""
        now = now or timezone.now()
        claimed = []
        for job in self.jobs:
            slot = job.slot_at(now)
            if self._settled.get(job.name) == slot:
                continue
            if is_due(job, now=now):
                run = scheduled_run_claim(job=job, slot_start=slot, claimed_by=self.claimed_by)
                if run is not None:
                    claimed.append(run)
            self._settled[job.name] = slot
        return claimed

    def run(self, stop: threading.Event, *, interval: float = 30.0) -> None:
        """Ticks every `interval` seconds until `stop` is set. An error in one tick (the
        database restarting, say) is logged and retried at the next, not fatal."""
        try:
            while not stop.is_set():
                close_old_connections()
                try:
                    self.tick()
                except Exception:
                    logger.exception("Scheduler tick failed; retrying in %ss", interval)
                stop.wait(interval)
        finally:
            # This thread's own connection: Django opens one per thread.
            connection.close()
