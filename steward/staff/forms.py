"""Forms of the staff sign-in pages and of the administrator's settings pages."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.template.defaultfilters import pluralize
from django.utils.text import slugify

from steward.contacts.choices import CustomFieldType
from steward.contacts.models import CustomFieldDefinition
from steward.core.web import PlainLabelsForm
from steward.deals.choices import StageOutcome
from steward.deals.models import Stage
from steward.inventory.selectors import custom_field_category_choices
from steward.staff.models import Team, User
from steward.staff.roles import Role

# One message for every refusal: an unknown address, a wrong password and a deactivated
# account must look the same, or the form tells an attacker which addresses have accounts.
LOGIN_REFUSED = "That email address and password do not match. Please try again."


class StaffLoginForm(AuthenticationForm):
    """Email and password; addresses are matched the way they are stored (lower-case)."""

    error_messages = {"invalid_login": LOGIN_REFUSED, "inactive": LOGIN_REFUSED}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Email address"
        username.widget = forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "username", "maxlength": 254}
        )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


# One message for every refused second factor: a wrong code, a code already used and a
# wrong recovery code look the same.
CODE_REFUSED = "That code is not valid. Type the current code from your app, or a recovery code."
THROTTLED = "Too many attempts. Please wait {wait} and try again."


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class TotpConfirmForm(forms.Form):
    """The first code of a new authenticator app, proving it holds the secret."""

    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


# -- The administrator's settings pages ---------------------------------------------------
# These parse what an administrator typed; the services (staff, contacts, deals) remain the
# validators of record and their refusals are put back on the forms (put_errors_on_form).


def _team_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        label="Team",
        empty_label="— No team —",
    )


class StaffCreateForm(PlainLabelsForm):
    """A new staff account. The password is generated, never typed here."""

    email = forms.CharField(
        max_length=254,
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(max_length=200, label="Name")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.SALES, label="Role")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"] = _team_field()


class StaffEditForm(PlainLabelsForm):
    """A staff member's name, role and team."""

    full_name = forms.CharField(max_length=200, label="Name")
    role = forms.ChoiceField(choices=Role.choices, label="Role")

    def __init__(self, *args, user: User, is_self: bool = False, **kwargs):
        kwargs.setdefault(
            "initial", {"full_name": user.full_name, "role": user.role, "team": user.team_id}
        )
        super().__init__(*args, **kwargs)
        self.fields["team"] = _team_field()
        # staff_update refuses a change of one's own role; the form does not offer one.
        self.fields["role"].disabled = is_self


class TeamForm(PlainLabelsForm):
    name = forms.CharField(max_length=120, label="Team name")


def category_choices() -> list:
    """The data categories a custom field can take, operators' own included, grouped
    under their top level ("Contact details" > "Phone number")."""
    return [("", "— Choose a category —"), *custom_field_category_choices()]


def key_from_label(label: str) -> str:
    """A custom field's key made from its label: "Shoe size" → "shoe_size"."""
    return slugify(label).replace("-", "_")[:50].strip("_")


class _ChoicesField(forms.CharField):
    """Choices typed one per line, returned as a list."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value


class CustomFieldCreateForm(PlainLabelsForm):
    """A new custom field of contacts, with the data category of what it will hold."""

    label = forms.CharField(max_length=100, label="Label")
    key = forms.CharField(
        required=False,
        max_length=50,
        label="Key",
        help_text="Used in imports, exports and the API. Leave it empty to make one from the "
        "label (“Shoe size” becomes shoe_size). It cannot be changed later.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    field_type = forms.ChoiceField(choices=CustomFieldType.choices, label="Type")
    choices = _ChoicesField(
        required=False, label="Choices", help_text="For the type Choice: one choice per line."
    )
    samples = forms.CharField(
        required=False,
        label="Sample values",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, one per line, to suggest a category from what the field will hold. "
        "Not stored.",
    )
    category = forms.ChoiceField(
        required=False,
        label="Data category",
        help_text="What kind of personal data the field holds. It decides how the data map, "
        "access requests and erasure treat the field. Leave it empty, or press “Suggest a "
        "category”, to get a suggestion from the label and the sample values to confirm.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "— Suggest one —"), *category_choices()[1:]]

    def sample_values(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("samples", "").splitlines()
            if line.strip()
        ]

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if key and key != slugify(key).replace("-", "_"):
            raise forms.ValidationError(
                "Use lower-case letters, digits and underscores only, e.g. shoe_size."
            )
        return key

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("key") and cleaned.get("label") and "key" not in self.errors:
            cleaned["key"] = key_from_label(cleaned["label"])
            if not cleaned["key"]:
                self.add_error("key", "Enter a key: the label has no letters or digits to use.")
        if cleaned.get("field_type") == CustomFieldType.CHOICE and not cleaned.get("choices"):
            self.add_error("choices", "Enter at least one choice, one per line.")
        return cleaned


class CustomFieldEditForm(PlainLabelsForm):
    """What may change on a custom field: its label, place and (for a choice) its choices."""

    label = forms.CharField(max_length=100, label="Label")
    position = forms.IntegerField(
        min_value=0,
        max_value=10_000,
        label="Position",
        help_text="Forms and pages show custom fields from the lowest number up.",
    )

    def __init__(self, *args, definition: CustomFieldDefinition, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "label": definition.label,
                "position": definition.position,
                "choices": definition.choices,
            },
        )
        super().__init__(*args, **kwargs)
        if definition.field_type == CustomFieldType.CHOICE:
            self.fields["choices"] = _ChoicesField(
                label="Choices",
                help_text="One choice per line. A choice that contacts hold cannot be removed.",
            )


class CustomFieldDeleteForm(PlainLabelsForm):
    """Deleting a custom field; when contacts hold values, the administrator confirms."""

    def __init__(self, *args, holders: int, **kwargs):
        super().__init__(*args, **kwargs)
        if holders:
            self.fields["confirm"] = forms.BooleanField(
                label=f"Yes, remove the values of {holders} contact{pluralize(holders)}",
                error_messages={"required": "Tick the box to confirm removing the values."},
            )


def _probability_field() -> forms.IntegerField:
    return forms.IntegerField(
        min_value=0,
        max_value=100,
        label="Probability (%)",
        widget=forms.NumberInput(attrs={"class": "narrow-number"}),
    )


class StageForm(PlainLabelsForm):
    """One stage: its name, the chance of winning a deal in it, and whether it is open."""

    name = forms.CharField(max_length=100, label="Stage name")
    outcome = forms.ChoiceField(choices=StageOutcome.choices, label="Outcome")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["probability"] = _probability_field()
        self.order_fields(["name", "probability", "outcome"])


class NewStageRowForm(StageForm):
    """A row of the new-pipeline form: an empty row is skipped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name"):
            if cleaned.get("probability") is None:
                self.add_error("probability", "Enter a probability between 0 and 100.")
            if not cleaned.get("outcome"):
                self.add_error("outcome", "Choose an outcome.")
        return cleaned


class StageRowForm(StageForm):
    """A row of a pipeline's edit form: an existing stage and its place in the order."""

    order = forms.IntegerField(
        min_value=1,
        max_value=1000,
        label="Order",
        widget=forms.NumberInput(attrs={"class": "narrow-number"}),
    )

    def __init__(self, *args, stage: Stage, deal_count: int, **kwargs):
        self.stage = stage
        self.deal_count = deal_count
        kwargs.setdefault("prefix", f"stage-{stage.pk}")
        super().__init__(*args, **kwargs)
        self.order_fields(["order", "name", "probability", "outcome"])
        # stage_update keeps the outcome of a stage with deals; the form does not offer it.
        self.fields["outcome"].disabled = deal_count > 0

    def stage_data(self) -> dict:
        """The stage's changes for stage_update / pipeline_revise."""
        return {name: self.cleaned_data[name] for name in ("name", "probability", "outcome")}


class PipelineNameForm(PlainLabelsForm):
    name = forms.CharField(max_length=100, label="Pipeline name")


class PipelineCreateForm(PipelineNameForm):
    is_default = forms.BooleanField(
        required=False,
        label="Make it the default pipeline",
        help_text="New deals start in the default pipeline unless another is chosen.",
    )


def stage_rows_valid(rows: list[StageRowForm]) -> bool:
    """Validates each row, and that no two rows name their stages alike (as stage_update
    would refuse one at a time), so that one submit lists every problem."""
    valid = all([row.is_valid() for row in rows])
    seen: dict[str, StageRowForm] = {}
    for row in rows:
        name = (row.cleaned_data.get("name") or "").strip().casefold()
        if not name:
            continue
        if name in seen:
            row.add_error("name", "Another stage has this name.")
            valid = False
        seen[name] = row
    return valid
