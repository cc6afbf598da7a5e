"""Master keys: the keys that wrap every person's data key, kept outside the database.

Three places they can come from (settings.STEWARD_MASTER_KEY_PROVIDER):
- "file" (the default): a key file in STEWARD_DATA_DIR, created with mode 0600 on first run.
  A key file anyone else can read is refused: Steward does not start.
- "env": STEWARD_MASTER_KEYS, or the file named by STEWARD_MASTER_KEYS_FILE (a Docker or
  Kubernetes secret), read through steward.core.env.
- the dotted path of a class implementing MasterKeyProvider: an external key service (a
  cloud KMS, Vault's transit engine) that wraps and unwraps without the key leaving it.

Every master key has an id ("mk-1", "mk-2", ...). Several can be present at once during a
rotation: the last one listed is current (new data keys are wrapped under it); the others
only unwrap data keys not yet re-wrapped (`steward keys rotate`)."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import secrets
import stat
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.module_loading import import_string

from steward.core.env import env_secret
from steward.crypto.errors import MasterKeyError

logger = logging.getLogger(__name__)

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_FILE_HEADER = (
    "# Steward master keys: one per line, '<id> <base64 of 32 bytes>'. The last is current.\n"
    "# Keep this file apart from database backups: whoever has both can read everything.\n"
)


@runtime_checkable
class MasterKeyProvider(Protocol):
    """What Steward needs of a master key store. An external key service implements wrap
    and unwrap with its own API (KMS Encrypt/Decrypt with an encryption context, Vault
    transit encrypt/decrypt with `context`), passing `aad` as that context."""

    def key_ids(self) -> tuple[str, ...]:
        """Every master key id this provider can unwrap with, oldest first."""
        ...

    def current_key_id(self) -> str:
        """The id new data keys are wrapped under."""
        ...

    def wrap(self, key_id: str, data_key: bytes, aad: bytes) -> bytes: ...

    def unwrap(self, key_id: str, wrapped: bytes, aad: bytes) -> bytes: ...

    def add_key(self) -> str:
        """Creates a new current master key and returns its id; providers whose keys are
        managed elsewhere raise MasterKeyError saying how to add one."""
        ...

    def remove_key(self, key_id: str) -> None:
        """Forgets a master key no data key is wrapped under any more."""
        ...


class LocalMasterKeys:
    """Master keys held in this process (AES-256-GCM key wrapping): the reference
    implementation, behind the file and environment providers."""

    def __init__(self, keys: dict[str, bytes], *, source: str):
        if not keys:
            raise MasterKeyError(f"{source} holds no master key.")
        self.source = source
        self._keys = {key_id: AESGCM(secret) for key_id, secret in keys.items()}
        self._order = tuple(keys)

    def key_ids(self) -> tuple[str, ...]:
        return self._order

    def current_key_id(self) -> str:
        return self._order[-1]

    def _cipher(self, key_id: str) -> AESGCM:
        try:
            return self._keys[key_id]
        except KeyError:
            raise MasterKeyError(
                f"Master key {key_id!r} is not in {self.source} (it has "
                f"{', '.join(self._order)}): data keys wrapped under it cannot be opened. "
                "Restore that key, or run `steward keys status`."
            ) from None

    def wrap(self, key_id: str, data_key: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._cipher(key_id).encrypt(nonce, data_key, aad)

    def unwrap(self, key_id: str, wrapped: bytes, aad: bytes) -> bytes:
        cipher = self._cipher(key_id)
        try:
            return cipher.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag:
            raise MasterKeyError(
                f"Master key {key_id!r} from {self.source} does not open the data keys "
                "wrapped under that id: it is the wrong key (or a wrapped key was altered)."
            ) from None

    def add_key(self) -> str:
        raise MasterKeyError(
            f"Master keys from {self.source} are managed outside Steward: append a new "
            "'<id>:<base64 key>' entry there and restart, then run `steward keys rotate`."
        )

    def remove_key(self, key_id: str) -> None:
        raise MasterKeyError(f"Remove {key_id!r} from {self.source} yourself and restart Steward.")


def _decode_key(key_id: str, encoded: str, source: str) -> bytes:
    if not _KEY_ID.match(key_id):
        raise MasterKeyError(f"{source}: {key_id!r} is not a valid master key id.")
    try:
        secret = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"{source}: master key {key_id!r} is not valid base64.") from None
    if len(secret) != KEY_BYTES:
        raise MasterKeyError(
            f"{source}: master key {key_id!r} has {len(secret)} bytes; it needs {KEY_BYTES}."
        )
    return secret


def new_key_line(key_id: str) -> str:
    return f"{key_id} {base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}\n"


def _next_key_id(existing: tuple[str, ...]) -> str:
    numbers = [int(m.group(1)) for k in existing if (m := re.fullmatch(r"mk-(\d+)", k))]
    return f"mk-{max(numbers, default=0) + 1}"


class FileMasterKeys(LocalMasterKeys):
    """Master keys in a file of the data dir, mode 0600, created on first run."""

    def __init__(self, path: Path):
        self.path = Path(path)
        _create_key_file(self.path)
        super().__init__(_read_key_file(self.path), source=f"the key file {self.path}")

    def add_key(self) -> str:
        key_id = _next_key_id(self.key_ids())
        _rewrite_key_file(self.path, self.path.read_text() + new_key_line(key_id))
        self.__init__(self.path)
        return key_id

    def remove_key(self, key_id: str) -> None:
        if key_id == self.current_key_id():
            raise MasterKeyError(f"{key_id!r} is the current master key; rotate first.")
        self._cipher(key_id)
        kept = [
            line
            for line in self.path.read_text().splitlines(keepends=True)
            if line.split(maxsplit=1)[:1] != [key_id]
        ]
        _rewrite_key_file(self.path, "".join(kept))
        self.__init__(self.path)


def _create_key_file(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(_FILE_HEADER + new_key_line("mk-1"))
    logger.warning(
        "Created a new master key file %s: back it up apart from the database; without it "
        "no encrypted value can be read.",
        path,
    )


def _rewrite_key_file(path: Path, text: str) -> None:
    """Replaces the key file atomically (a crash leaves the old or the new file, never half
    of one), keeping mode 0600."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _read_key_file(path: Path) -> dict[str, bytes]:
    source = f"the key file {path}"
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise MasterKeyError(f"Cannot read {source}: {error.strerror}.") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise MasterKeyError(
            f"{source} can be read by other users (mode {stat.S_IMODE(mode):o}); Steward "
            f"refuses to use it. Run: chmod 600 {path}"
        )
    keys: dict[str, bytes] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise MasterKeyError(f"{source}, line {number}: expected '<id> <base64 key>'.")
        if parts[0] in keys:
            raise MasterKeyError(f"{source}, line {number}: {parts[0]!r} appears twice.")
        keys[parts[0]] = _decode_key(parts[0], parts[1], source)
    return keys


def keys_from_text(text: str, *, source: str) -> dict[str, bytes]:
    """'mk-1:<base64>,mk-2:<base64>' (commas, spaces or newlines between entries)."""
    keys: dict[str, bytes] = {}
    for entry in re.split(r"[,\s]+", text.strip()):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep:
            raise MasterKeyError(f"{source}: expected '<id>:<base64 key>' entries.")
        keys[key_id] = _decode_key(key_id, encoded, source)
    return keys


class EnvironmentMasterKeys(LocalMasterKeys):
    """Master keys from STEWARD_MASTER_KEYS or the secret file STEWARD_MASTER_KEYS_FILE."""

    def __init__(self):
        source = "STEWARD_MASTER_KEYS (or STEWARD_MASTER_KEYS_FILE)"
        try:
            text = env_secret("STEWARD_MASTER_KEYS")
        except OSError as error:
            raise MasterKeyError(f"Cannot read {source}: {error}.") from None
        if not text.strip():
            raise MasterKeyError(f"{source} is empty: set it or use the key file provider.")
        super().__init__(keys_from_text(text, source=source), source=source)


_lock = threading.Lock()
_provider: MasterKeyProvider | None = None


def build_provider() -> MasterKeyProvider:
    """The provider settings name, loaded and checked now (raises MasterKeyError)."""
    name = settings.STEWARD_MASTER_KEY_PROVIDER
    if name == "file":
        return FileMasterKeys(Path(settings.STEWARD_MASTER_KEY_FILE))
    if name == "env":
        return EnvironmentMasterKeys()
    try:
        provider = import_string(name)()
    except ImportError as error:
        raise MasterKeyError(f"STEWARD_MASTER_KEY_PROVIDER {name!r}: {error}") from None
    if not isinstance(provider, MasterKeyProvider):
        raise MasterKeyError(f"{name} does not implement MasterKeyProvider.")
    return provider


def master_keys() -> MasterKeyProvider:
    """The process's master key provider, loaded once."""
    global _provider
    if _provider is None:
        with _lock:
            if _provider is None:
                _provider = build_provider()
    return _provider


def reset_master_keys() -> None:
    """Forgets the loaded provider (tests; after the key file changed)."""
    global _provider
    with _lock:
        _provider = None
