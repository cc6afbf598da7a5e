"""Forms of the consent pages. They parse; the services decide (a consent-based purpose, a
published version covering it, not backdated, not a duplicate) and their refusals are shown."""

from django import forms
from django.utils import timezone

from steward.consent.models import Channel, Method, NoticeKind
from steward.consent.selectors import consent_purposes, notice_versions_published_for
from steward.core.web import PlainLabelsForm

# How staff record a consent given outside the website, and where that happened.
STAFF_METHODS = [
    (Method.PHONE, Method.PHONE.label),
    (Method.IN_PERSON, Method.IN_PERSON.label),
    (Method.WRITTEN, Method.WRITTEN.label),
    (Method.PARENTAL, "Parental consent (for a child)"),
]
CHANNEL_OF_METHOD = {
    Method.PHONE: Channel.PHONE,
    Method.IN_PERSON: Channel.IN_PERSON,
    Method.WRITTEN: Channel.POST,
    Method.PARENTAL: Channel.IN_PERSON,
}


class ConsentRecordForm(PlainLabelsForm):
    """A consent a person gave by phone, in person or in writing, as staff record it."""

    purpose = forms.ChoiceField(label="Purpose")
    notice_version = forms.ChoiceField(
        label="What they agreed to",
        help_text="The published notice version whose statement was read out or signed.",
    )
    method = forms.ChoiceField(label="How", choices=STAFF_METHODS)
    occurred_at = forms.DateTimeField(
        label="When",
        required=False,
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    given_by = forms.CharField(
        label="Given by (parental consent)",
        required=False,
        max_length=200,
        help_text="The holder of parental responsibility, for a child's consent.",
    )
    note = forms.CharField(
        label="Evidence",
        required=False,
        max_length=500,
        help_text="Call reference, where the signed form is kept, who witnessed it.",
    )

    def __init__(self, *args, purposes=(), statements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [("", "— Choose —")] + [(p.key, p.name) for p in purposes]
        versions = {}
        for statement in statements:
            version = statement.notice_version
            versions.setdefault(str(version.pk), f"{version.notice.title} v{version.version}")
        self.fields["notice_version"].choices = [("", "— Choose —"), *versions.items()]

    def clean_occurred_at(self):
        value = self.cleaned_data.get("occurred_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class WithdrawForm(PlainLabelsForm):
    """One click: how the person said so defaults to a phone call."""

    method = forms.ChoiceField(
        label="How",
        choices=[c for c in STAFF_METHODS if c[0] != Method.PARENTAL],
        initial=Method.PHONE,
    )


class NoticeForm(PlainLabelsForm):
    title = forms.CharField(label="Title", max_length=200)
    key = forms.SlugField(
        label="Key", max_length=50, help_text="Short and stable, e.g. newsletter-consent."
    )
    kind = forms.ChoiceField(label="Kind", choices=NoticeKind.choices)


class NoticeVersionForm(PlainLabelsForm):
    """The text of a version and, per purpose, the statement a person agrees to."""

    text = forms.CharField(
        label="Text", widget=forms.Textarea(attrs={"rows": 8}), help_text="The notice as shown."
    )

    def __init__(self, *args, purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.purposes = list(purposes)
        for purpose in self.purposes:
            self.fields[f"statement_{purpose.key}"] = forms.CharField(
                label=f"{purpose.name}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=f"{purpose.get_lawful_basis_display()}. Leave empty if this "
                "version does not cover it.",
            )

    def statement_fields(self):
        return [self[f"statement_{p.key}"] for p in self.purposes]

    def statements(self) -> dict[str, str]:
        return {p.key: self.cleaned_data.get(f"statement_{p.key}", "") for p in self.purposes}


def consent_record_form(data=None) -> ConsentRecordForm:
    """The record form with the consent-based purposes and their published versions."""
    purposes = list(consent_purposes())
    statements = notice_versions_published_for(p.pk for p in purposes)
    return ConsentRecordForm(data, purposes=purposes, statements=statements)
