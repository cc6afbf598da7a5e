"""Demo consent data: the newsletter's consent text and the cookie banner's text, published;
the processors the website and the newsletter use; and consent histories for a share of the
demo contacts (given on a web form, by double opt-in or by phone, some withdrawn since, some
imported from an older tool and expired by the expiry job).

Notices, recipients and cookie vendors go through their services. The histories go through
the ledger's bulk path (consent_events_import), which checks them as the services would and
appends them to the hash chain in one transaction; the expiry job then writes the EXPIRED
events, as it would in production."""

import random
from datetime import datetime, timedelta

from steward.consent.models import (
    Channel,
    ConsentEvent,
    CookieCategory,
    EventKind,
    Method,
    Notice,
    NoticeKind,
    NoticeVersion,
)
from steward.consent.services import (
    add_months,
    consent_events_import,
    consents_expire,
    cookie_category_vendors_set,
    notice_create,
    notice_version_draft,
    notice_version_publish,
)
from steward.contacts.models import Contact
from steward.core.actor import SystemActor
from steward.processing.models import Purpose, Recipient, RecipientKind, TransferSafeguard
from steward.processing.services import recipient_create
from steward.staff.models import User

ACTOR = SystemActor("demo")
# Share of the new demo contacts with a newsletter history.
SHARE = 0.35

NEWSLETTER_TEXT = (
    "Example Trading Ltd sends a newsletter about new products and offers about once a "
    "month. You can unsubscribe at any time with the link in every issue, or by writing to "
    "privacy@example.com."
)
NEWSLETTER_STATEMENT = "Yes, send me the Example Trading newsletter with offers by email."
COOKIE_TEXT = (
    "Our website uses cookies. Necessary cookies keep it working; analytics and marketing "
    "cookies are set only if you agree, and you can change your choice at any time."
)
COOKIE_STATEMENTS = {
    "website-analytics": "Count my visits and the pages I read, so the website can be improved.",
    "website-advertising": "Let advertising partners recognise my browser to show relevant ads.",
}

RECIPIENTS = [
    {
        "name": "Example Mail GmbH",
        "kind": RecipientKind.PROCESSOR,
        "service": "Sends the newsletter and transactional email",
        "purposes": ["direct-marketing"],
        "data_categories": ["contact.email", "identity.name"],
        "countries": ["DE"],
    },
    {
        "name": "Example Hosting B.V.",
        "kind": RecipientKind.PROCESSOR,
        "service": "Hosts the website and Steward",
        "purposes": ["website-operation", "customer-management"],
        "data_categories": ["online.ip_address"],
        "countries": ["NL"],
    },
    {
        "name": "Example Analytics Inc.",
        "kind": RecipientKind.PROCESSOR,
        "service": "Web analytics: visits, pages, devices",
        "purposes": ["website-analytics"],
        "data_categories": ["online.ip_address", "online.device_id"],
        "countries": ["US"],
        "transfer_safeguard": TransferSafeguard.SCC,
        "transfer_documentation": "SCC 2021/914 module 2, signed with the DPA.",
    },
]
# Which recipient sets the cookies of each category.
COOKIE_VENDORS = {
    "necessary": ["Example Hosting B.V."],
    "analytics": ["Example Analytics Inc."],
}

_USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile",
]


def _published(key: str, title: str, kind: str, text: str, statements: dict, at: datetime):
    """The notice's latest published version, publishing a first one when it has none."""
    notice = Notice.objects.filter(key=key).first() or notice_create(
        actor=ACTOR, key=key, title=title, kind=kind
    )
    version = notice.versions.filter(published_at__isnull=False).order_by("-version").first()
    if version is None:
        purposes = {p.key: p for p in Purpose.objects.filter(key__in=statements)}
        draft = notice.versions.filter(published_at__isnull=True).first() or (
            notice_version_draft(
                actor=ACTOR,
                notice=notice,
                text=text,
                statements={purposes[k]: s for k, s in statements.items() if k in purposes},
            )
        )
        notice_version_publish(actor=ACTOR, version=draft, now=at)
        version = NoticeVersion.objects.get(pk=draft.pk)
    return version


def _recipients() -> None:
    known = set(Recipient.objects.values_list("name", flat=True))
    for data in RECIPIENTS:
        if data["name"] not in known:
            recipient_create(actor=ACTOR, data=dict(data))
    for category in CookieCategory.objects.filter(key__in=COOKIE_VENDORS):
        vendors = Recipient.objects.filter(name__in=COOKIE_VENDORS[category.key])
        if not category.vendors.exists():
            cookie_category_vendors_set(actor=ACTOR, category=category, vendors=vendors)


def _web_evidence(rng: random.Random, page: str) -> dict:
    return {
        "ip": f"192.0.2.{rng.randint(1, 254)}",  # TEST-NET-1: documentation addresses only
        "user_agent": rng.choice(_USER_AGENTS),
        "page": page,
    }


def _history(
    rng, now, contact_id, created_at, owner: tuple | None, purpose, version, statement_hash
) -> list[ConsentEvent]:
    """One person's newsletter history: given, and perhaps withdrawn later."""
    roll = rng.random()
    if roll < 0.15:
        # Imported from the old newsletter tool with its original date: old enough to expire.
        given_at = now - timedelta(days=rng.randint(25 * 30, 36 * 30))
        method, channel = Method.IMPORT, Channel.IMPORT
        evidence = {"source": "old newsletter tool export", "original_signup": "web form"}
    elif roll < 0.30:
        given_at = min(now, created_at + timedelta(minutes=rng.randint(5, 600)))
        method, channel = Method.PHONE, Channel.PHONE
        evidence = {"note": f"Said yes on a call, ref {rng.randint(1000, 9999)}"}
    elif roll < 0.65:
        given_at = min(now, created_at + timedelta(minutes=rng.randint(1, 120)))
        method, channel = Method.DOUBLE_OPT_IN, Channel.EMAIL
        evidence = {**_web_evidence(rng, "https://www.example.com/newsletter"), "token_id": (
            f"{rng.getrandbits(64):016x}"
        )}  # fmt: skip
    else:
        given_at = min(now, created_at + timedelta(minutes=rng.randint(1, 60)))
        method, channel = Method.WEB_FORM, Channel.WEB
        evidence = _web_evidence(rng, "https://www.example.com/contact")
    expires_at = add_months(given_at, purpose.consent_valid_months or 0) if (
        purpose.consent_valid_months
    ) else None  # fmt: skip
    common = {"contact_id": contact_id, "purpose": purpose, "notice_version": version}
    # A phone consent is recorded by the contact's owner; the rest by the system that took it.
    actor_id, label = owner if owner and method == Method.PHONE else (None, ACTOR.label)
    events = [
        ConsentEvent(
            **common,
            kind=EventKind.GIVEN,
            text_hash=statement_hash,
            method=method,
            channel=channel,
            evidence=evidence,
            occurred_at=given_at,
            expires_at=expires_at,
            actor_id=actor_id,
            actor_label=label,
        )
    ]
    end = min(now, expires_at) if expires_at else now
    if rng.random() < 0.25 and end - given_at > timedelta(days=2):
        withdrawn_at = given_at + (end - given_at) * rng.uniform(0.2, 0.95)
        events.append(
            ConsentEvent(
                **common,
                kind=EventKind.WITHDRAWN,
                text_hash=statement_hash,
                method=Method.WEB_FORM,
                channel=Channel.EMAIL,
                evidence={"page": "https://www.example.com/unsubscribe"},
                occurred_at=withdrawn_at,
                actor_label=ACTOR.label,
            )
        )
    return events


def demo_consents_load(rng: random.Random, now: datetime, progress) -> int:
    """Notices, recipients and cookie vendors, and newsletter histories for a share of the
    contacts the ledger holds nothing for yet. Returns how many events were written."""
    published_at = now - timedelta(days=3 * 365)
    purpose = Purpose.objects.filter(key="direct-marketing").first()
    # The demo's own newsletter text, published before the oldest demo consent (the email
    # app's seeded text is published at install time, after the histories begin).
    newsletter = _published(
        "newsletter-consent",
        "Newsletter consent",
        NoticeKind.CONSENT_TEXT,
        NEWSLETTER_TEXT,
        {"direct-marketing": NEWSLETTER_STATEMENT},
        published_at,
    )
    _published(
        "cookie-banner",
        "Cookie banner",
        NoticeKind.CONSENT_TEXT,
        COOKIE_TEXT,
        COOKIE_STATEMENTS,
        published_at,
    )
    _recipients()
    if purpose is None:
        progress("no direct-marketing purpose in the register: no consent histories")
        return 0
    candidates = list(
        Contact.objects.filter(consent_states__isnull=True).values_list(
            "pk", "created_at", "owner_id"
        )
    )
    chosen = rng.sample(candidates, int(len(candidates) * SHARE))
    owners = {pk: (pk, email) for pk, email in User.objects.values_list("pk", "email")}
    statement_hash = newsletter.purpose_statements.get(purpose=purpose).statement_hash
    events: list[ConsentEvent] = []
    for contact_id, created_at, owner_id in chosen:
        owner = owners.get(owner_id)
        events.extend(
            _history(rng, now, contact_id, created_at, owner, purpose, newsletter, statement_hash)
        )
    written = consent_events_import(actor=ACTOR, events=events)
    expired = consents_expire(now=now)
    progress(f"{written} consent events for {len(chosen)} contacts, {expired} expired since")
    return written + expired
