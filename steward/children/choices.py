"""The child status of a contact (Art. 8). A leaf module: steward.contacts.models imports it
for the field's choices without depending on the rest of this app."""

from django.db import models


class ChildStatus(models.TextChoices):
    # Below the age of digital consent of the contact's country: consent-based processing
    # needs a holder of parental responsibility (Art. 8(1)).
    CHILD = "child", "Child"
    ADULT = "adult", "Adult"
    # No date of birth: a state of its own, never treated as adult.
    UNKNOWN = "unknown", "Age unknown"
