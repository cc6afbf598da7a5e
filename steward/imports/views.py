"""The import wizard (upload, map, check, import, summary) and the export download: thin
views over steward.imports.services, .selectors and .exports."""

import csv
import io
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from steward.contacts.choices import LifecycleStage
from steward.contacts.selectors import CONTACT_SORTS, ContactFilters
from steward.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from steward.imports import selectors, services
from steward.imports.choices import ImportStatus
from steward.imports.column_categories import column_category_views
from steward.imports.exports import (
    DEFAULT_EXPORT_PURPOSE,
    contacts_export,
    contacts_export_preview,
)
from steward.imports.forms import MappingForm, RunForm, UploadForm
from steward.imports.models import ImportJob
from steward.processing.errors import UnknownPurpose
from steward.processing.gate import EXCLUSION_LABELS
from steward.processing.selectors import purposes_active

STEPS = ("Upload", "Map columns", "Check", "Import")
REPORT_ROWS_SHOWN = 100


def _job(request: HttpRequest, pk) -> ImportJob:
    try:
        return selectors.import_job_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404("No such import.") from None


def _step_url(job: ImportJob) -> str:
    """The wizard page that fits the job's status."""
    if job.status in (ImportStatus.UPLOADED, ImportStatus.MAPPED):
        return reverse("imports:map", args=[job.pk])
    if job.status in (ImportStatus.VALIDATING, ImportStatus.VALIDATED):
        return reverse("imports:review", args=[job.pk])
    return reverse("imports:detail", args=[job.pk])


def _render(request, template: str, context: dict, *, step: int, status: int = 200):
    context = {**context, "steps": STEPS, "step": step}
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    may_import = request.user.can("contacts.import")
    form = UploadForm()
    status = 200
    if request.method == "POST":
        if not may_import:
            raise DjangoPermissionDenied("Your role may not import contacts.")
        # Refuse an oversized upload by its declared length before Django spools it.
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.STEWARD_IMPORT_MAX_BYTES + 64 * 1024:
            form = UploadForm()
            form.add_error("file", _too_large_message())
            status = 413
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    job = services.import_job_create(
                        actor=request.user, chunks=upload.chunks(), original_name=upload.name
                    )
                except ValidationFailed as error:
                    form.add_error("file", error.field_errors.get("file", [error.message]))
                else:
                    return redirect("imports:map", job.pk)
            status = 400
    jobs = selectors.import_job_list(actor=request.user)[:10]
    return _render(
        request,
        "imports/start.html",
        {
            "form": form,
            "jobs": jobs,
            "may_import": may_import,
            "may_export": request.user.can("contacts.export"),
        },
        step=1,
        status=status,
    )


def _too_large_message() -> str:
    limit = filesizeformat(settings.STEWARD_IMPORT_MAX_BYTES)
    return f"The file is larger than the limit of {limit}. Split it into smaller files."


@login_required
@require_http_methods(["GET", "POST"])
def map_columns(request: HttpRequest, pk) -> HttpResponse:
    job = _job(request, pk)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.VALIDATED):
        return redirect(_step_url(job))
    form = MappingForm(request.POST or None, job=job)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.import_job_map(
                actor=request.user,
                job=job,
                mapping=form.mapping(),
                date_order=form.cleaned_data["date_order"],
            )
            services.import_job_check(actor=request.user, job=job)
        except ValidationFailed as error:
            for field, messages in error.field_errors.items():
                form.add_error(field if field in form.fields else None, messages)
            status = 400
        except (Conflict, PermissionDenied) as error:
            form.add_error(None, error.message)
            status = 409
        else:
            return redirect("imports:review", job.pk)
    elif request.method == "POST":
        status = 400
    samples = selectors.import_samples(job)
    categories = column_category_views(job.column_categories, len(form.column_names))
    columns = [
        (form[name], samples[position] if position < len(samples) else [], categories[position])
        for position, name in enumerate(form.column_names)
    ]
    return _render(
        request,
        "imports/map.html",
        {"job": job, "form": form, "columns": columns},
        step=2,
        status=status,
    )


@login_required
@require_GET
def review(request: HttpRequest, pk) -> HttpResponse:
    job = _job(request, pk)
    if job.status not in (ImportStatus.VALIDATING, ImportStatus.VALIDATED):
        return redirect(_step_url(job))
    context: dict = {"job": job}
    if job.status == ImportStatus.VALIDATED:
        columns, preview = selectors.import_preview(job)
        context.update(
            columns=[(key, selectors.target_label(key)) for key in columns],
            preview=preview,
            problems=list(selectors.problem_lines(job, limit=REPORT_ROWS_SHOWN)),
            unmapped=[h for i, h in enumerate(job.headers) if str(i) not in job.mapping],
            form=RunForm(),
        )
    if request.headers.get("HX-Request") and job.status == ImportStatus.VALIDATING:
        return render(request, "imports/_checking.html", context)
    if request.headers.get("HX-Request"):
        # Checking finished while the page polled: load the full page.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _render(request, "imports/review.html", context, step=3)


@login_required
@require_POST
def run(request: HttpRequest, pk) -> HttpResponse:
    job = _job(request, pk)
    form = RunForm(request.POST)
    if not form.is_valid():
        return redirect("imports:review", job.pk)
    try:
        services.import_job_start(
            actor=request.user,
            job=job,
            mode=form.cleaned_data["mode"],
            on_duplicate=form.cleaned_data["on_duplicate"],
        )
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from None
    except (Conflict, ValidationFailed):
        pass
    return redirect("imports:detail", job.pk)


@login_required
@require_GET
def detail(request: HttpRequest, pk) -> HttpResponse:
    """Progress while the import runs (polled by htmx), the summary once it ended."""
    job = _job(request, pk)
    if job.status in (
        ImportStatus.UPLOADED,
        ImportStatus.MAPPED,
        ImportStatus.VALIDATING,
        ImportStatus.VALIDATED,
    ):
        return redirect(_step_url(job))
    context = {
        "job": job,
        "problems": list(selectors.problem_lines(job, limit=REPORT_ROWS_SHOWN))
        if job.is_finished
        else [],
    }
    if request.headers.get("HX-Request"):
        return render(request, "imports/_progress.html", context)
    return _render(request, "imports/detail.html", context, step=4)


@login_required
@require_POST
def cancel(request: HttpRequest, pk) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.import_job_cancel(actor=request.user, job=job)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from None
    except Conflict:
        return redirect(_step_url(job))
    return redirect("imports:start")


@login_required
@require_GET
def report_csv(request: HttpRequest, pk) -> HttpResponse:
    """The full report as CSV: one line per problem and field."""
    job = _job(request, pk)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["Line", "Problem", "Field", "Message", "Row values"])
        for problem in selectors.problem_lines(job):
            values = "; ".join(f"{k}={v}" for k, v in problem.values.items())
            writer.writerow(
                [problem.line, problem.status_label, problem.field, problem.message, values]
            )
            if buffer.tell() > 32 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-report-{job.pk}.csv"'
    return response


def filters_from(query) -> ContactFilters:
    """The contact list's filters from its GET parameters (q, stage, owner, tag, country,
    organisation, sort; `search` and `lifecycle_stage` are accepted too). A value that
    does not parse is ignored, as on the list."""

    def uuid_or_blank(value: str) -> str:
        try:
            return str(uuid.UUID(value)) if value else ""
        except ValueError:
            return ""

    stage = query.get("stage") or query.get("lifecycle_stage", "")
    sort = query.get("sort", "name")
    return ContactFilters(
        search=(query.get("q") or query.get("search", ""))[:200],
        lifecycle_stage=stage if stage in LifecycleStage.values else "",
        owner_id=uuid_or_blank(query.get("owner", "")),
        organisation_id=uuid_or_blank(query.get("organisation", "")),
        tag=query.get("tag", "")[:50],
        country=query.get("country", "")[:2],
        sort=sort if sort in CONTACT_SORTS else "name",
    )


# Parameters of the export page itself; the rest are the contact list's filters.
_EXPORT_PARAMS = {"purpose", "format", "download", "page"}


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The export page: choose what the export is for and its format, and see how many
    people the processing gate leaves out and why; `download=1` streams the file."""
    filters = filters_from(request.GET)
    purpose = request.GET.get("purpose") or DEFAULT_EXPORT_PURPOSE
    format = request.GET.get("format", "csv")
    try:
        if request.GET.get("download"):
            result = contacts_export(
                actor=request.user, filters=filters, format=format, purpose=purpose
            )
        else:
            preview = contacts_export_preview(actor=request.user, filters=filters, purpose=purpose)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from None
    except (ValidationFailed, UnknownPurpose) as error:
        return HttpResponse(error.message, status=400, content_type="text/plain")
    if not request.GET.get("download"):
        filter_params = [(k, v) for k, v in request.GET.items() if k not in _EXPORT_PARAMS and v]
        return render(
            request,
            "imports/export.html",
            {
                "preview": preview,
                "purposes": purposes_active(),
                "purpose": purpose,
                "format": format if format in ("csv", "json") else "csv",
                "filter_params": filter_params,
                "is_filtered": bool(filter_params),
                "excluded": [
                    (EXCLUSION_LABELS.get(code, code), count)
                    for code, count in sorted(preview.excluded.items(), key=lambda p: -p[1])
                ],
            },
        )
    response = StreamingHttpResponse(result.chunks(), content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["X-Steward-Purpose"] = result.purpose
    response["X-Steward-Exported"] = str(result.count)
    response["X-Steward-Excluded"] = str(result.excluded_count)
    return response
