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
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

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
    digest = hmac.new(
        column_key(table, column), normalise(value).encode(), hashlib.sha256
    ).hexdigest()
    return digest[: bits // 4]


def reset_index_key() -> None:
    index_key.cache_clear()
    column_key.cache_clear()
