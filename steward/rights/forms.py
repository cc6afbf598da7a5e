"""Forms of the staff pages for rights requests. They parse; the services decide."""

from django import forms
from django_countries import countries

from steward.core.web import PlainLabelsForm
from steward.rights.choices import (
    ObjectionGround,
    RefusalGround,
    RequestChannel,
    RequestKind,
    RequestStatus,
)

_ANY = [("", "Any")]


class QueueFilterForm(PlainLabelsForm):
    status = forms.ChoiceField(
        required=False, choices=[("open", "Open"), ("", "All"), *RequestStatus.choices]
    )
    kind = forms.ChoiceField(required=False, choices=_ANY + RequestKind.choices)
    due = forms.ChoiceField(
        required=False,
        label="Due",
        choices=[("", "Any time"), ("soon", "Due soon"), ("overdue", "Overdue")],
    )
    assignee = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            ("me", "Me"),
            ("none", "Nobody"),
            *[(str(u.pk), u.full_name or u.email) for u in assignees],
        ]


class RequestLogForm(PlainLabelsForm):
    kind = forms.ChoiceField(choices=RequestKind.choices, label="The person asks for")
    objection_ground = forms.ChoiceField(
        required=False, choices=[("", "—")] + ObjectionGround.choices, label="Objection to"
    )
    channel = forms.ChoiceField(
        choices=[c for c in RequestChannel.choices if c[0] not in ("portal", "api")],
        label="Received by",
    )
    received_at = forms.DateTimeField(
        required=False,
        label="Received at",
        help_text="When it reached us (the month runs from then). Empty: now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    requester_name = forms.CharField(required=False, max_length=200, label="Name")
    requester_email = forms.EmailField(required=False, label="Email address")
    contact = forms.UUIDField(
        required=False, label="Contact id", help_text="Empty: found by the email address."
    )
    details = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What they ask",
        help_text="What to correct; the grounds of an objection.",
    )
    staff_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TextForm(PlainLabelsForm):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RefuseForm(PlainLabelsForm):
    ground = forms.ChoiceField(choices=RefusalGround.choices)
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class FeeForm(PlainLabelsForm):
    amount = forms.DecimalField(max_digits=9, decimal_places=2, min_value=0)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class RectifyForm(PlainLabelsForm):
    """The contact's correctable fields, filled with what is on file."""

    given_name = forms.CharField(required=False, max_length=100)
    family_name = forms.CharField(required=False, max_length=100)
    email = forms.EmailField(required=False)
    phone = forms.CharField(required=False, max_length=40)
    job_title = forms.CharField(required=False, max_length=120)
    street = forms.CharField(required=False, max_length=200)
    postal_code = forms.CharField(required=False, max_length=20)
    city = forms.CharField(required=False, max_length=100)
    region = forms.CharField(required=False, max_length=100)
    country = forms.ChoiceField(required=False, choices=[("", "—"), *countries])


class DecideForm(PlainLabelsForm):
    upheld = forms.TypedChoiceField(
        choices=[("yes", "Upheld"), ("no", "Rejected: compelling legitimate grounds")],
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
