"""Keeps the key tables in a database of their own when STEWARD_KEYS_DATABASE_URL names one
(settings.DATABASES["keys"]): data backups then hold no wrapped keys, so destroying a
person's key also makes their data in old data backups unreadable. Without it the keys
stay in the default database (one file to back up, and crypto-shredding does not reach
backups that contain the key table: docs/decisions/0018-field-encryption.md)."""

from django.conf import settings

KEYS_ALIAS = "keys"
# The data keys, and the erasure journal and suppressions (steward.erasure): what must
# outlive a restore of the data from an older backup.
_APPS = frozenset({"crypto", "erasure"})


def keys_database() -> str:
    return KEYS_ALIAS if KEYS_ALIAS in settings.DATABASES else "default"


class KeysRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in _APPS:
            return keys_database()
        return None

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if KEYS_ALIAS not in settings.DATABASES:
            return None
        if app_label in _APPS:
            return db == KEYS_ALIAS
        return db != KEYS_ALIAS
