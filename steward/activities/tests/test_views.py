import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from steward.activities.choices import ActivityKind
from steward.activities.models import Activity
from steward.activities.tests.factories import ActivityFactory
from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def contact(owner):
    return ContactFactory(owner=owner, team=owner.team, given_name="Mara", family_name="Lind")


def _log(client, about: dict, htmx: bool = True, **fields):
    data = {"activity-kind": "note", "activity-subject": "", "activity-body": ""}
    data |= {f"activity-{name}": value for name, value in fields.items()}
    return client.post(reverse("activities:log"), data | about, **(HTMX if htmx else {}))


def test_an_htmx_log_answers_with_the_new_entry_and_a_fresh_form(client, owner, contact):
    client.force_login(owner)

    response = _log(client, {"contact": contact.pk}, kind="call", subject="Called about Q3")

    activity = Activity.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="activity-{activity.pk}"')
    assert "Called about Q3" in html
    assert 'id="log-activity"' in html and 'hx-swap-oob="true"' in html
    assert (activity.contact, activity.kind, activity.author) == (contact, "call", owner)
    event = AuditEvent.objects.get(action="activity.logged")
    assert event.object_id == str(activity.pk)
    assert event.actor == owner


def test_without_js_a_log_redirects_back_to_the_page(client, owner, contact):
    client.force_login(owner)
    page = reverse("contacts:detail", args=[contact.pk])

    response = _log(client, {"contact": contact.pk, "next": page}, htmx=False, body="Met at fair")

    assert response.status_code == 302
    assert response["Location"] == page
    assert Activity.objects.get().body == "Met at fair"


def test_a_next_address_on_another_site_is_ignored(client, owner, contact):
    client.force_login(owner)

    response = _log(
        client, {"contact": contact.pk, "next": "https://evil.example.com/"}, htmx=False, body="x"
    )

    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])


def test_a_task_without_a_due_date_comes_back_with_the_error_in_place(client, owner, contact):
    client.force_login(owner)

    response = _log(client, {"contact": contact.pk}, kind="task", subject="Send offer")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#log-activity"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'id="id_activity-due_date_error"' in html
    assert 'aria-describedby="id_activity-due_date_helptext id_activity-due_date_error"' in html
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_empty_note_is_refused_without_js_on_its_own_page(client, owner, contact):
    client.force_login(owner)

    response = _log(client, {"contact": contact.pk}, htmx=False)

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Activity.objects.exists()


def test_a_task_is_logged_due_at_the_end_of_its_day(client, owner, contact):
    client.force_login(owner)

    _log(client, {"contact": contact.pk}, kind="task", subject="Send offer", due_date="2031-05-02")

    due = timezone.localtime(Activity.objects.get().due_at)
    assert (due.date(), due.time()) == (datetime.date(2031, 5, 2), datetime.time(23, 59))


def test_an_outsider_cannot_log_on_a_contact_they_cannot_see(client, outsider, contact):
    client.force_login(outsider)

    response = _log(client, {"contact": contact.pk}, body="Sneaky")

    assert response.status_code == 404
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_read_only_user_may_not_log(client, reader, contact):
    client.force_login(reader)

    response = _log(client, {"contact": contact.pk}, body="Looked")
    page = client.get(reverse("contacts:detail", args=[contact.pk]))

    assert response.status_code == 403
    assert not Activity.objects.exists()
    assert 'id="log-activity"' not in page.content.decode()


def test_a_log_must_name_exactly_one_record(client, owner, contact):
    organisation = OrganisationFactory(owner=owner, team=owner.team)
    client.force_login(owner)

    neither = _log(client, {}, body="x")
    both = _log(client, {"contact": contact.pk, "organisation": organisation.pk}, body="x")

    assert (neither.status_code, both.status_code) == (404, 404)
    assert not Activity.objects.exists()


def test_an_activity_is_logged_on_an_organisation(client, owner):
    organisation = OrganisationFactory(owner=owner, team=owner.team)
    client.force_login(owner)

    _log(client, {"organisation": organisation.pk}, kind="meeting", subject="Site visit")

    assert Activity.objects.get().organisation == organisation


def test_a_task_is_completed_in_place(client, owner, contact):
    task = ActivityFactory(
        contact=contact,
        owner=owner,
        team=owner.team,
        kind=ActivityKind.TASK,
        due_at=timezone.now() + datetime.timedelta(days=1),
    )
    client.force_login(owner)

    response = client.post(reverse("activities:complete", args=[task.pk]), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="activity-{task.pk}"')
    assert "Mark done" not in html
    task.refresh_from_db()
    assert task.completed_at is not None
    assert AuditEvent.objects.filter(action="activity.updated", object_id=str(task.pk)).exists()


def test_without_js_completing_a_task_redirects_to_its_contact(client, colleague, contact):
    task = ActivityFactory(
        contact=contact, owner=contact.owner, team=contact.team, kind=ActivityKind.TASK,
        due_at=timezone.now(),
    )  # fmt: skip
    client.force_login(colleague)

    response = client.post(reverse("activities:complete", args=[task.pk]))

    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    task.refresh_from_db()
    assert task.completed_at is not None


def test_an_outsider_cannot_complete_a_task_and_it_stays_open(client, outsider, contact):
    task = ActivityFactory(
        contact=contact, owner=contact.owner, team=contact.team, kind=ActivityKind.TASK,
        due_at=timezone.now(),
    )  # fmt: skip
    client.force_login(outsider)

    response = client.post(reverse("activities:complete", args=[task.pk]), **HTMX)

    assert response.status_code == 404
    task.refresh_from_db()
    assert task.completed_at is None
    assert not AuditEvent.objects.exists()


def test_a_note_cannot_be_completed(client, owner, contact):
    note = ActivityFactory(contact=contact, owner=owner, team=owner.team)
    client.force_login(owner)

    response = client.post(reverse("activities:complete", args=[note.pk]), **HTMX)

    assert response.status_code == 400
    note.refresh_from_db()
    assert note.completed_at is None


def test_logging_needs_a_post(client, owner):
    client.force_login(owner)

    assert client.get(reverse("activities:log")).status_code == 405
