"""The stored form of an encrypted value and the two operations on it.

    stored = base64( format | data key id | nonce | ciphertext + tag )
             format: 1 byte (1 = AES-256-GCM); data key id: 16 bytes (the DataKey row, which
             names its owner and version); nonce: 12 random bytes; tag: 16 bytes.

The associated data binds the value to where it is stored, "table|column|row id", and to
its header: a ciphertext copied into another row, another column or another table, or
given another key id, fails to open. Failures raise; nothing here ever returns stored
bytes as if they were the value."""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag

from steward.crypto.errors import DecryptionFailed
from steward.crypto.keyring import DataKeyMaterial, keyring

FORMAT_AES256GCM = 1
CURRENT_FORMAT = FORMAT_AES256GCM
_HEADER = 1 + 16
_NONCE = 12
_TAG = 16


def context_of(table: str, column: str, row_id) -> bytes:
    return f"{table}|{column}|{row_id}".encode()


def seal(plaintext: bytes, *, key: DataKeyMaterial, context: bytes) -> str:
    header = bytes((CURRENT_FORMAT,)) + key.id_bytes
    nonce = os.urandom(_NONCE)
    sealed = key.cipher.encrypt(nonce, plaintext, header + context)
    return base64.b64encode(header + nonce + sealed).decode("ascii")


def split(stored: str) -> tuple[int, bytes, bytes]:
    """(format, data key id, the rest) of a stored value; DecryptionFailed when it is not
    one (a plaintext value left in an encrypted column, a truncated value)."""
    try:
        raw = base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise DecryptionFailed("The stored value is not an encrypted value.") from None
    if len(raw) < _HEADER + _NONCE + _TAG or raw[0] != FORMAT_AES256GCM:
        raise DecryptionFailed("The stored value is not an encrypted value of a known format.")
    return raw[0], raw[1:_HEADER], raw


def key_id_of(stored: str) -> bytes:
    return split(stored)[1]


def open_sealed(stored: str, *, context: bytes) -> bytes:
    """The plaintext of a stored value; raises DecryptionFailed (DataErased when its key
    was destroyed)."""
    _, key_id, raw = split(stored)
    key = keyring().key_by_id(key_id)
    try:
        return key.cipher.decrypt(
            raw[_HEADER : _HEADER + _NONCE], raw[_HEADER + _NONCE :], raw[:_HEADER] + context
        )
    except InvalidTag:
        raise DecryptionFailed(
            "An encrypted value failed its integrity check: it was altered, or copied from "
            "another row or column. It is not shown."
        ) from None
