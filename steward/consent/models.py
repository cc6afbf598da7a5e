"""The consent ledger: versioned notices, append-only hash-chained consent events, and the
current state per person and purpose as a projection of those events.

ConsentEvent rows are never updated or deleted: every change of mind is a new event. The
projection (ConsentState) can be dropped and rebuilt from the events at any time
(steward.consent.services.projection_rebuild); the processing gate reads the projection.
"""

import hashlib

from django.conf import settings
from django.db import models

from steward.core.chain import Chained
from steward.core.models import BaseModel
from steward.core.personal_data import (
    SUBJECT_STAFF,
    PersonalDataModel,
    not_personal,
    personal,
)
from steward.crypto.keyring import SYSTEM_OWNER, owner_for
from steward.crypto.sealed_values import SealedJSONField, SealedTextField, stored


def text_hash(text: str) -> str:
    """SHA-256 of a notice text as published (UTF-8, line endings normalised)."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()


class NoticeKind(models.TextChoices):
    PRIVACY_NOTICE = "privacy_notice", "Privacy notice"
    CONSENT_TEXT = "consent_text", "Consent text"


class Notice(BaseModel):
    """A privacy notice or consent text; its wording lives in its versions."""

    key = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class NoticeVersion(BaseModel):
    """One version of a notice. A draft until `published_at`; published versions never
    change. Each covered purpose has its own statement (NoticePurpose): publishing a version
    whose statement for a purpose differs from the previous version's marks the consents given
    for that purpose under older versions as needing renewal."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    text = models.TextField()
    text_hash = models.CharField(max_length=64, editable=False)
    purposes = models.ManyToManyField(
        "processing.Purpose", through="NoticePurpose", related_name="notice_versions"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["notice", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "version"], name="notice_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice} v{self.version}"


class NoticePurpose(BaseModel):
    """What a notice version says about one purpose: the statement a person agrees to."""

    notice_version = models.ForeignKey(
        NoticeVersion, on_delete=models.PROTECT, related_name="purpose_statements"
    )
    purpose = models.ForeignKey("processing.Purpose", on_delete=models.PROTECT, related_name="+")
    statement = models.TextField()
    statement_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notice_version", "purpose"], name="notice_purpose_unique"
            )
        ]


class EventKind(models.TextChoices):
    GIVEN = "given", "Given"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"
    RENEWED = "renewed", "Renewed"
    # Asked and said no (a cookie banner's "Reject"): proof the choice was offered and
    # declined, which is not a withdrawal because nothing had been given.
    REFUSED = "refused", "Refused"


class Method(models.TextChoices):
    """How the person expressed their choice."""

    WEB_FORM = "web_form", "Web form"
    API = "api", "API"
    IMPORT = "import", "Import"
    PHONE = "phone", "Phone call"
    IN_PERSON = "in_person", "In person"
    WRITTEN = "written", "Written (letter, signed form)"
    DOUBLE_OPT_IN = "double_opt_in", "Double opt-in"
    PARENTAL = "parental", "Parental consent"
    COOKIE_BANNER = "cookie_banner", "Cookie banner"
    PREFERENCE_CENTRE = "preference_centre", "Preference centre"
    PORTAL = "portal", "Privacy portal"
    SYSTEM = "system", "System (expiry)"


class Channel(models.TextChoices):
    """Where it happened."""

    WEB = "web", "Website"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    POST = "post", "Post"
    API = "api", "API"
    IMPORT = "import", "Import"
    SYSTEM = "system", "System"


GIVEN_BY_MAX = 200


class ConsentEvent(PersonalDataModel, Chained):
    """One event of the ledger. Never updated, never deleted; linked into one hash chain.

    The person is named by id without a database constraint: erasing them must not change
    (or cascade into) the ledger, whose chain has to keep verifying. An anonymous website
    visitor is named by `visitor_id` instead."""

    chain_prefix = "consent"

    id = models.BigAutoField(primary_key=True)
    contact = personal(
        models.ForeignKey(
            "contacts.Contact",
            null=True,
            blank=True,
            on_delete=models.DO_NOTHING,
            db_constraint=False,
            related_name="consent_events",
        ),
        "consent",
    )
    visitor_id = personal(
        models.UUIDField(null=True, blank=True, db_index=True), "online.device_id"
    )
    purpose = not_personal(
        models.ForeignKey("processing.Purpose", on_delete=models.PROTECT, related_name="+")
    )
    kind = not_personal(models.CharField(max_length=10, choices=EventKind.choices))
    notice_version = not_personal(
        models.ForeignKey(
            NoticeVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
        )
    )
    # The hash of the statement agreed to, kept on the event so proof survives on its own.
    text_hash = not_personal(models.CharField(max_length=64, blank=True))
    method = not_personal(models.CharField(max_length=20, choices=Method.choices))
    channel = not_personal(models.CharField(max_length=10, choices=Channel.choices))
    # Art. 8: given by a holder of parental responsibility for a child.
    parental = not_personal(models.BooleanField(default=False))
    # For a parental consent: who holds parental responsibility.
    # Both sealed under the person's key (or the visitor's) before the row is hashed
    # (chain_prepare): reading them opens them; once the key is destroyed they read as
    # erased and the chain still verifies. The services take at most GIVEN_BY_MAX characters;
    # sealed (UTF-8 up to 4 bytes a character, header, nonce, tag, base64) they fit 1,200.
    given_by = personal(SealedTextField(max_length=1200, blank=True), "identity.name")
    # {"ip": ..., "user_agent": ..., "page": ..., "token_id": ..., ...}
    evidence = personal(SealedJSONField(default=dict, blank=True), "online.ip_address")
    occurred_at = not_personal(models.DateTimeField())
    recorded_at = not_personal(models.DateTimeField())
    expires_at = not_personal(models.DateTimeField(null=True, blank=True))
    actor = personal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.DO_NOTHING,
            db_constraint=False,
            related_name="+",
        ),
        "audit",
        subject=SUBJECT_STAFF,
    )
    actor_label = personal(models.CharField(max_length=254), "audit", subject=SUBJECT_STAFF)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["contact", "purpose", "seq"], name="consent_event_person_idx")
        ]

    def chain_payload(self) -> dict:
        return {
            "contact": self.contact_id,
            "visitor": self.visitor_id,
            "purpose": self.purpose_id,
            "kind": self.kind,
            "parental": self.parental,
            "notice_version": self.notice_version_id,
            "text_hash": self.text_hash,
            "method": self.method,
            "channel": self.channel,
            "given_by": stored(self, "given_by"),
            "evidence": stored(self, "evidence"),
            "occurred_at": self.occurred_at,
            "recorded_at": self.recorded_at,
            "expires_at": self.expires_at,
            "actor": self.actor_id,
            "actor_label": self.actor_label,
        }

    def chain_prepare(self) -> None:
        if self.contact_id:
            owner = owner_for("contact", self.contact_id)
        elif self.visitor_id:
            owner = owner_for("visitor", self.visitor_id)
        else:
            owner = SYSTEM_OWNER
        for name in ("given_by", "evidence"):
            self.__dict__[name] = self._meta.get_field(name).sealed(self, owner)

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.purpose_id}"


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Given"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"
    REFUSED = "refused", "Refused"


class ConsentState(PersonalDataModel, models.Model):
    """The projection: one row per person and purpose with the outcome of their events.
    Derived, never the source: `projection_rebuild` recreates it from the ledger."""

    id = models.BigAutoField(primary_key=True)
    contact = personal(
        models.ForeignKey(
            "contacts.Contact", on_delete=models.CASCADE, related_name="consent_states"
        ),
        "consent",
    )
    purpose = not_personal(
        models.ForeignKey("processing.Purpose", on_delete=models.CASCADE, related_name="+")
    )
    status = not_personal(models.CharField(max_length=10, choices=ConsentStatus.choices))
    parental = not_personal(models.BooleanField(default=False))
    given_at = not_personal(models.DateTimeField(null=True, blank=True))
    expires_at = not_personal(models.DateTimeField(null=True, blank=True))
    notice_version = not_personal(
        models.ForeignKey(
            NoticeVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
        )
    )
    # Set when a newer notice version changed what this purpose's statement says.
    needs_renewal = not_personal(models.BooleanField(default=False))
    last_event = not_personal(
        models.ForeignKey(
            ConsentEvent,
            on_delete=models.DO_NOTHING,
            db_constraint=False,
            related_name="+",
        )
    )
    updated_at = not_personal(models.DateTimeField())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "purpose"], name="consent_state_unique")
        ]
        indexes = [
            models.Index(fields=["purpose", "status", "contact"], name="consent_state_gate_idx"),
            # Publishing a notice version marks the states given under older versions.
            models.Index(fields=["notice_version", "purpose"], name="consent_state_notice_idx"),
            # The expiry job's scan.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status="given"),
                name="consent_state_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose_id}: {self.status}"


class CookieCategory(BaseModel):
    """A category of cookies the company's website sets (necessary, analytics, marketing),
    the purpose of the register its cookies serve, and the vendors that set them. Consent
    is asked per category (ePrivacy Art. 5(3)); strictly necessary cookies need none."""

    key = models.SlugField(max_length=30, unique=True)
    label = models.CharField(max_length=80)
    description = models.TextField()
    # The purpose's key rather than a foreign key: the categories are seeded before (and
    # independently of) the register's purposes; the service resolves it when a choice is
    # recorded and refuses an unknown one.
    purpose_key = models.SlugField(max_length=50)
    # False for strictly necessary cookies: always on, recorded, never a consent event.
    consent_required = models.BooleanField(default=True)
    vendors = models.ManyToManyField(
        "processing.Recipient", related_name="cookie_categories", blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]
        verbose_name_plural = "cookie categories"

    def __str__(self) -> str:
        return self.label


class CookieChoice(PersonalDataModel, BaseModel):
    """One choice a visitor made in the cookie banner, all categories at once, as sent.
    The consent events it caused are in the ledger; this row also keeps what the ledger
    does not (the necessary category, a choice that changed nothing)."""

    visitor_id = personal(models.UUIDField(db_index=True), "online.device_id")
    contact = personal(
        models.ForeignKey(
            "contacts.Contact",
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="cookie_choices",
        ),
        "consent",
    )
    # {"necessary": true, "analytics": false, "marketing": true}
    choices = not_personal(models.JSONField(default=dict))
    # {"ip": ..., "user_agent": ..., "page": ..., "link_token_id": ...}
    evidence = personal(models.JSONField(default=dict, blank=True), "online.ip_address")
    # Sequence numbers of the ledger events this choice wrote.
    event_seqs = not_personal(models.JSONField(default=list, blank=True))
    occurred_at = not_personal(models.DateTimeField())

    class Meta:
        ordering = ["-occurred_at"]
