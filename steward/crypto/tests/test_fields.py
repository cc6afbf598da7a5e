"""Encrypted fields: what is stored, what is read back, and what is refused."""

import datetime
import sqlite3
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from steward.activities.models import Activity
from steward.activities.tests.factories import ActivityFactory
from steward.contacts.models import Contact
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory
from steward.crypto.errors import DecryptionFailed, PlaintextRefused
from steward.crypto.fields import Sealed
from steward.crypto.keyring import SYSTEM_OWNER, keyring
from steward.crypto.models import DataKey

pytestmark = pytest.mark.django_db

NOTE = "Mentioned her asthma; prefers calls after eleven."


def raw_column(table: str, column: str, pk) -> object:
    """The value as the database holds it, read without the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "{column}" FROM "{table}" WHERE id = %s',
            [pk.hex if connection.vendor == "sqlite" else pk],
        )
        return cursor.fetchone()[0]


def test_a_saved_activity_reads_back_its_subject_and_body():
    contact = ContactFactory()
    activity = ActivityFactory(contact=contact, subject="Renewal call", body=NOTE)

    again = Activity.objects.get(pk=activity.pk)

    assert (again.subject, again.body) == ("Renewal call", NOTE)


def test_the_database_holds_no_plaintext_of_an_encrypted_field():
    contact = ContactFactory(date_of_birth=datetime.date(1987, 3, 14), custom={"iban": "DE89"})
    activity = ActivityFactory(contact=contact, subject="Renewal call", body=NOTE)

    body = raw_column("activities_activity", "body", activity.pk)
    dob = raw_column("contacts_contact", "date_of_birth", contact.pk)
    custom = raw_column("contacts_contact", "custom", contact.pk)

    assert "asthma" not in body and "Renewal" not in raw_column(
        "activities_activity", "subject", activity.pk
    )
    assert "1987" not in dob
    assert "DE89" not in str(custom) and "iban" in str(custom)


@pytest.mark.django_db(transaction=True)
def test_the_sqlite_file_holds_no_plaintext(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite file")
    ActivityFactory(contact=ContactFactory(), body="Unmistakable zebra phrase 4711")
    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])

    content = copy.read_bytes()

    assert b"zebra" not in content
    database = sqlite3.connect(copy)
    bodies = [row[0] for row in database.execute("SELECT body FROM activities_activity")]
    database.close()
    assert bodies and all("zebra" not in body for body in bodies)


def test_each_contact_gets_its_own_data_key():
    first = ContactFactory(date_of_birth=datetime.date(1990, 1, 1))
    second = ContactFactory(date_of_birth=datetime.date(1990, 1, 1))

    owners = set(DataKey.objects.values_list("owner", flat=True))

    assert {f"contact:{first.pk}", f"contact:{second.pk}"} <= owners
    assert raw_column("contacts_contact", "date_of_birth", first.pk) != raw_column(
        "contacts_contact", "date_of_birth", second.pk
    )


def test_an_activity_without_a_contact_uses_its_organisation_key_else_the_system_key():
    organisation = OrganisationFactory()
    ActivityFactory(organisation=organisation, body="About the organisation")
    ActivityFactory(body="About a deal only")

    owners = set(DataKey.objects.values_list("owner", flat=True))

    assert f"organisation:{organisation.pk}" in owners and SYSTEM_OWNER in owners


def test_a_ciphertext_copied_into_another_row_fails_to_open():
    contact = ContactFactory()
    secret = ActivityFactory(contact=contact, body=NOTE)
    other = ActivityFactory(contact=contact, body="Nothing to see")
    stolen = raw_column("activities_activity", "body", secret.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activity SET body = %s WHERE id = %s",
            [stolen, other.pk.hex if connection.vendor == "sqlite" else other.pk],
        )

    with pytest.raises(DecryptionFailed):
        _ = Activity.objects.get(pk=other.pk).body


def test_a_ciphertext_copied_into_another_column_fails_to_open():
    activity = ActivityFactory(contact=ContactFactory(), subject="Short", body=NOTE)
    body = raw_column("activities_activity", "body", activity.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activity SET subject = %s WHERE id = %s",
            [body, activity.pk.hex if connection.vendor == "sqlite" else activity.pk],
        )

    again = Activity.objects.get(pk=activity.pk)

    assert again.body == NOTE
    with pytest.raises(DecryptionFailed):
        _ = again.subject


def test_a_corrupted_ciphertext_raises_and_is_never_shown():
    activity = ActivityFactory(contact=ContactFactory(), body=NOTE)
    stored = raw_column("activities_activity", "body", activity.pk)
    flipped = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activity SET body = %s WHERE id = %s",
            [flipped, activity.pk.hex if connection.vendor == "sqlite" else activity.pk],
        )

    with pytest.raises(DecryptionFailed):
        _ = Activity.objects.get(pk=activity.pk).body


def test_a_plaintext_left_in_an_encrypted_column_raises():
    activity = ActivityFactory(contact=ContactFactory(), body=NOTE)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activity SET body = %s WHERE id = %s",
            ["plain words", activity.pk.hex if connection.vendor == "sqlite" else activity.pk],
        )

    with pytest.raises(DecryptionFailed):
        _ = Activity.objects.get(pk=activity.pk).body


def test_queryset_update_cannot_write_plaintext_into_an_encrypted_column():
    activity = ActivityFactory(contact=ContactFactory(), body=NOTE)
    before = raw_column("activities_activity", "body", activity.pk)

    with pytest.raises(PlaintextRefused), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(body="overwritten in clear")

    assert raw_column("activities_activity", "body", activity.pk) == before


def test_bulk_update_cannot_write_plaintext_into_an_encrypted_column():
    contact = ContactFactory(date_of_birth=datetime.date(1980, 5, 6))
    before = raw_column("contacts_contact", "date_of_birth", contact.pk)
    contact.date_of_birth = datetime.date(1981, 5, 6)

    with pytest.raises(PlaintextRefused), transaction.atomic():
        Contact.objects.bulk_update([contact], ["date_of_birth"])

    assert raw_column("contacts_contact", "date_of_birth", contact.pk) == before


def test_a_value_sealed_for_its_row_can_be_written_by_update():
    contact = ContactFactory()
    field = Contact._meta.get_field("date_of_birth")
    sealed = field.seal(datetime.date(1975, 7, 8), row_id=contact.pk, owner=f"contact:{contact.pk}")

    Contact.objects.filter(pk=contact.pk).update(date_of_birth=sealed)

    assert Contact.objects.get(pk=contact.pk).date_of_birth == datetime.date(1975, 7, 8)


def test_filtering_on_plaintext_is_refused_but_null_checks_and_has_key_work():
    ContactFactory(date_of_birth=datetime.date(2001, 2, 3), custom={"national_id": "X1"})
    ContactFactory()

    with pytest.raises(PlaintextRefused):
        list(Contact.objects.filter(date_of_birth=datetime.date(2001, 2, 3)))

    assert Contact.objects.filter(date_of_birth__isnull=False).count() == 1
    assert Contact.objects.filter(custom__has_key="national_id").count() == 1


def test_values_gives_sealed_values_that_refuse_to_be_shown():
    ActivityFactory(contact=ContactFactory(), body=NOTE)

    (value,) = Activity.objects.values_list("body", flat=True)

    assert isinstance(value, Sealed)
    with pytest.raises(DecryptionFailed):
        str(value)


def test_a_field_never_read_is_never_decrypted_and_saves_unchanged():
    activity = ActivityFactory(contact=ContactFactory(), body=NOTE)
    before = raw_column("activities_activity", "body", activity.pk)
    again = Activity.objects.get(pk=activity.pk)
    assert isinstance(again.__dict__["body"], Sealed)

    again.save()

    assert raw_column("activities_activity", "body", activity.pk) == before
    assert Activity.objects.get(pk=activity.pk).body == NOTE


def test_custom_values_are_bound_to_their_key():
    contact = ContactFactory(custom={"iban": "DE89370400440532013000", "pet": "cat"})
    stored = Contact.objects.values_list("custom", flat=True).get(pk=contact.pk).stored
    swapped = {"iban": stored["pet"], "pet": stored["iban"]}
    field = Contact._meta.get_field("custom")
    Contact.objects.filter(pk=contact.pk).update(custom=Sealed(swapped))

    with pytest.raises(DecryptionFailed):
        _ = Contact.objects.get(pk=contact.pk).custom
    assert field.open(Sealed(stored), row_id=contact.pk) == {
        "iban": "DE89370400440532013000",
        "pet": "cat",
    }


def test_an_empty_custom_object_needs_no_key():
    # (A contact has a key anyway now: its email and phone are encrypted, empty or not.)
    owner = f"contact:{uuid.uuid4()}"

    sealed = Contact._meta.get_field("custom").seal({}, row_id=uuid.uuid4(), owner=owner)

    assert sealed.stored == {}
    assert not DataKey.objects.filter(owner=owner).exists()
    assert Contact.objects.get(pk=ContactFactory(custom={}).pk).custom == {}


def test_an_unknown_key_id_is_a_clear_error():
    activity = ActivityFactory(contact=ContactFactory(), body=NOTE)
    DataKey.objects.all().delete()
    from steward.crypto.keyring import keyring

    keyring().forget()

    with pytest.raises(DecryptionFailed, match="does not exist"):
        _ = Activity.objects.get(pk=activity.pk).body


def test_a_deferred_encrypted_field_loads_and_opens_on_access():
    activity = ActivityFactory(contact=ContactFactory(), body=NOTE)

    again = Activity.objects.only("id").get(pk=activity.pk)

    assert again.body == NOTE
    assert uuid.UUID(str(again.pk)) == activity.pk


def _key_queries(queries) -> int:
    return sum("crypto_datakey" in q["sql"] for q in queries.captured_queries)


def test_a_list_of_many_peoples_entries_fetches_their_keys_in_one_query():
    for _ in range(10):
        ActivityFactory(contact=ContactFactory(), body="Entry")
    keyring().forget()

    with CaptureQueriesContext(connection) as queries:
        bodies = [activity.body for activity in Activity.objects.all()]

    assert bodies == ["Entry"] * 10
    assert _key_queries(queries) == 1


def test_iterating_in_chunks_fetches_keys_once_per_chunk():
    for _ in range(10):
        ActivityFactory(contact=ContactFactory(), body="Entry")
    keyring().forget()

    with CaptureQueriesContext(connection) as queries:
        bodies = [a.body for a in Activity.objects.order_by("pk").iterator(chunk_size=4)]

    assert bodies == ["Entry"] * 10
    assert _key_queries(queries) == 3
