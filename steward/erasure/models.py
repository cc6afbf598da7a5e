"""What an erasure leaves behind: a suppression entry (so the person is not silently
re-created) and a journal entry (so a restored backup can be erased again). Neither holds
the person's data: identifiers are keyed hashes (blind indexes under the blind-index key,
steward.crypto.blind_index), never plaintext."""

from django.db import models

from steward.core.models import BaseModel


class Suppression(BaseModel):
    """An erased person's identifiers as keyed hashes. An import row, a new contact or a
    sign-up matching one is refused with the reason (Art. 17: erasure must last)."""

    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    erased_at = models.DateTimeField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Suppression of {self.erased_at:%Y-%m-%d}"


class ErasureJournalEntry(BaseModel):
    """One erasure, by the erased contact's id only: replayed after a backup is restored,
    it erases the person again from the restored data."""

    contact_id = models.UUIDField(unique=True)
    erased_at = models.DateTimeField()
    request_id = models.UUIDField(null=True, blank=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["erased_at"]
        verbose_name_plural = "erasure journal entries"

    def __str__(self) -> str:
        return f"Erasure of {self.contact_id} on {self.erased_at:%Y-%m-%d}"
