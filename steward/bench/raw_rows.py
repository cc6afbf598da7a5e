"""Raw rows for benchmark set-up on SQLite: copy a row a service wrote, many times, without
the ORM (the set-up of a million-row benchmark must not take longer than the benchmark)."""

import uuid
from collections.abc import Iterable

from django.db import connection


def db_id(model, pk):
    """A primary key as SQLite stores it (UUIDs as 32 hex digits)."""
    return pk.hex if isinstance(pk, uuid.UUID) else pk


def row_of(model, pk) -> tuple[list[str], list]:
    """(column names, values) of one stored row, as the database holds them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}" WHERE id = %s', [db_id(model, pk)])
        names = [column[0] for column in cursor.description]
        return names, list(cursor.fetchone())


def insert_rows(model, names: list[str], rows: Iterable[list]) -> None:
    """Raw executemany into the model's table (one transaction is the caller's)."""
    table = model._meta.db_table
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" * len(names))
    raw = connection.connection  # the sqlite3 connection: executemany without the ORM
    raw.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', rows)
