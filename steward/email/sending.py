"""Sending a queued campaign through the *marketing* mailer, throttled, one delivery row per
recipient, at most one copy each.

A worker claims a small batch of QUEUED rows (select_for_update(skip_locked=True) where the
database has it, and on every database a conditional UPDATE ... WHERE status = 'queued',
re-read by `claimed_by`: the row is the claim, never a check-then-act). Just before handing a
message to the relay, its row goes CLAIMED -> SENDING; after the relay accepted it, SENDING ->
SENT. A worker killed at any point leaves:
- CLAIMED rows: never handed over; the resume job gives them back to the queue;
- at most one SENDING row: the relay may or may not have taken it; it is never sent again
  and is reported as UNCERTAIN (one possibly missing email beats a second copy).
Just before sending a batch, the gate is asked again: someone who withdrew after the campaign
was queued is SKIPPED (docs/decisions/0020-campaign-sending.md)."""

from __future__ import annotations

import datetime
import email.policy
import logging
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.utils import DNS_NAME
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from steward.audit.events import audit_record
from steward.contacts.models import Contact
from steward.core.actor import SystemActor
from steward.email import links, merge
from steward.email.models import Campaign, CampaignDelivery, CampaignStatus, DeliveryStatus
from steward.email.selectors import audience_recipients, delivery_counts

logger = logging.getLogger(__name__)

MAILER = "marketing"
SENDER = SystemActor("email:campaign-sender")
BATCH = 50
# A claim older than this belongs to a worker that died (a healthy one renews each row's
# claim as it sends it, and a batch takes seconds).
LEASE = datetime.timedelta(minutes=5)
OPEN = (DeliveryStatus.QUEUED, DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)


@dataclass
class DeliveryRun:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    finished: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Parts:
    subject: str
    text: str
    html: str
    topic_key: str
    topic_name: str


def _parts(campaign: Campaign) -> _Parts:
    html = campaign.body_html or merge.html_from_text(campaign.body_text)
    footer_text = (
        "\n\n--\nYou receive this because you subscribed to {{ topic }}.\n"
        "Choose your emails: {{ preferences_url }}\nUnsubscribe: {{ unsubscribe_url }}\n"
    )
    footer_html = (
        '<hr><p style="font-size:12px;color:#555">You receive this because you subscribed '
        'to {{ topic }}. <a href="{{ preferences_url }}">Choose your emails</a> · '
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'
    )
    return _Parts(
        subject=campaign.subject,
        text=campaign.body_text + footer_text,
        html=f'<!doctype html><html><body style="font-family:sans-serif">{html}'
        f"{footer_html}</body></html>",
        topic_key=campaign.topic.key,
        topic_name=campaign.topic.name,
    )


# How campaign messages go on the wire: CRLF, headers folded only past RFC 5322's 998
# characters. Folding at the usual 78 turns the long List-Unsubscribe URLs into RFC 2047
# encoded words, which mail clients do not decode in that header (RFC 8058's one-click
# link would be lost).
_WIRE = email.policy.compat32.clone(linesep="\r\n", max_line_length=998)


class CampaignMessage(EmailMultiAlternatives):
    """A marketing message built with the email package's plain MIME classes: the same
    parts and headers as Django builds, without parsing every header through the header
    registry, which was most of the cost of sending (docs/decisions/0020)."""

    def message(self, *, policy=None):
        msg = MIMEMultipart("alternative", policy=_WIRE)
        msg.attach(MIMEText(self.body, "plain", "utf-8", policy=_WIRE))
        for content, mimetype in self.alternatives:
            msg.attach(MIMEText(content, mimetype.split("/", 1)[1], "utf-8", policy=_WIRE))
        msg["Subject"] = self.subject if self.subject.isascii() else Header(self.subject, "utf-8")
        name, address = parseaddr(self.from_email)
        msg["From"] = formataddr((name, address), charset="utf-8")
        msg["To"] = ", ".join(self.to)
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = make_msgid(domain=DNS_NAME)
        for header, value in self.extra_headers.items():
            msg[header] = value
        return msg


def campaign_message(campaign: Campaign, contact: Contact, parts: _Parts | None = None):
    """One recipient's copy: merge fields filled (escaped in HTML), the preference-centre
    link, and RFC 8058 one-click unsubscribe headers (an https URL and a mailto)."""
    parts = parts or _parts(campaign)
    unsubscribe = links.unsubscribe_url(contact.pk, parts.topic_key)
    values = {
        "given_name": contact.given_name or "there",
        "family_name": contact.family_name,
        "full_name": contact.full_name,
        "email": contact.email,
        "topic": parts.topic_name,
        "preferences_url": links.preferences_url(contact.pk),
        "unsubscribe_url": unsubscribe,
    }
    message = CampaignMessage(
        subject=" ".join(merge.render_text(parts.subject, values).splitlines()),
        body=merge.render_text(parts.text, values),
        from_email=settings.STEWARD_MARKETING_FROM,
        to=[contact.email],
        headers={
            "List-Unsubscribe": (
                f"<{unsubscribe}>, <{links.unsubscribe_mailto(contact.pk, parts.topic_key)}>"
            ),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "X-Steward-Campaign": str(campaign.pk),
        },
    )
    message.attach_alternative(merge.render_html(parts.html, values), "text/html")
    return message


def _claim(campaign: Campaign, worker: str, size: int) -> list[CampaignDelivery]:
    now = timezone.now()
    with transaction.atomic():
        candidates = CampaignDelivery.objects.filter(
            campaign=campaign, status=DeliveryStatus.QUEUED
        )
        if db_connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        CampaignDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.CLAIMED, claimed_by=worker, claimed_at=now
        )
    return list(
        CampaignDelivery.objects.filter(
            pk__in=ids, status=DeliveryStatus.CLAIMED, claimed_by=worker
        ).select_related("contact")
    )


def _mark(delivery: CampaignDelivery, worker: str, before: str, after: str, **values) -> bool:
    """Moves one row of ours from `before` to `after`; False when it is no longer ours."""
    return bool(
        CampaignDelivery.objects.filter(pk=delivery.pk, status=before, claimed_by=worker).update(
            status=after, **values
        )
    )


def campaign_deliver(
    *,
    campaign_id,
    worker: str | None = None,
    rate: float | None = None,
    after_send: Callable[[int], None] | None = None,
) -> DeliveryRun:
    """Sends a queued campaign's open deliveries until none is left, at most `rate`
    messages per second (STEWARD_CAMPAIGN_RATE; 0: as fast as the relay takes them).
    Safe to run in several workers at once and again after a crash. `after_send(n)` is
    called when the relay accepted the n-th message and before its row says so: the worst
    moment for a crash, where tests stop a run as a killed worker would."""
    run = DeliveryRun()
    campaign = Campaign.objects.select_related("topic__purpose").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != CampaignStatus.SENDING:
        return run
    worker = worker or uuid.uuid4().hex
    rate = float(settings.STEWARD_CAMPAIGN_RATE if rate is None else rate)
    size = BATCH if rate <= 0 else max(1, min(BATCH, int(rate * 60)))
    parts = _parts(campaign)
    started = time.monotonic()
    relay = mailers[MAILER]
    relay.open()
    try:
        while True:
            batch = _claim(campaign, worker, size)
            if not batch:
                break
            # Asked again now: a withdrawal, objection or restriction since it was queued.
            allowed = set(
                audience_recipients(
                    campaign, among=Contact.objects.filter(pk__in=[d.contact_id for d in batch])
                ).values_list("pk", flat=True)
            )
            for delivery in batch:
                if delivery.contact_id not in allowed:
                    if _mark(delivery, worker, DeliveryStatus.CLAIMED, DeliveryStatus.SKIPPED):
                        run.skipped += 1
                    continue
                if rate > 0:
                    due = started + (run.sent + run.failed) / rate
                    pause = due - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)
                if not _mark(
                    delivery,
                    worker,
                    DeliveryStatus.CLAIMED,
                    DeliveryStatus.SENDING,
                    claimed_at=timezone.now(),
                ):
                    continue  # taken back after our lease ran out
                message = campaign_message(campaign, delivery.contact, parts)
                try:
                    relay.send_messages([message])
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                    _mark(
                        delivery,
                        worker,
                        DeliveryStatus.SENDING,
                        DeliveryStatus.FAILED,
                        error=str(error)[:300],
                    )
                    run.failed += 1
                    continue
                run.sent += 1
                if after_send is not None:
                    after_send(run.sent)
                _mark(
                    delivery,
                    worker,
                    DeliveryStatus.SENDING,
                    DeliveryStatus.SENT,
                    sent_at=timezone.now(),
                )
    finally:
        relay.close()
    run.seconds = time.monotonic() - started
    run.finished = campaign_finish_if_done(campaign=campaign)
    return run


def campaign_finish_if_done(*, campaign: Campaign) -> bool:
    """Marks the campaign sent when no delivery is open any more (conditional UPDATE: one
    worker records it, once)."""
    if CampaignDelivery.objects.filter(campaign=campaign, status__in=OPEN).exists():
        return False
    with transaction.atomic():
        done = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
            status=CampaignStatus.SENT, finished_at=timezone.now()
        )
        if done:
            audit_record(
                actor=SENDER,
                action="campaign.sent",
                target=campaign,
                context={"deliveries": delivery_counts(campaign)},
            )
    return True


def campaign_deliveries_resume(*, now: datetime.datetime | None = None) -> list[str]:
    """The resume job: for every campaign still sending, claims older than the lease go back
    to the queue (never handed to the relay) or become UNCERTAIN (in the relay's hands when
    the worker died: not sent again), and a sending task is enqueued where work is left and
    nobody holds a live claim. Returns the ids of the campaigns it enqueued."""
    from steward.email.tasks import campaign_deliver_task

    now = now or timezone.now()
    stale = now - LEASE
    enqueued = []
    for campaign in Campaign.objects.filter(status=CampaignStatus.SENDING):
        deliveries = CampaignDelivery.objects.filter(campaign=campaign)
        with transaction.atomic():
            requeued = deliveries.filter(
                status=DeliveryStatus.CLAIMED, claimed_at__lt=stale
            ).update(status=DeliveryStatus.QUEUED, claimed_by="", claimed_at=None)
            uncertain = deliveries.filter(
                status=DeliveryStatus.SENDING, claimed_at__lt=stale
            ).update(status=DeliveryStatus.UNCERTAIN)
            if requeued or uncertain:
                audit_record(
                    actor=SENDER,
                    action="campaign.resumed",
                    target=campaign,
                    context={"requeued": requeued, "uncertain": uncertain},
                )
        live = deliveries.filter(
            status__in=(DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)
        ).exists()
        if deliveries.filter(status=DeliveryStatus.QUEUED).exists() and not live:
            campaign_deliver_task.enqueue(campaign_id=str(campaign.pk))
            enqueued.append(str(campaign.pk))
        elif not live:
            campaign_finish_if_done(campaign=campaign)
    return enqueued
