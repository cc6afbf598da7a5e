"""Writes of steward.email: sign-ups and their double opt-in, the preference centre and
one-click unsubscribe, campaigns and their queued deliveries.

Consent is written only through the ledger's services (consent_give / consent_withdraw):
a Subscription row changes in the same transaction as the consent event that proves the
change, so the two never disagree. Mail leaves after commit."""

from __future__ import annotations

import contextlib
import datetime
import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from steward.audit.events import audit_record
from steward.consent.models import Channel, ConsentState, ConsentStatus, Method, NoticeVersion
from steward.consent.selectors import notice_version_current_for
from steward.consent.services import consent_give, consent_withdraw
from steward.contacts.choices import Source
from steward.contacts.models import Contact
from steward.contacts.normalise import normalise_email
from steward.contacts.services import contact_create
from steward.core.actor import Actor, SystemActor
from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import require
from steward.core.writes import create_audited, update_audited
from steward.email import links, merge
from steward.email.models import (
    Campaign,
    CampaignDelivery,
    CampaignStatus,
    SignUp,
    Subscription,
    SubscriptionStatus,
    Topic,
)
from steward.email.transactional import send_signup_confirmation, send_transactional

MANAGE = "campaigns.manage"
SIGNUP_ACTOR = SystemActor("email:double-opt-in")
PREFERENCES_ACTOR = SystemActor("email:preference-centre")
# A pending sign-up's link is sent again at most this often.
RESEND_INTERVAL = datetime.timedelta(minutes=1)
EVIDENCE_TEXT_MAX = 300
CAMPAIGN_FIELDS = (
    "name", "subject", "body_text", "body_html", "topic", "segment_tag",
    "segment_lifecycle_stage", "segment_country",
)  # fmt: skip


class SignUpThrottled(Conflict):
    """A link was sent to this address a moment ago, or as often as allowed."""


def _ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.STEWARD_SIGNUP_TTL_HOURS)


def erasure_suppressed(email: str) -> bool:
    """Whether `email` is on the erasure suppression list (steward.erasure): a person erased
    on request must not come back without anyone noticing. The erasure app is looked up at
    run time so that this app works (and says so) without it."""
    try:
        module = importlib.import_module("steward.erasure.selectors")
    except ImportError:
        try:
            module = importlib.import_module("steward.erasure.services")
        except ImportError:
            return False
    match = getattr(module, "suppression_match", None)
    return bool(match(email=email)) if match else False


def _clip(evidence: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value[:EVIDENCE_TEXT_MAX] if isinstance(value, str) else value
        for key, value in evidence.items()
    }


def topics_resolve(keys: Iterable[str], *, public_only: bool = True) -> list[Topic]:
    """The topics named by `keys`; ValidationFailed naming "topics" for none or an unknown
    one."""
    keys = sorted({str(k).strip() for k in keys if str(k).strip()})
    if not keys:
        message = "Choose at least one topic."
        raise ValidationFailed(message, field_errors={"topics": [message]})
    found = Topic.objects.filter(key__in=keys).select_related("purpose")
    if public_only:
        found = found.filter(public=True)
    topics = list(found)
    if len(topics) != len(keys):
        unknown = sorted(set(keys) - {t.key for t in topics})
        message = f"Unknown topic: {', '.join(unknown)}."
        raise ValidationFailed(message, field_errors={"topics": [message]})
    return topics


def _notice_versions(topics: list[Topic]) -> dict[str, NoticeVersion]:
    versions = {}
    for topic in topics:
        version = notice_version_current_for(topic.purpose)
        if version is None:
            message = f"No published notice covers “{topic.name}” yet; it cannot be offered."
            raise ValidationFailed(message, field_errors={"topics": [message]})
        versions[topic.key] = version
    return versions


# -- Sign-up and double opt-in ---------------------------------------------------------------


def signup_request(
    *, email: str, topics: Iterable[str], given_name: str = "", evidence: Mapping[str, Any]
) -> SignUp:
    """Records a request to subscribe `email` to `topics` and mails the confirmation link to
    that address after commit. Grants nothing: no contact, no consent, until the link is
    used (double opt-in; Art. 7(1) proof). The same request again while one is pending sends
    the same link again, at most once a minute and STEWARD_SIGNUP_MAX_SENDS times."""
    try:
        email = normalise_email(email or "")
    except ValueError as error:
        message = f"Enter a valid email address ({error})."
        raise ValidationFailed(message, field_errors={"email": [message]}) from None
    if not email:
        message = "Enter your email address."
        raise ValidationFailed(message, field_errors={"email": [message]})
    chosen = topics_resolve(topics)
    keys = sorted(t.key for t in chosen)
    versions = _notice_versions(chosen)
    given_name = (given_name or "").strip()[:100]
    now = timezone.now()
    with transaction.atomic():
        pending = (
            SignUp.objects.select_for_update()
            .filter(email=email, consumed_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
        )
        signup = next((s for s in pending if s.topics == keys), None)
        if signup is not None:
            if signup.sends >= settings.STEWARD_SIGNUP_MAX_SENDS or (
                signup.last_sent_at and now - signup.last_sent_at < RESEND_INTERVAL
            ):
                raise SignUpThrottled(
                    "We sent a confirmation link to this address a moment ago. Please check "
                    "your mailbox (and its spam folder)."
                )
            # Conditional: two requests racing for the same re-send both see sends=n.
            sent = SignUp.objects.filter(pk=signup.pk, sends=signup.sends).update(
                sends=signup.sends + 1, last_sent_at=now
            )
            if not sent:
                raise SignUpThrottled("A confirmation link is on its way to this address.")
            action = "email.signup.resent"
        else:
            signup = SignUp.objects.create(
                email=email,
                given_name=given_name,
                topics=keys,
                evidence=_clip(
                    {
                        **dict(evidence),
                        "at": now.isoformat(),
                        "notice_versions": {k: str(v.pk) for k, v in versions.items()},
                        "suppressed_after_erasure": erasure_suppressed(email),
                    }
                ),
                expires_at=now + _ttl(),
                sends=1,
                last_sent_at=now,
            )
            action = "email.signup.requested"
        audit_record(actor=SIGNUP_ACTOR, action=action, target=signup, context={"topics": keys})
        token = links.confirm_token(signup_id=signup.pk, email=email, topics=keys)
        url = links.confirm_url(token)
        names = [t.name for t in chosen]
        hours = settings.STEWARD_SIGNUP_TTL_HOURS
        transaction.on_commit(
            lambda: send_signup_confirmation(to=email, confirm_url=url, topics=names, hours=hours)
        )
    return signup


@dataclass
class Confirmation:
    """The outcome of a used confirmation link."""

    contact: Contact
    topics: list[Topic]
    created: bool
    event_ids: list[int] = field(default_factory=list)


def signup_preview(token: str) -> tuple[SignUp, list[Topic]]:
    """The pending sign-up a confirmation link names, for the confirm page (a GET: mail
    scanners open links, so looking must never confirm). LinkInvalid when the link would
    not confirm."""
    claim = links.confirm_claim(token, max_age=_ttl())
    signup = SignUp.objects.filter(pk=_uuid_or_none(claim.signup_id)).first()
    if signup is None:
        raise links.LinkInvalid("expired")
    if signup.email != claim.email or tuple(signup.topics) != claim.topics:
        raise links.LinkInvalid("forged")
    if signup.consumed_at is not None:
        raise links.LinkInvalid("used")
    if signup.expires_at <= timezone.now():
        raise links.LinkInvalid("expired")
    return signup, topics_resolve(signup.topics, public_only=False)


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _subscription_set(contact: Contact, topic: Topic, status: str, now) -> None:
    values = {"status": status}
    values["confirmed_at" if status == SubscriptionStatus.CONFIRMED else "withdrawn_at"] = now
    Subscription.objects.update_or_create(contact=contact, topic=topic, defaults=values)


def _contact_for(signup: SignUp) -> tuple[Contact, bool]:
    existing = Contact.objects.with_email(signup.email).first()
    if existing is not None:
        return existing, False
    try:
        return (
            contact_create(
                actor=SIGNUP_ACTOR,
                data={
                    "email": signup.email,
                    "given_name": signup.given_name,
                    "source": Source.WEB_FORM,
                },
            ),
            True,
        )
    except Conflict:  # created by a concurrent request for the same address
        return Contact.objects.with_email(signup.email).get(), False


def signup_confirm(*, token: str, evidence: Mapping[str, Any]) -> Confirmation:
    """Confirms a sign-up by its link (the POST of the confirm page): consumes the token with
    one conditional UPDATE (a second use, even a concurrent one, finds nothing to consume),
    creates or links the contact, and writes one consent event per topic through the ledger
    (method double opt-in, with this click's evidence and the sign-up's own). A forged,
    altered, expired or used link raises LinkInvalid and writes nothing."""
    signup, topics = signup_preview(token)
    if not Contact.objects.with_email(signup.email).exists() and erasure_suppressed(signup.email):
        # Art. 17: a person erased at their request is not re-created, not even by a
        # sign-up (steward.erasure refuses it in contact_create too); told only to whoever
        # holds the mailbox, never at sign-up time.
        raise links.LinkInvalid("erased")
    now = timezone.now()
    with transaction.atomic():
        consumed = SignUp.objects.filter(
            pk=signup.pk, consumed_at__isnull=True, expires_at__gt=now
        ).update(consumed_at=now)
        if not consumed:
            raise links.LinkInvalid("used")
        contact, created = _contact_for(signup)
        versions = signup.evidence.get("notice_versions", {})
        result = Confirmation(contact=contact, topics=topics, created=created)
        for topic in topics:
            version = NoticeVersion.objects.filter(
                pk=_uuid_or_none(str(versions.get(topic.key, ""))), published_at__isnull=False
            ).first() or notice_version_current_for(topic.purpose)
            click = _clip(
                {
                    **dict(evidence),
                    "at": now.isoformat(),
                    "token_id": str(signup.pk),
                    "notice_version": str(version.pk) if version else None,
                    "signup": signup.evidence,
                }
            )
            try:
                event = consent_give(
                    actor=SIGNUP_ACTOR,
                    contact=contact,
                    purpose=topic.purpose,
                    notice_version=version,
                    method=Method.DOUBLE_OPT_IN,
                    channel=Channel.EMAIL,
                    evidence=click,
                    occurred_at=now,
                )
                result.event_ids.append(event.pk)
            except Conflict:
                pass  # already consented under this notice: the subscription still counts
            _subscription_set(contact, topic, SubscriptionStatus.CONFIRMED, now)
        audit_record(
            actor=SIGNUP_ACTOR,
            action="email.signup.confirmed",
            target=signup,
            context={"contact": str(contact.pk), "topics": [t.key for t in topics]},
        )
    return result


def signups_purge(*, now: datetime.datetime | None = None) -> int:
    """Deletes sign-ups past their expiry, confirmed or not: an unconfirmed one was never
    agreed to (storage limitation, Art. 5(1)(e)); a confirmed one's evidence lives on in the
    consent events. Returns how many."""
    now = now or timezone.now()
    expired = SignUp.objects.filter(expires_at__lte=now)
    with transaction.atomic():
        count = expired.count()
        if count:
            expired.delete()
            audit_record(
                actor=SystemActor("email:signup-purge"),
                action="email.signups.purged",
                object_type="email.signup",
                context={"count": count},
            )
    return count


# -- Preference centre and unsubscribe -------------------------------------------------------


def _consent_current(contact: Contact, topic: Topic) -> bool:
    return ConsentState.objects.filter(
        contact=contact, purpose=topic.purpose, status=ConsentStatus.GIVEN
    ).exists()


def _topic_withdraw(
    *, contact: Contact, topic: Topic, evidence: dict, channel: str, now
) -> int | None:
    event_id = None
    if _consent_current(contact, topic):
        # Withdrawn or expired meanwhile (Conflict): nothing in force to withdraw.
        with contextlib.suppress(Conflict):
            event_id = consent_withdraw(
                actor=PREFERENCES_ACTOR,
                contact=contact,
                purpose=topic.purpose,
                method=Method.PREFERENCE_CENTRE,
                channel=channel,
                evidence=evidence,
                occurred_at=now,
            ).pk
    _subscription_set(contact, topic, SubscriptionStatus.WITHDRAWN, now)
    return event_id


def preferences_update(
    *, contact: Contact, wanted: Iterable[str], evidence: Mapping[str, Any]
) -> dict[str, str]:
    """Applies the preference centre's choice: every offered topic in `wanted` is subscribed
    (consent given, method preference centre), every other one the person held is withdrawn
    (Art. 7(3): as easy as giving). Each change is its own consent event; unchanged topics
    write nothing. Returns {topic key: "subscribed" | "withdrawn"} for what changed."""
    wanted = set(wanted)
    now = timezone.now()
    held = {
        s.topic_id: s
        for s in Subscription.objects.filter(contact=contact).select_related("topic__purpose")
    }
    offered = list(Topic.objects.filter(public=True).select_related("purpose"))
    offered += [s.topic for s in held.values() if not s.topic.public]
    unknown = wanted - {t.key for t in offered}
    if unknown:
        message = f"Unknown topic: {', '.join(sorted(unknown))}."
        raise ValidationFailed(message, field_errors={"topics": [message]})
    base = _clip({**dict(evidence), "at": now.isoformat()})
    changes: dict[str, str] = {}
    with transaction.atomic():
        for topic in offered:
            subscription = held.get(topic.pk)
            confirmed = (
                subscription is not None and subscription.status == SubscriptionStatus.CONFIRMED
            )
            if topic.key in wanted and not (confirmed and _consent_current(contact, topic)):
                version = notice_version_current_for(topic.purpose)
                # Already given under this notice (Conflict): the subscription still counts.
                with contextlib.suppress(Conflict):
                    consent_give(
                        actor=PREFERENCES_ACTOR,
                        contact=contact,
                        purpose=topic.purpose,
                        notice_version=version,
                        method=Method.PREFERENCE_CENTRE,
                        channel=Channel.WEB,
                        evidence={
                            **base,
                            "notice_version": str(version.pk) if version else None,
                        },
                        occurred_at=now,
                    )
                _subscription_set(contact, topic, SubscriptionStatus.CONFIRMED, now)
                changes[topic.key] = "subscribed"
            elif topic.key not in wanted and confirmed:
                _topic_withdraw(
                    contact=contact, topic=topic, evidence=base, channel=Channel.WEB, now=now
                )
                changes[topic.key] = "withdrawn"
        if changes:
            audit_record(
                actor=PREFERENCES_ACTOR,
                action="email.preferences.changed",
                target=contact,
                changes={key: [None, value] for key, value in changes.items()},
            )
    return changes


def unsubscribe_one_click(*, contact: Contact, topic: Topic, evidence: Mapping[str, Any]) -> bool:
    """RFC 8058 one-click unsubscribe from one topic: withdraws the consent for its purpose
    in one step. Returns False when there was nothing to withdraw (a second click)."""
    now = timezone.now()
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().filter(contact=contact, topic=topic).first()
        )
        if subscription is None or subscription.status != SubscriptionStatus.CONFIRMED:
            return False
        _topic_withdraw(
            contact=contact,
            topic=topic,
            evidence=_clip({**dict(evidence), "at": now.isoformat(), "via": "list-unsubscribe"}),
            channel=Channel.EMAIL,
            now=now,
        )
        audit_record(
            actor=PREFERENCES_ACTOR,
            action="email.unsubscribed",
            target=contact,
            context={"topic": topic.key},
        )
    return True


# -- Campaigns -------------------------------------------------------------------------------


def _campaign_clean(data: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in data.items() if k in CAMPAIGN_FIELDS}
    for name in ("name", "subject", "body_text", "body_html"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    unknown = merge.unknown_fields(
        data.get("subject", ""), data.get("body_text", ""), data.get("body_html", "")
    )
    if unknown:
        names = ", ".join(f"{{{{ {name} }}}}" for name in unknown)
        known = ", ".join(sorted(merge.FIELDS))
        message = f"Unknown merge field {names}; the known ones are {known}."
        raise ValidationFailed(message, field_errors={"body_text": [message]})
    return data


def campaign_create(*, actor: Actor, data: dict[str, Any]) -> Campaign:
    """Composes a campaign (a draft: nothing is sent until campaign_send)."""
    require(actor, MANAGE)
    data = _campaign_clean(data)
    data["created_by"] = None if isinstance(actor, SystemActor) else actor
    return create_audited(actor=actor, model=Campaign, data=data, action="campaign.created")


def campaign_update(*, actor: Actor, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    """Changes a draft; a campaign being sent or sent stays as it went out."""
    require(actor, MANAGE)
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict("This campaign was sent; copy it into a new one to change it.")
    return update_audited(
        actor=actor, instance=campaign, data=_campaign_clean(data), action="campaign.updated"
    )


def campaign_send(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Queues a campaign: asks the gate for the audience *now* (so people who withdrew
    after it was composed are not in it), writes one delivery row per recipient and
    enqueues the sending task after commit. A second call finds it no longer a draft."""
    from steward.email.selectors import campaign_audience
    from steward.email.tasks import campaign_deliver_task

    require(actor, MANAGE)
    now = timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.DRAFT:
            raise Conflict("This campaign is already being sent or was sent.")
        audience = campaign_audience(locked, at=now)
        ids = audience.recipients.values_list("pk", flat=True)
        _deliveries_create(locked, ids)
        locked.status = CampaignStatus.SENDING
        locked.queued_at = now
        locked.excluded = audience.excluded
        locked.save(update_fields=["status", "queued_at", "excluded", "updated_at"])
        audit_record(
            actor=actor,
            action="campaign.queued",
            target=locked,
            context={"recipients": audience.count, "excluded": audience.excluded},
        )
        transaction.on_commit(lambda: campaign_deliver_task.enqueue(campaign_id=str(locked.pk)))
    return locked


def _deliveries_create(campaign: Campaign, ids: QuerySet) -> int:
    batch: list[CampaignDelivery] = []
    total = 0
    for contact_id in ids.iterator(chunk_size=5000):
        batch.append(CampaignDelivery(campaign=campaign, contact_id=contact_id))
        if len(batch) >= 5000:
            CampaignDelivery.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    if batch:
        CampaignDelivery.objects.bulk_create(batch)
        total += len(batch)
    return total


def other_consents_held(contact: Contact) -> list[ConsentState]:
    """The consents the person has given for purposes no email topic stands for (website
    cookies, profiling, anything consent-based in the register): the preference centre
    offers to withdraw each of them too (Art. 7(3))."""
    topic_purposes = Topic.objects.values("purpose_id")
    return list(
        ConsentState.objects.filter(contact=contact, status=ConsentStatus.GIVEN)
        .exclude(purpose_id__in=topic_purposes)
        .select_related("purpose")
        .order_by("purpose__name")
    )


def consent_withdraw_by_person(
    *, contact: Contact, purpose_key: str, evidence: Mapping[str, Any]
) -> ConsentState:
    """One click withdraws one consent the person gave (method: privacy portal)."""
    state = next((s for s in other_consents_held(contact) if s.purpose.key == purpose_key), None)
    if state is None:
        message = "There is no consent to withdraw for this purpose."
        raise ValidationFailed(message, field_errors={"purpose": [message]})
    consent_withdraw(
        actor=PREFERENCES_ACTOR,
        contact=contact,
        purpose=state.purpose,
        method=Method.PORTAL,
        channel=Channel.WEB,
        evidence=_clip({**dict(evidence), "at": timezone.now().isoformat()}),
    )
    return state


def preferences_link_send(*, email: str) -> bool:
    """Mails the preference-centre link to `email` when it belongs to a contact (the
    caller answers the same either way, so nobody learns who is on file). After commit."""
    try:
        address = normalise_email(email)
    except ValueError:
        return False
    contact = Contact.objects.with_email(address).first()
    if contact is None:
        return False
    url = links.preferences_url(contact.pk)
    transaction.on_commit(
        lambda: send_transactional(
            to=address,
            subject="Your consents and email preferences",
            template="email/mail/preferences_link",
            context={"url": url},
            preferences_url=url,
        )
    )
    return True
