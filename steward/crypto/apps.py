from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class CryptoConfig(AppConfig):
    name = "steward.crypto"
    label = "crypto"

    def ready(self) -> None:
        from steward.crypto import checks  # noqa: F401  (registers the system checks)
        from steward.crypto.errors import MasterKeyError
        from steward.crypto.master_keys import master_keys

        # Every process (web, worker, command) loads the master keys before it does any
        # work: a missing, unreadable, malformed or world-readable key file stops it here,
        # never half-way through writing data it could not read back.
        try:
            master_keys()
        except MasterKeyError as error:
            raise ImproperlyConfigured(f"Steward's master keys: {error}") from None
