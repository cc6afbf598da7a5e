import datetime

import pytest
from django.utils import timezone

from steward.activities.choices import ActivityKind
from steward.activities.models import Activity
from steward.activities.selectors import timeline_for
from steward.activities.services import (
    activity_delete,
    activity_log,
    activity_update,
    task_complete,
)
from steward.activities.tests.factories import ActivityFactory
from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory
from steward.core.errors import NotFound, PermissionDenied, ValidationFailed
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(owner):
    return ContactFactory(owner=owner, team=owner.team)


def test_it_logs_a_note_owned_and_written_by_the_actor_with_an_audit_event(owner, contact):
    activity = activity_log(
        actor=owner, data={"kind": ActivityKind.NOTE, "body": "Prefers calls", "contact": contact}
    )

    activity.refresh_from_db()
    assert (activity.owner, activity.team, activity.author) == (owner, owner.team, owner)
    assert activity.occurred_at is not None
    event = AuditEvent.objects.get(action="activity.logged")
    assert event.object_id == str(activity.pk)
    assert event.changes["body"] == [None, "Prefers calls"]


def test_an_activity_about_nothing_is_refused(owner):
    with pytest.raises(ValidationFailed) as error:
        activity_log(actor=owner, data={"kind": ActivityKind.NOTE, "body": "Floating"})

    assert "contact" in error.value.field_errors
    assert not Activity.objects.exists()


def test_an_empty_note_is_refused_naming_the_body(owner, contact):
    with pytest.raises(ValidationFailed) as error:
        activity_log(actor=owner, data={"kind": ActivityKind.NOTE, "contact": contact})

    assert "body" in error.value.field_errors
    assert not Activity.objects.exists()


def test_a_task_needs_a_due_date(owner, contact):
    with pytest.raises(ValidationFailed) as error:
        activity_log(
            actor=owner, data={"kind": ActivityKind.TASK, "subject": "Call", "contact": contact}
        )

    assert "due_at" in error.value.field_errors
    assert not Activity.objects.exists()


def test_an_unknown_field_is_refused(owner, contact):
    with pytest.raises(ValidationFailed) as error:
        activity_log(actor=owner, data={"kind": "note", "body": "x", "contact": contact, "mood": 1})

    assert "mood" in error.value.field_errors


def test_an_outsider_cannot_log_on_a_contact_they_cannot_see(outsider, contact):
    with pytest.raises(NotFound):
        activity_log(actor=outsider, data={"kind": "note", "body": "Hi", "contact": contact})

    assert not Activity.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_read_only_user_cannot_log(reader, contact):
    with pytest.raises(PermissionDenied):
        activity_log(actor=reader, data={"kind": "note", "body": "Hi", "contact": contact})

    assert not Activity.objects.exists()


def test_completing_a_task_records_when_and_audits_it(owner, colleague, contact):
    task = ActivityFactory(
        contact=contact, owner=owner, team=owner.team, kind=ActivityKind.TASK,
        due_at=timezone.now() + datetime.timedelta(days=2),
    )  # fmt: skip

    task_complete(actor=colleague, activity=task)

    task.refresh_from_db()
    assert task.completed_at is not None
    event = AuditEvent.objects.get(action="activity.updated")
    assert event.actor == colleague
    assert event.changes["completed_at"][0] is None


def test_only_a_task_can_be_completed(owner, contact):
    note = ActivityFactory(contact=contact, owner=owner, team=owner.team)

    with pytest.raises(ValidationFailed):
        task_complete(actor=owner, activity=note)

    note.refresh_from_db()
    assert note.completed_at is None


def test_an_outsider_cannot_change_or_delete_an_activity(outsider, owner, contact):
    note = ActivityFactory(contact=contact, owner=owner, team=owner.team, body="Original")

    with pytest.raises(NotFound):
        activity_update(actor=outsider, activity=note, data={"body": "Changed"})
    with pytest.raises((NotFound, PermissionDenied)):
        activity_delete(actor=outsider, activity=note)

    note.refresh_from_db()
    assert note.body == "Original"
    assert not AuditEvent.objects.exists()


def test_an_update_audits_old_and_new_values(owner, contact):
    note = ActivityFactory(contact=contact, owner=owner, team=owner.team, subject="Old")

    activity_update(actor=owner, activity=note, data={"subject": "New"})

    assert AuditEvent.objects.get(action="activity.updated").changes == {"subject": ["Old", "New"]}


def test_an_administrator_deletes_an_activity_with_an_audit_row(admin, owner, contact):
    note = ActivityFactory(contact=contact, owner=owner, team=owner.team)
    note_id = str(note.pk)

    activity_delete(actor=admin, activity=note)

    assert not Activity.objects.exists()
    assert AuditEvent.objects.filter(action="activity.deleted", object_id=note_id).exists()


def test_the_timeline_is_newest_first_and_hides_what_the_actor_may_not_see(
    owner, outsider, contact
):
    now = timezone.now()
    older = ActivityFactory(contact=contact, owner=owner, team=owner.team, occurred_at=now)
    newer = ActivityFactory(
        contact=contact, owner=owner, team=owner.team, occurred_at=now + datetime.timedelta(1)
    )

    assert list(timeline_for(actor=owner, contact=contact)) == [newer, older]
    assert list(timeline_for(actor=outsider, contact=contact)) == []


def test_a_note_logged_by_a_manager_outside_the_team_is_seen_by_the_contacts_team(owner, colleague):
    manager = UserFactory(email="mia.manager@example.com", role=Role.MANAGER, team=None)
    contact = ContactFactory(owner=owner, team=owner.team)

    activity_log(
        actor=manager, data={"kind": "note", "body": "Met at the fair", "contact": contact}
    )

    assert [a.body for a in timeline_for(actor=colleague, contact=contact)] == ["Met at the fair"]
