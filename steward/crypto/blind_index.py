"""Blind indexes: equality search on encrypted identifiers (an email, a phone number).

index = HMAC-SHA256(column key, normalised value), where the column key is derived with
HKDF-SHA256 from the blind-index key for one table and column: equal values give equal
indexes within a column and unrelated ones across columns, and nobody without the key can
compute an index to test a guess. Optionally truncated (`bits`) so that several values
share an index (k-anonymity for the index alone); a search then opens the candidates and
compares the plaintext.

The blind-index key is separate from the master keys (a master key rotation must not change
any index) and lives in its own 0600 file in the data dir, or in STEWARD_BLIND_INDEX_KEY /
STEWARD_BLIND_INDEX_KEY_FILE. Changing it means recomputing every index from the
plaintext: it is not rotated with the master keys."""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

from steward.core.env import env_secret
from steward.crypto.errors import MasterKeyError

KEY_BYTES = 32


def _read_key(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode() + "\n")
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise MasterKeyError(
            f"The blind-index key file {path} can be read by other users (mode "
            f"{stat.S_IMODE(mode):o}). Run: chmod 600 {path}"
        )
    return _decode(path.read_text().strip(), str(path))


def _decode(text: str, source: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"The blind-index key in {source} is not valid base64.") from None
    if len(key) != KEY_BYTES:
        raise MasterKeyError(f"The blind-index key in {source} must be {KEY_BYTES} bytes.")
    return key


@functools.cache
def index_key() -> bytes:
    from_env = env_secret("STEWARD_BLIND_INDEX_KEY")
    if from_env:
        return _decode(from_env.strip(), "STEWARD_BLIND_INDEX_KEY")
    return _read_key(Path(settings.STEWARD_BLIND_INDEX_KEY_FILE))


@functools.cache
def column_key(table: str, column: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=f"steward-blind-index|{table}|{column}".encode(),
    ).derive(index_key())


def blind_index(
    table: str,
    column: str,
    value: str,
    *,
    normalise: Callable[[str], str] = lambda v: v.strip().casefold(),
    bits: int = 256,
) -> str:
    """The hex index of `value` in table.column (`bits` leading bits of the HMAC)."""
    if bits % 4 or not 16 <= bits <= 256:
        raise ValueError("bits must be a multiple of 4 between 16 and 256")
    digest = hmac.digest(column_key(table, column), normalise(value).encode(), "sha256")
    return digest.hex()[: bits // 4]


def reset_index_key() -> None:
    index_key.cache_clear()
    column_key.cache_clear()


class BlindIndexField(models.CharField):
    """The full blind index of another field of the same model (`source`, typically an
    encrypted one), kept beside it so that the database can answer equality (a lookup, a
    unique constraint) without holding the value. Derived in pre_save from the instance's
    plaintext, so save() and bulk_create() cannot write a value without its index; paths
    that write without an instance (BatchInsert, QuerySet.update) add `blind_indexes_for`.
    An empty value has the empty index: "" is what a partial unique constraint excludes.

    `normalise` is what makes two spellings of one value equal (applied before the HMAC);
    neither it nor `source` is part of the migration state (they change no column)."""

    blind_index_of = True

    def __init__(
        self, *args, source: str = "", normalise: Callable[[str], str] | None = None, **kwargs
    ):
        self.source = source
        self.normalise = normalise or (lambda value: value.strip().casefold())
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def index_of(self, value) -> str:
        """The index of a plain value of the source field ("" for an empty one)."""
        normalised = self.normalise(value or "")
        if not normalised:
            return ""
        # blind_index(table, column, normalised) without its checks: the import computes
        # two or three of these per row.
        key = column_key(self.model._meta.db_table, self.source_column)
        return hmac.digest(key, normalised.encode(), "sha256").hex()

    @functools.cached_property
    def source_column(self) -> str:
        return self.model._meta.get_field(self.source).column

    def pre_save(self, model_instance, add):
        from steward.crypto.fields import Sealed

        source = self.model._meta.get_field(self.source)
        data = model_instance.__dict__
        value = data.get(source.attname)
        if source.attname not in data or isinstance(value, Sealed):
            # Deferred, or loaded and never opened: unchanged, and so is its index.
            return data.get(self.attname, "")
        index = self.index_of(value)
        data[self.attname] = index
        return index


def blind_index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if getattr(f, "blind_index_of", False)]


def blind_indexes_for(model: type[models.Model], values: dict) -> dict[str, str]:
    """The index columns (attname -> index) that go with the plain `values` of their
    source fields, for writes without an instance (QuerySet.update, BatchInsert rows)."""
    return {
        field.attname: field.index_of(values[field.source])
        for field in blind_index_fields(model)
        if field.source in values
    }


class BlindIndexedModel(models.Model):
    """A model with BlindIndexFields: save(update_fields=[source]) writes the index too
    (update_fields names what changed; the index changes with its source)."""

    class Meta:
        abstract = True

    def save(self, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            names = set(update_fields)
            kwargs["update_fields"] = [
                *update_fields,
                *(f.name for f in blind_index_fields(type(self)) if f.source in names),
            ]
        super().save(**kwargs)


def fill_blind_index(app_label: str, model_name: str, index_name: str, source_name: str, normalise):
    """(forward, backward) for RunPython: computes the index column of every existing row
    from its source column, read as stored through raw SQL. Run it while the source is still
    plaintext (before the migration that encrypts it): the historical models of a migration
    cannot open encrypted values."""
    from steward.crypto.migration_ops import _rows, _write

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        source = model._meta.get_field(source_name)
        index = model._meta.get_field(index_name)
        connection = schema_editor.connection
        table = model._meta.db_table
        for rows in _rows(connection, model, source, []):
            updates = []
            for pk, value in rows:
                normalised = normalise(value or "")
                digest = (
                    blind_index(table, source.column, normalised, normalise=lambda v: v)
                    if normalised
                    else ""
                )
                updates.append((digest, pk))
            _write(connection, model, index, updates)

    def backward(apps, schema_editor):
        pass  # the column is dropped by the AddField's reversal

    return forward, backward
