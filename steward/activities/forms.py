"""The form for logging an activity on a timeline. It parses; activity_log validates."""

import datetime

from django import forms
from django.utils import timezone

from steward.activities.choices import ActivityKind
from steward.core.web import PlainLabelsForm


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last minute of `day` in the current time zone: a task due "on" a day is not
    overdue until that day is over."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


class ActivityLogForm(PlainLabelsForm):
    """A note, call, meeting, logged email or task, about the record it is posted with."""

    kind = forms.ChoiceField(choices=ActivityKind.choices, initial=ActivityKind.NOTE, label="Kind")
    subject = forms.CharField(required=False, max_length=200, label="Subject")
    body = forms.CharField(
        required=False, max_length=20000, label="Details", widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = forms.DateField(
        required=False,
        label="Due date",
        help_text="Tasks only.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "activity")
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        """The fields for activity_log (the record it is about is added by the view)."""
        data = {
            "kind": self.cleaned_data["kind"],
            "subject": self.cleaned_data["subject"].strip(),
            "body": self.cleaned_data["body"].strip(),
        }
        due = self.cleaned_data.get("due_date")
        if data["kind"] == ActivityKind.TASK:
            data["due_at"] = end_of_day(due) if due else None
        return data
