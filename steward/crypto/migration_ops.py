"""Data migrations that encrypt a column's existing rows (and decrypt them on the way back),
in batches, through raw SQL: the historical models of a migration have no instances to
open values with, and raw SQL reads the stored text whatever the field class says.

Use after the AlterField that turns a column into an encrypted field:

    migrations.RunPython(*encrypt_column("contacts", "contact", "date_of_birth"))

Each run reads rows in primary-key order and rewrites them batch by batch; the owner of
each row's key comes from the field's key_owner, like on every later save."""

from __future__ import annotations

import json
import uuid

from steward.crypto.fields import Sealed, owner_from

BATCH = 500


def _row_id(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _columns(model, field):
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    owner_columns = [by_attname[attname] for _, attname in field.key_owner]
    return by_attname, owner_columns


def _rows(connection, model, field, owner_columns):
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    names = ", ".join([pk, *(quote(c) for c in owner_columns), quote(field.column)])
    last = None
    while True:
        sql = f"SELECT {names} FROM {table} WHERE {quote(field.column)} IS NOT NULL"
        params: list = []
        if last is not None:
            sql += f" AND {pk} > %s"
            params.append(last)
        sql += f" ORDER BY {pk} LIMIT {BATCH}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _write(connection, model, field, updates) -> None:
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote(field.column)} = %s "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The foreign keys are deferred: their checks of these UPDATEs would stay
            # pending, and PostgreSQL refuses an ALTER TABLE in the same transaction (the
            # AlterField undone after this step when migrating back).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.executemany(sql, updates)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _plain_value(field, raw):
    if field.get_internal_type() == "JSONField":
        return json.loads(raw) if isinstance(raw, str) else raw
    return raw


def encrypt_column(app_label: str, model_name: str, field_name: str):
    """(forward, backward) functions for RunPython."""

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
        connection = schema_editor.connection
        _, owner_columns = _columns(model, field)
        for rows in _rows(connection, model, field, owner_columns):
            updates = []
            for pk, *owners, raw in rows:
                values = dict(zip([a for _, a in field.key_owner], owners, strict=True))
                owner = owner_from(field.key_owner, values.get)
                sealed = field.seal(_plain_value(field, raw), row_id=_row_id(pk), owner=owner)
                updates.append((field.get_db_prep_save(sealed, connection), pk))
            _write(connection, model, field, updates)

    def backward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
        connection = schema_editor.connection
        json_field = field.get_internal_type() == "JSONField"
        for rows in _rows(connection, model, field, []):
            updates = []
            for pk, raw in rows:
                stored = json.loads(raw) if json_field and isinstance(raw, str) else raw
                plain = field.open(Sealed(stored), row_id=_row_id(pk))
                if json_field:
                    plain = connection.ops.adapt_json_value(plain, None)
                elif hasattr(plain, "isoformat"):
                    plain = plain.isoformat()
                updates.append((plain, pk))
            _write(connection, model, field, updates)

    return forward, backward
