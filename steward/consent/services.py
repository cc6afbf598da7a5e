"""Writes of the consent ledger: consent given, renewed, withdrawn, refused and expired, the
projection kept in step with each event, notices and their versions, and the website's
cookie choices.

Every event is appended to the hash chain (steward.core.chain) in the service's transaction,
with the person's ConsentState row and an audit event in the same transaction. Each service
first takes the chain's append lock, so the checks it makes against the person's current state
(duplicate, backdated, nothing to withdraw) cannot race another writer: check and append happen
under one lock.
"""

import calendar
import dataclasses
import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from steward.audit.events import audit_record, audit_record_many
from steward.consent.models import (
    GIVEN_BY_MAX,
    Channel,
    ConsentEvent,
    ConsentState,
    ConsentStatus,
    CookieCategory,
    CookieChoice,
    EventKind,
    Method,
    Notice,
    NoticeKind,
    NoticePurpose,
    NoticeVersion,
    text_hash,
)
from steward.contacts.models import Contact
from steward.core import chain
from steward.core.actor import Actor, SystemActor, actor_label, actor_user
from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import require
from steward.core.writes import create_audited, update_audited
from steward.processing.errors import UnknownPurpose
from steward.processing.models import Art9Condition, LawfulBasis, Purpose
from steward.processing.selectors import purpose_get

RECORD = "consent.record"
MANAGE = "consent.manage"
EXPIRY_ACTOR = SystemActor("consent:expiry")
COOKIE_ACTOR = SystemActor("consent:cookie-banner")
# States the expiry job turns into EXPIRED events per transaction.
EXPIRY_BATCH = 1000
# Evidence is a handful of facts (IP, user agent, page, token id), not a document store.
EVIDENCE_MAX_BYTES = 4096
_STATUS_OF_KIND = {
    EventKind.GIVEN: ConsentStatus.GIVEN,
    EventKind.RENEWED: ConsentStatus.GIVEN,
    EventKind.WITHDRAWN: ConsentStatus.WITHDRAWN,
    EventKind.EXPIRED: ConsentStatus.EXPIRED,
    EventKind.REFUSED: ConsentStatus.REFUSED,
}


# -- Small rules ---------------------------------------------------------------------------


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """`moment` plus whole calendar months; the 31st becomes the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def rests_on_consent(purpose: Purpose) -> bool:
    """Consent is the ground of the purpose: Art. 6(1)(a), or Art. 9(2)(a) explicit consent
    for special-category data (which is consent, whatever Art. 6 basis sits beside it)."""
    return (
        purpose.lawful_basis == LawfulBasis.CONSENT
        or purpose.art9_condition == Art9Condition.EXPLICIT_CONSENT
    )


def _purpose(value: Purpose | str) -> Purpose:
    if isinstance(value, Purpose):
        return value
    try:
        return purpose_get(str(value))
    except UnknownPurpose as error:
        raise ValidationFailed(error.message, field_errors={"purpose": [error.message]}) from None


def _consent_purpose(value: Purpose | str) -> Purpose:
    purpose = _purpose(value)
    if not rests_on_consent(purpose):
        message = (
            f"“{purpose.name}” rests on {purpose.get_lawful_basis_display()}, not on consent: "
            "there is no consent to record for it."
        )
        raise ValidationFailed(message, field_errors={"purpose": [message]})
    return purpose


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        message = f"{value!r} is not one of: {', '.join(choices.values)}."
        raise ValidationFailed(message, field_errors={field: [message]})
    return value


def _evidence(evidence: Mapping[str, Any] | None) -> dict[str, Any]:
    if evidence is None:
        return {}
    if not isinstance(evidence, Mapping):
        raise ValidationFailed(
            "Evidence is a JSON object.", field_errors={"evidence": ["Send a JSON object."]}
        )
    try:
        size = len(chain.canonical_json(dict(evidence)))
    except TypeError as error:
        raise ValidationFailed(str(error), field_errors={"evidence": [str(error)]}) from None
    if size > EVIDENCE_MAX_BYTES:
        message = f"Evidence is limited to {EVIDENCE_MAX_BYTES} bytes of JSON."
        raise ValidationFailed(message, field_errors={"evidence": [message]})
    # Round-tripped through JSON so the chained payload equals what the database returns.
    return json.loads(chain.canonical_json(dict(evidence)))


def _occurred_at(occurred_at: datetime.datetime | None, now: datetime.datetime):
    if occurred_at is None:
        return now
    if timezone.is_naive(occurred_at):
        message = "Give the time with its time zone."
        raise ValidationFailed(message, field_errors={"occurred_at": [message]})
    occurred_at = occurred_at.astimezone(datetime.UTC)
    if occurred_at > now:
        message = "A consent event cannot be recorded for a time in the future."
        raise ValidationFailed(message, field_errors={"occurred_at": [message]})
    return occurred_at


# -- The person's current state for a purpose ------------------------------------------------


@dataclass(frozen=True)
class Current:
    """What the ledger says now about one person (or visitor) and purpose."""

    status: str
    occurred_at: datetime.datetime
    notice_version_id: uuid.UUID | None
    text_hash: str
    parental: bool
    given_by: str
    expires_at: datetime.datetime | None
    needs_renewal: bool

    def effective_status(self, at: datetime.datetime) -> str:
        """GIVEN turns EXPIRED at its expiry even before the job has written the event."""
        if self.status == ConsentStatus.GIVEN and self.expires_at and self.expires_at <= at:
            return ConsentStatus.EXPIRED
        return self.status


def _current_of_event(event: ConsentEvent | None, needs_renewal: bool = False):
    if event is None:
        return None
    return Current(
        status=_STATUS_OF_KIND[event.kind],
        occurred_at=event.occurred_at,
        notice_version_id=event.notice_version_id,
        text_hash=event.text_hash,
        parental=event.parental,
        given_by=event.given_by,
        expires_at=event.expires_at,
        needs_renewal=needs_renewal,
    )


def _current(*, contact: Contact | None, visitor_id, purpose: Purpose) -> Current | None:
    if contact is not None:
        state = (
            ConsentState.objects.filter(contact=contact, purpose=purpose)
            .select_related("last_event")
            .first()
        )
        if state is None:
            return None
        current = _current_of_event(state.last_event, state.needs_renewal)
        # The projection is authoritative for expiry and renewal (the job and publishing
        # update it); the event supplies what the projection does not keep.
        return dataclasses.replace(current, status=state.status, expires_at=state.expires_at)
    last = (
        ConsentEvent.objects.filter(visitor_id=visitor_id, contact__isnull=True, purpose=purpose)
        .order_by("-seq")
        .first()
    )
    return _current_of_event(last)


# -- Notices: which later versions changed what a purpose's statement says ----------------


def superseded_statements(*, notice_ids: Iterable | None = None) -> set[tuple[Any, Any]]:
    """(notice version id, purpose id) pairs whose statement a later published version of
    the same notice changed or dropped: consents given under them need renewal. Publishing
    marks exactly these rows, and the projection rebuild derives the flag from this set, so
    the two cannot disagree."""
    rows = NoticePurpose.objects.filter(notice_version__published_at__isnull=False)
    if notice_ids is not None:
        rows = rows.filter(notice_version__notice_id__in=list(notice_ids))
    by_notice: dict[Any, dict[int, tuple[Any, dict[Any, str]]]] = {}
    for notice_id, version_id, number, purpose_id, statement_hash in rows.values_list(
        "notice_version__notice_id",
        "notice_version_id",
        "notice_version__version",
        "purpose_id",
        "statement_hash",
    ):
        versions = by_notice.setdefault(notice_id, {})
        versions.setdefault(number, (version_id, {}))[1][purpose_id] = statement_hash
    # Versions whose statements are all dropped have no NoticePurpose rows: list them too.
    published = NoticeVersion.objects.filter(published_at__isnull=False)
    if notice_ids is not None:
        published = published.filter(notice_id__in=list(notice_ids))
    for notice_id, version_id, number in published.values_list("notice_id", "id", "version"):
        by_notice.setdefault(notice_id, {}).setdefault(number, (version_id, {}))
    pairs = set()
    for versions in by_notice.values():
        numbers = sorted(versions)
        for index, number in enumerate(numbers):
            version_id, statements = versions[number]
            for purpose_id, statement_hash in statements.items():
                if any(
                    versions[later][1].get(purpose_id) != statement_hash
                    for later in numbers[index + 1 :]
                ):
                    pairs.add((version_id, purpose_id))
    return pairs


# -- The projection ------------------------------------------------------------------------

_PROJECTED = (
    "status",
    "parental",
    "given_at",
    "expires_at",
    "notice_version_id",
    "needs_renewal",
    "last_event_id",
    "updated_at",
)


def _fold(state: ConsentState | None, event: ConsentEvent, superseded: set) -> ConsentState:
    """The state after `event`: the one rule both the incremental projection and the
    rebuild apply."""
    if state is None:
        state = ConsentState(contact_id=event.contact_id, purpose_id=event.purpose_id)
        state.given_at = None
    status = _STATUS_OF_KIND[event.kind]
    state.status = status
    state.last_event_id = event.pk
    state.updated_at = event.recorded_at
    state.needs_renewal = False
    if status == ConsentStatus.GIVEN:
        state.given_at = event.occurred_at
        state.expires_at = event.expires_at
        state.notice_version_id = event.notice_version_id
        state.parental = event.parental
        state.needs_renewal = (event.notice_version_id, event.purpose_id) in superseded
    elif status == ConsentStatus.EXPIRED:
        state.expires_at = event.expires_at
    else:
        state.expires_at = None
        if event.notice_version_id is not None:
            state.notice_version_id = event.notice_version_id
        if status == ConsentStatus.REFUSED:
            state.parental = event.parental
    return state


def _project(event: ConsentEvent) -> None:
    """Applies one event to its person's ConsentState row (inside the event's transaction)."""
    if event.contact_id is None:
        return
    state = ConsentState.objects.filter(
        contact_id=event.contact_id, purpose_id=event.purpose_id
    ).first()
    superseded = (
        superseded_statements(notice_ids=[event.notice_version.notice_id])
        if event.kind in (EventKind.GIVEN, EventKind.RENEWED) and event.notice_version
        else set()
    )
    created = state is None
    state = _fold(state, event, superseded)
    if created:
        state.save(force_insert=True)
    else:
        state.save(update_fields=[f.removesuffix("_id") for f in _PROJECTED])


def projection_rebuild() -> int:
    """Drops ConsentState and recreates it from the ledger alone; returns the rows written.
    Events of people erased since are skipped (they have no row to project into)."""
    with transaction.atomic():
        chain.lock_chain(ConsentEvent)
        ConsentState.objects.all().delete()
        superseded = superseded_statements()
        states: dict[tuple, ConsentState] = {}
        events = (
            ConsentEvent.objects.filter(contact_id__in=Contact.objects.values("pk"))
            .only(
                "id",
                "seq",
                "contact_id",
                "purpose_id",
                "kind",
                "notice_version_id",
                "parental",
                "occurred_at",
                "recorded_at",
                "expires_at",
            )  # fmt: skip
            .order_by("seq")
        )
        for event in events.iterator(chunk_size=5000):
            key = (event.contact_id, event.purpose_id)
            states[key] = _fold(states.get(key), event, superseded)
        ConsentState.objects.bulk_create(states.values(), batch_size=1000)
    return len(states)


# -- Appending an event --------------------------------------------------------------------


def _append(
    *,
    actor: Actor,
    contact: Contact | None,
    visitor_id: uuid.UUID | None,
    purpose: Purpose,
    kind: str,
    notice_version: NoticeVersion | None,
    statement_hash: str,
    method: str,
    channel: str,
    evidence: dict,
    occurred_at: datetime.datetime,
    recorded_at: datetime.datetime,
    expires_at: datetime.datetime | None = None,
    given_by: str = "",
    parental: bool = False,
) -> ConsentEvent:
    event = ConsentEvent(
        contact=contact,
        visitor_id=visitor_id,
        purpose=purpose,
        kind=kind,
        parental=parental,
        notice_version=notice_version,
        text_hash=statement_hash,
        method=method,
        channel=channel,
        given_by=given_by,
        evidence=evidence,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        expires_at=expires_at,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
    )
    chain.append([event])
    _project(event)
    audit_record(
        actor=actor,
        action=f"consent.{kind}",
        target=event,
        changes={"kind": [None, kind]},
        context={
            "purpose": purpose.key,
            "contact": str(contact.pk) if contact else None,
            "visitor": str(visitor_id) if visitor_id else None,
            "seq": event.seq,
        },
    )
    return event


def _not_backdated(current: Current | None, occurred_at: datetime.datetime) -> None:
    if current is not None and occurred_at < current.occurred_at:
        message = (
            f"The last event for this purpose happened at {current.occurred_at:%Y-%m-%d %H:%M} "
            "UTC; a new event cannot be dated before it."
        )
        raise ValidationFailed(message, field_errors={"occurred_at": [message]})


def _statement(version: NoticeVersion | None, purpose: Purpose) -> NoticePurpose:
    if version is None:
        message = "Name the notice version the person agreed to."
        raise ValidationFailed(message, field_errors={"notice_version": [message]})
    version = NoticeVersion.objects.select_related("notice").get(pk=version.pk)
    if version.published_at is None:
        message = f"{version} is a draft; consent can only be given to a published version."
        raise ValidationFailed(message, field_errors={"notice_version": [message]})
    statement = NoticePurpose.objects.filter(notice_version=version, purpose=purpose).first()
    if statement is None:
        message = f"{version} says nothing about “{purpose.name}”; choose a version that does."
        raise ValidationFailed(message, field_errors={"notice_version": [message]})
    return statement


def _give(
    *,
    actor: Actor,
    contact: Contact | None,
    visitor_id: uuid.UUID | None,
    purpose: Purpose,
    notice_version: NoticeVersion | None,
    method: str,
    channel: str,
    evidence: dict,
    occurred_at: datetime.datetime,
    now: datetime.datetime,
    given_by: str,
    parental: bool,
    duplicate_is_error: bool = True,
) -> ConsentEvent | None:
    if not purpose.active:
        message = f"“{purpose.name}” is no longer an active purpose of the register."
        raise ValidationFailed(message, field_errors={"purpose": [message]})
    statement = _statement(notice_version, purpose)
    current = _current(contact=contact, visitor_id=visitor_id, purpose=purpose)
    _not_backdated(current, occurred_at)
    status = current.effective_status(now) if current else None
    if (
        status == ConsentStatus.GIVEN
        and not current.needs_renewal
        and current.notice_version_id == statement.notice_version_id
        and current.parental == parental
        and current.given_by == given_by
    ):
        if not duplicate_is_error:
            return None
        raise Conflict(
            f"Consent for “{purpose.name}” was already given under {statement.notice_version} "
            f"on {current.occurred_at:%Y-%m-%d}; nothing changed, so nothing was recorded."
        )
    kind = (
        EventKind.RENEWED
        if status in (ConsentStatus.GIVEN, ConsentStatus.EXPIRED)
        else EventKind.GIVEN
    )
    months = purpose.consent_valid_months
    return _append(
        actor=actor,
        contact=contact,
        visitor_id=visitor_id,
        purpose=purpose,
        kind=kind,
        notice_version=statement.notice_version,
        statement_hash=statement.statement_hash,
        method=method,
        channel=channel,
        evidence=evidence,
        occurred_at=occurred_at,
        recorded_at=now,
        expires_at=add_months(occurred_at, months) if months else None,
        given_by=given_by,
        parental=parental,
    )


def consent_give(
    *,
    actor: Actor,
    contact: Contact,
    purpose: Purpose | str,
    notice_version: NoticeVersion | None,
    method: str,
    channel: str,
    evidence: Mapping[str, Any] | None = None,
    occurred_at: datetime.datetime | None = None,
    given_by: str = "",
    parental: bool = False,
) -> ConsentEvent:
    """Records that the person consented (Art. 7(1): the controller must be able to show
    it) to `purpose` under `notice_version`: GIVEN, or RENEWED when a consent was already in
    place, had expired, or needs renewal after a notice change."""
    require(actor, RECORD)
    now = timezone.now()
    purpose = _consent_purpose(purpose)
    method = _choice(method, Method, "method")
    channel = _choice(channel, Channel, "channel")
    if method == Method.SYSTEM:
        raise ValidationFailed(
            "Only the expiry job records system events.",
            field_errors={"method": ["Choose how the person gave consent."]},
        )
    parental = parental or method == Method.PARENTAL
    given_by = (given_by or "").strip()
    if parental and not given_by:
        message = "A parental consent names the holder of parental responsibility (Art. 8)."
        raise ValidationFailed(message, field_errors={"given_by": [message], "parental": [message]})
    if len(given_by) > GIVEN_BY_MAX:
        message = (
            f"Name the holder of parental responsibility in at most {GIVEN_BY_MAX} characters."
        )
        raise ValidationFailed(message, field_errors={"given_by": [message]})
    occurred_at = _occurred_at(occurred_at, now)
    evidence = _evidence(evidence)
    with transaction.atomic():
        chain.lock_chain(ConsentEvent)
        return _give(
            actor=actor,
            contact=contact,
            visitor_id=None,
            purpose=purpose,
            notice_version=notice_version,
            method=method,
            channel=channel,
            evidence=evidence,
            occurred_at=occurred_at,
            now=now,
            given_by=given_by,
            parental=parental,
        )


def _withdraw(
    *,
    actor: Actor,
    contact: Contact | None,
    visitor_id: uuid.UUID | None,
    purpose: Purpose,
    method: str,
    channel: str,
    evidence: dict,
    occurred_at: datetime.datetime,
    now: datetime.datetime,
) -> ConsentEvent:
    current = _current(contact=contact, visitor_id=visitor_id, purpose=purpose)
    status = current.effective_status(now) if current else None
    if status is None or status == ConsentStatus.REFUSED:
        raise Conflict(
            f"No consent for “{purpose.name}” was ever given; there is nothing to withdraw."
        )
    if status == ConsentStatus.WITHDRAWN:
        raise Conflict(
            f"Consent for “{purpose.name}” was already withdrawn on "
            f"{current.occurred_at:%Y-%m-%d}; nothing was recorded."
        )
    if status == ConsentStatus.EXPIRED:
        raise Conflict(
            f"Consent for “{purpose.name}” expired on {current.expires_at:%Y-%m-%d}; there "
            "is no consent in force to withdraw."
        )
    _not_backdated(current, occurred_at)
    notice_version = (
        NoticeVersion.objects.get(pk=current.notice_version_id)
        if current.notice_version_id
        else None
    )
    return _append(
        actor=actor,
        contact=contact,
        visitor_id=visitor_id,
        purpose=purpose,
        kind=EventKind.WITHDRAWN,
        notice_version=notice_version,
        statement_hash=current.text_hash,
        method=method,
        channel=channel,
        evidence=evidence,
        occurred_at=occurred_at,
        recorded_at=now,
        parental=current.parental,
    )


def consent_withdraw(
    *,
    actor: Actor,
    contact: Contact,
    purpose: Purpose | str,
    method: str,
    channel: str,
    evidence: Mapping[str, Any] | None = None,
    occurred_at: datetime.datetime | None = None,
) -> ConsentEvent:
    """Records that the person withdrew their consent (Art. 7(3): as easy as giving it).
    Processing that rested on it stops from `occurred_at`; what happened before stays
    lawful."""
    require(actor, RECORD)
    now = timezone.now()
    purpose = _consent_purpose(purpose)
    method = _choice(method, Method, "method")
    channel = _choice(channel, Channel, "channel")
    occurred_at = _occurred_at(occurred_at, now)
    evidence = _evidence(evidence)
    with transaction.atomic():
        chain.lock_chain(ConsentEvent)
        return _withdraw(
            actor=actor,
            contact=contact,
            visitor_id=None,
            purpose=purpose,
            method=method,
            channel=channel,
            evidence=evidence,
            occurred_at=occurred_at,
            now=now,
        )


def consents_expire(*, now: datetime.datetime | None = None) -> int:
    """Writes an EXPIRED event for every consent whose validity (Purpose.consent_valid_months)
    ran out by `now`, dated at its expiry; returns how many. Safe to run twice: an expired
    state is no longer GIVEN, so a second run finds nothing."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            chain.lock_chain(ConsentEvent)
            states = list(
                ConsentState.objects.filter(status=ConsentStatus.GIVEN, expires_at__lte=now)
                .select_related("last_event")
                .order_by("expires_at", "id")[:EXPIRY_BATCH]
            )
            if not states:
                return total
            events = [
                ConsentEvent(
                    contact_id=state.contact_id,
                    purpose_id=state.purpose_id,
                    kind=EventKind.EXPIRED,
                    parental=state.parental,
                    notice_version_id=state.notice_version_id,
                    text_hash=state.last_event.text_hash,
                    method=Method.SYSTEM,
                    channel=Channel.SYSTEM,
                    evidence={"given_at": state.given_at.isoformat()},
                    occurred_at=state.expires_at,
                    recorded_at=now,
                    expires_at=state.expires_at,
                    actor=None,
                    actor_label=EXPIRY_ACTOR.label,
                )
                for state in states
            ]
            chain.append(events)
            # One UPDATE for the batch; each row points at its own new EXPIRED event. Equal
            # to folding the event in (_fold): status, no renewal pending, last event, time.
            newest_expiry = (
                ConsentEvent.objects.filter(
                    contact_id=OuterRef("contact_id"),
                    purpose_id=OuterRef("purpose_id"),
                    kind=EventKind.EXPIRED,
                )
                .order_by("-seq")
                .values("pk")[:1]
            )
            ConsentState.objects.filter(pk__in=[state.pk for state in states]).update(
                status=ConsentStatus.EXPIRED,
                needs_renewal=False,
                last_event_id=Subquery(newest_expiry),
                updated_at=now,
            )
            audit_record_many(
                actor=EXPIRY_ACTOR,
                action="consent.expired",
                targets=events,
                changes={"kind": [None, EventKind.EXPIRED]},
            )
            total += len(events)


# -- Notices -------------------------------------------------------------------------------


def notice_create(*, actor: Actor, key: str, title: str, kind: str) -> Notice:
    """A new notice (a privacy notice or a consent text); its wording comes in versions."""
    require(actor, MANAGE)
    key, title = (key or "").strip(), (title or "").strip()
    kind = _choice(kind, NoticeKind, "kind")
    errors = {}
    if not key:
        errors["key"] = ["Give the notice a short key (letters, digits, hyphens)."]
    if not title:
        errors["title"] = ["Give the notice a title."]
    if errors:
        raise ValidationFailed("Please correct the notice.", field_errors=errors)
    with transaction.atomic():
        if Notice.objects.filter(key=key).exists():
            raise Conflict(
                f"A notice with the key {key!r} exists.",
                field_errors={"key": ["This key is taken."]},
            )
        return create_audited(
            actor=actor,
            model=Notice,
            data={"key": key, "title": title, "kind": kind},
            action="notice.created",
        )


def _statements(statements: Mapping[Purpose | str, str]) -> dict[Purpose, str]:
    cleaned = {}
    for purpose, statement in statements.items():
        statement = (statement or "").replace("\r\n", "\n").strip()
        if statement:
            cleaned[_purpose(purpose)] = statement
    if not cleaned:
        message = "A version says what the person agrees to for at least one purpose."
        raise ValidationFailed(message, field_errors={"statements": [message]})
    return cleaned


def _text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed(
            "The version needs its text.", field_errors={"text": ["Write the notice's text."]}
        )
    return text


def _write_statements(version: NoticeVersion, statements: dict[Purpose, str]) -> None:
    version.purpose_statements.all().delete()
    NoticePurpose.objects.bulk_create(
        NoticePurpose(
            notice_version=version,
            purpose=purpose,
            statement=statement,
            statement_hash=text_hash(statement),
        )
        for purpose, statement in statements.items()
    )


def _statement_snapshot(statements: dict[Purpose, str]) -> dict[str, str]:
    return {p.key: text_hash(s) for p, s in sorted(statements.items(), key=lambda i: i[0].key)}


def notice_version_draft(
    *, actor: Actor, notice: Notice, text: str, statements: Mapping[Purpose | str, str]
) -> NoticeVersion:
    """A new draft version of `notice` (number: the last one plus one), with its statement
    per purpose. One draft at a time: a second would fork the notice's history."""
    require(actor, MANAGE)
    text = _text(text)
    cleaned = _statements(statements)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        draft = notice.versions.filter(published_at__isnull=True).first()
        if draft is not None:
            raise Conflict(f"{draft} is a draft still; change or publish it first.")
        last = notice.versions.order_by("-version").values_list("version", flat=True).first()
        version = NoticeVersion(notice=notice, version=(last or 0) + 1, text=text)
        version.text_hash = text_hash(text)
        version.save(force_insert=True)
        _write_statements(version, cleaned)
        audit_record(
            actor=actor,
            action="notice_version.created",
            target=version,
            changes={"text_hash": [None, version.text_hash]},
            context={"notice": notice.key, "statements": _statement_snapshot(cleaned)},
        )
    return version


def notice_version_update(
    *, actor: Actor, version: NoticeVersion, text: str, statements: Mapping[Purpose | str, str]
) -> NoticeVersion:
    """Changes a draft's text and statements. Published versions never change: people
    agreed to their wording, and proof of consent points at it."""
    require(actor, MANAGE)
    text = _text(text)
    cleaned = _statements(statements)
    with transaction.atomic():
        version = NoticeVersion.objects.select_for_update().get(pk=version.pk)
        if version.published_at is not None:
            raise Conflict(f"{version} is published and never changes; make a new draft.")
        before = version.text_hash
        version.text = text
        version.text_hash = text_hash(text)
        version.save(update_fields=["text", "text_hash", "updated_at"])
        _write_statements(version, cleaned)
        audit_record(
            actor=actor,
            action="notice_version.updated",
            target=version,
            changes={"text_hash": [before, version.text_hash]},
            context={"statements": _statement_snapshot(cleaned)},
        )
    return version


def _renewal_filter(version: NoticeVersion) -> tuple[Q | None, set]:
    """The ConsentState rows publishing `version` makes need renewal (given under an older
    published version of the same notice whose statement for the purpose `version` changes
    or drops), and the ids of those purposes."""
    new = dict(version.purpose_statements.values_list("purpose_id", "statement_hash"))
    older = NoticePurpose.objects.filter(
        notice_version__notice_id=version.notice_id,
        notice_version__published_at__isnull=False,
        notice_version__version__lt=version.version,
    ).values_list("notice_version_id", "purpose_id", "statement_hash")
    affected: dict[Any, list] = {}
    for version_id, purpose_id, statement_hash in older:
        if new.get(purpose_id) != statement_hash:
            affected.setdefault(version_id, []).append(purpose_id)
    if not affected:
        return None, set()
    condition = Q()
    for version_id, purpose_ids in affected.items():
        condition |= Q(notice_version_id=version_id, purpose_id__in=purpose_ids)
    changed = {pid for purpose_ids in affected.values() for pid in purpose_ids}
    return condition & Q(status=ConsentStatus.GIVEN), changed


def notice_version_renewal_count(version: NoticeVersion) -> int:
    """How many consents publishing `version` would mark as needing renewal."""
    condition, _ = _renewal_filter(version)
    if condition is None:
        return 0
    return ConsentState.objects.filter(condition, needs_renewal=False).count()


def notice_version_publish(
    *, actor: Actor, version: NoticeVersion, now: datetime.datetime | None = None
) -> list[Purpose]:
    """Publishes a draft; from now on it never changes. Consents given under an older
    version whose statement for a purpose this one changes or drops are marked as needing
    renewal (in one UPDATE); returns those purposes."""
    require(actor, MANAGE)
    now = now or timezone.now()
    with transaction.atomic():
        # Under the ledger's lock: a consent given meanwhile under an older version is
        # either marked here or computes its flag against this version.
        chain.lock_chain(ConsentEvent)
        version = NoticeVersion.objects.select_for_update().get(pk=version.pk)
        if version.published_at is not None:
            raise Conflict(f"{version} was published on {version.published_at:%Y-%m-%d}.")
        if not version.purpose_statements.exists():
            raise ValidationFailed(
                f"{version} says nothing about any purpose; add a statement first."
            )
        condition, purpose_ids = _renewal_filter(version)
        version.published_at = now
        version.save(update_fields=["published_at", "updated_at"])
        marked = 0
        if condition is not None:
            marked = ConsentState.objects.filter(condition, needs_renewal=False).update(
                needs_renewal=True
            )
        purposes = list(Purpose.objects.filter(pk__in=purpose_ids).order_by("name"))
        audit_record(
            actor=actor,
            action="notice_version.published",
            target=version,
            changes={"published_at": [None, now]},
            context={
                "consents_needing_renewal": marked,
                "purposes_changed": [p.key for p in purposes],
            },
        )
    return purposes


# -- The website's cookie banner -----------------------------------------------------------


def cookie_link_token_id(token: str) -> str:
    """A short fingerprint of a link token for the evidence (the token itself is a
    credential for linking a browser to a person, so it is not stored)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def cookie_choice_record(
    *,
    visitor_id: uuid.UUID,
    choices: Mapping[str, Any],
    evidence: Mapping[str, Any] | None = None,
    contact: Contact | None = None,
    now: datetime.datetime | None = None,
) -> CookieChoice:
    """Records a visitor's choice in the cookie banner: one consent event per category
    whose answer changed what the ledger holds (GIVEN/RENEWED, WITHDRAWN, or REFUSED when
    asked for the first time or again after expiry), for the contact when the visitor is
    known. Strictly necessary cookies rest on legitimate interests, not consent: they are
    kept in the choice, never as a consent event."""
    now = now or timezone.now()
    evidence = _evidence(evidence)
    categories = list(CookieCategory.objects.all())
    known = {c.key for c in categories}
    if not isinstance(choices, Mapping):
        raise ValidationFailed(
            "Send the choice as an object.", field_errors={"choices": ["Send an object."]}
        )
    errors: dict[str, list[str]] = {}
    for key, value in choices.items():
        if key not in known:
            errors[f"choices.{key}"] = [f"Unknown cookie category {key!r}."]
        elif not isinstance(value, bool):
            errors[f"choices.{key}"] = ["Send true or false."]
    for category in categories:
        if category.consent_required and category.key not in choices:
            errors[f"choices.{category.key}"] = ["Say whether the visitor accepted this."]
        if not category.consent_required and choices.get(category.key) is False:
            errors[f"choices.{category.key}"] = [
                "Strictly necessary cookies cannot be refused; the site needs them."
            ]
    if errors:
        raise ValidationFailed(
            "The cookie choice is not valid: "
            + "; ".join(f"{k}: {v[0]}" for k, v in errors.items()),
            field_errors=errors,
        )
    from steward.consent.selectors import notice_version_current_for

    seqs = []
    with transaction.atomic():
        chain.lock_chain(ConsentEvent)
        for category in categories:
            if not category.consent_required:
                continue
            purpose = _consent_purpose(category.purpose_key)
            version = notice_version_current_for(purpose)
            if version is None and choices[category.key]:
                raise ValidationFailed(
                    f"No published notice covers “{purpose.name}”: publish the cookie "
                    "banner's text before asking for consent."
                )
            current = _current(contact=contact, visitor_id=visitor_id, purpose=purpose)
            status = current.effective_status(now) if current else None
            common = {
                "actor": COOKIE_ACTOR,
                "contact": contact,
                "visitor_id": visitor_id,
                "purpose": purpose,
                "method": Method.COOKIE_BANNER,
                "channel": Channel.WEB,
                "evidence": {**evidence, "category": category.key},
                "occurred_at": now,
            }
            event = None
            if choices[category.key]:
                event = _give(
                    **common,
                    notice_version=version,
                    now=now,
                    given_by="",
                    parental=False,
                    duplicate_is_error=False,
                )
            elif status == ConsentStatus.GIVEN:
                event = _withdraw(**common, now=now)
            elif status in (None, ConsentStatus.EXPIRED):
                event = _append(
                    **common,
                    kind=EventKind.REFUSED,
                    notice_version=version,
                    statement_hash=_statement(version, purpose).statement_hash if version else "",
                    recorded_at=now,
                )
            if event is not None:
                seqs.append(event.seq)
        choice = CookieChoice.objects.create(
            visitor_id=visitor_id,
            contact=contact,
            choices={c.key: bool(choices.get(c.key, True)) for c in categories},
            evidence=evidence,
            event_seqs=seqs,
            occurred_at=now,
        )
        audit_record(
            actor=COOKIE_ACTOR,
            action="cookie_choice.recorded",
            target=choice,
            changes={"choices": [None, choice.choices]},
            context={"seqs": seqs},
        )
    return choice


def cookie_category_vendors_set(
    *, actor: Actor, category: CookieCategory, vendors: Iterable
) -> CookieCategory:
    """Which recipients set the cookies of a category (shown in the banner)."""
    require(actor, MANAGE)
    return update_audited(
        actor=actor,
        instance=category,
        data={},
        action="cookie_category.updated",
        m2m={"vendors": list(vendors)},
    )


def consent_events_import(*, actor: Actor, events: list[ConsentEvent]) -> int:
    """The bulk path (imports, demo data): appends histories of people the ledger holds
    nothing for yet, in one transaction, with the projection and one audit event per event.
    Each person's events must be in time order and follow the rules the services enforce one
    by one (a consent-based purpose, a published statement's hash, no withdrawal before a
    consent); this checks them, then writes everything or nothing."""
    require(actor, RECORD)
    if not events:
        return 0
    purposes = {p.pk: p for p in Purpose.objects.filter(pk__in={e.purpose_id for e in events})}
    statements = set(
        NoticePurpose.objects.filter(
            notice_version_id__in={e.notice_version_id for e in events},
            notice_version__published_at__isnull=False,
        ).values_list("notice_version_id", "purpose_id", "statement_hash")
    )
    now = timezone.now()
    last: dict[tuple, ConsentEvent] = {}
    for index, event in enumerate(events):
        where = f"Event {index + 1}: "
        purpose = purposes.get(event.purpose_id)
        if purpose is None or not rests_on_consent(purpose):
            raise ValidationFailed(where + "its purpose does not rest on consent.")
        if event.contact_id is None or event.occurred_at > now:
            raise ValidationFailed(where + "it needs a contact and a time not in the future.")
        key = (event.contact_id, event.purpose_id)
        before = last.get(key)
        if before is not None and event.occurred_at < before.occurred_at:
            raise ValidationFailed(where + "it is dated before the person's previous event.")
        if event.kind in (EventKind.GIVEN, EventKind.RENEWED):
            if (event.notice_version_id, event.purpose_id, event.text_hash) not in statements:
                raise ValidationFailed(where + "it names no published statement's hash.")
        elif event.kind == EventKind.WITHDRAWN:
            if before is None or before.kind not in (EventKind.GIVEN, EventKind.RENEWED):
                raise ValidationFailed(where + "it withdraws a consent that was not given.")
        else:
            raise ValidationFailed(where + "only given, renewed and withdrawn can be imported.")
        event.recorded_at = now
        event.actor_label = event.actor_label or actor_label(actor)
        last[key] = event
    with transaction.atomic():
        chain.lock_chain(ConsentEvent)
        if ConsentEvent.objects.filter(contact_id__in={k[0] for k in last}).exists():
            raise Conflict("The ledger already holds events for some of these people.")
        chain.append(events)
        superseded = superseded_statements()
        states: dict[tuple, ConsentState] = {}
        for event in events:
            key = (event.contact_id, event.purpose_id)
            states[key] = _fold(states.get(key), event, superseded)
        ConsentState.objects.bulk_create(states.values(), batch_size=1000)
        audit_record_many(
            actor=actor, action="consent.imported", targets=events, changes={"kind": [None, ""]}
        )
    return len(events)
