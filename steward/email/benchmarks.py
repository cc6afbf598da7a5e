"""`campaign_send` for `steward bench`: a campaign to 100,000 confirmed subscribers (5,000
with --quick) through a local SMTP sink (aiosmtpd in a child process, counting what it
receives), in messages per second through the whole path: the gate's audience, one delivery
row per person, rendering with merge fields and signed links, the atomic claims and status
updates, and SMTP. Floor: the same number of already-rendered messages sent with bare
smtplib over one connection to the same sink. A second figure: the audience computation
(count and exclusions by reason, as the page shows them) against a raw SQL count of the same
people.

The subscribers are set up through the bulk paths (contacts by bulk_create, consent events by
the ledger's import service, 2% of them withdrawn), not timed."""

from __future__ import annotations

import datetime
import email.policy
import smtplib
import subprocess
import sys
import textwrap
import time
from time import perf_counter

from django.db import connection
from django.test import override_settings
from django.utils import timezone

from steward.bench.registry import (
    BenchContext,
    BenchResult,
    benchmark,
    ratio_of_latencies,
    ratio_of_rates,
)
from steward.consent.models import Channel, ConsentEvent, EventKind, Method, NoticePurpose
from steward.consent.selectors import notice_version_current_for
from steward.consent.services import consent_events_import
from steward.contacts.models import Contact
from steward.core.actor import SystemActor
from steward.email import services
from steward.email.models import (
    CampaignDelivery,
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
    Topic,
)
from steward.email.selectors import campaign_audience
from steward.email.sending import campaign_deliver

ACTOR = SystemActor("bench")

# The sink: counts recipients of each accepted message, prints the total on SIGTERM/stdin EOF.
SINK = textwrap.dedent(
    """
    import asyncio, sys
    from aiosmtpd.controller import Controller
    class Count:
        n = 0
        async def handle_DATA(self, server, session, envelope):
            Count.n += len(envelope.rcpt_tos)
            return "250 OK"
    controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "count":
            print(Count.n, flush=True)
    controller.stop()
    """
)


class Sink:
    def __init__(self) -> None:
        from steward.core.testing.smtp import _free_port

        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", SINK, str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def count(self) -> int:
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def mailer(self) -> dict:
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "use_tls": False, "timeout": 30},
        }


def _subscribers(count: int, topic: Topic) -> None:
    now = timezone.now() - datetime.timedelta(minutes=5)
    contacts = [
        Contact(given_name=f"Reader{n}", family_name="Example", email=f"reader{n}@example.org")
        for n in range(count)
    ]
    Contact.objects.bulk_create(contacts, batch_size=2000)
    version = notice_version_current_for(topic.purpose)
    statement = NoticePurpose.objects.get(notice_version=version, purpose=topic.purpose)
    events: list[ConsentEvent] = []
    withdrawn: set = set()
    for n, contact in enumerate(contacts):
        common = {
            "contact_id": contact.pk,
            "purpose_id": topic.purpose_id,
            "notice_version_id": version.pk,
            "text_hash": statement.statement_hash,
            "method": Method.DOUBLE_OPT_IN,
            "channel": Channel.EMAIL,
            "evidence": {"bench": True},
        }
        events.append(ConsentEvent(kind=EventKind.GIVEN, occurred_at=now, **common))
        if n % 50 == 0:
            later = now + datetime.timedelta(minutes=1)
            events.append(ConsentEvent(kind=EventKind.WITHDRAWN, occurred_at=later, **common))
            withdrawn.add(contact.pk)
    for start in range(0, len(events), 20_000):
        # One person's events stay in one batch (they are adjacent).
        end = start + 20_000
        while end < len(events) and events[end].contact_id == events[end - 1].contact_id:
            end += 1
        consent_events_import(actor=ACTOR, events=events[start:end])
    Subscription.objects.bulk_create(
        [
            Subscription(
                contact=contact,
                topic=topic,
                status=SubscriptionStatus.WITHDRAWN
                if contact.pk in withdrawn
                else SubscriptionStatus.CONFIRMED,
                confirmed_at=now,
            )
            for contact in contacts
        ],
        batch_size=2000,
    )


def _raw_audience_count(topic: Topic) -> tuple[int, float]:
    sql = """
        SELECT COUNT(*) FROM contacts_contact c
        JOIN email_subscription s ON s.contact_id = c.id AND s.topic_id = %s
            AND s.status = 'confirmed'
        JOIN consent_consentstate st ON st.contact_id = c.id AND st.purpose_id = %s
            AND st.status = 'given' AND st.needs_renewal = 0
        WHERE c.email_index != ''
    """
    start = perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [topic.pk.hex, topic.purpose_id.hex])
        (count,) = cursor.fetchone()
    return count, perf_counter() - start


def _raw_send_rate(sink: Sink, message_bytes: bytes, count: int) -> float:
    start = perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as relay:
        for n in range(count):
            relay.sendmail("news@example.com", [f"floor{n}@example.org"], message_bytes)
    return count / (perf_counter() - start)


@benchmark("campaign_send")
def campaign_send(ctx: BenchContext) -> list[BenchResult]:
    count = ctx.size(100_000, 5_000)
    topic = Topic.objects.select_related("purpose").get(key="newsletter")
    setup = perf_counter()
    _subscribers(count, topic)
    print(f"  campaign_send: {count:,} subscribers set up in {perf_counter() - setup:.1f}s")
    campaign = services.campaign_create(
        actor=ACTOR,
        data={
            "name": "Bench",
            "subject": "News for {{ given_name }}",
            "body_text": "Hello {{ given_name }},\n\n" + "Our news of the month. " * 40,
            "topic": topic,
        },
    )
    start = perf_counter()
    audience = campaign_audience(campaign)
    audience_seconds = perf_counter() - start
    raw_count, raw_seconds = _raw_audience_count(topic)
    if audience.count != raw_count:
        raise RuntimeError(f"Audience {audience.count} but the raw query counts {raw_count}")
    sink = Sink()
    try:
        with override_settings(
            MAILERS={"default": sink.mailer(), "marketing": sink.mailer()},
            SITE_URL="https://crm.example.com",
        ):
            start = perf_counter()
            services.campaign_send(actor=ACTOR, campaign=campaign)
            queued = perf_counter() - start
            run = campaign_deliver(campaign_id=campaign.pk, rate=0)
            elapsed = perf_counter() - start
            deadline = time.monotonic() + 30
            while sink.count() < audience.count and time.monotonic() < deadline:
                time.sleep(0.1)
            received = sink.count()
            sample = CampaignDelivery.objects.filter(campaign=campaign).first()
            from steward.email.sending import campaign_message

            message = campaign_message(campaign, sample.contact).message()
            message_bytes = message.as_bytes(policy=email.policy.SMTP)  # CRLF, as on the wire
            floor = _raw_send_rate(sink, message_bytes, min(count, 20_000))
    finally:
        sink.stop()
    sent = CampaignDelivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT).count()
    if not (run.sent == sent == received == audience.count):
        raise RuntimeError(
            f"Sent {run.sent}, {sent} rows say sent, the sink received {received}, "
            f"the audience was {audience.count}"
        )
    value = sent / elapsed
    print(
        f"  campaign_send: {sent:,} messages in {elapsed:.1f}s ({value:,.0f}/s; queueing "
        f"{queued:.1f}s), each received once; {sum(audience.excluded.values()):,} left out "
        f"{audience.excluded}; bare smtplib floor {floor:,.0f}/s"
    )
    print(
        f"  campaign_audience_page: {audience_seconds * 1000:.0f} ms for the count and the "
        f"exclusions by reason; raw SQL count {raw_seconds * 1000:.0f} ms"
    )
    return [
        BenchResult("campaign_send", value, "messages/s", floor, ratio_of_rates(value, floor)),
        BenchResult(
            "campaign_send_audience",
            audience_seconds * 1000,
            "ms",
            raw_seconds * 1000,
            ratio_of_latencies(audience_seconds, raw_seconds),
        ),
    ]
