"""The data map and the taxonomy pages, for those accountable for the data (DPO,
administrator, manager). Thin: parse, call a selector or service, render."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from steward.core.errors import DomainError, NotFound, PermissionDenied
from steward.core.web import put_errors_on_form, require_permission
from steward.inventory.data_map import (
    WHERE_IT_GOES_NOTE,
    data_map,
    data_map_csv,
    data_map_json,
)
from steward.inventory.forms import (
    CategoryAddForm,
    CategoryEditForm,
    DataMapFilterForm,
)
from steward.inventory.selectors import category_get, category_tree
from steward.inventory.services import data_category_add, data_category_update
from steward.inventory.taxonomy import Sensitivity


@login_required
@require_GET
def data_map_view(request):
    """Every personal-data field, grouped by model, filtered by sensitivity or category."""
    require_permission(request, "inventory.view")
    form = DataMapFilterForm(request.GET or None)
    filters = form.filters()
    rows = data_map(filters)
    groups = [
        {"model": model, "model_name": group[0].model_name, "rows": group}
        for model, grouped in groupby(rows, key=lambda row: row.model)
        if (group := list(grouped))
    ]
    query = request.GET.urlencode()
    return render(
        request,
        "inventory/data_map.html",
        {
            "form": form,
            "filtered": bool(filters.sensitivity or filters.category),
            "groups": groups,
            "row_count": len(rows),
            "special_count": sum(r.sensitivity == Sensitivity.SPECIAL for r in rows),
            "where_it_goes_note": WHERE_IT_GOES_NOTE,
            "can_view_register": request.user.can("processing.view"),
            "export_json": reverse("inventory:export_json") + (f"?{query}" if query else ""),
            "export_csv": reverse("inventory:export_csv") + (f"?{query}" if query else ""),
        },
    )


def _export(request, *, extension: str, content_type: str, render_rows) -> HttpResponse:
    require_permission(request, "inventory.view")
    rows = data_map(DataMapFilterForm(request.GET or None).filters())
    response = HttpResponse(render_rows(rows), content_type=content_type)
    filename = f"steward-data-map-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def export_json(request):
    """The data map's rows, as on the page (same filters), as JSON."""
    return _export(
        request, extension="json", content_type="application/json", render_rows=data_map_json
    )


@login_required
@require_GET
def export_csv(request):
    """The data map's rows, as on the page (same filters), as CSV."""
    return _export(
        request, extension="csv", content_type="text/csv; charset=utf-8", render_rows=data_map_csv
    )


@login_required
@require_http_methods(["GET", "POST"])
def categories_view(request):
    """The taxonomy as a tree; the administrator and the DPO add categories here."""
    require_permission(request, "inventory.view")
    can_manage = request.user.can("inventory.manage")
    form = CategoryAddForm(request.POST or None, initial={"parent": request.GET.get("parent", "")})
    if request.method == "POST":
        require_permission(request, "inventory.manage")
        if form.is_valid():
            try:
                category = data_category_add(actor=request.user, **form.service_data())
            except PermissionDenied as error:
                raise Forbidden(error.message) from None
            except DomainError as error:
                put_errors_on_form(form, error)
            else:
                messages.success(request, f"Category “{category.label}” ({category.key}) added.")
                return redirect(f"{reverse('inventory:categories')}#category-{category.key}")
    return render(
        request,
        "inventory/categories.html",
        {"tree": category_tree(), "form": form, "can_manage": can_manage},
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_edit_view(request, key: str):
    require_permission(request, "inventory.manage")
    try:
        category = category_get(key=key)
    except NotFound:
        raise Http404("No such data category.") from None
    form = CategoryEditForm(request.POST or None, category=category)
    if request.method == "POST" and form.is_valid():
        try:
            category = data_category_update(
                actor=request.user, category=category, data=form.service_data()
            )
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except NotFound:
            raise Http404("No such data category.") from None
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Category “{category.label}” saved.")
            return redirect(f"{reverse('inventory:categories')}#category-{category.key}")
    return render(request, "inventory/category_form.html", {"form": form, "category": category})
