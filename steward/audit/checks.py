"""System checks of the ledger's signing key: a key others can read, or one that is not an
Ed25519 key, stops every command and server at start, not at 03:00 in the checkpoint job."""

from django.core import checks

from steward.audit.signing import LedgerKeyError, key_file_path, ledger_key


@checks.register(checks.Tags.security)
def ledger_signing_key_check(app_configs=None, **kwargs):
    try:
        ledger_key(create=False)
    except LedgerKeyError as error:
        return [
            checks.Error(
                str(error),
                hint="Keep the key readable by Steward's user only, or configure "
                "STEWARD_LEDGER_KEY / STEWARD_LEDGER_KEY_FILE.",
                obj=str(key_file_path()),
                id="steward.E601",
            )
        ]
    return []
