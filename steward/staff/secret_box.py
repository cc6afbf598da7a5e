"""Encryption of the login secrets Steward must be able to read back (TOTP shared secrets) and
the keyed hashing of those it only compares (recovery codes).

A database dump alone must not give an attacker a working second factor, so the secrets are
sealed with AES-256-GCM under a key that lives outside the database: derived (HKDF-SHA256)
from the key file `mfa_secrets.key` in STEWARD_DATA_DIR, created with mode 0600 on first use.
Each value is bound to its table, column and row through the associated data, so a
ciphertext copied into another row does not decrypt.

This is a stop-gap until steward.crypto (field encryption with envelope keys and rotation)
offers an API for it; the format carries a version byte so the move can re-encrypt."""

import hashlib
import hmac
import os
import stat
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from steward.core.env import secret_in_data_dir

KEY_FILENAME = "mfa_secrets.key"
FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12


class SecretUnreadable(Exception):
    """A sealed secret failed to decrypt: wrong key, tampered or moved ciphertext."""


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILENAME


@lru_cache(maxsize=4)
def _derived_keys(path: str) -> tuple[AESGCM, bytes]:
    key_path = Path(path)
    secret_in_data_dir(key_path.parent, key_path.name, nbytes=32)
    mode = key_path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # A key anyone on the machine can read protects nothing; refuse rather than carry on.
        raise ImproperlyConfigured(
            f"{key_path} is readable by other users (mode {stat.filemode(mode)}); "
            f"run: chmod 600 {key_path}"
        )
    master = key_path.read_bytes().strip()
    if len(master) < 32:
        raise ImproperlyConfigured(f"{key_path} is too short to be a key.")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return AESGCM(derive(b"steward.staff mfa secrets v1")), derive(b"steward.staff recovery v1")


def _keys() -> tuple[AESGCM, bytes]:
    return _derived_keys(str(_key_file()))


def _associated_data(table: str, column: str, row_id: object) -> bytes:
    return f"{table}.{column}:{row_id}".encode()


def seal(plaintext: bytes, *, table: str, column: str, row_id: object) -> bytes:
    """AES-256-GCM of `plaintext`, bound to its table, column and row."""
    aead, _ = _keys()
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = aead.encrypt(nonce, plaintext, _associated_data(table, column, row_id))
    return FORMAT_VERSION + nonce + ciphertext


def unseal(sealed: bytes, *, table: str, column: str, row_id: object) -> bytes:
    """The plaintext of a sealed value; SecretUnreadable when it cannot be authenticated."""
    sealed = bytes(sealed)
    if sealed[:1] != FORMAT_VERSION:
        raise SecretUnreadable("Unknown secret format.")
    aead, _ = _keys()
    nonce, ciphertext = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return aead.decrypt(nonce, ciphertext, _associated_data(table, column, row_id))
    except InvalidTag:
        raise SecretUnreadable(
            "A stored login secret cannot be decrypted (wrong key file, or the value was "
            "altered or moved)."
        ) from None


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of `value` under a key kept outside the database (recovery codes)."""
    _, key = _keys()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
