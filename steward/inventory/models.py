"""The taxonomy as data: the categories the data map, custom fields and detection use."""

from django.core.validators import RegexValidator
from django.db import models

from steward.core.models import BaseModel
from steward.inventory.taxonomy import KEY_MAX_LENGTH, KEY_PATTERN, Sensitivity


class DataCategory(BaseModel):
    """A data category: the built-in ones (kept in step with `taxonomy.BUILTIN_CATEGORIES`)
    and those an operator adds under them. The tree is the dotted key itself, so a parent
    link cannot disagree with it."""

    key = models.CharField(
        max_length=KEY_MAX_LENGTH,
        unique=True,
        validators=[
            RegexValidator(
                KEY_PATTERN,
                "Lower-case words (letters, digits, _) joined by dots, e.g. contact.email.",
            )
        ],
    )
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    sensitivity = models.CharField(
        max_length=10, choices=Sensitivity.choices, default=Sensitivity.PERSONAL
    )
    concerns_children = models.BooleanField(
        default=False, help_text="Art. 8: data about a child or revealing that one is a child."
    )
    builtin = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["key"]
        verbose_name_plural = "data categories"

    def __str__(self) -> str:
        return f"{self.label} ({self.key})"

    @property
    def depth(self) -> int:
        return self.key.count(".")
