"""Single values sealed inside a plain column: for append-only, hash-chained rows (the audit
trail, the consent ledger) whose personal values must be encrypted under the person's key
while the rest of the row stays readable and the chain hashes exactly what is stored.

In a JSON column a sealed value is the object {"$sealed": "<stored form>"}; in a text column
it is the string "$sealed:<stored form>" (steward.crypto.cipher: AES-256-GCM, the data key
named in the header). Each is bound to its table, its column (and key inside the column) and
its row, like every encrypted field.

Opening a value whose key was destroyed (the person was erased) gives ERASED, never an
error: the row is evidence that something happened, and what it was is gone. Any other
failure raises DecryptionFailed; nothing here returns stored bytes as if they were the value."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from steward.crypto.cipher import context_of, open_sealed, seal
from steward.crypto.errors import DataErased
from steward.crypto.fields import EncryptedAttribute
from steward.crypto.keyring import keyring

SEALED_KEY = "$sealed"
SEALED_PREFIX = "$sealed:"
ERASED = "(erased)"


def is_sealed(value: Any) -> bool:
    if isinstance(value, dict):
        return len(value) == 1 and isinstance(value.get(SEALED_KEY), str)
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def seal_value(
    value: Any, *, owner: str, table: str, column: str, row_id, text: bool = False
) -> Any:
    """`value` (anything JSON can hold) sealed under `owner`'s current key for one place:
    the marker object, or with `text` (a string for a text column) the marker string. When
    the owner's key was destroyed (an erased person), nothing of theirs may be stored
    again: the value is replaced by ERASED."""
    try:
        key = keyring().current_key(owner)
    except DataErased:
        return ERASED
    context = context_of(table, column, row_id)
    if text:
        return SEALED_PREFIX + seal(value.encode(), key=key, context=context)
    return {SEALED_KEY: seal(json.dumps(value).encode(), key=key, context=context)}


def open_value(value: Any, *, table: str, column: str, row_id) -> Any:
    """The plain value of what seal_value() stored (a value that is not sealed, from before
    sealing began, is returned as it is); ERASED when the key was destroyed."""
    if not is_sealed(value):
        return value
    context = context_of(table, column, row_id)
    try:
        if isinstance(value, str):
            return open_sealed(value[len(SEALED_PREFIX) :], context=context).decode()
        return json.loads(open_sealed(value[SEALED_KEY], context=context))
    except DataErased:
        return ERASED


def seal_entries(
    mapping: dict[str, Any], keys, *, owner: str, table: str, column: str, row_id
) -> dict[str, Any]:
    """`mapping` with the values of `keys` sealed, each bound to its own key name."""
    return {
        name: (
            seal_value(value, owner=owner, table=table, column=f"{column}.{name}", row_id=row_id)
            if name in keys
            else value
        )
        for name, value in mapping.items()
    }


def open_entries(mapping: dict[str, Any], *, table: str, column: str, row_id) -> dict[str, Any]:
    return {
        name: open_value(value, table=table, column=f"{column}.{name}", row_id=row_id)
        for name, value in mapping.items()
    }


def stored(row: Any, attname: str) -> Any:
    """The value of column `attname` as stored (sealed values still sealed): from a model
    instance whose field opens on access, or from a light row of column values."""
    data = getattr(row, "__dict__", None)
    if data is not None and attname in data:
        return data[attname]
    return getattr(row, attname)


class OpenedAttribute(EncryptedAttribute):
    """Reads give the opened value (cached per stored value); unlike an encrypted field's,
    the stored form stays in the instance's __dict__: it is what is saved and what a chain
    hashes."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        raw = self.stored(instance)
        cache_name = f"_opened_{self.field.attname}"
        cache = instance.__dict__.get(cache_name)
        if cache is not None and cache[0] is raw:
            return cache[1]
        opened = self.field.opened(raw, instance)
        instance.__dict__[cache_name] = (raw, opened)
        return opened


class SealedValuesMixin:
    """A plain column some of whose values are sealed by the model before the row is
    written (a chained model's chain_prepare(), bound to the row's `seq`). Saving writes the
    stored form; reading the attribute opens it."""

    descriptor_class = OpenedAttribute
    binding = "seq"
    stores_as_given = True  # bulk inserts pass the stored form (core.batch_insert)

    def pre_save(self, model_instance, add):
        return model_instance.__dict__.get(self.attname)

    def value_from_object(self, obj):
        return stored(obj, self.attname)

    def where(self, instance) -> dict:
        return {
            "table": self.model._meta.db_table,
            "column": self.column,
            "row_id": getattr(instance, self.binding),
        }


class SealedTextField(SealedValuesMixin, models.CharField):
    """A short text sealed whole when it is not empty."""

    def opened(self, raw, instance):
        return open_value(raw, **self.where(instance))

    def sealed(self, instance, owner: str):
        value = instance.__dict__.get(self.attname)
        if not value or is_sealed(value):
            return value
        return seal_value(value, owner=owner, text=True, **self.where(instance))


class SealedJSONField(SealedValuesMixin, models.JSONField):
    """A JSON object sealed whole when it is not empty; opens to {"erased": True} once its
    key was destroyed."""

    def opened(self, raw, instance):
        value = open_value(raw, **self.where(instance))
        return {"erased": True} if value == ERASED else value

    def sealed(self, instance, owner: str):
        value = instance.__dict__.get(self.attname)
        if not value or is_sealed(value):
            return value
        return seal_value(value, owner=owner, **self.where(instance))


class SealedEntriesJSONField(SealedValuesMixin, models.JSONField):
    """A JSON object whose entries may be sealed each on its own (bound to its key name):
    the other entries stay readable."""

    def opened(self, raw, instance):
        if not isinstance(raw, dict):
            return raw
        return open_entries(raw, **self.where(instance))

    def sealed(self, instance, owner: str, keys):
        where = self.where(instance)
        value = instance.__dict__.get(self.attname) or {}
        return seal_entries(value, keys, owner=owner, **where)
