"""The age-of-digital-consent settings page (/settings/children/): the Art. 8 table, and
forms to change a row, set a country's own age, or send a country back to the default.
Only for "staff.manage" (403 otherwise, before anything is read or changed)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from steward.children.forms import ConsentAgeForm, CountryConsentAgeForm
from steward.children.selectors import consent_age_get, consent_age_rows
from steward.children.services import ConsentAgeChange, consent_age_remove, consent_age_set
from steward.children.status import DEFAULT_COUNTRY
from steward.core.errors import DomainError, NotFound
from steward.core.web import permission_required, put_errors_on_form

MANAGE = "staff.manage"
# The default row's place in URLs (its country code is empty).
DEFAULT_SLUG = "default"


managers_only = permission_required(MANAGE)


def _code(slug: str) -> str:
    return DEFAULT_COUNTRY if slug == DEFAULT_SLUG else slug.upper()


def _row(slug: str):
    try:
        return consent_age_get(country=_code(slug))
    except NotFound as error:
        raise Http404(error.message) from None


def _changed(request, change: ConsentAgeChange, what: str) -> None:
    moved = change.contacts_changed
    contacts = f"{moved} contact{'s' if moved != 1 else ''}"
    messages.success(request, f"{what} The child status of {contacts} changed with it.")


@managers_only
@require_http_methods(["GET", "POST"])
def consent_age_list(request):
    form = CountryConsentAgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = consent_age_set(
                actor=request.user,
                country=form.cleaned_data["country"],
                age=form.cleaned_data["age"],
                source=form.cleaned_data["source"],
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            row = change.row
            _changed(request, change, f"{row.country.name}: {row.age}.")
            return redirect("children:consent_ages")
    return render(
        request,
        "children/consent_ages.html",
        {"rows": consent_age_rows(), "form": form, "default_slug": DEFAULT_SLUG},
        status=422 if form.errors else 200,
    )


@managers_only
@require_http_methods(["GET", "POST"])
def consent_age_edit(request, slug: str):
    row = _row(slug)
    initial = {"age": row.age, "source": row.source}
    form = ConsentAgeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = consent_age_set(
                actor=request.user,
                country=row.country.code or DEFAULT_COUNTRY,
                age=form.cleaned_data["age"],
                source=form.cleaned_data["source"],
            )
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            name = row.country.name or "Default"
            _changed(request, change, f"{name}: {change.row.age}.")
            return redirect("children:consent_ages")
    return render(
        request,
        "children/consent_age_form.html",
        {"row": row, "form": form, "slug": slug},
        status=422 if form.errors else 200,
    )


@managers_only
@require_POST
def consent_age_remove_view(request, slug: str):
    row = _row(slug)
    try:
        change = consent_age_remove(actor=request.user, country=row.country.code or "")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _changed(request, change, f"{row.country.name} now follows the default age.")
    return redirect("children:consent_ages")
