"""What every staff page does the same way: refuse a role up front, tell htmx requests
apart, and show a service's refusal on the form fields it names."""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden

from steward.core.errors import DomainError, PermissionDenied


def require_permission(request, permission: str) -> None:
    """Refuses (403) up front what the service would refuse, so a user is not shown a form
    they cannot submit. The service still checks: this is for the page, not the guard."""
    if not request.user.can(permission):
        raise Forbidden(f"Your role may not do this ({permission}).")


def permission_required(permission: str):
    """A view for signed-in users holding `permission`; anyone else gets 403 before it runs.
    A service refusing for the same reason (a role changed meanwhile) is also a 403."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require_permission(request, permission)
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as error:
                raise Forbidden(error.message) from None

        return wrapper

    return decorate


def is_htmx(request) -> bool:
    """A request made by htmx for a fragment. A history restore asks for the whole page
    (htmx had no snapshot of it), so it counts as an ordinary request."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def put_errors_on_form(
    form: forms.Form, error: DomainError, field_name: Callable[[str], str] | None = None
) -> None:
    """Shows a service's refusal next to the fields it names (`field_name` maps a service's
    field name to the form's), the rest above the form, prefixed with the field it is about."""
    for name, messages in error.field_errors.items():
        name = field_name(name) if field_name else name
        target = name if name in form.fields else None
        if target is None and name != "form":
            messages = [f"{name.replace('_', ' ').capitalize()}: {m}" for m in messages]
        form.add_error(target, messages)
    if not error.field_errors:
        form.add_error(None, error.message)


class PlainLabelsForm(forms.Form):
    """A form whose labels carry no trailing colon (the layout sets labels apart)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
