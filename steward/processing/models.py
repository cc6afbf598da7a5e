"""The register of processing activities (Art. 30), the recipients personal data goes to, and
the two facts about a person that stop processing whatever the basis: a restriction (Art. 18)
and an objection (Art. 21).

The processing gate (steward.processing.gate) reads these tables and the consent ledger's
projection (steward.consent.models.ConsentState); the record of processing is generated from
them and from the data map, never typed twice.
"""

from django.conf import settings
from django.db import models
from django_countries.fields import CountryField

from steward.core.models import BaseModel
from steward.core.personal_data import (
    SUBJECT_STAFF,
    PersonalDataModel,
    not_personal,
    personal,
)


class LawfulBasis(models.TextChoices):
    """Art. 6(1)(a)-(f)."""

    CONSENT = "consent", "Consent (Art. 6(1)(a))"
    CONTRACT = "contract", "Contract (Art. 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Art. 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Art. 6(1)(d))"
    PUBLIC_TASK = "public_task", "Public task (Art. 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Art. 6(1)(f))"


class Art9Condition(models.TextChoices):
    """Art. 9(2)(a)-(j): the condition that lifts the ban on special-category data."""

    NONE = "", "None (no special-category data)"
    EXPLICIT_CONSENT = "a", "Explicit consent (Art. 9(2)(a))"
    EMPLOYMENT = "b", "Employment and social security law (Art. 9(2)(b))"
    VITAL_INTERESTS = "c", "Vital interests, consent impossible (Art. 9(2)(c))"
    NOT_FOR_PROFIT = "d", "Members of a not-for-profit body (Art. 9(2)(d))"
    MADE_PUBLIC = "e", "Manifestly made public by the person (Art. 9(2)(e))"
    LEGAL_CLAIMS = "f", "Legal claims (Art. 9(2)(f))"
    PUBLIC_INTEREST = "g", "Substantial public interest (Art. 9(2)(g))"
    HEALTH_CARE = "h", "Health or social care (Art. 9(2)(h))"
    PUBLIC_HEALTH = "i", "Public health (Art. 9(2)(i))"
    ARCHIVING = "j", "Archiving, research or statistics (Art. 9(2)(j))"


class RetentionTrigger(models.TextChoices):
    """From when a purpose's retention period runs (the retention work enforces it)."""

    LAST_ACTIVITY = "last_activity", "after the last activity with the person"
    CONTRACT_END = "contract_end", "after the end of the contract"
    COLLECTION = "collection", "after the data was collected"
    CONSENT_WITHDRAWN = "consent_withdrawn", "after consent is withdrawn"
    FISCAL_YEAR_END = "fiscal_year_end", "after the end of the fiscal year of the record"


class Purpose(BaseModel):
    """One processing activity of the register: a purpose with its lawful basis and everything
    Art. 30(1) asks of it. The gate decides per purpose, by `key`."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField()
    lawful_basis = models.CharField(max_length=24, choices=LawfulBasis.choices)
    # Required when `data_categories` holds a special category (Art. 9) key.
    art9_condition = models.CharField(
        max_length=1, choices=Art9Condition.choices, blank=True, default=""
    )
    # Data-category keys of the taxonomy (steward.inventory), e.g. ["contact.email"]; a parent
    # key covers its children.
    data_categories = models.JSONField(default=list)
    # Whose data: "customers", "prospects", "newsletter subscribers", "website visitors", ...
    subject_categories = models.JSONField(default=list)
    # Structured retention: keep for `retention_months` after `retention_trigger`.
    retention_months = models.PositiveIntegerField(null=True, blank=True)
    retention_trigger = models.CharField(
        max_length=20, choices=RetentionTrigger.choices, blank=True
    )
    retention_note = models.TextField(blank=True)
    security_measures = models.TextField(blank=True)
    # Art. 6(1)(f): the balancing test, required when the basis is legitimate interests.
    legitimate_interest_assessment = models.TextField(blank=True)
    lia_assessed_on = models.DateField(null=True, blank=True)
    # Art. 35: whether an impact assessment is needed, and where it is.
    dpia_required = models.BooleanField(default=False)
    dpia_reference = models.CharField(max_length=200, blank=True)
    # Direct marketing: an objection (Art. 21(2)-(3)) stops it absolutely.
    is_direct_marketing = models.BooleanField(default=False)
    # Consent-based purposes: re-ask after this many months (None: no expiry).
    consent_valid_months = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def retention_rule(self) -> str:
        """The time limit for erasure in words (Art. 30(1)(f)): "10 years after the end of
        the fiscal year of the record"; the note alone when no period is set."""
        if self.retention_months is None:
            return self.retention_note or "Not set"
        months = self.retention_months
        if months and months % 12 == 0:
            period = f"{months // 12} year{'s' if months != 12 else ''}"
        else:
            period = f"{months} month{'s' if months != 1 else ''}"
        trigger = RetentionTrigger(self.retention_trigger).label if self.retention_trigger else ""
        return f"{period} {trigger}".strip()


class RecipientKind(models.TextChoices):
    PROCESSOR = "processor", "Processor (Art. 28)"
    SUB_PROCESSOR = "sub_processor", "Sub-processor"
    JOINT_CONTROLLER = "joint_controller", "Joint controller (Art. 26)"
    CONTROLLER = "controller", "Independent controller"
    PUBLIC_AUTHORITY = "public_authority", "Public authority"
    INTERNAL = "internal", "Internal department"


class TransferSafeguard(models.TextChoices):
    """Chapter V: what makes a transfer outside the EEA lawful."""

    NOT_NEEDED = "", "None needed (EEA only)"
    ADEQUACY = "adequacy", "Adequacy decision (Art. 45)"
    SCC = "scc", "Standard contractual clauses (Art. 46(2)(c))"
    BCR = "bcr", "Binding corporate rules (Art. 47)"
    CODE_OR_CERT = "code_or_certification", "Code of conduct or certification (Art. 46(2)(e)-(f))"
    DEROGATION = "derogation", "Derogation for a specific situation (Art. 49)"


class RecipientStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class Recipient(BaseModel):
    """A processor or other recipient of personal data: what it receives, where, and under
    which safeguard and agreement."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    service = models.CharField(max_length=200, help_text="What they do for us")
    # Art. 30(1)(a) names a joint controller with its contact details; useful for any
    # recipient a person may ask about (Art. 15(1)(c)).
    contact_details = models.TextField(blank=True)
    purposes = models.ManyToManyField(Purpose, related_name="recipients", blank=True)
    data_categories = models.JSONField(default=list)
    countries = CountryField(multiple=True, blank=True)
    transfer_safeguard = models.CharField(
        max_length=24, choices=TransferSafeguard.choices, blank=True, default=""
    )
    # Art. 30(1)(e): for a transfer under Art. 49(1) second subparagraph, the documentation
    # of suitable safeguards; otherwise where the clauses or the decision are recorded.
    transfer_documentation = models.TextField(blank=True)
    dpa_signed_on = models.DateField(null=True, blank=True)
    dpa_document = models.FileField(upload_to="dpa/", blank=True)
    status = models.CharField(
        max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.ACTIVE
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Restriction(PersonalDataModel, BaseModel):
    """Art. 18: while active, the person's data may be stored and nothing else."""

    contact = personal(
        models.ForeignKey(
            "contacts.Contact", on_delete=models.CASCADE, related_name="restrictions"
        ),
        "rights",
    )
    reason = personal(models.TextField(), "rights")
    started_at = not_personal(models.DateTimeField())
    lifted_at = not_personal(models.DateTimeField(null=True, blank=True))
    recorded_by = personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
        ),
        "identity.name",
        subject=SUBJECT_STAFF,
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(
                fields=["contact"],
                condition=models.Q(lifted_at__isnull=True),
                name="restriction_active_idx",
            )
        ]


class ObjectionScope(models.TextChoices):
    DIRECT_MARKETING = "direct_marketing", "Direct marketing (Art. 21(2)-(3))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Processing on legitimate interests (21(1))"


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", "Received, in assessment"
    UPHELD = "upheld", "Upheld"
    REJECTED = "rejected", "Rejected (compelling legitimate grounds)"


class Objection(PersonalDataModel, BaseModel):
    """Art. 21. An objection to direct marketing is upheld the moment it is recorded and
    blocks every direct-marketing purpose for good; one to processing on legitimate interests
    (for one purpose, or all when `purpose` is empty) blocks once upheld."""

    contact = personal(
        models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="objections"),
        "rights",
    )
    scope = not_personal(models.CharField(max_length=24, choices=ObjectionScope.choices))
    purpose = not_personal(
        models.ForeignKey(
            Purpose, null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
        )
    )
    grounds = personal(models.TextField(blank=True), "rights")
    status = not_personal(
        models.CharField(
            max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.RECEIVED
        )
    )
    received_at = not_personal(models.DateTimeField())
    decided_at = not_personal(models.DateTimeField(null=True, blank=True))
    decision_reason = personal(models.TextField(blank=True), "rights")

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["contact", "scope", "status"], name="objection_idx")]
