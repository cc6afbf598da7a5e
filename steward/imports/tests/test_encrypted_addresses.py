"""The import writes addresses encrypted, with their blind indexes, and dedupes against the
encrypted addresses already stored (decision 0018)."""

import pytest
from django.db import connection

from steward.contacts.models import Contact, ContactMethod
from steward.contacts.services import contact_create
from steward.imports.selectors import import_report

from .conftest import run_import

pytestmark = pytest.mark.django_db

FILE = (
    "First Name,Last Name,Email,Phone Number,Mobile,Country/Region\n"
    "Ada,Lovelace,ADA.Lovelace@Example.org,+44 20 7946 0018,+44 7700 900123,United Kingdom\n"
    "Alan,Turing,alan.turing@example.org,,,United Kingdom\n"
)


def _stored_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_an_imported_row_matching_a_stored_address_in_another_case_is_skipped(importer):
    existing = contact_create(
        actor=importer, data={"family_name": "Byron", "email": "ada.lovelace@example.org"}
    )

    job = run_import(importer, FILE)

    assert (job.created_count, job.skipped_count, job.duplicate_rows) == (1, 1, 1)
    assert [e["status"] for e in import_report(job)] == ["exists"]
    assert Contact.objects.with_email("ADA.LOVELACE@example.org").get() == existing
    assert Contact.objects.count() == 2


def test_the_update_policy_finds_the_stored_address_and_moves_the_phone_index(importer):
    existing = contact_create(
        actor=importer,
        data={"family_name": "Byron", "email": "ada.lovelace@example.org", "phone": "+4930111111"},
    )

    job = run_import(importer, FILE, on_duplicate="update")

    assert job.updated_count == 1
    assert list(Contact.objects.with_phone("+44 20 7946 0018")) == [existing]
    assert not Contact.objects.with_phone("+4930111111").exists()
    assert Contact.objects.get(pk=existing.pk).family_name == "Lovelace"


def test_imported_addresses_are_stored_encrypted_and_found_by_their_indexes(importer):
    job = run_import(importer, FILE)

    assert job.created_count == 2
    contacts = _stored_text("contacts_contact")
    methods = _stored_text("contacts_contactmethod")
    for plain in ("lovelace@example.org", "turing@example.org", "442079460018", "7700900123"):
        assert plain not in contacts and plain not in methods
    ada = Contact.objects.with_email("ada.lovelace@example.org").get()
    assert (ada.email, ada.phone) == ("ada.lovelace@example.org", "+442079460018")
    assert list(Contact.objects.with_phone("+442079460018")) == [ada]
    [mobile] = ContactMethod.objects.with_value("phone", "+44 7700 900123")
    assert (mobile.contact, mobile.value) == (ada, "+447700900123")


def test_a_second_import_of_the_same_addresses_creates_nobody(importer):
    run_import(importer, FILE)

    again = run_import(importer, FILE.replace("alan.turing@", "Alan.Turing@"))

    assert (again.created_count, again.skipped_count) == (0, 2)
    assert Contact.objects.count() == 2
