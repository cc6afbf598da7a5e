"""The administrator's settings pages: staff and teams, custom fields of contacts, and
pipelines. Every page needs the "staff.manage" permission (403 otherwise, before anything is
read or changed). Thin: each view parses the request, calls a selector or a service, and
renders; a service's refusal is shown on the form or as a message and changes nothing."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from steward.contacts.selectors import (
    custom_field_definitions,
    custom_field_get,
    custom_field_value_count,
)
from steward.contacts.services import (
    custom_field_create,
    custom_field_delete,
    custom_field_update,
)
from steward.core.errors import DomainError, NotFound
from steward.core.web import permission_required, put_errors_on_form
from steward.deals.selectors import (
    pipeline_get,
    pipeline_list,
    pipelines_with_stages,
    stage_deal_count,
    stage_get,
    stages_with_deal_counts,
)
from steward.deals.services import (
    DEFAULT_STAGES,
    pipeline_create,
    pipeline_revise,
    pipeline_set_default,
    stage_add,
    stage_delete,
)
from steward.detection.columns import categorise_column
from steward.inventory.selectors import category_labels
from steward.staff.forms import (
    CustomFieldCreateForm,
    CustomFieldDeleteForm,
    CustomFieldEditForm,
    NewStageRowForm,
    PipelineCreateForm,
    PipelineNameForm,
    StaffCreateForm,
    StaffEditForm,
    StageForm,
    StageRowForm,
    TeamForm,
    stage_rows_valid,
)
from steward.staff.mfa import second_factors_reset
from steward.staff.selectors import staff_get, staff_list, team_get, team_list
from steward.staff.services import (
    staff_create,
    staff_deactivate,
    staff_password_reset,
    staff_reactivate,
    staff_update,
    team_create,
    team_rename,
)

MANAGE = "staff.manage"
# Where a generated password waits between the POST that made it and the one page that
# shows it, normally the very next request: popped there, so a reload or the back button
# cannot show it again. (Rendering it in the POST's own answer would keep nothing in the
# session, but a reload would then submit the form again.)
PASSWORD_SESSION_KEY = "settings:new-password"
NEW_PIPELINE_ROWS = 8


# Signed in and holding "staff.manage"; anyone else gets 403 before the view runs.
administrators_only = permission_required(MANAGE)


def _found(selector, **kwargs):
    try:
        return selector(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from None


@administrators_only
@require_GET
def settings_index(request):
    return render(
        request,
        "staff/settings/index.html",
        {
            "staff_count": staff_list().filter(is_active=True).count(),
            "team_count": team_list().count(),
            "custom_field_count": custom_field_definitions().count(),
            "pipeline_count": pipeline_list().count(),
        },
    )


# -- Staff and teams --------------------------------------------------------------------


@administrators_only
@require_GET
def staff_list_view(request):
    return render(
        request,
        "staff/settings/staff_list.html",
        {"staff": staff_list(), "teams": team_list(), "team_form": TeamForm()},
    )


def _show_password_once(request, user, password: str, *, created: bool):
    request.session[PASSWORD_SESSION_KEY] = {
        "user": str(user.pk),
        "password": password,
        "created": created,
    }
    return redirect("staff:staff_password")


@administrators_only
@require_http_methods(["GET", "POST"])
def staff_create_view(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = staff_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            return _show_password_once(request, user, password, created=True)
    return render(request, "staff/settings/staff_form.html", {"form": form})


@administrators_only
@never_cache
@require_GET
def staff_password(request):
    """The generated password, once: the session forgets it as this page is rendered, and
    the page is not cached, so reloading or going back shows it no more."""
    shown = request.session.pop(PASSWORD_SESSION_KEY, None)
    member = None
    if shown is not None:
        try:
            member = staff_get(pk=shown["user"])
        except NotFound:
            shown = None
    return render(request, "staff/settings/password.html", {"shown": shown, "member": member})


def _staff_edit_page(request, member, form=None):
    return render(
        request,
        "staff/settings/staff_edit.html",
        {
            "member": member,
            "form": form or StaffEditForm(user=member, is_self=member.pk == request.user.pk),
            "is_self": member.pk == request.user.pk,
        },
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk):
    member = _found(staff_get, pk=pk)
    form = StaffEditForm(request.POST or None, user=member, is_self=member.pk == request.user.pk)
    if request.method == "POST" and form.is_valid():
        try:
            member = staff_update(actor=request.user, user=member, data=form.cleaned_data)
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Saved {member}.")
            return redirect("staff:staff_list")
    return _staff_edit_page(request, member, form)


@administrators_only
@require_POST
def staff_deactivate_view(request, pk):
    member = _found(staff_get, pk=pk)
    try:
        staff_deactivate(actor=request.user, user=member)
    except DomainError as error:
        messages.error(request, f"{error.message} Nothing was changed.")
        return redirect("staff:staff_edit", pk=member.pk)
    messages.success(request, f"{member} is deactivated and can no longer sign in.")
    return redirect("staff:staff_list")


@administrators_only
@require_POST
def staff_reactivate_view(request, pk):
    member = _found(staff_get, pk=pk)
    staff_reactivate(actor=request.user, user=member)
    messages.success(request, f"{member} can sign in again.")
    return redirect("staff:staff_edit", pk=member.pk)


@administrators_only
@require_POST
def staff_second_factors_reset_view(request, pk):
    member = _found(staff_get, pk=pk)
    try:
        second_factors_reset(actor=request.user, user=member)
    except DomainError as error:
        messages.error(request, f"{error.message} Nothing was changed.")
    else:
        messages.success(
            request, f"{member}'s second factors were removed and their sessions ended."
        )
    return redirect("staff:staff_edit", pk=member.pk)


@administrators_only
@require_POST
def staff_password_reset_view(request, pk):
    member = _found(staff_get, pk=pk)
    password = staff_password_reset(actor=request.user, user=member)
    if member.pk == request.user.pk:
        # Resetting one's own password would otherwise sign this session out too.
        update_session_auth_hash(request, member)
    return _show_password_once(request, member, password, created=False)


@administrators_only
@require_POST
def team_create_view(request):
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = team_create(actor=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Team “{team}” created.")
            return redirect("staff:staff_list")
    context = {"staff": staff_list(), "teams": team_list(), "team_form": form}
    return render(request, "staff/settings/staff_list.html", context)


@administrators_only
@require_http_methods(["GET", "POST"])
def team_edit(request, pk):
    team = _found(team_get, pk=pk)
    form = TeamForm(request.POST or None, initial={"name": team.name})
    if request.method == "POST" and form.is_valid():
        try:
            team = team_rename(actor=request.user, team=team, name=form.cleaned_data["name"])
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Team renamed to “{team}”.")
            return redirect("staff:staff_list")
    return render(request, "staff/settings/team_form.html", {"form": form, "team": team})


# -- Custom fields of contacts ----------------------------------------------------------


@administrators_only
@require_GET
def custom_field_list_view(request):
    definitions = list(custom_field_definitions())
    labels = category_labels()
    for definition in definitions:
        definition.category_label = labels.get(definition.category, definition.category)
    return render(request, "contacts/settings/custom_field_list.html", {"definitions": definitions})


@administrators_only
@require_http_methods(["GET", "POST"])
def custom_field_create_view(request):
    form = CustomFieldCreateForm(request.POST or None)
    suggestion = None
    if request.method == "POST" and form.is_valid():
        if "suggest" in request.POST or not form.cleaned_data["category"]:
            # A suggestion is never a decision: the form comes back with it chosen, for the
            # person to confirm or change, and nothing is created until they submit again.
            suggestion = categorise_column(form.cleaned_data["label"], form.sample_values())
            data = request.POST.copy()
            data["category"] = suggestion.category
            form = CustomFieldCreateForm(data)
            form.is_valid()
            if not suggestion.category:
                form.add_error(
                    "category",
                    "Nothing in the label or the sample values suggests a category: choose one.",
                )
            return render(
                request,
                "contacts/settings/custom_field_form.html",
                {
                    "form": form,
                    "definition": None,
                    "suggestion": suggestion,
                    "suggestion_label": category_labels().get(suggestion.category, ""),
                },
            )
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "samples"}
            definition = custom_field_create(actor=request.user, **data)
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Custom field “{definition}” added to contacts.")
            return redirect("staff:custom_field_list")
    return render(
        request, "contacts/settings/custom_field_form.html", {"form": form, "definition": None}
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def custom_field_edit(request, pk):
    definition = _found(custom_field_get, pk=pk)
    form = CustomFieldEditForm(request.POST or None, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            definition = custom_field_update(
                actor=request.user, definition=definition, data=form.cleaned_data
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Custom field “{definition}” saved.")
            return redirect("staff:custom_field_list")
    definition.category_label = category_labels().get(definition.category, definition.category)
    return render(
        request,
        "contacts/settings/custom_field_form.html",
        {"form": form, "definition": definition},
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def custom_field_delete_view(request, pk):
    definition = _found(custom_field_get, pk=pk)
    holders = custom_field_value_count(definition)
    form = CustomFieldDeleteForm(
        request.POST if request.method == "POST" else None, holders=holders
    )
    if request.method == "POST" and form.is_valid():
        try:
            removed = custom_field_delete(actor=request.user, definition=definition)
        except NotFound:
            raise Http404("No such custom field.") from None
        messages.success(
            request,
            f"Custom field “{definition}” deleted"
            + (f", with the values of {removed} contact{pluralize(removed)}." if removed else "."),
        )
        return redirect("staff:custom_field_list")
    return render(
        request,
        "contacts/settings/custom_field_confirm_delete.html",
        {"definition": definition, "holders": holders, "form": form},
    )


# -- Pipelines and stages ---------------------------------------------------------------


@administrators_only
@require_GET
def pipeline_list_view(request):
    return render(
        request, "deals/settings/pipeline_list.html", {"pipelines": pipelines_with_stages()}
    )


def _new_stage_rows(data=None) -> list[NewStageRowForm]:
    rows = []
    for index in range(NEW_PIPELINE_ROWS):
        initial = {}
        if index < len(DEFAULT_STAGES):
            name, probability, outcome = DEFAULT_STAGES[index]
            initial = {"name": name, "probability": probability, "outcome": outcome}
        rows.append(NewStageRowForm(data, prefix=f"row-{index}", initial=initial))
    return rows


@administrators_only
@require_http_methods(["GET", "POST"])
def pipeline_create_view(request):
    data = request.POST or None
    form = PipelineCreateForm(data)
    rows = _new_stage_rows(data)
    if request.method == "POST" and form.is_valid() & all([r.is_valid() for r in rows]):
        stages = [
            (r.cleaned_data["name"], r.cleaned_data["probability"], r.cleaned_data["outcome"])
            for r in rows
            if r.cleaned_data.get("name")
        ]
        try:
            pipeline = pipeline_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                stages=stages,
                is_default=form.cleaned_data["is_default"],
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            messages.success(request, f"Pipeline “{pipeline}” created.")
            return redirect("staff:pipeline_list")
    return render(
        request,
        "deals/settings/pipeline_form.html",
        {"form": form, "rows": rows, "rows_have_errors": any(row.errors for row in rows)},
    )


def _stage_rows(pipeline, data=None) -> list[StageRowForm]:
    rows = []
    for index, stage in enumerate(stages_with_deal_counts(pipeline=pipeline)):
        initial = {
            "order": index + 1,
            "name": stage.name,
            "probability": stage.probability,
            "outcome": stage.outcome,
        }
        rows.append(StageRowForm(data, stage=stage, deal_count=stage.deal_count, initial=initial))
    return rows


def _pipeline_edit_page(request, pipeline, form=None, rows=None, add_form=None):
    rows = rows if rows is not None else _stage_rows(pipeline)
    return render(
        request,
        "deals/settings/pipeline_edit.html",
        {
            "pipeline": pipeline,
            "form": form or PipelineNameForm(initial={"name": pipeline.name}),
            "rows": rows,
            "rows_have_errors": any(row.errors for row in rows),
            "add_form": add_form or StageForm(initial={"probability": 50, "outcome": "open"}),
        },
    )


def _put_errors_on_rows(error: DomainError, form, rows: list[StageRowForm]) -> None:
    """A refusal naming "stages.<id>.<field>" goes next to that field of that stage's row
    (and into the summary above the form); the rest on the pipeline's name form."""
    by_stage = {str(row.stage.pk): row for row in rows}
    rest = {}
    for name, field_messages in error.field_errors.items():
        _, stage_pk, field = (name.split(".", 2) + ["", ""])[:3]
        row = by_stage.get(stage_pk) if name.startswith("stages.") else None
        if row is None:
            rest[name] = field_messages
        else:
            row.add_error(field if field in row.fields else None, field_messages)
    if rest or not error.field_errors:
        put_errors_on_form(form, DomainError(error.message, field_errors=rest))


@administrators_only
@require_http_methods(["GET", "POST"])
def pipeline_edit(request, pk):
    """The pipeline's name and, per stage, its order, name, probability and outcome, saved
    together: one submit is one change, applied whole or (on any refusal) not at all."""
    pipeline = _found(pipeline_get, pk=pk)
    if request.method == "GET":
        return _pipeline_edit_page(request, pipeline)
    form = PipelineNameForm(request.POST)
    rows = _stage_rows(pipeline, request.POST)
    if not (form.is_valid() & stage_rows_valid(rows)):
        return _pipeline_edit_page(request, pipeline, form, rows)
    # Equal order numbers keep the stages' current order between them.
    ordered = sorted(rows, key=lambda row: (row.cleaned_data["order"], row.stage.position))
    try:
        pipeline = pipeline_revise(
            actor=request.user,
            pipeline=pipeline,
            name=form.cleaned_data["name"],
            stages=[(row.stage, row.stage_data()) for row in rows],
            order=[row.stage for row in ordered],
        )
    except DomainError as error:
        _put_errors_on_rows(error, form, rows)
        return _pipeline_edit_page(request, pipeline, form, rows)
    messages.success(request, f"Pipeline “{pipeline}” saved.")
    return redirect("staff:pipeline_edit", pk=pipeline.pk)


@administrators_only
@require_POST
def pipeline_default(request, pk):
    pipeline = _found(pipeline_get, pk=pk)
    pipeline_set_default(actor=request.user, pipeline=pipeline)
    messages.success(request, f"“{pipeline}” is now the default pipeline.")
    return redirect("staff:pipeline_list")


@administrators_only
@require_POST
def stage_add_view(request, pk):
    pipeline = _found(pipeline_get, pk=pk)
    add_form = StageForm(request.POST)
    if add_form.is_valid():
        try:
            stage = stage_add(actor=request.user, pipeline=pipeline, **add_form.cleaned_data)
        except DomainError as error:
            put_errors_on_form(add_form, error)
        else:
            messages.success(request, f"Stage “{stage}” added.")
            return redirect("staff:pipeline_edit", pk=pipeline.pk)
    return _pipeline_edit_page(request, pipeline, add_form=add_form)


@administrators_only
@require_http_methods(["GET", "POST"])
def stage_delete_view(request, pk, stage_pk):
    pipeline = _found(pipeline_get, pk=pk)
    stage = _found(stage_get, pipeline=pipeline, pk=stage_pk)
    refusal = ""
    if request.method == "POST":
        try:
            stage_delete(actor=request.user, stage=stage)
        except NotFound:
            raise Http404("No such stage.") from None
        except DomainError as error:
            refusal = error.message
        else:
            messages.success(request, f"Stage “{stage}” deleted.")
            return redirect("staff:pipeline_edit", pk=pipeline.pk)
    deal_count = stage_deal_count(stage=stage)
    return render(
        request,
        "deals/settings/stage_confirm_delete.html",
        {"pipeline": pipeline, "stage": stage, "deal_count": deal_count, "refusal": refusal},
        status=409 if refusal else 200,
    )
