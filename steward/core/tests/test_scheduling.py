import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.tasks import Task
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from steward.core import tasks
from steward.core.housekeeping import database_statistics_refresh
from steward.core.models import ScheduledRun
from steward.core.scheduling import (
    PERIODIC_JOBS,
    PeriodicJob,
    Scheduler,
    is_due,
    scheduled_run_claim,
)

HOURLY = PeriodicJob(
    name="test-hourly", task=tasks.clear_expired_sessions, every=timedelta(hours=1)
)
NIGHTLY = PeriodicJob(
    name="test-nightly",
    task=tasks.prune_task_history,
    daily_at=time(3, 15),
    kwargs={"older_than_days": 14},
)


def test_an_hourly_job_slot_starts_at_the_top_of_the_hour():
    slot = HOURLY.slot_at(datetime(2026, 3, 10, 14, 42, 7, tzinfo=UTC))

    assert slot == datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_daily_job_before_its_time_belongs_to_yesterdays_slot_in_local_time():
    # 01:30 UTC is 02:30 in Berlin (winter), before 03:15: yesterday's slot.
    slot = NIGHTLY.slot_at(datetime(2026, 1, 10, 1, 30, tzinfo=UTC))

    assert slot == datetime(2026, 1, 9, 2, 15, tzinfo=UTC)


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_daily_job_after_its_time_belongs_to_todays_slot():
    slot = NIGHTLY.slot_at(datetime(2026, 7, 10, 5, 0, tzinfo=UTC))

    assert slot == datetime(2026, 7, 10, 1, 15, tzinfo=UTC)  # 03:15 CEST


def test_a_job_needs_exactly_one_kind_of_schedule():
    with pytest.raises(ValueError, match="exactly one"):
        PeriodicJob(name="bad", task=tasks.clear_expired_sessions)
    with pytest.raises(ValueError, match="exactly one"):
        PeriodicJob(
            name="bad",
            task=tasks.clear_expired_sessions,
            every=timedelta(hours=1),
            daily_at=time(1, 0),
        )


def test_periodic_job_names_are_unique():
    names = [job.name for job in PERIODIC_JOBS]

    assert len(names) == len(set(names))


def test_a_job_is_due_until_its_slot_is_claimed_and_again_in_the_next_slot(db):
    # Given an hourly job never run
    now = datetime(2026, 3, 10, 14, 42, tzinfo=UTC)
    assert is_due(HOURLY, now=now)

    # When a worker claims the 14:00 slot
    scheduled_run_claim(job=HOURLY, slot_start=HOURLY.slot_at(now), claimed_by="w1")

    # Then it is not due for the rest of that hour, and due again from 15:00
    assert not is_due(HOURLY, now=now + timedelta(minutes=17))
    assert is_due(HOURLY, now=datetime(2026, 3, 10, 15, 0, tzinfo=UTC))


def test_a_claim_enqueues_the_jobs_task_with_its_arguments(db):
    slot = NIGHTLY.slot_at(datetime(2026, 3, 10, 4, 0, tzinfo=UTC))

    run = scheduled_run_claim(job=NIGHTLY, slot_start=slot, claimed_by="w1")

    result = DBTaskResult.objects.get(id=run.task_result_id)
    assert result.task_path == "steward.core.tasks.prune_task_history"
    assert result.args_kwargs == {"args": [], "kwargs": {"older_than_days": 14}}


def test_a_claim_for_a_slot_already_claimed_enqueues_nothing(db):
    # Given worker 1 has claimed the slot
    slot = HOURLY.slot_at(datetime(2026, 3, 10, 14, 42, tzinfo=UTC))
    first = scheduled_run_claim(job=HOURLY, slot_start=slot, claimed_by="w1")

    # When worker 2 tries the same INSERT (past any shortcut)
    second = scheduled_run_claim(job=HOURLY, slot_start=slot, claimed_by="w2")

    # Then it loses, and the job is enqueued once
    assert first is not None
    assert second is None
    assert ScheduledRun.objects.get().claimed_by == "w1"
    assert DBTaskResult.objects.count() == 1


def test_two_schedulers_ticking_in_the_same_slot_enqueue_each_job_once(db):
    now = datetime(2026, 3, 10, 14, 42, tzinfo=UTC)
    first, second = (Scheduler([HOURLY, NIGHTLY], claimed_by=w) for w in ("w1", "w2"))

    claimed_first = first.tick(now=now)
    claimed_second = second.tick(now=now + timedelta(seconds=30))

    assert len(claimed_first) == 2
    assert claimed_second == []
    assert DBTaskResult.objects.count() == 2


def test_a_scheduler_ticking_again_in_the_same_slot_does_not_query(db, django_assert_num_queries):
    now = datetime(2026, 3, 10, 14, 42, tzinfo=UTC)
    scheduler = Scheduler([HOURLY], claimed_by="w1")
    scheduler.tick(now=now)

    with django_assert_num_queries(0):
        scheduler.tick(now=now + timedelta(minutes=5))


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_a_slot_enqueue_it_once():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs concurrent connections")
    # Given eight workers released at the same moment against the same slot
    slot = HOURLY.slot_at(datetime(2026, 3, 10, 14, 42, tzinfo=UTC))
    barrier = threading.Barrier(8)
    outcomes: list[bool] = []
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            barrier.wait()
            outcomes.append(
                scheduled_run_claim(job=HOURLY, slot_start=slot, claimed_by=name) is not None
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(8)]

    # When they all try to claim it
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one wins and the task is enqueued once
    assert errors == []
    assert sorted(outcomes) == [False] * 7 + [True]
    assert ScheduledRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_every_declared_job_names_a_task_that_exists():
    # Jobs of apps above core are declared by dotted path; a typo must fail here, not at 03:00.
    for job in PERIODIC_JOBS:
        assert isinstance(job.resolved_task, Task), job.name


@pytest.mark.django_db
def test_refreshing_database_statistics_runs_on_either_database():
    database_statistics_refresh()
