"""The contact and organisation pages. Thin: each view parses the request, calls a selector
or a service, and renders. Records outside what the user may see are 404; acts their role
does not allow are 403; a service's refusal is shown on the form and changes nothing."""

import contextlib
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from steward.activities.forms import ActivityLogForm
from steward.activities.selectors import timeline_for
from steward.contacts.choices import CustomFieldType
from steward.contacts.forms import (
    ContactForm,
    ContactListForm,
    ContactMethodForm,
    OrganisationForm,
    contact_form_field,
)
from steward.contacts.models import Contact, Organisation
from steward.contacts.selectors import (
    ContactFilters,
    contact_get,
    contact_page,
    custom_field_definitions,
    custom_values_for,
    organisation_choices,
    organisation_get,
    organisation_label,
    organisation_page,
    tag_names,
)
from steward.contacts.services import (
    contact_create,
    contact_delete,
    contact_method_add,
    contact_method_remove,
    contact_update,
    organisation_create,
    organisation_delete,
    organisation_update,
)
from steward.core.errors import DomainError, NotFound, PermissionDenied
from steward.core.web import is_htmx, put_errors_on_form, require_permission
from steward.deals.selectors import deal_list
from steward.inventory.field_access import Masked

TIMELINE_LENGTH = 50


def _contact_or_404(request, pk) -> Contact:
    try:
        return contact_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404("No such contact.") from None


def _organisation_or_404(request, pk) -> Organisation:
    try:
        return organisation_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404("No such organisation.") from None


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


# -- Contacts ---------------------------------------------------------------------------

# Sortable columns and the direction a first click sorts them in (newest first for dates).
# Email is not one: addresses are encrypted, the database cannot order by them.
_SORTABLE = {"name": "name", "created": "-created"}


def _sort_headers(current: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the sort its header link asks for, and its aria-sort state."""
    headers = {}
    for column, first in _SORTABLE.items():
        if current == column:
            headers[column] = {"next": f"-{column}", "aria": "ascending"}
        elif current == f"-{column}":
            headers[column] = {"next": column, "aria": "descending"}
        else:
            headers[column] = {"next": first, "aria": ""}
    return headers


@login_required
@require_GET
def contact_list(request):
    """The contact list. Search, filters, sort and page are GET parameters, so every view
    of the list is a URL that can be shared. For htmx (typing in the search box), answers
    with the results alone."""
    form = ContactListForm(request.GET or None, actor=request.user)
    filters = form.filters() if form.is_bound else ContactFilters()
    page = contact_page(actor=request.user, filters=filters, number=form.page_number())
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "sort": filters.sort,
        "sort_headers": _sort_headers(filters.sort),
        "is_filtered": form.is_bound and form.is_filtered,
        "tag_names": tag_names(),
        "can_add": request.user.can("contacts.add"),
        "can_import": request.user.can("contacts.import"),
        "can_export": request.user.can("contacts.export"),
    }
    if filters.organisation_id:
        try:
            context["organisation"] = organisation_get(
                actor=request.user, pk=filters.organisation_id
            )
        except NotFound:
            raise Http404("No such organisation.") from None
    if not is_htmx(request):
        response = render(request, "contacts/contact_list.html", context)
    else:
        response = render(request, "contacts/contact_list_results.html", context)
        response["HX-Push-Url"] = _shareable_url(request)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _shareable_url(request) -> str:
    """The request's URL without its empty parameters (a form sends every field)."""
    query = request.GET.copy()
    for name in list(query):
        if not query.get(name) or (name == "sort" and query[name] == "name"):
            del query[name]
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _custom_values(contact: Contact, actor) -> list[tuple[str, str]]:
    values = []
    custom = custom_values_for(actor, contact.custom)
    for definition in custom_field_definitions():
        value = custom.get(definition.key)
        if value in (None, ""):
            continue
        if isinstance(value, Masked):
            values.append((definition.label, value))
            continue
        if definition.field_type == CustomFieldType.BOOLEAN:
            value = "Yes" if value else "No"
        elif definition.field_type == CustomFieldType.DATE:
            # A value stored before the field became a date is shown as it is.
            with contextlib.suppress(ValueError):
                value = date_format(datetime.date.fromisoformat(str(value)), "j F Y")
        values.append((definition.label, str(value)))
    return values


def _timeline_context(request, **about) -> dict:
    activities = list(timeline_for(actor=request.user, **about)[: TIMELINE_LENGTH + 1])
    return {
        "timeline": activities[:TIMELINE_LENGTH],
        "timeline_truncated": len(activities) > TIMELINE_LENGTH,
        "can_log": request.user.can("activities.add"),
        "can_complete": request.user.can("activities.change"),
    }


def _contact_detail_context(request, contact: Contact, **overrides) -> dict:
    user = request.user
    context = {
        "contact": contact,
        "methods": list(contact.methods.all()),
        "method_form": ContactMethodForm(),
        "custom_values": _custom_values(contact, user),
        "deals": list(deal_list(actor=user, contact_id=str(contact.pk))[:50]),
        "activity_form": ActivityLogForm(),
        "log_target": ("contact", contact.pk),
        "can_change": user.can("contacts.change"),
        "can_delete": user.can("contacts.delete"),
        "can_add_deal": user.can("deals.add"),
    }
    context |= _timeline_context(request, contact=contact)
    return context | overrides


@login_required
@require_GET
def contact_detail(request, pk):
    contact = _contact_or_404(request, pk)
    return render(
        request, "contacts/contact_detail.html", _contact_detail_context(request, contact)
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_create_view(request):
    require_permission(request, "contacts.add")
    form = ContactForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data, tags = form.service_data()
        try:
            contact = contact_create(actor=request.user, data=data, tags=tags)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            put_errors_on_form(form, error, contact_form_field)
        else:
            messages.success(request, f"Contact “{contact}” created.")
            return redirect("contacts:detail", pk=contact.pk)
    return render(request, "contacts/contact_form.html", {"form": form, "contact": None})


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    contact = _contact_or_404(request, pk)
    require_permission(request, "contacts.change")
    form = ContactForm(request.POST or None, actor=request.user, contact=contact)
    if request.method == "POST" and form.is_valid():
        data, tags = form.service_data()
        try:
            contact = contact_update(actor=request.user, contact=contact, data=data, tags=tags)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except NotFound:
            raise Http404("No such contact.") from None
        except DomainError as error:
            put_errors_on_form(form, error, contact_form_field)
        else:
            messages.success(request, f"Contact “{contact}” saved.")
            return redirect("contacts:detail", pk=contact.pk)
    return render(request, "contacts/contact_form.html", {"form": form, "contact": contact})


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete_view(request, pk):
    contact = _contact_or_404(request, pk)
    require_permission(request, "contacts.delete")
    if request.method == "POST":
        try:
            contact_delete(actor=request.user, contact=contact)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except NotFound:
            raise Http404("No such contact.") from None
        messages.success(request, f"Contact “{contact}” deleted.")
        return redirect("contacts:list")
    counts = {
        "activities": contact.activities.count(),
        "deals": deal_list(actor=request.user, contact_id=str(contact.pk)).count(),
    }
    return render(
        request, "contacts/contact_confirm_delete.html", {"contact": contact, "counts": counts}
    )


def _methods_response(request, contact: Contact, form: ContactMethodForm | None = None):
    """The further-addresses section: the section alone for htmx, otherwise the page."""
    contact = _contact_or_404(request, contact.pk)
    context = _contact_detail_context(request, contact)
    if form is not None:
        context["method_form"] = form
    if is_htmx(request):
        return render(request, "contacts/contact_detail.html#methods", context)
    return render(request, "contacts/contact_detail.html", context)


@login_required
@require_POST
def contact_method_add_view(request, pk):
    contact = _contact_or_404(request, pk)
    require_permission(request, "contacts.change")
    form = ContactMethodForm(request.POST)
    if form.is_valid():
        try:
            method = contact_method_add(actor=request.user, contact=contact, **form.cleaned_data)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except NotFound:
            raise Http404("No such contact.") from None
        except DomainError as error:
            put_errors_on_form(form, error, contact_form_field)
        else:
            if not is_htmx(request):
                messages.success(request, f"Added {method.value}.")
                return redirect("contacts:detail", pk=contact.pk)
            return _methods_response(request, contact)
    return _methods_response(request, contact, form)


@login_required
@require_POST
def contact_method_remove_view(request, pk, method_pk):
    contact = _contact_or_404(request, pk)
    require_permission(request, "contacts.change")
    method = next((m for m in contact.methods.all() if m.pk == method_pk), None)
    if method is None:
        raise Http404("No such address on this contact.")
    try:
        contact_method_remove(actor=request.user, method=method)
    except PermissionDenied as error:
        raise Forbidden(error.message) from None
    except NotFound:
        raise Http404("No such contact.") from None
    if not is_htmx(request):
        messages.success(request, f"Removed {method.value}.")
        return redirect("contacts:detail", pk=contact.pk)
    return _methods_response(request, contact)


# -- Organisations ----------------------------------------------------------------------


@login_required
@require_GET
def organisation_list(request):
    search = request.GET.get("q", "").strip()[:200]
    page = organisation_page(actor=request.user, search=search, number=_page_number(request))
    context = {"search": search, "page": page, "can_add": request.user.can("organisations.add")}
    template = "contacts/organisation_list.html"
    if is_htmx(request):
        template = "contacts/organisation_list.html#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def organisation_detail(request, pk):
    organisation = _organisation_or_404(request, pk)
    user = request.user
    contacts = contact_page(
        actor=user, filters=ContactFilters(organisation_id=str(organisation.pk)), per_page=25
    )
    context = {
        "organisation": organisation,
        "contacts": contacts,
        "deals": list(deal_list(actor=user, organisation_id=str(organisation.pk))[:50]),
        "activity_form": ActivityLogForm(),
        "log_target": ("organisation", organisation.pk),
        "can_change": user.can("organisations.change"),
        "can_delete": user.can("organisations.delete"),
        "can_add_contact": user.can("contacts.add"),
        "can_add_deal": user.can("deals.add"),
    }
    context |= _timeline_context(request, organisation=organisation)
    return render(request, "contacts/organisation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create_view(request):
    require_permission(request, "organisations.add")
    form = OrganisationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(actor=request.user, data=form.service_data())
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            put_errors_on_form(form, error, contact_form_field)
        else:
            messages.success(request, f"Organisation “{organisation}” created.")
            return redirect("contacts:organisation_detail", pk=organisation.pk)
    return render(request, "contacts/organisation_form.html", {"form": form, "organisation": None})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = _organisation_or_404(request, pk)
    require_permission(request, "organisations.change")
    form = OrganisationForm(request.POST or None, actor=request.user, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_update(
                actor=request.user, organisation=organisation, data=form.service_data()
            )
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except NotFound:
            raise Http404("No such organisation.") from None
        except DomainError as error:
            put_errors_on_form(form, error, contact_form_field)
        else:
            messages.success(request, f"Organisation “{organisation}” saved.")
            return redirect("contacts:organisation_detail", pk=organisation.pk)
    return render(
        request,
        "contacts/organisation_form.html",
        {"form": form, "organisation": organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete_view(request, pk):
    organisation = _organisation_or_404(request, pk)
    require_permission(request, "organisations.delete")
    if request.method == "POST":
        try:
            organisation_delete(actor=request.user, organisation=organisation)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except NotFound:
            raise Http404("No such organisation.") from None
        messages.success(request, f"Organisation “{organisation}” deleted.")
        return redirect("contacts:organisation_list")
    contacts = contact_page(
        actor=request.user,
        filters=ContactFilters(organisation_id=str(organisation.pk)),
        per_page=1,
    )
    return render(
        request,
        "contacts/organisation_confirm_delete.html",
        {
            "organisation": organisation,
            "contact_total": contacts.total,
            "contact_more_than": contacts.more_than,
        },
    )


@login_required
@require_GET
def organisation_options(request):
    """Suggestions for the organisation chooser: <option>s for its <datalist>, at most 20,
    so the form never carries every organisation."""
    text = request.GET.get("organisation", "")[:200]
    options = [
        organisation_label(organisation)
        for organisation in organisation_choices(actor=request.user, text=text)
    ]
    return render(request, "contacts/organisation_options.html", {"options": options})
