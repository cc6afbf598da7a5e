"""A contact's history on its page: who changed what, with the old and new values opened
from the sealed trail, masked like the record for readers without the grant, shown only to
those who may read the trail."""

import pytest
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.audit.reads import READ_ACTION
from steward.contacts.services import contact_create, contact_update, custom_field_create
from steward.core.actor import SystemActor
from steward.inventory.history import record_history

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("test")


@pytest.fixture
def person(owner):
    custom_field_create(
        actor=SYSTEM, key="allergies", label="Allergies", field_type="text",
        category="special.health",
    )  # fmt: skip
    contact = contact_create(
        actor=owner, data={"given_name": "Liina", "family_name": "Lepik", "team": owner.team}
    )
    contact_update(actor=owner, contact=contact, data={"family_name": "Lepp"})
    contact_update(actor=SYSTEM, contact=contact, data={"custom": {"allergies": "Pollen"}})
    return contact


def page(client, user, contact) -> str:
    client.force_login(user)
    response = client.get(reverse("contacts:detail", args=[contact.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_manager_sees_who_changed_the_name_from_what_to_what(client, manager, person):
    html = page(client, manager, person)

    assert 'id="record-history"' in html
    assert "contact.updated" in html
    assert "Lepik" in html and "Lepp" in html  # before and after, opened from the trail
    assert "alice.owner@example.com" in html


def test_a_value_that_needs_a_grant_is_masked_for_a_manager(client, manager, person):
    html = page(client, manager, person)

    assert "Allergies" in html
    assert "Pollen" not in html
    assert "Restricted (special-category data)" in html
    assert not AuditEvent.objects.filter(action=READ_ACTION, actor=manager).exists()


def test_the_dpo_sees_it_and_the_read_is_recorded(client, dpo, person):
    html = page(client, dpo, person)

    assert "Pollen" in html
    read = AuditEvent.objects.get(action=READ_ACTION, actor=dpo)
    assert read.object_id == str(person.pk)
    assert read.context["read"] == "record_page.history"


def test_roles_without_the_grant_see_no_history(client, owner, person):
    html = page(client, owner, person)  # sales: records contacts, does not read the trail

    assert 'id="record-history"' not in html
    assert "Lepik" not in html


def test_the_history_is_newest_first_and_names_each_field(manager, person):
    history = record_history(actor=manager, record=person)

    assert [entry.action for entry in history] == [
        "contact.updated",
        "contact.updated",
        "contact.created",
    ]
    [renamed] = history[1].changes
    assert (renamed.label, renamed.old, renamed.new) == ("Family name", "Lepik", "Lepp")
