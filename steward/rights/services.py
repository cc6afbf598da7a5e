"""Writes of the rights workflow. Every status change goes through `_transition`, which
checks steward.rights.workflow's table under a row lock and records the request's event and
an audit event in the same transaction; mail goes out after commit.

Audit events of requests carry no identifying values (the request's id, kind, channel and
statuses, never the requester's address, name or free text), so the trail stays
pseudonymous once an erasure anonymises the request itself."""

import datetime
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from steward.audit.context import audit_context
from steward.audit.events import audit_record
from steward.contacts.choices import ContactMethodKind
from steward.contacts.models import Contact, ContactMethod
from steward.contacts.normalise import normalise_email
from steward.core.actor import Actor, SystemActor, actor_label, actor_user
from steward.core.errors import Conflict, NotFound, ValidationFailed
from steward.core.permissions import require
from steward.core.scoping import may_see
from steward.processing.models import ObjectionScope, Recipient, Restriction
from steward.processing.services import (
    objection_decide,
    objection_record,
    restriction_lift,
    restriction_start,
)
from steward.rights import deadlines, links, notices
from steward.rights.choices import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    EventKind,
    ObjectionGround,
    RefusalGround,
    RequestChannel,
    RequestKind,
    RequestStatus,
)
from steward.rights.models import (
    InformationRequest,
    RecipientNotification,
    RequestEvent,
    RightsRequest,
)
from steward.rights.workflow import transition_check

PORTAL = SystemActor("portal")
MANAGE = "rights.manage"
# Where the work of carrying a request out happens.
WORKING = frozenset({RequestStatus.IN_PROGRESS, RequestStatus.EXTENDED})
# What staff may correct on a person's record for a rectification (Art. 16).
RECTIFIABLE_FIELDS = (
    "given_name", "family_name", "email", "phone", "job_title", "street", "postal_code",
    "city", "region", "country", "language",
)  # fmt: skip


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def _text(value: Any, field: str, *, required: str = "", limit: int = 5000) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise _refuse(field, required)
    if len(text) > limit:
        raise _refuse(field, f"At most {limit} characters, please.")
    return text


def _reference() -> str:
    # 8 characters of an unambiguous alphabet: ~10^12 values, guessed by nobody; the
    # unique constraint catches the (vanishing) collision.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "R-" + "".join(secrets.choice(alphabet) for _ in range(8))


def _event(
    request: RightsRequest,
    *,
    actor: Actor,
    kind: str,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        occurred_at=timezone.now(),
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _audit(actor: Actor, action: str, request: RightsRequest, **changes) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=request,
        changes=changes,
        context={"rights_request": request.reference, "kind": request.kind},
    )


def _locked(request: RightsRequest) -> RightsRequest:
    return RightsRequest.objects.select_for_update().get(pk=request.pk)


def _transition(
    *,
    actor: Actor,
    request: RightsRequest,
    target: str,
    event_kind: str = EventKind.STATUS,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> RightsRequest:
    """The one place a request's status changes: under a row lock (two staff members
    clicking at once: the second sees the first's status), checked against the table,
    recorded as an event and audited. Call inside a transaction."""
    current = _locked(request)
    transition_check(current.status, target)
    before = current.status
    current.status = target
    fields = ["status", "updated_at"]
    audited: dict[str, list] = {"status": [before, target]}
    for name, value in (data or {}).items():
        if name not in _PERSONAL_FIELDS:
            audited[name] = [getattr(current, name), value]
        setattr(current, name, value)
        fields.append(name)
    if target in CLOSED_STATUSES:
        current.closed_at = timezone.now()
        fields.append("closed_at")
    current.save(update_fields=fields)
    _event(current, actor=actor, kind=event_kind, note=note, from_status=before, to_status=target)
    _audit(actor, "rights_request.status_changed", current, **audited)
    return current


_PERSONAL_FIELDS = frozenset(
    {
        "requester_email", "requester_name", "details", "extension_reason",
        "verification_method", "refusal_reasons", "fee_reason", "outcome", "staff_notes",
        "verification_nonce_hash",
    }
)  # fmt: skip


def _visible(request: RightsRequest, actor: Actor) -> None:
    if request.contact_id is not None and not may_see(request.contact, actor):
        raise NotFound("No such request.")


def _require_open(request: RightsRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise Conflict(f"This request is {request.get_status_display().lower()} already.")


# -- Receiving ----------------------------------------------------------------------------


def contact_for_address(email: str) -> Contact | None:
    """The contact whose primary or further address `email` is (the address on file)."""
    email = normalise_email(email)
    if not email:
        return None
    contact = Contact.objects.with_email(email).first()
    if contact is None:
        method = (
            ContactMethod.objects.with_value(ContactMethodKind.EMAIL, email)
            .select_related("contact")
            .first()
        )
        contact = method.contact if method else None
    return contact


def _kind_clean(kind: str, objection_ground: str) -> None:
    if kind not in RequestKind.values:
        raise _refuse("kind", "Choose what the request asks for.")
    if kind == RequestKind.OBJECTION and objection_ground not in ObjectionGround.values:
        raise _refuse("objection_ground", "Say what the person objects to.")
    if kind != RequestKind.OBJECTION and objection_ground:
        raise _refuse("objection_ground", "Only an objection has a ground.")


def _details_clean(kind: str, objection_ground: str, details: str) -> str:
    if kind == RequestKind.RECTIFICATION:
        return _text(details, "details", required="Say what is wrong and what it should be.")
    if kind == RequestKind.OBJECTION and objection_ground == ObjectionGround.LEGITIMATE_INTERESTS:
        # Art. 21(1): "on grounds relating to his or her particular situation".
        return _text(details, "details", required="Give the grounds of the objection.")
    return _text(details, "details")


def _create(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    email: str,
    name: str,
    contact: Contact | None,
    details: str,
    objection_ground: str,
    received_at: datetime.datetime,
    staff_notes: str = "",
) -> RightsRequest:
    """Creates a received request (inside the caller's transaction). A person's second
    request while one is open is recorded too and linked to the open one."""
    related = None
    if contact is not None:
        Contact.objects.select_for_update().filter(pk=contact.pk).first()
        related = (
            RightsRequest.objects.filter(contact=contact, status__in=OPEN_STATUSES)
            .order_by("received_at")
            .first()
        )
    request = RightsRequest.objects.create(
        reference=_reference(),
        kind=kind,
        channel=channel,
        requester_email=email,
        requester_name=name,
        contact=contact,
        details=details,
        objection_ground=objection_ground,
        received_at=received_at,
        due_on=deadlines.due_date(deadlines.local_date(received_at)),
        related_to=related,
        staff_notes=staff_notes,
    )
    _event(request, actor=actor, kind=EventKind.RECEIVED, to_status=request.status)
    _audit(
        actor,
        "rights_request.received",
        request,
        status=[None, request.status],
        kind=[None, kind],
        channel=[None, channel],
        due_on=[None, request.due_on],
        contact=[None, str(contact.pk) if contact else None],
        related_to=[None, str(related.pk) if related else None],
    )
    return request


def request_log(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    requester_email: str = "",
    requester_name: str = "",
    contact: Contact | None = None,
    details: str = "",
    objection_ground: str = "",
    received_at: datetime.datetime | None = None,
    staff_notes: str = "",
) -> RightsRequest:
    """Records a request staff received (by phone, letter, email, in person). The month of
    Art. 12(3) runs from `received_at`, the moment it reached the business."""
    require(actor, MANAGE)
    _kind_clean(kind, objection_ground)
    if channel not in RequestChannel.values or channel == RequestChannel.PORTAL:
        raise _refuse("channel", "Say how the request reached us.")
    details = _details_clean(kind, objection_ground, details)
    email = normalise_email(requester_email or "")
    name = _text(requester_name, "requester_name", limit=200)
    if contact is not None and not may_see(contact, actor):
        raise NotFound("No such contact.")
    if contact is None and email:
        found = contact_for_address(email)
        contact = found if found is not None and may_see(found, actor) else None
    if contact is None and not (email or name):
        raise _refuse("requester_email", "Give the person's address or name, or their contact.")
    if not email and contact is not None:
        email = contact.email
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise _refuse("received_at", "A request cannot be received in the future.")
    with transaction.atomic():
        return _create(
            actor=actor,
            kind=kind,
            channel=channel,
            email=email,
            name=name or (contact.full_name if contact else ""),
            contact=contact,
            details=details,
            objection_ground=objection_ground,
            received_at=received_at,
            staff_notes=_text(staff_notes, "staff_notes"),
        )


def request_submit(
    *, kind: str, email: str, name: str = "", details: str = "", objection_ground: str = ""
) -> RightsRequest | None:
    """A request made on the portal. When the address is on file, the request is recorded
    and a single-use link is sent to that address (Art. 12(6): we confirm it is theirs).
    When it is not, nothing is recorded and a mail to the address says we hold no data
    about it: the portal answers the same either way, so it tells nobody who is a customer."""
    _kind_clean(kind, objection_ground)
    details = _details_clean(kind, objection_ground, details)
    email = normalise_email(email or "")
    if not email or "@" not in email:
        raise _refuse("email", "Give the email address we know you by.")
    name = _text(name, "name", limit=200)
    with transaction.atomic():
        contact = contact_for_address(email)
        if contact is None:
            notices.send_after_commit(
                email,
                "Your privacy request",
                "no_data",
                kind_label=RequestKind(kind).label,
            )
            return None
        request = _create(
            actor=PORTAL,
            kind=kind,
            channel=RequestChannel.PORTAL,
            email=email,
            name=name,
            contact=contact,
            details=details,
            objection_ground=objection_ground,
            received_at=timezone.now(),
        )
        return _verification_link_send(actor=PORTAL, request=request)


def _verification_link_send(*, actor: Actor, request: RightsRequest) -> RightsRequest:
    link = links.verification_link_make(request.pk)
    data = {"verification_nonce_hash": link.nonce_hash}
    if request.status == RequestStatus.IDENTITY_UNVERIFIED:
        current = _locked(request)
        current.verification_nonce_hash = link.nonce_hash
        current.save(update_fields=["verification_nonce_hash", "updated_at"])
        _event(current, actor=actor, kind=EventKind.LINK_SENT)
        _audit(actor, "rights_request.link_sent", current)
    else:
        current = _transition(
            actor=actor,
            request=request,
            target=RequestStatus.IDENTITY_UNVERIFIED,
            event_kind=EventKind.LINK_SENT,
            data=data,
        )
    address = current.contact.email if current.contact and current.contact.email else ""
    notices.send_after_commit(
        address or current.requester_email,
        f"Please confirm your privacy request [{current.reference}]",
        "verify",
        request=current,
        verify_url=notices.verification_url(link.token),
        hours=settings.STEWARD_RIGHTS_VERIFY_LINK_HOURS,
    )
    return current


def request_link_send(*, actor: Actor, request: RightsRequest) -> RightsRequest:
    """Sends (again) a verification link to the person's address on file; an earlier link
    stops working."""
    require(actor, MANAGE)
    _visible(request, actor)
    _require_open(request)
    if request.contact is None or not request.contact.email:
        raise Conflict("The person has no address on file to send a link to; verify otherwise.")
    with transaction.atomic():
        return _verification_link_send(actor=actor, request=request)


def request_verify_by_link(*, token: str) -> RightsRequest:
    """The person followed the link sent to their address: their identity is confirmed.
    Raises LinkInvalid for a forged, expired or used link, changing nothing."""
    request_id, presented = links.verification_link_read(token)
    with transaction.atomic():
        try:
            current = RightsRequest.objects.select_for_update().get(pk=request_id)
        except (RightsRequest.DoesNotExist, ValueError):
            raise links.LinkInvalid from None
        if (
            not current.verification_nonce_hash
            or not secrets.compare_digest(current.verification_nonce_hash, presented)
            or current.status != RequestStatus.IDENTITY_UNVERIFIED
        ):
            raise links.LinkInvalid
        current = _transition(
            actor=PORTAL,
            request=current,
            target=RequestStatus.VERIFIED,
            event_kind=EventKind.VERIFIED,
            note="Followed the link sent to the address on file.",
            data={
                "verification_nonce_hash": "",
                "verified_at": timezone.now(),
                "verification_method": "Link sent to the address on file",
            },
        )
        notices.notify_person(current, "We have your privacy request", "verified")
        return current


def request_verify(*, actor: Actor, request: RightsRequest, method: str) -> RightsRequest:
    """Staff confirm the person's identity (a call back to the number on file, a letter's
    signature checked, an answer to an Art. 12(6) question), saying how."""
    require(actor, MANAGE)
    _visible(request, actor)
    method = _text(method, "method", required="Say how the identity was confirmed.", limit=200)
    if request.contact is None:
        raise _refuse("contact", "Link the request to the person's contact first.")
    with transaction.atomic():
        current = _transition(
            actor=actor,
            request=request,
            target=RequestStatus.VERIFIED,
            event_kind=EventKind.VERIFIED,
            note=method,
            data={
                "verification_nonce_hash": "",
                "verified_at": timezone.now(),
                "verification_method": method,
            },
        )
        notices.notify_person(current, "We have your privacy request", "verified")
        return current


# -- Working on it -------------------------------------------------------------------------


def request_assign(*, actor: Actor, request: RightsRequest, assignee) -> RightsRequest:
    """Gives the request to a staff member who handles rights (or to nobody)."""
    require(actor, MANAGE)
    _visible(request, actor)
    _require_open(request)
    if assignee is not None and not (assignee.is_active and assignee.can(MANAGE)):
        raise _refuse("assignee", "Assign it to someone whose role handles rights requests.")
    with transaction.atomic():
        current = _locked(request)
        if current.assignee_id == (assignee.pk if assignee else None):
            return current
        before = str(current.assignee_id) if current.assignee_id else None
        current.assignee = assignee
        current.save(update_fields=["assignee", "updated_at"])
        label = assignee.full_name if assignee else "nobody"
        _event(current, actor=actor, kind=EventKind.ASSIGNED, note=f"Assigned to {label}.")
        _audit(
            actor,
            "rights_request.assigned",
            current,
            assignee=[before, str(assignee.pk) if assignee else None],
        )
        return current


def request_move(
    *, actor: Actor, request: RightsRequest, target: str, note: str = ""
) -> RightsRequest:
    """Moves a request into assessment or into progress (the plain steps of the table;
    verifying, extending, refusing and completing have their own services)."""
    require(actor, MANAGE)
    _visible(request, actor)
    if target not in (RequestStatus.IN_ASSESSMENT, RequestStatus.IN_PROGRESS):
        raise _refuse("status", "Use the request's own step for this.")
    with transaction.atomic():
        return _transition(
            actor=actor, request=request, target=target, note=_text(note, "note", limit=2000)
        )


def request_note_add(*, actor: Actor, request: RightsRequest, note: str) -> RequestEvent:
    """A staff note in the request's history."""
    require(actor, MANAGE)
    _visible(request, actor)
    note = _text(note, "note", required="Write the note.")
    with transaction.atomic():
        event = _event(request, actor=actor, kind=EventKind.NOTE, note=note)
        _audit(actor, "rights_request.note_added", request)
        return event


def request_information_ask(
    *, actor: Actor, request: RightsRequest, question: str
) -> InformationRequest:
    """Art. 12(6): with reasonable doubts about who the person is, ask for what is needed to
    confirm it. They answer on their status page; the request waits, unverified."""
    require(actor, MANAGE)
    _visible(request, actor)
    question = _text(question, "question", required="Write what you need from the person.")
    with transaction.atomic():
        current = _locked(request)
        if current.status != RequestStatus.IDENTITY_UNVERIFIED:
            current = _transition(
                actor=actor,
                request=current,
                target=RequestStatus.IDENTITY_UNVERIFIED,
                event_kind=EventKind.INFO_REQUESTED,
                note=question,
            )
        else:
            _event(current, actor=actor, kind=EventKind.INFO_REQUESTED, note=question)
            _audit(actor, "rights_request.information_asked", current)
        asked = InformationRequest.objects.create(
            request=current, question=question, asked_at=timezone.now(), asked_by=actor_user(actor)
        )
        notices.notify_person(
            current, "We need more information for your privacy request", "info_requested",
            question=question,
        )  # fmt: skip
        return asked


def request_information_answer(*, request: RightsRequest, answer: str) -> InformationRequest:
    """The person answers the open Art. 12(6) question on their status page."""
    answer = _text(answer, "answer", required="Write your answer.")
    with transaction.atomic():
        current = _locked(request)
        question = (
            InformationRequest.objects.select_for_update()
            .filter(request=current, answered_at__isnull=True)
            .order_by("asked_at")
            .first()
        )
        if question is None or current.status not in OPEN_STATUSES:
            raise Conflict("There is no open question on this request.")
        question.answer = answer
        question.answered_at = timezone.now()
        question.save(update_fields=["answer", "answered_at", "updated_at"])
        _event(current, actor=PORTAL, kind=EventKind.INFO_ANSWERED, note=answer)
        _audit(PORTAL, "rights_request.information_answered", current)
        if current.assignee and current.assignee.email:
            notices.send_after_commit(
                current.assignee.email,
                f"The person answered [{current.reference}]",
                "staff_answered",
                request=current,
            )
        return question


def request_extend(
    *, actor: Actor, request: RightsRequest, reason: str, today: datetime.date | None = None
) -> RightsRequest:
    """Art. 12(3): extends the deadline by two further months, for complex or numerous
    requests, telling the person the reason within the first month. Refused after that
    month has run out, and a second time."""
    require(actor, MANAGE)
    _visible(request, actor)
    reason = _text(reason, "reason", required="Say why it takes longer (complexity, number).")
    today = today or timezone.localdate()
    with transaction.atomic():
        current = _locked(request)
        if current.extended_due_on is not None:
            raise Conflict("The deadline was extended already; Art. 12(3) allows it once.")
        if today > current.due_on:
            raise Conflict(
                f"The first month ended on {current.due_on:%d %B %Y}: an extension must be "
                "notified within it (Art. 12(3))."
            )
        new_due = deadlines.extended_due_date(deadlines.local_date(current.received_at))
        current = _transition(
            actor=actor,
            request=current,
            target=RequestStatus.EXTENDED,
            event_kind=EventKind.EXTENDED,
            note=reason,
            data={
                "extended_due_on": new_due,
                "extension_reason": reason,
                "extension_notified_at": timezone.now(),
            },
        )
        notices.notify_person(
            current, "Your privacy request will take longer", "extended", reason=reason
        )
        return current


def request_refuse(
    *, actor: Actor, request: RightsRequest, ground: str, reasons: str
) -> RightsRequest:
    """Refuses a request (Art. 12(4)): the person is told the reasons and their right to
    complain to a supervisory authority and to a judicial remedy. A manifestly unfounded or
    excessive request (12(5)(b)) is refused with the reasons that show it is."""
    require(actor, MANAGE)
    _visible(request, actor)
    if ground not in RefusalGround.values:
        raise _refuse("ground", "Choose the ground of the refusal.")
    reasons = _text(reasons, "reasons", required="State the reasons; the person is told them.")
    with transaction.atomic():
        current = _transition(
            actor=actor,
            request=request,
            target=RequestStatus.REFUSED,
            event_kind=EventKind.REFUSED,
            note=reasons,
            data={"refusal_ground": ground, "refusal_reasons": reasons},
        )
        notices.notify_person(
            current,
            "Your privacy request",
            "refused",
            ground_label=RefusalGround(ground).label,
            reasons=reasons,
        )
        return current


def request_fee_charge(
    *, actor: Actor, request: RightsRequest, amount: Any, reason: str
) -> RightsRequest:
    """Art. 12(5)(a): for a manifestly unfounded or excessive request, a reasonable fee
    based on the administrative costs, with the reasons recorded and told to the person."""
    require(actor, MANAGE)
    _visible(request, actor)
    _require_open(request)
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _refuse("amount", "Give the fee as an amount, e.g. 15.00.") from None
    if value <= 0:
        raise _refuse("amount", "A fee is more than nothing.")
    reason = _text(
        reason, "reason",
        required="Say why the request is manifestly unfounded or excessive, and how the fee "
        "reflects the administrative costs.",
    )  # fmt: skip
    with transaction.atomic():
        current = _locked(request)
        if current.fee_amount is not None:
            raise Conflict("A fee was charged for this request already.")
        current.fee_amount = value
        current.fee_reason = reason
        current.save(update_fields=["fee_amount", "fee_reason", "updated_at"])
        _event(current, actor=actor, kind=EventKind.FEE, note=f"{value}: {reason}")
        _audit(actor, "rights_request.fee_charged", current, fee_amount=[None, value])
        notices.notify_person(
            current, "A fee for your privacy request", "fee", amount=value, reason=reason
        )
        return current


def request_complete(*, actor: Actor, request: RightsRequest, outcome: str = "") -> RightsRequest:
    """Completes a request: the person is told the outcome; for access and portability their
    status page then offers the export for STEWARD_RIGHTS_EXPORT_DAYS days."""
    require(actor, MANAGE)
    _visible(request, actor)
    if request.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY) and request.contact is None:
        raise Conflict("The request is linked to no contact: there is nothing to export.")
    outcome = _text(outcome, "outcome", limit=5000) or _default_outcome(request)
    with transaction.atomic():
        current = _transition(
            actor=actor,
            request=request,
            target=RequestStatus.COMPLETED,
            event_kind=EventKind.COMPLETED,
            note=outcome,
            data={"outcome": outcome},
        )
        notices.notify_person(
            current, "Your privacy request is answered", "completed", outcome=outcome
        )
        return current


def _default_outcome(request: RightsRequest) -> str:
    return {
        RequestKind.ACCESS: "A copy of your data is ready to download on your request's page.",
        RequestKind.PORTABILITY: "Your data is ready to download on your request's page, "
        "in JSON and CSV.",
        RequestKind.RECTIFICATION: "We corrected your data as you asked.",
        RequestKind.ERASURE: "We erased your data.",
        RequestKind.RESTRICTION: "We restricted the processing of your data: we only store it.",
        RequestKind.OBJECTION: "We recorded your objection.",
    }[request.kind]


# -- Carrying it out ----------------------------------------------------------------------


def _working(request: RightsRequest, kind: str) -> Contact:
    if request.kind != kind:
        raise Conflict(f"This is a request for {request.get_kind_display().lower()}.")
    if request.status not in WORKING:
        raise Conflict("Move the request into progress first.")
    if request.contact is None:
        raise Conflict("The request is linked to no contact.")
    return request.contact


def request_rectify(*, actor: Actor, request: RightsRequest, changes: dict[str, Any]) -> Contact:
    """Art. 16: corrects the person's data through the contact service (the audit trail holds
    old and new values); the request records which fields changed."""
    from steward.contacts.services import contact_update

    require(actor, MANAGE)
    _visible(request, actor)
    contact = _working(request, RequestKind.RECTIFICATION)
    unknown = sorted(set(changes) - set(RECTIFIABLE_FIELDS))
    if unknown:
        raise _refuse(unknown[0], "This field cannot be corrected here.")
    changed = {k: v for k, v in changes.items() if getattr(contact, k) != v}
    if not changed:
        raise _refuse("form", "Nothing differs from what is on file.")
    with transaction.atomic(), audit_context(rights_request=request.reference):
        contact = contact_update(actor=actor, contact=contact, data=changed)
        note = "Corrected: " + ", ".join(sorted(changed)) + "."
        _event(request, actor=actor, kind=EventKind.CARRIED_OUT, note=note)
        _audit(actor, "rights_request.carried_out", request, fields=[None, sorted(changed)])
    return contact


def request_erase(*, actor: Actor, request: RightsRequest, reason: str = "") -> RightsRequest:
    """Art. 17: runs the erasure (steward.erasure: plan, crypto-shredding, suppression,
    journal) and completes the request in the same transaction. The request is kept as the
    evidence that it was answered, without the person's address, name or free text."""
    require(actor, MANAGE)
    try:
        from steward.erasure.services import erasure_execute
    except ImportError:
        raise Conflict("Erasure is not installed here (steward.erasure).") from None
    _visible(request, actor)
    contact = _working(request, RequestKind.ERASURE)
    reason = _text(reason, "reason") or f"Erasure request {request.reference} (Art. 17)"
    with transaction.atomic(), audit_context(rights_request=request.reference):
        # Completed first, then erased, in one transaction: whatever the erasure does to
        # rows that point at the person, the request's answer is on record or nothing is.
        current = _transition(
            actor=actor,
            request=request,
            target=RequestStatus.COMPLETED,
            event_kind=EventKind.COMPLETED,
            data={"outcome": _default_outcome(request)},
        )
        # Rendered now, while the address is on the request; sent once the erasure commits.
        notices.notify_person(
            current, "Your privacy request is answered", "completed",
            outcome=_default_outcome(current),
        )  # fmt: skip
        # Every request of the person loses what identifies them, not only this one.
        theirs = Q(contact=contact) | (Q(requester_email=contact.email) if contact.email else Q())
        their_requests = list(RightsRequest.objects.filter(theirs))
        erasure_execute(actor=actor, contact=contact, reason=reason, request_id=request.pk)
        for each in their_requests:
            request_anonymise(request=each)
        return RightsRequest.objects.filter(pk=current.pk).first() or current


def request_anonymise(*, request: RightsRequest) -> None:
    """Removes what identifies the person from a request and its history (after their
    erasure); reference, kind, channel, dates and statuses stay as evidence."""
    with transaction.atomic():
        RightsRequest.objects.filter(pk=request.pk).update(
            requester_email="",
            requester_name="",
            details="",
            staff_notes="",
            refusal_reasons="",
            fee_reason="",
            extension_reason="",
            verification_method="",
            contact=None,
        )
        RequestEvent.objects.filter(request=request).update(note="")
        InformationRequest.objects.filter(request=request).update(question="-", answer="")
        RecipientNotification.objects.filter(request=request).update(note="")


def request_restrict(*, actor: Actor, request: RightsRequest, reason: str = "") -> Restriction:
    """Art. 18(1): from now on the person's data is only stored (the gate honours it)."""
    require(actor, MANAGE)
    _visible(request, actor)
    contact = _working(request, RequestKind.RESTRICTION)
    reason = _text(reason, "reason") or request.details or f"Request {request.reference}"
    with transaction.atomic(), audit_context(rights_request=request.reference):
        restriction = restriction_start(actor=actor, contact=contact, reason=reason)
        _event(request, actor=actor, kind=EventKind.CARRIED_OUT, note="Restriction started.")
        _audit(
            actor, "rights_request.carried_out", request, restriction=[None, str(restriction.pk)]
        )
    return restriction


def restriction_lift_notice_send(
    *, actor: Actor, request: RightsRequest, reason: str
) -> RightsRequest:
    """Art. 18(3): tells the person, before it happens, that their restriction will be lifted
    and why. Lifting is refused until this notice went out."""
    require(actor, MANAGE)
    _visible(request, actor)
    if request.kind != RequestKind.RESTRICTION or request.contact is None:
        raise Conflict("This request did not restrict processing.")
    if not Restriction.objects.filter(contact=request.contact, lifted_at__isnull=True).exists():
        raise Conflict("No restriction of this person is in force.")
    reason = _text(reason, "reason", required="Say why the restriction will be lifted.")
    with transaction.atomic():
        current = _locked(request)
        current.lift_notice_sent_at = timezone.now()
        current.save(update_fields=["lift_notice_sent_at", "updated_at"])
        _event(current, actor=actor, kind=EventKind.LIFT_NOTICE, note=reason)
        _audit(actor, "rights_request.lift_notice_sent", current)
        notices.notify_person(
            current, "Your restriction will be lifted", "lift_notice", reason=reason
        )
        return current


def request_restriction_lift(
    *, actor: Actor, request: RightsRequest, reason: str = ""
) -> Restriction:
    """Lifts the restriction this request started, only after the Art. 18(3) notice."""
    require(actor, MANAGE)
    _visible(request, actor)
    if request.lift_notice_sent_at is None:
        raise Conflict("Tell the person first (Art. 18(3)): send the notice, then lift.")
    restriction = Restriction.objects.filter(
        contact=request.contact, lifted_at__isnull=True
    ).first()
    if restriction is None:
        raise Conflict("No restriction of this person is in force.")
    with transaction.atomic(), audit_context(rights_request=request.reference):
        lifted = restriction_lift(actor=actor, restriction=restriction, reason=reason)
        _event(request, actor=actor, kind=EventKind.NOTE, note="Restriction lifted.")
        _audit(actor, "rights_request.restriction_lifted", request)
    return lifted


def request_object(*, actor: Actor, request: RightsRequest, purpose=None):
    """Art. 21: records the objection. To direct marketing it is upheld at once and for good;
    to processing on legitimate interests it awaits `request_objection_decide`."""
    require(actor, MANAGE)
    _visible(request, actor)
    contact = _working(request, RequestKind.OBJECTION)
    scope = (
        ObjectionScope.DIRECT_MARKETING
        if request.objection_ground == ObjectionGround.DIRECT_MARKETING
        else ObjectionScope.LEGITIMATE_INTERESTS
    )
    with transaction.atomic(), audit_context(rights_request=request.reference):
        objection = objection_record(
            actor=actor,
            contact=contact,
            scope=scope,
            purpose=purpose,
            grounds=request.details,
            received_at=request.received_at,
        )
        _event(request, actor=actor, kind=EventKind.CARRIED_OUT, note="Objection recorded.")
        _audit(actor, "rights_request.carried_out", request, objection=[None, str(objection.pk)])
    return objection


def request_objection_decide(
    *, actor: Actor, request: RightsRequest, upheld: bool, reason: str
) -> RightsRequest:
    """Art. 21(1): decides the recorded objection and answers the request: upheld, it is
    completed; rejected for compelling legitimate grounds, it is refused with those grounds
    (and the right to complain, Art. 12(4))."""
    from steward.processing.models import Objection, ObjectionStatus

    require(actor, MANAGE)
    _visible(request, actor)
    contact = _working(request, RequestKind.OBJECTION)
    objection = Objection.objects.filter(
        contact=contact,
        scope=ObjectionScope.LEGITIMATE_INTERESTS,
        status=ObjectionStatus.RECEIVED,
    ).first()
    if objection is None:
        raise Conflict("Record the objection first.")
    with transaction.atomic(), audit_context(rights_request=request.reference):
        objection_decide(actor=actor, objection=objection, upheld=upheld, reason=reason)
        if upheld:
            return request_complete(actor=actor, request=request, outcome=reason)
        return request_refuse(
            actor=actor, request=request, ground=RefusalGround.EXCEPTION, reasons=reason
        )


def recipient_notification_record(
    *, actor: Actor, request: RightsRequest, recipient: Recipient, note: str = ""
) -> RecipientNotification:
    """Art. 19: records that a recipient was told of the rectification, erasure or
    restriction carried out on this request."""
    require(actor, MANAGE)
    _visible(request, actor)
    if request.kind not in (
        RequestKind.RECTIFICATION,
        RequestKind.ERASURE,
        RequestKind.RESTRICTION,
    ):
        raise Conflict("Art. 19 applies to rectification, erasure and restriction.")
    with transaction.atomic():
        if RecipientNotification.objects.filter(request=request, recipient=recipient).exists():
            raise Conflict(f"{recipient.name} was recorded as notified already.")
        notification = RecipientNotification.objects.create(
            request=request,
            recipient=recipient,
            notified_at=timezone.now(),
            notified_by=actor_user(actor),
            note=_text(note, "note", limit=2000),
        )
        _event(request, actor=actor, kind=EventKind.RECIPIENT_NOTIFIED, note=recipient.name)
        _audit(
            actor, "rights_request.recipient_notified", request, recipient=[None, str(recipient.pk)]
        )
        return notification


def export_download_record(*, request: RightsRequest, fmt: str) -> None:
    """The person downloaded their export (their status page's expiring link)."""
    with transaction.atomic():
        _event(request, actor=PORTAL, kind=EventKind.EXPORT_DOWNLOADED, note=fmt)
        _audit(PORTAL, "rights_request.export_downloaded", request, format=[None, fmt])


# -- Reminders -----------------------------------------------------------------------------


def rights_reminders_send(*, actor: Actor, today: datetime.date | None = None) -> int:
    """Daily: tells each assignee (the DPO for unassigned ones) of their open requests due
    within STEWARD_RIGHTS_REMIND_DAYS days or overdue; the DPO also hears of every overdue
    one. A request is reminded once a day however often this runs. Returns mails sent."""
    from steward.rights.selectors import requests_due_within

    today = today or timezone.localdate()
    with transaction.atomic():
        due = list(
            requests_due_within(days=settings.STEWARD_RIGHTS_REMIND_DAYS, today=today)
            .select_for_update(of=("self",))
            .exclude(last_reminded_on=today)
        )
        if not due:
            return 0
        by_address: dict[str, list[RightsRequest]] = {}
        for request in due:
            address = request.assignee.email if request.assignee else settings.STEWARD_DPO_EMAIL
            by_address.setdefault(address, []).append(request)
            if request.assignee and request.effective_due_on < today:
                by_address.setdefault(settings.STEWARD_DPO_EMAIL, []).append(request)
        RightsRequest.objects.filter(pk__in=[r.pk for r in due]).update(last_reminded_on=today)
        for request in due:
            _event(request, actor=actor, kind=EventKind.REMINDED)
        for address, requests in by_address.items():
            rows = [
                {
                    "reference": r.reference,
                    "kind": r.get_kind_display(),
                    "status": r.get_status_display(),
                    "due_on": r.effective_due_on,
                    "days_left": deadlines.days_left(r.effective_due_on, today),
                    "url": notices.absolute(reverse("rights:detail", args=[r.pk])),
                }
                for r in sorted(requests, key=lambda r: r.effective_due_on)
            ]
            overdue = sum(1 for row in rows if row["days_left"] < 0)
            subject = f"Privacy requests due: {len(rows)}" + (
                f" ({overdue} overdue)" if overdue else ""
            )
            notices.send_after_commit(address, subject, "reminder", rows=rows)
        return len(by_address)
