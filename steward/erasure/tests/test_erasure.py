"""Art. 17 erasure: the plan before it runs, one transaction, the person's key destroyed, a
suppression entry that stops a silent return, a journal replayed after a restore."""

import datetime

import pytest
from django.apps import apps
from django.db import connection

from steward.activities.models import Activity
from steward.activities.services import activity_log
from steward.audit.ledger import ledger_verify
from steward.audit.models import AuditEvent
from steward.consent.models import ConsentEvent
from steward.contacts.models import Contact
from steward.contacts.services import contact_create, contact_update, custom_field_create
from steward.core.actor import SystemActor
from steward.core.errors import Conflict
from steward.crypto.errors import DataErased
from steward.crypto.fields import Sealed
from steward.crypto.sealed_values import ERASED
from steward.deals.models import Deal
from steward.deals.tests.factories import DealFactory
from steward.erasure.models import ErasureJournalEntry, Suppression
from steward.erasure.services import (
    ANONYMISE,
    DELETE,
    KEEP,
    erasure_execute,
    erasure_journal_replay,
    erasure_plan_for,
    suppression_match,
)

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("test")
EMAIL = "wilma.wegener@example.org"
FAMILY_NAME = "Wegenerova"


@pytest.fixture
def person(owner):
    custom_field_create(
        actor=SYSTEM, key="allergies", label="Allergies", field_type="text",
        category="special.health",
    )  # fmt: skip
    contact = contact_create(
        actor=owner,
        data={
            "given_name": "Wilma",
            "family_name": FAMILY_NAME,
            "email": EMAIL,
            "phone": "+49 30 1234567",
            "date_of_birth": datetime.date(1981, 5, 17),
        },
    )
    contact_update(actor=SYSTEM, contact=contact, data={"custom": {"allergies": "Penicillin"}})
    activity_log(
        actor=owner,
        data={"kind": "note", "body": f"Met {FAMILY_NAME} at the fair.", "contact": contact},
    )
    DealFactory(contact=contact, owner=owner, team=owner.team)
    return Contact.objects.get(pk=contact.pk)


def test_the_plan_says_what_is_deleted_what_is_kept_and_why(person):
    plan = erasure_plan_for(contact=person)

    actions = {item.model: item.action for item in plan.items}
    assert actions["contacts.Contact"] == DELETE
    assert actions["activities.Activity"] == DELETE
    assert actions["deals.Deal"] == ANONYMISE
    deal = next(i for i in plan.items if i.model == "deals.Deal")
    assert "Art. 17(3)(b)" in deal.exception  # the seeded invoicing purpose covers deals
    assert all(item.reason for item in plan.items)


def test_erasure_removes_the_person_keeps_the_deal_and_destroys_the_key(person):
    activity = Activity.objects.get(contact=person)
    deal = Deal.objects.get(contact=person)

    result = erasure_execute(actor=SYSTEM, contact=person, reason="Art. 17 request")

    assert not Contact.objects.filter(pk=person.pk).exists()
    assert not Activity.objects.filter(pk=activity.pk).exists()
    deal.refresh_from_db()
    assert deal.contact_id is None
    assert result.keys_destroyed >= 1
    assert Suppression.objects.count() == 1
    assert ErasureJournalEntry.objects.get().contact_id == person.pk


def test_after_erasure_no_table_names_the_person(person):
    """Every text column of every table, read with raw SQL, for the email and family name:
    the audit trail's old and new values were sealed under the person's key, so nothing
    names them in clear, and the key is gone."""
    erasure_execute(actor=SYSTEM, contact=person, reason="Art. 17 request")

    holding = set()
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            columns = [
                f.column
                for f in model._meta.concrete_fields
                if f.get_internal_type() in ("CharField", "TextField", "JSONField", "EmailField")
                or getattr(f, "encrypted", False)
            ]
            for column in columns:
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s '
                    f'OR CAST("{column}" AS TEXT) LIKE %s',
                    [f"%{EMAIL}%", f"%{FAMILY_NAME}%"],
                )
                if cursor.fetchone()[0]:
                    holding.add(table)

    assert holding == set()


def test_the_audit_trail_still_verifies_and_reads_erased_after_erasure(person):
    created = AuditEvent.objects.get(action="contact.created", object_id=str(person.pk))
    assert created.changes["family_name"] == [None, FAMILY_NAME]  # opened with the key

    erasure_execute(actor=SYSTEM, contact=person, reason="Art. 17 request")

    created = AuditEvent.objects.get(pk=created.pk)
    assert created.changes["family_name"] == ERASED
    assert created.action == "contact.created"  # what happened stays readable
    assert all(report.ok for report in ledger_verify())


def test_values_encrypted_under_the_persons_key_are_unreadable_after_erasure(person):
    consent_events_before = ConsentEvent.objects.count()
    activity_id = Activity.objects.get(contact=person).pk
    from steward.crypto.fields import sealed_values  # noqa: F401 (the field module loads)

    erasure_execute(actor=SYSTEM, contact=person, reason="Art. 17 request")

    assert ConsentEvent.objects.count() == consent_events_before  # the ledger is not rewritten
    assert not Activity.objects.filter(pk=activity_id).exists()


def test_an_erased_person_is_not_created_again_by_staff(person, owner):
    erasure_execute(actor=SYSTEM, contact=person, reason="Art. 17 request")

    with pytest.raises(Conflict, match="erased at their request"):
        contact_create(actor=owner, data={"given_name": "W", "email": EMAIL.upper()})

    assert not Contact.objects.with_email(EMAIL).exists()
    assert suppression_match(phone="+49301234567") is not None
    assert suppression_match(email="someone.else@example.org") is None


def test_a_restore_brings_nobody_back_once_the_journal_is_replayed(person):
    # A restore of an older data backup puts the person's row back; the journal and the
    # keys live apart from the data (steward.crypto.router) and are not rolled back.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name, family_name, email, phone FROM contacts_contact WHERE id = %s",
            [person.pk.hex if connection.vendor == "sqlite" else person.pk],
        )
        row = cursor.fetchone()
    erasure_execute(actor=SYSTEM, contact=person, reason="Art. 17 request")
    # The row as the backup holds it: its address and phone stay ciphertext (erased key).
    restored = Contact(
        pk=person.pk,
        given_name=row[0],
        family_name=row[1],
        email=Sealed(row[2]),
        phone=Sealed(row[3]),
    )
    Contact.objects.bulk_create([restored])

    assert erasure_journal_replay() == 1

    assert not Contact.objects.filter(pk=person.pk).exists()
    assert erasure_journal_replay() == 0  # idempotent


def test_data_encrypted_under_an_erased_key_raises_rather_than_returning_ciphertext(owner):
    contact = contact_create(actor=owner, data={"given_name": "Kai", "email": "kai@example.org"})
    activity_log(actor=owner, data={"kind": "note", "body": "Secret words", "contact": contact})
    from steward.crypto.keyring import owner_for
    from steward.crypto.services import data_key_destroy

    data_key_destroy(actor=SYSTEM, owner=owner_for("contact", contact.pk))

    with pytest.raises(DataErased):
        Activity.objects.get(contact=contact).body  # noqa: B018 (reading is the test)


def test_only_deleted_and_kept_items_are_in_the_plan(person):
    plan = erasure_plan_for(contact=person)

    assert {item.action for item in plan.items} <= {DELETE, ANONYMISE, KEEP}
    assert plan.deleted and plan.kept


@pytest.mark.django_db(transaction=True)
def test_the_raw_sqlite_file_after_vacuum_holds_nothing_of_the_erased_person(owner, tmp_path):
    """The whole database as SQLite writes it to disk (VACUUM INTO: every live page, none
    of the freed ones), read as bytes: no email, no name, in any table or index."""
    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite file")
    contact = contact_create(
        actor=owner,
        data={"given_name": "Wilma", "family_name": FAMILY_NAME, "email": EMAIL},
    )
    contact_update(actor=owner, contact=contact, data={"family_name": FAMILY_NAME + "-Neu"})
    activity_log(
        actor=owner,
        data={"kind": "note", "body": f"Called {FAMILY_NAME}.", "contact": contact},
    )
    after = tmp_path / "after.sqlite3"

    erasure_execute(actor=SYSTEM, contact=Contact.objects.get(pk=contact.pk), reason="Art. 17")

    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(after)])
    raw = after.read_bytes()
    assert b"contact.created" in raw  # the probe reads the trail's text as stored
    for text in (EMAIL, FAMILY_NAME, "Wilma"):
        assert text.encode() not in raw
        assert text.encode("utf-16-le") not in raw
