"""Migrations 0006 and 0007 index and then encrypt the addresses that existed before them,
and migrating back restores them in clear: run against the real migration graph."""

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from steward.contacts.models import Contact, ContactMethod

BEFORE = [("contacts", "0005_encrypt_date_of_birth_and_custom")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def raw(sql: str, params=()) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def db_id(pk: uuid.UUID):
    return pk.hex if connection.vendor == "sqlite" else pk


@pytest.mark.django_db(transaction=True)
def test_stored_addresses_are_indexed_then_encrypted_and_restored_when_migrated_back():
    contact_id, method_id = uuid.uuid4(), uuid.uuid4()
    now = datetime.datetime.now(datetime.UTC)
    migrate(BEFORE)
    try:
        raw(
            "INSERT INTO contacts_contact (id, created_at, updated_at, given_name, family_name,"
            " email, phone, job_title, street, postal_code, city, region, country,"
            " child_status, language, lifecycle_stage, source, custom)"
            " VALUES (%s, %s, %s, 'Hanne', 'Petersen', 'hanne@example.org', '+4930123456',"
            " '', '', '', '', '', 'DE', 'adult', '', 'lead', 'manual', '{}')",
            [db_id(contact_id), now, now],
        )
        raw(
            "INSERT INTO contacts_contactmethod (id, created_at, updated_at, contact_id, kind,"
            " value, label) VALUES (%s, %s, %s, %s, 'email', 'h.p@example.com', '')",
            [db_id(method_id), now, now, db_id(contact_id)],
        )
    finally:
        migrate(leaves())

    (email, phone) = raw(
        "SELECT email, phone FROM contacts_contact WHERE id = %s", [db_id(contact_id)]
    )[0]
    (value,) = raw("SELECT value FROM contacts_contactmethod WHERE id = %s", [db_id(method_id)])[0]
    assert "hanne" not in email and "123456" not in phone and "h.p@" not in value
    hanne = Contact.objects.with_email("Hanne@Example.org").get()
    assert hanne.pk == contact_id
    assert (hanne.email, hanne.phone) == ("hanne@example.org", "+4930123456")
    assert list(Contact.objects.with_phone("+49 30 123456")) == [hanne]
    assert ContactMethod.objects.with_value("email", "H.P@example.com").get().contact == hanne

    migrate(BEFORE)
    try:
        restored = raw(
            "SELECT email, phone FROM contacts_contact WHERE id = %s", [db_id(contact_id)]
        )[0]
        (method,) = raw(
            "SELECT value FROM contacts_contactmethod WHERE id = %s", [db_id(method_id)]
        )[0]
    finally:
        migrate(leaves())
    assert tuple(restored) == ("hanne@example.org", "+4930123456")
    assert method == "h.p@example.com"
