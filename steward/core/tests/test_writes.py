import pytest

from steward.activities.tests.factories import ActivityFactory
from steward.audit.models import AuditEvent
from steward.contacts.services import contact_delete, organisation_delete
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(team):
    return UserFactory(email="max.manager@example.com", role=Role.MANAGER, team=team)


def test_deleting_a_contact_audits_each_activity_deleted_with_it(manager):
    contact = ContactFactory()
    contact_id = contact.pk
    note, call = ActivityFactory(contact=contact), ActivityFactory(contact=contact, kind="call")

    contact_delete(actor=manager, contact=contact)

    cascaded = AuditEvent.objects.filter(action="activity.deleted")
    assert {e.object_id for e in cascaded} == {str(note.pk), str(call.pk)}
    assert {e.context["deleted_with"] for e in cascaded} == {f"contacts.contact:{contact_id}"}
    assert AuditEvent.objects.get(action="contact.deleted").object_id == str(contact_id)


def test_deleting_an_organisation_audits_the_contacts_it_is_removed_from(manager):
    organisation = OrganisationFactory()
    organisation_id = organisation.pk
    employee = ContactFactory(organisation=organisation)

    organisation_delete(actor=manager, organisation=organisation)

    employee.refresh_from_db()
    assert employee.organisation is None
    event = AuditEvent.objects.get(action="contact.updated", object_id=str(employee.pk))
    assert event.changes == {"organisation": [str(organisation_id), None]}
