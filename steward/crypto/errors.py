"""What can go wrong with encrypted data, each with a message an operator can act on.
None of these is ever swallowed into a value: a field that cannot be opened raises."""


class CryptoError(Exception):
    """Base of Steward's encryption errors."""


class MasterKeyError(CryptoError):
    """The master keys are missing, unreadable, unsafe (a key file others can read) or do
    not match the data keys they are supposed to unwrap: Steward refuses to start."""


class DecryptionFailed(CryptoError):
    """A stored value could not be opened: corrupted, moved to another row or column, or
    written under a key that is not known. Never answered with the stored bytes."""


class DataErased(DecryptionFailed):
    """The value was encrypted under a data key that has been destroyed (crypto-shredding,
    Art. 17): it is gone for good, in every copy of the database."""


class PlaintextRefused(CryptoError, TypeError):
    """A plain value was about to be written into an encrypted column by a path that
    bypasses the field (QuerySet.update, bulk_update, a raw filter)."""
