"""The privacy portal at /privacy: public pages where a person makes a request, confirms it
is theirs, follows it, answers a question and downloads their export. No account, no
JavaScript, no staff views; the signed link is the person's only key."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from steward.core.errors import DomainError
from steward.core.web import put_errors_on_form
from steward.portal.forms import AnswerForm, RequestForm
from steward.portal.throttle import portal_rate_limited
from steward.rights import links
from steward.rights.downloads import FORMATS, export_available_until, export_produce
from steward.rights.selectors import request_for_portal
from steward.rights.services import (
    export_download_record,
    request_information_answer,
    request_submit,
    request_verify_by_link,
)

TOO_MANY = "Too many requests from here for now. Please try again in an hour."


def _page(request, template: str, context: dict | None = None, status: int = 200):
    context = {
        "controller": settings.STEWARD_CONTROLLER_NAME,
        "controller_email": settings.STEWARD_CONTROLLER_EMAIL,
        "dpo_email": settings.STEWARD_DPO_EMAIL,
        **(context or {}),
    }
    response = render(request, f"portal/{template}.html", context, status=status)
    # Tokens live in these URLs: keep them out of other sites' Referer headers.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def home(request):
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if portal_rate_limited(request, email=data["email"]):
            form.add_error(None, TOO_MANY)
            return _page(request, "home", {"form": form}, status=429)
        try:
            request_submit(
                kind=data["kind"],
                email=data["email"],
                name=data["name"],
                details=data["details"],
                objection_ground=data["objection_ground"] if data["kind"] == "objection" else "",
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            # The same answer whether or not the address is on file (see request_submit).
            return redirect("portal:sent")
    return _page(request, "home", {"form": form})


def sent(request):
    return _page(request, "sent")


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token):
    """GET shows a button, POST confirms: mail scanners that open links must not use up the
    single-use link on the person's behalf."""
    if request.method == "GET":
        try:
            links.verification_link_read(token)
        except links.LinkInvalid:
            return _page(request, "link_invalid", status=400)
        return _page(request, "verify", {"token": token})
    if portal_rate_limited(request):
        return _page(request, "link_invalid", {"message": TOO_MANY}, status=429)
    try:
        verified = request_verify_by_link(token=token)
    except links.LinkInvalid:
        return _page(request, "link_invalid", status=400)
    return redirect("portal:status", token=links.status_token_make(verified.pk))


def _request_of_status_token(token: str):
    try:
        request_id = links.status_token_read(token)
    except links.LinkInvalid:
        return None
    return request_for_portal(request_id)


@never_cache
@require_http_methods(["GET", "POST"])
def status(request, token):
    rights_request = _request_of_status_token(token)
    if rights_request is None:
        return _page(request, "link_invalid", status=400)
    open_question = rights_request.questions.filter(answered_at__isnull=True).first()
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and open_question is not None:
        if portal_rate_limited(request):
            form.add_error(None, TOO_MANY)
        elif form.is_valid():
            try:
                request_information_answer(
                    request=rights_request, answer=form.cleaned_data["answer"]
                )
            except DomainError as error:
                put_errors_on_form(form, error)
            else:
                return redirect("portal:status", token=token)
    return _page(
        request,
        "status",
        {
            "r": rights_request,
            "token": token,
            "question": open_question,
            "form": form,
            "available_until": export_available_until(rights_request),
            "formats": FORMATS.get(rights_request.kind, ()),
            "answered": rights_request.questions.filter(answered_at__isnull=False),
        },
    )


@require_POST
def download_link(request, token):
    """Hands out a download link that lives a few minutes (the status link lives longer)."""
    rights_request = _request_of_status_token(token)
    fmt = request.POST.get("format", "json")
    if rights_request is None or export_available_until(rights_request) is None:
        return _page(request, "link_invalid", status=400)
    if fmt not in FORMATS.get(rights_request.kind, ()):
        raise Http404("No such format.")
    return redirect("portal:download", token=links.download_token_make(rights_request.pk, fmt))


@never_cache
def download(request, token):
    try:
        request_id, fmt = links.download_token_read(token)
    except links.LinkInvalid:
        return _page(request, "link_invalid", {"expired_download": True}, status=400)
    rights_request = request_for_portal(request_id)
    export = export_produce(rights_request, fmt) if rights_request else None
    if export is None:
        return _page(request, "link_invalid", status=400)
    export_download_record(request=rights_request, fmt=fmt)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response
