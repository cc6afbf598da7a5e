"""The data migrations encrypt the rows that existed before encryption, and decrypt them
again when migrated back: run against the real migration graph."""

import datetime
import json
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from steward.activities.models import Activity
from steward.contacts.models import Contact

BEFORE = [
    ("activities", "0001_initial"),
    ("detection", "0001_initial"),
    ("contacts", "0004_contact_child_status"),
]


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
def test_existing_plaintext_rows_are_encrypted_by_the_migrations_and_read_back():
    contact_id, activity_id = uuid.uuid4(), uuid.uuid4()
    now = datetime.datetime.now(datetime.UTC)
    migrate(BEFORE)
    try:
        raw(
            "INSERT INTO contacts_contact (id, created_at, updated_at, given_name, family_name,"
            " email, phone, job_title, street, postal_code, city, region, country,"
            " date_of_birth, child_status, language, lifecycle_stage, source, custom)"
            " VALUES (%s, %s, %s, 'Hanne', 'Petersen', 'hanne@example.org', '', '', '', '',"
            " '', '', 'DE', %s, 'adult', '', 'lead', 'manual', %s)",
            [
                db_id(contact_id),
                now,
                now,
                datetime.date(1971, 8, 9),
                json.dumps({"national_id": "T22000129"}),
            ],
        )
        raw(
            "INSERT INTO activities_activity (id, created_at, updated_at, kind, subject, body,"
            " contact_id, occurred_at) VALUES (%s, %s, %s, 'note', 'Visit', %s, %s, %s)",
            [db_id(activity_id), now, now, "Mentions her epilepsy.", db_id(contact_id), now],
        )
    finally:
        migrate(leaves())

    stored = raw(
        "SELECT date_of_birth, custom FROM contacts_contact WHERE id = %s", [db_id(contact_id)]
    )[0]
    (body,) = raw("SELECT body FROM activities_activity WHERE id = %s", [db_id(activity_id)])[0]
    assert "1971" not in str(stored[0]) and "T22000129" not in str(stored[1])
    assert "epilepsy" not in body
    contact = Contact.objects.get(pk=contact_id)
    assert contact.date_of_birth == datetime.date(1971, 8, 9)
    assert contact.custom == {"national_id": "T22000129"}
    assert Activity.objects.get(pk=activity_id).body == "Mentions her epilepsy."

    migrate(BEFORE)
    try:
        (plain,) = raw("SELECT body FROM activities_activity WHERE id = %s", [db_id(activity_id)])[
            0
        ]
        (dob,) = raw(
            "SELECT date_of_birth FROM contacts_contact WHERE id = %s", [db_id(contact_id)]
        )[0]
    finally:
        migrate(leaves())
    assert plain == "Mentions her epilepsy."
    assert str(dob) == "1971-08-09"
