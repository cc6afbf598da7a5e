"""The base every Steward model stands on."""

import uuid

from django.db import models


class BaseModel(models.Model):
    """UUID primary key (generated in Python, so it exists before INSERT and can bind
    encrypted values to their row) and timezone-aware created/updated timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ScheduledRun(BaseModel):
    """One periodic job's run for one time slot. The unique (job_name, slot_start) pair is the
    claim: when many workers share the database, the one whose INSERT succeeds enqueues the
    job and every other worker's INSERT fails, so a slot runs exactly once."""

    job_name = models.CharField(max_length=100)
    slot_start = models.DateTimeField()
    claimed_by = models.CharField(max_length=100)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-slot_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["job_name", "slot_start"], name="scheduled_run_slot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_name} @ {self.slot_start.isoformat()}"
