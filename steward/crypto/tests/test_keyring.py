"""The key cache, the key database router, the background task and the data map's mark."""

import os
import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.test import override_settings

from steward.activities.tests.factories import ActivityFactory
from steward.contacts.tests.factories import ContactFactory
from steward.crypto.keyring import DataKeyMaterial, Keyring
from steward.crypto.models import DataKey
from steward.crypto.router import KeysRouter
from steward.crypto.services import data_key_renew
from steward.crypto.tasks import reencrypt_task


def material(owner: str = "contact:x") -> DataKeyMaterial:
    return DataKeyMaterial(uuid.uuid4(), owner, AESGCM(os.urandom(32)))


def test_the_key_cache_keeps_at_most_its_bound_dropping_the_least_recently_used():
    cache = Keyring(size=2, seconds=60)
    first, second, third = material("contact:a"), material("contact:b"), material("contact:c")
    cache._remember(first, current=True)
    cache._remember(second, current=True)
    assert cache._cached(first.id_bytes) is first  # now the most recently used

    cache._remember(third, current=True)

    assert cache.cached_count() == 2
    assert cache._cached(second.id_bytes) is None
    assert cache._cached(first.id_bytes) is first and cache._cached(third.id_bytes) is third
    assert "contact:b" not in cache._current


def test_a_cached_key_expires_after_its_time():
    cache = Keyring(size=10, seconds=-1)
    key = material()
    cache._remember(key, current=True)

    assert cache._cached(key.id_bytes) is None and cache.cached_count() == 0


def test_forgetting_an_owner_drops_only_its_keys():
    cache = Keyring(size=10, seconds=60)
    mine, theirs = material("contact:a"), material("contact:b")
    cache._remember(mine, current=True)
    cache._remember(theirs, current=True)

    cache.forget("contact:a")

    assert cache._cached(mine.id_bytes) is None and cache._cached(theirs.id_bytes) is theirs


def test_without_a_keys_database_the_keys_stay_in_the_default_one():
    router = KeysRouter()

    assert router.db_for_read(DataKey) == "default"
    assert router.allow_migrate("default", "crypto") is None


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_with_a_keys_database_the_key_tables_live_there_and_nowhere_else(settings):
    databases = {**settings.DATABASES, "keys": {**settings.DATABASES["default"]}}
    with override_settings(DATABASES=databases):
        router = KeysRouter()

        assert router.db_for_write(DataKey) == "keys"
        assert router.allow_migrate("keys", "crypto") is True
        assert router.allow_migrate("default", "crypto") is False
        assert router.allow_migrate("keys", "contacts") is False
        assert router.allow_migrate("default", "contacts") is True


@pytest.mark.django_db
def test_the_background_task_reencrypts_after_a_key_renewal_and_then_does_nothing():
    from steward.core.actor import SystemActor

    contact = ContactFactory()
    ActivityFactory(contact=contact, body="one")
    ActivityFactory(contact=contact, body="two")
    data_key_renew(actor=SystemActor("test"), owner=f"contact:{contact.pk}")

    # The two notes, and the contact's own row (its email and phone).
    assert reencrypt_task.call() == 3
    assert reencrypt_task.call() == 0


@pytest.mark.django_db
def test_the_data_map_marks_the_encrypted_fields():
    from steward.inventory.data_map import data_map

    rows = {row.path: row.encrypted for row in data_map()}

    assert rows["activities.Activity.body"] and rows["contacts.Contact.date_of_birth"]
    assert rows["detection.PersonalDataFinding.evidence"]
    assert not rows["contacts.Contact.family_name"]
