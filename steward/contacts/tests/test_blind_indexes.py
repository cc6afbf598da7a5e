"""Email addresses and phone numbers are found through their blind indexes (decision 0018):
lookups, the duplicate check and the unique constraint work on the index, which every
write keeps in step with the value."""

import pytest
from django.db import IntegrityError, connection, transaction

from steward.audit.models import AuditEvent
from steward.contacts.models import Contact, ContactMethod, email_index_of, phone_index_of
from steward.contacts.services import (
    contact_create,
    contact_method_add,
    contact_method_remove,
    contact_update,
)
from steward.contacts.tests.factories import ContactFactory
from steward.core.errors import Conflict

pytestmark = pytest.mark.django_db


def _mine(owner, **data):
    return contact_create(actor=owner, data={"family_name": "Lindqvist", **data})


def test_a_lookup_by_address_finds_the_person_whatever_the_case_and_spaces(owner):
    mara = _mine(owner, email="Mara.Lindqvist@Example.org")

    assert list(Contact.objects.with_email("  MARA.lindqvist@example.ORG ")) == [mara]
    assert not Contact.objects.with_email("mara@example.org").exists()
    assert not Contact.objects.with_email("").exists()


def test_a_lookup_by_phone_finds_the_number_typed_with_spaces_or_dashes(owner):
    mara = _mine(owner, phone="030 1234567", country="DE")  # stored as +49301234567

    assert list(Contact.objects.with_phone("+49 30 123-4567")) == [mara]
    assert list(Contact.objects.with_phone("+49301234567")) == [mara]
    assert not Contact.objects.with_phone("+49 30 7654321").exists()


def test_every_contact_without_an_address_has_the_empty_index(owner):
    nameless = _mine(owner)

    nameless.refresh_from_db()
    assert nameless.email_index == "" and nameless.phone_index == ""
    assert not Contact.objects.with_email("").exists()


def test_a_duplicate_email_in_another_case_is_refused_and_nothing_is_written(owner):
    _mine(owner, email="dup@example.org")
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict) as error:
        _mine(owner, given_name="Twin", email="DUP@Example.org")

    assert error.value.field_errors == {"email": ["A contact with this email already exists."]}
    assert "dup@example.org" in error.value.message
    assert Contact.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_changing_to_another_contacts_address_is_refused_and_changes_nothing(owner):
    _mine(owner, email="taken@example.org")
    other = _mine(owner, email="mine@example.org")

    with pytest.raises(Conflict):
        contact_update(actor=owner, contact=other, data={"email": "Taken@example.org"})

    other.refresh_from_db()
    assert other.email == "mine@example.org"
    assert list(Contact.objects.with_email("mine@example.org")) == [other]


def test_the_database_refuses_a_second_row_with_the_same_address(owner):
    # What a concurrent create that passed the check at the same moment runs into.
    ContactFactory(email="race@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(email="race@example.org")


def test_changing_an_address_moves_its_index_with_it(owner):
    contact = _mine(owner, email="old@example.org", phone="+4930111111")
    before = Contact.objects.values_list("email_index", "phone_index").get(pk=contact.pk)

    contact_update(
        actor=owner, contact=contact, data={"email": "New@example.org", "phone": "+4930222222"}
    )

    after = Contact.objects.values_list("email_index", "phone_index").get(pk=contact.pk)
    assert after == (email_index_of("new@example.org"), phone_index_of("+4930222222"))
    assert after[0] != before[0] and after[1] != before[1]
    assert list(Contact.objects.with_email("new@example.org")) == [contact]
    assert not Contact.objects.with_email("old@example.org").exists()
    # The old address is free again.
    assert _mine(owner, email="old@example.org").email == "old@example.org"


def test_removing_an_address_empties_its_index(owner):
    contact = _mine(owner, email="gone@example.org")

    contact_update(actor=owner, contact=contact, data={"email": ""})

    assert Contact.objects.values_list("email_index", flat=True).get(pk=contact.pk) == ""
    assert not Contact.objects.with_email("gone@example.org").exists()


def test_an_update_of_other_fields_keeps_the_index(owner):
    contact = _mine(owner, email="kept@example.org")
    fresh = Contact.objects.get(pk=contact.pk)  # its address never opened

    contact_update(actor=owner, contact=fresh, data={"family_name": "Okafor"})

    assert list(Contact.objects.with_email("kept@example.org")) == [contact]


def test_a_further_address_is_found_and_refused_twice_in_another_spelling(owner):
    contact = _mine(owner, email="main@example.org")
    method = contact_method_add(actor=owner, contact=contact, kind="phone", value="+49 30 999 888")

    with pytest.raises(Conflict):
        contact_method_add(actor=owner, contact=contact, kind="phone", value="+4930999888")

    assert list(ContactMethod.objects.with_value("phone", "+49 30 999-888")) == [method]
    contact_method_remove(actor=owner, method=method)
    assert not ContactMethod.objects.with_value("phone", "+4930999888").exists()


def _raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_the_raw_tables_hold_no_address_or_phone_number_in_clear(owner):
    contact = _mine(owner, email="Wilma.Sample@Example.org", phone="+49 30 5550 1234")
    contact_method_add(actor=owner, contact=contact, kind="email", value="w.s@example.com")
    contact_method_add(actor=owner, contact=contact, kind="phone", value="+44 20 7946 0321")
    contact_update(actor=owner, contact=contact, data={"phone": "+49 30 5550 9876"})

    stored = _raw_rows("contacts_contact") + _raw_rows("contacts_contactmethod")

    for plain in ("wilma", "sample@", "w.s@", "example", "5550", "79460321"):
        assert plain not in stored.lower()
    assert "Lindqvist" in stored  # the probe reads the table's text as stored
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.email, contact.phone) == ("wilma.sample@example.org", "+493055509876")
    assert sorted(m.value for m in contact.methods.all()) == ["+442079460321", "w.s@example.com"]
