"""/rights-requests: people's rights requests (Art. 15-21): the queue, logging one received by
phone or letter, each step of the workflow (steward.rights.workflow's table decides which
are allowed: a disallowed one is a 409), carrying it out, and Art. 19 notifications."""

import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from steward.api.errors import errors
from steward.api.pagination import paginate
from steward.api.schemas import PageParams, RequestBody, Text, Timestamp
from steward.audit.reads import audited_page
from steward.contacts.selectors import contact_get
from steward.core.errors import Conflict, ValidationFailed
from steward.core.permissions import require
from steward.processing.selectors import recipient_get
from steward.rights import services
from steward.rights.choices import (
    ObjectionGround,
    RefusalGround,
    RequestChannel,
    RequestKind,
    RequestStatus,
)
from steward.rights.downloads import FORMATS, export_produce
from steward.rights.models import RightsRequest
from steward.rights.selectors import (
    RequestFilters,
    recipients_for,
    request_get,
    request_list,
)
from steward.rights.workflow import allowed_next
from steward.staff.models import User

router = Router(tags=["rights requests"])


class EventOut(Schema):
    kind: str
    occurred_at: datetime.datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class QuestionOut(Schema):
    question: str
    asked_at: datetime.datetime
    answer: str
    answered_at: datetime.datetime | None


class NotificationOut(Schema):
    recipient: UUID
    recipient_name: str
    notified_at: datetime.datetime
    note: str


class RequestOut(Schema):
    id: UUID
    reference: str
    kind: RequestKind
    status: RequestStatus
    channel: RequestChannel
    requester_email: str
    requester_name: str
    contact: UUID | None
    details: str
    objection_ground: str
    received_at: datetime.datetime
    due_on: datetime.date = Field(description="Art. 12(3): one month from receipt")
    extended_due_on: datetime.date | None
    effective_due_on: datetime.date
    extension_reason: str
    extension_notified_at: datetime.datetime | None
    assignee: UUID | None
    verified_at: datetime.datetime | None
    verification_method: str
    refusal_ground: str
    refusal_reasons: str
    fee_amount: Decimal | None
    fee_reason: str
    outcome: str
    closed_at: datetime.datetime | None
    related_to: UUID | None
    allowed_next: list[str] = Field(description="Statuses the workflow allows next")


class RequestDetailOut(RequestOut):
    events: list[EventOut]
    questions: list[QuestionOut]
    notifications: list[NotificationOut]


class RequestPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[RequestOut]


class RequestListParams(Schema):
    status: (
        Literal[
            "open",
            "received",
            "identity_unverified",
            "verified",
            "in_assessment",
            "in_progress",
            "extended",
            "completed",
            "refused",
        ]
        | None
    ) = None
    kind: RequestKind | None = None
    due: Literal["soon", "overdue"] | None = None
    assignee: str | None = Field(
        None,
        pattern=r"^(me|none|[0-9a-fA-F-]{32,36})$",
        description='A staff id, "me" or "none"',
    )


class RequestLogIn(RequestBody):
    kind: RequestKind
    channel: Literal["phone", "letter", "email", "in_person", "api"]
    requester_email: Text(254) = ""
    requester_name: Text(200) = ""
    contact: UUID | None = None
    details: Text(5000) = ""
    objection_ground: ObjectionGround | Literal[""] = ""
    received_at: Timestamp | None = None
    staff_notes: Text(5000) = ""


class AssignIn(RequestBody):
    assignee: UUID | None


class TextIn(RequestBody):
    text: Text(5000) = ""


class MoveIn(RequestBody):
    status: Literal["in_assessment", "in_progress"]
    note: Text(2000) = ""


class RefuseIn(RequestBody):
    ground: RefusalGround
    reasons: Text(5000, min_length=1)


class FeeIn(RequestBody):
    amount: Decimal = Field(gt=0, max_digits=9, decimal_places=2)
    reason: Text(5000, min_length=1)


class RectifyChanges(RequestBody):
    """The corrected values (Art. 16); only the fields sent change."""

    given_name: Text(100) | None = None
    family_name: Text(100) | None = None
    email: Text(254) | None = None
    phone: Text(40) | None = None
    job_title: Text(120) | None = None
    street: Text(200) | None = None
    postal_code: Text(20) | None = None
    city: Text(100) | None = None
    region: Text(100) | None = None
    country: Text(2) | None = None
    language: Text(10) | None = None


class RectifyIn(RequestBody):
    changes: RectifyChanges


class ObjectIn(RequestBody):
    purpose: Text(50) = ""


class DecideIn(RequestBody):
    decision: Literal["upheld", "rejected"]
    reason: Text(5000, min_length=1)


class RecipientOut(Schema):
    id: UUID
    name: str
    service: str
    notified_at: datetime.datetime | None


def _out(r: RightsRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "reference": r.reference,
        "kind": r.kind,
        "status": r.status,
        "channel": r.channel,
        "requester_email": r.requester_email,
        "requester_name": r.requester_name,
        "contact": r.contact_id,
        "details": r.details,
        "objection_ground": r.objection_ground,
        "received_at": r.received_at,
        "due_on": r.due_on,
        "extended_due_on": r.extended_due_on,
        "effective_due_on": r.effective_due_on,
        "extension_reason": r.extension_reason,
        "extension_notified_at": r.extension_notified_at,
        "assignee": r.assignee_id,
        "verified_at": r.verified_at,
        "verification_method": r.verification_method,
        "refusal_ground": r.refusal_ground,
        "refusal_reasons": r.refusal_reasons,
        "fee_amount": r.fee_amount,
        "fee_reason": r.fee_reason,
        "outcome": r.outcome,
        "closed_at": r.closed_at,
        "related_to": r.related_to_id,
        "allowed_next": sorted(allowed_next(r.status)),
    }


def _detail(r: RightsRequest) -> dict[str, Any]:
    return {
        **_out(r),
        "events": [
            {
                "kind": e.kind,
                "occurred_at": e.occurred_at,
                "actor": e.actor_label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in r.events.all()
        ],
        "questions": [
            {
                "question": q.question,
                "asked_at": q.asked_at,
                "answer": q.answer,
                "answered_at": q.answered_at,
            }
            for q in r.questions.all()
        ],
        "notifications": [
            {
                "recipient": n.recipient_id,
                "recipient_name": n.recipient.name,
                "notified_at": n.notified_at,
                "note": n.note,
            }
            for n in r.notifications.select_related("recipient")
        ],
    }


def _get(request: HttpRequest, request_id: UUID) -> RightsRequest:
    require(request.auth, "rights.view")
    return request_get(actor=request.auth, pk=request_id)


def _fresh(request: HttpRequest, request_id: UUID) -> dict[str, Any]:
    return _detail(request_get(actor=request.auth, pk=request_id))


@router.get("", response={200: RequestPage, **errors(403, 422)})
def list_rights_requests(
    request: HttpRequest, filters: Query[RequestListParams], page: Query[PageParams]
):
    """The queue: open requests by due date first, then closed ones. `due=soon` is due
    within STEWARD_RIGHTS_REMIND_DAYS days, `due=overdue` past its (extended) due date."""
    require(request.auth, "rights.view")
    queryset = request_list(
        actor=request.auth,
        filters=RequestFilters(
            status=filters.status or "",
            kind=filters.kind or "",
            due=filters.due or "",
            assignee=str(filters.assignee or ""),
        ),
    )
    result = audited_page(request, "rights.rightsrequest", paginate(request, queryset, page))
    return {**result, "results": [_out(r) for r in result["results"]]}


@router.post("", response={201: RequestDetailOut, **errors(403, 404, 409, 422)})
def log_rights_request(request: HttpRequest, payload: RequestLogIn):
    """Records a request received by phone, letter, email, in person or through another
    system. The month of Art. 12(3) runs from `received_at` (default: now)."""
    contact = contact_get(actor=request.auth, pk=payload.contact) if payload.contact else None
    created = services.request_log(
        actor=request.auth,
        kind=payload.kind,
        channel=payload.channel,
        requester_email=payload.requester_email,
        requester_name=payload.requester_name,
        contact=contact,
        details=payload.details,
        objection_ground=payload.objection_ground,
        received_at=payload.received_at,
        staff_notes=payload.staff_notes,
    )
    return Status(201, _fresh(request, created.pk))


@router.get("/{request_id}", response={200: RequestDetailOut, **errors(403, 404, 422)})
def get_rights_request(request: HttpRequest, request_id: UUID):
    """One request with its history, questions (Art. 12(6)) and Art. 19 notifications."""
    return _detail(_get(request, request_id))


@router.post("/{request_id}/assign", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def assign_rights_request(request: HttpRequest, request_id: UUID, payload: AssignIn):
    """Assigns the request to a staff member who handles rights requests (null: nobody)."""
    r = _get(request, request_id)
    assignee = None
    if payload.assignee is not None:
        assignee = User.objects.filter(pk=payload.assignee).first()
        if assignee is None:
            message = "No such staff member."
            raise ValidationFailed(message, field_errors={"assignee": [message]})
    services.request_assign(actor=request.auth, request=r, assignee=assignee)
    return _fresh(request, request_id)


@router.post(
    "/{request_id}/send-link", response={200: RequestDetailOut, **errors(403, 404, 409, 422)}
)
def send_verification_link(request: HttpRequest, request_id: UUID):
    """Sends a single-use verification link to the person's address on file."""
    services.request_link_send(actor=request.auth, request=_get(request, request_id))
    return _fresh(request, request_id)


@router.post("/{request_id}/verify", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def verify_rights_request(request: HttpRequest, request_id: UUID, payload: TextIn):
    """Staff confirm the person's identity; `text` says how."""
    services.request_verify(
        actor=request.auth, request=_get(request, request_id), method=payload.text
    )
    return _fresh(request, request_id)


@router.post("/{request_id}/move", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def move_rights_request(request: HttpRequest, request_id: UUID, payload: MoveIn):
    """Into assessment or into progress, where the workflow allows it (else 409)."""
    services.request_move(
        actor=request.auth, request=_get(request, request_id), target=payload.status,
        note=payload.note,
    )  # fmt: skip
    return _fresh(request, request_id)


@router.post("/{request_id}/ask", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def ask_for_information(request: HttpRequest, request_id: UUID, payload: TextIn):
    """Art. 12(6): asks the person for what is needed to confirm their identity; they
    answer on their status page."""
    services.request_information_ask(
        actor=request.auth, request=_get(request, request_id), question=payload.text
    )
    return _fresh(request, request_id)


@router.post("/{request_id}/extend", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def extend_rights_request(request: HttpRequest, request_id: UUID, payload: TextIn):
    """Art. 12(3): two further months, once, within the first month; the person is told
    the reason (`text`)."""
    services.request_extend(
        actor=request.auth, request=_get(request, request_id), reason=payload.text
    )
    return _fresh(request, request_id)


@router.post("/{request_id}/refuse", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def refuse_rights_request(request: HttpRequest, request_id: UUID, payload: RefuseIn):
    """Art. 12(4)-(5): refuses with the reasons; the person is told them and their right
    to complain to a supervisory authority."""
    services.request_refuse(
        actor=request.auth, request=_get(request, request_id), ground=payload.ground,
        reasons=payload.reasons,
    )  # fmt: skip
    return _fresh(request, request_id)


@router.post("/{request_id}/fee", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def charge_fee(request: HttpRequest, request_id: UUID, payload: FeeIn):
    """Art. 12(5)(a): a reasonable fee for a manifestly unfounded or excessive request."""
    services.request_fee_charge(
        actor=request.auth, request=_get(request, request_id), amount=payload.amount,
        reason=payload.reason,
    )  # fmt: skip
    return _fresh(request, request_id)


@router.post(
    "/{request_id}/complete", response={200: RequestDetailOut, **errors(403, 404, 409, 422)}
)
def complete_rights_request(request: HttpRequest, request_id: UUID, payload: TextIn):
    """Completes the request; `text` is the outcome told to the person (empty: standard)."""
    services.request_complete(
        actor=request.auth, request=_get(request, request_id), outcome=payload.text
    )
    return _fresh(request, request_id)


@router.post("/{request_id}/notes", response={200: RequestDetailOut, **errors(403, 404, 422)})
def add_note(request: HttpRequest, request_id: UUID, payload: TextIn):
    """A staff note in the request's history."""
    services.request_note_add(
        actor=request.auth, request=_get(request, request_id), note=payload.text
    )
    return _fresh(request, request_id)


@router.post(
    "/{request_id}/rectify", response={200: RequestDetailOut, **errors(403, 404, 409, 422)}
)
def rectify(request: HttpRequest, request_id: UUID, payload: RectifyIn):
    """Art. 16: corrects the person's contact (`changes`: field to new value); old and new
    values go to the audit trail."""
    services.request_rectify(
        actor=request.auth,
        request=_get(request, request_id),
        changes=payload.changes.model_dump(exclude_unset=True),
    )
    return _fresh(request, request_id)


@router.post("/{request_id}/erase", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def erase(request: HttpRequest, request_id: UUID, payload: TextIn):
    """Art. 17: runs the erasure and completes the request (kept without identifying data)."""
    services.request_erase(
        actor=request.auth, request=_get(request, request_id), reason=payload.text
    )
    return _fresh(request, request_id)


@router.post(
    "/{request_id}/restrict", response={200: RequestDetailOut, **errors(403, 404, 409, 422)}
)
def restrict(request: HttpRequest, request_id: UUID, payload: TextIn):
    """Art. 18(1): restricts processing to storage."""
    services.request_restrict(
        actor=request.auth, request=_get(request, request_id), reason=payload.text
    )
    return _fresh(request, request_id)


@router.post(
    "/{request_id}/lift-notice", response={200: RequestDetailOut, **errors(403, 404, 409, 422)}
)
def send_lift_notice(request: HttpRequest, request_id: UUID, payload: TextIn):
    """Art. 18(3): tells the person the restriction will be lifted, and why (`text`)."""
    services.restriction_lift_notice_send(
        actor=request.auth, request=_get(request, request_id), reason=payload.text
    )
    return _fresh(request, request_id)


@router.post("/{request_id}/lift", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def lift_restriction(request: HttpRequest, request_id: UUID, payload: TextIn):
    """Lifts the restriction; refused (409) until the Art. 18(3) notice went out."""
    services.request_restriction_lift(
        actor=request.auth, request=_get(request, request_id), reason=payload.text
    )
    return _fresh(request, request_id)


@router.post("/{request_id}/object", response={200: RequestDetailOut, **errors(403, 404, 409, 422)})
def record_objection(request: HttpRequest, request_id: UUID, payload: ObjectIn):
    """Art. 21: records the objection (direct marketing: upheld at once and for good)."""
    services.request_object(
        actor=request.auth, request=_get(request, request_id), purpose=payload.purpose or None
    )
    return _fresh(request, request_id)


@router.post(
    "/{request_id}/decide-objection", response={200: RequestDetailOut, **errors(403, 404, 409, 422)}
)
def decide_objection(request: HttpRequest, request_id: UUID, payload: DecideIn):
    """Art. 21(1): upheld completes the request; rejected refuses it with the reason."""
    services.request_objection_decide(
        actor=request.auth, request=_get(request, request_id), upheld=payload.decision == "upheld",
        reason=payload.reason,
    )  # fmt: skip
    return _fresh(request, request_id)


@router.get("/{request_id}/recipients", response={200: list[RecipientOut], **errors(403, 404, 422)})
def list_recipients(request: HttpRequest, request_id: UUID):
    """Art. 19: the recipients to tell of a rectification, erasure or restriction, and
    when each was told."""
    r = _get(request, request_id)
    notified = {n.recipient_id: n.notified_at for n in r.notifications.all()}
    return [
        {"id": x.pk, "name": x.name, "service": x.service, "notified_at": notified.get(x.pk)}
        for x in recipients_for(r.contact, at=r.received_at)
    ]


@router.post(
    "/{request_id}/recipients/{recipient_id}/notified",
    response={201: RequestDetailOut, **errors(403, 404, 409, 422)},
)
def record_recipient_notified(
    request: HttpRequest, request_id: UUID, recipient_id: UUID, payload: TextIn
):
    """Art. 19: records that the recipient was told."""
    r = _get(request, request_id)
    recipient = recipient_get(recipient_id)
    services.recipient_notification_record(
        actor=request.auth, request=r, recipient=recipient, note=payload.text
    )
    return Status(201, _fresh(request, request_id))


@router.get(
    "/{request_id}/export",
    # The file's description is in the docstring: a second "200" entry in openapi_extra
    # would be written as a duplicate JSON key that Swagger UI refuses to parse.
    response={200: None, **errors(403, 404, 409, 422)},
)
def export(request: HttpRequest, request_id: UUID, format: Literal["json", "html", "csv"] = "json"):
    """The export the person downloads (access: json/html; portability: json/csv), once
    the request is completed; produced now, never stored."""

    require(request.auth, "rights.manage")
    r = _get(request, request_id)
    produced = export_produce(r, format)
    if produced is None:
        raise Conflict(
            "No export: the request is not a completed access or portability request, the "
            f"download period ended, or the format is not one of {FORMATS.get(r.kind, ())}."
        )
    response = HttpResponse(produced.content, content_type=produced.content_type)
    response["Content-Disposition"] = f'attachment; filename="{produced.filename}"'
    return response
