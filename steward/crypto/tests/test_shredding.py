"""Crypto-shredding: destroying a person's data key erases every encrypted value of theirs,
in this database and in a copy taken before, as long as that copy is read with the live
key table (which is why the keys belong in a database backed up apart: decision 0018)."""

import datetime
import sqlite3

import pytest
from django.db import connection, transaction

from steward.activities.models import Activity
from steward.activities.tests.factories import ActivityFactory
from steward.audit.models import AuditEvent
from steward.contacts.models import Contact
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor
from steward.core.errors import ValidationFailed
from steward.crypto.errors import DataErased, DecryptionFailed
from steward.crypto.fields import Sealed
from steward.crypto.keyring import keyring
from steward.crypto.models import DataKey
from steward.crypto.services import data_key_destroy
from steward.detection.models import PersonalDataFinding

ACTOR = SystemActor("test")


def erase(contact: Contact) -> int:
    return data_key_destroy(actor=ACTOR, owner=f"contact:{contact.pk}")


@pytest.mark.django_db
def test_after_destroying_the_key_every_encrypted_value_of_the_person_raises_erased():
    erased = ContactFactory(date_of_birth=datetime.date(1984, 4, 4), custom={"iban": "DE89"})
    kept = ContactFactory(date_of_birth=datetime.date(1985, 5, 5))
    ActivityFactory(contact=erased, body="Her diabetes makes mornings hard.")
    ActivityFactory(contact=kept, body="Nothing sensitive.")

    assert erase(erased) == 1

    contact = Contact.objects.get(pk=erased.pk)
    with pytest.raises(DataErased, match="erased"):
        _ = contact.date_of_birth
    with pytest.raises(DataErased):
        _ = contact.custom
    with pytest.raises(DataErased):
        _ = Activity.objects.get(contact=erased).body
    assert Contact.objects.get(pk=kept.pk).date_of_birth == datetime.date(1985, 5, 5)
    assert Activity.objects.get(contact=kept).body == "Nothing sensitive."
    assert AuditEvent.objects.filter(action="data_key.destroyed").count() == 1


@pytest.mark.django_db
def test_the_findings_about_an_erased_person_are_erased_too():
    from steward.activities.services import activity_log
    from steward.staff.roles import Role
    from steward.staff.tests.factories import UserFactory

    admin = UserFactory(role=Role.ADMINISTRATOR)
    contact = ContactFactory()
    activity_log(
        actor=admin,
        data={"kind": "note", "body": "He has asthma.", "contact": contact},
    )
    finding = PersonalDataFinding.objects.get(contact=contact)
    assert finding.evidence == "asthma"

    erase(contact)

    with pytest.raises(DataErased):
        _ = PersonalDataFinding.objects.get(pk=finding.pk).evidence


@pytest.mark.django_db
def test_the_key_row_stays_without_its_key_as_the_erasure_journal():
    contact = ContactFactory(date_of_birth=datetime.date(1990, 9, 9))

    erase(contact)

    row = DataKey.objects.get(owner=f"contact:{contact.pk}")
    assert row.wrapped is None and row.state == "destroyed" and row.destroyed_at is not None


@pytest.mark.django_db
def test_nothing_more_can_be_written_under_a_destroyed_key():
    contact = ContactFactory(date_of_birth=datetime.date(1990, 9, 9))
    erase(contact)
    before = Activity.objects.count()

    with pytest.raises(DataErased), transaction.atomic():
        ActivityFactory(contact=contact, body="new note")

    assert Activity.objects.count() == before


@pytest.mark.django_db
def test_the_system_key_cannot_be_destroyed():
    with pytest.raises(ValidationFailed):
        data_key_destroy(actor=ACTOR, owner="system")

    assert not AuditEvent.objects.filter(action="data_key.destroyed").exists()


@pytest.mark.django_db(transaction=True)
def test_a_copy_taken_before_the_erasure_is_unreadable_with_the_live_key_table(tmp_path):
    """The backup is a copy of the whole SQLite file taken before the erasure. Read with
    the live key table (keys kept apart from data backups), its ciphertext no longer opens.
    Read with its own key table and the master key, it still would: the copy's DataKey rows
    are what a separate keys database keeps out of data backups."""
    if connection.vendor != "sqlite":
        pytest.skip("copies the SQLite file")
    contact = ContactFactory(date_of_birth=datetime.date(1979, 7, 7))
    note = ActivityFactory(contact=contact, body="Pregnant, due in March.")
    backup = tmp_path / "backup.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(backup)])

    erase(contact)

    copy = sqlite3.connect(backup)
    (stored,) = copy.execute(
        "SELECT body FROM activities_activity WHERE id = ?", [note.pk.hex]
    ).fetchone()
    (old_wrapped,) = copy.execute(
        "SELECT wrapped FROM crypto_datakey WHERE owner = ?", [f"contact:{contact.pk}"]
    ).fetchone()
    copy.close()
    field = Activity._meta.get_field("body")
    keyring().forget()

    with pytest.raises(DataErased):
        field.open(Sealed(stored), row_id=note.pk)
    # What it does not guarantee: the copy carries its own wrapped key, which the master
    # key still opens. Shredding reaches this backup only if its key table is not restored.
    assert old_wrapped is not None
    assert b"Pregnant" not in backup.read_bytes()


@pytest.mark.django_db
def test_a_value_from_an_unknown_key_table_is_refused_not_shown():
    note = ActivityFactory(contact=ContactFactory(), body="Private")
    DataKey.objects.all().delete()
    keyring().forget()

    with pytest.raises(DecryptionFailed):
        _ = Activity.objects.get(pk=note.pk).body
