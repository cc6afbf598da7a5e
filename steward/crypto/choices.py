from django.db import models


class DataKeyState(models.TextChoices):
    # New values are encrypted under the owner's active key (one per owner).
    ACTIVE = "active", "Active"
    # Replaced by a newer version; still opens the values not yet re-encrypted.
    RETIRED = "retired", "Retired"
    # Crypto-shredded: the wrapped key is gone, every value under it is erased.
    DESTROYED = "destroyed", "Destroyed"


class ReencryptionStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
