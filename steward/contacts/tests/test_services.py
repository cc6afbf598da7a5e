import pytest

from steward.audit.models import AuditEvent
from steward.contacts.models import Contact
from steward.contacts.services import contact_create, contact_delete, contact_update
from steward.contacts.tests.factories import ContactFactory
from steward.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def test_it_creates_a_contact_owned_by_the_actor_with_an_audit_event(owner):
    contact = contact_create(
        actor=owner,
        data={"given_name": " Mara ", "family_name": "Lindqvist", "email": "Mara@Example.ORG"},
    )

    contact.refresh_from_db()
    assert contact.email == "mara@example.org"
    assert contact.given_name == "Mara"
    assert contact.owner == owner and contact.team == owner.team
    event = AuditEvent.objects.get(object_id=str(contact.pk))
    assert event.action == "contact.created"
    assert event.actor == owner
    assert event.changes["email"] == [None, "mara@example.org"]


def test_it_records_old_and_new_values_of_changed_fields_only(owner):
    contact = ContactFactory(owner=owner, team=owner.team, family_name="Old", city="Lyon")

    contact_update(actor=owner, contact=contact, data={"family_name": "New", "city": "Lyon"})

    event = AuditEvent.objects.get(action="contact.updated")
    assert event.changes == {"family_name": ["Old", "New"]}


def test_an_update_that_changes_nothing_writes_no_audit_row(owner):
    contact = ContactFactory(owner=owner, team=owner.team, family_name="Same")

    contact_update(actor=owner, contact=contact, data={"family_name": "Same"})

    assert not AuditEvent.objects.filter(action="contact.updated").exists()


def test_it_rejects_an_invalid_email_naming_the_field_and_changes_nothing(owner):
    with pytest.raises(ValidationFailed) as error:
        contact_create(actor=owner, data={"family_name": "Doe", "email": "not-an-address"})

    assert "email" in error.value.field_errors
    assert Contact.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_it_rejects_a_duplicate_email_case_insensitively(owner):
    ContactFactory(email="dup@example.org")

    with pytest.raises(Conflict) as error:
        contact_create(actor=owner, data={"family_name": "Twin", "email": "DUP@example.org"})

    assert "email" in error.value.field_errors
    assert Contact.objects.count() == 1


def test_it_rejects_an_unknown_field(owner):
    with pytest.raises(ValidationFailed) as error:
        contact_create(actor=owner, data={"family_name": "Doe", "favourite_colour": "red"})

    assert "favourite_colour" in error.value.field_errors
    assert Contact.objects.count() == 0


def test_a_colleague_may_edit_a_team_contact(owner, colleague):
    contact = ContactFactory(owner=owner, team=owner.team, family_name="Before")

    contact_update(actor=colleague, contact=contact, data={"family_name": "After"})

    contact.refresh_from_db()
    assert contact.family_name == "After"


def test_an_outsider_cannot_edit_or_delete_and_nothing_changes(owner, outsider):
    contact = ContactFactory(owner=owner, team=owner.team, family_name="Kept")

    with pytest.raises(NotFound):
        contact_update(actor=outsider, contact=contact, data={"family_name": "Hacked"})
    with pytest.raises(PermissionDenied):
        contact_delete(actor=outsider, contact=contact)

    contact.refresh_from_db()
    assert contact.family_name == "Kept"
    assert AuditEvent.objects.count() == 0


def test_a_read_only_user_cannot_create(reader):
    with pytest.raises(PermissionDenied):
        contact_create(actor=reader, data={"family_name": "Nope"})

    assert Contact.objects.count() == 0
