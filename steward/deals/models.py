"""Deals moving through a pipeline of stages."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from steward.core.models import BaseModel
from steward.core.personal_data import PersonalDataModel, not_personal, personal
from steward.deals.choices import StageOutcome


class Pipeline(BaseModel):
    """A sales process: an ordered list of stages."""

    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class Stage(BaseModel):
    """One step of a pipeline; `outcome` says whether a deal here is still open, won or lost."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField()
    probability = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Chance of winning, in percent"
    )
    outcome = models.CharField(
        max_length=4, choices=StageOutcome.choices, default=StageOutcome.OPEN
    )

    class Meta:
        ordering = ["pipeline", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="stage_position_unique"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Deal(PersonalDataModel, BaseModel):
    """A sale in progress with a contact and/or organisation. What a person buys is personal
    data about them."""

    title = personal(models.CharField(max_length=200), "commercial.deals")
    pipeline = not_personal(
        models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    )
    stage = not_personal(models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals"))
    amount = personal(
        models.DecimalField(
            max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
        ),
        "commercial.deals",
    )
    currency = not_personal(models.CharField(max_length=3, default="EUR"))
    expected_close_date = not_personal(models.DateField(null=True, blank=True))
    closed_at = not_personal(models.DateTimeField(null=True, blank=True))
    contact = personal(
        models.ForeignKey(
            "contacts.Contact",
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="deals",
        ),
        "commercial.deals",
    )
    organisation = not_personal(
        models.ForeignKey(
            "contacts.Organisation",
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="deals",
        )
    )
    owner = not_personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
        )
    )
    team = not_personal(
        models.ForeignKey(
            "staff.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
        )
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["stage", "-updated_at"], name="deal_stage_idx"),
            models.Index(fields=["owner", "stage"], name="deal_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.title
