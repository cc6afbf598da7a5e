"""Reads of steward.email: the topics offered, a person's subscriptions, campaigns, and a
campaign's audience as the processing gate decides it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from steward.contacts.models import Contact
from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.email.models import (
    Campaign,
    CampaignDelivery,
    Subscription,
    SubscriptionStatus,
    Topic,
)
from steward.processing.gate import contacts_allowed, exclusions, exclusions_as_seen_by

# Reasons the email app adds to the gate's own (steward.processing.gate.EXCLUSION_LABELS).
EMAIL_EXCLUSION_LABELS = {
    "not_subscribed": "allowed by the gate but never confirmed this topic by double opt-in",
    "no_email_address": "no email address",
}


def topics_public() -> QuerySet[Topic]:
    return Topic.objects.filter(public=True).select_related("purpose")


def topics_all() -> QuerySet[Topic]:
    return Topic.objects.select_related("purpose")


def subscriptions_of(contact: Contact) -> list[Subscription]:
    return list(Subscription.objects.filter(contact=contact).select_related("topic"))


def confirmed_topic_keys(contact: Contact) -> set[str]:
    return set(
        Subscription.objects.filter(
            contact=contact, status=SubscriptionStatus.CONFIRMED
        ).values_list("topic__key", flat=True)
    )


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("topic", "created_by", "segment_tag")


def campaign_get(pk) -> Campaign:
    try:
        return campaign_list().get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such campaign.") from None
    except Exception as error:  # a malformed UUID on some backends
        if error.__class__.__name__ == "ValidationError":
            raise NotFound("No such campaign.") from None
        raise


def segment_of(campaign: Campaign) -> QuerySet[Contact]:
    """The people a campaign's optional segment (tag, lifecycle stage, country) names; every
    contact without one."""
    people = Contact.objects.all()
    if campaign.segment_tag_id:
        people = people.filter(tags=campaign.segment_tag_id)
    if campaign.segment_lifecycle_stage:
        people = people.filter(lifecycle_stage=campaign.segment_lifecycle_stage)
    if campaign.segment_country:
        people = people.filter(country=campaign.segment_country)
    return people


def _subscribed(topic: Topic):
    return Exists(
        Subscription.objects.filter(
            contact=OuterRef("pk"), topic=topic, status=SubscriptionStatus.CONFIRMED
        )
    )


def audience_recipients(
    campaign: Campaign, *, at: datetime.datetime | None = None, among: QuerySet | None = None
) -> QuerySet[Contact]:
    """Who receives `campaign` at `at`: the gate's contacts_allowed for the topic's purpose
    (current consent, not restricted, not objected, not a child without a parent's consent)
    narrowed to a confirmed subscription to the topic, an address, and the segment."""
    base = segment_of(campaign) if among is None else among
    allowed = contacts_allowed(campaign.topic.purpose, queryset=base, at=at)
    # email_index is "" exactly when there is no address (the address itself is encrypted).
    return allowed.filter(_subscribed(campaign.topic)).exclude(email_index="").order_by()


@dataclass(frozen=True)
class Audience:
    recipients: QuerySet[Contact]
    count: int
    # {code: people} among the segment's people who have ever subscribed to the topic
    # (or hold a consent state for its purpose): whom the campaign leaves out, and why.
    excluded: dict[str, int]


def campaign_audience(
    campaign: Campaign, *, at: datetime.datetime | None = None, actor: Actor | None = None
) -> Audience:
    """The audience and who was left out for which reason (the gate's `exclusions` plus
    this app's own). The people considered are the segment's subscribers to the topic, past
    or present, and anyone with a consent record for its purpose: counting the whole
    database as "no consent" would say nothing."""
    from steward.consent.models import ConsentState

    topic = campaign.topic
    segment = segment_of(campaign)
    considered = segment.filter(
        Q(Exists(Subscription.objects.filter(contact=OuterRef("pk"), topic=topic)))
        | Q(Exists(ConsentState.objects.filter(contact=OuterRef("pk"), purpose=topic.purpose)))
    )
    recipients = audience_recipients(campaign, at=at)
    excluded = exclusions(topic.purpose, considered, at=at)
    if actor is not None:
        excluded = exclusions_as_seen_by(excluded, actor)
    allowed = contacts_allowed(topic.purpose, queryset=considered, at=at)
    extra = allowed.order_by().aggregate(
        not_subscribed=Count("pk", filter=~Q(_subscribed(topic))),
        no_email=Count("pk", filter=Q(_subscribed(topic)) & Q(email_index="")),
    )
    if extra["not_subscribed"]:
        excluded["not_subscribed"] = extra["not_subscribed"]
    if extra["no_email"]:
        excluded["no_email_address"] = extra["no_email"]
    return Audience(recipients=recipients, count=recipients.count(), excluded=excluded)


def delivery_counts(campaign: Campaign) -> dict[str, int]:
    rows = (
        CampaignDelivery.objects.filter(campaign=campaign)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    return {row["status"]: row["n"] for row in rows}
