"""Staff pages of the rights workflow: the queue, logging a request, the request page and
its steps. Thin: parse, call a service, render or redirect."""

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from steward.contacts.selectors import contact_get
from steward.core.errors import DomainError, NotFound, ValidationFailed
from steward.core.paging import ListPage
from steward.core.web import permission_required, put_errors_on_form
from steward.processing.models import Restriction
from steward.processing.selectors import recipient_get
from steward.rights import deadlines, services
from steward.rights.choices import (
    RequestKind,
    RequestStatus,
)
from steward.rights.forms import (
    DecideForm,
    FeeForm,
    QueueFilterForm,
    RectifyForm,
    RefuseForm,
    RequestLogForm,
)
from steward.rights.selectors import (
    RequestFilters,
    recipients_for,
    request_get,
    request_list,
)
from steward.rights.workflow import allowed_next
from steward.staff.models import User

PER_PAGE = 50


def _assignees() -> list[User]:
    return [
        u
        for u in User.objects.filter(is_active=True).order_by("full_name")
        if u.can("rights.manage")
    ]


@permission_required("rights.view")
def queue(request):
    form = QueueFilterForm(request.GET or {"status": "open"}, assignees=_assignees())
    data = form.cleaned_data if form.is_valid() else {"status": "open"}
    filters = RequestFilters(
        status=data.get("status", ""),
        kind=data.get("kind", ""),
        due=data.get("due", ""),
        assignee=data.get("assignee", ""),
    )
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    today = timezone.localdate()
    rows = list(
        request_list(actor=request.user, filters=filters, today=today)[
            (number - 1) * PER_PAGE : number * PER_PAGE + 1
        ]
    )
    for row in rows:
        row.days_left = deadlines.days_left(row.effective_due, today)
    page = ListPage(
        rows=rows[:PER_PAGE],
        number=number,
        per_page=PER_PAGE,
        has_next=len(rows) > PER_PAGE,
        total=None,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rights/queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": request.user.can("rights.manage"),
        },
    )


@permission_required("rights.manage")
def log(request):
    form = RequestLogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact = (
                contact_get(actor=request.user, pk=data["contact"]) if data["contact"] else None
            )
            received_at = data["received_at"]
            created = services.request_log(
                actor=request.user,
                kind=data["kind"],
                channel=data["channel"],
                requester_email=data["requester_email"],
                requester_name=data["requester_name"],
                contact=contact,
                details=data["details"],
                objection_ground=data["objection_ground"],
                received_at=received_at,
                staff_notes=data["staff_notes"],
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Request {created.reference} recorded.")
            return redirect("rights:detail", pk=created.pk)
    return render(request, "rights/log.html", {"form": form})


def _data_summary(user, contact) -> dict:
    """What the access export finds about the person, section by section (counts)."""
    try:
        from steward.rights.access_export import access_export
    except ImportError:
        return {"unavailable": "The access export is not installed."}
    try:
        document = access_export(actor=user, contact=contact)
    except DomainError as error:
        return {"unavailable": error.message}
    sections = {}
    for key, value in document.items():
        if isinstance(value, list):
            sections[key] = f"{len(value)} item(s)"
        elif isinstance(value, dict):
            sections[key] = f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}"
    return {"sections": sections}


def _erasure_plan(contact):
    try:
        from steward.erasure.services import erasure_plan_for
    except ImportError:
        return None
    return erasure_plan_for(contact=contact)


@permission_required("rights.view")
def detail(request, pk):
    try:
        rights_request = request_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404("No such request.") from None
    contact = rights_request.contact
    can_manage = request.user.can("rights.manage")
    today = timezone.localdate()
    kind = rights_request.kind
    working = rights_request.status in services.WORKING
    context = {
        "r": rights_request,
        "contact": contact,
        "can_manage": can_manage,
        "today": today,
        "days_left": deadlines.days_left(rights_request.effective_due_on, today),
        "next": allowed_next(rights_request.status),
        "S": RequestStatus,
        "events": rights_request.events.select_related("actor"),
        "questions": rights_request.questions.all(),
        "notifications": rights_request.notifications.select_related("recipient"),
        "assignees": _assignees(),
        "refuse_form": RefuseForm(),
        "fee_form": FeeForm(),
        "working": working,
        "can_extend": rights_request.extended_due_on is None
        and today <= rights_request.due_on
        and RequestStatus.EXTENDED in allowed_next(rights_request.status),
        "others": (
            contact.rights_requests.exclude(pk=rights_request.pk).order_by("-received_at")
            if contact
            else []
        ),
    }
    if contact is not None and can_manage:
        context["summary"] = _data_summary(request.user, contact)
        if kind == RequestKind.RECTIFICATION:
            context["rectify_form"] = RectifyForm(
                initial={f: getattr(contact, f) for f in services.RECTIFIABLE_FIELDS}
            )
        if kind == RequestKind.ERASURE and working:
            context["erasure_plan"] = _erasure_plan(contact)
        if kind == RequestKind.RESTRICTION:
            context["restriction"] = Restriction.objects.filter(
                contact=contact, lifted_at__isnull=True
            ).first()
        if kind == RequestKind.OBJECTION:
            context["decide_form"] = DecideForm()
            context["objections"] = contact.objections.all()
    if kind in (RequestKind.RECTIFICATION, RequestKind.ERASURE, RequestKind.RESTRICTION):
        notified = {n.recipient_id for n in context["notifications"]}
        context["recipients"] = [
            (recipient, recipient.pk in notified)
            for recipient in recipients_for(contact, at=rights_request.received_at)
        ]
    return render(request, "rights/detail.html", context)


def _text(request, name: str = "text") -> str:
    return request.POST.get(name, "")


def _assign(request, r):
    value = request.POST.get("assignee", "")
    assignee = None
    if value:
        try:
            assignee = User.objects.get(pk=uuid.UUID(value))
        except (ValueError, User.DoesNotExist):
            raise ValidationFailed("No such staff member.") from None
    services.request_assign(actor=request.user, request=r, assignee=assignee)
    return "Assignment saved."


def _refuse(request, r):
    services.request_refuse(
        actor=request.user,
        request=r,
        ground=request.POST.get("ground", ""),
        reasons=request.POST.get("reasons", ""),
    )
    return "Request refused; the person was told the reasons and their right to complain."


def _rectify(request, r):
    form = RectifyForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ValidationFailed(f"{field}: {' '.join(errors)}")
    services.request_rectify(actor=request.user, request=r, changes=form.cleaned_data)
    return "The person's data was corrected; old and new values are in the audit trail."


def _decide(request, r):
    services.request_objection_decide(
        actor=request.user,
        request=r,
        upheld=request.POST.get("upheld") == "yes",
        reason=request.POST.get("reason", ""),
    )
    return "Objection decided; the person was told."


def _notify(request, r):
    recipient = recipient_get(request.POST.get("recipient", ""))
    services.recipient_notification_record(
        actor=request.user, request=r, recipient=recipient, note=_text(request)
    )
    return f"Recorded that {recipient.name} was notified."


STEPS: dict[str, Callable] = {
    "assign": _assign,
    "send-link": lambda q, r: (
        services.request_link_send(actor=q.user, request=r) and "Verification link sent."
    ),
    "verify": lambda q, r: (
        services.request_verify(actor=q.user, request=r, method=_text(q)) and "Identity verified."
    ),
    "assess": lambda q, r: (
        services.request_move(
            actor=q.user, request=r, target=RequestStatus.IN_ASSESSMENT, note=_text(q)
        )
        and "In assessment."
    ),
    "start": lambda q, r: (
        services.request_move(
            actor=q.user, request=r, target=RequestStatus.IN_PROGRESS, note=_text(q)
        )
        and "In progress."
    ),
    "ask": lambda q, r: (
        services.request_information_ask(actor=q.user, request=r, question=_text(q))
        and "Question sent to the person."
    ),
    "extend": lambda q, r: (
        services.request_extend(actor=q.user, request=r, reason=_text(q))
        and "Deadline extended; the person was told why."
    ),
    "refuse": _refuse,
    "fee": lambda q, r: (
        services.request_fee_charge(
            actor=q.user,
            request=r,
            amount=q.POST.get("amount", ""),
            reason=q.POST.get("reason", ""),
        )
        and "Fee recorded; the person was told."
    ),
    "complete": lambda q, r: (
        services.request_complete(actor=q.user, request=r, outcome=_text(q))
        and "Request completed; the person was told."
    ),
    "note": lambda q, r: (
        services.request_note_add(actor=q.user, request=r, note=_text(q)) and "Note added."
    ),
    "rectify": _rectify,
    "erase": lambda q, r: (
        services.request_erase(actor=q.user, request=r, reason=_text(q))
        and "The person's data was erased and the request completed."
    ),
    "restrict": lambda q, r: (
        services.request_restrict(actor=q.user, request=r, reason=_text(q))
        and "Processing restricted: storage only."
    ),
    "lift-notice": lambda q, r: (
        services.restriction_lift_notice_send(actor=q.user, request=r, reason=_text(q))
        and "The person was told the restriction will be lifted."
    ),
    "lift": lambda q, r: (
        services.request_restriction_lift(actor=q.user, request=r, reason=_text(q))
        and "Restriction lifted."
    ),
    "object": lambda q, r: (
        services.request_object(actor=q.user, request=r) and "Objection recorded."
    ),
    "decide": _decide,
    "notify-recipient": _notify,
}


@permission_required("rights.manage")
def step(request, pk, step):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    handler = STEPS.get(step)
    if handler is None:
        raise Http404("No such step.")
    try:
        rights_request = request_get(actor=request.user, pk=pk)
        message = handler(request, rights_request)
    except NotFound:
        raise Http404("No such request.") from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    return redirect("rights:detail", pk=pk)
