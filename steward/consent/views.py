"""Pages of the consent ledger: the contact page's actions (record a consent, withdraw one,
download the proof), the notices under /settings/notices/, and the two public endpoints the
company's website uses for its cookie banner (the script and the choice endpoint)."""

import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from steward.consent.forms import (
    CHANNEL_OF_METHOD,
    NoticeForm,
    NoticeVersionForm,
    WithdrawForm,
    consent_record_form,
)
from steward.consent.models import Method
from steward.consent.selectors import (
    consent_receipt,
    cookie_categories,
    cookie_link_contact,
    cookie_visitor_contact,
    notice_get,
    notice_list,
    notice_version_current_for,
    notice_version_get,
)
from steward.consent.services import (
    MANAGE,
    RECORD,
    consent_give,
    consent_withdraw,
    cookie_choice_record,
    cookie_link_token_id,
    notice_create,
    notice_version_draft,
    notice_version_publish,
    notice_version_renewal_count,
    notice_version_update,
)
from steward.contacts.selectors import contact_get
from steward.core.errors import DomainError, NotFound, PermissionDenied
from steward.core.web import permission_required, put_errors_on_form, require_permission
from steward.processing.selectors import purpose_get, purpose_list

managers_only = permission_required(MANAGE)


def _contact_or_404(request, pk):
    try:
        return contact_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404("No such contact.") from None


def _back_to(contact) -> str:
    return reverse("contacts:detail", args=[contact.pk]) + "#consents"


# -- The contact page's actions ------------------------------------------------------------


@login_required
@require_POST
def consent_record_view(request, pk):
    contact = _contact_or_404(request, pk)
    require_permission(request, RECORD)
    form = consent_record_form(request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else 'Form'}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"The consent was not recorded. {problems}")
        return redirect(_back_to(contact))
    data = form.cleaned_data
    method = data["method"]
    try:
        version = notice_version_get(data["notice_version"])
        event = consent_give(
            actor=request.user,
            contact=contact,
            purpose=data["purpose"],
            notice_version=version,
            method=method,
            channel=CHANNEL_OF_METHOD[method],
            evidence={"note": data["note"]} if data["note"] else None,
            occurred_at=data["occurred_at"],
            given_by=data["given_by"],
            parental=method == Method.PARENTAL,
        )
    except PermissionDenied as error:
        raise Forbidden(error.message) from None
    except DomainError as error:
        messages.error(request, f"The consent was not recorded. {error.message}")
    else:
        messages.success(
            request, f"Consent {event.get_kind_display().lower()}: {event.purpose.name}."
        )
    return redirect(_back_to(contact))


@login_required
@require_POST
def consent_withdraw_view(request, pk, purpose_key: str):
    contact = _contact_or_404(request, pk)
    require_permission(request, RECORD)
    form = WithdrawForm(request.POST)
    method = form.cleaned_data["method"] if form.is_valid() else Method.PHONE
    try:
        event = consent_withdraw(
            actor=request.user,
            contact=contact,
            purpose=purpose_key,
            method=method,
            channel=CHANNEL_OF_METHOD[method],
        )
    except PermissionDenied as error:
        raise Forbidden(error.message) from None
    except DomainError as error:
        messages.error(request, f"Nothing was withdrawn. {error.message}")
    else:
        messages.success(request, f"Consent withdrawn: {event.purpose.name}.")
    return redirect(_back_to(contact))


def receipt_response(receipt: dict, contact) -> HttpResponse:
    response = HttpResponse(
        json.dumps(receipt, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="consent-receipt-{contact.pk}.json"'
    return response


@login_required
@require_GET
def consent_receipt_view(request, pk):
    contact = _contact_or_404(request, pk)
    return receipt_response(consent_receipt(contact=contact), contact)


# -- Notices (/settings/notices/) ----------------------------------------------------------


def _notice_or_404(pk):
    try:
        return notice_get(pk)
    except NotFound as error:
        raise Http404(error.message) from None


def _version_or_404(pk):
    try:
        return notice_version_get(pk)
    except NotFound as error:
        raise Http404(error.message) from None


@managers_only
@require_http_methods(["GET", "POST"])
def notice_list_view(request):
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = notice_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Notice “{notice}” created; write its first version.")
            return redirect("notices:version_create", pk=notice.pk)
    return render(
        request,
        "consent/notice_list.html",
        {"notices": notice_list(), "form": form},
        status=422 if form.errors else 200,
    )


@managers_only
@require_GET
def notice_detail_view(request, pk):
    notice = _notice_or_404(pk)
    versions = [notice_version_get(v.pk) for v in notice.versions.all()]
    return render(
        request,
        "consent/notice_detail.html",
        {
            "notice": notice,
            "versions": versions,
            "has_draft": any(v.published_at is None for v in versions),
        },
    )


def _version_form(data=None, initial_from=None) -> NoticeVersionForm:
    purposes = [p for p in purpose_list() if p.active]
    initial = {}
    if initial_from is not None:
        initial["text"] = initial_from.text
        for statement in initial_from.purpose_statements.all():
            initial[f"statement_{statement.purpose.key}"] = statement.statement
    return NoticeVersionForm(data, initial=initial, purposes=purposes)


@managers_only
@require_http_methods(["GET", "POST"])
def notice_version_create_view(request, pk):
    notice = _notice_or_404(pk)
    latest = notice.versions.first()
    form = _version_form(
        request.POST or None, notice_version_get(latest.pk) if latest is not None else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = notice_version_draft(
                actor=request.user,
                notice=notice,
                text=form.cleaned_data["text"],
                statements=form.statements(),
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Draft {version} saved. Publish it when it is final.")
            return redirect("notices:detail", pk=notice.pk)
    return render(
        request,
        "consent/notice_version_form.html",
        {"notice": notice, "form": form, "version": None},
        status=422 if form.errors else 200,
    )


@managers_only
@require_http_methods(["GET", "POST"])
def notice_version_edit_view(request, pk):
    version = _version_or_404(pk)
    if version.published_at is not None:
        messages.error(request, f"{version} is published and never changes; make a new draft.")
        return redirect("notices:detail", pk=version.notice_id)
    form = _version_form(request.POST or None, version)
    if request.method == "POST" and form.is_valid():
        try:
            notice_version_update(
                actor=request.user,
                version=version,
                text=form.cleaned_data["text"],
                statements=form.statements(),
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Draft {version} saved.")
            return redirect("notices:detail", pk=version.notice_id)
    return render(
        request,
        "consent/notice_version_form.html",
        {"notice": version.notice, "form": form, "version": version},
        status=422 if form.errors else 200,
    )


@managers_only
@require_http_methods(["GET", "POST"])
def notice_version_publish_view(request, pk):
    version = _version_or_404(pk)
    if request.method == "POST":
        try:
            changed = notice_version_publish(actor=request.user, version=version)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            names = ", ".join(p.name for p in changed)
            messages.success(
                request,
                f"{version} published."
                + (
                    f" Consents for {names} given under older versions need renewal."
                    if names
                    else ""
                ),
            )
        return redirect("notices:detail", pk=version.notice_id)
    if version.published_at is not None:
        messages.error(request, f"{version} is already published.")
        return redirect("notices:detail", pk=version.notice_id)
    return render(
        request,
        "consent/notice_version_publish.html",
        {"version": version, "renewals": notice_version_renewal_count(version)},
    )


# -- The website's cookie banner (public) --------------------------------------------------

COOKIE_BODY_MAX_BYTES = 4096


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _origin_allowed(request, origin: str) -> bool:
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in getattr(settings, "STEWARD_SITE_ORIGINS", [])


def _with_cors(response: HttpResponse, origin: str | None) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response


def _json_error(status: int, detail: str, errors=None, origin=None) -> JsonResponse:
    response = JsonResponse({"detail": detail, "errors": errors or {}}, status=status)
    return _with_cors(response, origin)


def _rate_limited(request) -> bool:
    """Fixed one-minute windows per client address, counted in the shared cache (the
    database by default), so every web process counts together."""
    limit = getattr(settings, "STEWARD_COOKIE_RATE_LIMIT", 30)
    window = int(timezone.now().timestamp() // 60)
    key = f"consent:cookie-choice:{_client_ip(request)}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def cookie_choice_endpoint(request):
    """POST {"visitor_id": uuid, "choices": {"analytics": bool, ...}, "page": url,
    "link": signed token}: records the choice in the ledger. Without cookies or a session
    (the CSRF token has nothing to protect); only the company's own origins may call it."""
    origin = request.headers.get("Origin")
    if origin and not _origin_allowed(request, origin):
        return _json_error(403, "This website may not record cookie choices here.")
    if request.method == "OPTIONS":
        return _with_cors(HttpResponse(status=204), origin)
    if _rate_limited(request):
        response = _json_error(
            429, "Too many choices from this address; wait a minute.", None, origin
        )
        response["Retry-After"] = "60"
        return response
    if len(request.body) > COOKIE_BODY_MAX_BYTES:
        return _json_error(413, "The request body is too large.", None, origin)
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _json_error(400, "The request body is not valid JSON.", None, origin)
    if not isinstance(body, dict):
        return _json_error(400, "Send a JSON object.", None, origin)
    try:
        visitor_id = uuid.UUID(str(body.get("visitor_id") or uuid.uuid4()))
    except ValueError:
        return _json_error(
            422, "visitor_id is not a UUID.", {"visitor_id": ["Send a UUID."]}, origin
        )
    link = body.get("link")
    contact = cookie_link_contact(link) if isinstance(link, str) and link else None
    if contact is None:
        contact = cookie_visitor_contact(visitor_id)
    page = body.get("page") if isinstance(body.get("page"), str) else ""
    evidence = {
        "ip": _client_ip(request),
        "user_agent": request.headers.get("User-Agent", "")[:300],
        "page": page[:500],
    }
    if origin:
        evidence["origin"] = origin
    if isinstance(link, str) and link:
        evidence["link_token_id"] = cookie_link_token_id(link)
    try:
        choice = cookie_choice_record(
            visitor_id=visitor_id,
            choices=body.get("choices"),
            evidence=evidence,
            contact=contact,
        )
    except DomainError as error:
        return _json_error(422, error.message, error.field_errors, origin)
    return _with_cors(
        JsonResponse(
            {
                "visitor_id": str(choice.visitor_id),
                "choices": choice.choices,
                "linked": choice.contact_id is not None,
                "events": choice.event_seqs,
                "recorded_at": choice.occurred_at.isoformat(),
            },
            status=201,
        ),
        origin,
    )


def cookie_banner_config(request) -> dict:
    """What the script needs: the endpoint, and per category its text, vendors and the
    statement of the notice version consent is asked under."""
    categories = []
    versions = []
    months = []
    for category in cookie_categories():
        statement = ""
        if category.consent_required:
            try:
                purpose = purpose_get(category.purpose_key)
            except NotFound:
                purpose = None
            if purpose is not None and purpose.consent_valid_months:
                months.append(purpose.consent_valid_months)
            version = notice_version_current_for(purpose) if purpose else None
            if version is not None:
                versions.append(f"{version.pk}")
                statement = next(
                    (
                        s.statement
                        for s in version.purpose_statements.all()
                        if s.purpose_id == purpose.pk
                    ),
                    "",
                )
        categories.append(
            {
                "key": category.key,
                "label": category.label,
                "description": category.description,
                "required": not category.consent_required,
                "statement": statement,
                "vendors": [v.name for v in category.vendors.all()],
            }
        )
    return {
        "endpoint": request.build_absolute_uri(reverse("consent:cookie_choice")),
        "linkParam": "steward_link",
        "version": "|".join(sorted(versions)) or "none",
        # Ask again once the shortest validity has run out (31-day months: never early).
        "reaskDays": min(months) * 31 if months else None,
        "categories": categories,
        "controller": getattr(settings, "STEWARD_CONTROLLER_NAME", "") or "",
        "policyUrl": getattr(settings, "STEWARD_PRIVACY_POLICY_URL", "") or "",
    }


@require_GET
def cookie_script(request):
    """The banner script the company's site includes: plain JavaScript, no dependencies,
    its configuration inlined."""
    config = json.dumps(cookie_banner_config(request), ensure_ascii=True).replace("<", "\\u003c")
    script = render_to_string("consent/cookies.js", {"config": config})
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response
