"""The API's request and response bodies. Ids are UUIDs, datetimes ISO 8601 (read without
an offset as UTC), countries ISO 3166 alpha-2 codes, tags lists of names. Request bodies
refuse unknown fields: a misspelt field must fail loudly, not be dropped in silence."""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from steward.activities.choices import ActivityKind
from steward.activities.selectors import activity_mask
from steward.children.choices import ChildStatus
from steward.contacts.choices import ContactMethodKind, LifecycleStage, Source
from steward.contacts.selectors import CONTACT_SORTS, custom_fields_hidden_from
from steward.deals.choices import StageOutcome

MAX_PAGE_SIZE = 200
# Far beyond any real list, yet small enough for every database's integer type.
MAX_OFFSET = 2**31 - 1
_MAX_JSON_DEPTH = 10


def _storable(value: str) -> str:
    # PostgreSQL cannot store NUL in text; a lone surrogate cannot be encoded as UTF-8.
    if "\x00" in value:
        raise ValueError("Must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Must be valid Unicode text.") from None
    return value


def _storable_json(value: Any, depth: int = 0) -> Any:
    if depth > _MAX_JSON_DEPTH:
        raise ValueError(f"Nested more than {_MAX_JSON_DEPTH} levels deep.")
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        for key, item in value.items():
            _storable(str(key))
            _storable_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _storable_json(item, depth + 1)
    return value


def _utc(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError("Date out of range.") from None


def _upper(value: str) -> str:
    return value.upper()


def Text(max_length: int, min_length: int = 0):
    """A string of at most `max_length` characters that the database can store."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_storable)
    ]


Timestamp = Annotated[datetime.datetime, AfterValidator(_utc)]
CountryCode = Annotated[
    str,
    Field(pattern=r"^([A-Za-z]{2})?$", description="ISO 3166-1 alpha-2 code; empty for none"),
    AfterValidator(_upper),
]
JsonObject = Annotated[dict[str, Any], AfterValidator(_storable_json)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
ContactSort = Literal[*CONTACT_SORTS]  # type: ignore[valid-type]


class RequestBody(Schema):
    # Enum members become their plain values, as services and the audit trail expect.
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


# Pages


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")


class ChangedSinceParams(Schema):
    created_after: Timestamp | None = Field(None, description="Only records created after")
    updated_after: Timestamp | None = Field(
        None, description="Only records changed after (for incremental sync)"
    )


class Page(Schema):
    count: int = Field(description="Total number of matching records")
    next: str | None = Field(description="URL of the next page, if any")
    previous: str | None = Field(description="URL of the previous page, if any")


# Contacts


class ContactMethodIn(RequestBody):
    value: Text(254, min_length=1)
    label: Text(40) = ""


class ContactMethodOut(Schema):
    value: str
    label: str


class ContactIn(RequestBody):
    """A new contact. It needs a name or an email address; the owner defaults to you."""

    given_name: Text(100) = ""
    family_name: Text(100) = ""
    email: Text(254) = Field("", description="Primary email address")
    additional_emails: list[ContactMethodIn] = Field(default_factory=list, max_length=20)
    phone: Text(40) = Field("", description="Primary phone number")
    additional_phones: list[ContactMethodIn] = Field(default_factory=list, max_length=20)
    job_title: Text(120) = ""
    organisation: UUID | None = Field(None, description="Organisation id")
    street: Text(200) = ""
    postal_code: Text(20) = ""
    city: Text(100) = ""
    region: Text(100) = ""
    country: CountryCode = ""
    date_of_birth: datetime.date | None = None
    language: Text(10) = Field("", description="Language code, e.g. en or de")
    lifecycle_stage: LifecycleStage = LifecycleStage.LEAD
    source: Source = Source.API
    tags: list[Text(50, min_length=1)] = Field(default_factory=list, max_length=100)
    custom: JsonObject = Field(default_factory=dict, description="Custom field values by key")
    owner: UUID | None = Field(None, description="Owning staff user's id; defaults to you")
    team: UUID | None = Field(None, description="Team id; defaults to yours")


class ContactPatch(ContactIn):
    """Changes to a contact: only the fields sent are changed. additional_emails,
    additional_phones and tags replace the whole list."""


class ContactOut(Schema):
    id: UUID
    given_name: str
    family_name: str
    full_name: str
    email: str
    additional_emails: list[ContactMethodOut]
    phone: str
    additional_phones: list[ContactMethodOut]
    job_title: str
    organisation: UUID | None
    street: str
    postal_code: str
    city: str
    region: str
    country: str | None
    date_of_birth: datetime.date | None
    language: str
    lifecycle_stage: LifecycleStage
    source: Source
    tags: list[str]
    custom: dict[str, Any] = Field(
        description="Custom field values by key; a field your role may not read "
        "(special-category, criminal, children's data, national IDs) is null here and "
        "named in masked_fields"
    )
    masked_fields: list[str] = Field(
        default_factory=list, description="Custom fields withheld from your role"
    )
    owner: UUID | None
    team: UUID | None
    child_status: ChildStatus = Field(
        description="Art. 8: child (below the age of digital consent of the contact's "
        "country), adult, or unknown (no date of birth). Derived from date_of_birth and "
        "country; read-only."
    )
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_custom(obj, context) -> dict[str, Any]:
        hidden = _custom_hidden(context)
        return {key: None if key in hidden else v for key, v in (obj.custom or {}).items()}

    @staticmethod
    def resolve_masked_fields(obj, context) -> list[str]:
        hidden = _custom_hidden(context)
        return sorted(key for key in (obj.custom or {}) if key in hidden)

    @staticmethod
    def resolve_additional_emails(obj) -> list[dict]:
        return _methods(obj, ContactMethodKind.EMAIL)

    @staticmethod
    def resolve_additional_phones(obj) -> list[dict]:
        return _methods(obj, ContactMethodKind.PHONE)

    @staticmethod
    def resolve_organisation(obj) -> UUID | None:
        return obj.organisation_id

    @staticmethod
    def resolve_country(obj) -> str | None:
        return obj.country.code or None

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_owner(obj) -> UUID | None:
        return obj.owner_id

    @staticmethod
    def resolve_team(obj) -> UUID | None:
        return obj.team_id


def _methods(contact, kind: str) -> list[dict]:
    return [{"value": m.value, "label": m.label} for m in contact.methods.all() if m.kind == kind]


class ContactListParams(ChangedSinceParams):
    search: Text(200) = Field(
        "",
        description="The start of a name or organisation name, or a whole email address or "
        "phone number (addresses are encrypted and found by equality only)",
    )
    lifecycle_stage: LifecycleStage | None = None
    owner: UUID | None = Field(None, description="Owning staff user's id")
    organisation: UUID | None = Field(None, description="Organisation id")
    tag: Text(50) = Field("", description="Tag name")
    country: CountryCode = ""
    child_status: ChildStatus | None = Field(None, description="Art. 8 status")
    sort: ContactSort = "name"


class ContactPage(Page):
    results: list[ContactOut]


# Organisations


class OrganisationIn(RequestBody):
    """A new organisation; the owner defaults to you."""

    name: Text(200, min_length=1)
    domain: Text(253) = ""
    website: Text(200) = ""
    industry: Text(100) = ""
    phone: Text(40) = ""
    street: Text(200) = ""
    postal_code: Text(20) = ""
    city: Text(100) = ""
    country: CountryCode = ""
    owner: UUID | None = None
    team: UUID | None = None


class OrganisationPatch(OrganisationIn):
    """Changes to an organisation: only the fields sent are changed."""

    name: Text(200, min_length=1) = ""


class OrganisationOut(Schema):
    id: UUID
    name: str
    domain: str
    website: str
    industry: str
    phone: str
    street: str
    postal_code: str
    city: str
    country: str | None
    owner: UUID | None
    team: UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_country(obj) -> str | None:
        return obj.country.code or None

    @staticmethod
    def resolve_owner(obj) -> UUID | None:
        return obj.owner_id

    @staticmethod
    def resolve_team(obj) -> UUID | None:
        return obj.team_id


class OrganisationListParams(ChangedSinceParams):
    search: Text(200) = Field("", description="Part of the name, or the start of the domain")


class OrganisationPage(Page):
    results: list[OrganisationOut]


# Activities


class ActivityIn(RequestBody):
    """A note, call, meeting, logged email or task about a contact, organisation or deal
    (at least one). A task needs due_at; the others need a subject or body."""

    kind: ActivityKind
    subject: Text(200) = ""
    body: Text(100_000) = ""
    contact: UUID | None = None
    organisation: UUID | None = None
    deal: UUID | None = None
    occurred_at: Timestamp | None = Field(None, description="Defaults to now")
    due_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    owner: UUID | None = None
    team: UUID | None = None


class ActivityPatch(ActivityIn):
    """Changes to an activity: only the fields sent are changed."""

    kind: ActivityKind = ActivityKind.NOTE


def _custom_hidden(context) -> dict:
    """The custom fields the requesting token's user may not read, once per request."""
    request = (context or {}).get("request")
    if request is None:
        return {}
    if not hasattr(request, "_steward_custom_hidden"):
        request._steward_custom_hidden = custom_fields_hidden_from(request.auth)
    return request._steward_custom_hidden


class ActivityOut(Schema):
    id: UUID
    kind: ActivityKind
    subject: str
    body: str
    masked: str | None = Field(
        None,
        description="Why subject and body are withheld from your role (special-category, "
        "criminal or children's data, a national identifier); null when they are not",
    )
    contact: UUID | None
    organisation: UUID | None
    deal: UUID | None
    occurred_at: datetime.datetime
    due_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    is_open_task: bool
    author: UUID | None
    owner: UUID | None
    team: UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_subject(obj) -> str:
        return "" if activity_mask(obj) else obj.subject

    @staticmethod
    def resolve_body(obj) -> str:
        return "" if activity_mask(obj) else obj.body

    @staticmethod
    def resolve_masked(obj) -> str | None:
        mask = activity_mask(obj)
        return mask.reason if mask else None

    @staticmethod
    def resolve_contact(obj) -> UUID | None:
        return obj.contact_id

    @staticmethod
    def resolve_organisation(obj) -> UUID | None:
        return obj.organisation_id

    @staticmethod
    def resolve_deal(obj) -> UUID | None:
        return obj.deal_id

    @staticmethod
    def resolve_author(obj) -> UUID | None:
        return obj.author_id

    @staticmethod
    def resolve_owner(obj) -> UUID | None:
        return obj.owner_id

    @staticmethod
    def resolve_team(obj) -> UUID | None:
        return obj.team_id


class ActivityListParams(ChangedSinceParams):
    kind: ActivityKind | None = None
    contact: UUID | None = None
    organisation: UUID | None = None
    deal: UUID | None = None
    open_tasks: bool = Field(False, description="Only tasks not yet completed, soonest first")


class ActivityPage(Page):
    results: list[ActivityOut]


# Deals


class DealIn(RequestBody):
    """A new deal. Without a stage it starts in the first stage of the default pipeline."""

    title: Text(200, min_length=1)
    pipeline: UUID | None = None
    stage: UUID | None = None
    amount: Amount = Decimal(0)
    currency: Currency = "EUR"
    expected_close_date: datetime.date | None = None
    contact: UUID | None = None
    organisation: UUID | None = None
    owner: UUID | None = None
    team: UUID | None = None


class DealPatch(DealIn):
    """Changes to a deal: only the fields sent are changed. Moving it to a won or lost
    stage closes it."""

    title: Text(200, min_length=1) = ""


class DealOut(Schema):
    id: UUID
    title: str
    pipeline: UUID
    stage: UUID
    stage_name: str
    outcome: StageOutcome
    amount: Decimal
    currency: str
    expected_close_date: datetime.date | None
    closed_at: datetime.datetime | None
    contact: UUID | None
    organisation: UUID | None
    owner: UUID | None
    team: UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_pipeline(obj) -> UUID:
        return obj.pipeline_id

    @staticmethod
    def resolve_stage(obj) -> UUID:
        return obj.stage_id

    @staticmethod
    def resolve_amount(obj) -> Decimal:
        # A fresh instance holds the amount as sent ("12.5"); the column holds cents.
        return Decimal(obj.amount).quantize(Decimal("0.01"))

    @staticmethod
    def resolve_stage_name(obj) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_outcome(obj) -> str:
        return obj.stage.outcome

    @staticmethod
    def resolve_contact(obj) -> UUID | None:
        return obj.contact_id

    @staticmethod
    def resolve_organisation(obj) -> UUID | None:
        return obj.organisation_id

    @staticmethod
    def resolve_owner(obj) -> UUID | None:
        return obj.owner_id

    @staticmethod
    def resolve_team(obj) -> UUID | None:
        return obj.team_id


class DealListParams(ChangedSinceParams):
    pipeline: UUID | None = None
    stage: UUID | None = None
    contact: UUID | None = None
    organisation: UUID | None = None
    open: bool = Field(False, description="Only deals not yet won or lost")


class DealPage(Page):
    results: list[DealOut]


class StageOut(Schema):
    id: UUID
    name: str
    position: int
    probability: int
    outcome: StageOutcome


class PipelineOut(Schema):
    id: UUID
    name: str
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())


# The caller


class MeOut(Schema):
    """Who the token acts as, and what it may do."""

    id: UUID
    email: str
    full_name: str
    role: str
    team: UUID | None
    permissions: list[str]
    token_name: str
    token_prefix: str
    token_expires_at: datetime.datetime | None
