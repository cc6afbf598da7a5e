"""A lean INSERT of many rows of one model, for bulk hot paths (imports, their audit rows).

`bulk_create` spends most of its time assembling SQL per batch and preparing every value
of every row through several layers (measured here: ~10k contacts/s, of which the
database's own work is a fifth). This prepares one statement, converts each value with its
field's own `get_db_prep_save` (so every field type, and any field that transforms values
on the way to the database, is honoured as bulk_create would), converts values that are the
same for every row once, and hands the rows to the driver's executemany.

It refuses models with a field whose `pre_save` does more than Django's own (such a field
needs the model instance, which this path never builds): use bulk_create for those."""

import uuid
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import Any

from django.db import connections, models, router
from django_countries.fields import CountryField

# Field types whose database value is the Python str itself: no conversion needed.
_TEXT_FIELDS = (models.CharField, models.TextField, models.EmailField, models.SlugField)
_PLAIN_PRE_SAVE = {
    models.Field.pre_save,
    models.DateField.pre_save,
    models.DateTimeField.pre_save,
    # Reads the attribute and applies get_prep_value, which get_db_prep_save applies too.
    CountryField.pre_save,
}
# A text field subclass that keeps these stores a str as it is.
_TEXT_PREP = (models.CharField.get_prep_value, models.TextField.get_prep_value)
_TEXT_TO_PYTHON = (models.CharField.to_python, models.TextField.to_python)


class BatchInsert:
    """INSERT INTO <model's table> (<columns>, <constant columns>) for rows given as
    tuples of the varying columns' values; each call's constants fill the other columns,
    converted once per call."""

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        *,
        constant_columns: Sequence[str] = (),
    ):
        self.model = model
        self.using = router.db_for_write(model)
        self.connection = connections[self.using]
        meta = model._meta
        fields = [meta.get_field(name) for name in (*columns, *constant_columns)]
        for field in fields:
            # An encrypted field seals in pre_save, with the instance; this path takes values
            # the caller sealed with field.seal() (a plain value raises PlaintextRefused).
            # A blind index is derived in pre_save too; here the caller computes it
            # (steward.crypto.blind_index.blind_indexes_for).
            # A field with sealed values (steward.crypto.sealed_values) stores what it is
            # given: the caller passes the stored form.
            if getattr(field, "encrypted", False) or getattr(field, "blind_index_of", False):
                continue
            if getattr(field, "stores_as_given", False):
                continue
            if type(field).pre_save not in _PLAIN_PRE_SAVE:
                raise TypeError(
                    f"{meta.label}.{field.name} prepares its value from the instance; "
                    "insert this model with bulk_create."
                )
        quote = self.connection.ops.quote_name
        names = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({placeholders})"
        self.converters: list[Callable[[Any], Any] | None] = [
            self._converter(field, self.connection) for field in fields[: len(columns)]
        ]
        self.constant_fields = fields[len(columns) :]
        self.plain = all(converter is None for converter in self.converters)

    @staticmethod
    def _converter(field: models.Field, connection) -> Callable[[Any], Any] | None:
        if type(field) in _TEXT_FIELDS:
            return None
        prepare = field.get_db_prep_save
        # Fast paths for the values the hot callers pass, each giving what get_db_prep_save
        # gives for that value (anything else still goes through it).
        fast = _fast_path(field, connection)
        if fast is not None:
            accepted, store = fast

            def convert_fast(value: Any) -> Any:
                if type(value) is accepted:
                    return store(value)
                return None if value is None else prepare(value, connection)

            return convert_fast
        if isinstance(field, models.JSONField) and not getattr(field, "encrypted", False):
            # Most rows carry no custom values: convert the empty object once.
            empty = prepare({}, connection)

            def convert_json(value: Any) -> Any:
                if value == {}:
                    return empty
                return None if value is None else prepare(value, connection)

            return convert_json

        def convert(value: Any) -> Any:
            return None if value is None else prepare(value, connection)

        return convert

    def execute(self, rows: Iterable[Sequence[Any]], constants: Sequence[Any] = ()) -> None:
        fixed = tuple(
            field.get_db_prep_save(value, self.connection)
            for field, value in zip(self.constant_fields, constants, strict=True)
        )
        converters = self.converters
        if self.plain:
            params = [(*row, *fixed) for row in rows]
        else:
            # Column by column: one map() per column instead of a generator per row.
            rows = list(rows)
            columns = list(zip(*rows, strict=True))
            if rows and len(columns) != len(converters):
                raise ValueError(f"Rows of {len(columns)} values for {len(converters)} columns.")
            converted = [
                column if convert is None else map(convert, column)
                for convert, column in zip(converters, columns, strict=False)
            ]
            params = list(
                zip(*converted, *(repeat(value, len(rows)) for value in fixed), strict=True)
            )
        if params:
            with self.connection.cursor() as cursor:
                cursor.executemany(self.sql, params)


def _fast_path(field: models.Field, connection) -> tuple[type, Callable[[Any], Any]] | None:
    """(type, store) when a value of exactly that type is stored as store(value) by the
    field's get_db_prep_save: the stock text fields' str (any subclass that does not change
    how a value is prepared, such as a blind index), the stock UUID field's (or a foreign
    key to one) uuid.UUID, an encrypted field's sealed value (steward.crypto.fields)."""
    if isinstance(field, models.ForeignKey) and (
        type(field).get_db_prep_save is models.ForeignKey.get_db_prep_save
    ):
        field = field.target_field
    kind = type(field)
    stock = (
        kind.get_db_prep_save is models.Field.get_db_prep_save
        and kind.get_db_prep_value is models.Field.get_db_prep_value
    )
    if getattr(field, "encrypted", False):
        fast = getattr(field, "stored_form", None)
        return None if fast is None else fast(connection)
    if (
        stock
        and isinstance(field, models.CharField | models.TextField)
        and kind.get_prep_value in _TEXT_PREP
        and kind.to_python in _TEXT_TO_PYTHON
    ):
        return str, _same
    if (
        isinstance(field, models.UUIDField)
        and kind.get_db_prep_save is models.Field.get_db_prep_save
        and kind.get_db_prep_value is models.UUIDField.get_db_prep_value
    ):
        if connection.features.has_native_uuid_field:
            return uuid.UUID, _same
        return uuid.UUID, _hex
    return None


def _same(value: Any) -> Any:
    return value


def _hex(value: uuid.UUID) -> str:
    return value.hex
