from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from steward.core import housekeeping, tasks
from steward.core.models import ScheduledRun
from steward.core.scheduling import PERIODIC_JOBS

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

# The worker commits as it goes and closes connections it finds inside a transaction, as in
# production; a test transaction around it would be cut off, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _session(expires_in: timedelta) -> str:
    session = SessionStore()
    session["note"] = "test"
    session.set_expiry(expires_in)
    session.create()
    return session.session_key


def test_the_worker_enqueues_due_jobs_and_runs_them():
    # Given one expired and one live session
    expired = _session(timedelta(seconds=-60))
    live = _session(timedelta(hours=1))

    # When a worker processes its schedule and queue once
    call_command("worker", "--batch", "--worker-id", "test-worker", verbosity=0)

    # Then every periodic job ran successfully, and the expired session is gone
    results = DBTaskResult.objects.all()
    assert {r.task_path for r in results} == {
        job.resolved_task.module_path for job in PERIODIC_JOBS
    }
    assert {r.status for r in results} == {TaskResultStatus.SUCCESSFUL}
    assert not SessionStore().exists(expired)
    assert SessionStore().exists(live)


def test_a_task_enqueued_by_code_runs_when_the_worker_processes_the_queue():
    # Given a task enqueued outside the schedule
    expired = _session(timedelta(seconds=-60))
    result = tasks.clear_expired_sessions.enqueue()

    # When the worker runs without its scheduler
    call_command("worker", "--batch", "--no-scheduler", verbosity=0)

    # Then that task (and only it) ran
    assert str(DBTaskResult.objects.get().id) == result.id
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    assert not SessionStore().exists(expired)


def test_a_second_batch_in_the_same_slot_enqueues_nothing_new():
    call_command("worker", "--batch", "--worker-id", "w1", verbosity=0)
    enqueued = DBTaskResult.objects.count()

    call_command("worker", "--batch", "--worker-id", "w2", verbosity=0)

    assert DBTaskResult.objects.count() == enqueued
    assert set(ScheduledRun.objects.values_list("claimed_by", flat=True)) == {"w1"}


def test_pruning_removes_old_finished_results_and_keeps_recent_and_waiting_ones():
    # Given an old finished result, a recent finished one and one still waiting
    old, recent = tasks.clear_expired_sessions.enqueue(), tasks.clear_expired_sessions.enqueue()
    call_command("worker", "--batch", "--no-scheduler", verbosity=0)
    DBTaskResult.objects.filter(id=old.id).update(finished_at=timezone.now() - timedelta(days=20))
    waiting = tasks.clear_expired_sessions.enqueue()

    # When task history older than 14 days is pruned
    deleted = housekeeping.task_results_prune(older_than=timedelta(days=14))

    # Then only the old finished result is gone
    assert deleted == 1
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {
        recent.db_result.id,
        waiting.db_result.id,
    }
