"""Forms of steward.email: the public sign-up and preference centre, the staff's campaign."""

from django import forms
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from steward.contacts.choices import LifecycleStage
from steward.contacts.models import Tag
from steward.core.web import PlainLabelsForm
from steward.email.models import Topic


class SignUpForm(PlainLabelsForm):
    email = forms.EmailField(label="Email address", max_length=254)
    given_name = forms.CharField(label="First name (optional)", max_length=100, required=False)
    topics = forms.MultipleChoiceField(
        label="What would you like to receive?", widget=forms.CheckboxSelectMultiple
    )
    # A field people do not see (hidden by the stylesheet); bots fill every field.
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t.key, t.name) for t in topics]


class CampaignForm(PlainLabelsForm):
    name = forms.CharField(max_length=200, help_text="For you; people do not see it.")
    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), empty_label=None)
    subject = forms.CharField(max_length=200)
    body_text = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Merge fields: {{ given_name }}, {{ family_name }}, {{ full_name }}, "
        "{{ email }}, {{ topic }}, {{ preferences_url }}, {{ unsubscribe_url }}. The "
        "preference-centre and unsubscribe links are added at the end of every message.",
    )
    body_html = forms.CharField(
        label="HTML (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Left empty, the HTML part is made from the text.",
    )
    segment_tag = forms.ModelChoiceField(
        label="Only people tagged", queryset=Tag.objects.all(), required=False
    )
    segment_lifecycle_stage = forms.ChoiceField(
        label="Only people at the stage",
        choices=[("", "Any stage"), *LifecycleStage.choices],
        required=False,
    )
    segment_country = LazyTypedChoiceField(
        label="Only people in", choices=[("", "Any country"), *countries], required=False
    )
