"""Logging activities and completing tasks from a record's page. With htmx the page changes
in place (the new entry is put on top of the timeline); without JavaScript the same forms
post normally and redirect back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from steward.activities.forms import ActivityLogForm
from steward.activities.selectors import activity_get
from steward.activities.services import activity_log, task_complete
from steward.contacts.selectors import contact_get, organisation_get
from steward.core.errors import DomainError, NotFound, PermissionDenied
from steward.core.web import is_htmx, put_errors_on_form
from steward.deals.selectors import deal_get

# What an activity can be about: the POST field naming it, how to find it (scoped to the
# actor), and the page to go back to.
_TARGETS = {
    "contact": (contact_get, "contacts:detail"),
    "organisation": (organisation_get, "contacts:organisation_detail"),
    "deal": (deal_get, "deals:detail"),
}


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _target_or_404(request):
    """The one record the activity is about, among those the user may see."""
    named = [name for name in _TARGETS if request.POST.get(name)]
    if len(named) != 1:
        raise Http404("Say which one record the activity is about.")
    name = named[0]
    get, url_name = _TARGETS[name]
    try:
        record = get(actor=request.user, pk=request.POST[name])
    except NotFound:
        raise Http404(f"No such {name}.") from None
    return name, record, reverse(url_name, kwargs={"pk": record.pk})


def _record_url(activity) -> str:
    """The page of the record an activity is about."""
    for name, (_get, url_name) in _TARGETS.items():
        if getattr(activity, f"{name}_id"):
            return reverse(url_name, kwargs={"pk": getattr(activity, f"{name}_id")})
    return reverse("dashboard")


@login_required
@require_POST
def log(request):
    """Logs an activity on a contact, organisation or deal (activity_log)."""
    name, record, record_url = _target_or_404(request)
    back = _back(request, record_url)
    form = ActivityLogForm(request.POST)
    context = {
        "activity_form": form,
        "log_target": (name, record.pk),
        "record": record,
        "next": back,
        "can_complete": request.user.can("activities.change"),
    }
    if form.is_valid():
        try:
            activity = activity_log(actor=request.user, data=form.service_data() | {name: record})
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except NotFound:
            raise Http404(f"No such {name}.") from None
        except DomainError as error:
            put_errors_on_form(form, error, lambda name: {"due_at": "due_date"}.get(name, name))
        else:
            if not is_htmx(request):
                messages.success(request, f"{activity.get_kind_display()} logged.")
                return redirect(back)
            context |= {"activity": activity, "activity_form": ActivityLogForm()}
            return render(request, "activities/log_response.html", context)
    if is_htmx(request):
        # The form goes back in place of itself, with its errors; the timeline is left as
        # it was.
        response = render(request, "activities/_log_form.html", context)
        response["HX-Retarget"] = "#log-activity"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "activities/log_page.html", context)


@login_required
@require_POST
def complete(request, pk):
    """Marks an open task done (task_complete)."""
    try:
        activity = activity_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404("No such activity.") from None
    try:
        activity = task_complete(actor=request.user, activity=activity)
    except PermissionDenied as error:
        raise Forbidden(error.message) from None
    except NotFound:
        raise Http404("No such activity.") from None
    except DomainError as error:
        if is_htmx(request):
            return HttpResponseBadRequest(error.message)
        messages.error(request, error.message)
        return redirect(_back(request, _record_url(activity)))
    if is_htmx(request):
        context = {"activity": activity, "can_complete": True, "announce": True}
        return render(request, "activities/_item.html", context)
    messages.success(request, f"Task “{activity.subject or 'untitled'}” done.")
    return redirect(_back(request, _record_url(activity)))
