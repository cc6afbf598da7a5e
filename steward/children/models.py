"""The table of ages of digital consent (Art. 8(1)), kept as data an operator can update
when a member state changes its law."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from steward.children.status import OLDEST_CONSENT_AGE, YOUNGEST_CONSENT_AGE
from steward.core.models import BaseModel


class DigitalConsentAge(BaseModel):
    """The age below which a person of one country needs a holder of parental
    responsibility to consent for them (Art. 8(1): 16, or lower by national law, not below
    13). The row with an empty country is the default for every country without its own."""

    country = CountryField(blank=True, unique=True)
    age = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(YOUNGEST_CONSENT_AGE), MaxValueValidator(OLDEST_CONSENT_AGE)]
    )
    source = models.CharField(
        max_length=300, blank=True, help_text="The law that sets this age, e.g. § 22 BDSG."
    )
    # Who last changed the row; the audit trail holds every change with old and new values.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["country"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age__gte=YOUNGEST_CONSENT_AGE) & Q(age__lte=OLDEST_CONSENT_AGE),
                name="digital_consent_age_in_art8_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.country.code or 'default'}: {self.age}"
