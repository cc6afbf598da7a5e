"""Data keys: a random 256-bit key per owner (a contact, an organisation, or "system"),
wrapped by the current master key and kept in the DataKey table, with a bounded
in-process cache of unwrapped keys.

The cache bound is settings.STEWARD_CRYPTO_KEY_CACHE_SIZE keys, each kept at most
STEWARD_CRYPTO_KEY_CACHE_SECONDS: a key destroyed by another process stops opening data in
this one within that time (in the destroying process at once)."""

from __future__ import annotations

import functools
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from steward.core.batch_insert import BatchInsert
from steward.crypto.choices import DataKeyState
from steward.crypto.errors import DataErased, DecryptionFailed, MasterKeyError
from steward.crypto.master_keys import KEY_BYTES, master_keys
from steward.crypto.models import DataKey
from steward.crypto.router import keys_database

SYSTEM_OWNER = "system"


def owner_for(kind: str, pk) -> str:
    """The owner string of a record's data key: "contact:<uuid>"."""
    if type(pk) is uuid.UUID:
        return f"{kind}:{pk}"  # already canonical (the import calls this per new contact)
    return f"{kind}:{uuid.UUID(str(pk))}"


def wrap_aad(key_id: uuid.UUID, owner: str) -> bytes:
    """A wrapped key opens only as the key of this id and owner: a wrapped key copied onto
    another person's row does not unwrap."""
    return f"steward-data-key|{key_id}|{owner}".encode()


@dataclass(frozen=True)
class DataKeyMaterial:
    """An unwrapped data key, ready to encrypt with."""

    id: uuid.UUID
    owner: str
    cipher: AESGCM

    @functools.cached_property
    def id_bytes(self) -> bytes:
        # Computed once per key: every value sealed under it starts with these bytes.
        return self.id.bytes


class Keyring:
    """Finds, creates and caches data keys. One per process (`keyring()`)."""

    def __init__(self, *, size: int, seconds: float):
        self.size, self.seconds = size, seconds
        self._by_id: OrderedDict[bytes, tuple[DataKeyMaterial, float]] = OrderedDict()
        self._current: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._verified = False

    # -- cache

    def _cached(self, key_id: bytes) -> DataKeyMaterial | None:
        with self._lock:
            entry = self._by_id.get(key_id)
            if entry is None:
                return None
            if entry[1] < time.monotonic():
                self._drop(key_id)
                return None
            self._by_id.move_to_end(key_id)
            return entry[0]

    def _remember(self, material: DataKeyMaterial, *, current: bool) -> None:
        with self._lock:
            self._by_id[material.id_bytes] = (material, time.monotonic() + self.seconds)
            self._by_id.move_to_end(material.id_bytes)
            if current:
                self._current[material.owner] = material.id_bytes
            while len(self._by_id) > self.size:
                self._drop(next(iter(self._by_id)))  # the least recently used

    def _drop(self, key_id: bytes) -> None:
        entry = self._by_id.pop(key_id, None)
        if entry is not None and self._current.get(entry[0].owner) == key_id:
            del self._current[entry[0].owner]

    def forget(self, owner: str | None = None) -> None:
        """Drops the cached keys of `owner` (all keys when None)."""
        with self._lock:
            if owner is None:
                self._by_id.clear()
                self._current.clear()
                return
            for key_id in [k for k, (m, _) in self._by_id.items() if m.owner == owner]:
                self._drop(key_id)

    def cached_count(self) -> int:
        return len(self._by_id)

    # -- reading

    def _unwrap(
        self, key_id: uuid.UUID, owner: str, master_key_id: str, wrapped
    ) -> DataKeyMaterial:
        self.verify()
        secret = master_keys().unwrap(master_key_id, bytes(wrapped), wrap_aad(key_id, owner))
        return DataKeyMaterial(key_id, owner, AESGCM(secret))

    def key_by_id(self, key_id: bytes) -> DataKeyMaterial:
        """The data key a value names; DataErased when it was destroyed."""
        material = self._cached(key_id)
        if material is not None:
            return material
        pk = uuid.UUID(bytes=key_id)
        row = (
            DataKey.objects.using(keys_database())
            .filter(pk=pk)
            .values_list("owner", "state", "master_key_id", "wrapped")
            .first()
        )
        if row is None:
            raise DecryptionFailed(
                f"The data key {pk} this value was encrypted under does not exist: the key "
                "table is not the one this data was written with (a restore of the data "
                "without its keys?)."
            )
        owner, state, master_key_id, wrapped = row
        if state == DataKeyState.DESTROYED or wrapped is None:
            raise DataErased(f"This data was erased (the data key of {owner} was destroyed).")
        material = self._unwrap(pk, owner, master_key_id, wrapped)
        self._remember(material, current=False)
        return material

    def prefetch(self, key_ids: set[bytes]) -> None:
        """Fetches and unwraps, in one query, the keys among `key_ids` not cached yet.
        Destroyed or unknown keys are left out: opening their values raises."""
        missing = [uuid.UUID(bytes=k) for k in key_ids if self._cached(k) is None]
        if not missing:
            return
        rows = (
            DataKey.objects.using(keys_database())
            .filter(pk__in=missing, wrapped__isnull=False)
            .values_list("id", "owner", "master_key_id", "wrapped")
        )
        for pk, owner, master_key_id, wrapped in rows:
            self._remember(self._unwrap(pk, owner, master_key_id, wrapped), current=False)

    def current_key(self, owner: str) -> DataKeyMaterial:
        """The owner's active data key, created (wrapped under the current master key) when
        the owner has none yet."""
        with self._lock:
            key_id = self._current.get(owner)
        if key_id is not None and (material := self._cached(key_id)) is not None:
            return material
        alias = keys_database()
        row = (
            DataKey.objects.using(alias)
            .filter(owner=owner)
            .order_by("-version")
            .values_list("id", "state", "master_key_id", "wrapped", "version")
            .first()
        )
        if row is not None and row[1] == DataKeyState.ACTIVE:
            material = self._unwrap(row[0], owner, row[2], row[3])
            # Inside a transaction the row may be one it created: cached as current only
            # once committed, or a rollback would leave later writes under a missing key.
            self._remember_on_commit(material, alias)
            return material
        if row is not None and row[1] == DataKeyState.DESTROYED:
            raise DataErased(
                f"The data key of {owner} was destroyed (erased): nothing more can be "
                "stored under it. Give the person a new key deliberately (data_key_renew)."
            )
        version = 1 if row is None else row[4] + 1
        try:
            with transaction.atomic(using=alias):
                return self._create(owner, version, alias)
        except IntegrityError:
            # Another process created it first: use theirs.
            return self.current_key(owner)

    def _create(self, owner: str, version: int, alias: str) -> DataKeyMaterial:
        material, row = self._new_key(owner, version)
        row.save(using=alias, force_insert=True)
        self._remember_on_commit(material, alias)
        return material

    def _new_key(self, owner: str, version: int) -> tuple[DataKeyMaterial, DataKey]:
        self.verify()
        provider = master_keys()
        key_id = uuid.uuid4()
        secret = os.urandom(KEY_BYTES)
        master_key_id = provider.current_key_id()
        row = DataKey(
            id=key_id,
            owner=owner,
            version=version,
            master_key_id=master_key_id,
            wrapped=provider.wrap(master_key_id, secret, wrap_aad(key_id, owner)),
        )
        return DataKeyMaterial(key_id, owner, AESGCM(secret)), row

    def _remember_on_commit(self, material: DataKeyMaterial, alias: str) -> None:
        self._remember_all_on_commit([material], alias)

    def _remember_all_on_commit(self, materials: list[DataKeyMaterial], alias: str) -> None:
        # A key created inside a transaction that rolls back never existed: caching it now
        # would let later writes name a key the table does not hold. One callback for a
        # batch of keys (the import creates thousands per transaction).
        if transaction.get_connection(alias).in_atomic_block:
            transaction.on_commit(lambda: self._remember_current(materials), using=alias)
        else:
            self._remember_current(materials)

    def _remember_current(self, materials: list[DataKeyMaterial]) -> None:
        """_remember(material, current=True) for each, under one lock."""
        with self._lock:
            expires = time.monotonic() + self.seconds
            for material in materials:
                self._by_id[material.id_bytes] = (material, expires)
                self._by_id.move_to_end(material.id_bytes)
                self._current[material.owner] = material.id_bytes
            while len(self._by_id) > self.size:
                self._drop(next(iter(self._by_id)))  # the least recently used

    def create_for_new_owners(self, owners: Iterable[str]) -> dict[str, DataKeyMaterial]:
        """Keys for owners known to have none (records being created): one INSERT batch
        instead of a lookup and an INSERT each. The caller's transaction owns them.
        Through BatchInsert, without model instances: the import creates a key for every
        contact it writes, and bulk_create cost more than the contact rows themselves."""
        alias = keys_database()
        self.verify()
        provider = master_keys()
        master_key_id = provider.current_key_id()
        created: dict[str, DataKeyMaterial] = {}
        rows = []
        owners = list(owners)
        # The key ids (version-4 UUIDs, as uuid4() makes them) and the secrets, drawn from
        # the OS's CSPRNG in one read per batch instead of two reads per key.
        randomness = os.urandom((16 + KEY_BYTES) * len(owners))
        step = 16 + KEY_BYTES
        for start, owner in zip(range(0, len(randomness), step), owners, strict=True):
            key_id = uuid.UUID(bytes=randomness[start : start + 16], version=4)
            secret = randomness[start + 16 : start + step]
            wrapped = provider.wrap(master_key_id, secret, wrap_aad(key_id, owner))
            created[owner] = DataKeyMaterial(key_id, owner, AESGCM(secret))
            rows.append((key_id, owner, wrapped))
        if rows:
            insert = BatchInsert(
                DataKey,
                ("id", "owner", "wrapped"),
                constant_columns=(
                    "created_at", "updated_at", "version", "algorithm", "master_key_id", "state",
                ),
            )  # fmt: skip
            now = timezone.now()
            algorithm = DataKey._meta.get_field("algorithm").get_default()
            insert.execute(rows, (now, now, 1, algorithm, master_key_id, DataKeyState.ACTIVE))
            self._remember_all_on_commit(list(created.values()), alias)
        return created

    # -- checks

    def verify(self) -> None:
        """Once per process: every master key the data keys are wrapped under is present and
        opens them. A wrong or missing master key fails here with a clear message, before any
        value is written under a key that could not be read back."""
        if self._verified:
            return
        try:
            with transaction.atomic(using=keys_database()):
                problems = master_key_problems()
        except DatabaseError:
            return  # no key table yet (before the first migrate): nothing to check
        if problems:
            raise MasterKeyError(" ".join(problems))
        self._verified = True


def master_key_problems() -> list[str]:
    """What is wrong with the master keys against the key table (empty: nothing)."""
    provider = master_keys()
    known = set(provider.key_ids())
    problems = []
    samples = (
        DataKey.objects.using(keys_database())
        .filter(wrapped__isnull=False)
        .order_by("master_key_id", "id")
        .distinct()
        .values_list("master_key_id", flat=True)
    )
    for master_key_id in samples:
        if master_key_id not in known:
            problems.append(
                f"Data keys are wrapped under master key {master_key_id!r}, which the "
                f"provider does not have (it has {', '.join(sorted(known))})."
            )
            continue
        sample = (
            DataKey.objects.using(keys_database())
            .filter(master_key_id=master_key_id, wrapped__isnull=False)
            .values_list("id", "owner", "wrapped")
            .first()
        )
        if sample is None:
            continue
        try:
            provider.unwrap(master_key_id, bytes(sample[2]), wrap_aad(sample[0], sample[1]))
        except MasterKeyError as error:
            problems.append(
                f"{error} If the key file was missing and Steward created a new one, restore "
                "the original key file (from where it is kept apart from the data)."
            )
    return problems


_keyring: Keyring | None = None
_keyring_lock = threading.Lock()


def keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        with _keyring_lock:
            if _keyring is None:
                _keyring = Keyring(
                    size=settings.STEWARD_CRYPTO_KEY_CACHE_SIZE,
                    seconds=settings.STEWARD_CRYPTO_KEY_CACHE_SECONDS,
                )
    return _keyring


def reset_keyring() -> None:
    """A fresh keyring (tests; after the master keys changed)."""
    global _keyring
    with _keyring_lock:
        _keyring = None
