"""Forms of the contact pages. They parse what a person typed into the types the services
take; the services remain the validators of record, and their refusals are put back on
these forms next to the field they name (`put_errors_on_form`)."""

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_countries import countries

from steward.children.choices import ChildStatus
from steward.contacts.choices import ContactMethodKind, CustomFieldType, LifecycleStage, Source
from steward.contacts.models import Contact, CustomFieldDefinition, Organisation
from steward.contacts.normalise import normalise_email, normalise_phone
from steward.contacts.selectors import (
    CONTACT_SORTS,
    ContactFilters,
    assignable_owners,
    custom_field_definitions,
    custom_fields_hidden_from,
    organisation_find_by_label,
    organisation_label,
)
from steward.core.actor import Actor
from steward.core.web import PlainLabelsForm
from steward.detection.selectors import may_review

CUSTOM_PREFIX = "custom_"


def contact_form_field(name: str) -> str:
    """The contact form's input for a service's field name ("custom.<key>" is the custom
    field's own input)."""
    if name.startswith("custom."):
        return CUSTOM_PREFIX + name.removeprefix("custom.")
    return name


class QuickSelect(forms.Select):
    """A <select> written out in Python. Django renders each <option> through a template,
    which for the 250 countries costs some 20 ms a page; this costs well under one."""

    def render(self, name, value, attrs=None, renderer=None):
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        selected = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == selected else "", label)
                for key, label in self.choices
            ),
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)


def _blank_choice(choices, label: str = "—") -> list:
    return [("", label), *choices]


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return f"{user.full_name} ({user.team.name})" if user.team else user.full_name


def _owner_field(label: str = "Owner") -> OwnerChoiceField:
    return OwnerChoiceField(
        queryset=assignable_owners(),
        required=False,
        label=label,
        empty_label="— Nobody —",
    )


class ContactListForm(PlainLabelsForm):
    """The search and filters of the contact list, all GET parameters (shareable URLs).
    A value that does not parse is ignored rather than failing the page."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    stage = forms.ChoiceField(
        required=False,
        label="Lifecycle stage",
        choices=_blank_choice(LifecycleStage.choices, "Any stage"),
    )
    owner = forms.ChoiceField(required=False, label="Owner")
    tag = forms.CharField(required=False, label="Tag", max_length=50)
    country = forms.ChoiceField(
        required=False,
        label="Country",
        choices=_blank_choice(list(countries), "Any country"),
        widget=QuickSelect,
    )
    child = forms.ChoiceField(
        required=False,
        label="Age (Art. 8)",
        choices=[
            ("", "Any age"),
            (ChildStatus.CHILD, "Children"),
            (ChildStatus.UNKNOWN, "Age unknown"),
            (ChildStatus.ADULT, "Adults"),
        ],
    )
    special = forms.ChoiceField(
        required=False,
        label="Special categories (Art. 9)",
        choices=[("", "Any"), ("yes", "Marked as holding some")],
    )
    organisation = forms.UUIDField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for key in CONTACT_SORTS], widget=forms.HiddenInput
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            ("", "Anyone"),
            *((str(user.pk), user.full_name) for user in assignable_owners()),
        ]
        self.fields["q"].widget.attrs.update(
            {
                "type": "search",
                # Addresses are encrypted: found whole, by their blind index (decision 0018).
                "placeholder": "Name, organisation, whole email or phone",
                "autocomplete": "off",
            }
        )
        self.fields["tag"].widget.attrs.update({"list": "tag-options", "autocomplete": "off"})
        if not may_review(actor):
            del self.fields["special"]  # Art. 9: not even that such a filter exists

    def _value(self, name: str):
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> ContactFilters:
        organisation = self._value("organisation")
        return ContactFilters(
            search=self._value("q") or "",
            lifecycle_stage=self._value("stage") or "",
            owner_id=self._value("owner") or "",
            organisation_id=str(organisation) if organisation else "",
            tag=self._value("tag") or "",
            country=self._value("country") or "",
            child_status=self._value("child") or "",
            special_category=self._value("special") == "yes",
            sort=self._value("sort") or "name",
        )

    def page_number(self) -> int:
        return self._value("page") or 1

    @property
    def is_filtered(self) -> bool:
        filters = self.filters()
        return any(
            (filters.search, filters.lifecycle_stage, filters.owner_id, filters.tag)
            + (filters.country, filters.organisation_id, filters.child_status)
            + (filters.special_category,)
        )


class OrganisationChooserField(forms.CharField):
    """A text input naming an organisation (the chooser suggests "Name (domain)" entries as
    one types). Resolved to a visible organisation by the form."""

    widget = forms.TextInput(attrs={"autocomplete": "off", "list": "organisation-options"})


def _custom_form_field(definition: CustomFieldDefinition) -> forms.Field:
    common = {"label": definition.label, "required": False}
    match definition.field_type:
        case CustomFieldType.NUMBER:
            return forms.CharField(
                widget=forms.NumberInput(attrs={"step": "any"}), max_length=40, **common
            )
        case CustomFieldType.DATE:
            return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case CustomFieldType.BOOLEAN:
            return forms.ChoiceField(
                choices=[("", "—"), ("true", "Yes"), ("false", "No")], **common
            )
        case CustomFieldType.CHOICE:
            return forms.ChoiceField(
                choices=_blank_choice([(c, c) for c in definition.choices]), **common
            )
        case _:
            return forms.CharField(max_length=1000, **common)


def _custom_initial(definition: CustomFieldDefinition, value) -> str:
    if definition.field_type == CustomFieldType.BOOLEAN and isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class ContactForm(PlainLabelsForm):
    """A contact's fields as people type them: tags comma-separated, the organisation by
    name, custom fields from their definitions."""

    given_name = forms.CharField(required=False, max_length=100, label="Given name")
    family_name = forms.CharField(required=False, max_length=100, label="Family name")
    email = forms.CharField(
        required=False,
        max_length=254,
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        required=False,
        max_length=40,
        label="Phone",
        help_text="With the country code (+49 …), or as dialled in the contact's country.",
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    job_title = forms.CharField(required=False, max_length=120, label="Job title")
    organisation = OrganisationChooserField(
        required=False,
        max_length=260,
        label="Organisation",
        help_text="Start typing a name and pick a suggestion.",
    )
    street = forms.CharField(required=False, max_length=200, label="Street")
    postal_code = forms.CharField(required=False, max_length=20, label="Postal code")
    city = forms.CharField(required=False, max_length=100, label="City")
    region = forms.CharField(required=False, max_length=100, label="Region")
    country = forms.ChoiceField(
        required=False, choices=_blank_choice(list(countries)), label="Country", widget=QuickSelect
    )
    date_of_birth = forms.DateField(
        required=False,
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    language = forms.ChoiceField(
        required=False,
        choices=_blank_choice(settings.LANGUAGES),
        label="Language",
        widget=QuickSelect,
    )
    lifecycle_stage = forms.ChoiceField(
        choices=LifecycleStage.choices, initial=LifecycleStage.LEAD, label="Lifecycle stage"
    )
    source = forms.ChoiceField(choices=Source.choices, initial=Source.MANUAL, label="Source")
    tags = forms.CharField(
        required=False,
        max_length=1000,
        label="Tags",
        help_text="Separate tags with commas, e.g. vip, trade-fair.",
    )

    # Groups the form is laid out in (custom fields come after, in their own group).
    GROUPS = (
        ("Identity", ("given_name", "family_name", "date_of_birth", "language")),
        ("Contact details", ("email", "phone")),
        ("Company", ("organisation", "job_title")),
        ("Address", ("street", "postal_code", "city", "region", "country")),
        ("Sales profile", ("lifecycle_stage", "source", "owner", "tags")),
    )

    def __init__(self, *args, actor: Actor, contact: Contact | None = None, **kwargs):
        self.actor = actor
        self.contact = contact
        # Guarded custom fields (special-category, children's data, national IDs) are left
        # out for a role that may not read them: neither shown nor changed, their values
        # are kept as they are (see cleaned_contact_data).
        hidden = custom_fields_hidden_from(actor)
        self.definitions = [d for d in custom_field_definitions() if d.key not in hidden]
        if contact is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial_from(contact)
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field()
        if contact is None:
            self.fields["owner"].initial = getattr(actor, "pk", None)
        for definition in self.definitions:
            self.fields[CUSTOM_PREFIX + definition.key] = _custom_form_field(definition)
        # Suggestions arrive as one types (at most 20): a <select> of every organisation
        # would put the whole table in the page.
        self.fields["organisation"].widget.attrs.update(
            {
                "hx-get": reverse("contacts:organisation_options"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#organisation-options",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        self.fields["given_name"].widget.attrs["autocomplete"] = "off"
        self.fields["family_name"].widget.attrs["autocomplete"] = "off"

    def _initial_from(self, contact: Contact) -> dict:
        initial = {
            name: getattr(contact, name)
            for name in (
                "given_name", "family_name", "email", "phone", "job_title", "street",
                "postal_code", "city", "region", "date_of_birth", "language",
                "lifecycle_stage", "source",
            )
        }  # fmt: skip
        initial["country"] = contact.country.code or ""
        initial["owner"] = contact.owner_id
        initial["organisation"] = (
            organisation_label(contact.organisation) if contact.organisation else ""
        )
        initial["tags"] = ", ".join(tag.name for tag in contact.tags.all())
        for definition in self.definitions:
            value = contact.custom.get(definition.key)
            initial[CUSTOM_PREFIX + definition.key] = _custom_initial(definition, value)
        return initial

    def grouped_fields(self) -> list[tuple[str, list]]:
        groups = [(title, [self[name] for name in names]) for title, names in self.GROUPS]
        custom = [self[CUSTOM_PREFIX + d.key] for d in self.definitions]
        if custom:
            groups.append(("Custom fields", custom))
        return groups

    def clean_organisation(self) -> Organisation | None:
        label = self.cleaned_data["organisation"].strip()
        if not label:
            return None
        matches = organisation_find_by_label(actor=self.actor, label=label)
        if not matches:
            raise forms.ValidationError(
                f"There is no organisation called “{label}” that you can see. Pick one of "
                "the suggestions, or create the organisation first."
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                f"Several organisations are called “{label}”. Pick one of the suggestions, "
                "which name the domain in brackets."
            )
        return matches[0]

    def clean(self):
        # The same checks contact_create/contact_update make, run here too so that a form
        # held back by another field (an unknown organisation) lists every problem at once.
        cleaned = super().clean()
        try:
            normalise_email(cleaned.get("email", ""))
        except ValueError as error:
            self.add_error("email", f"Enter a valid email address ({error}).")
        try:
            normalise_phone(cleaned.get("phone", ""), cleaned.get("country", ""))
        except ValueError as error:
            self.add_error("phone", str(error))
        return cleaned

    def clean_tags(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]

    def service_data(self) -> tuple[dict, list[str]]:
        """The data dict and tag names for contact_create / contact_update."""
        data = {
            name: self.cleaned_data[name]
            for name in (
                "given_name", "family_name", "email", "phone", "job_title", "organisation",
                "street", "postal_code", "city", "region", "country", "date_of_birth",
                "language", "lifecycle_stage", "source", "owner",
            )
        }  # fmt: skip
        custom = dict(self.contact.custom) if self.contact is not None else {}
        # Values of fields that are no longer defined are kept as they are: this form
        # neither shows nor may silently drop them.
        defined = {d.key for d in self.definitions}
        custom = {key: value for key, value in custom.items() if key not in defined}
        for definition in self.definitions:
            value = self.cleaned_data.get(CUSTOM_PREFIX + definition.key)
            if value not in (None, ""):
                custom[definition.key] = value
        data["custom"] = custom
        return data, self.cleaned_data["tags"]


class OrganisationForm(PlainLabelsForm):
    """An organisation's fields."""

    name = forms.CharField(max_length=200, label="Name")
    domain = forms.CharField(
        required=False, max_length=253, label="Domain", help_text="For example example.org"
    )
    website = forms.URLField(required=False, max_length=200, label="Website", assume_scheme="https")
    industry = forms.CharField(required=False, max_length=100, label="Industry")
    phone = forms.CharField(
        required=False, max_length=40, label="Phone", widget=forms.TextInput(attrs={"type": "tel"})
    )
    street = forms.CharField(required=False, max_length=200, label="Street")
    postal_code = forms.CharField(required=False, max_length=20, label="Postal code")
    city = forms.CharField(required=False, max_length=100, label="City")
    country = forms.ChoiceField(
        required=False, choices=_blank_choice(list(countries)), label="Country", widget=QuickSelect
    )

    FIELDS = (
        "name", "domain", "website", "industry", "phone", "street", "postal_code", "city",
        "country", "owner",
    )  # fmt: skip

    def __init__(self, *args, actor: Actor, organisation: Organisation | None = None, **kwargs):
        if organisation is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(organisation, name) for name in self.FIELDS if name != "country"
            } | {"country": organisation.country.code or "", "owner": organisation.owner_id}
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field()
        if organisation is None:
            self.fields["owner"].initial = getattr(actor, "pk", None)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ContactMethodForm(PlainLabelsForm):
    """A further email address or phone number."""

    kind = forms.ChoiceField(choices=ContactMethodKind.choices, label="Kind")
    value = forms.CharField(max_length=254, label="Address or number")
    label = forms.CharField(
        required=False,
        max_length=40,
        label="Label",
        help_text="Optional, e.g. private or assistant.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "method")
        super().__init__(*args, **kwargs)
