"""The portal's forms: what a person asks, their answer to a question."""

from django import forms

from steward.core.web import PlainLabelsForm
from steward.rights.choices import ObjectionGround, RequestKind

KIND_HELP = {
    RequestKind.ACCESS: "A copy of the data we hold about you, and how we use it.",
    RequestKind.RECTIFICATION: "Correct data about you that is wrong or incomplete.",
    RequestKind.ERASURE: "Delete the data we hold about you.",
    RequestKind.RESTRICTION: "Only keep your data, and use it for nothing else, for now.",
    RequestKind.PORTABILITY: "The data you gave us, in a file another service can read.",
    RequestKind.OBJECTION: "Stop direct marketing, or processing based on our interests.",
}


class RequestForm(PlainLabelsForm):
    kind = forms.ChoiceField(
        label="What would you like to do?",
        choices=[(k, f"{RequestKind(k).label.split(' (')[0]}: {h}") for k, h in KIND_HELP.items()],
        widget=forms.RadioSelect,
    )
    objection_ground = forms.ChoiceField(
        label="If you object: to what?",
        required=False,
        choices=[("", "I do not object")] + ObjectionGround.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label="Details",
        required=False,
        max_length=5000,
        help_text="For a correction: what is wrong and what it should be. For an objection "
        "to processing on our interests: your grounds.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    name = forms.CharField(label="Your name", required=False, max_length=200)
    email = forms.EmailField(
        label="Your email address",
        help_text="The address we know you by. We send a link to it to confirm it is yours.",
    )


class AnswerForm(PlainLabelsForm):
    answer = forms.CharField(
        label="Your answer", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
