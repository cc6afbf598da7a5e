import pytest

from steward.crypto.blind_index import reset_index_key
from steward.crypto.keyring import reset_keyring
from steward.crypto.master_keys import reset_master_keys


@pytest.fixture
def own_master_keys(settings, tmp_path):
    """A key file of this test's own, so that rotating or breaking keys touches nothing
    else; the process-wide provider and key cache are rebuilt before and after."""
    settings.STEWARD_MASTER_KEY_PROVIDER = "file"
    settings.STEWARD_MASTER_KEY_FILE = str(tmp_path / "keys" / "master.keys")
    settings.STEWARD_BLIND_INDEX_KEY_FILE = str(tmp_path / "keys" / "blind_index.key")
    reset_master_keys()
    reset_keyring()
    reset_index_key()
    yield tmp_path / "keys" / "master.keys"
    reset_master_keys()
    reset_keyring()
    reset_index_key()
