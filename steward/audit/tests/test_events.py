import datetime
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from steward.audit.context import AuditContextMiddleware, audit_context
from steward.audit.events import audit_record, audit_record_many, diff
from steward.audit.models import AuditEvent
from steward.contacts.services import contact_create
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor

pytestmark = pytest.mark.django_db


def test_diff_lists_only_changed_fields_with_old_and_new():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}


def test_an_event_records_the_system_actor_channel_and_json_safe_values():
    contact = ContactFactory()

    with audit_context(channel="cli"):
        audit_record(
            actor=SystemActor("import"),
            action="contact.touched",
            target=contact,
            changes={"amount": [Decimal("1.50"), datetime.date(2026, 1, 2)]},
        )

    event = AuditEvent.objects.get()
    assert event.actor is None
    assert event.actor_label == "system:import"
    assert event.object_type == "contacts.contact"
    assert event.object_id == str(contact.pk)
    assert event.changes == {"amount": ["1.50", "2026-01-02"]}
    assert event.context == {"channel": "cli"}


def test_a_web_request_records_its_channel_and_address(owner):
    def view(request):
        contact_create(actor=owner, data={"family_name": "Weber"})
        return HttpResponse("ok")

    AuditContextMiddleware(view)(RequestFactory().post("/contacts/new/", REMOTE_ADDR="192.0.2.7"))

    event = AuditEvent.objects.get(action="contact.created")
    assert event.context == {"channel": "web", "ip": "192.0.2.7"}


def test_many_events_are_written_one_per_record_with_the_actor_and_context(owner):
    contacts = ContactFactory.create_batch(3)

    with audit_context(channel="cli"):
        written = audit_record_many(actor=owner, action="contact.created", targets=contacts)

    events = list(AuditEvent.objects.order_by("id"))
    assert written == 3
    assert [e.object_id for e in events] == [str(c.pk) for c in contacts]
    assert {(e.actor_id, e.actor_label, e.action, e.object_type) for e in events} == {
        (owner.pk, owner.email, "contact.created", "contacts.contact")
    }
    assert all(e.context == {"channel": "cli"} and e.changes == {} for e in events)
    assert all(e.occurred_at is not None for e in events)
