"""The deal pages: the board, a deal's page, its form, moving and deleting. Thin: each view
parses the request, calls a selector or a service, and renders; records outside what the
user may see are 404, acts their role does not allow are 403."""

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from steward.activities.forms import ActivityLogForm
from steward.activities.selectors import timeline_for
from steward.core.errors import DomainError, NotFound, PermissionDenied
from steward.core.web import is_htmx, put_errors_on_form, require_permission
from steward.deals.forms import PICKERS, DealForm
from steward.deals.selectors import (
    deal_get,
    party_get,
    party_search,
    pipeline_board,
    pipeline_get,
    pipeline_list,
    stage_get,
)
from steward.deals.services import deal_create, deal_delete, deal_move, deal_update

TIMELINE_LENGTH = 50


def _deal_or_404(request, pk):
    try:
        return deal_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404("No such deal.") from None


def _board_context(request, pipeline) -> dict:
    user = request.user
    columns = pipeline_board(actor=user, pipeline=pipeline) if pipeline else []
    return {
        "pipeline": pipeline,
        "columns": columns,
        "stages": [column["stage"] for column in columns],
        "can_add": user.can("deals.add"),
        "can_change": user.can("deals.change"),
    }


@login_required
@require_GET
def board(request):
    pipelines = list(pipeline_list())
    if request.GET.get("pipeline"):
        try:
            pipeline = pipeline_get(pk=request.GET["pipeline"])
        except NotFound:
            raise Http404("No such pipeline.") from None
    else:
        pipeline = pipelines[0] if pipelines else None
    context = _board_context(request, pipeline) | {"pipelines": pipelines}
    return render(request, "deals/board.html", context)


@login_required
@require_POST
def move(request, pk):
    """Moves a deal to another stage of its pipeline. For htmx, answers with the updated
    board (counts and totals change too); otherwise redirects back to it."""
    deal = _deal_or_404(request, pk)
    require_permission(request, "deals.change")
    try:
        stage = stage_get(pipeline=deal.pipeline, pk=request.POST.get("stage", ""))
        deal = deal_move(actor=request.user, deal=deal, stage=stage)
    except PermissionDenied as error:
        raise Forbidden(error.message) from None
    except DomainError as error:
        status, level = f"Not moved: {error.message}", messages.ERROR
    else:
        status, level = f"Moved “{deal.title}” to {stage.name}.", messages.SUCCESS
    if is_htmx(request):
        context = _board_context(request, deal.pipeline) | {
            "status": status,
            "status_level": "success" if level == messages.SUCCESS else "error",
        }
        return render(request, "deals/_board_response.html", context)
    messages.add_message(request, level, status)
    return redirect(f"{reverse('deals:board')}?pipeline={deal.pipeline_id}")


@login_required
@require_GET
def detail(request, pk):
    deal = _deal_or_404(request, pk)
    user = request.user
    activities = list(timeline_for(actor=user, deal=deal)[: TIMELINE_LENGTH + 1])
    return render(
        request,
        "deals/detail.html",
        {
            "deal": deal,
            "can_change": user.can("deals.change"),
            "can_delete": user.can("deals.delete"),
            # The timeline and its log form are the activities app's partials.
            "timeline": activities[:TIMELINE_LENGTH],
            "timeline_truncated": len(activities) > TIMELINE_LENGTH,
            "activity_form": ActivityLogForm(),
            "log_target": ("deal", deal.pk),
            "can_log": user.can("activities.add"),
            "can_complete": user.can("activities.change"),
            "show_contact": True,
        },
    )


def _initial_parties(request) -> dict:
    """?contact=<id> / ?organisation=<id> preselect a party (e.g. "New deal" on a contact);
    a contact brings their organisation along when the user may see it."""
    initial = {}
    for kind in PICKERS:
        if request.GET.get(kind):
            try:
                initial[kind] = party_get(actor=request.user, kind=kind, pk=request.GET[kind])
            except NotFound:
                raise Http404(f"No such {kind}.") from None
    contact = initial.get("contact")
    if contact is not None and contact.organisation_id and "organisation" not in initial:
        with contextlib.suppress(NotFound):
            initial["organisation"] = party_get(
                actor=request.user, kind="organisation", pk=contact.organisation_id
            )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    require_permission(request, "deals.add")
    form = DealForm(request.POST or None, actor=request.user, initial=_initial_parties(request))
    if request.method == "POST" and form.is_valid():
        try:
            deal = deal_create(actor=request.user, data=form.deal_data())
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Deal “{deal.title}” created.")
            return redirect("deals:detail", pk=deal.pk)
    return render(request, "deals/form.html", {"form": form, "deal": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    deal = _deal_or_404(request, pk)
    require_permission(request, "deals.change")
    form = DealForm(request.POST or None, actor=request.user, deal=deal)
    if request.method == "POST" and form.is_valid():
        # Only what changed: an unchanged contact the editor can no longer see must not
        # block an edit of the amount.
        data = {k: v for k, v in form.deal_data().items() if getattr(deal, k) != v}
        try:
            deal = deal_update(actor=request.user, deal=deal, data=data)
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Deal “{deal.title}” saved.")
            return redirect("deals:detail", pk=deal.pk)
    return render(request, "deals/form.html", {"form": form, "deal": deal})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    deal = _deal_or_404(request, pk)
    require_permission(request, "deals.delete")
    if request.method == "POST":
        try:
            deal_delete(actor=request.user, deal=deal)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except NotFound:
            raise Http404("No such deal.") from None
        messages.success(request, f"Deal “{deal.title}” deleted.")
        return redirect("deals:board")
    return render(request, "deals/confirm_delete.html", {"deal": deal})


@login_required
@require_GET
def picker(request, kind: str):
    """The deal form's contact or organisation picker (htmx). ?<kind>_q=text answers with at
    most 20 matches; ?choose=<id> with the picker showing that record chosen; neither, with
    an empty search box."""
    context = {"kind": kind, "focus": True}
    if request.GET.get("choose"):
        try:
            context["chosen"] = party_get(actor=request.user, kind=kind, pk=request.GET["choose"])
        except NotFound:
            raise Http404(f"No such {kind}.") from None
        return render(request, "deals/_picker.html", context)
    query = request.GET.get(f"{kind}_q", "").strip()
    if f"{kind}_q" in request.GET:
        context["query"] = query
        context["results"] = (
            party_search(actor=request.user, kind=kind, query=query) if query else None
        )
        return render(request, "deals/_picker_results.html", context)
    return render(request, "deals/_picker.html", context)
