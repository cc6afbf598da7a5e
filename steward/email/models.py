"""Email that respects consent: subscription topics (each tied to a purpose of the register),
pending sign-ups waiting for their double opt-in, confirmed subscriptions, campaigns and one
delivery row per recipient.

The consent itself lives in the ledger (steward.consent): a Subscription says which topics a
person confirmed through the mailbox, the ConsentEvent proves it. A campaign's audience is
asked of the processing gate at the moment it is sent, never stored ahead of time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from steward.contacts.choices import LifecycleStage
from steward.core.models import BaseModel
from steward.core.personal_data import (
    PersonalDataModel,
    not_personal,
    personal,
)


class Topic(BaseModel):
    """Something people subscribe to (newsletter, product news, events), tied to a purpose of
    the register whose lawful basis is consent: one purpose per topic keeps consent granular
    (Recital 43), so leaving one topic is a withdrawal for that topic only."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    purpose = models.ForeignKey("processing.Purpose", on_delete=models.PROTECT, related_name="+")
    # Offered on the public sign-up page and the API.
    public = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SignUp(PersonalDataModel, BaseModel):
    """A request to subscribe that nobody has confirmed yet (double opt-in). It grants
    nothing: only the signed link sent to the address confirms it. Its id is the token id of
    that link; `consumed_at` is set by one conditional UPDATE, so a link confirms once.
    Unconfirmed sign-ups are deleted after `expires_at` by a periodic job."""

    email = personal(models.EmailField(max_length=254), "contact.email")
    given_name = personal(models.CharField(max_length=100, blank=True), "identity.name")
    # Topic keys asked for, sorted: the link's signature covers exactly these.
    topics = not_personal(models.JSONField(default=list))
    # The sign-up's own evidence: IP, user agent, page, time, notice version shown.
    evidence = personal(models.JSONField(default=dict, blank=True), "online.ip_address")
    expires_at = not_personal(models.DateTimeField(db_index=True))
    sends = not_personal(models.PositiveSmallIntegerField(default=0))
    last_sent_at = not_personal(models.DateTimeField(null=True, blank=True))
    consumed_at = not_personal(models.DateTimeField(null=True, blank=True))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email", "created_at"], name="signup_email_idx")]


class SubscriptionStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Subscription(PersonalDataModel, BaseModel):
    """A person's standing with one topic: confirmed through the mailbox (double opt-in),
    or withdrawn. Changed only together with the consent event that proves the change."""

    contact = personal(
        models.ForeignKey(
            "contacts.Contact", on_delete=models.CASCADE, related_name="subscriptions"
        ),
        "consent",
    )
    topic = not_personal(models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+"))
    status = personal(
        models.CharField(max_length=10, choices=SubscriptionStatus.choices), "consent"
    )
    confirmed_at = personal(models.DateTimeField(null=True, blank=True), "consent")
    withdrawn_at = personal(models.DateTimeField(null=True, blank=True), "consent")

    class Meta:
        ordering = ["topic__position", "topic__name"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "topic"], name="subscription_unique")
        ]
        indexes = [models.Index(fields=["topic", "status"], name="subscription_topic_idx")]


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class Campaign(BaseModel):
    """A marketing email to the people confirmed for one topic (and optionally a segment of
    them). The body holds merge fields ({{ given_name }}); the audience is decided by the
    gate when it is sent, not when it was written."""

    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body_text = models.TextField(help_text="Plain text with merge fields")
    body_html = models.TextField(blank=True, help_text="Optional HTML with merge fields")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="campaigns")
    segment_tag = models.ForeignKey(
        "contacts.Tag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    segment_lifecycle_stage = models.CharField(
        max_length=10, choices=LifecycleStage.choices, blank=True
    )
    segment_country = CountryField(blank=True)
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The gate's reasons for leaving people out when it was sent: {code: count}.
    excluded = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    # Taken by a worker, not yet handed to the relay: safe to give back after a crash.
    CLAIMED = "claimed", "Claimed"
    # Being handed to the relay: after a crash nobody knows whether it left, so it is never
    # sent again (at most one copy) and reported as uncertain.
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    UNCERTAIN = "uncertain", "Uncertain (worker stopped while sending)"
    SKIPPED = "skipped", "Skipped (no longer allowed)"
    FAILED = "failed", "Failed"


class CampaignDelivery(PersonalDataModel, BaseModel):
    """One recipient of one campaign and what became of their copy. Claimed atomically by a
    worker (a conditional UPDATE), so no two workers and no resumed run send it twice."""

    campaign = not_personal(
        models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    )
    contact = personal(
        models.ForeignKey(
            "contacts.Contact", on_delete=models.CASCADE, related_name="campaign_deliveries"
        ),
        "commercial.profile",
    )
    status = personal(
        models.CharField(
            max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
        ),
        "commercial.profile",
    )
    claimed_by = not_personal(models.CharField(max_length=64, blank=True))
    claimed_at = not_personal(models.DateTimeField(null=True, blank=True))
    sent_at = personal(models.DateTimeField(null=True, blank=True), "commercial.profile")
    # The SMTP error of a failed delivery (the relay's words about this address).
    error = personal(models.CharField(max_length=300, blank=True), "contact.email")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="campaign_delivery_unique")
        ]
        indexes = [
            models.Index(
                fields=["campaign", "status"],
                name="delivery_open_idx",
                condition=Q(status__in=["queued", "claimed", "sending"]),
            ),
        ]
