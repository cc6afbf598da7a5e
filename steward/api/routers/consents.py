"""/consents: a contact's consents (current state per purpose and the ledger's events),
giving and withdrawing consent (Art. 7(3): one call each), and the proof of consent."""

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status

from steward.api.errors import errors
from steward.api.schemas import RequestBody, Text, Timestamp
from steward.consent.models import Channel, ConsentEvent, ConsentState, Method
from steward.consent.selectors import (
    consent_events_for,
    consent_receipt,
    consent_states_for,
    notice_version_get,
)
from steward.consent.services import consent_give, consent_withdraw
from steward.contacts.selectors import contact_get
from steward.core.errors import NotFound, ValidationFailed

router = Router(tags=["consents"])


class NoticeRef(Schema):
    id: UUID
    key: str
    version: int


class ConsentStateOut(Schema):
    """What holds now for one purpose."""

    purpose: str
    status: str
    parental: bool
    given_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    needs_renewal: bool
    notice: NoticeRef | None
    last_event_seq: int


class ConsentEventOut(Schema):
    """One event of the ledger; `seq` and `entry_hash` place it in the hash chain."""

    seq: int
    entry_hash: str
    kind: str
    purpose: str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    expires_at: datetime.datetime | None
    method: str
    channel: str
    parental: bool
    given_by: str
    notice: NoticeRef | None
    text_hash: str
    evidence: dict[str, Any]
    recorded_by: str


class ContactConsentsOut(Schema):
    contact: UUID
    states: list[ConsentStateOut]
    events: list[ConsentEventOut]


# Evidence is a handful of facts (IP, user agent, page, a reference), one level deep.
Evidence = dict[str, Text(1000) | int | float | bool | None]


class ConsentGiveIn(RequestBody):
    purpose: Text(50, min_length=1)
    notice_version: UUID
    method: Method = Method.API
    channel: Channel = Channel.API
    occurred_at: Timestamp | None = None
    evidence: Evidence | None = None
    given_by: Text(200) = ""
    parental: bool = False


class ConsentWithdrawIn(RequestBody):
    purpose: Text(50, min_length=1)
    method: Method = Method.API
    channel: Channel = Channel.API
    occurred_at: Timestamp | None = None
    evidence: Evidence | None = None


def _notice(version) -> dict | None:
    if version is None:
        return None
    return {"id": version.pk, "key": version.notice.key, "version": version.version}


def _state_out(state: ConsentState) -> dict:
    return {
        "purpose": state.purpose.key,
        "status": state.status,
        "parental": state.parental,
        "given_at": state.given_at,
        "expires_at": state.expires_at,
        "needs_renewal": state.needs_renewal,
        "notice": _notice(state.notice_version),
        "last_event_seq": state.last_event.seq,
    }


def _event_out(event: ConsentEvent) -> dict:
    return {
        "seq": event.seq,
        "entry_hash": event.entry_hash,
        "kind": event.kind,
        "purpose": event.purpose.key,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "expires_at": event.expires_at,
        "method": event.method,
        "channel": event.channel,
        "parental": event.parental,
        "given_by": event.given_by,
        "notice": _notice(event.notice_version),
        "text_hash": event.text_hash,
        "evidence": event.evidence,
        "recorded_by": event.actor_label,
    }


@router.get("/{contact_id}", response={200: ContactConsentsOut, **errors(404, 422)})
def list_consents(request: HttpRequest, contact_id: UUID):
    """The contact's state per purpose and every event of theirs in the ledger (oldest
    first)."""
    contact = contact_get(actor=request.auth, pk=contact_id)
    return {
        "contact": contact.pk,
        "states": [_state_out(s) for s in consent_states_for(contact)],
        "events": [_event_out(e) for e in consent_events_for(contact).order_by("seq")],
    }


@router.post("/{contact_id}", response={201: ConsentEventOut, **errors(403, 404, 409, 422)})
def give_consent(request: HttpRequest, contact_id: UUID, payload: ConsentGiveIn):
    """Records a consent under a published notice version: `given`, or `renewed` when one
    was in place, had expired or needs renewal. The same consent twice is a 409."""
    contact = contact_get(actor=request.auth, pk=contact_id)
    try:
        version = notice_version_get(payload.notice_version)
    except NotFound:
        message = "No such notice version."
        raise ValidationFailed(message, field_errors={"notice_version": [message]}) from None
    event = consent_give(
        actor=request.auth,
        contact=contact,
        purpose=payload.purpose,
        notice_version=version,
        method=payload.method,
        channel=payload.channel,
        evidence=payload.evidence,
        occurred_at=payload.occurred_at,
        given_by=payload.given_by,
        parental=payload.parental,
    )
    return Status(201, _event_out(event))


@router.post(
    "/{contact_id}/withdraw", response={201: ConsentEventOut, **errors(403, 404, 409, 422)}
)
def withdraw_consent(request: HttpRequest, contact_id: UUID, payload: ConsentWithdrawIn):
    """Withdraws the contact's consent for a purpose in one call (Art. 7(3)). A consent
    never given, or already withdrawn or expired, is a 409."""
    contact = contact_get(actor=request.auth, pk=contact_id)
    event = consent_withdraw(
        actor=request.auth,
        contact=contact,
        purpose=payload.purpose,
        method=payload.method,
        channel=payload.channel,
        evidence=payload.evidence,
        occurred_at=payload.occurred_at,
    )
    return Status(201, _event_out(event))


@router.get("/{contact_id}/receipt", response={200: dict[str, Any], **errors(404, 422)})
def consent_receipt_of(request: HttpRequest, contact_id: UUID):
    """The proof of consent: a Kantara Consent Receipt (v1.1) with every ledger event's seq
    and entry hash under `steward.events`."""
    contact = contact_get(actor=request.auth, pk=contact_id)
    return consent_receipt(contact=contact)
