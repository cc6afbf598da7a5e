"""Personal values inside audit events and consent evidence are sealed under the key of the
person they belong to: the raw rows hold no plaintext, the rest of the event stays readable,
the chains hash what is stored and still verify once the key is destroyed."""

import json

import pytest
from django.db import connection

from steward.audit.context import audit_context
from steward.audit.events import audit_record, audit_record_many
from steward.audit.models import AuditEvent
from steward.audit.reads import audit_read
from steward.consent.models import Channel, ConsentEvent, Method
from steward.consent.services import consent_give
from steward.consent.tests.factories import published_version, purpose
from steward.contacts.services import contact_create, contact_update
from steward.contacts.tests.factories import ContactFactory
from steward.core import chain
from steward.core.actor import SystemActor
from steward.core.errors import ValidationFailed
from steward.crypto.errors import DecryptionFailed
from steward.crypto.keyring import owner_for
from steward.crypto.sealed_values import ERASED, is_sealed
from steward.crypto.services import data_key_destroy

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("test")
PORTAL = SystemActor("portal")


def raw_row(model, pk) -> str:
    """Every column of one row, as the database holds it, as one string."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        return " ".join(str(value) for value in cursor.fetchone())


def test_old_and_new_personal_values_are_sealed_and_read_back(owner):
    # Given a contact whose name is changed
    contact = contact_create(actor=owner, data={"given_name": "Oskar", "family_name": "Tamm"})
    contact_update(actor=owner, contact=contact, data={"family_name": "Tammsaar"})

    # When the update's audit event is read
    event = AuditEvent.objects.get(action="contact.updated", object_id=str(contact.pk))

    # Then the model gives the old and new values, the database holds neither
    assert event.changes["family_name"] == ["Tamm", "Tammsaar"]
    raw = raw_row(AuditEvent, event.pk)
    assert "Tamm" not in raw
    assert "contact.updated" in raw and str(contact.pk) in raw  # what happened stays readable
    assert is_sealed(event.__dict__["changes"]["family_name"])


def test_facts_about_the_act_stay_readable(owner):
    # Given a read of fifty contacts (no person's values in it)
    audit_read(actor=owner, what="api.list", object_type="contacts.contact", count=50)

    event = AuditEvent.objects.get(action="personal_data.read")

    # Then its count is stored in clear (the unusual-access scan sums it in SQL rows)
    assert event.__dict__["changes"]["count"] == [None, 50]


def test_the_client_address_of_a_public_act_is_sealed_a_staff_members_is_not(owner):
    contact = ContactFactory()

    with audit_context(channel="web", ip="198.51.100.23"):
        audit_record(actor=PORTAL, action="request.made", target=contact)
        audit_record(actor=owner, action="contact.viewed", target=contact)

    public, staff = AuditEvent.objects.filter(object_id=str(contact.pk)).order_by("seq")
    assert public.context["ip"] == "198.51.100.23"
    assert "198.51.100.23" not in raw_row(AuditEvent, public.pk)
    assert staff.__dict__["context"]["ip"] == "198.51.100.23"  # kept for security work


def test_bulk_events_with_personal_values_are_sealed_per_person():
    first, second = ContactFactory.create_batch(2)

    audit_record_many(
        actor=SYSTEM,
        action="contact.child_status_changed",
        targets=[first, second],
        changes={"child_status": ["child", "adult"]},
    )

    events = list(AuditEvent.objects.filter(action="contact.child_status_changed"))
    assert [e.changes["child_status"] for e in events] == [["child", "adult"]] * 2
    tokens = {e.__dict__["changes"]["child_status"]["$sealed"] for e in events}
    assert len(tokens) == 2  # each under its own person's key
    assert chain.verify(AuditEvent).ok


def test_the_chain_verifies_before_and_after_the_persons_key_is_destroyed(owner):
    contact = contact_create(actor=owner, data={"given_name": "Ilse", "family_name": "Kuuse"})
    contact_update(actor=owner, contact=contact, data={"family_name": "Kask"})
    assert chain.verify(AuditEvent).ok
    assert chain.verify(AuditEvent, fast=False).ok

    data_key_destroy(actor=SYSTEM, owner=owner_for("contact", contact.pk))

    assert chain.verify(AuditEvent).ok
    assert chain.verify(AuditEvent, fast=False).ok
    event = AuditEvent.objects.get(action="contact.updated", object_id=str(contact.pk))
    assert event.changes["family_name"] == ERASED


def test_a_sealed_value_copied_into_another_event_does_not_open(owner):
    # Given two events about the same person (same key)
    contact = contact_create(actor=owner, data={"given_name": "Mari", "family_name": "Saar"})
    contact_update(actor=owner, contact=contact, data={"family_name": "Saarepuu"})
    created = AuditEvent.objects.get(action="contact.created", object_id=str(contact.pk))
    updated = AuditEvent.objects.get(action="contact.updated", object_id=str(contact.pk))

    # When the sealed family name of one is put into the other (in memory: the table refuses
    # updates)
    copy = AuditEvent.objects.get(pk=updated.pk)
    copy.__dict__["changes"] = {"family_name": created.__dict__["changes"]["family_name"]}

    # Then it fails to open instead of passing for the other event's value
    with pytest.raises(DecryptionFailed):
        copy.changes  # noqa: B018


def test_consent_evidence_and_who_gave_it_are_sealed_under_the_persons_key(owner):
    newsletter = purpose("newsletter-sealing")
    version = published_version({newsletter: "Monthly newsletter."})
    contact = ContactFactory()

    event = consent_give(
        actor=owner,
        contact=contact,
        purpose=newsletter,
        notice_version=version,
        method=Method.WRITTEN,
        channel=Channel.PHONE,
        evidence={"ip": "203.0.113.77", "note": "Signed by Liis Parenthood"},
        given_by="Liis Parenthood",
        parental=True,
    )

    stored = ConsentEvent.objects.get(pk=event.pk)
    assert stored.given_by == "Liis Parenthood"
    assert stored.evidence["ip"] == "203.0.113.77"
    raw = raw_row(ConsentEvent, event.pk)
    assert "Parenthood" not in raw and "203.0.113.77" not in raw
    assert chain.verify(ConsentEvent).ok

    data_key_destroy(actor=SYSTEM, owner=owner_for("contact", contact.pk))

    erased = ConsentEvent.objects.get(pk=event.pk)
    assert erased.given_by == ERASED
    assert erased.evidence == {"erased": True}
    assert erased.kind == event.kind and erased.purpose_id == newsletter.pk  # still proof
    assert chain.verify(ConsentEvent).ok
    assert json.loads(json.dumps(erased.evidence))  # serialisable for the API


def test_a_long_name_in_any_script_fits_sealed_and_a_too_long_one_is_refused(owner):
    newsletter = purpose("newsletter-sealing-long")
    version = published_version({newsletter: "Monthly newsletter."})
    contact = ContactFactory()
    common = {
        "actor": owner, "contact": contact, "purpose": newsletter, "notice_version": version,
        "method": Method.WRITTEN, "channel": Channel.PHONE, "parental": True,
    }  # fmt: skip
    before = ConsentEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        consent_give(**common, given_by="𝔄" * 201)
    assert "given_by" in refused.value.field_errors
    assert ConsentEvent.objects.count() == before

    event = consent_give(**common, given_by="𝔄" * 200)  # 800 bytes of UTF-8, sealed
    assert ConsentEvent.objects.get(pk=event.pk).given_by == "𝔄" * 200
