"""Forms of the age-of-digital-consent settings page. They parse; the services decide
(13 to 16, a known country) and their refusals are shown on the form."""

from django import forms
from django_countries import countries

from steward.children.status import OLDEST_CONSENT_AGE, YOUNGEST_CONSENT_AGE
from steward.core.web import PlainLabelsForm


class ConsentAgeForm(PlainLabelsForm):
    """The age of one row and the law that sets it."""

    age = forms.IntegerField(
        label="Age of digital consent",
        help_text=f"From {YOUNGEST_CONSENT_AGE} to {OLDEST_CONSENT_AGE} (Art. 8(1) GDPR).",
        widget=forms.NumberInput(
            attrs={"min": YOUNGEST_CONSENT_AGE, "max": OLDEST_CONSENT_AGE, "class": "narrow-number"}
        ),
    )
    source = forms.CharField(
        label="Legal source",
        required=False,
        max_length=300,
        help_text="The law that sets this age, e.g. Loi Informatique et Libertés, art. 45.",
    )


class CountryConsentAgeForm(ConsentAgeForm):
    """A row for a country: added if it has none, changed if it has."""

    country = forms.ChoiceField(label="Country", choices=[("", "— Choose —"), *countries])

    field_order = ["country", "age", "source"]
