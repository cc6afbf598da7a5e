import pytest

from steward.activities.models import Activity
from steward.activities.tests.factories import ActivityFactory
from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(owner):
    return ContactFactory(owner=owner, team=owner.team)


def _activity_of(user, contact, **fields):
    return ActivityFactory(owner=user, team=user.team, author=user, contact=contact, **fields)


def _row(activity) -> dict:
    return Activity.objects.filter(pk=activity.pk).values().get()


def test_it_logs_a_call_on_a_contact(owner, contact, api_as):
    response = api_as(owner).post(
        "/activities",
        {"kind": "call", "subject": "Renewal", "contact": str(contact.pk)},
    )

    assert response.status_code == 201
    body = response.json()
    activity = Activity.objects.get(pk=body["id"])
    assert activity.contact == contact
    assert body["author"] == str(owner.pk)
    assert body["occurred_at"] is not None
    assert AuditEvent.objects.get(action="activity.logged").actor == owner


def test_a_task_needs_a_due_date(owner, contact, api_as):
    response = api_as(owner).post(
        "/activities", {"kind": "task", "subject": "Call back", "contact": str(contact.pk)}
    )

    assert response.status_code == 422
    assert "due_at" in response.json()["errors"]
    assert not Activity.objects.exists()


def test_an_activity_must_be_about_something(owner, api_as):
    response = api_as(owner).post("/activities", {"kind": "note", "body": "Orphan"})

    assert response.status_code == 422
    assert "contact" in response.json()["errors"]


def test_it_refuses_an_activity_on_a_contact_the_caller_may_not_see(
    owner, outsider, contact, api_as
):
    response = api_as(outsider).post(
        "/activities", {"kind": "note", "body": "Hello", "contact": str(contact.pk)}
    )

    assert response.status_code == 422
    assert response.json()["errors"]["contact"] == [
        "No such contact, or it is outside what you may see."
    ]
    assert not Activity.objects.exists()


def test_it_completes_an_open_task(owner, contact, api_as):
    api = api_as(owner)
    task = api.post(
        "/activities",
        {
            "kind": "task",
            "subject": "Send offer",
            "contact": str(contact.pk),
            "due_at": "2030-01-15T09:00:00+01:00",
        },
    ).json()

    response = api.post(f"/activities/{task['id']}/complete")

    assert task["is_open_task"] is True
    assert task["due_at"].startswith("2030-01-15T08:00:00")
    assert response.status_code == 200
    assert response.json()["is_open_task"] is False
    assert Activity.objects.get(pk=task["id"]).completed_at is not None


def test_patch_changes_the_subject_and_audits_it(owner, contact, api_as):
    activity = _activity_of(owner, contact, subject="Old subject")

    response = api_as(owner).patch(f"/activities/{activity.pk}", {"subject": "New subject"})

    assert response.status_code == 200
    assert AuditEvent.objects.get(action="activity.updated").changes == {
        "subject": ["Old subject", "New subject"]
    }


def test_the_outsider_neither_sees_nor_changes_nor_deletes_it(owner, outsider, contact, api_as):
    activity = _activity_of(owner, contact)
    before = _row(activity)
    api = api_as(outsider)

    assert api.get(f"/activities/{activity.pk}").status_code == 404
    assert api.patch(f"/activities/{activity.pk}", {"subject": "X"}).status_code == 404
    assert api.delete(f"/activities/{activity.pk}").status_code == 404
    assert api.get("/activities").json()["count"] == 0
    assert _row(activity) == before


def test_a_reader_can_read_but_not_write(owner, reader, contact, api_as):
    activity = _activity_of(owner, contact)
    before = _row(activity)
    api = api_as(reader)

    assert api.get(f"/activities/{activity.pk}").status_code == 200
    assert api.patch(f"/activities/{activity.pk}", {"subject": "X"}).status_code == 403
    assert api.delete(f"/activities/{activity.pk}").status_code == 403
    created = api.post("/activities", {"kind": "note", "body": "X", "contact": str(contact.pk)})
    assert created.status_code == 403
    assert _row(activity) == before
    assert Activity.objects.count() == 1


def test_a_manager_deletes_an_activity(owner, admin, contact, api_as):
    activity = _activity_of(owner, contact)

    response = api_as(admin).delete(f"/activities/{activity.pk}")

    assert response.status_code == 204
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_it_filters_by_kind_contact_and_open_tasks(owner, contact, api_as):
    other = ContactFactory(owner=owner, team=owner.team)
    note = _activity_of(owner, contact, kind="note")
    _activity_of(owner, other, kind="call")
    api = api_as(owner)
    task = api.post(
        "/activities",
        {"kind": "task", "subject": "T", "contact": str(other.pk), "due_at": "2030-01-01"},
    ).json()

    by_kind = api.get("/activities", kind="note").json()
    by_contact = api.get("/activities", contact=str(contact.pk)).json()
    open_tasks = api.get("/activities", open_tasks="true").json()

    assert [a["id"] for a in by_kind["results"]] == [str(note.pk)]
    assert [a["id"] for a in by_contact["results"]] == [str(note.pk)]
    assert [a["id"] for a in open_tasks["results"]] == [task["id"]]
