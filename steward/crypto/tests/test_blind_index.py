"""Blind indexes: keyed, per column, normalised, optionally truncated."""

import os
import stat

import pytest

from steward.crypto.blind_index import blind_index, column_key, reset_index_key
from steward.crypto.errors import MasterKeyError


def test_equal_values_after_normalising_give_the_same_index(own_master_keys):
    assert blind_index("contacts_contact", "email", " Ada@Example.org ") == blind_index(
        "contacts_contact", "email", "ada@example.org"
    )


def test_the_same_value_gives_unrelated_indexes_in_different_columns(own_master_keys):
    assert blind_index("contacts_contact", "email", "ada@example.org") != blind_index(
        "contacts_contactmethod", "value", "ada@example.org"
    )
    assert column_key("contacts_contact", "email") != column_key("contacts_contact", "phone")


def test_the_index_depends_on_the_key(own_master_keys, settings, tmp_path):
    first = blind_index("contacts_contact", "email", "ada@example.org")
    settings.STEWARD_BLIND_INDEX_KEY_FILE = str(tmp_path / "other.key")
    reset_index_key()

    assert blind_index("contacts_contact", "email", "ada@example.org") != first


def test_a_truncated_index_keeps_its_leading_bits(own_master_keys):
    full = blind_index("contacts_contact", "phone", "+4930123456")

    short = blind_index("contacts_contact", "phone", "+4930123456", bits=32)

    assert len(short) == 8 and full.startswith(short)


def test_the_index_key_file_is_private_and_refused_when_loose(own_master_keys, settings):
    blind_index("contacts_contact", "email", "x@example.org")
    path = settings.STEWARD_BLIND_INDEX_KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o644)
    reset_index_key()

    with pytest.raises(MasterKeyError, match="chmod 600"):
        blind_index("contacts_contact", "email", "x@example.org")


def test_the_index_key_can_come_from_the_environment(own_master_keys, monkeypatch):
    import base64

    monkeypatch.setenv("STEWARD_BLIND_INDEX_KEY", base64.b64encode(b"i" * 32).decode())
    reset_index_key()

    value = blind_index("contacts_contact", "email", "x@example.org")

    assert len(value) == 64
