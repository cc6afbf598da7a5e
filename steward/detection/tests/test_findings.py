"""Findings stored where personal data is written: a note's subject and body, a contact's
free-text custom fields; replaced on edit, with reviewers' decisions kept."""

import pytest
from django.db import DatabaseError

from steward.activities.choices import ActivityKind
from steward.activities.services import activity_delete, activity_log, activity_update
from steward.audit.models import AuditEvent
from steward.contacts.services import (
    contact_create,
    contact_delete,
    contact_update,
    custom_field_create,
    custom_field_delete,
)
from steward.contacts.tests.factories import ContactFactory
from steward.detection import services
from steward.detection.choices import FindingStatus
from steward.detection.models import DetectionFailure, PersonalDataFinding
from steward.detection.selectors import (
    contact_holds_special_data,
    contacts_holding_special_data,
    with_special_data_mark,
)
from steward.detection.services import finding_review

pytestmark = pytest.mark.django_db

DIABETES_NOTE = "Called Mrs Example: her diabetes makes mornings hard, write to her instead."


@pytest.fixture
def contact(owner):
    return ContactFactory(owner=owner, team=owner.team)


def _note(actor, contact, body: str, subject: str = ""):
    return activity_log(
        actor=actor,
        data={"kind": ActivityKind.NOTE, "subject": subject, "body": body, "contact": contact},
    )


def _findings(activity) -> list[PersonalDataFinding]:
    return list(PersonalDataFinding.objects.filter(record_id=activity.pk).order_by("start"))


# -- on save ------------------------------------------------------------------------------


def test_a_note_is_saved_with_its_findings_and_their_evidence(owner, contact):
    activity = _note(owner, contact, DIABETES_NOTE + " Reach her at jane.example@example.org.")

    found = {(f.category, f.evidence, f.field_name) for f in _findings(activity)}
    assert ("health", "diabetes", "body") in found
    assert ("email", "jane.example@example.org", "body") in found
    health = next(f for f in _findings(activity) if f.category == "health")
    assert health.taxonomy_key == "special.health"
    assert health.special is True
    assert health.status == FindingStatus.SUGGESTED
    assert (health.record_type, health.contact_id, health.activity_id) == (
        "activities.activity",
        contact.pk,
        activity.pk,
    )
    assert DIABETES_NOTE[health.start : health.end] == "diabetes"


def test_the_subject_is_scanned_too(owner, contact):
    activity = _note(owner, contact, "Renewal call.", subject="Asked about her pregnancy leave")

    assert [(f.field_name, f.category) for f in _findings(activity)] == [("subject", "health")]


def test_suggestions_are_audited_without_their_evidence(owner, contact):
    activity = _note(owner, contact, DIABETES_NOTE)

    events = AuditEvent.objects.filter(action="finding.suggested")
    assert {e.object_id for e in events} == {str(f.pk) for f in _findings(activity)}
    assert not any("diabetes" in str(e.changes) + str(e.context) for e in events)


def test_a_business_mention_is_not_a_finding(owner, contact):
    activity = _note(owner, contact, "Their client is a health insurance company in Bremen.")

    assert not [f for f in _findings(activity) if f.special]


# -- on edit ------------------------------------------------------------------------------


# Edits of a note that holds special-category data are made by a role that may read it (one
# that may not cannot rewrite it: steward/inventory/tests/test_field_access.py).


def test_an_edit_replaces_the_unreviewed_suggestions(owner, admin, contact):
    activity = _note(owner, contact, DIABETES_NOTE)

    activity_update(
        actor=admin, activity=activity, data={"body": "She is a union member, active in ver.di."}
    )

    assert {f.category for f in _findings(activity)} >= {"trade_union"}
    assert "health" not in {f.category for f in _findings(activity)}
    assert AuditEvent.objects.filter(action="finding.withdrawn").exists()


def test_an_edit_that_leaves_the_text_alone_keeps_the_same_findings(owner, admin, contact):
    activity = _note(owner, contact, DIABETES_NOTE)
    before = {f.pk for f in _findings(activity)}

    activity_update(actor=admin, activity=activity, data={"body": DIABETES_NOTE + " "})

    assert {f.pk for f in _findings(activity)} == before


def test_a_change_to_other_fields_runs_no_detection(owner, contact, monkeypatch):
    activity = _note(owner, contact, DIABETES_NOTE)
    monkeypatch.setattr(services, "detect", _crash)

    activity_update(actor=owner, activity=activity, data={"kind": ActivityKind.CALL})

    assert not DetectionFailure.objects.exists()


def test_a_confirmed_finding_survives_an_edit_that_keeps_its_evidence(owner, admin, contact):
    activity = _note(owner, contact, DIABETES_NOTE)
    health = next(f for f in _findings(activity) if f.category == "health")
    finding_review(actor=admin, finding=health, status=FindingStatus.CONFIRMED)

    activity_update(
        actor=admin, activity=activity, data={"body": "Note: diabetes, type 2. Prefers email."}
    )

    health.refresh_from_db()
    assert health.status == FindingStatus.CONFIRMED
    assert "Note: diabetes, type 2."[health.start : health.end] == "diabetes"


def test_a_dismissed_finding_is_not_suggested_again(owner, admin, contact):
    activity = _note(owner, contact, DIABETES_NOTE)
    health = next(f for f in _findings(activity) if f.category == "health")
    finding_review(actor=admin, finding=health, status=FindingStatus.DISMISSED)

    activity_update(actor=owner, activity=activity, data={"body": DIABETES_NOTE + " Again."})

    healths = [f for f in _findings(activity) if f.category == "health"]
    assert [(f.pk, f.status) for f in healths] == [(health.pk, FindingStatus.DISMISSED)]


def test_a_reviewed_finding_goes_when_its_evidence_leaves_the_text(owner, admin, contact):
    activity = _note(owner, contact, DIABETES_NOTE)
    health = next(f for f in _findings(activity) if f.category == "health")
    finding_review(actor=admin, finding=health, status=FindingStatus.CONFIRMED)

    activity_update(actor=admin, activity=activity, data={"body": "Prefers email."})

    assert not PersonalDataFinding.objects.filter(pk=health.pk).exists()


def test_findings_follow_a_note_moved_to_another_contact(owner, contact):
    activity = _note(owner, contact, DIABETES_NOTE)
    other = ContactFactory(owner=owner, team=owner.team)

    activity_update(actor=owner, activity=activity, data={"contact": other})

    assert {f.contact_id for f in _findings(activity)} == {other.pk}


# -- the special-category mark ------------------------------------------------------------


def test_a_contact_is_marked_when_a_finding_says_special_category(owner, contact):
    unmarked = ContactFactory(owner=owner, team=owner.team)
    _note(owner, unmarked, "Wants the blue brochure; call on Tuesday.")

    _note(owner, contact, DIABETES_NOTE)

    assert contact_holds_special_data(contact)
    assert not contact_holds_special_data(unmarked)
    marked = set(contacts_holding_special_data().values_list("contact_id", flat=True))
    assert marked == {contact.pk}
    annotated = {c.pk: c.holds_special_data for c in with_special_data_mark(_both(contact))}
    assert annotated == {contact.pk: True, unmarked.pk: False}


def _both(contact):
    from steward.contacts.models import Contact

    return Contact.objects.all()


def test_a_dismissed_special_finding_no_longer_marks_the_contact(owner, admin, contact):
    activity = _note(owner, contact, DIABETES_NOTE)
    for finding in _findings(activity):
        if finding.special:
            finding_review(actor=admin, finding=finding, status=FindingStatus.DISMISSED)

    assert not contact_holds_special_data(contact)


def test_the_special_filter_reads_the_partial_index():
    sql = str(contacts_holding_special_data().query)

    # The query states the index's condition, which SQLite needs to use a partial index.
    assert "special" in sql and "dismissed" in sql


# -- custom fields ------------------------------------------------------------------------


@pytest.fixture
def notes_field(admin):
    return custom_field_create(
        actor=admin, key="notes", label="Notes", field_type="text", category="free_text"
    )


def test_free_text_custom_values_are_scanned_when_a_contact_is_created(owner, notes_field):
    contact = contact_create(
        actor=owner,
        data={"family_name": "Example", "custom": {"notes": "Vegetarian, Catholic, two kids"}},
    )

    found = PersonalDataFinding.objects.filter(record_id=contact.pk)
    assert {(f.record_type, f.field_name, f.category) for f in found} >= {
        ("contacts.contact", "custom.notes", "religion")
    }
    assert {f.contact_id for f in found} == {contact.pk}
    assert contact_holds_special_data(contact)


def test_a_changed_custom_value_is_scanned_again(owner, notes_field):
    contact = contact_create(
        actor=owner, data={"family_name": "Example", "custom": {"notes": "Likes golf."}}
    )
    assert not contact_holds_special_data(contact)

    contact_update(
        actor=owner, contact=contact, data={"custom": {"notes": "Recovering from a stroke."}}
    )

    assert contact_holds_special_data(contact)


def test_a_removed_custom_value_takes_its_suggestions_with_it(owner, notes_field):
    contact = contact_create(
        actor=owner, data={"family_name": "Example", "custom": {"notes": "Has asthma."}}
    )

    contact_update(actor=owner, contact=contact, data={"custom": {}})

    assert not PersonalDataFinding.objects.filter(record_id=contact.pk).exists()


def test_deleting_a_custom_field_deletes_what_was_found_in_its_values(owner, admin, notes_field):
    contact = contact_create(
        actor=owner, data={"family_name": "Example", "custom": {"notes": "Has asthma."}}
    )

    custom_field_delete(actor=admin, definition=notes_field)

    assert not PersonalDataFinding.objects.filter(record_id=contact.pk).exists()


def test_values_of_other_custom_field_types_are_not_free_text(owner, admin):
    custom_field_create(
        actor=admin,
        key="plan",
        label="Plan",
        field_type="choice",
        category="commercial.profile",
        choices=["Health plus"],
    )

    contact = contact_create(
        actor=owner, data={"family_name": "Example", "custom": {"plan": "Health plus"}}
    )

    assert not PersonalDataFinding.objects.filter(record_id=contact.pk).exists()


# -- deletion -----------------------------------------------------------------------------


def test_findings_are_deleted_with_their_note(admin, owner, contact):
    activity = _note(owner, contact, DIABETES_NOTE)

    activity_delete(actor=admin, activity=activity)

    assert not PersonalDataFinding.objects.filter(record_id=activity.pk).exists()


def test_findings_are_deleted_with_their_contact(admin, owner, contact):
    activity = _note(owner, contact, DIABETES_NOTE)

    contact_delete(actor=admin, contact=contact)

    assert not PersonalDataFinding.objects.filter(record_id=activity.pk).exists()


# -- failures -----------------------------------------------------------------------------


def _crash(text, **kwargs):
    raise RuntimeError("a detector bug")


def test_a_detector_crash_does_not_lose_the_note(owner, contact, monkeypatch):
    monkeypatch.setattr(services, "detect", _crash)

    activity = _note(owner, contact, DIABETES_NOTE)

    activity.refresh_from_db()
    assert activity.body == DIABETES_NOTE
    failures = DetectionFailure.objects.filter(record_id=activity.pk)
    # The empty subject needed no detection.
    assert {(f.field_name, f.error, f.contact_id) for f in failures} == {
        ("body", "RuntimeError", contact.pk)
    }
    assert not PersonalDataFinding.objects.exists()


def test_a_later_successful_detection_clears_the_failure(owner, contact, monkeypatch):
    monkeypatch.setattr(services, "detect", _crash)
    activity = _note(owner, contact, DIABETES_NOTE, subject="Asthma")
    monkeypatch.undo()

    activity_update(actor=owner, activity=activity, data={"body": DIABETES_NOTE + " Again."})

    # The subject did not change, so it is still unscanned; the body is scanned now.
    assert list(DetectionFailure.objects.values_list("field_name", flat=True)) == ["subject"]
    assert contact_holds_special_data(contact)


def test_a_database_error_while_storing_findings_does_not_lose_the_note(
    owner, contact, monkeypatch
):
    def broken_store(*args, **kwargs):
        PersonalDataFinding.objects.create(
            record_type="x", record_id=contact.pk, field_name="x", category="health",
            taxonomy_key="special.health", start=0, end=1, confidence=1, evidence="x",
            detector="x",
        )  # fmt: skip
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "_store", broken_store)

    activity = _note(owner, contact, DIABETES_NOTE)

    activity.refresh_from_db()
    assert activity.body == DIABETES_NOTE
    # The half-written findings were rolled back with their savepoint.
    assert not PersonalDataFinding.objects.exists()
    assert DetectionFailure.objects.filter(record_id=activity.pk, error="DatabaseError").exists()
