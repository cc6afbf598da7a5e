"""Forms of the register's pages. They parse input into what the services take; the services
decide (a lawful basis, an assessment, an Art. 9 condition, a transfer safeguard) and their
refusals are shown next to the field they name."""

from django import forms

from steward.core.web import PlainLabelsForm
from steward.inventory.selectors import category_tree
from steward.processing.models import (
    Art9Condition,
    LawfulBasis,
    Purpose,
    Recipient,
    RecipientKind,
    RecipientStatus,
    RetentionTrigger,
    TransferSafeguard,
)
from steward.processing.selectors import purpose_list


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The taxonomy grouped under its top-level categories, each group's first choice the
    top level itself ("Contact details (all)"): ticking a parent covers what lies inside."""
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for node in category_tree():
        row = node.category
        top = row.key.split(".", 1)[0]
        if row.key == top:
            groups[top] = (row.label, [(row.key, f"{row.label} (all)")])
        elif top in groups:
            indent = "\u2003" * (node.depth - 1)
            groups[top][1].append((row.key, f"{indent}{row.label}"))
    return list(groups.values())


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PurposeForm(PlainLabelsForm):
    """One processing activity of the register, as Art. 30(1) describes it."""

    key = forms.SlugField(
        max_length=50,
        label="Key",
        help_text="How the gate, consents and integrations name it, e.g. event-bookings. "
        "It cannot change later.",
    )
    name = forms.CharField(max_length=120, label="Name")
    description = forms.CharField(
        label="Purpose", widget=_textarea(), help_text="What is done with the data, and why."
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis", choices=[("", "— Choose —"), *LawfulBasis.choices]
    )
    legitimate_interest_assessment = forms.CharField(
        required=False,
        label="Legitimate-interest assessment",
        widget=_textarea(5),
        help_text="Required for legitimate interests (Art. 6(1)(f)): the interest, why the "
        "processing is necessary, and why people's interests do not override it.",
    )
    lia_assessed_on = forms.DateField(
        required=False,
        label="Assessed on",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    data_categories = forms.MultipleChoiceField(
        required=False,
        label="Data categories",
        widget=forms.CheckboxSelectMultiple,
        help_text="From the data map's taxonomy. Special categories need an Art. 9(2) condition.",
    )
    art9_condition = forms.ChoiceField(
        required=False, label="Art. 9(2) condition", choices=Art9Condition.choices
    )
    subject_categories = forms.CharField(
        required=False,
        label="Categories of people",
        widget=_textarea(3),
        help_text="One per line, e.g. Customers, Newsletter subscribers.",
    )
    retention_months = forms.IntegerField(
        required=False,
        min_value=0,
        label="Keep for (months)",
        widget=forms.NumberInput(attrs={"class": "narrow-number"}),
    )
    retention_trigger = forms.ChoiceField(
        required=False,
        label="Counted from",
        choices=[("", "— Choose —"), *RetentionTrigger.choices],
    )
    retention_note = forms.CharField(
        required=False,
        label="Retention note",
        widget=_textarea(2),
        help_text="The law or reason behind the period.",
    )
    security_measures = forms.CharField(
        required=False,
        label="Security measures",
        widget=_textarea(3),
        help_text="A general description (Art. 32(1)).",
    )
    consent_valid_months = forms.IntegerField(
        required=False,
        min_value=1,
        label="Consent valid for (months)",
        help_text="Consent-based purposes only: ask again after this long. Empty: no expiry.",
        widget=forms.NumberInput(attrs={"class": "narrow-number"}),
    )
    is_direct_marketing = forms.BooleanField(
        required=False,
        label="Direct marketing (an objection stops it absolutely, Art. 21(3))",
    )
    dpia_required = forms.BooleanField(
        required=False, label="Needs a data protection impact assessment (Art. 35)"
    )
    dpia_reference = forms.CharField(required=False, max_length=200, label="Where the DPIA is")
    active = forms.BooleanField(required=False, initial=True, label="In force")

    def __init__(self, *args, purpose: Purpose | None = None, **kwargs):
        if purpose is not None:
            kwargs.setdefault("initial", self._initial_from(purpose))
        super().__init__(*args, **kwargs)
        self.purpose = purpose
        self.fields["data_categories"].choices = category_choices()
        if purpose is not None:
            del self.fields["key"]

    @staticmethod
    def _initial_from(purpose: Purpose) -> dict:
        names = [
            "name", "description", "lawful_basis", "legitimate_interest_assessment",
            "lia_assessed_on", "data_categories", "art9_condition", "retention_months",
            "retention_trigger", "retention_note", "security_measures", "consent_valid_months",
            "is_direct_marketing", "dpia_required", "dpia_reference", "active",
        ]  # fmt: skip
        initial = {name: getattr(purpose, name) for name in names}
        initial["subject_categories"] = "\n".join(purpose.subject_categories or [])
        return initial

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["subject_categories"] = _lines(data.get("subject_categories", ""))
        return data


class RecipientForm(PlainLabelsForm):
    """A processor or other recipient: what it receives, where, and under which agreement."""

    name = forms.CharField(max_length=200, label="Name")
    kind = forms.ChoiceField(label="Kind", choices=[("", "— Choose —"), *RecipientKind.choices])
    service = forms.CharField(max_length=200, label="Service", help_text="What they do for us.")
    contact_details = forms.CharField(
        required=False,
        label="Contact details",
        widget=_textarea(2),
        help_text="Address and email; the record names a joint controller with them.",
    )
    purposes = forms.MultipleChoiceField(
        required=False, label="Purposes", widget=forms.CheckboxSelectMultiple
    )
    data_categories = forms.MultipleChoiceField(
        required=False,
        label="Data categories received",
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.CharField(
        required=False,
        label="Countries",
        help_text="Where they process the data, as country codes: DE, IE, US. Outside the "
        "EEA a safeguard is needed.",
    )
    transfer_safeguard = forms.ChoiceField(
        required=False, label="Transfer safeguard", choices=TransferSafeguard.choices
    )
    transfer_documentation = forms.CharField(
        required=False,
        label="Transfer documentation",
        widget=_textarea(2),
        help_text="E.g. SCC module 2 signed 2025-03-01, transfer impact assessment TIA-7. "
        "Required for a derogation (Art. 49).",
    )
    dpa_signed_on = forms.DateField(
        required=False,
        label="Agreement signed on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The data processing agreement (Art. 28(3)).",
    )
    dpa_document = forms.FileField(
        required=False,
        label="Agreement document",
        help_text="PDF or office document, up to 20 MB. Shown only to those who may read "
        "the register.",
    )
    status = forms.ChoiceField(label="Status", choices=RecipientStatus.choices)
    notes = forms.CharField(required=False, label="Notes", widget=_textarea(2))

    def __init__(self, *args, recipient: Recipient | None = None, **kwargs):
        if recipient is not None:
            kwargs.setdefault("initial", self._initial_from(recipient))
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = [(p.key, p.name) for p in purpose_list()]
        self.fields["data_categories"].choices = category_choices()

    @staticmethod
    def _initial_from(recipient: Recipient) -> dict:
        names = [
            "name", "kind", "service", "contact_details", "data_categories",
            "transfer_safeguard", "transfer_documentation", "dpa_signed_on", "status", "notes",
        ]  # fmt: skip
        initial = {name: getattr(recipient, name) for name in names}
        initial["purposes"] = [p.key for p in recipient.purposes.all()]
        initial["countries"] = ", ".join(str(c) for c in recipient.countries)
        return initial

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["countries"] = [c.strip() for c in data.get("countries", "").split(",") if c.strip()]
        if not data.get("dpa_document"):
            data.pop("dpa_document", None)
        return data
