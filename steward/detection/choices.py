from django.db import models


class FindingStatus(models.TextChoices):
    """Where a finding stands in its review. A detector only ever suggests; a person
    confirms or dismisses (issue 3: a finding is never a silent decision)."""

    SUGGESTED = "suggested", "Suggested, not yet reviewed"
    CONFIRMED = "confirmed", "Confirmed by a reviewer"
    DISMISSED = "dismissed", "Dismissed by a reviewer"


# The review's allowed moves, enforced in one place (steward.detection.services). A reviewer
# may change their mind; nothing goes back to "suggested", which only a detector sets.
ALLOWED_REVIEWS: dict[str, frozenset[str]] = {
    FindingStatus.SUGGESTED: frozenset({FindingStatus.CONFIRMED, FindingStatus.DISMISSED}),
    FindingStatus.CONFIRMED: frozenset({FindingStatus.DISMISSED}),
    FindingStatus.DISMISSED: frozenset({FindingStatus.CONFIRMED}),
}

# Findings that count: a dismissed one is a reviewer's "no", kept only so that the same
# evidence is not suggested again.
STANDING_STATUSES = (FindingStatus.SUGGESTED, FindingStatus.CONFIRMED)
REVIEWED_STATUSES = (FindingStatus.CONFIRMED, FindingStatus.DISMISSED)


class ScanStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
