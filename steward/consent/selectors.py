"""Reads of the consent ledger: a person's states and events, notices and their versions,
the cookie categories, and the proof of consent (a receipt modelled on the Kantara Consent
Receipt v1.1) that can be checked against the chain event by event.

Who may read a person's consents is decided by who may see the person: callers pass a
contact they obtained through steward.contacts.selectors.contact_get (scoped to the actor)."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from steward.consent.models import (
    ConsentEvent,
    ConsentState,
    ConsentStatus,
    CookieCategory,
    CookieChoice,
    Notice,
    NoticePurpose,
    NoticeVersion,
)
from steward.contacts.models import Contact
from steward.core.chain import head
from steward.core.errors import NotFound
from steward.processing.models import Art9Condition, LawfulBasis, Purpose
from steward.processing.selectors import special_categories_in

RECEIPT_VERSION = "KI-CR-v1.1.0"


def consent_purposes() -> QuerySet[Purpose]:
    """Active purposes that rest on consent (Art. 6(1)(a) or Art. 9(2)(a))."""
    return Purpose.objects.filter(
        Q(lawful_basis=LawfulBasis.CONSENT) | Q(art9_condition=Art9Condition.EXPLICIT_CONSENT),
        active=True,
    ).order_by("name")


def consent_states_for(contact: Contact) -> list[ConsentState]:
    """The person's current state per purpose, by purpose name."""
    return list(
        ConsentState.objects.filter(contact=contact)
        .select_related("purpose", "notice_version__notice", "last_event")
        .order_by("purpose__name")
    )


def consent_events_for(contact: Contact) -> QuerySet[ConsentEvent]:
    """The person's ledger events, newest first."""
    return (
        ConsentEvent.objects.filter(contact_id=contact.pk)
        .select_related("purpose", "notice_version__notice")
        .order_by("-seq")
    )


def consent_state_get(contact: Contact, purpose: Purpose) -> ConsentState | None:
    return ConsentState.objects.filter(contact=contact, purpose=purpose).first()


def notice_list() -> QuerySet[Notice]:
    """Every notice with its versions (newest first)."""
    return Notice.objects.prefetch_related(
        Prefetch("versions", queryset=NoticeVersion.objects.order_by("-version"))
    )


def notice_get(pk) -> Notice:
    try:
        return notice_list().get(pk=pk)
    except (Notice.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such notice.") from None


def notice_version_get(pk) -> NoticeVersion:
    try:
        return (
            NoticeVersion.objects.select_related("notice")
            .prefetch_related(
                Prefetch(
                    "purpose_statements",
                    queryset=NoticePurpose.objects.select_related("purpose").order_by(
                        "purpose__name"
                    ),
                )
            )
            .get(pk=pk)
        )
    except (NoticeVersion.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such notice version.") from None


def notice_version_current_for(purpose: Purpose) -> NoticeVersion | None:
    """The newest published version (consent texts before privacy notices) that says
    something about `purpose`: the one a form or the cookie banner asks consent under."""
    return (
        NoticeVersion.objects.filter(
            published_at__isnull=False, purpose_statements__purpose=purpose
        )
        .select_related("notice")
        .order_by("notice__kind", "-published_at", "-version")
        .first()
    )


def notice_versions_published_for(purpose_ids) -> list[NoticePurpose]:
    """Published statements for the purposes, newest first (the staff form's choices)."""
    return list(
        NoticePurpose.objects.filter(
            purpose_id__in=list(purpose_ids), notice_version__published_at__isnull=False
        )
        .select_related("notice_version__notice", "purpose")
        .order_by("purpose__name", "-notice_version__published_at")
    )


def cookie_categories() -> list[CookieCategory]:
    """The banner's categories, in order, with their vendors."""
    return list(CookieCategory.objects.prefetch_related("vendors"))


# A link token ties a browser to a person who arrived from one of our emails or filled in a
# form: signed (the salt keeps it from being any other signed value of Steward's) and
# valid for a month.
COOKIE_LINK_SALT = "steward.consent.cookie-link"
COOKIE_LINK_MAX_AGE = 30 * 24 * 3600


def cookie_link_token_for(contact: Contact) -> str:
    """The token to put into an email link (?steward_link=...) or a form's response."""
    return signing.dumps({"c": str(contact.pk)}, salt=COOKIE_LINK_SALT, compress=True)


def cookie_link_contact(token: str) -> Contact | None:
    """The contact a link token names; None when it is forged, altered or too old (the
    choice is then recorded for the anonymous visitor)."""
    try:
        data = signing.loads(token, salt=COOKIE_LINK_SALT, max_age=COOKIE_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    try:
        return Contact.objects.filter(pk=data.get("c")).first()
    except (ValueError, ValidationError, AttributeError):
        return None


def cookie_visitor_contact(visitor_id) -> Contact | None:
    """The contact a visitor was linked to by an earlier choice: a later choice from the
    same browser (without the token) still changes that person's consents."""
    choice = (
        CookieChoice.objects.filter(visitor_id=visitor_id, contact__isnull=False)
        .select_related("contact")
        .order_by("-occurred_at")
        .first()
    )
    return choice.contact if choice else None


# -- Proof of consent ----------------------------------------------------------------------


@dataclass(frozen=True)
class Controller:
    name: str
    email: str
    address: str
    phone: str
    url: str
    jurisdiction: str
    policy_url: str


def controller() -> Controller:
    """Who is responsible for the processing (Art. 4(7)), from settings."""
    return Controller(
        name=getattr(settings, "STEWARD_CONTROLLER_NAME", "") or "The controller",
        email=getattr(settings, "STEWARD_CONTROLLER_EMAIL", ""),
        address=getattr(settings, "STEWARD_CONTROLLER_ADDRESS", ""),
        phone=getattr(settings, "STEWARD_CONTROLLER_PHONE", ""),
        url=getattr(settings, "STEWARD_CONTROLLER_URL", "") or settings.SITE_URL,
        jurisdiction=getattr(settings, "STEWARD_CONTROLLER_COUNTRY", "") or "EU",
        policy_url=getattr(settings, "STEWARD_PRIVACY_POLICY_URL", ""),
    )


def _iso(value: datetime.datetime | None) -> str | None:
    return value.astimezone(datetime.UTC).isoformat() if value else None


def _event_proof(event: ConsentEvent) -> dict[str, Any]:
    version = event.notice_version
    return {
        "seq": event.seq,
        "entryHash": event.entry_hash,
        "prevHash": event.prev_hash,
        "kind": event.kind,
        "purpose": event.purpose.key,
        "occurredAt": _iso(event.occurred_at),
        "recordedAt": _iso(event.recorded_at),
        "expiresAt": _iso(event.expires_at),
        "method": event.method,
        "channel": event.channel,
        "parental": event.parental,
        "givenBy": event.given_by,
        "notice": (
            {
                "key": version.notice.key,
                "title": version.notice.title,
                "version": version.version,
                "textHash": version.text_hash,
                "statementHash": event.text_hash,
            }
            if version
            else None
        ),
        "evidence": event.evidence,
        "recordedBy": event.actor_label,
    }


def consent_receipt(*, contact: Contact, now: datetime.datetime | None = None) -> dict:
    """The person's proof of consent: the fields of a Kantara Consent Receipt (v1.1) for
    every purpose the ledger holds a choice of theirs for, and, under "steward", every event
    with its seq and entry hash so each can be checked against the chain."""
    now = now or timezone.now()
    who = controller()
    states = consent_states_for(contact)
    events = list(consent_events_for(contact).order_by("seq"))
    services = []
    sensitive: set[str] = set()
    for state in states:
        purpose = state.purpose
        special = special_categories_in(purpose.data_categories or [])
        sensitive.update(special)
        recipients = [r.name for r in purpose.recipients.all()]
        if state.status == ConsentStatus.GIVEN:
            termination = (
                f"Until withdrawn, at the latest {state.expires_at:%Y-%m-%d}."
                if state.expires_at
                else "Until withdrawn."
            )
        else:
            termination = f"Ended: {state.get_status_display().lower()}."
        services.append(
            {
                "service": purpose.name,
                "purposes": [
                    {
                        "purpose": purpose.description,
                        "purposeCategory": [purpose.key],
                        "consentType": "EXPLICIT",
                        "piiCategory": list(purpose.data_categories or []),
                        "primaryPurpose": True,
                        "termination": termination,
                        "thirdPartyDisclosure": bool(recipients),
                        "thirdPartyName": ", ".join(recipients),
                        # Steward's additions to the purpose object:
                        "status": state.status,
                        "needsRenewal": state.needs_renewal,
                        "parental": state.parental,
                        "givenAt": _iso(state.given_at),
                        "expiresAt": _iso(state.expires_at),
                        "notice": (
                            {
                                "key": state.notice_version.notice.key,
                                "version": state.notice_version.version,
                                "textHash": state.notice_version.text_hash,
                                "statementHash": state.last_event.text_hash,
                            }
                            if state.notice_version
                            else None
                        ),
                        "lastEventSeq": state.last_event.seq,
                    }
                ],
            }
        )
    last = events[-1] if events else None
    head_seq, head_hash = head(ConsentEvent)
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": who.jurisdiction,
        "consentTimestamp": int(last.occurred_at.timestamp()) if last else None,
        "collectionMethod": last.get_method_display() if last else None,
        "consentReceiptID": str(
            uuid.uuid5(
                uuid.NAMESPACE_URL, f"steward:consent:{contact.pk}:{last.seq if last else 0}"
            )
        ),
        "language": contact.language or "en",
        "piiPrincipalId": contact.email or str(contact.pk),
        "piiControllers": [
            {
                "piiController": who.name,
                "onBehalf": False,
                "contact": who.name,
                "address": who.address,
                "email": who.email,
                "phone": who.phone,
                "piiControllerUrl": who.url,
            }
        ],
        "policyUrl": who.policy_url,
        "services": services,
        "sensitive": bool(sensitive),
        "spiCat": sorted(sensitive),
        "steward": {
            "contactId": str(contact.pk),
            "generatedAt": _iso(now),
            "ledger": {
                "table": ConsentEvent._meta.db_table,
                "headSeq": head_seq,
                "headHash": head_hash,
                "hash": "SHA-256(prefix | seq | prev_hash | canonical JSON of the event)",
            },
            "events": [_event_proof(e) for e in events],
        },
    }
