"""The special-category notice on the contact page, its review, and the timeline's marker:
shown to roles allowed to see special-category data (administrator, DPO), to nobody else."""

import pytest
from django.urls import reverse

from steward.activities.choices import ActivityKind
from steward.activities.services import activity_log
from steward.audit.models import AuditEvent
from steward.contacts.tests.factories import ContactFactory
from steward.detection.choices import FindingStatus
from steward.detection.models import PersonalDataFinding
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTE = "Called her: her diabetes makes mornings hard, so call after eleven."


@pytest.fixture
def contact(owner):
    return ContactFactory(owner=owner, team=owner.team)


@pytest.fixture
def note(owner, contact):
    return activity_log(
        actor=owner,
        data={"kind": ActivityKind.NOTE, "subject": "Renewal", "body": NOTE, "contact": contact},
    )


@pytest.fixture
def health(note):
    return PersonalDataFinding.objects.get(record_id=note.pk, category="health")


@pytest.fixture
def dpo(db):
    return UserFactory(email="dora.dpo@example.com", full_name="Dora DPO", role=Role.DPO)


def _contact_page(client, user, contact) -> str:
    client.force_login(user)
    response = client.get(reverse("contacts:detail", args=[contact.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _review(client, user, finding, decision: str):
    client.force_login(user)
    return client.post(reverse("detection:review", args=[finding.pk]), {"decision": decision})


@pytest.mark.parametrize("role", ["admin", "dpo"])
def test_allowed_roles_see_the_notice_with_its_evidence(client, request, contact, health, role):
    page = _contact_page(client, request.getfixturevalue(role), contact)

    assert "Special-category data" in page
    assert "<mark>diabetes</mark>" in page
    assert "Health" in page
    assert reverse("detection:review", args=[health.pk]) in page


def test_a_sales_user_sees_nothing_of_it_on_their_own_contact(client, owner, contact, health):
    page = _contact_page(client, owner, contact)

    assert "Special-category data" not in page
    assert "Special category:" not in page
    assert reverse("detection:review", args=[health.pk]) not in page
    # The note itself is theirs to read; the finding's evidence is not shown as a finding.
    assert "<mark>" not in page


def test_allowed_roles_see_a_marker_on_the_timeline_entry(client, admin, contact, note):
    page = _contact_page(client, admin, contact)

    assert "Special category: Health" in page


def test_a_freshly_logged_note_shows_its_marker_to_an_allowed_role(client, admin, contact):
    client.force_login(admin)

    response = client.post(
        reverse("activities:log"),
        {"activity-kind": "note", "activity-body": NOTE, "contact": str(contact.pk)},
        HTTP_HX_REQUEST="true",
    )

    assert "Special category: Health" in response.content.decode()


def test_a_reviewer_confirms_a_finding_and_the_review_is_audited(client, dpo, contact, health):
    response = _review(client, dpo, health, "confirm")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("contacts:detail", args=[contact.pk]))
    health.refresh_from_db()
    assert (health.status, health.reviewed_by) == (FindingStatus.CONFIRMED, dpo)
    assert health.reviewed_at is not None
    event = AuditEvent.objects.get(action="finding.confirmed")
    assert event.object_id == str(health.pk)
    assert event.changes == {"status": ["suggested", "confirmed"]}
    assert "diabetes" not in str(event.changes) + str(event.context)


def test_a_dismissed_finding_moves_out_of_the_notice(client, admin, contact, health):
    _review(client, admin, health, "dismiss")

    page = _contact_page(client, admin, contact)

    health.refresh_from_db()
    assert health.status == FindingStatus.DISMISSED
    assert "1 dismissed finding" in page
    assert "Confirm after all" in page
    assert "Special category: Health" not in page


@pytest.mark.parametrize("user", ["owner", "colleague", "outsider", "reader"])
def test_other_roles_cannot_review_and_nothing_changes(client, request, health, user):
    response = _review(client, request.getfixturevalue(user), health, "dismiss")

    assert response.status_code == 404
    health.refresh_from_db()
    assert (health.status, health.reviewed_by) == (FindingStatus.SUGGESTED, None)
    assert not AuditEvent.objects.filter(action__startswith="finding.dis").exists()


def test_an_unknown_decision_changes_nothing(client, admin, health):
    response = _review(client, admin, health, "delete")

    assert response.status_code == 302
    health.refresh_from_db()
    assert health.status == FindingStatus.SUGGESTED


def test_reviewing_twice_the_same_way_is_refused_without_a_second_event(client, admin, health):
    _review(client, admin, health, "confirm")

    _review(client, admin, health, "confirm")

    assert AuditEvent.objects.filter(action="finding.confirmed").count() == 1


def test_reviewing_requires_a_post(client, admin, health):
    client.force_login(admin)

    response = client.get(reverse("detection:review", args=[health.pk]))

    assert response.status_code == 405


def _listed(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("contacts:list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_reviewers_can_list_the_contacts_marked_as_holding_special_data(
    client, admin, owner, contact, note
):
    unmarked = ContactFactory(owner=owner, team=owner.team, family_name="Unmarked")

    page = _listed(client, admin, special="yes")

    assert str(contact.pk) in page
    assert str(unmarked.pk) not in page


def test_other_roles_have_no_such_filter_and_asking_for_it_filters_nothing(
    client, owner, contact, note
):
    unmarked = ContactFactory(owner=owner, team=owner.team, family_name="Unmarked")

    page = _listed(client, owner, special="yes")

    assert "Special categories (Art. 9)" not in page
    assert str(contact.pk) in page and str(unmarked.pk) in page
