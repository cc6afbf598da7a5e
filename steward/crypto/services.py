"""Key management: rotating and retiring master keys, renewing and destroying a person's
data key (crypto-shredding, Art. 17), and re-encrypting stored values under the current key.

Master key rotation re-wraps data keys only: its cost grows with the number of owners
(people), not of encrypted values. It is resumable by construction: every batch commits on
its own and the keys still to do are exactly those wrapped under another master key, so a
run that crashed is finished by running it again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from steward.audit.events import audit_record
from steward.core.actor import Actor
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.crypto.choices import DataKeyState, ReencryptionStatus
from steward.crypto.cipher import CURRENT_FORMAT, split
from steward.crypto.errors import DataErased
from steward.crypto.fields import Sealed, encrypted_fields
from steward.crypto.keyring import SYSTEM_OWNER, keyring, wrap_aad
from steward.crypto.master_keys import master_keys
from steward.crypto.models import DataKey, ReencryptionRun
from steward.crypto.router import keys_database

logger = logging.getLogger(__name__)

REWRAP_BATCH = 500
REENCRYPT_BATCH = 500


def _keys_and_default_atomic():
    """One transaction on the key database and, when it is another one, on the default
    database too (where the audit trail is)."""
    alias = keys_database()
    if alias == "default":
        return transaction.atomic()

    class _Both:
        def __enter__(self):
            self.outer = transaction.atomic(using=alias)
            self.inner = transaction.atomic()
            self.outer.__enter__()
            self.inner.__enter__()

        def __exit__(self, *exc):
            try:
                self.inner.__exit__(*exc)
            finally:
                self.outer.__exit__(*exc)

    return _Both()


@dataclass
class RotationOutcome:
    master_key_id: str
    rewrapped: int = 0
    remaining: int = 0


def master_key_rotate(
    *,
    actor: Actor,
    batch_size: int = REWRAP_BATCH,
    after_batch: Callable[[int], None] | None = None,
) -> RotationOutcome:
    """Re-wraps every data key under the current master key. When none is left under an
    older key (nothing to resume), first asks the provider for a new master key; providers
    whose keys live elsewhere (environment, KMS) say how to add one there."""
    alias = keys_database()
    provider = master_keys()
    pending = DataKey.objects.using(alias).filter(wrapped__isnull=False)
    if not pending.exclude(master_key_id=provider.current_key_id()).exists():
        provider.add_key()
    target = provider.current_key_id()
    outcome = RotationOutcome(target)
    while True:
        batch = list(
            pending.exclude(master_key_id=target)
            .order_by("id")
            .values_list("id", "owner", "master_key_id", "wrapped")[:batch_size]
        )
        if not batch:
            break
        with transaction.atomic(using=alias):
            for pk, owner, old, wrapped in batch:
                aad = wrap_aad(pk, owner)
                secret = provider.unwrap(old, bytes(wrapped), aad)
                # Conditional: a concurrent rotation that got here first is not undone.
                DataKey.objects.using(alias).filter(pk=pk, master_key_id=old).update(
                    master_key_id=target,
                    wrapped=provider.wrap(target, secret, aad),
                    updated_at=timezone.now(),
                )
        outcome.rewrapped += len(batch)
        if after_batch is not None:
            after_batch(outcome.rewrapped)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="master_key.rotated",
            object_type="crypto.masterkey",
            object_id=target,
            changes={"rewrapped_data_keys": [None, outcome.rewrapped]},
        )
    return outcome


def master_key_retire(*, actor: Actor, key_id: str) -> None:
    """Removes an old master key from the provider once no data key is wrapped under it:
    after a rotation, the old key then opens nothing, wherever a copy of it lies."""
    provider = master_keys()
    if key_id not in provider.key_ids():
        raise NotFound(f"No master key {key_id!r}.")
    if key_id == provider.current_key_id():
        raise ValidationFailed(f"{key_id} is the current master key: rotate first.")
    still = (
        DataKey.objects.using(keys_database())
        .filter(master_key_id=key_id, wrapped__isnull=False)
        .count()
    )
    if still:
        raise Conflict(
            f"{still} data key(s) are still wrapped under {key_id}: run `steward keys "
            "rotate` to the end first."
        )
    provider.remove_key(key_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="master_key.retired",
            object_type="crypto.masterkey",
            object_id=key_id,
        )


def data_key_destroy(*, actor: Actor, owner: str) -> int:
    """Crypto-shredding (Art. 17): destroys every version of `owner`'s data key. Every value
    encrypted under it, in this database and in any copy whose key table does not hold the
    wrapped key, can no longer be opened and raises DataErased. The rows stay, without
    their keys, as the journal of what was erased. Returns how many keys were destroyed."""
    if owner == SYSTEM_OWNER:
        raise ValidationFailed("The system key belongs to no person and cannot be erased.")
    alias = keys_database()
    with _keys_and_default_atomic():
        destroyed = (
            DataKey.objects.using(alias)
            .filter(owner=owner)
            .exclude(state=DataKeyState.DESTROYED)
            .update(
                wrapped=None,
                master_key_id="",
                state=DataKeyState.DESTROYED,
                destroyed_at=timezone.now(),
                updated_at=timezone.now(),
            )
        )
        audit_record(
            actor=actor,
            action="data_key.destroyed",
            object_type="crypto.datakey",
            object_id=owner,
            changes={"destroyed_keys": [None, destroyed]},
        )
    keyring().forget(owner)
    return destroyed


def data_key_renew(*, actor: Actor, owner: str) -> DataKey:
    """Gives `owner` a new data key version: new values are encrypted under it at once, and
    the re-encryption pass moves the stored ones (the old version opens them until then).
    For a key that may have leaked, and to give an erased person's record a key again."""
    alias = keys_database()
    with _keys_and_default_atomic():
        rows = DataKey.objects.using(alias).select_for_update().filter(owner=owner)
        latest = rows.order_by("-version").first()
        version = 1 if latest is None else latest.version + 1
        rows.filter(state=DataKeyState.ACTIVE).update(
            state=DataKeyState.RETIRED, updated_at=timezone.now()
        )
        keyring().forget(owner)
        material = keyring()._create(owner, version, alias)
        audit_record(
            actor=actor,
            action="data_key.renewed",
            object_type="crypto.datakey",
            object_id=owner,
            changes={"version": [None if latest is None else latest.version, version]},
        )
    return DataKey.objects.using(alias).get(pk=material.id)


# ------------------------------------------------------------------ re-encryption


def encrypted_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if encrypted_fields(m)]


def _stored_key_ids(sealed: Sealed) -> set[tuple[int, bytes]]:
    stored = sealed.stored
    tokens = stored.values() if isinstance(stored, dict) else [stored]
    found = set()
    for token in tokens:
        version, key_id, _ = split(token)
        found.add((version, key_id))
    return found


def records_reencrypt(model: type[models.Model], pks) -> int:
    """Re-encrypts the encrypted values of these rows that are not under their owner's
    current data key in the current format (the owner changed, the key was renewed, the
    algorithm changed). Values already current are left alone: safe to run twice. Values
    whose key was destroyed stay as they are (erased). Returns how many rows changed.
    A mechanical rewrite, not a change of the data: it writes no audit event."""
    fields = encrypted_fields(model)
    owner_attnames = {attname for f in fields for _, attname in f.key_owner}
    rows = model._base_manager.filter(pk__in=list(pks)).only(
        *owner_attnames, *(f.name for f in fields)
    )
    changed = 0
    for row in rows:
        updates = {}
        for field in fields:
            sealed = row.__dict__.get(field.attname)
            if not isinstance(sealed, Sealed):
                continue
            owner = field.owner_of(row)
            try:
                key = keyring().current_key(owner)
                wanted = {(CURRENT_FORMAT, key.id_bytes)}
                if _stored_key_ids(sealed) <= wanted:
                    continue
                value = field.open(sealed, row_id=row.pk)
            except DataErased:
                continue
            updates[field.name] = field.seal(value, row_id=row.pk, owner=owner, key=key)
        if updates:
            model._base_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


def reencryption_run(
    *, actor: Actor, model: type[models.Model], batch_size: int = REENCRYPT_BATCH
) -> ReencryptionRun:
    """One resumable pass over a model's rows in primary-key order: continues the pass an
    interrupted run left (its last committed batch), else starts a new one."""
    alias = keys_database()
    label = model._meta.label_lower
    runs = ReencryptionRun.objects.using(alias)
    run = runs.filter(model_label=label, status=ReencryptionStatus.RUNNING).first()
    if run is None:
        run = runs.create(model_label=label)
    while True:
        rows = model._base_manager.order_by("pk")
        if run.last_id is not None:
            rows = rows.filter(pk__gt=run.last_id)
        pks = list(rows.values_list("pk", flat=True)[:batch_size])
        if not pks:
            break
        with transaction.atomic():
            rewritten = records_reencrypt(model, pks)
        run.last_id = pks[-1]
        run.scanned += len(pks)
        run.rewritten += rewritten
        run.save(using=alias, update_fields=["last_id", "scanned", "rewritten", "updated_at"])
    run.status = ReencryptionStatus.DONE
    run.finished_at = timezone.now()
    run.save(using=alias, update_fields=["status", "finished_at", "updated_at"])
    if run.rewritten:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="encrypted_values.reencrypted",
                object_type="crypto.reencryptionrun",
                object_id=str(run.pk),
                changes={"model": [None, label], "rows": [None, run.rewritten]},
            )
    return run


def reencrypt_all(*, actor: Actor) -> list[ReencryptionRun]:
    """A re-encryption pass over every model with encrypted fields."""
    return [reencryption_run(actor=actor, model=model) for model in encrypted_models()]
