"""People (contacts) and the organisations they work for: the core of the CRM."""

from django.conf import settings
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django_countries.fields import CountryField

from steward.children.choices import ChildStatus
from steward.contacts.choices import ContactMethodKind, CustomFieldType, LifecycleStage, Source
from steward.contacts.normalise import address_index_form, lookup_email, lookup_phone
from steward.core.models import BaseModel
from steward.core.personal_data import (
    SUBJECT_MENTIONED,
    PersonalDataModel,
    not_personal,
    personal,
)
from steward.crypto.blind_index import BlindIndexedModel, BlindIndexField
from steward.crypto.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONMapField,
    EncryptedQuerySet,
)


def _owner(*, db_index: bool = True):
    return not_personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
            db_index=db_index,
        )
    )


def _team(*, db_index: bool = True):
    return not_personal(
        models.ForeignKey(
            "staff.Team",
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
            db_index=db_index,
        )
    )


class Organisation(PersonalDataModel, BaseModel):
    """A company or institution contacts belong to. A sole trader's details are personal
    data, so its contact fields are annotated like a person's."""

    name = not_personal(models.CharField(max_length=200))
    domain = not_personal(models.CharField(max_length=253, blank=True))
    website = not_personal(models.URLField(blank=True))
    industry = not_personal(models.CharField(max_length=100, blank=True))
    phone = personal(
        models.CharField(max_length=40, blank=True), "contact.phone", subject=SUBJECT_MENTIONED
    )
    street = personal(
        models.CharField(max_length=200, blank=True), "contact.address", subject=SUBJECT_MENTIONED
    )
    postal_code = personal(
        models.CharField(max_length=20, blank=True), "contact.address", subject=SUBJECT_MENTIONED
    )
    city = personal(
        models.CharField(max_length=100, blank=True), "contact.address", subject=SUBJECT_MENTIONED
    )
    country = not_personal(CountryField(blank=True))
    owner = _owner()
    team = _team()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(Lower("name"), name="organisation_name_lower_idx"),
            models.Index(fields=["domain"], name="organisation_domain_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(BaseModel):
    """A free label staff put on contacts ("vip", "newsletter-2026")."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomFieldDefinition(BaseModel):
    """A field an operator adds to contacts. Its values live in Contact.custom under `key`;
    its data category is recorded when it is created (the data map covers it)."""

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    field_type = models.CharField(max_length=10, choices=CustomFieldType.choices)
    choices = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=100, help_text="Data category key, e.g. contact.phone")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


def _index(attname: str):
    """A blind index beside an encrypted address (steward.crypto.blind_index). Not personal
    data in the data map: a keyed hash that identifies nobody without the blind-index key
    (kept apart from the database), derived from the field the map lists, and deleted with
    the row (the erasure suppression list keeps such hashes on the same reasoning)."""
    return not_personal(BlindIndexField(source=attname, normalise=address_index_form))


class ContactQuerySet(EncryptedQuerySet):
    def with_email(self, *emails: str) -> "ContactQuerySet":
        """Contacts whose primary address is one of `emails` (in any case), found through
        the address's blind index. The repeated `email_index != ''` is the unique index's
        own condition: SQLite uses a partial index only when the query states it."""
        indexes = [index for email in emails if (index := email_index_of(email))]
        return self.filter(~Q(email_index=""), email_index__in=indexes)

    def with_phone(self, *phones: str) -> "ContactQuerySet":
        """Contacts whose primary phone number is one of `phones` (spaces and dashes do
        not matter; a national number matches when it was stored in that form)."""
        indexes = [index for phone in phones if (index := phone_index_of(phone))]
        return self.filter(~Q(phone_index=""), phone_index__in=indexes)


class Contact(PersonalDataModel, BlindIndexedModel, BaseModel):
    """A person the business sells to, markets to or serves."""

    objects = ContactQuerySet.as_manager()

    given_name = personal(models.CharField(max_length=100, blank=True), "identity.name")
    family_name = personal(models.CharField(max_length=100, blank=True), "identity.name")
    # The primary address (stored lower-cased) and phone number, encrypted under the
    # contact's data key (steward.crypto); found (dedupe on import, lookups, the unique
    # constraint) through their blind indexes, email_index and phone_index.
    email = personal(
        EncryptedCharField(max_length=254, blank=True, validators=[validate_email]),
        "contact.email",
    )
    phone = personal(EncryptedCharField(max_length=40, blank=True), "contact.phone")
    email_index = _index("email")
    phone_index = _index("phone")
    job_title = personal(models.CharField(max_length=120, blank=True), "professional.job_title")
    organisation = personal(
        models.ForeignKey(
            Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
        ),
        "professional.employer",
    )
    street = personal(models.CharField(max_length=200, blank=True), "contact.address")
    postal_code = personal(models.CharField(max_length=20, blank=True), "contact.address")
    city = personal(models.CharField(max_length=100, blank=True), "contact.address")
    region = personal(models.CharField(max_length=100, blank=True), "contact.address")
    country = personal(CountryField(blank=True), "demographic.country")
    # Encrypted under the contact's data key (steward.crypto): a date of birth identifies a
    # person and decides whether they are a child (Art. 8).
    date_of_birth = personal(EncryptedDateField(null=True, blank=True), "identity.date_of_birth")
    # Art. 8: derived from date_of_birth and country by steward.children.status, never set
    # by hand. The date is the birthday on which a child reaches the age of digital consent,
    # so the daily job reads only the contacts whose status changes that day.
    child_status = personal(
        models.CharField(max_length=7, choices=ChildStatus.choices, default=ChildStatus.UNKNOWN),
        "children",
    )
    child_status_changes_on = personal(models.DateField(null=True, blank=True), "children")
    language = personal(
        models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES),
        "demographic.language",
    )
    lifecycle_stage = personal(
        models.CharField(
            max_length=10, choices=LifecycleStage.choices, default=LifecycleStage.LEAD
        ),
        "commercial.profile",
    )
    source = personal(
        models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL),
        "commercial.profile",
    )
    tags = personal(
        models.ManyToManyField(Tag, blank=True, related_name="contacts"), "commercial.profile"
    )
    # Each custom field is its own row in the data map, with the category it was given.
    # Operators add national IDs, IBANs and special-category data here: every value is
    # encrypted under the contact's data key; the keys (field names) stay readable.
    custom = personal(
        EncryptedJSONMapField(default=dict, blank=True),
        "custom",
        subfields="steward.contacts.selectors.custom_field_personal_data",
    )
    # Indexed by the composite (owner, family_name) and (team, family_name) indexes below:
    # a second single-column index would only slow every insert.
    owner = _owner(db_index=False)
    team = _team(db_index=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["email_index"],
                condition=~Q(email_index=""),
                name="contact_email_index_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name", "id"], name="contact_name_idx"),
            models.Index(
                fields=["phone_index"], condition=~Q(phone_index=""), name="contact_phone_idx"
            ),
            models.Index(fields=["lifecycle_stage", "family_name"], name="contact_stage_idx"),
            models.Index(fields=["owner", "family_name"], name="contact_owner_idx"),
            models.Index(fields=["team", "family_name"], name="contact_team_idx"),
            # Partial: only children have a date and a place in the list's "Children"
            # filter, so the other rows (nearly all) cost these indexes nothing on insert.
            models.Index(
                fields=["child_status_changes_on"],
                condition=Q(child_status_changes_on__isnull=False),
                name="contact_child_change_idx",
            ),
            models.Index(
                fields=["family_name", "given_name", "id"],
                condition=Q(child_status=ChildStatus.CHILD),
                name="contact_child_name_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or "(unnamed contact)"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class ContactMethodQuerySet(EncryptedQuerySet):
    def with_value(self, kind: str, *values: str) -> "ContactMethodQuerySet":
        """Further addresses of `kind` equal to one of `values` (through value_index)."""
        field = self.model._meta.get_field("value_index")
        typed = lookup_email if kind == ContactMethodKind.EMAIL else lookup_phone
        indexes = [index for value in values if (index := field.index_of(typed(value)))]
        return self.filter(kind=kind, value_index__in=indexes)


class ContactMethod(PersonalDataModel, BlindIndexedModel, BaseModel):
    """A further email address or phone number of a contact (the primary ones live on
    Contact itself)."""

    contact = not_personal(
        models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="methods")
    )
    kind = not_personal(models.CharField(max_length=5, choices=ContactMethodKind.choices))
    # Encrypted under the contact's data key; found through value_index.
    value = personal(
        EncryptedCharField(max_length=254, key_owner=(("contact", "contact_id"),)), "contact"
    )
    value_index = _index("value")
    label = not_personal(models.CharField(max_length=40, blank=True))

    objects = ContactMethodQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "kind", "value_index"], name="contact_method_unique"
            )
        ]
        indexes = [models.Index(fields=["value_index"], name="contact_method_value_idx")]

    def __str__(self) -> str:
        return self.value


def email_index_of(raw: str) -> str:
    """The index an address typed in any case is found under ("" for none)."""
    return Contact._meta.get_field("email_index").index_of(lookup_email(raw))


def phone_index_of(raw: str) -> str:
    """The index a phone number as typed is found under: its E.164 form when it parses
    without a country, else its digits ("" for none)."""
    return Contact._meta.get_field("phone_index").index_of(lookup_phone(raw))
