"""Master key providers: the key file, the environment, and what makes Steward refuse."""

import base64
import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from steward.crypto.apps import CryptoConfig
from steward.crypto.errors import MasterKeyError
from steward.crypto.master_keys import (
    EnvironmentMasterKeys,
    FileMasterKeys,
    MasterKeyProvider,
    build_provider,
    master_keys,
)

KEY = base64.b64encode(b"k" * 32).decode()
OTHER = base64.b64encode(b"o" * 32).decode()


def test_the_key_file_is_created_on_first_run_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "data" / "master.keys"

    provider = FileMasterKeys(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert provider.key_ids() == ("mk-1",) and provider.current_key_id() == "mk-1"


def test_the_same_key_file_gives_the_same_key_on_the_next_start(tmp_path):
    path = tmp_path / "master.keys"
    wrapped = FileMasterKeys(path).wrap("mk-1", b"d" * 32, b"aad")

    assert FileMasterKeys(path).unwrap("mk-1", wrapped, b"aad") == b"d" * 32


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "master.keys"
    FileMasterKeys(path)
    os.chmod(path, 0o644)

    with pytest.raises(MasterKeyError, match="chmod 600"):
        FileMasterKeys(path)


def test_a_malformed_key_file_is_refused(tmp_path):
    path = tmp_path / "master.keys"
    path.write_text("mk-1 not-base64!\n")
    os.chmod(path, 0o600)

    with pytest.raises(MasterKeyError, match="not valid base64"):
        FileMasterKeys(path)


def test_a_key_of_the_wrong_length_is_refused(tmp_path):
    path = tmp_path / "master.keys"
    path.write_text(f"mk-1 {base64.b64encode(b'short').decode()}\n")
    os.chmod(path, 0o600)

    with pytest.raises(MasterKeyError, match="needs 32"):
        FileMasterKeys(path)


def test_the_process_refuses_to_start_with_a_loose_key_file(settings, tmp_path):
    path = tmp_path / "master.keys"
    FileMasterKeys(path)
    os.chmod(path, 0o640)
    settings.STEWARD_MASTER_KEY_FILE = str(path)
    from steward.crypto import master_keys as module

    module.reset_master_keys()
    try:
        with pytest.raises(ImproperlyConfigured, match="other users"):
            CryptoConfig("steward.crypto", module).ready()
    finally:
        module.reset_master_keys()


def test_the_wrong_key_cannot_unwrap_and_says_so(tmp_path):
    first, second = tmp_path / "a.keys", tmp_path / "b.keys"
    wrapped = FileMasterKeys(first).wrap("mk-1", b"d" * 32, b"aad")

    with pytest.raises(MasterKeyError, match="wrong key"):
        FileMasterKeys(second).unwrap("mk-1", wrapped, b"aad")


def test_a_missing_master_key_id_is_named(tmp_path):
    provider = FileMasterKeys(tmp_path / "master.keys")

    with pytest.raises(MasterKeyError, match="'mk-9' is not in"):
        provider.unwrap("mk-9", b"x" * 60, b"aad")


def test_adding_a_key_makes_it_current_and_keeps_the_old_one(tmp_path):
    provider = FileMasterKeys(tmp_path / "master.keys")
    old = provider.wrap("mk-1", b"d" * 32, b"aad")

    assert provider.add_key() == "mk-2"

    assert provider.key_ids() == ("mk-1", "mk-2") and provider.current_key_id() == "mk-2"
    assert provider.unwrap("mk-1", old, b"aad") == b"d" * 32
    assert stat.S_IMODE((tmp_path / "master.keys").stat().st_mode) == 0o600


def test_the_environment_provider_reads_the_variable_or_its_file(monkeypatch, tmp_path):
    monkeypatch.setenv("STEWARD_MASTER_KEYS", f"mk-1:{KEY},mk-2:{OTHER}")
    from_variable = EnvironmentMasterKeys()
    secret = tmp_path / "secret"
    secret.write_text(f"mk-1:{KEY}\nmk-2:{OTHER}\n")
    monkeypatch.delenv("STEWARD_MASTER_KEYS")
    monkeypatch.setenv("STEWARD_MASTER_KEYS_FILE", str(secret))
    from_file = EnvironmentMasterKeys()

    wrapped = from_variable.wrap("mk-2", b"d" * 32, b"aad")

    assert from_file.current_key_id() == "mk-2"
    assert from_file.unwrap("mk-2", wrapped, b"aad") == b"d" * 32


def test_the_environment_provider_refuses_an_empty_variable(monkeypatch):
    monkeypatch.setenv("STEWARD_MASTER_KEYS", "")

    with pytest.raises(MasterKeyError, match="empty"):
        EnvironmentMasterKeys()


def test_the_environment_provider_cannot_add_keys_itself(monkeypatch):
    monkeypatch.setenv("STEWARD_MASTER_KEYS", f"mk-1:{KEY}")

    with pytest.raises(MasterKeyError, match="managed outside Steward"):
        EnvironmentMasterKeys().add_key()


class VaultTransitStandIn:
    """What an external key service adapter looks like: the key never leaves it (here a
    local provider plays the service)."""

    def __init__(self):
        self.service = EnvironmentMasterKeys.__new__(EnvironmentMasterKeys)
        from steward.crypto.master_keys import LocalMasterKeys

        LocalMasterKeys.__init__(self.service, {"transit-1": b"t" * 32}, source="vault")

    def key_ids(self):
        return self.service.key_ids()

    def current_key_id(self):
        return self.service.current_key_id()

    def wrap(self, key_id, data_key, aad):
        return self.service.wrap(key_id, data_key, aad)

    def unwrap(self, key_id, wrapped, aad):
        return self.service.unwrap(key_id, wrapped, aad)

    def add_key(self):
        return self.service.add_key()

    def remove_key(self, key_id):
        return self.service.remove_key(key_id)


def test_an_external_provider_is_named_by_its_dotted_path(settings):
    settings.STEWARD_MASTER_KEY_PROVIDER = f"{__name__}.VaultTransitStandIn"

    provider = build_provider()

    assert isinstance(provider, MasterKeyProvider)
    assert provider.current_key_id() == "transit-1"


def test_an_object_that_is_no_provider_is_refused(settings):
    settings.STEWARD_MASTER_KEY_PROVIDER = "collections.OrderedDict"

    with pytest.raises(MasterKeyError, match="does not implement"):
        build_provider()


def test_the_running_process_has_its_master_keys_loaded():
    assert master_keys().current_key_id()
