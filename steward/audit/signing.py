"""The ledger's signing key: an Ed25519 key kept outside the database, so that whoever can
write the database can neither forge a checkpoint nor cut a chain's tail off unnoticed.

Where it comes from, first match wins:
- STEWARD_LEDGER_KEY, or the file STEWARD_LEDGER_KEY_FILE names (Docker/Kubernetes secrets):
  the private key as PEM (`openssl genpkey -algorithm ed25519`) or base64 of its 32 raw bytes;
- otherwise the file `ledger_signing.key` in STEWARD_DATA_DIR, created on first use with mode
  0600. A key file that group or others may read or write is refused with an error: a key
  others could copy (or replace) signs nothing worth trusting.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from steward.core.env import env_secret

KEY_ENV = "STEWARD_LEDGER_KEY"
KEY_FILENAME = "ledger_signing.key"


class LedgerKeyError(ImproperlyConfigured):
    """The signing key is missing, unreadable, malformed or kept with loose permissions."""


@dataclass(frozen=True)
class LedgerKey:
    """The private key and the short id of its public half, stored with each checkpoint."""

    private: Ed25519PrivateKey
    key_id: str

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()

    def verifies(self, message: bytes, signature: str) -> bool:
        try:
            self.private.public_key().verify(bytes.fromhex(signature), message)
        except (InvalidSignature, ValueError):
            return False
        return True


def checkpoint_message(table: str, seq: int, head_hash: str, signed_at: datetime) -> bytes:
    """What a checkpoint signs: the chain, its length and head, and when."""
    return f"steward-checkpoint|{table}|{seq}|{head_hash}|{signed_at.isoformat()}".encode()


def key_file_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILENAME


def ledger_key(*, create: bool = True) -> LedgerKey | None:
    """The configured signing key; with `create`, a new key file in the data dir when none is
    configured yet (None without `create` and no key)."""
    configured = env_secret(KEY_ENV)
    if configured:
        return _parse(configured, source=KEY_ENV)
    path = key_file_path()
    if not path.exists():
        if not create:
            return None
        _create_key_file(path)
    loose_permissions_error(path, raise_it=True)
    try:
        text = path.read_text()
    except OSError as error:
        raise LedgerKeyError(f"Cannot read the ledger signing key {path}: {error}") from None
    return _parse(text, source=str(path))


def loose_permissions_error(path: Path, *, raise_it: bool = False) -> str:
    """The error to show when group or others may access the key file, else ''."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o077:
        return ""
    message = (
        f"The ledger signing key {path} has loose permissions ({mode:04o}); it must be "
        f"readable by its owner only. Fix it with: chmod 600 {path}"
    )
    if raise_it:
        raise LedgerKeyError(message)
    return message


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: two processes starting at once must not each write a different key; the loser
    # reads the winner's.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _parse(text: str, *, source: str) -> LedgerKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            private = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as error:
        raise LedgerKeyError(
            f"The ledger signing key in {source} is not an Ed25519 private key: {error}"
        ) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise LedgerKeyError(f"The ledger signing key in {source} is not an Ed25519 key.")
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return LedgerKey(private=private, key_id=hashlib.sha256(public).hexdigest()[:16])
