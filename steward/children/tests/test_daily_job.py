"""The daily job: children whose birthday has come become adults; nobody else is touched,
and running it twice changes nothing the second time."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.audit.models import AuditEvent
from steward.children import services
from steward.children.choices import ChildStatus
from steward.children.services import contact_child_status_daily, contact_child_status_refresh
from steward.children.tests.factories import dated_contact
from steward.contacts.models import Contact
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor
from steward.core.scheduling import PERIODIC_JOBS

# The last day the statuses were computed: the job did not run on 31 May.
LAST_RUN = datetime.date(2026, 5, 30)
TODAY = datetime.date(2026, 6, 1)


def _people(owner) -> dict[str, Contact]:
    """Germans (16) turning 16 yesterday, today and tomorrow, a child years away, an adult,
    and a contact without a date of birth; statuses as computed on LAST_RUN."""
    people = {
        "missed": dated_contact(owner=owner, born=datetime.date(2010, 5, 31), country="DE"),
        "today": dated_contact(owner=owner, born=datetime.date(2010, 6, 1), country="DE"),
        "tomorrow": dated_contact(owner=owner, born=datetime.date(2010, 6, 2), country="DE"),
        "young": dated_contact(owner=owner, born=datetime.date(2016, 6, 1), country="DE"),
        "adult": dated_contact(owner=owner, born=datetime.date(1980, 6, 1), country="DE"),
        "unknown": ContactFactory(owner=owner, team=owner.team, country="DE"),
    }
    contact_child_status_refresh(
        actor=SystemActor("test"), contacts=list(people.values()), today=LAST_RUN
    )
    return people


def _statuses(people: dict[str, Contact]) -> dict[str, str]:
    return {
        name: Contact.objects.get(pk=contact.pk).child_status for name, contact in people.items()
    }


def test_the_job_turns_exactly_the_children_whose_birthday_has_come_into_adults(owner):
    # Given contacts around their 16th birthday, and a day on which the job did not run
    people = _people(owner)
    before = _statuses(people)
    assert before["missed"] == before["today"] == ChildStatus.CHILD

    # When today's job runs
    moved = contact_child_status_daily(today=TODAY)

    # Then the two whose birthday has come (yesterday's too) are adults; nobody else moved
    after = _statuses(people)
    assert moved == 2
    assert after["missed"] == after["today"] == ChildStatus.ADULT
    assert {k: v for k, v in after.items() if k not in ("missed", "today")} == {
        k: v for k, v in before.items() if k not in ("missed", "today")
    }
    assert after["tomorrow"] == ChildStatus.CHILD
    assert after["unknown"] == ChildStatus.UNKNOWN
    assert Contact.objects.get(pk=people["today"].pk).child_status_changes_on is None


def test_each_move_is_audited_as_the_daily_job_with_old_and_new_status(owner):
    people = _people(owner)

    contact_child_status_daily(today=TODAY)

    event = AuditEvent.objects.get(
        action="contact.child_status_changed",
        object_id=str(people["today"].pk),
        actor_label="system:children:daily",
    )
    assert event.changes == {
        "child_status": ["child", "adult"],
        "child_status_changes_on": ["2026-06-01", None],
    }


def test_running_the_job_twice_changes_nothing_the_second_time(owner):
    people = _people(owner)
    contact_child_status_daily(today=TODAY)
    events = AuditEvent.objects.count()
    updated = {c.pk: Contact.objects.get(pk=c.pk).updated_at for c in people.values()}

    moved = contact_child_status_daily(today=TODAY)

    assert moved == 0
    assert AuditEvent.objects.count() == events
    assert {c.pk: Contact.objects.get(pk=c.pk).updated_at for c in people.values()} == updated


def test_the_job_reads_only_the_contacts_that_are_due(owner):
    # Given many contacts, of whom one is due today
    _people(owner)
    ContactFactory.create_batch(30, owner=owner, team=owner.team)

    # When the job runs
    with CaptureQueriesContext(connection) as queries:
        contact_child_status_daily(today=TODAY)

    # Then its reading query asks the database for due contacts only (by the date's index)
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    contact_reads = [sql for sql in reads if "contacts_contact" in sql]
    assert contact_reads
    assert all("child_status_changes_on" in sql for sql in contact_reads)


def test_the_job_is_declared_to_run_daily():
    job = next(job for job in PERIODIC_JOBS if job.name == "child-status-daily")

    assert job.daily_at is not None
    assert job.resolved_task.name == "child_status_daily_task"


def test_the_job_works_through_more_due_contacts_than_one_batch_holds(owner, monkeypatch):
    # Given batches of two and three contacts due today
    monkeypatch.setattr(services, "REFRESH_BATCH", 2)
    people = _people(owner)
    extra = dated_contact(owner=owner, born=datetime.date(2010, 6, 1), country="DE")
    contact_child_status_refresh(actor=SystemActor("test"), contacts=[extra], today=LAST_RUN)

    moved = contact_child_status_daily(today=TODAY)

    assert moved == 3
    for contact in (people["missed"], people["today"], extra):
        assert Contact.objects.get(pk=contact.pk).child_status == ChildStatus.ADULT
