"""Encrypted model fields: AES-256-GCM under the data key of the record's owner, bound to
table, column and row (steward.crypto.cipher).

How a value travels:
- Read: the database value becomes a `Sealed` (from_db_value knows no row id, so it cannot
  open it); the attribute opens it on first access, with the instance's id, and keeps the
  plaintext on the instance. A page that never shows the field never decrypts it.
- Write: `save()` (and bulk_create) seal the plaintext in pre_save, which sees the instance
  (its id and owner). A value loaded and never opened is written back as it was.
- Anything else that would write a plain value into the column (QuerySet.update(),
  bulk_update(), a filter comparing plaintext with ciphertext) raises PlaintextRefused.
  Paths that must write without an instance seal first: `field.seal(value, row_id=...,
  owner=...)` returns a Sealed those paths accept.

Whose key: `key_owner` lists (kind, attribute) pairs tried in order; the first attribute
with a value names the owner ("contact:<uuid>"); with none, the "system" key. A contact's
own fields use the contact's id; an activity uses its contact's, else its organisation's.

NULL stays NULL (whether a date of birth is known is not hidden); every other value,
the empty string included, is encrypted."""

from __future__ import annotations

import datetime
import json
from itertools import islice
from typing import Any

from django.db import models
from django.db.models.query import ModelIterable
from django.db.models.query_utils import DeferredAttribute

from steward.crypto.cipher import context_of, key_id_of, open_sealed, seal
from steward.crypto.errors import DecryptionFailed, PlaintextRefused
from steward.crypto.keyring import SYSTEM_OWNER, keyring, owner_for

CONTACT_OWNER = (("contact", "id"),)


class Sealed:
    """A stored value not opened yet. It is never a value: str() raises, so a template
    or a serialiser cannot pass ciphertext on as if it were the data."""

    __slots__ = ("stored",)

    def __init__(self, stored: Any):
        self.stored = stored

    def __repr__(self) -> str:
        return "<Sealed encrypted value>"

    def __str__(self) -> str:
        raise DecryptionFailed("An encrypted value was used without being opened.")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.stored == self.stored

    def __hash__(self) -> int:
        return hash(json.dumps(self.stored, sort_keys=True))


class SealedBatch:
    """The rows one query returned. The first value opened in any of them fetches the data
    keys of all of them in one query: a list of 50 activities of 50 contacts costs one key
    query, not 50. A page that opens nothing fetches nothing."""

    ATTRIBUTE = "_sealed_batch"
    __slots__ = ("objects", "done")

    def __init__(self, objects: list):
        self.objects, self.done = objects, False

    def prefetch_keys(self) -> None:
        if self.done:
            return
        self.done = True
        key_ids: set[bytes] = set()
        for obj in self.objects:
            for value in obj.__dict__.values():
                if isinstance(value, Sealed):
                    key_ids.update(_key_ids(value.stored))
        keyring().prefetch(key_ids)

    def __reduce__(self):
        # Pickled or copied instances do not drag their siblings along.
        return (SealedBatch, ([],))


def _key_ids(stored) -> set[bytes]:
    tokens = stored.values() if isinstance(stored, dict) else (stored,)
    found = set()
    for token in tokens:
        try:
            found.add(key_id_of(token))
        except DecryptionFailed:
            continue  # reported when that value itself is opened
    return found


class EncryptedQuerySet(models.QuerySet):
    """The default queryset of a model with encrypted fields: ties the rows of one result
    together so that opening their values fetches their keys at once (SealedBatch)."""

    def _fetch_all(self):
        fresh = self._result_cache is None
        super()._fetch_all()
        rows = self._result_cache
        if fresh and rows and self._iterable_class is ModelIterable and len(rows) > 1:
            _tie(rows)

    def _iterator(self, use_chunked_fetch, chunk_size):
        # .iterator() (exports, scans) bypasses _fetch_all: tie each chunk together instead.
        rows = super()._iterator(use_chunked_fetch, chunk_size)
        if self._iterable_class is not ModelIterable:
            yield from rows
            return
        while chunk := list(islice(rows, chunk_size or 2000)):
            _tie(chunk)
            yield from chunk


def _tie(rows: list) -> None:
    batch = SealedBatch(rows)
    for row in rows:
        row.__dict__[SealedBatch.ATTRIBUTE] = batch


class EncryptedAttribute(DeferredAttribute):
    """Opens the field's Sealed value on first access (a data descriptor, so every read
    goes through it)."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = self.stored(instance)
        if isinstance(value, Sealed):
            value = self.field.open_for(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def stored(self, instance):
        """The value as the instance holds it, a deferred field loaded first."""
        name = self.field.attname
        if name not in instance.__dict__:
            super().__get__(instance, type(instance))
        return instance.__dict__[name]

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


def owner_from(spec, get) -> str:
    for kind, attname in spec:
        value = get(attname)
        if value:
            return owner_for(kind, value)
    return SYSTEM_OWNER


class EncryptedFieldMixin:
    """What every encrypted field shares; subclasses say how a value becomes bytes."""

    encrypted = True
    descriptor_class = EncryptedAttribute
    # True where a str value's plaintext is value.encode() (to_python keeps a str as it is).
    text_plain = False

    def __init__(self, *args, key_owner=CONTACT_OWNER, **kwargs):
        self.key_owner = tuple(tuple(pair) for pair in key_owner)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["key_owner"] = self.key_owner
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"

    # -- Python value <-> plaintext bytes (overridden per type)

    def to_plain(self, value: Any) -> bytes:
        return str(value).encode()

    def from_plain(self, plain: bytes) -> Any:
        return plain.decode()

    # -- sealing and opening

    def context(self, row_id, suffix: str = "") -> bytes:
        if suffix:
            return context_of(self.model._meta.db_table, f"{self.column}.{suffix}", row_id)
        prefix = self.__dict__.get("_context_prefix")
        if prefix is None:
            prefix = self.__dict__["_context_prefix"] = context_of(
                self.model._meta.db_table, self.column, ""
            )
        return prefix + str(row_id).encode()

    def owner_for_values(self, values) -> str:
        """The owner named by a mapping of attribute names to values (bulk paths)."""
        return owner_from(self.key_owner, values.get)

    def owner_of(self, instance) -> str:
        return owner_from(self.key_owner, lambda attname: getattr(instance, attname, None))

    def seal(self, value: Any, *, row_id, owner: str, key=None) -> Sealed | None:
        """The stored form of `value` for row `row_id` under `owner`'s key (for paths that
        write without an instance: the import, re-encryption)."""
        if value is None:
            return None
        key = key or keyring().current_key(owner)
        if self.text_plain and type(value) is str:
            plain = value.encode()  # what to_plain(to_python(value)) gives a text field's str
        else:
            plain = self.to_plain(self.to_python(value))
        return Sealed(seal(plain, key=key, context=self.context(row_id)))

    def open(self, sealed: Sealed, *, row_id) -> Any:
        return self.from_plain(open_sealed(sealed.stored, context=self.context(row_id)))

    def open_for(self, instance, sealed: Sealed) -> Any:
        batch = instance.__dict__.get(SealedBatch.ATTRIBUTE)
        if batch is not None:
            batch.prefetch_keys()
        return self.open(sealed, row_id=instance.pk)

    # -- Django's hooks

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None or isinstance(value, Sealed):
            return value
        return self.seal(value, row_id=model_instance.pk, owner=self.owner_of(model_instance))

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(value)

    def to_python(self, value):
        if isinstance(value, Sealed):
            return value
        return super().to_python(value)

    def get_prep_value(self, value):
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.stored
        raise PlaintextRefused(
            f"{self.model._meta.label}.{self.name} is encrypted: a plain value cannot be "
            "written or compared here (QuerySet.update, bulk_update, filter). Save the "
            "instance, or seal the value with the field's seal()."
        )

    def get_db_prep_save(self, value, connection):
        return self.get_db_prep_value(value, connection)

    def stored_form(self, connection):
        """(Sealed, f): f(sealed) is what get_db_prep_save gives for a sealed value, for
        BatchInsert's per-value fast path."""
        return Sealed, _stored


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """Free text, encrypted."""

    text_plain = True


class EncryptedCharField(EncryptedFieldMixin, models.CharField):
    """A short text, encrypted. max_length limits the plaintext; the column is text (the
    ciphertext is longer)."""

    text_plain = True


class EncryptedDateField(EncryptedFieldMixin, models.DateField):
    """A date, encrypted (stored as text: the database cannot compare or sort it)."""

    def pre_save(self, model_instance, add):
        return EncryptedFieldMixin.pre_save(self, model_instance, add)

    def to_plain(self, value: datetime.date) -> bytes:
        return value.isoformat().encode()

    def from_plain(self, plain: bytes) -> datetime.date:
        return datetime.date.fromisoformat(plain.decode())


class EncryptedJSONMapField(EncryptedFieldMixin, models.JSONField):
    """A JSON object whose keys stay readable (operator-defined names such as
    "national_id": `has_key` lookups keep working) and whose every value is encrypted on
    its own, bound to its key as well as to table, column and row."""

    def get_internal_type(self) -> str:
        return "JSONField"

    def seal(self, value: Any, *, row_id, owner: str, key=None) -> Sealed | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise PlaintextRefused(f"{self.model._meta.label}.{self.name} holds an object.")
        if value:
            key = key or keyring().current_key(owner)
        return Sealed(
            {
                name: seal(
                    json.dumps(item, cls=self.encoder).encode(),
                    key=key,
                    context=self.context(row_id, name),
                )
                for name, item in value.items()
            }
        )

    def open(self, sealed: Sealed, *, row_id) -> Any:
        stored = sealed.stored
        if not isinstance(stored, dict):
            raise DecryptionFailed("The stored value is not an encrypted object.")
        return {
            name: json.loads(
                open_sealed(token, context=self.context(row_id, name)), cls=self.decoder
            )
            for name, token in stored.items()
        }

    def sealed_without(self, instance, name: str) -> Sealed:
        """The instance's stored object without the entry `name`, for QuerySet.update():
        each entry is bound to its own key name, so one can be dropped without opening
        (decrypting) any of them."""
        value = instance.__dict__.get(self.attname)
        if not isinstance(value, Sealed):
            value = self.seal(value or {}, row_id=instance.pk, owner=self.owner_of(instance))
        return Sealed({key: token for key, token in value.stored.items() if key != name})

    def from_db_value(self, value, expression, connection):
        decoded = models.JSONField.from_db_value(self, value, expression, connection)
        return None if decoded is None else Sealed(decoded)

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, Sealed):
            return connection.ops.adapt_json_value(value.stored, self.encoder)
        return EncryptedFieldMixin.get_db_prep_value(self, value, connection, prepared)

    def get_db_prep_save(self, value, connection):
        return self.get_db_prep_value(value, connection)

    def stored_form(self, connection):
        adapt, encoder = connection.ops.adapt_json_value, self.encoder
        empty = adapt({}, encoder)

        def stored(value: Sealed) -> Any:
            # An empty object (most imported rows) is adapted once.
            return empty if value.stored == {} else adapt(value.stored, encoder)

        return Sealed, stored


def _stored(value: Sealed) -> Any:
    return value.stored


def encrypted_fields(model: type[models.Model]) -> list[EncryptedFieldMixin]:
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]


def is_encrypted(field) -> bool:
    return getattr(field, "encrypted", False)


def sealed_values(model: type[models.Model], *, row_id, owner: str, values: dict) -> dict:
    """`values` with each encrypted field's value sealed for row `row_id` under `owner`'s
    key: what QuerySet.update() on an encrypted column takes."""
    sealed = dict(values)
    for field in encrypted_fields(model):
        if field.name in sealed and not isinstance(sealed[field.name], Sealed):
            sealed[field.name] = field.seal(sealed[field.name], row_id=row_id, owner=owner)
    return sealed
