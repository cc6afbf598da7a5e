import uuid

import pytest
from django.db import connection
from django.utils.functional import lazystr

from steward.contacts.models import Contact, ContactMethod
from steward.contacts.tests.factories import ContactFactory
from steward.core.batch_insert import BatchInsert
from steward.crypto.fields import Sealed
from steward.crypto.keyring import owner_for

pytestmark = pytest.mark.django_db

COLUMNS = ("id", "given_name", "email", "custom", "organisation", "email_index")


def _values(field_name: str, pk: uuid.UUID) -> list:
    """Values of the kinds the fast paths take and of the kinds they leave to the field."""
    owner = owner_for("contact", pk)
    field = Contact._meta.get_field(field_name)
    if field_name == "email":
        return [None, field.seal("ada@example.com", row_id=pk, owner=owner)]
    if field_name == "custom":
        return [
            None,
            field.seal({}, row_id=pk, owner=owner),
            field.seal({"member_no": "A-17"}, row_id=pk, owner=owner),
        ]
    if field_name in ("id", "organisation"):
        return [None, pk, str(pk), pk.hex]
    return [None, "", "Ada", "a" * 64, lazystr("Ada")]


def _comparable(value):
    # PostgreSQL's JSON parameters (psycopg's Jsonb) do not compare; what they wrap does.
    return getattr(value, "obj", value)


@pytest.mark.parametrize("name", COLUMNS)
def test_each_value_is_converted_as_the_fields_own_get_db_prep_save_converts_it(name):
    # Given a prepared insert with a fast path for UUIDs, text, blind indexes and sealed values
    insert = BatchInsert(Contact, COLUMNS)
    convert = insert.converters[COLUMNS.index(name)]
    field = Contact._meta.get_field(name)

    for value in _values(name, uuid.uuid4()):
        # When a value is converted
        converted = value if convert is None else convert(value)

        # Then it is what the field itself would hand the database
        expected = field.get_db_prep_save(value, connection)
        assert _comparable(converted) == _comparable(expected), value


def test_a_row_of_the_wrong_width_is_refused_and_nothing_is_written():
    # Given a prepared insert of two varying columns
    insert = BatchInsert(
        ContactMethod,
        ("id", "contact", "kind", "value", "value_index", "label"),
        constant_columns=("created_at", "updated_at"),
    )
    contact = ContactFactory()
    method_id = uuid.uuid4()
    value = ContactMethod._meta.get_field("value").seal(
        "ada@example.org", row_id=method_id, owner=owner_for("contact", contact.pk)
    )

    # When one row lacks its label
    with pytest.raises(ValueError, match="5 values for 6 columns"):
        insert.execute([(method_id, contact.pk, "email", value, "")], (None, None))

    # Then no method was written
    assert not ContactMethod.objects.exists()


def test_rows_go_in_with_their_sealed_values_and_open_again():
    # Given a contact's further address, sealed under the contact's key
    contact = ContactFactory()
    method_id = uuid.uuid4()
    field = ContactMethod._meta.get_field("value")
    sealed = field.seal("ada@example.org", row_id=method_id, owner=owner_for("contact", contact.pk))
    assert isinstance(sealed, Sealed)
    insert = BatchInsert(
        ContactMethod,
        ("id", "contact", "kind", "value", "value_index", "label"),
        constant_columns=("created_at", "updated_at"),
    )

    # When it is inserted through the prepared statement (the id as a UUID, the contact as
    # a string: both forms are accepted)
    index = ContactMethod._meta.get_field("value_index").index_of("ada@example.org")
    insert.execute(
        [(method_id, str(contact.pk), "email", sealed, index, "work")],
        (contact.created_at, contact.created_at),
    )

    # Then it is found by its index and opens to its value
    method = ContactMethod.objects.with_value("email", "ADA@example.org").get()
    assert (method.pk, method.contact_id, method.value) == (
        method_id,
        contact.pk,
        "ada@example.org",
    )
