"""The register's staff pages: the purposes (/processing/), the recipients, and the record of
processing (printable page, CSV, JSON). Reading needs "processing.view" (administrator, DPO,
manager), changing "processing.manage" (administrator, DPO). Thin: parse, call, render."""

import mimetypes
from pathlib import PurePath

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from steward.core.errors import DomainError, NotFound
from steward.core.web import permission_required, put_errors_on_form
from steward.processing.errors import UnknownPurpose
from steward.processing.forms import PurposeForm, RecipientForm
from steward.processing.record import (
    processing_activity,
    processing_record,
    record_csv,
    record_json,
)
from steward.processing.selectors import (
    purpose_get,
    purpose_list,
    recipient_get,
    recipient_list,
)
from steward.processing.services import (
    purpose_create,
    purpose_update,
    recipient_create,
    recipient_update,
)
from steward.processing.transfers import third_countries

VIEW = "processing.view"
MANAGE = "processing.manage"

readers_only = permission_required(VIEW)
keepers_only = permission_required(MANAGE)


def _purpose(key: str):
    try:
        return purpose_get(key)
    except UnknownPurpose as error:
        raise Http404(error.message) from None


def _recipient(pk):
    try:
        return recipient_get(pk)
    except NotFound as error:
        raise Http404(error.message) from None


# -- Purposes ------------------------------------------------------------------------------


@readers_only
@require_GET
def register_view(request):
    """The register: every purpose with its basis, Art. 9 condition, retention, recipients."""
    return render(
        request,
        "processing/register.html",
        {"purposes": purpose_list(), "can_manage": request.user.can(MANAGE)},
    )


@readers_only
@require_GET
def purpose_detail(request, key: str):
    purpose = _purpose(key)
    return render(
        request,
        "processing/purpose_detail.html",
        {
            "purpose": purpose,
            "activity": processing_activity(purpose),
            "can_manage": request.user.can(MANAGE),
        },
    )


@keepers_only
@require_http_methods(["GET", "POST"])
def purpose_create_view(request):
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            purpose = purpose_create(actor=request.user, data=form.service_data())
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"“{purpose.name}” added to the register.")
            return redirect("processing:purpose_detail", key=purpose.key)
    return render(
        request,
        "processing/purpose_form.html",
        {"form": form, "purpose": None},
        status=422 if form.errors else 200,
    )


@keepers_only
@require_http_methods(["GET", "POST"])
def purpose_edit_view(request, key: str):
    purpose = _purpose(key)
    form = PurposeForm(request.POST or None, purpose=purpose)
    if request.method == "POST" and form.is_valid():
        try:
            purpose = purpose_update(actor=request.user, purpose=purpose, data=form.service_data())
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"“{purpose.name}” saved.")
            return redirect("processing:purpose_detail", key=purpose.key)
    return render(
        request,
        "processing/purpose_form.html",
        {"form": form, "purpose": purpose},
        status=422 if form.errors else 200,
    )


# -- Recipients ----------------------------------------------------------------------------


@readers_only
@require_GET
def recipient_list_view(request):
    recipients = [(r, third_countries(str(c) for c in r.countries)) for r in recipient_list()]
    return render(
        request,
        "processing/recipients.html",
        {"recipients": recipients, "can_manage": request.user.can(MANAGE)},
    )


@readers_only
@require_GET
def recipient_detail(request, pk):
    recipient = _recipient(pk)
    return render(
        request,
        "processing/recipient_detail.html",
        {
            "recipient": recipient,
            "third_countries": third_countries(str(c) for c in recipient.countries),
            "can_manage": request.user.can(MANAGE),
        },
    )


@keepers_only
@require_http_methods(["GET", "POST"])
def recipient_create_view(request):
    form = RecipientForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            recipient = recipient_create(actor=request.user, data=form.service_data())
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"“{recipient.name}” registered.")
            return redirect("processing:recipient_detail", pk=recipient.pk)
    return render(
        request,
        "processing/recipient_form.html",
        {"form": form, "recipient": None},
        status=422 if form.errors else 200,
    )


@keepers_only
@require_http_methods(["GET", "POST"])
def recipient_edit_view(request, pk):
    recipient = _recipient(pk)
    form = RecipientForm(request.POST or None, request.FILES or None, recipient=recipient)
    if request.method == "POST" and form.is_valid():
        try:
            recipient = recipient_update(
                actor=request.user, recipient=recipient, data=form.service_data()
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"“{recipient.name}” saved.")
            return redirect("processing:recipient_detail", pk=recipient.pk)
    return render(
        request,
        "processing/recipient_form.html",
        {"form": form, "recipient": recipient},
        status=422 if form.errors else 200,
    )


@readers_only
@require_GET
def recipient_agreement(request, pk):
    """The agreement document, to readers of the register only: it is never a public media
    URL (Steward sets no MEDIA_URL), and it is sent as a download, never shown inline."""
    recipient = _recipient(pk)
    document = recipient.dpa_document
    if not document:
        raise Http404("No agreement document on file.")
    try:
        handle = document.open("rb")
    except FileNotFoundError:
        raise Http404("The agreement document is missing from storage.") from None
    filename = PurePath(document.name).name
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


# -- The record of processing (Art. 30) ----------------------------------------------------


@readers_only
@require_GET
def record_view(request):
    """The record as a printable page."""
    return render(request, "processing/record.html", {"record": processing_record()})


def _download(body: str, *, extension: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    filename = f"record-of-processing-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@readers_only
@require_GET
def record_csv_view(request):
    return _download(
        record_csv(processing_record()), extension="csv", content_type="text/csv; charset=utf-8"
    )


@readers_only
@require_GET
def record_json_view(request):
    return _download(
        record_json(processing_record()), extension="json", content_type="application/json"
    )
