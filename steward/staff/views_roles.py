"""/settings/roles/: what each role may do, adjustable by an administrator."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from steward.core.errors import DomainError
from steward.core.web import permission_required
from steward.staff.role_permissions import (
    PERMISSION_LABELS,
    known_permissions,
    role_permissions,
    role_permissions_set,
)
from steward.staff.roles import PERMISSIONS, Role


def _matrix() -> list[dict]:
    """One row per permission: its label and, per role, whether it holds it and whether
    that differs from the role's default."""
    rows = []
    for permission in known_permissions():
        cells = []
        for role in Role:
            held = permission in role_permissions(role.value)
            default = permission in PERMISSIONS.get(role, frozenset())
            cells.append(
                {"role": role, "held": held, "changed": held != default, "name": f"{role.value}"}
            )
        rows.append(
            {"permission": permission, "label": PERMISSION_LABELS[permission], "cells": cells}
        )
    return rows


@permission_required("staff.manage")
@require_http_methods(["GET", "POST"])
def roles_view(request):
    if request.method == "POST":
        try:
            for role in Role:
                wanted = {p for p in request.POST.getlist(role.value) if p}
                role_permissions_set(actor=request.user, role=role.value, permissions=wanted)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Role permissions saved.")
            return redirect("staff:roles")
    return render(request, "staff/settings/roles.html", {"rows": _matrix(), "roles": list(Role)})
