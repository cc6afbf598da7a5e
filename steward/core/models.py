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
